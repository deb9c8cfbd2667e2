//! Files of content items on the desk and the public site (issue 24
//! §2–§4): the upload form and removal on an item's desk page, the desk's
//! preview of a file, and the public address of a published item's file
//! (`/tep/{id}`, cover images at `?w=` widths) with `Cache-Control`, an
//! `ETag` and `If-None-Match`. The rules are `app::publishing::files`'s.

use std::fmt::Write as _;

use app::AppError;
use app::publishing::files::{self, Served};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::Tr;
use crate::pages::page_err;

/// `filename*=` of RFC 6266 (UTF-8, percent-encoded) with an ASCII fallback.
pub(crate) fn disposition(inline: bool, name: &str) -> String {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    let stem: String = domain::text::fold(stem)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let ext: String = ext.chars().filter(char::is_ascii_alphanumeric).collect();
    let ascii = if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    };
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            let _ = write!(encoded, "%{b:02X}");
        }
    }
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    )
}

fn serve(s: Served, width: u32, headers: &HeaderMap, cache: &'static str) -> Response {
    let etag = format!("\"{}-{width}\"", &s.sha256[..s.sha256.len().min(32)]);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|x| x.trim() == etag));
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        s.data.into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&s.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let inline = s.media_type == files::PDF || s.media_type.starts_with("image/");
    if let Ok(v) = HeaderValue::from_str(&disposition(inline, &s.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// `?w=` of a cover's address.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Width {
    w: u32,
}

/// `GET /tep/{id}`: a file of a published item, for anyone.
pub async fn public(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    q: Result<Query<Width>, axum::extract::rejection::QueryRejection>,
    ctx: crate::security::Ctx,
) -> Result<Response, PageError> {
    let w = q.map_or(0, |Query(w)| w.w);
    let s = files::public(&state.app, id, w)
        .await
        .map_err(page_err(ctx.lang))?;
    Ok(serve(s, w, &headers, "public, max-age=86400"))
}

/// `GET /content/files/{id}`: a file as the desk previews it (any state).
pub async fn desk_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    user: User,
    Path(id): Path<i64>,
    q: Result<Query<Width>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let w = q.map_or(0, |Query(w)| w.w);
    let s = files::for_desk(&state.app, &user.actor, id, w)
        .await
        .map_err(page_err(user.lang))?;
    Ok(serve(s, w, &headers, "private, no-store"))
}

/// `POST /content/{id}/files` (multipart: `role`, `file`; the CSRF token in
/// the action's query): adds a cover or an attachment, then back to the
/// item; a refused file comes back on the item's page naming the problem.
pub async fn upload(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let t = Tr::new(lang);
    let mut role = String::new();
    let mut name = String::new();
    let mut data: Option<Vec<u8>> = None;
    let mut broken = false;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name().unwrap_or("") {
                "role" => role = field.text().await.unwrap_or_default(),
                "file" => {
                    name = field.file_name().unwrap_or("").to_owned();
                    match field.bytes().await {
                        Ok(b) if !b.is_empty() => data = Some(b.to_vec()),
                        Ok(_) => {}
                        Err(_) => broken = true,
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                broken = true;
                break;
            }
        }
    }
    let result = match (broken, data) {
        (true, _) => Err(AppError::invalid_field("file", "upload_broken")),
        (false, None) => Err(AppError::invalid_field("file", "required")),
        (false, Some(d)) => files::add(&state.app, &user.actor, id, role.trim(), &name, d)
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/content/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let lines = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        t.s("content.file.file"),
                        t.get(&format!("code.{}", e.code))
                            .unwrap_or(e.code.as_str())
                    )
                })
                .collect();
            let mut resp = super::desk::show_with(&state, &user, id, lines).await?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(err) => Err(PageError { err, lang }),
    }
}

/// `POST /content/{id}/files/{file_id}/delete`: removes a file.
pub async fn remove(
    State(state): State<AppState>,
    user: User,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    files::remove(&state.app, &user.actor, id, file_id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to(&format!("/content/{id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_keep_their_vietnamese_name() {
        assert_eq!(
            disposition(false, "Tờ khai.docx"),
            "attachment; filename=\"to_khai.docx\"; filename*=UTF-8''T%E1%BB%9D%20khai.docx"
        );
    }
}
