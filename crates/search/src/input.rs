//! Leftovers of Vietnamese input methods, and how people mistype.
//!
//! Officials type on QWERTY keyboards through an input method (Telex, VNI,
//! sometimes VIQR). When it is off, or the field does not take it, a name
//! comes out as its keystrokes: "Nguyeenx" (Telex), "Nguye^n" (VIQR),
//! "Tra62n" (VNI) for Nguyễn, Nguyên, Trần. [`decode`] reads such a word
//! back into its letters and marks. [`slip_class`] tells how likely a
//! one-letter difference is as a slip of the fingers.

use unicode_normalization::UnicodeNormalization;

/// Combining marks of the five tones (other than level).
const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const TILDE: char = '\u{303}';
const HOOK: char = '\u{309}';
const DOT: char = '\u{323}';
/// Vowel marks.
const CIRCUMFLEX: char = '\u{302}';
const BREVE: char = '\u{306}';
const HORN: char = '\u{31b}';

/// The marks of a syllable: its vowel marks (letter and mark, with `đ` as
/// `('d', '\u{111}')`) and its tone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    pub vowels: Vec<(char, char)>,
    pub tone: Option<char>,
}

impl Marks {
    pub fn is_empty(&self) -> bool {
        self.vowels.is_empty() && self.tone.is_none()
    }
}

/// The marks of an accented syllable (lower case).
pub fn marks_of(syllable: &str) -> Marks {
    let mut m = Marks::default();
    let mut base = ' ';
    for c in syllable.nfd() {
        match c {
            GRAVE | ACUTE | TILDE | HOOK | DOT => m.tone = Some(c),
            CIRCUMFLEX | BREVE | HORN => m.vowels.push((base, c)),
            'đ' | 'Đ' => {
                m.vowels.push(('d', '\u{111}'));
                base = 'd';
            }
            _ => base = c.to_ascii_lowercase(),
        }
    }
    m.vowels.sort_unstable();
    m
}

/// True when every mark typed is the candidate's (the typed tone its tone).
pub fn marks_agree(typed: &Marks, candidate: &Marks) -> bool {
    typed.tone.is_none_or(|t| candidate.tone == Some(t))
        && typed.vowels.iter().all(|v| candidate.vowels.contains(v))
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// A word read back from input-method keystrokes: its letters without
/// marks and the marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Folded letters ("nguyen").
    pub base: String,
    pub marks: Marks,
}

/// Puts a vowel mark on the nearest letter before `at` it fits.
fn mark_before(letters: &[char], marks: &mut Vec<(usize, char)>, at: usize, mark: char) -> bool {
    let fits = |c: char| match mark {
        CIRCUMFLEX => matches!(c, 'a' | 'e' | 'o'),
        BREVE => c == 'a',
        HORN => matches!(c, 'o' | 'u'),
        _ => c == 'd',
    };
    let Some(i) = (0..at.min(letters.len())).rev().find(|&i| fits(letters[i])) else {
        return false;
    };
    if marks.iter().any(|m| m.0 == i) {
        return false;
    }
    marks.push((i, mark));
    // "uo" takes the horn on both letters: ươ.
    if mark == HORN
        && letters[i] == 'o'
        && i > 0
        && letters[i - 1] == 'u'
        && !marks.iter().any(|m| m.0 == i - 1)
    {
        marks.push((i - 1, HORN));
    }
    true
}

fn finish(letters: Vec<char>, vowel_marks: &[(usize, char)], tone: Option<char>) -> Decoded {
    let mut vowels: Vec<(char, char)> = vowel_marks
        .iter()
        .map(|&(i, m)| {
            if m == '\u{111}' {
                ('d', m)
            } else {
                (letters[i], m)
            }
        })
        .collect();
    vowels.sort_unstable();
    Decoded {
        base: letters.into_iter().collect(),
        marks: Marks { vowels, tone },
    }
}

/// Telex: "nguyeenx", "truwowngf", "ddinhf", "tuaans".
fn telex(w: &str) -> Option<Decoded> {
    if !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let chars: Vec<char> = w.chars().collect();
    // A lone `w` is ư.
    let first_vowel = chars.iter().position(|&c| is_vowel(c) || c == 'w')?;
    let mut letters: Vec<char> = Vec::new();
    let mut marks: Vec<(usize, char)> = Vec::new();
    let mut tone = None;
    let mut changed = false;
    for (k, &c) in chars.iter().enumerate() {
        let after_vowel = k > first_vowel;
        // s, f, r, x, j after the first vowel are tone keys: no Vietnamese
        // syllable ends in them (their initials come before the vowel).
        let t = match c {
            's' => Some(ACUTE),
            'f' => Some(GRAVE),
            'r' => Some(HOOK),
            'x' => Some(TILDE),
            'j' => Some(DOT),
            _ => None,
        };
        if after_vowel && let Some(t) = t {
            tone = Some(t);
            changed = true;
            continue;
        }
        if c == 'w' {
            if !mark_before(&letters, &mut marks, letters.len(), HORN)
                && !mark_before(&letters, &mut marks, letters.len(), BREVE)
            {
                marks.push((letters.len(), HORN));
                letters.push('u');
            }
            changed = true;
            continue;
        }
        if let Some(&prev) = letters.last() {
            if matches!(c, 'a' | 'e' | 'o')
                && prev == c
                && !marks.iter().any(|m| m.0 + 1 == letters.len())
            {
                marks.push((letters.len() - 1, CIRCUMFLEX));
                changed = true;
                continue;
            }
            if c == 'd' && prev == 'd' && letters.len() == 1 {
                marks.push((0, '\u{111}'));
                changed = true;
                continue;
            }
        }
        letters.push(c);
    }
    changed.then(|| finish(letters, &marks, tone))
}

/// VNI: "tra62n", "nguye6n4", "d9inh2".
fn vni(w: &str) -> Option<Decoded> {
    if !w.bytes().any(|b| b.is_ascii_digit()) || !w.bytes().any(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut letters: Vec<char> = Vec::new();
    let mut marks: Vec<(usize, char)> = Vec::new();
    let mut tone = None;
    for c in w.chars() {
        match c {
            'a'..='z' => letters.push(c),
            '1' => tone = Some(ACUTE),
            '2' => tone = Some(GRAVE),
            '3' => tone = Some(HOOK),
            '4' => tone = Some(TILDE),
            '5' => tone = Some(DOT),
            '6' | '7' | '8' | '9' => {
                let m = match c {
                    '6' => CIRCUMFLEX,
                    '7' => HORN,
                    '8' => BREVE,
                    _ => '\u{111}',
                };
                if !mark_before(&letters, &mut marks, letters.len(), m) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(finish(letters, &marks, tone))
}

/// VIQR: "nguye^n", "tra^`n", "hoa`", "d-inh" / "ddinh".
fn viqr(w: &str) -> Option<Decoded> {
    if !w.contains(['^', '(', '+', '~', '`', '\'', '?', '.']) {
        return None;
    }
    let mut letters: Vec<char> = Vec::new();
    let mut marks: Vec<(usize, char)> = Vec::new();
    let mut tone = None;
    for c in w.chars() {
        match c {
            'a'..='z' => {
                if c == 'd' && letters == ['d'] {
                    marks.push((0, '\u{111}'));
                } else {
                    letters.push(c);
                }
            }
            '\'' => tone = Some(ACUTE),
            '`' => tone = Some(GRAVE),
            '?' => tone = Some(HOOK),
            '~' => tone = Some(TILDE),
            '.' => tone = Some(DOT),
            '^' | '(' | '+' | '-' => {
                let m = match c {
                    '^' => CIRCUMFLEX,
                    '(' => BREVE,
                    '+' => HORN,
                    _ => '\u{111}',
                };
                if !mark_before(&letters, &mut marks, letters.len(), m) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(finish(letters, &marks, tone))
}

/// Reads a word typed without an input method (Telex, VNI or VIQR
/// keystrokes) back into letters and marks; `None` when it holds none.
/// The caller decides whether the reading is a syllable it knows (a
/// foreign name such as "Alex" reads as Telex "alẽ").
pub fn decode(word: &str) -> Option<Decoded> {
    let w = word.to_lowercase();
    if w.chars().count() > 12 {
        return None;
    }
    viqr(&w)
        .or_else(|| vni(&w))
        .or_else(|| telex(&w))
        .filter(|d| !d.base.is_empty())
}

/// Keys of a QWERTY keyboard, by row.
const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

fn key_at(c: char) -> Option<(usize, usize)> {
    ROWS.iter()
        .enumerate()
        .find_map(|(r, row)| row.find(c).map(|i| (r, i)))
}

/// True when two letters are neighbouring keys on a QWERTY keyboard (same
/// row side by side, or the row above or below: each row is shifted half a
/// key to the right of the one above, so `s` touches `w`, `e`, `z`, `x`).
pub fn keys_near(a: char, b: char) -> bool {
    let (Some((ra, ia)), Some((rb, ib))) = (key_at(a), key_at(b)) else {
        return false;
    };
    match rb as isize - ra as isize {
        0 => ia.abs_diff(ib) == 1,
        // b on the row below a: under a's key and the one to its left.
        1 => ib == ia || ib + 1 == ia,
        -1 => ia == ib || ia + 1 == ib,
        _ => false,
    }
}

/// How likely a slip turned `meant` into `typed` (folded syllables one edit
/// apart): 2 for the common slips — a letter left out, two letters
/// swapped, a neighbouring key pressed instead, a key doubled or a
/// neighbouring key pressed as well, a Telex key left in (a tone key after
/// the vowel, `w`); 0 for a letter anywhere else on the keyboard.
pub fn slip_class(typed: &str, meant: &str) -> u8 {
    let t: Vec<char> = typed.chars().collect();
    let m: Vec<char> = meant.chars().collect();
    if t.len() + 1 == m.len() {
        return 2;
    }
    let common = t.iter().zip(&m).take_while(|(a, b)| a == b).count();
    if t.len() == m.len() {
        let diff: Vec<usize> = (common..t.len()).filter(|&i| t[i] != m[i]).collect();
        return match diff[..] {
            [a, b] if b == a + 1 && t[a] == m[b] && t[b] == m[a] => 2,
            [a] if keys_near(t[a], m[a]) => 2,
            _ => 0,
        };
    }
    if t.len() == m.len() + 1 {
        // The extra key: at `common` (or later in a run of the same letter).
        let x = t[common];
        let before = common.checked_sub(1).map(|i| t[i]);
        let after = t.get(common + 1).copied();
        let near = |o: Option<char>| o.is_some_and(|o| o == x || keys_near(o, x));
        let first_vowel = t.iter().position(|&c| is_vowel(c));
        let tone_key =
            matches!(x, 's' | 'f' | 'r' | 'x' | 'j') && first_vowel.is_some_and(|v| common > v);
        return if near(before) || near(after) || tone_key || x == 'w' {
            2
        } else {
            0
        };
    }
    0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn read(w: &str) -> (String, Marks) {
        let d = decode(w).unwrap();
        (d.base, d.marks)
    }

    #[test]
    fn input_method_keystrokes_read_back_as_the_syllable() {
        for (typed, meant) in [
            ("Nguyeenx", "nguyễn"),
            ("nguyenx", "nguyẽn"),
            ("Nguye^n", "nguyên"),
            ("Nguye^~n", "nguyễn"),
            ("Tra62n", "trần"),
            ("tran62", "trần"),
            ("traanf", "trần"),
            ("Truwowngf", "trường"),
            ("truowngf", "trường"),
            ("ddinhf", "đình"),
            ("Dduwcs", "đức"),
            ("ddwcs", "đức"),
            ("nhw", "như"),
            ("d9inh2", "đình"),
            ("Thuyr", "thuỷ"),
            ("tuaans", "tuấn"),
            ("Hoa`", "hoà"),
            ("Hoaf", "hoà"),
            ("Lan.", "lạn"),
        ] {
            let (base, marks) = read(typed);
            assert_eq!(base, domain::text::fold(meant), "{typed}");
            assert_eq!(marks, marks_of(meant), "{typed}");
        }
        for plain in ["nguyen", "lan", "thu", "", "12/03/1979", "1979"] {
            assert_eq!(decode(plain), None, "{plain}");
        }
    }

    #[test]
    fn marks_agree_when_every_typed_one_is_there() {
        let chao = marks_of("châo");
        assert!(marks_agree(&chao, &marks_of("châu")));
        assert!(!marks_agree(&chao, &marks_of("thảo")));
        assert!(marks_agree(&marks_of("trong"), &marks_of("trọng")));
        assert!(!marks_agree(&marks_of("tròng"), &marks_of("trọng")));
        assert!(marks_of("nguyen").is_empty());
    }

    #[test]
    fn neighbouring_keys() {
        assert!(keys_near('s', 'a'));
        assert!(keys_near('a', 's'));
        assert!(keys_near('s', 'w') && keys_near('s', 'e'));
        assert!(keys_near('s', 'z') && keys_near('s', 'x'));
        assert!(keys_near('w', 's') && keys_near('z', 's'));
        assert!(keys_near('o', 'p') && keys_near('o', 'k') && keys_near('o', 'l'));
        assert!(!keys_near('s', 'o'));
        assert!(!keys_near('s', 'u'));
        assert!(!keys_near('a', 'a'));
        assert!(!keys_near('q', 'z'));
    }

    #[test]
    fn slips_of_the_fingers_rank_before_other_edits() {
        // "trsng": s is next to a (Trang), far from o and u (Trọng, Trung).
        assert_eq!(slip_class("trsng", "trang"), 2);
        assert_eq!(slip_class("trsng", "trung"), 0);
        assert_eq!(slip_class("trsng", "trong"), 0);
        assert_eq!(slip_class("lung", "luong"), 2);
        assert_eq!(slip_class("tugn", "tung"), 2);
        assert_eq!(slip_class("nguyeen", "nguyen"), 2);
        assert_eq!(slip_class("nguyenx", "nguyen"), 2);
        assert_eq!(slip_class("hoanbg", "hoang"), 2);
        assert_eq!(slip_class("hoanqg", "hoang"), 0);
        // An initial x or s is a letter, not a tone key.
        assert_eq!(slip_class("xanh", "anh"), 0);
    }
}
