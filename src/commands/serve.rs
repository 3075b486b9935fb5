//! `ogmill serve` (the default command): the HTTP server until SIGINT or SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use ogmill::config::Config;
use ogmill_core::Renderer;
use ogmill_server::AppState;

pub(crate) fn run(config: &Config, renderer: Renderer) -> anyhow::Result<()> {
    let options = config.server_options();
    let state = AppState::new(Arc::new(renderer), options.clone())?;
    let engine = ogmill_core::Options {
        // As at start-up: a dev server's directory may be empty until a design is saved.
        allow_no_templates: options.dev,
        webp_never_larger: true,
        ..config.engine_options()
    };
    let watched: Vec<PathBuf> = engine
        .templates_dir
        .iter()
        .chain(&engine.font_dirs)
        .cloned()
        .collect();
    let _watch = if options.dev {
        if watched.is_empty() {
            tracing::warn!("--dev: nothing to watch (bundled templates; give --templates DIR)");
        }
        Some(ogmill_server::watch::watch(
            state.clone(),
            engine,
            &watched,
        )?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(options.bind)
            .await
            .with_context(|| format!("cannot listen on {}", options.bind))?;
        let addr = listener.local_addr()?;
        let names: Vec<_> = state
            .renderer()
            .templates()
            .map(|t| t.name.clone())
            .collect();
        let example = example_url(&options, addr);
        tracing::info!(
            templates = %names.join(", "),
            concurrency = options.concurrency,
            "ogmill listening on http://{addr}  (playground: http://{addr}/, or try {example})"
        );
        if options.dev {
            let dirs: Vec<String> = watched.iter().map(|d| d.display().to_string()).collect();
            tracing::info!(watching = %dirs.join(", "), "dev mode: changes reload and refresh open playground pages");
        }
        ogmill_server::serve(listener, state, shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM (what container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// A card URL that works under these settings: signed when signatures are required (with
/// the first key, as `ogmill sign` would), plain otherwise.
fn example_url(options: &ogmill_server::ServerOptions, addr: std::net::SocketAddr) -> String {
    let plain = format!("http://{addr}/api/og?title=Hello");
    if !options.require_signature {
        return plain;
    }
    match ogmill_core::request::signature::Signer::optional(&options.signing_keys) {
        Ok(Some(signer)) => {
            let query = signer.signed_query("default", &[("title".into(), "Hello".into())], None);
            format!("http://{addr}/api/og?{query}  (signatures are required: make URLs with `ogmill sign`)")
        }
        _ => plain,
    }
}
