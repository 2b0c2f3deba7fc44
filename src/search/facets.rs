//! Facet counts: how many of the matching articles fall in each region
//! (as a tree), year and month, topic, and keyword.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;
use tantivy::schema::{Facet, Field};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::schema::{FACETS, FacetKind, FacetSpec};

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
/// `{"region": [...], "year": [...], "topic": [...], "keyword": [...], "undated": 0}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCounts {
    /// Each facet with its values (for [`FacetKind::Top`], the most frequent).
    pub facets: Vec<(FacetSpec, Vec<FacetNode>)>,
    /// Matching articles with no known date (so in no year).
    pub undated: usize,
}

impl Default for FacetCounts {
    /// Every facet, with no values.
    fn default() -> Self {
        FacetCounts {
            facets: FACETS.iter().map(|&spec| (spec, Vec::new())).collect(),
            undated: 0,
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

/// Facet paths (`/广东省/佛山市`) and the number of documents under each.
pub type PathCounts = HashMap<Arc<str>, u64>;

/// The per-segment part of [`TreeCollector`].
pub struct TreeSegmentCollector {
    reader: FacetReader,
    facets: Arc<SegmentFacets>,
    counts: Vec<u64>,
    scratch: Vec<u32>,
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
        self.scratch.sort_unstable();
        self.scratch.dedup();
        for &slot in &self.scratch {
            self.counts[slot as usize] += 1;
        }
    }

    fn harvest(self) -> PathCounts {
        self.counts
            .iter()
            .zip(&self.facets.names)
            .filter(|(count, _)| **count > 0)
            .map(|(&count, name)| (Arc::clone(name), count))
            .collect()
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
    let mut all: Vec<(&Arc<str>, u64)> = counts.iter().map(|(k, &v)| (k, v)).collect();
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
    }
}
