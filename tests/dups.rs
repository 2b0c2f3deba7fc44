//! Near-duplicates folded (issue 12, item 5): a story reposted with another
//! header line and date folds under one hit, with `+N similar` on the
//! terminal and `similar` in JSON and the API; a different story on the
//! same topic, or the same text a year later, does not. Each test writes a
//! small corpus from the bundled corpus's real articles.

mod common;
#[path = "common/server.rs"]
mod server;

use common::{TestEnv, bundled_corpus, hit_ids};
use server::{Server, enc};

/// The paragraphs of a bundled article after its first `skip` lines.
fn paragraphs(file: &str, skip: usize) -> String {
    let text = std::fs::read_to_string(bundled_corpus().join(file)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .skip(skip)
        .collect::<Vec<_>>()
        .join("\n")
}

/// An article in front matter.
fn article(title: &str, date: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\n---\n{body}\n")
}

const TITLE: &str = "高明：党建引领 锻造干事创业的猛虎之师";

/// `orig.txt`, its repost two days later under another header line
/// (`repost.txt`), and `other.txt`, a different story on the same topic
/// (Party building and high-quality development), under the same title.
fn reposted() -> TestEnv {
    let env = TestEnv::new();
    let story = paragraphs("000_e19cf532170f2a3e.txt", 2);
    env.write(
        "corpus/orig.txt",
        article(TITLE, "2021-07-28", &format!("佛山在线讯\n{story}")),
    );
    env.write(
        "corpus/repost.txt",
        article(
            TITLE,
            "2021-07-30",
            &format!("来源：南方网　２０２１年７月３０日\n{story}"),
        ),
    );
    let other = paragraphs("003_8f3e609361c084a5.txt", 1);
    env.write("corpus/other.txt", article(TITLE, "2021-07-29", &other));
    env.index();
    env
}

const QUERY: &str = "党建引领 高质量发展";

/// The last line `zhsearch search QUERY` prints on the terminal (how many
/// hits, and articles), with `flags`.
fn summary(env: &TestEnv, flags: &[&str]) -> String {
    let mut args = vec![QUERY];
    args.extend_from_slice(flags);
    let out = env.search_human(&args);
    out.lines().last().unwrap().to_string()
}

/// `index/meta.json`, and the payload of its last commit.
fn meta_and_payload(env: &TestEnv) -> (serde_json::Value, serde_json::Value) {
    let meta = std::fs::read_to_string(env.path("index/meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let payload = serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    (meta, payload)
}

#[test]
fn a_repost_folds_under_one_hit_with_its_id_in_similar() {
    let env = reposted();
    let hits = env.search_json(&[QUERY]);
    assert_eq!(hits.len(), 2, "{hits:#?}");
    let folded = hits
        .iter()
        .find(|h| h["id"] == "orig.txt" || h["id"] == "repost.txt")
        .expect("the story");
    let other_id = if folded["id"] == "orig.txt" {
        "repost.txt"
    } else {
        "orig.txt"
    };
    assert_eq!(folded["similar"], serde_json::json!([other_id]));
    let other = hits.iter().find(|h| h["id"] == "other.txt").unwrap();
    assert_eq!(other["similar"], serde_json::json!([]));
    let ranks: Vec<u64> = hits.iter().map(|h| h["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, [1, 2]);
}

#[test]
fn no_collapse_shows_every_article() {
    let env = reposted();
    let hits = env.search_json(&[QUERY, "--no-collapse"]);
    let mut ids = hit_ids(&hits);
    ids.sort_unstable();
    assert_eq!(ids, ["orig.txt", "other.txt", "repost.txt"]);
    assert!(hits.iter().all(|h| h["similar"] == serde_json::json!([])));
}

#[test]
fn the_terminal_says_plus_n_similar() {
    let env = reposted();
    let out = &env.search_human(&[QUERY]);
    assert!(
        out.contains(" · +1 similar: repost.txt") || out.contains(" · +1 similar: orig.txt"),
        "{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("2 hits (3 articles), showing 1-2 (+1 similar folded under them), "),
        "{last}"
    );
}

#[test]
fn page_two_starts_after_the_clusters_of_page_one() {
    let env = reposted();
    let all = env.search_json(&[QUERY]);
    let first = env.search_json(&[QUERY, "--limit", "1"]);
    let second = env.search_json(&[QUERY, "--limit", "1", "--offset", "1"]);
    assert_eq!(hit_ids(&first), [all[0]["id"].as_str().unwrap()]);
    assert_eq!(hit_ids(&second), [all[1]["id"].as_str().unwrap()]);
    assert_eq!(second[0]["rank"], 2);
    let third = env.search_json(&[QUERY, "--limit", "1", "--offset", "2"]);
    assert!(third.is_empty(), "{third:#?}");
}

#[test]
fn the_same_text_a_year_later_is_not_folded() {
    let env = TestEnv::new();
    let story = paragraphs("000_e19cf532170f2a3e.txt", 2);
    env.write("corpus/a.txt", article(TITLE, "2021-07-28", &story));
    env.write("corpus/b.txt", article(TITLE, "2022-07-28", &story));
    env.index();
    let hits = env.search_json(&[QUERY]);
    assert_eq!(hits.len(), 2, "{hits:#?}");
}

#[test]
fn a_repost_indexed_later_joins_the_cluster_already_in_the_index() {
    let env = TestEnv::new();
    let story = paragraphs("000_e19cf532170f2a3e.txt", 2);
    env.write(
        "corpus/orig.txt",
        article(TITLE, "2021-07-28", &format!("佛山在线讯\n{story}")),
    );
    env.index();
    env.write(
        "corpus/repost.txt",
        article(TITLE, "2021-07-30", &format!("來源：南方網\n{story}")),
    );
    env.index();
    let hits = env.search_json(&[QUERY]);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0]["similar"].as_array().unwrap().len(), 1);
}

#[test]
fn the_api_folds_and_collapse_false_shows_every_article() {
    let env = reposted();
    let server = Server::start(&env, &[]);
    let q = enc(QUERY);
    let folded = server.get_json(&format!("/api/search?q={q}"));
    assert_eq!(folded["total"], 3, "{folded}");
    assert_eq!(folded["hits_total"], 2, "{folded}");
    assert_eq!(folded["collapse"], true);
    let hits = folded["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{folded}");
    let similar: usize = hits
        .iter()
        .map(|h| h["similar"].as_array().unwrap().len())
        .sum();
    assert_eq!(similar, 1, "{folded}");
    let all = server.get_json(&format!("/api/search?q={q}&collapse=false"));
    assert_eq!(all["hits"].as_array().unwrap().len(), 3, "{all}");
    assert_eq!(all["collapse"], false);
    assert!(all.get("hits_total").is_none(), "{all}");
    // The repost does not match: the original is a hit of its own.
    let other = server.get_json(&format!("/api/search?q={}", enc("猛虎之师 -南方网")));
    assert_eq!(other["total"], 2, "{other}");
    assert_eq!(other["hits_total"], 2, "{other}");
}

#[test]
fn a_cluster_across_two_runs_counts_once_in_the_hits() {
    let env = TestEnv::new();
    let story = paragraphs("000_e19cf532170f2a3e.txt", 2);
    env.write(
        "corpus/orig.txt",
        article(TITLE, "2021-07-28", &format!("佛山在线讯\n{story}")),
    );
    env.write(
        "corpus/other.txt",
        article(
            TITLE,
            "2021-07-29",
            &paragraphs("003_8f3e609361c084a5.txt", 1),
        ),
    );
    env.index();
    env.write(
        "corpus/repost.txt",
        article(TITLE, "2021-07-30", &format!("來源：南方網\n{story}")),
    );
    env.index();
    // The second run recorded the cluster that the repost joined.
    let (_, payload) = meta_and_payload(&env);
    assert_eq!(payload["shared"].as_array().unwrap().len(), 1, "{payload}");
    let last = summary(&env, &[]);
    assert!(last.starts_with("2 hits (3 articles), "), "{last}");
    let last = summary(&env, &["--no-collapse"]);
    assert!(last.starts_with("3 hits, showing 1-3, "), "{last}");
}

#[test]
fn a_repost_after_a_commit_joins_the_cluster_committed_before_it() {
    // Memory for this run's articles is given back at each commit; those
    // committed are found in the index.
    let env = TestEnv::new();
    let story = paragraphs("000_e19cf532170f2a3e.txt", 2);
    env.write(
        "corpus/a.txt",
        article(TITLE, "2021-07-28", &format!("佛山在线讯\n{story}")),
    );
    env.write(
        "corpus/b.txt",
        article(TITLE, "2021-07-29", &format!("南方网讯\n{story}")),
    );
    env.run(&[
        "index",
        "corpus",
        "--index",
        "index",
        "--commit-every",
        "1",
        "-j",
        "1",
    ])
    .expect_code(0);
    let hits = env.search_json(&[QUERY]);
    assert_eq!(hits.len(), 1, "{hits:#?}");
}

#[test]
fn an_index_that_does_not_record_its_clusters_still_counts_hits_once_folded() {
    let env = reposted();
    // As an index written before the commit recorded its shared clusters.
    let (mut meta, mut payload) = meta_and_payload(&env);
    assert_eq!(payload["shared"].as_array().unwrap().len(), 1, "{payload}");
    payload.as_object_mut().unwrap().remove("shared");
    meta["payload"] = serde_json::Value::String(payload.to_string());
    std::fs::write(env.path("index/meta.json"), meta.to_string()).unwrap();
    let last = summary(&env, &[]);
    assert!(last.starts_with("2 hits (3 articles), "), "{last}");
}

#[test]
fn relaxed_matching_counts_hits_not_articles() {
    let env = reposted();
    // 组织部 and 基层 are both only in the story and its repost: two
    // articles, one hit. A page of two is not full, so articles with one of
    // the words follow (other.txt has 基层).
    let hits = env.search_json(&["组织部 基层", "--limit", "2"]);
    assert_eq!(hits.len(), 2, "{hits:#?}");
    assert_eq!(hits[1]["id"], "other.txt", "{hits:#?}");
    assert_eq!(hits[1]["relaxed"]["with_all"], 2, "{hits:#?}");
    // Without folding the two articles fill the page.
    let hits = env.search_json(&["组织部 基层", "--limit", "2", "--no-collapse"]);
    let mut ids = hit_ids(&hits);
    ids.sort_unstable();
    assert_eq!(ids, ["orig.txt", "repost.txt"], "{hits:#?}");
}

#[test]
fn relaxed_matching_counts_hits_not_articles_however_many_words() {
    let env = reposted();
    // Four words, of which the story and its repost have two: with a page of
    // two, those two articles are one hit, not enough, so articles with one
    // of the words follow (other.txt has 基层). Counted without folding,
    // two words would have seemed to fill the page.
    let query = "组织部 基层 冰岛 渔业";
    let hits = env.search_json(&[query, "--limit", "2"]);
    assert_eq!(hits.len(), 2, "{hits:#?}");
    assert_eq!(hits[0]["relaxed"]["min_words"], 1, "{hits:#?}");
    assert_eq!(hits[1]["id"], "other.txt", "{hits:#?}");
    let hits = env.search_json(&[query, "--limit", "2", "--no-collapse"]);
    assert_eq!(hits[0]["relaxed"]["min_words"], 2, "{hits:#?}");
    let mut ids = hit_ids(&hits);
    ids.sort_unstable();
    assert_eq!(ids, ["orig.txt", "repost.txt"], "{hits:#?}");
}
