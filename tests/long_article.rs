//! A long article (about 3 MB: the bundled articles with every sentence
//! numbered, repeated) is stored in pages, and a search that matches it reads
//! and highlights only the pages around its matches (issue 10). Its snippets
//! still show exactly the matched characters, wherever they are in it.

mod common;

use std::sync::OnceLock;

use zhsearch::analysis::search_key;
use zhsearch::corpus;
use zhsearch::indexer::pages::{self, Pages};
use zhsearch::search::{Engine, Hit, Request};

const ID: &str = "long";
/// A document number that the bundled articles do not have, near the end.
const NEAR_THE_END: &str = "文件编号：粤府办〔２０２６〕９９号";

struct Fixture {
    engine: Engine,
    body: String,
}

/// The bundled articles' bodies, each sentence numbered (so that any
/// passage around a sentence end occurs once), repeated to about 3 MB, with
/// [`NEAR_THE_END`] a few sentences before the end.
fn long_body() -> String {
    let listing = corpus::discover(&common::bundled_corpus()).unwrap();
    let mut texts = Vec::new();
    for file in &listing.files {
        corpus::read(file, |d| texts.push(d.unwrap().body)).unwrap();
    }
    let mut body = String::new();
    let mut sentence = 0;
    while body.len() < 3_000_000 {
        for text in &texts {
            for part in text.split_inclusive('。') {
                match part.strip_suffix('。') {
                    Some(head) => {
                        sentence += 1;
                        body.push_str(&format!("{head}（{sentence}）。"));
                    }
                    None => body.push_str(part),
                }
            }
        }
    }
    body.push_str(NEAR_THE_END);
    body.push_str("。高明区召开党建工作会议。");
    body
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // A static is never dropped: the index lives under target/, made
        // anew by each run, rather than in a temporary directory left behind.
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("long_article");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let body = long_body();
        let record = serde_json::json!({"id": ID, "title": "长篇合集", "body": body});
        std::fs::create_dir(dir.join("corpus")).unwrap();
        std::fs::write(dir.join("corpus/long.jsonl"), format!("{record}\n")).unwrap();
        for name in ["000_e19cf532170f2a3e.txt", "002_6bc2cfcd6b5cfc07.txt"] {
            std::fs::copy(
                common::bundled_corpus().join(name),
                dir.join("corpus").join(name),
            )
            .unwrap();
        }
        let engine = common::library_engine(&dir.join("corpus"), &dir.join("index"));
        Fixture { engine, body }
    })
}

/// The long article's hit for `query`.
fn hit(query: &str) -> Hit {
    let mut request = Request::new(query);
    request.limit = 100;
    let results = fixture().engine.search(&request).unwrap();
    results
        .hits
        .into_iter()
        .find(|h| h.record.id == ID)
        .unwrap_or_else(|| panic!("{query} does not find the long article"))
}

/// Checks a hit's snippet against the article: every passage is text of
/// the article (whitespace collapsed), and every highlight is a match of the
/// query's key.
fn check_snippet(hit: &Hit, query_key: &str) {
    let snippet = &hit.snippet;
    let collapsed: String = fixture()
        .body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for passage in snippet.text.split(" … ") {
        let passage = passage.trim_matches('…');
        assert!(
            collapsed.contains(passage),
            "{passage:?} is not in the article"
        );
    }
    assert!(!snippet.highlights.is_empty(), "{}", snippet.text);
    for r in &snippet.highlights {
        let lit = &snippet.text[r.clone()];
        assert!(
            query_key.contains(&search_key(lit)),
            "{lit:?} is not part of {query_key:?}: {}",
            snippet.text
        );
    }
    assert_eq!(snippet.char_highlights().len(), snippet.highlights.len());
}

#[test]
fn a_long_article_is_stored_in_pages_and_shown_whole() {
    let f = fixture();
    assert!(f.body.len() > 20 * pages::PAGED_BYTES);
    let doc = f.engine.document(ID).unwrap().unwrap();
    assert!(
        doc.body == f.body,
        "the stored body differs from the article"
    );
    assert_eq!(doc.title, "长篇合集");
}

#[test]
fn a_match_near_the_end_of_a_long_article_is_highlighted() {
    let h = hit("\"粤府办〔2026〕99号\"");
    let marked = h.snippet.marked("[", "]");
    assert_eq!(marked.matches('[').count(), 3, "{marked}");
    assert!(
        marked.contains("[粤府办]〔[２０２６]〕[９９号]"),
        "{marked}"
    );
    check_snippet(&h, &search_key("粤府办〔2026〕99号"));
}

#[test]
fn a_match_across_two_pages_is_highlighted_whole() {
    let f = fixture();
    let pages = Pages::read(&pages::write(&f.body)[0]).unwrap();
    // The end of a page in the middle: a numbered sentence end, so that the
    // passage around it occurs once in the article.
    let end = pages.bytes_of(pages.len() / 2).end;
    let before: String = f.body[..end].chars().rev().take(8).collect();
    let before: String = before.chars().rev().collect();
    let after: String = f.body[end..].chars().take(6).collect();
    let passage = format!("{before}{after}");
    assert_eq!(f.body.matches(&passage).count(), 1, "{passage}");
    let h = hit(&format!("\"{passage}\""));
    let lit: String = h
        .snippet
        .highlights
        .iter()
        .map(|r| &h.snippet.text[r.clone()])
        .collect();
    assert_eq!(search_key(&lit), search_key(&passage).replace(' ', ""));
    check_snippet(&h, &search_key(&passage));
}

#[test]
fn words_of_a_long_article_get_snippets_from_its_text() {
    for query in [
        "党建",
        "高明 尖刀班",
        "\"高质量发展\"",
        "党",
        "街道 OR 陈皮",
    ] {
        let h = hit(query);
        let key = match query {
            "高明 尖刀班" => "高明 尖刀班".to_string(),
            "街道 OR 陈皮" => "街道 陈皮".to_string(),
            q => search_key(q),
        };
        // Each highlight is one of the query's words.
        let words: Vec<String> = key.split(' ').map(search_key).collect();
        for r in &h.snippet.highlights {
            let lit = search_key(&h.snippet.text[r.clone()]);
            assert!(
                words.iter().any(|w| w.contains(&lit)),
                "{query}: {lit:?} in {}",
                h.snippet.text
            );
        }
        check_snippet(&h, &key);
    }
}

#[test]
fn a_long_article_found_by_its_title_shows_its_start() {
    let h = hit("title:合集");
    let words: Vec<&str> = fixture().body.split_whitespace().collect();
    let start: String = words.join(" ").chars().take(20).collect();
    assert!(h.snippet.text.starts_with(&start), "{}", h.snippet.text);
    assert!(h.snippet.highlights.is_empty());
}
