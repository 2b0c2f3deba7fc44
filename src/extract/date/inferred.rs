//! A year inferred when the article states no date: an anniversary said to fall this year,
//! `<自贸片区>挂牌N年以来`, a counted commemoration day or a yearly session said to be
//! today, a five-year plan's or a congress's 开局之年, and the plan year in the title of
//! the programme the article announces. Every clue must agree, and an era marker
//! (新冠肺炎 is not before 2020) may cancel them; the clues are the evidence.

use std::sync::LazyLock;

use regex::Regex;

use super::events::{COMMEMORATIONS, CONGRESSES, EVENTS, OPENINGS, PLANS};
use super::line::{hanzi_number, snippet};
use crate::date::{DateSource, DocDate, checked};

/// Era markers: a text mentioning them was not written before the given year.
static ERAS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"新冠(?:肺炎|病毒|疫情|疫苗)|二十届[一二三四五六七]中全会|十九届[一二三四五六七]中全会",
    )
    .unwrap()
});

const NUM: &str = r"([0-9]{1,3}|[一二两三四五六七八九十百零〇]{1,5})";
const RELATIVE: &str = r"(今年|本年|去年|明年|前年)";
/// A relative year, or today (`今天(12月26日)是…`), which is said of this year.
const NOW: &str = r"(今年|本年|去年|明年|前年|今天|今日)(?:\([^()]{0,16}\))?";

static ANNIVERSARY: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = EVENTS.iter().map(|e| e.0).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Regex::new(&format!("({})的?{NUM}周年", names.join("|"))).unwrap()
});
static COMMEMORATION: LazyLock<Regex> = LazyLock::new(|| {
    let mut names: Vec<&str> = COMMEMORATIONS.iter().map(|e| e.0).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    Regex::new(&format!("第{NUM}个[\"“]?({})[\"”]?", names.join("|"))).unwrap()
});
/// A yearly session of the National People's Congress or the CPPCC National Committee:
/// `十四届全国人大二次会议`, `第十四届全国人民代表大会第二次会议`, `全国政协十四届二次会议`.
static SESSION: LazyLock<Regex> = LazyLock::new(|| {
    const K: &str = "(十?[一二三四五六七八九]|十)";
    Regex::new(&format!(
        "第?{K}届全国(?:人大|人民代表大会|政协|政治协商会议)第?{K}次(?:全体)?会议|全国政协第?{K}届第?{K}次会议"
    ))
    .unwrap()
});
/// What a session held today does.
static HELD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"开幕|闭幕|举行|召开").unwrap());
static OPENING: LazyLock<Regex> = LazyLock::new(|| {
    let names: Vec<&str> = OPENINGS.iter().map(|e| e.0).collect();
    Regex::new(&format!(
        "({})(?:正式)?挂牌(?:成立)?{NUM}周?年(以来|来|之际)",
        names.join("|")
    ))
    .unwrap()
});
static MILESTONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{RELATIVE}(?:是|为|也是|将是|正值|恰逢)([^。!?;,\n]{{0,30}}?)(开局之年|收官之年)"
    ))
    .unwrap()
});
/// A relative year stated of the present clause: `今年是`, `去年正值`, `明年将迎来`,
/// `今天(12月26日)是`.
static STATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"{NOW}(?:是|正值|恰逢|适逢|迎来|也是|将迎来|为|将是)"
    ))
    .unwrap()
});
static OCCASION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"在|值此|正值|恰逢|适逢|喜迎|迎来|时值").unwrap());
/// Words that put a clause in the past or future, so its anniversary is not this year's.
static NOT_NOW: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"去年|前年|明年|过去|曾|年前|[0-9]{4}年").unwrap());
static PROGRAMME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"《([^《》\n]{2,80})》").unwrap());
static PLAN_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:实施意见|工作要点|工作方案|行动方案|实施方案|工作计划|行动计划|方案|计划|要点|意见)$",
    )
    .unwrap()
});
static ISSUED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"印发|出台|发布|公布|出炉|制定|以下简称").unwrap());

/// The article year implied by a relative word, given the year it is said of:
/// `今年是2021年的…` → 2021, `去年是…` → one year later.
fn resolve_relative(word: &str, said_of: i32) -> i32 {
    match word {
        "去年" => said_of + 1,
        "前年" => said_of + 2,
        "明年" => said_of - 1,
        _ => said_of,
    }
}

/// The clause containing `start`, up to `start`: from the last clause boundary before it.
fn clause_before(text: &str, start: usize) -> &str {
    segment_before(text, start, &['。', '!', '?', ';', ',', '\n'])
}

/// The sentence containing `start`, up to `start`: from the last sentence boundary before it.
fn sentence_before(text: &str, start: usize) -> &str {
    segment_before(text, start, &['。', '!', '?', ';', '\n'])
}

fn segment_before<'t>(text: &'t str, start: usize, boundaries: &[char]) -> &'t str {
    let from = text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| boundaries.contains(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &text[from..start]
}

fn inside_book_title(text: &str, start: usize) -> bool {
    let before = &text[..start];
    before
        .rfind('《')
        .is_some_and(|open| before.rfind('》').is_none_or(|close| close < open))
}

/// One piece of evidence for the article's year.
struct Clue {
    year: i32,
    evidence: String,
}

/// The whole match, the event's year from `table` (looked up by group 1) and the count
/// in group 2 (`100`, `一百`).
fn counted_event<'t>(
    c: &regex::Captures<'t>,
    table: &[(&str, i32)],
) -> Option<(regex::Match<'t>, i32, u32)> {
    let n = hanzi_number(&c[2])?;
    let &(_, base) = table.iter().find(|e| e.0 == &c[1])?;
    Some((c.get(0)?, base, n))
}

fn anniversary_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in ANNIVERSARY.captures_iter(text) {
        let Some((m, base, n)) = counted_event(&c, EVENTS) else {
            continue;
        };
        if inside_book_title(text, m.start()) {
            continue;
        }
        let prefix = clause_before(text, m.start());
        let event_year = base + n as i32;
        if let Some(s) = STATED.captures_iter(prefix).last() {
            let word = s.get(1).unwrap();
            let year = resolve_relative(word.as_str(), event_year);
            let said = &prefix[word.start()..];
            clues.push(Clue {
                year,
                evidence: format!(
                    "\"{}{}\" → {year} ({base}+{n}, said of {})",
                    snippet(said, 12),
                    m.as_str(),
                    word.as_str()
                ),
            });
        } else if text[m.end()..].starts_with("之际")
            && OCCASION.is_match(prefix)
            && !NOT_NOW.is_match(sentence_before(text, m.start()))
        {
            clues.push(Clue {
                year: event_year,
                evidence: format!("\"{}之际\" → {event_year} ({base}+{n})", m.as_str()),
            });
        }
    }
}

fn opening_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in OPENING.captures_iter(text) {
        let Some((m, base, n)) = counted_event(&c, OPENINGS) else {
            continue;
        };
        if NOT_NOW.is_match(sentence_before(text, m.start())) {
            continue;
        }
        let year = base + n as i32;
        clues.push(Clue {
            year,
            evidence: format!("\"{}\" → {year} (挂牌 {base}+{n})", m.as_str()),
        });
    }
}

/// `今天(12月13日)是第十一个南京大屠杀死难者国家公祭日`, `在第9个全民国家安全教育日到来之际`:
/// a counted yearly day said to be now.
fn commemoration_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in COMMEMORATION.captures_iter(text) {
        let (Some(m), Some(n)) = (c.get(0), hanzi_number(&c[1])) else {
            continue;
        };
        let Some(&(name, first)) = COMMEMORATIONS.iter().find(|e| e.0 == &c[2]) else {
            continue;
        };
        let prefix = clause_before(text, m.start());
        let following = &text[m.end()..];
        let now = STATED
            .captures_iter(prefix)
            .last()
            .map(|s| s[1].to_string());
        let arriving = ["到来之际", "来临之际"]
            .iter()
            .any(|w| following.starts_with(w))
            && !NOT_NOW.is_match(sentence_before(text, m.start()));
        let year = first + n as i32 - 1;
        let year = match now.as_deref() {
            Some(word) => resolve_relative(word, year),
            None if arriving => year,
            None => continue,
        };
        clues.push(Clue {
            year,
            evidence: format!("\"{}\" → {year} ({name} since {first})", m.as_str()),
        });
    }
}

/// A session of the National People's Congress or the CPPCC held today (`今天(3月5日),
/// 十四届全国人大二次会议在人民大会堂开幕`): their terms have begun every five years since
/// the fifth in 1978, with one session a year (十四届 from 2023, 二次会议 in 2024).
fn session_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in SESSION.captures_iter(text) {
        let m = c.get(0).unwrap();
        let numbers: Vec<u32> = c
            .iter()
            .skip(1)
            .flatten()
            .filter_map(|g| hanzi_number(g.as_str()))
            .collect();
        let [term, session] = numbers[..] else {
            continue;
        };
        if !(5..=40).contains(&term) || !(1..=5).contains(&session) {
            continue;
        }
        // Said of today, in the same sentence, and not looked back on.
        let sentence_start = m.start() - sentence_before(text, m.start()).len();
        let sentence_end = text[m.end()..]
            .find(['。', '!', '?', ';', '\n'])
            .map_or(text.len(), |i| m.end() + i);
        let sentence = &text[sentence_start..sentence_end];
        let after: String = text[m.end()..sentence_end].chars().take(30).collect();
        let before: String = {
            let b: Vec<char> = text[sentence_start..m.start()].chars().collect();
            b[b.len().saturating_sub(20)..].iter().collect()
        };
        let held = HELD.is_match(&after) || HELD.is_match(&before);
        if !sentence.contains("今天") && !sentence.contains("今日")
            || !held
            || NOT_NOW.is_match(sentence)
            || inside_book_title(text, m.start())
        {
            continue;
        }
        let year = 1978 + 5 * (term as i32 - 5) + session as i32 - 1;
        clues.push(Clue {
            year,
            evidence: format!("\"{}\" today → {year}", m.as_str()),
        });
    }
}

fn milestone_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in MILESTONE.captures_iter(text) {
        let (middle, kind) = (&c[2], &c[3]);
        let said_of = if let Some(&(name, first)) = PLANS.iter().find(|p| middle.contains(p.0)) {
            let year = if kind == "开局之年" {
                first
            } else {
                first + 4
            };
            Some((name, year))
        } else if kind == "开局之年" {
            CONGRESSES
                .iter()
                .find(|p| middle.contains(p.0) && middle.contains("精神"))
                .map(|&(n, y)| (n, y + 1))
        } else {
            None
        };
        if let Some((name, said_of)) = said_of {
            let year = resolve_relative(&c[1], said_of);
            clues.push(Clue {
                year,
                evidence: format!("\"{}\" → {year} ({name} {kind})", snippet(&c[0], 30)),
            });
        }
    }
}

fn programme_clues(text: &str, clues: &mut Vec<Clue>) {
    for c in PROGRAMME.captures_iter(text) {
        let (m, title) = (c.get(0).unwrap(), &c[1]);
        if !PLAN_SUFFIX.is_match(title) {
            continue;
        }
        let years: Vec<(usize, &str)> = title
            .match_indices(|ch: char| ch.is_ascii_digit())
            .filter(|(i, _)| *i == 0 || !title.as_bytes()[i - 1].is_ascii_digit())
            .map(|(i, _)| (i, &title[i..]))
            .collect();
        // Exactly one number, a four-digit year as in `2023年` / `2023年度`, not a range.
        let [(at, rest)] = years.as_slice() else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = &rest[digits.len()..];
        let before = title[..*at].trim_end();
        if digits.len() != 4
            || !after.starts_with('年')
            || after["年".len()..].starts_with(['月', '至', '到', '-', '—', '~'])
            || before.ends_with(['至', '到', '-', '—', '~'])
        {
            continue;
        }
        // The article's own programme: the title opens with a place the article is about
        // (`《新会区2023年…》` in an article naming 新会区 throughout), not a national or
        // other body's plan, which may be published the year before the one it names.
        let place = before.trim_start_matches("中共").trim_end_matches('委');
        let is_place = (2..=10).contains(&place.chars().count())
            && (place.ends_with(['省', '市', '区', '县', '镇', '乡']) || place.ends_with("街道"));
        if !is_place || text.matches(place).count() < 3 {
            continue;
        }
        let prefix = clause_before(text, m.start());
        let following: String = text[m.end()..].chars().take(30).collect();
        if !(ISSUED.is_match(prefix) || ISSUED.is_match(&following))
            || NOT_NOW.is_match(sentence_before(text, m.start()))
        {
            continue;
        }
        let year: i32 = digits.parse().unwrap_or(0);
        clues.push(Clue {
            year,
            evidence: format!("programme title 《{}》 → {year}", snippet(title, 24)),
        });
    }
}

pub(super) fn inferred_year(text: &str) -> Option<DocDate> {
    let mut clues = Vec::new();
    anniversary_clues(text, &mut clues);
    opening_clues(text, &mut clues);
    commemoration_clues(text, &mut clues);
    session_clues(text, &mut clues);
    milestone_clues(text, &mut clues);
    programme_clues(text, &mut clues);
    let year = clues.first()?.year;
    if clues.iter().any(|c| c.year != year) {
        return None;
    }
    let mut evidence: Vec<String> = Vec::new();
    for c in clues {
        if !evidence.contains(&c.evidence) {
            evidence.push(c.evidence);
        }
    }
    evidence.truncate(3);
    for era in ERAS.find_iter(text) {
        let not_before = if era.as_str().starts_with("新冠") {
            2020
        } else if era.as_str().starts_with("二十届") {
            2022
        } else {
            2017
        };
        if year < not_before {
            return None;
        }
        let note = format!("consistent with {} (not before {not_before})", era.as_str());
        if !evidence.iter().any(|e| e.starts_with("consistent with")) {
            evidence.push(note);
        }
    }
    let mut date = checked(u32::try_from(year).ok()?, None, None).ok()?;
    date.source = DateSource::Inferred;
    date.evidence = format!("inferred: {}", evidence.join("; "));
    Some(date)
}

#[cfg(test)]
mod tests {
    use crate::extract::date::tests::*;

    #[test]
    fn relative_years_need_an_anchor_in_the_article() {
        // 今年 is never resolved against today's date.
        let s = "今年7月23日,在高明区明城镇明阳村委会会议室内,明阳村党委理论学习中心组举行第一次专题学习会议。";
        assert_eq!(date(s), None);
        let s = "从去年11月18日拍地,到当月20日获取施工通知单,该项目仅用时两个工作日。";
        assert_eq!(date(s), None);
    }

    #[test]
    fn anniversary_said_to_fall_this_year() {
        // 004's sentence before it was spun (筑党 → 建党, 本年 → 今年, 中邦 → 中国).
        let s = "就在今年中国共产党建党100周年之际,紫南村获得“全国先进基层党组织”荣誉。";
        let d = date(s);
        assert_eq!(day(&d), inferred("2021"));
        assert!(d.unwrap().evidence.contains("(1921+100)"));
        let s = "今年是新中国成立七十周年,高明区各级党组织开展系列主题活动。";
        assert_eq!(day(&date(s)), inferred("2019"));
    }

    #[test]
    fn anniversary_said_of_last_or_next_year_resolves_against_it() {
        let d = date("去年是中国共产党成立一百周年,高明区委深入实施基层党组织建设三年行动计划。");
        assert_eq!(day(&d), inferred("2022"));
        assert!(d.unwrap().evidence.contains("said of 去年"));
        let d = date("明年是改革开放40周年,高明将进一步深化重点领域和关键环节改革。");
        assert_eq!(day(&d), inferred("2017"));
    }

    #[test]
    fn anniversaries_looked_back_on_are_ignored() {
        assert_eq!(
            date("2021年,在庆祝中国共产党成立100周年之际,紫南村获得荣誉。"),
            None
        );
        assert_eq!(
            date("过去一年,我们隆重庆祝建党100周年,开展党史学习教育。"),
            None
        );
        assert_eq!(
            date("认真学习《在庆祝中国共产党成立100周年大会上的讲话》精神。"),
            None
        );
        // Mentioning an anniversary is not saying it is now.
        assert_eq!(
            date("高明区红色廉政文化教育基地展出了建党100周年的珍贵照片。"),
            None
        );
    }

    #[test]
    fn opening_anniversary_002() {
        // 新冠肺炎 (not before 2020) agrees and is noted.
        assert_date(
            corpus_date(C002),
            inferred("2020"),
            &[
                "南沙自贸片区挂牌5年以来",
                "2015+5",
                "consistent with 新冠肺炎",
            ],
        );
    }

    #[test]
    fn programme_title_and_milestone_003() {
        assert_date(
            corpus_date(C003),
            inferred("2023"),
            &["programme title 《新会区2023年", "二十大 开局之年"],
        );
    }

    #[test]
    fn programme_title_alone_is_enough() {
        let s = "近期,《新会区2023年以高质量党建推动高质量发展的实施意见》正式印发。新会区将开展高质量党建专项行动,新会区各级党组织全面落实。";
        let d = date(s);
        assert_eq!(day(&d), inferred("2023"));
    }

    #[test]
    fn programme_titles_of_others_are_not_evidence() {
        // A national plan named for a year may be published the year before.
        assert_eq!(date("近日,国务院印发《2024年节能降碳行动方案》。"), None);
        // A place the article is not about (named once, in the title only).
        assert_eq!(date("近期,《新会区2023年党建工作要点》正式印发。"), None);
        // A range of years is not a plan year.
        let s = "新会区印发《新会区2023—2025年人才发展行动计划》。新会区将推进,新会区";
        assert_eq!(date(s), None);
        // Looked back on.
        let s = "去年,新会区印发《新会区2022年党建工作要点》。新会区将推进,新会区";
        assert_eq!(date(s), None);
    }

    #[test]
    fn five_year_plan_and_congress_milestones() {
        assert_eq!(
            day(&date("今年是“十四五”规划收官之年,高明区全力冲刺。")),
            inferred("2025")
        );
        assert_eq!(
            day(&date("明年是“十五五”开局之年,要谋划好重大项目。")),
            inferred("2025")
        );
        let s = "今年是全面贯彻落实党的二十大精神开局之年,也是江门踏上现代化建设新征程的开耕之年。";
        assert_eq!(day(&date(s)), inferred("2023"));
    }

    #[test]
    fn disagreeing_or_implausible_evidence_gives_no_year() {
        assert_eq!(date("今年是建党100周年。今年是改革开放40周年。"), None);
        // 2018 from the anniversary, but 新冠肺炎 was not named before 2020.
        assert_eq!(
            date("今年是改革开放40周年。面对新冠肺炎疫情的考验,南沙区牢牢抓稳党建。"),
            None
        );
    }

    #[test]
    fn spun_004_has_no_date() {
        // 004 says 本年10月 and 本年6月15日 (no year anchor), and its only anniversary is
        // spun: 本年中邦共产党筑党100周年之际. 筑党 is not an event name; reading it as
        // 建党 would be guessing at the spinner, so the article stays undated.
        assert_eq!(corpus_date(C004), None);
    }
}
