//! Tests on the CCTV news corpus (`../shared/corpora/cctv-news.jsonl.gz`,
//! 24,100 stories with metadata dates). They skip, saying so, when the
//! corpus is absent. The corpus is indexed once for all of them.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use zhsearch::analysis::Analyzer;
use zhsearch::corpus::{self, RawDoc};
use zhsearch::extract::Extractor;
use zhsearch::extract::topic::Taxonomy;
use zhsearch::indexer::{IndexOptions, index_corpus};
use zhsearch::search::{Engine, Filters, Request};

struct Fixture {
    engine: Engine,
    docs: Vec<RawDoc>,
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let path = common::cctv_corpus()?;
            let dir = common::static_dir("cctv-index");
            let extractor =
                Extractor::new(Analyzer::builtin(), Arc::new(Taxonomy::builtin().clone()));
            let started = std::time::Instant::now();
            let summary = index_corpus(
                &path,
                &dir,
                &extractor,
                &IndexOptions::default(),
                &mut |_| {},
            )
            .unwrap();
            eprintln!(
                "indexed {} CCTV stories in {:.1?}",
                summary.docs,
                started.elapsed()
            );
            assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
            let engine = Engine::open(&dir, Analyzer::builtin()).unwrap();
            Some(Fixture {
                engine,
                docs: read_all(&path),
            })
        })
        .as_ref()
}

fn read_all(path: &Path) -> Vec<RawDoc> {
    let listing = corpus::discover(path).unwrap();
    let mut docs = Vec::new();
    corpus::read(&listing.files[0], |d| docs.push(d.unwrap())).unwrap();
    docs
}

fn count(engine: &Engine, query: &str, filters: Filters) -> usize {
    let mut request = Request::new(query);
    request.filters = filters;
    request.limit = 1;
    engine.search(&request).unwrap().total
}

#[test]
fn date_filters_and_year_counts_are_exact() {
    let Some(f) = fixture() else { return };
    assert_eq!(f.engine.num_docs(), 24_100);
    // Year counts of all stories, from the facets.
    let mut request = Request::new("*");
    request.facets = true;
    let results = f.engine.search(&request).unwrap();
    let counted: BTreeMap<String, u64> = results.facets.unwrap()["year"]
        .iter()
        .map(|y| (y.name.clone(), y.count))
        .collect();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for d in &f.docs {
        *expected
            .entry(d.meta.date.as_ref().unwrap()[..4].to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(counted, expected);

    // Date ranges, at each precision, against the metadata.
    for (since, until) in [
        (Some("2023"), Some("2023")),
        (Some("2023-03"), Some("2023-05")),
        (Some("2024-02-29"), Some("2024-03-01")),
        (None, Some("2022-06-30")),
        (Some("2026-01-15"), None),
    ] {
        let brute = f
            .docs
            .iter()
            .filter(|d| {
                let date = d.meta.date.as_deref().unwrap();
                since.is_none_or(|s| date >= s) && until.is_none_or(|u| &date[..u.len()] <= u)
            })
            .count();
        let filters = Filters {
            since: since.map(str::to_string),
            until: until.map(str::to_string),
            ..Filters::default()
        };
        assert_eq!(
            count(&f.engine, "*", filters),
            brute,
            "{since:?}..{until:?}"
        );
    }
    // With a query: 疫情 stories of 2022, against brute force over the text.
    let brute = f
        .docs
        .iter()
        .filter(|d| d.meta.date.as_deref().unwrap().starts_with("2022"))
        .filter(|d| {
            d.meta.title.as_deref().unwrap_or("").contains("疫情") || d.body.contains("疫情")
        })
        .count();
    let filters = Filters {
        since: Some("2022".into()),
        until: Some("2022".into()),
        ..Filters::default()
    };
    assert_eq!(count(&f.engine, "\"疫情\"", filters), brute);
}

#[test]
fn region_extraction_covers_the_corpus() {
    let Some(f) = fixture() else { return };
    let mut request = Request::new("*");
    request.facets = true;
    let facets = f.engine.search(&request).unwrap().facets.unwrap();
    let provinces: u64 = facets["region"].iter().map(|p| p.count).sum();
    // Most stories are national news; a sixth or so are about a place.
    assert!(
        provinces > 2_000 && provinces < 12_000,
        "{provinces} stories with a region"
    );
    // A filter by city includes its districts.
    let city = count(
        &f.engine,
        "*",
        Filters {
            regions: vec!["杭州".into()],
            ..Filters::default()
        },
    );
    let district = count(
        &f.engine,
        "*",
        Filters {
            regions: vec!["西湖区".into()],
            ..Filters::default()
        },
    );
    assert!(
        city >= district && city > 0,
        "杭州 {city}, 西湖区 {district}"
    );
}

#[test]
fn any_substring_of_the_cctv_corpus_finds_its_stories() {
    let Some(f) = fixture() else { return };
    let articles: Vec<common::Article> = f
        .docs
        .iter()
        .map(|d| common::Article {
            id: d.id.clone(),
            title: d.meta.title.clone().unwrap_or_default(),
            body: d.body.clone(),
        })
        .collect();
    let started = std::time::Instant::now();
    let report = common::check_recall(&f.engine, &articles, 2000, 7);
    eprintln!("recall: {report:?} in {:.1?}", started.elapsed());
    assert_eq!(report.quoted, 2000);
    assert!(report.unquoted > 1000, "{report:?}");
}
