//! Staying up: load shedding, and the fallback image for panics, errors and timeouts.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use ogmill_server::{AppState, FaultHook, ServerOptions};

use super::{get, metric, renders, slow, state, state_with_hook};
use crate::support::shared_renderer;

/// Waits (bounded) until `sample` in /metrics reaches `value`.
async fn until_metric(s: &AppState, sample: &str, value: f64) {
    for _ in 0..500 {
        if metric(s, sample) == value {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{sample} never reached {value}:\n{}", s.metrics_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_queue_sheds_with_503_and_retry_after_at_once() {
    let options = ServerOptions {
        concurrency: 1,
        queue: 1,
        ..ServerOptions::default()
    };
    let s = state_with_hook(options, slow(Duration::from_millis(800)));
    let spawn = |title: &'static str| {
        let s = s.clone();
        tokio::spawn(async move { get(&s, &format!("/api/og?title={title}")).await })
    };
    let running = spawn("Running");
    until_metric(&s, "ogmill_renders_in_flight", 1.0).await;
    let queued = spawn("Queued");
    until_metric(&s, "ogmill_renders_queued", 1.0).await;
    let shed = get(&s, "/api/og?title=Shed").await;
    assert_eq!(shed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shed.header("retry-after"), "1");
    assert!(shed.text().contains("retry"), "{}", shed.text());
    // Answered while the first render still holds the only slot: no waiting in line.
    assert_eq!(metric(&s, "ogmill_renders_in_flight"), 1.0);
    assert_eq!(metric(&s, "ogmill_shed_requests_total"), 1.0);
    running.await.unwrap().png();
    queued.await.unwrap().png();
    assert_eq!(renders(&s), 2.0);
}

fn panics_on_blog() -> FaultHook {
    Arc::new(|template: &str| {
        if template == "blog" {
            panic!("injected fault");
        }
    })
}

#[tokio::test]
async fn a_panicking_render_gets_the_fallback_and_the_server_lives_on() {
    let s = state_with_hook(ServerOptions::default(), panics_on_blog());
    for _ in 0..2 {
        let r = get(&s, "/api/og/blog?title=Boom").await;
        r.fallback_png();
        assert_eq!(r.header("x-ogmill-fallback"), "panic");
        assert_eq!(r.header("cache-control"), "no-store");
        assert!(r.header("etag").is_empty(), "a fallback has no validator");
        // The default fallback is the default template with its defaults.
        assert_eq!(r.body, get(&s, "/api/og").await.body);
    }
    assert_eq!(metric(&s, "ogmill_fallbacks_total{reason=\"panic\"}"), 2.0);
    assert_eq!(metric(&s, "ogmill_renders_total{outcome=\"panic\"}"), 2.0);
    let ok = get(&s, "/api/og?title=Still+up").await;
    ok.png();
    assert!(ok.header("x-ogmill-fallback").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_render_that_timed_out_in_the_queue_is_still_drawn_and_kept() {
    // One worker, each render held 600 ms: the second request waits ~600 ms for the worker
    // and then ~600 ms for its render, past its 1 s; its render itself stays under 1 s, so
    // it is not stopped and fills the cache.
    let options = ServerOptions {
        concurrency: 1,
        render_timeout: Duration::from_millis(1000),
        ..ServerOptions::default()
    };
    let s = state_with_hook(options, slow(Duration::from_millis(600)));
    let first = {
        let s = s.clone();
        tokio::spawn(async move { get(&s, "/api/og?title=First").await })
    };
    until_metric(&s, "ogmill_renders_in_flight", 1.0).await;
    let r = get(&s, "/api/og?title=Slow").await;
    r.fallback_png();
    assert_eq!(r.header("x-ogmill-fallback"), "timeout");
    assert_eq!(r.header("cache-control"), "no-store");
    first.await.unwrap().png();
    // The render went on in the background and filled the cache.
    until_metric(&s, "ogmill_renders_total{outcome=\"ok\"}", 2.0).await;
    let again = get(&s, "/api/og?title=Slow").await;
    assert_eq!(again.header("x-ogmill-cache"), "hit");
    assert!(again.header("x-ogmill-fallback").is_empty());
}

/// A card whose text slot comes first and 4,000 finely dashed circles after it: drawn per
/// request (after the slot, so not in the cached background), for seconds.
fn heavy_template() -> String {
    let circles: String = (0..4000)
        .map(|i| {
            format!(
                r#"<circle cx="{}" cy="315" r="280" fill="none" stroke="red" stroke-dasharray="0.2 0.2"/>"#,
                300 + i % 600
            )
        })
        .collect();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:og="https://ogmill.dev/template" width="1200" height="630"><metadata><og:param name="title" kind="text" default="x"/></metadata><text og:text="{{{{title}}}}" og:box="40 40 600 80" x="40" y="100" font-size="60" font-family="Inter">x</text>{circles}</svg>"#
    )
}

/// The probe's complaint: a card that overran its time kept its worker drawing for as long
/// as the drawing took, and every card behind it got the timeout fallback meanwhile. It is
/// now stopped at its time, between two shapes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_render_past_its_time_is_stopped_and_gives_its_worker_back() {
    let light = shared_renderer()
        .template("default")
        .map(|t| std::fs::read_to_string(&t.path).unwrap())
        .unwrap();
    let renderer = ogmill_core::Renderer::new(ogmill_core::Options {
        templates: vec![
            ("heavy".into(), heavy_template()),
            ("default".into(), light),
        ],
        ..ogmill_core::Options::default()
    })
    .unwrap();
    let options = ServerOptions {
        concurrency: 1,
        render_timeout: Duration::from_millis(400),
        ..ServerOptions::default()
    };
    let s = AppState::new(Arc::new(renderer), options).unwrap();
    let r = get(&s, "/api/og/heavy?title=Heavy").await;
    r.fallback_png();
    assert_eq!(r.header("x-ogmill-fallback"), "timeout");
    // Without the stop, the only worker would still be drawing circles for seconds, and
    // this card would wait past its 400 ms too.
    let next = get(&s, "/api/og/default?title=Next").await;
    next.png();
    assert!(next.header("x-ogmill-fallback").is_empty());
    until_metric(&s, "ogmill_renders_total{outcome=\"stopped\"}", 1.0).await;
}

#[tokio::test]
async fn the_fallback_can_be_a_configured_png_or_carry_the_site_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fallback.png");
    let mut png = vec![];
    image::RgbaImage::from_pixel(1200, 630, image::Rgba([1, 2, 3, 255]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    std::fs::write(&path, &png).unwrap();
    let options = ServerOptions {
        fallback_image: Some(path.clone()),
        ..ServerOptions::default()
    };
    let s = state_with_hook(options, panics_on_blog());
    assert_eq!(get(&s, "/api/og/blog").await.body, png);

    let named = ServerOptions {
        site_name: "example.com".into(),
        ..ServerOptions::default()
    };
    let s = state_with_hook(named, panics_on_blog());
    let r = get(&s, "/api/og/blog").await;
    assert_eq!(r.body, get(&s, "/api/og?site=example.com").await.body);

    std::fs::write(&path, b"not a png").unwrap();
    let bad = ServerOptions {
        fallback_image: Some(path),
        ..ServerOptions::default()
    };
    let err = AppState::new(shared_renderer().clone(), bad).err().unwrap();
    assert!(err.to_string().contains("not a PNG"), "{err}");
}

#[tokio::test]
async fn request_errors_are_4xx_not_fallbacks() {
    let s = state(ServerOptions::default());
    let r = get(&s, "/api/og?accent=nope").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(metric(&s, "ogmill_renders_total{outcome=\"ok\"}"), 0.0);
}
