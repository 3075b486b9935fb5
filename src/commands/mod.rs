//! One module per command of the `ogmill` binary; each is a thin leaf over the `Renderer`.

/// `println!` that returns the error instead of panicking: `ogmill templates | head` closes
/// the pipe early, and that is no crash (`main` exits quietly on a broken pipe).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// As [`out!`], without the newline.
macro_rules! out_raw {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

pub(crate) mod bench;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod fonts;
pub(crate) mod healthcheck;
pub(crate) mod import;
pub(crate) mod render;
pub(crate) mod serve;
pub(crate) mod sign;
pub(crate) mod templates;
