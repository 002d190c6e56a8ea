//! Sample timestamps in, coverage out: the sampling interval inferred from the gaps between a server's
//! consecutive samples, the distinct sample slots each server fills, and the confidence rating (1 to 5 stars)
//! that the share of filled slots earns.
//!
//! Confidence follows Azure Migrate's performance-based assessment rating, "based on the availability of data
//! points needed to compute the assessment": 0%-20% → 1 star, 21%-40% → 2, 41%-60% → 3, 61%-80% → 4,
//! 81%-100% → 5 (<https://learn.microsoft.com/azure/migrate/tutorial-assess-physical#review-confidence-rating>,
//! and concepts-assessment-calculation.md#confidence-ratings-performance-based). The published bands are whole
//! percents; the share is rounded **down** to a whole percent before it is placed, so 20.9% is still 1 star and
//! exactly 21% is 2 (when in doubt, less confidence).

/// Gap sizes tracked at once by the interval estimate.
const GAP_COUNTERS: usize = 16;

/// The most common gap between consecutive samples of a server, in bounded memory (Misra-Gries summary with 16
/// counters): exact whenever one gap makes up more than 1/17 of all gaps, which regular monitoring data always
/// does; with no dominant gap the answer is the best-supported counter (ties: the smaller gap).
#[derive(Debug, Clone, Default)]
pub(crate) struct GapCounter {
    counters: Vec<(u64, u64)>,
}

impl GapCounter {
    pub(crate) fn add(&mut self, gap: u64) {
        if let Some(c) = self.counters.iter_mut().find(|c| c.0 == gap) {
            c.1 += 1;
        } else if self.counters.len() < GAP_COUNTERS {
            self.counters.push((gap, 1));
        } else {
            for c in &mut self.counters {
                c.1 -= 1;
            }
            self.counters.retain(|c| c.1 > 0);
        }
    }

    pub(crate) fn mode(&self) -> Option<u64> {
        self.counters.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|c| c.0)
    }
}

/// The sample slots of the window a server has data for, one bit per slot (memory: window ÷ interval bits per
/// server, whatever the number of rows; duplicates and re-sent rows land in a slot already set).
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots {
    words: Vec<u64>,
}

impl Slots {
    /// Mark `slot` of a window of `slots` slots (the bits are allocated in full at the first call).
    pub(crate) fn set(&mut self, slot: u64, slots: u64) {
        if self.words.is_empty() {
            self.words = vec![0; slots.div_ceil(64) as usize];
        }
        let word = (slot / 64) as usize;
        if let Some(w) = self.words.get_mut(word) {
            *w |= 1 << (slot % 64);
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }
}

/// The grid of sample slots over a window: slot `i` is centred on `from + i × interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grid {
    pub from: i64,
    pub interval: u64,
    /// Slots in the window: `(to - from) / interval + 1` (a regular series from `from` to `to` fills all).
    pub expected: u64,
}

impl Grid {
    pub(crate) fn new(from: i64, to: i64, interval: u64) -> Self {
        let span = to.saturating_sub(from).max(0) as u64;
        Grid { from, interval, expected: span / interval + 1 }
    }

    /// The slot of a timestamp inside the window: the nearest grid point (a sample a little early or late
    /// still fills its own slot).
    pub(crate) fn slot(&self, t: i64) -> u64 {
        let offset = t.saturating_sub(self.from).max(0) as u64;
        ((offset + self.interval / 2) / self.interval).min(self.expected - 1)
    }
}

/// Stars for `present` of `expected` samples (Azure Migrate's bands, share rounded down to a whole percent).
pub fn confidence_stars(present: u64, expected: u64) -> u8 {
    if expected == 0 {
        return 1;
    }
    let pct = (u128::from(present.min(expected)) * 100 / u128::from(expected)) as u64;
    match pct {
        0..=20 => 1,
        21..=40 => 2,
        41..=60 => 3,
        61..=80 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_at_their_edges() {
        assert_eq!(confidence_stars(0, 100), 1);
        assert_eq!(confidence_stars(20, 100), 1);
        assert_eq!(confidence_stars(209, 1000), 1);
        assert_eq!(confidence_stars(21, 100), 2);
        assert_eq!(confidence_stars(40, 100), 2);
        assert_eq!(confidence_stars(41, 100), 3);
        assert_eq!(confidence_stars(60, 100), 3);
        assert_eq!(confidence_stars(61, 100), 4);
        assert_eq!(confidence_stars(80, 100), 4);
        assert_eq!(confidence_stars(81, 100), 5);
        assert_eq!(confidence_stars(100, 100), 5);
        assert_eq!(confidence_stars(150, 100), 5);
    }

    #[test]
    fn gap_mode() {
        let mut g = GapCounter::default();
        for gap in [300, 300, 600, 300, 7, 300] {
            g.add(gap);
        }
        assert_eq!(g.mode(), Some(300));
        // More distinct gaps than counters: the dominant one survives.
        let mut g = GapCounter::default();
        for i in 0..1000u64 {
            g.add(if i % 3 == 0 { 1000 + i } else { 3600 });
        }
        assert_eq!(g.mode(), Some(3600));
        assert_eq!(GapCounter::default().mode(), None);
    }

    #[test]
    fn grid_slots() {
        let g = Grid::new(0, 3600 * 99, 3600);
        assert_eq!(g.expected, 100);
        assert_eq!(g.slot(0), 0);
        assert_eq!(g.slot(1799), 0);
        assert_eq!(g.slot(1800), 1);
        assert_eq!(g.slot(3600 * 99), 99);
        let mut s = Slots::default();
        for slot in [0, 5, 5, 64, 99] {
            s.set(slot, g.expected);
        }
        assert_eq!(s.count(), 4);
    }
}
