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
