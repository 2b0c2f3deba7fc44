//! The design of the recall fields without a gram field (issue 14), tried on
//! an existing index: each string searched in the word field `body` alone,
//! as a term containing it or as a phrase across words, against the n-gram
//! field `body_grams` that answers it today.
//!
//! ```text
//! cargo run --release --example recall_words -- INDEX_DIR [STRING…]
//! ```
//!
//! For a string of characters `k1…kn` (folded, without punctuation), the
//! word query is the union of: the terms containing it (a regex over the
//! term dictionary), and for every split of it into two or more pieces, a
//! phrase of a term ending with the first piece, the middle pieces as whole
//! terms, and a term starting with the last (tantivy's `RegexPhraseQuery`):
//! 2^(n−1) − 1 phrases. It prints, per string, the articles each query finds
//! and its time (best of three, warm). The word field as it is lets parts
//! share their word's position and takes no position for punctuation, so
//! the word query may find more than the grams (never fewer): the
//! difference counts what the design must change in the word tokenizer.
//!
//! Then the same semantics without tantivy's regex queries ("own"): each
//! segment's terms are read once into memory with a map from each character
//! to the terms containing it (the time to build it is printed), a key's
//! candidate terms are found through the map, and one pass over their
//! positions, sorted, matches the key's pieces along consecutive positions.
//! It must find what the regex queries find; its time is the price of the
//! word design's queries. "pruned" reads positions only in the documents
//! that hold a term containing the key, or both a term that can start a
//! match and one that can end it (from their document lists).

use std::time::Instant;

use anyhow::Context;
use std::collections::HashMap;

use tantivy::collector::Count;
use tantivy::postings::{Postings, TermInfo};
use tantivy::query::{BooleanQuery, Occur, Query, RegexPhraseQuery, RegexQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, SegmentReader, TERMINATED};
use zhsearch::analysis::search_key;
use zhsearch::deadline::Deadline;
use zhsearch::schema::Fields;
use zhsearch::search::grams::grams;

/// Strings to look up without arguments (`data/recall-strings.txt`).
const STRINGS: &str = include_str!("../data/recall-strings.txt");

/// Every way to cut `chars` into two or more non-empty pieces, in order.
fn splits(chars: &[char]) -> Vec<Vec<String>> {
    let n = chars.len();
    let mut out = Vec::new();
    for mask in 1u32..(1 << (n - 1)) {
        let mut pieces = Vec::new();
        let mut piece = String::new();
        for (i, c) in chars.iter().enumerate() {
            piece.push(*c);
            if i + 1 < n && mask & (1 << i) != 0 {
                pieces.push(std::mem::take(&mut piece));
            }
        }
        pieces.push(piece);
        out.push(pieces);
    }
    out
}

/// The word query of a key without breaks (see the module doc).
fn words_query(field: tantivy::schema::Field, key: &str) -> anyhow::Result<Box<dyn Query>> {
    let chars: Vec<char> = key.chars().collect();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Should,
        Box::new(RegexQuery::from_pattern(
            &format!(".*{}.*", regex::escape(key)),
            field,
        )?),
    )];
    if chars.len() > 1 {
        for pieces in splits(&chars) {
            let last = pieces.len() - 1;
            let terms: Vec<(usize, String)> = pieces
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let p = regex::escape(p);
                    let pattern = match i {
                        0 => format!(".*{p}"),
                        i if i == last => format!("{p}.*"),
                        _ => p,
                    };
                    (i, pattern)
                })
                .collect();
            let mut q = RegexPhraseQuery::new_with_offset(field, terms);
            q.set_max_expansions(1 << 20);
            clauses.push((Occur::Should, Box::new(q)));
        }
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// One segment's terms of a field, with the terms containing each character.
struct Terms<'a> {
    segment: &'a SegmentReader,
    terms: Vec<(String, TermInfo)>,
    by_char: HashMap<char, Vec<u32>>,
}

/// How a term can take part in a match of the key.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// It contains the whole key.
    Contains,
    /// It ends with the key's first `n` characters.
    First(u8),
    /// It is the key's characters `from..to`.
    Middle(u8, u8),
    /// It starts with the key's characters from `from` on.
    Last(u8),
}

impl<'a> Terms<'a> {
    fn read(segment: &'a SegmentReader, field: Field) -> anyhow::Result<Self> {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        let mut terms = Vec::new();
        let mut by_char: HashMap<char, Vec<u32>> = HashMap::new();
        while stream.advance() {
            let text = String::from_utf8_lossy(stream.key()).into_owned();
            let index = terms.len() as u32;
            for c in text.chars() {
                let list = by_char.entry(c).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
            terms.push((text, stream.value().clone()));
        }
        Ok(Terms {
            segment,
            terms,
            by_char,
        })
    }

    /// The candidate terms of `key` and how each can take part.
    fn places(&self, key: &[char]) -> Vec<(u32, Place)> {
        let n = key.len();
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for c in key {
            for &t in self.by_char.get(c).map_or(&[][..], Vec::as_slice) {
                if !seen.insert(t) {
                    continue;
                }
                let chars: Vec<char> = self.terms[t as usize].0.chars().collect();
                if chars.windows(n).any(|w| w == key) {
                    out.push((t, Place::Contains));
                    continue;
                }
                for j in 1..n {
                    if chars.ends_with(&key[..j]) {
                        out.push((t, Place::First(j as u8)));
                    }
                    if chars.starts_with(&key[j..]) {
                        out.push((t, Place::Last(j as u8)));
                    }
                    if j + chars.len() < n && key[j..j + chars.len()] == chars[..] {
                        out.push((t, Place::Middle(j as u8, (j + chars.len()) as u8)));
                    }
                }
            }
        }
        out
    }

    /// The documents of this segment where `key` matches.
    /// With `pruned`, positions are read only in the documents that hold a
    /// term containing the key, or a term that can start a match and one
    /// that can end it (found from the document lists first).
    fn count(&self, field: Field, key: &[char], pruned: bool) -> anyhow::Result<usize> {
        let inverted = self.segment.inverted_index(field)?;
        let places = self.places(key);
        let max = self.segment.max_doc() as usize;
        let mut wanted: Option<Vec<bool>> = None;
        if pruned {
            let mut sets = [vec![false; max], vec![false; max], vec![false; max]];
            for (t, place) in &places {
                let set = match place {
                    Place::Contains => 0,
                    Place::First(_) => 1,
                    Place::Last(_) => 2,
                    Place::Middle(..) => continue,
                };
                let mut postings = inverted.read_postings_from_terminfo(
                    &self.terms[*t as usize].1,
                    IndexRecordOption::Basic,
                )?;
                while postings.doc() != TERMINATED {
                    sets[set][postings.doc() as usize] = true;
                    postings.advance();
                }
            }
            wanted = Some(
                (0..max)
                    .map(|d| sets[0][d] || (sets[1][d] && sets[2][d]))
                    .collect(),
            );
        }
        // (document, position, place) for every occurrence of every candidate.
        let mut events: Vec<(u32, u32, u16)> = Vec::new();
        let mut positions = Vec::new();
        for (i, (t, _)) in places.iter().enumerate() {
            let mut postings = inverted.read_postings_from_terminfo(
                &self.terms[*t as usize].1,
                IndexRecordOption::WithFreqsAndPositions,
            )?;
            while postings.doc() != TERMINATED {
                if wanted.as_ref().is_none_or(|w| w[postings.doc() as usize]) {
                    postings.positions(&mut positions);
                    events.extend(positions.iter().map(|&p| (postings.doc(), p, i as u16)));
                }
                postings.advance();
            }
        }
        events.sort_unstable();
        let mut found = 0;
        let mut last_found = u32::MAX;
        // Offsets of the key reached by a word ending at the previous
        // position, and at the current one.
        let (mut carried, mut current): (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
        let mut at = (u32::MAX, u32::MAX);
        for &(doc, position, i) in &events {
            if doc == last_found {
                continue;
            }
            if (doc, position) != at {
                let next = doc == at.0 && position == at.1 + 1;
                carried = if next {
                    std::mem::take(&mut current)
                } else {
                    Vec::new()
                };
                current.clear();
                at = (doc, position);
            }
            let matched = match places[i as usize].1 {
                Place::Contains => true,
                Place::First(j) => {
                    current.push(j);
                    false
                }
                Place::Middle(from, to) => {
                    if carried.contains(&from) {
                        current.push(to);
                    }
                    false
                }
                Place::Last(from) => carried.contains(&from),
            };
            if matched {
                found += 1;
                last_found = doc;
            }
        }
        Ok(found)
    }
}

/// Articles found, and the best of three times in milliseconds.
fn run(searcher: &tantivy::Searcher, query: &dyn Query) -> anyhow::Result<(usize, f64)> {
    let mut best = f64::MAX;
    let mut count = 0;
    for _ in 0..3 {
        let start = Instant::now();
        count = searcher.search(query, &Count)?;
        best = best.min(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok((count, best))
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .context("usage: recall_words INDEX_DIR [STRING…]")?;
    let strings: Vec<String> = args.collect();
    let strings: Vec<&str> = if strings.is_empty() {
        STRINGS
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    } else {
        strings.iter().map(String::as_str).collect()
    };
    let index = tantivy::Index::open_in_dir(&dir).with_context(|| format!("opening {dir}"))?;
    let fields = Fields::from_schema(&index.schema()).map_err(anyhow::Error::msg)?;
    let searcher = index.reader()?.searcher();
    let start = Instant::now();
    let segments: Vec<Terms> = searcher
        .segment_readers()
        .iter()
        .map(|s| Terms::read(s, fields.body))
        .collect::<anyhow::Result<_>>()?;
    println!(
        "terms of `body` read, with the terms containing each character: {} terms in {} segments, {:.1} ms",
        segments.iter().map(|s| s.terms.len()).sum::<usize>(),
        segments.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    println!(
        "{:<16} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "string",
        "splits",
        "grams",
        "words",
        "own",
        "pruned",
        "grams ms",
        "words ms",
        "own ms",
        "pruned ms"
    );
    for s in strings {
        let key = search_key(s);
        let gram_query =
            grams(fields.body_grams, &key, &Deadline::never()).context("an empty key")?;
        let (by_grams, gram_ms) = run(&searcher, gram_query.as_ref())?;
        let words = words_query(fields.body, &key)?;
        let (by_words, word_ms) = run(&searcher, words.as_ref())?;
        let chars: Vec<char> = key.chars().collect();
        let mut own = [(0, f64::MAX); 2];
        for (pruned, (own, own_ms)) in [false, true].into_iter().zip(&mut own) {
            for _ in 0..3 {
                let start = Instant::now();
                *own = 0;
                for segment in &segments {
                    *own += if chars.len() == 1 {
                        // One character: the union of the terms containing it.
                        let mut docs = std::collections::HashSet::new();
                        let inverted = segment.segment.inverted_index(fields.body)?;
                        for &t in segment
                            .by_char
                            .get(&chars[0])
                            .map_or(&[][..], Vec::as_slice)
                        {
                            let mut postings = inverted.read_postings_from_terminfo(
                                &segment.terms[t as usize].1,
                                IndexRecordOption::Basic,
                            )?;
                            while postings.doc() != TERMINATED {
                                docs.insert(postings.doc());
                                postings.advance();
                            }
                        }
                        docs.len()
                    } else {
                        segment.count(fields.body, &chars, pruned)?
                    };
                }
                *own_ms = own_ms.min(start.elapsed().as_secs_f64() * 1e3);
            }
        }
        println!(
            "{:<16} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            s,
            (1u32 << (key.chars().count() - 1)) - 1,
            by_grams,
            by_words,
            own[0].0,
            own[1].0,
            gram_ms,
            word_ms,
            own[0].1,
            own[1].1
        );
    }
    Ok(())
}
