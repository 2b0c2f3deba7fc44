//! Facet counts: how many of the matching articles fall in each region
//! (as a tree), year and month, topic, and keyword.
//!
//! Counts are conjunctive by default (every filter applies to every facet).
//! Asked for disjunctive counts ([`crate::search::Request::disjunctive`]), a
//! facet whose own filter is in use is counted without it
//! ([`without_own_filter`]), as facet UIs do: each count is then the number
//! of articles a click on that value adds to (or gives alone with) the
//! other filters, and `missing` says how many matching articles have no
//! value at all.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::schema::{Facet, Field};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::error::Result;
use crate::schema::{FACETS, FacetFilter, FacetKind, FacetSpec};
use crate::search::{Engine, Filters, Request};

pub use crate::schema::TOP_KEYWORDS;

/// One value of a facet, with the number of matching articles and, for
/// hierarchical facets, its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetNode {
    /// The last component (`高明区`, `2024`, `09`).
    pub name: String,
    /// The whole path (`/广东省/佛山市/高明区`).
    pub path: String,
    /// Matching articles with this value (or a value below it).
    pub count: u64,
    /// Values below this one, most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<FacetNode>,
}

/// Counts for every facet of [`FACETS`], in its order. As JSON, an object
/// with one key per facet and `undated`:
/// `{"region": [...], "year": [...], "topic": [...], "keyword": [...], "undated": 0}`,
/// and with disjunctive counts `"missing": {"region": 3, ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCounts {
    /// Each facet with its values (for [`FacetKind::Top`], the most frequent).
    pub facets: Vec<(FacetSpec, Vec<FacetNode>)>,
    /// Matching articles with no known date (so in no year).
    pub undated: usize,
    /// With disjunctive counts: for each facet, the matching articles (counted
    /// as its values are) with no value of it.
    pub missing: Option<Vec<u64>>,
}

impl Default for FacetCounts {
    /// Every facet, with no values.
    fn default() -> Self {
        FacetCounts {
            facets: FACETS.iter().map(|&spec| (spec, Vec::new())).collect(),
            undated: 0,
            missing: None,
        }
    }
}

impl FacetCounts {
    /// The values counted for the facet `name` (none for an unknown name).
    pub fn get(&self, name: &str) -> &[FacetNode] {
        self.facets
            .iter()
            .find(|(spec, _)| spec.name == name)
            .map_or(&[], |(_, nodes)| nodes.as_slice())
    }
}

impl std::ops::Index<&str> for FacetCounts {
    type Output = [FacetNode];

    fn index(&self, name: &str) -> &[FacetNode] {
        self.get(name)
    }
}

impl Serialize for FacetCounts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.facets.len() + 1))?;
        for (spec, nodes) in &self.facets {
            map.serialize_entry(spec.name, nodes)?;
        }
        map.serialize_entry("undated", &self.undated)?;
        if let Some(missing) = &self.missing {
            let by_name: serde_json::Map<String, serde_json::Value> = self
                .facets
                .iter()
                .zip(missing)
                .map(|((spec, _), &n)| (spec.name.to_string(), n.into()))
                .collect();
            map.serialize_entry("missing", &by_name)?;
        }
        map.end()
    }
}

/// Every facet value (with its ancestors) present in a field.
pub(crate) fn facets_in(searcher: &Searcher, field: Field) -> tantivy::Result<BTreeSet<Facet>> {
    let mut facets = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut stream = index.terms().stream()?;
        while stream.advance() {
            if let Ok(facet) = Facet::from_encoded(stream.key().to_vec()) {
                facets.insert(facet);
            }
        }
    }
    Ok(facets)
}

/// What a segment's facet dictionary means, decoded once per segment (they
/// never change) and shared by every search on it.
struct SegmentFacets {
    /// The name of each counting slot: a facet path.
    names: Vec<Arc<str>>,
    /// For a hierarchical field, the slots each ordinal counts for (the value
    /// and its ancestors); empty for a flat field, where slot = ordinal.
    slots_of: Vec<Vec<u32>>,
}

impl SegmentFacets {
    fn decode(reader: &FacetReader, hierarchical: bool) -> tantivy::Result<SegmentFacets> {
        let mut names: Vec<Arc<str>> = Vec::new();
        let mut slots_of = Vec::new();
        let mut ids: HashMap<Arc<str>, u32> = HashMap::new();
        // The dictionary in order: ordinal i is the i-th term.
        let mut terms = reader.facet_dict().stream()?;
        while terms.advance() {
            let facet = Facet::from_encoded(terms.key().to_vec())
                .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
            if !hierarchical {
                names.push(Arc::from(facet.to_path_string()));
                continue;
            }
            let parts = facet.to_path();
            let mut own = Vec::with_capacity(parts.len());
            for depth in 1..=parts.len() {
                let path: Arc<str> = Arc::from(format!("/{}", parts[..depth].join("/")));
                let next = names.len() as u32;
                let id = *ids.entry(Arc::clone(&path)).or_insert_with(|| {
                    names.push(path);
                    next
                });
                own.push(id);
            }
            slots_of.push(own);
        }
        Ok(SegmentFacets { names, slots_of })
    }
}

/// Decoded facet dictionaries by segment and field, kept by an [`crate::search::Engine`].
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<(SegmentId, String), Arc<SegmentFacets>>>,
}

impl FacetCache {
    fn get(
        &self,
        segment: &SegmentReader,
        field: &str,
        hierarchical: bool,
    ) -> tantivy::Result<Arc<SegmentFacets>> {
        let key = (segment.segment_id(), field.to_string());
        if let Some(found) = self.lock().get(&key) {
            return Ok(Arc::clone(found));
        }
        let decoded = Arc::new(SegmentFacets::decode(
            &segment.facet_reader(field)?,
            hierarchical,
        )?);
        self.lock().insert(key, Arc::clone(&decoded));
        Ok(decoded)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(SegmentId, String), Arc<SegmentFacets>>> {
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets segments that are no longer part of the index (merged away).
    pub fn retain(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        self.lock().retain(|(id, _), _| live.contains(id));
    }
}

/// Counts matching documents per facet value. For a hierarchical field
/// every ancestor of a document's values counts too, once per document (an
/// article about 高明区 and 禅城区 counts once for 佛山市). tantivy's
/// `FacetCollector` counts one level below each requested facet and cannot
/// be asked for a whole tree, hence this collector.
pub struct TreeCollector {
    field: String,
    hierarchical: bool,
    cache: Arc<FacetCache>,
}

impl TreeCollector {
    /// Counts the values of the facet field `field`, with their ancestors
    /// when `hierarchical`.
    pub fn new(field: &str, hierarchical: bool, cache: Arc<FacetCache>) -> TreeCollector {
        TreeCollector {
            field: field.to_string(),
            hierarchical,
            cache,
        }
    }
}

/// Facet paths (`/广东省/佛山市`) and the number of documents under each;
/// under [`NO_VALUE`], the documents with no value.
pub type PathCounts = HashMap<Arc<str>, u64>;

/// The key of [`PathCounts`] counting documents with no value (no path is empty).
pub const NO_VALUE: &str = "";

/// The per-segment part of [`TreeCollector`].
pub struct TreeSegmentCollector {
    reader: FacetReader,
    facets: Arc<SegmentFacets>,
    counts: Vec<u64>,
    scratch: Vec<u32>,
    /// Documents with no value.
    none: u64,
}

impl Collector for TreeCollector {
    type Fruit = PathCounts;
    type Child = TreeSegmentCollector;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let reader = segment.facet_reader(&self.field)?;
        let facets = self.cache.get(segment, &self.field, self.hierarchical)?;
        Ok(TreeSegmentCollector {
            counts: vec![0; facets.names.len()],
            reader,
            facets,
            scratch: Vec::new(),
            none: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<PathCounts>) -> tantivy::Result<PathCounts> {
        let mut fruits = fruits.into_iter();
        let mut merged = fruits.next().unwrap_or_default();
        for fruit in fruits {
            for (path, count) in fruit {
                *merged.entry(path).or_insert(0) += count;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for TreeSegmentCollector {
    type Fruit = PathCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.scratch.clear();
        for ord in self.reader.facet_ords(doc) {
            match self.facets.slots_of.get(ord as usize) {
                Some(slots) => self.scratch.extend(slots),
                None => self.scratch.push(ord as u32),
            }
        }
        if self.scratch.is_empty() {
            self.none += 1;
            return;
        }
        self.scratch.sort_unstable();
        self.scratch.dedup();
        for &slot in &self.scratch {
            self.counts[slot as usize] += 1;
        }
    }

    fn harvest(self) -> PathCounts {
        let mut counts: PathCounts = self
            .counts
            .iter()
            .zip(&self.facets.names)
            .filter(|(count, _)| **count > 0)
            .map(|(&count, name)| (Arc::clone(name), count))
            .collect();
        if self.none > 0 {
            counts.insert(Arc::from(NO_VALUE), self.none);
        }
        counts
    }
}

/// Counts every facet of [`FACETS`] in one pass over the matching
/// documents: one [`TreeCollector`] per facet.
pub struct FacetCollector {
    facets: Vec<TreeCollector>,
}

impl FacetCollector {
    /// A collector for every facet of [`FACETS`].
    pub fn new(cache: &Arc<FacetCache>) -> FacetCollector {
        let facets = FACETS
            .iter()
            .map(|spec| TreeCollector::new(spec.name, spec.kind.hierarchical(), Arc::clone(cache)))
            .collect();
        FacetCollector { facets }
    }
}

/// The per-segment part of [`FacetCollector`].
pub struct FacetSegmentCollector {
    facets: Vec<TreeSegmentCollector>,
}

impl Collector for FacetCollector {
    /// Path counts per facet, in the order of [`FACETS`].
    type Fruit = Vec<PathCounts>;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let facets = self
            .facets
            .iter()
            .map(|c| c.for_segment(ord, segment))
            .collect::<tantivy::Result<_>>()?;
        Ok(FacetSegmentCollector { facets })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<PathCounts>>) -> tantivy::Result<Vec<PathCounts>> {
        let mut by_facet: Vec<Vec<PathCounts>> = self.facets.iter().map(|_| Vec::new()).collect();
        for fruit in fruits {
            for (counts, all) in fruit.into_iter().zip(&mut by_facet) {
                all.push(counts);
            }
        }
        self.facets
            .iter()
            .zip(by_facet)
            .map(|(c, fruits)| c.merge_fruits(fruits))
            .collect()
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Vec<PathCounts>;

    fn collect(&mut self, doc: DocId, score: Score) {
        for facet in &mut self.facets {
            facet.collect(doc, score);
        }
    }

    fn harvest(self) -> Vec<PathCounts> {
        self.facets.into_iter().map(|f| f.harvest()).collect()
    }
}

/// Builds the tree below `parent` ("" for the root) from path counts.
fn tree(counts: &BTreeMap<&str, u64>, parent: &str) -> Vec<FacetNode> {
    let prefix = format!("{parent}/");
    let mut nodes: Vec<FacetNode> = counts
        .range(prefix.as_str()..)
        .take_while(|(path, _)| path.starts_with(&prefix))
        .filter(|(path, _)| !path[prefix.len()..].contains('/'))
        .map(|(path, &count)| FacetNode {
            name: path[prefix.len()..].to_string(),
            path: path.to_string(),
            count,
            children: tree(counts, path),
        })
        .collect();
    nodes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.path.cmp(&b.path)));
    nodes
}

fn sorted(counts: &PathCounts) -> BTreeMap<&str, u64> {
    counts.iter().map(|(k, &v)| (k.as_ref(), v)).collect()
}

/// The `limit` most frequent values of a flat facet.
fn top(counts: &PathCounts, limit: usize) -> Vec<FacetNode> {
    let mut all: Vec<(&Arc<str>, u64)> = counts
        .iter()
        .filter(|(k, _)| k.as_ref() != NO_VALUE)
        .map(|(k, &v)| (k, v))
        .collect();
    let by_count =
        |a: &(&Arc<str>, u64), b: &(&Arc<str>, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
    if all.len() > limit {
        all.select_nth_unstable_by(limit, by_count);
        all.truncate(limit);
    }
    all.sort_by(by_count);
    all.into_iter()
        .map(|(path, count)| FacetNode {
            name: path.trim_start_matches('/').to_string(),
            path: path.to_string(),
            count,
            children: Vec::new(),
        })
        .collect()
}

/// The values of one facet, from its path counts.
fn nodes(kind: FacetKind, counts: &PathCounts) -> Vec<FacetNode> {
    match kind {
        FacetKind::Tree | FacetKind::Flat => tree(&sorted(counts), ""),
        FacetKind::Calendar => {
            let mut years = tree(&sorted(counts), "");
            // Years read best newest first; months in calendar order.
            years.sort_by(|a, b| b.name.cmp(&a.name));
            for y in &mut years {
                y.children.sort_by(|a, b| a.name.cmp(&b.name));
            }
            years
        }
        FacetKind::Top(limit) => top(counts, limit),
    }
}

/// Turns the path counts of a [`FacetCollector`] into facet counts, with
/// `undated` articles (counted by the caller, with a query of its own).
pub fn counts(collected: &[PathCounts], undated: usize) -> FacetCounts {
    FacetCounts {
        facets: FACETS
            .iter()
            .zip(collected)
            .map(|(&spec, counts)| (spec, nodes(spec.kind, counts)))
            .collect(),
        undated,
        missing: None,
    }
}

/// How finely [`timeline`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// A line a month.
    Month,
    /// A line a year.
    Year,
}

/// The matching articles of one month or year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodCount {
    /// `2023-09` or `2023`.
    pub period: String,
    /// Matching articles dated in it.
    pub count: u64,
}

/// The matching articles over time, from the calendar facet of `counts`:
/// every month (or year) from the first to the last with articles, empty
/// ones included, oldest first. With `Period::Month`, articles dated to
/// the year only are in no month; the second value counts them.
pub fn timeline(counts: &FacetCounts, by: Period) -> (Vec<PeriodCount>, u64) {
    let Some((_, years)) = counts
        .facets
        .iter()
        .find(|(spec, _)| spec.kind == FacetKind::Calendar)
    else {
        return (Vec::new(), 0);
    };
    let number = |name: &str| name.parse::<i32>().ok();
    let mut found: BTreeMap<(i32, u32), u64> = BTreeMap::new();
    let mut year_only = 0;
    for year in years {
        let Some(y) = number(&year.name) else {
            continue;
        };
        match by {
            Period::Year => {
                found.insert((y, 0), year.count);
            }
            Period::Month => {
                let mut in_months = 0;
                for month in &year.children {
                    if let Some(m) = number(&month.name).and_then(|m| u32::try_from(m).ok()) {
                        found.insert((y, m), month.count);
                        in_months += month.count;
                    }
                }
                year_only += year.count.saturating_sub(in_months);
            }
        }
    }
    let (Some(&first), Some(&last)) = (found.keys().next(), found.keys().next_back()) else {
        return (Vec::new(), year_only);
    };
    let mut out = Vec::new();
    let mut at = first;
    while at <= last {
        out.push(PeriodCount {
            period: match by {
                Period::Year => format!("{:04}", at.0),
                Period::Month => format!("{:04}-{:02}", at.0, at.1),
            },
            count: found.get(&at).copied().unwrap_or(0),
        });
        at = match (by, at) {
            (Period::Year, (y, m)) => (y + 1, m),
            (Period::Month, (y, 12)) => (y + 1, 1),
            (Period::Month, (y, m)) => (y, m + 1),
        };
    }
    (out, year_only)
}

/// How many documents of `counts` have no value.
pub fn missing(counts: &PathCounts) -> u64 {
    counts.get(NO_VALUE).copied().unwrap_or(0)
}

/// `filters` without the facet `spec`'s own filter, or `None` when that
/// filter is not in use (then its disjunctive counts are its counts).
pub fn without_own_filter(filters: &Filters, spec: &FacetSpec) -> Option<Filters> {
    let mut without = filters.clone();
    let in_use = match spec.filter {
        FacetFilter::None => false,
        FacetFilter::Dates => {
            let in_use = without.since.is_some() || without.until.is_some();
            without.since = None;
            without.until = None;
            in_use
        }
        FacetFilter::Param { param, .. } => match without.values_mut(param) {
            Some(values) => !std::mem::take(values).is_empty(),
            // Not a filter yet (a unit test below fails until it is).
            None => false,
        },
    };
    in_use.then_some(without)
}

impl super::Engine {
    /// Makes `counts` (of `request`, from the path counts `collected` of a
    /// search that required `min_words` of the words, when it was relaxed)
    /// disjunctive: each facet whose own filter `request` uses is counted
    /// again without it (one more pass each, as relaxed as the search), and
    /// `missing` is filled.
    pub(super) fn disjunctive(
        &self,
        searcher: &Searcher,
        topics: &[String],
        request: &Request,
        collected: &[PathCounts],
        min_words: Option<usize>,
        counts: &mut FacetCounts,
    ) -> Result<()> {
        let mut absent: Vec<u64> = collected.iter().map(missing).collect();
        for (i, spec) in FACETS.iter().enumerate() {
            let Some(filters) = without_own_filter(&request.filters, spec) else {
                continue;
            };
            let mut other = request.clone();
            other.filters = filters;
            (other.limit, other.offset, other.facets) = (1, 0, true);
            // Only the counts: no hits to fold.
            other.collapse = false;
            let (node, text) = Engine::parse(&other)?;
            let planner = self.planner(searcher, topics, &other);
            let planner = match min_words {
                Some(k) => planner.with_min_words(k),
                None => planner,
            };
            let plan = planner.plan(&node, &text)?;
            let (_, _, Some(all), _) = self.collect(searcher, &plan.query, &other)? else {
                continue;
            };
            counts.facets[i].1 = nodes(spec.kind, &all[i]);
            absent[i] = missing(&all[i]);
            if spec.kind == FacetKind::Calendar {
                counts.undated = self.count_undated(searcher, plan.query, &other)?;
            }
        }
        counts.missing = Some(absent);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filter_of_the_table_can_be_left_out() {
        let filters = Filters {
            regions: vec!["佛山".into()],
            topics: vec!["党建".into()],
            since: Some("2023".into()),
            until: Some("２０２４-06".into()),
        };
        for spec in FACETS {
            let without = without_own_filter(&filters, &spec);
            match spec.filter {
                FacetFilter::None => assert!(without.is_none(), "{}", spec.name),
                _ => {
                    let without = without.unwrap_or_else(|| panic!("{}", spec.name));
                    // Only its own filter is gone.
                    let kept = [
                        !without.regions.is_empty(),
                        !without.topics.is_empty(),
                        without.since.is_some() && without.until.is_some(),
                    ];
                    assert_eq!(kept.iter().filter(|k| !**k).count(), 1, "{}", spec.name);
                }
            }
            assert!(without_own_filter(&Filters::default(), &spec).is_none());
        }
    }

    fn node(path: &str, count: u64, children: Vec<FacetNode>) -> FacetNode {
        FacetNode {
            name: path.rsplit('/').next().unwrap().to_string(),
            path: path.to_string(),
            count,
            children,
        }
    }

    #[test]
    fn a_timeline_has_every_month_between_the_first_and_the_last() {
        let mut counts = FacetCounts::default();
        let year = FACETS
            .iter()
            .position(|f| f.kind == FacetKind::Calendar)
            .unwrap();
        counts.facets[year].1 = vec![
            node("/2024", 3, vec![node("/2024/02", 3, vec![])]),
            node(
                "/2023",
                5,
                vec![node("/2023/11", 1, vec![]), node("/2023/12", 2, vec![])],
            ),
        ];
        let (months, year_only) = timeline(&counts, Period::Month);
        let months: Vec<(&str, u64)> = months
            .iter()
            .map(|p| (p.period.as_str(), p.count))
            .collect();
        assert_eq!(
            months,
            [
                ("2023-11", 1),
                ("2023-12", 2),
                ("2024-01", 0),
                ("2024-02", 3)
            ]
        );
        assert_eq!(year_only, 2, "two articles of 2023 have no month");
        let (years, _) = timeline(&counts, Period::Year);
        let years: Vec<(&str, u64)> = years.iter().map(|p| (p.period.as_str(), p.count)).collect();
        assert_eq!(years, [("2023", 5), ("2024", 3)]);
        assert_eq!(timeline(&FacetCounts::default(), Period::Month).0, []);
    }

    #[test]
    fn no_value_is_never_a_top_value() {
        let counts: PathCounts = [(Arc::from("/党建"), 2), (Arc::from(NO_VALUE), 5)]
            .into_iter()
            .collect();
        let top = top(&counts, 20);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].name, "党建");
        assert_eq!(missing(&counts), 5);
        assert!(
            tree(&sorted(&counts), "")
                .iter()
                .all(|n| !n.path.is_empty())
        );
    }
}
