//! From the names found in one article to its regions: which place each name means, how
//! much evidence each place has, and which places are the article's own.
//!
//! The steps, in order:
//!
//! 1. **Adjacency.** A name written right after one of its ancestors (广州南沙, 佛山市高明区,
//!    高明区明城镇) means the place inside that ancestor, whatever else it could mean. The
//!    ancestors written before it are its path: they count for it as well as for themselves
//!    when it is weighed against [`MIN_MASS`], so that 广东省佛山市高明区, named once, is
//!    高明区 rather than 佛山市.
//! 2. **Anchors.** A name that can mean only one place, or one line of places (吉林 is the
//!    province or the city inside it: the province is taken), and that is trusted on its
//!    own (a full name; a province or city short form) counts at once.
//! 3. **Backing.** The other names count only when the anchors back them. An ambiguous
//!    name (鼓楼区 is in four provinces) takes the candidate whose ancestors or descendants
//!    are named; a county short form (南沙) needs its own full name, its parent, a named
//!    descendant or a town inside it; a name that is also an ordinary word (高明, 新会,
//!    城区: `common-words.txt`) needs its own full name, a descendant or a town. When
//!    nothing decides between candidates, a single province or city among them wins
//!    (海南 is the province, not 海南藏族自治州); equal candidates stay unresolved.
//! 4. **Towns.** A town name (明城镇) supports the county it lies in when that county or
//!    one of its ancestors is named.
//! 5. **Mass and choice.** A place's mass is its own evidence plus its descendants'. The
//!    primary region starts at the province that holds most of the mass and goes down
//!    while one child (rarely two or three) holds most of its parent's mass, so a
//!    district named forty times beats the municipality named in passing.
//! 6. **Digests.** In a digest of separate items (a morning brief, a round-up, a year-end
//!    list: see `items`), a place named only inside one item, not in the title or the
//!    introduction, is that item's place, not the article's: it stays a mention, and the
//!    mass it holds still counts against the others. Places scattered over the items
//!    thus give no primary region.

use super::data::{Divisions, NodeId};
use super::items::item_starts;
use super::matcher::{Cand, CandKind, Hit, Matcher};
use super::{Level, RegionPath, Regions};

/// A town counts for this share of a place name's weight.
const TOWN_FACTOR: f32 = 0.5;
/// Smallest mass of a primary region: one title mention, or three in the body.
const MIN_MASS: f32 = 3.0;
/// The primary places must hold this share of their level's mass.
const MIN_SHARE: f32 = 0.6;
/// A second primary needs this share of the first one's mass ...
const COMPARABLE: f32 = 0.6;
/// ... and at least this mass.
const MULTI_MIN: f32 = 6.0;
/// At most this many primary regions.
const MAX_PRIMARY: usize = 3;
/// Go down to a child only if it has this share of its parent's own evidence.
const CHILD_VS_OWN: f32 = 0.5;
/// A town name with more candidate counties than this backs none of them.
const MAX_BACKING_TOWNS: usize = 2;
/// At most this many lines of evidence.
const MAX_EVIDENCE: usize = 10;

/// Which part of a digest a place's evidence comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// No evidence yet.
    None,
    /// Only the item with this index.
    Item(u32),
    /// The title, the introduction, or more than one item: the whole article.
    Whole,
}

impl Part {
    fn join(self, other: Part) -> Part {
        match (self, other) {
            (Part::None, p) | (p, Part::None) => p,
            (Part::Item(a), Part::Item(b)) if a == b => Part::Item(a),
            _ => Part::Whole,
        }
    }
}

/// How much backing a name needs before it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tier {
    /// Full names, province and city short forms: any related place decides.
    Trusted,
    /// County short forms: their own full name, their parent or a descendant.
    Parent,
    /// Ordinary words: their own full name or a descendant only.
    Common,
}

/// The evidence gathered for one place.
#[derive(Clone, Copy, Debug)]
struct Place {
    node: NodeId,
    /// Weight of the names that mean this place.
    direct: f32,
    /// Weight of the towns credited to it.
    town: f32,
    /// `direct + town` of this place and all its descendants.
    mass: f32,
    /// Weight of the ancestors written right before its names (its path).
    path: f32,
    /// How many names mean this place, and how many of them are in the title.
    count: u32,
    title: u32,
    /// Where the evidence of this place and its descendants lies.
    part: Part,
}

impl Place {
    /// Whether it may be the article's place: it is not confined to one item of a digest.
    fn speaks_for_the_whole(&self) -> bool {
        !matches!(self.part, Part::Item(_))
    }
}

/// One article's hits and what they were found to mean.
struct Doc<'a> {
    div: &'a Divisions,
    m: &'a Matcher,
    hits: Vec<Hit>,
    /// For each hit, the candidate fixed by adjacency (an index into its pattern's list).
    pinned: Vec<Option<u32>>,
    /// For each hit, the weight of the ancestors written right before it.
    path: Vec<f32>,
    /// Where the items of the body start, if it is a digest (byte offsets).
    items: Vec<u32>,
    places: Vec<Place>,
    /// Towns credited to a county.
    towns: Vec<TownCredit>,
    /// Names left unresolved: (pattern, count, number of candidates).
    ambiguous: Vec<(u32, u32, usize)>,
}

/// A town name credited to a county, and how often.
struct TownCredit {
    county: NodeId,
    /// The town's pattern.
    pat: u32,
    count: u32,
}

/// Finds the regions of an article.
pub(super) fn extract(div: &Divisions, m: &Matcher, title: &str, body: &str) -> Regions {
    let mut doc = Doc {
        div,
        m,
        hits: Vec::with_capacity(64),
        pinned: Vec::new(),
        path: Vec::new(),
        items: Vec::new(),
        places: Vec::with_capacity(16),
        towns: Vec::new(),
        ambiguous: Vec::new(),
    };
    m.scan(title, 0, &mut doc.hits);
    m.scan(body, 1, &mut doc.hits);
    doc.hits.retain(|h| !m.pattern(h.pat).blocker);
    if doc.hits.is_empty() {
        return Regions::default();
    }
    doc.items = item_starts(body);
    doc.pin_adjacent();
    let deferred = doc.anchor();
    let backing = doc.town_backing();
    doc.resolve_deferred(deferred, &backing);
    doc.credit_towns();
    doc.compute_mass();
    let primary = doc.select();
    doc.into_regions(primary)
}

impl Doc<'_> {
    /// The candidates of hit `i` that can still apply: short forms are void when a
    /// different kind of place follows.
    fn usable(&self, i: usize) -> impl Iterator<Item = (u32, Cand)> + '_ {
        let hit = self.hits[i];
        self.m
            .cands(hit.pat)
            .iter()
            .enumerate()
            .filter(move |(_, c)| !(hit.short_blocked && c.kind == CandKind::Short))
            .map(|(k, c)| (k as u32, *c))
    }

    /// Whether hit `i` names provinces, cities or counties (rather than towns).
    fn is_place_hit(&self, i: usize) -> bool {
        self.usable(i).any(|(_, c)| c.kind != CandKind::Town)
    }

    /// Step 1: a name right after one of its ancestors means the place inside it.
    fn pin_adjacent(&mut self) {
        self.pinned = vec![None; self.hits.len()];
        self.path = vec![0.0; self.hits.len()];
        for i in 1..self.hits.len() {
            let (prev, hit) = (self.hits[i - 1], self.hits[i]);
            if prev.text != hit.text || prev.end != hit.start || !self.is_place_hit(i - 1) {
                continue;
            }
            // 天津河北 is two provinces, not 天津市河北区.
            let province = |c: &Cand| {
                c.kind != CandKind::Town && self.div.node(c.node).level == Level::Province
            };
            if self.usable(i).any(|(_, c)| province(&c)) {
                continue;
            }
            let pair = self
                .usable(i - 1)
                .filter(|(_, a)| a.kind != CandKind::Town)
                .find_map(|(ka, a)| {
                    self.usable(i)
                        .find(|(_, c)| match c.kind {
                            CandKind::Town => {
                                a.node == c.node || self.div.is_ancestor(a.node, c.node)
                            }
                            // 辽宁振兴 is no district: an ordinary word needs its own parent.
                            _ if self.tier(hit.pat, c.kind, c.node) == Tier::Common => {
                                self.div.node(c.node).parent == Some(a.node)
                            }
                            _ => self.div.is_ancestor(a.node, c.node),
                        })
                        .map(|(kc, _)| (ka, kc))
                });
            if let Some((ka, kc)) = pair {
                self.pinned[i] = Some(kc);
                self.pinned[i - 1].get_or_insert(ka);
                self.path[i] = prev.weight + self.path[i - 1];
            }
        }
    }

    fn tier(&self, pat: u32, kind: CandKind, node: NodeId) -> Tier {
        if self.m.pattern(pat).common {
            Tier::Common
        } else if kind == CandKind::Full || self.div.node(node).level != Level::County {
            Tier::Trusted
        } else {
            Tier::Parent
        }
    }

    fn place_mut(&mut self, node: NodeId) -> &mut Place {
        let i = match self.places.iter().position(|p| p.node == node) {
            Some(i) => i,
            None => {
                self.places.push(Place {
                    node,
                    direct: 0.0,
                    town: 0.0,
                    mass: 0.0,
                    path: 0.0,
                    count: 0,
                    title: 0,
                    part: Part::None,
                });
                self.places.len() - 1
            }
        };
        &mut self.places[i]
    }

    /// The part of the article hit `i` lies in.
    fn part(&self, i: usize) -> Part {
        let hit = self.hits[i];
        let item = self.items.partition_point(|&start| start <= hit.start);
        match item.checked_sub(1) {
            Some(k) if !hit.in_title => Part::Item(k as u32),
            _ => Part::Whole,
        }
    }

    /// Counts hit `i` as naming `node`.
    fn credit(&mut self, node: NodeId, i: usize) {
        let (hit, path, part) = (self.hits[i], self.path[i], self.part(i));
        let place = self.place_mut(node);
        place.direct += hit.weight;
        place.path += path;
        place.count += 1;
        place.title += u32::from(hit.in_title);
        place.part = place.part.join(part);
    }

    /// Step 2: counts the names that need no backing; returns the others.
    fn anchor(&mut self) -> Vec<usize> {
        let mut deferred = Vec::new();
        for i in 0..self.hits.len() {
            if !self.is_place_hit(i) {
                continue;
            }
            let pat = self.hits[i].pat;
            if let Some(k) = self.pinned[i] {
                let cand = self.m.cands(pat)[k as usize];
                if cand.kind != CandKind::Town {
                    self.credit(cand.node, i);
                }
                continue;
            }
            let top = self.lineage_top(i);
            match top {
                Some((kind, node)) if self.tier(pat, kind, node) == Tier::Trusted => {
                    self.credit(node, i)
                }
                _ => deferred.push(i),
            }
        }
        deferred
    }

    /// The candidate of hit `i` that contains all its other candidates, if there is one.
    fn lineage_top(&self, i: usize) -> Option<(CandKind, NodeId)> {
        let places = || self.usable(i).filter(|(_, c)| c.kind != CandKind::Town);
        let (_, top) = places().min_by_key(|(_, c)| (self.div.node(c.node).level, c.node))?;
        places()
            .all(|(_, c)| {
                self.div.related(top.node, c.node) && !self.div.is_ancestor(c.node, top.node)
            })
            .then_some((top.kind, top.node))
    }

    /// Towns that may back the counties they lie in: (county, weight).
    fn town_backing(&self) -> Vec<(NodeId, f32)> {
        let mut backing = Vec::new();
        for (i, hit) in self.hits.iter().enumerate() {
            if self.is_place_hit(i) {
                continue;
            }
            let cands = self.m.cands(hit.pat);
            match self.pinned[i] {
                Some(k) => backing.push((cands[k as usize].node, hit.weight * TOWN_FACTOR)),
                None if cands.len() <= MAX_BACKING_TOWNS => {
                    backing.extend(cands.iter().map(|c| (c.node, hit.weight * TOWN_FACTOR)));
                }
                None => {}
            }
        }
        backing
    }

    /// How strongly the evidence so far backs reading a name as `node`.
    fn support(&self, node: NodeId, tier: Tier, backing: &[(NodeId, f32)]) -> f32 {
        let parent = self.div.node(node).parent;
        let mut support = 0.0;
        for p in self.places.iter().filter(|p| p.direct > 0.0) {
            let related = p.node == node
                || self.div.is_ancestor(node, p.node)
                || (self.div.is_ancestor(p.node, node)
                    && match tier {
                        Tier::Trusted => true,
                        Tier::Parent => parent == Some(p.node),
                        Tier::Common => false,
                    });
            if related {
                support += p.direct;
            }
        }
        for &(county, weight) in backing {
            if county == node || self.div.is_ancestor(node, county) {
                support += weight;
            }
        }
        support
    }

    /// Step 3: decides what each name that needs backing means, in two rounds so that a
    /// name resolved in the first round can back one in the second.
    fn resolve_deferred(&mut self, mut deferred: Vec<usize>, backing: &[(NodeId, f32)]) {
        deferred.sort_by_key(|&i| (self.hits[i].pat, self.hits[i].short_blocked, i));
        let mut groups: Vec<&[usize]> = deferred
            .chunk_by(|&a, &b| {
                (self.hits[a].pat, self.hits[a].short_blocked)
                    == (self.hits[b].pat, self.hits[b].short_blocked)
            })
            .collect();
        for round in 0..2 {
            let mut decided = Vec::new();
            groups.retain(|group| match self.decide(group[0], backing) {
                Some(node) => {
                    decided.push((node, *group));
                    false
                }
                None => true,
            });
            for (node, group) in decided {
                for &i in group {
                    self.credit(node, i);
                }
            }
            if round == 1 {
                for group in &groups {
                    let n = self
                        .usable(group[0])
                        .filter(|(_, c)| c.kind != CandKind::Town)
                        .count();
                    // Ordinary words (新兴) are not worth reporting.
                    if n > 1 && !self.m.pattern(self.hits[group[0]].pat).common {
                        self.ambiguous
                            .push((self.hits[group[0]].pat, group.len() as u32, n));
                    }
                }
            }
        }
    }

    /// The place a name that needs backing stands for, if the evidence decides it.
    fn decide(&self, i: usize, backing: &[(NodeId, f32)]) -> Option<NodeId> {
        let pat = self.hits[i].pat;
        struct Backed {
            node: NodeId,
            tier: Tier,
            support: f32,
        }
        let cands: Vec<Backed> = self
            .usable(i)
            .filter(|(_, c)| c.kind != CandKind::Town)
            .map(|(_, c)| {
                let tier = self.tier(pat, c.kind, c.node);
                Backed {
                    node: c.node,
                    tier,
                    support: self.support(c.node, tier, backing),
                }
            })
            .collect();
        let best = cands.iter().map(|c| c.support).fold(0.0, f32::max);
        if best > 0.0 {
            let winners: Vec<NodeId> = cands
                .iter()
                .filter(|c| c.support >= best)
                .map(|c| c.node)
                .collect();
            return self.single_lineage(&winners);
        }
        // Nothing decides: a lone province or city among lesser places wins.
        let level = |n: NodeId| self.div.node(n).level;
        let top = cands.iter().map(|c| level(c.node)).min()?;
        let mut at_top = cands.iter().filter(|c| level(c.node) == top);
        match (at_top.next(), at_top.next()) {
            (Some(c), None)
                if c.tier == Tier::Trusted && cands.len() > 1 && top < Level::County =>
            {
                Some(c.node)
            }
            _ => None,
        }
    }

    /// The one node that contains all of `nodes`, if they lie on one line of descent.
    fn single_lineage(&self, nodes: &[NodeId]) -> Option<NodeId> {
        let top = *nodes.iter().min_by_key(|&&n| self.div.node(n).level)?;
        nodes
            .iter()
            .all(|&n| n == top || self.div.is_ancestor(top, n))
            .then_some(top)
    }

    /// Step 4: credits each town to the one candidate county whose line is named.
    fn credit_towns(&mut self) {
        for i in 0..self.hits.len() {
            if self.is_place_hit(i) {
                continue;
            }
            let hit = self.hits[i];
            let cands = self.m.cands(hit.pat);
            let county = match self.pinned[i] {
                Some(k) => Some(cands[k as usize].node),
                None => {
                    let scored: Vec<(NodeId, f32)> = cands
                        .iter()
                        .map(|c| {
                            let s: f32 = self
                                .places
                                .iter()
                                .filter(|p| {
                                    p.node == c.node || self.div.is_ancestor(p.node, c.node)
                                })
                                .map(|p| p.direct)
                                .sum();
                            (c.node, s)
                        })
                        .collect();
                    let best = scored.iter().map(|s| s.1).fold(0.0, f32::max);
                    let mut winners = scored.iter().filter(|s| best > 0.0 && s.1 >= best);
                    match (winners.next(), winners.next()) {
                        (Some(&(node, _)), None) => Some(node),
                        _ => None,
                    }
                }
            };
            if let Some(county) = county {
                let part = self.part(i);
                let place = self.place_mut(county);
                place.town += hit.weight * TOWN_FACTOR;
                place.part = place.part.join(part);
                match self
                    .towns
                    .iter_mut()
                    .find(|t| t.county == county && t.pat == hit.pat)
                {
                    Some(t) => t.count += 1,
                    None => self.towns.push(TownCredit {
                        county,
                        pat: hit.pat,
                        count: 1,
                    }),
                }
            }
        }
    }

    /// Step 5a: each place's mass is its own evidence plus its descendants', and so is
    /// the part of the article it comes from.
    fn compute_mass(&mut self) {
        let own: Vec<(NodeId, f32, Part)> = self
            .places
            .iter()
            .map(|p| (p.node, p.direct + p.town, p.part))
            .collect();
        for (node, weight, part) in own {
            let mut current = self.div.node(node).parent;
            self.place_mut(node).mass += weight;
            while let Some(n) = current {
                let place = self.place_mut(n);
                place.mass += weight;
                place.part = place.part.join(part);
                current = self.div.node(n).parent;
            }
        }
    }

    fn place(&self, node: NodeId) -> Option<&Place> {
        self.places.iter().find(|p| p.node == node)
    }

    /// Places with mass whose parent is `parent`, heaviest first.
    fn children(&self, parent: Option<NodeId>) -> Vec<Place> {
        let mut children: Vec<Place> = self
            .places
            .iter()
            .filter(|p| p.mass > 0.0 && self.div.node(p.node).parent == parent)
            .copied()
            .collect();
        children.sort_by(|a, b| b.mass.total_cmp(&a.mass).then(a.node.cmp(&b.node)));
        children
    }

    /// Step 5b: the primary regions.
    fn select(&self) -> Vec<NodeId> {
        let mut primary = Vec::new();
        for root in choose(&self.children(None)) {
            self.descend(root, &mut primary);
        }
        primary.truncate(MAX_PRIMARY);
        primary
    }

    fn descend(&self, node: NodeId, out: &mut Vec<NodeId>) {
        let own = self.place(node).map_or(0.0, |p| p.direct + p.town);
        let children = self.children(Some(node));
        let picked = match children.first() {
            Some(first) if first.mass >= CHILD_VS_OWN * own => choose(&children),
            _ => Vec::new(),
        };
        if picked.is_empty() {
            out.push(node);
        }
        for child in picked {
            self.descend(child, out);
        }
    }

    fn into_regions(self, primary: Vec<NodeId>) -> Regions {
        let div = self.div;
        let is_primary_or_above =
            |n: NodeId| primary.iter().any(|&p| p == n || div.is_ancestor(n, p));
        let named: Vec<&Place> = self
            .places
            .iter()
            .filter(|p| p.count > 0 && !is_primary_or_above(p.node))
            .collect();
        let mut mentions: Vec<&Place> = named
            .iter()
            .filter(|p| !named.iter().any(|q| div.is_ancestor(p.node, q.node)))
            .copied()
            .collect();
        mentions.sort_by(|a, b| {
            b.direct
                .total_cmp(&a.direct)
                .then(div.node(a.node).code.cmp(&div.node(b.node).code))
        });
        let evidence = self.evidence(&primary);
        Regions {
            primary: primary
                .iter()
                .map(|&n| RegionPath::from_node(div, n))
                .collect(),
            mentions: mentions
                .iter()
                .map(|p| RegionPath::from_node(div, p.node))
                .collect(),
            evidence,
        }
    }

    /// The evidence for primary place `p`: its own count, then up to three related places
    /// and two towns that support it.
    fn support_evidence(&self, p: NodeId, lines: &mut Vec<String>) {
        let div = self.div;
        let name = |n: NodeId| div.node(n).name;
        if let Some(place) = self.place(p).filter(|pl| pl.count > 0) {
            let title = if place.title > 0 {
                format!(" (title ×{})", place.title)
            } else {
                String::new()
            };
            lines.push(format!("{} ×{}{}", name(p), place.count, title));
        }
        let mut related: Vec<&Place> = self
            .places
            .iter()
            .filter(|q| q.count > 0 && q.node != p && div.related(q.node, p))
            .collect();
        related.sort_by(|a, b| b.direct.total_cmp(&a.direct).then(a.node.cmp(&b.node)));
        for q in related.iter().take(3) {
            lines.push(format!(
                "{} ×{} supports {}",
                name(q.node),
                q.count,
                name(p)
            ));
        }
        let mut towns: Vec<&TownCredit> = self
            .towns
            .iter()
            .filter(|t| t.county == p || div.is_ancestor(p, t.county))
            .collect();
        towns.sort_by(|a, b| b.count.cmp(&a.count).then(a.pat.cmp(&b.pat)));
        for t in towns.iter().take(2) {
            lines.push(format!(
                "{} ×{} supports {}",
                self.m.pattern(t.pat).text,
                t.count,
                name(p)
            ));
        }
    }

    /// Short human-readable reasons for the result.
    fn evidence(&self, primary: &[NodeId]) -> Vec<String> {
        let name = |n: NodeId| self.div.node(n).name;
        let mut lines = Vec::new();
        for &p in primary {
            self.support_evidence(p, &mut lines);
        }
        if !self.items.is_empty() {
            let mut confined: Vec<&Place> = self
                .places
                .iter()
                .filter(|p| p.count > 0 && !p.speaks_for_the_whole())
                .collect();
            confined.sort_by(|a, b| b.mass.total_cmp(&a.mass).then(a.node.cmp(&b.node)));
            for p in confined.iter().take(2) {
                if let Part::Item(k) = p.part {
                    lines.push(format!(
                        "{} ×{} only in item {} of {}: the item's place, not the digest's",
                        name(p.node),
                        p.count,
                        k + 1,
                        self.items.len()
                    ));
                }
            }
        }
        for &(pat, count, n) in self.ambiguous.iter().take(2) {
            lines.push(format!(
                "{} ×{count} is ambiguous ({n} places), left unresolved",
                self.m.pattern(pat).text
            ));
        }
        if primary.is_empty() {
            let roots = self.children(None);
            if !roots.is_empty() {
                let top: Vec<String> = roots
                    .iter()
                    .take(3)
                    .map(|r| format!("{} {:.1}", name(r.node), r.mass))
                    .collect();
                lines.push(format!("no place dominates: {}", top.join(", ")));
            }
        }
        lines.truncate(MAX_EVIDENCE);
        lines
    }
}

/// Picks the primary places among siblings (heaviest first): the first that speaks for
/// the whole article if it is heavy enough (its path included), with up to two comparable
/// ones, provided they hold most of the siblings' mass (all of it, the mass of places
/// confined to one item of a digest included).
fn choose(siblings: &[Place]) -> Vec<NodeId> {
    let eligible: Vec<&Place> = siblings
        .iter()
        .filter(|s| s.speaks_for_the_whole())
        .collect();
    let Some(first) = eligible.first() else {
        return Vec::new();
    };
    if first.mass + first.path < MIN_MASS {
        return Vec::new();
    }
    let total: f32 = siblings.iter().map(|s| s.mass).sum();
    let bar = MULTI_MIN.max(COMPARABLE * first.mass);
    let k = eligible
        .iter()
        .take(MAX_PRIMARY)
        .take_while(|s| s.mass >= bar)
        .count()
        .max(1);
    let covered: f32 = eligible[..k].iter().map(|s| s.mass).sum();
    if covered >= MIN_SHARE * total {
        eligible[..k].iter().map(|s| s.node).collect()
    } else {
        Vec::new()
    }
}
