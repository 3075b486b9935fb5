//! `ogmill fonts add` against the real npm registry: a Fontsource family, split by script as
//! Fontsource ships it, fetched, unpacked, listed, and drawn in its own family for every
//! script it has, with no letter falling back to a bundled font.

use std::process::Command;

use ogmill_core::fonts::load;
use ogmill_core::raster::usvg_options;

fn ogmill() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ogmill"))
}

/// Families of the fonts usvg drew each glyph of `text` with.
fn drawn_families(db: std::sync::Arc<fontdb::Database>, family: &str, text: &str) -> Vec<String> {
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="200"><text x="10" y="100" font-size="60" font-family="{family}">{text}</text></svg>"#
    );
    let opts = usvg_options(db.clone());
    let tree = usvg::Tree::from_str(&svg, &opts).unwrap();
    let Some(usvg::Node::Text(t)) = tree.root().children().first() else {
        panic!("no text drawn");
    };
    let mut families: Vec<String> = t
        .layouted()
        .iter()
        .flat_map(|span| span.positioned_glyphs.iter())
        .map(|g| db.face(g.font).unwrap().families[0].0.clone())
        .collect();
    families.dedup();
    families
}

#[test]
fn a_fontsource_family_is_fetched_listed_and_drawn_in_its_own_letters() {
    let tmp = tempfile::tempdir().unwrap();
    let fonts = tmp.path().join("fonts");
    let out = ogmill()
        .args([
            "fonts",
            "add",
            "Work Sans",
            "--subsets",
            "latin,latin-ext,vietnamese",
        ])
        .args(["--weights", "400,700", "--dir"])
        .arg(&fonts)
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("@fontsource/work-sans"), "{printed}");
    assert!(printed.contains("font-family=\"Work Sans\""), "{printed}");
    let dir = fonts.join("work-sans");
    assert!(
        dir.join("LICENSE").is_file(),
        "the licence comes with the fonts"
    );
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        files,
        1 + 3 * 2 * 2,
        "3 subsets x 2 weights x 2 styles, and the licence"
    );

    // Listed beside the bundled families.
    let list = ogmill()
        .arg("fonts")
        .arg("--fonts")
        .arg(&fonts)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{listed}");
    let line = listed
        .lines()
        .find(|l| l.starts_with("Work Sans"))
        .expect(&listed);
    assert!(
        line.contains("400 700") && line.contains("italic"),
        "{line}"
    );
    assert!(!line.contains("bundled"), "{line}");

    // Latin, Latin Extended and Vietnamese letters each live in another file of the family,
    // and the bundled fonts load first: each letter must still come from Work Sans.
    let db = load(true, std::slice::from_ref(&fonts)).unwrap();
    let families = drawn_families(db, "Work Sans", "Łódź, Hà Nội, Ærøskøbing");
    assert_eq!(families, ["Work Sans"]);

    // An unknown family is a clear error, not a crash or an empty directory.
    let out = ogmill()
        .args(["fonts", "add", "No Such Family Anywhere", "--dir"])
        .arg(&fonts)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("Fontsource has no package @fontsource/no-such-family-anywhere"),
        "{err}"
    );
    assert!(!fonts.join("no-such-family-anywhere").exists());
}

/// The card drawn through the CLI with the added family differs from the bundled Inter one,
/// and draws every character.
#[test]
fn a_template_draws_with_an_added_family() {
    let tmp = tempfile::tempdir().unwrap();
    let fonts = tmp.path().join("fonts");
    let ok = ogmill()
        .args([
            "fonts",
            "add",
            "Lobster",
            "--subsets",
            "latin,latin-ext",
            "--dir",
        ])
        .arg(&fonts)
        .status()
        .unwrap();
    assert!(ok.success());
    let templates = tmp.path().join("t");
    std::fs::create_dir(&templates).unwrap();
    let template = |family: &str| {
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="1200" height="630"><metadata><og:param name="title" kind="text" default="Łódź in the spring"/></metadata><rect width="1200" height="630" fill="#fff"/><text og:text="{{{{title}}}}" og:box="60 200 1080 200" x="60" y="300" font-size="90" font-family="{family}">x</text></svg>"##
        )
    };
    std::fs::write(templates.join("lobster.svg"), template("Lobster")).unwrap();
    std::fs::write(templates.join("inter.svg"), template("Inter")).unwrap();
    let render = |name: &str| {
        let file = tmp.path().join(format!("{name}.png"));
        let out = ogmill()
            .arg("render")
            .arg(name)
            .arg("--templates")
            .arg(&templates)
            .arg("--fonts")
            .arg(&fonts)
            .arg("-o")
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(
            !err.contains("missing") && !err.contains("substitut"),
            "{err}"
        );
        image::open(&file).unwrap().to_rgba8()
    };
    let (lobster, inter) = (render("lobster"), render("inter"));
    let differ = lobster
        .pixels()
        .zip(inter.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        differ > 5_000,
        "only {differ} pixels differ: was Lobster drawn at all?"
    );
}

/// The open families the real exports name (or metric twins of them), fetched once per
/// target directory.
fn design_fonts() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("design-fonts");
    // Roboto (Figma's exports), DejaVu Sans (Inkscape's, and the twin of its older default,
    // Bitstream Vera Sans), Arimo (the twin of Arial, Affinity's diagrams), and what the
    // Figma certificates, the Penpot export and the marathon certificate name.
    for family in [
        "Roboto",
        "DejaVu Sans",
        "Arimo",
        "Noto Sans",
        "Work Sans",
        "Spline Sans Mono",
        "Acme",
        "Libre Baskerville",
        "Stardos Stencil",
    ] {
        let slug = ogmill::fontsource::slug(family);
        if dir.join(&slug).join("LICENSE").is_file() {
            continue;
        }
        let out = ogmill()
            .args([
                "fonts",
                "add",
                family,
                "--subsets",
                "latin,latin-ext",
                "--dir",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    dir
}

fn rgba(pixmap: &tiny_skia::Pixmap) -> image::RgbaImage {
    crate::support::decode_png(&pixmap.encode_png().unwrap())
}

/// Mean absolute difference per channel, 0-255.
fn mean_difference(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Files over the mark, and why; the test fails when one of them comes under it.
const KNOWN_OVER: &[(&str, &str)] = &[
    (
        "affinity-architecture-diagram.svg",
        "3.8: a 5334 px diagram drawn at 1200, twelve texts of 10-14 px on a transparent card; the same letters, each text a fraction of a pixel off, which its many edge pixels add up",
    ),
    (
        "affinity-caption-entities-diagram.svg",
        "4.9: as the architecture diagram, 5334x834 drawn at 1200x188; side by side the two renders read the same",
    ),
    (
        "inkscape09-film-rating-box-card.svg",
        "3.3: nine texts in a non-uniformly scaled layer, each a pixel or two off and the two in the badge a little smaller",
    ),
];

/// Issue 32's fidelity: with the design's own fonts (or their metric twins) loaded, the
/// default render of each real export's import is within a mean of 3 levels per channel of
/// resvg's render of the export itself. Files whose fonts are not open are measured too,
/// with the same stand-in family on both sides, and reported apart. The table printed here
/// is the one in docs/designs.md.
#[test]
fn real_exports_render_as_designed_with_their_own_fonts() {
    use ogmill_core::tools::import::{import, ImportOptions};
    use ogmill_core::{Options, RenderRequest, Renderer};

    let fonts = design_fonts();
    let with_fonts = |templates: Vec<(String, String)>| {
        Renderer::new(Options {
            templates,
            font_dirs: vec![fonts.clone()],
            allow_no_templates: true,
            ..Options::default()
        })
    };
    let base = with_fonts(vec![]).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/real");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    files.sort();
    let mut rows = vec![];
    let mut over = vec![];
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).unwrap();
        let Ok(imported) = import(&source, base.usvg_options(), &ImportOptions::default()) else {
            rows.push(format!("| {file} | not imported (outlined text) | | |"));
            continue;
        };
        let r = with_fonts(vec![("d".into(), imported.svg.clone())]).unwrap();
        let t = r.template("d").unwrap();
        let subs = t.substituted_fonts();
        // The export itself, its missing families drawn as the template draws them.
        let mut reference = source.clone();
        for s in &subs {
            reference = reference.replace(&s.asked, &s.used);
        }
        let resolved = r.resolve(&RenderRequest::new("d", &[])).unwrap();
        let (w, h) = resolved.size();
        let ours =
            crate::support::decode_png(&r.render(&resolved, Default::default()).unwrap().bytes);
        let theirs =
            rgba(&ogmill_core::raster::rasterize(&reference, r.usvg_options(), w, h).unwrap());
        let mean = mean_difference(&ours, &theirs);
        if let Ok(out) = std::env::var("FIDELITY_OUT") {
            ours.save(format!("{out}/{file}.ours.png")).unwrap();
            theirs.save(format!("{out}/{file}.theirs.png")).unwrap();
        }
        let twins = subs.iter().all(|s| {
            ogmill_core::fonts::metric_twin(r.fontdb(), &[s.asked.as_str()]).as_deref()
                == Some(s.used.as_str())
        });
        let fonts_note = if subs.is_empty() {
            "its own".to_owned()
        } else {
            let list: Vec<String> = subs.iter().map(|s| s.to_string()).collect();
            format!(
                "{}{}",
                list.join("; "),
                if twins {
                    " (metric twin)"
                } else {
                    " (not open)"
                }
            )
        };
        let known = KNOWN_OVER.iter().find(|(f, _)| *f == file);
        if (subs.is_empty() || twins) && (mean > 3.0) != known.is_some() {
            over.push(format!("{file}: {mean:.2} (known: {known:?})"));
        }
        rows.push(format!(
            "| {file} | {fonts_note} | {} | {mean:.2} |",
            imported.slots.iter().filter(|s| s.kind == "text").count()
        ));
    }
    eprintln!(
        "| file | fonts | text params | mean difference (0-255) |\n|---|---|---|---|\n{}",
        rows.join("\n")
    );
    assert!(
        over.is_empty(),
        "over a mean of 3 with the design's fonts, or a known one now under it: {over:#?}"
    );
}
