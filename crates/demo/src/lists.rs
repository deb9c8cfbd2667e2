//! Agencies' lists: the same people as several departments would send them, each
//! row written the agency's way, with the ground truth kept in `true_person_id`.
//!
//! About 30 % of people appear in two to four lists (police and the Fatherland
//! Front reconcile theirs, seed 001); the rest in one. Spellings vary the way they
//! do in practice (PRODUCT.md): no diacritics, upper case, family name last,
//! middle name dropped, a spouse's surname or a foreign given name, one-letter
//! typos, Vũ/Võ and Hoàng/Huỳnh, several date forms, missing fields, phone
//! formats, renewed passports and legacy, new or abbreviated hometown wording.

use domain::{Agency, Category, Gender, NotableTag, PartialDate};
use rand::SeedableRng;

use crate::hometown::abbreviate;
use crate::person::{Config, Generator, Head, Person, passport};
use crate::phone::{self, PhoneStyle};
use crate::pick::{DemoRng, chance, index, weighted};
use crate::tables::{COUNTRIES, NameStyle, VIETNAM_DIAL};
use crate::text::{strip_diacritics, typo, upper};

/// Header of the list CSV: the input contract of `kieubao dedupe`.
pub const LIST_CSV_HEADER: [&str; 14] = [
    "record_id",
    "source",
    "full_name",
    "gender",
    "birth_date",
    "country",
    "city_abroad",
    "hometown",
    "passport_no",
    "phone",
    "email",
    "father_name",
    "category",
    "true_person_id",
];

/// Agencies sending lists by default (seed 001).
pub const DEFAULT_AGENCIES: [Agency; 10] = [
    Agency::Police,
    Agency::FatherlandFront,
    Agency::Justice,
    Agency::Labour,
    Agency::HomeAffairs,
    Agency::PlanningInvestment,
    Agency::Education,
    Agency::Mission,
    Agency::Association,
    Agency::Survey,
];

/// What to generate in list mode.
#[derive(Debug, Clone)]
pub struct ListConfig {
    /// The people behind the lists (their seed also drives the variations).
    pub people: Config,
    /// Agencies whose lists are produced, in output order (at most 32 are used).
    pub agencies: Vec<Agency>,
    /// People (per mille) who appear in two to four lists rather than one.
    pub multi_list_per_mille: u32,
}

impl ListConfig {
    /// Hà Tĩnh defaults: ten agencies, 30 % of people in several lists, 3 % namesakes.
    pub fn new(seed: u64, people: u64) -> Self {
        Self {
            people: Config {
                namesake_per_mille: 30,
                ..Config::new(seed, people)
            },
            agencies: DEFAULT_AGENCIES.to_vec(),
            multi_list_per_mille: 300,
        }
    }
}

impl Default for ListConfig {
    fn default() -> Self {
        Self::new(42, 1_000)
    }
}

/// A way a row departs from the person's reference record (ground truth for tests
/// and for measuring which variations a matcher misses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    NoDiacritics,
    Uppercase,
    FamilyNameLast,
    MiddleNameDropped,
    SpouseSurname,
    ForeignGivenName,
    Typo,
    /// Vũ/Võ or Hoàng/Huỳnh.
    SurnameConfusion,
    DateDayFirst,
    DateIso,
    DateYearOnly,
    DateDayMonthSwapped,
    MissingField,
    PhoneFormat,
    /// The Vietnamese number kept at home rather than the host-country one.
    PhoneAtHome,
    PassportRenewed,
    HometownLegacy,
    HometownNew,
    HometownAbbreviated,
    /// Việt kiều / migrant / other confused.
    CategoryMismatch,
}

impl Variation {
    /// Every variation.
    pub const ALL: [Variation; 20] = [
        Self::NoDiacritics,
        Self::Uppercase,
        Self::FamilyNameLast,
        Self::MiddleNameDropped,
        Self::SpouseSurname,
        Self::ForeignGivenName,
        Self::Typo,
        Self::SurnameConfusion,
        Self::DateDayFirst,
        Self::DateIso,
        Self::DateYearOnly,
        Self::DateDayMonthSwapped,
        Self::MissingField,
        Self::PhoneFormat,
        Self::PhoneAtHome,
        Self::PassportRenewed,
        Self::HometownLegacy,
        Self::HometownNew,
        Self::HometownAbbreviated,
        Self::CategoryMismatch,
    ];
}

/// One row of an agency's list, columns as in [`LIST_CSV_HEADER`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub record_id: String,
    pub source: Agency,
    pub full_name: String,
    pub gender: Option<Gender>,
    /// As written by the agency; `None` when missing.
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<&'static str>,
    pub city_abroad: Option<&'static str>,
    pub hometown: Option<String>,
    pub passport_no: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub father_name: Option<String>,
    pub category: Option<Category>,
    /// Ground truth: the `person_key` of the person.
    pub true_person_id: u64,
    /// What was changed, in the order applied (not written to the CSV).
    pub variations: Vec<Variation>,
}

impl ListRow {
    /// Whether the row carries this variation.
    pub fn has(&self, v: Variation) -> bool {
        self.variations.contains(&v)
    }
}

// Indices into `Style::missing`.
const M_GENDER: usize = 0;
const M_BIRTH: usize = 1;
const M_CITY: usize = 2;
const M_HOMETOWN: usize = 3;
const M_PASSPORT: usize = 4;
const M_PHONE: usize = 5;
const M_EMAIL: usize = 6;
const M_FATHER: usize = 7;
const M_CATEGORY: usize = 8;

/// How an agency writes its rows; rates are per mille.
#[derive(Debug, Clone, Copy)]
struct Style {
    upper: u32,
    plain: u32,
    family_last: u32,
    drop_middle: u32,
    typo: u32,
    confusion: u32,
    spouse: u32,
    foreign: u32,
    /// Weights of day-first, ISO and year-only dates.
    date: [u32; 3],
    swap: u32,
    missing: [u32; 9],
    /// Weights of E.164, spaced, `00`, national and punctuated phone numbers.
    phone: [u32; 5],
    /// Preference for the Vietnamese number when the person keeps one.
    home_phone: u32,
    /// Weights of legacy, new and abbreviated hometown wording.
    hometown: [u32; 3],
    renewed: u32,
    mismatch: u32,
}

const fn style(agency: Agency) -> Style {
    // gender, birth, city, hometown, passport, phone, email, father, category
    match agency {
        Agency::Police => Style {
            upper: 100,
            plain: 20,
            family_last: 0,
            drop_middle: 10,
            typo: 20,
            confusion: 30,
            spouse: 0,
            foreign: 0,
            date: [85, 5, 10],
            swap: 15,
            missing: [5, 20, 300, 10, 300, 400, 800, 200, 50],
            phone: [30, 0, 20, 50, 0],
            home_phone: 500,
            hometown: [50, 40, 10],
            renewed: 50,
            mismatch: 30,
        },
        Agency::FatherlandFront => Style {
            upper: 0,
            plain: 30,
            family_last: 0,
            drop_middle: 30,
            typo: 60,
            confusion: 50,
            spouse: 0,
            foreign: 0,
            date: [40, 5, 55],
            swap: 30,
            missing: [20, 50, 500, 5, 800, 500, 950, 100, 100],
            phone: [20, 0, 20, 60, 0],
            home_phone: 700,
            hometown: [40, 20, 40],
            renewed: 0,
            mismatch: 50,
        },
        Agency::Justice => Style {
            upper: 50,
            plain: 50,
            family_last: 0,
            drop_middle: 10,
            typo: 20,
            confusion: 20,
            spouse: 100,
            foreign: 0,
            date: [90, 10, 0],
            swap: 10,
            missing: [0, 10, 200, 30, 100, 600, 800, 300, 0],
            phone: [40, 20, 20, 20, 0],
            home_phone: 200,
            hometown: [60, 40, 0],
            renewed: 30,
            mismatch: 0,
        },
        Agency::Labour => Style {
            upper: 700,
            plain: 700,
            family_last: 0,
            drop_middle: 20,
            typo: 30,
            confusion: 20,
            spouse: 0,
            foreign: 0,
            date: [40, 60, 0],
            swap: 10,
            missing: [10, 10, 300, 50, 20, 300, 600, 400, 0],
            phone: [60, 0, 40, 0, 0],
            home_phone: 400,
            hometown: [50, 30, 20],
            renewed: 50,
            mismatch: 0,
        },
        Agency::HomeAffairs | Agency::Education => Style {
            upper: 50,
            plain: 100,
            family_last: 0,
            drop_middle: 10,
            typo: 20,
            confusion: 10,
            spouse: 0,
            foreign: 20,
            date: [70, 30, 0],
            swap: 10,
            missing: [10, 20, 200, 100, 200, 400, 300, 500, 0],
            phone: [40, 30, 0, 30, 0],
            home_phone: 300,
            hometown: [40, 50, 10],
            renewed: 30,
            mismatch: 0,
        },
        Agency::PlanningInvestment => Style {
            upper: 100,
            plain: 100,
            family_last: 100,
            drop_middle: 50,
            typo: 20,
            confusion: 10,
            spouse: 50,
            foreign: 200,
            date: [60, 20, 20],
            swap: 10,
            missing: [100, 300, 100, 300, 400, 200, 200, 900, 0],
            phone: [30, 30, 0, 0, 40],
            home_phone: 100,
            hometown: [30, 50, 20],
            renewed: 30,
            mismatch: 30,
        },
        Agency::Mission => Style {
            upper: 600,
            plain: 800,
            family_last: 150,
            drop_middle: 100,
            typo: 30,
            confusion: 30,
            spouse: 300,
            foreign: 150,
            date: [50, 30, 20],
            swap: 50,
            missing: [20, 50, 50, 200, 50, 200, 400, 800, 200],
            phone: [30, 20, 20, 0, 50],
            home_phone: 0,
            hometown: [40, 30, 30],
            renewed: 200,
            mismatch: 30,
        },
        Agency::Association => Style {
            upper: 100,
            plain: 600,
            family_last: 500,
            drop_middle: 500,
            typo: 80,
            confusion: 50,
            spouse: 400,
            foreign: 500,
            date: [30, 10, 60],
            swap: 50,
            missing: [100, 300, 50, 200, 950, 200, 300, 900, 300],
            phone: [10, 20, 0, 40, 30],
            home_phone: 0,
            hometown: [20, 40, 40],
            renewed: 0,
            mismatch: 50,
        },
        Agency::Survey
        | Agency::Statistics
        | Agency::ForeignAffairs
        | Agency::Commune
        | Agency::SelfDeclared
        | Agency::Exchange => Style {
            upper: 0,
            plain: 10,
            family_last: 0,
            drop_middle: 20,
            typo: 50,
            confusion: 40,
            spouse: 0,
            foreign: 0,
            date: [40, 0, 60],
            swap: 30,
            missing: [10, 30, 600, 0, 900, 300, 900, 50, 50],
            phone: [10, 0, 10, 80, 0],
            home_phone: 800,
            hometown: [30, 60, 10],
            renewed: 0,
            mismatch: 40,
        },
    }
}

fn agency_slot(agency: Agency) -> u64 {
    Agency::ALL.iter().position(|a| *a == agency).unwrap_or(0) as u64
}

/// Keys of independent random streams, one per purpose.
fn derived_key(seed: u64, purpose: u64) -> [u8; 32] {
    DemoRng::seed_from_u64(seed ^ purpose.wrapping_mul(0x9E37_79B9_7F4A_7C15)).get_seed()
}

/// Everything needed to produce rows: the people generator and the stream keys.
#[derive(Debug, Clone)]
pub struct Lists {
    generator: Generator,
    agencies: Vec<Agency>,
    multi_list_per_mille: u32,
    plan_key: [u8; 32],
    row_keys: Vec<[u8; 32]>,
}

impl Lists {
    /// Prepares the lists of a configuration.
    pub fn new(config: &ListConfig) -> Self {
        let seed = config.people.seed;
        Self {
            generator: Generator::new(&config.people),
            agencies: config.agencies.clone(),
            multi_list_per_mille: config.multi_list_per_mille,
            plan_key: derived_key(seed, 0x706c_616e),
            row_keys: config
                .agencies
                .iter()
                .map(|a| derived_key(seed, 0x726f_7773 + agency_slot(*a)))
                .collect(),
        }
    }

    /// The people generator behind the lists.
    pub fn generator(&self) -> &Generator {
        &self.generator
    }

    /// Agencies (indices into the configured list) whose lists hold this person.
    fn plan(&self, key: u64, head: &Head) -> u32 {
        let mut rng = DemoRng::from_seed(self.plan_key);
        rng.set_stream(key);
        let count = if chance(&mut rng, self.multi_list_per_mille) {
            match index(&mut rng, 1000) {
                0..600 => 2,
                600..880 => 3,
                _ => 4,
            }
        } else {
            1
        };
        let category = head.category();
        let mut weights: Vec<u32> = self
            .agencies
            .iter()
            .take(32)
            .map(|a| match a {
                Agency::Police | Agency::FatherlandFront => 30,
                Agency::Survey | Agency::Commune => 20,
                Agency::Mission => 8,
                Agency::Association => {
                    if head.association_count() > 0 {
                        30
                    } else {
                        3
                    }
                }
                Agency::Justice => u32::from(category == Category::ForeignMarriage) * 50,
                Agency::Labour => u32::from(category == Category::ContractLabour) * 50,
                Agency::Education => u32::from(category == Category::StudyAbroad) * 40,
                Agency::HomeAffairs => {
                    let official = category == Category::StudyAbroad && head.birth_year() < 2003;
                    u32::from(official) * 10
                }
                Agency::PlanningInvestment => {
                    u32::from(head.has_tag(NotableTag::Businessperson)) * 60
                }
                Agency::Statistics | Agency::ForeignAffairs => 2,
                Agency::SelfDeclared | Agency::Exchange => 0,
            })
            .collect();
        let mut chosen = 0u32;
        for _ in 0..count {
            let at = weighted(&mut rng, &weights);
            if weights.get(at).copied().unwrap_or(0) == 0 {
                break;
            }
            chosen |= 1 << at;
            weights[at] = 0;
        }
        chosen
    }

    /// The agencies (in configured order) whose lists hold the person with this key.
    pub fn agencies_of(&self, key: u64) -> Vec<Agency> {
        let plan = self.plan_of(key);
        self.agencies
            .iter()
            .enumerate()
            .filter(|(i, _)| plan & (1 << i) != 0)
            .map(|(_, a)| *a)
            .collect()
    }

    /// The lists (bits over the configured agencies) holding this person.
    fn plan_of(&self, key: u64) -> u32 {
        let (_, head) = self.generator.head(key);
        self.plan(key, &head)
    }

    /// The row of agency `slot` for this person.
    fn row(&self, slot: usize, key: u64, seq: u64) -> ListRow {
        let person = self.generator.person(key);
        let agency = self.agencies[slot];
        let mut row_rng = DemoRng::from_seed(self.row_keys[slot]);
        row_rng.set_stream(key);
        write_row(&mut row_rng, &person, agency, seq)
    }
}

fn swap_surname(family: &str) -> Option<&'static str> {
    match family {
        "Vũ" => Some("Võ"),
        "Võ" => Some("Vũ"),
        "Hoàng" => Some("Huỳnh"),
        "Huỳnh" => Some("Hoàng"),
        _ => None,
    }
}

fn name_style(person: &Person) -> NameStyle {
    COUNTRIES
        .iter()
        .find(|c| c.code == person.country)
        .map_or(NameStyle::Local, |c| c.names)
}

/// Writes the person's name the agency's way.
fn write_name(
    rng: &mut DemoRng,
    person: &Person,
    s: &Style,
    v: &mut Vec<Variation>,
) -> (String, bool, bool) {
    let mut family = person.family_name.to_owned();
    let mut middle: Vec<String> = person
        .middle_name
        .split(' ')
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect();
    let mut given = person.given_name.to_owned();
    let mut family_last = false;
    let female = person.gender == Gender::Female;

    let spouse = person.spouse_family_name.filter(|_| female);
    if let Some(spouse) = spouse.filter(|_| chance(rng, s.spouse)) {
        if name_style(person).family_first() {
            spouse.clone_into(&mut family);
        } else {
            // "Lan Smith" or "Lan Nguyen Smith": the maiden name kept as a middle name.
            middle = if chance(rng, 500) {
                vec![std::mem::take(&mut family)]
            } else {
                Vec::new()
            };
            spouse.clone_into(&mut family);
            family_last = true;
        }
        v.push(Variation::SpouseSurname);
    } else if let Some(foreign) = person.foreign_given_name.filter(|_| chance(rng, s.foreign)) {
        // "Kevin Nguyen", or "Kevin Duc Nguyen" with the Vietnamese name kept.
        middle = if chance(rng, 400) {
            vec![std::mem::take(&mut given)]
        } else {
            Vec::new()
        };
        foreign.clone_into(&mut given);
        family_last = !name_style(person).family_first();
        v.push(Variation::ForeignGivenName);
    }
    if let Some(other) = swap_surname(&family).filter(|_| chance(rng, s.confusion)) {
        other.clone_into(&mut family);
        v.push(Variation::SurnameConfusion);
    }
    if !middle.is_empty() && chance(rng, s.drop_middle) {
        middle.clear();
        v.push(Variation::MiddleNameDropped);
    }
    if chance(rng, s.family_last) {
        family_last = true;
    }
    let plain = chance(rng, s.plain);
    if plain {
        let before = (family.clone(), middle.clone(), given.clone());
        family = strip_diacritics(&family);
        middle = middle.iter().map(|m| strip_diacritics(m)).collect();
        given = strip_diacritics(&given);
        if before != (family.clone(), middle.clone(), given.clone()) {
            v.push(Variation::NoDiacritics);
        }
    }
    if chance(rng, s.typo) {
        match index(rng, 4) {
            0 => family = typo(rng, &family),
            1 if !middle.is_empty() => {
                let at = index(rng, middle.len());
                middle[at] = typo(rng, &middle[at]);
            }
            _ => given = typo(rng, &given),
        }
        v.push(Variation::Typo);
    }
    let mut parts: Vec<&str> = Vec::with_capacity(4);
    if family_last {
        parts.push(&given);
        parts.extend(middle.iter().map(String::as_str));
        parts.push(&family);
        v.push(Variation::FamilyNameLast);
    } else {
        parts.push(&family);
        parts.extend(middle.iter().map(String::as_str));
        parts.push(&given);
    }
    let mut name = parts.join(" ");
    let upper_case = chance(rng, s.upper);
    if upper_case {
        name = upper(&name);
        v.push(Variation::Uppercase);
    }
    (name, plain, upper_case)
}

fn write_date(
    rng: &mut DemoRng,
    date: PartialDate,
    style: &Style,
    v: &mut Vec<Variation>,
) -> String {
    let year = date.year;
    let form = weighted(rng, &style.date);
    let swap = chance(rng, style.swap);
    match (form, date.month, date.day) {
        (_, None, _) => format!("{year:04}"),
        (2, Some(_), _) => {
            v.push(Variation::DateYearOnly);
            format!("{year:04}")
        }
        (0, Some(month), None) => {
            v.push(Variation::DateDayFirst);
            format!("{month:02}/{year:04}")
        }
        (_, Some(month), None) => {
            v.push(Variation::DateIso);
            format!("{year:04}-{month:02}")
        }
        (form, Some(month), Some(day)) => {
            // Swapping day and month only when the result is still a valid date:
            // the hard case, a plausible but wrong birthday.
            let (first, second) = if swap && day <= 12 && day != month {
                v.push(Variation::DateDayMonthSwapped);
                (month, day)
            } else {
                (day, month)
            };
            if form == 0 {
                v.push(Variation::DateDayFirst);
                format!("{first:02}/{second:02}/{year:04}")
            } else {
                v.push(Variation::DateIso);
                format!("{year:04}-{second:02}-{first:02}")
            }
        }
    }
}

fn write_hometown(
    rng: &mut DemoRng,
    person: &Person,
    s: &Style,
    plain: bool,
    v: &mut Vec<Variation>,
) -> String {
    let h = &person.hometown;
    let text = match weighted(rng, &s.hometown) {
        0 => {
            v.push(Variation::HometownLegacy);
            h.legacy_text.clone()
        }
        1 => {
            v.push(Variation::HometownNew);
            h.new_text.clone()
        }
        _ => {
            v.push(Variation::HometownAbbreviated);
            let base = if chance(rng, 700) {
                &h.legacy_text
            } else {
                &h.new_text
            };
            abbreviate(base, chance(rng, 500))
        }
    };
    if plain { strip_diacritics(&text) } else { text }
}

fn write_phone(
    rng: &mut DemoRng,
    person: &Person,
    s: &Style,
    v: &mut Vec<Variation>,
) -> Option<String> {
    let host = person.phone.as_deref();
    let home = person.home_phone.as_deref();
    let use_home = home.is_some() && (host.is_none() || chance(rng, s.home_phone));
    let (number, dial, trunk) = if use_home {
        if host.is_some() {
            v.push(Variation::PhoneAtHome);
        }
        (home?, VIETNAM_DIAL, true)
    } else {
        let country = COUNTRIES.iter().find(|c| c.code == person.country)?;
        (host?, country.dial, country.trunk)
    };
    let styles = [
        PhoneStyle::E164,
        PhoneStyle::Spaced,
        PhoneStyle::DoubleZero,
        PhoneStyle::National,
        PhoneStyle::Punctuated,
    ];
    let chosen = styles[weighted(rng, &s.phone).min(styles.len() - 1)];
    if chosen != PhoneStyle::E164 {
        v.push(Variation::PhoneFormat);
    }
    Some(phone::format(number, dial, trunk, chosen))
}

/// Keeps a value unless the agency leaves the field empty.
fn keep<T>(rng: &mut DemoRng, value: Option<T>, rate: u32, dropped: &mut bool) -> Option<T> {
    let drop = chance(rng, rate);
    match value {
        Some(_) if drop => {
            *dropped = true;
            None
        }
        other => other,
    }
}

/// One row of `agency` describing `person`.
fn write_row(rng: &mut DemoRng, person: &Person, agency: Agency, seq: u64) -> ListRow {
    let s = style(agency);
    let mut v = Vec::new();
    let mut dropped = false;
    let (full_name, plain, upper_case) = write_name(rng, person, &s, &mut v);

    let gender = keep(rng, Some(person.gender), s.missing[M_GENDER], &mut dropped);
    let birth_date = keep(rng, Some(()), s.missing[M_BIRTH], &mut dropped)
        .map(|()| write_date(rng, person.birth_date, &s, &mut v));
    let city_abroad = keep(
        rng,
        Some(person.city_abroad),
        s.missing[M_CITY],
        &mut dropped,
    );
    let hometown = keep(rng, Some(()), s.missing[M_HOMETOWN], &mut dropped)
        .map(|()| write_hometown(rng, person, &s, plain, &mut v));
    let passport_no = keep(
        rng,
        person.passport_no.as_deref(),
        s.missing[M_PASSPORT],
        &mut dropped,
    )
    .map(|p| {
        if chance(rng, s.renewed) {
            v.push(Variation::PassportRenewed);
            let mut renewed = passport(rng);
            if renewed == p {
                renewed.push('0');
                renewed.remove(1);
            }
            renewed
        } else {
            p.to_owned()
        }
    });
    let phone = if chance(rng, s.missing[M_PHONE]) {
        dropped |= person.phone.is_some() || person.home_phone.is_some();
        None
    } else {
        write_phone(rng, person, &s, &mut v)
    };
    let email = keep(rng, person.email.clone(), s.missing[M_EMAIL], &mut dropped);
    let father_name = keep(rng, person.father_name(), s.missing[M_FATHER], &mut dropped).map(|f| {
        let f = if plain {
            strip_diacritics(f)
        } else {
            f.to_owned()
        };
        if upper_case { upper(&f) } else { f }
    });
    let category = keep(
        rng,
        Some(person.category),
        s.missing[M_CATEGORY],
        &mut dropped,
    )
    .map(|c| {
        let other = match c {
            Category::ForeignNational | Category::Other => Some(Category::Migrant),
            Category::Migrant => Some(Category::ForeignNational),
            _ => None,
        };
        match other {
            Some(o) if chance(rng, s.mismatch) => {
                v.push(Variation::CategoryMismatch);
                o
            }
            _ => c,
        }
    });
    if dropped {
        v.push(Variation::MissingField);
    }
    ListRow {
        record_id: format!("{}-{seq:06}", agency.code()),
        source: agency,
        full_name,
        gender,
        birth_date,
        country: Some(person.country),
        city_abroad: city_abroad.filter(|c| !c.is_empty()),
        hometown,
        passport_no,
        phone,
        email,
        father_name,
        category,
        true_person_id: person.person_key,
        variations: v,
    }
}

/// Streams the rows of every configured agency's list, one list after another,
/// people in key order within a list.
///
/// Which lists hold whom is decided on the first call (four bytes per person);
/// people themselves are generated row by row and never kept.
#[derive(Debug, Clone)]
pub struct ListRows {
    lists: Lists,
    people: u64,
    plans: Option<Vec<u32>>,
    slot: usize,
    key: u64,
    seq: u64,
}

impl ListRows {
    /// Rows of the configuration.
    pub fn new(config: &ListConfig) -> Self {
        Self {
            lists: Lists::new(config),
            people: config.people.people,
            plans: None,
            slot: 0,
            key: 0,
            seq: 0,
        }
    }
}

impl Iterator for ListRows {
    type Item = ListRow;

    fn next(&mut self) -> Option<ListRow> {
        let lists = &self.lists;
        let people = self.people;
        let plans = self
            .plans
            .get_or_insert_with(|| (0..people).map(|key| lists.plan_of(key)).collect());
        let slots = self.lists.agencies.len().min(32);
        while self.slot < slots {
            while self.key < self.people {
                let key = self.key;
                self.key += 1;
                let plan = plans.get(key as usize).copied().unwrap_or(0);
                if plan & (1 << self.slot) != 0 {
                    self.seq += 1;
                    return Some(self.lists.row(self.slot, key, self.seq));
                }
            }
            self.slot += 1;
            self.key = 0;
            self.seq = 0;
        }
        None
    }
}
