//! Schemas of the API's coded parameters, for the OpenAPI document: the
//! values a parameter accepts, so that a client (and Schemathesis, in CI)
//! knows them instead of meeting a 422. Each list is read from the code's
//! one definition (`domain`'s enumerations, the pivot's dimensions...).
//!
//! Filters also read a value's label or usual words ("Nhật Bản", "Lao
//! động"); the schema lists the stable codes, which is what a program sends.
//! An optional filter lists `""` too: an empty filter is no filter.

use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

fn strings(values: Vec<&'static str>, empty: bool, description: &str) -> Object {
    let mut v = Vec::with_capacity(values.len() + 1);
    if empty {
        v.push("");
    }
    v.extend(values);
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(v))
        .description(Some(description))
        .build()
}

macro_rules! coded_filter {
    ($( $(#[$m:meta])* $name:ident => $values:expr, $desc:literal; )+) => {
        $(
            $(#[$m])*
            pub fn $name() -> Object {
                strings($values, true, $desc)
            }
        )+
    };
}

coded_filter! {
    /// `category` filter.
    category => domain::Category::ALL.iter().map(|c| c.code()).collect(), "Category code (or its label).";
    /// `generation` filter.
    generation => domain::Generation::ALL.iter().map(|c| c.code()).collect(), "Generation abroad, 1 to 4 (4: fourth or later).";
    /// `status` filter of people.
    person_status => domain::PersonStatus::ALL.iter().map(|c| c.code()).collect(), "Life status code (or its label).";
    /// `verification` filter.
    verification => domain::VerificationStatus::ALL.iter().map(|c| c.code()).collect(), "Verification status code (or its label).";
    /// `gender` filter.
    gender => domain::Gender::ALL.iter().map(|c| c.code()).collect(), "Gender code (or its label).";
    /// `agency` filter, and the two lists of a reconciliation.
    agency => domain::Agency::ALL.iter().map(|c| c.code()).collect(), "Source agency code (or its name).";
    /// `consent` filter of the people list (issue 23 §4).
    consent_filter => crate::registry::people::CONSENT_FILTERS.to_vec(), "A consent given through the portal: `purpose:given` (the last act gives it), `purpose:withdrawn`, `purpose:none` (never asked).";
    /// `age_band` filter.
    age_band => domain::age::AGE_BANDS.iter().map(|b| b.0).collect(), "Age band.";
    /// `country` filter.
    country => domain::geo::countries::countries().iter().map(|c| c.code).collect(), "ISO 3166-1 alpha-2 code (a country's Vietnamese or English name is read too).";
    /// `field` filter of the people list: a department's own field.
    source_field => domain::source_fields::SOURCE_FIELDS.iter().map(|f| f.key).collect(), "A department's own field, by its key.";
    /// `field_op` filter.
    field_op => vec!["eq", "contains", "gte", "lte"], "`eq` (default), `contains` (text fields), `gte` or `lte` (numbers, years, dates).";
    /// `status` of the duplicate review queue.
    pair_status => crate::intake::matching::STATUSES.to_vec(), "Pairs to list (default `pending`).";
    /// `measure` of a pivot.
    measure => crate::stats::Measure::ALL.iter().map(|m| m.code()).collect(), "What is counted (default `people`).";
    /// `cols` of a pivot.
    dimension => crate::stats::Dim::every().map(crate::stats::Dim::code).collect(), "A dimension: a core one, or a department's own field by its key.";
}

/// Codes separated by commas (a pivot's filter), from one of the lists above.
pub fn list_of(one: fn() -> Object) -> Object {
    let codes: Vec<String> = one()
        .enum_values
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().filter(|s| !s.is_empty()).map(regex_escape))
        .collect();
    let alt = codes.join("|");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^(({alt})(,({alt}))*)?$")))
        .description(Some("Codes separated by commas (empty: no filter)."))
        .build()
}

fn regex_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if !c.is_ascii_alphanumeric() && c != '_' {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// Pivot filter on categories.
pub fn category_list() -> Object {
    list_of(category)
}

/// Pivot filter on countries.
pub fn country_list() -> Object {
    list_of(country)
}

/// The source agency of an import (required).
pub fn import_source() -> Object {
    let mut o = required(agency);
    o.description = Some("The source agency's code.".to_owned());
    o
}

/// A filter's codes where a value is required: the same list without `""`.
fn required(filter: fn() -> Object) -> Object {
    let mut o = filter();
    if let Some(values) = o.enum_values.as_mut() {
        values.retain(|v| v.as_str() != Some(""));
    }
    o
}

/// A required code from `values`.
pub fn one_of(values: &[&'static str], description: &str) -> Object {
    strings(values.to_vec(), false, description)
}

/// Free text that must hold something besides blanks (a round's code...).
pub fn not_blank() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^[^\u0000]*[^\s\u0000][^\u0000]*$"))
        .description(Some("Survey round code."))
        .build()
}

/// A day `YYYY-MM-DD`, or empty (not given).
pub fn day_or_empty() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).format(Some(
            utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date),
        )))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([""])),
        )
        .description(Some("A day `YYYY-MM-DD` (empty: today)."))
        .build()
        .into()
}

/// `found_by` of the review queue.
pub fn found_by() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^(|scan|import:[0-9]{1,18})$"))
        .description(Some("`scan` or `import:ID` (empty: any)."))
        .build()
}

/// [`not_blank`] as a type, for required parameters (`schema_with` drops
/// `required`): `#[param(inline, value_type = NotBlank, required = true)]`.
pub struct NotBlank;

impl utoipa::PartialSchema for NotBlank {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        not_blank().into()
    }
}

impl utoipa::ToSchema for NotBlank {}

/// [`import_source`] as a type, for the required `source` of an import.
pub struct ImportSource;

impl utoipa::PartialSchema for ImportSource {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        import_source().into()
    }
}

impl utoipa::ToSchema for ImportSource {}

/// The category a new person must have.
pub fn category_required() -> Object {
    required(category)
}

/// The country a new person must have.
pub fn country_required() -> Object {
    required(country)
}

/// A new relative's relationship to the person abroad.
pub fn relationship_required() -> Object {
    strings(
        domain::Relationship::ALL.iter().map(|c| c.code()).collect(),
        false,
        "Relationship code (or its label).",
    )
}
