//! Drawing one shape at a time (so a render can be stopped) draws the same pixels as
//! `resvg::render`, bit for bit, on SVG nobody here wrote: every file of resvg's suite, the
//! real design exports and the bundled templates, at a scale of 1 and at one that rounds.
//! And a raised stop ends a render between shapes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ogmill_core::{Error, Stop};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn svgs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            svgs(&p, out);
        } else if p.extension().is_some_and(|e| e == "svg") {
            out.push(p);
        }
    }
}

fn fontdb() -> Arc<usvg::fontdb::Database> {
    let mut db = usvg::fontdb::Database::new();
    db.load_fonts_dir(repo().join("tests/resvg-suite/fonts"));
    db.load_fonts_dir(repo().join("fonts"));
    db.set_sans_serif_family("Noto Sans");
    Arc::new(db)
}

/// `path` drawn on a canvas of its size times `scale`, by resvg and by ogmill; `None` when
/// usvg does not parse it.
fn both(path: &Path, db: &Arc<usvg::fontdb::Database>, scale: f32) -> Option<(Vec<u8>, Vec<u8>)> {
    let svg = std::fs::read_to_string(path).ok()?;
    let opts = usvg::Options {
        fontdb: db.clone(),
        resources_dir: path.parent().map(Path::to_path_buf),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(&svg, &opts).ok()?;
    let size = tree.size().to_int_size().scale_by(scale)?;
    let (w, h) = (size.width(), size.height());
    let mut plain = tiny_skia::Pixmap::new(w, h)?;
    let ts = tiny_skia::Transform::from_scale(
        w as f32 / tree.size().width(),
        h as f32 / tree.size().height(),
    );
    resvg::render(&tree, ts, &mut plain.as_mut());
    let mut ours = tiny_skia::Pixmap::new(w, h)?;
    ogmill_core::raster::draw(&svg, &opts, &mut ours, &Stop::new()).unwrap();
    Some((plain.take(), ours.take()))
}

#[test]
fn shape_by_shape_draws_what_resvg_draws_bit_for_bit() {
    let mut files = Vec::new();
    svgs(&repo().join("tests/resvg-suite/tests"), &mut files);
    svgs(&repo().join("tests/designs"), &mut files);
    svgs(&repo().join("svg-templates"), &mut files);
    assert!(
        files.len() > 1700,
        "the suite is missing: {} files",
        files.len()
    );
    let db = fontdb();
    let mut compared = 0;
    let mut differ = Vec::new();
    for path in &files {
        for scale in [1.0, 1.37] {
            let Some((plain, ours)) = both(path, &db, scale) else {
                continue;
            };
            compared += 1;
            if plain != ours {
                differ.push(format!("{} at {scale}x", path.display()));
            }
        }
    }
    assert!(compared > 3000, "only {compared} drawings compared");
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

/// A card of 4,000 dashed circles: seconds of drawing.
fn heavy() -> String {
    let mut svg =
        String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300">"#);
    for i in 0..4000 {
        svg += &format!(
            r#"<circle cx="{}" cy="{}" r="140" fill="none" stroke="red" stroke-dasharray="0.2 0.2"/>"#,
            150 + i % 300,
            150
        );
    }
    svg + "</svg>"
}

#[test]
fn a_raised_stop_ends_the_drawing_between_shapes() {
    let opts = usvg::Options::default();
    let mut pixmap = tiny_skia::Pixmap::new(600, 300).unwrap();
    let stop = Stop::new();
    stop.stop();
    let r = ogmill_core::raster::draw(&heavy(), &opts, &mut pixmap, &stop);
    assert!(matches!(r, Err(Error::Stopped)), "{r:?}");
    assert!(pixmap.data().iter().all(|&b| b == 0), "nothing was drawn");
}

#[test]
fn a_stop_raised_from_another_thread_ends_a_long_drawing() {
    let opts = usvg::Options::default();
    let svg = heavy();
    let stop = Stop::new();
    let raiser = stop.clone();
    // Raised once the drawing has begun: the first shapes are on the canvas by then.
    let watcher = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        raiser.stop();
    });
    let mut pixmap = tiny_skia::Pixmap::new(600, 300).unwrap();
    let r = ogmill_core::raster::draw(&svg, &opts, &mut pixmap, &stop);
    watcher.join().unwrap();
    assert!(matches!(r, Err(Error::Stopped)), "{r:?}");
}
