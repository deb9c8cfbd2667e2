//! Filter values as people write them: "Nhật Bản" for `JP`, "Lao động" for
//! `contract_labour`, "Nữ" for `female`. The one place the registry's list,
//! its search and the statistics read a filter's value; an unknown value is
//! an error naming the filter, never a silent empty result.

use domain::{geo, words};

use crate::FieldError;

/// The stored code a filter's value names. Fields without coded values
/// (communes, rounds, tags...) are returned trimmed.
pub fn filter_code(field: &str, text: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let code: Option<&'static str> = match field {
        "country" => geo::countries::code_or_name(t),
        "category" => words::category(t).map(domain::Category::code),
        "generation" => words::generation(t).map(domain::Generation::code),
        "status" => words::status(t).map(domain::PersonStatus::code),
        "verification" => words::verification(t).map(domain::VerificationStatus::code),
        "gender" => words::gender(t).map(domain::Gender::code),
        "agency" => words::agency(t).map(domain::Agency::code),
        "consent" => words::consent(t).map(domain::ConsentStatus::code),
        "relationship" => words::relationship(t).map(domain::Relationship::code),
        _ => return Ok(t.to_owned()),
    };
    code.map(str::to_owned).ok_or_else(|| {
        FieldError::new(
            field,
            if field == "country" {
                "unknown_country"
            } else {
                "invalid_code"
            },
        )
    })
}

/// Reads every coded filter of a list of (field, value) in place; the
/// errors name each filter whose value is unknown.
pub fn read_filters(fields: &mut [(&str, &mut String)]) -> Result<(), Vec<FieldError>> {
    let mut errs = Vec::new();
    for (field, value) in fields.iter_mut() {
        match filter_code(field, value) {
            Ok(code) => **value = code,
            Err(e) => errs.push(e),
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_by_words_and_names() {
        assert_eq!(filter_code("country", "Nhật Bản").unwrap(), "JP");
        assert_eq!(filter_code("country", "jp").unwrap(), "JP");
        assert_eq!(filter_code("country", "Mỹ").unwrap(), "US");
        assert_eq!(
            filter_code("country", "my").unwrap(),
            "MY",
            "a code stays a code"
        );
        assert_eq!(filter_code("country", "CHLB Đức").unwrap(), "DE");
        assert_eq!(
            filter_code("category", "Lao động").unwrap(),
            "contract_labour"
        );
        assert_eq!(
            filter_code("category", "study_abroad").unwrap(),
            "study_abroad"
        );
        assert_eq!(filter_code("gender", "Nữ").unwrap(), "female");
        assert_eq!(filter_code("status", "Đã về nước").unwrap(), "returned");
        assert_eq!(filter_code("commune", " 42001 ").unwrap(), "42001");
        assert_eq!(
            filter_code("country", "Xứ Sở Thần Tiên").unwrap_err().code,
            "unknown_country"
        );
        assert_eq!(
            filter_code("category", "Nhà báo").unwrap_err().field,
            "category"
        );
    }
}
