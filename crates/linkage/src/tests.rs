//! Rules of the engine, each stated by a test name.

use crate::synth::{labelled, precision_recall};
use crate::*;
use proptest::prelude::*;
use std::sync::OnceLock;

/// A model trained on a synthetic province (trained once for all tests).
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| dedupe(&background(), &Config::default()).model)
}

fn background() -> Vec<Record> {
    labelled(300, 11).0
}

fn person(name: &str, birth: &str, hometown: &str) -> Record {
    Record {
        record_id: name.to_owned(),
        full_name: name.to_owned(),
        birth_date: birth.to_owned(),
        hometown: hometown.to_owned(),
        country: "Nhật Bản".to_owned(),
        gender: String::new(),
        ..Record::default()
    }
}

fn probability(a: &Record, b: &Record) -> f64 {
    compare(a, b, model()).probability
}

const LINK: f64 = 0.97;

#[test]
fn names_without_diacritics_match() {
    let a = person("Nguyễn Thị Thu Hà", "1985-03-12", "Xã Thạch Long, Hà Tĩnh");
    let b = person("NGUYEN THI THU HA", "12/03/1985", "Thach Long");
    assert!(probability(&a, &b) > LINK);
    let c = compare(&a, &b, model());
    assert_eq!(c.field(Field::FamilyName).outcome, Outcome::Agree);
    assert_eq!(c.field(Field::GivenName).outcome, Outcome::Agree);
}

#[test]
fn family_name_last_still_matches() {
    let a = person("Trần Văn Đức", "1979-11-02", "Xã Cẩm Xuyên, Hà Tĩnh");
    let b = person("Duc Van Tran", "1979-11-02", "Cam Xuyen");
    assert!(probability(&a, &b) > LINK);
    assert_eq!(
        compare(&a, &b, model()).field(Field::GivenName).level,
        "exact"
    );
}

#[test]
fn dropped_middle_name_still_matches() {
    let a = person("Lê Thị Ngọc Lan", "1990-07-21", "Xã Kỳ Anh, Hà Tĩnh");
    let b = person("Le Lan", "21/07/1990", "Ky Anh");
    assert!(probability(&a, &b) > LINK);
    assert_eq!(
        compare(&a, &b, model()).field(Field::GivenName).level,
        "middle_name_dropped"
    );
}

#[test]
fn vu_and_vo_surname_confusion_still_matches() {
    let a = person("Vũ Văn Nam", "1971-01-30", "Xã Đức Thọ, Hà Tĩnh");
    let b = person("Võ Văn Nam", "1971-01-30", "Đức Thọ");
    assert!(probability(&a, &b) > LINK);
    let a = person("Hoàng Thị Mai", "1966-09-09", "Xã Can Lộc, Hà Tĩnh");
    let b = person("Huỳnh Thị Mai", "1966-09-09", "Can Lộc");
    assert!(probability(&a, &b) > LINK);
}

#[test]
fn married_name_with_same_birth_date_and_hometown_matches() {
    let a = person("Phạm Thị Hương", "1982-04-17", "Xã Nghi Xuân, Hà Tĩnh");
    let b = person("Huong Tanaka", "17/04/1982", "Nghi Xuan");
    let c = compare(&a, &b, model());
    assert_eq!(c.field(Field::FamilyName).level, "foreign");
    assert!(c.probability > LINK, "{}", c.explain());
}

#[test]
fn swapped_day_and_month_still_matches() {
    let a = person("Đặng Minh Quân", "1988-03-07", "Xã Lộc Hà, Hà Tĩnh");
    let b = person("Đặng Minh Quân", "1988-07-03", "Lộc Hà");
    let c = compare(&a, &b, model());
    assert_eq!(c.field(Field::BirthDate).level, "day_month_swapped");
    assert!(c.probability > LINK);
}

#[test]
fn partial_birth_date_is_partial_agreement() {
    let a = person("Bùi Văn Tài", "1975-06-01", "");
    let b = person("Bùi Văn Tài", "1975", "");
    let c = compare(&a, &b, model());
    assert_eq!(c.field(Field::BirthDate).outcome, Outcome::Partial);
    assert!(c.field(Field::BirthDate).weight > 0.0);
}

#[test]
fn phone_formats_are_one_number() {
    let mut a = person("Ngô Văn Long", "", "");
    let mut b = a.clone();
    a.phone = "0912 345 678".to_owned();
    b.phone = "+84-912-345-678".to_owned();
    assert_eq!(compare(&a, &b, model()).field(Field::Phone).level, "exact");
    b.phone = "0084912345678".to_owned();
    assert_eq!(compare(&a, &b, model()).field(Field::Phone).level, "exact");
}

#[test]
fn renewed_passport_is_weak_evidence_against() {
    let mut a = person("Hồ Thị Loan", "1993-12-05", "Xã Hồng Lĩnh, Hà Tĩnh");
    let mut b = person("Ho Thi Loan", "05/12/1993", "Hong Linh");
    a.passport_no = "C1234567".to_owned();
    b.passport_no = "N7654321".to_owned();
    let c = compare(&a, &b, model());
    let passport = c.field(Field::Passport);
    assert_eq!(passport.outcome, Outcome::Disagree);
    assert!(passport.weight > -6.0, "{}", c.explain());
    assert!(c.probability > LINK);
}

#[test]
fn common_name_different_birth_year_does_not_match() {
    let a = person("Nguyễn Văn Hùng", "1970-05-01", "Xã Thạch Hà, Hà Tĩnh");
    let b = person("Nguyễn Văn Hùng", "1984-10-20", "Xã Thạch Hà, Hà Tĩnh");
    assert!(probability(&a, &b) < 0.5);
}

#[test]
fn frequent_names_count_less_than_rare_ones() {
    let common_a = person("Nguyễn Văn Hùng", "", "");
    let rare_a = person("Khổng Diệu Xoan", "", "");
    let common = compare(&common_a, &common_a.clone(), model());
    let rare = compare(&rare_a, &rare_a.clone(), model());
    assert!(rare.field(Field::FamilyName).weight > common.field(Field::FamilyName).weight + 1.0);
    assert!(rare.field(Field::GivenName).weight > common.field(Field::GivenName).weight);
}

#[test]
fn legacy_and_new_hometown_codes_of_one_place_agree() {
    let mut a = person("Lý Văn Sơn", "1960-02-02", "Xã Thạch Long, Huyện Thạch Hà");
    let mut b = person("Lý Văn Sơn", "1960-02-02", "Phường Thành Sen");
    a.hometown_codes = Some(HometownCodes {
        legacy: "18331".to_owned(),
        current: "18400".to_owned(),
    });
    b.hometown_codes = Some(HometownCodes {
        legacy: String::new(),
        current: "18400".to_owned(),
    });
    assert_eq!(
        compare(&a, &b, model()).field(Field::Hometown).level,
        "exact"
    );
}

#[test]
fn explanation_lists_every_field_with_its_weight() {
    let a = person("Trương Văn Minh", "1977-08-08", "Xã Kỳ Phong, Hà Tĩnh");
    let b = person("Truong Minh", "1977", "Ky Phong");
    let c = compare(&a, &b, model());
    assert_eq!(c.fields.len(), FIELD_COUNT);
    let total: f64 = c.prior_weight + c.fields.iter().map(|f| f.weight).sum::<f64>();
    assert!((total - c.weight).abs() < 1e-9);
    let text = c.explain();
    for f in Field::ALL {
        assert!(text.contains(f.code()), "{text}");
    }
    assert!(text.contains("passport_no: missing (missing) +0.00 bits"));
}

#[test]
#[expect(clippy::many_single_char_names, reason = "A, B, C of the rule")]
fn weak_links_do_not_chain_clusters() {
    // B has A's phone and C's e-mail; A and C are namesakes born years apart, with
    // other passports, in other countries. Connected components would make them one.
    let mut a = person("Nguyễn Văn Hùng", "1980-05-12", "Xã Thạch Hà, Hà Tĩnh");
    a.phone = "0912000111".to_owned();
    a.passport_no = "N5551234".to_owned();
    let mut b = person("Nguyen Hung", "", "Thach Ha");
    b.phone = "+84 912 000 111".to_owned();
    b.email = "hung.nguyen@example.com".to_owned();
    b.country = String::new();
    let mut c = person("Nguyễn Văn Hùng", "1987-09-30", "Xã Thạch Hà, Hà Tĩnh");
    c.email = "hung.nguyen@example.com".to_owned();
    c.passport_no = "C0000002".to_owned();
    c.country = "Lào".to_owned();
    let mut records = background();
    let n = records.len() as u32;
    records.extend([a, b, c]);
    let d = dedupe(&records, &Config::default());
    let strong = |x: u32, y: u32| {
        d.pairs
            .iter()
            .any(|p| p.a == x && p.b == y && p.probability >= Config::default().threshold)
    };
    let (ra, rb, rc) = (
        &records[n as usize],
        &records[n as usize + 1],
        &records[n as usize + 2],
    );
    assert!(
        strong(n, n + 1) && strong(n + 1, n + 2),
        "both links are strong:\n{}\n{}",
        compare(ra, rb, &d.model).explain(),
        compare(rb, rc, &d.model).explain()
    );
    let ids = &d.cluster_ids;
    assert_ne!(ids[n as usize], ids[n as usize + 2], "A and C stay apart");
}

#[test]
fn no_cluster_exceeds_the_size_cap() {
    let mut records = background();
    for i in 0..15 {
        let mut r = person("Phan Văn Lợi", "1955-01-01", "Xã Sơn Tây, Hà Tĩnh");
        r.record_id = format!("dup{i}");
        r.phone = "0900000000".to_owned();
        records.push(r);
    }
    let config = Config::default();
    let d = dedupe(&records, &config);
    assert!(d.summary.largest_cluster <= config.max_cluster_size);
}

#[test]
fn synthetic_lists_reach_precision_and_recall_thresholds() {
    let (records, truth) = labelled(400, 7);
    let d = dedupe(&records, &Config::default());
    let (p, r) = precision_recall(&d.cluster_ids, &truth);
    assert!(p >= 0.97, "precision {p}");
    assert!(r >= 0.9, "recall {r}");
}

#[test]
fn csv_missing_columns_read_as_empty_and_extra_ignored() {
    let input = "\u{feff}Full_Name, record_id ,unused,birth_date\nNguyễn Văn A,x1,zzz,1980\n,,,\n";
    let records = read_csv(input.as_bytes()).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].record_id, "x1");
    assert_eq!(records[0].full_name, "Nguyễn Văn A");
    assert_eq!(records[0].birth_date, "1980");
    assert_eq!(records[0].phone, "");
    assert_eq!(
        records[1].record_id, "2",
        "a row without id gets its row number"
    );
}

#[test]
fn run_dedupe_writes_a_cluster_for_every_row_and_explanations() {
    let input = "record_id,full_name,birth_date,phone\n\
                 1,Nguyễn Văn Nam,1980-01-02,0912345678\n\
                 2,NGUYEN VAN NAM,02/01/1980,+84 912 345 678\n\
                 3,Trần Thị Lan,1975,\n";
    let mut out = Vec::new();
    let mut explain = Vec::new();
    let summary = run_dedupe(input.as_bytes(), &mut out, Some(&mut explain), None).unwrap();
    assert_eq!(summary.records, 3);
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "record_id,cluster_id");
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1].split(',').nth(1), lines[2].split(',').nth(1));
    let explain = String::from_utf8(explain).unwrap();
    assert!(explain.starts_with("record_id_a,record_id_b,match_probability"));
    assert!(
        explain
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("1,2,"))
    );
}

#[test]
fn threshold_outside_zero_and_one_is_refused() {
    let r = run_dedupe(
        "record_id\n1\n".as_bytes(),
        Vec::new(),
        None::<Vec<u8>>,
        Some(1.5),
    );
    assert!(matches!(r, Err(Error::Threshold(_))));
}

fn arb_record() -> impl Strategy<Value = Record> {
    let names = prop::sample::select(vec![
        "Nguyễn Văn Hùng",
        "Hung Van Nguyen",
        "Nguyen Hung",
        "Vũ Thị Lan",
        "Võ Lan",
        "Lan Smith",
        "Trần Thị Mai Anh",
        "Mai Thi Le",
        "Lê Thị Mai",
        "Hùng",
        "",
    ]);
    let dates = prop::sample::select(vec![
        "1980-03-04",
        "04/03/1980",
        "1980-04-03",
        "1980",
        "1981-03-04",
        "",
    ]);
    let places = prop::sample::select(vec!["Xã Thạch Long, Hà Tĩnh", "Thach Long", "Can Lộc", ""]);
    let phones = prop::sample::select(vec!["0912345678", "+84 912 345 678", "0988", ""]);
    (names, dates, places, phones, "[A-C][0-9]{3}").prop_map(|(n, d, p, ph, pass)| Record {
        full_name: n.to_owned(),
        birth_date: d.to_owned(),
        hometown: p.to_owned(),
        phone: ph.to_owned(),
        passport_no: pass,
        ..Record::default()
    })
}

proptest! {
    #[test]
    fn scoring_is_symmetric(a in arb_record(), b in arb_record()) {
        let ab = compare(&a, &b, model());
        let ba = compare(&b, &a, model());
        prop_assert!((ab.weight - ba.weight).abs() < 1e-9, "{}\n---\n{}", ab.explain(), ba.explain());
        for (x, y) in ab.fields.iter().zip(&ba.fields) {
            prop_assert_eq!(x.level, y.level);
        }
    }
}
