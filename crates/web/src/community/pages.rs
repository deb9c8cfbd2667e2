//! Association pages: the list with its filters, the record page (leaders,
//! members, activities, history, merge), the create and edit forms and the
//! person picker. Each handler calls `app::community::associations`, which
//! checks role and reach.

use std::fmt::Write as _;

use app::AppError;
use app::community::associations::{
    self, ActivityInput, Association, AssociationInput, LeaderInput, ListFilter, MemberInput,
    MergeInput,
};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, page_err, render};

/// Associations per page of the list.
const PER_PAGE: usize = 50;

/// `(code, label, selected)` of a coded select, with an empty first option.
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

fn country_name(code: &str, lang: Lang) -> String {
    domain::geo::country(code).map_or_else(
        || code.to_owned(),
        |c| {
            if lang == Lang::En {
                c.name_en.to_owned()
            } else {
                c.name_vi.to_owned()
            }
        },
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Field errors as sentences: "Ngày: Ngày không hợp lệ".
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

// ---------------------------------------------------------------- list

/// The list's query string, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListForm {
    q: String,
    country: String,
    kind: String,
    status: String,
    member: String,
    page: String,
}

impl ListForm {
    fn url(&self, page: usize) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("country", &self.country),
            ("kind", &self.kind),
            ("status", &self.status),
            ("member", &self.member),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect();
        pairs.push(("page", page.to_string()));
        format!(
            "/associations?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

/// A row as shown.
struct RowView {
    id: i64,
    name: String,
    name_en: String,
    kind: String,
    country: String,
    city: String,
    status: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "community/associations/list.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    f: ListForm,
    kinds: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    rows: Vec<RowView>,
    total: usize,
    page: usize,
    pages: usize,
    prev_url: String,
    next_url: String,
    errors: Vec<String>,
    can_create: bool,
    of_person: bool,
}

/// `GET /associations`: the associations within reach, filtered, by name.
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ListForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(&user);
    let t = l.t;
    let filter = ListFilter {
        q: f.q.clone(),
        country: f.country.clone(),
        kind: f.kind.clone(),
        status: f.status.clone(),
        member: f.member.trim().parse().ok(),
    };
    let (rows, errors, status) = match associations::list(&state.app, &user.actor, &filter).await {
        Ok(rows) => (rows, Vec::new(), StatusCode::OK),
        Err(AppError::Invalid(errs)) => (
            Vec::new(),
            error_lines(t, &errs),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let total = rows.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = f.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let rows: Vec<RowView> = rows
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|r| RowView {
            id: r.id,
            kind: t.label("association_kind", &r.kind),
            country: country_name(&r.country, lang),
            status: t.label("association_status", &r.status),
            name: r.name,
            name_en: r.name_en,
            city: r.city,
            members: r.members,
        })
        .collect();
    let mut resp = render(&ListPage {
        kinds: options(
            t,
            "association_kind",
            associations::KINDS,
            f.kind.trim(),
            Some(t.s("associations.any")),
        ),
        statuses: options(
            t,
            "association_status",
            &["active", "inactive", "dissolved", "merged"],
            f.status.trim(),
            Some(t.s("associations.any")),
        ),
        prev_url: if page > 1 {
            f.url(page - 1)
        } else {
            String::new()
        },
        next_url: if page < pages {
            f.url(page + 1)
        } else {
            String::new()
        },
        can_create: associations::may_create(&user.actor),
        of_person: filter.member.is_some(),
        rows,
        total,
        page,
        pages,
        errors,
        f,
        l,
        t,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

// ---------------------------------------------------------------- picker

/// `GET /associations/pick/people?q=`: `<option>`s of people the user may
/// see whose name holds the words typed (the value names the person and
/// ends with their record number, which the forms read back).
pub async fn pick_people(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let text = q.into_iter().next().map(|kv| kv.1).unwrap_or_default();
    let found = associations::pick_people(&state.app, &user.actor, &text)
        .await
        .map_err(page_err(user.lang))?;
    let mut out = String::new();
    for p in found {
        let mut about = country_name(&p.country, user.lang);
        if let Some(y) = p.birth_year {
            let _ = write!(about, ", {y}");
        }
        let _ = write!(
            out,
            "<option value=\"{} · #{}\">{}</option>",
            escape(&p.full_name),
            p.id,
            escape(&about)
        );
    }
    Ok(Html(out).into_response())
}

/// The record number at the end of a picked value ("Nguyễn Văn An · #12"),
/// or a number typed alone.
fn person_ref(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let tail = t.rsplit_once('#').map_or(t, |(_, n)| n);
    Some(tail.trim().parse().unwrap_or(-1))
}

// ---------------------------------------------------------------- record page

struct LeaderView {
    id: i64,
    person_id: i64,
    name: String,
    position: String,
    term: String,
    visible: bool,
}

struct MemberView {
    person_id: i64,
    name: String,
    role: String,
    joined: String,
    country: String,
}

struct ActivityView {
    id: i64,
    day: String,
    title: String,
    description: String,
    participation: String,
}

struct HistoryView {
    when: String,
    who: String,
    what: String,
    restore: Option<super::restore::Button>,
}

/// What a form of the record page was refused for, shown beside it.
#[derive(Default)]
struct Refusal {
    /// `leaders`, `members`, `activities` or `merge`.
    section: &'static str,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "community/associations/show.html")]
struct ShowPage {
    l: Layout,
    t: Tr,
    a: Association,
    profile: Vec<(String, String)>,
    leaders: Vec<LeaderView>,
    members: Vec<MemberView>,
    activities: Vec<ActivityView>,
    history: Vec<HistoryView>,
    positions: Vec<(String, String, bool)>,
    member_roles: Vec<(String, String, bool)>,
    can_edit: bool,
    can_merge: bool,
    refusal: Refusal,
}

/// A version's summary in words ("member added #12" → "Thêm hội viên #12").
fn history_words(t: Tr, s: &str) -> String {
    if s == "created" {
        return t.s("association.history.created").to_owned();
    }
    if let Some(w) = super::restore::restored_words(t, s) {
        return w;
    }
    if let Some(fields) = s.strip_prefix("updated: ") {
        let names: Vec<String> = fields.split(", ").map(|f| t.field(f)).collect();
        return format!(
            "{}: {}",
            t.s("association.history.updated"),
            names.join(", ")
        );
    }
    let numbered = [
        ("member added #", t.s("association.history.member_added")),
        (
            "member changed #",
            t.s("association.history.member_changed"),
        ),
        (
            "member removed #",
            t.s("association.history.member_removed"),
        ),
        ("leader added #", t.s("association.history.leader_added")),
        (
            "leader removed #",
            t.s("association.history.leader_removed"),
        ),
        (
            "activity added #",
            t.s("association.history.activity_added"),
        ),
        (
            "activity removed #",
            t.s("association.history.activity_removed"),
        ),
        ("merged into #", t.s("association.history.merged_into")),
        ("merged in #", t.s("association.history.merged_in")),
    ];
    for (prefix, words) in numbered {
        if let Some(n) = s.strip_prefix(prefix) {
            return format!("{words} #{n}");
        }
    }
    s.to_owned()
}

async fn show_page(
    state: &AppState,
    user: &User,
    a: Association,
    refusal: Refusal,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(user);
    let t = l.t;
    let versions = associations::history(&state.app, &user.actor, a.id)
        .await
        .map_err(page_err(lang))?;
    let buttons = super::restore::buttons(
        super::restore::Kind::Association,
        a.id,
        a.version,
        a.status != "merged" && associations::may_edit(&user.actor),
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
    let day = |d: &Option<String>| d.as_deref().map(domain::dates::show).unwrap_or_default();
    let profile = vec![
        (t.field("name_en"), a.name_en.clone()),
        (t.field("kind"), t.label("association_kind", &a.kind)),
        (t.field("country"), country_name(&a.country, lang)),
        (t.field("city"), a.city.clone()),
        (t.field("founded_on"), day(&a.founded_on)),
        (t.field("status"), t.label("association_status", &a.status)),
        (t.field("contact_name"), a.contact_name.clone()),
        (t.field("phone"), a.phone.clone()),
        (t.field("email"), a.email.clone()),
        (t.field("website"), a.website.clone()),
        (t.field("address"), a.address.clone()),
        (t.field("notes"), a.notes.clone()),
    ];
    let leaders = a
        .leaders
        .iter()
        .map(|x| LeaderView {
            id: x.id,
            person_id: x.person_id,
            name: x.person_name.clone(),
            position: t.label("association_position", &x.position),
            term: format!(
                "{} – {}",
                day(&x.term_start),
                x.term_end.as_deref().map_or_else(
                    || t.s("associations.term_now").to_owned(),
                    |e| { domain::dates::show(e) }
                )
            ),
            visible: x.person_visible,
        })
        .collect();
    let members = a
        .members
        .iter()
        .map(|m| MemberView {
            person_id: m.person_id,
            name: m.full_name.clone(),
            role: t.label("member_role", &m.role),
            joined: day(&m.joined_on),
            country: country_name(&m.country, lang),
        })
        .collect();
    let activities = a
        .activities
        .iter()
        .map(|x| ActivityView {
            id: x.id,
            day: domain::dates::show(&x.held_on),
            title: x.title.clone(),
            description: x.description.clone(),
            participation: x.province_participation.clone(),
        })
        .collect();
    let live = a.status != "merged";
    render(&ShowPage {
        positions: options(t, "association_position", associations::POSITIONS, "", None),
        member_roles: options(t, "member_role", associations::MEMBER_ROLES, "member", None),
        can_edit: live && associations::may_edit(&user.actor),
        can_merge: live && associations::may_merge(&user.actor),
        profile,
        leaders,
        members,
        activities,
        history,
        refusal,
        a,
        l,
        t,
    })
}

/// `GET /associations/{id}`: the record page (the view is audited).
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let a = associations::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    show_page(&state, &user, a, Refusal::default()).await
}

/// After a form of the record page: back to its section, or the page again
/// with the reasons beside the form (422; 409 for a merged record).
async fn after_change(
    state: &AppState,
    user: &User,
    id: i64,
    section: &'static str,
    result: Result<Association, AppError>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let (lines, status) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/associations/{id}#{section}")).into_response()),
        Err(AppError::Invalid(errs)) => (error_lines(t, &errs), StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Conflict(_)) => (
            vec![t.s("associations.merged_record").to_owned()],
            StatusCode::CONFLICT,
        ),
        Err(AppError::PreconditionFailed { .. }) => (
            vec![t.s("associations.stale").to_owned()],
            StatusCode::CONFLICT,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let a = associations::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let mut resp = show_page(state, user, a, Refusal { section, lines }).await?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// The member form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    person: String,
    role: String,
    joined_on: String,
}

/// `POST /associations/{id}/members`: adds a member (or changes one).
pub async fn add_member(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Result<Response, PageError> {
    let input = MemberInput {
        person_id: person_ref(&f.person),
        role: Some(f.role),
        joined_on: Some(f.joined_on),
    };
    let r = associations::add_member(&state.app, &user.actor, id, &input).await;
    after_change(&state, &user, id, "members", r).await
}

/// `POST /associations/{id}/members/{person_id}/delete`: ends a membership.
pub async fn remove_member(
    State(state): State<AppState>,
    user: User,
    Path((id, person_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let r = associations::remove_member(&state.app, &user.actor, id, person_id).await;
    after_change(&state, &user, id, "members", r).await
}

/// The leader form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LeaderForm {
    person: String,
    position: String,
    term_start: String,
    term_end: String,
}

/// `POST /associations/{id}/leaders`: adds a leader.
pub async fn add_leader(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<LeaderForm>,
) -> Result<Response, PageError> {
    let input = LeaderInput {
        person_id: person_ref(&f.person),
        position: Some(f.position),
        term_start: Some(f.term_start),
        term_end: Some(f.term_end),
    };
    let r = associations::add_leader(&state.app, &user.actor, id, &input).await;
    after_change(&state, &user, id, "leaders", r).await
}

/// `POST /associations/{id}/leaders/{leader_id}/delete`: removes a leader entry.
pub async fn remove_leader(
    State(state): State<AppState>,
    user: User,
    Path((id, leader_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let r = associations::remove_leader(&state.app, &user.actor, id, leader_id).await;
    after_change(&state, &user, id, "leaders", r).await
}

/// The activity form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    held_on: String,
    title: String,
    description: String,
    province_participation: String,
}

/// `POST /associations/{id}/activities`: records an activity.
pub async fn add_activity(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ActivityForm>,
) -> Result<Response, PageError> {
    let input = ActivityInput {
        held_on: Some(f.held_on),
        title: Some(f.title),
        description: Some(f.description),
        province_participation: Some(f.province_participation),
    };
    let r = associations::add_activity(&state.app, &user.actor, id, &input).await;
    after_change(&state, &user, id, "activities", r).await
}

/// `POST /associations/{id}/activities/{activity_id}/delete`: removes an activity.
pub async fn remove_activity(
    State(state): State<AppState>,
    user: User,
    Path((id, activity_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let r = associations::remove_activity(&state.app, &user.actor, id, activity_id).await;
    after_change(&state, &user, id, "activities", r).await
}

/// The merge form: the record to merge into this one, and this one's version.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MergeForm {
    merged_id: String,
    version: String,
}

/// `POST /associations/{id}/merge`: merges another record into this one.
pub async fn merge(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, PageError> {
    let merged_id = f
        .merged_id
        .trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .unwrap_or(-1);
    let r = if merged_id < 1 {
        Err(AppError::invalid_field("merged_id", "invalid_number"))
    } else {
        let input = MergeInput {
            kept_id: id,
            merged_id,
            kept_version: f.version.trim().parse().unwrap_or(-1),
            // The officer names the other record by its number on the page
            // they read: whatever version it has now is the one merged.
            merged_version: app::registry::ANY_VERSION,
        };
        match associations::merge(&state.app, &user.actor, &input).await {
            // The other record outside reach or gone: said beside the form.
            Err(AppError::NotFound) => Err(AppError::invalid_field("merged_id", "invalid_value")),
            other => other,
        }
    };
    after_change(&state, &user, id, "merge", r).await
}

// ---------------------------------------------------------------- forms

/// The association form, every value as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssociationForm {
    name: String,
    name_en: String,
    kind: String,
    country: String,
    city: String,
    founded_on: String,
    status: String,
    contact_name: String,
    phone: String,
    email: String,
    website: String,
    address: String,
    notes: String,
    version: String,
}

impl AssociationForm {
    fn from_association(a: &Association, lang: Lang) -> Self {
        Self {
            name: a.name.clone(),
            name_en: a.name_en.clone(),
            kind: a.kind.clone(),
            country: country_name(&a.country, lang),
            city: a.city.clone(),
            founded_on: a
                .founded_on
                .as_deref()
                .map(domain::dates::show)
                .unwrap_or_default(),
            status: a.status.clone(),
            contact_name: a.contact_name.clone(),
            phone: a.phone.clone(),
            email: a.email.clone(),
            website: a.website.clone(),
            address: a.address.clone(),
            notes: a.notes.clone(),
            version: a.version.to_string(),
        }
    }

    fn to_input(&self) -> AssociationInput {
        let s = |v: &str| Some(v.to_owned());
        AssociationInput {
            name: s(&self.name),
            name_en: s(&self.name_en),
            kind: s(&self.kind),
            country: s(&self.country),
            city: s(&self.city),
            founded_on: s(&self.founded_on),
            status: s(&self.status),
            contact_name: s(&self.contact_name),
            phone: s(&self.phone),
            email: s(&self.email),
            website: s(&self.website),
            address: s(&self.address),
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
#[template(path = "community/associations/form.html")]
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
    f: &AssociationForm,
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
    let text = |name: &'static str, value: &str, hint: &str| FieldView {
        name,
        label: t.field(name),
        value: value.to_owned(),
        error: err(name),
        kind: "text",
        options: Vec::new(),
        hint: hint.to_owned(),
    };
    let kind = if f.kind.is_empty() {
        "hometown"
    } else {
        f.kind.as_str()
    };
    let status = if f.status.is_empty() {
        "active"
    } else {
        f.status.as_str()
    };
    let fields = vec![
        text("name", &f.name, ""),
        text("name_en", &f.name_en, ""),
        FieldView {
            kind: "select",
            options: options(t, "association_kind", associations::KINDS, kind, None),
            ..text("kind", "", "")
        },
        FieldView {
            kind: "country",
            ..text("country", &f.country, "")
        },
        text("city", &f.city, ""),
        text("founded_on", &f.founded_on, t.s("common.partial_date_hint")),
        FieldView {
            kind: "select",
            options: options(
                t,
                "association_status",
                associations::STATUSES,
                status,
                None,
            ),
            ..text("status", "", "")
        },
        text("contact_name", &f.contact_name, ""),
        text("phone", &f.phone, ""),
        text("email", &f.email, ""),
        text("website", &f.website, ""),
        text("address", &f.address, ""),
        FieldView {
            kind: "textarea",
            ..text("notes", &f.notes, "")
        },
    ];
    let (heading, action, cancel) = match id {
        Some(id) => (
            t.s("associations.edit").to_owned(),
            format!("/associations/{id}"),
            format!("/associations/{id}"),
        ),
        None => (
            t.s("associations.new").to_owned(),
            "/associations".to_owned(),
            "/associations".to_owned(),
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

/// `GET /associations/new`: the empty form.
pub async fn new_form(user: User) -> Result<Response, PageError> {
    if !associations::may_create(&user.actor) {
        return Err(PageError {
            err: AppError::Forbidden,
            lang: user.lang,
        });
    }
    form_page(&user, None, &AssociationForm::default(), &[], String::new())
}

/// `POST /associations`: records the association, or shows the form again.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<AssociationForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    match associations::create(&state.app, &user.actor, &f.to_input()).await {
        Ok(a) => Ok(Redirect::to(&format!("/associations/{}", a.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut resp = form_page(&user, None, &f, &errors, t.s("error.invalid").to_owned())?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(err) => Err(PageError { err, lang }),
    }
}

/// `GET /associations/{id}/edit`: the form with the stored values.
pub async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let a = associations::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    if !associations::may_edit(&user.actor) {
        return Err(PageError {
            err: AppError::Forbidden,
            lang,
        });
    }
    if a.status == "merged" {
        return Ok(Redirect::to(&format!("/associations/{id}")).into_response());
    }
    form_page(
        &user,
        Some(id),
        &AssociationForm::from_association(&a, lang),
        &[],
        String::new(),
    )
}

/// `POST /associations/{id}`: saves when the version is current; otherwise
/// shows the form again (with the stored values when someone saved first).
pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<AssociationForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let result = associations::update(&state.app, &user.actor, id, version, &f.to_input()).await;
    let (errors, message, status) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/associations/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => (
            errors,
            t.s("error.invalid").to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::PreconditionFailed { .. }) => (
            Vec::new(),
            t.s("associations.stale").to_owned(),
            StatusCode::CONFLICT,
        ),
        Err(AppError::Conflict(_)) => (
            Vec::new(),
            t.s("associations.merged_record").to_owned(),
            StatusCode::CONFLICT,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let mut f = f;
    if status == StatusCode::CONFLICT {
        let a = associations::get(&state.app, &user.actor, id)
            .await
            .map_err(page_err(lang))?;
        f = AssociationForm::from_association(&a, lang);
    }
    let mut resp = form_page(&user, Some(id), &f, &errors, message)?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picked_person_is_read_back_by_number() {
        assert_eq!(person_ref("Nguyễn Văn An · #12"), Some(12));
        assert_eq!(person_ref(" 7 "), Some(7));
        assert_eq!(person_ref("Nguyễn Văn An"), Some(-1));
        assert_eq!(person_ref(""), None);
    }

    #[test]
    fn history_reads_in_words() {
        let vi = Tr::new(Lang::Vi);
        assert_eq!(history_words(vi, "member added #3"), "Thêm hội viên #3");
        assert_eq!(
            history_words(vi, "updated: name, city"),
            "Sửa: Tên, Thành phố"
        );
        assert_eq!(
            history_words(Tr::new(Lang::En), "created"),
            "Record created"
        );
    }
}
