//! Extraction on the CCTV news corpus (`../shared/corpora/cctv-news.jsonl.gz`,
//! read at run time, never committed). The tests skip, saying so, when the
//! corpus is absent; they do not index it.

mod common;

use zhsearch::corpus::{self, RawDoc};
use zhsearch::extract::title::{MAX_TITLE_CHARS, Title, find_title};

fn stories() -> Option<Vec<RawDoc>> {
    let path = common::cctv_corpus()?;
    let listing = corpus::discover(&path).unwrap();
    let mut docs = Vec::new();
    corpus::read(&listing.files[0], |d| docs.push(d.unwrap())).unwrap();
    Some(docs)
}

/// Whether `title` keeps `headline`: the whole of it, or, for one longer than
/// the display limit, at least half the limit of it, cut where a clause ends.
fn keeps(headline: &str, title: &Title) -> bool {
    if title.is_lead {
        return false;
    }
    if headline.chars().count() <= MAX_TITLE_CHARS {
        return title.text == headline;
    }
    title.text.strip_suffix('…').is_some_and(|kept| {
        let n = kept.chars().count();
        headline.starts_with(kept) && (MAX_TITLE_CHARS / 2..=MAX_TITLE_CHARS).contains(&n)
    })
}

/// Every CCTV headline, as the first line of its story, becomes its title.
#[test]
fn cctv_headlines_are_kept_as_titles() {
    let Some(docs) = stories() else { return };
    let mut lost = Vec::new();
    for doc in &docs {
        let headline = doc.meta.title.as_deref().unwrap().trim();
        let title = find_title(&format!("{headline}\n{}", doc.body));
        if !keeps(headline, &title) {
            lost.push(format!("{headline:?} -> {:?}", title.text));
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} headlines not kept, e.g.:\n{}",
        lost.len(),
        docs.len(),
        lost[..lost.len().min(20)].join("\n")
    );
}
