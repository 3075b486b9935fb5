//! `ogmill build`: a manifest into a directory, incremental, with bad entries reported and
//! the same bytes the server sends.

use std::path::Path;

use ogmill::build::{self, BuildOptions, Entry, Format, STATE_FILE};
use ogmill_core::images::LocalImages;
use ogmill_server::ServerOptions;

use crate::support::{decode_png, renderer};

fn ndjson(titles: &[String]) -> String {
    titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::json!({"template": "default", "output": format!("cards/{i:03}.png"), "title": t})
                .to_string()
                + "\n"
        })
        .collect()
}

fn run(manifest: &str, dir: &Path, force: bool) -> build::Summary {
    let entries = build::manifest::parse(Format::NdJson, manifest).unwrap();
    let mut options = BuildOptions::new(dir);
    options.force = force;
    build::run(
        renderer(),
        &entries,
        &options,
        &LocalImages::default(),
        &|_| {},
    )
    .unwrap()
}

#[test]
fn a_200_card_manifest_renders_then_skips_then_renders_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut titles: Vec<String> = (0..200).map(|i| format!("Post {i}: notes")).collect();
    let first = run(&ndjson(&titles), dir.path(), false);
    assert_eq!(
        (first.rendered, first.skipped),
        (200, 0),
        "{:?}",
        first.failed
    );
    assert!(first.failed.is_empty());
    let png = std::fs::read(dir.path().join("cards/123.png")).unwrap();
    assert_eq!(decode_png(&png).dimensions(), (1200, 630));
    let on_disk: u64 = (0..200)
        .map(|i| {
            std::fs::metadata(dir.path().join(format!("cards/{i:03}.png")))
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(first.bytes, on_disk);

    let second = run(&ndjson(&titles), dir.path(), false);
    assert_eq!((second.rendered, second.skipped), (0, 200));

    titles[17] = "Post 17, edited".into();
    let before = std::fs::read(dir.path().join("cards/017.png")).unwrap();
    let third = run(&ndjson(&titles), dir.path(), false);
    assert_eq!((third.rendered, third.skipped), (1, 199));
    assert_ne!(
        std::fs::read(dir.path().join("cards/017.png")).unwrap(),
        before
    );

    std::fs::remove_file(dir.path().join("cards/050.png")).unwrap();
    let fourth = run(&ndjson(&titles), dir.path(), false);
    assert_eq!(
        (fourth.rendered, fourth.skipped),
        (1, 199),
        "a deleted card comes back"
    );

    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("cards"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".png"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn force_renders_everything_and_a_broken_state_file_means_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let titles: Vec<String> = (0..3).map(|i| format!("T{i}")).collect();
    run(&ndjson(&titles), dir.path(), false);
    assert_eq!(run(&ndjson(&titles), dir.path(), true).rendered, 3);
    std::fs::write(dir.path().join(STATE_FILE), "{ not json").unwrap();
    let s = run(&ndjson(&titles), dir.path(), false);
    assert_eq!((s.rendered, s.skipped), (3, 0));
    assert_eq!(
        run(&ndjson(&titles), dir.path(), false).skipped,
        3,
        "state rewritten"
    );
}

#[test]
fn build_writes_the_bytes_the_server_sends() {
    let dir = tempfile::tempdir().unwrap();
    let entry = Entry {
        origin: "entry 1".into(),
        template: "blog".into(),
        output: "blog.png".into(),
        params: vec![
            ("title".into(), "Same bytes from build and serve".into()),
            ("author".into(), "Jane Doe".into()),
        ],
    };
    let s = build::run(
        renderer(),
        &[Ok(entry)],
        &BuildOptions::new(dir.path()),
        &LocalImages::default(),
        &|_| {},
    )
    .unwrap();
    assert_eq!(s.rendered, 1);
    let built = std::fs::read(dir.path().join("blog.png")).unwrap();
    let served = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let state = crate::http::state(ServerOptions::default());
        let uri = "/api/og/blog?title=Same+bytes+from+build+and+serve&author=Jane%20Doe";
        crate::http::get(&state, uri).await
    });
    served.png();
    assert_eq!(built, served.body.to_vec());
}

#[test]
fn the_cli_reports_each_bad_entry_with_its_line_and_still_renders_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("cards.csv");
    std::fs::write(
        &manifest,
        "template,output,title,accent\n\
         default,ok/one.png,First,\n\
         defualt,bad/typo.png,x,\n\
         blog,bad/color.png,x,notacolor\n\
         default,ok/one.png,Again,\n\
         default,../escape.png,x,\n\
         default,/tmp/abs.png,x,\n\
         blog,ok/two.png,Second,#ff0066\n",
    )
    .unwrap();
    let out = dir.path().join("site");
    let res = std::process::Command::new(env!("CARGO_BIN_EXE_ogmill"))
        .arg("build")
        .arg(&manifest)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(!res.status.success(), "{stderr}");
    for (line, says) in [
        ("line 3 (bad/typo.png)", "unknown template 'defualt'"),
        ("line 4 (bad/color.png)", "'accent'"),
        ("line 5 (ok/one.png)", "already written by line 2"),
        ("line 6 (../escape.png)", "inside the output directory"),
        ("line 7 (/tmp/abs.png)", "inside the output directory"),
    ] {
        assert!(
            stderr.contains(&format!("failed: {line}: ")),
            "{line} in {stderr}"
        );
        let at = stderr.find(line).unwrap();
        assert!(
            stderr[at..].lines().next().unwrap().contains(says),
            "{says} in {stderr}"
        );
    }
    assert!(
        stderr.contains("rendered 2, skipped 0, failed 5"),
        "{stderr}"
    );
    assert!(stderr.contains("5 of 7 entries failed"), "{stderr}");
    assert!(out.join("ok/one.png").exists() && out.join("ok/two.png").exists());
    assert!(!out.join("bad").exists() && !dir.path().join("escape.png").exists());
}
