//! Experts, intellectuals and businesspeople (issue 22 §4): their fields of
//! expertise, qualifications and visits; the "experts received this year"
//! report as a page and an xlsx; JSON API.

use app::AppError;
use app::community::experts::{self, Expert, ExpertiseInput, Visit, VisitInput};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;

use crate::AppState;
use crate::access::{Access, Route, route};
use crate::error::{ApiError, PageError};
use crate::extract::{ApiUser, User, parse_input};
use crate::i18n::Tr;
use crate::pages::{Layout, attachment, page_err, render};

/// The experts' routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Session, Token};
    vec![
        route(
            "GET",
            "/experts",
            Session,
            "roles reading people (the visits of people within jurisdiction; audited)",
            axum::routing::get(report),
        ),
        route(
            "POST",
            "/experts",
            Session,
            "roles changing people, the person within jurisdiction",
            axum::routing::post(record),
        ),
        route(
            "GET",
            "/experts/visits.xlsx",
            Session,
            "roles reading people (people within jurisdiction; audited)",
            axum::routing::get(report_xlsx),
        ),
        route(
            "GET",
            "/api/v1/experts/visits",
            Token,
            "read scope, roles reading people (people within jurisdiction; audited)",
            axum::routing::get(api_visits),
        ),
        route(
            "GET",
            "/api/v1/experts/{person_id}",
            Token,
            "read scope, roles reading people, the person within jurisdiction (audited)",
            axum::routing::get(api_read),
        ),
        route(
            "PUT",
            "/api/v1/experts/{person_id}",
            Token,
            "write scope, roles changing people, the person within jurisdiction",
            axum::routing::put(api_set),
        ),
        route(
            "POST",
            "/api/v1/experts/{person_id}/visits",
            Token,
            "write scope, roles changing people, the person within jurisdiction",
            axum::routing::post(api_visit_add),
        ),
    ]
}

/// The year of the report.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// The year the visits began (default this year).
    pub year: Option<i32>,
}

fn year_or_now(y: Option<i32>) -> i32 {
    y.unwrap_or_else(app::clock::current_year)
}

/// `GET /api/v1/experts/visits?year=`: experts received that year.
#[utoipa::path(get, path = "/api/v1/experts/visits", tag = "experts", params(YearParams),
    responses((status = 200, description = "Visits and programmes that began in the year, of people within the caller's jurisdiction (audited).", body = [Visit]),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_visits(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(q): Query<YearParams>,
) -> Result<Json<Vec<Visit>>, ApiError> {
    Ok(Json(
        experts::visits_of_year(&state.app, &actor, year_or_now(q.year)).await?,
    ))
}

/// `GET /api/v1/experts/{person_id}`: a person's expertise and visits.
#[utoipa::path(get, path = "/api/v1/experts/{person_id}", tag = "experts",
    params(("person_id" = i64, Path, description = "Person id")),
    responses((status = 200, description = "Fields of expertise, qualifications and visits (audited).", body = Expert),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound)),
    security(("bearer" = [])))]
pub async fn api_read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(person_id): Path<i64>,
) -> Result<Json<Expert>, ApiError> {
    Ok(Json(experts::get(&state.app, &actor, person_id).await?))
}

/// `PUT /api/v1/experts/{person_id}`: sets the fields of expertise and qualifications.
#[utoipa::path(put, path = "/api/v1/experts/{person_id}", tag = "experts",
    params(("person_id" = i64, Path, description = "Person id")),
    request_body(content = ExpertiseInput, description = "Fields from the controlled list and qualifications; replaces what was recorded."),
    responses((status = 200, description = "The person's expertise (audited).", body = Expert),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_set(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(person_id): Path<i64>,
    body: Bytes,
) -> Result<Json<Expert>, ApiError> {
    let input: ExpertiseInput = parse_input(&body)?;
    Ok(Json(
        experts::set_expertise(&state.app, &actor, person_id, &input).await?,
    ))
}

/// `POST /api/v1/experts/{person_id}/visits`: records a visit or programme.
#[utoipa::path(post, path = "/api/v1/experts/{person_id}/visits", tag = "experts",
    params(("person_id" = i64, Path, description = "Person id")),
    request_body(content = VisitInput, description = "Dates, host agency, purpose, outcome, follow-up."),
    responses((status = 201, description = "The person's expertise and visits (audited).", body = Expert),
              (status = 401, response = crate::problems::Unauthorized),
              (status = 403, response = crate::problems::Forbidden),
              (status = 404, response = crate::problems::NotFound),
              (status = 422, response = crate::problems::Invalid)),
    security(("bearer" = [])))]
pub async fn api_visit_add(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(person_id): Path<i64>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: VisitInput = parse_input(&body)?;
    let e = experts::add_visit(&state.app, &actor, person_id, &input).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

// ---------------------------------------------------------------- pages

/// The report's query string, and the forms' fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    year: String,
}

struct VisitView {
    person_id: i64,
    name: String,
    country: String,
    fields: String,
    when: String,
    host: String,
    purpose: String,
    outcome: String,
    follow_up: String,
}

#[derive(Template)]
#[template(path = "community/experts/report.html")]
struct ReportPage {
    l: Layout,
    t: Tr,
    year: i32,
    visits: Vec<VisitView>,
    by_field: Vec<(String, usize)>,
    field_options: Vec<(String, String)>,
    can_edit: bool,
    errors: Vec<String>,
    typed: RecordForm,
}

fn visit_views(t: Tr, visits: &[Visit]) -> Vec<VisitView> {
    visits
        .iter()
        .map(|v| VisitView {
            person_id: v.person_id,
            name: v.full_name.clone(),
            country: t.label("country", &v.country),
            fields: v
                .fields
                .iter()
                .map(|f| t.label("expertise", f))
                .collect::<Vec<_>>()
                .join(", "),
            when: match &v.ends_on {
                Some(e) if *e != v.starts_on => format!("{} – {}", t.day(&v.starts_on), t.day(e)),
                _ => t.day(&v.starts_on),
            },
            host: v.host_agency.clone(),
            purpose: v.purpose.clone(),
            outcome: v.outcome.clone(),
            follow_up: v.follow_up.clone(),
        })
        .collect()
}

async fn report_page(
    state: &AppState,
    user: &User,
    year: i32,
    errors: Vec<String>,
    typed: RecordForm,
) -> Result<Response, PageError> {
    let l = Layout::for_user(user);
    let t = l.t;
    let visits = experts::visits_of_year(&state.app, &user.actor, year)
        .await
        .map_err(page_err(user.lang))?;
    let by_field = experts::FIELDS
        .iter()
        .map(|f| {
            (
                t.label("expertise", f),
                visits
                    .iter()
                    .filter(|v| v.fields.iter().any(|x| x == f))
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    render(&ReportPage {
        visits: visit_views(t, &visits),
        by_field,
        field_options: experts::FIELDS
            .iter()
            .map(|f| ((*f).to_owned(), t.label("expertise", f)))
            .collect(),
        can_edit: experts::may_edit(&user.actor),
        year,
        errors,
        typed,
        l,
        t,
    })
}

fn read_year(text: &str) -> i32 {
    let y = text.trim();
    if y.is_empty() {
        app::clock::current_year()
    } else {
        y.parse().unwrap_or(-1)
    }
}

/// `GET /experts?year=`: experts received in the year.
pub async fn report(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ReportForm>,
) -> Result<Response, PageError> {
    report_page(
        &state,
        &user,
        read_year(&f.year),
        Vec::new(),
        RecordForm::default(),
    )
    .await
}

/// `GET /experts/visits.xlsx?year=`: the report as a workbook.
pub async fn report_xlsx(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ReportForm>,
) -> Result<Response, PageError> {
    let t = Tr::new(user.lang);
    let year = read_year(&f.year);
    let visits = experts::visits_of_year(&state.app, &user.actor, year)
        .await
        .map_err(page_err(user.lang))?;
    let headers: Vec<String> = [
        "events.no",
        "field.full_name",
        "field.country",
        "experts.fields",
        "experts.when",
        "field.host_agency",
        "field.purpose",
        "field.outcome",
        "field.follow_up",
    ]
    .iter()
    .map(|k| t.s(k).to_owned())
    .collect();
    let rows: Vec<Vec<String>> = visit_views(t, &visits)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            vec![
                (i + 1).to_string(),
                v.name,
                v.country,
                v.fields,
                v.when,
                v.host,
                v.purpose,
                v.outcome,
                v.follow_up,
            ]
        })
        .collect();
    let title = format!("{} {year}", t.s("experts.title"));
    let bytes = app::community::events::invitees_xlsx(&title, &headers, &rows)
        .map_err(page_err(user.lang))?;
    Ok(attachment(
        bytes,
        crate::pages::XLSX,
        &format!("chuyen-gia-{year}.xlsx"),
    ))
}

/// The record form: a person, their expertise and a visit, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RecordForm {
    person: String,
    field: String,
    qualifications: String,
    starts_on: String,
    ends_on: String,
    host_agency: String,
    purpose: String,
    outcome: String,
    follow_up: String,
}

/// `POST /experts`: sets a person's expertise and records a visit.
pub async fn record(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<RecordForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let person = f
        .person
        .rsplit_once('#')
        .map_or(f.person.as_str(), |(_, n)| n)
        .trim()
        .parse::<i64>()
        .unwrap_or(-1);
    let s = |v: &str| Some(v.to_owned());
    let mut result = experts::set_expertise(
        &state.app,
        &user.actor,
        person,
        &ExpertiseInput {
            fields: vec![f.field.clone()],
            qualifications: s(&f.qualifications),
        },
    )
    .await;
    if result.is_ok() {
        result = experts::add_visit(
            &state.app,
            &user.actor,
            person,
            &VisitInput {
                starts_on: s(&f.starts_on),
                ends_on: s(&f.ends_on),
                host_agency: s(&f.host_agency),
                purpose: s(&f.purpose),
                outcome: s(&f.outcome),
                follow_up: s(&f.follow_up),
            },
        )
        .await;
    }
    let errs = match result {
        Ok(expert) => {
            let year = expert
                .visits
                .first()
                .map_or_else(app::clock::current_year, |v| {
                    v.starts_on
                        .get(..4)
                        .and_then(|y| y.parse().ok())
                        .unwrap_or(0)
                });
            return Ok(Redirect::to(&format!("/experts?year={year}")).into_response());
        }
        Err(AppError::Invalid(errs)) => errs,
        Err(AppError::NotFound) => vec![app::FieldError::new("person", "unknown_person")],
        Err(err) => return Err(PageError { err, lang }),
    };
    let lines = errs
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                t.field(&e.field),
                t.get(&format!("code.{}", e.code))
                    .unwrap_or(e.code.as_str())
            )
        })
        .collect();
    let mut resp = report_page(&state, &user, app::clock::current_year(), lines, f).await?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn every_field_of_expertise_has_a_label_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let t = Tr::new(lang);
            for f in experts::FIELDS {
                assert_ne!(t.label("expertise", f), *f, "{f}");
            }
        }
    }
}
