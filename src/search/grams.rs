//! The n-gram query of a searchable key: how a string of characters is
//! found, exactly, in the n-gram fields ([`crate::schema`]), which hold every
//! pair of consecutive characters of a run and each run's last character
//! alone. The query planner ([`super::plan`]) asks for these queries, and
//! the pages of a long article are chosen by where the same terms stand
//! ([`super::positions`]); a key ending with a run of one character is
//! any term that starts with it ([`super::starting::TermRange`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, RegexPhraseQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy_fst::Regex;

use super::starting::TermRange;
use crate::analysis::BREAK;
use crate::deadline::Deadline;

/// One term of the n-gram query for a key (see [`gram_terms`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gram {
    /// This term: a bigram, or a run's last character alone.
    Term(String),
    /// Any term that starts with this character: the key ends with a run of
    /// one character, which may be followed by another in the text.
    StartingWith(char),
}

/// The n-gram query for a searchable key, as terms at their offsets in a
/// phrase: bigrams that cover every character, and for a key that ends with
/// a run of one character, the terms that start with it. Empty for an empty
/// key.
///
/// The n-gram fields hold every pair of consecutive characters within a run
/// (characters with no punctuation or space between them) at the position of
/// the first, and the last character of each run alone, then leave one
/// position empty; so every character starts some term, a character occurs
/// in a text exactly when a term starting with it does, and nothing matches
/// across a break. A key of several runs (see
/// [`search_key`](crate::analysis::search_key)) is one phrase:
/// each run but the last ends with its last character alone, which only a
/// run's end has, and the next run starts two positions further.
pub fn gram_terms(key: &str) -> Vec<(usize, Gram)> {
    let runs: Vec<Vec<char>> = key
        .split(BREAK)
        .filter(|r| !r.is_empty())
        .map(|r| r.chars().collect())
        .collect();
    let mut terms = Vec::new();
    let mut base = 0;
    for (i, run) in runs.iter().enumerate() {
        let n = run.len();
        if n >= 2 {
            for j in cover(n) {
                terms.push((base + j, Gram::Term(run[j..j + 2].iter().collect())));
            }
        }
        if i + 1 < runs.len() {
            terms.push((base + n - 1, Gram::Term(run[n - 1].to_string())));
        } else if n == 1 {
            terms.push((base, Gram::StartingWith(run[0])));
        }
        base += n + 1;
    }
    terms
}

/// The first character after `c` (skipping the surrogate gap): terms that
/// start with `c` lie between `c` and it.
pub fn next_char(c: char) -> Option<char> {
    (c as u32 + 1..=char::MAX as u32).find_map(char::from_u32)
}

/// The n-gram query for a searchable key ([`gram_terms`]): one term, the
/// range of terms that start with a character (read until `deadline`
/// passes), or a phrase. `None` for an empty key.
pub fn grams(field: Field, key: &str, deadline: &Deadline) -> Option<Box<dyn Query>> {
    let terms = gram_terms(key);
    match terms.as_slice() {
        [] => None,
        [(_, Gram::Term(t))] => Some(term(field, t)),
        [(_, Gram::StartingWith(c))] => {
            let upper = next_char(*c)?;
            Some(Box::new(TermRange::new(
                field,
                &c.to_string(),
                &upper.to_string(),
                deadline,
            )))
        }
        _ => Some(phrase(field, &terms)),
    }
}

/// The terms (two or more: tantivy's phrases need as many) at their
/// offsets in `field`, as a phrase: with positions, the covering bigrams
/// match every character exactly in order; a term that starts with a
/// character (a last run of one) is any term that starts with it, read from
/// the field's terms (a regular expression, as many terms as there are).
fn phrase(field: Field, terms: &[(usize, Gram)]) -> Box<dyn Query> {
    let text = |t: &str| Term::from_field_text(field, t);
    let exact: Option<Vec<(usize, Term)>> = terms
        .iter()
        .map(|(at, g)| match g {
            Gram::Term(t) => Some((*at, text(t))),
            Gram::StartingWith(_) => None,
        })
        .collect();
    match exact {
        Some(exact) => Box::new(PhraseQuery::new_with_offset(exact)),
        None => {
            let patterns = terms.iter().map(|(at, g)| match g {
                Gram::Term(t) => {
                    let pattern = regex::escape(t);
                    let literal = Regex::new(&pattern).expect("an escaped pattern compiles");
                    (*at, pattern, Arc::new(literal))
                }
                Gram::StartingWith(c) => {
                    let (pattern, automaton) = starting_with(*c);
                    (*at, pattern, automaton)
                }
            });
            let mut q = RegexPhraseQuery::from_regexes(field, patterns.collect(), 0);
            // Every term that starts with the character: past tantivy's
            // default (16,384), the whole search would fail.
            q.set_max_expansions(u32::MAX);
            Box::new(q)
        }
    }
}

/// How many characters' automata [`STARTING_WITH`] keeps: each takes about
/// 100 KB (a table of 256 transitions for each of its states), so at most
/// 6.4 MB, whatever characters searches end with.
const STARTING_WITH_KEPT: usize = 64;

/// The automata of `c.?` (any term that starts with `c`) used lately, by
/// character, with when each was last used. One matches any character
/// after `c`, every UTF-8 sequence: building it took longer than the rest
/// of a phrase's search, and a relaxed search plans its phrases again for
/// each count of words it tries. (A pair's pattern is a literal, quick to
/// build.) When full, the one unused longest goes.
static STARTING_WITH: LazyLock<Mutex<Automata>> = LazyLock::new(Mutex::default);

#[derive(Default)]
struct Automata {
    kept: HashMap<char, (Arc<Regex>, u64)>,
    /// Uses so far: the time of [`Automata::kept`]'s second column.
    uses: u64,
}

/// The pattern of the terms that start with `c`, and its automaton, from
/// [`STARTING_WITH`] or into it.
fn starting_with(c: char) -> (String, Arc<Regex>) {
    let pattern = format!("{}.?", regex::escape(&c.to_string()));
    let automata = || STARTING_WITH.lock().unwrap_or_else(|p| p.into_inner());
    {
        let mut automata = automata();
        automata.uses += 1;
        let now = automata.uses;
        if let Some((automaton, used)) = automata.kept.get_mut(&c) {
            *used = now;
            return (pattern, automaton.clone());
        }
    }
    // Built outside the lock; a search that built the same at once shares
    // the one kept first.
    let automaton = Arc::new(Regex::new(&pattern).expect("an escaped pattern compiles"));
    let mut automata = automata();
    let now = automata.uses;
    if automata.kept.len() >= STARTING_WITH_KEPT && !automata.kept.contains_key(&c) {
        let oldest = automata.kept.iter().min_by_key(|(_, (_, used))| *used);
        if let Some(oldest) = oldest.map(|(c, _)| *c) {
            automata.kept.remove(&oldest);
        }
    }
    let (automaton, _) = automata.kept.entry(c).or_insert((automaton, now)).clone();
    (pattern, automaton)
}

/// One term of a field, its frequencies and positions read.
pub(crate) fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqsAndPositions,
    ))
}

/// Grams at their offsets in a phrase.
type Placed = Vec<(usize, Gram)>;

/// A title's text with a query word swapped for a cognate: the n-gram terms
/// of the phrase, at their offsets ([`cognate_terms`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cognate {
    /// The terms of the text around the free character.
    pub terms: Vec<(usize, String)>,
    /// The word's last character at this offset, when the word is the
    /// text's last and keeps it: any term that starts with it (the
    /// character alone at its run's end, or followed by another).
    pub then: Option<(usize, char)>,
    /// The character that must not end its run at this offset (be there
    /// alone, as a run's last): a break takes a position as a character
    /// does ([`gram_terms`]), and would take the place of a free one.
    pub not_alone: Option<(usize, char)>,
    /// Whether the word keeps its first character (the free one after it:
    /// [`Cognate::not_alone`] is then the word's own first).
    pub keeps_first: bool,
}

impl Cognate {
    /// Its exact terms, and the whole phrase: those, then the term that
    /// starts with [`Cognate::then`] when there is one.
    fn grams(&self) -> (Placed, Placed) {
        let exact: Placed = self
            .terms
            .iter()
            .map(|(at, t)| (*at, Gram::Term(t.clone())))
            .collect();
        let then = self.then.map(|(at, c)| (at, Gram::StartingWith(c)));
        let whole = exact.iter().cloned().chain(then).collect();
        (exact, whole)
    }

    /// The titles of `field` that have it: its phrase, where the character
    /// [`Cognate::not_alone`] does not end its run. Checked per title, not
    /// per place in it: a title with the text's start once before
    /// punctuation and once with a cognate is left out (seldom).
    pub fn query(&self, field: Field) -> Box<dyn Query> {
        let (exact, whole) = self.grams();
        let mut q = vec![(Occur::Must, phrase(field, &whole))];
        if let Some((at, c)) = self.not_alone {
            let mut alone = exact;
            alone.push((at, Gram::Term(c.to_string())));
            q.push((Occur::MustNot, phrase(field, &alone)));
        }
        Box::new(BooleanQuery::new(q))
    }

    /// The titles of `unbroken`, whose runs go on across punctuation, that
    /// have it, and, when the word keeps its first character, no break
    /// after that character in `broken`, the same titles with their breaks
    /// (checked per title): 装、配 is no cognate of 装机. A break before the
    /// free character, at the word's start, is a headline's punctuation,
    /// which a text typed from memory leaves out (`国际人士我国经济` for
    /// 国际人士：中国经济).
    pub fn query_unbroken(&self, unbroken: Field, broken: Field) -> Box<dyn Query> {
        let (exact, whole) = self.grams();
        let mut q = vec![(Occur::Must, phrase(unbroken, &whole))];
        if let Some((at, c)) = self.not_alone.filter(|_| self.keeps_first) {
            // Only there: the pair that ends with the kept character, then
            // that character alone (a break after it), wherever the title
            // has other punctuation, which shifts the positions of the
            // breaking field.
            let pair = self.terms.iter().find(|(offset, _)| *offset + 1 == at);
            let alone: Vec<(usize, Gram)> = match pair {
                Some((offset, pair)) => vec![
                    (*offset, Gram::Term(pair.clone())),
                    (at, Gram::Term(c.to_string())),
                ],
                // Not reached: the text up to the kept character ends with
                // that pair ([`cognate_terms`]).
                None => exact
                    .into_iter()
                    .chain([(at, Gram::Term(c.to_string()))])
                    .collect(),
            };
            q.push((Occur::MustNot, phrase(broken, &alone)));
        }
        Box::new(BooleanQuery::new(q))
    }
}

/// The n-gram phrases of `key` with its characters `a..a + 2` (a word of
/// two) swapped for a cognate: two characters in their place, in the same
/// run as the text around them, the first of them the word's own (提升 for
/// 提高) or the last (我国 for 中国).
///
/// The terms are exact but one: no term can say that a free character
/// ends its run, and a term *starting* with a character is a regular
/// expression over the field's pairs. So the first character is kept only
/// where a character of the text comes just before the word and none or a
/// character (not punctuation) just after it; the last only where one
/// comes before it, and when the word is the text's last, that character
/// is any term that starts with it ([`Cognate::then`]: 行业 for 产业 in
/// `英国多产业`). The word first in the text keeps its last
/// character, and the character before it is not checked: the title may
/// have the rest of the text at the start of a run (`，国可再生能源装机`
/// for `中国可再生能源装机`).
pub fn cognate_terms(key: &str, a: usize) -> Vec<Cognate> {
    let chars: Vec<char> = key.chars().collect();
    // The grams of `from..to`, at their positions: the key's character
    // offsets (a break takes one). `None` unless all are exact terms (a
    // last run of one character may go on in the title).
    let part = |from: usize, to: usize| -> Option<Vec<(usize, String)>> {
        let from = (from..to).find(|&i| chars[i] != BREAK).unwrap_or(to);
        let text: String = chars[from..to].iter().collect();
        let terms = gram_terms(&text).into_iter();
        let terms = terms.map(|(at, gram)| match gram {
            Gram::Term(t) => Some((at + from, t)),
            Gram::StartingWith(_) => None,
        });
        terms.collect()
    };
    let both = |left: Option<Vec<_>>, right: Option<Vec<_>>| Some([left?, right?].concat());
    let (b, end) = (a + 2, chars.len());
    let mut cognates = Vec::new();
    if a > 0 && chars[a - 1] != BREAK {
        let (before, first) = (chars[a - 1], chars[a]);
        // First kept: the text to it, then (any) from b, at b itself.
        let joined = b == end || chars[b] != BREAK;
        if joined && let Some(terms) = both(part(0, a + 1), part(b, end)) {
            let not_alone = Some((a, first));
            cognates.push(Cognate {
                terms,
                then: None,
                not_alone,
                keeps_first: true,
            });
        }
        // Last kept: the text before the word, then (any) from b - 1; the
        // word last, its last character as any term that starts with it.
        let rest = match b == end {
            true => Some((Vec::new(), Some((b - 1, chars[b - 1])))),
            false => part(b - 1, end).map(|terms| (terms, None)),
        };
        if let (Some(left), Some((right, then))) = (part(0, a), rest) {
            let not_alone = Some((a - 1, before));
            let terms = [left, right].concat();
            cognates.push(Cognate {
                terms,
                then,
                not_alone,
                keeps_first: false,
            });
        }
    } else if a == 0
        && let Some(terms) = part(b - 1, end)
    {
        cognates.push(Cognate {
            terms,
            then: None,
            not_alone: None,
            keeps_first: false,
        });
    }
    // A phrase of two terms at least (one alone is a word anywhere).
    cognates.retain(|c| c.terms.len() + usize::from(c.then.is_some()) > 1);
    cognates
}

/// Offsets of the bigrams that cover a run of `n >= 2` characters: 0, 2, 4,
/// … and one ending at the last character.
fn cover(n: usize) -> Vec<usize> {
    let mut offsets: Vec<usize> = (0..n - 1).step_by(2).collect();
    if *offsets.last().expect("n >= 2") != n - 2 {
        offsets.push(n - 2);
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::search_key;

    fn terms(list: &[(usize, &str)]) -> Vec<(usize, String)> {
        list.iter().map(|(at, t)| (*at, t.to_string())).collect()
    }

    /// Held by the tests of [`STARTING_WITH`], which one test fills.
    static AUTOMATA: Mutex<()> = Mutex::new(());

    #[test]
    fn the_automaton_of_terms_starting_with_a_character_is_built_once() {
        let _alone = AUTOMATA.lock().unwrap_or_else(|p| p.into_inner());
        // Kept while among the automata used last (the test that builds
        // many does not run meanwhile).
        let key = search_key("甲，乙丙，㐀");
        let first = phrase(Field::from_field_id(0), &gram_terms(&key));
        let second = phrase(Field::from_field_id(0), &gram_terms(&key));
        let regexes = |q: &dyn Query| {
            let q = q
                .downcast_ref::<RegexPhraseQuery>()
                .expect("a regex phrase");
            q.regexes().expect("compiled").to_vec()
        };
        let (a, b) = (regexes(first.as_ref()), regexes(second.as_ref()));
        assert_eq!(a.len(), 4, "甲 alone, 乙丙, 丙 alone, and any term from 㐀");
        assert!(Arc::ptr_eq(&a[3], &b[3]));
        assert!(Arc::ptr_eq(&starting_with('㐀').1, &a[3]));
    }

    #[test]
    fn the_automata_kept_are_those_used_last_and_at_most_their_number() {
        let _alone = AUTOMATA.lock().unwrap_or_else(|p| p.into_inner());
        // Characters of a block no other test uses.
        let chars: Vec<char> = (0x3500..).filter_map(char::from_u32).take(70).collect();
        let (kept, dropped) = (starting_with(chars[0]).1, starting_with(chars[1]).1);
        for &c in &chars[2..] {
            starting_with(c);
            // Used again before each other character: never the oldest.
            assert!(Arc::ptr_eq(&starting_with(chars[0]).1, &kept));
            assert!(STARTING_WITH.lock().unwrap().kept.len() <= STARTING_WITH_KEPT);
        }
        // Used once, before 68 others: gone, and built again.
        assert!(!Arc::ptr_eq(&starting_with(chars[1]).1, &dropped));
    }

    #[test]
    fn a_cognate_keeps_the_first_or_the_last_character_in_place() {
        // 运行质效提高明显, 提高 at 4..6: 提 kept (提升), then 高 kept (升高).
        let key = search_key("运行质效提高明显");
        let cognates = cognate_terms(&key, 4);
        assert_eq!(
            cognates,
            [
                Cognate {
                    terms: terms(&[(0, "运行"), (2, "质效"), (3, "效提"), (6, "明显")]),
                    then: None,
                    not_alone: Some((4, '提')),
                    keeps_first: true,
                },
                Cognate {
                    terms: terms(&[(0, "运行"), (2, "质效"), (5, "高明"), (6, "明显")]),
                    then: None,
                    not_alone: Some((3, '效')),
                    keeps_first: false,
                },
            ]
        );
    }

    #[test]
    fn a_cognate_of_the_first_word_keeps_its_last_character() {
        // 中国可再生能源: 我国 for 中国; the first character kept would need
        // a term that starts with it, not known exactly.
        let key = search_key("中国可再生能源");
        assert_eq!(
            cognate_terms(&key, 0),
            [Cognate {
                terms: terms(&[(1, "国可"), (3, "再生"), (5, "能源")]),
                then: None,
                not_alone: None,
                keeps_first: false,
            }]
        );
    }

    #[test]
    fn a_cognate_keeps_the_positions_of_breaks_and_needs_exact_terms() {
        // 推进，改革开放: the break after 推进 takes a position, and 进 ends
        // its run. With 推 kept, nothing would say that the free character
        // ends its run (推进改革和扩大开放 would match): none.
        let key = search_key("深化推进，改革开放");
        assert_eq!(
            cognate_terms(&key, 2),
            [Cognate {
                terms: terms(&[(0, "深化"), (3, "进"), (5, "改革"), (7, "开放")]),
                then: None,
                not_alone: Some((1, '化')),
                keeps_first: false,
            }]
        );
        // After a break, neither: nothing would say that the free character
        // starts its run, or that 推 goes on.
        let key = search_key("深化，推进改革");
        assert_eq!(cognate_terms(&key, 3), []);
        // A last run of one character after the word is not exact: not
        // with the word's first character kept (the one after it is free).
        let key = search_key("科技创新引");
        let cognates = cognate_terms(&key, 2);
        assert_eq!(cognates.len(), 1, "{cognates:?}");
        assert_eq!(cognates[0].terms, terms(&[(0, "科技"), (3, "新引")]));
        // One pair before the last word, and its last character: a phrase
        // of two terms.
        let key = search_key("中美贸易");
        let cognates = cognate_terms(&key, 2);
        let last = cognates.iter().find(|c| c.then.is_some());
        assert_eq!(
            last,
            Some(&Cognate {
                terms: terms(&[(0, "中美")]),
                then: Some((3, '易')),
                not_alone: Some((1, '美')),
                keeps_first: false,
            }),
            "{cognates:?}"
        );
        // The word last: its first character kept, or its last as any
        // term that starts with it (高 alone at the end of a run, or 高明).
        let key = search_key("运行质效提高");
        assert_eq!(
            cognate_terms(&key, 4),
            [
                Cognate {
                    terms: terms(&[(0, "运行"), (2, "质效"), (3, "效提")]),
                    then: None,
                    not_alone: Some((4, '提')),
                    keeps_first: true,
                },
                Cognate {
                    terms: terms(&[(0, "运行"), (2, "质效")]),
                    then: Some((5, '高')),
                    not_alone: Some((3, '效')),
                    keeps_first: false,
                },
            ]
        );
    }
}
