//! HTML pages of the foundation: sign-in, home, language switch, health.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::security::set_cookie;

/// Shared by every page: the layout's needs.
#[allow(
    clippy::struct_excessive_bools,
    reason = "one flag per navigation link"
)]
pub struct Layout {
    pub t: Tr,
    pub username: String,
    pub role_label: String,
    pub csrf: String,
    pub is_admin: bool,
    pub can_audit: bool,
    pub can_import: bool,
    pub can_review: bool,
    /// The registry's lists, records and search (not the leader's role).
    pub can_people: bool,
    pub can_associations: bool,
    /// Events and delegations (issue 22 §5).
    pub can_events: bool,
    /// Enterprises, investment projects, contributions (issue 22 §2–§3).
    pub can_investment: bool,
    pub can_stats: bool,
    /// The editorial desk (issue 24).
    pub can_content: bool,
    /// Decides the portal's claims and corrections (issue 23).
    pub can_portal: bool,
    /// Keeps the calendar of days off (issue 23 §5).
    pub can_holidays: bool,
    /// Exchange files: the log, exports, received files (issue 25 §1–§2).
    pub can_exchange: bool,
}

impl Layout {
    pub fn for_user(u: &User) -> Self {
        Self {
            t: Tr::new(u.lang),
            username: u.actor.username.clone(),
            role_label: u.actor.role.label(u.lang.code()).to_owned(),
            csrf: u.csrf.clone(),
            is_admin: u.actor.role == domain::Role::Admin,
            can_audit: app::access::authorize(&u.actor, app::access::Action::AuditRead).is_ok(),
            can_import: app::access::authorize(&u.actor, app::access::Action::ImportSubmit).is_ok(),
            can_review: app::access::authorize(&u.actor, app::access::Action::PersonMerge).is_ok(),
            can_people: app::access::authorize(&u.actor, app::access::Action::PersonList).is_ok(),
            can_associations: app::access::authorize(
                &u.actor,
                app::access::Action::AssociationRead,
            )
            .is_ok(),
            can_events: app::access::authorize(&u.actor, app::access::Action::EventRead).is_ok(),
            can_investment: app::access::authorize(&u.actor, app::access::Action::InvestmentRead)
                .is_ok(),
            can_stats: app::access::authorize(&u.actor, app::access::Action::StatisticsRead)
                .is_ok(),
            can_content: app::access::authorize(&u.actor, app::access::Action::ContentRead).is_ok(),
            can_portal: app::access::authorize(&u.actor, app::access::Action::PortalClaimDecide)
                .is_ok(),
            can_holidays: app::access::authorize(&u.actor, app::access::Action::HolidayManage)
                .is_ok(),
            can_exchange: app::access::authorize(&u.actor, app::access::Action::ExchangeLogRead)
                .is_ok(),
        }
    }
}

/// Renders a page template (a template error is an internal error).
pub fn render<T: Template>(t: &T) -> Result<Response, PageError> {
    t.render()
        .map(|b| Html(b).into_response())
        .map_err(|e| PageError::from(app::AppError::Unexpected(anyhow::anyhow!("template: {e}"))))
}

/// Turns a use case's error into a page error in the user's language.
pub fn page_err(lang: Lang) -> impl Fn(app::AppError) -> PageError {
    move |err| PageError { err, lang }
}

/// A file to download: its bytes, content type and file name.
pub fn attachment(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(content_type),
    );
    if let Ok(v) =
        axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// Content type of xlsx files.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Content type of docx files.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// Content type of PDF files.
pub const PDF: &str = "application/pdf";

/// One thing waiting for the user on the home page: how many, what, where.
pub struct Todo {
    pub count: i64,
    pub what: &'static str,
    pub href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    t: Tr,
    people: i64,
    countries: i64,
    by_category: Vec<(String, i64)>,
    statistics_only: bool,
    /// What waits for this user, by role (empty when nothing does).
    todo: Vec<Todo>,
    /// The user's jurisdiction in words ("Xã/phường mới: Phường Thành Sen").
    scope: Vec<String>,
    /// The administrator keeps accounts and the audit, not records.
    administrator: bool,
}

/// `GET /`: what waits for the user, and the overview within their
/// jurisdiction.
pub async fn home(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    use app::access::{Action, authorize};
    let lang = user.lang;
    let err = page_err(lang);
    let actor = &user.actor;
    let o = app::registry::overview::overview(&state.app, actor)
        .await
        .map_err(&err)?;
    let l = Layout::for_user(&user);
    let t = l.t;
    let mut todo = Vec::new();
    if authorize(actor, Action::PersonMerge).is_ok() {
        let filter = app::intake::matching::QueueFilter::default();
        let (_, pairs) = app::intake::matching::queue(&state.app, actor, &filter, 1, 0)
            .await
            .map_err(&err)?;
        todo.push(Todo {
            count: pairs,
            what: "home.todo.pairs",
            href: "/review",
        });
    }
    if authorize(actor, Action::ImportSubmit).is_ok() {
        let imports = app::intake::import::list(&state.app, actor, 200)
            .await
            .map_err(&err)?;
        let count = |status: &str| {
            i64::try_from(imports.iter().filter(|i| i.status == status).count()).unwrap_or(0)
        };
        todo.push(Todo {
            count: count("validated"),
            what: "home.todo.imports",
            href: "/imports",
        });
        let failed = count("failed");
        if failed > 0 {
            todo.push(Todo {
                count: failed,
                what: "home.todo.imports_failed",
                href: "/imports",
            });
        }
    }
    if authorize(actor, Action::PersonUpdate).is_ok() {
        todo.push(Todo {
            count: o.unverified,
            what: "home.todo.unverified",
            href: "/people?verification=unverified",
        });
        // Where the police's and the Front's lists disagree: a visit is due.
        todo.push(Todo {
            count: o.disputed,
            what: "home.todo.visits",
            href: "/people?verification=disputed",
        });
    }
    // Data-subject requests near or past their deadline (issue 23 §5).
    if let Some((overdue, near)) = app::portal::requests::due_counts(&state.app, actor)
        .await
        .map_err(&err)?
    {
        if overdue > 0 {
            todo.push(Todo {
                count: overdue,
                what: "home.todo.requests_overdue",
                href: "/portal/requests",
            });
        }
        todo.push(Todo {
            count: near,
            what: "home.todo.requests_near",
            href: "/portal/requests#due",
        });
    }
    // Reports of abuse in the directory (issue 23 §6), for its moderators.
    if let Some(n) = app::portal::directory::open_reports(&state.app, actor)
        .await
        .map_err(&err)?
    {
        todo.push(Todo {
            count: n,
            what: "home.todo.directory_reports",
            href: "/portal/directory-reports",
        });
    }
    // Petitions escalated to the province, and near their deadline (issue 23 §7).
    if let Some((escalated, near)) = app::portal::petitions::due_counts(&state.app, actor)
        .await
        .map_err(&err)?
    {
        if escalated > 0 {
            todo.push(Todo {
                count: escalated,
                what: "home.todo.petitions_escalated",
                href: "/portal/petitions#escalated",
            });
        }
        todo.push(Todo {
            count: near,
            what: "home.todo.petitions_near",
            href: "/portal/petitions",
        });
    }
    let scope = match &actor.jurisdiction {
        app::Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => new_communes
            .iter()
            .map(|c| t.scope("new_commune", c))
            .chain(legacy_communes.iter().map(|c| t.scope("legacy_commune", c)))
            .chain(
                legacy_districts
                    .iter()
                    .map(|c| t.scope("legacy_district", c)),
            )
            .collect(),
        app::Jurisdiction::Countries(countries) => {
            countries.iter().map(|c| t.scope("country", c)).collect()
        }
        app::Jurisdiction::Agency(agency) => vec![t.scope("agency", agency)],
        _ => Vec::new(),
    };
    render(&HomePage {
        t,
        people: o.people,
        countries: o.countries,
        by_category: o
            .by_category
            .iter()
            .map(|(c, n)| (c.label(lang.code()).to_owned(), *n))
            .collect(),
        statistics_only: actor.role == domain::Role::Viewer,
        todo,
        scope,
        administrator: actor.role == domain::Role::Admin,
        l,
    })
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /lang/{code}`: remembers the interface language.
pub async fn set_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<Next>,
) -> Response {
    let lang = Lang::from_code(&code);
    let next = local_path(q.next.as_deref().unwrap_or("/"));
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, "kb_lang", lang.code(), Some(31_536_000), false),
    );
    resp
}

/// A path of this site to send a browser back to, never elsewhere: the
/// text is resolved as a browser would (tabs and newlines dropped, `\\` as
/// `/`) against the site's own origin, and anything that lands on another
/// origin, or is not a path, gives `/`.
pub fn local_path(next: &str) -> String {
    const ORIGIN: &str = "http://kieubao.invalid/";
    let Ok(base) = url::Url::parse(ORIGIN) else {
        return "/".to_owned();
    };
    if !next.starts_with('/') {
        return "/".to_owned();
    }
    match base.join(next) {
        Ok(u) if u.origin() == base.origin() && u.username().is_empty() => {
            let mut out = u.path().to_owned();
            if let Some(q) = u.query() {
                out.push('?');
                out.push_str(q);
            }
            out
        }
        _ => "/".to_owned(),
    }
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: ready to take traffic — the database answers and is
/// migrated, a write can begin within two seconds, and the search index and
/// statistics columns are built. Otherwise 503 with the reason, so a load
/// balancer takes the server out of rotation.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.ready(std::time::Duration::from_secs(2)).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(why) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {}", why.reason()),
        )
            .into_response(),
    }
}
