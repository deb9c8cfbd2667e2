//! Demo enterprises, investment projects (a dozen, as Hà Tĩnh reported
//! "12 projects"), catalogue projects, contributions and remittances, so
//! that `serve --demo` fills every page of issue 22 §2–§3. Made through the
//! use cases (versions, audit) by a province officer of the demo, once:
//! nothing is added when an enterprise exists. Deterministic.

use db::Row;

use super::contributions::{self, ContributionInput, RemittanceInput};
use super::enterprises::{self, EnterpriseInput};
use super::projects::{self, ProjectInput, StatusInput};
use crate::{Actor, App, AppResult, Jurisdiction};

fn demo_officer() -> Actor {
    Actor {
        user_id: None,
        username: "system:demo".to_owned(),
        role: domain::Role::ProvinceOfficer,
        jurisdiction: Jurisdiction::Province,
        ip: String::new(),
        token_scopes: None,
    }
}

/// Enterprises: name, English name, sector, country of the parent.
const ENTERPRISES: &[(&str, &str, &str, &str)] = &[
    (
        "Công ty TNHH Thực phẩm Sakura Hà Tĩnh",
        "Sakura Ha Tinh Foods Co., Ltd.",
        "10",
        "JP",
    ),
    (
        "Công ty CP Du lịch Biển Xanh",
        "Blue Sea Tourism JSC",
        "55",
        "US",
    ),
    (
        "Công ty TNHH Phần mềm Hồng Lĩnh",
        "Hong Linh Software Co., Ltd.",
        "62",
        "DE",
    ),
    (
        "Công ty TNHH Dệt may Kim Liên",
        "Kim Lien Garment Co., Ltd.",
        "14",
        "KR",
    ),
    (
        "Công ty CP Nông sản Sạch Ngàn Phố",
        "Ngan Pho Clean Produce JSC",
        "01",
        "AU",
    ),
    (
        "Công ty TNHH Xây dựng Việt - Lào",
        "Viet-Lao Construction Co., Ltd.",
        "41",
        "LA",
    ),
    (
        "Công ty TNHH Y tế Bình An",
        "Binh An Healthcare Co., Ltd.",
        "86",
        "FR",
    ),
    (
        "Công ty CP Logistics Vũng Áng",
        "Vung Ang Logistics JSC",
        "52",
        "TW",
    ),
];

/// Projects: name, English name, sector, enterprise index, registered and
/// realised capital (whole units), currency, rate, the statuses reached
/// with their days, in the catalogue.
struct DemoProject {
    name: &'static str,
    name_en: &'static str,
    sector: &'static str,
    enterprise: Option<usize>,
    registered: i64,
    realised: i64,
    currency: &'static str,
    rate: &'static str,
    steps: &'static [(&'static str, &'static str)],
    catalogue: bool,
}

const PROJECTS: &[DemoProject] = &[
    DemoProject {
        name: "Nhà máy chế biến thủy sản Thạch Kim",
        name_en: "Thach Kim seafood processing plant",
        sector: "10",
        enterprise: Some(0),
        registered: 12_000_000,
        realised: 9_500_000,
        currency: "USD",
        rate: "24500",
        steps: &[
            ("licensed", "2019-04-12"),
            ("under_construction", "2019-09-01"),
            ("operating", "2021-03-15"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Khu nghỉ dưỡng biển Thiên Cầm",
        name_en: "Thien Cam beach resort",
        sector: "55",
        enterprise: Some(1),
        registered: 850_000_000_000,
        realised: 420_000_000_000,
        currency: "VND",
        rate: "1",
        steps: &[
            ("licensed", "2020-06-20"),
            ("under_construction", "2021-01-10"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Trung tâm phát triển phần mềm Hồng Lĩnh",
        name_en: "Hong Linh software development centre",
        sector: "62",
        enterprise: Some(2),
        registered: 3_500_000,
        realised: 3_500_000,
        currency: "EUR",
        rate: "26800",
        steps: &[
            ("licensed", "2018-02-05"),
            ("under_construction", "2018-05-01"),
            ("operating", "2019-01-20"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Nhà máy may xuất khẩu Kim Liên",
        name_en: "Kim Lien export garment factory",
        sector: "14",
        enterprise: Some(3),
        registered: 95_000_000_000,
        realised: 60_000_000_000,
        currency: "KRW",
        rate: "18",
        steps: &[
            ("licensed", "2017-08-08"),
            ("under_construction", "2018-01-15"),
            ("operating", "2019-06-30"),
            ("suspended", "2024-11-01"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Vùng trồng rau sạch công nghệ cao Ngàn Phố",
        name_en: "Ngan Pho high-tech vegetable farm",
        sector: "01",
        enterprise: Some(4),
        registered: 4_200_000,
        realised: 1_100_000,
        currency: "AUD",
        rate: "16200",
        steps: &[
            ("licensed", "2022-03-03"),
            ("under_construction", "2022-10-10"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Khu nhà ở xã hội Cẩm Xuyên",
        name_en: "Cam Xuyen social housing",
        sector: "41",
        enterprise: Some(5),
        registered: 320_000_000_000,
        realised: 0,
        currency: "VND",
        rate: "1",
        steps: &[("licensed", "2024-07-01")],
        catalogue: false,
    },
    DemoProject {
        name: "Phòng khám đa khoa Bình An",
        name_en: "Binh An general clinic",
        sector: "86",
        enterprise: Some(6),
        registered: 1_800_000,
        realised: 1_800_000,
        currency: "EUR",
        rate: "27100",
        steps: &[
            ("licensed", "2016-05-05"),
            ("under_construction", "2016-09-09"),
            ("operating", "2017-12-01"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Kho ngoại quan Vũng Áng",
        name_en: "Vung Ang bonded warehouse",
        sector: "52",
        enterprise: Some(7),
        registered: 260_000_000,
        realised: 40_000_000,
        currency: "TWD",
        rate: "780",
        steps: &[
            ("licensed", "2023-02-14"),
            ("under_construction", "2023-08-01"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Xưởng chế biến tinh dầu bưởi Phúc Trạch",
        name_en: "Phuc Trach pomelo essential oil workshop",
        sector: "10",
        enterprise: None,
        registered: 15_000_000_000,
        realised: 15_000_000_000,
        currency: "VND",
        rate: "1",
        steps: &[
            ("licensed", "2015-03-10"),
            ("under_construction", "2015-06-01"),
            ("operating", "2016-01-05"),
            ("terminated", "2023-12-31"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Nhà hàng ẩm thực quê hương Hồng Lĩnh",
        name_en: "Hong Linh homeland cuisine restaurant",
        sector: "56",
        enterprise: None,
        registered: 250_000,
        realised: 250_000,
        currency: "USD",
        rate: "25100",
        steps: &[
            ("licensed", "2023-05-20"),
            ("under_construction", "2023-07-01"),
            ("operating", "2024-02-10"),
        ],
        catalogue: false,
    },
    DemoProject {
        name: "Khu du lịch sinh thái hồ Kẻ Gỗ",
        name_en: "Ke Go lake eco-tourism area",
        sector: "55",
        enterprise: None,
        registered: 1_200_000_000_000,
        realised: 0,
        currency: "VND",
        rate: "1",
        steps: &[],
        catalogue: true,
    },
    DemoProject {
        name: "Cụm công nghiệp chế biến gỗ Hương Sơn",
        name_en: "Huong Son wood processing cluster",
        sector: "C",
        enterprise: None,
        registered: 45_000_000,
        realised: 0,
        currency: "USD",
        rate: "25400",
        steps: &[],
        catalogue: true,
    },
    DemoProject {
        name: "Trường phổ thông liên cấp quốc tế Hà Tĩnh",
        name_en: "Ha Tinh international school",
        sector: "P",
        enterprise: None,
        registered: 500_000_000_000,
        realised: 0,
        currency: "VND",
        rate: "1",
        steps: &[],
        catalogue: true,
    },
];

/// Contributions: purpose, currency, amount (minor units), rate, day, in kind.
const CONTRIBUTIONS: &[(&str, &str, i64, &str, &str, &str)] = &[
    (
        "disaster_relief",
        "USD",
        1_000_000,
        "24800",
        "2020-10-25",
        "",
    ),
    ("scholarship", "VND", 200_000_000, "1", "2021-09-05", ""),
    (
        "infrastructure",
        "USD",
        5_000_000,
        "23100",
        "2019-05-18",
        "Cầu dân sinh bắc qua kênh",
    ),
    (
        "charity",
        "JPY",
        2_000_000,
        "172",
        "2022-01-20",
        "500 suất quà Tết",
    ),
    (
        "healthcare",
        "EUR",
        1_500_000,
        "26500",
        "2021-07-30",
        "2 máy thở",
    ),
    ("scholarship", "KRW", 30_000_000, "18", "2023-08-28", ""),
    (
        "infrastructure",
        "VND",
        1_500_000_000,
        "1",
        "2024-03-12",
        "Nhà văn hóa thôn",
    ),
    ("disaster_relief", "AUD", 800_000, "16400", "2024-09-20", ""),
    (
        "charity",
        "USD",
        250_000,
        "25300",
        "2025-01-15",
        "Xe lăn cho người khuyết tật",
    ),
    ("scholarship", "USD", 1_200_000, "25400", "2025-08-30", ""),
    (
        "other",
        "VND",
        50_000_000,
        "1",
        "2025-11-02",
        "Sách cho thư viện trường",
    ),
    ("disaster_relief", "JPY", 5_000_000, "168", "2025-10-05", ""),
    (
        "infrastructure",
        "TWD",
        3_000_000,
        "790",
        "2023-04-04",
        "Trường mầm non",
    ),
    ("charity", "EUR", 300_000, "27000", "2024-12-20", ""),
];

/// Fills the investment pages once; answers how many projects were made.
pub async fn seed(app: &App) -> AppResult<usize> {
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM enterprises LIMIT 1")
        .fetch_optional(&app.db.pool)
        .await?;
    if any.is_some() {
        return Ok(0);
    }
    let actor = demo_officer();
    let home = domain::geo::new_provinces()
        .iter()
        .find(|p| {
            domain::text::fold(p.name).ends_with(&domain::text::fold(&app.settings.home_province))
        })
        .map_or("42", |p| p.code);
    let communes: Vec<&str> = domain::geo::new_communes_of(home)
        .iter()
        .map(|c| c.code)
        .collect();
    if communes.is_empty() {
        return Ok(0);
    }
    // People abroad (owners, investors, donors), the first of each country wanted.
    let people: Vec<(i64, String)> = sqlx::query(
        "SELECT id, country FROM persons WHERE deleted_at IS NULL ORDER BY id LIMIT 400",
    )
    .fetch_all(&app.db.pool)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<Result<Vec<_>, db::SqlxError>>()?;
    let person_of = |country: &str, nth: usize| -> Option<i64> {
        people
            .iter()
            .filter(|(_, c)| c == country)
            .nth(nth)
            .or_else(|| people.get(nth))
            .map(|(id, _)| *id)
    };
    let mut enterprise_ids = Vec::new();
    for (i, (name, name_en, sector, country)) in ENTERPRISES.iter().enumerate() {
        let e = enterprises::create(
            app,
            &actor,
            &EnterpriseInput {
                name: Some((*name).to_owned()),
                name_en: Some((*name_en).to_owned()),
                registration_no: Some(format!("30{:08}", 1_200_345 + i * 7_919)),
                sector: Some((*sector).to_owned()),
                address: Some(format!(
                    "Số {} đường Phan Đình Phùng, TP. Hà Tĩnh",
                    10 + i * 3
                )),
                parent_country: Some((*country).to_owned()),
                notes: Some(String::new()),
                owner_ids: Some(person_of(country, 0).into_iter().collect()),
            },
        )
        .await?;
        enterprise_ids.push(e.id);
    }
    let mut made = 0;
    for (i, p) in PROJECTS.iter().enumerate() {
        let commune = communes[(i * 7) % communes.len()];
        let investor_person = if p.enterprise.is_none() && !p.catalogue {
            person_of("US", i)
        } else {
            None
        };
        let pr = projects::create(
            app,
            &actor,
            &ProjectInput {
                name: Some(p.name.to_owned()),
                name_en: Some(p.name_en.to_owned()),
                summary: Some(if p.catalogue {
                    format!("{}: tỉnh kêu gọi nhà đầu tư, ưu tiên kiều bào và doanh nghiệp của kiều bào.", p.name)
                } else {
                    format!("{}: dự án do kiều bào hoặc doanh nghiệp của kiều bào đầu tư.", p.name)
                }),
                summary_en: Some(if p.catalogue {
                    format!("{}: the province calls for investors, overseas Vietnamese and their enterprises first.", p.name_en)
                } else {
                    format!("{}: invested in by overseas Vietnamese or their enterprises.", p.name_en)
                }),
                sector: Some(p.sector.to_owned()),
                commune: Some(commune.to_owned()),
                registered_capital: Some(p.registered * minor_factor(p.currency)),
                realised_capital: Some(p.realised * minor_factor(p.currency)),
                currency: Some(p.currency.to_owned()),
                rate_to_vnd: Some(p.rate.to_owned()),
                licence_no: Some(if p.steps.is_empty() {
                    String::new()
                } else {
                    format!("{}/GCNĐKĐT-UBND", 1_000 + i * 37)
                }),
                licence_date: p.steps.first().map(|s| s.1.to_owned()),
                in_catalogue: Some(p.catalogue),
                investor_person_ids: Some(investor_person.into_iter().collect()),
                investor_enterprise_ids: Some(
                    p.enterprise
                        .and_then(|e| enterprise_ids.get(e).copied())
                        .into_iter()
                        .collect(),
                ),
                registered_text: None,
                realised_text: None,
            },
        )
        .await?;
        // Proposed some months before the licence.
        let proposed = p.steps.first().map_or_else(
            || "2025-06-01".to_owned(),
            |(_, d)| format!("{}-01-02", d.get(..4).unwrap_or("2020")),
        );
        sqlx::query("UPDATE investment_projects SET status_on = $1 WHERE id = $2")
            .bind(&proposed)
            .bind(pr.id)
            .execute(&app.db.pool)
            .await?;
        sqlx::query("UPDATE project_status_changes SET changed_on = $1 WHERE project_id = $2")
            .bind(&proposed)
            .bind(pr.id)
            .execute(&app.db.pool)
            .await?;
        let mut version = pr.version;
        for (status, on) in p.steps {
            let done = projects::change_status(
                app,
                &actor,
                pr.id,
                version,
                &StatusInput {
                    status: Some((*status).to_owned()),
                    changed_on: Some((*on).to_owned()),
                    note: Some(String::new()),
                },
            )
            .await?;
            version = done.version;
        }
        made += 1;
    }
    // Contributions: from people, associations and enterprises in turn.
    let associations: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM associations WHERE status <> 'merged' ORDER BY id LIMIT 10",
    )
    .fetch_all(&app.db.pool)
    .await?;
    for (i, (purpose, currency, amount, rate, on, in_kind)) in CONTRIBUTIONS.iter().enumerate() {
        let (kind, person, association, enterprise) = match i % 3 {
            0 => ("person", people.get(i * 11).map(|p| p.0), None, None),
            1 if !associations.is_empty() => (
                "association",
                None,
                associations.get(i % associations.len()).copied(),
                None,
            ),
            _ => (
                "enterprise",
                None,
                None,
                enterprise_ids.get(i % enterprise_ids.len()).copied(),
            ),
        };
        if person.is_none() && association.is_none() && enterprise.is_none() {
            continue;
        }
        contributions::create(
            app,
            &actor,
            &ContributionInput {
                donor_kind: Some(kind.to_owned()),
                donor_person_id: person,
                donor_association_id: association,
                donor_enterprise_id: enterprise,
                amount: Some(*amount),
                currency: Some((*currency).to_owned()),
                rate_to_vnd: Some((*rate).to_owned()),
                purpose: Some((*purpose).to_owned()),
                commune: Some(communes[(i * 5 + 1) % communes.len()].to_owned()),
                contributed_on: Some((*on).to_owned()),
                in_kind: Some((*in_kind).to_owned()),
                notes: Some(String::new()),
                amount_text: None,
            },
        )
        .await?;
    }
    // Remittances: the first people, three years each.
    for (i, (pid, country)) in people.iter().take(30).enumerate() {
        let currency = match country.as_str() {
            "JP" => "JPY",
            "KR" => "KRW",
            "TW" => "TWD",
            "DE" | "FR" | "CZ" => "EUR",
            "AU" => "AUD",
            _ => "USD",
        };
        for (k, year) in [2023, 2024, 2025].iter().enumerate() {
            let whole = 3_000 + ((i * 733 + k * 401) % 9_000) as i64;
            let whole = match currency {
                "JPY" => whole * 120,
                "KRW" => whole * 1_300,
                "TWD" => whole * 30,
                _ => whole,
            };
            contributions::set_remittance(
                app,
                &actor,
                *pid,
                &RemittanceInput {
                    year: Some(*year),
                    amount: Some(whole * minor_factor(currency)),
                    currency: Some(currency.to_owned()),
                    notes: Some(String::new()),
                    amount_text: None,
                    year_text: None,
                },
            )
            .await?;
        }
    }
    Ok(made)
}

/// Minor units in one unit of a currency.
fn minor_factor(code: &str) -> i64 {
    domain::money::currency(code).map_or(1, |c| 10i64.pow(c.minor_digits))
}
