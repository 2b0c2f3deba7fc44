//! Where a searchable key matches in one document, read from the positions
//! of an n-gram field, without reading the document's text.
//!
//! The n-gram query of a key ([`super::grams::gram_terms`]) is a phrase of
//! terms at offsets; a key matches at position `p` when each term occurs at
//! `p` plus its offset. Positions in an n-gram field are the indices of the
//! key characters of the text ([`crate::analysis::KeyMap`]), so a long
//! article's pages can be chosen by them ([`crate::indexer::pages`]).

use tantivy::index::InvertedIndexReader;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, SegmentReader, Term};

use super::grams::{Gram, gram_terms, next_char};

/// The first `limit` positions where `key` matches in document `doc` of
/// `segment`, in the n-gram field `field`, in order.
pub fn find(
    segment: &SegmentReader,
    field: Field,
    doc: DocId,
    key: &str,
    limit: usize,
) -> tantivy::Result<Vec<u32>> {
    let terms = gram_terms(key);
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let inverted = segment.inverted_index(field)?;
    let mut lists: Vec<(u32, Vec<u32>)> = Vec::with_capacity(terms.len());
    for (offset, gram) in &terms {
        let positions = match gram {
            Gram::Term(text) => {
                let term = Term::from_field_text(field, text);
                match inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)? {
                    Some(postings) => in_doc(postings, doc),
                    None => Vec::new(),
                }
            }
            Gram::StartingWith(c) => starting_with(&inverted, *c, doc)?,
        };
        if positions.is_empty() {
            return Ok(Vec::new());
        }
        lists.push((*offset as u32, positions));
    }
    // Walk the rarest term's positions and look the others up.
    let (lead_offset, lead) = lists
        .iter()
        .min_by_key(|(_, positions)| positions.len())
        .expect("at least one term");
    let mut found = Vec::new();
    for &at in lead {
        let Some(start) = at.checked_sub(*lead_offset) else {
            continue;
        };
        if lists
            .iter()
            .all(|(offset, positions)| positions.binary_search(&(start + offset)).is_ok())
        {
            found.push(start);
            if found.len() == limit {
                break;
            }
        }
    }
    Ok(found)
}

/// The positions of a term in `doc`, from its postings.
fn in_doc(mut postings: impl Postings, doc: DocId) -> Vec<u32> {
    let mut positions = Vec::new();
    if postings.seek(doc) == doc {
        postings.positions(&mut positions);
    }
    positions
}

/// The positions in `doc` of every term that starts with `c`, in order.
fn starting_with(inverted: &InvertedIndexReader, c: char, doc: DocId) -> tantivy::Result<Vec<u32>> {
    let mut builder = inverted.terms().range().ge(c.to_string().as_bytes());
    if let Some(upper) = next_char(c) {
        builder = builder.lt(upper.to_string().as_bytes());
    }
    let mut stream = builder.into_stream()?;
    let mut positions = Vec::new();
    while stream.advance() {
        let postings = inverted.read_postings_from_terminfo(
            stream.value(),
            IndexRecordOption::WithFreqsAndPositions,
        )?;
        positions.extend(in_doc(postings, doc));
    }
    positions.sort_unstable();
    positions.dedup();
    Ok(positions)
}
