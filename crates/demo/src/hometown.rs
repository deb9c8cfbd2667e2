//! Hometowns (*quê quán*) given to the generator, and the ways their names are written.
//!
//! The generator does not read the administrative-unit reference data: callers
//! pass the communes to draw from. Since 1 July 2025 districts are abolished and
//! many communes merged, so a hometown has a legacy wording (commune, district,
//! province) and a new one (commune, province); records use either.

/// One commune people can come from, with its codes and both wordings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HometownOption {
    pub legacy_commune_code: String,
    pub legacy_district_code: String,
    pub legacy_province_code: String,
    pub new_commune_code: String,
    pub new_province_code: String,
    /// Legacy wording, e.g. "Xã Thạch Long, Huyện Thạch Hà, Tỉnh Hà Tĩnh".
    pub legacy_text: String,
    /// Wording after the 2025 reorganisation, e.g. "Xã Thạch Hà, Tỉnh Hà Tĩnh".
    pub new_text: String,
}

impl HometownOption {
    /// Province name without its unit word: "Tỉnh Hà Tĩnh" → "Hà Tĩnh".
    pub fn province_name(&self) -> &str {
        let last = self
            .new_text
            .rsplit(", ")
            .next()
            .unwrap_or(self.new_text.as_str());
        strip_unit_word(last)
    }

    /// Commune name of the legacy wording without its unit word.
    pub fn legacy_commune_name(&self) -> &str {
        strip_unit_word(self.legacy_text.split(", ").next().unwrap_or_default())
    }
}

/// Unit words, longest first, with their usual abbreviation.
const UNIT_WORDS: &[(&str, &str)] = &[
    ("Thành phố ", "TP. "),
    ("Thị trấn ", "TT. "),
    ("Thị xã ", "TX. "),
    ("Phường ", "P. "),
    ("Huyện ", "H. "),
    ("Tỉnh ", "T. "),
    ("Xã ", "X. "),
];

fn strip_unit_word(part: &str) -> &str {
    for (word, _) in UNIT_WORDS {
        if let Some(rest) = part.strip_prefix(word) {
            return rest;
        }
    }
    part
}

/// Abbreviates unit words ("Xã Thạch Long, Huyện Thạch Hà, Tỉnh Hà Tĩnh" →
/// "X. Thạch Long, H. Thạch Hà"); the province is dropped when `keep_province` is false.
pub fn abbreviate(text: &str, keep_province: bool) -> String {
    let parts: Vec<&str> = text.split(", ").collect();
    let mut out = String::with_capacity(text.len());
    for (i, part) in parts.iter().enumerate() {
        let is_province = i + 1 == parts.len() && i > 0;
        if is_province && !keep_province {
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        let mut done = false;
        for (word, short) in UNIT_WORDS {
            if let Some(rest) = part.strip_prefix(word) {
                if is_province {
                    // "Hà Tĩnh" reads better than "T. Hà Tĩnh".
                    out.push_str(rest);
                } else {
                    out.push_str(short);
                    out.push_str(rest);
                }
                done = true;
                break;
            }
        }
        if !done {
            out.push_str(part);
        }
    }
    out
}

/// Builds one fallback option.
fn option(legacy: (&str, &str, &str), district: &str, new: (&str, &str)) -> HometownOption {
    let (legacy_code, legacy_commune, district_code) = legacy;
    let (new_code, new_commune) = new;
    HometownOption {
        legacy_commune_code: legacy_code.to_owned(),
        legacy_district_code: district_code.to_owned(),
        legacy_province_code: "42".to_owned(),
        new_commune_code: new_code.to_owned(),
        new_province_code: "42".to_owned(),
        legacy_text: format!("{legacy_commune}, {district}, Tỉnh Hà Tĩnh"),
        new_text: format!("{new_commune}, Tỉnh Hà Tĩnh"),
    }
}

/// A small built-in list of real Hà Tĩnh communes with their post-2025 successors,
/// used by tests and when no reference data is at hand. Names and mergers are real;
/// the numeric codes are best-effort illustrations of the GSO coding (province 42,
/// districts 436–449) and must not be used as reference data.
pub fn fallback_hometowns() -> Vec<HometownOption> {
    [
        (
            ("18415", "Xã Thạch Long", "445"),
            "Huyện Thạch Hà",
            ("18412", "Xã Thạch Hà"),
        ),
        (
            ("18430", "Xã Thạch Kênh", "445"),
            "Huyện Thạch Hà",
            ("18427", "Xã Đông Kinh"),
        ),
        (
            ("18457", "Xã Thạch Xuân", "445"),
            "Huyện Thạch Hà",
            ("18457", "Xã Thạch Xuân"),
        ),
        (
            ("18352", "Xã Thiên Lộc", "443"),
            "Huyện Can Lộc",
            ("18349", "Xã Can Lộc"),
        ),
        (
            ("18367", "Xã Tùng Lộc", "443"),
            "Huyện Can Lộc",
            ("18367", "Xã Tùng Lộc"),
        ),
        (
            ("18313", "Xã Xuân Hội", "442"),
            "Huyện Nghi Xuân",
            ("18316", "Xã Đan Hải"),
        ),
        (
            ("18334", "Xã Cương Gián", "442"),
            "Huyện Nghi Xuân",
            ("18337", "Xã Cổ Đạm"),
        ),
        (
            ("18301", "Thị trấn Tiên Điền", "442"),
            "Huyện Nghi Xuân",
            ("18301", "Xã Tiên Điền"),
        ),
        (
            ("18244", "Xã Tùng Ảnh", "440"),
            "Huyện Đức Thọ",
            ("18241", "Xã Đức Thọ"),
        ),
        (
            ("18151", "Xã Sơn Trung", "439"),
            "Huyện Hương Sơn",
            ("18133", "Xã Hương Sơn"),
        ),
        (
            ("18388", "Xã Hương Trạch", "444"),
            "Huyện Hương Khê",
            ("18385", "Xã Phúc Trạch"),
        ),
        (
            ("18505", "Xã Cẩm Nhượng", "446"),
            "Huyện Cẩm Xuyên",
            ("18496", "Xã Thiên Cầm"),
        ),
        (
            ("18532", "Xã Kỳ Phong", "447"),
            "Huyện Kỳ Anh",
            ("18535", "Xã Kỳ Xuân"),
        ),
        (
            ("18583", "Phường Kỳ Ninh", "449"),
            "Thị xã Kỳ Anh",
            ("18583", "Phường Hải Ninh"),
        ),
        (
            ("18475", "Xã Thạch Kim", "448"),
            "Huyện Lộc Hà",
            ("18472", "Xã Lộc Hà"),
        ),
        (
            ("18073", "Phường Nam Hà", "436"),
            "Thành phố Hà Tĩnh",
            ("18070", "Phường Thành Sen"),
        ),
        (
            ("18127", "Phường Đậu Liêu", "437"),
            "Thị xã Hồng Lĩnh",
            ("18118", "Phường Nam Hồng Lĩnh"),
        ),
        (
            ("18286", "Xã Đức Bồng", "441"),
            "Huyện Vũ Quang",
            ("18289", "Xã Thượng Đức"),
        ),
    ]
    .into_iter()
    .map(|(legacy, district, new)| option(legacy, district, new))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_is_hatinh_and_well_formed() {
        let list = fallback_hometowns();
        assert!((10..=20).contains(&list.len()));
        for h in &list {
            assert_eq!(h.province_name(), "Hà Tĩnh");
            assert!(h.legacy_text.ends_with("Tỉnh Hà Tĩnh"));
            assert_eq!(h.legacy_text.split(", ").count(), 3);
            assert_eq!(h.new_text.split(", ").count(), 2);
            assert_eq!(h.legacy_commune_code.len(), 5);
        }
    }

    #[test]
    fn abbreviations_follow_common_usage() {
        assert_eq!(
            abbreviate("Xã Thạch Long, Huyện Thạch Hà, Tỉnh Hà Tĩnh", false),
            "X. Thạch Long, H. Thạch Hà"
        );
        assert_eq!(
            abbreviate("Thị trấn Tiên Điền, Huyện Nghi Xuân, Tỉnh Hà Tĩnh", true),
            "TT. Tiên Điền, H. Nghi Xuân, Hà Tĩnh"
        );
        assert_eq!(
            abbreviate("Phường Thành Sen, Tỉnh Hà Tĩnh", true),
            "P. Thành Sen, Hà Tĩnh"
        );
        assert_eq!(
            abbreviate("Phường Nam Hà, Thành phố Hà Tĩnh, Tỉnh Hà Tĩnh", false),
            "P. Nam Hà, TP. Hà Tĩnh"
        );
    }
}
