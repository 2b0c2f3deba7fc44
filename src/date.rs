//! Date values: a document's date with how precise it is and where it came from
//! ([`DocDate`]), a `--since`/`--until`/`date:` argument as a range of days
//! ([`DateBound`]), and the parsing of both from the strings users and corpus files write.
//!
//! Extraction, query planning, the server's parameters and the schema use these types;
//! finding a date in an article's own text is [`crate::extract::date`]'s job. Any year from
//! 1 to 9999 is a date; full-width digits are read as digits.
//!
//! ```
//! use zhsearch::date::{parse_bound, DateSource, DocDate, Precision};
//!
//! let date = DocDate::from_metadata("2024年9月26日").unwrap();
//! assert_eq!(date.display(), "2024-09-26");
//! assert_eq!((date.precision, date.source), (Precision::Day, DateSource::Metadata));
//!
//! let since = parse_bound("2024-09").unwrap();
//! assert!(since.first_day() <= date.first_day() && date.first_day() <= since.last_day());
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

/// How much of a [`DocDate`] is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Year, month and day are known.
    Day,
    /// Year and month are known.
    Month,
    /// Only the year is known.
    Year,
}

impl Precision {
    /// The lowercase name used in stored fields and JSON output: `day`, `month` or `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Year => "year",
        }
    }
}

/// Where a [`DocDate`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateSource {
    /// A metadata field of the input (JSONL field, front matter).
    Metadata,
    /// A date the article states about itself (signature, header date line, byline).
    Text,
    /// A year deduced from evidence in the text; [`DocDate::evidence`] says which.
    Inferred,
}

impl DateSource {
    /// The lowercase name used in stored fields and JSON output: `metadata`, `text` or
    /// `inferred`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::Text => "text",
            DateSource::Inferred => "inferred",
        }
    }
}

/// A document's date with its precision and provenance.
///
/// `month` is `Some` for [`Precision::Month`] and [`Precision::Day`], `day` only for
/// [`Precision::Day`]. Values built by this module are valid calendar dates; hand-built
/// values out of range are clamped by [`DocDate::first_day`] and [`DocDate::last_day`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DocDate {
    /// The year, e.g. 2024.
    pub year: i16,
    /// The month, 1 to 12, when known.
    pub month: Option<u8>,
    /// The day of the month, when known.
    pub day: Option<u8>,
    /// How much of the date is known.
    pub precision: Precision,
    /// Where the date came from.
    pub source: DateSource,
    /// Human-readable provenance, e.g. `signature: 中共佛山市高明区委 2024年9月26日`,
    /// `metadata: 2024-09-26` or `inferred: "今年是…建党100周年" → 2021 (1921+100)`.
    pub evidence: String,
}

/// Forms accepted by [`DocDate::from_metadata`], quoted in its errors.
const METADATA_FORMS: &str = "YYYY, YYYY-MM, YYYY-MM-DD (or with / or . separators), \
     YYYY年M月, YYYY年M月D日, YYYYMMDD, or an RFC 3339 timestamp such as 2024-09-26T10:30:00+08:00";

/// Forms accepted by [`parse_bound`], quoted in its errors.
const BOUND_FORMS: &str = "YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024, 2024-09 or 2024-09-26";

impl DocDate {
    /// Parses a date given as metadata (a JSONL `date` field, front matter).
    ///
    /// Accepts `2024`, `2024-09`, `2024-09-26`, `2024/9/26`, `2024.9.26`, `2024年9月`,
    /// `2024年9月26日`, `20240926` and RFC 3339 timestamps (`2024-09-26T10:30:00+08:00`,
    /// `2024-09-26 10:30:00`, `…Z`), whose calendar date is taken as written. Full-width
    /// digits are accepted. The evidence is `metadata: <input>`; a caller that knows the
    /// field name may overwrite it.
    pub fn from_metadata(s: &str) -> Result<DocDate, DateError> {
        let folded = fold_width(s.trim());
        let t = folded.as_ref();
        let err = |reason: String| DateError::new(s, reason, METADATA_FORMS);
        let (year, month, day) = if let Some(ymd) = parse_numeric(t, &['-', '/', '.']) {
            ymd
        } else if let Some(caps) = METADATA_CJK.captures(t) {
            let num = |i: usize| caps.get(i).map(|m| m.as_str().parse::<u32>().unwrap_or(0));
            (num(1).unwrap_or(0), num(2), num(3))
        } else if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap_or(0);
            (n(0..4), Some(n(4..6)), Some(n(6..8)))
        } else if t.len() > 10 && t.is_char_boundary(10) && matches!(t.as_bytes()[10], b'T' | b' ')
        {
            parse_timestamp(t).map_err(err)?
        } else {
            return Err(err(unrecognised(t)));
        };
        let mut date = checked(year, month, day).map_err(err)?;
        date.source = DateSource::Metadata;
        date.evidence = format!("metadata: {}", s.trim());
        Ok(date)
    }

    /// The date as `2024-09-26`, `2024-09` or `2024`, depending on its precision.
    pub fn display(&self) -> String {
        self.to_string()
    }

    /// The first day the date can denote: the day itself, the first of the month, or
    /// 1 January. Use it for sorting and for `--since` checks.
    pub fn first_day(&self) -> Date {
        let month = self.month.unwrap_or(1);
        clamped_date(self.year, month, self.day.unwrap_or(1))
    }

    /// The last day the date can denote: the day itself, the last of the month, or
    /// 31 December. Use it for `--until` checks of imprecise dates.
    pub fn last_day(&self) -> Date {
        match (self.month, self.day) {
            (Some(m), Some(d)) => clamped_date(self.year, m, d),
            (Some(m), None) => clamped_date(self.year, m, 1).last_of_month(),
            _ => clamped_date(self.year, 12, 31),
        }
    }
}

impl fmt::Display for DocDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.month, self.day) {
            (Some(m), Some(d)) => write!(f, "{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => write!(f, "{:04}-{m:02}", self.year),
            _ => write!(f, "{:04}", self.year),
        }
    }
}

/// A `--since`/`--until` argument (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) as an inclusive
/// range of days: `2024-02` covers 2024-02-01 to 2024-02-29.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateBound {
    first: Date,
    last: Date,
    precision: Precision,
}

impl DateBound {
    /// The first day of the range; `--since` keeps dates on or after it.
    pub fn first_day(&self) -> Date {
        self.first
    }

    /// The last day of the range; `--until` keeps dates on or before it.
    pub fn last_day(&self) -> Date {
        self.last
    }

    /// Whether the argument named a year, a month or a day.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Whether `day` lies within the range, both ends included.
    pub fn contains(&self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }
}

/// Parses a `--since`/`--until` argument: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (one- or
/// two-digit month and day; full-width digits accepted).
pub fn parse_bound(s: &str) -> Result<DateBound, DateError> {
    let folded = fold_width(s.trim());
    let err = |reason: String| DateError::new(s, reason, BOUND_FORMS);
    let (year, month, day) =
        parse_numeric(&folded, &['-']).ok_or_else(|| err(unrecognised(&folded)))?;
    let date = checked(year, month, day).map_err(err)?;
    Ok(DateBound {
        first: date.first_day(),
        last: date.last_day(),
        precision: date.precision,
    })
}

/// A date string that could not be parsed. The message names the input, what is wrong
/// with it and the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {input:?}: {reason}; accepted forms: {accepted}")]
pub struct DateError {
    input: String,
    reason: String,
    accepted: &'static str,
}

impl DateError {
    fn new(input: &str, reason: String, accepted: &'static str) -> DateError {
        DateError {
            input: input.to_string(),
            reason,
            accepted,
        }
    }

    /// The string that was rejected, as given.
    pub fn input(&self) -> &str {
        &self.input
    }
}

// ---------------------------------------------------------------------------------------
// Parsing helpers, shared with extraction

/// Folds full-width ASCII (digits, letters, punctuation) to ASCII and the ideographic
/// space to a space, so `２０２４年` reads as `2024年` and `（` as `(`.
pub(crate) fn fold_width(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}'))
    {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            })
            .collect(),
    )
}

/// `YYYY`, `YYYY<sep>M` or `YYYY<sep>M<sep>D` with one separator kind throughout.
fn parse_numeric(s: &str, seps: &[char]) -> Option<(u32, Option<u32>, Option<u32>)> {
    let sep = s.chars().find(|c| !c.is_ascii_digit());
    let parts: Vec<&str> = match sep {
        None => vec![s],
        Some(c) if seps.contains(&c) => s.split(c).collect(),
        Some(_) => return None,
    };
    let ok =
        |p: &str, lens: &[usize]| lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] if ok(y, &[4]) => Some((y.parse().ok()?, None, None)),
        [y, m] if ok(y, &[4]) && ok(m, &[1, 2]) => {
            Some((y.parse().ok()?, Some(m.parse().ok()?), None))
        }
        [y, m, d] if ok(y, &[4]) && ok(m, &[1, 2]) && ok(d, &[1, 2]) => Some((
            y.parse().ok()?,
            Some(m.parse().ok()?),
            Some(d.parse().ok()?),
        )),
        _ => None,
    }
}

/// An RFC 3339 timestamp (or an ISO date-time without offset), validated by jiff; the
/// calendar date is the one written.
fn parse_timestamp(t: &str) -> Result<(u32, Option<u32>, Option<u32>), String> {
    let has_offset = t.ends_with(['Z', 'z']) || t[10..].contains(['+', '-']);
    let valid = if has_offset {
        t.parse::<jiff::Timestamp>()
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else {
        t.parse::<jiff::civil::DateTime>()
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    valid.map_err(|e| format!("not a valid timestamp ({e})"))?;
    parse_numeric(&t[..10], &['-']).ok_or_else(|| "not a valid timestamp".to_string())
}

/// Why a date string is not one: a year written with fewer than four digits (`618`,
/// `24-09`) is called out, since `0618` would be accepted.
fn unrecognised(t: &str) -> String {
    let lead = t.split(['-', '/', '.', '年']).next().unwrap_or("");
    if (1..=3).contains(&lead.len()) && lead.bytes().all(|b| b.is_ascii_digit()) {
        format!(
            "a year is written with four digits (0618 for the year 618, 2024 not 24), not {lead}"
        )
    } else {
        "not a recognised date form".into()
    }
}

/// Builds a validated [`DocDate`] (source and evidence to be filled in by the caller).
/// Any year from 1 to 9999 is accepted.
pub(crate) fn checked(year: u32, month: Option<u32>, day: Option<u32>) -> Result<DocDate, String> {
    if !(1..=9999).contains(&year) {
        return Err(format!("year {year} is out of range 1..=9999"));
    }
    match (month, day) {
        (Some(m), _) if !(1..=12).contains(&m) => {
            return Err(format!("month {m} is out of range 1..=12"));
        }
        (Some(m), Some(d)) if Date::new(year as i16, m as i8, d.min(99) as i8).is_err() => {
            return Err(format!("{year:04}-{m:02}-{d:02} is not a calendar date"));
        }
        (None, Some(_)) => return Err("a day needs a month".into()),
        _ => {}
    }
    let precision = match (month, day) {
        (Some(_), Some(_)) => Precision::Day,
        (Some(_), None) => Precision::Month,
        _ => Precision::Year,
    };
    Ok(DocDate {
        year: year as i16,
        month: month.map(|m| m as u8),
        day: day.map(|d| d as u8),
        precision,
        source: DateSource::Text,
        evidence: String::new(),
    })
}

/// A calendar date with month and day clamped into range.
pub(crate) fn clamped_date(year: i16, month: u8, day: u8) -> Date {
    let year = year.clamp(-9999, 9999);
    let first = Date::new(year, month.clamp(1, 12) as i8, 1).unwrap_or(Date::MIN);
    let day = (day.clamp(1, 31) as i8).min(first.days_in_month());
    first.with().day(day).build().unwrap_or(first)
}

static METADATA_CJK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{4})\s*年(?:\s*([0-9]{1,2})\s*月(?:\s*([0-9]{1,2})\s*[日号])?)?$").unwrap()
});

#[cfg(test)]
mod tests {
    use super::*;

    // --- Issue 10, item 2: any year from 1 to 9999 ------------------------------------

    #[test]
    fn every_year_from_1_to_9999_is_a_date() {
        for (input, shown) in [
            ("0001-01-01", "0001-01-01"),
            ("0001", "0001"),
            ("0618年5月", "0618-05"),
            ("1677-09-21", "1677-09-21"),
            ("2262-04-12", "2262-04-12"),
            ("9999-12-31", "9999-12-31"),
            ("0001-01-01T00:00:00Z", "0001-01-01"),
        ] {
            let d = DocDate::from_metadata(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(d.display(), shown);
        }
        let b = parse_bound("0001").unwrap();
        assert_eq!(b.first_day(), jiff::civil::date(1, 1, 1));
        let b = parse_bound("9999-12").unwrap();
        assert_eq!(b.last_day(), jiff::civil::date(9999, 12, 31));
    }

    #[test]
    fn year_zero_and_short_years_are_refused() {
        let msg = DocDate::from_metadata("0000").unwrap_err().to_string();
        assert!(msg.contains("year 0 is out of range 1..=9999"), "{msg}");
        let msg = parse_bound("618").unwrap_err().to_string();
        assert!(msg.contains("four digits"), "{msg}");
    }

    // --- The forms metadata dates and bounds take --------------------------------------

    #[test]
    fn metadata_forms() {
        let cases = [
            ("2024-09-26", "2024-09-26", Precision::Day),
            ("2024-9-6", "2024-09-06", Precision::Day),
            ("2024/9/26", "2024-09-26", Precision::Day),
            ("2024.09.26", "2024-09-26", Precision::Day),
            ("2024年9月26日", "2024-09-26", Precision::Day),
            ("２０２４年９月２６日", "2024-09-26", Precision::Day),
            ("20240926", "2024-09-26", Precision::Day),
            ("2024-09-26T10:30:00+08:00", "2024-09-26", Precision::Day),
            ("2023-09-04T14:27:58.876Z", "2023-09-04", Precision::Day),
            ("2024-09-26 10:30:00", "2024-09-26", Precision::Day),
            ("2024-09-26 10:30:00+08:00", "2024-09-26", Precision::Day),
            (" 2024-09 ", "2024-09", Precision::Month),
            ("2024年9月", "2024-09", Precision::Month),
            ("2024", "2024", Precision::Year),
            ("2024年", "2024", Precision::Year),
        ];
        for (input, shown, precision) in cases {
            let d = DocDate::from_metadata(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (d.display().as_str(), d.precision, d.source),
                (shown, precision, DateSource::Metadata)
            );
            assert_eq!(d.evidence, format!("metadata: {}", input.trim()));
        }
        assert_eq!(Precision::Month.as_str(), "month");
        assert_eq!(DateSource::Inferred.as_str(), "inferred");
    }

    #[test]
    fn metadata_errors_name_the_input_and_the_accepted_forms() {
        for (input, reason) in [
            ("2024-13-01", "month 13 is out of range"),
            ("2023-02-29", "2023-02-29 is not a calendar date"),
            ("yesterday", "not a recognised date form"),
            ("2024-09-26T25:00:00Z", "not a valid timestamp"),
            ("2024-09/26", "not a recognised date form"),
            ("0000", "year 0 is out of range"),
        ] {
            let err = DocDate::from_metadata(input).unwrap_err();
            let msg = err.to_string();
            assert_eq!(err.input(), input);
            assert!(msg.contains(&format!("{input:?}")), "{msg}");
            assert!(msg.contains(reason), "{msg}");
            assert!(
                msg.contains("YYYY-MM-DD") && msg.contains("RFC 3339"),
                "{msg}"
            );
        }
    }

    #[test]
    fn bounds_are_inclusive_day_ranges() {
        let b = parse_bound("2024").unwrap();
        assert_eq!(
            (b.first_day(), b.last_day()),
            (
                jiff::civil::date(2024, 1, 1),
                jiff::civil::date(2024, 12, 31)
            )
        );
        assert_eq!(b.precision(), Precision::Year);
        let b = parse_bound("2024-02").unwrap();
        assert_eq!(
            (b.first_day(), b.last_day()),
            (
                jiff::civil::date(2024, 2, 1),
                jiff::civil::date(2024, 2, 29)
            )
        );
        let b = parse_bound("2023-2").unwrap();
        assert_eq!(b.last_day(), jiff::civil::date(2023, 2, 28));
        let b = parse_bound("2024-09-26").unwrap();
        assert_eq!(
            (b.first_day(), b.last_day()),
            (
                jiff::civil::date(2024, 9, 26),
                jiff::civil::date(2024, 9, 26)
            )
        );
        assert!(
            b.contains(jiff::civil::date(2024, 9, 26))
                && !b.contains(jiff::civil::date(2024, 9, 27))
        );
        for bad in ["2024/09", "24-09", "2024-09-31", "2024-00", "last year", ""] {
            let msg = parse_bound(bad).unwrap_err().to_string();
            assert!(
                msg.contains(&format!("{bad:?}")) && msg.contains("YYYY, YYYY-MM or YYYY-MM-DD"),
                "{msg}"
            );
        }
    }

    #[test]
    fn first_and_last_day_follow_precision() {
        let d = DocDate::from_metadata("2024-02").unwrap();
        assert_eq!(
            (d.first_day(), d.last_day()),
            (
                jiff::civil::date(2024, 2, 1),
                jiff::civil::date(2024, 2, 29)
            )
        );
        let d = DocDate::from_metadata("2021").unwrap();
        assert_eq!(
            (d.first_day(), d.last_day()),
            (
                jiff::civil::date(2021, 1, 1),
                jiff::civil::date(2021, 12, 31)
            )
        );
        // Hand-built values out of range are clamped, not a panic.
        let odd = DocDate {
            month: Some(2),
            day: Some(31),
            ..d
        };
        assert_eq!(odd.first_day(), jiff::civil::date(2021, 2, 28));
    }
}
