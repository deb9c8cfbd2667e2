//! Event pages: the list with its filters, the record page (programme,
//! delegation members, invitees with reply and attendance, the invitee
//! builder from the registry's filters, letters, history), the create and
//! edit forms, the xlsx of the invitees and the letters' downloads. Each
//! handler calls `app::community::events` or `letters`, which check role
//! and reach.

use app::AppError;
use app::community::events::{self, Event, EventInput, InviteeChange, InviteeFilter, ListFilter};
use app::community::letters::{self, LetterInput};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, attachment, page_err, render};

/// `(code, label, selected)` of a coded select, with an optional empty first option.
fn options(
    t: Tr,
    kind: &str,
    codes: &[&str],
    selected: &str,
    empty: Option<&str>,
) -> Vec<(String, String, bool)> {
    let mut v = Vec::new();
    if let Some(e) = empty {
        v.push((String::new(), e.to_owned(), selected.is_empty()));
    }
    v.extend(
        codes
            .iter()
            .map(|c| ((*c).to_owned(), t.label(kind, c), *c == selected)),
    );
    v
}

/// Field errors as sentences: "Ngày bắt đầu: Ngày không hợp lệ".
fn error_lines(t: Tr, errors: &[app::FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                t.field(&e.field),
                t.get(&format!("code.{}", e.code))
                    .unwrap_or(e.code.as_str())
            )
        })
        .collect()
}

fn forbidden(lang: Lang) -> PageError {
    PageError {
        err: AppError::Forbidden,
        lang,
    }
}

/// "24/01/2027" or "10/04/2027 – 16/04/2027".
fn days(t: Tr, starts: &str, ends: Option<&str>) -> String {
    match ends {
        Some(e) if e != starts => format!("{} – {}", t.day(starts), t.day(e)),
        _ => t.day(starts),
    }
}

// ---------------------------------------------------------------- list

/// The list's query string, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListForm {
    q: String,
    kind: String,
    country: String,
    year: String,
}

struct RowView {
    id: i64,
    name: String,
    kind: String,
    when: String,
    place: String,
    invitees: i64,
    attended: i64,
}

#[derive(Template)]
#[template(path = "community/events/list.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    f: ListForm,
    kinds: Vec<(String, String, bool)>,
    rows: Vec<RowView>,
    errors: Vec<String>,
    can_manage: bool,
}

/// `GET /events`: the events and delegations within reach, newest first.
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ListForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(&user);
    let t = l.t;
    let year = f.year.trim();
    let filter = ListFilter {
        q: f.q.clone(),
        kind: f.kind.clone(),
        country: f.country.clone(),
        year: if year.is_empty() {
            None
        } else {
            Some(year.parse().unwrap_or(-1))
        },
    };
    let (rows, errors, status) = match events::list(&state.app, &user.actor, &filter).await {
        Ok(rows) => (rows, Vec::new(), StatusCode::OK),
        Err(AppError::Invalid(errs)) => (
            Vec::new(),
            error_lines(t, &errs),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let rows = rows
        .into_iter()
        .take(500)
        .map(|r| RowView {
            id: r.id,
            kind: t.label("event_kind", &r.kind),
            when: days(t, &r.starts_on, r.ends_on.as_deref()),
            place: if r.country.is_empty() {
                r.place.clone()
            } else if r.place.is_empty() {
                t.label("country", &r.country)
            } else {
                format!("{} ({})", r.place, t.label("country", &r.country))
            },
            name: r.name,
            invitees: r.invitees,
            attended: r.attended,
        })
        .collect();
    let mut resp = render(&ListPage {
        kinds: options(
            t,
            "event_kind",
            events::KINDS,
            f.kind.trim(),
            Some(t.s("events.any")),
        ),
        can_manage: events::may_manage(&user.actor),
        rows,
        errors,
        f,
        l,
        t,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

// ---------------------------------------------------------------- record page

struct InviteeView {
    person_id: i64,
    name: String,
    country: String,
    hometown: String,
    replies: Vec<(String, String, bool)>,
    attendances: Vec<(String, String, bool)>,
    reply: String,
    attendance: String,
}

struct HistoryView {
    when: String,
    who: String,
    what: String,
    restore: Option<crate::community::restore::Button>,
}

/// What a form of the record page was refused for, shown beside it.
#[derive(Default)]
struct Refusal {
    /// `invitees` or `letters`.
    section: &'static str,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "community/events/show.html")]
struct ShowPage {
    l: Layout,
    t: Tr,
    e: Event,
    profile: Vec<(String, String)>,
    programme: Vec<String>,
    members: Vec<String>,
    invitees: Vec<InviteeView>,
    history: Vec<HistoryView>,
    letter_kinds: Vec<(String, String, bool)>,
    letter_modes: Vec<(String, String, bool)>,
    tags: Vec<(String, String, bool)>,
    can_manage: bool,
    refusal: Refusal,
    added: String,
}

/// A version's summary in words ("invitees added 12" → "Thêm 12 khách mời").
fn history_words(t: Tr, s: &str) -> String {
    if s == "created" {
        return t.s("event.history.created").to_owned();
    }
    if let Some(w) = crate::community::restore::restored_words(t, s) {
        return w;
    }
    if let Some(fields) = s.strip_prefix("updated: ") {
        let names: Vec<String> = fields.split(", ").map(|f| t.field(f)).collect();
        return format!("{}: {}", t.s("event.history.updated"), names.join(", "));
    }
    let numbered = [
        ("invitees added ", t.s("event.history.invitees_added")),
        ("invitee changed #", t.s("event.history.invitee_changed")),
        ("invitee removed #", t.s("event.history.invitee_removed")),
    ];
    for (prefix, words) in numbered {
        if let Some(n) = s.strip_prefix(prefix) {
            return format!("{words}: {n}");
        }
    }
    s.to_owned()
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn show_page(
    state: &AppState,
    user: &User,
    e: Event,
    refusal: Refusal,
    added: String,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(user);
    let t = l.t;
    let versions = events::history(&state.app, &user.actor, e.id)
        .await
        .map_err(page_err(lang))?;
    let buttons = crate::community::restore::buttons(
        crate::community::restore::Kind::Event,
        e.id,
        e.version,
        events::may_manage(&user.actor),
        &versions.iter().map(|v| v.version).collect::<Vec<_>>(),
    );
    let history = versions
        .into_iter()
        .zip(buttons)
        .map(|(v, restore)| HistoryView {
            when: t.time(&v.changed_at),
            who: v.actor,
            what: history_words(t, &v.summary),
            restore,
        })
        .collect();
    let profile = vec![
        (
            t.s("events.kind").to_owned(),
            t.label("event_kind", &e.kind),
        ),
        (
            t.s("events.when").to_owned(),
            days(t, &e.starts_on, e.ends_on.as_deref()),
        ),
        (t.s("events.place").to_owned(), e.place.clone()),
        (
            t.s("field.country").to_owned(),
            if e.country.is_empty() {
                t.s("events.in_vietnam").to_owned()
            } else {
                t.label("country", &e.country)
            },
        ),
        (t.s("events.organiser").to_owned(), e.organiser.clone()),
        (t.s("field.notes").to_owned(), e.notes.clone()),
    ];
    let invitees = e
        .invitees
        .iter()
        .map(|i| InviteeView {
            person_id: i.person_id,
            name: i.full_name.clone(),
            country: t.label("country", &i.country),
            hometown: i.hometown_text.clone(),
            replies: options(t, "event_reply", events::REPLIES, &i.reply, None),
            attendances: options(
                t,
                "event_attendance",
                events::ATTENDANCES,
                &i.attendance,
                None,
            ),
            reply: t.label("event_reply", &i.reply),
            attendance: t.label("event_attendance", &i.attendance),
        })
        .collect();
    let tag_codes: Vec<&str> = domain::NotableTag::ALL.iter().map(|x| x.code()).collect();
    render(&ShowPage {
        programme: lines(&e.programme),
        members: lines(&e.members),
        letter_kinds: options(t, "letter_kind", letters::KINDS, "invitation", None),
        letter_modes: options(t, "letter_mode", letters::MODES, "merge", None),
        tags: options(t, "tag", &tag_codes, "", Some(t.s("events.any"))),
        can_manage: events::may_manage(&user.actor),
        profile,
        invitees,
        history,
        refusal,
        added,
        e,
        l,
        t,
    })
}

/// `GET /events/{id}`: the record page (the view is audited).
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let e = events::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    show_page(&state, &user, e, Refusal::default(), String::new()).await
}

/// After a form of the record page: back to its section, or the page again
/// with the reasons beside the form (422).
async fn refused(
    state: &AppState,
    user: &User,
    id: i64,
    section: &'static str,
    err: AppError,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let lines = match err {
        AppError::Invalid(errs) => error_lines(t, &errs),
        err => return Err(PageError { err, lang }),
    };
    let e = events::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let mut resp = show_page(state, user, e, Refusal { section, lines }, String::new()).await?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

/// The invitee builder's form: the registry's filters, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InviteeForm {
    country: String,
    category: String,
    tag: String,
    commune: String,
    association: String,
}

/// `POST /events/{id}/invitees`: invites the people the filters name.
pub async fn add_invitees(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<InviteeForm>,
) -> Result<Response, PageError> {
    let s = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let association = f.association.trim();
    let filter = InviteeFilter {
        country: s(&f.country),
        category: s(&f.category),
        tag: s(&f.tag),
        commune: s(&f.commune),
        association: if association.is_empty() {
            None
        } else {
            Some(association.trim_start_matches('#').parse().unwrap_or(-1))
        },
        ..InviteeFilter::default()
    };
    match events::add_invitees(&state.app, &user.actor, id, &filter).await {
        Ok(done) => {
            let e = events::get(&state.app, &user.actor, id)
                .await
                .map_err(page_err(user.lang))?;
            let t = Tr::new(user.lang);
            let added = format!(
                "{}: {} · {}: {}",
                t.s("events.added"),
                done.added,
                t.s("events.already"),
                done.already
            );
            show_page(&state, &user, e, Refusal::default(), added).await
        }
        Err(err) => refused(&state, &user, id, "invitees", err).await,
    }
}

/// The reply and attendance form of one invitee.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InviteeChangeForm {
    reply: String,
    attendance: String,
}

/// `POST /events/{id}/invitees/{person_id}`: records a reply and attendance.
pub async fn change_invitee(
    State(state): State<AppState>,
    user: User,
    Path((id, person_id)): Path<(i64, i64)>,
    Form(f): Form<InviteeChangeForm>,
) -> Result<Response, PageError> {
    let c = InviteeChange {
        reply: Some(f.reply),
        attendance: Some(f.attendance),
    };
    match events::change_invitee(&state.app, &user.actor, id, person_id, &c).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}#invitees")).into_response()),
        Err(err) => refused(&state, &user, id, "invitees", err).await,
    }
}

/// `POST /events/{id}/invitees/{person_id}/delete`: takes someone off the list.
pub async fn remove_invitee(
    State(state): State<AppState>,
    user: User,
    Path((id, person_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    match events::remove_invitee(&state.app, &user.actor, id, person_id).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}#invitees")).into_response()),
        Err(err) => refused(&state, &user, id, "invitees", err).await,
    }
}

/// `GET /events/{id}/invitees.xlsx`: the invitee list as a workbook.
pub async fn invitees_xlsx(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let bytes = super::api::invitees_workbook(&state, &user.actor, id, user.lang)
        .await
        .map_err(page_err(user.lang))?;
    Ok(attachment(
        bytes,
        crate::pages::XLSX,
        &format!("khach-moi-su-kien-{id}.xlsx"),
    ))
}

/// The letter form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LetterForm {
    kind: String,
    mode: String,
    number: String,
    date: String,
    subject: String,
    body: String,
    recipients: String,
    signer_title: String,
    signer_name: String,
}

/// `POST /events/{id}/letters`: the letters as a .docx download.
pub async fn letters(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<LetterForm>,
) -> Result<Response, PageError> {
    let s = |v: String| Some(v);
    let input = LetterInput {
        kind: s(f.kind),
        mode: s(f.mode),
        number: s(f.number),
        date: s(f.date),
        subject: s(f.subject),
        body: s(f.body),
        addressee: None,
        recipients: s(f.recipients),
        signer_title: s(f.signer_title),
        signer_name: s(f.signer_name),
    };
    match letters::generate(&state.app, &user.actor, id, &input).await {
        Ok((bytes, name)) => Ok(attachment(bytes, crate::pages::DOCX, &name)),
        Err(err) => refused(&state, &user, id, "letters", err).await,
    }
}

/// `POST /events/{id}/letters/template?csrf=` (multipart `file`): the
/// officer's own .docx filled once per invitee, as a .zip.
pub async fn letters_template(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    if !events::may_manage(&user.actor) {
        return Err(forbidden(user.lang));
    }
    let mut bytes = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        }
    }
    let r = if bytes.is_empty() {
        Err(AppError::invalid_field("file", "required"))
    } else {
        letters::fill_template(&state.app, &user.actor, id, &bytes, &LetterInput::default()).await
    };
    match r {
        Ok((bytes, name)) => Ok(attachment(bytes, "application/zip", &name)),
        Err(err) => refused(&state, &user, id, "letters", err).await,
    }
}

// ---------------------------------------------------------------- forms

/// The event form, every value as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EventForm {
    kind: String,
    name: String,
    starts_on: String,
    ends_on: String,
    place: String,
    country: String,
    programme: String,
    members: String,
    organiser: String,
    notes: String,
    version: String,
}

impl EventForm {
    fn from_event(e: &Event, t: Tr) -> Self {
        Self {
            kind: e.kind.clone(),
            name: e.name.clone(),
            starts_on: t.day(&e.starts_on),
            ends_on: e.ends_on.as_deref().map(|d| t.day(d)).unwrap_or_default(),
            place: e.place.clone(),
            country: t.label("country", &e.country),
            programme: e.programme.clone(),
            members: e.members.clone(),
            organiser: e.organiser.clone(),
            notes: e.notes.clone(),
            version: e.version.to_string(),
        }
    }

    fn to_input(&self) -> EventInput {
        let s = |v: &str| Some(v.to_owned());
        EventInput {
            kind: s(&self.kind),
            name: s(&self.name),
            starts_on: s(&self.starts_on),
            ends_on: s(&self.ends_on),
            place: s(&self.place),
            country: s(&self.country),
            programme: s(&self.programme),
            members: s(&self.members),
            organiser: s(&self.organiser),
            notes: s(&self.notes),
        }
    }
}

/// One field of the form.
struct FieldView {
    name: &'static str,
    label: String,
    value: String,
    error: String,
    /// `text`, `select`, `textarea` or `country`.
    kind: &'static str,
    options: Vec<(String, String, bool)>,
    hint: String,
}

#[derive(Template)]
#[template(path = "community/events/form.html")]
struct FormPage {
    l: Layout,
    t: Tr,
    heading: String,
    action: String,
    cancel: String,
    fields: Vec<FieldView>,
    version: String,
    error: String,
}

fn form_page(
    user: &User,
    id: Option<i64>,
    f: &EventForm,
    errors: &[app::FieldError],
    error: String,
) -> Result<Response, PageError> {
    let l = Layout::for_user(user);
    let t = l.t;
    let err = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| {
                t.get(&format!("code.{}", e.code))
                    .unwrap_or(e.code.as_str())
                    .to_owned()
            })
            .unwrap_or_default()
    };
    let text = |name: &'static str, label: &str, value: &str, hint: &str| FieldView {
        name,
        label: t.s(label).to_owned(),
        value: value.to_owned(),
        error: err(name),
        kind: "text",
        options: Vec::new(),
        hint: hint.to_owned(),
    };
    let kind = if f.kind.is_empty() {
        "xuan_que_huong"
    } else {
        f.kind.as_str()
    };
    let day_hint = t.s("events.day_hint");
    let fields = vec![
        FieldView {
            kind: "select",
            options: options(t, "event_kind", events::KINDS, kind, None),
            ..text("kind", "events.kind", "", "")
        },
        text("name", "events.name", &f.name, ""),
        text("starts_on", "events.starts_on", &f.starts_on, day_hint),
        text(
            "ends_on",
            "events.ends_on",
            &f.ends_on,
            t.s("events.ends_on_hint"),
        ),
        text("place", "events.place", &f.place, ""),
        FieldView {
            kind: "country",
            ..text(
                "country",
                "field.country",
                &f.country,
                t.s("events.country_hint"),
            )
        },
        text("organiser", "events.organiser", &f.organiser, ""),
        FieldView {
            kind: "textarea",
            ..text(
                "programme",
                "events.programme",
                &f.programme,
                t.s("events.lines_hint"),
            )
        },
        FieldView {
            kind: "textarea",
            ..text(
                "members",
                "events.members",
                &f.members,
                t.s("events.members_hint"),
            )
        },
        FieldView {
            kind: "textarea",
            ..text("notes", "field.notes", &f.notes, "")
        },
    ];
    let (heading, action, cancel) = match id {
        Some(id) => (
            t.s("events.edit").to_owned(),
            format!("/events/{id}"),
            format!("/events/{id}"),
        ),
        None => (
            t.s("events.new").to_owned(),
            "/events".to_owned(),
            "/events".to_owned(),
        ),
    };
    render(&FormPage {
        heading,
        action,
        cancel,
        fields,
        version: f.version.clone(),
        error,
        l,
        t,
    })
}

/// `GET /events/new`: the empty form.
pub async fn new_form(user: User) -> Result<Response, PageError> {
    if !events::may_manage(&user.actor) {
        return Err(forbidden(user.lang));
    }
    form_page(&user, None, &EventForm::default(), &[], String::new())
}

/// `POST /events`: records the event, or shows the form again (422).
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<EventForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    match events::create(&state.app, &user.actor, &f.to_input()).await {
        Ok(e) => Ok(Redirect::to(&format!("/events/{}", e.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut resp = form_page(&user, None, &f, &errors, t.s("error.invalid").to_owned())?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(err) => Err(PageError { err, lang }),
    }
}

/// `GET /events/{id}/edit`: the form with the stored values.
pub async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let e = events::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    if !events::may_manage(&user.actor) {
        return Err(forbidden(lang));
    }
    form_page(
        &user,
        Some(id),
        &EventForm::from_event(&e, Tr::new(lang)),
        &[],
        String::new(),
    )
}

/// `POST /events/{id}`: saves when the version is current; otherwise shows
/// the form again (with the stored values when someone saved first).
pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<EventForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let result = events::update(&state.app, &user.actor, id, version, &f.to_input()).await;
    let (errors, message, status) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/events/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => (
            errors,
            t.s("error.invalid").to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::PreconditionFailed { .. }) => (
            Vec::new(),
            t.s("events.stale").to_owned(),
            StatusCode::CONFLICT,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let mut f = f;
    if status == StatusCode::CONFLICT {
        let e = events::get(&state.app, &user.actor, id)
            .await
            .map_err(page_err(lang))?;
        f = EventForm::from_event(&e, t);
    }
    let mut resp = form_page(&user, Some(id), &f, &errors, message)?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_reads_in_words() {
        let vi = Tr::new(Lang::Vi);
        assert_eq!(history_words(vi, "invitees added 12"), "Thêm khách mời: 12");
        assert_eq!(
            history_words(Tr::new(Lang::En), "created"),
            "Event recorded"
        );
    }
}
