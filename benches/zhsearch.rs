//! Criterion benches on fixed Chinese text (the bundled corpus): building
//! jieba's dictionary, whole or for one query; the word and n-gram tokenizers
//! against raw jieba-rs; indexing the corpus; and the query mix.
//! `cargo bench`; for whole corpora use `zhsearch bench`.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use tantivy::tokenizer::{TokenStream, Tokenizer};
use zhsearch::analysis::{Analyzer, GramTokenizer};
use zhsearch::extract::Extractor;
use zhsearch::extract::topic::Taxonomy;
use zhsearch::indexer::{IndexOptions, index_corpus};
use zhsearch::search::{Engine, Request};

fn corpus_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))
}

fn texts() -> Vec<String> {
    let listing = zhsearch::corpus::discover(corpus_dir()).unwrap();
    let mut texts = Vec::new();
    for file in &listing.files {
        zhsearch::corpus::read(file, |d| texts.push(d.unwrap().body)).unwrap();
    }
    texts
}

/// What a one-shot `zhsearch search` pays before it can segment its query:
/// jieba-rs's whole dictionary, or only the words the query contains (the
/// same segmentation, see `zhsearch::analysis::dictionary`). Runs first, so
/// that the subset also pays for decompressing the vendored dictionary, as a
/// search process does.
fn dictionary(c: &mut Criterion) {
    let mut group = c.benchmark_group("dictionary");
    group.sample_size(20);
    group.bench_function("jieba-rs Jieba::new (whole dictionary)", |b| {
        b.iter(|| black_box(zhsearch::analysis::JiebaSegmenter::new()))
    });
    group.bench_function("Analyzer::for_text (one query's words)", |b| {
        b.iter(|| black_box(Analyzer::for_text("党建引领高质量发展 region:佛山", None).unwrap()))
    });
    group.finish();
}

fn tokenizers(c: &mut Criterion) {
    let texts = texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let analyzer = Analyzer::builtin();
    let mut group = c.benchmark_group("tokenize");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("jieba-rs cut_for_search (the limit)", |b| {
        b.iter(|| {
            for t in &texts {
                analyzer.segmenter().segment(t, &mut |start, end, part| {
                    black_box((start, end, part));
                });
            }
        })
    });
    let mut words = analyzer.word_tokenizer();
    group.bench_function("word tokenizer", |b| {
        b.iter(|| {
            for t in &texts {
                let mut stream = words.token_stream(t);
                while stream.advance() {
                    black_box(stream.token());
                }
            }
        })
    });
    let mut presegmented = String::new();
    group.bench_function("word tokenizer, presegmented for the index", |b| {
        b.iter(|| {
            for t in &texts {
                presegmented.clear();
                words.presegment(t, &mut presegmented);
                black_box(&presegmented);
            }
        })
    });
    let mut grams = GramTokenizer::default();
    group.bench_function("gram tokenizer", |b| {
        b.iter(|| {
            for t in &texts {
                let mut stream = grams.token_stream(t);
                while stream.advance() {
                    black_box(stream.token());
                }
            }
        })
    });
    group.finish();
}

fn indexing(c: &mut Criterion) {
    let bytes: usize = texts().iter().map(String::len).sum();
    let extractor = Extractor::new(Analyzer::builtin(), Arc::new(Taxonomy::builtin().clone()));
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("bundled corpus, full schema", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let options = IndexOptions::default();
                index_corpus(corpus_dir(), dir.path(), &extractor, &options, &mut |_| {}).unwrap();
                dir
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let extractor = Extractor::new(Analyzer::builtin(), Arc::new(Taxonomy::builtin().clone()));
    index_corpus(
        corpus_dir(),
        dir.path(),
        &extractor,
        &IndexOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    let engine = Engine::open(dir.path(), Analyzer::builtin()).unwrap();
    let mut group = c.benchmark_group("query");
    for line in include_str!("../data/bench-queries.txt")
        .lines()
        .filter(|l| !l.is_empty())
    {
        let mut request = Request::new(line.trim_start_matches("facets:").trim());
        request.facets = line.starts_with("facets:");
        group.bench_function(line, |b| {
            b.iter(|| black_box(engine.search(&request).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, dictionary, tokenizers, indexing, queries);
criterion_main!(benches);
