//! Tests of the reference data and lookups.

use super::*;

#[test]
fn counts_match_the_sources() {
    // Counts printed by scripts/refdata/build_refdata.py and recorded in docs/DATA_SOURCES.md.
    assert_eq!(legacy_provinces().len(), 63);
    assert_eq!(legacy_districts().len(), 696);
    assert_eq!(legacy_communes().len(), 10_035);
    assert_eq!(new_provinces().len(), 34);
    assert_eq!(new_communes().len(), 3_321);
    assert_eq!(countries().len(), 250);
    let island_districts = legacy_districts()
        .iter()
        .filter(|d| !d.has_communes)
        .count();
    assert_eq!(island_districts, 5);
    let special_zones = new_communes()
        .iter()
        .filter(|c| c.kind == UnitKind::SpecialZone)
        .count();
    assert_eq!(special_zones, 13);
}

#[test]
fn every_unit_has_coordinates_and_parents() {
    for p in legacy_provinces() {
        assert!(new_province(p.new_province_code).is_some(), "{}", p.code);
        assert!(
            p.lat > 8.0 && p.lat < 24.0 && p.lon > 102.0 && p.lon < 118.0,
            "{}",
            p.code
        );
    }
    for d in legacy_districts() {
        assert!(legacy_province(d.province_code).is_some(), "{}", d.code);
    }
    for c in legacy_communes() {
        let district = legacy_district(c.district_code);
        assert_eq!(
            district.map(|d| d.province_code),
            Some(c.province_code),
            "{}",
            c.code
        );
        assert!(c.lat > 8.0 && c.lat < 24.0, "{}", c.code);
    }
    for c in new_communes() {
        assert!(new_province(c.province_code).is_some(), "{}", c.code);
        assert!(c.lat > 6.0 && c.lat < 24.0, "{}", c.code);
    }
}

#[test]
fn units_have_names_kinds_and_keys() {
    let c = legacy_commune("18607").expect("Thạch Long");
    assert_eq!(c.name, "Xã Thạch Long");
    assert_eq!(c.short, "Thạch Long");
    assert_eq!(c.kind, UnitKind::Commune);
    assert_eq!(c.key, "thachlong");
    assert_eq!(c.district_code, "445");
    assert_eq!(c.province_code, "42");
    let d = legacy_district("445").expect("Thạch Hà");
    assert_eq!(d.name, "Huyện Thạch Hà");
    assert_eq!(d.kind, UnitKind::RuralDistrict);
    assert_eq!(d.kind.level(), Level::District);
    let p = legacy_province("79").expect("HCMC");
    assert_eq!(p.kind, UnitKind::Municipality);
    assert_eq!(p.short, "Hồ Chí Minh");
    assert_eq!(new_province("42").map(|p| p.name), Some("Tỉnh Hà Tĩnh"));
    assert_eq!(
        new_commune("26732").map(|c| c.kind),
        Some(UnitKind::SpecialZone)
    );
    assert!(legacy_commune("99999").is_none());
    assert!(new_commune("").is_none());
}

#[test]
fn legacy_and_new_code_spaces_stay_apart() {
    // the same five digits, two different wards
    assert_eq!(
        legacy_commune("00004").map(|c| c.name),
        Some("Phường Trúc Bạch")
    );
    assert_eq!(new_commune("00004").map(|c| c.name), Some("Phường Ba Đình"));
}

#[test]
fn children_lists() {
    let districts = legacy_districts_of("42");
    assert!(districts.iter().any(|d| d.code == "445"));
    assert!(districts.iter().all(|d| d.province_code == "42"));
    let communes = legacy_communes_of_district("445");
    assert!(communes.iter().any(|c| c.code == "18607"));
    assert!(communes.iter().all(|c| c.district_code == "445"));
    let in_province = legacy_communes_of_province("42");
    assert!(in_province.len() > communes.len());
    assert!(
        legacy_communes_of_district("755").is_empty(),
        "Côn Đảo had no communes"
    );
    let new = new_communes_of("42");
    assert!(new.iter().any(|c| c.code == "18562"));
    let total: usize = new_provinces()
        .iter()
        .map(|p| new_communes_of(p.code).len())
        .sum();
    assert_eq!(total, new_communes().len());
    let total: usize = legacy_provinces()
        .iter()
        .map(|p| legacy_communes_of_province(p.code).len())
        .sum();
    assert_eq!(total, legacy_communes().len());
}

#[test]
fn succession_covers_both_systems() {
    // every legacy commune has successors, exactly one default, all in its new province
    let mut divided = 0;
    for c in legacy_communes() {
        let s = successors(c.code);
        assert!(!s.is_empty(), "{}", c.code);
        assert_eq!(s.iter().filter(|s| s.is_default).count(), 1, "{}", c.code);
        if s.len() > 1 {
            divided += 1;
        }
        let new_province = new_province_of_legacy(c.province_code).map(|p| p.code);
        for x in s {
            assert_eq!(
                new_commune(x.new_code).map(|n| n.province_code),
                new_province
            );
        }
    }
    assert_eq!(divided, 471);
    // every new commune has predecessors (communes, or an island district)
    for n in new_communes() {
        let preds = predecessors(n.code);
        let districts = district_predecessors(n.code);
        assert!(!preds.is_empty() || !districts.is_empty(), "{}", n.code);
        for p in preds {
            assert!(successors(p.code).iter().any(|s| s.new_code == n.code));
        }
    }
    assert_eq!(
        default_successor("00004").map(|c| c.name),
        Some("Phường Ba Đình")
    );
    assert!(successors("nope").is_empty());
    // island districts without communes became special zones
    for d in legacy_districts().iter().filter(|d| !d.has_communes) {
        let s = district_successors(d.code);
        assert_eq!(s.len(), 1, "{}", d.code);
        assert_eq!(
            new_commune(s[0].new_code).map(|c| c.kind),
            Some(UnitKind::SpecialZone)
        );
    }
    assert_eq!(district_successors("755")[0].new_code, "26732");
}

#[test]
fn legacy_provinces_map_to_new_ones() {
    assert_eq!(
        new_province_of_legacy("44").map(|p| p.name),
        Some("Tỉnh Quảng Trị")
    );
    assert_eq!(new_province_of_legacy("77").map(|p| p.code), Some("79"));
    let merged: Vec<&str> = legacy_provinces_of_new("79")
        .iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(merged, ["74", "77", "79"]);
    for p in new_provinces() {
        // a new province keeps the code of one of the legacy provinces it merges
        assert!(
            legacy_provinces_of_new(p.code)
                .iter()
                .any(|l| l.code == p.code)
        );
    }
}

#[test]
fn countries_by_code_and_name() {
    assert_eq!(country("kr").map(|c| c.name_vi), Some("Hàn Quốc"));
    assert_eq!(country("KR").map(|c| c.code3), Some("KOR"));
    assert_eq!(country("DE").map(|c| c.name_en), Some("Germany"));
    assert!(country("XX").is_none());
    assert!(country("KOR").is_none());
    assert!(country("Đ").is_none());
    for territory in ["TW", "HK", "MO"] {
        assert!(
            country(territory).is_some_and(|c| c.is_territory),
            "{territory}"
        );
    }
    assert!(country("VN").is_some_and(|c| !c.is_territory));
    // The English name says what the official Vietnamese name says.
    assert_eq!(country("TW").map(|c| c.name_en), Some("Taiwan (China)"));
    assert_eq!(country("HK").map(|c| c.name_en), Some("Hong Kong (China)"));
    let first = |q: &str| search_countries(q, 5).first().map(|c| c.code);
    assert_eq!(first("han quoc"), Some("KR"));
    assert_eq!(first("Hàn Quốc"), Some("KR"));
    assert_eq!(first("Korea"), Some("KR"));
    assert_eq!(first("Taiwan"), Some("TW"));
    assert_eq!(first("KR"), Some("KR"));
    assert_eq!(first("Đức"), Some("DE"));
    assert_eq!(first("duc"), Some("DE"));
    assert_eq!(first("Germany"), Some("DE"));
    assert_eq!(first("my"), Some("US"));
    assert_eq!(first("Hoa Kỳ"), Some("US"));
    assert_eq!(first("campuchia"), Some("KH"));
    assert_eq!(first("Đài Loan"), Some("TW"));
    assert_eq!(first("nhat"), Some("JP"));
    assert!(search_countries("korea", 5).iter().any(|c| c.code == "KP"));
    assert!(search_countries("", 5).is_empty());
    assert!(search_countries("đức", 0).is_empty());
    assert_eq!(search_countries("a", 3).len(), 3);
}

#[test]
fn commune_search_offers_both_eras() {
    let hits = search_communes("thach ha", None, 20);
    let labels: Vec<&str> = hits.iter().map(|h| h.label.as_str()).collect();
    assert!(
        labels.contains(&"Xã Thạch Hà, Tỉnh Hà Tĩnh (mới)"),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"Thị trấn Thạch Hà, Huyện Thạch Hà, Tỉnh Hà Tĩnh (cũ, trước 1/7/2025)"),
        "{labels:?}"
    );
    let hits = search_communes("Xã Thạch Long", Some("Hà Tĩnh"), 5);
    assert_eq!(hits.first().map(|h| h.commune.code()), Some("18607"));
    assert_eq!(
        hits.first().map(|h| h.label.as_str()),
        Some("Xã Thạch Long, Huyện Thạch Hà, Tỉnh Hà Tĩnh (cũ, trước 1/7/2025)")
    );
    // a later word of the name, and the province after a comma
    let hits = search_communes("long, ha tinh", None, 50);
    assert!(hits.iter().any(|h| h.commune.code() == "18607"));
    assert!(
        hits.first()
            .is_some_and(|h| h.commune.new_province_code() == "42")
    );
    // new communes before legacy ones of the same name
    let hits = search_communes("ba dinh", Some("01"), 3);
    assert_eq!(
        hits.first().map(|h| (h.commune.era(), h.commune.code())),
        Some((Era::New, "00004"))
    );
    assert!(search_communes("", None, 5).is_empty());
    assert_eq!(search_communes("t", None, 7).len(), 7);
}

#[test]
fn countries_resolve_as_officials_write_them() {
    use super::countries::resolve;
    for (text, code) in [
        ("Nhật Bản", "JP"),
        ("Nhật", "JP"),
        ("nhat ban", "JP"),
        ("Japan", "JP"),
        ("JP", "JP"),
        ("jpn", "JP"),
        ("Hoa Kỳ", "US"),
        ("Hoa Kì", "US"),
        ("Mỹ", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("CHLB Đức", "DE"),
        ("Cộng hòa Liên bang Đức", "DE"),
        ("nước Đức", "DE"),
        ("Đức", "DE"),
        ("Germany", "DE"),
        ("Hàn Quốc", "KR"),
        ("Nam Hàn", "KR"),
        ("South Korea", "KR"),
        ("Đài Loan", "TW"),
        ("Liên bang Nga", "RU"),
        ("Nga", "RU"),
        ("NGA", "NG"),
        ("Séc", "CZ"),
        ("CH Séc", "CZ"),
        ("Cộng hoà Séc", "CZ"),
        ("Vương quốc Anh", "GB"),
        ("Anh", "GB"),
        ("UK", "GB"),
        ("the Netherlands", "NL"),
        ("Úc", "AU"),
    ] {
        assert_eq!(resolve(text), Some(code), "{text}");
    }
    for text in ["", "Hiền", "Nguyễn Văn", "nước", "CHLB", "Đức Anh", "XX"] {
        assert_eq!(resolve(text), None, "{text}");
    }
}
