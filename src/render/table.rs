//! A `Plan` in, the terminal summary out: servers with their placement and monthly cost, totals by role, warnings and the pricing date.

use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Modify, Style};
use tabled::{builder::Builder, Table};

use crate::matching::MatchOutcome;
use crate::money::{display_rate, display_usd_grouped};
use crate::plan::Plan;

pub fn table(rows: Vec<Vec<String>>, right_from: usize) -> String {
    let mut b = Builder::default();
    for r in rows {
        b.push_record(r);
    }
    let mut t: Table = b.build();
    t.with(Style::sharp());
    if right_from > 0 {
        t.with(Modify::new(Columns::new(right_from..)).with(Alignment::right()));
    }
    t.to_string()
}

/// Rows of the per-server table; larger inventories show their most expensive rows.
pub const MAX_ROWS: usize = 50;
/// Server names listed per note.
const MAX_NAMES: usize = 10;

/// Indexes of the servers to show: all of them in inventory order, or the `MAX_ROWS` with the
/// highest monthly cost (ties in inventory order), still in inventory order.
fn shown_rows(plan: &Plan) -> Vec<usize> {
    let n = plan.servers.len();
    if n <= MAX_ROWS {
        return (0..n).collect();
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.select_nth_unstable_by(MAX_ROWS - 1, |&a, &b| {
        plan.servers[b].monthly_usd.cmp(&plan.servers[a].monthly_usd).then(a.cmp(&b))
    });
    idx.truncate(MAX_ROWS);
    idx.sort_unstable();
    idx
}

pub fn plan(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "rocklift plan: {} ({} rows, {} servers) in {}, sizing {}\n",
        plan.inventory.file, plan.inventory.rows, plan.inventory.servers, plan.settings.region, plan.settings.sizing
    ));
    out.push_str(&super::incomplete::headline(plan));
    let mut rows =
        vec![["server", "n", "role", "today", "on AWS", "needs", "type", "$/h", "$/month"].map(String::from).to_vec()];
    let shown = shown_rows(plan);
    for s in shown.iter().map(|&i| &plan.servers[i]) {
        let needs = format!(
            "{} vCPU {} GiB{}",
            s.requirement.vcpus,
            crate::money::display_size(s.requirement.memory_gib),
            if s.requirement.gpus > 0 { format!(" {} GPU", s.requirement.gpus) } else { String::new() }
        );
        let (itype, hourly, monthly) = match &s.placement {
            MatchOutcome::Placed(p) => {
                (p.instance_type.clone(), display_rate(p.hourly_usd), display_usd_grouped(s.monthly_usd))
            }
            MatchOutcome::Unplaced { .. } => ("NOT PLACED".to_owned(), "-".to_owned(), "-".to_owned()),
        };
        rows.push(vec![
            s.name.clone(),
            s.count.to_string(),
            s.role.clone(),
            s.os.text.clone(),
            s.os.target.clone(),
            needs,
            itype,
            hourly,
            monthly,
        ]);
    }
    out.push_str(&table(rows, 7));
    out.push('\n');
    if shown.len() < plan.servers.len() {
        out.push_str(&format!(
            "Showing the {} rows with the highest monthly cost of {}; every row is in plan.csv and plan.json (--out DIR).\n",
            shown.len(),
            plan.servers.len()
        ));
    }
    // The same note for many servers is said once, with their names.
    let mut notes: Vec<(String, Vec<&str>)> = Vec::new();
    for s in &plan.servers {
        let group = s.group.as_ref().map(|g| {
            format!(
                "scaling group '{}': {}..{} instances (desired {}), {} instance-hours a month ({})",
                g.name,
                g.min,
                g.max,
                g.desired,
                g.instance_hours_month.round_dp(1).normalize(),
                g.time_zone
            )
        });
        for n in s.os.note.iter().chain(&s.requirement.notes).chain(group.iter()) {
            match notes.iter_mut().find(|(t, _)| t == n) {
                Some((_, names)) => names.push(&s.name),
                None => notes.push((n.clone(), vec![&s.name])),
            }
        }
    }
    for (note, names) in &notes {
        let listed = names.iter().take(MAX_NAMES).copied().collect::<Vec<_>>().join(", ");
        let more = names.len().saturating_sub(MAX_NAMES);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        out.push_str(&format!("{listed}{more}: {note}\n"));
    }

    let mut rows = vec![vec!["role".to_owned(), "$/month".to_owned()]];
    for (role, usd) in &plan.totals.by_role {
        rows.push(vec![role.clone(), display_usd_grouped(*usd)]);
    }
    for (cat, usd) in &plan.totals.by_category {
        rows.push(vec![format!("({cat})"), display_usd_grouped(*usd)]);
    }
    rows.push(vec!["total".to_owned(), display_usd_grouped(plan.totals.monthly_usd)]);
    out.push_str(&table(rows, 1));
    out.push('\n');
    out.push_str(&format!(
        "Total ${} per month, ${} per year, on-demand for the scheduled hours{}.\n",
        display_usd_grouped(plan.totals.monthly_usd),
        display_usd_grouped(plan.totals.monthly_usd * rust_decimal::Decimal::from(12)),
        if plan.totals.incomplete { " (INCOMPLETE: see the top)" } else { "" }
    ));
    if !plan.totals.discount_pct.is_zero() {
        out.push_str(&format!(
            "With your {}% discount (rocklift.toml discount_pct): ${} per month.\n",
            plan.totals.discount_pct.normalize(),
            display_usd_grouped(plan.totals.discounted_monthly_usd)
        ));
    }
    if !plan.totals.licence_saving_monthly_usd.is_zero() {
        out.push_str(&format!(
            "Rocky Linux instead of RHEL on AWS saves ${} per month in licence charges.\n",
            display_usd_grouped(plan.totals.licence_saving_monthly_usd)
        ));
    }
    out.push_str(&purchase_section(plan, &shown));
    out.push_str(&network_section(plan));
    for n in &plan.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    for w in &plan.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out.push_str(&format!(
        "Prices: {} snapshot, {} (sources: {}).\n",
        plan.pricing.snapshot,
        plan.pricing.data_date_note,
        plan.pricing.sources.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
    ));
    out
}

/// Per row: running hours, what it pays while stopped, every purchase option with the RI
/// break-even hours, and the recommendation; then the totals with the recommendations.
fn purchase_section(plan: &Plan, shown: &[usize]) -> String {
    use crate::purchase::PurchaseKind;
    let mut rows = vec![[
        "server",
        "h/month",
        "stopped $/mo",
        "on-demand $/mo",
        "RI 1yr $/mo (break-even h)",
        "RI 3yr $/mo (break-even h)",
        "spot $/mo",
        "buy",
    ]
    .map(String::from)
    .to_vec()];
    let mut any = false;
    for s in shown.iter().map(|&i| &plan.servers[i]) {
        let Some(p) = &s.purchase else { continue };
        any = true;
        let opt = |k: PurchaseKind| p.options.iter().find(|o| o.kind == k);
        let ri = |k: PurchaseKind| match opt(k) {
            Some(o) => format!(
                "{} ({})",
                display_usd_grouped(o.effective_monthly_usd),
                o.break_even_hours_month.map(|h| h.to_string()).unwrap_or_else(|| "-".into())
            ),
            None => "-".into(),
        };
        rows.push(vec![
            s.name.clone(),
            s.hours_per_month.round_dp(1).normalize().to_string(),
            s.stopped_usd_month.map(display_usd_grouped).unwrap_or_else(|| "-".into()),
            opt(PurchaseKind::OnDemand).map(|o| display_usd_grouped(o.effective_monthly_usd)).unwrap_or_default(),
            ri(PurchaseKind::Reserved1y),
            ri(PurchaseKind::Reserved3y),
            opt(PurchaseKind::Spot).map(|o| display_usd_grouped(o.effective_monthly_usd)).unwrap_or_else(|| "-".into()),
            p.recommended.as_str().to_owned(),
        ]);
    }
    if !any {
        return String::new();
    }
    let mut out = String::from("Purchase options (compute only; RI = all upfront, shown per month over its term):\n");
    out.push_str(&table(rows, 1));
    out.push('\n');
    out.push_str(&format!(
        "With the recommended options: ${} per month, plus ${} upfront for reservations.\n",
        display_usd_grouped(plan.totals.recommended_monthly_usd),
        display_usd_grouped(plan.totals.recommended_upfront_usd)
    ));
    if !plan.totals.discount_pct.is_zero() {
        out.push_str(&format!(
            "After the {}% discount: ${} per month, ${} upfront.\n",
            plan.totals.discount_pct.normalize(),
            display_usd_grouped(plan.totals.discounted_recommended_monthly_usd),
            display_usd_grouped(plan.totals.discounted_recommended_upfront_usd)
        ));
    }
    out
}

/// Account-level network lines and the move's transfer time.
fn network_section(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.network.lines.is_empty() {
        let mut rows = vec![["network (account)", "quantity", "$/month", "how"].map(String::from).to_vec()];
        for l in &plan.network.lines {
            rows.push(vec![
                l.item.clone(),
                format!("{} {}", l.quantity.normalize(), l.unit),
                l.usd_month.map(display_usd_grouped).unwrap_or_else(|| "not in snapshot".into()),
                l.detail.clone(),
            ]);
        }
        out.push_str(&table(rows, 0));
        out.push('\n');
    }
    if let Some(m) = &plan.migration {
        out.push_str(&format!(
            "The move: {} GiB over {} Mbps at {}% of the link takes {} days{}.\n",
            m.inputs.data_gib.round_dp(1).normalize(),
            m.inputs.link_mbps.normalize(),
            (m.inputs.utilisation * rust_decimal::Decimal::from(100)).normalize(),
            m.days.round_dp(1).normalize(),
            match m.transfer_in_cost_usd {
                Some(c) => format!("; transfer into AWS ${}", display_usd_grouped(c)),
                None => "; transfer-in price not in the snapshot".into(),
            }
        ));
    }
    out
}
