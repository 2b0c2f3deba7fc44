//! Load on loopback, bounded in count and time: 8 concurrent clients × 50
//! requests (searches with facets, facet counts, documents, health), each
//! client pausing [`THINK`] between requests so that the load spans the
//! re-indexing, while another thread changes the corpus and re-indexes it
//! with `zhsearch index` three times. No request may fail or go unanswered,
//! and the clients must see the index change under them; latency
//! percentiles are printed (run with `--nocapture` to see them).
//!
//! ```sh
//! cargo test --test serve_load -- --nocapture
//! ```

mod common;
#[path = "common/server.rs"]
mod server;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::TestEnv;
use server::{Server, enc, fetch};

const CLIENTS: usize = 8;
const REQUESTS: usize = 50;
const REINDEXES: usize = 3;
/// A client's pause between two requests: 50 of them span about 3 s, long
/// enough for the three commits to be served while the clients run.
const THINK: Duration = Duration::from_millis(50);
/// The whole test gives up after this.
const DEADLINE: Duration = Duration::from_secs(120);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[test]
fn concurrent_clients_while_the_index_is_updated() {
    let env = TestEnv::with_bundled_corpus();
    env.index();
    // All clients share one address here; let each have its searches.
    let server = Server::start(&env, &["--per-client", "8"]);
    let paths: Vec<String> = vec![
        format!("/api/search?q={}&facets=true", enc("党建")),
        format!("/api/search?q={}&region={}", enc("高质量发展"), enc("佛山")),
        "/api/search?q=*&sort=date&limit=20&facets=true".to_string(),
        format!("/api/search?q={}", enc("\"基层党建\" -疫情")),
        "/api/facets".to_string(),
        format!("/api/facets?q={}&since=2023", enc("发展")),
        "/api/doc/000_e19cf532170f2a3e.txt".to_string(),
        "/api/health".to_string(),
    ];
    let started = Instant::now();
    let indexing = AtomicBool::new(true);

    let (latencies, opstamps, reindex_times) = std::thread::scope(|scope| {
        // The writer: change an article and re-index, REINDEXES times.
        let writer = scope.spawn(|| {
            let mut times = Vec::new();
            for round in 0..REINDEXES {
                env.write(
                    "corpus/changing.txt",
                    format!("佛山市高明区第{round}轮更新\n本轮关键词：更新轮次{round}号。党建引领发展。\n"),
                );
                let t = Instant::now();
                env.index();
                times.push(t.elapsed());
            }
            indexing.store(false, Ordering::SeqCst);
            times
        });
        // The clients: a fixed number of requests each, no pause.
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let agent = server.agent();
                let paths = &paths;
                let server = &server;
                let indexing = &indexing;
                scope.spawn(move || {
                    let mut latencies = Vec::with_capacity(REQUESTS);
                    let mut opstamps = BTreeSet::new();
                    let mut during_indexing = 0;
                    for i in 0..REQUESTS {
                        assert!(
                            started.elapsed() < DEADLINE,
                            "the load test ran out of time"
                        );
                        let path = &paths[(c + i) % paths.len()];
                        let t = Instant::now();
                        let reply = fetch(&agent, &server.url(path));
                        latencies.push(t.elapsed());
                        assert_eq!(
                            reply.status, 200,
                            "client {c}, request {i}: {path}: {}",
                            reply.body
                        );
                        let body = reply.json();
                        if path == "/api/health" {
                            opstamps.insert(body["commit"]["opstamp"].as_u64().unwrap());
                        }
                        if indexing.load(Ordering::SeqCst) {
                            during_indexing += 1;
                        }
                        std::thread::sleep(THINK);
                    }
                    (latencies, opstamps, during_indexing)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        let mut opstamps = BTreeSet::new();
        let mut during = 0;
        for client in clients {
            let (l, o, d) = client.join().expect("a client failed");
            latencies.extend(l);
            opstamps.extend(o);
            during += d;
        }
        let times = writer.join().expect("re-indexing failed");
        eprintln!("requests answered while re-indexing was under way: {during}");
        (latencies, opstamps, times)
    });
    let wall = started.elapsed();

    // Every request was answered, successfully.
    assert_eq!(latencies.len(), CLIENTS * REQUESTS);
    let mut sorted = latencies.clone();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "load: {} clients x {} requests ({} ms pauses) = {} in {:.2} s ({:.0} req/s) while \
         re-indexing {} times (each {:?} ms); latency ms: p50 {:.1}, p95 {:.1}, p99 {:.1}, max {:.1}",
        CLIENTS,
        REQUESTS,
        THINK.as_millis(),
        sorted.len(),
        wall.as_secs_f64(),
        sorted.len() as f64 / wall.as_secs_f64(),
        REINDEXES,
        reindex_times
            .iter()
            .map(|t| t.as_millis())
            .collect::<Vec<_>>(),
        ms(percentile(&sorted, 50.0)),
        ms(percentile(&sorted, 95.0)),
        ms(percentile(&sorted, 99.0)),
        ms(*sorted.last().unwrap()),
    );
    eprintln!("opstamps seen by clients: {opstamps:?}");
    assert!(
        opstamps.len() >= 2,
        "the clients never saw a new commit: the load did not overlap re-indexing ({opstamps:?})"
    );

    // The last commit is served, without a restart.
    let query = format!(
        "/api/search?q={}",
        // Quoted: exactly this text, never relaxed to articles with some of it.
        enc(&format!("\"更新轮次{}号\"", REINDEXES - 1))
    );
    let waiting = Instant::now();
    loop {
        let results = server.get_json(&query);
        if results["total"] == 1 {
            break;
        }
        assert!(
            waiting.elapsed() < Duration::from_secs(10),
            "last commit not served: {results}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let stale = format!("/api/search?q={}", enc("\"更新轮次0号\""));
    assert_eq!(
        server.get_json(&stale)["total"],
        0,
        "the changed article was replaced"
    );
    assert_eq!(server.get_json("/api/health")["documents"], 6);

    // The server logged every request.
    let waiting = Instant::now();
    loop {
        let logged = server
            .log()
            .iter()
            .filter(|l| l.starts_with("zhsearch: GET /api/"))
            .count();
        if logged >= CLIENTS * REQUESTS {
            break;
        }
        assert!(
            waiting.elapsed() < Duration::from_secs(5),
            "only {logged} log lines"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
