//! Admission: which searches run now, which wait their turn, and which are
//! refused with 429 and `Retry-After`, so that a few clients sending costly
//! queries cannot starve everyone else.
//!
//! - At most [`Policy::searches`] searches run at once (the pool); more wait
//!   in a queue of at most [`Policy::queue`] searches, first come first
//!   served.
//! - One client address may have at most [`Policy::per_client`] searches
//!   running or waiting.
//! - A query's [`Cost`] (its terms, the width of its ORs, its 1-character
//!   terms, `*`, facets, hits asked for) makes it light or heavy. Heavy
//!   searches never wait: at most [`Policy::heavy`] run at once (a quarter
//!   of the pool, at least one), and one that finds them all busy is
//!   refused at once. Light searches always keep the rest of the pool.
//! - A refusal to a client over its share, or of a costly query, is held
//!   back [`REFUSAL_PAUSE`] (on a timer), so that a client retrying at once
//!   cannot keep the server busy answering 429s.
//!
//! `/api/health` is not admitted here: it never waits behind searches.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;
use crate::search::{Node, Request, query};

/// A query whose [`Cost::units`] reach this is heavy.
pub const HEAVY_UNITS: usize = 24;

/// The admission limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Searches running at once.
    pub searches: usize,
    /// Heavy searches running at once (part of `searches`).
    pub heavy: usize,
    /// Searches waiting for their turn, in all.
    pub queue: usize,
    /// Searches one client address may have running or waiting.
    pub per_client: usize,
}

impl Policy {
    /// A policy for a pool of `searches`: a quarter of it (at least one)
    /// for heavy searches.
    pub fn new(searches: usize, queue: usize, per_client: usize) -> Policy {
        let searches = searches.max(1);
        Policy {
            searches,
            heavy: (searches / 4).max(1),
            queue,
            per_client: per_client.max(1),
        }
    }
}

/// What a request costs to answer, estimated from its text before it runs
/// (no dictionary: unquoted Chinese text counts about one word per two
/// characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// Words and phrases to look up.
    pub terms: usize,
    /// Alternatives of the widest OR.
    pub or_width: usize,
    /// Terms of a single character (long posting lists, term ranges over
    /// n-grams).
    pub single_chars: usize,
    /// Whether the query matches every article (`*`).
    pub all: bool,
    /// Whether facets are counted over the matches.
    pub facets: bool,
    /// Hits to rank and load (offset + limit).
    pub hits: usize,
}

impl Cost {
    /// The cost of a search request. A query that does not parse is light:
    /// it is refused with 400 before any work.
    pub fn of(request: &Request) -> Cost {
        let mut cost = Cost {
            facets: request.facets,
            hits: request.offset + request.limit,
            ..Cost::default()
        };
        if let Ok(node) = query::parse(&request.query) {
            cost.add(&node);
        }
        let filters = &request.filters;
        cost.terms += filters.regions.len() + filters.topics.len();
        cost
    }

    fn add(&mut self, node: &Node) {
        match node {
            Node::All => self.all = true,
            Node::And(nodes) => nodes.iter().for_each(|n| self.add(n)),
            Node::Or(nodes) => {
                self.or_width = self.or_width.max(nodes.len());
                nodes.iter().for_each(|n| self.add(n));
            }
            Node::Not(node) | Node::Required(node) => self.add(node),
            Node::Text(text) | Node::Phrase(text) => {
                for word in text.split_whitespace() {
                    let chars = word.chars().count();
                    let cjk = word.chars().filter(|c| !c.is_ascii()).count();
                    if chars == 1 {
                        self.single_chars += 1;
                        self.terms += 1;
                    } else {
                        // ASCII words are one term; Chinese text about one per two characters.
                        self.terms += usize::from(cjk < chars) + cjk.div_ceil(2);
                    }
                }
            }
            Node::Field { .. } => self.terms += 1,
        }
    }

    /// One number: a term counts 1, a 1-character term 4, each OR
    /// alternative beyond the first 1 more, `*` 4, facets 4, and every 10
    /// hits 1.
    pub fn units(&self) -> usize {
        self.terms
            + 3 * self.single_chars
            + self.or_width.saturating_sub(1)
            + 4 * usize::from(self.all)
            + 4 * usize::from(self.facets)
            + self.hits / 10
    }

    /// Whether the search is heavy.
    pub fn is_heavy(&self) -> bool {
        self.units() >= HEAVY_UNITS
    }
}

/// The admission state shared by all requests.
#[derive(Debug)]
pub struct Admission {
    policy: Policy,
    pool: Arc<Semaphore>,
    heavy: Arc<Semaphore>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Searches running or waiting, per client address.
    clients: HashMap<IpAddr, usize>,
    /// Searches waiting for a place in the pool.
    waiting: usize,
}

/// A search let in: it holds its client's place (and a heavy search its
/// heavy place) until dropped.
#[derive(Debug)]
pub struct Ticket {
    admission: Arc<Admission>,
    client: IpAddr,
    _heavy: Option<OwnedSemaphorePermit>,
}

/// A place in the pool: the search may run.
#[derive(Debug)]
pub struct Running {
    _permit: OwnedSemaphorePermit,
    _ticket: Ticket,
}

impl Admission {
    /// Admission under `policy`.
    pub fn new(policy: Policy) -> Arc<Admission> {
        Arc::new(Admission {
            policy,
            pool: Arc::new(Semaphore::new(policy.searches)),
            heavy: Arc::new(Semaphore::new(policy.heavy)),
            state: Mutex::default(),
        })
    }

    /// The policy.
    #[cfg(test)]
    pub fn policy(&self) -> Policy {
        self.policy
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few counters, consistent after any panic.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lets a search from `client` in, or refuses it with 429.
    pub fn admit(self: &Arc<Self>, client: IpAddr, cost: &Cost) -> Result<Ticket, Refusal> {
        let p = self.policy;
        let mut state = self.state();
        let mine = state.clients.get(&client).copied().unwrap_or(0);
        if mine >= p.per_client {
            return Err(Refusal::OverShare(too_many(
                format!(
                    "this address already has {mine} searches running or waiting; \
                     the server takes at most {} at once from one address",
                    p.per_client
                ),
                1,
            )));
        }
        let heavy = if cost.is_heavy() {
            let permit = Arc::clone(&self.heavy).try_acquire_owned().map_err(|_| {
                Refusal::Costly(too_many(
                    format!(
                        "this query is costly (about {} units: {} terms, {} of one character, \
                         ORs of up to {}); the server runs {} such {} at once and {} busy now: \
                         try again shortly, or narrow the query",
                        cost.units(),
                        cost.terms,
                        cost.single_chars,
                        cost.or_width,
                        p.heavy,
                        if p.heavy == 1 { "query" } else { "queries" },
                        if p.heavy == 1 { "it is" } else { "all are" },
                    ),
                    2,
                ))
            })?;
            Some(permit)
        } else {
            None
        };
        if self.pool.available_permits() == 0 && state.waiting >= p.queue {
            return Err(Refusal::Busy(too_many(
                format!(
                    "the server is busy: {} searches are running and {} waiting",
                    p.searches, state.waiting
                ),
                1,
            )));
        }
        *state.clients.entry(client).or_default() += 1;
        Ok(Ticket {
            admission: Arc::clone(self),
            client,
            _heavy: heavy,
        })
    }

    /// Searches waiting for a place in the pool now.
    #[cfg(test)]
    pub fn waiting(&self) -> usize {
        self.state().waiting
    }

    /// Searches from `client` running or waiting now.
    #[cfg(test)]
    pub fn of_client(&self, client: IpAddr) -> usize {
        self.state().clients.get(&client).copied().unwrap_or(0)
    }
}

impl Ticket {
    /// Waits for a place in the pool (counted as waiting meanwhile).
    pub async fn run(self) -> Result<Running, ApiError> {
        let admission = Arc::clone(&self.admission);
        admission.state().waiting += 1;
        let waiting = Waiting(&admission);
        let permit = Arc::clone(&admission.pool).acquire_owned().await;
        drop(waiting);
        let permit = permit.map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is shutting down".to_string(),
            )
        })?;
        Ok(Running {
            _permit: permit,
            _ticket: self,
        })
    }
}

/// Counts a search as waiting while it lives (a request may be dropped
/// while waiting, when its client goes away or its time runs out).
struct Waiting<'a>(&'a Admission);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.waiting = state.waiting.saturating_sub(1);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.admission.state();
        if let Some(n) = state.clients.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                state.clients.remove(&self.client);
            }
        }
    }
}

/// Why a search was refused (each a 429 with `Retry-After`).
#[derive(Debug)]
pub enum Refusal {
    /// Its client address has its share of searches running or waiting.
    OverShare(ApiError),
    /// It is costly and the places for costly searches are busy.
    Costly(ApiError),
    /// The queue is full.
    Busy(ApiError),
}

/// How long the answer to a client over its share, or to a costly query
/// refused, is held back: a client that retries at once, ignoring
/// `Retry-After`, then costs the server a few requests a second instead of
/// thousands. The connection waits on a timer, using no CPU.
pub const REFUSAL_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

impl Refusal {
    /// The 429.
    #[cfg(test)]
    pub fn error(&self) -> &ApiError {
        match self {
            Refusal::OverShare(e) | Refusal::Costly(e) | Refusal::Busy(e) => e,
        }
    }

    /// How long to hold the answer back: [`REFUSAL_PAUSE`], except for a
    /// full queue, which is nobody's fault in particular.
    pub fn pause(&self) -> std::time::Duration {
        match self {
            Refusal::OverShare(_) | Refusal::Costly(_) => REFUSAL_PAUSE,
            Refusal::Busy(_) => std::time::Duration::ZERO,
        }
    }

    /// The 429.
    pub fn into_error(self) -> ApiError {
        match self {
            Refusal::OverShare(e) | Refusal::Costly(e) | Refusal::Busy(e) => e,
        }
    }
}

/// A 429 with `Retry-After: seconds`.
fn too_many(message: String, seconds: u32) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, message).retry_after(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(query: &str) -> Cost {
        Cost::of(&Request::new(query))
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([127, 0, 0, last])
    }

    #[test]
    fn everyday_queries_are_light() {
        for q in [
            "党建",
            "高质量发展",
            "\"新质生产力\"",
            "科技 创新",
            "党",
            "5G",
            "乡村振兴 -疫情",
            "region:佛山 高质量发展",
            "粤府办〔2023〕12号",
            "(党建 OR 党风) 廉政",
        ] {
            assert!(
                !cost(q).is_heavy(),
                "{q}: {:?} = {}",
                cost(q),
                cost(q).units()
            );
        }
        let mut with_facets = Request::new("*");
        with_facets.facets = true;
        with_facets.limit = 20;
        assert!(!Cost::of(&with_facets).is_heavy());
    }

    #[test]
    fn wide_ors_single_characters_and_long_texts_are_heavy() {
        // 999 characters, within the 1,000 a query may have.
        let ors = vec!["的"; 200].join(" OR ");
        let c = cost(&ors);
        assert_eq!((c.or_width, c.single_chars), (200, 200));
        assert!(c.is_heavy());
        // Eight single characters, each a long posting list.
        assert!(cost("的 了 是 在 和 有 我 中").is_heavy());
        // A pasted paragraph: about a word per two characters.
        let text = "国务院关于进一步优化营商环境更好服务市场主体的实施意见".repeat(3);
        let c = cost(&text);
        assert!(c.terms >= 30 && c.is_heavy(), "{c:?}");
        // Many alternatives of ordinary words.
        let words = [
            "党建", "发展", "改革", "创新", "开放", "协调", "绿色", "共享",
        ];
        let wide = words.repeat(3).join(" OR ");
        assert!(cost(&wide).is_heavy(), "{:?}", cost(&wide));
        // A hundred hits with facets over everything.
        let mut big = Request::new("*");
        big.facets = true;
        big.limit = 100;
        big.offset = 100;
        assert!(Cost::of(&big).is_heavy());
    }

    #[test]
    fn a_client_gets_at_most_its_share() {
        let admission = Admission::new(Policy::new(4, 8, 2));
        let light = cost("党建");
        let a = admission.admit(ip(1), &light).unwrap();
        let b = admission.admit(ip(1), &light).unwrap();
        let refusal = admission.admit(ip(1), &light).unwrap_err();
        assert_eq!(refusal.pause(), REFUSAL_PAUSE);
        let refused = refusal.into_error();
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.retry_after, Some(1));
        assert!(refused.message.contains("at most 2"), "{}", refused.message);
        // Another address is not affected.
        let other = admission.admit(ip(2), &light).unwrap();
        assert_eq!(admission.of_client(ip(1)), 2);
        drop(a);
        assert_eq!(admission.of_client(ip(1)), 1);
        let again = admission.admit(ip(1), &light);
        assert!(again.is_ok());
        drop((b, other, again));
        assert_eq!(admission.of_client(ip(1)), 0);
        assert_eq!(admission.of_client(ip(2)), 0);
    }

    #[test]
    fn heavy_searches_never_wait_and_leave_light_ones_room() {
        let admission = Admission::new(Policy::new(4, 8, 4));
        assert_eq!(admission.policy().heavy, 1);
        let heavy = cost(&vec!["的"; 100].join(" OR "));
        let first = admission.admit(ip(1), &heavy).unwrap();
        let refusal = admission.admit(ip(2), &heavy).unwrap_err();
        assert!(matches!(refusal, Refusal::Costly(_)), "{refusal:?}");
        let refused = refusal.into_error();
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.retry_after, Some(2));
        assert!(refused.message.contains("costly"), "{}", refused.message);
        // A light search is let in beside it.
        assert!(admission.admit(ip(3), &cost("党建")).is_ok());
        drop(first);
        assert!(admission.admit(ip(2), &heavy).is_ok());
    }

    #[test]
    fn the_queue_is_bounded() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let admission = Admission::new(Policy::new(1, 2, 10));
            let light = cost("党建");
            let running = admission.admit(ip(1), &light).unwrap().run().await.unwrap();
            // Two wait (their futures are polled once, then parked)...
            let mut waiting = Vec::new();
            for i in 2..4 {
                let ticket = admission.admit(ip(i), &light).unwrap();
                let mut fut = Box::pin(ticket.run());
                assert!(futures_poll_once(&mut fut).await.is_none());
                waiting.push(fut);
            }
            assert_eq!(admission.waiting(), 2);
            // ... and the next is refused.
            let refusal = admission.admit(ip(9), &light).unwrap_err();
            assert_eq!(refusal.pause(), std::time::Duration::ZERO);
            let refused = refusal.error();
            assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
            assert!(refused.message.contains("2 waiting"), "{}", refused.message);
            // A waiting search dropped (its client left) frees its place.
            waiting.pop();
            assert_eq!(admission.waiting(), 1);
            assert_eq!(admission.of_client(ip(3)), 0);
            drop(running);
            let next = waiting.pop().unwrap().await.unwrap();
            assert_eq!(admission.waiting(), 0);
            drop(next);
        });
    }

    /// Polls `fut` once: `Some` if it finished.
    async fn futures_poll_once<F: std::future::Future + Unpin>(fut: &mut F) -> Option<F::Output> {
        std::future::poll_fn(|cx| {
            std::task::Poll::Ready(match std::pin::Pin::new(&mut *fut).poll(cx) {
                std::task::Poll::Ready(v) => Some(v),
                std::task::Poll::Pending => None,
            })
        })
        .await
    }
}
