//! Metric cell text in, histogram-ready values out: a percentage as its 0.1-point bin (computed exactly from the
//! digits, no floating point), a rate (IOPS, bytes/s, Mbit/s) as `f64` with its exact decimal on demand; each
//! refusal says what was expected.

use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::inventory::cells::{number_as, strip_pct};

pub(crate) const EXPECTED_PCT: &str = "a percentage from 0 to 100, such as 45 or 45%";
/// Highest percentage bin (100.0).
const TOP_BIN: u32 = 1000;

/// The 0.1-point bin of a percentage cell (`45`, `45.25`, `45%`, `4.5e1`): `ceil(value × 10)`, 0..=1000.
pub(crate) fn percent_bin(s: &str) -> Result<u32, String> {
    let t = strip_pct(s);
    let bin = match fast_percent_bin(t) {
        Some(b) => b,
        None => {
            let d = number_as(t, s, EXPECTED_PCT)?;
            if d > Decimal::ONE_HUNDRED {
                TOP_BIN + 1
            } else {
                (d * Decimal::TEN).ceil().to_u32().unwrap_or(TOP_BIN + 1)
            }
        }
    };
    if bin > TOP_BIN {
        return Err(format!("'{s}' is above 100; expected {EXPECTED_PCT}"));
    }
    Ok(bin)
}

/// `ddd[.ddd]` or `.ddd` with at most 4 integer digits, straight to its bin; `None` for anything else.
fn fast_percent_bin(t: &str) -> Option<u32> {
    let b = t.as_bytes();
    let (int, frac) = match b.iter().position(|c| *c == b'.') {
        Some(i) => (b.get(..i)?, b.get(i + 1..)?),
        None => (b, &b[..0]),
    };
    if (int.is_empty() && frac.is_empty()) || int.len() > 4 {
        return None;
    }
    if !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let whole = int.iter().fold(0u32, |v, c| v * 10 + u32::from(c - b'0'));
    let tenth = frac.first().map_or(0, |c| u32::from(c - b'0'));
    let rest = u32::from(frac.iter().skip(1).any(|c| *c != b'0'));
    Some(whole * 10 + tenth + rest)
}

/// A non-negative number (`1234`, `1234.5`, `1.2e3`) as `f64`.
pub(crate) fn rate(s: &str, expected: &str) -> Result<f64, String> {
    let b = s.as_bytes();
    let plain = !b.is_empty()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && b.iter().filter(|c| **c == b'.').count() <= 1
        && b.iter().any(u8::is_ascii_digit);
    if plain {
        if let Ok(v) = s.parse::<f64>() {
            return Ok(v);
        }
    }
    let d = number_as(s, s, expected)?;
    d.to_f64().ok_or_else(|| format!("'{s}' is out of range; expected {expected}"))
}

/// The exact decimal of a cell `rate` accepted.
pub(crate) fn exact(s: &str) -> Decimal {
    Decimal::from_str(s).or_else(|_| Decimal::from_scientific(s)).unwrap_or(Decimal::ZERO).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_bins() {
        assert_eq!(percent_bin("45"), Ok(450));
        assert_eq!(percent_bin("45%"), Ok(450));
        assert_eq!(percent_bin("45 %"), Ok(450));
        assert_eq!(percent_bin("45.0"), Ok(450));
        assert_eq!(percent_bin("45.01"), Ok(451));
        assert_eq!(percent_bin("45.10"), Ok(451));
        assert_eq!(percent_bin("45.1000001"), Ok(452));
        assert_eq!(percent_bin(".5"), Ok(5));
        assert_eq!(percent_bin("0"), Ok(0));
        assert_eq!(percent_bin("0.001"), Ok(1));
        assert_eq!(percent_bin("100"), Ok(1000));
        assert_eq!(percent_bin("4.5e1"), Ok(450));
        assert_eq!(
            percent_bin("100.01"),
            Err("'100.01' is above 100; expected a percentage from 0 to 100, such as 45 or 45%".into())
        );
        assert_eq!(
            percent_bin("140"),
            Err("'140' is above 100; expected a percentage from 0 to 100, such as 45 or 45%".into())
        );
        assert_eq!(
            percent_bin("-3"),
            Err("'-3' is negative; expected a percentage from 0 to 100, such as 45 or 45%".into())
        );
        assert_eq!(percent_bin("45,5"), Err("'45,5' uses a decimal comma; write numbers with '.', expected a percentage from 0 to 100, such as 45 or 45%".into()));
        assert_eq!(
            percent_bin("high"),
            Err("'high' is not a number; expected a percentage from 0 to 100, such as 45 or 45%".into())
        );
    }

    #[test]
    fn rates() {
        assert_eq!(rate("1234.5", "IOPS"), Ok(1234.5));
        assert_eq!(rate("1.2e3", "IOPS"), Ok(1200.0));
        assert!(rate("inf", "IOPS").is_err());
        assert!(rate("NaN", "IOPS").is_err());
        assert_eq!(exact("1.2e3"), Decimal::from(1200));
        assert_eq!(exact("12.50"), Decimal::new(125, 1));
    }
}
