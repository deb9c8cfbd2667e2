//! One person, one record (issue 8): the registry's duplicate scan, the
//! review queue of candidate pairs with their explanations, merge with a
//! per-field choice of value, and unmerge.
//!
//! The scan feeds the live people the actor may see to the `linkage` engine
//! (Fellegi–Sunter with EM, guarded clustering) and stores every pair at or
//! above its review threshold in `match_pairs`, once: a pair already decided
//! is never proposed again. A merge keeps one record (its new version holds
//! the chosen values, both names and the union of lists), moves the other's
//! sources and relatives to it and soft-deletes the other as "merged"; the
//! `merges` row remembers the versions and what moved, so that unmerge puts
//! both records back as they were. Every step is audited.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::registry::people::{self, Person, PersonData};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Pair statuses.
pub const STATUSES: &[&str] = &["pending", "skipped", "accepted", "rejected"];

/// Fields a reviewer may take from the merged record. Lists (other names,
/// tags, nationalities, social accounts, associations) are always united.
pub const CHOOSABLE: &[&str] = &[
    "full_name",
    "gender",
    "birth_date",
    "category",
    "generation",
    "country",
    "region_abroad",
    "city_abroad",
    "address_abroad",
    "hometown_text",
    "hometown_code",
    "hometown_legacy_code",
    "departure_year",
    "passport_no",
    "id_no",
    "phone",
    "email",
    "occupation",
    "education",
    "expertise",
    "enterprise",
    "status",
    "consent",
    "verification",
    "notes",
    "income_bracket",
    "remittance",
];

const UNITED: &[&str] = &[
    "other_names",
    "tags",
    "nationalities",
    "social",
    "associations",
];

/// What a scan found.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScanSummary {
    /// Live records compared.
    pub people: usize,
    /// Pairs the blocking proposed and the model scored.
    pub candidate_pairs: usize,
    /// Pairs at or above the review threshold.
    pub scored_pairs: usize,
    /// Of those, pairs not seen before (added to the queue).
    pub new_pairs: usize,
    /// New pairs above the match threshold (very likely the same person).
    pub likely: usize,
    /// Pending pairs among the compared records that the scan no longer
    /// proposes, withdrawn from the queue.
    pub withdrawn: usize,
}

/// One line of an explanation: how a field compared and what it weighed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExplainRow {
    pub field: String,
    pub level: String,
    /// agree, partial, disagree or missing.
    pub outcome: String,
    /// Contribution to the match weight, in bits.
    pub weight: f64,
}

/// A candidate pair in the queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairRow {
    pub id: i64,
    pub a_id: i64,
    pub a_name: String,
    pub b_id: i64,
    pub b_name: String,
    pub probability: f64,
    pub status: String,
    pub found_by: String,
}

/// Filters of the queue.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[serde(default)]
pub struct QueueFilter {
    /// pending (default), skipped, accepted or rejected.
    pub status: String,
    /// New commune code of either record.
    pub commune: String,
    /// Agency that supplied either record.
    pub source: String,
    /// What proposed the pair: `scan`, or `import:ID`.
    pub found_by: String,
}

/// A field of the two records side by side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldDiff {
    pub field: String,
    pub a: String,
    pub b: String,
    pub differs: bool,
    /// The reviewer may choose which value the merged record keeps.
    pub choosable: bool,
}

/// A pair opened for review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairView {
    pub id: i64,
    pub status: String,
    pub probability: f64,
    pub weight: f64,
    pub found_by: String,
    pub a: Person,
    pub b: Person,
    pub a_sources: Vec<String>,
    pub b_sources: Vec<String>,
    pub explanation: Vec<ExplainRow>,
    pub fields: Vec<FieldDiff>,
}

/// A reviewer's decision that is not a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Not the same person: never proposed again.
    Reject,
    /// Decide later: moves to the end of the queue.
    Skip,
    /// Back to the queue.
    Reopen,
}

/// A merge request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The record that stays.
    pub kept_id: i64,
    /// The record merged into it (then marked deleted, "merged").
    pub merged_id: i64,
    /// Versions the reviewer saw (a change since refuses the merge).
    pub kept_version: i64,
    pub merged_version: i64,
    /// The pair this merge decides, if any.
    #[serde(default)]
    pub pair_id: Option<i64>,
    /// Field → "kept" or "merged": whose value the merged record keeps.
    /// Unlisted fields keep the kept record's value, or the merged record's
    /// when the kept one is empty.
    #[serde(default)]
    pub choices: BTreeMap<String, String>,
}

/// A merge as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MergeRow {
    pub id: i64,
    pub kept_id: i64,
    pub kept_name: String,
    pub merged_id: i64,
    pub merged_name: String,
    pub merged_at: String,
    pub undone_at: Option<String>,
}

/// The pair's two ids in stored order.
fn ordered(a: i64, b: i64) -> (i64, i64) {
    if a < b { (a, b) } else { (b, a) }
}

// ------------------------------------------------------------------- scan

struct Candidate {
    id: i64,
    commune: Option<String>,
}

/// Compares the live records the actor may see and queues the likely pairs.
pub async fn scan(app: &App, actor: &Actor) -> AppResult<ScanSummary> {
    access::authorize(actor, Action::PersonMerge)?;
    let (summary, _) = compare_and_queue(app, actor, actor, "scan", None, None).await?;
    Ok(summary)
}

/// Records that the running scan job `job` has done `done` steps (and is
/// alive: the heartbeat moves too).
async fn job_step(app: &App, job: i64, done: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE scan_jobs SET done_steps = $1, heartbeat_at = $2 WHERE id = $3 AND status = 'running'",
    )
    .bind(done)
    .bind(clock::now())
    .bind(job)
    .execute(&app.db.pool)
    .await?;
    Ok(())
}

/// [`scan`] as the background job `job` runs it (`intake::scan_jobs`),
/// recording its steps.
pub(crate) async fn scan_job(app: &App, actor: &Actor, job: i64) -> AppResult<ScanSummary> {
    access::authorize(actor, Action::PersonMerge)?;
    let (summary, _) = compare_and_queue(app, actor, actor, "scan", None, Some(job)).await?;
    Ok(summary)
}

/// What the linkage made of an import's people.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ImportMatch {
    /// Not like anyone else.
    pub new: usize,
    /// Very likely someone already in the registry (or twice in the list).
    pub same: usize,
    /// Possibly someone already there: queued for review.
    pub possible: usize,
    /// Of `same`, merged into the registered record (only when asked).
    pub merged: usize,
}

/// After an import's commit: compares its people with the whole registry
/// (and with each other), queues the pairs for review (`found_by` =
/// `import:ID`, visible to reviewers within their jurisdictions) and
/// classes each imported person as new, the same, or possibly the same.
/// With `auto_merge` (the importer may merge), each imported person very
/// likely the same as one registered person is merged into that record;
/// otherwise nothing is merged automatically.
pub async fn scan_import(
    app: &App,
    actor: &Actor,
    import_id: i64,
    auto_merge: bool,
) -> AppResult<ImportMatch> {
    let created: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT person_id FROM person_sources WHERE import_id = $1")
            .bind(import_id)
            .fetch_all(&app.db.pool)
            .await?;
    let created: std::collections::HashSet<i64> = created.into_iter().collect();
    // The registry as a whole: the importer may not see the people it
    // duplicates, but the reviewers of their communes will.
    let everyone = Actor::system("linkage");
    let (_, pairs) = compare_and_queue(
        app,
        &everyone,
        actor,
        &format!("import:{import_id}"),
        Some(&created),
        None,
    )
    .await?;
    let config = linkage::Config::default();
    let mut best: HashMap<i64, f64> = created.iter().map(|id| (*id, 0.0)).collect();
    for &(a, b, p) in &pairs {
        for id in [a, b] {
            if let Some(v) = best.get_mut(&id) {
                *v = v.max(p);
            }
        }
    }
    let mut m = ImportMatch::default();
    for p in best.values() {
        if *p >= config.threshold {
            m.same += 1;
        } else if *p >= config.review_threshold {
            m.possible += 1;
        } else {
            m.new += 1;
        }
    }
    if auto_merge {
        m.merged = merge_likely(app, actor, &created, &pairs, config.threshold).await?;
    }
    Ok(m)
}

/// Merges each imported person into the one registered person it very
/// likely is (strongest pairs first; a record takes part in one merge at
/// most; pairs the actor may not merge stay in the queue).
async fn merge_likely(
    app: &App,
    actor: &Actor,
    created: &std::collections::HashSet<i64>,
    pairs: &[(i64, i64, f64)],
    threshold: f64,
) -> AppResult<usize> {
    access::authorize(actor, Action::PersonMerge)?;
    let mut likely: Vec<(i64, i64, f64)> = pairs
        .iter()
        .filter(|(a, b, p)| *p >= threshold && created.contains(a) != created.contains(b))
        .map(|&(a, b, p)| {
            if created.contains(&a) {
                (b, a, p)
            } else {
                (a, b, p)
            }
        })
        .collect();
    likely.sort_by(|x, y| y.2.total_cmp(&x.2));
    let mut used = std::collections::HashSet::new();
    let mut merged = 0;
    for (kept, imported, _) in likely {
        if used.contains(&kept) || used.contains(&imported) {
            continue;
        }
        let versions = sqlx::query(
            "SELECT id, version FROM persons WHERE id IN ($1, $2) AND deleted_at IS NULL",
        )
        .bind(kept)
        .bind(imported)
        .fetch_all(&app.db.pool)
        .await?;
        let version = |id: i64| {
            versions.iter().find_map(|r| {
                (r.try_get::<i64, _>(0).ok()? == id).then(|| r.try_get::<i64, _>(1).ok())?
            })
        };
        let (Some(kv), Some(mv)) = (version(kept), version(imported)) else {
            continue;
        };
        let input = MergeInput {
            kept_id: kept,
            merged_id: imported,
            kept_version: kv,
            merged_version: mv,
            pair_id: None,
            choices: BTreeMap::new(),
        };
        match merge(app, actor, &input).await {
            Ok(_) => {
                used.insert(kept);
                used.insert(imported);
                merged += 1;
            }
            // Outside the importer's jurisdiction, or changed meanwhile: left for review.
            Err(
                AppError::NotFound | AppError::PreconditionFailed { .. } | AppError::Invalid(_),
            ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(merged)
}

/// Runs the engine over the live records `scope` may see and stores the
/// pairs at or above the review threshold (once each; decided pairs are
/// never proposed again). With `only`, keeps the pairs touching those ids.
/// Answers the summary and every kept pair `(a, b, probability)`. With
/// `job`, records the steps of that scan job as they are done.
async fn compare_and_queue(
    app: &App,
    scope: &Actor,
    actor: &Actor,
    found_by: &str,
    only: Option<&std::collections::HashSet<i64>>,
    job: Option<i64>,
) -> AppResult<(ScanSummary, Vec<(i64, i64, f64)>)> {
    let filter = access::person_scope(scope, 1);
    let sql = format!(
        "SELECT p.id, p.full_name, p.gender, p.birth_date, p.country, p.city_abroad, \
         p.hometown_text, p.hometown_legacy_code, p.hometown_new_code, p.passport_no, p.phone, \
         p.email, p.category, \
         (SELECT MIN(ps.agency) FROM person_sources ps WHERE ps.person_id = p.id) \
         FROM persons p WHERE p.deleted_at IS NULL AND {} ORDER BY p.id",
        filter.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &filter.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let mut records = Vec::with_capacity(rows.len());
    let mut cands = Vec::with_capacity(rows.len());
    for r in &rows {
        let text = |i: usize| -> Result<String, db::SqlxError> {
            Ok(r.try_get::<Option<String>, _>(i)?.unwrap_or_default())
        };
        let id: i64 = r.try_get(0)?;
        let legacy = text(7)?;
        let current = text(8)?;
        records.push(linkage::Record {
            record_id: id.to_string(),
            source: text(13)?,
            full_name: text(1)?,
            gender: text(2)?,
            birth_date: text(3)?,
            country: text(4)?,
            city_abroad: text(5)?,
            hometown: text(6)?,
            passport_no: text(9)?,
            phone: text(10)?,
            email: text(11)?,
            father_name: String::new(),
            category: text(12)?,
            hometown_codes: (!legacy.is_empty() || !current.is_empty()).then(|| {
                linkage::HometownCodes {
                    legacy,
                    current: current.clone(),
                }
            }),
        });
        cands.push(Candidate {
            id,
            commune: (!current.is_empty()).then_some(current),
        });
    }
    drop(rows);
    if let Some(job) = job {
        job_step(app, job, 1).await?;
    }
    let people = records.len();
    let config = linkage::Config::default();
    let keep: Vec<bool> = cands
        .iter()
        .map(|c| only.is_none_or(|o| o.contains(&c.id)))
        .collect();
    let (found, candidate_pairs) = crate::background::spawn(move || {
        let d = linkage::dedupe(&records, &config);
        let found: Vec<(u32, u32, f64, f64, String)> = d
            .pairs
            .iter()
            .filter(|p| {
                p.probability >= config.review_threshold
                    && (keep[p.a as usize] || keep[p.b as usize])
            })
            .map(|p| {
                let c = linkage::compare(&records[p.a as usize], &records[p.b as usize], &d.model);
                let rows: Vec<ExplainRow> = c
                    .fields
                    .iter()
                    .map(|f| ExplainRow {
                        field: f.field.code().to_owned(),
                        level: f.level.to_owned(),
                        outcome: f.outcome.code().to_owned(),
                        weight: (f.weight * 100.0).round() / 100.0,
                    })
                    .collect();
                (
                    p.a,
                    p.b,
                    p.probability,
                    p.weight,
                    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into()),
                )
            })
            .collect();
        (found, d.summary.candidate_pairs)
    })
    .await
    .map_err(|e| anyhow::anyhow!("linkage task: {e}"))?;
    if let Some(job) = job {
        job_step(app, job, 2).await?;
    }

    let now = clock::now();
    let mut summary = ScanSummary {
        people,
        candidate_pairs,
        scored_pairs: found.len(),
        ..ScanSummary::default()
    };
    let mut kept = Vec::with_capacity(found.len());
    let mut tx = app.db.begin_write().await?;
    // Pairs still open from earlier scans and imports: the queue a scan
    // leaves must not depend on what was found before (issue 20).
    let open: HashMap<(i64, i64), (i64, String)> = if only.is_none() {
        let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "SELECT id, a_id, b_id, status FROM match_pairs WHERE status IN ('pending', 'skipped')",
        )
        .fetch_all(&mut *tx.tx)
        .await?;
        rows.into_iter()
            .map(|(id, a, b, status)| ((a, b), (id, status)))
            .collect()
    } else {
        HashMap::new()
    };
    let mut seen = std::collections::HashSet::with_capacity(found.len());
    for (a, b, probability, weight, explanation) in &found {
        let (ca, cb) = (&cands[*a as usize], &cands[*b as usize]);
        let (first, second) = if ca.id < cb.id { (ca, cb) } else { (cb, ca) };
        kept.push((first.id, second.id, *probability));
        seen.insert((first.id, second.id));
        // An open pair takes the current model's score; a decided one stays
        // as it was decided.
        let done = sqlx::query(
            "INSERT INTO match_pairs (a_id, b_id, probability, weight, explanation, found_by, \
             status, commune_a, commune_b, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9) \
             ON CONFLICT (a_id, b_id) DO UPDATE SET probability = $10, weight = $11, \
             explanation = $12 WHERE match_pairs.status IN ('pending', 'skipped')",
        )
        .bind(first.id)
        .bind(second.id)
        .bind(*probability)
        .bind(*weight)
        .bind(explanation)
        .bind(found_by)
        .bind(first.commune.clone())
        .bind(second.commune.clone())
        .bind(&now)
        .bind(*probability)
        .bind(*weight)
        .bind(explanation)
        .execute(&mut *tx.tx)
        .await?;
        if done.rows_affected() > 0 && !open.contains_key(&(first.id, second.id)) {
            summary.new_pairs += 1;
            if *probability >= config.threshold {
                summary.likely += 1;
            }
        }
    }
    // A whole scan withdraws the pending pairs among the records it compared
    // that it no longer proposes (a reviewer's skipped pairs stay).
    if only.is_none() {
        let compared: std::collections::HashSet<i64> = cands.iter().map(|c| c.id).collect();
        for ((a, b), (id, status)) in &open {
            if status == "pending"
                && !seen.contains(&(*a, *b))
                && compared.contains(a)
                && compared.contains(b)
            {
                sqlx::query("DELETE FROM match_pairs WHERE id = $1 AND status = 'pending'")
                    .bind(*id)
                    .execute(&mut *tx.tx)
                    .await?;
                summary.withdrawn += 1;
            }
        }
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("linkage.scan", "match_pairs", &found_by).with(serde_json::json!({
            "people": summary.people,
            "scored_pairs": summary.scored_pairs,
            "new_pairs": summary.new_pairs,
            "withdrawn": summary.withdrawn,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok((summary, kept))
}

// ------------------------------------------------------------------ queue

/// SQL: both records of pair `mp` visible to the actor (and alive, when
/// `alive`: an open pair with a deleted record is moot), from placeholder `first`.
fn visible_pair(actor: &Actor, first: usize, alive: bool) -> (String, Vec<String>) {
    let a = access::person_scope(actor, first);
    let b = access::person_scope(actor, first + a.args.len());
    let live = if alive {
        "p.deleted_at IS NULL AND "
    } else {
        ""
    };
    let sql = format!(
        "EXISTS (SELECT 1 FROM persons p WHERE p.id = mp.a_id AND {live}{}) \
         AND EXISTS (SELECT 1 FROM persons p WHERE p.id = mp.b_id AND {live}{})",
        a.sql, b.sql
    );
    let mut args = a.args;
    args.extend(b.args);
    (sql, args)
}

/// The pairs of the queue the actor may review (both records visible and live),
/// most probable first; with the total.
pub async fn queue(
    app: &App,
    actor: &Actor,
    filter: &QueueFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<PairRow>, i64)> {
    access::authorize(actor, Action::PersonMerge)?;
    let status = if filter.status.is_empty() {
        "pending"
    } else {
        filter.status.as_str()
    };
    if !STATUSES.contains(&status) {
        return Err(AppError::invalid_field("status", "invalid_choice"));
    }
    let mut args: Vec<String> = vec![status.to_owned()];
    let mut cond = "mp.status = $1".to_owned();
    if !filter.commune.trim().is_empty() {
        // A code, the picker's label or a commune's name.
        let code = crate::registry::values::filter_code(
            "commune",
            &filter.commune,
            Some(&app.settings.home_province),
        )
        .map_err(|e| AppError::Invalid(vec![e]))?;
        args.push(code.clone());
        let n = args.len();
        args.push(code);
        let _ = write!(
            cond,
            " AND (mp.commune_a = ${n} OR mp.commune_b = ${})",
            n + 1
        );
    }
    if !filter.source.trim().is_empty() {
        let source = crate::registry::values::filter_code("agency", &filter.source, None)
            .map_err(|e| AppError::Invalid(vec![FieldError::new("source", e.code)]))?;
        args.push(source);
        let n = args.len();
        let _ = write!(
            cond,
            " AND EXISTS (SELECT 1 FROM person_sources ps WHERE ps.person_id IN (mp.a_id, mp.b_id) \
             AND ps.agency = ${n})"
        );
    }
    let found_by = filter.found_by.trim();
    let by_import = found_by
        .strip_prefix("import:")
        .is_some_and(|n| !n.is_empty() && n.len() <= 18 && n.bytes().all(|b| b.is_ascii_digit()));
    if !(found_by.is_empty() || found_by == "scan" || by_import) {
        return Err(AppError::invalid_field("found_by", "invalid_code"));
    }
    if !found_by.is_empty() {
        args.push(filter.found_by.trim().to_owned());
        let _ = write!(cond, " AND mp.found_by = ${}", args.len());
    }
    let open = matches!(status, "pending" | "skipped");
    let (vis, vis_args) = visible_pair(actor, args.len() + 1, open);
    args.extend(vis_args);
    let total_sql = format!("SELECT COUNT(*) FROM match_pairs mp WHERE {cond} AND {vis}");
    let mut q = sqlx::query_scalar::<_, i64>(&total_sql);
    for a in &args {
        q = q.bind(a);
    }
    let total = q.fetch_one(&app.db.pool).await?;
    let sql = format!(
        "SELECT mp.id, mp.a_id, pa.full_name, mp.b_id, pb.full_name, mp.probability, mp.status, \
         mp.found_by FROM match_pairs mp \
         JOIN persons pa ON pa.id = mp.a_id JOIN persons pb ON pb.id = mp.b_id \
         WHERE {cond} AND {vis} ORDER BY mp.probability DESC, mp.id LIMIT {} OFFSET {}",
        limit.clamp(1, 500),
        offset.max(0)
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let pairs = rows
        .iter()
        .map(|r| {
            Ok(PairRow {
                id: r.try_get(0)?,
                a_id: r.try_get(1)?,
                a_name: r.try_get(2)?,
                b_id: r.try_get(3)?,
                b_name: r.try_get(4)?,
                probability: r.try_get(5)?,
                status: r.try_get(6)?,
                found_by: r.try_get(7)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    Ok((pairs, total))
}

/// The next pair to review with these filters: pending ones first, then skipped.
pub async fn next(app: &App, actor: &Actor, filter: &QueueFilter) -> AppResult<Option<i64>> {
    for status in ["pending", "skipped"] {
        let f = QueueFilter {
            status: status.to_owned(),
            ..filter.clone()
        };
        if let Some(p) = queue(app, actor, &f, 1, 0).await?.0.first() {
            return Ok(Some(p.id));
        }
    }
    Ok(None)
}

struct PairRecord {
    id: i64,
    a_id: i64,
    b_id: i64,
    probability: f64,
    weight: f64,
    explanation: String,
    found_by: String,
    status: String,
}

async fn pair_record(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<PairRecord> {
    let r = sqlx::query(
        "SELECT id, a_id, b_id, probability, weight, explanation, found_by, status \
         FROM match_pairs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(PairRecord {
        id: r.try_get(0)?,
        a_id: r.try_get(1)?,
        b_id: r.try_get(2)?,
        probability: r.try_get(3)?,
        weight: r.try_get(4)?,
        explanation: r.try_get(5)?,
        found_by: r.try_get(6)?,
        status: r.try_get(7)?,
    })
}

fn display(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(display)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", display(v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn diffs(a: &PersonData, b: &PersonData) -> Vec<FieldDiff> {
    let va = serde_json::to_value(a).unwrap_or_default();
    let vb = serde_json::to_value(b).unwrap_or_default();
    let (Some(ma), Some(mb)) = (va.as_object(), vb.as_object()) else {
        return Vec::new();
    };
    let mut order: Vec<&str> = CHOOSABLE.to_vec();
    order.extend(UNITED);
    order.push("extra");
    order
        .into_iter()
        .map(|k| {
            let x = ma.get(k).map(display).unwrap_or_default();
            let y = mb.get(k).map(display).unwrap_or_default();
            FieldDiff {
                field: k.to_owned(),
                differs: x != y,
                choosable: CHOOSABLE.contains(&k) && !x.is_empty() && !y.is_empty() && x != y,
                a: x,
                b: y,
            }
        })
        .collect()
}

async fn agencies(app: &App, id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT agency FROM person_sources WHERE person_id = $1 GROUP BY agency ORDER BY agency",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await?)
}

/// Opens a pair: both records (each view audited, sensitive fields masked
/// as on the record page), the fields side by side and the explanation.
pub async fn pair(app: &App, actor: &Actor, id: i64) -> AppResult<PairView> {
    access::authorize(actor, Action::PersonMerge)?;
    let mut conn = app.db.pool.acquire().await?;
    let rec = pair_record(&mut conn, id).await?;
    drop(conn);
    // Both must be visible; `people::get` checks, audits the view and masks.
    let a = people::get(app, actor, rec.a_id, false).await?;
    let b = people::get(app, actor, rec.b_id, false).await?;
    let explanation: Vec<ExplainRow> = serde_json::from_str(&rec.explanation).unwrap_or_default();
    Ok(PairView {
        id: rec.id,
        status: rec.status,
        probability: rec.probability,
        weight: rec.weight,
        found_by: rec.found_by,
        fields: diffs(&a.data, &b.data),
        a_sources: agencies(app, a.id).await?,
        b_sources: agencies(app, b.id).await?,
        a,
        b,
        explanation,
    })
}

/// Rejects, skips or reopens a pair.
pub async fn decide(app: &App, actor: &Actor, id: i64, decision: Decision) -> AppResult<()> {
    access::authorize(actor, Action::PersonMerge)?;
    let mut tx = app.db.begin_write().await?;
    let rec = pair_record(&mut tx.tx, id).await?;
    people::load(&mut tx.tx, actor, rec.a_id).await?;
    people::load(&mut tx.tx, actor, rec.b_id).await?;
    if rec.status == "accepted" {
        return Err(AppError::invalid_field("status", "pair_merged"));
    }
    let status = match decision {
        Decision::Reject => "rejected",
        Decision::Skip => "skipped",
        Decision::Reopen => "pending",
    };
    sqlx::query(
        "UPDATE match_pairs SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(actor.user_id)
    .bind(clock::now())
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("match_pair.decide", "match_pair", &id).with(serde_json::json!({
            "status": status, "a": rec.a_id, "b": rec.b_id,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------ merge

fn unite(into: &mut serde_json::Value, from: &serde_json::Value) {
    let (Some(list), Some(more)) = (into.as_array_mut(), from.as_array()) else {
        return;
    };
    for v in more {
        if !list.contains(v) {
            list.push(v.clone());
        }
    }
}

/// The merged record's fields: the kept record's, the merged one's where
/// chosen (or where the kept one is empty), lists united, and the name not
/// kept added to the other names.
pub fn combine(
    kept: &PersonData,
    merged: &PersonData,
    choices: &BTreeMap<String, String>,
) -> AppResult<PersonData> {
    let mut k = serde_json::to_value(kept).map_err(anyhow::Error::from)?;
    let o = serde_json::to_value(merged).map_err(anyhow::Error::from)?;
    let mut errors = Vec::new();
    for (field, side) in choices {
        if !CHOOSABLE.contains(&field.as_str()) {
            errors.push(FieldError::new(field.clone(), "unknown_field"));
        } else if side != "kept" && side != "merged" {
            errors.push(FieldError::new(field.clone(), "invalid_choice"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let empty = |v: Option<&serde_json::Value>| {
        v.is_none_or(|v| v.is_null() || v.as_str() == Some("") || v.as_str() == Some("unknown"))
    };
    for field in CHOOSABLE {
        let take_merged = match choices.get(*field).map(String::as_str) {
            Some("merged") => true,
            Some(_) => false,
            None => empty(k.get(*field)) && !empty(o.get(*field)),
        };
        if take_merged && let Some(v) = o.get(*field) {
            k[*field] = v.clone();
        }
    }
    for field in UNITED {
        if let Some(from) = o.get(*field) {
            unite(&mut k[*field], from);
        }
    }
    if let (Some(extra), Some(more)) = (k["extra"].as_object_mut(), o["extra"].as_object()) {
        for (key, v) in more {
            extra.entry(key.clone()).or_insert_with(|| v.clone());
        }
    }
    let mut data: PersonData = serde_json::from_value(k).map_err(anyhow::Error::from)?;
    for name in [&kept.full_name, &merged.full_name] {
        if *name != data.full_name && !data.other_names.contains(name) {
            data.other_names.push(name.clone());
        }
    }
    Ok(data)
}

async fn ids(tx: &mut db::WriteTx, sql: &str, id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(sql)
        .bind(id)
        .fetch_all(&mut *tx.tx)
        .await?)
}

/// Merges two records into one; answers the merge's id.
pub async fn merge(app: &App, actor: &Actor, input: &MergeInput) -> AppResult<i64> {
    access::authorize(actor, Action::PersonMerge)?;
    if input.kept_id == input.merged_id {
        return Err(AppError::invalid_field("merged_id", "same_record"));
    }
    let mut tx = app.db.begin_write().await?;
    // A merge from a pair is of that pair's two records, and no other.
    if let Some(pair_id) = input.pair_id {
        let (a, b) = ordered(input.kept_id, input.merged_id);
        let same: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM match_pairs WHERE id = $1 AND a_id = $2 AND b_id = $3",
        )
        .bind(pair_id)
        .bind(a)
        .bind(b)
        .fetch_optional(&mut *tx.tx)
        .await?;
        if same.is_none() {
            return Err(AppError::invalid_field("pair_id", "not_this_pair"));
        }
    }
    let kept = people::load(&mut tx.tx, actor, input.kept_id).await?;
    let merged = people::load(&mut tx.tx, actor, input.merged_id).await?;
    if kept.deleted_at.is_some() {
        return Err(AppError::invalid_field("kept_id", "record_deleted"));
    }
    if merged.deleted_at.is_some() {
        return Err(AppError::invalid_field("merged_id", "record_deleted"));
    }
    if kept.version != input.kept_version {
        return Err(AppError::PreconditionFailed {
            current_version: kept.version,
        });
    }
    if merged.version != input.merged_version {
        return Err(AppError::PreconditionFailed {
            current_version: merged.version,
        });
    }
    let combined = combine(&kept.data, &merged.data, &input.choices)?;
    let data = people::validate(&combined.to_input()).map_err(AppError::Invalid)?;
    if !people::within_jurisdiction(actor, &data) {
        return Err(people::out_of_jurisdiction());
    }
    let summary = format!("merged #{}", merged.id);
    let after = people::write(&mut tx, app, actor, &kept, &data, &summary, "person.merge").await?;
    // Move what hangs on the merged record.
    let sources = ids(
        &mut tx,
        "SELECT id FROM person_sources WHERE person_id = $1 ORDER BY id",
        merged.id,
    )
    .await?;
    let relatives = ids(
        &mut tx,
        "SELECT id FROM relatives WHERE person_id = $1 AND deleted_at IS NULL ORDER BY id",
        merged.id,
    )
    .await?;
    for sql in [
        "UPDATE person_sources SET person_id = $1 WHERE person_id = $2",
        "UPDATE relatives SET person_id = $1 WHERE person_id = $2 AND deleted_at IS NULL",
    ] {
        sqlx::query(sql)
            .bind(kept.id)
            .bind(merged.id)
            .execute(&mut *tx.tx)
            .await?;
    }
    // The merged record is kept, marked deleted, for history and unmerge.
    let now = clock::now();
    let reason = format!("merged into #{}", kept.id);
    sqlx::query(
        "UPDATE persons SET deleted_at = $1, deleted_reason = $2, version = version + 1, \
         updated_at = $3, updated_by = $4 WHERE id = $5",
    )
    .bind(&now)
    .bind(&reason)
    .bind(&now)
    .bind(actor.user_id)
    .bind(merged.id)
    .execute(&mut *tx.tx)
    .await?;
    let merged_after = merged.version + 1;
    people::snapshot(
        &mut tx,
        actor,
        merged.id,
        merged_after,
        &merged.data,
        &reason,
        &now,
    )
    .await?;
    let (a, b) = ordered(kept.id, merged.id);
    let moved = serde_json::json!({"sources": sources, "relatives": relatives});
    let choices = serde_json::to_string(&input.choices).unwrap_or_else(|_| "{}".into());
    let merge_id: i64 = sqlx::query_scalar(
        "INSERT INTO merges (kept_id, merged_id, pair_id, kept_version_before, \
         merged_version_before, kept_version_after, merged_version_after, moved, choices, \
         merged_by, merged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(kept.id)
    .bind(merged.id)
    .bind(input.pair_id)
    .bind(kept.version)
    .bind(merged.version)
    .bind(after.version)
    .bind(merged_after)
    .bind(moved.to_string())
    .bind(&choices)
    .bind(actor.user_id)
    .bind(&now)
    .fetch_one(&mut *tx.tx)
    .await?;
    // The pair (proposed or not) is decided.
    sqlx::query(
        "INSERT INTO match_pairs (a_id, b_id, probability, weight, explanation, found_by, status, \
         decided_by, decided_at, created_at) \
         VALUES ($1, $2, 1.0, 0.0, '[]', 'reviewer', 'accepted', $3, $4, $5) \
         ON CONFLICT (a_id, b_id) DO UPDATE SET status = 'accepted', decided_by = $6, \
         decided_at = $7",
    )
    .bind(a)
    .bind(b)
    .bind(actor.user_id)
    .bind(&now)
    .bind(&now)
    .bind(actor.user_id)
    .bind(&now)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("merge.create", "merge", &merge_id).with(serde_json::json!({
            "kept": kept.id,
            "merged": merged.id,
            "choices": input.choices,
            "moved_sources": sources.len(),
            "moved_relatives": relatives.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(merge_id)
}

async fn version_data(tx: &mut db::WriteTx, id: i64, version: i64) -> AppResult<PersonData> {
    let data: String = sqlx::query_scalar(
        "SELECT data FROM person_versions WHERE person_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(serde_json::from_str(&data).map_err(anyhow::Error::from)?)
}

/// Undoes a merge: both records back as they were just before it (as new
/// versions; the history keeps everything), the moved sources and relatives
/// back on the merged record, and the pair marked "not the same person".
pub async fn unmerge(app: &App, actor: &Actor, merge_id: i64) -> AppResult<()> {
    access::authorize(actor, Action::PersonMerge)?;
    let mut tx = app.db.begin_write().await?;
    let row = sqlx::query(
        "SELECT kept_id, merged_id, kept_version_before, merged_version_before, moved, undone_at \
         FROM merges WHERE id = $1",
    )
    .bind(merge_id)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let kept_id: i64 = row.try_get(0)?;
    let merged_id: i64 = row.try_get(1)?;
    let kept_before: i64 = row.try_get(2)?;
    let merged_before: i64 = row.try_get(3)?;
    let moved: String = row.try_get(4)?;
    let undone: Option<String> = row.try_get(5)?;
    let kept = people::load(&mut tx.tx, actor, kept_id).await?;
    let merged = people::load(&mut tx.tx, actor, merged_id).await?;
    if undone.is_some() {
        return Err(AppError::invalid_field("merge", "already_undone"));
    }
    let old_kept = version_data(&mut tx, kept_id, kept_before).await?;
    let old_merged = version_data(&mut tx, merged_id, merged_before).await?;
    let summary = format!("unmerged #{merged_id}");
    people::write(
        &mut tx,
        app,
        actor,
        &kept,
        &old_kept,
        &summary,
        "person.unmerge",
    )
    .await?;
    sqlx::query("UPDATE persons SET deleted_at = NULL, deleted_reason = NULL WHERE id = $1")
        .bind(merged_id)
        .execute(&mut *tx.tx)
        .await?;
    let summary = format!("unmerged from #{kept_id}");
    people::write(
        &mut tx,
        app,
        actor,
        &merged,
        &old_merged,
        &summary,
        "person.unmerge",
    )
    .await?;
    let moved: HashMap<String, Vec<i64>> = serde_json::from_str(&moved).unwrap_or_default();
    for (key, table) in [("sources", "person_sources"), ("relatives", "relatives")] {
        for id in moved.get(key).into_iter().flatten() {
            // `table` is one of two constants.
            sqlx::query(&format!(
                "UPDATE {table} SET person_id = $1 WHERE id = $2 AND person_id = $3"
            ))
            .bind(merged_id)
            .bind(*id)
            .bind(kept_id)
            .execute(&mut *tx.tx)
            .await?;
        }
    }
    let now = clock::now();
    sqlx::query("UPDATE merges SET undone_at = $1, undone_by = $2 WHERE id = $3")
        .bind(&now)
        .bind(actor.user_id)
        .bind(merge_id)
        .execute(&mut *tx.tx)
        .await?;
    let (a, b) = ordered(kept_id, merged_id);
    sqlx::query(
        "UPDATE match_pairs SET status = 'rejected', decided_by = $1, decided_at = $2 \
         WHERE a_id = $3 AND b_id = $4",
    )
    .bind(actor.user_id)
    .bind(&now)
    .bind(a)
    .bind(b)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("merge.undo", "merge", &merge_id)
            .with(serde_json::json!({"kept": kept_id, "merged": merged_id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Recent merges the actor may see (both records within its jurisdiction).
pub async fn merges(app: &App, actor: &Actor, limit: i64) -> AppResult<Vec<MergeRow>> {
    access::authorize(actor, Action::PersonMerge)?;
    let a = access::person_scope(actor, 1);
    let b = access::person_scope(actor, 1 + a.args.len());
    let sql = format!(
        "SELECT m.id, m.kept_id, pk.full_name, m.merged_id, pm.full_name, m.merged_at, m.undone_at \
         FROM merges m JOIN persons pk ON pk.id = m.kept_id JOIN persons pm ON pm.id = m.merged_id \
         WHERE EXISTS (SELECT 1 FROM persons p WHERE p.id = m.kept_id AND {}) \
         AND EXISTS (SELECT 1 FROM persons p WHERE p.id = m.merged_id AND {}) \
         ORDER BY m.id DESC LIMIT {}",
        a.sql,
        b.sql,
        limit.clamp(1, 500)
    );
    let mut q = sqlx::query(&sql);
    for arg in a.args.iter().chain(&b.args) {
        q = q.bind(arg);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(MergeRow {
                id: r.try_get(0)?,
                kept_id: r.try_get(1)?,
                kept_name: r.try_get(2)?,
                merged_id: r.try_get(3)?,
                merged_name: r.try_get(4)?,
                merged_at: r.try_get(5)?,
                undone_at: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> PersonData {
        PersonData {
            full_name: name.into(),
            gender: "male".into(),
            country: "US".into(),
            category: "resident".into(),
            ..PersonData::default()
        }
    }

    #[test]
    fn combine_keeps_chosen_values_both_names_and_united_lists() {
        let mut kept = person("Nguyễn Văn An");
        kept.phone = "+14155550100".into();
        kept.tags = vec!["scientist".into()];
        let mut merged = person("NGUYEN VAN AN");
        merged.phone = "+14155550199".into();
        merged.email = "an@example.org".into();
        merged.tags = vec!["entrepreneur".into(), "scientist".into()];
        let mut choices = BTreeMap::new();
        choices.insert("phone".to_owned(), "merged".to_owned());
        let d = combine(&kept, &merged, &choices).unwrap();
        assert_eq!(d.full_name, "Nguyễn Văn An");
        assert_eq!(d.phone, "+14155550199");
        // Empty on the kept side: taken from the merged record.
        assert_eq!(d.email, "an@example.org");
        assert_eq!(d.tags, vec!["scientist", "entrepreneur"]);
        assert_eq!(d.other_names, vec!["NGUYEN VAN AN"]);
    }

    #[test]
    fn combine_refuses_unknown_fields_and_sides() {
        let mut choices = BTreeMap::new();
        choices.insert("password".to_owned(), "merged".to_owned());
        choices.insert("phone".to_owned(), "both".to_owned());
        let Err(AppError::Invalid(errs)) = combine(&person("A"), &person("B"), &choices) else {
            panic!("expected a validation error");
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["password", "phone"]);
    }
}
