//! Clustering of scored pairs into people.
//!
//! Connected components at one threshold chain unrelated people through weak or
//! sparse links (a bare "Nguyễn Văn Hùng, 1985" joining every namesake). Here the
//! links are taken strongest first, and two groups merge only when
//!
//! * no pair across them contradicts the merge: each cross pair's evidence (the
//!   sum of its field weights, without the prior) stays above a floor, so one
//!   record's birth date or passport disagreeing with another's vetoes it;
//! * the merged group stays within the size cap;
//! * a group of three or four needs the average match weight across to reach
//!   a floor (−1 bit by default): the third record must lean towards the
//!   others, not merely not contradict them; and
//! * above a few records, the average match weight across the two groups still
//!   reaches the threshold: large groups need strong evidence all round.

use crate::compare::{Prepared, gamma};
use crate::model::Model;
use rustc_hash::FxHashMap;

/// A scored candidate pair (indices into the input records).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    /// Match weight in bits (log2 odds), prior included.
    pub weight: f64,
    /// Match probability.
    pub probability: f64,
}

/// Parameters of the clustering.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    pub threshold_weight: f64,
    pub min_evidence: f64,
    pub max_size: usize,
    pub strong_size: usize,
    /// Least average cross weight (bits, prior included) of a merge into a
    /// group of three or more records, up to `strong_size`.
    pub group_floor: f64,
}

/// Returns the cluster number of every record, numbered by first appearance.
pub(crate) fn cluster(
    records: &[Prepared],
    model: &Model,
    pairs: &[ScoredPair],
    params: Params,
) -> Vec<u32> {
    let n = records.len();
    let mut order: Vec<&ScoredPair> = pairs
        .iter()
        .filter(|p| p.weight >= params.threshold_weight)
        .collect();
    order.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    // Every scored pair's weight (the others are scored when needed).
    let known: FxHashMap<(u32, u32), f64> = pairs
        .iter()
        .map(|p| ((p.a.min(p.b), p.a.max(p.b)), p.weight))
        .collect();
    // Cluster representative of each record, and members of clusters with 2+ records.
    let mut head: Vec<u32> = (0..n as u32).collect();
    let mut members: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    let pair_score = |x: u32, y: u32| -> (f64, f64) {
        let (x, y) = if x < y { (x, y) } else { (y, x) };
        let g = gamma(&records[x as usize], &records[y as usize]);
        let weight = known
            .get(&(x, y))
            .copied()
            .unwrap_or_else(|| model.score(&g));
        (weight, weight - model.prior_weight)
    };
    for p in order {
        let (ha, hb) = (head[p.a as usize], head[p.b as usize]);
        if ha == hb {
            continue;
        }
        let ma = members.get(&ha).cloned().unwrap_or_else(|| vec![ha]);
        let mb = members.get(&hb).cloned().unwrap_or_else(|| vec![hb]);
        let size = ma.len() + mb.len();
        if size > params.max_size {
            continue;
        }
        let mut ok = true;
        let mut sum = 0.0;
        'check: for x in &ma {
            for y in &mb {
                let (w, evidence) = pair_score(*x, *y);
                if evidence < params.min_evidence {
                    ok = false;
                    break 'check;
                }
                sum += w;
            }
        }
        if ok && size > params.strong_size {
            ok = sum / (ma.len() * mb.len()) as f64 >= params.threshold_weight;
        } else if ok && size >= 3 {
            ok = sum / (ma.len() * mb.len()) as f64 >= params.group_floor;
        }
        if !ok {
            continue;
        }
        let (keep, gone, mut moved) = if ma.len() >= mb.len() {
            (ha, hb, mb)
        } else {
            (hb, ha, ma)
        };
        for r in &moved {
            head[*r as usize] = keep;
        }
        members.remove(&gone);
        let entry = members.entry(keep).or_insert_with(|| vec![keep]);
        entry.append(&mut moved);
    }
    // Number clusters by first appearance.
    let mut ids: FxHashMap<u32, u32> = FxHashMap::default();
    head.iter()
        .map(|h| {
            let next = ids.len() as u32;
            *ids.entry(*h).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Record;

    fn pair(a: u32, b: u32, weight: f64) -> ScoredPair {
        ScoredPair {
            a,
            b,
            weight,
            probability: 1.0 / (1.0 + (-weight).exp2()),
        }
    }

    /// A third record joins a pair only when it leans towards both on
    /// average, not merely when nothing across contradicts it.
    #[test]
    fn a_group_of_three_needs_the_floor_on_average() {
        let records: Vec<Prepared> = (0..3).map(|_| Prepared::new(&Record::default())).collect();
        let model = Model::default();
        // A–B strong, B–C above the threshold, A–C weak (-9 bits) but with
        // evidence above the veto (-9 - prior -14 = 5 bits >= 4).
        let pairs = [pair(0, 1, 20.0), pair(1, 2, 5.0), pair(0, 2, -9.0)];
        let params = Params {
            threshold_weight: 4.0,
            min_evidence: 4.0,
            max_size: 10,
            strong_size: 4,
            group_floor: -1.0,
        };
        let ids = cluster(&records, &model, &pairs, params);
        assert_eq!(ids[0], ids[1]);
        assert_ne!(ids[1], ids[2], "average (5 - 9) / 2 = -2 bits < -1");
        let ids = cluster(
            &records,
            &model,
            &[pair(0, 1, 20.0), pair(1, 2, 5.0), pair(0, 2, -6.0)],
            params,
        );
        assert_eq!(ids[1], ids[2], "average (5 - 6) / 2 = -0.5 bits >= -1");
        assert!(
            (model.prior_weight + 14.0).abs() < 1e-9,
            "the evidence above assumes a prior of -14 bits"
        );
    }
}
