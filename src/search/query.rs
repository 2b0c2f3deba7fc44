//! The query language, parsed into a [`Node`] tree.
//!
//! ```text
//! 党建 引领            both words, anywhere (AND)
//! 党建引领高质量发展   the same: unspaced text is split into words
//! "基层党建"           the exact text (punctuation and spaces ignored)
//! 疫情 OR 防控         either
//! -疫情  NOT 疫情      without
//! +会晤  会见 AND 南非  required even when relaxed matching drops words
//! (党建 OR 组织) 高明  grouping
//! *                    every article (with filters: all that pass them)
//! title:党建  source:南方  region:佛山  topic:党建  date:2023..2024-06
//! ```
//!
//! Only ASCII `"` `(` `)` `-` `+` `:` and the words `OR`, `AND`, `NOT` are
//! syntax; the quotation marks of Chinese text, `“…”`, `「…」`, `『…』` and
//! the full-width `＂…＂`, also delimit phrases. Everything else is text. A
//! `-` inside a word (`0757-88661108`) is text too.
//!
//! The mark that opens a phrase decides how it closes: `"` closes `"`, `“`
//! closes `”` (see [`closing_mark`]). Inside a phrase, every other quote
//! mark or bracket is text, punctuation like any other, so a passage copied
//! with its quotes finds itself: `"说：“共产党好！"`. A Chinese mark that
//! closes nothing (a fragment copied from an article, `实施“专精特新`) is
//! text too; only an ASCII `"` must be closed. Dashes alone (`--`, a rule
//! `---` in a pasted passage) are punctuation.

use std::fmt;

/// Queries longer than this many characters are refused.
pub const MAX_QUERY_CHARS: usize = 1000;

/// A field that can be named in a query (`title:党建`), parsed once from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryField {
    /// `title:`: the text in the title only.
    Title,
    /// `source:`: the publisher or site contains the value.
    Source,
    /// `region:`: the primary region is the place, or lies within it.
    Region,
    /// `topic:`: classified under the topic.
    Topic,
    /// `date:`: the date overlaps the range.
    Date,
}

impl QueryField {
    /// Every field, in the order error messages list them.
    pub const ALL: [QueryField; 5] = [
        QueryField::Title,
        QueryField::Source,
        QueryField::Region,
        QueryField::Topic,
        QueryField::Date,
    ];

    /// The name written in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryField::Title => "title",
            QueryField::Source => "source",
            QueryField::Region => "region",
            QueryField::Topic => "topic",
            QueryField::Date => "date",
        }
    }

    /// The field named `name`, in any case (`Title:` is `title:`).
    pub fn from_name(name: &str) -> Option<QueryField> {
        QueryField::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for QueryField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Every article (`*`).
    All,
    /// All of these.
    And(Vec<Node>),
    /// Any of these.
    Or(Vec<Node>),
    /// Not this.
    Not(Box<Node>),
    /// This, always (`+word`, and each side of `AND`): relaxed matching
    /// never drops it.
    Required(Box<Node>),
    /// Unquoted text: its words, anywhere.
    Text(String),
    /// Quoted text: exactly this, in order.
    Phrase(String),
    /// `field:value`.
    Field {
        /// Which field.
        name: QueryField,
        /// The value, unquoted.
        value: String,
        /// Whether the value was quoted.
        quoted: bool,
    },
}

/// A query that could not be parsed, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// The query.
    pub query: String,
    /// Character offset of the problem in the query.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "bad query: {}", self.message)?;
        writeln!(f, "  {}", self.query)?;
        // Point at the character; CJK characters take two columns.
        let width: usize = self
            .query
            .chars()
            .take(self.position)
            .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
            .sum();
        write!(f, "  {}^", " ".repeat(width))
    }
}

impl std::error::Error for QueryError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Field(QueryField, String, bool),
    All,
    Open,
    Close,
    Or,
    And,
    Not,
    Plus,
}

/// Parses a query.
pub fn parse(query: &str) -> Result<Node, QueryError> {
    let err = |position: usize, message: String| QueryError {
        query: query.to_string(),
        position,
        message,
    };
    let n = query.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(err(
            MAX_QUERY_CHARS,
            format!("the query is {n} characters long; at most {MAX_QUERY_CHARS} are allowed"),
        ));
    }
    let tokens = lex(query).map_err(|(p, m)| err(p, m))?;
    if tokens.is_empty() {
        return Err(err(0, "the query is empty".to_string()));
    }
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        end: n,
    };
    let node = parser.or_expr().map_err(|(p, m)| err(p, m))?;
    if let Some((tok, at)) = parser.peek() {
        let message = match tok {
            Tok::Close => "this `)` has no matching `(`".to_string(),
            other => format!("unexpected {other:?}"),
        };
        return Err(err(*at, message));
    }
    Ok(node)
}

type Located = (Tok, usize);

fn lex(query: &str) -> Result<Vec<Located>, (usize, String)> {
    let chars: Vec<char> = query.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (tok, next) = match c {
            '(' => (Tok::Open, i + 1),
            ')' => (Tok::Close, i + 1),
            c if closing_mark(c).is_some() && (c == '"' || quoted(&chars, i).is_ok()) => {
                let (text, next) = quoted(&chars, i)?;
                (Tok::Quoted(text), next)
            }
            // Dashes alone (`---`, `--`: a rule or a dash in pasted text)
            // are punctuation, not NOT.
            '-' if i + 1 < chars.len()
                && !chars[i + 1].is_whitespace()
                && !chars[i..]
                    .iter()
                    .take_while(|c| !c.is_whitespace())
                    .all(|&c| c == '-') =>
            {
                (Tok::Not, i + 1)
            }
            '+' if i + 1 < chars.len() && !chars[i + 1].is_whitespace() => (Tok::Plus, i + 1),
            _ => word(&chars, i)?,
        };
        tokens.push((tok, i));
        i = next;
    }
    Ok(tokens)
}

/// The word starting at `start` (an operator, `*`, `field:value` or text) and the index
/// after it.
fn word(chars: &[char], start: usize) -> Result<(Tok, usize), (usize, String)> {
    // A Chinese quote mark that closes nothing (a fragment copied from an article,
    // 实施“专精特新) is punctuation in the word.
    let ends_word = |j: usize| {
        let c = chars[j];
        c.is_whitespace()
            || matches!(c, '(' | ')' | '"')
            || (closing_mark(c).is_some() && quoted(chars, j).is_ok())
    };
    let mut end = start + 1;
    while end < chars.len() && !ends_word(end) {
        end += 1;
    }
    let word: String = chars[start..end].iter().collect();
    let tok = match word.as_str() {
        "OR" => Tok::Or,
        "AND" => Tok::And,
        "NOT" => Tok::Not,
        "*" => Tok::All,
        _ => match field_prefix(&word) {
            Some(Ok((name, value))) if value.is_empty() => return quoted_value(chars, end, name),
            Some(Ok((name, value))) => Tok::Field(name, value, false),
            Some(Err(name)) => {
                let known: Vec<&str> = QueryField::ALL.iter().map(|f| f.as_str()).collect();
                return Err((
                    start,
                    format!("unknown field `{name}`; known fields: {}", known.join(", ")),
                ));
            }
            None => Tok::Word(word),
        },
    };
    Ok((tok, end))
}

/// `title:"…"`: the value of a field written without one is the quoted text that follows
/// its colon, at `i`; returns the field and the index after the closing mark.
fn quoted_value(
    chars: &[char],
    i: usize,
    name: QueryField,
) -> Result<(Tok, usize), (usize, String)> {
    if i < chars.len() && closing_mark(chars[i]).is_some() {
        let (text, next) = quoted(chars, i)?;
        Ok((Tok::Field(name, text, true), next))
    } else if i < chars.len() && chars[i] == '(' {
        Err((
            i,
            format!(
                "`{name}:` takes one value or a quoted phrase, not a group: \
                 write `{name}:a OR {name}:b`"
            ),
        ))
    } else {
        Err((i, format!("`{name}:` needs a value")))
    }
}

/// The mark that closes a phrase opened by `open`, if `open` opens one.
///
/// Each opening mark has one closing mark, so that the other quote marks
/// and brackets of a passage copied from Chinese text stay text inside the
/// phrase. `‘…’` and `'` do not open phrases: they are inner quotes in
/// Chinese and apostrophes in English (`China’s`).
pub fn closing_mark(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '“' => Some('”'),
        '「' => Some('」'),
        '『' => Some('』'),
        '＂' => Some('＂'),
        _ => None,
    }
}

/// Reads a quoted phrase starting at the opening mark at `start`; returns
/// the text and the index after its closing mark (the first one: phrases do
/// not nest).
fn quoted(chars: &[char], start: usize) -> Result<(String, usize), (usize, String)> {
    let close = closing_mark(chars[start]).expect("an opening mark");
    let mut j = start + 1;
    while j < chars.len() && chars[j] != close {
        j += 1;
    }
    if j >= chars.len() {
        return Err((start, "this quote is never closed".to_string()));
    }
    Ok((chars[start + 1..j].iter().collect(), j + 1))
}

/// `name:value` with an ASCII field name. `Some(Err(name))` for an ASCII
/// name that is not a field; `None` when the word is just text (a colon in
/// Chinese text, such as `高明:党建`).
fn field_prefix(word: &str) -> Option<Result<(QueryField, String), String>> {
    let (name, value) = word.split_once(':')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if let Some(field) = QueryField::from_name(name) {
        Some(Ok((field, value.to_string())))
    } else if value.is_empty() || !value.starts_with("//") {
        // `http://…` is text; `foo:bar` is a mistake worth pointing out.
        Some(Err(name.to_string()))
    } else {
        None
    }
}

struct Parser<'t> {
    tokens: &'t [Located],
    pos: usize,
    end: usize,
}

type PResult = Result<Node, (usize, String)>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Located> {
        self.tokens.get(self.pos)
    }

    fn at(&self) -> usize {
        self.peek().map_or(self.end, |t| t.1)
    }

    fn or_expr(&mut self) -> PResult {
        let mut alternatives = vec![self.and_expr("OR")?];
        while let Some((Tok::Or, _)) = self.peek() {
            self.pos += 1;
            alternatives.push(self.and_expr("OR")?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().expect("one alternative")
        } else {
            Node::Or(alternatives)
        })
    }

    fn and_expr(&mut self, after: &str) -> PResult {
        let mut parts: Vec<Node> = Vec::new();
        // Both sides of an `AND` are required: relaxed matching keeps them.
        let mut after_and = false;
        loop {
            match self.peek() {
                None | Some((Tok::Or | Tok::Close, _)) => break,
                Some((Tok::And, at)) => {
                    let at = *at;
                    self.pos += 1;
                    let Some(last) = parts.pop() else {
                        return Err((at, "`AND` needs a term on both sides".to_string()));
                    };
                    if matches!(
                        self.peek(),
                        None | Some((Tok::Or | Tok::Close | Tok::And, _))
                    ) {
                        return Err((at, "`AND` needs a term on both sides".to_string()));
                    }
                    parts.push(required(last));
                    after_and = true;
                }
                Some(_) => {
                    let part = self.unary()?;
                    parts.push(if after_and { required(part) } else { part });
                    after_and = false;
                }
            }
        }
        match parts.len() {
            0 => {
                let previous = self.pos.checked_sub(1).map(|p| &self.tokens[p]);
                Err(match (previous, self.peek()) {
                    (Some((Tok::Open, at)), None) => (*at, "this `(` is never closed".to_string()),
                    (Some((Tok::Open, _)), Some((Tok::Close, at))) => {
                        (*at, "empty parentheses".to_string())
                    }
                    (Some((Tok::Or, at)), _) | (_, Some((Tok::Or, at))) => {
                        (*at, format!("`{after}` needs a term on both sides"))
                    }
                    (_, Some((Tok::Close, at))) => {
                        (*at, "this `)` has no matching `(`".to_string())
                    }
                    _ => (self.at(), "the query ends too early".to_string()),
                })
            }
            1 => Ok(parts.pop().expect("one part")),
            _ => Ok(Node::And(parts)),
        }
    }

    fn unary(&mut self) -> PResult {
        if let Some((Tok::Not, at)) = self.peek() {
            let at = *at;
            self.pos += 1;
            return match self.peek() {
                None | Some((Tok::Or | Tok::Close | Tok::And | Tok::Not, _)) => {
                    Err((at, "`-` (NOT) needs a term after it".to_string()))
                }
                _ => Ok(Node::Not(Box::new(self.primary()?))),
            };
        }
        if let Some((Tok::Plus, at)) = self.peek() {
            let at = *at;
            self.pos += 1;
            return match self.peek() {
                None | Some((Tok::Or | Tok::Close | Tok::And | Tok::Not | Tok::Plus, _)) => {
                    Err((at, "`+` (required) needs a term after it".to_string()))
                }
                _ => Ok(required(self.primary()?)),
            };
        }
        self.primary()
    }

    fn primary(&mut self) -> PResult {
        let Some((tok, at)) = self.peek().cloned() else {
            return Err((self.end, "the query ends too early".to_string()));
        };
        self.pos += 1;
        match tok {
            Tok::Word(w) => Ok(Node::Text(w)),
            Tok::All => Ok(Node::All),
            Tok::Quoted(q) => Ok(Node::Phrase(q)),
            Tok::Field(name, value, quoted) => Ok(Node::Field {
                name,
                value,
                quoted,
            }),
            Tok::Open => {
                if let Some((Tok::Close, close_at)) = self.peek() {
                    return Err((*close_at, "empty parentheses".to_string()));
                }
                let inner = self.or_expr()?;
                match self.peek() {
                    Some((Tok::Close, _)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err((at, "this `(` is never closed".to_string())),
                }
            }
            Tok::Close => Err((at, "this `)` has no matching `(`".to_string())),
            Tok::Or => Err((at, "`OR` needs a term on both sides".to_string())),
            Tok::And => Err((at, "`AND` needs a term on both sides".to_string())),
            Tok::Not => Err((at, "`-` (NOT) needs a term after it".to_string())),
            Tok::Plus => Err((at, "`+` (required) needs a term after it".to_string())),
        }
    }
}

/// `node`, required (once: `+a AND b` is not required twice); a negation
/// stays one, since relaxed matching never drops it.
fn required(node: Node) -> Node {
    match node {
        Node::Required(_) | Node::Not(_) => node,
        other => Node::Required(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(s: &str) -> Node {
        Node::Text(s.to_string())
    }

    fn phrase(s: &str) -> Node {
        Node::Phrase(s.to_string())
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        assert_eq!(
            parse("党建引领高质量发展").unwrap(),
            text("党建引领高质量发展")
        );
        assert_eq!(
            parse("党建 引领").unwrap(),
            Node::And(vec![text("党建"), text("引领")])
        );
        assert_eq!(
            parse("\"基层党建\" -疫情").unwrap(),
            Node::And(vec![phrase("基层党建"), Node::Not(Box::new(text("疫情")))])
        );
        assert_eq!(
            parse("疫情 OR 防控 高明").unwrap(),
            Node::Or(vec![
                text("疫情"),
                Node::And(vec![text("防控"), text("高明")])
            ])
        );
        assert_eq!(parse("“高明区 荷城”").unwrap(), phrase("高明区 荷城"));
        assert_eq!(
            parse("NOT 疫情").unwrap(),
            Node::Not(Box::new(text("疫情")))
        );
        assert_eq!(
            parse("党建 AND 引领").unwrap(),
            Node::And(vec![required(text("党建")), required(text("引领"))])
        );
    }

    #[test]
    fn plus_and_and_mark_words_required() {
        assert_eq!(
            parse("+会晤 南非总统").unwrap(),
            Node::And(vec![required(text("会晤")), text("南非总统")])
        );
        assert_eq!(
            parse("李强 会见 AND 南非 总统").unwrap(),
            Node::And(vec![
                text("李强"),
                required(text("会见")),
                required(text("南非")),
                text("总统")
            ])
        );
        assert_eq!(
            parse("+\"基层党建\" 高明").unwrap(),
            Node::And(vec![required(phrase("基层党建")), text("高明")])
        );
        // Inside a word, `+` is text.
        assert_eq!(
            parse("C++ 5G+工业互联网").unwrap(),
            Node::And(vec![text("C++"), text("5G+工业互联网")])
        );
    }

    #[test]
    fn a_plus_with_nothing_after_it_is_an_error() {
        for query in ["(南非 +)", "+-南非", "南非 +OR 总统"] {
            let e = parse(query).unwrap_err();
            assert!(e.message.contains("`+`"), "{query}: {e}");
        }
    }

    #[test]
    fn parentheses_group() {
        assert_eq!(
            parse("(党建 OR 组织) 高明").unwrap(),
            Node::And(vec![
                Node::Or(vec![text("党建"), text("组织")]),
                text("高明")
            ])
        );
        assert_eq!(
            parse("-(疫情 OR 防控)").unwrap(),
            Node::Not(Box::new(Node::Or(vec![text("疫情"), text("防控")])))
        );
    }

    #[test]
    fn dashes_and_colons_inside_words_are_text() {
        assert_eq!(parse("0757-88661108").unwrap(), text("0757-88661108"));
        assert_eq!(parse("高明:党建引领").unwrap(), text("高明:党建引领"));
        assert_eq!(
            parse("http://www.gaoming.gov.cn").unwrap(),
            text("http://www.gaoming.gov.cn")
        );
        assert_eq!(
            parse("- 疫情").unwrap(),
            Node::And(vec![text("-"), text("疫情")])
        );
        assert_eq!(
            parse("党建 -").unwrap(),
            Node::And(vec![text("党建"), text("-")])
        );
    }

    #[test]
    fn fields() {
        assert_eq!(
            parse("title:党建 date:2023..2024-06").unwrap(),
            Node::And(vec![
                Node::Field {
                    name: QueryField::Title,
                    value: "党建".into(),
                    quoted: false
                },
                Node::Field {
                    name: QueryField::Date,
                    value: "2023..2024-06".into(),
                    quoted: false
                },
            ])
        );
        assert_eq!(
            parse("Title:\"高质量 发展\"").unwrap(),
            Node::Field {
                name: QueryField::Title,
                value: "高质量 发展".into(),
                quoted: true
            }
        );
    }

    #[test]
    fn field_names_are_read_in_any_case() {
        for field in QueryField::ALL {
            let name = field.as_str();
            for written in [name.to_string(), name.to_ascii_uppercase()] {
                assert_eq!(
                    parse(&format!("{written}:高明")).unwrap(),
                    Node::Field {
                        name: field,
                        value: "高明".into(),
                        quoted: false
                    },
                    "{written}"
                );
            }
        }
    }

    #[test]
    fn a_field_before_a_group_says_how_to_write_it() {
        let (at, message) = error("title:(党建 OR 南沙)");
        assert_eq!(at, 6);
        assert!(message.contains("title:a OR title:b"), "{message}");
    }

    #[test]
    fn chinese_quote_marks_that_close_nothing_are_text() {
        assert_eq!(
            parse("实施“专精特新”").unwrap(),
            Node::And(vec![
                Node::Text("实施".into()),
                Node::Phrase("专精特新".into())
            ])
        );
        assert_eq!(
            parse("实施“专精特新").unwrap(),
            Node::Text("实施“专精特新".into())
        );
        assert_eq!(
            parse("专精特新”企业").unwrap(),
            Node::Text("专精特新”企业".into())
        );
        assert_eq!(
            parse("实施「专精特新").unwrap(),
            Node::Text("实施「专精特新".into())
        );
        assert_eq!(
            parse("实施『专精特新』").unwrap(),
            Node::And(vec![
                Node::Text("实施".into()),
                Node::Phrase("专精特新".into())
            ])
        );
        // An ASCII quote still has to be closed.
        assert!(parse("实施\"专精特新").is_err());
    }

    #[test]
    fn quote_marks_inside_a_phrase_are_text() {
        // The two queries of issue 10: a passage copied with its quotes.
        assert_eq!(
            parse("\"说：“共产党好！\"").unwrap(),
            phrase("说：“共产党好！")
        );
        assert_eq!(parse("\"“扶”。这样\"").unwrap(), phrase("“扶”。这样"));
        assert_eq!(parse("“他说\"好\"”").unwrap(), phrase("他说\"好\""));
    }

    #[test]
    fn the_mark_that_opens_a_phrase_decides_how_it_closes() {
        let marks = "“”‘’「」『』《》（）【】〔〕\"'＂＇()[]";
        for open in ['"', '“', '「', '『', '＂'] {
            let close = closing_mark(open).unwrap();
            // Every other mark, each between two characters of text.
            let inside: String = marks
                .chars()
                .filter(|&m| m != close)
                .flat_map(|m| ['党', m])
                .chain(['建'])
                .collect();
            assert_eq!(
                parse(&format!("{open}{inside}{close} 高明")).unwrap(),
                Node::And(vec![phrase(&inside), text("高明")]),
                "opened with {open}"
            );
        }
        // Inner quotes and apostrophes open nothing.
        assert_eq!(parse("‘专精特新’").unwrap(), text("‘专精特新’"));
        assert_eq!(parse("'专精特新'").unwrap(), text("'专精特新'"));
        // Closing marks open nothing either.
        assert_eq!(parse("”专精特新“").unwrap(), text("”专精特新“"));
    }

    #[test]
    fn a_field_value_may_be_quoted_with_any_opening_mark() {
        for (open, close) in [
            ('"', '"'),
            ('“', '”'),
            ('「', '」'),
            ('『', '』'),
            ('＂', '＂'),
        ] {
            assert_eq!(
                parse(&format!("title:{open}猛虎‘之’《师》{close}")).unwrap(),
                Node::Field {
                    name: QueryField::Title,
                    value: "猛虎‘之’《师》".into(),
                    quoted: true
                },
                "opened with {open}"
            );
        }
    }

    #[test]
    fn a_run_of_dashes_is_punctuation_not_not() {
        // A rule or a dash in pasted text.
        assert_eq!(parse("---").unwrap(), text("---"));
        assert_eq!(
            parse("气象。\n---\n更新时间").unwrap(),
            Node::And(vec![text("气象。"), text("---"), text("更新时间")])
        );
        assert_eq!(
            parse("记者 -- 报道").unwrap(),
            Node::And(vec![text("记者"), text("--"), text("报道")])
        );
        // A dash before a term is still NOT; two are still an error, not
        // the term itself.
        assert_eq!(
            parse("记者 -报道").unwrap(),
            Node::And(vec![text("记者"), Node::Not(Box::new(text("报道")))])
        );
        assert!(parse("记者 --报道").is_err());
    }

    fn error(q: &str) -> (usize, String) {
        let e = parse(q).unwrap_err();
        (e.position, e.message)
    }

    #[test]
    fn malformed_queries_point_at_the_problem() {
        assert_eq!(
            error("党建 \"基层"),
            (3, "this quote is never closed".to_string())
        );
        assert_eq!(error("OR 党建").1, "`OR` needs a term on both sides");
        assert_eq!(
            error("党建 OR"),
            (3, "`OR` needs a term on both sides".to_string())
        );
        assert_eq!(
            error("党建 OR OR 引领").1,
            "`OR` needs a term on both sides"
        );
        assert_eq!(error("(党建"), (0, "this `(` is never closed".to_string()));
        assert_eq!(
            error("党建)"),
            (2, "this `)` has no matching `(`".to_string())
        );
        assert_eq!(error("()").1, "empty parentheses");
        assert_eq!(
            error("foo:bar").1,
            "unknown field `foo`; known fields: title, source, region, topic, date"
        );
        assert_eq!(error("title:").1, "`title:` needs a value");
        assert_eq!(error("").1, "the query is empty");
        assert_eq!(error("   ").1, "the query is empty");
        assert_eq!(error("党建 -(").1, "this `(` is never closed");
        let long = "党".repeat(MAX_QUERY_CHARS + 1);
        assert!(error(&long).1.contains("at most 1000"));
        assert!(parse(&"党".repeat(MAX_QUERY_CHARS)).is_ok());
    }

    #[test]
    fn error_display_points_with_a_caret() {
        let e = parse("党建 \"基层").unwrap_err();
        let shown = e.to_string();
        assert!(shown.ends_with("\n       ^"), "{shown:?}");
    }

    proptest! {
        #[test]
        fn never_panics(q in "[\"“”「」『』＂‘’()\\- :a-zA-Z党建OR引领 ]{0,40}|\\PC{0,40}") {
            match parse(&q) {
                Ok(_) => {}
                Err(e) => prop_assert!(e.position <= q.chars().count()),
            }
        }
    }
}
