//! The demo's exchange (issue 25 §2): a file received from another
//! province, waiting for review — a record that changed, one the same and
//! one new with her family at home (a household, a relative) and an
//! association — so `serve --demo` fills the exchange pages.

use serde_json::json;

use super::export::{self, person_record};
use super::format::{self, Entity, Filters, Header};
use crate::{Actor, App, AppResult, Jurisdiction, clock};

/// Receives the demo's file once (nothing when an exchange exists).
pub async fn seed(app: &App) -> AppResult<()> {
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM exchanges LIMIT 1")
        .fetch_optional(&app.db.pool)
        .await?;
    if any.is_some() {
        return Ok(());
    }
    let officer = Actor {
        user_id: None,
        username: "system:demo".into(),
        role: domain::Role::ProvinceOfficer,
        jurisdiction: Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    };
    let mut conn = app.db.pool.acquire().await?;
    let people =
        crate::registry::people::export_page(app, &mut conn, &officer, (0, None), 2, "1 = 1", &[])
            .await?;
    drop(conn);
    if people.len() < 2 {
        return Ok(());
    }
    let ns = export::namespace(app).await?;
    let header = Header {
        kind: "header".into(),
        format: format::FORMAT.into(),
        version: format::VERSION,
        province_code: "40".into(),
        province_name: "Nghệ An".into(),
        generated_at: clock::fmt(app.clock.now_utc()),
        generator: "kieubao (demo)".into(),
        filters: Filters::default(),
    };
    let mut lines = vec![serde_json::to_string(&header).unwrap_or_default()];
    let mut changed = person_record(&people[0], ns.uid(Entity::Person, people[0].id), true, None);
    changed
        .fields
        .insert("city_abroad".into(), json!("Vinh Long Beach"));
    changed
        .fields
        .insert("occupation".into(), json!("Kỹ sư xây dựng"));
    lines.push(serde_json::to_string(&changed).unwrap_or_default());
    let same = person_record(&people[1], ns.uid(Entity::Person, people[1].id), true, None);
    lines.push(serde_json::to_string(&same).unwrap_or_default());
    lines.push(
        json!({
            "type": "person",
            "id": "5b1f3c2e-7a4d-4e8f-9c1a-2d3e4f5a6b7c",
            "full_name": "Phan Thị Hồng Nhung",
            "gender": "female",
            "birth_date": "1994-03",
            "category": "contract_labour",
            "country": "TW",
            "city_abroad": "Đài Trung",
            "hometown_text": "Nghi Xuân, Hà Tĩnh",
            "status": "active",
            "sources": [{"agency": "labour", "list_name": "Danh sách lao động", "survey_round": "", "added_at": ""}],
            "consents": [],
        })
        .to_string(),
    );
    // The other kinds: her family at home and an association of the province's people there.
    let household = "5b1f3c2e-7a4d-4e8f-9c1a-2d3e4f5a6b7d";
    let commune = domain::geo::new_communes_of("42")
        .first()
        .map(|c| c.code.to_owned());
    lines.push(
        json!({
            "type": "association",
            "id": "5b1f3c2e-7a4d-4e8f-9c1a-2d3e4f5a6b7e",
            "name": "Hội đồng hương Nghệ Tĩnh tại Đài Trung",
            "kind": "hometown",
            "country": "TW",
            "city": "Đài Trung",
            "status": "active",
        })
        .to_string(),
    );
    lines.push(
        json!({
            "type": "household",
            "id": household,
            "head_name": "Phan Văn Hùng",
            "address": "Xóm 4",
            "commune_code": commune,
            "phone": "",
        })
        .to_string(),
    );
    lines.push(
        json!({
            "type": "relative",
            "id": "5b1f3c2e-7a4d-4e8f-9c1a-2d3e4f5a6b7f",
            "person_id": "5b1f3c2e-7a4d-4e8f-9c1a-2d3e4f5a6b7c",
            "household_id": household,
            "full_name": "Phan Văn Hùng",
            "relationship": "parent",
            "birth_year": 1965,
        })
        .to_string(),
    );
    let body = lines.join("\n") + "\n";
    super::receive::receive(app, &officer, "nghe-an-2026.jsonl", body.as_bytes()).await?;
    Ok(())
}
