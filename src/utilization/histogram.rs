//! Sample values in, nearest-rank p50 / p95 / max out, in memory bounded by the number of bins (never by the
//! number of samples).
//!
//! Percentile definition: **nearest rank** on the samples. With `n` samples sorted ascending, the p-th
//! percentile is the sample of rank `ceil(p × n / 100)` (at least 1); p50 of 1..=10 is 5, p95 is 10.
//! The value reported is the **upper edge of the bin** that holds that sample, so it is never below the exact
//! nearest-rank value (never undersizing) and above it by less than one bin width:
//!
//! - percentages (0..=100): 1001 bins of 0.1 point, bin `k` holds `((k-1)/10, k/10]` and bin 0 holds exactly 0.
//!   Reported with at most one decimal: at most 0.1 point above the exact value (strictly less).
//! - rates (IOPS, Mbit/s): bin 0 holds exactly 0, bin 1 holds `(0, 0.01]`, bin `k ≥ 2` holds
//!   `(0.01 × 1.01^(k-2), 0.01 × 1.01^(k-1)]`: a relative error below 1%. The bin edge is rounded **up** to two
//!   decimals, so the reported value is below `exact × 1.01 + 0.01`. The max of a rate is exact (rounded up to
//!   two decimals), and no percentile is reported above it.
//!
//! Memory: a fixed array of counters per server and metric, allocated at its first sample and never resized:
//! 1001 for a percentage and 2086 for a rate, 2 bytes each (4 once a bin passes 65,535 samples), so at most
//! about 25 KiB per server for the four metrics, whatever the number of samples.

use std::str::FromStr;
use std::sync::OnceLock;

use rust_decimal::{Decimal, RoundingStrategy};

/// Smallest positive rate kept apart: every value in `(0, 0.01]` counts as 0.01.
const RATE_FLOOR: f64 = 0.01;
/// Growth of a rate bin's upper edge over the one below it.
const RATE_GROWTH: f64 = 1.01;
/// Rates above this are refused before they reach a histogram (see `values`).
pub(crate) const RATE_MAX: f64 = 10_000_000.0;

/// Bins of a percentage: 0, 0.1, ..., 100.0.
const PERCENT_BINS: usize = 1001;

/// Counters of one histogram: 2 bytes each until one bin would pass 65,535, then 4 bytes each (the whole
/// histogram at once, which only long histories piling up in one bin ever need).
#[derive(Debug, Clone)]
enum Counts {
    Narrow(Box<[u16]>),
    Wide(Box<[u32]>),
}

/// A fixed number of counters, allocated at the first sample (a metric a server never reports takes no
/// memory), never resized: memory does not depend on how many samples arrive or how they spread.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bins {
    counts: Option<Counts>,
    total: u64,
}

impl Bins {
    /// Count one sample in `bin` of `size` bins; `false` (nothing counted) once 4,294,967,295 samples are held.
    pub(crate) fn add(&mut self, bin: u32, size: usize) -> bool {
        if self.total >= u64::from(u32::MAX) || size == 0 {
            return false;
        }
        let i = (bin as usize).min(size - 1);
        let counts = self.counts.get_or_insert_with(|| Counts::Narrow(vec![0; size].into_boxed_slice()));
        if let Counts::Narrow(narrow) = counts {
            if narrow.get(i) == Some(&u16::MAX) {
                *counts = Counts::Wide(narrow.iter().map(|c| u32::from(*c)).collect());
            }
        }
        match counts {
            Counts::Narrow(c) => {
                if let Some(c) = c.get_mut(i) {
                    *c += 1;
                }
            }
            Counts::Wide(c) => {
                if let Some(c) = c.get_mut(i) {
                    *c += 1;
                }
            }
        }
        self.total += 1;
        true
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Count of every bin, lowest first.
    fn each(&self) -> Box<dyn DoubleEndedIterator<Item = u32> + '_> {
        match &self.counts {
            None => Box::new(std::iter::empty()),
            Some(Counts::Narrow(c)) => Box::new(c.iter().map(|c| u32::from(*c))),
            Some(Counts::Wide(c)) => Box::new(c.iter().copied()),
        }
    }

    /// The bin holding the sample of 1-based `rank` in ascending order.
    pub(crate) fn bin_at_rank(&self, rank: u64) -> Option<u32> {
        let mut seen = 0u64;
        for (i, c) in self.each().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Some(i as u32);
            }
        }
        None
    }

    /// The highest bin holding a sample.
    pub(crate) fn highest(&self) -> Option<u32> {
        let len = match &self.counts {
            None => 0,
            Some(Counts::Narrow(c)) => c.len(),
            Some(Counts::Wide(c)) => c.len(),
        };
        self.each().rev().position(|c| c > 0).map(|from_top| (len - 1 - from_top) as u32)
    }
}

/// Rank (1-based) of the nearest-rank `pct`-th percentile of `n` samples: `ceil(pct × n / 100)`, at least 1.
pub(crate) fn nearest_rank(n: u64, pct: u64) -> u64 {
    (u128::from(n) * u128::from(pct)).div_ceil(100).max(1) as u64
}

/// p50, p95 and max of one metric, as handed out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Summary {
    pub samples: u64,
    pub p50: Decimal,
    pub p95: Decimal,
    pub max: Decimal,
}

/// A percentage metric in 0.1-point bins.
#[derive(Debug, Clone, Default)]
pub(crate) struct PercentHistogram {
    bins: Bins,
}

impl PercentHistogram {
    /// Count a sample given by its bin (`values::percent_bin`); `false` when the histogram is full.
    pub(crate) fn add(&mut self, bin: u32) -> bool {
        self.bins.add(bin, PERCENT_BINS)
    }

    pub(crate) fn summary(&self) -> Option<Summary> {
        let n = self.bins.total();
        let at = |pct| self.bins.bin_at_rank(nearest_rank(n, pct)).map(percent_edge);
        Some(Summary { samples: n, p50: at(50)?, p95: at(95)?, max: percent_edge(self.bins.highest()?) })
    }
}

/// Upper edge of percentage bin `bin`: `bin / 10`.
pub(crate) fn percent_edge(bin: u32) -> Decimal {
    Decimal::new(i64::from(bin), 1).normalize()
}

/// A rate metric (IOPS, Mbit/s) in log bins; its exact max is kept apart, in `ExactMax`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RateHistogram {
    bins: Bins,
}

impl RateHistogram {
    /// Count a sample given by its bin (`rate_bin`); `false` when the histogram is full.
    pub(crate) fn add(&mut self, bin: u32) -> bool {
        self.bins.add(bin, rate_edges().len())
    }

    /// p50 and p95 (never above the max) and the max, rounded up to two decimals.
    pub(crate) fn summary(&self, max: &ExactMax) -> Option<Summary> {
        let n = self.bins.total();
        let max = up2(max.max.as_ref()?.1);
        let at = |pct| self.bins.bin_at_rank(nearest_rank(n, pct)).map(|b| rate_edge(b).min(max));
        Some(Summary { samples: n, p50: at(50)?, p95: at(95)?, max })
    }
}

/// The largest sample of a rate, exact: compared as read (`f64`); its exact decimal is asked for only when it may
/// be a new max (rarely, once the largest values have been seen).
#[derive(Debug, Clone, Default)]
pub(crate) struct ExactMax {
    max: Option<(f64, Decimal)>,
}

impl ExactMax {
    pub(crate) fn offer(&mut self, value: f64, exact: impl FnOnce() -> Decimal) {
        match &mut self.max {
            Some((m, _)) if value < *m => {}
            Some((m, d)) => {
                let e = exact();
                if value > *m || e > *d {
                    *m = value;
                    *d = e;
                }
            }
            None => self.max = Some((value, exact())),
        }
    }
}

/// Round up to two decimals, trailing zeros dropped.
fn up2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::ToPositiveInfinity).normalize()
}

/// Upper edges of the rate bins as `f64` (index = bin), computed once.
fn rate_edges() -> &'static [f64] {
    static EDGES: OnceLock<Vec<f64>> = OnceLock::new();
    EDGES.get_or_init(|| {
        let mut edges = vec![0.0, RATE_FLOOR];
        let mut k = 1;
        while edges.last().is_some_and(|e| *e <= RATE_MAX * RATE_GROWTH) {
            edges.push(RATE_FLOOR * RATE_GROWTH.powi(k));
            k += 1;
        }
        edges
    })
}

/// The bin of a rate: the first whose upper edge is at or above the value. The value is first nudged up by a
/// few units in the last place, so that the edge also covers the exact decimal the `f64` was parsed from.
pub(crate) fn rate_bin(value: f64) -> u32 {
    let edges = rate_edges();
    if value.is_nan() || value <= 0.0 {
        return 0;
    }
    let v = f64::from_bits(value.to_bits().saturating_add(4));
    if v <= RATE_FLOOR {
        return 1;
    }
    let last = edges.len() - 1;
    let guess = 1.0 + ((v / RATE_FLOOR).ln() / RATE_GROWTH.ln()).ceil();
    let mut bin = if guess.is_finite() { (guess as usize).clamp(1, last) } else { last };
    while bin < last && edges.get(bin).is_some_and(|e| *e < v) {
        bin += 1;
    }
    while bin > 1 && edges.get(bin - 1).is_some_and(|e| *e >= v) {
        bin -= 1;
    }
    bin as u32
}

/// Upper edge of rate bin `bin`, rounded up to two decimals. The edge is taken as the shortest decimal that
/// reads back as the same `f64` (0.01, not 0.01000000000000000020816...): it may sit half a unit in the last
/// place below the binary edge, which the few units `rate_bin` adds to every value more than cover.
fn rate_edge(bin: u32) -> Decimal {
    let edge = rate_edges().get(bin as usize).copied().unwrap_or(RATE_MAX * RATE_GROWTH);
    up2(Decimal::from_str(&edge.to_string()).unwrap_or(Decimal::MAX))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn exact_rank(sorted: &[u64], pct: u64) -> u64 {
        sorted[nearest_rank(sorted.len() as u64, pct) as usize - 1]
    }

    #[test]
    fn ranks() {
        assert_eq!(nearest_rank(10, 50), 5);
        assert_eq!(nearest_rank(10, 95), 10);
        assert_eq!(nearest_rank(20, 95), 19);
        assert_eq!(nearest_rank(1, 50), 1);
        assert_eq!(nearest_rank(3, 50), 2);
    }

    #[test]
    fn bins_count_and_widen() {
        let mut b = Bins::default();
        assert_eq!(b.highest(), None);
        for bin in [50, 10, 70, 10] {
            assert!(b.add(bin, 100));
        }
        assert_eq!(b.total(), 4);
        assert_eq!(b.bin_at_rank(1), Some(10));
        assert_eq!(b.bin_at_rank(2), Some(10));
        assert_eq!(b.bin_at_rank(3), Some(50));
        assert_eq!(b.bin_at_rank(4), Some(70));
        assert_eq!(b.bin_at_rank(5), None);
        assert_eq!(b.highest(), Some(70));
        // Past 65,535 in one bin the counters widen and keep counting.
        for _ in 0..70_000 {
            assert!(b.add(99, 100));
        }
        assert_eq!(b.total(), 70_004);
        assert_eq!(b.bin_at_rank(70_004), Some(99));
        assert_eq!(b.bin_at_rank(5), Some(99));
        assert_eq!(b.bin_at_rank(4), Some(70));
        assert_eq!(b.highest(), Some(99));
    }

    #[test]
    fn rate_bins_cover_their_values() {
        for v in [0.004, 0.01, 0.0101, 1.0, 3000.0, 5000.0, 12_345.678, 9_999_999.99, 10_000_000.0] {
            let b = rate_bin(v);
            let edge = rate_edges()[b as usize];
            assert!(edge >= v, "{v} in bin {b} with edge {edge}");
            if b > 1 {
                // The value is nudged up a few ulps first: one sitting exactly on an edge goes to the next bin.
                assert!(rate_edges()[b as usize - 1] < v * (1.0 + 1e-12), "{v} in bin {b}");
                assert!(edge <= v * 1.01 + 1e-9, "{v}: edge {edge}");
            }
        }
        assert_eq!(rate_edges().len(), 2086, "bin 0, (0, 0.01], then 1% steps past 10,000,000");
        assert_eq!(rate_bin(0.0), 0);
        assert_eq!(rate_edge(0), Decimal::ZERO);
        assert_eq!(rate_edge(1), Decimal::from_str("0.01").expect("must succeed"));
    }

    proptest! {
        /// Percent bins: the reported value is the exact nearest-rank value or above it by less than 0.1.
        #[test]
        fn percent_bins_never_undersize(tenths_of_hundredths in prop::collection::vec(0u64..=10_000, 1..300)) {
            // Values with two decimals (hundredths): bin = ceil(hundredths / 10).
            let mut h = PercentHistogram::default();
            for v in &tenths_of_hundredths {
                prop_assert!(h.add(v.div_ceil(10) as u32));
            }
            let mut sorted = tenths_of_hundredths.clone();
            sorted.sort_unstable();
            let s = h.summary().expect("must succeed");
            for (got, pct) in [(s.p50, 50), (s.p95, 95), (s.max, 100)] {
                let exact = Decimal::new(exact_rank(&sorted, pct) as i64, 2);
                prop_assert!(got >= exact, "p{pct}: {got} < {exact}");
                prop_assert!(got - exact < Decimal::new(1, 1), "p{pct}: {got} - {exact} >= 0.1");
            }
        }
    }
}
