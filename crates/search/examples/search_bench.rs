//! In-process timing of the index, without HTTP or database:
//! `cargo run --release -p search --example search_bench -- NAMES.csv QUERIES.tsv`
//! NAMES.csv: `id,full_name,other_names(JSON)` without header (as
//! `scripts/bench_search.sh` exports it); QUERIES.tsv: `kind<TAB>query`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Instant;

use search::{Filters, Index, PersonDoc, Query};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&args[1])
        .unwrap();
    let t = Instant::now();
    let mut ix = Index::new();
    for r in rd.records() {
        let r = r.unwrap();
        let other: Vec<String> = r
            .get(2)
            .and_then(|s| s.split_once('[').map(|(_, x)| x.to_owned()))
            .map(|s| {
                s.trim_end_matches(']')
                    .split("\",")
                    .map(|x| x.trim().trim_matches('"').to_owned())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        ix.upsert(&PersonDoc {
            id: r[0].parse().unwrap(),
            full_name: r[1].to_owned(),
            other_names: other,
            country: "US".into(),
            ..PersonDoc::default()
        });
    }
    eprintln!(
        "built {} docs, {} syllables in {:.1} s, ~{} MB",
        ix.len(),
        ix.syllables(),
        t.elapsed().as_secs_f64(),
        ix.approx_bytes() / 1_000_000
    );
    let f = Filters::default();
    let mut lat: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for line in std::fs::read_to_string(&args[2]).unwrap().lines() {
        let Some((kind, q)) = line.split_once('\t') else {
            continue;
        };
        let t = Instant::now();
        let r = ix.search(&Query::new(q, 20, &f), |_| true);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        std::hint::black_box(r);
        lat.entry(kind.to_owned()).or_default().push(ms);
    }
    for (k, mut v) in lat {
        v.sort_by(f64::total_cmp);
        let p = |x: f64| v[((v.len() as f64 * x) as usize).min(v.len() - 1)];
        println!(
            "{k}\tn={}\tp50={:.2}ms\tp95={:.2}ms\tmax={:.2}ms",
            v.len(),
            p(0.5),
            p(0.95),
            p(1.0)
        );
    }
}
