//! Reconciliation of two agencies' lists in a survey round (issue 8; the
//! survey plan asks the police and the Fatherland Front to "compare, verify
//! and agree one set of figures" and to visit households again where they
//! disagree), re-verification visits, and growth between two rounds.
//!
//! A person is *in* a source's list for a round when one of its
//! `person_sources` has that agency and round. Once duplicates are merged
//! (see `matching`), a person both lists name carries both sources: it is
//! *matched*; when the rows the two agencies supplied disagree on a key
//! field it is *conflicting*. Pending candidate pairs between the two
//! "only in" sides are counted as awaiting review.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::registry::people;
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Fields compared between the two agencies' rows of a matched person.
pub const COMPARED: &[&str] = &[
    "birth_date",
    "gender",
    "country",
    "hometown_code",
    "category",
    "passport_no",
];

/// A compared field's name in the (Vietnamese) visit list.
fn compared_vi(field: &str) -> &str {
    match field {
        "birth_date" => "Ngày sinh",
        "gender" => "Giới tính",
        "country" => "Quốc gia",
        "hometown_code" => "Quê quán",
        "category" => "Nhóm",
        "passport_no" => "Số hộ chiếu",
        other => other,
    }
}

/// Visit results (they become the record's verification status).
pub const RESULTS: &[&str] = &["police", "fatherland_front", "both", "disputed"];

/// What to reconcile.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReconcileQuery {
    /// Survey round code.
    #[param(inline, value_type = crate::api_schema::NotBlank, required = true)]
    pub round: String,
    /// First agency (default `police`).
    #[param(schema_with = crate::api_schema::agency)]
    pub a: String,
    /// Second agency (default `fatherland_front`).
    #[param(schema_with = crate::api_schema::agency)]
    pub b: String,
    /// New commune code (empty: the whole jurisdiction).
    pub commune: String,
}

impl ReconcileQuery {
    /// The two agencies, `police` and `fatherland_front` when not given.
    pub fn sources(&self) -> (String, String) {
        let pick = |v: &str, d: &str| {
            if v.trim().is_empty() {
                d.to_owned()
            } else {
                v.trim().to_owned()
            }
        };
        (pick(&self.a, "police"), pick(&self.b, "fatherland_front"))
    }
}

/// One person of the reconciliation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReconRow {
    pub person_id: i64,
    pub full_name: String,
    pub birth_date: Option<String>,
    pub country: String,
    pub commune: Option<String>,
    /// `matched`, `conflict`, `only_a`, `only_b`.
    pub class: String,
    /// Fields the two agencies' rows disagree on.
    pub conflicts: Vec<String>,
    pub verification: String,
    /// A household at home to visit (head, address), when one is recorded.
    pub household: Option<String>,
}

/// Counts of one commune.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct CommuneCount {
    /// New commune code ("" when unknown).
    pub commune: String,
    pub commune_name: String,
    pub in_a: i64,
    pub in_b: i64,
    /// In both lists and agreeing.
    pub agreed: i64,
    /// In both lists, disagreeing on a field.
    pub conflicting: i64,
    pub only_a: i64,
    pub only_b: i64,
    /// Candidate pairs between the two "only" sides awaiting review.
    pub pending_pairs: i64,
}

/// The reconciliation of two lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reconciliation {
    pub round: String,
    pub a: String,
    pub b: String,
    pub communes: Vec<CommuneCount>,
    pub total: CommuneCount,
    pub rows: Vec<ReconRow>,
}

/// Survey rounds known to the registry (declared ones and those imports used).
pub async fn rounds(app: &App, actor: &Actor) -> AppResult<Vec<String>> {
    // Round codes are not personal data: statistics readers see them too.
    access::authorize(actor, Action::StatisticsRead)?;
    let mut out: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM survey_rounds UNION SELECT DISTINCT survey_round FROM person_sources \
         WHERE survey_round <> ''",
    )
    .fetch_all(&app.db.pool)
    .await?;
    out.sort();
    out.dedup();
    out.reverse();
    Ok(out)
}

struct Seen {
    name: String,
    birth: Option<String>,
    country: String,
    commune: Option<String>,
    verification: String,
    /// Agency → the row data of its (first) source in the round, if imported.
    rows: HashMap<String, Option<serde_json::Value>>,
}

/// Reconciles two agencies' lists of a round within the actor's jurisdiction.
#[allow(
    clippy::many_single_char_names,
    reason = "a and b are the two lists, as in the issue"
)]
pub async fn reconcile(app: &App, actor: &Actor, q: &ReconcileQuery) -> AppResult<Reconciliation> {
    access::authorize(actor, Action::PersonList)?;
    let round = q.round.trim().to_owned();
    if round.is_empty() {
        return Err(AppError::invalid_field("round", "required"));
    }
    let (a, b) = q.sources();
    for (field, v) in [("a", &a), ("b", &b)] {
        if domain::Agency::from_code(v).is_err() {
            return Err(AppError::invalid_field(field, "invalid_code"));
        }
    }
    if a == b {
        return Err(AppError::invalid_field("b", "same_source"));
    }
    let scope = access::person_scope(actor, 4);
    let mut sql = format!(
        "SELECT p.id, p.full_name, p.birth_date, p.country, p.hometown_new_code, p.verification, \
         ps.agency, ir.data FROM persons p \
         JOIN person_sources ps ON ps.person_id = p.id \
         LEFT JOIN import_rows ir ON ir.import_id = ps.import_id AND ir.row_no = ps.row_no \
         WHERE p.deleted_at IS NULL AND ps.survey_round = $1 AND ps.agency IN ($2, $3) AND {}",
        scope.sql
    );
    let mut args = vec![round.clone(), a.clone(), b.clone()];
    args.extend(scope.args);
    if !q.commune.trim().is_empty() {
        // A code, the picker's label or a commune's name.
        let code = crate::registry::values::filter_code(
            "commune",
            &q.commune,
            Some(&app.settings.home_province),
        )
        .map_err(|e| AppError::Invalid(vec![e]))?;
        args.push(code);
        let _ = write!(sql, " AND p.hometown_new_code = ${}", args.len());
    }
    sql.push_str(" ORDER BY p.id, ps.id");
    let mut query = sqlx::query(&sql);
    for v in &args {
        query = query.bind(v);
    }
    let rows = query.fetch_all(&app.db.pool).await?;
    let mut people: BTreeMap<i64, Seen> = BTreeMap::new();
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let agency: String = r.try_get(6)?;
        let data: Option<String> = r.try_get(7)?;
        let seen = match people.entry(id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(Seen {
                name: r.try_get(1)?,
                birth: r.try_get(2)?,
                country: r.try_get(3)?,
                commune: r.try_get(4)?,
                verification: r.try_get(5)?,
                rows: HashMap::new(),
            }),
        };
        let parsed = data
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .map(|v| v.get("person").cloned().unwrap_or(v));
        seen.rows.entry(agency).or_insert(parsed);
    }
    drop(rows);

    // Pending pairs across the two "only" sides.
    let only: HashMap<i64, bool> = people
        .iter()
        .filter(|(_, s)| s.rows.len() == 1)
        .map(|(id, s)| (*id, s.rows.contains_key(&a)))
        .collect();
    let pairs: Vec<(i64, i64)> = if only.is_empty() {
        Vec::new()
    } else {
        let pending = sqlx::query(
            "SELECT a_id, b_id FROM match_pairs WHERE status IN ('pending', 'skipped')",
        )
        .fetch_all(&app.db.pool)
        .await?;
        pending
            .iter()
            .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get(1).ok()?)))
            .filter(|(x, y)| match (only.get(x), only.get(y)) {
                (Some(p), Some(q)) => p != q,
                _ => false,
            })
            .collect()
    };
    let mut pending_by_commune: HashMap<String, i64> = HashMap::new();
    for (x, _) in &pairs {
        let c = people
            .get(x)
            .and_then(|s| s.commune.clone())
            .unwrap_or_default();
        *pending_by_commune.entry(c).or_default() += 1;
    }

    let households = households_of(app, people.keys().copied().collect()).await?;
    let mut communes: BTreeMap<String, CommuneCount> = BTreeMap::new();
    let mut out = Vec::with_capacity(people.len());
    for (id, s) in people {
        let in_a = s.rows.contains_key(&a);
        let in_b = s.rows.contains_key(&b);
        let conflicts: Vec<String> = match (s.rows.get(&a), s.rows.get(&b)) {
            (Some(Some(x)), Some(Some(y))) => COMPARED
                .iter()
                .filter(|f| {
                    let (u, v) = (x.get(**f), y.get(**f));
                    let blank = |w: Option<&serde_json::Value>| {
                        w.is_none_or(|w| w.is_null() || w.as_str() == Some(""))
                    };
                    !blank(u) && !blank(v) && u != v
                })
                .map(|f| (*f).to_owned())
                .collect(),
            _ => Vec::new(),
        };
        let class = match (in_a, in_b) {
            (true, true) if conflicts.is_empty() => "matched",
            (true, true) => "conflict",
            (true, false) => "only_a",
            _ => "only_b",
        };
        let key = s.commune.clone().unwrap_or_default();
        let c = communes.entry(key.clone()).or_insert_with(|| CommuneCount {
            commune_name: domain::geo::new_commune(&key)
                .map(|c| c.name.to_owned())
                .unwrap_or_default(),
            commune: key,
            ..CommuneCount::default()
        });
        c.in_a += i64::from(in_a);
        c.in_b += i64::from(in_b);
        match class {
            "matched" => c.agreed += 1,
            "conflict" => c.conflicting += 1,
            "only_a" => c.only_a += 1,
            _ => c.only_b += 1,
        }
        out.push(ReconRow {
            person_id: id,
            full_name: s.name,
            birth_date: s.birth,
            country: s.country,
            commune: s.commune,
            class: class.to_owned(),
            conflicts,
            verification: s.verification,
            household: households.get(&id).cloned(),
        });
    }
    let mut total = CommuneCount::default();
    for (k, c) in &mut communes {
        c.pending_pairs = pending_by_commune.get(k).copied().unwrap_or(0);
        total.in_a += c.in_a;
        total.in_b += c.in_b;
        total.agreed += c.agreed;
        total.conflicting += c.conflicting;
        total.only_a += c.only_a;
        total.only_b += c.only_b;
        total.pending_pairs += c.pending_pairs;
    }
    Ok(Reconciliation {
        round,
        a,
        b,
        communes: communes.into_values().collect(),
        total,
        rows: out,
    })
}

/// "Head — address" of a household of each person, when one is recorded.
async fn households_of(app: &App, ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        // Integers, inlined.
        let rows = sqlx::query(&format!(
            "SELECT r.person_id, h.head_name, h.address FROM relatives r \
             JOIN households h ON h.id = r.household_id \
             WHERE r.deleted_at IS NULL AND h.deleted_at IS NULL AND r.person_id IN ({}) \
             ORDER BY r.person_id, h.id",
            list.join(", ")
        ))
        .fetch_all(&app.db.pool)
        .await?;
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let head: String = r.try_get(1)?;
            let address: String = r.try_get(2)?;
            out.entry(id).or_insert_with(|| {
                if address.is_empty() {
                    head
                } else {
                    format!("{head} — {address}")
                }
            });
        }
    }
    Ok(out)
}

/// The re-verification list: everyone not agreed by both lists, as an
/// xlsx (audited as an export of personal data).
pub async fn visit_list_xlsx(app: &App, actor: &Actor, q: &ReconcileQuery) -> AppResult<Vec<u8>> {
    access::authorize(actor, Action::PersonExport)?;
    let r = reconcile(app, actor, q).await?;
    let rows: Vec<&ReconRow> = r.rows.iter().filter(|x| x.class != "matched").collect();
    let bytes = visit_xlsx(&r, &rows).map_err(|e| anyhow::anyhow!("xlsx: {e}"))?;
    audit_export(app, actor, &r, rows.len(), "xlsx").await?;
    Ok(bytes)
}

/// The same list as a Word document in the layout of an official list
/// (issuing body, national motto, numbered table, signature block).
pub async fn visit_list_docx(
    app: &App,
    actor: &Actor,
    q: &ReconcileQuery,
    ctx: &crate::stats::export::ExportContext,
) -> AppResult<Vec<u8>> {
    access::authorize(actor, Action::PersonExport)?;
    let r = reconcile(app, actor, q).await?;
    let rows: Vec<&ReconRow> = r.rows.iter().filter(|x| x.class != "matched").collect();
    let table = crate::stats::export::DocTable {
        caption: "Người cần xác minh lại".to_owned(),
        head: VISIT_HEAD[1..VISIT_HEAD.len() - 1]
            .iter()
            .map(|h| (*h).to_owned())
            .collect(),
        rows: rows.iter().map(|x| visit_cells(x)).collect(),
        right_from: usize::MAX,
        total: None,
    };
    let subtitle = format!(
        "(Đợt khảo sát {}; {} và {}; phạm vi: {})",
        r.round,
        agency_vi(&r.a),
        agency_vi(&r.b),
        ctx.scope
    );
    let bytes = crate::stats::export::official_docx(ctx, "DANH SÁCH", &subtitle, &[table], &[])?;
    audit_export(app, actor, &r, rows.len(), "docx").await?;
    Ok(bytes)
}

async fn audit_export(
    app: &App,
    actor: &Actor,
    r: &Reconciliation,
    rows: usize,
    format: &str,
) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("reconcile.export", "survey_round", &r.round).with(serde_json::json!({
            "a": r.a, "b": r.b, "rows": rows, "format": format,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn agency_vi(code: &str) -> &str {
    domain::Agency::from_code(code).map_or(code, |x| x.label("vi"))
}

/// Columns of the re-verification list (the xlsx has them all; the docx
/// drops the first, its own numbering, and the last, the note).
const VISIT_HEAD: [&str; 11] = [
    "STT",
    "Mã hồ sơ",
    "Họ và tên",
    "Ngày sinh",
    "Quốc gia",
    "Xã/phường",
    "Tình trạng",
    "Chênh lệch",
    "Hộ gia đình cần đến",
    "Kết quả xác minh",
    "Ghi chú",
];

/// One person of the list, from "Mã hồ sơ" to "Kết quả xác minh" (left blank to fill in).
fn visit_cells(x: &ReconRow) -> Vec<String> {
    let class = match x.class.as_str() {
        "conflict" => "Hai danh sách khác nhau",
        "only_a" => "Chỉ có trong danh sách thứ nhất",
        "only_b" => "Chỉ có trong danh sách thứ hai",
        _ => "Khớp",
    };
    vec![
        x.person_id.to_string(),
        x.full_name.clone(),
        domain::dates::show(x.birth_date.as_deref().unwrap_or_default()),
        domain::geo::country(&x.country)
            .map_or_else(|| x.country.clone(), |c| c.name_vi.to_owned()),
        x.commune
            .as_deref()
            .and_then(domain::geo::new_commune)
            .map_or_else(String::new, |c| c.name.to_owned()),
        class.to_owned(),
        x.conflicts
            .iter()
            .map(|f| compared_vi(f))
            .collect::<Vec<_>>()
            .join(", "),
        x.household.clone().unwrap_or_default(),
        String::new(),
    ]
}

fn visit_xlsx(
    r: &Reconciliation,
    rows: &[&ReconRow],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách xác minh")?;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "DANH SÁCH HỘ CẦN XÁC MINH LẠI — đợt {} — {} / {}",
            r.round,
            agency_vi(&r.a),
            agency_vi(&r.b),
        ),
        &bold,
    )?;
    for (c, h) in VISIT_HEAD.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (i, x) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_number(row, 0, (i + 1) as f64)?;
        for (c, v) in visit_cells(x).iter().enumerate() {
            if c == 0 {
                sheet.write_number(row, 1, x.person_id as f64)?;
            } else {
                // Text as typed, never a formula.
                sheet.write_string(row, c as u16 + 1, domain::text::spreadsheet_safe(v))?;
            }
        }
    }
    sheet.set_column_width(2, 28)?;
    sheet.set_column_width(8, 40)?;
    sheet.set_column_width(9, 20)?;
    book.save_to_buffer()
}

/// The schema of a visit's result (required).
fn visit_result() -> utoipa::openapi::schema::Object {
    crate::api_schema::one_of(
        RESULTS,
        "What the visit found: on the police's list, the Front's, both, or disputed.",
    )
}

/// A visit's result.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    pub person_id: i64,
    #[schema(schema_with = visit_result)]
    pub result: String,
    #[serde(default)]
    pub round: String,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    pub visited_on: String,
    #[serde(default)]
    pub note: String,
}

/// Records a re-verification visit; the record's verification status
/// becomes its result (a new version, audited).
pub async fn record_visit(app: &App, actor: &Actor, v: &VisitInput) -> AppResult<i64> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut errors = Vec::new();
    if !RESULTS.contains(&v.result.as_str()) {
        errors.push(FieldError::new("result", "invalid_choice"));
    }
    let note = v.note.trim();
    if note.chars().count() > 2000 || domain::text::has_forbidden_control(note) {
        errors.push(FieldError::new("note", "too_long"));
    }
    let today = clock::today();
    // Day first as people type it (06/12/2026) or ISO (the API).
    let on = if v.visited_on.trim().is_empty() {
        Some(today.clone())
    } else {
        domain::dates::read_day(&v.visited_on)
    };
    let valid_date = on.is_some();
    let on = on.unwrap_or_default();
    if !valid_date {
        errors.push(FieldError::new("visited_on", "invalid_date"));
    } else if on > today {
        errors.push(FieldError::new("visited_on", "in_future"));
    }
    if v.round.chars().count() > 64 {
        errors.push(FieldError::new("round", "too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = app.db.begin_write().await?;
    let current = people::load(&mut tx.tx, actor, v.person_id).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::invalid_field("person_id", "record_deleted"));
    }
    let now = clock::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO verification_visits (person_id, survey_round, result, note, visited_on, \
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(v.person_id)
    .bind(v.round.trim())
    .bind(&v.result)
    .bind(note)
    .bind(&on)
    .bind(actor.user_id)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?;
    if current.data.verification != v.result {
        let mut data = current.data.clone();
        data.verification.clone_from(&v.result);
        people::write(
            &mut tx,
            app,
            actor,
            &current,
            &data,
            &format!("verification visit {on}: {}", v.result),
            "person.verify",
        )
        .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("verification.visit", "person", &v.person_id)
            .with(serde_json::json!({"visit": id, "result": v.result, "round": v.round})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Counts of one group in two rounds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GrowthRow {
    pub key: String,
    pub label: String,
    pub from: i64,
    pub to: i64,
    pub change: i64,
}

/// Growth between two rounds, by category, by new commune and by legacy district.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Growth {
    pub from: String,
    pub to: String,
    pub total: GrowthRow,
    pub by_category: Vec<GrowthRow>,
    pub by_commune: Vec<GrowthRow>,
    pub by_legacy_district: Vec<GrowthRow>,
}

/// People named by any list of a round, counted per group, in both rounds.
pub async fn growth(app: &App, actor: &Actor, from: &str, to: &str) -> AppResult<Growth> {
    access::authorize(actor, Action::StatisticsRead)?;
    let (from, to) = (from.trim(), to.trim());
    if from.is_empty() {
        return Err(AppError::invalid_field("from", "required"));
    }
    if to.is_empty() {
        return Err(AppError::invalid_field("to", "required"));
    }
    let count = |column: &'static str| {
        let scope = access::person_scope(actor, 3);
        let sql = format!(
            "SELECT ps.survey_round, COALESCE(p.{column}, ''), COUNT(DISTINCT p.id) FROM persons p \
             JOIN person_sources ps ON ps.person_id = p.id \
             WHERE p.deleted_at IS NULL AND ps.survey_round IN ($1, $2) AND {} \
             GROUP BY ps.survey_round, COALESCE(p.{column}, '')",
            scope.sql
        );
        (sql, scope.args)
    };
    let mut groups: Vec<Vec<GrowthRow>> = Vec::new();
    for (column, label) in [
        ("category", 0u8),
        ("hometown_new_code", 1),
        ("hometown_legacy_district", 2),
    ] {
        let (sql, args) = count(column);
        let mut q = sqlx::query(&sql).bind(from).bind(to);
        for a in &args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(&app.db.pool).await?;
        let mut map: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in &rows {
            let round: String = r.try_get(0)?;
            let key: String = r.try_get(1)?;
            let n: i64 = r.try_get(2)?;
            let e = map.entry(key).or_default();
            if round == from {
                e.0 += n;
            }
            if round == to {
                e.1 += n;
            }
        }
        groups.push(
            map.into_iter()
                .map(|(key, (f, t))| GrowthRow {
                    label: match label {
                        0 => domain::Category::from_code(&key)
                            .ok()
                            .map_or_else(|| key.clone(), |c| c.label("vi").to_owned()),
                        1 => domain::geo::new_commune(&key)
                            .map_or_else(|| key.clone(), |c| c.name.to_owned()),
                        _ => domain::geo::legacy_district(&key)
                            .map_or_else(|| key.clone(), |d| d.name.to_owned()),
                    },
                    key,
                    from: f,
                    to: t,
                    change: t - f,
                })
                .collect(),
        );
    }
    let by_legacy_district = groups.pop().unwrap_or_default();
    let by_commune = groups.pop().unwrap_or_default();
    let by_category = groups.pop().unwrap_or_default();
    // Everyone has exactly one category: the rows by category add up to the
    // people each round's lists named.
    let totals = by_category
        .iter()
        .fold([0i64; 2], |t, r| [t[0] + r.from, t[1] + r.to]);
    Ok(Growth {
        from: from.to_owned(),
        to: to.to_owned(),
        total: GrowthRow {
            key: String::new(),
            label: String::new(),
            from: totals[0],
            to: totals[1],
            change: totals[1] - totals[0],
        },
        by_category,
        by_commune,
        by_legacy_district,
    })
}
