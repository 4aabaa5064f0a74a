//! Errors that reach the user.
//!
//! Every variant's message is written for the person at the terminal: it names
//! the file, the field or the line, and says what is allowed. The binary prints
//! the message once and exits with [`Error::exit_code`].

use std::path::PathBuf;

/// Everything that can go wrong in commsim, as the user should read it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario (or sweep) file could not be parsed or has a bad value.
    #[error("{}: {message}", path.display())]
    Scenario { path: PathBuf, message: String },

    /// A graph edge-list file has a bad line.
    #[error("{}:{line}: {message}", path.display())]
    GraphFile {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A file of a results folder (read by `commsim plot`) is missing or
    /// malformed. `line` is 1-based, when the problem is on one line.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    ResultsFile {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },

    /// The population would not fit in this machine's memory.
    #[error("{0}")]
    TooLarge(String),

    /// The output folder is not empty.
    #[error(
        "output folder {} is not empty; pass --force to replace the results in it, or choose another folder with --out",
        .0.display()
    )]
    OutputExists(PathBuf),

    /// A command-line value that clap cannot check on its own.
    #[error("{0}")]
    Usage(String),

    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Exit code for this error: 2 for bad input (the user can fix it), 1 for
    /// failures of the machine (disk full, permissions on the output folder).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Io { .. } => 1,
            _ => 2,
        }
    }

    /// Shorthand for an I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
