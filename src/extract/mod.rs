//! Metadata extraction: pure functions from a raw document's text to its metadata (no I/O,
//! no tantivy). Each submodule owns one kind of metadata.

pub mod region;
