//! The shared Redis tier against a real `redis-server`, started by each test on a free
//! loopback port with a temp dir and stopped by PID. Needs redis-server on PATH (`.ci/run`
//! installs it); without it the tests fail saying how to install it.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ogmill_server::redis::RedisOptions;
use ogmill_server::{AppState, ServerOptions};

use crate::http::{get, metric, post_json, renders, slow, state, state_with_hook, Reply};
use crate::support::{free_port, wait_for_port};
use axum::http::StatusCode;

struct RedisServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    fn start() -> Self {
        Self::start_on(free_port(), tempfile::tempdir().unwrap())
    }

    fn start_on(port: u16, dir: tempfile::TempDir) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed for these tests: apt-get install redis-server");
        wait_for_port(port, "redis-server", Duration::from_secs(5));
        RedisServer { child, port, dir }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops it (by PID) and starts it again on the same port, empty.
    fn restart(mut self) -> Self {
        self.stop();
        let port = self.port;
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        drop(self);
        Self::start_on(port, dir)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Overwrites every card key with bytes that are not a card.
    fn spoil_every_card(&self) {
        let client = redis::Client::open(self.url()).unwrap();
        let mut conn = client.get_connection().unwrap();
        let keys: Vec<String> = redis::cmd("KEYS").arg("*card:*").query(&mut conn).unwrap();
        assert!(!keys.is_empty());
        for k in keys {
            let _: () = redis::cmd("SET")
                .arg(&k)
                .arg("garbage")
                .query(&mut conn)
                .unwrap();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn options(url: &str) -> ServerOptions {
    ServerOptions {
        redis: Some(RedisOptions {
            max_backoff: Duration::from_millis(200),
            lock_wait: Duration::from_secs(2),
            ..RedisOptions::new(url)
        }),
        ..ServerOptions::default()
    }
}

/// Waits until `s` has written `n` cards to Redis (writes are off the response path).
async fn writes_reach(s: &AppState, n: f64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while metric(s, "ogmill_redis_writes_total") < n {
        assert!(
            Instant::now() < deadline,
            "no Redis write:\n{}",
            s.metrics_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A request that must succeed within the timeout budget whatever Redis does.
async fn timed(s: &AppState, uri: &str) -> Reply {
    let started = Instant::now();
    let r = get(s, uri).await;
    r.png();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{uri} took {:?}",
        started.elapsed()
    );
    r
}

#[tokio::test]
async fn a_card_rendered_on_one_instance_is_a_redis_hit_on_another() {
    let redis = RedisServer::start();
    let (a, b) = (state(options(&redis.url())), state(options(&redis.url())));
    let uri = "/api/og/blog?title=Shared+by+the+fleet";
    let first = get(&a, uri).await;
    assert_eq!(first.header("x-ogmill-cache"), "miss");
    writes_reach(&a, 1.0).await;
    let shared = get(&b, uri).await;
    assert_eq!(shared.header("x-ogmill-cache"), "redis");
    assert_eq!(shared.body, first.body);
    assert_eq!(shared.header("etag"), first.header("etag"));
    assert_eq!(renders(&b), 0.0, "B rendered nothing");
    assert_eq!(
        get(&b, uri).await.header("x-ogmill-cache"),
        "hit",
        "now in B's memory"
    );
}

#[tokio::test]
async fn instances_missing_the_same_card_at_once_render_it_once() {
    let redis = RedisServer::start();
    let hook = || slow(Duration::from_millis(300));
    let a = state_with_hook(options(&redis.url()), hook());
    let b = state_with_hook(options(&redis.url()), hook());
    let uri = "/api/og/blog?title=Stampede";
    let (ra, rb) = tokio::join!(get(&a, uri), get(&b, uri));
    assert_eq!(ra.body, rb.body);
    assert_eq!(
        renders(&a) + renders(&b),
        1.0,
        "the lock loser waited for the winner"
    );
}

#[tokio::test]
async fn a_redis_that_stops_and_restarts_never_fails_a_request() {
    let redis = RedisServer::start();
    let a = state(options(&redis.url()));
    timed(&a, "/api/og?title=before").await;
    writes_reach(&a, 1.0).await;
    let mut redis = redis;
    redis.stop();
    for i in 0..10 {
        timed(&a, &format!("/api/og?title=while+down+{i}")).await;
    }
    assert!(
        metric(&a, "ogmill_redis_errors_total") > 0.0
            || a.metrics_text().contains("ogmill_redis_errors_total{op=")
    );
    let redis = redis.restart();
    // After the backoff the tier reconnects and writes resume.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut i = 0;
    while metric(&a, "ogmill_redis_writes_total") < 2.0 {
        assert!(Instant::now() < deadline, "no write after the restart");
        timed(&a, &format!("/api/og?title=after+{i}")).await;
        i += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let b = state(options(&redis.url()));
    let r = timed(&b, &format!("/api/og?title=after+{}", i - 1)).await;
    assert_eq!(r.header("x-ogmill-cache"), "redis");
}

#[tokio::test]
async fn a_blackholed_redis_costs_at_most_its_timeout() {
    // Accepts connections and never answers.
    let hole = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = hole.local_addr().unwrap();
    let _held = std::thread::spawn(move || {
        let mut conns = vec![];
        while let Ok((c, _)) = hole.accept() {
            conns.push(c);
        }
    });
    let a = state(options(&format!("redis://{addr}/0")));
    for i in 0..5 {
        timed(&a, &format!("/api/og?title=hole+{i}")).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    assert!(
        a.metrics_text().contains("ogmill_redis_errors_total{op="),
        "{}",
        a.metrics_text()
    );
    assert_eq!(renders(&a), 5.0);
}

#[tokio::test]
async fn garbage_under_a_key_is_rendered_again_and_overwritten() {
    let redis = RedisServer::start();
    let a = state(options(&redis.url()));
    let uri = "/api/og?title=spoiled";
    let good = get(&a, uri).await;
    writes_reach(&a, 1.0).await;
    redis.spoil_every_card();
    let b = state(options(&redis.url()));
    let again = get(&b, uri).await;
    assert_eq!(
        again.header("x-ogmill-cache"),
        "miss",
        "garbage is not a card"
    );
    assert_eq!(again.body, good.body);
    writes_reach(&b, 1.0).await;
    let c = state(options(&redis.url()));
    assert_eq!(
        get(&c, uri).await.header("x-ogmill-cache"),
        "redis",
        "overwritten"
    );
}

#[tokio::test]
async fn an_instance_releases_its_own_render_lock_and_never_another_ones() {
    let redis = RedisServer::start();
    let a = state_with_hook(options(&redis.url()), slow(Duration::from_millis(400)));
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_connection().unwrap();
    let locks = |conn: &mut redis::Connection| -> Vec<String> {
        redis::cmd("KEYS").arg("*lock:*").query(conn).unwrap()
    };
    // Its own lock is gone once the card is stored.
    get(&a, "/api/og?title=own+lock").await.png();
    writes_reach(&a, 1.0).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(locks(&mut conn).is_empty(), "{:?}", locks(&mut conn));
    // A lock that changed hands while it rendered (it outlived its TTL) stays.
    let render = tokio::spawn({
        let a = a.clone();
        async move { get(&a, "/api/og?title=stolen+lock").await }
    });
    let deadline = Instant::now() + Duration::from_secs(2);
    let lock = loop {
        if let Some(k) = locks(&mut conn).pop() {
            break k;
        }
        assert!(Instant::now() < deadline, "no lock taken");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let _: () = redis::cmd("SET")
        .arg(&lock)
        .arg("another-instance")
        .query(&mut conn)
        .unwrap();
    render.await.unwrap().png();
    writes_reach(&a, 2.0).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let holder: Option<String> = redis::cmd("GET").arg(&lock).query(&mut conn).unwrap();
    assert_eq!(holder.as_deref(), Some("another-instance"));
}

#[tokio::test]
async fn a_redis_hit_says_what_the_render_said_of_glyphs_and_fit() {
    let redis = RedisServer::start();
    let (a, b) = (state(options(&redis.url())), state(options(&redis.url())));
    let uri = "/api/og?title=%F0%90%80%80%F0%90%80%81";
    let rendered = get(&a, uri).await;
    assert_eq!(rendered.header("x-ogmill-missing-glyphs"), "2");
    assert!(rendered.header("x-ogmill-fit").starts_with("title "));
    writes_reach(&a, 1.0).await;
    let shared = get(&b, uri).await;
    assert_eq!(shared.header("x-ogmill-cache"), "redis");
    assert_eq!(shared.header("x-ogmill-missing-glyphs"), "2");
    assert_eq!(
        shared.header("x-ogmill-fit"),
        rendered.header("x-ogmill-fit")
    );
}

/// With Redis, a client's rate limit holds across the fleet: two instances share one
/// bucket. When Redis goes away, each instance falls back to its own buckets and keeps
/// serving, never refusing everyone.
#[tokio::test]
async fn rate_limits_hold_across_instances_and_survive_redis_going_away() {
    use ogmill_server::ratelimit::Rate;
    let mut redis = RedisServer::start();
    let limited = |url: &str| ServerOptions {
        api_keys: vec!["k".into()],
        rate_limit: Some(Rate {
            count: 2,
            window: 60,
            burst: 2,
        }),
        ..options(url)
    };
    let (a, b) = (state(limited(&redis.url())), state(limited(&redis.url())));
    let post = |s: &AppState, title: &str| {
        let (s, body) = (s.clone(), format!(r#"{{"title":"{title}"}}"#));
        async move { post_json(&s, "/v1/blog", &body, &[("authorization", "Bearer k")]).await }
    };
    assert_eq!(post(&a, "fleet one").await.status, StatusCode::OK);
    assert_eq!(post(&b, "fleet two").await.status, StatusCode::OK);
    // The bucket is shared: the third new card is refused on either instance.
    assert_eq!(
        post(&a, "fleet three").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        post(&b, "fleet four").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    redis.stop();
    // Redis gone: b's own bucket (untouched so far) takes over, within the timeout.
    let started = Instant::now();
    let r = post(&b, "fleet five").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(started.elapsed() < Duration::from_secs(2));
}
