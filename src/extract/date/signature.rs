//! The dated signature that closes a document: a short line naming the issuing body with
//! the date below it (or on the same line), possibly followed by editor and source lines.
//! A publication period that starts on the same day (`公开期限:2024年9月26日至10月25日`)
//! is cited as support; it is never a date by itself.

use std::sync::LazyLock;

use regex::Regex;

use super::chronology::DatedList;
use super::line::{Found, find_dates, is_range_or_deadline, only_decoration};
use crate::date::DocDate;

/// How many editor/source lines may follow the signature.
const TRAILER_LINES: usize = 4;
const TRAILER_STARTS: &[&str] = &[
    "编辑",
    "责任编辑",
    "责编",
    "审核",
    "审校",
    "校对",
    "来源",
    "供稿",
    "作者",
    "文/",
    "图/",
    "文|",
    "摄影",
    "记者",
    "(责任编辑",
    "(编辑",
    "(来源",
    "【",
    "原标题",
    "监制",
    "制作",
    "终审",
    "初审",
    "(完)",
];
/// Closing formulas that sit above a signature but are not the issuer.
const NOT_ISSUER: &[&str] = &["此致", "敬礼", "特此公告", "特此通知", "特此函告", "附件"];

fn is_trailer(line: &str) -> bool {
    line.chars().count() <= 40
        && !line.contains('。')
        && TRAILER_STARTS.iter().any(|s| line.starts_with(s))
}

/// A short line that can name the issuing body: no sentence punctuation, no digits.
fn is_issuer(line: &str) -> bool {
    let n = line.chars().count();
    (2..=40).contains(&n)
        && !line.contains(['。', '!', '?', ';', ',', ':', '"', '“', '”'])
        && !line.chars().any(|c| c.is_ascii_digit())
        && line.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
        && !NOT_ISSUER.iter().any(|w| line.starts_with(w))
}

pub(super) fn signature_date(lines: &[&str], body: &str, list: &DatedList) -> Option<DocDate> {
    let mut end = lines.len();
    while end > 0 && lines.len() - end < TRAILER_LINES && is_trailer(lines[end - 1]) {
        end -= 1;
    }
    let last = *lines.get(end.checked_sub(1)?)?;
    let found = find_dates(last);
    let [f] = found.as_slice() else { return None };
    if !only_decoration(&last[f.end..]) || is_range_or_deadline(last, f) || list.holds_later_than(f)
    {
        return None;
    }
    let prefix = last[..f.start].trim();
    let issuer = if only_decoration(prefix) {
        *lines.get(end.checked_sub(2)?)?
    } else {
        prefix
    };
    if !is_issuer(issuer) {
        return None;
    }
    let written = &last[f.start..f.end];
    let mut evidence = format!("signature: {issuer} {written}");
    if let Some(period) = agreeing_period(body, f) {
        evidence.push_str(&format!("; agrees with {period}"));
    }
    f.to_date(evidence)
}

static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:公开期限|公示期限|公示期|公示时间|征求意见时间|反馈时间)\s*[::为]?\s*[^。;\n]{0,40}",
    )
    .unwrap()
});

/// A publication period (`公开期限:2024年9月26日至10月25日`) that starts on the signature
/// date: it supports the signature, it is never a date by itself.
fn agreeing_period(body: &str, sig: &Found) -> Option<String> {
    PERIOD.find_iter(body).find_map(|m| {
        let first = find_dates(m.as_str()).into_iter().next()?;
        let same = (first.year, first.month, first.day) == (sig.year, sig.month, sig.day);
        same.then(|| m.as_str().trim_end_matches([',', ' ']).to_string())
    })
}

#[cfg(test)]
mod tests {
    use crate::extract::date::tests::*;

    #[test]
    fn signature_dates_001() {
        // The publication period starts on the signature date and is cited as support.
        assert_date(
            corpus_date(C001),
            text_day("2024-09-26"),
            &[
                "signature: 中共佛山市高明区委 2024年9月26日",
                "agrees with 公开期限:2024年9月26日至10月25日",
            ],
        );
    }

    #[test]
    fn signature_with_issuer_on_the_date_line() {
        let d = date(&format!("{PARAGRAPH}\n中共佛山市高明区委 2024年9月26日"));
        assert_eq!(day(&d), text_day("2024-09-26"));
    }

    #[test]
    fn signature_followed_by_editor_and_source_lines() {
        let body = format!(
            "{PARAGRAPH}\n中共佛山市高明区委\n2024年9月26日\n\n文/佛山日报记者黎翠怡\n编辑|梁楚静"
        );
        assert_eq!(day(&date(&body)), text_day("2024-09-26"));
    }

    #[test]
    fn signature_in_chinese_numerals_and_full_width_digits() {
        let hanzi = format!("{PARAGRAPH}\n中共佛山市高明区委\n二〇二四年九月二十六日");
        assert_eq!(day(&date(&hanzi)), text_day("2024-09-26"));
        let wide = format!("{PARAGRAPH}\n中共佛山市高明区委\n２０２４年９月２６日");
        assert_eq!(day(&date(&wide)), text_day("2024-09-26"));
    }

    #[test]
    fn a_closing_sentence_or_period_is_not_a_signature() {
        // The date of an event in the last sentence.
        let event = "2019年4月12日,高明区委召开全面深化改革委员会第一次会议。";
        assert_eq!(date(&format!("{PARAGRAPH}\n{event}")), None);
        // A deadline under the issuer is a period, not the date of the text.
        let period = format!("{PARAGRAPH}\n中共佛山市高明区委\n公开期限:2024年9月26日至10月25日");
        assert_eq!(date(&period), None);
        // A bare date under running text has no issuer to sign it.
        assert_eq!(date(&format!("{PARAGRAPH}\n2024年9月26日")), None);
        // Nor does a date under a closing formula.
        assert_eq!(date(&format!("{PARAGRAPH}\n特此公告\n2024年9月26日")), None);
    }
}
