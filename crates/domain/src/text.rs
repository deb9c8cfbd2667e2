//! Vietnamese-aware text folding.
//!
//! Search and matching must treat "Đức", "Duc" and "ĐỨC" alike. Unicode
//! decomposition removes the tone and vowel marks, but "đ"/"Đ" (U+0111/U+0110)
//! is a letter of its own, not "d" plus a mark, so it is mapped explicitly
//! (`SQLite` FTS5's `remove_diacritics` misses exactly this).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folds one string: strips diacritics, maps đ→d, lowercases, turns every run of
/// non-alphanumeric characters into one space and trims.
///
/// ```
/// assert_eq!(domain::text::fold("  Nguyễn   VĂN Đức "), "nguyen van duc");
/// assert_eq!(domain::text::fold("ĐỨC"), domain::text::fold("Duc"));
/// ```
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    let mut put = |c: char| {
        if is_combining_mark(c) {
            return;
        }
        let c = match c {
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                for l in c.to_lowercase() {
                    out.push(l);
                }
            }
        } else {
            pending_space = true;
        }
    };
    // Each character's full canonical decomposition, marks dropped: the same
    // letters as the NFD of the whole string (NFD's reordering only moves
    // marks), without its buffering, which was most of the cost of an import.
    for c in input.chars() {
        if c.is_ascii() {
            put(c);
        } else {
            decompose_canonical(c, &mut put);
        }
    }
    out
}

/// Folds and removes every space: the "key" form used for unit names
/// ("Hà Tĩnh" → "hatinh").
pub fn fold_key(input: &str) -> String {
    let mut f = fold(input);
    f.retain(|c| c != ' ');
    f
}

/// Splits a folded string into its syllables.
pub fn syllables(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|s| !s.is_empty())
}

/// True when the string contains a control character other than tab, CR or LF.
pub fn has_forbidden_control(input: &str) -> bool {
    input
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// Text as a spreadsheet cell that can never run as a formula: a value
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading quote (CSV and xlsx exports, the import report).
pub fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese_letters_and_case() {
        assert_eq!(fold("Đức"), "duc");
        assert_eq!(fold("ĐỨC"), "duc");
        assert_eq!(fold("Duc"), "duc");
        assert_eq!(fold("Nguyễn Thị Thu Hà"), "nguyen thi thu ha");
        assert_eq!(fold("Huỳnh-Lê, Ánh"), "huynh le anh");
        assert_eq!(fold_key("Thành phố Hồ Chí Minh"), "thanhphohochiminh");
    }

    #[test]
    fn precomposed_and_decomposed_inputs_fold_alike() {
        let precomposed = "Nguy\u{1ec5}n";
        let decomposed = "Nguye\u{302}\u{303}n";
        assert_eq!(fold(precomposed), fold(decomposed));
    }

    #[test]
    fn control_characters_are_detected() {
        assert!(has_forbidden_control("abc\u{0}"));
        assert!(!has_forbidden_control("line\nnext\ttab"));
    }

    /// The folding as first written: NFD of the whole string, marks dropped.
    fn fold_by_nfd(input: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let mut out = String::new();
        let mut pending_space = false;
        for c in input.nfd() {
            if is_combining_mark(c) {
                continue;
            }
            let c = match c {
                'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
                _ => c,
            };
            if c.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.extend(c.to_lowercase());
            } else {
                pending_space = true;
            }
        }
        out
    }

    #[test]
    fn per_character_decomposition_folds_as_nfd_does() {
        for s in [
            "Nguyễn Văn Đức",
            "NGUYỄN THỊ THU HÀ",
            "Nguye\u{0302}\u{0303}n",
            "Phường Thành Sen, Tỉnh Hà Tĩnh",
            "Ærøskøbing — Đà Lạt / İstanbul ǅemal ﬁ",
            "ẞ straße Ω Å ḱ",
        ] {
            assert_eq!(fold(s), fold_by_nfd(s), "{s}");
        }
    }

    proptest! {
        #[test]
        fn fold_equals_the_nfd_folding(s in "\\PC{0,40}") {
            prop_assert_eq!(fold(&s), fold_by_nfd(&s));
        }

        #[test]
        fn fold_equals_the_nfd_folding_on_vietnamese(s in "[a-zA-ZđĐăâêôơưĂÂÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ \u{300}-\u{36f},.]{0,40}") {
            prop_assert_eq!(fold(&s), fold_by_nfd(&s));
        }

        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn fold_never_has_double_or_edge_spaces(s in "\\PC{0,40}") {
            let f = fold(&s);
            prop_assert!(!f.contains("  "));
            prop_assert!(!f.starts_with(' ') && !f.ends_with(' '));
        }
    }
}
