//! Economic sectors by the Vietnamese Standard Industrial Classification
//! (VSIC 2018, Decision 27/2018/QĐ-TTg): its 21 sections (level 1, a letter)
//! and the level-2 divisions (two digits) investment projects of the
//! diaspora most often fall in. Names as the decision writes them.

/// A sector: a level-1 section or a level-2 division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sector {
    /// `C` (section) or `10` (division).
    pub code: &'static str,
    /// The section a division belongs to (itself for a section).
    pub section: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
}

const fn s(
    code: &'static str,
    section: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
) -> Sector {
    Sector {
        code,
        section,
        name_vi,
        name_en,
    }
}

/// Sections, then divisions under their section.
pub const SECTORS: &[Sector] = &[
    s(
        "A",
        "A",
        "Nông nghiệp, lâm nghiệp và thủy sản",
        "Agriculture, forestry and fishing",
    ),
    s(
        "01",
        "A",
        "Nông nghiệp và hoạt động dịch vụ có liên quan",
        "Crop and animal production",
    ),
    s(
        "03",
        "A",
        "Khai thác, nuôi trồng thủy sản",
        "Fishing and aquaculture",
    ),
    s("B", "B", "Khai khoáng", "Mining and quarrying"),
    s("C", "C", "Công nghiệp chế biến, chế tạo", "Manufacturing"),
    s(
        "10",
        "C",
        "Sản xuất, chế biến thực phẩm",
        "Manufacture of food products",
    ),
    s("13", "C", "Dệt", "Manufacture of textiles"),
    s(
        "14",
        "C",
        "Sản xuất trang phục",
        "Manufacture of wearing apparel",
    ),
    s(
        "24",
        "C",
        "Sản xuất kim loại",
        "Manufacture of basic metals",
    ),
    s(
        "26",
        "C",
        "Sản xuất sản phẩm điện tử, máy vi tính và sản phẩm quang học",
        "Manufacture of computer, electronic and optical products",
    ),
    s(
        "D",
        "D",
        "Sản xuất và phân phối điện, khí đốt, nước nóng, hơi nước và điều hòa không khí",
        "Electricity, gas, steam and air conditioning supply",
    ),
    s(
        "E",
        "E",
        "Cung cấp nước; hoạt động quản lý và xử lý rác thải, nước thải",
        "Water supply; sewerage, waste management and remediation",
    ),
    s("F", "F", "Xây dựng", "Construction"),
    s(
        "41",
        "F",
        "Xây dựng nhà các loại",
        "Construction of buildings",
    ),
    s(
        "42",
        "F",
        "Xây dựng công trình kỹ thuật dân dụng",
        "Civil engineering",
    ),
    s(
        "G",
        "G",
        "Bán buôn và bán lẻ; sửa chữa ô tô, mô tô, xe máy và xe có động cơ khác",
        "Wholesale and retail trade; repair of motor vehicles and motorcycles",
    ),
    s("47", "G", "Bán lẻ", "Retail trade"),
    s("H", "H", "Vận tải kho bãi", "Transportation and storage"),
    s(
        "52",
        "H",
        "Kho bãi và các hoạt động hỗ trợ cho vận tải",
        "Warehousing and support activities for transportation",
    ),
    s(
        "I",
        "I",
        "Dịch vụ lưu trú và ăn uống",
        "Accommodation and food service activities",
    ),
    s("55", "I", "Dịch vụ lưu trú", "Accommodation"),
    s(
        "56",
        "I",
        "Dịch vụ ăn uống",
        "Food and beverage service activities",
    ),
    s(
        "J",
        "J",
        "Thông tin và truyền thông",
        "Information and communication",
    ),
    s(
        "62",
        "J",
        "Lập trình máy vi tính, dịch vụ tư vấn và các hoạt động khác liên quan đến máy vi tính",
        "Computer programming, consultancy and related activities",
    ),
    s(
        "K",
        "K",
        "Hoạt động tài chính, ngân hàng và bảo hiểm",
        "Financial, banking and insurance activities",
    ),
    s(
        "L",
        "L",
        "Hoạt động kinh doanh bất động sản",
        "Real estate activities",
    ),
    s(
        "M",
        "M",
        "Hoạt động chuyên môn, khoa học và công nghệ",
        "Professional, scientific and technical activities",
    ),
    s(
        "N",
        "N",
        "Hoạt động hành chính và dịch vụ hỗ trợ",
        "Administrative and support service activities",
    ),
    s(
        "79",
        "N",
        "Hoạt động của các đại lý du lịch, kinh doanh tua du lịch",
        "Travel agency and tour operator activities",
    ),
    s(
        "O",
        "O",
        "Hoạt động của Đảng Cộng sản, tổ chức chính trị - xã hội, quản lý nhà nước, an ninh quốc phòng; bảo đảm xã hội bắt buộc",
        "Public administration and defence; compulsory social security",
    ),
    s("P", "P", "Giáo dục và đào tạo", "Education"),
    s(
        "Q",
        "Q",
        "Y tế và hoạt động trợ giúp xã hội",
        "Human health and social work activities",
    ),
    s("86", "Q", "Hoạt động y tế", "Human health activities"),
    s(
        "R",
        "R",
        "Nghệ thuật, vui chơi và giải trí",
        "Arts, entertainment and recreation",
    ),
    s(
        "S",
        "S",
        "Hoạt động dịch vụ khác",
        "Other service activities",
    ),
    s(
        "T",
        "T",
        "Hoạt động làm thuê các công việc trong các hộ gia đình, sản xuất sản phẩm vật chất và dịch vụ tự tiêu dùng của hộ gia đình",
        "Activities of households as employers and for own use",
    ),
    s(
        "U",
        "U",
        "Hoạt động của các tổ chức và cơ quan quốc tế",
        "Activities of extraterritorial organisations and bodies",
    ),
];

/// The sector of a code (a section letter in either case, or two digits).
pub fn sector(code: &str) -> Option<&'static Sector> {
    let code = code.trim();
    SECTORS.iter().find(|s| s.code.eq_ignore_ascii_case(code))
}

/// The sector a code or a name names ("C", "10", "Xây dựng", "construction").
pub fn resolve(text: &str) -> Option<&'static Sector> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(s) = sector(t) {
        return Some(s);
    }
    let f = crate::text::fold(t);
    SECTORS
        .iter()
        .find(|s| crate::text::fold(s.name_vi) == f || crate::text::fold(s.name_en) == f)
}

/// The sector's name in the page's language (`en` or Vietnamese); the
/// division's name alone (its section is implied).
pub fn name(code: &str, en: bool) -> Option<&'static str> {
    sector(code).map(|s| if en { s.name_en } else { s.name_vi })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectors_are_found_by_code_or_name() {
        assert_eq!(resolve("c").unwrap().code, "C");
        assert_eq!(resolve("10").unwrap().section, "C");
        assert_eq!(resolve("xay dung").unwrap().code, "F");
        assert_eq!(resolve("Construction").unwrap().code, "F");
        assert!(resolve("ZZ").is_none());
        assert_eq!(name("55", false), Some("Dịch vụ lưu trú"));
    }

    #[test]
    fn every_division_has_its_section() {
        for s in SECTORS {
            assert!(sector(s.section).is_some(), "{}", s.code);
            assert!(s.code.len() == 1 || s.code.len() == 2);
        }
    }
}
