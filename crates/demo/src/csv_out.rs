//! CSV output of both modes. Fields are written in a fixed order; optional values
//! are empty fields.

use std::borrow::Cow;
use std::io::Write;

use crate::lists::{LIST_CSV_HEADER, ListConfig, ListRows};
use domain::{Category, Gender};

use crate::person::{Config, Generator, IncomeBracket, Person};

/// Header of the people CSV: one row per person, relatives summarised.
pub const PEOPLE_CSV_HEADER: [&str; 43] = [
    "person_key",
    "full_name",
    "family_name",
    "middle_name",
    "given_name",
    "gender",
    "birth_date",
    "category",
    "generation",
    "vietnamese_nationality",
    "country",
    "region_abroad",
    "city_abroad",
    "departure_year",
    "legacy_commune_code",
    "legacy_district_code",
    "legacy_province_code",
    "new_commune_code",
    "new_province_code",
    "hometown",
    "passport_no",
    "phone",
    "home_phone",
    "email",
    "occupation",
    "education",
    "expertise",
    "notable_tags",
    "enterprise",
    "income_bracket",
    "remittance_usd_per_year",
    "status",
    "consent",
    "verification",
    "household_head",
    "household_head_relationship",
    "household_address",
    "relatives_count",
    "relatives",
    "associations",
    "foreign_given_name",
    "spouse_family_name",
    "namesake_of",
];

fn opt_num<T: ToString>(v: Option<T>) -> Cow<'static, str> {
    v.map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string()))
}

fn opt_str(v: Option<&str>) -> Cow<'_, str> {
    Cow::Borrowed(v.unwrap_or_default())
}

/// `relationship:name[:birth year]` of every relative, separated by `; `.
fn relatives_summary(p: &Person) -> String {
    let mut out = String::with_capacity(48 * p.relatives.len());
    for (i, r) in p.relatives.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(r.relationship.code());
        out.push(':');
        out.push_str(&r.full_name);
        if let Some(y) = r.birth_year {
            out.push(':');
            out.push_str(&y.to_string());
        }
    }
    out
}

/// The fields of one person, borrowed where possible.
fn person_record(p: &Person) -> [Cow<'_, str>; 43] {
    let h = &p.hometown;
    let tags = if p.notable_tags.is_empty() {
        Cow::Borrowed("")
    } else {
        let codes: Vec<&str> = p.notable_tags.iter().map(|t| t.code()).collect();
        Cow::Owned(codes.join(";"))
    };
    let associations = if p.associations.is_empty() {
        Cow::Borrowed("")
    } else {
        Cow::Owned(p.associations.join("; "))
    };
    [
        Cow::Owned(p.person_key.to_string()),
        Cow::Borrowed(&p.full_name),
        Cow::Borrowed(p.family_name),
        Cow::Borrowed(&p.middle_name),
        Cow::Borrowed(p.given_name),
        Cow::Borrowed(p.gender.code()),
        Cow::Owned(p.birth_date.to_iso()),
        Cow::Borrowed(p.category.code()),
        Cow::Borrowed(p.generation.code()),
        Cow::Borrowed(if p.vietnamese_nationality {
            "true"
        } else {
            "false"
        }),
        Cow::Borrowed(p.country),
        Cow::Borrowed(p.region_abroad),
        Cow::Borrowed(p.city_abroad),
        opt_num(p.departure_year),
        Cow::Borrowed(&h.legacy_commune_code),
        Cow::Borrowed(&h.legacy_district_code),
        Cow::Borrowed(&h.legacy_province_code),
        Cow::Borrowed(&h.new_commune_code),
        Cow::Borrowed(&h.new_province_code),
        Cow::Borrowed(&p.hometown_text),
        opt_str(p.passport_no.as_deref()),
        opt_str(p.phone.as_deref()),
        opt_str(p.home_phone.as_deref()),
        opt_str(p.email.as_deref()),
        Cow::Borrowed(p.occupation),
        Cow::Borrowed(p.education),
        opt_str(p.expertise),
        tags,
        opt_str(p.enterprise.as_deref()),
        opt_str(p.income_bracket.map(IncomeBracket::code)),
        opt_num(p.remittance_usd_per_year),
        Cow::Borrowed(p.status.code()),
        Cow::Borrowed(p.consent.code()),
        Cow::Borrowed(p.verification.code()),
        Cow::Borrowed(&p.household.head_name),
        Cow::Borrowed(p.household.head_relationship.code()),
        Cow::Borrowed(&p.household.address),
        Cow::Owned(p.relatives.len().to_string()),
        Cow::Owned(relatives_summary(p)),
        associations,
        opt_str(p.foreign_given_name),
        opt_str(p.spouse_family_name),
        opt_num(p.namesake_of),
    ]
}

/// Writes the configured people as CSV (header, then one row per person);
/// returns the number of people written.
pub fn write_people_csv<W: Write>(w: W, config: &Config) -> Result<u64, csv::Error> {
    let generator = Generator::new(config);
    let mut out = csv::Writer::from_writer(w);
    out.write_record(PEOPLE_CSV_HEADER)?;
    let mut n = 0;
    for key in 0..config.people {
        let person = generator.person(key);
        out.write_record(person_record(&person).iter().map(|f| f.as_bytes()))?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

/// Writes the agencies' lists as one CSV with the header [`LIST_CSV_HEADER`]
/// (the input contract of `kieubao dedupe`); returns the number of rows written.
pub fn write_lists_csv<W: Write>(w: W, config: &ListConfig) -> Result<u64, csv::Error> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(LIST_CSV_HEADER)?;
    let mut n = 0;
    for row in ListRows::new(config) {
        out.write_record([
            row.record_id.as_str(),
            row.source.code(),
            row.full_name.as_str(),
            row.gender.map(Gender::code).unwrap_or_default(),
            row.birth_date.as_deref().unwrap_or_default(),
            row.country.unwrap_or_default(),
            row.city_abroad.unwrap_or_default(),
            row.hometown.as_deref().unwrap_or_default(),
            row.passport_no.as_deref().unwrap_or_default(),
            row.phone.as_deref().unwrap_or_default(),
            row.email.as_deref().unwrap_or_default(),
            row.father_name.as_deref().unwrap_or_default(),
            row.category.map(Category::code).unwrap_or_default(),
            row.true_person_id.to_string().as_str(),
        ])?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}
