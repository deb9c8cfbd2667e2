//! Search of the registry: the in-memory [`search::Index`] held by [`App`],
//! kept consistent with every writer through the `persons.change_seq` column
//! (migration 0003: a trigger numbers each insert and update, in commit
//! order). Before answering, a search reads the rows changed since the last
//! number this process saw, so a record saved through any server sharing the
//! database is findable in the next request and a deleted one is not.
//!
//! Access: `PersonList` to search, `PersonExport` to export; the actor's
//! jurisdiction is applied in memory by [`allows`], the same rule as
//! [`access::person_scope`], and again in SQL when the page is read back.
//! Sensitive fields are always masked here. Every search and export is
//! audited without its text (only its length and kind).

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use ::search::{DocView, Filters, Index, PersonDoc, Query};
use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, Jurisdiction};

/// Hits a page may ask for; exports take up to [`EXPORT_MAX`].
pub const PAGE_MAX: usize = 200;

/// The lengths a page's read-back pads its list of ids to.
const READ_BACK_ARITIES: [usize; 5] = [20, 50, 100, 200, 500];
pub const EXPORT_MAX: usize = 50_000;
/// Rows read per catch-up batch.
const BATCH: i64 = 20_000;

#[derive(Default)]
struct State {
    index: Index,
    /// Highest `change_seq` applied.
    seen: i64,
}

/// The search index of one server process. Cheap to clone.
#[derive(Clone, Default)]
pub struct SearchIndex {
    state: Arc<RwLock<State>>,
    /// One catch-up at a time.
    catching: Arc<tokio::sync::Mutex<()>>,
    /// Set once the first catch-up (the build) has finished.
    built: Arc<std::sync::atomic::AtomicBool>,
    /// When the last completed catch-up started: a request that arrived
    /// before that has nothing more to read (see [`crate::coalesce`]).
    last_pass: Arc<crate::coalesce::LastPass>,
}

fn poisoned() -> AppError {
    AppError::Unexpected(anyhow::anyhow!("search index lock poisoned"))
}

fn split_tags(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

const DOC_COLUMNS: &str = "id, full_name, other_names, passport_no, phone, email, \
    hometown_new_code, hometown_legacy_code, hometown_legacy_district, country, category, \
    generation, tags, status, verification, deleted_at, change_seq, birth_date";

fn doc_from_row(r: &db::AnyRow) -> Result<(PersonDoc, i64), db::SqlxError> {
    let other: String = r.try_get(2)?;
    let tags: String = r.try_get(12)?;
    let deleted: Option<String> = r.try_get(15)?;
    Ok((
        PersonDoc {
            id: r.try_get(0)?,
            full_name: r.try_get(1)?,
            other_names: serde_json::from_str(&other).unwrap_or_default(),
            passport: r.try_get(3)?,
            phone: r.try_get(4)?,
            email: r.try_get(5)?,
            new_commune: r.try_get(6)?,
            legacy_commune: r.try_get(7)?,
            legacy_district: r.try_get(8)?,
            country: r.try_get(9)?,
            category: r.try_get(10)?,
            generation: r.try_get(11)?,
            tags: split_tags(&tags),
            status: r.try_get(13)?,
            verification: r.try_get(14)?,
            birth_date: r.try_get(17)?,
            deleted: deleted.is_some(),
        },
        r.try_get(16)?,
    ))
}

/// Figures of a build or catch-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CatchUp {
    /// Rows read from the database.
    pub rows: u64,
    /// People findable afterwards.
    pub indexed: usize,
}

impl SearchIndex {
    /// Applies every row changed since the last one seen (from the start on
    /// a new index: that is the build).
    pub async fn catch_up(&self, app: &App) -> AppResult<CatchUp> {
        let arrived = std::time::Instant::now();
        let _one = self.catching.lock().await;
        if self.last_pass.covers(arrived) {
            return Ok(CatchUp {
                rows: 0,
                indexed: self.len(),
            });
        }
        let started = std::time::Instant::now();
        let mut seen = self.state.read().map_err(|_| poisoned())?.seen;
        let mut rows = 0u64;
        loop {
            let sql = format!(
                "SELECT {DOC_COLUMNS} FROM persons WHERE change_seq > $1 \
                 ORDER BY change_seq LIMIT {BATCH}"
            );
            let batch = sqlx::query(&sql).bind(seen).fetch_all(&app.db.pool).await?;
            let n = batch.len();
            if n == 0 {
                break;
            }
            let docs = batch
                .iter()
                .map(doc_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            {
                let mut st = self.state.write().map_err(|_| poisoned())?;
                for (d, seq) in &docs {
                    st.index.upsert(d);
                    st.seen = st.seen.max(*seq);
                }
                seen = st.seen;
            }
            rows += n as u64;
            if (n as i64) < BATCH {
                break;
            }
        }
        let indexed = self.state.read().map_err(|_| poisoned())?.index.len();
        self.built.store(true, std::sync::atomic::Ordering::Release);
        self.last_pass.done(started);
        Ok(CatchUp { rows, indexed })
    }

    /// Drops the index and builds it again from the database.
    pub async fn rebuild(&self, app: &App) -> AppResult<CatchUp> {
        {
            let _one = self.catching.lock().await;
            let mut st = self.state.write().map_err(|_| poisoned())?;
            *st = State::default();
        }
        self.catch_up(app).await
    }

    /// True once the index has been built (readiness).
    pub fn is_built(&self) -> bool {
        self.built.load(std::sync::atomic::Ordering::Acquire)
    }

    /// People findable now.
    pub fn len(&self) -> usize {
        self.state.read().map_or(0, |s| s.index.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The jurisdiction rule of [`access::person_scope`], in memory. Association
/// and agency jurisdictions are answered from the id set `members` read from
/// the database for this request.
pub fn allows<S: std::hash::BuildHasher>(
    j: &Jurisdiction,
    members: Option<&HashSet<i64, S>>,
    d: &DocView<'_>,
) -> bool {
    let inside = match j {
        // Associations and agencies are limited by `members`.
        Jurisdiction::Province | Jurisdiction::Associations(_) | Jurisdiction::Agency(_) => true,
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            let has =
                |list: &[String], v: Option<&str>| v.is_some_and(|v| list.iter().any(|c| c == v));
            has(new_communes, d.new_commune())
                || has(legacy_communes, d.legacy_commune())
                || has(legacy_districts, d.legacy_district())
        }
        Jurisdiction::Countries(cs) => d.country().is_some_and(|c| cs.iter().any(|x| x == c)),
        Jurisdiction::StatisticsOnly => false,
        Jurisdiction::OwnRecord(id) => *id == Some(d.id()),
    };
    inside && members.is_none_or(|m| m.contains(&d.id()))
}

/// A search: the text and the registry's filters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub q: String,
    pub limit: Option<i64>,
    pub commune: String,
    pub legacy_commune: String,
    pub legacy_district: String,
    pub country: String,
    pub category: String,
    pub generation: String,
    pub tag: String,
    pub status: String,
    pub verification: String,
    pub agency: String,
    pub survey_round: String,
    /// A consent given through the portal (issue 23 §4), as the people
    /// list takes it: `news:given`, `keep_record:withdrawn`, `directory:none`.
    pub consent: String,
}

impl SearchQuery {
    /// The query with its coded filters read from words and names as
    /// people write them; an unknown value is an error naming its filter.
    pub fn read_values(&self, home: &str) -> AppResult<Self> {
        let mut q = self.clone();
        super::values::read_filters(
            &mut [
                ("commune", &mut q.commune),
                ("legacy_commune", &mut q.legacy_commune),
                ("legacy_district", &mut q.legacy_district),
                ("country", &mut q.country),
                ("category", &mut q.category),
                ("generation", &mut q.generation),
                ("status", &mut q.status),
                ("verification", &mut q.verification),
                ("agency", &mut q.agency),
            ],
            Some(home),
        )
        .map_err(AppError::Invalid)?;
        Ok(q)
    }

    fn filters(&self) -> Filters {
        Filters {
            new_commune: self.commune.clone(),
            legacy_commune: self.legacy_commune.clone(),
            legacy_district: self.legacy_district.clone(),
            country: self.country.clone(),
            category: self.category.clone(),
            generation: self.generation.clone(),
            tag: self.tag.clone(),
            status: self.status.clone(),
            verification: self.verification.clone(),
        }
    }

    /// Names of the filters in use (for the audit log; no values).
    fn used_filters(&self) -> Vec<&'static str> {
        [
            ("commune", &self.commune),
            ("legacy_commune", &self.legacy_commune),
            ("legacy_district", &self.legacy_district),
            ("country", &self.country),
            ("category", &self.category),
            ("generation", &self.generation),
            ("tag", &self.tag),
            ("status", &self.status),
            ("verification", &self.verification),
            ("agency", &self.agency),
            ("survey_round", &self.survey_round),
            ("consent", &self.consent),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, _)| k)
        .collect()
    }
}

/// One hit, read back from the database, sensitive fields masked.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub id: i64,
    pub full_name: String,
    pub score: u64,
    /// `identifier`, `exact`, `folded`, `reordered`, `partial` or `fuzzy`.
    pub kind: &'static str,
    /// `full_name`, `other_name`, `passport_no`, `email` or `phone`.
    pub matched_field: &'static str,
    /// The other name that matched, when one did.
    pub matched_other_name: Option<String>,
    /// Matched parts of `full_name` (or of `matched_other_name`), as
    /// `[start, end)` offsets in Unicode characters.
    pub highlight: Vec<[usize; 2]>,
    pub other_names: Vec<String>,
    pub gender: String,
    pub birth_date: Option<String>,
    pub category: String,
    pub generation: Option<String>,
    pub country: String,
    pub city_abroad: String,
    pub hometown_text: String,
    pub phone: String,
    pub email: String,
    /// Masked.
    pub passport_no: String,
    pub status: String,
    pub verification: String,
}

/// What the query's own words narrowed the name search by, besides the
/// filters: a birth year or date, a country ("Hiền 1979", "Hiền Nhật Bản").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Narrowed {
    /// The birth year, or the two a two-digit year may mean; empty when
    /// the query named none.
    pub birth_years: Vec<u16>,
    pub birth_month: Option<u8>,
    pub birth_day: Option<u8>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

impl From<&::search::Narrowed> for Narrowed {
    fn from(n: &::search::Narrowed) -> Self {
        let mut birth_years: Vec<u16> = n.born.map(|b| b.years.to_vec()).unwrap_or_default();
        birth_years.dedup();
        Self {
            birth_years,
            birth_month: n.born.map(|b| b.month).filter(|m| *m > 0),
            birth_day: n.born.map(|b| b.day).filter(|d| *d > 0),
            country: n.country.map(str::to_owned),
        }
    }
}

/// A page of hits, best first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchPage {
    pub total: usize,
    /// When true there are more than `total`.
    pub total_is_lower_bound: bool,
    pub items: Vec<SearchHit>,
    pub narrowed: Narrowed,
    /// Where the time went (not part of the JSON; the API sends it as a
    /// `Server-Timing` header).
    #[serde(skip)]
    pub timings: Timings,
}

/// Time spent in each step of a search, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    /// Reading the rows changed since the last search into the index.
    pub catch_up: f64,
    /// Association or agency members read for the jurisdiction and filters.
    pub members: f64,
    /// The in-memory index.
    pub engine: f64,
    /// Reading the page back from the database.
    pub read_back: f64,
    /// Writing the audit row.
    pub audit: f64,
}

impl Timings {
    /// The `Server-Timing` header value (RFC: `name;dur=ms`).
    pub fn header(&self) -> String {
        format!(
            "catchup;dur={:.2}, members;dur={:.2}, engine;dur={:.2}, readback;dur={:.2}, audit;dur={:.2}",
            self.catch_up, self.members, self.engine, self.read_back, self.audit
        )
    }
}

/// Milliseconds since `t`.
fn ms_since(t: std::time::Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Ids of the people the actor's association or agency jurisdiction, or the
/// agency and survey filters, let through; `None` when no such limit applies.
async fn member_ids(app: &App, actor: &Actor, q: &SearchQuery) -> AppResult<Option<HashSet<i64>>> {
    let mut sets: Vec<HashSet<i64>> = Vec::new();
    match &actor.jurisdiction {
        Jurisdiction::Associations(ids) => {
            let mut set = HashSet::new();
            for a in ids {
                let rows: Vec<i64> = sqlx::query_scalar(
                    "SELECT person_id FROM person_associations WHERE association_id = $1",
                )
                .bind(*a)
                .fetch_all(&app.db.pool)
                .await?;
                set.extend(rows);
            }
            sets.push(set);
        }
        Jurisdiction::Agency(agency) => {
            let rows: Vec<i64> =
                sqlx::query_scalar("SELECT person_id FROM person_sources WHERE agency = $1")
                    .bind(agency)
                    .fetch_all(&app.db.pool)
                    .await?;
            sets.push(rows.into_iter().collect());
        }
        _ => {}
    }
    let agency = q.agency.trim();
    let round = q.survey_round.trim();
    if !agency.is_empty() || !round.is_empty() {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT person_id FROM person_sources WHERE ($1 = '' OR agency = $1) \
             AND ($2 = '' OR survey_round = $2)",
        )
        .bind(agency)
        .bind(round)
        .fetch_all(&app.db.pool)
        .await?;
        sets.push(rows.into_iter().collect());
    }
    let mut it = sets.into_iter();
    let Some(mut first) = it.next() else {
        return Ok(None);
    };
    for s in it {
        first.retain(|id| s.contains(id));
    }
    Ok(Some(first))
}

const HIT_COLUMNS: &str = "p.id, p.full_name, p.other_names, p.gender, p.birth_date, p.category, \
    p.generation, p.country, p.city_abroad, p.hometown_text, p.phone, p.email, p.passport_no, \
    p.status, p.verification";

/// Runs the query on the index and reads the hits back.
async fn run(app: &App, actor: &Actor, q: &SearchQuery, limit: usize) -> AppResult<SearchPage> {
    let q = &q.read_values(&app.settings.home_province)?;
    let mut timings = Timings::default();
    let t = std::time::Instant::now();
    app.search.catch_up(app).await?;
    timings.catch_up = ms_since(t);
    let t = std::time::Instant::now();
    let members = member_ids(app, actor, q).await?;
    // The people a consent filter keeps (or, for `purpose:none`, leaves out).
    let consent = if q.consent.trim().is_empty() {
        None
    } else {
        Some(super::people::consent_ids(app, &q.consent).await?)
    };
    timings.members = ms_since(t);
    let t = std::time::Instant::now();
    let state = app.search.state.clone();
    let jurisdiction = actor.jurisdiction.clone();
    let text = q.q.clone();
    let filters = q.filters();
    let results = tokio::task::spawn_blocking(move || {
        let st = state.read().map_err(|_| poisoned())?;
        let query = Query::new(&text, limit, &filters);
        Ok::<_, AppError>(st.index.search(&query, |d| {
            allows(&jurisdiction, members.as_ref(), d)
                && consent.as_ref().is_none_or(|c| c.keeps(d.id()))
        }))
    })
    .await
    .map_err(|e| AppError::Unexpected(e.into()))??;
    timings.engine = ms_since(t);
    let narrowed = Narrowed::from(&results.narrowed);
    if results.hits.is_empty() {
        return Ok(SearchPage {
            total: results.total,
            total_is_lower_bound: results.total_is_lower_bound,
            items: Vec::new(),
            narrowed,
            timings,
        });
    }
    // Read the page back, within the jurisdiction once more.
    let t = std::time::Instant::now();
    let scope = access::person_scope(actor, 1);
    let mut rows_by_id = std::collections::HashMap::new();
    for chunk in results.hits.chunks(500) {
        // The ids are bound, padded to one of a few lengths, so that the
        // statement's text repeats and its prepared form is reused.
        let arity = READ_BACK_ARITIES
            .iter()
            .copied()
            .find(|&a| a >= chunk.len())
            .unwrap_or(chunk.len());
        let first = scope.args.len() + 1;
        let marks: Vec<String> = (first..first + arity).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM persons p WHERE {} AND p.id IN ({}) AND p.deleted_at IS NULL",
            scope.sql,
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for a in &scope.args {
            query = query.bind(a);
        }
        for i in 0..arity {
            // Ids start at 1: the padding matches nothing.
            query = query.bind(chunk.get(i).map_or(0, |h| h.id));
        }
        for r in query.fetch_all(&app.db.pool).await? {
            let id: i64 = r.try_get(0)?;
            rows_by_id.insert(id, r);
        }
    }
    let mut items = Vec::with_capacity(results.hits.len());
    for h in &results.hits {
        let Some(r) = rows_by_id.get(&h.id) else {
            continue;
        };
        let other: String = r.try_get(2)?;
        let other_names: Vec<String> = serde_json::from_str(&other).unwrap_or_default();
        let (matched_field, matched_other_name) = match h.field {
            ::search::Field::FullName => ("full_name", None),
            ::search::Field::OtherName(i) => ("other_name", other_names.get(i).cloned()),
            ::search::Field::Passport => ("passport_no", None),
            ::search::Field::Email => ("email", None),
            ::search::Field::Phone => ("phone", None),
        };
        let passport: String = r.try_get(12)?;
        items.push(SearchHit {
            id: h.id,
            full_name: r.try_get(1)?,
            score: h.score,
            kind: h.kind.code(),
            matched_field,
            matched_other_name,
            highlight: h.highlight.iter().map(|(a, b)| [*a, *b]).collect(),
            other_names,
            gender: r.try_get(3)?,
            birth_date: r.try_get(4)?,
            category: r.try_get(5)?,
            generation: r.try_get(6)?,
            country: r.try_get(7)?,
            city_abroad: r.try_get(8)?,
            hometown_text: r.try_get(9)?,
            phone: r.try_get(10)?,
            email: r.try_get(11)?,
            passport_no: access::mask_identifier(&passport),
            status: r.try_get(13)?,
            verification: r.try_get(14)?,
        });
    }
    timings.read_back = ms_since(t);
    Ok(SearchPage {
        total: results.total,
        total_is_lower_bound: results.total_is_lower_bound,
        items,
        narrowed,
        timings,
    })
}

fn query_kind(text: &str) -> &'static str {
    if ::search::email_norm(text).is_some() {
        "email"
    } else if ::search::phone_digits(text).is_some() {
        "phone"
    } else if ::search::passport_norm(text).is_some() {
        "passport"
    } else {
        "name"
    }
}

async fn audit_search(
    app: &App,
    actor: &Actor,
    action: &'static str,
    q: &SearchQuery,
    page: &SearchPage,
) -> AppResult<()> {
    audit::record(
        app,
        actor,
        Event::new(action, "person", &"").with(serde_json::json!({
            "query_chars": q.q.chars().count(),
            "query_kind": query_kind(&q.q),
            "filters": q.used_filters(),
            "total": page.total,
            "returned": page.items.len(),
        })),
    )
    .await
}

/// The search without its audit row, for matching a received record
/// against the registry (the exchange audits the file as a whole).
pub(crate) async fn search_unaudited(
    app: &App,
    actor: &Actor,
    q: &SearchQuery,
    limit: usize,
) -> AppResult<SearchPage> {
    access::authorize(actor, Action::PersonList)?;
    run(app, actor, q, limit).await
}

/// Searches people within the actor's jurisdiction; audited.
pub async fn search(app: &App, actor: &Actor, q: &SearchQuery) -> AppResult<SearchPage> {
    access::authorize(actor, Action::PersonList)?;
    let limit = q.limit.unwrap_or(20).clamp(1, PAGE_MAX as i64) as usize;
    let mut page = run(app, actor, q, limit).await?;
    let t = std::time::Instant::now();
    audit_search(app, actor, "person.search", q, &page).await?;
    page.timings.audit = ms_since(t);
    Ok(page)
}

/// Neutralises a cell a spreadsheet would run as a formula.
pub use domain::text::spreadsheet_safe as safe_cell;

const EXPORT_HEADERS: &[&str] = &[
    "id",
    "full_name",
    "other_names",
    "gender",
    "birth_date",
    "category",
    "generation",
    "country",
    "city_abroad",
    "hometown_text",
    "phone",
    "email",
    "passport_no",
    "status",
    "verification",
    "match",
    "score",
];

/// How an export names things for a person: `words(kind, code)` answers
/// the label of a coded value (`"gender"`, `"category"`, `"country"`...), of
/// a column (`"field"`, its name) or of a kind of match (`"match"`). The
/// pages pass their translations; the columns' keys stay the stable codes.
pub type Words<'a> = &'a (dyn Fn(&str, &str) -> String + Sync);

fn export_row(h: &SearchHit, words: Words<'_>) -> Vec<String> {
    vec![
        h.id.to_string(),
        h.full_name.clone(),
        h.other_names.join("; "),
        words("gender", &h.gender),
        domain::dates::show(h.birth_date.as_deref().unwrap_or_default()),
        words("category", &h.category),
        words("generation", h.generation.as_deref().unwrap_or_default()),
        words("country", &h.country),
        h.city_abroad.clone(),
        h.hometown_text.clone(),
        h.phone.clone(),
        h.email.clone(),
        h.passport_no.clone(),
        words("status", &h.status),
        words("verification", &h.verification),
        words("match", h.kind),
        h.score.to_string(),
    ]
}

/// Format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

/// Exports the hits of a search (up to [`EXPORT_MAX`], best first); audited.
/// Every cell is text; cells a spreadsheet would run are neutralised.
pub async fn export(
    app: &App,
    actor: &Actor,
    q: &SearchQuery,
    format: ExportFormat,
    words: Words<'_>,
) -> AppResult<Vec<u8>> {
    access::authorize(actor, Action::PersonList)?;
    access::authorize(actor, Action::PersonExport)?;
    let page = run(app, actor, q, EXPORT_MAX).await?;
    let headers: Vec<String> = EXPORT_HEADERS.iter().map(|h| words("field", h)).collect();
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|h| export_row(h, words).iter().map(|c| safe_cell(c)).collect())
        .collect();
    let bytes = match format {
        ExportFormat::Csv => {
            let mut out = Vec::new();
            // A byte-order mark so spreadsheets read UTF-8.
            out.extend_from_slice("\u{feff}".as_bytes());
            out.extend_from_slice(csv_line(headers.iter().map(String::as_str)).as_bytes());
            for r in &rows {
                out.extend_from_slice(csv_line(r.iter().map(String::as_str)).as_bytes());
            }
            out
        }
        ExportFormat::Xlsx => xlsx(&headers, &rows).map_err(|e| AppError::Unexpected(e.into()))?,
    };
    let action = match format {
        ExportFormat::Csv => "person.search_export_csv",
        ExportFormat::Xlsx => "person.search_export_xlsx",
    };
    audit_search(app, actor, action, q, &page).await?;
    Ok(bytes)
}

fn csv_line<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    let mut line: Vec<String> = Vec::new();
    for c in cells {
        if c.contains([',', '"', '\n', '\r']) {
            line.push(format!("\"{}\"", c.replace('"', "\"\"")));
        } else {
            line.push(c.to_owned());
        }
    }
    let mut s = line.join(",");
    s.push_str("\r\n");
    s
}

fn xlsx(headers: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("search")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string((r + 1) as u32, c as u16, v)?;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(safe_cell("=1+1"), "'=1+1");
        assert_eq!(safe_cell("+84 912"), "'+84 912");
        assert_eq!(safe_cell("-2"), "'-2");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("Nguyễn"), "Nguyễn");
    }

    #[test]
    fn commune_jurisdiction_in_memory() {
        let mut ix = Index::new();
        for (id, c) in [(1, "A"), (2, "B")] {
            ix.upsert(&PersonDoc {
                id,
                full_name: "Nguyễn Văn Đức".into(),
                new_commune: Some(c.into()),
                country: "US".into(),
                ..PersonDoc::default()
            });
        }
        let j = Jurisdiction::Communes {
            new_communes: vec!["A".into()],
            legacy_communes: vec![],
            legacy_districts: vec![],
        };
        let f = Filters::default();
        let r = ix.search(&Query::new("duc", 10, &f), |d| {
            allows::<std::hash::RandomState>(&j, None, d)
        });
        assert_eq!(r.total, 1);
        assert_eq!(r.hits[0].id, 1);
        let r = ix.search(&Query::new("duc", 10, &f), |d| {
            allows::<std::hash::RandomState>(&Jurisdiction::Countries(vec!["US".into()]), None, d)
        });
        assert_eq!(r.total, 2);
        let r = ix.search(&Query::new("duc", 10, &f), |d| {
            allows::<std::hash::RandomState>(&Jurisdiction::StatisticsOnly, None, d)
        });
        assert_eq!(r.total, 0);
        let only2: HashSet<i64> = [2].into_iter().collect();
        let r = ix.search(&Query::new("duc", 10, &f), |d| {
            allows(&Jurisdiction::Associations(vec![9]), Some(&only2), d)
        });
        assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![2]);
    }
}
