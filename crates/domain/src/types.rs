//! Coded values of the registry, with their stable English codes (used in the
//! database and the JSON API) and their Vietnamese and English labels (UI).

use serde::{Deserialize, Serialize};

/// Error for a code that is not one of an enumeration's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} code: {code}")]
pub struct UnknownCode {
    pub kind: &'static str,
    pub code: String,
}

macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $code:literal, $vi:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// Stable code used in storage and the API.
            pub const fn code(self) -> &'static str {
                match self { $( $name::$variant => $code, )+ }
            }

            /// Vietnamese label.
            pub const fn label_vi(self) -> &'static str {
                match self { $( $name::$variant => $vi, )+ }
            }

            /// English label.
            pub const fn label_en(self) -> &'static str {
                match self { $( $name::$variant => $en, )+ }
            }

            /// Label in the given language (`"en"` or anything else for Vietnamese).
            pub fn label(self, lang: &str) -> &'static str {
                if lang == "en" { self.label_en() } else { self.label_vi() }
            }

            /// Parses a stable code.
            pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $( $code => Ok($name::$variant), )+
                    _ => Err(UnknownCode { kind: $kind, code: code.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::from_code(s) }
        }
    };
}

coded_enum! {
    /// Category used in official statistics (An Giang plan, seed 003; survey plan, seed 001).
    Category, "category" {
        /// *Việt kiều*: settled abroad, no longer of Vietnamese nationality.
        ForeignNational => "foreign_national", "Việt kiều (quốc tịch nước ngoài)", "Foreign national of Vietnamese origin";
        /// *di cư*
        Migrant => "migrant", "Di cư", "Migrant";
        /// *kết hôn có yếu tố nước ngoài*
        ForeignMarriage => "foreign_marriage", "Kết hôn có yếu tố nước ngoài", "Marriage with a foreign element";
        /// *lao động*
        ContractLabour => "contract_labour", "Lao động ở nước ngoài", "Contract labour abroad";
        /// *du học*
        StudyAbroad => "study_abroad", "Du học", "Study abroad";
        Other => "other", "Khác", "Other";
    }
}

coded_enum! {
    /// Generation abroad (*thế hệ*), up to the 4th and later (seed 000).
    Generation, "generation" {
        First => "1", "Thế hệ thứ nhất", "First generation";
        Second => "2", "Thế hệ thứ hai", "Second generation";
        Third => "3", "Thế hệ thứ ba", "Third generation";
        FourthOrLater => "4", "Thế hệ thứ tư trở đi", "Fourth generation or later";
    }
}

coded_enum! {
    /// Gender as recorded.
    Gender, "gender" {
        Male => "male", "Nam", "Male";
        Female => "female", "Nữ", "Female";
        Other => "other", "Khác", "Other";
        Unknown => "unknown", "Chưa rõ", "Unknown";
    }
}

coded_enum! {
    /// Life status of a person abroad.
    PersonStatus, "status" {
        Active => "active", "Đang ở nước ngoài", "Abroad";
        Returned => "returned", "Đã về nước", "Returned";
        Deceased => "deceased", "Đã mất", "Deceased";
        LostContact => "lost_contact", "Mất liên lạc", "Lost contact";
    }
}

coded_enum! {
    /// Consent of the data subject (Law 91/2025/QH15 on personal data protection, art. 9).
    ConsentStatus, "consent" {
        Unknown => "unknown", "Chưa hỏi", "Not asked";
        Given => "given", "Đã đồng ý", "Given";
        Refused => "refused", "Từ chối", "Refused";
        Withdrawn => "withdrawn", "Đã rút lại", "Withdrawn";
    }
}

coded_enum! {
    /// Verification by the police and the Fatherland Front (survey plan, seed 001).
    VerificationStatus, "verification" {
        Unverified => "unverified", "Chưa xác minh", "Unverified";
        Police => "police", "Công an đã xác minh", "Confirmed by police";
        FatherlandFront => "fatherland_front", "MTTQ đã xác minh", "Confirmed by the Fatherland Front";
        Both => "both", "Cả hai đã xác minh", "Confirmed by both";
        Disputed => "disputed", "Có chênh lệch", "Disputed";
    }
}

coded_enum! {
    /// Notable tags (*người tiêu biểu*; seeds 000, 003, 004).
    NotableTag, "tag" {
        Businessperson => "businessperson", "Doanh nhân", "Businessperson";
        Intellectual => "intellectual", "Trí thức", "Intellectual";
        Expert => "expert", "Chuyên gia, nhà khoa học", "Expert or scientist";
        PublicFigure => "public_figure", "Văn nghệ sĩ, người nổi tiếng", "Artist or public figure";
        AssociationLeader => "association_leader", "Lãnh đạo hội đoàn", "Association leader";
    }
}

coded_enum! {
    /// Relationship of a relative at home to the person abroad (survey plan, seed 001).
    Relationship, "relationship" {
        Grandparent => "grandparent", "Ông/bà", "Grandparent";
        Parent => "parent", "Cha/mẹ", "Parent";
        Spouse => "spouse", "Vợ/chồng", "Spouse";
        Child => "child", "Con", "Child";
        Sibling => "sibling", "Anh/chị/em ruột", "Sibling";
        NephewNiece => "nephew_niece", "Cháu", "Nephew or niece";
        UncleAunt => "uncle_aunt", "Chú/bác/cô/dì/cậu", "Uncle or aunt";
        InLaw => "in_law", "Họ hàng bên vợ/chồng", "In-law";
        Other => "other", "Khác", "Other";
    }
}

coded_enum! {
    /// Source agencies whose lists arrive in agreed templates (seed 001).
    Agency, "agency" {
        Police => "police", "Công an tỉnh", "Provincial police";
        FatherlandFront => "fatherland_front", "Ủy ban MTTQ", "Fatherland Front";
        Justice => "justice", "Sở Tư pháp", "Department of Justice";
        Labour => "labour", "Sở LĐ-TB&XH", "Department of Labour";
        HomeAffairs => "home_affairs", "Sở Nội vụ", "Department of Home Affairs";
        PlanningInvestment => "planning_investment", "Sở KH&ĐT", "Department of Planning and Investment";
        Education => "education", "Sở GD&ĐT", "Department of Education";
        Statistics => "statistics", "Cục Thống kê", "Statistics Office";
        Mission => "mission", "Cơ quan đại diện ở nước ngoài", "Mission abroad";
        Association => "association", "Hội đồng hương", "Hometown association";
        Survey => "survey", "Phiếu điều tra hộ gia đình", "Household survey form";
        ForeignAffairs => "foreign_affairs", "Sở Ngoại vụ", "Department of Foreign Affairs";
        /// A commune's own list (*UBND xã/phường*), sent by its officer.
        Commune => "commune", "UBND xã/phường", "Commune People's Committee";
        /// What the person wrote of themselves on the portal (issue 23 §2–§3).
        SelfDeclared => "self_declared", "Người dân tự khai", "Self-declared";
        /// A file received from another system: the national database or
        /// another province (issue 25 §2); the list name says which.
        Exchange => "exchange", "Tệp trao đổi từ hệ thống khác", "Exchange file from another system";
    }
}

coded_enum! {
    /// Roles of accounts (accounts issue).
    Role, "role" {
        Admin => "admin", "Quản trị hệ thống", "Administrator";
        ProvinceOfficer => "province_officer", "Cán bộ Sở Ngoại vụ", "Province officer";
        CommuneOfficer => "commune_officer", "Cán bộ xã/phường", "Commune officer";
        Agency => "agency", "Cơ quan cung cấp dữ liệu", "Agency contributor";
        Mission => "mission", "Cơ quan đại diện", "Mission contributor";
        Association => "association", "Hội đồng hương", "Association contributor";
        Viewer => "viewer", "Lãnh đạo (chỉ xem thống kê)", "Leadership viewer";
        Diaspora => "diaspora", "Kiều bào", "Overseas Vietnamese";
        /// Writes and edits published content (issue 24); sees no personal data.
        Editor => "editor", "Biên tập viên", "Editor";
        /// Reviews, schedules and publishes content (issue 24); sees no personal data.
        Publisher => "publisher", "Người duyệt đăng", "Publisher";
    }
}

coded_enum! {
    /// Kinds of published content (issue 24).
    ContentKind, "content_kind" {
        News => "news", "Tin tức", "News";
        Policy => "policy", "Chính sách", "Policy";
        Procedure => "procedure", "Hướng dẫn thủ tục", "Procedure guide";
        LegalDocument => "legal_document", "Văn bản pháp luật", "Legal document";
        Faq => "faq", "Hỏi đáp", "Question and answer";
    }
}

coded_enum! {
    /// Editorial states of content: draft → in review → scheduled → published → archived.
    ContentState, "content_state" {
        Draft => "draft", "Bản nháp", "Draft";
        InReview => "in_review", "Chờ duyệt", "In review";
        Scheduled => "scheduled", "Đã hẹn giờ đăng", "Scheduled";
        Published => "published", "Đã đăng", "Published";
        Archived => "archived", "Đã lưu trữ", "Archived";
    }
}

coded_enum! {
    /// Sections of news and policies.
    ContentCategory, "content_category" {
        Province => "province", "Tin tỉnh nhà", "Province news";
        Economy => "economy", "Kinh tế - xã hội", "Economy and society";
        Community => "community", "Cộng đồng kiều bào", "Overseas community";
        Visits => "visits", "Thăm hỏi, làm việc", "Visits";
        Policy => "policy", "Chủ trương, chính sách", "Policies";
        Culture => "culture", "Văn hóa - du lịch", "Culture and tourism";
        Notice => "notice", "Thông báo", "Notices";
    }
}

coded_enum! {
    /// Types of legal documents.
    DocType, "doc_type" {
        Law => "law", "Luật", "Law";
        Decree => "decree", "Nghị định", "Decree";
        Decision => "decision", "Quyết định", "Decision";
        Circular => "circular", "Thông tư", "Circular";
        Directive => "directive", "Chỉ thị", "Directive";
        Resolution => "resolution", "Nghị quyết, kết luận", "Resolution or conclusion";
        ProvincialResolution => "provincial_resolution", "Nghị quyết HĐND tỉnh", "Provincial resolution";
        HostCountryRule => "host_country_rule", "Quy định của nước sở tại", "Host-country rule";
    }
}

coded_enum! {
    /// Bodies that issue legal documents.
    IssuingBody, "issuing_body" {
        NationalAssembly => "national_assembly", "Quốc hội", "National Assembly";
        NaStandingCommittee => "na_standing_committee", "Ủy ban Thường vụ Quốc hội", "Standing Committee of the National Assembly";
        Politburo => "politburo", "Bộ Chính trị", "Politburo";
        Government => "government", "Chính phủ", "Government";
        PrimeMinister => "prime_minister", "Thủ tướng Chính phủ", "Prime Minister";
        Ministry => "ministry", "Bộ, cơ quan ngang bộ", "Ministry";
        ProvincialCouncil => "provincial_council", "Hội đồng nhân dân tỉnh", "Provincial People's Council";
        ProvincialCommittee => "provincial_committee", "Ủy ban nhân dân tỉnh", "Provincial People's Committee";
        ForeignAuthority => "foreign_authority", "Cơ quan của nước sở tại", "Host-country authority";
    }
}

coded_enum! {
    /// Whether a legal document is in force (replaced by and amended by are links).
    LegalStatus, "legal_status" {
        InForce => "in_force", "Còn hiệu lực", "In force";
        NotYetInForce => "not_yet_in_force", "Chưa có hiệu lực", "Not yet in force";
        PartlyExpired => "partly_expired", "Hết hiệu lực một phần", "Partly expired";
        Expired => "expired", "Hết hiệu lực", "Expired";
    }
}

coded_enum! {
    /// Fields (*lĩnh vực*) of legal documents and procedure guides.
    LegalField, "legal_field" {
        OverseasAffairs => "overseas_affairs", "Công tác người Việt Nam ở nước ngoài", "Overseas Vietnamese affairs";
        Nationality => "nationality", "Quốc tịch", "Nationality";
        EntryExit => "entry_exit", "Xuất cảnh, nhập cảnh", "Entry and exit";
        Residence => "residence", "Cư trú, hộ tịch", "Residence and civil status";
        Property => "property", "Nhà ở, đất đai", "Housing and land";
        Investment => "investment", "Đầu tư, kinh doanh", "Investment and business";
        PersonalData => "personal_data", "Bảo vệ dữ liệu cá nhân", "Personal data protection";
        Marriage => "marriage", "Hôn nhân, gia đình", "Marriage and family";
        Labour => "labour", "Lao động ở nước ngoài", "Working abroad";
        CitizenProtection => "citizen_protection", "Bảo hộ công dân", "Citizen protection";
        Other => "other", "Lĩnh vực khác", "Other fields";
    }
}

coded_enum! {
    /// Where a legal document applies.
    LegalScope, "legal_scope" {
        Vietnam => "vietnam", "Toàn quốc", "Vietnam";
        Province => "province", "Trong tỉnh", "The province";
        HostCountry => "host_country", "Nước sở tại", "A host country";
    }
}

/// The label of a coded value named by its kind (`"relationship"`,
/// `"agency"`...), in `lang` (`"en"`, or Vietnamese otherwise): the one
/// place pages, documents and e-mails turn a stored code into words.
/// `None` for an unknown kind or code.
pub fn label_of(kind: &str, code: &str, lang: &str) -> Option<&'static str> {
    fn get<T: Copy>(
        r: Result<T, UnknownCode>,
        label: impl Fn(T) -> &'static str,
    ) -> Option<&'static str> {
        r.ok().map(label)
    }
    match kind {
        "category" => get(Category::from_code(code), |v| v.label(lang)),
        "generation" => get(Generation::from_code(code), |v| v.label(lang)),
        "gender" => get(Gender::from_code(code), |v| v.label(lang)),
        "status" => get(PersonStatus::from_code(code), |v| v.label(lang)),
        "consent" => get(ConsentStatus::from_code(code), |v| v.label(lang)),
        "verification" => get(VerificationStatus::from_code(code), |v| v.label(lang)),
        "tag" => get(NotableTag::from_code(code), |v| v.label(lang)),
        "relationship" => get(Relationship::from_code(code), |v| v.label(lang)),
        "agency" => get(Agency::from_code(code), |v| v.label(lang)),
        "role" => get(Role::from_code(code), |v| v.label(lang)),
        "content_kind" => get(ContentKind::from_code(code), |v| v.label(lang)),
        "content_state" => get(ContentState::from_code(code), |v| v.label(lang)),
        "content_category" => get(ContentCategory::from_code(code), |v| v.label(lang)),
        "doc_type" => get(DocType::from_code(code), |v| v.label(lang)),
        "issuing_body" => get(IssuingBody::from_code(code), |v| v.label(lang)),
        "legal_status" => get(LegalStatus::from_code(code), |v| v.label(lang)),
        "legal_field" => get(LegalField::from_code(code), |v| v.label(lang)),
        "legal_scope" => get(LegalScope::from_code(code), |v| v.label(lang)),
        _ => None,
    }
}

/// A birth date that may be partial: year only, month and year, or full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

/// Why a date string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("date format not recognised")]
    Format,
    #[error("no such day in that month")]
    Impossible,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `DD/MM/YYYY`, `MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY`.
    pub fn parse(input: &str) -> Result<Self, DateError> {
        let s = input.trim();
        let nums: Vec<&str> = s.split(['-', '/', '.']).map(str::trim).collect();
        let num = |t: &str| -> Result<u32, DateError> {
            if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Format);
            }
            t.parse::<u32>().map_err(|_| DateError::Format)
        };
        let (y, m, d) = match nums.as_slice() {
            [y] if y.len() == 4 => (num(y)?, None, None),
            [y, m] if y.len() == 4 => (num(y)?, Some(num(m)?), None),
            [m, y] if y.len() == 4 => (num(y)?, Some(num(m)?), None),
            [y, m, d] if y.len() == 4 => (num(y)?, Some(num(m)?), Some(num(d)?)),
            [d, m, y] if y.len() == 4 => (num(y)?, Some(num(m)?), Some(num(d)?)),
            _ => return Err(DateError::Format),
        };
        Self::new(y, m, d)
    }

    /// Builds a date, checking month and day ranges (leap years included).
    pub fn new(year: u32, month: Option<u32>, day: Option<u32>) -> Result<Self, DateError> {
        if !(1000..=9999).contains(&year) {
            return Err(DateError::Format);
        }
        if day.is_some() && month.is_none() {
            return Err(DateError::Format);
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(DateError::Impossible);
            }
            if let Some(d) = day
                && (d == 0 || d > days_in_month(year, m))
            {
                return Err(DateError::Impossible);
            }
        }
        Ok(Self {
            year: year as u16,
            month: month.map(|m| m as u8),
            day: day.map(|d| d as u8),
        })
    }

    /// ISO form: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; sorts correctly as text.
    pub fn to_iso(self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

impl PartialDate {
    /// As a person reads it in Vietnam: `dd/mm/yyyy`, `mm/yyyy` or `yyyy`.
    pub fn to_vn(self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d:02}/{m:02}/{:04}", self.year),
            (Some(m), None) => format!("{m:02}/{:04}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_iso())
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_day_first() {
        let d = |s: &str| PartialDate::parse(s).unwrap().to_vn();
        assert_eq!(d("1975-04-30"), "30/04/1975");
        assert_eq!(d("1990-05"), "05/1990");
        assert_eq!(d("2015"), "2015");
    }

    #[test]
    fn every_code_of_every_kind_has_a_label_in_both_languages() {
        assert_eq!(
            label_of("relationship", "uncle_aunt", "vi"),
            Some("Chú/bác/cô/dì/cậu")
        );
        assert_eq!(
            label_of("agency", "police", "en"),
            Some("Provincial police")
        );
        assert_eq!(
            label_of("verification", "both", "vi"),
            Some("Cả hai đã xác minh")
        );
        assert_eq!(label_of("gender", "nope", "vi"), None);
        assert_eq!(label_of("nope", "male", "vi"), None);
        for c in Agency::ALL {
            assert_eq!(label_of("agency", c.code(), "en"), Some(c.label_en()));
        }
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Ok(*c));
        }
        for r in Role::ALL {
            assert_eq!(r.code().parse::<Role>(), Ok(*r));
        }
        assert!(Category::from_code("vk").is_err());
    }

    #[test]
    fn partial_dates_parse_in_common_forms() {
        assert_eq!(PartialDate::parse("1975").unwrap().to_iso(), "1975");
        assert_eq!(PartialDate::parse("04/1975").unwrap().to_iso(), "1975-04");
        assert_eq!(
            PartialDate::parse("30/04/1975").unwrap().to_iso(),
            "1975-04-30"
        );
        assert_eq!(
            PartialDate::parse("1975-04-30").unwrap().to_iso(),
            "1975-04-30"
        );
        assert_eq!(
            PartialDate::parse("29/02/2000").unwrap().to_iso(),
            "2000-02-29"
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(PartialDate::parse("31/02/1990"), Err(DateError::Impossible));
        assert_eq!(PartialDate::parse("29/02/1900"), Err(DateError::Impossible));
        assert_eq!(PartialDate::parse("13/13/1990"), Err(DateError::Impossible));
        assert_eq!(PartialDate::parse("abc"), Err(DateError::Format));
        assert_eq!(PartialDate::parse(""), Err(DateError::Format));
    }
}
