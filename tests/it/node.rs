//! ogmill in Node as a user meets it: the npm package built with `@napi-rs/cli` (`npm run
//! build:debug` in crates/ogmill-node, into the workspace's `target/`), packed with `npm pack`,
//! and installed from the tarball into a fresh project, where its `node --test` suite runs;
//! then `ogmill-fonts-world` packed and installed beside it. And the in-process Next.js
//! example, installed from the same tarball, built with `next build` and served with
//! `next start`, read the way link previews read it.
//!
//! Needs Node.js and npm (`.ci/test` installs them) and the npm registry. npm's downloads
//! are cached under `target/npm-cache`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::nextjs::{copy_tree, get, must, npm_in, png_size, read_tags_of};
use crate::support::{free_port, wait_for_port, Process};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn package_dir() -> PathBuf {
    root().join("crates/ogmill-node")
}

/// The packed tarballs of `ogmill` and `ogmill-fonts-world`, made once per run.
struct Packed {
    ogmill: PathBuf,
    world: PathBuf,
    _dir: tempfile::TempDir,
}

fn packed() -> &'static Packed {
    static PACKED: OnceLock<Packed> = OnceLock::new();
    PACKED.get_or_init(|| {
        let pkg = package_dir();
        let long = Duration::from_secs(900);
        must(&mut npm_in(&pkg, &["ci"]), long);
        // The user's `npm run build` is a release build; the dev profile shares what the
        // tests compiled (dependencies are optimised in it, see Cargo.toml).
        must(
            npm_in(&pkg, &["run", "build:debug"]).env("CARGO_TARGET_DIR", root().join("target")),
            long,
        );
        let dir = tempfile::tempdir().unwrap();
        for from in [pkg.clone(), pkg.join("fonts-world")] {
            let mut cmd = npm_in(&from, &["pack"]);
            must(cmd.arg("--pack-destination").arg(dir.path()), long);
        }
        Packed {
            ogmill: dir.path().join("ogmill-0.1.0.tgz"),
            world: dir.path().join("ogmill-fonts-world-0.1.0.tgz"),
            _dir: dir,
        }
    })
}

fn mb(path: &Path) -> f64 {
    let out = Command::new("du").arg("-sb").arg(path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let bytes: f64 = text.split_whitespace().next().unwrap().parse().unwrap();
    bytes / 1e6
}

#[test]
fn the_npm_package_installs_from_its_tarball_and_passes_its_tests() {
    let packed = packed();
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(
        dir.join("package.json"),
        r#"{ "name": "uses-ogmill", "private": true, "type": "module" }"#,
    )
    .unwrap();
    let minutes = Duration::from_secs(600);
    must(npm_in(dir, &["install"]).arg(&packed.ogmill), minutes);
    eprintln!(
        "installed ogmill: {:.1} MB",
        mb(&dir.join("node_modules/ogmill"))
    );
    let tests = package_dir().join("test");
    for file in ["renderer.test.mjs", "handler.test.mjs", "world.test.mjs"] {
        std::fs::copy(tests.join(file), dir.join(file)).unwrap();
    }
    let node_test = |files: &[&str]| {
        let mut cmd = Command::new("node");
        cmd.args(["--expose-gc", "--test", "--test-reporter=spec"])
            .args(files)
            .current_dir(dir)
            .env("OGMILL_BIN", env!("CARGO_BIN_EXE_ogmill"))
            .env("OGMILL_FONTS", root().join("fonts"))
            .env_remove("OGMILL_SIGNING_KEYS")
            .env_remove("OGMILL_SIGNING_KEY");
        must(&mut cmd, minutes)
    };
    node_test(&["renderer.test.mjs", "handler.test.mjs"]);
    // The world's scripts, once their package is installed beside ogmill.
    must(npm_in(dir, &["install"]).arg(&packed.world), minutes);
    eprintln!(
        "installed ogmill-fonts-world: {:.1} MB",
        mb(&dir.join("node_modules/ogmill-fonts-world"))
    );
    node_test(&["world.test.mjs"]);
}

#[test]
fn the_inprocess_nextjs_example_builds_and_serves_every_card_with_no_server_beside_it() {
    let packed = packed();
    let site = tempfile::tempdir().unwrap();
    copy_tree(&root().join("examples/nextjs-inprocess"), site.path());
    must(
        npm_in(site.path(), &["install"]).arg(&packed.ogmill),
        Duration::from_secs(600),
    );
    // Next writes absolute og:image URLs against metadataBase (SITE_URL) at build time.
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let printed = must(
        npm_in(site.path(), &["run", "build"]).env("SITE_URL", &origin),
        Duration::from_secs(600),
    );
    assert!(printed.contains("opengraph-image"), "{printed}");

    let mut cmd = Command::new("node");
    cmd.arg(site.path().join("node_modules/next/dist/bin/next"))
        .args(["start", "-p", &port.to_string(), "-H", "127.0.0.1"])
        .current_dir(site.path())
        .env("NEXT_TELEMETRY_DISABLED", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let _next = Process(cmd.spawn().unwrap());
    wait_for_port(port, "next start", Duration::from_secs(60));

    let posts: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(root().join("examples/nextjs-inprocess/content/posts.json")).unwrap(),
    )
    .unwrap();
    let pages = posts.iter().map(|p| {
        let slug = p["slug"].as_str().unwrap();
        format!("{origin}/blog/{slug}")
    });
    let tags = read_tags_of(pages);
    assert_eq!(tags.len(), posts.len());
    for (page, post) in tags.iter().zip(&posts) {
        assert_eq!(page.status, 200, "{page:?}");
        assert_eq!(page.twitter_card.as_deref(), Some("summary_large_image"));
        // opengraph-image and twitter-image: one card each, sized, and the title drawn (byte
        // for byte the CLI's card for the post's values).
        let cli = cli_card(post);
        let [og] = &page.og_image[..] else {
            panic!("not one og:image: {page:?}")
        };
        let [twitter] = &page.twitter_image[..] else {
            panic!("not one twitter:image: {page:?}")
        };
        for image in [og, twitter] {
            assert_eq!(image.size(), (Some(1200), Some(630)), "{page:?}");
            assert!(image.url.starts_with(&origin), "{page:?}");
            let card = get(&image.url);
            assert_eq!(card.status, 200, "{}", image.url);
            assert_eq!(card.content_type, "image/png");
            assert_eq!(png_size(&card.body), (1200, 630));
            assert!(
                card.body == cli,
                "{} is not the card `ogmill render` draws",
                image.url
            );
        }
    }

    // The on-demand route: the server's GET semantics inside Next.
    let on_demand = get(&format!("{origin}/og/blog?title=On+demand+in+Next"));
    assert_eq!(on_demand.status, 200);
    assert_eq!(png_size(&on_demand.body), (1200, 630));
    let missing = get(&format!("{origin}/og/nope?title=x"));
    assert_eq!(missing.status, 404);
    assert!(String::from_utf8_lossy(&missing.body).contains("unknown template"));
}

/// The post's card as `ogmill render` draws it.
fn cli_card(post: &serde_json::Value) -> Vec<u8> {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("card.png");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ogmill"));
    cmd.args(["render", "blog", "-o"]).arg(&file);
    for name in ["title", "author", "date", "tag"] {
        cmd.arg("-p")
            .arg(format!("{name}={}", post[name].as_str().unwrap()));
    }
    must(&mut cmd, Duration::from_secs(60));
    std::fs::read(file).unwrap()
}
