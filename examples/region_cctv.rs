//! Region extraction over the CCTV news corpus: how many stories get a primary region, at
//! which level, in which provinces, and how long extraction takes.
//!
//! ```text
//! cargo run --release --example region_cctv [-- PATH] [--jieba] [--samples N [--only WHICH]]
//!     [--dump FILE]
//! ```
//!
//! PATH defaults to `../shared/corpora/cctv-news.jsonl.gz` beside the crate (JSONL with
//! `id`, `date`, `source`, `title`, `body`, `url`; research use only, never committed).
//! Without the file the example says so and exits successfully. `--jieba` also times
//! jieba-rs segmenting the same text, for comparison; `--samples N` prints about N
//! evenly spread stories' titles with their regions and evidence, for review, limited by
//! `--only` to stories with a primary region at one level (`province`, `city`, `county`),
//! with several (`multi`), or whose primary facet contains a string (`/佛山市`).
//! `--dump FILE` writes one line per story, `id<TAB>primary facets<TAB>mentions`, to
//! compare two versions of the rules (`diff` the files). Texts are folded to Simplified
//! first, as the indexer does.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use flate2::read::GzDecoder;
use serde::Deserialize;
use zhsearch::analysis::variants::simplified;
use zhsearch::extract::region::{Gazetteer, Level};

#[derive(Deserialize)]
struct Story {
    id: String,
    title: String,
    body: String,
}

fn main() -> anyhow::Result<()> {
    let mut path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/cctv-news.jsonl.gz");
    let (mut jieba, mut samples, mut only, mut dump) = (false, 0usize, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jieba" => jieba = true,
            "--samples" => samples = args.next().context("--samples needs a number")?.parse()?,
            "--only" => only = Some(args.next().context("--only needs a value")?),
            "--dump" => dump = Some(PathBuf::from(args.next().context("--dump needs a file")?)),
            _ => path = PathBuf::from(arg),
        }
    }
    if !path.exists() {
        println!(
            "skipped: {} not found (pass the corpus path as an argument)",
            path.display()
        );
        return Ok(());
    }
    let file = File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut stories = Vec::new();
    for (i, line) in BufReader::new(GzDecoder::new(file)).lines().enumerate() {
        let line = line.with_context(|| format!("reading {} line {}", path.display(), i + 1))?;
        stories.push(
            serde_json::from_str::<Story>(&line)
                .with_context(|| format!("parsing {} line {}", path.display(), i + 1))?,
        );
    }
    for s in &mut stories {
        s.title = simplified(&s.title).into_owned();
        s.body = simplified(&s.body).into_owned();
    }
    let bytes: usize = stories.iter().map(|s| s.title.len() + s.body.len()).sum();
    println!(
        "{} stories, {:.1} MB of title+body text",
        stories.len(),
        bytes as f64 / 1e6
    );

    let start = Instant::now();
    let g = Gazetteer::builtin();
    let load = start.elapsed();
    let start = Instant::now();
    g.resolve("佛山").ok();
    let resolve = start.elapsed();
    let start = Instant::now();
    g.extract("", "");
    let automaton = start.elapsed();
    println!(
        "load: provinces/cities/counties {:.2} ms, first resolve {:.3} ms, automaton with towns {:.1} ms",
        load.as_secs_f64() * 1e3,
        resolve.as_secs_f64() * 1e3,
        automaton.as_secs_f64() * 1e3
    );

    let mut elapsed = f64::MAX;
    let mut results = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        results = stories
            .iter()
            .map(|s| g.extract(&s.title, &s.body))
            .collect();
        elapsed = elapsed.min(start.elapsed().as_secs_f64());
    }
    println!(
        "extraction: {:.3} s, {:.1} MB/s, {:.1} µs/story",
        elapsed,
        bytes as f64 / 1e6 / elapsed,
        elapsed * 1e6 / stories.len() as f64
    );

    let with_primary = results.iter().filter(|r| !r.primary.is_empty()).count();
    let pct = |n: usize| 100.0 * n as f64 / stories.len() as f64;
    println!(
        "with a primary region: {with_primary} ({:.1}%)",
        pct(with_primary)
    );
    let mut by_count = BTreeMap::new();
    let mut by_level = BTreeMap::new();
    let mut by_province = BTreeMap::new();
    for r in results.iter().filter(|r| !r.primary.is_empty()) {
        *by_count.entry(r.primary.len()).or_insert(0usize) += 1;
        for p in &r.primary {
            *by_level.entry(p.level()).or_insert(0usize) += 1;
            *by_province.entry(p.names[0].clone()).or_insert(0usize) += 1;
        }
    }
    println!("primaries per story: {by_count:?}");
    for level in [Level::Province, Level::City, Level::County] {
        let n = by_level.get(&level).copied().unwrap_or(0);
        println!("  {level:?}: {n}");
    }
    println!("top provinces: {}", top(by_province, 12));
    let mut places = BTreeMap::new();
    for p in results
        .iter()
        .flat_map(|r| &r.primary)
        .filter(|p| p.level() != Level::Province)
    {
        *places.entry(p.facet()).or_insert(0usize) += 1;
    }
    println!("top cities and counties: {}", top(places, 12));
    let mentions: usize = results.iter().map(|r| r.mentions.len()).sum();
    let with_mentions = results.iter().filter(|r| !r.mentions.is_empty()).count();
    println!(
        "mentions: {mentions} in {with_mentions} stories ({:.1}%), {:.2} per story",
        pct(with_mentions),
        mentions as f64 / stories.len() as f64
    );

    if let Some(file) = dump {
        let mut out = String::new();
        for (s, r) in stories.iter().zip(&results) {
            let facets = |paths: &[zhsearch::extract::region::RegionPath]| {
                paths
                    .iter()
                    .map(|p| p.facet())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            out.push_str(&format!(
                "{}\t{}\t{}\n",
                s.id,
                facets(&r.primary),
                facets(&r.mentions)
            ));
        }
        std::fs::write(&file, out).with_context(|| format!("writing {}", file.display()))?;
        println!("wrote {}", file.display());
    }

    if jieba {
        let jieba = jieba_rs::Jieba::new();
        let start = Instant::now();
        let mut words = 0usize;
        for s in &stories {
            words += jieba.cut(&s.title, true).len() + jieba.cut(&s.body, true).len();
        }
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "jieba cut (HMM) of the same text: {:.3} s, {:.1} MB/s, {words} words",
            elapsed,
            bytes as f64 / 1e6 / elapsed
        );
    }

    if let Some(step) = stories.len().checked_div(samples) {
        let picked: Vec<_> = stories
            .iter()
            .zip(&results)
            .filter(|(_, r)| match only.as_deref() {
                None => true,
                Some("multi") => r.primary.len() > 1,
                Some("province") => r.primary.iter().any(|p| p.level() == Level::Province),
                Some("city") => r.primary.iter().any(|p| p.level() == Level::City),
                Some("county") => r.primary.iter().any(|p| p.level() == Level::County),
                Some(facet) => r.primary.iter().any(|p| p.facet().contains(facet)),
            })
            .collect();
        let step = (step * picked.len() / stories.len()).max(1);
        for &(s, r) in picked.iter().step_by(step) {
            let primary: Vec<String> = r.primary.iter().map(|p| p.facet()).collect();
            let mentions: Vec<&str> = r.mentions.iter().take(5).map(|p| p.name()).collect();
            println!(
                "\n{} {}\n  primary {:?} mentions {:?}",
                s.id, s.title, primary, mentions
            );
            for e in &r.evidence {
                println!("  - {e}");
            }
        }
    }
    Ok(())
}

/// The `n` largest counts, as "name count" joined by commas.
fn top(counts: BTreeMap<String, usize>, n: usize) -> String {
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top: Vec<String> = counts
        .iter()
        .take(n)
        .map(|(p, c)| format!("{p} {c}"))
        .collect();
    top.join(", ")
}
