//! The AWS Migration Evaluator inventory import template (its `Template` sheet as xlsx, or the same
//! columns saved as CSV) in, an `Inventory` out, or every problem found, each located by file, line or
//! sheet row, and column.
//!
//! Columns (the 16 of the published template, sheet `Template`; names matched in any case and spacing):
//! `Server Name`, `CPU Cores`, `Memory (MB)`, `Provisioned Storage (GB)`, `Operating System`,
//! `Is Virtual?`, `Hypervisor Name`, `Cpu String`, `Environment`, `SQL Edition`, `Application`,
//! `Cpu Utilization Peak (%)`, `Memory Utilization Peak (%)`, `Time In-Use (%)`, `Annual Cost (USD)`,
//! `Storage Type`. Required: `Server Name`, `CPU Cores`, `Memory (MB)`, `Operating System`.
//! Sources: the template as reproduced by collectors that write it for import (AWS Migration Evaluator
//! "ME_ConsolidatedDataImport" workbook, sheet `Template`, utilizations as decimals where 0.72 = 72%),
//! and a generator of the same workbook whose sample row is `Apache01, 4, 4096, 500, Windows Server 2012
//! R2, Yes, ..., 0.60, 0.95, 1.00, 3400, HDD`.
//!
//! How values are read:
//! - `Memory (MB)` is MiB (4096 is 4 GiB); `Provisioned Storage (GB)` is taken as GiB.
//! - `CPU Cores` are planned as vCPUs; for a physical server (`Is Virtual?` = No) a note says that
//!   the template does not tell whether a core runs two threads.
//! - Percentages are decimals: `0.45` is 45%. `45%` (with the sign) is 45%. A bare number above 1 and
//!   at most 100 (`45`) is read as 45% with a server note: the user wrote a percentage, and reading it
//!   as a share (4500%) is impossible. Reading cell by cell keeps the safe side: a `0.5` among percent
//!   values is read as 50% (a larger server), never as 0.5%. Above 100 is an error.
//! - The peaks are used as p95 (said in a note). `Time In-Use (%)` below 100 becomes a note only:
//!   sizing assumes the server runs all the time.
//! - Tags: `Environment` → `environment`, `Application` → `application`, `Is Virtual?` → `virtual`
//!   (`yes`/`no`), `Cpu String` → `cpu`. `Hypervisor Name`, `SQL Edition`, `Annual Cost (USD)` and
//!   `Storage Type` are listed as ignored columns.
//! - The template has no power state: every row is planned (`ReadOptions` changes nothing here).
//! - A cell Excel shows as a date (an Excel serial date) in a number column is an error that names
//!   the date; rows that only carry a style are skipped; the header may follow a title row.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Arc;

use calamine::Reader;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::cells::{number, number_as, strip_pct, whole};
use super::os::{self, OsInfo};
use super::table::{self, Cell, Header, Row};
use super::{Inventory, ReadOptions, Server};
use crate::error::{Error, Problem, Result};

pub const FORMAT: &str = "aws-migration-evaluator";
/// The sheet of the published workbook that holds the servers.
pub const SHEET: &str = "Template";

const MAX_CPUS: u32 = 100_000;
const MAX_MEMORY_MIB: u32 = 1_073_741_824; // 1 PiB
const MAX_DISK_GIB: u32 = 1_000_000_000;
const MAX_NAME_CHARS: usize = 1024;

/// The columns rocklift reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    ServerName,
    CpuCores,
    MemoryMb,
    ProvisionedStorageGb,
    OperatingSystem,
    IsVirtual,
    CpuString,
    Environment,
    Application,
    CpuPeak,
    MemoryPeak,
    TimeInUse,
}

const COLS: [Col; 12] = [
    Col::ServerName,
    Col::CpuCores,
    Col::MemoryMb,
    Col::ProvisionedStorageGb,
    Col::OperatingSystem,
    Col::IsVirtual,
    Col::CpuString,
    Col::Environment,
    Col::Application,
    Col::CpuPeak,
    Col::MemoryPeak,
    Col::TimeInUse,
];

const REQUIRED: [Col; 4] = [Col::ServerName, Col::CpuCores, Col::MemoryMb, Col::OperatingSystem];
/// The columns that tell this template apart from other inventories.
const IDENTIFYING: [Col; 3] = [Col::ServerName, Col::CpuCores, Col::MemoryMb];

impl Col {
    /// The name in the published template.
    fn name(self) -> &'static str {
        match self {
            Col::ServerName => "Server Name",
            Col::CpuCores => "CPU Cores",
            Col::MemoryMb => "Memory (MB)",
            Col::ProvisionedStorageGb => "Provisioned Storage (GB)",
            Col::OperatingSystem => "Operating System",
            Col::IsVirtual => "Is Virtual?",
            Col::CpuString => "Cpu String",
            Col::Environment => "Environment",
            Col::Application => "Application",
            Col::CpuPeak => "Cpu Utilization Peak (%)",
            Col::MemoryPeak => "Memory Utilization Peak (%)",
            Col::TimeInUse => "Time In-Use (%)",
        }
    }

    fn index(self) -> usize {
        COLS.iter().position(|c| *c == self).unwrap_or_default()
    }
}

/// Lower case, one space between words: how header cells are compared.
fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn lookup(header_cell: &str) -> Option<Col> {
    let n = normalise(header_cell);
    COLS.into_iter().find(|c| normalise(c.name()) == n)
}

/// `Ok` when `header` has the template's `Server Name`, `CPU Cores` and `Memory (MB)` columns; else why not.
pub fn sniff(header: &[String]) -> Result<(), String> {
    let found: Vec<Col> = header.iter().filter_map(|h| lookup(h)).collect();
    let missing: Vec<&str> = IDENTIFYING.iter().filter(|c| !found.contains(c)).map(|c| c.name()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("not a Migration Evaluator import template: no column {}", quoted_list(&missing)))
    }
}

/// `Ok` when the workbook has the template's `Template` sheet (any case); else why not.
pub fn sniff_xlsx_sheets(sheet_names: &[String]) -> Result<(), String> {
    if sheet_names.iter().any(|s| s.trim().eq_ignore_ascii_case(SHEET)) {
        Ok(())
    } else {
        Err(format!(
            "not a Migration Evaluator import template: no sheet '{SHEET}'; the workbook has {}",
            quoted_list(&sheet_names.iter().map(String::as_str).collect::<Vec<_>>())
        ))
    }
}

fn quoted_list(items: &[&str]) -> String {
    items.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
}

/// Where rows are: a CSV file, or a sheet of a workbook.
#[derive(Clone, Copy)]
enum Place<'a> {
    Csv(&'a str),
    Sheet(&'a str, &'a str),
}

impl Place<'_> {
    fn problem(self, line: u64, column: Option<&str>, message: impl Into<String>) -> Problem {
        match self {
            Place::Csv(file) => Problem::at(file, line, column, message),
            Place::Sheet(file, sheet) => Problem::in_sheet(file, sheet, line, column, message),
        }
    }

    /// How a row is named in "also on ..." messages.
    fn row_word(self) -> &'static str {
        match self {
            Place::Csv(_) => "line",
            Place::Sheet(..) => "row",
        }
    }
}

/// Parse the template saved as CSV; `file` is the name used in messages.
pub fn parse(file: &str, bytes: &[u8], _opts: &ReadOptions) -> Result<Inventory> {
    let is_header = |h: &[String]| sniff(h).is_ok();
    let mut rows = table::open_csv(file, bytes, &is_header).map_err(|p| Error::Invalid(vec![p]))?;
    let header = rows.header.clone();
    let mut problems = Vec::new();
    let mut data = Vec::new();
    while let Some(row) = rows.next_row(&mut problems) {
        data.push(row);
    }
    read_rows(Place::Csv(file), file, &header, &data, problems)
}

/// Parse the template workbook (xlsx, or any workbook calamine opens): the `Template` sheet, else the
/// first sheet with the template's columns; `file` is the name used in messages.
pub fn parse_xlsx(file: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Inventory> {
    super::xlsx_guard::guarded(|| parse_xlsx_unguarded(file, bytes, opts)).unwrap_or_else(|panic| {
        Err(Error::Invalid(vec![Problem::at(file, 0, None, super::xlsx_guard::damaged(&panic))]))
    })
}

fn parse_xlsx_unguarded(file: &str, bytes: &[u8], _opts: &ReadOptions) -> Result<Inventory> {
    let whole_file = |message: String| Error::Invalid(vec![Problem::at(file, 0, None, message)]);
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        whole_file(format!("cannot open the workbook ({e}); expected the Migration Evaluator template as .xlsx"))
    })?;
    let names = book.sheet_names();
    let is_header = |h: &[String]| sniff(h).is_ok();
    let mut chosen: Option<(String, Vec<Row>)> = None;
    let by_name = names.iter().find(|s| s.trim().eq_ignore_ascii_case(SHEET));
    for name in by_name.into_iter().chain(names.iter()) {
        let range = book.worksheet_range(name).map_err(|e| whole_file(format!("cannot read sheet '{name}': {e}")))?;
        let rows = table::sheet_rows(&range);
        let has_header = rows.iter().take(table::HEADER_SEARCH_ROWS).any(|r| is_header(&table::header_names(r)));
        if Some(name) == by_name || has_header {
            chosen = Some((name.clone(), rows));
            break;
        }
    }
    let Some((sheet, rows)) = chosen else {
        return Err(whole_file(format!(
            "no sheet '{SHEET}' and no sheet with the columns 'Server Name', 'CPU Cores' and 'Memory (MB)'; the workbook has {}",
            quoted_list(&names.iter().map(String::as_str).collect::<Vec<_>>())
        )));
    };
    let place = Place::Sheet(file, &sheet);
    let Some((header, data)) = table::split_header(rows, &is_header) else {
        return Err(Error::Invalid(vec![place.problem(1, None, "the sheet is empty; expected a header row naming at least 'Server Name', 'CPU Cores', 'Memory (MB)' and 'Operating System'")]));
    };
    read_rows(place, file, &header, &data, Vec::new())
}

/// The header's columns: where each column rocklift reads is, as the user wrote its name.
struct Columns {
    at: [Option<(usize, String)>; COLS.len()],
    ignored: Vec<String>,
}

impl Columns {
    fn label(&self, c: Col) -> &str {
        self.at[c.index()].as_ref().map_or(c.name(), |(_, l)| l.as_str())
    }

    fn cell<'r>(&self, row: &'r Row, c: Col) -> &'r Cell {
        match &self.at[c.index()] {
            Some((i, _)) => row.cell(*i),
            None => &Cell::Empty,
        }
    }
}

fn map_columns(place: Place<'_>, header: &Header, problems: &mut Vec<Problem>) -> Columns {
    let mut cols = Columns { at: Default::default(), ignored: Vec::new() };
    for (i, name) in header.names.iter().enumerate() {
        match lookup(name) {
            Some(c) => match &cols.at[c.index()] {
                Some((_, first)) => problems.push(place.problem(
                    header.line,
                    Some(name),
                    format!("names the same data as column '{first}'; keep one of them"),
                )),
                None => cols.at[c.index()] = Some((i, name.clone())),
            },
            None if name.is_empty() => {}
            None => cols.ignored.push(name.clone()),
        }
    }
    for c in REQUIRED {
        if cols.at[c.index()].is_none() {
            problems.push(place.problem(
                header.line,
                None,
                format!("required column '{}' is missing; the header has: {}", c.name(), header.names.join(", ")),
            ));
        }
    }
    cols
}

fn read_rows(
    place: Place<'_>,
    file: &str,
    header: &Header,
    rows: &[Row],
    mut problems: Vec<Problem>,
) -> Result<Inventory> {
    let before = problems.len();
    let cols = map_columns(place, header, &mut problems);
    if problems.len() != before {
        problems.sort_by_key(|p| p.line);
        return Err(Error::Invalid(problems));
    }
    let mut os_seen: FxHashMap<String, Option<Arc<OsInfo>>> = FxHashMap::default();
    let mut servers: Vec<Server> = Vec::new();
    let mut first_line_of: FxHashMap<String, u64> = FxHashMap::default();
    for row in rows {
        let before = problems.len();
        let mut report = |c: Col, msg: String| problems.push(place.problem(row.line, Some(cols.label(c)), msg));
        let Some(server) = parse_row(&cols, row, &mut os_seen, &mut report) else { continue };
        if problems.len() != before {
            continue;
        }
        if let Some(first) = first_line_of.get(&server.name) {
            problems.push(place.problem(
                row.line,
                Some(cols.label(Col::ServerName)),
                format!("'{}' is also the name on {} {first}; names must be unique", server.name, place.row_word()),
            ));
            continue;
        }
        first_line_of.insert(server.name.clone(), row.line);
        servers.push(server);
    }
    if problems.is_empty() && servers.is_empty() {
        problems.push(place.problem(header.line, None, "there is a header but no servers"));
    }
    if !problems.is_empty() {
        // Rows with the wrong field count were reported while reading: put every problem in line order.
        problems.sort_by_key(|p| p.line);
        return Err(Error::Invalid(problems));
    }
    Ok(Inventory::new(file, FORMAT, servers, cols.ignored))
}

type Report<'a> = dyn FnMut(Col, String) + 'a;

/// One row to a `Server`, reporting every problem; `None` when the row cannot be used.
fn parse_row(
    cols: &Columns,
    row: &Row,
    os_seen: &mut FxHashMap<String, Option<Arc<OsInfo>>>,
    report: &mut Report<'_>,
) -> Option<Server> {
    let mut notes = Vec::new();
    let name = server_name(cols.cell(row, Col::ServerName), report);
    let cpus = required(cols, row, Col::CpuCores, "a number of CPU cores, such as 4", report).and_then(|s| {
        whole(s, 1, MAX_CPUS, "a number of CPU cores, such as 4").map_err(|m| report(Col::CpuCores, m)).ok()
    });
    let memory_gib = memory(cols, row, report);
    let disk_gib = disk(cols, row, report);
    let os = operating_system(cols, row, os_seen, report);
    let virtual_ = is_virtual(cols, row, report);
    let mut tags = BTreeMap::new();
    for (col, key) in [(Col::CpuString, "cpu"), (Col::Environment, "environment"), (Col::Application, "application")] {
        if let Some(v) = text(cols, row, col, report) {
            tags.insert(key.to_owned(), v.to_owned());
        }
    }
    if let Some(v) = virtual_ {
        tags.insert("virtual".to_owned(), if v { "yes" } else { "no" }.to_owned());
        if !v {
            notes.push(format!(
                "a physical server: its {} are planned as vCPUs (the template does not say whether a core runs two threads)",
                Col::CpuCores.name()
            ));
        }
    }
    let cpu_util_p95 = utilization(cols, row, Col::CpuPeak, "CPU", &mut notes, report);
    let mem_util_p95 = utilization(cols, row, Col::MemoryPeak, "memory", &mut notes, report);
    if let Some(in_use) = percent_cell(cols, row, Col::TimeInUse, &mut notes, report) {
        if in_use < Decimal::ONE_HUNDRED {
            notes.push(format!("in use {in_use}% of the time ({}); sized to run all the time", Col::TimeInUse.name()));
        }
    }
    let mut s = Server::new(name?, row.line, cpus?, memory_gib?, os?);
    s.disk_gib = disk_gib;
    s.cpu_util_p95 = cpu_util_p95;
    s.mem_util_p95 = mem_util_p95;
    s.tags = tags;
    s.notes = notes;
    Some(s)
}

/// The text of `col`; `None` when empty or unreadable (reported).
fn text<'r>(cols: &Columns, row: &'r Row, col: Col, report: &mut Report<'_>) -> Option<&'r str> {
    cols.cell(row, col).text().unwrap_or_else(|m| {
        report(col, m);
        None
    })
}

/// The number text of `col`, reported when empty or not a number cell.
fn required<'r>(cols: &Columns, row: &'r Row, col: Col, expected: &str, report: &mut Report<'_>) -> Option<&'r str> {
    match cols.cell(row, col).number_text(expected) {
        Ok(Some(s)) => Some(s),
        Ok(None) => {
            report(col, format!("is empty; expected {expected}"));
            None
        }
        Err(m) => {
            report(col, m);
            None
        }
    }
}

fn server_name(cell: &Cell, report: &mut Report<'_>) -> Option<String> {
    let fail = |report: &mut Report<'_>, m: String| {
        report(Col::ServerName, m);
        None
    };
    match cell.text() {
        Err(m) => fail(report, m),
        Ok(None) => fail(report, "is empty; every server needs a name".into()),
        Ok(Some(n)) if n.chars().any(char::is_control) => {
            fail(report, "contains a control character; expected a plain server name".into())
        }
        Ok(Some(n)) if n.chars().count() > MAX_NAME_CHARS => {
            fail(report, format!("is {} characters long; expected at most {MAX_NAME_CHARS}", n.chars().count()))
        }
        Ok(Some(n)) => Some(n.to_owned()),
    }
}

/// `Memory (MB)` (MiB) as GiB.
fn memory(cols: &Columns, row: &Row, report: &mut Report<'_>) -> Option<Decimal> {
    const EXPECTED: &str = "memory in MB, such as 4096";
    let s = required(cols, row, Col::MemoryMb, EXPECTED, report)?;
    let fail = |report: &mut Report<'_>, m: String| {
        report(Col::MemoryMb, m);
        None
    };
    match number(s, EXPECTED) {
        Ok(v) if v.is_zero() => fail(report, format!("is 0; expected {EXPECTED}")),
        Ok(v) if v > Decimal::from(MAX_MEMORY_MIB) => {
            fail(report, format!("'{s}' is implausibly large; expected at most {MAX_MEMORY_MIB} MB"))
        }
        Ok(v) => Some((v / Decimal::from(1024)).normalize()),
        Err(m) => fail(report, m),
    }
}

fn disk(cols: &Columns, row: &Row, report: &mut Report<'_>) -> Option<Decimal> {
    const EXPECTED: &str = "provisioned storage in GB, such as 500";
    let s = match cols.cell(row, Col::ProvisionedStorageGb).number_text(EXPECTED) {
        Ok(s) => s?,
        Err(m) => {
            report(Col::ProvisionedStorageGb, m);
            return None;
        }
    };
    match number(s, EXPECTED) {
        Ok(v) if v > Decimal::from(MAX_DISK_GIB) => {
            report(
                Col::ProvisionedStorageGb,
                format!("'{s}' is implausibly large; expected at most {MAX_DISK_GIB} GB"),
            );
            None
        }
        Ok(v) => Some(v),
        Err(m) => {
            report(Col::ProvisionedStorageGb, m);
            None
        }
    }
}

fn operating_system(
    cols: &Columns,
    row: &Row,
    seen: &mut FxHashMap<String, Option<Arc<OsInfo>>>,
    report: &mut Report<'_>,
) -> Option<Arc<OsInfo>> {
    let cell = cols.cell(row, Col::OperatingSystem);
    let s = match cell.text() {
        Ok(Some(s)) => s,
        Ok(None) => {
            report(
                Col::OperatingSystem,
                "is empty; expected the operating system, such as 'Red Hat Enterprise Linux 8' or 'Windows Server 2019'".into(),
            );
            return None;
        }
        Err(m) => {
            report(Col::OperatingSystem, m);
            return None;
        }
    };
    let info = seen.entry(s.to_owned()).or_insert_with(|| os::classify(s).map(Arc::new)).clone();
    if info.is_none() {
        report(
            Col::OperatingSystem,
            format!("'{s}' is not an OS rocklift knows; expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name"),
        );
    }
    info
}

/// `Is Virtual?`: yes/no (true/false, y/n, 1/0); `None` when empty or wrong (reported).
fn is_virtual(cols: &Columns, row: &Row, report: &mut Report<'_>) -> Option<bool> {
    let s = text(cols, row, Col::IsVirtual, report)?;
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => {
            report(Col::IsVirtual, format!("'{s}' is not Yes or No"));
            None
        }
    }
}

/// A utilization peak as a percentage (used as p95, said in a note).
fn utilization(
    cols: &Columns,
    row: &Row,
    col: Col,
    what: &str,
    notes: &mut Vec<String>,
    report: &mut Report<'_>,
) -> Option<Decimal> {
    let v = percent_cell(cols, row, col, notes, report)?;
    notes.push(format!("{what} utilization is Migration Evaluator's peak ({}), used as p95", col.name()));
    Some(v)
}

fn percent_cell(
    cols: &Columns,
    row: &Row,
    col: Col,
    notes: &mut Vec<String>,
    report: &mut Report<'_>,
) -> Option<Decimal> {
    const EXPECTED: &str = "a decimal share such as 0.45 for 45%";
    let s = match cols.cell(row, col).number_text(EXPECTED) {
        Ok(s) => s?,
        Err(m) => {
            report(col, m);
            return None;
        }
    };
    match percent(s) {
        Ok((v, note)) => {
            notes.extend(note.map(|n| format!("{} {n}", col.name())));
            Some(v)
        }
        Err(m) => {
            report(col, m);
            None
        }
    }
}

/// A template percentage to 0..=100: `0.45` → 45; `45%` → 45; `45` → 45 with a note (see the module doc).
fn percent(s: &str) -> Result<(Decimal, Option<String>), String> {
    const EXPECTED: &str = "a decimal share such as 0.45 for 45%";
    let hundred = Decimal::ONE_HUNDRED;
    if s.ends_with('%') {
        let v = number_as(strip_pct(s), s, "a percentage such as 45%")?;
        if v > hundred {
            return Err(format!("'{s}' is above 100%; expected {EXPECTED}"));
        }
        return Ok((v, None));
    }
    let v = number(s, EXPECTED)?;
    if v <= Decimal::ONE {
        Ok(((v * hundred).normalize(), None))
    } else if v <= hundred {
        Ok((v, Some(format!("'{s}' read as {v}% (the template writes 0.45 for 45%)"))))
    } else {
        Err(format!("'{s}' is above 100%; expected {EXPECTED}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(percent("0.45"), Ok((Decimal::from(45), None)));
        assert_eq!(percent("1"), Ok((Decimal::from(100), None)));
        assert_eq!(percent("0"), Ok((Decimal::ZERO, None)));
        assert_eq!(percent("45%"), Ok((Decimal::from(45), None)));
        assert_eq!(percent("0.5%"), Ok((Decimal::new(5, 1), None)));
        assert_eq!(
            percent("45"),
            Ok((Decimal::from(45), Some("'45' read as 45% (the template writes 0.45 for 45%)".into())))
        );
        assert_eq!(percent("145"), Err("'145' is above 100%; expected a decimal share such as 0.45 for 45%".into()));
        assert_eq!(percent("101%"), Err("'101%' is above 100%; expected a decimal share such as 0.45 for 45%".into()));
        assert!(percent("-0.1").is_err());
        assert!(percent("abc").is_err());
    }

    #[test]
    fn sniffs_header_and_sheets() {
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(sniff(&h(&["server name", "CPU  Cores", "Memory (MB)"])), Ok(()));
        assert_eq!(
            sniff(&h(&["Server Name", "vCPUs"])),
            Err("not a Migration Evaluator import template: no column 'CPU Cores', 'Memory (MB)'".into())
        );
        assert_eq!(sniff_xlsx_sheets(&h(&["Instructions", "template"])), Ok(()));
        assert_eq!(
            sniff_xlsx_sheets(&h(&["vInfo", "vHost"])),
            Err("not a Migration Evaluator import template: no sheet 'Template'; the workbook has 'vInfo', 'vHost'"
                .into())
        );
    }
}
