//! Output for people: ranked hits with highlighted snippets, wrapped to the
//! terminal's width (CJK characters count two columns). Matches are coloured
//! when colour is on and marked `[like this]` when it is off, so they stay
//! visible in pipes.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::corpus::plural;
use crate::date::DateSource;
use crate::extract::{Article, Metadata, SourceFrom};
use crate::indexer::Summary;
use crate::record::Record;
use crate::schema::FacetKind;
use crate::search::facets::{FacetCounts, FacetNode, PeriodCount};
use crate::search::{Components, Hit, Relaxed, Results, Snippet};

/// Region, date and topics in a few words, for the line under a hit's title.
fn facts(meta: &Metadata) -> String {
    let mut parts = Vec::new();
    if !meta.regions.is_empty() {
        let names: Vec<&str> = meta
            .regions
            .iter()
            .map(|r| r.rsplit('/').next().unwrap_or(r))
            .collect();
        parts.push(names.join("/"));
    }
    if let Some(d) = &meta.date {
        let inferred = if d.source == DateSource::Inferred {
            "?"
        } else {
            ""
        };
        parts.push(format!("{}{inferred}", d.display()));
    }
    let topics: Vec<&str> = meta.topic_names().take(3).collect();
    if !topics.is_empty() {
        parts.push(topics.join("·"));
    }
    parts.join(" · ")
}

const INDENT: &str = "    ";

/// Titles are shortened to this many characters on a terminal, at a clause
/// boundary, with `…`: the longest headline extraction takes from a text. A
/// title given in metadata can be any length (`--json` keeps it whole).
const TITLE_CHARS: usize = 64;

/// The longest bar of [`Human::timeline`], in terminal cells.
pub const BAR_WIDTH: u64 = 40;

/// A printer for terminals and pipes.
#[derive(Debug, Clone, Copy)]
pub struct Human {
    /// Whether to use colour.
    pub color: bool,
    /// Terminal width to wrap at, or `None` not to wrap (pipes).
    pub width: Option<usize>,
}

fn style(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

impl Human {
    fn paint(&self, out: &mut impl Write, style: Style, text: &str) -> io::Result<()> {
        if self.color {
            write!(out, "{}{text}{}", style.render(), style.render_reset())
        } else {
            write!(out, "{text}")
        }
    }

    /// Writes highlighted text, wrapped at the width after `indent`; the first
    /// line starts at column `first_column`.
    fn highlighted(
        &self,
        out: &mut impl Write,
        snippet: &Snippet,
        first_column: usize,
        base: Style,
    ) -> io::Result<()> {
        let lit = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
        let width = self.width.map(|w| w.max(INDENT.len() + 20));
        let mut column = first_column;
        let mut last = 0;
        let mut pieces: Vec<(&str, bool)> = Vec::new();
        for r in &snippet.highlights {
            pieces.push((&snippet.text[last..r.start], false));
            pieces.push((&snippet.text[r.clone()], true));
            last = r.end;
        }
        pieces.push((&snippet.text[last..], false));
        for (text, on) in pieces {
            if text.is_empty() {
                continue;
            }
            let style = if on { lit } else { base };
            let (open, close) = if on && !self.color {
                ("[", "]")
            } else {
                ("", "")
            };
            write!(out, "{open}")?;
            column += open.len();
            let mut run = String::new();
            for c in text.chars() {
                let w = c.width().unwrap_or(0);
                if let Some(width) = width
                    && column + w > width
                {
                    self.paint(out, style, &run)?;
                    run.clear();
                    write!(out, "\n{INDENT}")?;
                    column = INDENT.len();
                }
                run.push(c);
                column += w;
            }
            self.paint(out, style, &run)?;
            write!(out, "{close}")?;
            column += close.len();
        }
        Ok(())
    }

    /// Writes ranked hits, then a summary line.
    pub fn results(&self, out: &mut impl Write, results: &Results) -> io::Result<()> {
        if !results.notes.is_empty() {
            self.paint(out, style(AnsiColor::Cyan), "query:")?;
            writeln!(out)?;
            for note in &results.notes {
                writeln!(out, "  {note}")?;
            }
            writeln!(out)?;
        }
        if let Some(relaxed) = &results.relaxed {
            let line = relaxed_line(relaxed, results.hits.first());
            self.paint(out, style(AnsiColor::Yellow), &line)?;
            writeln!(out)?;
            writeln!(out)?;
        }
        if let Some(text) = &results.reworded {
            let line = format!(
                "also titles with {text} in other words (one word a near-synonym or a cognate)"
            );
            self.paint(out, style(AnsiColor::Yellow), &line)?;
            writeln!(out)?;
            writeln!(out)?;
        }
        for hit in &results.hits {
            let rank = format!("{:>2}. ", hit.rank);
            write!(out, "{rank}")?;
            let title = hit.title.shortened(TITLE_CHARS);
            self.highlighted(out, &title, rank.len(), Style::new().bold())?;
            writeln!(out)?;
            let r = &hit.record;
            let mut line = r.path.clone();
            if r.id != r.path {
                line = format!("{} ({})", r.id, r.path);
            }
            if let Some(source) = &r.source {
                line.push_str(" · ");
                line.push_str(source);
            }
            write!(out, "{INDENT}")?;
            self.paint(out, style(AnsiColor::Green), &line)?;
            let facts = facts(&r.meta);
            if !facts.is_empty() {
                write!(out, " · ")?;
                self.paint(out, style(AnsiColor::Yellow), &facts)?;
            }
            if let Some(missing) = hit.missing.as_ref().filter(|m| !m.is_empty()) {
                write!(out, " · ")?;
                self.paint(
                    out,
                    style(AnsiColor::Red),
                    &format!(
                        "without {}",
                        missing_words(missing, results.relaxed.as_ref().map(|r| r.words.len()))
                    ),
                )?;
            }
            if !hit.similar.is_empty() {
                write!(out, " · ")?;
                self.paint(out, style(AnsiColor::Cyan), &similar_line(&hit.similar))?;
            }
            writeln!(out)?;
            if !hit.snippet.text.is_empty() {
                write!(out, "{INDENT}")?;
                self.highlighted(out, &hit.snippet, INDENT.len(), Style::new())?;
                writeln!(out)?;
            }
            if let Some(c) = &hit.components {
                writeln!(out, "{INDENT}{}", components_line(hit.score, c))?;
            }
            if let Some(explanation) = &hit.explanation {
                for l in explain_lines(explanation) {
                    writeln!(out, "{INDENT}{l}")?;
                }
            }
            writeln!(out)?;
        }
        let shown = if results.hits.is_empty() {
            "none shown".to_string()
        } else {
            let first = results.hits[0].rank;
            format!("showing {}-{}", first, first + results.hits.len() - 1)
        };
        let folded: usize = results.hits.iter().map(|h| h.similar.len()).sum();
        let shown = match folded {
            0 => shown,
            n => format!("{shown} (+{n} similar folded under them)"),
        };
        // Folded, the articles make fewer hits; pages count the hits.
        let hits = results.hits_total.unwrap_or(results.total);
        let articles = match hits < results.total {
            true => format!(" ({} articles)", results.total),
            false => String::new(),
        };
        let line = format!(
            "{hits} {}{articles}, {shown}, {:.1} ms",
            if hits == 1 { "hit" } else { "hits" },
            results.elapsed.as_secs_f64() * 1000.0
        );
        self.paint(out, style(AnsiColor::BrightBlack), &line)?;
        writeln!(out)
    }

    fn field(&self, out: &mut impl Write, name: &str, value: &str) -> io::Result<()> {
        self.paint(out, style(AnsiColor::Cyan), &format!("{name:>9}:"))?;
        writeln!(out, " {value}")
    }

    /// Writes an article's fields and metadata, with where each came from.
    fn metadata(&self, out: &mut impl Write, a: &Record) -> io::Result<()> {
        let meta = &a.meta;
        self.field(out, "id", &a.id)?;
        self.field(out, "path", &a.path)?;
        let title = Snippet {
            text: a.title.clone(),
            highlights: Vec::new(),
        }
        .shortened(TITLE_CHARS);
        let length = a.title.chars().count();
        let title = if length > TITLE_CHARS {
            format!("{} ({}; {length} characters)", title.text, meta.title_from)
        } else {
            format!("{} ({})", title.text, meta.title_from)
        };
        self.field(out, "title", &title)?;
        if let Some(source) = &a.source {
            let from = meta.source_from.unwrap_or(SourceFrom::Metadata);
            self.field(out, "source", &format!("{source} ({from})"))?;
        }
        if let Some(url) = &a.url {
            self.field(out, "url", url)?;
        }
        self.field(out, "encoding", &meta.encoding)?;
        if let Some(line) = meta.line {
            self.field(out, "line", &line.to_string())?;
        }
        let date = match &meta.date {
            Some(d) => format!(
                "{} ({}, {}; {})",
                d.display(),
                d.precision.as_str(),
                d.source.as_str(),
                d.evidence
            ),
            None => "unknown".to_string(),
        };
        self.field(out, "date", &date)?;
        let regions = if meta.regions.is_empty() {
            "none".to_string()
        } else {
            meta.regions.join(", ")
        };
        self.field(out, "region", &regions)?;
        for evidence in &meta.region_evidence {
            self.field(out, "", &format!("  {evidence}"))?;
        }
        if !meta.mentions.is_empty() {
            self.field(out, "mentions", &meta.mentions.join(", "))?;
        }
        if meta.topics.is_empty() {
            self.field(out, "topics", "none")?;
        }
        for (i, t) in meta.topics.iter().enumerate() {
            let name = if i == 0 { "topics" } else { "" };
            let score = if t.score > 0.0 {
                format!(" {:.1}", t.score)
            } else {
                String::new()
            };
            self.field(
                out,
                name,
                &format!("{}{score} ({})", t.topic, t.evidence.join("; ")),
            )?;
        }
        if !meta.keywords.is_empty() {
            self.field(out, "keywords", &meta.keywords.join(" · "))?;
        }
        Ok(())
    }

    /// Writes one stored document: its fields, metadata with provenance, and text.
    pub fn document(&self, out: &mut impl Write, doc: &Record) -> io::Result<()> {
        self.metadata(out, doc)?;
        writeln!(out)?;
        writeln!(out, "{}", doc.body.trim_end())
    }

    /// Writes what extraction found in an article (for `zhsearch extract`).
    pub fn article(&self, out: &mut impl Write, a: &Article) -> io::Result<()> {
        self.metadata(out, &a.record)?;
        writeln!(out)
    }

    /// Writes facet counts, each facet of [`crate::schema::FACETS`] in turn:
    /// a tree (region, years with months, topics), or the most frequent
    /// values on one line (keywords).
    pub fn facets(&self, out: &mut impl Write, counts: &FacetCounts) -> io::Result<()> {
        for (spec, nodes) in &counts.facets {
            self.paint(out, style(AnsiColor::Cyan), spec.name)?;
            writeln!(out)?;
            let undated = match spec.kind {
                FacetKind::Calendar => counts.undated,
                _ => 0,
            };
            if let FacetKind::Top(_) = spec.kind {
                self.inline(out, nodes)?;
                continue;
            }
            if nodes.is_empty() && undated == 0 {
                writeln!(out, "  (none)")?;
            }
            self.tree(out, nodes, 1)?;
            if undated > 0 {
                let label = "  (no date)";
                let pad = 24usize.saturating_sub(label.width());
                writeln!(out, "{label}{} {:>6}", " ".repeat(pad), undated)?;
            }
        }
        Ok(())
    }

    /// Facet values on one line, with their counts.
    /// Writes the matching articles over time: a line per month or year,
    /// with its count and a bar (the longest [`BAR_WIDTH`] cells), then
    /// those without a month and those without a date.
    pub fn timeline(
        &self,
        out: &mut impl Write,
        periods: &[PeriodCount],
        year_only: u64,
        undated: usize,
    ) -> io::Result<()> {
        let max = periods.iter().map(|p| p.count).max().unwrap_or(0).max(1);
        for p in periods {
            // Eighths of a cell, so that small counts still show.
            let eighths = (p.count * BAR_WIDTH * 8).div_ceil(max);
            let mut bar = "█".repeat((eighths / 8) as usize);
            if eighths % 8 > 0 {
                bar.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][(eighths % 8 - 1) as usize]);
            }
            write!(out, "{:<8} {:>6} ", p.period, p.count)?;
            self.paint(out, style(AnsiColor::Cyan), &bar)?;
            writeln!(out)?;
        }
        if periods.is_empty() {
            writeln!(out, "(no dated articles)")?;
        }
        if year_only > 0 {
            writeln!(out, "{:<8} {:>6}", "(no month)", year_only)?;
        }
        if undated > 0 {
            writeln!(out, "{:<8} {:>6}", "(no date)", undated)?;
        }
        Ok(())
    }

    fn inline(&self, out: &mut impl Write, nodes: &[FacetNode]) -> io::Result<()> {
        let values: Vec<String> = nodes
            .iter()
            .map(|k| format!("{} {}", k.name, k.count))
            .collect();
        if values.is_empty() {
            writeln!(out, "  (none)")
        } else {
            writeln!(out, "  {}", values.join(" · "))
        }
    }

    fn tree(&self, out: &mut impl Write, nodes: &[FacetNode], depth: usize) -> io::Result<()> {
        for node in nodes {
            let label = format!("{}{}", "  ".repeat(depth), node.name);
            let pad = 24usize.saturating_sub(label.width());
            writeln!(out, "{label}{} {:>6}", " ".repeat(pad), node.count)?;
            self.tree(out, &node.children, depth + 1)?;
        }
        Ok(())
    }

    /// Writes the one-line summary of an indexing run.
    pub fn summary(&self, out: &mut impl Write, s: &Summary) -> io::Result<()> {
        let secs = s.elapsed.as_secs_f64().max(1e-9);
        let mb = s.text_bytes as f64 / 1e6;
        let warnings = match (s.warnings.len(), s.duplicates) {
            (0, _) => String::new(),
            (n, 0) => format!("; {n} {}", plural(n, "warning", "warnings")),
            (n, d) => format!(
                "; {n} {} ({d} duplicate {})",
                plural(n, "warning", "warnings"),
                plural(d, "id", "ids")
            ),
        };
        writeln!(
            out,
            "indexed {} documents ({:.2} MB of text) in {:.2} s: {:.2} MB/s, {:.0} docs/s; \
             files: {} added, {} updated, {} removed, {} unchanged, {} skipped{warnings}; {} documents in the index{}",
            s.docs,
            mb,
            secs,
            mb / secs,
            s.docs as f64 / secs,
            s.added,
            s.updated,
            s.removed,
            s.unchanged,
            s.skipped.len(),
            s.total_docs,
            if s.interrupted { " (interrupted)" } else { "" },
        )
    }
}

/// A score and its parts, in a line, each only when it counts: `score
/// 11241.63 = tiers 10000 (verbatim) + boosts 1240 (2 as words, 1 near) +
/// BM25 1.63`.
fn components_line(score: f32, c: &Components) -> String {
    let listed = |parts: Vec<String>| match parts.is_empty() {
        true => String::new(),
        false => format!(" ({})", parts.join(", ")),
    };
    let mut sum = Vec::new();
    if c.tier != 0.0 {
        let mut tiers = Vec::new();
        tiers.extend(c.words_found.map(|n| format!("{n} found")));
        tiers.extend(c.verbatim.then(|| "verbatim".to_string()));
        tiers.extend(c.reworded.then(|| "reworded".to_string()));
        sum.push(format!("tiers {:.0}{}", c.tier, listed(tiers)));
    }
    if c.boost != 0.0 {
        let mut boosts = Vec::new();
        boosts.extend((c.as_words > 0).then(|| format!("{} as words", c.as_words)));
        boosts.extend((c.near > 0).then(|| format!("{} near", c.near)));
        sum.push(format!("boosts {:.0}{}", c.boost, listed(boosts)));
    }
    sum.push(format!("BM25 {:.2}", c.bm25));
    format!("score {score:.2} = {}", sum.join(" + "))
}

/// The near-duplicates folded under a hit: `+2 similar: a.txt b.txt`, the
/// first three ids (for `zhsearch show`), then `…`.
fn similar_line(similar: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut line = format!("+{} similar: ", similar.len());
    line.push_str(&similar[..similar.len().min(SHOWN)].join(" "));
    if similar.len() > SHOWN {
        line.push_str(" …");
    }
    line
}

/// Past this many words, a relaxed search's line and a hit's missing words
/// give how many rather than which (a passage pasted whole has a hundred).
const LISTED_WORDS: usize = 8;

/// What a relaxed search did, in a line: `no article has all of 李强 会晤
/// 南非 总统; showing those with 李强 南非 总统` (the words of the first
/// hit); past [`LISTED_WORDS`] words, how many: `only 1 article has all
/// 134 words; then those with 64 or more of them`; and when a long text's
/// common words were not counted, of which words the count is: `only 1
/// article has all 134 words; then those with 40 or more of its 100 words
/// in at most a tenth of the articles`.
fn relaxed_line(relaxed: &Relaxed, first: Option<&Hit>) -> String {
    let n = relaxed.words.len();
    let listed = n <= LISTED_WORDS && relaxed.common.is_empty();
    let k = match relaxed.min_words {
        k if k + 1 >= n => k.to_string(),
        k => format!("{k} or more"),
    };
    // The words counted as the line names them, all the words, and how
    // many of those counted the articles shown have.
    let (words, all, of_them) = if !relaxed.common.is_empty() {
        let words = format!("its {n} words in at most a tenth of the articles");
        let all = format!("{} words", n + relaxed.common.len());
        let of_them = format!("{k} of {words}");
        (words, all, of_them)
    } else if listed {
        let words = relaxed.words.join(" ");
        let all = format!("of {words}");
        (words, all, format!("{k} of the {n}"))
    } else {
        let words = format!("{n} words");
        (words.clone(), words, format!("{k} of them"))
    };
    let has = |hit: &Hit| -> Vec<&str> {
        let missing = hit.missing.as_deref().unwrap_or_default();
        let words = relaxed.words.iter().filter(|w| !missing.contains(w));
        words.map(String::as_str).collect()
    };
    match (relaxed.with_all, first) {
        (None, _) => format!("articles with any of {words}, those with more of them first"),
        (Some(0), Some(hit)) if listed => {
            format!(
                "no article has all {all}; showing those with {}",
                has(hit).join(" ")
            )
        }
        (Some(0), _) => format!("no article has all {all}; showing those with {of_them}"),
        (Some(m), _) => format!(
            "only {m} {} all {all}; then those with {of_them}",
            if m == 1 {
                "article has"
            } else {
                "articles have"
            },
        ),
    }
}

/// The words a hit lacks, after `without`: which, or past
/// [`LISTED_WORDS`], how many (of the `n` a relaxed search could do
/// without, when it was one).
fn missing_words(missing: &[String], n: Option<usize>) -> String {
    match (missing.len() <= LISTED_WORDS, n) {
        (true, _) => missing.join(" "),
        (false, Some(n)) => format!("{} of the {n} words", missing.len()),
        (false, None) => format!("{} words", missing.len()),
    }
}

/// A score explanation (tantivy's JSON tree) as short indented lines: sums
/// with one part are skipped, a BM25 term match is one line with its
/// frequency and idf (a word's BM25F shows its idf and frequencies below
/// it), and the constant scores of zhsearch's tiers are named.
fn explain_lines(json: &str) -> Vec<String> {
    fn child<'a>(node: &'a serde_json::Value, prefix: &str) -> Option<&'a serde_json::Value> {
        node["details"].as_array()?.iter().find(|d| {
            d["description"]
                .as_str()
                .is_some_and(|s| s.starts_with(prefix))
        })
    }
    fn walk(node: &serde_json::Value, depth: usize, out: &mut Vec<String>) {
        let value = node["value"].as_f64().unwrap_or(0.0);
        let description = node["description"].as_str().unwrap_or("");
        let details: &[serde_json::Value] = node["details"].as_array().map_or(&[], Vec::as_slice);
        let pad = "  ".repeat(depth);
        if description.starts_with("BooleanClause") && details.len() == 1 {
            return walk(&details[0], depth, out);
        }
        if description.starts_with("TermQuery") {
            let find = |prefix: &str| -> f64 {
                let tf = child(node, "freq /");
                [Some(node), tf]
                    .into_iter()
                    .flatten()
                    .find_map(|n| child(n, prefix))
                    .and_then(|n| n["value"].as_f64())
                    .unwrap_or(f64::NAN)
            };
            out.push(format!(
                "{pad}{value:.3}  term (BM25): freq {}, idf {:.2}",
                find("freq, occurrences"),
                find("idf")
            ));
            return;
        }
        let label = match description {
            "Const" => format!("tier: a word or verbatim match (+{})", value.round() as i64),
            "BooleanClause. sum of ..." => "sum of".to_string(),
            d => d
                .trim_end_matches(" ...")
                .trim_end_matches("...")
                .to_string(),
        };
        out.push(format!("{pad}{value:.3}  {label}"));
        for d in details {
            walk(d, depth + 1, out);
        }
    }
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(tree) => {
            let mut out = Vec::new();
            walk(&tree, 0, &mut out);
            out
        }
        Err(_) => json.lines().map(str::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(printer: Human, snippet: &Snippet) -> String {
        let mut out = Vec::new();
        printer
            .highlighted(&mut out, snippet, INDENT.len(), Style::new())
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn snippet() -> Snippet {
        let text = "今年7月23日,在高明区明城镇明阳村委会会议室内,明阳村党委理论学习中心组举行第一次专题学习会议";
        let start = text.find("高明").unwrap();
        Snippet {
            text: text.to_string(),
            highlights: std::iter::once(start..start + "高明".len()).collect(),
        }
    }

    #[test]
    fn a_long_relaxed_query_says_how_many_words_not_which() {
        let words = |n: usize| -> Vec<String> { (0..n).map(|i| format!("词{i}")).collect() };
        let short = Relaxed {
            words: words(4),
            common: Vec::new(),
            with_all: Some(1),
            min_words: 2,
        };
        assert_eq!(
            relaxed_line(&short, None),
            "only 1 article has all of 词0 词1 词2 词3; then those with 2 or more of the 4"
        );
        let long = Relaxed {
            words: words(134),
            common: Vec::new(),
            with_all: Some(1),
            min_words: 64,
        };
        assert_eq!(
            relaxed_line(&long, None),
            "only 1 article has all 134 words; then those with 64 or more of them"
        );
        let none = Relaxed {
            with_all: Some(0),
            ..long.clone()
        };
        assert_eq!(
            relaxed_line(&none, None),
            "no article has all 134 words; showing those with 64 or more of them"
        );
        let any = Relaxed {
            with_all: None,
            ..long
        };
        assert_eq!(
            relaxed_line(&any, None),
            "articles with any of 134 words, those with more of them first"
        );
        // A passage whose common words were not counted says of which
        // words the count is, however few.
        let passage = Relaxed {
            words: words(100),
            common: vec!["的".to_string(); 34],
            with_all: Some(1),
            min_words: 40,
        };
        assert_eq!(
            relaxed_line(&passage, None),
            "only 1 article has all 134 words; then those with 40 or more of its 100 words in \
             at most a tenth of the articles"
        );
        let few = Relaxed {
            words: words(7),
            common: vec!["的".to_string(); 6],
            with_all: Some(0),
            min_words: 6,
        };
        assert_eq!(
            relaxed_line(&few, None),
            "no article has all 13 words; showing those with 6 of its 7 words in at most a tenth \
             of the articles"
        );
        assert_eq!(missing_words(&words(3), Some(134)), "词0 词1 词2");
        assert_eq!(missing_words(&words(57), Some(134)), "57 of the 134 words");
        assert_eq!(missing_words(&words(9), None), "9 words");
    }

    #[test]
    fn without_colour_matches_are_bracketed() {
        let out = render(
            Human {
                color: false,
                width: None,
            },
            &snippet(),
        );
        assert!(out.contains("[高明]区"), "{out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn with_colour_matches_are_styled_not_bracketed() {
        let out = render(
            Human {
                color: true,
                width: None,
            },
            &snippet(),
        );
        assert!(out.contains("\x1b[1m\x1b[31m高明"), "{out:?}");
        assert!(!out.contains("[高明]"), "{out:?}");
    }

    #[test]
    fn wrapping_counts_wide_characters_and_never_splits_them() {
        let out = render(
            Human {
                color: false,
                width: Some(40),
            },
            &snippet(),
        );
        for line in out.lines() {
            let cols: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
            assert!(cols <= 40, "{line:?} is {cols} columns");
        }
        assert!(out.lines().count() > 1);
        let joined: String = out.lines().map(str::trim_start).collect();
        assert_eq!(joined.replace(['[', ']'], ""), snippet().text);
    }

    #[test]
    fn an_inferred_date_is_marked_as_a_guess() {
        let mut date = crate::date::DocDate::from_metadata("2021").unwrap();
        let mut meta = Metadata {
            regions: vec!["/广东省/佛山市/高明区".into()],
            date: Some(date.clone()),
            ..Metadata::default()
        };
        assert_eq!(facts(&meta), "高明区 · 2021");
        date.source = DateSource::Inferred;
        meta.date = Some(date);
        assert_eq!(facts(&meta), "高明区 · 2021?");
    }
}
