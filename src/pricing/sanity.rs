//! One instance type's price grid in (per OS and term, as a snapshot file gives it), the grid that
//! AWS's pricing rules allow out, with the cells it derived or blanked marked.
//!
//! The rule (README, "Pricing data"): a licence-included OS costs at least Linux on every term, since
//! AWS adds the licence to the Linux price. The sources break it (3,329 Windows reserved rows of the
//! bundled data repeat or undercut the Linux reserved price). For RHEL and Windows, per term:
//! - on-demand at or below Linux on-demand: unknown (the licence cannot be told);
//! - spot or reserved at or below Linux's price of that term: **derived** as Linux's price of that
//!   term plus the on-demand licence difference per hour (OS on-demand − Linux on-demand), when both
//!   on-demand prices are known and the difference is above 0; otherwise unknown.
//!
//! Applied where every snapshot is read ([`super::price_book::RegionPrices::parse`]), so the embedded
//! snapshot, a refreshed one and one given with `--pricing-cache` all obey it, while the files keep
//! their sources' strings as they are.

use rust_decimal::Decimal;

/// The source id of a derived price (not a manifest source: the rule above, on the snapshot's own prices).
pub const DERIVED_SOURCE: &str = "derived";

/// The rule in one sentence, for `pricing show` and the reports.
pub const DERIVED_RULE: &str = "derived: the source's price was at or below Linux's on the same term, which AWS never \
charges for a licence-included OS; shown as Linux's price of that term plus the on-demand licence difference per hour";

/// Index of the OSes and terms in a grid: as [`super::price_book::PriceOs`] and [`super::price_book::Term`].
const LINUX: usize = 0;
const LICENSED: [usize; 2] = [1, 2];
const ON_DEMAND: usize = 0;

/// What the rule changed in one grid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fixes {
    /// `derived[os][term]`: the price was derived by the rule.
    pub derived: [[bool; 4]; 3],
}

/// Apply the rule to `prices[os][term]` in place; say which cells were derived.
pub fn licence_floor(prices: &mut [[Option<Decimal>; 4]; 3]) -> Fixes {
    let mut fixes = Fixes::default();
    let linux = prices[LINUX];
    for os in LICENSED {
        let od = &mut prices[os][ON_DEMAND];
        if let (Some(p), Some(l)) = (*od, linux[ON_DEMAND]) {
            if p <= l {
                *od = None;
            }
        }
        let licence = match (prices[os][ON_DEMAND], linux[ON_DEMAND]) {
            (Some(p), Some(l)) if p > l => Some(p - l),
            _ => None,
        };
        for term in 1..4 {
            let (Some(p), Some(l)) = (prices[os][term], linux[term]) else { continue };
            if p > l {
                continue;
            }
            prices[os][term] = licence.map(|lic| l + lic);
            fixes.derived[os][term] = licence.is_some();
        }
    }
    fixes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Option<Decimal> {
        Some(Decimal::from_str(s).expect("decimal"))
    }

    /// m6a.large in eu-central-1 as the bundled data has it: Windows reserved = Linux reserved.
    #[test]
    fn windows_reserved_at_the_linux_price_is_derived_from_the_licence() {
        let mut g = [
            [d("0.1035"), d("0.0407"), d("0.063927"), d("0.040868")],
            [d("0.1323"), d("0.0695"), d("0.092694"), d("0.069673")],
            [d("0.1955"), d("0.1083"), d("0.063927"), d("0.040868")],
        ];
        let fixes = licence_floor(&mut g);
        // 0.1955 - 0.1035 = 0.092 an hour of Windows licence.
        assert_eq!(g[2], [d("0.1955"), d("0.1083"), d("0.155927"), d("0.132868")]);
        assert_eq!(fixes.derived[2], [false, false, true, true]);
        assert_eq!(fixes.derived[1], [false; 4], "RHEL was above Linux on every term");
        assert_eq!(g[1][2], d("0.092694"));
    }

    #[test]
    fn on_demand_at_or_below_linux_is_unknown_and_so_are_the_terms_it_would_derive() {
        let mut g = [
            [d("0.10"), d("0.05"), d("0.06"), d("0.04")],
            [d("0.10"), None, d("0.07"), d("0.03")],
            [None, d("0.04"), d("0.06"), None],
        ];
        let fixes = licence_floor(&mut g);
        assert_eq!(g[1], [None, None, d("0.07"), None], "RHEL on-demand = Linux: no licence to derive from");
        assert_eq!(g[2], [None, None, None, None], "no Windows on-demand: nothing to derive from");
        assert_eq!(fixes, Fixes::default());
    }
}
