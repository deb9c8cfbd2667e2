//! Synthetic people abroad: one person from one random stream, so that any person
//! can be regenerated on its own from the seed and its key.

use std::sync::Arc;

use domain::{
    Category, ConsentStatus, Gender, Generation, NotableTag, PartialDate, PersonStatus,
    Relationship, VerificationStatus, days_in_month,
};
use rand::{Rng, SeedableRng};

use crate::hometown::{HometownOption, fallback_hometowns};
use crate::phone;
use crate::pick::{DemoRng, Table, between, chance, hump, index, one_of, push_digits, weighted};
use crate::tables::{
    COUNTRIES, Country, DEFAULT_CATEGORY_WEIGHTS, EDUCATION, EMAIL_DOMAINS, ENTERPRISE_KINDS,
    EXPERTISE, GIVEN_FEMALE, GIVEN_MALE, HAMLETS, MIDDLE_FEMALE, MIDDLE_MALE,
    NATIONAL_CATEGORY_WEIGHTS, NameStyle, SURNAMES, countries_for, occupations_for,
};
use crate::text::strip_diacritics;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Same seed, same people, byte for byte.
    pub seed: u64,
    /// Number of people; keys run from 0 to `people - 1`.
    pub people: u64,
    /// Communes people come from, drawn uniformly (repeat an entry to weight it).
    /// Empty means the built-in Hà Tĩnh list.
    pub hometowns: Vec<HometownOption>,
    /// "Now" for ages and departure years (the crate reads no clock).
    pub reference_year: u16,
    /// Relative weights of the categories, in `Category::ALL` order.
    pub category_weights: [u32; 6],
    /// People (per mille) who get the name, gender, category and birth year of
    /// another, nearby person: hard negatives for record linkage.
    pub namesake_per_mille: u32,
}

impl Config {
    /// Hà Tĩnh defaults (built-in hometowns) with the given seed and size.
    pub fn new(seed: u64, people: u64) -> Self {
        Self {
            seed,
            people,
            hometowns: fallback_hometowns(),
            reference_year: 2025,
            category_weights: DEFAULT_CATEGORY_WEIGHTS,
            namesake_per_mille: 20,
        }
    }
}

impl Config {
    /// The whole country: the caller passes hometowns of every province, the
    /// category mix is the national one (mostly *Việt kiều*).
    pub fn whole_country(seed: u64, people: u64, hometowns: Vec<HometownOption>) -> Self {
        Self {
            hometowns,
            category_weights: NATIONAL_CATEGORY_WEIGHTS,
            ..Self::new(seed, people)
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new(42, 1_000)
    }
}

/// Income bracket abroad, as asked in the commune surveys (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeBracket {
    Low,
    LowerMiddle,
    Middle,
    High,
}

impl IncomeBracket {
    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::LowerMiddle => "lower_middle",
            Self::Middle => "middle",
            Self::High => "high",
        }
    }
}

/// A relative at home (*thân nhân*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelativeRecord {
    pub full_name: String,
    pub relationship: Relationship,
    pub gender: Gender,
    pub birth_year: Option<u16>,
    /// Vietnamese mobile number in E.164.
    pub phone: Option<String>,
}

/// The household at home (*hộ gia đình*), the survey unit (seed 001).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub head_name: String,
    pub head_relationship: Relationship,
    /// Hamlet and commune, in legacy or new wording.
    pub address: String,
}

/// One synthetic person abroad. `person_key` is the ground-truth identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub person_key: u64,
    /// Family, middle and given names, in Vietnamese order, with diacritics.
    pub full_name: String,
    pub family_name: &'static str,
    /// Zero, one or two words; empty when none.
    pub middle_name: String,
    pub given_name: &'static str,
    pub gender: Gender,
    pub birth_date: PartialDate,
    pub category: Category,
    pub generation: Generation,
    pub vietnamese_nationality: bool,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    pub country_name_vi: &'static str,
    pub region_abroad: &'static str,
    pub city_abroad: &'static str,
    /// Year of leaving Vietnam; `None` for people born abroad.
    pub departure_year: Option<u16>,
    pub hometown: Arc<HometownOption>,
    /// The hometown as written in this record: legacy or new wording.
    pub hometown_text: String,
    pub hometown_is_legacy: bool,
    /// Vietnamese passport: a letter and seven digits.
    pub passport_no: Option<String>,
    /// Host-country phone in E.164.
    pub phone: Option<String>,
    /// Vietnamese number kept by the person, in E.164.
    pub home_phone: Option<String>,
    pub email: Option<String>,
    pub occupation: &'static str,
    pub education: &'static str,
    pub expertise: Option<&'static str>,
    pub notable_tags: Vec<NotableTag>,
    pub enterprise: Option<String>,
    pub income_bracket: Option<IncomeBracket>,
    pub remittance_usd_per_year: Option<u32>,
    pub status: PersonStatus,
    pub consent: ConsentStatus,
    pub verification: VerificationStatus,
    pub household: Household,
    pub relatives: Vec<RelativeRecord>,
    pub associations: Vec<String>,
    /// Given name used abroad ("Kevin"), for some.
    pub foreign_given_name: Option<&'static str>,
    /// Family name of a foreign spouse (marriage with a foreign element).
    pub spouse_family_name: Option<&'static str>,
    /// Key of the earlier person whose name and birth year this one shares.
    pub namesake_of: Option<u64>,
}

impl Person {
    /// Age in whole years at the reference year (birth year only).
    pub fn age(&self, reference_year: u16) -> i32 {
        i32::from(reference_year) - i32::from(self.birth_date.year)
    }

    /// Name of the father among the relatives, if he is listed.
    pub fn father_name(&self) -> Option<&str> {
        self.relatives
            .iter()
            .find(|r| r.relationship == Relationship::Parent && r.gender == Gender::Male)
            .map(|r| r.full_name.as_str())
    }

    /// Whether the person has this tag.
    pub fn has_tag(&self, tag: NotableTag) -> bool {
        self.notable_tags.contains(&tag)
    }
}

/// Who a person is, drawn first: what a namesake copies.
#[derive(Debug, Clone, Copy)]
struct Identity {
    category: Category,
    gender: Gender,
    generation: Generation,
    birth: PartialDate,
    hometown: usize,
    family: &'static str,
    middle: [Option<&'static str>; 2],
    given: &'static str,
}

/// What agencies' lists depend on; cheap to draw (no allocation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head {
    identity: Identity,
    namesake_of: Option<u64>,
    tags: u8,
    associations: u8,
}

impl Head {
    pub(crate) fn category(&self) -> Category {
        self.identity.category
    }

    pub(crate) fn has_tag(&self, tag: NotableTag) -> bool {
        self.tags & tag_bit(tag) != 0
    }

    pub(crate) fn association_count(&self) -> u8 {
        self.associations
    }

    pub(crate) fn birth_year(&self) -> u16 {
        self.identity.birth.year
    }
}

fn tag_bit(tag: NotableTag) -> u8 {
    match tag {
        NotableTag::Businessperson => 1,
        NotableTag::Intellectual => 2,
        NotableTag::Expert => 4,
        NotableTag::PublicFigure => 8,
        NotableTag::AssociationLeader => 16,
    }
}

/// Precomputed tables for one configuration; `person(key)` is a pure function of
/// the seed, the configuration and the key.
#[derive(Debug, Clone)]
pub struct Generator {
    key: [u8; 32],
    people: u64,
    reference_year: i32,
    namesake_per_mille: u32,
    hometowns: Vec<Arc<HometownOption>>,
    categories: Table<Category>,
    countries: Vec<Table<&'static Country>>,
    occupations: Vec<Table<&'static str>>,
    surnames: Table<&'static str>,
    middle_male: Table<&'static str>,
    middle_female: Table<&'static str>,
    middle_male_modern: Table<&'static str>,
    middle_female_modern: Table<&'static str>,
    given_male: Table<&'static str>,
    given_female: Table<&'static str>,
    email_domains: Table<&'static str>,
}

fn category_slot(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

/// Younger parents name their children less often with Văn/Thị.
fn modernised(pairs: &[(&'static str, u32)]) -> Vec<(&'static str, u32)> {
    pairs
        .iter()
        .map(|&(n, w)| {
            if n == "Văn" || n == "Thị" {
                (n, w / 6)
            } else {
                (n, w)
            }
        })
        .collect()
}

impl Generator {
    /// Prepares the tables for a configuration.
    pub fn new(config: &Config) -> Self {
        let hometowns = if config.hometowns.is_empty() {
            fallback_hometowns()
        } else {
            config.hometowns.clone()
        };
        let category_pairs: Vec<(Category, u32)> = Category::ALL
            .iter()
            .copied()
            .zip(config.category_weights)
            .collect();
        let default_country = &COUNTRIES[0];
        let countries = Category::ALL
            .iter()
            .map(|c| {
                let pairs: Vec<(&'static Country, u32)> = countries_for(*c)
                    .iter()
                    .filter_map(|(code, w)| {
                        COUNTRIES.iter().find(|k| k.code == *code).map(|k| (k, *w))
                    })
                    .collect();
                Table::new(&pairs, default_country)
            })
            .collect();
        let occupations = Category::ALL
            .iter()
            .map(|c| Table::new(occupations_for(*c), "Công nhân"))
            .collect();
        Self {
            key: DemoRng::seed_from_u64(config.seed).get_seed(),
            people: config.people,
            reference_year: i32::from(config.reference_year),
            namesake_per_mille: config.namesake_per_mille,
            hometowns: hometowns.into_iter().map(Arc::new).collect(),
            categories: Table::new(&category_pairs, Category::ContractLabour),
            countries,
            occupations,
            surnames: Table::new(SURNAMES, "Nguyễn"),
            middle_male: Table::new(MIDDLE_MALE, "Văn"),
            middle_female: Table::new(MIDDLE_FEMALE, "Thị"),
            middle_male_modern: Table::new(&modernised(MIDDLE_MALE), "Minh"),
            middle_female_modern: Table::new(&modernised(MIDDLE_FEMALE), "Ngọc"),
            given_male: Table::new(GIVEN_MALE, "Hùng"),
            given_female: Table::new(GIVEN_FEMALE, "Lan"),
            email_domains: Table::new(EMAIL_DOMAINS, "mail.example"),
        }
    }

    /// Number of people configured.
    pub fn len(&self) -> u64 {
        self.people
    }

    /// Whether no people are configured.
    pub fn is_empty(&self) -> bool {
        self.people == 0
    }

    /// The reference year ("now").
    pub fn reference_year(&self) -> u16 {
        u16::try_from(self.reference_year).unwrap_or(2025)
    }

    /// The hometown options drawn from.
    pub fn hometowns(&self) -> &[Arc<HometownOption>] {
        &self.hometowns
    }

    /// Expected share of each category, from the configured weights.
    pub fn category_shares(&self) -> Vec<(Category, f64)> {
        let total = f64::from(self.categories.total());
        self.categories
            .weights()
            .map(|(c, w)| (c, f64::from(w) / total))
            .collect()
    }

    /// Expected share of each host country (ISO code), summed over categories.
    pub fn country_shares(&self) -> Vec<(&'static str, f64)> {
        let mut out: Vec<(&'static str, f64)> = Vec::new();
        for (category, share) in self.category_shares() {
            let table = &self.countries[category_slot(category)];
            let total = f64::from(table.total());
            for (country, w) in table.weights() {
                let s = share * f64::from(w) / total;
                match out.iter_mut().find(|(c, _)| *c == country.code) {
                    Some(entry) => entry.1 += s,
                    None => out.push((country.code, s)),
                }
            }
        }
        out
    }

    /// The random stream of one person: the same key, the same draws.
    fn rng_for(&self, key: u64) -> DemoRng {
        let mut rng = DemoRng::from_seed(self.key);
        rng.set_stream(key);
        rng
    }

    fn middle_table(&self, female: bool, modern: bool) -> &Table<&'static str> {
        match (female, modern) {
            (false, false) => &self.middle_male,
            (false, true) => &self.middle_male_modern,
            (true, false) => &self.middle_female,
            (true, true) => &self.middle_female_modern,
        }
    }

    fn given_table(&self, female: bool) -> &Table<&'static str> {
        if female {
            &self.given_female
        } else {
            &self.given_male
        }
    }

    /// Given and middle names of someone of this gender born in `year`.
    fn names(
        &self,
        rng: &mut DemoRng,
        female: bool,
        year: i32,
    ) -> ([Option<&'static str>; 2], &'static str) {
        let modern = year >= 2000 || (year >= 1985 && chance(rng, 500));
        let count = match index(rng, 1000) {
            0..40 => 0,
            40..880 => 1,
            _ => 2,
        };
        let mut middle = [None, None];
        if count >= 1 {
            middle[0] = Some(self.middle_table(female, modern).pick(rng));
        }
        if count == 2 {
            let second = self.middle_table(female, true).pick(rng);
            if Some(second) != middle[0] && second != "Văn" && second != "Thị" {
                middle[1] = Some(second);
            }
        }
        let mut given = self.given_table(female).pick(rng);
        for _ in 0..3 {
            if middle.contains(&Some(given)) {
                given = self.given_table(female).pick(rng);
            }
        }
        (middle, given)
    }

    fn identity(&self, rng: &mut DemoRng) -> Identity {
        let r = self.reference_year;
        let category = self.categories.pick(rng);
        let male = match category {
            Category::ForeignMarriage => !chance(rng, 920),
            Category::ContractLabour => chance(rng, 620),
            Category::StudyAbroad => chance(rng, 480),
            Category::Migrant => chance(rng, 550),
            Category::ForeignNational | Category::Other => chance(rng, 500),
        };
        let gender = if male { Gender::Male } else { Gender::Female };
        let generation = match category {
            Category::ForeignNational => match index(rng, 1000) {
                0..450 => Generation::First,
                450..800 => Generation::Second,
                800..950 => Generation::Third,
                _ => Generation::FourthOrLater,
            },
            Category::Migrant => {
                if chance(rng, 850) {
                    Generation::First
                } else {
                    Generation::Second
                }
            }
            Category::Other => {
                if chance(rng, 800) {
                    Generation::First
                } else {
                    Generation::Second
                }
            }
            _ => Generation::First,
        };
        let (lo, hi) = birth_range(category, generation, r);
        let year = hump(rng, lo, hi);
        let month = between(rng, 1, 12);
        let day = between(rng, 1, days_in_month(year as u32, month as u32) as i32);
        let precision = index(rng, 1000);
        let (year_only, month_only) = if year < 1960 { (350, 450) } else { (100, 180) };
        let birth = PartialDate {
            year: year as u16,
            month: (precision >= year_only).then_some(month as u8),
            day: (precision >= month_only).then_some(day as u8),
        };
        let hometown = index(rng, self.hometowns.len());
        let family = self.surnames.pick(rng);
        let (middle, given) = self.names(rng, !male, year);
        Identity {
            category,
            gender,
            generation,
            birth,
            hometown,
            family,
            middle,
            given,
        }
    }

    /// Draws the namesake decision and the identity of `key`.
    fn identity_of(&self, rng: &mut DemoRng, key: u64) -> (bool, u64, Identity) {
        let wants_namesake = chance(rng, self.namesake_per_mille);
        // Someone among the previous thousand people (fewer at the start).
        let raw = u64::from(rng.gen_range(0..1_000_000u32));
        let back = 1 + raw % key.clamp(1, 997);
        let identity = self.identity(rng);
        (
            wants_namesake && key > 0,
            key.saturating_sub(back),
            identity,
        )
    }

    /// The cheap first part of a person, and the stream positioned after it.
    pub(crate) fn head(&self, key: u64) -> (DemoRng, Head) {
        let mut rng = self.rng_for(key);
        let (wants_namesake, other, mut identity) = self.identity_of(&mut rng, key);
        let mut namesake_of = None;
        let copy_hometown = chance(&mut rng, 400);
        if wants_namesake && other < key {
            let mut other_rng = self.rng_for(other);
            let (other_is_namesake, _, theirs) = self.identity_of(&mut other_rng, other);
            if !other_is_namesake {
                namesake_of = Some(other);
                identity.category = theirs.category;
                identity.gender = theirs.gender;
                identity.generation = theirs.generation;
                identity.family = theirs.family;
                identity.middle = theirs.middle;
                identity.given = theirs.given;
                identity.birth.year = theirs.birth.year;
                if let (Some(m), Some(d)) = (identity.birth.month, identity.birth.day) {
                    let max = days_in_month(u32::from(theirs.birth.year), u32::from(m));
                    identity.birth.day = Some(d.min(max as u8));
                }
                if copy_hometown {
                    identity.hometown = theirs.hometown;
                }
            }
        }
        let tags = self.tags(&mut rng, &identity);
        let mut associations = match index(&mut rng, 1000) {
            0..650 => 0,
            650..920 => 1,
            _ => 2,
        };
        if tags & tag_bit(NotableTag::AssociationLeader) != 0 {
            associations = associations.max(1);
        }
        let head = Head {
            identity,
            namesake_of,
            tags,
            associations,
        };
        (rng, head)
    }

    fn tags(&self, rng: &mut DemoRng, id: &Identity) -> u8 {
        let age = self.reference_year - i32::from(id.birth.year);
        let (business, intellectual, expert) = match id.category {
            Category::ForeignNational => (40, 25, 15),
            Category::Migrant => (50, 5, 3),
            Category::ForeignMarriage => (5, 2, 1),
            Category::ContractLabour => (2, 0, 1),
            Category::StudyAbroad => (0, 10, 5),
            Category::Other => (20, 10, 8),
        };
        let mut tags = 0;
        // Every draw is made whatever the age so the stream stays aligned.
        let draws = [
            (NotableTag::Businessperson, business, 25),
            (NotableTag::Intellectual, intellectual, 24),
            (NotableTag::Expert, expert, 24),
            (NotableTag::PublicFigure, 3, 18),
            (NotableTag::AssociationLeader, 5, 30),
        ];
        for (tag, per_mille, min_age) in draws {
            if chance(rng, per_mille) && age >= min_age {
                tags |= tag_bit(tag);
            }
        }
        tags
    }

    /// The person with this key (any key, not only those below `people`).
    pub fn person(&self, key: u64) -> Person {
        let (mut rng, head) = self.head(key);
        self.finish_head(&mut rng, key, &head)
    }

    /// Completes a person from its head, continuing the same stream.
    pub(crate) fn finish_head(&self, rng: &mut DemoRng, key: u64, head: &Head) -> Person {
        let id = head.identity;
        let r = self.reference_year;
        let b = i32::from(id.birth.year);
        let age = r - b;
        let female = id.gender == Gender::Female;
        let category = id.category;
        let slot = category_slot(category);

        let country = self.countries[slot].pick(rng);
        let (region, city, area) = place(rng, country);

        let departure_year = (id.generation == Generation::First).then(|| {
            let (lo, hi) = departure_range(category, b, r);
            between(rng, lo, hi) as u16
        });

        let hometown = Arc::clone(&self.hometowns[id.hometown.min(self.hometowns.len() - 1)]);
        let hometown_is_legacy = chance(rng, 550);
        let hometown_text = if hometown_is_legacy {
            hometown.legacy_text.clone()
        } else {
            hometown.new_text.clone()
        };

        let vietnamese_nationality = match category {
            Category::ForeignNational => chance(rng, 150),
            Category::Migrant => chance(rng, 900),
            _ => true,
        };
        let passport_rate = match category {
            Category::ContractLabour | Category::StudyAbroad => 950,
            Category::ForeignMarriage => 850,
            Category::Other => 700,
            Category::Migrant | Category::ForeignNational => 600,
        };
        let passport_no = (vietnamese_nationality && age >= 14 && chance(rng, passport_rate))
            .then(|| passport(rng));

        let phone_rate = match category {
            Category::ContractLabour => 800,
            Category::StudyAbroad => 850,
            _ => 700,
        };
        let phone =
            (age >= 14 && chance(rng, phone_rate)).then(|| phone::host_number(rng, country, area));
        let home_rate = match category {
            Category::ContractLabour => 400,
            Category::StudyAbroad => 300,
            Category::ForeignMarriage => 200,
            _ => 80,
        };
        let home_phone = (id.generation == Generation::First && chance(rng, home_rate))
            .then(|| phone::vietnam_number(rng));

        let middle_name = match id.middle {
            [Some(a), Some(b2)] => format!("{a} {b2}"),
            [Some(a), None] | [None, Some(a)] => a.to_owned(),
            [None, None] => String::new(),
        };
        let mut full_name =
            String::with_capacity(id.family.len() + middle_name.len() + id.given.len() + 2);
        full_name.push_str(id.family);
        if !middle_name.is_empty() {
            full_name.push(' ');
            full_name.push_str(&middle_name);
        }
        full_name.push(' ');
        full_name.push_str(id.given);

        let western = matches!(
            country.names,
            NameStyle::English | NameStyle::French | NameStyle::German | NameStyle::Slavic
        );
        let foreign_rate = match (id.generation, western) {
            (Generation::First, true) => 150,
            (_, true) => 550,
            (Generation::First, false) => 20,
            (_, false) => 200,
        };
        let foreign_given_name =
            chance(rng, foreign_rate).then(|| one_of(rng, country.names.given(female), "Anna"));
        let spouse_family_name = (category == Category::ForeignMarriage)
            .then(|| one_of(rng, country.names.spouse_surnames(), "Kim"));

        let email = (age >= 14 && chance(rng, if age < 60 { 550 } else { 150 }))
            .then(|| self.email(rng, &full_name, id.birth.year, foreign_given_name));

        let notable_tags: Vec<NotableTag> = NotableTag::ALL
            .iter()
            .copied()
            .filter(|t| head.has_tag(*t))
            .collect();
        let business = head.has_tag(NotableTag::Businessperson);
        let scholarly = head.has_tag(NotableTag::Intellectual) || head.has_tag(NotableTag::Expert);

        let occupation = if age < 18 {
            "Học sinh"
        } else if business {
            "Doanh nhân"
        } else if scholarly {
            one_of(
                rng,
                &["Giảng viên đại học", "Nhà nghiên cứu", "Bác sĩ", "Kỹ sư"],
                "Kỹ sư",
            )
        } else if age >= 65 && chance(rng, 600) {
            "Nghỉ hưu"
        } else {
            self.occupations[slot].pick(rng)
        };
        let education = education(rng, category, age, scholarly);
        let expertise = expertise(rng, category, education);
        let enterprise = business.then(|| enterprise(rng, country, id.family, id.given));

        let (income_bracket, remittance_usd_per_year) = money(rng, category, age, business);
        let status = status(rng, category, age);
        let consent = if status == PersonStatus::Deceased {
            ConsentStatus::Unknown
        } else {
            match index(rng, 1000) {
                0..450 => ConsentStatus::Unknown,
                450..880 => ConsentStatus::Given,
                880..960 => ConsentStatus::Refused,
                _ => ConsentStatus::Withdrawn,
            }
        };
        let verification = match index(rng, 1000) {
            0..400 => VerificationStatus::Unverified,
            400..550 => VerificationStatus::Police,
            550..700 => VerificationStatus::FatherlandFront,
            700..950 => VerificationStatus::Both,
            _ => VerificationStatus::Disputed,
        };

        let relatives = self.relatives(rng, &id);
        let head_relative = relatives.first();
        let hamlet = one_of(rng, HAMLETS, "Thôn 1");
        let address_text = if chance(rng, 500) {
            &hometown.legacy_text
        } else {
            &hometown.new_text
        };
        let household = Household {
            head_name: head_relative
                .map(|h| h.full_name.clone())
                .unwrap_or_default(),
            head_relationship: head_relative.map_or(Relationship::Other, |h| h.relationship),
            address: [hamlet, ", ", address_text].concat(),
        };
        let associations =
            associations(rng, head, country, city, hometown.province_name(), category);

        Person {
            person_key: key,
            full_name,
            family_name: id.family,
            middle_name,
            given_name: id.given,
            gender: id.gender,
            birth_date: id.birth,
            category,
            generation: id.generation,
            vietnamese_nationality,
            country: country.code,
            country_name_vi: country.name_vi,
            region_abroad: region,
            city_abroad: city,
            departure_year,
            hometown,
            hometown_text,
            hometown_is_legacy,
            passport_no,
            phone,
            home_phone,
            email,
            occupation,
            education,
            expertise,
            notable_tags,
            enterprise,
            income_bracket,
            remittance_usd_per_year,
            status,
            consent,
            verification,
            household,
            relatives,
            associations,
            foreign_given_name,
            spouse_family_name,
            namesake_of: head.namesake_of,
        }
    }

    /// An address built from the folded name ("nguyen van duc" → "ducnguyen85").
    fn email(
        &self,
        rng: &mut DemoRng,
        full_name: &str,
        year: u16,
        foreign: Option<&str>,
    ) -> String {
        let folded = ascii_key(full_name, true);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let family = words.first().copied().unwrap_or("viet");
        let own_given = words.last().copied().unwrap_or("nam");
        let foreign_key = foreign.map(|f| ascii_key(f, false));
        let given = foreign_key.as_deref().unwrap_or(own_given);
        let yy = year % 100;
        let initials: String = words
            .get(1..words.len().saturating_sub(1))
            .unwrap_or_default()
            .iter()
            .filter_map(|m| m.chars().next())
            .collect();
        let mut local = match index(rng, 4) {
            0 => format!("{given}{family}{yy:02}"),
            1 => format!("{given}.{family}"),
            2 => format!("{family}{initials}{given}{yy:02}"),
            _ => format!("{family}.{given}"),
        };
        let digits = index(rng, 4);
        push_digits(rng, &mut local, digits);
        format!("{local}@{}", self.email_domains.pick(rng))
    }

    /// A relative's name: the given family name (or a random one), a middle name
    /// of the relative's generation and a given name.
    fn relative_name(
        &self,
        rng: &mut DemoRng,
        family: Option<&str>,
        female: bool,
        year: i32,
    ) -> String {
        let family = family.map_or_else(|| self.surnames.pick(rng).to_owned(), str::to_owned);
        let (middle, given) = self.names(rng, female, year);
        let mut out = family;
        for m in middle.iter().flatten() {
            out.push(' ');
            out.push_str(m);
        }
        out.push(' ');
        out.push_str(given);
        out
    }

    fn relative(
        &self,
        rng: &mut DemoRng,
        relationship: Relationship,
        family: Option<&str>,
        female: bool,
        year: i32,
    ) -> RelativeRecord {
        let full_name = self.relative_name(rng, family, female, year);
        let birth_year = chance(rng, 700).then_some(year as u16);
        let phone = chance(rng, 500).then(|| phone::vietnam_number(rng));
        RelativeRecord {
            full_name,
            relationship,
            gender: if female { Gender::Female } else { Gender::Male },
            birth_year,
            phone,
        }
    }

    /// Relatives at home, closest first; the first heads the household.
    fn relatives(&self, rng: &mut DemoRng, id: &Identity) -> Vec<RelativeRecord> {
        let r = self.reference_year;
        let b = i32::from(id.birth.year);
        let age = r - b;
        let family = Some(id.family);
        let female = id.gender == Gender::Female;
        let mut out = Vec::with_capacity(6);
        if id.generation == Generation::First {
            let father_year = b - hump(rng, 22, 38);
            if alive(rng, r - father_year, 0) {
                out.push(self.relative(rng, Relationship::Parent, family, false, father_year));
            }
            let mother_year = b - hump(rng, 19, 35);
            if alive(rng, r - mother_year, 50) {
                out.push(self.relative(rng, Relationship::Parent, None, true, mother_year));
            }
            let spouse_rate = match id.category {
                Category::ContractLabour if age >= 25 => 450,
                Category::Migrant | Category::Other => 100,
                _ => 0,
            };
            let mut spouse_family = None;
            if chance(rng, spouse_rate) {
                let year = b + between(rng, -6, 4);
                let spouse = self.relative(rng, Relationship::Spouse, None, !female, year);
                spouse_family = spouse.full_name.split(' ').next().map(str::to_owned);
                out.push(spouse);
            }
            for _ in 0..between(rng, 0, 3) {
                let year = b + between(rng, -12, 12);
                let sister = chance(rng, 500);
                out.push(self.relative(rng, Relationship::Sibling, family, sister, year));
            }
            if let Some(spouse_family) = spouse_family.as_deref() {
                let child_family = if female { Some(spouse_family) } else { family };
                for _ in 0..between(rng, 0, 2) {
                    let year = (b + between(rng, 20, 32)).min(r);
                    let daughter = chance(rng, 500);
                    out.push(self.relative(rng, Relationship::Child, child_family, daughter, year));
                }
            }
            if age < 30 && chance(rng, 300) {
                let year = b - between(rng, 45, 65);
                let grandmother = chance(rng, 600);
                let gfamily = if grandmother { None } else { family };
                out.push(self.relative(rng, Relationship::Grandparent, gfamily, grandmother, year));
            }
            let nephew_rate = if out.is_empty() { 700 } else { 150 };
            if chance(rng, nephew_rate) {
                let year = (b + between(rng, 15, 35)).min(r - 5);
                let niece = chance(rng, 500);
                let nfamily = if chance(rng, 600) { family } else { None };
                out.push(self.relative(rng, Relationship::NephewNiece, nfamily, niece, year));
            }
            if chance(rng, 100) {
                let year = b - between(rng, 20, 40);
                let aunt = chance(rng, 500);
                let ufamily = if aunt { None } else { family };
                out.push(self.relative(rng, Relationship::UncleAunt, ufamily, aunt, year));
            }
            if chance(rng, 60) {
                let year = b - between(rng, 20, 35);
                let in_law_female = chance(rng, 500);
                out.push(self.relative(rng, Relationship::InLaw, None, in_law_female, year));
            }
        } else {
            if id.generation == Generation::Second && age < 35 && chance(rng, 500) {
                let year = b - between(rng, 50, 70);
                let grandmother = chance(rng, 500);
                let gfamily = if grandmother { None } else { family };
                out.push(self.relative(rng, Relationship::Grandparent, gfamily, grandmother, year));
            }
            if chance(rng, 700) {
                for _ in 0..between(rng, 1, 2) {
                    let year = b - between(rng, 20, 40);
                    let aunt = chance(rng, 500);
                    let ufamily = if aunt { None } else { family };
                    out.push(self.relative(rng, Relationship::UncleAunt, ufamily, aunt, year));
                }
            }
            if chance(rng, 600) {
                let year = b + between(rng, -15, 15);
                let cousin_female = chance(rng, 500);
                out.push(self.relative(rng, Relationship::Other, family, cousin_female, year));
            }
        }
        let want = match index(rng, 1000) {
            0..350 => 1,
            350..700 => 2,
            700..900 => 3,
            _ => 4,
        };
        out.truncate(want);
        if out.is_empty() {
            let year = b + between(rng, -20, 20);
            let cousin_female = chance(rng, 500);
            out.push(self.relative(
                rng,
                Relationship::Other,
                family,
                cousin_female,
                year.min(r - 18),
            ));
        }
        out
    }
}

/// Lower-case ASCII letters and digits of a name, as `domain::text::fold` would give
/// for Vietnamese names (checked in tests), without its Unicode tables: diacritics
/// removed, đ → d, other characters dropped or (with `spaces`) turned into spaces.
fn ascii_key(name: &str, spaces: bool) -> String {
    let mut out = String::with_capacity(name.len());
    for c in strip_diacritics(name).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if spaces && c == ' ' {
            out.push(' ');
        }
    }
    out
}

/// Whether a relative of this age is still alive (`bonus` per mille for women).
fn alive(rng: &mut DemoRng, age: i32, bonus: u32) -> bool {
    let rate = match age {
        ..60 => 950,
        60..70 => 850,
        70..80 => 600,
        80..90 => 300,
        _ => 30,
    };
    chance(rng, (rate + bonus).min(990))
}

/// Birth years allowed by category and generation (inclusive).
fn birth_range(category: Category, generation: Generation, r: i32) -> (i32, i32) {
    match (category, generation) {
        (Category::ForeignNational, Generation::First) => (r - 90, r - 35),
        (Category::ForeignNational, Generation::Second) => (r - 60, r - 1),
        (Category::ForeignNational, Generation::Third) => (r - 40, r - 1),
        (Category::ForeignNational, Generation::FourthOrLater) => (r - 20, r - 1),
        (Category::Migrant, Generation::First) => (r - 75, r - 20),
        (Category::ForeignMarriage, _) => (r - 55, r - 20),
        (Category::ContractLabour, _) => (r - 45, r - 18),
        (Category::StudyAbroad, _) => (r - 30, r - 17),
        (Category::Other, Generation::First) => (r - 80, r - 18),
        (Category::Migrant | Category::Other, _) => (r - 30, r - 1),
    }
}

/// Departure years allowed for the first generation (inclusive).
fn departure_range(category: Category, b: i32, r: i32) -> (i32, i32) {
    match category {
        Category::ForeignNational => ((b + 1).max(1975), (b + 50).min(r - 5)),
        Category::Migrant => ((b + 16).max(1980), r - 1),
        Category::ForeignMarriage => ((b + 18).max(1995), (b + 40).min(r)),
        Category::ContractLabour => ((b + 18).max(r - 8), r),
        Category::StudyAbroad => ((b + 16).max(r - 8), r),
        Category::Other => ((b + 1).max(1975), r),
    }
}

/// A region, a city and its area code.
fn place(
    rng: &mut DemoRng,
    country: &'static Country,
) -> (&'static str, &'static str, &'static str) {
    let total: u32 = country.regions.iter().map(|(_, w, _)| *w).sum();
    let mut x = if total == 0 {
        0
    } else {
        index(rng, total as usize) as u32
    };
    let mut chosen = country.regions.first();
    for region in country.regions {
        if x < region.1 {
            chosen = Some(region);
            break;
        }
        x -= region.1;
    }
    match chosen {
        Some((name, _, cities)) => {
            let (city, area) = one_of(rng, cities, ("", ""));
            (name, city, area)
        }
        None => ("", "", ""),
    }
}

/// Vietnamese passport number: series letter and seven digits.
pub(crate) fn passport(rng: &mut DemoRng) -> String {
    let letter = match index(rng, 100) {
        0..25 => 'B',
        25..90 => 'C',
        90..95 => 'N',
        _ => 'P',
    };
    let mut out = String::with_capacity(8);
    out.push(letter);
    push_digits(rng, &mut out, 7);
    out
}

fn education(rng: &mut DemoRng, category: Category, age: i32, scholarly: bool) -> &'static str {
    let level = match age {
        ..6 => 0,
        6..11 => 1,
        11..15 => 2,
        15..18 => 3,
        _ if scholarly => 6 + index(rng, 3),
        _ => {
            let weights: &[u32; 9] = match category {
                Category::ContractLabour => &[0, 0, 20, 60, 15, 5, 0, 0, 0],
                Category::StudyAbroad => &[0, 0, 0, 30, 0, 0, 50, 18, 2],
                Category::ForeignMarriage => &[0, 5, 35, 50, 5, 3, 2, 0, 0],
                _ => &[0, 3, 10, 30, 8, 10, 28, 8, 3],
            };
            weighted(rng, weights)
        }
    };
    EDUCATION[level.min(EDUCATION.len() - 1)]
}

fn expertise(rng: &mut DemoRng, category: Category, education: &str) -> Option<&'static str> {
    let level = EDUCATION.iter().position(|e| *e == education).unwrap_or(0);
    if level >= 5 {
        return chance(rng, 850).then(|| one_of(rng, EXPERTISE, "Kinh tế"));
    }
    if category == Category::ContractLabour && chance(rng, 300) {
        return Some(one_of(
            rng,
            &[
                "Cơ khí",
                "Điều dưỡng",
                "Xây dựng",
                "Chế biến thực phẩm",
                "Nông nghiệp",
                "Điện tử",
            ],
            "Cơ khí",
        ));
    }
    None
}

fn enterprise(rng: &mut DemoRng, country: &Country, family: &str, given: &str) -> String {
    let f = strip_diacritics(family);
    let g = strip_diacritics(given);
    if chance(rng, 250) {
        // Investment back home (planning and investment lists, seed 001).
        return format!("Công ty TNHH {family} {given}");
    }
    let kind = one_of(rng, ENTERPRISE_KINDS, "Trading");
    match country.names {
        NameStyle::English | NameStyle::Local => match index(rng, 3) {
            0 => format!("{f} {kind} LLC"),
            1 => format!("Pho {g} Restaurant"),
            _ => format!("Saigon {g} {kind} Inc."),
        },
        NameStyle::French => format!("{f} {kind} SARL"),
        NameStyle::German => {
            if chance(rng, 500) {
                format!("Asia Markt {f} GmbH")
            } else {
                format!("{f} {kind} GmbH")
            }
        }
        NameStyle::Slavic => match country.code {
            "PL" => format!("{f} {kind} sp. z o.o."),
            "RU" | "UA" => format!("OOO {f} {kind}"),
            _ => format!("{f} {kind} s.r.o."),
        },
        NameStyle::Japanese => format!("{f} Shoji Co., Ltd."),
        NameStyle::Korean | NameStyle::Chinese => format!("{f} {kind} Co., Ltd."),
    }
}

fn money(
    rng: &mut DemoRng,
    category: Category,
    age: i32,
    business: bool,
) -> (Option<IncomeBracket>, Option<u32>) {
    if age < 18 {
        return (None, None);
    }
    let weights: [u32; 4] = match category {
        Category::ContractLabour => [20, 50, 28, 2],
        Category::StudyAbroad => [70, 20, 10, 0],
        Category::ForeignMarriage => [35, 40, 22, 3],
        Category::ForeignNational => [10, 25, 45, 20],
        Category::Migrant => [25, 35, 30, 10],
        Category::Other => [20, 35, 35, 10],
    };
    let brackets = [
        IncomeBracket::Low,
        IncomeBracket::LowerMiddle,
        IncomeBracket::Middle,
        IncomeBracket::High,
    ];
    let income = chance(rng, 500).then(|| {
        if business {
            IncomeBracket::High
        } else {
            brackets[weighted(rng, &weights)]
        }
    });
    let (rate, lo, hi) = match category {
        Category::ContractLabour => (800, 30, 150),
        Category::ForeignMarriage => (400, 5, 50),
        Category::ForeignNational => (200, 5, 200),
        Category::Migrant => (400, 10, 100),
        Category::StudyAbroad => (50, 5, 30),
        Category::Other => (200, 5, 80),
    };
    let remittance = chance(rng, rate).then(|| between(rng, lo, hi) as u32 * 100);
    (income, remittance)
}

fn status(rng: &mut DemoRng, category: Category, age: i32) -> PersonStatus {
    let (returned, lost) = match category {
        Category::ContractLabour => (120, 30),
        Category::StudyAbroad => (100, 20),
        _ => (30, 40),
    };
    let deceased = if age >= 70 { 80 } else { 3 };
    let x = index(rng, 1000) as u32;
    if x < deceased {
        PersonStatus::Deceased
    } else if x < deceased + returned {
        PersonStatus::Returned
    } else if x < deceased + returned + lost {
        PersonStatus::LostContact
    } else {
        PersonStatus::Active
    }
}

/// Association memberships, named after the country, the city and the province.
fn associations(
    rng: &mut DemoRng,
    head: &Head,
    country: &Country,
    city: &str,
    province: &str,
    category: Category,
) -> Vec<String> {
    let n = usize::from(head.association_count());
    if n == 0 {
        return Vec::new();
    }
    let name = country.name_vi;
    let mut choices: Vec<u8> = vec![0, 1];
    if city != name {
        choices.push(2);
    }
    if province == "Hà Tĩnh" || province == "Nghệ An" {
        choices.push(3);
    }
    if head.has_tag(NotableTag::Businessperson) {
        choices.push(4);
    }
    match category {
        Category::StudyAbroad => choices.push(5),
        Category::ContractLabour => choices.push(6),
        _ => {}
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        if choices.is_empty() {
            break;
        }
        let at = index(rng, choices.len());
        let which = choices.swap_remove(at);
        out.push(match which {
            0 => format!("Hội người Việt Nam tại {name} - chi hội {province}"),
            1 => format!("Hội đồng hương {province} tại {name}"),
            2 => format!("Hội đồng hương {province} tại {city}"),
            3 => format!("Hội đồng hương Nghệ Tĩnh tại {name}"),
            4 => format!("Hội doanh nhân Việt Nam tại {name}"),
            5 => format!("Hội sinh viên Việt Nam tại {name}"),
            _ => format!("Cộng đồng lao động {province} tại {name}"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{GIVEN_FEMALE, GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE, SURNAMES};
    use domain::text::fold;

    #[test]
    fn ascii_key_folds_every_name_part_like_the_domain() {
        let parts = SURNAMES
            .iter()
            .chain(MIDDLE_MALE)
            .chain(MIDDLE_FEMALE)
            .chain(GIVEN_MALE)
            .chain(GIVEN_FEMALE);
        for (part, _) in parts {
            assert_eq!(ascii_key(part, true), fold(part), "{part}");
        }
        assert_eq!(ascii_key("Nguyễn Thị Ánh", true), fold("Nguyễn Thị Ánh"));
        assert_eq!(ascii_key("Min-jun", false), "minjun");
    }

    #[test]
    fn ranges_are_never_empty() {
        for c in Category::ALL {
            for g in Generation::ALL {
                let (lo, hi) = birth_range(*c, *g, 2025);
                assert!(lo <= hi);
                // Only the first generation left Vietnam.
                let first = *g == Generation::First;
                for b in (lo..=hi).filter(|_| first) {
                    let (dlo, dhi) = departure_range(*c, b, 2025);
                    assert!(dlo <= dhi && dlo >= b && dhi <= 2025, "{c} {g} {b}");
                }
            }
        }
    }
}
