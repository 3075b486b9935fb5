//! Signed URLs through the GET routes: what passes, what is a 403 and what it says.

use axum::http::StatusCode;
use ogmill_core::request::signature::Signer;
use ogmill_server::ServerOptions;

use super::{get, state};

fn signed(keys: &[&str], template: &str, params: &[(&str, &str)], exp: Option<u64>) -> String {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let q = Signer::new(keys)
        .unwrap()
        .signed_query(template, &params, exp);
    format!("/api/og/{template}?{q}")
}

fn strict(keys: &[&str]) -> ServerOptions {
    ServerOptions {
        signing_keys: keys.iter().map(|k| k.to_string()).collect(),
        require_signature: true,
        ..ServerOptions::default()
    }
}

fn later() -> u64 {
    ogmill_core::request::signature::now() + 3600
}

#[tokio::test]
async fn a_signed_url_renders_and_sig_and_exp_stay_out_of_the_card() {
    let s = state(strict(&["secret-key-0123456789"]));
    let title = [("title", "Signed & sealed"), ("author", "Jane")];
    let r = get(
        &s,
        &signed(&["secret-key-0123456789"], "blog", &title, Some(later())),
    )
    .await;
    r.png();
    assert_eq!(
        r.header("x-ogmill-ignored-params"),
        "",
        "sig and exp are not params"
    );
    // Same card, other signature (no exp): the same cache entry.
    let again = get(
        &s,
        &signed(&["secret-key-0123456789"], "blog", &title, None),
    )
    .await;
    assert_eq!(again.header("x-ogmill-cache"), "hit");
    assert_eq!(again.body, r.body);
    // /api/og is the `default` template.
    let q = signed(
        &["secret-key-0123456789"],
        "default",
        &[("title", "Hi")],
        None,
    );
    let q = q.replace("/api/og/default?", "/api/og?");
    get(&s, &q).await.png();
}

#[tokio::test]
async fn every_bad_signature_is_a_403_that_says_why() {
    let s = state(strict(&["secret-key-0123456789"]));
    let good = signed(
        &["secret-key-0123456789"],
        "blog",
        &[("title", "Hello")],
        Some(later()),
    );
    let cases = [
        ("/api/og/blog?title=Hello".to_owned(), "only signed URLs"),
        (good.replace("title=Hello", "title=Hellp"), "does not match"),
        (format!("{good}&author=Mallory"), "does not match"),
        (good.replace("/blog?", "/default?"), "does not match"),
        (
            signed(
                &["other-key-0123456789"],
                "blog",
                &[("title", "Hello")],
                None,
            ),
            "does not match",
        ),
        (
            signed(
                &["secret-key-0123456789"],
                "blog",
                &[("title", "Hello")],
                Some(1),
            ),
            "expired at 1",
        ),
        (
            good.rsplit_once("sig=").unwrap().0.to_owned() + "sig=not-base64!",
            "not a signature",
        ),
        (good[..good.len() - 5].to_owned(), "not a signature"),
        // A second exp (expired) after the signed one, or a second sig: one of each only.
        (format!("{good}&exp=1"), "more than one 'exp'"),
        (format!("{good}&sig=AAAA"), "more than one 'sig'"),
    ];
    for (uri, says) in cases {
        let r = get(&s, &uri).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}: {}", r.text());
        assert!(r.text().contains(says), "{uri}: {}", r.text());
        assert_eq!(r.header("cache-control"), "no-store");
    }
}

#[tokio::test]
async fn rotation_accepts_the_old_key_while_it_is_listed() {
    let s = state(strict(&["new-key-0123456789", "old-key-0123456789"]));
    get(
        &s,
        &signed(&["old-key-0123456789"], "blog", &[("title", "Old")], None),
    )
    .await
    .png();
    get(
        &s,
        &signed(&["new-key-0123456789"], "blog", &[("title", "New")], None),
    )
    .await
    .png();
    let dropped = state(strict(&["new-key-0123456789"]));
    let r = get(
        &dropped,
        &signed(&["old-key-0123456789"], "blog", &[("title", "Old")], None),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_require_signature_unsigned_urls_pass_but_a_bad_sig_does_not() {
    let s = state(ServerOptions {
        signing_keys: vec!["secret-key-0123456789".into()],
        ..ServerOptions::default()
    });
    get(&s, "/api/og/blog?title=Open").await.png();
    let r = get(&s, "/api/og/blog?title=Open&sig=AAAA").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[test]
fn require_signature_without_a_key_fails_at_start_up() {
    let err = ogmill_server::AppState::new(
        crate::support::shared_renderer().clone(),
        ServerOptions {
            require_signature: true,
            ..ServerOptions::default()
        },
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("signing key"), "{err}");
}

#[tokio::test]
async fn an_expiring_url_is_cached_publicly_no_longer_than_it_is_valid() {
    let s = state(strict(&["secret-key-0123456789"]));
    let exp = ogmill_core::request::signature::now() + 600;
    let r = get(
        &s,
        &signed(
            &["secret-key-0123456789"],
            "blog",
            &[("title", "Soon gone")],
            Some(exp),
        ),
    )
    .await;
    r.png();
    let cc = r.header("cache-control");
    let age: u64 = cc
        .strip_prefix("public, max-age=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{cc}"));
    assert!((595..=600).contains(&age), "{cc}");
    assert!(cc.ends_with(&format!("s-maxage={age}")), "{cc}");
    let lasting = get(
        &s,
        &signed(
            &["secret-key-0123456789"],
            "blog",
            &[("title", "Soon gone")],
            None,
        ),
    )
    .await;
    assert_eq!(
        lasting.header("cache-control"),
        "public, max-age=86400, s-maxage=86400, stale-while-revalidate=604800"
    );
}

/// `--require-signature` guards every route that renders: POST /v1 takes unsigned values, so
/// it needs an API key, and without any configured it is closed.
#[tokio::test]
async fn with_require_signature_post_v1_needs_an_api_key_and_is_closed_without_any() {
    use super::post_json;
    let body = r#"{"title": "anything"}"#;
    let closed = state(strict(&["secret-key-0123456789"]));
    let r = post_json(&closed, "/v1/blog", body, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.text().contains("--api-keys"), "{}", r.text());
    let r = post_json(
        &closed,
        "/v1/blog",
        body,
        &[("authorization", "Bearer guess")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no key can open it");

    let keyed = state(ServerOptions {
        api_keys: vec!["k1".into()],
        ..strict(&["secret-key-0123456789"])
    });
    let r = post_json(&keyed, "/v1/blog", body, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = post_json(&keyed, "/v1/blog", body, &[("authorization", "Bearer k1")]).await;
    r.png();

    // Without require-signature, an unkeyed POST /v1 stays open, as documented.
    let open = state(ServerOptions::default());
    post_json(&open, "/v1/blog", body, &[]).await.png();
}
