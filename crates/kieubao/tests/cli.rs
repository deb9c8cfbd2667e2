//! The command line as scripts use it: the real binary, real databases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kb(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kieubao"));
    c.current_dir(dir)
        .env_remove("KIEUBAO_DATABASE_URL")
        .env_remove("KIEUBAO_DATA_DIR")
        .env_remove("KIEUBAO_CONFIG")
        .env("KIEUBAO_LOG", "warn");
    c
}

fn run_with_stdin(mut c: Command, input: &str) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn version_prints_and_unknown_flags_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = kb(dir.path()).arg("version").output().unwrap();
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("kieubao "));
    let out = kb(dir.path())
        .args(["serve", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let help = kb(dir.path()).arg("--help").output().unwrap();
    assert!(text(&help.stdout).contains("Exit codes"));
}

#[test]
fn unusable_data_dir_is_one_clear_line_and_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let out = kb(dir.path())
        .args(["migrate", "--data-dir"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let out = kb(dir.path())
        .args(["user", "list", "--data-dir"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("data directory"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn unreachable_database_and_bad_configuration_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = kb(dir.path())
        .args([
            "user",
            "list",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr).trim().lines().count(), 1);
    let out = kb(dir.path())
        .args(["user", "list", "--database-url", "mysql://x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    std::fs::write(dir.path().join("kieubao.toml"), "addr = 'nonsense'\n").unwrap();
    let out = kb(dir.path()).args(["serve"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("addr"), "{}", text(&out.stderr));
    std::fs::write(dir.path().join("kieubao.toml"), "no_such_key = 1\n").unwrap();
    let out = kb(dir.path()).args(["user", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("no_such_key"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn environment_overrides_file_and_flags_override_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kieubao.toml"), "addr = 'bad file value'\n").unwrap();
    // The environment wins over the file...
    let out = kb(dir.path())
        .env("KIEUBAO_ADDR", "also bad env")
        .args(["serve"])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("also bad env"),
        "{}",
        text(&out.stderr)
    );
    // ...and the flag wins over both: this one is valid, so the server starts.
    let mut child = kb(dir.path())
        .env("KIEUBAO_ADDR", "also bad env")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut buf = [0u8; 64];
    let n = child.stdout.as_mut().unwrap().read(&mut buf).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(text(&buf[..n]).contains("listening"), "{}", text(&buf[..n]));
}

fn users_tokens_and_audit(dir: &std::path::Path, db_args: &[String]) {
    let mut add = kb(dir);
    add.args([
        "user",
        "add",
        "--username",
        "lan",
        "--role",
        "commune_officer",
        "--commune",
        "18628",
    ])
    .args(db_args);
    let out = run_with_stdin(add, "a long enough passphrase\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A weak password is refused with the field named, exit 6.
    let mut weak = kb(dir);
    weak.args(["user", "add", "--username", "binh", "--role", "viewer"])
        .args(db_args);
    let out = run_with_stdin(weak, "short\n");
    assert_eq!(out.status.code(), Some(6));
    assert!(
        text(&out.stderr).contains("password"),
        "{}",
        text(&out.stderr)
    );
    // A commune officer without a commune is refused.
    let mut nocommune = kb(dir);
    nocommune
        .args([
            "user",
            "add",
            "--username",
            "chi",
            "--role",
            "commune_officer",
        ])
        .args(db_args);
    let out = run_with_stdin(nocommune, "a long enough passphrase\n");
    assert_eq!(out.status.code(), Some(6));
    let out = kb(dir)
        .args(["user", "list"])
        .args(db_args)
        .output()
        .unwrap();
    let listing = text(&out.stdout);
    assert!(
        listing.contains("lan\tcommune_officer\tactive\tnew_commune:18628"),
        "{listing}"
    );
    assert!(!listing.contains("binh"));
    // A privilege change: another commune and a legacy district.
    let out = kb(dir)
        .args([
            "user",
            "set-access",
            "--username",
            "lan",
            "--role",
            "commune_officer",
            "--commune",
            "18631",
            "--legacy-district",
            "436",
        ])
        .args(db_args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A mission without a country is refused (exit 6) and changes nothing.
    let out = kb(dir)
        .args([
            "user",
            "set-access",
            "--username",
            "lan",
            "--role",
            "mission",
        ])
        .args(db_args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("country"),
        "{}",
        text(&out.stderr)
    );
    let listing = text(
        &kb(dir)
            .args(["user", "list"])
            .args(db_args)
            .output()
            .unwrap()
            .stdout,
    );
    assert!(
        listing.contains("lan\tcommune_officer\tactive\tlegacy_district:436,new_commune:18631"),
        "{listing}"
    );
    let out = kb(dir)
        .args(["user", "mfa-reset", "--username", "lan"])
        .args(db_args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = kb(dir)
        .args(["user", "mfa-reset", "--username", "nobody"])
        .args(db_args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let out = kb(dir)
        .args([
            "token",
            "create",
            "--username",
            "lan",
            "--expires-days",
            "7",
        ])
        .args(db_args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).trim().starts_with("kb_"));
    let out = kb(dir)
        .args(["token", "create", "--username", "nobody"])
        .args(db_args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let out = kb(dir)
        .args(["user", "disable", "--username", "lan"])
        .args(db_args)
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = kb(dir)
        .args(["audit", "verify"])
        .args(db_args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("intact"));
}

#[test]
fn users_tokens_and_audit_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    users_tokens_and_audit(
        dir.path(),
        &["--data-dir".into(), data.display().to_string()],
    );
}

#[test]
fn users_tokens_and_audit_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("kb_test_cli_{}", uuid::Uuid::new_v4().simple());
    let url = rt.block_on(db::testing::create_pg_database(&name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    users_tokens_and_audit(dir.path(), &["--database-url".into(), url]);
    rt.block_on(db::testing::drop_pg_database(&name));
}

#[test]
fn database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = kb(dir.path())
        .args(["migrate", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rwc", data.join("kieubao.db").display());
        let db = db::Db::connect(&url, 1).await.unwrap();
        sqlx_insert_future_version(&db).await;
        db.close().await;
    });
    let out = kb(dir.path())
        .args(["user", "list", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("newer"), "{}", text(&out.stderr));
}

async fn sqlx_insert_future_version(db: &db::Db) {
    db::query(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')",
    )
    .execute(&db.pool)
    .await
    .unwrap();
}

#[test]
fn demo_csv_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.csv", "b.csv"] {
        let out = kb(dir.path())
            .args(["demo", "--people", "500", "--seed", "9", "--csv", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let a = std::fs::read(dir.path().join("a.csv")).unwrap();
    let b = std::fs::read(dir.path().join("b.csv")).unwrap();
    assert_eq!(a, b);
    assert_eq!(text(&a).lines().count(), 501);
    let out = kb(dir.path())
        .args(["demo", "--people", "200", "--seed", "9", "--lists", "l.csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let lists = std::fs::read_to_string(dir.path().join("l.csv")).unwrap();
    assert!(lists.starts_with(
        "record_id,source,full_name,gender,birth_date,country,city_abroad,hometown,passport_no,phone,email,father_name,category,true_person_id"
    ));
}

fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    Some(resp)
}

fn serve_demo_once(dir: &std::path::Path, port: u16) -> String {
    let addr = format!("127.0.0.1:{port}");
    let mut child = kb(dir)
        .env("KIEUBAO_DEMO_PASSWORD", "demo password for tests")
        .args(["serve", "--demo", "--addr", &addr, "--data-dir", "data"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut ready = None;
    // Ready once the in-memory indexes are built (503 until then).
    while start.elapsed() < Duration::from_mins(1) {
        if let Some(r) = http_get(&addr, "/readyz").filter(|r| r.contains(" 200 ")) {
            ready = Some(r);
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let health = http_get(&addr, "/healthz").unwrap_or_default();
    // Graceful shutdown on SIGTERM.
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(ready.unwrap_or_default().contains(" 200 "));
    assert!(health.contains(" 200 "));
    assert!(status.success(), "graceful shutdown exits 0");
    out
}

#[test]
fn serve_demo_fills_once_and_keeps_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let first = serve_demo_once(dir.path(), port);
    assert!(first.contains("listening"), "{first}");
    let count = || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("data/kieubao.db").display()
            );
            let db = db::Db::connect(&url, 1).await.unwrap();
            let n: i64 = db::query_scalar("SELECT COUNT(*) FROM persons")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            db.close().await;
            n
        })
    };
    let n1 = count();
    assert!(n1 >= 1000, "demo people loaded: {n1}");
    serve_demo_once(dir.path(), port);
    assert_eq!(count(), n1, "--demo on a database with data adds nothing");
    // The server signed the chain's head (at start, and at shutdown if it
    // moved): the last anchor covers every audit row, and verify checks it.
    let anchors = std::fs::read_to_string(dir.path().join("data/audit-anchors.log")).unwrap();
    let last: Vec<&str> = anchors.lines().last().unwrap().split(' ').collect();
    let rows = {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("data/kieubao.db").display()
            );
            let db = db::Db::connect(&url, 1).await.unwrap();
            let n: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            db.close().await;
            n
        })
    };
    assert!(rows > 0);
    assert_eq!(last[2], rows.to_string(), "{anchors}");
    let out = kb(dir.path())
        .args(["audit", "verify", "--data-dir", "data"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("signed anchors checked"));
}

#[test]
fn serve_demo_on_people_loaded_by_demo_adds_the_accounts_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = kb(dir.path())
        .args([
            "demo",
            "--people",
            "300",
            "--seed",
            "7",
            "--data-dir",
            "data",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let counts = || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("data/kieubao.db").display()
            );
            let db = db::Db::connect(&url, 1).await.unwrap();
            let people: i64 = db::query_scalar("SELECT COUNT(*) FROM persons")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            let accounts: i64 = db::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            db.close().await;
            (people, accounts)
        })
    };
    assert_eq!(counts(), (300, 0));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Once exited at start with "conflict: unique".
    let out = serve_demo_once(dir.path(), port);
    assert!(out.contains("Demo accounts added: admin"), "{out}");
    let (people, accounts) = counts();
    assert_eq!(
        people, 300,
        "no demo people added to a registry that has some"
    );
    assert!(accounts >= 6, "the demo accounts exist: {accounts}");
    // A second start adds nothing and says nothing about accounts.
    let out = serve_demo_once(dir.path(), port);
    assert!(!out.contains("Demo accounts added"), "{out}");
    assert_eq!(counts(), (people, accounts));
}

#[test]
fn dedupe_clusters_generated_lists_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = kb(dir.path())
        .args(["demo", "--people", "300", "--seed", "5", "--lists", "l.csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = kb(dir.path())
        .args(["dedupe", "l.csv", "--out", "c.csv", "--explain", "p.csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lists = std::fs::read_to_string(dir.path().join("l.csv")).unwrap();
    let clusters = std::fs::read_to_string(dir.path().join("c.csv")).unwrap();
    // Every input row gets exactly one cluster.
    let truth: std::collections::HashMap<String, String> = lists
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split(',').collect();
            (cols[0].to_owned(), (*cols.last().unwrap()).to_owned())
        })
        .collect();
    let assigned: Vec<(String, String)> = clusters
        .lines()
        .skip(1)
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            (a.to_owned(), b.to_owned())
        })
        .collect();
    assert_eq!(assigned.len(), truth.len());
    // Pairwise precision and recall against the generator's ground truth.
    let (mut tp, mut fp, mut fneg) = (0u32, 0u32, 0u32);
    for i in 0..assigned.len() {
        for j in i + 1..assigned.len() {
            let same_cluster = assigned[i].1 == assigned[j].1;
            let same_person = truth[&assigned[i].0] == truth[&assigned[j].0];
            match (same_cluster, same_person) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fneg += 1,
                (false, false) => {}
            }
        }
    }
    let precision = f64::from(tp) / f64::from(tp + fp).max(1.0);
    let recall = f64::from(tp) / f64::from(tp + fneg).max(1.0);
    assert!(tp > 20, "too few true pairs to judge: {tp}");
    assert!(
        precision > 0.9 && recall > 0.85,
        "precision {precision}, recall {recall}"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("p.csv"))
            .unwrap()
            .starts_with("record_id_a,record_id_b")
    );
    // Bad input: one line, non-zero exit.
    let out = kb(dir.path())
        .args(["dedupe", "missing.csv", "--out", "x.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
}

/// One HTTP/1.0 request with a bearer token; answers the raw response.
fn http(addr: &str, method: &str, path: &str, token: &str, body: &[u8]) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp
}

fn json_field(resp: &str, field: &str) -> String {
    let key = format!("\"{field}\":");
    let i = resp
        .find(&key)
        .unwrap_or_else(|| panic!("{field} not in {resp}"))
        + key.len();
    resp[i..]
        .trim_start_matches('"')
        .chars()
        .take_while(|c| *c != '"' && *c != ',' && *c != '}')
        .collect()
}

fn start_server(dir: &std::path::Path, addr: &str) -> std::process::Child {
    let child = kb(dir)
        .args(["serve", "--addr", addr, "--data-dir", "data"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while http_get(addr, "/readyz").is_none_or(|r| !r.contains(" 200 ")) {
        assert!(
            start.elapsed() < Duration::from_mins(1),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

fn import_state(dir: &std::path::Path, id: &str) -> (String, i64) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rw", dir.join("data/kieubao.db").display());
        let db = db::Db::connect(&url, 1).await.unwrap();
        let status: String = db::query_scalar("SELECT status FROM imports WHERE id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(&db.pool)
            .await
            .unwrap();
        let people: i64 = db::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        db.close().await;
        (status, people)
    })
}

/// `kill -9` of the server in the middle of an import's commit: nothing of
/// the import is visible afterwards; on restart it is back to "validated"
/// and commits whole.
#[test]
fn kill_9_during_an_import_commit_leaves_no_partial_rows() {
    const ROWS: usize = 60_000;
    let dir = tempfile::tempdir().unwrap();
    let mut add = kb(dir.path());
    add.args([
        "user",
        "add",
        "--username",
        "sonv",
        "--role",
        "province_officer",
        "--data-dir",
        "data",
    ]);
    let out = run_with_stdin(add, "a long enough passphrase\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = kb(dir.path())
        .args([
            "token",
            "create",
            "--username",
            "sonv",
            "--data-dir",
            "data",
        ])
        .output()
        .unwrap();
    let token = text(&out.stdout).trim().to_owned();
    assert!(token.starts_with("kb_"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = start_server(dir.path(), &addr);

    let mut csv = String::from("Họ và tên,Quốc gia,Ngày sinh,Diện\n");
    for i in 0..ROWS {
        writeln!(csv, "Người Thứ {i},KR,{},Lao động", 1960 + i % 40).unwrap();
    }
    let resp = http(
        &addr,
        "POST",
        "/api/v1/imports?source=police&file_name=big.csv",
        &token,
        csv.as_bytes(),
    );
    assert!(resp.contains(" 202 "), "{resp}");
    let id = json_field(&resp, "id");
    let start = Instant::now();
    loop {
        let r = http(&addr, "GET", &format!("/api/v1/imports/{id}"), &token, b"");
        if json_field(&r, "status") == "validated" {
            assert_eq!(json_field(&r, "valid_rows"), ROWS.to_string());
            break;
        }
        assert!(start.elapsed() < Duration::from_mins(2), "{r}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = http(
        &addr,
        "POST",
        &format!("/api/v1/imports/{id}/commit"),
        &token,
        b"",
    );
    assert!(r.contains(" 202 "), "{r}");
    // Let the commit get going, then kill the server without warning.
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .arg("-KILL")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    server.wait().unwrap();
    let (status, people) = import_state(dir.path(), &id);
    assert_eq!(status, "committing", "killed before the commit finished");
    assert_eq!(people, 0, "no partial rows");

    // Restart: the import is back to "validated" and commits whole.
    let mut server = start_server(dir.path(), &addr);
    let r = http(&addr, "GET", &format!("/api/v1/imports/{id}"), &token, b"");
    assert_eq!(json_field(&r, "status"), "validated", "{r}");
    assert_eq!(json_field(&r, "failure"), "import.interrupted");
    let r = http(
        &addr,
        "POST",
        &format!("/api/v1/imports/{id}/commit"),
        &token,
        b"",
    );
    assert!(r.contains(" 202 "), "{r}");
    let start = Instant::now();
    loop {
        let r = http(&addr, "GET", &format!("/api/v1/imports/{id}"), &token, b"");
        if json_field(&r, "status") == "committed" {
            assert_eq!(json_field(&r, "created_persons"), ROWS.to_string());
            break;
        }
        assert!(start.elapsed() < Duration::from_mins(2), "{r}");
        std::thread::sleep(Duration::from_millis(100));
    }
    Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    server.wait().unwrap();
    let (status, people) = import_state(dir.path(), &id);
    assert_eq!((status.as_str(), people), ("committed", ROWS as i64));
}

/// `kieubao import` streams a CSV into one undoable import; `--dry-run`
/// writes nothing; `import undo ID` takes it back.
#[test]
fn import_from_the_command_line_dry_run_commit_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let out = kb(dir.path())
        .args([
            "demo",
            "--people",
            "400",
            "--seed",
            "9",
            "--csv",
            "people.csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = kb(dir.path())
        .args([
            "import",
            "people.csv",
            "--source",
            "survey",
            "--round",
            "2025",
            "--dry-run",
            "--data-dir",
            "data",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("400 rows"), "{report}");
    assert!(report.contains("0 people created (checked)"), "{report}");
    let out = kb(dir.path())
        .args([
            "import",
            "people.csv",
            "--source",
            "survey",
            "--round",
            "2025",
            "--data-dir",
            "data",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let id = report
        .strip_prefix("import ")
        .and_then(|r| r.split(':').next())
        .unwrap()
        .to_owned();
    let valid: usize = report
        .split(", ")
        .nth(1)
        .and_then(|v| v.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(valid >= 390, "{report}");
    assert!(
        report.contains(&format!("{valid} people created (committed)")),
        "{report}"
    );
    assert!(text(&out.stderr).contains("commit:"), "progress on stderr");
    let out = kb(dir.path())
        .args(["import", "undo", &id, "--data-dir", "data"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("{valid} people removed")),
        "{}",
        text(&out.stdout)
    );
    // An unknown source is refused with exit 6.
    let out = kb(dir.path())
        .args([
            "import",
            "people.csv",
            "--source",
            "nasa",
            "--data-dir",
            "data",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
}

/// The command line prints the sentences the page shows (the column as the
/// file heads it, the value as typed, what is wrong), in Vietnamese or
/// English, never a code; values written the Vietnamese way are read.
#[test]
fn import_report_speaks_sentences_and_reads_vietnamese_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ds.csv"),
        "Họ và tên,Nước,Diện,Giới tính,Ngày sinh,Năm xuất cảnh,Tình trạng\n\
         Nguyễn Văn An,Nhật Bản,Lao động,Nam,tháng 5/1990,năm 2015,Đang ở nước ngoài\n\
         Trần Thị Bình,Hoa Kỳ,Du học sinh,Nữ,3-5-98,2019?,Đã về nước\n\
         Lê Văn Cường,Wakanda,Nhà báo,Nam,31/02/1990,,\n\
         Phạm Thị Dung,CHLB Đức,Kết hôn,Nữ,45658,,Mất liên lạc\n",
    )
    .unwrap();
    let run = |lang: &str| {
        let out = kb(dir.path())
            .args([
                "import",
                "ds.csv",
                "--source",
                "labour",
                "--dry-run",
                "--lang",
                lang,
                "--data-dir",
                "data",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let vi = run("vi");
    assert!(vi.contains("4 rows, 3 valid, 1 with errors"), "{vi}");
    assert!(
        vi.contains("Cột \"Nước\" (Quốc gia) = \"Wakanda\": Không có quốc gia này."),
        "{vi}"
    );
    assert!(
        vi.contains("Cột \"Diện\" (Nhóm) = \"Nhà báo\": Giá trị không có trong danh mục."),
        "{vi}"
    );
    assert!(vi.contains("Cột \"Ngày sinh\" = \"31/02/1990\""), "{vi}");
    for code in [
        "unknown_country",
        "invalid_code",
        "invalid_date",
        "country ",
        "category ",
    ] {
        assert!(!vi.contains(code), "a code {code:?} is printed: {vi}");
    }
    let en = run("en");
    assert!(
        en.contains("Column \"Diện\" (Category) = \"Nhà báo\""),
        "{en}"
    );
}

/// Issue 19: row numbers as the spreadsheet shows them (a CSV saved by
/// Excel, CR LF: the bad row is on line 4); a commune's list under title
/// rows; `--header-row`, `--sheet`; a file that is not a spreadsheet is
/// refused, naming it, before anything is recorded.
#[test]
fn import_reports_spreadsheet_rows_and_finds_the_list() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cong-van.pdf"),
        b"%PDF-1.7\n%\xe2\xe3 1 0 obj",
    )
    .unwrap();
    let import = |args: &[&str]| {
        let mut all = vec!["import"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--source", "fatherland_front", "--data-dir", "data"]);
        kb(dir.path()).args(&all).output().unwrap()
    };
    let out = import(&["cong-van.pdf", "--dry-run"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Tệp «cong-van.pdf» không phải bảng tính (xlsx, xls, ods, csv)"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        dir.path().join("crlf.csv"),
        "Họ và tên,Quốc gia\r\nAn,Hàn Quốc\r\nBình,Hàn Quốc\r\n,Hàn Quốc\r\nCường,Hàn Quốc\r\n",
    )
    .unwrap();
    let out = import(&["crlf.csv", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    // The first import recorded: the refused PDF left nothing.
    assert!(report.starts_with("import 1:"), "{report}");
    assert!(report.contains("4 rows, 3 valid"), "{report}");
    assert!(report.contains("  Dòng 4: "), "{report}");
    std::fs::write(
        dir.path().join("xa.csv"),
        "UBND XÃ THẠCH HÀ\nDANH SÁCH CÔNG DÂN CÓ NGƯỜI THÂN Ở NƯỚC NGOÀI\n\n\
         STT,Họ và tên,Quê quán,,Quốc gia\n,,Xã,Huyện,\n(1),(2),(3),(4),(5)\n\
         1,Nguyễn Văn An,Thạch Kim,Lộc Hà,Hàn Quốc\n2,,Thạch Hải,Thạch Hà,Hàn Quốc\n\
         Tổng cộng,,,,2 người\n",
    )
    .unwrap();
    let out = import(&["xa.csv", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("2 rows, 1 valid, 1 with errors"),
        "{report}"
    );
    assert!(report.contains("  Dòng 8: "), "{report}");
    assert!(
        report.contains(
            "header: row 4-5 (STT | Họ và tên | Quê quán - Xã | Quê quán - Huyện | Quốc gia)"
        ),
        "{report}"
    );
    // The header row chosen by hand: the title row, so nobody is valid.
    let out = import(&["xa.csv", "--dry-run", "--header-row", "2"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 valid"),
        "{}",
        text(&out.stdout)
    );
    // A CSV has no sheets.
    let out = import(&["xa.csv", "--dry-run", "--sheet", "Danh sách"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--sheet «Danh sách»: Không có trang tính đã chọn trong tệp."),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scan_queues_candidate_pairs_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = kb(dir.path())
        .args(["demo", "--people", "300", "--seed", "9"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The same list imported twice: every person has a twin to find.
    let out = kb(dir.path())
        .args(["demo", "--people", "50", "--seed", "9", "--csv", "p.csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = kb(dir.path())
        .args(["import", "p.csv", "--source", "survey", "--round", "2025"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = kb(dir.path()).args(["scan"]).output().unwrap();
    assert!(first.status.success(), "{}", text(&first.stderr));
    let report = text(&first.stdout);
    assert!(report.starts_with("compared 350 records"), "{report}");
    // "... N new in the queue (...)": the number before the phrase.
    let before = &report[..report.find(" new in the queue").expect("summary line")];
    let new_pairs: usize = before
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{report}"));
    assert!(new_pairs >= 40, "{report}");
    // Decided or not, a pair is queued once.
    let again = kb(dir.path()).args(["scan"]).output().unwrap();
    assert!(
        text(&again.stdout).contains(" 0 new in the queue"),
        "{}",
        text(&again.stdout)
    );
    // An unknown account is refused cleanly.
    let bad = kb(dir.path())
        .args(["scan", "--as", "nobody"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

/// Facts about an import's data directory, read back from `SQLite`.
fn sqlite_facts(data: &std::path::Path) -> (i64, i64, bool, String) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rw", data.join("kieubao.db").display());
        let db = db::Db::connect(&url, 1).await.unwrap();
        let (people, seqs): (i64, i64) = db::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT change_seq) FROM persons WHERE change_seq > 0",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let index: Option<String> = db::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'persons_folded'",
        )
        .fetch_optional(&db.pool)
        .await
        .unwrap();
        let plan: Vec<(i64, i64, i64, String)> = db::query_as(
            "EXPLAIN QUERY PLAN SELECT id FROM persons WHERE full_name_folded = 'nguyen van an'",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        db.close().await;
        let plan = plan.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ");
        (people, seqs, index.is_some(), plan)
    })
}

#[test]
fn a_large_import_builds_the_deferred_index_again_and_a_failed_one_leaves_it() {
    // 25,000 rows: past the 20,000 from which an import drops the
    // folded-name index for the load and builds it again before commit.
    let dir = tempfile::tempdir().unwrap();
    let out = kb(dir.path())
        .args([
            "demo",
            "--people",
            "25000",
            "--seed",
            "5",
            "--csv",
            "people.csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let import = |file: &str, data: &str| {
        kb(dir.path())
            .args([
                "import",
                file,
                "--source",
                "survey",
                "--round",
                "2025",
                "--data-dir",
                data,
            ])
            .output()
            .unwrap()
    };
    let out = import("people.csv", "data");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    let valid: i64 = report
        .split(", ")
        .nth(1)
        .and_then(|v| v.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(valid > 24_000, "{report}");
    assert!(
        text(&out.stderr).contains("index: 1/1"),
        "the index was dropped for the load and built again: {}",
        text(&out.stderr)
    );
    assert!(
        report.contains(&format!("{valid} people created (committed)")),
        "{report}"
    );
    let (people, seqs, index, plan) = sqlite_facts(&dir.path().join("data"));
    assert_eq!(people, valid);
    assert_eq!(seqs, valid, "every imported row has its own change number");
    assert!(index, "the folded-name index is back");
    assert!(plan.contains("persons_folded"), "{plan}");
    // Rows made in parallel, three chunks: every person has one source row
    // and one first version (stored without its empty members) that names
    // the same person as the row.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (versions, sources, mismatched): (i64, i64, i64) = rt.block_on(async {
        let url = format!(
            "sqlite://{}?mode=rw",
            dir.path().join("data/kieubao.db").display()
        );
        let db = db::Db::connect(&url, 1).await.unwrap();
        let r = db::query_as(
            "SELECT (SELECT COUNT(*) FROM person_versions WHERE version = 1), \
                    (SELECT COUNT(DISTINCT person_id) FROM person_sources), \
                    (SELECT COUNT(*) FROM persons p JOIN person_versions v \
                       ON v.person_id = p.id AND v.version = 1 \
                     WHERE json_extract(v.data, '$.full_name') <> p.full_name \
                        OR COALESCE(json_extract(v.data, '$.birth_date'), '') <> COALESCE(p.birth_date, '') \
                        OR COALESCE(json_extract(v.data, '$.country'), '') <> p.country)",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        db.close().await;
        r
    });
    assert_eq!((versions, sources, mismatched), (valid, valid, 0));

    // The same rows and, at the very end, a row wider than the column limit:
    // the import fails after the index was dropped and two chunks written;
    // the rollback leaves no person and the index in place.
    let mut bad = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    bad.push_str(&"x,".repeat(150));
    bad.push('\n');
    std::fs::write(dir.path().join("bad.csv"), bad).unwrap();
    let out = import("bad.csv", "data2");
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        report.contains("Quá nhiều cột; giới hạn (100)"),
        "the refusal is a sentence, not a code: {report}"
    );
    let (people, _, index, _) = sqlite_facts(&dir.path().join("data2"));
    assert_eq!(people, 0, "{report}");
    assert!(index, "a failed import leaves the index");
}

/// Issue 26, finding 2, from the command line: the key and anchor files are
/// created 0600 outside the database, `audit anchor` signs the head,
/// `audit rotate-key` starts a new key, and `audit verify` names the rows
/// dropped after the last anchor (exit 5) in a date a person reads. The keys
/// never appear in any output, even at debug level.
fn audit_keys_anchors_and_truncation(dir: &std::path::Path, db_args: &[String], db_url: &str) {
    let data = dir.join("data");
    let kbd = || {
        let mut c = kb(dir);
        c.env("KIEUBAO_LOG", "debug")
            .arg("--data-dir")
            .arg(&data)
            .args(db_args);
        c
    };
    let mut outputs = String::new();
    let mut keep = |o: &Output| {
        outputs.push_str(&text(&o.stdout));
        outputs.push_str(&text(&o.stderr));
    };
    for name in ["lan", "binh", "chi"] {
        let mut add = kbd();
        add.args(["user", "add", "--username", name, "--role", "viewer"]);
        let out = run_with_stdin(add, "a long enough passphrase\n");
        assert!(out.status.success(), "{}", text(&out.stderr));
        keep(&out);
    }
    let out = kbd().args(["audit", "rotate-key"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("new audit key"));
    keep(&out);
    let out = kbd()
        .args(["user", "disable", "--username", "chi"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    keep(&out);
    let out = kbd().args(["audit", "anchor"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("anchor written: 5 rows"));
    keep(&out);
    let out = kbd().args(["audit", "verify"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let verified = text(&out.stdout);
    assert!(
        verified.contains("intact: 5 rows") && verified.contains("1 signed anchors checked"),
        "{verified}"
    );
    keep(&out);
    #[cfg(unix)]
    for f in ["audit.key", "audit-anchor.key"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data.join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    // The database's owner drops the guard and the last two rows.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = db::Db::connect(db_url, 1).await.unwrap();
        let drops: &[&str] = match db.backend {
            db::Backend::Sqlite => &[
                "DROP TRIGGER audit_log_no_update",
                "DROP TRIGGER audit_log_no_delete",
            ],
            db::Backend::Postgres => &["DROP TRIGGER audit_log_no_change ON audit_log"],
        };
        for sql in drops {
            db::query(sql).execute(&db.pool).await.unwrap();
        }
        db::query("DELETE FROM audit_log WHERE id > 3")
            .execute(&db.pool)
            .await
            .unwrap();
        db.close().await;
    });
    let out = kbd().args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    let at = err
        .split("rows 4–5 missing after the anchor of ")
        .nth(1)
        .unwrap_or_else(|| panic!("{err}"))
        .trim();
    // dd/mm/yyyy HH:MM, never ISO.
    let b = at.as_bytes();
    assert!(
        at.len() == 16 && b[2] == b'/' && b[5] == b'/' && b[13] == b':',
        "{at}"
    );
    keep(&out);
    // No secret in any output.
    let mut secrets: Vec<String> = std::fs::read_to_string(data.join("audit.key"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(' ').nth(2).unwrap().to_owned())
        .collect();
    assert_eq!(secrets.len(), 2);
    secrets.push(
        std::fs::read_to_string(data.join("audit-anchor.key"))
            .unwrap()
            .trim()
            .to_owned(),
    );
    for s in &secrets {
        assert!(!outputs.to_lowercase().contains(s), "a key in the output");
    }
    // A program with another key file on this database refuses to start.
    let mut other = kb(dir);
    other
        .args(["user", "add", "--username", "dung", "--role", "viewer"])
        .arg("--data-dir")
        .arg(dir.join("other"))
        .args(["--database-url", db_url]);
    let out = run_with_stdin(other, "a long enough passphrase\n");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("must share audit_key_file"));
    // Verify without the key file: broken at the first keyed row, and no
    // new key is made in its place.
    std::fs::rename(data.join("audit.key"), dir.join("audit.key.bak")).unwrap();
    let out = kbd().args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("its key is not in the key file"));
    assert!(!data.join("audit.key").exists());
}

#[test]
fn audit_keys_anchors_and_truncation_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("data").join("kieubao.db").display()
    );
    audit_keys_anchors_and_truncation(dir.path(), &[], &url);
}

#[test]
fn audit_keys_anchors_and_truncation_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("kb_test_cli_{}", uuid::Uuid::new_v4().simple());
    let url = rt.block_on(db::testing::create_pg_database(&name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    audit_keys_anchors_and_truncation(dir.path(), &["--database-url".into(), url.clone()], &url);
    rt.block_on(db::testing::drop_pg_database(&name));
}

/// `backup`, `backup verify` and `restore` as an operator runs them: the
/// source on `source` (database flags), the restore into `target`; the key
/// file copied beside the restored data, as docs/OPERATIONS.md says.
fn backup_and_restore_commands(dir: &std::path::Path, source: &[String], target: &[String]) {
    let data = dir.join("data");
    let out = kb(dir)
        .args(["demo", "--people", "40", "--seed", "3", "--data-dir"])
        .arg(&data)
        .args(source)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let backup = dir.join("b");
    let out = kb(dir)
        .args(["backup", "--data-dir"])
        .arg(&data)
        .args(source)
        .arg("--out")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("(40 people)"), "{said}");
    assert!(
        said.contains("audit key file is not in the backup"),
        "{said}"
    );
    let out = kb(dir)
        .args(["backup", "verify"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("backup intact:"));
    // A second backup into the same directory is refused.
    let out = kb(dir)
        .args(["backup", "--data-dir"])
        .arg(&data)
        .args(source)
        .arg("--out")
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));

    // Restored beside a copy of the key file: the chain verifies, and the
    // restore is in the restored chain.
    let restored = dir.join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(data.join("audit.key"), restored.join("audit.key")).unwrap();
    let out = kb(dir)
        .args(["restore", "--data-dir"])
        .arg(&restored)
        .args(target)
        .arg(&backup)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("counts and checksums match the manifest"));
    let out = kb(dir)
        .args(["audit", "verify", "--data-dir"])
        .arg(&restored)
        .args(target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Not twice: the database now holds the people.
    let out = kb(dir)
        .args(["restore", "--data-dir"])
        .arg(&restored)
        .args(target)
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("not empty") && err.contains("persons: 40 rows"),
        "{err}"
    );

    // A damaged file: verify names it and exits 6.
    let file = backup.join("households.jsonl.gz");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&file, bytes).unwrap();
    let out = kb(dir)
        .args(["backup", "verify"])
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let said = text(&out.stdout);
    assert!(
        said.contains("households.jsonl.gz") && said.contains("bytes"),
        "{said}"
    );
    // Not a backup at all.
    let out = kb(dir)
        .args(["backup", "verify"])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(text(&out.stderr).contains("manifest.json"));
}

#[test]
fn backup_verify_and_restore_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    backup_and_restore_commands(dir.path(), &[], &[]);
}

#[test]
fn backup_on_sqlite_restores_into_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("kb_test_cli_{}", uuid::Uuid::new_v4().simple());
    let url = rt.block_on(db::testing::create_pg_database(&name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    backup_and_restore_commands(dir.path(), &[], &["--database-url".into(), url]);
    rt.block_on(db::testing::drop_pg_database(&name));
}

#[test]
fn backup_on_postgres_restores_into_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let names = [
        format!("kb_test_cli_{}", uuid::Uuid::new_v4().simple()),
        format!("kb_test_cli_{}", uuid::Uuid::new_v4().simple()),
    ];
    let source = rt
        .block_on(db::testing::create_pg_database(&names[0]))
        .unwrap();
    let target = rt
        .block_on(db::testing::create_pg_database(&names[1]))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    backup_and_restore_commands(
        dir.path(),
        &["--database-url".into(), source],
        &["--database-url".into(), target],
    );
    for n in &names {
        rt.block_on(db::testing::drop_pg_database(n));
    }
}

#[test]
fn migrate_status_lists_what_an_upgrade_will_apply() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        let out = kb(dir.path())
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    run(&["migrate"]);
    let said = run(&["migrate", "--status"]);
    assert!(said.contains("up to date: nothing to apply"), "{said}");
    run(&["migrate", "--down-to", "10"]);
    let said = run(&["migrate", "--status"]);
    assert!(said.starts_with("current 10, latest "), "{said}");
    assert!(said.contains("pending"), "{said}");
    assert!(said.contains("11  0011_audit_keys"), "{said}");
    assert!(said.contains("12  0012_scan_jobs"), "{said}");
    // Saying so changed nothing.
    let said = run(&["migrate", "--status"]);
    assert!(said.starts_with("current 10, "), "{said}");
}

#[test]
fn backup_schedule_settings_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    // A retention without a directory to write into is a mistake, said at once.
    let out = kb(dir.path())
        .env("KIEUBAO_BACKUP_KEEP", "3")
        .args(["migrate", "--status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("backup_dir"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        dir.path().join("kieubao.toml"),
        "backup_dir = 'backups'\nbackup_interval_minutes = 0\n",
    )
    .unwrap();
    let out = kb(dir.path())
        .args(["migrate", "--status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("backup_interval_minutes: must be positive"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        dir.path().join("kieubao.toml"),
        "backup_dir = 'backups'\nbackup_interval_minutes = 60\nbackup_keep = 5\n",
    )
    .unwrap();
    let out = kb(dir.path())
        .args(["migrate", "--status"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `kieubao round`: declare a round, sign it for both agencies, read it
/// back; a locked round refuses a new declaration naming the field.
fn rounds_are_declared_signed_and_locked(dir: &std::path::Path, db_args: &[String]) {
    let run = |args: &[&str]| {
        let mut c = kb(dir);
        c.args(args).args(db_args);
        c.output().unwrap()
    };
    let out = run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&[
        "round",
        "declare",
        "R2026",
        "--name",
        "Khảo sát 2026",
        "--from",
        "01/03/2026",
        "--to",
        "31/01/2026",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("ends_on"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "round",
        "declare",
        "R2026",
        "--name",
        "Khảo sát 2026",
        "--from",
        "01/03/2026",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&[
        "round", "sign", "R2026", "--agency", "justice", "--signer", "A",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("agency"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&[
        "round",
        "sign",
        "R2026",
        "--agency",
        "police",
        "--signer",
        "Trần Văn Bình",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("locked"));
    let out = run(&[
        "round",
        "sign",
        "R2026",
        "--agency",
        "fatherland_front",
        "--signer",
        "Phạm Thị Hoa",
    ]);
    assert!(
        text(&out.stdout).contains("locked"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["round", "show", "R2026"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("Khảo sát 2026")
            && shown.contains("Phạm Thị Hoa")
            && shown.contains("locked at"),
        "{shown}"
    );
    let out = run(&["round", "declare", "R2026", "--name", "Đổi tên"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("code"), "{}", text(&out.stderr));
}

#[test]
fn rounds_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    rounds_are_declared_signed_and_locked(
        dir.path(),
        &["--data-dir".into(), data.display().to_string()],
    );
}

#[test]
fn rounds_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("kb_test_cli_{}", uuid::Uuid::new_v4().simple());
    let url = rt.block_on(db::testing::create_pg_database(&name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    rounds_are_declared_signed_and_locked(dir.path(), &["--database-url".into(), url]);
    rt.block_on(db::testing::drop_pg_database(&name));
}

/// `kieubao community import`: a list of associations as officials write
/// it; a bad row writes nothing and is printed with its row and column; the
/// template is a workbook.
fn community_lists_import_all_or_nothing(dir: &std::path::Path, db_args: &[String]) {
    let run = |args: &[&str]| {
        let mut c = kb(dir);
        c.args(args).args(db_args);
        c.output().unwrap()
    };
    let out = run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let good = "Danh sách hội đồng hương\n\nSTT,Tên hội,Loại hội,Quốc gia,Thành phố,Ngày thành lập,Tình trạng\n\
                1,Hội đồng hương Hà Tĩnh tại Nhật Bản,Hội đồng hương,Nhật Bản,Tokyo,03/2012,Đang hoạt động\n\
                2,Hội doanh nhân Việt tại Hàn Quốc,business,KR,Seoul,2015,active\n";
    let bad = good.replace("Hội đồng hương,Nhật", "Hội bóng đá,Nhật");
    std::fs::write(dir.join("bad.csv"), bad).unwrap();
    std::fs::write(dir.join("good.csv"), good).unwrap();
    let out = run(&["community", "import", "--kind", "associations", "bad.csv"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("«Loại hội»"), "{said}");
    let out = run(&["community", "import", "--kind", "associations", "good.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("2 associations created"),
        "{}",
        text(&out.stdout)
    );
    // Contributions of the association just imported; a donor no one bears
    // writes nothing and is named with its row and column.
    let gifts = "STT,Nhà tài trợ,Số tiền,Tỷ giá,Ngày đóng góp,Mục đích,\"Xã, phường thụ hưởng\"\n\
                 1,Hội đồng hương Hà Tĩnh tại Nhật Bản,\"1.000.000 JPY\",170,tháng 3/2024,Học bổng,Xã Lộc Hà\n";
    std::fs::write(dir.join("gifts.csv"), gifts).unwrap();
    std::fs::write(
        dir.join("bad-gifts.csv"),
        gifts.replace("Hội đồng hương Hà Tĩnh tại Nhật Bản", "Hội không có thật"),
    )
    .unwrap();
    let out = run(&[
        "community",
        "import",
        "--kind",
        "contributions",
        "bad-gifts.csv",
    ]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("«Nhà tài trợ»"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&[
        "community",
        "import",
        "--kind",
        "contributions",
        "gifts.csv",
    ]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).starts_with("1 contributions created"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&[
        "community",
        "template",
        "--kind",
        "projects",
        "--out",
        "du-an.xlsx",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(dir.join("du-an.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK"));
}

#[test]
fn community_import_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    community_lists_import_all_or_nothing(
        dir.path(),
        &["--data-dir".into(), data.display().to_string()],
    );
}

#[test]
fn community_import_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("kb_test_cli_{}", uuid::Uuid::new_v4().simple());
    let url = rt.block_on(db::testing::create_pg_database(&name)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    community_lists_import_all_or_nothing(dir.path(), &["--database-url".into(), url]);
    rt.block_on(db::testing::drop_pg_database(&name));
}
