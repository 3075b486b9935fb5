//! Accepting connections. Hand-written over hyper-util rather than `axum::serve`, which sets
//! no header-read timeout (a slow client could hold a connection forever) and no connection
//! limit. Each connection is also watched ([`crate::connection`]): closed when it sends no
//! request within the header timeout (before hyper knows its protocol) or sits idle.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::{app, AppState};
use crate::connection::{PerClient, Watch};

/// Serves `state` on `listener` until `shutdown` completes; then stops accepting, marks the
/// server as draining, and gives in-flight requests the grace period to finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let options = state.options().clone();
    let app = app(state.clone());
    if let Some(tier) = state.0.redis.clone() {
        tokio::spawn(async move { tier.connect_early().await });
    }
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout);
    // Pings find peers that vanished; the watch below closes idle ones.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(options.header_timeout))
        .keep_alive_timeout(options.header_timeout);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(options.max_connections));
    let per_client = PerClient::new(options.max_connections_per_client);
    tokio::pin!(shutdown);
    loop {
        // At the limit, stop accepting: further clients wait in the kernel's backlog.
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot.expect("never closed"),
        };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (stream, peer) = stream;
        // A trusted proxy carries many clients; anyone else gets a share of the slots.
        let client_slot = if options
            .trusted_proxies
            .iter()
            .any(|n| n.contains(&peer.ip()))
        {
            None
        } else {
            match per_client.take(peer.ip()) {
                Some(s) => Some(s),
                None => {
                    tracing::debug!(%peer, "refused: the client holds its share of connections");
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let watch = Watch::new();
        let service = {
            let (app, watch) = (app.clone(), watch.clone());
            hyper::service::service_fn(
                move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    // The peer's address, for per-client limits (`ratelimit::identify`).
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    let in_flight = watch.start();
                    let app = app.clone();
                    async move {
                        // HTTP/1.1 requires Host (RFC 9112 3.2); a request without one is
                        // a client that sends anything, and proxies disagree on where it goes.
                        if req.version() == axum::http::Version::HTTP_11
                            && !req.headers().contains_key(axum::http::header::HOST)
                        {
                            let res = crate::ApiError::BadRequest(
                                "an HTTP/1.1 request needs a Host header".into(),
                            );
                            return Ok(axum::response::IntoResponse::into_response(res));
                        }
                        let res = tower::ServiceExt::oneshot(app, req).await;
                        drop(in_flight);
                        res
                    }
                },
            )
        };
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        let (first, idle) = (options.header_timeout, options.idle_timeout);
        tokio::spawn(async move {
            tokio::select! {
                ended = conn => if let Err(e) = ended {
                    tracing::debug!(error = %e, "connection ended with an error");
                },
                () = watch.expired(first, idle) => {
                    tracing::debug!(%peer, "closed a connection with no request in time");
                }
            }
            drop(client_slot);
            drop(slot);
        });
    }
    state.start_draining();
    drop(listener);
    let open = graceful.count();
    tracing::info!(
        open,
        grace = ?options.shutdown_grace,
        "shutting down: no new connections; finishing in-flight requests"
    );
    if tokio::time::timeout(options.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("grace period over; closing the remaining connections");
    }
    if let Some(tier) = state.0.redis.clone() {
        tier.flush(tier.options().timeout * 2).await;
    }
    Ok(())
}
