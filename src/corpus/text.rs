//! Plain-text and Markdown articles: front matter and Markdown headings.

use super::decode::Decoded;
use super::{Format, Meta, RawDoc, SourceFile, Stated, Warning};

/// What the start of a text file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    /// The metadata it states (empty without a closed front matter).
    pub meta: Meta,
    /// Where each field was stated.
    pub stated: Vec<Stated>,
    /// Where the article text starts (after the closing `---` and the blank
    /// lines after it; 0 without a closed front matter).
    pub body_start: usize,
    /// A front matter that is never closed: the length in bytes of its
    /// opening `---` and the `key: value` lines after it. The file is then
    /// plain text.
    pub unclosed: Option<usize>,
}

/// Reads `---` front matter (simple `key: value` lines) at the start of a
/// text. Without one, the metadata is empty and the text starts at 0.
///
/// Recognised keys: `title`, `date`, `source`, `url`, `region`, `topics`
/// (comma-separated, or a `[a, b]` list). Unknown keys are ignored. A
/// front matter with no closing `---` is not one: the text is plain text,
/// and [`FrontMatter::unclosed`] says how far its `key: value` lines go.
pub fn front_matter(text: &str) -> FrontMatter {
    let mut found = FrontMatter {
        meta: Meta::default(),
        stated: Vec::new(),
        body_start: 0,
        unclosed: None,
    };
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return found;
    };
    let opening = text.len() - rest.len();
    let mut offset = 0;
    let mut end = None;
    // How far the lines that look like front matter go, in case it is never closed.
    let (mut keyed, mut keyed_end) = (false, None);
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            end = Some(offset + line.len());
            break;
        }
        if keyed_end.is_none() {
            if looks_like_front_matter(line) {
                keyed |= key_value(line).is_some();
            } else {
                keyed_end = Some(offset);
            }
        }
        offset += line.len();
    }
    let Some(end) = end else {
        if keyed {
            found.unclosed = Some(opening + keyed_end.unwrap_or(offset));
        }
        return found;
    };
    for (i, line) in rest[..offset].lines().enumerate() {
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        let value = unquote(value.trim());
        if value.is_empty() {
            continue;
        }
        let key = key.trim().to_ascii_lowercase();
        let meta = &mut found.meta;
        let field = match key.as_str() {
            "title" => set(&mut meta.title, value, "title"),
            "date" => set(&mut meta.date, value, "date"),
            "source" => set(&mut meta.source, value, "source"),
            "url" => set(&mut meta.url, value, "url"),
            "region" => set(&mut meta.region, value, "region"),
            "topics" | "topic" | "tags" => {
                let list = value.trim_start_matches('[').trim_end_matches(']');
                meta.topics = list
                    .split([',', '，', '、'])
                    .map(|t| unquote(t.trim()).to_string())
                    .filter(|t| !t.is_empty())
                    .collect();
                "topics"
            }
            _ => continue,
        };
        found.stated.retain(|s| s.field != field);
        found.stated.push(Stated {
            field,
            key,
            // The opening `---` is line 1.
            line: i + 2,
        });
    }
    let body = &rest[end..];
    found.body_start = text.len() - body.trim_start_matches(['\n', '\r']).len();
    found
}

fn set(slot: &mut Option<String>, value: &str, field: &'static str) -> &'static str {
    *slot = Some(value.to_string());
    field
}

/// `key: value`, with a key as front matter writes them (ASCII letters,
/// digits, `_` and `-`).
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    let valid = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    valid.then_some((key, value))
}

/// A line that may belong to front matter: `key: value`, blank, a comment,
/// a list item or an indented continuation.
fn looks_like_front_matter(line: &str) -> bool {
    line.trim().is_empty() || line.starts_with([' ', '\t', '#', '-']) || key_value(line).is_some()
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The text of the first level-one or level-two Markdown heading, if it
/// comes before any paragraph text.
pub fn markdown_title(text: &str) -> Option<String> {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let heading = line
            .strip_prefix("# ")
            .or_else(|| line.strip_prefix("## "))?;
        let heading = heading.trim().trim_end_matches('#').trim();
        return (!heading.is_empty()).then(|| heading.to_string());
    }
    None
}

/// The article of a decoded text or Markdown file, or why there is none.
pub fn read(file: &SourceFile, decoded: Decoded) -> Result<RawDoc, String> {
    let warning = |line: Option<usize>, message: String| Warning {
        path: file.rel.clone(),
        line,
        message,
    };
    let mut warnings = Vec::new();
    if let Some(damage) = decoded.damage() {
        warnings.push(warning(None, damage));
    }
    let encoding = decoded.encoding;
    let mut text = decoded.text;
    let FrontMatter {
        mut meta,
        stated,
        body_start,
        unclosed,
    } = front_matter(&text);
    if unclosed.is_some() {
        warnings.push(warning(
            Some(1),
            "front matter is never closed (no `---` line after its fields): \
             the file is read as plain text, its fields are not applied"
                .to_string(),
        ));
    }
    text.drain(..body_start);
    // Its fields are not the headline, unless they are all the text there is.
    let text_start = unclosed
        .filter(|&end| !text[end..].trim().is_empty())
        .unwrap_or(0);
    if file.format == Format::Markdown && meta.title.is_none() {
        meta.title = markdown_title(&text[text_start..]);
    }
    if text.trim().is_empty() {
        // The title is all the text there is: it is the content.
        let Some(title) = &meta.title else {
            return Err("no text after the front matter".to_string());
        };
        warnings.push(warning(
            None,
            "no text after the front matter: its title is indexed as the article's text"
                .to_string(),
        ));
        text = title.clone();
    }
    Ok(RawDoc {
        id: file.rel.clone(),
        path: file.rel.clone(),
        line: None,
        encoding,
        body: text,
        text_start,
        meta,
        stated,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (Meta, &str) {
        let found = front_matter(text);
        (found.meta, &text[found.body_start..])
    }

    #[test]
    fn parses_front_matter() {
        let text = "---\ntitle: \"高明区党建\"\ndate: 2024-09-26\nregion: 高明区\ntopics: [党建, 基层治理]\nsource: 佛山在线\nauthor: x\n---\n\n正文第一段。\n";
        let (meta, body) = split(text);
        assert_eq!(meta.title.as_deref(), Some("高明区党建"));
        assert_eq!(meta.date.as_deref(), Some("2024-09-26"));
        assert_eq!(meta.region.as_deref(), Some("高明区"));
        assert_eq!(meta.source.as_deref(), Some("佛山在线"));
        assert_eq!(meta.topics, ["党建", "基层治理"]);
        assert_eq!(body, "正文第一段。\n");
    }

    #[test]
    fn front_matter_fields_know_their_lines() {
        let found = front_matter("---\ntitle: 标题\n\ndate: 昨天\nRegion: 火星\n---\n正文");
        let lines: Vec<(&str, &str, usize)> = found
            .stated
            .iter()
            .map(|s| (s.field, s.key.as_str(), s.line))
            .collect();
        assert_eq!(
            lines,
            [
                ("title", "title", 2),
                ("date", "date", 4),
                ("region", "region", 5)
            ]
        );
    }

    #[test]
    fn text_without_front_matter_is_left_alone() {
        let (meta, body) = split("佛山在线\n\n高明");
        assert_eq!(meta, Meta::default());
        assert_eq!(body, "佛山在线\n\n高明");
        // A rule line followed by text is not front matter.
        let found = front_matter("---\n高明区召开会议。\n");
        assert_eq!((found.body_start, found.unclosed), (0, None));
    }

    #[test]
    fn unclosed_front_matter_is_plain_text_and_says_how_far_its_fields_go() {
        let text = "---\ntitle: 未闭合\ndate: 2024-09-26\n高明区召开会议。\n正文：第二段。\n";
        let found = front_matter(text);
        assert_eq!(found.meta, Meta::default());
        assert_eq!(found.body_start, 0);
        let end = found.unclosed.unwrap();
        assert_eq!(&text[end..], "高明区召开会议。\n正文：第二段。\n");
        // Fields up to the end of the file.
        let text = "---\ntitle: 未闭合\n";
        assert_eq!(front_matter(text).unclosed, Some(text.len()));
    }

    #[test]
    fn the_text_after_an_unclosed_front_matter_is_where_titles_are_looked_for() {
        let file = SourceFile {
            path: "a.txt".into(),
            rel: "a.txt".into(),
            format: Format::Text,
            gzip: false,
            size: 0,
        };
        let read_text = |text: &str| {
            let decoded = Decoded {
                text: text.to_string(),
                encoding: "UTF-8",
                invalid_bytes: 0,
                nuls: 0,
            };
            read(&file, decoded).unwrap()
        };
        let doc = read_text("---\ntitle: 未闭合\n高明区召开会议\n正文。\n");
        assert_eq!(&doc.body[doc.text_start..], "高明区召开会议\n正文。\n");
        assert_eq!(doc.warnings.len(), 1);
        // Fields alone: they are all the text there is.
        let doc = read_text("---\ntitle: 未闭合\n");
        assert_eq!(doc.text_start, 0);
        assert_eq!(doc.body, "---\ntitle: 未闭合\n");
    }

    #[test]
    fn finds_markdown_headings() {
        assert_eq!(
            markdown_title("\n# 高明区 党建 #\n\n正文").as_deref(),
            Some("高明区 党建")
        );
        assert_eq!(markdown_title("正文\n# 标题"), None);
    }
}
