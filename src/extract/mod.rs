//! Metadata extraction: pure functions from an article's title and body to the facts
//! zhsearch indexes beside its text. [`date`] finds the publication date with its
//! precision and provenance; [`topic`] assigns topics from a keyword taxonomy and picks
//! TF-IDF keywords. Nothing here touches the index or the file system.

pub mod date;
pub mod topic;
