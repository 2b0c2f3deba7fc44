//! Region, date and topic: extraction on the bundled corpus, filters, facet
//! counts checked against brute force, and the `facets`, `show` and
//! `extract` commands.

mod common;

use std::collections::BTreeMap;

use common::TestEnv;
use serde_json::Value;

const GAOMING_000: &str = "000_e19cf532170f2a3e.txt";
const GAOMING_001: &str = "001_eda8d542acb23e2d.txt";
const NANSHA: &str = "002_6bc2cfcd6b5cfc07.txt";
const XINHUI: &str = "003_8f3e609361c084a5.txt";
const CHANCHENG: &str = "004_ec023b9238a4b3cd.txt";
const ALL: [&str; 5] = [GAOMING_000, GAOMING_001, NANSHA, XINHUI, CHANCHENG];

fn indexed() -> TestEnv {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    env
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Every hit of a query (with extra flags), as JSON.
fn hits(env: &TestEnv, query: &str, flags: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "search", query, "--index", "index", "--json", "--limit", "1000",
    ];
    args.extend_from_slice(flags);
    let run = env.run(&args);
    assert!(run.code == 0 || run.code == 1, "{query} {flags:?}: {run:?}");
    run.json_lines()
        .into_iter()
        .filter(|v| v.get("id").is_some())
        .collect()
}

fn ids(env: &TestEnv, query: &str, flags: &[&str]) -> Vec<String> {
    sorted(
        hits(env, query, flags)
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect(),
    )
}

#[test]
fn every_bundled_article_gets_its_district() {
    let env = indexed();
    let expected = [
        (GAOMING_000, "/广东省/佛山市/高明区"),
        (GAOMING_001, "/广东省/佛山市/高明区"),
        (NANSHA, "/广东省/广州市/南沙区"),
        (XINHUI, "/广东省/江门市/新会区"),
        (CHANCHENG, "/广东省/佛山市/禅城区"),
    ];
    for (id, region) in expected {
        let run = env
            .run(&["show", id, "--index", "index", "--json"])
            .expect_code(0);
        let doc = &run.json_lines()[0];
        assert_eq!(doc["meta"]["regions"], serde_json::json!([region]), "{id}");
    }
}

#[test]
fn dates_are_only_as_precise_as_the_text_says() {
    let env = indexed();
    for id in ALL {
        let run = env
            .run(&["show", id, "--index", "index", "--json"])
            .expect_code(0);
        let date = &run.json_lines()[0]["meta"]["date"];
        if id == GAOMING_001 {
            // Dated from its signature.
            assert_eq!(date["year"], 2024);
            assert_eq!(date["month"], 9);
            assert_eq!(date["day"], 26);
            assert_eq!(date["precision"], "day");
            assert_eq!(date["source"], "text");
        } else if !date.is_null() {
            assert_ne!(
                date["precision"], "day",
                "{id} got a day it does not state: {date}"
            );
        }
    }
    // The human output shows precision and provenance.
    let run = env
        .run(&["show", GAOMING_001, "--index", "index", "--color", "never"])
        .expect_code(0);
    assert!(
        run.stdout.contains("2024-09-26 (day, text; signature:"),
        "{}",
        run.stdout
    );
}

/// An article in Traditional characters gets its region like any other.
#[test]
fn traditional_text_gets_its_region() {
    let env = TestEnv::new();
    env.write(
        "corpus/trad.txt",
        "佛山市高明區召開黨建工作會議\n\n高明區委書記出席會議。會議在高明區明城鎮舉行，\
         高明區各鎮街負責人參加。",
    );
    env.index();
    assert_eq!(ids(&env, "*", &["--region", "高明"]), ["trad.txt"]);
    assert_eq!(ids(&env, "黨建", &["--region", "佛山"]), ["trad.txt"]);
}

#[test]
fn region_filters_accept_any_level_and_either_form() {
    let env = indexed();
    let all = "*";
    assert_eq!(
        ids(&env, all, &["--region", "佛山"]),
        [GAOMING_000, GAOMING_001, CHANCHENG]
    );
    assert_eq!(
        ids(&env, all, &["--region", "佛山市"]),
        [GAOMING_000, GAOMING_001, CHANCHENG]
    );
    assert_eq!(
        ids(&env, all, &["--region", "高明"]),
        [GAOMING_000, GAOMING_001]
    );
    assert_eq!(
        ids(&env, all, &["--region", "高明区"]),
        [GAOMING_000, GAOMING_001]
    );
    assert_eq!(ids(&env, all, &["--region", "广东"]).len(), 5);
    assert_eq!(
        ids(&env, all, &["--region", "南沙", "--region", "新会"]),
        [NANSHA, XINHUI]
    );
    // The same filter written in the query means the same.
    assert_eq!(
        ids(&env, "region:佛山", &[]),
        ids(&env, all, &["--region", "佛山"])
    );
    assert_eq!(
        ids(&env, "党建 region:高明", &[]),
        [GAOMING_000, GAOMING_001]
    );
    // Traditional characters name the same places.
    assert_eq!(ids(&env, "region:高明區", &[]), [GAOMING_000, GAOMING_001]);
    // An unknown place is an error with suggestions.
    let run = env
        .run(&["search", "党建", "--index", "index", "--region", "佛三"])
        .expect_code(2);
    assert!(
        run.stderr.contains("unknown region") && run.stderr.contains("佛山市"),
        "{}",
        run.stderr
    );
}

#[test]
fn date_filters_and_sorting() {
    let env = indexed();
    // 001 is dated 2024-09-26, 003 2023 and 002 2020 (inferred years).
    assert_eq!(ids(&env, "*", &["--since", "2024"]), [GAOMING_001]);
    assert_eq!(
        ids(&env, "*", &["--since", "2023", "--until", "2024-12"]),
        [GAOMING_001, XINHUI]
    );
    assert_eq!(ids(&env, "*", &["--until", "2023-06"]), [NANSHA, XINHUI]);
    assert!(ids(&env, "*", &["--since", "2024-09-27"]).is_empty());
    assert_eq!(
        ids(
            &env,
            "*",
            &["--since", "2024-09-26", "--until", "2024-09-26"]
        ),
        [GAOMING_001]
    );
    assert_eq!(ids(&env, "date:2023..2024-12", &[]), [GAOMING_001, XINHUI]);
    // Undated articles are left out, and said to be.
    let run = env.run(&[
        "search", "党建", "--index", "index", "--since", "2020", "--json",
    ]);
    assert!(run.stderr.contains("no known date"), "{}", run.stderr);
    // Bad dates point at the problem.
    let run = env
        .run(&["search", "党建", "--index", "index", "--since", "2024-13"])
        .expect_code(2);
    assert!(run.stderr.contains("2024-13"), "{}", run.stderr);
    env.run(&["search", "党建 date:2025..2023", "--index", "index"])
        .expect_code(2);
    // --sort date: newest first, undated last.
    let order: Vec<String> = hits(&env, "党建", &["--sort", "date"])
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order[..3], [GAOMING_001, XINHUI, NANSHA]);
}

#[test]
fn topic_filters() {
    let env = indexed();
    let with_topic = ids(&env, "*", &["--topic", "疫情防控"]);
    assert_eq!(with_topic, [NANSHA]);
    assert_eq!(ids(&env, "topic:疫情防控", &[]), with_topic);
    // The spun 禅城 article is 党建 through the taxonomy's variants (党筑).
    assert!(ids(&env, "*", &["--topic", "党建"]).contains(&CHANCHENG.to_string()));
    let run = env
        .run(&["search", "*", "--index", "index", "--topic", "党"])
        .expect_code(2);
    assert!(run.stderr.contains("did you mean `党建`"), "{}", run.stderr);
    // The list of topics names each topic, and nothing else.
    let list = run.stderr.split("Topics in this index: ").nth(1).unwrap();
    let names: Vec<&str> = list.lines().next().unwrap().split(", ").collect();
    assert!(names.contains(&"疫情防控"), "{names:?}");
    assert!(names.iter().all(|n| !n.trim().is_empty()), "{names:?}");
}

/// Counts per facet path computed from the hits themselves.
fn brute_force(hits: &[Value], key: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for hit in hits {
        let mut paths = std::collections::BTreeSet::new();
        let meta = &hit["meta"];
        let values: Vec<String> = match key {
            "region" => meta["regions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
            "topic" => meta["topics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| format!("/{}", t["topic"].as_str().unwrap()))
                .collect(),
            "year" => match meta.get("date") {
                Some(d) if !d.is_null() => {
                    let mut p = format!("/{}", d["year"]);
                    if let Some(m) = d["month"].as_u64() {
                        p = format!("{p}/{m:02}");
                    }
                    vec![p]
                }
                _ => vec![],
            },
            _ => unreachable!(),
        };
        for value in values {
            // Every ancestor counts, once per article.
            let parts: Vec<&str> = value.split('/').filter(|p| !p.is_empty()).collect();
            for depth in 1..=parts.len() {
                paths.insert(format!("/{}", parts[..depth].join("/")));
            }
        }
        for p in paths {
            *counts.entry(p).or_insert(0) += 1;
        }
    }
    counts
}

fn flatten(nodes: &Value, out: &mut BTreeMap<String, u64>) {
    for node in nodes.as_array().unwrap() {
        out.insert(
            node["path"].as_str().unwrap().to_string(),
            node["count"].as_u64().unwrap(),
        );
        if let Some(children) = node.get("children") {
            flatten(children, out);
        }
    }
}

#[test]
fn facet_counts_equal_brute_force_counts() {
    let env = indexed();
    for (query, flags) in [
        ("*", vec![]),
        ("党建", vec![]),
        ("高质量发展", vec![]),
        ("*", vec!["--region", "佛山"]),
        ("干部", vec!["--since", "2020"]),
    ] {
        let matching = hits(&env, query, &flags);
        let mut args = vec!["facets", query, "--index", "index", "--json"];
        args.extend_from_slice(&flags);
        let run = env.run(&args).expect_code(0);
        let out = &run.json_lines()[0];
        assert_eq!(out["total"].as_u64().unwrap() as usize, matching.len());
        for key in ["region", "topic", "year"] {
            let mut counted = BTreeMap::new();
            flatten(&out["facets"][key], &mut counted);
            assert_eq!(
                counted,
                brute_force(&matching, key),
                "{key} for {query} {flags:?}"
            );
        }
        // Articles in no year are counted apart.
        let undated = matching
            .iter()
            .filter(|h| h["meta"].get("date").is_none_or(Value::is_null))
            .count();
        assert_eq!(
            out["facets"]["undated"].as_u64().unwrap() as usize,
            undated,
            "undated for {query} {flags:?}"
        );
    }
    // On the terminal too.
    let run = env
        .run(&["facets", "*", "--index", "index", "--color", "never"])
        .expect_code(0);
    assert!(run.stdout.contains("(no date)"), "{}", run.stdout);
}

#[test]
fn facets_commands_print_trees() {
    let env = indexed();
    let run = env
        .run(&["facets", "--index", "index", "--color", "never"])
        .expect_code(0);
    assert!(
        run.stdout.starts_with("5 matching articles"),
        "{}",
        run.stdout
    );
    let region_tree = "region\n  广东省                      5\n    佛山市                    3\n      高明区                  2\n";
    assert!(run.stdout.contains(region_tree), "{}", run.stdout);
    let run = env
        .run(&[
            "search",
            "乡村振兴",
            "--index",
            "index",
            "--facets",
            "--color",
            "never",
        ])
        .expect_code(0);
    assert!(
        run.stdout.contains("hits, showing") && run.stdout.contains("\nregion\n"),
        "{}",
        run.stdout
    );
    // Each hit shows its region, date and topics beside the title.
    let run = env
        .run(&["search", "巡视整改", "--index", "index", "--color", "never"])
        .expect_code(0);
    assert!(
        run.stdout.contains("高明区 · 2024-09-26 · 纪检监察与巡视"),
        "{}",
        run.stdout
    );
    // JSON search output ends with the facets object.
    let run = env
        .run(&["search", "党建", "--index", "index", "--json", "--facets"])
        .expect_code(0);
    let lines = run.json_lines();
    assert!(lines.last().unwrap().get("facets").is_some());
}

#[test]
fn extract_prints_metadata_without_indexing() {
    let env = TestEnv::with_bundled_corpus();
    let run = env
        .run(&[
            "extract",
            "corpus/001_eda8d542acb23e2d.txt",
            "corpus/002_6bc2cfcd6b5cfc07.txt",
            "--json",
        ])
        .expect_code(0);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["meta"]["date"]["day"], 26);
    assert_eq!(lines[1]["meta"]["regions"][0], "/广东省/广州市/南沙区");
    assert!(!env.path("index").exists());
    let run = env
        .run(&["extract", "corpus", "--color", "never"])
        .expect_code(0);
    assert_eq!(
        run.stdout.matches("   region:").count(),
        5,
        "{}",
        run.stdout
    );
}

#[test]
fn front_matter_and_jsonl_fields_override_extraction() {
    let env = TestEnv::new();
    env.write(
        "corpus/a.md",
        "---\ntitle: 自定标题\ndate: 2021-07-01\nregion: 禅城\ntopics: [党建]\nsource: 某报\n---\n高明区明城镇召开会议。",
    );
    env.write("corpus/b.jsonl", "{\"id\": \"b\", \"body\": \"高明区明城镇召开会议。\", \"date\": \"2022-03\", \"region\": \"南沙区\"}\n");
    env.run(&["index", "corpus", "--index", "index"])
        .expect_code(0);
    let a = &env
        .run(&["show", "a.md", "--index", "index", "--json"])
        .expect_code(0)
        .json_lines()[0];
    assert_eq!(a["title"], "自定标题");
    assert_eq!(a["source"], "某报");
    assert_eq!(a["meta"]["date"]["source"], "metadata");
    assert_eq!(a["meta"]["regions"][0], "/广东省/佛山市/禅城区");
    assert_eq!(a["meta"]["topics"][0]["topic"], "党建");
    let b = &env
        .run(&["show", "b", "--index", "index", "--json"])
        .expect_code(0)
        .json_lines()[0];
    assert_eq!(b["meta"]["date"]["precision"], "month");
    assert_eq!(b["meta"]["regions"][0], "/广东省/广州市/南沙区");
    assert_eq!(
        ids(&env, "*", &["--since", "2022-03", "--until", "2022-03"]),
        ["b"]
    );
}

#[test]
fn a_custom_taxonomy_classifies_at_index_time() {
    let env = TestEnv::with_bundled_corpus();
    env.write(
        "topics.toml",
        "[topic.\"陈皮产业\"]\ndescription = \"新会陈皮\"\nthreshold = 1.0\nmin_keywords = 1\n\n[topic.\"陈皮产业\".keywords]\n\"陈皮\" = 5.0\n\"柑\" = 1.0\n",
    );
    let run = env.run(&[
        "index",
        "corpus",
        "--index",
        "index",
        "--topics",
        "topics.toml",
    ]);
    if run.code != 0 {
        panic!("custom taxonomy refused: {run:?}");
    }
    assert_eq!(ids(&env, "*", &["--topic", "陈皮产业"]), [XINHUI]);
    // Re-indexing with another taxonomy needs --rebuild.
    let run = env
        .run(&["index", "corpus", "--index", "index"])
        .expect_code(2);
    assert!(run.stderr.contains("topic taxonomy"), "{}", run.stderr);
}
