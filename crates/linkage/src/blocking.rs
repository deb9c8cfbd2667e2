//! Blocking: the candidate pairs worth scoring.
//!
//! Several keys, each catching what the others miss (a typo in the name, a married
//! name, a missing birth date...). A block larger than the cap (a common name, a
//! shared household phone) is not compared in full: its members are sorted on other
//! attributes and each is compared with its nearest neighbours only (sorted
//! neighbourhood), so recall stays high without quadratic cost.

use crate::compare::Prepared;
use crate::normalize::hash_of;
use domain::PartialDate;
use rayon::prelude::*;

/// How members of an oversized block are ordered before the sliding window.
#[derive(Debug, Clone, Copy)]
enum Order {
    /// By birth date, then hometown.
    Date,
    /// By hometown commune, then birth date.
    Place,
    /// By family name, then birth date.
    Name,
    /// By given name, then birth date.
    Given,
    /// By city abroad, then birth date (namesakes spread over hometowns written the
    /// legacy and the new way still share a city).
    City,
}

/// One blocking rule.
struct Rule {
    name: &'static str,
    keys: fn(&Prepared, &mut Vec<u64>),
    /// Orders of the sliding windows over an oversized block (one pass each).
    orders: &'static [Order],
}

/// Birth date with day and month in a canonical order, so swaps share the key.
fn date_key(d: Option<PartialDate>) -> Option<(u16, u8, u8)> {
    let d = d?;
    let (m, day) = (d.month?, d.day?);
    Some((d.year, m.min(day), m.max(day)))
}

/// Keys of the readings of a name, through `f(family_class, given, given_full)`.
fn name_keys(r: &Prepared, out: &mut Vec<u64>, f: impl Fn(u64, u64, u64) -> Option<u64>) {
    if r.name.tokens.len() >= 2 {
        out.extend(
            r.name
                .readings()
                .filter_map(|x| f(x.family_class, x.given.hash, x.given_full_hash())),
        );
    }
}

const RULES: &[Rule] = &[
    Rule {
        name: "full_name",
        keys: |r, out| name_keys(r, out, |f, _, gf| Some(hash_of(&(0u8, f, gf)))),
        orders: &[Order::Date, Order::Place, Order::City],
    },
    Rule {
        name: "family_and_given_name",
        keys: |r, out| name_keys(r, out, |f, g, _| Some(hash_of(&(9u8, f, g)))),
        orders: &[Order::Date, Order::Place, Order::City],
    },
    Rule {
        name: "sorted_name_syllables",
        keys: |r, out| {
            if r.name.tokens.len() >= 2 {
                out.push(r.name.sorted_hash());
            }
        },
        orders: &[Order::Date],
    },
    Rule {
        name: "given_name_birth_year",
        keys: |r, out| {
            if let Some(d) = r.birth {
                out.extend(
                    r.name
                        .readings()
                        .map(|x| hash_of(&(1u8, x.given.hash, d.year))),
                );
            }
        },
        orders: &[Order::Place, Order::Name],
    },
    Rule {
        name: "birth_date",
        keys: |r, out| {
            if let Some(d) = date_key(r.birth) {
                out.push(hash_of(&(2u8, d)));
            }
        },
        orders: &[Order::Name, Order::Given],
    },
    Rule {
        name: "family_hometown_birth_year",
        keys: |r, out| {
            // Typos in the given name, a middle name changed.
            if let (Some(d), Some(c)) = (r.birth, r.hometown.commune()) {
                out.extend(
                    r.name
                        .readings()
                        .map(|x| hash_of(&(13u8, x.family_class, c.hash, d.year))),
                );
            }
        },
        orders: &[Order::Given],
    },
    Rule {
        name: "family_middle_birth_year",
        keys: |r, out| {
            if let Some(d) = r.birth {
                out.extend(
                    r.name
                        .readings()
                        .filter(|x| !x.middles.is_empty())
                        .map(|x| {
                            let middles: Vec<u64> = x.middles.iter().map(|m| m.hash).collect();
                            hash_of(&(14u8, x.family_class, middles, d.year))
                        }),
                );
            }
        },
        orders: &[Order::Place, Order::Given],
    },
    Rule {
        name: "father_and_given_name",
        keys: |r, out| {
            if r.father.tokens.len() >= 2 {
                let father = r.father.sorted_hash();
                out.extend(
                    r.name
                        .readings()
                        .map(|x| hash_of(&(12u8, father, x.given.hash))),
                );
            }
        },
        orders: &[Order::Date],
    },
    Rule {
        name: "hometown_birth_date",
        keys: |r, out| {
            if let (Some(d), Some(c)) = (date_key(r.birth), r.hometown.commune()) {
                out.push(hash_of(&(6u8, c.hash, d)));
            }
        },
        orders: &[Order::Name],
    },
    Rule {
        name: "city_abroad_birth_date",
        keys: |r, out| {
            if let (Some(d), Some(c)) = (date_key(r.birth), &r.city) {
                out.push(hash_of(&(7u8, c.hash, d)));
            }
        },
        orders: &[Order::Name],
    },
    Rule {
        name: "passport",
        keys: |r, out| {
            if r.passport.len() >= 5 {
                out.push(hash_of(&(3u8, &*r.passport)));
            }
        },
        orders: &[Order::Name],
    },
    Rule {
        name: "passport_half_hometown",
        keys: |r, out| {
            // A typo leaves one half of the number intact.
            let p = r.passport.as_bytes();
            if let (true, Some(c)) = (p.len() >= 6, r.hometown.commune()) {
                let mid = p.len() / 2;
                out.push(hash_of(&(10u8, &p[..mid], c.hash)));
                out.push(hash_of(&(11u8, &p[mid..], c.hash)));
            }
        },
        orders: &[Order::Name],
    },
    Rule {
        name: "phone",
        keys: |r, out| {
            let p = &*r.phone;
            if p.len() >= 8 {
                out.push(hash_of(&(4u8, &p[p.len() - 8..])));
            }
        },
        orders: &[Order::Name],
    },
    Rule {
        name: "email",
        keys: |r, out| {
            if !r.email.is_empty() {
                out.push(hash_of(&(5u8, &*r.email)));
            }
        },
        orders: &[Order::Name],
    },
    Rule {
        name: "family_city_birth_year",
        keys: |r, out| {
            // A western or mistyped given name, the hometown written differently:
            // the same family name, city abroad and birth year.
            if let (Some(d), Some(c)) = (r.birth, &r.city) {
                out.extend(
                    r.name
                        .readings()
                        .map(|x| hash_of(&(15u8, x.family_class, c.hash, d.year))),
                );
            }
        },
        orders: &[Order::Given],
    },
    Rule {
        name: "given_name_city",
        keys: |r, out| {
            // A mistyped family name and no birth date: the given name and the city.
            if let Some(c) = &r.city {
                out.extend(
                    r.name
                        .readings()
                        .map(|x| hash_of(&(16u8, x.given.hash, c.hash))),
                );
            }
        },
        orders: &[Order::Date, Order::Name],
    },
    Rule {
        name: "family_country_birth_year",
        keys: |r, out| {
            // A given name mistyped or westernised and the hometown written
            // differently or left out: the family name, country and birth year.
            if let (Some(d), true) = (r.birth, r.country != 0) {
                out.extend(
                    r.name
                        .readings()
                        .map(|x| hash_of(&(17u8, x.family_class, r.country, d.year))),
                );
            }
        },
        orders: &[Order::Given, Order::Place],
    },
    Rule {
        name: "father_birth_year",
        keys: |r, out| {
            // The father's name, as the survey forms record it, and the year.
            if let (Some(d), true) = (r.birth, r.father.tokens.len() >= 2) {
                out.push(hash_of(&(18u8, r.father.sorted_hash(), d.year)));
            }
        },
        orders: &[Order::Name],
    },
    Rule {
        name: "given_name_hometown",
        keys: |r, out| {
            if let Some(c) = r.hometown.commune() {
                out.extend(
                    r.name
                        .readings()
                        .map(|x| hash_of(&(8u8, x.given.hash, c.hash))),
                );
            }
        },
        orders: &[Order::Date, Order::Name],
    },
];

/// Names of the blocking rules, in order.
pub fn rule_names() -> Vec<&'static str> {
    RULES.iter().map(|r| r.name).collect()
}

fn order_key(r: &Prepared, order: Order) -> u64 {
    // yyyymmdd (0 when unknown) fits in 25 bits.
    const LOW: u64 = 0x1ff_ffff;
    let date = r.birth.map_or(0u64, |d| {
        u64::from(d.year) * 10_000
            + u64::from(d.month.unwrap_or(0)) * 100
            + u64::from(d.day.unwrap_or(0))
    });
    let place = r.hometown.commune().map_or(0, |t| t.hash);
    let reading = r.name.readings().next();
    let family = reading.map_or(0, |x| x.family_class);
    let given = reading.map_or(0, |x| x.given.hash);
    match order {
        Order::Date => (date << 39) | (place >> 25),
        Order::Place => (place & !LOW) | date,
        Order::Name => (family & !LOW) | date,
        Order::Given => (given & !LOW) | date,
        Order::City => (r.city.as_ref().map_or(0, |c| c.hash) & !LOW) | date,
    }
}

/// Limits of blocking.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Blocks up to this size are compared in full.
    pub block_cap: usize,
    /// In larger blocks, each record is compared with this many following neighbours.
    pub window: usize,
}

/// Small-block keys of one record under one rule (at most two; 0 = none).
type SmallKeys = [u64; 2];

fn share_small_block(a: SmallKeys, b: SmallKeys) -> bool {
    a.iter().any(|k| *k != 0 && b.contains(k))
}

fn pack(a: u32, b: u32) -> u64 {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    (u64::from(a) << 32) | u64::from(b)
}

/// The pairs one rule proposes (deduplicated), and for each record the keys of its
/// blocks compared in full.
fn rule_pairs(records: &[Prepared], rule: &Rule, limits: Limits) -> (Vec<u64>, Vec<SmallKeys>) {
    let mut keyed: Vec<(u64, u32)> = records
        .par_iter()
        .enumerate()
        .fold(Vec::new, |mut acc, (i, r)| {
            let mut keys = Vec::with_capacity(2);
            (rule.keys)(r, &mut keys);
            keys.sort_unstable();
            keys.dedup();
            acc.extend(keys.into_iter().map(|k| (k, i as u32)));
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    keyed.par_sort_unstable();
    let blocks: Vec<&[(u64, u32)]> = keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|b| b.len() > 1)
        .collect();
    let mut small = vec![[0u64; 2]; records.len()];
    for block in blocks.iter().filter(|b| b.len() <= limits.block_cap) {
        for (k, i) in *block {
            let slot = &mut small[*i as usize];
            if slot[0] == 0 {
                slot[0] = *k;
            } else {
                slot[1] = *k;
            }
        }
    }
    let mut pairs: Vec<u64> = blocks
        .par_iter()
        .fold(Vec::new, |mut acc, block| {
            let n = block.len();
            if n <= limits.block_cap {
                for x in 0..n {
                    for y in x + 1..n {
                        acc.push(pack(block[x].1, block[y].1));
                    }
                }
                return acc;
            }
            for order in rule.orders {
                let mut members: Vec<(u64, u32)> = block
                    .iter()
                    .map(|(_, i)| (order_key(&records[*i as usize], *order), *i))
                    .collect();
                members.sort_unstable();
                for x in 0..n {
                    for y in x + 1..n.min(x + 1 + limits.window) {
                        acc.push(pack(members[x].1, members[y].1));
                    }
                }
            }
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    pairs.par_sort_unstable();
    pairs.dedup();
    (pairs, small)
}

/// Blocks rule by rule and hands each new candidate pair to `visit`, which keeps
/// what it returns. A pair an earlier rule already compared in full is skipped, so
/// nothing is held for all candidates at once (tens of millions at 1M records).
/// Returns the kept values and, per rule, the pairs it proposed and the new ones.
pub(crate) fn visit_pairs<T: Send>(
    records: &[Prepared],
    limits: Limits,
    visit: impl Fn(u32, u32) -> Option<T> + Sync,
) -> (Vec<T>, Vec<RuleStats>) {
    let mut kept = Vec::new();
    let mut stats = Vec::with_capacity(RULES.len());
    let mut earlier: Vec<Vec<SmallKeys>> = Vec::with_capacity(RULES.len());
    for rule in RULES {
        let (pairs, small) = rule_pairs(records, rule, limits);
        let fresh = std::sync::atomic::AtomicUsize::new(0);
        let mut found: Vec<T> = pairs
            .par_iter()
            .filter_map(|p| {
                let (a, b) = ((p >> 32) as usize, (*p & 0xffff_ffff) as usize);
                if earlier.iter().any(|e| share_small_block(e[a], e[b])) {
                    return None;
                }
                fresh.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                visit(a as u32, b as u32)
            })
            .collect();
        kept.append(&mut found);
        stats.push(RuleStats {
            rule: rule.name,
            proposed: pairs.len(),
            new: fresh.into_inner(),
        });
        earlier.push(small);
    }
    (kept, stats)
}

/// What one blocking rule contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleStats {
    pub rule: &'static str,
    /// Pairs the rule proposed.
    pub proposed: usize,
    /// Of which not compared by an earlier rule (and so scored).
    pub new: usize,
}

/// Every candidate pair `(i, j)`, `i < j`, deduplicated, packed as `i << 32 | j`.
pub(crate) fn candidate_pairs(records: &[Prepared], limits: Limits) -> Vec<u64> {
    let (mut all, _) = visit_pairs(records, limits, |a, b| Some(pack(a, b)));
    all.par_sort_unstable();
    all.dedup();
    all
}
