//! Titles and sources of plain-text articles.
//!
//! Web-scraped articles start with whatever the page had above the headline:
//! a site name (`佛山在线`), a publisher line (`主办单位:…`), a licence number
//! (`粤ICP备…`), a "read aloud" button (`语音播报`), a breadcrumb trail, a
//! line of script. [`find_title`] skips those and takes the headline: the
//! first line, when it is not a paragraph (no `。`, not broken off after a
//! comma or a colon). The headline is kept as written, with its `！`, `？`
//! and `……`; only one longer than [`MAX_TITLE_CHARS`] is shortened, at a
//! clause boundary, with `…` ([`shorten`]). An article that starts straight
//! with its first paragraph gets a short lead made from its first sentence
//! instead. Site names and `来源:` lines become the article's source.

use std::borrow::Cow;

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
/// Titles are shown whole up to this many characters; a longer headline is
/// shortened to it.
pub const MAX_TITLE_CHARS: usize = 64;
/// A first line longer than this is a paragraph, even without a `。`.
const MAX_HEADLINE_CHARS: usize = 160;
/// How many lines at each end of the text are looked at for sources.
const EDGE_LINES: usize = 6;

/// Licence numbers (`粤ICP备2024185129号`): page furniture wherever they are in a line.
const LICENCES: [&str; 2] = ["ICP备", "ICP证"];

/// Labels and buttons that make a line page furniture when they start one of its fields
/// (`责任编辑：张三`, `【字体：大 中 小】 打印本页`), but not inside a headline's words
/// (老字号, 3D打印).
const FURNITURE: [&str; 14] = [
    "当前位置",
    "您的位置",
    "合作单位",
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
            text: shorten(&text, MAX_TITLE_CHARS).into_owned(),
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
    let labelled = || {
        LICENCES.iter().any(|f| line.contains(f))
            || FURNITURE
                .iter()
                .any(|f| line.match_indices(f).any(|(i, _)| starts_field(line, i)))
    };
    (line.chars().count() <= 40 && labelled())
        || is_date_line(line)
        || is_rule(line)
        || is_breadcrumb(line)
        || is_script(line)
}

/// Whether byte `i` of `line` starts one of its fields: the line's start, or after a
/// space or a separator, opening brackets aside.
fn starts_field(line: &str, i: usize) -> bool {
    let before = line[..i].trim_end_matches(['【', '[', '（', '(']);
    before.is_empty()
        || before.ends_with(|c: char| c.is_whitespace() || "|｜】]）)：:/".contains(c))
}

/// `首页 > 新闻中心 > 本地新闻`: where the page sits in its site.
fn is_breadcrumb(line: &str) -> bool {
    line.contains(['>', '＞', '»', '›']) && line.chars().count() <= 60
}

/// A line of script or markup (`var _hmt = _hmt || [];`): no Chinese, and
/// characters that prose does not use.
fn is_script(line: &str) -> bool {
    !line.chars().any(is_han) && line.contains(['{', '}', '=', ';', '<'])
}

/// A line with no letters or digits at all: a rule (`---`, `***`, `======`),
/// an unclosed front matter fence, a row of ornaments.
fn is_rule(line: &str) -> bool {
    !line
        .chars()
        .any(|c| crate::analysis::is_indexable(crate::analysis::fold_char(c)))
}

/// A line of nothing but a date, a time and a weekday: `2024年9月26日`,
/// `2024-09-26 10:30`, `２０２４年９月２６日 星期四`.
fn is_date_line(line: &str) -> bool {
    let folded = || line.chars().map(crate::analysis::fold_char);
    folded().any(|c| c.is_ascii_digit())
        && folded()
            .all(|c| c.is_ascii_digit() || "年月日时分秒-/:：. 星期周一二三四五六天".contains(c))
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

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Whether a first line is a headline: a line of words, not a paragraph.
/// Headlines end as they like (`！`, `？`, `……`) but hold no `。`; a line
/// that ends with a comma, a semicolon or a colon was broken off a
/// sentence, or introduces what follows (`央视网消息：`).
pub(crate) fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    if !(4..=MAX_HEADLINE_CHARS).contains(&n) || line.contains('。') {
        return false;
    }
    if line.ends_with(['，', ',', '；', ';', '、', '：', ':']) {
        return false;
    }
    // Mostly words (Chinese, Latin letters, digits), not a row of symbols.
    let (words, symbols) = line
        .chars()
        .filter(|c| !c.is_whitespace())
        .fold((0, 0), |(w, s), c| {
            if c.is_alphanumeric() {
                (w + 1, s)
            } else {
                (w, s + 1)
            }
        });
    words >= symbols
}

/// Characters after which a title may be cut: the ends of clauses.
fn is_clause_boundary(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '，' | ','
                | '；'
                | ';'
                | '、'
                | '：'
                | ':'
                | '！'
                | '!'
                | '？'
                | '?'
                | '—'
                | '|'
                | '｜'
                | '_'
                | '…'
        )
}

/// `text` whole if it has at most `max_chars` characters; otherwise its
/// first clauses, cut at the last clause boundary within `max_chars` that
/// keeps at least half of them (else at `max_chars`), followed by `…`.
pub fn shorten(text: &str, max_chars: usize) -> Cow<'_, str> {
    let Some((limit, _)) = text.char_indices().nth(max_chars) else {
        return Cow::Borrowed(text);
    };
    let head = &text[..limit];
    let kept = |end: usize| head[..end].trim_end_matches(is_clause_boundary);
    let cut = if text[limit..].starts_with(is_clause_boundary) {
        Some(limit)
    } else {
        head.char_indices()
            .rev()
            .filter(|&(_, c)| is_clause_boundary(c))
            .map(|(i, _)| i)
            .find(|&i| kept(i).chars().count() >= max_chars / 2)
    };
    Cow::Owned(format!("{}…", cut.map_or(head, kept)))
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
    shorten(sentence, LEAD_CHARS).into_owned()
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

    /// A headline above a paragraph of its own story.
    fn article(headline: &str) -> String {
        format!("{headline}\n\n记者从有关部门获悉，相关工作正在有序推进。各方表示将认真落实。\n")
    }

    #[test]
    fn a_web_headline_with_exclamation_marks_is_kept_whole() {
        let headline = "气愤!河北一幼儿园老师竟然打孩子!监控视频曝光!警方已介入调查……";
        let t = find_title(&article(headline));
        assert_eq!(t.text, headline);
        assert!(!t.is_lead);
    }

    #[test]
    fn a_headline_ending_with_a_question_mark_is_kept_whole() {
        let headline = "五一假期去哪儿玩？热门景区门票还能约吗？";
        assert_eq!(find_title(&article(headline)).text, headline);
    }

    #[test]
    fn headline_shapes_are_kept_as_written() {
        for headline in [
            "重磅！国务院发布新规，7月1日起施行",
            "突发！某地发生4.5级地震，暂无人员伤亡报告",
            "【时评】让数字经济更好惠及百姓，向着新目标，再出发！",
            "《求是》杂志发表重要文章《推动高质量发展》",
            "“十四五”规划收官之年：“一带一路”再上新台阶",
            "高明:党建引领 锻造干事创业的猛虎之师",
            "住房公积金新政来了…这些变化与你有关",
            "如何让群众少跑腿?这个区有妙招!",
            "ＧＤＰ同比增长５．２％！一季度经济数据出炉",
            "iPhone 16发布：A18芯片、USB-C接口全面升级",
            "5G基站超过300万个 我国建成全球最大5G网络",
            "2024年高考报名人数1342万 再创历史新高",
            "男子酒驾被查竟称“只喝了一口”……交警：已立案",
            "官宣!这所大学更名 | 高校动态",
            "台风“摩羯”登陆海南文昌_新闻频道",
            "震惊!!!这种食物千万别再吃了???",
            "广州南沙:以党建引领自贸区各项事业创新改革",
            "第十届全国乡村文化旅游节开幕——共享机遇 共创未来",
        ] {
            let t = find_title(&article(headline));
            assert_eq!(t.text, headline, "{headline}");
            assert!(!t.is_lead, "{headline}");
        }
    }

    #[test]
    fn a_headline_longer_than_the_limit_is_shortened_at_a_clause_boundary() {
        let headline = "市委常委会召开扩大会议 研究部署秋冬季森林防火工作 强调提高站位压实责任 \
                        扎实做好隐患排查整治 加强值班值守和应急准备 切实守护好绿水青山";
        assert!(headline.chars().count() > MAX_TITLE_CHARS);
        let t = find_title(&article(headline));
        assert!(!t.is_lead);
        let kept = t.text.strip_suffix('…').expect("ends with …");
        assert!(headline.starts_with(kept), "{}", t.text);
        assert!(t.text.chars().count() <= MAX_TITLE_CHARS + 1, "{}", t.text);
        // The cut falls where a clause ends: a space follows it in the headline.
        assert!(headline[kept.len()..].starts_with(' '), "{}", t.text);
        assert!(kept.chars().count() >= MAX_TITLE_CHARS / 2, "{}", t.text);
    }

    #[test]
    fn shorten_cuts_at_the_last_clause_boundary_or_at_the_limit() {
        assert_eq!(shorten("党建引领高质量发展", 20), "党建引领高质量发展");
        assert_eq!(
            shorten("党建引领，高质量发展，乡村振兴", 12),
            "党建引领，高质量发展…"
        );
        assert_eq!(
            shorten("党建引领高质量发展乡村振兴", 8),
            "党建引领高质量发…"
        );
        // Full-width and ASCII mixed: characters are counted, never bytes.
        assert_eq!(
            shorten("ＧＤＰ增长５％，CPI上涨2%，PPI下降", 16),
            "ＧＤＰ增长５％，CPI上涨2%…"
        );
        assert_eq!(shorten("", 5), "");
    }

    #[test]
    fn headlines_holding_the_words_of_page_buttons_are_headlines() {
        for headline in [
            "老字号餐馆焕发新生机",
            "3D打印技术走进中学课堂",
            "“村”字号赛事火出圈",
        ] {
            assert_eq!(find_title(&article(headline)).text, headline);
        }
        let t =
            find_title("【字体：大 中 小】 打印本页\n责任编辑：张三\n老字号餐馆焕发新生机\n正文。");
        assert_eq!(t.text, "老字号餐馆焕发新生机");
    }

    #[test]
    fn a_line_that_introduces_what_follows_is_not_a_headline() {
        let t = find_title("本报讯（记者 张明）：\n今天，全市春耕生产全面展开。各地抓住农时。");
        assert!(t.is_lead, "{t:?}");
    }

    #[test]
    fn breadcrumbs_and_weekday_date_lines_are_page_furniture() {
        let t = find_title(
            "首页 > 新闻中心 > 本地新闻\n2024年9月26日 星期四\n高明区召开党建工作会议\n会议指出，要加强党建。",
        );
        assert_eq!(t.text, "高明区召开党建工作会议");
    }

    #[test]
    fn script_lines_are_page_furniture() {
        let t =
            find_title("var _hmt = _hmt || [];\n\n高明区召开党建工作会议。会议指出，要加强党建。");
        assert!(t.is_lead);
        assert_eq!(t.text, "高明区召开党建工作会议");
    }
}
