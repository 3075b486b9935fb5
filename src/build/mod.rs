//! Build-time generation: every card of a [manifest] rendered into a directory, on all cores,
//! skipping cards whose inputs have not changed since the last build.
//!
//! Flow: manifest entries -> checked (output path, duplicates, template and values) ->
//! content key compared with the state file -> the changed ones rendered in parallel, each
//! written to a temp file and renamed -> the state file rewritten.

pub mod manifest;

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use sha2::Digest;

pub use manifest::{BadEntry, Entry, Format};
use ogmill_core::images::ImageSource;
use ogmill_core::request::output::Format as ImageFormat;
use ogmill_core::{Inputs, RenderRequest, Renderer};

/// Records each output's content key, in the output directory.
pub const STATE_FILE: &str = ".ogmill-build.json";

/// How a build runs.
#[derive(Clone, Debug)]
pub struct BuildOptions {
    /// Where the cards go; created if missing.
    pub out_dir: PathBuf,
    /// Render every entry, changed or not. Default: `false`.
    pub force: bool,
    /// Threads rendering at once. Default: the number of cores.
    pub jobs: usize,
}

impl BuildOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        BuildOptions {
            out_dir: out_dir.into(),
            force: false,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// What the build is doing, for a progress display.
#[derive(Clone, Copy, Debug)]
pub enum Progress {
    /// Checked: `render` cards will be rendered, `skipped` are unchanged.
    Planned { render: usize, skipped: usize },
    /// One card finished (written or failed).
    Rendered { ok: bool },
}

/// How a build went.
#[derive(Debug, Default)]
pub struct Summary {
    pub rendered: usize,
    pub skipped: usize,
    /// Entries that failed, in manifest order, with the reason.
    pub failed: Vec<BadEntry>,
    /// Entries rendered with a placeholder because an image could not be had; they are
    /// not recorded as built, so the next build tries them again.
    pub degraded: Vec<BadEntry>,
    /// PNG bytes written by this build.
    pub bytes: u64,
    pub elapsed: Duration,
}

/// A failure of the build as a whole (the manifest or the directory), not of one entry.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Manifest { path: PathBuf, message: String },
}

/// A checked entry whose card must be rendered.
struct Job<'a> {
    index: usize,
    entry: &'a Entry,
    /// The output path with `.` components dropped, as the state file records it.
    output: String,
    key: String,
}

/// Reads a manifest file (`-` for standard input).
pub fn read_manifest(path: &Path) -> Result<Vec<Result<Entry, BadEntry>>, BuildError> {
    let io = |error| BuildError::Io {
        path: path.to_owned(),
        error,
    };
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(io)?
    } else {
        std::fs::read_to_string(path).map_err(io)?
    };
    manifest::parse(Format::sniff(path, &text), &text).map_err(|message| BuildError::Manifest {
        path: path.to_owned(),
        message,
    })
}

/// Renders the entries into `options.out_dir`. One entry's failure never stops the others.
pub fn run(
    renderer: &Renderer,
    entries: &[Result<Entry, BadEntry>],
    options: &BuildOptions,
    images: &(dyn ImageSource + Sync),
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Summary, BuildError> {
    let started = Instant::now();
    let dir = &options.out_dir;
    std::fs::create_dir_all(dir).map_err(|error| BuildError::Io {
        path: dir.clone(),
        error,
    })?;
    let mut state = State::load(dir);
    let mut failed: Vec<(usize, BadEntry)> = vec![];
    let mut jobs = vec![];
    let mut skipped = 0;
    let mut claimed: HashMap<String, &str> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let checked = entry
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|e| check(renderer, e, &mut claimed).map(|(o, key)| (e, o, key)));
        match checked {
            Err(bad) => failed.push((index, bad)),
            Ok((entry, output, key)) => {
                let unchanged =
                    state.keys.get(&output) == Some(&key) && dir.join(&output).is_file();
                if unchanged && !options.force {
                    skipped += 1;
                } else {
                    jobs.push(Job {
                        index,
                        entry,
                        output,
                        key,
                    });
                }
            }
        }
    }
    progress(Progress::Planned {
        render: jobs.len(),
        skipped,
    });
    let results = render_all(renderer, &jobs, options, images, progress);
    let mut summary = Summary {
        skipped,
        ..Summary::default()
    };
    for (job, result) in jobs.iter().zip(results) {
        match result {
            Ok((bytes, problems)) => {
                summary.rendered += 1;
                summary.bytes += bytes;
                if problems.is_empty() {
                    state.keys.insert(job.output.clone(), job.key.clone());
                } else {
                    state.keys.remove(&job.output);
                    summary.degraded.push(bad(job.entry, problems));
                }
            }
            Err(reason) => {
                state.keys.remove(&job.output);
                failed.push((job.index, bad(job.entry, reason)));
            }
        }
    }
    state.save(dir)?;
    failed.sort_by_key(|(i, _)| *i);
    summary.failed = failed.into_iter().map(|(_, b)| b).collect();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Checks one entry before any rendering; returns its output path and content key.
fn check<'e>(
    renderer: &Renderer,
    entry: &'e Entry,
    claimed: &mut HashMap<String, &'e str>,
) -> Result<(String, String), BadEntry> {
    let output = safe_output_path(&entry.output).map_err(|r| bad(entry, r))?;
    if let Some(first) = claimed.get(&output) {
        return Err(bad(
            entry,
            format!("output '{output}' is already written by {first}"),
        ));
    }
    claimed.insert(output.clone(), &entry.origin);
    let req = request(entry).map_err(|r| bad(entry, r))?;
    let resolved = renderer
        .resolve(&req)
        .map_err(|e| bad(entry, e.to_string()))?;
    let digest = sha2::Sha256::digest(renderer.key(&resolved).as_str().as_bytes());
    Ok((output, digest.iter().map(|b| format!("{b:02x}")).collect()))
}

fn bad(entry: &Entry, reason: String) -> BadEntry {
    BadEntry {
        origin: format!("{} ({})", entry.origin, entry.output),
        reason,
    }
}

/// An output path must stay inside the output directory: relative, no `..`, and not the
/// state file. Returns it without `.` components, so `./a.png` and `a.png` are one file.
fn safe_output_path(output: &str) -> Result<String, String> {
    let path = Path::new(output);
    let inside = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside || output.contains('\0') || path.file_name().is_none() {
        return Err(format!(
            "output '{output}' must be a file path inside the output directory (relative, no '..')"
        ));
    }
    if path.file_name() == Some(STATE_FILE.as_ref()) {
        return Err(format!("output '{output}' is the build's state file"));
    }
    let normal: PathBuf = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    normal
        .to_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("output '{output}' is not valid UTF-8"))
}

/// What one render gave: bytes written and image problems (empty when none), or why not.
type Outcome = Result<(u64, String), String>;

/// Renders on `options.jobs` threads; the results are in `jobs` order.
fn render_all(
    renderer: &Renderer,
    jobs: &[Job],
    options: &BuildOptions,
    images: &(dyn ImageSource + Sync),
    progress: &(dyn Fn(Progress) + Sync),
) -> Vec<Outcome> {
    let render = |job: &Job| {
        let path = options.out_dir.join(&job.output);
        let result = render_one(renderer, job.entry, images, &path);
        progress(Progress::Rendered { ok: result.is_ok() });
        result
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(|| jobs.par_iter().map(render).collect()),
        // No threads to be had: render on this one rather than fail.
        Err(_) => jobs.iter().map(render).collect(),
    }
}

/// The entry's request: its params, and the format its output's extension names (`.webp`,
/// `.jpg`) unless a `format` field says it, which must then agree with the extension.
fn request(entry: &Entry) -> Result<RenderRequest, String> {
    let mut params = entry.params.clone();
    let by_ext = ImageFormat::for_path(Path::new(&entry.output))?;
    let given = params
        .iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.clone());
    match (given.as_deref().map(|f| (f, ImageFormat::parse(f))), by_ext) {
        (Some((_, Some(f))), Some(e)) if f != e => {
            return Err(format!(
                "format '{}' does not match the output's extension .{}",
                f.name(),
                e.extension()
            ))
        }
        (None, Some(e)) => params.push(("format".into(), e.name().into())),
        _ => {}
    }
    Ok(RenderRequest {
        template: entry.template.clone(),
        params,
        ..RenderRequest::default()
    })
}

/// Renders one card and writes it whole or not at all (temp file, then rename).
fn render_one(
    renderer: &Renderer,
    entry: &Entry,
    images: &(dyn ImageSource + Sync),
    path: &Path,
) -> Outcome {
    let req = request(entry)?;
    let resolved = renderer.resolve(&req).map_err(|e| e.to_string())?;
    let (prepared, problems) = resolved.load_images(images);
    let problems: Vec<String> = problems
        .iter()
        .map(|(param, p)| format!("image '{param}' drawn as a placeholder: {p}"))
        .collect();
    // The renderer holds no state a panic could leave half-changed.
    let render = || {
        let inputs = Inputs {
            images: &prepared,
            ..Inputs::default()
        };
        renderer.render(&resolved, inputs)
    };
    let png = std::panic::catch_unwind(std::panic::AssertUnwindSafe(render))
        .map_err(|_| "the render panicked (a bug; please report it)".to_owned())?
        .map_err(|e| e.to_string())?
        .bytes;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    write_atomically(path, &png).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((png.len() as u64, problems.join("; ")))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The state file: output path -> content key of the card last written there. Entries for
/// outputs this manifest does not mention are kept, so two manifests can share a directory.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct State {
    version: u32,
    keys: BTreeMap<String, String>,
}

impl State {
    const VERSION: u32 = 1;

    /// A missing or unreadable state file means "nothing built yet": everything renders.
    fn load(dir: &Path) -> State {
        std::fs::read(dir.join(STATE_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<State>(&b).ok())
            .filter(|s| s.version == Self::VERSION)
            .unwrap_or_default()
    }

    fn save(&mut self, dir: &Path) -> Result<(), BuildError> {
        self.version = Self::VERSION;
        let path = dir.join(STATE_FILE);
        let bytes = serde_json::to_vec_pretty(self).expect("a map of strings serializes");
        write_atomically(&path, &bytes).map_err(|error| BuildError::Io { path, error })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_stay_inside_the_directory() {
        for (ok, normal) in [
            ("a.png", "a.png"),
            ("posts/a.png", "posts/a.png"),
            ("./x/./y.png", "x/y.png"),
        ] {
            assert_eq!(safe_output_path(ok).as_deref(), Ok(normal));
        }
        for bad in [
            "../a.png",
            "/etc/x.png",
            "a/../../b.png",
            "",
            ".",
            "a/..",
            STATE_FILE,
            "a\0.png",
        ] {
            assert!(safe_output_path(bad).is_err(), "{bad:?}");
        }
    }
}
