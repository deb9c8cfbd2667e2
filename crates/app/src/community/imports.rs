//! Import templates and uploads of associations and investment projects
//! (issue 22 rules: "import templates for associations, projects and
//! contributions"; the planning-and-investment department's list of
//! diaspora enterprises and projects since 2004 is one of the seeds'
//! agency lists).
//!
//! A list is read as officials make it, by the intake reader
//! ([`crate::intake::import::read`]): an .xlsx or .csv, title rows above the
//! header, a header on two rows with merged cells, a row of column numbers,
//! an "STT" column and a totals row; columns are found by their header
//! (with or without marks). Coded values may be written in words: kinds and
//! statuses by their label in either language (the caller's vocabulary),
//! countries by name, sectors by VSIC code or name, communes by name, dates
//! as typed (`dd/mm/yyyy`; a founding date also `mm/yyyy` or `yyyy`),
//! amounts with "." or "," between thousands ("1.500.000.000"), or with a
//! scale word ("3,5 tỷ", "250 triệu"), currencies by code or name.
//!
//! All or nothing: every row is checked first (the same rules as a form),
//! and any problem leaves the database untouched and answers every problem
//! with its row (as the sheet numbers it) and its column (the header as
//! written). Otherwise every record is created in one transaction, each
//! audited and kept as its first version, within the actor's reach (a
//! mission imports the associations of its countries only).

use serde::Serialize;

use super::associations::{self, AssociationInput};
use super::contributions::{self, ContributionInput};
use super::donors;
use super::projects::{self, ProjectInput};
use crate::intake::import::read::{self, Choice, Limits};
use crate::{Actor, App, AppError, AppResult};

/// The kinds of list that can be imported.
pub const KINDS: &[&str] = &["associations", "projects", "contributions"];

/// A column of a template: the field, its Vietnamese header, and the other
/// ways officials head it (folded, without marks).
struct Column {
    field: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    example: &'static str,
    /// A coded column: the label kind of its allowed values (the template's
    /// sheet lists them in words).
    codes: Option<&'static str>,
}

const ASSOCIATION_COLUMNS: &[Column] = &[
    Column {
        field: "name",
        header: "Tên hội",
        aliases: &["ten hoi", "ten to chuc", "ten hoi doan", "ten"],
        example: "Hội đồng hương Hà Tĩnh tại Nhật Bản",
        codes: None,
    },
    Column {
        field: "name_en",
        header: "Tên tiếng Anh",
        aliases: &["ten tieng anh", "ten giao dich"],
        example: "Ha Tinh Association in Japan",
        codes: None,
    },
    Column {
        field: "kind",
        header: "Loại hội",
        aliases: &["loai hoi", "loai", "loai hinh"],
        example: "Hội đồng hương",
        codes: Some("association_kind"),
    },
    Column {
        field: "country",
        header: "Quốc gia",
        aliases: &["quoc gia", "nuoc", "nuoc so tai"],
        example: "Nhật Bản",
        codes: None,
    },
    Column {
        field: "city",
        header: "Thành phố",
        aliases: &["thanh pho", "dia ban", "tinh thanh"],
        example: "Tokyo",
        codes: None,
    },
    Column {
        field: "founded_on",
        header: "Ngày thành lập",
        aliases: &["ngay thanh lap", "thanh lap", "nam thanh lap"],
        example: "03/2012",
        codes: None,
    },
    Column {
        field: "status",
        header: "Tình trạng",
        aliases: &["tinh trang", "trang thai"],
        example: "Đang hoạt động",
        codes: Some("association_status"),
    },
    Column {
        field: "contact_name",
        header: "Người liên hệ",
        aliases: &["nguoi lien he", "lien he", "chu tich"],
        example: "Nguyễn Văn An",
        codes: None,
    },
    Column {
        field: "phone",
        header: "Điện thoại",
        aliases: &["dien thoai", "so dien thoai", "sdt"],
        example: "+81 90 1234 5678",
        codes: None,
    },
    Column {
        field: "email",
        header: "Email",
        aliases: &["email", "thu dien tu"],
        example: "hoi@example.jp",
        codes: None,
    },
    Column {
        field: "website",
        header: "Trang web",
        aliases: &["trang web", "website"],
        example: "",
        codes: None,
    },
    Column {
        field: "address",
        header: "Địa chỉ",
        aliases: &["dia chi", "tru so"],
        example: "1-2-3 Shinjuku, Tokyo",
        codes: None,
    },
    Column {
        field: "notes",
        header: "Ghi chú",
        aliases: &["ghi chu"],
        example: "",
        codes: None,
    },
];

const PROJECT_COLUMNS: &[Column] = &[
    Column {
        field: "name",
        header: "Tên dự án",
        aliases: &["ten du an", "du an"],
        example: "Khu du lịch sinh thái Thiên Cầm",
        codes: None,
    },
    Column {
        field: "name_en",
        header: "Tên tiếng Anh",
        aliases: &["ten tieng anh"],
        example: "Thien Cam eco-resort",
        codes: None,
    },
    Column {
        field: "summary",
        header: "Mục tiêu, quy mô",
        aliases: &["muc tieu quy mo", "muc tieu", "quy mo", "noi dung", "mo ta"],
        example: "Khách sạn 120 phòng, khu nghỉ dưỡng ven biển",
        codes: None,
    },
    Column {
        field: "sector",
        header: "Ngành",
        aliases: &[
            "nganh",
            "nganh nghe",
            "linh vuc",
            "nganh kinh te",
            "ma nganh",
            "nganh nghe linh vuc",
            "linh vuc dau tu",
        ],
        example: "55",
        codes: None,
    },
    Column {
        field: "commune",
        header: "Địa điểm (xã, phường)",
        aliases: &[
            "dia diem xa phuong",
            "dia diem",
            "dia diem thuc hien",
            "dia diem du an",
            "xa phuong",
            "xa",
        ],
        example: "",
        codes: None,
    },
    Column {
        field: "registered_text",
        header: "Vốn đăng ký",
        aliases: &["von dang ky", "tong von dang ky", "von dau tu dang ky"],
        example: "3,5 tỷ",
        codes: None,
    },
    Column {
        field: "realised_text",
        header: "Vốn thực hiện",
        aliases: &["von thuc hien", "von da giai ngan", "von dau tu thuc hien"],
        example: "1.200.000.000",
        codes: None,
    },
    Column {
        field: "currency",
        header: "Loại tiền",
        aliases: &["loai tien", "don vi tien", "tien te"],
        example: "VND",
        codes: None,
    },
    Column {
        field: "rate_to_vnd",
        header: "Tỷ giá",
        aliases: &["ty gia", "ty gia quy doi"],
        example: "",
        codes: None,
    },
    Column {
        field: "licence_no",
        header: "Số giấy chứng nhận đầu tư",
        aliases: &[
            "so giay chung nhan dau tu",
            "so giay phep",
            "so gcn",
            "so gcndt",
            "giay phep so",
        ],
        example: "28121000123",
        codes: None,
    },
    Column {
        field: "licence_date",
        header: "Ngày cấp",
        aliases: &["ngay cap", "ngay cap phep", "ngay cap gcn"],
        example: "12/02/2004",
        codes: None,
    },
    Column {
        field: "investors",
        header: "Nhà đầu tư",
        aliases: &[
            "nha dau tu",
            "chu dau tu",
            "ten nha dau tu",
            "ten chu dau tu",
            "doanh nghiep nha dau tu",
        ],
        example: "Công ty TNHH Biển Xanh",
        codes: None,
    },
    Column {
        field: "birth_year",
        header: "Năm sinh",
        aliases: &["nam sinh", "sinh nam"],
        example: "",
        codes: None,
    },
    Column {
        field: "country",
        header: "Quốc gia",
        aliases: &["quoc gia", "nuoc", "nuoc so tai", "quoc tich"],
        example: "",
        codes: None,
    },
    Column {
        field: "hometown",
        header: "Quê quán",
        aliases: &["que quan", "que"],
        example: "",
        codes: None,
    },
    Column {
        field: "status",
        header: "Tình trạng",
        aliases: &["tinh trang", "tinh trang du an", "trang thai", "tien do"],
        example: "Đi vào hoạt động",
        codes: Some("project_status"),
    },
    Column {
        field: "status_on",
        header: "Từ ngày",
        aliases: &[
            "tu ngay",
            "ngay tinh trang",
            "thoi diem",
            "ngay chuyen trang thai",
            "ngay di vao hoat dong",
        ],
        example: "05/2006",
        codes: None,
    },
];

const CONTRIBUTION_COLUMNS: &[Column] = &[
    Column {
        field: "donor",
        header: "Nhà tài trợ",
        aliases: &[
            "nha tai tro",
            "ten nha tai tro",
            "nguoi dong gop",
            "ho va ten",
            "ho ten",
            "to chuc ca nhan",
            "ten to chuc ca nhan",
            "to chuc ca nhan dong gop",
            "nha hao tam",
        ],
        example: "Nguyễn Văn An",
        codes: None,
    },
    Column {
        field: "donor_kind",
        header: "Loại nhà tài trợ",
        aliases: &["loai nha tai tro", "doi tuong", "loai", "ca nhan to chuc"],
        example: "Kiều bào",
        codes: Some("donor_kind"),
    },
    Column {
        field: "birth_year",
        header: "Năm sinh",
        aliases: &["nam sinh", "sinh nam"],
        example: "1965",
        codes: None,
    },
    Column {
        field: "country",
        header: "Quốc gia",
        aliases: &["quoc gia", "nuoc", "nuoc so tai", "noi o hien nay"],
        example: "Hoa Kỳ",
        codes: None,
    },
    Column {
        field: "hometown",
        header: "Quê quán",
        aliases: &["que quan", "que"],
        example: "",
        codes: None,
    },
    Column {
        field: "amount",
        header: "Số tiền",
        aliases: &[
            "so tien",
            "so tien dong gop",
            "tri gia",
            "gia tri",
            "kinh phi",
            "tong tri gia",
        ],
        example: "50.000 USD",
        codes: None,
    },
    Column {
        field: "currency",
        header: "Loại tiền",
        aliases: &["loai tien", "don vi tien", "tien te"],
        example: "",
        codes: None,
    },
    Column {
        field: "rate_to_vnd",
        header: "Tỷ giá",
        aliases: &["ty gia", "ty gia quy doi"],
        example: "25.400",
        codes: None,
    },
    Column {
        field: "contributed_on",
        header: "Ngày đóng góp",
        aliases: &["ngay dong gop", "ngay", "thoi gian", "thoi diem"],
        example: "tháng 3/2024",
        codes: None,
    },
    Column {
        field: "purpose",
        header: "Mục đích",
        aliases: &["muc dich", "muc dich dong gop", "noi dung", "linh vuc"],
        example: "Xây trường học",
        codes: Some("contribution_purpose"),
    },
    Column {
        field: "commune",
        header: "Xã, phường thụ hưởng",
        aliases: &[
            "xa phuong thu huong",
            "dia phuong thu huong",
            "noi thu huong",
            "xa phuong",
            "dia phuong",
            "dia ban",
        ],
        example: "",
        codes: None,
    },
    Column {
        field: "in_kind",
        header: "Hiện vật",
        aliases: &["hien vat", "dong gop bang hien vat", "mo ta hien vat"],
        example: "200 bộ sách giáo khoa",
        codes: None,
    },
    Column {
        field: "notes",
        header: "Ghi chú",
        aliases: &["ghi chu"],
        example: "",
        codes: None,
    },
];

fn columns(kind: &str) -> AppResult<&'static [Column]> {
    match kind {
        "associations" => Ok(ASSOCIATION_COLUMNS),
        "projects" => Ok(PROJECT_COLUMNS),
        "contributions" => Ok(CONTRIBUTION_COLUMNS),
        _ => Err(AppError::NotFound),
    }
}

fn norm(header: &str) -> String {
    domain::text::fold(header)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The column a header names, among `cols`: its whole text, or its last
/// words (the child of a two-row header, "Vốn đầu tư - Đăng ký").
fn column_of<'a>(cols: &'a [Column], header: &str) -> Option<&'a Column> {
    let h = norm(header);
    if h.is_empty() {
        return None;
    }
    cols.iter()
        .find(|c| norm(c.header) == h || c.aliases.contains(&h.as_str()))
        .or_else(|| {
            cols.iter().find(|c| {
                c.aliases
                    .iter()
                    .any(|a| a.contains(' ') && h.ends_with(&format!(" {a}")))
            })
        })
}

/// How many columns of any import a row of headers names (the reader's
/// measure of a header row).
fn header_score(cells: &[String]) -> usize {
    let mut n = 0;
    for cols in [ASSOCIATION_COLUMNS, PROJECT_COLUMNS, CONTRIBUTION_COLUMNS] {
        n = n.max(
            cells
                .iter()
                .filter(|c| column_of(cols, c).is_some())
                .count(),
        );
    }
    n
}

/// A problem of a row: its number in the sheet, the column as headed there
/// (empty for the whole row), the field and the message code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowProblem {
    pub row: u32,
    pub column: String,
    pub field: String,
    pub code: String,
    /// For a name that means several records (a donor, an investor): how
    /// each reads, so the list can say which one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

impl RowProblem {
    fn new(row: u32, column: String, field: &str, code: &str) -> Self {
        Self {
            row,
            column,
            field: field.to_owned(),
            code: code.to_owned(),
            candidates: Vec::new(),
        }
    }
}

/// What an import did: the records created, or (nothing written) why not.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub kind: String,
    /// Ids of the records created, in the order of the rows.
    pub created: Vec<i64>,
    /// Every problem found; when there is one, nothing was written.
    pub problems: Vec<RowProblem>,
}

/// Words of coded values: `code_of(kind, text)` answers the code whose
/// label (in any language) or code is `text`; `label(kind, code)` its words.
pub struct Vocabulary<'a> {
    pub code_of: &'a (dyn Fn(&str, &str) -> Option<String> + Sync),
    pub label: &'a (dyn Fn(&str, &str) -> String + Sync),
}

/// The codes of a coded column (`association_kind`, `association_status`,
/// `project_status`, `donor_kind`, `contribution_purpose`).
pub fn codes(kind: &str) -> &'static [&'static str] {
    match kind {
        "association_kind" => associations::KINDS,
        "association_status" => associations::STATUSES,
        "project_status" => projects::STATUSES,
        "donor_kind" => contributions::DONOR_KINDS,
        "contribution_purpose" => contributions::PURPOSES,
        _ => &[],
    }
}

/// Words officials write for coded values besides their labels (folded):
/// "đi vào hoạt động", "xây trường học", "cá nhân". A phrase matches the
/// whole text or whole words of it.
const SYNONYMS: &[(&str, &str, &str)] = &[
    ("project_status", "de xuat", "proposed"),
    ("project_status", "chuan bi dau tu", "proposed"),
    ("project_status", "xuc tien dau tu", "proposed"),
    ("project_status", "cap phep", "licensed"),
    ("project_status", "da cap gcndt", "licensed"),
    (
        "project_status",
        "da cap giay chung nhan dau tu",
        "licensed",
    ),
    ("project_status", "dang xay dung", "under_construction"),
    ("project_status", "dang trien khai", "under_construction"),
    ("project_status", "dang thi cong", "under_construction"),
    ("project_status", "di vao hoat dong", "operating"),
    ("project_status", "da hoat dong", "operating"),
    ("project_status", "dang hoat dong", "operating"),
    ("project_status", "hoan thanh", "operating"),
    ("project_status", "tam dung", "suspended"),
    ("project_status", "tam ngung", "suspended"),
    ("project_status", "cham dut", "terminated"),
    ("project_status", "thu hoi", "terminated"),
    ("project_status", "giai the", "terminated"),
    ("donor_kind", "ca nhan", "person"),
    ("donor_kind", "nguoi", "person"),
    ("donor_kind", "hoi", "association"),
    ("donor_kind", "to chuc", "association"),
    ("donor_kind", "doan the", "association"),
    ("donor_kind", "cong ty", "enterprise"),
    ("donor_kind", "doanh nghiep", "enterprise"),
    ("contribution_purpose", "tu thien", "charity"),
    ("contribution_purpose", "nhan dao", "charity"),
    ("contribution_purpose", "nguoi ngheo", "charity"),
    ("contribution_purpose", "qua tet", "charity"),
    ("contribution_purpose", "hoc bong", "scholarship"),
    ("contribution_purpose", "khuyen hoc", "scholarship"),
    ("contribution_purpose", "cuu tro", "disaster_relief"),
    ("contribution_purpose", "thien tai", "disaster_relief"),
    ("contribution_purpose", "lu lut", "disaster_relief"),
    ("contribution_purpose", "bao lu", "disaster_relief"),
    ("contribution_purpose", "xay truong", "infrastructure"),
    ("contribution_purpose", "truong hoc", "infrastructure"),
    ("contribution_purpose", "xay cau", "infrastructure"),
    ("contribution_purpose", "lam duong", "infrastructure"),
    ("contribution_purpose", "ha tang", "infrastructure"),
    ("contribution_purpose", "nha van hoa", "infrastructure"),
    ("contribution_purpose", "y te", "healthcare"),
    ("contribution_purpose", "benh vien", "healthcare"),
    ("contribution_purpose", "kham chua benh", "healthcare"),
];

fn synonym(kind: &str, text: &str) -> Option<String> {
    let t = format!(" {} ", norm(text));
    let mut hits: Vec<&str> = SYNONYMS
        .iter()
        .filter(|(k, phrase, _)| *k == kind && t.contains(&format!(" {phrase} ")))
        .map(|(_, _, code)| *code)
        .collect();
    hits.sort_unstable();
    hits.dedup();
    match hits.as_slice() {
        [one] => Some((*one).to_owned()),
        _ => None,
    }
}

/// A currency written in words or as its code.
fn currency_code(text: &str) -> String {
    match norm(text).as_str() {
        "dong" | "vnd" | "vnđ" | "dong viet nam" | "d" => "VND".to_owned(),
        "do la my" | "do la" | "usd" | "us" => "USD".to_owned(),
        "euro" | "eur" => "EUR".to_owned(),
        "yen" | "yen nhat" | "jpy" => "JPY".to_owned(),
        "won" | "won han quoc" | "krw" => "KRW".to_owned(),
        "do la uc" | "aud" => "AUD".to_owned(),
        "do la canada" | "cad" => "CAD".to_owned(),
        _ => text.trim().to_uppercase(),
    }
}

/// "3,5 tỷ" → "3500000000", "3.335,65 tỷ" → "3335650000000", "250 triệu"
/// → "250000000"; other text unchanged. With both "." and ",", the last is
/// the decimal mark; a lone one before three digits separates thousands.
fn expand_scale(text: &str) -> String {
    let t = text.trim();
    let number: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    let word = domain::text::fold(&t[number.len()..]);
    let zeros: usize = match word.strip_suffix(" dong").unwrap_or(&word) {
        "ty" => 9,
        "trieu" => 6,
        "nghin" | "ngan" => 3,
        _ => return t.to_owned(),
    };
    let decimal = match (number.rfind('.'), number.rfind(',')) {
        (Some(d), Some(c)) => Some(d.max(c)),
        (Some(i), None) | (None, Some(i)) => {
            let single = number.matches(['.', ',']).count() == 1;
            (single && number.len() - i - 1 != 3).then_some(i)
        }
        (None, None) => None,
    };
    let (whole, frac) = match decimal {
        Some(i) => (&number[..i], &number[i + 1..]),
        None => (number.as_str(), ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    if whole.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > zeros {
        return t.to_owned();
    }
    let digits = format!("{whole}{frac}{}", "0".repeat(zeros - frac.len()));
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        "0".to_owned()
    } else {
        digits.to_owned()
    }
}

/// An amount with its currency in one cell, as officers type it: "50.000
/// USD", "3,5 tỷ", "200 triệu đồng", "1.500.000" → the amount in digits
/// (or as typed) and the currency named after it, if any (a scale word
/// means đồng).
fn amount_and_currency(text: &str) -> (String, Option<String>) {
    let t = text.trim();
    let expanded = expand_scale(t);
    if expanded != t {
        return (expanded, Some("VND".to_owned()));
    }
    let number: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ' '))
        .collect();
    let rest = t[number.len()..].trim();
    if number.trim().is_empty() || rest.is_empty() {
        return (t.to_owned(), None);
    }
    (number.trim().replace(' ', ""), Some(currency_code(rest)))
}

/// The value of a coded column in words → its code (a problem when none).
fn coded(vocab: &Vocabulary<'_>, kind: &str, text: &str) -> Result<String, &'static str> {
    let t = text.trim();
    if t.is_empty() || codes(kind).contains(&t) {
        return Ok(t.to_owned());
    }
    (vocab.code_of)(kind, t)
        .or_else(|| synonym(kind, t))
        .ok_or("invalid_code")
}

/// A new commune of the province named new or old (a commune of before
/// 1 July 2025 that went into one new commune is read as that one); the
/// home province's first, so "Xã Xuân Thành, huyện Nghi Xuân" is the old
/// commune at home, not a new one of that name elsewhere. Other text as it
/// is, for the record's own check to name the problem.
fn new_commune_of(text: &str, home: &str) -> String {
    use domain::geo::Era;
    use domain::geo::pick::commune_named;
    let t = text.trim();
    let folded_home = domain::text::fold(home.trim());
    let home_code = domain::geo::new_provinces()
        .iter()
        .find(|p| !folded_home.is_empty() && domain::text::fold(p.name).ends_with(&folded_home))
        .map(|p| p.code);
    let at_home = |c: &domain::geo::CommuneRef| Some(c.new_province_code()) == home_code;
    let new = commune_named(t, Era::New, Some(home)).ok();
    if t.is_empty() || new.as_ref().is_some_and(at_home) {
        return t.to_owned();
    }
    if let Ok(old) = commune_named(t, Era::Legacy, Some(home))
        && at_home(&old)
        && let [one] = domain::geo::successors(old.code())
    {
        return one.new_code.to_owned();
    }
    t.to_owned()
}

/// The unit a header gives its amounts in brackets, "Vốn đầu tư (tỷ
/// đồng)", "Trị giá (triệu USD)": the header without it, the scale word
/// and the currency.
fn unit_of(header: &str) -> (String, Option<&'static str>, Option<&'static str>) {
    let (Some(open), Some(close)) = (header.find('('), header.find(')')) else {
        return (header.to_owned(), None, None);
    };
    if close < open {
        return (header.to_owned(), None, None);
    }
    let inside = norm(&header[open + 1..close]);
    let mut words = inside.split(' ');
    let first = words.next().unwrap_or_default();
    let (scale, rest) = match first {
        "ty" => (Some("tỷ"), words.next()),
        "trieu" => (Some("triệu"), words.next()),
        "nghin" | "ngan" => (Some("nghìn"), words.next()),
        _ => (None, Some(first)),
    };
    let currency = match rest {
        Some("dong" | "vnd") => Some("VND"),
        Some("usd") => Some("USD"),
        None if scale.is_some() => Some("VND"),
        _ => return (header.to_owned(), None, None),
    };
    let bare = format!("{}{}", &header[..open], &header[close + 1..]);
    (
        bare.split_whitespace().collect::<Vec<_>>().join(" "),
        scale,
        currency,
    )
}

/// The signature block under a list ("NGƯỜI LẬP BIỂU", "KT. GIÁM ĐỐC",
/// "(Ký, ghi rõ họ tên)"): a row of such words only is not a record.
fn is_signature(cells: &[String]) -> bool {
    const WORDS: &[&str] = &[
        "nguoi lap bieu",
        "nguoi lap",
        "nguoi tong hop",
        "giam doc",
        "kt giam doc",
        "pho giam doc",
        "tl giam doc",
        "thu truong don vi",
        "thu truong co quan",
        "chu tich",
        "kt chu tich",
        "pho chu tich",
        "tm uy ban nhan dan",
        "ky ghi ro ho ten",
        "ky ten dong dau",
        "ky ho ten",
        "noi nhan",
    ];
    let mut any = false;
    for c in cells.iter().map(|c| norm(c)).filter(|c| !c.is_empty()) {
        if !WORDS.contains(&c.as_str()) {
            return false;
        }
        any = true;
    }
    any
}

/// The rows of a list, read (see the module's doc) and checked.
struct Rows {
    /// Per row: its number, the input, and the column of each field.
    inputs: Vec<(u32, serde_json::Map<String, serde_json::Value>)>,
    /// field → header as written.
    headers: Vec<(&'static str, String)>,
    problems: Vec<RowProblem>,
}

fn read_rows(kind: &str, file_name: &str, bytes: &[u8], vocab: &Vocabulary<'_>) -> AppResult<Rows> {
    let cols = columns(kind)?;
    let limits = Limits {
        max_rows: 20_000,
        ..Limits::default()
    };
    let choice = Choice {
        sheet: None,
        header_row: None,
        score: Some(header_score),
    };
    let mut out = Rows {
        inputs: Vec::new(),
        headers: Vec::new(),
        problems: Vec::new(),
    };
    let table = match read::read(bytes, file_name, &limits, &choice) {
        Ok(t) => t,
        Err(e) => {
            out.problems
                .push(RowProblem::new(0, String::new(), "file", e.code));
            return Ok(out);
        }
    };
    let mut at: Vec<(usize, &Column)> = Vec::new();
    // The unit of an amount column given in its header ("tỷ đồng").
    let mut units: Vec<(&'static str, Option<&'static str>, Option<&'static str>)> = Vec::new();
    for (i, h) in table.headers.iter().enumerate() {
        let (bare, scale, currency) = unit_of(h);
        if let Some(c) = column_of(cols, &bare)
            && !at.iter().any(|(_, x)| x.field == c.field)
        {
            at.push((i, c));
            out.headers.push((c.field, h.clone()));
            if scale.is_some() || currency.is_some() {
                units.push((c.field, scale, currency));
            }
        }
    }
    let has_currency = at.iter().any(|(_, c)| c.field == "currency");
    let required = cols[0].field;
    if !at.iter().any(|(_, c)| c.field == required) {
        out.problems.push(RowProblem::new(
            table.header_row,
            cols[0].header.to_owned(),
            required,
            "column_missing",
        ));
        return Ok(out);
    }
    for (row_no, cells) in &table.rows {
        if is_signature(cells) {
            continue;
        }
        let mut m = serde_json::Map::new();
        for (i, c) in &at {
            let raw = cells.get(*i).map_or("", |s| s.trim());
            let unit = units.iter().find(|u| u.0 == c.field);
            // A bare number under a header in "tỷ đồng" is that many tỷ.
            let scaled = match unit {
                Some((_, Some(scale), _))
                    if !raw.is_empty() && !raw.chars().any(char::is_alphabetic) =>
                {
                    format!("{raw} {scale}")
                }
                _ => raw.to_owned(),
            };
            if let Some((_, _, Some(cur))) = unit
                && !has_currency
                && !raw.is_empty()
            {
                m.insert(
                    "currency".into(),
                    serde_json::Value::String((*cur).to_owned()),
                );
            }
            let text = scaled.as_str();
            let value = match (c.codes, c.field) {
                (Some(k), _) => match coded(vocab, k, text) {
                    Ok(v) => v,
                    Err(code) => {
                        let column = out
                            .headers
                            .iter()
                            .find(|(f, _)| *f == c.field)
                            .map(|(_, h)| h.clone())
                            .unwrap_or_default();
                        out.problems
                            .push(RowProblem::new(*row_no, column, c.field, code));
                        String::new()
                    }
                },
                (None, "registered_text" | "realised_text") => expand_scale(text),
                (None, "currency") if !text.is_empty() => currency_code(text),
                (None, "amount") if !text.is_empty() => {
                    let (amount, currency) = amount_and_currency(text);
                    if let Some(cur) = currency {
                        m.insert("amount_currency".into(), serde_json::Value::String(cur));
                    }
                    amount
                }
                _ => text.to_owned(),
            };
            if !value.is_empty() {
                m.insert(c.field.to_owned(), serde_json::Value::String(value));
            }
        }
        out.inputs.push((*row_no, m));
    }
    if out.inputs.is_empty() {
        out.problems.push(RowProblem::new(
            table.header_row,
            String::new(),
            "file",
            "no_rows",
        ));
    }
    Ok(out)
}

fn text_of(m: &serde_json::Map<String, serde_json::Value>, k: &str) -> Option<String> {
    m.get(k).and_then(|v| v.as_str()).map(str::to_owned)
}

fn project_input(m: &serde_json::Map<String, serde_json::Value>, home: &str) -> ProjectInput {
    let s = |k: &str| text_of(m, k);
    ProjectInput {
        name: s("name"),
        name_en: s("name_en"),
        summary: s("summary"),
        sector: s("sector"),
        commune: s("commune").map(|c| new_commune_of(&c, home)),
        currency: s("currency"),
        rate_to_vnd: s("rate_to_vnd"),
        licence_no: s("licence_no"),
        licence_date: s("licence_date"),
        registered_text: s("registered_text"),
        realised_text: s("realised_text"),
        ..ProjectInput::default()
    }
}

fn association_input(m: &serde_json::Map<String, serde_json::Value>) -> AssociationInput {
    let s = |k: &str| text_of(m, k);
    AssociationInput {
        name: s("name"),
        name_en: s("name_en"),
        kind: s("kind"),
        country: s("country"),
        city: s("city"),
        founded_on: s("founded_on"),
        status: s("status"),
        contact_name: s("contact_name"),
        phone: s("phone"),
        email: s("email"),
        website: s("website"),
        address: s("address"),
        notes: s("notes"),
    }
}

fn contribution_input(
    m: &serde_json::Map<String, serde_json::Value>,
    home: &str,
) -> ContributionInput {
    let s = |k: &str| text_of(m, k);
    ContributionInput {
        // Set when the donor is found.
        donor_kind: None,
        amount_text: s("amount"),
        // The currency column, else the one written after the amount, else đồng.
        currency: s("currency")
            .or_else(|| s("amount_currency"))
            .or_else(|| Some("VND".to_owned())),
        rate_to_vnd: s("rate_to_vnd"),
        purpose: s("purpose"),
        commune: s("commune").map(|c| new_commune_of(&c, home)),
        contributed_on: s("contributed_on"),
        in_kind: s("in_kind"),
        notes: s("notes"),
        ..ContributionInput::default()
    }
}

/// Where the import is while it checks rows: the problems so far and the
/// registry people shown as candidates (their view is audited).
struct Check<'a> {
    rows: &'a Rows,
    cols: &'static [Column],
    problems: Vec<RowProblem>,
    revealed: Vec<i64>,
}

impl Check<'_> {
    /// The header of `field` as the list wrote it (else the template's).
    fn header_of(&self, field: &str) -> String {
        let f = match field {
            "registered_capital" => "registered_text",
            "realised_capital" => "realised_text",
            "donor_person_id" | "donor_association_id" | "donor_enterprise_id" => "donor",
            "investor" | "investor_person_ids" | "investor_enterprise_ids" => "investors",
            f => f,
        };
        self.rows
            .headers
            .iter()
            .find(|(x, _)| *x == f)
            .map(|(_, h)| h.clone())
            .or_else(|| {
                self.cols
                    .iter()
                    .find(|c| c.field == f)
                    .map(|c| c.header.to_owned())
            })
            .unwrap_or_default()
    }

    fn problem(&mut self, row: u32, field: &str, code: &str) {
        let column = self.header_of(field);
        self.problems
            .push(RowProblem::new(row, column, field, code));
    }

    /// The record's own refusals of a row, but for fields already named
    /// (a value in unknown words is not also "required").
    fn invalid(&mut self, row: u32, errs: Vec<crate::FieldError>) {
        for e in errs {
            if !self
                .problems
                .iter()
                .any(|p| p.row == row && p.field == e.field)
            {
                self.problem(row, &e.field, &e.code);
            }
        }
    }

    /// The clues of a row to tell namesakes apart (problems when unreadable).
    fn clues(&mut self, row: u32, m: &serde_json::Map<String, serde_json::Value>) -> donors::Clues {
        let mut clues = donors::Clues::default();
        if let Some(y) = text_of(m, "birth_year") {
            let this_year = crate::clock::today()
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(2026);
            match domain::dates::read_year(&y, this_year) {
                Ok(y) => clues.birth_year = Some(i64::from(y)),
                Err(_) => self.problem(row, "birth_year", "invalid_date"),
            }
        }
        if let Some(c) = text_of(m, "country") {
            match domain::geo::countries::resolve(&c) {
                Some(code) => clues.country = Some(code.to_owned()),
                None => self.problem(row, "country", "unknown_country"),
            }
        }
        clues.hometown = text_of(m, "hometown");
        clues
    }

    /// The record `name` means among `kinds` (a problem of `field` when
    /// none or several).
    #[expect(clippy::too_many_arguments, reason = "one row's lookup, named")]
    async fn find(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        home: &str,
        row: u32,
        field: &str,
        kinds: &[&str],
        name: &str,
        clues: &donors::Clues,
    ) -> AppResult<Option<donors::Match>> {
        Ok(
            match donors::find(conn, actor, kinds, name, clues, home).await? {
                donors::Found::One(m) => Some(m),
                donors::Found::None => {
                    self.problem(row, field, &format!("{field}_not_found"));
                    None
                }
                donors::Found::Many { words, people } => {
                    let column = self.header_of(field);
                    let mut p = RowProblem::new(row, column, field, &format!("{field}_ambiguous"));
                    p.candidates = words;
                    self.problems.push(p);
                    self.revealed.extend(people);
                    None
                }
            },
        )
    }
}

/// Imports a list of `kind` (`associations`, `projects` or
/// `contributions`) from an .xlsx or .csv file: every record or none (see
/// the module's doc).
pub async fn import(
    app: &App,
    actor: &Actor,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
    vocab: &Vocabulary<'_>,
) -> AppResult<Outcome> {
    match kind {
        "associations" => {
            crate::access::authorize(actor, crate::access::Action::AssociationCreate)?;
        }
        "projects" => crate::access::authorize(actor, crate::access::Action::ProjectEdit)?,
        "contributions" => {
            crate::access::authorize(actor, crate::access::Action::ContributionEdit)?;
        }
        _ => return Err(AppError::NotFound),
    }
    let rows = read_rows(kind, file_name, bytes, vocab)?;
    let mut outcome = Outcome {
        kind: kind.to_owned(),
        created: Vec::new(),
        problems: Vec::new(),
    };
    // A file that cannot be read as a list: nothing more to check. A value
    // in unknown words: every row is still checked, to name every problem.
    if rows
        .problems
        .iter()
        .any(|p| p.field == "file" || p.code == "column_missing")
    {
        outcome.problems = rows.problems;
        return Ok(outcome);
    }
    let home = app.settings.home_province.clone();
    let mut check = Check {
        rows: &rows,
        cols: columns(kind)?,
        problems: rows.problems.clone(),
        revealed: Vec::new(),
    };
    let mut tx = app.db.begin_write().await?;
    let mut names: Vec<String> = Vec::new();
    for (row, m) in &rows.inputs {
        let row = *row;
        let created = match kind {
            "associations" => {
                let input = association_input(m);
                // The same name twice in the file: the second is a problem.
                let name = domain::text::fold(input.name.as_deref().unwrap_or_default().trim());
                if !name.is_empty() && names.contains(&name) {
                    check.problem(row, "name", "taken");
                    continue;
                }
                names.push(name);
                associations::create_in(&mut tx, app, actor, &input).await
            }
            "projects" => {
                let mut input = project_input(m, &home);
                let before = check.problems.len();
                let clues = check.clues(row, m);
                let investors = text_of(m, "investors").unwrap_or_default();
                let (mut people, mut firms) = (Vec::new(), Vec::new());
                for name in investors.split([';', '\n']).map(str::trim) {
                    if name.is_empty() {
                        continue;
                    }
                    let found = check
                        .find(
                            &mut tx.tx,
                            actor,
                            &home,
                            row,
                            "investor",
                            &["person", "enterprise"],
                            name,
                            &clues,
                        )
                        .await?;
                    match found {
                        Some(donors::Match::Person(id)) => people.push(id),
                        Some(donors::Match::Enterprise(id)) => firms.push(id),
                        _ => {}
                    }
                }
                input.investor_person_ids = Some(people);
                input.investor_enterprise_ids = Some(firms);
                let status = text_of(m, "status");
                let status_on = project_status_on(&mut check, row, m, status.as_deref());
                if check.problems.len() > before {
                    continue;
                }
                match projects::create_in(&mut tx, app, actor, &input).await {
                    Ok(id) => match (status, status_on) {
                        (Some(st), Some(on)) => {
                            projects::open_status_in(&mut tx, app, actor, id, &st, &on)
                                .await
                                .map(|()| id)
                        }
                        _ => Ok(id),
                    },
                    e => e,
                }
            }
            _ => {
                let mut input = contribution_input(m, &home);
                let before = check.problems.len();
                let clues = check.clues(row, m);
                let kinds: Vec<&str> = match text_of(m, "donor_kind") {
                    Some(k) => contributions::DONOR_KINDS
                        .iter()
                        .copied()
                        .filter(|x| *x == k)
                        .collect(),
                    None => contributions::DONOR_KINDS.to_vec(),
                };
                match text_of(m, "donor") {
                    None => check.problem(row, "donor", "required"),
                    Some(name) => {
                        let found = check
                            .find(
                                &mut tx.tx, actor, &home, row, "donor", &kinds, &name, &clues,
                            )
                            .await?;
                        match found {
                            Some(donors::Match::Person(id)) => {
                                input.donor_kind = Some("person".into());
                                input.donor_person_id = Some(id);
                            }
                            Some(donors::Match::Association(id)) => {
                                input.donor_kind = Some("association".into());
                                input.donor_association_id = Some(id);
                            }
                            Some(donors::Match::Enterprise(id)) => {
                                input.donor_kind = Some("enterprise".into());
                                input.donor_enterprise_id = Some(id);
                            }
                            None => {}
                        }
                    }
                }
                if check.problems.len() > before {
                    continue;
                }
                contributions::create_in(&mut tx, app, actor, &input).await
            }
        };
        match created {
            Ok(id) => outcome.created.push(id),
            Err(AppError::Invalid(errs)) => check.invalid(row, errs),
            Err(e) => return Err(e),
        }
    }
    outcome.problems = std::mem::take(&mut check.problems);
    if outcome.problems.is_empty() {
        crate::audit::append(
            &mut tx,
            app,
            actor,
            crate::audit::Event::new("community.import", "import", &kind)
                .with(serde_json::json!({"file": file_name, "created": outcome.created.len()})),
        )
        .await?;
        tx.commit().await?;
    } else {
        // Nothing written: the transaction is dropped (rolled back).
        outcome.created.clear();
        drop(tx);
        if !check.revealed.is_empty() {
            // The namesakes listed to the officer are people seen.
            let mut tx = app.db.begin_write().await?;
            crate::audit::append(
                &mut tx,
                app,
                actor,
                crate::audit::Event::new("community.import_candidates", "import", &kind)
                    .with(serde_json::json!({"file": file_name, "people": check.revealed})),
            )
            .await?;
            tx.commit().await?;
        }
    }
    Ok(outcome)
}

/// The day of a project's status in the list: its "from" column, else the
/// licence date for "licensed"; a status with no day is a problem.
fn project_status_on(
    check: &mut Check<'_>,
    row: u32,
    m: &serde_json::Map<String, serde_json::Value>,
    status: Option<&str>,
) -> Option<String> {
    let status = status?;
    let text = text_of(m, "status_on").or_else(|| {
        (status == "licensed")
            .then(|| text_of(m, "licence_date"))
            .flatten()
    });
    let Some(text) = text else {
        if status != "proposed" {
            check.problem(row, "status_on", "required");
        }
        return None;
    };
    let mut errs = Vec::new();
    let on = super::investment::day_or_month("status_on", &text, true, &mut errs);
    check.invalid(row, errs);
    // A month or a year alone is kept as such (shown "05/2006"), not
    // given a day the list does not say.
    on
}

/// The template of `kind`: the Vietnamese headers under a title row, an
/// example row, and a sheet listing the allowed values in words.
pub fn template(kind: &str, vocab: &Vocabulary<'_>) -> AppResult<Vec<u8>> {
    let cols = columns(kind)?;
    write_template(kind, cols, vocab).map_err(|e| AppError::Unexpected(e.into()))
}

fn write_template(
    kind: &str,
    cols: &[Column],
    vocab: &Vocabulary<'_>,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let title = match kind {
        "associations" => "DANH SÁCH HỘI, ĐOÀN THỂ NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI",
        "contributions" => "DANH SÁCH ĐÓNG GÓP CỦA KIỀU BÀO CHO QUÊ HƯƠNG",
        _ => "DANH SÁCH DỰ ÁN ĐẦU TƯ CỦA NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI",
    };
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    sheet.write_string_with_format(2, 0, "STT", &bold)?;
    for (c, col) in (1u16..).zip(cols) {
        sheet.write_string_with_format(2, c, col.header, &bold)?;
        sheet.write_string(3, c, col.example)?;
        sheet.set_column_width(c, 24)?;
    }
    sheet.write_number(3, 0, 1)?;
    let values = book.add_worksheet();
    values.set_name("Giá trị được chấp nhận")?;
    values.write_string_with_format(0, 0, "Cột", &bold)?;
    values.write_string_with_format(0, 1, "Giá trị được chấp nhận", &bold)?;
    let mut row = 1u32;
    for col in cols {
        let words: Vec<String> = match (col.codes, col.field) {
            (Some(k), _) => codes(k).iter().map(|c| (vocab.label)(k, c)).collect(),
            (None, "country") => vec![
                "Tên nước bằng tiếng Việt hoặc tiếng Anh, hoặc mã 2 chữ (Nhật Bản, Japan, JP)"
                    .into(),
            ],
            (None, "sector") => {
                vec!["Mã ngành VSIC 2018 (chữ cái hoặc 2 số, ví dụ I, 55) hoặc tên ngành".into()]
            }
            (None, "commune") => vec![
                "Tên xã, phường của tỉnh, mới (sau 01/7/2025) hoặc cũ nếu nay thuộc một xã, phường mới".into(),
            ],
            (None, "currency") => vec![
                "VND (đồng), USD (đô la Mỹ), EUR, JPY, KRW, AUD, CAD...; để trống là đồng".into(),
            ],
            (None, "registered_text" | "realised_text") => {
                vec!["Số tiền: 1.500.000.000 hoặc 1,500,000,000 hoặc 3,5 tỷ, 250 triệu".into()]
            }
            (None, "rate_to_vnd") => {
                vec!["Số đồng cho một đơn vị ngoại tệ (không cần với đồng)".into()]
            }
            (None, "founded_on" | "contributed_on" | "status_on") => vec![
                "Ngày như gõ: 15/03/2012, 03/2012, tháng 3/2012 hoặc 2012".into(),
            ],
            (None, "donor") => vec![
                "Họ tên kiều bào (có trong sổ), tên hội hoặc tên doanh nghiệp (hoặc số đăng ký)".into(),
                "Nếu có nhiều người trùng tên, ghi thêm năm sinh, quốc gia hoặc quê quán".into(),
            ],
            (None, "investors") => vec![
                "Tên doanh nghiệp (hoặc số đăng ký) hoặc họ tên kiều bào; nhiều nhà đầu tư cách nhau bằng dấu ;".into(),
            ],
            (None, "birth_year") => vec!["Năm sinh của kiều bào, để phân biệt người trùng tên".into()],
            (None, "hometown") => vec!["Xã, phường quê quán (tên mới hoặc cũ)".into()],
            (None, "amount") => vec![
                "Số tiền kèm loại tiền: 50.000 USD, 3,5 tỷ, 200 triệu đồng, 1.500.000".into(),
            ],
            (None, "licence_date") => vec!["Ngày: 12/02/2004".into()],
            _ => continue,
        };
        values.write_string_with_format(row, 0, col.header, &bold)?;
        for w in words {
            values.write_string(row, 1, w)?;
            row += 1;
        }
    }
    values.set_column_width(0, 28)?;
    values.set_column_width(1, 70)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::{
        ASSOCIATION_COLUMNS, CONTRIBUTION_COLUMNS, PROJECT_COLUMNS, amount_and_currency, column_of,
        expand_scale, synonym, unit_of,
    };

    #[test]
    fn an_amount_and_its_currency_in_one_cell_are_read_apart() {
        let f = |t| amount_and_currency(t);
        assert_eq!(f("50.000 USD"), ("50.000".into(), Some("USD".into())));
        assert_eq!(f("3,5 tỷ"), ("3500000000".into(), Some("VND".into())));
        assert_eq!(
            f("200 triệu đồng"),
            ("200000000".into(), Some("VND".into()))
        );
        assert_eq!(f("1.500.000"), ("1.500.000".into(), None));
        assert_eq!(f("1 000 000 yên"), ("1000000".into(), Some("JPY".into())));
    }

    #[test]
    fn a_unit_in_brackets_is_taken_off_the_header() {
        assert_eq!(
            unit_of("Vốn đầu tư (tỷ đồng) - Đăng ký"),
            ("Vốn đầu tư - Đăng ký".into(), Some("tỷ"), Some("VND"))
        );
        assert_eq!(
            unit_of("Số tiền (USD)"),
            ("Số tiền".into(), None, Some("USD"))
        );
        assert_eq!(
            unit_of("Địa điểm (xã, phường)"),
            ("Địa điểm (xã, phường)".into(), None, None)
        );
    }

    #[test]
    fn officials_words_for_coded_values_are_read_and_doubt_is_refused() {
        assert_eq!(
            synonym("project_status", "Đi vào hoạt động").as_deref(),
            Some("operating")
        );
        assert_eq!(
            synonym("project_status", "đã cấp GCNĐT").as_deref(),
            Some("licensed")
        );
        assert_eq!(
            synonym("contribution_purpose", "Xây trường học cho xã").as_deref(),
            Some("infrastructure")
        );
        assert_eq!(synonym("donor_kind", "Cá nhân").as_deref(), Some("person"));
        // Two purposes at once: not guessed.
        assert_eq!(synonym("contribution_purpose", "học bổng và y tế"), None);
        assert_eq!(synonym("contribution_purpose", "cầu lông"), None);
    }

    #[test]
    fn contribution_headers_are_found_as_officers_write_them() {
        let f = |h| column_of(CONTRIBUTION_COLUMNS, h).map(|c| c.field);
        assert_eq!(f("Họ và tên"), Some("donor"));
        assert_eq!(f("Xã, phường thụ hưởng"), Some("commune"));
        assert_eq!(f("Số tiền đóng góp"), Some("amount"));
        assert_eq!(f("Ngày đóng góp"), Some("contributed_on"));
    }

    #[test]
    fn amounts_with_a_scale_word_are_written_in_digits() {
        assert_eq!(expand_scale("3,5 tỷ"), "3500000000");
        assert_eq!(expand_scale("3.335,65 tỷ"), "3335650000000");
        assert_eq!(expand_scale("1.500 tỷ"), "1500000000000");
        assert_eq!(expand_scale("250 triệu"), "250000000");
        assert_eq!(expand_scale("12 tỷ đồng"), "12000000000");
        assert_eq!(expand_scale("1.500.000.000"), "1.500.000.000");
    }

    #[test]
    fn headers_are_found_with_or_without_marks_and_under_a_merged_parent() {
        let f = |cols, h| column_of(cols, h).map(|c| c.field);
        assert_eq!(f(ASSOCIATION_COLUMNS, "TÊN HỘI"), Some("name"));
        assert_eq!(f(ASSOCIATION_COLUMNS, "quoc gia"), Some("country"));
        assert_eq!(
            f(PROJECT_COLUMNS, "Vốn đầu tư - Đăng ký"),
            Some("registered_text")
        );
        assert_eq!(
            f(PROJECT_COLUMNS, "Vốn đầu tư - Thực hiện"),
            Some("realised_text")
        );
        assert_eq!(f(PROJECT_COLUMNS, "Ghi chú lạ"), None);
    }
}
