//! Browser flows in Debian's Chromium, headless, driven over WebDriver
//! (chromedriver). `scripts/test.sh` installs both when missing.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::dual;
use crate::helpers::TestApp;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub async fn start() -> Self {
        let chromedriver =
            std::env::var("KIEUBAO_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium =
            std::env::var("KIEUBAO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        // Its own process group, so that the browser it starts goes with it.
        let driver = Command::new(&chromedriver)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver} (install Debian's chromium-driver; scripts/test.sh does): {e}"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver refused the session: {r}"))
            .to_owned();
        Self {
            http,
            base,
            session,
            driver,
            _profile: profile,
        }
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = self.http.request(method.clone(), url);
        let req = if method == reqwest::Method::GET {
            req
        } else {
            req.json(&body)
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(
            v["value"].get("error").is_none(),
            "webdriver {path}: {}",
            v["value"]
        );
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    pub async fn find(&self, css: &str) -> String {
        // Pages load quickly, but wait a little for navigation to settle.
        for _ in 0..50 {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let v: Value = self
                .http
                .post(url)
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(id) = v["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no element matches {css}");
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        self.cmd(
            reqwest::Method::GET,
            &format!("/element/{id}/text"),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Signs in through the form and waits until the browser has left the
    /// sign-in page (the session cookie is set), so that the next `goto`
    /// does not race the form's submission.
    pub async fn sign_in(&self, base_url: &str, username: &str, password: &str) {
        self.goto(&format!("{base_url}/login")).await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", password).await;
        self.click("button[type=submit]").await;
        for _ in 0..100 {
            if !self.url().await.ends_with("/login") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{username} did not get past the sign-in page");
    }

    /// The text of the first element matching `css` now, or None (no such
    /// element, or the page was replaced meanwhile): for polling a page
    /// that reloads itself.
    pub async fn try_text(&self, css: &str) -> Option<String> {
        let base = format!("{}/session/{}", self.base, self.session);
        let v: Value = self
            .http
            .post(format!("{base}/element"))
            .json(&json!({"using": "css selector", "value": css}))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let id = v["value"][ELEMENT].as_str()?.to_owned();
        let v: Value = self
            .http
            .get(format!("{base}/element/{id}/text"))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        v["value"].as_str().map(str::to_owned)
    }

    /// The text of the confirmation dialog the page opened (waits for it),
    /// then accepts it (`accept`) or dismisses it.
    pub async fn answer_dialog(&self, accept: bool) -> String {
        let base = format!("{}/session/{}", self.base, self.session);
        for _ in 0..100 {
            let v: Value = self
                .http
                .get(format!("{base}/alert/text"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(text) = v["value"].as_str() {
                let what = if accept { "accept" } else { "dismiss" };
                self.cmd(reqwest::Method::POST, &format!("/alert/{what}"), json!({}))
                    .await;
                return text.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no dialog opened");
    }

    /// Presses and releases one key on the page (WebDriver actions).
    pub async fn press_key(&self, key: &str) {
        self.cmd(
            reqwest::Method::POST,
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
            ]}]}),
        )
        .await;
    }

    /// Waits (up to 10 s) until the page's address ends with `suffix`: a click
    /// that submits a form returns before the next page has loaded.
    /// The text of `css` once it satisfies `ok` (up to 20 s; the last text
    /// otherwise): after a click that submits a form, the old page may
    /// still be showing, and background work may take a while.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        for _ in 0..200 {
            if let Some(t) = self.try_text(css).await {
                if ok(&t) {
                    return t;
                }
                last = t;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        last
    }

    pub async fn wait_url(&self, suffix: &str) -> bool {
        self.wait_url_where(|u| u.ends_with(suffix)).await
    }

    /// Waits (up to 10 s) until the page's address contains `part`.
    pub async fn wait_url_contains(&self, part: &str) -> bool {
        self.wait_url_where(|u| u.contains(part)).await
    }

    /// Waits (up to 10 s) until the page's address satisfies `ok`: for a
    /// form whose own address already contains what the next page's will.
    pub async fn wait_url_where(&self, ok: impl Fn(&str) -> bool) -> bool {
        for _ in 0..100 {
            if ok(&self.url().await) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    pub async fn url(&self) -> String {
        self.cmd(reqwest::Method::GET, "/url", Value::Null)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The accessibility violations axe-core (vendored, run in this page)
    /// finds in the page, one line each: rule, impact, the first elements.
    pub async fn axe_violations(&self) -> Vec<String> {
        static AXE: &str = include_str!("../vendor/axe-core/axe.min.js");
        let loaded = self
            .cmd(
                reqwest::Method::POST,
                "/execute/sync",
                json!({"script": "return typeof axe;", "args": []}),
            )
            .await;
        if loaded.as_str() != Some("object") {
            // Loaded into every page from now on (DevTools), and into this one.
            self.cmd(
                reqwest::Method::POST,
                "/goog/cdp/execute",
                json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": AXE}}),
            )
            .await;
            self.cmd(
                reqwest::Method::POST,
                "/execute/sync",
                json!({"script": format!("{AXE}\nreturn typeof axe;"), "args": []}),
            )
            .await;
        }
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/execute/async",
                json!({"script": AXE_RUN, "args": []}),
            )
            .await;
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect()
    }

    /// Saves downloads into `dir` (a Chromium `DevTools` command through chromedriver).
    pub async fn allow_downloads(&self, dir: &std::path::Path) {
        self.cmd(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            json!({"cmd": "Browser.setDownloadBehavior", "params": {
                "behavior": "allow", "downloadPath": dir.display().to_string()
            }}),
        )
        .await;
    }

    /// Runs a script in the page (its body; `return` answers) and answers
    /// its result.
    pub async fn script(&self, body: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({ "script": body, "args": [] }),
        )
        .await
    }

    /// Resizes the window (CSS pixels).
    pub async fn set_window(&self, width: u32, height: u32) {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }

    /// The visible page as PNG bytes.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let v = self
            .cmd(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .unwrap()
    }

    /// Messages the page logged at SEVERE level (CSP violations show up here).
    pub async fn severe_logs(&self) -> Vec<String> {
        let v = self
            .cmd(reqwest::Method::POST, "/se/log", json!({"type": "browser"}))
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver and the Chromium processes it started (same group):
        // killing only the driver would leave the browser running.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--"])
            .arg(format!("-{}", self.driver.id()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

dual!(strict: demo_admin_signs_in_and_sees_the_home_page);

async fn demo_admin_signs_in_and_sees_the_home_page(app: TestApp) {
    let password = "demo password for the browser";
    app::demo_data::ensure_demo(&app.app, Some(password), 50, 7)
        .await
        .unwrap();
    let b = Browser::start().await;
    b.goto(&app.url("/work")).await;
    assert!(
        b.url().await.ends_with("/login"),
        "anonymous visitors are sent to sign in"
    );
    b.sign_in(&app.url(""), "admin", password).await;
    // Two-factor is required for administrators: the first sign-in lands on
    // the profile to enrol, and nothing else opens until it is set up.
    assert!(b.url().await.ends_with("/profile"));
    assert!(
        b.text("[data-testid=mfa-required]")
            .await
            .contains("hai lớp")
    );
    b.goto(&app.url("/work")).await;
    assert!(b.url().await.ends_with("/profile?enrol=1"));
    // A commune officer (two-factor optional) reaches the overview.
    b.click("header form[action='/logout'] button").await;
    assert!(b.wait_url("/login").await, "signed out: {}", b.url().await);
    b.sign_in(&app.url(""), "canbo.xa", password).await;
    let h1 = b.text("main h1").await;
    assert_eq!(h1, "Tổng quan");
    assert!(b.url().await.ends_with("/work"));
    let logs = b.severe_logs().await;
    assert!(
        logs.iter().all(|m| !m.contains("Content Security Policy")),
        "CSP violations: {logs:?}"
    );
    // The English switch.
    b.click("a.lang-switch").await;
    assert_eq!(b.text("main h1").await, "Overview");
}

/// Runs axe-core over the whole page, every rule of every impact.
const AXE_RUN: &str = r"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then((r) => done(r.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`)))
  .catch((e) => done(['axe failed: ' + e]));
";
