//! JSON output: the wire types, one module for the CLI's `--format json`
//! and the API, so that both write the same shapes. Each is a serde struct
//! (ripgrep's `jsont.rs` is the model), written as one object per line for
//! scripts (`jq`).
//!
//! Every value is written through a [`serde_json::Value`], as it always has
//! been: an `f32` (a score) prints as the `f64` it converts to.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::extract::Metadata;
use crate::indexer::Summary;
use crate::record::Record;
use crate::search::facets::{FacetCounts, Period, PeriodCount};
use crate::search::{Components, Hit, Relaxed, Request, Results, Sort};

/// One hit, as `search --format json` prints it (one per line) and
/// `/api/search` lists it. Highlights are `[start, end)` character offsets
/// into `snippet` (and into `title` for `title_highlights`).
#[derive(Debug, Serialize)]
pub struct HitLine<'a> {
    pub rank: usize,
    pub id: &'a str,
    pub path: &'a str,
    pub title: &'a str,
    pub title_highlights: Vec<[usize; 2]>,
    /// The score as an `f64`, as it has always been written: only its order
    /// means something (`rank` says it); `components` has its parts.
    pub score: f64,
    /// The parts of the score: tiers, boosts, BM25.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<&'a Components>,
    pub snippet: &'a str,
    pub highlights: Vec<[usize; 2]>,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub meta: &'a Metadata,
    /// The score explained (the CLI's `--explain`; the API leaves it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Value>,
    /// In a relaxed search, or one that matched titles in other words
    /// (`reworded`), the query's words this article lacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<&'a [String]>,
    /// The ids of the matching near-duplicates folded under this hit
    /// (empty with `--no-collapse`).
    pub similar: &'a [String],
    /// In a relaxed search, how it was relaxed (on every line, so that each
    /// stands alone; the API also says it once, beside the hits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<&'a Relaxed>,
    /// When its page shows titles with the query's text in other words
    /// (one word swapped for a near-synonym or a cognate): that text (on
    /// every line too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reworded: Option<&'a str>,
}

impl<'a> HitLine<'a> {
    /// A hit, without its explanation.
    pub fn new(hit: &'a Hit) -> HitLine<'a> {
        let r = &hit.record;
        HitLine {
            rank: hit.rank,
            id: &r.id,
            path: &r.path,
            title: &hit.title.text,
            title_highlights: hit.title.char_highlights(),
            score: f64::from(hit.score),
            components: hit.components.as_ref(),
            snippet: &hit.snippet.text,
            highlights: hit.snippet.char_highlights(),
            source: r.source.as_deref(),
            url: r.url.as_deref(),
            meta: &r.meta,
            explanation: None,
            missing: hit.missing.as_deref(),
            similar: &hit.similar,
            relaxed: None,
            reworded: None,
        }
    }

    /// The same hit, saying how its search was relaxed, if it was, and
    /// whether its page shows titles in other words.
    pub fn of_search(self, results: &'a Results) -> HitLine<'a> {
        HitLine {
            relaxed: results.relaxed.as_ref(),
            reworded: results.reworded.as_deref(),
            ..self
        }
    }

    /// A hit with its explanation, when it has one (`null` if unreadable).
    pub fn explained(hit: &'a Hit) -> HitLine<'a> {
        HitLine {
            explanation: hit
                .explanation
                .as_ref()
                .map(|e| serde_json::from_str(e).unwrap_or(Value::Null)),
            ..HitLine::new(hit)
        }
    }
}

/// The line after the hits of `search --facets --format json`.
#[derive(Debug, Serialize)]
pub struct FacetsAfterHits<'a> {
    pub facets: &'a FacetCounts,
}

/// The matching articles over time: `zhsearch facets --by month --format json`.
#[derive(Debug, Serialize)]
pub struct TimelineLine<'a> {
    pub query: &'a str,
    pub total: usize,
    pub by: Period,
    pub periods: &'a [PeriodCount],
    /// With `by: month`, articles dated to the year only.
    pub no_month: u64,
    pub undated: usize,
}

/// Facet counts of the articles matching `query`: `zhsearch facets
/// --format json`, and `/api/facets` (which adds `undated_excluded`).
#[derive(Debug, Serialize)]
pub struct FacetsLine<'a> {
    pub query: &'a str,
    pub total: usize,
    pub facets: &'a FacetCounts,
    /// With a date filter, matching articles left out for having no date
    /// (the API's; the CLI says it on stderr).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undated_excluded: Option<usize>,
}

/// The filters of an API search, as understood.
#[derive(Debug, Serialize)]
pub struct FiltersLine<'a> {
    pub region: &'a [String],
    pub topic: &'a [String],
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
}

/// The body of `/api/search`: the request as understood, the total, the
/// hits as `search --format json` prints them, and the facets.
#[derive(Debug, Serialize)]
pub struct SearchBody<'a> {
    pub query: &'a str,
    pub filters: FiltersLine<'a>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Whether near-duplicates are folded (`offset`, `limit` and ranks then
    /// count hits, each with its `similar`).
    pub collapse: bool,
    /// Matching articles, near-duplicates included.
    pub total: usize,
    /// With `collapse`: the hits the matching articles fold into, each
    /// cluster of near-duplicates once (what `offset` and pages count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits_total: Option<usize>,
    pub hits: Vec<HitLine<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<&'a FacetCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undated_excluded: Option<usize>,
    /// When articles lacking some of the query's words are shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<&'a Relaxed>,
    /// The query's text, when some hits have it in their title with one
    /// word swapped for a near-synonym or a cognate (and lack the word
    /// typed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reworded: Option<&'a str>,
    /// Time spent searching, in milliseconds (to 0.1 ms).
    pub elapsed_ms: f64,
}

impl<'a> SearchBody<'a> {
    /// The answer to `request`.
    pub fn new(request: &'a Request, results: &'a Results) -> SearchBody<'a> {
        let filters = &request.filters;
        SearchBody {
            query: &request.query,
            filters: FiltersLine {
                region: &filters.regions,
                topic: &filters.topics,
                since: filters.since.as_deref(),
                until: filters.until.as_deref(),
            },
            sort: request.sort,
            offset: request.offset,
            limit: request.limit,
            collapse: request.collapse,
            total: results.total,
            hits_total: results.hits_total,
            hits: results
                .hits
                .iter()
                .map(|hit| HitLine::new(hit).of_search(results))
                .collect(),
            facets: results.facets.as_ref(),
            undated_excluded: results.undated_excluded,
            relaxed: results.relaxed.as_ref(),
            reworded: results.reworded.as_deref(),
            elapsed_ms: (results.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
        }
    }
}

/// An article as `extract --format json` prints it (without its text).
#[derive(Debug, Serialize)]
pub struct ArticleLine<'a> {
    pub id: &'a str,
    pub path: &'a str,
    pub title: &'a str,
    pub source: Option<&'a str>,
    pub url: Option<&'a str>,
    pub meta: &'a Metadata,
}

impl<'a> ArticleLine<'a> {
    /// The line for `a`.
    pub fn new(a: &'a Record) -> ArticleLine<'a> {
        ArticleLine {
            id: &a.id,
            path: &a.path,
            title: &a.title,
            source: a.source.as_deref(),
            url: a.url.as_deref(),
            meta: &a.meta,
        }
    }
}

/// A file or record that could not be read, in a summary.
#[derive(Debug, Serialize)]
pub struct SkippedLine<'a> {
    pub path: &'a str,
    pub line: Option<usize>,
    pub reason: &'a str,
}

/// A warning, in a summary.
#[derive(Debug, Serialize)]
pub struct WarningLine<'a> {
    pub path: &'a str,
    pub line: Option<usize>,
    pub message: &'a str,
}

/// The summary of an indexing run, as `index --format json` prints it.
#[derive(Debug, Serialize)]
pub struct SummaryLine<'a> {
    #[serde(flatten)]
    pub summary: &'a Summary,
    pub skipped: Vec<SkippedLine<'a>>,
    pub warnings: Vec<WarningLine<'a>>,
}

impl<'a> SummaryLine<'a> {
    /// The line for `summary`.
    pub fn new(summary: &'a Summary) -> SummaryLine<'a> {
        SummaryLine {
            summary,
            skipped: summary
                .skipped
                .iter()
                .map(|s| SkippedLine {
                    path: &s.path,
                    line: s.line,
                    reason: &s.reason,
                })
                .collect(),
            warnings: summary
                .warnings
                .iter()
                .map(|w| WarningLine {
                    path: &w.path,
                    line: w.line,
                    message: &w.message,
                })
                .collect(),
        }
    }
}

/// `value` as a JSON value (through which every wire type is written).
pub fn value(value: &impl Serialize) -> Value {
    // The wire types hold strings, numbers and maps with string keys:
    // nothing a `Value` cannot hold.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Writes any serialisable value as one line of JSON.
pub fn line(out: &mut impl Write, v: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &value(v))?;
    writeln!(out)
}
