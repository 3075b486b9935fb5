//! ogmill on the edge as a user meets it: `ogmill-wasm` built for wasm32-unknown-unknown
//! (`npm run build` in crates/ogmill-wasm: cargo, wasm-bindgen, wasm-opt), packed, installed
//! from the tarball into the Cloudflare Worker example and served by a real `workerd` (the
//! npm package's binary), and imported in plain Node ESM. Cards are checked against the
//! native binary's pixels.
//!
//! Needs Node.js and npm, the wasm32-unknown-unknown target and wasm-bindgen-cli 0.2.130 in
//! `target/tools/bin` (`.ci/test` installs both), and the npm registry.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::nextjs::{copy_tree, get, must, npm_in};
use crate::support::{decode_png, free_port, wait_for_port, Process};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The packed `ogmill-wasm` tarball, built once per run.
fn packed() -> &'static PathBuf {
    static PACKED: OnceLock<(PathBuf, tempfile::TempDir)> = OnceLock::new();
    &PACKED
        .get_or_init(|| {
            let pkg = root().join("crates/ogmill-wasm");
            let bindgen = root().join("target/tools/bin/wasm-bindgen");
            assert!(
                bindgen.exists(),
                "{} is missing: cargo install wasm-bindgen-cli --version 0.2.130 --root target/tools (bash .ci/test does)",
                bindgen.display()
            );
            let long = Duration::from_secs(900);
            must(&mut npm_in(&pkg, &["ci"]), long);
            let printed = must(
                npm_in(&pkg, &["run", "build"])
                    .env("WASM_BINDGEN", &bindgen)
                    .env("CARGO_TARGET_DIR", root().join("target")),
                long,
            );
            eprintln!("{}", printed.lines().filter(|l| l.contains("wasm")).collect::<Vec<_>>().join("\n"));
            let dir = tempfile::tempdir().unwrap();
            must(
                npm_in(&pkg, &["pack"]).arg("--pack-destination").arg(dir.path()),
                long,
            );
            (dir.path().join("ogmill-wasm-0.1.0.tgz"), dir)
        })
        .0
}

/// The card as the native binary draws it.
fn native(params: &[(&str, &str)]) -> image::RgbaImage {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("card.png");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ogmill"));
    cmd.args(["render", "blog", "-o"]).arg(&file);
    for (k, v) in params {
        cmd.arg("-p").arg(format!("{k}={v}"));
    }
    must(&mut cmd, Duration::from_secs(60));
    decode_png(&std::fs::read(file).unwrap())
}

/// The mean difference per channel, in levels (0-255).
fn mean_diff(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

const TITLES: &[&str] = &[
    "Next.js Dynamic Image Generation: OG Images, Social Cards & More",
    "Self-hosting your social cards: one binary, no per-image fee",
    "Édition spéciale : les cartes sociales à la périphérie du réseau",
];

#[test]
fn the_wasm_package_is_small_and_serves_native_cards_from_a_real_workerd() {
    let tarball = packed();
    let wasm = root().join("crates/ogmill-wasm/pkg/ogmill_bg.wasm");
    let raw = std::fs::read(&wasm).unwrap();
    let gz = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()
        .unwrap();
    let (mb, gz_mb) = (raw.len() as f64 / 1e6, gz.stdout.len() as f64 / 1e6);
    eprintln!("ogmill_bg.wasm (with Inter): {mb:.2} MB, {gz_mb:.2} MB gzipped");
    assert!(
        gz_mb <= 3.0,
        "the .wasm is {gz_mb:.2} MB gzipped; workers take 3 MB"
    );

    let site = tempfile::tempdir().unwrap();
    copy_tree(&root().join("examples/cloudflare-worker"), site.path());
    must(
        npm_in(site.path(), &["install"]).arg(tarball),
        Duration::from_secs(600),
    );
    let port = free_port();
    let mut cmd = Command::new(site.path().join("node_modules/.bin/workerd"));
    cmd.args(["serve", "config.capnp", "--socket-addr"])
        .arg(format!("http=127.0.0.1:{port}"))
        .current_dir(site.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _workerd = Process(cmd.spawn().expect("workerd starts"));
    wait_for_port(port, "workerd", Duration::from_secs(60));
    let origin = format!("http://127.0.0.1:{port}");

    for title in TITLES {
        let query = format!("title={}&author=Jane%20Doe", encode(title));
        let card = get(&format!("{origin}/og/blog?{query}"));
        assert_eq!(card.status, 200, "{}", String::from_utf8_lossy(&card.body));
        assert_eq!(card.content_type, "image/png");
        let edge = decode_png(&card.body);
        let diff = mean_diff(&edge, &native(&[("title", title), ("author", "Jane Doe")]));
        assert!(
            diff <= 1.0,
            "{title}: mean difference {diff:.3} levels from the native card"
        );
    }
    for (format, content_type) in [("webp", "image/webp"), ("jpeg", "image/jpeg")] {
        let card = get(&format!("{origin}/og/blog?title=Formats&format={format}"));
        assert_eq!(card.status, 200, "{}", String::from_utf8_lossy(&card.body));
        assert_eq!(card.content_type, content_type);
        let decoded = image::load_from_memory(&card.body).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1200, 630));
    }
    for (path, status, says) in [
        ("/og/nope?title=x", 404, "unknown template 'nope'"),
        ("/og/blog?titel=x", 400, "unknown parameter 'titel'"),
        ("/og/lesson?lesson=third", 400, "invalid value for 'lesson'"),
        ("/og/blog?format=gif", 400, "format"),
    ] {
        let res = get(&format!("{origin}{path}"));
        assert_eq!(res.status, status, "{path}");
        let body = String::from_utf8_lossy(&res.body);
        assert!(body.contains(says), "{path}: {body}");
    }
}

#[test]
fn the_wasm_package_renders_in_node_esm_with_fonts_added_at_run_time() {
    let tarball = packed();
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(
        dir.join("package.json"),
        r#"{ "name": "uses-ogmill-wasm", "private": true, "type": "module" }"#,
    )
    .unwrap();
    must(
        npm_in(dir, &["install"]).arg(tarball),
        Duration::from_secs(600),
    );
    let test = root().join("crates/ogmill-wasm/test/node.test.mjs");
    std::fs::copy(&test, dir.join("node.test.mjs")).unwrap();
    must(
        Command::new("node")
            .args(["--test", "--test-reporter=spec", "node.test.mjs"])
            .current_dir(dir)
            .env("OGMILL_FONTS", root().join("fonts"))
            .env("OUT_DIR", dir),
        Duration::from_secs(600),
    );
    // The card the Node test wrote, against the native one.
    let card = decode_png(&std::fs::read(dir.join("blog.png")).unwrap());
    let diff = mean_diff(
        &card,
        &native(&[("title", TITLES[0]), ("author", "Jane Doe")]),
    );
    assert!(
        diff <= 1.0,
        "mean difference {diff:.3} levels from the native card"
    );
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
