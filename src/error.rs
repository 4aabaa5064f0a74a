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
    #[error("{}: {}", path.display(), describe_io(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Exit code for this error: 2 for bad input (the user can fix it), 1 for
    /// failures of the machine (disk full, permissions on the output folder).
    ///
    /// Some I/O errors are the input's fault rather than the machine's, and
    /// exit 2 too: a file that is not UTF-8 text, a folder where a file
    /// belongs or the reverse, and a name too long for the file system.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Io { source, .. } if is_bad_input(source) => 2,
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

/// Whether an I/O error comes from what the user gave rather than from the
/// machine (see [`Error::exit_code`]).
pub fn is_bad_input(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::InvalidData | K::IsADirectory | K::NotADirectory
    ) || name_too_long(e)
}

/// ENAMETOOLONG (its ErrorKind is newer than this crate's rust-version).
fn name_too_long(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ENAMETOOLONG)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// An I/O error's message, in words for the input's faults.
fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::InvalidData if e.to_string().contains("UTF-8") => {
            "not valid UTF-8 text: the file is damaged or not one commsim wrote".into()
        }
        K::IsADirectory => "is a folder, where a file is needed".into(),
        K::NotADirectory => "is a file, where a folder is needed".into(),
        _ if name_too_long(e) => format!("{e} (shorten the name)"),
        _ => e.to_string(),
    }
}

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
