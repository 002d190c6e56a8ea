//! A plan in, its INCOMPLETE headline out: what the totals leave out (with the quantities the plan knows) and how
//! to fill it, as lines of text; the terminal prints them first, and the reports show the same facts from
//! plan.json's `totals.left_out`.

use crate::money::display_size;
use crate::plan::{LeftOut, LeftOutKind, Plan};

/// `what: quantity unit (why)` for one thing left out.
pub fn describe(l: &LeftOut) -> String {
    let quantity = match (&l.quantity, &l.unit) {
        (Some(q), Some(u)) => format!(": {} {u}", display_size(*q)),
        (Some(q), None) => format!(": {}", display_size(*q)),
        _ => String::new(),
    };
    format!("{}{quantity} ({})", l.item, l.why)
}

/// How to fill the prices the data lacks in `region`, when some are left out for that reason.
pub fn fill_hint(plan: &Plan) -> Option<String> {
    let region = &plan.settings.region;
    plan.totals.left_out.iter().any(|l| l.kind == LeftOutKind::Price).then(|| {
        format!(
            "Fill the missing prices with `rocklift pricing refresh --regions {region}` where AWS is reachable, or give \
             them under [prices.\"{region}\"] in rocklift.toml (`rocklift plan` warns once per missing price, naming its \
             key). Until then every AWS figure, and anything compared with it, is too low."
        )
    })
}

/// The headline block: empty for a complete plan, else `INCOMPLETE: ...`, one line per thing left out, and the
/// fill hint.
pub fn headline(plan: &Plan) -> String {
    if !plan.totals.incomplete {
        return String::new();
    }
    let mut out = String::from("INCOMPLETE: the monthly totals below leave out");
    if plan.totals.left_out.is_empty() {
        // A plan.json written before `left_out` existed says only that something is missing.
        out.push_str(" something: see the warnings.\n");
        return out;
    }
    out.push_str(":\n");
    for l in &plan.totals.left_out {
        out.push_str(&format!("  - {}\n", describe(l)));
    }
    if let Some(h) = fill_hint(plan) {
        out.push_str(&format!("  {h}\n"));
    }
    out
}
