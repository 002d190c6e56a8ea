//! The priced parts of a comparison in (on-prem a month and its hardware purchases, AWS paid monthly and with its
//! upfronts spread, the reservation upfronts, the move), the two views a finance reader asks for out: **amortised**
//! (every purchase spread over its own term, only the months inside the horizon counted; month by month, with the
//! break-even month) and **cash flow** (year by year what is paid when: the move, reservations bought and renewed,
//! hardware bought when it falls due; with the value left at the end of the horizon), and the verdict, taken from
//! the amortised view, that says "about the same" when the difference is within the margin.
//!
//! Pure: no files, clock or environment. Money is `Decimal` throughout.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::display_usd_grouped;

/// The view the verdict, the horizons and the month-by-month rows use.
pub const HEADLINE_VIEW: &str = "amortised";

/// What the views are computed from (AWS figures after the plan's discount).
#[derive(Debug, Clone)]
pub struct ViewInputs {
    /// Horizon in years (1 to 10); the month rows cover `max(years, 5)` years so that 3- and 5-year totals exist.
    pub years: u32,
    /// On-prem a month, hardware and licences bought with it spread over the refresh cycle (its resale deducted).
    pub onprem_monthly: Decimal,
    /// The part of `onprem_monthly` that is purchases spread out: the servers (less resale) and the Windows
    /// licences bought with them.
    pub onprem_purchases_monthly: Decimal,
    /// What buying the whole estate costs (servers and the Windows licences bought with them).
    pub hardware_purchase: Decimal,
    pub licences_purchase: Decimal,
    /// Resale value of a replaced server, percent of its price.
    pub residual_pct: Decimal,
    pub refresh_years: u32,
    /// Years since the servers were bought together; `None`: a rolling refresh.
    pub hardware_age_years: Option<u32>,
    /// AWS paid every month (on-demand and spot hours, storage, network).
    pub cloud_cash_monthly: Decimal,
    /// AWS a month with every reservation upfront spread over its term.
    pub cloud_effective_monthly: Decimal,
    /// Upfronts of the recommended 1-year and 3-year reservations.
    pub upfront_1y: Decimal,
    pub upfront_3y: Decimal,
    /// The move paid in month 1 (labour, transfer), and the months of running both after it.
    pub move_at_start: Decimal,
    pub parallel_months: u32,
    pub margin_pct: Decimal,
    /// The plan leaves AWS costs out (`totals.incomplete`): every AWS figure is too low.
    pub aws_incomplete: bool,
}

/// One month of the amortised view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthRow {
    pub month: u32,
    pub onprem_usd: Decimal,
    pub cloud_usd: Decimal,
    pub onprem_cumulative_usd: Decimal,
    pub cloud_cumulative_usd: Decimal,
}

/// One year of the cash-flow view: what is paid that year, and what falls due beyond the running costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashYear {
    pub year: u32,
    pub onprem_usd: Decimal,
    pub cloud_usd: Decimal,
    /// `onprem_usd - cloud_usd`, and the same summed from year 1.
    pub saving_usd: Decimal,
    pub cumulative_saving_usd: Decimal,
    /// The purchases in the year's figures, e.g. `AWS: 3-year reservations renewed $12,183.01`.
    pub events: Vec<String>,
}

/// The cash-flow view over the horizon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashView {
    pub years: Vec<CashYear>,
    /// Paid over the horizon.
    pub onprem_paid_usd: Decimal,
    pub cloud_paid_usd: Decimal,
    /// Value left at the end of the horizon in what was paid inside it: reservation months not yet used (AWS),
    /// servers and licences not yet written off (on-prem, when bought in one refresh; a rolling refresh leaves
    /// the estate as old as it found it, so nothing is counted).
    pub onprem_residual_usd: Decimal,
    pub cloud_residual_usd: Decimal,
    pub residual_notes: Vec<String>,
    /// Paid less the value left.
    pub onprem_net_usd: Decimal,
    pub cloud_net_usd: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// AWS is cheaper by more than the margin.
    MovingSaves,
    /// The difference is within the margin.
    AboutTheSame,
    /// On-prem is cheaper by more than the margin.
    KeepingSaves,
}

/// The headline: over the horizon, in the amortised view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Always [`HEADLINE_VIEW`].
    pub view: String,
    pub years: u32,
    pub onprem_usd: Decimal,
    pub cloud_usd: Decimal,
    /// `onprem_usd - cloud_usd` (negative: moving costs more), and that as a percentage of `onprem_usd`.
    pub saving_usd: Decimal,
    pub saving_pct: Decimal,
    pub margin_pct: Decimal,
    pub outcome: Outcome,
    /// The month from which AWS's cumulative cost stays at or below on-prem's, in the same view.
    pub break_even_month: Option<u32>,
    /// The plan leaves AWS costs out: the AWS side, the break-even and the outcome are understated.
    pub aws_incomplete: bool,
    /// The verdict in one sentence, as every output shows it.
    pub text: String,
}

/// Every view of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Views {
    /// Amortised, `max(years, 5) × 12` months.
    pub months: Vec<MonthRow>,
    pub cash: CashView,
    pub verdict: Verdict,
}

/// Amounts are kept to 10 decimal places: an upfront spread over 36 months repeats forever, and the 28 digits of
/// `Decimal` would otherwise end in rounding noise (`...00000005`). 60 months of it stay far below a cent.
fn exact(v: Decimal) -> Decimal {
    v.round_dp(10).normalize()
}

fn usd(v: Decimal) -> String {
    if v.is_sign_negative() && !v.is_zero() {
        format!("-${}", display_usd_grouped(-v))
    } else {
        format!("${}", display_usd_grouped(v))
    }
}

/// The first month from which the cloud's cumulative cost stays at or below on-prem's to the last month.
pub fn break_even(months: &[MonthRow]) -> Option<u32> {
    let mut first = None;
    for r in months.iter().rev() {
        if r.cloud_cumulative_usd <= r.onprem_cumulative_usd {
            first = Some(r.month);
        } else {
            break;
        }
    }
    first
}

/// Compute both views and the verdict.
pub fn views(i: &ViewInputs) -> Views {
    let months = amortised(i);
    let horizon = &months[..(i.years * 12) as usize];
    let verdict = verdict(i, horizon);
    Views { cash: cash(i), months, verdict }
}

fn amortised(i: &ViewInputs) -> Vec<MonthRow> {
    let total = i.years.max(5) * 12;
    let (mut on_cum, mut cl_cum) = (Decimal::ZERO, Decimal::ZERO);
    (1..=total)
        .map(|m| {
            let mut cloud = exact(i.cloud_effective_monthly);
            if m == 1 {
                cloud += i.move_at_start;
            }
            if m <= i.parallel_months {
                cloud += i.onprem_monthly;
            }
            let onprem = exact(i.onprem_monthly);
            let cloud = exact(cloud);
            on_cum += onprem;
            cl_cum += cloud;
            MonthRow {
                month: m,
                onprem_usd: onprem,
                cloud_usd: cloud,
                onprem_cumulative_usd: on_cum.normalize(),
                cloud_cumulative_usd: cl_cum.normalize(),
            }
        })
        .collect()
}

fn verdict(i: &ViewInputs, horizon: &[MonthRow]) -> Verdict {
    let (onprem, cloud) = horizon.last().map(|r| (r.onprem_cumulative_usd, r.cloud_cumulative_usd)).unwrap_or_default();
    let saving = (onprem - cloud).normalize();
    let pct =
        if onprem.is_zero() { Decimal::ZERO } else { (saving * Decimal::ONE_HUNDRED / onprem).round_dp(1).normalize() };
    let outcome = if pct.abs() <= i.margin_pct {
        Outcome::AboutTheSame
    } else if saving > Decimal::ZERO {
        Outcome::MovingSaves
    } else {
        Outcome::KeepingSaves
    };
    let break_even_month = break_even(horizon);
    let y = i.years;
    let margin = i.margin_pct.normalize();
    let mut text = match outcome {
        Outcome::MovingSaves => format!(
            "Moving saves {} over {y} years, amortised: AWS {} against on-prem {}, {pct}% less{}.",
            usd(saving),
            usd(cloud),
            usd(onprem),
            match break_even_month {
                Some(m) => format!("; it pays off in month {m}"),
                None => String::new(),
            }
        ),
        Outcome::AboutTheSame => format!(
            "About the same over {y} years, amortised: AWS {} against on-prem {}, {}% apart, within the {margin}% margin.",
            usd(cloud),
            usd(onprem),
            pct.abs()
        ),
        Outcome::KeepingSaves => format!(
            "Keeping the servers costs {} less over {y} years, amortised: AWS {} against on-prem {}, {}% more.",
            usd(-saving),
            usd(cloud),
            usd(onprem),
            pct.abs()
        ),
    };
    if i.aws_incomplete {
        text.push_str(
            " The AWS side is INCOMPLETE (the plan leaves costs out): AWS is understated, and so is this verdict.",
        );
    }
    Verdict {
        view: HEADLINE_VIEW.into(),
        years: y,
        onprem_usd: onprem,
        cloud_usd: cloud,
        saving_usd: saving,
        saving_pct: pct,
        margin_pct: i.margin_pct,
        outcome,
        break_even_month,
        aws_incomplete: i.aws_incomplete,
        text,
    }
}

/// Years of the horizon in which the servers are bought: every year (a rolling refresh buys 1/refresh_years of
/// them), or, when they were bought together `age` years ago, the year they reach `refresh_years` and every
/// `refresh_years` after.
fn refresh_years_due(i: &ViewInputs) -> Vec<u32> {
    let ry = i.refresh_years.max(1);
    match i.hardware_age_years {
        None => (1..=i.years).collect(),
        Some(age) => {
            let first = if age >= ry { 1 } else { ry - age + 1 };
            (first..=i.years).step_by(ry as usize).collect()
        }
    }
}

fn cash(i: &ViewInputs) -> CashView {
    let twelve = Decimal::from(12);
    let ry = Decimal::from(i.refresh_years.max(1));
    let r = i.residual_pct / Decimal::ONE_HUNDRED;
    // Running costs: everything on-prem but the purchases spread over the refresh cycle.
    let onprem_running = (i.onprem_monthly - i.onprem_purchases_monthly) * twelve;
    let due = refresh_years_due(i);
    let rolling = i.hardware_age_years.is_none();
    let (mut years, mut cum) = (Vec::new(), Decimal::ZERO);
    let (mut on_paid, mut cl_paid) = (Decimal::ZERO, Decimal::ZERO);
    for y in 1..=i.years {
        let mut events = Vec::new();
        let mut onprem = onprem_running;
        if due.contains(&y) {
            // Servers and licences bought, the replaced servers sold.
            let share = if rolling { Decimal::ONE / ry } else { Decimal::ONE };
            let bought = (i.hardware_purchase + i.licences_purchase) * share;
            let resale = i.hardware_purchase * share * r;
            onprem += bought - resale;
            events.push(format!(
                "on-prem: {} bought ({} servers and licences, less {} resale of the replaced ones)",
                if rolling { format!("1/{} of the servers", i.refresh_years.max(1)) } else { "all servers".into() },
                usd(bought),
                usd(resale)
            ));
        }
        let mut cloud = i.cloud_cash_monthly * twelve;
        if y == 1 && !i.move_at_start.is_zero() {
            cloud += i.move_at_start;
            events.push(format!("AWS: the move {}", usd(i.move_at_start)));
        }
        let parallel = (1..=12).filter(|m| (y - 1) * 12 + m <= i.parallel_months).count();
        if parallel > 0 {
            let both = i.onprem_monthly * Decimal::from(parallel);
            cloud += both;
            events.push(format!("AWS: {parallel} month(s) of running both {}", usd(both)));
        }
        if !i.upfront_1y.is_zero() {
            cloud += i.upfront_1y;
            events.push(format!(
                "AWS: 1-year reservations {} {}",
                if y == 1 { "bought" } else { "renewed" },
                usd(i.upfront_1y)
            ));
        }
        if !i.upfront_3y.is_zero() && (y - 1) % 3 == 0 {
            cloud += i.upfront_3y;
            events.push(format!(
                "AWS: 3-year reservations {} {}",
                if y == 1 { "bought" } else { "renewed" },
                usd(i.upfront_3y)
            ));
        }
        let (onprem, cloud) = (exact(onprem), exact(cloud));
        let saving = onprem - cloud;
        cum += saving;
        on_paid += onprem;
        cl_paid += cloud;
        years.push(CashYear {
            year: y,
            onprem_usd: onprem.normalize(),
            cloud_usd: cloud.normalize(),
            saving_usd: saving.normalize(),
            cumulative_saving_usd: cum.normalize(),
            events,
        });
    }
    let mut notes = Vec::new();
    // AWS: the last 3-year reservation bought inside the horizon and still running after it.
    let mut cloud_residual = Decimal::ZERO;
    if !i.upfront_3y.is_zero() {
        let last = (1..=i.years).rev().find(|y| (y - 1) % 3 == 0).unwrap_or(1);
        let used = (i.years - last + 1) * 12;
        if used < 36 {
            let left = 36 - used;
            cloud_residual = i.upfront_3y * Decimal::from(left) / Decimal::from(36);
            notes.push(format!(
                "AWS: the 3-year reservations bought in year {last} run {left} months past the horizon: {} of their upfront is still unused",
                usd(cloud_residual)
            ));
        }
    }
    // On-prem bought together: the last purchase inside the horizon, written off straight to its resale value.
    let mut onprem_residual = Decimal::ZERO;
    if !rolling {
        if let Some(&last) = due.last() {
            let used = Decimal::from(i.years - last + 1);
            let left = (ry - used).max(Decimal::ZERO);
            if left > Decimal::ZERO {
                let hw = i.hardware_purchase * (r + (Decimal::ONE - r) * left / ry);
                let lic = i.licences_purchase * left / ry;
                onprem_residual = hw + lic;
                notes.push(format!(
                    "on-prem: the servers bought in year {last} have {} of their {} years left: {} not yet written off",
                    left.normalize(),
                    i.refresh_years,
                    usd(onprem_residual)
                ));
            }
        }
    } else {
        notes.push(
            "on-prem: a rolling refresh leaves the estate as old at the end as at the start: no value left is counted"
                .into(),
        );
    }
    CashView {
        years,
        onprem_paid_usd: on_paid.normalize(),
        cloud_paid_usd: cl_paid.normalize(),
        onprem_residual_usd: exact(onprem_residual),
        cloud_residual_usd: exact(cloud_residual),
        residual_notes: notes,
        onprem_net_usd: (on_paid - exact(onprem_residual)).normalize(),
        cloud_net_usd: (cl_paid - exact(cloud_residual)).normalize(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> ViewInputs {
        ViewInputs {
            years: 5,
            onprem_monthly: Decimal::from(1000),
            onprem_purchases_monthly: Decimal::from(300),
            hardware_purchase: Decimal::from(20_000),
            licences_purchase: Decimal::ZERO,
            residual_pct: Decimal::from(10),
            refresh_years: 5,
            hardware_age_years: None,
            cloud_cash_monthly: Decimal::from(500),
            cloud_effective_monthly: Decimal::from(800),
            upfront_1y: Decimal::ZERO,
            upfront_3y: Decimal::from(10_800),
            move_at_start: Decimal::from(2000),
            parallel_months: 1,
            margin_pct: Decimal::from(5),
            aws_incomplete: false,
        }
    }

    fn row(month: u32, onprem: i64, cloud: i64) -> MonthRow {
        MonthRow {
            month,
            onprem_usd: Decimal::ZERO,
            cloud_usd: Decimal::ZERO,
            onprem_cumulative_usd: Decimal::from(onprem),
            cloud_cumulative_usd: Decimal::from(cloud),
        }
    }

    #[test]
    fn break_even_is_where_the_cloud_stays_ahead() {
        // Ahead in month 2, behind again in month 3, ahead for good from month 4.
        let rows = [row(1, 10, 30), row(2, 20, 20), row(3, 30, 45), row(4, 40, 40), row(5, 50, 45)];
        assert_eq!(break_even(&rows), Some(4));
        assert_eq!(break_even(&rows[..3]), None);
        assert_eq!(break_even(&[row(1, 10, 5)]), Some(1));
        assert_eq!(break_even(&[]), None);
    }

    /// Amortised: 60 × 800 + the move 2000 + one month of both 1000 = 51,000 against 60,000 on-prem.
    #[test]
    fn the_amortised_view_counts_only_the_months_inside_the_horizon() {
        let v = views(&inputs());
        let last = &v.months[59];
        assert_eq!(last.cloud_cumulative_usd, Decimal::from(51_000));
        assert_eq!(last.onprem_cumulative_usd, Decimal::from(60_000));
        assert_eq!(v.verdict.saving_usd, Decimal::from(9000));
        assert_eq!(v.verdict.saving_pct, Decimal::from(15));
        assert_eq!(v.verdict.outcome, Outcome::MovingSaves);
        // Month m: cloud 3800 + 800 (m - 1) = 3000 + 800 m against 1000 m: at or below from m = 15.
        assert_eq!(v.verdict.break_even_month, Some(15));
        assert_eq!(
            (v.months[13].cloud_cumulative_usd, v.months[13].onprem_cumulative_usd),
            (Decimal::from(14_200), Decimal::from(14_000))
        );
    }

    /// Cash: the 3-year upfront falls in years 1 and 4; the one bought in year 4 has 12 of its 36 months left.
    #[test]
    fn the_cash_view_pays_upfronts_when_due_and_credits_what_is_left() {
        let v = views(&inputs());
        let c = &v.cash;
        let y: Vec<Decimal> = c.years.iter().map(|y| y.cloud_usd).collect();
        // 12 × 500 = 6000 a year; year 1 + 10,800 + 2000 move + 1000 both; year 4 + 10,800.
        assert_eq!(y, [19_800, 6000, 6000, 16_800, 6000].map(Decimal::from));
        assert_eq!(c.cloud_residual_usd, Decimal::from(3600));
        assert_eq!(c.cloud_net_usd, Decimal::from(54_600 - 3600));
        // Rolling refresh: 12 × 700 running + 20,000 / 5 bought − 400 resale = 12,000 = 12 × the amortised 1000.
        assert!(c.years.iter().all(|y| y.onprem_usd == Decimal::from(12_000)));
        assert_eq!(c.onprem_residual_usd, Decimal::ZERO);
    }

    #[test]
    fn servers_bought_together_are_replaced_when_due_and_their_value_left_is_counted() {
        let v = views(&ViewInputs { hardware_age_years: Some(3), ..inputs() });
        let on: Vec<Decimal> = v.cash.years.iter().map(|y| y.onprem_usd).collect();
        // 5-year cycle, 3 years old: replaced in year 3 (20,000 − 2,000 resale); 8,400 running every year.
        assert_eq!(on, [8400, 8400, 26_400, 8400, 8400].map(Decimal::from));
        // Bought at the start of year 3, used 3 of 5 years: 2,000 resale + 18,000 × 2/5 = 9,200 left.
        assert_eq!(v.cash.onprem_residual_usd, Decimal::from(9200));
    }

    #[test]
    fn a_difference_within_the_margin_is_about_the_same() {
        // Cloud 980 a month effective, no move: 58,800 + 1000 both = 59,800 against 60,000: 0.3 %.
        let v = views(&ViewInputs {
            cloud_effective_monthly: Decimal::from(980),
            move_at_start: Decimal::ZERO,
            ..inputs()
        });
        assert_eq!(v.verdict.outcome, Outcome::AboutTheSame);
        assert!(v.verdict.text.starts_with("About the same over 5 years"), "{}", v.verdict.text);
        let v = views(&ViewInputs { cloud_effective_monthly: Decimal::from(1200), ..inputs() });
        assert_eq!(v.verdict.outcome, Outcome::KeepingSaves);
        let v = views(&ViewInputs { aws_incomplete: true, ..inputs() });
        assert!(v.verdict.text.contains("INCOMPLETE"), "{}", v.verdict.text);
    }
}
