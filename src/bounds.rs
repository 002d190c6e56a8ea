//! A numeric setting (its name, value and the range rocklift accepts) in, a `name = value: expected ...`
//! problem out when the value is outside: negative where only 0 or more makes sense, or absurd (above
//! what any estate could have, and large enough to overflow the money arithmetic downstream).
//!
//! TOML's `nan` and `inf` never reach here: the `Decimal` fields refuse them when the file is read.

use rust_decimal::Decimal;

/// A dollar amount of one setting (a price, a purchase, a month's bill): at most a billion.
pub const MAX_USD: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// A monthly data volume (GiB or GB a month): at most a billion, about an exbibyte.
pub const MAX_GIB_MONTH: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// A count of things an account runs (NAT gateways, VPN connections): at most 10,000.
pub const MAX_COUNT: u32 = 10_000;

/// `name = value: expected {what} from {min} to {max}` when `value` is outside `[min, max]`.
pub fn within(name: &str, value: Decimal, min: Decimal, max: Decimal, what: &str) -> Option<String> {
    (value < min || value > max).then(|| {
        format!("{name} = {}: expected {what} from {} to {}", value.normalize(), min.normalize(), max.normalize())
    })
}

/// The same for a whole number.
pub fn within_u32(name: &str, value: u32, min: u32, max: u32, what: &str) -> Option<String> {
    (value < min || value > max).then(|| format!("{name} = {value}: expected {what} from {min} to {max}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_is_silent_and_outside_names_the_range() {
        assert_eq!(within("x", Decimal::ZERO, Decimal::ZERO, MAX_GIB_MONTH, "GiB a month"), None);
        assert_eq!(within("x", MAX_GIB_MONTH, Decimal::ZERO, MAX_GIB_MONTH, "GiB a month"), None);
        assert_eq!(
            within("nat_processed_gib_month", Decimal::NEGATIVE_ONE, Decimal::ZERO, MAX_GIB_MONTH, "GiB a month")
                .as_deref(),
            Some("nat_processed_gib_month = -1: expected GiB a month from 0 to 1000000000")
        );
        assert_eq!(
            within_u32("n", 10_001, 0, MAX_COUNT, "a count").as_deref(),
            Some("n = 10001: expected a count from 0 to 10000")
        );
    }
}
