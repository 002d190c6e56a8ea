//! Renderers: a `Plan` (or pricing data) in, text out — terminal tables, JSON, CSV. No computation happens here.

pub mod csv_out;
pub mod inventory_check;
pub mod json;
pub mod table;

/// A CSV cell that a spreadsheet would run as a formula (`= + - @`, tab, CR) gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}
