//! `ogmill import`: plain exports (`tests/designs/exports`, the design-tool templates with
//! their `og:` markup taken out) become templates that load, fit long values inside the
//! boxes the import reports, and keep the names a user gave on re-import.

use std::path::{Path, PathBuf};
use std::process::Command;

use ogmill_core::raster::rasterize;
use ogmill_core::tools::import::{import, ImportError, ImportOptions, Imported};
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
    // Too wide to draw: brought to a card's width, its coordinates kept, and said.
    let wide = import_plain(wide).unwrap();
    assert!(wide.warnings[0].contains("4096"), "{:?}", wide.warnings);
    assert!(
        wide.svg.contains(r#"viewBox="0 0 5000 100""#)
            && wide.svg.contains(r#"width="1200" height="24""#)
    );
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

/// Run in the design's own folder with no --name or --out, import writes
/// `svg-templates/<stem>.svg` (made if missing) and never the design, even with --force;
/// a brand font the machine lacks is drawn with a loaded one and said, and --strict-fonts
/// refuses it; the template names the substitution in `templates --json` and the server's
/// `X-Ogmill-Font-Substituted`.
#[test]
fn import_never_writes_over_its_input_and_a_missing_font_is_substituted_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/real");
    let design = dir.path().join("card.svg");
    std::fs::copy(real.join("inkscape048-speech-bubble-title.svg"), &design).unwrap();
    let before = std::fs::read(&design).unwrap();
    let ogmill = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ogmill"));
        c.current_dir(dir.path()).env_remove("OGMILL_TEMPLATES");
        c
    };
    let out = ogmill().args(["import", "card.svg"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(dir.path().join("svg-templates/card.svg").is_file());
    assert!(
        stderr.contains("font Arial Black drawn as Inter"),
        "{stderr}"
    );
    // The design itself as the target: refused, --force or not, and left as it was.
    for force in [false, true] {
        let mut c = ogmill();
        c.args(["import", "card.svg", "--out", "."]);
        if force {
            c.arg("--force");
        }
        let out = c.output().unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("never writes over its input"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(std::fs::read(&design).unwrap(), before);

    let strict = ogmill()
        .args(["import", "card.svg", "--name", "strict", "--strict-fonts"])
        .output()
        .unwrap();
    assert!(!strict.status.success());
    assert!(
        String::from_utf8_lossy(&strict.stderr)
            .contains("no loaded font has the family Arial Black"),
        "{}",
        String::from_utf8_lossy(&strict.stderr)
    );
    let listed = ogmill()
        .args(["templates", "--json", "--templates", "svg-templates"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        json[0]["substituted_fonts"][0],
        serde_json::json!({"asked": "Arial Black", "used": "Inter"})
    );
    let r = Renderer::new(Options {
        templates_dir: Some(dir.path().join("svg-templates")),
        ..Options::default()
    })
    .unwrap();
    let s = ogmill_server::AppState::new(std::sync::Arc::new(r), Default::default()).unwrap();
    let reply = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(crate::http::get(&s, "/api/og/card"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-ogmill-fallback"), "", "{:?}", reply.headers);
    assert_eq!(
        reply.header("x-ogmill-font-substituted"),
        "Arial Black drawn as Inter"
    );
}

/// Real exports (`tests/designs/real`, taken byte-for-byte from public repositories; see
/// its SOURCES.md), never shaped for this code: none panics; at least 9 in 10 of those with
/// live text import with no flags (the rest must be the outlined ones, refused as such);
/// each import loads, renders its defaults, and keeps a long corpus title in its first text
/// param inside the box the import reports, with no missing glyph.
#[test]
fn real_exports_import_with_no_flags_and_fit_a_long_title_in_their_box() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/real");
    let long = titles()
        .into_iter()
        .find(|t| t.id == "en-long")
        .expect("en-long in the corpus")
        .text;
    let (mut live, mut imported_ok, mut outlined) = (0, 0, 0);
    let mut failures = vec![];
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "{} real exports", files.len());
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).unwrap();
        let result = std::panic::catch_unwind(|| import_plain(&source))
            .unwrap_or_else(|_| panic!("{file}: import panicked"));
        let imported = match result {
            Err(ImportError::Outlined) => {
                outlined += 1;
                continue;
            }
            Err(e) => {
                live += 1;
                failures.push(format!("{file}: {e}"));
                continue;
            }
            Ok(i) => i,
        };
        live += 1;
        let name = "real";
        let (_dir, r) = load(name, &imported.svg);
        let t = r.template(name).unwrap();
        let (w, h) = (t.width.round() as u32, t.height.round() as u32);
        let defaults = r.resolve(&RenderRequest::new(name, &[])).unwrap();
        let (_, fits) = r.place(&defaults).unwrap();
        assert!(
            fits.iter().all(|f| f.missing.is_empty()),
            "{file}: {fits:?}"
        );
        if let Some(t) = imported.slots.iter().find(|s| s.param == "title") {
            let letters = t.sample.chars().filter(|c| c.is_alphabetic()).count();
            assert!(letters >= 2, "{file}: the title is {:?}", t.sample);
        }
        let Some(first) = imported.slots.iter().find(|s| s.kind == "text") else {
            failures.push(format!("{file}: no text slot"));
            continue;
        };
        let resolved = r
            .resolve(&RenderRequest::new(name, &[(&first.param, &long)]))
            .unwrap();
        let i = t.slots.iter().position(|s| s.name == first.param).unwrap();
        let (placed, fits) = r.place(&resolved).unwrap();
        assert!(fits[i].missing.is_empty(), "{file}: {:?}", fits[i]);
        let mut blank = placed.clone();
        blank[i].lines.clear();
        let draw = |p| {
            rasterize(&t.fill(resolved.params(), p, &[]), r.usvg_options(), w, h)
                .unwrap_or_else(|e| panic!("{file}: {e}"))
        };
        let Some((x0, y0, x1, y1)) = diff_bounds(&draw(&placed), &draw(&blank)) else {
            failures.push(format!("{file}: the title draws no ink"));
            continue;
        };
        let [x, y, bw, bh] = first.rect;
        let slack = 3.0;
        // A box past the card's edge lets the fit draw text the card cuts off.
        for s in imported.slots.iter().filter(|s| s.kind == "text") {
            let [sx, sy, sw, sh] = s.rect;
            if sx < -slack
                || sy < -slack
                || sx + sw > w as f32 + slack
                || sy + sh > h as f32 + slack
            {
                failures.push(format!(
                    "{file}: '{}' box {:?} runs off the {w}x{h} card",
                    s.param, s.rect
                ));
            }
        }
        if failures.last().is_some_and(|f| f.starts_with(&file)) {
            continue;
        }
        let inside = x0 as f32 + slack >= x
            && y0 as f32 + slack >= y
            && x1 as f32 <= x + bw + slack
            && y1 as f32 <= y + bh + slack;
        if !inside {
            failures.push(format!(
                "{file}: ink {:?} outside the box {:?}",
                (x0, y0, x1, y1),
                first.rect
            ));
            continue;
        }
        imported_ok += 1;
    }
    eprintln!("real exports: {imported_ok} of {live} with live text import and fit; {outlined} outlined; failures: {failures:#?}");
    assert!(
        imported_ok * 10 >= live * 9,
        "{imported_ok} of {live} import and fit: {failures:#?}"
    );
}

/// A bounded mutation loop over the real exports: cut, dropped and doubled ranges of each
/// file (a fixed-seed generator, so a failure repeats) never make import panic; every
/// outcome is a template or a typed error.
#[test]
fn mutated_real_exports_never_panic_the_import() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/real");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut tried = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for round in 0..12 {
            let len = source.len();
            let (a, b) = {
                let (x, y) = (next(len), next(len));
                (x.min(y), x.max(y).min(x.min(y) + 400))
            };
            let (a, b) = (floor(&source, a), floor(&source, b));
            let mutated = match round % 3 {
                0 => source[..b].to_owned(),
                1 => format!("{}{}", &source[..a], &source[b..]),
                _ => format!("{}{}{}", &source[..b], &source[a..b], &source[b..]),
            };
            let outcome = std::panic::catch_unwind(|| import_plain(&mutated).map(|_| ()));
            assert!(
                outcome.is_ok(),
                "{}: import panicked on a mutation (round {round}, bytes {a}..{b})",
                path.display()
            );
            tried += 1;
        }
    }
    assert!(tried >= 300, "{tried} mutations");
}

/// The nearest char boundary at or before `i`.
fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A design with more texts than a user would fill in: the 12 most prominent become params
/// (the headline is `title` even beside a bigger emoji and a bigger number), the rest stay as
/// drawn, and `all_texts` binds them all. Fitted text never shrinks below the readable floor.
#[test]
fn many_texts_make_twelve_params_and_the_title_is_words() {
    let mut body = String::from(
        r##"<text x="40" y="140" font-size="120">🎉</text><text x="200" y="140" font-size="110">2026</text>
        <text x="40" y="260" font-size="72" font-family="Inter">Launch week is here</text>"##,
    );
    for i in 0..20 {
        body.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="14" font-family="Inter">Small print number {i}</text>"##,
            40 + (i % 4) * 280,
            360 + (i / 4) * 50
        ));
    }
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><rect width="1200" height="630" fill="#fff"/>{body}</svg>"##
    );
    let imported = import_plain(&svg).unwrap();
    let texts: Vec<_> = imported.slots.iter().filter(|s| s.kind == "text").collect();
    assert_eq!(texts.len(), 12, "{texts:?}");
    let title = texts.iter().find(|s| s.param == "title").expect("a title");
    assert_eq!(title.sample, "Launch week is here");
    assert!(
        imported.warnings.iter().any(|w| w.contains("--all-texts")),
        "{:?}",
        imported.warnings
    );
    let all = import(
        &svg,
        renderer().usvg_options(),
        &ImportOptions {
            all_texts: true,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(all.slots.iter().filter(|s| s.kind == "text").count(), 23);
    // The readable floor: the 72 px title shrinks to 36 px at most, then ends with "…".
    let (_dir, r) = load("poster", &imported.svg);
    let long = "A headline far too long for its box ".repeat(8);
    let resolved = r
        .resolve(&RenderRequest::new("poster", &[("title", &long)]))
        .unwrap();
    let (_, fits) = r.place(&resolved).unwrap();
    let fit = fits.iter().find(|f| f.slot == "title").unwrap();
    assert!(fit.font_size >= 36.0 - 0.5, "{fit:?}");
    assert!(fit.truncated, "{fit:?}");
}

/// A designer's line breaks stay breaks: every multi-line text of the real exports
/// (Inkscape's `sodipodi:role="line"` tspans) imports with its lines as the default
/// (pre-line), and draws them as that many lines.
#[test]
fn a_designers_line_breaks_stay_breaks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/real");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let Ok(imported) = import_plain(&std::fs::read_to_string(&path).unwrap()) else {
            continue;
        };
        let (_dir, r) = load("lines", &imported.svg);
        let resolved = r.resolve(&RenderRequest::new("lines", &[])).unwrap();
        let (_, fits) = r.place(&resolved).unwrap();
        for slot in imported.slots.iter().filter(|s| s.sample.contains('\n')) {
            seen += 1;
            let fit = fits.iter().find(|f| f.slot == slot.param).unwrap();
            assert!(
                fit.lines >= slot.sample.lines().count(),
                "{}: {fit:?} {:?}",
                path.display(),
                slot.sample
            );
        }
    }
    assert!(seen >= 2, "{seen} multi-line texts in the corpus");
}

/// Found by the import fuzzer: an arc to a point 1e54 away made usvg ask for 3.7 GB of
/// curves (an abort, not an error). Such geometry is refused before usvg sees it, wherever
/// an SVG comes in: a design, an SVG image, a template.
#[test]
fn an_arc_to_a_far_point_is_refused_not_parsed() {
    let far =
        "m 10,10 a 47,24 0 0 1 -47,-2111111111111111111111111111111111111111111111111111114.99 z";
    let design = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><path d="{far}"/><text x="10" y="100" font-size="40" font-family="Inter">Hello</text></svg>"#
    );
    let err = import_plain(&design).unwrap_err().to_string();
    assert!(err.contains("gigabytes"), "{err}");
    let image =
        ogmill_core::images::prepare_svg(design.as_bytes(), ogmill_core::images::SvgTrust::Local)
            .unwrap_err()
            .to_string();
    assert!(image.contains("gigabytes"), "{image}");
    let template = design.replace(
        "<text ",
        r#"<text xmlns:og="https://ogmill.dev/template" og:text="{{title}}" og:box="10 40 1000 200" "#,
    );
    let err = crate::support::load_error("far.svg", template.as_bytes());
    assert!(
        err.contains("far.svg") && err.contains("gigabytes"),
        "{err}"
    );
}

/// Real Inkscape files that link their pictures beside them (`tests/designs/linked`, taken
/// byte-for-byte from public repositories; see its SOURCES.md): `ogmill import` embeds every
/// picture it finds there, says so, and the template draws them; one it cannot find is
/// left out with a warning naming it, and the import still succeeds.
#[test]
fn import_embeds_the_pictures_a_real_design_links_beside_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/linked");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "{cases:?}");
    let mut drawn = 0;
    for case in cases {
        let design = std::fs::read_dir(&case)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "svg"))
            .unwrap();
        let source = std::fs::read_to_string(&design).unwrap();
        let links = source.matches("sodipodi:absref=").count();
        let out_dir = tempfile::tempdir().unwrap();
        let out = ogmill_import(
            out_dir.path(),
            &[design.to_str().unwrap(), "--name", "linked"],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {stderr}", case.display());
        assert!(
            stderr.contains(&format!("embedded {links} linked picture(s)")),
            "{}: {stderr}",
            case.display()
        );
        let svg = std::fs::read_to_string(out_dir.path().join("linked.svg")).unwrap();
        assert_eq!(
            svg.matches("href=\"data:image/").count(),
            links,
            "{}",
            case.display()
        );
        // Where resvg draws the design's pictures on its canvas (one places its picture off
        // the page), the template draws them too: without them its card differs.
        let original = |dir: Option<PathBuf>| {
            let opt = usvg::Options {
                resources_dir: dir,
                fontdb: renderer().fontdb().clone(),
                ..usvg::Options::default()
            };
            rasterize(&source, &opt, 300, 300).unwrap().data().to_vec()
        };
        if original(Some(case.clone())) == original(None) {
            continue;
        }
        let (_d, with) = load("linked", &svg);
        let unlinked = svg.replace("href=\"data:image/", "href=\"#data:image/");
        let (_e, without) = load("linked", &unlinked);
        let draw = |r: &Renderer| {
            let req = r.resolve(&RenderRequest::new("linked", &[])).unwrap();
            r.render(&req, ogmill_core::Inputs::default())
                .unwrap()
                .bytes
        };
        assert!(
            draw(&with) != draw(&without),
            "{}: the pictures draw nothing",
            case.display()
        );
        drawn += 1;
    }
    assert!(
        drawn >= 2,
        "only {drawn} design(s) show their pictures on the canvas"
    );
    // A design moved away from its pictures: imported without them, each named.
    let alone = tempfile::tempdir().unwrap();
    let design = alone.path().join("extcard.svg");
    std::fs::copy(root.join("countersheets-extcard/extcard.svg"), &design).unwrap();
    let out = ogmill_import(alone.path(), &[design.to_str().unwrap(), "--name", "alone"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("picture links 'g4452.png', which is not a file in the design's directory"),
        "{stderr}"
    );
}

/// A `<text>` whose spans differ in style (a bold name, then an italic grey line) is said,
/// since its param draws a value in one style; a text that is plainly a date is named
/// `date`, not after its words.
#[test]
fn mixed_styles_are_said_and_a_date_is_named_date() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630">
  <rect width="1200" height="630" fill="#ffffff"/>
  <text x="80" y="200" font-family="Inter" font-size="64">A title for the card</text>
  <text x="80" y="400" font-family="Inter" font-size="32"><tspan font-weight="700">Jane Doe</tspan> <tspan font-style="italic" fill="#555555">on design</tspan></text>
  <text x="80" y="500" font-family="Inter" font-size="28">Thursday 4 December</text>
</svg>"##;
    let imported = import_plain(svg).unwrap();
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("\"Jane Doe on design\" mixes fonts, colors")),
        "{:?}",
        imported.warnings
    );
    let params: Vec<&str> = imported.slots.iter().map(|s| s.param.as_str()).collect();
    assert!(params.contains(&"date"), "{params:?}");
    assert_eq!(
        imported
            .warnings
            .iter()
            .filter(|w| w.contains("mixes"))
            .count(),
        1,
        "{:?}",
        imported.warnings
    );
}

/// A tiny PNG as a data URI, for designs written here.
fn png_uri(w: u32, h: u32, rgb: [u8; 3]) -> String {
    use base64::Engine as _;
    let mut png = vec![];
    image::RgbImage::from_pixel(w, h, image::Rgb(rgb))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// Issue 32's "pictures": a full-bleed photo behind the texts is the design, not a param
/// (as one it was decoded and drawn per request, and the cached background stopped at it);
/// an avatar stays a param; `all_images` binds both.
#[test]
fn a_picture_behind_the_whole_card_stays_part_of_the_design() {
    let design = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630">
  <image width="1200" height="630" href="{}"/>
  <image x="80" y="420" width="120" height="120" href="{}"/>
  <text x="80" y="200" font-family="Inter" font-size="64" fill="#fff">A headline over a photo</text>
</svg>"##,
        png_uri(60, 32, [20, 60, 120]),
        png_uri(8, 8, [200, 100, 50])
    );
    let plain = import_plain(&design).unwrap();
    let images: Vec<_> = plain.slots.iter().filter(|s| s.kind == "image").collect();
    assert_eq!(images.len(), 1, "{:?}", plain.slots);
    assert_eq!(images[0].rect, [80.0, 420.0, 120.0, 120.0]);
    assert!(
        plain
            .warnings
            .iter()
            .any(|w| w.contains("picture behind the card")),
        "{:?}",
        plain.warnings
    );
    // The backdrop is still drawn, once, in the template's cached background.
    let (_dir, r) = load("photo", &plain.svg);
    assert!(r.template("photo").unwrap().is_layered());
    let card = r
        .render(
            &r.resolve(&RenderRequest::new("photo", &[])).unwrap(),
            Default::default(),
        )
        .unwrap();
    let px = crate::support::decode_png(&card.bytes);
    assert_eq!(px.get_pixel(1100, 600).0, [20, 60, 120, 255]);

    let all = import(
        &design,
        renderer().usvg_options(),
        &ImportOptions {
            all_images: true,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(all.slots.iter().filter(|s| s.kind == "image").count(), 2);
}

/// Over the real exports: no picture covering most of the card becomes a param by default.
#[test]
fn real_exports_keep_their_backdrops_as_design() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs");
    let mut files: Vec<PathBuf> = ["real", "linked"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .flat_map(|p| {
            if p.is_dir() {
                std::fs::read_dir(&p)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect()
            } else {
                vec![p]
            }
        })
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    files.sort();
    let (mut kept, mut bound) = (0, 0);
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        let opts = |all_images| ImportOptions {
            linked_dir: path.parent().map(Path::to_path_buf),
            all_images,
            ..ImportOptions::default()
        };
        let Ok(plain) = import(&source, renderer().usvg_options(), &opts(false)) else {
            continue;
        };
        let all = import(&source, renderer().usvg_options(), &opts(true)).unwrap();
        let tree = usvg::Tree::from_str(&plain.svg, renderer().usvg_options()).unwrap();
        let area = tree.size().width() * tree.size().height();
        for s in plain.slots.iter().filter(|s| s.kind == "image") {
            assert!(
                s.rect[2] * s.rect[3] < 0.6 * area,
                "{}: '{}' {:?} covers most of the card",
                path.display(),
                s.param,
                s.rect
            );
        }
        let n = |i: &Imported| i.slots.iter().filter(|s| s.kind == "image").count();
        kept += n(&all) - n(&plain);
        bound += n(&plain);
    }
    eprintln!("real exports: {kept} backdrop(s) kept as design, {bound} picture(s) made params");
}

/// What Figma exports and their later edits leave, from the real files: a re-indented text
/// keeps preserved spaces at (0,0) before its placed tspan, which stretched its box from the
/// card's corner; a Shift+Enter break is a U+2028 that usvg drew as a box; a frame clips its
/// rows, and a box past the clip would wrap lines the card cuts off; Affinity draws a
/// diagram at print size.
#[test]
fn figma_and_affinity_exports_import_as_they_look() {
    let real = |f: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/designs/real")
            .join(f);
        import_plain(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let tennis = real("figma-tennis-club-membership-certificate.svg");
    let office = tennis
        .slots
        .iter()
        .find(|s| s.sample.starts_with("Imbobo"))
        .unwrap();
    assert!(
        office.rect[0] > 60.0 && office.rect[1] > 440.0,
        "{office:?}"
    );
    assert_eq!(office.lines, 1, "{office:?}");

    let birth = real("figma-birth-certificate-template.svg");
    assert!(!birth.svg.contains("&#x2028;"), "a separator is left");
    let (_dir, r) = load("birth", &birth.svg);
    let resolved = r.resolve(&RenderRequest::new("birth", &[])).unwrap();
    let (_, fits) = r.place(&resolved).unwrap();
    // The mother's name sits in a row its frame clips: the box stays inside the clip, so a
    // long value shrinks or ends with an ellipsis there instead of wrapping under it.
    let row = birth
        .slots
        .iter()
        .find(|s| s.sample.starts_with("{{motherFirstName}}"))
        .unwrap();
    let [_, y, _, h] = row.rect;
    assert!(y + h <= 407.5, "past the clip, 377.43 + 30: {row:?}");
    let fit = fits.iter().find(|f| f.slot == row.param).unwrap();
    assert_eq!(fit.lines, 1, "{fit:?} in {row:?}");

    let diagram = real("affinity-cue-timeline-diagram.svg");
    assert!(
        diagram.svg.contains(r#"width="1200""#),
        "{:?}",
        diagram.warnings
    );
    assert!(
        diagram.warnings.iter().any(|w| w.contains("5437x3917")),
        "{:?}",
        diagram.warnings
    );
    let (_dir, r) = load("diagram", &diagram.svg);
    assert_eq!(r.template("diagram").unwrap().width.round(), 1200.0);
}

/// Found by the import fuzzer: a 15,000-letter word spliced into a text made a default the
/// template's every load fitted letter by letter (11 s under the fuzz build). A text longer
/// than a param holds stays as drawn, and the import says so.
#[test]
fn a_text_longer_than_a_param_holds_stays_as_drawn() {
    let blob = "x".repeat(2500);
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630"><text x="10" y="100" font-family="Inter" font-size="40">Launch day</text><text x="10" y="300" font-family="Inter" font-size="20">{blob}</text></svg>"#
    );
    let imported = import_plain(&svg).unwrap();
    assert_eq!(imported.slots.len(), 1, "{:?}", imported.slots);
    assert_eq!(imported.slots[0].sample, "Launch day");
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("2500 characters")),
        "{:?}",
        imported.warnings
    );
    load("long", &imported.svg);
}
