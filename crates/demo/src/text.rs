//! Spelling helpers: removing Vietnamese diacritics while keeping case, and
//! one-letter typing mistakes.

use rand::Rng;

use crate::pick::{DemoRng, index};

/// Letters with diacritics, grouped by the plain letter they fall back to.
const STRIP: &[(char, &str)] = &[
    ('a', "àáảãạăằắẳẵặâầấẩẫậä"),
    ('e', "èéẻẽẹêềếểễệë"),
    ('i', "ìíỉĩịï"),
    ('o', "òóỏõọôồốổỗộơờớởỡợö"),
    ('u', "ùúủũụưừứửữựü"),
    ('y', "ỳýỷỹỵ"),
    ('d', "đ"),
];

/// Vowels that differ only by tone mark: mistyping one for another is the most
/// common slip in Vietnamese names ("Hùng" → "Húng").
const TONE_FAMILIES: &[&str] = &[
    "aàáảãạ",
    "ăằắẳẵặ",
    "âầấẩẫậ",
    "eèéẻẽẹ",
    "êềếểễệ",
    "iìíỉĩị",
    "oòóỏõọ",
    "ôồốổỗộ",
    "ơờớởỡợ",
    "uùúủũụ",
    "ưừứửữự",
    "yỳýỷỹỵ",
];

fn plain_lower(c: char) -> Option<char> {
    STRIP
        .iter()
        .find(|(_, marked)| marked.contains(c))
        .map(|(plain, _)| *plain)
}

/// Removes Vietnamese (and a few European) diacritics and maps đ→d, keeping case:
/// "Nguyễn Thị Ánh" → "Nguyen Thi Anh".
pub fn strip_diacritics(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        match plain_lower(lower) {
            Some(plain) if lower == c => out.push(plain),
            Some(plain) => out.push(plain.to_ascii_uppercase()),
            None => out.push(c),
        }
    }
    out
}

/// Upper case, diacritics kept ("Nguyễn" → "NGUYỄN").
pub fn upper(input: &str) -> String {
    input.to_uppercase()
}

fn same_case(template: char, c: char) -> char {
    if template.is_uppercase() {
        c.to_uppercase().next().unwrap_or(c)
    } else {
        c
    }
}

/// Consonants a slip of the finger commonly produces.
const NEAR: &[char] = &['n', 'm', 'h', 't', 'c', 'g', 'l', 'r', 's', 'v'];

/// Another tone of the same vowel, or a nearby consonant.
fn substitute(rng: &mut DemoRng, c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    if let Some(family) = TONE_FAMILIES.iter().find(|f| f.contains(lower)) {
        let members: Vec<char> = family.chars().filter(|m| *m != lower).collect();
        let m = members
            .get(index(rng, members.len()))
            .copied()
            .unwrap_or(lower);
        return same_case(c, m);
    }
    let m = NEAR[index(rng, NEAR.len())];
    let m = if m == lower { 'b' } else { m };
    same_case(c, m)
}

/// One typing mistake in a word: a letter dropped, doubled, swapped with its
/// neighbour or replaced. The result always differs from the input (for inputs
/// of at least one letter).
pub fn typo(rng: &mut DemoRng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let original = chars.clone();
    match rng.gen_range(0..4u32) {
        0 if chars.len() >= 3 => {
            let at = 1 + index(rng, chars.len() - 1);
            chars.remove(at);
        }
        1 => {
            let at = index(rng, chars.len());
            let c = chars[at];
            chars.insert(at, c);
        }
        2 if chars.len() >= 3 => {
            let at = 1 + index(rng, chars.len() - 2);
            let (a, b) = (chars[at], chars[at + 1]);
            chars[at] = same_case(a, b.to_lowercase().next().unwrap_or(b));
            chars[at + 1] = same_case(b, a.to_lowercase().next().unwrap_or(a));
        }
        _ => {
            let at = index(rng, chars.len());
            chars[at] = substitute(rng, chars[at]);
        }
    }
    if chars == original {
        let last = chars[chars.len() - 1];
        chars.push(last);
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn strips_diacritics_keeping_case() {
        assert_eq!(strip_diacritics("Nguyễn Thị Ánh"), "Nguyen Thi Anh");
        assert_eq!(strip_diacritics("ĐẶNG Đức"), "DANG Duc");
        assert_eq!(strip_diacritics("Hồ Ngọc Hà"), "Ho Ngoc Ha");
        assert_eq!(strip_diacritics("Trương Ưng Ỷ"), "Truong Ung Y");
    }

    #[test]
    fn stripped_names_fold_like_the_original() {
        for name in [
            "Nguyễn Văn Đức",
            "Võ Thị Hường",
            "Huỳnh Ngọc Ánh",
            "Lưu Quỳnh",
        ] {
            assert_eq!(
                domain::text::fold(&strip_diacritics(name)),
                domain::text::fold(name)
            );
        }
    }

    #[test]
    fn typos_always_change_the_word() {
        let mut rng = DemoRng::seed_from_u64(3);
        for word in ["Hùng", "An", "Ý", "NGUYEN", "Thị", "Hương"] {
            for _ in 0..200 {
                let t = typo(&mut rng, word);
                assert_ne!(t, word);
                let diff = t.chars().count().abs_diff(word.chars().count());
                assert!(diff <= 1, "{word} -> {t}");
            }
        }
    }
}
