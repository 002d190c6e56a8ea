//! A `Plan` in, `plan.json` text out (pretty, stable key order, trailing newline), written as a stream.

use std::io::{self, Write};

use crate::plan::Plan;

/// Write the plan as JSON to `w` without building the whole text in memory.
pub fn write_plan(plan: &Plan, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, plan).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

pub fn plan(plan: &Plan) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail, and a Plan always serializes (string keys only).
    let _ = write_plan(plan, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}
