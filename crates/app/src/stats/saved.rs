//! Saved reports: a name and a pivot specification, shared by every account
//! that may read statistics (each sees the figures of its own jurisdiction),
//! and the ready-made reports the seeds ask for.

use db::Row;
use serde::Serialize;

use super::pivots::{Dim, Measure, PivotSpec};
use crate::access::{self, Action};
use crate::{Actor, App, AppError, AppResult, FieldError};

/// A saved report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SavedReport {
    pub id: i64,
    pub name: String,
    pub spec: PivotSpec,
    pub created_by_name: String,
    pub created_at: String,
}

/// A ready-made report: a stable key, its titles and its specification.
pub struct Preset {
    pub key: &'static str,
    pub title_vi: &'static str,
    pub title_en: &'static str,
    pub spec: fn() -> PivotSpec,
}

/// The reports the seeds ask for (An Giang plan 003, Hà Tĩnh report 000,
/// survey plan 001).
pub static PRESETS: &[Preset] = &[
    Preset {
        key: "commune_by_country",
        title_vi: "Kiều bào theo xã/phường quê quán và quốc gia",
        title_en: "People abroad by home commune and country",
        spec: || PivotSpec::new(Dim::Commune, Some(Dim::Country)),
    },
    Preset {
        key: "growth_by_round",
        title_vi: "Biến động theo diện và đợt điều tra",
        title_en: "Growth by category between survey rounds",
        spec: || PivotSpec::new(Dim::Category, Some(Dim::SurveyRound)),
    },
    Preset {
        key: "growth_by_commune_round",
        title_vi: "Biến động theo xã/phường và đợt điều tra",
        title_en: "Growth by commune between survey rounds",
        spec: || PivotSpec::new(Dim::Commune, Some(Dim::SurveyRound)),
    },
    Preset {
        key: "notable_by_field",
        title_vi: "Kiều bào tiêu biểu theo lĩnh vực và quốc gia",
        title_en: "Notable people by field and country",
        spec: || {
            let mut s = PivotSpec::new(Dim::Tag, Some(Dim::Country));
            s.filters = vec![(
                Dim::Tag,
                domain::NotableTag::ALL
                    .iter()
                    .map(|t| t.code().to_owned())
                    .collect(),
            )];
            s
        },
    },
    Preset {
        key: "households_by_commune",
        title_vi: "Hộ gia đình có thân nhân ở nước ngoài theo xã/phường",
        title_en: "Relatives' households by commune",
        spec: || {
            let mut s = PivotSpec::new(Dim::Commune, Some(Dim::Category));
            s.measure = Measure::Households;
            s
        },
    },
];

/// Reports saved, by name.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<SavedReport>> {
    access::authorize(actor, Action::StatisticsRead)?;
    let rows = sqlx::query(
        "SELECT id, name, spec, created_by_name, created_at FROM reports ORDER BY name, id",
    )
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

fn from_row(r: &db::AnyRow) -> AppResult<SavedReport> {
    let spec: String = r.try_get(2)?;
    Ok(SavedReport {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        spec: serde_json::from_str(&spec)
            .map_err(|e| AppError::Unexpected(anyhow::anyhow!("saved report spec: {e}")))?,
        created_by_name: r.try_get(3)?,
        created_at: r.try_get(4)?,
    })
}

/// One saved report.
pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<SavedReport> {
    access::authorize(actor, Action::StatisticsRead)?;
    let row = sqlx::query(
        "SELECT id, name, spec, created_by_name, created_at FROM reports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    from_row(&row)
}

/// Saves a report under a name (1–200 characters).
pub async fn save(app: &App, actor: &Actor, name: &str, spec: &PivotSpec) -> AppResult<i64> {
    access::authorize(actor, Action::StatisticsRead)?;
    spec.validate()?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::Invalid(vec![FieldError::new("name", "length")]));
    }
    let spec = serde_json::to_string(spec)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("saved report spec: {e}")))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reports (name, spec, created_by, created_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(spec)
    .bind(actor.user_id)
    .bind(actor.username.clone())
    .bind(crate::clock::now())
    .fetch_one(&app.db.pool)
    .await?;
    Ok(id)
}

/// Deletes a saved report: its author, or a province officer or administrator.
pub async fn delete(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    access::authorize(actor, Action::StatisticsRead)?;
    let owner: Option<Option<i64>> =
        sqlx::query_scalar("SELECT created_by FROM reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&app.db.pool)
            .await?;
    let owner = owner.ok_or(AppError::NotFound)?;
    let privileged = matches!(
        actor.role,
        domain::Role::Admin | domain::Role::ProvinceOfficer
    );
    if !privileged && (owner.is_none() || owner != actor.user_id) {
        return Err(AppError::Forbidden);
    }
    sqlx::query("DELETE FROM reports WHERE id = $1")
        .bind(id)
        .execute(&app.db.pool)
        .await?;
    Ok(())
}
