//! Turning a file's bytes into text: BOM, UTF-8, then a guessed legacy
//! encoding (GB18030 for GBK text), never silently replacing bytes.

use encoding_rs::{BIG5, EUC_JP, EUC_KR, Encoding, GB18030, GBK, SHIFT_JIS, UTF_8};

/// The legacy encodings a guess may settle on; anything else falls back to GB18030.
const CJK_LEGACY: [&Encoding; 5] = [GB18030, BIG5, SHIFT_JIS, EUC_JP, EUC_KR];

/// How many leading bytes are checked for NUL bytes, the mark of a binary file.
const BINARY_PROBE: usize = 8192;

/// Decodes a whole file. Returns the text and the name of the encoding used,
/// or a reason the file cannot be read as text.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), String> {
    if bytes.is_empty() {
        return Err("empty file".to_string());
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        return match encoding.decode_without_bom_handling_and_without_replacement(body) {
            Some(text) => non_empty(text.into_owned(), encoding.name()),
            None => Err(format!(
                "not valid {} despite its byte-order mark",
                encoding.name()
            )),
        };
    }
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        return Err("binary file (contains NUL bytes)".to_string());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return non_empty(text.to_string(), UTF_8.name());
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let mut guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if guess == GBK || !CJK_LEGACY.contains(&guess) {
        // GB18030 is a superset of GBK that also decodes its four-byte forms.
        // A corpus of Chinese text in a non-CJK legacy encoding is far less
        // likely than a guess gone wrong: try GB18030, and fail if it is not.
        guess = GB18030;
    }
    match guess.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) if !looks_binary(&text) => non_empty(text.into_owned(), guess.name()),
        Some(_) => Err(format!(
            "binary file (control characters when read as {})",
            guess.name()
        )),
        None => Err(format!(
            "not valid UTF-8, and not valid {} either",
            guess.name()
        )),
    }
}

fn non_empty(text: String, encoding: &'static str) -> Result<(String, &'static str), String> {
    if text.trim().is_empty() {
        Err("empty file (only whitespace)".to_string())
    } else {
        Ok((text, encoding))
    }
}

/// Text decoded from a legacy encoding that is full of control characters
/// was not text to begin with.
fn looks_binary(text: &str) -> bool {
    let sample = text.chars().take(4096);
    let (mut control, mut total) = (0usize, 0usize);
    for c in sample {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}') {
            control += 1;
        }
    }
    control * 20 > total
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{BIG5, UTF_16BE, UTF_16LE};

    const TEXT: &str =
        "高明:党建引领 锻造干事创业的猛虎之师\n今年7月23日,在高明区明城镇明阳村委会会议室内";

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let b = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend(b);
        }
        bytes
    }

    #[test]
    fn decodes_utf8_with_and_without_bom() {
        assert_eq!(
            decode(TEXT.as_bytes()).unwrap(),
            (TEXT.to_string(), "UTF-8")
        );
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend(TEXT.as_bytes());
        assert_eq!(decode(&with_bom).unwrap(), (TEXT.to_string(), "UTF-8"));
    }

    #[test]
    fn decodes_utf16_with_bom() {
        assert_eq!(
            decode(&utf16(TEXT, false)).unwrap(),
            (TEXT.to_string(), UTF_16LE.name())
        );
        assert_eq!(
            decode(&utf16(TEXT, true)).unwrap(),
            (TEXT.to_string(), UTF_16BE.name())
        );
    }

    #[test]
    fn decodes_gbk_as_gb18030() {
        let (bytes, _, _) = GBK.encode(TEXT);
        assert_eq!(decode(&bytes).unwrap(), (TEXT.to_string(), "gb18030"));
    }

    #[test]
    fn decodes_big5() {
        let traditional = "高明：黨建引領 鍛造幹事創業的猛虎之師。今年七月，在高明區明城鎮明陽村委會會議室內舉行學習會議";
        let (bytes, _, _) = BIG5.encode(traditional);
        assert_eq!(decode(&bytes).unwrap(), (traditional.to_string(), "Big5"));
    }

    #[test]
    fn rejects_empty_binary_and_undecodable_input() {
        assert_eq!(decode(b"").unwrap_err(), "empty file");
        assert!(decode(b" \n\t ").unwrap_err().starts_with("empty file"));
        assert!(
            decode(b"\x7fELF\x02\x01\x01\0\0\0")
                .unwrap_err()
                .starts_with("binary")
        );
        let garbage: Vec<u8> = (0..2000u32)
            .map(|i| (i * 7919 % 251) as u8 | 0x80)
            .collect();
        let err = decode(&garbage).unwrap_err();
        assert_eq!(err, "not valid UTF-8, and not valid gb18030 either");
    }
}
