//! Money and units: `Decimal` dollars, the 730-hour month, and display rounding (done once, when rendering).

use rust_decimal::{Decimal, RoundingStrategy};

/// One month of running time: 8760 hours a year / 12.
pub const HOURS_PER_MONTH: Decimal = Decimal::from_parts(730, 0, 0, false, 0);

/// Dollars rounded for display: 2 places, half away from zero.
pub fn display_usd(amount: Decimal) -> String {
    let r = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    format!("{:.2}", r)
}

/// An hourly price as published (all its decimals, trailing zeros dropped).
pub fn display_rate(rate: Decimal) -> String {
    rate.normalize().to_string()
}

/// Dollars with thousands separators for tables: `12,345.67`.
pub fn display_usd_grouped(amount: Decimal) -> String {
    let s = display_usd(amount);
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}.{frac}")
}

/// A size for people to read: at most two decimals, rounded up so it never shows less than the figure
/// (`3.443359375` GiB → `3.45`); exact figures stay in plan.json.
pub fn display_size(d: Decimal) -> String {
    d.round_dp_with_strategy(2, RoundingStrategy::AwayFromZero).normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn month_is_730_hours() {
        assert_eq!(HOURS_PER_MONTH, Decimal::from(8760) / Decimal::from(12));
    }

    #[test]
    fn rounding_and_grouping() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        assert_eq!(display_usd(d("60.735")), "60.74");
        assert_eq!(display_usd(d("0.004")), "0.00");
        assert_eq!(display_usd_grouped(d("1234567.891")), "1,234,567.89");
        assert_eq!(display_usd_grouped(d("-999.5")), "-999.50");
        assert_eq!(display_rate(d("0.204000")), "0.204");
    }
}
