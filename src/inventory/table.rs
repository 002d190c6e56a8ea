//! CSV bytes or an xlsx sheet in, a header and rows of trimmed cell values out (each row with its physical
//! line or sheet row), for the readers of third-party inventory templates (Migration Evaluator, Google
//! Migration Center).
//!
//! CSV: a UTF-8 BOM, CRLF line ends, `,` `;` or tab delimiters (detected from the first line, see
//! [`detect_delimiter`]), blank and all-empty lines skipped, quoted cells may hold the delimiter. A row
//! whose field count differs from the header's is reported and skipped. xlsx: rows that only carry a
//! style (all cells empty) are skipped; numbers become their shortest decimal text (so `0.6` stays
//! `0.6`), Excel serial dates become [`Cell::Date`] with the date written out.

use calamine::Data;

use crate::error::Problem;
use crate::inventory::cells::{detect_delimiter, LineCounter};

/// How many non-blank rows at the top may come before the header (a title row in a styled template).
pub(crate) const HEADER_SEARCH_ROWS: usize = 10;

/// One cell, as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    /// Trimmed, non-empty text (numbers from xlsx as their shortest decimal text).
    Text(String),
    /// An xlsx cell Excel shows as a date, written out (`2024-03-01` or `2024-03-01 13:30:00`).
    Date(String),
    /// An xlsx cell holding an Excel error such as `#N/A`.
    ExcelError(String),
    /// A CSV cell that cannot be used: why.
    Unreadable(String),
}

impl Cell {
    /// The text of a cell meant to hold text: `Ok(None)` when empty; dates as written out.
    pub(crate) fn text(&self) -> Result<Option<&str>, String> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) | Cell::Date(s) => Ok(Some(s)),
            Cell::ExcelError(e) => Err(format!("the cell holds the Excel error {e}; fix the formula or type a value")),
            Cell::Unreadable(why) => Err(why.clone()),
        }
    }

    /// The text of a cell meant to hold a number: `Ok(None)` when empty; a date is an error naming `expected`.
    pub(crate) fn number_text(&self, expected: &str) -> Result<Option<&str>, String> {
        match self {
            Cell::Date(d) => {
                Err(format!("is a date ({d}) in the sheet; expected {expected} (format the cell as a number)"))
            }
            other => other.text(),
        }
    }
}

/// A data row: its 1-based line (CSV, physical) or sheet row (xlsx), and its cells in header order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) line: u64,
    pub(crate) cells: Vec<Cell>,
}

impl Row {
    /// The cell at `index`; `Cell::Empty` past the end (short xlsx rows).
    pub(crate) fn cell(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&Cell::Empty)
    }
}

/// A header: the row's cells as text (trimmed), and its line or sheet row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    pub(crate) line: u64,
    pub(crate) names: Vec<String>,
}

/// A CSV file opened at its header; [`CsvRows::next_row`] streams the data rows.
pub(crate) struct CsvRows<'a> {
    file: &'a str,
    rdr: csv::Reader<&'a [u8]>,
    lines: LineCounter<'a>,
    rec: csv::ByteRecord,
    delimiter: u8,
    pub(crate) header: Header,
    done: bool,
}

/// Open CSV `bytes` (named `file` in messages) at its header: the first non-blank row for which
/// `is_header` holds among the first [`HEADER_SEARCH_ROWS`], else the first non-blank row (the caller
/// then names the missing columns).
pub(crate) fn open_csv<'a>(
    file: &'a str,
    bytes: &'a [u8],
    is_header: &dyn Fn(&[String]) -> bool,
) -> Result<CsvRows<'a>, Problem> {
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(Problem::at(
            file,
            1,
            None,
            "the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 and try again",
        ));
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Problem::at(file, 1, None, "the file is empty; expected a header line"));
    }
    // The header decides the delimiter: the one detected from the first line, else any that finds the
    // header (a title line above it has no delimiter to detect).
    let detected = detect_delimiter(body);
    for delimiter in [detected, b',', b';', b'\t'] {
        let mut rows = CsvRows::new(file, body, delimiter);
        for _ in 0..HEADER_SEARCH_ROWS {
            let Some(line) = rows.read_non_blank().map_err(|p| *p)? else { break };
            let names: Vec<String> = rows.rec.iter().map(|c| String::from_utf8_lossy(c).trim().to_owned()).collect();
            if is_header(&names) {
                rows.header = Header { line, names };
                return Ok(rows);
            }
        }
    }
    // No row is the header: take the first non-blank row (the caller names the missing columns).
    let mut rows = CsvRows::new(file, body, detected);
    let Some(line) = rows.read_non_blank().map_err(|p| *p)? else {
        return Err(Problem::at(file, 1, None, "the file has no header line"));
    };
    let names = rows.rec.iter().map(|c| String::from_utf8_lossy(c).trim().to_owned()).collect();
    rows.header = Header { line, names };
    Ok(rows)
}

impl<'a> CsvRows<'a> {
    fn new(file: &'a str, body: &'a [u8], delimiter: u8) -> Self {
        CsvRows {
            file,
            rdr: csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(body),
            lines: LineCounter::new(body),
            rec: csv::ByteRecord::new(),
            delimiter,
            header: Header { line: 1, names: Vec::new() },
            done: false,
        }
    }

    /// Read the next record that is not blank; its line. `Ok(None)` at the end.
    fn read_non_blank(&mut self) -> Result<Option<u64>, Box<Problem>> {
        loop {
            match self.rdr.read_byte_record(&mut self.rec) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(1);
                    return Err(Box::new(Problem::at(self.file, line, None, format!("cannot read this line: {e}"))));
                }
            }
            let line = self.lines.line_of(&self.rec);
            if !self.rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                return Ok(Some(line));
            }
        }
    }

    /// The next data row; rows whose field count differs from the header's are reported and skipped.
    pub(crate) fn next_row(&mut self, problems: &mut Vec<Problem>) -> Option<Row> {
        while !self.done {
            let line = match self.read_non_blank() {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(p) => {
                    problems.push(*p);
                    break;
                }
            };
            let width = self.header.names.len();
            if self.rec.len() != width {
                problems.push(Problem::at(
                    self.file,
                    line,
                    None,
                    format!(
                        "has {} fields, the header has {width}; check the delimiter and quotes (a value with '{}' must be in double quotes)",
                        self.rec.len(),
                        self.delimiter as char
                    ),
                ));
                continue;
            }
            let cells = self.rec.iter().map(|raw| csv_cell(raw, line)).collect();
            return Some(Row { line, cells });
        }
        self.done = true;
        None
    }
}

/// A CSV field as a cell: trimmed UTF-8 on one line, or why not.
fn csv_cell(raw: &[u8], line: u64) -> Cell {
    match std::str::from_utf8(raw) {
        Err(e) => Cell::Unreadable(format!(
            "byte {} of the value is not valid UTF-8 (0x{:02x}); save the file as UTF-8",
            e.valid_up_to() + 1,
            raw.get(e.valid_up_to()).copied().unwrap_or_default()
        )),
        Ok(s) if s.contains(['\n', '\r']) => Cell::Unreadable(format!(
            "the value runs over {} lines; a double quote opened on line {line} is probably never closed",
            s.lines().count()
        )),
        Ok(s) if s.trim().is_empty() => Cell::Empty,
        Ok(s) => Cell::Text(s.trim().to_owned()),
    }
}

/// The rows of an xlsx sheet that hold a value, each with its 1-based sheet row.
pub(crate) fn sheet_rows(range: &calamine::Range<Data>) -> Vec<Row> {
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    range
        .rows()
        .enumerate()
        .filter_map(|(i, cells)| {
            // Cells left of the range's first column are empty: keep columns aligned with the sheet.
            let mut out: Vec<Cell> = vec![Cell::Empty; first_col as usize];
            out.extend(cells.iter().map(sheet_cell));
            let line = u64::from(first_row) + i as u64 + 1;
            out.iter().any(|c| *c != Cell::Empty).then_some(Row { line, cells: out })
        })
        .collect()
}

/// The cells of a row as header names (text, empty for anything else).
pub(crate) fn header_names(row: &Row) -> Vec<String> {
    row.cells.iter().map(|c| c.text().ok().flatten().unwrap_or_default().to_owned()).collect()
}

/// Split sheet rows into the header (see [`open_csv`] for which row that is) and the data rows after it.
pub(crate) fn split_header(rows: Vec<Row>, is_header: &dyn Fn(&[String]) -> bool) -> Option<(Header, Vec<Row>)> {
    let at = rows.iter().take(HEADER_SEARCH_ROWS).position(|r| is_header(&header_names(r))).unwrap_or(0);
    let first = rows.get(at)?;
    let header = Header { line: first.line, names: header_names(first) };
    Some((header, rows.into_iter().skip(at + 1).collect()))
}

fn sheet_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.trim().to_owned()),
        Data::Int(i) => Cell::Text(i.to_string()),
        // `Display` of f64 is the shortest text that reads back as the same number: 0.6, 4096, 1e-7 as 0.0000001.
        Data::Float(f) => Cell::Text(f.to_string()),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(d) => Cell::Date(excel_serial_date(d.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Date(s.clone()),
        Data::Error(e) => Cell::ExcelError(e.to_string()),
    }
}

/// An Excel serial date (days since 1899-12-30 in the 1900 date system, with its 1900-02-29 that never
/// was) written as `YYYY-MM-DD`, with the time of day when there is one. Workbooks in the 1904 system
/// (old Mac Excel) come out 4 years and a day early; only messages and tag text use this.
pub(crate) fn excel_serial_date(serial: f64) -> String {
    let Some(epoch) = chrono::NaiveDate::from_ymd_opt(1899, 12, 30) else { return serial.to_string() };
    if !serial.is_finite() || !(0.0..=2_958_465.999_999).contains(&serial) {
        return serial.to_string();
    }
    // Serials before 61 count the missing 1900-02-29, so they are a day off from the calendar.
    let days = serial.trunc() as u64 + u64::from((1.0..61.0).contains(&serial));
    let seconds = ((serial.fract() * 86_400.0).round() as u32).min(86_399);
    let Some(date) = epoch.checked_add_days(chrono::Days::new(days)) else { return serial.to_string() };
    if seconds == 0 {
        date.format("%Y-%m-%d").to_string()
    } else {
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        format!("{} {h:02}:{m:02}:{s:02}", date.format("%Y-%m-%d"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_has_name(h: &[String]) -> bool {
        h.iter().any(|c| c == "name")
    }

    #[test]
    fn serial_dates() {
        assert_eq!(excel_serial_date(45352.0), "2024-03-01");
        assert_eq!(excel_serial_date(45352.5625), "2024-03-01 13:30:00");
        assert_eq!(excel_serial_date(1.0), "1900-01-01");
        assert_eq!(excel_serial_date(61.0), "1900-03-01");
        assert_eq!(excel_serial_date(-3.0), "-3");
    }

    #[test]
    fn header_after_a_title_line_and_rows_with_physical_lines() {
        let bytes = b"\xef\xbb\xbfMy servers\r\n\r\nname,cpus\r\na,1\r\n\r\n\"b,c\",2\r\n,\r\n";
        let mut rows = open_csv("t.csv", bytes, &header_has_name).expect("opens");
        assert_eq!(rows.header, Header { line: 3, names: vec!["name".into(), "cpus".into()] });
        let mut problems = Vec::new();
        let a = rows.next_row(&mut problems).expect("row a");
        assert_eq!((a.line, a.cell(0).clone()), (4, Cell::Text("a".into())));
        let b = rows.next_row(&mut problems).expect("row b");
        assert_eq!((b.line, b.cell(0).clone()), (6, Cell::Text("b,c".into())));
        assert_eq!(rows.next_row(&mut problems), None);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn no_header_found_uses_the_first_line() {
        let mut rows = open_csv("t.csv", b"a,b\n1,2\n", &header_has_name).expect("opens");
        assert_eq!(rows.header, Header { line: 1, names: vec!["a".into(), "b".into()] });
        let mut problems = Vec::new();
        assert_eq!(rows.next_row(&mut problems).map(|r| r.line), Some(2));
    }

    #[test]
    fn wrong_field_count_is_reported_and_skipped() {
        let mut rows = open_csv("t.csv", b"name,cpus\na,1,9\nb,2\n", &header_has_name).expect("opens");
        let mut problems = Vec::new();
        assert_eq!(rows.next_row(&mut problems).map(|r| r.line), Some(3));
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "t.csv:2: has 3 fields, the header has 2; check the delimiter and quotes (a value with ',' must be in double quotes)"
        );
    }
}
