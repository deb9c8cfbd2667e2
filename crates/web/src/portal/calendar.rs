//! The calendar deadlines are counted by (issue 23 §5): the days off the
//! province keeps, at `/admin/holidays` (its officers and administrators).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::error_lines;
use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::{Layout, page_err, render};
use app::portal::calendar;

/// One day off as listed: the stored day (the removal form's value), the
/// day as people read it, its weekday and name.
pub struct DayShown {
    pub code: String,
    pub day: String,
    pub weekday: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "portal/holidays.html")]
struct HolidaysPage {
    l: Layout,
    t: Tr,
    /// By year, newest last.
    years: Vec<(i32, Vec<DayShown>)>,
    day: String,
    name: String,
    acknowledge_within: String,
    complete_within: String,
    legal: &'static str,
    errors: Vec<String>,
}

async fn page(
    state: &AppState,
    user: &User,
    day: String,
    name: String,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let list = calendar::for_keeper(&state.app, &user.actor)
        .await
        .map_err(page_err(user.lang))?;
    let l = Layout::for_user(user);
    let t = l.t;
    let mut years: Vec<(i32, Vec<DayShown>)> = Vec::new();
    for h in list {
        let Some(d) = calendar::parse_iso(&h.day) else {
            continue;
        };
        let shown = DayShown {
            day: t.day(&h.day),
            weekday: t
                .s(&format!(
                    "portal.weekday.{}",
                    d.weekday().number_days_from_monday()
                ))
                .to_owned(),
            code: h.day,
            name: h.name,
        };
        match years.last_mut() {
            Some((y, days)) if *y == d.year() => days.push(shown),
            _ => years.push((d.year(), vec![shown])),
        }
    }
    let days = t.s("portal.requests.working_days");
    render(&HolidaysPage {
        t,
        years,
        day,
        name,
        acknowledge_within: format!("{} {days}", state.app.settings.request_acknowledge_days),
        complete_within: format!("{} {days}", state.app.settings.request_complete_days),
        legal: calendar::LEGAL_REFERENCE,
        errors,
        l,
    })
}

/// `GET /admin/holidays`: the days off, by year, and a form to add one.
pub async fn list(State(state): State<AppState>, user: User) -> Result<Response, PageError> {
    page(&state, &user, String::new(), String::new(), Vec::new()).await
}

#[derive(Deserialize)]
pub struct DayForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/holidays`: adds a day off (`dd/mm/yyyy`) or renames it.
pub async fn add(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<DayForm>,
) -> Result<Response, PageError> {
    let iso = domain::dates::read_day(&f.day).unwrap_or_default();
    match calendar::add(&state.app, &user.actor, &iso, &f.name).await {
        Ok(()) => Ok(Redirect::to("/admin/holidays").into_response()),
        Err(app::AppError::Invalid(errs)) => {
            let lines = error_lines(Tr::new(user.lang), &errs);
            let mut resp = page(&state, &user, f.day, f.name, lines).await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(page_err(user.lang)(e)),
    }
}

/// `POST /admin/holidays/remove`: `day` as stored.
pub async fn remove(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<DayForm>,
) -> Result<Response, PageError> {
    calendar::remove(&state.app, &user.actor, &f.day)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/admin/holidays").into_response())
}
