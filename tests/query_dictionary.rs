//! A query is segmented with only the dictionary words it contains (so that
//! a one-shot search does not build the whole dictionary): check, on many
//! strings from real articles, that this changes nothing.

mod common;

use zhsearch::analysis::{Analyzer, dictionary};
use zhsearch::corpus;

fn texts(path: &std::path::Path) -> Vec<String> {
    let listing = corpus::discover(path).unwrap();
    let mut texts = Vec::new();
    for file in &listing.files {
        corpus::read(file, |d| texts.push(d.unwrap().body)).unwrap();
    }
    texts
}

fn check(texts: &[String], samples: usize, seed: u64) {
    dictionary::preload();
    let full = Analyzer::builtin();
    let mut rng = common::Rng(seed);
    for _ in 0..samples {
        let chars: Vec<char> = texts[rng.below(texts.len())].chars().collect();
        let start = rng.below(chars.len());
        let len = 1 + rng.below(40);
        let sample: String = chars[start..(start + len).min(chars.len())]
            .iter()
            .collect();
        let query = Analyzer::for_text(&sample, None).unwrap();
        assert_eq!(query.words(&sample), full.words(&sample), "{sample:?}");
        assert_eq!(query.fingerprint(), full.fingerprint());
    }
}

#[test]
fn query_segmentation_matches_the_full_dictionary_on_the_bundled_corpus() {
    check(&texts(&common::bundled_corpus()), 400, 1);
}

#[test]
fn query_segmentation_matches_the_full_dictionary_on_the_cctv_corpus() {
    let Some(path) = common::cctv_corpus() else {
        return;
    };
    check(&texts(&path), 400, 2);
}

#[test]
fn with_a_user_dictionary_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dict.txt");
    std::fs::write(&path, "党性体检 50 n\n百千万工程 100\n高质量 3\n荷城 1\n").unwrap();
    let full = Analyzer::with_user_dict(&path).unwrap();
    for text in [
        "南沙区以党性体检强化政治担当",
        "推进百千万工程高质量发展",
        "高明区荷城街道",
        "党建引领高质量发展",
    ] {
        let query = Analyzer::for_text(text, Some(&path)).unwrap();
        assert_eq!(query.words(text), full.words(text), "{text}");
        assert_eq!(query.fingerprint(), full.fingerprint());
    }
}
