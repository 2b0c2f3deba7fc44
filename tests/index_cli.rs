//! The `index` command: formats, encodings, bad files, and the index
//! lifecycle (settings, locks, damage, rebuilds, incremental updates).

mod common;

use common::TestEnv;

fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    bytes
}

/// A corpus with one file of each kind, good and bad.
fn mixed_corpus() -> TestEnv {
    let env = TestEnv::new();
    let (gbk, _, _) =
        encoding_rs::GBK.encode("佛山市高明区荷城街道举行党建工作会议,推进基层治理现代化。");
    env.write("corpus/gbk.txt", &gbk);
    env.write(
        "corpus/utf16.txt",
        utf16le("江门市新会区陈皮产业高质量发展座谈会召开。"),
    );
    env.write(
        "corpus/sub/utf8-bom.md",
        "\u{feff}# 南沙自贸片区\n\n南沙区推进营商环境改革。",
    );
    env.write("corpus/empty.txt", "");
    env.write("corpus/binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    env.write(
        "corpus/news.jsonl",
        "{\"id\": \"n1\", \"title\": \"禅城区召开会议\", \"body\": \"禅城区部署安全生产工作。\", \"date\": \"2024-05-01\"}\n\
         {broken json\n\
         {\"id\": \"n2\", \"content\": \"顺德区发布人才政策。\"}\n",
    );
    env.write("corpus/notes.png", b"not indexed");
    env
}

#[test]
fn reads_every_encoding_and_format_and_skips_bad_files_with_reasons() {
    let env = mixed_corpus();
    let run = env
        .run(&["index", "corpus", "--index", "index"])
        .expect_code(3);
    // Each bad file is named, with the reason.
    assert!(
        run.stderr.contains("empty.txt: empty file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("binary.txt: binary file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("news.jsonl:2: invalid JSON"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("indexed 5 documents"), "{}", run.stdout);
    assert!(run.stdout.contains("3 skipped"), "{}", run.stdout);

    assert_eq!(env.search_ids("荷城街道"), ["gbk.txt"]);
    assert_eq!(env.search_ids("陈皮"), ["utf16.txt"]);
    assert_eq!(env.search_ids("营商环境"), ["sub/utf8-bom.md"]);
    assert_eq!(env.search_ids("安全生产"), ["n1"]);
    assert_eq!(env.search_ids("人才政策"), ["n2"]);

    // The encoding used is recorded and shown.
    let show = env
        .run(&["show", "gbk.txt", "--index", "index", "--json"])
        .expect_code(0);
    assert_eq!(show.json_lines()[0]["meta"]["encoding"], "gb18030");
    let show = env
        .run(&["show", "sub/utf8-bom.md", "--index", "index", "--json"])
        .expect_code(0);
    assert_eq!(show.json_lines()[0]["title"], "南沙自贸片区");
}

#[test]
fn json_summary_lists_skipped_files() {
    let env = mixed_corpus();
    let run = env
        .run(&["index", "corpus", "--index", "index", "--json"])
        .expect_code(3);
    let summary = &run.json_lines()[0];
    assert_eq!(summary["docs"], 5);
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 3);
    assert_eq!(summary["ignored"], 1);
}

#[test]
fn a_missing_corpus_is_an_error_naming_it() {
    let env = TestEnv::new();
    let run = env
        .run(&["index", "nowhere", "--index", "index"])
        .expect_code(2);
    assert!(run.stderr.contains("nowhere"), "{}", run.stderr);
    // The operating system's reason, said once.
    assert_eq!(
        run.stderr.matches("No such file or directory").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(!env.path("index").exists());
}

#[test]
fn a_corpus_without_articles_says_so() {
    let env = TestEnv::new();
    env.write("corpus/notes.docx", "not an article");
    let run = env
        .run(&["index", "corpus", "--index", "index"])
        .expect_code(1);
    assert!(
        run.stderr.contains("no articles in corpus")
            && run.stderr.contains("1 other files were ignored"),
        "{}",
        run.stderr
    );
}

#[test]
fn reindexing_adds_updates_removes_and_skips_unchanged_files() {
    let env = TestEnv::with_bundled_corpus();
    let run = env.index();
    assert!(
        run.stdout
            .contains("5 added, 0 updated, 0 removed, 0 unchanged"),
        "{}",
        run.stdout
    );

    let run = env.index();
    assert!(run.stdout.contains("indexed 0 documents"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("0 added, 0 updated, 0 removed, 5 unchanged"),
        "{}",
        run.stdout
    );

    env.write("corpus/new.txt", "新增文章:石湾镇街道开展陶瓷产业调研。");
    env.write(
        "corpus/003_8f3e609361c084a5.txt",
        "新会区修改后的文章,讲葵乡人才卡。",
    );
    std::fs::remove_file(env.path("corpus/004_ec023b9238a4b3cd.txt")).unwrap();
    let run = env.index();
    assert!(
        run.stdout
            .contains("1 added, 1 updated, 1 removed, 3 unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("5 documents in the index"),
        "{}",
        run.stdout
    );

    assert_eq!(env.search_ids("陶瓷产业"), ["new.txt"]);
    assert_eq!(env.search_ids("修改后的文章"), ["003_8f3e609361c084a5.txt"]);
    assert!(
        env.search_ids("陈皮").is_empty(),
        "the old 003 text is gone"
    );
    assert!(
        env.search_ids("尖刀班")
            .iter()
            .all(|id| !id.starts_with("004"))
    );
}

#[test]
fn rebuild_starts_from_empty() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    std::fs::remove_file(env.path("corpus/000_e19cf532170f2a3e.txt")).unwrap();
    let run = env
        .run(&["index", "corpus", "--index", "index", "--rebuild"])
        .expect_code(0);
    assert!(run.stdout.contains("4 added"), "{}", run.stdout);
    assert!(
        run.stdout.contains("4 documents in the index"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_directory_that_is_not_an_index_is_never_overwritten() {
    let env = TestEnv::with_bundled_corpus();
    env.write("precious/thesis.docx", "my work");
    let run = env
        .run(&["index", "corpus", "--index", "precious", "--rebuild"])
        .expect_code(2);
    assert!(
        run.stderr.contains("not a zhsearch index"),
        "{}",
        run.stderr
    );
    assert!(env.path("precious/thesis.docx").is_file());
}

#[test]
fn a_second_writer_gets_a_clear_error_not_a_hang() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    // Hold tantivy's writer lock as a running indexer would.
    let index = tantivy::Index::open_in_dir(env.path("index")).unwrap();
    let writer = index
        .writer::<tantivy::TantivyDocument>(20_000_000)
        .unwrap();
    let run = env
        .run(&["index", "corpus", "--index", "index"])
        .expect_code(2);
    assert!(
        run.stderr.contains("another zhsearch process is writing"),
        "{}",
        run.stderr
    );
    // Searching still works while the lock is held.
    assert!(!env.search_ids("高明").is_empty());
    drop(writer);
    env.index();
}

#[test]
fn an_index_built_with_other_settings_is_refused_until_rebuilt() {
    let env = TestEnv::with_bundled_corpus();
    env.write("dict.txt", "党性体检 50 n\n百千万工程 50 n\n");
    env.run(&["index", "corpus", "--index", "index", "--dict", "dict.txt"])
        .expect_code(0);
    // Searching with the same dictionary works.
    let run = env.run(&[
        "search",
        "党性体检",
        "--index",
        "index",
        "--dict",
        "dict.txt",
        "--json",
    ]);
    assert_eq!(run.expect_code(0).ids(), ["002_6bc2cfcd6b5cfc07.txt"]);
    // Without it: refused, saying why and how to fix it.
    let run = env
        .run(&["search", "党性体检", "--index", "index"])
        .expect_code(2);
    assert!(
        run.stderr.contains("was built with") && run.stderr.contains("dictionary blake3:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--rebuild"), "{}", run.stderr);
    // Updating without --rebuild is refused too; with it, the index is replaced.
    env.run(&["index", "corpus", "--index", "index"])
        .expect_code(2);
    env.run(&["index", "corpus", "--index", "index", "--rebuild"])
        .expect_code(0);
    env.run(&["search", "党性体检", "--index", "index"])
        .expect_code(0);
    assert!(!env.path("index.zhsearch-new").exists() && !env.path("index.zhsearch-old").exists());
}

#[test]
fn a_damaged_index_says_so_and_how_to_fix_it() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    std::fs::write(env.path("index/meta.json"), "{ not json").unwrap();
    let run = env
        .run(&["search", "高明", "--index", "index"])
        .expect_code(2);
    assert!(
        run.stderr.contains("damaged or unreadable"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--rebuild"), "{}", run.stderr);
    // --rebuild recovers.
    env.run(&["index", "corpus", "--index", "index", "--rebuild"])
        .expect_code(0);
    assert!(!env.search_ids("高明").is_empty());

    // A segment file cut short: the same message, once.
    for entry in std::fs::read_dir(env.path("index")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "idx") {
            let bytes = std::fs::read(&path).unwrap();
            std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        }
    }
    let run = env
        .run(&["search", "高明", "--index", "index"])
        .expect_code(2);
    assert_eq!(
        run.stderr.matches("damaged or unreadable").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--rebuild"), "{}", run.stderr);
}
