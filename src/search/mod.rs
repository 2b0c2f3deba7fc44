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

pub mod plan;
pub mod query;
pub mod snippet;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, IndexReader, Searcher, TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::error::{Error, Result};
use crate::extract::Metadata;
use crate::indexer::ZhIndex;
pub use query::{Node, QueryError};
pub use snippet::Snippet;

/// Most hits one request may ask for.
pub const MAX_LIMIT: usize = 10_000;

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
        }
    }
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Rank, from 1.
    pub rank: usize,
    /// Document id.
    pub id: String,
    /// Source file, relative to the corpus root.
    pub path: String,
    /// Title, with highlights.
    pub title: Snippet,
    /// BM25 score.
    pub score: f32,
    /// The best passages, with highlights.
    pub snippet: Snippet,
    /// Publisher or site.
    pub source: Option<String>,
    /// URL of the original.
    pub url: Option<String>,
    /// Extraction details.
    pub meta: Metadata,
    /// The score explained, with `explain`.
    pub explanation: Option<String>,
}

/// The result of a search.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// Documents matching the query.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// How the query was understood (with `explain`).
    pub notes: Vec<String>,
    /// Time spent searching.
    #[serde(skip)]
    pub elapsed: Duration,
}

/// A stored document, for `show`.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDoc {
    /// Document id.
    pub id: String,
    /// Source file.
    pub path: String,
    /// Title.
    pub title: String,
    /// Article text.
    pub body: String,
    /// Publisher or site.
    pub source: Option<String>,
    /// URL of the original.
    pub url: Option<String>,
    /// Extraction details.
    pub meta: Metadata,
}

/// An open index, ready to search. Cheap to share between threads.
pub struct Engine {
    zh: ZhIndex,
    reader: IndexReader,
}

impl Engine {
    /// Opens the index at `dir` for searching with `analyzer`.
    pub fn open(dir: &Path, analyzer: Arc<Analyzer>) -> Result<Engine> {
        let zh = ZhIndex::open(dir, analyzer)?;
        let reader = zh.reader()?;
        Ok(Engine { zh, reader })
    }

    /// The index.
    pub fn index(&self) -> &ZhIndex {
        &self.zh
    }

    /// A searcher on the latest commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    fn tantivy(&self, source: tantivy::TantivyError) -> Error {
        Error::Tantivy {
            path: self.zh.dir.clone(),
            source,
        }
    }

    /// Parses and plans a query.
    pub fn plan(&self, query: &str) -> Result<plan::Plan> {
        let node = query::parse(query)?;
        Ok(plan::Planner::new(&self.zh.fields, &self.zh.analyzer).plan(&node, query)?)
    }

    /// Runs a search.
    pub fn search(&self, request: &Request) -> Result<Results> {
        let started = Instant::now();
        let plan = self.plan(&request.query)?;
        let searcher = self.searcher();
        let limit = request.limit.clamp(1, MAX_LIMIT);
        let top = TopDocs::with_limit(limit)
            .and_offset(request.offset)
            .order_by_score();
        let (top, total) = searcher
            .search(&plan.query, &(top, Count))
            .map_err(|e| self.tantivy(e))?;
        let mut hits = Vec::with_capacity(top.len());
        for (i, (score, address)) in top.into_iter().enumerate() {
            let mut hit = self.hit(&searcher, address, score, &plan.needles, request)?;
            hit.rank = request.offset + i + 1;
            if request.explain {
                hit.explanation = Some(
                    plan.query
                        .explain(&searcher, address)
                        .map_err(|e| self.tantivy(e))?
                        .to_pretty_json(),
                );
            }
            hits.push(hit);
        }
        Ok(Results {
            total,
            hits,
            notes: plan.notes,
            elapsed: started.elapsed(),
        })
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        needles: &[String],
        request: &Request,
    ) -> Result<Hit> {
        let doc = self.stored(searcher, address)?;
        let matches = snippet::Matches::find(&doc.body, needles);
        Ok(Hit {
            rank: 0,
            title: snippet::highlight_all(&doc.title, needles),
            snippet: matches.snippet(request.snippet_chars, request.snippet_fragments),
            id: doc.id,
            path: doc.path,
            score,
            source: doc.source,
            url: doc.url,
            meta: doc.meta,
            explanation: None,
        })
    }

    fn stored(&self, searcher: &Searcher, address: DocAddress) -> Result<StoredDoc> {
        let doc: TantivyDocument = searcher.doc(address).map_err(|e| self.tantivy(e))?;
        let f = &self.zh.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let meta = text(f.meta)
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default();
        Ok(StoredDoc {
            id: text(f.id).unwrap_or_default(),
            path: text(f.path).unwrap_or_default(),
            title: text(f.title).unwrap_or_default(),
            body: text(f.body).unwrap_or_default(),
            source: text(f.source),
            url: text(f.url),
            meta,
        })
    }

    /// The stored document with this id.
    pub fn document(&self, id: &str) -> Result<Option<StoredDoc>> {
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
