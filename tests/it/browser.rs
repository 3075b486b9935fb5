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
    let (mut plain, plain_addr) = spawn_server(&[]);
    let out = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/playground.mjs"))
        .env("BASE_URL", format!("http://{addr}"))
        .env("PLAIN_URL", format!("http://{plain_addr}"))
        .env("TEMPLATES_DIR", templates.path())
        .env("ARTIFACTS", &artifacts)
        .env("CHROMIUM", CHROMIUM)
        .env("PLAYWRIGHT", &module)
        .output()
        .expect("node runs (apt-get install nodejs)");
    for s in [&mut server, &mut plain] {
        let _ = s.kill();
        let _ = s.wait();
    }
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
    assert_eq!(seen["plain_checker_hidden"], serde_json::json!(true));
}

/// Design mode end to end (tests/browser/design.mjs): open an Affinity-shaped export, bind
/// two texts and a picture, rename, drag, nudge, undo, save; then the saved template is
/// served through `/api/og/{name}` after hot reload.
#[test]
fn design_mode_turns_a_design_into_a_served_template() {
    assert!(Path::new(CHROMIUM).exists(), "install chromium");
    let templates = tempfile::tempdir().unwrap();
    crate::support::copy_templates(templates.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let artifacts = root.join("target/browser-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let module = playwright();
    let dir = templates.path().to_str().unwrap();
    let (mut server, addr) = spawn_server(&["--dev", "--templates", dir]);
    let out = Command::new("node")
        .arg(root.join("tests/browser/design.mjs"))
        .env("BASE_URL", format!("http://{addr}"))
        .env("DESIGN", root.join("tests/designs/exports/affinity.svg"))
        .env("ARTIFACTS", &artifacts)
        .env("CHROMIUM", CHROMIUM)
        .env("PLAYWRIGHT", &module)
        .output()
        .expect("node runs (apt-get install nodejs)");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let saved = std::fs::read_to_string(templates.path().join("blog-from-design.svg"));
    // Hot reload picks the new file up; then it is served like any template.
    let mut served = None;
    for _ in 0..50 {
        let res = ureq_get(&format!(
            "http://{addr}/api/og/blog-from-design?headline=Served"
        ));
        if res.0 == 200 {
            served = Some(res);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        out.status.success(),
        "the browser run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(seen["console_errors"], serde_json::json!([]), "{stdout}");
    let saved = saved.expect("the template was written");
    assert!(saved.contains("og:text=\"{{headline}}\""), "{saved}");
    assert_eq!(saved.matches("og:text=").count(), 2);
    assert_eq!(saved.matches("og:image=").count(), 1);
    let (status, body) = served.expect("the saved template is served after reload");
    assert_eq!(status, 200);
    assert!(body.starts_with(b"\x89PNG"));
    assert!(artifacts.join("design-mode.png").exists());
}

/// A plain HTTP GET on loopback: status and body.
fn ureq_get(url: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let Ok(mut s) = std::net::TcpStream::connect(host) else {
        return (0, vec![]);
    };
    let _ = write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    );
    let mut buf = vec![];
    let _ = s.read_to_end(&mut buf);
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf.len(), |p| p + 4);
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, buf[head_end..].to_vec())
}
