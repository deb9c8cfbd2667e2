//! Which column holds which field: matched on folded headers ("Họ và tên",
//! "Ho ten", "HỌ TÊN" alike), corrected by the user, remembered per source.

use domain::text::fold;

/// A field an imported column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    /// Template header (Vietnamese) and its English note.
    pub header_vi: &'static str,
    pub header_en: &'static str,
    /// Folded header variants met in agencies' files.
    pub synonyms: &'static [&'static str],
}

/// Every importable field, in template order.
pub const FIELDS: &[Field] = &[
    Field {
        key: "full_name",
        header_vi: "Họ và tên",
        header_en: "Full name (required)",
        synonyms: &[
            "ho va ten",
            "ho ten",
            "ho va ten kieu bao",
            "ten",
            "ten day du",
            "full name",
            "name",
            "fullname",
            "ho ten cong dan",
        ],
    },
    Field {
        key: "other_names",
        header_vi: "Tên khác",
        header_en: "Other names: married, foreign, alias (separate with ;)",
        synonyms: &[
            "ten khac",
            "ten goi khac",
            "bi danh",
            "other names",
            "alias",
            "aliases",
            "ten nuoc ngoai",
        ],
    },
    Field {
        key: "gender",
        header_vi: "Giới tính",
        header_en: "Gender (Nam/Nữ)",
        synonyms: &["gioi tinh", "gioi", "gender", "sex", "phai"],
    },
    Field {
        key: "birth_date",
        header_vi: "Ngày sinh",
        header_en: "Birth date (DD/MM/YYYY, MM/YYYY or year)",
        synonyms: &[
            "ngay sinh",
            "nam sinh",
            "ngay thang nam sinh",
            "sinh ngay",
            "birth date",
            "date of birth",
            "dob",
            "birthdate",
            "ns",
        ],
    },
    Field {
        key: "category",
        header_vi: "Diện",
        header_en: "Category (Việt kiều, lao động, du học, kết hôn...)",
        synonyms: &[
            "dien",
            "doi tuong",
            "loai",
            "phan loai",
            "category",
            "type",
            "dien kieu bao",
        ],
    },
    Field {
        key: "generation",
        header_vi: "Thế hệ",
        header_en: "Generation (1-4)",
        synonyms: &["the he", "doi", "generation"],
    },
    Field {
        key: "country",
        header_vi: "Quốc gia",
        header_en: "Country of residence (name or ISO code)",
        synonyms: &[
            "quoc gia",
            "nuoc",
            "nuoc cu tru",
            "quoc gia cu tru",
            "nuoc dinh cu",
            "country",
            "country of residence",
            "noi cu tru",
            "nuoc dang o",
        ],
    },
    Field {
        key: "city_abroad",
        header_vi: "Thành phố",
        header_en: "City abroad",
        synonyms: &[
            "thanh pho",
            "tinh thanh",
            "city",
            "thanh pho o nuoc ngoai",
            "city abroad",
        ],
    },
    Field {
        key: "address_abroad",
        header_vi: "Địa chỉ ở nước ngoài",
        header_en: "Address abroad",
        synonyms: &[
            "dia chi o nuoc ngoai",
            "dia chi nuoc ngoai",
            "dia chi",
            "address",
            "address abroad",
        ],
    },
    Field {
        key: "hometown_text",
        header_vi: "Quê quán",
        header_en: "Hometown (commune, district, province as written)",
        synonyms: &[
            "que quan",
            "que",
            "nguyen quan",
            "dia chi que quan",
            "hometown",
            "home town",
            "que huong",
            "noi sinh",
            "dia chi thuong tru",
            "thuong tru",
        ],
    },
    Field {
        key: "hometown_code",
        header_vi: "Mã xã",
        header_en: "Commune code (new, 5 digits)",
        synonyms: &[
            "ma xa",
            "ma xa moi",
            "commune code",
            "hometown code",
            "ma don vi",
        ],
    },
    Field {
        key: "departure_year",
        header_vi: "Năm xuất cảnh",
        header_en: "Year of departure",
        synonyms: &[
            "nam xuat canh",
            "nam di",
            "xuat canh",
            "departure year",
            "year of departure",
        ],
    },
    Field {
        key: "passport_no",
        header_vi: "Số hộ chiếu",
        header_en: "Passport number",
        synonyms: &[
            "so ho chieu",
            "ho chieu",
            "passport",
            "passport no",
            "passport number",
            "so hc",
        ],
    },
    Field {
        key: "id_no",
        header_vi: "Số định danh/CCCD",
        header_en: "ID number",
        synonyms: &[
            "so dinh danh",
            "cccd",
            "cmnd",
            "so cccd",
            "so cmnd",
            "id",
            "id number",
            "can cuoc",
        ],
    },
    Field {
        key: "phone",
        header_vi: "Điện thoại",
        header_en: "Phone",
        synonyms: &[
            "dien thoai",
            "so dien thoai",
            "sdt",
            "dt",
            "phone",
            "telephone",
            "mobile",
        ],
    },
    Field {
        key: "email",
        header_vi: "Thư điện tử",
        header_en: "Email",
        synonyms: &["thu dien tu", "email", "e mail", "mail"],
    },
    Field {
        key: "occupation",
        header_vi: "Nghề nghiệp",
        header_en: "Occupation",
        synonyms: &["nghe nghiep", "cong viec", "nghe", "occupation", "job"],
    },
    Field {
        key: "enterprise",
        header_vi: "Doanh nghiệp, tổ chức",
        header_en: "Enterprise or organisation",
        synonyms: &[
            "doanh nghiep",
            "to chuc",
            "noi lam viec",
            "enterprise",
            "company",
            "organisation",
        ],
    },
    Field {
        key: "household_head",
        header_vi: "Họ tên chủ hộ (thân nhân)",
        header_en: "Head of the household at home (survey form)",
        synonyms: &[
            "ho ten chu ho",
            "chu ho",
            "ten chu ho",
            "household head",
            "than nhan",
            "ho ten than nhan",
        ],
    },
    Field {
        key: "household_address",
        header_vi: "Địa chỉ hộ",
        header_en: "Household address (village, hamlet)",
        synonyms: &[
            "dia chi ho",
            "dia chi ho gia dinh",
            "thon xom",
            "household address",
        ],
    },
    Field {
        key: "household_commune",
        header_vi: "Mã xã của hộ",
        header_en: "Household commune code (new, 5 digits)",
        synonyms: &[
            "ma xa cua ho",
            "ma xa ho",
            "household commune",
            "household commune code",
        ],
    },
    Field {
        key: "relationship_to_head",
        header_vi: "Quan hệ với chủ hộ",
        header_en: "The person abroad is the head's: con, cháu, vợ/chồng, anh/chị/em, cha/mẹ...",
        synonyms: &[
            "quan he voi chu ho",
            "quan he",
            "relationship",
            "relationship to head",
        ],
    },
    Field {
        key: "status",
        header_vi: "Tình trạng",
        header_en: "Status: đang ở nước ngoài, đã về nước, đã mất, mất liên lạc",
        synonyms: &[
            "tinh trang",
            "hien trang",
            "tinh trang hien nay",
            "trang thai",
            "status",
        ],
    },
    Field {
        key: "notes",
        header_vi: "Ghi chú",
        header_en: "Notes",
        synonyms: &["ghi chu", "notes", "note", "ghi chu khac"],
    },
];

/// Fields only the household survey form carries.
pub const HOUSEHOLD_FIELDS: &[&str] = &[
    "household_head",
    "household_address",
    "household_commune",
    "relationship_to_head",
];

/// The fields of a source's template: the core fields (the household
/// survey form adds the household and the relationship to it), then the
/// source's own fields ([`domain::source_fields`]).
pub fn template_fields(source: domain::Agency) -> Vec<&'static Field> {
    FIELDS
        .iter()
        .filter(|f| source == domain::Agency::Survey || !HOUSEHOLD_FIELDS.contains(&f.key))
        .chain(own_fields(source))
        .collect()
}

/// The field of a key: a core field or any department's own field.
pub fn field(key: &str) -> Option<&'static Field> {
    FIELDS
        .iter()
        .find(|f| f.key == key)
        .or_else(|| OWN_FIELDS.iter().find(|f| f.key == key))
}

/// The field of a key a source's column may fill: a core field or one of
/// the source's own fields.
pub fn field_for(source: domain::Agency, key: &str) -> Option<&'static Field> {
    FIELDS
        .iter()
        .find(|f| f.key == key)
        .or_else(|| own_fields(source).find(|f| f.key == key))
}

/// Every department's own field, as a mapping field (same order as
/// [`domain::source_fields::SOURCE_FIELDS`]).
static OWN_FIELDS: std::sync::LazyLock<Vec<Field>> = std::sync::LazyLock::new(|| {
    domain::source_fields::SOURCE_FIELDS
        .iter()
        .map(|f| Field {
            key: f.key,
            header_vi: f.header_vi,
            header_en: f.header_en,
            synonyms: f.synonyms,
        })
        .collect()
});

/// A source's own fields, as mapping fields.
pub fn own_fields(source: domain::Agency) -> impl Iterator<Item = &'static Field> {
    domain::source_fields::SOURCE_FIELDS
        .iter()
        .zip(OWN_FIELDS.iter())
        .filter(move |(d, _)| d.agency == source)
        .map(|(_, f)| f)
}

fn normalise(header: &str) -> String {
    // "Họ và tên (*)" / "1. Ho ten:" → "ho va ten"
    let f = fold(header);
    let words: Vec<&str> = f
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    words.join(" ")
}

/// The field a header names, if any. A header of two rows, "Quê quán - Xã",
/// names its parent's field when the parent is an address and the child one
/// of its parts, else the child's ("Nơi ở - Quốc gia"), else the parent's.
pub fn guess(header: &str) -> Option<&'static str> {
    if let Some(key) = guess_one(header) {
        return Some(key);
    }
    let (parent, child) = header.split_once(" - ")?;
    let p = guess_one(parent);
    let c = guess_one(child);
    match p {
        Some(k) if JOINABLE.contains(&k) && is_address_part(child) => p,
        _ => c.or(p),
    }
}

fn guess_one(header: &str) -> Option<&'static str> {
    guess_in(FIELDS.iter(), header)
}

/// The field a header names in a source's list: its own fields first (a
/// planning list's "Doanh nghiệp" is the enterprise it registered), then
/// the core fields.
pub fn guess_for(source: domain::Agency, header: &str) -> Option<&'static str> {
    guess_in(own_fields(source), header).or_else(|| guess(header))
}

fn guess_in<'a>(fields: impl Iterator<Item = &'a Field>, header: &str) -> Option<&'static str> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    fields
        .filter(|f| {
            f.synonyms.contains(&h.as_str()) || normalise(f.header_vi) == h || fold(f.key) == h
        })
        .map(|f| f.key)
        .next()
}

/// Fields whose parts may be in several columns of a two-row header
/// ("Quê quán" over "Xã", "Huyện", "Tỉnh"): the parts are joined in column
/// order, ", " between them.
pub const JOINABLE: &[&str] = &["hometown_text", "address_abroad"];

/// A part of an address: a unit ("Xã", "Huyện", "Tỉnh/Thành phố"...), a
/// village or a street.
fn is_address_part(header: &str) -> bool {
    const PARTS: &[&str] = &[
        "xa",
        "phuong",
        "thi tran",
        "xa phuong",
        "xa phuong thi tran",
        "huyen",
        "quan",
        "thi xa",
        "huyen thi xa",
        "quan huyen",
        "tinh",
        "thanh pho",
        "tinh thanh pho",
        "tinh thanh",
        "thon",
        "xom",
        "ban",
        "ap",
        "to",
        "khoi",
        "thon xom",
        "so nha",
        "duong",
        "pho",
        "commune",
        "ward",
        "district",
        "province",
        "village",
        "street",
    ];
    let n = normalise(header);
    PARTS.contains(&n.as_str())
}

/// A row-number column ("STT", "Số TT", "TT"): recognised, not imported.
pub fn is_row_number(header: &str) -> bool {
    matches!(
        normalise(header).as_str(),
        "stt" | "so tt" | "tt" | "so thu tu" | "thu tu" | "no"
    )
}

/// A mapping: for each column, the field it fills ("" for none).
pub type Mapping = Vec<String>;

/// Guesses the mapping of headers; a remembered mapping for the same
/// headers wins where it names a field.
pub fn guess_all(headers: &[String], remembered: Option<&[(String, String)]>) -> Mapping {
    guess_all_with(headers, remembered, &guess)
}

/// [`guess_all`] for a source's list: its own columns are recognised too.
pub fn guess_all_for(
    source: domain::Agency,
    headers: &[String],
    remembered: Option<&[(String, String)]>,
) -> Mapping {
    guess_all_with(headers, remembered, &|h| guess_for(source, h))
}

fn guess_all_with(
    headers: &[String],
    remembered: Option<&[(String, String)]>,
    guess: &dyn Fn(&str) -> Option<&'static str>,
) -> Mapping {
    let mut used = std::collections::HashSet::new();
    headers
        .iter()
        .map(|h| {
            let from_memory = remembered.and_then(|m| {
                let n = normalise(h);
                m.iter()
                    .find(|(header, _)| normalise(header) == n)
                    .map(|(_, f)| f.clone())
            });
            let key = from_memory.or_else(|| guess(h).map(str::to_owned));
            match key {
                // The parts of a two-row header's address fill one field.
                Some(k) if JOINABLE.contains(&k.as_str()) && h.contains(" - ") => {
                    used.insert(k.clone());
                    k
                }
                Some(k) if !k.is_empty() && used.insert(k.clone()) => k,
                _ => String::new(),
            }
        })
        .collect()
}

/// The cells and mapping a row is checked with: the columns of a
/// [`JOINABLE`] field mapped more than once are joined, in column order,
/// into the first of them ("Thạch Kim, Lộc Hà, Hà Tĩnh").
pub fn join_parts<'a>(
    cells: &'a [String],
    mapping: &'a [String],
) -> (
    std::borrow::Cow<'a, [String]>,
    std::borrow::Cow<'a, [String]>,
) {
    use std::borrow::Cow;
    let repeated = JOINABLE
        .iter()
        .any(|k| mapping.iter().filter(|m| m == k).count() > 1);
    if !repeated {
        return (Cow::Borrowed(cells), Cow::Borrowed(mapping));
    }
    let mut cells = cells.to_vec();
    let mut mapping = mapping.to_vec();
    for key in JOINABLE {
        let cols: Vec<usize> = mapping
            .iter()
            .enumerate()
            .filter(|(_, m)| m == key)
            .map(|(i, _)| i)
            .collect();
        let Some((&first, rest)) = cols.split_first() else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let parts: Vec<String> = cols
            .iter()
            .filter_map(|&c| cells.get(c).map(|t| t.trim().to_owned()))
            .filter(|t| !t.is_empty())
            .collect();
        if cells.len() <= first {
            cells.resize(first + 1, String::new());
        }
        cells[first] = parts.join(", ");
        for &c in rest {
            if let Some(t) = cells.get_mut(c) {
                t.clear();
            }
            mapping[c].clear();
        }
    }
    (Cow::Owned(cells), Cow::Owned(mapping))
}

/// True when a row of headers names at least two known fields.
pub fn looks_like_header(cells: &[String]) -> bool {
    cells.iter().filter(|c| guess(c).is_some()).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_with_or_without_diacritics() {
        for h in [
            "Họ và tên",
            "Ho ten",
            "HỌ TÊN",
            "1. Họ và tên (*)",
            "Full name",
        ] {
            assert_eq!(guess(h), Some("full_name"), "{h}");
        }
        for h in ["Quốc gia", "Nuoc", "NƯỚC CƯ TRÚ", "Country"] {
            assert_eq!(guess(h), Some("country"), "{h}");
        }
        assert_eq!(guess("Số hộ chiếu"), Some("passport_no"));
        assert_eq!(guess("Cột lạ"), None);
    }

    #[test]
    fn two_row_headers_and_row_numbers() {
        assert_eq!(guess("Quê quán - Xã"), Some("hometown_text"));
        assert_eq!(guess("Quê quán - Huyện"), Some("hometown_text"));
        assert_eq!(guess("Nơi ở hiện nay - Quốc gia"), Some("country"));
        assert_eq!(guess("Họ và tên - Chủ hộ"), Some("household_head"));
        for h in ["STT", "Số TT", "TT", "stt"] {
            assert!(is_row_number(h), "{h}");
            assert_eq!(guess(h), None, "{h}");
        }
        let headers: Vec<String> = [
            "STT",
            "Họ và tên",
            "Quê quán - Xã",
            "Quê quán - Huyện",
            "Quê quán - Tỉnh",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let m = guess_all(&headers, None);
        assert_eq!(
            m,
            vec![
                "",
                "full_name",
                "hometown_text",
                "hometown_text",
                "hometown_text"
            ]
        );
        let cells: Vec<String> = ["1", "An", "Thạch Kim", "", "Hà Tĩnh"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let (c, m) = join_parts(&cells, &m);
        assert_eq!(c[2], "Thạch Kim, Hà Tĩnh");
        assert_eq!(m.iter().filter(|k| *k == "hometown_text").count(), 1);
    }

    #[test]
    fn a_source_recognises_its_own_columns() {
        use domain::Agency;
        assert_eq!(
            guess_for(Agency::Labour, "Công ty phái cử"),
            Some("sending_company")
        );
        assert_eq!(guess_for(Agency::Education, "KINH PHÍ"), Some("funding"));
        assert_eq!(
            guess_for(Agency::PlanningInvestment, "Doanh nghiệp"),
            Some("enterprise_name")
        );
        // Another department's list keeps the core field.
        assert_eq!(
            guess_for(Agency::Police, "Doanh nghiệp"),
            Some("enterprise")
        );
        assert_eq!(guess_for(Agency::Police, "Kinh phí"), None);
        assert_eq!(guess_for(Agency::Justice, "Họ và tên"), Some("full_name"));
        for a in domain::Agency::ALL {
            for f in template_fields(*a) {
                assert_eq!(field_for(*a, f.key), Some(f), "{a} {}", f.key);
                assert_eq!(guess_for(*a, f.header_vi), Some(f.key), "{a} {}", f.key);
            }
        }
    }

    #[test]
    fn a_field_is_mapped_once_and_memory_wins() {
        let headers: Vec<String> = ["Họ tên", "Tên", "Nước", "Cột lạ"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            guess_all(&headers, None),
            vec!["full_name", "", "country", ""]
        );
        let memory = vec![("cot la".to_owned(), "notes".to_owned())];
        assert_eq!(
            guess_all(&headers, Some(&memory)),
            vec!["full_name", "", "country", "notes"]
        );
    }
}
