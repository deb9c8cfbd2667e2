//! In-process timing and recall of the index, without HTTP or database:
//! `cargo run --release -p search --example search_bench -- NAMES.csv QUERIES.tsv [ROUNDS]`
//! NAMES.csv: `id,full_name,other_names(JSON)[,phone,email,passport_no]`
//! without header (as `scripts/bench_search.sh` exports it, or
//! `scripts/bench_search/make_inprocess.py` with the identifiers);
//! QUERIES.tsv: `kind<TAB>query[<TAB>target id<TAB>target]`. With a target,
//! recall@20 is counted by `driver.py`'s rule: the target is on the page, or
//! the 20 hits all bear the target (folded name, other name or e-mail).
//! ROUNDS (default 1) runs every query that many times; p50/p95 are over all.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::many_single_char_names
)]

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use search::{Field, Filters, Index, PersonDoc, Query, tokenize};

const LIMIT: usize = 20;

fn fold(s: &str) -> String {
    tokenize(s)
        .into_iter()
        .map(|t| t.folded)
        .collect::<Vec<_>>()
        .join(" ")
}

fn rss_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Person {
    full_name: String,
    other: Vec<String>,
    email: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.get(3).map_or(1, |r| r.parse().unwrap());
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&args[1])
        .unwrap();
    let t = Instant::now();
    let mut ix = Index::new();
    let mut people: HashMap<i64, Person> = HashMap::new();
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
        let id: i64 = r[0].parse().unwrap();
        let col = |i: usize| r.get(i).unwrap_or("").to_owned();
        let p = PersonDoc {
            id,
            full_name: r[1].to_owned(),
            other_names: other,
            phone: col(3),
            email: col(4),
            passport: col(5),
            country: "US".into(),
            ..PersonDoc::default()
        };
        ix.upsert(&p);
        people.insert(
            id,
            Person {
                full_name: p.full_name,
                other: p.other_names,
                email: p.email,
            },
        );
    }
    eprintln!(
        "built {} docs, {} syllables in {:.1} s, ~{} MB (index), {}",
        ix.len(),
        ix.syllables(),
        t.elapsed().as_secs_f64(),
        ix.approx_bytes() / 1_000_000,
        rss_mb()
    );
    let f = Filters::default();
    let mut lat: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut capped: BTreeMap<String, usize> = BTreeMap::new();
    let text = std::fs::read_to_string(&args[2]).unwrap();
    let queries: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|v| v.len() >= 2)
        .collect();
    let verbose = std::env::var("VERBOSE").is_ok();
    let slow: Option<f64> = std::env::var("SLOW").ok().and_then(|s| s.parse().ok());
    for round in 0..rounds {
        for v in &queries {
            let (kind, q) = (v[0], v[1]);
            let t = Instant::now();
            let r = ix.search(&Query::new(q, LIMIT, &f), |_| true);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            lat.entry(kind.to_owned()).or_default().push(ms);
            if slow.is_some_and(|s| ms > s) {
                eprintln!("SLOW {kind} {q:?}: {ms:.2} ms, total {}", r.total);
            }
            if round == 0 {
                *capped.entry(kind.to_owned()).or_default() += usize::from(r.total_is_lower_bound);
            }
            if round > 0 || v.len() < 4 || matches!(kind, "fragment" | "typing_prefix") {
                continue;
            }
            let target: i64 = v[2].parse().unwrap();
            let want = v[3];
            let ok = r.hits.iter().any(|h| h.id == target)
                || r.hits
                    .iter()
                    .filter(|h| {
                        let p = &people[&h.id];
                        if kind == "email" {
                            return p.email.to_lowercase() == want;
                        }
                        let name = match h.field {
                            Field::OtherName(i) => p.other[i].as_str(),
                            _ => p.full_name.as_str(),
                        };
                        fold(name) == want
                    })
                    .count()
                    >= LIMIT;
            let e = recall.entry(kind.to_owned()).or_default();
            e.0 += usize::from(ok);
            e.1 += 1;
            if !ok && verbose {
                let got: Vec<String> = r
                    .hits
                    .iter()
                    .map(|h| {
                        let p = &people[&h.id];
                        format!("{} ({:?})", p.full_name, h.kind)
                    })
                    .collect();
                eprintln!(
                    "MISS {kind}: {q:?} for {:?} (total {}): {}",
                    people[&target].full_name,
                    r.total,
                    got.join("; ")
                );
            }
        }
    }
    for (k, mut v) in lat {
        v.sort_by(f64::total_cmp);
        let p = |x: f64| v[((v.len() as f64 * x) as usize).min(v.len() - 1)];
        let rec = recall.get(&k).map_or("-".to_owned(), |(ok, n)| {
            format!("{:.3}", *ok as f64 / *n as f64)
        });
        println!(
            "{k:<17}\tn={}\tp50={:.2}ms\tp95={:.2}ms\tmax={:.2}ms\trecall={rec}\tcapped={}",
            v.len(),
            p(0.5),
            p(0.95),
            p(1.0),
            capped.get(&k).copied().unwrap_or(0)
        );
    }
    eprintln!("{}", rss_mb());
}
