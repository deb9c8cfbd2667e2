//! One imported row → a validated record, or errors; plus warnings.
//!
//! Cells are interpreted the way agencies write them (country names in
//! Vietnamese or English, "Nam"/"Nữ", "Lao động", dates as DD/MM/YYYY or a
//! year, hometowns as free text resolved to commune codes), then checked by
//! the registry's own validation, so an import accepts exactly what the form
//! and the API accept.

use domain::geo::{self, Outcome};
use domain::text::fold;
use domain::words;
use domain::{Agency, Category, Relationship};
use serde::{Deserialize, Serialize};

use crate::registry::people::{self, PersonData, PersonInput, YearInput};

/// A message about one cell (or the row when `column` is None).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// 0-based column in the file.
    pub column: Option<usize>,
    pub field: String,
    pub code: String,
    /// Extra text for the message (a suggestion, a row number, an id).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arg: String,
}

impl Message {
    fn new(column: Option<usize>, field: &str, code: &str, arg: impl Into<String>) -> Self {
        Self {
            column,
            field: field.to_owned(),
            code: code.to_owned(),
            arg: arg.into(),
        }
    }
}

/// The household at home a survey-form row names, and how its head is
/// related to the person abroad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdIn {
    pub head_name: String,
    pub address: String,
    pub commune_code: Option<String>,
    /// The head's relationship to the person abroad (a relatives code).
    pub relationship: String,
}

/// What a valid row writes: the person and, from a survey form, the
/// household with the head as a relative.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RowData {
    #[serde(flatten)]
    pub person: PersonData,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<HouseholdIn>,
    /// The source's own fields the row filled, typed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_fields: Vec<domain::source_fields::Value>,
}

/// A validated row.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub data: Option<RowData>,
    pub errors: Vec<Message>,
    pub warnings: Vec<Message>,
}

/// The category a source's lists are about when the file does not say.
pub fn default_category(source: Agency) -> Category {
    match source {
        Agency::Labour => Category::ContractLabour,
        Agency::Education => Category::StudyAbroad,
        Agency::Justice => Category::ForeignMarriage,
        _ => Category::Other,
    }
}

/// The head's relationship to the person abroad, from how the form says
/// the person abroad is related to the head ("Con" of the head → the head
/// is a parent).
fn head_relationship(person_to_head: &str) -> Option<Relationship> {
    let f = fold(person_to_head);
    let words: Vec<&str> = f
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if let Some(r) = Relationship::ALL
        .iter()
        .copied()
        .find(|r| r.code() == person_to_head.trim())
    {
        return Some(r);
    }
    Some(if has("chau") && (has("noi") || has("ngoai")) {
        Relationship::Grandparent
    } else if has("con") {
        Relationship::Parent
    } else if has("chau") {
        Relationship::UncleAunt
    } else if has("vo") || has("chong") {
        Relationship::Spouse
    } else if has("anh") || has("chi") || has("em") {
        Relationship::Sibling
    } else if has("cha") || has("bo") || has("me") || has("ba") && !has("ong") {
        Relationship::Child
    } else if has("dau") || has("re") {
        Relationship::InLaw
    } else if has("khac") {
        Relationship::Other
    } else {
        return None;
    })
}

/// [`geo::resolve_hometown`], remembered per thread: a list repeats the same
/// few hundred hometowns, and resolving one was most of a row's check.
fn resolve_hometown(text: &str, province_hint: Option<&str>) -> geo::HometownResolution {
    use std::cell::RefCell;
    use std::collections::HashMap;
    type Memo = HashMap<(String, Option<String>), geo::HometownResolution>;
    thread_local! {
        static MEMO: RefCell<Memo> = RefCell::new(HashMap::new());
    }
    /// Entries kept per thread before the memo starts again.
    const MAX: usize = 20_000;
    let key = (text.to_owned(), province_hint.map(str::to_owned));
    if let Some(r) = MEMO.with(|m| m.borrow().get(&key).cloned()) {
        return r;
    }
    let r = geo::resolve_hometown(text, province_hint);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MAX {
            m.clear();
        }
        m.insert(key, r.clone());
    });
    r
}

/// Checks one row. `cells[i]` fills `mapping[i]`; `province_hint` names
/// the province hometowns are most likely in.
pub fn check_row(
    cells: &[String],
    mapping: &[String],
    source: Agency,
    province_hint: Option<&str>,
) -> Checked {
    let mut out = Checked::default();
    let mut input = PersonInput::default();
    let mut column_of = std::collections::HashMap::new();
    let mut household: HouseholdCells = HouseholdCells::default();
    for (i, key) in mapping.iter().enumerate() {
        let Some(text) = cells.get(i).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
            continue;
        };
        if key.is_empty() {
            continue;
        }
        column_of.insert(key.as_str(), i);
        let col = Some(i);
        let s = Some(text.to_owned());
        match key.as_str() {
            "full_name" => input.full_name = s,
            "other_names" => {
                input.other_names = Some(
                    text.split([';', '\n'])
                        .map(|n| n.trim().to_owned())
                        .filter(|n| !n.is_empty())
                        .collect(),
                );
            }
            "gender" => match words::gender(text) {
                Some(g) => input.gender = Some(g.code().to_owned()),
                None => out.warnings.push(Message::new(
                    col,
                    "gender",
                    "unknown_value_kept_blank",
                    text,
                )),
            },
            "birth_date" => input.birth_date = s,
            "category" => match words::category(text) {
                Some(c) => input.category = Some(c.code().to_owned()),
                None => out
                    .errors
                    .push(Message::new(col, "category", "invalid_code", text)),
            },
            "generation" => match words::generation(text) {
                Some(g) => input.generation = Some(g.code().to_owned()),
                None => out
                    .errors
                    .push(Message::new(col, "generation", "invalid_code", text)),
            },
            "country" => {
                if let Some(c) = geo::countries::resolve(text) {
                    input.country = Some(c.to_owned());
                } else {
                    let suggestion = geo::search_countries(text, 1)
                        .first()
                        .map(|c| c.name_vi.to_owned())
                        .unwrap_or_default();
                    out.errors
                        .push(Message::new(col, "country", "unknown_country", suggestion));
                }
            }
            "status" => match words::status(text) {
                Some(v) => input.status = Some(v.code().to_owned()),
                None => out
                    .errors
                    .push(Message::new(col, "status", "invalid_code", text)),
            },
            "city_abroad" => input.city_abroad = s,
            "address_abroad" => input.address_abroad = s,
            "hometown_text" => input.hometown_text = s,
            "hometown_code" => input.hometown_code = s,
            "departure_year" => input.departure_year = Some(YearInput::Text(text.to_owned())),
            "passport_no" => input.passport_no = s,
            "id_no" => input.id_no = s,
            "phone" => input.phone = s,
            "email" => input.email = s,
            "occupation" => input.occupation = s,
            "enterprise" => input.enterprise = s,
            "notes" => input.notes = s,
            "household_head" => text.clone_into(&mut household.head),
            "household_address" => text.clone_into(&mut household.address),
            "household_commune" => household.commune = Some(text.to_owned()),
            "relationship_to_head" => text.clone_into(&mut household.relationship),
            _ => {}
        }
    }
    if input.category.is_none() && !column_of.contains_key("category") {
        input.category = Some(default_category(source).code().to_owned());
    }
    // The hometown as written → commune codes, when no code was given.
    if input.hometown_code.is_none()
        && let Some(text) = input.hometown_text.clone()
    {
        let col = column_of.get("hometown_text").copied();
        let r = resolve_hometown(&text, province_hint);
        match r.outcome {
            Outcome::Resolved => {
                input.hometown_code = r.place.new_commune.map(str::to_owned);
                input.hometown_legacy_code = r.place.legacy_commune.map(str::to_owned);
                if r.confidence < 0.7 || r.place.new_commune_is_guess {
                    let label = r
                        .place
                        .new_commune
                        .and_then(geo::new_commune)
                        .map(geo::new_commune_label)
                        .unwrap_or_default();
                    out.warnings.push(Message::new(
                        col,
                        "hometown_text",
                        "hometown_low_confidence",
                        label,
                    ));
                }
            }
            Outcome::Ambiguous => {
                let options: Vec<String> = r
                    .alternatives
                    .iter()
                    .take(3)
                    .filter_map(|p| p.new_commune.and_then(geo::new_commune))
                    .map(geo::new_commune_label)
                    .collect();
                out.warnings.push(Message::new(
                    col,
                    "hometown_text",
                    "hometown_ambiguous",
                    options.join(" | "),
                ));
            }
            Outcome::Unresolved { .. } => out.warnings.push(Message::new(
                col,
                "hometown_text",
                "hometown_unresolved",
                "",
            )),
        }
    }
    let household = household_of(&household, &column_of, &mut out);
    let source_fields = own_fields(cells, mapping, source, &mut out);
    match people::validate(&input) {
        Ok(person) if out.errors.is_empty() => {
            out.data = Some(RowData {
                person,
                household,
                source_fields,
            });
        }
        Ok(_) => {}
        Err(errs) => {
            for e in errs {
                let col = column_of.get(e.field.as_str()).copied();
                if !out.errors.iter().any(|m| m.field == e.field) {
                    out.errors.push(Message::new(col, &e.field, &e.code, ""));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------- own fields
// Each department's own columns (issue 19, `domain::source_fields`): kept
// apart from the core fields above so that both can change independently.

/// The typed values of the source's own columns in a row. A cell that
/// cannot be read is an error naming the column and the value as typed
/// (nothing typed is dropped silently); a column mapped to another
/// department's field is an error too.
fn own_fields(
    cells: &[String],
    mapping: &[String],
    source: Agency,
    out: &mut Checked,
) -> Vec<domain::source_fields::Value> {
    use domain::source_fields as sf;
    let mut values = Vec::new();
    for (i, key) in mapping.iter().enumerate() {
        let Some(f) = sf::field(key) else { continue };
        let Some(text) = cells.get(i).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
            continue;
        };
        if f.agency != source {
            out.errors
                .push(Message::new(Some(i), key, "unknown_field", text));
            continue;
        }
        match sf::parse(f, text) {
            Ok(Some(v)) => values.push(v),
            Ok(None) => {}
            Err(sf::ValueError(code)) => out.errors.push(Message::new(Some(i), key, code, text)),
        }
    }
    values
}

/// Household cells of a row as typed.
#[derive(Default)]
struct HouseholdCells {
    head: String,
    address: String,
    commune: Option<String>,
    relationship: String,
}

fn household_of(
    h: &HouseholdCells,
    column_of: &std::collections::HashMap<&str, usize>,
    out: &mut Checked,
) -> Option<HouseholdIn> {
    if h.head.is_empty() {
        if !h.address.is_empty() || h.commune.is_some() || !h.relationship.is_empty() {
            out.errors
                .push(Message::new(None, "head_name", "required", ""));
        }
        return None;
    }
    let col = |k: &str| column_of.get(k).copied();
    if h.head.chars().count() > 200 || domain::text::has_forbidden_control(&h.head) {
        out.errors.push(Message::new(
            col("household_head"),
            "head_name",
            "too_long",
            "",
        ));
    }
    if let Some(c) = &h.commune
        && geo::new_commune(c).is_none()
    {
        out.errors.push(Message::new(
            col("household_commune"),
            "commune_code",
            "unknown_commune",
            c.clone(),
        ));
    }
    let relationship = if h.relationship.is_empty() {
        Relationship::Other
    } else if let Some(r) = head_relationship(&h.relationship) {
        r
    } else {
        out.warnings.push(Message::new(
            col("relationship_to_head"),
            "relationship",
            "unknown_value_kept_blank",
            h.relationship.clone(),
        ));
        Relationship::Other
    };
    Some(HouseholdIn {
        head_name: h.head.clone(),
        address: h.address.clone(),
        commune_code: h.commune.clone(),
        relationship: relationship.code().to_owned(),
    })
}

/// Key of a row for finding duplicates inside one file.
pub fn duplicate_key(d: &PersonData) -> String {
    format!(
        "{}|{}",
        fold(&d.full_name),
        d.birth_date.as_deref().unwrap_or("")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        (
            pairs.iter().map(|(_, v)| (*v).to_owned()).collect(),
            pairs.iter().map(|(k, _)| (*k).to_owned()).collect(),
        )
    }

    #[test]
    fn agency_wording_is_understood() {
        let (cells, mapping) = row(&[
            ("full_name", "Nguyễn Văn Đức"),
            ("gender", "Nam"),
            ("birth_date", "05/03/1990"),
            ("category", "Xuất khẩu lao động"),
            ("country", "Hàn Quốc"),
            ("hometown_text", "xã Thạch Long, huyện Thạch Hà, Hà Tĩnh"),
        ]);
        let c = check_row(&cells, &mapping, Agency::Police, Some("Hà Tĩnh"));
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let d = c.data.unwrap().person;
        assert_eq!(d.country, "KR");
        assert_eq!(d.gender, "male");
        assert_eq!(d.category, "contract_labour");
        assert_eq!(d.birth_date.as_deref(), Some("1990-03-05"));
        assert!(d.hometown_code.is_some());
    }

    #[test]
    fn errors_name_the_column() {
        let (cells, mapping) = row(&[
            ("full_name", ""),
            ("birth_date", "31/02/1990"),
            ("country", "Atlantis"),
        ]);
        let c = check_row(&cells, &mapping, Agency::Labour, None);
        assert!(c.data.is_none());
        let fields: Vec<(&str, Option<usize>)> = c
            .errors
            .iter()
            .map(|m| (m.field.as_str(), m.column))
            .collect();
        assert!(fields.contains(&("country", Some(2))), "{fields:?}");
        assert!(fields.contains(&("birth_date", Some(1))), "{fields:?}");
        assert!(fields.contains(&("full_name", None)), "{fields:?}");
    }

    #[test]
    fn own_columns_are_typed_and_bad_cells_name_column_and_value() {
        let (cells, mapping) = row(&[
            ("full_name", "Phan Văn Hùng"),
            ("country", "Nhật Bản"),
            ("employer_abroad", "Toyota Motor"),
            ("contract_term_months", "3 năm"),
            ("sending_company", "Công ty CP Nhân lực Hà Tĩnh"),
        ]);
        let c = check_row(&cells, &mapping, Agency::Labour, None);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let own = c.data.unwrap().source_fields;
        let term = own
            .iter()
            .find(|v| v.key == "contract_term_months")
            .unwrap();
        assert_eq!(term.num, Some(36.0));
        assert_eq!(own.len(), 3);

        let (cells, mapping) = row(&[
            ("full_name", "Phan Văn Hùng"),
            ("country", "JP"),
            ("contract_term_months", "ba năm"),
        ]);
        let c = check_row(&cells, &mapping, Agency::Labour, None);
        assert!(c.data.is_none());
        assert_eq!(
            c.errors,
            vec![Message::new(
                Some(2),
                "contract_term_months",
                "invalid_number",
                "ba năm"
            )]
        );

        // Another department's column is not silently dropped.
        let (cells, mapping) = row(&[
            ("full_name", "Phan Văn Hùng"),
            ("country", "JP"),
            ("funding", "Tự túc"),
        ]);
        let c = check_row(&cells, &mapping, Agency::Labour, None);
        assert!(c.data.is_none());
        assert_eq!(c.errors[0].code, "unknown_field");
    }

    #[test]
    fn source_gives_the_default_category() {
        let (cells, mapping) = row(&[("full_name", "Trần Thị Hoa"), ("country", "JP")]);
        let c = check_row(&cells, &mapping, Agency::Education, None);
        assert_eq!(c.data.unwrap().person.category, "study_abroad");
    }

    #[test]
    fn survey_form_rows_name_the_household() {
        let (cells, mapping) = row(&[
            ("full_name", "Lê Thị Hồng"),
            ("country", "Đài Loan"),
            ("household_head", "Lê Văn Sáu"),
            ("household_address", "Thôn Bắc"),
            ("relationship_to_head", "Con gái"),
        ]);
        let c = check_row(&cells, &mapping, Agency::Survey, None);
        let h = c.data.unwrap().household.unwrap();
        assert_eq!(h.head_name, "Lê Văn Sáu");
        assert_eq!(
            h.relationship, "parent",
            "the head is the parent of a child abroad"
        );
        assert_eq!(
            head_relationship("Cháu nội"),
            Some(Relationship::Grandparent)
        );
        assert_eq!(head_relationship("Vợ"), Some(Relationship::Spouse));
        assert_eq!(head_relationship("Em trai"), Some(Relationship::Sibling));
        assert_eq!(head_relationship("Mẹ"), Some(Relationship::Child));
    }
}
