//! The server's facets as the page uses them: the facet table
//! (`/api/facet-specs`), disjunctive counts (each facet counted without
//! its own filter, so that each count is what a click gives), the articles
//! with no value, and the page's files sent compressed.

mod common;
#[path = "common/server.rs"]
mod server;

use common::TestEnv;
use serde_json::Value;
use server::{Server, enc};

fn served() -> (TestEnv, Server) {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    let server = Server::start(&env, &[]);
    (env, server)
}

/// The `(path, count)` of the top level of facet `name` in a `facets` object.
fn top(facets: &Value, name: &str) -> Vec<(String, u64)> {
    facets[name]
        .as_array()
        .unwrap_or_else(|| panic!("no {name} in {facets}"))
        .iter()
        .map(|n| {
            (
                n["path"].as_str().unwrap().to_string(),
                n["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn facet_specs_list_the_facets_the_api_counts() {
    let (_env, server) = served();
    let specs = server.get_json("/api/facet-specs");
    let names: Vec<&str> = specs["facets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let counts = server.get_json("/api/facets");
    let keys: Vec<&str> = counts["facets"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "undated")
        .collect();
    assert_eq!(names, keys);
    let region = &specs["facets"][0];
    assert_eq!(region["label"], "地区");
    assert_eq!(region["param"], "region");
    // Each filter parameter is one the API takes and describes.
    let spec = server.get_json("/api/openapi.json");
    for facet in specs["facets"].as_array().unwrap() {
        if let Some(param) = facet["param"].as_str() {
            assert!(
                spec["components"]["parameters"][param].is_object(),
                "{param} is not described"
            );
            let reply = server.get(&format!("/api/facets?{param}=x"));
            assert!(
                !reply.body.contains("unknown parameter"),
                "{param}: {}",
                reply.body
            );
        }
    }
}

#[test]
fn a_region_count_is_what_choosing_it_gives() {
    let (_env, server) = served();
    let query = enc("党建");
    let chosen = enc("/广东省/佛山市");
    let plain = server.get_json(&format!("/api/facets?q={query}&region={chosen}"));
    let disjunctive = server.get_json(&format!(
        "/api/facets?q={query}&region={chosen}&disjunctive=true"
    ));
    // Conjunctive (as before, as the CLI): only 佛山市's province is left.
    assert_eq!(top(&plain["facets"], "region").len(), 1);
    assert!(plain["facets"].get("missing").is_none());
    // Disjunctive: the regions as without the region filter …
    let unfiltered = server.get_json(&format!("/api/facets?q={query}"));
    assert_eq!(
        disjunctive["facets"]["region"], unfiltered["facets"]["region"],
        "regions counted without their own filter"
    );
    // … while the other facets keep it.
    assert_eq!(disjunctive["facets"]["topic"], plain["facets"]["topic"]);
    assert_eq!(disjunctive["facets"]["year"], plain["facets"]["year"]);
    assert_eq!(disjunctive["total"], plain["total"]);
    // Every district's count is the total of choosing it instead.
    for province in disjunctive["facets"]["region"].as_array().unwrap() {
        for city in province["children"].as_array().unwrap() {
            let path = city["path"].as_str().unwrap();
            let alone = server.get_json(&format!("/api/facets?q={query}&region={}", enc(path)));
            assert_eq!(alone["total"], city["count"], "{path}");
        }
    }
}

#[test]
fn year_and_topic_counts_leave_their_own_filter_out() {
    let (_env, server) = served();
    let with = server.get_json(&format!(
        "/api/search?q=*&topic={}&since=2023&until=2023&facets=true&disjunctive=true",
        enc("党建")
    ));
    let topic_only = server.get_json(&format!("/api/facets?topic={}", enc("党建")));
    let year_only = server.get_json("/api/facets?since=2023&until=2023");
    assert_eq!(with["facets"]["year"], topic_only["facets"]["year"]);
    assert_eq!(with["facets"]["undated"], topic_only["facets"]["undated"]);
    assert_eq!(with["facets"]["topic"], year_only["facets"]["topic"]);
    for (path, count) in top(&with["facets"], "topic") {
        let name = path.trim_start_matches('/');
        let alone = server.get_json(&format!(
            "/api/facets?topic={}&since=2023&until=2023",
            enc(name)
        ));
        assert_eq!(alone["total"].as_u64(), Some(count), "{name}");
    }
}

#[test]
fn missing_counts_the_articles_with_no_value() {
    let env = TestEnv::with_bundled_corpus();
    env.write(
        "corpus/nowhere.txt",
        "---\ntitle: 没有地点的党建短讯\n---\n党建工作座谈会召开，与会者交流了经验。\n",
    );
    env.index();
    let server = Server::start(&env, &[]);
    let all = server.get_json("/api/facets?disjunctive=true");
    let missing = &all["facets"]["missing"];
    assert_eq!(missing["region"], 1, "{missing}");
    assert_eq!(missing["year"], all["facets"]["undated"]);
    let total = all["total"].as_u64().unwrap();
    let placed = server.get_json(&format!("/api/facets?region={}", enc("广东省")));
    assert_eq!(placed["total"].as_u64().unwrap() + 1, total);
}

#[test]
fn the_page_is_sent_compressed_when_accepted() {
    let (_env, server) = served();
    for path in ["/", "/app.js", "/style.css", "/api/openapi.json"] {
        let host = server.addr;
        let (status, gzipped) = server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n"
        ));
        assert_eq!(status, 200, "{path}");
        let head = gzipped
            .split("\r\n\r\n")
            .next()
            .unwrap()
            .to_ascii_lowercase();
        assert!(head.contains("content-encoding: gzip"), "{path}: {head}");
        assert!(head.contains("vary: accept-encoding"), "{path}: {head}");
        let (_, plain) = server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ));
        let head = plain.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
        assert!(!head.contains("content-encoding"), "{path}: {head}");
        let length = |response: &str| -> usize {
            response
                .to_ascii_lowercase()
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length: ")
                        .map(|n| n.trim().parse().unwrap())
                })
                .unwrap_or_else(|| panic!("{path}: no content-length"))
        };
        assert!(length(&gzipped) < length(&plain), "{path}");
    }
}

#[test]
fn a_misspelt_word_gets_a_suggestion() {
    let env = TestEnv::new();
    for i in 0..4 {
        env.write(
            &format!("corpus/{i}.txt"),
            format!(
                "---\ntitle: 简报{i}\n---\n全面推进乡村振兴，第{i}次会议在贵州省召开，５Ｇ进村。\n"
            ),
        );
    }
    env.index();
    let server = Server::start(&env, &[]);
    let suggest =
        |q: &str| server.get_json(&format!("/api/suggest?q={}", enc(q)))["suggestion"].clone();
    assert_eq!(suggest("乡村振新"), "乡村振兴");
    assert_eq!(suggest("贵州 乡村振新"), "贵州 乡村振兴");
    assert_eq!(suggest("乡村振兴"), Value::Null, "a word the index holds");
    assert_eq!(suggest("乡村振"), Value::Null, "no character is added");
    assert_eq!(suggest("推进乡村振兴会议"), Value::Null, "nor dropped");
    assert_eq!(
        suggest("-振新 region:贵州"),
        Value::Null,
        "operators and filters"
    );
    let reply = server.get("/api/suggest?q=a&limit=1");
    assert_eq!(reply.status, 400, "{}", reply.body);
}
