//! The library's one error type. The server maps each kind to a status code in one place;
//! the CLI prints it. Messages are written for the person who sent the request.

use std::path::PathBuf;

mod template;

pub(crate) use template::{position_of, Problem};
pub use template::{Position, TemplateError, TemplateErrorKind};

/// Everything that can go wrong between a raw request and PNG bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request named a template that is not loaded.
    #[error("unknown template '{name}'; available: {available}")]
    UnknownTemplate {
        /// The name asked for (at most 64 characters of it).
        name: String,
        /// The loaded templates, comma-separated.
        available: String,
    },

    /// The request carried a parameter the template does not declare.
    #[error("unknown parameter '{name}' for template '{template}'; it takes: {known}")]
    UnknownParam {
        /// The template.
        template: String,
        /// The param given.
        name: String,
        /// The params the template takes, comma-separated.
        known: String,
    },

    /// The same parameter was given twice.
    #[error("parameter '{name}' was given more than once")]
    DuplicateParam {
        /// The param.
        name: String,
    },

    /// A value failed validation for its kind.
    #[error("invalid value for '{param}': {reason}")]
    InvalidValue {
        /// The param.
        param: String,
        /// Why the value is refused.
        reason: String,
    },

    /// A text value is longer than the parameter allows.
    #[error("'{param}' is {len} characters long; the limit is {max}")]
    TooLong {
        /// The param.
        param: String,
        /// The value's length in characters.
        len: usize,
        /// The param's limit.
        max: usize,
    },

    /// A template file is broken; start-up stops with this.
    // Not `#[from]`: that would also make it the source, and `{:#}` would print it twice.
    #[error("template {0}")]
    Template(TemplateError),

    /// The request named a template whose file did not load (with
    /// [`Options::skip_broken_templates`](crate::Options::skip_broken_templates)).
    #[error("template '{name}' did not load: {reason}")]
    BrokenTemplate {
        /// The template's name.
        name: String,
        /// Why, as its load error said it.
        reason: String,
    },

    /// Fonts could not be loaded, or a template names a family that no loaded font has.
    #[error("fonts: {0}")]
    Font(String),

    /// Reading a file or directory failed.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why (in the message, so not also a `source`).
        error: std::io::Error,
    },

    /// The caller raised the render's [`Stop`](crate::stop::Stop) before it finished.
    #[error("the render was stopped before it finished")]
    Stopped,

    /// The canvas could not be allocated (width x height x 4 bytes).
    #[error("cannot allocate a {width}x{height} canvas")]
    Canvas {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// An encoder refused the pixels.
    #[error("{format} encoding failed: {reason}")]
    Encode {
        /// `webp`, `jpeg`, `png`.
        format: &'static str,
        /// What the encoder said.
        reason: String,
    },
    /// A failure inside the pipeline that no request value can cause; a bug or a broken template.
    #[error("internal render error: {0}")]
    Internal(String),
}

impl Error {
    /// True when the error was caused by the request (a 4xx), false when it is ours (a 5xx).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Error::UnknownTemplate { .. }
                | Error::UnknownParam { .. }
                | Error::DuplicateParam { .. }
                | Error::InvalidValue { .. }
                | Error::TooLong { .. }
        )
    }

    /// A stable code for programs that act on the kind of failure (the Node and WebAssembly
    /// packages give it as `error.code`): `UNKNOWN_TEMPLATE`, `BAD_PARAM` (an unknown,
    /// repeated, invalid or too long value), `TEMPLATE_ERROR`, `FONT_ERROR`, `IO_ERROR`,
    /// `STOPPED` or `RENDER_ERROR`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownTemplate { .. } => "UNKNOWN_TEMPLATE",
            Error::Template(_) | Error::BrokenTemplate { .. } => "TEMPLATE_ERROR",
            e if e.is_client_error() => "BAD_PARAM",
            Error::Font(_) => "FONT_ERROR",
            Error::Io { .. } => "IO_ERROR",
            Error::Stopped => "STOPPED",
            _ => "RENDER_ERROR",
        }
    }
}

/// A result whose error is the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<TemplateError> for Error {
    fn from(e: TemplateError) -> Self {
        Error::Template(e)
    }
}
