//! JSON on the wire: HTML-safe (no `<`, `>` or `&` in any response) and
//! never cached.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Writes JSON like `serde_json`'s compact form, but with `<`, `>` and `&`
/// inside strings escaped as `\u003c`, `\u003e` and `\u0026`: the same
/// values, and never a byte sequence a browser could take for markup.
struct HtmlSafe;

impl serde_json::ser::Formatter for HtmlSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            let escaped = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[last..i])?;
            writer.write_all(escaped.as_bytes())?;
            last = i + 1;
        }
        writer.write_all(&fragment.as_bytes()[last..])
    }
}

/// `value` as HTML-safe JSON.
pub fn to_json(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1024);
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, HtmlSafe);
    // Serialising a `Value` or a derived struct into a Vec cannot fail.
    if value.serialize(&mut serializer).is_err() {
        bytes = br#"{"error":{"status":500,"message":"response not serialisable"}}"#.to_vec();
    }
    bytes.push(b'\n');
    bytes
}

/// A JSON response that no cache keeps.
pub fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    let mut response = (status, to_json(value)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn json_never_contains_markup_and_keeps_values() {
        let text = "a<script>alert(1)</script>&<img src=x onerror=alert(1)>“引号”";
        let value = json!({ "snippet": text, "<key>": 1 });
        let bytes = to_json(&value);
        let written = String::from_utf8(bytes).unwrap();
        assert!(
            !written.contains('<') && !written.contains('>'),
            "{written}"
        );
        assert!(!written.contains('&'), "{written}");
        assert!(written.contains("\\u003cscript\\u003e"), "{written}");
        let back: Value = serde_json::from_str(&written).unwrap();
        assert_eq!(back, value);
    }
}
