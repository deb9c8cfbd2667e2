//! Normalisation of raw field values into comparable forms: folded name tokens in
//! family–middle–given order, phone numbers, passports, e-mail addresses, birth
//! dates (with day/month swaps) and hometowns.

use domain::PartialDate;
use domain::text::fold;
use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

/// Hashes any value with a fixed, seedless hasher (deterministic across runs).
pub(crate) fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = FxHasher::default();
    value.hash(&mut h);
    // FxHasher's low bits are weak; mix them so hash-map and modulo uses spread well.
    mix(h.finish())
}

/// `SplitMix64` finaliser: a bijective bit mixer.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Vietnamese family names (folded), the most frequent first. A name whose last
/// syllable is one of these and whose first is not was written family name last.
const SURNAMES: &[&str] = &[
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "truong", "dinh", "dao", "trinh", "luong", "luu", "doan", "ta",
    "thai", "kieu", "quach", "trieu", "tang", "chu", "khuc", "khong", "phung", "diep", "tieu",
    "vuong", "mac", "nghiem", "ong", "ton", "tong", "giang", "dam", "au", "lu", "than", "banh",
    "lai", "cao", "lam", "mai", "ha", "la", "to", "thach", "chau", "bach", "quan",
];

/// Syllables that are almost never a family name although a few families carry them;
/// they decide nothing about the order of the name.
const MIDDLE_MARKERS: &[&str] = &["van", "thi"];

/// Family names that clerks confuse (regional pronunciation, *Vũ/Võ*, *Hoàng/Huỳnh*):
/// each maps to one representative.
fn surname_class(folded: &str) -> &str {
    match folded {
        "vo" => "vu",
        "huynh" => "hoang",
        "ngo" => "ngo",
        "luu" => "lu",
        "dao" => "dao",
        "tieu" => "tieu",
        other => other,
    }
}

pub(crate) fn is_surname(token: &str) -> bool {
    SURNAMES.contains(&token) && !MIDDLE_MARKERS.contains(&token)
}

/// True when a folded word has the shape of a Vietnamese syllable (onset, one to
/// three vowels, a permitted final): "nguyen", "khuong", "huynh" do; "thomas",
/// "ivan", "anna", "john" do not. Tells a Western given name taken abroad.
pub(crate) fn vietnamese_shaped(word: &str) -> bool {
    const ONSETS: [&str; 26] = [
        "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "g", "h",
        "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
    ];
    const FINALS: [&str; 9] = ["", "ng", "nh", "ch", "c", "m", "n", "p", "t"];
    let rest = ONSETS
        .iter()
        .find_map(|o| word.strip_prefix(o).filter(|r| r.starts_with(is_vowel)))
        .unwrap_or(word);
    let vowels = rest
        .bytes()
        .take_while(|b| is_vowel(char::from(*b)))
        .count();
    (1..=3).contains(&vowels) && FINALS.contains(&&rest[vowels..])
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// One folded syllable with its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub hash: u64,
    pub text: Box<str>,
}

impl Token {
    pub fn new(text: &str) -> Self {
        Self {
            hash: hash_of(text),
            text: text.into(),
        }
    }
}

/// A personal name split into family name, middle names and given name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Name {
    /// Syllables as written (folded), in the written order.
    pub tokens: Vec<Token>,
    /// Index of the family name in `tokens`.
    pub family: usize,
    /// Index of the given name in `tokens`.
    pub given: usize,
    /// True when the order could not be decided (a known family name at both ends or
    /// at neither), so blocking also uses the other reading.
    pub ambiguous: bool,
    /// What the first and the last syllable would be as a family name (computed
    /// once: readings are built on every comparison).
    ends: [FamilyInfo; 2],
}

/// A syllable read as a family name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FamilyInfo {
    class: u64,
    known: bool,
    rank: u8,
}

impl FamilyInfo {
    fn of(token: &str) -> Self {
        Self {
            class: hash_of(surname_class(token)),
            known: is_surname(token),
            rank: SURNAMES
                .iter()
                .position(|s| *s == token)
                .map_or(u8::MAX, |p| p.min(254) as u8),
        }
    }
}

/// One reading of a name: family, middles, given.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reading<'a> {
    pub family: &'a Token,
    pub given: &'a Token,
    pub middles: &'a [Token],
    /// Hash of the family name's confusion class (*Vũ/Võ* alike).
    pub family_class: u64,
    /// The family name is a known Vietnamese one.
    pub family_known: bool,
    /// This order is the decided one, or the order could not be decided.
    pub plausible: bool,
    /// Rank of the family name among known ones (0 = most frequent; 255 unknown):
    /// between equally good readings the more common family name is taken, the
    /// conservative choice since agreeing on it is weaker evidence.
    pub family_rank: u8,
}

impl Name {
    pub fn parse(raw: &str) -> Self {
        let folded = fold(raw);
        let tokens: Vec<Token> = folded
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(Token::new)
            .collect();
        let n = tokens.len();
        if n == 0 {
            return Self::default();
        }
        let first = is_surname(&tokens[0].text);
        let last = is_surname(&tokens[n - 1].text);
        let (family, given, ambiguous) = if n == 1 {
            (0, 0, false)
        } else if !first && last {
            (n - 1, 0, false)
        } else {
            (0, n - 1, first == last)
        };
        let ends = [
            FamilyInfo::of(&tokens[0].text),
            FamilyInfo::of(&tokens[n - 1].text),
        ];
        Self {
            tokens,
            family,
            given,
            ambiguous,
            ends,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The readings used for blocking: the decided one, and the reverse one when
    /// ambiguous.
    pub fn readings(&self) -> impl Iterator<Item = Reading<'_>> {
        let n = self.tokens.len();
        let main = self.reading(self.family, self.given);
        let alt = (self.ambiguous && n >= 2).then(|| self.reading(self.given, self.family));
        std::iter::once(main).chain(alt).flatten()
    }

    /// The readings compared: both orders whenever there are two syllables or more,
    /// since a typo in the family name or a given name that is also a family name
    /// ("Lâm", "Mai") can mislead the decided order.
    pub fn all_readings(&self) -> impl Iterator<Item = Reading<'_>> {
        let n = self.tokens.len();
        let main = self.reading(self.family, self.given);
        let alt = (n >= 2).then(|| self.reading(self.given, self.family));
        std::iter::once(main).chain(alt).flatten()
    }

    fn reading(&self, family: usize, given: usize) -> Option<Reading<'_>> {
        let n = self.tokens.len();
        if n == 0 {
            return None;
        }
        // Family and given name sit at the two ends whatever the order.
        let middles = if n <= 2 {
            &self.tokens[0..0]
        } else {
            &self.tokens[1..n - 1]
        };
        let info = self.ends[usize::from(family != 0)];
        Some(Reading {
            family: &self.tokens[family],
            given: &self.tokens[given],
            middles,
            family_class: info.class,
            family_known: info.known,
            plausible: self.ambiguous || family == self.family,
            family_rank: info.rank,
        })
    }

    /// Hash of the syllables sorted, family name by its confusion class.
    pub fn sorted_hash(&self) -> u64 {
        let mut parts: Vec<&str> = self
            .tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i == self.family {
                    surname_class(&t.text)
                } else {
                    &t.text
                }
            })
            .collect();
        parts.sort_unstable();
        hash_of(&parts)
    }
}

impl Reading<'_> {
    /// Hash of middles and given name together ("thi lan").
    pub fn given_full_hash(&self) -> u64 {
        let mut h = FxHasher::default();
        for m in self.middles {
            m.hash.hash(&mut h);
        }
        self.given.hash.hash(&mut h);
        mix(h.finish())
    }

    /// Hash of the whole name, family by its confusion class.
    pub fn full_hash(&self) -> u64 {
        mix(self.family_class ^ self.given_full_hash().rotate_left(17))
    }
}

/// Parses a birth date in the accepted forms; a day/month order that only makes
/// sense swapped (`12/31/1980`) is read swapped; `YYYYMMDD` is accepted too.
pub(crate) fn parse_date(raw: &str) -> Option<PartialDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = PartialDate::parse(s) {
        return Some(d);
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let num = |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok());
        let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
        if let Ok(date) = PartialDate::new(y, Some(m), Some(d)) {
            return Some(date);
        }
        if let Ok(date) = PartialDate::new(y, Some(d), Some(m)) {
            return Some(date);
        }
        return PartialDate::new(y, None, None).ok();
    }
    let parts: Vec<&str> = s.split(['-', '/', '.']).map(str::trim).collect();
    if let [a, b, c] = parts.as_slice() {
        let num = |t: &str| t.parse::<u32>().ok();
        let (a, b, c) = (num(a)?, num(b)?, num(c)?);
        // DD/MM/YYYY that is really MM/DD/YYYY, or YYYY-MM-DD that is YYYY-DD-MM.
        let swapped = if c >= 1000 {
            PartialDate::new(c, Some(a), Some(b))
        } else {
            PartialDate::new(a, Some(c), Some(b))
        };
        if let Ok(d) = swapped {
            return Some(d);
        }
        // Keep at least the year.
        let year = if c >= 1000 { c } else { a };
        return PartialDate::new(year, None, None).ok();
    }
    None
}

/// Normalises a phone number: keeps digits, turns a `00` international prefix into
/// `+`, and a leading `0` national prefix into `+84` (Vietnam). Returns the digits
/// with a leading `+` for international form, or empty when nothing usable remains.
pub(crate) fn normalize_phone(raw: &str) -> String {
    let trimmed = raw.trim();
    let plus = trimmed.starts_with('+');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return String::new();
    }
    if plus {
        format!("+{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("+84{rest}")
    } else if digits.starts_with("84") && digits.len() == 11 {
        format!("+{digits}")
    } else {
        digits
    }
}

/// Passport numbers: letters and digits only, upper case.
pub(crate) fn normalize_passport(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// E-mail: trimmed, lower case; empty when there is no `@`.
pub(crate) fn normalize_email(raw: &str) -> String {
    let e = raw.trim().to_lowercase();
    if e.contains('@') { e } else { String::new() }
}

/// Words naming the kind of administrative unit, dropped before comparing places.
const ADMIN_WORDS: &[&str] = &[
    "xa",
    "phuong",
    "thi tran",
    "tt",
    "huyen",
    "quan",
    "thi xa",
    "tx",
    "thanh pho",
    "tp",
    "tinh",
    "h",
    "p",
    "x",
    "q",
    "commune",
    "ward",
    "district",
    "province",
    "city",
];

/// Folds one place name and removes the unit-kind prefix ("Xã Thạch Long" → "thach long").
pub(crate) fn fold_place(raw: &str) -> String {
    let mut f = fold(raw);
    loop {
        let mut stripped = false;
        for w in ADMIN_WORDS {
            if let Some(rest) = f.strip_prefix(w)
                && let Some(rest) = rest.strip_prefix(' ')
            {
                f = rest.to_owned();
                stripped = true;
                break;
            }
        }
        if !stripped {
            break;
        }
    }
    f
}

/// A hometown split into its components, commune first ("Thạch Long, Thạch Hà, Hà Tĩnh").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Place {
    /// Folded components without unit words, as written (commune first).
    pub parts: Vec<Token>,
    /// Hash of the sorted set of components.
    pub set_hash: u64,
    /// Legacy and current codes when the caller resolved them.
    pub codes: Option<(u64, u64)>,
}

impl Place {
    pub fn parse(raw: &str, codes: Option<(&str, &str)>) -> Self {
        let parts: Vec<Token> = raw
            .split([',', ';', '|'])
            .map(fold_place)
            .filter(|p| !p.is_empty())
            .map(|p| Token::new(&p))
            .collect();
        let mut hashes: Vec<u64> = parts.iter().map(|t| t.hash).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let codes = codes.and_then(|(legacy, current)| {
            let (l, c) = (legacy.trim(), current.trim());
            (!l.is_empty() || !c.is_empty()).then(|| {
                let h = |s: &str| if s.is_empty() { 0 } else { hash_of(s) };
                (h(l), h(c))
            })
        });
        Self {
            parts,
            set_hash: hash_of(&hashes),
            codes,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty() && self.codes.is_none()
    }

    pub fn commune(&self) -> Option<&Token> {
        self.parts.first()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_name_last_is_reordered() {
        let n = Name::parse("Duc Van Nguyen");
        assert_eq!(&*n.tokens[n.family].text, "nguyen");
        assert_eq!(&*n.tokens[n.given].text, "duc");
        assert!(!n.ambiguous);
    }

    #[test]
    fn unknown_family_names_are_ambiguous() {
        let n = Name::parse("John Smith");
        assert!(n.ambiguous);
        assert_eq!(n.readings().count(), 2);
    }

    #[test]
    fn western_given_names_are_not_vietnamese_shaped() {
        for w in [
            "nguyen", "khuong", "huynh", "gia", "quy", "thuy", "ngoc", "anh", "o",
        ] {
            assert!(vietnamese_shaped(w), "{w}");
        }
        for w in [
            "thomas", "ivan", "anna", "john", "amy", "eric", "cindy", "petr",
        ] {
            assert!(!vietnamese_shaped(w), "{w}");
        }
    }

    #[test]
    fn phone_formats_normalise_alike() {
        let a = normalize_phone("0912 345 678");
        assert_eq!(a, "+84912345678");
        assert_eq!(normalize_phone("+84 912-345-678"), a);
        assert_eq!(normalize_phone("0084912345678"), a);
        assert_eq!(normalize_phone("(+84) 91.234.5678"), a);
        assert_eq!(normalize_phone("abc"), "");
    }

    #[test]
    fn month_day_swapped_dates_are_read() {
        let d = parse_date("12/31/1980").unwrap();
        assert_eq!(d.to_iso(), "1980-12-31");
        assert_eq!(parse_date("19801231").unwrap().to_iso(), "1980-12-31");
        assert_eq!(parse_date("1980").unwrap().to_iso(), "1980");
        assert_eq!(parse_date("45/45/1980").unwrap().to_iso(), "1980");
        assert!(parse_date("unknown").is_none());
    }

    #[test]
    fn place_unit_words_are_dropped() {
        let p = Place::parse("Xã Thạch Long, Huyện Thạch Hà, Tỉnh Hà Tĩnh", None);
        let q = Place::parse("thach long, thach ha, ha tinh", None);
        assert_eq!(p, q);
        assert_eq!(&*p.commune().unwrap().text, "thach long");
    }
}
