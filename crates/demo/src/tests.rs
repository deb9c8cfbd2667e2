//! Behaviour of the generator as a whole: determinism, distributions, coherence
//! and the ground truth of the agencies' lists.

use std::collections::{BTreeMap, BTreeSet};

use domain::text::fold;
use domain::{Agency, Category, Gender, Generation, NotableTag, PartialDate, Relationship};

use crate::tables::COUNTRIES;
use crate::*;

fn people_csv(config: &Config) -> Vec<u8> {
    let mut out = Vec::new();
    write_people_csv(&mut out, config).unwrap();
    out
}

fn lists_csv(config: &ListConfig) -> Vec<u8> {
    let mut out = Vec::new();
    write_lists_csv(&mut out, config).unwrap();
    out
}

fn sample(n: u64) -> Vec<Person> {
    people(&Config::new(7, n)).collect()
}

#[test]
fn same_seed_gives_byte_identical_output() {
    let config = Config::new(1234, 300);
    assert_eq!(people_csv(&config), people_csv(&config));
    let lists = ListConfig::new(1234, 300);
    assert_eq!(lists_csv(&lists), lists_csv(&lists));
}

#[test]
fn different_seeds_give_different_people() {
    let a = people_csv(&Config::new(1, 50));
    let b = people_csv(&Config::new(2, 50));
    assert_ne!(a, b);
    let a: Vec<_> = people(&Config::new(1, 50)).map(|p| p.full_name).collect();
    let b: Vec<_> = people(&Config::new(2, 50)).map(|p| p.full_name).collect();
    let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
    assert!(same < 5, "{same} identical names at the same keys");
    assert_ne!(
        lists_csv(&ListConfig::new(1, 50)),
        lists_csv(&ListConfig::new(2, 50))
    );
}

#[test]
fn first_rows_are_stable_when_more_people_are_asked_for() {
    // Person k does not depend on how many people are generated.
    let small: Vec<Person> = people(&Config::new(9, 20)).collect();
    let large: Vec<Person> = people(&Config::new(9, 200)).take(20).collect();
    assert_eq!(small, large);
    let generator = Generator::new(&Config::new(9, 200));
    assert_eq!(generator.person(13), small[13]);
}

#[test]
fn category_shares_follow_the_configuration() {
    let config = Config::new(7, 20_000);
    let expected = Generator::new(&config).category_shares();
    let mut counts: BTreeMap<Category, u32> = BTreeMap::new();
    for p in people(&config) {
        *counts.entry(p.category).or_default() += 1;
    }
    for (category, share) in expected {
        let observed = f64::from(counts.get(&category).copied().unwrap_or(0)) / 20_000.0;
        assert!(
            (observed - share).abs() < 0.015,
            "{category}: observed {observed:.3}, expected {share:.3}"
        );
    }
}

#[test]
fn custom_category_weights_are_honoured() {
    let config = Config {
        category_weights: [1, 0, 0, 0, 0, 0],
        ..Config::new(3, 500)
    };
    assert!(people(&config).all(|p| p.category == Category::ForeignNational));
}

#[test]
fn country_shares_follow_the_diaspora_tables() {
    let config = Config::new(7, 20_000);
    let expected = Generator::new(&config).country_shares();
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for p in people(&config) {
        *counts.entry(p.country).or_default() += 1;
    }
    for (country, share) in &expected {
        let observed = f64::from(counts.get(country).copied().unwrap_or(0)) / 20_000.0;
        assert!(
            (observed - share).abs() < 0.015,
            "{country}: observed {observed:.3}, expected {share:.3}"
        );
    }
    // Japan and Taiwan lead for a labour-exporting province; the US leads the Việt kiều.
    let mut ranked: Vec<_> = counts.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1));
    let top: Vec<&str> = ranked.iter().take(4).map(|(c, _)| **c).collect();
    assert!(
        top.contains(&"JP") && top.contains(&"TW") && top.contains(&"US"),
        "{top:?}"
    );
    assert!(counts.len() >= 25);
}

#[test]
fn names_follow_vietnamese_frequencies() {
    let sample = sample(20_000);
    let nguyen = sample.iter().filter(|p| p.family_name == "Nguyễn").count();
    let share = nguyen as f64 / sample.len() as f64;
    assert!((0.35..0.41).contains(&share), "Nguyễn share {share}");
    let surnames: BTreeSet<_> = sample.iter().map(|p| p.family_name).collect();
    assert!(surnames.len() >= 38, "{}", surnames.len());
    let given: BTreeSet<_> = sample.iter().map(|p| (p.gender, p.given_name)).collect();
    assert!(given.len() >= 230, "{}", given.len());
    for p in &sample {
        let mut expected = vec![p.family_name];
        expected.extend(p.middle_name.split(' ').filter(|m| !m.is_empty()));
        expected.push(p.given_name);
        assert_eq!(p.full_name, expected.join(" "));
    }
    let thi = sample
        .iter()
        .filter(|p| p.gender == Gender::Female && p.middle_name.starts_with("Thị"))
        .count();
    let van = sample
        .iter()
        .filter(|p| p.gender == Gender::Male && p.middle_name.starts_with("Văn"))
        .count();
    assert!(thi > 2_000 && van > 1_000, "Thị {thi}, Văn {van}");
    assert!(sample.iter().any(|p| p.middle_name.is_empty()));
    assert!(sample.iter().any(|p| p.middle_name.contains(' ')));
    // Women are not called Văn, men are not called Thị.
    assert!(!sample.iter().any(|p| {
        (p.gender == Gender::Male && p.middle_name.contains("Thị"))
            || (p.gender == Gender::Female && p.middle_name.contains("Văn"))
    }));
}

fn country(code: &str) -> &'static crate::tables::Country {
    COUNTRIES.iter().find(|c| c.code == code).unwrap()
}

#[test]
fn people_are_coherent() {
    let reference = 2025;
    let sample = sample(20_000);
    let mut legacy = 0;
    for p in &sample {
        let age = p.age(reference);
        let year = i32::from(p.birth_date.year);
        assert!((0..=95).contains(&age), "{age}");
        let valid = PartialDate::new(
            u32::from(p.birth_date.year),
            p.birth_date.month.map(u32::from),
            p.birth_date.day.map(u32::from),
        );
        assert_eq!(valid, Ok(p.birth_date));

        if p.generation == Generation::First {
            let d = i32::from(p.departure_year.unwrap());
            assert!(d >= year && d <= i32::from(reference), "{p:?}");
        } else {
            assert_eq!(p.departure_year, None);
            assert!(matches!(
                p.category,
                Category::ForeignNational | Category::Migrant | Category::Other
            ));
        }
        if matches!(p.generation, Generation::Third | Generation::FourthOrLater) {
            assert_eq!(p.category, Category::ForeignNational);
            assert!(age <= 40);
        }
        match p.category {
            Category::ContractLabour => {
                assert!((18..=45).contains(&age), "{age}");
                assert!(
                    [
                        "JP", "TW", "KR", "MY", "SA", "AE", "RO", "DE", "LA", "HU", "PL", "CZ"
                    ]
                    .contains(&p.country)
                );
                let left_at = i32::from(p.departure_year.unwrap()) - year;
                assert!(left_at >= 18);
            }
            Category::StudyAbroad => assert!((17..=30).contains(&age)),
            Category::ForeignMarriage => {
                assert!((20..=55).contains(&age));
                assert!(p.spouse_family_name.is_some());
            }
            _ => assert!(p.spouse_family_name.is_none()),
        }

        let c = country(p.country);
        assert!(c.regions.iter().any(|(region, _, cities)| {
            *region == p.region_abroad && cities.iter().any(|(city, _)| *city == p.city_abroad)
        }));
        if let Some(passport) = &p.passport_no {
            assert!(p.vietnamese_nationality);
            assert_eq!(passport.len(), 8);
            assert!(passport.starts_with(|c: char| c.is_ascii_uppercase()));
            assert!(passport[1..].bytes().all(|b| b.is_ascii_digit()));
        }
        if let Some(phone) = &p.phone {
            assert!(
                phone.starts_with(&format!("+{}", c.dial)),
                "{phone} {}",
                p.country
            );
            assert!(phone[1..].bytes().all(|b| b.is_ascii_digit()));
            assert!((9..=16).contains(&phone.len()));
        }
        if let Some(home) = &p.home_phone {
            assert!(home.starts_with("+84") && home.len() == 12);
        }
        if let Some(email) = &p.email {
            assert!(email.is_ascii() && email.contains('@') && email.ends_with(".example"));
            let local = email.split('@').next().unwrap();
            assert!(
                local.contains(&fold(p.family_name).replace(' ', "")),
                "{email} {}",
                p.full_name
            );
        }

        assert!((1..=4).contains(&p.relatives.len()));
        assert_eq!(p.household.head_name, p.relatives[0].full_name);
        assert_eq!(p.household.head_relationship, p.relatives[0].relationship);
        for r in &p.relatives {
            if matches!(r.relationship, Relationship::Sibling)
                || (r.relationship == Relationship::Parent && r.gender == Gender::Male)
            {
                assert!(r.full_name.starts_with(&format!("{} ", p.family_name)));
            }
        }
        if let Some(father) = p.father_name() {
            assert!(father.starts_with(p.family_name));
        }
        assert!(
            p.household.address.ends_with(&p.hometown.legacy_text)
                || p.household.address.ends_with(&p.hometown.new_text)
        );

        if p.hometown_is_legacy {
            legacy += 1;
            assert_eq!(p.hometown_text, p.hometown.legacy_text);
        } else {
            assert_eq!(p.hometown_text, p.hometown.new_text);
        }
        assert!(p.associations.len() <= 2);
        for a in &p.associations {
            assert!(
                a.contains(p.country_name_vi) || a.contains(p.city_abroad),
                "{a}"
            );
        }
        assert_eq!(
            p.enterprise.is_some(),
            p.has_tag(NotableTag::Businessperson)
        );
    }
    assert!((9_000..13_000).contains(&legacy), "{legacy}");

    let tagged = sample.iter().filter(|p| !p.notable_tags.is_empty()).count();
    assert!((200..2_000).contains(&tagged), "{tagged} notable people");
    let active = sample
        .iter()
        .filter(|p| p.status == domain::PersonStatus::Active)
        .count();
    assert!(active > 16_000);
    let marriages: Vec<_> = sample
        .iter()
        .filter(|p| p.category == Category::ForeignMarriage)
        .collect();
    let women = marriages
        .iter()
        .filter(|p| p.gender == Gender::Female)
        .count();
    assert!(women * 100 > marriages.len() * 85);
    assert!(sample.iter().any(|p| p.foreign_given_name.is_some()));
    assert!(sample.iter().any(|p| p.birth_date.month.is_none()));
    assert!(
        sample
            .iter()
            .any(|p| p.birth_date.month.is_some() && p.birth_date.day.is_none())
    );
    assert!(sample.iter().any(|p| p.remittance_usd_per_year.is_some()));
    assert!(sample.iter().any(|p| p.income_bracket.is_some()));
    assert!(
        sample
            .iter()
            .any(|p| p.generation == Generation::FourthOrLater)
    );
    assert!(
        sample
            .iter()
            .any(|p| p.country == "KH" && p.region_abroad == "Takeo")
    );
}

#[test]
fn namesakes_share_name_gender_category_and_birth_year() {
    let config = Config::new(11, 5_000);
    let generator = Generator::new(&config);
    let sample: Vec<Person> = people(&config).collect();
    let namesakes: Vec<&Person> = sample.iter().filter(|p| p.namesake_of.is_some()).collect();
    assert!((50..150).contains(&namesakes.len()), "{}", namesakes.len());
    for p in namesakes {
        let other = &sample[usize::try_from(p.namesake_of.unwrap()).unwrap()];
        assert!(other.person_key < p.person_key);
        assert_eq!(other.namesake_of, None);
        assert_eq!(other.full_name, p.full_name);
        assert_eq!(other.gender, p.gender);
        assert_eq!(other.category, p.category);
        assert_eq!(other.birth_date.year, p.birth_date.year);
        assert_eq!(generator.person(other.person_key), *other);
    }
}

#[test]
fn hometowns_come_from_the_caller() {
    let nghe_an = HometownOption {
        legacy_commune_code: "16000".into(),
        legacy_district_code: "420".into(),
        legacy_province_code: "40".into(),
        new_commune_code: "16001".into(),
        new_province_code: "40".into(),
        legacy_text: "Xã Nghi Long, Huyện Nghi Lộc, Tỉnh Nghệ An".into(),
        new_text: "Xã Nghi Lộc, Tỉnh Nghệ An".into(),
    };
    let config = Config {
        hometowns: vec![nghe_an.clone()],
        ..Config::new(5, 400)
    };
    for p in people(&config) {
        assert_eq!(*p.hometown, nghe_an);
        for a in &p.associations {
            assert!(!a.contains("Hà Tĩnh"), "{a}");
        }
    }
    assert!(
        people(&config)
            .flat_map(|p| p.associations)
            .any(|a| a.contains("Nghệ An"))
    );
    // The default list is Hà Tĩnh's.
    assert!(people(&Config::new(5, 50)).all(|p| p.hometown.province_name() == "Hà Tĩnh"));
}

#[test]
fn whole_country_is_mostly_viet_kieu() {
    let config = Config::whole_country(4, 3_000, fallback_hometowns());
    let sample: Vec<Person> = people(&config).collect();
    let foreign_nationals = sample
        .iter()
        .filter(|p| p.category == Category::ForeignNational)
        .count();
    assert!(foreign_nationals > 1_400, "{foreign_nationals}");
    let us = sample.iter().filter(|p| p.country == "US").count();
    assert!(us > 600, "{us}");
}

#[test]
fn people_csv_has_one_row_per_person_with_fixed_columns() {
    let bytes = people_csv(&Config::new(3, 250));
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, PEOPLE_CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 250);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), PEOPLE_CSV_HEADER.len());
        assert_eq!(row[0].parse::<usize>().unwrap(), i);
        assert!(PartialDate::parse(&row[6]).is_ok());
    }
}

const LIST_HEADER: &str = "record_id,source,full_name,gender,birth_date,country,city_abroad,\
hometown,passport_no,phone,email,father_name,category,true_person_id";

#[test]
fn list_header_is_the_dedupe_contract() {
    let bytes = lists_csv(&ListConfig::new(1, 20));
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap();
    assert_eq!(std::str::from_utf8(first_line).unwrap(), LIST_HEADER);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), 14);
        assert!(Agency::from_code(&record[1]).is_ok());
        if !record[3].is_empty() {
            assert!(["male", "female"].contains(&&record[3]));
        }
        if !record[12].is_empty() {
            assert!(Category::from_code(&record[12]).is_ok());
        }
    }
}

fn list_sample() -> (ListConfig, Vec<ListRow>) {
    let config = ListConfig::new(21, 5_000);
    let rows = list_rows(&config).collect();
    (config, rows)
}

#[test]
fn list_ground_truth_is_consistent() {
    let (config, rows) = list_sample();
    let n = config.people.people;
    let mut lists_of: BTreeMap<u64, Vec<Agency>> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for row in &rows {
        assert!(row.true_person_id < n);
        assert!(
            ids.insert(row.record_id.clone()),
            "duplicate {}",
            row.record_id
        );
        assert!(
            row.record_id
                .starts_with(&format!("{}-", row.source.code()))
        );
        lists_of
            .entry(row.true_person_id)
            .or_default()
            .push(row.source);
    }
    assert_eq!(lists_of.len() as u64, n, "everyone is in at least one list");
    let lists = Lists::new(&config);
    for (key, agencies) in &lists_of {
        let distinct: BTreeSet<_> = agencies.iter().collect();
        assert_eq!(distinct.len(), agencies.len(), "one row per list");
        assert!(agencies.len() <= 4);
        assert_eq!(&lists.agencies_of(*key), agencies);
    }
    let multi = lists_of.values().filter(|a| a.len() >= 2).count() as f64 / n as f64;
    assert!((0.27..0.33).contains(&multi), "{multi}");
    // Police and the Front both list many of the same people (they reconcile).
    let both = lists_of
        .values()
        .filter(|a| a.contains(&Agency::Police) && a.contains(&Agency::FatherlandFront))
        .count();
    assert!(both > 100, "{both}");
}

#[test]
fn every_variation_occurs() {
    let (_, rows) = list_sample();
    for v in Variation::ALL {
        let count = rows.iter().filter(|r| r.has(v)).count();
        assert!(count > 0, "{v:?} never occurs");
    }
    let untouched_names = rows
        .iter()
        .filter(|r| !r.has(Variation::NoDiacritics))
        .count();
    assert!(untouched_names > rows.len() / 3);
}

const NAME_VARIATIONS: [Variation; 6] = [
    Variation::MiddleNameDropped,
    Variation::SpouseSurname,
    Variation::ForeignGivenName,
    Variation::Typo,
    Variation::SurnameConfusion,
    Variation::FamilyNameLast,
];

fn sorted_words(s: &str) -> Vec<String> {
    let mut w: Vec<String> = fold(s).split(' ').map(str::to_owned).collect();
    w.sort();
    w
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn list_rows_agree_with_the_true_person() {
    let (config, rows) = list_sample();
    let generator = Generator::new(&config.people);
    let mut exact_names = 0;
    for row in &rows {
        let p = generator.person(row.true_person_id);
        let name_changed = NAME_VARIATIONS.iter().any(|v| row.has(*v));
        if !name_changed {
            exact_names += 1;
            assert_eq!(fold(&row.full_name), fold(&p.full_name), "{row:?}");
        } else if NAME_VARIATIONS
            .iter()
            .all(|v| *v == Variation::FamilyNameLast || !row.has(*v))
        {
            assert_eq!(sorted_words(&row.full_name), sorted_words(&p.full_name));
        }
        if let Some(g) = row.gender {
            assert_eq!(g, p.gender);
        }
        assert_eq!(row.country, Some(p.country));
        if let Some(city) = row.city_abroad {
            assert_eq!(city, p.city_abroad);
        }
        if let Some(date) = &row.birth_date {
            let parsed = PartialDate::parse(date).unwrap();
            assert_eq!(parsed.year, p.birth_date.year);
            if !row.has(Variation::DateDayMonthSwapped) && parsed.month.is_some() {
                assert_eq!(parsed.month, p.birth_date.month);
                assert_eq!(parsed.day, p.birth_date.day);
            }
        }
        if let Some(passport) = &row.passport_no {
            if row.has(Variation::PassportRenewed) {
                assert_ne!(Some(passport), p.passport_no.as_ref());
            } else {
                assert_eq!(Some(passport), p.passport_no.as_ref());
            }
        }
        if let Some(phone) = &row.phone {
            let got = digits(phone);
            let matches = |n: &Option<String>| {
                n.as_deref()
                    .is_some_and(|n| got.ends_with(&digits(n)[digits(n).len() - 7..]))
            };
            assert!(matches(&p.phone) || matches(&p.home_phone), "{phone} {p:?}");
        }
        if let Some(email) = &row.email {
            assert_eq!(Some(email), p.email.as_ref());
        }
        if let Some(father) = &row.father_name {
            assert_eq!(fold(father), fold(p.father_name().unwrap()));
        }
        if let Some(hometown) = &row.hometown {
            let h = fold(hometown);
            let legacy = fold(p.hometown.legacy_commune_name());
            let new = fold(p.hometown.new_text.split(", ").next().unwrap());
            assert!(
                h.contains(&legacy) || h.contains(new.split_once(' ').unwrap().1),
                "{hometown}"
            );
        }
        if let Some(category) = row.category
            && !row.has(Variation::CategoryMismatch)
        {
            assert_eq!(category, p.category);
        }
        match row.source {
            Agency::Labour => assert_eq!(p.category, Category::ContractLabour),
            Agency::Justice => assert_eq!(p.category, Category::ForeignMarriage),
            Agency::Education => assert_eq!(p.category, Category::StudyAbroad),
            Agency::PlanningInvestment => assert!(p.has_tag(NotableTag::Businessperson)),
            _ => {}
        }
    }
    assert!(exact_names > rows.len() / 2);
}

#[test]
fn lists_contain_hard_negatives() {
    let (config, rows) = list_sample();
    let generator = Generator::new(&config.people);
    let mut by_name_year: BTreeMap<(String, u16), BTreeSet<u64>> = BTreeMap::new();
    for row in &rows {
        let p = generator.person(row.true_person_id);
        by_name_year
            .entry((fold(&p.full_name), p.birth_date.year))
            .or_default()
            .insert(p.person_key);
    }
    let shared = by_name_year.values().filter(|keys| keys.len() >= 2).count();
    assert!(
        shared >= 50,
        "{shared} name+year groups with distinct people"
    );
}
