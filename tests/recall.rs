//! The recall guarantee and the query language on the bundled corpus:
//! any string that occurs in an article finds it; word matches rank above
//! matches across word boundaries; normalisation; synonyms; identifiers;
//! malformed and random queries.

mod common;

use common::{Article, TestEnv, library_engine};
use proptest::prelude::*;
use zhsearch::corpus;
use zhsearch::search::{Engine, Request};

fn bundled() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = library_engine(&common::bundled_corpus(), dir.path());
    (dir, engine)
}

/// The highlighted parts of a hit's snippet.
fn lit(hit: &zhsearch::search::Hit) -> Vec<&str> {
    hit.snippet
        .highlights
        .iter()
        .map(|r| &hit.snippet.text[r.clone()])
        .collect()
}

fn ids(engine: &Engine, query: &str) -> Vec<String> {
    let mut ids = engine.ranked_ids(&Request::new(query), 1000).unwrap();
    ids.sort();
    ids
}

/// The articles of a corpus of text files, with the titles the indexer
/// finds in them, for the recall check.
fn articles_in(corpus: &std::path::Path) -> Vec<Article> {
    let listing = corpus::discover(corpus).unwrap();
    let mut articles = Vec::new();
    for file in &listing.files {
        corpus::read(file, |d| {
            let d = d.unwrap();
            let title = zhsearch::extract::title::find_title(&d.body);
            articles.push(Article {
                id: d.id,
                title: if title.is_lead {
                    String::new()
                } else {
                    title.text
                },
                body: d.body,
            });
        })
        .unwrap();
    }
    articles
}

#[test]
fn any_substring_of_the_bundled_corpus_finds_its_articles() {
    let (_dir, engine) = bundled();
    let articles = articles_in(&common::bundled_corpus());
    let report = common::check_recall(&engine, &articles, 1500, 20261121);
    assert_eq!(report.quoted, 1500);
    assert!(report.unquoted > 1000, "{report:?}");
    for mark in ['“', '”', '‘', '’', '《', '》', '(', ')'] {
        assert!(report.marks.contains(&mark), "no sample with {mark}");
    }
}

/// The bundled articles have only “” ‘’ 《》 and () among the marks: with
/// every kind inserted into them, one after every 25 characters or so,
/// quoted substrings around each still find exactly their articles.
#[test]
fn substrings_with_every_kind_of_quote_mark_and_bracket_find_their_articles() {
    let env = TestEnv::new();
    let marks: Vec<char> = common::MARKS.chars().collect();
    let mut rng = common::Rng(20261128);
    for file in corpus::discover(&common::bundled_corpus()).unwrap().files {
        let text = std::fs::read_to_string(&file.path).unwrap();
        let mut marked = String::with_capacity(text.len() * 2);
        for c in text.chars() {
            marked.push(c);
            if rng.below(25) == 0 {
                marked.push(marks[rng.below(marks.len())]);
            }
        }
        env.write(&format!("corpus/{}", file.rel), marked);
    }
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    let articles = articles_in(&env.path("corpus"));
    let report = common::check_recall(&engine, &articles, 800, 10);
    assert_eq!(report.quoted, 800);
    let missing: String = marks.iter().filter(|m| !report.marks.contains(m)).collect();
    assert!(missing.is_empty(), "no quoted sample with {missing}");
}

#[test]
fn cross_word_substrings_and_mixed_text_are_found() {
    let (_dir, engine) = bundled();
    let gaoming = ["000_e19cf532170f2a3e.txt", "001_eda8d542acb23e2d.txt"];
    assert_eq!(ids(&engine, "明区"), gaoming);
    assert_eq!(ids(&engine, "\"明区\""), gaoming);
    assert_eq!(ids(&engine, "\"建引领高\""), ["000_e19cf532170f2a3e.txt"]);
    assert_eq!(ids(&engine, "党"), ids(&engine, "\"党\""));
    assert_eq!(ids(&engine, "GDP").len(), 1);
    assert_eq!(ids(&engine, "千亿GDP强区"), ["003_8f3e609361c084a5.txt"]);
    assert!(ids(&engine, "2023年").contains(&"001_eda8d542acb23e2d.txt".to_string()));
}

#[test]
fn identifiers_are_searchable_whole_and_in_parts() {
    let env = TestEnv::new();
    env.write(
        "corpus/doc.txt",
        "省政府办公厅印发《粤府办〔2023〕12号》通知。5G基站建设加快。咨询电话:0757-88661108。",
    );
    env.write(
        "corpus/other.txt",
        "2023年全市新建基站。电话0757-12345678。",
    );
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    for q in [
        "粤府办〔2023〕12号",
        "\"粤府办〔2023〕12号\"",
        "粤府办",
        "12号",
        "5G",
        "5G基站",
        "0757-88661108",
        "88661108",
    ] {
        assert!(ids(&engine, q).contains(&"doc.txt".to_string()), "{q}");
    }
    assert_eq!(ids(&engine, "0757-88661108"), ["doc.txt"]);
    assert_eq!(ids(&engine, "0757"), ["doc.txt", "other.txt"]);
    assert_eq!(
        ids(&engine, "2023年"),
        ["other.txt"],
        "〔2023〕12号 has no 2023年"
    );
}

/// Quoted text matches like Ctrl-F: never across punctuation or space in the
/// article (安全 is not in 国安。全国); punctuation in the query matches any
/// punctuation there (六号，区 finds 六号。区), and which characters of
/// punctuation, or how many, does not matter.
#[test]
fn quoted_text_does_not_match_across_punctuation() {
    let env = TestEnv::new();
    env.write(
        "corpus/split.txt",
        "维护国家安。全国人民踊跃参加。文汇路六号。区机关大院",
    );
    env.write(
        "corpus/whole.txt",
        "安全生产是头等大事，文汇路六号区机关大院",
    );
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    assert_eq!(ids(&engine, "\"安全\""), ["whole.txt"]);
    assert_eq!(ids(&engine, "\"六号区\""), ["whole.txt"]);
    assert_eq!(ids(&engine, "\"六号，区\""), ["split.txt"]);
    assert_eq!(ids(&engine, "\"六号——区机关\""), ["split.txt"]);
    // A run of one character on either side of the break.
    assert_eq!(ids(&engine, "\"安。全\""), ["split.txt"]);
    assert_eq!(ids(&engine, "\"家安，全\""), ["split.txt"]);
    assert_eq!(ids(&engine, "\"安，全国\""), ["split.txt"]);
    assert!(ids(&engine, "\"安全，国\"").is_empty());
    // Punctuation at the ends of a query is not part of it.
    assert_eq!(ids(&engine, "\"“安全”\""), ["whole.txt"]);
    // Unquoted, both have the words; the one with the text verbatim first.
    let ranked = engine
        .ranked_ids(&Request::new("六号，区机关"), 10)
        .unwrap();
    assert_eq!(ranked, ["split.txt", "whole.txt"]);
    // Highlights: the matched characters, not the punctuation between.
    let results = engine.search(&Request::new("\"六号，区机关\"")).unwrap();
    let hit = &results.hits[0];
    assert_eq!(lit(hit), ["六号", "区机关"]);
}

/// A passage copied with its quote marks, put between quotes: the marks
/// inside are punctuation, matching the article's (issue 10).
fn quotes_corpus() -> (TestEnv, Engine) {
    let env = TestEnv::new();
    env.write(
        "corpus/village.txt",
        "在村史馆里，老党员讲起当年的情景。群众说：“共产党好！”乡亲们的日子越过越红火。",
    );
    env.write(
        "corpus/help.txt",
        "关键在一个字，就是“扶”。这样才能让困难群众真正站起来。",
    );
    env.write(
        "corpus/apart.txt",
        "帮扶工作要做细做实。这样的做法值得推广，群众说好。",
    );
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    (env, engine)
}

#[test]
fn a_chinese_quote_inside_a_quoted_phrase_is_text() {
    let (_env, engine) = quotes_corpus();
    assert_eq!(ids(&engine, "\"说：“共产党好！\""), ["village.txt"]);
    let results = engine.search(&Request::new("\"说：“共产党好！\"")).unwrap();
    assert_eq!(lit(&results.hits[0]), ["说", "共产党好"]);
}

#[test]
fn a_quoted_quote_mark_does_not_split_the_phrase() {
    let (_env, engine) = quotes_corpus();
    // Not 扶 and "。这样" apart, which apart.txt has.
    assert_eq!(ids(&engine, "\"“扶”。这样\""), ["help.txt"]);
}

#[test]
fn corner_quotes_delimit_a_phrase_with_other_quotes_inside() {
    let (_env, engine) = quotes_corpus();
    // Traditional text quotes with 「」 and 『』; unquoted, 扶 and 這樣
    // would also find apart.txt.
    assert_eq!(ids(&engine, "「『扶』。這樣」"), ["help.txt"]);
    assert_eq!(ids(&engine, "『「扶」。這樣』"), ["help.txt"]);
    assert_eq!(ids(&engine, "「群眾說：『共產黨好！』」"), ["village.txt"]);
}

#[test]
fn word_matches_rank_above_matches_across_word_boundaries() {
    let env = TestEnv::new();
    // 高明 is a word (inside 高明区) once in a.txt; in b.txt its characters
    // only meet across words (提高 明显), several times.
    env.write("corpus/a.txt", "高明区召开会议。");
    env.write("corpus/b.txt", "效率提高明显。质量提高明显。收入提高明显。");
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    assert_eq!(
        engine.ranked_ids(&Request::new("高明"), 10).unwrap(),
        ["a.txt", "b.txt"]
    );
    // Among articles containing a multi-word query verbatim and those with
    // its words apart, the verbatim ones come first.
    env.write(
        "corpus/c.txt",
        "高质量发展。党建引领。党建。党建。引领。引领。高质量发展。",
    );
    env.write("corpus/d.txt", "以党建引领高质量发展。");
    let dir2 = tempfile::tempdir().unwrap();
    let engine = library_engine(&env.path("corpus"), dir2.path());
    let ranked = engine
        .ranked_ids(&Request::new("党建引领高质量发展"), 10)
        .unwrap();
    assert_eq!(ranked[0], "d.txt");
    assert!(ranked.contains(&"c.txt".to_string()));
}

/// An unquoted query whose words are one word repeated, around punctuation
/// (a substring such as `日），日`), ranks the text verbatim first, as a
/// query of several words does.
#[test]
fn one_word_repeated_around_punctuation_ranks_the_text_verbatim_first() {
    let env = TestEnv::new();
    env.write(
        "corpus/verbatim.txt",
        "本次会议的议程包括听取工作报告、审议有关文件、讨论下一阶段的重点任务等内容。\
         会议定于12日），日程安排另行通知。",
    );
    // A shorter text with 日 as a word, in its title too, but never 日, then
    // punctuation, then 日.
    env.write("corpus/many.txt", "日，坚持。日");
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    let ranked = engine.ranked_ids(&Request::new("日），日"), 10).unwrap();
    assert_eq!(ranked, ["verbatim.txt", "many.txt"]);
}

#[test]
fn traditional_and_simplified_find_each_other_with_original_highlights() {
    let env = TestEnv::new();
    env.write("corpus/trad.txt", "高明區黨建引領高質量發展");
    env.write("corpus/simp.txt", "高明区党建引领高质量发展");
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    assert_eq!(ids(&engine, "党建"), ["simp.txt", "trad.txt"]);
    assert_eq!(ids(&engine, "黨建"), ["simp.txt", "trad.txt"]);
    assert_eq!(ids(&engine, "\"高質量發展\""), ["simp.txt", "trad.txt"]);
    let results = engine.search(&Request::new("党建")).unwrap();
    for hit in &results.hits {
        let want = if hit.record.id == "trad.txt" {
            "黨建"
        } else {
            "党建"
        };
        assert_eq!(lit(hit), [want], "{}", hit.record.id);
    }
}

#[test]
fn traditional_characters_with_several_forms_are_found() {
    let env = TestEnv::new();
    env.write(
        "corpus/trad.txt",
        "關於做好土地徵收補償工作的通知\n各鎮人民政府：乾隆年間修建的古橋將予以修復，請認真貫徹執行。",
    );
    env.write(
        "corpus/simp.txt",
        "关于做好土地征收补偿工作的通知\n各镇人民政府：请认真贯彻执行，２０２４年底前完成。",
    );
    let engine = library_engine(&env.path("corpus"), &env.path("index"));
    // Simplified finds Traditional and the reverse, quoted or not.
    for query in ["\"关于\"", "关于", "關於", "\"土地徵收\"", "徵收补偿"] {
        assert_eq!(ids(&engine, query), ["simp.txt", "trad.txt"], "{query}");
    }
    // Any string cut from the text finds it, even one that cuts the phrase 乾隆.
    for query in ["\"乾隆\"", "\"乾\"", "\"隆年間\""] {
        assert_eq!(ids(&engine, query), ["trad.txt"], "{query}");
    }
    // Highlights land on the characters as written.
    let results = engine.search(&Request::new("\"关于\"")).unwrap();
    for hit in &results.hits {
        let want = if hit.record.id == "trad.txt" {
            "關於"
        } else {
            "关于"
        };
        assert_eq!(lit(hit), [want], "{}", hit.record.id);
    }
}

#[test]
fn synonyms_expand_queries_into_spun_text() {
    let (_dir, engine) = bundled();
    let chancheng = "004_ec023b9238a4b3cd.txt".to_string();
    assert!(!ids(&engine, "党建").contains(&chancheng));
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/synonyms-example.txt");
    let synonyms = zhsearch::search::synonyms::Synonyms::load(&file).unwrap();
    let engine = engine.with_synonyms(synonyms);
    assert!(ids(&engine, "党建").contains(&chancheng));
    assert!(ids(&engine, "\"党建\"").contains(&chancheng));
    let results = engine.search(&Request::new("党建 region:禅城")).unwrap();
    assert!(lit(&results.hits[0]).contains(&"党筑"));
}

#[test]
fn title_and_source_fields() {
    let (_dir, engine) = bundled();
    assert_eq!(ids(&engine, "title:南沙"), ["002_6bc2cfcd6b5cfc07.txt"]);
    assert_eq!(
        ids(&engine, "title:\"猛虎之师\""),
        ["000_e19cf532170f2a3e.txt"]
    );
    assert_eq!(ids(&engine, "source:南方"), ["002_6bc2cfcd6b5cfc07.txt"]);
    assert_eq!(
        ids(&engine, "党建 source:佛山在线"),
        ["000_e19cf532170f2a3e.txt"]
    );
    assert_eq!(
        ids(&engine, "(陈皮 OR 尖刀班) -疫情"),
        ["003_8f3e609361c084a5.txt", "004_ec023b9238a4b3cd.txt"]
    );
}

#[test]
fn explain_shows_words_fallbacks_filters_and_scores() {
    let (_dir, engine) = bundled();
    let mut request = Request::new("党建引领高质量发展 region:佛山 date:2020..");
    request.explain = true;
    let results = engine.search(&request).unwrap();
    let notes = results.notes.join("\n");
    assert!(notes.contains("[党建 | 引领 | 高质量 | 发展]"), "{notes}");
    assert!(notes.contains("as characters"), "{notes}");
    assert!(notes.contains("region in /广东省/佛山市"), "{notes}");
    assert!(notes.contains("filter: date from 2020-01-01"), "{notes}");
    assert!(
        results.hits[0]
            .explanation
            .as_deref()
            .unwrap()
            .contains("BooleanQuery")
            || results.hits[0]
                .explanation
                .as_deref()
                .unwrap()
                .contains("value")
    );
}

#[test]
fn long_queries_work_up_to_the_limit() {
    let (_dir, engine) = bundled();
    let text = include_str!("../corpus/000_e19cf532170f2a3e.txt");
    let long: String = text
        .chars()
        .filter(|c| !"\"“”()-:".contains(*c))
        .take(1000)
        .collect();
    assert_eq!(long.chars().count(), 1000);
    let results = engine.search(&Request::new(&long)).unwrap();
    assert_eq!(results.hits[0].record.id, "000_e19cf532170f2a3e.txt");
    let too_long = "党".repeat(1001);
    let err = engine
        .search(&Request::new(&too_long))
        .unwrap_err()
        .to_string();
    assert!(err.contains("at most 1000"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn random_queries_never_panic(q in "[\"“”「」『』＂‘’()\\-: a-zA-Z党建高明区OR年*.，。]{0,30}|\\PC{0,30}") {
        static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        let engine = ENGINE.get_or_init(|| {
            library_engine(&common::bundled_corpus(), &common::static_dir("recall-random-queries"))
        });
        let mut request = Request::new(&q);
        request.facets = true;
        // Errors are fine; panics are not.
        let _ = engine.search(&request);
    }
}
