//! Publication dates found in an article's own text: this module owns turning a title and
//! a body into a [`DocDate`](crate::date::DocDate) that says how precise it is and where
//! it came from. The date values themselves, and the parsing of metadata dates and
//! `--since`/`--until` arguments, are [`crate::date`]'s.
//!
//! The guiding rule is that a wrong date is worse than none. [`extract_date`] only takes a
//! day-precise date from places where articles state *when they were written*: a dated
//! signature at the end (the issuing body's name with the date below it) and a date line,
//! byline or timestamp in the header. Dates inside running text are events, deadlines
//! (`公开期限:2024年9月26日至10月25日`) are periods, and neither is ever taken for the
//! publication date; nor are the entries of a chronology (大事记). Relative years (今年,
//! 去年, 明年, 本年) and days (`今天(11月16日)`) are only resolved against a year the
//! article itself states (今年是建党100周年), never against today's date.
//! When no date is stated, a year may be inferred from honest evidence (an anniversary
//! that the article says falls this year, `挂牌5年以来` with a known opening year, the plan
//! year in the title of the programme the article announces); the inference is recorded
//! in [`DocDate::evidence`](crate::date::DocDate::evidence) and any disagreement between
//! pieces of evidence yields no date.
//!
//! One file per rule: `header` (date lines, bylines, datelines, the headline's date),
//! `signature` (the issuer and date that close a document), `today` (`今天(M月D日)` and
//! datelines without a year), `chronology` (a list's entries are events) and `inferred`
//! (clues to the year, with the facts they rest on in `events`). `line` finds the dates
//! written in a line for all of them; `publication` tries the rules in order.
//!
//! ```
//! use zhsearch::date::{parse_bound, DateSource, Precision};
//! use zhsearch::extract::date::extract_date;
//!
//! let body = "欢迎广大干部群众对巡视整改落实情况进行监督。\n中共佛山市高明区委\n2024年9月26日";
//! let date = extract_date("高明区委关于巡视整改进展情况的通报", body).unwrap();
//! assert_eq!(date.display(), "2024-09-26");
//! assert_eq!((date.precision, date.source), (Precision::Day, DateSource::Text));
//!
//! let since = parse_bound("2024-09").unwrap();
//! assert!(since.first_day() <= date.first_day() && date.first_day() <= since.last_day());
//! ```

mod chronology;
mod events;
mod header;
mod inferred;
mod line;
mod publication;
mod signature;
#[cfg(test)]
mod tests;
mod today;

pub use publication::extract_date;
