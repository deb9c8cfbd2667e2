//! Staff statistics pages and API (issue 9): the dashboard, the report
//! builder with saved and ready-made reports, and exports of a pivot (xlsx,
//! docx, PDF). Every handler calls `app::stats`, which checks access and applies
//! the jurisdiction; drill-down links lead to the people list, which checks
//! `PersonList` again.

use app::stats::{self, Dim, Engine, Measure, Pivot, PivotSpec, export::ExportContext, saved};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::error::PageError;
use crate::extract::User;
use crate::i18n::{Lang, Tr};
use crate::pages::{DOCX, Layout, PDF, XLSX, attachment, page_err, render};

pub(crate) type Pairs = Vec<(String, String)>;

/// One bar of a breakdown: label, value, share of the largest (0–100), link.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub pct: String,
    pub href: Option<String>,
}

/// One breakdown of the dashboard.
pub struct Breakdown {
    pub dim: &'static str,
    pub title: String,
    pub bars: Vec<Bar>,
}

fn encode(pairs: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The people list filtered like a figure, when the role may list people
/// and every condition is one the list accepts (one known value each).
fn drill(can_list: bool, spec: &PivotSpec, extra: &[(Dim, &str)]) -> Option<String> {
    if !can_list {
        return None;
    }
    let filters = &spec.filters;
    let mut pairs: Pairs = Vec::new();
    // The list takes the same consent filter.
    if let Some(c) = &spec.consent {
        pairs.push(("consent".to_owned(), c.clone()));
    }
    // The list filters by one department's own field, as `field` and
    // `field_value` (the value read as typed: a code reads as itself).
    let mut push = |d: &Dim, v: &str| -> Option<()> {
        if let Dim::SourceField(_) = d {
            if pairs.iter().any(|(k, _)| k == "field") {
                return None;
            }
            pairs.push(("field".to_owned(), d.code().to_owned()));
            pairs.push(("field_value".to_owned(), v.to_owned()));
        } else {
            pairs.push((d.code().to_owned(), v.to_owned()));
        }
        Some(())
    };
    for (d, v) in filters {
        if v.len() != 1 || v[0].is_empty() {
            return None;
        }
        push(d, &v[0])?;
    }
    for (d, v) in extra {
        if v.is_empty() || filters.iter().any(|(f, _)| f == d) {
            return None;
        }
        push(d, v)?;
    }
    Some(format!("/people?{}", encode(&pairs)))
}

fn can_list(user: &User) -> bool {
    app::access::authorize(&user.actor, app::access::Action::PersonList).is_ok()
}

fn breakdown(p: &Pivot, en: bool, can: bool) -> Breakdown {
    let max = p.row_totals.iter().copied().max().unwrap_or(0).max(1);
    Breakdown {
        dim: p.spec.rows.code(),
        title: p.spec.rows.label(en).to_owned(),
        bars: p
            .rows
            .iter()
            .zip(&p.row_totals)
            .map(|(h, n)| Bar {
                label: h.label(en).to_owned(),
                value: *n,
                pct: format!("{:.1}", (*n as f64) * 100.0 / (max as f64)),
                href: drill(can, &p.spec, &[(p.spec.rows, h.code.as_str())]),
            })
            .collect(),
    }
}

/// A commune on the province map: position in the SVG, radius, figure, link.
pub struct MapPoint {
    pub x: String,
    pub y: String,
    pub r: String,
    pub label: String,
    pub value: i64,
    pub href: Option<String>,
}

/// Width and height of the map's SVG view box.
const MAP_W: f64 = 400.0;
const MAP_H: f64 = 300.0;

/// The communes of a commune breakdown placed by their coordinates (an
/// equirectangular projection of the communes' bounding box), circles by count.
fn commune_map(p: &Pivot, en: bool, can: bool) -> Vec<MapPoint> {
    let known: Vec<(&stats::Header, i64, f64, f64)> = p
        .rows
        .iter()
        .zip(&p.row_totals)
        .filter_map(|(h, n)| domain::geo::new_commune(&h.code).map(|c| (h, *n, c.lat, c.lon)))
        .filter(|(_, _, lat, lon)| *lat != 0.0 || *lon != 0.0)
        .collect();
    if known.len() < 2 {
        return Vec::new();
    }
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (_, _, lat, lon) in &known {
        lat0 = lat0.min(*lat);
        lat1 = lat1.max(*lat);
        lon0 = lon0.min(*lon);
        lon1 = lon1.max(*lon);
    }
    let k = f64::midpoint(lat0, lat1).to_radians().cos();
    let w = ((lon1 - lon0) * k).max(1e-6);
    let h = (lat1 - lat0).max(1e-6);
    let scale = ((MAP_W - 40.0) / w).min((MAP_H - 40.0) / h);
    let max = known.iter().map(|k| k.1).max().unwrap_or(1).max(1) as f64;
    known
        .into_iter()
        .map(|(hd, n, lat, lon)| MapPoint {
            x: format!("{:.1}", 20.0 + (lon - lon0) * k * scale),
            y: format!("{:.1}", 20.0 + (lat1 - lat) * scale),
            r: format!("{:.1}", 2.0 + 14.0 * ((n as f64) / max).sqrt()),
            label: hd.label(en).to_owned(),
            value: n,
            href: drill(can, &p.spec, &[(Dim::Commune, hd.code.as_str())]),
        })
        .collect()
}

/// A country on the world map: its outline, shade class, figure and link.
pub struct MapCountry {
    pub d: &'static str,
    /// `q0` (none) to `q5` (most).
    pub class: &'static str,
    pub label: String,
    pub value: i64,
    pub href: Option<String>,
}

/// Country outlines of the world map, keyed by ISO 3166-1 numeric code:
/// Natural Earth 1:110m (public domain) from the npm package world-atlas
/// 2.0.2 (ISC), turned into SVG paths by `scripts/vendor/world_map.py`.
static WORLD: std::sync::LazyLock<Vec<(&'static str, &'static str, &'static str)>> =
    std::sync::LazyLock::new(|| {
        include_str!("../../assets/world-110m.tsv")
            .lines()
            .filter_map(|l| {
                let mut f = l.splitn(3, '\t');
                Some((f.next()?, f.next()?, f.next()?))
            })
            .collect()
    });

/// Shade classes of the world map: none, then five steps on a log scale
/// of the largest country's figure.
fn shade(n: i64, max: i64) -> &'static str {
    const CLASSES: [&str; 6] = ["q0", "q1", "q2", "q3", "q4", "q5"];
    if n <= 0 || max <= 0 {
        return CLASSES[0];
    }
    let f = ((n as f64).ln_1p() / (max as f64).ln_1p()).clamp(0.0, 1.0);
    CLASSES[((f * 5.0).ceil() as usize).clamp(1, 5)]
}

/// The countries of a country breakdown by ISO numeric code, with their
/// figures ("not recorded" and unknown codes left out).
type ByNumeric<'a> = std::collections::HashMap<&'static str, (&'a stats::Header, i64)>;

fn by_numeric(p: &Pivot) -> ByNumeric<'_> {
    p.rows
        .iter()
        .zip(&p.row_totals)
        .filter_map(|(h, n)| domain::geo::country(&h.code).map(|c| (c.numeric, (h, *n))))
        .collect()
}

/// The largest country figure: the top of the world map's shade scale.
fn world_max(countries: &ByNumeric<'_>) -> i64 {
    countries.values().map(|v| v.1).max().unwrap_or(0)
}

/// The world map's legend: each shade class and the figures it covers, on
/// the scale the map is shaded by.
fn world_legend(max: i64, en: bool) -> Vec<(&'static str, String)> {
    let mut out = vec![("q0", (if en { "none" } else { "không có" }).to_owned())];
    if max <= 0 {
        return out;
    }
    // Upper bound of each class: the largest n with shade(n, max) == class,
    // from the log scale, then nudged to agree with `shade` exactly.
    let top = (max as f64).ln_1p();
    let mut lo = 1i64;
    for (k, class) in ["q1", "q2", "q3", "q4", "q5"].into_iter().enumerate() {
        let mut hi = ((top * (k + 1) as f64 / 5.0).exp_m1().floor() as i64).clamp(lo - 1, max);
        while hi < max && shade(hi + 1, max) == class {
            hi += 1;
        }
        while hi >= lo && shade(hi, max) != class {
            hi -= 1;
        }
        if hi >= lo {
            out.push((
                class,
                if hi == lo {
                    lo.to_string()
                } else {
                    format!("{lo}–{hi}")
                },
            ));
            lo = hi + 1;
        }
    }
    out
}

/// A country breakdown as a choropleth: every country of the map shaded by
/// its figure (countries without people in light grey, with their names).
fn world_map(p: &Pivot, en: bool, can: bool) -> Vec<MapCountry> {
    let by_numeric = by_numeric(p);
    let max = world_max(&by_numeric);
    WORLD
        .iter()
        .map(|(numeric, name_en, d)| {
            let hit = by_numeric.get(numeric);
            let country = domain::geo::countries()
                .iter()
                .find(|c| c.numeric == *numeric);
            let label = match (hit, country) {
                (Some((h, _)), _) => h.label(en).to_owned(),
                (None, Some(c)) => (if en { c.name_en } else { c.name_vi }).to_owned(),
                (None, None) => (*name_en).to_owned(),
            };
            let value = hit.map_or(0, |v| v.1);
            MapCountry {
                d,
                class: shade(value, max),
                label,
                value,
                href: hit
                    .and_then(|(h, _)| drill(can, &p.spec, &[(Dim::Country, h.code.as_str())])),
            }
        })
        .collect()
}

/// People of a country breakdown whose country has no outline on the map.
fn unmapped(p: &Pivot) -> i64 {
    p.rows
        .iter()
        .zip(&p.row_totals)
        .filter(|(h, _)| {
            domain::geo::country(&h.code)
                .is_none_or(|c| !WORLD.iter().any(|(numeric, _, _)| *numeric == c.numeric))
        })
        .map(|(_, n)| *n)
        .sum()
}

// ---------------------------------------------------------------- dashboard

#[derive(Template)]
#[template(path = "stats/dashboard.html")]
struct DashboardPage {
    l: Layout,
    t: Tr,
    total: i64,
    households: i64,
    relatives: i64,
    total_href: Option<String>,
    breakdowns: Vec<Breakdown>,
    map: Vec<MapPoint>,
    world: Vec<MapCountry>,
    world_legend: Vec<(&'static str, String)>,
    /// People in countries the world map has no outline for (small islands).
    world_unmapped: i64,
    trend: Option<PivotView>,
    filters: Vec<(String, String)>,
    computed_at: String,
}

/// `GET /dashboard`: totals and breakdowns within the user's jurisdiction
/// (filters in the query string, as in the report builder).
pub async fn dashboard(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Pairs>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let en = lang == Lang::En;
    let spec = PivotSpec::from_pairs(&q).map_err(page_err(lang))?;
    let d = stats::dashboard(&state.app, &user.actor, &spec)
        .await
        .map_err(page_err(lang))?;
    let can = can_list(&user);
    let l = Layout::for_user(&user);
    let countries = d.breakdowns.iter().find(|p| p.spec.rows == Dim::Country);
    render(&DashboardPage {
        t: l.t,
        l,
        total: d.total,
        households: d.households,
        relatives: d.relatives,
        total_href: drill(can, &spec, &[]),
        computed_at: d
            .breakdowns
            .first()
            .map(Pivot::figures_date)
            .unwrap_or_default(),
        breakdowns: d.breakdowns.iter().map(|p| breakdown(p, en, can)).collect(),
        map: d
            .breakdowns
            .iter()
            .find(|p| p.spec.rows == Dim::Commune)
            .map(|p| commune_map(p, en, can))
            .unwrap_or_default(),
        world: countries.map(|p| world_map(p, en, can)).unwrap_or_default(),
        world_legend: countries
            .map(|p| world_legend(world_max(&by_numeric(p)), en))
            .unwrap_or_default(),
        world_unmapped: countries.map_or(0, unmapped),
        trend: d.trend.as_ref().map(|p| PivotView::new(p, en, can)),
        filters: stats::export::describe_filters(&spec, en),
    })
}

// ---------------------------------------------------------------- report builder

/// A pivot ready for a template.
pub struct PivotView {
    pub row_title: String,
    pub measure: String,
    pub cols: Vec<String>,
    /// (label, link, cells with their links, total, total's link)
    pub rows: Vec<PivotRow>,
    pub col_totals: Vec<i64>,
    pub total: i64,
    /// "Số liệu tính đến: 06/12/2026 16:38" (or the as-of day).
    pub figures_date: String,
}

pub struct PivotRow {
    pub label: String,
    pub cells: Vec<(i64, Option<String>)>,
    pub total: i64,
    pub href: Option<String>,
}

impl PivotView {
    fn new(p: &Pivot, en: bool, can: bool) -> Self {
        // Drill-down counts people: other measures link nowhere.
        let can = can && p.spec.measure == Measure::People;
        Self {
            row_title: p.spec.rows.label(en).to_owned(),
            measure: p.spec.measure.label(en).to_owned(),
            cols: p.cols.iter().map(|h| h.label(en).to_owned()).collect(),
            rows: p
                .rows
                .iter()
                .enumerate()
                .map(|(i, h)| PivotRow {
                    label: h.label(en).to_owned(),
                    cells: p
                        .cols
                        .iter()
                        .zip(&p.cells[i])
                        .map(|(c, n)| {
                            let link = p.spec.cols.and_then(|cd| {
                                drill(
                                    can,
                                    &p.spec,
                                    &[(p.spec.rows, h.code.as_str()), (cd, c.code.as_str())],
                                )
                            });
                            (*n, link)
                        })
                        .collect(),
                    total: p.row_totals[i],
                    href: drill(can, &p.spec, &[(p.spec.rows, h.code.as_str())]),
                })
                .collect(),
            col_totals: p.col_totals.clone(),
            total: p.total,
            figures_date: p.figures_date(),
        }
    }
}

#[derive(Template)]
#[template(path = "stats/reports.html")]
struct ReportsPage {
    l: Layout,
    t: Tr,
    dims: Vec<(&'static str, String)>,
    measures: Vec<(&'static str, &'static str)>,
    rows: String,
    cols: String,
    measure: String,
    /// The as-of day (`YYYY-MM-DD`), empty for now.
    as_of: String,
    /// Today, the latest as-of day.
    today: String,
    /// Filter inputs: (code, label, value).
    filter_inputs: Vec<(&'static str, String, String)>,
    /// The consent filter's choices (value, label, selected), as the people
    /// list offers them (issue 23 §4).
    consents: Vec<(String, String, bool)>,
    /// The consent filter in force, in words; empty without one.
    consent: String,
    pivot: PivotView,
    title: String,
    query: String,
    /// The same pairs, for the official document's form (hidden inputs).
    query_pairs: Vec<(String, String)>,
    presets: Vec<(&'static str, &'static str)>,
    saved: Vec<saved::SavedReport>,
    privileged: bool,
    /// The cooperation reports the actor may export (issue 22 §8): `(code, name)`.
    cooperation: Vec<(&'static str, String)>,
}

fn preset_spec(q: &Pairs) -> Option<(&'static saved::Preset, PivotSpec)> {
    let key = q
        .iter()
        .find(|(k, _)| k == "preset")
        .map(|(_, v)| v.as_str())?;
    let p = saved::PRESETS.iter().find(|p| p.key == key)?;
    Some((p, (p.spec)()))
}

/// The form's pairs with the day typed as people write it (06/12/2026)
/// turned into the ISO day the specification reads.
fn iso_days(q: &Pairs) -> Pairs {
    q.iter()
        .map(|(k, v)| match domain::dates::read_day(v) {
            Some(day) if k == "as_of" => (k.clone(), day),
            _ => (k.clone(), v.clone()),
        })
        .collect()
}

/// The spec and title of a request: a ready-made report, or the form's fields.
fn spec_of(q: &Pairs, en: bool) -> Result<(PivotSpec, String), app::AppError> {
    let q = &iso_days(q);
    if let Some((p, mut spec)) = preset_spec(q) {
        spec.as_of = PivotSpec::as_of_from_pairs(q).map_err(|e| app::AppError::Invalid(vec![e]))?;
        return Ok((spec, (if en { p.title_en } else { p.title_vi }).to_owned()));
    }
    let spec = PivotSpec::from_pairs(q)?;
    let title = q
        .iter()
        .find(|(k, v)| k == "title" && !v.trim().is_empty())
        .map_or_else(
            || {
                let mut t = format!("{} — {}", spec.measure.label(en), spec.rows.label(en));
                if let Some(c) = spec.cols {
                    t.push_str(" × ");
                    t.push_str(c.label(en));
                }
                t
            },
            |(_, v)| v.trim().to_owned(),
        );
    Ok((spec, title))
}

/// A dimension's label in the builder: a department's own field names
/// its department ("Sở GD&ĐT — Kinh phí").
fn dim_label(d: Dim, en: bool) -> String {
    match d {
        Dim::SourceField(f) => format!(
            "{} — {}",
            f.field().agency.label(if en { "en" } else { "vi" }),
            d.label(en)
        ),
        _ => d.label(en).to_owned(),
    }
}

/// `GET /reports`: the builder (rows, columns, measure, filters), the pivot,
/// the ready-made and saved reports.
pub async fn reports(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Pairs>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let en = lang == Lang::En;
    let (spec, title) = spec_of(&q, en).map_err(page_err(lang))?;
    let pivot = stats::pivot(&state.app, &user.actor, &spec, Engine::Auto)
        .await
        .map_err(page_err(lang))?;
    let saved = saved::list(&state.app, &user.actor)
        .await
        .map_err(page_err(lang))?;
    let can = can_list(&user);
    let l = Layout::for_user(&user);
    let mut query_pairs = spec.to_pairs();
    query_pairs.push(("title".into(), title.clone()));
    let consents = crate::registry::pages::people::consent_options(
        l.t,
        spec.consent.as_deref().unwrap_or_default(),
        l.t.s("portal.stats_consent_any"),
    );
    render(&ReportsPage {
        t: l.t,
        l,
        dims: Dim::every().map(|d| (d.code(), dim_label(d, en))).collect(),
        measures: Measure::ALL
            .iter()
            .map(|m| (m.code(), m.label(en)))
            .collect(),
        rows: spec.rows.code().to_owned(),
        cols: spec.cols.map_or_else(String::new, |c| c.code().to_owned()),
        measure: spec.measure.code().to_owned(),
        as_of: spec.as_of.clone().unwrap_or_default(),
        today: app::clock::today(),
        // The core dimensions, and the departments' own fields in use (one
        // input each would crowd the form; a drill-down or a link sets them).
        filter_inputs: Dim::every()
            .filter(|d| {
                !matches!(d, Dim::SourceField(_))
                    || spec.rows == *d
                    || spec.cols == Some(*d)
                    || spec.filters.iter().any(|(f, _)| f == d)
            })
            .map(|d| {
                let v = spec
                    .filters
                    .iter()
                    .find(|(f, _)| *f == d)
                    .map(|(_, v)| v.join(","))
                    .unwrap_or_default();
                (d.code(), dim_label(d, en), v)
            })
            .collect(),
        consent: consents
            .iter()
            .find(|o| o.2 && !o.0.is_empty())
            .map(|o| o.1.clone())
            .unwrap_or_default(),
        consents,
        pivot: PivotView::new(&pivot, en, can),
        title,
        query: encode(&query_pairs),
        query_pairs,
        presets: saved::PRESETS
            .iter()
            .map(|p| (p.key, if en { p.title_en } else { p.title_vi }))
            .collect(),
        saved,
        privileged: matches!(
            user.actor.role,
            domain::Role::Admin | domain::Role::ProvinceOfficer
        ),
        // The cooperation reports (issue 22 §8) the actor may open, by title.
        cooperation: app::community::cooperation_reports::kinds_for(&user.actor)
            .into_iter()
            .map(|k| {
                (
                    k,
                    Tr::new(lang).s(&format!("coop.xlsx.title_{k}")).to_owned(),
                )
            })
            .collect(),
    })
}

/// `POST /reports` (`name` and the builder's fields): saves the report.
pub async fn save(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<Pairs>,
) -> Result<Response, PageError> {
    let lang = user.lang;
    let spec = PivotSpec::from_pairs(&f).map_err(page_err(lang))?;
    let name = f
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let id = saved::save(&state.app, &user.actor, &name, &spec)
        .await
        .map_err(page_err(lang))?;
    Ok(Redirect::to(&format!("/reports/{id}")).into_response())
}

/// `GET /reports/{id}`: opens a saved report in the builder.
pub async fn open(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let r = saved::get(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    let mut pairs = r.spec.to_pairs();
    pairs.push(("title".into(), r.name));
    Ok(Redirect::to(&format!("/reports?{}", encode(&pairs))).into_response())
}

/// `POST /reports/{id}/delete`: its author, a province officer or an administrator.
pub async fn delete(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    saved::delete(&state.app, &user.actor, id)
        .await
        .map_err(page_err(user.lang))?;
    Ok(Redirect::to("/reports").into_response())
}

// ---------------------------------------------------------------- exports

fn scope_words(actor: &app::Actor, en: bool) -> String {
    use app::Jurisdiction as J;
    match stats::statistics_jurisdiction(actor) {
        J::Province => (if en { "whole province" } else { "toàn tỉnh" }).to_owned(),
        J::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            let mut names: Vec<String> = new_communes
                .iter()
                .map(|c| stats::header(Dim::Commune, c).label_vi)
                .collect();
            names.extend(
                legacy_districts
                    .iter()
                    .map(|c| stats::header(Dim::LegacyDistrict, c).label_vi),
            );
            names.extend(legacy_communes.iter().map(|c| {
                domain::geo::legacy_commune(c).map_or_else(|| c.clone(), |x| x.name.to_owned())
            }));
            names.join(", ")
        }
        J::Countries(cs) => cs
            .iter()
            .map(|c| stats::header(Dim::Country, c).label(en).to_owned())
            .collect::<Vec<_>>()
            .join(", "),
        J::Associations(_) => (if en {
            "association members"
        } else {
            "hội viên hội đoàn"
        })
        .to_owned(),
        J::Agency(a) => stats::header(Dim::Agency, &a).label(en).to_owned(),
        J::StatisticsOnly | J::OwnRecord(_) => String::new(),
    }
}

pub(crate) fn context(
    state: &AppState,
    actor: &app::Actor,
    title: String,
    en: bool,
) -> ExportContext {
    let province = state.app.settings.home_province.clone();
    ExportContext {
        title,
        authority: format!("UBND TỈNH {}", province.to_uppercase()),
        body: "SỞ NGOẠI VỤ".to_owned(),
        place: province,
        date: app::clock::today(),
        scope: scope_words(actor, en),
        en,
        number: String::new(),
        recipient: String::new(),
        narrative: String::new(),
    }
}

async fn export(
    state: &AppState,
    user: &User,
    q: &Pairs,
) -> Result<(Pivot, ExportContext), PageError> {
    let lang = user.lang;
    let en = lang == Lang::En;
    let (spec, title) = spec_of(q, en).map_err(page_err(lang))?;
    let pivot = stats::pivot(&state.app, &user.actor, &spec, Engine::Auto)
        .await
        .map_err(page_err(lang))?;
    let mut ctx = context(state, &user.actor, title, en);
    // The document's own lines, typed on the reports page (free text: the
    // number, whom it is sent to, an opening paragraph).
    let text = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| {
                v.chars()
                    .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                    .take(2000)
                    .collect::<String>()
            })
            .unwrap_or_default()
    };
    ctx.number = text("doc_number");
    ctx.recipient = text("recipient");
    ctx.narrative = text("narrative");
    Ok((pivot, ctx))
}

/// `GET /reports/export.xlsx?...`: the pivot, a native chart, and a sheet
/// describing the filters and the date.
pub async fn export_xlsx(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Pairs>,
) -> Result<Response, PageError> {
    let (pivot, ctx) = export(&state, &user, &q).await?;
    let bytes = stats::export::xlsx(&pivot, &ctx).map_err(page_err(user.lang))?;
    Ok(attachment(bytes, XLSX, "bao-cao-thong-ke.xlsx"))
}

/// `GET /reports/export.docx?...`: the pivot as an official report.
pub async fn export_docx(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Pairs>,
) -> Result<Response, PageError> {
    let (pivot, ctx) = export(&state, &user, &q).await?;
    let bytes = stats::export::docx(&pivot, &ctx).map_err(page_err(user.lang))?;
    Ok(attachment(bytes, DOCX, "bao-cao-thong-ke.docx"))
}

/// `GET /reports/export.pdf?...`: the same official report as PDF.
pub async fn export_pdf(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<Pairs>,
) -> Result<Response, PageError> {
    let (pivot, ctx) = export(&state, &user, &q).await?;
    let bytes = stats::pdf::pdf(&pivot, &ctx).map_err(page_err(user.lang))?;
    Ok(attachment(bytes, PDF, "bao-cao-thong-ke.pdf"))
}
