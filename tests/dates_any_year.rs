//! Dates of any year from 1 to 9999 filter, sort and count correctly, at
//! the edges of the range a nanosecond timestamp could hold (1677-09-22 …
//! 2262-04-11) and far beyond it.

mod common;

use zhsearch::search::{Engine, Request, Sort};

/// Archive records, oldest first: (id, metadata date, text).
const RECORDS: &[(&str, &str, &str)] = &[
    (
        "y0001",
        "0001-01-01",
        "汉平帝元始元年的诏书抄本，藏于档案馆。",
    ),
    ("y0618", "0618", "唐高祖武德元年，长安城宣布改元。"),
    (
        "y1600",
        "1600-01-01",
        "明神宗万历二十八年正月初一的地方志记载。",
    ),
    (
        "y1677a",
        "1677-09-21",
        "康熙十六年八月的奏折，言及江南水利。",
    ),
    ("y1677b", "1677-09-22", "康熙十六年八月廿六日的户部题本。"),
    ("y1678", "1678", "康熙十七年的县志修订稿。"),
    ("y1950", "1950-10", "新中国成立初期的土地改革报道。"),
    (
        "y2262a",
        "2262-04-11",
        "科幻小说设定的二二六二年四月十一日。",
    ),
    (
        "y2262b",
        "2262-04-12",
        "科幻小说设定的二二六二年四月十二日。",
    ),
    ("y2300", "2300", "未来学家对二三〇〇年城市的设想。"),
    ("y9999", "9999-12-31", "时间胶囊约定的开启日期。"),
];

/// Every id, oldest first.
fn all() -> Vec<&'static str> {
    RECORDS.iter().map(|r| r.0).collect()
}

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let lines: Vec<String> = RECORDS
        .iter()
        .map(|(id, date, body)| {
            serde_json::json!({"id": id, "date": date, "body": body}).to_string()
        })
        .collect();
    std::fs::write(corpus.join("archive.jsonl"), lines.join("\n")).unwrap();
    let engine = common::library_engine(&corpus, &dir.path().join("index"));
    (dir, engine)
}

/// The ids matching `query`, oldest first (as in [`RECORDS`]).
fn matching(engine: &Engine, query: &str) -> Vec<&'static str> {
    let found = engine.ranked_ids(&Request::new(query), 100).unwrap();
    all()
        .into_iter()
        .filter(|id| found.iter().any(|f| f == id))
        .collect()
}

#[test]
fn every_record_keeps_its_date() {
    let (_dir, engine) = engine();
    for (id, date, _) in RECORDS {
        let doc = engine.document(id).unwrap().unwrap();
        assert_eq!(doc.meta.date.unwrap().display(), *date, "{id}");
    }
}

#[test]
fn since_an_early_year_finds_every_later_article() {
    let (_dir, engine) = engine();
    assert_eq!(matching(&engine, "date:1000.."), all()[2..]);
    assert_eq!(matching(&engine, "date:0001.."), all());
    assert_eq!(matching(&engine, "date:1677.."), all()[3..]);
    assert_eq!(matching(&engine, "date:1678.."), all()[5..]);
}

#[test]
fn until_a_late_year_finds_every_earlier_article() {
    let (_dir, engine) = engine();
    assert_eq!(matching(&engine, "date:..3000"), all()[..10]);
    assert_eq!(matching(&engine, "date:..9999"), all());
    assert_eq!(matching(&engine, "date:..2262"), all()[..9]);
    assert_eq!(matching(&engine, "date:..2261"), all()[..7]);
}

#[test]
fn an_article_from_1600_is_not_after_1900() {
    let (_dir, engine) = engine();
    let since = matching(&engine, "date:1900..");
    assert!(!since.contains(&"y1600"), "{since:?}");
    assert_eq!(since, ["y1950", "y2262a", "y2262b", "y2300", "y9999"]);
}

#[test]
fn an_article_from_2300_is_not_before_1950() {
    let (_dir, engine) = engine();
    let until = matching(&engine, "date:..1950");
    assert!(!until.contains(&"y2300"), "{until:?}");
    assert_eq!(until, all()[..7]);
}

#[test]
fn month_and_day_precision_across_the_edges() {
    let (_dir, engine) = engine();
    assert_eq!(matching(&engine, "date:1677-09"), ["y1677a", "y1677b"]);
    assert_eq!(matching(&engine, "date:1677-09-22.."), all()[4..]);
    assert_eq!(matching(&engine, "date:..1677-09-21"), all()[..4]);
    assert_eq!(matching(&engine, "date:2262-04-12"), ["y2262b"]);
    assert_eq!(matching(&engine, "date:2262-04-11"), ["y2262a"]);
    assert_eq!(matching(&engine, "date:2262-04-12.."), all()[8..]);
    // A year-precise date spans its year, a month-precise one its month.
    assert_eq!(matching(&engine, "date:0618-07-01"), ["y0618"]);
    assert_eq!(matching(&engine, "date:1950-10-31"), ["y1950"]);
    assert_eq!(matching(&engine, "date:9999-12"), ["y9999"]);
    assert_eq!(matching(&engine, "date:0001-01-01"), ["y0001"]);
}

#[test]
fn flags_filter_like_the_query_syntax() {
    let (_dir, engine) = engine();
    let mut request = Request::new("*");
    request.limit = 100;
    request.filters.since = Some("1000".into());
    request.filters.until = Some("3000".into());
    let found = engine.search(&request).unwrap();
    assert_eq!(found.total, 8, "{:?}", found.hits);
}

#[test]
fn sort_by_date_orders_every_year() {
    let (_dir, engine) = engine();
    let mut request = Request::new("*");
    request.limit = 100;
    request.sort = Sort::Date;
    let order: Vec<String> = engine
        .search(&request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.record.id)
        .collect();
    let mut newest_first = all();
    newest_first.reverse();
    assert_eq!(order, newest_first);
}

#[test]
fn the_year_facet_lists_every_year_newest_first() {
    let (_dir, engine) = engine();
    let mut request = Request::new("*");
    request.facets = true;
    let facets = engine.search(&request).unwrap().facets.unwrap();
    let years: Vec<&str> = facets["year"].iter().map(|y| y.name.as_str()).collect();
    assert_eq!(
        years,
        [
            "9999", "2300", "2262", "1950", "1678", "1677", "1600", "0618", "0001"
        ]
    );
    assert_eq!(facets.undated, 0);
}
