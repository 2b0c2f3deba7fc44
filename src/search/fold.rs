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
//! facet counts count articles.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, TermSetQuery};
use tantivy::{DocAddress, Searcher, Term};

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

impl Engine {
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
