//! `ogmill fonts add`: an open-licence family from Fontsource's npm packages
//! (`@fontsource/<family>`), so a design's own font is one command away.
//!
//! Fontsource packs each family as web fonts split by script (`files/inter-latin-400-normal.woff2`,
//! `…-cyrillic-…`), which ogmill loads as they are (the core decodes WOFF2 and draws a
//! character missing from one part with another part of the same family). The package is
//! read straight from the npm registry's JSON API: no Node or npm needed. Its tarball is
//! checked against the registry's SHA-512 before anything is unpacked, and only font files
//! and the licence are taken from it, by plain names: nothing in the tarball chooses a path.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use base64::Engine as _;
use sha2::Digest as _;

/// The registry's metadata for one version is a few KiB; this bounds a wrong answer.
const MAX_METADATA: usize = 4 << 20;
/// The largest tarball taken: CJK families are split into a hundred parts per weight and
/// come to ~90 MB.
const MAX_TARBALL: usize = 160 << 20;
/// What the tarball may unpack to, all entries counted (a gzip bomb stops here).
const MAX_UNPACKED: u64 = 1 << 30;

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Request {
    /// The family as a person writes it: `Work Sans`, `work-sans`, `IBM Plex Mono`.
    pub family: String,
    /// Only these scripts' parts (`latin`, `latin-ext`, `cyrillic`…); empty: all.
    pub subsets: Vec<String>,
    /// Only these weights (400, 700…); empty: all.
    pub weights: Vec<u16>,
    /// The npm registry (`https://registry.npmjs.org` unless set).
    pub registry: String,
}

/// One font file of the package, by the parts of its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontFile {
    pub name: String,
    pub subset: String,
    pub weight: u16,
    pub italic: bool,
}

/// What was unpacked.
#[derive(Debug)]
pub struct Added {
    pub package: String,
    pub version: String,
    pub dir: PathBuf,
    pub files: Vec<FontFile>,
    pub license: Option<String>,
}

/// Fontsource's package name for a family: lower case, runs of spaces, dashes and
/// underscores made one dash (`Work Sans` -> `work-sans`).
pub fn slug(family: &str) -> String {
    family
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// Reads `files/<slug>-<subset>-<weight>-<style>.woff2`; `None` for anything else (the
/// package's CSS, its `.woff` copies, a name with a path in it).
pub fn font_file(slug: &str, entry: &str) -> Option<FontFile> {
    let name = entry.strip_prefix("package/files/")?;
    let stem = name.strip_suffix(".woff2")?;
    if !stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let rest = stem.strip_prefix(slug)?.strip_prefix('-')?;
    let (rest, style) = rest.rsplit_once('-')?;
    let (subset, weight) = rest.rsplit_once('-')?;
    let italic = match style {
        "normal" => false,
        "italic" => true,
        _ => return None,
    };
    Some(FontFile {
        name: name.to_owned(),
        subset: subset.to_owned(),
        weight: weight.parse().ok()?,
        italic,
    })
}

/// Fetches the family's latest package and unpacks its fonts into `dir/<slug>`, replacing
/// what an earlier `add` put there.
pub fn add(req: &Request, dir: &Path) -> anyhow::Result<Added> {
    let slug = slug(&req.family);
    if slug.is_empty() || !slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!(
            "'{}' is not a font family name Fontsource could have",
            req.family
        );
    }
    let package = format!("@fontsource/{slug}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (version, tarball) = runtime.block_on(fetch(req, &package))?;
    let target = dir.join(&slug);
    let (files, license) = unpack(&tarball, &slug, req, dir, &target)
        .with_context(|| format!("unpacking {package} {version}"))?;
    Ok(Added {
        package,
        version,
        dir: target,
        files,
        license,
    })
}

/// The latest version's number and its tarball, checked against the registry's SHA-512.
async fn fetch(req: &Request, package: &str) -> anyhow::Result<(String, Vec<u8>)> {
    // reqwest is built without a crypto provider; ring is the one the server uses too.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(300))
        .user_agent(concat!("ogmill/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let registry = req.registry.trim_end_matches('/');
    let url = format!("{registry}/{}/latest", package.replace('/', "%2F"));
    let res = client
        .get(&url)
        .send()
        .await
        .with_context(|| format!("asking the npm registry at {registry} for {package}"))?;
    if res.status() == reqwest::StatusCode::NOT_FOUND {
        bail!(
            "Fontsource has no package {package}: check the family's name at https://fontsource.org (open-licence families only; a commercial font must be added as files with --fonts DIR)"
        );
    }
    if !res.status().is_success() {
        bail!("the npm registry answered {} for {url}", res.status());
    }
    let meta: serde_json::Value = serde_json::from_slice(&read_capped(res, MAX_METADATA).await?)
        .with_context(|| format!("reading the registry's answer for {package}"))?;
    let text = |ptr: &str| {
        meta.pointer(ptr)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let version = text("/version").context("the registry's answer has no version")?;
    let tarball_url = text("/dist/tarball").context("the registry's answer has no tarball")?;
    let integrity = text("/dist/integrity").context("the registry's answer has no integrity")?;
    let res = client
        .get(&tarball_url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| format!("downloading {tarball_url}"))?;
    let tarball = read_capped(res, MAX_TARBALL).await?;
    check_integrity(&tarball, &integrity)
        .with_context(|| format!("{tarball_url} is not the file the registry lists"))?;
    Ok((version, tarball))
}

async fn read_capped(mut res: reqwest::Response, max: usize) -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await? {
        if body.len() + chunk.len() > max {
            bail!("{} is larger than {} MiB", res.url(), max >> 20);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// npm's Subresource Integrity string, `sha512-<base64>`.
fn check_integrity(data: &[u8], integrity: &str) -> anyhow::Result<()> {
    let want = integrity
        .split_whitespace()
        .find_map(|h| h.strip_prefix("sha512-"))
        .context("the registry gives no SHA-512 for it")?;
    let got = base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(data));
    if got != want {
        bail!("its SHA-512 is {got}, the registry says {want}");
    }
    Ok(())
}

/// Unpacks the chosen font files and the licence into a fresh directory beside `target`,
/// then puts it in `target`'s place.
fn unpack(
    tarball: &[u8],
    slug: &str,
    req: &Request,
    dir: &Path,
    target: &Path,
) -> anyhow::Result<(Vec<FontFile>, Option<String>)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let work = tempfile::Builder::new()
        .prefix(&format!(".{slug}-"))
        .tempdir_in(dir)
        .with_context(|| format!("writing in {}", dir.display()))?;
    let gz = flate2::read::GzDecoder::new(tarball).take(MAX_UNPACKED);
    let mut archive = tar::Archive::new(gz);
    let mut files = Vec::new();
    let mut license = None;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let name = if path == "package/LICENSE" {
            license = Some("LICENSE".to_owned());
            "LICENSE".to_owned()
        } else if let Some(file) = font_file(slug, &path).filter(|f| wanted(f, req)) {
            let name = file.name.clone();
            files.push(file);
            name
        } else {
            continue;
        };
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        std::fs::write(work.path().join(&name), bytes)?;
    }
    if files.is_empty() {
        bail!("{}", nothing_matched(req));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    if target.exists() {
        std::fs::remove_dir_all(target)
            .with_context(|| format!("replacing {}", target.display()))?;
    }
    std::fs::rename(work.keep(), target)
        .with_context(|| format!("moving the fonts into {}", target.display()))?;
    Ok((files, license))
}

fn wanted(file: &FontFile, req: &Request) -> bool {
    (req.subsets.is_empty() || req.subsets.contains(&file.subset))
        && (req.weights.is_empty() || req.weights.contains(&file.weight))
}

fn nothing_matched(req: &Request) -> String {
    let mut asked = Vec::new();
    if !req.subsets.is_empty() {
        asked.push(format!("subsets {}", req.subsets.join(",")));
    }
    if !req.weights.is_empty() {
        let w: Vec<String> = req.weights.iter().map(u16::to_string).collect();
        asked.push(format!("weights {}", w.join(",")));
    }
    if asked.is_empty() {
        format!("the package of '{}' holds no WOFF2 fonts", req.family)
    } else {
        format!(
            "the package of '{}' has no fonts for {}: leave --subsets/--weights out to see what it has",
            req.family,
            asked.join(" and ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_fontsource_names() {
        assert_eq!(slug("Work Sans"), "work-sans");
        assert_eq!(slug("  IBM   Plex_Mono "), "ibm-plex-mono");
        assert_eq!(slug("inter"), "inter");
    }

    #[test]
    fn font_files_are_read_from_their_names_and_nothing_else() {
        let f = font_file(
            "work-sans",
            "package/files/work-sans-latin-ext-700-italic.woff2",
        );
        assert_eq!(
            f,
            Some(FontFile {
                name: "work-sans-latin-ext-700-italic.woff2".into(),
                subset: "latin-ext".into(),
                weight: 700,
                italic: true,
            })
        );
        let cjk = font_file(
            "noto-sans-jp",
            "package/files/noto-sans-jp-119-400-normal.woff2",
        );
        assert_eq!(cjk.map(|f| f.subset), Some("119".into()));
        for other in [
            "package/files/work-sans-latin-400-normal.woff",
            "package/files/../../etc/work-sans-latin-400-normal.woff2",
            "package/files/sub/work-sans-latin-400-normal.woff2",
            "package/index.css",
            "package/files/inter-latin-400-normal.woff2",
            "package/files/work-sans-latin-400-oblique.woff2",
        ] {
            assert_eq!(font_file("work-sans", other), None, "{other}");
        }
    }

    #[test]
    fn a_tarball_that_is_not_the_listed_one_is_refused() {
        let data = b"fonts";
        let good = format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(data))
        );
        assert!(check_integrity(data, &good).is_ok());
        assert!(check_integrity(b"other", &good).is_err());
        assert!(check_integrity(data, "sha1-abc").is_err());
    }
}
