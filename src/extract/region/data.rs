//! The vendored gazetteer files and how they become a tree of places.
//!
//! `divisions.tsv` lists provinces, prefecture-level units and counties with their GB/T
//! 2260 codes (2, 4 or 6 digits; the hierarchy is in the code). Parsing is one pass over
//! about 3,400 lines with no allocation per name: every name and short form is a slice of
//! the embedded text. `towns.tsv` (towns and sub-districts, ~38,000 names) is parsed
//! separately, only when extraction needs it.

use std::collections::HashMap;
use std::fmt;

use super::Level;

/// `data/gazetteer/divisions.tsv`: `code<TAB>name`, sorted by code.
pub(super) const DIVISIONS: &str = include_str!("../../../data/gazetteer/divisions.tsv");
/// `data/gazetteer/towns.tsv`: `county code<TAB>town names separated by spaces`.
pub(super) const TOWNS: &str = include_str!("../../../data/gazetteer/towns.tsv");
/// `data/gazetteer/common-words.txt`: names that are also ordinary words.
pub(super) const COMMON_WORDS: &str = include_str!("../../../data/gazetteer/common-words.txt");
/// `data/gazetteer/blockers.txt`: words that contain a place name but are not places.
pub(super) const BLOCKERS: &str = include_str!("../../../data/gazetteer/blockers.txt");

/// Index of a [`Node`] in [`Divisions::nodes`].
pub(super) type NodeId = u32;

/// A province, prefecture-level unit or county.
#[derive(Debug)]
pub(super) struct Node {
    /// Six-digit GB/T 2260 code (`440608`).
    pub code: u32,
    /// Full name (`高明区`).
    pub name: &'static str,
    /// Short form (`高明`), a prefix of `name`; `None` when it would be one character or
    /// the unit is a development zone or similar.
    pub short: Option<&'static str>,
    pub level: Level,
    /// The enclosing unit; placeholder levels (`市辖区`, `省直辖县级行政区划`) are skipped.
    pub parent: Option<NodeId>,
}

/// Whether a name matched in full or as a short form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    Full,
    Short,
}

/// The tree of places, with the lookups `resolve` needs.
pub(super) struct Divisions {
    pub nodes: Vec<Node>,
    /// Six-digit code to node. Codes of skipped levels map to the node that stands for
    /// them: `110100` (北京 `市辖区`) to 北京市, `441900` (the county-level 东莞市) to the
    /// prefecture 东莞市.
    pub by_code: HashMap<u32, NodeId>,
    /// Full names and short forms to the nodes that carry them.
    pub by_name: HashMap<&'static str, Vec<(NodeId, Form)>>,
}

/// A line of the bundled data that cannot be read: a bug in the data, caught by tests.
#[derive(Debug)]
pub(super) struct DataError {
    line: usize,
    message: String,
}

impl DataError {
    /// An error at `line` (1-based; 0 when no line is involved).
    pub fn new(line: usize, message: String) -> DataError {
        DataError { line, message }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// City-level entries that only group counties: their counties belong to the province.
const PLACEHOLDER_CITIES: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// The 56 ethnic groups, as they appear inside the names of autonomous units.
const ETHNIC_GROUPS: [&str; 56] = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
];

/// Units whose names have no usable short form: zones, parks and administrative offices.
const NO_SHORT_FORM: [&str; 8] = [
    "开发区",
    "园区",
    "管理区",
    "示范区",
    "合作区",
    "实验区",
    "委员会",
    "新城",
];

/// Suffixes removed to make a short form, longest first.
const SUFFIXES: [&str; 12] = [
    "特别行政区",
    "新区",
    "林区",
    "特区",
    "群岛",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
];

/// Suffixes of ordinary county names; a sibling with another suffix (北戴河新区 beside
/// 北戴河区) gives up its short form to them.
const PLAIN_COUNTY_SUFFIXES: [&str; 4] = ["区", "县", "市", "旗"];

/// The short form of a unit's name: 广东省 → 广东, 佛山市 → 佛山, 广西壮族自治区 → 广西,
/// 延边朝鲜族自治州 → 延边, 连南瑶族自治县 → 连南, 浦东新区 → 浦东, 香港特别行政区 → 香港.
/// `None` when fewer than two characters would remain (沛县, 城区) or the unit is a zone.
pub(super) fn short_form(name: &str) -> Option<&str> {
    if NO_SHORT_FORM.iter().any(|s| name.ends_with(s)) {
        return None;
    }
    let autonomous = ["自治区", "自治州", "自治县", "自治旗"]
        .iter()
        .find_map(|s| name.strip_suffix(s));
    let stem = match autonomous {
        Some(mut stem) => {
            // Strip the ethnic groups (土家族苗族, 蒙古), keeping at least two characters.
            while let Some(rest) = ETHNIC_GROUPS
                .iter()
                .find_map(|group| {
                    let with_zu = stem.strip_suffix('族').and_then(|s| s.strip_suffix(group));
                    with_zu.or_else(|| {
                        stem.strip_suffix(group)
                            .filter(|_| group.chars().count() >= 2)
                    })
                })
                .filter(|rest| rest.chars().count() >= 2)
            {
                stem = rest;
            }
            // 东乡族自治县 → 东乡: the name is the group itself.
            stem.strip_suffix('族')
                .filter(|s| ETHNIC_GROUPS.contains(s) && s.chars().count() >= 2)
                .unwrap_or(stem)
        }
        // 清新区 is 清新 + 区, not 清 + 新区.
        None => SUFFIXES
            .iter()
            .filter_map(|s| name.strip_suffix(s))
            .find(|stem| stem.chars().count() >= 2)?,
    };
    (stem.chars().count() >= 2).then_some(stem)
}

/// Pads a 2- or 4-digit code to six digits.
fn code6(code: &str) -> Option<u32> {
    let value: u32 = code.parse().ok()?;
    match code.len() {
        2 => Some(value * 10_000),
        4 => Some(value * 100),
        6 => Some(value),
        _ => None,
    }
}

/// The data lines of an embedded file, numbered from 1, without comments and blank lines.
pub(super) fn data_lines(text: &'static str) -> impl Iterator<Item = (usize, &'static str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim_end_matches('\r')))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

/// Splits a data row into its code and the rest.
fn split_row(line: usize, row: &'static str) -> Result<(&'static str, &'static str), DataError> {
    row.split_once('\t')
        .ok_or_else(|| DataError::new(line, "expected a code, a tab and names".to_owned()))
}

impl Divisions {
    /// Parses `divisions.tsv` text (sorted by code, so parents come first).
    pub fn parse(text: &'static str) -> Result<Divisions, DataError> {
        let mut nodes: Vec<Node> = Vec::with_capacity(3_400);
        let mut by_code = HashMap::with_capacity(3_400);
        for (line, row) in data_lines(text) {
            let err = |message: &str| DataError::new(line, message.to_owned());
            let (code, name) = split_row(line, row)?;
            let full = code6(code).ok_or_else(|| err("code must have 2, 4 or 6 digits"))?;
            let parent_code = match code.len() {
                2 => None,
                4 => Some(full / 10_000 * 10_000),
                _ => Some(full / 100 * 100),
            };
            let parent = match parent_code {
                None => None,
                Some(pc) => Some(
                    *by_code
                        .get(&pc)
                        .ok_or_else(|| err("parent code not listed before"))?,
                ),
            };
            let level = match code.len() {
                2 => Level::Province,
                4 => Level::City,
                _ => Level::County,
            };
            if level == Level::City && PLACEHOLDER_CITIES.contains(&name) {
                by_code.insert(full, parent.expect("a city has a parent"));
                continue;
            }
            if let Some(p) = parent.filter(|&p| nodes[p as usize].name == name) {
                // 东莞市, 中山市, 儋州市, 嘉峪关市: the county level repeats the city.
                by_code.insert(full, p);
                continue;
            }
            if by_code.contains_key(&full) {
                return Err(err("duplicate code"));
            }
            let id = nodes.len() as NodeId;
            nodes.push(Node {
                code: full,
                name,
                short: short_form(name),
                level,
                parent,
            });
            by_code.insert(full, id);
        }
        drop_sibling_short_forms(&mut nodes);
        let mut by_name: HashMap<&'static str, Vec<(NodeId, Form)>> =
            HashMap::with_capacity(nodes.len() * 2);
        for (id, node) in nodes.iter().enumerate() {
            by_name
                .entry(node.name)
                .or_default()
                .push((id as NodeId, Form::Full));
            if let Some(short) = node.short {
                by_name
                    .entry(short)
                    .or_default()
                    .push((id as NodeId, Form::Short));
            }
        }
        Ok(Divisions {
            nodes,
            by_code,
            by_name,
        })
    }

    /// The node, `id` must come from this tree.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// Whether `ancestor` is a strict ancestor of `id`.
    pub fn is_ancestor(&self, ancestor: NodeId, id: NodeId) -> bool {
        let mut current = self.node(id).parent;
        while let Some(p) = current {
            if p == ancestor {
                return true;
            }
            current = self.node(p).parent;
        }
        false
    }

    /// Whether `a` and `b` are the same node or one contains the other.
    pub fn related(&self, a: NodeId, b: NodeId) -> bool {
        a == b || self.is_ancestor(a, b) || self.is_ancestor(b, a)
    }

    /// Names from the province down to `id`.
    pub fn chain(&self, id: NodeId) -> Vec<&'static str> {
        let mut names = Vec::with_capacity(3);
        let mut current = Some(id);
        while let Some(c) = current {
            names.push(self.node(c).name);
            current = self.node(c).parent;
        }
        names.reverse();
        names
    }
}

/// When two units of the same parent share a short form (北戴河区 and 北戴河新区), only
/// those with a plain suffix keep it.
fn drop_sibling_short_forms(nodes: &mut [Node]) {
    let mut groups: HashMap<(Option<NodeId>, &str), Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(short) = node.short {
            groups.entry((node.parent, short)).or_default().push(i);
        }
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        let plain = |i: &usize| {
            let (name, short) = (nodes[*i].name, nodes[*i].short.unwrap_or_default());
            PLAIN_COUNTY_SUFFIXES
                .iter()
                .any(|s| name.strip_suffix(s) == Some(short))
        };
        if members.iter().any(plain) {
            for i in members
                .iter()
                .filter(|i| !plain(i))
                .copied()
                .collect::<Vec<_>>()
            {
                nodes[i].short = None;
            }
        }
    }
}

/// Town-level names (`towns.tsv`): each with the county (or city, for 东莞 and 中山) it
/// belongs to.
pub(super) fn parse_towns(
    text: &'static str,
    divisions: &Divisions,
) -> Result<Vec<(&'static str, NodeId)>, DataError> {
    let mut towns = Vec::with_capacity(40_000);
    for (line, row) in data_lines(text) {
        let err = |message: &str| DataError::new(line, message.to_owned());
        let (code, names) = split_row(line, row)?;
        let code = code6(code)
            .filter(|_| code.len() == 6)
            .ok_or_else(|| err("bad county code"))?;
        let county = *divisions
            .by_code
            .get(&code)
            .ok_or_else(|| err("unknown county code"))?;
        towns.extend(
            names
                .split(' ')
                .filter(|n| !n.is_empty())
                .map(|n| (n, county)),
        );
    }
    Ok(towns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_strip_level_and_ethnic_suffixes() {
        let cases = [
            ("广东省", Some("广东")),
            ("北京市", Some("北京")),
            ("佛山市", Some("佛山")),
            ("高明区", Some("高明")),
            ("广西壮族自治区", Some("广西")),
            ("新疆维吾尔自治区", Some("新疆")),
            ("内蒙古自治区", Some("内蒙古")),
            ("香港特别行政区", Some("香港")),
            ("恩施土家族苗族自治州", Some("恩施")),
            ("博尔塔拉蒙古自治州", Some("博尔塔拉")),
            ("连南瑶族自治县", Some("连南")),
            ("东乡族自治县", Some("东乡")),
            ("鄂伦春自治旗", Some("鄂伦春")),
            ("锡林郭勒盟", Some("锡林郭勒")),
            ("阿里地区", Some("阿里")),
            ("浦东新区", Some("浦东")),
            ("清新区", Some("清新")),
            ("神农架林区", Some("神农架")),
            ("南沙群岛", Some("南沙")),
            ("沛县", None),
            ("城区", None),
            ("苏州工业园区", None),
        ];
        for (name, short) in cases {
            assert_eq!(short_form(name), short, "{name}");
        }
    }

    #[test]
    fn placeholder_levels_are_skipped() {
        let d = Divisions::parse(DIVISIONS).unwrap();
        let id = |code| d.by_code[&code];
        assert_eq!(d.chain(id(110101)), ["北京市", "东城区"]);
        assert_eq!(id(110100), id(110000));
        assert_eq!(d.chain(id(500230)), ["重庆市", "丰都县"]);
        assert_eq!(d.chain(id(429004)), ["湖北省", "仙桃市"]);
        assert_eq!(d.chain(id(441900)), ["广东省", "东莞市"]);
        assert_eq!(d.node(id(441900)).level, Level::City);
        assert_eq!(d.chain(id(440608)), ["广东省", "佛山市", "高明区"]);
        assert!(
            d.nodes
                .iter()
                .all(|n| !PLACEHOLDER_CITIES.contains(&n.name))
        );
    }

    #[test]
    fn sibling_zone_gives_up_its_short_form() {
        let d = Divisions::parse(DIVISIONS).unwrap();
        let ids: Vec<_> = d.by_name["北戴河"]
            .iter()
            .map(|(id, _)| d.node(*id).name)
            .collect();
        assert_eq!(ids, ["北戴河区"]);
    }

    #[test]
    fn towns_parse_and_point_at_counties() {
        let d = Divisions::parse(DIVISIONS).unwrap();
        let towns = parse_towns(TOWNS, &d).unwrap();
        assert!(towns.len() > 30_000, "{}", towns.len());
        let mingcheng: Vec<_> = towns
            .iter()
            .filter(|(n, _)| *n == "明城镇")
            .map(|(_, c)| d.chain(*c))
            .collect();
        assert!(
            mingcheng.contains(&vec!["广东省", "佛山市", "高明区"]),
            "{mingcheng:?}"
        );
        let humen = towns.iter().find(|(n, _)| *n == "虎门镇").unwrap();
        assert_eq!(d.node(humen.1).name, "东莞市");
    }
}
