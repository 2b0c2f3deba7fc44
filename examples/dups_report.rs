//! The clusters of near-duplicates an index holds (issue 12, item 5): how
//! many clusters of two articles or more, the share of articles in them,
//! the largest, and a random sample of them to check by hand.
//!
//! ```text
//! cargo run --release --example dups_report -- --index DIR [--sample N] [--seed S]
//! ```
//!
//! The index is any zhsearch index (`zhsearch index CORPUS --index DIR`).
//! The sample lists each cluster's articles: id, date, title and body
//! length, and the body's similarity to the first article's (the sketch's
//! estimate, as the indexer judged it). It prints the corpus's titles: for
//! reading on the terminal, never for pasting into the repository when the
//! corpus is not free (CCTV is for research use only).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use zhsearch::analysis::Analyzer;
use zhsearch::indexer::dups::Sketch;
use zhsearch::search::Engine;

fn main() -> anyhow::Result<()> {
    let mut index: Option<PathBuf> = None;
    let mut sample = 20usize;
    let mut seed = 12u64;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--index" => index = Some(value()?.into()),
            "--sample" => sample = value()?.parse().context("--sample")?,
            "--seed" => seed = value()?.parse().context("--seed")?,
            other => bail!("unknown argument {other:?} (see the top of examples/dups_report.rs)"),
        }
    }
    let index = index.context("--index DIR is required")?;
    let engine = Engine::open(&index, Analyzer::builtin())?;
    let searcher = engine.searcher();
    let f = &engine.index().fields;
    let mut clusters: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let cluster = fast.u64(f.schema.get_field_name(f.cluster))?;
        let ids = fast
            .str(f.schema.get_field_name(f.id))?
            .context("the index has no id column")?;
        for doc in segment.doc_ids_alive() {
            let mut id = String::new();
            if let Some(ord) = ids.term_ords(doc).next() {
                ids.ord_to_str(ord, &mut id)?;
            }
            if let Some(c) = cluster.first(doc) {
                clusters.entry(c).or_default().push(id);
            }
        }
    }
    let articles: usize = clusters.values().map(Vec::len).sum();
    let mut several: Vec<(&u64, &Vec<String>)> =
        clusters.iter().filter(|(_, ids)| ids.len() > 1).collect();
    let held: usize = several.iter().map(|(_, ids)| ids.len()).sum();
    println!(
        "{articles} articles in {} clusters; {} clusters of 2 or more hold {held} articles ({:.2}%), {} of them folded away",
        clusters.len(),
        several.len(),
        100.0 * held as f64 / articles.max(1) as f64,
        held - several.len()
    );
    let mut sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for (_, ids) in &several {
        *sizes.entry(ids.len()).or_default() += 1;
    }
    println!("clusters by size: {sizes:?}");
    several.sort_by_key(|(c, ids)| (std::cmp::Reverse(ids.len()), **c));
    println!("\nlargest:");
    for (_, ids) in several.iter().take(5) {
        describe(&engine, ids)?;
    }
    // A random sample, without replacement (SplitMix64).
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut pool = several.clone();
    println!("\nsample of {} (seed {seed}):", sample.min(pool.len()));
    for _ in 0..sample.min(pool.len()) {
        let i = (next() % pool.len() as u64) as usize;
        let (_, ids) = pool.swap_remove(i);
        describe(&engine, ids)?;
    }
    Ok(())
}

/// One cluster: each article's id, date, title, body length and its body's
/// similarity to the first's.
fn describe(engine: &Engine, ids: &[String]) -> anyhow::Result<()> {
    println!("  cluster of {}:", ids.len());
    let mut first: Option<Sketch> = None;
    for id in ids {
        let record = engine
            .document(id)?
            .context("a clustered id has no document")?;
        let sketch = Sketch::of(&record);
        let similarity = first.as_ref().map_or(1.0, |s| s.similarity(&sketch));
        first.get_or_insert(sketch);
        let date = record
            .meta
            .date
            .as_ref()
            .map_or("undated".to_string(), |d| d.first_day().to_string());
        println!(
            "    {id:<24} {date}  {:>5} chars  J~{similarity:.2}  {}",
            record.body.chars().count(),
            record.title
        );
    }
    Ok(())
}
