//! The editorial desk's pages: the list of items, the form (one for every
//! kind, showing the fields the kind has), an item's page with its
//! workflow steps and versions, and the preview of an item as a visitor
//! will see it. Each handler calls `app::publishing::content`, which checks
//! role and workflow.

use app::AppError;
use app::publishing::content::{self, ContentInput, Item, ListFilter, TransitionInput};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::pages::{Layout, page_err, render};

/// A field's name in words: the desk's own label, or the common one.
fn field_name(t: Tr, name: &str) -> String {
    t.get(&format!("content.field.{name}"))
        .map_or_else(|| t.field(name), str::to_owned)
}

/// Field errors as sentences: "Tiêu đề (tiếng Việt): Bắt buộc".
fn error_lines(t: Tr, errors: &[app::FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                field_name(t, &e.field),
                t.get(&format!("code.{}", e.code))
                    .unwrap_or(e.code.as_str())
            )
        })
        .collect()
}

fn options<T: Copy>(
    t: Tr,
    kind: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    selected: &str,
    empty: Option<&str>,
) -> Vec<(String, String, bool)> {
    let mut v = Vec::new();
    if let Some(e) = empty {
        v.push((String::new(), e.to_owned(), selected.is_empty()));
    }
    v.extend(all.iter().map(|x| {
        let c = code(*x);
        (c.to_owned(), t.label(kind, c), c == selected)
    }));
    v
}

// ---------------------------------------------------------------- list

/// The list's query string, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ListForm {
    q: String,
    kind: String,
    state: String,
}

struct RowView {
    id: i64,
    title: String,
    kind: String,
    state: String,
    number: String,
    english: bool,
    when: String,
    author: String,
}

#[derive(Template)]
#[template(path = "publishing/desk/list.html")]
struct ListPage {
    l: Layout,
    t: Tr,
    f: ListForm,
    kinds: Vec<(String, String, bool)>,
    states: Vec<(String, String, bool)>,
    new_kinds: Vec<(String, String, bool)>,
    rows: Vec<RowView>,
    errors: Vec<String>,
    can_propose: bool,
    can_newsletter: bool,
}

/// `GET /content`: the items on the desk.
pub async fn list(
    State(state): State<AppState>,
    user: User,
    Query(f): Query<ListForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(&user);
    let t = l.t;
    let filter = ListFilter {
        kind: f.kind.clone(),
        state: f.state.clone(),
        q: f.q.clone(),
    };
    let (rows, errors, status) = match content::list(&state.app, &user.actor, &filter).await {
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
            kind: t.label("content_kind", &r.kind),
            when: match r.state.as_str() {
                "scheduled" => r
                    .publish_at
                    .as_deref()
                    .map(|p| t.time(p))
                    .unwrap_or_default(),
                "published" => r
                    .published_at
                    .as_deref()
                    .map(|p| t.time(p))
                    .unwrap_or_default(),
                _ => t.time(&r.updated_at),
            },
            state: t.label("content_state", &r.state),
            title: r.title_vi,
            number: r.doc_number,
            english: r.has_en,
            author: r.created_by,
        })
        .collect();
    let any = t.s("content.any");
    let mut resp = render(&ListPage {
        kinds: options(
            t,
            "content_kind",
            domain::ContentKind::ALL,
            domain::ContentKind::code,
            f.kind.trim(),
            Some(any),
        ),
        states: options(
            t,
            "content_state",
            domain::ContentState::ALL,
            domain::ContentState::code,
            f.state.trim(),
            Some(any),
        ),
        new_kinds: options(
            t,
            "content_kind",
            domain::ContentKind::ALL,
            domain::ContentKind::code,
            "news",
            None,
        ),
        can_propose: content::may_propose(&user.actor),
        can_newsletter: app::access::authorize(&user.actor, app::access::Action::ContentEdit)
            .is_ok(),
        rows,
        errors,
        f,
        l,
        t,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

// ---------------------------------------------------------------- form

/// The form, every value as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContentForm {
    kind: String,
    category: String,
    tags: String,
    featured: String,
    title_vi: String,
    slug_vi: String,
    summary_vi: String,
    body_vi: String,
    audience_vi: String,
    steps_vi: String,
    documents_vi: String,
    fees_vi: String,
    processing_time_vi: String,
    authority_vi: String,
    authority_address_vi: String,
    title_en: String,
    slug_en: String,
    summary_en: String,
    body_en: String,
    audience_en: String,
    steps_en: String,
    documents_en: String,
    fees_en: String,
    processing_time_en: String,
    authority_en: String,
    authority_address_en: String,
    doc_number: String,
    doc_type: String,
    issuing_body: String,
    signed_on: String,
    effective_on: String,
    legal_status: String,
    scope: String,
    scope_country: String,
    field: String,
    online_url: String,
    replaces: String,
    amends: String,
    legal_basis: String,
    version: String,
}

fn numbers(text: &str) -> Vec<String> {
    text.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ContentForm {
    fn from_item(item: &Item, lang: Lang) -> Self {
        let i = content::to_input(item);
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let day = |v: &Option<String>| v.as_deref().map(domain::dates::show).unwrap_or_default();
        let list = |v: &Option<Vec<String>>| v.clone().unwrap_or_default().join("\n");
        Self {
            kind: s(&i.kind),
            category: s(&i.category),
            tags: s(&i.tags),
            featured: if item.featured {
                "on".into()
            } else {
                String::new()
            },
            title_vi: s(&i.title_vi),
            slug_vi: s(&i.slug_vi),
            summary_vi: s(&i.summary_vi),
            body_vi: s(&i.body_vi),
            audience_vi: s(&i.audience_vi),
            steps_vi: s(&i.steps_vi),
            documents_vi: s(&i.documents_vi),
            fees_vi: s(&i.fees_vi),
            processing_time_vi: s(&i.processing_time_vi),
            authority_vi: s(&i.authority_vi),
            authority_address_vi: s(&i.authority_address_vi),
            title_en: s(&i.title_en),
            slug_en: s(&i.slug_en),
            summary_en: s(&i.summary_en),
            body_en: s(&i.body_en),
            audience_en: s(&i.audience_en),
            steps_en: s(&i.steps_en),
            documents_en: s(&i.documents_en),
            fees_en: s(&i.fees_en),
            processing_time_en: s(&i.processing_time_en),
            authority_en: s(&i.authority_en),
            authority_address_en: s(&i.authority_address_en),
            doc_number: s(&i.doc_number),
            doc_type: s(&i.doc_type),
            issuing_body: s(&i.issuing_body),
            signed_on: day(&i.signed_on),
            effective_on: day(&i.effective_on),
            legal_status: s(&i.legal_status),
            scope: s(&i.scope),
            scope_country: if item.scope_country.is_empty() {
                String::new()
            } else {
                Tr::new(lang).label("country", &item.scope_country)
            },
            field: s(&i.field),
            online_url: s(&i.online_url),
            replaces: list(&i.replaces),
            amends: list(&i.amends),
            legal_basis: list(&i.legal_basis),
            version: item.version.to_string(),
        }
    }

    fn to_input(&self) -> ContentInput {
        let s = |v: &str| Some(v.to_owned());
        let en = |v: &str| (!v.trim().is_empty()).then(|| v.to_owned());
        ContentInput {
            kind: s(&self.kind),
            category: s(&self.category),
            tags: s(&self.tags),
            featured: Some(!self.featured.is_empty()),
            title_vi: s(&self.title_vi),
            slug_vi: s(&self.slug_vi),
            summary_vi: s(&self.summary_vi),
            body_vi: s(&self.body_vi),
            audience_vi: s(&self.audience_vi),
            steps_vi: s(&self.steps_vi),
            documents_vi: s(&self.documents_vi),
            fees_vi: s(&self.fees_vi),
            processing_time_vi: s(&self.processing_time_vi),
            authority_vi: s(&self.authority_vi),
            authority_address_vi: s(&self.authority_address_vi),
            title_en: en(&self.title_en),
            slug_en: en(&self.slug_en),
            summary_en: en(&self.summary_en),
            body_en: en(&self.body_en),
            audience_en: en(&self.audience_en),
            steps_en: en(&self.steps_en),
            documents_en: en(&self.documents_en),
            fees_en: en(&self.fees_en),
            processing_time_en: en(&self.processing_time_en),
            authority_en: en(&self.authority_en),
            authority_address_en: en(&self.authority_address_en),
            doc_number: s(&self.doc_number),
            doc_type: s(&self.doc_type),
            issuing_body: s(&self.issuing_body),
            signed_on: s(&self.signed_on),
            effective_on: s(&self.effective_on),
            legal_status: s(&self.legal_status),
            scope: s(&self.scope),
            scope_country: s(&self.scope_country),
            field: s(&self.field),
            online_url: s(&self.online_url),
            replaces: Some(numbers(&self.replaces)),
            amends: Some(numbers(&self.amends)),
            legal_basis: Some(numbers(&self.legal_basis)),
        }
    }
}

/// One field of the form.
struct FieldView {
    name: String,
    label: String,
    value: String,
    error: String,
    /// `text`, `select`, `textarea`, `markdown`, `checkbox`.
    kind: &'static str,
    options: Vec<(String, String, bool)>,
    hint: String,
}

/// A group of fields (the item, Vietnamese text, English text, ...).
struct Group {
    heading: String,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "publishing/desk/form.html")]
struct FormPage {
    l: Layout,
    t: Tr,
    heading: String,
    action: String,
    cancel: String,
    kind: String,
    groups: Vec<Group>,
    version: String,
    error: String,
}

#[allow(clippy::too_many_lines, reason = "the form's fields, kind by kind")]
fn form_page(
    user: &User,
    id: Option<i64>,
    f: &ContentForm,
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
    let field = |name: &str, value: &str, kind: &'static str| FieldView {
        name: name.to_owned(),
        label: field_name(t, name),
        value: value.to_owned(),
        error: err(name),
        kind,
        options: Vec::new(),
        hint: t
            .get(&format!("content.hint.{name}"))
            .unwrap_or_default()
            .to_owned(),
    };
    let select = |name: &str, options: Vec<(String, String, bool)>| FieldView {
        options,
        ..field(name, "", "select")
    };
    let kind = f.kind.as_str();
    let none = Some(t.s("content.none"));
    let mut item = Vec::new();
    if matches!(kind, "news" | "policy") {
        item.push(select(
            "category",
            options(
                t,
                "content_category",
                domain::ContentCategory::ALL,
                domain::ContentCategory::code,
                &f.category,
                none,
            ),
        ));
    }
    if kind == "legal_document" {
        item.push(field("doc_number", &f.doc_number, "text"));
        item.push(select(
            "doc_type",
            options(
                t,
                "doc_type",
                domain::DocType::ALL,
                domain::DocType::code,
                &f.doc_type,
                none,
            ),
        ));
        item.push(select(
            "issuing_body",
            options(
                t,
                "issuing_body",
                domain::IssuingBody::ALL,
                domain::IssuingBody::code,
                &f.issuing_body,
                none,
            ),
        ));
        item.push(field("signed_on", &f.signed_on, "text"));
        item.push(field("effective_on", &f.effective_on, "text"));
        let status = if f.legal_status.is_empty() {
            "in_force"
        } else {
            &f.legal_status
        };
        item.push(select(
            "legal_status",
            options(
                t,
                "legal_status",
                domain::LegalStatus::ALL,
                domain::LegalStatus::code,
                status,
                None,
            ),
        ));
        let scope = if f.scope.is_empty() {
            "vietnam"
        } else {
            &f.scope
        };
        item.push(select(
            "scope",
            options(
                t,
                "legal_scope",
                domain::LegalScope::ALL,
                domain::LegalScope::code,
                scope,
                None,
            ),
        ));
        item.push(field("scope_country", &f.scope_country, "text"));
        item.push(field("replaces", &f.replaces, "textarea"));
        item.push(field("amends", &f.amends, "textarea"));
    }
    if matches!(kind, "legal_document" | "procedure") {
        item.push(select(
            "field",
            options(
                t,
                "legal_field",
                domain::LegalField::ALL,
                domain::LegalField::code,
                &f.field,
                none,
            ),
        ));
    }
    if kind == "procedure" {
        item.push(field("online_url", &f.online_url, "text"));
        item.push(field("legal_basis", &f.legal_basis, "textarea"));
    }
    item.push(field("tags", &f.tags, "text"));
    item.push(FieldView {
        value: if f.featured.is_empty() {
            String::new()
        } else {
            "on".into()
        },
        ..field("featured", "", "checkbox")
    });
    let texts = |lang: &str| {
        let pick = |vi: &str, en: &str| {
            if lang == "vi" {
                vi.to_owned()
            } else {
                en.to_owned()
            }
        };
        let named = |name: &str| format!("{name}_{lang}");
        let mut g = vec![
            field(&named("title"), &pick(&f.title_vi, &f.title_en), "text"),
            field(&named("slug"), &pick(&f.slug_vi, &f.slug_en), "text"),
            field(
                &named("summary"),
                &pick(&f.summary_vi, &f.summary_en),
                "textarea",
            ),
        ];
        if kind == "procedure" {
            g.extend([
                field(
                    &named("audience"),
                    &pick(&f.audience_vi, &f.audience_en),
                    "textarea",
                ),
                field(&named("steps"), &pick(&f.steps_vi, &f.steps_en), "markdown"),
                field(
                    &named("documents"),
                    &pick(&f.documents_vi, &f.documents_en),
                    "markdown",
                ),
                field(&named("fees"), &pick(&f.fees_vi, &f.fees_en), "text"),
                field(
                    &named("processing_time"),
                    &pick(&f.processing_time_vi, &f.processing_time_en),
                    "text",
                ),
                field(
                    &named("authority"),
                    &pick(&f.authority_vi, &f.authority_en),
                    "text",
                ),
                field(
                    &named("authority_address"),
                    &pick(&f.authority_address_vi, &f.authority_address_en),
                    "text",
                ),
            ]);
        }
        g.push(field(
            &named("body"),
            &pick(&f.body_vi, &f.body_en),
            "markdown",
        ));
        g
    };
    let groups = vec![
        Group {
            heading: t.label("content_kind", kind),
            fields: item,
        },
        Group {
            heading: t.s("content.text_vi").to_owned(),
            fields: texts("vi"),
        },
        Group {
            heading: t.s("content.text_en").to_owned(),
            fields: texts("en"),
        },
    ];
    let (heading, action, cancel) = match id {
        Some(id) => (
            t.s("content.edit").to_owned(),
            format!("/content/{id}"),
            format!("/content/{id}"),
        ),
        None => (
            format!("{}: {}", t.s("content.new"), t.label("content_kind", kind)),
            "/content".to_owned(),
            "/content".to_owned(),
        ),
    };
    render(&FormPage {
        heading,
        action,
        cancel,
        kind: f.kind.clone(),
        groups,
        version: f.version.clone(),
        error,
        l,
        t,
    })
}

/// `?kind=` of the new form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    kind: String,
}

/// `GET /content/new?kind=news`: the empty form of a kind.
pub async fn new_form(user: User, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    if !content::may_propose(&user.actor) {
        return Err(PageError {
            err: AppError::Forbidden,
            lang: user.lang,
        });
    }
    let kind = if domain::ContentKind::from_code(q.kind.trim()).is_ok() {
        q.kind.trim().to_owned()
    } else {
        "news".to_owned()
    };
    let f = ContentForm {
        kind,
        ..ContentForm::default()
    };
    form_page(&user, None, &f, &[], String::new())
}

/// `POST /content`: writes the draft, or shows the form again.
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<ContentForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    match content::create(&state.app, &user.actor, &f.to_input()).await {
        Ok(item) => Ok(Redirect::to(&format!("/content/{}", item.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let mut f = f;
            if domain::ContentKind::from_code(&f.kind).is_err() {
                "news".clone_into(&mut f.kind);
            }
            let mut resp = form_page(&user, None, &f, &errors, t.s("error.invalid").to_owned())?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(err) => Err(PageError { err, lang }),
    }
}

/// `GET /content/{id}/edit`: the form with the stored values.
pub async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let item = content::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    if !content::may_edit(&user.actor, &item) {
        return Err(PageError {
            err: AppError::Forbidden,
            lang,
        });
    }
    form_page(
        &user,
        Some(id),
        &ContentForm::from_item(&item, lang),
        &[],
        String::new(),
    )
}

/// `POST /content/{id}`: saves when the version is current.
pub async fn update(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<ContentForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let result = content::update(&state.app, &user.actor, id, version, &f.to_input()).await;
    let (errors, message, status) = match result {
        Ok(_) => return Ok(Redirect::to(&format!("/content/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => (
            errors,
            t.s("error.invalid").to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(AppError::PreconditionFailed { .. }) => (
            Vec::new(),
            t.s("content.stale").to_owned(),
            StatusCode::CONFLICT,
        ),
        Err(err) => return Err(PageError { err, lang }),
    };
    let current = content::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let mut f = f;
    if status == StatusCode::CONFLICT {
        f = ContentForm::from_item(&current, lang);
    }
    f.kind.clone_from(&current.kind);
    let mut resp = form_page(&user, Some(id), &f, &errors, message)?;
    *resp.status_mut() = status;
    Ok(resp)
}

// ---------------------------------------------------------------- an item

struct VersionView {
    when: String,
    who: String,
    what: String,
    state: String,
}

/// A step's button.
struct StepView {
    step: &'static str,
    label: String,
    needs_time: bool,
}

#[derive(Template)]
#[template(path = "publishing/desk/show.html")]
struct ShowPage {
    l: Layout,
    t: Tr,
    id: i64,
    version: i64,
    title: String,
    facts: Vec<(String, String)>,
    can_edit: bool,
    steps: Vec<StepView>,
    versions: Vec<VersionView>,
    has_en: bool,
    public_url: String,
    refusal: Vec<String>,
    publish_at: String,
    /// The cover and the attachments (issue 24 §2–§4).
    cover: Option<super::file_views::CoverView>,
    files: Vec<super::file_views::FileView>,
}

/// `show_page` of an item by id, with lines saying what was refused.
pub(super) async fn show_with(
    state: &AppState,
    user: &User,
    id: i64,
    refusal: Vec<String>,
) -> Result<Response, PageError> {
    let item = content::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    show_page(state, user, &item, refusal, String::new()).await
}

/// A version's summary in words ("scheduled 2026-12-24T01:00:00Z" →
/// "Hẹn giờ đăng lúc 08:00 24/12/2026").
fn version_words(t: Tr, s: &str) -> String {
    if let Some(at) = s.strip_prefix("scheduled ") {
        return format!("{} {}", t.s("content.history.scheduled"), t.time(at));
    }
    let key = match s {
        "created" => "content.history.created",
        "updated" => "content.history.updated",
        "submitted" => "content.history.submitted",
        "returned" => "content.history.returned",
        "published" => "content.history.published",
        "published on schedule" => "content.history.published_on_schedule",
        "archived" => "content.history.archived",
        "restored" => "content.history.restored",
        _ => return s.to_owned(),
    };
    t.s(key).to_owned()
}

async fn show_page(
    state: &AppState,
    user: &User,
    item: &Item,
    refusal: Vec<String>,
    publish_at: String,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let l = Layout::for_user(user);
    let t = l.t;
    let versions = content::versions(&state.app, &user.actor, item.id)
        .await
        .map_err(page_err(lang))?
        .into_iter()
        .map(|v| VersionView {
            when: t.time(&v.changed_at),
            who: v.actor,
            what: version_words(t, &v.summary),
            state: t.label("content_state", &v.state),
        })
        .collect();
    let mut facts = vec![
        (field_name(t, "kind"), t.label("content_kind", &item.kind)),
        (
            field_name(t, "state"),
            t.label("content_state", &item.state),
        ),
    ];
    if let Some(at) = &item.publish_at {
        facts.push((field_name(t, "publish_at"), t.time(at)));
    }
    if let Some(at) = &item.published_at {
        facts.push((field_name(t, "published_at"), t.time(at)));
    }
    if !item.doc_number.is_empty() {
        facts.push((field_name(t, "doc_number"), item.doc_number.clone()));
    }
    facts.push((field_name(t, "slug_vi"), item.vi.text.slug.clone()));
    facts.push((
        field_name(t, "title_en"),
        item.en.as_ref().map_or_else(
            || t.s("content.no_english").to_owned(),
            |e| e.text.title.clone(),
        ),
    ));
    facts.push((field_name(t, "created_by"), item.created_by.clone()));
    let all_files = app::publishing::files::of_item(&state.app, item.id)
        .await
        .map_err(page_err(lang))?;
    let (cover, files) = super::file_views::views(t, &all_files, false);
    let steps = content::steps_allowed(&user.actor, item)
        .into_iter()
        .map(|s| StepView {
            step: s,
            label: t.s(&format!("content.step.{s}")).to_owned(),
            needs_time: s == "schedule",
        })
        .collect();
    render(&ShowPage {
        id: item.id,
        version: item.version,
        title: item.vi.text.title.clone(),
        facts,
        can_edit: content::may_edit(&user.actor, item),
        steps,
        versions,
        has_en: item.en.is_some(),
        public_url: if item.state == "published" {
            app::publishing::public::url(
                &item.kind,
                "vi",
                &item.vi.text.slug,
                item.published_at.as_deref(),
            )
        } else {
            String::new()
        },
        refusal,
        publish_at,
        cover,
        files,
        l,
        t,
    })
}

/// `GET /content/{id}`: an item on the desk.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let item = content::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    show_page(&state, &user, &item, Vec::new(), String::new()).await
}

/// The step form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    step: String,
    publish_at: String,
    version: String,
}

/// `POST /content/{id}/step`: a step of the workflow.
pub async fn step(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let input = TransitionInput {
        step: Some(f.step.clone()),
        publish_at: Some(f.publish_at.clone()),
    };
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let (lines, status) = match content::transition(&state.app, &user.actor, id, version, &input)
        .await
    {
        Ok(_) => return Ok(Redirect::to(&format!("/content/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => (error_lines(t, &errs), StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::PreconditionFailed { .. } | AppError::Conflict(_)) => {
            (vec![t.s("content.stale").to_owned()], StatusCode::CONFLICT)
        }
        Err(err) => return Err(PageError { err, lang }),
    };
    let item = content::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(lang))?;
    let mut resp = show_page(&state, &user, &item, lines, f.publish_at).await?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /content/{id}/preview/{lang}`: the item as a visitor will see it
/// (any state; never cached).
pub async fn preview(
    State(state): State<AppState>,
    user: User,
    Path((id, lang)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let item = content::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let lang: &'static str = match lang.as_str() {
        "en" if item.en.is_some() => "en",
        "vi" | "en" => "vi",
        _ => {
            return Err(PageError {
                err: AppError::NotFound,
                lang: user.lang,
            });
        }
    };
    let mut page = super::site::item_page(&state, &item, lang)
        .with_files(&state, item.id, false)
        .await?;
    page.s.preview = true;
    if page.date.is_empty() {
        page.date = page.t.s("content.not_published").to_owned();
    }
    render(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_in_words() {
        let vi = Tr::new(Lang::Vi);
        assert_eq!(
            version_words(vi, "scheduled 2026-12-24T01:00:00.000000Z"),
            "Hẹn giờ đăng lúc 08:00 24/12/2026"
        );
        assert_eq!(
            version_words(Tr::new(Lang::En), "published on schedule"),
            "Published at the scheduled time"
        );
    }
}
