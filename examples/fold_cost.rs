//! What folding costs on the CCTV news corpus, in CPU time (user time of this process,
//! which a busy shared machine disturbs much less than wall time).
//!
//! ```text
//! cargo run --release --example fold_cost [-- PATH]
//! ```
//!
//! Three rounds of: each character folded alone ([`fold_char`], as the character index
//! and search keys do); [`Normalized`], which the words are segmented from (characters
//! folded, OpenCC's phrases deciding the characters with several forms); and the same
//! loop without phrases. Then jieba segmentation of a quarter of the text, for scale.
//! PATH defaults to `../shared/corpora/cctv-news.jsonl.gz` (research use only, never
//! committed); without it the example says so and exits successfully.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::Context;
use zhsearch::analysis::{Analyzer, Normalized, fold_char};

/// User CPU time of this process, in seconds.
fn cpu() -> f64 {
    // SAFETY: getrusage writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_utime.tv_sec as f64 + usage.ru_utime.tv_usec as f64 / 1e6
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/cctv-news.jsonl.gz"),
        PathBuf::from,
    );
    if !path.exists() {
        println!(
            "skipped: {} not found (pass the corpus path as an argument)",
            path.display()
        );
        return Ok(());
    }
    let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut texts = Vec::new();
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let story: serde_json::Value = serde_json::from_str(&line?)?;
        let field = |name: &str| story[name].as_str().unwrap_or_default().to_owned();
        texts.push(format!("{}\n{}", field("title"), field("body")));
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("{} stories, {:.1} MB", texts.len(), bytes as f64 / 1e6);
    let mut normalized = Normalized::default();
    // Keeps the work from being optimised away.
    let mut sink = 0usize;
    for round in 1..=3 {
        let start = cpu();
        for text in &texts {
            sink += text.chars().map(fold_char).filter(|&c| c == '的').count();
        }
        let alone = cpu() - start;
        let start = cpu();
        for text in &texts {
            normalized.normalize(text);
            sink += normalized.text().len();
        }
        let with_phrases = cpu() - start;
        let start = cpu();
        let (mut out, mut breaks) = (String::new(), Vec::new());
        for text in &texts {
            out.clear();
            breaks.clear();
            let mut position = 0;
            for c in text.chars() {
                let folded = fold_char(c);
                out.push(folded);
                position += c.len_utf8();
                if folded.len_utf8() != c.len_utf8() {
                    breaks.push((out.len(), position));
                }
            }
            sink += out.len() + breaks.len();
        }
        let without_phrases = cpu() - start;
        println!(
            "round {round}: characters alone {alone:.3} s, Normalized {with_phrases:.3} s, \
             the same without phrases {without_phrases:.3} s (CPU)"
        );
    }
    // Chinese characters the words see changed: Traditional ones in Simplified text.
    let mut changed: std::collections::BTreeMap<(char, char), usize> = Default::default();
    for text in &texts {
        normalized.normalize(text);
        for (c, folded) in text.chars().zip(normalized.text().chars()) {
            if c != folded && ('\u{3400}'..).contains(&c) && c.is_alphanumeric() {
                *changed.entry((c, folded)).or_default() += 1;
            }
        }
    }
    let mut changed: Vec<_> = changed.into_iter().collect();
    changed.sort_by_key(|c| std::cmp::Reverse(c.1));
    let top: Vec<String> = changed
        .iter()
        .take(8)
        .map(|((c, f), n)| format!("{c}→{f} {n}"))
        .collect();
    println!(
        "Chinese characters changed: {} ({})",
        changed.iter().map(|c| c.1).sum::<usize>(),
        top.join(", ")
    );
    let analyzer = Analyzer::builtin();
    let start = cpu();
    for text in texts.iter().step_by(4) {
        sink += analyzer.words(text).len();
    }
    println!(
        "words (normalised and segmented by jieba) of a quarter of the text: {:.3} s CPU",
        cpu() - start
    );
    std::hint::black_box(sink);
    Ok(())
}
