//! Each department's own fields (issue 19): the columns its list template
//! carries besides the registry's core ones, and how a cell of each is read.
//!
//! The agreed templates of the Hậu Giang plan (seed 001): marriages with
//! foreigners (justice), contract labour (labour), officials trained abroad
//! (home affairs), Việt kiều enterprises and investment projects (planning
//! and investment), self-funded students (education), passports and citizen
//! protection cases (missions). A value is stored with the person's source
//! row of the import it came from, typed: text as written, dates as partial
//! ISO dates, years and numbers as numbers, countries as ISO codes, choices
//! as codes.

use crate::Agency;
use crate::PartialDate;
use crate::text::fold;

/// A value a choice field may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    /// Folded words met in agencies' files (a cell containing one matches).
    pub synonyms: &'static [&'static str],
}

impl Choice {
    /// Label in the given language (`"en"` or anything else for Vietnamese).
    pub fn label(&self, lang: &str) -> &'static str {
        if lang == "en" {
            self.label_en
        } else {
            self.label_vi
        }
    }
}

/// How a field's cells are read and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text as written.
    Text,
    /// A date: year, month/year or full.
    Date,
    /// A year.
    Year,
    /// A number, integer or decimal, not negative.
    Number,
    /// A country, stored as its ISO code.
    Country,
    /// One of a list, stored as its code.
    Choice(&'static [Choice]),
}

impl Kind {
    /// Stable code (API, filters).
    pub const fn code(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Date => "date",
            Kind::Year => "year",
            Kind::Number => "number",
            Kind::Country => "country",
            Kind::Choice(_) => "choice",
        }
    }
}

/// A department's own field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceField {
    /// The department whose template carries it.
    pub agency: Agency,
    /// Stable key (unique across departments; mapping, API, filters).
    pub key: &'static str,
    /// Template header (Vietnamese) and its English note.
    pub header_vi: &'static str,
    pub header_en: &'static str,
    /// Folded header variants met in agencies' files.
    pub synonyms: &'static [&'static str],
    pub kind: Kind,
}

/// Sources of study funding (*kinh phí đào tạo*).
pub const FUNDING: &[Choice] = &[
    Choice {
        code: "state_budget",
        label_vi: "Ngân sách nhà nước",
        label_en: "State budget",
        synonyms: &["ngan sach", "nsnn", "nha nuoc", "de an"],
    },
    Choice {
        code: "scholarship",
        label_vi: "Học bổng",
        label_en: "Scholarship",
        synonyms: &["hoc bong", "hiep dinh", "scholarship"],
    },
    Choice {
        code: "self_funded",
        label_vi: "Tự túc",
        label_en: "Self-funded",
        synonyms: &["tu tuc", "tu tuc kinh phi", "gia dinh", "ca nhan", "self"],
    },
    Choice {
        code: "other",
        label_vi: "Khác",
        label_en: "Other",
        synonyms: &["khac", "other"],
    },
];

/// Sectors of an enterprise or a project (*ngành, lĩnh vực*).
pub const SECTORS: &[Choice] = &[
    Choice {
        code: "agriculture",
        label_vi: "Nông, lâm nghiệp, thủy sản",
        label_en: "Agriculture, forestry, fisheries",
        synonyms: &[
            "nong nghiep",
            "lam nghiep",
            "thuy san",
            "nong lam",
            "agriculture",
        ],
    },
    Choice {
        code: "industry",
        label_vi: "Công nghiệp, xây dựng",
        label_en: "Industry, construction",
        synonyms: &[
            "cong nghiep",
            "xay dung",
            "san xuat",
            "che bien",
            "industry",
        ],
    },
    Choice {
        code: "trade_services",
        label_vi: "Thương mại, dịch vụ",
        label_en: "Trade, services",
        synonyms: &[
            "thuong mai",
            "dich vu",
            "xuat nhap khau",
            "trade",
            "services",
        ],
    },
    Choice {
        code: "tourism",
        label_vi: "Du lịch, khách sạn, nhà hàng",
        label_en: "Tourism, hotels, restaurants",
        synonyms: &["du lich", "khach san", "nha hang", "tourism"],
    },
    Choice {
        code: "technology",
        label_vi: "Công nghệ thông tin",
        label_en: "Information technology",
        synonyms: &["cong nghe", "cntt", "phan mem", "technology"],
    },
    Choice {
        code: "education_health",
        label_vi: "Giáo dục, y tế",
        label_en: "Education, health",
        synonyms: &["giao duc", "y te", "benh vien", "education", "health"],
    },
    Choice {
        code: "real_estate",
        label_vi: "Bất động sản",
        label_en: "Real estate",
        synonyms: &["bat dong san", "nha o", "real estate"],
    },
    Choice {
        code: "other",
        label_vi: "Khác",
        label_en: "Other",
        synonyms: &["khac", "other"],
    },
];

/// Every department's own field, by department, in template order.
pub const SOURCE_FIELDS: &[SourceField] = &[
    // Justice: marriages with a foreign element.
    SourceField {
        agency: Agency::Justice,
        key: "marriage_date",
        header_vi: "Ngày đăng ký kết hôn",
        header_en: "Date of marriage registration (DD/MM/YYYY, MM/YYYY or year)",
        synonyms: &[
            "ngay dang ky ket hon",
            "ngay ket hon",
            "nam ket hon",
            "ngay dkkh",
            "marriage date",
            "date of marriage",
        ],
        kind: Kind::Date,
    },
    SourceField {
        agency: Agency::Justice,
        key: "spouse_name",
        header_vi: "Họ tên vợ/chồng",
        header_en: "Spouse's full name",
        synonyms: &[
            "ho ten vo chong",
            "ho va ten vo chong",
            "ten vo chong",
            "vo chong",
            "ho ten nguoi ket hon",
            "spouse",
            "spouse name",
            "spouse s name",
        ],
        kind: Kind::Text,
    },
    SourceField {
        agency: Agency::Justice,
        key: "spouse_nationality",
        header_vi: "Quốc tịch vợ/chồng",
        header_en: "Spouse's nationality (country name or ISO code)",
        synonyms: &[
            "quoc tich vo chong",
            "quoc tich cua vo chong",
            "quoc tich nguoi ket hon",
            "spouse nationality",
            "spouse s nationality",
        ],
        kind: Kind::Country,
    },
    // Labour: contract labour abroad.
    SourceField {
        agency: Agency::Labour,
        key: "employer_abroad",
        header_vi: "Nơi làm việc ở nước ngoài",
        header_en: "Employer abroad",
        synonyms: &[
            "noi lam viec o nuoc ngoai",
            "chu su dung lao dong",
            "don vi tiep nhan",
            "cong ty tiep nhan",
            "employer",
            "employer abroad",
        ],
        kind: Kind::Text,
    },
    SourceField {
        agency: Agency::Labour,
        key: "contract_term_months",
        header_vi: "Thời hạn hợp đồng (tháng)",
        header_en: "Contract term in months",
        synonyms: &[
            "thoi han hop dong",
            "thoi han hop dong thang",
            "thoi han hd",
            "thoi gian hop dong",
            "so thang",
            "contract term",
            "contract term months",
        ],
        kind: Kind::Number,
    },
    SourceField {
        agency: Agency::Labour,
        key: "sending_company",
        header_vi: "Doanh nghiệp đưa đi",
        header_en: "Sending company (in Vietnam)",
        synonyms: &[
            "doanh nghiep dua di",
            "cong ty dua di",
            "cong ty phai cu",
            "doanh nghiep phai cu",
            "don vi phai cu",
            "don vi dua di",
            "sending company",
        ],
        kind: Kind::Text,
    },
    // Education: students abroad.
    SourceField {
        agency: Agency::Education,
        key: "school",
        header_vi: "Trường theo học",
        header_en: "School or university",
        synonyms: &[
            "truong theo hoc",
            "truong",
            "co so dao tao",
            "ten truong",
            "school",
            "university",
        ],
        kind: Kind::Text,
    },
    SourceField {
        agency: Agency::Education,
        key: "field_of_study",
        header_vi: "Ngành học",
        header_en: "Field of study",
        synonyms: &[
            "nganh hoc",
            "nganh dao tao",
            "chuyen nganh",
            "field of study",
            "major",
        ],
        kind: Kind::Text,
    },
    SourceField {
        agency: Agency::Education,
        key: "funding",
        header_vi: "Kinh phí",
        header_en: "Funding: Ngân sách nhà nước, Học bổng, Tự túc, Khác",
        synonyms: &[
            "kinh phi",
            "nguon kinh phi",
            "kinh phi dao tao",
            "hinh thuc",
            "funding",
        ],
        kind: Kind::Choice(FUNDING),
    },
    SourceField {
        agency: Agency::Education,
        key: "study_from_year",
        header_vi: "Năm bắt đầu học",
        header_en: "Year studies began",
        synonyms: &[
            "nam bat dau hoc",
            "nam bat dau",
            "tu nam",
            "nam di hoc",
            "from year",
        ],
        kind: Kind::Year,
    },
    SourceField {
        agency: Agency::Education,
        key: "study_to_year",
        header_vi: "Năm kết thúc (dự kiến)",
        header_en: "Year studies end (expected)",
        synonyms: &[
            "nam ket thuc",
            "nam ket thuc du kien",
            "den nam",
            "nam tot nghiep",
            "to year",
        ],
        kind: Kind::Year,
    },
    // Home affairs: officials trained abroad.
    SourceField {
        agency: Agency::HomeAffairs,
        key: "sending_agency",
        header_vi: "Cơ quan cử đi",
        header_en: "Agency that sent the official",
        synonyms: &[
            "co quan cu di",
            "co quan cong tac",
            "don vi cong tac",
            "don vi cu di",
            "sending agency",
        ],
        kind: Kind::Text,
    },
    SourceField {
        agency: Agency::HomeAffairs,
        key: "programme",
        header_vi: "Chương trình đào tạo",
        header_en: "Training programme",
        synonyms: &[
            "chuong trinh dao tao",
            "chuong trinh",
            "de an dao tao",
            "khoa dao tao",
            "programme",
            "program",
        ],
        kind: Kind::Text,
    },
    // Planning and investment: enterprises and projects.
    SourceField {
        agency: Agency::PlanningInvestment,
        key: "enterprise_name",
        header_vi: "Tên doanh nghiệp",
        header_en: "Enterprise name",
        synonyms: &[
            "ten doanh nghiep",
            "doanh nghiep",
            "ten cong ty",
            "enterprise name",
        ],
        kind: Kind::Text,
    },
    SourceField {
        agency: Agency::PlanningInvestment,
        key: "project",
        header_vi: "Dự án đầu tư",
        header_en: "Investment project",
        synonyms: &["du an dau tu", "du an", "ten du an", "project"],
        kind: Kind::Text,
    },
    SourceField {
        agency: Agency::PlanningInvestment,
        key: "capital",
        header_vi: "Vốn đầu tư (triệu đồng)",
        header_en: "Invested capital in million VND",
        synonyms: &[
            "von dau tu",
            "von dau tu trieu dong",
            "tong von dau tu",
            "von dang ky",
            "von",
            "capital",
        ],
        kind: Kind::Number,
    },
    SourceField {
        agency: Agency::PlanningInvestment,
        key: "sector",
        header_vi: "Ngành, lĩnh vực",
        header_en: "Sector",
        synonyms: &[
            "nganh linh vuc",
            "linh vuc",
            "nganh nghe",
            "linh vuc dau tu",
            "sector",
        ],
        kind: Kind::Choice(SECTORS),
    },
    // Missions: passports (the core passport column) and citizen protection.
    SourceField {
        agency: Agency::Mission,
        key: "citizen_protection_case",
        header_vi: "Vụ việc bảo hộ công dân",
        header_en: "Citizen protection case",
        synonyms: &[
            "vu viec bao ho cong dan",
            "bao ho cong dan",
            "vu viec bao ho",
            "citizen protection",
            "citizen protection case",
        ],
        kind: Kind::Text,
    },
];

/// The own fields of a department's template.
pub fn of(agency: Agency) -> impl Iterator<Item = &'static SourceField> {
    SOURCE_FIELDS.iter().filter(move |f| f.agency == agency)
}

/// The field of a key.
pub fn field(key: &str) -> Option<&'static SourceField> {
    SOURCE_FIELDS.iter().find(|f| f.key == key)
}

/// The position of a field in [`SOURCE_FIELDS`].
pub fn index_of(key: &str) -> Option<usize> {
    SOURCE_FIELDS.iter().position(|f| f.key == key)
}

/// Longest text value kept.
const MAX_TEXT: usize = 300;

/// A value as stored: `text` is the canonical form (text as written with
/// spaces tidied, the partial ISO date, the year or number, the ISO country
/// code, the choice code) — what statistics group by; `num` holds years and
/// numbers, `date` the partial ISO date; `folded` the folded text searched.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Value {
    pub key: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl Value {
    /// The folded form searched by "contains" filters.
    pub fn folded(&self) -> String {
        fold(&self.text)
    }
}

/// Why a cell was refused: a message code (`invalid_number`,
/// `invalid_date`, `invalid_year`, `unknown_country`, `invalid_choice`,
/// `too_long`, `control_chars`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueError(pub &'static str);

/// Reads a cell of a field. An empty cell is `Ok(None)`.
///
/// ```
/// use domain::source_fields::{field, parse};
/// let v = parse(field("capital").unwrap(), "1.500,5").unwrap().unwrap();
/// assert_eq!(v.num, Some(1500.5));
/// let v = parse(field("funding").unwrap(), "Tự túc kinh phí").unwrap().unwrap();
/// assert_eq!(v.text, "self_funded");
/// ```
pub fn parse(f: &SourceField, raw: &str) -> Result<Option<Value>, ValueError> {
    let t = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Ok(None);
    }
    if crate::text::has_forbidden_control(raw) {
        return Err(ValueError("control_chars"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(ValueError("too_long"));
    }
    let value = |text: String, num: Option<f64>, date: Option<String>| Value {
        key: f.key.to_owned(),
        text,
        num,
        date,
    };
    Ok(Some(match f.kind {
        Kind::Text => value(t, None, None),
        Kind::Date => {
            let d = parse_date(&t).ok_or(ValueError("invalid_date"))?;
            let iso = d.to_iso();
            value(iso.clone(), None, Some(iso))
        }
        Kind::Year => {
            let y = parse_year(&t).ok_or(ValueError("invalid_year"))?;
            value(y.to_string(), Some(f64::from(y)), None)
        }
        Kind::Number => {
            let n = parse_number(&t, f.key == "contract_term_months")
                .ok_or(ValueError("invalid_number"))?;
            value(number_text(n), Some(n), None)
        }
        Kind::Country => {
            let c = crate::geo::countries::resolve(&t).ok_or(ValueError("unknown_country"))?;
            value(c.to_owned(), None, None)
        }
        Kind::Choice(choices) => {
            let c = choice_of(choices, &t).ok_or(ValueError("invalid_choice"))?;
            value(c.code.to_owned(), None, None)
        }
    }))
}

/// The choice a cell names: its code, its label in either language, or a
/// synonym the folded cell is or contains.
pub fn choice_of(choices: &'static [Choice], text: &str) -> Option<&'static Choice> {
    let f = fold(text);
    if f.is_empty() {
        return None;
    }
    choices
        .iter()
        .find(|c| c.code == text.trim() || fold(c.label_vi) == f || fold(c.label_en) == f)
        .or_else(|| choices.iter().find(|c| c.synonyms.contains(&f.as_str())))
        .or_else(|| {
            choices
                .iter()
                .find(|c| c.synonyms.iter().any(|s| contains_words(&f, s)))
        })
}

/// True when the folded `hay` holds the words of `needle` in a row.
fn contains_words(hay: &str, needle: &str) -> bool {
    format!(" {hay} ").contains(&format!(" {needle} "))
}

/// A year as people write it: "2015", "năm 2015", "2015?", or the year of
/// a date ([`crate::dates`], the one reader of dates as typed).
pub fn parse_year(text: &str) -> Option<i32> {
    parse_date(text)
        .map(|d| i32::from(d.year))
        .filter(|y| (1900..=2100).contains(y))
}

/// A date as people write it ("tháng 5/1990", "ngày 2 tháng 9 năm 2019",
/// "năm 2015"): [`crate::dates::read_without_century`], as this pure code
/// has no clock to place a two-digit year.
pub fn parse_date(text: &str) -> Option<PartialDate> {
    crate::dates::read_without_century(text).ok()
}

/// A number as people write it: "36", "36 tháng", "3 năm" (contract terms:
/// 36 months), "1.500.000" and "1,500,000" (thousands), "1,5" and "1.5"
/// (decimals), "1.500,5" and "1,500.5". Not negative.
pub fn parse_number(text: &str, months: bool) -> Option<f64> {
    let f = fold(text);
    let mut words = f.split(' ').filter(|w| !w.is_empty());
    let first = words.next()?;
    let mut factor = 1.0;
    // At most one unit word, after the number's digits ("1.500.000" folds
    // to "1 500 000": its groups come first).
    let mut unit: Option<&str> = None;
    for w in words {
        if unit.is_none() && w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if unit == Some("trieu") && w == "dong" {
            continue;
        }
        if unit.is_some() {
            return None;
        }
        unit = Some(w);
        match w {
            "thang" | "month" | "months" | "trieu" | "dong" | "vnd" | "trd" => {}
            "nam" | "year" | "years" if months => factor = 12.0,
            _ => return None,
        }
    }
    // `fold` has split "1.500,5" at its punctuation: read the original.
    let raw: String = text
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' '))
        .filter(|c| *c != ' ')
        .collect();
    if raw.is_empty() || !first.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let canon = canonical_number(&raw)?;
    let n: f64 = canon.parse().ok()?;
    (n.is_finite() && n >= 0.0).then_some(n * factor)
}

/// "1.500.000" → "1500000"; "1,5" → "1.5"; "1.500,5" → "1500.5".
fn canonical_number(raw: &str) -> Option<String> {
    let dots = raw.matches('.').count();
    let commas = raw.matches(',').count();
    let groups_of_three = |s: &str, sep: char| {
        let mut parts = s.split(sep);
        let head = parts.next().unwrap_or("");
        !head.is_empty() && head.len() <= 3 && parts.all(|p| p.len() == 3)
    };
    let out = match (dots, commas) {
        (0, 0) => raw.to_owned(),
        (_, 0) if dots > 1 || (groups_of_three(raw, '.') && !raw.starts_with("0.")) => {
            groups_of_three(raw, '.').then(|| raw.replace('.', ""))?
        }
        (1, 0) => raw.to_owned(),
        (0, _) if commas > 1 || (groups_of_three(raw, ',') && !raw.starts_with("0,")) => {
            groups_of_three(raw, ',').then(|| raw.replace(',', ""))?
        }
        (0, 1) => raw.replace(',', "."),
        _ => {
            // Both: the last one is the decimal mark.
            let (thousands, decimal) = if raw.rfind('.') > raw.rfind(',') {
                (',', '.')
            } else {
                ('.', ',')
            };
            let (int, frac) = raw.rsplit_once(decimal)?;
            if frac.contains(thousands) || !groups_of_three(int, thousands) {
                return None;
            }
            format!("{}.{frac}", int.replace(thousands, ""))
        }
    };
    (!out.is_empty()
        && out.chars().all(|c| c.is_ascii_digit() || c == '.')
        && out.matches('.').count() <= 1
        && !out.starts_with('.')
        && !out.ends_with('.'))
    .then_some(out)
}

/// A number's canonical text: no trailing zeros, no exponent.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        let s = format!("{n:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A stored value for a person to read: dates as DD/MM/YYYY (MM/YYYY, or
/// the year), countries by name, choices by label, numbers with the
/// Vietnamese (or English) digit grouping.
pub fn display(key: &str, text: &str, lang: &str) -> String {
    let Some(f) = field(key) else {
        return text.to_owned();
    };
    match f.kind {
        Kind::Text | Kind::Year => text.to_owned(),
        Kind::Date => PartialDate::parse(text).map_or_else(
            |_| text.to_owned(),
            |d| match (d.month, d.day) {
                (Some(m), Some(day)) => format!("{day:02}/{m:02}/{:04}", d.year),
                (Some(m), None) => format!("{m:02}/{:04}", d.year),
                _ => format!("{:04}", d.year),
            },
        ),
        Kind::Number => group_digits(text, lang),
        Kind::Country => crate::geo::country(text).map_or_else(
            || text.to_owned(),
            |c| {
                if lang == "en" {
                    c.name_en.to_owned()
                } else {
                    c.name_vi.to_owned()
                }
            },
        ),
        Kind::Choice(choices) => choices
            .iter()
            .find(|c| c.code == text)
            .map_or_else(|| text.to_owned(), |c| c.label(lang).to_owned()),
    }
}

/// "1500000.5" → "1.500.000,5" (Vietnamese) or "1,500,000.5" (English).
fn group_digits(text: &str, lang: &str) -> String {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() || !int.chars().all(|c| c.is_ascii_digit()) {
        return text.to_owned();
    }
    let (sep, mark) = if lang == "en" { (',', '.') } else { ('.', ',') };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(mark);
        out.push_str(frac);
    }
    out
}

/// The label of a field in the given language (headers without their
/// notes: "Vốn đầu tư (triệu đồng)").
pub fn label(f: &SourceField, lang: &str) -> &'static str {
    if lang == "en" {
        // The note's first clause.
        f.header_en
            .split([':', '('])
            .next()
            .map_or(f.header_en, str::trim_end)
    } else {
        f.header_vi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(key: &str, raw: &str) -> Result<Option<Value>, ValueError> {
        parse(field(key).unwrap(), raw)
    }

    #[test]
    fn keys_are_unique_and_every_department_named_has_fields() {
        let mut keys: Vec<&str> = SOURCE_FIELDS.iter().map(|f| f.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), SOURCE_FIELDS.len());
        for a in [
            Agency::Justice,
            Agency::Labour,
            Agency::Education,
            Agency::HomeAffairs,
            Agency::PlanningInvestment,
            Agency::Mission,
        ] {
            assert!(of(a).count() > 0, "{a}");
        }
        assert_eq!(of(Agency::Police).count(), 0);
    }

    #[test]
    fn numbers_as_written() {
        let n = |s: &str| parse_number(s, false);
        assert_eq!(n("36"), Some(36.0));
        assert_eq!(n("1.500.000"), Some(1_500_000.0));
        assert_eq!(n("1,500,000"), Some(1_500_000.0));
        assert_eq!(n("1,5"), Some(1.5));
        assert_eq!(n("1.5"), Some(1.5));
        assert_eq!(n("1.500,5"), Some(1500.5));
        assert_eq!(n("1,500.5"), Some(1500.5));
        assert_eq!(n("0,25"), Some(0.25));
        assert_eq!(n("250 triệu đồng"), Some(250.0));
        assert_eq!(n("nhiều"), None);
        assert_eq!(n("-5"), None);
        assert_eq!(n("1.2.3"), None);
        assert_eq!(parse_number("3 năm", true), Some(36.0));
        assert_eq!(parse_number("36 tháng", true), Some(36.0));
        assert_eq!(parse_number("3 năm", false), None);
    }

    #[test]
    fn dates_and_years_as_written() {
        let d = |s: &str| parse_date(s).map(PartialDate::to_iso);
        assert_eq!(d("05/03/2019").as_deref(), Some("2019-03-05"));
        assert_eq!(d("tháng 5/2019").as_deref(), Some("2019-05"));
        assert_eq!(d("ngày 2 tháng 9 năm 2019").as_deref(), Some("2019-09-02"));
        assert_eq!(d("năm 2015").as_deref(), Some("2015"));
        assert_eq!(d("31/02/2019"), None);
        assert_eq!(d("hôm qua"), None);
        assert_eq!(parse_year("năm 2015"), Some(2015));
        assert_eq!(parse_year("2015?"), Some(2015));
        assert_eq!(parse_year("15"), None);
        assert_eq!(parse_year("2015-2019"), None);
    }

    #[test]
    fn cells_become_typed_values() {
        let v = get("spouse_nationality", "Hàn Quốc").unwrap().unwrap();
        assert_eq!(v.text, "KR");
        assert_eq!(
            get("spouse_nationality", "Atlantis"),
            Err(ValueError("unknown_country"))
        );
        let v = get("funding", "Học bổng toàn phần").unwrap().unwrap();
        assert_eq!(v.text, "scholarship");
        assert_eq!(get("funding", "xyz"), Err(ValueError("invalid_choice")));
        let v = get("marriage_date", "12/06/2018").unwrap().unwrap();
        assert_eq!(v.date.as_deref(), Some("2018-06-12"));
        assert_eq!(
            get("marriage_date", "12/13/2018"),
            Err(ValueError("invalid_date"))
        );
        let v = get("sending_company", "  Công ty  CP   Nhân lực ")
            .unwrap()
            .unwrap();
        assert_eq!(v.text, "Công ty CP Nhân lực");
        assert_eq!(get("school", "   "), Ok(None));
        let v = get("capital", "3.335.650").unwrap().unwrap();
        assert_eq!(v.text, "3335650");
        assert_eq!(get("capital", "ba tỷ"), Err(ValueError("invalid_number")));
    }

    #[test]
    fn values_display_without_codes() {
        assert_eq!(display("marriage_date", "2018-06-12", "vi"), "12/06/2018");
        assert_eq!(display("marriage_date", "2018-06", "vi"), "06/2018");
        assert_eq!(display("spouse_nationality", "KR", "vi"), "Hàn Quốc");
        assert_eq!(display("funding", "self_funded", "vi"), "Tự túc");
        assert_eq!(display("funding", "self_funded", "en"), "Self-funded");
        assert_eq!(display("capital", "1500000.5", "vi"), "1.500.000,5");
        assert_eq!(display("capital", "1500000.5", "en"), "1,500,000.5");
        assert_eq!(display("contract_term_months", "36", "vi"), "36");
    }
}
