//! Stopping a render part-way. resvg cannot be interrupted inside a shape, but ogmill draws
//! a card one shape at a time (see `raster`) and looks at a [`Stop`] between them, so a card
//! that overruns its time (an SVG image whose dashes or markers were just under the work
//! budget, on a loaded machine) gives its worker back instead of drawing on for a minute.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A flag a caller raises to stop renders that were given it. Clones share the flag, so the
/// caller keeps one and hands one to the render; raising it is seen at the next shape.
#[derive(Clone, Debug, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A flag not yet raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag: renders holding it end with [`crate::Error::Stopped`] at the next
    /// shape they would draw. Raising it again does nothing.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag was raised.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
