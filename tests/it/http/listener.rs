//! A real listener on a loopback port: graceful shutdown, slow clients, the connection limit.

use std::net::SocketAddr;
use std::time::Duration;

use ogmill_server::{serve, AppState, ServerOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::{metric, slow, state, state_with_hook};

const BOUND: Duration = Duration::from_secs(10);

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

async fn start(state: AppState) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state, async {
        let _ = stopped.await;
    }));
    Running { addr, stop, server }
}

/// One HTTP/1.1 request on its own connection; the status and the body.
async fn request(stream: &mut TcpStream, path: &str) -> (u16, Vec<u8>) {
    let head = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = vec![];
    timeout(BOUND, stream.read_to_end(&mut raw))
        .await
        .expect("bounded")
        .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head[9..12].parse().unwrap();
    (status, raw[split + 4..].to_vec())
}

async fn get(addr: SocketAddr, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    request(&mut stream, path).await
}

async fn until_in_flight(s: &AppState, n: f64) {
    for _ in 0..500 {
        if metric(s, "ogmill_renders_in_flight") == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never {n} renders in flight");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_request_in_flight_finish_then_stops_accepting() {
    let s = state_with_hook(ServerOptions::default(), slow(Duration::from_millis(500)));
    let run = start(s.clone()).await;
    let addr = run.addr;
    let in_flight = tokio::spawn(async move { get(addr, "/api/og?title=In+flight").await });
    until_in_flight(&s, 1.0).await;
    run.stop.send(()).unwrap();
    let (status, body) = in_flight.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(crate::support::decode_png(&body).dimensions(), (1200, 630));
    timeout(BOUND, run.server)
        .await
        .expect("serve returns after the grace period at the latest")
        .unwrap()
        .unwrap();
    assert!(s.is_draining());
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let options = ServerOptions {
        header_timeout: Duration::from_millis(300),
        ..ServerOptions::default()
    };
    let run = start(state(options)).await;
    let mut slow = TcpStream::connect(run.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHo")
        .await
        .unwrap();
    // Meanwhile everybody else is served.
    let (status, body) = get(run.addr, "/healthz").await;
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
    let mut rest = vec![];
    let closed = timeout(BOUND, slow.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the slow connection was closed by the server"
    );
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"));
    run.stop.send(()).unwrap();
    run.server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_wait_until_one_closes() {
    let options = ServerOptions {
        max_connections: 1,
        ..ServerOptions::default()
    };
    let run = start(state(options)).await;
    // A keep-alive connection that stays open holds the only slot.
    let mut first = TcpStream::connect(run.addr).await.unwrap();
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let n = timeout(BOUND, first.read(&mut buf)).await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let addr = run.addr;
    let mut second = tokio::spawn(async move { get(addr, "/healthz").await });
    let early = timeout(Duration::from_millis(300), &mut second).await;
    assert!(early.is_err(), "served while the only slot was taken");
    drop(first);
    let (status, _) = timeout(BOUND, second).await.unwrap().unwrap();
    assert_eq!(status, 200);
    run.stop.send(()).unwrap();
    run.server.await.unwrap().unwrap();
}
