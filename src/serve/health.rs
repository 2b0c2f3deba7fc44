//! `GET /api/health`: the index served, its documents, its last commit, and
//! whether it can be searched. It never waits behind searches: it takes no
//! place in the search pool, and it answers with the last probe's verdict
//! while a new probe (at most one every [`PROBE_EVERY`]) runs beside it.
//!
//! The probe searches `*` with facets (stored fields, fast fields, facet
//! dictionaries), then the first two characters of the first hit's title
//! as a phrase (terms, postings, positions), and expects that hit again.
//! When it fails, the answer is 503 with `"status": "degraded"` and an
//! `error` saying how to rebuild the index; the failure itself is logged.
//! The answer names the index by its directory's name, never its path.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::AppState;
use super::error::ApiError;
use super::json::json_response;
use crate::search::{Engine, Request};

/// How long a probe's verdict stands.
pub const PROBE_EVERY: Duration = Duration::from_secs(2);

/// The last probe's verdict (`None` when the index could be searched,
/// otherwise what failed) and whether a probe is running.
#[derive(Debug, Default)]
pub struct Probe {
    last: Mutex<Option<(Instant, Option<String>)>>,
    running: AtomicBool,
}

impl Probe {
    /// The last verdict, if there is one, and whether the caller should
    /// probe again (it is too old and no probe is running: the caller now
    /// owns the next one).
    fn last(&self) -> (Option<Option<String>>, bool) {
        let last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let stale = last
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= PROBE_EVERY);
        let due = stale && !self.running.swap(true, Ordering::AcqRel);
        (last.map(|(_, verdict)| verdict), due)
    }

    /// Probes and records the verdict.
    fn run(&self, engine: &Engine) -> Option<String> {
        let verdict = probe(engine).err();
        if let Some(problem) = &verdict {
            eprintln!("zhsearch: health: the index cannot be searched: {problem}");
        }
        *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((Instant::now(), verdict.clone()));
        self.running.store(false, Ordering::Release);
        verdict
    }
}

/// Searches the index as described in the module's docs.
fn probe(engine: &Engine) -> Result<(), String> {
    let search = |request: &Request| {
        std::panic::catch_unwind(AssertUnwindSafe(|| engine.search(request)))
            .map_err(|_| format!("searching {:?} panicked", request.query))?
            .map_err(|e| format!("searching {:?}: {e}", request.query))
    };
    let mut all = Request::new("*");
    all.limit = 1;
    all.facets = true;
    let results = search(&all)?;
    let Some(hit) = results.hits.first() else {
        return Ok(()); // an empty index is healthy
    };
    let phrase: String = hit
        .title
        .text
        .chars()
        .skip_while(|c| !c.is_alphanumeric())
        .take_while(|c| c.is_alphanumeric())
        .take(2)
        .collect();
    if phrase.chars().count() < 2 {
        return Ok(());
    }
    let mut again = Request::new(&format!("\"{phrase}\""));
    again.limit = 1;
    again.snippet_fragments = 1;
    let found = search(&again)?;
    if found.total == 0 {
        return Err(format!(
            "the phrase {phrase:?} from the title of {:?} is not found",
            hit.record.id
        ));
    }
    Ok(())
}

/// `GET /api/health`.
pub async fn health(State(state): State<AppState>) -> Result<Response, ApiError> {
    let shared = state.clone();
    let (mut body, problem) = tokio::task::spawn_blocking(move || {
        let engine = &shared.engine;
        let zh = engine.index();
        let searcher = engine.searcher();
        let meta = zh.index.load_metas().ok();
        let time = std::fs::metadata(zh.dir.join("meta.json"))
            .and_then(|m| m.modified())
            .ok()
            .and_then(rfc3339);
        // The last verdict is answered at once; a new probe, when due,
        // runs beside (only the very first one is waited for).
        let problem = match (&meta, shared.probe.last()) {
            (None, _) => Some("its meta.json cannot be read".to_string()),
            (Some(_), (None, _)) => shared.probe.run(engine),
            (Some(_), (Some(verdict), due)) => {
                if due {
                    let probing = Arc::clone(&shared);
                    tokio::task::spawn_blocking(move || probing.probe.run(&probing.engine));
                }
                verdict
            }
        };
        let body = json!({
            "status": if problem.is_none() { "ok" } else { "degraded" },
            "version": env!("CARGO_PKG_VERSION"),
            "index": shared.index_name,
            "documents": searcher.num_docs(),
            "segments": searcher.segment_readers().len(),
            "commit": {
                "id": meta.as_ref().map(commit_id),
                "opstamp": meta.as_ref().map(|m| m.opstamp),
                "time": time,
            },
        });
        (body, problem)
    })
    .await
    .map_err(|_| ApiError::damaged(&state.index_name))?;
    if problem.is_none() {
        return Ok(json_response(StatusCode::OK, &body));
    }
    let error = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "the index `{}` is served but a probe search failed (the server's log says how): \
             it may be damaged; rebuild it with `zhsearch index CORPUS --index {} --rebuild`",
            state.index_name, state.index_name
        ),
    );
    body["error"] = error.body()["error"].clone();
    Ok(json_response(StatusCode::SERVICE_UNAVAILABLE, &body))
}

/// A commit's identity: its opstamp and its segments (ids, random for every
/// segment written, and deletes) hashed. Two rebuilds within one second, which
/// share opstamp and time, differ here.
fn commit_id(meta: &tantivy::IndexMeta) -> String {
    let mut parts: Vec<String> = meta
        .segments
        .iter()
        .map(|s| format!("{}:{:?}", s.id().uuid_string(), s.delete_opstamp()))
        .collect();
    parts.sort_unstable();
    parts.push(meta.opstamp.to_string());
    let hash = blake3::hash(parts.join(",").as_bytes());
    hash.to_hex()[..16].to_string()
}

fn rfc3339(time: SystemTime) -> Option<String> {
    let ts = jiff::Timestamp::try_from(time).ok()?;
    Some(ts.round(jiff::Unit::Second).ok()?.to_string())
}
