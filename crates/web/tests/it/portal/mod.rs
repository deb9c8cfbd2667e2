//! The portal for people abroad (issue 23): accounts and e-mail through a
//! real SMTP server (Python's aiosmtpd, started here; never a mock
//! transport), claims, corrections, consent, who reaches what, and the
//! journey in Chromium.

mod accounts;
mod browser;
mod directory;
mod petitions;
mod records;
mod requests;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;

use crate::helpers::{TestApp, extract_csrf, spawn_app_with};

/// A real SMTP server (aiosmtpd) writing each message it receives into a
/// maildir; ended with the test.
pub struct Smtp {
    pub port: u16,
    pub dir: PathBuf,
    _child: tokio::process::Child,
    _tmp: tempfile::TempDir,
}

impl Smtp {
    /// Starts aiosmtpd on a free port (`pip install aiosmtpd`;
    /// `scripts/test.sh` installs it when missing).
    pub async fn start() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        // The maildir must not exist yet: aiosmtpd makes it with its parts.
        let dir = tmp.path().join("maildir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let python = std::env::var("KIEUBAO_PYTHON").unwrap_or_else(|_| "python3".into());
        let child = tokio::process::Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start aiosmtpd ({python} -m aiosmtpd; pip install aiosmtpd): {e}")
            });
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self {
                    port,
                    dir,
                    _child: child,
                    _tmp: tmp,
                };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    /// Every message received so far, raw, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> =
            std::fs::read_dir(self.dir.join("new"))
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| (e.metadata().unwrap().modified().unwrap(), e.path()))
                        .collect()
                })
                .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    /// Waits until `n` messages to `to` arrived; answers them decoded.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<Mail> {
        for _ in 0..150 {
            let got: Vec<Mail> = self
                .messages()
                .iter()
                .map(|m| Mail::parse(m))
                .filter(|m| m.to.contains(to))
                .collect();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no message number {n} to {to}: {:?}", self.messages());
    }
}

/// A received message: recipient, subject, and both parts decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn header<'a>(block: &'a str, name: &str) -> &'a str {
    block
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
        .unwrap_or_default()
}

/// Decodes a MIME encoded word (`=?utf-8?b?...?=`) or returns the text.
fn decode_words(v: &str) -> String {
    if !v.contains("=?") {
        return v.to_owned();
    }
    // Whitespace between two encoded words is not part of the text.
    let mut out = String::new();
    let mut prev_encoded = false;
    for w in v.split_whitespace() {
        let inner = w.strip_prefix("=?").and_then(|x| x.strip_suffix("?="));
        let decoded = match inner.map(|x| x.splitn(3, '?').collect::<Vec<_>>()) {
            Some(parts) if parts.len() == 3 && parts[1].eq_ignore_ascii_case("b") => Some(
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(parts[2])
                        .unwrap(),
                )
                .unwrap(),
            ),
            _ => None,
        };
        if !(out.is_empty() || prev_encoded && decoded.is_some()) {
            out.push(' ');
        }
        prev_encoded = decoded.is_some();
        out.push_str(&decoded.unwrap_or_else(|| w.to_owned()));
    }
    out
}

fn decode_body(headers: &str, body: &str) -> String {
    let cte = header(headers, "Content-Transfer-Encoding").to_ascii_lowercase();
    if cte == "base64" {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap(),
        )
        .unwrap()
    } else if cte == "quoted-printable" {
        let soft = body.replace("=\r\n", "").replace("=\n", "");
        let bytes = soft.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&soft[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8(out).unwrap()
    } else {
        body.to_owned()
    }
}

impl Mail {
    pub fn parse(raw: &str) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        // Folded header lines joined.
        let head = head.replace("\n ", " ").replace("\n\t", " ");
        let mut text = String::new();
        let mut html = String::new();
        let ct = header(&head, "Content-Type");
        if let Some(b) = ct.split("boundary=").nth(1) {
            let boundary = format!("--{}", b.trim_matches('"'));
            for part in body.split(&boundary).skip(1) {
                let part = part.trim_start_matches('\n');
                let (ph, pb) = part.split_once("\n\n").unwrap_or((part, ""));
                let ph = ph.replace("\n ", " ");
                let decoded = decode_body(&ph, pb.trim_end());
                let pct = header(&ph, "Content-Type").to_ascii_lowercase();
                if pct.starts_with("text/plain") {
                    text = decoded;
                } else if pct.starts_with("text/html") {
                    html = decoded;
                }
            }
        }
        Self {
            to: header(&head, "To").to_owned(),
            subject: decode_words(header(&head, "Subject")),
            text,
            html,
        }
    }

    /// The first link of the text part that contains `path`.
    pub fn link(&self, path: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} in {}", self.text))
            .to_owned()
    }
}

/// The server with mail going to a real SMTP server.
pub async fn spawn_with_smtp(backend: db::Backend) -> (TestApp, Smtp) {
    let smtp = Smtp::start().await;
    let mut settings = app::AppSettings {
        mfa_required_for_privileged: false,
        ..app::AppSettings::default()
    };
    settings.mail.smtp_url = Some(format!("smtp://127.0.0.1:{}", smtp.port));
    (spawn_app_with(backend, settings).await, smtp)
}

/// Runs one async test body with an SMTP server, on SQLite and PostgreSQL.
#[macro_export]
macro_rules! dual_smtp {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let (app, smtp) = $crate::portal::spawn_with_smtp(db::Backend::Sqlite).await;
                    super::$name(app, smtp).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let (app, smtp) = $crate::portal::spawn_with_smtp(db::Backend::Postgres).await;
                    super::$name(app, smtp).await;
                }
            }
        )+
    };
}

pub const PORTAL_PASSWORD: &str = "quê hương Hà Tĩnh 2026";

/// A page's CSRF token (and the pre-session cookie in `client`).
pub async fn csrf_of(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let html = client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    extract_csrf(&html)
}

/// POSTs a form with the CSRF token of the page at `from`.
pub async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = csrf_of(app, client, from).await;
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf", &csrf));
    client.post(app.url(to)).form(&form).send().await.unwrap()
}

/// Registers `email`, confirms it by the link the SMTP server received,
/// and signs in with a new client (answered).
pub async fn registered(app: &TestApp, smtp: &Smtp, email: &str) -> reqwest::Client {
    let c = TestApp::new_client();
    let r = post_form(
        app,
        &c,
        "/kieu-bao/register",
        "/kieu-bao/register",
        &[("email", email), ("password", PORTAL_PASSWORD)],
    )
    .await;
    assert_eq!(r.status(), 200);
    let mail = smtp.wait_for(email, 1).await.pop().unwrap();
    let link = mail.link("/kieu-bao/confirm?token=");
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let r = post_form(
        app,
        &c,
        &format!("/kieu-bao/confirm?token={token}"),
        "/kieu-bao/confirm",
        &[("token", &token)],
    )
    .await;
    assert_eq!(r.status(), 200);
    sign_in(app, email, PORTAL_PASSWORD).await
}

/// A new client signed in to the portal.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let c = TestApp::new_client();
    let r = post_form(
        app,
        &c,
        "/kieu-bao/login",
        "/kieu-bao/login",
        &[("email", email), ("password", password)],
    )
    .await;
    assert_eq!(r.status(), 303, "{email} signs in");
    assert_eq!(r.headers()["location"], "/kieu-bao/record");
    c
}
