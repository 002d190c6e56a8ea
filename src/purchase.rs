//! One placement's prices and how many hours a month it runs in, the purchase options out:
//! on-demand, Standard RI 1yr / 3yr all upfront, spot (interruptible roles only), each with its
//! upfront and monthly cost, the break-even hours of each RI, and the cheapest as the recommendation.
//!
//! Reserved prices in the snapshot are all-upfront amortised hourly rates: the upfront payment is
//! that rate × the hours of the term (8760 or 26280), and it is owed whether the server runs or
//! not. Spot is the observed average; unknown spot is left out, never assumed.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::HOURS_PER_MONTH;

/// Hours in the 1-year and 3-year terms (365-day years, as AWS prices them).
pub const HOURS_1Y: Decimal = Decimal::from_parts(8760, 0, 0, false, 0);
pub const HOURS_3Y: Decimal = Decimal::from_parts(26280, 0, 0, false, 0);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PurchaseKind {
    OnDemand,
    Reserved1y,
    Reserved3y,
    Spot,
}

impl PurchaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseKind::OnDemand => "on-demand",
            PurchaseKind::Reserved1y => "RI 1yr all-upfront",
            PurchaseKind::Reserved3y => "RI 3yr all-upfront",
            PurchaseKind::Spot => "spot",
        }
    }
}

/// The hourly rates of one type for one OS (from the price book).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rates {
    pub on_demand: Decimal,
    pub spot: Option<Decimal>,
    pub reserved_1y: Option<Decimal>,
    pub reserved_3y: Option<Decimal>,
}

/// One option for all `count` servers of a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionCost {
    pub kind: PurchaseKind,
    /// $/h as published (amortised for reserved).
    pub hourly_usd: Decimal,
    /// Paid once at the start of the term.
    pub upfront_usd: Decimal,
    /// Paid every month.
    pub monthly_usd: Decimal,
    /// Upfront spread over the term's months plus the monthly part: what to compare.
    pub effective_monthly_usd: Decimal,
    /// Reserved only: running hours a month above which it beats on-demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_even_hours_month: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PurchaseAdvice {
    pub hours_per_month: Decimal,
    pub options: Vec<OptionCost>,
    pub recommended: PurchaseKind,
    /// Why the recommendation, in one sentence.
    pub reason: String,
}

/// The options for `count` servers running `hours_per_month` each; spot only when `interruptible`.
pub fn advise(rates: Rates, hours_per_month: Decimal, count: u32, interruptible: bool) -> PurchaseAdvice {
    let n = Decimal::from(count);
    let mut options = vec![OptionCost {
        kind: PurchaseKind::OnDemand,
        hourly_usd: rates.on_demand,
        upfront_usd: Decimal::ZERO,
        monthly_usd: (rates.on_demand * hours_per_month * n).normalize(),
        effective_monthly_usd: (rates.on_demand * hours_per_month * n).normalize(),
        break_even_hours_month: None,
    }];
    for (kind, rate, term_hours, months) in [
        (PurchaseKind::Reserved1y, rates.reserved_1y, HOURS_1Y, Decimal::from(12)),
        (PurchaseKind::Reserved3y, rates.reserved_3y, HOURS_3Y, Decimal::from(36)),
    ] {
        let Some(rate) = rate else { continue };
        let upfront = (rate * term_hours * n).normalize();
        options.push(OptionCost {
            kind,
            hourly_usd: rate,
            upfront_usd: upfront,
            monthly_usd: Decimal::ZERO,
            effective_monthly_usd: (upfront / months).normalize(),
            break_even_hours_month: (!rates.on_demand.is_zero())
                .then(|| (rate * HOURS_PER_MONTH / rates.on_demand).round_dp(1).normalize()),
        });
    }
    if interruptible {
        if let Some(spot) = rates.spot.filter(|s| *s <= rates.on_demand) {
            options.push(OptionCost {
                kind: PurchaseKind::Spot,
                hourly_usd: spot,
                upfront_usd: Decimal::ZERO,
                monthly_usd: (spot * hours_per_month * n).normalize(),
                effective_monthly_usd: (spot * hours_per_month * n).normalize(),
                break_even_hours_month: None,
            });
        }
    }
    // Cheapest effective cost; ties go to the option with less commitment (on-demand first).
    let best = options
        .iter()
        .min_by(|a, b| {
            a.effective_monthly_usd.cmp(&b.effective_monthly_usd).then(commitment(a.kind).cmp(&commitment(b.kind)))
        })
        .map(|o| o.kind)
        .unwrap_or(PurchaseKind::OnDemand);
    let reason = reason(&options, best, hours_per_month, interruptible, rates.spot.is_some());
    PurchaseAdvice { hours_per_month, options, recommended: best, reason }
}

/// A scaling group's options: its `min` instances run all month and are the reservation (or spot) candidates; the
/// `instance_hours_month` above `min × 730` stay on-demand and are added to every option alike, so they never change
/// the recommendation. `None` when `min` is 0 (nothing runs all month: on-demand only).
pub fn advise_group(
    rates: Rates,
    min: u32,
    instance_hours_month: Decimal,
    interruptible: bool,
) -> Option<PurchaseAdvice> {
    if min == 0 {
        return None;
    }
    let mut advice = advise(rates, HOURS_PER_MONTH, min, interruptible);
    let above = (instance_hours_month - HOURS_PER_MONTH * Decimal::from(min)).max(Decimal::ZERO);
    let burst = (rates.on_demand * above).normalize();
    for o in &mut advice.options {
        o.monthly_usd = (o.monthly_usd + burst).normalize();
        o.effective_monthly_usd = (o.effective_monthly_usd + burst).normalize();
    }
    advice.reason = format!(
        "group minimum of {min} runs all month: {}; the {} instance-hours above it stay on-demand",
        advice.reason,
        above.round_dp(1).normalize()
    );
    Some(advice)
}

fn commitment(k: PurchaseKind) -> u8 {
    match k {
        PurchaseKind::OnDemand => 0,
        PurchaseKind::Spot => 1,
        PurchaseKind::Reserved1y => 2,
        PurchaseKind::Reserved3y => 3,
    }
}

fn reason(options: &[OptionCost], best: PurchaseKind, hours: Decimal, interruptible: bool, spot_known: bool) -> String {
    let ri = options.iter().filter(|o| o.break_even_hours_month.is_some()).min_by_key(|o| o.break_even_hours_month);
    let mut s = match (best, ri) {
        (PurchaseKind::OnDemand, Some(r)) => format!(
            "runs {} h/month, below the {} break-even of {} h: on-demand is cheaper",
            hours.normalize(),
            r.kind.as_str(),
            r.break_even_hours_month.unwrap_or_default()
        ),
        (PurchaseKind::OnDemand, None) => "no reserved price in the snapshot: on-demand".to_owned(),
        (k @ (PurchaseKind::Reserved1y | PurchaseKind::Reserved3y), _) => {
            let be = options.iter().find(|o| o.kind == k).and_then(|o| o.break_even_hours_month).unwrap_or_default();
            format!("runs {} h/month, above the {} break-even of {be} h", hours.normalize(), k.as_str())
        }
        (PurchaseKind::Spot, _) => "interruptible role: average spot is the cheapest".to_owned(),
    };
    if interruptible && !spot_known {
        s.push_str("; no spot price observed for this type");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    // m7i.large us-east-1 linux: on-demand 0.1008, spot 0.04018, RI 1y 0.062215, RI 3y 0.039802.
    fn m7i() -> Rates {
        Rates {
            on_demand: d("0.1008"),
            spot: Some(d("0.04018")),
            reserved_1y: Some(d("0.062215")),
            reserved_3y: Some(d("0.039802")),
        }
    }

    #[test]
    fn always_on_prefers_the_3yr_reservation() {
        let a = advise(m7i(), d("730"), 1, false);
        assert_eq!(a.recommended, PurchaseKind::Reserved3y);
        let ri3 = a.options.iter().find(|o| o.kind == PurchaseKind::Reserved3y).expect("ri3");
        // 0.039802 x 26280 = 1045.99656 upfront; / 36 = 29.05546 a month.
        assert_eq!(ri3.upfront_usd, d("1045.99656"));
        assert_eq!(ri3.effective_monthly_usd, d("29.05546"));
        // Break-even: 0.039802 x 730 / 0.1008 = 29.05546 / 0.1008 = 288.2486... h a month.
        assert_eq!(ri3.break_even_hours_month, Some(d("288.2")));
        assert!(a.options.iter().all(|o| o.kind != PurchaseKind::Spot), "spot only for interruptible roles");
    }

    #[test]
    fn business_hours_stay_on_demand() {
        // 217.5 h a month: 0.1008 x 217.5 = 21.924 < RI 3yr 29.05546 and RI 1yr 45.41695.
        let a = advise(m7i(), d("217.5"), 1, false);
        assert_eq!(a.recommended, PurchaseKind::OnDemand);
        assert!(a.reason.contains("break-even"), "{}", a.reason);
    }

    #[test]
    fn interruptible_roles_take_spot() {
        // 24x7, average spot (0.04018 x 730 = 29.3314) still loses to the 3yr RI (29.05546).
        assert_eq!(advise(m7i(), d("730"), 16, true).recommended, PurchaseKind::Reserved3y);
        // 400 h a month: spot 0.04018 x 400 x 16 = 257.152 beats everything.
        let a = advise(m7i(), d("400"), 16, true);
        assert_eq!(a.recommended, PurchaseKind::Spot);
        let spot = a.options.iter().find(|o| o.kind == PurchaseKind::Spot).expect("spot");
        assert_eq!(spot.monthly_usd, d("257.152"));
    }

    proptest::proptest! {
        #[test]
        fn cost_never_falls_with_hours_and_spot_never_above_on_demand(
            od in 1u32..100_000, spot in proptest::option::of(1u32..200_000), r1 in proptest::option::of(1u32..100_000),
            r3 in proptest::option::of(1u32..100_000), h1 in 0u32..=7300, h2 in 0u32..=7300, count in 1u32..50, interruptible: bool,
        ) {
            let rate = |v: u32| Decimal::new(i64::from(v), 5);
            let rates = Rates { on_demand: rate(od), spot: spot.map(rate), reserved_1y: r1.map(rate), reserved_3y: r3.map(rate) };
            let (lo, hi) = (h1.min(h2), h1.max(h2));
            let a = advise(rates, Decimal::new(i64::from(lo), 1), count, interruptible);
            let b = advise(rates, Decimal::new(i64::from(hi), 1), count, interruptible);
            let eff = |x: &PurchaseAdvice| x.options.iter().find(|o| o.kind == x.recommended).map(|o| o.effective_monthly_usd).unwrap_or_default();
            proptest::prop_assert!(eff(&a) <= eff(&b));
            for adv in [&a, &b] {
                let on_demand = adv.options.iter().find(|o| o.kind == PurchaseKind::OnDemand).map(|o| o.effective_monthly_usd).unwrap_or_default();
                proptest::prop_assert!(eff(adv) <= on_demand);
                if let Some(sp) = adv.options.iter().find(|o| o.kind == PurchaseKind::Spot) {
                    proptest::prop_assert!(interruptible && sp.hourly_usd <= rates.on_demand);
                }
            }
        }
    }

    #[test]
    fn a_group_reserves_its_minimum_and_keeps_the_burst_on_demand() {
        let rates =
            Rates { on_demand: d("0.1"), spot: None, reserved_1y: Some(d("0.06")), reserved_3y: Some(d("0.04")) };
        // min 2 all month = 1460 h; 2000 instance-hours leave 540 h on-demand = $54.
        let a = advise_group(rates, 2, d("2000"), false).expect("advice");
        let eff: Vec<(PurchaseKind, Decimal)> = a.options.iter().map(|o| (o.kind, o.effective_monthly_usd)).collect();
        // on-demand 0.1 x 1460 + 54; RI 1yr 0.06 x 8760 x 2 / 12 + 54; RI 3yr 0.04 x 26280 x 2 / 36 + 54.
        assert_eq!(
            eff,
            [
                (PurchaseKind::OnDemand, d("200")),
                (PurchaseKind::Reserved1y, d("141.6")),
                (PurchaseKind::Reserved3y, d("112.4"))
            ]
        );
        assert_eq!(a.options[2].upfront_usd, d("2102.4"));
        assert_eq!(a.recommended, PurchaseKind::Reserved3y);
        assert!(a.reason.contains("the 540 instance-hours above it stay on-demand"), "{}", a.reason);
        assert!(advise_group(rates, 0, d("500"), false).is_none());
    }
}
