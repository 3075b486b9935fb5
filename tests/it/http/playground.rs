//! The playground's server side: the page and its assets, card URLs (signed in dev mode),
//! the fit header, the page checker, and hot reload (swap, stale cache entries, events).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use ogmill_core::{Options, Renderer};
use ogmill_server::{watch, AppState, DevEvent, ServerOptions};

use super::{get, metric, post_json, state};
use crate::support::copy_templates;

#[tokio::test]
async fn the_page_and_its_assets_are_served_from_the_binary() {
    let s = state(ServerOptions::default());
    for (path, kind, needle) in [
        ("/", "text/html", "ogmill <span>playground</span>"),
        ("/playground", "text/html", "/playground/app.js"),
        ("/playground/app.js", "text/javascript", "EventSource"),
        ("/playground/app.css", "text/css", "@media"),
    ] {
        let r = get(&s, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.header("content-type").starts_with(kind), "{path}");
        assert!(r.text().contains(needle), "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        // The page runs only this server's scripts and is never framed.
        if kind == "text/html" {
            let csp = r.header("content-security-policy");
            assert!(
                csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{csp}"
            );
            assert_eq!(r.header("x-frame-options"), "DENY");
        }
    }
    // Cards and errors too carry nosniff.
    for path in ["/api/og?title=x", "/nope"] {
        assert_eq!(
            get(&s, path).await.header("x-content-type-options"),
            "nosniff"
        );
    }
    // Without --dev the design route does not exist, and a big body is refused at the
    // request limit instead of buffered up to the design limit (10 MiB) first.
    let big = format!("{{\"svg\": \"{}\"}}", "a".repeat(1 << 20));
    let len = big.len().to_string();
    let r = post_json(&s, "/playground/design", &big, &[("content-length", &len)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text());
    let st: serde_json::Value =
        serde_json::from_slice(&get(&s, "/playground/state").await.body).unwrap();
    assert_eq!(st["dev"], false);
    let names: Vec<&str> = st["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, crate::support::bundled_names());
}

#[tokio::test]
async fn a_card_url_is_checked_and_its_render_says_what_the_fit_decided() {
    let s = state(ServerOptions::default());
    let r = get(
        &s,
        "/playground/url/blog?title=Hello%20there&author=&dir=rtl",
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        v["url"], "/api/og/blog?title=Hello%20there&dir=rtl",
        "empty values left out"
    );
    assert_eq!(v["signed"], false);
    let card = get(&s, v["url"].as_str().unwrap()).await;
    card.png();
    assert_eq!(
        card.header("x-ogmill-fit"),
        "title 76 1, author 32 1, date 28 1"
    );
    let long = "word ".repeat(59) + "end";
    let cut = get(&s, &format!("/api/og?title={}", long.replace(' ', "%20"))).await;
    assert!(
        cut.header("x-ogmill-fit").contains(" truncated"),
        "{}",
        cut.header("x-ogmill-fit")
    );
    let bad = get(&s, "/playground/url/blog?titel=x").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.text().contains("unknown parameter 'titel'"),
        "{}",
        bad.text()
    );
}

#[tokio::test]
async fn urls_are_signed_only_by_a_dev_server() {
    let keyed = ServerOptions {
        signing_keys: vec!["playground-key-0123456789".into()],
        require_signature: true,
        ..Default::default()
    };
    let prod = state(keyed.clone());
    let v: serde_json::Value =
        serde_json::from_slice(&get(&prod, "/playground/url/default?title=Hi").await.body).unwrap();
    assert_eq!(
        v["signed"], false,
        "a public server must not sign for anyone who asks"
    );
    assert_eq!(
        get(&prod, v["url"].as_str().unwrap()).await.status,
        StatusCode::FORBIDDEN
    );
    let dev = state(ServerOptions { dev: true, ..keyed });
    let v: serde_json::Value =
        serde_json::from_slice(&get(&dev, "/playground/url/default?title=Hi").await.body).unwrap();
    assert_eq!(v["signed"], true);
    assert!(v["url"].as_str().unwrap().contains("&sig="));
    get(&dev, v["url"].as_str().unwrap()).await.png();
}

/// A site on loopback with one page whose tags have the usual mistakes, and its image.
async fn site() -> std::net::SocketAddr {
    use axum::routing::get as route;
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/default.png"
    ))
    .unwrap();
    let page = r#"<!doctype html><html><head><title>Hello</title>
        <meta property="og:title" content="Hello">
        <meta property="og:image" content="/og.png">
        <meta name="twitter:card" content="summary"></head><body></body></html>"#;
    // A square WebP, which X, Facebook and LinkedIn crop and some do not show at all.
    let mut webp = vec![];
    image::RgbaImage::from_pixel(1080, 1080, image::Rgba([20, 30, 40, 255]))
        .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut webp))
        .unwrap();
    let square = page.replace("/og.png", "/og.webp");
    let app = axum::Router::new()
        .route(
            "/post",
            route(move || async move { axum::response::Html(page) }),
        )
        .route(
            "/square",
            route(move || async move { axum::response::Html(square) }),
        )
        .route(
            "/og.webp",
            route(move || async move { ([("content-type", "image/webp")], webp) }),
        )
        .route(
            "/og.png",
            route(move || async move { ([("content-type", "image/png")], png) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test]
async fn the_page_checker_reads_tags_on_loopback_in_dev_mode_only() {
    let addr = site().await;
    let uri = format!("/playground/check?url=http://{addr}/post");
    let prod = state(ServerOptions::default());
    let r = get(&prod, &uri).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("--dev"), "{}", r.text());
    let dev = state(ServerOptions {
        dev: true,
        ..Default::default()
    });
    let r = get(&dev, &uri).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let report: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let problems: Vec<String> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "og:image '/og.png' is relative",
        "og:image:width and og:image:height are missing",
        "twitter:card is 'summary'",
        "og:description is missing",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:?}"
        );
    }
    // The platforms' limits: a 1200x630 PNG passes them all; a square WebP does not.
    assert!(
        !problems.iter().any(|p| p.starts_with("X:")),
        "{problems:?}"
    );
    let r = get(&dev, &format!("/playground/check?url=http://{addr}/square")).await;
    let square: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let said = |level: &str, text: &str| {
        square["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["level"] == level && p["message"].as_str().unwrap().contains(text))
    };
    assert!(
        said("error", "LinkedIn: does not show webp images"),
        "{square}"
    );
    assert!(
        said("warning", "X: crops the large card to 2:1"),
        "{square}"
    );
    assert!(!said("error", "Discord"), "{square}");
    let image = &report["image"];
    assert_eq!(image["url"], format!("http://{addr}/og.png"));
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(1200), Some(630))
    );
    // Loopback only: other private networks stay closed, even in dev mode.
    let r = get(&dev, "/playground/check?url=http://10.0.0.1/").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("not a public address"), "{}", r.text());
}

fn dev_state(dir: &Path) -> (AppState, Options) {
    let options = Options {
        templates_dir: Some(dir.to_owned()),
        ..Default::default()
    };
    let renderer = Arc::new(Renderer::new(options.clone()).unwrap());
    let s = AppState::new(
        renderer,
        ServerOptions {
            dev: true,
            ..Default::default()
        },
    )
    .unwrap();
    (s, options)
}

/// Makes the default template's background red (a value no test title produces).
fn recolor(dir: &Path, color: &str) {
    let path = dir.join("default.svg");
    let svg = std::fs::read_to_string(&path).unwrap();
    let at = svg.find("<rect").expect("a background rect");
    let end = at + svg[at..].find("/>").unwrap();
    let rect = format!(r#"<rect width="1200" height="630" fill="{color}"/>"#);
    std::fs::write(&path, format!("{}{rect}{}", &svg[..at], &svg[end + 2..])).unwrap();
}

#[tokio::test]
async fn a_reload_swaps_templates_drops_their_stale_cards_and_keeps_the_old_on_error() {
    let dir = tempfile::tempdir().unwrap();
    copy_templates(dir.path());
    let (s, options) = dev_state(dir.path());
    let mut events = s.events();
    let uri = "/api/og?title=Reload";
    let before = get(&s, uri).await;
    assert_eq!(get(&s, uri).await.header("x-ogmill-cache"), "hit");
    let blog = "/api/og/blog?title=Untouched";
    get(&s, blog).await.png();
    let entries = metric(&s, "ogmill_cache_entries");

    recolor(dir.path(), "#ff0000");
    watch::reload(&s, &options);
    assert_eq!(
        metric(&s, "ogmill_cache_entries"),
        entries - 1.0,
        "the changed template's card leaves memory at once"
    );
    assert_eq!(
        events.try_recv().unwrap(),
        DevEvent::Reload {
            templates: vec!["default".into()]
        }
    );
    let after = get(&s, uri).await;
    assert_eq!(after.header("x-ogmill-cache"), "miss");
    assert_ne!(before.header("etag"), after.header("etag"));
    assert_eq!(after.png().get_pixel(1, 1).0, [255, 0, 0, 255]);
    assert_eq!(
        get(&s, blog).await.header("x-ogmill-cache"),
        "hit",
        "other templates keep their cards"
    );

    std::fs::write(dir.path().join("default.svg"), "<svg broken").unwrap();
    watch::reload(&s, &options);
    match events.try_recv().unwrap() {
        DevEvent::Error { message } => assert!(message.contains("default.svg"), "{message}"),
        other => panic!("{other:?}"),
    }
    let st: serde_json::Value =
        serde_json::from_slice(&get(&s, "/playground/state").await.body).unwrap();
    assert!(st["reload_error"].as_str().unwrap().contains("default.svg"));
    assert_eq!(
        get(&s, uri).await.png().get_pixel(1, 1).0,
        [255, 0, 0, 255],
        "old version kept"
    );
}

#[tokio::test]
async fn the_watcher_reloads_when_a_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    copy_templates(dir.path());
    let (s, options) = dev_state(dir.path());
    let _watch = watch::watch(s.clone(), options, &[dir.path().to_owned()]).unwrap();
    let mut events = s.events();
    recolor(dir.path(), "#00ff00");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match events.try_recv() {
            Ok(DevEvent::Reload { .. }) => break,
            Ok(other) => panic!("{other:?}"),
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("no reload within 10 s: {e:?}"),
        }
    }
    let card = get(&s, "/api/og?title=Watched").await;
    assert_eq!(card.png().get_pixel(1, 1).0, [0, 255, 0, 255]);
}

#[tokio::test]
async fn events_are_a_dev_only_stream() {
    let r = get(&state(ServerOptions::default()), "/playground/events").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_event_stream_carries_reload_news_and_ends_on_shutdown() {
    use tower::ServiceExt;
    let s = state(ServerOptions {
        dev: true,
        ..Default::default()
    });
    let req = axum::http::Request::get("/playground/events")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = ogmill_server::app(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let body = tokio::spawn(axum::body::to_bytes(res.into_body(), 1 << 20));
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.report_reload_error("blog.svg: bad XML".into());
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.start_draining();
    let body = tokio::time::timeout(Duration::from_secs(2), body)
        .await
        .expect("the stream ends when the server drains")
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains("event: reload-error"), "{text}");
    assert!(text.contains(r#""message":"blog.svg: bad XML""#), "{text}");
}

fn design_source() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/designs/exports/figma.svg"),
    )
    .unwrap()
}

async fn open_design(s: &AppState) -> serde_json::Value {
    let res = post_json(s, "/playground/design", &design_source(), &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    serde_json::from_slice(&res.body).unwrap()
}

#[tokio::test]
async fn design_mode_is_only_for_dev_servers() {
    let res = post_json(
        &state(ServerOptions::default()),
        "/playground/design",
        &design_source(),
        &[],
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&res.body).contains("--dev"));
}

#[tokio::test]
async fn design_mode_previews_choices_and_saves_only_inside_the_templates_dir() {
    let dir = tempfile::tempdir().unwrap();
    crate::support::copy_templates(dir.path());
    let renderer = ogmill_core::Renderer::new(ogmill_core::Options {
        templates_dir: Some(dir.path().to_owned()),
        ..ogmill_core::Options::default()
    })
    .unwrap();
    let s = AppState::new(
        std::sync::Arc::new(renderer),
        ServerOptions {
            dev: true,
            ..ServerOptions::default()
        },
    )
    .unwrap();
    let d = open_design(&s).await;
    let id = d["id"].as_str().unwrap();
    let mut choices: Vec<serde_json::Value> = d["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["suggested"].clone())
        .collect();
    assert_eq!(choices.len(), 2);
    choices[1]["bound"] = false.into();
    let body = serde_json::json!({ "choices": choices, "values": [["title", "Previewed"]] });
    let preview = post_json(
        &s,
        &format!("/playground/design/{id}/preview"),
        &body.to_string(),
        &[],
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.starts_with(b"\x89PNG"));
    assert!(
        preview.header("x-ogmill-fit").starts_with("title "),
        "{}",
        preview.header("x-ogmill-fit")
    );

    // Names that would leave the directory, or are not names, are refused.
    for name in ["../escape", "a/b", "", "x.svg"] {
        let body = serde_json::json!({ "name": name, "choices": choices });
        let res = post_json(
            &s,
            &format!("/playground/design/{id}/save"),
            &body.to_string(),
            &[],
        )
        .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{name}");
    }
    // An existing template is replaced only when asked.
    let save = |name: &str, replace: bool, choices: &[serde_json::Value]| {
        serde_json::json!({ "name": name, "choices": choices, "replace": replace }).to_string()
    };
    let url = format!("/playground/design/{id}/save");
    assert_eq!(
        post_json(&s, &url, &save("blog", false, &choices), &[])
            .await
            .status,
        StatusCode::CONFLICT
    );
    let blog = std::fs::read_to_string(dir.path().join("blog.svg")).unwrap();
    assert!(
        blog.contains("og:text=\"{{author}}\""),
        "blog.svg untouched"
    );
    let ok = post_json(&s, &url, &save("card-from-figma", false, &choices), &[]).await;
    assert_eq!(ok.status, StatusCode::OK);
    let written = std::fs::read_to_string(dir.path().join("card-from-figma.svg")).unwrap();
    assert_eq!(
        written.matches("og:text=").count(),
        1,
        "one text bound, one left as drawn"
    );
    // A link planted in the templates directory is never written through: not as the
    // target (dangling or not, replace or not), and not as the old temp file name.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join(".planted.svg.tmp")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("linked.svg")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("gone"), dir.path().join("dangling.svg"))
        .unwrap();
    for (name, replace) in [("linked", true), ("dangling", false), ("dangling", true)] {
        let res = post_json(&s, &url, &save(name, replace, &choices), &[]).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{name} {replace}");
    }
    let res = post_json(&s, &url, &save("planted", false, &choices), &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!outside.path().join("gone").exists());
    // Bad choices are a 400 with a reason.
    choices[0]["param"] = "not a name".into();
    let bad = post_json(&s, &url, &save("other", false, &choices), &[]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&bad.body).contains("not a param name"));
}

/// A dev server answers only requests addressed to loopback (a DNS-rebinding page sends its
/// own name as Host), refuses state-changing requests from another site's page (Origin,
/// including a cross-site text/plain POST), and will not start on a non-loopback address
/// without --dev-public.
#[tokio::test]
async fn a_dev_server_answers_only_this_machine() {
    use axum::body::Body;
    use axum::http::Request;
    let dir = tempfile::tempdir().unwrap();
    copy_templates(dir.path());
    let (s, _) = dev_state(dir.path());
    let ask = |method: &str, path: &str, host: &str, origin: Option<&str>| {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", host);
        if let Some(o) = origin {
            req = req.header("origin", o).header("content-type", "text/plain");
        }
        let body = if method == "POST" {
            Body::from("{}")
        } else {
            Body::empty()
        };
        super::send(&s, req.body(body).unwrap())
    };
    for host in [
        "localhost:3000",
        "127.0.0.1:3000",
        "[::1]:3000",
        "app.localhost",
    ] {
        let r = ask("GET", "/playground/state", host, None).await;
        assert_eq!(r.status, StatusCode::OK, "{host}");
    }
    for host in [
        "evil.example",
        "evil.example:3000",
        "127.0.0.1.evil.example",
    ] {
        let r = ask("GET", "/playground/url/blog?title=x", host, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{host}");
        assert!(r.text().contains("--dev-public"), "{}", r.text());
    }
    let cross = ask(
        "POST",
        "/playground/design",
        "localhost:3000",
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN, "{}", cross.text());
    // Same site, but not the page this server served: no per-start token.
    let same = ask(
        "POST",
        "/playground/design",
        "localhost:3000",
        Some("http://localhost:3000"),
    )
    .await;
    assert_eq!(same.status, StatusCode::FORBIDDEN, "{}", same.text());
    assert!(
        same.text().contains("X-Ogmill-Dev-Token"),
        "{}",
        same.text()
    );
    let page = |token: &str| {
        let req = Request::builder()
            .method("POST")
            .uri("/playground/design")
            .header("host", "localhost:3000")
            .header("origin", "http://localhost:3000")
            .header("x-ogmill-dev-token", token)
            .body(Body::from(design_source()))
            .unwrap();
        super::send(&s, req)
    };
    let wrong = page(&"0".repeat(64)).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text());
    // The token the playground reads from /playground/state (same-origin only).
    let st: serde_json::Value =
        serde_json::from_slice(&super::get(&s, "/playground/state").await.body).unwrap();
    let token = st["dev_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    let right = page(&token).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.text());

    let renderer = Arc::new(Renderer::new(Options::default()).unwrap());
    let public = |dev_public| {
        AppState::new(
            renderer.clone(),
            ServerOptions {
                dev: true,
                dev_public,
                bind: "0.0.0.0:3000".parse().unwrap(),
                ..Default::default()
            },
        )
    };
    let err = public(false).err().expect("refused").to_string();
    assert!(err.contains("--dev-public"), "{err}");
    assert!(public(true).is_ok());
}
