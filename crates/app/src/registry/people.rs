//! The registry of people abroad (*kiều bào*): list, read, create, update,
//! soft delete, history and restore, all within the actor's jurisdiction.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use db::{Row, WriteTx};
use domain::{
    Category, ConsentStatus, Gender, Generation, PartialDate, PersonStatus, VerificationStatus,
};
use domain::{geo, words};
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, Jurisdiction, clock};

/// Longest free text accepted in a short field.
const MAX_SHORT: usize = 200;
/// Longest notes and addresses.
const MAX_LONG: usize = 4000;

/// Income brackets abroad as the commune surveys ask them (seed 002; the
/// demo generator's codes): code, Vietnamese and English labels.
pub const INCOME_BRACKETS: &[(&str, &str, &str)] = &[
    ("low", "Thấp", "Low"),
    ("lower_middle", "Trung bình thấp", "Lower middle"),
    ("middle", "Trung bình", "Middle"),
    ("high", "Cao", "High"),
];

/// At most this many nationalities, social accounts, associations or extra fields.
const MAX_ITEMS: usize = 20;

/// A year given as a number (JSON) or as text (forms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum YearInput {
    Number(i64),
    Text(String),
}

/// A coded value sent as text or as a number (`"generation": 1`).
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Number(i64),
    }
    Ok(Option::<Either>::deserialize(d)?.map(|v| match v {
        Either::Text(t) => t,
        Either::Number(n) => n.to_string(),
    }))
}

/// What a caller submits for a person: the API body and the form alike.
/// Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub full_name: Option<String>,
    pub other_names: Option<Vec<String>>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub category: Option<String>,
    /// `"1"` … `"4"`, a number, or words ("thế hệ thứ hai").
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(value_type = Option<String>)]
    pub generation: Option<String>,
    pub country: Option<String>,
    pub region_abroad: Option<String>,
    pub city_abroad: Option<String>,
    pub address_abroad: Option<String>,
    pub hometown_text: Option<String>,
    pub hometown_code: Option<String>,
    pub hometown_legacy_code: Option<String>,
    pub departure_year: Option<YearInput>,
    pub passport_no: Option<String>,
    pub id_no: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub occupation: Option<String>,
    pub education: Option<String>,
    pub expertise: Option<String>,
    pub tags: Option<Vec<String>>,
    pub enterprise: Option<String>,
    pub status: Option<String>,
    pub consent: Option<String>,
    pub verification: Option<String>,
    pub notes: Option<String>,
    /// Nationalities, ISO 3166 alpha-2 (`["VN", "US"]`).
    pub nationalities: Option<Vec<String>>,
    /// Social accounts as written (`facebook.com/...`, `Zalo 09...`).
    pub social: Option<Vec<String>>,
    /// Income bracket code (sensitive): `low`, `lower_middle`, `middle`, `high`.
    pub income_bracket: Option<String>,
    /// Remittances home as described (sensitive), e.g. `2,000 USD a year`.
    pub remittance: Option<String>,
    /// Names of the associations the person belongs to (as registered).
    pub associations: Option<Vec<String>>,
    /// Extra fields an administrator defined (`GET /api/v1/custom-fields` lists the keys); unknown keys are refused.
    pub extra: Option<BTreeMap<String, String>>,
    /// Ignored on input except as the expected version of an update.
    pub version: Option<i64>,
}

/// A person's registry fields, validated and normalised (also the history snapshot;
/// fields added later default when an older snapshot is read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PersonData {
    pub full_name: String,
    pub other_names: Vec<String>,
    pub gender: String,
    pub birth_date: Option<String>,
    pub category: String,
    pub generation: Option<String>,
    pub country: String,
    pub region_abroad: String,
    pub city_abroad: String,
    pub address_abroad: String,
    pub hometown_text: String,
    pub hometown_code: Option<String>,
    pub hometown_legacy_code: Option<String>,
    pub departure_year: Option<i64>,
    pub passport_no: String,
    pub id_no: String,
    pub phone: String,
    pub email: String,
    pub occupation: String,
    pub education: String,
    pub expertise: String,
    pub tags: Vec<String>,
    pub enterprise: String,
    pub status: String,
    pub consent: String,
    pub verification: String,
    pub notes: String,
    pub nationalities: Vec<String>,
    pub social: Vec<String>,
    pub income_bracket: String,
    pub remittance: String,
    pub associations: Vec<String>,
    pub extra: BTreeMap<String, String>,
}

/// Leaves one field of an input out (a field validation refused that the
/// caller did not touch); a department's own field is `extra.<key>`.
pub fn clear_input_field(input: &mut PersonInput, field: &str) {
    match field {
        "full_name" => input.full_name = None,
        "gender" => input.gender = None,
        "birth_date" => input.birth_date = None,
        "category" => input.category = None,
        "generation" => input.generation = None,
        "country" => input.country = None,
        "region_abroad" => input.region_abroad = None,
        "city_abroad" => input.city_abroad = None,
        "address_abroad" => input.address_abroad = None,
        "hometown_text" => input.hometown_text = None,
        "hometown_code" => input.hometown_code = None,
        "hometown_legacy_code" => input.hometown_legacy_code = None,
        "passport_no" => input.passport_no = None,
        "id_no" => input.id_no = None,
        "phone" => input.phone = None,
        "email" => input.email = None,
        "occupation" => input.occupation = None,
        "education" => input.education = None,
        "expertise" => input.expertise = None,
        "enterprise" => input.enterprise = None,
        "status" => input.status = None,
        "consent" => input.consent = None,
        "verification" => input.verification = None,
        "notes" => input.notes = None,
        "income_bracket" => input.income_bracket = None,
        "remittance" => input.remittance = None,
        "other_names" => input.other_names = None,
        "tags" => input.tags = None,
        "nationalities" => input.nationalities = None,
        "social" => input.social = None,
        "associations" => input.associations = None,
        "departure_year" => input.departure_year = None,
        _ => {
            if let (Some(key), Some(extra)) = (field.strip_prefix("extra."), input.extra.as_mut()) {
                extra.remove(key);
            }
        }
    }
}

impl PersonData {
    /// Back to input form (for merge patches and restores).
    pub fn to_input(&self) -> PersonInput {
        let s = |v: &str| Some(v.to_owned());
        PersonInput {
            full_name: s(&self.full_name),
            other_names: Some(self.other_names.clone()),
            gender: s(&self.gender),
            birth_date: self.birth_date.clone(),
            category: s(&self.category),
            generation: self.generation.clone(),
            country: s(&self.country),
            region_abroad: s(&self.region_abroad),
            city_abroad: s(&self.city_abroad),
            address_abroad: s(&self.address_abroad),
            hometown_text: s(&self.hometown_text),
            hometown_code: self.hometown_code.clone(),
            hometown_legacy_code: self.hometown_legacy_code.clone(),
            departure_year: self.departure_year.map(YearInput::Number),
            passport_no: s(&self.passport_no),
            id_no: s(&self.id_no),
            phone: s(&self.phone),
            email: s(&self.email),
            occupation: s(&self.occupation),
            education: s(&self.education),
            expertise: s(&self.expertise),
            tags: Some(self.tags.clone()),
            enterprise: s(&self.enterprise),
            status: s(&self.status),
            consent: s(&self.consent),
            verification: s(&self.verification),
            notes: s(&self.notes),
            nationalities: Some(self.nationalities.clone()),
            social: Some(self.social.clone()),
            income_bracket: s(&self.income_bracket),
            remittance: s(&self.remittance),
            associations: Some(self.associations.clone()),
            extra: Some(self.extra.clone()),
            version: None,
        }
    }

    /// Field names whose values differ.
    pub fn changed_fields(&self, other: &PersonData) -> Vec<String> {
        let a = serde_json::to_value(self).unwrap_or_default();
        let b = serde_json::to_value(other).unwrap_or_default();
        let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
            return Vec::new();
        };
        a.iter()
            .filter(|(k, v)| b.get(*k) != Some(*v))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// A stored person as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub version: i64,
    #[serde(flatten)]
    pub data: PersonData,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    pub deleted_reason: Option<String>,
    /// True when sensitive fields are shown masked.
    #[serde(skip)]
    pub masked: bool,
    /// Keys of the extra fields defined as sensitive.
    #[serde(skip)]
    pub sensitive_extra: Vec<String>,
}

fn trimmed(v: Option<&String>) -> String {
    v.map(|s| s.trim().to_owned()).unwrap_or_default()
}

/// Normalises a phone number to E.164 where possible.
pub fn normalize_phone(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    let mut digits = String::new();
    let mut plus = false;
    for (i, c) in s.chars().enumerate() {
        match c {
            '+' if i == 0 => plus = true,
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return Err("invalid_phone"),
        }
    }
    let e164 = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if let Some(rest) = digits.strip_prefix('0') {
        // A Vietnamese national number (0 + 9 digits).
        if rest.len() == 9 {
            format!("84{rest}")
        } else {
            return Err("invalid_phone");
        }
    } else {
        digits
    };
    if !(8..=15).contains(&e164.len()) || e164.starts_with('0') {
        return Err("invalid_phone");
    }
    Ok(format!("+{e164}"))
}

fn email_ok(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// Validates and normalises an input; every problem is reported by field.
pub fn validate(input: &PersonInput) -> Result<PersonData, Vec<FieldError>> {
    let mut errs: Vec<FieldError> = Vec::new();
    let check_text = |field: &str, v: &str, max: usize, errs: &mut Vec<FieldError>| {
        if domain::text::has_forbidden_control(v) || (max <= MAX_SHORT && v.contains('\n')) {
            errs.push(FieldError::new(field, "control_chars"));
        } else if v.chars().count() > max {
            errs.push(FieldError::new(field, "too_long"));
        }
    };
    let full_name = trimmed(input.full_name.as_ref());
    if full_name.is_empty() {
        errs.push(FieldError::new("full_name", "required"));
    } else {
        check_text("full_name", &full_name, MAX_SHORT, &mut errs);
    }
    let other_names: Vec<String> = input
        .other_names
        .iter()
        .flatten()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for n in &other_names {
        check_text("other_names", n, MAX_SHORT, &mut errs);
    }
    // A code, or the value's label or usual words ("Nữ", "Lao động", "Đã
    // về nước"): stored as the code.
    let coded = |field: &str,
                 v: Option<&String>,
                 read: &dyn Fn(&str) -> Option<&'static str>,
                 errs: &mut Vec<FieldError>| {
        let v = trimmed(v);
        if v.is_empty() {
            return v;
        }
        if let Some(code) = read(&v) {
            return code.to_owned();
        }
        errs.push(FieldError::new(field, "invalid_code"));
        v
    };
    let mut gender = coded(
        "gender",
        input.gender.as_ref(),
        &|t| words::gender(t).map(Gender::code),
        &mut errs,
    );
    if gender.is_empty() {
        Gender::Unknown.code().clone_into(&mut gender);
    }
    let category = coded(
        "category",
        input.category.as_ref(),
        &|t| words::category(t).map(Category::code),
        &mut errs,
    );
    if category.is_empty() {
        errs.push(FieldError::new("category", "required"));
    }
    let generation = coded(
        "generation",
        input.generation.as_ref(),
        &|t| words::generation(t).map(Generation::code),
        &mut errs,
    );
    let mut status = coded(
        "status",
        input.status.as_ref(),
        &|t| words::status(t).map(PersonStatus::code),
        &mut errs,
    );
    if status.is_empty() {
        PersonStatus::Active.code().clone_into(&mut status);
    }
    let mut consent = coded(
        "consent",
        input.consent.as_ref(),
        &|t| words::consent(t).map(ConsentStatus::code),
        &mut errs,
    );
    if consent.is_empty() {
        ConsentStatus::Unknown.code().clone_into(&mut consent);
    }
    let mut verification = coded(
        "verification",
        input.verification.as_ref(),
        &|t| words::verification(t).map(VerificationStatus::code),
        &mut errs,
    );
    if verification.is_empty() {
        VerificationStatus::Unverified
            .code()
            .clone_into(&mut verification);
    }
    // An ISO code ("my" is Malaysia) or a name as people write it ("Nhật
    // Bản", "Mỹ", "CHLB Đức").
    let typed_country = trimmed(input.country.as_ref());
    let country = geo::countries::code_or_name(&typed_country)
        .map_or_else(|| typed_country.to_uppercase(), str::to_owned);
    if country.is_empty() {
        errs.push(FieldError::new("country", "required"));
    } else if geo::country(&country).is_none() {
        errs.push(FieldError::new("country", "unknown_country"));
    }
    let today = clock::now();
    let birth = trimmed(input.birth_date.as_ref());
    let mut birth_year = None;
    let birth_date = if birth.is_empty() {
        None
    } else if let Ok(d) = domain::dates::read(&birth, this_year()) {
        let iso = d.to_iso();
        if today.get(..iso.len()).is_some_and(|t| iso.as_str() > t) {
            errs.push(FieldError::new("birth_date", "in_future"));
        }
        birth_year = Some(i64::from(d.year));
        Some(iso)
    } else {
        errs.push(FieldError::new("birth_date", "invalid_date"));
        None
    };
    let departure_year = match &input.departure_year {
        None => None,
        Some(YearInput::Number(n)) => Some(*n),
        Some(YearInput::Text(t)) if t.trim().is_empty() => None,
        Some(YearInput::Text(t)) => {
            if let Ok(n) = t.trim().parse::<i64>() {
                Some(n)
            } else if let Ok(y) = domain::dates::read_year(t, this_year()) {
                Some(i64::from(y))
            } else {
                errs.push(FieldError::new("departure_year", "invalid_year"));
                None
            }
        }
    };
    if let Some(y) = departure_year {
        if y > i64::from(clock::current_year()) || y < 1900 {
            errs.push(FieldError::new("departure_year", "out_of_range"));
        } else if birth_year.is_some_and(|b| y < b) {
            errs.push(FieldError::new("departure_year", "before_birth"));
        }
    }
    let mut hometown_text = trimmed(input.hometown_text.as_ref());
    check_text("hometown_text", &hometown_text, MAX_SHORT, &mut errs);
    // A code, the label a picker offered, or a commune's name.
    let mut commune = |field: &'static str| -> Option<String> {
        let typed = match field {
            "hometown_code" => trimmed(input.hometown_code.as_ref()),
            _ => trimmed(input.hometown_legacy_code.as_ref()),
        };
        if typed.is_empty() {
            return None;
        }
        match super::values::filter_code(field, &typed, Some("42")) {
            Ok(code) => Some(code),
            Err(e) => {
                errs.push(e);
                Some(typed)
            }
        }
    };
    let mut hometown_code = commune("hometown_code");
    let mut hometown_legacy_code = commune("hometown_legacy_code");
    if hometown_code.is_none() && hometown_legacy_code.is_none() && !hometown_text.is_empty() {
        let r = geo::resolve_hometown(&hometown_text, Some("42"));
        if r.is_resolved() && r.confidence >= 0.8 {
            hometown_code = r.place.new_commune.map(str::to_owned);
            hometown_legacy_code = r.place.legacy_commune.map(str::to_owned);
        }
    }
    if hometown_text.is_empty() {
        if let Some(c) = hometown_code.as_deref().and_then(geo::new_commune) {
            hometown_text = geo::new_commune_label(c);
        } else if let Some(c) = hometown_legacy_code
            .as_deref()
            .and_then(geo::legacy_commune)
        {
            hometown_text = geo::legacy_commune_label(c);
        }
    }
    let phone = match normalize_phone(&trimmed(input.phone.as_ref())) {
        Ok(p) => p,
        Err(code) => {
            errs.push(FieldError::new("phone", code));
            String::new()
        }
    };
    let email = trimmed(input.email.as_ref()).to_lowercase();
    if !email.is_empty() {
        if email.chars().count() > MAX_SHORT {
            errs.push(FieldError::new("email", "too_long"));
        } else if !email_ok(&email) {
            errs.push(FieldError::new("email", "invalid_email"));
        }
    }
    let mut tags: Vec<String> = Vec::new();
    for t in input.tags.iter().flatten() {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        match domain::words::tag(t) {
            None => errs.push(FieldError::new("tags", "invalid_code")),
            Some(tag) if !tags.iter().any(|x| x == tag.code()) => tags.push(tag.code().to_owned()),
            Some(_) => {}
        }
    }
    let mut nationalities: Vec<String> = Vec::new();
    for n in input.nationalities.iter().flatten() {
        let n =
            geo::countries::code_or_name(n).map_or_else(|| n.trim().to_uppercase(), str::to_owned);
        if n.is_empty() {
            continue;
        }
        if geo::country(&n).is_none() {
            errs.push(FieldError::new("nationalities", "unknown_country"));
        } else if !nationalities.contains(&n) {
            nationalities.push(n);
        }
    }
    let list = |field: &str, v: Option<&Vec<String>>, errs: &mut Vec<FieldError>| {
        let mut out: Vec<String> = Vec::new();
        for x in v.into_iter().flatten() {
            let x = x.trim();
            if x.is_empty() || out.iter().any(|o| o == x) {
                continue;
            }
            check_text(field, x, MAX_SHORT, errs);
            out.push(x.to_owned());
        }
        if out.len() > MAX_ITEMS {
            errs.push(FieldError::new(field, "too_many"));
        }
        out
    };
    let social = list("social", input.social.as_ref(), &mut errs);
    let mut associations = list("associations", input.associations.as_ref(), &mut errs);
    associations.sort();
    if nationalities.len() > MAX_ITEMS {
        errs.push(FieldError::new("nationalities", "too_many"));
    }
    let income_bracket = trimmed(input.income_bracket.as_ref());
    if !income_bracket.is_empty() && !INCOME_BRACKETS.iter().any(|b| b.0 == income_bracket) {
        errs.push(FieldError::new("income_bracket", "invalid_code"));
    }
    let remittance = trimmed(input.remittance.as_ref());
    check_text("remittance", &remittance, MAX_SHORT, &mut errs);
    let mut extra: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in input.extra.iter().flatten() {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        check_text(&format!("extra.{k}"), v, MAX_SHORT, &mut errs);
        extra.insert(k.trim().to_owned(), v.to_owned());
    }
    if extra.len() > MAX_ITEMS {
        errs.push(FieldError::new("extra", "too_many"));
    }
    let mut text = |field: &str, v: Option<&String>, max: usize| {
        let v = trimmed(v);
        check_text(field, &v, max, &mut errs);
        v
    };
    let data = PersonData {
        nationalities,
        social,
        income_bracket,
        remittance,
        associations,
        extra,
        region_abroad: text("region_abroad", input.region_abroad.as_ref(), MAX_SHORT),
        city_abroad: text("city_abroad", input.city_abroad.as_ref(), MAX_SHORT),
        address_abroad: text("address_abroad", input.address_abroad.as_ref(), MAX_LONG),
        passport_no: text("passport_no", input.passport_no.as_ref(), 30),
        id_no: text("id_no", input.id_no.as_ref(), 30),
        occupation: text("occupation", input.occupation.as_ref(), MAX_SHORT),
        education: text("education", input.education.as_ref(), MAX_SHORT),
        expertise: text("expertise", input.expertise.as_ref(), MAX_SHORT),
        enterprise: text("enterprise", input.enterprise.as_ref(), MAX_SHORT),
        notes: text("notes", input.notes.as_ref(), MAX_LONG),
        full_name,
        other_names,
        gender,
        birth_date,
        category,
        generation: Some(generation).filter(|s| !s.is_empty()),
        country,
        hometown_text,
        hometown_code,
        hometown_legacy_code,
        departure_year,
        phone,
        email,
        tags,
        status,
        consent,
        verification,
    };
    if errs.is_empty() {
        Ok(data)
    } else {
        errs.dedup();
        Err(errs)
    }
}

/// True when an actor whose jurisdiction is communes or countries may hold this record.
pub(crate) fn within_jurisdiction(actor: &Actor, d: &PersonData) -> bool {
    match &actor.jurisdiction {
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            let district = d
                .hometown_legacy_code
                .as_deref()
                .and_then(geo::legacy_commune)
                .map(|c| c.district_code.to_owned());
            d.hometown_code
                .as_ref()
                .is_some_and(|c| new_communes.contains(c))
                || d.hometown_legacy_code
                    .as_ref()
                    .is_some_and(|c| legacy_communes.contains(c))
                || district.is_some_and(|c| legacy_districts.contains(&c))
        }
        Jurisdiction::Countries(cs) => cs.contains(&d.country),
        _ => true,
    }
}

const COLUMNS: &str = "p.id, p.version, p.full_name, p.other_names, p.gender, p.birth_date, \
    p.category, p.generation, p.country, p.region_abroad, p.city_abroad, p.address_abroad, \
    p.hometown_text, p.hometown_new_code, p.hometown_legacy_code, p.departure_year, \
    p.passport_no, p.id_no, p.phone, p.email, p.occupation, p.education, p.expertise, p.tags, \
    p.enterprise, p.status, p.consent, p.verification, p.notes, p.created_at, p.updated_at, \
    p.deleted_at, p.deleted_reason, p.nationalities, p.social, p.income_bracket, p.remittance, \
    p.extra";
/// Columns in [`COLUMNS`].
const COLUMN_COUNT: usize = {
    let b = COLUMNS.as_bytes();
    let (mut i, mut n) = (0, 1);
    while i < b.len() {
        if b[i] == b',' {
            n += 1;
        }
        i += 1;
    }
    n
};

fn split_tags(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn person_from_row(r: &db::AnyRow) -> Result<Person, db::SqlxError> {
    let other: String = r.try_get(3)?;
    let tags: String = r.try_get(23)?;
    Ok(Person {
        id: r.try_get(0)?,
        version: r.try_get(1)?,
        data: PersonData {
            full_name: r.try_get(2)?,
            other_names: serde_json::from_str(&other).unwrap_or_default(),
            gender: r.try_get(4)?,
            birth_date: r.try_get(5)?,
            category: r.try_get(6)?,
            generation: r.try_get(7)?,
            country: r.try_get(8)?,
            region_abroad: r.try_get(9)?,
            city_abroad: r.try_get(10)?,
            address_abroad: r.try_get(11)?,
            hometown_text: r.try_get(12)?,
            hometown_code: r.try_get(13)?,
            hometown_legacy_code: r.try_get(14)?,
            departure_year: r.try_get(15)?,
            passport_no: r.try_get(16)?,
            id_no: r.try_get(17)?,
            phone: r.try_get(18)?,
            email: r.try_get(19)?,
            occupation: r.try_get(20)?,
            education: r.try_get(21)?,
            expertise: r.try_get(22)?,
            tags: split_tags(&tags),
            enterprise: r.try_get(24)?,
            status: r.try_get(25)?,
            consent: r.try_get(26)?,
            verification: r.try_get(27)?,
            notes: r.try_get(28)?,
            nationalities: split_tags(&r.try_get::<String, _>(33)?),
            social: serde_json::from_str(&r.try_get::<String, _>(34)?).unwrap_or_default(),
            income_bracket: r.try_get(35)?,
            remittance: r.try_get(36)?,
            associations: Vec::new(),
            extra: serde_json::from_str(&r.try_get::<String, _>(37)?).unwrap_or_default(),
        },
        created_at: r.try_get(29)?,
        updated_at: r.try_get(30)?,
        deleted_at: r.try_get(31)?,
        deleted_reason: r.try_get(32)?,
        masked: false,
        sensitive_extra: Vec::new(),
    })
}

/// Writes the first version ("created") of the people with ids `lo..=hi`
/// inserted in bulk in `tx` without one (demo data), read back from their
/// rows so that the snapshot is what [`get`] shows; `associations` by id.
pub(crate) async fn first_versions(
    tx: &mut WriteTx,
    actor: &Actor,
    (lo, hi): (i64, i64),
    associations: &std::collections::HashMap<i64, Vec<String>>,
    now: &str,
) -> AppResult<()> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM persons p WHERE p.id >= $1 AND p.id <= $2 \
         AND NOT EXISTS (SELECT 1 FROM person_versions v WHERE v.person_id = p.id)"
    ))
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *tx.tx)
    .await?;
    let mut versions = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut p = person_from_row(r)?;
        p.data.associations = associations.get(&p.id).cloned().unwrap_or_default();
        p.data.associations.sort();
        versions.push(vec![
            db::bulk::Val::from(p.id),
            db::bulk::Val::from(1),
            db::bulk::Val::from(snapshot_json(&p.data)),
            db::bulk::Val::from(now),
            db::bulk::Val::from(actor.user_id),
            db::bulk::Val::from(actor.username.as_str()),
            db::bulk::Val::from("created"),
        ]);
    }
    db::bulk::insert(&mut tx.tx, "person_versions", VERSION_COLUMNS, versions).await?;
    Ok(())
}

/// A person's snapshot as stored in `person_versions.data`: the JSON of
/// [`PersonData`] without its empty members (`""`, `null`, `[]`, `{}`),
/// which `#[serde(default)]` gives back on reading. Half of an imported
/// person's snapshot is empty members, and the snapshots were most of the
/// bytes a large import writes (issue 17 §5).
pub(crate) fn snapshot_json(data: &PersonData) -> String {
    let full = serde_json::to_string(data).unwrap_or_default();
    strip_empty_members(&full)
}

/// Drops the top-level members of a JSON object whose value is `""`,
/// `null`, `[]` or `{}`; anything that is not an object comes back as is.
/// Works on `serde_json`'s compact output (no whitespace); the delimiters it
/// looks at are ASCII, which never occur inside a UTF-8 sequence.
fn strip_empty_members(json: &str) -> String {
    let b = json.as_bytes();
    if b.first() != Some(&b'{') || b.last() != Some(&b'}') {
        return json.to_owned();
    }
    let mut out = String::with_capacity(json.len());
    out.push('{');
    let mut i = 1;
    while i < b.len() - 1 {
        let key_end = json_value_end(b, i);
        // `key_end` is at the ':'.
        let value_end = json_value_end(b, key_end + 1);
        let value = &json[key_end + 1..value_end];
        if !matches!(value, "\"\"" | "null" | "[]" | "{}") {
            if out.len() > 1 {
                out.push(',');
            }
            out.push_str(&json[i..value_end]);
        }
        // Past the ',' between members (or onto the closing '}').
        i = value_end + 1;
    }
    out.push('}');
    out
}

/// The index just past the JSON value (or key) starting at `start`.
fn json_value_end(b: &[u8], start: usize) -> usize {
    let mut i = start;
    let mut depth = 0usize;
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => {
                    in_string = false;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
        } else {
            match c {
                b'"' => in_string = true,
                b'[' | b'{' => depth += 1,
                b']' | b'}' | b',' | b':' if depth == 0 => return i,
                b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    b.len()
}

/// The columns of a `person_versions` row written in bulk, in order.
pub(crate) const VERSION_COLUMNS: &[&str] = &[
    "person_id",
    "version",
    "data",
    "changed_at",
    "changed_by",
    "changed_by_name",
    "summary",
];

/// Loads a person the actor may see (for other modules of this crate).
pub(crate) async fn load_visible(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Person> {
    load(conn, actor, id).await
}

/// Loads a person the actor may see, inside a transaction.
pub(crate) async fn load(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Person> {
    let scope = access::person_scope(actor, 2);
    // One round trip: the person, the names of their associations and the
    // keys of the sensitive extra fields (masked below), the two lists
    // joined by the unit separator (never in a name or key).
    let agg = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        |expr: &str| format!("group_concat({expr}, char(31))")
    } else {
        |expr: &str| format!("string_agg({expr}, chr(31))")
    };
    let sql = format!(
        "SELECT {COLUMNS}, \
         (SELECT {} FROM person_associations pa JOIN associations a ON a.id = pa.association_id \
          WHERE pa.person_id = p.id), \
         (SELECT {} FROM custom_fields WHERE sensitive <> 0) \
         FROM persons p WHERE p.id = $1 AND {}",
        agg("a.name"),
        agg("key"),
        scope.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &scope.args {
        q = q.bind(a);
    }
    let row = q
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut p = person_from_row(&row)?;
    let split = |v: Option<String>| -> Vec<String> {
        v.map(|v| {
            v.split('\u{1f}')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
    };
    p.data.associations = split(row.try_get(COLUMN_COUNT)?);
    p.data.associations.sort();
    p.sensitive_extra = split(row.try_get(COLUMN_COUNT + 1)?);
    p.sensitive_extra.sort();
    Ok(p)
}

/// A page of the live people the actor may see with ids above `span.0`
/// (and up to `span.1`, when given), in id order, at most `limit`,
/// narrowed by the caller's condition `cond` over `persons p` (placeholders from `$1`, arguments `args`): the
/// exchange's export reads the registry page by page so a million rows
/// never sit in memory. Unmasked and not audited: the caller checks
/// `PersonExport` (and `PersonReveal` for the sensitive fields) and audits
/// the export as a whole.
pub(crate) async fn export_page(
    app: &App,
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    span: (i64, Option<i64>),
    limit: i64,
    cond: &str,
    args: &[String],
) -> AppResult<Vec<Person>> {
    let (after, until) = span;
    let first = args.len() + 2;
    // A number of ours, not the caller's text.
    let until = until.map_or_else(String::new, |u| format!(" AND p.id <= {u}"));
    let scope = access::person_scope(actor, first);
    let agg = if app.db.backend == db::Backend::Sqlite {
        |expr: &str| format!("group_concat({expr}, char(31))")
    } else {
        |expr: &str| format!("string_agg({expr}, chr(31))")
    };
    let sql = format!(
        "SELECT {COLUMNS}, \
         (SELECT {} FROM person_associations pa JOIN associations a ON a.id = pa.association_id \
          WHERE pa.person_id = p.id), \
         (SELECT {} FROM custom_fields WHERE sensitive <> 0) \
         FROM persons p WHERE p.deleted_at IS NULL AND ({cond}) AND p.id > ${}{until} AND {} \
         ORDER BY p.id LIMIT {limit}",
        agg("a.name"),
        agg("key"),
        args.len() + 1,
        scope.sql
    );
    let mut q = sqlx::query(&sql);
    for a in args {
        q = q.bind(a);
    }
    q = q.bind(after);
    for a in &scope.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let split = |v: Option<String>| -> Vec<String> {
        v.map(|v| {
            v.split('\u{1f}')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut p = person_from_row(row)?;
        p.data.associations = split(row.try_get(COLUMN_COUNT)?);
        p.data.associations.sort();
        p.sensitive_extra = split(row.try_get(COLUMN_COUNT + 1)?);
        out.push(p);
    }
    Ok(out)
}

/// The values of an exported record a receiver writes back: the record as
/// the registry holds it (for comparing a received file with), unmasked,
/// not audited (the caller audits the exchange).
pub(crate) async fn load_for_exchange(app: &App, actor: &Actor, id: i64) -> AppResult<Person> {
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await
}

/// An extra field an administrator defined (`custom_fields`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomField {
    pub key: String,
    pub label_vi: String,
    pub label_en: String,
    /// `text`, `number` or `date` (partial dates allowed).
    pub kind: String,
    /// Masked like the other sensitive fields.
    #[serde(default)]
    pub sensitive: bool,
}

async fn custom_fields_on(conn: &mut sqlx::AnyConnection) -> AppResult<Vec<CustomField>> {
    let rows = sqlx::query(
        "SELECT key, label_vi, label_en, kind, sensitive FROM custom_fields ORDER BY key",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CustomField {
                key: r.try_get(0)?,
                label_vi: r.try_get(1)?,
                label_en: r.try_get(2)?,
                kind: r.try_get(3)?,
                sensitive: r.try_get::<i64, _>(4)? != 0,
            })
        })
        .collect()
}

/// Survey rounds `(code, name)`, newest first, for the list's picker.
pub async fn survey_rounds(app: &App, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    access::authorize(actor, Action::PersonList)?;
    let rows = sqlx::query(
        "SELECT code, name FROM survey_rounds ORDER BY started_on DESC, code DESC LIMIT 200",
    )
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The extra fields defined by administrators (for forms and clients).
pub async fn custom_fields(app: &App, actor: &Actor) -> AppResult<Vec<CustomField>> {
    access::authorize(actor, Action::PersonList)?;
    let mut conn = app.db.pool.acquire().await?;
    custom_fields_on(&mut conn).await
}

/// Defines (or redefines) an extra field; administrators only, audited.
pub async fn define_custom_field(app: &App, actor: &Actor, field: &CustomField) -> AppResult<()> {
    access::authorize(actor, Action::UserAdmin)?;
    let key = field.key.trim();
    let mut errs = Vec::new();
    if key.is_empty()
        || key.len() > 40
        || !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        errs.push(FieldError::new("key", "invalid_code"));
    }
    if !["text", "number", "date"].contains(&field.kind.as_str()) {
        errs.push(FieldError::new("kind", "invalid_code"));
    }
    for (f, v) in [("label_vi", &field.label_vi), ("label_en", &field.label_en)] {
        if v.trim().is_empty() {
            errs.push(FieldError::new(f, "required"));
        } else if v.chars().count() > MAX_SHORT || domain::text::has_forbidden_control(v) {
            errs.push(FieldError::new(f, "too_long"));
        }
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = app.db.begin_write().await?;
    sqlx::query("DELETE FROM custom_fields WHERE key = $1")
        .bind(key)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "INSERT INTO custom_fields (key, label_vi, label_en, kind, sensitive, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(key)
    .bind(field.label_vi.trim())
    .bind(field.label_en.trim())
    .bind(&field.kind)
    .bind(i64::from(field.sensitive))
    .bind(clock::now())
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("custom_field.define", "custom_field", &key),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Checks what needs the database: extra field keys and kinds, association
/// names. Answers the association ids to link.
async fn check_refs(conn: &mut sqlx::AnyConnection, d: &PersonData) -> AppResult<Vec<i64>> {
    let mut errs = Vec::new();
    let defs = custom_fields_on(conn).await?;
    for (k, v) in &d.extra {
        match defs.iter().find(|f| &f.key == k) {
            None => errs.push(FieldError::new(format!("extra.{k}"), "unknown_field")),
            Some(f) if f.kind == "number" && v.replace(',', ".").parse::<f64>().is_err() => {
                errs.push(FieldError::new(format!("extra.{k}"), "invalid_number"));
            }
            Some(f) if f.kind == "date" && PartialDate::parse(v).is_err() => {
                errs.push(FieldError::new(format!("extra.{k}"), "invalid_date"));
            }
            Some(_) => {}
        }
    }
    let mut ids = Vec::new();
    for name in &d.associations {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM associations WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
        match id {
            Some(id) => ids.push(id),
            None => errs.push(FieldError::new("associations", "unknown_association")),
        }
    }
    if errs.is_empty() {
        Ok(ids)
    } else {
        errs.dedup();
        Err(AppError::Invalid(errs))
    }
}

/// Makes the person's association links exactly `ids` (keeping roles of kept links).
async fn link_associations(tx: &mut WriteTx, id: i64, ids: &[i64]) -> AppResult<()> {
    let current: Vec<i64> =
        sqlx::query_scalar("SELECT association_id FROM person_associations WHERE person_id = $1")
            .bind(id)
            .fetch_all(&mut *tx.tx)
            .await?;
    for a in current.iter().filter(|a| !ids.contains(a)) {
        sqlx::query("DELETE FROM person_associations WHERE person_id = $1 AND association_id = $2")
            .bind(id)
            .bind(*a)
            .execute(&mut *tx.tx)
            .await?;
    }
    for a in ids.iter().filter(|a| !current.contains(a)) {
        sqlx::query(
            "INSERT INTO person_associations (person_id, association_id, role) VALUES ($1, $2, 'member')",
        )
        .bind(id)
        .bind(*a)
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

/// Masks the sensitive fields of a record.
fn mask_person(p: &mut Person) {
    p.data.passport_no = access::mask_identifier(&p.data.passport_no);
    p.data.id_no = access::mask_identifier(&p.data.id_no);
    p.data.address_abroad = access::mask(&p.data.address_abroad);
    p.data.income_bracket = access::mask(&p.data.income_bracket);
    p.data.remittance = access::mask(&p.data.remittance);
    for k in &p.sensitive_extra {
        if let Some(v) = p.data.extra.get_mut(k) {
            *v = access::mask(v);
        }
    }
    p.masked = true;
}

/// A written record as answered to its writer: masked unless the actor may reveal.
pub(crate) fn shown(actor: &Actor, mut p: Person) -> Person {
    if access::authorize(actor, Action::PersonReveal).is_err() {
        mask_person(&mut p);
    }
    p
}

/// Reads one person; the view is audited. Sensitive fields are masked
/// unless `reveal` is asked and the role may reveal (that is audited too).
pub async fn get(app: &App, actor: &Actor, id: i64, reveal: bool) -> AppResult<Person> {
    read(app, actor, id, reveal.then_some("")).await
}

/// Reveals at most this many records per account and hour.
pub const REVEALS_PER_HOUR: i64 = 60;

/// Reads one person with the sensitive fields shown, for a purpose the
/// officer states (Law 91/2025/QH15: personal data is processed for a
/// stated purpose): the purpose is required, kept in the audit row, and an
/// account reveals at most [`REVEALS_PER_HOUR`] records an hour.
pub async fn reveal(app: &App, actor: &Actor, id: i64, purpose: &str) -> AppResult<Person> {
    access::authorize(actor, Action::PersonRead)?;
    access::authorize(actor, Action::PersonReveal)?;
    let purpose = purpose.trim();
    if purpose.is_empty() {
        return Err(AppError::invalid_field("purpose", "required"));
    }
    if purpose.chars().count() > 200 || domain::text::has_forbidden_control(purpose) {
        return Err(AppError::invalid_field("purpose", "too_long"));
    }
    let key = format!("reveal:{}", actor.user_id.unwrap_or_default());
    if crate::accounts::sessions::hit(app, &key, 3600).await? > REVEALS_PER_HOUR {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    read(app, actor, id, Some(purpose)).await
}

/// Reads one person; `reveal` holds the purpose of a reveal ("" when the
/// record is opened for editing).
async fn read(app: &App, actor: &Actor, id: i64, reveal: Option<&str>) -> AppResult<Person> {
    access::authorize(actor, Action::PersonRead)?;
    if reveal.is_some() {
        access::authorize(actor, Action::PersonReveal)?;
    }
    let mut p = {
        let mut conn = app.db.pool.acquire().await?;
        load(&mut conn, actor, id).await?
    };
    let action = if reveal.is_some() {
        "person.reveal"
    } else {
        "person.view"
    };
    let details = match reveal {
        Some(purpose) => serde_json::json!({
            "fields": ["passport_no", "id_no", "address_abroad", "income_bracket", "remittance", "extra"],
            "purpose": if purpose.is_empty() { "edit" } else { purpose },
        }),
        None => serde_json::json!({}),
    };
    // The view is committed to the audit log (with the views of concurrent
    // requests: group commit) before the record leaves this function.
    audit::record(app, actor, Event::new(action, "person", &id).with(details)).await?;
    if reveal.is_none() {
        mask_person(&mut p);
    }
    Ok(p)
}

/// Binds a validated record's columns from `$first` on; returns the SQL assignments.
/// A column value: text or integer, either possibly null.
type Value = (Option<String>, Option<i64>);

pub(crate) fn data_columns(d: &PersonData) -> Vec<(&'static str, Option<String>, Option<i64>)> {
    let legacy = d
        .hometown_legacy_code
        .as_deref()
        .and_then(geo::legacy_commune);
    let new_province = d
        .hometown_code
        .as_deref()
        .and_then(geo::new_commune)
        .map(|c| c.province_code.to_owned());
    let birth_year = d
        .birth_date
        .as_deref()
        .and_then(|b| b.get(..4))
        .and_then(|y| y.parse::<i64>().ok());
    let s = |v: &str| (Some(v.to_owned()), None);
    let cols: Vec<(&'static str, Value)> = vec![
        ("full_name", s(&d.full_name)),
        ("full_name_folded", s(&domain::text::fold(&d.full_name))),
        (
            "other_names",
            s(&serde_json::to_string(&d.other_names).unwrap_or_else(|_| "[]".into())),
        ),
        ("gender", s(&d.gender)),
        ("birth_date", (d.birth_date.clone(), None)),
        ("birth_year", (None, birth_year)),
        ("category", s(&d.category)),
        ("generation", (d.generation.clone(), None)),
        ("hometown_text", s(&d.hometown_text)),
        ("hometown_new_code", (d.hometown_code.clone(), None)),
        ("hometown_new_province", (new_province, None)),
        (
            "hometown_legacy_code",
            (d.hometown_legacy_code.clone(), None),
        ),
        (
            "hometown_legacy_district",
            (legacy.map(|c| c.district_code.to_owned()), None),
        ),
        (
            "hometown_legacy_province",
            (legacy.map(|c| c.province_code.to_owned()), None),
        ),
        ("country", s(&d.country)),
        ("region_abroad", s(&d.region_abroad)),
        ("city_abroad", s(&d.city_abroad)),
        ("address_abroad", s(&d.address_abroad)),
        ("departure_year", (None, d.departure_year)),
        ("passport_no", s(&d.passport_no)),
        ("id_no", s(&d.id_no)),
        ("phone", s(&d.phone)),
        ("email", s(&d.email)),
        ("occupation", s(&d.occupation)),
        ("education", s(&d.education)),
        ("expertise", s(&d.expertise)),
        ("tags", s(&d.tags.join(","))),
        ("enterprise", s(&d.enterprise)),
        ("status", s(&d.status)),
        ("consent", s(&d.consent)),
        ("verification", s(&d.verification)),
        ("notes", s(&d.notes)),
        ("nationalities", s(&d.nationalities.join(","))),
        (
            "social",
            s(&serde_json::to_string(&d.social).unwrap_or_else(|_| "[]".into())),
        ),
        ("income_bracket", s(&d.income_bracket)),
        ("remittance", s(&d.remittance)),
        (
            "extra",
            s(&serde_json::to_string(&d.extra).unwrap_or_else(|_| "{}".into())),
        ),
    ];
    cols.into_iter().map(|(k, (a, b))| (k, a, b)).collect()
}

/// Integer-typed columns (bound as BIGINT even when null).
pub(crate) const INT_COLUMNS: &[&str] = &["birth_year", "departure_year"];

fn bind_cols<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    cols: &'q [(&'static str, Option<String>, Option<i64>)],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for (name, s, i) in cols {
        if INT_COLUMNS.contains(name) {
            q = q.bind(*i);
        } else {
            q = q.bind(s.clone());
        }
    }
    q
}

pub(crate) async fn snapshot(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    version: i64,
    data: &PersonData,
    summary: &str,
    now: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO person_versions (person_id, version, data, changed_at, changed_by, changed_by_name, summary) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(version)
    .bind(snapshot_json(data))
    .bind(now)
    .bind(actor.user_id)
    .bind(&actor.username)
    .bind(summary)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub(crate) fn out_of_jurisdiction() -> AppError {
    AppError::Invalid(vec![FieldError::new(
        "hometown_code",
        "out_of_jurisdiction",
    )])
}

/// Registers a new person; answers the stored record (unmasked for its creator).
pub async fn create(app: &App, actor: &Actor, input: &PersonInput) -> AppResult<Person> {
    let mut tx = app.db.begin_write().await?;
    let id = create_in(&mut tx, app, actor, input).await?;
    let p = load(&mut tx.tx, actor, id).await?;
    tx.commit().await?;
    Ok(shown(actor, p))
}

/// [`create`] within the caller's transaction (a received exchange file
/// is accepted whole or not at all): the new record's id.
pub(crate) async fn create_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    input: &PersonInput,
) -> AppResult<i64> {
    access::authorize(actor, Action::PersonCreate)?;
    let data = validate(input).map_err(AppError::Invalid)?;
    if !within_jurisdiction(actor, &data) {
        return Err(out_of_jurisdiction());
    }
    let cols = data_columns(&data);
    let now = clock::now();
    let mut names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    names.extend([
        "version",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ]);
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO persons ({}) VALUES ({}) RETURNING id",
        names.join(", "),
        placeholders.join(", ")
    );
    let assoc_ids = check_refs(&mut tx.tx, &data).await?;
    let q = bind_cols(sqlx::query(&sql), &cols)
        .bind(1_i64)
        .bind(&now)
        .bind(&now)
        .bind(actor.user_id)
        .bind(actor.user_id);
    let id: i64 = q.fetch_one(&mut *tx.tx).await?.try_get(0)?;
    // An association contributor's new member belongs to its association,
    // or it could not see the record it just made.
    let mut assoc_ids = assoc_ids;
    if let Jurisdiction::Associations(ids) = &actor.jurisdiction
        && let Some(association) = ids.first()
        && !assoc_ids.contains(association)
    {
        assoc_ids.push(*association);
    }
    link_associations(tx, id, &assoc_ids).await?;
    snapshot(tx, actor, id, 1, &data, "created", &now).await?;
    audit::append(tx, app, actor, Event::new("person.create", "person", &id)).await?;
    Ok(id)
}

/// Replaces a person's fields when `expected_version` is still current.
///
/// With `keep_blank_sensitive`, sensitive fields left blank keep their value
/// (forms show them masked to roles that may not reveal them).
pub async fn update(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    input: &PersonInput,
    keep_blank_sensitive: bool,
) -> AppResult<Person> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let p = update_in(&mut tx, app, actor, &current, input, keep_blank_sensitive).await?;
    tx.commit().await?;
    Ok(shown(actor, p))
}

/// Validates and writes a new version of `current`, inside the caller's transaction.
pub(crate) async fn update_in(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Person,
    input: &PersonInput,
    keep_blank_sensitive: bool,
) -> AppResult<Person> {
    let mut data = validate(input).map_err(AppError::Invalid)?;
    if keep_blank_sensitive {
        if data.passport_no.is_empty() {
            data.passport_no.clone_from(&current.data.passport_no);
        }
        if data.id_no.is_empty() {
            data.id_no.clone_from(&current.data.id_no);
        }
        if data.address_abroad.is_empty() {
            data.address_abroad.clone_from(&current.data.address_abroad);
        }
        if data.income_bracket.is_empty() {
            data.income_bracket.clone_from(&current.data.income_bracket);
        }
        if data.remittance.is_empty() {
            data.remittance.clone_from(&current.data.remittance);
        }
        for k in &current.sensitive_extra {
            if !data.extra.contains_key(k)
                && let Some(v) = current.data.extra.get(k)
            {
                data.extra.insert(k.clone(), v.clone());
            }
        }
    }
    if !within_jurisdiction(actor, &data) {
        return Err(out_of_jurisdiction());
    }
    let changed = current.data.changed_fields(&data);
    write(
        tx,
        app,
        actor,
        current,
        &data,
        &changed.join(", "),
        "person.update",
    )
    .await
}

pub(crate) async fn write(
    tx: &mut WriteTx,
    app: &App,
    actor: &Actor,
    current: &Person,
    data: &PersonData,
    summary: &str,
    action: &'static str,
) -> AppResult<Person> {
    let assoc_ids = check_refs(&mut tx.tx, data).await?;
    let cols = data_columns(data);
    let now = clock::now();
    let mut sets = String::new();
    for (i, c) in cols.iter().enumerate() {
        let _ = write!(sets, "{} = ${}, ", c.0, i + 1);
    }
    let n = cols.len();
    let sql = format!(
        "UPDATE persons SET {sets}version = version + 1, updated_at = ${}, updated_by = ${} \
         WHERE id = ${} AND version = ${}",
        n + 1,
        n + 2,
        n + 3,
        n + 4
    );
    let done = bind_cols(sqlx::query(&sql), &cols)
        .bind(&now)
        .bind(actor.user_id)
        .bind(current.id)
        .bind(current.version)
        .execute(&mut *tx.tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    link_associations(tx, current.id, &assoc_ids).await?;
    let version = current.version + 1;
    snapshot(tx, actor, current.id, version, data, summary, &now).await?;
    audit::append(
        tx,
        app,
        actor,
        Event::new(action, "person", &current.id)
            .with(serde_json::json!({"version": version, "changed": summary})),
    )
    .await?;
    // The record as now stored, without reading it back.
    Ok(Person {
        id: current.id,
        version,
        data: data.clone(),
        created_at: current.created_at.clone(),
        updated_at: now,
        deleted_at: current.deleted_at.clone(),
        deleted_reason: current.deleted_reason.clone(),
        masked: false,
        sensitive_extra: current.sensitive_extra.clone(),
    })
}

/// Applies a JSON merge patch (RFC 7396) to a person.
pub async fn patch(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    patch: &serde_json::Value,
) -> AppResult<Person> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let mut doc = serde_json::to_value(current.data.to_input()).map_err(anyhow::Error::from)?;
    merge_patch(&mut doc, patch);
    if let Some(o) = doc.as_object_mut() {
        o.remove("version");
        o.retain(|_, v| !v.is_null());
    }
    let input: PersonInput = serde_json::from_value(doc).map_err(|e| {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).unwrap_or("body").to_owned();
        AppError::Invalid(vec![FieldError::new(field, "unknown_field")])
    })?;
    let p = update_in(&mut tx, app, actor, &current, &input, false).await?;
    tx.commit().await?;
    Ok(shown(actor, p))
}

/// RFC 7396 merge.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    if let serde_json::Value::Object(p) = patch {
        if !target.is_object() {
            *target = serde_json::Value::Object(serde_json::Map::new());
        }
        if let serde_json::Value::Object(t) = target {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                }
            }
        }
    } else {
        *target = patch.clone();
    }
}

/// Soft-deletes a person with a reason.
pub async fn delete(app: &App, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
    access::authorize(actor, Action::PersonDelete)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason", "required",
        )]));
    }
    if reason.chars().count() > MAX_SHORT || domain::text::has_forbidden_control(reason) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason", "too_long",
        )]));
    }
    set_deleted(app, actor, id, Some(reason)).await
}

/// Restores a soft-deleted person.
pub async fn undelete(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    access::authorize(actor, Action::PersonDelete)?;
    set_deleted(app, actor, id, None).await
}

async fn set_deleted(app: &App, actor: &Actor, id: i64, reason: Option<&str>) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    let now = clock::now();
    let deleted_at = reason.map(|_| now.clone());
    sqlx::query(
        "UPDATE persons SET deleted_at = $1, deleted_reason = $2, version = version + 1, \
         updated_at = $3, updated_by = $4 WHERE id = $5",
    )
    .bind(deleted_at)
    .bind(reason.map(str::to_owned))
    .bind(&now)
    .bind(actor.user_id)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    let (summary, action) = if reason.is_some() {
        ("deleted", "person.delete")
    } else {
        ("restored", "person.undelete")
    };
    snapshot(
        &mut tx,
        actor,
        id,
        current.version + 1,
        &current.data,
        summary,
        &now,
    )
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new(action, "person", &id).with(serde_json::json!({"reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The name an anonymised record keeps (a word, not a person's name).
pub const ANONYMOUS_NAME: &str = "Ẩn danh";

/// Erases a person's personal data at their request (Law 91/2025/QH15 on
/// personal data protection: the right to deletion; issue 23 §5), keeping
/// what the statistics count and the audit chain intact:
///
/// - the record stays (not deleted), so every count stays: its category,
///   generation, country, hometown codes, gender, birth year (the age
///   band), tags, verification, status and sources (agencies) are kept;
/// - every other field is emptied, the name becomes [`ANONYMOUS_NAME`],
///   the birth date keeps its year only;
/// - the earlier versions (which hold the old values) are replaced by one
///   version of the anonymised record; relatives' names, phones and notes
///   are emptied; the rows of imported files the record came from lose
///   their cells;
/// - the audit log is not touched: its rows hold who did what to which
///   record and which fields, not the values, so the chain still verifies.
pub async fn anonymise(app: &App, actor: &Actor, id: i64, why: &str) -> AppResult<()> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    let now = clock::fmt(app.clock.now_utc());
    let year = current
        .data
        .birth_date
        .as_deref()
        .and_then(|d| d.get(0..4))
        .filter(|y| y.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_owned);
    sqlx::query(
        "UPDATE persons SET full_name = $1, full_name_folded = $2, other_names = '[]', \
         birth_date = $3, nationalities = '', hometown_text = '', region_abroad = '', \
         city_abroad = '', address_abroad = '', passport_no = '', id_no = '', phone = '', \
         email = '', social = '', occupation = '', education = '', expertise = '', \
         enterprise = '', income_bracket = '', remittance = '', religion = '', \
         ethnicity = '', health = '', legal_matters = '', notes = '', extra = '{}', \
         version = version + 1, updated_at = $4, updated_by = $5 WHERE id = $6",
    )
    .bind(ANONYMOUS_NAME)
    .bind(domain::text::fold(ANONYMOUS_NAME))
    .bind(year.clone())
    .bind(&now)
    .bind(actor.user_id)
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query("DELETE FROM person_versions WHERE person_id = $1")
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
    let after = load(&mut tx.tx, actor, id).await?;
    snapshot(
        &mut tx,
        actor,
        id,
        current.version + 1,
        &after.data,
        "anonymised",
        &now,
    )
    .await?;
    sqlx::query(
        "UPDATE relatives SET full_name = '', full_name_folded = '', phone = '', notes = '' \
         WHERE person_id = $1",
    )
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query(
        "UPDATE import_rows SET cells = '[]', data = NULL WHERE EXISTS (SELECT 1 FROM \
         person_sources s WHERE s.person_id = $1 AND s.import_id = import_rows.import_id \
         AND s.row_no = import_rows.row_no)",
    )
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("person.anonymise", "person", &id).with(serde_json::json!({"reason": why})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One entry of a person's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionEntry {
    pub version: i64,
    pub changed_at: String,
    pub changed_by_name: String,
    pub summary: String,
}

/// Every saved version of a person, newest first.
pub async fn history(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<VersionEntry>> {
    access::authorize(actor, Action::PersonRead)?;
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await?;
    let rows = sqlx::query(
        "SELECT version, changed_at, changed_by_name, summary FROM person_versions \
         WHERE person_id = $1 ORDER BY version DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(VersionEntry {
                version: r.try_get(0)?,
                changed_at: r.try_get(1)?,
                changed_by_name: r.try_get(2)?,
                summary: r.try_get(3)?,
            })
        })
        .collect()
}

/// Restores the fields of an earlier version (as a new version).
pub async fn restore_version(
    app: &App,
    actor: &Actor,
    id: i64,
    expected_version: i64,
    version: i64,
) -> AppResult<Person> {
    access::authorize(actor, Action::PersonUpdate)?;
    let mut tx = app.db.begin_write().await?;
    let current = load(&mut tx.tx, actor, id).await?;
    if !crate::registry::version_matches(expected_version, current.version) {
        return Err(AppError::PreconditionFailed {
            current_version: current.version,
        });
    }
    let data: String = sqlx::query_scalar(
        "SELECT data FROM person_versions WHERE person_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *tx.tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let old: PersonData = serde_json::from_str(&data).map_err(anyhow::Error::from)?;
    let data = validate(&old.to_input()).map_err(AppError::Invalid)?;
    if !within_jurisdiction(actor, &data) {
        return Err(out_of_jurisdiction());
    }
    let summary = format!("restored version {version}");
    let p = write(
        &mut tx,
        app,
        actor,
        &current,
        &data,
        &summary,
        "person.restore",
    )
    .await?;
    tx.commit().await?;
    Ok(shown(actor, p))
}

/// One audited access to a person.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccessEntry {
    pub at: String,
    pub actor_name: String,
    pub action: String,
}

/// Recent audit events about a person (views, reveals, changes), newest first.
pub async fn access_log(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<AccessEntry>> {
    access::authorize(actor, Action::AuditRead)?;
    let rows = sqlx::query(
        "SELECT at, actor_name, action FROM audit_log WHERE entity = 'person' AND entity_id = $1 \
         ORDER BY id DESC LIMIT 100",
    )
    .bind(id.to_string())
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AccessEntry {
                at: r.try_get(0)?,
                actor_name: r.try_get(1)?,
                action: r.try_get(2)?,
            })
        })
        .collect()
}

/// Filters, sorting and paging of the list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Folded name prefix.
    pub q: String,
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
    /// `male`, `female`, `other` or `unknown`.
    pub gender: String,
    /// An age band code ([`domain::age::AGE_BANDS`]), by the birth year.
    pub age_band: String,
    /// A department's own field ([`domain::source_fields`]) to filter by,
    /// with `field_op` and `field_value`.
    pub field: String,
    /// `eq` (default), `contains` (text), `gte` or `lte` (numbers, years,
    /// dates).
    pub field_op: String,
    /// As people write it: a choice's label, a country's name, a date...
    pub field_value: String,
    /// `name`, `updated`, `birth` or `id` (default).
    pub sort: String,
    /// `desc` for descending.
    pub dir: String,
    /// 1-based page (offset paging).
    pub page: Option<i64>,
    /// Keyset paging: ids greater than this (id order).
    pub after: Option<i64>,
    pub limit: Option<i64>,
    /// Show deleted records instead of live ones.
    pub deleted: bool,
    /// A consent given through the portal (issue 23 §4), as
    /// `purpose:state` ([`CONSENT_FILTERS`]): `news:given` (the last act
    /// gives it), `news:withdrawn` (the last act withdraws it), `news:none`
    /// (never asked).
    pub consent: String,
}

/// The values of the list's `consent` filter: each purpose of the portal's
/// consent (issue 23 §4) with `given`, `withdrawn` or `none`.
pub const CONSENT_FILTERS: &[&str] = &[
    "keep_record:given",
    "keep_record:withdrawn",
    "keep_record:none",
    "news:given",
    "news:withdrawn",
    "news:none",
    "directory:given",
    "directory:withdrawn",
    "directory:none",
    "national_sharing:given",
    "national_sharing:withdrawn",
    "national_sharing:none",
];

/// The condition on `persons p` of a `consent` filter value, with its
/// purpose as the argument `$n`; an unknown value names the filter.
pub(crate) fn consent_condition(value: &str, n: usize) -> AppResult<(String, String)> {
    let v = value.trim();
    if !CONSENT_FILTERS.contains(&v) {
        return Err(AppError::invalid_field("consent", "invalid_code"));
    }
    let (purpose, state) = v.split_once(':').unwrap_or_default();
    let last = format!(
        "(SELECT c.action FROM portal_consents c WHERE c.person_id = p.id AND c.purpose = ${n} \
         ORDER BY c.id DESC LIMIT 1)"
    );
    let cond = match state {
        "given" => format!("{last} = 'given'"),
        "withdrawn" => format!("{last} = 'withdrawn'"),
        _ => format!(
            "NOT EXISTS (SELECT 1 FROM portal_consents c WHERE c.person_id = p.id \
             AND c.purpose = ${n})"
        ),
    };
    Ok((cond, purpose.to_owned()))
}

/// The records a `consent` filter value ([`CONSENT_FILTERS`]) selects, for
/// a reader that cannot join (the statistics' in-memory columns): the ids of
/// the people it keeps, or, for `purpose:none`, of those it leaves out (the
/// people ever asked), so that neither set is the whole registry.
#[derive(Debug, Clone, Default)]
pub struct ConsentIds {
    pub ids: std::collections::HashSet<i64>,
    /// `ids` are the people left out rather than those kept.
    pub excluded: bool,
}

impl ConsentIds {
    /// Whether the person with this id passes the filter.
    pub fn keeps(&self, id: i64) -> bool {
        self.ids.contains(&id) != self.excluded
    }
}

/// The people a `consent` filter value selects (the same condition as the
/// list's, [`consent_condition`]), read among the people with a consent act
/// for its purpose only; an unknown value names the filter.
pub async fn consent_ids(app: &App, value: &str) -> AppResult<ConsentIds> {
    let excluded = value.trim().ends_with(":none");
    let (cond, purpose) = consent_condition(value, 2)?;
    let sql = format!(
        "SELECT p.id FROM persons p WHERE p.id IN (SELECT a.person_id FROM portal_consents a \
         WHERE a.purpose = $1 AND a.person_id IS NOT NULL){}",
        if excluded {
            String::new()
        } else {
            format!(" AND {cond}")
        }
    );
    let mut q = sqlx::query_scalar(&sql).bind(purpose.clone());
    if !excluded {
        q = q.bind(purpose);
    }
    let ids: Vec<i64> = q.fetch_all(&app.db.pool).await?;
    Ok(ConsentIds {
        ids: ids.into_iter().collect(),
        excluded,
    })
}

impl ListQuery {
    /// The query with its coded filters read from words and names as
    /// people write them ("Nhật Bản", "Lao động", "Nữ"); an unknown value
    /// is an error naming its filter.
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
                ("gender", &mut q.gender),
                ("agency", &mut q.agency),
            ],
            Some(home),
        )
        .map_err(AppError::Invalid)?;
        Ok(q)
    }
}

/// One row of the list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonRow {
    pub id: i64,
    pub full_name: String,
    pub gender: String,
    pub birth_date: Option<String>,
    pub category: String,
    pub generation: Option<String>,
    pub country: String,
    pub hometown_text: String,
    pub status: String,
    pub verification: String,
    pub version: i64,
    /// No consent was ever given or withdrawn through the portal for this
    /// record (issue 23 §4: staff-entered records are marked so).
    pub no_consent: bool,
}

/// A page of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage {
    pub items: Vec<PersonRow>,
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    /// Last id of this page when more rows follow (id order only).
    pub next_after: Option<i64>,
}

enum Arg {
    S(String),
    I(i64),
    F(f64),
}

/// This year, for the century of two-digit years in dates as typed.
fn this_year() -> u16 {
    u16::try_from(clock::current_year()).unwrap_or(2026)
}

/// Lists people within the actor's jurisdiction.
pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> AppResult<ListPage> {
    access::authorize(actor, Action::PersonList)?;
    let q = &q.read_values(&app.settings.home_province)?;
    let scope = access::person_scope(actor, 1);
    let mut args: Vec<Arg> = scope.args.iter().cloned().map(Arg::S).collect();
    let mut wh: Vec<String> = vec![scope.sql.clone()];
    wh.push(if q.deleted {
        "p.deleted_at IS NOT NULL".into()
    } else {
        "p.deleted_at IS NULL".into()
    });
    let eq = |col: &str, v: &str, args: &mut Vec<Arg>, wh: &mut Vec<String>| {
        let v = v.trim();
        if !v.is_empty() {
            args.push(Arg::S(v.to_owned()));
            wh.push(format!("{col} = ${}", args.len()));
        }
    };
    eq("p.hometown_new_code", &q.commune, &mut args, &mut wh);
    // The jurisdiction of an officer of new communes only, restated as a
    // plain condition the planner can take to the commune index (the scope's
    // OR over three columns otherwise reads every row of the commune).
    // It is implied by the scope, so it changes no answer.
    if q.commune.trim().is_empty()
        && let Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } = &actor.jurisdiction
        && !new_communes.is_empty()
        && legacy_communes.is_empty()
        && legacy_districts.is_empty()
    {
        let mut marks = Vec::with_capacity(new_communes.len());
        for c in new_communes {
            args.push(Arg::S(c.clone()));
            marks.push(format!("${}", args.len()));
        }
        wh.push(format!("p.hometown_new_code IN ({})", marks.join(", ")));
    }
    eq(
        "p.hometown_legacy_code",
        &q.legacy_commune,
        &mut args,
        &mut wh,
    );
    eq(
        "p.hometown_legacy_district",
        &q.legacy_district,
        &mut args,
        &mut wh,
    );
    eq("p.country", &q.country, &mut args, &mut wh);
    eq("p.category", &q.category, &mut args, &mut wh);
    eq("p.generation", &q.generation, &mut args, &mut wh);
    eq("p.status", &q.status, &mut args, &mut wh);
    eq("p.verification", &q.verification, &mut args, &mut wh);
    eq("p.gender", &q.gender, &mut args, &mut wh);
    let band = q.age_band.trim();
    if !band.is_empty() {
        match domain::age::band_birth_years(band, i64::from(clock::current_year())) {
            Some((earliest, latest)) => {
                // Integers computed here, not user input.
                wh.push(format!("p.birth_year > 0 AND p.birth_year <= {latest}"));
                if let Some(earliest) = earliest {
                    wh.push(format!("p.birth_year >= {earliest}"));
                }
            }
            None => return Err(AppError::invalid_field("age_band", "invalid_code")),
        }
    }
    if !q.consent.trim().is_empty() {
        let (cond, purpose) = consent_condition(&q.consent, args.len() + 1)?;
        args.push(Arg::S(purpose));
        wh.push(cond);
    }
    let tag = q.tag.trim();
    if !tag.is_empty() {
        args.push(Arg::S(format!("%,{tag},%")));
        wh.push(format!("(',' || p.tags || ',') LIKE ${}", args.len()));
    }
    let folded: String = domain::text::fold(q.q.trim())
        .chars()
        .filter(|c| *c != '%' && *c != '_')
        .collect();
    if !folded.is_empty() {
        args.push(Arg::S(format!("{folded}%")));
        wh.push(format!("p.full_name_folded LIKE ${}", args.len()));
    }
    let agency = q.agency.trim();
    let round = q.survey_round.trim();
    if !agency.is_empty() || !round.is_empty() {
        let mut cond = vec!["ps.person_id = p.id".to_owned()];
        if !agency.is_empty() {
            args.push(Arg::S(agency.to_owned()));
            cond.push(format!("ps.agency = ${}", args.len()));
        }
        if !round.is_empty() {
            args.push(Arg::S(round.to_owned()));
            cond.push(format!("ps.survey_round = ${}", args.len()));
        }
        wh.push(format!(
            "EXISTS (SELECT 1 FROM person_sources ps WHERE {})",
            cond.join(" AND ")
        ));
    }
    if !q.field.trim().is_empty() {
        let first = args.len() + 1;
        let (cond, values) = source_field_filter(&q.field, &q.field_op, &q.field_value)?;
        args.extend(values);
        wh.push(renumber(&cond, first));
    } else if !matches!(q.field_op.trim(), "" | "eq" | "contains" | "gte" | "lte") {
        return Err(AppError::invalid_field("field_op", "invalid_code"));
    } else if !q.field_value.trim().is_empty() {
        // A value typed without its field is not dropped silently.
        return Err(AppError::invalid_field("field", "required"));
    }
    let where_sql = wh.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM persons p WHERE {where_sql}");
    let mut cq = sqlx::query_scalar::<_, i64>(&count_sql);
    for a in &args {
        cq = match a {
            Arg::S(s) => cq.bind(s.clone()),
            Arg::I(i) => cq.bind(*i),
            Arg::F(f) => cq.bind(*f),
        };
    }
    let total = cq.fetch_one(&app.db.pool).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let desc = q.dir == "desc";
    let order_col = match q.sort.as_str() {
        "name" => Some("p.full_name_folded"),
        "updated" => Some("p.updated_at"),
        "birth" => Some("p.birth_date"),
        _ => None,
    };
    let dir = if desc { "DESC" } else { "ASC" };
    let mut page_wh = where_sql.clone();
    let keyset = order_col.is_none() && !desc;
    if keyset && let Some(after) = q.after {
        args.push(Arg::I(after));
        let _ = write!(page_wh, " AND p.id > ${}", args.len());
    }
    let page = q.page.unwrap_or(1).max(1);
    let offset = if keyset && q.after.is_some() {
        0
    } else {
        (page - 1) * limit
    };
    let order = match order_col {
        Some(c) => format!("{c} {dir}, p.id {dir}"),
        None => format!("p.id {dir}"),
    };
    // The page's ids first (from an index alone where one covers the
    // filter), then their rows: PostgreSQL otherwise walks the primary key
    // filtering a commune's rows out of the whole table.
    let sql = format!(
        "SELECT p.id, p.full_name, p.gender, p.birth_date, p.category, p.generation, p.country, \
         p.hometown_text, p.status, p.verification, p.version, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM portal_consents c WHERE c.person_id = p.id) \
         THEN 0 ELSE 1 END AS BIGINT) FROM persons p WHERE p.id IN \
         (SELECT p.id FROM persons p WHERE {page_wh} ORDER BY {order} LIMIT {} OFFSET {offset}) \
         ORDER BY {order}",
        limit + 1
    );
    let mut lq = sqlx::query(&sql);
    for a in &args {
        lq = match a {
            Arg::S(s) => lq.bind(s.clone()),
            Arg::I(i) => lq.bind(*i),
            Arg::F(f) => lq.bind(*f),
        };
    }
    let rows = lq.fetch_all(&app.db.pool).await?;
    let mut items = rows
        .iter()
        .map(|r| {
            Ok(PersonRow {
                id: r.try_get(0)?,
                full_name: r.try_get(1)?,
                gender: r.try_get(2)?,
                birth_date: r.try_get(3)?,
                category: r.try_get(4)?,
                generation: r.try_get(5)?,
                country: r.try_get(6)?,
                hometown_text: r.try_get(7)?,
                status: r.try_get(8)?,
                verification: r.try_get(9)?,
                version: r.try_get(10)?,
                no_consent: r.try_get::<i64, _>(11)? != 0,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_after = if more && keyset {
        items.last().map(|r| r.id)
    } else {
        None
    };
    Ok(ListPage {
        items,
        total,
        page,
        limit,
        next_after,
    })
}

// ---------------------------------------------------------------- own fields filter

/// Numbers the `$?` marks of a condition from `first`.
fn renumber(cond: &str, first: usize) -> String {
    let mut out = String::with_capacity(cond.len() + 8);
    let mut n = first;
    let mut rest = cond;
    while let Some(i) = rest.find("$?") {
        out.push_str(&rest[..i]);
        let _ = write!(out, "${n}");
        n += 1;
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// The condition on `persons p` of a filter by a department's own field,
/// with `$?` marks for its values: the value is read as the import reads
/// it (a choice by its label, a country by its name, a date or a number as
/// written); a text is matched folded, whole or (`contains`) in part.
fn source_field_filter(key: &str, op: &str, raw: &str) -> AppResult<(String, Vec<Arg>)> {
    use domain::source_fields::{self as sf, Kind};
    let invalid = |field: &str, code: &str| AppError::Invalid(vec![FieldError::new(field, code)]);
    let f = sf::field(key.trim()).ok_or_else(|| invalid("field", "invalid_code"))?;
    let op = match op.trim() {
        "" => "eq",
        o @ ("eq" | "contains" | "gte" | "lte") => o,
        _ => return Err(invalid("field_op", "invalid_code")),
    };
    let ranged = matches!(f.kind, Kind::Number | Kind::Year | Kind::Date);
    if (op == "contains" && f.kind != Kind::Text) || (matches!(op, "gte" | "lte") && !ranged) {
        return Err(invalid("field_op", "invalid_code"));
    }
    let value = sf::parse(f, raw)
        .map_err(|e| invalid("field_value", e.0))?
        .ok_or_else(|| invalid("field_value", "required"))?;
    let cmp = match op {
        "gte" => ">=",
        "lte" => "<=",
        _ => "=",
    };
    let mut args = vec![Arg::S(f.key.to_owned())];
    let cond = match (f.kind, op) {
        (Kind::Text, "contains") => {
            let folded: String = value
                .folded()
                .chars()
                .filter(|c| *c != '%' && *c != '_')
                .collect();
            args.push(Arg::S(format!("%{folded}%")));
            "f.folded_value LIKE $?"
        }
        (Kind::Text, _) => {
            args.push(Arg::S(value.folded()));
            "f.folded_value = $?"
        }
        (Kind::Number | Kind::Year, _) => {
            args.push(Arg::F(value.num.unwrap_or_default()));
            match cmp {
                ">=" => "f.num_value >= $?",
                "<=" => "f.num_value <= $?",
                _ => "f.num_value = $?",
            }
        }
        (Kind::Date, _) => {
            let d = value.date.unwrap_or_default();
            match cmp {
                // A partial date is a period: "≥ 2019" takes all of 2019,
                // "≤ 2019" too, "= 2019" any date in it.
                ">=" => {
                    args.push(Arg::S(d));
                    "f.date_value >= $?"
                }
                "<=" => {
                    args.push(Arg::S(format!("{d}\u{7f}")));
                    "f.date_value <= $?"
                }
                _ => {
                    args.push(Arg::S(d.clone()));
                    args.push(Arg::S(format!("{d}-%")));
                    "(f.date_value = $? OR f.date_value LIKE $?)"
                }
            }
        }
        (Kind::Country | Kind::Choice(_), _) => {
            args.push(Arg::S(value.text));
            "f.text_value = $?"
        }
    };
    Ok((
        format!(
            "EXISTS (SELECT 1 FROM person_sources ps JOIN person_source_fields f \
             ON f.source_id = ps.id WHERE ps.person_id = p.id AND f.field_key = $? AND {cond})"
        ),
        args,
    ))
}

/// A household and the relative in it, for the record page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RelativeRow {
    /// The relative's id (for updates and removal).
    pub id: i64,
    pub household_id: i64,
    pub head_name: String,
    pub address: String,
    pub full_name: String,
    pub relationship: String,
    pub birth_year: Option<i64>,
}

/// A source of a person's data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SourceRow {
    pub agency: String,
    pub list_name: String,
    pub survey_round: String,
    pub file_name: String,
    pub row_no: Option<i64>,
    pub added_at: String,
    /// The values of the source's own columns (issue 19).
    pub fields: Vec<SourceFieldValue>,
}

/// A value of a department's own field ([`domain::source_fields`]), as
/// stored: the canonical text (partial ISO date, number, ISO country code,
/// choice code or text as written).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SourceFieldValue {
    /// The department whose list gave it.
    pub agency: String,
    /// The field's key (`sending_company`, `funding`...).
    pub key: String,
    /// `text`, `date`, `year`, `number`, `country` or `choice`.
    pub kind: String,
    pub value: String,
    #[serde(skip)]
    source_id: i64,
}

/// The own fields of a person's sources, in the catalogue's order per
/// source (oldest source first). Checks the actor may read the person.
pub async fn source_fields(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<SourceFieldValue>> {
    access::authorize(actor, Action::PersonRead)?;
    let mut conn = app.db.pool.acquire().await?;
    source_fields_on(&mut conn, actor, id).await
}

async fn source_fields_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> AppResult<Vec<SourceFieldValue>> {
    let scope = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT ps.id, ps.agency, f.field_key, f.text_value FROM person_sources ps \
         JOIN person_source_fields f ON f.source_id = ps.id JOIN persons p ON p.id = ps.person_id \
         WHERE ps.person_id = $1 AND {}",
        scope.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &scope.args {
        q = q.bind(a);
    }
    let mut out = Vec::new();
    for r in q.fetch_all(&mut *conn).await? {
        let key: String = r.try_get(2)?;
        let Some(f) = domain::source_fields::field(&key) else {
            continue;
        };
        out.push(SourceFieldValue {
            source_id: r.try_get(0)?,
            agency: r.try_get(1)?,
            key,
            kind: f.kind.code().to_owned(),
            value: r.try_get(3)?,
        });
    }
    let rank = |k: &str| domain::source_fields::index_of(k).unwrap_or(usize::MAX);
    out.sort_by_key(|a| (a.source_id, rank(&a.key)));
    Ok(out)
}

/// Relatives at home and sources of a person (already checked visible by [`get`]).
pub async fn related(
    app: &App,
    actor: &Actor,
    id: i64,
) -> AppResult<(Vec<RelativeRow>, Vec<SourceRow>)> {
    access::authorize(actor, Action::PersonRead)?;
    let mut conn = app.db.pool.acquire().await?;
    load(&mut conn, actor, id).await?;
    let rows = sqlx::query(
        "SELECT h.id, h.head_name, h.address, r.full_name, r.relationship, r.birth_year, r.id \
         FROM relatives r JOIN households h ON h.id = r.household_id \
         WHERE r.person_id = $1 AND r.deleted_at IS NULL ORDER BY h.id, r.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let relatives = rows
        .iter()
        .map(|r| {
            Ok(RelativeRow {
                id: r.try_get(6)?,
                household_id: r.try_get(0)?,
                head_name: r.try_get(1)?,
                address: r.try_get(2)?,
                full_name: r.try_get(3)?,
                relationship: r.try_get(4)?,
                birth_year: r.try_get(5)?,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    let rows = sqlx::query(
        "SELECT agency, list_name, survey_round, file_name, row_no, added_at, id \
         FROM person_sources WHERE person_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut fields = source_fields_on(&mut conn, actor, id).await?;
    let sources = rows
        .iter()
        .map(|r| {
            let source_id: i64 = r.try_get(6)?;
            let (own, rest): (Vec<_>, Vec<_>) =
                fields.drain(..).partition(|f| f.source_id == source_id);
            fields = rest;
            Ok(SourceRow {
                agency: r.try_get(0)?,
                list_name: r.try_get(1)?,
                survey_round: r.try_get(2)?,
                file_name: r.try_get(3)?,
                row_no: r.try_get(4)?,
                added_at: r.try_get(5)?,
                fields: own,
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    Ok((relatives, sources))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field set (a field added to `PersonData` must be added here:
    /// the literal has no `..Default::default()`).
    fn every_field(text: &str) -> PersonData {
        PersonData {
            full_name: text.to_owned(),
            other_names: vec![text.to_owned(), String::new()],
            gender: "female".into(),
            birth_date: Some("1970-01-02".into()),
            category: "migrant".into(),
            generation: Some("1".into()),
            country: "US".into(),
            region_abroad: text.to_owned(),
            city_abroad: "San Jose".into(),
            address_abroad: text.to_owned(),
            hometown_text: text.to_owned(),
            hometown_code: Some("18277".into()),
            hometown_legacy_code: Some("18277".into()),
            departure_year: Some(1990),
            passport_no: "P1".into(),
            id_no: "0123".into(),
            phone: "+14155550100".into(),
            email: "a@b.c".into(),
            occupation: text.to_owned(),
            education: "x".into(),
            expertise: "y".into(),
            tags: vec!["t".into()],
            enterprise: "e".into(),
            status: "active".into(),
            consent: "unknown".into(),
            verification: "unverified".into(),
            notes: text.to_owned(),
            nationalities: vec!["VN".into()],
            social: vec![text.to_owned()],
            income_bracket: "b".into(),
            remittance: "r".into(),
            associations: vec!["1".into()],
            extra: BTreeMap::from([
                (text.to_owned(), String::new()),
                ("k".into(), text.to_owned()),
            ]),
        }
    }

    #[test]
    fn snapshots_leave_out_empty_members_and_read_back_the_same() {
        let awkward = r#"a "quoted", {braced} [bracketed]: \ back\"slash\ — Nguyễn"#;
        for d in [
            PersonData::default(),
            every_field(""),
            every_field(awkward),
            PersonData {
                full_name: awkward.into(),
                ..PersonData::default()
            },
        ] {
            let stored = snapshot_json(&d);
            let back: PersonData = serde_json::from_str(&stored).unwrap();
            assert_eq!(back, d, "{stored}");
            let full = serde_json::to_string(&d).unwrap();
            assert!(stored.len() <= full.len());
        }
        assert_eq!(snapshot_json(&PersonData::default()), "{}");
        assert_eq!(strip_empty_members("[1,2]"), "[1,2]");
        assert_eq!(
            strip_empty_members(r#"{"a":"","b":{"c":""},"d":[""],"e":0}"#),
            r#"{"b":{"c":""},"d":[""],"e":0}"#
        );
    }

    #[test]
    fn phones_become_e164() {
        assert_eq!(normalize_phone("0912 345 678").unwrap(), "+84912345678");
        assert_eq!(
            normalize_phone("0049 (30) 123-4567").unwrap(),
            "+49301234567"
        );
        assert_eq!(normalize_phone("+1 415 555 0100").unwrap(), "+14155550100");
        assert!(normalize_phone("call me").is_err());
    }

    #[test]
    fn merge_patch_removes_nulls_and_replaces_values() {
        let mut t = serde_json::json!({"a": 1, "b": {"c": 2}});
        merge_patch(&mut t, &serde_json::json!({"a": null, "b": {"d": 3}}));
        assert_eq!(t, serde_json::json!({"b": {"c": 2, "d": 3}}));
    }

    fn base() -> PersonInput {
        PersonInput {
            full_name: Some("<b>Lê</b> Thị Hoa".into()),
            category: Some("study_abroad".into()),
            country: Some("au".into()),
            ..PersonInput::default()
        }
    }

    #[test]
    fn html_in_names_is_kept_as_typed_and_country_upper_cased() {
        let d = validate(&base()).unwrap();
        assert_eq!(d.full_name, "<b>Lê</b> Thị Hoa");
        assert_eq!(d.country, "AU");
        assert_eq!(d.status, "active");
    }

    #[test]
    fn departure_before_birth_and_bad_codes_are_refused() {
        let mut i = base();
        i.birth_date = Some("1990".into());
        i.departure_year = Some(YearInput::Number(1980));
        i.hometown_code = Some("99999".into());
        i.tags = Some(vec!["nobody".into()]);
        i.notes = Some("a\u{1b}b".into());
        let errs = validate(&i).unwrap_err();
        for f in ["departure_year", "hometown_code", "tags", "notes"] {
            assert!(errs.iter().any(|e| e.field == f), "{f}: {errs:?}");
        }
    }

    #[test]
    fn future_birth_and_unknown_country_are_refused() {
        let input = PersonInput {
            full_name: Some("A".into()),
            category: Some("migrant".into()),
            country: Some("XX".into()),
            birth_date: Some("2999".into()),
            ..PersonInput::default()
        };
        let errs = validate(&input).unwrap_err();
        assert!(errs.iter().any(|e| e.field == "country"));
        assert!(errs.iter().any(|e| e.field == "birth_date"));
    }
}

/// A consent the person gave or withdrew on the portal (issue 23 §4): the
/// last act per purpose.
#[derive(Debug, Clone, Serialize)]
pub struct PortalConsent {
    pub purpose: String,
    /// `given` or `withdrawn`.
    pub action: String,
    pub at: String,
    pub text_version: String,
}

/// The consents of a record's subject given through the portal, the last
/// act per purpose (the record must be within the actor's reach). Empty:
/// the record was entered by staff and no consent was given through the
/// portal.
pub async fn portal_consents(app: &App, actor: &Actor, id: i64) -> AppResult<Vec<PortalConsent>> {
    access::authorize(actor, Action::PersonRead)?;
    let f = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT c.purpose, c.action, c.at, c.text_version FROM portal_consents c \
         JOIN persons p ON p.id = c.person_id WHERE c.person_id = $1 AND {} ORDER BY c.id DESC",
        f.sql
    );
    let mut q = sqlx::query(&sql).bind(id);
    for a in &f.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let mut out: Vec<PortalConsent> = Vec::new();
    for r in rows {
        let purpose: String = r.try_get(0)?;
        if out.iter().any(|c| c.purpose == purpose) {
            continue;
        }
        out.push(PortalConsent {
            purpose,
            action: r.try_get(1)?,
            at: r.try_get(2)?,
            text_version: r.try_get(3)?,
        });
    }
    Ok(out)
}
