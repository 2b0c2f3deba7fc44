//! Metadata extraction: pure functions from an article's text to its title,
//! source, region, date and topics. No I/O and no tantivy here.
//!
//! Each submodule owns one kind of metadata: [`title`], [`region`],
//! [`date`], [`topic`], [`keywords`]. An [`Extractor`] runs them all on a [`RawDoc`]
//! and gives an [`Article`]: what the file states (front matter, JSONL
//! fields) wins; the rest is inferred from the text, and [`Metadata`]
//! records where each value came from. A stated value that cannot be used
//! (`date: 昨天`, `region: 火星`) is ignored with a [`Warning`] naming the
//! file, the line and the field.

pub mod date;
pub mod keywords;
pub mod region;
pub mod title;
pub mod topic;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::analysis::Analyzer;
use crate::analysis::variants::simplified;
use crate::corpus::{RawDoc, Warning};
use date::DocDate;
use keywords::Keywords;
use region::Gazetteer;
use topic::{Taxonomy, TopicScore};

/// How many TF-IDF keywords each article gets.
pub const KEYWORDS_PER_ARTICLE: usize = 8;

/// An article ready to be indexed: its text and everything known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Unique id.
    pub id: String,
    /// Source file, relative to the corpus root.
    pub path: String,
    /// Title (headline, lead or metadata).
    pub title: String,
    /// Article text.
    pub body: String,
    /// Publisher or site.
    pub source: Option<String>,
    /// URL of the original.
    pub url: Option<String>,
    /// Extracted metadata with provenance.
    pub meta: Metadata,
    /// What was read or stated, but not used as written: the reader's
    /// warnings, then metadata that was ignored.
    pub warnings: Vec<Warning>,
}

/// What extraction found, and where it came from. Stored with the document
/// and shown by `zhsearch show`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Where the title came from: `metadata`, `headline` or `lead`.
    pub title_from: String,
    /// Where the source came from: `metadata` or `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_from: Option<String>,
    /// The encoding the file was read with.
    pub encoding: String,
    /// Line in a JSONL file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Publication date, with precision and provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DocDate>,
    /// Primary regions, as facet paths (`/广东省/佛山市/高明区`).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Why those regions: `metadata`, or the evidence from the text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_evidence: Vec<String>,
    /// Other places the article mentions, as facet paths.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// Topics, best first, with scores and evidence (score 0 when from metadata).
    #[serde(default)]
    pub topics: Vec<TopicScore>,
    /// Top TF-IDF keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

impl Metadata {
    /// The topic names, best first.
    pub fn topic_names(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(|t| t.topic.as_str())
    }
}

/// Runs every extractor on raw documents. Build it once; it shares the
/// analyzer (for keywords) and the taxonomy.
#[derive(Clone)]
pub struct Extractor {
    analyzer: Arc<Analyzer>,
    taxonomy: Arc<Taxonomy>,
    keywords: Arc<Keywords>,
}

impl Extractor {
    /// An extractor with the built-in gazetteer, the given taxonomy, and
    /// `analyzer`'s segmenter for keywords.
    pub fn new(analyzer: Arc<Analyzer>, taxonomy: Arc<Taxonomy>) -> Extractor {
        let keywords = Arc::new(Keywords::new(Arc::clone(&analyzer)));
        Extractor {
            analyzer,
            taxonomy,
            keywords,
        }
    }

    /// The analyzer keywords are segmented with.
    pub fn analyzer(&self) -> Arc<Analyzer> {
        Arc::clone(&self.analyzer)
    }

    /// The taxonomy topics are assigned from.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Extracts an article's metadata from its raw form.
    pub fn extract(&self, doc: RawDoc) -> Article {
        let mut article = self.extract_from_text(doc);
        let title = if article.meta.title_from == "lead" {
            ""
        } else {
            &article.title
        };
        let keywords = self
            .keywords
            .of_text(title, &article.body, KEYWORDS_PER_ARTICLE);
        article.meta.keywords = keywords;
        article
    }

    /// The article's TF-IDF keywords, from its words as segmented for the index.
    pub fn keywords<'a>(
        &self,
        title_words: impl Iterator<Item = &'a str>,
        body_words: impl Iterator<Item = &'a str>,
    ) -> Vec<String> {
        self.keywords
            .of_words(title_words, body_words, KEYWORDS_PER_ARTICLE)
    }

    /// Extracts everything but keywords, which need the words of the text:
    /// the indexer segments the text once, for the index and for keywords.
    pub fn extract_from_text(&self, mut doc: RawDoc) -> Article {
        // A front matter never closed stays in the text, but is no headline.
        let found = title::find_title(&doc.body[doc.text_start.min(doc.body.len())..]);
        let meta = std::mem::take(&mut doc.meta);
        let mut warnings = std::mem::take(&mut doc.warnings);
        let mut ignored = |field: &'static str, problem: String| {
            let (key, line) = doc.stated(field);
            warnings.push(doc.warning(line, format!("{key}: {problem}; ignored")));
        };
        let (title, title_from) = match meta.title {
            Some(t) => (t, "metadata"),
            None if found.is_lead => (found.text, "lead"),
            None => (found.text, "headline"),
        };
        let (source, source_from) = match (meta.source, found.source) {
            (Some(s), _) => (Some(s), Some("metadata")),
            (None, Some(s)) => (Some(s), Some("text")),
            (None, None) => (None, None),
        };
        let mut metadata = Metadata {
            title_from: title_from.to_string(),
            source_from: source_from.map(str::to_string),
            encoding: doc.encoding.to_string(),
            line: doc.line,
            ..Metadata::default()
        };
        // The title is part of the text for every extractor, unless it is a
        // lead taken from the body itself.
        let text_title = if title_from == "lead" {
            ""
        } else {
            title.as_str()
        };

        metadata.date = match meta.date.as_deref().map(DocDate::from_metadata) {
            Some(Ok(date)) => Some(date),
            Some(Err(e)) => {
                // A bad metadata date is reported in the provenance and the
                // text is searched instead.
                ignored("date", e.to_string());
                let mut found = date::extract_date(text_title, &doc.body);
                if let Some(d) = &mut found {
                    d.evidence = format!("{} (metadata date unusable: {e})", d.evidence);
                }
                found
            }
            None => date::extract_date(text_title, &doc.body),
        };

        // Place names are Simplified in the gazetteer: 高明區 is 高明区.
        let gazetteer = Gazetteer::builtin();
        let regions = gazetteer.extract(&simplified(text_title), &simplified(&doc.body));
        let from_meta = meta.region.as_deref().map(|r| (r, gazetteer.resolve(r)));
        match from_meta {
            Some((_, Ok(places))) => {
                metadata.regions = places.iter().map(|p| p.facet()).collect();
                metadata.region_evidence = vec!["metadata".to_string()];
            }
            other => {
                metadata.regions = regions.primary.iter().map(|p| p.facet()).collect();
                metadata.region_evidence = regions.evidence;
                if let Some((r, Err(e))) = other {
                    ignored("region", e.to_string());
                    metadata
                        .region_evidence
                        .push(format!("metadata region {r:?} ignored: {e}"));
                }
            }
        }
        metadata.mentions = regions
            .mentions
            .iter()
            .map(|p| p.facet())
            .filter(|f| !metadata.regions.contains(f))
            .collect();

        metadata.topics = if meta.topics.is_empty() {
            self.taxonomy.classify(text_title, &doc.body)
        } else {
            meta.topics
                .into_iter()
                .map(|topic| TopicScore {
                    topic,
                    score: 0.0,
                    evidence: vec!["metadata".to_string()],
                })
                .collect()
        };
        Article {
            id: doc.id,
            path: doc.path,
            title,
            body: doc.body,
            source,
            url: meta.url,
            meta: metadata,
            warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Meta;

    fn raw(body: &str, meta: Meta) -> RawDoc {
        RawDoc {
            id: "a".into(),
            path: "a.txt".into(),
            encoding: "UTF-8",
            body: body.into(),
            meta,
            ..RawDoc::default()
        }
    }

    fn extractor() -> Extractor {
        Extractor::new(Analyzer::builtin(), Arc::new(Taxonomy::builtin().clone()))
    }

    #[test]
    fn bundled_article_gets_everything_from_its_text() {
        let a = extractor().extract(raw(
            include_str!("../../corpus/001_eda8d542acb23e2d.txt"),
            Meta::default(),
        ));
        assert_eq!(a.meta.regions, ["/广东省/佛山市/高明区"]);
        let date = a.meta.date.as_ref().unwrap();
        assert_eq!(date.display(), "2024-09-26");
        assert_eq!(date.source.as_str(), "text");
        assert!(a.meta.topic_names().any(|t| t == "纪检监察与巡视"));
        assert!(!a.meta.keywords.is_empty());
        assert_eq!(a.meta.title_from, "lead");
    }

    #[test]
    fn metadata_overrides_extraction() {
        let meta = Meta {
            title: Some("自定标题".into()),
            date: Some("2021-07-01".into()),
            region: Some("禅城".into()),
            topics: vec!["自定主题".into()],
            source: Some("某报".into()),
            ..Meta::default()
        };
        let a = extractor().extract(raw(
            include_str!("../../corpus/001_eda8d542acb23e2d.txt"),
            meta,
        ));
        assert_eq!(a.title, "自定标题");
        assert_eq!(a.meta.title_from, "metadata");
        assert_eq!(a.source.as_deref(), Some("某报"));
        assert_eq!(a.meta.date.as_ref().unwrap().display(), "2021-07-01");
        assert_eq!(a.meta.date.as_ref().unwrap().source.as_str(), "metadata");
        assert_eq!(a.meta.regions, ["/广东省/佛山市/禅城区"]);
        assert_eq!(a.meta.region_evidence, ["metadata"]);
        assert_eq!(a.meta.topic_names().collect::<Vec<_>>(), ["自定主题"]);
    }

    #[test]
    fn unusable_metadata_falls_back_to_the_text_and_says_so() {
        let meta = Meta {
            date: Some("yesterday".into()),
            region: Some("火星".into()),
            ..Meta::default()
        };
        let a = extractor().extract(raw(
            include_str!("../../corpus/001_eda8d542acb23e2d.txt"),
            meta,
        ));
        let date = a.meta.date.as_ref().unwrap();
        assert_eq!(date.display(), "2024-09-26");
        assert!(
            date.evidence.contains("metadata date unusable"),
            "{}",
            date.evidence
        );
        assert_eq!(a.meta.regions, ["/广东省/佛山市/高明区"]);
        assert!(
            a.meta.region_evidence.iter().any(|e| e.contains("火星")),
            "{:?}",
            a.meta.region_evidence
        );
        // Each is a warning naming the field (no line: not stated where).
        let warnings: Vec<String> = a.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("a.txt: date: invalid date \"yesterday\""));
        assert!(warnings[1].starts_with("a.txt: region: unknown region '火星'"));
    }

    #[test]
    fn warnings_name_the_line_and_key_a_field_was_stated_with() {
        let mut doc = raw(
            include_str!("../../corpus/001_eda8d542acb23e2d.txt"),
            Meta {
                date: Some("2024-13-45".into()),
                ..Meta::default()
            },
        );
        doc.stated = vec![crate::corpus::Stated {
            field: "date",
            key: "published".into(),
            line: 7,
        }];
        let a = extractor().extract_from_text(doc);
        assert_eq!(a.warnings[0].line, Some(7));
        assert!(
            a.warnings[0]
                .message
                .starts_with("published: invalid date \"2024-13-45\""),
            "{:?}",
            a.warnings
        );
    }
}
