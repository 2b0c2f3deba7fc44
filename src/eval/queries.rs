//! The known-item queries: for a story picked at random (a fixed seed), a
//! query a reader who remembers it might type, in five kinds.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use zhsearch::analysis::{Analyzer, search_key};

/// One story of the corpus.
pub struct Story {
    pub id: String,
    pub title: String,
    pub body: String,
}

/// The kinds of query, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The first characters of the title, unspaced (`李强会见南非总`).
    TitlePrefix,
    /// Two or three of the body's top TF-IDF words that the title does not
    /// contain, spaced.
    BodyKeywords,
    /// One or two title words and a name from the body, spaced.
    TitleName,
    /// A few consecutive title words, unspaced, in Traditional characters.
    Traditional,
    /// A few consecutive title words, unspaced, one swapped for a near-synonym.
    NearSynonym,
    /// A passage of the body, 20 to 1,000 characters, pasted as it stands
    /// (`--pasted`; apart from the five kinds and their `all`).
    Pasted,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::TitlePrefix,
        Kind::BodyKeywords,
        Kind::TitleName,
        Kind::Traditional,
        Kind::NearSynonym,
    ];

    /// The five kinds and [`Kind::Pasted`], in the order they are reported.
    pub const EVERY: [Kind; 6] = [
        Kind::TitlePrefix,
        Kind::BodyKeywords,
        Kind::TitleName,
        Kind::Traditional,
        Kind::NearSynonym,
        Kind::Pasted,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::TitlePrefix => "title prefix",
            Kind::BodyKeywords => "body keywords",
            Kind::TitleName => "title words + a name",
            Kind::Traditional => "Traditional",
            Kind::NearSynonym => "one near-synonym",
            Kind::Pasted => "pasted passage",
        }
    }
}

/// A query and the story it looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub kind: Kind,
    pub text: String,
    pub target: String,
}

/// SplitMix64: a small, fixed, seedable generator, so that a seed gives the
/// same queries on every machine and every version of every crate.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    /// `0..n` in a random order.
    pub fn shuffled(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            v.swap(i, self.range(0, i));
        }
        v
    }
}

/// Pairs of near-synonyms, both ways (`data/eval/near-synonyms.txt`).
pub struct NearSynonyms(HashMap<String, Vec<String>>);

impl NearSynonyms {
    pub fn parse(text: &str) -> NearSynonyms {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let [a, b] = line.split_whitespace().collect::<Vec<_>>()[..] {
                map.entry(a.to_string()).or_default().push(b.to_string());
                map.entry(b.to_string()).or_default().push(a.to_string());
            }
        }
        NearSynonyms(map)
    }

    pub fn builtin() -> NearSynonyms {
        NearSynonyms::parse(include_str!("../../data/eval/near-synonyms.txt"))
    }

    pub fn of(&self, word: &str) -> &[String] {
        self.0.get(word).map_or(&[], Vec::as_slice)
    }

    pub fn pairs(&self) -> usize {
        self.0.values().map(Vec::len).sum::<usize>() / 2
    }
}

/// Simplified to Traditional, from OpenCC's Traditional-to-Simplified
/// tables read backwards: a phrase of `TSPhrases.txt` where the text has
/// one, else each character's first Traditional form (in the table's order)
/// among those whose first Simplified form it is. zhsearch folds every one
/// of them back.
pub struct Traditional {
    chars: HashMap<char, char>,
    phrases: Vec<(String, String)>,
}

impl Traditional {
    pub fn builtin() -> Traditional {
        let entries = |text: &'static str| {
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| l.split_once('\t'))
                .filter_map(|(t, s)| Some((t, s.split_whitespace().next()?)))
        };
        let mut chars = HashMap::new();
        for (t, s) in entries(zhsearch::analysis::variants::TS_CHARACTERS) {
            let (mut t, mut s) = (t.chars(), s.chars());
            if let (Some(t), None, Some(s), None) = (t.next(), t.next(), s.next(), s.next())
                && t != s
            {
                chars.entry(s).or_insert(t);
            }
        }
        let mut phrases: Vec<(String, String)> = entries(zhsearch::analysis::variants::TS_PHRASES)
            .map(|(t, s)| (s.to_string(), t.to_string()))
            .filter(|(s, t)| s.chars().count() == t.chars().count())
            .collect();
        // Longest first, so that a phrase wins over the phrases inside it.
        phrases.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        Traditional { chars, phrases }
    }

    pub fn convert(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        'outer: while let Some(c) = rest.chars().next() {
            for (s, t) in &self.phrases {
                if let Some(after) = rest.strip_prefix(s.as_str()) {
                    out.push_str(t);
                    rest = after;
                    continue 'outer;
                }
            }
            out.push(*self.chars.get(&c).unwrap_or(&c));
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

/// What the queries are made from: the stories, their words, and the
/// document frequency of every word in the corpus (for TF-IDF).
pub struct Maker<'a> {
    stories: &'a [Story],
    analyzer: &'a Analyzer,
    tagger: jieba_rs::Jieba,
    /// The pairs near-synonym queries are made with.
    pub synonyms: NearSynonyms,
    traditional: Traditional,
    df: HashMap<String, u32>,
    /// Near-synonym queries with their words set apart by spaces, as many
    /// type them (`--spaced`), instead of typed together.
    pub spaced: bool,
}

/// Whether a word is worth typing: two characters or more, with a Chinese one.
fn contentful(word: &str) -> bool {
    word.chars().count() >= 2 && word.chars().any(is_han)
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

impl<'a> Maker<'a> {
    /// Counts document frequencies over all `stories` (this segments the
    /// whole corpus once).
    pub fn new(stories: &'a [Story], analyzer: &'a Analyzer) -> Maker<'a> {
        let mut df: HashMap<String, u32> = HashMap::new();
        for story in stories {
            let words: HashSet<String> = analyzer
                .words(&story.body)
                .into_iter()
                .filter(|w| !w.part)
                .map(|w| w.text)
                .collect();
            for w in words {
                *df.entry(w).or_default() += 1;
            }
        }
        Maker {
            stories,
            analyzer,
            tagger: jieba_rs::Jieba::new(),
            synonyms: NearSynonyms::builtin(),
            traditional: Traditional::builtin(),
            df,
            spaced: false,
        }
    }

    /// `per_kind` queries of each kind, from stories drawn with `seed` (each
    /// kind its own draw; a story that cannot give a query of a kind is
    /// passed over).
    pub fn make(&self, seed: u64, per_kind: usize) -> Vec<Query> {
        // A title that more than three stories share is a column's heading
        // (国内联播快讯), which no query could tell from its other days.
        let mut titles: HashMap<String, usize> = HashMap::new();
        for story in self.stories {
            *titles.entry(search_key(&story.title)).or_default() += 1;
        }
        let mut queries = Vec::new();
        for (k, kind) in Kind::ALL.into_iter().enumerate() {
            let mut rng = Rng::new(seed ^ (0xA5A5_0000 + k as u64));
            let order = rng.shuffled(self.stories.len());
            let mut made = 0;
            for i in order {
                if made == per_kind {
                    break;
                }
                let story = &self.stories[i];
                if story.title.chars().count() < 6 || titles[&search_key(&story.title)] > 3 {
                    continue;
                }
                if let Some(text) = self.one(kind, story, &mut rng)
                    && !search_key(&text).is_empty()
                {
                    queries.push(Query {
                        kind,
                        text,
                        target: story.id.clone(),
                    });
                    made += 1;
                }
            }
        }
        queries
    }

    /// `n` passages of stories drawn with `seed`, each looking for its
    /// story: a stretch of the body (line breaks and all) of 20, 50, 100,
    /// 200, 500 or 1,000 characters, as a reader pastes one to find where
    /// it came from. Made apart from [`Maker::make`], so that the five
    /// kinds' queries stay those of their seed. Also says how many passages
    /// drawn were left out because the query syntax rejects them.
    pub fn pasted(&self, seed: u64, n: usize) -> (Vec<Query>, usize) {
        const LENGTHS: [usize; 6] = [20, 50, 100, 200, 500, 1000];
        let mut rng = Rng::new(seed ^ 0x5A5A_0000);
        let order = rng.shuffled(self.stories.len());
        let mut queries = Vec::new();
        let mut rejected = 0;
        for i in order {
            if queries.len() == n {
                break;
            }
            let story = &self.stories[i];
            let chars: Vec<char> = story.body.chars().collect();
            let len = LENGTHS[rng.range(0, LENGTHS.len() - 1)];
            if chars.len() < len {
                continue;
            }
            let at = rng.range(0, chars.len() - len);
            let text: String = chars[at..at + len].iter().collect();
            if search_key(&text).chars().count() < 10 {
                continue;
            }
            // A stray `)` or `"` is query syntax that a user would see an
            // error for: such passages are counted apart.
            if zhsearch::search::query::parse(&text).is_err() {
                rejected += 1;
                continue;
            }
            queries.push(Query {
                kind: Kind::Pasted,
                text,
                target: story.id.clone(),
            });
        }
        (queries, rejected)
    }

    fn one(&self, kind: Kind, story: &Story, rng: &mut Rng) -> Option<String> {
        match kind {
            Kind::TitlePrefix => title_prefix(&story.title, rng),
            Kind::BodyKeywords => self.body_keywords(story, rng),
            Kind::TitleName => self.title_name(story, rng),
            Kind::Traditional => {
                let words = self.title_words(&story.title);
                let window = window(&words, rng.range(2, 4), None, rng)?;
                let converted = self.traditional.convert(&window.concat());
                (converted != window.concat()).then_some(converted)
            }
            Kind::NearSynonym => {
                let words = self.title_words(&story.title);
                let swappable: Vec<usize> = (0..words.len())
                    .filter(|&i| !self.synonyms.of(&words[i]).is_empty())
                    .collect();
                if swappable.is_empty() {
                    return None;
                }
                let at = swappable[rng.range(0, swappable.len() - 1)];
                let choices = self.synonyms.of(&words[at]);
                let swapped = choices[rng.range(0, choices.len() - 1)].clone();
                let size = rng.range(3, 5);
                let mut window = window(&words, size, Some(at), rng)?;
                let pos = window.iter().position(|w| *w == words[at])?;
                window[pos] = swapped;
                Some(match self.spaced {
                    true => window.join(" "),
                    false => window.concat(),
                })
            }
            Kind::Pasted => None,
        }
    }

    /// The title's words as jieba cuts them (its precise segmentation, with
    /// punctuation between them left out).
    fn title_words(&self, title: &str) -> Vec<String> {
        self.analyzer
            .words(title)
            .into_iter()
            .filter(|w| !w.part)
            .map(|w| title[w.start..w.end].to_string())
            .collect()
    }

    fn body_keywords(&self, story: &Story, rng: &mut Rng) -> Option<String> {
        let title = search_key(&story.title);
        let mut tf: HashMap<String, u32> = HashMap::new();
        for w in self.analyzer.words(&story.body) {
            if !w.part && contentful(&w.text) && !title.contains(&w.text) {
                *tf.entry(w.text).or_default() += 1;
            }
        }
        let n = self.stories.len() as f64;
        let mut scored: Vec<(f64, String)> = tf
            .into_iter()
            .map(|(w, tf)| {
                let df = f64::from(*self.df.get(&w).unwrap_or(&1));
                (f64::from(tf) * (n / df).ln(), w)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let k = rng.range(2, 3);
        (scored.len() >= k).then(|| {
            scored[..k]
                .iter()
                .map(|(_, w)| w.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    fn title_name(&self, story: &Story, rng: &mut Rng) -> Option<String> {
        let name = self.name(story)?;
        let words: Vec<String> = self
            .title_words(&story.title)
            .into_iter()
            .filter(|w| contentful(w))
            .collect();
        let k = rng.range(1, 2).min(words.len());
        if k == 0 {
            return None;
        }
        let mut picked: Vec<usize> = rng.shuffled(words.len()).into_iter().take(k).collect();
        picked.sort_unstable();
        let mut parts: Vec<&str> = picked.iter().map(|&i| words[i].as_str()).collect();
        parts.push(&name);
        Some(parts.join(" "))
    }

    /// The body's most telling name that the title does not contain: a
    /// person's (jieba's tag nr) if there is one, else a place's or an
    /// organisation's (ns, nt), the highest by TF-IDF; never one that more
    /// than one story in twenty names (央视网).
    fn name(&self, story: &Story) -> Option<String> {
        let title = search_key(&story.title);
        let mut counts: HashMap<(bool, String), u32> = HashMap::new();
        for tag in self.tagger.tag(&story.body, true) {
            let person = match tag.tag {
                "nr" => true,
                "ns" | "nt" => false,
                _ => continue,
            };
            let key = search_key(tag.word);
            if contentful(tag.word) && !title.contains(&key) {
                *counts.entry((person, key)).or_default() += 1;
            }
        }
        let n = self.stories.len() as f64;
        let idf = |word: &str| {
            let df = f64::from(*self.df.get(word).unwrap_or(&1));
            (df <= n / 20.0).then(|| (n / df).ln())
        };
        let best = counts
            .into_iter()
            .filter_map(|((person, word), tf)| {
                let score = f64::from(tf) * idf(&word)?;
                Some((person, score, word))
            })
            .max_by(|a, b| {
                (a.0, a.1)
                    .partial_cmp(&(b.0, b.1))
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then_with(|| b.2.cmp(&a.2))
            })?;
        Some(best.2)
    }
}

/// The title's first 5 to 10 characters, without a trailing space or mark;
/// `None` when fewer than 4 are left.
fn title_prefix(title: &str, rng: &mut Rng) -> Option<String> {
    let n = rng.range(5, 10);
    let prefix: String = title.chars().take(n).collect();
    let prefix = prefix.trim_end_matches(|c: char| !c.is_alphanumeric());
    (prefix.chars().count() >= 4).then(|| prefix.to_string())
}

/// `size` consecutive words (fewer if there are fewer), containing the word
/// at `at` when given, placed at random among the windows that a reader
/// would type: at least four characters, starting and ending with a word of
/// two characters or more with a Chinese one (not `的中国`).
fn window(words: &[String], size: usize, at: Option<usize>, rng: &mut Rng) -> Option<Vec<String>> {
    let size = size.min(words.len());
    if size < 2 {
        return None;
    }
    let starts: Vec<usize> = (0..=words.len() - size)
        .filter(|&start| at.is_none_or(|at| (start..start + size).contains(&at)))
        .filter(|&start| {
            let w = &words[start..start + size];
            contentful(&w[0])
                && contentful(&w[size - 1])
                && w.iter().map(|x| x.chars().count()).sum::<usize>() >= 4
        })
        .collect();
    if starts.is_empty() {
        return None;
    }
    let start = starts[rng.range(0, starts.len() - 1)];
    Some(words[start..start + size].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8).next(), xs[0]);
    }

    #[test]
    fn near_synonyms_work_both_ways() {
        let table = NearSynonyms::builtin();
        assert!(
            (50..=150).contains(&table.pairs()),
            "{} pairs",
            table.pairs()
        );
        assert!(table.of("会见").contains(&"会晤".to_string()));
        assert!(table.of("会晤").contains(&"会见".to_string()));
    }

    #[test]
    fn every_line_of_both_tables_is_a_pair() {
        for text in [
            include_str!("../../data/eval/near-synonyms.txt"),
            include_str!("../../data/eval/near-synonyms-heldout.txt"),
        ] {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect();
            assert!(lines.iter().all(|l| l.split(' ').count() == 2), "{lines:?}");
            // Each pair once: the table counts every line.
            assert_eq!(NearSynonyms::parse(text).pairs(), lines.len());
        }
    }

    #[test]
    fn traditional_forms_fold_back() {
        let t = Traditional::builtin();
        let converted = t.convert("李强会见南非总统");
        assert_eq!(converted, "李強會見南非總統");
        assert_eq!(
            zhsearch::analysis::variants::simplified(&converted),
            "李强会见南非总统"
        );
    }
}
