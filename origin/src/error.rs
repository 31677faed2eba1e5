//! Command-line errors: a stable SCREAMING_SNAKE code and a message.

use std::fmt;

/// An error of a subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// Stable code, e.g. `SOURCE_INVALID`, `VERSION_NOT_NEWER`.
    pub code: String,
    /// What went wrong, naming the file and JSON path where there is one.
    pub message: String,
}

impl CliError {
    /// An error with a code.
    pub fn new(code: &str, message: impl Into<String>) -> CliError {
        CliError {
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// An I/O error.
    pub fn io(context: String, e: std::io::Error) -> CliError {
        CliError::new("IO_ERROR", format!("{context}: {e}"))
    }
}

impl From<promo_edge::Error> for CliError {
    fn from(e: promo_edge::Error) -> Self {
        CliError::new(e.code(), e.to_string())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for CliError {}
