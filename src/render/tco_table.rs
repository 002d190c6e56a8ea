//! A `Plan` with a `Comparison` in, the terminal summary of on-prem against AWS out: both monthly costs, the
//! break-even month, the 3- and 5-year totals, the levers and the on-prem lines.

use crate::plan::Plan;
use crate::tco::{Comparison, LeverKind};

use super::report::show_usd;
use super::table::table;

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
    out.push_str(&match c.break_even_month {
        Some(m) => format!("Break-even: month {m}; AWS stays cheaper from then to the end of year {}.\n", c.years),
        None => format!("Break-even: not within {} years with these assumptions.\n", c.years),
    });
    let mut rows = vec![["years", "on-prem", "AWS", "moving saves"].map(String::from).to_vec()];
    for h in &c.horizons {
        rows.push(vec![h.years.to_string(), show_usd(h.onprem_usd), show_usd(h.cloud_usd), show_usd(h.saving_usd)]);
    }
    out.push_str(&table(rows, 1));
    out.push('\n');
    let mut rows = vec![["lever", "a year", "what"].map(String::from).to_vec()];
    for l in &c.levers {
        rows.push(vec![
            if l.kind == LeverKind::Cost { format!("{} (a cost)", l.name) } else { l.name.clone() },
            l.usd_year.map(show_usd).unwrap_or_else(|| "not computed".into()),
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
