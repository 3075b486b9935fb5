//! The library's one error type. The server maps each kind to a status code in one place;
//! the CLI prints it. Messages are written for the person who sent the request.

use std::path::PathBuf;

/// Everything that can go wrong between a raw request and PNG bytes.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request named a template that is not loaded.
    #[error("unknown template '{name}'; available: {available}")]
    UnknownTemplate { name: String, available: String },

    /// The request carried a parameter the template does not declare.
    #[error("unknown parameter '{name}' for template '{template}'; it takes: {known}")]
    UnknownParam {
        template: String,
        name: String,
        known: String,
    },

    /// The same parameter was given twice.
    #[error("parameter '{name}' was given more than once")]
    DuplicateParam { name: String },

    /// A value failed validation for its kind.
    #[error("invalid value for '{param}': {reason}")]
    InvalidValue { param: String, reason: String },

    /// A text value is longer than the parameter allows.
    #[error("'{param}' is {len} characters long; the limit is {max}")]
    TooLong {
        param: String,
        len: usize,
        max: usize,
    },

    /// A template file is broken; start-up stops with this.
    #[error("template {0}")]
    Template(#[from] crate::template::TemplateError),

    /// Fonts could not be loaded, or a template names a family that no loaded font has.
    #[error("fonts: {0}")]
    Font(String),

    /// Reading a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
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
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
