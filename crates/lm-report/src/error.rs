//! Errors of `lm-report`.

use std::path::PathBuf;

/// Result alias for `lm-report`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong while building or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or parsing the record stream failed.
    #[error(transparent)]
    Input(#[from] lm_core::Error),
    /// The baseline file could not be read or is not a baseline.
    #[error("baseline {}: {reason}", path.display())]
    Baseline {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Writing the report or a baseline failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being written.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// True when the error is a closed downstream pipe.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Input(e) => e.is_broken_pipe(),
            Error::Io { source, .. } => source.kind() == std::io::ErrorKind::BrokenPipe,
            Error::Baseline { .. } => false,
        }
    }
}
