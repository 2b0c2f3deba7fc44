//! Where an index's bytes go: per field (term dictionary, postings,
//! positions, fast fields, field norms, summed over segments), then the
//! document store. BENCHMARKS.md uses it to price the n-gram recall fields.
//!
//! ```text
//! cargo run --release --example space_usage -- INDEX_DIR
//! ```

use std::collections::BTreeMap;

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: space_usage INDEX_DIR")?;
    let index = tantivy::Index::open_in_dir(&dir).with_context(|| format!("opening {dir}"))?;
    let reader = index.reader()?;
    let usage = reader.searcher().space_usage()?;

    // field -> [termdict, postings, positions, fast fields, fieldnorms]
    let mut fields: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let (mut store, mut deletes) = (0u64, 0u64);
    for segment in usage.segments() {
        let parts = [
            segment.termdict(),
            segment.postings(),
            segment.positions(),
            segment.fast_fields(),
            segment.fieldnorms(),
        ];
        for (i, part) in parts.iter().enumerate() {
            for field in part.fields() {
                let row = fields.entry(field.field_name().to_string()).or_default();
                row[i] += field.total().get_bytes();
            }
        }
        store += segment.store().total().get_bytes();
        deletes += segment.deletes().get_bytes();
    }

    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "{:<14} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "field", "termdict", "postings", "positions", "fast", "norms", "total MB"
    );
    let mut rows: Vec<_> = fields.into_iter().collect();
    rows.sort_by_key(|(_, r)| std::cmp::Reverse(r.iter().sum::<u64>()));
    for (name, r) in &rows {
        println!(
            "{name:<14} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            mb(r[0]),
            mb(r[1]),
            mb(r[2]),
            mb(r[3]),
            mb(r[4]),
            mb(r.iter().sum())
        );
    }
    println!("{:<14} {:>59.2}", "doc store", mb(store));
    println!("{:<14} {:>59.2}", "deletes", mb(deletes));
    println!(
        "{:<14} {:>59.2}  ({} segments)",
        "total",
        mb(usage.total().get_bytes()),
        usage.segments().len()
    );
    Ok(())
}
