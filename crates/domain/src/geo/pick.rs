//! A commune or district as a person names it in a form or a filter: its
//! code, the label a picker offered ("Xã Lộc Hà, Tỉnh Hà Tĩnh (mới)",
//! "Xã Thạch Kim, Huyện Lộc Hà, Tỉnh Hà Tĩnh (cũ) → Xã Lộc Hà"), or its
//! name alone ("Lộc Hà", "lộc ha"), looked for in the home province first.
//! The one reader behind every commune field, so no form asks for a code.

use super::search::{CommuneRef, search_communes};
use super::units::{Era, LegacyDistrict};
use super::{
    legacy_commune, legacy_commune_label, legacy_district, legacy_districts, legacy_province,
    new_commune, new_commune_label, new_province, successors,
};
use crate::text::fold;

/// Why a typed place names no single unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickError {
    /// Nothing of that name (or code).
    Unknown,
    /// Several units bear that name, none in the home province alone.
    Ambiguous,
}

impl PickError {
    /// The message code of the error (`unknown_commune`, `ambiguous_commune`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Unknown => "unknown_commune",
            Self::Ambiguous => "ambiguous_commune",
        }
    }
}

/// The era marks a choice carries, by language (`en` or not).
fn marks(en: bool) -> (&'static str, &'static str) {
    if en {
        ("(new)", "(old)")
    } else {
        ("(mới)", "(cũ)")
    }
}

/// What a picker shows and submits for a commune: its full label, the era in
/// brackets (in the page's language, `en`), and for a legacy commune where
/// it went ("→ Xã Lộc Hà"). Place names stay as officially written.
pub fn commune_choice(c: CommuneRef, en: bool) -> String {
    let (new_mark, old_mark) = marks(en);
    match c {
        CommuneRef::New(n) => format!("{} {new_mark}", new_commune_label(n)),
        CommuneRef::Legacy(l) => {
            let went: Vec<&str> = successors(l.code)
                .iter()
                .filter_map(|s| new_commune(s.new_code))
                .map(|n| n.name)
                .collect();
            if went.is_empty() {
                format!("{} {old_mark}", legacy_commune_label(l))
            } else {
                format!(
                    "{} {old_mark} → {}",
                    legacy_commune_label(l),
                    went.join(", ")
                )
            }
        }
    }
}

/// What a picker says of a new commune's past: "Xã Thạch Kim (cũ), Xã Thạch Châu (cũ)".
pub fn commune_history(c: CommuneRef, en: bool) -> String {
    let (_, old_mark) = marks(en);
    match c {
        CommuneRef::New(n) => {
            let before: Vec<String> = super::predecessors(n.code)
                .iter()
                .map(|l| format!("{} {old_mark}", l.name))
                .collect();
            before.join(", ")
        }
        CommuneRef::Legacy(_) => String::new(),
    }
}

/// The text before the picker's era mark and succession arrow.
fn bare(text: &str) -> &str {
    let t = text.split('→').next().unwrap_or(text).trim();
    for mark in ["(mới)", "(cũ, trước 1/7/2025)", "(cũ)", "(new)", "(old)"] {
        if let Some(s) = t.strip_suffix(mark) {
            return s.trim();
        }
    }
    t
}

/// The new province `home` names (code or name), if any.
fn home_code(home: Option<&str>) -> Option<&'static str> {
    let h = fold(home?.trim());
    if h.is_empty() {
        return None;
    }
    super::new_provinces()
        .iter()
        .find(|p| p.code == h || fold(p.name).ends_with(&h))
        .map(|p| p.code)
}

/// The commune of `era` that `text` names: a code, a picker's label, a full
/// label, or a name (the home province's first). Empty text is `Unknown`.
pub fn commune_named(text: &str, era: Era, home: Option<&str>) -> Result<CommuneRef, PickError> {
    let t = bare(text);
    if t.is_empty() {
        return Err(PickError::Unknown);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return match era {
            Era::New => new_commune(t).map(CommuneRef::New),
            Era::Legacy => legacy_commune(t).map(CommuneRef::Legacy),
        }
        .ok_or(PickError::Unknown);
    }
    // The label a picker offered, or a full label typed out.
    let q = fold(t);
    let name_part = fold(t.split(',').next().unwrap_or(t).trim());
    if t.contains(',') {
        let found = match era {
            Era::New => super::new_communes()
                .iter()
                .find(|n| fold(n.name) == name_part && fold(&new_commune_label(n)) == q)
                .map(CommuneRef::New),
            Era::Legacy => super::legacy_communes()
                .iter()
                .find(|l| fold(l.name) == name_part && fold(&legacy_commune_label(l)) == q)
                .map(CommuneRef::Legacy),
        };
        if let Some(c) = found {
            return Ok(c);
        }
    }
    let hits: Vec<CommuneRef> = search_communes(t, home, 60)
        .into_iter()
        .map(|h| h.commune)
        .filter(|c| c.era() == era)
        .collect();
    // A name, with or without its kind ("Lộc Hà", "xã Lộc Hà").
    let exact: Vec<CommuneRef> = hits
        .iter()
        .copied()
        .filter(|c| {
            let name = fold(c.name());
            name == name_part || name.ends_with(&format!(" {name_part}"))
        })
        .collect();
    let home = home_code(home);
    let exact_home: Vec<CommuneRef> = exact
        .iter()
        .copied()
        .filter(|c| Some(c.new_province_code()) == home)
        .collect();
    match (exact_home.as_slice(), exact.as_slice(), hits.as_slice()) {
        ([one], _, _) | ([], [one], _) | ([], [], [one]) => Ok(*one),
        ([], [], []) => Err(PickError::Unknown),
        _ => Err(PickError::Ambiguous),
    }
}

/// The legacy district `text` names: its code, its name ("Thạch Hà",
/// "Huyện Thạch Hà"), or "Huyện Thạch Hà, Tỉnh Hà Tĩnh"; the home province's first.
pub fn legacy_district_named(
    text: &str,
    home: Option<&str>,
) -> Result<&'static LegacyDistrict, PickError> {
    let t = bare(text);
    if t.is_empty() {
        return Err(PickError::Unknown);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return legacy_district(t).ok_or(PickError::Unknown);
    }
    let (name, province) = match t.split_once(',') {
        Some((n, p)) => (fold(n.trim()), Some(fold(p.trim()))),
        None => (fold(t), None),
    };
    let found: Vec<&'static LegacyDistrict> = legacy_districts()
        .iter()
        .filter(|d| {
            let n = fold(d.name);
            n == name || n.ends_with(&format!(" {name}"))
        })
        .collect();
    let in_province = |d: &&&'static LegacyDistrict, p: &str| {
        legacy_province(d.province_code).is_some_and(|lp| {
            let folded = fold(lp.name);
            folded == p
                || folded.ends_with(&format!(" {p}"))
                || new_province(lp.new_province_code).is_some_and(|np| fold(np.name).ends_with(p))
        })
    };
    let wanted = province.or_else(|| home.map(fold));
    let near: Vec<&'static LegacyDistrict> = match &wanted {
        Some(p) if !p.is_empty() => found
            .iter()
            .filter(|d| in_province(d, p))
            .copied()
            .collect(),
        _ => Vec::new(),
    };
    match (near.as_slice(), found.as_slice()) {
        ([one], _) | ([], [one]) => Ok(one),
        ([], []) => Err(PickError::Unknown),
        _ => Err(PickError::Ambiguous),
    }
}

/// The label a district picker shows and reads back: "Huyện Thạch Hà, Tỉnh Hà Tĩnh".
pub fn district_choice(d: &LegacyDistrict) -> String {
    let province = legacy_province(d.province_code).map_or("", |p| p.name);
    format!("{}, {province}", d.name)
}

/// Legacy districts whose name holds the folded query, the home province's first.
pub fn search_legacy_districts(
    query: &str,
    home: Option<&str>,
    limit: usize,
) -> Vec<&'static LegacyDistrict> {
    let q = fold(bare(query).split(',').next().unwrap_or("").trim());
    if q.is_empty() {
        return Vec::new();
    }
    let home = home_code(home);
    let mut found: Vec<(bool, &'static LegacyDistrict)> = legacy_districts()
        .iter()
        .filter(|d| fold(d.short).contains(&q))
        .map(|d| {
            let away = legacy_province(d.province_code).map(|p| p.new_province_code) != home;
            (away, d)
        })
        .collect();
    found.sort_by_key(|(away, d)| (*away, d.name));
    found.into_iter().take(limit).map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commune_by_code_label_choice_or_name() {
        let n = super::super::new_communes_of("42")[0];
        let c = CommuneRef::New(n);
        assert_eq!(commune_named(n.code, Era::New, None), Ok(c));
        assert_eq!(
            commune_named(&commune_choice(c, false), Era::New, None),
            Ok(c)
        );
        assert_eq!(
            commune_named(&commune_choice(c, true), Era::New, None),
            Ok(c)
        );
        assert_eq!(commune_named(&new_commune_label(n), Era::New, None), Ok(c));
        // A new commune's code is not a legacy one's.
        assert_ne!(commune_named(n.code, Era::Legacy, None), Ok(c));
    }

    #[test]
    fn every_choice_reads_back_to_its_commune() {
        // Every commune of the home province, and every 25th of the country.
        let home_new = super::super::new_communes_of("42");
        let some_new = super::super::new_communes().iter().step_by(25);
        for n in home_new.into_iter().chain(some_new) {
            let c = CommuneRef::New(n);
            for en in [false, true] {
                let choice = commune_choice(c, en);
                assert_eq!(commune_named(&choice, Era::New, None), Ok(c), "{choice}");
            }
        }
        let home_old = super::super::legacy_communes_of_province("42");
        let some_old = super::super::legacy_communes().iter().step_by(25);
        for l in home_old.into_iter().chain(some_old) {
            let c = CommuneRef::Legacy(l);
            for en in [false, true] {
                let choice = commune_choice(c, en);
                assert_eq!(commune_named(&choice, Era::Legacy, None), Ok(c), "{choice}");
            }
        }
    }

    #[test]
    fn names_without_marks_in_the_home_province_first() {
        let c = commune_named("loc ha", Era::New, Some("Hà Tĩnh")).unwrap();
        assert_eq!(c.name(), "Xã Lộc Hà");
        assert_eq!(c.new_province_code(), "42");
        assert_eq!(
            commune_named("Xứ Sở Thần Tiên", Era::New, Some("Hà Tĩnh")),
            Err(PickError::Unknown)
        );
        assert_eq!(
            commune_named("99999", Era::New, None),
            Err(PickError::Unknown)
        );
    }

    #[test]
    fn a_legacy_commune_shows_where_it_went() {
        let c = commune_named("Thạch Kim", Era::Legacy, Some("Hà Tĩnh")).unwrap();
        let choice = commune_choice(c, false);
        assert!(choice.contains("(cũ) → Xã Lộc Hà"), "{choice}");
        assert!(commune_choice(c, true).contains("(old) → Xã Lộc Hà"));
        let n = commune_named("Lộc Hà", Era::New, Some("Hà Tĩnh")).unwrap();
        assert!(
            commune_history(n, false).contains("Xã Thạch Kim (cũ)"),
            "{}",
            commune_history(n, false)
        );
    }

    #[test]
    fn districts_by_name() {
        let d = legacy_district_named("Thạch Hà", Some("Hà Tĩnh")).unwrap();
        assert_eq!(d.name, "Huyện Thạch Hà");
        assert_eq!(legacy_district_named(&district_choice(d), None), Ok(d));
        assert_eq!(legacy_district_named(d.code, None), Ok(d));
        assert_eq!(
            legacy_district_named("Không Có", None),
            Err(PickError::Unknown)
        );
        assert!(!search_legacy_districts("thach ha", Some("Hà Tĩnh"), 5).is_empty());
    }
}

#[cfg(test)]
mod country_tests {
    use super::super::countries::{code_or_name, countries};

    /// The pickers and the edit form write a country by its name in the
    /// page's language; every name reads back to its own code.
    #[test]
    fn every_country_name_reads_back_to_its_code() {
        for c in countries() {
            assert_eq!(code_or_name(c.name_vi), Some(c.code), "{}", c.name_vi);
            assert_eq!(code_or_name(c.name_en), Some(c.code), "{}", c.name_en);
        }
    }
}
