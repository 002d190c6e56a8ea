//! A `Plan` with a `Comparison` in, the terminal summary of on-prem against AWS out: both monthly costs, the
//! verdict (amortised view, with its margin), the 3- and 5-year totals, the cash flow year by year with what
//! falls due and the value left at the end, the levers (in the AWS figure or on top) and the on-prem lines.

use crate::plan::Plan;
use crate::tco::{Comparison, LeverKind, Outcome};

use super::report::show_usd;
use super::table::table;

/// A value deducted: `-$4,061.00`, or `$0.00`.
fn credit(v: rust_decimal::Decimal) -> String {
    if v.is_zero() {
        show_usd(v)
    } else {
        show_usd(-v)
    }
}

/// The comparison of `plan`, or an empty string when it has none.
pub fn summary(plan: &Plan) -> String {
    match &plan.comparison {
        Some(c) => render(c),
        None => String::new(),
    }
}

fn render(c: &Comparison) -> String {
    let mut out = String::from("On-prem against AWS:\n");
    out.push_str(&format!(
        "Keeping the servers on-prem: {} a month ({}).\n",
        show_usd(c.onprem.monthly_usd),
        c.onprem.estate.basis
    ));
    out.push_str(&format!(
        "AWS with the recommended purchase options: {} a month, upfronts spread ({} paid monthly{}).\n",
        show_usd(c.cloud.effective_monthly_usd),
        show_usd(c.cloud.monthly_usd),
        match c.cloud.upfronts.first() {
            Some(u) => format!(", {} upfront in month {}", show_usd(u.usd), u.month),
            None => String::new(),
        }
    ));
    out.push_str(&format!("The move, once: {}.\n", show_usd(c.one_time_usd)));
    let v = &c.verdict;
    out.push_str(&format!("Verdict: {}\n", v.text));
    if v.outcome != Outcome::MovingSaves {
        if let Some(m) = v.break_even_month {
            out.push_str(&format!(
                "(The amortised lines cross in month {m}{}.)\n",
                if v.aws_incomplete { ", on an incomplete AWS side" } else { "" }
            ));
        }
    }
    out.push_str(
        "Amortised: every reservation upfront and hardware purchase spread over its own term; only the months inside the horizon count.\n",
    );
    let mut rows = vec![["years", "on-prem", "AWS", "moving saves"].map(String::from).to_vec()];
    for h in &c.horizons {
        rows.push(vec![h.years.to_string(), show_usd(h.onprem_usd), show_usd(h.cloud_usd), show_usd(h.saving_usd)]);
    }
    out.push_str(&table(rows, 1));
    out.push('\n');
    out.push_str("Cash flow: what is paid in each year.\n");
    let mut rows = vec![["year", "on-prem", "AWS", "moving saves", "saved so far"].map(String::from).to_vec()];
    for y in &c.cash.years {
        rows.push(vec![
            y.year.to_string(),
            show_usd(y.onprem_usd),
            show_usd(y.cloud_usd),
            show_usd(y.saving_usd),
            show_usd(y.cumulative_saving_usd),
        ]);
    }
    rows.push(vec![
        "value left at the end".into(),
        credit(c.cash.onprem_residual_usd),
        credit(c.cash.cloud_residual_usd),
        String::new(),
        String::new(),
    ]);
    rows.push(vec![
        "net".into(),
        show_usd(c.cash.onprem_net_usd),
        show_usd(c.cash.cloud_net_usd),
        show_usd(c.cash.onprem_net_usd - c.cash.cloud_net_usd),
        String::new(),
    ]);
    out.push_str(&table(rows, 1));
    out.push('\n');
    for y in &c.cash.years {
        if !y.events.is_empty() {
            out.push_str(&format!("year {}: {}\n", y.year, y.events.join("; ")));
        }
    }
    for n in &c.cash.residual_notes {
        out.push_str(&format!("value left: {n}\n"));
    }
    let mut rows = vec![["lever", "a year", "in the AWS figure", "what"].map(String::from).to_vec()];
    for l in &c.levers {
        rows.push(vec![
            if l.kind == LeverKind::Cost { format!("{} (a cost)", l.name) } else { l.name.clone() },
            l.usd_year.map(show_usd).unwrap_or_else(|| "not computed".into()),
            if l.in_aws_figure { "already in" } else { "on top" }.into(),
            l.detail.clone(),
        ]);
    }
    out.push_str(&table(rows, 0));
    out.push('\n');
    let mut rows = vec![["on-prem", "a month", "how"].map(String::from).to_vec()];
    for l in &c.onprem.lines {
        rows.push(vec![format!("{}: {}", l.category, l.item), show_usd(l.usd), l.how.clone()]);
    }
    out.push_str(&table(rows, 0));
    out.push('\n');
    for n in &c.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str("[onprem] defaults and their sources: README.md and report.html; change them in rocklift.toml.\n");
    out
}
