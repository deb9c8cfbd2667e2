//! The OpenAPI document of the JSON API (`GET /api/openapi.json`) and its
//! Swagger UI page (`GET /api/docs`, vendored `swagger-ui-dist`).
//!
//! Both are `Access::Public`: the document is the API's contract (paths,
//! schemas, error shapes) and holds no personal data, no configuration and
//! no secret; integrators need it before they hold a token, and every
//! operation it describes still demands a bearer token with the right
//! scope and role. The Swagger page fetches the document without
//! credentials, so it could not be behind `Token`.
//!
//! Paths are described next to their handlers (`#[utoipa::path]` in
//! `registry::api`); the two routes owned by other modules (`/api/v1/me`,
//! `/api/v1/audit`) are described here by documentation-only functions.
//! The `openapi` integration test checks that every `/api/v1/` route of
//! [`crate::routes::table`] is in the document, so it cannot drift.

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

pub use crate::problems::{
    FieldErrorDoc, Forbidden, IfMatchRequired, Invalid, NotFound, ProblemDoc, Stale, Unauthorized,
};
use crate::{intake, registry};

/// Who a token belongs to (`GET /api/v1/me`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Me)]
pub struct MeDoc {
    pub username: String,
    /// `admin`, `province_officer`, `commune_officer`, `agency`, `mission`,
    /// `association`, `diaspora` or `viewer`.
    pub role: String,
    /// `read`, `write`, `admin`.
    pub scopes: Vec<String>,
    /// The account's own e-mail address for reminders and escalations
    /// (issue 23 §7); `null` without one.
    pub email: Option<String>,
    /// The language of the messages sent to it: `vi` or `en`.
    pub mail_lang: String,
}

/// One audit log entry (hash-chained).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditEntry)]
pub struct AuditEntryDoc {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub ip: String,
    /// `person.view`, `person.update`, `household.create`, ...
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON details (never the record's personal data).
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Filters of `GET /api/v1/audit`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Actor's user name.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    /// Cursor: entries with a smaller id.
    pub before: Option<i64>,
}

/// Documentation of `GET /api/v1/me` (served by `accounts::api::me`).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    responses(
        (status = 200, description = "The token's owner, role and scopes.", body = MeDoc),
        (status = 401, response = Unauthorized),
    ),
    security(("bearer" = []))
)]
pub fn me_doc() {}

/// Documentation of `GET /api/v1/audit` (served by `accounts::api::api_audit`).
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(AuditParams),
    responses(
        (status = 200, description = "Up to 200 audit entries, newest first.", body = Vec<AuditEntryDoc>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
    security(("bearer" = []))
)]
pub fn audit_doc() {}

/// One search result (`GET /api/v1/search`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SearchHit)]
pub struct SearchHitDoc {
    pub id: i64,
    pub full_name: String,
    /// Higher is better; results come best first.
    pub score: u64,
    /// `identifier`, `exact`, `folded`, `reordered`, `partial` or `fuzzy`.
    pub kind: String,
    /// `full_name`, `other_name`, `passport_no`, `email` or `phone`.
    pub matched_field: String,
    pub matched_other_name: Option<String>,
    /// Matched parts as `[start, end)` offsets in Unicode characters.
    pub highlight: Vec<[usize; 2]>,
    pub other_names: Vec<String>,
    pub gender: String,
    pub birth_date: Option<String>,
    pub category: String,
    pub generation: Option<String>,
    pub country: String,
    pub city_abroad: String,
    pub hometown_text: String,
}

/// What the query's own words narrowed the name search by: a birth year or
/// date ("Hiền 1979", "An 12/03/1979") and a country ("Hiền Nhật Bản",
/// "Lan, CHLB Đức"), besides the filters.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SearchNarrowed)]
pub struct SearchNarrowedDoc {
    /// The birth year, or the two a two-digit year may mean (1979 and
    /// 2079 for "79"); empty when the query named none.
    pub birth_years: Vec<u16>,
    pub birth_month: Option<u8>,
    pub birth_day: Option<u8>,
    /// ISO 3166-1 alpha-2 of a country named in the query.
    pub country: Option<String>,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SearchPage)]
pub struct SearchPageDoc {
    pub total: usize,
    /// True when there are more than `total` ("more than N").
    pub total_is_lower_bound: bool,
    pub items: Vec<SearchHitDoc>,
    pub narrowed: SearchNarrowedDoc,
}

/// Query of `GET /api/v1/search`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Any fragment of a name (any order, with or without diacritics, one
    /// typo, Telex/VNI/VIQR keystrokes), another name, a passport number, a
    /// phone in any format, an email. A birth year or date (`1979`,
    /// `12/03/1979`, `1/3/79`) and a country (`Nhật Bản`, `Mỹ`, `CHLB Đức`,
    /// `USA`; after a comma, or a word no name holds) in the text narrow the
    /// name search; see `narrowed` in the answer. Empty: no results.
    pub q: Option<String>,
    pub limit: Option<i64>,
    /// New commune code.
    pub commune: Option<String>,
    pub legacy_commune: Option<String>,
    pub legacy_district: Option<String>,
    #[param(schema_with = app::api_schema::country)]
    pub country: Option<String>,
    #[param(schema_with = app::api_schema::category)]
    pub category: Option<String>,
    #[param(schema_with = app::api_schema::generation)]
    pub generation: Option<String>,
    pub tag: Option<String>,
    #[param(schema_with = app::api_schema::person_status)]
    pub status: Option<String>,
    #[param(schema_with = app::api_schema::verification)]
    pub verification: Option<String>,
    #[param(schema_with = app::api_schema::agency)]
    pub agency: Option<String>,
    pub survey_round: Option<String>,
    /// A consent given through the portal: `news:given`, `keep_record:withdrawn`,
    /// `directory:none` (never asked)...
    #[param(schema_with = app::api_schema::consent_filter)]
    pub consent: Option<String>,
}

/// Documentation of `GET /api/v1/search` (served by `registry::api::search`).
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Best first, within the caller's jurisdiction, sensitive fields masked.", body = SearchPageDoc),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = []))
)]
pub fn search_doc() {}

/// An import of an agency's list.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Import)]
pub struct ImportDoc {
    pub id: i64,
    /// The agency: `police`, `fatherland_front`, `justice`, `labour`, ...
    pub source: String,
    pub survey_round: String,
    pub file_name: String,
    pub sheet: String,
    /// `reading`, `validating`, `validated`, `committing`, `committed`,
    /// `undone`, `checked` (dry run) or `failed`.
    pub status: String,
    pub progress_done: i64,
    pub progress_total: i64,
    pub total_rows: i64,
    pub valid_rows: i64,
    pub error_rows: i64,
    pub warning_rows: i64,
    pub created_persons: i64,
    /// Why the file was refused (`import.decompressed_too_large|LIMIT`, ...).
    pub failure: String,
    pub created_by_name: String,
    pub created_at: String,
    pub committed_at: Option<String>,
    pub undone_at: Option<String>,
    pub undo_report: String,
    /// The file's header row.
    pub headers: Vec<String>,
    /// For each column, the field it fills (`""`: ignored).
    pub mapping: Vec<String>,
    /// Matching against the registry after commit: `""`, `running`, `done`, `failed`.
    pub match_status: String,
    /// Imported people not like anyone else.
    pub match_new: i64,
    /// Imported people very likely already registered (pairs queued with `found_by` = `import:ID`).
    pub match_same: i64,
    /// Imported people possibly already registered (pairs queued for review).
    pub match_possible: i64,
    /// Imported people merged into their registered record (`?auto_merge=true` on commit).
    pub match_merged: i64,
    /// Every sheet of the file (none for a CSV); `sheet` is the one read.
    pub sheets: Vec<String>,
    /// The (first) header row, as the spreadsheet numbers it (0: not read yet).
    pub header_row: i64,
    /// 1, or 2 for a header on two rows (merged cells).
    pub header_rows: i64,
    /// The first rows of the sheet with text: `[row number, first cells]`, to choose another header row.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub head_rows: Vec<(u32, String)>,
}

/// A message about one row or cell of an import.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ImportMessage)]
pub struct ImportMessageDoc {
    /// 0-based column in the file, when the message is about a cell.
    pub column: Option<usize>,
    pub field: String,
    pub code: String,
    pub arg: Option<String>,
}

/// One row of the validation report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ImportRow)]
pub struct ImportRowDoc {
    pub row_no: i64,
    pub cells: Vec<String>,
    pub errors: Vec<ImportMessageDoc>,
    pub warnings: Vec<ImportMessageDoc>,
}

/// What an undo did.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ImportUndo)]
pub struct ImportUndoDoc {
    pub removed: i64,
    /// People edited after the import: kept.
    pub kept_edited: Vec<i64>,
}

/// Query of `POST /api/v1/imports`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    #[param(inline, value_type = app::api_schema::ImportSource)]
    pub source: String,
    pub survey_round: Option<String>,
    /// The file's name (its extension tells .ods from .xlsx).
    pub file_name: Option<String>,
}

/// Documentation of `POST /api/v1/imports` (served by `intake::api::imports::api_upload`).
#[utoipa::path(
    post,
    path = "/api/v1/imports",
    tag = "imports",
    params(ImportParams),
    request_body(content = Vec<u8>, description = "The file: xlsx, xls, ods or csv (UTF-8, UTF-16, Windows-1258).", content_type = "application/octet-stream"),
    responses(
        (status = 202, description = "Recorded; reading and validation run in the background. Poll the import.", body = ImportDoc),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = []))
)]
pub fn import_upload_doc() {}

/// Documentation of `GET /api/v1/imports/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}",
    tag = "imports",
    params(("id" = i64, Path, description = "Import id")),
    responses(
        (status = 200, description = "The import and its progress.", body = ImportDoc),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = []))
)]
pub fn import_get_doc() {}

/// Documentation of `GET /api/v1/imports/{id}/rows`.
#[utoipa::path(
    get,
    path = "/api/v1/imports/{id}/rows",
    tag = "imports",
    params(
        ("id" = i64, Path, description = "Import id"),
        ("problems" = Option<bool>, Query, description = "Only rows with errors or warnings"),
        ("limit" = Option<i64>, Query, description = "At most this many rows (default 1000)"),
    ),
    responses(
        (status = 200, description = "The validation report.", body = Vec<ImportRowDoc>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ),
    security(("bearer" = []))
)]
pub fn import_rows_doc() {}

/// Documentation of `POST /api/v1/imports/{id}/commit`.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/commit",
    tag = "imports",
    params(("id" = i64, Path, description = "Import id"),
           ("auto_merge" = Option<bool>, Query, description = "Merge the imported people very likely already registered into their records (roles that may merge).")),
    responses(
        (status = 202, description = "Writing the valid rows in one transaction, in the background; poll for `committed`.", body = ImportDoc),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, description = "Not validated (or already committed).", content_type = "application/problem+json", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub fn import_commit_doc() {}

/// Documentation of `POST /api/v1/imports/{id}/layout`.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/layout",
    tag = "imports",
    params(("id" = i64, Path, description = "Import id"),
           ("sheet" = Option<String>, Query, description = "The sheet to read (one of the import's `sheets`)."),
           ("header_row" = Option<u32>, Query, description = "The header row as the spreadsheet numbers it (default: found).")),
    responses(
        (status = 202, description = "Reading the file again in the background: headers, mapping and rows are derived again and validated; poll for `validated`.", body = ImportDoc),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Not validated, or already committed (the file is no longer kept).", content_type = "application/problem+json", body = ProblemDoc),
        (status = 422, response = Invalid),
    ),
    security(("bearer" = []))
)]
pub fn import_layout_doc() {}

/// Documentation of `POST /api/v1/imports/{id}/undo`.
#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/undo",
    tag = "imports",
    params(("id" = i64, Path, description = "Import id")),
    responses(
        (status = 200, description = "The people the import created are removed, except those edited since.", body = ImportUndoDoc),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, description = "Not committed.", content_type = "application/problem+json", body = ProblemDoc),
    ),
    security(("bearer" = []))
)]
pub fn import_undo_doc() {}

/// One published count.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PublicCell)]
pub struct PublicCellDoc {
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
    /// Null when under `min_cell` (suppressed).
    pub count: Option<i64>,
}

/// The public statistics.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PublicStatistics)]
pub struct PublicStatisticsDoc {
    pub total: i64,
    pub total_is_rounded: bool,
    pub by_country: Vec<PublicCellDoc>,
    pub by_category: Vec<PublicCellDoc>,
    pub min_cell: i64,
}

/// Documentation of `GET /api/v1/public/statistics` (no token).
#[utoipa::path(
    get,
    path = "/api/v1/public/statistics",
    tag = "public",
    responses(
        (status = 200, description = "Counts by country and by category; cells under 5 suppressed. No sign-in.", body = PublicStatisticsDoc),
    )
)]
pub fn public_statistics_doc() {}

/// Adds the bearer-token scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Adds to every operation of the JSON API the errors any of them may
/// answer — 400 (a path or query parameter that cannot be read), 429 (over
/// the caller's limit), 403 behind a token (a role or scope that does not
/// allow it), and for a request with a body 413 (larger than the server
/// accepts) — each problem+json, unless the operation names them.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for (path, item) in &mut openapi.paths.paths {
            let behind_token = !path.starts_with("/api/v1/public/");
            let ops = [
                (&mut item.get, false),
                (&mut item.delete, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
            ];
            for (op, with_body) in ops {
                let Some(op) = op.as_mut() else { continue };
                let mut add = |status: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                };
                add(
                    "400",
                    "A path or query parameter cannot be read (`invalid_parameter`, the parameter in `errors`).",
                );
                add(
                    "429",
                    "Over the caller's request limit (`rate_limited`); see `Retry-After`.",
                );
                // Every operation behind a token may refuse a role or a scope.
                if behind_token {
                    add(
                        "403",
                        "The token's role or scopes do not allow this (`forbidden`).",
                    );
                }
                if with_body {
                    add(
                        "413",
                        "The body is larger than the server accepts (`body_too_large`).",
                    );
                }
            }
        }
    }
}

/// The document (in a module of its own: the derive's generated code trips a lint).
#[allow(clippy::needless_for_each, reason = "in utoipa's generated code")]
mod doc {
    use super::{
        __path_audit_doc, __path_import_commit_doc, __path_import_get_doc,
        __path_import_layout_doc, __path_import_rows_doc, __path_import_undo_doc,
        __path_import_upload_doc, __path_me_doc, __path_public_statistics_doc, __path_search_doc,
    };
    use super::{
        BearerAuth, CommonErrors, FieldErrorDoc, Forbidden, IfMatchRequired, Invalid, NotFound,
        OpenApi, ProblemDoc, Stale, Unauthorized, intake, registry,
    };

    /// The document.
    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "Kiều Bào API",
            version = "1",
            description = "Registry of the province's people abroad (kiều bào), their relatives and households at home.\n\n\
                Authentication: `Authorization: Bearer TOKEN` (tokens are made on the profile page; scopes `read`, `write`, `admin`). \
                Every answer is limited to the caller's jurisdiction; records outside it answer 404. Sensitive fields are masked unless revealed (audited).\n\n\
                Errors are `application/problem+json` with a stable `code` and, for refused input, one entry per field in `errors`. \
                Unknown fields in a body are refused.\n\n\
                Concurrency: reads answer an `ETag` (the record's version); `PATCH` needs `If-Match` with it, answers 428 without it and 412 when someone else saved first.\n\n\
                Paging: lists are ordered by id; pass the page's `next` as `after` for the following page (cursor pagination)."
        ),
        paths(
            registry::api::list,
            registry::api::create,
            registry::api::read,
            registry::api::update,
            registry::api::delete,
            registry::api::relatives,
            registry::api::history,
            registry::api::add_relative,
            registry::api::relative_update,
            registry::api::relative_delete,
            registry::api::households,
            registry::api::household_create,
            registry::api::household_read,
            registry::api::household_update,
            registry::api::custom_fields,
            registry::api::restore,
            registry::api::undelete,
            registry::api::custom_field_define,
            me_doc,
            audit_doc,
            search_doc,
            import_upload_doc,
            import_get_doc,
            import_rows_doc,
            import_commit_doc,
            import_layout_doc,
            import_undo_doc,
            public_statistics_doc,
            intake::api::review::api_scan,
            intake::api::review::api_scan_job,
            intake::api::review::api_pairs,
            intake::api::review::api_pair,
            intake::api::review::api_decide,
            intake::api::review::api_merge,
            intake::api::review::api_merges,
            intake::api::review::api_unmerge,
            intake::api::reconcile::api_reconcile,
            intake::api::reconcile::api_visit_list,
            intake::api::reconcile::api_visit_list_docx,
            intake::api::reconcile::api_visit,
            intake::api::reconcile::api_growth,
            intake::api::reconcile::api_plan,
            intake::api::reconcile::api_declare,
            intake::api::reconcile::api_round,
            intake::api::reconcile::api_sign_off,
            crate::stats::api::api_pivot,
            crate::stats::api::api_reports,
            crate::community::api::list,
            crate::community::api::create,
            crate::community::api::read,
            crate::community::api::update,
            crate::community::api::history,
            crate::community::api::merge,
            crate::community::api::members,
            crate::community::api::member_add,
            crate::community::api::member_remove,
            crate::community::api::leaders,
            crate::community::api::leader_add,
            crate::community::api::leader_remove,
            crate::community::api::activities,
            crate::community::api::activity_add,
            crate::community::api::activity_remove,
            crate::community::events::api::list,
            crate::community::events::api::create,
            crate::community::events::api::read,
            crate::community::events::api::update,
            crate::community::events::api::history,
            crate::community::events::api::invitees,
            crate::community::events::api::invitees_add,
            crate::community::events::api::invitee_change,
            crate::community::events::api::invitee_remove,
            crate::community::events::api::invitees_xlsx,
            crate::community::events::api::letters,
            crate::community::events::api::letters_template,
            crate::community::experts::api_visits,
            crate::community::experts::api_read,
            crate::community::experts::api_set,
            crate::community::experts::api_visit_add,
            crate::community::commendations::api_list,
            crate::community::commendations::api_propose,
            crate::community::commendations::api_decide,
            crate::community::restore::association_api,
            crate::community::restore::enterprise_api,
            crate::community::restore::project_api,
            crate::community::restore::contribution_api,
            crate::community::restore::event_api,
            crate::community::reports::api,
            crate::community::imports::associations_api,
            crate::community::imports::projects_api,
            crate::community::imports::contributions_api,
            crate::community::invest_api::enterprise_list,
            crate::community::invest_api::enterprise_create,
            crate::community::invest_api::enterprise_read,
            crate::community::invest_api::enterprise_update,
            crate::community::invest_api::enterprise_history,
            crate::community::invest_api::project_list,
            crate::community::invest_api::project_create,
            crate::community::invest_api::project_read,
            crate::community::invest_api::project_update,
            crate::community::invest_api::project_status,
            crate::community::invest_api::project_history,
            crate::community::invest_api::contribution_list,
            crate::community::invest_api::contribution_create,
            crate::community::invest_api::contribution_read,
            crate::community::invest_api::contribution_update,
            crate::community::invest_api::contribution_history,
            crate::community::invest_api::remittance_list,
            crate::community::invest_api::remittance_set,
            crate::community::invest_api::remittance_remove,
            crate::community::invest_api::report,
            crate::publishing::api::list,
            crate::publishing::api::create,
            crate::publishing::api::read,
            crate::publishing::api::update,
            crate::publishing::api::transition,
            crate::publishing::api::versions,
            crate::publishing::api::search,
            crate::publishing::newsletters::api_list,
            crate::publishing::newsletters::api_create,
            crate::publishing::newsletters::api_read,
            crate::publishing::newsletters::api_failures,
            crate::publishing::newsletters::api_send,
            crate::exchange::api::changes,
            crate::exchange::api::webhooks_list,
            crate::exchange::api::webhooks_create,
            crate::exchange::api::webhooks_test,
            crate::exchange::api::webhooks_deliveries,
            crate::exchange::api::webhooks_retry,
            crate::exchange::api::exchange_schema,
            crate::exchange::api::exchange_export,
            crate::exchange::api::exchange_receive,
            crate::exchange::api::exchanges_list,
            crate::exchange::api::exchanges_get,
            crate::exchange::api::exchanges_file,
            crate::exchange::api::exchanges_decide,
            crate::exchange::api::exchanges_accept_all,
        ),
        components(
            schemas(ProblemDoc, FieldErrorDoc),
            responses(Unauthorized, Forbidden, NotFound, Stale, Invalid, IfMatchRequired)
        ),
        modifiers(&BearerAuth, &CommonErrors),
        tags(
            (name = "people", description = "People abroad: list, read, create, update, delete, history."),
            (name = "relatives", description = "Relatives at home of a person abroad."),
            (name = "households", description = "Households at home (in a commune)."),
            (name = "me", description = "The calling token."),
            (name = "audit", description = "The audit log (admin-scoped tokens)."),
            (name = "search", description = "Find people however the name was written."),
            (name = "imports", description = "Agencies' lists: upload, validation report, commit, undo."),
            (name = "public", description = "Public statistics (no token)."),
            (name = "linkage", description = "Duplicates: scan, review queue with explanations, merge and unmerge."),
            (name = "associations", description = "Associations abroad (hometown, business, professional...): leaders, members, activities, history, merge."),
            (name = "events", description = "Events and delegations (Xuân Quê hương, conferences, youth camps, investment promotion, incoming and outgoing delegations): invitee lists built from the registry's filters, replies and attendance, xlsx, and letters in the official format (.docx)."),
            (name = "experts", description = "Experts, intellectuals and businesspeople: fields of expertise (a controlled list), qualifications, visits and programmes, and the experts received in a year."),
            (name = "commendations", description = "Commendations (khen thưởng): proposals for a person or an association, and the decision with its number and date."),
            (name = "investment", description = "Enterprises of people abroad, investment projects in the province with their status pipeline and the catalogue calling for investment, contributions, remittances per person and year, and their report. Money is integer minor units of an ISO 4217 currency."),
            (name = "statistics", description = "Counts by one or two dimensions within the caller's jurisdiction; saved reports."),
            (name = "exchange", description = "Exchange files in the documented format (JSON Lines, JSON Schema at /api/v1/exchange/schema): streamed exports within the caller's jurisdiction, received files matched record by record and applied only when accepted, the log of exchanges in and out with their files."),
            (name = "changes", description = "The change feed: every change of a person in commit order, from a resumable cursor, within the caller's jurisdiction."),
            (name = "webhooks", description = "Webhooks (admin-scoped tokens): subscriptions per system, signed deliveries (X-Kieubao-Signature: sha256=HMAC-SHA256 of the body) retried with exponential back-off, the delivery log, dead letters and test events."),
            (name = "content", description = "Published content (news, policies, procedure guides, legal documents, FAQs): the editorial desk with its workflow and versions, and the public search (no token)."),
        )
    )]
    pub struct ApiDoc;
}

pub use doc::ApiDoc;

/// The document as JSON, built once.
fn document() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let Ok(mut doc) = serde_json::to_value(ApiDoc::openapi()) else {
            return String::new();
        };
        creation_bodies(&mut doc);
        no_nul_in_parameters(&mut doc);
        serde_json::to_string(&doc).unwrap_or_default()
    })
}

/// A parameter holding a NUL is refused before any handler
/// (`security::context`): each free-text query parameter says so.
fn no_nul_in_parameters(doc: &mut serde_json::Value) {
    let Some(paths) = doc
        .get_mut("paths")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    for item in paths
        .values_mut()
        .filter_map(serde_json::Value::as_object_mut)
    {
        for op in item.values_mut() {
            let Some(params) = op
                .get_mut("parameters")
                .and_then(serde_json::Value::as_array_mut)
            else {
                continue;
            };
            for p in params {
                if p.get("in").and_then(serde_json::Value::as_str) != Some("query") {
                    continue;
                }
                let Some(schema) = p
                    .get_mut("schema")
                    .and_then(serde_json::Value::as_object_mut)
                else {
                    continue;
                };
                let is_text = schema.get("type").is_some_and(|t| {
                    t == "string"
                        || t.as_array()
                            .is_some_and(|a| a.iter().any(|x| x == "string"))
                });
                if is_text
                    && !["enum", "pattern", "format"]
                        .iter()
                        .any(|k| schema.contains_key(*k))
                {
                    schema.insert("pattern".into(), serde_json::json!("^[^\\u0000]*$"));
                }
            }
        }
    }
}

/// A create and a merge-patch share one input type, whose fields are all
/// optional (a patch names only what changes). Creating demands some of
/// them: the document gives each `POST` its own schema, the input's with
/// those fields required and not blank, so a client (and Schemathesis) knows
/// what a create needs without meeting the 422.
fn creation_bodies(doc: &mut serde_json::Value) {
    // (path of the create, its input's schema, the create's schema, required fields)
    type Create<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a [(&'a str, serde_json::Value)],
    );
    use serde_json::{Value, json};
    let as_json = |o: utoipa::openapi::Object| serde_json::to_value(o).unwrap_or_default();
    let creates: [Create; 4] = [
        (
            "/api/v1/people",
            "PersonInput",
            "NewPerson",
            &[
                (
                    "full_name",
                    json!({"type": "string", "pattern": "\\S", "maxLength": 200}),
                ),
                ("category", as_json(app::api_schema::category_required())),
                ("country", as_json(app::api_schema::country_required())),
            ],
        ),
        (
            "/api/v1/households",
            "HouseholdInput",
            "NewHousehold",
            &[
                (
                    "head_name",
                    json!({"type": "string", "pattern": "\\S", "maxLength": 200}),
                ),
                (
                    "commune_code",
                    json!({"type": "string", "pattern": "^[0-9]{5}$", "description": "New (post-2025) commune code."}),
                ),
            ],
        ),
        (
            "/api/v1/people/{id}/relatives",
            "RelativeInput",
            "NewRelative",
            &[
                (
                    "full_name",
                    json!({"type": "string", "pattern": "\\S", "maxLength": 200}),
                ),
                (
                    "relationship",
                    as_json(app::api_schema::relationship_required()),
                ),
            ],
        ),
        (
            "/api/v1/content",
            "ContentInput",
            "NewContent",
            &[
                (
                    "kind",
                    json!({"type": "string", "enum": ["news", "policy", "procedure", "legal_document", "faq"],
                           "description": "A legal document also needs doc_number, doc_type and issuing_body."}),
                ),
                (
                    "title_vi",
                    json!({"type": "string", "pattern": "\\S", "maxLength": 300}),
                ),
            ],
        ),
    ];
    for (path, input, name, required) in creates {
        let Some(mut schema) = doc
            .pointer(&format!("/components/schemas/{input}"))
            .cloned()
        else {
            continue;
        };
        for (field, field_schema) in required {
            if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert((*field).to_owned(), field_schema.clone());
            }
            match schema.get_mut("required").and_then(Value::as_array_mut) {
                Some(list) => list.push(json!(field)),
                None => {
                    if let Some(obj) = schema.as_object_mut() {
                        obj.insert("required".into(), json!([field]));
                    }
                }
            }
        }
        if let Some(obj) = schema.as_object_mut() {
            obj.insert(
                "description".into(),
                json!(format!(
                    "{input} as a create demands it: the required fields named."
                )),
            );
        }
        if let Some(schemas) = doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            schemas.insert(name.to_owned(), schema);
        }
        let pointer = format!(
            "/paths/{}/post/requestBody/content/application~1json/schema",
            path.replace('~', "~0").replace('/', "~1")
        );
        if let Some(slot) = doc.pointer_mut(&pointer) {
            *slot = json!({"$ref": format!("#/components/schemas/{name}")});
        }
    }
}

/// `GET /api/openapi.json`.
pub async fn json() -> Response {
    let body = document();
    if body.is_empty() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    // No personal data: may be cached briefly.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    resp
}

/// `GET /api/docs`: Swagger UI over the document (assets under `/static/vendor/swagger-ui/`).
pub async fn docs() -> Html<&'static str> {
    Html(include_str!("../templates/api_docs.html"))
}
