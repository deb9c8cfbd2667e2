//! `dedupe INPUT.csv --out OUT.csv [--threshold T] [--explain PAIRS.csv]`: the
//! matching engine alone, without the database, for benchmarks.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut input = None;
    let mut out = None;
    let mut explain = None;
    let mut threshold = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--out" => out = it.next().cloned(),
            "--explain" => explain = it.next().cloned(),
            "--threshold" => threshold = it.next().and_then(|t| t.parse::<f64>().ok()),
            other => input = Some(other.to_owned()),
        }
    }
    let (Some(input), Some(out)) = (input, out) else {
        eprintln!("usage: dedupe INPUT.csv --out OUT.csv [--threshold T] [--explain PAIRS.csv]");
        return ExitCode::from(2);
    };
    if std::env::var_os("LINKAGE_DEBUG").is_some() {
        return debug(&input);
    }
    match run(&input, &out, explain.as_deref(), threshold) {
        Ok(summary) => {
            eprintln!("{summary:?}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dedupe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    input: &str,
    out: &str,
    explain: Option<&str>,
    threshold: Option<f64>,
) -> Result<linkage::Summary, linkage::Error> {
    let input = BufReader::new(File::open(input)?);
    let out = BufWriter::new(File::create(out)?);
    if std::env::var_os("LINKAGE_TUNE").is_some() {
        let mut records = linkage::read_csv(input)?;
        linkage::resolve_hometowns(&mut records);
        let config = config_from_env(threshold);
        let d = linkage::dedupe(&records, &config);
        linkage::write_clusters_csv(out, &records, &d)?;
        return Ok(d.summary);
    }
    let explain = explain.map(File::create).transpose()?.map(BufWriter::new);
    linkage::run_dedupe(input, out, explain, threshold)
}

/// Configuration with overrides from `LINKAGE_*` variables (for tuning).
fn config_from_env(threshold: Option<f64>) -> linkage::Config {
    let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    let mut c = linkage::Config {
        threshold: linkage::LIST_THRESHOLD,
        ..linkage::Config::default()
    };
    if let Some(t) = threshold {
        c.threshold = t;
    }
    if let Some(v) = var("LINKAGE_MIN_EVIDENCE") {
        c.min_evidence = v;
    }
    if let Some(v) = var("LINKAGE_GROUP_FLOOR") {
        c.group_floor = v;
    }
    if let Some(v) = var("LINKAGE_STRONG_SIZE") {
        c.strong_size = v as usize;
    }
    if let Some(v) = var("LINKAGE_MAX_SIZE") {
        c.max_cluster_size = v as usize;
    }
    if let Some(v) = var("LINKAGE_BLOCK_CAP") {
        c.limits.block_cap = v as usize;
    }
    if let Some(v) = var("LINKAGE_WINDOW") {
        c.limits.window = v as usize;
    }
    c
}

/// Prints the trained model (`LINKAGE_DEBUG=1`).
fn debug(input: &str) -> ExitCode {
    let Ok(file) = File::open(input) else {
        return ExitCode::FAILURE;
    };
    let Ok(mut records) = linkage::read_csv(BufReader::new(file)) else {
        return ExitCode::FAILURE;
    };
    linkage::resolve_hometowns(&mut records);
    let d = linkage::dedupe(&records, &config_from_env(None));
    eprintln!(
        "prior {:.2} bits; sessions {:?}",
        d.model.prior_weight, d.model.sessions
    );
    for f in linkage::Field::ALL {
        let i = f as usize;
        let levels = f.levels();
        let cells: Vec<String> = (1..levels.len())
            .map(|l| {
                format!(
                    "{} m={:.4} u={:.6} w={:+.2}",
                    levels[l],
                    d.model.m[i][l],
                    d.model.u[i][l],
                    (d.model.m[i][l] / d.model.u[i][l]).log2()
                )
            })
            .collect();
        eprintln!("{}: {}", f.code(), cells.join(" | "));
    }
    eprintln!("{:?}", d.summary);
    // LINKAGE_PAIR=ID1,ID2: the explanation of one pair.
    if let Ok(pair) = std::env::var("LINKAGE_PAIR") {
        let ids: Vec<&str> = pair.split(',').collect();
        let at = |id: &str| records.iter().position(|r| r.record_id == id);
        if let [x, y] = ids[..]
            && let (Some(a), Some(b)) = (at(x), at(y))
        {
            let c = linkage::compare(&records[a], &records[b], &d.model);
            eprintln!("--- PAIR {} | {}", fmt(&records[a]), fmt(&records[b]));
            eprintln!("{}", c.explain());
        }
    }
    let Ok(file) = File::open(input) else {
        return ExitCode::FAILURE;
    };
    let mut rdr = csv::Reader::from_reader(BufReader::new(file));
    let Ok(headers) = rdr.headers().cloned() else {
        return ExitCode::FAILURE;
    };
    let Some(col) = headers.iter().position(|h| h == "true_person_id") else {
        return ExitCode::SUCCESS;
    };
    let truth: Vec<String> = rdr
        .records()
        .filter_map(Result::ok)
        .map(|r| r.get(col).unwrap_or_default().to_owned())
        .collect();
    let show = |a: usize, b: usize, what: &str| {
        let c = linkage::compare(&records[a], &records[b], &d.model);
        eprintln!("--- {what} {} | {}", fmt(&records[a]), fmt(&records[b]));
        eprintln!("{}", c.explain().replace('\n', "; "));
    };
    let mut by_person: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        by_person.entry(t.as_str()).or_default().push(i);
    }
    let cands: std::collections::HashSet<(u32, u32)> =
        linkage::candidate_pairs(&records, config_from_env(None).limits)
            .into_iter()
            .collect();
    let (mut true_pairs, mut found) = (0usize, 0usize);
    let mut unblocked = Vec::new();
    for g in by_person.values() {
        for (x, a) in g.iter().enumerate() {
            for b in &g[x + 1..] {
                let (a, b) = ((*a).min(*b) as u32, (*a).max(*b) as u32);
                true_pairs += 1;
                if cands.contains(&(a, b)) {
                    found += 1;
                } else {
                    unblocked.push((a, b));
                }
            }
        }
    }
    unblocked.sort_unstable();
    eprintln!(
        "blocking: {} candidates, recall {found}/{true_pairs} = {:.5}",
        cands.len(),
        found as f64 / true_pairs.max(1) as f64
    );
    let mut hist = [0usize; 3];
    for (a, b) in &unblocked {
        let p =
            linkage::compare(&records[*a as usize], &records[*b as usize], &d.model).probability;
        hist[usize::from(p >= 0.5) + usize::from(p >= 0.97)] += 1;
    }
    eprintln!(
        "unblocked by probability: <0.5 {}, 0.5-0.97 {}, >=0.97 {}",
        hist[0], hist[1], hist[2]
    );
    for (a, b) in unblocked.iter().take(15) {
        show(*a as usize, *b as usize, "UNBLOCKED");
    }
    let limit: usize = std::env::var("LINKAGE_DEBUG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut shown = 0;
    let mut groups: Vec<&Vec<usize>> = by_person.values().collect();
    groups.sort();
    'fneg: for g in groups {
        for (x, a) in g.iter().enumerate() {
            for b in &g[x + 1..] {
                if d.cluster_ids[*a] != d.cluster_ids[*b] {
                    show(*a, *b, "MISSED");
                    shown += 1;
                    if shown >= limit {
                        break 'fneg;
                    }
                }
            }
        }
    }
    let mut by_cluster: std::collections::HashMap<u32, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, c) in d.cluster_ids.iter().enumerate() {
        by_cluster.entry(*c).or_default().push(i);
    }
    let mut clusters: Vec<&Vec<usize>> = by_cluster.values().collect();
    clusters.sort();
    shown = 0;
    'fpos: for g in clusters {
        for (x, a) in g.iter().enumerate() {
            for b in &g[x + 1..] {
                if truth[*a] != truth[*b] {
                    show(*a, *b, "WRONG");
                    shown += 1;
                    if shown >= limit {
                        break 'fpos;
                    }
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn fmt(r: &linkage::Record) -> String {
    [
        &r.full_name,
        &r.gender,
        &r.birth_date,
        &r.country,
        &r.city_abroad,
        &r.hometown,
        &r.passport_no,
        &r.phone,
        &r.email,
        &r.father_name,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect::<Vec<_>>()
    .join(" / ")
}
