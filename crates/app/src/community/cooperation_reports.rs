//! The cooperation reports (issue 22 §8, "Báo cáo hợp tác") of the report
//! builder: projects by status and sector, contributions by country, year,
//! purpose and commune (from [`super::investment_reports`]), expert visits
//! by year and field, and event attendance (invited, replied yes, attended
//! per event); within the actor's reach, as figures. Each is a list of
//! tables of coded rows (the API answers the codes; the exports write their
//! labels), exported to xlsx and to an official docx (Decree 30/2020/NĐ-CP
//! layout through [`crate::stats::export::official_docx`]).

use db::Row;
use serde::Serialize;

use super::investment_reports::{self, Labels};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::stats::export::{DocTable, ExportContext};
use crate::{Actor, App, AppError, AppResult};

/// The reports, by their code in `/api/v1/community/reports/{kind}`.
pub const KINDS: &[&str] = &[
    "projects",
    "contributions",
    "expert_visits",
    "event_attendance",
];

/// One table of a report.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Table {
    /// `by_status`, `by_sector`, `by_country`, `by_year`, `by_purpose`,
    /// `by_commune`, `visits_by_year`, `visits_by_field` or `by_event`.
    pub name: String,
    /// What the row keys are: `project_status`, `sector`, `country`, `year`,
    /// `contribution_purpose`, `new_commune`, `expertise` or `event`.
    pub key_kind: String,
    /// The value columns: `count`, `registered_vnd`, `realised_vnd`,
    /// `value_vnd`, `visits`, `experts`, `invited`, `replied_yes`, `attended`.
    pub columns: Vec<String>,
    pub rows: Vec<Line>,
    /// The total of each column (for `visits_by_field`, a visit counts in each of
    /// its expert's fields, so the total counts visits once).
    pub total: Vec<i64>,
}

/// A row: its key (a code, a year or an event id), its words when the key
/// is not a code (an event's name and day), and its figures.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Line {
    pub key: String,
    /// The row's own words (events), empty for coded rows.
    pub label: String,
    pub values: Vec<i64>,
}

/// A report: its kind and tables.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub kind: String,
    pub tables: Vec<Table>,
}

/// The reports the actor may read (the reports page lists these).
pub fn kinds_for(actor: &Actor) -> Vec<&'static str> {
    KINDS
        .iter()
        .copied()
        .filter(|k| authorize(actor, k).is_ok())
        .collect()
}

fn authorize(actor: &Actor, kind: &str) -> AppResult<()> {
    match kind {
        "projects" | "contributions" => access::authorize(actor, Action::InvestmentRead),
        "expert_visits" => access::authorize(actor, Action::StatisticsRead),
        "event_attendance" => access::authorize(actor, Action::EventRead),
        _ => Err(AppError::NotFound),
    }
}

fn total_of(rows: &[Line], width: usize) -> Vec<i64> {
    (0..width)
        .map(|i| {
            rows.iter()
                .map(|r| r.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect()
}

fn project_table(name: &str, key_kind: &str, lines: &[investment_reports::ProjectLine]) -> Table {
    let rows: Vec<Line> = lines
        .iter()
        .map(|l| Line {
            key: l.key.clone(),
            label: String::new(),
            values: vec![l.count, l.registered_vnd, l.realised_vnd],
        })
        .collect();
    Table {
        name: name.to_owned(),
        key_kind: key_kind.to_owned(),
        columns: vec![
            "count".into(),
            "registered_vnd".into(),
            "realised_vnd".into(),
        ],
        total: total_of(&rows, 3),
        rows,
    }
}

fn contribution_table(
    name: &str,
    key_kind: &str,
    lines: &[investment_reports::ContributionLine],
) -> Table {
    let rows: Vec<Line> = lines
        .iter()
        .map(|l| Line {
            key: l.key.clone(),
            label: String::new(),
            values: vec![l.count, l.vnd],
        })
        .collect();
    Table {
        name: name.to_owned(),
        key_kind: key_kind.to_owned(),
        columns: vec!["count".into(), "value_vnd".into()],
        total: total_of(&rows, 2),
        rows,
    }
}

/// Computes the report `kind` within the actor's reach.
pub async fn report(app: &App, actor: &Actor, kind: &str) -> AppResult<Report> {
    authorize(actor, kind)?;
    let tables = match kind {
        "projects" => {
            let r = investment_reports::report(app, actor, "").await?;
            vec![
                project_table("by_status", "project_status", &r.projects_by_status),
                project_table("by_sector", "sector", &r.projects_by_sector),
            ]
        }
        "contributions" => {
            let r = investment_reports::report(app, actor, "").await?;
            vec![
                contribution_table("by_country", "country", &r.contributions_by_country),
                contribution_table("by_year", "year", &r.contributions_by_year),
                contribution_table(
                    "by_purpose",
                    "contribution_purpose",
                    &r.contributions_by_purpose,
                ),
                contribution_table("by_commune", "new_commune", &r.contributions_by_commune),
            ]
        }
        "expert_visits" => expert_visits(app, actor).await?,
        _ => vec![event_attendance(app, actor).await?],
    };
    Ok(Report {
        kind: kind.to_owned(),
        tables,
    })
}

/// Visits by the year they began and by the expert's fields: visits, and
/// distinct experts; of the people within the actor's statistics reach.
async fn expert_visits(app: &App, actor: &Actor) -> AppResult<Vec<Table>> {
    let scope = crate::stats::statistics_scope(actor, 1);
    let sql = format!(
        "SELECT v.person_id, v.starts_on, COALESCE(x.fields, '') \
         FROM expert_visits v JOIN persons p ON p.id = v.person_id \
         LEFT JOIN person_expertise x ON x.person_id = v.person_id \
         WHERE p.deleted_at IS NULL AND {}",
        scope.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &scope.args {
        q = q.bind(a);
    }
    // key → (visits, people)
    let mut by_year: Vec<(String, i64, Vec<i64>)> = Vec::new();
    let mut by_field: Vec<(String, i64, Vec<i64>)> = Vec::new();
    let mut all_people: Vec<i64> = Vec::new();
    let mut visits = 0i64;
    let add = |lines: &mut Vec<(String, i64, Vec<i64>)>, key: &str, person: i64| {
        if let Some(l) = lines.iter_mut().find(|l| l.0 == key) {
            l.1 += 1;
            if !l.2.contains(&person) {
                l.2.push(person);
            }
        } else {
            lines.push((key.to_owned(), 1, vec![person]));
        }
    };
    for row in q.fetch_all(&app.db.pool).await? {
        let person: i64 = row.try_get(0)?;
        let on: String = row.try_get(1)?;
        let fields: String = row.try_get(2)?;
        visits += 1;
        if !all_people.contains(&person) {
            all_people.push(person);
        }
        add(&mut by_year, on.get(..4).unwrap_or_default(), person);
        let fields: Vec<&str> = fields
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        if fields.is_empty() {
            add(&mut by_field, "other", person);
        }
        for f in fields {
            add(&mut by_field, f, person);
        }
    }
    by_year.sort_by(|a, b| b.0.cmp(&a.0));
    let order = |k: &str| {
        super::experts::FIELDS
            .iter()
            .position(|f| *f == k)
            .unwrap_or(99)
    };
    by_field.sort_by_key(|l| order(&l.0));
    let people = i64::try_from(all_people.len()).unwrap_or(i64::MAX);
    let table = |name: &str, key_kind: &str, lines: Vec<(String, i64, Vec<i64>)>| Table {
        name: name.to_owned(),
        key_kind: key_kind.to_owned(),
        columns: vec!["visits".into(), "experts".into()],
        rows: lines
            .into_iter()
            .map(|(key, v, p)| Line {
                key,
                label: String::new(),
                values: vec![v, i64::try_from(p.len()).unwrap_or(i64::MAX)],
            })
            .collect(),
        total: vec![visits, people],
    };
    Ok(vec![
        table("visits_by_year", "year", by_year),
        table("visits_by_field", "expertise", by_field),
    ])
}

/// Per event within reach, newest first: people invited, replied yes, attended.
async fn event_attendance(app: &App, actor: &Actor) -> AppResult<Table> {
    let scope = access::event_scope(actor, 1);
    let sql = format!(
        "SELECT e.id, e.name, e.starts_on, \
         CAST(COUNT(i.id) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN i.reply = 'yes' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN i.attendance = 'attended' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM events e LEFT JOIN event_invitees i ON i.event_id = e.id \
         WHERE {} GROUP BY e.id, e.name, e.starts_on ORDER BY e.starts_on DESC, e.id DESC",
        scope.sql
    );
    let mut q = sqlx::query(&sql);
    for a in &scope.args {
        q = q.bind(a);
    }
    let rows = q
        .fetch_all(&app.db.pool)
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            let on: String = r.try_get(2)?;
            Ok(Line {
                key: id.to_string(),
                label: format!("{name} ({})", domain::dates::show(&on)),
                values: vec![r.try_get(3)?, r.try_get(4)?, r.try_get(5)?],
            })
        })
        .collect::<Result<Vec<_>, db::SqlxError>>()?;
    Ok(Table {
        name: "by_event".into(),
        key_kind: "event".into(),
        columns: vec!["invited".into(), "replied_yes".into(), "attended".into()],
        total: total_of(&rows, 3),
        rows,
    })
}

/// A row's words: its own label, or the label of its code.
fn row_words(t: &Table, l: &Line, labels: &Labels<'_>) -> String {
    if l.label.is_empty() {
        (labels.label)(&t.key_kind, &l.key)
    } else {
        l.label.clone()
    }
}

async fn audit_export(app: &App, actor: &Actor, kind: &str, format: &str) -> AppResult<()> {
    audit::record(
        app,
        actor,
        Event::new("cooperation.report_export", "report", &kind)
            .with(serde_json::json!({"format": format})),
    )
    .await
}

/// The report as an xlsx workbook (one sheet, its tables one under the
/// other, labelled in the reader's language; whole numbers). Audited.
pub async fn export_xlsx(
    app: &App,
    actor: &Actor,
    kind: &str,
    labels: &Labels<'_>,
) -> AppResult<Vec<u8>> {
    let r = report(app, actor, kind).await?;
    let bytes = write_xlsx(&r, labels).map_err(|e| AppError::Unexpected(e.into()))?;
    audit_export(app, actor, kind, "xlsx").await?;
    Ok(bytes)
}

fn write_xlsx(r: &Report, l: &Labels<'_>) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let whole = Format::new().set_num_format("#,##0");
    let sheet = book.add_worksheet();
    sheet.set_name(
        (l.text)(&format!("title_{}", r.kind))
            .chars()
            .take(31)
            .collect::<String>(),
    )?;
    sheet.write_string_with_format(0, 0, (l.text)(&format!("title_{}", r.kind)), &bold)?;
    let mut row = 2u32;
    for t in &r.tables {
        sheet.write_string_with_format(row, 0, (l.text)(&t.name), &bold)?;
        row += 1;
        sheet.write_string_with_format(row, 0, (l.text)("group"), &bold)?;
        for (c, h) in (1u16..).zip(&t.columns) {
            sheet.write_string_with_format(row, c, (l.text)(h), &bold)?;
        }
        row += 1;
        for line in &t.rows {
            sheet.write_string(row, 0, row_words(t, line, l))?;
            for (c, v) in (1u16..).zip(&line.values) {
                sheet.write_number_with_format(row, c, *v as f64, &whole)?;
            }
            row += 1;
        }
        sheet.write_string_with_format(row, 0, (l.text)("total"), &bold)?;
        for (c, v) in (1u16..).zip(&t.total) {
            sheet.write_number_with_format(row, c, *v as f64, &whole)?;
        }
        row += 2;
    }
    sheet.set_column_width(0, 52)?;
    sheet.set_column_range_width(1, 4, 20)?;
    book.save_to_buffer()
}

/// Thousands with dots, as Vietnamese documents write them.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The report as an official docx (always in Vietnamese: `labels` are the
/// Vietnamese ones). Audited.
pub async fn export_docx(
    app: &App,
    actor: &Actor,
    kind: &str,
    ctx: &ExportContext,
    labels: &Labels<'_>,
) -> AppResult<Vec<u8>> {
    let r = report(app, actor, kind).await?;
    let tables: Vec<DocTable> = r
        .tables
        .iter()
        .map(|t| {
            let mut head = vec![(labels.text)("group")];
            head.extend(t.columns.iter().map(|c| (labels.text)(c)));
            let mut total = vec![(labels.text)("total")];
            total.extend(t.total.iter().map(|v| grouped(*v)));
            DocTable {
                caption: format!("{} — {}", ctx.title, (labels.text)(&t.name)),
                head,
                rows: t
                    .rows
                    .iter()
                    .map(|line| {
                        let mut cells = vec![row_words(t, line, labels)];
                        cells.extend(line.values.iter().map(|v| grouped(*v)));
                        cells
                    })
                    .collect(),
                right_from: 1,
                total: Some(total),
            }
        })
        .collect();
    let subtitle = format!(
        "(Số liệu tính đến {}; phạm vi: {})",
        domain::dates::show(&ctx.date),
        ctx.scope
    );
    let notes = if kind == "expert_visits" {
        vec![(labels.text)("note_fields")]
    } else {
        Vec::new()
    };
    let bytes = crate::stats::export::official_docx(ctx, "BÁO CÁO", &subtitle, &tables, &notes)?;
    audit_export(app, actor, kind, "docx").await?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn figures_are_grouped_by_thousands_with_dots() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1.000");
        assert_eq!(grouped(3_335_650_000_000), "3.335.650.000.000");
        assert_eq!(grouped(-12_345), "-12.345");
    }
}
