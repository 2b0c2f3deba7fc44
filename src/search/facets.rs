//! Facet counts: how many of the matching articles fall in each region
//! (as a tree), year and month, topic, and keyword.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::schema::{Facet, Field};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// How many keywords are reported.
pub const TOP_KEYWORDS: usize = 20;

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

/// Counts for every facet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FacetCounts {
    /// Primary regions, as a tree from provinces down.
    pub region: Vec<FacetNode>,
    /// Years, with months below them.
    pub year: Vec<FacetNode>,
    /// Topics.
    pub topic: Vec<FacetNode>,
    /// The most frequent keywords.
    pub keyword: Vec<FacetNode>,
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

/// Counts matching documents per facet value. For a hierarchical field
/// every ancestor of a document's values counts too, once per document (an
/// article about 高明区 and 禅城区 counts once for 佛山市). tantivy's
/// `FacetCollector` counts one level below each requested facet and cannot
/// be asked for a whole tree, hence this collector.
pub struct TreeCollector {
    field: String,
    hierarchical: bool,
}

impl TreeCollector {
    /// Counts the values of the facet field `field`, with their ancestors
    /// when `hierarchical`.
    pub fn new(field: &str, hierarchical: bool) -> TreeCollector {
        TreeCollector {
            field: field.to_string(),
            hierarchical,
        }
    }
}

/// Facet paths (`/广东省/佛山市`) and the number of documents under each.
pub type PathCounts = BTreeMap<String, u64>;

/// The per-segment part of [`TreeCollector`].
pub struct TreeSegmentCollector {
    reader: FacetReader,
    /// For each facet ordinal, the ids of the paths it counts for
    /// (empty for a flat field, where the ordinal itself is counted).
    paths_of: Vec<Vec<u32>>,
    /// The path of each id.
    paths: Vec<String>,
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
        let n = reader.num_facets();
        let mut paths = Vec::new();
        let mut paths_of = Vec::new();
        if self.hierarchical {
            let mut ids: HashMap<String, u32> = HashMap::new();
            let mut facet = Facet::root();
            for ord in 0..n as u64 {
                reader.facet_from_ord(ord, &mut facet)?;
                let parts = facet.to_path();
                let mut own = Vec::with_capacity(parts.len());
                for depth in 1..=parts.len() {
                    let path = format!("/{}", parts[..depth].join("/"));
                    let next = ids.len() as u32;
                    let id = *ids.entry(path.clone()).or_insert_with(|| {
                        paths.push(path);
                        next
                    });
                    own.push(id);
                }
                paths_of.push(own);
            }
        }
        let slots = if self.hierarchical { paths.len() } else { n };
        Ok(TreeSegmentCollector {
            reader,
            paths_of,
            paths,
            counts: vec![0; slots],
            scratch: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<PathCounts>) -> tantivy::Result<PathCounts> {
        let mut merged = PathCounts::new();
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
            match self.paths_of.get(ord as usize) {
                Some(ids) => self.scratch.extend(ids),
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
        let mut out = PathCounts::new();
        let mut facet = Facet::root();
        for (slot, &count) in self.counts.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let path = match self.paths.get(slot) {
                Some(path) => path.clone(),
                None => {
                    if self.reader.facet_from_ord(slot as u64, &mut facet).is_err() {
                        continue;
                    }
                    facet.to_path_string()
                }
            };
            out.insert(path, count);
        }
        out
    }
}

/// Collectors for the four facets, to run with the query.
pub struct Collectors {
    pub(super) region: TreeCollector,
    pub(super) year: TreeCollector,
    pub(super) topic: TreeCollector,
    pub(super) keyword: TreeCollector,
}

impl Collectors {
    /// Collectors for the facet fields of a zhsearch index.
    pub fn new() -> Collectors {
        Collectors {
            region: TreeCollector::new("region", true),
            year: TreeCollector::new("year", true),
            topic: TreeCollector::new("topic", false),
            keyword: TreeCollector::new("keyword", false),
        }
    }
}

impl Default for Collectors {
    fn default() -> Self {
        Collectors::new()
    }
}

/// Builds the tree below `parent` ("" for the root) from path counts.
fn tree(counts: &PathCounts, parent: &str, limit: Option<usize>) -> Vec<FacetNode> {
    let prefix = format!("{parent}/");
    let mut nodes: Vec<FacetNode> = counts
        .range(prefix.clone()..)
        .take_while(|(path, _)| path.starts_with(&prefix))
        .filter(|(path, _)| !path[prefix.len()..].contains('/'))
        .map(|(path, &count)| FacetNode {
            name: path[prefix.len()..].to_string(),
            path: path.clone(),
            count,
            children: tree(counts, path, limit),
        })
        .collect();
    nodes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.path.cmp(&b.path)));
    if let Some(limit) = limit {
        nodes.truncate(limit);
    }
    nodes
}

/// Turns collected counts into facet trees.
pub fn counts(
    region: &PathCounts,
    year: &PathCounts,
    topic: &PathCounts,
    keyword: &PathCounts,
) -> FacetCounts {
    let mut years = tree(year, "", None);
    // Years read best newest first; months in calendar order.
    years.sort_by(|a, b| b.name.cmp(&a.name));
    for y in &mut years {
        y.children.sort_by(|a, b| a.name.cmp(&b.name));
    }
    FacetCounts {
        region: tree(region, "", None),
        year: years,
        topic: tree(topic, "", None),
        keyword: tree(keyword, "", Some(TOP_KEYWORDS)),
    }
}
