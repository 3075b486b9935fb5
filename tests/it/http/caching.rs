//! The memory cache and HTTP caching: hits, ETag/304, private templates, single flight.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use ogmill_core::renderer::BUNDLED_TEMPLATES;
use ogmill_core::{Options, Renderer};
use ogmill_server::{AppState, ServerOptions};

use super::{get, get_with, metric, renders, slow, state, state_with_hook};

#[tokio::test]
async fn a_second_request_is_a_hit_with_the_same_bytes_and_etag() {
    let s = state(ServerOptions::default());
    let first = get(&s, "/api/og/blog?title=Cache+me").await;
    let second = get(&s, "/api/og/blog?title=Cache+me").await;
    assert_eq!(first.header("x-ogmill-cache"), "miss");
    assert_eq!(second.header("x-ogmill-cache"), "hit");
    assert_eq!(second.header("server-timing"), "cache;desc=\"hit\"");
    assert_eq!(first.body, second.body);
    assert_eq!(first.header("etag"), second.header("etag"));
    assert_eq!(renders(&s), 1.0);
    assert_eq!(metric(&s, "ogmill_cache_hits_total"), 1.0);
    // Defaults are part of the canonical params: leaving one out or sending it is one key.
    let explicit = get(&s, "/api/og/blog?title=Cache+me&author=Jane+Doe").await;
    assert_eq!(explicit.header("x-ogmill-cache"), "hit");
    let other = get(&s, "/api/og/blog?title=Cache+me&author=Someone").await;
    assert_eq!(other.header("x-ogmill-cache"), "miss");
    assert_ne!(other.header("etag"), first.header("etag"));
}

#[tokio::test]
async fn if_none_match_gets_304_without_rendering() {
    let s = state(ServerOptions::default());
    let first = get(&s, "/api/og?title=Conditional").await;
    let etag = first.header("etag").to_owned();
    // A fresh server has rendered nothing, yet knows the ETag from the request alone.
    let fresh = state(ServerOptions::default());
    for inm in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".into(),
    ] {
        let r = get_with(
            &fresh,
            "/api/og?title=Conditional",
            &[("if-none-match", &inm)],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{inm}");
        assert!(r.body.is_empty());
        assert_eq!(r.header("etag"), etag);
        assert!(r.header("cache-control").starts_with("public"));
    }
    assert_eq!(renders(&fresh), 0.0);
    let stale = get_with(
        &fresh,
        "/api/og?title=Conditional",
        &[("if-none-match", "\"old\"")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body, first.body);
}

#[tokio::test]
async fn the_cache_stays_within_its_byte_budget() {
    // Room for one and a half cards: each new card evicts the previous one.
    let size = get(&state(ServerOptions::default()), "/api/og?title=One")
        .await
        .body
        .len();
    let budget = size as u64 * 3 / 2;
    let s = state(ServerOptions {
        cache_bytes: budget,
        ..ServerOptions::default()
    });
    for t in ["One", "Two", "Six"] {
        get(&s, &format!("/api/og?title={t}")).await.png();
    }
    assert!(metric(&s, "ogmill_cache_bytes") <= budget as f64);
    assert_eq!(metric(&s, "ogmill_cache_entries"), 1.0);
    assert_eq!(metric(&s, "ogmill_cache_evictions_total"), 2.0);
    let again = get(&s, "/api/og?title=One").await;
    assert_eq!(again.header("x-ogmill-cache"), "miss");
}

/// The bundled `default` twice: as `public` and as `private` (og:cache="private").
fn private_state() -> AppState {
    let dir = tempfile::tempdir().unwrap();
    let default = BUNDLED_TEMPLATES
        .iter()
        .find(|(n, _)| *n == "default")
        .unwrap()
        .1;
    std::fs::write(dir.path().join("public.svg"), default).unwrap();
    let private = default.replacen("<svg ", "<svg og:cache=\"private\" ", 1);
    std::fs::write(dir.path().join("private.svg"), private).unwrap();
    let renderer = Renderer::new(Options {
        templates_dir: Some(dir.path().to_owned()),
        ..Options::default()
    })
    .unwrap();
    AppState::new(Arc::new(renderer), ServerOptions::default()).unwrap()
}

#[tokio::test]
async fn personalised_requests_to_private_templates_stay_out_of_shared_caches() {
    let s = private_state();
    let uri = "/api/og/private?title=Just+for+you";
    for headers in [[("cookie", "session=abc")], [("authorization", "Bearer t")]] {
        let r = get_with(&s, uri, &headers).await;
        r.png();
        assert_eq!(r.header("cache-control"), "private, no-store");
        assert_eq!(r.header("x-ogmill-cache"), "bypass");
    }
    assert_eq!(renders(&s), 2.0, "never served from the shared cache");
    assert_eq!(
        metric(&s, "ogmill_cache_entries"),
        0.0,
        "never stored in it"
    );
    // Without credentials the same template is public and cached.
    let anon = get(&s, uri).await;
    assert!(anon.header("cache-control").starts_with("public"));
    assert_eq!(get(&s, uri).await.header("x-ogmill-cache"), "hit");
    // A public template stays public whatever the request carries.
    let public = get_with(&s, "/api/og/public?title=x", &[("cookie", "a=b")]).await;
    assert!(public.header("cache-control").starts_with("public"));
    let listed = get(&s, "/templates").await;
    assert!(
        listed.text().contains("\"private\":true"),
        "{}",
        listed.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_identical_misses_cause_one_render() {
    // Slow renders make sure all fifty arrive while the first is still rendering.
    let s = state_with_hook(ServerOptions::default(), slow(Duration::from_millis(300)));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { get(&s, "/api/og?title=Stampede").await })
        })
        .collect();
    let mut bodies = vec![];
    for t in tasks {
        let r = t.await.unwrap();
        r.png();
        bodies.push(r.body);
    }
    assert_eq!(renders(&s), 1.0);
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
}

#[tokio::test]
async fn drawn_backgrounds_stay_within_their_byte_budget_and_show_in_metrics() {
    // One 1200x630 background is 3,024,000 bytes: room for one.
    let renderer = Renderer::new(Options {
        layer_cache_bytes: 4_500_000,
        ..Options::default()
    })
    .unwrap();
    let s = AppState::new(Arc::new(renderer), ServerOptions::default()).unwrap();
    // Start-up draws each template once to prove it draws, and keeps no background: an
    // idle server holds only those of the templates it serves, here the fallback image's
    // (the default template's).
    assert_eq!(metric(&s, "ogmill_layer_cache_entries"), 1.0);
    let before = metric(&s, "ogmill_layer_cache_evictions");
    // The blog's background binds `accent`: each accent is its own background.
    for accent in ["%23ff0000", "%2300ff00", "%230000ff"] {
        get(&s, &format!("/api/og/blog?title=Layers&accent={accent}"))
            .await
            .png();
    }
    // The pixels, their PNG rows indexed (a byte a pixel, made by the first PNG) and
    // deflated, plus the key and bookkeeping.
    let bytes = metric(&s, "ogmill_layer_cache_bytes");
    assert!((3_780_000.0..4_500_000.0).contains(&bytes), "{bytes}");
    assert_eq!(metric(&s, "ogmill_layer_cache_entries"), 1.0);
    let evicted = metric(&s, "ogmill_layer_cache_evictions") - before;
    assert!((2.0..=3.0).contains(&evicted), "{evicted}");
}

/// With `--accept-formats`, `/api/og` answers browsers that list WebP with WebP, everyone
/// else with PNG, and says it varies; a format in the URL wins and does not vary.
#[tokio::test]
async fn accept_formats_negotiates_webp_only_when_asked_and_says_it_varies() {
    let s = state(ServerOptions {
        accept_formats: true,
        ..ServerOptions::default()
    });
    let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";
    let webp = get_with(&s, "/api/og/blog?title=Hi", &[("accept", chrome)]).await;
    assert_eq!(webp.status, StatusCode::OK);
    assert_eq!(webp.header("content-type"), "image/webp");
    assert_eq!(webp.header("vary"), "Accept");
    let crawler = get_with(&s, "/api/og/blog?title=Hi", &[("accept", "*/*")]).await;
    assert_eq!(crawler.header("content-type"), "image/png");
    assert_eq!(crawler.header("vary"), "Accept");
    assert_ne!(webp.header("etag"), crawler.header("etag"));
    let refused = get_with(&s, "/api/og?title=Hi", &[("accept", "image/webp;q=0, */*")]).await;
    assert_eq!(refused.header("content-type"), "image/png");
    let chosen = get_with(&s, "/api/og/blog.png?title=Hi", &[("accept", chrome)]).await;
    assert_eq!(chosen.header("content-type"), "image/png");
    assert_eq!(chosen.header("vary"), "");
    let bad = get_with(&s, "/api/og/nope?title=Hi", &[("accept", chrome)]).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    assert_eq!(bad.header("vary"), "Accept");
    // Off (the default), Accept changes nothing.
    let off = state(ServerOptions::default());
    let png = get_with(&off, "/api/og/blog?title=Hi", &[("accept", chrome)]).await;
    assert_eq!(png.header("content-type"), "image/png");
    assert_eq!(png.header("vary"), "");
}
