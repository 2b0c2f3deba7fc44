//! How results are ordered (issue 12): readable scores, a year in the
//! query, the title and the region. Each test has its own small corpus of
//! news sentences written for it.

mod common;

use common::{TestEnv, hit_ids};

/// An article in front matter: title, date, optional region, body.
fn article(title: &str, date: &str, region: Option<&str>, body: &str) -> String {
    let region = region.map_or(String::new(), |r| format!("region: {r}\n"));
    format!("---\ntitle: {title}\ndate: {date}\n{region}---\n{body}\n")
}

/// Writes `corpus/otherN.txt`: a story of other news for each topic, dated
/// `date`, so that a test's words are as rare as in a real corpus.
fn put_other_news(env: &TestEnv, topics: &[&str], date: &str) {
    for (i, topic) in topics.iter().enumerate() {
        put(
            env,
            &format!("other{i}.txt"),
            &format!("{topic}工作稳步推进"),
            date,
            &format!(
                "今年以来，各地{topic}工作稳步推进，取得新成效。有关部门表示，\
                 将继续完善政策措施，推动{topic}工作再上新台阶，更好满足人民群众需要。"
            ),
        );
    }
}

/// `zhsearch search QUERY --explain` on the test's index, in plain text.
fn explain(env: &TestEnv, query: &str) -> common::Run {
    env.run(&[
        "search",
        query,
        "--index",
        "index",
        "--explain",
        "--color",
        "never",
    ])
    .expect_code(0)
}

/// Writes `corpus/FILE`: an article with no region.
fn put(env: &TestEnv, file: &str, title: &str, date: &str, body: &str) {
    env.write(&format!("corpus/{file}"), article(title, date, None, body));
}

#[test]
fn the_terminal_shows_ranks_not_tier_constants() {
    let env = TestEnv::new();
    put(
        &env,
        "a.txt",
        "高质量发展综述",
        "2023-01-05",
        "各地推动高质量发展取得新成效。",
    );
    env.index();
    let run = env
        .run(&[
            "search",
            "高质量发展",
            "--index",
            "index",
            "--color",
            "never",
        ])
        .expect_code(0);
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(first, " 1. [高质量发展]综述", "{}", run.stdout);
}

#[test]
fn json_and_explain_give_the_parts_of_a_score() {
    let env = TestEnv::new();
    put(
        &env,
        "a.txt",
        "党建引领基层治理",
        "2023-01-05",
        "坚持党建引领，提升基层治理水平。",
    );
    env.index();
    let hits = env.search_json(&["党建引领"]);
    let c = &hits[0]["components"];
    // The text verbatim is the tier.
    assert_eq!(c["verbatim"], true, "{c}");
    assert_eq!(c["tier"].as_f64().unwrap(), 10000.0, "{c}");
    let bm25 = c["bm25"].as_f64().unwrap();
    assert!(bm25 > 0.0, "{c}");
    // The boosts: both words found as words (200), next to each other (20),
    // in the title (500), which starts with them (500).
    assert_eq!(c["as_words"], 2, "{c}");
    assert_eq!(c["near"], 1, "{c}");
    assert_eq!(c["boost"].as_f64().unwrap(), 1220.0, "{c}");
    let score = hits[0]["score"].as_f64().unwrap();
    assert!((score - 11220.0 - bm25).abs() < 0.01, "{score} {c}");
    let run = explain(&env, "党建引领");
    assert!(
        run.stdout
            .contains(" = tiers 10000 (verbatim) + boosts 1220 (2 as words, 1 near) + BM25 "),
        "{}",
        run.stdout
    );
}

#[test]
fn a_year_in_the_query_prefers_articles_dated_that_year() {
    let env = TestEnv::new();
    // A 2023 review that says 疫情防控 and 2022 often, and a 2022 story.
    put(
        &env,
        "review.txt",
        "年终专题回顾",
        "2023-01-10",
        "回顾2022年疫情防控：2022年疫情防控形势复杂，2022年各地疫情防控措施不断优化。",
    );
    put(
        &env,
        "spring.txt",
        "春季校园安全检查",
        "2022-04-15",
        "今年春季开学以来，全市学校开展安全检查。2022年以来，校园疫情防控有序开展，师生健康得到保障。",
    );
    env.index();
    let hits = env.search_json(&["疫情防控 2022"]);
    assert_eq!(hit_ids(&hits), ["spring.txt", "review.txt"], "{hits:?}");
    // The year's boost is what sets them apart.
    let boost = |i: usize| hits[i]["components"]["boost"].as_f64().unwrap();
    assert_eq!(boost(0) - boost(1), 500.0, "{hits:?}");
    // Written 2022年, or in full-width digits, the same.
    assert_eq!(
        hit_ids(&env.search_json(&["疫情防控 2022年"]))[0],
        "spring.txt"
    );
    assert_eq!(
        hit_ids(&env.search_json(&["疫情防控 ２０２２"]))[0],
        "spring.txt"
    );
}

#[test]
fn a_year_is_found_in_the_articles_of_that_year_that_never_say_it() {
    let env = TestEnv::new();
    // Stories seldom say their own year: the 2022 ones here do not. A
    // 2023 review says 2022年 beside 疫情防控, verbatim.
    put(
        &env,
        "review.txt",
        "年终专题回顾",
        "2023-01-10",
        "回顾2022年疫情防控工作，各地疫情防控措施不断优化。",
    );
    put(
        &env,
        "spring.txt",
        "春季校园安全检查",
        "2022-04-15",
        "今年春季开学以来，全市学校开展安全检查，校园疫情防控有序开展，师生健康得到保障。",
    );
    put(
        &env,
        "port.txt",
        "口岸疫情防控工作会议召开",
        "2022-09-02",
        "会议要求，口岸疫情防控要坚持科学精准，外防输入不放松。",
    );
    put(
        &env,
        "older.txt",
        "社区疫情防控见闻",
        "2021-03-08",
        "社区工作者坚守岗位，疫情防控一刻不松懈。",
    );
    put_other_news(&env, &["教育", "交通", "农业"], "2022-05-01");
    env.index();
    // Every word: 疫情防控 and 2022, said or the article's year.
    let every = env.search_json(&["疫情防控 2022", "--match", "all"]);
    let mut ids = hit_ids(&every);
    ids.sort();
    assert_eq!(ids, ["port.txt", "review.txt", "spring.txt"], "{every:?}");
    // The year's articles first, whether the query says 2022 or 2022年:
    // a year is a preference, not a text that ranks verbatim.
    for (query, year) in [
        ("疫情防控 2022", "2022"),
        ("疫情防控 2022年", "2022年"),
        ("疫情防控 ２０２２年", "2022年"),
    ] {
        let hits = env.search_json(&[query]);
        let ids = hit_ids(&hits);
        assert_eq!(ids.len(), 4, "{query}: {hits:?}");
        assert!(
            ids[..2].contains(&"port.txt") && ids[..2].contains(&"spring.txt"),
            "{query}: {hits:?}"
        );
        assert_eq!(ids[2..], ["review.txt", "older.txt"], "{query}: {hits:?}");
        // Only the article of another year lacks it.
        let lacks = |i: usize| hits[i]["missing"].as_array().unwrap().clone();
        assert!((0..3).all(|i| lacks(i).is_empty()), "{query}: {hits:?}");
        assert_eq!(lacks(3), [year], "{query}: {hits:?}");
    }
    let explained = explain(&env, "疫情防控 2022").stdout;
    assert!(
        explained.contains("found in the articles dated 2022 as well as in those that have it"),
        "{explained}"
    );
}

#[test]
fn a_year_is_a_year_with_its_nian_or_on_its_own_and_negated_it_is_text() {
    let env = TestEnv::new();
    put(
        &env,
        "budget.txt",
        "财政预算安排",
        "2023-03-05",
        "今年中央财政安排资金1500亿元，疫情防控保障有力。",
    );
    put(
        &env,
        "review.txt",
        "年终回顾",
        "2021-12-30",
        "展望2022年，各项工作稳步推进。",
    );
    put(
        &env,
        "report.txt",
        "统计公报发布",
        "2024-02-28",
        "全年新增投资2023亿元，同比增长。",
    );
    put_other_news(&env, &["教育", "交通"], "2023-05-01");
    env.index();
    // Among other words a number is a quantity, not a year: not the
    // articles of 2023 that have 亿元.
    let hits = env.search_json(&["2023亿元", "--match", "all"]);
    assert_eq!(hit_ids(&hits), ["report.txt"], "{hits:?}");
    // With every word counting alone, a year counts where it is written
    // too, as the word it is.
    let any = env.search_json(&["疫情防控 2022", "--match", "any"]);
    let mut ids = hit_ids(&any);
    ids.sort();
    assert_eq!(ids, ["budget.txt", "review.txt"], "{any:?}");
    // Negated, a year is its text: `-2022` leaves out what writes it.
    let without = env.search_json(&["年 -2022", "--match", "all"]);
    assert!(!hit_ids(&without).contains(&"review.txt"), "{without:?}");
    assert!(hit_ids(&without).contains(&"report.txt"), "{without:?}");
}

#[test]
fn a_place_in_the_query_prefers_articles_of_that_region() {
    let env = TestEnv::new();
    // A round-up that names 浙江 among many provinces, and says 乡村振兴
    // often; and a story from Zhejiang that says each once.
    env.write(
        "corpus/roundup.txt",
        article(
            "乡村振兴各地动态",
            "2023-06-01",
            Some("江苏省"),
            "乡村振兴看江苏：江苏推进乡村振兴。乡村振兴看广东，乡村振兴看山东，乡村振兴也看浙江。",
        ),
    );
    env.write(
        "corpus/anji.txt",
        article(
            "安吉县白茶产业带动农民增收",
            "2023-06-02",
            Some("安吉县"),
            "在浙江安吉，白茶产业成为乡村振兴的重要抓手，茶农收入逐年提高。",
        ),
    );
    env.index();
    let hits = env.search_json(&["乡村振兴 浙江"]);
    assert_eq!(hit_ids(&hits), ["anji.txt", "roundup.txt"], "{hits:?}");
    // A place named by a district's short form is not taken for one (高明 is
    // also an adjective); the province's short form is.
    let run = explain(&env, "乡村振兴 浙江");
    assert!(run.stdout.contains("\"浙江\": a place"), "{}", run.stdout);
}

#[test]
fn words_in_the_title_rank_above_the_same_words_only_in_the_body() {
    let env = TestEnv::new();
    // The short body of `body.txt` repeats both words; `title.txt` has them
    // in its long title, and in its long body once each, far apart.
    put(
        &env,
        "body.txt",
        "本市召开工作会议",
        "2023-03-01",
        "会议强调，抓好春耕备耕。春耕备耕，春耕备耕。",
    );
    let filler = "会议听取了各部门汇报，研究部署了下一阶段重点任务。".repeat(12);
    put(
        &env,
        "title.txt",
        "全市各地抢抓农时春耕备耕工作有序推进确保粮食生产开好局起好步",
        "2023-03-02",
        &format!("当前正值春耕时节。{filler}各地备耕物资供应充足。"),
    );
    let topics = ["市场监管", "交通安全", "文化活动", "教育改革", "医疗卫生"];
    put_other_news(&env, &topics, "2023-03-05");
    env.index();
    let hits = env.search_json(&["春耕 备耕"]);
    assert_eq!(hit_ids(&hits), ["title.txt", "body.txt"], "{hits:?}");
    // Not only BM25F's weight for the title: every word of the query in the
    // title is worth its boost (`TITLE_BOOST`, half a tier), which the body
    // alone never earns.
    let boost = |hit: &serde_json::Value| hit["components"]["boost"].as_f64().unwrap();
    let more = boost(&hits[0]) - boost(&hits[1]);
    assert!(more >= 500.0, "{more}: {hits:#?}");
}

#[test]
fn a_word_jieba_cut_otherwise_in_the_article_is_found_all_the_same() {
    let env = TestEnv::new();
    // jieba cuts 林田湖 as a word in 山水林田湖草沙, not in 山水林田湖草系统.
    // The article with it in its title ranks first: how jieba cut the
    // other one is a bonus, not a tier.
    put(
        &env,
        "body.txt",
        "生态保护工作会议召开",
        "2023-03-01",
        "会议强调，坚持山水林田湖草沙一体化保护和系统治理。",
    );
    put(
        &env,
        "title.txt",
        "统筹山水林田湖草系统治理",
        "2023-03-02",
        "各地统筹推进生态保护修复。",
    );
    env.index();
    let hits = env.search_json(&["林田湖"]);
    assert_eq!(hit_ids(&hits), ["title.txt", "body.txt"], "{hits:?}");
    let (title, body) = (&hits[0]["components"], &hits[1]["components"]);
    assert_eq!(title["tier"], body["tier"], "{hits:?}");
    assert_eq!(
        (title["as_words"].as_u64(), body["as_words"].as_u64()),
        (Some(0), Some(1))
    );
}

#[test]
fn words_typed_together_rank_higher_where_they_stand_together() {
    let env = TestEnv::new();
    // The same words, as often, in bodies of the same length: together in
    // `near.txt`, a sentence apart in `far.txt` (indexed first, so that it
    // would win a tie).
    put(
        &env,
        "a-far.txt",
        "通知一",
        "2023-03-01",
        "各地做好春耕工作，确保农资供应充足有序，加快推进备耕。",
    );
    put(
        &env,
        "b-near.txt",
        "通知二",
        "2023-03-01",
        "各地做好春耕和备耕，确保农资供应充足有序，加快推进工作。",
    );
    env.index();
    let hits = env.search_json(&["春耕备耕"]);
    assert_eq!(hit_ids(&hits), ["b-near.txt", "a-far.txt"], "{hits:?}");
    assert_eq!(hits[0]["components"]["near"], 1, "{hits:?}");
    assert_eq!(hits[1]["components"]["near"], 0, "{hits:?}");
    // Typed apart, the words are independent: no pair is looked for.
    let apart = env.search_json(&["春耕 备耕"]);
    assert_eq!(apart[0]["components"]["near"], 0, "{apart:?}");
}

#[test]
fn a_headline_typed_from_its_start_finds_that_headline_first() {
    let env = TestEnv::new();
    // Both titles hold the text; the shorter one would win on BM25.
    put(
        &env,
        "inside.txt",
        "各地乡村振兴取得新进展",
        "2023-03-01",
        "乡村振兴取得新进展。",
    );
    put(
        &env,
        "start.txt",
        "乡村振兴取得新进展，干部群众干劲十足信心满怀",
        "2023-03-02",
        "乡村振兴取得新进展。",
    );
    env.index();
    let hits = env.search_json(&["乡村振兴取得"]);
    assert_eq!(hit_ids(&hits), ["start.txt", "inside.txt"], "{hits:?}");
    // After punctuation at the start of a title too.
    put(
        &env,
        "start.txt",
        "“乡村振兴取得新进展”，干部群众干劲十足信心满怀",
        "2023-03-02",
        "乡村振兴取得新进展。",
    );
    env.index();
    let hits = env.search_json(&["乡村振兴取得"]);
    assert_eq!(hit_ids(&hits), ["start.txt", "inside.txt"], "{hits:?}");
}

#[test]
fn the_word_bonus_is_shared_by_every_word_of_the_query() {
    let env = TestEnv::new();
    put(
        &env,
        "a.txt",
        "党建引领高质量发展",
        "2021-06-01",
        "2022年，各地坚持党建引领。",
    );
    env.index();
    // Four words in the title field and a year: the five share the bonus
    // for words found as whole words (200), however the query is built.
    let hits = env.search_json(&["title:党建引领高质量发展 2022"]);
    let c = &hits[0]["components"];
    assert_eq!(c["as_words"], 5, "{c}");
    assert_eq!(c["boost"].as_f64().unwrap().round(), 200.0, "{c}");
}

#[test]
fn a_headline_pasted_with_its_quote_marks_ranks_as_the_text_it_is() {
    // 【“十五五”开局…】: the quote marks make “十五五” a phrase, but the run
    // was typed (pasted) as one: the article with it verbatim, whose title
    // begins with it, ranks first; the others have its words apart.
    let env = TestEnv::new();
    put(
        &env,
        "verbatim.txt",
        "“十五五”开局之年 各地抓项目促发展",
        "2026-02-01",
        "“十五五”开局之年，各地抓项目促发展，重大工程加快推进。",
    );
    put(
        &env,
        "apart.txt",
        "开局良好 “十五五”规划纲要实施有力",
        "2026-02-02",
        "开局良好。“十五五”规划纲要实施有力，开局之年各项工作扎实推进，“十五五”目标任务稳步落实。",
    );
    env.index();
    let hits = env.search_json(&["“十五五”开局", "--explain"]);
    assert_eq!(hit_ids(&hits), ["verbatim.txt", "apart.txt"], "{hits:#?}");
    let first = &hits[0]["components"];
    assert_eq!(first["verbatim"], true, "{first}");
    assert_eq!(hits[1]["components"]["verbatim"], false, "{hits:#?}");
    // With a space, the user set them apart: nothing is verbatim.
    let spaced = env.search_json(&["“十五五” 开局"]);
    assert!(
        spaced.iter().all(|h| h["components"]["verbatim"] == false),
        "{spaced:#?}"
    );
}

#[test]
fn components_without_explain_are_those_of_the_explanation() {
    // JSON gives every hit its components without explaining it (which
    // costs milliseconds a hit); they must be what the explanation says.
    let env = TestEnv::with_bundled_corpus();
    env.index();
    let queries: &[&[&str]] = &[
        &["党建引领高质量发展"],
        &["高明"],
        &["佛山 党建"],
        &["\"高质量发展\" 佛山"],
        &["+党建 -疫情"],
        &["党建 OR 乡村振兴"],
        &["title:党建 发展"],
        &["党建 2023"],
        &["高明区 基层治理"],
        &["党建 会晤 南非"],
        &["党建 乡村 招商", "--match", "any"],
        &["发展", "--region", "佛山"],
        &["发展 region:顺德区"],
        &["党建 发展", "--sort", "date"],
    ];
    let compared = common::assert_components_as_explained(&env, queries);
    assert!(compared > 30, "only {compared} hits compared");
}

#[test]
fn keywords_set_apart_rank_a_body_that_keeps_returning_to_them_above_a_title_naming_one() {
    let env = TestEnv::new();
    // Keywords remembered from a story's body: the story that is about
    // them (each said several times) ranks above one that names one of them
    // in its title and the others once, in passing.
    put(
        &env,
        "about.txt",
        "抓好春耕春管 夯实粮食丰收基础",
        "2025-03-16",
        "南方各地抢抓农时育秧。早稻育秧采用工厂化育秧，育秧大棚里秧苗长势良好。\
         育秧之后，机械化插秧陆续展开，插秧机在田间来回穿梭。今年早稻面积稳中有增，\
         早稻插秧进度快于往年。",
    );
    put(
        &env,
        "title.txt",
        "全国早稻收获过半",
        "2025-07-17",
        "眼下各地早稻迎来大面积收获。农业农村部门组织农机跨区作业，\
         各地农机合作社加班加点，抢收抢晒，确保颗粒归仓。气象部门提醒，\
         近期南方多雨，各地要抓住晴好天气及时收割晾晒，防止霉变。\
         去年推广的集中育秧和机插秧技术让今年的收成更有保障。",
    );
    // Other news, so that the keywords are as rare as in a real corpus.
    let topics = [
        "市场监管",
        "交通安全",
        "文化活动",
        "教育改革",
        "医疗卫生",
        "生态保护",
        "科技创新",
        "城市更新",
        "乡村旅游",
        "对外贸易",
        "体育赛事",
        "防汛抗旱",
    ];
    put_other_news(&env, &topics, "2025-03-05");
    env.index();
    let hits = env.search_json(&["育秧 插秧 早稻"]);
    assert_eq!(hit_ids(&hits), ["about.txt", "title.txt"], "{hits:?}");
    // One keyword in a title adds its share of 10, beside the word bonus
    // (200, shared by the words found as words): no more than a BM25
    // difference.
    let boost = |hit: &serde_json::Value| hit["components"]["boost"].as_f64().unwrap();
    assert!(
        (boost(&hits[1]) - 200.0 - 10.0 / 3.0).abs() < 0.01,
        "{hits:?}"
    );
    // A title with every keyword names what its article is about: the
    // keywords' shares of 500 come back (and their 10), and it ranks
    // first, as a headline typed together would.
    let hits = env.search_json(&["早稻 收获"]);
    assert_eq!(hit_ids(&hits)[0], "title.txt", "{hits:?}");
    // Beside the word bonus (100 a word found as a word).
    let as_words = hits[0]["components"]["as_words"].as_f64().unwrap();
    let besides = boost(&hits[0]) - 100.0 * as_words;
    assert!((besides - 510.0).abs() < 0.01, "{hits:?}");
}

#[test]
fn a_quoted_string_across_words_still_weighs_more_in_the_title() {
    let env = TestEnv::new();
    // 建引领高 crosses jieba's words in both articles: only its characters
    // match, and the title's count for more than a long body's.
    put(
        &env,
        "title.txt",
        "党建引领高质量发展",
        "2023-03-01",
        "各地认真落实部署，推动各项工作取得新进展。",
    );
    let filler = "会议听取了各部门汇报，研究部署了下一阶段重点任务。".repeat(6);
    put(
        &env,
        "body.txt",
        "本市召开工作会议",
        "2023-03-02",
        &format!("{filler}会议强调，坚持党建引领高质量发展。{filler}"),
    );
    env.index();
    let hits = env.search_json(&["\"建引领高\""]);
    assert_eq!(hit_ids(&hits), ["title.txt", "body.txt"], "{hits:?}");
}

#[test]
fn a_year_beside_keywords_need_not_be_in_the_title() {
    let env = TestEnv::new();
    // Two stories of 2022: one about the Spring Festival travel rush (its
    // title says so), one that mentions it in passing. Neither title says
    // 2022, as titles seldom do: the keyword's title still counts fully.
    put(
        &env,
        "about.txt",
        "春运客流总体平稳有序",
        "2022-01-25",
        "各地交通部门加强运力调配，旅客出行总体平稳有序。",
    );
    let filler = "今年以来，全市经济运行总体平稳，重点项目建设有序推进。".repeat(3);
    put(
        &env,
        "passing.txt",
        "全市经济运行总体平稳",
        "2022-02-20",
        &format!("{filler}春运期间，全市交通保障有力，春运工作圆满完成。{filler}"),
    );
    let topics = ["市场监管", "交通安全", "文化活动", "教育改革", "医疗卫生"];
    put_other_news(&env, &topics, "2021-03-05");
    env.index();
    let hits = env.search_json(&["春运 2022"]);
    assert_eq!(hit_ids(&hits)[0], "about.txt", "{hits:?}");
    let run = explain(&env, "春运 2022");
    assert!(
        run.stdout.contains("title has every word"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_headline_typed_without_its_punctuation_is_the_title_verbatim() {
    let env = TestEnv::new();
    put(
        &env,
        "target.txt",
        "新华时评：科技创新引领产业升级",
        "2024-03-01",
        "近年来，各地把科技创新摆在突出位置，以新技术带动传统产业提质增效。",
    );
    // Every word, more often than the target has them.
    put(
        &env,
        "scattered.txt",
        "制造业观察",
        "2024-03-02",
        "新华时评指出，科技创新是关键。企业要在创新中引领产业升级，产业升级离不开\
         科技创新，科技创新引领未来。",
    );
    // The text verbatim, in a body.
    put(
        &env,
        "quoted.txt",
        "产业升级的新路径",
        "2024-03-03",
        "评论文章说，新华时评科技创新引领产业升级的观点值得关注。",
    );
    env.index();
    // The title has the text but for its colon: verbatim, and the title
    // starts with it.
    let hits = env.search_json(&["新华时评科技创新引领"]);
    assert_eq!(
        hit_ids(&hits),
        ["target.txt", "quoted.txt", "scattered.txt"],
        "{hits:#?}"
    );
    assert_eq!(hits[0]["components"]["verbatim"], true, "{hits:#?}");
    assert_eq!(hits[2]["components"]["verbatim"], false, "{hits:#?}");
    let hits = env.search_json(&["新华时评科技"]);
    assert_eq!(hit_ids(&hits)[0], "target.txt", "{hits:#?}");
    // In other words too (革新 for 创新), when no article has them all.
    let hits = env.search_json(&["新华时评科技革新引领"]);
    assert_eq!(hit_ids(&hits)[0], "target.txt", "{hits:#?}");
    assert_eq!(hits[0]["components"]["reworded"], true, "{hits:#?}");
    // Quoted text stays exact: the colon is between.
    let hits = env.search_json(&["\"新华时评科技创新\""]);
    assert_eq!(hit_ids(&hits), ["quoted.txt"], "{hits:#?}");
}
