//! The bytes of a cloud import-template CSV (Migration Hub, Azure Migrate) in; its header cells and its rows of
//! trimmed cell text out, each row with its physical line, and every reading problem located (file, line,
//! column header as written). Also the cell parsers both template readers share.
//!
//! Reading follows the native reader (`native_csv`): UTF-8 BOM, CRLF, `,` `;` or tab delimiters detected from
//! the header, quoted cells that hold the delimiter (`"10.0.0.1,10.0.0.2"`), blank and all-empty rows skipped
//! (trailing empty lines), a row with another number of fields than the header reported, never a panic.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::{Decimal, RoundingStrategy};
use rustc_hash::FxHashMap;

use crate::error::{Error, Problem, Result};
use crate::inventory::cells::{detect_delimiter, number, number_as, strip_pct, LineCounter};
use crate::inventory::os::{self, OsInfo};
use crate::inventory::Server;

/// Largest values accepted as plausible (the native reader's limits).
pub(crate) const MAX_CPUS: u32 = 100_000;
pub(crate) const MAX_MEMORY_GIB: u32 = 1_048_576; // 1 PiB
pub(crate) const MAX_DISK_GIB: u32 = 1_000_000_000;
pub(crate) const MAX_DISK_IOPS: u32 = 10_000_000;
pub(crate) const MAX_DISK_MBPS: u32 = 1_000_000;
/// Longer names are typos or pasted text.
pub(crate) const MAX_NAME_CHARS: usize = 1024;

/// A percentage as these templates give it: `45`, `45%`, `45.5`, from 0 to 100.
pub(crate) const PERCENT: &str = "a percentage from 0 to 100, such as 35";

/// A CSV file read into cells: the header as written and the data rows.
pub(crate) struct Table {
    pub(crate) header_line: u64,
    /// Header cells as written: trimmed, BOM removed; `""` for a cell that is not UTF-8 (reported).
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Row>,
    /// Problems of whole rows (a wrong number of fields, a line the CSV reader cannot read), in file order.
    pub(crate) row_problems: Vec<Problem>,
    /// Problems of the header line itself.
    pub(crate) header_problems: Vec<Problem>,
}

/// One data row: its physical line and its cells.
pub(crate) struct Row {
    pub(crate) line: u64,
    pub(crate) cells: Vec<Cell>,
}

/// One cell of a data row.
pub(crate) enum Cell {
    /// Empty or only blanks.
    Empty,
    /// Trimmed text.
    Text(String),
    /// Not readable (not UTF-8, or running over lines): the message, reported when a reader uses the column.
    Unreadable(String),
}

/// Read `bytes` (the whole file) into a [`Table`]; `expected` names the header the format needs, for the
/// message about an empty file. Only problems that leave nothing to read are returned as `Err`.
pub(crate) fn read(file: &str, bytes: &[u8], expected: &str) -> Result<Table> {
    let fatal = |line: u64, message: String| Error::Invalid(vec![Problem::at(file, line, None, message)]);
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(fatal(
            1,
            "the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 and try again".into(),
        ));
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(fatal(1, format!("the file is empty; expected {expected}")));
    }
    let delimiter = detect_delimiter(body);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let mut lines = LineCounter::new(body);
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => return Err(fatal(1, "the file has no header line".into())),
        Err(e) => return Err(fatal(csv_line(&e), format!("cannot read the header: {e}"))),
    }
    let header_line = lines.line_of(&rec);
    let mut header_problems = Vec::new();
    let header: Vec<String> = rec
        .iter()
        .enumerate()
        .map(|(i, cell)| match std::str::from_utf8(cell) {
            Ok(text) => text.trim().trim_start_matches('\u{feff}').trim().to_owned(),
            Err(_) => {
                header_problems.push(Problem::at(
                    file,
                    header_line,
                    None,
                    format!("header cell {} is not valid UTF-8; save the file as UTF-8", i + 1),
                ));
                String::new()
            }
        })
        .collect();
    let mut rows = Vec::new();
    let mut row_problems = Vec::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                row_problems.push(Problem::at(file, csv_line(&e), None, format!("cannot read this line: {e}")));
                break;
            }
        }
        let line = lines.line_of(&rec);
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue; // a blank or all-empty row
        }
        if rec.len() != header.len() {
            row_problems.push(Problem::at(
                file,
                line,
                None,
                format!(
                    "has {} fields, the header has {}; check the delimiter and quotes (a value with '{}' must be in double quotes)",
                    rec.len(),
                    header.len(),
                    delimiter as char
                ),
            ));
            continue;
        }
        rows.push(Row { line, cells: rec.iter().map(|raw| cell_text(raw, line)).collect() });
    }
    Ok(Table { header_line, header, rows, row_problems, header_problems })
}

fn csv_line(e: &csv::Error) -> u64 {
    e.position().map(|p| p.line()).unwrap_or(1)
}

/// The header text of column `i`, or `column N` when the header cell is empty.
pub(crate) fn label(header: &[String], i: usize) -> String {
    match header.get(i) {
        Some(h) if !h.is_empty() => h.clone(),
        _ => format!("column {}", i + 1),
    }
}

/// Trimmed UTF-8 text of one cell on one line.
fn cell_text(raw: &[u8], line: u64) -> Cell {
    match std::str::from_utf8(raw) {
        Err(e) => Cell::Unreadable(format!(
            "byte {} of the value is not valid UTF-8 (0x{:02x}); save the file as UTF-8",
            e.valid_up_to() + 1,
            raw.get(e.valid_up_to()).copied().unwrap_or_default()
        )),
        Ok(s) if s.contains('\n') || s.contains('\r') => Cell::Unreadable(format!(
            "the value runs over {} lines; a double quote opened on line {line} is probably never closed",
            s.lines().count()
        )),
        Ok(s) if s.trim().is_empty() => Cell::Empty,
        Ok(s) => Cell::Text(s.trim().to_owned()),
    }
}

/// Which header cell is which column of a format: `C` is the format's column type.
pub(crate) struct Columns<C> {
    found: Vec<(C, usize)>,
    /// Header cells of columns rocklift reads nothing from, as written, in file order.
    pub(crate) ignored: Vec<String>,
}

impl<C: Copy + PartialEq> Columns<C> {
    /// Classify every header cell: `Ok(Some(c))` a column rocklift reads, `Ok(None)` one it ignores,
    /// `Err(message)` a header it cannot accept (reported). A second cell naming the same column is reported.
    pub(crate) fn resolve(
        file: &str,
        table: &Table,
        classify: impl Fn(&str) -> std::result::Result<Option<C>, String>,
        problems: &mut Vec<Problem>,
    ) -> Self {
        let mut cols = Columns { found: Vec::new(), ignored: Vec::new() };
        for (i, text) in table.header.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            match classify(text) {
                Ok(Some(c)) => match cols.index(c) {
                    Some(first) => problems.push(Problem::at(
                        file,
                        table.header_line,
                        Some(text),
                        format!("names the same data as column '{}'; keep one of them", label(&table.header, first)),
                    )),
                    None => cols.found.push((c, i)),
                },
                Ok(None) => cols.ignored.push(text.clone()),
                Err(message) => problems.push(Problem::at(file, table.header_line, Some(text), message)),
            }
        }
        cols
    }

    pub(crate) fn index(&self, c: C) -> Option<usize> {
        self.found.iter().find(|(f, _)| *f == c).map(|(_, i)| *i)
    }

    pub(crate) fn has(&self, c: C) -> bool {
        self.index(c).is_some()
    }

    /// The columns found, in file order.
    pub(crate) fn found(&self) -> impl Iterator<Item = C> + '_ {
        let mut v: Vec<&(C, usize)> = self.found.iter().collect();
        v.sort_by_key(|(_, i)| *i);
        v.into_iter().map(|(c, _)| *c)
    }
}

/// One row being read: its cells by column, and the problems found in it (each at its column).
pub(crate) struct RowReader<'a, C> {
    file: &'a str,
    header: &'a [String],
    cols: &'a Columns<C>,
    row: &'a Row,
    /// (column index, problem), sorted by column when the row is done.
    problems: Vec<(usize, Problem)>,
}

impl<'a, C: Copy + PartialEq> RowReader<'a, C> {
    /// Start reading `row`; unreadable cells of the columns the format reads are reported here.
    pub(crate) fn new(file: &'a str, table: &'a Table, cols: &'a Columns<C>, row: &'a Row) -> Self {
        let mut reader = RowReader { file, header: &table.header, cols, row, problems: Vec::new() };
        for c in cols.found() {
            if let Some(Cell::Unreadable(message)) = reader.cell(c) {
                reader.fail(c, message.clone());
            }
        }
        reader
    }

    pub(crate) fn line(&self) -> u64 {
        self.row.line
    }

    /// The trimmed text of column `c`; `None` when the column is absent, the cell empty or unreadable.
    pub(crate) fn text(&self, c: C) -> Option<&'a str> {
        match self.cell(c) {
            Some(Cell::Text(t)) => Some(t.as_str()),
            _ => None,
        }
    }

    fn cell(&self, c: C) -> Option<&'a Cell> {
        self.row.cells.get(self.cols.index(c)?)
    }

    /// The header of column `c` as written (`""` when absent).
    pub(crate) fn label(&self, c: C) -> String {
        self.cols.index(c).map(|i| label(self.header, i)).unwrap_or_default()
    }

    pub(crate) fn has(&self, c: C) -> bool {
        self.cols.has(c)
    }

    /// Report a problem of this row at column `c`.
    pub(crate) fn fail(&mut self, c: C, message: String) {
        let i = self.cols.index(c).unwrap_or(usize::MAX);
        let column = self.label(c);
        let column = (!column.is_empty()).then_some(column.as_str());
        self.problems.push((i, Problem::at(self.file, self.row.line, column, message)));
    }

    /// Parse column `c` when it has a value; report a parse error.
    pub(crate) fn optional<T>(
        &mut self,
        c: C,
        parse: impl FnOnce(&'a str) -> std::result::Result<T, String>,
    ) -> Option<T> {
        let s = self.text(c)?;
        match parse(s) {
            Ok(v) => Some(v),
            Err(m) => {
                self.fail(c, m);
                None
            }
        }
    }

    /// Parse column `c`, which must have a value: an empty cell is reported with `if_empty`.
    pub(crate) fn required<T>(
        &mut self,
        c: C,
        if_empty: &str,
        parse: impl FnOnce(&'a str) -> std::result::Result<T, String>,
    ) -> Option<T> {
        if self.text(c).is_none() {
            if !self.unreadable(c) {
                self.fail(c, format!("is empty; expected {if_empty}"));
            }
            return None;
        }
        self.optional(c, parse)
    }

    /// Whether the cell of `c` was unreadable (and so is reported already).
    pub(crate) fn unreadable(&self, c: C) -> bool {
        matches!(self.cell(c), Some(Cell::Unreadable(_)))
    }

    /// Whether any problem was found in this row.
    pub(crate) fn failed(&self) -> bool {
        !self.problems.is_empty()
    }

    /// The row's problems, in the order of the columns in the file.
    pub(crate) fn into_problems(mut self) -> Vec<Problem> {
        self.problems.sort_by_key(|(i, _)| *i);
        self.problems.into_iter().map(|(_, p)| p).collect()
    }
}

/// A percentage, `45`, `45%` or `45.5`, from 0 to 100 (both templates give 0-100, so `0.45` is 0.45%).
pub(crate) fn percent(s: &str) -> std::result::Result<Decimal, String> {
    let v = number_as(strip_pct(s), s, PERCENT)?;
    if v > Decimal::ONE_HUNDRED {
        return Err(format!("'{s}' is above 100; expected {PERCENT}"));
    }
    Ok(v)
}

/// A memory size in MB (MiB in these templates: see each reader), greater than 0 and plausible.
pub(crate) fn memory_mb(s: &str, what: &str) -> std::result::Result<Decimal, String> {
    let v = number(s, what)?;
    if v.is_zero() {
        return Err(format!("is 0; expected {what}"));
    }
    if v > Decimal::from(MAX_MEMORY_GIB) * Decimal::from(1024) {
        return Err(format!("'{s}' MB is implausibly large; expected at most {} MB", u64::from(MAX_MEMORY_GIB) * 1024));
    }
    Ok(v)
}

/// A non-negative amount no larger than `max`.
pub(crate) fn amount(s: &str, max: u32, what: &str) -> std::result::Result<Decimal, String> {
    let v = number(s, what)?;
    if v > Decimal::from(max) {
        return Err(format!("'{s}' is implausibly large; expected at most {max}"));
    }
    Ok(v)
}

/// `d` rounded up to a whole number, for IOPS and MiB/s needs; `None` above `max` (callers check `max` first).
pub(crate) fn ceil_u32(d: Decimal) -> Option<u32> {
    let up = d.round_dp_with_strategy(0, RoundingStrategy::ToPositiveInfinity);
    u32::try_from(up.mantissa() / 10i128.pow(up.scale())).ok()
}

/// A server name: no control characters, at most [`MAX_NAME_CHARS`].
pub(crate) fn check_name(n: &str) -> std::result::Result<&str, String> {
    if n.chars().any(char::is_control) {
        return Err("contains a control character; expected a plain server name".into());
    }
    let chars = n.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(format!("is {chars} characters long; expected at most {MAX_NAME_CHARS}"));
    }
    Ok(n)
}

/// The OS text classified: the name, then the version when given and not already part of the name.
pub(crate) fn os_text(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) if !name.to_ascii_lowercase().contains(&v.to_ascii_lowercase()) => format!("{name} {v}"),
        _ => name.to_owned(),
    }
}

/// OS texts already classified (`None`: not recognised), so each distinct text is classified once and its
/// rows share one `Arc`.
#[derive(Default)]
pub(crate) struct OsSeen(FxHashMap<String, Option<Arc<OsInfo>>>);

impl OsSeen {
    pub(crate) fn classify(&mut self, text: &str) -> std::result::Result<Arc<OsInfo>, String> {
        let hit = match self.0.get(text) {
            Some(hit) => hit.clone(),
            None => {
                let info = os::classify(text).map(Arc::new);
                self.0.insert(text.to_owned(), info.clone());
                info
            }
        };
        hit.ok_or_else(|| {
            format!(
                "'{text}' is not an OS rocklift knows; expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name"
            )
        })
    }
}

/// Add a tag; a name given again keeps every distinct value, in order, joined with `", "`.
pub(crate) fn add_tag(tags: &mut BTreeMap<String, String>, name: &str, value: &str) {
    match tags.get_mut(name) {
        None => {
            tags.insert(name.to_owned(), value.to_owned());
        }
        Some(_) if value.is_empty() => {}
        Some(existing) if existing.is_empty() => *existing = value.to_owned(),
        Some(existing) => {
            if !existing.split(", ").any(|v| v == value) {
                existing.push_str(", ");
                existing.push_str(value);
            }
        }
    }
}

/// A server as these templates describe it: what they do not carry takes the native reader's defaults
/// (count 1, role `default`, no GPU, no egress, not public, no ports, no schedule, architecture unstated).
pub(crate) fn new_server(name: String, line: u64, cpus: u32, memory_gib: Decimal, os: Arc<OsInfo>) -> Server {
    Server::new(name, line, cpus, memory_gib, os)
}

/// The problems of a whole file in reading order: by line, then (within a row) as the reader found them.
pub(crate) fn in_line_order(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by_key(|p| p.line);
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(percent("45"), Ok(Decimal::from(45)));
        assert_eq!(percent("45%"), Ok(Decimal::from(45)));
        assert_eq!(percent("45.5 %"), Ok(Decimal::new(455, 1)));
        assert_eq!(percent("0.45"), Ok(Decimal::new(45, 2)));
        assert_eq!(percent("140"), Err("'140' is above 100; expected a percentage from 0 to 100, such as 35".into()));
        assert_eq!(percent("-5"), Err("'-5' is negative; expected a percentage from 0 to 100, such as 35".into()));
    }

    #[test]
    fn tags_keep_every_distinct_value() {
        let mut t = BTreeMap::new();
        for (k, v) in [("zone", "3"), ("critical", "no"), ("zone", "1"), ("zone", "3")] {
            add_tag(&mut t, k, v);
        }
        assert_eq!(t.get("zone").map(String::as_str), Some("3, 1"));
        assert_eq!(t.get("critical").map(String::as_str), Some("no"));
    }

    #[test]
    fn os_version_joined_once() {
        assert_eq!(os_text("CentOS", Some("7.9")), "CentOS 7.9");
        assert_eq!(os_text("Red Hat Enterprise Linux 8.6", Some("8.6")), "Red Hat Enterprise Linux 8.6");
        assert_eq!(os_text("Ubuntu Linux", None), "Ubuntu Linux");
    }

    #[test]
    fn rounding_up() {
        assert_eq!(ceil_u32(Decimal::new(550078, 4)), Some(56));
        assert_eq!(ceil_u32(Decimal::from(3)), Some(3));
    }
}
