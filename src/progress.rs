//! The build's progress: a bar with rate and ETA on a terminal, a plain line every couple of
//! seconds otherwise (CI logs, pipes).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use ogmill::build::Progress;

pub enum Display {
    Bar(ProgressBar),
    Lines {
        total: AtomicUsize,
        done: AtomicUsize,
        started: Instant,
        last: Mutex<Instant>,
    },
}

impl Display {
    pub fn new() -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} cards  {rate}  ETA {eta}  {msg}",
                )
                .expect("a valid template")
                .with_key(
                    "rate",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1}/s", s.per_sec());
                    },
                ),
            );
            Display::Bar(bar)
        } else {
            Display::Lines {
                total: AtomicUsize::new(0),
                done: AtomicUsize::new(0),
                started: Instant::now(),
                last: Mutex::new(Instant::now()),
            }
        }
    }

    pub fn update(&self, p: Progress) {
        match (self, p) {
            (Display::Bar(bar), Progress::Planned { render, skipped }) => {
                bar.set_length(render as u64);
                bar.set_message(format!("({skipped} unchanged)"));
            }
            (Display::Bar(bar), Progress::Rendered { .. }) => bar.inc(1),
            (Display::Lines { total, .. }, Progress::Planned { render, skipped }) => {
                total.store(render, Ordering::Relaxed);
                eprintln!("{render} card(s) to render, {skipped} unchanged");
            }
            (
                Display::Lines {
                    total,
                    done,
                    started,
                    last,
                },
                Progress::Rendered { .. },
            ) => {
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() >= Duration::from_secs(2) {
                    *last = Instant::now();
                    let rate = done as f64 / started.elapsed().as_secs_f64();
                    let total = total.load(Ordering::Relaxed);
                    eprintln!("{done}/{total} cards, {rate:.1}/s");
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Display::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
