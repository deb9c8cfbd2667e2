//! Small deterministic sampling helpers over a `ChaCha8Rng`.
//!
//! Only integer draws on fixed-width types are used (`u32`, `i32`), never `usize`
//! ranges, so that the sequence is identical on 32- and 64-bit platforms.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The generator's random number generator: portable and reproducible.
pub type DemoRng = ChaCha8Rng;

/// A weighted table with cumulative weights, built once and sampled many times.
#[derive(Debug, Clone)]
pub(crate) struct Table<T> {
    items: Vec<T>,
    cumulative: Vec<u32>,
    /// Item index for every value below the total, when the total is small:
    /// sampling is then one draw and one lookup.
    lookup: Vec<u16>,
}

/// Largest total weight for which a lookup array is built.
const LOOKUP_LIMIT: u32 = 1 << 14;

impl<T: Copy> Table<T> {
    /// Builds a table; items of weight zero are left out. `fallback` is used when
    /// every weight is zero so that sampling never fails.
    pub(crate) fn new(pairs: &[(T, u32)], fallback: T) -> Self {
        let mut items = Vec::with_capacity(pairs.len());
        let mut cumulative = Vec::with_capacity(pairs.len());
        let mut total: u32 = 0;
        for &(item, weight) in pairs {
            if weight == 0 {
                continue;
            }
            total = total.saturating_add(weight);
            items.push(item);
            cumulative.push(total);
        }
        if items.is_empty() {
            items.push(fallback);
            cumulative.push(1);
            total = 1;
        }
        let mut lookup = Vec::new();
        if total <= LOOKUP_LIMIT && u16::try_from(items.len()).is_ok() {
            lookup.reserve(total as usize);
            let mut start = 0;
            for (i, &end) in cumulative.iter().enumerate() {
                lookup.extend(std::iter::repeat_n(i as u16, (end - start) as usize));
                start = end;
            }
        }
        Self {
            items,
            cumulative,
            lookup,
        }
    }

    /// Draws one item in proportion to its weight.
    pub(crate) fn pick(&self, rng: &mut DemoRng) -> T {
        let total = self.cumulative.last().copied().unwrap_or(1);
        let x = rng.gen_range(0..total);
        let idx = match self.lookup.get(x as usize) {
            Some(&i) => usize::from(i),
            None => self.cumulative.partition_point(|&c| c <= x),
        };
        self.items[idx.min(self.items.len() - 1)]
    }

    /// Items with their weights (not cumulative), in table order.
    pub(crate) fn weights(&self) -> impl Iterator<Item = (T, u32)> + '_ {
        self.items.iter().enumerate().map(|(i, &item)| {
            let before = if i == 0 { 0 } else { self.cumulative[i - 1] };
            (item, self.cumulative[i] - before)
        })
    }

    /// Sum of the weights.
    pub(crate) fn total(&self) -> u32 {
        self.cumulative.last().copied().unwrap_or(1)
    }
}

/// Index drawn in proportion to small inline weights (0 when all are zero).
pub(crate) fn weighted(rng: &mut DemoRng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut x = rng.gen_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    0
}

/// True with probability `per_mille` / 1000.
pub(crate) fn chance(rng: &mut DemoRng, per_mille: u32) -> bool {
    rng.gen_range(0..1000u32) < per_mille
}

/// Uniform integer in `lo..=hi`; `lo` when the range is empty.
pub(crate) fn between(rng: &mut DemoRng, lo: i32, hi: i32) -> i32 {
    if hi <= lo {
        return lo;
    }
    rng.gen_range(lo..=hi)
}

/// Roughly bell-shaped integer in `lo..=hi` (mean of two uniform draws).
pub(crate) fn hump(rng: &mut DemoRng, lo: i32, hi: i32) -> i32 {
    if hi <= lo {
        return lo;
    }
    let a = rng.gen_range(lo..=hi);
    let b = rng.gen_range(lo..=hi);
    // Rounds half towards the lower value; stays inside the range.
    lo + (a - lo + b - lo) / 2
}

/// Uniform index below `len` (which must fit in a `u32`); 0 for an empty slice.
pub(crate) fn index(rng: &mut DemoRng, len: usize) -> usize {
    if len <= 1 {
        return 0;
    }
    let n = u32::try_from(len).unwrap_or(u32::MAX);
    rng.gen_range(0..n) as usize
}

/// One element of a non-empty slice, uniformly.
pub(crate) fn one_of<T: Copy>(rng: &mut DemoRng, items: &[T], fallback: T) -> T {
    items
        .get(index(rng, items.len()))
        .copied()
        .unwrap_or(fallback)
}

/// Appends `count` random decimal digits to `out`.
pub(crate) fn push_digits(rng: &mut DemoRng, out: &mut String, count: usize) {
    for _ in 0..count {
        let d = rng.gen_range(0..10u8);
        out.push(char::from(b'0' + d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn table_respects_weights_and_skips_zero() {
        let t = Table::new(&[("a", 1), ("b", 0), ("c", 3)], "z");
        let mut rng = DemoRng::seed_from_u64(1);
        let mut counts = [0u32; 2];
        for _ in 0..4000 {
            match t.pick(&mut rng) {
                "a" => counts[0] += 1,
                "c" => counts[1] += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert!((800..1200).contains(&counts[0]), "{counts:?}");
        assert_eq!(t.total(), 4);
        assert_eq!(t.weights().collect::<Vec<_>>(), vec![("a", 1), ("c", 3)]);
    }

    #[test]
    fn empty_table_falls_back() {
        let t = Table::new(&[("a", 0)], "z");
        let mut rng = DemoRng::seed_from_u64(1);
        assert_eq!(t.pick(&mut rng), "z");
    }

    #[test]
    fn ranges_stay_inside() {
        let mut rng = DemoRng::seed_from_u64(2);
        for _ in 0..1000 {
            let h = hump(&mut rng, 18, 45);
            assert!((18..=45).contains(&h));
            let b = between(&mut rng, 3, 4);
            assert!((3..=4).contains(&b));
        }
        assert_eq!(between(&mut rng, 5, 2), 5);
    }
}
