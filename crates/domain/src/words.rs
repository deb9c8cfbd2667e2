//! Coded values as people write them: "Lao động", "XKLĐ", "Nữ", "Đã về
//! nước", "Con trai"... → the registry's codes. The one reader for imports,
//! forms, the API and filters: each accepts the stable code, the Vietnamese
//! or English label in any case with or without diacritics, and the usual
//! words of agencies' lists.

use crate::text::fold;
use crate::types::{
    Agency, Category, ConsentStatus, Gender, Generation, NotableTag, PersonStatus, Relationship,
    VerificationStatus,
};

/// The value a text names: its code, its label in either language, or a
/// synonym — the whole text, or (`contains`) a run of whole words in it.
fn coded<T: Copy>(
    text: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T, &str) -> &'static str,
    synonyms: &[(&str, T)],
    contains: bool,
) -> Option<T> {
    let t = text.trim();
    let f = fold(t);
    if f.is_empty() {
        return None;
    }
    if let Some(v) = all
        .iter()
        .copied()
        .find(|v| code(*v) == t || fold(label(*v, "vi")) == f || fold(label(*v, "en")) == f)
    {
        return Some(v);
    }
    if let Some((_, v)) = synonyms.iter().find(|(s, _)| f == *s) {
        return Some(*v);
    }
    if !contains {
        return None;
    }
    let padded = format!(" {f} ");
    synonyms
        .iter()
        .find(|(s, _)| padded.contains(&format!(" {s} ")))
        .map(|(_, v)| *v)
}

/// A category: "Lao động", "XKLĐ", "Du học sinh", "Kết hôn với người nước
/// ngoài", "Việt kiều", "Định cư"...
pub fn category(text: &str) -> Option<Category> {
    use Category::{ContractLabour, ForeignMarriage, ForeignNational, Migrant, Other, StudyAbroad};
    coded(
        text,
        Category::ALL,
        Category::code,
        Category::label,
        &[
            ("lao dong", ContractLabour),
            ("xkld", ContractLabour),
            ("xuat khau lao dong", ContractLabour),
            ("lao dong hop dong", ContractLabour),
            ("di lao dong", ContractLabour),
            ("tts", ContractLabour),
            ("thuc tap sinh", ContractLabour),
            ("du hoc", StudyAbroad),
            ("du hoc sinh", StudyAbroad),
            ("hoc sinh", StudyAbroad),
            ("sinh vien", StudyAbroad),
            ("nghien cuu sinh", StudyAbroad),
            ("ket hon", ForeignMarriage),
            ("lay chong", ForeignMarriage),
            ("lay vo", ForeignMarriage),
            ("co dau", ForeignMarriage),
            ("viet kieu", ForeignNational),
            ("quoc tich nuoc ngoai", ForeignNational),
            ("nguoi goc viet", ForeignNational),
            ("di cu", Migrant),
            ("dinh cu", Migrant),
            ("xuat canh trai phep", Migrant),
            ("khac", Other),
        ],
        true,
    )
}

/// A gender: "Nam", "Nữ", "nam giới", "M", "F"...
pub fn gender(text: &str) -> Option<Gender> {
    use Gender::{Female, Male, Unknown};
    coded(
        text,
        Gender::ALL,
        Gender::code,
        Gender::label,
        &[
            ("m", Male),
            ("f", Female),
            ("nam gioi", Male),
            ("nu gioi", Female),
            ("nu", Female),
            ("phu nu", Female),
            ("trai", Male),
            ("gai", Female),
            ("man", Male),
            ("woman", Female),
            ("khong ro", Unknown),
            ("chua ro", Unknown),
        ],
        false,
    )
}

/// Words written around a generation's number ("thế hệ 2", "F2", "2nd").
const AROUND: &[&str] = &[
    "the",
    "he",
    "thu",
    "doi",
    "f",
    "gen",
    "generation",
    "th",
    "nd",
    "rd",
    "st",
];

/// A generation: "1", "F1", "thế hệ thứ nhất", "thế hệ 2", "đời thứ ba"...
pub fn generation(text: &str) -> Option<Generation> {
    use Generation::{First, FourthOrLater, Second, Third};
    let f = fold(text);
    // One number in the text ("thế hệ 2", "F2"); "0.5" or "1/2" is none.
    let mut runs = f
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty());
    let digits = runs.next().unwrap_or("");
    if runs.next().is_some() {
        return None;
    }
    // Around the number, only the words people write with it.
    let around: String = f
        .chars()
        .map(|c| if c.is_ascii_digit() { ' ' } else { c })
        .collect();
    if !digits.is_empty()
        && !around
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| AROUND.contains(&w))
    {
        return None;
    }
    match digits {
        "1" => return Some(First),
        "2" => return Some(Second),
        "3" => return Some(Third),
        "" => {}
        d if d.parse::<u32>().is_ok_and(|n| (4..=9).contains(&n)) => return Some(FourthOrLater),
        _ => return None,
    }
    let ordinal = [
        ("nhat", First),
        ("mot", First),
        ("hai", Second),
        ("ba", Third),
        ("tu", FourthOrLater),
        ("nam", FourthOrLater),
    ];
    let words: Vec<&str> = f.split(' ').collect();
    if let Some(v) = coded(
        text,
        Generation::ALL,
        Generation::code,
        Generation::label,
        &[],
        false,
    ) {
        return Some(v);
    }
    // "thế hệ thứ hai", "đời thứ 2", "hai": the last ordinal word.
    words
        .iter()
        .rev()
        .find_map(|w| ordinal.iter().find(|(o, _)| o == w).map(|(_, g)| *g))
        .filter(|_| words.len() <= 4)
}

/// A notable tag: its code or its label ("Doanh nhân", "Trí thức").
pub fn tag(text: &str) -> Option<NotableTag> {
    coded(
        text,
        NotableTag::ALL,
        NotableTag::code,
        NotableTag::label,
        &[
            ("doanh nghiep", NotableTag::Businessperson),
            ("nha khoa hoc", NotableTag::Expert),
        ],
        false,
    )
}

/// A life status: "Đang ở nước ngoài", "Đã về nước", "Đã mất", "Mất liên lạc"...
pub fn status(text: &str) -> Option<PersonStatus> {
    use PersonStatus::{Active, Deceased, LostContact, Returned};
    coded(
        text,
        PersonStatus::ALL,
        PersonStatus::code,
        PersonStatus::label,
        &[
            ("dang o nuoc ngoai", Active),
            ("o nuoc ngoai", Active),
            ("dang cu tru", Active),
            ("con o nuoc ngoai", Active),
            ("dang song", Active),
            ("ve nuoc", Returned),
            ("da ve nuoc", Returned),
            ("da ve", Returned),
            ("hoi huong", Returned),
            ("ve que", Returned),
            ("da mat", Deceased),
            ("tu vong", Deceased),
            ("qua doi", Deceased),
            ("da chet", Deceased),
            ("mat", Deceased),
            ("mat lien lac", LostContact),
            ("khong lien lac duoc", LostContact),
            ("khong ro tin tuc", LostContact),
        ],
        false,
    )
}

/// How a relative at home is related to the person abroad: "Cha", "Mẹ",
/// "Bố", "Vợ", "Con trai", "Anh ruột", "Cháu", "Ông nội", "Bà", "Bác"...
/// "Bà" is a grandmother, "Ba" (southern) a father: written with its tone
/// mark the two differ, so the text is first read as typed.
pub fn relationship(text: &str) -> Option<Relationship> {
    use Relationship::{
        Child, Grandparent, InLaw, NephewNiece, Other, Parent, Sibling, Spouse, UncleAunt,
    };
    let lower = text.trim().to_lowercase();
    match lower.as_str() {
        "bà" | "bà nội" | "bà ngoại" => return Some(Grandparent),
        "ba" | "má" | "ba má" => return Some(Parent),
        _ => {}
    }
    coded(
        text,
        Relationship::ALL,
        Relationship::code,
        Relationship::label,
        &[
            // in-laws first: "bố vợ" is not a father
            ("bo vo", InLaw),
            ("me vo", InLaw),
            ("bo chong", InLaw),
            ("me chong", InLaw),
            ("cha vo", InLaw),
            ("cha chong", InLaw),
            ("con dau", InLaw),
            ("con re", InLaw),
            ("anh re", InLaw),
            ("em re", InLaw),
            ("chi dau", InLaw),
            ("em dau", InLaw),
            ("dau", InLaw),
            ("re", InLaw),
            ("thong gia", InLaw),
            ("ong", Grandparent),
            ("ong noi", Grandparent),
            ("ong ngoai", Grandparent),
            ("ong ba", Grandparent),
            ("cha", Parent),
            ("me", Parent),
            ("bo", Parent),
            ("bo me", Parent),
            ("cha me", Parent),
            ("cha de", Parent),
            ("me de", Parent),
            ("vo", Spouse),
            ("chong", Spouse),
            ("vo chong", Spouse),
            ("con", Child),
            ("con trai", Child),
            ("con gai", Child),
            ("con ruot", Child),
            ("anh", Sibling),
            ("chi", Sibling),
            ("em", Sibling),
            ("anh trai", Sibling),
            ("chi gai", Sibling),
            ("em trai", Sibling),
            ("em gai", Sibling),
            ("anh ruot", Sibling),
            ("chi ruot", Sibling),
            ("em ruot", Sibling),
            ("anh chi em", Sibling),
            ("chau", NephewNiece),
            ("chau noi", NephewNiece),
            ("chau ngoai", NephewNiece),
            ("chau ruot", NephewNiece),
            ("chu", UncleAunt),
            ("bac", UncleAunt),
            ("co", UncleAunt),
            ("di", UncleAunt),
            ("cau", UncleAunt),
            ("thim", UncleAunt),
            ("mo", UncleAunt),
            ("duong", UncleAunt),
            ("khac", Other),
            ("ho hang", Other),
        ],
        true,
    )
}

/// A verification state: "Chưa xác minh", "Công an đã xác minh", "MTTQ"...
pub fn verification(text: &str) -> Option<VerificationStatus> {
    use VerificationStatus::{Both, Disputed, FatherlandFront, Police, Unverified};
    coded(
        text,
        VerificationStatus::ALL,
        VerificationStatus::code,
        VerificationStatus::label,
        &[
            ("chua xac minh", Unverified),
            ("cong an", Police),
            ("ca xac minh", Police),
            ("mttq", FatherlandFront),
            ("mat tran", FatherlandFront),
            ("ca hai", Both),
            ("chenh lech", Disputed),
            ("sai lech", Disputed),
        ],
        false,
    )
}

/// A consent state: "Đã đồng ý", "Từ chối", "Chưa hỏi", "Rút lại"...
pub fn consent(text: &str) -> Option<ConsentStatus> {
    use ConsentStatus::{Given, Refused, Unknown, Withdrawn};
    coded(
        text,
        ConsentStatus::ALL,
        ConsentStatus::code,
        ConsentStatus::label,
        &[
            ("dong y", Given),
            ("co", Given),
            ("khong dong y", Refused),
            ("khong", Refused),
            ("tu choi", Refused),
            ("rut lai", Withdrawn),
            ("chua hoi", Unknown),
            ("chua ro", Unknown),
        ],
        false,
    )
}

/// A source agency: "Công an tỉnh", "MTTQ", "Sở Tư pháp", "UBND xã"...
pub fn agency(text: &str) -> Option<Agency> {
    coded(
        text,
        Agency::ALL,
        Agency::code,
        Agency::label,
        &[
            ("cong an", Agency::Police),
            ("ca tinh", Agency::Police),
            ("mttq", Agency::FatherlandFront),
            ("mat tran to quoc", Agency::FatherlandFront),
            ("tu phap", Agency::Justice),
            ("lao dong", Agency::Labour),
            ("noi vu", Agency::HomeAffairs),
            ("ke hoach dau tu", Agency::PlanningInvestment),
            ("giao duc", Agency::Education),
            ("thong ke", Agency::Statistics),
            ("dai su quan", Agency::Mission),
            ("lanh su quan", Agency::Mission),
            ("hoi dong huong", Agency::Association),
            ("ngoai vu", Agency::ForeignAffairs),
            ("ubnd xa", Agency::Commune),
            ("ubnd phuong", Agency::Commune),
            ("xa", Agency::Commune),
            ("phuong", Agency::Commune),
        ],
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_as_written() {
        for (t, c) in [
            ("Lao động", Category::ContractLabour),
            ("XKLĐ", Category::ContractLabour),
            ("lao dong", Category::ContractLabour),
            ("contract_labour", Category::ContractLabour),
            ("Contract labour abroad", Category::ContractLabour),
            ("Du học sinh", Category::StudyAbroad),
            ("DU HỌC", Category::StudyAbroad),
            ("Kết hôn với người nước ngoài", Category::ForeignMarriage),
            ("Việt kiều", Category::ForeignNational),
            ("Định cư", Category::Migrant),
        ] {
            assert_eq!(category(t), Some(c), "{t}");
        }
        assert_eq!(category("Nhà báo"), None);
    }

    #[test]
    fn genders_statuses_generations() {
        assert_eq!(gender("Nữ"), Some(Gender::Female));
        assert_eq!(gender("NU"), Some(Gender::Female));
        assert_eq!(gender("nam"), Some(Gender::Male));
        assert_eq!(gender("female"), Some(Gender::Female));
        assert_eq!(gender("nữa"), None);
        assert_eq!(status("Đã về nước"), Some(PersonStatus::Returned));
        assert_eq!(status("đã mất"), Some(PersonStatus::Deceased));
        assert_eq!(status("Mất liên lạc"), Some(PersonStatus::LostContact));
        assert_eq!(status("Đang ở nước ngoài"), Some(PersonStatus::Active));
        assert_eq!(status("returned"), Some(PersonStatus::Returned));
        assert_eq!(generation("Thế hệ thứ hai"), Some(Generation::Second));
        assert_eq!(generation("F3"), Some(Generation::Third));
        assert_eq!(generation("đời thứ 5"), Some(Generation::FourthOrLater));
        assert_eq!(generation("thứ nhất"), Some(Generation::First));
        assert_eq!(generation("không rõ"), None);
        assert_eq!(generation("0.5"), None, "two numbers are not a generation");
        assert_eq!(
            generation("x5"),
            None,
            "a number among other words is not a generation"
        );
        assert_eq!(generation("2nd generation"), Some(Generation::Second));
        assert_eq!(
            verification("MTTQ đã xác minh"),
            Some(VerificationStatus::FatherlandFront)
        );
        assert_eq!(consent("Đồng ý"), Some(ConsentStatus::Given));
        assert_eq!(agency("Công an tỉnh"), Some(Agency::Police));
        assert_eq!(agency("UBND xã"), Some(Agency::Commune));
    }

    #[test]
    fn relationships_as_written() {
        for (t, r) in [
            ("Cha", Relationship::Parent),
            ("Mẹ", Relationship::Parent),
            ("Bố", Relationship::Parent),
            ("Ba", Relationship::Parent),
            ("Bà", Relationship::Grandparent),
            ("Ông nội", Relationship::Grandparent),
            ("Vợ", Relationship::Spouse),
            ("Con trai", Relationship::Child),
            ("Anh ruột", Relationship::Sibling),
            ("em gái", Relationship::Sibling),
            ("Cháu", Relationship::NephewNiece),
            ("Bác", Relationship::UncleAunt),
            ("Bố vợ", Relationship::InLaw),
            ("Con dâu", Relationship::InLaw),
            ("spouse", Relationship::Spouse),
            ("Vợ/chồng", Relationship::Spouse),
        ] {
            assert_eq!(relationship(t), Some(r), "{t}");
        }
        assert_eq!(relationship("Hàng xóm"), None);
    }
}
