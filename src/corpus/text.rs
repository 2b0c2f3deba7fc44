//! Plain-text and Markdown articles: front matter and Markdown headings.

use super::Meta;

/// Splits `---` front matter (simple `key: value` lines) from the text.
/// Without front matter, the metadata is empty and the text is returned whole.
///
/// Recognised keys: `title`, `date`, `source`, `url`, `region`, `topics`
/// (comma-separated, or a `[a, b]` list). Unknown keys are ignored.
pub fn split_front_matter(text: &str) -> (Meta, &str) {
    let mut meta = Meta::default();
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (meta, text);
    };
    let mut offset = 0;
    let mut end = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            end = Some(offset + line.len());
            break;
        }
        offset += line.len();
    }
    let Some(end) = end else {
        return (meta, text);
    };
    for line in rest[..offset].lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = unquote(value.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim().to_ascii_lowercase().as_str() {
            "title" => meta.title = Some(value.to_string()),
            "date" => meta.date = Some(value.to_string()),
            "source" => meta.source = Some(value.to_string()),
            "url" => meta.url = Some(value.to_string()),
            "region" => meta.region = Some(value.to_string()),
            "topics" | "topic" | "tags" => {
                let list = value.trim_start_matches('[').trim_end_matches(']');
                meta.topics = list
                    .split([',', '，', '、'])
                    .map(|t| unquote(t.trim()).to_string())
                    .filter(|t| !t.is_empty())
                    .collect();
            }
            _ => {}
        }
    }
    (meta, rest[end..].trim_start_matches(['\n', '\r']))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_front_matter() {
        let text = "---\ntitle: \"高明区党建\"\ndate: 2024-09-26\nregion: 高明区\ntopics: [党建, 基层治理]\nsource: 佛山在线\nauthor: x\n---\n\n正文第一段。\n";
        let (meta, body) = split_front_matter(text);
        assert_eq!(meta.title.as_deref(), Some("高明区党建"));
        assert_eq!(meta.date.as_deref(), Some("2024-09-26"));
        assert_eq!(meta.region.as_deref(), Some("高明区"));
        assert_eq!(meta.source.as_deref(), Some("佛山在线"));
        assert_eq!(meta.topics, ["党建", "基层治理"]);
        assert_eq!(body, "正文第一段。\n");
    }

    #[test]
    fn text_without_closed_front_matter_is_left_alone() {
        let text = "---\ntitle: x\n正文";
        let (meta, body) = split_front_matter(text);
        assert_eq!(meta, Meta::default());
        assert_eq!(body, text);
        let (meta, body) = split_front_matter("佛山在线\n\n高明");
        assert_eq!(meta, Meta::default());
        assert_eq!(body, "佛山在线\n\n高明");
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
