//! Fellegi–Sunter model: per-field m and u probabilities, term-frequency tables,
//! and their estimation from the data.
//!
//! * u (how often two *different* people agree at each level) is measured on a
//!   deterministic sample of record pairs, nearly all of which are non-matches;
//!   for exact levels it is computed from value frequencies instead.
//! * m (how often the *same* person agrees) is estimated by expectation
//!   maximisation on pairs blocked on one field, leaving that field out of the
//!   likelihood (the approach of Splink's training sessions): once on pairs sharing
//!   a birth date, once on pairs sharing a name.
//! * Agreement on a frequent value (*Nguyễn*, *Văn Hùng*) counts for less than on a
//!   rare one: the exact-level weight is adjusted by `log2(Σp² / p_value)`.

use crate::compare::{FIELD_COUNT, Field, Gamma, Prepared, gamma};
use crate::normalize::{hash_of, mix};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Weight (bits) a pair is held to when its given names disagree and its
/// birth years are decades apart: two people, whatever else they share (a
/// family name, a commune, a city abroad — a father and his son).
pub const VETO_WEIGHT: f64 = -30.0;

/// True when the given names disagree and the birth years are decades apart.
pub(crate) fn vetoed(g: &Gamma) -> bool {
    let last = |f: Field| g.levels[f.index()] == f.level_count() as u8 - 1;
    last(Field::GivenName) && last(Field::BirthDate)
}

/// How many random pairs are compared to estimate u.
const U_SAMPLES: u64 = 1_500_000;
/// Largest number of pairs in one EM session.
const MAX_TRAIN_PAIRS: usize = 1_500_000;
/// Members of one block used for training (larger blocks are truncated).
const TRAIN_BLOCK_MEMBERS: usize = 40;
/// Bounds of a term-frequency adjustment, in bits.
const TF_MIN: f64 = -6.0;
const TF_MAX: f64 = 10.0;

/// Frequencies of the values of one field.
#[derive(Debug, Clone, Default)]
pub(crate) struct TfTable {
    counts: FxHashMap<u64, u32>,
    total: f64,
    /// Probability that two random non-empty values are equal: Σ p².
    sum_sq: f64,
}

impl TfTable {
    fn build(keys: impl Iterator<Item = u64>) -> Self {
        let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
        let mut total = 0u64;
        for k in keys {
            *counts.entry(k).or_insert(0) += 1;
            total += 1;
        }
        let t = total.max(1) as f64;
        let sum_sq = counts.values().map(|c| (f64::from(*c) / t).powi(2)).sum();
        Self {
            counts,
            total: t,
            sum_sq,
        }
    }

    /// Bits to add to a level weight when two records agree on `key`.
    fn adjust(&self, key: u64) -> f64 {
        if self.sum_sq <= 0.0 {
            return 0.0;
        }
        let c = self.counts.get(&key).copied().unwrap_or(2).max(2);
        let p = f64::from(c) / self.total;
        (self.sum_sq / p).log2().clamp(TF_MIN, TF_MAX)
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TfTables {
    family: TfTable,
    given_full: TfTable,
    given: TfTable,
    commune: TfTable,
}

/// A trained Fellegi–Sunter model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Prior log2 odds that two random records are the same person.
    pub prior_weight: f64,
    /// m probabilities per field and level (index 0, "missing", unused).
    pub m: Vec<Vec<f64>>,
    /// u probabilities per field and level.
    pub u: Vec<Vec<f64>>,
    pub(crate) tf: TfTables,
    /// Training diagnostics: per session, pairs used, iterations, estimated share of matches.
    pub sessions: Vec<Session>,
}

/// One EM training run.
#[derive(Debug, Clone)]
pub struct Session {
    pub blocked_on: &'static str,
    pub pairs: usize,
    pub iterations: usize,
    pub match_share: f64,
}

/// Hand-set m probabilities: the starting point of EM and its prior (pseudo-counts),
/// used alone when there is too little data to learn from.
fn default_m(f: Field) -> &'static [f64] {
    match f {
        Field::FamilyName => &[0.0, 0.88, 0.05, 0.03, 0.04],
        Field::GivenName => &[0.0, 0.78, 0.1, 0.02, 0.03, 0.02, 0.02, 0.03],
        Field::BirthDate => &[0.0, 0.8, 0.03, 0.07, 0.03, 0.04, 0.025, 0.005],
        Field::Gender => &[0.0, 0.97, 0.03],
        Field::Passport => &[0.0, 0.75, 0.05, 0.2],
        Field::Email => &[0.0, 0.8, 0.05, 0.15],
        Field::Hometown => &[0.0, 0.6, 0.25, 0.08, 0.07],
        Field::Country => &[0.0, 0.9, 0.1],
        Field::Phone | Field::CityAbroad => &[0.0, 0.75, 0.1, 0.15],
        Field::FatherName => &[0.0, 0.75, 0.15, 0.1],
    }
}

/// Hand-set u probabilities, for tiny inputs.
fn default_u(f: Field) -> &'static [f64] {
    match f {
        Field::FamilyName => &[0.0, 0.1, 0.02, 0.04, 0.84],
        Field::GivenName => &[0.0, 0.005, 0.008, 0.01, 0.0005, 0.02, 0.03, 0.9265],
        Field::BirthDate => &[0.0, 0.0001, 0.0001, 0.003, 0.002, 0.018, 0.3768, 0.6],
        Field::Gender => &[0.0, 0.5, 0.5],
        Field::Passport | Field::Email | Field::Phone => &[0.0, 0.00001, 0.0001, 0.99989],
        Field::Hometown => &[0.0, 0.005, 0.01, 0.05, 0.935],
        Field::Country => &[0.0, 0.2, 0.8],
        Field::CityAbroad => &[0.0, 0.05, 0.02, 0.93],
        Field::FatherName => &[0.0, 0.002, 0.02, 0.978],
    }
}

impl Default for Model {
    /// An untrained model with hand-set parameters.
    fn default() -> Self {
        Self {
            prior_weight: -14.0,
            m: Field::ALL.iter().map(|f| default_m(*f).to_vec()).collect(),
            u: Field::ALL.iter().map(|f| default_u(*f).to_vec()).collect(),
            tf: TfTables::default(),
            sessions: Vec::new(),
        }
    }
}

impl Model {
    /// Weight (bits) of one field at one level, with term-frequency adjustment.
    pub(crate) fn field_weight(&self, f: Field, level: u8, tf_key: u64) -> f64 {
        if level == 0 {
            return 0.0;
        }
        let i = f.index();
        let l = usize::from(level);
        let base = (self.m[i][l] / self.u[i][l]).log2();
        if tf_key == 0 {
            return base;
        }
        let table = match (f, level) {
            (Field::FamilyName, 1 | 2) => &self.tf.family,
            (Field::GivenName, 1) => &self.tf.given_full,
            (Field::GivenName, 2 | 3) => &self.tf.given,
            (Field::Hometown, 1 | 2) => &self.tf.commune,
            _ => return base,
        };
        base + table.adjust(tf_key)
    }

    /// Total match weight (bits) of a comparison vector, prior included.
    pub(crate) fn score(&self, g: &Gamma) -> f64 {
        let w = self.prior_weight
            + Field::ALL
                .iter()
                .map(|f| self.field_weight(*f, g.levels[f.index()], g.tf[f.index()]))
                .sum::<f64>();
        if vetoed(g) { w.min(VETO_WEIGHT) } else { w }
    }

    /// No partial agreement is stronger evidence than the exact one: a level
    /// too rare among strangers to be seen in the sample (a "fuzzy" city, a
    /// "similar" hometown) would otherwise weigh its floor, up to 18 bits —
    /// more than agreeing exactly, and enough to call strangers one person.
    fn order_levels(&mut self) {
        for f in Field::ALL {
            let i = f.index();
            let last = f.level_count() - 1;
            let exact = self.m[i][1] / self.u[i][1];
            for l in 2..last {
                if self.m[i][l] / self.u[i][l] > exact {
                    self.u[i][l] = self.m[i][l] / exact;
                }
            }
        }
    }

    /// Trains a model on prepared records.
    pub(crate) fn train(records: &[Prepared]) -> Self {
        let mut model = Self {
            tf: build_tf(records),
            ..Self::default()
        };
        if records.len() < 2 {
            return model;
        }
        estimate_u(&mut model, records);
        model.order_levels();
        let n = records.len() as f64;
        let all_pairs = n * (n - 1.0) / 2.0;

        // Session 1: pairs sharing a full birth date; learns every field but the date.
        let (date_pairs, date_total) = training_pairs(records, |r| {
            r.birth.and_then(|d| {
                let (m, day) = (d.month?, d.day?);
                Some(hash_of(&(d.year, m, day)))
            })
        });
        let s1 = em_session(
            &model,
            records,
            &date_pairs,
            &[Field::BirthDate],
            "birth_date",
        );
        // Session 2: pairs sharing a full name; learns the date and the rest.
        let (name_pairs, name_total) = training_pairs(records, |r| {
            r.name
                .readings()
                .next()
                .filter(|_| r.name.tokens.len() >= 2)
                .map(|x| x.full_hash())
        });
        let s2 = em_session(
            &model,
            records,
            &name_pairs,
            &[Field::FamilyName, Field::GivenName],
            "full_name",
        );
        let mut sessions = Vec::new();
        let mut m_sum: Vec<Vec<f64>> = model.m.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut m_n = [0usize; FIELD_COUNT];
        let runs = [
            (&s1, date_total, &[Field::BirthDate][..]),
            (&s2, name_total, &[Field::FamilyName, Field::GivenName][..]),
        ];
        for (s, _, key_fields) in &runs {
            let Some(s) = s else { continue };
            for f in Field::ALL {
                if key_fields.contains(&f) {
                    continue;
                }
                let i = f.index();
                for (acc, v) in m_sum[i].iter_mut().zip(&s.m[i]) {
                    *acc += v;
                }
                m_n[i] += 1;
            }
            sessions.push(s.session.clone());
        }
        for f in Field::ALL {
            let i = f.index();
            if m_n[i] > 0 {
                let k = m_n[i] as f64;
                model.m[i] = m_sum[i].iter().map(|v| (v / k).max(1e-6)).collect();
            }
        }
        // Matches among each session's pairs, scaled up by how often a match shares
        // the blocking key at all, give the number of matching pairs overall.
        let prior_estimates: Vec<f64> = runs
            .iter()
            .filter_map(|(s, total, key_fields)| {
                let s = s.as_ref()?;
                let share_key: f64 = key_fields
                    .iter()
                    .map(|f| model.m[f.index()][1] * presence(records, *f))
                    .product();
                (share_key > 0.0).then(|| s.session.match_share * total / share_key / all_pairs)
            })
            .collect();
        if prior_estimates.is_empty() {
            // About one duplicate per record as a fallback.
            model.prior_weight = (1.0 / n).log2();
        } else {
            // Geometric mean: the estimates are odds of very different sizes.
            let log_mean = prior_estimates
                .iter()
                .map(|l| l.max(1e-15).ln())
                .sum::<f64>()
                / prior_estimates.len() as f64;
            let lambda = log_mean.exp().clamp(1e-12, 0.5);
            model.prior_weight = (lambda / (1.0 - lambda)).log2();
        }
        model.sessions = sessions;
        model.order_levels();
        model
    }
}

/// Share of records with a value in the field (for "both present" corrections).
fn presence(records: &[Prepared], f: Field) -> f64 {
    if f == Field::GivenName {
        return 1.0; // counted with the family name
    }
    let n = records.len().max(1) as f64;
    let present = records
        .iter()
        .filter(|r| match f {
            Field::BirthDate => r.birth.is_some_and(|d| d.day.is_some()),
            Field::FamilyName | Field::GivenName => r.name.tokens.len() >= 2,
            _ => true,
        })
        .count() as f64;
    (present / n).powi(2)
}

fn build_tf(records: &[Prepared]) -> TfTables {
    let main = |r: &Prepared| {
        r.name
            .readings()
            .next()
            .filter(|_| r.name.tokens.len() >= 2)
            .map(|x| (x.family_class, x.given_full_hash(), x.given.hash))
    };
    TfTables {
        family: TfTable::build(records.iter().filter_map(main).map(|t| t.0)),
        given_full: TfTable::build(records.iter().filter_map(main).map(|t| t.1)),
        given: TfTable::build(
            records
                .iter()
                .filter_map(|r| r.name.readings().next().map(|x| x.given.hash)),
        ),
        commune: TfTable::build(
            records
                .iter()
                .filter_map(|r| r.hometown.commune().map(|t| t.hash)),
        ),
    }
}

/// The k-th pair of a deterministic pseudo-random sequence over `n` records.
fn sample_pair(k: u64, n: u64) -> (usize, usize) {
    let a = mix(k.wrapping_mul(2).wrapping_add(0x9e37_79b9_7f4a_7c15)) % n;
    let b = mix(k.wrapping_mul(2).wrapping_add(0x6a09_e667_f3bc_c909)) % (n - 1);
    let b = if b >= a { b + 1 } else { b };
    (a as usize, b as usize)
}

fn estimate_u(model: &mut Model, records: &[Prepared]) {
    let n = records.len() as u64;
    let all = n * (n - 1) / 2;
    let counts: Vec<Vec<f64>> = if all <= U_SAMPLES {
        (0..records.len())
            .into_par_iter()
            .map(|i| {
                let mut c = empty_counts();
                for j in i + 1..records.len() {
                    add_u_levels(&mut c, &gamma(&records[i], &records[j]));
                }
                c
            })
            .reduce(empty_counts, merge_counts)
    } else {
        (0..U_SAMPLES)
            .into_par_iter()
            .fold(empty_counts, |mut c, k| {
                let (a, b) = sample_pair(k, n);
                add_u_levels(&mut c, &gamma(&records[a], &records[b]));
                c
            })
            .reduce(empty_counts, merge_counts)
    };
    for f in Field::ALL {
        let i = f.index();
        let present: f64 = counts[i][1..].iter().sum();
        if present < 100.0 {
            continue; // keep the hand-set values
        }
        let floor = 0.5 / present;
        model.u[i] = counts[i]
            .iter()
            .enumerate()
            .map(|(l, c)| {
                if l == 0 {
                    0.0
                } else {
                    (c / present).max(floor)
                }
            })
            .collect();
    }
    // Exact levels of identifiers: from value frequencies, far more precise than
    // a sample where agreements are too rare to be seen.
    let exact = |key: fn(&Prepared) -> &str| {
        TfTable::build(
            records
                .iter()
                .map(key)
                .filter(|s| !s.is_empty())
                .map(hash_of),
        )
    };
    for (f, t) in [
        (Field::Passport, &exact(|r| &r.passport)),
        (Field::Phone, &exact(|r| &r.phone)),
        (Field::Email, &exact(|r| &r.email)),
        (Field::FamilyName, &model.tf.family),
        (Field::GivenName, &model.tf.given_full),
    ] {
        // A handful of values says nothing about how often strangers share one.
        if t.total >= 100.0 && t.sum_sq > 0.0 {
            model.u[f.index()][1] = t.sum_sq;
        }
    }
}

fn empty_counts() -> Vec<Vec<f64>> {
    Field::ALL
        .iter()
        .map(|f| vec![0.0; f.level_count()])
        .collect()
}

fn merge_counts(mut a: Vec<Vec<f64>>, b: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    for (x, y) in a.iter_mut().zip(b) {
        for (p, q) in x.iter_mut().zip(y) {
            *p += q;
        }
    }
    a
}

/// Levels of a pair of strangers, for u. A city abroad is counted only
/// among pairs living in the same country: two people of one city always
/// share the country too, so an unconditional u for the city would count
/// the country's agreement a second time, and namesakes living in one city
/// were proposed as the same person far more often than they were.
fn add_u_levels(c: &mut [Vec<f64>], g: &Gamma) {
    let city = Field::CityAbroad.index();
    let same_country = g.levels[Field::Country.index()] == 1;
    for (i, l) in g.levels.iter().enumerate() {
        if i == city && !same_country {
            continue;
        }
        c[i][usize::from(*l)] += 1.0;
    }
}

/// Pairs of records sharing a key, for training: blocks are visited in key-hash
/// order (effectively random), each truncated to a few dozen members, until the
/// session budget is spent. Also returns the number of pairs all blocks hold.
fn training_pairs(
    records: &[Prepared],
    key: impl Fn(&Prepared) -> Option<u64> + Sync,
) -> (Vec<(u32, u32, f64)>, f64) {
    let mut keyed: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| key(r).map(|k| (k, i as u32)))
        .collect();
    keyed.par_sort_unstable();
    let mut pairs = Vec::new();
    let mut total = 0.0;
    for block in keyed.chunk_by(|a, b| a.0 == b.0) {
        let n = block.len() as f64;
        total += n * (n - 1.0) / 2.0;
        if pairs.len() >= MAX_TRAIN_PAIRS {
            continue;
        }
        let members = &block[..block.len().min(TRAIN_BLOCK_MEMBERS)];
        let k = members.len() as f64;
        // Each sampled pair stands for the pairs of its block left out, so shares
        // estimated on the sample hold for all blocked pairs.
        let weight = n * (n - 1.0) / (k * (k - 1.0)).max(1.0);
        for (x, a) in members.iter().enumerate() {
            for b in &members[x + 1..] {
                pairs.push((a.1, b.1, weight));
            }
        }
    }
    (pairs, total)
}

struct SessionResult {
    m: Vec<Vec<f64>>,
    session: Session,
}

/// Per pattern: number of sampled pairs, and the blocked pairs they stand for.
type Patterns = FxHashMap<[u8; FIELD_COUNT], (f64, f64)>;

/// Expectation maximisation of m (u fixed) on the patterns of one session.
fn em_session(
    model: &Model,
    records: &[Prepared],
    pairs: &[(u32, u32, f64)],
    excluded: &[Field],
    blocked_on: &'static str,
) -> Option<SessionResult> {
    if pairs.len() < 50 {
        return None;
    }
    let patterns: Patterns = pairs
        .par_iter()
        .fold(Patterns::default, |mut acc, (a, b, w)| {
            let g = gamma(&records[*a as usize], &records[*b as usize]);
            let e = acc.entry(g.levels).or_insert((0.0, 0.0));
            e.0 += 1.0;
            e.1 += w;
            acc
        })
        .reduce(Patterns::default, |mut a, b| {
            for (k, (c, w)) in b {
                let e = a.entry(k).or_insert((0.0, 0.0));
                e.0 += c;
                e.1 += w;
            }
            a
        });
    let patterns: Vec<([u8; FIELD_COUNT], (f64, f64))> = patterns.into_iter().collect();
    let active: Vec<Field> = Field::ALL
        .iter()
        .copied()
        .filter(|f| !excluded.contains(f))
        .collect();
    let mut m = model.m.clone();
    let mut lambda: f64 = 0.1;
    let mut iterations = 0;
    // Pseudo-counts pulling m towards the hand-set values when data are scarce.
    let prior_strength = 5.0;
    for _ in 0..100 {
        iterations += 1;
        let mut acc = empty_counts();
        let mut matches = 0.0;
        let mut total = 0.0;
        // EM runs on the sample as drawn (unweighted): weighting by block size lets
        // the huge blocks of common names dominate, and there the strongest latent
        // split is by place abroad, not by person.
        for (pattern, (count, _)) in &patterns {
            let p = posterior(model, &m, lambda, &active, pattern);
            let w = p * count;
            matches += w;
            total += count;
            for f in &active {
                let i = f.index();
                acc[i][usize::from(pattern[i])] += w;
            }
        }
        let new_lambda = (matches / total).clamp(1e-9, 0.999);
        let mut delta = (new_lambda - lambda).abs();
        lambda = new_lambda;
        for f in &active {
            let i = f.index();
            let prior = default_m(*f);
            let present: f64 = acc[i][1..].iter().sum::<f64>() + prior_strength;
            for l in 1..acc[i].len() {
                // Floor: no level of a true match is impossible in real lists.
                let v = ((acc[i][l] + prior_strength * prior[l]) / present).max(1e-3);
                delta = delta.max((v - m[i][l]).abs());
                m[i][l] = v;
            }
        }
        if delta < 1e-5 {
            break;
        }
    }
    // Share of matches among all blocked pairs, each sampled pair weighted by the
    // pairs of its block it stands for.
    let (mut matched, mut all) = (0.0, 0.0);
    for (pattern, (_, weight)) in &patterns {
        matched += posterior(model, &m, lambda, &active, pattern) * weight;
        all += weight;
    }
    Some(SessionResult {
        m,
        session: Session {
            blocked_on,
            pairs: pairs.len(),
            iterations,
            match_share: if all > 0.0 { matched / all } else { lambda },
        },
    })
}

/// Probability that a pattern is a match under the session's parameters.
fn posterior(
    model: &Model,
    m: &[Vec<f64>],
    lambda: f64,
    active: &[Field],
    pattern: &[u8; FIELD_COUNT],
) -> f64 {
    let mut lm = lambda.ln();
    let mut lu = (1.0 - lambda).ln();
    for f in active {
        let i = f.index();
        let l = usize::from(pattern[i]);
        if l > 0 {
            lm += m[i][l].ln();
            lu += model.u[i][l].ln();
        }
    }
    1.0 / (1.0 + (lu - lm).exp())
}
