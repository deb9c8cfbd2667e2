//! What a query says besides a name: a birth year or date, and a country.
//!
//! Officials type "Hiền 1979", "Nguyễn Văn An 12/3/1979", "Hiền Nhật Bản" or
//! "Trần Thị Lan, CHLB Đức". The year or date and the country are taken out
//! of the name and narrow the search instead:
//!
//! * a **year** is a word of four digits from 1900 to 2099; a **date** is
//!   day, month and year separated by `/`, `-` or `.` (`12/03/1979`,
//!   `1/3/79`, `12-3-1979`), day first as Vietnamese write it; a two-digit
//!   year may be of either century (the index has no clock). "sinh", "ns",
//!   "sinh năm" or "năm sinh" just before it are dropped with it. A person
//!   matches when the known parts of their birth date agree (a record with
//!   the year alone matches a date of that year); one without a birth date
//!   does not;
//! * a **country** is a phrase at the end of the query (or at its start, or
//!   after a comma) that [`domain::geo::countries::resolve`] knows: "Nhật
//!   Bản", "Mỹ", "CHLB Đức", "Japan", "USA". A code counts only typed in
//!   capitals ("DE", not "de"), so "my" is Mỹ and not Malaysia.
//!
//! **Ambiguity.** "Đức", "Anh", "Nga", "Mỹ", "Nhật", "Thái", "Trung Quốc"
//! are countries and also syllables of Vietnamese names. The rule
//! ([`crate::Index::search`]): a country phrase after a comma, or holding a
//! word that no name in the index holds nor is one typo away from one
//! ("CHLB", "Japan"), always narrows. A phrase whose every word is, or may
//! be, a name syllable ("phap" may be Phạm mistyped) is read as part of the
//! name first; it narrows only when no one the searcher may see
//! bears a name holding every word of the query (without a typo), and
//! someone in that country bears a name holding the rest. So "Nguyễn Văn
//! Đức" is a name; "Hiền Đức" is a name when some Đức Hiền exists and the
//! people called Hiền in Germany otherwise; "Hiền CHLB Đức" always means
//! Germany.

use domain::geo::countries;

/// Most words a country phrase has ("Cộng hòa Liên bang Đức").
const MAX_COUNTRY_WORDS: usize = 5;

/// A birth date or year the query asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Born {
    /// The year, or the two a two-digit year may mean (the same twice
    /// otherwise).
    pub years: [u16; 2],
    /// 0 when not given.
    pub month: u8,
    /// 0 when not given.
    pub day: u8,
}

impl Born {
    /// Whether a birth date packed as `yyyymmdd` (0 unknown; month or day 0
    /// when not known) agrees.
    pub fn matches(&self, packed: u32) -> bool {
        if packed == 0 {
            return false;
        }
        let (y, m, d) = (packed / 10_000, (packed / 100) % 100, packed % 100);
        self.years.iter().any(|&v| u32::from(v) == y)
            && (self.month == 0 || m == 0 || u32::from(self.month) == m)
            && (self.day == 0 || d == 0 || u32::from(self.day) == d)
    }
}

/// A country named in the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryWords {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    /// The phrase's words, folded.
    pub folded: Vec<String>,
    /// After a comma: never part of the name.
    pub separate: bool,
}

/// A query taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Understood {
    /// The name without the year, date and country.
    pub name: String,
    /// The name with the country phrase in its place (the reading where
    /// the phrase is part of the name); equal to `name` without a country.
    pub name_with_country: String,
    /// True when something was taken out after the name's last word, which
    /// is then complete (not the start of a syllable being typed).
    pub name_ends_before: bool,
    /// True when the year or date was the query's last word.
    pub born_at_end: bool,
    /// True when the query ends with a space (its last word is complete).
    pub raw_ends_with_space: bool,
    pub born: Option<Born>,
    pub country: Option<CountryWords>,
}

fn fold_word(w: &str) -> String {
    domain::text::fold(w)
}

/// A date or a year written as one word.
fn born_of(word: &str) -> Option<Born> {
    let w = word.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | ',' | ';'));
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        let y: u16 = w.parse().ok()?;
        return (1900..=2099).contains(&y).then_some(Born {
            years: [y, y],
            month: 0,
            day: 0,
        });
    }
    let parts: Vec<&str> = w.split(['/', '-', '.']).collect();
    let [d, m, y] = parts[..] else {
        return None;
    };
    let num = |t: &str, max_len: usize| -> Option<u32> {
        (!t.is_empty() && t.len() <= max_len && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (d, m) = (num(d, 2)?, num(m, 2)?);
    let years: Vec<u32> = match y.len() {
        4 => vec![num(y, 4)?],
        2 => {
            let yy = num(y, 2)?;
            vec![1900 + yy, 2000 + yy]
        }
        _ => return None,
    };
    // The day must exist in one of the years meant (29/2 in a leap year).
    if !years
        .iter()
        .any(|&y| domain::types::PartialDate::new(y, Some(m), Some(d)).is_ok())
    {
        return None;
    }
    let last = *years.last()?;
    Some(Born {
        years: [years[0] as u16, last as u16],
        month: m as u8,
        day: d as u8,
    })
}

/// Words that say "born" before a year or date.
fn born_word(folded: &str) -> bool {
    matches!(folded, "sinh" | "ns")
}

/// The country a phrase names, when it may be one in a query: codes only
/// in capitals.
fn country_of(words: &[&str]) -> Option<&'static str> {
    if words.is_empty() {
        return None;
    }
    let phrase = words.join(" ");
    let short_code = phrase.len() <= 3 && phrase.bytes().all(|b| b.is_ascii_alphabetic());
    if short_code && !phrase.bytes().all(|b| b.is_ascii_uppercase()) {
        // "my" is Mỹ, "de" nothing: names and aliases only.
        return countries::resolve(&format!("nước {phrase}"));
    }
    countries::resolve(&phrase)
}

/// Takes a query apart; see the module's documentation.
pub fn understand(text: &str) -> Understood {
    let mut segments = text.split([',', ';']);
    let first = segments.next().unwrap_or("");
    let mut words: Vec<&str> = first.split_whitespace().collect();
    let mut country: Option<CountryWords> = None;
    let mut extra_name: Vec<&str> = Vec::new();
    for seg in segments {
        let seg_words: Vec<&str> = seg.split_whitespace().collect();
        if country.is_none()
            && let Some(code) = country_of(&seg_words)
        {
            country = Some(CountryWords {
                code,
                folded: seg_words.iter().map(|w| fold_word(w)).collect(),
                separate: true,
            });
        } else {
            extra_name.extend(seg_words);
        }
    }
    words.extend(extra_name);
    // Year or date, and the "born" words before it.
    let mut born = None;
    let mut removed_at_end = false;
    let mut born_at_end = false;
    let mut i = 0;
    while i < words.len() {
        if born.is_none()
            && let Some(b) = born_of(words[i])
        {
            born = Some(b);
            let before = |k: usize| i.checked_sub(k).map(|j| fold_word(words[j]));
            let from = match (before(2).as_deref(), before(1).as_deref()) {
                (Some("sinh"), Some("nam")) | (Some("nam"), Some("sinh")) => i - 2,
                (_, Some(w)) if born_word(w) => i - 1,
                _ => i,
            };
            if i + 1 == words.len() {
                removed_at_end = true;
                born_at_end = true;
            }
            words.drain(from..=i);
            i = from;
            continue;
        }
        i += 1;
    }
    // A country at the end, else at the start, leaving a name.
    let with_country = words.clone();
    if country.is_none() && words.len() >= 2 {
        let max = MAX_COUNTRY_WORDS.min(words.len() - 1);
        let found = (1..=max)
            .rev()
            .find_map(|k| {
                let tail = &words[words.len() - k..];
                country_of(tail).map(|c| (c, words.len() - k, words.len()))
            })
            .or_else(|| {
                (1..=max)
                    .rev()
                    .find_map(|k| country_of(&words[..k]).map(|c| (c, 0, k)))
            });
        if let Some((code, a, b)) = found {
            country = Some(CountryWords {
                code,
                folded: words[a..b].iter().map(|w| fold_word(w)).collect(),
                separate: false,
            });
            if b == words.len() {
                removed_at_end = true;
            }
            words.drain(a..b);
        }
    }
    let name = words.join(" ");
    let name_with_country = if country.as_ref().is_some_and(|c| !c.separate) {
        with_country.join(" ")
    } else {
        name.clone()
    };
    Understood {
        name,
        name_with_country,
        name_ends_before: removed_at_end,
        born_at_end,
        raw_ends_with_space: text.ends_with(char::is_whitespace),
        born,
        country,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn year(y: u16) -> Born {
        Born {
            years: [y, y],
            month: 0,
            day: 0,
        }
    }

    #[test]
    fn years_and_dates_are_taken_out_of_the_name() {
        let u = understand("Hiền 1979");
        assert_eq!((u.name.as_str(), u.born), ("Hiền", Some(year(1979))));
        assert!(u.name_ends_before);
        let u = understand("Nguyễn Văn An 12/03/1979");
        assert_eq!(u.name, "Nguyễn Văn An");
        assert_eq!(
            u.born,
            Some(Born {
                years: [1979, 1979],
                month: 3,
                day: 12
            })
        );
        let u = understand("1-3-79 Trần Lan");
        assert_eq!(u.name, "Trần Lan");
        assert_eq!(
            u.born,
            Some(Born {
                years: [1979, 2079],
                month: 3,
                day: 1
            })
        );
        assert!(!u.name_ends_before);
        assert_eq!(understand("Lan 12.3.1979").born.map(|b| b.day), Some(12));
        assert_eq!(understand("Lan sinh năm 1980").name, "Lan");
        assert_eq!(understand("Lan năm sinh 1980").name, "Lan");
        assert_eq!(understand("Lan ns 1980").name, "Lan");
        // "Năm" alone is a given name.
        assert_eq!(understand("Nguyễn Văn Năm 1980").name, "Nguyễn Văn Năm");
        // Not dates: an impossible day, a three-digit number, a code.
        for q in [
            "Lan 31/02/1979",
            "Lan 197",
            "Lan 1800",
            "Lan 12/13/1979",
            "B1234567",
        ] {
            assert_eq!(understand(q).born, None, "{q}");
        }
        assert!(understand("Lan 29/02/2000").born.is_some());
    }

    #[test]
    fn a_birth_date_matches_its_known_parts() {
        let b = understand("x 12/03/1979").born.unwrap();
        assert!(b.matches(19_790_312));
        assert!(b.matches(19_790_300));
        assert!(b.matches(19_790_000));
        assert!(!b.matches(19_790_313));
        assert!(!b.matches(19_800_312));
        assert!(!b.matches(0));
        let b = understand("x 12/3/79").born.unwrap();
        assert!(b.matches(19_790_312) && b.matches(20_790_312));
    }

    #[test]
    fn countries_are_found_at_either_end_or_after_a_comma() {
        let u = understand("Hiền Nhật Bản");
        assert_eq!(u.name, "Hiền");
        assert_eq!(u.name_with_country, "Hiền Nhật Bản");
        assert_eq!(u.country.as_ref().map(|c| c.code), Some("JP"));
        let u = understand("Hiền CHLB Đức 1979");
        assert_eq!((u.name.as_str(), u.born), ("Hiền", Some(year(1979))));
        assert_eq!(u.country.as_ref().map(|c| c.code), Some("DE"));
        assert_eq!(
            understand("Mỹ Trần Văn Hùng").country.map(|c| c.code),
            Some("US")
        );
        assert_eq!(
            understand("Trần Lan, Hàn Quốc")
                .country
                .map(|c| (c.code, c.separate)),
            Some(("KR", true))
        );
        assert_eq!(understand("Lan USA").country.map(|c| c.code), Some("US"));
        // "my" is Mỹ, not Malaysia; "MY" is Malaysia.
        assert_eq!(understand("Lan my").country.map(|c| c.code), Some("US"));
        assert_eq!(understand("Lan MY").country.map(|c| c.code), Some("MY"));
        // A lone word is a name, not a country.
        assert_eq!(understand("Đức").country, None);
        assert_eq!(
            understand("Nguyễn Văn Đức").name_with_country,
            "Nguyễn Văn Đức"
        );
        assert_eq!(understand("Nguyễn Văn Đức").name, "Nguyễn Văn");
        assert_eq!(understand("Nguyễn Văn An").country, None);
    }
}
