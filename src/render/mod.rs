//! Renderers: a `Plan`, a burst plan (burst.json) or pricing data in, text out — terminal tables, JSON, CSV, Markdown and HTML reports with SVG charts. No computation happens here.

pub mod burst_report;
pub mod csv_out;
pub mod incomplete;
pub mod inventory_check;
pub mod json;
pub mod report;
pub mod svg;
pub mod table;
pub mod tco_table;

/// A CSV cell that a spreadsheet would run as a formula (`= + - @`, tab, CR) gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}
