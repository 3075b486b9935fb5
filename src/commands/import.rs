//! `ogmill import`: a design tool's export becomes a template in the templates directory.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use ogmill::config::Config;
use ogmill_core::tools::import::{import, ImportOptions, MAX_DESIGN_BYTES};
use ogmill_core::{Options, Renderer};

use crate::cli::ImportArgs;

pub(crate) fn run(config: &Config, renderer: &Renderer, args: ImportArgs) -> anyhow::Result<()> {
    let design = &args.design;
    let size = std::fs::metadata(design)
        .with_context(|| format!("reading {}", design.display()))?
        .len();
    if size > MAX_DESIGN_BYTES as u64 {
        bail!(
            "{}: {size} bytes; designs over 10 MiB are refused",
            design.display()
        );
    }
    let source =
        std::fs::read_to_string(design).with_context(|| format!("reading {}", design.display()))?;
    let name = match &args.name {
        Some(n) => n.clone(),
        None => design
            .file_stem()
            .and_then(|s| s.to_str())
            .map(template_name)
            .unwrap_or_else(|| "design".into()),
    };
    if !ogmill_core::template::valid_name(&name) {
        bail!("--name '{name}': use 1-64 ASCII letters, digits, '-' and '_' (it is the URL's template name)");
    }
    let dir = out_dir(config, args.out.as_deref());
    let target = dir.join(format!("{name}.svg"));
    // The export is the designer's work: a template is written beside it under another
    // name or elsewhere, never over it, --force or not.
    if same_file(&target, design) {
        bail!(
            "{} is the design itself; ogmill import never writes over its input: pass --name NEW or --out DIR",
            target.display()
        );
    }
    let previous = match std::fs::read_to_string(&target) {
        Ok(text) if args.force => Some(text),
        Ok(_) => bail!(
            "{} exists; pass --force to replace it (params keep the names you gave them there)",
            target.display()
        ),
        Err(_) => None,
    };
    let opts = ImportOptions {
        colors: args.colors,
        all_texts: args.all_texts,
        all_images: args.image_params == "all",
        previous,
        // Pictures the export links are looked for beside it ("" is the current directory).
        linked_dir: design.parent().map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
            .to_path_buf()
        }),
    };
    let imported = import(&source, renderer.usvg_options(), &opts)
        .with_context(|| format!("{} cannot be imported", design.display()))?;
    let substituted = check_it_loads(&name, &imported.svg, config, design)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(&target, &imported.svg)
        .with_context(|| format!("writing {}", target.display()))?;
    for w in &imported.warnings {
        eprintln!("warning: {w}");
    }
    for s in &substituted {
        let fetch = match ogmill_core::fonts::open_twin(&s.asked) {
            Some(twin) => format!(
                "fetch {twin}, an open font of the same widths, with `ogmill fonts add \"{twin}\"`"
            ),
            None => format!(
                "if it is an open font, fetch it with `ogmill fonts add \"{}\"`",
                s.asked
            ),
        };
        eprintln!(
            "warning: font {s}: no loaded font has {}. To draw it as designed, {fetch} and pass --fonts fonts; else add its files with --fonts DIR (the same for serve). --strict-fonts refuses instead",
            s.asked
        );
    }
    out!("| param | kind | box (x y w h, px) | lines | sample |")?;
    out!("|---|---|---|---|---|")?;
    for s in &imported.slots {
        let rect = match s.kind {
            "color" => "-".to_owned(),
            _ => s.rect.map(|v| v.round().to_string()).join(" "),
        };
        let lines = if s.kind == "text" {
            s.lines.to_string()
        } else {
            "-".into()
        };
        let sample: String = s.sample.chars().take(48).collect();
        out!("| {} | {} | {rect} | {lines} | {sample} |", s.param, s.kind)?;
    }
    out!("wrote {}", target.display())?;
    let query: Vec<String> = imported
        .slots
        .iter()
        .filter(|s| s.kind == "text")
        .take(1)
        .map(|s| format!("?{}=Hello", s.param))
        .collect();
    let fonts: String = config
        .fonts
        .iter()
        .flatten()
        .map(|d| format!(" --fonts {}", d.display()))
        .collect();
    out!(
        "try it: ogmill serve --templates {}{fonts} and open http://127.0.0.1:3000/api/og/{name}{}",
        dir.display(),
        query.join("")
    )?;
    Ok(())
}

/// The design's file name as a template name: `OG Card (final).svg` → `og-card-final`.
fn template_name(stem: &str) -> String {
    let s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let name = s.split_whitespace().collect::<Vec<_>>().join("-");
    // A template name is at most 64 characters (all ASCII here).
    name[..name.len().min(64)].trim_end_matches('-').to_owned()
}

/// `--out`, else `--templates`, else `./svg-templates` (made if missing), as docs/cli.md says.
fn out_dir(config: &Config, out: Option<&Path>) -> PathBuf {
    out.map(Path::to_owned)
        .or_else(|| config.templates.clone())
        .unwrap_or_else(|| PathBuf::from("svg-templates"))
}

/// Whether two paths name one file (the target may not exist yet).
fn same_file(target: &Path, design: &Path) -> bool {
    match (std::fs::canonicalize(design), target.parent()) {
        (Ok(design), Some(parent)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            std::fs::canonicalize(parent)
                .map(|p| Some(p.join(target.file_name().unwrap_or_default())) == Some(design))
                .unwrap_or(false)
        }
        _ => false,
    }
}

/// Loads and draws the new template alone, with the same fonts, before it is written; gives
/// the fonts it had to substitute.
fn check_it_loads(
    name: &str,
    svg: &str,
    config: &Config,
    design: &Path,
) -> anyhow::Result<Vec<ogmill_core::template::FontSubstitution>> {
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let tmp = dir.path();
    std::fs::write(tmp.join(format!("{name}.svg")), svg)?;
    let loaded = Renderer::new(Options {
        templates_dir: Some(tmp.to_owned()),
        ..config.engine_options()
    });
    let renderer = loaded.map_err(|e| {
        // The message names the temporary copy; the user knows the design.
        let text = e.to_string().replace(&format!("{}/", tmp.display()), "");
        anyhow::anyhow!(
            "{}: the template made from it does not load: {text}",
            design.display()
        )
    })?;
    Ok(renderer
        .template(name)
        .map(|t| t.substituted_fonts())
        .unwrap_or_default())
}
