//! zhsearch: full-text search for Chinese news and government texts.
pub mod extract;
