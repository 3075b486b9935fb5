//! Hot reload for `serve --dev`: watch the template and font dirs, rebuild the renderer
//! when something changes, and swap it in; a broken file keeps the old renderer and its
//! error goes to open playground pages.

use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use notify::Watcher;

use super::AppState;
use ogmill_core::{Options, Renderer};

/// Changes closer together than this are one reload (an editor writes a file in steps).
const SETTLE: Duration = Duration::from_millis(150);

/// Keeps watching while it lives.
pub struct Watch {
    _watcher: Box<dyn Watcher + Send>,
}

/// Starts watching `dirs`; each change rebuilds a renderer from `options` on a thread of
/// its own and puts it in `state`.
pub fn watch(
    state: AppState,
    options: Options,
    dirs: &[PathBuf],
) -> Result<Watch, crate::StartupError> {
    let (tx, rx) = mpsc::channel::<()>();
    let on_event = move |res: notify::Result<notify::Event>| {
        if res.is_ok_and(|e| !e.kind.is_access()) {
            let _ = tx.send(());
        }
    };
    let fail = crate::StartupError::Watch;
    let mut watcher: Box<dyn Watcher + Send> = match notify::recommended_watcher(on_event.clone()) {
        Ok(w) => Box::new(w),
        // No inotify (some containers): look every half second instead.
        Err(_) => Box::new(
            notify::PollWatcher::new(
                on_event,
                notify::Config::default().with_poll_interval(Duration::from_millis(500)),
            )
            .map_err(fail)?,
        ),
    };
    for dir in dirs {
        watcher
            .watch(dir, notify::RecursiveMode::Recursive)
            .map_err(fail)?;
    }
    std::thread::Builder::new()
        .name("ogmill-reload".into())
        .spawn(move || reload_loop(&rx, &state, &options))
        .map_err(crate::StartupError::ReloadThread)?;
    Ok(Watch { _watcher: watcher })
}

fn reload_loop(rx: &mpsc::Receiver<()>, state: &AppState, options: &Options) {
    while rx.recv().is_ok() {
        while rx.recv_timeout(SETTLE).is_ok() {}
        reload(state, options);
    }
}

/// Rebuilds the renderer from the files as they are now, and swaps it in or reports why not.
pub fn reload(state: &AppState, options: &Options) {
    // Options holds font bytes behind a trait object; a reload only reads them.
    let load = std::panic::AssertUnwindSafe(|| Renderer::new(options.clone()));
    match std::panic::catch_unwind(load) {
        Ok(Ok(renderer)) => {
            let changed = state.replace_renderer(Arc::new(renderer));
            tracing::info!(changed = %changed.join(", "), "reloaded templates and fonts");
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "reload failed; still serving the previous templates");
            state.report_reload_error(e.to_string());
        }
        Err(_) => state.report_reload_error("loading the templates panicked".into()),
    }
}
