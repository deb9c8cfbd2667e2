//! A small deterministic generator of labelled lists for the tests: people of one
//! province, some listed by several agencies, each list writing them its own way.

use crate::Record;

/// `SplitMix64`: deterministic, seeded by the test.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::normalize::mix(self.0)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Skewed pick: earlier items are more frequent (as family names are).
    pub fn skewed<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let a = self.below(items.len());
        let b = self.below(items.len());
        items[a.min(b)]
    }
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
    "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh",
];
const MIDDLE_M: &[&str] = &["Văn", "Văn", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Công"];
const MIDDLE_F: &[&str] = &["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ"];
const GIVEN_M: &[&str] = &[
    "Hùng", "Dũng", "Nam", "Minh", "Tuấn", "Hải", "Long", "Sơn", "Thắng", "Phong", "Quân", "Trung",
    "Bình", "Cường", "Hiếu", "Huy", "Khánh", "Lợi", "Mạnh", "Nghĩa", "Phúc", "Tài",
];
const GIVEN_F: &[&str] = &[
    "Lan", "Hương", "Hoa", "Mai", "Linh", "Trang", "Thảo", "Ngọc", "Hằng", "Nga", "Phương", "Thủy",
    "Yến", "Dung", "Giang", "Hạnh", "Hiền", "Huyền", "Loan", "Nhung", "Oanh", "Vân",
];
const COMMUNES: &[&str] = &[
    "Thạch Long",
    "Thạch Hải",
    "Cẩm Xuyên",
    "Kỳ Anh",
    "Hương Sơn",
    "Đức Thọ",
    "Can Lộc",
    "Nghi Xuân",
    "Lộc Hà",
    "Hồng Lĩnh",
    "Thạch Hà",
    "Cẩm Bình",
    "Kỳ Phong",
    "Sơn Tây",
];
const COUNTRIES: &[&str] = &["Lào", "Thái Lan", "Hàn Quốc", "Nhật Bản", "Đài Loan", "Đức"];
const SOURCES: &[&str] = &["police", "fatherland_front", "justice", "labour", "survey"];

/// Labelled records: every record with the index of the person it describes.
pub(crate) fn labelled(people: usize, seed: u64) -> (Vec<Record>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut records = Vec::new();
    let mut truth = Vec::new();
    for person in 0..people {
        let male = rng.chance(0.5);
        let family = rng.skewed(FAMILY);
        let middle = rng.pick(if male { MIDDLE_M } else { MIDDLE_F });
        let given = rng.skewed(if male { GIVEN_M } else { GIVEN_F });
        let (y, m, d) = (1950 + rng.below(50), 1 + rng.below(12), 1 + rng.below(28));
        let commune = rng.pick(COMMUNES);
        let country = rng.pick(COUNTRIES);
        let passport = format!("C{:07}", rng.below(10_000_000));
        let phone = format!("9{:08}", rng.below(100_000_000));
        let copies = if rng.chance(0.35) {
            2 + rng.below(2)
        } else {
            1
        };
        for copy in 0..copies {
            let mut name = vec![family, middle, given];
            if rng.chance(0.1) {
                name.remove(1); // middle name dropped
            }
            if rng.chance(0.15) {
                name.reverse(); // family name last
            }
            let mut full = name.join(" ");
            if rng.chance(0.4) {
                full = domain::text::fold(&full); // no diacritics
            }
            let birth = match rng.below(10) {
                0 => format!("{y}"),
                1..=4 => format!("{d:02}/{m:02}/{y}"),
                _ => format!("{y}-{m:02}-{d:02}"),
            };
            let phone_written = match rng.below(3) {
                0 => format!("0{phone}"),
                1 => format!("+84 {} {}", &phone[..3], &phone[3..]),
                _ => String::new(),
            };
            records.push(Record {
                record_id: format!("r{person}_{copy}"),
                source: SOURCES[copy % SOURCES.len()].to_owned(),
                full_name: full,
                gender: if male { "Nam" } else { "Nữ" }.to_owned(),
                birth_date: if rng.chance(0.05) {
                    String::new()
                } else {
                    birth
                },
                country: country.to_owned(),
                hometown: if rng.chance(0.5) {
                    format!("Xã {commune}, Hà Tĩnh")
                } else {
                    domain::text::fold(commune)
                },
                passport_no: if rng.chance(0.5) {
                    passport.clone()
                } else {
                    String::new()
                },
                phone: phone_written,
                ..Record::default()
            });
            truth.push(person);
        }
    }
    (records, truth)
}

/// Pairwise precision and recall of a clustering against the truth.
pub(crate) fn precision_recall(clusters: &[u32], truth: &[usize]) -> (f64, f64) {
    let (mut tp, mut predicted, mut actual) = (0u64, 0u64, 0u64);
    for i in 0..clusters.len() {
        for j in i + 1..clusters.len() {
            let same_cluster = clusters[i] == clusters[j];
            let same_person = truth[i] == truth[j];
            predicted += u64::from(same_cluster);
            actual += u64::from(same_person);
            tp += u64::from(same_cluster && same_person);
        }
    }
    let p = if predicted == 0 {
        1.0
    } else {
        tp as f64 / predicted as f64
    };
    let r = if actual == 0 {
        1.0
    } else {
        tp as f64 / actual as f64
    };
    (p, r)
}
