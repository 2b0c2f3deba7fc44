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

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::analysis::Analyzer;
use crate::analysis::variants::simplified;
use crate::corpus::{RawDoc, Warning};
use crate::date::DocDate;
use crate::record::Record;
use keywords::Keywords;
use region::Gazetteer;
use topic::{Taxonomy, TopicScore};

/// How many TF-IDF keywords each article gets.
pub const KEYWORDS_PER_ARTICLE: usize = 8;

/// An article ready to be indexed: its record, and what was read or stated
/// but not used as written (the reader's warnings, then metadata that was
/// ignored).
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Its text and everything known about it.
    pub record: Record,
    /// What was read or stated, but not used as written.
    pub warnings: Vec<Warning>,
}

/// Where an article's title came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TitleFrom {
    /// A metadata field: a JSONL `title`, front matter.
    Metadata,
    /// The headline: the text's first line (also what a stored document without its
    /// metadata reads back as).
    #[default]
    Headline,
    /// The body's first sentence, for a text without a headline. Its words are the
    /// body's, so they are not counted twice for keywords.
    Lead,
}

/// Where an article's source (publisher or site) came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFrom {
    /// A metadata field: a JSONL `source`, front matter.
    Metadata,
    /// A line of the text's header (`来源:南方日报`).
    Text,
}

impl TitleFrom {
    /// The lowercase name used in stored fields and JSON output: `metadata`, `headline`
    /// or `lead`.
    pub fn as_str(self) -> &'static str {
        match self {
            TitleFrom::Metadata => "metadata",
            TitleFrom::Headline => "headline",
            TitleFrom::Lead => "lead",
        }
    }
}

impl SourceFrom {
    /// The lowercase name used in stored fields and JSON output: `metadata` or `text`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFrom::Metadata => "metadata",
            SourceFrom::Text => "text",
        }
    }
}

impl fmt::Display for TitleFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for SourceFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What extraction found, and where it came from. Stored with the document
/// and shown by `zhsearch show`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// Where the title came from.
    pub title_from: TitleFrom,
    /// Where the source came from, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_from: Option<SourceFrom>,
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
        let r = &mut article.record;
        let title = if r.meta.title_from == TitleFrom::Lead {
            ""
        } else {
            &r.title
        };
        r.meta.keywords = self.keywords.of_text(title, &r.body, KEYWORDS_PER_ARTICLE);
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
        let stated = std::mem::take(&mut doc.meta);
        let mut warnings = std::mem::take(&mut doc.warnings);
        let mut ignored = |field: &'static str, problem: String| {
            let (key, line) = doc.stated(field);
            warnings.push(doc.warning(line, format!("{key}: {problem}; ignored")));
        };
        let (title, title_from) = match stated.title {
            Some(t) => (t, TitleFrom::Metadata),
            None if found.is_lead => (found.text, TitleFrom::Lead),
            None => (found.text, TitleFrom::Headline),
        };
        let (source, source_from) = match (stated.source, found.source) {
            (Some(s), _) => (Some(s), Some(SourceFrom::Metadata)),
            (None, Some(s)) => (Some(s), Some(SourceFrom::Text)),
            (None, None) => (None, None),
        };
        // The title is part of the text for every extractor, unless it is a
        // lead taken from the body itself.
        let text_title = if title_from == TitleFrom::Lead {
            ""
        } else {
            title.as_str()
        };
        let date = article_date(stated.date.as_deref(), text_title, &doc.body, &mut ignored);
        let places = places(
            stated.region.as_deref(),
            text_title,
            &doc.body,
            &mut ignored,
        );
        let topics = self.topics(stated.topics, text_title, &doc.body);
        let meta = Metadata {
            title_from,
            source_from,
            encoding: doc.encoding.to_string(),
            line: doc.line,
            date,
            regions: places.regions,
            region_evidence: places.evidence,
            mentions: places.mentions,
            topics,
            keywords: Vec::new(),
        };
        Article {
            record: Record {
                id: doc.id,
                path: doc.path,
                title,
                body: doc.body,
                source,
                url: stated.url,
                meta,
            },
            warnings,
        }
    }

    /// The topics the file states (score 0), or else those the taxonomy finds in the text.
    fn topics(&self, stated: Vec<String>, title: &str, body: &str) -> Vec<TopicScore> {
        if stated.is_empty() {
            return self.taxonomy.classify(title, body);
        }
        stated
            .into_iter()
            .map(|topic| TopicScore {
                topic,
                score: 0.0,
                evidence: vec!["metadata".to_string()],
            })
            .collect()
    }
}

/// The date the file states, or else the one found in the text. A stated date that
/// cannot be read is reported through `ignored` and in the found date's evidence.
fn article_date(
    stated: Option<&str>,
    title: &str,
    body: &str,
    ignored: &mut impl FnMut(&'static str, String),
) -> Option<DocDate> {
    match stated.map(DocDate::from_metadata) {
        Some(Ok(date)) => Some(date),
        Some(Err(e)) => {
            ignored("date", e.to_string());
            let mut found = date::extract_date(title, body);
            if let Some(d) = &mut found {
                d.evidence = format!("{} (metadata date unusable: {e})", d.evidence);
            }
            found
        }
        None => date::extract_date(title, body),
    }
}

/// An article's places, as facet paths.
struct Places {
    /// Primary regions.
    regions: Vec<String>,
    /// Why those: `metadata`, or the evidence from the text.
    evidence: Vec<String>,
    /// The other places the text mentions.
    mentions: Vec<String>,
}

/// The region the file states, or else the primary regions found in the text; the
/// places mentioned come from the text either way. A stated region the gazetteer does
/// not know is reported through `ignored` and in the evidence.
fn places(
    stated: Option<&str>,
    title: &str,
    body: &str,
    ignored: &mut impl FnMut(&'static str, String),
) -> Places {
    // Place names are Simplified in the gazetteer: 高明區 is 高明区.
    let gazetteer = Gazetteer::builtin();
    let found = gazetteer.extract(&simplified(title), &simplified(body));
    let (regions, evidence): (Vec<String>, _) = match stated.map(|r| (r, gazetteer.resolve(r))) {
        Some((_, Ok(places))) => (
            places.iter().map(|p| p.facet()).collect(),
            vec!["metadata".to_string()],
        ),
        other => {
            let mut evidence = found.evidence;
            if let Some((r, Err(e))) = other {
                ignored("region", e.to_string());
                evidence.push(format!("metadata region {r:?} ignored: {e}"));
            }
            (found.primary.iter().map(|p| p.facet()).collect(), evidence)
        }
    };
    let mentions = found
        .mentions
        .iter()
        .map(|p| p.facet())
        .filter(|f| !regions.contains(f))
        .collect();
    Places {
        regions,
        evidence,
        mentions,
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
        assert_eq!(a.record.meta.regions, ["/广东省/佛山市/高明区"]);
        let date = a.record.meta.date.as_ref().unwrap();
        assert_eq!(date.display(), "2024-09-26");
        assert_eq!(date.source.as_str(), "text");
        assert!(a.record.meta.topic_names().any(|t| t == "纪检监察与巡视"));
        assert!(!a.record.meta.keywords.is_empty());
        assert_eq!(a.record.meta.title_from, TitleFrom::Lead);
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
        assert_eq!(a.record.title, "自定标题");
        assert_eq!(a.record.meta.title_from, TitleFrom::Metadata);
        assert_eq!(a.record.source.as_deref(), Some("某报"));
        assert_eq!(a.record.meta.date.as_ref().unwrap().display(), "2021-07-01");
        assert_eq!(
            a.record.meta.date.as_ref().unwrap().source.as_str(),
            "metadata"
        );
        assert_eq!(a.record.meta.regions, ["/广东省/佛山市/禅城区"]);
        assert_eq!(a.record.meta.region_evidence, ["metadata"]);
        assert_eq!(
            a.record.meta.topic_names().collect::<Vec<_>>(),
            ["自定主题"]
        );
    }

    /// The provenance fields are written as before, and a document stored by an earlier
    /// version reads back and writes out byte for byte.
    #[test]
    fn provenance_is_written_in_lowercase_words() {
        let json = |a: &Article| serde_json::to_value(&a.record.meta).unwrap();
        let lead = extractor().extract_from_text(raw(
            include_str!("../../corpus/001_eda8d542acb23e2d.txt"),
            Meta::default(),
        ));
        assert_eq!(json(&lead)["title_from"], "lead");
        assert_eq!(json(&lead)["source_from"], "text");
        let headline = extractor().extract_from_text(raw(
            include_str!("../../corpus/000_e19cf532170f2a3e.txt"),
            Meta::default(),
        ));
        assert_eq!(json(&headline)["title_from"], "headline");
        let stated = extractor().extract_from_text(raw(
            "高明区推进基层党建\n高明区各级党组织召开会议。",
            Meta {
                title: Some("自定标题".into()),
                source: Some("某报".into()),
                ..Meta::default()
            },
        ));
        assert_eq!(json(&stated)["title_from"], "metadata");
        assert_eq!(json(&stated)["source_from"], "metadata");
        let stored = r#"{"title_from":"lead","source_from":"text","encoding":"GB18030","regions":[],"topics":[]}"#;
        let meta: Metadata = serde_json::from_str(stored).unwrap();
        assert_eq!(serde_json::to_string(&meta).unwrap(), stored);
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
        let date = a.record.meta.date.as_ref().unwrap();
        assert_eq!(date.display(), "2024-09-26");
        assert!(
            date.evidence.contains("metadata date unusable"),
            "{}",
            date.evidence
        );
        assert_eq!(a.record.meta.regions, ["/广东省/佛山市/高明区"]);
        assert!(
            a.record
                .meta
                .region_evidence
                .iter()
                .any(|e| e.contains("火星")),
            "{:?}",
            a.record.meta.region_evidence
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
