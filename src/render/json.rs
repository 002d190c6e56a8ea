//! A `Plan` in, `plan.json` text out (pretty, stable key order, trailing newline).

use crate::plan::Plan;

pub fn plan(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(plan).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
