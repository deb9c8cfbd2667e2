//! Files of content items (issue 24 §2–§4): a cover image for news and
//! policies, the PDF of a legal document, the forms of a procedure guide.
//!
//! Every file is checked by what it holds, not by its name: a cover must
//! decode as PNG or JPEG (within size and pixel limits) and is kept only as
//! JPEG copies resized to [`COVER_WIDTHS`] — the upload itself, with
//! whatever it carried (metadata, a polyglot's payload), is dropped; an
//! attachment must be a PDF, or a Word or Excel file (a ZIP holding the
//! parts of one). Files live in the database (`content_files`,
//! `content_file_data`): outside any web root, shared by every server and
//! in every backup. Who may add or remove them is who may edit the item;
//! visitors reach them only once the item is published.

use db::Row;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::content;
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, clock};

/// Largest attachment (a PDF or a form).
pub const MAX_ATTACHMENT_BYTES: usize = 15 * 1024 * 1024;
/// Largest cover image as uploaded.
pub const MAX_IMAGE_BYTES: usize = 8 * 1024 * 1024;
/// Largest cover image in pixels on either side.
pub const MAX_IMAGE_SIDE: u32 = 8_000;
/// Most files of one item.
pub const MAX_FILES: i64 = 12;
/// The widths a cover is kept at (never wider than the upload).
pub const COVER_WIDTHS: [u32; 3] = [480, 960, 1600];

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";

/// A file of an item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ContentFile)]
pub struct ContentFile {
    pub id: i64,
    pub item_id: i64,
    /// `cover` or `attachment`.
    pub role: String,
    pub name: String,
    pub media_type: String,
    pub bytes: i64,
    pub sha256: String,
    /// The widths a cover is served at (empty for attachments).
    pub widths: Vec<u32>,
    pub created_by: String,
    pub created_at: String,
}

/// A name safe to show and to give a download: the last part of a path,
/// without control characters or quotes, at most 120 characters, and with
/// the extension the content has.
pub fn clean_name(name: &str, ext: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = base
        .rsplit_once('.')
        .map_or(base, |(s, _)| s)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\' | '/' | ';'))
        .take(120)
        .collect::<String>();
    let stem = stem.trim();
    let stem = if stem.is_empty() { "tep" } else { stem };
    format!("{stem}.{ext}")
}

/// What an attachment is, by its bytes: (media type, extension).
pub fn sniff_attachment(data: &[u8], name: &str) -> Option<(&'static str, &'static str)> {
    if data.starts_with(b"%PDF-") {
        return Some((PDF, "pdf"));
    }
    if data.starts_with(b"PK\x03\x04") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
        zip.by_name("[Content_Types].xml").ok()?;
        if zip.by_name("word/document.xml").is_ok() {
            return Some((DOCX, "docx"));
        }
        if zip.by_name("xl/workbook.xml").is_ok() {
            return Some((XLSX, "xlsx"));
        }
    }
    let _ = name;
    None
}

/// What a picture is, by its bytes: (media type, extension) of a PNG or
/// JPEG whose header reads and whose sides are within [`MAX_IMAGE_SIDE`]
/// (the name and the type the browser sent are not trusted).
pub fn sniff_picture(data: &[u8]) -> Option<(&'static str, &'static str)> {
    let format = image::guess_format(data).ok()?;
    let kind = match format {
        image::ImageFormat::Png => (PNG, "png"),
        image::ImageFormat::Jpeg => (JPEG, "jpg"),
        _ => return None,
    };
    let (w, h) = image::ImageReader::with_format(std::io::Cursor::new(data), format)
        .into_dimensions()
        .ok()?;
    (w > 0 && h > 0 && w <= MAX_IMAGE_SIDE && h <= MAX_IMAGE_SIDE).then_some(kind)
}

/// A cover's copies: each width of [`COVER_WIDTHS`] up to the image's own
/// (at least the smallest), as JPEG. `None` when the bytes are not a PNG
/// or JPEG image within the limits.
pub fn cover_copies(data: &[u8]) -> Option<Vec<(u32, Vec<u8>)>> {
    use image::ImageReader;
    let format = image::guess_format(data).ok()?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return None;
    }
    let mut reader = ImageReader::with_format(std::io::Cursor::new(data), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return None;
    }
    let rgb = image::DynamicImage::ImageRgb8(img.to_rgb8());
    let mut out = Vec::new();
    for (i, target) in COVER_WIDTHS.iter().enumerate() {
        if i > 0 && *target > w {
            break;
        }
        let width = (*target).min(w);
        let height = (u64::from(h) * u64::from(width) / u64::from(w)).max(1);
        let resized = rgb.resize_exact(
            width,
            u32::try_from(height).ok()?,
            image::imageops::FilterType::Lanczos3,
        );
        let mut jpeg = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 82);
        resized.write_with_encoder(enc).ok()?;
        out.push((width, jpeg));
    }
    Some(out)
}

const COLUMNS: &str = "f.id, f.item_id, f.role, f.name, f.media_type, f.bytes, f.sha256, f.created_by_name, f.created_at";

fn of_row(r: &db::AnyRow) -> Result<ContentFile, db::SqlxError> {
    Ok(ContentFile {
        id: r.try_get(0)?,
        item_id: r.try_get(1)?,
        role: r.try_get(2)?,
        name: r.try_get(3)?,
        media_type: r.try_get(4)?,
        bytes: r.try_get(5)?,
        sha256: r.try_get(6)?,
        created_by: r.try_get(7)?,
        created_at: r.try_get(8)?,
        widths: Vec::new(),
    })
}

/// The files of an item, covers first (no check: the caller has the item).
pub async fn of_item(app: &App, item_id: i64) -> AppResult<Vec<ContentFile>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM content_files f WHERE f.item_id = $1 ORDER BY f.role DESC, f.id"
    );
    let rows = sqlx::query(&sql)
        .bind(item_id)
        .fetch_all(&app.db.pool)
        .await?;
    let mut files = rows.iter().map(of_row).collect::<Result<Vec<_>, _>>()?;
    for f in files.iter_mut().filter(|f| f.role == "cover") {
        let widths: Vec<i64> = sqlx::query_scalar(
            "SELECT width FROM content_file_data WHERE file_id = $1 ORDER BY width",
        )
        .bind(f.id)
        .fetch_all(&app.db.pool)
        .await?;
        f.widths = widths
            .into_iter()
            .filter_map(|w| u32::try_from(w).ok())
            .collect();
    }
    Ok(files)
}

/// Adds a file to an item the actor may edit: `role` is `cover` (one per
/// item: a new one replaces the old) or `attachment`.
pub async fn add(
    app: &App,
    actor: &Actor,
    item_id: i64,
    role: &str,
    name: &str,
    data: Vec<u8>,
) -> AppResult<ContentFile> {
    let item = content::get(app, actor, item_id).await?;
    if !content::may_edit(actor, &item) {
        return Err(AppError::Forbidden);
    }
    if data.is_empty() {
        return Err(AppError::invalid_field("file", "required"));
    }
    let sha = hex::encode(Sha256::digest(&data));
    let (media_type, shown, copies): (&str, String, Vec<(u32, Vec<u8>)>) = match role {
        "cover" => {
            if data.len() > MAX_IMAGE_BYTES {
                return Err(AppError::invalid_field("file", "content_file_too_large"));
            }
            let copies = tokio::task::spawn_blocking(move || cover_copies(&data))
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("cover: {e}")))?
                .ok_or_else(|| AppError::invalid_field("file", "not_an_image"))?;
            (JPEG, clean_name(name, "jpg"), copies)
        }
        "attachment" => {
            if data.len() > MAX_ATTACHMENT_BYTES {
                return Err(AppError::invalid_field("file", "content_file_too_large"));
            }
            let (mt, ext) = sniff_attachment(&data, name)
                .ok_or_else(|| AppError::invalid_field("file", "not_a_document"))?;
            (mt, clean_name(name, ext), vec![(0, data)])
        }
        _ => return Err(AppError::invalid_field("role", "unknown_code")),
    };
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM content_files WHERE item_id = $1")
        .bind(item_id)
        .fetch_one(&app.db.pool)
        .await?;
    if count >= MAX_FILES && role != "cover" {
        return Err(AppError::invalid_field("file", "too_many"));
    }
    let size =
        i64::try_from(copies.iter().map(|(_, d)| d.len()).max().unwrap_or(0)).unwrap_or(i64::MAX);
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    if role == "cover" {
        // One cover: the previous one goes.
        let old: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM content_files WHERE item_id = $1 AND role = 'cover'",
        )
        .bind(item_id)
        .fetch_all(&mut *tx.tx)
        .await?;
        for id in old {
            delete_rows(&mut tx, id).await?;
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO content_files (item_id, role, name, media_type, bytes, sha256, \
         created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(item_id)
    .bind(role)
    .bind(&shown)
    .bind(media_type)
    .bind(size)
    .bind(&sha)
    .bind(&actor.username)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?;
    for (width, bytes) in &copies {
        sqlx::query(
            "INSERT INTO content_file_data (file_id, width, media_type, data) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i64::from(*width))
        .bind(media_type)
        .bind(bytes.as_slice())
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("content.file_add", "content", &item_id)
            .with(serde_json::json!({"role": role, "sha256": sha})),
    )
    .await?;
    tx.commit().await?;
    app.content_generation.bump();
    of_item(app, item_id)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or(AppError::NotFound)
}

async fn delete_rows(tx: &mut db::WriteTx, id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM content_file_data WHERE file_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM content_files WHERE id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

/// Removes a file of an item the actor may edit.
pub async fn remove(app: &App, actor: &Actor, item_id: i64, file_id: i64) -> AppResult<()> {
    let item = content::get(app, actor, item_id).await?;
    if !content::may_edit(actor, &item) {
        return Err(AppError::Forbidden);
    }
    let mut tx = app.db.begin_write().await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM content_files WHERE id = $1 AND item_id = $2")
            .bind(file_id)
            .bind(item_id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    if found.is_none() {
        return Err(AppError::NotFound);
    }
    delete_rows(&mut tx, file_id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("content.file_remove", "content", &item_id)
            .with(serde_json::json!({"file": file_id})),
    )
    .await?;
    tx.commit().await?;
    app.content_generation.bump();
    Ok(())
}

/// A file's bytes to serve: its name, media type and data at `width`
/// (0 or absent: an attachment, or a cover's widest copy up to `width`).
pub struct Served {
    pub name: String,
    pub media_type: String,
    pub data: Vec<u8>,
    pub sha256: String,
}

/// A file as a visitor may fetch it: only of a published item.
pub async fn public(app: &App, file_id: i64, width: u32) -> AppResult<Served> {
    fetch(app, file_id, width, true).await
}

/// A file as the desk previews it (any state; the actor must reach the item).
pub async fn for_desk(app: &App, actor: &Actor, file_id: i64, width: u32) -> AppResult<Served> {
    let item_id: i64 = sqlx::query_scalar("SELECT item_id FROM content_files WHERE id = $1")
        .bind(file_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    content::get(app, actor, item_id).await?;
    fetch(app, file_id, width, false).await
}

async fn fetch(app: &App, file_id: i64, width: u32, published_only: bool) -> AppResult<Served> {
    let published = if published_only {
        " AND c.state = 'published'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT f.name, d.media_type, d.data, f.sha256, d.width FROM content_files f \
         JOIN content_items c ON c.id = f.item_id \
         JOIN content_file_data d ON d.file_id = f.id \
         WHERE f.id = $1{published} ORDER BY d.width"
    );
    let rows = sqlx::query(&sql)
        .bind(file_id)
        .fetch_all(&app.db.pool)
        .await?;
    // The widest copy not wider than asked (the narrowest if all are).
    let want = i64::from(if width == 0 { u32::MAX } else { width });
    let pick = rows
        .iter()
        .rfind(|r| r.try_get::<i64, _>(4).is_ok_and(|w| w <= want))
        .or_else(|| rows.first())
        .ok_or(AppError::NotFound)?;
    Ok(Served {
        name: pick.try_get(0)?,
        media_type: pick.try_get(1)?,
        data: pick.try_get(2)?,
        sha256: pick.try_get(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn covers_are_resized_to_jpeg_copies_up_to_their_width() {
        let copies = cover_copies(&png(1200, 600)).unwrap();
        let widths: Vec<u32> = copies.iter().map(|c| c.0).collect();
        assert_eq!(widths, vec![480, 960]);
        for (w, data) in &copies {
            assert!(data.starts_with(&[0xFF, 0xD8]), "JPEG");
            let img = image::load_from_memory(data).unwrap();
            assert_eq!((img.width(), img.height()), (*w, *w / 2));
        }
        // A small image is kept at its own width, once.
        let copies = cover_copies(&png(300, 200)).unwrap();
        assert_eq!(copies.iter().map(|c| c.0).collect::<Vec<_>>(), vec![300]);
    }

    #[test]
    fn what_is_not_an_image_or_a_document_is_refused() {
        assert!(cover_copies(b"<svg onload=alert(1)>").is_none());
        assert!(cover_copies(b"%PDF-1.7").is_none());
        // A PNG signature with nothing behind it.
        assert!(cover_copies(b"\x89PNG\r\n\x1a\n").is_none());
        assert_eq!(sniff_attachment(b"%PDF-1.7\n", "x.exe"), Some((PDF, "pdf")));
        assert_eq!(sniff_attachment(b"MZ\x90\x00", "form.pdf"), None);
        assert_eq!(sniff_attachment(b"PK\x03\x04junk", "form.docx"), None);
    }

    #[test]
    fn names_are_cleaned_and_take_the_content_extension() {
        assert_eq!(
            clean_name("C:\\tmp\\Mẫu tờ khai.exe", "pdf"),
            "Mẫu tờ khai.pdf"
        );
        assert_eq!(clean_name("../../etc/passwd", "pdf"), "passwd.pdf");
        assert_eq!(clean_name("a\"b;c\u{0}.pdf", "pdf"), "abc.pdf");
        assert_eq!(clean_name("", "jpg"), "tep.jpg");
    }
}
