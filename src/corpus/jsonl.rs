//! JSON Lines: one article per line, streamed.

use std::io::BufRead;

use serde_json::Value;

use super::{Meta, RawDoc, Skipped, SourceFile, Stated, Warning, decode, plural};

/// Field names that can hold the article text, in order of preference.
const BODY_FIELDS: [&str; 4] = ["body", "content", "text", "article"];

/// Reads the records of a JSONL stream, handing each to `emit`.
pub fn read(
    file: &SourceFile,
    mut reader: impl BufRead,
    mut emit: impl FnMut(Result<RawDoc, Skipped>) -> bool,
) -> Result<(), Skipped> {
    let mut buf = Vec::new();
    let mut line_no = 0;
    let mut records = 0;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Skipped {
            path: file.rel.clone(),
            line: Some(line_no + 1),
            reason: format!("read error: {e}"),
        })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let mut line = buf.as_slice();
        if line_no == 1 {
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        records += 1;
        if !emit(parse_record(file, line_no, line)) {
            break;
        }
    }
    if records == 0 {
        return Err(Skipped {
            path: file.rel.clone(),
            line: None,
            reason: "empty file (no JSON records)".to_string(),
        });
    }
    Ok(())
}

fn parse_record(file: &SourceFile, line_no: usize, line: &[u8]) -> Result<RawDoc, Skipped> {
    let skipped = |reason: String| Skipped {
        path: file.rel.clone(),
        line: Some(line_no),
        reason,
    };
    let mut warnings = Vec::new();
    let mut warn = |message: String| {
        warnings.push(Warning {
            path: file.rel.clone(),
            line: Some(line_no),
            message,
        })
    };
    let line = json_text(line, &mut warn).map_err(skipped)?;
    let value: Value =
        serde_json::from_str(&line).map_err(|e| skipped(format!("invalid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(skipped("not a JSON object".to_string()));
    };
    let record = Record(&map);
    let title = record.string("title");
    let body = record.body(title.as_deref(), &mut warn).map_err(skipped)?;
    let (date_key, date) = ["date", "published", "time"]
        .into_iter()
        .find_map(|k| record.string(k).map(|d| (k, d)))
        .unzip();
    let stated = date_key
        .map(|key| Stated {
            field: "date",
            key: key.to_string(),
            line: line_no,
        })
        .into_iter()
        .collect();
    Ok(RawDoc {
        id: record
            .string("id")
            .unwrap_or_else(|| format!("{}#{line_no}", file.rel)),
        path: file.rel.clone(),
        line: Some(line_no),
        encoding: "UTF-8",
        body,
        text_start: 0,
        meta: Meta {
            title,
            date,
            source: record.string("source"),
            url: record.string("url"),
            region: record.string("region"),
            topics: record.topics(),
        },
        stated,
        warnings,
    })
}

/// A record's line as JSON text: bytes that are not UTF-8, raw NULs and
/// lone surrogate escapes replaced (each with a warning), so that a few bad
/// bytes do not lose the article. `Err` when the line is not text at all.
fn json_text<'a>(
    line: &'a [u8],
    warn: &mut impl FnMut(String),
) -> Result<std::borrow::Cow<'a, str>, String> {
    let (line, invalid) = decode::utf8_line(line)
        .ok_or_else(|| "not UTF-8 text (JSON Lines must be UTF-8)".to_string())?;
    if invalid > 0 {
        warn(format!(
            "{invalid} {} not valid UTF-8 replaced with U+FFFD",
            plural(invalid, "byte", "bytes")
        ));
    }
    // A raw NUL is not allowed in JSON; it is no text either.
    let nuls = line.bytes().filter(|&b| b == 0).count();
    let line = if nuls > 0 {
        warn(format!(
            "{nuls} NUL {} replaced with {}",
            plural(nuls, "byte", "bytes"),
            plural(nuls, "a space", "spaces")
        ));
        line.replace('\0', " ").into()
    } else {
        line
    };
    Ok(match lone_surrogates(&line) {
        Some((fixed, n)) => {
            warn(format!(
                "{n} lone surrogate {} (half of a character such as an emoji, \\ud83d) \
                 replaced with U+FFFD",
                plural(n, "escape", "escapes")
            ));
            fixed.into()
        }
        None => line,
    })
}

/// The fields of one JSON record.
struct Record<'a>(&'a serde_json::Map<String, Value>);

impl Record<'_> {
    /// A field's value as trimmed text: a non-blank string, or a number.
    fn string(&self, key: &str) -> Option<String> {
        match self.0.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The article's text: the first of [`BODY_FIELDS`] that holds some.
    /// Without one, a headline alone is content (with a warning); `Err`
    /// names what is missing when there is no title either.
    fn body(&self, title: Option<&str>, warn: &mut impl FnMut(String)) -> Result<String, String> {
        if let Some(body) = BODY_FIELDS.iter().find_map(|k| self.string(k)) {
            return Ok(body);
        }
        let blank = BODY_FIELDS
            .iter()
            .find(|k| matches!(self.0.get(**k), Some(Value::String(_))));
        let missing = match blank {
            Some(key) => format!("the {key} is blank"),
            None => format!(
                "none of the fields {} holds a string",
                BODY_FIELDS.join(", ")
            ),
        };
        let Some(title) = title else {
            return Err(format!("no text: {missing}"));
        };
        warn(format!(
            "no text ({missing}): the title is indexed as the article's text"
        ));
        Ok(title.to_string())
    }

    /// `topics` (or `tags`): a list, or one string separated by commas or `、`.
    fn topics(&self) -> Vec<String> {
        match self.0.get("topics").or_else(|| self.0.get("tags")) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => s
                .split([',', '，', '、'])
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A `\ud83d` escape without its other half (scrapers cut emoji in two):
/// JSON parsers refuse a lone surrogate. Returns the line with each lone
/// surrogate escape made `\ufffd`, and how many there were; `None` when
/// there are none. Other escapes, valid or not, are left to the parser.
fn lone_surrogates(line: &str) -> Option<(String, usize)> {
    let bytes = line.as_bytes();
    let unit_at = |i: usize| -> Option<u16> {
        let digits = bytes.get(i..i + 6)?.strip_prefix(b"\\u")?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let high = |u: u16| (0xD800..0xDC00).contains(&u);
    let low = |u: u16| (0xDC00..0xE000).contains(&u);
    let (mut fixed, mut copied, mut count) = (String::new(), 0, 0);
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|&b| b == b'\\') {
        i += at;
        let Some(unit) = unit_at(i) else {
            i += 2; // another escape (\\, \n, …): its second byte is never the start of one
            continue;
        };
        if high(unit) && unit_at(i + 6).is_some_and(low) {
            i += 12;
            continue;
        }
        if high(unit) || low(unit) {
            fixed.push_str(&line[copied..i]);
            fixed.push_str("\\ufffd");
            copied = i + 6;
            count += 1;
        }
        i += 6;
    }
    (count > 0).then(|| {
        fixed.push_str(&line[copied..]);
        (fixed, count)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Format;

    fn file() -> SourceFile {
        SourceFile {
            path: "news.jsonl".into(),
            rel: "news.jsonl".to_string(),
            format: Format::JsonLines,
            gzip: false,
            size: 0,
        }
    }

    fn read_all(input: &str) -> (Vec<Result<RawDoc, Skipped>>, Result<(), Skipped>) {
        let mut out = Vec::new();
        let result = read(&file(), input.as_bytes(), |d| {
            out.push(d);
            true
        });
        (out, result)
    }

    #[test]
    fn reads_records_and_reports_bad_lines() {
        let input = "\u{feff}{\"id\": \"a1\", \"title\": \"标题\", \"body\": \"正文\", \"date\": \"2024-09-26\", \"source\": \"CCTV\", \"url\": \"http://x\"}\n\
                     {\"content\": \"内容\", \"topics\": [\"党建\"]}\n\
                     not json\n\
                     \n\
                     {\"title\": \"no body\"}\n\
                     [1, 2]\n\
                     {\"id\": \"b\", \"body\": \" \\n\"}\n";
        let (docs, result) = read_all(input);
        result.unwrap();
        assert_eq!(docs.len(), 6);
        let first = docs[0].as_ref().unwrap();
        assert_eq!(first.id, "a1");
        assert_eq!(first.meta.title.as_deref(), Some("标题"));
        assert_eq!(first.meta.date.as_deref(), Some("2024-09-26"));
        let second = docs[1].as_ref().unwrap();
        assert_eq!(second.id, "news.jsonl#2");
        assert_eq!(second.body, "内容");
        assert_eq!(second.meta.topics, ["党建"]);
        let bad = docs[2].as_ref().unwrap_err();
        assert_eq!(bad.line, Some(3));
        assert!(bad.reason.starts_with("invalid JSON"), "{bad}");
        // A title alone is the text, with a warning.
        let title_only = docs[3].as_ref().unwrap();
        assert_eq!(title_only.body, "no body");
        assert_eq!(title_only.warnings[0].line, Some(5));
        assert!(
            title_only.warnings[0]
                .message
                .starts_with("no text (none of the fields"),
            "{:?}",
            title_only.warnings
        );
        assert_eq!(docs[4].as_ref().unwrap_err().reason, "not a JSON object");
        assert_eq!(
            docs[5].as_ref().unwrap_err().reason,
            "no text: the body is blank"
        );
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let (docs, result) = read_all("\n\n");
        assert!(docs.is_empty());
        assert!(result.unwrap_err().reason.starts_with("empty file"));
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        // Half an emoji, at the end and in the middle; a whole one is left alone.
        let (fixed, n) =
            lone_surrogates(r#"{"t": "点赞\ud83d", "b": "a\ud83d\ude00b\ude00c"}"#).unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            fixed,
            r#"{"t": "点赞\ufffd", "b": "a\ud83d\ude00b\ufffdc"}"#
        );
        let value: Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(value["b"], "a😀b\u{FFFD}c");
        // An escaped backslash before `ud83d` is text, not an escape.
        assert_eq!(lone_surrogates(r#"{"t": "C:\\ud83d"}"#), None);
        assert_eq!(lone_surrogates(r#"{"t": "高明\u4e2d"}"#), None);
    }
}
