//! Helpers for the date tests (the bundled corpus, a paragraph to put dates around) and
//! tests of the whole extraction: the bundled corpus, running text, arbitrary text and the
//! CCTV corpus.

use super::*;
use crate::date::{DateSource, DocDate, Precision, parse_bound};

/// A bundled corpus file split as the corpus reader does: first non-empty line as the
/// title, the rest as the body.
pub(super) fn corpus(text: &'static str) -> (&'static str, &'static str) {
    let text = text.trim_start();
    text.split_once('\n').unwrap_or((text, ""))
}

/// [`extract_date`] on a bundled corpus file.
pub(super) fn corpus_date(text: &'static str) -> Option<DocDate> {
    let (title, body) = corpus(text);
    extract_date(title, body)
}

pub(super) const C000: &str = include_str!("../../../corpus/000_e19cf532170f2a3e.txt");

pub(super) const C001: &str = include_str!("../../../corpus/001_eda8d542acb23e2d.txt");

pub(super) const C002: &str = include_str!("../../../corpus/002_6bc2cfcd6b5cfc07.txt");

pub(super) const C003: &str = include_str!("../../../corpus/003_8f3e609361c084a5.txt");

pub(super) const C004: &str = include_str!("../../../corpus/004_ec023b9238a4b3cd.txt");

/// A sentence from 001 used as running text around the dates under test.
pub(super) const PARAGRAPH: &str =
    "欢迎广大干部群众对巡视整改落实情况进行监督。如有意见建议,请及时向我们反映。";

pub(super) fn date(body: &str) -> Option<DocDate> {
    extract_date("", body)
}

pub(super) fn day(d: &Option<DocDate>) -> Option<(String, Precision, DateSource)> {
    d.as_ref().map(|d| (d.display(), d.precision, d.source))
}

pub(super) fn text_day(s: &str) -> Option<(String, Precision, DateSource)> {
    Some((s.to_string(), Precision::Day, DateSource::Text))
}

pub(super) fn inferred(year: &str) -> Option<(String, Precision, DateSource)> {
    Some((year.to_string(), Precision::Year, DateSource::Inferred))
}

/// Asserts the date, precision and source, and that the evidence names each fragment.
pub(super) fn assert_date(
    d: Option<DocDate>,
    expected: Option<(String, Precision, DateSource)>,
    fragments: &[&str],
) {
    assert_eq!(day(&d), expected);
    let evidence = d.map(|d| d.evidence).unwrap_or_default();
    for f in fragments {
        assert!(evidence.contains(f), "{f:?} not in {evidence:?}");
    }
}

#[test]
fn dates_in_the_opening_sentence_are_events() {
    // 001 without its signature: the first paragraph is full of dates
    // (2023年4月24日至7月26日, 2023年10月27日), all of them events.
    let (title, body) = corpus(C001);
    let unsigned = body.rsplit_once("中共佛山市高明区委").unwrap().0;
    assert_eq!(extract_date(title, unsigned), None);
}

#[test]
fn many_past_dates_and_no_statement_of_when_000() {
    // 000 mentions 2014年, 2017年, 2018年至2020年底, 2019年4月12日, 今年7月23日,
    // 今年6月30日, 去年11月18日 but nowhere says when it was written.
    assert_eq!(corpus_date(C000), None);
}

/// Exactly what the bundled corpus yields; the reasons are in the tests above.
#[test]
fn bundled_corpus_dates() {
    let got: Vec<Option<(String, Precision, DateSource)>> = [C000, C001, C002, C003, C004]
        .into_iter()
        .map(|c| day(&corpus_date(c)))
        .collect();
    let expected = vec![
        None,                   // 000: only event dates and unanchored 今年
        text_day("2024-09-26"), // 001: signature 中共佛山市高明区委 2024年9月26日
        inferred("2020"),       // 002: 南沙自贸片区挂牌5年以来, 2015+5
        inferred("2023"),       // 003: 《新会区2023年…实施意见》 and 二十大精神开局之年
        None,                   // 004: spun, 本年 without anchor
    ];
    assert_eq!(got, expected);
}

#[test]
fn never_panics_on_arbitrary_text() {
    const POOL: &[&str] = &[
        "年",
        "月",
        "日",
        "号",
        "2024",
        "9",
        "26",
        "０",
        "〇",
        "二",
        "十",
        "周年",
        "之际",
        "今年是",
        "去年",
        "建党",
        "挂牌",
        "南沙自贸片区",
        "《",
        "》",
        "方案",
        "新会区",
        "印发",
        ",",
        "。",
        "\n",
        " ",
        "-",
        "/",
        ":",
        "T",
        "Z",
        "至",
        "中共佛山市高明区委",
        "开局之年",
        "十四五",
        "é",
        "\\",
        "😀",
        "今天",
        "(",
        ")",
        "（",
        "电",
        "讯",
        "_",
        "|",
        "第十一个",
        "国家公祭日",
        "十四届全国人大二次会议",
        "开幕",
        "山西青年报",
        "一九八八",
    ];
    for s in crate::extract::topic::tests::random_texts(POOL, 3000, 40) {
        if let Some(d) = extract_date(&s, &s) {
            assert!(d.first_day() <= d.last_day(), "{s:?}");
        }
        let _ = DocDate::from_metadata(&s);
        let _ = parse_bound(&s);
    }
}

/// Runs [`extract_date`] on every story of the CCTV corpus, ignoring its metadata,
/// and compares with the metadata date (skipped, saying so, where the
/// corpus is absent). Research data, never committed:
/// `cargo test --release --lib extract::date -- --nocapture`.
#[test]
fn cctv_dates_agree_with_metadata() {
    use std::io::BufRead;
    let Some(file) = crate::extract::topic::tests::cctv_file() else {
        return;
    };
    let (mut stories, mut dated, mut day_dated, mut wrong, mut wrong_day, mut bytes) =
        (0, 0, 0, 0, 0, 0);
    let mut by_kind = std::collections::BTreeMap::<String, (u32, u32)>::new();
    let mut elapsed = std::time::Duration::ZERO;
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let (title, body) = (v["title"].as_str().unwrap(), v["body"].as_str().unwrap());
        let meta = DocDate::from_metadata(v["date"].as_str().unwrap()).unwrap();
        stories += 1;
        bytes += title.len() + body.len();
        let start = std::time::Instant::now();
        let found = extract_date(title, body);
        elapsed += start.elapsed();
        let Some(d) = found else { continue };
        dated += 1;
        let ok = d.first_day() <= meta.first_day() && meta.first_day() <= d.last_day();
        let kind = d.evidence.split(':').next().unwrap_or("").to_string();
        let entry = by_kind
            .entry(format!("{} {kind}", d.precision.as_str()))
            .or_default();
        entry.0 += 1;
        if d.precision == Precision::Day {
            day_dated += 1;
        }
        if !ok {
            wrong += 1;
            entry.1 += 1;
            if d.precision == Precision::Day {
                wrong_day += 1;
                // A signed document reported the next day: off by one, never more.
                let apart = (meta.first_day() - d.first_day()).get_days().abs();
                assert!(apart <= 1, "{} vs {}", d.display(), meta.display());
            }
            // Dates and provenance only: the corpus text is not reproduced.
            println!(
                "mismatch: metadata {} extracted {} ({})",
                meta.display(),
                d.display(),
                d.precision.as_str()
            );
        }
    }
    println!(
        "{stories} stories, {:.1} MB: {dated} dated ({day_dated} to the day), {wrong} wrong ({wrong_day} to the day)",
        bytes as f64 / 1e6
    );
    for (kind, (n, bad)) in &by_kind {
        println!("  {kind:<28} {n:>5} dated, {bad} wrong");
    }
    println!(
        "extract_date: {:.1} ms per MB",
        elapsed.as_secs_f64() * 1e3 / (bytes as f64 / 1e6)
    );
    assert!(stories > 20_000, "{stories} stories");
    assert!(dated > 100, "only {dated} dated");
    assert!(wrong * 100 <= dated, "{wrong} of {dated} wrong");
    assert!(
        wrong_day * 10 <= day_dated,
        "{wrong_day} of {day_dated} day-precise dates wrong"
    );
}
