//! Filter values as people write them: "Nhật Bản" for `JP`, "Lao động" for
//! `contract_labour`, "Nữ" for `female`. The one place the registry's list,
//! its search and the statistics read a filter's value; an unknown value is
//! an error naming the filter, never a silent empty result.

use domain::{geo, words};

use crate::FieldError;

/// The stored code a filter's value names. Communes and districts are read
/// by code, picker label or name, in the `home` province first
/// (`geo::pick`). Fields without coded values (rounds, tags...) are
/// returned trimmed.
pub fn filter_code(field: &str, text: &str, home: Option<&str>) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let era = match field {
        "commune" | "new_commune" | "hometown_code" | "commune_code" => Some(geo::Era::New),
        "legacy_commune" | "hometown_legacy_code" | "legacy_commune_code" => Some(geo::Era::Legacy),
        _ => None,
    };
    if let Some(era) = era {
        return geo::pick::commune_named(t, era, home)
            .map(|c| c.code().to_owned())
            .map_err(|e| FieldError::new(field, e.code()));
    }
    if field == "legacy_district" {
        return geo::pick::legacy_district_named(t, home)
            .map(|d| d.code.to_owned())
            .map_err(|e| FieldError::new(field, e.code()));
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
pub fn read_filters(
    fields: &mut [(&str, &mut String)],
    home: Option<&str>,
) -> Result<(), Vec<FieldError>> {
    let mut errs = Vec::new();
    for (field, value) in fields.iter_mut() {
        match filter_code(field, value, home) {
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
        assert_eq!(filter_code("country", "Nhật Bản", None).unwrap(), "JP");
        assert_eq!(filter_code("country", "jp", None).unwrap(), "JP");
        assert_eq!(filter_code("country", "Mỹ", None).unwrap(), "US");
        assert_eq!(
            filter_code("country", "my", None).unwrap(),
            "MY",
            "a code stays a code"
        );
        assert_eq!(filter_code("country", "CHLB Đức", None).unwrap(), "DE");
        assert_eq!(
            filter_code("category", "Lao động", None).unwrap(),
            "contract_labour"
        );
        assert_eq!(
            filter_code("category", "study_abroad", None).unwrap(),
            "study_abroad"
        );
        assert_eq!(filter_code("gender", "Nữ", None).unwrap(), "female");
        assert_eq!(
            filter_code("status", "Đã về nước", None).unwrap(),
            "returned"
        );
        let loc_ha = geo::pick::commune_named("Lộc Hà", geo::Era::New, Some("Hà Tĩnh")).unwrap();
        assert_eq!(
            filter_code("commune", " lộc ha ", Some("Hà Tĩnh")).unwrap(),
            loc_ha.code()
        );
        assert_eq!(
            filter_code("commune", loc_ha.code(), None).unwrap(),
            loc_ha.code()
        );
        assert_eq!(
            filter_code("legacy_district", "Thạch Hà", Some("Hà Tĩnh")).unwrap(),
            geo::pick::legacy_district_named("Huyện Thạch Hà", Some("42"))
                .unwrap()
                .code
        );
        assert_eq!(
            filter_code("legacy_commune", "Nơi Không Có", None)
                .unwrap_err()
                .code,
            "unknown_commune"
        );
        assert_eq!(
            filter_code("country", "Xứ Sở Thần Tiên", None)
                .unwrap_err()
                .code,
            "unknown_country"
        );
        assert_eq!(
            filter_code("category", "Nhà báo", None).unwrap_err().field,
            "category"
        );
    }
}
