//! Keywords: an article's top TF-IDF words, for the keyword facet.
//!
//! The term frequencies are the article's (its title's words count twice);
//! the inverse document frequencies are the segmenter's own table
//! ([`Analyzer::keyword_idf`], jieba's), which also decides which words can
//! be keywords (nouns, names, idioms...). Numbers, single characters and
//! [`STOP_WORDS`] never are.
//!
//! Each [`Keywords`] owns the IDF values it has looked up, for the analyzer
//! it was built with: two analyzers in one process (a server started with
//! `--dict`, the tests) never share them.
//!
//! ```
//! use zhsearch::analysis::Analyzer;
//! use zhsearch::extract::keywords::Keywords;
//!
//! let keywords = Keywords::new(Analyzer::builtin());
//! let top = keywords.of_text("南沙自贸区", "南沙自贸区推进政务服务改革,自贸区企业办事更便捷。", 2);
//! assert_eq!(top, ["自贸区", "南沙"]);
//! ```

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;

use crate::analysis::Analyzer;

/// Words too common in news and government prose to describe an article.
const STOP_WORDS: &[&str] = &[
    "我们",
    "他们",
    "你们",
    "自己",
    "这个",
    "那个",
    "这些",
    "那些",
    "一个",
    "没有",
    "就是",
    "还是",
    "以及",
    "进行",
    "开展",
    "工作",
    "推进",
    "推动",
    "加强",
    "坚持",
    "持续",
    "深入",
    "全面",
    "进一步",
    "不断",
    "积极",
    "实现",
    "提升",
    "提高",
    "加快",
    "强化",
    "做好",
    "落实",
    "深化",
    "相关",
    "有关",
    "方面",
    "同时",
    "其中",
    "通过",
    "作为",
    "成为",
    "已经",
    "目前",
    "当前",
    "今年",
    "去年",
    "明年",
    "近年来",
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "六是",
    "七是",
    "表示",
    "介绍",
    "指出",
    "强调",
    "要求",
    "主要",
    "重要",
    "各类",
    "各级",
    "一批",
    "以来",
    "以上",
    "以下",
    "之一",
    "之间",
    "问题",
    "情况",
    "能力",
    "水平",
    "体系",
    "机制",
    "建设",
    "发展",
    "高质量",
    "工作者",
    "为了",
    "如何",
    "可以",
    "需要",
    "我国",
    "全国",
    "全省",
    "全市",
    "全区",
    "全县",
    "区委",
    "市委",
    "县委",
    "省委",
    "今天",
    "日前",
    "近日",
    "当地",
    "时间",
    "记者",
    "消息",
];

/// Picks articles' keywords with one analyzer's words and IDF table. Build
/// it once and share it: it remembers every word's IDF.
#[derive(Debug)]
pub struct Keywords {
    analyzer: Arc<Analyzer>,
    /// This table's number, naming it in each thread's copy.
    id: u64,
    /// The IDF of each word seen so far, or `None` for a word that cannot be
    /// a keyword (stop word, wrong part of speech), shared by every thread.
    idf: RwLock<FxHashMap<String, Option<f64>>>,
}

/// Numbers for [`Keywords::id`].
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's copy of what it has looked up in one table (the one
    /// numbered first), to spare the lock: a thread works for one indexer.
    static LOCAL_IDF: RefCell<(u64, FxHashMap<String, Option<f64>>)> =
        RefCell::new((0, FxHashMap::default()));
}

impl Keywords {
    /// Keywords weighed with `analyzer`'s segmenter.
    pub fn new(analyzer: Arc<Analyzer>) -> Keywords {
        Keywords {
            analyzer,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            idf: RwLock::default(),
        }
    }

    /// The IDF of a word, if it can be a keyword: asked of the analyzer
    /// once, then remembered. An article's keywords then cost a few hash
    /// lookups instead of segmenting and tagging its text a second time.
    fn idf(&self, word: &str) -> Option<f64> {
        let local = LOCAL_IDF.with(|local| {
            let local = local.borrow();
            (local.0 == self.id)
                .then(|| local.1.get(word).copied())
                .flatten()
        });
        if let Some(cached) = local {
            return cached;
        }
        let shared = self
            .idf
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(word)
            .copied();
        let value = shared.unwrap_or_else(|| {
            let weight = if STOP_WORDS.contains(&word) {
                None
            } else {
                self.analyzer.keyword_idf(word)
            };
            self.idf
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(word.to_string(), weight);
            weight
        });
        LOCAL_IDF.with(|local| {
            let mut local = local.borrow_mut();
            if local.0 != self.id {
                *local = (self.id, FxHashMap::default());
            }
            local.1.insert(word.to_string(), value);
        });
        value
    }

    /// The top `k` keywords of an article given as its words (title words
    /// count twice), without numbers, single characters or stop words.
    pub fn of_words<'a>(
        &self,
        title: impl Iterator<Item = &'a str>,
        body: impl Iterator<Item = &'a str>,
        k: usize,
    ) -> Vec<String> {
        if k == 0 {
            return Vec::new();
        }
        let mut tf: FxHashMap<&str, u32> = FxHashMap::default();
        for (word, n) in title.map(|w| (w, 2)).chain(body.map(|w| (w, 1))) {
            // Single characters are never keywords; most words are, so skip them early.
            if word.chars().nth(1).is_some() {
                *tf.entry(word).or_insert(0) += n;
            }
        }
        let mut scored: Vec<(f64, &str)> = tf
            .into_iter()
            .filter(|(w, _)| !is_number(w))
            .filter_map(|(w, n)| Some((f64::from(n) * self.idf(w)?, w)))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(k)
            .map(|(_, w)| w.to_string())
            .collect()
    }

    /// The top `k` keywords of an article, segmenting its title and body
    /// (the indexer, which has segmented them already, calls
    /// [`Keywords::of_words`]).
    pub fn of_text(&self, title: &str, body: &str, k: usize) -> Vec<String> {
        let words = |text: &str| -> Vec<String> {
            self.analyzer
                .words(text)
                .into_iter()
                .filter(|w| !w.part)
                .map(|w| w.text)
                .collect()
        };
        let (title, body) = (words(title), words(body));
        self.of_words(
            title.iter().map(String::as_str),
            body.iter().map(String::as_str),
            k,
        )
    }
}

/// Digits of any script anywhere (`2023年`, `１０`), or nothing but Chinese numerals
/// (`十四五`, `三十`).
fn is_number(word: &str) -> bool {
    word.chars().any(char::is_numeric)
        || word
            .chars()
            .all(|c| "〇零一二两三四五六七八九十百千万亿几".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Extractor;
    use crate::extract::topic::Taxonomy;
    use crate::extract::topic::tests::{CORPUS, split};

    fn keywords(title: &str, body: &str, k: usize) -> Vec<String> {
        Keywords::new(Analyzer::builtin()).of_text(title, body, k)
    }

    /// Two analyzers in one process (a server started with `--dict`, the
    /// tests): each extractor weighs keywords with its own analyzer's words.
    #[test]
    fn keyword_weights_follow_the_extractors_analyzer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dict.txt");
        // One noun in this dictionary; jieba's own cuts it in two.
        std::fs::write(&path, "百千万工程 100 n\n").unwrap();
        let taxonomy = Arc::new(Taxonomy::builtin().clone());
        let builtin = Extractor::new(Analyzer::builtin(), Arc::clone(&taxonomy));
        let user = Extractor::new(Arc::new(Analyzer::with_user_dict(&path).unwrap()), taxonomy);
        let body = ["百千万工程", "推进", "百千万工程", "乡村", "振兴"];
        let keywords = |e: &Extractor| e.keywords(std::iter::empty(), body.iter().copied());
        assert!(!keywords(&builtin).contains(&"百千万工程".to_string()));
        assert_eq!(
            keywords(&user).first().map(String::as_str),
            Some("百千万工程")
        );
    }

    #[test]
    fn keywords_are_words_not_numbers_or_stop_words() {
        for text in CORPUS {
            let (title, body) = split(text);
            let kws = keywords(title, body, 10);
            assert_eq!(kws.len(), 10, "{kws:?}");
            for k in &kws {
                assert!(
                    k.chars().count() >= 2 && !is_number(k) && !STOP_WORDS.contains(&k.as_str()),
                    "{k} in {kws:?}"
                );
            }
        }
        let (title, body) = split(CORPUS[0]);
        assert!(keywords(title, body, 10).contains(&"党建".to_string()));
        let (title, body) = split(CORPUS[2]);
        assert_eq!(keywords(title, body, 2), ["南沙", "自贸区"]);
        assert!(keywords(title, body, 0).is_empty());
        assert!(
            is_number("2023年") && is_number("十四五") && is_number("１０") && !is_number("十分")
        );
    }
}
