//! Searching an index: query parsing, planning, collecting, snippets.
//! Returns data; never prints.
//!
//! ```no_run
//! use zhsearch::analysis::Analyzer;
//! use zhsearch::search::{Engine, Request};
//!
//! let engine = Engine::open("index".as_ref(), Analyzer::builtin())?;
//! let results = engine.search(&Request::new("高质量发展"))?;
//! for hit in &results.hits {
//!     println!("{} {}", hit.score, hit.title.text);
//! }
//! # Ok::<(), zhsearch::Error>(())
//! ```

pub mod bm25f;
pub mod cancel;
pub mod facets;
mod fold;
pub mod grams;
pub mod plan;
pub mod plus;
pub mod positions;
pub mod query;
pub mod snippet;
pub mod starting;
pub mod starts;
pub mod suggest;
pub mod synonyms;
pub mod thesaurus;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::Order;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{BooleanQuery, EnableScoring, ExistsQuery, Occur, Query, Scorer, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, IndexReader, Searcher, TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::deadline::{Cancelled, Deadline};
use crate::error::{Error, Result};
use crate::indexer::ZhIndex;
use crate::indexer::pages::{Pages, StoredPages};
use crate::record::Record;
use cancel::Cancellable;
pub use plus::Components;
pub use query::{Node, QueryError};
pub use snippet::Snippet;
use synonyms::Synonyms;

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 10_000;

/// For a body stored in pages, how many matches of each needle are located
/// to choose the pages to read.
const MATCHES_PER_NEEDLE: usize = 16;
/// For a body stored in pages, at most this many stretches of pages are read.
const MAX_EXCERPTS: usize = 4;

/// What one pass over the matches collects: the requested page of hits
/// (score and address), the number of matches, the facets' path counts.
type Collected = (
    Vec<(f32, DocAddress)>,
    usize,
    Option<Vec<facets::PathCounts>>,
    // With near-duplicates folded, the hits the matches fold into.
    Option<usize>,
);

/// An article's text as stored.
enum Body<'d> {
    /// Whole.
    Text(&'d str),
    /// In pages (a long article).
    Pages(StoredPages),
}

/// A search to run.
#[derive(Debug, Clone)]
pub struct Request {
    /// The query, in zhsearch's query language ([`query`]).
    pub query: String,
    /// How many hits to return.
    pub limit: usize,
    /// How many of the best hits to skip first.
    pub offset: usize,
    /// Length of snippets, in characters.
    pub snippet_chars: usize,
    /// Most passages in a snippet.
    pub snippet_fragments: usize,
    /// Whether to explain the query and the scores of the hits.
    pub explain: bool,
    /// Filters, as if written in the query.
    pub filters: Filters,
    /// The order of hits.
    pub sort: Sort,
    /// Whether to count facets of the matching articles.
    pub facets: bool,
    /// Whether facet counts are disjunctive: each facet counted without its
    /// own filter ([`facets`]' doc). Off by default (the CLI's counts).
    pub disjunctive: bool,
    /// When to give up: past it (or once it is cancelled) the search stops
    /// within milliseconds with [`Error::Cancelled`]. Never, by default.
    pub deadline: Deadline,
    /// How many of the query's words an article must have.
    pub matching: Matching,
    /// Whether to give each hit the [`Components`] of its score (explaining
    /// each hit's score: a little slower). `explain` gives them too.
    pub components: bool,
    /// Whether to fold near-duplicates ([`fold`]): one hit per cluster, its
    /// best, with the others as its [`Hit::similar`]; pages and ranks count
    /// clusters. On by default.
    pub collapse: bool,
}

/// How many of the query's words an article must have (`--match`). Only
/// the words of unquoted text can be missing: never a quoted phrase, a
/// `+word`, a side of `AND`, a field or a filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Matching {
    /// Every word.
    All,
    /// Every word; when fewer articles than the page asks for have them
    /// all, those with one word missing follow, then two… (as few words
    /// dropped as fill the page), those with more of the words first.
    #[default]
    Relaxed,
    /// Any of the words, those with more of them first.
    Any,
}

/// How a search did without some of its words ([`Matching`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Relaxed {
    /// The words that could be missing, in the query's order: those
    /// counted.
    pub words: Vec<String>,
    /// The words of a long text in more than a tenth of the articles,
    /// which score but are not counted (`plan::Planner::common_words`):
    /// none in a text of a headline's length.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub common: Vec<String>,
    /// How many articles have all the words, common ones too (`None` with
    /// `--match any`, which does not count them).
    pub with_all: Option<usize>,
    /// The fewest of the words counted a matching article has.
    pub min_words: usize,
}

/// Filters given apart from the query (command-line flags, API
/// parameters). They mean exactly what the same `field:value` filters mean
/// inside a query.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Regions, any level, full or short names (ORed).
    pub regions: Vec<String>,
    /// Topics (ORed).
    pub topics: Vec<String>,
    /// Earliest date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub since: Option<String>,
    /// Latest date, likewise.
    pub until: Option<String>,
}

impl Filters {
    /// The values of the repeatable filter `param` (the API parameter and
    /// the query field of a facet's [`crate::schema::FacetFilter::Param`]),
    /// or `None` when there is no such filter.
    pub fn values_mut(&mut self, param: &str) -> Option<&mut Vec<String>> {
        match param {
            "region" => Some(&mut self.regions),
            "topic" => Some(&mut self.topics),
            _ => None,
        }
    }

    /// The filters written as query syntax (`region:佛山 date:2023..`), or
    /// `None` without filters.
    pub fn as_query(&self) -> Option<String> {
        let quote = |v: &str| {
            if v.contains(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')') {
                format!("\"{}\"", v.replace('"', ""))
            } else {
                v.to_string()
            }
        };
        let group = |name: &str, values: &[String]| -> Option<String> {
            let parts: Vec<String> = values
                .iter()
                .map(|v| format!("{name}:{}", quote(v)))
                .collect();
            match parts.len() {
                0 => None,
                1 => parts.into_iter().next(),
                _ => Some(format!("({})", parts.join(" OR "))),
            }
        };
        let mut parts: Vec<String> = Vec::new();
        parts.extend(group("region", &self.regions));
        parts.extend(group("topic", &self.topics));
        if self.since.is_some() || self.until.is_some() {
            parts.push(format!(
                "date:{}..{}",
                self.since.as_deref().unwrap_or(""),
                self.until.as_deref().unwrap_or("")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The order of hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first (articles without a date last), then best match.
    Date,
    /// Oldest first (articles without a date last), then best match.
    Oldest,
}

impl Request {
    /// A request for the first ten hits of `query`.
    pub fn new(query: &str) -> Request {
        Request {
            query: query.to_string(),
            limit: 10,
            offset: 0,
            snippet_chars: 120,
            snippet_fragments: 2,
            explain: false,
            filters: Filters::default(),
            sort: Sort::Relevance,
            facets: false,
            disjunctive: false,
            deadline: Deadline::never(),
            matching: Matching::default(),
            components: false,
            collapse: true,
        }
    }

    /// Whether near-duplicates fold into one hit: [`Request::collapse`],
    /// with hits to show (a limit of 0 counts articles).
    pub fn folds(&self) -> bool {
        self.collapse && self.limit > 0
    }
}

/// One hit: an article's record (without its text) and what the search
/// found in it.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Rank, from 1.
    pub rank: usize,
    /// The article: id, path, title, source, URL, metadata (its body is left
    /// empty: the snippet is what a hit shows of it).
    #[serde(flatten)]
    pub record: Record,
    /// Title, with highlights.
    #[serde(rename = "title_highlighted")]
    pub title: Snippet,
    /// The score: tiers (words found, verbatim), boosts (words as whole
    /// words, near each other, in the title...) and BM25 added up. Only its order means something; [`Hit::components`] has the
    /// parts.
    pub score: f32,
    /// The best passages, with highlights.
    pub snippet: Snippet,
    /// The score explained, with `explain`.
    pub explanation: Option<String>,
    /// In a relaxed search ([`Results::relaxed`]), or one that shows
    /// titles rewording the query ([`Results::reworded`]), the query's words
    /// this article lacks; `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<String>>,
    /// The parts of the score, with `explain` or `components`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Components>,
    /// The ids of the other matching articles of its cluster of
    /// near-duplicates, folded under it ([`Request::collapse`]), in rank order.
    pub similar: Vec<String>,
}

/// The result of a search.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// Articles matching the query (near-duplicates folded or not).
    pub total: usize,
    /// With near-duplicates folded: the hits all the matching articles
    /// fold into, each cluster once (what ranks, offsets and pages count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hits_total: Option<usize>,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// How the query was understood (with `explain`).
    pub notes: Vec<String>,
    /// Facet counts of all matching articles (with `facets`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<facets::FacetCounts>,
    /// With a date filter: articles that would match but have no known
    /// date, and so were left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undated_excluded: Option<usize>,
    /// When articles lacking some of the words are shown ([`Matching`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<Relaxed>,
    /// The query's text, when this page shows articles whose title has it
    /// with one word swapped for a near-synonym or a cognate, lacking the
    /// word typed (a headline remembered in other words: they match beside
    /// those with every word, unless [`Matching::All`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reworded: Option<String>,
    /// Time spent searching.
    #[serde(skip)]
    pub elapsed: Duration,
}

/// An open index, ready to search. Cheap to share between threads.
pub struct Engine {
    zh: ZhIndex,
    reader: IndexReader,
    synonyms: Synonyms,
    /// Near-synonyms for relaxed matching: `None` for the built-in ones.
    thesaurus: Option<thesaurus::Thesaurus>,
    facet_cache: Arc<facets::FacetCache>,
    multi_clusters: Arc<fold::MultiClusters>,
}

impl Engine {
    /// Opens the index at `dir` for searching with `analyzer`.
    pub fn open(dir: &Path, analyzer: Arc<Analyzer>) -> Result<Engine> {
        let zh = ZhIndex::open(dir, analyzer)?;
        let reader = zh.reader()?;
        Ok(Engine {
            zh,
            reader,
            synonyms: Synonyms::default(),
            thesaurus: None,
            facet_cache: Arc::default(),
            multi_clusters: Arc::default(),
        })
    }

    /// The same engine, expanding query terms with `synonyms`.
    pub fn with_synonyms(mut self, synonyms: Synonyms) -> Engine {
        self.synonyms = synonyms;
        self
    }

    /// The same engine, finding near-synonyms in `thesaurus` instead of
    /// the built-in ones when words may be missing (an empty one: none).
    pub fn with_thesaurus(mut self, thesaurus: thesaurus::Thesaurus) -> Engine {
        self.thesaurus = Some(thesaurus);
        self
    }

    fn planner<'a>(
        &'a self,
        searcher: &'a Searcher,
        topics: &'a [String],
        request: &Request,
    ) -> plan::Planner<'a> {
        let planner = self.planner_strict(searcher, topics, request);
        match request.matching {
            Matching::All => planner,
            Matching::Relaxed => planner.with_rewordings(),
            Matching::Any => planner.with_rewordings().with_every_word_counted(),
        }
    }

    /// A planner for the request, never matching titles that reword the
    /// query ([`plan::Planner::with_rewordings`]).
    fn planner_strict<'a>(
        &'a self,
        searcher: &'a Searcher,
        topics: &'a [String],
        request: &Request,
    ) -> plan::Planner<'a> {
        let planner = plan::Planner::new(&self.zh.fields, &self.zh.analyzer, topics)
            .with_searcher(searcher)
            .with_synonyms(&self.synonyms)
            .with_deadline(&request.deadline)
            .with_typed(&request.query);
        match &self.thesaurus {
            Some(thesaurus) => planner.with_thesaurus(thesaurus),
            None => planner,
        }
    }

    /// The ids of the best `limit` matches of a query (with its filters), in
    /// rank order, without loading the documents: for checks and tools that
    /// need the whole result set, which is that of the articles with every
    /// word (never relaxed, whatever `request.matching` says).
    pub fn ranked_ids(&self, request: &Request, limit: usize) -> Result<Vec<String>> {
        let searcher = self.searcher();
        let (node, text) = Self::parse(request)?;
        let topics = self.topics(&searcher)?;
        let plan = self
            .planner_strict(&searcher, &topics, request)
            .plan(&node, &text)?;
        let top = searcher
            .search(
                &plan.query,
                &TopDocs::with_limit(limit.max(1)).order_by_score(),
            )
            .map_err(|e| self.tantivy(e))?;
        // Look the ids up per segment, in term order, which reads each block
        // of the id dictionary once instead of once per hit.
        let mut ids = vec![String::new(); top.len()];
        let mut by_segment: HashMap<u32, Vec<(u64, usize)>> = HashMap::new();
        let mut columns = HashMap::new();
        let f = &self.zh.fields;
        let id = f.schema.get_field_name(f.id);
        for segment_ord in 0..searcher.segment_readers().len() as u32 {
            let column = searcher
                .segment_reader(segment_ord)
                .fast_fields()
                .str(id)
                .map_err(|e| self.tantivy(e))?
                .ok_or_else(|| self.tantivy(tantivy::TantivyError::SchemaError(id.into())))?;
            columns.insert(segment_ord, column);
        }
        for (rank, (_, address)) in top.iter().enumerate() {
            if let Some(ord) = columns[&address.segment_ord]
                .term_ords(address.doc_id)
                .next()
            {
                by_segment
                    .entry(address.segment_ord)
                    .or_default()
                    .push((ord, rank));
            }
        }
        for (segment_ord, mut wanted) in by_segment {
            wanted.sort_unstable();
            let ords: Vec<u64> = wanted.iter().map(|w| w.0).collect();
            let mut unique = ords.clone();
            unique.dedup();
            let column = &columns[&segment_ord];
            let mut terms = Vec::with_capacity(unique.len());
            column
                .dictionary()
                .sorted_ords_to_term_cb(&unique, |bytes| {
                    terms.push(String::from_utf8_lossy(bytes).into_owned())
                })
                .map_err(|e| self.tantivy(e.into()))?;
            for (ord, rank) in wanted {
                if let Ok(i) = unique.binary_search(&ord)
                    && let Some(term) = terms.get(i)
                {
                    ids[rank].clone_from(term);
                }
            }
        }
        Ok(ids)
    }

    /// The index.
    pub fn index(&self) -> &ZhIndex {
        &self.zh
    }

    /// A searcher on the latest commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// tantivy's error, or [`Error::Cancelled`] for work stopped at its deadline.
    fn tantivy(&self, source: tantivy::TantivyError) -> Error {
        if cancel::is_cancelled(&source) {
            return Error::Cancelled(Cancelled);
        }
        self.zh.tantivy(source)
    }

    /// The topics articles in the index carry, and those of its taxonomy.
    fn topics(&self, searcher: &Searcher) -> Result<Vec<String>> {
        let mut topics = self.zh.settings.topics.clone();
        let in_index =
            facets::facets_in(searcher, self.zh.fields.topic).map_err(|e| self.tantivy(e))?;
        for facet in in_index {
            // The root facet's path is one empty name.
            if let Some(name) = facet.to_path().first()
                && !name.is_empty()
                && !topics.iter().any(|t| t == name)
            {
                topics.push(name.to_string());
            }
        }
        Ok(topics)
    }

    /// Parses a query and its filters into one tree.
    fn parse(request: &Request) -> Result<(Node, String)> {
        let node = query::parse(&request.query)?;
        match request.filters.as_query() {
            None => Ok((node, request.query.clone())),
            Some(filters) => {
                let filter_node = query::parse(&filters)?;
                Ok((Node::And(vec![node, filter_node]), filters))
            }
        }
    }

    /// Parses and plans a query, with its filters.
    pub fn plan(&self, request: &Request) -> Result<plan::Plan> {
        let (node, text) = Self::parse(request)?;
        let searcher = self.searcher();
        let topics = self.topics(&searcher)?;
        Ok(self
            .planner(&searcher, &topics, request)
            .plan(&node, &text)?)
    }

    /// Runs a search.
    pub fn search(&self, request: &Request) -> Result<Results> {
        let started = Instant::now();
        let searcher = self.searcher();
        let (node, text) = Self::parse(request)?;
        let topics = self.topics(&searcher)?;
        let (plan, (top, total, collected, hits_total), relaxed) =
            self.collect_matching(&searcher, &node, &text, &topics, request)?;
        let facets = match collected {
            Some(counts) => {
                let undated = self.count_undated(&searcher, plan.query.box_clone(), request)?;
                let mut facets = facets::counts(&counts, undated);
                if request.disjunctive {
                    let min_words = relaxed.as_ref().map(|r| r.min_words);
                    self.disjunctive(&searcher, &topics, request, &counts, min_words, &mut facets)?;
                }
                Some(facets)
            }
            None => None,
        };
        let undated_excluded = if plan.has_date_filter {
            let mut planner = self.planner(&searcher, &topics, request).without_dates();
            if let Some(r) = &relaxed {
                planner = planner.with_min_words(r.min_words);
            }
            let without = planner.plan(&node, &text)?;
            Some(self.count_undated(&searcher, without.query, request)?)
        } else {
            None
        };
        let (top, mut similar) = if request.folds() {
            let folded = self.fold(&searcher, plan.query.as_ref(), request, top, total)?;
            (folded.top, folded.similar)
        } else {
            let top: Vec<(f32, DocAddress)> =
                top.into_iter().take(request.limit.min(MAX_LIMIT)).collect();
            let none = vec![Vec::new(); top.len()];
            (top, none)
        };
        let mut missing = match relaxed.is_some() || plan.reworded.is_some() {
            true => self
                .missing(&searcher, &plan.loose, &top)?
                .into_iter()
                .map(Some)
                .collect(),
            false => vec![None; top.len()],
        };
        // Articles lacking a word while every word was required: matched
        // by a rewording of the query in their title. Without them on the
        // page, nothing is said.
        let reworded = plan
            .reworded
            .filter(|_| relaxed.is_none() && missing.iter().flatten().any(|m| !m.is_empty()));
        if relaxed.is_none() && reworded.is_none() {
            missing.iter_mut().for_each(|m| *m = None);
        }
        // The parts of the scores, without explaining them (an explanation
        // costs milliseconds a hit): read from the explanation with it.
        let mut components = match request.components && !request.explain {
            true => plus::components_of(plan.query.as_ref(), &searcher, &top, &request.deadline)
                .map_err(|e| self.tantivy(e))?
                .into_iter()
                .map(Some)
                .collect(),
            false => vec![None; top.len()],
        };
        let hits = top
            .into_iter()
            .enumerate()
            .map(|(i, (score, address))| -> Result<Hit> {
                request.deadline.check()?;
                let mut hit = self.hit(&searcher, address, score, &plan.needles, request)?;
                hit.rank = request.offset + i + 1;
                hit.missing = missing[i].take();
                hit.similar = std::mem::take(&mut similar[i]);
                hit.components = components[i].take();
                if request.explain {
                    let explained = plan.query.explain(&searcher, address);
                    let explained = explained.map_err(|e| self.tantivy(e))?.to_pretty_json();
                    let tree = serde_json::from_str(&explained).unwrap_or_default();
                    hit.components = Some(plus::components(&tree));
                    hit.explanation = Some(explained);
                }
                Ok(hit)
            })
            .collect::<Result<Vec<Hit>>>()?;
        Ok(Results {
            total,
            hits_total,
            hits,
            notes: plan.notes,
            facets,
            undated_excluded,
            relaxed,
            reworded,
            elapsed: started.elapsed(),
        })
    }

    /// Plans and collects a query with as many of its words required as
    /// the request's [`Matching`] allows: all of them first and, when that
    /// fills less than the page and fewer words would fill more, the most
    /// that fill it (with `any`, one word of them at once).
    fn collect_matching(
        &self,
        searcher: &Searcher,
        node: &Node,
        text: &str,
        topics: &[String],
        request: &Request,
    ) -> Result<(plan::Plan, Collected, Option<Relaxed>)> {
        let planner = || self.planner(searcher, topics, request);
        let mut words = match request.matching {
            Matching::All => Vec::new(),
            Matching::Relaxed | Matching::Any => planner().loose_words(node),
        };
        let common = planner().common_words(&words);
        words.retain(|w| !common.contains(w));
        let relaxed = |with_all, min_words| Relaxed {
            words: words.clone(),
            common: common.clone(),
            with_all,
            min_words,
        };
        if request.matching == Matching::Any && words.len() > 1 {
            let plan = planner().with_min_words(1).plan(node, text)?;
            let collected = self.collect(searcher, &plan.query, request)?;
            return Ok((plan, collected, Some(relaxed(None, 1))));
        }
        let plan = planner().plan(node, text)?;
        let collected = self.collect(searcher, &plan.query, request)?;
        // Pages count hits: with near-duplicates folded, fewer than the
        // articles.
        let hits = |c: &Collected| c.3.unwrap_or(c.1);
        let needed = request.offset + request.limit.max(1);
        let hits_with_all = hits(&collected);
        if request.matching != Matching::Relaxed || words.len() < 2 || hits_with_all >= needed {
            return Ok((plan, collected, None));
        }
        // The articles with every word, without those matched by a
        // rewording of the query in their title.
        let with_all = match plan.reworded {
            Some(_) => {
                let strict = self
                    .planner_strict(searcher, topics, request)
                    .plan(node, text)?;
                let count = Cancellable::new(Count, &request.deadline);
                searcher
                    .search(strict.query.as_ref(), &count)
                    .map_err(|e| self.tantivy(e))?
            }
            None => collected.1,
        };
        let plan_with = |k: usize| planner().with_min_words(k).plan(node, text);
        let search = |k: usize| -> Result<(plan::Plan, Collected)> {
            let loose = plan_with(k)?;
            let more = self.collect(searcher, &loose.query, request)?;
            Ok((loose, more))
        };
        // The most words that still fill the page: one word fewer first, as
        // most searches need.
        let most = words.len() - 1;
        let (loose, more) = search(most)?;
        if hits(&more) >= needed {
            return Ok((loose, more, Some(relaxed(Some(with_all), most))));
        }
        // Then by halves, counting only: from two words down, fewer words
        // required never match fewer articles (near-synonyms in a title
        // count as words found), so a text pasted whole, of a hundred
        // words, takes a few counts, not a hundred searches. One word is
        // tried last, on its own: alone, it must be a word as typed, so it
        // can match fewer articles than two.
        let count = |k: usize| -> Result<usize> {
            self.count_hits(searcher, plan_with(k)?.query.as_ref(), request)
        };
        let (mut low, mut high) = (2, most - 1);
        let mut best = None;
        while low <= high {
            let mid = low + (high - low) / 2;
            if count(mid)? >= needed {
                best = Some(mid);
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        let k = match best {
            Some(k) => k,
            None => {
                // With two words, the search just made.
                let with_one = match most {
                    1 => hits(&more),
                    _ => count(1)?,
                };
                // Even one word fills less than the page: relaxed all the
                // same when it finds more than every word did.
                match with_one >= needed || with_one > hits_with_all {
                    true => 1,
                    false => return Ok((plan, collected, None)),
                }
            }
        };
        let (loose, more) = match k == most {
            true => (loose, more),
            false => search(k)?,
        };
        Ok((loose, more, Some(relaxed(Some(with_all), k))))
    }

    /// For each hit, the `loose` words (each with its query) it lacks.
    fn missing(
        &self,
        searcher: &Searcher,
        loose: &[(String, Box<dyn Query>)],
        hits: &[(f32, DocAddress)],
    ) -> Result<Vec<Vec<String>>> {
        let mut missing = vec![Vec::new(); hits.len()];
        let mut order: Vec<usize> = (0..hits.len()).collect();
        order.sort_by_key(|&i| (hits[i].1.segment_ord, hits[i].1.doc_id));
        for (word, query) in loose {
            let weight = query
                .weight(EnableScoring::disabled_from_searcher(searcher))
                .map_err(|e| self.tantivy(e))?;
            // One scorer per segment, sought through its hits in order.
            let mut scorer: Option<(u32, Box<dyn Scorer>)> = None;
            for &i in &order {
                let address = hits[i].1;
                let current = match &mut scorer {
                    Some((segment, s)) if *segment == address.segment_ord => s,
                    _ => {
                        let reader = searcher.segment_reader(address.segment_ord);
                        let s = weight.scorer(reader, 1.0).map_err(|e| self.tantivy(e))?;
                        &mut scorer.insert((address.segment_ord, s)).1
                    }
                };
                let doc = address.doc_id;
                let has = current.doc() == doc || (current.doc() < doc && current.seek(doc) == doc);
                if !has {
                    missing[i].push(word.clone());
                }
            }
        }
        Ok(missing)
    }

    /// The requested page of the best matches of `query` (in the request's
    /// order, with their scores), how many match, and the facet counts
    /// when asked for, all in one pass.
    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &Request,
    ) -> Result<Collected> {
        // A limit of 0 counts without showing (tantivy wants at least 1).
        let limit = request.limit.clamp(1, MAX_LIMIT);
        // Folding takes more candidates, from the first ([`fold`]).
        let top = if request.folds() {
            TopDocs::with_limit(fold::window(request.offset + limit))
        } else {
            TopDocs::with_limit(limit).and_offset(request.offset)
        };
        let facets = request.facets.then(|| {
            self.facet_cache.retain(searcher);
            facets::FacetCollector::new(&self.facet_cache)
        });
        match request.sort {
            Sort::Relevance => self.collect_top(
                searcher,
                query,
                request,
                top.order_by_score(),
                facets,
                |s| s,
            ),
            Sort::Date | Sort::Oldest => {
                let f = &self.zh.fields;
                let date = f.schema.get_field_name(f.date);
                // Either way, articles without a date come last (tantivy's
                // ascending order puts a missing value after every other).
                let order = match request.sort {
                    Sort::Oldest => Order::Asc,
                    _ => Order::Desc,
                };
                let by_date = top.order_by((
                    (SortByStaticFastValue::<i64>::for_field(date), order),
                    (SortBySimilarityScore, Order::Desc),
                ));
                self.collect_top(searcher, query, request, by_date, facets, |(_, score)| {
                    score
                })
            }
        }
    }

    /// [`Engine::collect`] with the top collector `top`, whose sort keys
    /// `score` turns back into scores, until the request's deadline.
    fn collect_top<K, C>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &Request,
        top: C,
        facets: Option<facets::FacetCollector>,
        score: fn(K) -> f32,
    ) -> Result<Collected>
    where
        C: Collector<Fruit = Vec<(K, DocAddress)>>,
    {
        // Folding counts the hits.
        let clusters = self.cluster_sizes(searcher, request)?;
        let all = Cancellable::new((top, Count, facets, clusters), &request.deadline);
        let (top, total, counts, sizes) =
            searcher.search(query, &all).map_err(|e| self.tantivy(e))?;
        let top = top.into_iter().map(|(k, a)| (score(k), a)).collect();
        let hits_total = request
            .folds()
            .then(|| fold::ClusterSizes::hits(total, sizes.as_ref()));
        Ok((top, total, counts, hits_total))
    }

    /// How many hits `query` has, as [`Engine::collect`] counts them (with
    /// near-duplicates folded, those they fold into), without scoring or
    /// ranking anything.
    fn count_hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &Request,
    ) -> Result<usize> {
        let clusters = self.cluster_sizes(searcher, request)?;
        let all = Cancellable::new((Count, clusters), &request.deadline);
        let (total, sizes) = searcher.search(query, &all).map_err(|e| self.tantivy(e))?;
        Ok(fold::ClusterSizes::hits(total, sizes.as_ref()))
    }

    /// How many matches of `query` have no known date.
    fn count_undated(
        &self,
        searcher: &Searcher,
        query: Box<dyn Query>,
        request: &Request,
    ) -> Result<usize> {
        let f = &self.zh.fields;
        let date = f.schema.get_field_name(f.date).to_string();
        let undated = BooleanQuery::new(vec![
            (Occur::Must, query),
            (
                Occur::MustNot,
                Box::new(ExistsQuery::new(date, false)) as Box<dyn Query>,
            ),
        ]);
        let count = Cancellable::new(Count, &request.deadline);
        searcher
            .search(&undated, &count)
            .map_err(|e| self.tantivy(e))
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        needles: &[String],
        request: &Request,
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.tantivy(e))?;
        let (chars, fragments) = (request.snippet_chars, request.snippet_fragments);
        let snippet = match self.body(searcher, address, &doc)? {
            Body::Text(text) => snippet::Matches::find(text, needles).snippet(chars, fragments),
            Body::Pages(stored) => {
                let deadline = &request.deadline;
                let ranges =
                    self.pages_to_read(searcher, address, &stored.pages, needles, deadline)?;
                let texts = ranges
                    .iter()
                    .map(|r| {
                        deadline.check()?;
                        stored.text(r.clone()).map_err(|m| self.corrupt(m))
                    })
                    .collect::<Result<Vec<String>>>()?;
                let excerpts: Vec<snippet::Excerpt> = ranges
                    .iter()
                    .zip(&texts)
                    .map(|(r, text)| snippet::Excerpt {
                        text,
                        starts_text: r.start == 0,
                        ends_text: r.end == stored.pages.len(),
                    })
                    .collect();
                snippet::Matches::find_in(&excerpts, needles).snippet(chars, fragments)
            }
        };
        let record = Record::from_document(&doc, &self.zh.fields);
        Ok(Hit {
            rank: 0,
            title: snippet::highlight_all(&record.title, needles),
            record,
            score,
            snippet,
            explanation: None,
            missing: None,
            components: None,
            similar: Vec::new(),
        })
    }

    /// Which pages of a long body to read for a snippet: around the first
    /// matches of each needle, found by their positions in the index, the
    /// page of a match and the next (a match may end there), for as many
    /// needles as possible in at most [`MAX_EXCERPTS`] stretches; the first
    /// page when the body has no match (the query matched the title).
    fn pages_to_read(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        pages: &Pages,
        needles: &[String],
        deadline: &Deadline,
    ) -> Result<Vec<Range<usize>>> {
        let segment = searcher.segment_reader(address.segment_ord);
        let mut pages_of: Vec<BTreeSet<usize>> = Vec::new();
        for needle in needles {
            deadline.check()?;
            let found = positions::find(
                segment,
                self.zh.fields.body_grams,
                address.doc_id,
                needle,
                MATCHES_PER_NEEDLE,
            )
            .map_err(|e| self.tantivy(e))?;
            pages_of.push(found.into_iter().map(|p| pages.page_of(p)).collect());
        }
        // A stretch starting at `page` covers the needles matching in it or the next.
        let needles_at = |page: usize| -> Vec<usize> {
            (0..pages_of.len())
                .filter(|&n| pages_of[n].contains(&page) || pages_of[n].contains(&(page + 1)))
                .collect()
        };
        let candidates: BTreeSet<usize> = pages_of.iter().flatten().copied().collect();
        let mut covered = vec![false; needles.len()];
        let mut starts: Vec<usize> = Vec::new();
        while starts.len() < MAX_EXCERPTS {
            let best = candidates
                .iter()
                .filter(|page| !starts.contains(page))
                .map(|&page| {
                    let found = needles_at(page);
                    let fresh = found.iter().filter(|&&n| !covered[n]).count();
                    ((fresh, found.len(), std::cmp::Reverse(page)), page, found)
                })
                .max_by_key(|c| c.0);
            match best {
                Some(((fresh, _, _), page, found)) if fresh > 0 || starts.is_empty() => {
                    found.iter().for_each(|&n| covered[n] = true);
                    starts.push(page);
                }
                _ => break,
            }
        }
        if starts.is_empty() {
            let first = std::iter::once(0..1).filter(|_| !pages.is_empty());
            return Ok(first.collect());
        }
        starts.sort_unstable();
        let mut ranges: Vec<Range<usize>> = Vec::new();
        for start in starts {
            let end = (start + 2).min(pages.len());
            match ranges.last_mut() {
                Some(last) if last.end >= start => last.end = last.end.max(end),
                _ => ranges.push(start..end),
            }
        }
        Ok(ranges)
    }

    /// A stored body, whole or in pages.
    fn body<'d>(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        doc: &'d TantivyDocument,
    ) -> Result<Body<'d>> {
        let f = &self.zh.fields;
        if let Some(text) = doc.get_first(f.body_text).and_then(|v| v.as_str()) {
            return Ok(Body::Text(text));
        }
        let segment = searcher.segment_reader(address.segment_ord);
        let name = f.schema.get_field_name(f.body_pages);
        match StoredPages::open(segment, name, address.doc_id) {
            Ok(Some(stored)) => Ok(Body::Pages(stored)),
            Ok(None) => Ok(Body::Text("")),
            Err(m) => Err(self.corrupt(m)),
        }
    }

    fn corrupt(&self, message: String) -> Error {
        Error::IndexCorrupt {
            path: self.zh.dir.clone(),
            message,
        }
    }

    fn stored(&self, searcher: &Searcher, address: DocAddress) -> Result<Record> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.tantivy(e))?;
        let body = match self.body(searcher, address, &doc)? {
            Body::Text(text) => text.to_string(),
            Body::Pages(stored) => stored.whole().map_err(|m| self.corrupt(m))?,
        };
        Ok(Record {
            body,
            ..Record::from_document(&doc, &self.zh.fields)
        })
    }

    /// The stored document with this id.
    pub fn document(&self, id: &str) -> Result<Option<Record>> {
        let searcher = self.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.zh.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(
                &query as &dyn Query,
                &TopDocs::with_limit(1).order_by_score(),
            )
            .map_err(|e| self.tantivy(e))?;
        match top.first() {
            Some(&(_, address)) => Ok(Some(self.stored(&searcher, address)?)),
            None => Ok(None),
        }
    }

    /// Number of documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }
}
