//! Relaxed matching (issue 12, item 1): a query with a word no article
//! uses shows the articles with the other words, says so, and never drops
//! a phrase, a `+word`, a side of `AND` or a filter. `--match all|relaxed|any`.

mod common;
#[path = "common/server.rs"]
mod server;

use common::{TestEnv, hit_ids};
use server::{Server, enc};

/// Five short news items, written for these tests.
fn indexed() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "corpus/a.txt",
        "---\ntitle: 李强会见南非总统拉马福萨\ndate: 2023-08-24\n---\n\
         国务院总理李强在约翰内斯堡会见南非总统拉马福萨。两国领导人就深化双边合作交换了意见。\n",
    );
    env.write(
        "corpus/b.txt",
        "---\ntitle: 南非总统出席金砖国家领导人峰会\ndate: 2023-08-23\n---\n\
         南非总统拉马福萨表示，愿同各方加强合作，推动金砖合作机制走深走实。\n",
    );
    env.write(
        "corpus/c.txt",
        "---\ntitle: 李强主持召开国务院常务会议\ndate: 2023-09-01\n---\n\
         国务院总理李强主持召开国务院常务会议，研究部署下一阶段经济工作。\n",
    );
    env.write(
        "corpus/d.txt",
        "---\ntitle: 秋粮收获进度过半\ndate: 2023-10-10\n---\n\
         农业农村部消息，全国秋粮收获进度已过半，各地抢抓晴好天气，颗粒归仓。\n",
    );
    env.write(
        "corpus/e.txt",
        "---\ntitle: 中法两国外长举行会晤\ndate: 2023-11-01\n---\n\
         双方就双边关系和共同关心的国际问题交换意见。\n",
    );
    env.index();
    env
}

/// What the terminal shows for `query`, without colour.
fn human(env: &TestEnv, query: &str) -> String {
    env.search_human(&[query])
}

#[test]
fn a_near_synonym_finds_the_story_with_the_other_words_first() {
    let env = indexed();
    let stdout = human(&env, "李强会晤南非总统");
    assert!(
        stdout.starts_with(
            "no article has all of 李强 会晤 南非 总统; showing those with 李强 南非 总统\n"
        ),
        "{stdout}"
    );
    let hits = env.search_json(&["李强会晤南非总统"]);
    // a has three of the words, b two, c and e one, d none.
    assert_eq!(hit_ids(&hits)[..2], ["a.txt", "b.txt"], "{hits:?}");
    assert_eq!(hits.len(), 4, "{hits:?}");
    assert!(!hit_ids(&hits).contains(&"d.txt"), "{hits:?}");
}

#[test]
fn json_hits_say_which_words_they_lack_and_how_the_search_was_relaxed() {
    let env = indexed();
    let hits = env.search_json(&["李强会晤南非总统"]);
    assert_eq!(hits[0]["missing"], serde_json::json!(["会晤"]));
    assert_eq!(hits[1]["missing"], serde_json::json!(["李强", "会晤"]));
    assert_eq!(
        hits[0]["relaxed"],
        serde_json::json!({"words": ["李强", "会晤", "南非", "总统"], "with_all": 0, "min_words": 1})
    );
    let stdout = human(&env, "李强会晤南非总统");
    assert!(stdout.contains(" · without 会晤\n"), "{stdout}");
}

#[test]
fn a_search_that_fills_its_page_is_not_relaxed() {
    let env = indexed();
    let hits = env.search_json(&["李强会见南非总统", "--limit", "1"]);
    assert_eq!(hit_ids(&hits), ["a.txt"]);
    assert!(hits[0].get("relaxed").is_none(), "{hits:?}");
    assert!(hits[0].get("missing").is_none(), "{hits:?}");
}

#[test]
fn too_few_with_every_word_are_followed_by_those_missing_one() {
    let env = indexed();
    let stdout = human(&env, "李强 总统");
    assert!(
        stdout.starts_with("only 1 article has all of 李强 总统; then those with 1 of the 2\n"),
        "{stdout}"
    );
    let hits = env.search_json(&["李强 总统"]);
    assert_eq!(hit_ids(&hits)[0], "a.txt");
    assert_eq!(hits[0]["missing"], serde_json::json!([]));
    assert_eq!(hits.len(), 3, "{hits:?}");
}

#[test]
fn match_all_shows_only_articles_with_every_word() {
    let env = indexed();
    let run = env.run(&[
        "search",
        "李强会晤南非总统",
        "--index",
        "index",
        "--match",
        "all",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("0 hits"), "{}", run.stdout);
}

#[test]
fn match_any_ranks_articles_with_more_of_the_words_first() {
    let env = indexed();
    let hits = env.search_json(&["李强 南非 秋粮", "--match", "any"]);
    // a has 李强 and 南非; b, c and d one word each.
    assert_eq!(hit_ids(&hits)[0], "a.txt", "{hits:?}");
    assert_eq!(hits.len(), 4, "{hits:?}");
    assert_eq!(hits[0]["relaxed"]["with_all"], serde_json::Value::Null);
}

#[test]
fn a_quoted_phrase_is_never_dropped() {
    let env = indexed();
    let run = env.run(&["search", "\"会晤南非\" 李强 总统", "--index", "index"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn a_plus_word_is_never_dropped() {
    let env = indexed();
    // Only e says 会晤; it lacks 南非.
    let hits = env.search_json(&["+会晤 外长 南非"]);
    assert_eq!(hit_ids(&hits), ["e.txt"], "{hits:?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["南非"]));
    let run = env.run(&["search", "+会谈 李强南非总统", "--index", "index"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn the_sides_of_and_are_never_dropped() {
    let env = indexed();
    let run = env.run(&["search", "李强 会晤 AND 秋粮", "--index", "index"]);
    assert_eq!(run.code, 1, "{run:?}");
    // c has 李强 and d 秋粮, but neither 南非 nor 总统.
    let hits = env.search_json(&["南非 AND 总统 李强 秋粮"]);
    assert_eq!(hit_ids(&hits), ["a.txt"], "{hits:?}");
}

#[test]
fn filters_are_never_relaxed() {
    let env = indexed();
    let run = env.run(&[
        "search",
        "李强会晤南非总统",
        "--index",
        "index",
        "--since",
        "2024",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let hits = env.search_json(&["李强会晤南非总统", "--until", "2023-08-23"]);
    assert_eq!(hit_ids(&hits), ["b.txt"], "{hits:?}");
}

#[test]
fn facet_counts_count_articles_with_every_word() {
    let env = indexed();
    let run = env.run(&["facets", "李强 总统", "--index", "index"]);
    assert!(
        run.stdout.starts_with("1 matching articles\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_api_relaxes_by_default_and_takes_match() {
    let env = indexed();
    let server = Server::start(&env, &[]);
    let q = format!("/api/search?q={}", enc("李强会晤南非总统"));
    let relaxed = server.get_json(&q);
    assert_eq!(relaxed["hits"][0]["id"], "a.txt", "{relaxed}");
    assert_eq!(relaxed["relaxed"]["with_all"], 0, "{relaxed}");
    let all = server.get_json(&format!("{q}&match=all"));
    assert_eq!(all["total"], 0, "{all}");
}

#[test]
fn disjunctive_facet_counts_of_a_relaxed_search_are_as_relaxed_as_its_list() {
    let env = indexed();
    let server = Server::start(&env, &[]);
    // Since September, c.txt (李强) and e.txt (会晤) each have one word:
    // the search is relaxed to one. Counted without the date filter, as a
    // sidebar does, the years count a, b, c and e, each with a word or more.
    let q = format!(
        "/api/search?q={}&since=2023-09&facets=true&disjunctive=true",
        enc("李强会晤南非总统")
    );
    let body = server.get_json(&q);
    assert_eq!(body["relaxed"]["min_words"], 1, "{body}");
    assert_eq!(body["total"], 2, "{body}");
    assert_eq!(body["facets"]["year"][0]["name"], "2023", "{body}");
    assert_eq!(body["facets"]["year"][0]["count"], 4, "{body}");
}

/// The case: the story titled 李强会见南非总统, and a story that
/// has all four words of 李强会晤南非总统 (会晤 in its title), the others
/// only in its body.
fn paraphrased() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "corpus/target.txt",
        "---\ntitle: 李强会见南非总统\ndate: 2025-11-22\n---\n\
         国务院总理李强在约翰内斯堡会见南非总统拉马福萨。双方就深化中南全面战略伙伴关系交换意见。\n",
    );
    env.write(
        "corpus/other.txt",
        "---\ntitle: 中非领导人举行会晤 共商合作大计\ndate: 2025-11-23\n---\n\
         多国领导人在约翰内斯堡举行会晤。南非总统表示，欢迎各方加强合作。\
         国务院总理李强此前出席了二十国集团领导人峰会。\n",
    );
    env.index();
    env
}

#[test]
fn a_near_synonym_in_a_title_counts_as_the_word_found_when_words_may_be_missing() {
    let env = paraphrased();
    // Words set apart, in another order than the title's (in its order,
    // the title's rewording of them matches too:
    // `a_headline_remembered_in_other_words_...`).
    let query = "会晤 李强 南非 总统";
    let hits = env.search_json(&[query, "--explain"]);
    assert_eq!(hit_ids(&hits), ["target.txt", "other.txt"], "{hits:#?}");
    // The target still lacks the word typed, and says so.
    assert_eq!(hits[0]["missing"], serde_json::json!(["会晤"]));
    assert_eq!(hits[0]["components"]["words_found"], 4, "{hits:#?}");
    assert_eq!(hits[1]["missing"], serde_json::json!([]));
    let stdout = human(&env, query);
    assert!(
        stdout.starts_with(
            "only 1 article has all of 会晤 李强 南非 总统; then those with 1 or more of the 4\n"
        ),
        "{stdout}"
    );
    // Without the thesaurus, the story with every word comes first: its
    // fourth word outweighs the target's title.
    let hits = env.search_json(&[query, "--no-thesaurus"]);
    assert_eq!(hit_ids(&hits), ["other.txt", "target.txt"], "{hits:#?}");
}

#[test]
fn near_synonyms_never_widen_a_search_that_has_every_word() {
    let env = paraphrased();
    // Only other.txt has both words: the target's 会见 does not make it a
    // match when some article has every word (a page of one is full), nor
    // with --match all, nor in the counts.
    only_every_word(
        &env,
        &[
            &["李强 会晤", "--limit", "1"],
            &["李强 会晤", "--match", "all"],
        ],
    );
    let run = env.run(&[
        "facets",
        "李强 会晤",
        "--index",
        "index",
        "--format",
        "json",
    ]);
    let counts: serde_json::Value = serde_json::from_str(run.expect_code(0).stdout.trim()).unwrap();
    assert_eq!(counts["total"], 1, "{counts}");
}

#[test]
fn a_headline_remembered_in_other_words_is_found_though_articles_have_every_word() {
    let env = paraphrased();
    // A page of one is full with other.txt, which has all four words: the
    // search is not relaxed, yet the story whose title says 会见 for 会晤
    // matches too, and ranks first.
    let hits = env.search_json(&["李强会晤南非总统", "--limit", "1", "--explain"]);
    assert_eq!(hit_ids(&hits), ["target.txt"], "{hits:#?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["会晤"]));
    assert_eq!(hits[0]["reworded"], "李强会晤南非总统");
    assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
    assert!(hits[0].get("relaxed").is_none(), "{hits:#?}");
    let stdout = env.search_human(&["李强会晤南非总统", "--limit", "1"]);
    assert!(
        stdout.starts_with(
            "also titles with 李强会晤南非总统 in other words (one word a near-synonym or a cognate)\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(" · without 会晤\n"), "{stdout}");
    let server = Server::start(&env, &[]);
    let q = format!("/api/search?q={}&limit=1", enc("李强会晤南非总统"));
    let body = server.get_json(&q);
    assert_eq!(body["hits"][0]["id"], "target.txt", "{body}");
    assert_eq!(body["reworded"], "李强会晤南非总统", "{body}");
    assert_eq!(body["total"], 2, "{body}");
}

#[test]
fn a_headline_in_other_words_needs_three_words_the_thesaurus_and_relaxed_matching() {
    let env = paraphrased();
    // Two words only (together or set apart), more than twelve (counted
    // each time), a quoted word, --match all, --no-thesaurus: only the
    // article with every word.
    let pasted = "李强会晤南非总统".repeat(4);
    only_every_word(
        &env,
        &[
            &["李强会晤", "--limit", "1"],
            &["李强 会晤", "--limit", "1"],
            &["李强 \"会晤\" 南非 总统", "--limit", "1"],
            &[&pasted, "--limit", "1"],
            &["李强会晤南非总统", "--limit", "1", "--match", "all"],
            &["李强会晤南非总统", "--limit", "1", "--no-thesaurus"],
        ],
    );
}

/// Checks that each search (`args`) of [`paraphrased`] finds only
/// other.txt, the article with every word, and says nothing of rewordings,
/// nor looks for any (`--explain`).
fn only_every_word(env: &TestEnv, searches: &[&[&str]]) {
    for args in searches {
        let hits = env.search_json(args);
        assert_eq!(hit_ids(&hits), ["other.txt"], "{args:?}: {hits:#?}");
        assert!(hits[0].get("reworded").is_none(), "{args:?}: {hits:#?}");
        let explained = env.search_human(&[args, &["--explain"][..]].concat());
        let looked_for = explained.contains("also articles whose title has it");
        assert!(!looked_for, "{args:?}: {explained}");
    }
}

#[test]
fn a_headline_in_other_words_keeps_its_filters() {
    let env = paraphrased();
    // target.txt is dated 2025-11-22, other.txt 2025-11-23. A filter that
    // keeps both keeps the rewording; one that excludes the target
    // excludes it, rewording or not; and facet counts agree with the hits.
    for args in [
        &["李强会晤南非总统", "--limit", "1", "--since", "2025"][..],
        &["李强会晤南非总统 date:2025", "--limit", "1"][..],
        &["李强 会晤 南非 总统 date:2025", "--limit", "1"][..],
    ] {
        let hits = env.search_json(args);
        assert_eq!(hit_ids(&hits), ["target.txt"], "{args:?}: {hits:#?}");
        assert_eq!(hits[0]["reworded"], "李强会晤南非总统", "{args:?}");
    }
    for args in [
        &["李强会晤南非总统", "--since", "2025-11-23"][..],
        &["李强 会晤 南非 总统", "--since", "2025-11-23"][..],
    ] {
        let hits = env.search_json(args);
        assert_eq!(hit_ids(&hits), ["other.txt"], "{args:?}: {hits:#?}");
    }
    let lines = env.search_json(&["李强会晤南非总统", "--facets", "--limit", "1"]);
    let counts = &lines.last().unwrap()["facets"];
    assert_eq!(counts["year"][0]["count"], 2, "{counts}");
}

#[test]
fn a_headline_remembered_in_other_words_is_found_with_its_words_set_apart() {
    let env = paraphrased();
    // Words set apart by spaces, as many type them: the title with them
    // together but for a near-synonym is found too, and ranks first.
    let query = "李强 会晤 南非 总统";
    let hits = env.search_json(&[query, "--limit", "1"]);
    assert_eq!(hit_ids(&hits), ["target.txt"], "{hits:#?}");
    assert_eq!(hits[0]["reworded"], "李强会晤南非总统", "{hits:#?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["会晤"]));
    let stdout = env.search_human(&[query, "--limit", "1"]);
    assert!(
        stdout.starts_with("also titles with 李强会晤南非总统 in other words"),
        "{stdout}"
    );
    // A title with the words together as typed ranks above its rewording.
    env.write(
        "corpus/exact.txt",
        "---\ntitle: 李强会晤南非总统 共商金砖合作\ndate: 2025-11-24\n---\n\
         双方就金砖合作交换意见。\n",
    );
    env.index();
    let hits = env.search_json(&[query]);
    assert_eq!(
        hit_ids(&hits),
        ["exact.txt", "target.txt", "other.txt"],
        "{hits:#?}"
    );
    assert_eq!(hits[0]["components"]["tier"], 10000.0, "{hits:#?}");
    let explained = env.search_human(&[query, "--explain"]);
    assert!(
        explained.contains("\"李强会晤南非总统\": the words set apart, found together as typed"),
        "{explained}"
    );
    // So in every mode: without rewordings, it still ranks first.
    for mode in [&["--match", "all"][..], &["--no-thesaurus"][..]] {
        let hits = env.search_json(&[&[query][..], mode].concat());
        assert_eq!(hit_ids(&hits)[0], "exact.txt", "{mode:?}: {hits:#?}");
        assert_eq!(
            hits[0]["components"]["verbatim"], true,
            "{mode:?}: {hits:#?}"
        );
    }
}

#[test]
fn pieces_set_apart_rank_verbatim_only_together() {
    let env = paraphrased();
    // Three pieces, one of two words: 南非总统 verbatim in other.txt's body
    // is no tier of its own, so the rewording of the whole still ranks
    // first; and so in parentheses.
    for query in ["李强 会晤 南非总统", "(李强 会晤) 南非 总统"] {
        let hits = env.search_json(&[query, "--limit", "1"]);
        assert_eq!(hit_ids(&hits), ["target.txt"], "{query}: {hits:#?}");
        assert_eq!(
            hits[0]["reworded"], "李强会晤南非总统",
            "{query}: {hits:#?}"
        );
    }
    // Punctuation alone is no piece, set apart or beside the text typed
    // together.
    for query in ["李强 会晤 南非 总统 ，", "李强会晤南非总统 ，"] {
        let hits = env.search_json(&[query, "--limit", "1"]);
        assert_eq!(
            hits[0]["reworded"], "李强会晤南非总统",
            "{query}: {hits:#?}"
        );
    }
    // Two pieces are words a researcher sets apart, and a piece repeated
    // is one: only every word.
    only_every_word(
        &env,
        &[
            &["李强会晤 南非总统", "--limit", "1"],
            &["李强 会晤 李强 会晤", "--limit", "1"],
        ],
    );
}

#[test]
fn a_compound_typed_as_one_piece_still_ranks_above_its_words_apart() {
    let env = TestEnv::new();
    env.write(
        "corpus/compound.txt",
        "---\ntitle: 市场动态\ndate: 2025-03-01\n---\n\
         欧盟市场对新能源汽车的需求上升，带动出口增长。\n",
    );
    env.write(
        "corpus/apart.txt",
        "---\ntitle: 新能源产业提速 汽车出口欧盟增势明显\ndate: 2025-03-02\n---\n\
         新能源产业链日益完善，汽车出口欧盟增势明显。\n",
    );
    env.index();
    // Three pieces: 新能源汽车 verbatim is a boost of its own, below a
    // rewording of the whole, above the words apart (in a title).
    for query in ["新能源汽车 出口 欧盟", "新能源汽车 出口"] {
        let hits = env.search_json(&[query]);
        assert_eq!(
            hit_ids(&hits),
            ["compound.txt", "apart.txt"],
            "{query}: {hits:#?}"
        );
    }
}

#[test]
fn a_year_set_apart_stays_a_preference_for_the_years_articles() {
    let env = TestEnv::new();
    env.write(
        "corpus/review.txt",
        "---\ntitle: 年度回顾\ndate: 2023-01-05\n---\n疫情防控2022年度大事记。\n",
    );
    env.write(
        "corpus/campus.txt",
        "---\ntitle: 校园疫情防控有序\ndate: 2022-10-01\n---\n2022年秋季学期，各地学校做好疫情防控。\n",
    );
    env.index();
    // Three pieces, one a year: not a text typed apart, so the story of
    // 2022 ranks first, though the other has 疫情防控2022 verbatim.
    for mode in [&[][..], &["--match", "all"][..]] {
        for query in ["疫情 防控 2022", "疫情 防控 ２０２２年"] {
            let hits = env.search_json(&[&[query][..], mode].concat());
            assert_eq!(
                hit_ids(&hits),
                ["campus.txt", "review.txt"],
                "{query} {mode:?}: {hits:#?}"
            );
        }
    }
}

#[test]
fn a_place_set_apart_stays_a_preference_for_its_articles() {
    let env = TestEnv::new();
    env.write(
        "corpus/zhejiang.txt",
        "---\ntitle: 安吉县美丽乡村建设见成效\ndate: 2024-05-01\n---\n\
         浙江省湖州市安吉县推进乡村振兴，总结推广好的经验。\n",
    );
    env.write(
        "corpus/jiangsu.txt",
        "---\ntitle: 南京市召开农村工作会议\ndate: 2024-05-02\n---\n\
         江苏省南京市召开农村工作会议，会议要求学习乡村振兴浙江经验。\n",
    );
    env.index();
    // 浙江 is a place: the Zhejiang story ranks first, though the other
    // has 乡村振兴浙江经验 verbatim.
    let hits = env.search_json(&["乡村振兴 浙江 经验"]);
    assert_eq!(hit_ids(&hits), ["zhejiang.txt", "jiangsu.txt"], "{hits:#?}");
}

/// Adds both.txt to [`paraphrased`]: every word of 李强会晤南非总统, and a
/// title that rewords it.
fn with_both(env: &TestEnv) {
    env.write(
        "corpus/both.txt",
        "---\ntitle: 李强会见南非总统 双方举行会晤\ndate: 2025-11-21\n---\n\
         国务院总理李强会见南非总统。\n",
    );
    env.index();
}

#[test]
fn a_reworded_title_earns_no_second_word_bonus() {
    let env = paraphrased();
    with_both(&env);
    // both.txt has every word and a reworded title: its word bonuses count
    // once, four words as words at most.
    let hits = env.search_json(&["李强会晤南非总统", "--limit", "1", "--explain"]);
    assert_eq!(hit_ids(&hits), ["both.txt"], "{hits:#?}");
    let c = &hits[0]["components"];
    assert_eq!(c["reworded"], true, "{c}");
    assert_eq!(c["as_words"], 4, "{c}");
}

#[test]
fn components_without_explain_are_those_of_the_explanation_when_words_may_be_missing() {
    let env = paraphrased();
    with_both(&env);
    // Added in a second run: another segment.
    env.write(
        "corpus/late.txt",
        "---\ntitle: 南非总统会见中国客人\ndate: 2025-11-25\n---\n李强致信祝贺。\n",
    );
    env.index();
    let queries: &[&[&str]] = &[
        // Reworded titles beside articles with every word, and relaxed.
        &["李强会晤南非总统", "--limit", "1"],
        &["李强会晤南非总统", "--limit", "3"],
        &["李强会晤南非总统"],
        &["李强会晤南非总统", "--since", "2025-11-22"],
        &["李强会晤南非总统", "--sort", "date"],
        // At least k of the words, 1 < k < n.
        &["李强 会晤 南非 总统 约翰内斯堡", "--limit", "3"],
        &["李强 会晤 南非 总统", "--match", "any"],
        &["李强 南非 -拉马福萨"],
    ];
    let compared = common::assert_components_as_explained(&env, queries);
    assert!(compared > 12, "only {compared} hits compared");
}

#[test]
fn a_near_synonym_alone_does_not_make_a_match() {
    let env = paraphrased();
    env.write(
        "corpus/alone.txt",
        "---\ntitle: 两国领导人会见记者\ndate: 2025-11-24\n---\n双方共同回答了提问。\n",
    );
    env.index();
    // 会见 (a near-synonym of 会晤) is all alone.txt has of the query.
    let hits = env.search_json(&["会晤 约翰内斯堡"]);
    assert!(!hit_ids(&hits).contains(&"alone.txt"), "{hits:#?}");
    assert_eq!(hits.len(), 2, "{hits:#?}");
}

/// A headline with one word in a form the thesaurus has no pair for (我国
/// for 中国), a story with all the words of 中国可再生能源装机 scattered,
/// and three titles alike but for a word sharing no character (欧洲), for
/// another country's name (美国), or for punctuation where a character
/// would be.
fn with_cognates() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "corpus/target.txt",
        "---\ntitle: 我国可再生能源装机规模迈上新台阶\ndate: 2024-08-01\n---\n\
         国家能源局今天发布数据，我国可再生能源装机规模持续扩大，风电和太阳能发电装机突破12亿千瓦。\n",
    );
    env.write(
        "corpus/scattered.txt",
        "---\ntitle: 全球能源转型加速推进\ndate: 2024-08-02\n---\n\
         国际能源署报告说，中国是全球最大的新能源市场。报告认为，可再生能源成本持续下降，\
         各国风电装机稳步增长。\n",
    );
    env.write(
        "corpus/europe.txt",
        "---\ntitle: 欧洲可再生能源装机增速放缓\ndate: 2024-08-03\n---\n\
         欧洲多国可再生能源装机增速放缓，中国企业继续参与当地项目。\n",
    );
    env.write(
        "corpus/usa.txt",
        "---\ntitle: 美国可再生能源装机增速放缓\ndate: 2024-08-05\n---\n\
         美国可再生能源装机增速放缓。\n",
    );
    env.write(
        "corpus/broken.txt",
        "---\ntitle: 中国：可再生能源装、机组建设提速\ndate: 2024-08-04\n---\n\
         新型储能装、机组建设提速。\n",
    );
    env.index();
    env
}

#[test]
fn a_headline_with_a_cognate_the_thesaurus_lacks_is_found_though_articles_have_every_word() {
    let env = with_cognates();
    // scattered.txt and europe.txt have every word, enough for a page of
    // two: the search is not relaxed. The title with 我国 for 中国 (a
    // cognate: 国 kept in place) matches too, and ranks first, just as a
    // near-synonym's would.
    let query = "中国可再生能源装机";
    let hits = env.search_json(&[query, "--limit", "2"]);
    assert_eq!(hit_ids(&hits), ["target.txt", "europe.txt"], "{hits:#?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["中国"]), "{hits:#?}");
    assert_eq!(hits[0]["reworded"], query, "{hits:#?}");
    assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
    assert!(hits[0].get("relaxed").is_none(), "{hits:#?}");
    let explained = env.search_human(&[query, "--explain", "--limit", "1"]);
    assert!(
        explained.contains(
            "or a cognate (two characters sharing the first or the last, in place of 中国, 装机)"
        ),
        "{explained}"
    );
    // 欧洲 shares no character with 中国, 美国 is another country, and in
    // broken.txt's title a break stands where the character after 装 would
    // (装、机组; the title's runs go on across its colon, not inside a
    // word): none is verbatim or reworded, nor is a word found so
    // (relaxed, with a page of ten).
    let hits = env.search_json(&[query]);
    assert_eq!(hits.len(), 5, "{hits:#?}");
    for hit in &hits {
        assert_eq!(hit["components"]["verbatim"], false, "{hit:#}");
    }
    let usa = hits.iter().find(|h| h["id"] == "usa.txt").unwrap();
    assert_eq!(usa["missing"], serde_json::json!(["中国"]), "{usa:#}");
    assert_eq!(usa["components"]["words_found"], 3, "{usa:#}");
    for hit in &hits[1..] {
        assert!(hit["components"].get("reworded").is_none(), "{hit:#}");
    }
    let broken = hits.iter().find(|h| h["id"] == "broken.txt").unwrap();
    assert_eq!(broken["missing"], serde_json::json!(["装机"]), "{broken:#}");
    assert_eq!(broken["components"]["words_found"], 3, "{broken:#}");
    // Typed in Traditional characters, the same.
    let hits = env.search_json(&["中國可再生能源裝機", "--limit", "2"]);
    assert_eq!(hit_ids(&hits), ["target.txt", "europe.txt"], "{hits:#?}");
    assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
    // Without near-synonyms (--no-thesaurus), no cognate either.
    let hits = env.search_json(&[query, "--no-thesaurus", "--limit", "2"]);
    assert_eq!(hit_ids(&hits), ["europe.txt", "scattered.txt"], "{hits:#?}");
}

#[test]
fn a_cognate_in_its_place_in_a_title_counts_as_the_word_found_when_words_may_be_missing() {
    let env = with_cognates();
    // No article has all six words (the target lacks 中国, the others
    // 迈上): relaxed. The target's title has the text but for 我国 in
    // place of 中国: every word counts as found, and it ranks first.
    let query = "中国可再生能源装机规模迈上";
    let hits = env.search_json(&[query, "--explain"]);
    assert_eq!(hit_ids(&hits)[0], "target.txt", "{hits:#?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["中国"]), "{hits:#?}");
    assert!(hits[0].get("relaxed").is_some(), "{hits:#?}");
    let c = &hits[0]["components"];
    assert_eq!(
        c["words_found"],
        hits[0]["relaxed"]["words"].as_array().unwrap().len(),
        "{c}"
    );
    // The same without near-synonyms: the target lacks 中国.
    let hits = env.search_json(&[query, "--no-thesaurus"]);
    let target = hits
        .iter()
        .find(|h| h["id"] == "target.txt")
        .expect("still found");
    let n = target["relaxed"]["words"].as_array().unwrap().len();
    assert_eq!(target["components"]["words_found"], n - 1, "{target:#}");
}

#[test]
fn the_last_word_of_a_headline_may_keep_its_last_character() {
    // 英国多产业: 行业 for 产业, which the thesaurus does not pair, and the
    // text's last word: 业 may end its run there or go on (行业员工).
    // scattered.txt has every word; broken.txt has the text's start, then
    // a break where the free character would be (英国多、业内).
    let env = TestEnv::new();
    env.write(
        "corpus/target.txt",
        "---\ntitle: 英国多行业员工罢工要求加薪\ndate: 2023-02-01\n---\n\
         英国铁路、医疗等多个行业的员工当天罢工，要求加薪并改善工作条件。\n",
    );
    env.write(
        "corpus/scattered.txt",
        "---\ntitle: 英国产业政策调整\ndate: 2023-02-02\n---\n\
         英国政府表示，将推动多个产业转型升级。\n",
    );
    env.write(
        "corpus/broken.txt",
        "---\ntitle: 英国多、业内人士关注能源价格\ndate: 2023-02-03\n---\n\
         英国多地能源价格上涨，业内人士表示关注。\n",
    );
    env.index();
    for query in ["英国多产业", "英國多產業"] {
        let hits = env.search_json(&[query]);
        assert_eq!(hit_ids(&hits)[0], "target.txt", "{query}: {hits:#?}");
        assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
        assert_eq!(hits[0]["missing"], serde_json::json!(["产业"]), "{hits:#?}");
        for hit in &hits[1..] {
            assert!(hit["components"].get("reworded").is_none(), "{hit:#}");
        }
    }
}

#[test]
fn components_without_explain_are_those_of_the_explanation_with_cognates() {
    let env = with_cognates();
    let queries: &[&[&str]] = &[
        &["中国可再生能源装机", "--limit", "2"],
        &["中国可再生能源装机"],
        &["中国可再生能源装机规模迈上"],
        &["中国可再生能源装机规模迈上", "--match", "any"],
    ];
    let compared = common::assert_components_as_explained(&env, queries);
    assert!(compared > 8, "only {compared} hits compared");
}

#[test]
fn a_country_is_never_swapped_for_another_but_our_country_finds_china() {
    let env = TestEnv::new();
    env.write(
        "corpus/china.txt",
        "---\ntitle: 中国可再生能源装机突破15亿千瓦\ndate: 2024-08-01\n---\n\
         中国可再生能源装机规模持续扩大。\n",
    );
    env.write(
        "corpus/scattered.txt",
        "---\ntitle: 能源转型观察\ndate: 2024-08-02\n---\n\
         我国风电装机稳步增长，可再生能源成本持续下降。\n",
    );
    env.write(
        "corpus/ukraine.txt",
        "---\ntitle: 乌克兰总统抵京访问\ndate: 2024-08-03\n---\n乌克兰总统抵达北京。\n",
    );
    env.write(
        "corpus/forum.txt",
        "---\ntitle: 北欧合作论坛举行\ndate: 2024-08-04\n---\n\
         芬兰总统出席论坛，随后抵京，开始国事访问。\n",
    );
    env.index();
    // 我国 names no country: the title with 中国 in its place is reworded,
    // above the article with the words scattered.
    let hits = env.search_json(&["我国可再生能源装机", "--limit", "1"]);
    assert_eq!(hit_ids(&hits), ["china.txt"], "{hits:#?}");
    assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
    // 芬兰 does: 乌克兰 (of three characters, first in the text, where the
    // character before the one kept is not checked) is another country.
    let hits = env.search_json(&["芬兰总统抵京访问", "--limit", "1"]);
    assert_eq!(hit_ids(&hits), ["forum.txt"], "{hits:#?}");
    assert!(hits[0].get("reworded").is_none(), "{hits:#?}");
}

/// A headline with a word in another form from a large group of the
/// thesaurus (持续 for 不断, a group of more than thirty words), and a story
/// with the words of 消费不断回暖 scattered in its body.
fn with_a_large_group() -> TestEnv {
    with_a_large_group_titled("以旧换新促消费持续回暖")
}

/// The same, the story titled `title`.
fn with_a_large_group_titled(title: &str) -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "corpus/target.txt",
        format!(
            "---\ntitle: {title}\ndate: 2024-12-20\n---\n\
             商务部数据显示，以旧换新政策带动家电、汽车等商品销售较快增长。\n"
        ),
    );
    env.write(
        "corpus/scattered.txt",
        "---\ntitle: 假日经济活力足\ndate: 2024-12-21\n---\n\
         各地消费场景不断丰富，旅游市场逐步回暖，夜间经济热度攀升。\n",
    );
    env.index();
    env
}

#[test]
fn a_headline_reworded_with_a_word_of_a_large_group_is_found_but_such_a_word_alone_never_counts() {
    let env = with_a_large_group();
    // Typed together: the title has the text but for 持续, from a group too
    // large for its words to count alone; with the rest of the title as
    // typed, it is a rewording, ranked above the words scattered.
    let hits = env.search_json(&["消费不断回暖"]);
    assert_eq!(hit_ids(&hits), ["target.txt", "scattered.txt"], "{hits:#?}");
    assert_eq!(hits[0]["reworded"], "消费不断回暖", "{hits:#?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["不断"]));
    // Set apart, with a word no article has: relaxed, and 持续 in a title
    // does not count as 不断, so the story with three words ranks first.
    let query = "消费 不断 回暖 电影";
    let hits = env.search_json(&[query]);
    assert_eq!(hit_ids(&hits), ["scattered.txt", "target.txt"], "{hits:#?}");
    assert_eq!(hits[1]["components"]["words_found"], 2, "{hits:#?}");
    let explained = env.search_human(&[query, "--explain"]);
    assert!(
        explained.contains("\"消费\": its near-synonyms"),
        "{explained}"
    );
    assert!(
        !explained.contains("\"不断\": its near-synonyms"),
        "{explained}"
    );
}

#[test]
fn only_rewordings_that_a_title_may_have_are_looked_for() {
    // The title has a colon where the swapped word starts: the pair 费持
    // is only in its pairs across punctuation.
    let env = with_a_large_group_titled("以旧换新促消费：持续回暖");
    // 不断, 消费 and 回暖 have dozens of near-synonyms between them, but no
    // title has the pair 不断, so only a swap of 不断 itself can be in a
    // title, and of those only 持续 makes pairs that titles have (消费持续
    // 回暖, across the colon). The rest are not looked for, and the
    // explanation names the one that is.
    let explained = env.search_human(&["消费不断回暖", "--explain"]);
    assert!(
        explained.contains("swapped for a near-synonym (持续 for 不断) or a cognate"),
        "{explained}"
    );
    let hits = env.search_json(&["消费不断回暖"]);
    assert_eq!(hit_ids(&hits), ["target.txt", "scattered.txt"], "{hits:#?}");
    assert_eq!(hits[0]["reworded"], "消费不断回暖", "{hits:#?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["不断"]), "{hits:#?}");
}

#[test]
fn a_word_of_large_groups_leaves_the_other_words_their_rewordings() {
    let env = TestEnv::new();
    // 广大 has some ninety near-synonyms in Cilin, more than the
    // rewordings looked for: the words take turns, so 持续 for 不断 is
    // still looked for.
    env.write(
        "corpus/target.txt",
        "---\ntitle: 广大消费持续回暖\ndate: 2024-12-20\n---\n市场销售较快增长。\n",
    );
    env.write(
        "corpus/verbatim.txt",
        "---\ntitle: 假日经济活力足\ndate: 2024-12-21\n---\n报告说，广大消费不断回暖。\n",
    );
    env.index();
    let hits = env.search_json(&["广大消费不断回暖", "--limit", "1"]);
    assert_eq!(hit_ids(&hits), ["verbatim.txt"], "{hits:#?}");
    let hits = env.search_json(&["广大消费不断回暖"]);
    assert_eq!(hit_ids(&hits), ["verbatim.txt", "target.txt"], "{hits:#?}");
    assert_eq!(hits[1]["reworded"], "广大消费不断回暖", "{hits:#?}");
    assert_eq!(hits[1]["missing"], serde_json::json!(["不断"]));
}

#[test]
fn a_title_in_other_words_keeps_its_place_when_the_search_is_relaxed() {
    // 持续 for 不断: near-synonyms only in the thesaurus's large groups, so
    // not the ones that count as a word found anywhere in a title. Two
    // articles have every word, scattered; a page of ten is not full, so
    // the search is relaxed. The title with the text in other words must
    // stay where it is when the page is full (`--limit 2`): above the
    // scattered words, its swapped word counting as found.
    let env = TestEnv::new();
    env.write(
        "corpus/target.txt",
        "---\ntitle: 北方多地降温持续 各地做好防寒保暖\ndate: 2024-12-01\n---\n\
         受冷空气影响，北方多地气温明显下降。各地提前部署，保障群众温暖过冬。\n",
    );
    for (i, day) in [(1, "02"), (2, "03")] {
        env.write(
            &format!("corpus/scattered{i}.txt"),
            format!(
                "---\ntitle: 冬季供暖工作综述\ndate: 2024-12-{day}\n---\n\
                 今年入冬以来，北方地区供暖需求不断增加。多地出现降温，各地加强供暖保障。\n"
            ),
        );
    }
    env.write(
        "corpus/part.txt",
        "---\ntitle: 北方多地迎来降温\ndate: 2024-12-04\n---\n\
         北方多地迎来降温天气，气象部门提醒注意防寒。\n",
    );
    env.index();
    let query = "北方多地降温不断各地";
    let full = env.search_json(&[query, "--limit", "2"]);
    assert_eq!(hit_ids(&full)[0], "target.txt", "{full:#?}");
    assert!(full[0].get("relaxed").is_none(), "{full:#?}");
    let hits = env.search_json(&[query]);
    assert!(hits[0].get("relaxed").is_some(), "{hits:#?}");
    assert_eq!(hit_ids(&hits)[0], "target.txt", "{hits:#?}");
    assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
    assert_eq!(hits[0]["components"]["words_found"], 5, "{hits:#?}");
    // It still lacks the word typed, and says so.
    assert_eq!(hits[0]["missing"], serde_json::json!(["不断"]), "{hits:#?}");
    // Below the scattered words: part.txt, which lacks 不断 and has no
    // rewording.
    assert_eq!(hit_ids(&hits).last(), Some(&"part.txt"), "{hits:#?}");
}

#[test]
fn a_head_of_government_by_another_title_is_a_headline_in_other_words() {
    // 首相 for 总理: a pair of news Chinese that Cilin lacks
    // (data/thesaurus/news.txt).
    let env = TestEnv::new();
    env.write(
        "corpus/target.txt",
        "---\ntitle: 李强会见新加坡总理\ndate: 2025-06-24\n---\n\
         国务院总理李强在人民大会堂会见新加坡总理。双方就深化两国合作交换意见。\n",
    );
    env.write(
        "corpus/other.txt",
        "---\ntitle: 中新双边合作联委会会议举行\ndate: 2025-06-25\n---\n\
         李强表示，中方愿同新加坡加强合作。日本首相此前也表示将访问新加坡，会见各界人士。\n",
    );
    env.index();
    let query = "李强会见新加坡首相";
    let hits = env.search_json(&[query]);
    assert_eq!(hit_ids(&hits), ["target.txt", "other.txt"], "{hits:#?}");
    assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
    assert_eq!(hits[0]["missing"], serde_json::json!(["首相"]), "{hits:#?}");
    // Without near-synonyms, the article with every word comes first.
    let hits = env.search_json(&[query, "--no-thesaurus"]);
    assert_eq!(hit_ids(&hits)[0], "other.txt", "{hits:#?}");
}

#[test]
fn a_long_query_keeps_the_most_words_that_fill_the_page() {
    // Eight words; the articles have seven of them down to one, none all.
    let words = [
        "改革", "教育", "医疗", "养老", "就业", "住房", "交通", "旅游",
    ];
    let env = TestEnv::new();
    for n in 1..=7 {
        let body: Vec<String> = words[..n]
            .iter()
            .map(|w| format!("今年{w}工作取得进展。"))
            .collect();
        env.write(
            &format!("corpus/has{n}.txt"),
            format!(
                "---\ntitle: 民生工作通报第{n}期\ndate: 2024-03-0{n}\n---\n{}\n",
                body.concat()
            ),
        );
    }
    env.index();
    let query = words.join(" ");
    // The page asks for `limit`; the search keeps `min_words`, the most
    // that still fill it (with fewer than the page, one word).
    for (limit, min_words) in [
        (1, 7),
        (2, 6),
        (3, 5),
        (4, 4),
        (5, 3),
        (6, 2),
        (7, 1),
        (10, 1),
    ] {
        let hits = env.search_json(&[&query, "--limit", &limit.to_string()]);
        assert_eq!(hits.len(), limit.min(7), "limit {limit}: {hits:#?}");
        let relaxed = &hits[0]["relaxed"];
        assert_eq!(relaxed["min_words"], min_words, "limit {limit}: {relaxed}");
        assert_eq!(relaxed["with_all"], 0, "limit {limit}: {relaxed}");
        assert_eq!(hit_ids(&hits)[0], "has7.txt", "limit {limit}: {hits:#?}");
    }
    let stdout = env.search_human(&[&query, "--limit", "3"]);
    assert!(
        stdout.starts_with(&format!(
            "no article has all of {query}; showing those with {}\n",
            words[..7].join(" ")
        )),
        "{stdout}"
    );
}

#[test]
fn a_title_with_near_synonyms_of_two_words_is_found_though_none_has_a_word_typed() {
    // At two words or more, near-synonyms in a title count as the words
    // found; one word alone must be as typed. So two words can match an
    // article that one cannot: the count of words kept must not skip two.
    let env = TestEnv::new();
    env.write(
        "corpus/a.txt",
        "---\ntitle: 国家主席会见外宾后访问欧洲\ndate: 2024-05-06\n---\n\
         国家主席在人民大会堂同外宾举行会谈，随后启程对欧洲三国进行国事访问。\n",
    );
    env.write(
        "corpus/b.txt",
        "---\ntitle: 秋粮收获进度过半\ndate: 2023-10-10\n---\n\
         农业农村部消息，全国秋粮收获进度已过半，各地抢抓晴好天气，颗粒归仓。\n",
    );
    env.index();
    let hits = env.search_json(&["接见 出访 冰岛 渔业", "--limit", "1"]);
    assert_eq!(hit_ids(&hits), ["a.txt"], "{hits:#?}");
    assert_eq!(hits[0]["relaxed"]["min_words"], 2, "{hits:#?}");
}

/// A passage's story, an article with six of its telling words, one with
/// eight of its words, most of them common, and `fillers` that have six
/// common ones.
fn with_a_passage(fillers: usize) -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "corpus/source.txt",
        format!("---\ntitle: 嫦娥六号完成月背着陆\ndate: 2024-06-02\n---\n{PASSAGE}\n"),
    );
    env.write(
        "corpus/related.txt",
        "---\ntitle: 月球探测进展\ndate: 2024-06-03\n---\n\
         嫦娥探测器月球背面着陆，科研人员介绍情况。\n",
    );
    env.write(
        "corpus/common.txt",
        "---\ntitle: 年度工作综述\ndate: 2024-12-30\n---\n\
         在新的一年里，各地在工作中取得发展，开展现场活动，取得新的发展，工作在开展。\n",
    );
    for i in 0..fillers {
        env.write(
            &format!("corpus/filler{i}.txt"),
            format!(
                "---\ntitle: 基层简讯{i}\ndate: 2024-01-01\n---\n\
                 各地在工作中取得发展，开展的活动很多。\n"
            ),
        );
    }
    env.index();
    env
}

const PASSAGE: &str = "嫦娥六号探测器在月球背面着陆的工作取得新的发展，科研人员在现场开展工作";

#[test]
fn a_passage_pasted_whole_is_followed_by_articles_with_its_telling_words_not_its_common_ones() {
    let env = with_a_passage(40);
    let hits = env.search_json(&[PASSAGE]);
    assert_eq!(
        hit_ids(&hits)[..3],
        ["source.txt", "related.txt", "common.txt"],
        "{hits:#?}"
    );
    // The words in more than a tenth of the 43 articles score, but are not
    // counted; the articles with only them are not hits.
    let relaxed = &hits[0]["relaxed"];
    let common: Vec<&str> = relaxed["common"]
        .as_array()
        .expect("common words")
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    for word in ["在", "工作", "取得", "发展", "开展"] {
        assert!(common.contains(&word), "{word}: {relaxed:#}");
    }
    let counted = relaxed["words"].as_array().expect("words");
    assert!(
        counted
            .iter()
            .all(|w| !common.contains(&w.as_str().unwrap()))
    );
    assert!(counted.iter().any(|w| w == "月球"), "{relaxed:#}");
    assert_eq!(hits.len(), 3, "{hits:#?}");
    let line = env.search_human(&[PASSAGE]);
    let all = counted.len() + common.len();
    let expected = format!(
        "only 1 article has all {all} words; then those with 1 or more of its {} words in at \
         most a tenth of the articles",
        counted.len()
    );
    assert!(line.starts_with(&expected), "{line}");
}

#[test]
fn a_common_word_in_several_pieces_of_a_passage_scores_once() {
    let env = with_a_passage(40);
    // Pasted in three pieces (line breaks, spaces), 在 in two of them.
    let pieces = "嫦娥六号探测器在月球背面着陆 的工作取得新的发展 科研人员在现场开展工作";
    let explained = env.search_human(&[pieces, "--explain"]);
    assert!(explained.contains("score but do not count"), "{explained}");
    // In the first hit's explanation, which has every word.
    let first = explained.split("\n 2. ").next().unwrap_or_default();
    assert!(first.contains("source.txt"), "{explained}");
    assert_eq!(first.matches("BM25F 在").count(), 1, "{first}");
}

#[test]
fn match_any_counts_every_word_of_a_passage() {
    let env = with_a_passage(40);
    let hits = env.search_json(&[PASSAGE, "--match", "any", "--limit", "100"]);
    // The articles with only common words too.
    assert_eq!(hits.len(), 43, "{hits:#?}");
    assert!(hits[0]["relaxed"].get("common").is_none(), "{hits:#?}");
}

#[test]
fn in_a_small_index_a_passage_is_relaxed_over_every_word() {
    // Five articles: each word they have is in more than a tenth of them,
    // and the passage's other words are in none; counting only those, no
    // article would be found.
    let env = TestEnv::new();
    for i in 0..5 {
        env.write(
            &format!("corpus/{i}.txt"),
            format!(
                "---\ntitle: 月球探测{i}\ndate: 2024-06-0{}\n---\n\
                 嫦娥探测器在月球背面着陆，科研人员介绍情况。\n",
                i + 1
            ),
        );
    }
    env.index();
    let query = "嫦娥探测器在月球背面着陆以后，足球比赛冠军球迷教练队员进球联赛赛季体育场";
    let hits = env.search_json(&[query]);
    assert_eq!(hits.len(), 5, "{hits:#?}");
    assert!(hits[0]["relaxed"].get("common").is_none(), "{hits:#?}");
    // Nor in an index of three articles that has the passage itself.
    let env = with_a_passage(0);
    let hits = env.search_json(&[PASSAGE]);
    assert_eq!(hit_ids(&hits)[0], "source.txt", "{hits:#?}");
    assert!(hits[0]["relaxed"].get("common").is_none(), "{hits:#?}");
}
