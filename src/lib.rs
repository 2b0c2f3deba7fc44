//! zhsearch: full-text search for Chinese news and government texts.
pub mod analysis;
pub mod error;

pub use error::{Error, Result};
