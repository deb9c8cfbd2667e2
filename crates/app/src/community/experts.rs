//! Experts, intellectuals and businesspeople (issue 22 §4): fields of
//! expertise from a controlled list and qualifications, kept on the person,
//! and their visits and programmes in the province (dates, host agency,
//! purpose, outcome, follow-up), so that "experts received this year" is a
//! report (about ten a year in An Giang, seed 003).
//!
//! They are registry people: reading takes [`Action::PersonRead`] and the
//! person within the actor's jurisdiction, writing [`Action::PersonUpdate`];
//! the yearly report lists only the people the actor may see. Every change
//! and every view of a person's expertise is audited.

use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event as AuditEvent};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Fields of expertise (labels `code.expertise.*`).
pub const FIELDS: &[&str] = &[
    "medicine",
    "engineering",
    "information_technology",
    "science",
    "education",
    "agriculture",
    "economics_finance",
    "law",
    "culture_arts",
    "other",
];

/// A person's expertise and visits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Expert {
    pub person_id: i64,
    pub full_name: String,
    /// Country of residence, ISO alpha-2.
    pub country: String,
    /// Codes of [`FIELDS`].
    pub fields: Vec<String>,
    pub qualifications: String,
    pub visits: Vec<Visit>,
}

/// A visit or programme in the province.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Visit {
    pub id: i64,
    pub person_id: i64,
    pub full_name: String,
    pub country: String,
    /// The person's fields of expertise.
    pub fields: Vec<String>,
    /// ISO day.
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub host_agency: String,
    pub purpose: String,
    pub outcome: String,
    pub follow_up: String,
}

/// A person's expertise as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertiseInput {
    /// Codes of the controlled list (`medicine`, `engineering`,
    /// `information_technology`, `science`, `education`, `agriculture`,
    /// `economics_finance`, `law`, `culture_arts`, `other`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// Degrees, titles, certificates ("Tiến sĩ Y khoa, Đại học Tokyo").
    pub qualifications: Option<String>,
}

/// A visit as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// First day (`12/03/2026` or `2026-03-12`).
    pub starts_on: Option<String>,
    /// Last day (empty for one day).
    pub ends_on: Option<String>,
    /// Who received them ("Bệnh viện Đa khoa tỉnh", "Sở Khoa học và Công nghệ").
    pub host_agency: Option<String>,
    pub purpose: Option<String>,
    pub outcome: Option<String>,
    /// What was agreed to do next.
    pub follow_up: Option<String>,
}

/// The people of the registry the actor may see: `person p` SQL and its
/// arguments, the person `id` first.
async fn visible_person(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<(String, String)> {
    let scope = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT p.full_name, p.country FROM persons p WHERE p.id = $1 AND p.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &scope.args {
        q = q.bind(a);
    }
    let r = q
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

fn split(fields: &str) -> Vec<String> {
    fields
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn load(conn: &mut sqlx::AnyConnection, actor: &Actor, id: i64) -> AppResult<Expert> {
    let (full_name, country) = visible_person(conn, actor, id).await?;
    let row =
        sqlx::query("SELECT fields, qualifications FROM person_expertise WHERE person_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (fields, qualifications) = match row {
        Some(r) => (split(&r.try_get::<String, _>(0)?), r.try_get(1)?),
        None => (Vec::new(), String::new()),
    };
    let visits = sqlx::query(
        "SELECT id, starts_on, ends_on, host_agency, purpose, outcome, follow_up FROM expert_visits \
         WHERE person_id = $1 ORDER BY starts_on DESC, id DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Visit {
            id: r.try_get(0)?,
            person_id: id,
            full_name: full_name.clone(),
            country: country.clone(),
            fields: fields.clone(),
            starts_on: r.try_get(1)?,
            ends_on: r.try_get(2)?,
            host_agency: r.try_get(3)?,
            purpose: r.try_get(4)?,
            outcome: r.try_get(5)?,
            follow_up: r.try_get(6)?,
        })
    })
    .collect::<Result<Vec<_>, db::SqlxError>>()?;
    Ok(Expert {
        person_id: id,
        full_name,
        country,
        fields,
        qualifications,
        visits,
    })
}

/// A person's expertise and visits (the view is audited).
pub async fn get(app: &App, actor: &Actor, person_id: i64) -> AppResult<Expert> {
    access::authorize(actor, Action::PersonRead)?;
    let mut tx = app.db.begin_write().await?;
    let e = load(&mut tx.tx, actor, person_id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("expert.view", "person", &person_id),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// True when the actor may record expertise and visits (of the people it sees).
pub fn may_edit(actor: &Actor) -> bool {
    access::authorize(actor, Action::PersonUpdate).is_ok()
}

fn text(field: &str, v: Option<&String>, max: usize, errs: &mut Vec<FieldError>) -> String {
    let v = v.map(|s| s.trim().to_owned()).unwrap_or_default();
    if domain::text::has_forbidden_control(&v) {
        errs.push(FieldError::new(field, "control_chars"));
    } else if v.chars().count() > max {
        errs.push(FieldError::new(field, "too_long"));
    }
    v
}

/// Sets a person's fields of expertise and qualifications.
pub async fn set_expertise(
    app: &App,
    actor: &Actor,
    person_id: i64,
    input: &ExpertiseInput,
) -> AppResult<Expert> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut errs = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    for f in &input.fields {
        let f = f.trim();
        if f.is_empty() {
            continue;
        }
        if FIELDS.contains(&f) {
            if !fields.iter().any(|x| x == f) {
                fields.push(f.to_owned());
            }
        } else {
            errs.push(FieldError::new("fields", "invalid_code"));
        }
    }
    let qualifications = text(
        "qualifications",
        input.qualifications.as_ref(),
        2000,
        &mut errs,
    );
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = app.db.begin_write().await?;
    visible_person(&mut tx.tx, actor, person_id).await?;
    let now = clock::now();
    sqlx::query("DELETE FROM person_expertise WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "INSERT INTO person_expertise (person_id, fields, qualifications, updated_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(person_id)
    .bind(fields.join(","))
    .bind(&qualifications)
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("expert.expertise", "person", &person_id)
            .with(serde_json::json!({"expertise": fields.join(",")})),
    )
    .await?;
    let e = load(&mut tx.tx, actor, person_id).await?;
    tx.commit().await?;
    Ok(e)
}

/// Records a visit or programme of a person the actor may see.
pub async fn add_visit(
    app: &App,
    actor: &Actor,
    person_id: i64,
    input: &VisitInput,
) -> AppResult<Expert> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut errs = Vec::new();
    let starts_text = text("starts_on", input.starts_on.as_ref(), 20, &mut errs);
    let starts_on = if starts_text.is_empty() {
        errs.push(FieldError::new("starts_on", "required"));
        String::new()
    } else {
        domain::dates::read_day(&starts_text).unwrap_or_else(|| {
            errs.push(FieldError::new("starts_on", "invalid_date"));
            String::new()
        })
    };
    let ends_text = text("ends_on", input.ends_on.as_ref(), 20, &mut errs);
    let ends_on = if ends_text.is_empty() {
        None
    } else {
        let d = domain::dates::read_day(&ends_text);
        if d.is_none() {
            errs.push(FieldError::new("ends_on", "invalid_date"));
        }
        d
    };
    if let Some(e) = &ends_on
        && !starts_on.is_empty()
        && e.as_str() < starts_on.as_str()
    {
        errs.push(FieldError::new("ends_on", "before_start"));
    }
    let host = text("host_agency", input.host_agency.as_ref(), 200, &mut errs);
    if host.is_empty() {
        errs.push(FieldError::new("host_agency", "required"));
    }
    let purpose = text("purpose", input.purpose.as_ref(), 2000, &mut errs);
    let outcome = text("outcome", input.outcome.as_ref(), 2000, &mut errs);
    let follow_up = text("follow_up", input.follow_up.as_ref(), 2000, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = app.db.begin_write().await?;
    visible_person(&mut tx.tx, actor, person_id).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO expert_visits (person_id, starts_on, ends_on, host_agency, purpose, outcome, \
         follow_up, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(person_id)
    .bind(&starts_on)
    .bind(ends_on)
    .bind(&host)
    .bind(&purpose)
    .bind(&outcome)
    .bind(&follow_up)
    .bind(clock::now())
    .fetch_one(&mut *tx.tx)
    .await?
    .try_get(0)?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("expert.visit_add", "person", &person_id)
            .with(serde_json::json!({"visit": id})),
    )
    .await?;
    let e = load(&mut tx.tx, actor, person_id).await?;
    tx.commit().await?;
    Ok(e)
}

/// The visits that began in `year`, of the people the actor may see: the
/// "experts received this year" report (audited: it names people).
pub async fn visits_of_year(app: &App, actor: &Actor, year: i32) -> AppResult<Vec<Visit>> {
    access::authorize(actor, Action::PersonList)?;
    if !(1900..=2200).contains(&year) {
        return Err(AppError::invalid_field("year", "invalid_value"));
    }
    let scope = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT v.id, v.person_id, p.full_name, p.country, COALESCE(x.fields, ''), v.starts_on, \
         v.ends_on, v.host_agency, v.purpose, v.outcome, v.follow_up \
         FROM expert_visits v JOIN persons p ON p.id = v.person_id \
         LEFT JOIN person_expertise x ON x.person_id = v.person_id \
         WHERE v.starts_on LIKE $1 AND p.deleted_at IS NULL AND {} \
         ORDER BY v.starts_on, v.id",
        scope.sql
    );
    let mut q = sqlx::query(&sql).bind(format!("{year:04}%"));
    for a in &scope.args {
        q = q.bind(a);
    }
    let rows = q
        .fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Visit {
                id: r.try_get(0)?,
                person_id: r.try_get(1)?,
                full_name: r.try_get(2)?,
                country: r.try_get(3)?,
                fields: split(&r.try_get::<String, _>(4)?),
                starts_on: r.try_get(5)?,
                ends_on: r.try_get(6)?,
                host_agency: r.try_get(7)?,
                purpose: r.try_get(8)?,
                outcome: r.try_get(9)?,
                follow_up: r.try_get(10)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    let mut tx = app.db.begin_write().await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("expert.report", "expert_visits", &year)
            .with(serde_json::json!({"rows": rows.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(rows)
}

/// Demo: expertise and a visit for a few people tagged experts.
pub(crate) async fn seed_demo(app: &App, system: &Actor) -> AppResult<()> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM expert_visits")
        .fetch_one(&app.db.pool)
        .await?;
    if n > 0 {
        return Ok(());
    }
    let officer = Actor {
        role: domain::Role::ProvinceOfficer,
        jurisdiction: crate::Jurisdiction::Province,
        token_scopes: None,
        ..system.clone()
    };
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM persons WHERE deleted_at IS NULL AND (',' || tags || ',') LIKE '%,expert,%' \
         ORDER BY id LIMIT 10",
    )
    .fetch_all(&app.db.pool)
    .await?;
    let year = clock::current_year();
    let hosts = [
        (
            "Bệnh viện Đa khoa tỉnh",
            "medicine",
            "Khám bệnh, chuyển giao kỹ thuật mổ nội soi",
        ),
        (
            "Sở Khoa học và Công nghệ",
            "science",
            "Tư vấn đề án ứng dụng công nghệ sinh học",
        ),
        (
            "Trường Đại học Hà Tĩnh",
            "education",
            "Giảng dạy chuyên đề, trao đổi sinh viên",
        ),
        (
            "Sở Nông nghiệp và Môi trường",
            "agriculture",
            "Khảo sát vùng trồng cam, tư vấn xuất khẩu",
        ),
        (
            "Sở Tài chính",
            "economics_finance",
            "Tham vấn danh mục dự án kêu gọi đầu tư",
        ),
    ];
    for (i, id) in ids.iter().enumerate() {
        let (host, field, purpose) = hosts[i % hosts.len()];
        set_expertise(
            app,
            &officer,
            *id,
            &ExpertiseInput {
                fields: vec![field.to_owned()],
                qualifications: Some("Tiến sĩ".to_owned()),
            },
        )
        .await?;
        let month = 1 + (i % 11);
        add_visit(
            app,
            &officer,
            *id,
            &VisitInput {
                starts_on: Some(format!("{year}-{month:02}-1{}", i % 9)),
                ends_on: None,
                host_agency: Some(host.to_owned()),
                purpose: Some(purpose.to_owned()),
                outcome: Some("Đã thực hiện theo kế hoạch".to_owned()),
                follow_up: Some("Tiếp tục hợp tác năm sau".to_owned()),
            },
        )
        .await?;
    }
    Ok(())
}
