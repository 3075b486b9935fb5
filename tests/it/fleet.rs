//! A fleet as users run one: three `ogmill serve` processes sharing a real `redis-server`,
//! behind a real HAProxy that health-checks `/readyz`, all on loopback. Under steady load of
//! repeated and new cards, one instance is killed (SIGKILL), another restarted the way a
//! rolling deploy does it (SIGTERM, then a new process), and Redis restarted; the client
//! must see no failure, and each distinct card must be rendered about once fleet-wide.
//!
//! Needs redis-server and haproxy on PATH (`.ci/test` installs both). Prints its figures
//! (requests, failures, renders per distinct card, p50/p99) for docs/deploying.md.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{free_port, wait_for_port, Process};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Distinct cards over the run; new ones appear every `NEW_EVERY` until all are in play.
const CARDS: usize = 40;
const NEW_EVERY: Duration = Duration::from_millis(250);
const CLIENTS: usize = 6;

/// A Redis that keeps its data across a clean restart (it saves on SIGTERM), as a managed
/// one does across a failover or an upgrade.
fn redis(port: u16, dir: &Path) -> Process {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "3600 1", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server must be installed for this test: apt-get install redis-server");
    wait_for_port(port, "redis-server", Duration::from_secs(20));
    Process(child)
}

fn ogmill(port: u16, redis_port: u16) -> Process {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ogmill"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--redis-url", &format!("redis://127.0.0.1:{redis_port}/0")])
        .args(["--shutdown-grace", "5s"])
        // A debug build renders 10-50x slower than a release one, slower still beside the
        // rest of the suite: wait for the lock holder's card as long as such a render takes.
        .args(["--redis-lock-wait", "3s"])
        .env("OGMILL_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the log so a full pipe never blocks the server.
    let log = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || log.lines().for_each(drop));
    wait_for_port(port, "ogmill", Duration::from_secs(20));
    Process(child)
}

/// HAProxy as its docs suggest for a stateless HTTP service: health checks on /readyz,
/// and idempotent requests retried on another server when one dies under them.
fn haproxy(dir: &Path, port: u16, backends: &[u16]) -> Process {
    let servers: String = backends
        .iter()
        .enumerate()
        .map(|(i, p)| format!("    server og{i} 127.0.0.1:{p} check\n"))
        .collect();
    let config = format!(
        "global\n    maxconn 1000\n\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 30s\n    \
         timeout server 15s\n    retries 3\n    option redispatch 1\n    \
         retry-on all-retryable-errors\n\
         frontend cards\n    bind 127.0.0.1:{port}\n    default_backend ogmill\n\
         backend ogmill\n    balance roundrobin\n    option httpchk GET /readyz\n    \
         http-check expect status 200\n    \
         default-server inter 200ms fall 1 rise 2\n{servers}"
    );
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, config).unwrap();
    let child = Command::new("haproxy")
        .arg("-f")
        .arg(&path)
        .arg("-db")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("haproxy must be installed for this test: apt-get install haproxy");
    wait_for_port(port, "haproxy", Duration::from_secs(20));
    Process(child)
}

/// Finished renders of one instance, from its /metrics.
fn renders(port: u16) -> u64 {
    let text = get_text(&format!("http://127.0.0.1:{port}/metrics"));
    text.lines()
        .find_map(|l| l.strip_prefix("ogmill_renders_total{outcome=\"ok\"} "))
        .map_or(0, |n| n.trim().parse().unwrap())
}

fn get_text(url: &str) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async { reqwest::get(url).await.unwrap().text().await.unwrap() })
}

#[derive(Default)]
struct Seen {
    latencies: Vec<Duration>,
    failures: Vec<String>,
    cards: std::collections::HashSet<usize>,
}

/// `CLIENTS` loops of GETs through the balancer until `stop`: a card already in play, or
/// the next new one when its time has come.
fn load(
    origin: String,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Seen>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap();
            let start = Instant::now();
            let tasks = (0..CLIENTS).map(|c| {
                let (client, origin, stop, seen) =
                    (client.clone(), origin.clone(), stop.clone(), seen.clone());
                tokio::spawn(async move {
                    let mut n = c;
                    while !stop.load(Ordering::Relaxed) {
                        let in_play =
                            (1 + start.elapsed().as_millis() / NEW_EVERY.as_millis()) as usize;
                        n = (n * 7 + 3) % 1009;
                        let card = n % in_play.min(CARDS);
                        let url =
                            format!("{origin}/api/og/blog?title=Fleet+card+{card}&author=Load");
                        let t = Instant::now();
                        let outcome = match client.get(&url).send().await {
                            Ok(r) if r.status() == 200 => match r.bytes().await {
                                Ok(b) if b.starts_with(b"\x89PNG") => Ok(()),
                                Ok(_) => Err(format!("{url}: not a PNG")),
                                Err(e) => Err(format!("{url}: body: {e}")),
                            },
                            Ok(r) => Err(format!("{url}: {}", r.status())),
                            Err(e) => Err(format!("{url}: {e:?}")),
                        };
                        let mut seen = seen.lock().unwrap();
                        seen.cards.insert(card);
                        match outcome {
                            Ok(()) => seen.latencies.push(t.elapsed()),
                            Err(e) => seen.failures.push(e),
                        }
                    }
                })
            });
            for t in tasks.collect::<Vec<_>>() {
                t.await.unwrap();
            }
        });
    })
}

#[test]
fn a_fleet_behind_haproxy_survives_a_kill_a_rolling_restart_and_a_redis_restart() {
    let dir = tempfile::tempdir().unwrap();
    let redis_dir: PathBuf = dir.path().join("redis");
    std::fs::create_dir_all(&redis_dir).unwrap();
    let redis_port = free_port();
    let mut redis_server = redis(redis_port, &redis_dir);
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let mut fleet: Vec<Process> = ports.iter().map(|&p| ogmill(p, redis_port)).collect();
    let lb_port = free_port();
    let _lb = haproxy(dir.path(), lb_port, &ports);
    // Every instance healthy in HAProxy's eyes before the load starts.
    std::thread::sleep(Duration::from_millis(600));

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let client = load(
        format!("http://127.0.0.1:{lb_port}"),
        stop.clone(),
        seen.clone(),
    );
    let mut rendered = 0;
    let pause = |ms| std::thread::sleep(Duration::from_millis(ms));

    pause(2500);
    // Instance 0 dies without warning; its count is read just before.
    rendered += renders(ports[0]);
    fleet[0].signal("KILL");
    fleet[0].wait_within(Duration::from_secs(5));
    pause(1500);
    fleet[0] = ogmill(ports[0], redis_port);

    pause(1500);
    // A rolling restart of instance 1: SIGTERM, it drains and exits 0, a new one starts.
    rendered += renders(ports[1]);
    fleet[1].signal("TERM");
    let status = fleet[1].wait_within(Duration::from_secs(10));
    assert!(status.success(), "instance 1 exited {status} on SIGTERM");
    fleet[1] = ogmill(ports[1], redis_port);

    pause(1500);
    // Redis goes away for a second (saving on the way out) and comes back. Until then, the
    // fleet shared every render.
    let before_redis = rendered + ports.iter().map(|&p| renders(p)).sum::<u64>();
    let cards_before_redis = seen.lock().unwrap().cards.len() as f64;
    redis_server.signal("TERM");
    redis_server.wait_within(Duration::from_secs(10));
    pause(1000);
    redis_server = redis(redis_port, &redis_dir);

    pause(3000);
    stop.store(true, Ordering::Relaxed);
    client.join().unwrap();
    rendered += ports.iter().map(|&p| renders(p)).sum::<u64>();
    drop(redis_server);

    let seen = seen.lock().unwrap();
    let mut latencies = seen.latencies.clone();
    latencies.sort();
    let pct = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    let requests = latencies.len() + seen.failures.len();
    println!(
        "fleet: {requests} requests, {} failed, {rendered} renders for {} distinct cards \
         ({:.2} per card; {before_redis} for the first {cards_before_redis} before Redis \
         restarted), p50 {:.1} ms, p99 {:.1} ms",
        seen.failures.len(),
        seen.cards.len(),
        rendered as f64 / seen.cards.len() as f64,
        pct(0.5),
        pct(0.99)
    );
    assert!(
        seen.failures.is_empty(),
        "{} of {requests} requests failed, first: {:?}",
        seen.failures.len(),
        &seen.failures[..seen.failures.len().min(5)]
    );
    assert!(
        requests > 200,
        "too little load to mean anything: {requests}"
    );
    // While Redis is up, each card once, give or take one rendered by an instance that died
    // before storing it (or after its count was read).
    assert!(
        before_redis as f64 >= cards_before_redis - 3.0
            && before_redis as f64 <= cards_before_redis * 1.1 + 1.0,
        "{before_redis} renders for {cards_before_redis} distinct cards before Redis restarted"
    );
    // While it is away (and the instances wait out their reconnect backoff), each instance
    // renders what it has not seen: a card new in that time at most once per instance.
    let distinct = seen.cards.len() as f64;
    let new_since = distinct - cards_before_redis;
    assert!(
        (rendered - before_redis) as f64 <= new_since * ports.len() as f64 + 3.0,
        "{} renders for {new_since} cards new since Redis restarted",
        rendered - before_redis
    );
}
