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
//!
//! Issue 20 §2: a pair of records, one on each side, that the matcher
//! links with high probability (at or above the linkage model's match
//! threshold) counts as agreed at once (class `linked`), without waiting
//! for a reviewer to merge it; less certain pairs are listed with their
//! review links. Visits are planned (assignee, due date) and done; a visit
//! where both agencies confirm moves the person to agreed (class
//! `visited`) and off the visit list. A round is declared (name, period,
//! communes, the two lists); when both agencies have signed the same
//! agreed figures it is locked: visits and imports then go to the next
//! round.

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
    /// `matched`, `linked` (the matcher links this record to one on the
    /// other list), `visited` (a visit found both agencies agree),
    /// `conflict`, `only_a`, `only_b`.
    pub class: String,
    /// For `linked`: the other list's record.
    pub linked_with: Option<i64>,
    /// Fields the two agencies' rows disagree on.
    pub conflicts: Vec<String>,
    pub verification: String,
    /// Where to visit at home: the household (head, address) when one is
    /// recorded, and the commune by its new and old names.
    pub household: Option<String>,
    /// The visit planned or made in this round, if any.
    pub visit: Option<Visit>,
}

/// A re-verification visit of a round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Visit {
    pub id: i64,
    /// `planned`, `overdue` (planned, due before today) or `done`.
    pub state: String,
    /// Who goes (display name), when assigned.
    pub assignee: Option<String>,
    /// YYYY-MM-DD.
    pub due_on: Option<String>,
    /// The result when done (one of [`RESULTS`]).
    pub result: Option<String>,
    pub visited_on: Option<String>,
}

/// A candidate pair across the two lists that the matcher is not sure of:
/// a reviewer decides it (`/review/pairs/{pair_id}`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UncertainPair {
    pub pair_id: i64,
    pub a_id: i64,
    pub a_name: String,
    pub b_id: i64,
    pub b_name: String,
    pub probability: f64,
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
    /// Pairs across the lists awaiting a reviewer.
    pub uncertain: Vec<UncertainPair>,
    /// The declared round, its signatures and lock, when declared.
    pub declared: Option<Round>,
    /// The commune the run is limited to, in words ("" for the whole scope).
    pub commune_name: String,
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
    legacy_commune: Option<String>,
    verification: String,
    /// Agency → the row data of its (first) source in the round, if imported.
    rows: HashMap<String, Option<serde_json::Value>>,
}

/// Reconciles two agencies' lists of a round within the actor's jurisdiction.
#[allow(
    clippy::many_single_char_names,
    clippy::too_many_lines,
    reason = "a and b are the two lists, as in the issue; one pass over the lists"
)]
pub async fn reconcile(app: &App, actor: &Actor, q: &ReconcileQuery) -> AppResult<Reconciliation> {
    access::authorize(actor, Action::PersonList)?;
    let round = q.round.trim().to_owned();
    if round.is_empty() {
        return Err(AppError::invalid_field("round", "required"));
    }
    let declared = round_of(app, &round).await?;
    let (a, b) = match &declared {
        // A declared round names its lists; the query may still choose others.
        Some(d) if q.a.trim().is_empty() && q.b.trim().is_empty() => {
            (d.list_a.clone(), d.list_b.clone())
        }
        _ => q.sources(),
    };
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
         ps.agency, ir.data, p.hometown_legacy_code FROM persons p \
         JOIN person_sources ps ON ps.person_id = p.id \
         LEFT JOIN import_rows ir ON ir.import_id = ps.import_id AND ir.row_no = ps.row_no \
         WHERE p.deleted_at IS NULL AND ps.survey_round = $1 AND ps.agency IN ($2, $3) AND {}",
        scope.sql
    );
    let mut args = vec![round.clone(), a.clone(), b.clone()];
    args.extend(scope.args);
    let mut commune_name = String::new();
    if !q.commune.trim().is_empty() {
        // A code, the picker's label or a commune's name.
        let code = crate::registry::values::filter_code(
            "commune",
            &q.commune,
            Some(&app.settings.home_province),
        )
        .map_err(|e| AppError::Invalid(vec![e]))?;
        commune_name =
            domain::geo::new_commune(&code).map_or_else(|| code.clone(), |c| c.name.to_owned());
        args.push(code);
        let _ = write!(sql, " AND p.hometown_new_code = ${}", args.len());
    } else if let Some(d) = declared.as_ref().filter(|d| !d.communes.is_empty()) {
        // The round's communes.
        let first = args.len() + 1;
        let marks: Vec<String> = (0..d.communes.len())
            .map(|i| format!("${}", first + i))
            .collect();
        args.extend(d.communes.iter().cloned());
        let _ = write!(sql, " AND p.hometown_new_code IN ({})", marks.join(", "));
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
                legacy_commune: r.try_get(8)?,
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

    // Pairs across the two "only" sides: linked at once when the matcher
    // is sure, listed for review otherwise.
    let only: HashMap<i64, bool> = people
        .iter()
        .filter(|(_, s)| s.rows.len() == 1)
        .map(|(id, s)| (*id, s.rows.contains_key(&a)))
        .collect();
    let mut pairs: Vec<(i64, i64, i64, f64)> = if only.is_empty() {
        Vec::new()
    } else {
        let pending = sqlx::query(
            "SELECT id, a_id, b_id, probability FROM match_pairs \
             WHERE status IN ('pending', 'skipped')",
        )
        .fetch_all(&app.db.pool)
        .await?;
        let mut out = Vec::new();
        for r in &pending {
            let (x, y): (i64, i64) = (r.try_get(1)?, r.try_get(2)?);
            if let (Some(p), Some(q)) = (only.get(&x), only.get(&y))
                && p != q
            {
                // The first of the pair on list a.
                let (x, y) = if *p { (x, y) } else { (y, x) };
                out.push((r.try_get(0)?, x, y, r.try_get(3)?));
            }
        }
        out
    };
    // Strongest first; a record is linked once.
    pairs.sort_by(|x, y| y.3.total_cmp(&x.3).then(x.0.cmp(&y.0)));
    let threshold = linkage::Config::default().threshold;
    let mut linked: HashMap<i64, i64> = HashMap::new();
    let mut linked_b: HashMap<i64, i64> = HashMap::new();
    let mut uncertain = Vec::new();
    for &(id, x, y, p) in &pairs {
        if p >= threshold && !linked.contains_key(&x) && !linked_b.contains_key(&y) {
            linked.insert(x, y);
            linked_b.insert(y, x);
        } else if p < threshold {
            uncertain.push(UncertainPair {
                pair_id: id,
                a_id: x,
                a_name: people.get(&x).map(|s| s.name.clone()).unwrap_or_default(),
                b_id: y,
                b_name: people.get(&y).map(|s| s.name.clone()).unwrap_or_default(),
                probability: p,
            });
        }
    }
    let mut pending_by_commune: HashMap<String, i64> = HashMap::new();
    for u in &uncertain {
        let c = people
            .get(&u.a_id)
            .and_then(|s| s.commune.clone())
            .unwrap_or_default();
        *pending_by_commune.entry(c).or_default() += 1;
    }

    let ids: Vec<i64> = people.keys().copied().collect();
    let households = households_of(app, ids.clone()).await?;
    let visits = visits_of(app, &round, ids).await?;
    let mut communes: BTreeMap<String, CommuneCount> = BTreeMap::new();
    let mut out = Vec::with_capacity(people.len());
    for (id, s) in &people {
        if linked_b.contains_key(id) {
            // Counted with the record of list a it is linked to.
            continue;
        }
        let in_a = s.rows.contains_key(&a);
        let partner = linked.get(id).copied();
        let in_b = s.rows.contains_key(&b) || partner.is_some();
        let conflicts: Vec<String> = match (s.rows.get(&a), s.rows.get(&b)) {
            (Some(Some(x)), Some(Some(y))) => differences(x, y),
            _ => Vec::new(),
        };
        let visit = visits.get(id).cloned();
        let confirmed = visit
            .as_ref()
            .is_some_and(|v| v.result.as_deref() == Some("both"));
        let class = match (in_a, in_b) {
            _ if confirmed => "visited",
            (true, true) if partner.is_some() => "linked",
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
        // A confirmed visit puts the person on both lists' figures.
        c.in_a += i64::from(in_a || confirmed);
        c.in_b += i64::from(in_b || confirmed);
        match class {
            "matched" | "linked" | "visited" => c.agreed += 1,
            "conflict" => c.conflicting += 1,
            "only_a" => c.only_a += 1,
            _ => c.only_b += 1,
        }
        out.push(ReconRow {
            person_id: *id,
            full_name: s.name.clone(),
            birth_date: s.birth.clone(),
            country: s.country.clone(),
            commune: s.commune.clone(),
            class: class.to_owned(),
            linked_with: partner,
            conflicts,
            verification: s.verification.clone(),
            household: Some(households.get(id).cloned().unwrap_or_else(|| {
                commune_words(s.commune.as_deref(), s.legacy_commune.as_deref())
            }))
            .filter(|h| !h.is_empty()),
            visit,
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
        uncertain,
        declared,
        commune_name,
    })
}

/// The compared fields two agencies' rows give different values for.
fn differences(x: &serde_json::Value, y: &serde_json::Value) -> Vec<String> {
    let blank =
        |w: Option<&serde_json::Value>| w.is_none_or(|w| w.is_null() || w.as_str() == Some(""));
    COMPARED
        .iter()
        .filter(|f| {
            let (u, v) = (x.get(**f), y.get(**f));
            !blank(u) && !blank(v) && u != v
        })
        .map(|f| (*f).to_owned())
        .collect()
}

/// A commune by its new name and, where it differs, its name before
/// 1 July 2025: "Thành Sen (trước 01/7/2025: Phường Bắc Hà)".
fn commune_words(new_code: Option<&str>, legacy_code: Option<&str>) -> String {
    let new = new_code.and_then(domain::geo::new_commune).map(|c| c.name);
    let old = legacy_code
        .and_then(domain::geo::legacy_commune)
        .map(|c| c.name)
        .or_else(|| {
            // The old commune a new one succeeds, when it succeeds just one.
            let before = new_code.map(domain::geo::predecessors).unwrap_or_default();
            (before.len() == 1).then(|| before[0].name)
        });
    match (new, old) {
        (Some(n), Some(o)) if n != o => format!("{n} (trước 01/7/2025: {o})"),
        (Some(n), _) => n.to_owned(),
        (None, Some(o)) => format!("{o} (trước 01/7/2025)"),
        (None, None) => String::new(),
    }
}

/// "Head — address — commune (old name)" of a household of each person,
/// when one is recorded.
async fn households_of(app: &App, ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        // Integers, inlined.
        let rows = sqlx::query(&format!(
            "SELECT r.person_id, h.head_name, h.address, h.new_commune_code, h.legacy_commune_code \
             FROM relatives r JOIN households h ON h.id = r.household_id \
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
            let new: Option<String> = r.try_get(3)?;
            let old: Option<String> = r.try_get(4)?;
            out.entry(id).or_insert_with(|| {
                let commune = commune_words(new.as_deref(), old.as_deref());
                [head, address, commune]
                    .into_iter()
                    .filter(|x| !x.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(" — ")
            });
        }
    }
    Ok(out)
}

/// The latest visit of each person in a round (planned or done).
async fn visits_of(app: &App, round: &str, ids: Vec<i64>) -> AppResult<HashMap<i64, Visit>> {
    let mut out = HashMap::new();
    let today = clock::today();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        let rows = sqlx::query(&format!(
            "SELECT v.person_id, v.id, v.state, v.result, v.visited_on, v.due_on, \
             COALESCE(NULLIF(u.display_name, ''), u.username) \
             FROM verification_visits v LEFT JOIN users u ON u.id = v.assignee_id \
             WHERE v.survey_round = $1 AND v.person_id IN ({}) ORDER BY v.person_id, v.id",
            list.join(", ")
        ))
        .bind(round)
        .fetch_all(&app.db.pool)
        .await?;
        for r in &rows {
            let person: i64 = r.try_get(0)?;
            let state: String = r.try_get(2)?;
            let result: String = r.try_get(3)?;
            let visited_on: String = r.try_get(4)?;
            let due_on: Option<String> = r.try_get(5)?;
            let done = state == "done";
            let overdue = !done && due_on.as_deref().is_some_and(|d| d < today.as_str());
            // The latest wins (ordered by id).
            out.insert(
                person,
                Visit {
                    id: r.try_get(1)?,
                    state: if done {
                        "done"
                    } else if overdue {
                        "overdue"
                    } else {
                        "planned"
                    }
                    .to_owned(),
                    assignee: r.try_get(6)?,
                    due_on,
                    result: done.then_some(result),
                    visited_on: (done && !visited_on.is_empty()).then_some(visited_on),
                },
            );
        }
    }
    Ok(out)
}

/// Whether a row stays on the re-verification list.
pub fn to_visit(x: &ReconRow) -> bool {
    !matches!(x.class.as_str(), "matched" | "linked" | "visited")
}

/// The re-verification list: everyone not agreed by both lists, as an
/// xlsx (audited as an export of personal data).
pub async fn visit_list_xlsx(app: &App, actor: &Actor, q: &ReconcileQuery) -> AppResult<Vec<u8>> {
    access::authorize(actor, Action::PersonExport)?;
    let r = reconcile(app, actor, q).await?;
    let rows: Vec<&ReconRow> = r.rows.iter().filter(|x| to_visit(x)).collect();
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
    let rows: Vec<&ReconRow> = r.rows.iter().filter(|x| to_visit(x)).collect();
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
    let scope = if r.commune_name.is_empty() {
        ctx.scope.clone()
    } else {
        r.commune_name.clone()
    };
    let subtitle = format!(
        "(Đợt khảo sát {}; {} và {}; phạm vi: {scope})",
        r.round,
        agency_vi(&r.a),
        agency_vi(&r.b),
    );
    let notes = signature_notes(&r);
    let bytes = crate::stats::export::official_docx(ctx, "DANH SÁCH", &subtitle, &[table], &notes)?;
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

/// The agreed figures and who signed them, as the official documents say it.
fn signature_notes(r: &Reconciliation) -> Vec<String> {
    let t = &r.total;
    let mut notes = vec![format!(
        "Số liệu đối chiếu: {} có {} người, {} có {} người; thống nhất {}, khác nhau {}, \
         chỉ {} {}, chỉ {} {}.",
        agency_vi(&r.a),
        t.in_a,
        agency_vi(&r.b),
        t.in_b,
        t.agreed,
        t.conflicting,
        agency_vi(&r.a),
        t.only_a,
        agency_vi(&r.b),
        t.only_b,
    )];
    if let Some(d) = &r.declared {
        for s in &d.signatures {
            notes.push(format!(
                "Đã ký xác nhận số liệu thống nhất: {} — {}, {} ({} thống nhất).",
                agency_vi(&s.agency),
                s.signer_name,
                domain::dates::show(&s.signed_at.chars().take(10).collect::<String>()),
                s.agreed,
            ));
        }
        if d.locked_at.is_some() {
            notes.push(
                "Đợt khảo sát đã khóa số liệu; thay đổi sau được ghi vào đợt sau.".to_owned(),
            );
        }
    }
    notes
}

fn agency_vi(code: &str) -> &str {
    domain::Agency::from_code(code).map_or(code, |x| x.label("vi"))
}

/// Columns of the re-verification list (the xlsx has them all; the docx
/// drops the first, its own numbering, and the last, the note).
const VISIT_HEAD: [&str; 12] = [
    "STT",
    "Mã hồ sơ",
    "Họ và tên",
    "Ngày sinh",
    "Quốc gia",
    "Xã/phường",
    "Tình trạng",
    "Chênh lệch",
    "Hộ gia đình cần đến",
    "Cán bộ xác minh, hạn",
    "Kết quả xác minh",
    "Ghi chú",
];

/// One person of the list, from "Mã hồ sơ" to "Kết quả xác minh" (left blank to fill in).
fn visit_cells(x: &ReconRow) -> Vec<String> {
    let class = match x.class.as_str() {
        "conflict" => "Hai danh sách khác nhau",
        "only_a" => "Chỉ có trong danh sách thứ nhất",
        "only_b" => "Chỉ có trong danh sách thứ hai",
        "linked" => "Hai bản ghi được ghép là một người",
        "visited" => "Đã xác minh: cả hai xác nhận",
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
        x.visit
            .as_ref()
            .map(|v| {
                let due = v.due_on.as_deref().map(domain::dates::show);
                match (&v.assignee, due) {
                    (Some(a), Some(d)) => format!("{a}, hạn {d}"),
                    (Some(a), None) => a.clone(),
                    (None, Some(d)) => format!("hạn {d}"),
                    (None, None) => String::new(),
                }
            })
            .unwrap_or_default(),
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
    sheet.set_column_width(9, 24)?;
    sheet.set_column_width(10, 20)?;
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
    refuse_if_locked(&mut tx, v.round.trim()).await?;
    let current = people::load(&mut tx.tx, actor, v.person_id).await?;
    if current.deleted_at.is_some() {
        return Err(AppError::invalid_field("person_id", "record_deleted"));
    }
    let now = clock::now();
    // The visit planned for this person in this round is the one made.
    let planned: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM verification_visits WHERE person_id = $1 AND survey_round = $2 \
         AND state = 'planned' ORDER BY id DESC LIMIT 1",
    )
    .bind(v.person_id)
    .bind(v.round.trim())
    .fetch_optional(&mut *tx.tx)
    .await?;
    let id: i64 = if let Some(id) = planned {
        sqlx::query(
            "UPDATE verification_visits SET state = 'done', result = $1, note = $2, \
             visited_on = $3, recorded_by = $4, recorded_at = $5 WHERE id = $6",
        )
        .bind(&v.result)
        .bind(note)
        .bind(&on)
        .bind(actor.user_id)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        id
    } else {
        sqlx::query_scalar(
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
        .await?
    };
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

/// Whether a round's figures are locked, read on `conn` (a transaction's
/// or the pool's).
async fn locked_on(conn: &mut sqlx::AnyConnection, round: &str) -> AppResult<bool> {
    let locked: Option<Option<String>> =
        sqlx::query_scalar("SELECT locked_at FROM survey_rounds WHERE code = $1")
            .bind(round.trim())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(locked.flatten().is_some())
}

/// Refuses a change to a locked round (the field named is `round`).
async fn refuse_if_locked(tx: &mut db::WriteTx, round: &str) -> AppResult<()> {
    if !round.is_empty() && locked_on(&mut tx.tx, round).await? {
        return Err(AppError::invalid_field("round", "round_locked"));
    }
    Ok(())
}

/// Whether a round's figures are locked (imports into it are refused).
pub async fn is_locked(app: &App, round: &str) -> AppResult<bool> {
    let mut conn = app.db.pool.acquire().await?;
    locked_on(&mut conn, round).await
}

/// Visits to plan: who goes, by when, to whom.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    #[schema(value_type = crate::api_schema::NotBlank)]
    pub round: String,
    /// The records to visit.
    pub person_ids: Vec<i64>,
    /// The officer who goes (user name).
    #[serde(default)]
    pub assignee: String,
    /// Day it must be done by (dd/mm/yyyy or YYYY-MM-DD).
    #[serde(default)]
    pub due_on: String,
}

/// Plans visits (one per person; a still-planned visit of the same person
/// and round is replaced). Answers how many were planned. Audited.
pub async fn plan_visits(app: &App, actor: &Actor, p: &PlanInput) -> AppResult<usize> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut errors = Vec::new();
    let round = p.round.trim();
    if round.is_empty() {
        errors.push(FieldError::new("round", "required"));
    } else if round.chars().count() > 64 {
        errors.push(FieldError::new("round", "too_long"));
    }
    if p.person_ids.is_empty() {
        errors.push(FieldError::new("person_ids", "required"));
    } else if p.person_ids.len() > 5000 {
        errors.push(FieldError::new("person_ids", "too_many"));
    }
    let due = if p.due_on.trim().is_empty() {
        None
    } else {
        let d = domain::dates::read_day(&p.due_on);
        if d.is_none() {
            errors.push(FieldError::new("due_on", "invalid_date"));
        }
        d
    };
    let assignee: Option<i64> = if p.assignee.trim().is_empty() {
        None
    } else {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE username = $1 AND disabled = 0 \
             AND role IN ('admin', 'province_officer', 'commune_officer', 'agency')",
        )
        .bind(p.assignee.trim())
        .fetch_optional(&app.db.pool)
        .await?;
        if found.is_none() {
            errors.push(FieldError::new("assignee", "unknown_user"));
        }
        found
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut ids = p.person_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = app.db.begin_write().await?;
    refuse_if_locked(&mut tx, round).await?;
    let now = clock::now();
    for id in &ids {
        // Within jurisdiction (404 otherwise), live records only.
        let current = people::load(&mut tx.tx, actor, *id).await?;
        if current.deleted_at.is_some() {
            return Err(AppError::invalid_field("person_ids", "record_deleted"));
        }
        sqlx::query(
            "DELETE FROM verification_visits WHERE person_id = $1 AND survey_round = $2 \
             AND state = 'planned'",
        )
        .bind(id)
        .bind(round)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query(
            "INSERT INTO verification_visits (person_id, survey_round, result, note, visited_on, \
             recorded_by, recorded_at, state, assignee_id, due_on) \
             VALUES ($1, $2, '', '', '', $3, $4, 'planned', $5, $6)",
        )
        .bind(id)
        .bind(round)
        .bind(actor.user_id)
        .bind(&now)
        .bind(assignee)
        .bind(due.as_deref())
        .execute(&mut *tx.tx)
        .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("verification.plan", "survey_round", &round).with(serde_json::json!({
            "people": ids, "assignee": p.assignee.trim(), "due_on": due,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// A declared survey round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Round {
    pub code: String,
    pub name: String,
    /// YYYY-MM-DD.
    pub started_on: Option<String>,
    pub ends_on: Option<String>,
    /// New commune codes ([] = the whole province).
    pub communes: Vec<String>,
    pub list_a: String,
    pub list_b: String,
    pub signatures: Vec<Signature>,
    /// When both agencies had signed the same figures.
    pub locked_at: Option<String>,
}

/// One agency's signature on a round's agreed figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Signature {
    pub agency: String,
    pub signer_name: String,
    pub signed_at: String,
    /// The agreed figure it signed, and the totals with it.
    pub agreed: i64,
    pub in_a: i64,
    pub in_b: i64,
}

/// A declared round, with its signatures.
pub async fn round_of(app: &App, code: &str) -> AppResult<Option<Round>> {
    let row = sqlx::query(
        "SELECT code, name, started_on, ends_on, communes, list_a, list_b, locked_at \
         FROM survey_rounds WHERE code = $1",
    )
    .bind(code.trim())
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let communes: String = r.try_get(4)?;
    let sigs = sqlx::query(
        "SELECT agency, signer_name, signed_at, figures FROM round_signoffs \
         WHERE round_code = $1 ORDER BY id",
    )
    .bind(code.trim())
    .fetch_all(&app.db.pool)
    .await?;
    let mut signatures = Vec::new();
    for s in &sigs {
        let figures: String = s.try_get(3)?;
        let f: serde_json::Value = serde_json::from_str(&figures).unwrap_or_default();
        let n = |k: &str| f.get(k).and_then(serde_json::Value::as_i64).unwrap_or(0);
        signatures.push(Signature {
            agency: s.try_get(0)?,
            signer_name: s.try_get(1)?,
            signed_at: s.try_get(2)?,
            agreed: n("agreed"),
            in_a: n("in_a"),
            in_b: n("in_b"),
        });
    }
    Ok(Some(Round {
        code: r.try_get(0)?,
        name: r.try_get(1)?,
        started_on: r.try_get(2)?,
        ends_on: r.try_get(3)?,
        communes: communes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect(),
        list_a: r.try_get(5)?,
        list_b: r.try_get(6)?,
        signatures,
        locked_at: r.try_get(7)?,
    }))
}

/// A round to declare.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    /// Short code used by imports ("R2026").
    #[schema(value_type = crate::api_schema::NotBlank)]
    pub code: String,
    #[schema(value_type = crate::api_schema::NotBlank)]
    pub name: String,
    /// First and last day (dd/mm/yyyy or YYYY-MM-DD).
    #[serde(default)]
    pub started_on: String,
    #[serde(default)]
    pub ends_on: String,
    /// Communes by name or code, separated by commas (empty: the whole province).
    #[serde(default)]
    pub communes: String,
    /// The two lists compared (default police and the Fatherland Front).
    #[serde(default)]
    #[schema(schema_with = crate::api_schema::agency)]
    pub list_a: String,
    #[serde(default)]
    #[schema(schema_with = crate::api_schema::agency)]
    pub list_b: String,
}

/// Declares a round (province officers and administrators). Audited.
pub async fn declare_round(app: &App, actor: &Actor, input: &RoundInput) -> AppResult<String> {
    access::authorize(actor, Action::PersonList)?;
    if !matches!(actor.jurisdiction, crate::actor::Jurisdiction::Province) {
        return Err(AppError::Forbidden);
    }
    let mut errors = Vec::new();
    let code = input.code.trim();
    if code.is_empty() {
        errors.push(FieldError::new("code", "required"));
    } else if code.chars().count() > 64 || domain::text::has_forbidden_control(code) {
        errors.push(FieldError::new("code", "too_long"));
    }
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "required"));
    } else if name.chars().count() > 200 || domain::text::has_forbidden_control(name) {
        errors.push(FieldError::new("name", "too_long"));
    }
    let mut day = |field: &'static str, v: &str| -> Option<String> {
        if v.trim().is_empty() {
            return None;
        }
        let d = domain::dates::read_day(v);
        if d.is_none() {
            errors.push(FieldError::new(field, "invalid_date"));
        }
        d
    };
    let started = day("started_on", &input.started_on);
    let ends = day("ends_on", &input.ends_on);
    if let (Some(s), Some(e)) = (&started, &ends)
        && e < s
    {
        errors.push(FieldError::new("ends_on", "before_start"));
    }
    let mut communes = Vec::new();
    for part in input
        .communes
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match crate::registry::values::filter_code(
            "commune",
            part,
            Some(&app.settings.home_province),
        ) {
            Ok(c) => communes.push(c),
            Err(_) => errors.push(FieldError::new("communes", "invalid_code")),
        }
    }
    let pick = |v: &str, d: &str| {
        if v.trim().is_empty() {
            d.to_owned()
        } else {
            v.trim().to_owned()
        }
    };
    let (a, b) = (
        pick(&input.list_a, "police"),
        pick(&input.list_b, "fatherland_front"),
    );
    for (field, v) in [("list_a", &a), ("list_b", &b)] {
        if domain::Agency::from_code(v).is_err() {
            errors.push(FieldError::new(field, "invalid_code"));
        }
    }
    if a == b {
        errors.push(FieldError::new("list_b", "same_source"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = app.db.begin_write().await?;
    let exists: Option<Option<String>> =
        sqlx::query_scalar("SELECT locked_at FROM survey_rounds WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *tx.tx)
            .await?;
    let now = clock::now();
    match exists {
        Some(Some(_)) => return Err(AppError::invalid_field("code", "round_locked")),
        Some(None) => {
            // Declared again: its details change, its signatures no longer hold.
            sqlx::query(
                "UPDATE survey_rounds SET name = $1, started_on = $2, ends_on = $3, communes = $4, \
                 list_a = $5, list_b = $6 WHERE code = $7",
            )
            .bind(name)
            .bind(started.as_deref())
            .bind(ends.as_deref())
            .bind(communes.join(","))
            .bind(&a)
            .bind(&b)
            .bind(code)
            .execute(&mut *tx.tx)
            .await?;
            sqlx::query("DELETE FROM round_signoffs WHERE round_code = $1")
                .bind(code)
                .execute(&mut *tx.tx)
                .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO survey_rounds (code, name, started_on, ends_on, communes, list_a, \
                 list_b, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(code)
            .bind(name)
            .bind(started.as_deref())
            .bind(ends.as_deref())
            .bind(communes.join(","))
            .bind(&a)
            .bind(&b)
            .bind(actor.user_id)
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?;
        }
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("round.declare", "survey_round", &code).with(serde_json::json!({
            "name": name, "started_on": started, "ends_on": ends, "communes": communes,
            "list_a": a, "list_b": b,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(code.to_owned())
}

/// The figures of a whole round, whatever the reader's own reach (counts
/// only: what the two agencies sign).
pub async fn round_figures(app: &App, round: &str) -> AppResult<CommuneCount> {
    let everyone = Actor::system("reconcile");
    let r = reconcile(
        app,
        &everyone,
        &ReconcileQuery {
            round: round.trim().to_owned(),
            ..ReconcileQuery::default()
        },
    )
    .await?;
    Ok(r.total)
}

/// A signature to record.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInput {
    /// The agency signing (an agency's own account signs for itself; a
    /// province officer records the signature from the signed minutes).
    #[serde(default)]
    #[schema(schema_with = crate::api_schema::agency)]
    pub agency: String,
    /// The name of the person signing for the agency.
    #[serde(default)]
    pub signer_name: String,
}

/// What signing did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignOutcome {
    /// Agencies that have signed.
    pub signed: Vec<String>,
    pub locked: bool,
}

/// Records an agency's signature on the agreed figures of a declared round
/// as they stand now (the whole round, whoever signs); when both lists'
/// agencies have signed the same figures, the round is locked. Audited.
pub async fn sign_off(
    app: &App,
    actor: &Actor,
    round: &str,
    input: &SignInput,
) -> AppResult<SignOutcome> {
    access::authorize(actor, Action::PersonList)?;
    let Some(d) = round_of(app, round).await? else {
        return Err(AppError::NotFound);
    };
    let agency = match &actor.jurisdiction {
        crate::actor::Jurisdiction::Agency(own) => own.clone(),
        crate::actor::Jurisdiction::Province => input.agency.trim().to_owned(),
        _ => return Err(AppError::Forbidden),
    };
    if agency != d.list_a && agency != d.list_b {
        return Err(AppError::invalid_field("agency", "not_in_round"));
    }
    let signer = input.signer_name.trim();
    if signer.is_empty() {
        return Err(AppError::invalid_field("signer_name", "required"));
    }
    if signer.chars().count() > 200 || domain::text::has_forbidden_control(signer) {
        return Err(AppError::invalid_field("signer_name", "too_long"));
    }
    if d.locked_at.is_some() {
        return Err(AppError::invalid_field("round", "round_locked"));
    }
    let t = &round_figures(app, &d.code).await?;
    let figures = serde_json::json!({
        "in_a": t.in_a, "in_b": t.in_b, "agreed": t.agreed, "conflicting": t.conflicting,
        "only_a": t.only_a, "only_b": t.only_b,
    });
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    sqlx::query("DELETE FROM round_signoffs WHERE round_code = $1 AND agency = $2")
        .bind(&d.code)
        .bind(&agency)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "INSERT INTO round_signoffs (round_code, agency, signer_name, recorded_by, figures, \
         signed_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&d.code)
    .bind(&agency)
    .bind(signer)
    .bind(actor.user_id)
    .bind(figures.to_string())
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    let all: Vec<(String, String)> =
        sqlx::query_as("SELECT agency, figures FROM round_signoffs WHERE round_code = $1")
            .bind(&d.code)
            .fetch_all(&mut *tx.tx)
            .await?;
    let both = [&d.list_a, &d.list_b]
        .iter()
        .all(|x| all.iter().any(|(a, _)| a == *x));
    let same = all
        .iter()
        .all(|(_, f)| serde_json::from_str::<serde_json::Value>(f).ok().as_ref() == Some(&figures));
    let locked = both && same;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("round.sign_off", "survey_round", &d.code).with(serde_json::json!({
            "agency": agency, "signer_name": signer, "figures": figures,
        })),
    )
    .await?;
    if locked {
        sqlx::query("UPDATE survey_rounds SET locked_at = $1 WHERE code = $2")
            .bind(&now)
            .bind(&d.code)
            .execute(&mut *tx.tx)
            .await?;
        audit::append(
            &mut tx,
            app,
            actor,
            Event::new("round.lock", "survey_round", &d.code).with(figures.clone()),
        )
        .await?;
    }
    tx.commit().await?;
    let mut signed: Vec<String> = all.into_iter().map(|(a, _)| a).collect();
    signed.sort();
    Ok(SignOutcome { signed, locked })
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
