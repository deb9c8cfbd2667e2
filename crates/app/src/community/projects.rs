//! Investment projects in the province (*dự án đầu tư*, issue 22 §2) and
//! the province's catalogue of projects calling for investment (*danh mục
//! dự án kêu gọi đầu tư*): investors (registry people and enterprises),
//! sector, location (a new commune; its old names are shown beside it),
//! registered and realised capital in minor units of a currency with the
//! officer's rate to the đồng, licence number and date, and the status
//! pipeline proposed → licensed → under construction → operating →
//! suspended / terminated, each change dated and kept.
//!
//! The province records and changes every project; a commune officer those
//! located in their communes; missions read the projects their countries'
//! enterprises and people invest in; leadership reads all. Every change is
//! audited and kept as a version.

use db::{Row, WriteTx};
use serde::{Deserialize, Serialize};

use super::investment::Change;
use super::investment::{self, MAX_LONG, MAX_SHORT, VersionRow, project_scope, text_ok, trimmed};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// The status pipeline (labels `code.project_status.*`).
pub const STATUSES: &[&str] = &[
    "proposed",
    "licensed",
    "under_construction",
    "operating",
    "suspended",
    "terminated",
];

/// The statuses a project may move to from `from`: forward along the
/// pipeline, to suspended or terminated at any time before termination,
/// and from suspended back to work.
pub fn next_statuses(from: &str) -> &'static [&'static str] {
    match from {
        "proposed" => &["licensed", "terminated"],
        "licensed" => &["under_construction", "suspended", "terminated"],
        "under_construction" => &["operating", "suspended", "terminated"],
        "operating" => &["suspended", "terminated"],
        "suspended" => &["licensed", "under_construction", "operating", "terminated"],
        _ => &[],
    }
}

/// What a caller submits for a project. Unknown fields are refused. Money
/// is given in integer minor units of `currency` (cents for USD, đồng for VND).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub name: Option<String>,
    /// Name in English (shown on the English catalogue).
    pub name_en: Option<String>,
    /// What the project is (Vietnamese).
    pub summary: Option<String>,
    /// What the project is (English).
    pub summary_en: Option<String>,
    /// Sector: a VSIC 2018 section letter (`I`), a two-digit division (`55`) or its name.
    pub sector: Option<String>,
    /// Location: a new commune by code, picker label or name.
    pub commune: Option<String>,
    /// Registered capital, integer minor units of `currency`, not negative.
    pub registered_capital: Option<i64>,
    /// Realised capital, integer minor units of `currency`, not negative.
    pub realised_capital: Option<i64>,
    /// ISO 4217 currency code (`VND`, `USD`, `JPY`...).
    pub currency: Option<String>,
    /// Đồng for one unit of `currency`, as a decimal text ("25400"); not needed for VND.
    pub rate_to_vnd: Option<String>,
    /// Investment licence (registration certificate) number.
    pub licence_no: Option<String>,
    /// Its date (`12/02/2024` or `2024-02-12`).
    pub licence_date: Option<String>,
    /// In the catalogue of projects calling for investment (published bilingually).
    pub in_catalogue: Option<bool>,
    /// Investors: registry people the caller may see (replaces the list).
    pub investor_person_ids: Option<Vec<i64>>,
    /// Investors: enterprises the caller reaches (replaces the list).
    pub investor_enterprise_ids: Option<Vec<i64>>,
    /// Forms only: the registered capital as typed ("1.250.000,50").
    #[serde(skip)]
    pub registered_text: Option<String>,
    /// Forms only: the realised capital as typed.
    #[serde(skip)]
    pub realised_text: Option<String>,
}

/// A change of status to record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// One of `proposed`, `licensed`, `under_construction`, `operating`, `suspended`, `terminated`.
    pub status: Option<String>,
    /// The day of the change (`12/02/2026` or `2026-02-12`), not before the last one.
    pub changed_on: Option<String>,
    pub note: Option<String>,
}

/// An investor of a project.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Investor {
    /// `person` or `enterprise`.
    pub kind: String,
    pub id: i64,
    /// Name; empty for a person the caller may not see.
    pub name: String,
    /// Whether the caller may open the record.
    pub visible: bool,
    /// Country (a person's residence, an enterprise's parent).
    pub country: String,
}

/// A dated change of status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub status: String,
    /// The day, `YYYY-MM-DD`.
    pub changed_on: String,
    pub note: String,
    pub actor: String,
}

/// A project with its investors and status history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Project {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub name_en: String,
    pub summary: String,
    pub summary_en: String,
    pub sector: String,
    /// New commune code.
    pub commune_code: String,
    /// Minor units of `currency`.
    pub registered_capital: i64,
    /// Minor units of `currency`.
    pub realised_capital: i64,
    pub currency: String,
    pub rate_to_vnd: String,
    /// Registered capital in đồng at `rate_to_vnd`.
    pub registered_vnd: i64,
    /// Realised capital in đồng at `rate_to_vnd`.
    pub realised_vnd: i64,
    pub licence_no: String,
    pub licence_date: Option<String>,
    pub status: String,
    /// The day the current status began.
    pub status_on: String,
    pub in_catalogue: bool,
    pub created_at: String,
    pub updated_at: String,
    pub investors: Vec<Investor>,
    /// Newest first.
    pub status_changes: Vec<StatusChange>,
    /// People who recorded interest through the portal (catalogue projects).
    pub interests: i64,
}

/// The validated fields (the snapshot kept in the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Data {
    name: String,
    name_en: String,
    summary: String,
    summary_en: String,
    sector: String,
    commune_code: String,
    registered_capital: i64,
    realised_capital: i64,
    currency: String,
    rate_to_vnd: String,
    licence_no: String,
    licence_date: Option<String>,
    in_catalogue: bool,
    investor_person_ids: Vec<i64>,
    investor_enterprise_ids: Vec<i64>,
}

fn validate(input: &ProjectInput, home: &str) -> Result<Data, Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = trimmed(input.name.as_ref());
    if name.is_empty() {
        errs.push(FieldError::new("name", "required"));
    }
    let name_en = trimmed(input.name_en.as_ref());
    let summary = trimmed(input.summary.as_ref());
    let summary_en = trimmed(input.summary_en.as_ref());
    let sector = investment::sector("sector", &trimmed(input.sector.as_ref()), &mut errs);
    let commune_code =
        investment::commune("commune", &trimmed(input.commune.as_ref()), home, &mut errs);
    let mut cur_text = trimmed(input.currency.as_ref());
    if cur_text.is_empty() {
        "VND".clone_into(&mut cur_text);
    }
    let currency = investment::currency("currency", &cur_text, &mut errs);
    let registered_capital = investment::amount(
        "registered_capital",
        input.registered_capital,
        input.registered_text.as_ref(),
        currency,
        false,
        &mut errs,
    );
    let realised_capital = investment::amount(
        "realised_capital",
        input.realised_capital,
        input.realised_text.as_ref(),
        currency,
        false,
        &mut errs,
    );
    let rate = investment::rate(
        "rate_to_vnd",
        &trimmed(input.rate_to_vnd.as_ref()),
        currency,
        &mut errs,
    );
    let licence_no = trimmed(input.licence_no.as_ref());
    let licence_date = investment::day(
        "licence_date",
        &trimmed(input.licence_date.as_ref()),
        false,
        &mut errs,
    );
    for (f, v, max) in [
        ("name", &name, MAX_SHORT),
        ("name_en", &name_en, MAX_SHORT),
        ("summary", &summary, MAX_LONG),
        ("summary_en", &summary_en, MAX_LONG),
        ("licence_no", &licence_no, MAX_SHORT),
    ] {
        text_ok(f, v, max, &mut errs);
    }
    let mut investor_person_ids = input.investor_person_ids.clone().unwrap_or_default();
    investor_person_ids.sort_unstable();
    investor_person_ids.dedup();
    let mut investor_enterprise_ids = input.investor_enterprise_ids.clone().unwrap_or_default();
    investor_enterprise_ids.sort_unstable();
    investor_enterprise_ids.dedup();
    if errs.is_empty() {
        Ok(Data {
            name,
            name_en,
            summary,
            summary_en,
            sector,
            commune_code,
            registered_capital,
            realised_capital,
            currency: currency.map(|c| c.code.to_owned()).unwrap_or_default(),
            rate_to_vnd: rate.to_text(),
            licence_no,
            licence_date,
            in_catalogue: input.in_catalogue.unwrap_or(false),
            investor_person_ids,
            investor_enterprise_ids,
        })
    } else {
        Err(errs)
    }
}

/// The đồng values of the registered and realised capital.
fn vnd_values(d: &Data) -> (i64, i64) {
    let (Some(c), Ok(r)) = (
        domain::money::currency(&d.currency),
        domain::money::parse_rate(&d.rate_to_vnd),
    ) else {
        return (0, 0);
    };
    (
        domain::money::to_vnd(d.registered_capital, c, r),
        domain::money::to_vnd(d.realised_capital, c, r),
    )
}

const COLUMNS: &str = "pr.id, pr.version, pr.name, pr.name_en, pr.summary, pr.summary_en, \
    pr.sector, pr.commune_code, pr.registered_capital, pr.realised_capital, pr.currency, \
    pr.rate_to_vnd, pr.registered_vnd, pr.realised_vnd, pr.licence_no, pr.licence_date, \
    pr.status, pr.status_on, pr.in_catalogue, pr.created_at, pr.updated_at";

fn from_row(r: &db::AnyRow) -> Result<Project, db::SqlxError> {
    Ok(Project {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        name: r.try_get(2)?,
        name_en: r.try_get(3)?,
        summary: r.try_get(4)?,
        summary_en: r.try_get(5)?,
        sector: r.try_get(6)?,
        commune_code: r.try_get(7)?,
        registered_capital: r.try_get(8)?,
        realised_capital: r.try_get(9)?,
        currency: r.try_get(10)?,
        rate_to_vnd: r.try_get(11)?,
        registered_vnd: r.try_get(12)?,
        realised_vnd: r.try_get(13)?,
        licence_no: r.try_get(14)?,
        licence_date: r.try_get(15)?,
        status: r.try_get(16)?,
        status_on: r.try_get(17)?,
        in_catalogue: r.try_get::<i64, _>(18)? == 1,
        created_at: r.try_get(19)?,
        updated_at: r.try_get(20)?,
        investors: Vec::new(),
        status_changes: Vec::new(),
        interests: 0,
    })
}

fn to_data(p: &Project) -> Data {
    let ids = |kind: &str| -> Vec<i64> {
        let mut v: Vec<i64> = p
            .investors
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.id)
            .collect();
        v.sort_unstable();
        v
    };
    Data {
        name: p.name.clone(),
        name_en: p.name_en.clone(),
        summary: p.summary.clone(),
        summary_en: p.summary_en.clone(),
        sector: p.sector.clone(),
        commune_code: p.commune_code.clone(),
        registered_capital: p.registered_capital,
        realised_capital: p.realised_capital,
        currency: p.currency.clone(),
        rate_to_vnd: p.rate_to_vnd.clone(),
        licence_no: p.licence_no.clone(),
        licence_date: p.licence_date.clone(),
        in_catalogue: p.in_catalogue,
        investor_person_ids: ids("person"),
        investor_enterprise_ids: ids("enterprise"),
    }
}

/// The input that would store `p` as it is (the base of a merge patch).
pub fn to_input(p: &Project) -> ProjectInput {
    let d = to_data(p);
    ProjectInput {
        name: Some(d.name),
        name_en: Some(d.name_en),
        summary: Some(d.summary),
        summary_en: Some(d.summary_en),
        sector: Some(d.sector),
        commune: Some(d.commune_code),
        registered_capital: Some(d.registered_capital),
        realised_capital: Some(d.realised_capital),
        currency: Some(d.currency),
        rate_to_vnd: Some(d.rate_to_vnd),
        licence_no: Some(d.licence_no),
        licence_date: d.licence_date,
        in_catalogue: Some(d.in_catalogue),
        investor_person_ids: Some(d.investor_person_ids),
        investor_enterprise_ids: Some(d.investor_enterprise_ids),
        registered_text: None,
        realised_text: None,
    }
}

async fn load_row(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Project> {
    let scope = project_scope(actor, 2);
    let sql = format!(
        "SELECT {COLUMNS} FROM investment_projects pr WHERE pr.id = $1 AND {}",
        scope.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &scope.args {
        q = q.bind(a);
    }
    let row = q
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(from_row(&row)?)
}

/// The project with its investors, status changes and interest, when the actor reaches it.
async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Project> {
    let mut pr = load_row(conn, actor, id).await?;
    let p = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT pi.person_id, p.full_name, p.country, CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) \
         FROM project_investors pi JOIN persons p ON p.id = pi.person_id \
         WHERE pi.project_id = $1 AND p.deleted_at IS NULL ORDER BY pi.id",
        p.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &p.args {
        q = q.bind(a);
    }
    for r in q.fetch_all(&mut *conn).await? {
        let visible = r.try_get::<i64, _>(3)? == 1;
        pr.investors.push(Investor {
            kind: "person".into(),
            id: r.try_get(0)?,
            name: if visible {
                r.try_get(1)?
            } else {
                String::new()
            },
            visible,
            country: r.try_get(2)?,
        });
    }
    let e = investment::enterprise_scope(actor, 2);
    let sql = format!(
        "SELECT e.id, e.name, e.parent_country, CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) \
         FROM project_investors pi JOIN enterprises e ON e.id = pi.enterprise_id \
         WHERE pi.project_id = $1 ORDER BY pi.id",
        e.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &e.args {
        q = q.bind(a);
    }
    for r in q.fetch_all(&mut *conn).await? {
        pr.investors.push(Investor {
            kind: "enterprise".into(),
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            visible: r.try_get::<i64, _>(3)? == 1,
            country: r.try_get(2)?,
        });
    }
    pr.status_changes = sqlx::query(
        "SELECT status, changed_on, note, actor FROM project_status_changes \
         WHERE project_id = $1 ORDER BY changed_on DESC, id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(StatusChange {
            status: r.try_get(0)?,
            changed_on: r.try_get(1)?,
            note: r.try_get(2)?,
            actor: r.try_get(3)?,
        })
    })
    .collect::<Result<Vec<_>, db::SqlxError>>()?;
    pr.interests =
        sqlx::query_scalar("SELECT COUNT(*) FROM project_interests WHERE project_id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(pr)
}

/// Reads one project (its investors may be people: the view is audited).
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<Project> {
    access::authorize(actor, Action::InvestmentRead)?;
    let mut tx = app.db.begin_write().await?;
    let p = load(&mut tx.tx, actor, id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("project.view", "project", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// True when the actor may record projects (commune officers: in their communes).
pub fn may_edit(actor: &Actor) -> bool {
    access::authorize(actor, Action::ProjectEdit).is_ok()
}

/// Whether the actor may change this project (role and commune).
pub fn may_edit_project(actor: &Actor, p: &Project) -> bool {
    may_edit(actor) && investment::commune_allowed(actor, &p.commune_code)
}

/// A project as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectRow {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub name_en: String,
    pub sector: String,
    pub commune_code: String,
    pub registered_capital: i64,
    pub realised_capital: i64,
    pub currency: String,
    pub registered_vnd: i64,
    pub realised_vnd: i64,
    pub status: String,
    pub status_on: String,
    pub in_catalogue: bool,
}

/// Filters of the list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Words of the name (Vietnamese or English), with or without marks.
    pub q: String,
    /// A status.
    pub status: String,
    /// A sector by code or name (a section takes its divisions).
    pub sector: String,
    /// A new commune by code, label or name.
    pub commune: String,
    /// Only the catalogue of projects calling for investment.
    pub catalogue: bool,
}

/// The projects the actor reaches that match the filter, by name.
pub async fn list(app: &App, actor: &Actor, f: &ListFilter) -> AppResult<Vec<ProjectRow>> {
    access::authorize(actor, Action::InvestmentRead)?;
    list_in_scope(app, Some(actor), f).await
}

/// The catalogue as the public reads it (no investors, no personal data).
pub async fn catalogue(app: &App) -> AppResult<Vec<ProjectRow>> {
    let f = ListFilter {
        catalogue: true,
        ..ListFilter::default()
    };
    list_in_scope(app, None, &f).await
}

async fn list_in_scope(
    app: &App,
    actor: Option<&Actor>,
    f: &ListFilter,
) -> AppResult<Vec<ProjectRow>> {
    let mut errs = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let status = f.status.trim();
    if !status.is_empty() {
        if STATUSES.contains(&status) {
            args.push(status.to_owned());
            conds.push(format!("pr.status = ${}", args.len()));
        } else {
            errs.push(FieldError::new("status", "invalid_code"));
        }
    }
    let mut section = String::new();
    if !f.sector.trim().is_empty() {
        section = investment::sector("sector", f.sector.trim(), &mut errs);
    }
    if !f.commune.trim().is_empty() {
        let c = investment::commune(
            "commune",
            f.commune.trim(),
            &app.settings.home_province,
            &mut errs,
        );
        args.push(c);
        conds.push(format!("pr.commune_code = ${}", args.len()));
    }
    if f.catalogue {
        conds.push("pr.in_catalogue = 1".to_owned());
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    if let Some(actor) = actor {
        let scope = project_scope(actor, args.len() + 1);
        conds.push(scope.sql);
        args.extend(scope.args);
    }
    conds.push("1 = 1".to_owned());
    let sql = format!(
        "SELECT pr.id, pr.version, pr.name, pr.name_en, pr.sector, pr.commune_code, \
         pr.registered_capital, pr.realised_capital, pr.currency, pr.registered_vnd, \
         pr.realised_vnd, pr.status, pr.status_on, pr.in_catalogue \
         FROM investment_projects pr WHERE {}",
        conds.join(" AND ")
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let words: Vec<String> = domain::text::fold(&f.q)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut out = Vec::new();
    for r in q.fetch_all(&app.db.pool).await? {
        let row = ProjectRow {
            id: r.try_get(0)?,
            version: r.try_get(1)?,
            name: r.try_get(2)?,
            name_en: r.try_get(3)?,
            sector: r.try_get(4)?,
            commune_code: r.try_get(5)?,
            registered_capital: r.try_get(6)?,
            realised_capital: r.try_get(7)?,
            currency: r.try_get(8)?,
            registered_vnd: r.try_get(9)?,
            realised_vnd: r.try_get(10)?,
            status: r.try_get(11)?,
            status_on: r.try_get(12)?,
            in_catalogue: r.try_get::<i64, _>(13)? == 1,
        };
        if !section.is_empty() && !super::enterprises::in_sector(&row.sector, &section) {
            continue;
        }
        let hay = domain::text::fold(&format!("{} {}", row.name, row.name_en));
        if !words.iter().all(|w| hay.contains(w.as_str())) {
            continue;
        }
        out.push(row);
    }
    out.sort_by_cached_key(|r| (domain::text::fold(&r.name), r.id));
    Ok(out)
}

/// The projects within reach an enterprise invests in.
pub async fn of_enterprise(
    app: &App,
    actor: &Actor,
    enterprise_id: i64,
) -> AppResult<Vec<ProjectRow>> {
    access::authorize(actor, Action::InvestmentRead)?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT project_id FROM project_investors WHERE enterprise_id = $1")
            .bind(enterprise_id)
            .fetch_all(&app.db.pool)
            .await?;
    let mut rows = list_in_scope(app, Some(actor), &ListFilter::default()).await?;
    rows.retain(|r| ids.contains(&r.id));
    Ok(rows)
}

/// One catalogue project as the public reads it.
pub async fn catalogue_item(app: &App, id: i64) -> AppResult<ProjectRow> {
    catalogue(app)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(AppError::NotFound)
}

/// The catalogue project's own text (public: no investors).
pub async fn catalogue_text(app: &App, id: i64) -> AppResult<(String, String)> {
    sqlx::query_as::<_, (String, String)>(
        "SELECT summary, summary_en FROM investment_projects WHERE id = $1 AND in_catalogue = 1",
    )
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)
}

/// Checks the investors: people the actor may see, enterprises it reaches.
async fn check_investors(conn: &mut sqlx::AnyConnection, actor: &Actor, d: &Data) -> AppResult<()> {
    for p in &d.investor_person_ids {
        if !investment::person_visible(conn, actor, *p).await? {
            return Err(AppError::invalid_field(
                "investor_person_ids",
                "unknown_person",
            ));
        }
    }
    for e in &d.investor_enterprise_ids {
        if super::enterprises::load(conn, actor, *e).await.is_err() {
            return Err(AppError::invalid_field(
                "investor_enterprise_ids",
                "unknown_enterprise",
            ));
        }
    }
    Ok(())
}

async fn set_investors(tx: &mut WriteTx, id: i64, d: &Data, now: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM project_investors WHERE project_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    for p in &d.investor_person_ids {
        sqlx::query(
            "INSERT INTO project_investors (project_id, person_id, added_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(p)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    }
    for e in &d.investor_enterprise_ids {
        sqlx::query(
            "INSERT INTO project_investors (project_id, enterprise_id, added_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(e)
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

/// Records a new project, proposed as of today (commune officers: in their communes).
pub async fn create(app: &App, actor: &Actor, input: &ProjectInput) -> AppResult<Project> {
    let mut tx = app.db.begin_write().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    let r = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(r)
}

/// [`create`] within the caller's transaction (an import writes every row
/// or none): the new record's id.
pub(crate) async fn create_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    input: &ProjectInput,
) -> AppResult<i64> {
    access::authorize(actor, Action::ProjectEdit)?;
    let d = validate(input, &app.settings.home_province).map_err(AppError::Invalid)?;
    if !investment::commune_allowed(actor, &d.commune_code) {
        return Err(AppError::invalid_field("commune", "out_of_jurisdiction"));
    }
    let now = clock::now();
    let today = clock::today();
    let (reg_vnd, real_vnd) = vnd_values(&d);
    check_investors(&mut tx.tx, actor, &d).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO investment_projects (name, name_en, summary, summary_en, sector, commune_code, \
         registered_capital, realised_capital, currency, rate_to_vnd, registered_vnd, realised_vnd, \
         licence_no, licence_date, status, status_on, in_catalogue, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'proposed', $15, $16, 1, $17, $18) \
         RETURNING id",
    )
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.summary)
    .bind(&d.summary_en)
    .bind(&d.sector)
    .bind(&d.commune_code)
    .bind(d.registered_capital)
    .bind(d.realised_capital)
    .bind(&d.currency)
    .bind(&d.rate_to_vnd)
    .bind(reg_vnd)
    .bind(real_vnd)
    .bind(&d.licence_no)
    .bind(d.licence_date.clone())
    .bind(&today)
    .bind(i64::from(d.in_catalogue))
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    set_investors(tx, id, &d, &now).await?;
    sqlx::query(
        "INSERT INTO project_status_changes (project_id, status, changed_on, note, actor, recorded_at) \
         VALUES ($1, 'proposed', $2, '', $3, $4)",
    )
    .bind(id)
    .bind(&today)
    .bind(&actor.username)
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    investment::keep_version(tx, actor, "project", id, 1, "created", &d).await?;
    audit::append(tx, app, actor, Event::new("project.create", "project", &id)).await?;
    Ok(id)
}

/// The status a list gives a project it lists (*tình trạng*, "đi vào hoạt
/// động" since 05/2012), recorded along the pipeline within the import's
/// transaction: proposed on the first day the list knows of, licensed on
/// the licence date when the project went past it, then the status on its
/// day. The checks are [`change_status`]'s: a licence number before
/// "licensed", no day before the licence or in the future.
pub(crate) async fn open_status_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    id: i64,
    status: &str,
    on: &str,
) -> AppResult<()> {
    let p = load(&mut tx.tx, actor, id).await?;
    let mut errs = Vec::new();
    investment::one_of("status", status, STATUSES, &mut errs);
    if status != "proposed" && p.licence_no.is_empty() && status != "terminated" {
        errs.push(FieldError::new("licence_no", "required_for_licence"));
    }
    let licence = p.licence_date.clone().unwrap_or_default();
    // Compared to the precision the list gives ("05/2006" is not before 12/05/2006).
    if !licence.is_empty() && on < licence.get(..on.len()).unwrap_or(&licence) {
        errs.push(FieldError::new("status_on", "before_last_change"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let first = if licence.is_empty() {
        on
    } else {
        licence.as_str()
    };
    let now = clock::now();
    sqlx::query(
        "UPDATE project_status_changes SET changed_on = $1 WHERE project_id = $2 AND status = 'proposed'",
    )
    .bind(first)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    let mut steps: Vec<(&str, &str)> = Vec::new();
    if !licence.is_empty() && status != "licensed" && status != "proposed" {
        steps.push(("licensed", licence.as_str()));
    }
    if status != "proposed" {
        steps.push((status, on));
    }
    for (s, day) in &steps {
        sqlx::query(
            "INSERT INTO project_status_changes (project_id, status, changed_on, note, actor, recorded_at) \
             VALUES ($1, $2, $3, 'danh sách nhập', $4, $5)",
        )
        .bind(id)
        .bind(*s)
        .bind(*day)
        .bind(&actor.username)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
    }
    sqlx::query("UPDATE investment_projects SET status = $1, status_on = $2 WHERE id = $3")
        .bind(status)
        .bind(on)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("project.status", "project", &id)
            .with(serde_json::json!({"from": "proposed", "to": status, "on": on})),
    )
    .await?;
    Ok(())
}

/// Loads a project the actor may change (role, reach and commune).
async fn editable(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Project> {
    access::authorize(actor, Action::ProjectEdit)?;
    let p = load(conn, actor, id).await?;
    if !investment::commune_allowed(actor, &p.commune_code) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

/// Replaces a project's fields when `expected_version` is still current.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ProjectInput,
) -> AppResult<Project> {
    write_fields(app, actor, id, expected_version, input, Change::Edit).await
}

/// Restores the fields of version `version` from the history as a new
/// version (when `expected_version` is still current), checked and audited
/// as an update; nothing is written when they are the fields of today.
pub async fn restore_version(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    version: i64,
) -> AppResult<Project> {
    access::authorize(actor, Action::ProjectEdit)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load(&mut conn, actor, id).await?;
    let snapshot = investment::snapshot(&mut conn, "project", id, version).await?;
    drop(conn);
    let input = investment::restored_input(
        &to_input(&current),
        &snapshot,
        &[("commune_code", "commune")],
    )?;
    write_fields(
        app,
        actor,
        id,
        expected_version,
        &input,
        Change::Restore(version),
    )
    .await
}

/// Writes an edit or a restore of the fields.
async fn write_fields(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &ProjectInput,
    change: Change,
) -> AppResult<Project> {
    access::authorize(actor, Action::ProjectEdit)?;
    let mut tx = app.db.begin_write().await?;
    let current = editable(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    write_fields_in(&mut tx, app, actor, &current, input, change).await?;
    let p = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(p)
}

/// Checks a project's fields as [`create`] would (its investors apart).
pub(crate) fn check(input: &ProjectInput, home: &str) -> Result<(), Vec<FieldError>> {
    validate(input, home).map(|_| ())
}

/// The project as the actor may change it, within a transaction.
pub(crate) async fn editable_in(tx: &mut WriteTx, actor: &Actor, id: i64) -> AppResult<Project> {
    editable(&mut tx.tx, actor, id).await
}

/// Replaces the fields of `current` within the caller's transaction (a
/// received exchange file), checked and audited as [`update`].
pub(crate) async fn update_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Project,
    input: &ProjectInput,
) -> AppResult<()> {
    write_fields_in(tx, app, actor, current, input, Change::Edit).await
}

/// Writes the fields of `current` (the version read in this transaction).
async fn write_fields_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Project,
    input: &ProjectInput,
    change: Change,
) -> AppResult<()> {
    let id = current.id;
    let mut d = validate(input, &app.settings.home_province).map_err(AppError::Invalid)?;
    if !investment::commune_allowed(actor, &d.commune_code) {
        return Err(AppError::invalid_field("commune", "out_of_jurisdiction"));
    }
    // Investors the caller may not see stay as they are.
    let hidden: Vec<i64> = current
        .investors
        .iter()
        .filter(|i| i.kind == "person" && !i.visible)
        .map(|i| i.id)
        .collect();
    d.investor_person_ids.retain(|p| !hidden.contains(p));
    check_investors(&mut tx.tx, actor, &d).await?;
    d.investor_person_ids.extend(hidden);
    d.investor_person_ids.sort_unstable();
    let changed = investment::changed_fields(&to_data(current), &d);
    if changed.is_empty() {
        return Ok(());
    }
    let now = clock::now();
    let (reg_vnd, real_vnd) = vnd_values(&d);
    let done = sqlx::query(
        "UPDATE investment_projects SET name = $1, name_en = $2, summary = $3, summary_en = $4, \
         sector = $5, commune_code = $6, registered_capital = $7, realised_capital = $8, \
         currency = $9, rate_to_vnd = $10, registered_vnd = $11, realised_vnd = $12, \
         licence_no = $13, licence_date = $14, in_catalogue = $15, version = version + 1, \
         updated_at = $16 WHERE id = $17 AND version = $18",
    )
    .bind(&d.name)
    .bind(&d.name_en)
    .bind(&d.summary)
    .bind(&d.summary_en)
    .bind(&d.sector)
    .bind(&d.commune_code)
    .bind(d.registered_capital)
    .bind(d.realised_capital)
    .bind(&d.currency)
    .bind(&d.rate_to_vnd)
    .bind(reg_vnd)
    .bind(real_vnd)
    .bind(&d.licence_no)
    .bind(d.licence_date.clone())
    .bind(i64::from(d.in_catalogue))
    .bind(&now)
    .bind(id)
    .bind(current.version)
    .execute(&mut *tx.tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    set_investors(tx, id, &d, &now).await?;
    let changed = changed.join(", ");
    investment::keep_version(
        tx,
        actor,
        "project",
        id,
        current.version + 1,
        &change.summary(&changed),
        &d,
    )
    .await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new(
            change.action("project.update", "project.restore"),
            "project",
            &id,
        )
        .with(serde_json::json!({"version": current.version + 1, "changed": changed})),
    )
    .await
}

/// Applies a JSON merge patch (RFC 7396) to a project.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Project> {
    access::authorize(actor, Action::ProjectEdit)?;
    let mut conn = app.db.pool.acquire().await?;
    let current = load(&mut conn, actor, id).await?;
    drop(conn);
    let input: ProjectInput = super::enterprises::merged_input(&to_input(&current), patch)?;
    update(app, actor, id, expected_version, &input).await
}

/// Moves a project along its pipeline on a given day (kept, audited, a new version).
pub async fn change_status(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &StatusInput,
) -> AppResult<Project> {
    access::authorize(actor, Action::ProjectEdit)?;
    let mut tx = app.db.begin_write().await?;
    let current = editable(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    change_status_in(&mut tx, app, actor, &current, input).await?;
    let p = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(p)
}

/// [`change_status`] of `current` (read in this transaction) within the
/// caller's transaction.
pub(crate) async fn change_status_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Project,
    input: &StatusInput,
) -> AppResult<()> {
    let id = current.id;
    let mut errs = Vec::new();
    let status = trimmed(input.status.as_ref());
    investment::one_of("status", &status, STATUSES, &mut errs);
    if errs.is_empty() && !next_statuses(&current.status).contains(&status.as_str()) {
        errs.push(FieldError::new("status", "invalid_transition"));
    }
    if status == "licensed" && current.licence_no.is_empty() {
        errs.push(FieldError::new("licence_no", "required_for_licence"));
    }
    let changed_on = investment::day(
        "changed_on",
        &trimmed(input.changed_on.as_ref()),
        true,
        &mut errs,
    );
    if let Some(d) = &changed_on
        && d.as_str() < current.status_on.as_str()
    {
        errs.push(FieldError::new("changed_on", "before_last_change"));
    }
    let note = trimmed(input.note.as_ref());
    text_ok("note", &note, MAX_SHORT, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let changed_on = changed_on.unwrap_or_else(clock::today);
    let now = clock::now();
    sqlx::query(
        "UPDATE investment_projects SET status = $1, status_on = $2, version = version + 1, \
         updated_at = $3 WHERE id = $4 AND version = $5",
    )
    .bind(&status)
    .bind(&changed_on)
    .bind(&now)
    .bind(id)
    .bind(current.version)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query(
        "INSERT INTO project_status_changes (project_id, status, changed_on, note, actor, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(&status)
    .bind(&changed_on)
    .bind(&note)
    .bind(&actor.username)
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    investment::keep_version(
        tx,
        actor,
        "project",
        id,
        current.version + 1,
        &format!("status: {status}"),
        &to_data(current),
    )
    .await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new("project.status", "project", &id)
            .with(serde_json::json!({"from": current.status, "to": status, "on": changed_on})),
    )
    .await
}

/// The history of a project, newest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<VersionRow>> {
    access::authorize(actor, Action::InvestmentRead)?;
    let mut conn = app.db.pool.acquire().await?;
    load_row(&mut conn, actor, id).await?;
    investment::versions(&mut conn, "project", id).await
}

/// A person abroad records interest in a catalogue project through the
/// portal (once per account; again updates the message).
pub async fn record_interest(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    project_id: i64,
    message: &str,
) -> AppResult<()> {
    catalogue_item(app, project_id).await?;
    let message = message.trim();
    let mut errs = Vec::new();
    text_ok("message", message, MAX_LONG, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let actor = access::portal_actor(account_id, person_id, "");
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    sqlx::query("DELETE FROM project_interests WHERE project_id = $1 AND account_id = $2")
        .bind(project_id)
        .bind(account_id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "INSERT INTO project_interests (project_id, account_id, person_id, message, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(project_id)
    .bind(account_id)
    .bind(person_id)
    .bind(message)
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &actor,
        Event::new("project.interest", "project", &project_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the portal account already recorded interest in the project.
pub async fn has_interest(app: &App, account_id: i64, project_id: i64) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_interests WHERE project_id = $1 AND account_id = $2",
    )
    .bind(project_id)
    .bind(account_id)
    .fetch_one(&app.db.pool)
    .await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipeline_moves_forward_and_stops_at_termination() {
        assert!(next_statuses("proposed").contains(&"licensed"));
        assert!(!next_statuses("proposed").contains(&"operating"));
        assert!(next_statuses("suspended").contains(&"operating"));
        assert!(next_statuses("terminated").is_empty());
        for s in STATUSES {
            for n in next_statuses(s) {
                assert!(STATUSES.contains(n));
            }
        }
    }
}
