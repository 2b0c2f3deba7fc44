//! The `zhsearch` binary: parse flags, dispatch, print, map errors to exit
//! codes. The work happens in the library; the binary's own modules measure
//! it (`bench`, `eval`).

mod bench;
mod cli;
mod eval;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cli::ServeArgs;
use cli::{
    BenchArgs, Cli, ColorWhen, Command, EvalArgs, ExtractArgs, FacetsArgs, FilterArgs, IndexArgs,
    IndexLocation, MatchWords, SearchArgs, ShowArgs, SortBy,
};
use zhsearch::analysis::Analyzer;
use zhsearch::corpus;
use zhsearch::extract::Extractor;
use zhsearch::extract::topic::Taxonomy;
use zhsearch::indexer::{self, BuildBeside, DefaultIndex, IndexOptions, Progress, Summary};
use zhsearch::output::{Format, Human, Printer};
use zhsearch::search::synonyms::Synonyms;
use zhsearch::search::thesaurus::Thesaurus;
use zhsearch::search::{Engine, Filters, Matching, Request, Sort};

/// mimalloc: with threads that allocate what others free (documents built by
/// workers, indexed by tantivy's threads), glibc's per-thread arenas grew the
/// indexer to 930 MB of anonymous memory on a large corpus; mimalloc keeps
/// it at about half (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes, like grep's: scripts can tell "nothing found" from failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// Results found, or the work is done.
    Success = 0,
    /// The search found nothing, or `index` found no articles to read.
    NoResults = 1,
    /// Something went wrong (also clap's code for bad arguments).
    Error = 2,
    /// Indexing finished, but some files or records were skipped.
    Partial = 3,
    /// Indexing was interrupted (Ctrl-C) after committing what was done.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// The default corpus, indexed on first use of the default index.
const DEFAULT_CORPUS: &str = "corpus";
/// The default index location.
const DEFAULT_INDEX: &str = "index";

fn main() -> ExitCode {
    let cli = cli::parse(std::env::args_os());
    match run(cli) {
        Ok(exit) => exit.into(),
        Err(err) => {
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<io::Error>())
                .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return Exit::Success.into();
            }
            eprintln!("zhsearch: error: {}", message(&err));
            Exit::Error.into()
        }
    }
}

/// An error and its causes, `: `-separated like anyhow's `{:#}`, leaving out
/// a cause whose text the message already ends with (zhsearch's errors name
/// their cause in their own text, and also expose it as their source).
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Output settings decided once from the flags: the printer every command
/// writes with, and whether to colour.
struct Output {
    printer: Printer,
    choice: anstream::ColorChoice,
}

impl Output {
    fn new(color: ColorWhen, format: Format) -> Output {
        let choice = match color {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        };
        let stdout = io::stdout();
        let width = stdout
            .is_terminal()
            .then(|| terminal_size::terminal_size().map(|(w, _)| w.0 as usize))
            .flatten();
        let active = anstream::AutoStream::new(io::stdout(), choice).current_choice();
        let human = Human {
            color: active != anstream::ColorChoice::Never,
            width,
        };
        Output {
            printer: Printer::new(format, human),
            choice,
        }
    }

    fn stdout(&self) -> io::BufWriter<anstream::AutoStream<io::StdoutLock<'static>>> {
        io::BufWriter::new(anstream::AutoStream::new(io::stdout().lock(), self.choice))
    }
}

fn run(cli: Cli) -> Result<Exit> {
    let output = Output::new(cli.color, cli.command.format());
    match cli.command {
        Command::Index(args) => index(args, &output),
        Command::Search(args) => search(args, &output),
        Command::Facets(args) => facets(args, &output),
        Command::Show(args) => show(args, &output),
        Command::Extract(args) => extract(args, &output),
        Command::Bench(args) => bench(args, &output),
        Command::Eval(args) => evaluate(args, &output),
        Command::Serve(args) => serve(args),
    }
}

fn taxonomy(path: Option<&Path>) -> Result<Arc<Taxonomy>> {
    match path {
        None => Ok(Arc::new(Taxonomy::builtin().clone())),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--topics {}", path.display()))?;
            let taxonomy = Taxonomy::from_toml(&text)
                .with_context(|| format!("--topics {}", path.display()))?;
            Ok(Arc::new(taxonomy))
        }
    }
}

fn filters(args: &FilterArgs) -> Filters {
    Filters {
        regions: args.region.clone(),
        topics: args.topic.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
    }
}

fn analyzer(location: &IndexLocation) -> Result<Arc<Analyzer>> {
    match &location.dict {
        Some(path) => Ok(Arc::new(
            Analyzer::with_user_dict(path).with_context(|| format!("--dict {}", path.display()))?,
        )),
        None => Ok(Analyzer::builtin()),
    }
}

/// Indexes `corpus` into `dir`, with a progress bar on a terminal and
/// warnings for skipped files.
fn build_index(
    corpus: &Path,
    dir: &Path,
    extractor: &Extractor,
    options: &IndexOptions,
) -> Result<Summary> {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:30}] {binary_bytes}/{binary_total_bytes} {msg} ({elapsed})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let mut files = 0usize;
    let started = std::time::Instant::now();
    let status = |files: usize, docs: usize, text: u64| {
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        format!(
            "{files} files, {docs} docs, {:.1} MB text, {:.0} docs/s, {:.1} MB/s",
            text as f64 / 1e6,
            docs as f64 / secs,
            text as f64 / 1e6 / secs
        )
    };
    let (mut docs, mut text) = (0usize, 0u64);
    let summary =
        indexer::index_corpus(corpus, dir, extractor, options, &mut |event| match event {
            Progress::Start { files: n, bytes } => {
                bar.set_length(bytes);
                bar.set_message(format!("0/{n} files"));
                files = 0;
            }
            Progress::File { file, .. } => {
                files += 1;
                bar.inc(file.size);
                bar.set_message(status(files, docs, text));
            }
            Progress::Indexed {
                docs: d,
                text_bytes,
            } => {
                (docs, text) = (d, text_bytes);
                bar.set_message(status(files, docs, text));
            }
            Progress::Skipped(skipped) => {
                bar.suspend(|| eprintln!("zhsearch: warning: skipped {skipped}"));
            }
            Progress::Warning(warning) => {
                bar.suspend(|| eprintln!("zhsearch: warning: {warning}"));
            }
            Progress::Committing { docs } => {
                bar.set_message(format!("{files} files, {docs} docs; committing"))
            }
        });
    bar.finish_and_clear();
    summary.with_context(|| format!("indexing {} into {}", corpus.display(), dir.display()))
}

fn index(args: IndexArgs, output: &Output) -> Result<Exit> {
    let analyzer = analyzer(&args.location)?;
    // Ctrl-C stops reading, commits what is done, and exits cleanly.
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            // A second Ctrl-C: give up at once; the last commit stays intact.
            std::process::exit(130);
        }
        eprintln!(
            "\nzhsearch: interrupted; committing what is done (Ctrl-C again to quit at once)"
        );
    })
    .context("installing the Ctrl-C handler")?;
    let mut options = IndexOptions {
        memory_mb: args.memory,
        rebuild: args.rebuild,
        commit_every: args.commit_every,
        cancel: Some(cancel),
        symlinks: symlinks(args.follow),
        ..IndexOptions::default()
    };
    if let Some(threads) = args.threads {
        options.threads = threads;
    }
    let extractor = Extractor::new(analyzer, taxonomy(args.topics.as_deref())?);
    let summary = build_index(&args.corpus, &args.location.index, &extractor, &options)?;
    let mut out = output.stdout();
    output.printer.summary(&mut out, &summary)?;
    out.flush()?;
    let found = summary.added + summary.updated + summary.unchanged + summary.skipped.len();
    Ok(if summary.interrupted {
        eprintln!("zhsearch: stopped early: run the same command again to finish");
        Exit::Interrupted
    } else if found == 0 && summary.removed == 0 {
        eprintln!(
            "zhsearch: no articles in {}: zhsearch reads .txt, .md and .jsonl files (also gzipped){}",
            args.corpus.display(),
            if summary.ignored > 0 {
                format!("; {} other files were ignored", summary.ignored)
            } else {
                String::new()
            }
        );
        Exit::NoResults
    } else if summary.skipped.is_empty() {
        Exit::Success
    } else {
        Exit::Partial
    })
}

/// Opens the index for searching. The default index is built from the
/// bundled corpus on first use.
///
/// `queries`: the text that will be segmented (queries, synonyms), for a
/// process that answers just those: its analyzer then holds only the
/// dictionary words they need. `None` for a server, which loads it all.
fn open_engine(location: &IndexLocation, queries: Option<&str>) -> Result<Engine> {
    let dir = &location.index;
    // The default index is the bundled corpus's, built on demand.
    let bundled = dir == Path::new(DEFAULT_INDEX) && Path::new(DEFAULT_CORPUS).is_dir();
    match bundled.then(|| DefaultIndex::of(dir)) {
        Some(DefaultIndex::Missing) => {
            eprintln!(
                "zhsearch: no index at {DEFAULT_INDEX}/ yet; building it from {DEFAULT_CORPUS}/ (first run)"
            );
            build_default_index(location, dir)?;
        }
        // Built with a user dictionary, it is the user's: opening it
        // refuses, saying how to fix.
        Some(DefaultIndex::OtherVersion) if location.dict.is_none() => {
            eprintln!(
                "zhsearch: {DEFAULT_INDEX}/ was built by another version of zhsearch; \
                 building it again from {DEFAULT_CORPUS}/"
            );
            build_default_index(location, dir)?;
        }
        _ => {}
    }
    let analyzer = match queries {
        Some(text) => Arc::new(Analyzer::for_text(text, location.dict.as_deref())?),
        None => analyzer(location)?,
    };
    Ok(Engine::open(dir, analyzer)?)
}

/// Builds the default index from the bundled corpus, beside `dir`, and puts
/// it in place (replacing what is there) when it is complete: a run stopped
/// half-way (Ctrl-C, a kill) leaves no half-built index behind, and the next
/// search starts over.
fn build_default_index(location: &IndexLocation, dir: &Path) -> Result<()> {
    let extractor = Extractor::new(analyzer(location)?, taxonomy(None)?);
    let build = BuildBeside::start(dir);
    let building = build.path().to_path_buf();
    let summary = build_index(
        Path::new(DEFAULT_CORPUS),
        &building,
        &extractor,
        &IndexOptions::default(),
    )?;
    build
        .finish()
        .with_context(|| format!("moving {} to {}", building.display(), dir.display()))?;
    Human {
        color: false,
        width: None,
    }
    .summary(&mut io::stderr(), &summary)?;
    Ok(())
}

/// The text a search will segment: the query, and the synonyms it may expand to.
fn query_text(query: &str, synonyms: Option<&Path>) -> Result<String> {
    let mut text = query.to_string();
    if let Some(path) = synonyms {
        text.push('\n');
        text.push_str(
            &std::fs::read_to_string(path)
                .with_context(|| format!("--synonyms {}", path.display()))?,
        );
    }
    Ok(text)
}

/// The engine for a process that answers one query (and its synonyms):
/// its analyzer holds only the dictionary words they need.
fn query_engine(query: &str, location: &IndexLocation, synonyms: Option<&Path>) -> Result<Engine> {
    let text = query_text(query, synonyms)?;
    with_synonyms(open_engine(location, Some(&text))?, synonyms)
}

/// Adds the synonyms of `--synonyms FILE`, if given.
fn with_synonyms(engine: Engine, path: Option<&Path>) -> Result<Engine> {
    match path {
        None => Ok(engine),
        Some(path) => Ok(engine.with_synonyms(
            Synonyms::load(path).with_context(|| format!("--synonyms {}", path.display()))?,
        )),
    }
}

/// Without the built-in near-synonyms when `off` (`--no-thesaurus`).
fn thesaurus_off(engine: Engine, off: bool) -> Engine {
    match off {
        true => engine.with_thesaurus(Thesaurus::default()),
        false => engine,
    }
}

fn search(args: SearchArgs, output: &Output) -> Result<Exit> {
    let query = args.query.join(" ");
    let engine = query_engine(&query, &args.location, args.synonyms.as_deref())?;
    let engine = thesaurus_off(engine, args.no_thesaurus);
    let mut request = Request::new(&query);
    request.limit = args.limit;
    request.offset = args.offset;
    request.explain = args.explain;
    request.snippet_chars = args.snippet_chars;
    request.filters = filters(&args.filters);
    request.facets = args.facets;
    request.sort = match args.sort {
        SortBy::Relevance => Sort::Relevance,
        SortBy::Date => Sort::Date,
        SortBy::Oldest => Sort::Oldest,
    };
    request.matching = match args.matching {
        MatchWords::All => Matching::All,
        MatchWords::Relaxed => Matching::Relaxed,
        MatchWords::Any => Matching::Any,
    };
    request.collapse = !args.no_collapse;
    // JSON gives each hit its score's parts.
    request.components = matches!(output.printer, Printer::Json);
    let mut results = engine.search(&request)?;
    if !args.explain {
        results.notes.clear();
    }
    report_undated(results.undated_excluded);
    let mut out = output.stdout();
    output.printer.results(&mut out, &results)?;
    out.flush()?;
    Ok(if results.total == 0 {
        Exit::NoResults
    } else {
        Exit::Success
    })
}

/// Says on stderr how many matching articles a date filter left out for
/// having no known date.
fn report_undated(count: Option<usize>) {
    if let Some(n) = count.filter(|&n| n > 0) {
        eprintln!(
            "zhsearch: note: {n} matching {} no known date and {} left out by the date filter",
            if n == 1 {
                "article has"
            } else {
                "articles have"
            },
            if n == 1 { "was" } else { "were" },
        );
    }
}

fn facets(args: FacetsArgs, output: &Output) -> Result<Exit> {
    let query = if args.query.is_empty() {
        "*".to_string()
    } else {
        args.query.join(" ")
    };
    let engine = query_engine(&query, &args.location, args.synonyms.as_deref())?;
    let mut request = Request::new(&query);
    request.limit = 1;
    request.facets = true;
    // Counts are of the articles with every word, never relaxed, each
    // near-duplicate counted (no hits are shown to fold).
    request.matching = Matching::All;
    request.collapse = false;
    request.filters = filters(&args.filters);
    let results = engine.search(&request)?;
    report_undated(results.undated_excluded);
    let mut out = output.stdout();
    match args.by {
        Some(by) => output
            .printer
            .timeline(&mut out, &query, &results, by.period())?,
        None => output.printer.facets(&mut out, &query, &results)?,
    }
    out.flush()?;
    Ok(if results.total == 0 {
        Exit::NoResults
    } else {
        Exit::Success
    })
}

fn symlinks(follow: bool) -> corpus::Symlinks {
    if follow {
        corpus::Symlinks::Follow
    } else {
        corpus::Symlinks::Skip
    }
}

/// `zhsearch extract`: what indexing would find in the files, with the
/// warnings and skips indexing would report (and the same exit code).
fn extract(args: ExtractArgs, output: &Output) -> Result<Exit> {
    let extractor = Extractor::new(Analyzer::builtin(), taxonomy(args.topics.as_deref())?);
    let mut out = output.stdout();
    let mut skipped = 0;
    // Where each id was met, as indexing would keep only its last record.
    let mut seen: std::collections::HashMap<String, (String, Option<usize>)> = Default::default();
    for path in &args.files {
        let listing = corpus::discover_with(path, symlinks(args.follow))
            .with_context(|| path.display().to_string())?;
        for s in &listing.skipped {
            skipped += 1;
            eprintln!("zhsearch: warning: skipped {s}");
        }
        for file in &listing.files {
            let result = corpus::read(file, |record| match record {
                Ok(raw) => {
                    let article = extractor.extract(raw);
                    for warning in &article.warnings {
                        eprintln!("zhsearch: warning: {warning}");
                    }
                    let r = &article.record;
                    let here = (r.path.clone(), r.meta.line);
                    if let Some((path, line)) = seen.insert(r.id.clone(), here) {
                        let kept_at = match r.meta.line {
                            Some(l) => format!("{}:{l}", r.path),
                            None => r.path.clone(),
                        };
                        let duplicate = corpus::Warning::duplicate_id(&r.id, &path, line, &kept_at);
                        eprintln!("zhsearch: warning: {duplicate}");
                    }
                    if let Err(e) = output.printer.article(&mut out, &article) {
                        eprintln!("zhsearch: error: {e}");
                    }
                }
                Err(s) => {
                    skipped += 1;
                    eprintln!("zhsearch: warning: skipped {s}");
                }
            });
            if let Err(s) = result {
                skipped += 1;
                eprintln!("zhsearch: warning: skipped {s}");
            }
        }
    }
    out.flush()?;
    Ok(if skipped == 0 {
        Exit::Success
    } else {
        Exit::Partial
    })
}

fn bench(args: BenchArgs, output: &Output) -> Result<Exit> {
    let work_dir = std::env::temp_dir().join(format!("zhsearch-bench-{}", std::process::id()));
    let options = bench::BenchOptions {
        corpus: args.corpus.clone(),
        queries: args
            .queries
            .as_deref()
            .map(|p| {
                std::fs::read_to_string(p).with_context(|| format!("--queries {}", p.display()))
            })
            .transpose()?,
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        exe: std::env::current_exe().context("finding the zhsearch executable")?,
        work_dir: work_dir.clone(),
        scale: args.scale,
        rounds: args.rounds,
    };
    let report = bench::run(&options, &mut |step| eprintln!("zhsearch bench: {step}…"));
    let _ = std::fs::remove_dir_all(&work_dir);
    let report = report.with_context(|| format!("bench on {}", args.corpus.display()))?;
    let mut out = output.stdout();
    output.printer.report(&mut out, &report, &report.table())?;
    out.flush()?;
    Ok(Exit::Success)
}

/// `zhsearch eval`: the figures on stdout, the steps on stderr.
fn evaluate(args: EvalArgs, output: &Output) -> Result<Exit> {
    let text = match args.compare.as_deref() {
        Some(_) if matches!(output.printer, Printer::Json) => {
            anyhow::bail!("--compare prints a table: not with --json")
        }
        Some([a, b]) => eval::compare(a, b, args.list)?,
        Some(files) => anyhow::bail!("--compare takes two dumps, not {}", files.len()),
        None => {
            let options = eval::Options {
                index: args.index,
                seed: args.seed as u64,
                per_kind: args.per_kind,
                json: matches!(output.printer, Printer::Json),
                dump: args.dump,
                thesaurus: args.thesaurus,
                near_synonyms: args.near_synonyms,
                spaced: args.spaced,
                ties: args.ties,
                pasted: args.pasted,
                ..eval::Options::new(args.corpus.clone())
            };
            eval::evaluate(&options, &mut |step| eprintln!("zhsearch eval: {step}"))?
        }
    };
    let mut out = output.stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(Exit::Success)
}

fn show(args: ShowArgs, output: &Output) -> Result<Exit> {
    // Showing a document segments nothing.
    let engine = open_engine(&args.location, Some(""))?;
    let doc = engine.document(&args.id)?.with_context(|| {
        format!(
            "no document with id {:?} in {}",
            args.id,
            args.location.index.display()
        )
    })?;
    let mut out = output.stdout();
    output.printer.document(&mut out, &doc)?;
    out.flush()?;
    Ok(Exit::Success)
}

/// `zhsearch serve`: runs until Ctrl-C or SIGTERM. The line saying where it
/// listens goes to stderr, like the request log.
fn serve(args: ServeArgs) -> Result<Exit> {
    let engine = with_synonyms(open_engine(&args.location, None)?, args.synonyms.as_deref())?;
    let engine = thesaurus_off(engine, args.no_thesaurus);
    let config = zhsearch::serve::Config {
        addr: args.addr,
        timeout: args.timeout,
        concurrent_searches: args.searches,
        queue: args.queue,
        per_client: args.per_client,
        max_connections: args.max_connections,
        header_timeout: args.header_timeout,
        idle_timeout: args.idle_timeout,
        shutdown_timeout: args.shutdown_timeout,
        ..zhsearch::serve::Config::default()
    };
    let index = args.location.index.display().to_string();
    let documents = engine.num_docs();
    zhsearch::serve::run(engine, &config, |addr| {
        eprintln!(
            "zhsearch: serving {index} ({documents} documents) on http://{addr}/ (Ctrl-C to stop)"
        );
    })
    .with_context(|| format!("zhsearch serve --addr {}", args.addr))?;
    Ok(Exit::Success)
}
