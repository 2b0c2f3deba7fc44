//! Turning a parsed query into a tantivy query.
//!
//! tantivy's own query parser would turn unspaced Chinese into one phrase
//! over all its words (tantivy #718), so zhsearch builds queries itself:
//!
//! * **Text** (`党建引领高质量发展`): segmented into words; *every* word must
//!   occur, anywhere. Each word matches as a word (title or body, the title
//!   weighing more) **or** as a string of characters in the n-gram fields, so
//!   a word that jieba cut differently in the article is still found. The
//!   whole text, found verbatim, adds to the score, so articles that contain
//!   the query as written rank first.
//! * **Phrase** (`"基层党建"`): the characters, in order, in the n-gram fields
//!   (exact, punctuation and spaces ignored); the words as a phrase add to
//!   the score.
//! * **Not**, **Or**, **And**: boolean clauses; filters score nothing.
//! * **Relaxed** ([`Planner::with_min_words`]): the words of the unquoted
//!   text at the top of the query (not `+word`, `AND`, phrases, fields or
//!   filters) need not all occur: an article needs `k` of them, and each it
//!   has adds [`FOUND_TIER`], so that articles with more of them rank first.
//!   A word's near-synonym ([`Thesaurus`]) as a word in the title counts as
//!   the word found (会见 for 会晤: a headline paraphrased), and so does a
//!   cognate in the word's place in a title with the text (我国 for 中国).
//! * **Reworded** ([`Planner::with_rewordings`]): a text of three words or
//!   more, typed together or as pieces set apart by spaces
//!   ([`Planner::spaced_run`]), beside filters only, also
//!   matches the titles that have it (together) with one word swapped for a
//!   near-synonym, even where articles have every word (`李强会晤南非总统`
//!   and `李强 会晤 南非 总统` find 李强会见南非总统), or for a
//!   cognate: two characters sharing the first or the last in its place
//!   (`中国可再生能源装机` finds 我国可再生能源装机…; [`Planner::cognates`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Bound;
use std::sync::LazyLock;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::bm25f::Bm25f;
use super::grams::{Gram, cognate_terms, gram_terms, grams, term};
use super::plus::{Part, Plus};
use super::query::{Node, QueryError, QueryField};
use super::starts::StartsWith;
use super::synonyms::Synonyms;
use super::thesaurus::Thesaurus;
use crate::analysis::{Analyzer, BREAK, KeyChar, KeyMap, Word, search_key};
use crate::date::{DateBound, parse_bound};
use crate::deadline::Deadline;
use crate::extract::region::Gazetteer;
use crate::schema::{Fields, day_number};

/// Weight of a phrase found in the title, relative to the body (a query
/// word that jieba cuts in several words, as a phrase per field).
const TITLE_WEIGHT: f32 = 2.0;
/// How many occurrences in the body one occurrence of a word in the
/// title counts as, when the word's BM25 is taken over title and body as
/// one text ([`Bm25f`]).
const TITLE_TF_WEIGHT: f32 = 3.0;
/// Weight of that BM25F: twice BM25, about the range of the sum it
/// replaced (the title's BM25 twice and the body's), so that what is sized
/// on BM25's differences ([`NEAR_BONUS`], [`KEYWORD_TITLE_BOOST`]) weighs
/// as much against it.
const BM25F_WEIGHT: f32 = 2.0;
/// Weight of a word found only as characters (not as a jieba word).
const GRAM_WEIGHT: f32 = 0.3;
/// Weight of a near-synonym of a query word found as a word in a title,
/// relative to the word itself ([`Thesaurus`]).
const RELATED_WEIGHT: f32 = 0.5;
/// The largest group of near-synonyms ([`Thesaurus`]) whose words count
/// as a word found in a title: larger groups mix senses (重要 with 第一 and
/// 根本). A rewording, which needs the rest of the title as typed, takes
/// the words of any group.
const RELATED_GROUP_WORDS: usize = 12;
/// The unit of the tiers: far above any BM25 score, so that tiers order
/// results and BM25 orders them within a tier. The boosts inside a tier
/// are fractions of it.
pub const TIER: f32 = 1000.0;
/// Score added, when words may be dropped, for each query word an article
/// has (its characters verbatim, as a word or across words, or a
/// near-synonym in its title): above every other tier, so that articles
/// with more of the words rank first.
pub const FOUND_TIER: f32 = 100_000.0;
/// Score added to articles with the query's whole text verbatim (several
/// words, in the order typed): above the sum of the boosts of any query
/// short of a list of places and years, so that they rank first among
/// articles with the same words found.
pub const VERBATIM_TIER: f32 = 10.0 * TIER;
/// Score added, when words may be missing, to articles whose title has the
/// query's text with one word swapped for a near-synonym or a cognate (a
/// headline remembered in other words: [`Planner::reworded`]): half the verbatim
/// tier, so that they rank just below the articles with the text itself,
/// above those with its words scattered.
pub const REWORDED_TIER: f32 = VERBATIM_TIER / 2.0;
/// Score shared by the pieces of several words of a query set apart
/// ([`Planner::spaced_run`]) found verbatim each: half the reworded tier,
/// so that a compound typed as one piece (新能源汽车) ranks above its words
/// apart, but below the rewording of the whole.
pub const PIECE_BOOST: f32 = REWORDED_TIER / 2.0;
/// The fewest words a text needs for its rewordings to be
/// looked for: two words and a near-synonym say too little to be sure the
/// title says the same thing (`李强会见` for `李强会晤`).
const REWORDED_MIN_WORDS: usize = 3;
/// The most words a text has (each time it has one) for its
/// rewordings to be looked for: about a headline (each rewording is a
/// phrase query as long as it).
const REWORDED_MAX_WORDS: usize = 12;
/// A word that more than this share of the articles have is common: in a
/// text longer than a headline (a passage pasted whole), it does not count
/// among the words an article must have some of when words may be missing
/// ([`Planner::common_words`]). It still scores.
const COMMON_SHARE: f64 = 0.1;
/// The most rewordings by near-synonyms tried, the words taking turns: a
/// word of large groups may have a hundred near-synonyms, and a text a
/// dozen words. Those that no title can have are tried but not looked for
/// ([`Planner::some_title_may_have`]). Cognates add two at most per word
/// ([`Planner::cognates`]).
const REWORDED_MAX_SWAPS: usize = 128;
/// Score shared by the query's words found as whole jieba words, rather
/// than only as characters across words: a bonus inside the tier of the
/// words found, since how jieba happened to cut an article is no reason to
/// rank it a tier lower.
pub const WORD_BONUS: f32 = TIER / 5.0;
/// Score shared by the pairs of consecutive query words found near each
/// other ([`near`]): of the size of BM25's differences, not of a boost, so
/// that it weighs like another term's score.
pub const NEAR_BONUS: f32 = TIER / 50.0;
/// How far apart two consecutive query words may be, in characters beyond
/// adjacent, to count as near each other: about a clause.
const NEAR_SLOP: u32 = 8;
/// The pairs looked for, at most (the first ones): a pasted sentence of a
/// hundred words would otherwise add two phrase queries per pair.
const MAX_NEAR_PAIRS: usize = 8;
/// Score added to articles dated in a year that the query names as a word
/// (`疫情防控 2022`): half a tier, so that among articles with the same
/// words found, those of that year come first, above any BM25 difference,
/// but an article with one more word found still ranks higher.
pub const YEAR_BOOST: f32 = TIER / 2.0;
/// Score added to articles whose region is (or lies within) a place the
/// query names (`乡村振兴 浙江`): half a tier, like [`YEAR_BOOST`].
pub const REGION_BOOST: f32 = TIER / 2.0;
/// Score shared by the words of a text typed together (several words, no
/// space: a headline half remembered) found in the title: an article with
/// all of them there gets this much, half a tier, so that within the same
/// words found, titles that hold them rank first.
pub const TITLE_BOOST: f32 = TIER / 2.0;
/// Score shared, likewise, by the words typed one by one (keywords set
/// apart, `育秧 插秧 早稻`) found in the title: of the size of BM25's
/// differences, not of a boost. Keywords may come from anywhere in an
/// article, and a story that keeps returning to them in its body is as
/// likely the one looked for as a story naming one of them in its title;
/// the title already counts in their BM25 ([`TITLE_TF_WEIGHT`]). At half
/// a tier, it cost such queries a tenth of their MRR@10 (BENCHMARKS.md).
pub const KEYWORD_TITLE_BOOST: f32 = TIER / 100.0;
/// Score added to articles whose title begins with the query's text (a
/// headline typed from its start): half a tier, on top of the title's.
pub const TITLE_START_BOOST: f32 = TIER / 2.0;

/// Where text is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Title and body.
    All,
    /// The title only (`title:`).
    Title,
}

/// A tantivy query with what is needed to highlight and explain it.
pub struct Plan {
    /// The query.
    pub query: Box<dyn Query>,
    /// Whether the query filters by date.
    pub has_date_filter: bool,
    /// Searchable forms of the words and phrases to highlight.
    pub needles: Vec<String>,
    /// How the query was understood, one line per part, for `--explain`.
    pub notes: Vec<String>,
    /// With relaxed matching, each word that may be missing and its query
    /// (to tell which words an article has).
    pub loose: Vec<(String, Box<dyn Query>)>,
    /// The text typed, when articles whose title has it with one word
    /// swapped for a near-synonym or a cognate match too
    /// ([`Planner::reworded`]).
    pub reworded: Option<String>,
    /// The text whose rewordings are to be looked for where it is planned
    /// ([`Planner::rewording`]).
    rewording: Option<String>,
    /// For each word of the reworded text, the titles that have the text
    /// with that word swapped for a near-synonym ([`Planner::reworded`]):
    /// when words may be missing, the word counts as found there.
    swapped: Vec<(String, Box<dyn Query>)>,
    /// The words set apart, joined, when they rank as a text verbatim
    /// ([`Planner::spaced_run`]).
    spaced: Option<String>,
    /// What each piece of several words found verbatim adds, then: its
    /// share of [`PIECE_BOOST`].
    piece_share: f32,
    /// What each word or phrase of the query adds when found in a title,
    /// and as whole words.
    shares: Shares,
    /// The words typed on their own, set apart from the rest of the query
    /// (keywords): in a title, each adds its share of
    /// [`KEYWORD_TITLE_BOOST`], and its share of [`TITLE_BOOST`] only with
    /// every word of the query there ([`Planner::title_has_every_word`]).
    keywords: Vec<String>,
    /// Each year of the query (`2022`, `2022年`) and its query as written,
    /// without its year's articles: when words may be missing, a year's
    /// articles alone never make a match ([`Planner::loose`]).
    written: Vec<(String, Box<dyn Query>)>,
}

impl Plan {
    /// A plan with nothing in it yet, sharing boosts as `shares`.
    fn empty(shares: Shares) -> Plan {
        Plan {
            query: Box::new(EmptyQuery),
            has_date_filter: false,
            needles: Vec::new(),
            notes: Vec::new(),
            loose: Vec::new(),
            reworded: None,
            rewording: None,
            swapped: Vec::new(),
            spaced: None,
            piece_share: 0.0,
            shares,
            keywords: Vec::new(),
            written: Vec::new(),
        }
    }
}

/// The boosts shared by the words and phrases of a query, wherever they
/// are in it, so that however many it has, they add up to the whole boost.
#[derive(Debug, Clone, Copy)]
struct Shares {
    /// [`TITLE_BOOST`] per word.
    title: f32,
    /// [`KEYWORD_TITLE_BOOST`] per word.
    keyword_title: f32,
    /// [`WORD_BONUS`] per word or phrase.
    word: f32,
}

impl Shares {
    fn of(units: usize) -> Shares {
        let n = units.max(1) as f32;
        Shares {
            title: TITLE_BOOST / n,
            keyword_title: KEYWORD_TITLE_BOOST / n,
            word: WORD_BONUS / n,
        }
    }
}

/// `text` with `word` (one of its words) replaced by `other`.
fn swapped(text: &str, word: &Word, other: &str) -> String {
    format!("{}{other}{}", &text[..word.start], &text[word.end..])
}

/// The parts of unquoted text: each word's query (found as a word or as
/// characters), and what adds to the score without being required: the
/// whole text found verbatim, the article dated in a year it names.
struct TextParts {
    words: Vec<(String, Box<dyn Query>)>,
    /// Whether the whole text verbatim ranks first (several words, or one
    /// that the text repeats or breaks).
    ranks_verbatim: bool,
    bonus: Vec<Box<dyn Query>>,
}

/// Builds tantivy queries for one index.
pub struct Planner<'a> {
    fields: &'a Fields,
    analyzer: &'a Analyzer,
    topics: &'a [String],
    synonyms: &'a Synonyms,
    /// Near-synonyms for relaxed matching: `None` for the built-in ones.
    thesaurus: Option<&'a Thesaurus>,
    ignore_dates: bool,
    deadline: Deadline,
    min_words: Option<usize>,
    typed: Option<String>,
    /// Whether titles that reword the query match ([`Planner::reworded`]).
    rewordings: bool,
    /// The index searched, when known: a rewording whose text has a pair
    /// of characters that no title has is not looked for
    /// ([`Planner::some_title_may_have`]).
    searcher: Option<&'a Searcher>,
    /// Whether some title has each pair of characters looked up so far.
    title_pairs: RefCell<HashMap<String, bool>>,
    /// Whether a long text's common words count too
    /// ([`Planner::common_words`]).
    every_word_counted: bool,
}

impl<'a> Planner<'a> {
    /// A planner for an index with `fields`, analysing with `analyzer`,
    /// whose articles carry `topics`.
    pub fn new(fields: &'a Fields, analyzer: &'a Analyzer, topics: &'a [String]) -> Self {
        static NONE: std::sync::LazyLock<Synonyms> = std::sync::LazyLock::new(Synonyms::default);
        Planner {
            fields,
            analyzer,
            topics,
            synonyms: &NONE,
            thesaurus: None,
            ignore_dates: false,
            deadline: Deadline::never(),
            min_words: None,
            typed: None,
            rewordings: false,
            searcher: None,
            title_pairs: RefCell::default(),
            every_word_counted: false,
        }
    }

    /// The same planner, expanding query terms with `synonyms`.
    pub fn with_synonyms(mut self, synonyms: &'a Synonyms) -> Self {
        self.synonyms = synonyms;
        self
    }

    /// The same planner, finding near-synonyms in `thesaurus` (instead of
    /// [`Thesaurus::builtin`]) when words may be missing.
    pub fn with_thesaurus(mut self, thesaurus: &'a Thesaurus) -> Self {
        self.thesaurus = Some(thesaurus);
        self
    }

    /// The same planner, building queries that stop once `deadline` passes.
    pub fn with_deadline(mut self, deadline: &Deadline) -> Self {
        self.deadline = deadline.clone();
        self
    }

    /// The same planner, knowing the query as the user typed it (without
    /// the filters given beside it), to rank a run of quoted and unquoted
    /// text typed together (`“十五五”开局`) as the text it is.
    pub fn with_typed(mut self, query: &str) -> Self {
        self.typed = Some(query.to_string());
        self
    }

    /// The same planner, also matching the articles whose title has the
    /// query's text with one word swapped for a near-synonym
    /// ([`Planner::reworded`]): when words may be missing.
    pub fn with_rewordings(mut self) -> Self {
        self.rewordings = true;
        self
    }

    /// The same planner, planning for `searcher`'s index: rewordings that
    /// no title can have are left out ([`Planner::some_title_may_have`]).
    pub fn with_searcher(mut self, searcher: &'a Searcher) -> Self {
        self.searcher = Some(searcher);
        self
    }

    /// The same planner, counting a long text's common words as the others
    /// ([`Planner::common_words`]): `--match any` matches any of the words.
    pub fn with_every_word_counted(mut self) -> Self {
        self.every_word_counted = true;
        self
    }

    /// The same planner, leaving date filters out (to count what they exclude).
    pub fn without_dates(mut self) -> Self {
        self.ignore_dates = true;
        self
    }

    /// The same planner, requiring only `k` of the [`Planner::loose_words`]
    /// of a query (at least one), each found adding [`FOUND_TIER`].
    pub fn with_min_words(mut self, k: usize) -> Self {
        self.min_words = Some(k.max(1));
        self
    }

    /// The words relaxed matching may do without: those of the unquoted
    /// text at the top of the query, each once, in order. Not a phrase, a
    /// `+word` or a side of `AND`, nor anything inside OR, NOT or a field.
    pub fn loose_words(&self, node: &Node) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for text in top_texts(node) {
            for word in self.words(text) {
                if !words.contains(&word) {
                    words.push(word);
                }
            }
        }
        words
    }

    /// Of the [`Planner::loose_words`], `words`, those not counted when
    /// words may be missing: in a text of more than [`REWORDED_MAX_WORDS`]
    /// words, those in the bodies of more than [`COMMON_SHARE`] of the
    /// articles (的, 在, 发展), unless they are most of the text's words
    /// that the index has (a small index, where each word is in many
    /// articles; a passage whose other words no article has). They still
    /// score, but the articles are chosen by how many of the others they
    /// have, as the most frequent words are the first dropped in
    /// Meilisearch's `frequency` strategy: otherwise the long articles that
    /// have the most of a passage's common words come right after the
    /// passage's own. None without a searcher, or with `--match any`
    /// ([`Planner::with_every_word_counted`]).
    pub fn common_words(&self, words: &[String]) -> Vec<String> {
        let searcher = self
            .searcher
            .filter(|_| words.len() > REWORDED_MAX_WORDS && !self.every_word_counted);
        let Some(searcher) = searcher else {
            return Vec::new();
        };
        let articles = searcher.num_docs() as f64;
        let mut known = 0;
        let mut common = Vec::new();
        for word in words {
            let term = Term::from_field_text(self.fields.body, word);
            let df = searcher.doc_freq(&term).unwrap_or(0) as f64;
            known += usize::from(df > 0.0);
            if df > articles * COMMON_SHARE {
                common.push(word.clone());
            }
        }
        match common.len() * 2 > known {
            true => Vec::new(),
            false => common,
        }
    }

    /// How many words (of unquoted text) and phrases a query has, anywhere
    /// in it: what shares the boosts.
    fn units(&self, node: &Node) -> usize {
        match node {
            Node::Text(text) => self.words(text).len(),
            Node::Phrase(_) => 1,
            Node::Required(inner) | Node::Not(inner) => self.units(inner),
            Node::And(children) | Node::Or(children) => {
                children.iter().map(|c| self.units(c)).sum()
            }
            Node::Field {
                name: QueryField::Title,
                value,
                quoted,
            } => match quoted {
                true => 1,
                false => self.words(value).len(),
            },
            Node::Field { .. } | Node::All => 0,
        }
    }

    /// Plans a parsed query. `query` is the original text, for errors.
    pub fn plan(&self, node: &Node, query: &str) -> Result<Plan, QueryError> {
        let mut plan = Plan::empty(Shares::of(self.units(node)));
        // The unquoted texts at the top, each with its words (segmented
        // once): the pieces of the query.
        let pieces: Vec<(&str, Vec<String>)> = top_texts(node)
            .into_iter()
            .map(|t| (t, self.words(t)))
            .filter(|(_, words)| !words.is_empty())
            .collect();
        let words: Vec<&String> = pieces.iter().flat_map(|(_, words)| words).collect();
        // Past a headline's length, pieces are not a list of keywords
        // ([`Planner::title_has_every_word`]); nor is a year, which is a
        // preference for the articles of that year, seldom in a title.
        if words.len() <= REWORDED_MAX_WORDS {
            for (_, piece) in &pieces {
                if let [word] = &piece[..]
                    && year_of(word).is_none()
                {
                    plan.keywords.push(word.clone());
                }
            }
        }
        if let Some((joined, long)) = self.spaced_run(node, &pieces) {
            plan.spaced = Some(joined);
            plan.piece_share = PIECE_BOOST / long.max(1) as f32;
        }
        // Taken up (or dropped) where the text is planned.
        plan.rewording = self.rewording(node, &plan, &pieces);
        let loose_words = match self.min_words {
            Some(_) => self.loose_words(node),
            None => Vec::new(),
        };
        let common = self.common_words(&loose_words);
        let built = match self.min_words {
            Some(k) if loose_words.len() - common.len() > 1 => {
                self.loose(node, k, &loose_words, &common, query, &mut plan)?
            }
            _ => self.node(node, query, &mut plan, false)?,
        };
        let spaced = plan.spaced.clone();
        if let Some(joined) = &spaced {
            plan.notes.push(format!(
                "{joined:?}: the words set apart, found together as typed; articles with them \
                 so rank first, those whose title begins with them above them"
            ));
        }
        let typed = self.typed_run();
        if let Some(run) = typed {
            plan.notes.push(format!(
                "{run:?}: quoted and unquoted text typed together; articles with it verbatim \
                 rank first, those whose title begins with it above them"
            ));
        }
        let run = typed.map(str::to_string).or(spaced);
        let every_word = self.title_has_every_word(&words, &plan);
        plan.query = match built {
            Some(q) => {
                let q = self.with_order_bonus(q, node, run.as_deref());
                match every_word {
                    Some(bonus) => Box::new(BooleanQuery::new(vec![
                        (Occur::Must, q),
                        (Occur::Should, bonus),
                    ])),
                    None => q,
                }
            }
            None => {
                return Err(QueryError {
                    query: query.to_string(),
                    position: 0,
                    message:
                        "nothing searchable in the query: punctuation and spaces are not indexed"
                            .to_string(),
                });
            }
        };
        plan.needles.sort();
        plan.needles.dedup();
        Ok(plan)
    }

    /// `query`, with what orders the articles it matches beside their
    /// words: the words of each unquoted text at the top of the query near
    /// each other (words typed together, not those the user set apart with
    /// spaces), and the title starting with the text, when there is one
    /// (the whole `run` typed together, when there is one: [`Self::typed_run`];
    /// or the pieces set apart of [`Planner::spaced_run`], joined: together
    /// as typed, they rank as a text verbatim, in every mode).
    fn with_order_bonus(
        &self,
        query: Box<dyn Query>,
        node: &Node,
        run: Option<&str>,
    ) -> Box<dyn Query> {
        let mut clauses = vec![(Occur::Must, query)];
        let texts = top_texts(node);
        let mut pairs = Vec::new();
        for text in &texts {
            let left = MAX_NEAR_PAIRS - pairs.len();
            pairs.extend(self.near_pairs(&self.words(text), left));
        }
        let share = NEAR_BONUS / pairs.len().max(1) as f32;
        for (what, q) in pairs {
            let bonus = Plus::tier(q, share, Part::Near, &what);
            clauses.push((Occur::Should, Box::new(bonus)));
        }
        if let Some(run) = run {
            // Quoted and unquoted text typed together: found verbatim as a
            // whole, it ranks first, as unquoted text does.
            let key = search_key(run);
            if let Some(q) = self.verbatim(&key, Scope::All) {
                let what = format!("{run:?}");
                let tier = Plus::tier(q, VERBATIM_TIER, Part::Verbatim, &what);
                clauses.push((Occur::Should, Box::new(tier)));
            }
            clauses.extend(self.title_start(run).map(|q| (Occur::Should, q)));
        } else if let [text] = texts[..]
            && !conjuncts(node).iter().any(|n| matches!(n, Node::Phrase(_)))
        {
            clauses.extend(self.title_start(text).map(|q| (Occur::Should, q)));
        }
        match clauses.len() {
            1 => clauses.pop().expect("one clause").1,
            _ => Box::new(BooleanQuery::new(clauses)),
        }
    }

    /// The text whose rewordings are looked for ([`Planner::reworded`]):
    /// with [`Planner::with_rewordings`], the query's unquoted text, beside
    /// filters only (`region:`, `topic:`, `date:`, `source:`, or those
    /// given apart), of [`REWORDED_MIN_WORDS`] to [`REWORDED_MAX_WORDS`]
    /// words (distinct, and counted each time); or the pieces set apart of
    /// [`Planner::spaced_run`], joined. `pieces` are the query's unquoted
    /// texts with words.
    fn rewording(
        &self,
        node: &Node,
        plan: &Plan,
        pieces: &[(&str, Vec<String>)],
    ) -> Option<String> {
        if !self.rewordings {
            return None;
        }
        if plan.spaced.is_some() {
            return plan.spaced.clone();
        }
        let [(text, _)] = pieces else {
            return None;
        };
        let text = text.to_string();
        let filters = texts_and_filters(&conjuncts(node));
        let all: Vec<Word> = self
            .analyzer
            .words(&text)
            .into_iter()
            .filter(|w| !w.part)
            .collect();
        let distinct: std::collections::HashSet<&str> =
            all.iter().map(|w| w.text.as_str()).collect();
        let (distinct, all) = (distinct.len(), all.len());
        let sized = distinct >= REWORDED_MIN_WORDS && all <= REWORDED_MAX_WORDS;
        (filters && sized).then_some(text)
    }

    /// Words set apart by spaces that rank as one text typed together
    /// (`李强 会晤 南非 总统`, as many type a headline): at least
    /// [`REWORDED_MIN_WORDS`] unquoted texts with words (punctuation alone
    /// is left out), distinct, none with a year nor a lone place name
    /// (`疫情 防控 2022`, `乡村振兴 浙江 经验` prefer the year's or the
    /// place's articles instead), beside filters only (not `title:`), of at most
    /// [`REWORDED_MAX_WORDS`] words; joined, with the number of pieces of
    /// several words. Articles with them together as typed rank as a text
    /// verbatim, and their rewordings are looked for ([`Planner::rewording`]).
    /// `pieces` are the query's unquoted texts with words, and their words.
    fn spaced_run(&self, node: &Node, pieces: &[(&str, Vec<String>)]) -> Option<(String, usize)> {
        if !texts_and_filters(&conjuncts(node)) {
            return None;
        }
        let words: usize = pieces.iter().map(|(_, words)| words.len()).sum();
        // A year or a place as a piece is a preference (a boost), not words
        // of a headline.
        let preference = pieces.iter().any(|(_, words)| {
            let place =
                matches!(&words[..], [word] if !Gazetteer::builtin().named(word).is_empty());
            place
                || words
                    .iter()
                    .any(|w| year_word(w, words.len() == 1).is_some())
        });
        let distinct: std::collections::HashSet<&str> = pieces.iter().map(|(p, _)| *p).collect();
        let sized = distinct.len() >= REWORDED_MIN_WORDS && words <= REWORDED_MAX_WORDS;
        let long = pieces.iter().filter(|(_, words)| words.len() > 1).count();
        let joined: String = pieces.iter().map(|(p, _)| *p).collect();
        (sized && !preference).then_some((joined, long))
    }

    /// The pieces set apart, joined, when their rewordings are looked for
    /// ([`Planner::spaced_run`]): the query is then only they and filters.
    fn spaced_rewording(plan: &Plan) -> Option<String> {
        plan.spaced
            .clone()
            .filter(|_| plan.rewording == plan.spaced)
    }

    /// A headline remembered in other words: `text`, when it is the query's
    /// [`Planner::rewording`] (then noted as [`Plan::reworded`]), found in
    /// a title with one of its words swapped for one of its near-synonyms
    /// ([`Thesaurus`]) or for a cognate (`cognates`, from
    /// [`Planner::cognates`]), and not verbatim anywhere:
    /// `李强会晤南非总统` finds the story titled `李强会见南非总统`. The
    /// query matches these articles whatever else it matches (beside the
    /// same filters); they rank [`REWORDED_TIER`] higher, and among
    /// themselves by the BM25 of the words they have (those with every word
    /// too, which count it twice, first). Each word's swaps are kept in
    /// [`Plan::swapped`], for [`Planner::loose`]. `None` when no word has a
    /// near-synonym or a cognate.
    fn reworded(
        &self,
        text: &str,
        cognates: &[(String, Box<dyn Query>)],
        plan: &mut Plan,
    ) -> Option<Box<dyn Query>> {
        if plan.rewording.as_deref() != Some(text) {
            return None;
        }
        let words = self.distinct_words(text);
        let typed: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut swaps = Vec::new();
        let mut by_word: Vec<(String, Vec<Box<dyn Query>>)> = Vec::new();
        // Each word's near-synonyms, those of small groups first (one
        // sense); taken in turns, so that a word of large groups (广大 has
        // ninety) leaves the others theirs.
        let related: Vec<Vec<&str>> = words
            .iter()
            .map(|word| {
                let thesaurus = self.thesaurus();
                let mut related = thesaurus.related_within(&word.text, RELATED_GROUP_WORDS);
                let rest: Vec<&str> = thesaurus.related(&word.text);
                let rest: Vec<&str> = rest.into_iter().filter(|r| !related.contains(r)).collect();
                related.extend(rest);
                // A near-synonym that the query has too is no rewording.
                related.retain(|r| !typed.contains(r));
                related
            })
            .collect();
        let turns = related.iter().map(Vec::len).max().unwrap_or(0);
        // Swaps tried, whether or not some title may have them.
        let mut tried = 0;
        'turns: for turn in 0..turns {
            for (word, related) in words.iter().zip(&related) {
                let Some(r) = related.get(turn) else { continue };
                if tried == REWORDED_MAX_SWAPS {
                    break 'turns;
                }
                tried += 1;
                let key = search_key(&swapped(text, word, r));
                if !self.some_title_may_have(&key) {
                    continue;
                }
                if let Some(q) = self.verbatim(&key, Scope::Title) {
                    match by_word.iter_mut().find(|(w, _)| *w == word.text) {
                        Some((_, qs)) => qs.push(q.box_clone()),
                        None => by_word.push((word.text.clone(), vec![q.box_clone()])),
                    }
                    clauses.push((Occur::Should, q));
                    swaps.push(format!("{r} for {}", word.text));
                }
            }
        }
        let mut cognate_of = Vec::new();
        for (word, q) in cognates {
            clauses.push((Occur::Should, q.box_clone()));
            cognate_of.push(word.as_str());
        }
        if clauses.is_empty() {
            return None;
        }
        // Not the articles with the text verbatim, which rank above (a
        // cognate may be the word itself).
        let verbatim = self.verbatim(&search_key(text), Scope::All);
        clauses.extend(verbatim.map(|q| (Occur::MustNot, q)));
        let q = Box::new(BooleanQuery::new(clauses));
        let what = format!("{text:?}");
        let tier: Box<dyn Query> = Box::new(Plus::tier(q, REWORDED_TIER, Part::Reworded, &what));
        let mut scored = vec![(Occur::Must, tier)];
        for word in typed {
            // BM25 alone: the word bonuses are the query's own.
            let bm25 = self.as_words(&[word.to_string()], Scope::All);
            scored.extend(bm25.map(|q| (Occur::Should, q)));
        }
        const LISTED: usize = 8;
        let more = match swaps.len() > LISTED {
            true => format!(" and {} more", swaps.len() - LISTED),
            false => String::new(),
        };
        swaps.truncate(LISTED);
        let mut swapped = Vec::new();
        if !swaps.is_empty() {
            swapped.push(format!("a near-synonym ({}{more})", swaps.join(", ")));
        }
        if !cognate_of.is_empty() {
            swapped.push(format!(
                "a cognate (two characters sharing the first or the last, in place of {})",
                cognate_of.join(", ")
            ));
        }
        plan.notes.push(format!(
            "{text:?}: also articles whose title has it with one word swapped for {}, not \
             verbatim; they rank just below it verbatim (+{REWORDED_TIER}), by the BM25 of \
             the words they have",
            swapped.join(" or ")
        ));
        plan.reworded = Some(text.to_string());
        plan.swapped = by_word
            .into_iter()
            .map(|(word, qs)| {
                let either = qs.into_iter().map(|q| (Occur::Should, q)).collect();
                (word, Box::new(BooleanQuery::new(either)) as Box<dyn Query>)
            })
            .collect();
        Some(Box::new(BooleanQuery::new(scored)))
    }

    /// For each word of `text` of two Chinese characters (each once), the
    /// titles that have the text with the word swapped for a cognate in its
    /// place: two characters, the first or the last of them the word's own
    /// ([`cognate_terms`]: 提升 for 提高, 保障 for 保证, 我国 for 中国),
    /// pairs the thesaurus lacks. The other words stand as typed on both
    /// sides, so the title is the query's but for one word (where each
    /// character may be kept: [`cognate_terms`]). Not for a word with a
    /// digit or a letter (5G for 4G), nor a country's name for another's
    /// (英国 for 泰国, `data/countries/`). Other names may share a character
    /// too (李希 for 李强, and 美国 for 我国, which is no country's name),
    /// and opposites (下调 for 上调, 进口 for 出口): such a title still says
    /// the rest of the query as typed, and ranks below it verbatim. Only for the text of the query's rewordings
    /// ([`Planner::rewording`]), and with near-synonyms: none without them
    /// (`--no-thesaurus`).
    fn cognates(&self, text: &str, plan: &Plan) -> Vec<(String, Box<dyn Query>)> {
        if plan.rewording.as_deref() != Some(text) || self.thesaurus().is_empty() {
            return Vec::new();
        }
        let map = KeyMap::of(text);
        let mut cognates: Vec<(String, Box<dyn Query>)> = Vec::new();
        for word in self.analyzer.words(text) {
            if word.part || cognates.iter().any(|(w, _)| *w == word.text) {
                continue;
            }
            // The word's characters in the key.
            let inside = |kc: &KeyChar| {
                kc.start < kc.end && word.start <= kc.start as usize && kc.end as usize <= word.end
            };
            let Some(a) = map.chars.iter().position(inside) else {
                continue;
            };
            let b = a + map.chars[a..].iter().take_while(|kc| inside(kc)).count();
            let han = map.key.chars().skip(a).take(b - a).all(is_han);
            if b - a != 2 || !han {
                continue;
            }
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            // A country is never swapped for another, of any length at the
            // text's ends (乌克兰 for 芬兰 first, 伊拉克 for 伊朗 last).
            let country = countries().contains(&word.text.as_str());
            let (first, last) = (word.text.chars().next(), word.text.chars().last());
            let others = countries().iter().filter(|c| {
                let sharing = c.chars().next() == first || c.chars().last() == last;
                country && **c != word.text && sharing
            });
            let mut elsewhere: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for country in others {
                let q = self.in_title_with(text, &word, country);
                elsewhere.extend(q.map(|q| (Occur::MustNot, q)));
            }
            let (broken, unbroken) = (self.fields.title_grams, self.fields.title_unbroken);
            for cognate in cognate_terms(&map.key, a) {
                // Found, but scoring nothing: the article lacks the word.
                clauses.push((Occur::Should, boost(cognate.query(broken), 0.0)));
                // Typed without punctuation, across the title's.
                // Not with the word last and its last character kept: any
                // term that starts with it, after a free character, would
                // run on across a break inside the word (装、机组 for 装机).
                if !map.key.contains(BREAK) && cognate.then.is_none() {
                    let mut all = vec![(Occur::Must, cognate.query_unbroken(unbroken, broken))];
                    all.extend(self.whole_in_title(&map.key, Some(&word.text)));
                    let q: Box<dyn Query> = Box::new(BooleanQuery::new(all));
                    clauses.push((Occur::Should, boost(q, 0.0)));
                }
            }
            if !clauses.is_empty() {
                // Not another country's name (英国 for 泰国).
                clauses.extend(elsewhere);
                cognates.push((word.text, Box::new(BooleanQuery::new(clauses))));
            }
        }
        cognates
    }

    /// Titles with `text` as typed but for `word`, whose characters are
    /// replaced by `other`.
    fn in_title_with(&self, text: &str, word: &Word, other: &str) -> Option<Box<dyn Query>> {
        self.verbatim(&search_key(&swapped(text, word, other)), Scope::Title)
    }

    /// Whether some title may have `key` (a searchable key): false when a
    /// pair of its consecutive characters (within a run) is in no title of
    /// the index, which no title that has the key verbatim can lack, with
    /// its punctuation or without (the field of titles whose runs go on
    /// across it has every pair the others have). True without a searcher.
    /// Most near-synonyms swapped into a text make a pair at the swap's
    /// edges that no title has (人社单位 for 人社部门: 社单); looking them up
    /// costs a fraction of building their queries.
    fn some_title_may_have(&self, key: &str) -> bool {
        let Some(searcher) = self.searcher else {
            return true;
        };
        let field = self.fields.title_unbroken;
        let mut known = self.title_pairs.borrow_mut();
        for run in key.split(BREAK) {
            let chars: Vec<char> = run.chars().collect();
            for pair in chars.windows(2) {
                let pair: String = pair.iter().collect();
                let found = match known.get(&pair) {
                    Some(found) => *found,
                    None => {
                        let term = Term::from_field_text(field, &pair);
                        // An index that cannot be read here is searched as
                        // if the pair were there, and fails there if at all.
                        let found = searcher.segment_readers().iter().any(|segment| {
                            let Ok(index) = segment.inverted_index(field) else {
                                return true;
                            };
                            index
                                .get_term_info(&term)
                                .map_or(true, |info| info.is_some())
                        });
                        known.insert(pair, found);
                        found
                    }
                };
                if !found {
                    return false;
                }
            }
        }
        true
    }

    /// The near-synonyms looked up: [`Thesaurus::builtin`] unless given.
    fn thesaurus(&self) -> &Thesaurus {
        self.thesaurus.unwrap_or_else(|| Thesaurus::builtin())
    }

    /// The query as typed, when it is one run of quoted and unquoted text
    /// (`“十五五”开局`, `“一带一路”倡议`): no space, no operator or field,
    /// a phrase and something beside it.
    fn typed_run(&self) -> Option<&str> {
        let typed = self.typed.as_deref()?.trim();
        if typed.contains(char::is_whitespace) {
            return None;
        }
        let node = super::query::parse(typed).ok()?;
        let parts = conjuncts(&node);
        let plain = parts
            .iter()
            .all(|n| matches!(n, Node::Text(_) | Node::Phrase(_)));
        let phrase = parts.iter().any(|n| matches!(n, Node::Phrase(_)));
        (plain && phrase && parts.len() > 1).then_some(typed)
    }

    /// Builds one node. `None` means the node has nothing searchable in it
    /// (only punctuation) and is left out.
    fn node(
        &self,
        node: &Node,
        query: &str,
        plan: &mut Plan,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        Ok(match node {
            Node::All => {
                plan.notes.push("*: every article".to_string());
                Some(Box::new(AllQuery))
            }
            Node::Text(text) => self.text(text, plan, negated, Scope::All),
            Node::Phrase(text) => self.phrase(text, plan, negated, Scope::All),
            Node::Required(inner) => self.node(inner, query, plan, negated)?,
            Node::Not(inner) => {
                let Some(q) = self.node(inner, query, plan, !negated)? else {
                    return Ok(None);
                };
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                    (Occur::MustNot, q),
                ])))
            }
            Node::And(children) => self.all_of(children, query, plan, negated)?,
            Node::Or(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    if let Some(q) = self.node(child, query, plan, negated)? {
                        clauses.push((Occur::Should, q));
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Field {
                name,
                value,
                quoted,
            } => self.field(*name, value, *quoted, query, plan, negated)?,
        })
    }

    /// The query with at least `k` of its `loose_words` ([`Planner::loose_words`]); each adds
    /// [`FOUND_TIER`], and the rest is planned as usual.
    fn loose(
        &self,
        node: &Node,
        k: usize,
        loose_words: &[String],
        common: &[String],
        query: &str,
        plan: &mut Plan,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut scored_common: Vec<String> = Vec::new();
        // Texts set apart whose rewordings are looked for: their cognates
        // are the joined text's.
        let spaced = Self::spaced_rewording(plan);
        let spaced_cognates = match &spaced {
            Some(joined) => self.cognates(joined, plan),
            None => Vec::new(),
        };
        // Before the words: a word swapped in a reworded title counts as
        // found (Plan::swapped).
        let spaced_reworded = match &spaced {
            Some(joined) => self.reworded(joined, &spaced_cognates, plan),
            None => None,
        };
        for child in conjuncts(node) {
            let (occur, q) = match child {
                Node::Text(text) => {
                    let Some(parts) = self.text_parts(text, plan, false, Scope::All) else {
                        continue;
                    };
                    let own;
                    let cognates = match spaced {
                        Some(_) => &spaced_cognates,
                        None => {
                            own = self.cognates(text, plan);
                            &own
                        }
                    };
                    // Matched already (all but one word, and a near-synonym):
                    // the tier only.
                    let reworded = match spaced {
                        Some(_) => None,
                        None => self.reworded(text, cognates, plan),
                    };
                    let mut cognate_of = Vec::new();
                    for (word, q) in parts.words {
                        if plan.loose.iter().any(|(w, _)| *w == word) {
                            continue;
                        }
                        if common.contains(&word) {
                            // Scoring (once, whichever pieces have it), not
                            // counted.
                            if !scored_common.contains(&word) {
                                clauses.push((Occur::Should, q));
                                scored_common.push(word);
                            }
                            continue;
                        }
                        let mut found = vec![(Occur::Should, q.box_clone())];
                        if let Some((_, swapped)) = plan.swapped.iter().find(|(w, _)| *w == word) {
                            // A match, not a score: the tier says it.
                            found.push((Occur::Should, boost(swapped.box_clone(), 0.0)));
                        }
                        let related = self.related_in_titles(&word, loose_words, plan);
                        found.extend(related.map(|q| (Occur::Should, q)));
                        if let Some((_, cognate)) = cognates.iter().find(|(w, _)| *w == word) {
                            found.push((Occur::Should, cognate.box_clone()));
                            cognate_of.push(word.clone());
                        }
                        let found_q = match found.len() {
                            1 => q.box_clone(),
                            _ => Box::new(BooleanQuery::new(found)),
                        };
                        let found = Plus::new(found_q, FOUND_TIER, Part::Found, &word);
                        words.push((Occur::Should, Box::new(found)));
                        plan.loose.push((word, q));
                    }
                    if !cognate_of.is_empty() {
                        plan.notes.push(format!(
                            "{text:?}: a cognate of {} (two characters sharing the first or \
                             the last) in its place in a title counts as the word found",
                            cognate_of.join(", ")
                        ));
                    }
                    let verbatim = parts.bonus.into_iter();
                    clauses.extend(verbatim.map(|q| (Occur::Should, q)));
                    clauses.extend(reworded.map(|q| (Occur::Should, q)));
                    continue;
                }
                Node::Not(inner) => (Occur::MustNot, self.node(inner, query, plan, true)?),
                other => (Occur::Must, self.node(other, query, plan, false)?),
            };
            if let Some(q) = q {
                clauses.push((occur, q));
            }
        }
        clauses.extend(spaced_reworded.map(|q| (Occur::Should, q)));
        let n = words.len();
        let k = k.min(n);
        if k == 1 && n > 1 {
            // A near-synonym alone is not enough: one word typed at least.
            // Nor a year's articles, which have it without writing it: a
            // year counts here where it is written.
            let typed: Vec<(Occur, Box<dyn Query>)> = plan
                .loose
                .iter()
                .map(|(w, q)| match plan.written.iter().find(|(y, _)| y == w) {
                    // Scoring nothing more: an article of another year
                    // that writes it gains no place on those of that year.
                    Some((_, written)) => {
                        let filter = ConstScoreQuery::new(written.box_clone(), 0.0);
                        (Occur::Should, Box::new(filter) as Box<dyn Query>)
                    }
                    None => (Occur::Should, q.box_clone()),
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(typed))));
        }
        let names: Vec<&str> = plan.loose.iter().map(|(w, _)| w.as_str()).collect();
        let swapped = match plan.swapped.is_empty() {
            true => "",
            false => " (or swapped in a title that has the text in other words)",
        };
        plan.notes.push(format!(
            "relaxed: articles with at least {k} of the {n} words [{}], each as a word or as \
             characters{swapped}; those with more of them rank first",
            names.join(" | ")
        ));
        if !common.is_empty() {
            plan.notes.push(format!(
                "relaxed: the words in more than a tenth of the articles [{}] score but do not \
                 count",
                common.join(" | ")
            ));
        }
        clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::with_minimum_required_clauses(words, k)),
        ));
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    /// When words may be missing, a word's near-synonyms ([`Thesaurus`])
    /// found as words in a title: the paraphrase of a headline someone
    /// remembers (会晤 for 会见). Only in titles: a body has too many words
    /// for one near-synonym in it to say much. They weigh less than the
    /// word itself ([`RELATED_WEIGHT`]); the article still lacks the word.
    /// Never one of the `typed` words, which count as themselves.
    fn related_in_titles(
        &self,
        word: &str,
        typed: &[String],
        plan: &mut Plan,
    ) -> Option<Box<dyn Query>> {
        let (related, q) = self.related_titles(word, typed)?;
        plan.notes.push(format!(
            "{word:?}: its near-synonyms {} count as found in a title (as words, weighing less)",
            related.join(" | ")
        ));
        Some(q)
    }

    /// A word's near-synonyms that are not `typed` words (those count as
    /// themselves), and the query for them as words in a title, weighing
    /// [`RELATED_WEIGHT`]; `None` without any.
    fn related_titles(&self, word: &str, typed: &[String]) -> Option<(Vec<&str>, Box<dyn Query>)> {
        let mut related = self.thesaurus().related_within(word, RELATED_GROUP_WORDS);
        related.retain(|r| !typed.iter().any(|t| t == r));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for r in &related {
            // As one word, as the thesaurus has it (not segmented: a
            // process's dictionary may hold only the query's words).
            if let Some(q) = self.as_words(&[r.to_string()], Scope::Title) {
                // Not highlighted: the article lacks the word typed.
                clauses.push((Occur::Should, boost(q, RELATED_WEIGHT)));
            }
        }
        if clauses.is_empty() {
            return None;
        }
        Some((related, Box::new(BooleanQuery::new(clauses))))
    }

    /// The keywords' shares of [`TITLE_BOOST`] for articles whose title has
    /// every word of the query's texts but a year (as a word or as
    /// characters, or, when words may be missing, a near-synonym): a list of
    /// keywords that a title holds all of names what the article is about,
    /// as a headline typed together does; one of them there says little
    /// more than its BM25 does. `None` without keywords (there are none
    /// past [`REWORDED_MAX_WORDS`] words: a query pasted in pieces is not a
    /// list of keywords). `words` are those of the query's texts.
    fn title_has_every_word(&self, words: &[&String], plan: &Plan) -> Option<Box<dyn Query>> {
        if plan.keywords.is_empty() {
            return None;
        }
        let typed: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let mut every: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // A year need not be in the title: it is a preference for the
        // articles dated in it ([`YEAR_BOOST`]).
        for word in typed.iter().filter(|w| year_of(w).is_none()) {
            let mut either = self.in_title(word);
            if self.min_words.is_some() {
                let related = self.related_titles(word, &typed);
                either.extend(related.map(|(_, q)| (Occur::Should, q)));
            }
            if either.is_empty() {
                return None;
            }
            every.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        let share = plan.shares.title * plan.keywords.len() as f32;
        let q = Box::new(BooleanQuery::new(every));
        Some(Box::new(Plus::tier(
            q,
            share,
            Part::Boost,
            "title has every word",
        )))
    }

    /// `a b -c`: every child matches but the negated ones, which must not; with only
    /// negated children, every article but theirs.
    fn all_of(
        &self,
        children: &[Node],
        query: &str,
        plan: &mut Plan,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        let flat: Vec<&Node> = children.iter().flat_map(conjuncts).collect();
        let spaced = Self::spaced_rewording(plan).filter(|_| !negated);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // With a rewording of texts set apart: the texts' clauses, which
        // the reworded titles may match instead.
        let mut texts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Planned flat (`(李强 会晤) 南非 总统` too): only texts and filters.
        let nodes: Vec<&Node> = match spaced {
            Some(_) => flat.clone(),
            None => children.iter().collect(),
        };
        for child in nodes {
            let (occur, q) = match child {
                Node::Not(inner) => (Occur::MustNot, self.node(inner, query, plan, !negated)?),
                other => (Occur::Must, self.node(other, query, plan, negated)?),
            };
            if let Some(q) = q {
                match child {
                    Node::Text(_) if spaced.is_some() => texts.push((occur, q)),
                    _ => clauses.push((occur, q)),
                }
            }
        }
        if let Some(joined) = spaced.filter(|_| !texts.is_empty()) {
            let cognates = self.cognates(&joined, plan);
            let all_words: Box<dyn Query> = Box::new(BooleanQuery::new(texts));
            match self.reworded(&joined, &cognates, plan) {
                Some(reworded) => {
                    let either = vec![(Occur::Should, all_words), (Occur::Should, reworded)];
                    clauses.push((Occur::Must, Box::new(BooleanQuery::new(either))));
                }
                None => {
                    // No article is reworded: no word may be missing.
                    plan.loose.clear();
                    clauses.push((Occur::Must, all_words));
                }
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }

    /// `name:value`: text in the title, or a filter.
    fn field(
        &self,
        name: QueryField,
        value: &str,
        quoted: bool,
        query: &str,
        plan: &mut Plan,
        negated: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        Ok(match name {
            QueryField::Title if quoted => self.phrase(value, plan, negated, Scope::Title),
            QueryField::Title => self.text(value, plan, negated, Scope::Title),
            QueryField::Source => self.grams_filter(self.fields.source, value, plan, name),
            QueryField::Region => Some(self.region_filter(value, query, plan)?),
            QueryField::Topic => Some(self.topic_filter(value, query, plan)?),
            QueryField::Date => self.date_filter(value, query, plan)?,
        })
    }

    /// The word fields of a scope, with their weights.
    fn word_fields(&self, scope: Scope) -> Vec<(Field, f32)> {
        match scope {
            Scope::All => vec![(self.fields.title, TITLE_WEIGHT), (self.fields.body, 1.0)],
            Scope::Title => vec![(self.fields.title, 1.0)],
        }
    }

    /// The n-gram fields of a scope, with their weights, the title's
    /// weighing `title` when searching both.
    fn gram_fields(&self, scope: Scope, title: f32) -> Vec<(Field, f32)> {
        match scope {
            Scope::All => vec![
                (self.fields.title_grams, title),
                (self.fields.body_grams, 1.0),
            ],
            Scope::Title => vec![(self.fields.title_grams, 1.0)],
        }
    }

    /// The non-overlapping words of a text, each once.
    fn words(&self, text: &str) -> Vec<String> {
        let words = self.distinct_words(text).into_iter();
        words.map(|w| w.text).collect()
    }

    /// The non-overlapping words of a text, each once, where it first
    /// stands (with its byte range in `text`). A year and its 年 (`2022年`)
    /// are one word, a year ([`year_of`]), which the articles of that year
    /// have whether or not they say it.
    fn distinct_words(&self, text: &str) -> Vec<Word> {
        let mut year_end = None;
        let mut words: Vec<Word> = Vec::new();
        for w in self.analyzer.words(text) {
            if w.part {
                continue;
            }
            let of_year = w.text == "年" && year_end == Some(w.start);
            year_end = year_of(&w.text).map(|_| w.end);
            match words.last_mut() {
                Some(year) if of_year => {
                    year.text.push('年');
                    year.end = w.end;
                }
                _ => words.push(w),
            }
        }
        let mut seen = std::collections::HashSet::new();
        let words = words.into_iter();
        words.filter(|w| seen.insert(w.text.clone())).collect()
    }

    /// `text` found as words: one word as a term, several as a phrase, in
    /// each word field of the scope (BM25, weighted). One word in title and
    /// body is scored as one text ([`Bm25f`]), the title's occurrences
    /// weighing [`TITLE_TF_WEIGHT`] each.
    fn as_words(&self, words: &[String], scope: Scope) -> Option<Box<dyn Query>> {
        // A year and its 年 (`2022年`) are two words of the index: in a
        // phrase, they are those; alone, no word of the index (as a phrase
        // of the two it would match across punctuation), the year is found
        // as characters.
        let split = |w: &String| match w.strip_suffix('年').filter(|y| year_of(y).is_some()) {
            Some(year) => vec![year.to_string(), "年".to_string()],
            None => vec![w.clone()],
        };
        let cut: Vec<String> = words.iter().flat_map(split).collect();
        if words.len() == 1 && cut.len() > 1 {
            return None;
        }
        let words = cut.as_slice();
        if let ([word], Scope::All) = (words, scope) {
            let fields = [
                (self.fields.title, TITLE_TF_WEIGHT),
                (self.fields.body, 1.0),
            ];
            return Some(boost(Box::new(Bm25f::new(word, &fields)), BM25F_WEIGHT));
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = self
            .word_fields(scope)
            .into_iter()
            .map(|(field, weight)| {
                let q: Box<dyn Query> = match words {
                    [word] => term(field, word),
                    _ => Box::new(PhraseQuery::new(
                        words
                            .iter()
                            .map(|w| Term::from_field_text(field, w))
                            .collect(),
                    )),
                };
                (Occur::Should, boost(q, weight))
            })
            .collect();
        (!words.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// A key found as characters in each n-gram field of the scope (BM25,
    /// weighted by `weight`, the title's [`TITLE_WEIGHT`] times more).
    fn as_grams(&self, key: &str, scope: Scope, weight: f32) -> Option<Box<dyn Query>> {
        self.grams_weighted(key, scope, weight, TITLE_WEIGHT)
    }

    /// Each word of `key` of two characters or more (`but` one, swapped for
    /// a cognate) in the title as typed,
    /// with no break inside it (as clauses that must match, scoring
    /// nothing): across a title's punctuation, a text runs on only between
    /// its words (`甘肃、青海` for 甘肃青海, not `装、机组` for 装机).
    fn whole_in_title(&self, key: &str, but: Option<&str>) -> Vec<(Occur, Box<dyn Query>)> {
        let words = self.words(key).into_iter();
        let words = words.filter(|w| w.chars().count() > 1 && Some(w.as_str()) != but);
        let found =
            words.filter_map(|w| grams(self.fields.title_grams, &search_key(&w), &self.deadline));
        found.map(|q| (Occur::Must, boost(q, 0.0))).collect()
    }

    /// `key` verbatim in the scope, for a tier (what it scores is not
    /// counted): its n-grams as a phrase, and in a title across the
    /// title's punctuation when the key has none. A headline is typed
    /// without its colons and brackets: `国际人士中国经济韧性强` is the title
    /// `国际人士：中国经济韧性强` verbatim. Quoted text is not: it is as
    /// typed ([`Planner::phrase`]).
    fn verbatim(&self, key: &str, scope: Scope) -> Option<Box<dyn Query>> {
        let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        either.extend(self.as_grams(key, scope, 1.0).map(|q| (Occur::Should, q)));
        if !key.contains(BREAK)
            && let Some(unbroken) = grams(self.fields.title_unbroken, key, &self.deadline)
        {
            let mut all = vec![(Occur::Must, boost(unbroken, 0.0))];
            all.extend(self.whole_in_title(key, None));
            either.push((Occur::Should, Box::new(BooleanQuery::new(all))));
        }
        match either.len() {
            0 => None,
            1 => either.pop().map(|(_, q)| q),
            _ => Some(Box::new(BooleanQuery::new(either))),
        }
    }

    /// A query word found as characters, each n-gram field of the scope
    /// weighing [`GRAM_WEIGHT`]; searching title and body, the title's
    /// characters match but add no BM25: the word's BM25F has the title
    /// already ([`TITLE_TF_WEIGHT`]), and its characters' BM25 (a phrase of
    /// n-grams, whose idf is the sum of theirs) would count it again,
    /// several times over.
    fn word_as_grams(&self, key: &str, scope: Scope) -> Option<Box<dyn Query>> {
        self.grams_weighted(key, scope, GRAM_WEIGHT, 0.0)
    }

    fn grams_weighted(
        &self,
        key: &str,
        scope: Scope,
        weight: f32,
        title: f32,
    ) -> Option<Box<dyn Query>> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = self
            .gram_fields(scope, title)
            .into_iter()
            .filter_map(|(field, w)| {
                Some((
                    Occur::Should,
                    boost(grams(field, key, &self.deadline)?, w * weight),
                ))
            })
            .collect();
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    /// One query term and its synonyms: each found as words (scoring BM25
    /// plus its share of [`WORD_BONUS`]) or as characters (scoring a little
    /// BM25), so that real word matches rank above matches across word
    /// boundaries, inside the tier of the words found.
    fn term_clause(
        &self,
        term_text: &str,
        scope: Scope,
        plan: &mut Plan,
        negated: bool,
    ) -> Option<Box<dyn Query>> {
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut as_words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let variants = self.synonyms.expand(term_text);
        for variant in &variants {
            let key = search_key(variant);
            if key.is_empty() {
                continue;
            }
            let words = self.words(variant);
            if let Some(q) = self.as_words(&words, scope) {
                alternatives.push((Occur::Should, q));
            }
            if let Some(q) = self.as_words(&words, scope) {
                as_words.push((Occur::Should, q));
            }
            if let Some(q) = self.word_as_grams(&key, scope) {
                alternatives.push((Occur::Should, q));
            }
            if !negated {
                plan.needles.push(key);
            }
        }
        // One bonus per query term, however many of its variants match.
        if !as_words.is_empty() {
            let q = Box::new(BooleanQuery::new(as_words));
            let bonus = Plus::tier(q, plan.shares.word, Part::Word, term_text);
            alternatives.push((Occur::Should, Box::new(bonus)));
        }
        if variants.len() > 1 {
            plan.notes
                .push(format!("synonyms: {term_text} = {}", variants.join(" | ")));
        }
        (!alternatives.is_empty())
            .then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
    }

    /// Unquoted text: every word must occur, as a word or as characters;
    /// articles with the whole text verbatim rank first ([`VERBATIM_TIER`]),
    /// then by the boosts (words as whole words, near each other, in the
    /// title...), then by BM25.
    fn text(
        &self,
        text: &str,
        plan: &mut Plan,
        negated: bool,
        scope: Scope,
    ) -> Option<Box<dyn Query>> {
        let parts = self.text_parts(text, plan, negated, scope)?;
        let words: Vec<&str> = parts.words.iter().map(|(w, _)| w.as_str()).collect();
        let whole = search_key(text);
        plan.notes.push(format!(
            "{}{text:?}: all of the words [{}], each as a word{} or as characters; {}",
            if negated { "NOT " } else { "" },
            words.join(" | "),
            match scope {
                Scope::All => " (title and body as one text, a title occurrence as three)",
                Scope::Title => " in the title",
            },
            if parts.ranks_verbatim {
                let across = match whole.contains(BREAK) {
                    true => "",
                    false => " (in a title, its punctuation aside)",
                };
                format!("articles with {whole:?} verbatim{across} rank first")
            } else {
                "as characters it also matches inside other words, ranked below word matches"
                    .to_string()
            }
        ));
        let reworded = match scope {
            Scope::All => {
                let cognates = self.cognates(text, plan);
                self.reworded(text, &cognates, plan)
            }
            Scope::Title => None,
        };
        // To tell which words the reworded titles' articles lack: the
        // text's, or each piece's of those set apart, whose rewording is
        // looked for once they are all planned ([`Planner::all_of`]).
        let piece = scope == Scope::All && Self::spaced_rewording(plan).is_some();
        if reworded.is_some() || piece {
            for (w, q) in &parts.words {
                if !plan.loose.iter().any(|(l, _)| l == w) {
                    plan.loose.push((w.clone(), q.box_clone()));
                }
            }
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        clauses.extend(parts.words.into_iter().map(|(_, q)| (Occur::Must, q)));
        clauses.extend(parts.bonus.into_iter().map(|q| (Occur::Should, q)));
        let all_words: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        Some(match reworded {
            Some(reworded) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, all_words),
                (Occur::Should, reworded),
            ])),
            None => all_words,
        })
    }

    /// The words of unquoted text, each with its query, and the bonus of
    /// the whole text found verbatim; `None` (noted) with nothing searchable.
    fn text_parts(
        &self,
        text: &str,
        plan: &mut Plan,
        negated: bool,
        scope: Scope,
    ) -> Option<TextParts> {
        let words = self.words(text);
        if words.is_empty() {
            plan.notes
                .push(format!("{text:?}: nothing searchable, ignored"));
            return None;
        }
        let whole = search_key(text);
        // Several words, or one word that the text repeats or breaks
        // (`日），日`, `高明高明`): the text verbatim ranks first. A year
        // and its 年 (`2022年`) are one word: a preference for the year's
        // articles, not a tier.
        let mut parts = TextParts {
            words: Vec::new(),
            ranks_verbatim: words.len() > 1 || search_key(&words[0]) != whole,
            bonus: Vec::new(),
        };
        for word in words.iter() {
            let mut q = self.term_clause(word, scope, plan, negated)?;
            if !negated && scope == Scope::All {
                let alone = words.len() == 1;
                parts.bonus.extend(self.title_and_region(word, alone, plan));
            }
            // A year: with its 年, or a piece of its own (`疫情防控 2022`);
            // not a number among other words (`2023亿元`).
            let year =
                year_word(word, words.len() == 1).filter(|_| !negated && scope == Scope::All);
            if let Some(year) = year {
                if !plan.written.iter().any(|(w, _)| w == word) {
                    plan.written.push((word.clone(), q.box_clone()));
                }
                let bound = parse_bound(&year.to_string()).ok()?;
                let dated = || self.date_range(Some(&bound), Some(&bound));
                // Found in the articles of that year too, scoring nothing
                // there: few say their own year (`疫情防控 2022` would
                // otherwise leave out most of 2022's articles on it).
                let in_year: Box<dyn Query> = Box::new(ConstScoreQuery::new(dated(), 0.0));
                q = Box::new(BooleanQuery::new(vec![
                    (Occur::Should, q),
                    (Occur::Should, in_year),
                ]));
                let what = format!("dated {year}");
                parts.bonus.push(Box::new(Plus::tier(
                    dated(),
                    YEAR_BOOST,
                    Part::Boost,
                    &what,
                )));
                plan.notes.push(format!(
                    "{word:?}: a year; found in the articles dated {year} as well as in those \
                     that have it, and articles dated {year} rank higher (+{YEAR_BOOST}), \
                     within the same words found"
                ));
            }
            parts.words.push((word.clone(), q));
        }
        if parts.ranks_verbatim {
            // A piece of words set apart ranks verbatim only with the
            // others; alone, it has its share of a boost.
            let (tier, part) = match plan.spaced.is_some() && scope == Scope::All {
                true => (plan.piece_share, Part::Boost),
                false => (VERBATIM_TIER, Part::Verbatim),
            };
            for variant in self.synonyms.expand(text) {
                let key = search_key(&variant);
                if let Some(q) = self.verbatim(&key, scope) {
                    let what = format!("{variant:?}");
                    parts.bonus.push(Box::new(Plus::tier(q, tier, part, &what)));
                }
                if !negated {
                    plan.needles.push(key);
                }
            }
        }
        Some(parts)
    }

    /// Each pair of consecutive words of the text that stand near each
    /// other ([`near`]): the pairs' queries, each labelled, without their
    /// share of [`NEAR_BONUS`] yet; the first `limit` of them. Pairs with a
    /// word of one character are left out: such a word is near something
    /// almost everywhere.
    fn near_pairs(&self, words: &[String], limit: usize) -> Vec<(String, Box<dyn Query>)> {
        let keys: Vec<String> = words.iter().map(|w| search_key(w)).collect();
        let mut pairs = Vec::new();
        for (i, pair) in keys.windows(2).enumerate() {
            if pairs.len() == limit {
                break;
            }
            let clauses: Vec<(Occur, Box<dyn Query>)> = self
                .gram_fields(Scope::All, TITLE_WEIGHT)
                .into_iter()
                .filter_map(|(field, _)| near(field, &pair[0], &pair[1]))
                .map(|q| (Occur::Should, q))
                .collect();
            if !clauses.is_empty() {
                let what = format!("{} {}", words[i], words[i + 1]);
                pairs.push((what, Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>));
            }
        }
        pairs
    }

    /// [`TITLE_START_BOOST`] for articles whose title begins with the
    /// text (its characters, across the title's punctuation when the text
    /// has none; a last character alone after punctuation is not checked).
    fn title_start(&self, text: &str) -> Option<Box<dyn Query>> {
        let key = search_key(text);
        // Typed without punctuation, across the title's.
        let field = match key.contains(BREAK) {
            true => self.fields.title_grams,
            false => self.fields.title_unbroken,
        };
        let terms: Vec<(usize, Term)> = gram_terms(&key)
            .into_iter()
            .filter_map(|(at, gram)| match gram {
                Gram::Term(t) => Some((at, Term::from_field_text(field, &t))),
                Gram::StartingWith(_) => None,
            })
            .collect();
        let mut q: Box<dyn Query> = Box::new(StartsWith::new(field, terms)?);
        if field == self.fields.title_unbroken {
            let mut all = vec![(Occur::Must, q)];
            all.extend(self.whole_in_title(&key, None));
            q = Box::new(BooleanQuery::new(all));
        }
        let what = format!("title starts {text:?}");
        let boost = TITLE_START_BOOST;
        Some(Box::new(Plus::tier(q, boost, Part::Boost, &what)))
    }

    /// A word in the title, as a word or as characters: the clauses of
    /// either.
    fn in_title(&self, word: &str) -> Vec<(Occur, Box<dyn Query>)> {
        let as_word = self.as_words(&[word.to_string()], Scope::Title);
        let as_characters = self.as_grams(&search_key(word), Scope::Title, 1.0);
        let either = as_word.into_iter().chain(as_characters);
        either.map(|q| (Occur::Should, q)).collect()
    }

    /// What a query word adds beside its tiers: its share of
    /// [`TITLE_BOOST`] when the title has it (as a word or as characters;
    /// of [`KEYWORD_TITLE_BOOST`] for a keyword: a text of one word, `alone`,
    /// at the top of the query),
    /// and [`REGION_BOOST`] when it names a province or city (or a place by
    /// its full name) that is the article's region or holds it.
    fn title_and_region(&self, word: &str, alone: bool, plan: &mut Plan) -> Vec<Box<dyn Query>> {
        let mut bonus: Vec<Box<dyn Query>> = Vec::new();
        let in_title = self.in_title(word);
        if !in_title.is_empty() {
            let q = Box::new(BooleanQuery::new(in_title));
            let what = format!("title {word}");
            bonus.push(Box::new(Plus::tier(
                q,
                match alone && plan.keywords.iter().any(|k| k == word) {
                    true => plan.shares.keyword_title,
                    false => plan.shares.title,
                },
                Part::Boost,
                &what,
            )));
        }
        let places = Gazetteer::builtin().named(word);
        if !places.is_empty() {
            let paths: Vec<String> = places.iter().map(|p| p.facet()).collect();
            let q = self.in_regions(&paths);
            let what = format!("region {word}");
            bonus.push(Box::new(Plus::tier(q, REGION_BOOST, Part::Boost, &what)));
            plan.notes.push(format!(
                "{word:?}: a place; articles whose region is in {} rank higher (+{REGION_BOOST})",
                paths.join(" or ")
            ));
        }
        bonus
    }

    /// Quoted text: exactly these characters (punctuation and spaces
    /// ignored), or a synonym's; articles where they are also real words
    /// rank higher.
    fn phrase(
        &self,
        text: &str,
        plan: &mut Plan,
        negated: bool,
        scope: Scope,
    ) -> Option<Box<dyn Query>> {
        let mut required: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut bonus: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let variants = self.synonyms.expand(text);
        let mut described = Vec::new();
        let mut as_words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for variant in &variants {
            let key = search_key(variant);
            let Some(q) = self.as_grams(&key, scope, 1.0) else {
                continue;
            };
            required.push((Occur::Should, q));
            let words = self.words(variant);
            if let Some(q) = self.as_words(&words, scope) {
                bonus.push((Occur::Should, q));
            }
            if let Some(q) = self.as_words(&words, scope) {
                as_words.push((Occur::Should, q));
            }
            described.push(format!("{key:?} (as words: [{}])", words.join(" | ")));
            if !negated {
                plan.needles.push(key);
            }
        }
        if required.is_empty() {
            plan.notes
                .push(format!("\"{text}\": nothing searchable, ignored"));
            return None;
        }
        plan.notes.push(format!(
            "{}\"{text}\": exactly {} in the {}",
            if negated { "NOT " } else { "" },
            described.join(" or "),
            match scope {
                Scope::All => "title or body",
                Scope::Title => "title",
            },
        ));
        let mut clauses = vec![(
            Occur::Must,
            Box::new(BooleanQuery::new(required)) as Box<dyn Query>,
        )];
        clauses.extend(bonus);
        if !as_words.is_empty() {
            let q = Box::new(BooleanQuery::new(as_words));
            let bonus = Plus::tier(q, plan.shares.word, Part::Word, text);
            clauses.push((Occur::Should, Box::new(bonus)));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// `region:X`: articles whose primary region is X or lies within it.
    fn region_filter(
        &self,
        value: &str,
        query: &str,
        plan: &mut Plan,
    ) -> Result<Box<dyn Query>, QueryError> {
        let places = Gazetteer::builtin()
            .resolve(value)
            .map_err(|e| field_error(query, QueryField::Region, e.to_string()))?;
        let paths: Vec<String> = places.iter().map(|p| p.facet()).collect();
        plan.notes.push(format!(
            "filter: region in {} (and everything below)",
            paths.join(" or ")
        ));
        Ok(Box::new(ConstScoreQuery::new(self.in_regions(&paths), 0.0)))
    }

    /// Articles whose primary region is one of these facet paths, or lies
    /// within one (a facet term matches its descendants).
    fn in_regions(&self, paths: &[String]) -> Box<dyn Query> {
        let clauses = paths
            .iter()
            .map(|path| {
                let facet = Facet::from_path(path.split('/').filter(|p| !p.is_empty()));
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_facet(self.fields.region, &facet),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// `topic:X`: articles classified under topic X.
    fn topic_filter(
        &self,
        value: &str,
        query: &str,
        plan: &mut Plan,
    ) -> Result<Box<dyn Query>, QueryError> {
        if !self.topics.iter().any(|t| t == value) {
            let mut message = format!(
                "unknown topic `{value}`; topics in this index: {}",
                self.topics.join(", ")
            );
            if let Some(close) = self
                .topics
                .iter()
                .find(|t| t.contains(value) || value.contains(t.as_str()))
            {
                message = format!(
                    "unknown topic `{value}`; did you mean `{close}`? Topics in this index: {}",
                    self.topics.join(", ")
                );
            }
            return Err(field_error(query, QueryField::Topic, message));
        }
        plan.notes.push(format!("filter: topic {value}"));
        let q = TermQuery::new(
            Term::from_facet(self.fields.topic, &Facet::from_path([value])),
            IndexRecordOption::Basic,
        );
        Ok(Box::new(ConstScoreQuery::new(Box::new(q), 0.0)))
    }

    /// `date:A..B`, `date:A..`, `date:..B` or `date:A`: articles whose date
    /// (as precise as it is known) overlaps the range. Articles without a
    /// date never match.
    fn date_filter(
        &self,
        value: &str,
        query: &str,
        plan: &mut Plan,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        let (since, until) = match value.split_once("..") {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (value, value),
        };
        let parse = |s: &str| -> Result<Option<DateBound>, QueryError> {
            if s.is_empty() {
                return Ok(None);
            }
            parse_bound(s)
                .map(Some)
                .map_err(|e| field_error(query, QueryField::Date, e.to_string()))
        };
        let (since, until) = (parse(since)?, parse(until)?);
        if since.is_none() && until.is_none() {
            return Err(field_error(
                query,
                QueryField::Date,
                "a date range needs at least one end: `date:2023..2024-06`".to_string(),
            ));
        }
        if let (Some(a), Some(b)) = (&since, &until)
            && a.first_day() > b.last_day()
        {
            return Err(field_error(
                query,
                QueryField::Date,
                format!("the date range {value} is empty: it ends before it starts"),
            ));
        }
        plan.has_date_filter = true;
        if self.ignore_dates {
            return Ok(Some(Box::new(AllQuery)));
        }
        let range = self.date_range(since.as_ref(), until.as_ref());
        plan.notes.push(format!(
            "filter: date from {} to {} (articles without a date are excluded)",
            since.map_or("the beginning".to_string(), |a| a.first_day().to_string()),
            until.map_or("now".to_string(), |b| b.last_day().to_string()),
        ));
        Ok(Some(Box::new(ConstScoreQuery::new(range, 0.0))))
    }

    /// Articles whose date (as precise as it is known) overlaps the range
    /// from `since` to `until`, either end open.
    fn date_range(&self, since: Option<&DateBound>, until: Option<&DateBound>) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(a) = since {
            let term = Term::from_field_i64(self.fields.date_end, day_number(a.first_day()));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Included(term), Bound::Unbounded)),
            ));
        }
        if let Some(b) = until {
            let term = Term::from_field_i64(self.fields.date, day_number(b.last_day()));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(Bound::Unbounded, Bound::Included(term))),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// A substring filter on a field indexed with the n-gram analyzer.
    fn grams_filter(
        &self,
        field: Field,
        value: &str,
        plan: &mut Plan,
        name: QueryField,
    ) -> Option<Box<dyn Query>> {
        let key = search_key(value);
        let q = grams(field, &key, &self.deadline)?;
        plan.notes.push(format!("filter: {name} contains {key:?}"));
        Some(Box::new(ConstScoreQuery::new(q, 0.0)))
    }
}

/// The year a query word names (`2022`, `2022年`, `２０２２` folded), from
/// 1000 to 2999.
fn year_of(word: &str) -> Option<u16> {
    let digits = word.strip_suffix('年').unwrap_or(word);
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|y| (1000..3000).contains(y))
}

/// The year a word of a text names, when it is one: with its 年
/// (`2022年`), or a text of its own (`疫情防控 2022`, the text `2022`,
/// `alone`); not a number among other words (`2023亿元`).
fn year_word(word: &str, alone: bool) -> Option<u16> {
    year_of(word).filter(|_| alone || word.ends_with('年'))
}

/// The unquoted texts among the [`conjuncts`] of a query.
fn top_texts(node: &Node) -> Vec<&str> {
    conjuncts(node)
        .into_iter()
        .filter_map(|n| match n {
            Node::Text(text) => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// Whether `parts` are unquoted texts and filters only (not `title:`, which
/// is text too): what a text's rewordings may stand beside.
fn texts_and_filters(parts: &[&Node]) -> bool {
    parts.iter().all(|n| match n {
        Node::Text(_) => true,
        Node::Field { name, .. } => *name != QueryField::Title,
        _ => false,
    })
}

/// The parts of a query that must all match: the children of the `And`s at
/// its top (a query and its filters are one), or the query itself.
fn conjuncts(node: &Node) -> Vec<&Node> {
    match node {
        Node::And(children) => children.iter().flat_map(conjuncts).collect(),
        other => vec![other],
    }
}

/// An error about `name:` in the query, pointing at it.
fn field_error(query: &str, name: QueryField, message: String) -> QueryError {
    let position = query
        .find(&format!("{name}:"))
        .map_or(0, |b| query[..b].chars().count());
    QueryError {
        query: query.to_string(),
        position,
        message,
    }
}

/// `q` weighing `weight` times its score. Never around a [`Plus`]: the
/// parts of a score are found without looking inside other wrappers
/// ([`super::plus::components_of`]).
fn boost(q: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if weight == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, weight))
    }
}

/// Two keys near each other in an n-gram field: all the bigrams of both,
/// the second's after the first's, with [`NEAR_SLOP`] positions of play
/// (tantivy's slop: how far each term may stand from where the phrase puts
/// it). In the order typed, up to about [`NEAR_SLOP`] characters between
/// them; reversed only for short words (`备耕春耕` for 春耕备耕). `None` when
/// a key is not all bigrams (one character, or runs split by punctuation).
fn near(field: Field, first: &str, second: &str) -> Option<Box<dyn Query>> {
    let mut terms = Vec::new();
    let mut base = 0;
    for key in [first, second] {
        if key.contains(BREAK) || key.chars().count() < 2 {
            return None;
        }
        for (at, gram) in gram_terms(key) {
            let Gram::Term(t) = gram else { return None };
            terms.push((base + at, Term::from_field_text(field, &t)));
        }
        base += key.chars().count();
    }
    Some(Box::new(PhraseQuery::new_with_offset_and_slop(
        terms, NEAR_SLOP,
    )))
}

/// The Chinese names of the world's countries and territories
/// (`data/countries/`: a code and a name per line, `#` for a comment).
fn countries() -> &'static [&'static str] {
    static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let lines = include_str!("../../data/countries/zh.txt")
            .lines()
            .map(str::trim);
        let lines = lines.filter(|l| !l.starts_with('#'));
        lines
            .filter_map(|l| Some(l.split_once('\t')?.1.trim()))
            .collect()
    });
    &NAMES
}

/// Whether `c` is a Chinese character (of the unified ideographs).
fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countries_are_read_whole() {
        let names = countries();
        assert_eq!(names.len(), 250);
        for name in ["泰国", "英国", "中国", "乌克兰", "波黑"] {
            assert!(names.contains(&name), "{name}");
        }
        let clean = |n: &&str| !n.is_empty() && !n.contains(['\t', '\r', '#', ' ']);
        assert!(names.iter().all(clean), "{names:?}");
    }
}
