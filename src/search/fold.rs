//! Folding near-duplicates: one hit per cluster of near-identical articles
//! (found at index time, [`crate::indexer::dups`]), the cluster's
//! highest-ranked article, with the others that match the query as its
//! `similar` ids.
//!
//! Pages count clusters: the search collects more candidates than the page
//! shows ([`window`]), from the first, and more again while folding leaves
//! the page short, so that page 2 starts after the clusters of page 1. The
//! `similar` articles of a hit are every matching article of its cluster,
//! ranked beyond the candidates or not, in the request's order. Totals and
//! facet counts count articles; [`ClusterSizes`], collected with them,
//! gives the hits (clusters) all the matches fold into, which is what pages
//! count.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::query::{BooleanQuery, Occur, Query, TermSetQuery};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader, Term};

use super::{Engine, Request};
use crate::error::Result;

/// Candidates collected for a page of hits that are to be folded: twice
/// what the page reaches, and ten more.
pub(super) fn window(reach: usize) -> usize {
    reach.saturating_mul(2).saturating_add(10)
}

/// A page folded: its hits (score and address) and, for each, the
/// addresses of the matching articles folded under it.
pub(super) struct Folded {
    pub top: Vec<(f32, DocAddress)>,
    pub similar: Vec<Vec<String>>,
}

/// The cluster of each document, read from the `cluster` fast field of its
/// segment.
struct ClusterOf<'s> {
    searcher: &'s Searcher,
    field: String,
    columns: HashMap<u32, Option<Column<u64>>>,
}

impl ClusterOf<'_> {
    /// The cluster of `address`: its own address when it has none (an
    /// article alone).
    fn get(&mut self, address: DocAddress) -> Key {
        let column = self.columns.entry(address.segment_ord).or_insert_with(|| {
            let segment = self.searcher.segment_reader(address.segment_ord);
            segment.fast_fields().u64(&self.field).ok()
        });
        match column.as_ref().and_then(|c| c.first(address.doc_id)) {
            Some(cluster) => Key::Cluster(cluster),
            None => Key::Alone(address),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Cluster(u64),
    Alone(DocAddress),
}

/// The clusters of more than one article in an index, and the documents of
/// each segment in them, found once for each set of segments: the clusters
/// as the last commit records them or, in an index begun before they were
/// recorded, from the term dictionary of `cluster` read whole (every
/// article has a cluster id).
#[derive(Default)]
pub(super) struct MultiClusters {
    known: Mutex<Option<Known>>,
}

/// The segments, and in each the documents of shared clusters (sorted, with
/// their cluster).
type Known = (Vec<SegmentId>, Arc<Members>);
type Members = HashMap<SegmentId, Arc<[(DocId, u64)]>>;

impl MultiClusters {
    /// The documents in clusters of more than one document of `field`, by
    /// segment of `searcher`.
    fn members(&self, searcher: &Searcher, field: Field) -> tantivy::Result<Arc<Members>> {
        let mut segments: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        segments.sort();
        if let Some((of, members)) = self.lock().as_ref()
            && *of == segments
        {
            return Ok(Arc::clone(members));
        }
        // Found without the lock: searches of the segments already known
        // are not held up meanwhile.
        let shared: HashSet<u64> = match crate::indexer::shared_clusters(searcher.index()) {
            Some(shared) => shared.into_iter().collect(),
            None => Self::read_shared(searcher, field)?,
        };
        let mut members = Members::new();
        if !shared.is_empty() {
            let name = searcher.schema().get_field_name(field);
            for segment in searcher.segment_readers() {
                // One pass over the column: as cheap for a million
                // documents as for a thousand clusters.
                let column = segment.fast_fields().u64(name)?;
                let docs: Vec<(DocId, u64)> = (0..segment.max_doc())
                    .filter_map(|doc| {
                        let cluster = column.first(doc)?;
                        shared.contains(&cluster).then_some((doc, cluster))
                    })
                    .collect();
                if !docs.is_empty() {
                    members.insert(segment.segment_id(), docs.into());
                }
            }
        }
        let members = Arc::new(members);
        *self.lock() = Some((segments, Arc::clone(&members)));
        Ok(members)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Known>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The clusters of more than one document, from the term dictionary.
    fn read_shared(searcher: &Searcher, field: Field) -> tantivy::Result<HashSet<u64>> {
        let mut docs: HashMap<u64, u32> = HashMap::new();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(field)?;
            let mut stream = index.terms().stream()?;
            while stream.advance() {
                let id = u64::from_be_bytes(stream.key().try_into().unwrap_or_default());
                *docs.entry(id).or_default() += stream.value().doc_freq;
            }
        }
        Ok(docs
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(id, _)| id)
            .collect())
    }
}

/// Collects how many matching documents each shared cluster has, beside
/// the search's other collectors: a cursor through the segment's members,
/// so that it costs next to nothing per match.
pub(super) struct ClusterSizes {
    members: Arc<Members>,
}

pub(super) struct SegmentClusterSizes {
    /// The segment's documents in shared clusters, if any.
    members: Option<Arc<[(DocId, u64)]>>,
    next: usize,
    sizes: HashMap<u64, usize>,
}

impl ClusterSizes {
    /// How many hits `total` matches fold into, given the sizes collected
    /// (none: no cluster of several articles, each match a hit).
    pub(super) fn hits(total: usize, sizes: Option<&HashMap<u64, usize>>) -> usize {
        let folded: usize = sizes.map_or(0, |s| s.values().map(|n| n.saturating_sub(1)).sum());
        total.saturating_sub(folded)
    }
}

impl Collector for ClusterSizes {
    type Fruit = HashMap<u64, usize>;
    type Child = SegmentClusterSizes;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(SegmentClusterSizes {
            members: self.members.get(&segment.segment_id()).cloned(),
            next: 0,
            sizes: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all = HashMap::new();
        for fruit in fruits {
            for (cluster, n) in fruit {
                *all.entry(cluster).or_default() += n;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentClusterSizes {
    type Fruit = HashMap<u64, usize>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(members) = &self.members else {
            return;
        };
        // Matches come in document order.
        while self.next < members.len() && members[self.next].0 < doc {
            self.next += 1;
        }
        if let Some(&(member, cluster)) = members.get(self.next)
            && member == doc
        {
            *self.sizes.entry(cluster).or_default() += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.sizes
    }
}

impl Engine {
    /// A collector of the sizes of the shared clusters among a search's
    /// matches, or `None` when the request does not fold
    /// ([`Request::folds`]) or the index has no cluster of more than one
    /// article (every match is a hit of its own).
    pub(super) fn cluster_sizes(
        &self,
        searcher: &Searcher,
        request: &Request,
    ) -> Result<Option<ClusterSizes>> {
        if !request.folds() {
            return Ok(None);
        }
        let members = self
            .multi_clusters
            .members(searcher, self.zh.fields.cluster)
            .map_err(|e| self.tantivy(e))?;
        Ok((!members.is_empty()).then_some(ClusterSizes { members }))
    }

    /// Folds `top`, the first candidates of `query` in the request's order
    /// (as many as [`window`] of the page's reach asked for), of `total`
    /// matches: the request's page of clusters, each hit with its similar
    /// articles' ids.
    pub(super) fn fold(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &Request,
        mut top: Vec<(f32, DocAddress)>,
        total: usize,
    ) -> Result<Folded> {
        let f = &self.zh.fields;
        let mut clusters = ClusterOf {
            searcher,
            field: f.schema.get_field_name(f.cluster).to_string(),
            columns: HashMap::new(),
        };
        let limit = request.limit.min(super::MAX_LIMIT);
        let reach = request.offset + limit;
        let mut asked = window(reach);
        let firsts = loop {
            let mut seen = HashSet::new();
            let firsts: Vec<usize> = (0..top.len())
                .filter(|&i| seen.insert(clusters.get(top[i].1)))
                .collect();
            if firsts.len() >= reach || top.len() < asked || top.len() >= total {
                break firsts;
            }
            request.deadline.check()?;
            asked = asked.saturating_mul(4).min(total);
            top = self.candidates(searcher, query, request, asked)?;
        };
        let page: Vec<(f32, DocAddress)> = firsts
            .iter()
            .skip(request.offset)
            .take(limit)
            .map(|&i| top[i])
            .collect();
        let similar = self.similar(searcher, query, request, &page, &mut clusters)?;
        Ok(Folded { top: page, similar })
    }

    /// The first `limit` matches of `query` in the request's order.
    fn candidates(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &Request,
        limit: usize,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let mut wider = request.clone();
        wider.offset = 0;
        wider.limit = limit;
        wider.facets = false;
        wider.collapse = false;
        Ok(self.collect(searcher, query, &wider)?.0)
    }

    /// For each hit of `page`, the ids of the other matches of `query` in
    /// its cluster, in the request's order.
    fn similar(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        request: &Request,
        page: &[(f32, DocAddress)],
        clusters: &mut ClusterOf,
    ) -> Result<Vec<Vec<String>>> {
        let f = &self.zh.fields;
        let keys: Vec<Key> = page.iter().map(|&(_, a)| clusters.get(a)).collect();
        // Only clusters of more than one article in the index are looked up.
        let mut terms = Vec::new();
        let mut members = 0u64;
        for key in &keys {
            if let Key::Cluster(cluster) = *key {
                let term = Term::from_field_u64(f.cluster, cluster);
                let n = searcher.doc_freq(&term).map_err(|e| self.tantivy(e))?;
                if n > 1 {
                    members += n;
                    terms.push(term);
                }
            }
        }
        let mut similar = vec![Vec::new(); page.len()];
        if terms.is_empty() {
            return Ok(similar);
        }
        let within = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (
                Occur::Must,
                Box::new(TermSetQuery::new(terms)) as Box<dyn Query>,
            ),
        ]);
        let shown: HashSet<DocAddress> = page.iter().map(|&(_, a)| a).collect();
        let found = self.candidates(searcher, &within, request, members as usize)?;
        let of_key: HashMap<Key, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let mut folded: Vec<(usize, DocAddress)> = Vec::new();
        for (_, address) in found {
            if shown.contains(&address) {
                continue;
            }
            if let Some(&hit) = of_key.get(&clusters.get(address)) {
                folded.push((hit, address));
            }
        }
        let ids = self.ids_of(searcher, folded.iter().map(|&(_, a)| a))?;
        for ((hit, _), id) in folded.into_iter().zip(ids) {
            similar[hit].push(id);
        }
        Ok(similar)
    }

    /// The ids of documents, from the `id` fast field.
    fn ids_of(
        &self,
        searcher: &Searcher,
        addresses: impl Iterator<Item = DocAddress>,
    ) -> Result<Vec<String>> {
        let f = &self.zh.fields;
        let name = f.schema.get_field_name(f.id);
        let mut columns = HashMap::new();
        let mut ids = Vec::new();
        for address in addresses {
            let column = match columns.entry(address.segment_ord) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(new) => new.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .str(name)
                        .map_err(|e| self.tantivy(e))?,
                ),
            };
            let mut id = String::new();
            if let Some(column) = column
                && let Some(ord) = column.term_ords(address.doc_id).next()
            {
                column
                    .ord_to_str(ord, &mut id)
                    .map_err(|e| self.tantivy(e.into()))?;
            }
            ids.push(id);
        }
        Ok(ids)
    }
}
