//! Metadata extraction: pure functions from an article's text to its title,
//! source, region, date and topics. No I/O and no tantivy here.
//!
//! [`extract`] turns a [`RawDoc`] into an [`Article`]: what the file states
//! (front matter, JSONL fields) wins; the rest is inferred from the text,
//! and [`Metadata`] records where each value came from.

pub mod date;
pub mod region;
pub mod title;
pub mod topic;

use serde::{Deserialize, Serialize};

use crate::corpus::RawDoc;

/// An article ready to be indexed: its text and everything known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Unique id.
    pub id: String,
    /// Source file, relative to the corpus root.
    pub path: String,
    /// Title (headline, lead or metadata).
    pub title: String,
    /// Article text.
    pub body: String,
    /// Publisher or site.
    pub source: Option<String>,
    /// URL of the original.
    pub url: Option<String>,
    /// Extracted metadata with provenance.
    pub meta: Metadata,
}

/// What extraction found, and where it came from. Stored with the document
/// and shown by `zhsearch show`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Where the title came from: `metadata`, `headline` or `lead`.
    pub title_from: String,
    /// Where the source came from: `metadata` or `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_from: Option<String>,
    /// The encoding the file was read with.
    pub encoding: String,
    /// Line in a JSONL file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// Extracts an article's metadata from its raw form.
pub fn extract(doc: RawDoc) -> Article {
    let found = title::find_title(&doc.body);
    let (title, title_from) = match doc.meta.title {
        Some(t) => (t, "metadata"),
        None if found.is_lead => (found.text, "lead"),
        None => (found.text, "headline"),
    };
    let (source, source_from) = match (doc.meta.source, found.source) {
        (Some(s), _) => (Some(s), Some("metadata")),
        (None, Some(s)) => (Some(s), Some("text")),
        (None, None) => (None, None),
    };
    Article {
        id: doc.id,
        path: doc.path,
        title,
        body: doc.body,
        source,
        url: doc.meta.url,
        meta: Metadata {
            title_from: title_from.to_string(),
            source_from: source_from.map(str::to_string),
            encoding: doc.encoding.to_string(),
            line: doc.line,
        },
    }
}
