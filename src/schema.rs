//! The index schema: the only place field names and tokenizer names live.
//!
//! | field      | holds                                   | how                           |
//! |------------|-----------------------------------------|-------------------------------|
//! | `id`       | unique document id                      | raw term, stored, fast        |
//! | `path`     | source file, relative to the corpus     | raw term, stored, fast        |
//! | `hash`     | content hash of the source file         | stored, fast                  |
//! | `title`    | title                                   | jieba words, positions        |
//! | `body`     | article text                            | jieba words, positions        |
//! | `title_text` | the title as written                  | stored                        |
//! | `body_text`  | the text as written                   | stored                        |
//! | `body_pages` | the text, when long, in pages           | fast bytes (`indexer::pages`) |
//! | `title_grams` | title again                          | char bigrams, positions      |
//! | `body_grams`  | body again                           | char bigrams, positions      |
//! | `title_unbroken` | title again                       | char bigrams across punctuation, positions |
//! | `source`   | publisher / site                        | char bigrams, stored         |
//! | `date`     | publication date: its first day, as days since 1970-01-01 (i64, any year 1–9999) | indexed, fast, stored |
//! | `date_end` | its last day, likewise (a year-precise date spans the year) | indexed, fast |
//! | `year`     | `/2024/09` (as precise as known)        | facet                         |
//! | `region`   | primary region `/广东省/佛山市/高明区`  | facet, stored                 |
//! | `mentions` | other places named in the text          | facet, stored                 |
//! | `topic`    | `/党建`                                 | facet, stored                 |
//! | `keyword`  | `/高质量发展` (TF-IDF top words)        | facet, stored                 |
//! | `meta`     | extraction details as JSON              | stored                        |
//! | `dup_title` | a hash of the folded title and week (`indexer::dups`) | indexed         |
//! | `cluster`  | near-duplicates' cluster id (`indexer::dups`) | indexed, fast           |

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use crate::analysis::{GRAMS, GRAMS_UNBROKEN, PRESEGMENTED};

/// Version of the schema; recorded in the index and checked when opening.
/// 6: n-gram runs end at punctuation and space.
/// 7: dates are day numbers (i64), so that every year 1–9999 filters and sorts;
///    every one-to-one pair of OpenCC's Traditional table folded, phrases deciding
///    the rest; one document per id, commits recording the records left out;
///    bodies over 128 KB stored in pages (`body_pages`, a fast field).
/// 8: near-duplicates' cluster ids (`cluster`) and the title hash that finds them (`dup_title`).
/// 9: the title's n-grams across its punctuation (`title_unbroken`), for headlines
///    typed without it.
pub const SCHEMA_VERSION: u32 = 9;

/// The fields of a zhsearch index.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The tantivy schema.
    pub schema: Schema,
    /// Unique document id.
    pub id: Field,
    /// Source file, relative to the corpus root.
    pub path: Field,
    /// Hash of the source file's content, for incremental indexing.
    pub hash: Field,
    /// Title, as jieba words (segmented by the indexer's workers, handed to
    /// tantivy pre-segmented).
    pub title: Field,
    /// Body, as jieba words (likewise).
    pub body: Field,
    /// Title, stored as written.
    pub title_text: Field,
    /// Body, stored as written (when it is short).
    pub body_text: Field,
    /// Body, stored in pages (when it is long: [`crate::indexer::pages`]).
    pub body_pages: Field,
    /// Title, as character bigrams (and its last character).
    pub title_grams: Field,
    /// Body, as character bigrams (and its last character).
    pub body_grams: Field,
    /// Title, as character bigrams whose runs go on across punctuation
    /// (`国际人士：中国` has 士中): a headline typed without its
    /// punctuation is found as typed.
    pub title_unbroken: Field,
    /// Publisher or site.
    pub source: Field,
    /// URL of the original.
    pub url: Field,
    /// Publication date: its first day, as a [`day_number`].
    pub date: Field,
    /// Publication date: its last day (the same day when precise to the day), as a
    /// [`day_number`].
    pub date_end: Field,
    /// Publication year and month, as a facet.
    pub year: Field,
    /// Primary region(s), as facets.
    pub region: Field,
    /// Other places mentioned, as facets.
    pub mentions: Field,
    /// Topics, as facets.
    pub topic: Field,
    /// Top keywords, as facets.
    pub keyword: Field,
    /// Extraction details (provenance, evidence, encoding) as JSON.
    pub meta: Field,
    /// A hash of the folded title and the week of the date, looked up to
    /// find near-duplicates ([`crate::indexer::dups`]).
    pub dup_title: Field,
    /// The cluster of near-duplicates the article is in.
    pub cluster: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

impl Fields {
    /// Builds the schema.
    pub fn new() -> Fields {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED | FAST);
        let path = b.add_text_field("path", STRING | STORED | FAST);
        let hash = b.add_u64_field("hash", STORED | FAST);
        let title = b.add_text_field("title", text(PRESEGMENTED, false));
        let body = b.add_text_field("body", text(PRESEGMENTED, false));
        let title_text = b.add_text_field("title_text", STORED);
        let body_text = b.add_text_field("body_text", STORED);
        let body_pages = b.add_bytes_field("body_pages", FAST);
        let title_grams = b.add_text_field("title_grams", text(GRAMS, false));
        let body_grams = b.add_text_field("body_grams", text(GRAMS, false));
        let title_unbroken = b.add_text_field("title_unbroken", text(GRAMS_UNBROKEN, false));
        let source = b.add_text_field("source", text(GRAMS, true));
        let url = b.add_text_field("url", STORED);
        // Not tantivy's DateTime: its nanosecond timestamps hold only 1677-09-22 to
        // 2262-04-11, and dates outside wrapped silently.
        let date = b.add_i64_field("date", INDEXED | FAST | STORED);
        let date_end = b.add_i64_field("date_end", INDEXED | FAST);
        let year = b.add_facet_field("year", FacetOptions::default());
        let region = b.add_facet_field("region", FacetOptions::default().set_stored());
        let mentions = b.add_facet_field("mentions", FacetOptions::default().set_stored());
        let topic = b.add_facet_field("topic", FacetOptions::default().set_stored());
        let keyword = b.add_facet_field("keyword", FacetOptions::default().set_stored());
        let meta = b.add_text_field("meta", STORED);
        let dup_title = b.add_u64_field("dup_title", INDEXED);
        let cluster = b.add_u64_field("cluster", INDEXED | FAST);
        Fields {
            schema: b.build(),
            id,
            path,
            hash,
            title,
            body,
            title_text,
            body_text,
            body_pages,
            title_grams,
            body_grams,
            title_unbroken,
            source,
            url,
            date,
            date_end,
            year,
            region,
            mentions,
            topic,
            keyword,
            meta,
            dup_title,
            cluster,
        }
    }

    /// The fields of an existing index's schema, or the name of one it lacks.
    pub fn from_schema(schema: &Schema) -> Result<Fields, String> {
        let expected = Fields::new();
        if *schema != expected.schema {
            let missing = expected
                .schema
                .fields()
                .map(|(_, entry)| entry.name())
                .find(|name| schema.get_field(name).is_err())
                .unwrap_or("(field options differ)");
            return Err(format!(
                "its schema does not match this version of zhsearch: {missing}"
            ));
        }
        Ok(expected)
    }
}

/// How a facet's values are counted and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetKind {
    /// A tree: a value counts for its ancestors too (once per article); most
    /// frequent first at every level.
    Tree,
    /// Years with their months: newest year first, months in calendar order;
    /// articles without a date are counted apart (`undated`).
    Calendar,
    /// Flat values, most frequent first.
    Flat,
    /// The `n` most frequent flat values, shown on one line.
    Top(usize),
}

impl FacetKind {
    /// Whether a value counts for its ancestors.
    pub fn hierarchical(self) -> bool {
        matches!(self, FacetKind::Tree | FacetKind::Calendar)
    }
}

/// A facet that searches count: the facet field `name` (also its key in
/// JSON and its heading on the terminal), how it is counted, how readers
/// see it, and the API parameter that filters by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacetSpec {
    /// The facet field, and the facet's name everywhere it is shown.
    pub name: &'static str,
    /// How its values are counted and shown.
    pub kind: FacetKind,
    /// Its heading on the page, in Chinese and in English.
    pub label: (&'static str, &'static str),
    /// What its counts are, for the API description (`FacetCounts`).
    pub about: &'static str,
    /// How to filter by its values, if one can.
    pub filter: FacetFilter,
}

/// How the API and the page filter by a facet's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetFilter {
    /// Not a filter (the counts are shown, not clicked).
    None,
    /// A repeatable query parameter `param` (values ORed, ANDed with the
    /// rest), described by `about` in the API description.
    Param {
        /// The parameter's name in `/api/search`, `/api/facets` and the page's URL.
        param: &'static str,
        /// Its description in the API description.
        about: &'static str,
    },
    /// A date range: a value (a year, a month) sets `since` and `until`.
    Dates,
}

/// How many keywords facet counts report.
pub const TOP_KEYWORDS: usize = 20;

/// The facets counted with `--facets`, `zhsearch facets` and the API, in the
/// order they are shown. Adding a facet: a facet field in [`Fields::new`] and
/// a line here; the printers, the API (`/api/facet-specs`, the OpenAPI
/// description) and the page follow.
pub const FACETS: [FacetSpec; 4] = [
    FacetSpec {
        name: "region",
        kind: FacetKind::Tree,
        label: ("地区", "Region"),
        about: "Primary regions, as a tree from provinces down.",
        filter: FacetFilter::Param {
            param: "region",
            about: "Only articles about this region or places within it: any level, full or short name (`高明`, `佛山市`, `广东省`) or a facet path (`/广东省/佛山市/高明区`). Repeat for any of several (at most 20, each at most 100 characters).",
        },
    },
    FacetSpec {
        name: "year",
        kind: FacetKind::Calendar,
        label: ("年份", "Year"),
        about: "Years, newest first, with months below them.",
        filter: FacetFilter::Dates,
    },
    FacetSpec {
        name: "topic",
        kind: FacetKind::Flat,
        label: ("主题", "Topic"),
        about: "",
        filter: FacetFilter::Param {
            param: "topic",
            about: "Only articles with this topic (a name from the index's taxonomy, e.g. `党建`). Repeat for any of several (at most 20, each at most 100 characters).",
        },
    },
    FacetSpec {
        name: "keyword",
        kind: FacetKind::Top(TOP_KEYWORDS),
        label: ("关键词", "Keyword"),
        about: "The 20 most frequent keywords.",
        filter: FacetFilter::None,
    },
];

/// How the `date` and `date_end` fields store a day: the number of days since
/// 1970-01-01 (negative before it), exact for every year from 1 to 9999 and ordered
/// as the days are.
pub fn day_number(date: jiff::civil::Date) -> i64 {
    const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);
    // Whole days between two civil dates: exact, and far within a span's limits.
    date.since(EPOCH)
        .map_or(0, |span| i64::from(span.get_days()))
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::FieldType;

    #[test]
    fn every_facet_spec_names_a_facet_field() {
        let fields = Fields::new();
        for spec in FACETS {
            let field = fields.schema.get_field(spec.name).expect(spec.name);
            assert!(
                matches!(
                    fields.schema.get_field_entry(field).field_type(),
                    FieldType::Facet(_)
                ),
                "{} is not a facet field",
                spec.name
            );
        }
    }
}
