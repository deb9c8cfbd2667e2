//! Geography reference data: Vietnam's administrative units before and after the
//! reform of 1 July 2025, the succession between the two, countries of the world, and
//! a resolver that turns a free-text hometown (*quê quán*) into unit codes.
//!
//! Two systems coexist in the registry's records:
//!
//! * **legacy** (*cũ*): 63 provinces → 696 districts → 10,035 communes, valid until
//!   30 June 2025 (the status of that day, after the 2023–2025 commune mergers);
//! * **new** (*mới*): 34 provinces → 3,321 communes, from 1 July 2025 (no districts).
//!
//! Legacy and new commune codes are both five digits and **overlap with different
//! meanings**, so they are separate types ([`LegacyCommune`], [`NewCommune`]) with
//! separate lookups. Every legacy commune has one or more [`successors`] (one marked
//! default when it was divided); every new commune has its [`predecessors`].
//!
//! All data is embedded in the binary and parsed once on first use; nothing here does
//! I/O. Sources, licences and counts: `docs/DATA_SOURCES.md`.

pub mod countries;
mod data;
mod index;
pub mod pick;
mod resolve;
mod search;
mod units;

pub use countries::{countries, country, country_by_name, search_countries};
pub use resolve::{
    HometownResolution, MAX_ALTERNATIVES, Outcome, Place, UnresolvedReason, resolve_hometown,
};
pub use search::{CommuneHit, CommuneRef, commune_label, search_communes};
pub use units::{
    Country, Era, LegacyCommune, LegacyDistrict, LegacyProvince, Level, NewCommune, NewProvince,
    Successor, UnitKind,
};

use data::{by_code, data};

/// All legacy provinces (63), sorted by code.
pub fn legacy_provinces() -> &'static [LegacyProvince] {
    &data().legacy_provinces
}

/// All legacy districts, sorted by code.
pub fn legacy_districts() -> &'static [LegacyDistrict] {
    &data().legacy_districts
}

/// All legacy communes, sorted by code.
pub fn legacy_communes() -> &'static [LegacyCommune] {
    &data().legacy_communes
}

/// All new provinces (34), sorted by code.
pub fn new_provinces() -> &'static [NewProvince] {
    &data().new_provinces
}

/// All new communes, sorted by code.
pub fn new_communes() -> &'static [NewCommune] {
    &data().new_communes
}

/// Legacy province by its two-digit code.
pub fn legacy_province(code: &str) -> Option<&'static LegacyProvince> {
    by_code(&data().legacy_provinces, code, |p| p.code)
}

/// Legacy district by its three-digit code.
pub fn legacy_district(code: &str) -> Option<&'static LegacyDistrict> {
    by_code(&data().legacy_districts, code, |d| d.code)
}

/// Legacy commune by its five-digit code (legacy code space).
pub fn legacy_commune(code: &str) -> Option<&'static LegacyCommune> {
    by_code(&data().legacy_communes, code, |c| c.code)
}

/// New province by its two-digit code.
pub fn new_province(code: &str) -> Option<&'static NewProvince> {
    by_code(&data().new_provinces, code, |p| p.code)
}

/// New commune by its five-digit code (new code space).
pub fn new_commune(code: &str) -> Option<&'static NewCommune> {
    by_code(&data().new_communes, code, |c| c.code)
}

/// Districts of a legacy province, by code.
pub fn legacy_districts_of(province_code: &str) -> Vec<&'static LegacyDistrict> {
    let d = data();
    d.districts_by_province
        .get(province_code)
        .map(|v| v.iter().map(|&i| &d.legacy_districts[i as usize]).collect())
        .unwrap_or_default()
}

/// Communes of a legacy district, by code (empty for the island districts without communes).
pub fn legacy_communes_of_district(district_code: &str) -> Vec<&'static LegacyCommune> {
    let d = data();
    d.communes_by_district
        .get(district_code)
        .map(|v| v.iter().map(|&i| &d.legacy_communes[i as usize]).collect())
        .unwrap_or_default()
}

/// Communes of a legacy province, by code.
pub fn legacy_communes_of_province(province_code: &str) -> Vec<&'static LegacyCommune> {
    let d = data();
    d.communes_by_legacy_province
        .get(province_code)
        .map(|v| v.iter().map(|&i| &d.legacy_communes[i as usize]).collect())
        .unwrap_or_default()
}

/// Communes of a new province, by code.
pub fn new_communes_of(province_code: &str) -> Vec<&'static NewCommune> {
    let d = data();
    d.communes_by_new_province
        .get(province_code)
        .map(|v| v.iter().map(|&i| &d.new_communes[i as usize]).collect())
        .unwrap_or_default()
}

/// New communes a legacy commune became (several when it was divided, one of them
/// default). Empty for an unknown code.
pub fn successors(legacy_commune_code: &str) -> &'static [Successor] {
    data()
        .commune_successors
        .get(legacy_commune_code)
        .map_or(&[], Vec::as_slice)
}

/// The new commune to use for a legacy commune when nothing else is known.
pub fn default_successor(legacy_commune_code: &str) -> Option<&'static NewCommune> {
    successors(legacy_commune_code)
        .iter()
        .find(|s| s.is_default)
        .and_then(|s| new_commune(s.new_code))
}

/// New communes that continue a legacy district without communes (the five island
/// districts became special zones, *đặc khu*). Empty for other districts.
pub fn district_successors(legacy_district_code: &str) -> &'static [Successor] {
    data()
        .district_successors
        .get(legacy_district_code)
        .map_or(&[], Vec::as_slice)
}

/// Legacy communes merged (in whole or in part) into a new commune.
pub fn predecessors(new_commune_code: &str) -> Vec<&'static LegacyCommune> {
    let d = data();
    d.predecessors
        .get(new_commune_code)
        .map(|v| v.iter().map(|&i| &d.legacy_communes[i as usize]).collect())
        .unwrap_or_default()
}

/// Legacy districts without communes that a new special zone continues.
pub fn district_predecessors(new_commune_code: &str) -> Vec<&'static LegacyDistrict> {
    let d = data();
    d.district_predecessors
        .get(new_commune_code)
        .map(|v| v.iter().map(|&i| &d.legacy_districts[i as usize]).collect())
        .unwrap_or_default()
}

/// New province a legacy province became part of.
pub fn new_province_of_legacy(legacy_province_code: &str) -> Option<&'static NewProvince> {
    legacy_province(legacy_province_code).and_then(|p| new_province(p.new_province_code))
}

/// Legacy provinces merged into a new province.
pub fn legacy_provinces_of_new(new_province_code: &str) -> Vec<&'static LegacyProvince> {
    data()
        .legacy_provinces
        .iter()
        .filter(|p| p.new_province_code == new_province_code)
        .collect()
}

/// Full label of a legacy commune: "Xã Thạch Long, Huyện Thạch Hà, Tỉnh Hà Tĩnh".
pub fn legacy_commune_label(c: &LegacyCommune) -> String {
    let district = legacy_district(c.district_code).map_or("", |d| d.name);
    let province = legacy_province(c.province_code).map_or("", |p| p.name);
    format!("{}, {district}, {province}", c.name)
}

/// Full label of a new commune: "Xã Thạch Hà, Tỉnh Hà Tĩnh".
pub fn new_commune_label(c: &NewCommune) -> String {
    let province = new_province(c.province_code).map_or("", |p| p.name);
    format!("{}, {province}", c.name)
}

#[cfg(test)]
mod tests;
