//! The library's error type. Every variant names the file, field or argument
//! involved, so that a message is useful on its own.

use std::path::PathBuf;

/// A `Result` with zhsearch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file or directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A user dictionary could not be read.
    #[error("dictionary {}, line {line}: {message}", path.display())]
    Dictionary {
        /// The dictionary file.
        path: PathBuf,
        /// The line at fault (1-based), or 0 when no line is to blame.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A synonym file could not be read.
    #[error("synonyms {}, line {line}: {message}", path.display())]
    Synonyms {
        /// The synonym file.
        path: PathBuf,
        /// The line at fault (1-based).
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// There is no index at the given path.
    #[error("no index at {}: build one with `zhsearch index DIR --index {}`", path.display(), path.display())]
    IndexMissing {
        /// Where the index was expected.
        path: PathBuf,
    },
    /// The index exists but cannot be read.
    #[error("the index at {} is damaged or unreadable ({message}): rebuild it with `zhsearch index DIR --index {} --rebuild`", path.display(), path.display())]
    IndexCorrupt {
        /// The index directory.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The index was built with other analysis settings than these.
    #[error("the index at {} was built with {built}, but this search uses {current}: rebuild it with `zhsearch index DIR --index {} --rebuild`, or search with the settings it was built with", path.display(), path.display())]
    IndexSettingsMismatch {
        /// The index directory.
        path: PathBuf,
        /// The settings recorded in the index.
        built: String,
        /// The settings of this run.
        current: String,
    },
    /// Another process is writing to the index.
    #[error("another zhsearch process is writing to the index at {}; wait for it to finish (or, if none is running, delete {}/.tantivy-writer.lock)", path.display(), path.display())]
    IndexLocked {
        /// The index directory.
        path: PathBuf,
    },
    /// tantivy failed on the index.
    #[error("index at {}: {source}", path.display())]
    Tantivy {
        /// The index directory.
        path: PathBuf,
        /// tantivy's error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// A search stopped because its deadline passed or it was cancelled (the
    /// server had already answered 503): nothing is wrong with the index.
    #[error("the search stopped: {0}")]
    Cancelled(#[from] crate::deadline::Cancelled),
    /// A query could not be parsed or is not allowed.
    #[error(transparent)]
    Query(#[from] crate::search::QueryError),
    /// The HTTP server could not listen on its address, or failed while serving.
    #[error("HTTP server on {addr}: {source}")]
    Serve {
        /// The address it listens, or tried to listen, on.
        addr: std::net::SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}
