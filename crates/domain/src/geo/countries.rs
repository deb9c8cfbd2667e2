//! Countries and territories (ISO 3166-1) with Vietnamese and English names.

use std::sync::LazyLock;

use super::data::data;
use super::units::Country;
use crate::text::fold;

/// Every country and territory, sorted by alpha-2 code.
pub fn countries() -> &'static [Country] {
    &data().countries
}

/// Country by alpha-2 code, case-insensitive ("kr", "KR").
pub fn country(code: &str) -> Option<&'static Country> {
    let code = code.trim();
    if code.len() != 2 || !code.is_ascii() {
        return None;
    }
    let upper = code.to_ascii_uppercase();
    let list = countries();
    list.binary_search_by(|c| c.code.cmp(upper.as_str()))
        .ok()
        .map(|i| &list[i])
}

/// Folded names of one country: Vietnamese and English names first, then aliases.
struct Names {
    /// Folded names with single spaces ("han quoc").
    folded: Vec<String>,
    /// The same without spaces ("hanquoc").
    compact: Vec<String>,
}

static NAMES: LazyLock<Vec<Names>> = LazyLock::new(|| {
    countries()
        .iter()
        .map(|c| {
            let folded: Vec<String> = [c.name_vi, c.name_en]
                .into_iter()
                .chain(c.aliases.iter().copied())
                .map(fold)
                .filter(|s| !s.is_empty())
                .collect();
            let compact = folded.iter().map(|s| s.replace(' ', "")).collect();
            Names { folded, compact }
        })
        .collect()
});

/// How well a folded query matches one country; lower is better.
fn rank(c: &Country, names: &Names, query: &str, compact: &str, typed_upper: bool) -> Option<u8> {
    let mut best: Option<u8> = None;
    if c.code.eq_ignore_ascii_case(query) || c.code3.eq_ignore_ascii_case(query) {
        // "KR" is a code; "my" may as well be Mỹ as MY
        if typed_upper {
            return Some(0);
        }
        best = Some(2);
    }
    let mut consider = |r: u8| best = Some(best.map_or(r, |b| b.min(r)));
    for (i, (f, k)) in names.folded.iter().zip(&names.compact).enumerate() {
        // main names rank before aliases
        let alias = u8::from(i >= 2);
        if f == query || k == compact {
            consider(1 + alias);
        } else if f.starts_with(query) || k.starts_with(compact) {
            consider(3 + alias);
        } else if f.split(' ').any(|w| w.starts_with(query)) {
            consider(5 + alias);
        } else if query.len() >= 3 && k.contains(compact) {
            consider(7 + alias);
        }
    }
    best
}

/// Countries whose code or Vietnamese/English name (or alias) matches the query,
/// diacritics- and case-insensitive: a code typed in capitals first, then exact names
/// (and codes typed otherwise), prefixes, word prefixes and substrings. "han quoc", "Korea", "KR", "Đức", "duc" and
/// "Germany" all work. An empty query gives nothing.
pub fn search_countries(query: &str, limit: usize) -> Vec<&'static Country> {
    let folded = fold(query);
    if folded.is_empty() || limit == 0 {
        return Vec::new();
    }
    let compact = folded.replace(' ', "");
    let typed_upper = query.trim().chars().all(|ch| ch.is_ascii_uppercase());
    let mut hits: Vec<(u8, &'static Country)> = countries()
        .iter()
        .zip(NAMES.iter())
        .filter_map(|(c, n)| rank(c, n, &folded, &compact, typed_upper).map(|r| (r, c)))
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name_vi.cmp(b.1.name_vi)));
    hits.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// Each country's names and aliases without spaces → the first country
/// (by code) that bears it: a lookup per query word in search.
static BY_COMPACT: LazyLock<std::collections::HashMap<&'static str, usize>> = LazyLock::new(|| {
    let mut map = std::collections::HashMap::new();
    for (i, n) in NAMES.iter().enumerate() {
        for k in &n.compact {
            map.entry(k.as_str()).or_insert(i);
        }
    }
    map
});

/// Country whose name or alias (folded) equals the whole text, if any.
pub(super) fn country_named(folded: &str) -> Option<&'static Country> {
    if folded.is_empty() {
        return None;
    }
    let compact = folded.replace(' ', "");
    BY_COMPACT
        .get(compact.as_str())
        .and_then(|&i| countries().get(i))
}

/// Words before a country's name that do not change which country is meant
/// ("nước Đức", "CHLB Đức", "Cộng hòa Séc", "Liên bang Nga", "Vương quốc
/// Anh", "the Netherlands"), folded, longest first.
const STYLE_WORDS: &[&str] = &[
    "cong hoa lien bang ",
    "federal republic of ",
    "cong hoa ",
    "republic of ",
    "lien bang ",
    "vuong quoc ",
    "quoc gia ",
    "nuoc ",
    "chlb ",
    "ch ",
    "the ",
];

/// ISO 3166-1 alpha-2 code of the country a text names, if exactly one is
/// meant: a code ("DE", "DEU"; in other cases only when no name is meant:
/// "Nga" is Russia, "NGA" Nigeria), a Vietnamese or English name or alias in
/// any case, with or without diacritics ("Nhật Bản", "Nhật", "Hoa Kỳ", "Mỹ",
/// "USA", "Hàn Quốc", "Nam Hàn", "Đài Loan", "Séc", "Japan"), or such a name
/// after words of style ("CHLB Đức", "nước Đức", "Liên bang Nga", "Cộng hòa
/// Séc"). The one resolver for imports, filters and search; it knows nothing
/// of people's names: "Đức" is Germany here, and a caller that reads a name
/// (search) decides whether the word was a name instead.
///
/// ```
/// use domain::geo::countries::resolve;
/// assert_eq!(resolve("CHLB Đức"), Some("DE"));
/// assert_eq!(resolve("nam han"), Some("KR"));
/// assert_eq!(resolve("Hiền"), None);
/// ```
pub fn resolve(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let code = || {
        let upper = t.to_ascii_uppercase();
        ((2..=3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| {
                countries()
                    .iter()
                    .find(|c| c.code == upper || c.code3 == upper)
            })
            .flatten()
            .map(|c| c.code)
    };
    // "NGA" in capitals is Nigeria's code; "Nga" is Russia.
    if t.bytes().all(|b| b.is_ascii_uppercase())
        && let Some(c) = code()
    {
        return Some(c);
    }
    let folded = fold(t);
    let mut rest = folded.as_str();
    loop {
        if let Some(c) = country_named(rest) {
            return Some(c.code);
        }
        let Some(shorter) = STYLE_WORDS.iter().find_map(|w| rest.strip_prefix(w)) else {
            return code();
        };
        rest = shorter;
    }
}

/// ISO 3166-1 alpha-2 code of a country given where a code is expected (the
/// API, a filter, a form): two ASCII letters that are a code are that code
/// in any case ("my" is Malaysia here), anything else is read by
/// [`resolve`] ("Mỹ", "Nhật Bản", "CHLB Đức").
///
/// ```
/// use domain::geo::countries::code_or_name;
/// assert_eq!(code_or_name("my"), Some("MY"));
/// assert_eq!(code_or_name("Mỹ"), Some("US"));
/// assert_eq!(code_or_name("Nhật Bản"), Some("JP"));
/// ```
pub fn code_or_name(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.len() == 2
        && t.bytes().all(|b| b.is_ascii_alphabetic())
        && let Some(c) = country(t)
    {
        return Some(c.code);
    }
    resolve(t)
}

/// Country named by a whole text — a code ("KR"), or a Vietnamese or English
/// name or alias in any case, with or without diacritics ("Hàn Quốc",
/// "han quoc", "Korea") — if exactly one is meant.
pub fn country_by_name(text: &str) -> Option<&'static Country> {
    let t = text.trim();
    if t.len() == 2
        && let Some(c) = country(t)
    {
        return Some(c);
    }
    country_named(&fold(t))
}
