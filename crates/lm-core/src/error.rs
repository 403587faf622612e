//! Errors of the shared library code.

use std::path::PathBuf;

/// Result alias for `lm-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong while reading, writing or configuring a stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A line of the input stream is not a valid record.
    #[error("{input}:{line}: malformed record: {reason}")]
    Malformed {
        /// Name of the input (`<stdin>` or a file path).
        input: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading the input or writing the output failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being read or written.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file could not be read or is invalid.
    #[error("{}: {reason}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// Wraps an I/O error with a short description of what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// True when the error is a closed downstream pipe (the reader went away).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
