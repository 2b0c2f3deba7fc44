//! Printers: human (terminal, optionally coloured) and JSON, writing to any
//! `impl Write`. They format data the library returns; they never search.
//!
//! A command picks its [`Printer`] once, from `--format` (ripgrep's
//! `HiArgs::printer()` is the model), and then only calls it: no command
//! asks "JSON or not?". Adding a format is a variant here, a module beside
//! `human` and `json`, and a value of `--format`.

pub mod human;
pub mod json;

use std::io::{self, Write};

use serde::Serialize;

pub use human::Human;

use crate::extract::Article;
use crate::indexer::Summary;
use crate::record::Record;
use crate::search::Results;
use crate::search::facets::{Period, timeline};

/// An output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// For people: [`Human`].
    #[default]
    Human,
    /// One JSON object per line, for scripts: [`json`].
    Json,
}

/// What every command prints with, chosen once.
#[derive(Debug, Clone, Copy)]
pub enum Printer {
    /// For people.
    Human(Human),
    /// One JSON object per line.
    Json,
}

impl Printer {
    /// The printer for `format`; `human` says how to print for people.
    pub fn new(format: Format, human: Human) -> Printer {
        match format {
            Format::Human => Printer::Human(human),
            Format::Json => Printer::Json,
        }
    }

    /// The results of `search`: the hits (one JSON object each, with their
    /// explanations), then the facet counts when there are some.
    pub fn results(&self, out: &mut impl Write, results: &Results) -> io::Result<()> {
        match self {
            Printer::Human(h) => {
                h.results(out, results)?;
                if let Some(facets) = &results.facets {
                    writeln!(out)?;
                    // Hits fold near-duplicates; counts never do.
                    writeln!(out, "counts of articles (near-duplicates each counted):")?;
                    h.facets(out, facets)?;
                }
                Ok(())
            }
            Printer::Json => {
                for hit in &results.hits {
                    let line = json::HitLine::explained(hit).of_search(results);
                    json::line(out, &line)?;
                }
                match &results.facets {
                    Some(facets) => json::line(out, &json::FacetsAfterHits { facets }),
                    None => Ok(()),
                }
            }
        }
    }

    /// The facet counts of the articles matching `query` (`zhsearch facets`).
    pub fn facets(&self, out: &mut impl Write, query: &str, results: &Results) -> io::Result<()> {
        let none = Default::default();
        let facets = results.facets.as_ref().unwrap_or(&none);
        match self {
            Printer::Human(h) => {
                writeln!(out, "{} matching articles", results.total)?;
                h.facets(out, facets)
            }
            Printer::Json => json::line(
                out,
                &json::FacetsLine {
                    query,
                    total: results.total,
                    facets,
                    undated_excluded: None,
                },
            ),
        }
    }

    /// The articles matching `query` over time (`zhsearch facets --by`).
    pub fn timeline(
        &self,
        out: &mut impl Write,
        query: &str,
        results: &Results,
        by: Period,
    ) -> io::Result<()> {
        let none = Default::default();
        let facets = results.facets.as_ref().unwrap_or(&none);
        let (periods, no_month) = timeline(facets, by);
        match self {
            Printer::Human(h) => {
                writeln!(out, "{} matching articles", results.total)?;
                h.timeline(out, &periods, no_month, facets.undated)
            }
            Printer::Json => json::line(
                out,
                &json::TimelineLine {
                    query,
                    total: results.total,
                    by,
                    periods: &periods,
                    no_month,
                    undated: facets.undated,
                },
            ),
        }
    }

    /// A stored document (`zhsearch show`).
    pub fn document(&self, out: &mut impl Write, doc: &Record) -> io::Result<()> {
        match self {
            Printer::Human(h) => h.document(out, doc),
            Printer::Json => json::line(out, doc),
        }
    }

    /// What extraction found in an article (`zhsearch extract`).
    pub fn article(&self, out: &mut impl Write, article: &Article) -> io::Result<()> {
        match self {
            Printer::Human(h) => h.article(out, article),
            Printer::Json => json::line(out, &json::ArticleLine::new(&article.record)),
        }
    }

    /// The summary of an indexing run.
    pub fn summary(&self, out: &mut impl Write, summary: &Summary) -> io::Result<()> {
        match self {
            Printer::Human(h) => h.summary(out, summary),
            Printer::Json => json::line(out, &json::SummaryLine::new(summary)),
        }
    }

    /// A report that prints as `table` for people and as itself in JSON
    /// (`zhsearch bench`).
    pub fn report(
        &self,
        out: &mut impl Write,
        report: &impl Serialize,
        table: &str,
    ) -> io::Result<()> {
        match self {
            Printer::Human(_) => write!(out, "{table}"),
            Printer::Json => json::line(out, report),
        }
    }
}
