//! Reports of investment and contributions (issue 22 §8, the part of §2–§3):
//! projects by status and by sector (count, registered and realised capital
//! in đồng, and in dollars at a rate the officer enters), contributions by
//! donor's country, year, purpose and beneficiary commune, within the
//! actor's reach (leadership: the whole province, as figures). All sums are
//! integers; the xlsx export writes the same tables, labelled.

use db::Row;
use serde::Serialize;

use super::investment::{contribution_scope, project_scope};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError};

/// A line of the projects' tables.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ProjectLine {
    /// A status code or a VSIC section letter.
    pub key: String,
    pub count: i64,
    pub registered_vnd: i64,
    pub realised_vnd: i64,
    /// In cents at the report's dollar rate (absent without one).
    pub registered_usd: Option<i64>,
    pub realised_usd: Option<i64>,
}

/// A line of the contributions' tables.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ContributionLine {
    /// A country code, a year, a purpose code or a commune code.
    pub key: String,
    pub count: i64,
    pub vnd: i64,
    pub usd: Option<i64>,
}

/// The report.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// Đồng per dollar the officer entered ("" when none).
    pub usd_rate: String,
    pub projects_by_status: Vec<ProjectLine>,
    pub projects_by_sector: Vec<ProjectLine>,
    pub projects_total: ProjectLine,
    pub contributions_by_country: Vec<ContributionLine>,
    pub contributions_by_year: Vec<ContributionLine>,
    pub contributions_by_purpose: Vec<ContributionLine>,
    pub contributions_by_commune: Vec<ContributionLine>,
    pub contributions_total: ContributionLine,
}

fn usd(vnd: i64, rate: Option<domain::money::Rate>) -> Option<i64> {
    let c = domain::money::currency("USD")?;
    rate.map(|r| domain::money::from_vnd(vnd, c, r))
}

fn add_project(lines: &mut Vec<ProjectLine>, key: &str, reg: i64, real: i64) {
    if let Some(l) = lines.iter_mut().find(|l| l.key == key) {
        l.count += 1;
        l.registered_vnd += reg;
        l.realised_vnd += real;
    } else {
        lines.push(ProjectLine {
            key: key.to_owned(),
            count: 1,
            registered_vnd: reg,
            realised_vnd: real,
            ..ProjectLine::default()
        });
    }
}

fn add_contribution(lines: &mut Vec<ContributionLine>, key: &str, vnd: i64) {
    if let Some(l) = lines.iter_mut().find(|l| l.key == key) {
        l.count += 1;
        l.vnd += vnd;
    } else {
        lines.push(ContributionLine {
            key: key.to_owned(),
            count: 1,
            vnd,
            usd: None,
        });
    }
}

/// True when the actor may read the report.
pub fn may_read(actor: &Actor) -> bool {
    access::authorize(actor, Action::InvestmentRead).is_ok()
}

/// Computes the report within the actor's reach; `usd_rate` (đồng per
/// dollar, as typed) adds the dollar columns.
pub async fn report(app: &App, actor: &Actor, usd_rate: &str) -> AppResult<Report> {
    access::authorize(actor, Action::InvestmentRead)?;
    let rate = if usd_rate.trim().is_empty() {
        None
    } else {
        Some(
            domain::money::parse_rate(usd_rate)
                .map_err(|_| AppError::invalid_field("usd_rate", "invalid_rate"))?,
        )
    };
    let mut r = Report {
        usd_rate: rate.map(domain::money::Rate::to_text).unwrap_or_default(),
        ..Report::default()
    };
    let scope = project_scope(actor, 1);
    let sql = format!(
        "SELECT pr.status, pr.sector, pr.registered_vnd, pr.realised_vnd \
         FROM investment_projects pr WHERE {}",
        scope.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &scope.args {
        q = q.bind(a);
    }
    for row in q.fetch_all(&app.db.pool).await? {
        let status: String = row.try_get(0)?;
        let sector: String = row.try_get(1)?;
        let reg: i64 = row.try_get(2)?;
        let real: i64 = row.try_get(3)?;
        let section = domain::sectors::sector(&sector).map_or(sector.as_str(), |s| s.section);
        add_project(&mut r.projects_by_status, &status, reg, real);
        add_project(&mut r.projects_by_sector, section, reg, real);
        r.projects_total.count += 1;
        r.projects_total.registered_vnd += reg;
        r.projects_total.realised_vnd += real;
    }
    let order = |k: &str| {
        super::projects::STATUSES
            .iter()
            .position(|s| *s == k)
            .unwrap_or(99)
    };
    r.projects_by_status.sort_by_key(|l| order(&l.key));
    r.projects_by_sector.sort_by(|a, b| a.key.cmp(&b.key));
    for l in r
        .projects_by_status
        .iter_mut()
        .chain(r.projects_by_sector.iter_mut())
        .chain(std::iter::once(&mut r.projects_total))
    {
        l.registered_usd = usd(l.registered_vnd, rate);
        l.realised_usd = usd(l.realised_vnd, rate);
    }
    if crate::community::contributions::may_read(actor)
        || matches!(actor.jurisdiction, crate::Jurisdiction::StatisticsOnly)
    {
        let scope = contribution_scope(actor, 1, true);
        let sql = format!(
            "SELECT c.donor_country, c.contributed_on, c.purpose, c.commune_code, c.vnd_value \
             FROM contributions c WHERE {}",
            scope.sql
        );
        let mut q = sqlx::query(&sql);
        for a in &scope.args {
            q = q.bind(a);
        }
        for row in q.fetch_all(&app.db.pool).await? {
            let country: String = row.try_get(0)?;
            let on: String = row.try_get(1)?;
            let purpose: String = row.try_get(2)?;
            let commune: String = row.try_get(3)?;
            let vnd: i64 = row.try_get(4)?;
            add_contribution(&mut r.contributions_by_country, &country, vnd);
            add_contribution(
                &mut r.contributions_by_year,
                on.get(..4).unwrap_or_default(),
                vnd,
            );
            add_contribution(&mut r.contributions_by_purpose, &purpose, vnd);
            add_contribution(&mut r.contributions_by_commune, &commune, vnd);
            r.contributions_total.count += 1;
            r.contributions_total.vnd += vnd;
        }
    }
    r.contributions_by_country
        .sort_by(|a, b| b.vnd.cmp(&a.vnd).then(a.key.cmp(&b.key)));
    r.contributions_by_year.sort_by(|a, b| b.key.cmp(&a.key));
    r.contributions_by_purpose
        .sort_by(|a, b| b.vnd.cmp(&a.vnd).then(a.key.cmp(&b.key)));
    r.contributions_by_commune
        .sort_by(|a, b| b.vnd.cmp(&a.vnd).then(a.key.cmp(&b.key)));
    for l in r
        .contributions_by_country
        .iter_mut()
        .chain(r.contributions_by_year.iter_mut())
        .chain(r.contributions_by_purpose.iter_mut())
        .chain(r.contributions_by_commune.iter_mut())
        .chain(std::iter::once(&mut r.contributions_total))
    {
        l.usd = usd(l.vnd, rate);
    }
    Ok(r)
}

/// What the xlsx export needs to label the tables in the reader's language.
pub struct Labels<'a> {
    /// The label of a coded value: `(kind, code)` with kinds `project_status`,
    /// `sector`, `country`, `year`, `contribution_purpose`, `new_commune`.
    pub label: &'a (dyn Fn(&str, &str) -> String + Sync),
    /// Headings: the table names and the columns.
    pub text: &'a (dyn Fn(&str) -> String + Sync),
}

/// The report as an xlsx workbook: one sheet for projects, one for
/// contributions; đồng as whole numbers, dollars with two decimals. Audited.
pub async fn export_xlsx(
    app: &App,
    actor: &Actor,
    usd_rate: &str,
    labels: &Labels<'_>,
) -> AppResult<Vec<u8>> {
    let r = report(app, actor, usd_rate).await?;
    let bytes = write_xlsx(&r, labels).map_err(|e| AppError::Unexpected(e.into()))?;
    audit::record(
        app,
        actor,
        Event::new("investment.report_export", "report", &"investment"),
    )
    .await?;
    Ok(bytes)
}

fn write_xlsx(r: &Report, l: &Labels<'_>) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let whole = Format::new().set_num_format("#,##0");
    let cents = Format::new().set_num_format("#,##0.00");
    let with_usd = !r.usd_rate.is_empty();
    {
        let sheet = book.add_worksheet();
        sheet.set_name((l.text)("sheet_projects"))?;
        let mut row = 0u32;
        for (title, kind, lines) in [
            ("by_status", "project_status", &r.projects_by_status),
            ("by_sector", "sector", &r.projects_by_sector),
        ] {
            sheet.write_string_with_format(row, 0, (l.text)(title), &bold)?;
            row += 1;
            let mut heads = vec!["group", "count", "registered_vnd", "realised_vnd"];
            if with_usd {
                heads.extend(["registered_usd", "realised_usd"]);
            }
            for (c, h) in (0u16..).zip(&heads) {
                sheet.write_string_with_format(row, c, (l.text)(h), &bold)?;
            }
            row += 1;
            for line in lines.iter().chain(std::iter::once(&r.projects_total)) {
                let name = if std::ptr::eq(line, &raw const r.projects_total) {
                    (l.text)("total")
                } else {
                    (l.label)(kind, &line.key)
                };
                sheet.write_string(row, 0, name)?;
                sheet.write_number(row, 1, line.count as f64)?;
                sheet.write_number_with_format(row, 2, line.registered_vnd as f64, &whole)?;
                sheet.write_number_with_format(row, 3, line.realised_vnd as f64, &whole)?;
                if with_usd {
                    sheet.write_number_with_format(
                        row,
                        4,
                        line.registered_usd.unwrap_or_default() as f64 / 100.0,
                        &cents,
                    )?;
                    sheet.write_number_with_format(
                        row,
                        5,
                        line.realised_usd.unwrap_or_default() as f64 / 100.0,
                        &cents,
                    )?;
                }
                row += 1;
            }
            row += 1;
        }
        sheet.set_column_width(0, 48)?;
        sheet.set_column_range_width(1, 5, 20)?;
    }
    {
        let sheet = book.add_worksheet();
        sheet.set_name((l.text)("sheet_contributions"))?;
        let mut row = 0u32;
        for (title, kind, lines) in [
            ("by_country", "country", &r.contributions_by_country),
            ("by_year", "year", &r.contributions_by_year),
            (
                "by_purpose",
                "contribution_purpose",
                &r.contributions_by_purpose,
            ),
            ("by_commune", "new_commune", &r.contributions_by_commune),
        ] {
            sheet.write_string_with_format(row, 0, (l.text)(title), &bold)?;
            row += 1;
            let mut heads = vec!["group", "count", "value_vnd"];
            if with_usd {
                heads.push("value_usd");
            }
            for (c, h) in (0u16..).zip(&heads) {
                sheet.write_string_with_format(row, c, (l.text)(h), &bold)?;
            }
            row += 1;
            for line in lines.iter().chain(std::iter::once(&r.contributions_total)) {
                let name = if std::ptr::eq(line, &raw const r.contributions_total) {
                    (l.text)("total")
                } else {
                    (l.label)(kind, &line.key)
                };
                sheet.write_string(row, 0, name)?;
                sheet.write_number(row, 1, line.count as f64)?;
                sheet.write_number_with_format(row, 2, line.vnd as f64, &whole)?;
                if with_usd {
                    sheet.write_number_with_format(
                        row,
                        3,
                        line.usd.unwrap_or_default() as f64 / 100.0,
                        &cents,
                    )?;
                }
                row += 1;
            }
            row += 1;
        }
        sheet.set_column_width(0, 48)?;
        sheet.set_column_range_width(1, 3, 20)?;
    }
    book.save_to_buffer()
}

/// Checks a typed dollar rate (the report form names the field).
pub fn check_rate(text: &str) -> Result<(), FieldError> {
    if text.trim().is_empty() || domain::money::parse_rate(text).is_ok() {
        Ok(())
    } else {
        Err(FieldError::new("usd_rate", "invalid_rate"))
    }
}
