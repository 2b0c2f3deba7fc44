//! Command-line flags (clap derive), turned into plain config once.
//! Nothing here does any work; clap types never reach the library.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use zhsearch::output::Format;

/// Full-text search for Chinese news and government texts.
///
/// zhsearch indexes a folder of articles (txt, md, JSON Lines, gzipped or
/// not; UTF-8, UTF-16 or GBK) with jieba segmentation and finds them again by
/// words, phrases or any string of characters, with highlighted snippets.
///
/// Exit codes: 0 results found / work done, 1 no results, 2 error,
/// 3 indexing finished but some files were skipped, 130 indexing interrupted
/// (what was done is committed).
#[derive(Debug, Parser)]
#[command(name = "zhsearch", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never; matches are marked with [brackets].
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build or update an index from a folder of articles.
    ///
    /// Walks DIR recursively for .txt, .md and .jsonl files (optionally .gz).
    /// Re-running on an existing index adds new files, re-indexes changed
    /// ones and removes deleted ones; unchanged files are not read again.
    Index(IndexArgs),
    /// Search an index.
    ///
    /// Words are ANDed: 党建 引领 (or 党建引领) finds articles with both words.
    /// "基层党建" finds the exact text; -疫情 excludes; 疫情 OR 防控 finds either;
    /// parentheses group. Any string that occurs in an article finds it.
    Search(SearchArgs),
    /// Count the matching articles by region (as a tree), year and topic.
    ///
    /// Without a query, counts every article in the index.
    Facets(FacetsArgs),
    /// Print one article: stored fields, extracted metadata, and text.
    Show(ShowArgs),
    /// Print what metadata extraction finds in files, without indexing them.
    Extract(ExtractArgs),
    /// Measure segmentation, indexing, index size and query latency on a corpus.
    ///
    /// Builds indexes in a temporary directory, so it leaves no trace. Ends
    /// with each target (BENCHMARKS.md) and whether this run met it.
    Bench(BenchArgs),
    /// Measure ranking: known-item queries made from a corpus, each looking
    /// for one story, and where each story ranks.
    ///
    /// Five kinds of query are made with a fixed seed (a title's start, body
    /// keywords, title words and a name, title words in Traditional
    /// characters, title words with one swapped for a near-synonym) and run
    /// as typed; prints MRR@10, success@1 and @10, the targets not in the
    /// first ten hits, and the latency, per kind. The index is built in a
    /// temporary directory unless --index is given.
    Eval(EvalArgs),
    /// Serve a web page for browsing the index, and a JSON API.
    ///
    /// Open the printed address (http://127.0.0.1:7700/ by default) in a
    /// browser. The API (/api/search, /api/facets, /api/doc/ID,
    /// /api/health) answers like `search --json`, `facets --json` and
    /// `show --json`; /api/openapi.json describes it. Re-indexing into the
    /// same index while serving is picked up without a restart. Stop with
    /// Ctrl-C.
    Serve(ServeArgs),
}

impl Command {
    /// The output format the command asked for (`serve` prints only its
    /// log, for people).
    pub fn format(&self) -> Format {
        match self {
            Command::Index(a) => a.output.format(),
            Command::Search(a) => a.output.format(),
            Command::Facets(a) => a.output.format(),
            Command::Show(a) => a.output.format(),
            Command::Extract(a) => a.output.format(),
            Command::Bench(a) => a.output.format(),
            Command::Eval(a) => a.output.format(),
            Command::Serve(_) => Format::Human,
        }
    }
}

/// Filters shared by `search` and `facets`. They mean the same as the
/// `region:`, `topic:` and `date:` filters inside a query.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only articles about this region or places within it: any level, full
    /// or short name (高明, 高明区, 佛山, 广东省). Repeat for any of several.
    #[arg(long, value_name = "PLACE")]
    pub region: Vec<String>,

    /// Only articles with this topic. Repeat for any of several.
    #[arg(long, value_name = "TOPIC")]
    pub topic: Vec<String>,

    /// Only articles dated on or after this: YYYY, YYYY-MM or YYYY-MM-DD.
    /// Articles without a known date are left out (and counted on stderr).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Only articles dated on or before this: YYYY, YYYY-MM or YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

/// The output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatName {
    /// For people: ranked hits with highlighted snippets, trees of counts.
    Human,
    /// One JSON object per line, for scripts (hits, then the facet counts;
    /// the counts; the article; the summary; the report).
    Json,
}

/// How a command prints: `--format`, or its shorthand `--json`.
#[derive(Debug, Args, Clone, Default)]
pub struct OutputArgs {
    /// Output format: human (the default) or json (one JSON object per line).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatName>,

    /// Print JSON: the same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl OutputArgs {
    /// The format asked for.
    pub fn format(&self) -> Format {
        match (self.json, self.format) {
            (true, _) | (false, Some(FormatName::Json)) => Format::Json,
            (false, Some(FormatName::Human) | None) => Format::Human,
        }
    }
}

/// The order of search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    /// Best match first.
    Relevance,
    /// Newest first; articles without a date last.
    Date,
    /// Oldest first; articles without a date last.
    Oldest,
}

/// How many of the query's words an article must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchWords {
    /// Every word.
    All,
    /// Every word; when too few articles have them all, then those missing
    /// the fewest words (never a "phrase", +word, a side of AND or a filter).
    Relaxed,
    /// Any of the words, articles with more of them first.
    Any,
}

/// Where the index is, and how it analyses text.
#[derive(Debug, Args, Clone)]
pub struct IndexLocation {
    /// The index directory.
    #[arg(long, short = 'i', default_value = "index", env = "ZHSEARCH_INDEX")]
    pub index: PathBuf,

    /// A user dictionary for jieba (`word [freq [tag]]` per line), used when
    /// indexing and when searching. An index remembers its dictionary's
    /// hash and refuses searches with a different one.
    #[arg(long, value_name = "FILE")]
    pub dict: Option<PathBuf>,
}

/// `zhsearch index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The corpus: a directory (searched recursively) or a single file.
    #[arg(default_value = "corpus")]
    pub corpus: PathBuf,

    #[command(flatten)]
    pub location: IndexLocation,

    /// Start again from an empty index.
    #[arg(long)]
    pub rebuild: bool,

    /// Indexing threads (default: all cores).
    #[arg(long, short = 'j', allow_negative_numbers = true, value_parser = number(1, usize::MAX))]
    pub threads: Option<usize>,

    /// Memory budget of the index writer, in MB.
    #[arg(long, default_value_t = 256, allow_negative_numbers = true, value_parser = number(0, MAX_MEMORY_MB))]
    pub memory: usize,

    /// Commit after this many documents (and at the end), so that an
    /// interrupted run keeps its progress; the next run completes it.
    #[arg(long, default_value_t = 100_000, value_name = "DOCS", allow_negative_numbers = true, value_parser = number(0, usize::MAX))]
    pub commit_every: usize,

    /// A topic taxonomy (TOML, in the format of data/topics.toml) to
    /// classify articles with, instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub topics: Option<PathBuf>,

    /// Follow symbolic links to files and folders (a link back to a folder
    /// above it is reported and not followed again). Without it, each link
    /// is skipped, saying so.
    #[arg(long, short = 'L')]
    pub follow: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `zhsearch search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (several arguments are joined with spaces). An exclusion
    /// such as -疫情 can be given as its own argument.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,

    #[command(flatten)]
    pub location: IndexLocation,

    /// How many results to show (0 to only count them; at most 10000).
    #[arg(long, short = 'n', default_value_t = 10, allow_negative_numbers = true, value_parser = limit)]
    pub limit: usize,

    /// Skip this many of the best results (for paging).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = number(0, MAX_OFFSET))]
    pub offset: usize,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Show how the query was analysed and why the top hits scored as they did.
    #[arg(long)]
    pub explain: bool,

    /// Length of snippets, in characters.
    #[arg(long, default_value_t = 120, value_name = "N", allow_negative_numbers = true, value_parser = number(0, usize::MAX))]
    pub snippet_chars: usize,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Order of results.
    #[arg(long, value_enum, default_value_t = SortBy::Relevance)]
    pub sort: SortBy,

    /// How many of the query's words an article must have. With relaxed,
    /// when fewer articles than --limit have them all, those missing one
    /// word follow (then two...), and the output says which words.
    #[arg(long = "match", value_enum, default_value_t = MatchWords::Relaxed, value_name = "WORDS")]
    pub matching: MatchWords,

    /// Show every article: do not fold near-duplicates (a story reposted, or
    /// repeated within a week, under the same title) into one hit with
    /// "+N similar".
    #[arg(long)]
    pub no_collapse: bool,

    /// After the results, count them by region, year and topic.
    #[arg(long)]
    pub facets: bool,

    /// A synonym file: one group of interchangeable terms per line (see
    /// data/synonyms-example.txt). A query term in a group also finds the others.
    #[arg(long, value_name = "FILE")]
    pub synonyms: Option<PathBuf>,

    /// Do not count a word's built-in near-synonyms (会见 for 会晤) or
    /// cognates (我国 for 中国) in a title as the word found, nor match the
    /// titles that reword a query so.
    #[arg(long)]
    pub no_thesaurus: bool,
}

/// `zhsearch facets`.
#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// The query (optional: without one, every article counts).
    #[arg(num_args = 0..)]
    pub query: Vec<String>,

    #[command(flatten)]
    pub location: IndexLocation,

    #[command(flatten)]
    pub filters: FilterArgs,

    /// Instead of the counts by facet, the matching articles over time: a
    /// line per month (or year) with a bar, oldest first.
    #[arg(long, value_name = "PERIOD")]
    pub by: Option<PeriodName>,

    #[command(flatten)]
    pub output: OutputArgs,

    /// A synonym file: one group of interchangeable terms per line (see
    /// data/synonyms-example.txt). A query term in a group also finds the others.
    #[arg(long, value_name = "FILE")]
    pub synonyms: Option<PathBuf>,
}

/// A period of `facets --by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodName {
    /// A line a month.
    Month,
    /// A line a year.
    Year,
}

impl PeriodName {
    /// The library's period.
    pub fn period(self) -> zhsearch::search::facets::Period {
        match self {
            PeriodName::Month => zhsearch::search::facets::Period::Month,
            PeriodName::Year => zhsearch::search::facets::Period::Year,
        }
    }
}

/// `zhsearch bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The corpus to measure on.
    #[arg(long, default_value = "corpus")]
    pub corpus: PathBuf,

    /// Queries to time, one per line (`facets: QUERY` also counts facets).
    /// Default: a built-in mix of characters, words, phrases and filters.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,

    /// Threads for segmenting and indexing (default: all cores).
    #[arg(long, short = 'j', allow_negative_numbers = true, value_parser = number(1, usize::MAX))]
    pub threads: Option<usize>,

    /// Also index the corpus this many times over (distinct ids), to check
    /// that indexing memory stays bounded.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = number(1, usize::MAX))]
    pub scale: usize,

    /// Rounds over the query mix.
    #[arg(long, default_value_t = 20, allow_negative_numbers = true, value_parser = number(1, usize::MAX))]
    pub rounds: usize,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `zhsearch eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The corpus the queries are made from and the index is built of: its
    /// articles need titles (JSONL fields, front matter, or a first line).
    #[arg(long, default_value = "corpus")]
    pub corpus: PathBuf,

    /// Reuse the index in this directory when one opens there, or build it
    /// there (default: in a temporary directory, removed afterwards).
    #[arg(long, short = 'i', value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// The seed the stories and queries are drawn with.
    #[arg(long, default_value_t = 12, allow_negative_numbers = true, value_parser = number(0, usize::MAX))]
    pub seed: usize,

    /// Queries of each kind, at most.
    #[arg(long, default_value_t = 300, allow_negative_numbers = true, value_parser = number(1, usize::MAX))]
    pub per_kind: usize,

    /// Passages of this many stories' bodies, pasted whole, instead of the
    /// five kinds; also prints how much the other hits are about each
    /// passage's story.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = number(1, usize::MAX))]
    pub pasted: Option<usize>,

    /// Near-synonym groups replacing the built-in ones of relaxed matching
    /// (the format of data/thesaurus; /dev/null for none).
    #[arg(long, value_name = "FILE")]
    pub thesaurus: Option<PathBuf>,

    /// Make the near-synonym queries with the pairs of this file instead of
    /// data/eval/near-synonyms.txt (same format).
    #[arg(long, value_name = "FILE")]
    pub near_synonyms: Option<PathBuf>,

    /// Set the words of the near-synonym queries apart with spaces.
    #[arg(long)]
    pub spaced: bool,

    /// Also print, for the kinds made from a title, how far the query alone
    /// tells its target from other stories (a table: not with --json).
    #[arg(long)]
    pub ties: bool,

    /// Write every query and its outcome to this file (it quotes the
    /// corpus), for --compare.
    #[arg(long, value_name = "FILE")]
    pub dump: Option<PathBuf>,

    /// Set two dumps side by side and list the queries that moved most,
    /// instead of evaluating.
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with_all = [
        "corpus", "index", "seed", "per_kind", "pasted", "thesaurus", "near_synonyms",
        "spaced", "ties", "dump",
    ])]
    pub compare: Option<Vec<PathBuf>>,

    /// With --compare: how many queries to list.
    #[arg(long, default_value_t = 20, requires = "compare", allow_negative_numbers = true, value_parser = number(0, usize::MAX))]
    pub list: usize,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `zhsearch extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files (or directories) to read, as `zhsearch index` would.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// A topic taxonomy to use instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub topics: Option<PathBuf>,

    /// Follow symbolic links in directories, as `zhsearch index --follow`.
    #[arg(long, short = 'L')]
    pub follow: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `zhsearch show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The document id (as printed by search: a file path, or a JSONL id).
    pub id: String,

    #[command(flatten)]
    pub location: IndexLocation,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// `zhsearch serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub location: IndexLocation,

    /// The address to listen on. The default serves this computer only;
    /// 0.0.0.0:7700 serves the network too (there is no authentication).
    /// Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "ADDR")]
    pub addr: std::net::SocketAddr,

    /// Cut off a search after this many seconds (decimals allowed), answering
    /// 503 with a message saying so.
    #[arg(long, default_value = "10", value_name = "SECONDS", allow_negative_numbers = true, value_parser = seconds)]
    pub timeout: std::time::Duration,

    /// A synonym file (see `zhsearch search --synonyms`) for every query.
    #[arg(long, value_name = "FILE")]
    pub synonyms: Option<PathBuf>,

    /// No built-in near-synonyms or cognates (see `zhsearch search
    /// --no-thesaurus`).
    #[arg(long)]
    pub no_thesaurus: bool,

    /// Searches running at once; a quarter of them (at least one) may be
    /// costly queries (long texts, wide ORs, many 1-character terms).
    #[arg(long, default_value_t = 4, value_name = "N", allow_negative_numbers = true, value_parser = number(1, 256))]
    pub searches: usize,

    /// Searches waiting for their turn; beyond them, 429 and Retry-After.
    #[arg(long, default_value_t = 32, value_name = "N", allow_negative_numbers = true, value_parser = number(0, 10_000))]
    pub queue: usize,

    /// Searches one client address may have running or waiting; beyond
    /// them, 429 and Retry-After.
    #[arg(long, default_value_t = 4, value_name = "N", allow_negative_numbers = true, value_parser = number(1, 10_000))]
    pub per_client: usize,

    /// Connections open at once; beyond them, new ones get 503 and are
    /// closed. Lowered to fit the process's open-file limit.
    #[arg(long, default_value_t = zhsearch::serve::DEFAULT_MAX_CONNECTIONS, value_name = "N", allow_negative_numbers = true, value_parser = number(1, 1_000_000))]
    pub max_connections: usize,

    /// Close a connection whose request head takes longer than this, in
    /// seconds, from its first byte.
    #[arg(long, default_value = "10", value_name = "SECONDS", allow_negative_numbers = true, value_parser = seconds)]
    pub header_timeout: std::time::Duration,

    /// Close a connection with no request in flight that sends nothing for
    /// this long, in seconds.
    #[arg(long, default_value = "30", value_name = "SECONDS", allow_negative_numbers = true, value_parser = seconds)]
    pub idle_timeout: std::time::Duration,

    /// On Ctrl-C or SIGTERM, give requests in flight this long, in seconds,
    /// then exit.
    #[arg(long, default_value = "10", value_name = "SECONDS", allow_negative_numbers = true, value_parser = seconds)]
    pub shutdown_timeout: std::time::Duration,
}

// Every numeric flag allows negative numbers, so that `-n -1` reaches its
// parser and is refused with the range the flag takes. Otherwise clap takes
// `-1` for a flag and suggests `-- -1`, which, followed, makes `-1` a query
// word.

/// Parses `--limit`: 0 to [`zhsearch::search::MAX_LIMIT`].
fn limit(value: &str) -> Result<usize, String> {
    let max = zhsearch::search::MAX_LIMIT;
    match value.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        Ok(_) => Err(format!(
            "at most {max} results can be shown; page with --offset"
        )),
        Err(_) => Err(format!("give a whole number from 0 to {max}")),
    }
}

/// The largest `--offset`: tantivy keeps offset + limit hits in memory.
const MAX_OFFSET: usize = 1_000_000;
/// The largest `--memory`, in MB (tantivy takes at most 4 GB per thread).
const MAX_MEMORY_MB: usize = 1 << 20;

/// A parser for a whole number from `min` to `max`.
fn number(min: usize, max: usize) -> impl Fn(&str) -> Result<usize, String> + Clone {
    move |value: &str| match value.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ if max == usize::MAX => Err(format!("give a whole number ≥ {min}")),
        _ => Err(format!("give a whole number from {min} to {max}")),
    }
}

/// Parses `--timeout`: a number of seconds, more than 0 and at most an hour.
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 3600.0) {
        return Err(format!(
            "{text} s is out of range: give more than 0 and at most 3600"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// Parses the command line. Query words that start with `-` (`-疫情`, an
/// exclusion) are moved behind a `--`, so that clap takes them as query
/// words rather than unknown flags, while real flags anywhere on the line
/// keep working.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Cli {
    Cli::parse_from(separate_query_words(args.into_iter().collect()))
}

fn separate_query_words(args: Vec<OsString>) -> Vec<OsString> {
    let command = Cli::command();
    let Some(pos) = args.iter().position(|a| a == "search" || a == "facets") else {
        return args;
    };
    if args[pos + 1..].iter().any(|a| a == "--") {
        return args;
    }
    let Some(sub) = command.find_subcommand(args[pos].to_string_lossy().as_ref()) else {
        return args;
    };
    // Flags of `search` (and global ones) and whether each takes a value.
    let takes_value = |flag: &str| -> Option<bool> {
        sub.get_arguments()
            .chain(command.get_arguments())
            .find(|a| {
                flag.strip_prefix("--")
                    .is_some_and(|l| a.get_long() == Some(l.split('=').next().unwrap_or(l)))
                    || (flag.len() == 2
                        && flag.strip_prefix('-').and_then(|s| s.chars().next()) == a.get_short())
            })
            .map(|a| a.get_action().takes_values() && !flag.contains('='))
            .or_else(|| matches!(flag, "--help" | "-h").then_some(false))
    };
    let mut flags = Vec::new();
    let mut words = Vec::new();
    let mut rest = args[pos + 1..].iter();
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy();
        match text.starts_with('-').then(|| takes_value(&text)).flatten() {
            Some(value) => {
                flags.push(arg.clone());
                if value && let Some(v) = rest.next() {
                    flags.push(v.clone());
                }
            }
            None if text.starts_with('-') && text.len() > 1 => words.push(arg.clone()),
            None => words.push(arg.clone()),
        }
    }
    let mut out: Vec<OsString> = args[..=pos].to_vec();
    out.extend(flags);
    if !words.is_empty() {
        out.push("--".into());
        out.extend(words);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn search_args(args: &[&str]) -> SearchArgs {
        let cli = parse(args.iter().map(OsString::from));
        let Command::Search(args) = cli.command else {
            panic!("not search")
        };
        args
    }

    #[test]
    fn query_words_and_exclusions_are_collected() {
        let args = search_args(&["zhsearch", "search", "党建", "-疫情", "-n", "4", "高明"]);
        assert_eq!(args.query, ["党建", "-疫情", "高明"]);
        assert_eq!(args.limit, 4);
        let args = search_args(&[
            "zhsearch",
            "--color=never",
            "search",
            "-疫情",
            "--json",
            "党建",
            "--index=x",
        ]);
        assert_eq!(args.query, ["-疫情", "党建"]);
        assert_eq!(args.output.format(), Format::Json);
        assert_eq!(args.location.index, PathBuf::from("x"));
        let args = search_args(&["zhsearch", "search", "--", "-n"]);
        assert_eq!(args.query, ["-n"]);
    }

    #[test]
    fn json_is_the_shorthand_of_format_json() {
        let format = |extra: &[&str]| {
            let mut args = vec!["zhsearch", "search", "党建"];
            args.extend(extra);
            search_args(&args).output.format()
        };
        assert_eq!(format(&[]), Format::Human);
        assert_eq!(format(&["--format", "human"]), Format::Human);
        assert_eq!(format(&["--format", "json"]), Format::Json);
        assert_eq!(format(&["--format=json", "-n", "2"]), Format::Json);
        assert_eq!(format(&["--json"]), Format::Json);
        let both = ["zhsearch", "show", "x", "--json", "--format", "human"];
        assert!(Cli::try_parse_from(both).is_err());
    }

    /// Every flag that takes a number, by subcommand.
    const NUMERIC: [(&str, &str); 21] = [
        ("index", "--threads"),
        ("index", "--memory"),
        ("index", "--commit-every"),
        ("search", "--limit"),
        ("search", "--offset"),
        ("search", "--snippet-chars"),
        ("bench", "--threads"),
        ("bench", "--scale"),
        ("bench", "--rounds"),
        ("eval", "--seed"),
        ("eval", "--per-kind"),
        ("eval", "--pasted"),
        ("eval", "--list"),
        ("serve", "--timeout"),
        ("serve", "--searches"),
        ("serve", "--queue"),
        ("serve", "--per-client"),
        ("serve", "--max-connections"),
        ("serve", "--header-timeout"),
        ("serve", "--idle-timeout"),
        ("serve", "--shutdown-timeout"),
    ];

    fn parse_error(args: &[&str]) -> clap::Error {
        let args = separate_query_words(args.iter().map(OsString::from).collect());
        Cli::try_parse_from(args).expect_err("a bad value")
    }

    #[test]
    fn every_numeric_flag_refuses_a_negative_number_with_its_range() {
        for (sub, flag) in NUMERIC {
            for value in ["-1", "-5", "x"] {
                let mut args = vec!["zhsearch", sub, flag, value];
                if sub == "search" {
                    args.push("党建");
                }
                let err = parse_error(&args);
                let message = err.to_string();
                assert_eq!(
                    err.kind(),
                    clap::error::ErrorKind::ValueValidation,
                    "{sub} {flag} {value}: {message}"
                );
                assert!(
                    message.contains("give ") || message.contains("not a number of seconds"),
                    "{sub} {flag} {value}: {message}"
                );
                assert!(!message.contains("-- "), "{sub} {flag}: {message}");
            }
        }
        let message = parse_error(&["zhsearch", "search", "-n", "-1", "党建"]).to_string();
        assert!(message.contains("from 0 to 10000"), "{message}");
    }

    #[test]
    fn the_list_of_numeric_flags_is_complete() {
        for sub in Cli::command().get_subcommands() {
            for arg in sub.get_arguments() {
                let Some(long) = arg.get_long() else { continue };
                // `--threads` and `eval --pasted` are the numeric flags
                // without a default.
                let numeric = ["threads", "pasted"].contains(&long)
                    || arg
                        .get_default_values()
                        .first()
                        .is_some_and(|v| v.to_string_lossy().parse::<f64>().is_ok());
                let listed = NUMERIC.contains(&(sub.get_name(), format!("--{long}").as_str()));
                assert_eq!(numeric, listed, "{} --{long}", sub.get_name());
            }
        }
    }
}
