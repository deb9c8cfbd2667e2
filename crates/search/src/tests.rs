#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use proptest::prelude::*;

fn doc(id: i64, name: &str) -> PersonDoc {
    PersonDoc {
        id,
        full_name: name.into(),
        country: "US".into(),
        category: "viet_kieu".into(),
        status: "active".into(),
        verification: "unverified".into(),
        ..PersonDoc::default()
    }
}

fn index(names: &[&str]) -> Index {
    let mut ix = Index::new();
    for (i, n) in names.iter().enumerate() {
        ix.upsert(&doc(i as i64 + 1, n));
    }
    ix
}

fn ids(ix: &Index, q: &str) -> Vec<i64> {
    let f = Filters::default();
    ix.search(&Query::new(q, 50, &f), |_| true)
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

fn first(ix: &Index, q: &str) -> Hit {
    let f = Filters::default();
    ix.search(&Query::new(q, 50, &f), |_| true)
        .hits
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no hit for {q}"))
}

const PEOPLE: &[&str] = &[
    "Nguyễn Văn Đức",
    "Trần Thị Mai",
    "Nguyễn Thu Hà",
    "Lê Văn Dục",
    "Phạm Minh Tuấn",
];

#[test]
fn any_fragment_any_case_with_or_without_diacritics() {
    let ix = index(PEOPLE);
    for q in [
        "duc",
        "ĐỨC",
        "Nguyen Van",
        "nguyễn văn đức",
        "nguyen van duc",
    ] {
        assert!(ids(&ix, q).contains(&1), "{q}");
    }
    // "duc" also finds "Dục" (same folded) but not "Tuấn".
    let duc = ids(&ix, "duc");
    assert!(duc.contains(&4));
    assert!(!duc.contains(&5));
}

#[test]
fn any_order() {
    let ix = index(PEOPLE);
    for q in ["Duc Nguyen Van", "Van Duc Nguyen", "NGUYEN Duc"] {
        let h = first(&ix, q);
        assert_eq!(h.id, 1, "{q}");
    }
    assert_eq!(first(&ix, "Duc Nguyen Van").kind, MatchKind::Reordered);
}

#[test]
fn one_typo_or_one_missing_or_extra_syllable() {
    let ix = index(PEOPLE);
    let h = first(&ix, "Ngyen Van Duc");
    assert_eq!((h.id, h.kind), (1, MatchKind::Fuzzy));
    assert_eq!(first(&ix, "Nguyen Duc").id, 1);
    let h = first(&ix, "Nguyen Thi Thu Ha");
    assert_eq!((h.id, h.kind), (3, MatchKind::Fuzzy));
    // Transposition is one typo.
    assert_eq!(first(&ix, "Nguyen Van Dcu").id, 1);
    // Two faults are too many.
    assert!(!ids(&ix, "Ngyen Vn Duc").contains(&1));
}

#[test]
fn ranking_exact_then_folded_then_reordered_then_partial() {
    let ix = index(&[
        "Nguyễn Văn Đức Anh", // partial
        "Đức Nguyễn Văn",     // reordered
        "Nguyen Van Duc",     // folded
        "Nguyễn Văn Đức",     // exact
    ]);
    let f = Filters::default();
    let r = ix.search(&Query::new("Nguyễn Văn Đức", 10, &f), |_| true);
    let got: Vec<(i64, MatchKind)> = r.hits.iter().map(|h| (h.id, h.kind)).collect();
    assert_eq!(
        got,
        vec![
            (4, MatchKind::Exact),
            (3, MatchKind::Folded),
            (2, MatchKind::Reordered),
            (1, MatchKind::Partial)
        ]
    );
    assert_eq!(r.total, 4);
    assert!(!r.total_is_lower_bound);
    let scores: Vec<u64> = r.hits.iter().map(|h| h.score).collect();
    assert!(scores.windows(2).all(|w| w[0] > w[1]));
}

#[test]
fn highlights_the_matched_syllables() {
    let ix = index(PEOPLE);
    assert_eq!(first(&ix, "nguyen duc").highlight, vec![(0, 6), (11, 14)]);
    // Typing: the start of the last syllable.
    let h = first(&ix, "nguyen va");
    assert_eq!(h.id, 1);
    assert_eq!(h.highlight, vec![(0, 6), (7, 9)]);
}

#[test]
fn other_names_passport_phone_email() {
    let mut ix = Index::new();
    let mut p = doc(7, "Nguyễn Thị Lan");
    p.other_names = vec!["Lan Smith".into(), "Linda Nguyen".into()];
    p.passport = "C1234567".into();
    p.phone = "+14085550101".into();
    p.email = "Lan.Nguyen@Example.com".into();
    ix.upsert(&p);
    ix.upsert(&doc(8, "Smith John"));
    let h = first(&ix, "linda nguyen");
    assert_eq!((h.id, h.field), (7, Field::OtherName(1)));
    assert_eq!(h.highlight, vec![(0, 5), (6, 12)]);
    assert_eq!(first(&ix, "Lan Smith").id, 7);
    for q in ["c1234567", "C 123 4567"] {
        let h = first(&ix, q);
        assert_eq!(
            (h.id, h.kind, h.field),
            (7, MatchKind::Identifier, Field::Passport)
        );
    }
    for q in [
        "+1 (408) 555-0101",
        "001 408 555 0101",
        "408-555-0101",
        "14085550101",
    ] {
        let h = first(&ix, q);
        assert_eq!((h.id, h.field), (7, Field::Phone), "{q}");
    }
    let h = first(&ix, "LAN.NGUYEN@example.COM");
    assert_eq!((h.id, h.field), (7, Field::Email));
    assert!(ids(&ix, "other@example.com").is_empty());
}

#[test]
fn vietnamese_phone_forms() {
    let mut ix = Index::new();
    let mut p = doc(1, "Hồ Văn Nam");
    p.phone = "+84912345678".into();
    ix.upsert(&p);
    for q in ["0912 345 678", "0084912345678", "+84 912-345-678"] {
        assert_eq!(ids(&ix, q), vec![1], "{q}");
    }
}

#[test]
fn filters_and_jurisdiction_limit_hits_and_total() {
    let mut ix = Index::new();
    for (id, commune, country) in [(1, "C1", "US"), (2, "C2", "US"), (3, "C1", "FR")] {
        let mut p = doc(id, "Nguyễn Văn Đức");
        p.new_commune = Some(commune.into());
        p.country = country.into();
        p.tags = vec!["doanh_nhan".into()];
        ix.upsert(&p);
    }
    let f = Filters {
        country: "us".into(),
        ..Filters::default()
    };
    let r = ix.search(&Query::new("duc", 10, &f), |d| {
        d.new_commune() == Some("C1")
    });
    assert_eq!(r.total, 1);
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![1]);
    let f = Filters {
        tag: "doanh_nhan".into(),
        ..Filters::default()
    };
    assert_eq!(ix.search(&Query::new("duc", 10, &f), |_| true).total, 3);
    let f = Filters {
        tag: "nobody".into(),
        ..Filters::default()
    };
    assert_eq!(ix.search(&Query::new("duc", 10, &f), |_| true).total, 0);
    // Identifiers obey the jurisdiction too.
    let mut p = doc(4, "Hồ Văn Nam");
    p.passport = "B7654321".into();
    p.new_commune = Some("C2".into());
    ix.upsert(&p);
    let f = Filters::default();
    let r = ix.search(&Query::new("B7654321", 10, &f), |d| {
        d.new_commune() == Some("C1")
    });
    assert_eq!((r.total, r.hits.len()), (0, 0));
}

#[test]
fn upsert_replaces_and_remove_hides() {
    let mut ix = index(PEOPLE);
    assert!(ids(&ix, "tuan").contains(&5));
    ix.upsert(&doc(5, "Phạm Minh Khoa"));
    assert!(!ids(&ix, "tuan").contains(&5));
    assert!(ids(&ix, "khoa").contains(&5));
    ix.remove(5);
    assert!(!ids(&ix, "khoa").contains(&5));
    let mut d = doc(2, "Trần Thị Mai");
    d.deleted = true;
    ix.upsert(&d);
    assert!(ids(&ix, "mai").is_empty());
    assert_eq!(ix.len(), 3);
}

#[test]
fn total_counts_beyond_the_page_and_caps_are_flagged() {
    let names: Vec<String> = (0..100).map(|i| format!("Nguyễn Văn Số{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let ix = index(&refs);
    let f = Filters::default();
    let r = ix.search(&Query::new("nguyen", 5, &f), |_| true);
    assert_eq!(
        (r.total, r.hits.len(), r.total_is_lower_bound),
        (100, 5, false)
    );
    let mut q = Query::new("nguyen", 5, &f);
    q.max_scan = 10;
    let r = ix.search(&q, |_| true);
    assert!(r.total_is_lower_bound);
    assert_eq!(r.total, 10);
}

#[test]
fn empty_and_odd_queries() {
    let ix = index(PEOPLE);
    assert!(ids(&ix, "").is_empty());
    assert!(ids(&ix, "  -- ").is_empty());
    assert!(ids(&ix, "zzzzzz").is_empty());
    assert!(ids(&Index::new(), "duc").is_empty());
}

#[test]
fn one_edit() {
    assert!(within_one_edit("nguyen", "ngyen"));
    assert!(within_one_edit("nguyen", "nguyne"));
    assert!(within_one_edit("duc", "dux"));
    assert!(within_one_edit("duc", "duoc"));
    assert!(!within_one_edit("duc", "dung"));
    assert!(!within_one_edit("abc", "cba"));
}

const FAMILY: &[&str] = &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Bùi"];
const MIDDLE: &[&str] = &["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thu"];
const GIVEN: &[&str] = &["Đức", "Hương", "Tuấn", "Hà", "Quỳnh", "Phương", "Dũng"];

fn strip(s: &str) -> String {
    domain::text::fold(s)
}

fn arb_people() -> impl Strategy<Value = Vec<(usize, usize, usize)>> {
    prop::collection::vec((0..FAMILY.len(), 0..MIDDLE.len(), 0..GIVEN.len()), 1..40)
}

fn name_of(t: (usize, usize, usize)) -> [&'static str; 3] {
    [FAMILY[t.0], MIDDLE[t.1], GIVEN[t.2]]
}

fn build(people: &[(usize, usize, usize)]) -> Index {
    let mut ix = Index::new();
    for (i, t) in people.iter().enumerate() {
        ix.upsert(&doc(i as i64, &name_of(*t).join(" ")));
    }
    ix
}

fn found(ix: &Index, q: &str, id: i64) -> bool {
    let f = Filters::default();
    ix.search(&Query::new(q, 1000, &f), |_| true)
        .hits
        .iter()
        .any(|h| h.id == id)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_form_of_the_name_finds_the_person(people in arb_people(), pick in any::<prop::sample::Index>(), rot in 0usize..3) {
        let ix = build(&people);
        let k = pick.index(people.len());
        let parts = name_of(people[k]);
        let id = k as i64;
        // With and without diacritics, any case.
        prop_assert!(found(&ix, &parts.join(" "), id));
        prop_assert!(found(&ix, &strip(&parts.join(" ")), id));
        prop_assert!(found(&ix, &parts.join(" ").to_uppercase(), id));
        // Any order.
        let mut rotated = parts.to_vec();
        rotated.rotate_left(rot);
        prop_assert!(found(&ix, &strip(&rotated.join(" ")), id));
        // Any fragment.
        prop_assert!(found(&ix, &strip(parts[2]), id));
        // Family and given name only (a missing syllable).
        let short = format!("{} {}", strip(parts[0]), strip(parts[2]));
        prop_assert!(found(&ix, &short, id));
        // An extra syllable.
        let extra = format!("{} Xuân {} {}", parts[0], parts[1], parts[2]);
        prop_assert!(found(&ix, &extra, id));
    }

    #[test]
    fn one_typo_finds_the_person(people in arb_people(), pick in any::<prop::sample::Index>(), which in 0usize..3, at in 0usize..3) {
        let ix = build(&people);
        let k = pick.index(people.len());
        let parts = name_of(people[k]);
        let mut folded: Vec<String> = parts.iter().map(|p| strip(p)).collect();
        let w = &mut folded[which];
        if w.len() >= 3 {
            // Drop one letter.
            let pos = at % w.len();
            w.remove(pos);
            if w.len() >= 3 {
                prop_assert!(found(&ix, &folded.join(" "), k as i64), "{}", folded.join(" "));
            }
        }
    }

    #[test]
    fn exact_ranks_first(people in arb_people(), pick in any::<prop::sample::Index>()) {
        let ix = build(&people);
        let k = pick.index(people.len());
        let name = name_of(people[k]).join(" ");
        let f = Filters::default();
        let r = ix.search(&Query::new(&name, 1000, &f), |_| true);
        let top = &r.hits[0];
        prop_assert_eq!(top.kind, MatchKind::Exact);
        prop_assert!(found(&ix, &name, k as i64));
        // Every hit of the same name is exact, and every exact hit has this name.
        for h in &r.hits {
            let same = name_of(people[h.id as usize]).join(" ") == name;
            prop_assert_eq!(same, h.kind == MatchKind::Exact);
        }
    }
}

/// The search by brute force: every live document evaluated against the
/// query, no postings, no names table (the engine before names were shared).
/// A person is counted once: in the strict pass under their best name that
/// matches without fault, when one does; else in the fuzzy pass under their
/// best name (a typo in one name does not count a person again whose other
/// name holds every syllable, even when the typo scores higher).
///
/// The reading of a country word in the query ("duc" may be Germany) is the
/// engine's own ([`Index::reading`], tested on its own); the people of the
/// chosen reading are then all scanned.
fn brute(ix: &Index, text: &str, limit: usize) -> (usize, Vec<(u64, i64, MatchKind)>) {
    let u = understand(text);
    let code = u.country.as_ref().map(|c| c.code);
    let in_country =
        |d: &Doc| code.is_some_and(|c| ix.values.str(d.attrs[Attr::Country as usize]) == Some(c));
    let (name, by_country, ends) = ix.reading(&u, &|d, by_country| {
        !by_country || in_country(&ix.docs[d as usize])
    });
    let mut tokens = tokenize(name);
    tokens.truncate(MAX_TOKENS);
    if tokens.is_empty() {
        return (0, Vec::new());
    }
    let plan = ix.plan(&tokens, !text.ends_with(char::is_whitespace) && !ends);
    let live = || {
        ix.docs
            .iter()
            .filter(move |d| d.alive && (!by_country || in_country(d)))
    };
    // The best of a document's names that match with (or without) fault,
    // the full name winning ties.
    let best = |d: &Doc, strict: bool| -> Option<Eval> {
        let mut best: Option<Eval> = None;
        for (g, &n) in d.names.iter().enumerate() {
            if let Some(mut e) = ix.evaluate_name(n, &plan, strict)
                && (e.faults == 0) == strict
            {
                e.score += u64::from(g == 0);
                e.group = g;
                if best.as_ref().is_none_or(|b| e.score > b.score) {
                    best = Some(e);
                }
            }
        }
        best
    };
    let mut all: Vec<(u64, i64, MatchKind)> = Vec::new();
    let mut clean = HashSet::new();
    if plan.exact.iter().all(|e| !e.is_empty()) {
        for d in live() {
            if let Some(e) = best(d, true) {
                clean.insert(d.id);
                all.push((e.score, d.id, e.kind));
            }
        }
    }
    let strict = all.len();
    let mut total = strict;
    all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let worst = if all.len() >= limit.max(1) {
        all[limit.max(1) - 1].0
    } else {
        0
    };
    if needs_fuzzy(strict, limit, plan.n, worst) {
        for d in live().filter(|d| !clean.contains(&d.id)) {
            if let Some(e) = best(d, false) {
                total += 1;
                all.push((e.score, d.id, e.kind));
            }
        }
    }
    all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    all.truncate(limit);
    (total, all)
}

const VOCAB: &[&str] = &[
    "Nguyễn", "Nguyen", "Nguyên", "Trần", "Tran", "Lê", "Võ", "Vo", "Văn", "Vân", "Vy", "Thị",
    "Thi", "Thu", "Tình", "Tinh", "Trinh", "Linh", "Thịnh", "Đức", "Duc", "Dục", "Anh", "Ánh",
    "Xuân", "Kim",
];

fn arb_name() -> impl Strategy<Value = String> {
    prop::collection::vec(0..VOCAB.len(), 1..5)
        .prop_map(|v| v.iter().map(|&i| VOCAB[i]).collect::<Vec<_>>().join(" "))
}

fn arb_query() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0..VOCAB.len(), 1..5),
        0usize..4,
        any::<bool>(),
    )
        .prop_map(|(v, edit, space)| {
            let mut words: Vec<String> = v.iter().map(|&i| strip(VOCAB[i])).collect();
            let last = words.len() - 1;
            match edit {
                // A typo: drop a letter of the first word.
                1 if words[0].len() > 3 => {
                    words[0].remove(1);
                }
                // Typing: the start of the last word.
                2 if words[last].len() > 1 => {
                    words[last].truncate(1);
                }
                _ => {}
            }
            let mut q = words.join(" ");
            if space {
                q.push(' ');
            }
            q
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The names table, the intersections and the early stop give the page
    /// and the total of a scan of every document (ties aside: equal scores
    /// may be other people of the same name).
    #[test]
    fn same_as_brute_force(
        people in prop::collection::vec((arb_name(), prop::collection::vec(arb_name(), 0..2)), 1..60),
        gone in prop::collection::vec(0usize..60, 0..5),
        q in arb_query(),
        limit in 1usize..8,
    ) {
        let mut ix = Index::new();
        for (i, (name, other)) in people.iter().enumerate() {
            let mut p = doc(i as i64, name);
            p.other_names = other.clone();
            ix.upsert(&p);
        }
        for g in gone {
            if g % 2 == 0 {
                ix.remove(g as i64);
            } else if let Some((name, _)) = people.get(g) {
                // Replaced: the old slot stays, dead.
                ix.upsert(&doc(g as i64, &format!("{name} Anh")));
            }
        }
        let f = Filters::default();
        let r = ix.search(&Query::new(&q, limit, &f), |_| true);
        let (total, want) = brute(&ix, &q, limit);
        prop_assert_eq!(r.total, total, "{}", q);
        prop_assert!(!r.total_is_lower_bound);
        let got: Vec<(u64, MatchKind)> = r.hits.iter().map(|h| (h.score, h.kind)).collect();
        let exp: Vec<(u64, MatchKind)> = want.iter().map(|w| (w.0, w.2)).collect();
        prop_assert_eq!(&got, &exp, "{}", q);
        // Above the last score on the page, the same people.
        if let Some(last) = exp.last() {
            let above = |v: Vec<(u64, i64)>| -> Vec<i64> {
                let mut ids: Vec<i64> = v.into_iter().filter(|x| x.0 > last.0).map(|x| x.1).collect();
                ids.sort_unstable();
                ids
            };
            prop_assert_eq!(
                above(r.hits.iter().map(|h| (h.score, h.id)).collect()),
                above(want.iter().map(|w| (w.0, w.1)).collect())
            );
        }
    }
}

#[test]
fn typo_prior_parts() {
    assert_eq!(slip_class("lung", "luong"), 2);
    assert_eq!(slip_class("tugn", "tung"), 2);
    assert_eq!(slip_class("tugn", "tuan"), 0);
    assert_eq!(slip_class("nanh", "anh"), 0);
    assert_eq!(slip_class("uien", "lien"), 0);
    assert_eq!(log2_quarters(1), 0);
    assert_eq!(log2_quarters(2), 4);
    assert_eq!(log2_quarters(3), 6);
    assert_eq!(log2_quarters(1024), 40);
    assert_eq!(log2_quarters(1500), 42);
}

#[test]
fn a_typo_finds_the_likelier_name_first() {
    // "lung": "Lương" with a letter left out is likelier than "Dung" with a
    // wrong one, though more people are called Dung.
    let mut names = vec!["Nguyễn Thị Lương"; 3];
    names.extend(vec!["Nguyễn Thị Dung"; 5]);
    let ix = index(&names);
    let h = first(&ix, "nguyen thi lung");
    assert_eq!((h.id, h.kind), (1, MatchKind::Fuzzy));
    // A name typed whole beats a longer one that merely contains it.
    let ix = index(&["Nguyễn Thanh Anh", "Nguyễn Thanh Anh", "Nguyễn Thành"]);
    assert_eq!(first(&ix, "nugyen thanh ").id, 3);
}

#[test]
fn part_of_a_name_out_of_order_ranks_with_typos() {
    // "hong thi gam": Hoàng Thị Gấm with a letter left out, in order, before
    // the many Nguyễn Thị Hồng Gấm that hold the three syllables in another
    // order without the family name, even though those fill the page.
    let mut names = vec!["Nguyễn Thị Hồng Gấm"; 30];
    names.push("Hoàng Thị Gấm");
    let ix = index(&names);
    let f = Filters::default();
    let r = ix.search(&Query::new("hong thi gam", 5, &f), |_| true);
    assert_eq!((r.hits[0].id, r.hits[0].kind), (31, MatchKind::Fuzzy));
    assert_eq!(r.hits[1].kind, MatchKind::Partial);
    assert_eq!(r.total, 31);
    // The family name written last is a convention, not a departure: part of
    // the name so written still ranks above a typo ("duc nguyen" for
    // Nguyễn Văn Đức, not Trần Đức Nguyệt).
    let ix = index(&["Trần Đức Nguyệt", "Nguyễn Văn Đức"]);
    let r = ix.search(&Query::new("duc nguyen", 5, &f), |_| true);
    let got: Vec<(i64, MatchKind)> = r.hits.iter().map(|h| (h.id, h.kind)).collect();
    assert_eq!(got, [(2, MatchKind::Partial), (1, MatchKind::Fuzzy)]);
    // In its order, part of a name fills the page without the fuzzy pass.
    let mut names = vec!["Nguyễn Văn Đức"; 6];
    names.push("Nguyễn Văn Đắc");
    let ix = index(&names);
    let r = ix.search(&Query::new("nguyen duc", 5, &f), |_| true);
    assert!(r.hits.iter().all(|h| h.kind == MatchKind::Partial));
    assert_eq!(r.total, 6);
    let r = ix.search(&Query::new("nguyen duc", 10, &f), |_| true);
    assert_eq!((r.total, r.hits[6].id), (7, 7));
}

#[test]
fn a_person_matching_by_one_name_and_by_a_typo_of_another_counts_once() {
    let mut ix = Index::new();
    let mut p = doc(1, "Võ Trinh");
    p.other_names = vec!["Võ Tình".into()];
    ix.upsert(&p);
    let f = Filters::default();
    let r = ix.search(&Query::new("vo tinh", 5, &f), |_| true);
    assert_eq!((r.total, r.hits.len()), (1, 1));
    assert_eq!(r.hits[0].field, Field::OtherName(0));
}

/// The case `same_as_brute_force` once failed on: "tinh duc" holds both
/// syllables of the full name Nguyễn Đức Tình out of order (strict, part
/// of the name) and, with one typo, the other name Trinh Đức in order,
/// which scores higher. The engine counts the person once, in the strict
/// pass, under the name that matches without fault; the brute-force
/// reference counted them a second time in the fuzzy pass.
#[test]
fn a_strict_match_keeps_a_person_out_of_the_fuzzy_pass_even_when_a_typo_scores_higher() {
    let mut ix = Index::new();
    let mut p = doc(0, "Nguyễn Đức Tình");
    p.other_names = vec!["Trinh Đức".into()];
    ix.upsert(&p);
    let f = Filters::default();
    let r = ix.search(&Query::new("tinh duc", 1, &f), |_| true);
    let (total, want) = brute(&ix, "tinh duc", 1);
    assert_eq!((r.total, total), (1, 1));
    assert_eq!(r.hits.len(), 1);
    assert_eq!(r.hits[0].field, Field::FullName);
    assert_eq!(r.hits[0].kind, MatchKind::Partial);
    assert_eq!(
        r.hits.iter().map(|h| (h.score, h.kind)).collect::<Vec<_>>(),
        want.iter().map(|w| (w.0, w.2)).collect::<Vec<_>>()
    );
}

#[test]
fn a_scarce_jurisdiction_still_fills_the_page_past_the_count_cap() {
    let names: Vec<String> = (0..400).map(|i| format!("Nguyễn Văn Số{i}")).collect();
    let mut ix = Index::new();
    for (i, n) in names.iter().enumerate() {
        let mut p = doc(i as i64, n);
        p.new_commune = Some(if i % 20 == 0 { "C1" } else { "C2" }.into());
        ix.upsert(&p);
    }
    let f = Filters::default();
    let mut q = Query::new("nguyen", 5, &f);
    q.max_scan = 20;
    let r = ix.search(&q, |d| d.new_commune() == Some("C1"));
    // Five in the commune need a hundred people looked at: more than the
    // count's cap, within the page's.
    assert_eq!(r.hits.len(), 5);
    assert!(r.total_is_lower_bound);
    assert!(r.total >= 5);
    // Without a cap, all twenty.
    let r = ix.search(&Query::new("nguyen", 5, &f), |d| {
        d.new_commune() == Some("C1")
    });
    assert_eq!((r.total, r.total_is_lower_bound), (20, false));
}

#[test]
fn a_long_union_of_postings_is_sorted_and_distinct() {
    let names: Vec<String> = (0..5000)
        .map(|i| match i % 3 {
            0 => format!("Văn Số{i}"),
            1 => format!("Vinh Số{i}"),
            _ => format!("Văn Vinh Số{i}"),
        })
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let ix = index(&refs);
    let fids = [ix.fold.get("van").unwrap(), ix.fold.get("vinh").unwrap()];
    assert!(ix.postings_len(&fids) > 4096);
    let got = ix.gather(&fids);
    let mut want: Vec<u32> = fids
        .iter()
        .flat_map(|&f| ix.postings[f as usize].clone())
        .collect();
    want.sort_unstable();
    want.dedup();
    assert_eq!(got.len(), 5000);
    assert_eq!(got, want);
    // Typing "v": every one of them.
    let f = Filters::default();
    assert_eq!(ix.search(&Query::new("v", 10, &f), |_| true).total, 5000);
}

fn person(id: i64, name: &str, born: &str, country: &str) -> PersonDoc {
    PersonDoc {
        birth_date: (!born.is_empty()).then(|| born.to_owned()),
        country: country.into(),
        ..doc(id, name)
    }
}

fn narrowed_ids(ix: &Index, q: &str) -> Vec<i64> {
    let f = Filters::default();
    let mut v: Vec<i64> = ix
        .search(&Query::new(q, 50, &f), |_| true)
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn a_year_or_a_date_in_the_query_narrows_the_name_search() {
    let mut ix = Index::new();
    for p in [
        person(1, "Nguyễn Thị Hiền", "1979-03-12", "JP"),
        person(2, "Trần Thu Hiền", "1979", "DE"),
        person(3, "Lê Hiền", "1985-07-01", "JP"),
        person(4, "Phạm Thị Hiền", "", "US"),
        person(5, "Nguyễn Văn An", "1979-03-12", "US"),
    ] {
        ix.upsert(&p);
    }
    // Before: "Hiền 1979" held a syllable no name holds and found no one.
    assert_eq!(narrowed_ids(&ix, "Hiền 1979"), vec![1, 2]);
    assert_eq!(narrowed_ids(&ix, "hien 1985"), vec![3]);
    // A date: the record of the year alone agrees with it too.
    assert_eq!(narrowed_ids(&ix, "Hiền 12/03/1979"), vec![1, 2]);
    assert_eq!(narrowed_ids(&ix, "Hiền 12/3/79"), vec![1, 2]);
    assert_eq!(narrowed_ids(&ix, "Hiền 13-3-1979"), vec![2]);
    assert_eq!(narrowed_ids(&ix, "Hiền sinh năm 1990"), Vec::<i64>::new());
    let f = Filters::default();
    let r = ix.search(&Query::new("Hiền 1979", 10, &f), |_| true);
    assert_eq!(r.total, 2);
    assert_eq!(r.narrowed.born.map(|b| b.years[0]), Some(1979));
    // The name is complete: "Hiền" is not the start of a longer syllable.
    assert!(r.hits.iter().all(|h| h.kind != MatchKind::Fuzzy));
}

#[test]
fn a_country_in_the_query_narrows_the_name_search() {
    let mut ix = Index::new();
    for p in [
        person(1, "Nguyễn Thị Hiền", "1979-03-12", "JP"),
        person(2, "Trần Thu Hiền", "1979", "DE"),
        person(3, "Lê Hiền", "1985-07-01", "US"),
        person(4, "Nguyễn Văn Đức", "1970", "US"),
        person(5, "Hoàng Đức", "1990", "DE"),
    ] {
        ix.upsert(&p);
    }
    for (q, want) in [
        ("Hiền Nhật Bản", vec![1]),
        ("Hiền Nhật", vec![1]),
        ("Hiền Japan", vec![1]),
        ("hien nhat ban 1979", vec![1]),
        ("Hiền Hoa Kỳ", vec![3]),
        ("Hiền Mỹ", vec![3]),
        ("Hiền USA", vec![3]),
        ("Nhật Bản Hiền", vec![1]),
        ("Hiền, Đức", vec![2]),
        ("Hiền CHLB Đức", vec![2]),
        ("Hiền Hàn Quốc", vec![]),
    ] {
        assert_eq!(narrowed_ids(&ix, q), want, "{q}");
    }
    let f = Filters::default();
    let r = ix.search(&Query::new("Hiền CHLB Đức", 10, &f), |_| true);
    assert_eq!(r.narrowed.country, Some("DE"));
}

/// "Đức" is Germany and a given name. A country word that every name
/// syllable could also be narrows only when no one bears a name holding
/// every word of the query and someone in that country bears the rest.
#[test]
fn a_country_word_that_may_be_part_of_the_name_is_read_as_a_name_first() {
    let mut ix = Index::new();
    for p in [
        person(1, "Nguyễn Thị Hiền", "", "DE"),
        person(2, "Nguyễn Văn Đức", "", "US"),
        person(3, "Trần Văn Đức", "", "DE"),
        person(4, "Lê Văn Hùng", "", "DE"),
    ] {
        ix.upsert(&p);
    }
    let f = Filters::default();
    // A name: the Đức in the United States is found, not the Văn in Germany.
    let r = ix.search(&Query::new("Nguyễn Văn Đức", 10, &f), |_| true);
    assert_eq!(r.hits[0].id, 2);
    assert_eq!(r.hits[0].kind, MatchKind::Exact);
    assert_eq!(r.narrowed.country, None);
    // No name holds Hiền and Đức: the Hiền in Germany.
    assert_eq!(narrowed_ids(&ix, "Hiền Đức"), vec![1]);
    let r = ix.search(&Query::new("Hiền Đức", 10, &f), |_| true);
    assert_eq!(r.narrowed.country, Some("DE"));
    // Once someone is called Đức Hiền, "Hiền Đức" is their name.
    ix.upsert(&person(5, "Phạm Đức Hiền", "", "US"));
    assert_eq!(narrowed_ids(&ix, "Hiền Đức")[0], 5);
    let r = ix.search(&Query::new("Hiền Đức", 10, &f), |_| true);
    assert_eq!(r.narrowed.country, None);
    // Written so that it cannot be a name, it is the country whatever names exist.
    assert_eq!(narrowed_ids(&ix, "Hiền CHLB Đức"), vec![1]);
    assert_eq!(narrowed_ids(&ix, "Hiền, Đức"), vec![1]);
    // A typo in the name does not turn its last syllable into a country.
    let r = ix.search(&Query::new("Nguyen Vn Duc", 10, &f), |_| true);
    assert_eq!(r.hits.first().map(|h| h.id), Some(2));
    assert_eq!(r.narrowed.country, None);
}

/// Typos are ranked by how people mistype Vietnamese before how many bear
/// the name: the marks typed, then a neighbouring key.
#[test]
fn a_typo_ranks_the_name_a_slip_of_the_fingers_makes_before_the_commoner_one() {
    // "Trsng": s is next to a on the keyboard; more people are called Trung.
    let mut names = vec!["Lê Văn Trung"; 40];
    names.extend(vec!["Lê Văn Trọng"; 10]);
    names.push("Lê Văn Trang");
    let ix = index(&names);
    let h = first(&ix, "Lê Văn Trsng");
    assert_eq!((h.id, h.kind), (51, MatchKind::Fuzzy));
    // "Châo": the â typed is Châu's, not Thảo's, though Thảo is commoner.
    let mut names = vec!["Nguyễn Thị Thảo"; 40];
    names.push("Nguyễn Thị Châu");
    let ix = index(&names);
    assert_eq!(first(&ix, "Nguyễn Thị Châo").id, 41);
    // Without marks and without a likelier slip, the commoner name first.
    assert_eq!(first(&ix, "nguyen thi chao").id, 1);
}

#[test]
fn input_method_keystrokes_find_the_name_as_written() {
    let ix = index(&[
        "Nguyễn Văn An",
        "Trần Thị Lan",
        "Trương Đình Tuấn",
        "Nguyên Văn An",
    ]);
    for (q, id) in [
        ("Nguyeenx Vawn An", 1),
        ("Nguye^~n Va(n An", 1),
        ("Nguye6n4 Va8n An", 1),
        ("Tra62n Thij Lan", 2),
        ("traanf thi lan", 2),
        ("Truwowng ddinhf tuaans", 3),
        ("Nguye^n Van An", 4),
    ] {
        let h = first(&ix, q);
        assert_eq!(h.id, id, "{q}");
        assert!(
            matches!(h.kind, MatchKind::Exact | MatchKind::Folded),
            "{q}: {:?}",
            h.kind
        );
    }
    assert_eq!(first(&ix, "Nguyeenx Vawn An").kind, MatchKind::Exact);
    // A word the index knows is taken as typed.
    assert_eq!(first(&ix, "an").kind, MatchKind::Partial);
}

/// "phap huy lan" is Phạm Huy Lân mistyped, not Huy Lan in France: a word
/// one typo from a name syllable may be part of the name.
#[test]
fn a_country_word_one_typo_from_a_name_syllable_is_read_as_a_name_first() {
    let mut ix = Index::new();
    ix.upsert(&person(1, "Phạm Huy Lân", "", "US"));
    ix.upsert(&person(2, "Trần Văn Lâm", "", "FR"));
    assert_eq!(narrowed_ids(&ix, "phap huy lan"), vec![1]);
    // Written so that it cannot be a name, France narrows.
    assert_eq!(narrowed_ids(&ix, "Lâm, Pháp"), vec![2]);
    assert_eq!(narrowed_ids(&ix, "Lâm France"), vec![2]);
}
