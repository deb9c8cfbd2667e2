//! Record linkage (*đối chiếu*): blocking, probabilistic scoring and clustering.
//!
//! Lists from different agencies name the same person differently: without
//! diacritics, family name last, a middle name dropped, a spouse's surname, a
//! renewed passport, a phone written `0912…` or `+84 912…`. This crate finds which
//! rows are one person and says why:
//!
//! 1. [`Record`]s are normalised (folded names in family–middle–given order,
//!    phones, passports, dates, hometowns);
//! 2. blocking keys propose candidate pairs without comparing everything;
//! 3. a Fellegi–Sunter [`Model`] trained on the data itself (u from sampled pairs,
//!    m by expectation maximisation, term-frequency adjusted names) scores them,
//!    and every score can be explained field by field ([`Comparison::explain`]);
//! 4. a clustering that refuses contradictory or weakly supported merges groups
//!    the records into people.
//!
//! Pure: no I/O beyond the generic readers and writers handed in, no clock, no
//! random numbers (pair sampling uses a fixed deterministic sequence).

mod blocking;
mod cluster;
mod compare;
mod io;
mod model;
mod normalize;

pub use blocking::{Limits, RuleStats, rule_names};
pub use cluster::ScoredPair;
pub use compare::{FIELD_COUNT, Field, Outcome};
pub use io::{Error, read_csv, run_dedupe, write_clusters_csv, write_explain_csv};
pub use model::{Model, Session, VETO_WEIGHT};

use compare::{Gamma, Prepared, gamma};
use rayon::prelude::*;

/// One row of a list, as strings (any may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub record_id: String,
    /// The list or agency the row came from.
    pub source: String,
    pub full_name: String,
    pub gender: String,
    /// `YYYY-MM-DD`, `DD/MM/YYYY`, `MM/YYYY` or a bare year.
    pub birth_date: String,
    pub country: String,
    pub city_abroad: String,
    /// Hometown (*quê quán*) as written, commune first.
    pub hometown: String,
    pub passport_no: String,
    pub phone: String,
    pub email: String,
    pub father_name: String,
    pub category: String,
    /// Codes of the hometown when the caller has resolved them; two records whose
    /// legacy or current codes agree have the same hometown whatever its spelling.
    pub hometown_codes: Option<HometownCodes>,
}

/// Codes of one commune before and after the 1 July 2025 reorganisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HometownCodes {
    /// Code of the commune before 1 July 2025 (empty when unknown).
    pub legacy: String,
    /// Code of the commune after 1 July 2025 (empty when unknown).
    pub current: String,
}

/// Settings of a deduplication run.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Match probability above which two records are linked.
    pub threshold: f64,
    /// Pairs at or above this probability are kept in [`Dedupe::pairs`] (for review).
    pub review_threshold: f64,
    /// No cluster grows beyond this many records.
    pub max_cluster_size: usize,
    /// Clusters above this size need the average cross-pair weight above the threshold.
    pub strong_size: usize,
    /// A pair whose evidence (field weights without the prior) falls below this many
    /// bits vetoes the merge of the groups it joins.
    pub min_evidence: f64,
    /// Groups of three records up to `strong_size` need this average cross
    /// weight (bits, prior included): -1 bit is an average match probability
    /// of one in three — the records across need not each reach the threshold,
    /// but must lean towards one person rather than merely not contradict.
    pub group_floor: f64,
    /// Blocking limits.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            threshold: 0.96,
            review_threshold: 0.5,
            max_cluster_size: 10,
            strong_size: 4,
            min_evidence: 4.0,
            group_floor: -1.0,
            limits: Limits {
                block_cap: 30,
                window: 8,
            },
        }
    }
}

/// Counts of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub records: usize,
    /// Pairs compared (each once, except a few proposed by two oversized blocks).
    pub candidate_pairs: usize,
    /// Pairs at or above the review threshold.
    pub scored_pairs: usize,
    pub clusters: usize,
    /// Clusters of two records or more.
    pub multi_record_clusters: usize,
    pub largest_cluster: usize,
    /// What each blocking rule proposed.
    pub blocking: Vec<RuleStats>,
}

/// The match threshold of a batch deduplication of lists (`kieubao dedupe`)
/// when none is given. Lower than the registry's automatic decisions
/// ([`Config::default`], 0.96): a cluster is also held by the floors of its
/// groups, and since a city abroad counts only beyond the country, F1 on
/// the demo and synthetic lists peaks between 0.6 and 0.9 (BENCHMARKS,
/// "City and country counted once").
pub const LIST_THRESHOLD: f64 = 0.8;

impl Config {
    /// The configuration of a deduplication of lists, with the match
    /// threshold given (0 < T < 1; the review threshold never exceeds it) or
    /// [`LIST_THRESHOLD`].
    pub fn with_threshold(threshold: Option<f64>) -> Result<Self, Error> {
        let mut config = Config {
            threshold: LIST_THRESHOLD,
            ..Config::default()
        };
        if let Some(t) = threshold {
            if !(t > 0.0 && t < 1.0) {
                return Err(Error::Threshold(t));
            }
            config.threshold = t;
            config.review_threshold = config.review_threshold.min(t);
        }
        Ok(config)
    }
}

/// Result of [`dedupe`].
#[derive(Debug, Clone)]
pub struct Dedupe {
    /// Cluster number of every input record (numbered by first appearance).
    pub cluster_ids: Vec<u32>,
    /// Pairs scoring at or above the review threshold, strongest first.
    pub pairs: Vec<ScoredPair>,
    /// The model trained on the input.
    pub model: Model,
    pub summary: Summary,
}

fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

fn weight_of(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

/// Finds which records are the same person.
pub fn dedupe(records: &[Record], config: &Config) -> Dedupe {
    let prepared: Vec<Prepared> = records.par_iter().map(Prepared::new).collect();
    dedupe_prepared(&prepared, config)
}

pub(crate) fn dedupe_prepared(prepared: &[Prepared], config: &Config) -> Dedupe {
    let model = Model::train(prepared);
    let keep = weight_of(config.review_threshold.min(config.threshold));
    let (mut pairs, blocking) = blocking::visit_pairs(prepared, config.limits, |a, b| {
        let g = gamma(&prepared[a as usize], &prepared[b as usize]);
        let weight = model.score(&g);
        (weight >= keep).then(|| ScoredPair {
            a,
            b,
            weight,
            probability: probability(weight),
        })
    });
    // Oversized blocks may propose a pair twice.
    pairs.par_sort_unstable_by_key(|p| (p.a, p.b));
    pairs.dedup_by_key(|p| (p.a, p.b));
    pairs.par_sort_unstable_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let cluster_ids = cluster::cluster(
        prepared,
        &model,
        &pairs,
        cluster::Params {
            threshold_weight: weight_of(config.threshold),
            min_evidence: config.min_evidence,
            max_size: config.max_cluster_size.max(1),
            strong_size: config.strong_size,
            group_floor: config.group_floor,
        },
    );
    let mut sizes = vec![0usize; prepared.len()];
    for c in &cluster_ids {
        sizes[*c as usize] += 1;
    }
    let summary = Summary {
        records: prepared.len(),
        candidate_pairs: blocking.iter().map(|r| r.new).sum(),
        scored_pairs: pairs.len(),
        clusters: sizes.iter().filter(|s| **s > 0).count(),
        multi_record_clusters: sizes.iter().filter(|s| **s > 1).count(),
        largest_cluster: sizes.iter().copied().max().unwrap_or(0),
        blocking,
    };
    Dedupe {
        cluster_ids,
        pairs,
        model,
        summary,
    }
}

/// The candidate pairs blocking proposes, `(i, j)` with `i < j` (for measuring
/// blocking recall).
pub fn candidate_pairs(records: &[Record], limits: Limits) -> Vec<(u32, u32)> {
    let prepared: Vec<Prepared> = records.par_iter().map(Prepared::new).collect();
    blocking::candidate_pairs(&prepared, limits)
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect()
}

/// How one field of a pair compared.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldComparison {
    pub field: Field,
    /// Name of the agreement level (`exact`, `day_month_swapped`, `missing`...).
    pub level: &'static str,
    pub outcome: Outcome,
    /// Contribution to the match weight, in bits (term-frequency adjustment included).
    pub weight: f64,
}

/// The explained score of one pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub fields: Vec<FieldComparison>,
    /// Prior log2 odds of the model.
    pub prior_weight: f64,
    /// Total match weight in bits.
    pub weight: f64,
    pub probability: f64,
    /// The given names disagree and the birth years are decades apart: two
    /// people, the weight held at [`VETO_WEIGHT`] bits or below whatever the
    /// fields add up to.
    pub vetoed: bool,
}

impl Comparison {
    fn from_gamma(g: &Gamma, model: &Model) -> Self {
        let fields: Vec<FieldComparison> = Field::ALL
            .iter()
            .map(|f| {
                let level = g.levels[f.index()];
                FieldComparison {
                    field: *f,
                    level: f.levels()[usize::from(level)],
                    outcome: Outcome::of(*f, level),
                    weight: model.field_weight(*f, level, g.tf[f.index()]),
                }
            })
            .collect();
        let mut weight = model.prior_weight + fields.iter().map(|f| f.weight).sum::<f64>();
        let vetoed = model::vetoed(g);
        if vetoed {
            weight = weight.min(model::VETO_WEIGHT);
        }
        Self {
            fields,
            prior_weight: model.prior_weight,
            weight,
            probability: probability(weight),
            vetoed,
        }
    }

    /// One line per field: `family_name: exact (agree) +2.31 bits`, then the total.
    pub fn explain(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        for f in &self.fields {
            let _ = writeln!(
                s,
                "{}: {} ({}) {:+.2} bits",
                f.field.code(),
                f.level,
                f.outcome.code(),
                f.weight
            );
        }
        let _ = writeln!(s, "prior: {:+.2} bits", self.prior_weight);
        if self.vetoed {
            let _ = writeln!(
                s,
                "veto: given names disagree and birth years decades apart, at most {VETO_WEIGHT:+.2} bits"
            );
        }
        let _ = write!(
            s,
            "total: {:+.2} bits, match probability {:.4}",
            self.weight, self.probability
        );
        s
    }

    /// The comparison of one field.
    pub fn field(&self, field: Field) -> &FieldComparison {
        &self.fields[field.index()]
    }
}

/// Resolves each written hometown to its legacy and new commune codes, so
/// that "Xã Thạch Long, Huyện Thạch Hà" and the merged commune's new name
/// compare as the same place. Only confident, commune-level answers are
/// used; a divided commune's guessed successor is left out.
pub fn resolve_hometowns(records: &mut [Record]) -> usize {
    HometownResolver::default().resolve(records)
}

/// [`resolve_hometowns`] with its cache kept across batches.
#[derive(Debug, Default)]
pub struct HometownResolver {
    cache: std::collections::HashMap<String, Option<HometownCodes>>,
}

impl HometownResolver {
    /// Fills the codes of the records that have none; answers how many were resolved.
    pub fn resolve(&mut self, records: &mut [Record]) -> usize {
        use domain::geo::{Level, Outcome, resolve_hometown};
        let mut resolved = 0;
        for r in records
            .iter_mut()
            .filter(|r| r.hometown_codes.is_none() && !r.hometown.is_empty())
        {
            let codes = self
                .cache
                .entry(r.hometown.clone())
                .or_insert_with(|| {
                    let res = resolve_hometown(&r.hometown, None);
                    let place = &res.place;
                    (matches!(res.outcome, Outcome::Resolved)
                        && place.level == Level::Commune
                        && res.confidence >= 0.8)
                        .then(|| HometownCodes {
                            legacy: place.legacy_commune.unwrap_or_default().to_owned(),
                            current: place
                                .new_commune
                                .filter(|_| !place.new_commune_is_guess)
                                .unwrap_or_default()
                                .to_owned(),
                        })
                })
                .clone();
            if codes.is_some() {
                resolved += 1;
            }
            r.hometown_codes = codes;
        }
        resolved
    }
}

/// Compares two records with a model and explains the score.
pub fn compare(a: &Record, b: &Record, model: &Model) -> Comparison {
    let g = gamma(&Prepared::new(a), &Prepared::new(b));
    Comparison::from_gamma(&g, model)
}

#[cfg(test)]
mod synth;
#[cfg(test)]
mod tests;
