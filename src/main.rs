//! The `zhsearch` binary: parse flags, dispatch, print, map errors to exit
//! codes. All the work happens in the library.

mod cli;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use cli::{Cli, ColorWhen, Command, IndexArgs, IndexLocation, SearchArgs, ShowArgs};
use zhsearch::analysis::Analyzer;
use zhsearch::indexer::{self, IndexOptions, Progress, Summary};
use zhsearch::output::{self, Human};
use zhsearch::search::{Engine, Request};

/// Exit codes, like grep's: scripts can tell "nothing found" from failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// Results found, or the work is done.
    Success = 0,
    /// The search found nothing.
    NoResults = 1,
    /// Something went wrong (also clap's code for bad arguments).
    Error = 2,
    /// Indexing finished, but some files or records were skipped.
    Partial = 3,
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
            eprintln!("zhsearch: error: {err:#}");
            Exit::Error.into()
        }
    }
}

/// Output settings decided once from the flags.
struct Output {
    human: Human,
    choice: anstream::ColorChoice,
}

impl Output {
    fn new(color: ColorWhen) -> Output {
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
        Output {
            human: Human {
                color: active != anstream::ColorChoice::Never,
                width,
            },
            choice,
        }
    }

    fn stdout(&self) -> io::BufWriter<anstream::AutoStream<io::StdoutLock<'static>>> {
        io::BufWriter::new(anstream::AutoStream::new(io::stdout().lock(), self.choice))
    }
}

fn run(cli: Cli) -> Result<Exit> {
    let output = Output::new(cli.color);
    match cli.command {
        Command::Index(args) => index(args, &output),
        Command::Search(args) => search(args, &output),
        Command::Show(args) => show(args, &output),
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
    analyzer: Arc<Analyzer>,
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
    let mut docs = 0usize;
    let started = std::time::Instant::now();
    let summary = indexer::index_corpus(corpus, dir, analyzer, options, &mut |event| match event {
        Progress::Start { files: n, bytes } => {
            bar.set_length(bytes);
            bar.set_message(format!("0/{n} files"));
            files = 0;
        }
        Progress::File { file, docs: d } => {
            files += 1;
            docs += d;
            bar.inc(file.size);
            let rate = docs as f64 / started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!("{files} files, {docs} docs, {rate:.0} docs/s"));
        }
        Progress::Skipped(skipped) => {
            bar.suspend(|| eprintln!("zhsearch: warning: skipped {skipped}"));
        }
        Progress::Committing => bar.set_message(format!("{files} files, {docs} docs; committing")),
    });
    bar.finish_and_clear();
    summary.with_context(|| format!("indexing {} into {}", corpus.display(), dir.display()))
}

fn index(args: IndexArgs, output: &Output) -> Result<Exit> {
    let analyzer = analyzer(&args.location)?;
    let mut options = IndexOptions {
        memory_mb: args.memory,
        rebuild: args.rebuild,
        ..IndexOptions::default()
    };
    if let Some(threads) = args.threads {
        anyhow::ensure!(threads > 0, "--threads must be at least 1");
        options.threads = threads;
    }
    let summary = build_index(&args.corpus, &args.location.index, analyzer, &options)?;
    let mut out = output.stdout();
    if args.json {
        output::json::line(&mut out, &output::json::summary(&summary))?;
    } else {
        output.human.summary(&mut out, &summary)?;
    }
    out.flush()?;
    Ok(if summary.skipped.is_empty() {
        Exit::Success
    } else {
        Exit::Partial
    })
}

/// Opens the index for searching. The default index is built from the
/// bundled corpus on first use.
fn open_engine(location: &IndexLocation) -> Result<Engine> {
    let analyzer = analyzer(location)?;
    let dir = &location.index;
    if !dir.join("meta.json").exists()
        && dir == Path::new(DEFAULT_INDEX)
        && Path::new(DEFAULT_CORPUS).is_dir()
    {
        eprintln!(
            "zhsearch: no index at {DEFAULT_INDEX}/ yet; building it from {DEFAULT_CORPUS}/ (first run)"
        );
        let summary = build_index(
            &PathBuf::from(DEFAULT_CORPUS),
            dir,
            Arc::clone(&analyzer),
            &IndexOptions::default(),
        )?;
        let mut err = io::stderr();
        Human {
            color: false,
            width: None,
        }
        .summary(&mut err, &summary)?;
    }
    Ok(Engine::open(dir, analyzer)?)
}

fn search(args: SearchArgs, output: &Output) -> Result<Exit> {
    let engine = open_engine(&args.location)?;
    let mut request = Request::new(&args.query.join(" "));
    request.limit = args.limit;
    request.offset = args.offset;
    request.explain = args.explain;
    request.snippet_chars = args.snippet_chars;
    let mut results = engine.search(&request)?;
    if !args.explain {
        results.notes.clear();
    }
    let mut out = output.stdout();
    if args.json {
        output::json::hits(&mut out, &results.hits)?;
    } else {
        output.human.results(&mut out, &results)?;
    }
    out.flush()?;
    Ok(if results.total == 0 {
        Exit::NoResults
    } else {
        Exit::Success
    })
}

fn show(args: ShowArgs, output: &Output) -> Result<Exit> {
    let engine = open_engine(&args.location)?;
    let doc = engine.document(&args.id)?.with_context(|| {
        format!(
            "no document with id {:?} in {}",
            args.id,
            args.location.index.display()
        )
    })?;
    let mut out = output.stdout();
    if args.json {
        output::json::line(&mut out, &output::json::document(&doc))?;
    } else {
        output.human.document(&mut out, &doc)?;
    }
    out.flush()?;
    Ok(Exit::Success)
}
