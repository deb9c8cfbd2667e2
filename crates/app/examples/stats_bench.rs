//! Statistics benchmark (issue 9): loads synthetic people into a database by
//! SQL (`INSERT ... SELECT` over generated ids, fast enough for millions),
//! then times pivots by the in-memory columns against a plain `GROUP BY` on
//! the same database, in the same run.
//!
//! ```text
//! stats_bench DATABASE_URL PEOPLE [RUNS]
//! ```
//!
//! Prints one Markdown table row per pivot. Used by `scripts/bench_stats.sh`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

use std::time::Instant;

use app::stats::{self, Dim, Engine, PivotSpec};
use app::{Actor, App, AppSettings, Jurisdiction};

const CATEGORIES: &[&str] = &[
    "foreign_national",
    "migrant",
    "foreign_marriage",
    "contract_labour",
    "study_abroad",
    "other",
];
const COUNTRIES: &[&str] = &[
    "US", "AU", "CA", "FR", "DE", "JP", "KR", "TW", "LA", "KH", "TH", "GB", "RU", "CZ", "PL", "MY",
    "SG", "NZ", "NO", "SE", "DK", "NL", "BE", "CH", "IT", "ES", "AO", "ZA", "SA", "AE", "QA", "IL",
    "CN", "HK", "MO", "PH", "ID", "IN", "BR", "MX",
];
const GENDERS: &[&str] = &["male", "female", "female", "male", "unknown"];
const TAGS: &[&str] = &[
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "expert",
    "businessperson",
    "intellectual,expert",
];
const VERIFICATION: &[&str] = &[
    "unverified",
    "unverified",
    "police",
    "fatherland_front",
    "both",
];
const AGENCIES: &[&str] = &["police", "fatherland_front", "justice", "labour", "survey"];
const ROUNDS: &[&str] = &["2014", "2017", "2025", ""];

fn values_table(name: &str, values: &[&str]) -> String {
    let rows: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("({i}, '{v}')"))
        .collect();
    format!(
        "CREATE TABLE {name} (k BIGINT PRIMARY KEY, v TEXT NOT NULL); INSERT INTO {name} (k, v) VALUES {}",
        rows.join(", ")
    )
}

async fn exec(app: &App, sql: &str) {
    if let Err(e) = sqlx::raw_sql(sql).execute(&app.db.pool).await {
        eprintln!("SQL failed: {e}\n{sql}");
        std::process::exit(1);
    }
}

async fn load(app: &App, people: i64) {
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
        .fetch_one(&app.db.pool)
        .await
        .unwrap_or(0);
    if have >= people {
        eprintln!("{have} people already loaded");
        return;
    }
    let communes: Vec<&str> = domain::geo::new_communes_of("42")
        .iter()
        .map(|c| c.code)
        .collect();
    let districts: Vec<&str> = domain::geo::legacy_districts_of("42")
        .iter()
        .map(|d| d.code)
        .collect();
    for (name, vals) in [
        ("bench_category", CATEGORIES),
        ("bench_country", COUNTRIES),
        ("bench_gender", GENDERS),
        ("bench_tags", TAGS),
        ("bench_verification", VERIFICATION),
        ("bench_agency", AGENCIES),
        ("bench_round", ROUNDS),
        ("bench_commune", &communes[..]),
        ("bench_district", &districts[..]),
    ] {
        exec(app, &format!("DROP TABLE IF EXISTS {name}")).await;
        exec(app, &values_table(name, vals)).await;
    }
    let pg = app.db.backend == db::Backend::Postgres;
    let chunk = 250_000i64;
    let started = Instant::now();
    let mut from = have + 1;
    while from <= people {
        let to = (from + chunk - 1).min(people);
        let ids = if pg {
            format!("(SELECT generate_series({from}::bigint, {to}::bigint) AS i) AS s")
        } else {
            format!(
                "(WITH RECURSIVE g(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM g WHERE i < {to}) SELECT i FROM g) AS s"
            )
        };
        let (nc, nco, ng, nt, nv, nm, nd) = (
            CATEGORIES.len(),
            COUNTRIES.len(),
            GENDERS.len(),
            TAGS.len(),
            VERIFICATION.len(),
            communes.len(),
            districts.len(),
        );
        let sql = format!(
            "INSERT INTO persons (id, full_name, full_name_folded, gender, birth_year, category, generation, \
             hometown_new_code, hometown_legacy_district, country, tags, verification, created_at, updated_at) \
             SELECT s.i, 'Nguoi ' || s.i, 'nguoi ' || s.i, g.v, 1940 + (s.i * 7) % 80, c.v, \
             CASE WHEN s.i % 5 = 0 THEN NULL ELSE '' || (1 + s.i % 4) END, m.v, d.v, co.v, t.v, v.v, \
             '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z' \
             FROM {ids} \
             JOIN bench_category c ON c.k = (s.i * 13) % {nc} \
             JOIN bench_country co ON co.k = (s.i * 31) % {nco} \
             JOIN bench_gender g ON g.k = s.i % {ng} \
             JOIN bench_tags t ON t.k = (s.i * 17) % {nt} \
             JOIN bench_verification v ON v.k = (s.i * 3) % {nv} \
             JOIN bench_commune m ON m.k = (s.i * 11) % {nm} \
             JOIN bench_district d ON d.k = (s.i * 19) % {nd}"
        );
        exec(app, &sql).await;
        let sql = format!(
            "INSERT INTO person_sources (person_id, agency, survey_round, added_at) \
             SELECT s.i, a.v, r.v, '2026-01-01T00:00:00.000000Z' FROM {ids} \
             JOIN bench_agency a ON a.k = (s.i * 7) % {} \
             JOIN bench_round r ON r.k = (s.i * 5) % {} WHERE s.i % 2 = 0",
            AGENCIES.len(),
            ROUNDS.len()
        );
        exec(app, &sql).await;
        eprintln!(
            "loaded {to} people ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
        from = to + 1;
    }
    if pg {
        exec(
            app,
            "SELECT setval(pg_get_serial_sequence('persons', 'id'), (SELECT MAX(id) FROM persons))",
        )
        .await;
        exec(app, "ANALYZE").await;
    } else {
        exec(app, "ANALYZE").await;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: stats_bench DATABASE_URL PEOPLE [RUNS]");
        std::process::exit(2);
    }
    let people: i64 = args[2].parse().unwrap_or(1_000_000);
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let Ok(db) = db::Db::connect(&args[1], 4).await else {
        eprintln!("cannot connect to {}", args[1]);
        std::process::exit(1);
    };
    if let Err(e) = db::migrate::run(&db, &app::clock::now()).await {
        eprintln!("migration failed: {e}");
        std::process::exit(1);
    }
    let backend = if db.backend == db::Backend::Postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let app = App::new(db, AppSettings::default());
    load(&app, people).await;
    let started = Instant::now();
    let built = app.stats.catch_up(&app).await.unwrap_or_default();
    eprintln!(
        "{backend}: columns built from {} rows in {:.1} s ({} live)",
        built.rows,
        started.elapsed().as_secs_f64(),
        built.live
    );
    let province = Actor::system("bench");
    let commune = domain::geo::new_communes_of("42")[0].code.to_owned();
    let commune_officer = Actor {
        role: domain::Role::CommuneOfficer,
        jurisdiction: Jurisdiction::Communes {
            new_communes: vec![commune],
            legacy_communes: vec![],
            legacy_districts: vec![],
        },
        ..Actor::system("bench")
    };
    let mut filtered = PivotSpec::new(Dim::Country, Some(Dim::Category));
    filtered.filters = vec![(Dim::Tag, vec!["expert".into()])];
    let cases: Vec<(&str, &Actor, PivotSpec)> = vec![
        (
            "category (province)",
            &province,
            PivotSpec::new(Dim::Category, None),
        ),
        (
            "country × category (province)",
            &province,
            PivotSpec::new(Dim::Country, Some(Dim::Category)),
        ),
        (
            "commune × country (province)",
            &province,
            PivotSpec::new(Dim::Commune, Some(Dim::Country)),
        ),
        (
            "age band × gender (province)",
            &province,
            PivotSpec::new(Dim::AgeBand, Some(Dim::Gender)),
        ),
        ("country × category, tag = expert", &province, filtered),
        (
            "survey round × agency (sources)",
            &province,
            PivotSpec::new(Dim::SurveyRound, Some(Dim::Agency)),
        ),
        (
            "country × category (one commune's officer)",
            &commune_officer,
            PivotSpec::new(Dim::Country, Some(Dim::Category)),
        ),
    ];
    println!(
        "| {backend} {people} people | columns, median of {runs} (ms) | plain GROUP BY (ms) | same cells |"
    );
    println!("| --- | --- | --- | --- |");
    let year = stats::current_year();
    for (label, actor, spec) in cases {
        let mut times = Vec::new();
        let mut mem = None;
        for _ in 0..runs {
            let t = Instant::now();
            let p = stats::pivot(&app, actor, &spec, Engine::Auto).await;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            mem = p.ok();
        }
        let t = Instant::now();
        let _groups = stats::sql::cells_only(&app, actor, &spec, year)
            .await
            .unwrap_or(0);
        let sql_ms = t.elapsed().as_secs_f64() * 1000.0;
        // BENCH_CHECK=0 skips the full recount (four more GROUP BYs per pivot).
        let same = if std::env::var("BENCH_CHECK").is_ok_and(|v| v == "0") {
            None
        } else {
            let full = stats::pivot(&app, actor, &spec, Engine::Sql).await.ok();
            Some(match (&mem, &full) {
                (Some(a), Some(b)) => {
                    a.cells == b.cells && a.total == b.total && a.row_totals == b.row_totals
                }
                _ => false,
            })
        };
        println!(
            "| {label} | {:.1} | {:.0} | {} |",
            median(times),
            sql_ms,
            match same {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "not checked",
            }
        );
    }
    if std::env::var("BENCH_AS_OF").is_ok_and(|v| v == "1") {
        as_of(&app, &province).await;
    }
}

/// A report "as of" today rebuilt from the history (`BENCH_AS_OF=1`): gives
/// every loaded person a first version (by SQL, once), then times the as-of
/// pivot and compares it with the live one.
async fn as_of(app: &App, actor: &Actor) {
    let pg = app.db.backend == db::Backend::Postgres;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM person_versions")
        .fetch_one(&app.db.pool)
        .await
        .unwrap_or(0);
    if have == 0 {
        let started = Instant::now();
        let data = if pg {
            "json_build_object('full_name', full_name, 'gender', gender, 'category', category, \
             'generation', generation, 'country', country, 'hometown_code', hometown_new_code, \
             'verification', verification, 'birth_date', CAST(birth_year AS TEXT), \
             'tags', to_json(string_to_array(tags, ',')))::text"
        } else {
            "json_object('full_name', full_name, 'gender', gender, 'category', category, \
             'generation', generation, 'country', country, 'hometown_code', hometown_new_code, \
             'verification', verification, 'birth_date', CAST(birth_year AS TEXT), \
             'tags', json(CASE WHEN tags = '' THEN '[]' ELSE '[\"' || replace(tags, ',', '\",\"') || '\"]' END))"
        };
        exec(
            app,
            &format!(
                "INSERT INTO person_versions (person_id, version, data, changed_at, summary) \
                 SELECT id, 1, {data}, created_at, 'created' FROM persons"
            ),
        )
        .await;
        eprintln!(
            "versions written in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    let spec = PivotSpec::new(Dim::Country, Some(Dim::Category));
    let live = stats::pivot(app, actor, &spec, Engine::Auto).await.ok();
    let mut hist = spec.clone();
    hist.as_of = Some(app::clock::now()[..10].to_owned());
    let t = Instant::now();
    let p = stats::pivot(app, actor, &hist, Engine::Auto).await.ok();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let same =
        matches!((&live, &p), (Some(a), Some(b)) if a.cells == b.cells && a.total == b.total);
    println!(
        "| country × category as of today, from the history | {ms:.0} | — | {} |",
        if same { "yes" } else { "NO" }
    );
}
