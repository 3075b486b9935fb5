//! The Next.js example as a user meets it: copied out of the repository, installed from its
//! lockfile, built with `next build` against the real `ogmill` binary, served with
//! `next start`, and read the way link previews read it.
//!
//! Needs Node.js and npm (`.ci/test` installs them). npm's downloads are cached under
//! `target/npm-cache`, and open-graph-scraper is installed once into `target/og-tools`; the
//! first run's downloads are the slow part.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{free_port, wait_for_port, Process};

const KEY: &str = "nextjs-test-signing-key";
/// Variables a CI runner or a developer's shell might carry into the site's build.
const SITE_ENV: &[&str] = &[
    "OGMILL_URL",
    "OGMILL_SIGNING_KEYS",
    "OGMILL_SIGNING_KEY",
    "OGMILL_REQUIRE_SIGNATURE",
    "OGMILL_UNSIGNED",
    "OGMILL_PROXY",
    "OGMILL_BIN",
    "OG_MODE",
    "SITE_URL",
];

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/nextjs")
}

/// The site: the example copied to a temp dir outside the repository, as its README says
/// to, and `npm ci` run there.
struct Site {
    dir: tempfile::TempDir,
    /// A directory holding only an `ogmill` link, for PATH.
    bin: tempfile::TempDir,
}

impl Site {
    fn copy() -> Site {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&example(), dir.path());
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ogmill"), bin.path().join("ogmill"))
            .unwrap();
        let site = Site { dir, bin };
        let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm-cache");
        let out = site
            .npm(&[
                "ci",
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                "--cache",
            ])
            .arg(&cache)
            .output()
            .expect("npm runs (apt-get install nodejs npm)");
        assert!(
            out.status.success(),
            "npm ci failed:\n{}",
            text(&out.stderr)
        );
        site
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `npm ARGS` in the site, with none of the caller's ogmill or site variables.
    fn npm(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("npm");
        cmd.args(args).current_dir(self.path());
        for var in SITE_ENV {
            cmd.env_remove(var);
        }
        cmd.env("NEXT_TELEMETRY_DISABLED", "1");
        cmd
    }

    /// PATH with `ogmill` on it (`on_path`) or without any directory that has one.
    fn path_var(&self, on_path: bool) -> String {
        let rest = std::env::var("PATH").unwrap_or_default();
        let rest = std::env::split_paths(&rest).filter(|d| !d.join("ogmill").exists());
        let dirs: Vec<PathBuf> = on_path
            .then(|| self.bin.path().to_path_buf())
            .into_iter()
            .chain(rest)
            .collect();
        std::env::join_paths(dirs).unwrap().into_string().unwrap()
    }

    /// `next start` on a free port; returns once it answers.
    fn start(&self, envs: &[(&str, &str)]) -> (Process, String) {
        let port = free_port();
        let mut cmd = Command::new("node");
        cmd.arg(self.path().join("node_modules/next/dist/bin/next"))
            .args(["start", "-p", &port.to_string(), "-H", "127.0.0.1"])
            .current_dir(self.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for var in SITE_ENV {
            cmd.env_remove(var);
        }
        cmd.envs(envs.iter().copied());
        let child = Process(cmd.spawn().unwrap());
        let origin = format!("http://127.0.0.1:{port}");
        wait_for_port(port, "next start", Duration::from_secs(60));
        (child, origin)
    }
}

/// Runs `cmd` to completion within `limit` and fails the test, with what it printed, unless
/// it succeeds; returns what it printed.
pub(crate) fn must(cmd: &mut Command, limit: Duration) -> String {
    let (ok, printed) = run(cmd, limit);
    assert!(ok, "{cmd:?} failed:\n{printed}");
    printed
}

/// `npm ARGS` in `dir`, with downloads cached in `target/npm-cache` and none of the caller's
/// ogmill variables.
pub(crate) fn npm_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("npm");
    cmd.args(args)
        .args(["--no-audit", "--no-fund", "--prefer-offline", "--cache"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm-cache"))
        .current_dir(dir)
        .env("NEXT_TELEMETRY_DISABLED", "1");
    for var in SITE_ENV {
        cmd.env_remove(var);
    }
    cmd.env_remove("OGMILL_TEMPLATES");
    cmd
}

/// Runs `cmd` to completion within `limit`; returns its exit success and what it printed.
pub(crate) fn run(cmd: &mut Command, limit: Duration) -> (bool, String) {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .stdout(log.reopen().unwrap())
        .stderr(log.reopen().unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let mut printed = String::new();
            log.reopen().unwrap().read_to_string(&mut printed).unwrap();
            panic!("{cmd:?} did not finish in {limit:?}:\n{printed}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut printed = String::new();
    log.reopen().unwrap().read_to_string(&mut printed).unwrap();
    (status.success(), printed)
}

/// The ogmill server of the README, refusing URLs it did not sign.
fn ogmill_server() -> (Process, SocketAddr) {
    crate::cli::spawn_server(&["--require-signature", "--signing-key", KEY])
}

#[test]
fn the_example_builds_serves_signed_cards_and_cannot_be_made_to_render_unsigned_ones() {
    let site = Site::copy();
    let (_server, addr) = ogmill_server();
    let ogmill_url = format!("http://{addr}");
    let build = Duration::from_secs(300);

    // A build with no key fails, saying which variable to set, whether or not the server
    // can be reached: unsigned URLs are an explicit opt-in.
    let unreachable = format!("http://127.0.0.1:{}", free_port());
    for server in [&ogmill_url, &unreachable] {
        let (ok, printed) = run(site.npm(&["run", "build"]).env("OGMILL_URL", server), build);
        assert!(!ok, "a build without a signing key passed:\n{printed}");
        assert!(
            printed.contains("no signing key")
                && printed.contains("OGMILL_SIGNING_KEYS")
                && printed.contains("OGMILL_UNSIGNED=1"),
            "{printed}"
        );
    }
    // Opting in to unsigned URLs against a server that requires signatures still fails.
    let (ok, printed) = run(
        site.npm(&["run", "build"])
            .env("OGMILL_URL", &ogmill_url)
            .env("OGMILL_UNSIGNED", "1"),
        build,
    );
    assert!(!ok, "an unsigned build passed:\n{printed}");
    assert!(printed.contains("requires signed URLs"), "{printed}");
    // So does one with a key the server does not hold.
    let (ok, printed) = run(
        site.npm(&["run", "build"])
            .env("OGMILL_URL", &ogmill_url)
            .env("OGMILL_SIGNING_KEYS", "not-the-servers-key"),
        build,
    );
    assert!(!ok && printed.contains("refuses URLs signed"), "{printed}");

    // The README's on-demand build.
    let (ok, printed) = run(
        site.npm(&["run", "build"])
            .env("OGMILL_URL", &ogmill_url)
            .env("OGMILL_SIGNING_KEYS", KEY),
        build,
    );
    assert!(ok, "next build failed:\n{printed}");
    assert!(!printed.contains("ogmill:"), "{printed}");
    let written = std::fs::read_to_string(site.path().join("tsconfig.json")).unwrap();
    let shipped = std::fs::read_to_string(example().join("tsconfig.json")).unwrap();
    assert_eq!(
        written, shipped,
        "next build rewrote tsconfig.json: commit its version"
    );

    let (_next, origin) = site.start(&[]);
    let pages = read_tags(&origin);
    assert_eq!(pages.len(), 4);
    for page in &pages {
        let image = page.image();
        assert!(image.starts_with(&ogmill_url), "{page:?}");
        let card = get(&image);
        assert_eq!(card.status, 200, "{image}");
        assert_eq!(card.content_type, "image/png");
        assert_eq!(png_size(&card.body), (1200, 630));
        // The same card as `ogmill sign` + GET makes for the same values.
        assert_eq!(card.body, get(&signed(&ogmill_url, page)).body, "{image}");
    }
    // Off by default, the proxy route renders nothing.
    let proxied = format!("{origin}/api/og/blog?title=Anything+at+all");
    assert_eq!(get(&proxied).status, 404);

    // Turned on, it passes requests to ogmill as they came: signed ones render, others not.
    let (_proxy, origin) = site.start(&[("OGMILL_URL", &ogmill_url), ("OGMILL_PROXY", "1")]);
    let unsigned = get(&format!("{origin}/api/og/blog?title=Anything+at+all"));
    assert_eq!(unsigned.status, 403);
    let page = &pages[0];
    let image = page.image();
    let path = &image[ogmill_url.len()..];
    let through = get(&format!("{origin}{path}"));
    assert_eq!(through.status, 200);
    assert_eq!(through.body, get(&image).body);
    let tampered = format!("{origin}{}", path.replacen("title=", "title=Not%20", 1));
    assert_eq!(get(&tampered).status, 403);
}

#[test]
fn the_static_build_prerenders_every_card_and_says_where_ogmill_is_missing() {
    let site = Site::copy();
    // With no ogmill on PATH and no OGMILL_BIN, og:build says both.
    let (ok, printed) = run(
        site.npm(&["run", "og:build"])
            .env("PATH", site.path_var(false)),
        Duration::from_secs(60),
    );
    assert!(!ok, "{printed}");
    assert!(
        printed.contains("not on PATH") && printed.contains("OGMILL_BIN"),
        "{printed}"
    );

    let (ok, printed) = run(
        site.npm(&["run", "build:static"])
            .env("PATH", site.path_var(true)),
        Duration::from_secs(300),
    );
    assert!(ok, "npm run build:static failed:\n{printed}");
    let (_next, origin) = site.start(&[]);
    for page in read_tags(&origin) {
        let image = page.image();
        let path = image
            .strip_prefix("http://localhost:3001")
            .unwrap_or_else(|| panic!("{page:?}"));
        assert!(
            path.starts_with("/og/blog/") && path.ends_with(".png"),
            "{path}"
        );
        let card = get(&format!("{origin}{path}"));
        assert_eq!(card.status, 200, "{path}");
        assert_eq!(png_size(&card.body), (1200, 630));
    }
}

/// One page's tags as open-graph-scraper reads them.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tags {
    pub(crate) url: String,
    pub(crate) status: u16,
    pub(crate) og_image: Vec<OgImage>,
    pub(crate) twitter_card: Option<String>,
    pub(crate) twitter_image: Vec<OgImage>,
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct OgImage {
    pub(crate) url: String,
    width: Option<serde_json::Value>,
    height: Option<serde_json::Value>,
}

impl OgImage {
    /// The declared width and height, whether the page wrote them as strings or numbers.
    pub(crate) fn size(&self) -> (Option<u32>, Option<u32>) {
        let number = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s.parse::<u32>().ok(),
            Some(v) => v.as_u64().map(|n| n as u32),
            None => None,
        };
        (number(&self.width), number(&self.height))
    }
}

impl Tags {
    /// The page's one og:image, checked against its declared size and Twitter card.
    pub(crate) fn image(&self) -> String {
        assert_eq!(self.status, 200, "{}: {self:?}", self.url);
        let [image] = &self.og_image[..] else {
            panic!("not one og:image: {self:?}")
        };
        assert_eq!(image.size(), (Some(1200), Some(630)), "{self:?}");
        assert_eq!(self.twitter_card.as_deref(), Some("summary_large_image"));
        // Both routers give the Twitter card its size too (the Pages Router once did not).
        assert!(
            self.twitter_image
                .iter()
                .any(|t| t.url == image.url && t.size() == (Some(1200), Some(630))),
            "{self:?}"
        );
        image.url.clone()
    }
}

/// Every post page of both routers, read with open-graph-scraper.
fn read_tags(origin: &str) -> Vec<Tags> {
    let posts: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(example().join("content/posts.json")).unwrap(),
    )
    .unwrap();
    let pages = posts.iter().flat_map(|p| {
        let slug = p["slug"].as_str().unwrap().to_string();
        [
            format!("{origin}/blog/{slug}"),
            format!("{origin}/legacy/{slug}"),
        ]
    });
    read_tags_of(pages)
}

/// The tags of each page, read with open-graph-scraper.
pub(crate) fn read_tags_of(pages: impl IntoIterator<Item = String>) -> Vec<Tags> {
    let tools = crate::support::npm_tools(
        "og-tools",
        &["open-graph-scraper@6.12.0"],
        &["node_modules/open-graph-scraper/package.json"],
    );
    let out = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/og-tags.mjs"))
        .arg(&tools)
        .args(pages)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The URL `ogmill sign` prints for the values in a page's card URL.
fn signed(ogmill_url: &str, page: &Tags) -> String {
    let image = url_query(&page.image());
    let values = image
        .iter()
        .filter(|(k, _)| k != "sig")
        .map(|(k, v)| format!("{k}={v}"));
    let out = Command::new(env!("CARGO_BIN_EXE_ogmill"))
        .args([
            "sign",
            "blog",
            "--signing-key",
            KEY,
            "--base-url",
            ogmill_url,
        ])
        .args(values)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

fn url_query(url: &str) -> Vec<(String, String)> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

pub(crate) struct Fetched {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

pub(crate) fn get(url: &str) -> Fetched {
    // reqwest is built without a default TLS provider; these URLs are plain HTTP anyway.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let res = reqwest::get(url).await.unwrap();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        Fetched {
            status: res.status().as_u16(),
            content_type,
            body: res.bytes().await.unwrap().to_vec(),
        }
    })
}

pub(crate) fn png_size(bytes: &[u8]) -> (u32, u32) {
    let card = crate::support::decode_png(bytes);
    (card.width(), card.height())
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Copies the example's own files: not what an install or a build left in the checkout.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let skip = [
            "node_modules",
            ".next",
            ".ogmill",
            "next-env.d.ts",
            "tsconfig.tsbuildinfo",
        ];
        if skip.iter().any(|s| name == *s) || (from.ends_with("public") && name == "og") {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
