//! The adversarial suite: hostile input, overload and faults, all against 127.0.0.1. Every
//! case has a stated bound; none may end in a 5xx, a hang or a read outside the templates.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use ogmill_server::ServerOptions;

use crate::http::{get, post_json, renders, slow, state, state_with_hook, Reply};

/// Every hostile request gets an answer within this, whatever it carries.
/// Not a speed bound (speed is for benches): a request that takes this long is stuck.
const HANG: Duration = Duration::from_secs(60);

/// The reply, failing the test if the request hangs or is a 5xx.
async fn bounded(s: &ogmill_server::AppState, uri: &str) -> Reply {
    let r = tokio::time::timeout(HANG, get(s, uri))
        .await
        .unwrap_or_else(|_| panic!("{uri} hung"));
    assert!(
        !r.status.is_server_error(),
        "{uri}: {} {}",
        r.status,
        r.text()
    );
    r
}

#[tokio::test]
async fn markup_and_broken_encodings_are_drawn_literally_or_refused_by_name() {
    let s = state(ServerOptions::default());
    let literal = [
        "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "%27%20onload%3D%27x",
        "%5D%5D%3E",
        "%3C!DOCTYPE%20x%20%5B%3C!ENTITY%20e%20SYSTEM%20%22file%3A%2F%2F%2Fetc%2Fpasswd%22%3E%5D%3E%26e%3B",
        "%26x%3B%26amp%3B%26%2360%3B",
        "%3Csvg%20onload%3Dalert(1)%3E",
        "a%01b%07c%1Bd",
        "%EF%BF%BE%EF%BF%BF",
        "%ED%A0%80",
        "%ZZ%4",
        "a+b%20c",
        "%E2%80%AE%E2%80%8Bzero%E2%80%8Dwidth",
    ];
    for value in literal {
        let r = bounded(&s, &format!("/api/og/blog?title={value}&author={value}")).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
            "{value}: {}",
            r.status
        );
        if r.status == StatusCode::BAD_REQUEST {
            assert!(
                r.text().contains("'title'") || r.text().contains("UTF-8"),
                "{value}: {}",
                r.text()
            );
        } else {
            r.png();
        }
    }
    for (uri, says) in [
        ("/api/og/blog?title=%FF%FE", "'title' is not valid UTF-8"),
        ("/api/og/blog?title=%C0%AF", "'title' is not valid UTF-8"),
        ("/api/og/blog?%FF=x", "name is not valid UTF-8"),
        (
            "/api/og/blog?title=a&title=b",
            "'title' was given more than once",
        ),
        ("/api/og/blog?accent=%22%3E%3Cx", "'accent'"),
        ("/api/og/blog?accent=url(javascript:x)", "'accent'"),
    ] {
        let r = bounded(&s, uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.text().contains(says), "{uri}: {}", r.text());
    }
}

#[tokio::test]
async fn huge_values_bodies_and_param_counts_are_refused_or_rendered_in_bounded_time() {
    let s = state(ServerOptions::default());
    // GET: long values and URIs near 64 KiB never pass the 8 KiB URI cap (the 100k one
    // goes to a real server below: `http` cannot even build that URI).
    for uri in [
        format!("/api/og?title={}", "A".repeat(60_000)),
        format!("/api/og?title={}", "%CC%81".repeat(10_000)),
        format!("/api/og?{}", "x=1&".repeat(16_000)),
    ] {
        assert_eq!(bounded(&s, &uri).await.status, StatusCode::URI_TOO_LONG);
    }
    // POST: a 1 MiB body is 413; within the limit, long values are 400 naming the param.
    let big = format!(r#"{{"title":"{}"}}"#, "A".repeat(1 << 20));
    assert_eq!(
        post_json(&s, "/v1/blog", &big, &[]).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    for value in [
        "\u{301}".repeat(10_000),
        "🦀".repeat(10_000),
        "x".repeat(30_000),
    ] {
        let body = serde_json::json!({ "title": value }).to_string();
        let r = tokio::time::timeout(HANG, post_json(&s, "/v1/blog", &body, &[]))
            .await
            .expect("not stuck");
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("'title' is"), "{}", r.text());
    }
    // Thousands of unknown params in a body: ignored, the card renders.
    let many: serde_json::Map<String, serde_json::Value> = (0..3000)
        .map(|i| (format!("p{i}"), serde_json::Value::from(i)))
        .collect();
    let mut body = serde_json::Value::Object(many);
    body["title"] = "Many params".into();
    let r = tokio::time::timeout(HANG, post_json(&s, "/v1/blog", &body.to_string(), &[]))
        .await
        .expect("not stuck");
    r.png();
    assert!(r.header("x-ogmill-ignored-params").ends_with("..."));
}

#[tokio::test]
async fn template_names_never_reach_the_file_system() {
    let s = state(ServerOptions::default());
    for name in [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fCargo.toml",
        "..%5C..%5Cwindows",
        "%2Fetc%2Fpasswd",
        "blog%00",
        "blog%00.svg",
        "..",
        "blog.svg",
        "BLOG",
    ] {
        let r = bounded(&s, &format!("/api/og/{name}?title=x")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{name}: {}", r.text());
        assert!(
            r.text()
                .contains("available: blog, changelog, default, docs, episode"),
            "{}",
            r.text()
        );
        assert!(!r.text().contains("root:"), "nothing read");
    }
    let r = bounded(&s, "/api/og/../../etc/passwd").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn numbers_that_are_not_finite_or_in_range_are_400() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bar.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="1200" height="630">
  <og:param name="width" kind="number" min="0" max="1200" default="600"/>
  <rect x="0" y="0" height="630" width="600" og:width="{{width}}" fill="#123456"/>
</svg>"##,
    )
    .unwrap();
    let renderer = ogmill_core::Renderer::new(ogmill_core::Options {
        templates_dir: Some(dir.path().into()),
        ..Default::default()
    })
    .unwrap();
    let s = ogmill_server::AppState::new(std::sync::Arc::new(renderer), ServerOptions::default())
        .unwrap();
    for v in [
        "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1", "1201", "1e6", "0x10", "1,5", "",
    ] {
        let r = bounded(&s, &format!("/api/og/bar?width={v}")).await;
        if v.is_empty() {
            r.png(); // empty means the default
            continue;
        }
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{v}: {}", r.text());
        assert!(r.text().contains("'width'"), "{v}: {}", r.text());
    }
    for v in ["-0", "0", "1200", "600.5"] {
        bounded(&s, &format!("/api/og/bar?width={v}")).await.png();
    }
}

#[tokio::test]
async fn ssrf_targets_and_image_bombs_degrade_to_placeholders_through_the_routes() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let p = listener.local_addr().unwrap().port();
    let (_origin, origin) = crate::images::serve_origin().await;
    let s = state(ServerOptions {
        images: ogmill_images::ImageOptions {
            private_hosts: vec!["localhost".into()],
            timeout: Duration::from_secs(1),
            ..Default::default()
        },
        ..ServerOptions::default()
    });
    let targets = [
        format!("http://127.0.0.1:{p}/"),
        format!("http://2130706433:{p}/"),
        format!("http://0x7f000001:{p}/"),
        format!("http://127.1:{p}/"),
        format!("http://[::ffff:127.0.0.1]:{p}/"),
        format!("http://[64:ff9b::7f00:1]:{p}/"),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://10.0.0.1/".into(),
        "http://[fe80::1]/".into(),
        format!("http://localhost:{}/to-loopback", origin.port()),
        format!("http://localhost:{}/bomb.png", origin.port()),
        format!("http://localhost:{}/endless.png", origin.port()),
        format!("http://localhost:{}/image.svg", origin.port()),
    ];
    for t in &targets {
        let enc: String =
            percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let r = bounded(&s, &format!("/api/og/profile?username=Eve&avatar={enc}")).await;
        r.png();
        assert!(
            r.header("x-ogmill-image-error").starts_with("avatar: "),
            "{t}: {:?}",
            r.headers
        );
    }
    // A name that resolves to a private address is refused without saying the address:
    // the header must not map internal DNS (the operator's log has it).
    let strict = state(ServerOptions::default());
    let r = bounded(
        &strict,
        &format!("/api/og/profile?username=Eve&avatar=http%3A%2F%2Flocalhost%3A{p}%2Fa.png"),
    )
    .await;
    let said = r.header("x-ogmill-image-error");
    assert!(said.contains("localhost is not allowed"), "{said}");
    assert!(
        !said.contains("resolves") && !said.contains("127.0.0.1") && !said.contains("::1"),
        "{said}"
    );
    assert!(matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock));
    for bad in [
        "file:///etc/passwd",
        "gopher://x",
        "//evil.example/a.png",
        "javascript:alert(1)",
    ] {
        let enc: String =
            percent_encoding::utf8_percent_encode(bad, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let r = bounded(&s, &format!("/api/og/profile?avatar={enc}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn signed_urls_reject_reordering_tricks_truncation_and_wrong_keys() {
    let signer = ogmill_core::request::signature::Signer::new(&["hostile-key-0123456789"]).unwrap();
    let s = state(ServerOptions {
        signing_keys: vec!["hostile-key-0123456789".into()],
        require_signature: true,
        ..ServerOptions::default()
    });
    let params = vec![
        ("title".to_owned(), "Hi".to_owned()),
        ("author".to_owned(), "Al".to_owned()),
    ];
    let q = signer.signed_query("blog", &params, None);
    bounded(&s, &format!("/api/og/blog?{q}")).await.png();
    // Reordered params carry the same signature: the message is sorted.
    let sig = q.rsplit_once("sig=").unwrap().1;
    bounded(&s, &format!("/api/og/blog?author=Al&sig={sig}&title=Hi"))
        .await
        .png();
    for uri in [
        format!("/api/og/blog?title=Hi&author=Al&sig={}", &sig[..20]),
        format!("/api/og/blog?title=Hi&sig={sig}"),
        format!("/api/og/blog?title=Hi&author=Al&author=Al&sig={sig}"),
        format!("/api/og/blog?title=HiAl&author=&sig={sig}"),
        format!("/api/og/blog?title=Hi&author=Al&sig={sig}&sig={sig}"),
    ] {
        let r = bounded(&s, &uri).await;
        assert!(
            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::BAD_REQUEST),
            "{uri}: {}",
            r.status
        );
    }
}

#[tokio::test]
async fn five_hundred_distinct_misses_are_served_or_shed_never_stuck() {
    let s = state_with_hook(
        ServerOptions {
            concurrency: 1,
            queue: 8,
            render_timeout: Duration::from_secs(3),
            ..ServerOptions::default()
        },
        slow(Duration::from_millis(5)),
    );
    let all = (0..500).map(|i| {
        let s = s.clone();
        async move { get(&s, &format!("/api/og?title=storm+{i}")).await }
    });
    let replies = tokio::time::timeout(HANG, futures_util::future::join_all(all))
        .await
        .expect("the storm is answered, not stuck");
    let (mut ok, mut shed) = (0, 0);
    for r in &replies {
        match r.status {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(r.header("retry-after"), "1");
                shed += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok + shed, 500);
    assert!(ok >= 9 && shed > 0, "ok {ok} shed {shed}");

    let same = (0..200).map(|_| get(&s, "/api/og?title=one+for+all"));
    let before = renders(&s);
    let replies = futures_util::future::join_all(same).await;
    assert!(replies
        .iter()
        .all(|r| r.status == StatusCode::OK || r.status == StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        renders(&s) - before,
        1.0,
        "200 identical misses, one render"
    );
}

#[test]
fn a_real_server_stays_within_its_memory_bound_under_a_storm_and_cuts_off_slow_clients() {
    use std::io::Write;
    let (mut child, addr) = crate::cli::spawn_server(&[
        "--concurrency",
        "1",
        "--queue",
        "32",
        "--header-timeout",
        "2s",
        "--cache-size",
        "64MiB",
        // 700 connections from this one address is the storm under test, not a client to
        // cut off (the per-client cap has its own test).
        "--max-connections-per-client",
        "1024",
    ]);
    let pid = child.id();
    let rss = || crate::support::rss_mb(pid);
    // 200 slow clients: one header byte, then silence.
    let slow: Vec<std::net::TcpStream> = (0..200)
        .filter_map(|_| {
            let mut c = std::net::TcpStream::connect(addr).ok()?;
            c.write_all(b"G").ok()?;
            Some(c)
        })
        .collect();
    assert_eq!(slow.len(), 200);
    let rt = tokio::runtime::Runtime::new().unwrap();
    // reqwest needs a rustls provider; another test may or may not have installed one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");
    let mut peak = rss();
    rt.block_on(async {
        // Normal traffic is served while the slow clients hang on.
        let r = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        // A 100k-character title: refused before routing, the server stays up.
        let long = format!("{base}/api/og?title={}", "A".repeat(100_000));
        let status = client.get(long).send().await.map(|r| r.status().as_u16());
        assert!(
            matches!(status, Ok(414) | Ok(431) | Ok(400) | Err(_)),
            "{status:?}"
        );
        let r = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        // 500 distinct misses at once against one render slot.
        let storm = (0..500).map(|i| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let r = client
                    .get(format!("{base}/api/og?title=mem+{i}"))
                    .send()
                    .await
                    .unwrap();
                r.status().as_u16()
            }
        });
        let statuses = futures_util::future::join_all(storm);
        tokio::pin!(statuses);
        let statuses = loop {
            tokio::select! {
                s = &mut statuses => break s,
                _ = tokio::time::sleep(Duration::from_millis(50)) => peak = peak.max(rss()),
            }
        };
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 503),
            "{statuses:?}"
        );
    });
    // Idle ~30 MB + a 64 MiB cache + one render's working set + allocator slack.
    assert!(peak < 200, "peak RSS {peak} MB");
    // After the header timeout the slow clients are gone: their sockets read EOF.
    std::thread::sleep(Duration::from_secs(3));
    let closed = slow.into_iter().filter(is_closed).count();
    assert!(closed >= 195, "{closed} of 200 slow clients cut off");
    let _ = child.kill();
    let _ = child.wait();
}

/// Sockets that send nothing, or only the HTTP/2 preface, hold a connection slot until the
/// header timeout closes them, so they cannot lock clients out: with 20 slots all taken by
/// them, a new client is still served once they are closed.
#[test]
fn silent_and_preface_only_connections_are_closed_and_cannot_lock_out_clients() {
    use std::io::Write;
    let (_server, addr) =
        crate::cli::spawn_server(&["--max-connections", "20", "--header-timeout", "1s"]);
    let squatters: Vec<std::net::TcpStream> = (0..20)
        .map(|i| {
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            if i % 2 == 1 {
                c.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").unwrap();
            }
            c
        })
        .collect();
    // Served once the squatters are gone (a generous bound; without the watch, never).
    assert_eq!(crate::support::http_status(addr, "/healthz"), 200);
    let closed = squatters.iter().filter(|c| eventually_closed(c)).count();
    assert_eq!(closed, 20, "silent and preface-only sockets closed");
}

/// One address gets `--max-connections-per-client` connections; past that a new one is
/// closed at once, and others (and the same address, once it lets one go) are served.
#[test]
fn one_client_address_cannot_take_every_connection() {
    let (_server, addr) = crate::cli::spawn_server(&[
        "--max-connections-per-client",
        "4",
        "--header-timeout",
        "60s",
    ]);
    let mut held: Vec<_> = (0..4)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    let over = std::net::TcpStream::connect(addr).unwrap();
    assert!(eventually_closed(&over), "the fifth connection is refused");
    assert!(!is_closed(&held[0]), "the four held ones stay open");
    drop(held.pop());
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(crate::support::http_status(addr, "/healthz"), 200);
}

/// HTTP/1.1 requires Host: a request without one is a 400, with one it is served.
#[test]
fn an_http11_request_without_host_is_refused() {
    let (_server, addr) = crate::cli::spawn_server(&[]);
    let status = |request: &str| crate::support::raw_status(addr, request);
    assert_eq!(
        status("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
        400
    );
    assert_eq!(
        status("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"),
        200
    );
}

/// Whether the server closes this connection within a generous 30 s.
fn eventually_closed(c: &std::net::TcpStream) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if is_closed(c) {
            return true;
        }
    }
    false
}

#[test]
fn removing_the_templates_and_fonts_while_running_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("t");
    std::fs::create_dir(&templates).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/svg-templates/default.svg"),
        templates.join("default.svg"),
    )
    .unwrap();
    let (mut child, addr) = crate::cli::spawn_server(&["--templates", templates.to_str().unwrap()]);
    std::fs::remove_dir_all(&templates).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let r = reqwest::get(format!("http://{addr}/api/og?title=still+here"))
            .await
            .unwrap();
        (r.status().as_u16(), r.bytes().await.unwrap().len())
    });
    assert_eq!(status.0, 200);
    assert!(status.1 > 1000);
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether the server has closed this connection (EOF or reset, after any bytes it sent).
fn is_closed(c: &std::net::TcpStream) -> bool {
    use std::io::Read;
    c.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 256];
    loop {
        match (&*c).read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// A client that sends a body over the limit must read the 413, not a reset: the server reads
/// (and drops) the rest before answering. 100 tries against the real binary, each on its own
/// connection, the body written in full before the response is read; the same for a POST
/// without an API key (answered 401 before its body is needed).
#[test]
fn oversized_bodies_get_their_413_every_time() {
    use std::io::{Read, Write};
    let (mut child, addr) = crate::cli::spawn_server(&["--api-keys", "k"]);
    let body = vec![b'a'; 512 * 1024]; // 8x the 64 KiB limit
    let send = |auth: &str, body: &[u8]| -> String {
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let head = format!(
            "POST /v1/default HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n",
            body.len()
        );
        let written = c.write_all(head.as_bytes()).and_then(|()| {
            for chunk in body.chunks(16 * 1024) {
                c.write_all(chunk)?;
            }
            Ok(())
        });
        if let Err(e) = written {
            return format!("write failed: {e}");
        }
        let mut reply = vec![0u8; 64];
        match c.read(&mut reply) {
            Ok(n) => String::from_utf8_lossy(&reply[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_owned(),
            Err(e) => format!("read failed: {e}"),
        }
    };
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for _ in 0..100 {
        *outcomes
            .entry(send("Authorization: Bearer k\r\n", &body))
            .or_default() += 1;
    }
    let small = br#"{"title":"no key"}"#;
    for _ in 0..20 {
        *outcomes
            .entry(send("", &body[..small.len().max(1)]))
            .or_default() += 1;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        outcomes.get("HTTP/1.1 413 Payload Too Large"),
        Some(&100),
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.get("HTTP/1.1 401 Unauthorized"),
        Some(&20),
        "{outcomes:?}"
    );
}

/// A 4000x4000 1-bit PNG: 2 KB on the wire, 64 MB as RGBA; `seed` sets one pixel so each is
/// a different image (no cache or single flight shares them).
fn sparse_png(seed: u32) -> Vec<u8> {
    let mut out = vec![];
    {
        let mut enc = png::Encoder::new(&mut out, 4000, 4000);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        enc.set_compression(png::Compression::High);
        let mut w = enc.write_header().unwrap();
        let mut data = vec![0u8; 500 * 4000];
        let at = (seed as usize * 997) % data.len();
        data[at] = 0x80;
        w.write_image_data(&data).unwrap();
    }
    out
}

/// Image decoding runs outside the render slots, so it has its own bound in bytes: 40
/// requests at once, each with a different 4000x4000 image in a 2 KB data URI, against
/// one render slot and a queue of 4, stay far from the 1.15 GB they took unbounded.
#[test]
fn decoding_many_large_images_at_once_stays_within_the_decode_budget() {
    use base64::Engine;
    let (child, addr) = crate::cli::spawn_server(&[
        "--concurrency",
        "1",
        "--queue",
        "4",
        "--image-decode-memory",
        "256MiB",
    ]);
    let pid = child.id();
    let rss = move || crate::support::rss_mb(pid);
    let uris: Vec<String> = (0..40)
        .map(|i| {
            let b64 = base64::engine::general_purpose::STANDARD.encode(sparse_png(i));
            percent_encoding::utf8_percent_encode(
                &format!("data:image/png;base64,{b64}"),
                percent_encoding::NON_ALPHANUMERIC,
            )
            .to_string()
        })
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let mut peak = rss();
    rt.block_on(async {
        let all = uris.iter().map(|u| {
            let url = format!("http://{addr}/api/og/product?name=Lamp&price=1&image={u}");
            let client = client.clone();
            async move { client.get(url).send().await.map(|r| r.status().as_u16()) }
        });
        let statuses = futures_util::future::join_all(all);
        tokio::pin!(statuses);
        let statuses = loop {
            tokio::select! {
                s = &mut statuses => break s,
                _ = tokio::time::sleep(Duration::from_millis(20)) => peak = peak.max(rss()),
            }
        };
        for s in statuses {
            assert!(matches!(s, Ok(200) | Ok(503)), "{s:?}");
        }
    });
    eprintln!("peak RSS {peak} MB");
    // Idle ~130 MB + at most 256 MiB decoding + caches and slack; unbounded it was 1.15 GB.
    assert!(peak < 650, "peak RSS {peak} MB");
    drop(child);
}
