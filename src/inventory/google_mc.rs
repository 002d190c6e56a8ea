//! Google Migration Center manual-import CSV tables in (`vmInfo.csv`, and optionally `perfInfo.csv`,
//! `diskInfo.csv`, `tagInfo.csv`, joined on `MachineId`), an `Inventory` out, or every problem found in
//! any of them, each located by file, line and column.
//!
//! The four files and their roles are those of the published templates
//! (<https://cloud.google.com/migration-center/docs/import-data-tables>, "Manually populated CSV
//! templates"). The column lists below are the templates' headers as copies of the downloaded files show
//! them, where optional columns carry a `(optional)` suffix (names are matched without it, in any case),
//! and as Google's own export scripts (StratoZone AWS and Azure exports,
//! GoogleCloudPlatform) write them.
//! - `vmInfo.csv`: `MachineId`, `MachineName`, `PrimaryIPAddress`, `PrimaryMACAddress`, `PublicIPAddress`,
//!   `IpAddressListSemiColonDelimited`, `TotalDiskAllocatedGiB`, `TotalDiskUsedGiB`, `MachineTypeLabel`,
//!   `AllocatedProcessorCoreCount`, `MemoryGiB`, `HostingLocation`, `OsType`, `OsPublisher`, `OsName`,
//!   `OsVersion`, `MachineStatus`, `ProvisioningState`, `CreateDate`, `IsPhysical`. `MemoryMiB` is accepted
//!   instead of `MemoryGiB` (Google's StratoZone AWS export script writes it).
//! - `perfInfo.csv`: `MachineId`, `TimeStamp`, `CpuUtilizationPercentage`, `MemoryUtilizationPercentage`,
//!   `AvailableMemoryBytes` (the template; `UtilizedMemoryBytes` in some copies), `DiskReadOperationsPerSec`,
//!   `DiskWriteOperationsPerSec`, `NetworkBytesPerSecSent`, `NetworkBytesPerSecReceived`.
//! - `diskInfo.csv`: `MachineId`, `DiskLabel`, `SizeInGib`, `UsedInGib`, `StorageTypeLabel`.
//! - `tagInfo.csv`: `MachineId`, `Key`, `Value`.
//!
//! How values are read:
//! - OS: `OsName`, followed by `OsVersion` when the name does not already contain it.
//! - `AllocatedProcessorCoreCount` is planned as vCPUs (a note for `IsPhysical` machines).
//! - Disks: `diskInfo.csv` sizes, summed per machine, replace `TotalDiskAllocatedGiB`; its used sizes
//!   replace `TotalDiskUsedGiB` only when every disk of the machine gives one.
//! - Utilization: per machine, the nearest-rank p95 of the samples (sorted ascending, the value at rank
//!   ⌈0.95·n⌉) of `CpuUtilizationPercentage` and of memory: `MemoryUtilizationPercentage`, else
//!   `UtilizedMemoryBytes` / memory, else (memory − `AvailableMemoryBytes`) / memory; an
//!   `AvailableMemoryBytes` of 0 is "not measured" (Google's AWS export script writes 0). Empty cells are
//!   no sample. A note names the sample counts. `TimeStamp` must be a timestamp (ISO 8601 as the
//!   template asks, or `MM/DD/YYYY, HH:MM:SS` / `M/D/YYYY h:mm:ss AM` as Google's export scripts write)
//!   but does not weigh samples.
//! - `MachineStatus`: stopped, stopping, deallocated, suspended, terminated, powered off, ... (EC2 states,
//!   Azure's `VM deallocated` as Google's export scripts write them) leave the machine out
//!   (`Inventory.left_out`) unless `ReadOptions::include_powered_off`; empty or running plans it; any
//!   other text plans it with a note.
//! - Tags: `tagInfo.csv` pairs; the reader adds `ip_addresses` (`PrimaryIPAddress`, then the
//!   `IpAddressListSemiColonDelimited` list, `;`-separated) unless `tagInfo.csv` gives that key.
//! - A row of `perfInfo.csv`, `diskInfo.csv` or `tagInfo.csv` whose `MachineId` is not in `vmInfo.csv`
//!   is a problem (one per unknown id, at its first line): these templates are filled by hand, the
//!   likely cause is a typo, and dropping those disks, tags or samples would silently change the plan.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::cells::{number, number_as, strip_pct, whole};
use super::os::{self, OsInfo};
use super::table::{self, Cell, Row};
use super::{Inventory, LeftOut, ReadOptions, Server};
use crate::error::{Error, Problem, Result};

pub const FORMAT: &str = "google-migration-center";
pub const VM_FILE: &str = "vmInfo.csv";
pub const PERF_FILE: &str = "perfInfo.csv";
pub const DISK_FILE: &str = "diskInfo.csv";
pub const TAG_FILE: &str = "tagInfo.csv";

const MAX_CPUS: u32 = 100_000;
const MAX_MEMORY_GIB: u32 = 1_048_576; // 1 PiB
const MAX_DISK_GIB: u32 = 1_000_000_000;
const MAX_NAME_CHARS: usize = 1024;
const GIB_BYTES: i64 = 1_073_741_824;

const VM_COLUMNS: [&str; 13] = [
    "MachineId",
    "MachineName",
    "PrimaryIPAddress",
    "IpAddressListSemiColonDelimited",
    "TotalDiskAllocatedGiB",
    "TotalDiskUsedGiB",
    "AllocatedProcessorCoreCount",
    "MemoryGiB",
    "MemoryMiB",
    "OsName",
    "OsVersion",
    "MachineStatus",
    "IsPhysical",
];
const PERF_COLUMNS: [&str; 6] = [
    "MachineId",
    "TimeStamp",
    "CpuUtilizationPercentage",
    "MemoryUtilizationPercentage",
    "UtilizedMemoryBytes",
    "AvailableMemoryBytes",
];
const DISK_COLUMNS: [&str; 3] = ["MachineId", "SizeInGib", "UsedInGib"];
const TAG_COLUMNS: [&str; 3] = ["MachineId", "Key", "Value"];

/// Machine states that mean "not running" (lower case, an Azure `VM ` prefix removed).
const POWERED_OFF: [&str; 11] = [
    "stopped",
    "stopping",
    "deallocated",
    "deallocating",
    "suspended",
    "terminated",
    "shutting-down",
    "shutdown",
    "powered off",
    "poweredoff",
    "off",
];
const RUNNING: [&str; 5] = ["running", "poweredon", "powered on", "on", "active"];

/// A header cell as compared: without a `(optional)` suffix, trimmed, lower case.
fn normalise(h: &str) -> String {
    let t = h.trim();
    let lower = t.to_lowercase();
    let base = lower.strip_suffix("(optional)").unwrap_or(&lower);
    base.trim().to_owned()
}

/// `Ok` when `header` (of a `vmInfo.csv`) has `MachineId`, `AllocatedProcessorCoreCount` and
/// `MemoryGiB` (or `MemoryMiB`); else why not.
pub fn sniff(header: &[String]) -> Result<(), String> {
    let names: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let has = |c: &str| names.iter().any(|n| *n == c.to_lowercase());
    let mut missing = Vec::new();
    for c in ["MachineId", "AllocatedProcessorCoreCount"] {
        if !has(c) {
            missing.push(format!("'{c}'"));
        }
    }
    if !has("MemoryGiB") && !has("MemoryMiB") {
        missing.push("'MemoryGiB'".to_owned());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("not a Migration Center vmInfo.csv: no column {}", missing.join(", ")))
    }
}

fn has_machine_id(header: &[String]) -> bool {
    header.iter().any(|h| normalise(h) == "machineid")
}

/// Read a Migration Center import: `path` is a `vmInfo.csv` (its `perfInfo.csv`, `diskInfo.csv` and
/// `tagInfo.csv` are looked for beside it) or a folder holding them (names matched in any case).
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<Inventory> {
    let (dir, vm_path) = if path.is_dir() {
        let Some(vm) = find_beside(path, VM_FILE)? else {
            return Err(Error::Invalid(vec![Problem::at(
                &path.display().to_string(),
                0,
                None,
                format!("no {VM_FILE} in this folder; a Migration Center import needs {VM_FILE} ({PERF_FILE}, {DISK_FILE} and {TAG_FILE} are optional)"),
            )]));
        };
        (path.to_path_buf(), vm)
    } else {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        (dir.to_path_buf(), path.to_path_buf())
    };
    let read = |p: &Path| std::fs::read(p).map_err(|e| Error::io(p, e));
    let vm = (vm_path.display().to_string(), read(&vm_path)?);
    let mut others = Vec::new();
    for name in [PERF_FILE, DISK_FILE, TAG_FILE] {
        let found = find_beside(&dir, name)?.filter(|p| *p != vm_path);
        others.push(match found {
            Some(p) => Some((p.display().to_string(), read(&p)?)),
            None => None,
        });
    }
    let file = |i: usize| others.get(i).and_then(Option::as_ref).map(|(n, b)| (n.as_str(), b.as_slice()));
    parse_files((&vm.0, &vm.1), file(0), file(1), file(2), opts)
}

/// The file named `name` (any case; the exact spelling first) in `dir`.
fn find_beside(dir: &Path, name: &str) -> Result<Option<std::path::PathBuf>> {
    let exact = dir.join(name);
    if exact.is_file() {
        return Ok(Some(exact));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut found: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .collect();
    found.sort();
    Ok(found.into_iter().next())
}

/// Columns of one file: where each known column is, as the user wrote it; the others.
struct Cols {
    at: Vec<(&'static str, usize, String)>,
    ignored: Vec<String>,
}

impl Cols {
    fn find(&self, name: &str) -> Option<&(&'static str, usize, String)> {
        self.at.iter().find(|(c, ..)| *c == name)
    }

    fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    fn cell<'r>(&self, row: &'r Row, name: &str) -> &'r Cell {
        self.find(name).map_or(&Cell::Empty, |(_, i, _)| row.cell(*i))
    }

    fn label<'s>(&'s self, name: &'s str) -> &'s str {
        self.find(name).map_or(name, |(_, _, l)| l.as_str())
    }
}

/// Map `header` to `known` columns; `required` lists columns that must be there, each with alternatives.
fn map_header(
    file: &str,
    header: &table::Header,
    known: &[&'static str],
    required: &[&[&'static str]],
    problems: &mut Vec<Problem>,
) -> Cols {
    let is_memory = |c: &str| c == "MemoryGiB" || c == "MemoryMiB";
    let same_data = |a: &str, b: &str| a == b || (is_memory(a) && is_memory(b));
    let mut cols = Cols { at: Vec::new(), ignored: Vec::new() };
    for (i, name) in header.names.iter().enumerate() {
        let n = normalise(name);
        match known.iter().find(|k| k.to_lowercase() == n) {
            Some(k) => match cols.at.iter().find(|(c, ..)| same_data(c, k)) {
                Some((_, _, first)) => problems.push(Problem::at(
                    file,
                    header.line,
                    Some(name),
                    format!("names the same data as column '{first}'; keep one of them"),
                )),
                None => cols.at.push((k, i, name.clone())),
            },
            None if n.is_empty() => {}
            None => cols.ignored.push(name.clone()),
        }
    }
    for alternatives in required {
        if !alternatives.iter().any(|a| cols.has(a)) {
            let or = alternatives.iter().skip(1).map(|a| format!(" (or '{a}')")).collect::<String>();
            problems.push(Problem::at(
                file,
                header.line,
                None,
                format!(
                    "required column '{}'{or} is missing; the header has: {}",
                    alternatives.first().copied().unwrap_or_default(),
                    header.names.join(", ")
                ),
            ));
        }
    }
    cols
}

/// Open a CSV file of the import at its header and map its columns.
fn open<'a>(
    name: &'a str,
    bytes: &'a [u8],
    known: &[&'static str],
    required: &[&[&'static str]],
    problems: &mut Vec<Problem>,
) -> Option<(table::CsvRows<'a>, Cols)> {
    let rows = match table::open_csv(name, bytes, &has_machine_id) {
        Ok(rows) => rows,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let before = problems.len();
    let cols = map_header(name, &rows.header, known, required, problems);
    (problems.len() == before).then_some((rows, cols))
}

/// A machine of `vmInfo.csv`.
struct Machine {
    line: u64,
    /// `None` when its row has problems.
    server: Option<Server>,
    status: Option<String>,
    powered_off: bool,
}

/// What the other files add to a machine.
#[derive(Default)]
struct Extra {
    disks: u32,
    disk_gib: Decimal,
    disks_with_used: u32,
    disk_used_gib: Decimal,
    tags: BTreeMap<String, (String, u64)>,
    cpu: Vec<Decimal>,
    mem: Vec<Decimal>,
}

/// Rows naming a `MachineId` that is not in `vmInfo.csv`: id → (first line, rows).
type Unknown = BTreeMap<String, (u64, u32)>;

/// Parse the files of an import; each is `(name used in messages, bytes)`.
pub fn parse_files(
    vm: (&str, &[u8]),
    perf: Option<(&str, &[u8])>,
    disk: Option<(&str, &[u8])>,
    tag: Option<(&str, &[u8])>,
    opts: &ReadOptions,
) -> Result<Inventory> {
    let mut problems = Vec::new();
    let mut ignored = Vec::new();
    let (machines, ids) = read_vm(vm, opts, &mut problems, &mut ignored);
    in_line_order(&mut problems, 0);
    let mut extra: Vec<Extra> = machines.iter().map(|_| Extra::default()).collect();
    let memory_of: Vec<Option<Decimal>> = machines.iter().map(|m| m.server.as_ref().map(|s| s.memory_gib)).collect();
    if let Some(f) = perf {
        let start = problems.len();
        read_perf(f, ids.as_ref(), &memory_of, &mut extra, &mut problems, &mut ignored);
        in_line_order(&mut problems, start);
    }
    if let Some(f) = disk {
        let start = problems.len();
        read_disks(f, ids.as_ref(), &mut extra, &mut problems, &mut ignored);
        in_line_order(&mut problems, start);
    }
    if let Some(f) = tag {
        let start = problems.len();
        read_tags(f, ids.as_ref(), &mut extra, &mut problems, &mut ignored);
        in_line_order(&mut problems, start);
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let perf_name = perf.map(|(n, _)| base_name(n));
    let disk_name = disk.map(|(n, _)| base_name(n));
    let mut servers = Vec::new();
    let mut left_out = Vec::new();
    for (m, x) in machines.into_iter().zip(extra) {
        let Some(mut server) = m.server else { continue };
        apply_disks(&mut server, &x, disk_name.unwrap_or(DISK_FILE));
        apply_perf(&mut server, &x, perf_name.unwrap_or(PERF_FILE));
        for (k, (v, _)) in x.tags {
            server.tags.insert(k, v);
        }
        let status = m.status.unwrap_or_default();
        if m.powered_off && !opts.include_powered_off {
            left_out.push(LeftOut {
                name: server.name,
                location: format!("{}:{}", vm.0, m.line),
                reason: format!(
                    "MachineStatus is '{status}' (not running); powered-off machines are left out unless asked for"
                ),
            });
            continue;
        }
        if m.powered_off {
            server.notes.push(format!(
                "MachineStatus is '{status}' (not running); planned because powered-off machines were asked for"
            ));
        }
        servers.push(server);
    }
    Ok(Inventory { left_out, ..Inventory::new(vm.0, FORMAT, servers, ignored) })
}

/// Sort the problems of one file (from `start` on) by line, keeping the order within a line.
fn in_line_order(problems: &mut [Problem], start: usize) {
    if let Some(file_problems) = problems.get_mut(start..) {
        file_problems.sort_by_key(|p| p.line);
    }
}

fn base_name(name: &str) -> &str {
    Path::new(name).file_name().and_then(|n| n.to_str()).unwrap_or(name)
}

/// `vmInfo.csv` to machines in file order, and `MachineId` → index (`None` when the file cannot be read:
/// the other files are then checked without joining).
fn read_vm(
    (name, bytes): (&str, &[u8]),
    opts: &ReadOptions,
    problems: &mut Vec<Problem>,
    ignored: &mut Vec<String>,
) -> (Vec<Machine>, Option<FxHashMap<String, usize>>) {
    let mut machines = Vec::new();
    let mut ids: FxHashMap<String, usize> = FxHashMap::default();
    let required: [&[&str]; 5] =
        [&["MachineId"], &["MachineName"], &["AllocatedProcessorCoreCount"], &["MemoryGiB", "MemoryMiB"], &["OsName"]];
    let Some((mut rows, cols)) = open(name, bytes, &VM_COLUMNS, &required, problems) else {
        return (machines, None);
    };
    ignored.extend(cols.ignored.iter().cloned());
    let header_line = rows.header.line;
    let mut os_seen: FxHashMap<String, Option<Arc<OsInfo>>> = FxHashMap::default();
    let mut planned_names: FxHashMap<String, u64> = FxHashMap::default();
    while let Some(row) = rows.next_row(problems) {
        let before = problems.len();
        let mut report =
            |col: &str, msg: String| problems.push(Problem::at(name, row.line, Some(cols.label(col)), msg));
        let id = match cols.cell(&row, "MachineId").text() {
            Ok(Some(id)) => Some(id.to_owned()),
            Ok(None) => {
                report("MachineId", "is empty; every machine needs a MachineId".into());
                None
            }
            Err(m) => {
                report("MachineId", m);
                None
            }
        };
        let server = vm_server(&cols, &row, id.as_deref(), &mut os_seen, &mut report);
        let status = text(&cols, &row, "MachineStatus", &mut report).map(str::to_owned);
        let (powered_off, status_note) = power_state(status.as_deref());
        let Some(id) = id else { continue };
        if let Some(&first) = ids.get(&id) {
            let first_line = machines.get(first).map_or(0, |m: &Machine| m.line);
            report(
                "MachineId",
                format!("'{id}' is also the MachineId on line {first_line}; MachineIds must be unique"),
            );
            continue;
        }
        let mut server = server.filter(|_| problems.len() == before);
        if let Some(s) = server.as_mut() {
            s.notes.extend(status_note);
            if !powered_off || opts.include_powered_off {
                if let Some(first) = planned_names.get(&s.name) {
                    problems.push(Problem::at(
                        name,
                        row.line,
                        Some(cols.label("MachineName")),
                        format!(
                            "'{}' is also the MachineName on line {first}; names of planned machines must be unique",
                            s.name
                        ),
                    ));
                    server = None;
                } else {
                    planned_names.insert(s.name.clone(), row.line);
                }
            }
        }
        ids.insert(id, machines.len());
        machines.push(Machine { line: row.line, server, status, powered_off });
    }
    if machines.is_empty() && problems.is_empty() {
        problems.push(Problem::at(name, header_line, None, "the file has a header but no machines"));
    }
    (machines, Some(ids))
}

type Report<'a> = dyn FnMut(&str, String) + 'a;

/// The text of a column; `None` when empty or unreadable (reported).
fn text<'r>(cols: &Cols, row: &'r Row, col: &str, report: &mut Report<'_>) -> Option<&'r str> {
    cols.cell(row, col).text().unwrap_or_else(|m| {
        report(col, m);
        None
    })
}

/// A non-negative number in a column, at most `max`; `None` when empty or wrong (reported).
fn opt_number(cols: &Cols, row: &Row, col: &str, max: u32, expected: &str, report: &mut Report<'_>) -> Option<Decimal> {
    let s = text(cols, row, col, report)?;
    match number(s, expected) {
        Ok(v) if v > Decimal::from(max) => {
            report(col, format!("'{s}' is implausibly large; expected at most {max}"));
            None
        }
        Ok(v) => Some(v),
        Err(m) => {
            report(col, m);
            None
        }
    }
}

/// A `vmInfo.csv` row to a `Server` (without what the other files add); `None` when it cannot be used.
fn vm_server(
    cols: &Cols,
    row: &Row,
    id: Option<&str>,
    os_seen: &mut FxHashMap<String, Option<Arc<OsInfo>>>,
    report: &mut Report<'_>,
) -> Option<Server> {
    let mut notes = Vec::new();
    let name = machine_name(cols, row, id, &mut notes, report);
    let cpus = match text(cols, row, "AllocatedProcessorCoreCount", report) {
        None if cols.cell(row, "AllocatedProcessorCoreCount") == &Cell::Empty => {
            report("AllocatedProcessorCoreCount", "is empty; expected the number of cores, such as 4".into());
            None
        }
        None => None,
        Some(s) => whole(s, 1, MAX_CPUS, "a number of cores, such as 4")
            .map_err(|m| report("AllocatedProcessorCoreCount", m))
            .ok(),
    };
    let memory_gib = memory(cols, row, report);
    let disk_gib =
        opt_number(cols, row, "TotalDiskAllocatedGiB", MAX_DISK_GIB, "disk size in GiB, such as 100", report);
    let disk_used_gib = opt_number(cols, row, "TotalDiskUsedGiB", MAX_DISK_GIB, "used disk in GiB, such as 42", report);
    let os = operating_system(cols, row, os_seen, report);
    match text(cols, row, "IsPhysical", report).map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no" | "n") => {}
        Some("1" | "true" | "yes" | "y") => notes.push(
            "a physical machine: its AllocatedProcessorCoreCount is planned as vCPUs (the template does not say whether a core runs two threads)".into(),
        ),
        Some(other) => report("IsPhysical", format!("'{other}' is not true or false")),
    }
    let mut tags = BTreeMap::new();
    let ips = ip_addresses(cols, row, report);
    if !ips.is_empty() {
        tags.insert("ip_addresses".to_owned(), ips.join(";"));
    }
    let mut s = Server::new(name?, row.line, cpus?, memory_gib?, os?);
    s.disk_gib = disk_gib;
    s.disk_used_gib = disk_used_gib;
    s.tags = tags;
    s.notes = notes;
    Some(s)
}

/// `MachineName`, or the `MachineId` (with a note) when the name is empty.
fn machine_name(
    cols: &Cols,
    row: &Row,
    id: Option<&str>,
    notes: &mut Vec<String>,
    report: &mut Report<'_>,
) -> Option<String> {
    let name = match cols.cell(row, "MachineName").text() {
        Err(m) => {
            report("MachineName", m);
            return None;
        }
        Ok(Some(n)) => n,
        Ok(None) => {
            let id = id?;
            notes.push("MachineName is empty: named after its MachineId".into());
            id
        }
    };
    if name.chars().any(char::is_control) {
        report("MachineName", "contains a control character; expected a plain machine name".into());
        return None;
    }
    if name.chars().count() > MAX_NAME_CHARS {
        report(
            "MachineName",
            format!("is {} characters long; expected at most {MAX_NAME_CHARS}", name.chars().count()),
        );
        return None;
    }
    Some(name.to_owned())
}

/// `MemoryGiB`, or `MemoryMiB` / 1024.
fn memory(cols: &Cols, row: &Row, report: &mut Report<'_>) -> Option<Decimal> {
    let (col, unit, per_gib) = if cols.has("MemoryGiB") { ("MemoryGiB", "GiB", 1) } else { ("MemoryMiB", "MiB", 1024) };
    let expected = if per_gib == 1 { "memory in GiB, such as 16" } else { "memory in MiB, such as 16384" };
    let Some(s) = text(cols, row, col, report) else {
        if cols.cell(row, col) == &Cell::Empty {
            report(col, format!("is empty; expected {expected}"));
        }
        return None;
    };
    match number(s, expected) {
        Ok(v) if v.is_zero() => {
            report(col, format!("is 0; expected {expected}"));
            None
        }
        Ok(v) if v > Decimal::from(MAX_MEMORY_GIB) * Decimal::from(per_gib) => {
            report(col, format!("'{s}' {unit} is implausibly large"));
            None
        }
        Ok(v) => Some((v / Decimal::from(per_gib)).normalize()),
        Err(m) => {
            report(col, m);
            None
        }
    }
}

/// `OsName` (with `OsVersion` when the name lacks it), classified once per distinct text.
fn operating_system(
    cols: &Cols,
    row: &Row,
    seen: &mut FxHashMap<String, Option<Arc<OsInfo>>>,
    report: &mut Report<'_>,
) -> Option<Arc<OsInfo>> {
    let version = text(cols, row, "OsVersion", report);
    let Some(name) = text(cols, row, "OsName", report) else {
        if cols.cell(row, "OsName") == &Cell::Empty {
            report("OsName", "is empty; expected the operating system, such as 'Red Hat Enterprise Linux' or 'Windows Server 2019 Standard'".into());
        }
        return None;
    };
    let full = match version {
        Some(v) if !name.contains(v) => format!("{name} {v}"),
        _ => name.to_owned(),
    };
    let info = seen.entry(full.clone()).or_insert_with(|| os::classify(&full).map(Arc::new)).clone();
    if info.is_none() {
        report(
            "OsName",
            format!("'{full}' is not an OS rocklift knows; expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name"),
        );
    }
    info
}

/// `PrimaryIPAddress`, then the `;`-separated `IpAddressListSemiColonDelimited`, without repeats.
fn ip_addresses(cols: &Cols, row: &Row, report: &mut Report<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let primary = text(cols, row, "PrimaryIPAddress", report);
    let list = text(cols, row, "IpAddressListSemiColonDelimited", report).unwrap_or_default();
    for ip in primary.into_iter().chain(list.split(';')).map(str::trim).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == ip) {
            out.push(ip.to_owned());
        }
    }
    out
}

/// Whether a `MachineStatus` means "not running", and a note when the status is not one rocklift knows.
fn power_state(status: Option<&str>) -> (bool, Option<String>) {
    let Some(s) = status else { return (false, None) };
    let lower = s.to_lowercase();
    let state = lower.strip_prefix("vm ").unwrap_or(&lower).trim();
    if POWERED_OFF.contains(&state) {
        (true, None)
    } else if RUNNING.contains(&state) {
        (false, None)
    } else {
        (false, Some(format!("MachineStatus '{s}' is not a state rocklift knows; planned as running")))
    }
}

/// Record a row whose `MachineId` is not in `vmInfo.csv`.
fn note_unknown(unknown: &mut Unknown, id: &str, line: u64) {
    let e = unknown.entry(id.to_owned()).or_insert((line, 0));
    e.1 += 1;
}

/// One problem per unknown id, at its first line; `column` is the `MachineId` header as written.
fn report_unknown(file: &str, column: &str, unknown: Unknown, problems: &mut Vec<Problem>) {
    let mut list: Vec<(String, (u64, u32))> = unknown.into_iter().collect();
    list.sort_by_key(|(_, (line, _))| *line);
    for (id, (line, rows)) in list {
        let rows = if rows > 1 { format!(" ({rows} rows name it)") } else { String::new() };
        problems.push(Problem::at(
            file,
            line,
            Some(column),
            format!("'{id}' is not a MachineId in {VM_FILE}{rows}; fix the id or remove its rows"),
        ));
    }
}

/// What a row of a companion file is about.
enum Target {
    /// The machine at this index of `vmInfo.csv`.
    Machine(usize),
    /// `vmInfo.csv` could not be read: the row is checked but joins nothing.
    Unchecked,
    /// An empty `MachineId` (reported) or one not in `vmInfo.csv` (recorded): the row is skipped.
    Skip,
}

impl Target {
    /// The machine index; `None` for `Unchecked`.
    fn index(&self) -> Option<usize> {
        match self {
            Target::Machine(m) => Some(*m),
            _ => None,
        }
    }
}

fn machine_of(
    cols: &Cols,
    row: &Row,
    ids: Option<&FxHashMap<String, usize>>,
    unknown: &mut Unknown,
    report: &mut Report<'_>,
) -> Target {
    let id = match cols.cell(row, "MachineId").text() {
        Ok(Some(id)) => id,
        Ok(None) => {
            report("MachineId", format!("is empty; expected the MachineId of a machine in {VM_FILE}"));
            return Target::Skip;
        }
        Err(m) => {
            report("MachineId", m);
            return Target::Skip;
        }
    };
    let Some(ids) = ids else { return Target::Unchecked };
    match ids.get(id) {
        Some(m) => Target::Machine(*m),
        None => {
            note_unknown(unknown, id, row.line);
            Target::Skip
        }
    }
}

fn read_disks(
    (name, bytes): (&str, &[u8]),
    ids: Option<&FxHashMap<String, usize>>,
    extra: &mut [Extra],
    problems: &mut Vec<Problem>,
    ignored: &mut Vec<String>,
) {
    let Some((mut rows, cols)) = open(name, bytes, &DISK_COLUMNS, &[&["MachineId"], &["SizeInGib"]], problems) else {
        return;
    };
    ignored.extend(cols.ignored.iter().map(|c| format!("{name}: {c}")));
    let mut unknown = Unknown::new();
    while let Some(row) = rows.next_row(problems) {
        let mut report =
            |col: &str, msg: String| problems.push(Problem::at(name, row.line, Some(cols.label(col)), msg));
        let target = machine_of(&cols, &row, ids, &mut unknown, &mut report);
        if matches!(target, Target::Skip) {
            continue;
        }
        let size = opt_number(&cols, &row, "SizeInGib", MAX_DISK_GIB, "the disk size in GiB, such as 100", &mut report);
        if size.is_none() && cols.cell(&row, "SizeInGib") == &Cell::Empty {
            report("SizeInGib", "is empty; expected the disk size in GiB, such as 100".into());
        }
        let used = opt_number(&cols, &row, "UsedInGib", MAX_DISK_GIB, "the used space in GiB, such as 42", &mut report);
        let Some(x) = target.index().and_then(|m| extra.get_mut(m)) else { continue };
        x.disks += 1;
        x.disk_gib += size.unwrap_or_default();
        if let Some(u) = used {
            x.disks_with_used += 1;
            x.disk_used_gib += u;
        }
    }
    report_unknown(name, cols.label("MachineId"), unknown, problems);
}

fn read_tags(
    (name, bytes): (&str, &[u8]),
    ids: Option<&FxHashMap<String, usize>>,
    extra: &mut [Extra],
    problems: &mut Vec<Problem>,
    ignored: &mut Vec<String>,
) {
    let Some((mut rows, cols)) = open(name, bytes, &TAG_COLUMNS, &[&["MachineId"], &["Key"], &["Value"]], problems)
    else {
        return;
    };
    ignored.extend(cols.ignored.iter().map(|c| format!("{name}: {c}")));
    let mut unknown = Unknown::new();
    while let Some(row) = rows.next_row(problems) {
        let mut report =
            |col: &str, msg: String| problems.push(Problem::at(name, row.line, Some(cols.label(col)), msg));
        let target = machine_of(&cols, &row, ids, &mut unknown, &mut report);
        if matches!(target, Target::Skip) {
            continue;
        }
        let key = text(&cols, &row, "Key", &mut report);
        let value = text(&cols, &row, "Value", &mut report).unwrap_or_default();
        let Some(key) = key else {
            if cols.cell(&row, "Key") == &Cell::Empty {
                report("Key", "is empty; expected a tag key such as env".into());
            }
            continue;
        };
        let Some(x) = target.index().and_then(|m| extra.get_mut(m)) else { continue };
        if let Some((_, first)) = x.tags.get(key) {
            report("Key", format!("'{key}' is also given for this MachineId on line {first}; keep one"));
            continue;
        }
        x.tags.insert(key.to_owned(), (value.to_owned(), row.line));
    }
    report_unknown(name, cols.label("MachineId"), unknown, problems);
}

fn read_perf(
    (name, bytes): (&str, &[u8]),
    ids: Option<&FxHashMap<String, usize>>,
    memory_of: &[Option<Decimal>],
    extra: &mut [Extra],
    problems: &mut Vec<Problem>,
    ignored: &mut Vec<String>,
) {
    let required: [&[&str]; 3] = [&["MachineId"], &["TimeStamp"], &["CpuUtilizationPercentage"]];
    let Some((mut rows, cols)) = open(name, bytes, &PERF_COLUMNS, &required, problems) else {
        return;
    };
    ignored.extend(cols.ignored.iter().map(|c| format!("{name}: {c}")));
    let mut unknown = Unknown::new();
    while let Some(row) = rows.next_row(problems) {
        let mut report =
            |col: &str, msg: String| problems.push(Problem::at(name, row.line, Some(cols.label(col)), msg));
        let target = machine_of(&cols, &row, ids, &mut unknown, &mut report);
        if matches!(target, Target::Skip) {
            continue;
        }
        match text(&cols, &row, "TimeStamp", &mut report) {
            Some(t) if parse_timestamp(t).is_none() => {
                report("TimeStamp", format!("'{t}' is not a timestamp; expected ISO 8601 such as 2024-05-01T13:00:00Z"))
            }
            Some(_) => {}
            None if cols.cell(&row, "TimeStamp") == &Cell::Empty => {
                report("TimeStamp", "is empty; expected when the sample was taken, such as 2024-05-01T13:00:00Z".into())
            }
            None => {}
        }
        let cpu = percent(&cols, &row, "CpuUtilizationPercentage", &mut report);
        let memory_gib = target.index().and_then(|m| memory_of.get(m).copied().flatten());
        let mem = memory_sample(&cols, &row, memory_gib, &mut report);
        let Some(x) = target.index().and_then(|m| extra.get_mut(m)) else { continue };
        x.cpu.extend(cpu);
        x.mem.extend(mem);
    }
    report_unknown(name, cols.label("MachineId"), unknown, problems);
}

/// A percentage from 0 to 100 (`45` or `45%`); `None` when empty or wrong (reported).
fn percent(cols: &Cols, row: &Row, col: &str, report: &mut Report<'_>) -> Option<Decimal> {
    const EXPECTED: &str = "a percentage from 0 to 100, such as 35";
    let s = text(cols, row, col, report)?;
    match number_as(strip_pct(s), s, EXPECTED) {
        Ok(v) if v > Decimal::ONE_HUNDRED => {
            report(col, format!("'{s}' is above 100; expected {EXPECTED}"));
            None
        }
        Ok(v) => Some(v),
        Err(m) => {
            report(col, m);
            None
        }
    }
}

/// The memory use of a sample, in percent (see the module doc for the columns used, in order).
fn memory_sample(cols: &Cols, row: &Row, memory_gib: Option<Decimal>, report: &mut Report<'_>) -> Option<Decimal> {
    if let Some(p) = percent(cols, row, "MemoryUtilizationPercentage", report) {
        return Some(p);
    }
    let bytes = |col: &str, report: &mut Report<'_>| -> Option<Decimal> {
        let s = text(cols, row, col, report)?;
        number(s, "a number of bytes, such as 8589934592").map_err(|m| report(col, m)).ok()
    };
    let used = bytes("UtilizedMemoryBytes", report);
    let available = bytes("AvailableMemoryBytes", report).filter(|a| !a.is_zero());
    let total = memory_gib? * Decimal::from(GIB_BYTES);
    let used = used.or_else(|| available.map(|a| (total - a).max(Decimal::ZERO)))?;
    Some((used * Decimal::ONE_HUNDRED / total).min(Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

/// Nearest-rank p95: the value at rank ⌈0.95·n⌉ of the samples sorted ascending; `None` without samples.
fn p95(samples: &mut [Decimal]) -> Option<Decimal> {
    samples.sort_unstable();
    let rank = (samples.len() * 95).div_ceil(100);
    samples.get(rank.checked_sub(1)?).copied()
}

fn apply_perf(server: &mut Server, x: &Extra, file: &str) {
    let (mut cpu, mut mem) = (x.cpu.clone(), x.mem.clone());
    server.cpu_util_p95 = p95(&mut cpu);
    server.mem_util_p95 = p95(&mut mem);
    if !cpu.is_empty() || !mem.is_empty() {
        server.notes.push(format!(
            "utilization is the nearest-rank p95 of {file} samples (CPU: {}, memory: {})",
            cpu.len(),
            mem.len()
        ));
    }
}

fn apply_disks(server: &mut Server, x: &Extra, file: &str) {
    if x.disks == 0 {
        return;
    }
    server.disk_gib = Some(x.disk_gib.normalize());
    let disks = if x.disks == 1 { "1 disk".to_owned() } else { format!("{} disks", x.disks) };
    if x.disks_with_used == x.disks {
        server.disk_used_gib = Some(x.disk_used_gib.normalize());
        server.notes.push(format!("disk sizes and used space from {file} ({disks})"));
    } else {
        server.notes.push(format!(
            "disk sizes from {file} ({disks}); used space from {VM_FILE} ({file} gives it for {} of them)",
            x.disks_with_used
        ));
    }
}

/// A sample time: ISO 8601 (date, date and time with `T` or a space, optional fraction and `Z` or
/// offset), or `MM/DD/YYYY, HH:MM:SS` and `M/D/YYYY h:mm:ss AM` (Google's AWS and Azure export scripts).
fn parse_timestamp(s: &str) -> Option<chrono::NaiveDateTime> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let t = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.naive_utc());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"]
    {
        if let Ok(d) = DateTime::parse_from_str(t, f) {
            return Some(d.naive_utc());
        }
    }
    let naive = t.strip_suffix(['Z', 'z']).unwrap_or(t);
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y, %H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(d);
        }
    }
    NaiveDate::parse_from_str(naive, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn nearest_rank_p95() {
        let mut v: Vec<Decimal> = (1..=20).map(Decimal::from).collect();
        assert_eq!(p95(&mut v), Some(d("19"))); // rank 19 of 20
        let mut v: Vec<Decimal> = (1..=100).rev().map(Decimal::from).collect();
        assert_eq!(p95(&mut v), Some(d("95")));
        let mut one = vec![d("7.5")];
        assert_eq!(p95(&mut one), Some(d("7.5")));
        let mut v: Vec<Decimal> = (1..=21).map(Decimal::from).collect();
        assert_eq!(p95(&mut v), Some(d("20"))); // ⌈19.95⌉ = 20
        assert_eq!(p95(&mut []), None);
    }

    #[test]
    fn timestamps() {
        for ok in [
            "2024-05-01T13:00:00Z",
            "2024-05-01T13:00:00.123+02:00",
            "2024-05-01 13:00:00",
            "2024-05-01T13:00",
            "2024-05-01",
            "2024-05-01T13:00:00+0000",
            "05/01/2024, 13:00:00",
            "5/1/2024 1:00:00 PM",
        ] {
            assert!(parse_timestamp(ok).is_some(), "{ok}");
        }
        for bad in ["yesterday", "2024-13-01", "2024-05-01T25:00:00Z", "01.05.2024 13:00", ""] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn power_states() {
        assert_eq!(power_state(Some("VM deallocated")), (true, None));
        assert_eq!(power_state(Some("stopped")), (true, None));
        assert_eq!(power_state(Some("Running")), (false, None));
        assert_eq!(power_state(None), (false, None));
        assert_eq!(
            power_state(Some("rebooting")),
            (false, Some("MachineStatus 'rebooting' is not a state rocklift knows; planned as running".into()))
        );
    }

    #[test]
    fn header_names_without_optional_suffix() {
        assert_eq!(normalise(" PrimaryIPAddress(optional) "), "primaryipaddress");
        assert_eq!(normalise("MemoryUtilizationPercentage (Optional)"), "memoryutilizationpercentage");
        let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(sniff(&h(&["MachineId", "AllocatedProcessorCoreCount", "MemoryMiB"])), Ok(()));
        assert_eq!(
            sniff(&h(&["MachineId", "MemoryGiB"])),
            Err("not a Migration Center vmInfo.csv: no column 'AllocatedProcessorCoreCount'".into())
        );
    }
}
