//! Every route, and every error a person can get, with its status and message.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ogmill_server::ServerOptions;

use super::{get, get_with, post_json, send, state};

#[tokio::test]
async fn api_og_renders_the_default_template_as_a_png() {
    let s = state(ServerOptions::default());
    let r = get(&s, "/api/og?title=Hello").await;
    r.png();
    assert_eq!(r.header("x-ogmill-cache"), "miss");
    assert!(r.header("etag").starts_with('"'), "strong ETag");
    assert!(r.header("server-timing").starts_with("render;dur="));
    assert_eq!(
        r.header("cache-control"),
        "public, max-age=86400, s-maxage=86400, stale-while-revalidate=604800"
    );
    let other = get(&s, "/api/og?title=Goodbye").await;
    other.png();
    assert_ne!(r.body, other.body, "the title reaches the image");
}

#[tokio::test]
async fn named_templates_render_with_their_params() {
    let s = state(ServerOptions::default());
    for uri in [
        "/api/og/blog?title=Next.js+Dynamic+Images&author=Jane+Doe&date=2026-11-23",
        "/api/og/product?name=Aurora&price=%24249",
        "/api/og/profile?username=%40jane&bio=Writes+about+Rust",
        "/api/og/default.png?title=Suffix",
    ] {
        get(&s, uri).await.png();
    }
}

#[tokio::test]
async fn post_v1_returns_the_same_bytes_as_the_get_route() {
    let s = state(ServerOptions::default());
    let body = r#"{"title":"From the hosted API","author":"Jane","date":"2026-11-24","tag":null}"#;
    let posted = post_json(&s, "/v1/blog", body, &[]).await;
    posted.png();
    let got = get(
        &s,
        "/api/og/blog?title=From+the+hosted+API&author=Jane&date=2026-11-24",
    )
    .await;
    assert_eq!(got.header("x-ogmill-cache"), "hit", "same canonical key");
    assert_eq!(posted.body, got.body);
}

#[tokio::test]
async fn api_keys_guard_post_v1_and_accept_both_headers() {
    let s = state(ServerOptions {
        api_keys: vec!["k-one".into(), "k-two".into()],
        ..ServerOptions::default()
    });
    let body = r#"{"title":"Keys"}"#;
    let none = post_json(&s, "/v1/default", body, &[]).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.header("www-authenticate"), "Bearer");
    assert!(none.text().contains("API key"), "{}", none.text());
    let wrong = post_json(&s, "/v1/default", body, &[("authorization", "Bearer k-on")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    post_json(
        &s,
        "/v1/default",
        body,
        &[("authorization", "Bearer k-two")],
    )
    .await
    .png();
    post_json(&s, "/v1/default", body, &[("dma-api-key", "k-one")])
        .await
        .png();
    // The GET routes are for crawlers, which send no keys.
    get(&s, "/api/og?title=Keys").await.png();
}

#[tokio::test]
async fn bad_post_bodies_get_clear_4xx() {
    let s = state(ServerOptions {
        max_body_bytes: 1024,
        ..ServerOptions::default()
    });
    let r = post_json(&s, "/v1/default", "{\"title\": ", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("not valid JSON"), "{}", r.text());
    let r = post_json(&s, "/v1/default", r#"{"title": ["a"]}"#, &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("'title'"), "{}", r.text());
    let r = post_json(&s, "/v1/default", r#"["title"]"#, &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let big = format!("{{\"title\": \"{}\"}}", "a".repeat(2000));
    let r = post_json(&s, "/v1/default", &big, &[]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text().contains("1024"), "{}", r.text());
    let req = Request::post("/v1/default")
        .header("content-type", "text/plain")
        .body(Body::from("title=x"))
        .unwrap();
    let r = send(&s, req).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn unknown_templates_are_404_listing_the_known_ones() {
    let s = state(ServerOptions::default());
    for uri in [
        "/api/og/nope?title=x",
        "/api/og/..%2F..%2Fetc%2Fpasswd",
        "/api/og/%2Fetc%2Fpasswd",
    ] {
        let r = get(&s, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            r.text().contains("blog, changelog, default, docs"),
            "{uri}: {}",
            r.text()
        );
    }
    let r = post_json(&s, "/v1/nope", "{}", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invalid_values_are_400_naming_the_param() {
    let s = state(ServerOptions::default());
    let long = "a".repeat(301);
    let cases = [
        (format!("/api/og?title={long}"), "'title' is 301 characters"),
        ("/api/og?accent=url(%23x)".into(), "'accent'"),
        (
            "/api/og?title=a&title=b".into(),
            "'title' was given more than once",
        ),
        ("/api/og?title=%FF%FE".into(), "'title' is not valid UTF-8"),
    ];
    for (uri, want) in cases {
        let r = get(&s, &uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.text().contains(want), "{uri}: {}", r.text());
        assert_eq!(r.header("content-type"), "text/plain; charset=utf-8");
    }
}

#[tokio::test]
async fn errors_are_json_when_the_client_asks_for_json() {
    let s = state(ServerOptions::default());
    let r = get_with(&s, "/api/og/nope", &[("accept", "application/json")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("content-type"), "application/json");
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["status"], 404);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("unknown template 'nope'"));
}

#[tokio::test]
async fn unknown_params_are_ignored_named_and_kept_out_of_the_key() {
    let s = state(ServerOptions::default());
    let plain = get(&s, "/api/og?title=Same").await;
    let extra = get(&s, "/api/og?utm_source=x&title=Same&v=2&titel=typo").await;
    extra.png();
    assert_eq!(extra.header("x-ogmill-cache"), "hit");
    assert_eq!(plain.header("etag"), extra.header("etag"));
    assert_eq!(
        extra.header("x-ogmill-ignored-params"),
        "utm_source, v, titel"
    );
}

#[tokio::test]
async fn uris_over_8_kib_are_414() {
    let s = state(ServerOptions::default());
    let r = get(&s, &format!("/api/og?title={}", "a".repeat(9000))).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    assert!(r.text().contains("8192"), "{}", r.text());
}

#[tokio::test]
async fn wrong_methods_and_paths_get_405_and_404_with_words() {
    let s = state(ServerOptions::default());
    let req = Request::delete("/api/og").body(Body::empty()).unwrap();
    let r = send(&s, req).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.header("allow").contains("GET"));
    assert!(r.text().contains("method not allowed"), "{}", r.text());
    let r = send(&s, Request::put("/v1/blog").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = get(&s, "/nothing/here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("/api/og"), "{}", r.text());
}

#[tokio::test]
async fn head_requests_get_the_headers_without_the_body() {
    let s = state(ServerOptions::default());
    let req = Request::head("/api/og?title=Head")
        .body(Body::empty())
        .unwrap();
    let r = send(&s, req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "image/png");
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn templates_lists_every_template_with_its_params() {
    let s = state(ServerOptions::default());
    let r = get(&s, "/templates").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, crate::support::bundled_names());
    let named = |n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .unwrap()
    };
    let blog = named("blog");
    assert_eq!(
        (blog["width"].as_f64(), blog["height"].as_f64()),
        (Some(1200.0), Some(630.0))
    );
    let square = named("square");
    assert_eq!(
        (square["width"].as_f64(), square["height"].as_f64()),
        (Some(1080.0), Some(1080.0))
    );
    assert_eq!(blog["params"][0]["name"], "title");
    assert_eq!(blog["params"][0]["kind"], "text");
    assert_eq!(blog["private"], false);
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let s = state(ServerOptions::default());
    assert_eq!(get(&s, "/healthz").await.status, StatusCode::OK);
    assert_eq!(get(&s, "/readyz").await.status, StatusCode::OK);
    get(&s, "/api/og?title=Metrics").await.png();
    let m = get(&s, "/metrics").await;
    assert!(m
        .header("content-type")
        .starts_with("application/openmetrics-text"));
    for name in [
        "ogmill_http_requests_total{route=\"/api/og\",status=\"200\"} 1",
        "ogmill_cache_misses_total 1",
        "ogmill_renders_total{outcome=\"ok\"} 1",
        "ogmill_render_duration_seconds_count 1",
        "ogmill_renders_in_flight 0",
        "ogmill_shed_requests_total 0",
        "ogmill_cache_bytes ",
        "ogmill_cache_evictions_total 0",
    ] {
        assert!(m.text().contains(name), "missing {name}:\n{}", m.text());
    }
    s.start_draining();
    let r = get(&s, "/readyz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get(&s, "/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn characters_no_font_draws_are_counted_in_a_header() {
    let s = state(ServerOptions::default());
    let r = get(
        &s,
        "/api/og?title=%F0%90%80%80%F0%90%80%81+and+%F0%90%80%80",
    )
    .await;
    r.png();
    assert_eq!(r.header("x-ogmill-missing-glyphs"), "2");
    let hit = get(
        &s,
        "/api/og?title=%F0%90%80%80%F0%90%80%81+and+%F0%90%80%80",
    )
    .await;
    assert_eq!(hit.header("x-ogmill-cache"), "hit");
    assert_eq!(
        hit.header("x-ogmill-missing-glyphs"),
        "2",
        "kept with the card"
    );
    let latin = get(
        &s,
        "/api/og?title=Z%C3%BCrich+%E2%80%94+%C5%81%C3%B3d%C5%BA",
    )
    .await;
    assert_eq!(latin.header("x-ogmill-missing-glyphs"), "");
}

#[tokio::test]
async fn dir_is_a_param_of_every_template_and_part_of_the_cache_key() {
    let s = state(ServerOptions::default());
    let auto = get(&s, "/api/og?title=Hello").await;
    let rtl = get(&s, "/api/og?title=Hello&dir=rtl").await;
    assert_eq!(rtl.header("x-ogmill-cache"), "miss", "not the auto card");
    assert_ne!(auto.header("etag"), rtl.header("etag"));
    assert_ne!(auto.png(), rtl.png());
    let bad = get(&s, "/api/og?title=Hello&dir=up").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let body = String::from_utf8_lossy(&bad.body).to_string();
    assert!(
        body.contains("dir") && body.contains("auto, ltr or rtl"),
        "{body}"
    );
}

/// The hosted render API's three request shapes give the very same image: a flat JSON body,
/// a body nested per layer, and `GET /v1` with `layer.property` query keys and the key in
/// the query. Properties the template does not have are ignored and named.
#[tokio::test]
async fn vendor_request_shapes_render_the_same_card() {
    let s = state(ServerOptions {
        api_keys: vec!["k".into()],
        ..ServerOptions::default()
    });
    let auth = [("authorization", "Bearer k")];
    let flat = post_json(
        &s,
        "/v1/blog",
        r##"{"title":"Same card","accent":"#ff0066"}"##,
        &auth,
    )
    .await;
    let nested = post_json(
        &s,
        "/v1/blog",
        r##"{"title":{"text":"Same card","backgroundColor":"transparent"},"accent":{"color":"#ff0066"}}"##,
        &auth,
    )
    .await;
    let query = get(
        &s,
        "/v1/blog?dma-api-key=k&title.text=Same+card&title.backgroundColor=transparent&accent.color=%23ff0066",
    )
    .await;
    for r in [&flat, &nested, &query] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    assert!(
        flat.body == nested.body && flat.body == query.body,
        "three shapes, three images"
    );
    assert_eq!(
        nested.header("x-ogmill-ignored-params"),
        "title.backgroundColor"
    );
    assert_eq!(
        query.header("x-ogmill-ignored-params"),
        "title.backgroundColor"
    );
    // The key in the query is a key, not a param: without it, 401.
    assert_eq!(
        get(&s, "/v1/blog?title.text=x").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get(&s, "/v1/blog?dma-api-key=wrong&title.text=x")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

const KEYED: &[(&str, &str)] = &[("authorization", "Bearer api-key")];

#[tokio::test]
async fn delivery_signed_returns_a_url_that_serves_the_card_until_it_expires() {
    let s = state(ServerOptions {
        signing_keys: vec!["secret-key-0123456789".into()],
        api_keys: vec!["api-key".into()],
        ..ServerOptions::default()
    });
    let res = post_json(
        &s,
        "/v1/blog?delivery=signed&expiresIn=600",
        r#"{"title":{"text":"Signed"}}"#,
        KEYED,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let json: serde_json::Value = serde_json::from_slice(&res.body).unwrap();
    let url = json["url"].as_str().unwrap();
    let path = &url[url.find("/api/og/").unwrap()..];
    assert!(path.contains("exp=") && path.contains("sig="), "{url}");
    let now = ogmill_core::request::signature::now();
    let exp = json["expiresAt"].as_u64().unwrap();
    assert!((now + 590..=now + 610).contains(&exp));
    let card = get(&s, path).await;
    assert_eq!(card.status, StatusCode::OK);
    let direct = post_json(&s, "/v1/blog", r#"{"title":"Signed"}"#, KEYED).await;
    assert_eq!(card.body, direct.body);
    for (q, want) in [
        ("delivery=hosted", "not supported"),
        ("delivery=email", "not stream, signed or hosted"),
        ("delivery=signed&expiresIn=-5", "expiresIn"),
        // Past --max-signed-expiry (30 days by default).
        ("delivery=signed&expiresIn=31536000", "2592000"),
    ] {
        let r = post_json(&s, &format!("/v1/blog?{q}"), r#"{"title":"x"}"#, KEYED).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(r.text().contains(want), "{q}: {}", r.text());
    }
    let unsigned = state(ServerOptions::default());
    let r = post_json(
        &unsigned,
        "/v1/blog?delivery=signed",
        r#"{"title":"x"}"#,
        &[],
    )
    .await;
    assert!(r.text().contains("--signing-key"), "{}", r.text());
}

/// `delivery=signed` mints signatures, so it needs a caller with an API key; the URL it
/// hands out takes its origin from --public-url or a plain Host, and its scheme from
/// X-Forwarded-Proto only when a trusted proxy sent it.
#[tokio::test]
async fn delivery_signed_needs_an_api_key_and_never_copies_a_hostile_host() {
    use axum::extract::ConnectInfo;
    let open = state(ServerOptions {
        signing_keys: vec!["secret-key-0123456789".into()],
        ..ServerOptions::default()
    });
    let r = post_json(&open, "/v1/blog?delivery=signed", r#"{"title":"x"}"#, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.text().contains("--api-keys"), "{}", r.text());

    let keyed = |public_url: Option<&str>| {
        state(ServerOptions {
            signing_keys: vec!["secret-key-0123456789".into()],
            api_keys: vec!["api-key".into()],
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
            public_url: public_url.map(str::to_owned),
            ..ServerOptions::default()
        })
    };
    let ask = |s: ogmill_server::AppState, host: &'static str, peer: &'static str| async move {
        let req = Request::post("/v1/blog?delivery=signed")
            .header("host", host)
            .header("x-forwarded-proto", "https")
            .header("authorization", "Bearer api-key")
            .header("content-type", "application/json")
            .extension(ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()))
            .body(Body::from(r#"{"title":"x"}"#))
            .unwrap();
        send(&s, req).await
    };
    let url = |r: &super::Reply| {
        let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        json["url"].as_str().unwrap().to_owned()
    };
    // From a client: its X-Forwarded-Proto is not believed.
    let r = ask(keyed(None), "og.example.com", "9.9.9.9:1").await;
    assert!(
        url(&r).starts_with("http://og.example.com/api/og/blog?"),
        "{}",
        url(&r)
    );
    // From a trusted proxy: it is.
    let r = ask(keyed(None), "og.example.com", "10.0.0.2:1").await;
    assert!(
        url(&r).starts_with("https://og.example.com/api/og/blog?"),
        "{}",
        url(&r)
    );
    // A Host that is not a host is refused, not pasted into a phishing link.
    let r = ask(keyed(None), "evil.example/phish?x=", "9.9.9.9:1").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("--public-url"), "{}", r.text());
    // --public-url wins over any Host.
    let r = ask(
        keyed(Some("https://cards.example.org/")),
        "evil.example",
        "9.9.9.9:1",
    )
    .await;
    assert!(
        url(&r).starts_with("https://cards.example.org/api/og/blog?"),
        "{}",
        url(&r)
    );
}

/// Per-client rate limits: only renders spend (a hit is free), each API key has its own
/// bucket (and may have its own rate), and over the limit is a 429 the hosted API's clients
/// can turn into a retry delay.
#[tokio::test]
async fn rate_limits_hold_per_key_and_spare_cache_hits() {
    use ogmill_server::ratelimit::Rate;
    let per_minute = |count| Rate {
        count,
        window: 60,
        burst: count,
    };
    let s = state(ServerOptions {
        api_keys: vec!["a".into(), "b".into(), "vip".into()],
        rate_limit: Some(per_minute(2)),
        rate_limit_keys: [("vip".to_owned(), per_minute(100))].into(),
        ..ServerOptions::default()
    });
    let post = |key: &'static str, title: &'static str| {
        let s = s.clone();
        async move {
            let auth = format!("Bearer {key}");
            post_json(
                &s,
                "/v1/blog",
                &format!(r#"{{"title":"{title}"}}"#),
                &[("authorization", auth.as_str())],
            )
            .await
        }
    };
    assert_eq!(post("a", "one").await.status, StatusCode::OK);
    let second = post("a", "two").await;
    assert_eq!(second.header("ratelimit-policy"), "\"renders\";q=2;w=60");
    assert!(
        second.header("ratelimit").starts_with("\"renders\";r=0;"),
        "{}",
        second.header("ratelimit")
    );
    let over = post("a", "three").await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = over.header("retry-after").parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    let body: serde_json::Value = serde_json::from_slice(&over.body).unwrap();
    assert_eq!(body["reason"], "rate_limited");
    assert_eq!(body["status"], 429);
    assert!(body["reset"].as_u64().unwrap() >= ogmill_core::request::signature::now());
    // A card already rendered is served from the cache, whatever the limit.
    let again = post("a", "one").await;
    assert_eq!(
        (again.status, again.header("x-ogmill-cache")),
        (StatusCode::OK, "hit")
    );
    // Another key has its own bucket; a key with its own rate has that.
    assert_eq!(post("b", "three").await.status, StatusCode::OK);
    for t in ["v1", "v2", "v3", "v4"] {
        assert_eq!(post("vip", t).await.status, StatusCode::OK, "{t}");
    }
    assert_eq!(super::metric(&s, "ogmill_rate_limited_total"), 1.0);
}

/// A made-up key is no bucket of its own: the client stays its address, whichever way it
/// sends the key (a header, a Bearer token, the query), so inventing keys cannot multiply
/// its renders or grow the table of buckets.
#[tokio::test]
async fn made_up_api_keys_count_against_the_clients_address() {
    use axum::extract::ConnectInfo;
    use ogmill_server::ratelimit::Rate;
    let s = state(ServerOptions {
        api_keys: vec!["realkey".into()],
        rate_limit: Some(Rate {
            count: 2,
            window: 60,
            burst: 2,
        }),
        ..ServerOptions::default()
    });
    let from = |n: usize| {
        let (uri, header) = match n % 3 {
            0 => (
                format!("/api/og?title=t{n}"),
                ("dma-api-key", format!("anything-{n}")),
            ),
            1 => (
                format!("/api/og?title=t{n}"),
                ("authorization", format!("Bearer junk{n}")),
            ),
            _ => (
                format!("/api/og?title=t{n}&dma-api-key=q{n}"),
                ("x-unrelated", String::new()),
            ),
        };
        let req = Request::get(uri)
            .header(header.0, header.1)
            .extension(ConnectInfo(
                "9.9.9.9:1".parse::<std::net::SocketAddr>().unwrap(),
            ))
            .body(Body::empty())
            .unwrap();
        send(&s, req)
    };
    let mut served = 0;
    for n in 0..12 {
        if from(n).await.status == StatusCode::OK {
            served += 1;
        }
    }
    assert_eq!(served, 2, "renders served to one address with made-up keys");
    assert_eq!(super::metric(&s, "ogmill_rate_limit_clients"), 1.0);
    // The real key is a bucket of its own.
    let real = Request::get("/api/og?title=real")
        .header("dma-api-key", "realkey")
        .extension(ConnectInfo(
            "9.9.9.9:2".parse::<std::net::SocketAddr>().unwrap(),
        ))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s, real).await.status, StatusCode::OK);
}

/// Without a key the client is its address; `X-Forwarded-For` counts only from a trusted
/// proxy, so a client cannot escape its bucket by writing the header.
#[tokio::test]
async fn rate_limits_by_address_believe_forwarded_for_only_from_trusted_proxies() {
    use axum::extract::ConnectInfo;
    use ogmill_server::ratelimit::Rate;
    let s = state(ServerOptions {
        rate_limit: Some(Rate {
            count: 1,
            window: 60,
            burst: 1,
        }),
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..ServerOptions::default()
    });
    let from = |peer: &str, xff: &str, title: &str| {
        let req = Request::get(format!("/api/og?title={title}"))
            .header("x-forwarded-for", xff)
            .extension(ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()))
            .body(Body::empty())
            .unwrap();
        send(&s, req)
    };
    // Through the proxy: two clients, one card each.
    assert_eq!(
        from("10.0.0.2:1", "1.1.1.1", "p1").await.status,
        StatusCode::OK
    );
    assert_eq!(
        from("10.0.0.2:2", "2.2.2.2", "p2").await.status,
        StatusCode::OK
    );
    assert_eq!(
        from("10.0.0.2:3", "1.1.1.1", "p3").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Straight from a client: its own header changes nothing.
    assert_eq!(
        from("9.9.9.9:1", "3.3.3.3", "d1").await.status,
        StatusCode::OK
    );
    assert_eq!(
        from("9.9.9.9:2", "4.4.4.4", "d2").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}
