//! Types of the reference data: administrative units before and after 1 July 2025,
//! their succession, and countries.

use serde::Serialize;

/// Depth reached in the administrative hierarchy, from the country down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing recognised.
    None,
    /// Province or centrally governed city (*tỉnh / thành phố trực thuộc trung ương*).
    Province,
    /// District level (*huyện / quận / thị xã / thành phố thuộc tỉnh*), abolished on 1 July 2025.
    District,
    /// Commune level (*xã / phường / thị trấn / đặc khu*).
    Commune,
}

/// Whether a unit belongs to the legacy system (63 provinces, three levels, until
/// 30 June 2025) or to the new one (34 provinces, two levels, from 1 July 2025).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// Before 1 July 2025 (*cũ*).
    Legacy,
    /// From 1 July 2025 (*mới*).
    New,
}

/// Kind of an administrative unit; the Vietnamese word is the prefix of its full name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// *Tỉnh*.
    Province,
    /// *Thành phố* directly under the central government.
    Municipality,
    /// *Huyện*.
    RuralDistrict,
    /// *Quận*.
    UrbanDistrict,
    /// *Thị xã*.
    DistrictTown,
    /// *Thành phố* under a province.
    ProvincialCity,
    /// *Xã*.
    Commune,
    /// *Phường*.
    Ward,
    /// *Thị trấn*.
    Township,
    /// *Đặc khu* (island special zone, from 2025).
    SpecialZone,
}

impl UnitKind {
    /// Stable code, as in the data files.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Municipality => "municipality",
            Self::RuralDistrict => "rural_district",
            Self::UrbanDistrict => "urban_district",
            Self::DistrictTown => "district_town",
            Self::ProvincialCity => "provincial_city",
            Self::Commune => "commune",
            Self::Ward => "ward",
            Self::Township => "township",
            Self::SpecialZone => "special_zone",
        }
    }

    /// Parses a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "province" => Self::Province,
            "municipality" => Self::Municipality,
            "rural_district" => Self::RuralDistrict,
            "urban_district" => Self::UrbanDistrict,
            "district_town" => Self::DistrictTown,
            "provincial_city" => Self::ProvincialCity,
            "commune" => Self::Commune,
            "ward" => Self::Ward,
            "township" => Self::Township,
            "special_zone" => Self::SpecialZone,
            _ => return None,
        })
    }

    /// Vietnamese word that starts the full name ("Xã", "Thị trấn", …).
    pub const fn prefix_vi(self) -> &'static str {
        match self {
            Self::Province => "Tỉnh",
            Self::Municipality | Self::ProvincialCity => "Thành phố",
            Self::RuralDistrict => "Huyện",
            Self::UrbanDistrict => "Quận",
            Self::DistrictTown => "Thị xã",
            Self::Commune => "Xã",
            Self::Ward => "Phường",
            Self::Township => "Thị trấn",
            Self::SpecialZone => "Đặc khu",
        }
    }

    /// English label.
    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Municipality => "municipality",
            Self::RuralDistrict => "rural district",
            Self::UrbanDistrict => "urban district",
            Self::DistrictTown => "district-level town",
            Self::ProvincialCity => "provincial city",
            Self::Commune => "commune",
            Self::Ward => "ward",
            Self::Township => "township",
            Self::SpecialZone => "special zone",
        }
    }

    /// Level of the hierarchy this kind belongs to.
    pub const fn level(self) -> Level {
        match self {
            Self::Province | Self::Municipality => Level::Province,
            Self::RuralDistrict
            | Self::UrbanDistrict
            | Self::DistrictTown
            | Self::ProvincialCity => Level::District,
            Self::Commune | Self::Ward | Self::Township | Self::SpecialZone => Level::Commune,
        }
    }
}

/// Province of the legacy system (63 provinces, until 30 June 2025).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegacyProvince {
    /// Two-digit code ("42").
    pub code: &'static str,
    /// Full name ("Tỉnh Hà Tĩnh").
    pub name: &'static str,
    /// Name without the kind ("Hà Tĩnh").
    pub short: &'static str,
    pub kind: UnitKind,
    /// Folded short name without spaces ("hatinh"), see [`crate::text::fold_key`].
    pub key: String,
    pub lat: f64,
    pub lon: f64,
    /// Code of the new province it is part of since 1 July 2025.
    pub new_province_code: &'static str,
    /// Other folded keys it is known by (abbreviations, former names).
    pub aliases: Vec<&'static str>,
}

/// District of the legacy system (abolished on 1 July 2025).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegacyDistrict {
    /// Three-digit code ("436").
    pub code: &'static str,
    pub province_code: &'static str,
    /// Full name ("Huyện Thạch Hà").
    pub name: &'static str,
    /// Name without the kind ("Thạch Hà").
    pub short: &'static str,
    pub kind: UnitKind,
    /// Folded short name without spaces.
    pub key: String,
    pub lat: f64,
    pub lon: f64,
    /// False for the five island districts that had no communes (Bạch Long Vĩ, Cồn Cỏ,
    /// Hoàng Sa, Lý Sơn, Côn Đảo); each became a special zone (*đặc khu*), see
    /// [`super::district_successors`].
    pub has_communes: bool,
    /// Other folded keys it is known by (former names of merged districts).
    pub aliases: Vec<&'static str>,
}

/// Commune, ward or township of the legacy system.
///
/// Its five-digit code space overlaps with [`NewCommune`] codes with other meanings:
/// never look one up as the other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegacyCommune {
    /// Five-digit code ("18232").
    pub code: &'static str,
    pub district_code: &'static str,
    pub province_code: &'static str,
    /// Full name ("Xã Thạch Long").
    pub name: &'static str,
    /// Name without the kind ("Thạch Long").
    pub short: &'static str,
    pub kind: UnitKind,
    /// Folded short name without spaces.
    pub key: String,
    pub lat: f64,
    pub lon: f64,
    /// Other folded keys it is known by (communes merged into it before 2025).
    pub aliases: Vec<&'static str>,
}

/// Province of the new system (34 provinces, from 1 July 2025).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewProvince {
    /// Two-digit code; always the code of one of the legacy provinces merged into it.
    pub code: &'static str,
    pub name: &'static str,
    pub short: &'static str,
    pub kind: UnitKind,
    /// Folded short name without spaces.
    pub key: String,
    pub lat: f64,
    pub lon: f64,
    pub aliases: Vec<&'static str>,
}

/// Commune, ward or special zone of the new system (from 1 July 2025).
///
/// Its five-digit code space overlaps with [`LegacyCommune`] codes with other meanings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewCommune {
    /// Five-digit code ("00004" = Phường Ba Đình, whereas legacy "00004" = Phường Trúc Bạch).
    pub code: &'static str,
    pub province_code: &'static str,
    pub name: &'static str,
    pub short: &'static str,
    pub kind: UnitKind,
    /// Folded short name without spaces.
    pub key: String,
    pub lat: f64,
    pub lon: f64,
    /// Area in square kilometres, when known.
    pub area_km2: Option<f64>,
    pub aliases: Vec<&'static str>,
}

/// One new commune that (part of) a legacy commune became on 1 July 2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Successor {
    /// Code of the [`NewCommune`].
    pub new_code: &'static str,
    /// For a legacy commune divided between several new communes, the one to use when
    /// nothing else is known (the source's `isDefaultNewWard`); true when not divided.
    pub is_default: bool,
}

/// Country or territory of ISO 3166-1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Country {
    /// Alpha-2 code ("KR").
    pub code: &'static str,
    /// Alpha-3 code ("KOR").
    pub code3: &'static str,
    /// Numeric code ("410").
    pub numeric: &'static str,
    /// Vietnamese name ("Hàn Quốc").
    pub name_vi: &'static str,
    /// English name ("South Korea").
    pub name_en: &'static str,
    /// True for dependent or special territories (Hong Kong, Macao, Taiwan, Guam, …).
    pub is_territory: bool,
    /// Other names, Vietnamese and English.
    pub aliases: Vec<&'static str>,
}
