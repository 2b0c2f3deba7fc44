//! An article as zhsearch keeps it, and its mapping to and from a tantivy
//! document: beside the schema ([`crate::schema`]), the only other place
//! that knows which field holds what.
//!
//! Extraction makes a [`Record`] ([`crate::extract::Article`] is one with
//! its warnings), the indexer writes it ([`Record::to_document`]), `show`
//! and `/api/doc` read it back whole, and a search hit carries it without
//! its text ([`Record::from_document`]: the hit's text is its snippet).

use serde::Serialize;
use tantivy::TantivyDocument;
use tantivy::schema::{Facet, Value};

use crate::extract::Metadata;
use crate::indexer::pages;
use crate::schema::{Fields, day_number};

/// An article: what every step after reading knows of it. It serialises as
/// `zhsearch show --format json` prints it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Record {
    /// Unique id.
    pub id: String,
    /// Source file, relative to the corpus root.
    pub path: String,
    /// Title (headline, lead or metadata).
    pub title: String,
    /// Article text (empty in a search hit, which reads only its snippet).
    pub body: String,
    /// Publisher or site.
    pub source: Option<String>,
    /// URL of the original.
    pub url: Option<String>,
    /// Extracted metadata with provenance.
    pub meta: Metadata,
}

impl Record {
    /// The tantivy document of this record, with the content hash of its file
    /// (for incremental indexing) and its words, pre-segmented in the
    /// indexer's worker threads ([`crate::analysis::WordTokenizer::presegment`]);
    /// the n-gram fields are tokenized by tantivy. A long body is stored in
    /// pages ([`pages`]).
    pub fn to_document(
        &self,
        f: &Fields,
        hash: u64,
        title_words: &str,
        body_words: &str,
    ) -> TantivyDocument {
        let pages = (self.body.len() > pages::PAGED_BYTES).then(|| pages::write(&self.body));
        // Sized for its texts at once: growing by doubling would copy a long
        // article's texts several times over, and briefly hold twice them.
        // (Facets and the metadata take about as much as the metadata's JSON.)
        let meta = serde_json::to_string(&self.meta).expect("metadata serialises");
        let stored_body = pages
            .as_ref()
            .map_or(self.body.len(), |values| values.iter().map(Vec::len).sum());
        let mut doc = TantivyDocument::with_capacity(
            2 * self.title.len()
                + title_words.len()
                + body_words.len()
                + self.body.len()
                + stored_body
                + 2 * meta.len()
                + 4096,
        );
        doc.add_text(f.id, &self.id);
        doc.add_text(f.path, &self.path);
        doc.add_u64(f.hash, hash);
        doc.add_text(f.title, title_words);
        doc.add_text(f.body, body_words);
        doc.add_text(f.title_text, &self.title);
        match &pages {
            Some(values) => values.iter().for_each(|v| doc.add_bytes(f.body_pages, v)),
            None => doc.add_text(f.body_text, &self.body),
        }
        doc.add_text(f.title_grams, &self.title);
        doc.add_text(f.title_unbroken, &self.title);
        doc.add_text(f.body_grams, &self.body);
        if let Some(source) = &self.source {
            doc.add_text(f.source, source);
        }
        if let Some(url) = &self.url {
            doc.add_text(f.url, url);
        }
        self.add_facets(f, &mut doc);
        doc.add_text(f.meta, meta);
        doc
    }

    /// The date fields and the facets, from the metadata.
    fn add_facets(&self, f: &Fields, doc: &mut TantivyDocument) {
        let m = &self.meta;
        if let Some(date) = &m.date {
            doc.add_i64(f.date, day_number(date.first_day()));
            doc.add_i64(f.date_end, day_number(date.last_day()));
            // Four digits (`/0618`), so that years sort as text does.
            let year = match date.month {
                Some(month) => format!("/{:04}/{month:02}", date.year),
                None => format!("/{:04}", date.year),
            };
            doc.add_facet(f.year, facet(&year));
        }
        for region in &m.regions {
            doc.add_facet(f.region, facet(region));
        }
        for place in &m.mentions {
            doc.add_facet(f.mentions, facet(place));
        }
        for topic in m.topic_names() {
            doc.add_facet(f.topic, Facet::from_path([topic]));
        }
        for keyword in &m.keywords {
            doc.add_facet(f.keyword, Facet::from_path([keyword]));
        }
    }

    /// The record a stored document holds, but its body, left empty: the
    /// body is read apart, whole or in pages, only when it is wanted.
    pub fn from_document(doc: &TantivyDocument, f: &Fields) -> Record {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
        };
        let meta = text(f.meta)
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default();
        Record {
            id: text(f.id).unwrap_or_default(),
            path: text(f.path).unwrap_or_default(),
            title: text(f.title_text).unwrap_or_default(),
            body: String::new(),
            source: text(f.source),
            url: text(f.url),
            meta,
        }
    }
}

/// A facet from a path written `/a/b/c`.
fn facet(path: &str) -> Facet {
    Facet::from_path(path.split('/').filter(|p| !p.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::DocDate;

    fn record() -> Record {
        Record {
            id: "a/1.txt".into(),
            path: "a/1.txt".into(),
            title: "高明区召开党建工作会议".into(),
            body: "２０２４年５月１日，高明区召开ＧＤＰ与党建工作会议。".into(),
            source: Some("佛山日报".into()),
            url: None,
            meta: Metadata {
                date: Some(DocDate::from_metadata("2024-05-01").unwrap()),
                regions: vec!["/广东省/佛山市/高明区".into()],
                keywords: vec!["党建".into()],
                ..Metadata::default()
            },
        }
    }

    #[test]
    fn a_record_reads_back_from_its_document_but_its_body() {
        let f = Fields::new();
        let r = record();
        let doc = r.to_document(&f, 7, "高明区 召开", "高明区 召开");
        let back = Record::from_document(&doc, &f);
        assert_eq!(
            back,
            Record {
                body: String::new(),
                ..r.clone()
            }
        );
        assert_eq!(
            doc.get_first(f.body_text).and_then(|v| v.as_str()),
            Some(r.body.as_str())
        );
        assert_eq!(doc.get_first(f.hash).and_then(|v| v.as_u64()), Some(7));
    }

    #[test]
    fn a_long_body_is_stored_in_pages_not_as_text() {
        let f = Fields::new();
        let r = Record {
            body: "党建引领高质量发展。".repeat(pages::PAGED_BYTES / 10),
            ..record()
        };
        let doc = r.to_document(&f, 0, "", "");
        assert!(doc.get_first(f.body_text).is_none());
        assert!(doc.get_all(f.body_pages).count() > 1);
    }
}
