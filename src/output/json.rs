//! JSON output: one object per line, for scripts (`jq`).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use crate::extract::Article;
use crate::indexer::Summary;
use crate::search::facets::FacetCounts;
use crate::search::{Hit, StoredDoc};

/// One hit as a JSON object. Highlights are `[start, end)` character
/// offsets into `snippet` (and into `title` for `title_highlights`).
pub fn hit(hit: &Hit) -> Value {
    json!({
        "rank": hit.rank,
        "id": hit.id,
        "path": hit.path,
        "title": hit.title.text,
        "title_highlights": hit.title.char_highlights(),
        "score": hit.score,
        "snippet": hit.snippet.text,
        "highlights": hit.snippet.char_highlights(),
        "source": hit.source,
        "url": hit.url,
        "meta": hit.meta,
    })
}

/// Writes one JSON object per hit, one per line.
pub fn hits(out: &mut impl Write, hits: &[Hit]) -> io::Result<()> {
    for h in hits {
        let mut value = hit(h);
        if let Some(explanation) = &h.explanation {
            value["explanation"] = serde_json::from_str(explanation).unwrap_or(Value::Null);
        }
        writeln!(out, "{value}")?;
    }
    Ok(())
}

/// Writes any serialisable value as one line of JSON.
pub fn line(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    writeln!(out)
}

/// The indexing summary as JSON.
pub fn summary(summary: &Summary) -> Value {
    let mut value = serde_json::to_value(summary).unwrap_or(Value::Null);
    value["skipped"] = summary
        .skipped
        .iter()
        .map(|s| json!({"path": s.path, "line": s.line, "reason": s.reason}))
        .collect();
    value["warnings"] = summary
        .warnings
        .iter()
        .map(|w| json!({"path": w.path, "line": w.line, "message": w.message}))
        .collect();
    value
}

/// Facet counts of the articles matching `query`, as `zhsearch facets
/// --json` prints them and `/api/facets` returns them.
pub fn facets(query: &str, total: usize, counts: &FacetCounts) -> Value {
    json!({ "query": query, "total": total, "facets": counts })
}

/// An extracted article as JSON (without its text).
pub fn article(a: &Article) -> Value {
    json!({
        "id": a.id,
        "path": a.path,
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "meta": a.meta,
    })
}

/// A stored document as JSON.
pub fn document(doc: &StoredDoc) -> Value {
    serde_json::to_value(doc).unwrap_or(Value::Null)
}
