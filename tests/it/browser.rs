//! The playground in a real browser: Debian's headless Chromium driven by playwright-core
//! from Node (tests/browser/playground.mjs). Types a title and waits for the preview and
//! the snippets to follow, checks the console stays clean, then edits a template on disk
//! and waits for the page to show the new render (`serve --dev`). The screenshot is left in
//! target/browser-artifacts/playground.png.
//!
//! Needs /usr/bin/chromium, Node.js and npm (`.ci/run` installs them); playwright-core is
//! installed once into target/pw-tools from the npm registry.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::spawn_server;

const PLAYWRIGHT: &str = "playwright-core@1.64.1";
const CHROMIUM: &str = "/usr/bin/chromium";

fn playwright() -> PathBuf {
    crate::support::npm_tools("pw-tools", &[PLAYWRIGHT], &["node_modules/playwright-core"])
        .join("node_modules/playwright-core")
}

#[test]
fn the_playground_previews_as_you_type_and_reloads_on_template_edits() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "this test drives Debian's Chromium: install it (apt-get install chromium)"
    );
    let templates = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("svg-templates")).unwrap()
    {
        let e = e.unwrap();
        std::fs::copy(e.path(), templates.path().join(e.file_name())).unwrap();
    }
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let module = playwright();
    let dir = templates.path().to_str().unwrap();
    let (mut server, addr) = spawn_server(&["--dev", "--templates", dir]);
    let out = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/playground.mjs"))
        .env("BASE_URL", format!("http://{addr}"))
        .env("TEMPLATES_DIR", templates.path())
        .env("ARTIFACTS", &artifacts)
        .env("CHROMIUM", CHROMIUM)
        .env("PLAYWRIGHT", &module)
        .output()
        .expect("node runs (apt-get install nodejs)");
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(seen["console_errors"], serde_json::json!([]));
    assert_eq!(seen["after"], serde_json::json!([255, 0, 0, 255]));
    assert_ne!(seen["before"], seen["after"]);
    assert!(artifacts.join("playground.png").exists());
}
