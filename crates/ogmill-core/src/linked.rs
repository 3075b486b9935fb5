//! Image files a template links (`<image href="photo.png">`) instead of embedding.
//!
//! Design tools link pictures as often as they embed them. A template is a trusted local
//! file, so a link to a file in its own directory (or below) is read once, at load, and
//! embedded as a data URI: the compiled template needs no file access per request, and an
//! edit of the picture is a new template hash like an edit of the SVG. Anything else (a
//! URL, an absolute path, a path out of the directory, a template given as text with no
//! directory) is refused at load with what to do instead: before, it drew nothing and
//! `ogmill check` said ok.

use std::path::{Path, PathBuf};

use base64::Engine;

use crate::images::{sniff, LOCAL_MAX_BYTES, LOCAL_MAX_PIXELS};

/// Where a template's linked files may come from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Links<'a> {
    /// The directory relative links resolve from: the template file's own.
    pub(crate) base: &'a Path,
    /// The directory they must stay inside: the templates directory.
    pub(crate) root: &'a Path,
    /// What `root` is, for messages: "the templates directory", "the design's directory".
    pub(crate) named: &'static str,
}

/// A linked file, read and embedded.
#[derive(Debug)]
pub(crate) struct Embedded {
    /// `data:<type>;base64,…`
    pub(crate) uri: String,
    /// The file's bytes, for the template's content hash.
    pub(crate) bytes: Vec<u8>,
}

/// Whether an `href` needs reading: not a fragment (`#id`) and not already data.
pub(crate) fn is_link(href: &str) -> bool {
    let href = href.trim();
    !(href.is_empty() || href.starts_with('#') || has_scheme(href, "data"))
}

/// Reads the file `href` links and embeds it, or says why it cannot be.
pub(crate) fn embed(href: &str, links: Option<Links>) -> Result<Embedded, String> {
    let href = href.trim();
    let shown: String = href.chars().take(120).collect();
    let embed_it = "embed the image in the SVG (a data URI; design tools call it \"embed\"), or make it an image param (og:image)";
    if let Some((scheme, _)) = href.split_once(':').filter(|(s, _)| is_scheme(s)) {
        return Err(format!(
            "links '{shown}': templates never load a {scheme}: URL; {embed_it}"
        ));
    }
    let Some(links) = links else {
        return Err(format!(
            "links the file '{shown}', and a template given as text has no directory to read it from; {embed_it}"
        ));
    };
    let decoded = percent_encoding::percent_decode_str(href.split(['?', '#']).next().unwrap_or(""))
        .decode_utf8()
        .map_err(|_| format!("links '{shown}', which is not a UTF-8 file name"))?;
    let relative = Path::new(decoded.as_ref());
    if relative.has_root() || decoded.starts_with('\\') {
        return Err(format!(
            "links the absolute path '{shown}': a template may link only files beside it (a relative path in the templates directory); {embed_it}"
        ));
    }
    let path = inside(&links.base.join(relative), links.root).ok_or_else(|| {
        format!(
            "links '{shown}', which is not a file in {} {}: put it there, or {embed_it}",
            links.named,
            links.root.display()
        )
    })?;
    let bytes = read_capped(&path).map_err(|why| format!("links '{shown}': {why}"))?;
    let mime = mime(&bytes).map_err(|why| format!("links '{shown}': {why}"))?;
    let uri = format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    );
    Ok(Embedded { uri, bytes })
}

/// `path` with links resolved, if it is a file inside `root` (symbolic links included:
/// one pointing out of the directory is out).
fn inside(path: &Path, root: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let path = path.canonicalize().ok()?;
    (path.starts_with(&root) && path.is_file()).then_some(path)
}

fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot be read ({e})"))?;
    let mut bytes = vec![];
    file.take(LOCAL_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.len() as u64 > LOCAL_MAX_BYTES {
        return Err(format!(
            "the file is over {} MiB, the most a template may link",
            LOCAL_MAX_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// The media type of a linked picture, checked by content and within the pixel budget.
fn mime(bytes: &[u8]) -> Result<&'static str, String> {
    use image::ImageFormat as F;
    if crate::images::is_svg(bytes) {
        return Ok("image/svg+xml");
    }
    let format = sniff(bytes).map_err(|p| p.to_string())?;
    let (w, h) = image::ImageReader::with_format(std::io::Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| format!("cannot be read as an image ({e})"))?;
    if u64::from(w) * u64::from(h) > LOCAL_MAX_PIXELS {
        return Err(format!(
            "the picture is {w}x{h}, over the {} megapixels a template may link",
            LOCAL_MAX_PIXELS / 1_000_000
        ));
    }
    Ok(match format {
        F::Png => "image/png",
        F::Jpeg => "image/jpeg",
        F::Gif => "image/gif",
        _ => "image/webp",
    })
}

/// A URL scheme as RFC 3986 spells it; one letter is a Windows drive, not a scheme.
fn is_scheme(s: &str) -> bool {
    s.len() > 1
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn has_scheme(href: &str, scheme: &str) -> bool {
    href.split_once(':')
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        dir
    }

    fn png() -> Vec<u8> {
        let mut out = std::io::Cursor::new(vec![]);
        image::RgbaImage::new(3, 2)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn fragments_and_data_are_not_links() {
        assert!(!is_link("#a"));
        assert!(!is_link(" DATA:image/png;base64,AA"));
        assert!(is_link("photo.png"));
        assert!(is_link("https://x.example/a.png"));
    }

    #[test]
    fn a_file_beside_or_below_is_embedded_by_its_content_type() {
        let dir = dir_with(&[
            ("a b.png", &png()),
            ("img/logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ]);
        let links = Some(Links {
            base: dir.path(),
            root: dir.path(),
            named: "the templates directory",
        });
        let e = embed("a%20b.png", links).unwrap();
        assert!(e.uri.starts_with("data:image/png;base64,"));
        assert_eq!(e.bytes, png());
        assert!(embed("./img/logo.svg", links)
            .unwrap()
            .uri
            .starts_with("data:image/svg+xml;base64,"));
    }

    #[test]
    fn everything_else_is_refused_with_what_to_do() {
        let outer = dir_with(&[("secret.png", &png()), ("t/inner.txt", b"not a picture")]);
        let root = outer.path().join("t");
        let links = Some(Links {
            base: &root,
            root: &root,
            named: "the templates directory",
        });
        for (href, says) in [
            ("../secret.png", "not a file in the templates directory"),
            ("/etc/passwd", "absolute path"),
            ("file:///etc/passwd", "file: URL"),
            ("https://x.example/a.png", "https: URL"),
            ("missing.png", "not a file in the templates directory"),
            ("inner.txt", "not PNG, JPEG, WebP or GIF"),
        ] {
            let err = embed(href, links)
                .err()
                .unwrap_or_else(|| panic!("{href} was embedded"));
            assert!(err.contains(says), "{href}: {err}");
        }
        assert!(embed("a.png", None).unwrap_err().contains("given as text"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_out_of_the_directory_is_refused() {
        let outer = dir_with(&[("secret.png", &png())]);
        let root = outer.path().join("t");
        std::fs::create_dir(&root).unwrap();
        std::os::unix::fs::symlink(outer.path().join("secret.png"), root.join("p.png")).unwrap();
        let links = Some(Links {
            base: &root,
            root: &root,
            named: "the templates directory",
        });
        assert!(embed("p.png", links)
            .unwrap_err()
            .contains("not a file in the templates directory"));
    }
}
