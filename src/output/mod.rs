//! Printers: human (terminal, optionally coloured) and JSON, writing to any
//! `impl Write`. They format data the library returns; they never search.

pub mod human;
pub mod json;

pub use human::Human;
