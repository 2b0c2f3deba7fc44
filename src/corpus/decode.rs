//! Turning a file's bytes into text: BOM, UTF-8, then a guessed legacy
//! encoding (GB18030 for GBK text).
//!
//! A few bad bytes do not lose an article: what cannot be decoded is
//! replaced with U+FFFD and NUL bytes with spaces, and [`Decoded`] counts
//! both so that the caller can warn. How much damage is tolerated depends on
//! how much the encoding itself proves: valid multi-byte UTF-8 almost never
//! occurs by chance, so a text whose multi-byte sequences are mostly valid
//! is UTF-8 with some damage (a GBK file read as UTF-8 has more invalid
//! sequences than valid ones); double-byte legacy encodings decode most byte
//! pairs to something, so a legacy reading may have only very few errors.
//! Text that is mostly control characters is binary, whatever it decodes to.

use super::plural;
use encoding_rs::{BIG5, DecoderResult, EUC_JP, EUC_KR, Encoding, GB18030, GBK, SHIFT_JIS, UTF_8};

/// The legacy encodings a guess may settle on; anything else falls back to GB18030.
const CJK_LEGACY: [&Encoding; 5] = [GB18030, BIG5, SHIFT_JIS, EUC_JP, EUC_KR];

/// A UTF-8 reading with invalid sequences is kept when the valid multi-byte
/// characters outnumber them this many times over (a GBK text read as UTF-8
/// has several invalid sequences for each valid one).
const UTF8_VALID_PER_ERROR: usize = 10;

/// A legacy or byte-order-marked reading is kept with at most one
/// undecodable sequence in this many characters (at least one is always
/// tolerated: a file cut in the middle of its last character). Random bytes
/// above 0x7F fail to decode as GB18030 about once in 100 characters: a
/// text must fail at most half as often as chance to count as text.
const CHARS_PER_LEGACY_ERROR: usize = 200;

/// A file read as text, and what had to be replaced to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with undecodable sequences as U+FFFD and NUL as spaces.
    pub text: String,
    /// The name of the encoding used.
    pub encoding: &'static str,
    /// Bytes that could not be decoded (each sequence became one U+FFFD).
    pub invalid_bytes: usize,
    /// NUL bytes (or NUL characters), each replaced with a space.
    pub nuls: usize,
}

impl Decoded {
    /// What was replaced, in words (`None` when the text is as written).
    pub fn damage(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.invalid_bytes > 0 {
            parts.push(format!(
                "{} {} not valid {} replaced with U+FFFD",
                self.invalid_bytes,
                plural(self.invalid_bytes, "byte", "bytes"),
                self.encoding
            ));
        }
        if self.nuls > 0 {
            parts.push(format!(
                "{} NUL {} replaced with {}",
                self.nuls,
                plural(self.nuls, "byte", "bytes"),
                plural(self.nuls, "a space", "spaces")
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Decodes a whole file. Returns the text, or a reason the file cannot be
/// read as text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if bytes.is_empty() {
        return Err("empty file".to_string());
    }
    let decoded = if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        // The mark settles the encoding: errors are damage, tolerated when
        // either measure finds them few.
        let reading = Reading::of(encoding, &bytes[bom_len..]);
        if !reading.mostly_valid() && !reading.few_errors() && !looks_binary(&reading.text) {
            return Err(format!(
                "not valid {} despite its byte-order mark",
                encoding.name()
            ));
        }
        reading
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        Reading {
            text: text.to_string(),
            encoding: UTF_8,
            errors: 0,
            invalid_bytes: 0,
        }
    } else {
        let utf8 = Reading::of(UTF_8, bytes);
        if utf8.mostly_valid() {
            utf8
        } else {
            let guess = legacy_guess(bytes);
            let reading = Reading::of(guess, bytes);
            if !reading.few_errors() && !looks_binary(&reading.text) {
                return Err(format!(
                    "not valid UTF-8, and not valid {} either",
                    guess.name()
                ));
            }
            reading
        }
    };
    if looks_binary(&decoded.text) {
        return Err(binary(&decoded.text, decoded.encoding));
    }
    let (text, nuls) = replace_nuls(decoded.text);
    if text.trim().is_empty() {
        return Err("empty file (only whitespace)".to_string());
    }
    Ok(Decoded {
        text,
        encoding: decoded.encoding.name(),
        invalid_bytes: decoded.invalid_bytes,
        nuls,
    })
}

/// Reads one JSON Lines record's bytes as UTF-8, replacing a few invalid
/// sequences with U+FFFD. Returns the text and the number of invalid bytes,
/// or `None` when the line is not UTF-8 at all (more invalid sequences than
/// [`decode`] tolerates).
pub fn utf8_line(bytes: &[u8]) -> Option<(std::borrow::Cow<'_, str>, usize)> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Some((text.into(), 0)),
        Err(_) => {
            let reading = Some(Reading::of(UTF_8, bytes)).filter(Reading::mostly_valid)?;
            Some((reading.text.into(), reading.invalid_bytes))
        }
    }
}

/// The legacy encoding chardetng guesses for `bytes`.
fn legacy_guess(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if guess == GBK || !CJK_LEGACY.contains(&guess) {
        // GB18030 is a superset of GBK that also decodes its four-byte forms.
        // A corpus of Chinese text in a non-CJK legacy encoding is far less
        // likely than a guess gone wrong.
        GB18030
    } else {
        guess
    }
}

/// Bytes read in one encoding, with each undecodable sequence as U+FFFD.
struct Reading {
    text: String,
    encoding: &'static Encoding,
    /// Undecodable sequences.
    errors: usize,
    /// Bytes in them.
    invalid_bytes: usize,
}

impl Reading {
    fn of(encoding: &'static Encoding, bytes: &[u8]) -> Reading {
        let mut decoder = encoding.new_decoder_without_bom_handling();
        let capacity = |decoder: &encoding_rs::Decoder, n: usize| {
            decoder
                .max_utf8_buffer_length_without_replacement(n)
                .unwrap_or(n.saturating_mul(3))
        };
        let mut text = String::with_capacity(capacity(&decoder, bytes.len()));
        let (mut errors, mut invalid_bytes) = (0, 0);
        let mut rest = bytes;
        loop {
            let (result, read) =
                decoder.decode_to_string_without_replacement(rest, &mut text, true);
            rest = &rest[read..];
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => text.reserve(capacity(&decoder, rest.len()).max(4)),
                DecoderResult::Malformed(bad, _) => {
                    errors += 1;
                    invalid_bytes += usize::from(bad);
                    text.push(char::REPLACEMENT_CHARACTER);
                }
            }
        }
        Reading {
            text,
            encoding,
            errors,
            invalid_bytes,
        }
    }

    /// Whether the reading's valid multi-byte characters far outnumber its
    /// errors: then a UTF-8 reading is UTF-8 with some damage, not another
    /// encoding.
    fn mostly_valid(&self) -> bool {
        let valid = self
            .text
            .chars()
            .filter(|&c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER)
            .count();
        self.errors.saturating_mul(UTF8_VALID_PER_ERROR) <= valid
    }

    /// Whether the errors are few enough for a reading in an encoding that
    /// does not prove itself.
    fn few_errors(&self) -> bool {
        self.errors <= (self.text.chars().count() / CHARS_PER_LEGACY_ERROR).max(1)
    }
}

fn binary(text: &str, encoding: &'static Encoding) -> String {
    if text.contains('\0') {
        "binary file (NUL bytes and control characters)".to_string()
    } else {
        format!(
            "binary file (control characters when read as {})",
            encoding.name()
        )
    }
}

/// NUL characters become spaces (a NUL is never text; a space keeps the
/// words on either side apart).
fn replace_nuls(text: String) -> (String, usize) {
    let nuls = text.bytes().filter(|&b| b == 0).count();
    if nuls == 0 {
        (text, 0)
    } else {
        (text.replace('\0', " "), nuls)
    }
}

/// Text full of control characters (NUL included) was not text to begin
/// with: one in twenty of its first characters.
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

    /// About 1.6 KB of UTF-8: mixed Chinese, full-width, English and digits.
    fn article() -> String {
        let paragraph = "佛山市高明区荷城街道召开２０２４年党建工作会议，推进GDP增长5.2%，\
                         建设5G基站128座。会议强调，要以高质量党建引领基层治理现代化。\n";
        paragraph.repeat(8)
    }

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

    fn clean(text: &str, encoding: &'static str) -> Decoded {
        Decoded {
            text: text.to_string(),
            encoding,
            invalid_bytes: 0,
            nuls: 0,
        }
    }

    #[test]
    fn decodes_utf8_with_and_without_bom() {
        assert_eq!(decode(TEXT.as_bytes()).unwrap(), clean(TEXT, "UTF-8"));
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend(TEXT.as_bytes());
        assert_eq!(decode(&with_bom).unwrap(), clean(TEXT, "UTF-8"));
    }

    #[test]
    fn decodes_utf16_with_bom() {
        assert_eq!(
            decode(&utf16(TEXT, false)).unwrap(),
            clean(TEXT, UTF_16LE.name())
        );
        assert_eq!(
            decode(&utf16(TEXT, true)).unwrap(),
            clean(TEXT, UTF_16BE.name())
        );
    }

    #[test]
    fn decodes_gbk_as_gb18030() {
        let (bytes, _, _) = GBK.encode(TEXT);
        assert_eq!(decode(&bytes).unwrap(), clean(TEXT, "gb18030"));
    }

    #[test]
    fn decodes_big5() {
        let traditional = "高明：黨建引領 鍛造幹事創業的猛虎之師。今年七月，在高明區明城鎮明陽村委會會議室內舉行學習會議";
        let (bytes, _, _) = BIG5.encode(traditional);
        assert_eq!(decode(&bytes).unwrap(), clean(traditional, "Big5"));
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
        assert!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0")
                .unwrap_err()
                .starts_with("binary")
        );
        let garbage: Vec<u8> = (0..2000u32)
            .map(|i| (i * 7919 % 251) as u8 | 0x80)
            .collect();
        let err = decode(&garbage).unwrap_err();
        assert_eq!(err, "not valid UTF-8, and not valid gb18030 either");
    }

    #[test]
    fn a_few_invalid_bytes_in_utf8_are_replaced_and_counted() {
        let text = article();
        let mut bytes = text.as_bytes().to_vec();
        // Four stray bytes, at character boundaries of the Chinese text.
        let cuts: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .filter(|&i| i > 0)
            .step_by(120)
            .take(4)
            .collect();
        for &at in cuts.iter().rev() {
            bytes.insert(at, 0xFF);
        }
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, "UTF-8");
        assert_eq!(decoded.invalid_bytes, 4);
        let mut expected = text.clone();
        for &at in cuts.iter().rev() {
            expected.insert(at, char::REPLACEMENT_CHARACTER);
        }
        assert_eq!(decoded.text, expected);
        assert_eq!(
            decoded.damage().unwrap(),
            "4 bytes not valid UTF-8 replaced with U+FFFD"
        );
    }

    #[test]
    fn a_truncated_utf8_character_is_one_replacement() {
        let text = article();
        let text = text.trim_end();
        // Cut in the middle of the last character (a three-byte 。).
        let bytes = &text.as_bytes()[..text.len() - 1];
        let decoded = decode(bytes).unwrap();
        assert_eq!(decoded.invalid_bytes, 2);
        assert_eq!(decoded.text.matches('\u{FFFD}').count(), 1);
        assert!(decoded.text.ends_with("现代化\u{FFFD}"), "{}", decoded.text);
    }

    #[test]
    fn gbk_with_a_few_utf8_like_pairs_is_still_gbk() {
        // GBK text whose bytes partly form valid UTF-8 by chance is GBK, not
        // UTF-8 with replacements.
        let text = article();
        let (bytes, _, _) = GBK.encode(&text);
        assert!(std::str::from_utf8(&bytes).is_err());
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, "gb18030");
        assert_eq!(decoded.invalid_bytes, 0);
        assert_eq!(decoded.text, text);
    }

    #[test]
    fn a_gbk_file_cut_in_its_last_character_is_kept() {
        let text = article();
        let (bytes, _, _) = GBK.encode(text.trim_end());
        let decoded = decode(&bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(decoded.encoding, "gb18030");
        assert_eq!(decoded.invalid_bytes, 1);
    }

    #[test]
    fn nul_bytes_between_sentences_become_spaces() {
        let text = article();
        let at = text.find("会议强调").unwrap();
        let mut bytes = text.as_bytes().to_vec();
        bytes.splice(at..at, [0, 0]);
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.nuls, 2);
        assert_eq!(decoded.invalid_bytes, 0);
        assert_eq!(&decoded.text[at..at + 2], "  ");
        assert_eq!(decoded.text.len(), text.len() + 2);
        assert_eq!(
            decoded.damage().unwrap(),
            "2 NUL bytes replaced with spaces"
        );
    }

    #[test]
    fn text_that_is_mostly_nul_is_binary() {
        // UTF-16 without a byte-order mark is not read as text.
        let mut bytes = Vec::new();
        for unit in "Annual report 2024, Foshan".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        assert!(decode(&bytes).unwrap_err().starts_with("binary file"));
    }

    #[test]
    fn utf8_lines_tolerate_a_few_invalid_bytes_only() {
        let line = "{\"body\": \"高明区荷城街道召开党建工作会议\u{3002}\"}";
        let mut bytes = line.as_bytes().to_vec();
        bytes.insert(r#"{"body": ""#.len(), 0xC0);
        let (text, invalid) = utf8_line(&bytes).unwrap();
        assert_eq!(invalid, 1);
        assert!(text.contains('\u{FFFD}'));
        let (gbk, _, _) = GBK.encode(line);
        assert!(utf8_line(&gbk).is_none());
    }
}
