//! Query-time synonyms and variants: a query word in a group also finds the
//! other words of its group (党建 also finds 党筑 in machine-spun text).
//!
//! The file has one group per line, its terms separated by spaces, commas
//! or 、; `#` starts a comment. Terms are matched in their searchable form
//! (width, case and Traditional/Simplified folded, punctuation ignored), so
//! `黨建` in a query expands like `党建`. Expansion is symmetric: every term of
//! a group finds all the others.
//!
//! ```
//! use zhsearch::search::synonyms::Synonyms;
//! let s = Synonyms::parse("党建 党筑\n组织，构制 # spun text\n").unwrap();
//! assert_eq!(s.expand("黨建"), ["党建", "党筑"]);
//! assert_eq!(s.expand("引领"), ["引领"]);
//! ```

use std::collections::HashMap;
use std::path::Path;

use crate::analysis::search_key;
use crate::error::{Error, Result};

/// Groups of interchangeable query terms.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    /// Searchable form of a term -> its group.
    index: HashMap<String, usize>,
}

impl Synonyms {
    /// Reads a synonym file.
    pub fn load(path: &Path) -> Result<Synonyms> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Synonyms::parse(&text).map_err(|(line, message)| Error::Synonyms {
            path: path.to_path_buf(),
            line,
            message,
        })
    }

    /// Parses groups, one per line. Errors give the line (1-based) and why.
    pub fn parse(text: &str) -> std::result::Result<Synonyms, (usize, String)> {
        let mut synonyms = Synonyms::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default();
            let terms: Vec<String> = line
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、'))
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            if terms.is_empty() {
                continue;
            }
            if terms.len() == 1 {
                return Err((
                    i + 1,
                    format!(
                        "a group needs at least two terms, found only `{}`",
                        terms[0]
                    ),
                ));
            }
            let group = synonyms.groups.len();
            for term in &terms {
                let key = search_key(term);
                if key.is_empty() {
                    return Err((i + 1, format!("`{term}` has nothing searchable in it")));
                }
                if let Some(&other) = synonyms.index.get(&key)
                    && other != group
                {
                    return Err((
                        i + 1,
                        format!(
                            "`{term}` is already in the group on an earlier line ({})",
                            synonyms.groups[other].join(" ")
                        ),
                    ));
                }
                synonyms.index.insert(key, group);
            }
            synonyms.groups.push(terms);
        }
        Ok(synonyms)
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The terms a query term stands for: its group, or the term alone.
    pub fn expand(&self, term: &str) -> Vec<String> {
        match self.index.get(&search_key(term)) {
            Some(&group) => self.groups[group].clone(),
            None => vec![term.to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric_and_folded() {
        let s = Synonyms::parse("# variants\n党建 党筑 黨建\n\n组织、构制\n").unwrap();
        assert_eq!(s.expand("党筑"), ["党建", "党筑", "黨建"]);
        assert_eq!(s.expand("構制"), ["组织", "构制"]);
        assert_eq!(s.expand("ＧＤＰ"), ["ＧＤＰ"]);
    }

    #[test]
    fn bad_files_name_the_line() {
        assert_eq!(Synonyms::parse("党建 党筑\n孤单\n").unwrap_err().0, 2);
        let (line, message) = Synonyms::parse("党建 党筑\n党建 党的建设\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("already"), "{message}");
        assert!(Synonyms::parse("党建 ，。\n").is_err());
    }
}
