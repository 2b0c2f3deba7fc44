//! `zhsearch bench`: the whole performance picture of one corpus in one run,
//! measured against the limit of this design, raw jieba segmentation on the
//! same text with the same number of threads.
//!
//! It measures, in order: jieba-rs's search-mode segmentation; indexing the
//! word field alone (our tokenizer in tantivy's threads, nothing else);
//! indexing with the full schema, as `zhsearch index` does it (run as a
//! child process, so its peak memory is its own); the index's size; query
//! latency over a mixed query set, warm and in-process; and the wall time of
//! whole `zhsearch search` processes. Machines are noisy: compare figures
//! from the same run.
//!
//! Part of the binary, not the library: it runs the binary as a child
//! process and reaps it with `wait4` for its peak memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, TantivyDocument};

use zhsearch::analysis::{Analyzer, WORDS};
use zhsearch::corpus;
use zhsearch::error::{Error, Result};
use zhsearch::search::{Engine, Request};

/// The default query mix: single characters, words, several words, phrases,
/// filters by region and date, and facet counts (`data/bench-queries.txt`,
/// which the criterion benches read too).
pub const DEFAULT_QUERIES: &str = include_str!("../data/bench-queries.txt");

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// The corpus (a directory or a file).
    pub corpus: PathBuf,
    /// Queries, one per line; `facets: Q` also counts facets. Default: [`DEFAULT_QUERIES`].
    pub queries: Option<String>,
    /// Threads for segmentation and indexing.
    pub threads: usize,
    /// The `zhsearch` executable, for the child-process measurements.
    pub exe: PathBuf,
    /// Where to build the indexes (a temporary directory by default).
    pub work_dir: PathBuf,
    /// Repeat the corpus this many times (with distinct ids) for the
    /// full-schema indexing run, to check that memory stays bounded.
    pub scale: usize,
    /// Rounds over the query mix.
    pub rounds: usize,
}

/// Throughput of one measured run.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Wall time in seconds.
    pub seconds: f64,
    /// Text megabytes (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// Documents per second.
    pub docs_per_s: f64,
    /// Ratio to raw segmentation throughput.
    pub ratio_to_segmentation: f64,
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Measurements.
    pub count: usize,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// Everything `zhsearch bench` measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The corpus.
    pub corpus: String,
    /// Its documents.
    pub docs: usize,
    /// Megabytes of text (title and body).
    pub text_mb: f64,
    /// Threads used.
    pub threads: usize,
    /// Scale factor of the full indexing run.
    pub scale: usize,
    /// Raw jieba-rs search-mode segmentation, MB/s.
    pub segmentation_mb_per_s: f64,
    /// Indexing the word field alone.
    pub index_words_only: Throughput,
    /// Indexing with the full schema (`zhsearch index`).
    pub index_full: Throughput,
    /// Peak resident memory of the full indexing run, MB.
    pub index_peak_rss_mb: f64,
    /// Index size on disk, MB (of the unscaled corpus).
    pub index_size_mb: f64,
    /// Index size divided by the raw text size.
    pub index_size_ratio: f64,
    /// Warm, in-process query latency over the query mix.
    pub query_latency: Latency,
    /// Wall time of one `zhsearch search` process, start to exit.
    pub cli_search: Latency,
    /// The measurements above against zhsearch's targets.
    pub targets: Vec<Target>,
}

/// One target and whether this run met it.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// What is measured, and the bound (`query p99 < 20 ms`).
    pub name: &'static str,
    /// The measured value, in the bound's unit.
    pub measured: f64,
    /// Whether the measurement is within the bound.
    pub met: bool,
}

/// The targets (issue 5 and BENCHMARKS.md): a bound is an upper limit when
/// `below`, a lower one otherwise.
fn targets(r: &BenchReport) -> Vec<Target> {
    let rows: [(&'static str, f64, f64, bool); 7] = [
        (
            "word field only >= 0.5x segmentation",
            r.index_words_only.ratio_to_segmentation,
            0.5,
            false,
        ),
        (
            "full schema >= 0.35x segmentation",
            r.index_full.ratio_to_segmentation,
            0.35,
            false,
        ),
        ("query p50 < 2 ms", r.query_latency.p50_ms, 2.0, true),
        ("query p99 < 20 ms", r.query_latency.p99_ms, 20.0, true),
        ("index size < 1.5x the text", r.index_size_ratio, 1.5, true),
        (
            "search process p50 < 150 ms",
            r.cli_search.p50_ms,
            150.0,
            true,
        ),
        (
            "index peak RSS < 1024 MB",
            r.index_peak_rss_mb,
            1024.0,
            true,
        ),
    ];
    rows.into_iter()
        .map(|(name, measured, bound, below)| Target {
            name,
            measured,
            met: if below {
                measured < bound
            } else {
                measured >= bound
            },
        })
        .collect()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn tantivy_error(path: &Path) -> impl FnOnce(tantivy::TantivyError) -> Error + '_ {
    move |source| Error::Tantivy {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads every document's title and body.
fn load(corpus_path: &Path) -> Result<Vec<String>> {
    let listing = corpus::discover(corpus_path).map_err(io(corpus_path))?;
    let mut texts = Vec::new();
    for file in &listing.files {
        // Unreadable files are the indexer's business; the bench skips them.
        let _ = corpus::read(file, |record| {
            if let Ok(doc) = record {
                texts.push(format!(
                    "{}\n{}",
                    doc.meta.title.unwrap_or_default(),
                    doc.body
                ));
            }
        });
    }
    Ok(texts)
}

/// Runs `work` on every text with `threads` threads; returns the wall time.
fn parallel(texts: &[String], threads: usize, work: impl Fn(&str) + Sync) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let work = &work;
            scope.spawn(move || {
                for text in texts.iter().skip(t).step_by(threads) {
                    work(text);
                }
            });
        }
    });
    started.elapsed()
}

/// Raw segmentation: jieba-rs search mode with HMM, as the analyzer uses it.
fn segmentation(texts: &[String], threads: usize, analyzer: &Analyzer) -> f64 {
    let bytes: usize = texts.iter().map(String::len).sum();
    let segmenter = analyzer.segmenter();
    // Best of two: the first run also warms the caches.
    (0..2)
        .map(|_| {
            let time = parallel(texts, threads, |t| {
                segmenter.segment(t, &mut |start, end, part| {
                    std::hint::black_box((start, end, part));
                });
            });
            bytes as f64 / 1e6 / time.as_secs_f64()
        })
        .fold(0.0, f64::max)
}

/// Indexes the texts into a one-field index: the word analyzer in tantivy's
/// indexing threads, positions, nothing stored.
fn index_words_only(texts: &[String], threads: usize, dir: &Path) -> Result<Duration> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut builder = Schema::builder();
    let body = builder.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let index = Index::create_in_dir(dir, builder.build()).map_err(tantivy_error(dir))?;
    index
        .tokenizers()
        .register(WORDS, Analyzer::builtin().word_tokenizer());
    let started = Instant::now();
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, 256 << 20)
        .map_err(tantivy_error(dir))?;
    for text in texts {
        let mut doc = TantivyDocument::new();
        doc.add_text(body, text);
        writer.add_document(doc).map_err(tantivy_error(dir))?;
    }
    writer.commit().map_err(tantivy_error(dir))?;
    writer.wait_merging_threads().map_err(tantivy_error(dir))?;
    Ok(started.elapsed())
}

/// Runs a command and returns its wall time, exit status and peak RSS (MB).
fn run_measured(command: &mut Command) -> std::io::Result<(Duration, std::process::Output, f64)> {
    let started = Instant::now();
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let pid = child.id() as libc::pid_t;
    // Read the output first (a full pipe would block the child), then reap
    // the child with wait4, which reports its resource usage.
    let output = read_output(child)?;
    let mut status = 0;
    // SAFETY: rusage is plain data, and wait4 only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet reaped (see `wait_with_output_keeping_pid`).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if reaped != pid {
        return Err(std::io::Error::last_os_error());
    }
    let elapsed = started.elapsed();
    let out = std::process::Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status),
        stdout: output.0,
        stderr: output.1,
    };
    // ru_maxrss is in kilobytes on Linux.
    Ok((elapsed, out, usage.ru_maxrss as f64 / 1024.0))
}

/// Reads a child's stdout and stderr to the end, without reaping it.
fn read_output(mut child: std::process::Child) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    use std::io::Read;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stderr.read_to_end(&mut buf).map(|_| buf)
    });
    let mut out = Vec::new();
    stdout.read_to_end(&mut out)?;
    let err = err_thread
        .join()
        .map_err(|_| std::io::Error::other("stderr reader panicked"))??;
    // Dropping a Child neither waits for nor kills it: the caller reaps it.
    drop(child);
    Ok((out, err))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn latency(mut samples: Vec<f64>) -> Latency {
    samples.sort_by(f64::total_cmp);
    Latency {
        count: samples.len(),
        p50_ms: percentile(&samples, 0.50),
        p95_ms: percentile(&samples, 0.95),
        p99_ms: percentile(&samples, 0.99),
        max_ms: samples.last().copied().unwrap_or(0.0),
    }
}

/// Parses the query mix: one query per line, `facets: Q` with facet counts.
fn queries(text: &str) -> Vec<Request> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| match line.strip_prefix("facets:") {
            Some(q) => {
                let mut r = Request::new(q.trim());
                r.facets = true;
                r
            }
            None => Request::new(line),
        })
        .collect()
}

/// Writes the corpus `scale` times over as one JSONL file with distinct ids,
/// streaming, so that the copy never sits in memory.
fn scaled_corpus(corpus_path: &Path, scale: usize, out: &Path) -> Result<PathBuf> {
    use std::io::Write;
    let path = out.join("scaled.jsonl");
    let file = std::fs::File::create(&path).map_err(io(&path))?;
    let mut w = std::io::BufWriter::new(file);
    let listing = corpus::discover(corpus_path).map_err(io(corpus_path))?;
    for copy in 0..scale {
        for file in &listing.files {
            let mut result = Ok(());
            let _ = corpus::read(file, |record| {
                let Ok(doc) = record else { return };
                if result.is_err() {
                    return;
                }
                let value = serde_json::json!({
                    "id": format!("{}~{copy}", doc.id),
                    "title": doc.meta.title,
                    "body": doc.body,
                    "date": doc.meta.date,
                    "source": doc.meta.source,
                });
                result = writeln!(w, "{value}");
            });
            result.map_err(io(&path))?;
        }
    }
    w.flush().map_err(io(&path))?;
    Ok(path)
}

fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Runs the whole suite, calling `note` with what it is doing.
pub fn run(options: &BenchOptions, note: &mut dyn FnMut(&str)) -> Result<BenchReport> {
    let threads = options.threads.max(1);
    let analyzer = Analyzer::builtin();
    note("reading the corpus");
    let texts = load(&options.corpus)?;
    let bytes: usize = texts.iter().map(String::len).sum();
    let (mb, docs) = (bytes as f64 / 1e6, texts.len());

    note("segmenting with jieba-rs (search mode)");
    let segmentation = segmentation(&texts, threads, &analyzer);
    let throughput = |seconds: f64, mb: f64, docs: usize| Throughput {
        seconds,
        mb_per_s: mb / seconds,
        docs_per_s: docs as f64 / seconds,
        ratio_to_segmentation: mb / seconds / segmentation,
    };

    note("indexing the word field alone");
    let words_time = index_words_only(&texts, threads, &options.work_dir.join("words-only"))?;
    let index_words_only = throughput(words_time.as_secs_f64(), mb, docs);
    drop(texts);

    note("indexing with the full schema (zhsearch index)");
    let full_dir = options.work_dir.join("full");
    let mut full = index_measured(options, threads, &options.corpus, &full_dir)?;
    let index_size = dir_size(&full_dir) as f64;
    if options.scale > 1 {
        note(&format!(
            "indexing the corpus {} times over, for memory",
            options.scale
        ));
        full = index_scaled(options, threads)?;
    }

    note("querying");
    let mix = queries(options.queries.as_deref().unwrap_or(DEFAULT_QUERIES));
    let query_latency = query_latency(&full_dir, analyzer, &mix, options.rounds)?;

    note("timing zhsearch search processes");
    let cli_search = search_processes(&options.exe, &mix, &full_dir)?;

    let mut report = BenchReport {
        corpus: options.corpus.display().to_string(),
        docs,
        text_mb: mb,
        threads,
        scale: options.scale.max(1),
        segmentation_mb_per_s: segmentation,
        index_words_only,
        index_full: throughput(full.seconds, full.text_mb, full.docs),
        index_peak_rss_mb: full.peak_rss_mb,
        index_size_mb: index_size / 1e6,
        index_size_ratio: index_size / bytes as f64,
        query_latency,
        cli_search,
        targets: Vec::new(),
    };
    report.targets = targets(&report);
    Ok(report)
}

/// What one `zhsearch index` child process did.
struct IndexRun {
    /// Its own wall time, from its summary.
    seconds: f64,
    /// Megabytes of text it indexed.
    text_mb: f64,
    /// Its peak resident memory, MB.
    peak_rss_mb: f64,
    /// Documents it indexed.
    docs: usize,
}

/// Runs `zhsearch index CORPUS --index DIR` as a child process, measured.
fn index_measured(
    options: &BenchOptions,
    threads: usize,
    corpus: &Path,
    dir: &Path,
) -> Result<IndexRun> {
    let mut cmd = Command::new(&options.exe);
    cmd.arg("index")
        .arg(corpus)
        .arg("--index")
        .arg(dir)
        .arg("--json")
        .arg("--threads")
        .arg(threads.to_string())
        .arg("--color")
        .arg("never");
    let (_, out, peak_rss_mb) = run_measured(&mut cmd).map_err(io(&options.exe))?;
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| Error::Io {
            path: options.exe.clone(),
            source: std::io::Error::other(format!(
                "zhsearch index failed ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )),
        })?;
    Ok(IndexRun {
        seconds: summary["elapsed"].as_f64().unwrap_or(f64::NAN),
        text_mb: summary["text_bytes"].as_f64().unwrap_or(0.0) / 1e6,
        peak_rss_mb,
        docs: summary["docs"].as_u64().unwrap_or(0) as usize,
    })
}

/// Indexes the corpus `options.scale` times over (distinct ids), measured,
/// and removes what it wrote.
fn index_scaled(options: &BenchOptions, threads: usize) -> Result<IndexRun> {
    let scaled = scaled_corpus(&options.corpus, options.scale, &options.work_dir)?;
    let scaled_dir = options.work_dir.join("scaled");
    let run = index_measured(options, threads, &scaled, &scaled_dir)?;
    let _ = std::fs::remove_file(&scaled);
    let _ = std::fs::remove_dir_all(&scaled_dir);
    Ok(run)
}

/// Warm, in-process latencies of `rounds` runs of the query mix, in ms.
fn query_latency(
    dir: &Path,
    analyzer: Arc<Analyzer>,
    mix: &[Request],
    rounds: usize,
) -> Result<Latency> {
    let engine = Engine::open(dir, analyzer)?;
    for request in mix {
        engine.search(request)?; // warm up, and fail early on a bad query
    }
    let mut samples = Vec::new();
    for _ in 0..rounds.max(1) {
        for request in mix {
            let started = Instant::now();
            std::hint::black_box(engine.search(request)?);
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(latency(samples))
}

/// Wall times of 20 whole `zhsearch search` processes over the mix, in ms.
fn search_processes(exe: &Path, mix: &[Request], dir: &Path) -> Result<Latency> {
    let mut times = Vec::new();
    for request in mix.iter().cycle().take(20) {
        let started = Instant::now();
        let status = Command::new(exe)
            .args(["search", &request.query, "--index"])
            .arg(dir)
            .args(["--color", "never"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(io(exe))?;
        if status.code().is_some_and(|c| c <= 1) {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(latency(times))
}

impl BenchReport {
    /// The report as a table.
    pub fn table(&self) -> String {
        let t = |t: &Throughput| {
            format!(
                "{:>7.2} MB/s {:>8.0} docs/s  ({:.2}× segmentation)",
                t.mb_per_s, t.docs_per_s, t.ratio_to_segmentation
            )
        };
        let l = |l: &Latency| {
            format!(
                "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} runs)",
                l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms, l.count
            )
        };
        let rows = [
            (
                "corpus",
                format!(
                    "{} ({} docs, {:.2} MB of text)",
                    self.corpus, self.docs, self.text_mb
                ),
            ),
            ("threads", self.threads.to_string()),
            (
                "jieba-rs segmentation",
                format!(
                    "{:>7.2} MB/s  (search mode, HMM; the limit)",
                    self.segmentation_mb_per_s
                ),
            ),
            ("index, word field only", t(&self.index_words_only)),
            (
                if self.scale > 1 {
                    "index, full schema, scaled"
                } else {
                    "index, full schema"
                },
                format!(
                    "{}{}",
                    t(&self.index_full),
                    if self.scale > 1 {
                        format!(" ×{}", self.scale)
                    } else {
                        String::new()
                    }
                ),
            ),
            (
                "index peak RSS",
                format!("{:.0} MB", self.index_peak_rss_mb),
            ),
            (
                "index size",
                format!(
                    "{:.2} MB ({:.2}× the text)",
                    self.index_size_mb, self.index_size_ratio
                ),
            ),
            ("query latency (warm)", l(&self.query_latency)),
            ("zhsearch search process", l(&self.cli_search)),
        ];
        let mut out = String::new();
        for (name, value) in rows {
            out.push_str(&format!("{name:<28} {value}\n"));
        }
        out.push_str("targets\n");
        for target in &self.targets {
            out.push_str(&format!(
                "  {:<38} {:>9.2}  {}\n",
                target.name,
                target.measured,
                if target.met { "met" } else { "MISSED" }
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_query_mix_parses_and_has_every_kind() {
        let mix = queries(DEFAULT_QUERIES);
        assert!(mix.iter().any(|r| r.query.chars().count() == 1));
        assert!(mix.iter().any(|r| r.query.starts_with('"')));
        assert!(mix.iter().any(|r| r.query.contains("region:")));
        assert!(mix.iter().any(|r| r.query.contains("date:")));
        assert!(mix.iter().any(|r| r.facets));
        for r in &mix {
            zhsearch::search::query::parse(&r.query).unwrap();
        }
    }

    fn report(words_ratio: f64, p99_ms: f64, rss_mb: f64) -> BenchReport {
        let throughput = |ratio| Throughput {
            seconds: 1.0,
            mb_per_s: 1.0,
            docs_per_s: 1.0,
            ratio_to_segmentation: ratio,
        };
        let latency = |p: f64| Latency {
            count: 1,
            p50_ms: p,
            p95_ms: p,
            p99_ms: p,
            max_ms: p,
        };
        BenchReport {
            corpus: "c".into(),
            docs: 1,
            text_mb: 1.0,
            threads: 2,
            scale: 1,
            segmentation_mb_per_s: 1.0,
            index_words_only: throughput(words_ratio),
            index_full: throughput(0.4),
            index_peak_rss_mb: rss_mb,
            index_size_mb: 1.0,
            index_size_ratio: 1.0,
            query_latency: latency(p99_ms),
            cli_search: latency(100.0),
            targets: Vec::new(),
        }
    }

    #[test]
    fn targets_are_judged_in_the_right_direction() {
        let verdicts = |r: &BenchReport| -> Vec<(&str, bool)> {
            targets(r).into_iter().map(|t| (t.name, t.met)).collect()
        };
        let good = report(0.6, 1.0, 500.0);
        assert!(
            verdicts(&good).iter().all(|(_, met)| *met),
            "{:?}",
            verdicts(&good)
        );
        let bad = report(0.2, 30.0, 1500.0);
        let missed: Vec<&str> = verdicts(&bad)
            .into_iter()
            .filter(|(_, met)| !met)
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            missed,
            [
                "word field only >= 0.5x segmentation",
                "query p50 < 2 ms",
                "query p99 < 20 ms",
                "index peak RSS < 1024 MB"
            ]
        );
        let mut report = bad;
        report.targets = targets(&report);
        assert!(report.table().contains("index peak RSS < 1024 MB"));
        assert!(report.table().contains("MISSED"));
    }

    #[test]
    fn percentiles() {
        let l = latency((1..=100).map(f64::from).collect());
        assert_eq!(
            (l.p50_ms, l.p95_ms, l.p99_ms, l.max_ms),
            (51.0, 95.0, 99.0, 100.0)
        );
    }
}
