//! Publishing (issue 24): the public site (home, news, policies, procedure
//! guides, the legal-document library, FAQs, search, feeds, sitemap), the
//! editorial desk's pages and the content API.

pub mod api;
pub mod desk;
pub mod file_views;
pub mod files;
pub mod newsletters;
pub mod site;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::routing::get;

use crate::AppState;
use crate::access::{Access, Route, route};

type ListQ = Result<Query<site::ListQuery>, axum::extract::rejection::QueryRejection>;
type SearchQ = Result<Query<site::SearchQuery>, axum::extract::rejection::QueryRejection>;

/// The routes of a section's list in a language.
fn section(path: &'static str, kind: &'static str, lang: &'static str, who: &'static str) -> Route {
    route(
        "GET",
        path,
        Access::Public,
        who,
        get(
            move |State(s): State<AppState>, h: HeaderMap, uri: Uri, q: ListQ| {
                site::list(s, h, uri, site::list_query(q), kind, lang)
            },
        ),
    )
}

/// The route of an item's page by slug in a language.
fn item(path: &'static str, kind: &'static str, lang: &'static str) -> Route {
    route(
        "GET",
        path,
        Access::Public,
        "anyone (published items only)",
        get(
            move |State(s): State<AppState>, h: HeaderMap, uri: Uri, Path(slug): Path<String>| {
                site::item(s, h, uri, slug, kind, lang)
            },
        ),
    )
}

fn news_item(path: &'static str, lang: &'static str) -> Route {
    route(
        "GET",
        path,
        Access::Public,
        "anyone (published news only)",
        get(
            move |State(s): State<AppState>,
                  h: HeaderMap,
                  uri: Uri,
                  Path(p): Path<(String, String, String)>| {
                site::news_item(s, h, uri, p, lang)
            },
        ),
    )
}

fn search(path: &'static str, lang: &'static str) -> Route {
    route(
        "GET",
        path,
        Access::Public,
        "anyone (published items only)",
        get(
            move |State(s): State<AppState>, h: HeaderMap, uri: Uri, q: SearchQ| {
                site::search(s, h, uri, site::search_query(q), lang)
            },
        ),
    )
}

/// The area's routes, each classified ([`crate::routes::table`] gathers them).
pub fn routes() -> Vec<Route> {
    use Access::{Public, Session, Token};
    let published = "anyone (published items only)";
    vec![
        route(
            "GET",
            "/",
            Public,
            "anyone (the public home: latest published items)",
            get(site::home_vi),
        ),
        route(
            "GET",
            "/en",
            Public,
            "anyone (the public home in English)",
            get(site::home_en),
        ),
        section("/tin-tuc", "news", "vi", published),
        section("/en/news", "news", "en", published),
        section("/chinh-sach", "policy", "vi", published),
        section("/en/policies", "policy", "en", published),
        section("/thu-tuc", "procedure", "vi", published),
        section("/en/procedures", "procedure", "en", published),
        section("/van-ban", "legal_document", "vi", published),
        section("/en/legal-documents", "legal_document", "en", published),
        section("/hoi-dap", "faq", "vi", published),
        section("/en/faq", "faq", "en", published),
        news_item("/tin-tuc/{year}/{month}/{slug}", "vi"),
        news_item("/en/news/{year}/{month}/{slug}", "en"),
        item("/chinh-sach/{slug}", "policy", "vi"),
        item("/en/policies/{slug}", "policy", "en"),
        item("/thu-tuc/{slug}", "procedure", "vi"),
        item("/en/procedures/{slug}", "procedure", "en"),
        item("/van-ban/{slug}", "legal_document", "vi"),
        item("/en/legal-documents/{slug}", "legal_document", "en"),
        search("/tim-kiem", "vi"),
        search("/en/search", "en"),
        route(
            "GET",
            "/feeds/{section}",
            Public,
            "anyone (Atom feed of a section's published items)",
            get(site::feed),
        ),
        route(
            "GET",
            "/sitemap.xml",
            Public,
            "anyone (published pages)",
            get(site::sitemap),
        ),
        route(
            "GET",
            "/api/v1/public/search",
            Public,
            "anyone (published items only)",
            get(api::search),
        ),
        route(
            "GET",
            "/content",
            Session,
            "editors, publishers, province officers (all items); commune officers (their own)",
            get(desk::list),
        ),
        route(
            "POST",
            "/content",
            Session,
            "editors, publishers, province officers, commune officers (a draft)",
            axum::routing::post(desk::create),
        ),
        route(
            "GET",
            "/content/newsletters",
            Session,
            "editors, publishers, province officers",
            get(newsletters::list),
        ),
        route(
            "POST",
            "/content/newsletters",
            Session,
            "editors, publishers, province officers (a draft)",
            axum::routing::post(newsletters::create),
        ),
        route(
            "GET",
            "/content/newsletters/{id}",
            Session,
            "editors, publishers, province officers",
            get(newsletters::show),
        ),
        route(
            "POST",
            "/content/newsletters/{id}/send",
            Session,
            "publishers, province officers",
            axum::routing::post(newsletters::send),
        ),
        route(
            "GET",
            "/kieu-bao/unsubscribe/{token}",
            Public,
            "anyone holding the link of a newsletter",
            get(newsletters::unsubscribe_form),
        ),
        route(
            "POST",
            "/kieu-bao/unsubscribe/{token}",
            Public,
            "anyone holding the link of a newsletter (CSRF double submit)",
            axum::routing::post(newsletters::unsubscribe),
        ),
        route(
            "GET",
            "/api/v1/newsletters",
            Token,
            "read scope, editors, publishers, province officers",
            get(newsletters::api_list),
        ),
        route(
            "POST",
            "/api/v1/newsletters",
            Token,
            "write scope, editors, publishers, province officers (a draft)",
            axum::routing::post(newsletters::api_create),
        ),
        route(
            "GET",
            "/api/v1/newsletters/{id}",
            Token,
            "read scope, editors, publishers, province officers",
            get(newsletters::api_read),
        ),
        route(
            "GET",
            "/api/v1/newsletters/{id}/failures",
            Token,
            "read scope, editors, publishers, province officers",
            get(newsletters::api_failures),
        ),
        route(
            "POST",
            "/api/v1/newsletters/{id}/send",
            Token,
            "write scope, publishers, province officers (If-Match)",
            axum::routing::post(newsletters::api_send),
        ),
        route(
            "GET",
            "/tep/{id}",
            Public,
            "anyone (files of published items only)",
            get(files::public),
        ),
        route(
            "GET",
            "/content/files/{id}",
            Session,
            "as GET /content/{id} of the file's item",
            get(files::desk_file),
        ),
        route(
            "POST",
            "/content/{id}/files",
            Session,
            "as POST /content/{id} (who may edit the item)",
            axum::routing::post(files::upload),
        ),
        route(
            "POST",
            "/content/{id}/files/{file_id}/delete",
            Session,
            "as POST /content/{id} (who may edit the item)",
            axum::routing::post(files::remove),
        ),
        route(
            "GET",
            "/content/new",
            Session,
            "editors, publishers, province officers, commune officers",
            get(desk::new_form),
        ),
        route(
            "GET",
            "/content/{id}",
            Session,
            "editors, publishers, province officers; commune officers their own",
            get(desk::show),
        ),
        route(
            "POST",
            "/content/{id}",
            Session,
            "editors (unpublished), publishers and province officers (any but archived), commune officers (their own drafts)",
            axum::routing::post(desk::update),
        ),
        route(
            "GET",
            "/content/{id}/edit",
            Session,
            "as POST /content/{id}",
            get(desk::edit_form),
        ),
        route(
            "POST",
            "/content/{id}/step",
            Session,
            "submit: editors, the proposing commune officer; return: editors; schedule, publish, archive, restore: publishers, province officers",
            axum::routing::post(desk::step),
        ),
        route(
            "GET",
            "/content/{id}/preview/{lang}",
            Session,
            "as GET /content/{id}",
            get(desk::preview),
        ),
        route(
            "GET",
            "/api/v1/content",
            Token,
            "read scope, editors, publishers, province officers (all); commune officers (their own)",
            get(api::list),
        ),
        route(
            "POST",
            "/api/v1/content",
            Token,
            "write scope, editors, publishers, province officers, commune officers (a draft)",
            axum::routing::post(api::create),
        ),
        route(
            "GET",
            "/api/v1/content/{id}",
            Token,
            "read scope, as GET /content/{id}",
            get(api::read),
        ),
        route(
            "PATCH",
            "/api/v1/content/{id}",
            Token,
            "write scope, as POST /content/{id} (If-Match)",
            axum::routing::patch(api::update),
        ),
        route(
            "POST",
            "/api/v1/content/{id}/transition",
            Token,
            "write scope, as POST /content/{id}/step (If-Match)",
            axum::routing::post(api::transition),
        ),
        route(
            "GET",
            "/api/v1/content/{id}/versions",
            Token,
            "read scope, as GET /content/{id}",
            get(api::versions),
        ),
    ]
}
