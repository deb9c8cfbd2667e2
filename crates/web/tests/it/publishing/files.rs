//! Files of content items (issue 24 §2–§4) on SQLite and PostgreSQL: an
//! editor uploads a cover image (kept only as resized JPEG copies) and a
//! PDF, what is not an image or a document is refused naming the file and
//! keeping nothing; visitors reach the files only once the item is
//! published, with `Cache-Control`, an `ETag` and 304; the item's page
//! shows the cover and the download; a commune officer cannot add files to
//! an item not theirs.

use domain::Role;
use lopdf::dictionary;

use super::content::{call, news, step, user};
use crate::dual;
use crate::helpers::{PASSWORD, TestApp, extract_csrf};

dual!(covers_and_attachments_reach_visitors_once_published);

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([(x % 200) as u8, 40, 120]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A small real PDF (lopdf writes it).
fn pdf() -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages,
        lopdf::Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    item: i64,
    role: &str,
    name: &str,
    data: Vec<u8>,
) -> (u16, String) {
    let page = c
        .get(app.url("/content"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&page);
    let form = reqwest::multipart::Form::new()
        .text("role", role.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(data).file_name(name.to_owned()),
        );
    let r = c
        .post(app.url(&format!("/content/{item}/files?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn covers_and_attachments_reach_visitors_once_published(app: TestApp) {
    let editor = user(&app, "bientap", Role::Editor, vec![]).await;
    let publisher = user(&app, "duyetdang", Role::Publisher, vec![]).await;
    let communes = domain::geo::new_communes_of("42");
    user(
        &app,
        "canbo",
        Role::CommuneOfficer,
        vec![app::accounts::users::Scope::new(
            "new_commune",
            communes[0].code,
        )],
    )
    .await;
    let (s, item, _) = call(
        &app,
        &editor,
        reqwest::Method::POST,
        "/api/v1/content",
        Some(news("Hội nghị kiều bào 2027")),
        None,
    )
    .await;
    assert_eq!(s, 201);
    let id = item["id"].as_i64().unwrap();
    let c = TestApp::new_client();
    app.sign_in(&c, "bientap", PASSWORD).await;

    // Refused: a script named .png, an executable named .pdf; nothing kept.
    let (s, page) = upload(
        &app,
        &c,
        id,
        "cover",
        "anh.png",
        b"<svg onload=alert(1)>".to_vec(),
    )
    .await;
    assert_eq!(s, 422);
    assert!(page.contains("Tệp: Không phải ảnh JPEG hoặc PNG"), "{page}");
    let (s, page) = upload(
        &app,
        &c,
        id,
        "attachment",
        "van-ban.pdf",
        b"MZ\x90\x00rest".to_vec(),
    )
    .await;
    assert_eq!(s, 422);
    assert!(page.contains("Chỉ nhận tệp PDF, Word"), "{page}");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM content_files")
        .fetch_one(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);

    // Accepted: a 1200 px PNG cover, a PDF with a Vietnamese name.
    let (s, _) = upload(&app, &c, id, "cover", "ảnh bìa.png", png(1200, 800)).await;
    assert_eq!(s, 303);
    let (s, _) = upload(&app, &c, id, "attachment", "Kế hoạch hội nghị.pdf", pdf()).await;
    assert_eq!(s, 303);
    let files: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, role, name, media_type FROM content_files ORDER BY id")
            .fetch_all(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    let (cover, pdf_id) = (files[0].0, files[1].0);
    assert_eq!(files[0].3, "image/jpeg");
    assert_eq!(files[1].2, "Kế hoạch hội nghị.pdf");
    let widths: Vec<i64> =
        sqlx::query_scalar("SELECT width FROM content_file_data WHERE file_id = $1 ORDER BY width")
            .bind(cover)
            .fetch_all(&app.app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        widths,
        vec![480, 960],
        "never the upload, never wider than it"
    );

    // Not published yet: visitors get 404; the desk previews it.
    let anon = reqwest::Client::new();
    let r = anon
        .get(app.url(&format!("/tep/{pdf_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .get(app.url(&format!("/content/files/{pdf_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));

    // A commune officer cannot add a file to an item not theirs.
    let officer = TestApp::new_client();
    app.sign_in(&officer, "canbo", PASSWORD).await;
    let (s, _) = upload(&app, &officer, id, "attachment", "x.pdf", pdf()).await;
    assert_eq!(s, 404, "an item the officer cannot see");

    // Published: the page shows the cover and the download; the files
    // carry cache headers and answer 304 to their ETag.
    let (s, _) = step(&app, &publisher, id, 1, "publish").await;
    assert_eq!(s, 200);
    let (_, v, _) = call(
        &app,
        &publisher,
        reqwest::Method::GET,
        &format!("/api/v1/content/{id}"),
        None,
        None,
    )
    .await;
    let url = app::publishing::public::url(
        "news",
        "vi",
        v["vi"]["slug"].as_str().unwrap(),
        v["published_at"].as_str(),
    );
    let html = anon
        .get(app.url(&url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("/tep/{cover}?w=960 960w")), "{html}");
    assert!(html.contains("Kế hoạch hội nghị.pdf"), "{html}");
    assert!(html.contains("PDF, "), "{html}");
    let r = anon
        .get(app.url(&format!("/tep/{pdf_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''K%E1%BA%BF"),
        "{:?}",
        r.headers()
    );
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("public")
    );
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    let r = anon
        .get(app.url(&format!("/tep/{pdf_id}")))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    let r = anon
        .get(app.url(&format!("/tep/{cover}?w=480")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let img = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (480, 320));

    // Published, the editor may no longer change its files; the publisher
    // may: a new cover replaces the old one, a removal is audited.
    let (s, _) = upload(&app, &c, id, "cover", "moi.png", png(500, 500)).await;
    assert_eq!(s, 403);
    let p = TestApp::new_client();
    app.sign_in(&p, "duyetdang", PASSWORD).await;
    let (s, _) = upload(&app, &p, id, "cover", "moi.png", png(500, 500)).await;
    assert_eq!(s, 303);
    let covers: Vec<i64> = sqlx::query_scalar("SELECT id FROM content_files WHERE role = 'cover'")
        .fetch_all(&app.app.db.pool)
        .await
        .unwrap();
    assert_eq!(covers.len(), 1);
    assert_ne!(covers[0], cover);
    let r = anon
        .get(app.url(&format!("/tep/{cover}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "the old cover is gone");
    let page = p
        .get(app.url(&format!("/content/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = extract_csrf(&page);
    let r = p
        .post(app.url(&format!("/content/{id}/files/{pdf_id}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = anon
        .get(app.url(&format!("/tep/{pdf_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'content' AND action LIKE 'content.file_%'",
    )
    .fetch_all(&app.app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        actions.iter().filter(|a| *a == "content.file_add").count(),
        3
    );
    assert!(actions.iter().any(|a| a == "content.file_remove"));
}
