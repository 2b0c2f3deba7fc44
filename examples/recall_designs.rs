//! What each design of the recall fields would cost on the CCTV corpus (issue 14):
//! counted postings, estimated sizes, and the work a query would do, without
//! building an index for each design.
//!
//! ```text
//! cargo run --release --example recall_designs [-- PATH]
//! ```
//!
//! PATH defaults to `../shared/corpora/cctv-news.jsonl.gz` beside the crate (JSONL with
//! `title` and `body`; research use only, never committed). Without the file the
//! example says so and exits successfully.
//!
//! Each title and body is folded as the indexer folds it, and cut into runs as the
//! n-gram fields cut it (punctuation ends a run, whitespace does not). For each design
//! it prints the postings it would write and an estimate of their size: a document
//! list costs about `log2(docs / df) + 1` bits per document (tantivy bit-packs blocks
//! of 128 gaps), a position about `log2(gap) + 1` bits. For the designs that verify
//! candidates against the stored text, it counts the candidates of the check strings
//! of `scripts/peers-bench.py` and some worst cases, and times zstd (level 9, 64 KB
//! blocks, as the document store) decompressing the whole text, the price of reading
//! every candidate. For the design without a gram field, it counts the word terms
//! (jieba words and their parts) that contain each query character: the terms a
//! query must expand to.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use flate2::read::GzDecoder;
use serde::Deserialize;
use tantivy::tokenizer::{TokenStream, Tokenizer};
use zhsearch::analysis::normalize::breaks_run;
use zhsearch::analysis::{Analyzer, fold_char, is_indexable};

#[derive(Deserialize)]
struct Story {
    title: String,
    body: String,
}

/// Strings to look up: the peers benchmark's check strings, then worst cases
/// (`data/recall-strings.txt`).
const STRINGS: &str = include_str!("../data/recall-strings.txt");

/// The strings of [`STRINGS`], without comments.
fn strings() -> impl Iterator<Item = &'static str> {
    STRINGS
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Estimated bytes of a document list with `df` documents out of `docs`.
fn doc_list_bytes(df: usize, docs: usize) -> f64 {
    let bits = ((docs as f64 / df as f64).log2() + 1.0).max(1.0);
    df as f64 * bits / 8.0
}

/// The folded runs of a text: indexable characters, a run ending at punctuation.
fn runs(text: &str) -> Vec<Vec<char>> {
    let mut runs = vec![Vec::new()];
    for c in text.chars().map(fold_char) {
        if is_indexable(c) {
            runs.last_mut().expect("one run").push(c);
        } else if breaks_run(c) && !runs.last().expect("one run").is_empty() {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/cctv-news.jsonl.gz"),
        PathBuf::from,
    );
    if !path.exists() {
        println!("skipped: {} not found", path.display());
        return Ok(());
    }
    let file = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut texts: Vec<(String, String)> = Vec::new();
    for (i, line) in BufReader::new(GzDecoder::new(file)).lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", i + 1))?;
        let s: Story = serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?;
        texts.push((s.title, s.body));
    }
    let docs = texts.len();
    let bytes: usize = texts.iter().map(|(t, b)| t.len() + b.len()).sum();
    println!(
        "{docs} stories, {:.2} MB of title and body",
        bytes as f64 / 1e6
    );

    // Per field (title, body): postings of each design.
    let mut chars_total = 0usize;
    let mut char_docs: HashMap<char, Vec<u32>> = HashMap::new();
    let mut bigram_docs: HashMap<(char, char), Vec<u32>> = HashMap::new();
    let mut position_bits = 0f64;
    let mut gram_tokens = 0usize;
    let mut unigram_pairs = 0usize;
    let mut bigram_pairs = 0usize;
    let mut unigram_bytes = 0f64;
    let mut bigram_bytes = 0f64;
    let mut folded: Vec<String> = Vec::with_capacity(docs);
    for field in 0..2 {
        let mut uni: HashMap<char, Vec<u32>> = HashMap::new();
        let mut bi: HashMap<(char, char), Vec<u32>> = HashMap::new();
        let mut last_pos: HashMap<(char, char), usize> = HashMap::new();
        for (d, (title, body)) in texts.iter().enumerate() {
            let text = if field == 0 { title } else { body };
            let runs = runs(text);
            last_pos.clear();
            let mut position = 0usize;
            let mut key = String::new();
            for run in &runs {
                chars_total += run.len();
                gram_tokens += run.len();
                for (i, &c) in run.iter().enumerate() {
                    let list = uni.entry(c).or_default();
                    if list.last() != Some(&(d as u32)) {
                        list.push(d as u32);
                    }
                    let gram = (c, run.get(i + 1).copied().unwrap_or('\0'));
                    let list = bi.entry(gram).or_default();
                    if list.last() != Some(&(d as u32)) {
                        list.push(d as u32);
                    }
                    let gap = position + 1 - last_pos.get(&gram).copied().unwrap_or(0);
                    position_bits += (gap as f64).log2() + 1.0;
                    last_pos.insert(gram, position + 1);
                    position += 1;
                    key.push(c);
                }
                position += 1;
                key.push(' ');
            }
            if field == 0 {
                folded.push(key);
            } else {
                folded[d].push('\n');
                folded[d].push_str(&key);
            }
        }
        for (c, list) in &uni {
            unigram_pairs += list.len();
            unigram_bytes += doc_list_bytes(list.len(), docs);
            let all = char_docs.entry(*c).or_default();
            all.extend(list);
        }
        for (g, list) in &bi {
            bigram_pairs += list.len();
            bigram_bytes += doc_list_bytes(list.len(), docs);
            if g.1 != '\0' {
                bigram_docs.entry(*g).or_default().extend(list);
            }
        }
    }
    for list in char_docs.values_mut().chain(bigram_docs.values_mut()) {
        list.sort_unstable();
        list.dedup();
    }
    println!("indexable characters: {chars_total} (gram tokens today: {gram_tokens})");
    println!(
        "today, bigrams with positions: positions about {:.1} MB",
        position_bits / 8e6
    );
    println!(
        "docs-only unigrams: {unigram_pairs} (doc, char) pairs, {} distinct chars, about {:.1} MB of document lists",
        char_docs.len(),
        unigram_bytes / 1e6
    );
    println!(
        "docs-only bigrams: {bigram_pairs} (doc, bigram) pairs, {} distinct bigrams, about {:.1} MB of document lists",
        bigram_docs.len(),
        bigram_bytes / 1e6
    );

    // The price of reading candidates: the store's compression, decompressed.
    let mut blocks = Vec::new();
    let mut block = Vec::new();
    for (t, b) in &texts {
        block.extend_from_slice(t.as_bytes());
        block.extend_from_slice(b.as_bytes());
        if block.len() >= 64 << 10 {
            blocks.push(zstd::bulk::compress(&block, 9)?);
            block.clear();
        }
    }
    blocks.push(zstd::bulk::compress(&block, 9)?);
    let compressed: usize = blocks.iter().map(Vec::len).sum();
    for level in [1, 3, 5, 7, 9] {
        let start = Instant::now();
        let mut size = 0usize;
        let mut block = Vec::new();
        for (t, b) in &texts {
            block.extend_from_slice(t.as_bytes());
            block.extend_from_slice(b.as_bytes());
            if block.len() >= 64 << 10 {
                size += zstd::bulk::compress(&block, level)?.len();
                block.clear();
            }
        }
        size += zstd::bulk::compress(&block, level)?.len();
        println!(
            "zstd level {level}, 64 KB blocks: {:.2} MB in {:.2} s (one core)",
            size as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
    let start = Instant::now();
    let mut out = 0usize;
    for b in &blocks {
        out += zstd::bulk::decompress(b, 1 << 20)?.len();
    }
    let decompress = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let found = folded
        .iter()
        .filter(|t| t.contains("中华人民共和国"))
        .count();
    let scan = start.elapsed().as_secs_f64();
    let per_doc_us = (decompress + scan) * 1e6 / docs as f64;
    println!(
        "store: {:.1} MB compressed; decompressing all {:.1} MB takes {:.0} ms, a scan of the folded text {:.0} ms ({found} hits): {per_doc_us:.1} µs per document verified",
        compressed as f64 / 1e6,
        out as f64 / 1e6,
        decompress * 1e3,
        scan * 1e3
    );

    // Word terms, for the design without a gram field.
    let start = Instant::now();
    let mut tokenizer = Analyzer::builtin().word_tokenizer();
    // Occurrences of each term; tokens sharing their word's position (parts).
    let mut terms: HashMap<String, usize> = HashMap::new();
    let (mut word_tokens, mut parts, mut folded_apart) = (0usize, 0usize, 0usize);
    for (t, b) in &texts {
        for text in [t, b] {
            // Characters that the words fold otherwise than the characters do
            // (OpenCC's phrases choosing a Traditional character's form).
            let by_phrase = zhsearch::analysis::Normalized::of(text);
            folded_apart += by_phrase
                .text()
                .chars()
                .zip(text.chars().map(fold_char))
                .filter(|(a, b)| a != b)
                .count();
            let mut stream = tokenizer.token_stream(text);
            let mut last = usize::MAX;
            while stream.advance() {
                word_tokens += 1;
                parts += usize::from(stream.token().position == last);
                last = stream.token().position;
                match terms.get_mut(&stream.token().text) {
                    Some(n) => *n += 1,
                    None => {
                        terms.insert(stream.token().text.clone(), 1);
                    }
                }
            }
        }
    }
    let mut containing: HashMap<char, usize> = HashMap::new();
    for term in terms.keys() {
        let distinct: HashSet<char> = term.chars().collect();
        for c in distinct {
            *containing.entry(c).or_default() += 1;
        }
    }
    println!(
        "word terms: {word_tokens} tokens ({parts} of them parts at their word's position), {} distinct terms ({:.1} s to segment)",
        terms.len(),
        start.elapsed().as_secs_f64()
    );
    println!("characters that the words fold otherwise than the character index: {folded_apart}");
    let mut top: Vec<(char, usize)> = containing.iter().map(|(c, n)| (*c, *n)).collect();
    top.sort_by_key(|&(c, n)| (std::cmp::Reverse(n), c));
    let top: Vec<String> = top
        .iter()
        .take(8)
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    println!("terms containing a character, most: {}", top.join(", "));

    println!(
        "{:<16} {:>7} {:>10} {:>10} {:>8} {:>8} {:>9} {:>12} {:>12}",
        "string",
        "found",
        "uni cands",
        "bi cands",
        "uni ms",
        "bi ms",
        "terms in",
        "word reads",
        "gram reads"
    );
    // Occurrences of the terms that a piece of a key may be, in the design
    // without a gram field: a term containing the whole key, or, for each
    // split of the key into a head and a rest, terms ending with the head
    // (the first word of the match) and starting with the rest's first
    // piece. Compared with the bigram occurrences a phrase of bigrams reads.
    let mut bigram_count: HashMap<(char, char), usize> = HashMap::new();
    for t in &folded {
        let chars: Vec<char> = t.chars().collect();
        for w in chars.windows(2) {
            *bigram_count.entry((w[0], w[1])).or_default() += 1;
        }
    }
    let intersect = |lists: Vec<&Vec<u32>>| -> usize {
        let mut lists = lists;
        lists.sort_by_key(|l| l.len());
        let Some((first, rest)) = lists.split_first() else {
            return 0;
        };
        first
            .iter()
            .filter(|d| rest.iter().all(|l| l.binary_search(d).is_ok()))
            .count()
    };
    let empty = Vec::new();
    for s in strings() {
        let key: Vec<char> = s.chars().map(fold_char).collect();
        let needle: String = key.iter().collect();
        let found = folded.iter().filter(|t| t.contains(&needle)).count();
        let uni = intersect(
            key.iter()
                .map(|c| char_docs.get(c).unwrap_or(&empty))
                .collect(),
        );
        let bi = if key.len() == 1 {
            found
        } else {
            intersect(
                key.windows(2)
                    .map(|w| bigram_docs.get(&(w[0], w[1])).unwrap_or(&empty))
                    .collect(),
            )
        };
        // A single character needs no verification: its document list is exact.
        let cost = |n: usize| {
            if key.len() == 1 {
                0.0
            } else {
                n as f64 * per_doc_us / 1e3
            }
        };
        let within: usize = terms.keys().filter(|t| t.contains(&needle)).count();
        let mut reads = 0usize;
        for (term, n) in &terms {
            let t: Vec<char> = term.chars().collect();
            if t.windows(key.len()).any(|w| w == key.as_slice()) {
                reads += n;
            }
            for i in 1..key.len() {
                // A head that the term ends with, or a rest that it starts
                // (a piece of the rest of at most the whole rest).
                if t.ends_with(&key[..i]) || key[i..].starts_with(&t) || t.starts_with(&key[i..]) {
                    reads += n;
                }
            }
        }
        let gram_reads: usize = key
            .windows(2)
            .map(|w| bigram_count.get(&(w[0], w[1])).copied().unwrap_or(0))
            .sum();
        println!(
            "{:<16} {:>7} {:>10} {:>10} {:>8.1} {:>8.1} {:>9} {:>12} {:>12}",
            s,
            found,
            uni,
            bi,
            cost(uni),
            cost(bi),
            within,
            reads,
            gram_reads
        );
    }
    Ok(())
}
