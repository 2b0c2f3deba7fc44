//! zhsearch: full-text search for Chinese news and government texts.
pub mod analysis;
pub mod error;

pub use error::{Error, Result};
pub mod corpus;
pub mod date;
pub mod deadline;
pub mod extract;
pub mod indexer;
pub mod output;
pub mod record;
pub mod schema;
pub mod search;
pub mod serve;
