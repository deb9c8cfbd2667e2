//! The portal's demo: an account of a person abroad linked to a demo
//! person of the demo commune (with consents given and a correction
//! and a data-subject request waiting for the commune officer), and a
//! second account whose claim
//! waits in the officers' queue with the engine's candidates. The first
//! account and a third one, linked to another demo person, consent to the
//! directory and publish entries showing fields each chose, so the
//! directory is not empty in the demo (issue 23 §6).

use std::collections::BTreeMap;

use db::Row;

use super::directory::{self, EntryInput};
use super::{changes, claims, consents, petitions, requests};
use crate::accounts::secret::hash_password;
use crate::{App, AppResult, clock};

/// The demo account linked to a record.
pub const DEMO_ACCOUNT: &str = "kieubao.demo@example.org";
/// The demo account whose claim is pending.
pub const DEMO_CLAIMANT: &str = "kieubao.moi@example.org";
/// A second linked demo account, in the directory with the first.
pub const DEMO_NEIGHBOUR: &str = "kieubao.donghuong@example.org";

/// Gives the directory consent and publishes an entry showing `shown`
/// (the record's values for country, city, hometown and occupation).
async fn in_directory(
    app: &App,
    account: i64,
    person: i64,
    name: &str,
    intro: &str,
    shown: &[&str],
) -> AppResult<()> {
    consents::set(
        app,
        account,
        Some(person),
        "directory",
        true,
        "/kieu-bao/consents",
        "",
    )
    .await?;
    let input = EntryInput {
        display_name: name.to_owned(),
        intro: intro.to_owned(),
        shown: shown.iter().map(|f| (*f).to_owned()).collect(),
    };
    directory::save(app, account, Some(person), "", &input).await?;
    Ok(())
}

async fn account(app: &App, email: &str, password: &str) -> AppResult<Option<i64>> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM portal_accounts WHERE email = $1")
        .bind(email)
        .fetch_optional(&app.db.pool)
        .await?;
    if exists.is_some() {
        return Ok(None);
    }
    let now = clock::fmt(app.clock.now_utc());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_accounts (email, password_hash, lang, created_at, confirmed_at) \
         VALUES ($1, $2, 'vi', $3, $4) RETURNING id",
    )
    .bind(email)
    .bind(hash_password(password)?)
    .bind(&now)
    .bind(&now)
    .fetch_one(&app.db.pool)
    .await?;
    Ok(Some(id))
}

/// Adds the demo accounts that are missing (with `password`); answers the
/// addresses created.
pub async fn enrich(app: &App, commune: Option<&str>, password: &str) -> AppResult<Vec<String>> {
    let mut created = Vec::new();
    let Some(commune) = commune else {
        return Ok(created);
    };
    let people = sqlx::query(
        "SELECT p.id, p.full_name, p.birth_date, p.country, p.city_abroad, p.occupation \
         FROM persons p WHERE p.deleted_at IS NULL AND p.hometown_new_code = $1 \
         AND p.id NOT IN (SELECT person_id FROM portal_accounts WHERE person_id IS NOT NULL) \
         ORDER BY p.id LIMIT 3",
    )
    .bind(commune)
    .fetch_all(&app.db.pool)
    .await?;
    let (Some(first), Some(second)) = (people.first(), people.get(1)) else {
        return Ok(created);
    };
    if let Some(id) = account(app, DEMO_ACCOUNT, password).await? {
        let pid: i64 = first.try_get(0)?;
        sqlx::query("UPDATE portal_accounts SET person_id = $1 WHERE id = $2")
            .bind(pid)
            .bind(id)
            .execute(&app.db.pool)
            .await?;
        for p in ["keep_record", "news"] {
            consents::set(app, id, Some(pid), p, true, "/kieu-bao/consents", "").await?;
        }
        in_directory(
            app,
            id,
            pid,
            "Anh Minh (demo)",
            "Làm việc ở nước ngoài hơn mười năm, sẵn lòng giúp đồng hương mới sang.",
            &["name", "country", "city", "occupation", "intro"],
        )
        .await?;
        let occupation: String = first.try_get(5)?;
        let new = if occupation == "Kỹ sư phần mềm" {
            "Kỹ sư xây dựng"
        } else {
            "Kỹ sư phần mềm"
        };
        let mut values = BTreeMap::new();
        values.insert("occupation".to_owned(), new.to_owned());
        changes::request(app, id, pid, "", &values).await?;
        requests::open(app, id, pid, "", "access", "").await?;
        petitions::send(
            app,
            id,
            Some(pid),
            "",
            "suggestion",
            "Lớp tiếng Việt cho trẻ em",
            "Đề nghị tỉnh hỗ trợ sách giáo khoa tiếng Việt cho lớp học cuối tuần của hội đồng hương.",
        )
        .await?;
        created.push(DEMO_ACCOUNT.to_owned());
    }
    if let Some(id) = account(app, DEMO_CLAIMANT, password).await? {
        let input = claims::ClaimInput {
            full_name: second.try_get(1)?,
            birth_date: second.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
            gender: String::new(),
            hometown_code: commune.to_owned(),
            hometown_legacy_code: String::new(),
            country: second.try_get(3)?,
            city: second.try_get(4)?,
            phone: String::new(),
            email: DEMO_CLAIMANT.to_owned(),
        };
        claims::submit(app, id, "", &input).await?;
        created.push(DEMO_CLAIMANT.to_owned());
    }
    // The third person (when the demo commune has one): linked, in the
    // directory with their name, country and hometown.
    if let Some(third) = people.get(2)
        && let Some(id) = account(app, DEMO_NEIGHBOUR, password).await?
    {
        let pid: i64 = third.try_get(0)?;
        sqlx::query("UPDATE portal_accounts SET person_id = $1 WHERE id = $2")
            .bind(pid)
            .bind(id)
            .execute(&app.db.pool)
            .await?;
        consents::set(
            app,
            id,
            Some(pid),
            "keep_record",
            true,
            "/kieu-bao/consents",
            "",
        )
        .await?;
        in_directory(
            app,
            id,
            pid,
            "Chị Lan (demo)",
            "",
            &["name", "country", "hometown"],
        )
        .await?;
        created.push(DEMO_NEIGHBOUR.to_owned());
    }
    Ok(created)
}
