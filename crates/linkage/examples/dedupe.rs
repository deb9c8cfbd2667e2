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
    let explain = explain.map(File::create).transpose()?.map(BufWriter::new);
    linkage::run_dedupe(input, out, explain, threshold)
}
