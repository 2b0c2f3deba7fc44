//! JSON Lines: one article per line, streamed.

use std::io::BufRead;

use serde_json::Value;

use super::{Meta, RawDoc, Skipped, SourceFile};

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
    let value: Value =
        serde_json::from_slice(line).map_err(|e| skipped(format!("invalid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(skipped("not a JSON object".to_string()));
    };
    let string = |key: &str| -> Option<String> {
        match map.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let body = BODY_FIELDS.iter().find_map(|k| string(k)).ok_or_else(|| {
        skipped(format!(
            "no text: none of the fields {} holds a string",
            BODY_FIELDS.join(", ")
        ))
    })?;
    let topics = match map.get("topics").or_else(|| map.get("tags")) {
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
    };
    Ok(RawDoc {
        id: string("id").unwrap_or_else(|| format!("{}#{line_no}", file.rel)),
        path: file.rel.clone(),
        line: Some(line_no),
        encoding: "UTF-8",
        body,
        meta: Meta {
            title: string("title"),
            date: string("date")
                .or_else(|| string("published"))
                .or_else(|| string("time")),
            source: string("source"),
            url: string("url"),
            region: string("region"),
            topics,
        },
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
                     [1, 2]\n";
        let (docs, result) = read_all(input);
        result.unwrap();
        assert_eq!(docs.len(), 5);
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
        assert!(docs[3].as_ref().unwrap_err().reason.starts_with("no text"));
        assert_eq!(docs[4].as_ref().unwrap_err().reason, "not a JSON object");
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let (docs, result) = read_all("\n\n");
        assert!(docs.is_empty());
        assert!(result.unwrap_err().reason.starts_with("empty file"));
    }
}
