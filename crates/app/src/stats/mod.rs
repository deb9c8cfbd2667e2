//! Staff statistics (issue 9): exact counts of live people (and of their
//! relatives and households) by one or two dimensions, with filters, always
//! within the actor's jurisdiction.
//!
//! Two engines give the same figures:
//! - [`memory`]: columnar small-integer arrays per dimension held by each
//!   server and caught up from `persons.change_seq` before every query (the
//!   mechanism of [`crate::registry::search`]), one scan per pivot — the fast path for
//!   the people measure;
//! - [`sql`]: a plain `GROUP BY` on the database — the peer used for the
//!   households and relatives measures (relatives carry no change number) and
//!   as the reference of the tests and of the benchmark.
//!
//! A pivot "as of" an earlier day ([`PivotSpec::as_of`]) is computed from the
//! history instead: each person's last version recorded before the next day
//! (deleted, merged and undone records are left out), the sources added and
//! the relatives and households that existed by then (on the record they
//! hung on that day, when a merge has moved them since), in columns built
//! for the query ([`memory::as_of`]).
//!
//! Access: `StatisticsRead`. Counts carry no personal data, so leadership
//! (statistics-only) accounts see the province's figures; every other role
//! sees its jurisdiction ([`crate::access::person_scope`] in SQL, the same rule in
//! memory). Drill-down to people goes through the people list, which checks
//! `PersonList` itself.

pub mod export;
pub mod memory;
pub mod pdf;
pub mod pivots;
pub mod public;
pub mod saved;
pub mod sql;

use serde::Serialize;

use crate::access::{self, Action};
use crate::{Actor, App, AppError, AppResult, FieldError};

pub use memory::StatsIndex;
pub use pivots::*;

/// Computes a pivot within the actor's jurisdiction.
#[tracing::instrument(skip_all)]
pub async fn pivot(app: &App, actor: &Actor, spec: &PivotSpec, engine: Engine) -> AppResult<Pivot> {
    access::authorize(actor, Action::StatisticsRead)?;
    spec.validate()?;
    let started = std::time::Instant::now();
    if spec.as_of.is_some() && memory::uses_source_fields(spec) {
        // The history keeps the people's versions, not their sources' own
        // fields: such figures are today's only.
        return Err(AppError::Invalid(vec![FieldError::new(
            "as_of",
            "not_with_source_fields",
        )]));
    }
    if spec.as_of.is_some() && spec.consent.is_some() {
        // Consent acts are not part of the people's versions: a consent
        // filter counts today's figures only.
        return Err(AppError::Invalid(vec![FieldError::new(
            "as_of",
            "not_with_consent",
        )]));
    }
    if let Some(day) = &spec.as_of {
        let day = parse_day(day)
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("as_of", "invalid_date")]))?;
        // Everything recorded before the next day counts.
        let until = day.next_day().map_or_else(
            || "9999-12-31".to_owned(),
            |d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
        );
        let jurisdiction = statistics_jurisdiction(actor);
        let members = memory::member_ids(app, &jurisdiction).await?;
        let counts = memory::as_of(
            app,
            &jurisdiction,
            members.as_ref(),
            spec,
            &until,
            i64::from(day.year()),
        )
        .await?;
        return Ok(finish(
            spec,
            &counts,
            "history",
            started.elapsed().as_secs_f64() * 1000.0,
        ));
    }
    let year = current_year();
    if engine == Engine::Sql || spec.measure != Measure::People {
        let counts = sql::counts(app, actor, spec, year).await?;
        return Ok(finish(
            spec,
            &counts,
            "sql",
            started.elapsed().as_secs_f64() * 1000.0,
        ));
    }
    app.stats.catch_up(app).await?;
    let jurisdiction = statistics_jurisdiction(actor);
    let members = memory::member_ids(app, &jurisdiction).await?;
    let consent = match &spec.consent {
        Some(c) => Some(crate::registry::people::consent_ids(app, c).await?),
        None => None,
    };
    let counts = app.stats.counts(
        &jurisdiction,
        members.as_ref(),
        consent.as_ref(),
        spec,
        year,
    )?;
    let (counts, engine) = if let Some(c) = counts {
        (c, "memory")
    } else {
        (sql::counts(app, actor, spec, year).await?, "sql")
    };
    Ok(finish(
        spec,
        &counts,
        engine,
        started.elapsed().as_secs_f64() * 1000.0,
    ))
}

/// The dashboard: a total and one breakdown per dimension shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub total: i64,
    pub households: i64,
    pub relatives: i64,
    pub breakdowns: Vec<Pivot>,
    /// Survey rounds × category, when any source names a round.
    pub trend: Option<Pivot>,
}

/// The dimensions the dashboard breaks the total down by.
pub const DASHBOARD_DIMS: &[Dim] = &[
    Dim::Category,
    Dim::Generation,
    Dim::Country,
    Dim::Commune,
    Dim::LegacyDistrict,
    Dim::Tag,
    Dim::Gender,
    Dim::AgeBand,
];

/// Computes the dashboard's figures within the actor's jurisdiction, with
/// the filters (and the consent filter) of `base`.
pub async fn dashboard(app: &App, actor: &Actor, base: &PivotSpec) -> AppResult<Dashboard> {
    let filters = &base.filters;
    let with = |rows: Dim, cols: Option<Dim>| {
        let mut spec = PivotSpec::new(rows, cols);
        spec.filters.clone_from(filters);
        spec.consent.clone_from(&base.consent);
        spec
    };
    let mut breakdowns = Vec::new();
    let mut total = 0;
    for d in DASHBOARD_DIMS {
        let spec = with(*d, None);
        let p = pivot(app, actor, &spec, Engine::Auto).await?;
        total = p.total;
        breakdowns.push(p);
    }
    let mut spec = with(Dim::Category, None);
    spec.measure = Measure::Households;
    let households = pivot(app, actor, &spec, Engine::Auto).await?.total;
    spec.measure = Measure::Relatives;
    let relatives = pivot(app, actor, &spec, Engine::Auto).await?.total;
    let spec = with(Dim::SurveyRound, Some(Dim::Category));
    let trend = pivot(app, actor, &spec, Engine::Auto).await?;
    let trend = trend
        .rows
        .iter()
        .any(|h| !h.code.is_empty())
        .then_some(trend);
    Ok(Dashboard {
        total,
        households,
        relatives,
        breakdowns,
        trend,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::age::age_band;

    #[test]
    fn age_bands_cover_every_age_once() {
        assert_eq!(age_band(2026, 2026), "under_18");
        assert_eq!(age_band(2008, 2026), "18_29");
        assert_eq!(age_band(2009, 2026), "under_18");
        assert_eq!(age_band(1966, 2026), "60_plus");
        assert_eq!(age_band(1967, 2026), "45_59");
    }

    #[test]
    fn spec_round_trips_through_its_query_pairs() {
        let pairs: Vec<(String, String)> = [
            ("rows", "commune"),
            ("cols", "country"),
            ("measure", "households"),
            ("category", "migrant,study_abroad"),
            ("country", "kr"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        let spec = PivotSpec::from_pairs(&pairs).unwrap();
        assert_eq!(spec.rows, Dim::Commune);
        assert_eq!(spec.cols, Some(Dim::Country));
        assert_eq!(spec.measure, Measure::Households);
        assert_eq!(
            spec.filters,
            vec![
                (
                    Dim::Category,
                    vec!["migrant".to_owned(), "study_abroad".to_owned()]
                ),
                (Dim::Country, vec!["KR".to_owned()]),
            ]
        );
        assert_eq!(PivotSpec::from_pairs(&spec.to_pairs()).unwrap(), spec);
    }

    #[test]
    fn same_dimension_twice_is_refused() {
        let pairs = vec![
            ("rows".to_owned(), "tag".to_owned()),
            ("cols".to_owned(), "tag".to_owned()),
        ];
        assert!(matches!(
            PivotSpec::from_pairs(&pairs),
            Err(AppError::Invalid(_))
        ));
    }
}
