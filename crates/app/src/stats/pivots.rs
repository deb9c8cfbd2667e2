//! What a pivot is: its dimensions and measures, its specification (with
//! its query-string form), the labels of the values, the finished table,
//! and the jurisdiction statistics are computed within. The engines
//! ([`super::memory`], [`super::sql`]) fill it; [`super::pivot`] runs them.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use domain::age::AGE_BANDS;
use domain::source_fields::Kind;

use crate::access;
use crate::{Actor, AppError, AppResult, FieldError, Jurisdiction};

/// A dimension figures can be broken down or filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dim {
    Category,
    Generation,
    Country,
    /// Hometown commune (after 1 July 2025).
    Commune,
    /// Hometown district as recorded before 1 July 2025.
    LegacyDistrict,
    Gender,
    AgeBand,
    /// Notable tag (a person may have several).
    Tag,
    Verification,
    /// Source agency (a person may come from several).
    Agency,
    /// Survey round of the person's sources (a person may be in several).
    SurveyRound,
    /// A department's own field (issue 19; a person may have several
    /// sources giving it): the values its lists gave, dates by year.
    SourceField(SourceFieldId),
}

/// A department's own field, by its place in
/// [`domain::source_fields::SOURCE_FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceFieldId(u8);

impl SourceFieldId {
    /// The id of a field key.
    pub fn of(key: &str) -> Option<Self> {
        domain::source_fields::index_of(key)
            .and_then(|i| u8::try_from(i).ok())
            .map(Self)
    }

    /// The field.
    pub fn field(self) -> &'static domain::source_fields::SourceField {
        let all = domain::source_fields::SOURCE_FIELDS;
        // Ids are only made by `of`, from a place in the list.
        &all[usize::from(self.0).min(all.len() - 1)]
    }
}

impl Dim {
    pub const ALL: &'static [Dim] = &[
        Dim::Category,
        Dim::Generation,
        Dim::Country,
        Dim::Commune,
        Dim::LegacyDistrict,
        Dim::Gender,
        Dim::AgeBand,
        Dim::Tag,
        Dim::Verification,
        Dim::Agency,
        Dim::SurveyRound,
    ];

    /// The departments' own fields as dimensions, in the catalogue's order.
    pub fn source_fields() -> impl Iterator<Item = Dim> {
        domain::source_fields::SOURCE_FIELDS
            .iter()
            .filter_map(|f| SourceFieldId::of(f.key))
            .map(Dim::SourceField)
    }

    /// Every dimension: [`Dim::ALL`], then [`Dim::source_fields`].
    pub fn every() -> impl Iterator<Item = Dim> {
        Dim::ALL.iter().copied().chain(Dim::source_fields())
    }

    /// Stable code (query strings, JSON, saved reports); a department's own
    /// field is named by its key.
    pub fn code(self) -> &'static str {
        match self {
            Dim::Category => "category",
            Dim::Generation => "generation",
            Dim::Country => "country",
            Dim::Commune => "commune",
            Dim::LegacyDistrict => "legacy_district",
            Dim::Gender => "gender",
            Dim::AgeBand => "age_band",
            Dim::Tag => "tag",
            Dim::Verification => "verification",
            Dim::Agency => "agency",
            Dim::SurveyRound => "survey_round",
            Dim::SourceField(f) => f.field().key,
        }
    }

    pub fn from_code(code: &str) -> Option<Dim> {
        Dim::ALL
            .iter()
            .copied()
            .find(|d| d.code() == code)
            .or_else(|| SourceFieldId::of(code).map(Dim::SourceField))
    }

    /// Label in Vietnamese or English.
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Dim::Category, false) => "Diện",
            (Dim::Category, true) => "Category",
            (Dim::Generation, false) => "Thế hệ",
            (Dim::Generation, true) => "Generation",
            (Dim::Country, false) => "Quốc gia",
            (Dim::Country, true) => "Country",
            (Dim::Commune, false) => "Xã/phường quê quán",
            (Dim::Commune, true) => "Home commune",
            (Dim::LegacyDistrict, false) => "Huyện (trước 1/7/2025)",
            (Dim::LegacyDistrict, true) => "District (before 1 July 2025)",
            (Dim::Gender, false) => "Giới tính",
            (Dim::Gender, true) => "Gender",
            (Dim::AgeBand, false) => "Nhóm tuổi",
            (Dim::AgeBand, true) => "Age band",
            (Dim::Tag, false) => "Lĩnh vực tiêu biểu",
            (Dim::Tag, true) => "Notable field",
            (Dim::Verification, false) => "Xác minh",
            (Dim::Verification, true) => "Verification",
            (Dim::Agency, false) => "Cơ quan cung cấp",
            (Dim::Agency, true) => "Source agency",
            (Dim::SurveyRound, false) => "Đợt điều tra",
            (Dim::SurveyRound, true) => "Survey round",
            (Dim::SourceField(f), en) => {
                domain::source_fields::label(f.field(), if en { "en" } else { "vi" })
            }
        }
    }

    /// A department's own field holding a country (its codes are upper case).
    pub fn is_country_field(self) -> bool {
        matches!(self, Dim::SourceField(f) if f.field().kind == Kind::Country)
    }

    /// A person may have several values (tags, sources, sources' fields).
    pub const fn is_multi(self) -> bool {
        matches!(
            self,
            Dim::Tag | Dim::Agency | Dim::SurveyRound | Dim::SourceField(_)
        )
    }
}

impl Serialize for Dim {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Dim {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Dim::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown dimension {code}")))
    }
}

impl utoipa::PartialSchema for Dim {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let codes: Vec<&str> = Dim::every().map(Dim::code).collect();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(codes))
            .description(Some(
                "A dimension: a core one, or a department's own field by its key.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Dim {}

/// What is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Live people abroad.
    #[default]
    People,
    /// Households at home with a live relative of a counted person.
    Households,
    /// Live relatives at home of counted people.
    Relatives,
}

impl Measure {
    pub const ALL: &'static [Measure] = &[Measure::People, Measure::Households, Measure::Relatives];

    pub const fn code(self) -> &'static str {
        match self {
            Measure::People => "people",
            Measure::Households => "households",
            Measure::Relatives => "relatives",
        }
    }

    pub fn from_code(code: &str) -> Option<Measure> {
        Measure::ALL.iter().copied().find(|m| m.code() == code)
    }

    pub const fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Measure::People, false) => "Số người",
            (Measure::People, true) => "People",
            (Measure::Households, false) => "Số hộ thân nhân",
            (Measure::Households, true) => "Relatives' households",
            (Measure::Relatives, false) => "Số thân nhân",
            (Measure::Relatives, true) => "Relatives",
        }
    }
}

/// A pivot to compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PivotSpec {
    pub rows: Dim,
    pub cols: Option<Dim>,
    #[serde(default)]
    pub measure: Measure,
    /// Each dimension's accepted values (codes; `""` = not recorded).
    #[serde(default)]
    pub filters: Vec<(Dim, Vec<String>)>,
    /// The figures as the registry stood at the end of this day
    /// (`YYYY-MM-DD`), from the history; `None` for now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Only the people whose consent given through the portal (issue 23 §4)
    /// stands so: `purpose:given|withdrawn|none`, the people list's filter
    /// ([`crate::registry::people::CONSENT_FILTERS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
}

impl PivotSpec {
    pub fn new(rows: Dim, cols: Option<Dim>) -> Self {
        Self {
            rows,
            cols,
            measure: Measure::People,
            filters: Vec::new(),
            as_of: None,
            consent: None,
        }
    }

    /// Refuses a dimension used twice as rows and columns, and a consent
    /// filter that is not one of the list's values.
    pub fn validate(&self) -> AppResult<()> {
        if self.cols == Some(self.rows) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "cols",
                "same_as_rows",
            )]));
        }
        if let Some(c) = &self.consent
            && !crate::registry::people::CONSENT_FILTERS.contains(&c.as_str())
        {
            return Err(AppError::invalid_field("consent", "invalid_code"));
        }
        Ok(())
    }

    /// Parses `rows`, `cols`, `measure` and one key per dimension (its code,
    /// values separated by commas) from query pairs.
    pub fn from_pairs(pairs: &[(String, String)]) -> AppResult<Self> {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, v)| key == k && !v.trim().is_empty())
                .map(|(_, v)| v.trim())
        };
        let mut errs = Vec::new();
        let rows = match get("rows") {
            None => Dim::Category,
            Some(v) => Dim::from_code(v).unwrap_or_else(|| {
                errs.push(FieldError::new("rows", "invalid_code"));
                Dim::Category
            }),
        };
        let cols = get("cols").and_then(|v| {
            let d = Dim::from_code(v);
            if d.is_none() {
                errs.push(FieldError::new("cols", "invalid_code"));
            }
            d
        });
        let measure = match get("measure") {
            None => Measure::People,
            Some(v) => Measure::from_code(v).unwrap_or_else(|| {
                errs.push(FieldError::new("measure", "invalid_code"));
                Measure::People
            }),
        };
        let mut filters: Vec<(Dim, Vec<String>)> = Vec::new();
        for d in Dim::every() {
            let values: Vec<String> = pairs
                .iter()
                .filter(|(k, _)| k == d.code())
                .flat_map(|(_, v)| v.split(','))
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    // Codes, or names and words as people write them.
                    // A department's own country field reads as the country filter.
                    let kind = if d.is_country_field() {
                        "country"
                    } else {
                        d.code()
                    };
                    crate::registry::values::filter_code(kind, v, None)
                        .map_err(|e| FieldError::new(d.code(), e.code))
                        .unwrap_or_else(|e| {
                            if !errs.contains(&e) {
                                errs.push(e);
                            }
                            String::new()
                        })
                })
                .filter(|v| !v.is_empty())
                .collect();
            if !values.is_empty() {
                filters.push((d, values));
            }
        }
        let as_of = Self::as_of_from_pairs(pairs).unwrap_or_else(|e| {
            errs.push(e);
            None
        });
        let consent = get("consent").and_then(|v| {
            if crate::registry::people::CONSENT_FILTERS.contains(&v) {
                Some(v.to_owned())
            } else {
                errs.push(FieldError::new("consent", "invalid_code"));
                None
            }
        });
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let spec = Self {
            rows,
            cols,
            measure,
            filters,
            as_of,
            consent,
        };
        spec.validate()?;
        Ok(spec)
    }

    /// The `as_of` day of query pairs, checked: a real day, not after today.
    pub fn as_of_from_pairs(pairs: &[(String, String)]) -> Result<Option<String>, FieldError> {
        let Some(d) = pairs
            .iter()
            .find(|(k, v)| k == "as_of" && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
        else {
            return Ok(None);
        };
        // ISO (the API's format; the pages turn a typed 06/12/2026 into
        // it first). "Today" is the day in Vietnam, not in UTC.
        match parse_day(d) {
            None => Err(FieldError::new("as_of", "invalid_date")),
            Some(_) if d > crate::clock::today().as_str() => {
                Err(FieldError::new("as_of", "in_future"))
            }
            Some(_) => Ok(Some(d.to_owned())),
        }
    }

    /// The query pairs [`PivotSpec::from_pairs`] reads back.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![("rows".to_owned(), self.rows.code().to_owned())];
        if let Some(c) = self.cols {
            out.push(("cols".into(), c.code().into()));
        }
        out.push(("measure".into(), self.measure.code().into()));
        for (d, v) in &self.filters {
            out.push((d.code().into(), v.join(",")));
        }
        if let Some(d) = &self.as_of {
            out.push(("as_of".into(), d.clone()));
        }
        if let Some(c) = &self.consent {
            out.push(("consent".into(), c.clone()));
        }
        out
    }

    /// The query string of [`PivotSpec::to_pairs`].
    pub fn query_string(&self) -> String {
        url_encode_pairs(&self.to_pairs())
    }
}

/// A day written `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<time::Date> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &f).ok()
}

fn url_encode_pairs(pairs: &[(String, String)]) -> String {
    fn enc(s: &str) -> String {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                out.push(char::from(b));
            } else {
                let _ = write!(out, "%{b:02X}");
            }
        }
        out
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A row or column heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Header {
    /// Stored code (`""` = not recorded).
    pub code: String,
    pub label_vi: String,
    pub label_en: String,
}

impl Header {
    pub fn label(&self, en: bool) -> &str {
        if en { &self.label_en } else { &self.label_vi }
    }
}

/// A computed pivot. A person with several values of a multi-valued
/// dimension (tags, sources) counts once under each; totals count each
/// person (relative, household) once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pivot {
    pub spec: PivotSpec,
    pub rows: Vec<Header>,
    /// Empty when the pivot has no column dimension.
    pub cols: Vec<Header>,
    /// `cells[row][col]`; empty rows when there is no column dimension.
    pub cells: Vec<Vec<i64>>,
    pub row_totals: Vec<i64>,
    pub col_totals: Vec<i64>,
    pub total: i64,
    /// `memory`, `sql`, or `history` (an as-of pivot).
    pub engine: String,
    /// When the figures were computed (RFC 3339 UTC).
    pub computed_at: String,
    /// Time spent computing, in milliseconds.
    pub elapsed_ms: f64,
}

impl Pivot {
    /// When the figures stand, as a person reads it: the as-of day
    /// (`dd/mm/yyyy`), or the day and time computed ("06/12/2026 16:38",
    /// in the configured time zone).
    pub fn figures_date(&self) -> String {
        match &self.spec.as_of {
            Some(day) => domain::dates::show(day),
            None => crate::clock::show_as_of(&self.computed_at),
        }
    }

    /// The value of a cell by codes (tests and exports).
    pub fn cell(&self, row: &str, col: &str) -> i64 {
        let Some(r) = self.rows.iter().position(|h| h.code == row) else {
            return 0;
        };
        let Some(c) = self.cols.iter().position(|h| h.code == col) else {
            return 0;
        };
        self.cells[r][c]
    }

    /// The total of a row by code.
    pub fn row_total(&self, row: &str) -> i64 {
        self.rows
            .iter()
            .position(|h| h.code == row)
            .map_or(0, |r| self.row_totals[r])
    }
}

/// Raw counts by codes, as both engines produce them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub cells: HashMap<(String, String), i64>,
    pub rows: HashMap<String, i64>,
    pub cols: HashMap<String, i64>,
    pub total: i64,
}

/// Label of a value of a dimension.
pub fn header(dim: Dim, code: &str) -> Header {
    let (vi, en): (String, String) = if code.is_empty() {
        ("(chưa rõ)".into(), "(not recorded)".into())
    } else {
        fn coded<T: Copy>(
            r: Result<T, domain::UnknownCode>,
            vi: fn(T) -> &'static str,
            en: fn(T) -> &'static str,
            code: &str,
        ) -> (String, String) {
            r.map_or_else(
                |_| (code.to_owned(), code.to_owned()),
                |v| (vi(v).to_owned(), en(v).to_owned()),
            )
        }
        match dim {
            Dim::Category => coded(
                domain::Category::from_code(code),
                domain::Category::label_vi,
                domain::Category::label_en,
                code,
            ),
            Dim::Generation => coded(
                domain::Generation::from_code(code),
                domain::Generation::label_vi,
                domain::Generation::label_en,
                code,
            ),
            Dim::Gender => coded(
                domain::Gender::from_code(code),
                domain::Gender::label_vi,
                domain::Gender::label_en,
                code,
            ),
            Dim::Verification => coded(
                domain::VerificationStatus::from_code(code),
                domain::VerificationStatus::label_vi,
                domain::VerificationStatus::label_en,
                code,
            ),
            Dim::Tag => coded(
                domain::NotableTag::from_code(code),
                domain::NotableTag::label_vi,
                domain::NotableTag::label_en,
                code,
            ),
            Dim::Agency => coded(
                domain::Agency::from_code(code),
                domain::Agency::label_vi,
                domain::Agency::label_en,
                code,
            ),
            Dim::Country => domain::geo::country(code).map_or_else(
                || (code.to_owned(), code.to_owned()),
                |c| (c.name_vi.to_owned(), c.name_en.to_owned()),
            ),
            Dim::Commune => domain::geo::new_commune(code).map_or_else(
                || (code.to_owned(), code.to_owned()),
                |c| (c.name.to_owned(), c.name.to_owned()),
            ),
            Dim::LegacyDistrict => domain::geo::legacy_district(code).map_or_else(
                || (code.to_owned(), code.to_owned()),
                |d| (d.name.to_owned(), d.name.to_owned()),
            ),
            Dim::AgeBand => AGE_BANDS.iter().find(|b| b.0 == code).map_or_else(
                || (code.to_owned(), code.to_owned()),
                |b| (b.1.to_owned(), b.2.to_owned()),
            ),
            Dim::SurveyRound => (code.to_owned(), code.to_owned()),
            Dim::SourceField(f) => (
                domain::source_fields::display(f.field().key, code, "vi"),
                domain::source_fields::display(f.field().key, code, "en"),
            ),
        }
    };
    Header {
        code: code.to_owned(),
        label_vi: vi,
        label_en: en,
    }
}

/// Display order of a dimension's values: coded values in their list's
/// order, others by count (largest first) then code; "not recorded" last.
fn order(dim: Dim, totals: &HashMap<String, i64>) -> Vec<String> {
    fn pos<T: Copy>(all: &[T], code: fn(T) -> &'static str, c: &str) -> Option<usize> {
        all.iter().position(|v| code(*v) == c)
    }
    let rank = |c: &str| -> Option<usize> {
        match dim {
            Dim::Category => pos(domain::Category::ALL, domain::Category::code, c),
            Dim::Generation => pos(domain::Generation::ALL, domain::Generation::code, c),
            Dim::Gender => pos(domain::Gender::ALL, domain::Gender::code, c),
            Dim::Verification => pos(
                domain::VerificationStatus::ALL,
                domain::VerificationStatus::code,
                c,
            ),
            Dim::Tag => pos(domain::NotableTag::ALL, domain::NotableTag::code, c),
            Dim::Agency => pos(domain::Agency::ALL, domain::Agency::code, c),
            Dim::AgeBand => AGE_BANDS.iter().position(|b| b.0 == c),
            Dim::SourceField(f) => match f.field().kind {
                Kind::Choice(choices) => choices.iter().position(|x| x.code == c),
                _ => None,
            },
            // Rounds are named by their year or date: their order is the code's.
            Dim::SurveyRound | Dim::Country | Dim::Commune | Dim::LegacyDistrict => None,
        }
    };
    // Years, dates (by year) and numbers in their order.
    let numeric = matches!(dim, Dim::SourceField(f)
        if matches!(f.field().kind, Kind::Year | Kind::Date | Kind::Number));
    let mut codes: Vec<&String> = totals.keys().collect();
    codes.sort_by(|a, b| {
        let key = |c: &str| (c.is_empty(), rank(c), -totals.get(c).copied().unwrap_or(0));
        if dim == Dim::SurveyRound {
            (a.is_empty(), a.as_str()).cmp(&(b.is_empty(), b.as_str()))
        } else if numeric {
            let n = |c: &str| c.parse::<f64>().unwrap_or(f64::MAX);
            (a.is_empty(), n(a))
                .partial_cmp(&(b.is_empty(), n(b)))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.cmp(b))
        } else {
            key(a).cmp(&key(b)).then_with(|| a.cmp(b))
        }
    });
    codes.into_iter().cloned().collect()
}

/// Builds the pivot from raw counts (both engines share it).
pub fn finish(spec: &PivotSpec, counts: &Counts, engine: &str, elapsed_ms: f64) -> Pivot {
    let row_codes = order(spec.rows, &counts.rows);
    let col_codes = spec.cols.map_or_else(Vec::new, |c| order(c, &counts.cols));
    let cells = row_codes
        .iter()
        .map(|r| {
            col_codes
                .iter()
                .map(|c| {
                    counts
                        .cells
                        .get(&(r.clone(), c.clone()))
                        .copied()
                        .unwrap_or(0)
                })
                .collect()
        })
        .collect();
    Pivot {
        spec: spec.clone(),
        row_totals: row_codes
            .iter()
            .map(|r| counts.rows.get(r).copied().unwrap_or(0))
            .collect(),
        col_totals: col_codes
            .iter()
            .map(|c| counts.cols.get(c).copied().unwrap_or(0))
            .collect(),
        rows: row_codes.iter().map(|c| header(spec.rows, c)).collect(),
        cols: spec.cols.map_or_else(Vec::new, |d| {
            col_codes.iter().map(|c| header(d, c)).collect()
        }),
        cells,
        total: counts.total,
        engine: engine.to_owned(),
        computed_at: crate::clock::now(),
        elapsed_ms,
    }
}

/// The jurisdiction whose figures the actor sees: statistics-only accounts
/// (leadership) see the province's counts, every other role its own remit.
pub fn statistics_jurisdiction(actor: &Actor) -> Jurisdiction {
    if actor.role == domain::Role::Viewer || actor.jurisdiction == Jurisdiction::StatisticsOnly {
        Jurisdiction::Province
    } else {
        actor.jurisdiction.clone()
    }
}

/// The SQL condition of [`statistics_jurisdiction`] (`persons p`).
pub fn statistics_scope(actor: &Actor, first: usize) -> access::ScopeFilter {
    let mut a = actor.clone();
    a.jurisdiction = statistics_jurisdiction(actor);
    access::person_scope(&a, first)
}

/// Which engine answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// The in-memory columns for people, SQL for households and relatives.
    #[default]
    Auto,
    Sql,
}

/// The current year (age bands).
pub fn current_year() -> i64 {
    i64::from(crate::clock::current_year())
}
