//! Node against ogmill: the TypeScript helper in `examples/nextjs/lib/ogmill.ts`, compiled with tsc and run with
//! Node: its URLs carry the signatures the Rust signer makes and the server accepts.
//!
//! Needs Node.js and npm (`.ci/run` installs them); typescript and @types/node are
//! installed once into `target/ts-tools` from the npm registry.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use ogmill_core::request::signature::Signer;
use ogmill_server::ServerOptions;

const TOOLS: &[&str] = &["typescript@5.9.3", "@types/node@20.19.43"];

fn node_available() {
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "this test runs the TypeScript helper with Node.js: install it (apt-get install nodejs npm)"
    );
}

/// typescript and @types/node, installed once per target dir.
fn tools() -> PathBuf {
    crate::support::npm_tools(
        "ts-tools",
        TOOLS,
        &[
            "node_modules/typescript/bin/tsc",
            "node_modules/@types/node",
        ],
    )
}

/// The helper compiled (strict) with a driver beside it, once per test run.
fn compiled() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(compile).path()
}

fn compile() -> tempfile::TempDir {
    node_available();
    let tools = tools();
    let out = tempfile::tempdir().unwrap();
    let helper = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nextjs/lib/ogmill.ts");
    let tsc = Command::new("node")
        .arg(tools.join("node_modules/typescript/bin/tsc"))
        .args(["--strict", "--target", "es2020", "--module", "commonjs"])
        .args(["--types", "node", "--typeRoots"])
        .arg(tools.join("node_modules/@types"))
        .arg("--outDir")
        .arg(out.path())
        .arg(&helper)
        .output()
        .unwrap();
    assert!(
        tsc.status.success(),
        "tsc rejected the helper:\n{}",
        String::from_utf8_lossy(&tsc.stdout)
    );
    let driver = out.path().join("driver.js");
    std::fs::write(
        &driver,
        r#"const { ogUrl } = require("./ogmill.js");
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const attempt = (c) => { try { return ogUrl(c.template, c.params, c.options); } catch (e) { return `ERROR: ${e.message}`; } };
console.log(JSON.stringify(cases.map(attempt)));"#,
    )
    .unwrap();
    out
}

/// Runs `cases` (a JSON array of ogUrl arguments) through the compiled helper.
fn run_helper(cases: &serde_json::Value) -> Vec<String> {
    let driver = compiled().join("driver.js");
    let mut child = Command::new("node")
        .arg(&driver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let res = child.wait_with_output().unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    serde_json::from_slice(&res.stdout).unwrap()
}

/// (template, params without sig, sig) from a URL the helper made.
fn split(url: &str) -> (String, Vec<(String, String)>, Option<String>) {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap()
            .into_owned()
    };
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let template = decode(path.rsplit('/').next().unwrap());
    let mut params = vec![];
    let mut sig = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap();
        match decode(k).as_str() {
            "sig" => sig = Some(decode(v)),
            k => params.push((k.to_owned(), decode(v))),
        }
    }
    (template, params, sig)
}

#[test]
fn the_helper_signs_exactly_as_the_rust_signer() {
    let now = 1_800_000_000u64;
    let cases = serde_json::json!([
        {"template": "blog", "params": {"title": "Hello", "author": "Jane Doe"},
         "options": {"baseUrl": "https://og.example.com/", "key": "typescript-key-0123"}},
        {"template": "blog", "params": {"title": "Ünïcödé 日本語 🎉 עברית", "tag": "a&b=c+d%20 ?#/"},
         "options": {"baseUrl": "https://og.example.com", "key": "typescript-key-0123"}},
        {"template": "product", "params": {"price": 49.5, "name": "Lamp\nline two", "badge": null, "z": "", "a": true},
         "options": {"baseUrl": "http://localhost:3000", "key": "typescript-key-0123", "expiresIn": 3600, "now": now}},
        {"template": "default", "params": {"title": "unsigned"},
         "options": {"baseUrl": "http://localhost:3000"}},
    ]);
    let urls = run_helper(&cases);
    let signer = Signer::new(&["typescript-key-0123"]).unwrap();
    assert!(
        urls[0].starts_with("https://og.example.com/api/og/blog?"),
        "{}",
        urls[0]
    );
    for url in &urls[..3] {
        let (template, params, sig) = split(url);
        let sig = sig.unwrap_or_else(|| panic!("{url} is signed"));
        assert_eq!(sig, signer.sign(&template, &params), "{url}");
        signer.verify(&template, &params, &sig, now).unwrap();
    }
    let (_, params, _) = split(&urls[2]);
    assert!(params.contains(&("exp".into(), (now + 3600).to_string())));
    assert!(
        !params.iter().any(|(k, _)| k == "badge"),
        "null is left out"
    );
    assert_eq!(split(&urls[3]).2, None);
}

#[test]
fn the_helper_refuses_guessable_keys_and_values_named_like_the_signature() {
    let case = |key: &str, params: serde_json::Value| {
        serde_json::json!({"template": "blog", "params": params,
            "options": {"baseUrl": "http://localhost:3000", "key": key, "expiresIn": 60}})
    };
    let title = serde_json::json!({"title": "x"});
    let urls = run_helper(&serde_json::json!([
        case("", title.clone()),
        case("fifteen-bytes!!", title.clone()),
        case("sixteen-bytes!!!", title),
        // A caller's `exp` would be signed ahead of the helper's own.
        case(
            "sixteen-bytes!!!",
            serde_json::json!({"title": "x", "exp": "9999999999"})
        ),
        case(
            "sixteen-bytes!!!",
            serde_json::json!({"title": "x", "sig": "forged"})
        ),
    ]));
    assert!(
        urls[0].starts_with("ERROR: ") && urls[0].contains("empty"),
        "{}",
        urls[0]
    );
    assert!(
        urls[1].starts_with("ERROR: ") && urls[1].contains("15 bytes"),
        "{}",
        urls[1]
    );
    assert!(urls[2].starts_with("http://"), "{}", urls[2]);
    for refused in &urls[3..] {
        assert!(refused.contains("reserved for the signature"), "{refused}");
    }
}

#[tokio::test]
async fn a_url_from_the_helper_renders_on_a_server_that_requires_signatures() {
    let urls = run_helper(&serde_json::json!([
        {"template": "blog", "params": {"title": "Signed in TypeScript", "author": "Jane"},
         "options": {"baseUrl": "http://localhost:3000", "key": "site-key-0123456789", "expiresIn": 600}},
    ]));
    let s = crate::http::state(ServerOptions {
        signing_keys: vec!["site-key-0123456789".into()],
        require_signature: true,
        ..ServerOptions::default()
    });
    let path = urls[0].strip_prefix("http://localhost:3000").unwrap();
    crate::http::get(&s, path).await.png();
}

/// The hosted API's own client code (tests/clients/vendor-client.mjs: the Next.js route
/// handler's `fetch` with `Authorization: Bearer`, `JSON.stringify({ title })`,
/// `arrayBuffer()`) against the real binary, plus the nested and GET shapes of the same
/// values; an error comes back as the JSON those clients read.
#[test]
fn the_hosted_apis_client_code_works_against_the_binary() {
    node_available();
    let (mut server, addr) = crate::cli::spawn_server(&["--api-keys", "tutorial-key"]);
    let out = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/vendor-client.mjs"))
        .env("BASE_URL", format!("http://{addr}"))
        .env("API_KEY", "tutorial-key")
        .output()
        .expect("node runs");
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(seen["ok"]["status"], 200);
    assert_eq!(seen["ok"]["png"], true);
    assert_eq!(seen["bad"]["status"], 401);
    assert!(seen["bad"]["body"]["error"]
        .as_str()
        .unwrap()
        .contains("API key"));
    assert_eq!(seen["same"], true, "{seen}");
}
