//! The in-memory statistics columns: one small integer per live person and
//! dimension (values interned per dimension; multi-valued dimensions as an
//! interned set), indexed by person id, caught up from `persons.change_seq`
//! before each query like the search index. A pivot is one scan.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use db::Row;
use rayon::prelude::*;

use super::pivots::{Counts, Dim, Measure, PivotSpec};
use crate::registry::people::ConsentIds;
use crate::{App, AppError, AppResult, Jurisdiction};
use domain::age::{AGE_BANDS, age_band};

/// Largest person id the columns hold (ids are dense row numbers; a larger
/// one sends pivots to the database rather than allocate by it).
const MAX_ID: usize = 200_000_000;
/// Rows read per catch-up batch.
const BATCH: i64 = 50_000;
/// Person ids per source query of a catch-up.
const SOURCE_CHUNK: usize = 500;
/// Person ids per window of the first full read of sources.
const SOURCE_WINDOW: i64 = 200_000;

/// Interned values of one dimension; id 0 is "" (not recorded).
#[derive(Debug, Clone)]
struct Dict {
    values: Vec<String>,
    index: HashMap<String, u16>,
}

impl Default for Dict {
    fn default() -> Self {
        Self {
            values: vec![String::new()],
            index: HashMap::from([(String::new(), 0)]),
        }
    }
}

impl Dict {
    fn id(&mut self, v: &str) -> AppResult<u16> {
        if let Some(i) = self.index.get(v) {
            return Ok(*i);
        }
        let i = u16::try_from(self.values.len())
            .map_err(|_| AppError::Unexpected(anyhow::anyhow!("statistics: too many values")))?;
        self.values.push(v.to_owned());
        self.index.insert(v.to_owned(), i);
        Ok(i)
    }
}

/// Interned sets of value ids; set 0 is `[0]` (no value).
#[derive(Debug, Clone)]
struct SetDict {
    sets: Vec<Vec<u16>>,
    index: HashMap<Vec<u16>, u16>,
}

impl Default for SetDict {
    fn default() -> Self {
        Self {
            sets: vec![vec![0]],
            index: HashMap::from([(vec![0], 0)]),
        }
    }
}

impl SetDict {
    fn id(&mut self, mut set: Vec<u16>) -> AppResult<u16> {
        set.sort_unstable();
        set.dedup();
        if set.is_empty() {
            set.push(0);
        }
        if let Some(i) = self.index.get(&set) {
            return Ok(*i);
        }
        let i = u16::try_from(self.sets.len())
            .map_err(|_| AppError::Unexpected(anyhow::anyhow!("statistics: too many sets")))?;
        self.sets.push(set.clone());
        self.index.insert(set, i);
        Ok(i)
    }
}

/// Single-valued columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Single {
    Category = 0,
    Generation,
    Country,
    Commune,
    LegacyCommune,
    LegacyDistrict,
    Gender,
    Verification,
}
const SINGLES: usize = 8;

/// Multi-valued columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Multi {
    Tag = 0,
    Agency,
    Round,
}
const MULTIS: usize = 3;

#[derive(Default)]
struct Columns {
    live: Vec<bool>,
    single: [Vec<u16>; SINGLES],
    dicts: [Dict; SINGLES],
    /// Birth year, 0 when unknown.
    birth_year: Vec<u16>,
    multi: [Vec<u16>; MULTIS],
    multi_values: [Dict; MULTIS],
    multi_sets: [SetDict; MULTIS],
    live_count: usize,
}

impl Columns {
    fn ensure(&mut self, id: usize) {
        if self.live.len() <= id {
            let n = (id + 1).max(self.live.len() * 5 / 4);
            self.live.resize(n, false);
            for c in &mut self.single {
                c.resize(n, 0);
            }
            self.birth_year.resize(n, 0);
            for c in &mut self.multi {
                c.resize(n, 0);
            }
        }
    }

    fn set_live(&mut self, i: usize, live: bool) {
        if self.live[i] != live {
            if live {
                self.live_count += 1;
            } else {
                self.live_count -= 1;
            }
        }
        self.live[i] = live;
    }
}

#[derive(Default)]
struct State {
    cols: Columns,
    /// Highest `change_seq` applied.
    seen: i64,
    /// A person id beyond [`MAX_ID`] was seen: the columns (indexed by id)
    /// would not fit, pivots go to the database instead.
    overflow: bool,
}

/// The statistics columns of one server process. Cheap to clone.
#[derive(Clone, Default)]
pub struct StatsIndex {
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
    AppError::Unexpected(anyhow::anyhow!("statistics lock poisoned"))
}

const COLUMNS: &str = "id, category, generation, country, hometown_new_code, \
    hometown_legacy_code, hometown_legacy_district, gender, verification, birth_year, tags, \
    deleted_at, change_seq";

struct PersonRow {
    id: usize,
    single: [Option<String>; SINGLES],
    birth_year: Option<i64>,
    tags: String,
    live: bool,
    seq: i64,
}

fn person_row(r: &db::AnyRow) -> Result<PersonRow, db::SqlxError> {
    let id: i64 = r.try_get(0)?;
    let deleted: Option<String> = r.try_get(11)?;
    Ok(PersonRow {
        id: usize::try_from(id).unwrap_or(0),
        single: [
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
            r.try_get(6)?,
            r.try_get(7)?,
            r.try_get(8)?,
        ],
        birth_year: r.try_get(9)?,
        tags: r.try_get(10)?,
        live: deleted.is_none(),
        seq: r.try_get(12)?,
    })
}

/// Sources of some people: (person id, agency, survey round).
type Sources = Vec<(i64, String, String)>;

fn apply_sources(cols: &mut Columns, ids: &[usize], sources: &Sources) -> AppResult<()> {
    let mut by_person: HashMap<usize, (Vec<u16>, Vec<u16>)> = HashMap::new();
    for (pid, agency, round) in sources {
        let pid = usize::try_from(*pid).unwrap_or(0);
        let a = cols.multi_values[Multi::Agency as usize].id(agency)?;
        let r = cols.multi_values[Multi::Round as usize].id(round)?;
        let e = by_person.entry(pid).or_default();
        e.0.push(a);
        e.1.push(r);
    }
    for id in ids {
        let (a, r) = by_person.remove(id).unwrap_or_default();
        cols.ensure(*id);
        cols.multi[Multi::Agency as usize][*id] = cols.multi_sets[Multi::Agency as usize].id(a)?;
        cols.multi[Multi::Round as usize][*id] = cols.multi_sets[Multi::Round as usize].id(r)?;
    }
    Ok(())
}

fn apply_person(cols: &mut Columns, p: &PersonRow) -> AppResult<()> {
    cols.ensure(p.id);
    let i = p.id;
    for (k, v) in p.single.iter().enumerate() {
        cols.single[k][i] = cols.dicts[k].id(v.as_deref().unwrap_or(""))?;
    }
    cols.birth_year[i] = p
        .birth_year
        .and_then(|y| u16::try_from(y).ok())
        .unwrap_or(0);
    let mut tags = Vec::new();
    for t in p.tags.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        tags.push(cols.multi_values[Multi::Tag as usize].id(t)?);
    }
    cols.multi[Multi::Tag as usize][i] = cols.multi_sets[Multi::Tag as usize].id(tags)?;
    cols.set_live(i, p.live);
    Ok(())
}

async fn read_sources(app: &App, ids: &[usize]) -> AppResult<Sources> {
    let mut out = Vec::new();
    for chunk in ids.chunks(SOURCE_CHUNK) {
        // Ids are integers read from the database: inlined, not user text.
        let list: Vec<String> = chunk.iter().map(ToString::to_string).collect();
        let sql = format!(
            "SELECT person_id, agency, survey_round FROM person_sources WHERE person_id IN ({})",
            list.join(", ")
        );
        let rows = sqlx::query(&sql).fetch_all(&app.db.pool).await?;
        for r in &rows {
            out.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
        }
    }
    Ok(out)
}

/// Sources of the people with ids in `from..to`: today's, or, for an as-of
/// day, those added before it, the ones a merge moved since counted on the
/// record they hung on then ([`MovedBack`]).
async fn sources_between(
    app: &App,
    (from, to): (i64, i64),
    as_of: Option<(&str, &MovedBack)>,
) -> AppResult<Sources> {
    let rs = sqlx::query(
        "SELECT id, person_id, agency, survey_round FROM person_sources \
         WHERE person_id >= $1 AND person_id < $2 AND ($3 IS NULL OR added_at < $3)",
    )
    .bind(from)
    .bind(to)
    .bind(as_of.map(|(until, _)| until))
    .fetch_all(&app.db.pool)
    .await?;
    let mut sources = Vec::with_capacity(rs.len());
    for r in &rs {
        let id: i64 = r.try_get(0)?;
        if as_of.is_some_and(|(_, moved)| moved.sources.contains_key(&id)) {
            continue;
        }
        sources.push((r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
    }
    if let Some((_, moved)) = as_of {
        sources.extend(
            moved
                .relocated
                .iter()
                .filter(|(owner, _, _)| (from..to).contains(owner))
                .cloned(),
        );
    }
    Ok(sources)
}

/// Figures of a build or catch-up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CatchUp {
    /// Person rows read from the database.
    pub rows: u64,
    /// Live people counted afterwards.
    pub live: usize,
}

impl StatsIndex {
    /// The highest change number applied (read before counting, it labels
    /// figures that are at least that fresh).
    pub fn seen(&self) -> i64 {
        self.state.read().map_or(0, |s| s.seen)
    }

    /// True once the columns have been built (readiness).
    pub fn is_built(&self) -> bool {
        self.built.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Applies every person changed since the last change number seen (from
    /// the start on a new index: that is the build), with their sources.
    pub async fn catch_up(&self, app: &App) -> AppResult<CatchUp> {
        let arrived = std::time::Instant::now();
        let _one = self.catching.lock().await;
        if self.last_pass.covers(arrived) {
            let live = self.state.read().map_err(|_| poisoned())?.cols.live_count;
            return Ok(CatchUp { rows: 0, live });
        }
        let started = std::time::Instant::now();
        let mut seen = self.state.read().map_err(|_| poisoned())?.seen;
        let building = seen == 0;
        let mut rows = 0u64;
        let mut max_id = 0usize;
        loop {
            let sql = format!(
                "SELECT {COLUMNS} FROM persons WHERE change_seq > $1 ORDER BY change_seq LIMIT {BATCH}"
            );
            let batch = sqlx::query(&sql).bind(seen).fetch_all(&app.db.pool).await?;
            let n = batch.len();
            if n == 0 {
                break;
            }
            let people = batch
                .iter()
                .map(person_row)
                .collect::<Result<Vec<_>, _>>()?;
            let ids: Vec<usize> = people
                .iter()
                .map(|p| p.id)
                .filter(|id| *id <= MAX_ID)
                .collect();
            max_id = max_id.max(ids.iter().copied().max().unwrap_or(0));
            // On the build, sources are read afterwards in one pass.
            let sources = if building {
                Vec::new()
            } else {
                read_sources(app, &ids).await?
            };
            {
                let mut st = self.state.write().map_err(|_| poisoned())?;
                for p in &people {
                    if p.id > MAX_ID {
                        st.overflow = true;
                    } else {
                        apply_person(&mut st.cols, p)?;
                    }
                    st.seen = st.seen.max(p.seq);
                }
                if !building {
                    apply_sources(&mut st.cols, &ids, &sources)?;
                }
                seen = st.seen;
            }
            rows += n as u64;
            if (n as i64) < BATCH {
                break;
            }
        }
        if building && rows > 0 {
            let mut from = 0i64;
            let last = i64::try_from(max_id).unwrap_or(i64::MAX);
            while from <= last {
                let to = from + SOURCE_WINDOW;
                let sources = sources_between(app, (from, to), None).await?;
                let mut st = self.state.write().map_err(|_| poisoned())?;
                let hi = usize::try_from(to)
                    .unwrap_or(usize::MAX)
                    .min(st.cols.live.len());
                let lo = usize::try_from(from).unwrap_or(0).min(hi);
                let ids: Vec<usize> = (lo..hi).filter(|i| st.cols.live[*i]).collect();
                apply_sources(&mut st.cols, &ids, &sources)?;
                from = to;
            }
        }
        let live = self.state.read().map_err(|_| poisoned())?.cols.live_count;
        self.built.store(true, std::sync::atomic::Ordering::Release);
        self.last_pass.done(started);
        Ok(CatchUp { rows, live })
    }

    /// Drops the columns and builds them again from the database.
    pub async fn rebuild(&self, app: &App) -> AppResult<CatchUp> {
        {
            let _one = self.catching.lock().await;
            let mut st = self.state.write().map_err(|_| poisoned())?;
            *st = State::default();
        }
        self.catch_up(app).await
    }

    /// Counts for a pivot over the people of `jurisdiction` (and, for
    /// association and agency jurisdictions, of `members`; with a consent
    /// filter, of those `consent` keeps).
    pub fn counts(
        &self,
        jurisdiction: &Jurisdiction,
        members: Option<&HashSet<i64>>,
        consent: Option<&ConsentIds>,
        spec: &PivotSpec,
        year: i64,
    ) -> AppResult<Option<Counts>> {
        // The departments' own fields have no columns here: SQL counts them.
        if uses_source_fields(spec) {
            return Ok(None);
        }
        let st = self.state.read().map_err(|_| poisoned())?;
        if st.overflow {
            return Ok(None);
        }
        Ok(Some(scan(
            &st.cols,
            jurisdiction,
            (members, consent),
            spec,
            year,
            None,
        )))
    }
}

/// True when a pivot breaks down or filters by a department's own field.
pub fn uses_source_fields(spec: &PivotSpec) -> bool {
    let own = |d: Dim| matches!(d, Dim::SourceField(_));
    own(spec.rows) || spec.cols.is_some_and(own) || spec.filters.iter().any(|(d, _)| own(*d))
}

/// Counts of one part of a scan.
struct Tally {
    cells: Vec<i64>,
    rows: Vec<i64>,
    cols: Vec<i64>,
    total: i64,
}

impl Tally {
    fn new(nr: usize, nc: usize) -> Self {
        Self {
            cells: vec![0; nr * nc],
            rows: vec![0; nr],
            cols: vec![0; nc],
            total: 0,
        }
    }

    #[expect(
        clippy::needless_pass_by_value,
        reason = "the signature rayon's reduce wants"
    )]
    fn add(mut self, other: Tally) -> Tally {
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            *a += b;
        }
        for (a, b) in self.rows.iter_mut().zip(&other.rows) {
            *a += b;
        }
        for (a, b) in self.cols.iter_mut().zip(&other.cols) {
            *a += b;
        }
        self.total += other.total;
        self
    }
}

/// How to read a dimension's value ids for a person.
enum Acc<'a> {
    One(&'a [u16]),
    Many(&'a [u16], &'a [Vec<u16>]),
    /// Birth year → band id.
    Age(&'a [u16], &'a [u16]),
    /// No column (a department's own field: counted by SQL): no value.
    Nothing,
}

impl Acc<'_> {
    #[inline]
    fn get<'b>(&'b self, i: usize, tmp: &'b mut u16) -> &'b [u16] {
        match self {
            Acc::One(c) => {
                *tmp = c[i];
                std::slice::from_ref(tmp)
            }
            Acc::Many(c, sets) => &sets[usize::from(c[i])],
            Acc::Age(by, table) => {
                *tmp = table[usize::from(by[i])];
                std::slice::from_ref(tmp)
            }
            Acc::Nothing => &[],
        }
    }
}

/// A dimension's accessor and its value codes by id.
fn accessor<'a>(cols: &'a Columns, dim: Dim, age_table: &'a [u16]) -> (Acc<'a>, Vec<String>) {
    let single = |s: Single| {
        (
            Acc::One(&cols.single[s as usize]),
            cols.dicts[s as usize].values.clone(),
        )
    };
    let multi = |m: Multi| {
        (
            Acc::Many(&cols.multi[m as usize], &cols.multi_sets[m as usize].sets),
            cols.multi_values[m as usize].values.clone(),
        )
    };
    match dim {
        Dim::Category => single(Single::Category),
        Dim::Generation => single(Single::Generation),
        Dim::Country => single(Single::Country),
        Dim::Commune => single(Single::Commune),
        Dim::LegacyDistrict => single(Single::LegacyDistrict),
        Dim::Gender => single(Single::Gender),
        Dim::Verification => single(Single::Verification),
        Dim::Tag => multi(Multi::Tag),
        Dim::Agency => multi(Multi::Agency),
        Dim::SurveyRound => multi(Multi::Round),
        Dim::SourceField(_) => (Acc::Nothing, Vec::new()),
        Dim::AgeBand => {
            let mut codes = vec![String::new()];
            codes.extend(AGE_BANDS.iter().map(|b| b.0.to_owned()));
            (Acc::Age(&cols.birth_year, age_table), codes)
        }
    }
}

/// Birth year (0 = unknown) → age band id (0 = unknown, then `AGE_BANDS` order).
fn age_table(year: i64) -> Vec<u16> {
    (0..=u16::MAX)
        .map(|y| {
            if y == 0 {
                return 0;
            }
            let code = age_band(i64::from(y), year);
            AGE_BANDS
                .iter()
                .position(|b| b.0 == code)
                .map_or(0, |p| u16::try_from(p + 1).unwrap_or(0))
        })
        .collect()
}

fn allowed(codes: &[String], wanted: &[String]) -> Vec<bool> {
    codes
        .iter()
        .map(|c| wanted.iter().any(|w| w == c))
        .collect()
}

/// Counts of the selected people (`units: None`) or of the distinct units
/// (relatives, households) attached to them, by person id.
fn scan(
    cols: &Columns,
    jurisdiction: &Jurisdiction,
    (members, consent): (Option<&HashSet<i64>>, Option<&ConsentIds>),
    spec: &PivotSpec,
    year: i64,
    units: Option<&HashMap<usize, Vec<i64>>>,
) -> Counts {
    // The birth year → band table only when a band is asked for.
    let uses_age = spec.rows == Dim::AgeBand
        || spec.cols == Some(Dim::AgeBand)
        || spec.filters.iter().any(|(d, _)| *d == Dim::AgeBand);
    let ages = if uses_age {
        age_table(year)
    } else {
        Vec::new()
    };
    let n = cols.live.len();
    // The jurisdiction, as accepted value ids per column, or a member mask.
    let in_list = |s: Single, list: &[String]| -> Vec<bool> {
        let mut m: Vec<bool> = cols.dicts[s as usize]
            .values
            .iter()
            .map(|v| list.iter().any(|c| c == v))
            .collect();
        m[0] = false;
        m
    };
    let mut scope_cols: Vec<(Single, Vec<bool>)> = Vec::new();
    let mut mask: Option<Vec<bool>> = None;
    match jurisdiction {
        Jurisdiction::Province => {}
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            scope_cols.push((Single::Commune, in_list(Single::Commune, new_communes)));
            scope_cols.push((
                Single::LegacyCommune,
                in_list(Single::LegacyCommune, legacy_communes),
            ));
            scope_cols.push((
                Single::LegacyDistrict,
                in_list(Single::LegacyDistrict, legacy_districts),
            ));
        }
        Jurisdiction::Countries(cs) => {
            scope_cols.push((Single::Country, in_list(Single::Country, cs)));
        }
        Jurisdiction::StatisticsOnly | Jurisdiction::Associations(_) | Jurisdiction::Agency(_) => {
            mask = Some(vec![false; n]);
        }
        Jurisdiction::OwnRecord(id) => {
            let mut m = vec![false; n];
            if let Some(i) = id.and_then(|i| usize::try_from(i).ok()).filter(|i| *i < n) {
                m[i] = true;
            }
            mask = Some(m);
        }
    }
    if let (Some(m), Some(ids)) = (mask.as_mut(), members) {
        for id in ids {
            if let Ok(i) = usize::try_from(*id)
                && i < n
            {
                m[i] = true;
            }
        }
    }
    // The consent filter, by id (the columns hold no consents).
    let consenting: Option<Vec<bool>> = consent.map(|c| {
        (0..n)
            .map(|i| i64::try_from(i).is_ok_and(|id| c.keeps(id)))
            .collect()
    });
    let filters: Vec<(Acc<'_>, Vec<bool>)> = spec
        .filters
        .iter()
        .map(|(d, wanted)| {
            let (acc, codes) = accessor(cols, *d, &ages);
            let ok = allowed(&codes, wanted);
            (acc, ok)
        })
        .collect();
    let (racc, rcodes) = accessor(cols, spec.rows, &ages);
    let cdim = spec.cols.map(|c| accessor(cols, c, &ages));
    let nr = rcodes.len();
    let nc = cdim.as_ref().map_or(1, |c| c.1.len());
    let ccol = cdim.as_ref().map(|c| &c.0);
    // Whether person `i` is live, within the jurisdiction and the filters.
    let selected = |i: usize, tmp: &mut u16| -> bool {
        if !cols.live[i] {
            return false;
        }
        if let Some(m) = &mask
            && !m[i]
        {
            return false;
        }
        if let Some(m) = &consenting
            && !m[i]
        {
            return false;
        }
        if !scope_cols.is_empty()
            && !scope_cols
                .iter()
                .any(|(s, ok)| ok[usize::from(cols.single[*s as usize][i])])
        {
            return false;
        }
        filters
            .iter()
            .all(|(acc, ok)| acc.get(i, tmp).iter().any(|v| ok[usize::from(*v)]))
    };
    if let Some(units) = units {
        return count_units(n, units, &selected, &racc, &rcodes, cdim.as_ref());
    }
    // One part of the ids: its cells, row and column totals and total.
    let part = |range: std::ops::Range<usize>| -> Tally {
        let mut t = Tally::new(nr, nc);
        let (mut t1, mut t2) = (0u16, 0u16);
        for i in range {
            if !selected(i, &mut t1) {
                continue;
            }
            t.total += 1;
            let rs = racc.get(i, &mut t1);
            for r in rs {
                t.rows[usize::from(*r)] += 1;
            }
            if let Some(cacc) = ccol {
                for c in cacc.get(i, &mut t2) {
                    t.cols[usize::from(*c)] += 1;
                    for r in rs {
                        t.cells[usize::from(*r) * nc + usize::from(*c)] += 1;
                    }
                }
            }
        }
        t
    };
    // One part per core: the scan is memory-bound and each part's tally is
    // small next to the columns.
    let parts = rayon::current_num_threads().max(1);
    let step = n.div_ceil(parts).max(1);
    let ranges: Vec<std::ops::Range<usize>> =
        (0..n).step_by(step).map(|a| a..(a + step).min(n)).collect();
    let Tally {
        cells,
        rows: rtot,
        cols: ctot,
        total,
    } = ranges
        .into_par_iter()
        .map(part)
        .reduce(|| Tally::new(nr, nc), Tally::add);
    let mut out = Counts {
        total,
        ..Counts::default()
    };
    for (r, n) in rtot.iter().enumerate() {
        if *n > 0 {
            out.rows.insert(rcodes[r].clone(), *n);
        }
    }
    if let Some((_, ccodes)) = &cdim {
        for (c, n) in ctot.iter().enumerate() {
            if *n > 0 {
                out.cols.insert(ccodes[c].clone(), *n);
            }
        }
        for r in 0..nr {
            for c in 0..nc {
                let v = cells[r * nc + c];
                if v > 0 {
                    out.cells.insert((rcodes[r].clone(), ccodes[c].clone()), v);
                }
            }
        }
    }
    out
}

/// Distinct units (relative or household ids) of the selected people, by
/// cell, row, column and in all: a unit shared by two people counts once.
fn count_units(
    n: usize,
    units: &HashMap<usize, Vec<i64>>,
    selected: &dyn Fn(usize, &mut u16) -> bool,
    racc: &Acc<'_>,
    rcodes: &[String],
    cdim: Option<&(Acc<'_>, Vec<String>)>,
) -> Counts {
    let mut cells: HashMap<(u16, u16), HashSet<i64>> = HashMap::new();
    let mut rows: HashMap<u16, HashSet<i64>> = HashMap::new();
    let mut cols_: HashMap<u16, HashSet<i64>> = HashMap::new();
    let mut total: HashSet<i64> = HashSet::new();
    let (mut t1, mut t2) = (0u16, 0u16);
    for i in 0..n {
        let Some(us) = units.get(&i).filter(|u| !u.is_empty()) else {
            continue;
        };
        if !selected(i, &mut t1) {
            continue;
        }
        total.extend(us);
        let rs = racc.get(i, &mut t1);
        for r in rs {
            rows.entry(*r).or_default().extend(us);
        }
        if let Some((cacc, _)) = cdim {
            for c in cacc.get(i, &mut t2) {
                cols_.entry(*c).or_default().extend(us);
                for r in rs {
                    cells.entry((*r, *c)).or_default().extend(us);
                }
            }
        }
    }
    let len = |s: &HashSet<i64>| i64::try_from(s.len()).unwrap_or(i64::MAX);
    let mut out = Counts {
        total: len(&total),
        ..Counts::default()
    };
    for (r, set) in &rows {
        out.rows.insert(rcodes[usize::from(*r)].clone(), len(set));
    }
    if let Some((_, ccodes)) = cdim {
        for (c, set) in &cols_ {
            out.cols.insert(ccodes[usize::from(*c)].clone(), len(set));
        }
        for ((r, c), set) in &cells {
            out.cells.insert(
                (
                    rcodes[usize::from(*r)].clone(),
                    ccodes[usize::from(*c)].clone(),
                ),
                len(set),
            );
        }
    }
    out
}

/// Whether a version's summary leaves the person out of the registry
/// (deleted, merged into another record, or removed by an import's undo).
pub fn summary_removes(summary: &str) -> bool {
    summary == "deleted"
        || summary.starts_with("merged into #")
        || (summary.starts_with("import #") && summary.ends_with(" undone"))
}

/// A person's columns from a recorded version: the derivation of the
/// `persons` row itself ([`crate::registry::people::data_columns`]).
fn row_from_data(id: usize, d: &crate::registry::people::PersonData, live: bool) -> PersonRow {
    let columns = crate::registry::people::data_columns(d);
    let text = |name: &str| {
        columns
            .iter()
            .find(|c| c.0 == name)
            .and_then(|c| c.1.clone())
    };
    PersonRow {
        id,
        single: [
            text("category"),
            text("generation"),
            text("country"),
            text("hometown_new_code"),
            text("hometown_legacy_code"),
            text("hometown_legacy_district"),
            text("gender"),
            text("verification"),
        ],
        birth_year: columns
            .iter()
            .find(|c| c.0 == "birth_year")
            .and_then(|c| c.2),
        tags: text("tags").unwrap_or_default(),
        live,
        seq: 0,
    }
}

/// Person ids per window of an as-of read.
const HISTORY_WINDOW: i64 = 100_000;

/// Counts for a pivot as the registry stood before `until` (a stored
/// timestamp or date: every change recorded earlier counts): each person's
/// last version before it, the sources added before it and, for the
/// households and relatives measures, the relatives and households that
/// existed then. Built in columns of its own, then the same scan.
pub(crate) async fn as_of(
    app: &App,
    jurisdiction: &Jurisdiction,
    members: Option<&HashSet<i64>>,
    spec: &PivotSpec,
    until: &str,
    year: i64,
) -> AppResult<Counts> {
    let mut cols = Columns::default();
    let moved = MovedBack::read(app, until).await?;
    let max_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(person_id), 0) FROM person_versions")
        .fetch_one(&app.db.pool)
        .await?;
    let mut from = 0i64;
    while from <= max_id {
        let to = from + HISTORY_WINDOW;
        let rows = sqlx::query(
            "SELECT person_id, version, data, summary FROM person_versions \
             WHERE person_id >= $1 AND person_id < $2 AND changed_at < $3 \
             ORDER BY person_id, version",
        )
        .bind(from)
        .bind(to)
        .bind(until)
        .fetch_all(&app.db.pool)
        .await?;
        // The last version of each person (rows are ordered by version).
        let mut last: Vec<(i64, String, String)> = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get(0)?;
            let data: String = r.try_get(2)?;
            let summary: String = r.try_get(3)?;
            match last.last_mut() {
                Some(l) if l.0 == id => *l = (id, data, summary),
                _ => last.push((id, data, summary)),
            }
        }
        drop(rows);
        let people: Vec<PersonRow> = last
            .par_iter()
            .filter_map(|(id, data, summary)| {
                let id = usize::try_from(*id).ok().filter(|i| *i <= MAX_ID)?;
                let d: crate::registry::people::PersonData = serde_json::from_str(data).ok()?;
                Some(row_from_data(id, &d, !summary_removes(summary)))
            })
            .collect();
        for p in &people {
            apply_person(&mut cols, p)?;
        }
        let sources = sources_between(app, (from, to), Some((until, &moved))).await?;
        let ids: Vec<usize> = people.iter().filter(|p| p.live).map(|p| p.id).collect();
        apply_sources(&mut cols, &ids, &sources)?;
        from = to;
    }
    let units = match spec.measure {
        Measure::People => None,
        m => {
            let rows = sqlx::query(
                "SELECT r.person_id, r.id, r.household_id FROM relatives r \
                 JOIN households h ON h.id = r.household_id \
                 WHERE r.created_at < $1 AND (r.deleted_at IS NULL OR r.deleted_at >= $1) \
                 AND h.created_at < $1 AND (h.deleted_at IS NULL OR h.deleted_at >= $1)",
            )
            .bind(until)
            .fetch_all(&app.db.pool)
            .await?;
            let mut units: HashMap<usize, Vec<i64>> = HashMap::new();
            for r in &rows {
                let rid: i64 = r.try_get(1)?;
                let pid: i64 = moved.relatives.get(&rid).copied().unwrap_or(r.try_get(0)?);
                let unit: i64 = if m == Measure::Relatives {
                    rid
                } else {
                    r.try_get(2)?
                };
                if let Ok(pid) = usize::try_from(pid) {
                    units.entry(pid).or_default().push(unit);
                }
            }
            Some(units)
        }
    };
    Ok(scan(
        &cols,
        jurisdiction,
        (members, None),
        spec,
        year,
        units.as_ref(),
    ))
}

/// Where the sources and relatives that merges moved hung before an as-of
/// day: merges and unmerges recorded since are walked back, the latest
/// first, so each row ends on the record it belonged to that day (a merge
/// moved rows from the merged record to the kept one, an unmerge back).
#[derive(Debug, Default)]
struct MovedBack {
    /// Source id → person it belonged to.
    sources: HashMap<i64, i64>,
    /// Relative id → person.
    relatives: HashMap<i64, i64>,
    /// The moved sources that existed that day, with their owner then.
    relocated: Sources,
}

impl MovedBack {
    async fn read(app: &App, until: &str) -> AppResult<Self> {
        let rows = sqlx::query(
            "SELECT kept_id, merged_id, moved, merged_at, undone_at FROM merges \
             WHERE merged_at >= $1 OR undone_at >= $1",
        )
        .bind(until)
        .fetch_all(&app.db.pool)
        .await?;
        // (when, the owner before then, what moved)
        let mut events: Vec<(String, i64, HashMap<String, Vec<i64>>)> = Vec::new();
        for r in &rows {
            let kept: i64 = r.try_get(0)?;
            let merged: i64 = r.try_get(1)?;
            let moved: String = r.try_get(2)?;
            let moved: HashMap<String, Vec<i64>> = serde_json::from_str(&moved).unwrap_or_default();
            let merged_at: String = r.try_get(3)?;
            let undone_at: Option<String> = r.try_get(4)?;
            if let Some(u) = undone_at.filter(|u| u.as_str() >= until) {
                events.push((u, kept, moved.clone()));
            }
            if merged_at.as_str() >= until {
                events.push((merged_at, merged, moved));
            }
        }
        events.sort_by(|a, b| b.0.cmp(&a.0));
        let mut out = Self::default();
        for (_, owner, moved) in events {
            for (key, map) in [
                ("sources", &mut out.sources),
                ("relatives", &mut out.relatives),
            ] {
                for id in moved.get(key).into_iter().flatten() {
                    map.insert(*id, owner);
                }
            }
        }
        let ids: Vec<i64> = out.sources.keys().copied().collect();
        for chunk in ids.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            // Ids are integers read from the database: inlined.
            let rows = sqlx::query(&format!(
                "SELECT id, agency, survey_round FROM person_sources \
                 WHERE added_at < $1 AND id IN ({})",
                list.join(", ")
            ))
            .bind(until)
            .fetch_all(&app.db.pool)
            .await?;
            for r in &rows {
                let id: i64 = r.try_get(0)?;
                if let Some(owner) = out.sources.get(&id) {
                    out.relocated.push((*owner, r.try_get(1)?, r.try_get(2)?));
                }
            }
        }
        Ok(out)
    }
}

/// Ids of the members of an association or agency jurisdiction; `None` for
/// every other kind (decided by the columns).
pub async fn member_ids(app: &App, j: &Jurisdiction) -> AppResult<Option<HashSet<i64>>> {
    match j {
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
            Ok(Some(set))
        }
        Jurisdiction::Agency(agency) => {
            let rows: Vec<i64> =
                sqlx::query_scalar("SELECT person_id FROM person_sources WHERE agency = $1")
                    .bind(agency)
                    .fetch_all(&app.db.pool)
                    .await?;
            Ok(Some(rows.into_iter().collect()))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: usize, category: &str, country: &str, tags: &str, live: bool) -> PersonRow {
        PersonRow {
            id,
            single: [
                Some(category.into()),
                None,
                Some(country.into()),
                Some("00001".into()),
                None,
                None,
                Some("male".into()),
                Some("unverified".into()),
            ],
            birth_year: Some(1990),
            tags: tags.into(),
            live,
            seq: i64::try_from(id).unwrap(),
        }
    }

    #[test]
    fn a_person_with_two_tags_counts_under_each_and_once_in_totals() {
        let mut cols = Columns::default();
        apply_person(
            &mut cols,
            &person(1, "migrant", "KR", "expert,businessperson", true),
        )
        .unwrap();
        apply_person(&mut cols, &person(2, "migrant", "JP", "expert", true)).unwrap();
        apply_person(&mut cols, &person(3, "migrant", "JP", "", false)).unwrap();
        apply_sources(
            &mut cols,
            &[1, 2, 3],
            &vec![(1, "police".into(), "2025".into())],
        )
        .unwrap();
        let spec = PivotSpec::new(Dim::Tag, Some(Dim::Country));
        let c = scan(
            &cols,
            &Jurisdiction::Province,
            (None, None),
            &spec,
            2026,
            None,
        );
        assert_eq!(c.total, 2, "the deleted person is not counted");
        assert_eq!(c.rows.get("expert"), Some(&2));
        assert_eq!(c.rows.get("businessperson"), Some(&1));
        assert_eq!(
            c.cols.get("KR"),
            Some(&1),
            "a column total counts each person once"
        );
        assert_eq!(c.cells.get(&("expert".into(), "JP".into())), Some(&1));
        let spec = PivotSpec::new(Dim::Agency, None);
        let c = scan(
            &cols,
            &Jurisdiction::Countries(vec!["JP".into()]),
            (None, None),
            &spec,
            2026,
            None,
        );
        assert_eq!(
            (c.total, c.rows.get("")),
            (1, Some(&1)),
            "no source: not recorded"
        );
    }

    #[test]
    fn an_edit_moves_a_person_between_cells() {
        let mut cols = Columns::default();
        apply_person(&mut cols, &person(7, "migrant", "KR", "", true)).unwrap();
        apply_person(&mut cols, &person(7, "study_abroad", "KR", "", true)).unwrap();
        let c = scan(
            &cols,
            &Jurisdiction::Province,
            (None, None),
            &PivotSpec::new(Dim::Category, None),
            2026,
            None,
        );
        assert_eq!(c.rows.len(), 1);
        assert_eq!(c.rows.get("study_abroad"), Some(&1));
        assert_eq!(cols.live_count, 1);
    }
}
