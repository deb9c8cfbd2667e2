//! Fuzzing without nightly (issue 26, "longer runs"): property tests on the
//! parsers that take what people and files send — the CSV and xlsx readers,
//! the upload spool, the hometown resolver, name folding, dates and search
//! queries. None may panic; each keeps its own invariants.
//!
//! In the test suite each target runs `FUZZ_CASES` cases (default 128, a
//! few seconds in all). `scripts/fuzz.sh` runs each for `FUZZ_SECONDS`
//! instead (30 minutes for the figures in docs/BENCHMARKS.md). A failing
//! case is written to `tests/fuzz-corpus/<target>.txt` (commit it: it is
//! replayed first on every later run).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::time::{Duration, Instant};

use app::intake::import::read::{self, Choice, Limits, Spool};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

/// Runs `test` on values of `strategy`: `FUZZ_CASES` cases, or again and
/// again for `FUZZ_SECONDS` when set. Prints how many cases ran.
fn fuzz<S: Strategy>(
    target: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let deadline = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(|s| Instant::now() + Duration::from_secs(s));
    let corpus: &'static str = Box::leak(
        format!(
            "{}/tests/fuzz-corpus/{target}.txt",
            env!("CARGO_MANIFEST_DIR")
        )
        .into_boxed_str(),
    );
    let mut ran = 0u64;
    loop {
        let mut runner = TestRunner::new(Config {
            cases: cases(),
            failure_persistence: Some(Box::new(FileFailurePersistence::Direct(corpus))),
            // Fresh inputs on every round of a long run.
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            ..Config::default()
        });
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("{target}: {e}");
        }
        ran += u64::from(cases());
        if deadline.is_none_or(|d| Instant::now() >= d) {
            break;
        }
    }
    eprintln!("{target}: {ran} cases, no failure");
}

fn small_limits() -> Limits {
    Limits {
        max_file_bytes: 1 << 20,
        max_rows: 5_000,
        max_columns: 60,
        max_cell_chars: 500,
        max_sheets: 10,
        max_decompressed_bytes: 8 << 20,
        max_concurrent: 1,
    }
}

/// Text shaped like a list: cells, separators, quotes, line ends, Vietnamese.
fn listish() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        "[A-Za-zÀ-ỹĐđ0-9 /.-]{0,12}",
        Just("\"".to_owned()),
        Just("\"\"".to_owned()),
        Just("Họ và tên".to_owned()),
        Just("STT".to_owned()),
        Just("(1)".to_owned()),
        Just("Tổng cộng".to_owned()),
        Just("=1+1".to_owned()),
        "\\PC{0,6}",
    ];
    let sep = prop_oneof![
        Just(","),
        Just(";"),
        Just("\t"),
        Just("\n"),
        Just("\r\n"),
        Just("\r")
    ];
    prop::collection::vec((cell, sep), 0..200).prop_map(|parts| {
        let mut s = String::new();
        for (c, sep) in parts {
            s.push_str(&c);
            s.push_str(sep);
        }
        s.into_bytes()
    })
}

#[test]
fn csv_reader_never_panics() {
    let bytes = prop_oneof![prop::collection::vec(any::<u8>(), 0..4096), listish()];
    fuzz(
        "csv_reader",
        (bytes, prop::option::of(1u32..40)),
        |(bytes, header_row)| {
            let choice = Choice {
                sheet: None,
                header_row,
                score: None,
            };
            let _ = read::check_type(&bytes, "danh-sach.csv");
            if let Ok(t) = read::read(&bytes, "danh-sach.csv", &small_limits(), &choice) {
                let limits = small_limits();
                prop_assert!(t.rows.len() <= limits.max_rows);
                prop_assert!(t.headers.len() <= limits.max_columns);
            }
            Ok(())
        },
    );
}

#[test]
fn xlsx_reader_never_panics_on_damaged_workbooks() {
    let template =
        app::intake::import::files::template(domain::Agency::FatherlandFront, "42").unwrap();
    let len = template.len();
    let damage = prop::collection::vec((0..len, any::<u8>()), 1..24);
    fuzz(
        "xlsx_reader",
        (damage, prop::option::of(0..len)),
        |(damage, cut)| {
            let mut bytes = template.clone();
            for (at, b) in damage {
                bytes[at] = b;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut);
            }
            let _ = read::check_type(&bytes, "danh-sach.xlsx");
            let _ = read::read(
                &bytes,
                "danh-sach.xlsx",
                &small_limits(),
                &Choice::default(),
            );
            Ok(())
        },
    );
}

#[test]
fn upload_spool_refuses_or_gives_back_what_it_got() {
    let chunks = prop::collection::vec(prop::collection::vec(any::<u8>(), 0..2048), 0..12);
    fuzz("upload_spool", chunks, |chunks| {
        let limits = Limits {
            max_file_bytes: 8 << 10,
            max_columns: 3,
            max_cell_chars: 50,
            ..small_limits()
        };
        let mut spool = Spool::new(&limits).unwrap();
        let mut sent = Vec::new();
        for c in &chunks {
            if spool.feed(c).is_err() {
                return Ok(());
            }
            sent.extend_from_slice(c);
        }
        if let Ok(back) = spool.finish("a.csv") {
            prop_assert_eq!(back, sent);
        }
        Ok(())
    });
}

#[test]
fn hometown_resolver_never_panics() {
    let text = prop_oneof![
        "\\PC{0,60}",
        "(xã|phường|thị trấn|huyện|tỉnh|TP\\.?|X\\.|H\\.) ?[A-Za-zÀ-ỹĐđ ]{0,20}(, ?[A-Za-zÀ-ỹĐđ .]{0,20}){0,3}",
    ];
    fuzz(
        "hometown",
        (text, prop::option::of(Just("42"))),
        |(text, hint)| {
            let _ = domain::geo::resolve_hometown(&text, hint);
            Ok(())
        },
    );
}

#[test]
fn name_folding_is_stable() {
    fuzz("fold", "\\PC{0,40}", |s| {
        let once = domain::text::fold(&s);
        prop_assert_eq!(
            domain::text::fold(&once),
            once.clone(),
            "folding twice changes {:?}",
            s
        );
        let key = domain::text::fold_key(&s);
        prop_assert_eq!(domain::text::fold_key(&key), key);
        Ok(())
    });
}

#[test]
fn dates_read_or_refuse_but_never_invent() {
    let text = prop_oneof![
        "\\PC{0,24}",
        "(ngày |tháng |năm )?[0-9]{1,5}([/.-][0-9]{1,4}){0,2}\\??",
    ];
    fuzz("dates", text, |t| {
        for d in [
            domain::dates::read(&t, 2026),
            domain::dates::read_without_century(&t),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(m) = d.month {
                prop_assert!((1..=12).contains(&m), "{t:?} gave month {m}");
            }
            if let Some(day) = d.day {
                // A day is only given with its month, and exists in it.
                let month = d.month.and_then(|m| time::Month::try_from(m).ok());
                prop_assert!(month.is_some(), "{t:?} gave a day without a month");
                prop_assert!(
                    time::Date::from_calendar_date(i32::from(d.year), month.unwrap(), day).is_ok(),
                    "{t:?} gave {day}/{:?}/{}",
                    d.month,
                    d.year
                );
            }
        }
        let _ = domain::dates::read_year(&t, 2026);
        Ok(())
    });
}

#[test]
fn search_queries_never_panic() {
    let mut ix = search::Index::new();
    for (i, n) in [
        "Nguyễn Văn An",
        "Trần Thị Bích Hạnh",
        "Lê Đức",
        "Phạm Thị Thu Hà",
        "Ngô Thanh Vương",
    ]
    .iter()
    .enumerate()
    {
        ix.upsert(&search::PersonDoc {
            id: i as i64 + 1,
            full_name: (*n).into(),
            country: "KR".into(),
            category: "contract_labour".into(),
            status: "active".into(),
            verification: "unverified".into(),
            ..search::PersonDoc::default()
        });
    }
    let filters = search::Filters::default();
    let q = prop_oneof![
        "\\PC{0,40}",
        "[a-zA-ZÀ-ỹĐđ ]{0,30}( [0-9]{1,4}(/[0-9]{1,2}){0,2})?",
    ];
    fuzz("search_query", (q, 0usize..60), |(text, limit)| {
        let r = ix.search(&search::Query::new(&text, limit, &filters), |_| true);
        prop_assert!(r.hits.len() <= limit);
        Ok(())
    });
}
