//! Staff statistics (issue 9): the in-memory counts equal a full SQL recount
//! after every kind of change, within each jurisdiction; the dashboard, the
//! report builder, saved reports, exports and the API.

use std::fmt::Write as _;
use std::io::Read as _;

use app::stats::{self, Dim, Engine, Measure, PivotSpec};
use app::{Actor, Jurisdiction};
use domain::Role;
use serde_json::Value;

use crate::dual;
use crate::helpers::{PASSWORD, TestApp};

fn officer() -> Actor {
    Actor {
        user_id: None,
        username: "system:test".into(),
        role: Role::ProvinceOfficer,
        jurisdiction: Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    }
}

fn communes() -> (String, String) {
    let cs = domain::geo::new_communes_of("42");
    (cs[0].code.to_owned(), cs[1].code.to_owned())
}

/// Every pair of dimensions, one-dimension pivots, filters of each kind.
fn specs() -> Vec<PivotSpec> {
    let mut out = Vec::new();
    for r in Dim::ALL {
        out.push(PivotSpec::new(*r, None));
        for c in Dim::ALL {
            if r != c {
                out.push(PivotSpec::new(*r, Some(*c)));
            }
        }
    }
    let filters: Vec<(Dim, Vec<String>)> = vec![
        (Dim::Country, vec!["KR".into(), "JP".into()]),
        (Dim::Tag, vec!["expert".into(), String::new()]),
        (Dim::Agency, vec!["police".into()]),
        (Dim::SurveyRound, vec!["2025".into(), String::new()]),
        (Dim::AgeBand, vec!["30_44".into(), String::new()]),
        (Dim::Generation, vec![String::new()]),
        (Dim::Category, vec!["contract_labour".into()]),
    ];
    for f in filters {
        for (r, c) in [
            (Dim::Commune, Some(Dim::Category)),
            (Dim::Tag, Some(Dim::Agency)),
            (Dim::AgeBand, None),
        ] {
            let mut s = PivotSpec::new(r, c);
            s.filters = vec![f.clone()];
            out.push(s);
        }
    }
    out
}

/// Every spec: the columns' answer equals the database's `GROUP BY`.
async fn assert_recount(app: &TestApp, actor: &Actor, step: &str) -> stats::Pivot {
    for spec in specs() {
        let mem = stats::pivot(&app.app, actor, &spec, Engine::Auto)
            .await
            .unwrap();
        let sql = stats::pivot(&app.app, actor, &spec, Engine::Sql)
            .await
            .unwrap();
        assert_eq!(mem.engine, "memory");
        assert_eq!(sql.engine, "sql");
        assert_eq!(
            (
                &mem.rows,
                &mem.cols,
                &mem.cells,
                &mem.row_totals,
                &mem.col_totals,
                mem.total
            ),
            (
                &sql.rows,
                &sql.cols,
                &sql.cells,
                &sql.row_totals,
                &sql.col_totals,
                sql.total
            ),
            "{step}: {spec:?}"
        );
        // The same figures rebuilt from the history, as of today (the
        // one-dimension and filtered pivots: the pairs add nothing here).
        if spec.cols.is_some() && spec.filters.is_empty() {
            continue;
        }
        let mut today = spec.clone();
        today.as_of = Some(app::clock::now()[..10].to_owned());
        let hist = stats::pivot(&app.app, actor, &today, Engine::Auto)
            .await
            .unwrap();
        assert_eq!(hist.engine, "history");
        assert_eq!(
            (&hist.rows, &hist.cells, &hist.row_totals, hist.total),
            (&sql.rows, &sql.cells, &sql.row_totals, sql.total),
            "{step}: as of today, {spec:?}"
        );
    }
    // Relatives and households as of today equal their SQL counts.
    for measure in [Measure::Households, Measure::Relatives] {
        for (r, c) in [(Dim::Commune, Some(Dim::Country)), (Dim::Tag, None)] {
            let mut spec = PivotSpec::new(r, c);
            spec.measure = measure;
            let sql = stats::pivot(&app.app, actor, &spec, Engine::Sql)
                .await
                .unwrap();
            spec.as_of = Some(app::clock::now()[..10].to_owned());
            let hist = stats::pivot(&app.app, actor, &spec, Engine::Auto)
                .await
                .unwrap();
            assert_eq!(
                (&hist.rows, &hist.cells, &hist.row_totals, hist.total),
                (&sql.rows, &sql.cells, &sql.row_totals, sql.total),
                "{step}: as of today, {spec:?}"
            );
        }
    }
    stats::pivot(
        &app.app,
        actor,
        &PivotSpec::new(Dim::Country, Some(Dim::Category)),
        Engine::Auto,
    )
    .await
    .unwrap()
}

async fn add(
    app: &TestApp,
    name: &str,
    country: &str,
    category: &str,
    commune: &str,
    extra: impl FnOnce(&mut app::registry::people::PersonInput),
) -> app::registry::people::Person {
    let mut input = app::registry::people::PersonInput {
        full_name: Some(name.into()),
        category: Some(category.into()),
        country: Some(country.into()),
        hometown_code: Some(commune.into()),
        ..app::registry::people::PersonInput::default()
    };
    extra(&mut input);
    app::registry::people::create(&app.app, &officer(), &input)
        .await
        .unwrap()
}

/// A relative (a mother) in a new household of `commune`.
fn mother_in_a_new_household(commune: &str) -> app::registry::relatives::RelativeInput {
    app::registry::relatives::RelativeInput {
        head_name: Some("Nguyễn Văn Chủ Hộ".into()),
        commune_code: Some(commune.to_owned()),
        full_name: Some("Nguyễn Thị Mẹ".into()),
        relationship: Some("parent".into()),
        ..app::registry::relatives::RelativeInput::default()
    }
}

/// Merges `merged_id` into `kept_id` at their current versions, each field
/// listed in `choices` taken from the side named; answers the merge's id.
async fn merge_records(
    app: &TestApp,
    actor: &Actor,
    (kept_id, merged_id): (i64, i64),
    choices: std::collections::BTreeMap<String, String>,
) -> i64 {
    let kept = app::registry::people::get(&app.app, actor, kept_id, false)
        .await
        .unwrap();
    let merged = app::registry::people::get(&app.app, actor, merged_id, false)
        .await
        .unwrap();
    app::intake::matching::merge(
        &app.app,
        actor,
        &app::intake::matching::MergeInput {
            kept_id,
            merged_id,
            kept_version: kept.version,
            merged_version: merged.version,
            pair_id: None,
            choices,
        },
    )
    .await
    .unwrap()
}

dual!(counts_equal_a_full_recount_after_insert_edit_delete_import_undo_merge_unmerge);

async fn counts_equal_a_full_recount_after_insert_edit_delete_import_undo_merge_unmerge(
    app: TestApp,
) {
    let (c1, c2) = communes();
    let province = officer();
    let commune_officer = Actor {
        role: Role::CommuneOfficer,
        jurisdiction: Jurisdiction::Communes {
            new_communes: vec![c1.clone()],
            legacy_communes: vec![],
            legacy_districts: vec![],
        },
        ..officer()
    };
    let mission = Actor {
        role: Role::Mission,
        jurisdiction: Jurisdiction::Countries(vec!["KR".into()]),
        ..officer()
    };
    let viewer = Actor {
        role: Role::Viewer,
        jurisdiction: Jurisdiction::StatisticsOnly,
        ..officer()
    };
    // Before any person: zero everywhere, and the columns are built empty.
    let p = assert_recount(&app, &province, "empty").await;
    assert_eq!(p.total, 0);

    // Inserts of every kind of value.
    let mut ids = Vec::new();
    for i in 0..12 {
        let country = ["KR", "JP", "US"][i % 3];
        let category = [
            "contract_labour",
            "study_abroad",
            "foreign_national",
            "migrant",
        ][i % 4];
        let commune = if i % 2 == 0 { &c1 } else { &c2 };
        let p = add(
            &app,
            &format!("Người Số {i}"),
            country,
            category,
            commune,
            |input| {
                input.gender = Some(["male", "female", "unknown"][i % 3].into());
                if i % 4 != 3 {
                    input.birth_date = Some(format!("{}", 1950 + i * 6));
                }
                if i % 3 == 0 {
                    input.generation = Some("2".into());
                }
                input.tags = Some(match i % 4 {
                    0 => vec!["expert".into()],
                    1 => vec!["expert".into(), "businessperson".into()],
                    _ => vec![],
                });
                if i % 5 == 0 {
                    input.verification = Some("police".into());
                }
            },
        )
        .await;
        ids.push(p);
    }
    let p = assert_recount(&app, &province, "insert").await;
    assert_eq!(p.total, 12);
    assert_eq!(p.row_total("KR"), 4);
    assert_eq!(p.cell("KR", "contract_labour"), 1);
    // Jurisdictions: a commune officer sees half, a mission its country,
    // leadership the province.
    let p = assert_recount(&app, &commune_officer, "insert, commune").await;
    assert_eq!(p.total, 6);
    let p = assert_recount(&app, &mission, "insert, mission").await;
    assert_eq!(p.total, 4);
    assert_eq!(p.rows.len(), 1, "a mission sees its own country only");
    let p = assert_recount(&app, &viewer, "insert, viewer").await;
    assert_eq!(p.total, 12);

    // Edit: move one person from KR to JP and change category.
    let moved = &ids[0];
    let mut input = app::registry::people::PersonInput {
        full_name: Some(moved.data.full_name.clone()),
        category: Some("migrant".into()),
        country: Some("JP".into()),
        hometown_code: Some(c1.clone()),
        tags: Some(vec!["intellectual".into()]),
        ..app::registry::people::PersonInput::default()
    };
    input.gender = Some("female".into());
    app::registry::people::update(&app.app, &province, moved.id, moved.version, &input, true)
        .await
        .unwrap();
    let p = assert_recount(&app, &province, "edit").await;
    assert_eq!(p.row_total("KR"), 3);
    assert_eq!(p.cell("JP", "migrant"), 2);

    // Delete.
    app::registry::people::delete(&app.app, &province, ids[1].id, "trùng")
        .await
        .unwrap();
    let p = assert_recount(&app, &province, "delete").await;
    assert_eq!(p.total, 11);
    assert_recount(&app, &commune_officer, "delete, commune").await;

    // Relatives and households: measures by SQL, checked against the fixture.
    let rel = mother_in_a_new_household(&c1);
    let r = app::registry::relatives::add_relative(&app.app, &province, ids[2].id, &rel)
        .await
        .unwrap();
    let rel2 = app::registry::relatives::RelativeInput {
        household_id: Some(r.household_id),
        full_name: Some("Nguyễn Văn Cha".into()),
        relationship: Some("parent".into()),
        ..app::registry::relatives::RelativeInput::default()
    };
    app::registry::relatives::add_relative(&app.app, &province, ids[2].id, &rel2)
        .await
        .unwrap();
    let mut spec = PivotSpec::new(Dim::Commune, None);
    spec.measure = Measure::Households;
    let h = stats::pivot(&app.app, &province, &spec, Engine::Auto)
        .await
        .unwrap();
    assert_eq!((h.total, h.engine.as_str()), (1, "sql"));
    spec.measure = Measure::Relatives;
    let r = stats::pivot(&app.app, &province, &spec, Engine::Auto)
        .await
        .unwrap();
    assert_eq!(r.total, 2);

    // Import (sources with an agency and a survey round), then undo.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ds.csv");
    let mut csv = String::from("Họ và tên,Quốc gia,Mã xã,Diện\n");
    for i in 0..5 {
        writeln!(csv, "Người Nhập {i},Hàn Quốc,{c2},Lao động").unwrap();
    }
    std::fs::write(&path, csv).unwrap();
    let s = app::intake::import::run_file(
        &app.app,
        &province,
        "police",
        "2025",
        &path,
        false,
        &|_, _, _| {},
    )
    .await
    .unwrap();
    let p = assert_recount(&app, &province, "import").await;
    assert_eq!(p.total, 16);
    assert_eq!(p.row_total("KR"), 8);
    let by_round = stats::pivot(
        &app.app,
        &province,
        &PivotSpec::new(Dim::SurveyRound, Some(Dim::Agency)),
        Engine::Auto,
    )
    .await
    .unwrap();
    assert_eq!(by_round.cell("2025", "police"), 5);
    assert_eq!(by_round.row_total(""), 11);
    let agency = Actor {
        role: Role::Agency,
        jurisdiction: Jurisdiction::Agency("police".into()),
        ..officer()
    };
    let p = assert_recount(&app, &agency, "import, agency").await;
    assert_eq!(p.total, 5);
    app::intake::import::undo(&app.app, &province, s.id)
        .await
        .unwrap();
    let p = assert_recount(&app, &province, "undo").await;
    assert_eq!(p.total, 11);

    // Merge two records (taking the second one's country), then unmerge.
    let mut choices = std::collections::BTreeMap::new();
    choices.insert("country".to_owned(), "merged".to_owned());
    let merge = merge_records(&app, &province, (ids[0].id, ids[2].id), choices).await;
    let p = assert_recount(&app, &province, "merge").await;
    assert_eq!(p.total, 10);
    app::intake::matching::unmerge(&app.app, &province, merge)
        .await
        .unwrap();
    let p = assert_recount(&app, &province, "unmerge").await;
    assert_eq!(p.total, 11);

    // Another server (its own columns, built from the database) agrees.
    let second = app::App::new(
        db::Db::connect(&app.db_url, 2).await.unwrap(),
        app.app.settings.clone(),
    );
    let a = stats::pivot(
        &second,
        &province,
        &PivotSpec::new(Dim::Commune, Some(Dim::Tag)),
        Engine::Auto,
    )
    .await
    .unwrap();
    let b = stats::pivot(
        &app.app,
        &province,
        &PivotSpec::new(Dim::Commune, Some(Dim::Tag)),
        Engine::Auto,
    )
    .await
    .unwrap();
    assert_eq!((a.cells, a.total), (b.cells, b.total));

    // Diaspora accounts read no statistics.
    let diaspora = Actor {
        role: Role::Diaspora,
        jurisdiction: Jurisdiction::OwnRecord(Some(ids[3].id)),
        ..officer()
    };
    assert!(matches!(
        stats::pivot(
            &app.app,
            &diaspora,
            &PivotSpec::new(Dim::Country, None),
            Engine::Auto
        )
        .await,
        Err(app::AppError::Forbidden)
    ));
}

dual!(a_gender_or_age_band_figure_opens_its_list);

async fn a_gender_or_age_band_figure_opens_its_list(app: TestApp) {
    let (c1, _) = communes();
    let year = stats::current_year();
    for (name, gender, born) in [
        ("Phạm Thị Hoa", "female", year - 35),
        ("Phạm Văn Hùng", "male", year - 35),
        ("Phạm Thị Mai", "female", year - 10),
    ] {
        add(&app, name, "DE", "migrant", &c1, |i| {
            i.gender = Some(gender.into());
            i.birth_date = Some(format!("{born}-05-01"));
        })
        .await;
    }
    let po = signed_in(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let html = page(&po, &app, "/dashboard").await;
    assert!(html.contains("/people?gender=female"), "gender bars link");
    assert!(
        html.contains("/people?age_band=30_44"),
        "age band bars link"
    );
    let list = page(&po, &app, "/people?gender=female&age_band=30_44").await;
    assert!(list.contains("Phạm Thị Hoa"));
    assert!(!list.contains("Phạm Văn Hùng") && !list.contains("Phạm Thị Mai"));
    let token = read_token(&app, "band.api").await;
    let v: Value = app
        .client
        .get(app.url("/api/v1/people?age_band=under_18"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["full_name"].as_str())
        .collect();
    assert_eq!(names, vec!["Phạm Thị Mai"]);
}

dual!(demo_people_have_a_history_so_as_of_today_counts_them);

/// People loaded as demo data start their history like any other: a report
/// "as of" today counts them, people, households and relatives alike.
async fn demo_people_have_a_history_so_as_of_today_counts_them(app: TestApp) {
    let admin = app::Actor::system("test");
    app::demo_data::load_people(&app.app, &admin, 120, 3)
        .await
        .unwrap();
    let province = officer();
    let today = app::clock::now()[..10].to_owned();
    for measure in [Measure::People, Measure::Households, Measure::Relatives] {
        let mut spec = PivotSpec::new(Dim::Country, Some(Dim::Category));
        spec.measure = measure;
        let live = stats::pivot(&app.app, &province, &spec, Engine::Sql)
            .await
            .unwrap();
        spec.as_of = Some(today.clone());
        let hist = stats::pivot(&app.app, &province, &spec, Engine::Auto)
            .await
            .unwrap();
        assert!(live.total > 0, "{measure:?}: demo data loaded");
        assert_eq!(
            (&hist.rows, &hist.cells, hist.total),
            (&live.rows, &live.cells, live.total),
            "{measure:?} as of today"
        );
    }
    let history = app::registry::people::history(&app.app, &province, 1)
        .await
        .unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.version, v.summary.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, "created")]
    );
}

dual!(a_report_as_of_an_earlier_day_counts_the_registry_as_it_stood);

/// Sets when a person's versions (and the person's own dates) were
/// recorded, as if the changes had been made on those days.
async fn backdate(app: &TestApp, person: i64, version: i64, at: &str) {
    let pool = &app.app.db.pool;
    sqlx::query("UPDATE person_versions SET changed_at = $1 WHERE person_id = $2 AND version = $3")
        .bind(at)
        .bind(person)
        .bind(version)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE person_sources SET added_at = $1 WHERE person_id = $2")
        .bind(at)
        .bind(person)
        .execute(pool)
        .await
        .unwrap();
}

async fn a_report_as_of_an_earlier_day_counts_the_registry_as_it_stood(app: TestApp) {
    let (c1, c2) = communes();
    let province = officer();
    // A: registered in Korea in 2024, moved to Japan in March 2025.
    let a = add(&app, "Nguyễn Văn An", "KR", "migrant", &c1, |_| {}).await;
    let mut edit = a.data.to_input();
    edit.country = Some("JP".into());
    app::registry::people::update(&app.app, &province, a.id, a.version, &edit, false)
        .await
        .unwrap();
    backdate(&app, a.id, 1, "2024-05-10T08:00:00.000000Z").await;
    backdate(&app, a.id, 2, "2025-03-01T08:00:00.000000Z").await;
    // B: registered in June 2025 in another commune, deleted in 2026.
    let b = add(&app, "Trần Thị Bình", "US", "study_abroad", &c2, |_| {}).await;
    app::registry::people::delete(&app.app, &province, b.id, "trùng")
        .await
        .unwrap();
    backdate(&app, b.id, 1, "2025-06-15T08:00:00.000000Z").await;
    backdate(&app, b.id, 2, "2026-01-20T08:00:00.000000Z").await;
    // C: registered today.
    add(&app, "Lê Văn Cường", "KR", "migrant", &c1, |_| {}).await;

    let at = |day: &str| {
        let mut s = PivotSpec::new(Dim::Country, Some(Dim::Category));
        s.as_of = Some(day.to_owned());
        s
    };
    let p = stats::pivot(&app.app, &province, &at("2024-01-01"), Engine::Auto)
        .await
        .unwrap();
    assert_eq!(
        (p.engine.as_str(), p.total),
        ("history", 0),
        "before anyone"
    );
    let p = stats::pivot(&app.app, &province, &at("2024-12-31"), Engine::Auto)
        .await
        .unwrap();
    assert_eq!((p.total, p.cell("KR", "migrant")), (1, 1), "A in Korea");
    let p = stats::pivot(&app.app, &province, &at("2025-03-01"), Engine::Auto)
        .await
        .unwrap();
    assert_eq!(
        (p.total, p.cell("KR", "migrant"), p.cell("JP", "migrant")),
        (1, 0, 1),
        "A moved to Japan that day"
    );
    let p = stats::pivot(&app.app, &province, &at("2025-12-31"), Engine::Auto)
        .await
        .unwrap();
    assert_eq!(
        (p.total, p.cell("US", "study_abroad")),
        (2, 1),
        "B registered"
    );
    let p = stats::pivot(&app.app, &province, &at("2026-02-01"), Engine::Auto)
        .await
        .unwrap();
    assert_eq!(
        (p.total, p.cell("US", "study_abroad")),
        (1, 0),
        "B deleted in January"
    );
    // A commune officer's as-of figures keep to the commune, as it was then.
    let commune_officer = Actor {
        role: Role::CommuneOfficer,
        jurisdiction: Jurisdiction::Communes {
            new_communes: vec![c2.clone()],
            legacy_communes: vec![],
            legacy_districts: vec![],
        },
        ..officer()
    };
    let p = stats::pivot(&app.app, &commune_officer, &at("2025-12-31"), Engine::Auto)
        .await
        .unwrap();
    assert_eq!(p.total, 1, "only B lived in the second commune");

    // The API and the report page take `as_of`; a day after today or not a
    // day is refused with the field named.
    let token = read_token(&app, "asof.api").await;
    let c = TestApp::new_client();
    let r = c
        .get(app.url("/api/v1/statistics/pivot?rows=country&as_of=2024-12-31"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["total"].as_i64(), v["engine"].as_str()),
        (Some(1), Some("history"))
    );
    assert_eq!(v["spec"]["as_of"], "2024-12-31");
    for bad in ["2099-01-01", "31/12/2024", "2024-02-30"] {
        let r = c
            .get(app.url(&format!(
                "/api/v1/statistics/pivot?rows=country&as_of={bad}"
            )))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{bad}");
        let body = r.text().await.unwrap();
        assert!(body.contains("as_of"), "{bad}: {body}");
    }
    let web = signed_in(&app, "asof-officer", Role::ProvinceOfficer, vec![]).await;
    let html = page(&web, &app, "/reports?rows=country&as_of=2024-12-31").await;
    assert!(
        html.contains("data-testid=\"as-of\""),
        "the page says the day"
    );
    assert!(
        html.contains("value=\"31/12/2024\""),
        "the form keeps the day, day first"
    );
    // The page reads the day as people type it.
    let typed = page(&web, &app, "/reports?rows=country&as_of=31%2F12%2F2024").await;
    assert!(typed.contains("value=\"31/12/2024\"") && typed.contains("data-testid=\"as-of\""));
    let docx = web
        .get(app.url("/reports/export.docx?rows=country&as_of=2024-12-31"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    check_docx_has(&docx, "31/12/2024");
}

/// The body of a page fetched by a signed-in client.
async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// An API token with the `read` scope of a new province officer.
async fn read_token(app: &TestApp, username: &str) -> String {
    let id = app.add_user(username, Role::ProvinceOfficer, vec![]).await;
    let actor = app::accounts::users::actor_for(&app.app, id).await.unwrap();
    app::accounts::tokens::create_token(&app.app, &actor, id, "t", &["read"], 30)
        .await
        .unwrap()
}

async fn signed_in(
    app: &TestApp,
    username: &str,
    role: Role,
    scopes: Vec<app::accounts::users::Scope>,
) -> reqwest::Client {
    app.add_user(username, role, scopes).await;
    let c = TestApp::new_client();
    let r = app.sign_in(&c, username, PASSWORD).await;
    assert!(r.status().is_redirection(), "{username} signs in");
    c
}

dual!(a_report_as_of_a_day_before_a_merge_keeps_sources_and_relatives_where_they_were);

/// A merge moves the merged record's sources and relatives to the kept one;
/// figures as of a day before the merge count them on the record they hung
/// on that day, before and after an unmerge.
async fn a_report_as_of_a_day_before_a_merge_keeps_sources_and_relatives_where_they_were(
    app: TestApp,
) {
    let (c1, _) = communes();
    let province = officer();
    let a = add(&app, "Nguyễn Văn An", "US", "migrant", &c1, |_| {}).await;
    let b = add(&app, "Nguyễn Văn Ân", "KR", "migrant", &c1, |_| {}).await;
    let rel = mother_in_a_new_household(&c1);
    app::registry::relatives::add_relative(&app.app, &province, b.id, &rel)
        .await
        .unwrap();
    // Both registered in January 2025, each listed by another agency.
    let pool = &app.app.db.pool;
    let then = "2025-01-10T08:00:00.000000Z";
    for (person, agency) in [(a.id, "police"), (b.id, "labour")] {
        sqlx::query(
            "INSERT INTO person_sources (person_id, agency, list_name, survey_round, added_at) \
             VALUES ($1, $2, 'list', '2025', $3)",
        )
        .bind(person)
        .bind(agency)
        .bind(then)
        .execute(pool)
        .await
        .unwrap();
        backdate(&app, person, 1, then).await;
    }
    for sql in [
        "UPDATE relatives SET created_at = $1",
        "UPDATE households SET created_at = $1",
    ] {
        sqlx::query(sql).bind(then).execute(pool).await.unwrap();
    }
    // Today Ân is merged into An: the labour list's row and the relative move.
    let merge = merge_records(
        &app,
        &province,
        (a.id, b.id),
        std::collections::BTreeMap::new(),
    )
    .await;
    let (app_ref, actor) = (&app.app, &province);
    let pivot = |as_of: Option<&'static str>, measure: Measure| async move {
        let mut s = if measure == Measure::People {
            PivotSpec::new(Dim::Agency, Some(Dim::Country))
        } else {
            PivotSpec::new(Dim::Country, None)
        };
        s.measure = measure;
        s.as_of = as_of.map(str::to_owned);
        stats::pivot(app_ref, actor, &s, Engine::Auto)
            .await
            .unwrap()
    };
    let now = pivot(None, Measure::People).await;
    assert_eq!(
        (
            now.total,
            now.cell("labour", "US"),
            now.cell("labour", "KR")
        ),
        (1, 1, 0),
        "today the labour list's row is An's"
    );
    for stage in ["merged", "unmerged"] {
        let p = pivot(Some("2025-12-31"), Measure::People).await;
        assert_eq!(p.engine, "history");
        assert_eq!(
            (
                p.total,
                p.cell("police", "US"),
                p.cell("labour", "KR"),
                p.cell("labour", "US")
            ),
            (2, 1, 1, 0),
            "{stage}: in 2025 the labour list named Ân, in Korea"
        );
        let r = pivot(Some("2025-12-31"), Measure::Relatives).await;
        assert_eq!(
            (r.total, r.row_total("KR"), r.row_total("US")),
            (1, 1, 0),
            "{stage}: in 2025 the relative was Ân's"
        );
        if stage == "merged" {
            app::intake::matching::unmerge(&app.app, &province, merge)
                .await
                .unwrap();
        }
    }
}

dual!(dashboard_reports_and_exports_show_the_jurisdictions_figures);

async fn dashboard_reports_and_exports_show_the_jurisdictions_figures(app: TestApp) {
    let (c1, c2) = communes();
    for i in 0..7 {
        add(
            &app,
            &format!("Người Hàn {i}"),
            "KR",
            "contract_labour",
            &c1,
            |input| {
                input.tags = Some(vec!["expert".into()]);
            },
        )
        .await;
    }
    for i in 0..3 {
        add(
            &app,
            &format!("Người Nhật {i}"),
            "JP",
            "study_abroad",
            &c2,
            |_| {},
        )
        .await;
    }
    // Province officer: everything, with drill-down links to the people list.
    let po = signed_in(&app, "sonv", Role::ProvinceOfficer, vec![]).await;
    let html = page(&po, &app, "/dashboard").await;
    assert!(html.contains("data-testid=\"total-people\""));
    assert!(html.contains(">10</a>"), "total 10 linked to the list");
    assert!(
        html.contains("/people?country=KR"),
        "a country bar links to its list"
    );
    assert!(html.contains(&format!("/people?commune={c1}")));
    assert!(html.contains("Hàn Quốc") && html.contains("Chuyên gia"));
    assert!(
        html.contains("data-testid=\"commune-map\"") && html.matches("<circle").count() == 2,
        "a province map with the two communes"
    );
    // The world map shades each country by its figure and links to its list.
    assert!(html.contains("data-testid=\"world-map\""));
    assert!(
        html.contains("<path class=\"q5\"") && html.contains("<title>Hàn Quốc: 7</title>"),
        "Korea, the largest figure, in the darkest shade"
    );
    assert!(
        html.contains("<path class=\"q4\"") && html.contains("<title>Nhật Bản: 3</title>"),
        "Japan one shade lighter"
    );
    assert!(
        html.contains("<title>Pháp: 0</title>"),
        "countries without people are drawn, named, in the empty shade"
    );
    assert!(
        html.matches("class=\"q5\"").count() >= 2,
        "the legend shows the darkest shade too"
    );
    // Commune officer of c2: only its three people.
    let co = signed_in(
        &app,
        "canbo",
        Role::CommuneOfficer,
        vec![app::accounts::users::Scope::new("new_commune", &c2)],
    )
    .await;
    let html = page(&co, &app, "/dashboard").await;
    assert!(html.contains(">3</a>"));
    assert!(
        !html.contains("Hàn Quốc</") && !html.contains("country=KR"),
        "no figure from outside the commune"
    );
    assert!(
        html.contains("<title>Hàn Quốc: 0</title>"),
        "on the world map Korea is empty for this commune"
    );
    // Leadership: the province's counts, no links to people.
    let v = signed_in(&app, "lanhdao", Role::Viewer, vec![]).await;
    let html = page(&v, &app, "/dashboard").await;
    assert!(
        html.contains(">10</span>"),
        "leadership sees province totals"
    );
    assert!(
        !html.contains("/people?"),
        "no drill-down for statistics-only accounts"
    );
    // Diaspora: refused.
    let d = signed_in(&app, "kieubao", Role::Diaspora, vec![]).await;
    let r = d.get(app.url("/dashboard")).send().await.unwrap();
    assert_eq!(r.status(), 403);

    // Report builder: commune × country, with a filter.
    let html = page(
        &po,
        &app,
        "/reports?rows=commune&cols=country&measure=people&category=contract_labour",
    )
    .await;
    assert!(
        html.contains("data-testid=\"pivot-total\">7<"),
        "filtered total"
    );
    // Links are HTML-escaped: compare with `&` restored.
    let unescaped = html.replace("&#38;", "&").replace("&amp;", "&");
    assert!(unescaped.contains(&format!(
        "/people?category=contract_labour&commune={c1}&country=KR"
    )));
    // A ready-made report.
    let html = page(&po, &app, "/reports?preset=notable_by_field").await;
    assert!(
        html.contains("data-testid=\"pivot-total\">7<"),
        "seven notable people"
    );
    // Save, reopen, list, delete.
    let reports = page(&po, &app, "/reports").await;
    let csrf = crate::helpers::extract_csrf(&reports);
    let r = po
        .post(app.url("/reports"))
        .header("Origin", app.url(""))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Lao động theo xã"),
            ("rows", "commune"),
            ("cols", "country"),
            ("measure", "people"),
            ("category", "contract_labour"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let r = po.get(app.url(&loc)).send().await.unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        loc.starts_with("/reports?rows=commune&cols=country"),
        "{loc}"
    );
    let html = page(&po, &app, &loc).await;
    assert!(html.contains("Lao động theo xã") && html.contains("data-testid=\"pivot-total\">7<"));
    // The commune officer opens the same saved report: its own figures.
    let html = page(&co, &app, "/reports").await;
    assert!(html.contains("Lao động theo xã"));
    let html = page(&co, &app, &loc).await;
    assert!(html.contains("data-testid=\"pivot-total\">0<"));

    // Exports read back: xlsx (table, chart, description sheet) and docx.
    let q = "rows=country&cols=category&measure=people&title=B%C3%A1o%20c%C3%A1o%20th%E1%BB%AD";
    let r = po
        .get(app.url(&format!("/reports/export.xlsx?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let xlsx = r.bytes().await.unwrap().to_vec();
    check_xlsx(&xlsx);
    let r = po
        .get(app.url(&format!("/reports/export.docx?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let docx = r.bytes().await.unwrap().to_vec();
    check_docx(&docx);
    let r = po
        .get(app.url(&format!("/reports/export.pdf?{q}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("bao-cao-thong-ke.pdf")
    );
    let pdf = r.bytes().await.unwrap().to_vec();
    check_pdf(&pdf);
    // Without a number, the line is left for the clerk; with the leader's
    // lines (number, addressee, opening paragraph, a control character
    // dropped), each is in the Word and the PDF document.
    check_docx_has(&docx, "Số: …/BC-SNV");
    let lines = "&doc_number=12%2FBC-SNV&recipient=%E1%BB%A6y%20ban%20nh%C3%A2n%20d%C3%A2n%20t%E1%BB%89nh\
                 &narrative=Th%E1%BB%B1c%20hi%E1%BB%87n%20C%C3%B4ng%20v%C4%83n%20s%E1%BB%91%2015%01.";
    let r = po
        .get(app.url(&format!("/reports/export.docx?{q}{lines}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let official = r.bytes().await.unwrap().to_vec();
    for want in [
        "Số: 12/BC-SNV",
        "Kính gửi: Ủy ban nhân dân tỉnh",
        "Thực hiện Công văn số 15.",
    ] {
        check_docx_has(&official, want);
    }
    let r = po
        .get(app.url(&format!("/reports/export.pdf?{q}{lines}")))
        .send()
        .await
        .unwrap();
    let text = pdf_text(&r.bytes().await.unwrap());
    for want in [
        "Số: 12/BC-SNV",
        "Kính gửi: Ủy ban nhân dân tỉnh",
        "Thực hiện Công văn số 15.",
    ] {
        assert!(text.contains(want), "pdf lacks {want}: {text}");
    }
    // scripts/check_exports.sh opens these in LibreOffice.
    if let Ok(dir) = std::env::var("KIEUBAO_EXPORT_DIR") {
        let dir = std::path::Path::new(&dir);
        std::fs::write(dir.join(format!("report-{:?}.xlsx", app.backend)), &xlsx).unwrap();
        std::fs::write(dir.join(format!("report-{:?}.docx", app.backend)), &docx).unwrap();
        std::fs::write(dir.join(format!("report-{:?}.pdf", app.backend)), &pdf).unwrap();
    }

    // API: a read token, the same figures as the builder.
    let tok = read_token(&app, "api.user").await;
    let r = app
        .client
        .get(app.url("/api/v1/statistics/pivot?rows=country&cols=category"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["total"], 10);
    assert_eq!(p["engine"], "memory");
    let r = app
        .client
        .get(app.url("/api/v1/statistics/pivot?rows=country&cols=category&engine=sql"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let s: Value = r.json().await.unwrap();
    assert_eq!(
        (s["cells"].clone(), s["engine"].clone()),
        (p["cells"].clone(), Value::from("sql"))
    );
    let r = app
        .client
        .get(app.url("/api/v1/statistics/pivot?rows=nonsense"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .get(app.url("/api/v1/statistics/reports"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    let list: Value = r.json().await.unwrap();
    assert_eq!(list[0]["name"], "Lao động theo xã");
}

/// The xlsx has the table (KR row: 7 people), a chart, and the description sheet.
pub fn check_xlsx(bytes: &[u8]) {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names, vec!["Bang".to_owned(), "Mo ta".to_owned()]);
    let table = book.worksheet_range("Bang").unwrap();
    assert_eq!(table.get_value((0, 0)).unwrap().to_string(), "Báo cáo thử");
    assert_eq!(table.get_value((2, 0)).unwrap().to_string(), "Quốc gia");
    let kr = (0..table.height())
        .find(|r| {
            table
                .get_value((*r as u32, 0))
                .is_some_and(|v| *v == "Hàn Quốc")
        })
        .unwrap();
    let width = table.width();
    let total = table.get_value((kr as u32, (width - 1) as u32)).unwrap();
    assert_eq!(total.to_string(), "7");
    let about = book.worksheet_range("Mo ta").unwrap();
    let text: Vec<String> = about
        .rows()
        .flat_map(|r| r.iter().map(ToString::to_string))
        .collect();
    assert!(text.iter().any(|t| t == "Số liệu tính đến"));
    assert!(text.iter().any(|t| t == "toàn tỉnh"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert!(
        zip.by_name("xl/charts/chart1.xml").is_ok(),
        "a native Excel chart"
    );
}

/// What the official report of the export test says, in Word and in PDF:
/// issuing body, motto, title, the numbered table, signature and recipients.
const OFFICIAL_REPORT_TEXT: &[&str] = &[
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "UBND TỈNH HÀ TĨNH",
    "SỞ NGOẠI VỤ",
    "Báo cáo thử",
    "Bảng 1.",
    "STT",
    "Hàn Quốc",
    "GIÁM ĐỐC",
    "Nơi nhận:",
];

/// The docx is a Word package with the motto, the title and the numbered table.
pub fn check_docx(bytes: &[u8]) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for want in OFFICIAL_REPORT_TEXT {
        assert!(xml.contains(want), "docx lacks {want}");
    }
    assert!(zip.by_name("[Content_Types].xml").is_ok());
    assert!(zip.by_name("_rels/.rels").is_ok());
}

/// The text of every page of a PDF, read back with lopdf.
pub fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(!pages.is_empty(), "a PDF without pages");
    doc.extract_text(&pages).unwrap()
}

/// The PDF is the official report: motto, title, the numbered table with
/// the KR row (7 people) and the total (10), the signature block.
pub fn check_pdf(bytes: &[u8]) {
    assert!(bytes.starts_with(b"%PDF-"));
    // Kept to be looked at (rendered) when screenshots are asked for.
    if let Ok(dir) = std::env::var("KIEUBAO_SCREENSHOT_DIR") {
        std::fs::write(
            std::path::Path::new(&dir).join("official-report.pdf"),
            bytes,
        )
        .unwrap();
    }
    let text = pdf_text(bytes);
    for want in OFFICIAL_REPORT_TEXT.iter().chain(&["Trang 1/1"]) {
        assert!(text.contains(want), "pdf lacks {want}: {text}");
    }
    // One line per cell: the three figures (two categories and the total)
    // follow the row's label.
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let after = |label: &str| -> Vec<&str> {
        let at = lines.iter().rposition(|l| *l == label).unwrap();
        lines[at + 1..].iter().take(3).copied().collect()
    };
    assert_eq!(after("Hàn Quốc"), ["7", "0", "7"], "the KR row: {text}");
    assert_eq!(
        after("Tổng cộng"),
        ["7", "3", "10"],
        "the total row: {text}"
    );
}

/// The docx's text contains `want`.
pub fn check_docx_has(bytes: &[u8], want: &str) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains(want), "docx lacks {want}");
}
