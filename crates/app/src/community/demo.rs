//! Demo associations: the generated people name their associations; this
//! fills what a demonstration needs to show (issue 22 §1) — an English name,
//! the city, the founding year, leaders with their terms, a contact, join
//! dates and a few activities with the province's participation.
//! Deterministic: every choice follows from the ids.

use db::Row;

use super::associations::{self, POSITIONS};
use crate::audit::{self, Event};
use crate::{Actor, App, AppResult, clock};

/// The English name of a demo association's Vietnamese name.
fn english_name(name: &str, country: &str) -> String {
    let c = domain::geo::country(country);
    let place = |x: &str| -> String {
        match c {
            Some(c) if c.name_vi == x => c.name_en.to_owned(),
            _ => x.to_owned(),
        }
    };
    let tail = |rest: &str| {
        rest.rsplit_once(" tại ")
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
    };
    if let Some(rest) = name.strip_prefix("Hội đồng hương ")
        && let Some((province, at)) = tail(rest)
    {
        return format!("{province} Hometown Association in {}", place(&at));
    }
    if let Some(rest) = name.strip_prefix("Hội người Việt Nam tại ") {
        return match rest.split_once(" - chi hội ") {
            Some((at, province)) => {
                format!(
                    "Vietnamese Association in {}, {province} chapter",
                    place(at)
                )
            }
            None => format!("Vietnamese Association in {}", place(rest)),
        };
    }
    if let Some(at) = name.strip_prefix("Hội doanh nhân Việt Nam tại ") {
        return format!("Vietnamese Business Association in {}", place(at));
    }
    if let Some(at) = name.strip_prefix("Hội sinh viên Việt Nam tại ") {
        return format!("Vietnamese Students' Association in {}", place(at));
    }
    if let Some(rest) = name.strip_prefix("Cộng đồng lao động ")
        && let Some((province, at)) = tail(rest)
    {
        return format!("{province} Workers' Community in {}", place(&at));
    }
    name.to_owned()
}

/// The kind a demo association's name says (as migration 0013 reads the
/// names it finds).
fn kind_of_name(name: &str) -> &'static str {
    [
        ("Hội đồng hương", "hometown"),
        ("Hội doanh nhân", "business"),
        ("Hội sinh viên", "student"),
        ("Cộng đồng lao động", "labour"),
        ("Hội người Việt Nam", "community"),
    ]
    .iter()
    .find(|(prefix, _)| name.starts_with(prefix))
    .map_or("other", |(_, kind)| kind)
}

/// A member as the demo needs them.
struct Member {
    id: i64,
    name: String,
    city: String,
    phone: String,
}

/// Fills the demo associations that have no history yet (those the people
/// generator named); answers how many. Each gets its first version.
pub async fn enrich(app: &App, actor: &Actor) -> AppResult<u64> {
    crate::access::authorize(actor, crate::access::Action::UserAdmin)?;
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let todo: Vec<(i64, String, String)> = sqlx::query(
        "SELECT a.id, a.name, a.country FROM associations a WHERE NOT EXISTS \
         (SELECT 1 FROM association_versions v WHERE v.association_id = a.id) ORDER BY a.id",
    )
    .fetch_all(&mut *tx.tx)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect::<Result<_, db::SqlxError>>()?;
    let mut done: u64 = 0;
    for (id, name, country) in &todo {
        let id = *id;
        let members: Vec<Member> = sqlx::query(
            "SELECT p.id, p.full_name, p.city_abroad, p.phone FROM person_associations pa \
             JOIN persons p ON p.id = pa.person_id \
             WHERE pa.association_id = $1 AND p.deleted_at IS NULL \
             ORDER BY CASE WHEN p.tags LIKE '%association_leader%' THEN 0 ELSE 1 END, p.id",
        )
        .bind(id)
        .fetch_all(&mut *tx.tx)
        .await?
        .iter()
        .map(|r| {
            Ok(Member {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                city: r.try_get(2)?,
                phone: r.try_get(3)?,
            })
        })
        .collect::<Result<_, db::SqlxError>>()?;
        // The city most members live in.
        let mut cities: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for m in &members {
            if !m.city.is_empty() {
                *cities.entry(m.city.as_str()).or_default() += 1;
            }
        }
        let city = cities
            .iter()
            .max_by_key(|(c, n)| (**n, std::cmp::Reverse(**c)))
            .map(|(c, _)| (*c).to_owned())
            .unwrap_or_default();
        let n = usize::try_from(id).unwrap_or(0);
        let founded = 1986 + (n * 7) % 37;
        let president = members.first();
        sqlx::query(
            "UPDATE associations SET name_en = $1, city = $2, founded_on = $3, contact_name = $4, \
             phone = $5, email = $6, updated_at = $7, kind = $8 WHERE id = $9",
        )
        .bind(english_name(name, country))
        .bind(&city)
        .bind(founded.to_string())
        .bind(president.map(|m| m.name.clone()).unwrap_or_default())
        .bind(president.map(|m| m.phone.clone()).unwrap_or_default())
        .bind(format!("lienhe.hoi{id}@example.org"))
        .bind(&now)
        .bind(kind_of_name(name))
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        // Leaders: the current president, vice-president and secretary;
        // where there are enough members, the president of the last term.
        let term = 2021 + n % 4;
        for (i, m) in members.iter().take(3).enumerate() {
            sqlx::query(
                "INSERT INTO association_leaders (association_id, person_id, position, term_start, \
                 term_end, created_at) VALUES ($1, $2, $3, $4, NULL, $5)",
            )
            .bind(id)
            .bind(m.id)
            .bind(POSITIONS[i.min(2)])
            .bind(term.to_string())
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?;
        }
        if let Some(m) = members.get(3) {
            sqlx::query(
                "INSERT INTO association_leaders (association_id, person_id, position, term_start, \
                 term_end, created_at) VALUES ($1, $2, 'president', $3, $4, $5)",
            )
            .bind(id)
            .bind(m.id)
            .bind((term - 5).to_string())
            .bind(term.to_string())
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?;
        }
        for (i, m) in members.iter().enumerate() {
            // Joined between the founding (or 1990) and 2025, a month of a year.
            let pid = usize::try_from(m.id).unwrap_or(0);
            let from = founded.max(1990);
            let year = from + pid % (2026 - from).max(1);
            let joined = format!("{year}-{:02}", 1 + pid % 12);
            let role = if i < 2 { "board_member" } else { "member" };
            sqlx::query(
                "UPDATE person_associations SET joined_on = $1, role = $2, added_at = $3 \
                 WHERE person_id = $4 AND association_id = $5",
            )
            .bind(joined)
            .bind(role)
            .bind(&now)
            .bind(m.id)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        }
        if members.len() >= 2 {
            let activities = [
                (
                    format!("2026-02-{:02}", 8 + n % 12),
                    "Gặp mặt mừng Xuân Bính Ngọ 2026",
                    "Hội viên và gia đình gặp mặt đón Tết cổ truyền, giao lưu văn nghệ.",
                    "Đại diện Sở Ngoại vụ tỉnh Hà Tĩnh dự và chúc Tết",
                ),
                (
                    format!("2025-10-{:02}", 5 + n % 20),
                    "Quyên góp ủng hộ đồng bào bị bão lũ tại quê nhà",
                    "Hội viên đóng góp, chuyển qua Ủy ban MTTQ tỉnh.",
                    "",
                ),
            ];
            for (day, title, what, who) in activities {
                sqlx::query(
                    "INSERT INTO association_activities (association_id, held_on, title, \
                     description, province_participation, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(day)
                .bind(title)
                .bind(what)
                .bind(who)
                .bind(&now)
                .execute(&mut *tx.tx)
                .await?;
            }
        }
        associations::first_version(&mut tx, actor, id, &now).await?;
        done += 1;
    }
    tx.commit().await?;
    if done > 0 {
        audit::record(
            app,
            actor,
            Event::new("demo.associations", "associations", &"")
                .with(serde_json::json!({"associations": done})),
        )
        .await?;
    }
    Ok(done)
}

/// The association a demo association account works for: the hometown
/// association with the most members.
pub async fn demo_account_association(app: &App) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT a.id FROM associations a WHERE a.kind = 'hometown' AND a.status = 'active' \
         ORDER BY (SELECT COUNT(*) FROM person_associations pa WHERE pa.association_id = a.id) DESC, \
         a.id LIMIT 1",
    )
    .fetch_optional(&app.db.pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_names_read_in_english() {
        assert_eq!(
            english_name("Hội đồng hương Hà Tĩnh tại Nhật Bản", "JP"),
            "Hà Tĩnh Hometown Association in Japan"
        );
        assert_eq!(
            english_name("Hội sinh viên Việt Nam tại Tokyo", "JP"),
            "Vietnamese Students' Association in Tokyo"
        );
        assert_eq!(english_name("Hội khác", "JP"), "Hội khác");
        assert_eq!(kind_of_name("Hội sinh viên Việt Nam tại Tokyo"), "student");
        assert_eq!(kind_of_name("Hội khác"), "other");
    }
}
