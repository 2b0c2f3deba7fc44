//! A search past its deadline stops with `Error::Cancelled` (the server
//! answers 503 and logs nothing), whatever it was doing: collecting the
//! hits by relevance or by date, counting facets, expanding a single
//! character into every term that starts with it, building snippets.

mod common;

use std::time::Duration;

use zhsearch::Error;
use zhsearch::deadline::Deadline;
use zhsearch::search::{Engine, Request, Sort};

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = common::library_engine(&common::bundled_corpus(), &dir.path().join("index"));
    (dir, engine)
}

fn cancelled(query: &str) -> Request {
    let mut request = Request::new(query);
    let deadline = Deadline::never();
    deadline.cancel();
    request.deadline = deadline;
    request
}

#[track_caller]
fn assert_cancelled(engine: &Engine, request: &Request) {
    match engine.search(request) {
        Err(Error::Cancelled(_)) => {}
        other => panic!("{:?}: {other:?}", request.query),
    }
}

#[test]
fn a_cancelled_search_by_relevance_stops() {
    let (_dir, engine) = engine();
    assert_cancelled(&engine, &cancelled("高质量发展"));
}

#[test]
fn a_cancelled_search_by_date_with_facets_stops() {
    let (_dir, engine) = engine();
    let mut request = cancelled("党建 OR 发展");
    request.sort = Sort::Date;
    request.facets = true;
    assert_cancelled(&engine, &request);
}

#[test]
fn a_cancelled_single_character_search_stops() {
    let (_dir, engine) = engine();
    // 的 alone: every n-gram that starts with it.
    assert_cancelled(&engine, &cancelled("的"));
}

#[test]
fn a_search_within_its_deadline_finds_what_it_always_found() {
    let (_dir, engine) = engine();
    for query in ["的", "高质量发展", "\"基层党建\" OR 佛山", "*"] {
        let mut request = Request::new(query);
        request.facets = true;
        let without = engine.search(&request).unwrap();
        request.deadline = Deadline::after(Duration::from_secs(3600));
        let within = engine.search(&request).unwrap();
        let ids = |r: &zhsearch::search::Results| -> Vec<(String, String)> {
            r.hits
                .iter()
                .map(|h| (h.record.id.clone(), h.snippet.text.clone()))
                .collect()
        };
        assert_eq!(ids(&within), ids(&without), "{query}");
        assert_eq!(within.total, without.total, "{query}");
        assert_eq!(within.facets, without.facets, "{query}");
    }
}
