//! The built `ogmill` binary, run into a temp dir as a user would.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{decode_png, Process};

pub(crate) fn ogmill() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ogmill"))
}

/// Runs `cmd` and fails the test with its stderr unless it exits 0.
pub(crate) fn succeed(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn render_writes_a_card_from_params() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("card.png");
    let status = succeed(
        ogmill()
            .args(["render", "blog", "--param"])
            .arg("title=Next.js Dynamic Image Generation: OG Images, Social Cards & More")
            .args([
                "--param",
                "author=Jane Doe",
                "--param",
                "date=2026-11-23",
                "-o",
            ])
            .arg(&out),
    );
    let img = decode_png(&std::fs::read(&out).unwrap());
    assert_eq!(img.dimensions(), (1200, 630));
    assert!(String::from_utf8_lossy(&status.stderr).contains("title: 76px, 3 line(s)"));
}

#[test]
fn render_takes_values_from_a_json_file_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("values.json");
    std::fs::write(
        &json,
        r#"{"name": "Desk Lamp", "price": 49, "badge": "NEW", "image": null}"#,
    )
    .unwrap();
    let out = succeed(ogmill().current_dir(dir.path()).args([
        "render",
        "product",
        "--params",
        "values.json",
        "-p",
        "badge=-20%",
    ]));
    assert!(dir.path().join("product.png").exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("badge: ") && stderr.contains("name: 64px"),
        "{stderr}"
    );
}

#[test]
fn bad_input_exits_non_zero_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    for (args, msg) in [
        (&["render", "nope"][..], "unknown template 'nope'"),
        (
            &["render", "blog", "-p", "titel=x"],
            "unknown parameter 'titel'",
        ),
        (
            &["render", "blog", "-p", "title"],
            "must look like NAME=VALUE",
        ),
        (
            &["render", "default", "-p", "accent=blue;"],
            "invalid value for 'accent'",
        ),
    ] {
        let out = ogmill()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(msg), "{args:?}: {stderr}");
    }
}

#[test]
fn templates_lists_every_template_with_its_params() {
    let out = ogmill().arg("templates").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "default",
        "blog",
        "product",
        "profile",
        "title",
        "max 300 chars",
        "avatar",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    let out = ogmill().args(["templates", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), ogmill_core::renderer::BUNDLED_TEMPLATES.len());
    assert!(list.len() >= 14, "the gallery has 14 or more");
    let blog = list
        .iter()
        .find(|t| t["name"] == "blog")
        .expect("blog listed");
    assert_eq!(blog["params"][0]["name"], "title");
    assert_eq!(blog["params"][0]["kind"], "text");
    assert_eq!(blog["params"][0]["max_length"], 300);
}

#[test]
fn a_broken_templates_dir_fails_start_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.svg"), "<svg").unwrap();
    let out = ogmill()
        .arg("--templates")
        .arg(dir.path())
        .arg("templates")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.svg"));
}

/// `ogmill serve` on a free port, killed when dropped; its address, read from the log line
/// that announces it.
pub(crate) fn spawn_server(extra: &[&str]) -> (Process, std::net::SocketAddr) {
    let mut cmd = ogmill();
    // A developer's shell may set PORT (it picks the port over --bind's).
    cmd.env_remove("PORT").env_remove("OGMILL_PORT");
    spawn_server_with(cmd, extra)
}

/// As [`spawn_server`], from a command the caller has set up (its environment).
pub(crate) fn spawn_server_with(
    mut cmd: Command,
    extra: &[&str],
) -> (Process, std::net::SocketAddr) {
    use std::io::BufRead;
    let mut child = cmd
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env("OGMILL_LOG", "info")
        // Not the test's own stdout: a server left behind by a failed test would hold the
        // pipe of whatever reads the test's output open.
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    let addr = lines
        .by_ref()
        .take(50)
        .map_while(Result::ok)
        .find_map(|l| {
            let rest = l.split("listening on http://").nth(1)?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .expect("the server announces its address");
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (Process(child), addr)
}

#[test]
fn serve_answers_and_exits_0_on_sigterm_after_finishing_a_request_in_flight() {
    use std::io::{Read, Write};
    let (mut child, addr) = spawn_server(&[]);
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let body = r#"{"title":"In flight during shutdown"}"#;
    let head = format!(
        "POST /v1/default HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    // The request is in flight (its body not yet sent) when the signal arrives.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    std::thread::sleep(std::time::Duration::from_millis(200));
    conn.write_all(body.as_bytes()).unwrap();
    let mut raw = vec![];
    conn.read_to_end(&mut raw).unwrap();
    assert!(
        raw.starts_with(b"HTTP/1.1 200 OK"),
        "{}",
        String::from_utf8_lossy(&raw[..raw.len().min(200)])
    );
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert_eq!(decode_png(&raw[split + 4..]).dimensions(), (1200, 630));
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
}

#[test]
fn a_config_file_sets_what_flags_set_and_rejects_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let (_, default) = ogmill_core::renderer::BUNDLED_TEMPLATES
        .iter()
        .find(|(name, _)| *name == "default")
        .unwrap();
    std::fs::write(templates.join("only.svg"), default).unwrap();
    let config = dir.path().join("ogmill.toml");
    std::fs::write(
        &config,
        format!("templates = {:?}\ncache-size = \"1MiB\"\n", templates),
    )
    .unwrap();
    let out = succeed(ogmill().args(["templates", "--config"]).arg(&config));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(listed.starts_with("only\n"), "{listed}");

    std::fs::write(&config, "cache-sise = \"1MiB\"\n").unwrap();
    let out = ogmill()
        .arg("templates")
        .env("OGMILL_CONFIG", &config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ogmill.toml") && err.contains("cache-sise"),
        "{err}"
    );
}

#[test]
fn sign_prints_a_url_the_server_accepts_and_refuses_values_the_template_does_not_take() {
    let out = succeed(ogmill().args([
        "sign",
        "blog",
        "title=Hello & welcome",
        "author=Jane",
        "--signing-key",
        "second-key-0123456789,first-key-0123456789",
        "--base-url",
        "https://og.example.com/",
        "--expires-in",
        "1h",
    ]));
    let url = String::from_utf8(out.stdout).unwrap();
    let url = url.trim();
    let path = url.strip_prefix("https://og.example.com").expect(url);
    assert!(
        path.starts_with("/api/og/blog?title=Hello%20%26%20welcome&author=Jane&exp="),
        "{url}"
    );
    let state = crate::http::state(ogmill_server::ServerOptions {
        signing_keys: vec![
            "first-key-0123456789".into(),
            "second-key-0123456789".into(),
        ],
        require_signature: true,
        ..Default::default()
    });
    let reply = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(crate::http::get(&state, path));
    reply.png();

    let typo = ogmill()
        .args(["sign", "blog", "titel=Hello", "--signing-key", KEY])
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(String::from_utf8_lossy(&typo.stderr).contains("unknown parameter 'titel'"));
    let keyless = keyless(ogmill().args(["sign", "blog", "title=x"]))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&keyless.stderr);
    assert!(
        printed.contains("--signing-key") && printed.contains("ogmill sign --new-key"),
        "{printed}"
    );
}

/// A valid key for the tests below (16 bytes or more).
const KEY: &str = "cli-test-key-0123456789";

/// `cmd` without any signing key the test's own environment may carry.
fn keyless(cmd: &mut Command) -> &mut Command {
    cmd.env_remove("OGMILL_SIGNING_KEYS")
        .env_remove("OGMILL_SIGNING_KEY")
        .env_remove("OGMILL_CONFIG")
}

/// Runs `cmd`, which must fail, and returns its stderr.
fn fail(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "succeeded: {cmd:?}\n{err}");
    err
}

#[test]
fn empty_and_short_signing_keys_are_refused_wherever_a_key_enters() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("ogmill.toml");
    std::fs::write(&toml, "signing-keys = [\"\"]\n").unwrap();
    let manifest = dir.path().join("cards.json");
    std::fs::write(
        &manifest,
        r#"[{"template": "blog", "output": "a.png", "title": "A"}]"#,
    )
    .unwrap();
    let sign = ["sign", "blog", "title=Hello"];
    let cases: Vec<(&str, Command)> = vec![
        ("empty flag", {
            let mut c = ogmill();
            keyless(c.args(sign).args(["--signing-key", ""]));
            c
        }),
        ("trailing comma in the variable", {
            let mut c = ogmill();
            keyless(c.args(sign)).env("OGMILL_SIGNING_KEYS", format!("{KEY},"));
            c
        }),
        ("short variable", {
            let mut c = ogmill();
            keyless(c.args(sign)).env("OGMILL_SIGNING_KEYS", "short");
            c
        }),
        ("empty singular variable", {
            let mut c = ogmill();
            keyless(c.args(sign)).env("OGMILL_SIGNING_KEY", "");
            c
        }),
        ("TOML", {
            let mut c = ogmill();
            keyless(c.args(sign)).arg("--config").arg(&toml);
            c
        }),
        ("serve", {
            let mut c = ogmill();
            keyless(c.args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--require-signature",
                "--signing-key",
                "",
            ]));
            c
        }),
        ("build", {
            let mut c = ogmill();
            keyless(c.arg("build").arg(&manifest).arg("-o").arg(dir.path()))
                .env("OGMILL_SIGNING_KEYS", "k1,");
            c
        }),
    ];
    for (what, mut cmd) in cases {
        let err = fail(&mut cmd);
        assert!(
            err.contains("signing key") && err.contains("ogmill sign --new-key"),
            "{what}: {err}"
        );
    }
    assert!(!dir.path().join("a.png").exists());
}

#[test]
fn new_key_makes_a_key_and_the_singular_variable_is_read() {
    use base64::Engine;
    let made = |_| {
        let out = succeed(keyless(ogmill().args(["sign", "--new-key"])));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let (a, b) = (made(0), made(1));
    assert_ne!(a, b);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&a)
        .unwrap();
    assert_eq!(bytes.len(), 32);
    // A new key is the remedy for a broken one, so a broken one in the environment does not
    // stop it.
    succeed(keyless(ogmill().args(["sign", "--new-key"])).env("OGMILL_SIGNING_KEYS", ""));

    // OGMILL_SIGNING_KEY (one key, as the Next.js example reads it) signs like the plural.
    let by_singular = succeed(keyless(ogmill().args(sign_hello())).env("OGMILL_SIGNING_KEY", &a));
    let by_plural = succeed(keyless(ogmill().args(sign_hello())).env("OGMILL_SIGNING_KEYS", &a));
    assert_eq!(by_singular.stdout, by_plural.stdout);
    // The plural wins when both are set.
    let both = succeed(
        keyless(ogmill().args(sign_hello()))
            .env("OGMILL_SIGNING_KEYS", &b)
            .env("OGMILL_SIGNING_KEY", &a),
    );
    assert_ne!(both.stdout, by_singular.stdout);

    // A server started with the singular variable requires and checks it.
    let (_server, addr) = {
        let mut c = ogmill();
        keyless(&mut c).env("OGMILL_SIGNING_KEY", &a);
        spawn_server_with(c, &["--require-signature"])
    };
    let url = String::from_utf8(by_singular.stdout).unwrap();
    let path = url.trim().strip_prefix("http://127.0.0.1:3000").unwrap();
    assert_eq!(crate::support::http_status(addr, path), 200, "{path}");
    assert_eq!(
        crate::support::http_status(addr, "/api/og/blog?title=Hello"),
        403
    );

    // Without any key, the refusal names both variables.
    let err = fail(keyless(&mut ogmill()).args([
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--require-signature",
    ]));
    assert!(
        err.contains("OGMILL_SIGNING_KEYS") && err.matches("OGMILL_SIGNING_KEY").count() >= 2,
        "{err}"
    );
}

/// `--port` and the platforms' `PORT` pick the port; an output name whose extension is no
/// format is an error naming the formats (render and build alike); an empty slot says so.
#[test]
fn port_flags_output_extensions_and_empty_slots_say_what_they_do() {
    let port = crate::support::free_port();
    let (_a, addr) = spawn_server(&["--port", &port.to_string()]);
    assert_eq!(addr.port(), port);
    let port = crate::support::free_port();
    let mut cmd = ogmill();
    cmd.env("PORT", port.to_string()).env_remove("OGMILL_PORT");
    let (_b, addr) = spawn_server_with(cmd, &[]);
    assert_eq!(addr.port(), port);

    let dir = tempfile::tempdir().unwrap();
    for name in ["x.gif", "x.txt"] {
        let out = ogmill()
            .current_dir(dir.path())
            .args(["render", "blog", "-o", name])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: {err}");
        assert!(err.contains(".png, .webp, .jpg"), "{name}: {err}");
        assert!(!dir.path().join(name).exists());
    }
    let manifest = dir.path().join("cards.json");
    std::fs::write(
        &manifest,
        r#"[{"template": "blog", "output": "a.gif", "title": "A"}]"#,
    )
    .unwrap();
    let out = ogmill()
        .arg("build")
        .arg(&manifest)
        .arg("-o")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{printed}");
    assert!(printed.contains("not a format ogmill writes"), "{printed}");
    assert!(!dir.path().join("out/a.gif").exists());

    let out = succeed(
        ogmill()
            .current_dir(dir.path())
            .args(["render", "blog", "-p", "tag=", "-o", "b.png"]),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tag: empty"), "{err}");
}

/// One broken template among good ones: `render` of a good one works (with a warning),
/// `render` of the broken one fails with its reason, `check` fails, and `serve` will not
/// start.
#[test]
fn a_broken_template_stops_only_what_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/svg-templates/default.svg"),
        dir.path().join("default.svg"),
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.svg"), "<svg").unwrap();
    let templates = dir.path().to_str().unwrap();
    let out = succeed(ogmill().current_dir(dir.path()).args([
        "render",
        "default",
        "--templates",
        templates,
        "-o",
        "ok.png",
    ]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("template 'broken' is skipped"), "{err}");
    let err = fail(ogmill().args(["render", "broken", "--templates", templates]));
    assert!(err.contains("template 'broken' did not load"), "{err}");
    let out = ogmill()
        .args(["check", "--templates", templates])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("broken: error"));
    let err = fail(ogmill().args(["serve", "--bind", "127.0.0.1:0", "--templates", templates]));
    assert!(err.contains("broken.svg"), "{err}");
}

fn sign_hello() -> [&'static str; 3] {
    ["sign", "blog", "title=Hello"]
}

#[test]
fn render_draws_an_asset_and_warns_but_still_renders_when_an_image_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/assets");
    let out = succeed(
        ogmill()
            .current_dir(dir.path())
            .args([
                "render",
                "product",
                "-p",
                "name=Lamp",
                "-p",
                "image=photo.jpg",
            ])
            .args(["--assets", assets, "-o", "with.png"]),
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
    let out = succeed(
        ogmill()
            .current_dir(dir.path())
            .args([
                "render",
                "product",
                "-p",
                "name=Lamp",
                "-p",
                "image=gone.jpg",
            ])
            .args(["--assets", assets, "-o", "without.png"]),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: image 'image' drawn as a placeholder: no asset named 'gone.jpg'"),
        "{stderr}"
    );
    let with = decode_png(&std::fs::read(dir.path().join("with.png")).unwrap());
    let without = decode_png(&std::fs::read(dir.path().join("without.png")).unwrap());
    assert_ne!(
        with.get_pixel(300, 200),
        without.get_pixel(300, 200),
        "the photo is drawn"
    );
}

#[test]
fn check_passes_the_bundled_templates_and_lists_characters_no_font_draws() {
    let out = succeed(ogmill().arg("check"));
    let report = String::from_utf8_lossy(&out.stdout);
    for t in ["blog: ok", "default: ok", "product: ok", "profile: ok"] {
        assert!(report.contains(t), "{report}");
    }
    let dir = tempfile::tempdir().unwrap();
    let titles = dir.path().join("titles.tsv");
    std::fs::write(
        &titles,
        "id\tscript\tdir\ttitle\n1\tlatin\tltr\tHello\n2\tcjk\tltr\t中文\n3\tlinear-b\tltr\t𐀀𐀁\n",
    )
    .unwrap();
    let out = ogmill()
        .arg("check")
        .arg("--titles")
        .arg(&titles)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("blog: 2 character(s) no loaded font draws: U+10000 U+10001"),
        "{report}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--fonts DIR") && !stderr.contains("WARN"),
        "{stderr}"
    );
}

#[test]
fn healthcheck_exits_0_while_the_server_answers_and_1_once_it_is_gone() {
    let (mut child, addr) = spawn_server(&[]);
    let probe = |args: &[&str]| ogmill().arg("healthcheck").args(args).output().unwrap();
    let by_bind = probe(&["--bind", &addr.to_string()]);
    assert!(
        by_bind.status.success(),
        "{}",
        String::from_utf8_lossy(&by_bind.stderr)
    );
    let readyz = format!("http://{addr}/readyz");
    assert!(probe(&["--url", &readyz]).status.success());
    let missing = probe(&["--url", &format!("http://{addr}/no-such-route")]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("answered 404"));
    child.kill().unwrap();
    child.wait().unwrap();
    let gone = probe(&["--bind", &addr.to_string()]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stderr).contains("/healthz"));
}

#[test]
fn a_reader_that_stops_early_is_no_crash() {
    // `ogmill templates | head -0`: the pipe is closed before ogmill writes a line.
    let mut child = ogmill()
        .arg("templates")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?} {stderr}", out.status);
}

/// `ogmill bench` reports each template's renders, and says which were encoded whole: none of
/// the blog card's (its palette fits), all of a design whose background is a photo.
#[test]
fn bench_reports_renders_and_which_were_encoded_whole() {
    let designs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/templates");
    let bench = |args: &[&str]| -> serde_json::Value {
        let out = succeed(
            ogmill()
                .args(["bench", "--iterations", "3", "--no-baseline", "--json"])
                .args(args),
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let blog = &bench(&["blog"])[0];
    assert_eq!(blog["template"], "blog");
    assert_eq!(blog["renders"], 3);
    assert_eq!(blog["encoded_whole"], 0, "{blog}");
    assert!(blog["p50"].as_f64().unwrap() > 0.0 && blog["bytes"].as_u64().unwrap() > 10_000);
    let photo = &bench(&["--templates", designs.to_str().unwrap(), "affinity"])[0];
    assert_eq!(photo["encoded_whole"], 3, "{photo}");
    let table = succeed(
        ogmill()
            .args(["bench", "--iterations", "2", "--no-baseline", "--templates"])
            .arg(&designs)
            .arg("affinity"),
    );
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("| affinity | png |"), "{table}");
    assert!(
        table.contains("Encoded whole") && table.contains("affinity 2 of 2"),
        "{table}"
    );
}

/// The body of a GET of `path` on a dev server (addressed to `localhost`, as a dev server
/// requires), and its status.
fn dev_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    conn.write_all(req.as_bytes()).unwrap();
    let mut raw = vec![];
    conn.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

/// `serve --dev --templates DIR` on a directory that does not exist yet starts (and makes
/// it) with no templates, instead of refusing: the playground says where designs go, a card
/// request is a 404 (no crash), and a template written there is served after the reload.
#[test]
fn a_dev_server_starts_on_a_new_templates_directory_and_serves_what_lands_there() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("new-templates");
    let (_server, addr) = spawn_server(&["--dev", "--templates", dir.to_str().unwrap()]);
    assert!(dir.is_dir());
    let (status, body) = dev_get(addr, "/playground/state");
    assert_eq!(status, 200, "{body}");
    // Chunked or not, the JSON is the part between the outer braces.
    let json = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
    let state: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(state["templates"], serde_json::json!([]));
    assert!(
        state["saves_to"]
            .as_str()
            .unwrap()
            .ends_with("new-templates"),
        "{state}"
    );
    assert_eq!(dev_get(addr, "/api/og?title=x").0, 404);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("svg-templates/blog.svg"),
        dir.join("blog.svg"),
    )
    .unwrap();
    // The reload is asynchronous: poll (a hang guard of 30 s, not a speed bound).
    let start = std::time::Instant::now();
    while dev_get(addr, "/api/og/blog?title=Saved").0 != 200 {
        assert!(
            start.elapsed().as_secs() < 30,
            "the new template is never served"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
