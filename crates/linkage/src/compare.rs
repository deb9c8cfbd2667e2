//! Field-by-field comparison of two prepared records into discrete agreement levels
//! (the comparison vector *γ* of Fellegi–Sunter).

use crate::Record;
use crate::normalize::{
    Name, Place, Reading, Token, hash_of, normalize_email, normalize_passport, normalize_phone,
    parse_date, vietnamese_shaped,
};
use domain::PartialDate;
use domain::text::fold;

/// Number of compared fields.
pub const FIELD_COUNT: usize = 11;

/// A compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    FamilyName,
    GivenName,
    BirthDate,
    Gender,
    Passport,
    Phone,
    Email,
    Hometown,
    Country,
    CityAbroad,
    FatherName,
}

impl Field {
    /// Every field, in column order.
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::FamilyName,
        Field::GivenName,
        Field::BirthDate,
        Field::Gender,
        Field::Passport,
        Field::Phone,
        Field::Email,
        Field::Hometown,
        Field::Country,
        Field::CityAbroad,
        Field::FatherName,
    ];

    /// Stable `snake_case` name (explanation columns).
    pub const fn code(self) -> &'static str {
        match self {
            Field::FamilyName => "family_name",
            Field::GivenName => "given_name",
            Field::BirthDate => "birth_date",
            Field::Gender => "gender",
            Field::Passport => "passport_no",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Hometown => "hometown",
            Field::Country => "country",
            Field::CityAbroad => "city_abroad",
            Field::FatherName => "father_name",
        }
    }

    /// Names of the levels; level 0 is always "missing" (one side empty) and the last
    /// is always "disagree".
    pub const fn levels(self) -> &'static [&'static str] {
        match self {
            Field::FamilyName => &["missing", "exact", "variant", "foreign", "disagree"],
            Field::GivenName => &[
                "missing",
                "exact",
                "middle_name_dropped",
                "middle_name_differs",
                "typo",
                "fuzzy",
                "western_given_name",
                "disagree",
            ],
            Field::BirthDate => &[
                "missing",
                "exact",
                "day_month_swapped",
                "one_part_differs",
                "same_month_and_year",
                "same_year",
                "differs",
                "decades_apart",
            ],
            Field::Gender | Field::Country => &["missing", "agree", "disagree"],
            Field::Passport => &["missing", "exact", "typo", "disagree"],
            Field::Phone => &["missing", "exact", "same_subscriber", "disagree"],
            Field::Email => &["missing", "exact", "same_user", "disagree"],
            Field::Hometown => &["missing", "exact", "same_commune", "similar", "disagree"],
            Field::CityAbroad => &["missing", "exact", "fuzzy", "disagree"],
            Field::FatherName => &["missing", "exact", "partial", "disagree"],
        }
    }

    /// Number of levels including "missing".
    pub const fn level_count(self) -> usize {
        self.levels().len()
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

/// How a field compared, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Agree,
    Partial,
    Disagree,
    Missing,
}

impl Outcome {
    pub(crate) const fn of(field: Field, level: u8) -> Self {
        let last = field.level_count() as u8 - 1;
        match level {
            0 => Outcome::Missing,
            1 => Outcome::Agree,
            l if l == last => Outcome::Disagree,
            // Dates that differ, by less than ten years: still a disagreement.
            l if matches!(field, Field::BirthDate) && l == last - 1 => Outcome::Disagree,
            _ => Outcome::Partial,
        }
    }

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Outcome::Agree => "agree",
            Outcome::Partial => "partial",
            Outcome::Disagree => "disagree",
            Outcome::Missing => "missing",
        }
    }
}

/// Gender as compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sex {
    Unknown,
    Male,
    Female,
}

/// A record normalised for comparison.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    pub name: Name,
    pub birth: Option<PartialDate>,
    pub sex: Option<Sex>,
    pub passport: Box<str>,
    pub phone: Box<str>,
    pub email: Box<str>,
    pub hometown: Place,
    /// Hash of the folded country; 0 when empty.
    pub country: u64,
    pub city: Option<Token>,
    pub father: Name,
}

impl Prepared {
    pub fn new(r: &Record) -> Self {
        let country = fold(&r.country);
        let city = fold(&r.city_abroad);
        Self {
            name: Name::parse(&r.full_name),
            birth: parse_date(&r.birth_date),
            sex: parse_sex(&r.gender),
            passport: normalize_passport(&r.passport_no).into(),
            phone: normalize_phone(&r.phone).into(),
            email: normalize_email(&r.email).into(),
            hometown: Place::parse(
                &r.hometown,
                r.hometown_codes
                    .as_ref()
                    .map(|c| (c.legacy.as_str(), c.current.as_str())),
            ),
            country: if country.is_empty() {
                0
            } else {
                hash_of(country.as_str())
            },
            city: (!city.is_empty()).then(|| Token::new(&city)),
            father: Name::parse(&r.father_name),
        }
    }
}

fn parse_sex(raw: &str) -> Option<Sex> {
    match fold(raw).as_str() {
        "m" | "male" | "nam" | "man" | "1" | "homme" | "h" => Some(Sex::Male),
        "f" | "female" | "nu" | "woman" | "2" | "femme" | "w" => Some(Sex::Female),
        "" => None,
        _ => Some(Sex::Unknown),
    }
}

/// The comparison vector of a pair, with the values that term-frequency
/// adjustments look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Gamma {
    pub levels: [u8; FIELD_COUNT],
    /// Hash of the agreeing value for fields with term-frequency adjustment, else 0.
    pub tf: [u64; FIELD_COUNT],
}

/// True when `a` and `b` differ by at most one insertion, deletion, substitution or
/// transposition of adjacent bytes (optimal string alignment distance ≤ 1), without
/// allocating: this runs on every candidate pair.
pub(crate) fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if p == a.len() && p == b.len() {
        return true;
    }
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            // substitution, or transposition of two adjacent bytes
            a[p + 1..] == b[p + 1..]
                || (p + 1 < a.len()
                    && a[p] == b[p + 1]
                    && a[p + 1] == b[p]
                    && a[p + 2..] == b[p + 2..])
        }
        std::cmp::Ordering::Greater => a[p + 1..] == b[p..],
        std::cmp::Ordering::Less => a[p..] == b[p + 1..],
    }
}

/// Near-equal syllables or words: one edit apart, both at least three letters long.
fn close(a: &str, b: &str) -> bool {
    a.len() >= 3 && b.len() >= 3 && within_one_edit(a.as_bytes(), b.as_bytes())
}

fn same_seq(a: &[Token], b: &[Token]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.hash == y.hash)
}

/// True when the shorter list of middle names is contained, in order, in the longer
/// (a dropped or added middle name).
fn middles_compatible(a: &[Token], b: &[Token]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut it = long.iter();
    short.iter().all(|s| it.any(|l| l.hash == s.hash))
}

fn family_level(a: &Reading<'_>, b: &Reading<'_>) -> u8 {
    if a.family.hash == b.family.hash {
        1
    } else if a.family_class == b.family_class || close(&a.family.text, &b.family.text) {
        2
    } else if a.family_known != b.family_known && a.plausible && b.plausible {
        // A spouse's foreign family name against a Vietnamese one.
        3
    } else {
        4
    }
}

/// One edit apart, and one of the two is not a Vietnamese syllable at all
/// ("Tuyênn", "Hươhg", "Vnă"): a slip of the keyboard, not another name
/// ("Nga" and "Nha" are both names, one edit apart).
fn typo_of(a: &str, b: &str) -> bool {
    within_one_edit(a.as_bytes(), b.as_bytes()) && vietnamese_shaped(a) != vietnamese_shaped(b)
}

/// Same number of middle names, each equal or one typo away; short middle names
/// must be equal ("Mạnh" and "Anh" are two names, one edit apart) unless one of
/// them is no syllable at all.
fn middles_close(a: &[Token], b: &[Token]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.hash == y.hash
                || (x.text.len() >= 4
                    && y.text.len() >= 4
                    && within_one_edit(x.text.as_bytes(), y.text.as_bytes()))
                || (x.text.len() >= 2 && y.text.len() >= 2 && typo_of(&x.text, &y.text))
        })
}

fn given_level(a: &Reading<'_>, b: &Reading<'_>) -> u8 {
    if a.given.hash == b.given.hash {
        if same_seq(a.middles, b.middles) {
            1
        } else if middles_compatible(a.middles, b.middles) || middles_close(a.middles, b.middles) {
            // A middle name dropped, added or mistyped.
            2
        } else {
            // "Văn" against "Đức": usually two people.
            3
        }
    } else if close(&a.given.text, &b.given.text)
        && typo_of(&a.given.text, &b.given.text)
        && (middles_compatible(a.middles, b.middles) || middles_close(a.middles, b.middles))
    {
        // "Tuyênn" for "Tuyên": a typo, much rarer between two people than
        // two real names one letter apart.
        4
    } else if (close(&a.given.text, &b.given.text) && middles_compatible(a.middles, b.middles))
        || swapped_given(a, b)
    {
        5
    } else if vietnamese_shaped(&a.given.text) != vietnamese_shaped(&b.given.text) {
        // "Thomas Nguyễn" for "Nguyễn Văn Dũng": a name taken abroad.
        6
    } else {
        7
    }
}

/// "Nguyễn Anh Đức" against "Nguyễn Đức Anh": given and last middle exchanged.
fn swapped_given(a: &Reading<'_>, b: &Reading<'_>) -> bool {
    match (a.middles.last(), b.middles.last()) {
        (Some(am), Some(bm)) => am.hash == b.given.hash && bm.hash == a.given.hash,
        _ => false,
    }
}

/// Best reading pair so far: ordering key (level sum, family level, rank, class),
/// family tf key, given tf key.
type Best = ((u8, u8, u8, u64), u64, u64);

/// Levels and tf keys for family and given names, the best of the readings.
fn compare_names(a: &Name, b: &Name) -> ((u8, u64), (u8, u64)) {
    if a.is_empty() || b.is_empty() {
        return ((0, 0), (0, 0));
    }
    if a.tokens.len() == 1 || b.tokens.len() == 1 {
        // A single syllable: compare it with the other's given name only.
        let (one, other) = if a.tokens.len() == 1 { (a, b) } else { (b, a) };
        let t = &one.tokens[0];
        let level = other
            .all_readings()
            .map(|r| {
                if r.given.hash == t.hash {
                    2
                } else if close(&r.given.text, &t.text) && typo_of(&r.given.text, &t.text) {
                    4
                } else if close(&r.given.text, &t.text) {
                    5
                } else {
                    7
                }
            })
            .min()
            .unwrap_or(6);
        let tf = if level == 2 { t.hash } else { 0 };
        return ((0, 0), (level, tf));
    }
    // Fast path: the decided orders agree fully.
    if let (Some(ra), Some(rb)) = (a.all_readings().next(), b.all_readings().next())
        && ra.family.hash == rb.family.hash
        && ra.given.hash == rb.given.hash
        && same_seq(ra.middles, rb.middles)
    {
        return ((1, ra.family_class), (1, ra.given_full_hash()));
    }
    // Best reading pair; the key orders every tie the same way whichever record
    // comes first, so that scores are symmetric.
    let mut best: Option<Best> = None;
    // A record written family name first with a known family name ("Trần Văn
    // Bình") has no typo that could have hidden its order: its reverse reading
    // (family "Bình", given "Trần") is never used, or "Trần Văn Định" and
    // "Trần Văn Bình" would meet as the rare given name Trần with close family
    // names. (Decided last, the family name may be a typo's doing.)
    let decided_known = |n: &Name| {
        n.family == 0 && !n.ambiguous && n.all_readings().next().is_some_and(|r| r.family_known)
    };
    let (a_known, b_known) = (decided_known(a), decided_known(b));
    for (ia, ra) in a.all_readings().enumerate() {
        for (ib, rb) in b.all_readings().enumerate() {
            if (!ra.plausible && a_known) || (!rb.plausible && b_known) {
                continue;
            }
            // Both names reversed align the same syllables as both as written,
            // only labelled the other way: the given names would then be
            // compared with the leniency of family names ("Vương" and "Lương"
            // close variants) and the family names as given names ("Ngô" and
            // "Ngô" a rare given name agreeing). Two names whose order is open
            // are read as written, family name first, the usual order.
            if ia == 1 && ib == 1 && a.ambiguous && b.ambiguous {
                continue;
            }
            let f = family_level(&ra, &rb);
            let g = given_level(&ra, &rb);
            // An order a record does not suggest only counts against the other's
            // suggested order, and when it explains the whole name, given and middle
            // names exactly (a typo in the family name hid the order); otherwise
            // "Nguyễn Minh Vinh" would meet "Nguyen Minh Kinh" as two people
            // surnamed Vinh/Kinh, both given the name Nguyễn.
            if !(ra.plausible && rb.plausible)
                && !((ra.plausible || rb.plausible) && f <= 2 && g == 1)
            {
                continue;
            }
            // Term frequency of the more common family name: the conservative choice.
            let (rank, class) =
                (ra.family_rank, ra.family_class).min((rb.family_rank, rb.family_class));
            let key = (f + g, f, rank, class);
            if best.is_none_or(|(k, _, _)| key < k) {
                let gtf = match g {
                    1 => ra.given_full_hash(),
                    2 | 3 => ra.given.hash,
                    _ => 0,
                };
                best = Some((key, if f <= 2 { class } else { 0 }, gtf));
            }
        }
    }
    let Some(((sum, f, _, _), ftf, gtf)) = best else {
        return ((0, 0), (0, 0));
    };
    ((f, ftf), (sum - f, gtf))
}

/// Birth years this far apart are two generations, not a slip of the pen
/// (a transposed "1987"/"1978" is nine years).
pub(crate) const DECADES: u16 = 10;

/// The level of two birth dates, the last (`decades_apart`) when their years
/// are [`DECADES`] or more apart.
fn date_level(a: Option<PartialDate>, b: Option<PartialDate>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else { return 0 };
    if a.year.abs_diff(b.year) >= DECADES {
        return 7;
    }
    if let (Some(am), Some(ad), Some(bm), Some(bd)) = (a.month, a.day, b.month, b.day) {
        let same = [a.year == b.year, am == bm, ad == bd];
        let agree = same.iter().filter(|s| **s).count();
        if agree == 3 {
            1
        } else if a.year == b.year && am == bd && ad == bm {
            2
        } else if agree == 2 {
            3
        } else {
            6
        }
    } else {
        // One date partial: compatible to the month, or only to the year.
        match (a.year == b.year, a.month, b.month) {
            (true, Some(x), Some(y)) if x == y => 4,
            (true, Some(_), Some(_)) | (false, ..) => 6,
            (true, ..) => 5,
        }
    }
}

fn text_level(a: &str, b: &str, near: impl Fn(&str, &str) -> bool) -> u8 {
    if a.is_empty() || b.is_empty() {
        0
    } else if a == b {
        1
    } else if near(a, b) {
        2
    } else {
        3
    }
}

fn phone_near(a: &str, b: &str) -> bool {
    let tail = |s: &str| {
        s.len()
            .checked_sub(8)
            .and_then(|i| s.get(i..))
            .map(str::to_owned)
    };
    matches!((tail(a), tail(b)), (Some(x), Some(y)) if x == y)
}

fn passport_near(a: &str, b: &str) -> bool {
    a.len() >= 6 && b.len() >= 6 && within_one_edit(a.as_bytes(), b.as_bytes())
}

fn email_near(a: &str, b: &str) -> bool {
    fn local(s: &str) -> &str {
        s.split('@').next().unwrap_or_default()
    }
    local(a) == local(b) || within_one_edit(a.as_bytes(), b.as_bytes())
}

fn place_level(a: &Place, b: &Place) -> (u8, u64) {
    if a.is_empty() || b.is_empty() {
        return (0, 0);
    }
    if let (Some((al, ac)), Some((bl, bc))) = (a.codes, b.codes) {
        // Codes resolved by the caller decide: legacy and current codes of one place.
        let same = (al != 0 && al == bl) || (ac != 0 && ac == bc);
        let tf = match (a.commune(), b.commune()) {
            (Some(x), Some(y)) => x.hash.min(y.hash),
            _ => 0,
        };
        return if same { (1, tf) } else { (4, 0) };
    }
    let (Some(ca), Some(cb)) = (a.commune(), b.commune()) else {
        return (0, 0);
    };
    if a.set_hash == b.set_hash {
        (1, ca.hash)
    } else if ca.hash == cb.hash {
        (2, ca.hash)
    } else if close(&ca.text, &cb.text)
        || a.parts.iter().any(|p| p.hash == cb.hash)
        || b.parts.iter().any(|p| p.hash == ca.hash)
    {
        (3, 0)
    } else {
        (4, 0)
    }
}

fn father_level(a: &Name, b: &Name) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    let ((f, _), (g, _)) = compare_names(a, b);
    match (f, g) {
        (0 | 1, 1) => 1,
        (0..=3, 1..=4) => 2,
        _ => 3,
    }
}

/// Compares two prepared records.
#[expect(
    clippy::many_single_char_names,
    reason = "a and b are the two records throughout the module"
)]
pub(crate) fn gamma(a: &Prepared, b: &Prepared) -> Gamma {
    let mut g = Gamma::default();
    let ((fl, ftf), (gl, gtf)) = compare_names(&a.name, &b.name);
    let mut set = |f: Field, level: u8, tf: u64| {
        g.levels[f.index()] = level;
        g.tf[f.index()] = tf;
    };
    set(Field::FamilyName, fl, ftf);
    set(Field::GivenName, gl, gtf);
    set(Field::BirthDate, date_level(a.birth, b.birth), 0);
    let sex = match (a.sex, b.sex) {
        (Some(x), Some(y)) if x != Sex::Unknown && y != Sex::Unknown => {
            if x == y {
                1
            } else {
                2
            }
        }
        _ => 0,
    };
    set(Field::Gender, sex, 0);
    set(
        Field::Passport,
        text_level(&a.passport, &b.passport, passport_near),
        0,
    );
    set(Field::Phone, text_level(&a.phone, &b.phone, phone_near), 0);
    set(Field::Email, text_level(&a.email, &b.email, email_near), 0);
    let (hl, htf) = place_level(&a.hometown, &b.hometown);
    set(Field::Hometown, hl, htf);
    let country = match (a.country, b.country) {
        (0, _) | (_, 0) => 0,
        (x, y) if x == y => 1,
        _ => 2,
    };
    set(Field::Country, country, 0);
    let city = match (&a.city, &b.city) {
        (Some(x), Some(y)) => {
            if x.hash == y.hash {
                1
            } else if close(&x.text, &y.text) {
                2
            } else {
                3
            }
        }
        _ => 0,
    };
    set(Field::CityAbroad, city, 0);
    set(Field::FatherName, father_level(&a.father, &b.father), 0);
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, dob: &str) -> Prepared {
        Prepared::new(&Record {
            full_name: name.into(),
            birth_date: dob.into(),
            ..Record::default()
        })
    }

    fn levels(a: &str, b: &str) -> (u8, u8) {
        let g = gamma(&rec(a, ""), &rec(b, ""));
        (g.levels[0], g.levels[1])
    }

    #[test]
    fn names_without_diacritics_are_exact() {
        assert_eq!(levels("Nguyễn Văn Đức", "NGUYEN VAN DUC"), (1, 1));
    }

    #[test]
    fn family_name_last_is_exact() {
        assert_eq!(levels("Nguyễn Văn Đức", "Duc Van Nguyen"), (1, 1));
    }

    #[test]
    fn dropped_middle_name_is_partial() {
        assert_eq!(levels("Nguyễn Văn Đức", "Nguyen Duc"), (1, 2));
        assert_eq!(levels("Nguyễn Thanh Đức", "Nguyen Thnah Duc"), (1, 2));
        assert_eq!(levels("Nguyễn Mạnh Khánh", "Nguyễn Anh Khánh"), (1, 3));
        assert_eq!(levels("Nguyễn Văn Đức", "Nguyễn Hữu Đức"), (1, 3));
        assert_eq!(levels("Nguyễn Minh Tùng", "Dũng Quang Ngọc Nguyễn"), (1, 7));
        assert_eq!(levels("Nguyễn Văn Dũng", "Thomas Nguyễn"), (1, 6));
        // Two real names one letter apart: "fuzzy"; a slip of the keyboard: "typo".
        assert_eq!(levels("Nguyễn Minh Vinh", "NGUYEN MINH KINH"), (1, 5));
        assert_eq!(levels("Nguyễn Quang Tuyên", "Nguyễn Quang Tuyênn"), (1, 4));
        assert_eq!(levels("Lê Mai Hương", "Lê Mai Hươhg"), (1, 4));
        assert_eq!(levels("Vũ Văn Minh", "Vũ Vnă Minh"), (1, 2));
        // A known family name first: the reverse reading is not tried.
        assert_eq!(levels("Trần Văn Định", "Trần Văn Bình"), (1, 5));
        assert_eq!(levels("Ngkuyễn Ngọc Hà", "Nguyễn Ngọc Hà"), (2, 1));
    }

    #[test]
    fn vu_and_vo_are_variants() {
        assert_eq!(levels("Vũ Thị Lan", "Võ Thị Lan"), (2, 1));
        assert_eq!(levels("Hoàng Văn Nam", "Huỳnh Văn Nam"), (2, 1));
    }

    #[test]
    fn married_name_keeps_given_name() {
        assert_eq!(levels("Trần Thị Mai Anh", "Anh Smith"), (3, 2));
        assert_eq!(levels("Trần Thị Mai Anh", "Lê Thị Mai Anh"), (4, 1));
    }

    #[test]
    fn swapped_day_and_month_is_its_own_level() {
        let g = gamma(&rec("a", "1980-03-04"), &rec("a", "04/03/1980"));
        assert_eq!(g.levels[2], 1);
        let g = gamma(&rec("a", "1980-03-04"), &rec("a", "1980-04-03"));
        assert_eq!(g.levels[2], 2);
        let g = gamma(&rec("a", "1980-03-04"), &rec("a", "03/1980"));
        assert_eq!(g.levels[2], 4);
        let g = gamma(&rec("a", "1980-03-04"), &rec("a", "1980"));
        assert_eq!(g.levels[2], 5);
        let g = gamma(&rec("a", "1980-03-04"), &rec("a", "1981"));
        assert_eq!(g.levels[2], 6);
        let g = gamma(&rec("a", "1980-03-04"), &rec("a", "1967-03-04"));
        assert_eq!(g.levels[2], 7);
    }
}

#[cfg(test)]
mod edit_tests {
    use super::within_one_edit;

    #[test]
    fn one_edit_is_detected() {
        let t = |a: &str, b: &str| within_one_edit(a.as_bytes(), b.as_bytes());
        assert!(t("nguyen", "nguyen"));
        assert!(t("nguyen", "ngyuen"));
        assert!(t("nguyen", "nguyn"));
        assert!(t("nguyen", "nguyenx"));
        assert!(t("nguyen", "nguxen"));
        assert!(!t("nguyen", "ngyuxn"));
        assert!(!t("nguyen", "ngu"));
        assert!(t("", "a"));
        assert!(!t("ab", "ba c"));
    }
}
