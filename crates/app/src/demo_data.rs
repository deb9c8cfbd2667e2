//! Demo content: accounts and generated people, loaded only into an empty
//! database (`serve --demo`, `kieubao demo`).

use std::collections::BTreeMap;
use std::sync::Arc;

use db::bulk::{self, Val};
use demo::HometownOption;
use domain::geo;

use crate::accounts::secret;
use crate::accounts::users::{self, NewUser};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, clock};

/// The province whose people the demo describes: Hà Tĩnh (seed 000), code 42
/// both before and after the 2025 reorganisation.
pub const DEMO_PROVINCE: &str = "42";

/// Every legacy commune of a province with its (default) successor, as the
/// generator's hometown choices.
pub fn hometowns_of(province: &str) -> Vec<HometownOption> {
    let mut out = Vec::new();
    for c in geo::legacy_communes_of_province(province) {
        let Some(new) = geo::default_successor(c.code) else {
            continue;
        };
        out.push(HometownOption {
            legacy_commune_code: c.code.to_owned(),
            legacy_district_code: c.district_code.to_owned(),
            legacy_province_code: c.province_code.to_owned(),
            new_commune_code: new.code.to_owned(),
            new_province_code: new.province_code.to_owned(),
            legacy_text: geo::legacy_commune_label(c),
            new_text: geo::new_commune_label(new),
        });
    }
    out
}

/// Generator settings for `people` people of the demo province.
pub fn config(people: u64, seed: u64) -> demo::Config {
    let mut cfg = demo::Config::new(seed, people);
    let hometowns = hometowns_of(DEMO_PROVINCE);
    if !hometowns.is_empty() {
        cfg.hometowns = hometowns;
    }
    cfg
}

/// The demo account of an association (its largest hometown association).
pub const DEMO_ASSOCIATION_ACCOUNT: &str = "hoi.dh";

/// What `serve --demo` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoOutcome {
    /// Demo accounts created (those missing; existing ones are left alone).
    pub accounts_created: Vec<String>,
    /// The password of the created accounts, when it was generated (to print once).
    pub generated_password: Option<String>,
    /// Demo people loaded (only into a registry that holds nobody).
    pub people_loaded: u64,
}

/// Makes a database usable for a demonstration: adds the demo accounts that
/// are missing (an existing account of the same name is kept as it is) and,
/// when the registry holds nobody, `people` demo people. A database that
/// already holds people — loaded by `kieubao demo`, imported, or from an
/// earlier `--demo` — gets the missing accounts and nothing else.
pub async fn ensure_demo(
    app: &App,
    password: Option<&str>,
    people: u64,
    seed: u64,
) -> AppResult<DemoOutcome> {
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), false),
        None => (secret::random_token()[..20].to_owned(), true),
    };
    let system = Actor::system("demo");
    let hometowns = hometowns_of(DEMO_PROVINCE);
    let first = hometowns.first();
    let accounts: Vec<(&str, &str, domain::Role, Vec<users::Scope>)> = vec![
        (
            "admin",
            "Quản trị hệ thống (demo)",
            domain::Role::Admin,
            vec![],
        ),
        (
            "sonv",
            "Cán bộ Sở Ngoại vụ (demo)",
            domain::Role::ProvinceOfficer,
            vec![],
        ),
        (
            "lanhdao",
            "Lãnh đạo tỉnh (demo)",
            domain::Role::Viewer,
            vec![],
        ),
        (
            "canbo.xa",
            "Cán bộ xã (demo)",
            domain::Role::CommuneOfficer,
            first
                .map(|h| vec![users::Scope::new("new_commune", &h.new_commune_code)])
                .unwrap_or_default(),
        ),
        (
            "daisu.jp",
            "Đại sứ quán tại Nhật Bản (demo)",
            domain::Role::Mission,
            vec![users::Scope::new("country", "JP")],
        ),
        (
            "congan",
            "Công an tỉnh (demo)",
            domain::Role::Agency,
            vec![users::Scope::new("agency", "police")],
        ),
        (
            "bientap",
            "Biên tập viên (demo)",
            domain::Role::Editor,
            vec![],
        ),
        (
            "duyetdang",
            "Người duyệt đăng (demo)",
            domain::Role::Publisher,
            vec![],
        ),
    ];
    let mut out = DemoOutcome::default();
    for (username, display, role, scopes) in accounts {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&app.db.pool)
            .await?;
        if exists.is_some() {
            continue;
        }
        out.accounts_created.push(username.to_owned());
        users::add(
            app,
            &system,
            NewUser {
                username: username.into(),
                display_name: display.into(),
                role,
                password: password.clone(),
                scopes,
            },
        )
        .await?;
    }
    let anyone: Option<i64> = sqlx::query_scalar("SELECT id FROM persons LIMIT 1")
        .fetch_optional(&app.db.pool)
        .await?;
    if anyone.is_none() {
        out.people_loaded = load_people(app, &system, people, seed).await?;
    }
    // Associations with leaders, contacts and activities, and an account
    // of the largest hometown association (issue 22).
    crate::community::demo::enrich(app, &system).await?;
    // Two events with invitees, replies and attendance (issue 22 §5).
    crate::community::events::seed_demo(app, &system).await?;
    // Expertise and visits of experts received this year (issue 22 §4).
    crate::community::experts::seed_demo(app, &system).await?;
    // A commendation decided and one proposed (issue 22 §7).
    crate::community::commendations::seed_demo(app, &system).await?;
    // Enterprises, investment projects, the catalogue, contributions and
    // remittances (issue 22 §2–§3).
    crate::community::investment_demo::seed(app).await?;
    // News, policies, procedure guides, legal documents, FAQs (issue 24).
    crate::publishing::demo::seed(app).await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(DEMO_ASSOCIATION_ACCOUNT)
        .fetch_optional(&app.db.pool)
        .await?;
    if exists.is_none()
        && let Some(association) = crate::community::demo::demo_account_association(app).await?
    {
        users::add(
            app,
            &system,
            NewUser {
                username: DEMO_ASSOCIATION_ACCOUNT.into(),
                display_name: "Hội đồng hương (demo)".into(),
                role: domain::Role::Association,
                password: password.clone(),
                scopes: vec![users::Scope::new("association", &association.to_string())],
            },
        )
        .await?;
        out.accounts_created
            .push(DEMO_ASSOCIATION_ACCOUNT.to_owned());
    }
    // The portal: a person abroad's account linked to a demo person of the
    // demo commune, and a claim waiting for its officers (issue 23).
    let portal =
        crate::portal::demo::enrich(app, first.map(|h| h.new_commune_code.as_str()), &password)
            .await?;
    out.accounts_created.extend(portal);
    // A file received from another province, waiting for review (issue 25 §2).
    crate::exchange::demo::seed(app).await?;
    if generated && !out.accounts_created.is_empty() {
        out.generated_password = Some(password);
    }
    Ok(out)
}

const PERSON_COLUMNS: &[&str] = &[
    "id",
    "full_name",
    "full_name_folded",
    "other_names",
    "gender",
    "birth_date",
    "birth_year",
    "nationalities",
    "category",
    "generation",
    "hometown_text",
    "hometown_new_code",
    "hometown_new_province",
    "hometown_legacy_code",
    "hometown_legacy_district",
    "hometown_legacy_province",
    "country",
    "region_abroad",
    "city_abroad",
    "departure_year",
    "passport_no",
    "phone",
    "email",
    "occupation",
    "education",
    "expertise",
    "tags",
    "enterprise",
    "income_bracket",
    "remittance",
    "status",
    "consent",
    "verification",
    "created_at",
    "updated_at",
];

fn person_row(id: i64, p: &demo::Person, now: &str) -> Vec<Val> {
    let mut other = Vec::new();
    if let Some(f) = p.foreign_given_name {
        other.push(format!("{f} {}", p.family_name));
    }
    if let Some(s) = p.spouse_family_name {
        other.push(format!("{s} {}", p.given_name));
    }
    let nationalities = if p.vietnamese_nationality {
        if p.category == domain::Category::ForeignNational {
            p.country.to_owned()
        } else {
            "VN".to_owned()
        }
    } else {
        p.country.to_owned()
    };
    let h: &Arc<HometownOption> = &p.hometown;
    let tags: Vec<&str> = p.notable_tags.iter().map(|t| t.code()).collect();
    vec![
        id.into(),
        p.full_name.clone().into(),
        domain::text::fold(&p.full_name).into(),
        serde_json::to_string(&other)
            .unwrap_or_else(|_| "[]".into())
            .into(),
        p.gender.code().into(),
        p.birth_date.to_iso().into(),
        Some(i64::from(p.birth_date.year)).into(),
        nationalities.into(),
        p.category.code().into(),
        p.generation.code().into(),
        p.hometown_text.clone().into(),
        h.new_commune_code.clone().into(),
        h.new_province_code.clone().into(),
        h.legacy_commune_code.clone().into(),
        h.legacy_district_code.clone().into(),
        h.legacy_province_code.clone().into(),
        p.country.into(),
        p.region_abroad.into(),
        p.city_abroad.into(),
        p.departure_year.map(i64::from).into(),
        p.passport_no.clone().unwrap_or_default().into(),
        p.phone.clone().unwrap_or_default().into(),
        p.email.clone().unwrap_or_default().into(),
        p.occupation.into(),
        p.education.into(),
        p.expertise.unwrap_or_default().into(),
        tags.join(",").into(),
        p.enterprise.clone().unwrap_or_default().into(),
        p.income_bracket
            .map(|b| b.code().to_owned())
            .unwrap_or_default()
            .into(),
        p.remittance_usd_per_year
            .map(|r| format!("{r} USD/năm"))
            .unwrap_or_default()
            .into(),
        p.status.code().into(),
        p.consent.code().into(),
        p.verification.code().into(),
        now.into(),
        now.into(),
    ]
}

/// Generates `people` people (with households, relatives, sources and
/// associations) into the database, in transactions of a few thousand.
pub async fn load_people(app: &App, actor: &Actor, people: u64, seed: u64) -> AppResult<u64> {
    crate::access::authorize(actor, crate::access::Action::UserAdmin)?;
    let cfg = config(people, seed);
    let now = clock::now();
    let backend = app.db.backend;
    let start: i64 = sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM persons")
        .fetch_one(&app.db.pool)
        .await?
        .unwrap_or(0);
    let start_household: i64 =
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM households")
            .fetch_one(&app.db.pool)
            .await?
            .unwrap_or(0);
    let mut assoc_ids: BTreeMap<String, i64> = BTreeMap::new();
    let mut next_assoc: i64 =
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM associations")
            .fetch_one(&app.db.pool)
            .await?
            .unwrap_or(0);
    let mut iter = demo::people(&cfg).peekable();
    let mut loaded: u64 = 0;
    while iter.peek().is_some() {
        let batch: Vec<demo::Person> = iter.by_ref().take(5000).collect();
        let mut persons = Vec::with_capacity(batch.len());
        let mut households = Vec::with_capacity(batch.len());
        let mut relatives = Vec::new();
        let mut sources = Vec::with_capacity(batch.len());
        let mut new_assocs = Vec::new();
        let mut memberships = Vec::new();
        // Each person's associations by id (for the first versions).
        let mut by_id = std::collections::HashMap::with_capacity(batch.len());
        for p in &batch {
            let id = start
                + 1
                + i64::try_from(p.person_key).map_err(|e| AppError::Unexpected(e.into()))?;
            by_id.insert(id, p.associations.clone());
            let hid = start_household + id - start;
            persons.push(person_row(id, p, &now));
            households.push(vec![
                hid.into(),
                p.household.head_name.clone().into(),
                p.household.address.clone().into(),
                p.hometown.new_commune_code.clone().into(),
                p.hometown.legacy_commune_code.clone().into(),
                p.hometown.legacy_district_code.clone().into(),
                p.home_phone.clone().unwrap_or_default().into(),
                now.clone().into(),
                now.clone().into(),
            ]);
            for r in &p.relatives {
                relatives.push(vec![
                    hid.into(),
                    id.into(),
                    r.full_name.clone().into(),
                    domain::text::fold(&r.full_name).into(),
                    r.relationship.code().into(),
                    r.birth_year.map(i64::from).into(),
                    r.phone.clone().unwrap_or_default().into(),
                    now.clone().into(),
                ]);
            }
            sources.push(vec![
                id.into(),
                domain::Agency::Survey.code().into(),
                "Dữ liệu minh họa".into(),
                "demo".into(),
                now.clone().into(),
            ]);
            for a in &p.associations {
                let aid = if let Some(aid) = assoc_ids.get(a) {
                    *aid
                } else {
                    next_assoc += 1;
                    assoc_ids.insert(a.clone(), next_assoc);
                    new_assocs.push(vec![
                        next_assoc.into(),
                        a.clone().into(),
                        p.country.into(),
                        now.clone().into(),
                    ]);
                    next_assoc
                };
                memberships.push(vec![id.into(), aid.into()]);
            }
        }
        let mut tx = app.db.begin_write().await?;
        bulk::insert(&mut tx.tx, "persons", PERSON_COLUMNS, persons).await?;
        bulk::insert(
            &mut tx.tx,
            "households",
            &[
                "id",
                "head_name",
                "address",
                "new_commune_code",
                "legacy_commune_code",
                "legacy_district_code",
                "phone",
                "created_at",
                "updated_at",
            ],
            households,
        )
        .await?;
        bulk::insert(
            &mut tx.tx,
            "relatives",
            &[
                "household_id",
                "person_id",
                "full_name",
                "full_name_folded",
                "relationship",
                "birth_year",
                "phone",
                "created_at",
            ],
            relatives,
        )
        .await?;
        bulk::insert(
            &mut tx.tx,
            "person_sources",
            &[
                "person_id",
                "agency",
                "list_name",
                "survey_round",
                "added_at",
            ],
            sources,
        )
        .await?;
        bulk::insert(
            &mut tx.tx,
            "associations",
            &["id", "name", "country", "created_at"],
            new_assocs,
        )
        .await?;
        bulk::insert(
            &mut tx.tx,
            "person_associations",
            &["person_id", "association_id"],
            memberships,
        )
        .await?;
        // Every person has a history from its first version, as when
        // created by hand or imported (reports "as of" a day read it).
        let lo = by_id.keys().copied().min().unwrap_or(0);
        let hi = by_id.keys().copied().max().unwrap_or(-1);
        crate::registry::people::first_versions(&mut tx, actor, (lo, hi), &by_id, &now).await?;
        for t in ["persons", "households", "associations"] {
            bulk::sync_identity(&mut tx.tx, backend, t).await?;
        }
        tx.commit().await?;
        loaded += batch.len() as u64;
    }
    audit::record(
        app,
        actor,
        Event::new("demo.load", "persons", &"")
            .with(serde_json::json!({"people": loaded, "seed": seed})),
    )
    .await?;
    Ok(loaded)
}
