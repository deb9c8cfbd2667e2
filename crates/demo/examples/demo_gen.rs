//! Generates demo data and reports the speed on stderr.
//!
//! `cargo run --release -p demo --example demo_gen -- [people|lists|iter] [COUNT] [SEED] [--out]`
//!
//! `iter` only generates people (no CSV) and reports the number of relatives as rows.
//!
//! Without `--out` the CSV is discarded (timing only); with it, the CSV goes to stdout.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("people", String::as_str).to_owned();
    let count: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let to_stdout = args.iter().any(|a| a == "--out");

    let out: Box<dyn Write> = if to_stdout {
        Box::new(BufWriter::new(io::stdout().lock()))
    } else {
        Box::new(io::sink())
    };
    let started = Instant::now();
    let written = match mode.as_str() {
        "lists" => demo::write_lists_csv(out, &demo::ListConfig::new(seed, count)),
        // Generation alone, without CSV formatting.
        "iter" => Ok(demo::people(&demo::Config::new(seed, count))
            .map(|p| p.relatives.len() as u64)
            .sum()),
        _ => demo::write_people_csv(out, &demo::Config::new(seed, count)),
    };
    let secs = started.elapsed().as_secs_f64();
    match written {
        Ok(rows) => {
            eprintln!(
                "{mode}: {count} people, {rows} rows in {secs:.2} s: {:.0} people/s, {:.0} rows/s",
                count as f64 / secs,
                rows as f64 / secs
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
