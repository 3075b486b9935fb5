//! resvg's own test suite through ogmill: every SVG of `tests/resvg-suite` (resvg's
//! crates/resvg/tests, vendored with its fonts and licences; see its README) drawn by ogmill
//! as a template and by plain resvg with its harness's settings, compared pixel by pixel
//! (tolerance 1 per channel, as resvg's harness): single pass at 1x and 2x, and layered, with
//! an empty text slot inserted before the 2nd top-level element, before the last, and before
//! the first element an earlier one refers to, so the cached background/foreground split is
//! exercised on files nobody here wrote. Templates read linked image files from their own
//! directory, as a template in the templates directory does.
//!
//! `tests/resvg-suite/allow.txt` names every file that may differ and why; the test fails on
//! a difference it does not name, and on a name that no longer differs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ogmill_core::{Inputs, Options, RenderRequest, Renderer};

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/resvg-suite")
}

/// resvg's harness fonts and generic families (crates/resvg/tests/integration/main.rs).
fn fontdb() -> Arc<usvg::fontdb::Database> {
    let mut db = usvg::fontdb::Database::new();
    db.load_fonts_dir(suite().join("fonts"));
    db.set_serif_family("Noto Serif");
    db.set_sans_serif_family("Noto Sans");
    db.set_cursive_family("Yellowtail");
    db.set_fantasy_family("Sedgwick Ave Display");
    db.set_monospace_family("Noto Mono");
    Arc::new(db)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "svg") {
            out.push(p);
        }
    }
}

/// Plain resvg at `scale`, as straight-alpha RGBA (through tiny-skia's PNG encoder).
fn reference(
    svg: &[u8],
    path: &Path,
    db: &Arc<usvg::fontdb::Database>,
    scale: f32,
) -> Option<image::RgbaImage> {
    let opt = usvg::Options {
        fontdb: db.clone(),
        resources_dir: path.parent().map(Path::to_path_buf),
        // ogmill's default family, so text with none is compared like for like.
        font_family: ogmill_core::fonts::DEFAULT_FAMILY.to_owned(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_data(svg, &opt).ok()?;
    let size = tree.size().to_int_size().scale_by(scale)?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Some(crate::support::decode_png(&pixmap.encode_png().ok()?))
}

/// `source` loaded as ogmill's template `t` from the file's directory (which its linked
/// image files must lie in), or why it is refused.
fn load(source: &str, dir: &Path, db: &Arc<usvg::fontdb::Database>) -> Result<Renderer, String> {
    Renderer::new(Options {
        templates: vec![("t".into(), source.into())],
        resources_dir: Some(dir.to_owned()),
        fontdb: Some(db.clone()),
        // Exact pixels: no palette rounding.
        palette_tolerance: 0,
        ..Options::default()
    })
    .map_err(|e| first_line(&e.to_string()))
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_owned()
}

/// The template's card at `scale`.
fn ogmill(renderer: &Renderer, scale: u8) -> Result<image::RgbaImage, String> {
    let scale = scale.to_string();
    let req = RenderRequest::new("t", &[("scale", scale.as_str())]);
    let resolved = renderer
        .resolve(&req)
        .map_err(|e| first_line(&e.to_string()))?;
    let card = renderer
        .render(&resolved, Inputs::default())
        .map_err(|e| first_line(&e.to_string()))?;
    Ok(crate::support::decode_png(&card.bytes))
}

/// Whether two images are the same to within one level per channel (pixels transparent in
/// both are equal whatever their color).
fn same(a: &image::RgbaImage, b: &image::RgbaImage) -> bool {
    a.dimensions() == b.dimensions()
        && a.pixels().zip(b.pixels()).all(|(p, q)| {
            (p[3] == 0 && q[3] == 0) || p.0.iter().zip(q.0).all(|(x, y)| x.abs_diff(y) <= 1)
        })
}

/// Where the harness inserts a slot among the root's element children.
#[derive(Clone, Copy)]
enum At {
    Nth(usize),
    Last,
    /// Before the first element something earlier refers to (a `<use>` of a later shape,
    /// an `feImage` of one): the reference then crosses the split forward.
    ForwardTarget,
}

/// The first child that an earlier child (or its descendants) refers to by id.
fn forward_target<'a, 'i>(children: &[roxmltree::Node<'a, 'i>]) -> Option<roxmltree::Node<'a, 'i>> {
    let mut refs: Vec<&str> = vec![];
    for child in children {
        let ids = child.descendants().filter_map(|n| n.attribute("id"));
        if ids.into_iter().any(|id| refs.contains(&id)) {
            return Some(*child);
        }
        for n in child.descendants().filter(|n| n.is_element()) {
            for a in n.attributes() {
                let v = a.value().trim();
                if a.name() == "href" {
                    refs.extend(v.strip_prefix('#'));
                }
                for rest in v.split("url(#").skip(1) {
                    refs.push(rest.split([')', '"', '\'']).next().unwrap_or(""));
                }
            }
        }
    }
    None
}

/// The source with an empty text slot before the root's child `at`, and the `og`
/// namespace declared: the layered path, drawing nothing more.
fn with_slot(source: &str, at: At) -> Option<String> {
    let doc = roxmltree::Document::parse(source).ok()?;
    let root = doc.root_element();
    let children: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let at = match at {
        At::Nth(i) => *children.get(i)?,
        At::Last => *children.last()?,
        At::ForwardTarget => forward_target(&children)?,
    };
    let slot = concat!(
        r#"<metadata><og:param name="zz" kind="text" default=""/></metadata>"#,
        r#"<text og:text="{{zz}}" og:box="0 0 10 10" x="0" y="10" font-size="10"></text>"#
    );
    let insert = at.range().start;
    let tag = root.range().start + "<svg".len();
    // A prefixed root (`<svg:svg>`) is left out: the slot would need the prefix too.
    let plain = source[root.range().start..].starts_with("<svg")
        && source[tag..].starts_with(|c: char| c.is_ascii_whitespace());
    if !plain || insert <= tag {
        return None;
    }
    Some(format!(
        "{} xmlns:og=\"https://ogmill.dev/template\"{}{slot}{}",
        &source[..tag],
        &source[tag..insert],
        &source[insert..]
    ))
}

/// What differs for one file: the modes whose pixels differ from resvg's, or the refusal.
fn check(path: &Path, db: &Arc<usvg::fontdb::Database>) -> Option<String> {
    let bytes = std::fs::read(path).unwrap();
    let source = String::from_utf8_lossy(&bytes).into_owned();
    // resvg itself draws nothing of an invalid file: nothing to compare.
    let want = reference(&bytes, path, db, 1.0)?;
    let dir = path.parent().unwrap();
    let renderer = match load(&source, dir, db) {
        Ok(r) => r,
        Err(e) => return Some(format!("refused: {e}")),
    };
    let mut differs = vec![];
    let mut compare =
        |label: &str, got: Result<image::RgbaImage, String>, want: &image::RgbaImage| match got {
            Ok(got) if same(&got, want) => {}
            Ok(_) => differs.push(label.to_owned()),
            Err(e) => differs.push(format!("{label} refused: {e}")),
        };
    compare("1x", ogmill(&renderer, 1), &want);
    if let Some(want2) = reference(&bytes, path, db, 2.0) {
        compare("2x", ogmill(&renderer, 2), &want2);
    }
    // Before the 2nd top-level element, before the last, and before a forward reference's
    // target: each once (most files: a <title> and one shape, so the first two are one).
    let mut tried: Vec<String> = vec![];
    for (label, at) in [
        ("layered before 2nd", At::Nth(1)),
        ("layered before last", At::Last),
        ("layered before a forward target", At::ForwardTarget),
    ] {
        let Some(layered) = with_slot(&source, at).filter(|l| !tried.contains(l)) else {
            continue;
        };
        let got = load(&layered, dir, db).and_then(|r| ogmill(&r, 1));
        compare(label, got, &want);
        tried.push(layered);
    }
    (!differs.is_empty()).then(|| differs.join(", "))
}

/// `allow.txt`: `path: reason` lines (paths relative to the suite's `tests/`).
fn allowed() -> BTreeMap<String, String> {
    std::fs::read_to_string(suite().join("allow.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(": "))
        .map(|(p, r)| (p.trim().to_owned(), r.trim().to_owned()))
        .collect()
}

#[test]
fn resvgs_own_suite_draws_the_same_through_ogmill_single_pass_layered_and_at_2x() {
    let db = fontdb();
    let mut all = vec![];
    files(&suite().join("tests"), &mut all);
    assert!(
        all.len() > 1_600,
        "the suite is missing: {} files",
        all.len()
    );
    let base = suite().join("tests");
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    for path in &all {
        let name = path
            .strip_prefix(&base)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        // A panic in one file names it, rather than ending the run without a word.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(path, &db)));
        match outcome {
            Ok(None) => {}
            Ok(Some(what)) => {
                found.insert(name, what);
            }
            Err(_) => {
                found.insert(name, "panicked".into());
            }
        }
    }
    let allow = allowed();
    let new: Vec<String> = found
        .iter()
        .filter(|(name, _)| !allow.contains_key(*name))
        .map(|(n, w)| format!("{n}: {w}"))
        .collect();
    let stale: BTreeSet<&String> = allow.keys().filter(|n| !found.contains_key(*n)).collect();
    let identical = all.len() - found.len();
    eprintln!(
        "resvg suite: {identical} of {} files draw identically through ogmill (single pass 1x and 2x, layered); {} differ or are refused, all in allow.txt",
        all.len(),
        found.len()
    );
    assert!(
        new.is_empty(),
        "{} file(s) differ from plain resvg and are not in tests/resvg-suite/allow.txt:\n{}",
        new.len(),
        new.join("\n")
    );
    assert!(
        stale.is_empty(),
        "now identical, so take them out of allow.txt: {stale:?}"
    );
}
