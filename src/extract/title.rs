//! Titles and sources of plain-text articles.
//!
//! Web-scraped articles start with whatever the page had above the headline:
//! a site name (`佛山在线`), a publisher line (`主办单位:…`), a licence number
//! (`粤ICP备…`), a "read aloud" button (`语音播报`). [`find_title`] skips
//! those and takes the headline: a short first line that is not a sentence.
//! An article that starts straight with its first paragraph gets a short
//! lead made from its first sentence instead. Site names and `来源:` lines
//! become the article's source.

/// A title found in an article's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    /// The headline, or a lead made from the first sentence.
    pub text: String,
    /// Whether `text` is a lead rather than a headline.
    pub is_lead: bool,
    /// The publisher or site, when the text names it.
    pub source: Option<String>,
}

/// How many characters a lead keeps of the first sentence.
const LEAD_CHARS: usize = 40;
/// Headlines are at most this long; a longer first line is a paragraph.
const MAX_HEADLINE_CHARS: usize = 64;
/// How many lines at each end of the text are looked at for sources.
const EDGE_LINES: usize = 6;

/// Lines that are page furniture, never a headline.
const FURNITURE: [&str; 14] = [
    "合作单位",
    "ICP备",
    "ICP证",
    "语音播报",
    "责任编辑",
    "编辑",
    "字号",
    "分享到",
    "打印",
    "【字体",
    "发布时间",
    "浏览次数",
    "点击数",
    "扫一扫",
];

/// Endings of site and publisher names that sit alone on a line.
const SITE_SUFFIXES: [&str; 13] = [
    "在线",
    "网",
    "日报",
    "晚报",
    "新闻",
    "报",
    "发布",
    "客户端",
    "融媒",
    "电视台",
    "+",
    "新闻网",
    "号",
];

/// Finds the title and source of an article's text.
pub fn find_title(text: &str) -> Title {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut source = None;
    let mut headline = None;
    for line in lines.iter().take(EDGE_LINES) {
        if let Some(s) = labelled_source(line) {
            source.get_or_insert(s);
            continue;
        }
        if is_furniture(line) {
            continue;
        }
        if is_site_name(line) {
            source.get_or_insert_with(|| line.to_string());
            continue;
        }
        if is_headline(line) {
            headline = Some(line.to_string());
        }
        break;
    }
    // An explicit `来源:` line at the end beats a guessed site name.
    let tail_source = lines.iter().rev().take(EDGE_LINES).find_map(|l| {
        let s = l.trim_start_matches(['(', '（', '【', '[']);
        s.strip_prefix("来源")
            .and_then(strip_colon)
            .map(clean_source)
    });
    let source = tail_source.or(source).filter(|s| !s.is_empty());
    match headline {
        Some(text) => Title {
            text,
            is_lead: false,
            source,
        },
        None => Title {
            text: lead(&lines),
            is_lead: true,
            source,
        },
    }
}

fn strip_colon(s: &str) -> Option<&str> {
    s.trim_start().strip_prefix([':', '：']).map(str::trim)
}

fn clean_source(s: &str) -> String {
    s.trim_end_matches([')', '）', '】', ']'])
        .trim()
        .to_string()
}

/// `来源:南方+` or `主办单位:…` at the top of a page.
fn labelled_source(line: &str) -> Option<String> {
    for label in ["来源", "主办单位", "主办"] {
        if let Some(rest) = line.strip_prefix(label).and_then(strip_colon) {
            return Some(clean_source(rest));
        }
    }
    None
}

fn is_furniture(line: &str) -> bool {
    (FURNITURE.iter().any(|f| line.contains(f)) && line.chars().count() <= 40)
        || is_date_line(line)
        || is_rule(line)
}

/// A line with no letters or digits at all: a rule (`---`, `***`, `======`),
/// an unclosed front matter fence, a row of ornaments.
fn is_rule(line: &str) -> bool {
    !line
        .chars()
        .any(|c| crate::analysis::is_indexable(crate::analysis::fold_char(c)))
}

/// A line of nothing but a date or time: `2024年9月26日`, `2024-09-26 10:30`.
fn is_date_line(line: &str) -> bool {
    line.chars().any(|c| c.is_ascii_digit())
        && line
            .chars()
            .all(|c| c.is_ascii_digit() || "年月日时分秒-/:：. 　".contains(c))
}

fn is_site_name(line: &str) -> bool {
    let n = line.chars().count();
    (2..=10).contains(&n)
        && !line.contains(|c: char| is_sentence_punctuation(c) || c == ':' || c == '：')
        && SITE_SUFFIXES.iter().any(|s| line.ends_with(s))
}

fn is_sentence_punctuation(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '!' | '?' | '；' | ';' | '…' | '，' | ','
    )
}

fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    if !(5..=MAX_HEADLINE_CHARS).contains(&n) {
        return false;
    }
    if line.ends_with(is_sentence_punctuation) || line.matches('。').count() > 0 {
        return false;
    }
    let han = line
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count();
    han * 2 >= n
}

/// The first sentence of the text, shortened to about [`LEAD_CHARS`].
fn lead(lines: &[&str]) -> String {
    let first = lines
        .iter()
        .find(|l| !is_furniture(l) && labelled_source(l).is_none() && !is_site_name(l))
        .or(lines.first())
        .copied()
        .unwrap_or_default();
    let sentence = first
        .split_inclusive(['。', '！', '？', '!', '?'])
        .next()
        .unwrap_or(first)
        .trim_end_matches(['。', '！', '？', '!', '?']);
    if sentence.chars().count() <= LEAD_CHARS {
        return sentence.to_string();
    }
    // Cut at the last clause boundary within the limit, if there is one far enough in.
    let limit = sentence
        .char_indices()
        .nth(LEAD_CHARS)
        .map_or(sentence.len(), |(i, _)| i);
    let head = &sentence[..limit];
    let cut = head
        .char_indices()
        .filter(|&(_, c)| matches!(c, '，' | ',' | '；' | ';' | '、'))
        .map(|(i, _)| i)
        .rfind(|&i| head[..i].chars().count() >= LEAD_CHARS / 2)
        .unwrap_or(limit);
    format!("{}…", &sentence[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: [&str; 5] = [
        include_str!("../../corpus/000_e19cf532170f2a3e.txt"),
        include_str!("../../corpus/001_eda8d542acb23e2d.txt"),
        include_str!("../../corpus/002_6bc2cfcd6b5cfc07.txt"),
        include_str!("../../corpus/003_8f3e609361c084a5.txt"),
        include_str!("../../corpus/004_ec023b9238a4b3cd.txt"),
    ];

    #[test]
    fn headline_below_a_site_name() {
        let t = find_title(CORPUS[0]);
        assert_eq!(t.text, "高明:党建引领 锻造干事创业的猛虎之师");
        assert!(!t.is_lead);
        assert_eq!(t.source.as_deref(), Some("佛山在线"));
    }

    #[test]
    fn rules_and_unclosed_front_matter_fences_are_never_titles() {
        let t = find_title("---\ntitle: x\n\n高明区召开党建工作会议\n\n正文。");
        assert_eq!(t.text, "title: x");
        let t = find_title("***\n\n高明区召开党建工作会议\n\n会议指出，要加强党建。");
        assert_eq!(t.text, "高明区召开党建工作会议");
        let t = find_title("======\n");
        assert!(t.text.chars().all(|c| c == '='), "{:?}", t.text);
    }

    #[test]
    fn page_furniture_then_a_paragraph_gives_a_lead() {
        let t = find_title(CORPUS[1]);
        assert!(t.is_lead);
        assert_eq!(t.text, "根据省委统一部署,2023年4月24日至7月26日…");
        assert!(t.text.chars().count() <= LEAD_CHARS + 1);
        assert_eq!(
            t.source.as_deref(),
            Some("中共广东省纪律检查委员会 广东省监察委员会")
        );
    }

    #[test]
    fn headline_above_furniture_and_source_at_the_end() {
        let t = find_title(CORPUS[2]);
        assert_eq!(t.text, "广州南沙:以党建引领自贸区各项事业创新改革");
        assert_eq!(t.source.as_deref(), Some("南方+"));
    }

    #[test]
    fn an_opening_sentence_is_not_a_headline() {
        let t = find_title(CORPUS[3]);
        assert!(t.is_lead);
        assert_eq!(t.text, "历史长河奔腾不息,时代考卷常出常新");
        assert_eq!(t.source, None);
        let t = find_title(CORPUS[4]);
        assert!(t.is_lead);
        assert!(t.text.starts_with("本年10月,禅城区向"), "{}", t.text);
        assert!(t.text.ends_with('…'));
    }

    #[test]
    fn short_texts_and_odd_input() {
        assert_eq!(find_title("").text, "");
        assert_eq!(find_title("陈皮").text, "陈皮");
        assert_eq!(
            find_title("2024年9月26日\n正文很长的一段话。").text,
            "正文很长的一段话"
        );
        assert_eq!(
            find_title("2024-09-26 10:30\n标题在这里出现\n正文。").text,
            "标题在这里出现"
        );
        let t = find_title("来源：新华网\n\n标题在这里出现\n正文。");
        assert_eq!(t.source.as_deref(), Some("新华网"));
        assert_eq!(t.text, "标题在这里出现");
    }
}
