//! Reading files and records as they really are: blank bodies, a few bad
//! bytes, duplicate ids, unusable metadata, symbolic links, front matter
//! never closed. What zhsearch keeps, and the warnings it gives (on stderr
//! as it goes, counted in the summary, in `--json`'s summary, and by
//! `zhsearch extract`). Warnings do not change the exit code; skips do.

mod common;

use common::{Run, TestEnv};

/// About 1.6 KB of news text (mixed Chinese, full-width, English, digits),
/// with a sentence of its own so that searches can tell articles apart.
fn article(own: &str) -> String {
    let paragraph = "佛山市高明区荷城街道召开２０２４年党建工作会议，推进GDP增长5.2%，\
                     建设5G基站128座。会议强调，要以高质量党建引领基层治理现代化。\n";
    format!("{own}\n{}", paragraph.repeat(8))
}

/// Checks that `output` says `text`, showing it all if not.
#[track_caller]
fn says(output: &str, text: &str) {
    assert!(output.contains(text), "expected {text:?} in:\n{output}");
}

fn index(env: &TestEnv) -> Run {
    env.run(&["index", "corpus", "--index", "index"])
}

fn index_json(env: &TestEnv) -> (Run, serde_json::Value) {
    let run = env.run(&["index", "corpus", "--index", "index", "--json"]);
    let summary = run.json_lines()[0].clone();
    (run, summary)
}

fn show(env: &TestEnv, id: &str) -> serde_json::Value {
    env.run(&["show", id, "--index", "index", "--json"])
        .expect_code(0)
        .json_lines()[0]
        .clone()
}

fn jsonl(records: &[serde_json::Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

// Item 9: a title with a blank body.

#[test]
fn a_blank_body_indexes_the_title_as_the_text() {
    let env = TestEnv::new();
    env.write(
        "corpus/news.jsonl",
        "{\"id\": \"k1\", \"title\": \"高明区召开乡村振兴工作会议\", \"body\": \"\\n\"}\n",
    );
    let run = index(&env).expect_code(0);
    says(&run.stdout, "indexed 1 documents");
    says(
        &run.stderr,
        "news.jsonl:1: no text (the body is blank): the title is indexed",
    );
    assert_eq!(env.search_ids("乡村振兴"), ["k1"]);
    assert_eq!(show(&env, "k1")["title"], "高明区召开乡村振兴工作会议");
}

#[test]
fn a_record_with_no_text_at_all_says_the_body_is_blank() {
    let env = TestEnv::new();
    env.write(
        "corpus/news.jsonl",
        "{\"id\": \"k1\", \"body\": \"高明区召开会议。\"}\n{\"id\": \"k2\", \"body\": \" \\n\"}\n",
    );
    let run = index(&env).expect_code(3);
    says(
        &run.stderr,
        "skipped news.jsonl:2: no text: the body is blank",
    );
}

#[test]
fn front_matter_with_a_title_and_no_text_indexes_the_title() {
    let env = TestEnv::new();
    env.write("corpus/a.md", "---\ntitle: 南沙区推进营商环境改革\n---\n\n");
    let run = index(&env).expect_code(0);
    says(&run.stderr, "a.md: no text after the front matter");
    assert_eq!(env.search_ids("营商环境"), ["a.md"]);
}

// Item 10: a few bad bytes.

#[test]
fn a_few_invalid_bytes_in_utf8_keep_the_article() {
    let env = TestEnv::new();
    let text = article("新会区陈皮产业座谈会召开。");
    let mut bytes = text.as_bytes().to_vec();
    let at: Vec<usize> = [300, 700, 1100, 1500]
        .iter()
        .map(|&n| (n..).find(|&i| text.is_char_boundary(i)).unwrap())
        .collect();
    for &i in at.iter().rev() {
        bytes.insert(i, 0xFF);
    }
    env.write("corpus/damaged.txt", &bytes);
    let (run, summary) = index_json(&env);
    let run = run.expect_code(0);
    says(
        &run.stderr,
        "damaged.txt: 4 bytes not valid UTF-8 replaced with U+FFFD",
    );
    assert_eq!(summary["docs"], 1);
    assert_eq!(summary["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(env.search_ids("陈皮产业"), ["damaged.txt"]);
    assert_eq!(show(&env, "damaged.txt")["meta"]["encoding"], "UTF-8");
}

#[test]
fn a_gbk_file_with_a_cut_last_character_is_still_gbk() {
    let env = TestEnv::new();
    let text = article("江门市新会区陈皮产业座谈会召开。");
    // Cut in its last character (a two-byte 。).
    let (gbk, _, _) = encoding_rs::GBK.encode(text.trim_end());
    env.write("corpus/gbk.txt", &gbk[..gbk.len() - 1]);
    let run = index(&env).expect_code(0);
    says(
        &run.stderr,
        "gbk.txt: 1 byte not valid gb18030 replaced with U+FFFD",
    );
    assert_eq!(show(&env, "gbk.txt")["meta"]["encoding"], "gb18030");
    assert_eq!(env.search_ids("陈皮产业"), ["gbk.txt"]);
}

#[test]
fn nul_bytes_between_sentences_keep_the_article() {
    let env = TestEnv::new();
    let text = article("禅城区部署安全生产工作。");
    let at = text.find("会议强调").unwrap();
    let mut bytes = text.as_bytes().to_vec();
    bytes.splice(at..at, [0, 0]);
    env.write("corpus/nul.txt", &bytes);
    let run = index(&env).expect_code(0);
    says(&run.stderr, "nul.txt: 2 NUL bytes replaced with spaces");
    assert_eq!(env.search_ids("安全生产"), ["nul.txt"]);
    // Spaces: the text on either side matches as written.
    assert_eq!(env.search_ids("\"128座。会议强调\""), ["nul.txt"]);
}

#[test]
fn a_lone_surrogate_escape_keeps_the_record() {
    let env = TestEnv::new();
    env.write(
        "corpus/news.jsonl",
        "{\"id\": \"e1\", \"title\": \"点赞\\ud83d\", \"body\": \"顺德区发布人才政策\\ud83d\\ude00，欢迎报名\\ud83d\"}\n",
    );
    let run = index(&env).expect_code(0);
    says(&run.stderr, "news.jsonl:1: 2 lone surrogate escapes");
    assert_eq!(env.search_ids("人才政策"), ["e1"]);
    let doc = show(&env, "e1");
    assert_eq!(doc["title"], "点赞\u{FFFD}");
    assert!(
        doc["body"]
            .as_str()
            .unwrap()
            .contains("人才政策😀，欢迎报名\u{FFFD}"),
        "{doc}"
    );
}

#[test]
fn invalid_utf8_in_a_jsonl_record_keeps_the_record() {
    let env = TestEnv::new();
    let mut line = "{\"id\": \"b1\", \"body\": \"南沙区推进营商环境改革"
        .as_bytes()
        .to_vec();
    line.push(0xE8); // the first byte of a character, cut
    line.extend("。\"}\n".as_bytes());
    env.write("corpus/news.jsonl", &line);
    let run = index(&env).expect_code(0);
    says(
        &run.stderr,
        "news.jsonl:1: 1 byte not valid UTF-8 replaced with U+FFFD",
    );
    assert_eq!(env.search_ids("营商环境"), ["b1"]);
}

// Item 11: duplicate ids.

fn record(id: &str, body: &str) -> serde_json::Value {
    serde_json::json!({ "id": id, "body": body })
}

/// A draft of record `d1` in `earlier`, its final version in `later`.
fn draft_then_final(env: &TestEnv, earlier: &str, later: &str) {
    env.write(
        &format!("corpus/{earlier}"),
        jsonl(&[record("d1", "初稿：高明区召开会议。")]),
    );
    env.write(
        &format!("corpus/{later}"),
        jsonl(&[record("d1", "定稿：高明区召开党建工作会议。")]),
    );
}

#[test]
fn a_duplicate_id_in_one_file_keeps_the_later_record() {
    let env = TestEnv::new();
    env.write(
        "corpus/news.jsonl",
        jsonl(&[
            record("d1", "初稿：高明区召开会议。"),
            record("d2", "禅城区部署安全生产工作。"),
            record("d1", "定稿：高明区召开党建工作会议。"),
        ]),
    );
    let (run, summary) = index_json(&env);
    let run = run.expect_code(0);
    says(
        &run.stderr,
        "news.jsonl:1: duplicate id \"d1\": the record at news.jsonl:3 replaces this one",
    );
    assert_eq!(summary["duplicates"], 1);
    assert_eq!(summary["total_docs"], 2);
    assert!(env.search_ids("初稿").is_empty());
    assert_eq!(env.search_ids("定稿"), ["d1"]);
    assert!(
        show(&env, "d1")["body"]
            .as_str()
            .unwrap()
            .starts_with("定稿")
    );
    let human = env
        .run(&["index", "corpus", "--index", "fresh"])
        .expect_code(0);
    says(&human.stdout, "; 1 warning (1 duplicate id);");
}

#[test]
fn a_duplicate_id_across_files_keeps_the_record_of_the_later_file() {
    let env = TestEnv::new();
    draft_then_final(&env, "2024-05-01.jsonl", "2024-05-02.jsonl");
    let run = index(&env).expect_code(0);
    says(
        &run.stderr,
        "2024-05-01.jsonl:1: duplicate id \"d1\": the record at 2024-05-02.jsonl:1 replaces",
    );
    assert!(env.search_ids("初稿").is_empty());
    assert_eq!(env.search_ids("定稿"), ["d1"]);
}

#[test]
fn incremental_runs_keep_the_later_record_and_bring_back_the_earlier() {
    let env = TestEnv::new();
    env.write(
        "corpus/a.jsonl",
        jsonl(&[
            record("d1", "初稿：高明区召开会议。"),
            record("d2", "荷城街道。"),
        ]),
    );
    index(&env).expect_code(0);
    assert_eq!(env.search_ids("初稿"), ["d1"]);

    // A later file with the same id: it replaces the record.
    env.write(
        "corpus/b.jsonl",
        jsonl(&[record("d1", "定稿：高明区召开党建工作会议。")]),
    );
    let run = index(&env).expect_code(0);
    says(&run.stderr, "a.jsonl:1: duplicate id");
    assert!(env.search_ids("初稿").is_empty());
    assert_eq!(env.search_ids("定稿"), ["d1"]);

    // The earlier file changes, still with the id: the later record stays.
    env.write(
        "corpus/a.jsonl",
        jsonl(&[
            record("d1", "二稿：高明区召开会议。"),
            record("d2", "荷城街道。"),
        ]),
    );
    let run = index(&env).expect_code(0);
    says(&run.stdout, "2 documents in the index");
    assert!(env.search_ids("二稿").is_empty());
    assert_eq!(env.search_ids("定稿"), ["d1"]);

    // The later file goes: the earlier record comes back.
    std::fs::remove_file(env.path("corpus/b.jsonl")).unwrap();
    let run = index(&env).expect_code(0);
    says(&run.stdout, "2 documents in the index");
    assert_eq!(env.search_ids("二稿"), ["d1"]);
    assert!(env.search_ids("定稿").is_empty());

    // And a run with nothing changed has nothing to do.
    let run = index(&env).expect_code(0);
    says(&run.stdout, "0 added, 0 updated, 0 removed, 1 unchanged");
}

#[test]
fn a_rebuild_keeps_the_later_record() {
    let env = TestEnv::new();
    draft_then_final(&env, "a.jsonl", "b.jsonl");
    index(&env).expect_code(0);
    let run = env
        .run(&["index", "corpus", "--index", "index", "--rebuild"])
        .expect_code(0);
    says(
        &run.stdout,
        "1 warning (1 duplicate id); 1 documents in the index",
    );
    says(
        &run.stderr,
        "a.jsonl:1: duplicate id \"d1\": the record at b.jsonl:1 replaces this one",
    );
    assert!(env.search_ids("初稿").is_empty());
    assert_eq!(env.search_ids("定稿"), ["d1"]);
}

#[test]
fn a_later_file_that_drops_the_id_brings_back_the_earlier_record() {
    let env = TestEnv::new();
    draft_then_final(&env, "a.jsonl", "b.jsonl");
    index(&env).expect_code(0);
    assert!(env.search_ids("初稿").is_empty());
    env.write("corpus/b.jsonl", jsonl(&[record("d9", "另一篇：南沙区。")]));
    let run = index(&env).expect_code(0);
    says(&run.stdout, "2 documents in the index");
    assert_eq!(env.search_ids("初稿"), ["d1"]);
    assert_eq!(env.search_ids("南沙区"), ["d9"]);
}

// Item 12: metadata that cannot be used.

#[test]
fn an_invalid_front_matter_date_names_the_file_line_and_field() {
    let env = TestEnv::new();
    env.write(
        "corpus/a.txt",
        format!(
            "---\ntitle: 高明区党建\ndate: 2024-13-45\n---\n{}",
            article("")
        ),
    );
    let (run, summary) = index_json(&env);
    let run = run.expect_code(0);
    says(&run.stderr, "a.txt:3: date: invalid date \"2024-13-45\"");
    says(&run.stderr, "; ignored");
    let warning = &summary["warnings"][0];
    assert_eq!(warning["path"], "a.txt");
    assert_eq!(warning["line"], 3);
}

#[test]
fn a_relative_date_in_jsonl_names_the_record_and_its_key() {
    let env = TestEnv::new();
    env.write(
        "corpus/news.jsonl",
        jsonl(&[
            serde_json::json!({"id": "r1", "body": "高明区召开会议。", "date": "2024-05-01"}),
            serde_json::json!({"id": "r2", "body": "禅城区部署工作。", "published": "昨天"}),
        ]),
    );
    let run = index(&env).expect_code(0);
    says(
        &run.stderr,
        "news.jsonl:2: published: invalid date \"昨天\"",
    );
    assert_eq!(
        run.stderr.matches("zhsearch: warning").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_region_names_the_file_line_and_field() {
    let env = TestEnv::new();
    env.write(
        "corpus/a.md",
        format!("---\ntitle: 高明区党建\nregion: 火星\n---\n{}", article("")),
    );
    let run = index(&env).expect_code(0);
    says(&run.stderr, "a.md:3: region: unknown region '火星'");
    // The region is taken from the text instead.
    assert_eq!(
        show(&env, "a.md")["meta"]["regions"][0],
        "/广东省/佛山市/高明区"
    );
}

#[test]
fn extract_shows_the_same_warnings() {
    let env = TestEnv::new();
    let path = env.write("a.txt", format!("---\ndate: 昨天\n---\n{}", article("")));
    let run = env
        .run(&["extract", path.to_str().unwrap(), "--json"])
        .expect_code(0);
    says(&run.stderr, "a.txt:2: date: invalid date \"昨天\"");
    let dup = env.write(
        "news.jsonl",
        jsonl(&[record("d1", "初稿。"), record("d1", "定稿。")]),
    );
    let run = env
        .run(&["extract", dup.to_str().unwrap(), "--json"])
        .expect_code(0);
    says(
        &run.stderr,
        "news.jsonl:1: duplicate id \"d1\": the record at news.jsonl:2 replaces",
    );
}

// Item 13: symbolic links.

#[cfg(unix)]
fn linked_corpus() -> TestEnv {
    use std::os::unix::fs::symlink;
    let env = TestEnv::new();
    env.write("corpus/own.txt", article("禅城区部署安全生产工作。"));
    env.write(
        "elsewhere/linked.txt",
        article("新会区陈皮产业座谈会召开。"),
    );
    env.write("archive/2023/old.txt", article("南沙区推进营商环境改革。"));
    symlink(
        env.path("elsewhere/linked.txt"),
        env.path("corpus/linked.txt"),
    )
    .unwrap();
    symlink(env.path("archive"), env.path("corpus/archive")).unwrap();
    env
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_skipped_saying_why() {
    let env = linked_corpus();
    let run = index(&env).expect_code(3);
    says(
        &run.stderr,
        "skipped linked.txt: symbolic link, not followed (use --follow",
    );
    says(
        &run.stderr,
        "skipped archive: symbolic link to a folder, not followed",
    );
    says(&run.stdout, "2 skipped");
    assert_eq!(env.search_ids("高明区"), ["own.txt"]);
}

#[cfg(unix)]
#[test]
fn follow_indexes_linked_files_and_folders() {
    let env = linked_corpus();
    env.run(&["index", "corpus", "--index", "index", "--follow"])
        .expect_code(0);
    assert_eq!(env.search_ids("陈皮产业"), ["linked.txt"]);
    assert_eq!(env.search_ids("营商环境"), ["archive/2023/old.txt"]);
}

#[cfg(unix)]
#[test]
fn follow_reports_a_loop_and_indexes_the_rest() {
    let env = linked_corpus();
    std::os::unix::fs::symlink(env.path("corpus"), env.path("corpus/archive/2023/back")).unwrap();
    let run = env
        .run(&["index", "corpus", "--index", "index", "--follow"])
        .expect_code(3);
    says(&run.stderr, "skipped archive/2023/back: symbolic link loop");
    says(&run.stdout, "3 added");
}

// Item 14: front matter never closed.

#[test]
fn unclosed_front_matter_is_plain_text_with_a_warning() {
    let env = TestEnv::new();
    env.write(
        "corpus/a.txt",
        "---\ntitle: 未闭合\ndate: 2024-09-26\n高明区召开乡村振兴工作会议\n\n佛山市高明区召开乡村振兴工作会议，部署下一阶段工作。\n",
    );
    let run = index(&env).expect_code(0);
    says(&run.stderr, "a.txt:1: front matter is never closed");
    let doc = show(&env, "a.txt");
    assert_eq!(doc["title"], "高明区召开乡村振兴工作会议");
    // Nothing is lost: its lines are text.
    assert_eq!(env.search_ids("未闭合"), ["a.txt"]);
}
