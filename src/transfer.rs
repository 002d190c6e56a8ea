//! The move itself: data to copy (GiB), link speed (Mbps), utilisation and a day threshold in; how long the copy
//! takes over the network, what data transfer in costs and whether an offline device is worth a look out.
//!
//! Pure: no files, clock or environment. Units: 1 GiB = 2^30 bytes = 2^33 bits; 1 Mbps = 10^6 bit/s; one day =
//! 86 400 s. Durations are computed in `Decimal` (seconds exact whenever the division terminates, days and hours
//! to 28 significant digits); round only when displaying. Data transfer in is priced from the `transfer,internet in`
//! row of `services.csv` (billed GB, one inventory GiB counted as one billing GB as in [`crate::network`]); where
//! the snapshot lacks it, the cost is `None` with a message, never a guessed zero.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::network::{flat_price, missing_message, PriceOverrides, INTERNET_IN};
use crate::pricing::services::ServicePrices;

/// The share of the link the copy really gets when none is given: 0.8 (protocol overhead, other traffic).
pub const DEFAULT_UTILISATION: Decimal = Decimal::from_parts(8, 0, 0, false, 1);
/// Above this many days over the network, suggest an offline transfer device: 10.
pub const DEFAULT_THRESHOLD_DAYS: Decimal = Decimal::from_parts(10, 0, 0, false, 0);

/// Bits in one GiB: 2^30 bytes × 8 = 2^33 (mid word 2 = 2 × 2^32).
pub const BITS_PER_GIB: Decimal = Decimal::from_parts(0, 2, 0, false, 0);
/// Bits per second in one Mbps: 10^6.
pub const BITS_PER_SECOND_PER_MBPS: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Seconds in a day.
pub const SECONDS_PER_DAY: Decimal = Decimal::from_parts(86_400, 0, 0, false, 0);
/// Seconds in an hour.
pub const SECONDS_PER_HOUR: Decimal = Decimal::from_parts(3_600, 0, 0, false, 0);

/// What to move and over what link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MoveInputs {
    /// Data to copy, GiB (2^30 bytes).
    pub data_gib: Decimal,
    /// Link speed, Mbps (10^6 bit/s); more than 0.
    pub link_mbps: Decimal,
    /// Share of the link the copy gets, more than 0 and at most 1 ([`DEFAULT_UTILISATION`] = 0.8).
    pub utilisation: Decimal,
    /// Days above which an offline device is suggested ([`DEFAULT_THRESHOLD_DAYS`] = 10); zero or more.
    pub threshold_days: Decimal,
}

impl MoveInputs {
    /// `data_gib` over `link_mbps` with the default utilisation (0.8) and threshold (10 days).
    pub fn new(data_gib: Decimal, link_mbps: Decimal) -> Self {
        MoveInputs { data_gib, link_mbps, utilisation: DEFAULT_UTILISATION, threshold_days: DEFAULT_THRESHOLD_DAYS }
    }
}

/// How the move goes over the network.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MovePlan {
    pub inputs: MoveInputs,
    /// `data_gib × 2^33 / (link_mbps × 10^6 × utilisation)`.
    pub seconds: Decimal,
    /// `seconds / 86 400`.
    pub days: Decimal,
    /// `seconds / 3 600`.
    pub hours: Decimal,
    /// `data_gib × $/GB in`; `None` when the snapshot lacks the price for the region (see `missing`).
    pub transfer_in_cost_usd: Option<Decimal>,
    /// `days > threshold_days`.
    pub exceeds_threshold: bool,
    /// Set when the threshold is exceeded.
    pub advice: Option<String>,
    /// One message per price the snapshot lacks in the region, naming the fix.
    pub missing: Vec<String>,
}

/// Plan the copy of `inputs.data_gib` into `region`. Errors (as a message) on a link speed of zero or less, a
/// utilisation outside (0, 1], negative data or threshold, or figures too large for `Decimal`.
pub fn plan_move(
    inputs: &MoveInputs,
    prices: &ServicePrices,
    region: &str,
    overrides: &PriceOverrides,
) -> Result<MovePlan, String> {
    let MoveInputs { data_gib, link_mbps, utilisation, threshold_days } = inputs.clone();
    if link_mbps <= Decimal::ZERO {
        return Err(format!("link speed {link_mbps} Mbps: expected more than 0"));
    }
    if utilisation <= Decimal::ZERO || utilisation > Decimal::ONE {
        return Err(format!("utilisation {utilisation}: expected more than 0 and at most 1 (e.g. 0.8 for 80%)"));
    }
    if data_gib.is_sign_negative() && !data_gib.is_zero() {
        return Err(format!("data {data_gib} GiB: expected zero or more"));
    }
    if threshold_days.is_sign_negative() && !threshold_days.is_zero() {
        return Err(format!("threshold {threshold_days} days: expected zero or more"));
    }
    let too_large = || format!("data {data_gib} GiB over {link_mbps} Mbps: figures too large to compute");
    let bits = data_gib.checked_mul(BITS_PER_GIB).ok_or_else(too_large)?;
    let bits_per_second = link_mbps
        .checked_mul(BITS_PER_SECOND_PER_MBPS)
        .and_then(|b| b.checked_mul(utilisation))
        .filter(|b| *b > Decimal::ZERO)
        .ok_or_else(too_large)?;
    let seconds = bits.checked_div(bits_per_second).ok_or_else(too_large)?;
    let days = seconds / SECONDS_PER_DAY;
    let hours = seconds / SECONDS_PER_HOUR;

    let mut missing = Vec::new();
    let transfer_in_cost_usd = match flat_price(prices, region, overrides, INTERNET_IN) {
        Some((rate, _)) => Some((rate * data_gib).normalize()),
        None => {
            missing.push(missing_message(prices, region, INTERNET_IN.describe, INTERNET_IN.override_name));
            None
        }
    };
    let exceeds_threshold = days > threshold_days;
    let advice = exceeds_threshold.then(|| {
        format!(
            "{} days at {} Mbps ({}% of the link) is more than the {}-day threshold: consider an offline transfer \
             device such as AWS Snowball; its price is not in the offline snapshot",
            days.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero),
            link_mbps.normalize(),
            (utilisation * Decimal::ONE_HUNDRED).normalize(),
            threshold_days.normalize(),
        )
    });
    Ok(MovePlan {
        inputs: inputs.clone(),
        seconds: seconds.normalize(),
        days: days.normalize(),
        hours: hours.normalize(),
        transfer_in_cost_usd,
        exceeds_threshold,
        advice,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        assert_eq!(BITS_PER_GIB, Decimal::from(1u64 << 33));
        assert_eq!(DEFAULT_UTILISATION, Decimal::new(8, 1));
        assert_eq!(DEFAULT_THRESHOLD_DAYS, Decimal::from(10));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let p = ServicePrices::default();
        let o = PriceOverrides::new();
        let plan = |i: MoveInputs| plan_move(&i, &p, "us-east-1", &o);
        assert!(plan(MoveInputs::new(Decimal::ONE, Decimal::ZERO)).expect_err("zero link").contains("link speed"));
        assert!(plan(MoveInputs::new(Decimal::ONE, Decimal::NEGATIVE_ONE)).is_err());
        for u in [Decimal::ZERO, Decimal::NEGATIVE_ONE, Decimal::new(11, 1)] {
            let i = MoveInputs { utilisation: u, ..MoveInputs::new(Decimal::ONE, Decimal::ONE) };
            assert!(plan(i).expect_err("utilisation").contains("utilisation"));
        }
        let i = MoveInputs { utilisation: Decimal::ONE, ..MoveInputs::new(Decimal::ONE, Decimal::ONE) };
        assert!(plan(i).is_ok());
        assert!(plan(MoveInputs::new(Decimal::MAX, Decimal::ONE)).expect_err("overflow").contains("too large"));
    }
}
