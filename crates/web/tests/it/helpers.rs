//! `spawn_app()`: the real server on 127.0.0.1:0 over a fresh database —
//! a temporary SQLite file, or a uuid-named PostgreSQL database on the
//! server of `KIEUBAO_TEST_PG_URL` (default 127.0.0.1:5432, user postgres).

use std::net::SocketAddr;

use app::{Actor, App, AppSettings};
use db::{Backend, Db};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub app: App,
    pub backend: Backend,
    /// Browser-like client: keeps cookies, does not follow redirects.
    pub client: reqwest::Client,
    pub db_url: String,
    /// Holds the audit chain's key file and anchors (outside the database).
    pub audit_dir: std::path::PathBuf,
    _audit_dir: tempfile::TempDir,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A new client with its own cookie jar (another browser).
    pub fn new_client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Creates an account through the use case, as the CLI does.
    pub async fn add_user(
        &self,
        username: &str,
        role: domain::Role,
        scopes: Vec<app::accounts::users::Scope>,
    ) -> i64 {
        app::accounts::users::add(
            &self.app,
            &Actor::system("test"),
            app::accounts::users::NewUser {
                username: username.into(),
                display_name: String::new(),
                role,
                password: PASSWORD.into(),
                scopes,
            },
        )
        .await
        .unwrap()
    }

    /// The CSRF token of the sign-in form (and its pre-session cookie in `client`).
    pub async fn login_csrf(&self, client: &reqwest::Client) -> String {
        let html = client
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        extract_csrf(&html)
    }

    /// Signs `client` in; returns the session CSRF token read from the home page.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let csrf = self.login_csrf(client).await;
        client
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap()
    }
}

/// Reads `name="csrf" value="..."` or the csrf meta tag from a page.
pub fn extract_csrf(html: &str) -> String {
    for marker in ["name=\"csrf\" value=\"", "name=\"csrf-token\" content=\""] {
        if let Some(i) = html.find(marker) {
            let rest = &html[i + marker.len()..];
            return rest[..rest.find('"').unwrap()].to_owned();
        }
    }
    panic!("no csrf token in page");
}

impl TestApp {
    /// Starts another server process-equivalent (its own pool) on the same
    /// database, as a second app server behind a load balancer would be.
    pub async fn spawn_second_server(&self) -> SocketAddr {
        self.spawn_server_with(web::WebConfig::default()).await
    }

    /// Another server on the same database with its own web settings
    /// (rate limits, body limits...).
    pub async fn spawn_server_with(&self, cfg: web::WebConfig) -> SocketAddr {
        let db = Db::connect(&self.db_url, 4).await.unwrap();
        let app = App::new(db, self.app.settings.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            web::serve(listener, app, cfg, std::future::pending())
                .await
                .unwrap();
        });
        addr
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // Drop the throwaway database from a fresh runtime (Drop is sync).
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(db::testing::drop_pg_database(&name));
                }
            })
            .join();
        }
    }
}

/// The server with two-factor sign-in optional for every role, so that tests
/// about other things can sign an administrator in with a password alone.
/// Two-factor enforcement is tested with [`spawn_app_strict`] (`dual!(strict: ...)`).
pub async fn spawn_app(backend: Backend) -> TestApp {
    let settings = AppSettings {
        mfa_required_for_privileged: false,
        ..AppSettings::default()
    };
    spawn_app_with(backend, settings).await
}

/// The server with the shipped settings (two-factor required for
/// administrators and province officers).
pub async fn spawn_app_strict(backend: Backend) -> TestApp {
    spawn_app_with(backend, AppSettings::default()).await
}

pub async fn spawn_app_with(backend: Backend, mut settings: AppSettings) -> TestApp {
    // A keyed, anchored chain as a server has, its files in a temp dir.
    let audit_dir = tempfile::tempdir().unwrap();
    if settings.audit.key_file.is_none() {
        settings.audit = app::AuditSettings::in_dir(audit_dir.path());
    }
    // Without an SMTP server, messages go to an outbox beside the keys.
    if settings.mail.outbox_dir.is_none() {
        settings.mail.outbox_dir = Some(audit_dir.path().join("outbox"));
    }
    // Exchange files are kept beside them too.
    if settings.exchange_dir.is_none() {
        settings.exchange_dir = Some(audit_dir.path().join("exchanges"));
    }
    let (url, dir, pg_name) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            let name = format!("kb_test_{}", uuid::Uuid::new_v4().simple());
            let url = db::testing::create_pg_database(&name).await.unwrap();
            (url, None, Some(name))
        }
    };
    let db_url = url.clone();
    let db = Db::connect(&url, 8).await.unwrap();
    db::migrate::run(&db, &app::clock::now()).await.unwrap();
    let app = App::new(db, settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = app.clone();
    tokio::spawn(async move {
        web::serve(
            listener,
            served,
            web::WebConfig::default(),
            std::future::pending(),
        )
        .await
        .unwrap();
    });
    TestApp {
        addr,
        app,
        backend,
        client: TestApp::new_client(),
        db_url,
        audit_dir: audit_dir.path().to_path_buf(),
        _audit_dir: audit_dir,
        _dir: dir,
        pg_name,
    }
}

/// Runs one async test body on SQLite and on PostgreSQL, as two tests named
/// `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! dual {
    (strict: $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::spawn_app_strict(db::Backend::Sqlite).await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::spawn_app_strict(db::Backend::Postgres).await).await;
                }
            }
        )+
    };
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::spawn_app(db::Backend::Sqlite).await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::spawn_app(db::Backend::Postgres).await).await;
                }
            }
        )+
    };
}
