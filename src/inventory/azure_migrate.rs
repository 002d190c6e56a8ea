//! An Azure Migrate import CSV (the "Import using CSV" template of Azure Migrate: Discovery and assessment) in,
//! an `Inventory` out, or every problem of the file, each located by file, line and column header as written.
//!
//! Columns: the template's header as downloaded from the portal marks mandatory columns with a `*` in the cell
//! itself: `*Server name`, `IP addresses`, `*Cores`, `*Memory (In MB)`, `*OS name`, `OS version`,
//! `OS architecture`, `Server type`, `Hypervisor`, `CPU utilization percentage`, `Memory utilization percentage`,
//! `Network adapters`, `Network In throughput`, `Network Out throughput`, `Boot type`, `Number of disks`,
//! `Storage in use (In GB)`, then per disk N `Disk N size (In GB)`, `Disk N read throughput (MB per second)`,
//! `Disk N write throughput (MB per second)`, `Disk N read ops (operations per second)`,
//! `Disk N write ops (operations per second)`. The field list and units are those of Microsoft's tutorial
//! "Build a business case or assess servers using an imported CSV file"
//! (<https://learn.microsoft.com/azure/migrate/tutorial-discover-import>, MicrosoftDocs/azure-docs
//! `articles/migrate/tutorial-discover-import.md`), which also lists `Total disks read ops`,
//! `Total disks write ops`, `Total disks read throughput`, `Total disks write throughput`, `Firmware type` and
//! `MAC address`, and says more disks are added as `Disk 2 size`, `Disk 2 read ops`, ... (up to twenty).
//!
//! Headers match in any case and order, with or without the `*`, with or without the unit in parentheses (a
//! unit other than the template's, such as `Memory (In GB)`, is an error, never converted silently). Other
//! columns, and template columns rocklift reads nothing from (`IP addresses`, `OS architecture`, `Server type`,
//! `Hypervisor`, `Network adapters`, `Network In/Out throughput`, `Boot type`, `Number of disks`, ...), are
//! listed in `Inventory::ignored_columns`.
//!
//! Mapping to a `Server` (assumptions also noted on the server):
//! - `name`: `Server name` (Azure Migrate keys imported servers by it, so a repeated name is an error at the
//!   later row).
//! - `cpus`: `Cores`, "number of processor cores allocated to the server" (a VM's vCPUs).
//! - `memory_gib`: `Memory (In MB) / 1024`. The MB are MiB: the Azure Migrate appliance fills the same field
//!   from vSphere's `vm.Config.Hardware.MemoryMB` ("Collected metadata", learn.microsoft.com
//!   azure/migrate/discovered-metadata), which is MiB.
//! - `os`: `OS name`, then `OS version` when given and not already in the name.
//! - `disk_gib`: the sum of `Disk N size (In GB)`; `None` when no disk size is given. These GB are treated as
//!   GiB, an assumption: the template does not say, and Azure managed disks are sized in GiB.
//! - `disk_used_gib`: `Storage in use (In GB)` (GiB, as above).
//! - `cpu_util_p95` / `mem_util_p95`: the single `CPU utilization percentage` / `Memory utilization percentage`
//!   (0-100; `45`, `45%`, `45.5`), which Azure Migrate's performance-based assessment sizes on as given (the
//!   tutorial: no performance history or percentile can be provided); used as p95, with a note.
//! - `disk_iops` / `disk_throughput_mbps`: `Total disks read + write ops` / `throughput` when given, else the
//!   sums over the disks of read + write; rounded up; MB per second taken as MiB/s.
//! - egress: not derived. `Network Out throughput` is a rate in MB per second, not a monthly volume sent to
//!   the internet; it is ignored.
//!
//! The template has no power state or template flag, so `ReadOptions` changes nothing here.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::cells::whole;
use super::import_csv::{
    self, amount, ceil_u32, check_name, in_line_order, memory_mb, new_server, os_text, percent, Columns, OsSeen,
    RowReader, Table, MAX_CPUS, MAX_DISK_GIB, MAX_DISK_IOPS, MAX_DISK_MBPS,
};
use super::{Inventory, ReadOptions, Server};
use crate::error::{Error, Problem, Result};

pub const FORMAT: &str = "azure-migrate";

/// One per-disk (or total) measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DiskField {
    Size,
    ReadOps,
    WriteOps,
    ReadThroughput,
    WriteThroughput,
}

/// The columns rocklift reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    ServerName,
    Cores,
    Memory,
    OsName,
    OsVersion,
    CpuUtil,
    MemUtil,
    StorageInUse,
    /// `Disk N ...`.
    Disk(u32, DiskField),
    /// `Total disks ...` (never `Size`).
    Total(DiskField),
}

const SERVER_NAME: &str = "the server name, such as 'web01.corp.example' (the template recommends the FQDN)";
const CORES: &str = "the number of cores, such as 8";
const MEMORY: &str = "memory in MB, such as 16384";
const OS_NAME: &str = "the operating system, such as 'Red Hat Enterprise Linux 8' or 'Windows Server 2019 Datacenter'";
const DISK_SIZE: &str = "a disk size in GB, such as 128";
const STORAGE_IN_USE: &str = "storage in use in GB, such as 120";
const OPS: &str = "operations per second, such as 500";
const THROUGHPUT: &str = "MB per second, such as 40";

const EXPECTED_HEADER: &str = "the Azure Migrate import template's header line, such as \
    *Server name,IP addresses,*Cores,*Memory (In MB),*OS name,OS version,CPU utilization percentage";

/// A header cell reduced for matching: trimmed, no BOM, no leading `*`, lower case, single spaces.
fn normalize(cell: &str) -> String {
    let t = cell.trim().trim_start_matches('\u{feff}').trim_start().trim_start_matches('*');
    t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// `"memory (in mb)"` → (`"memory"`, `Some("in mb")`).
fn split_unit(key: &str) -> (&str, Option<&str>) {
    match (key.strip_suffix(')'), key.rfind('(')) {
        (Some(inner), Some(open)) if open < inner.len() => (key[..open].trim_end(), Some(inner[open + 1..].trim())),
        _ => (key, None),
    }
}

const MB: &[&str] = &["in mb", "mb"];
const GB: &[&str] = &["in gb", "gb"];
const MB_PER_SECOND: &[&str] = &["mb per second", "mbps", "mb/s"];
const OPS_PER_SECOND: &[&str] = &["operations per second", "ops per second", "iops"];

/// The column a header names (unit aside), the units it may be given in (empty: any), and how the template
/// writes it.
fn field_of(base: &str) -> Option<(Col, &'static [&'static str], String)> {
    let simple = |col: Col, units: &'static [&'static str], template: &str| Some((col, units, template.to_owned()));
    match base {
        "server name" => simple(Col::ServerName, &[], "*Server name"),
        "cores" => simple(Col::Cores, &[], "*Cores"),
        "memory" => simple(Col::Memory, MB, "*Memory (In MB)"),
        "os name" => simple(Col::OsName, &[], "*OS name"),
        "os version" => simple(Col::OsVersion, &[], "OS version"),
        "cpu utilization percentage" => simple(Col::CpuUtil, &[], "CPU utilization percentage"),
        "memory utilization percentage" => simple(Col::MemUtil, &[], "Memory utilization percentage"),
        "storage in use" => simple(Col::StorageInUse, GB, "Storage in use (In GB)"),
        _ => {
            if let Some(rest) = base.strip_prefix("total disks ") {
                let (field, units, template) = disk_field(rest)?;
                if field == DiskField::Size {
                    return None;
                }
                return Some((Col::Total(field), units, format!("Total disks {template}")));
            }
            let rest = base.strip_prefix("disk ")?;
            let (n, rest) = rest.split_once(' ')?;
            let n: u32 = n.parse().ok().filter(|n| *n >= 1)?;
            let (field, units, template) = disk_field(rest)?;
            Some((Col::Disk(n, field), units, format!("Disk {n} {template}")))
        }
    }
}

fn disk_field(rest: &str) -> Option<(DiskField, &'static [&'static str], &'static str)> {
    Some(match rest {
        "size" => (DiskField::Size, GB, "size (In GB)"),
        "read ops" => (DiskField::ReadOps, OPS_PER_SECOND, "read ops (operations per second)"),
        "write ops" => (DiskField::WriteOps, OPS_PER_SECOND, "write ops (operations per second)"),
        "read throughput" => (DiskField::ReadThroughput, MB_PER_SECOND, "read throughput (MB per second)"),
        "write throughput" => (DiskField::WriteThroughput, MB_PER_SECOND, "write throughput (MB per second)"),
        _ => return None,
    })
}

/// The column a header cell names, if rocklift reads it; a known column in another unit is an error.
fn column_of(cell: &str) -> std::result::Result<Option<Col>, String> {
    let key = normalize(cell);
    let (base, unit) = split_unit(&key);
    let Some((col, units, template)) = field_of(base) else { return Ok(None) };
    match unit {
        Some(u) if !units.is_empty() && !units.contains(&u) => Err(format!(
            "unit '{u}' is not the template's; expected the column '{template}' with values in {}",
            units.first().map(|u| u.trim_start_matches("in ").to_uppercase()).unwrap_or_default()
        )),
        _ => Ok(Some(col)),
    }
}

/// The column a header cell names, unit aside (for `sniff`).
fn base_column(cell: &str) -> Option<Col> {
    let key = normalize(cell);
    field_of(split_unit(&key).0).map(|(c, _, _)| c)
}

/// Ok when `header` (the first line's cells) is an Azure Migrate import file: it has the template's
/// `*Server name`, `*Cores` and `*Memory (In MB)` columns (with or without the `*`). `*OS name`, also mandatory,
/// is not needed to recognise the file: `parse` reports it missing. Optional columns may be missing.
pub fn sniff(header: &[String]) -> std::result::Result<(), String> {
    let cols: Vec<Col> = header.iter().filter_map(|c| base_column(c)).collect();
    for (col, name) in [(Col::ServerName, "*Server name"), (Col::Cores, "*Cores"), (Col::Memory, "*Memory (In MB)")] {
        if !cols.contains(&col) {
            return Err(format!("no column '{name}'"));
        }
    }
    Ok(())
}

/// Parse an Azure Migrate import file; `file` is the name used in messages.
pub fn parse(file: &str, bytes: &[u8], _opts: &ReadOptions) -> Result<Inventory> {
    let table = import_csv::read(file, bytes, EXPECTED_HEADER)?;
    let mut problems = table.header_problems.clone();
    let cols = Columns::resolve(file, &table, column_of, &mut problems);
    require_columns(file, &table, &cols, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let disks: Vec<Col> = cols.found().filter(|c| matches!(c, Col::Disk(..) | Col::Total(_))).collect();
    let mut problems = table.row_problems.clone();
    let mut os_seen = OsSeen::default();
    let mut servers: Vec<Server> = Vec::new();
    let mut first_line_of: FxHashMap<String, u64> = FxHashMap::default();
    for row in &table.rows {
        let mut r = RowReader::new(file, &table, &cols, row);
        let server = parse_row(&mut r, &disks, &mut os_seen);
        if r.failed() {
            problems.extend(r.into_problems());
            continue;
        }
        let Some(server) = server else { continue };
        if let Some(first) = first_line_of.get(&server.name) {
            r.fail(
                Col::ServerName,
                format!(
                    "'{}' is also the server name on line {first}; Azure Migrate keys servers by name, so names must be unique",
                    server.name
                ),
            );
            problems.extend(r.into_problems());
            continue;
        }
        first_line_of.insert(server.name.clone(), server.line);
        servers.push(server);
    }
    if problems.is_empty() && servers.is_empty() {
        problems.push(Problem::at(file, table.header_line, None, "the file has a header but no servers"));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(in_line_order(problems)));
    }
    Ok(Inventory::new(file, FORMAT, servers, cols.ignored))
}

/// The template's mandatory (`*`) columns, each missing one reported at the header line.
fn require_columns(file: &str, table: &Table, cols: &Columns<Col>, problems: &mut Vec<Problem>) {
    for (col, name) in [
        (Col::ServerName, "*Server name"),
        (Col::Cores, "*Cores"),
        (Col::Memory, "*Memory (In MB)"),
        (Col::OsName, "*OS name"),
    ] {
        if !cols.has(col) {
            problems.push(Problem::at(
                file,
                table.header_line,
                None,
                format!("required column '{name}' is missing (the template marks it with '*')"),
            ));
        }
    }
}

/// One row to a server, every problem reported on `r`; `None` when a required value is missing.
fn parse_row(r: &mut RowReader<'_, Col>, disks: &[Col], os_seen: &mut OsSeen) -> Option<Server> {
    let mut notes = Vec::new();
    let name = r.required(Col::ServerName, SERVER_NAME, check_name);
    let cpus = r.required(Col::Cores, CORES, |s| whole(s, 1, MAX_CPUS, CORES));
    let memory = r.required(Col::Memory, MEMORY, |s| memory_mb(s, MEMORY));
    let version = r.text(Col::OsVersion);
    let os = r.required(Col::OsName, OS_NAME, |s| os_seen.classify(&os_text(s, version)));
    let cpu_util = r.optional(Col::CpuUtil, percent);
    if cpu_util.is_some() {
        notes.push("CPU utilization is the import's single value (CPU utilization percentage), which Azure Migrate sizes on as given; used as p95".into());
    }
    let mem_util = r.optional(Col::MemUtil, percent);
    if mem_util.is_some() {
        notes.push("memory utilization is the import's single value (Memory utilization percentage), which Azure Migrate sizes on as given; used as p95".into());
    }
    let storage_in_use = r.optional(Col::StorageInUse, |s| amount(s, MAX_DISK_GIB, STORAGE_IN_USE));
    let sums = DiskSums::read(r, disks);
    let disk_iops = sums.iops(r, &mut notes);
    let disk_mbps = sums.mbps(r, &mut notes);
    let mut server = new_server(name?.to_owned(), r.line(), cpus?, (memory? / Decimal::from(1024)).normalize(), os?);
    server.cpu_util_p95 = cpu_util;
    server.mem_util_p95 = mem_util;
    server.disk_gib = sums.size;
    server.disk_used_gib = storage_in_use;
    server.disk_iops = disk_iops;
    server.disk_throughput_mbps = disk_mbps;
    server.notes = notes;
    Some(server)
}

/// The disk measures of one row: sums over `Disk N ...` and the `Total disks ...` values.
#[derive(Default)]
struct DiskSums {
    size: Option<Decimal>,
    ops: Option<Decimal>,
    throughput: Option<Decimal>,
    total_ops: Option<Decimal>,
    total_throughput: Option<Decimal>,
    /// The first column with an operations / throughput value, where an implausible sum is reported.
    first_ops: Option<Col>,
    first_throughput: Option<Col>,
}

fn add(sum: &mut Option<Decimal>, v: Option<Decimal>) {
    if let Some(v) = v {
        *sum = Some(sum.unwrap_or_default() + v);
    }
}

impl DiskSums {
    fn read(r: &mut RowReader<'_, Col>, disks: &[Col]) -> Self {
        let mut s = DiskSums::default();
        for &c in disks {
            let field = match c {
                Col::Disk(_, f) | Col::Total(f) => f,
                _ => continue,
            };
            let v = match field {
                DiskField::Size => r.optional(c, |v| amount(v, MAX_DISK_GIB, DISK_SIZE)),
                DiskField::ReadOps | DiskField::WriteOps => r.optional(c, |v| amount(v, MAX_DISK_IOPS, OPS)),
                DiskField::ReadThroughput | DiskField::WriteThroughput => {
                    r.optional(c, |v| amount(v, MAX_DISK_MBPS, THROUGHPUT))
                }
            };
            let sum = match (c, field) {
                (_, DiskField::Size) => &mut s.size,
                (Col::Total(_), DiskField::ReadOps | DiskField::WriteOps) => &mut s.total_ops,
                (Col::Total(_), _) => &mut s.total_throughput,
                (_, DiskField::ReadOps | DiskField::WriteOps) => &mut s.ops,
                _ => &mut s.throughput,
            };
            add(sum, v);
            let first = match field {
                DiskField::Size => None,
                DiskField::ReadOps | DiskField::WriteOps => Some(&mut s.first_ops),
                _ => Some(&mut s.first_throughput),
            };
            if let (Some(first), Some(_)) = (first, v) {
                first.get_or_insert(c);
            }
        }
        s
    }

    fn iops(&self, r: &mut RowReader<'_, Col>, notes: &mut Vec<String>) -> Option<u32> {
        let (sum, note) = match (self.total_ops, self.ops) {
            (Some(t), _) => (t, "disk IOPS is Total disks read ops + Total disks write ops"),
            (None, Some(d)) => (d, "disk IOPS is the sum over the disks of read + write operations per second"),
            (None, None) => return None,
        };
        let iops = ceil_u32(sum).filter(|v| *v <= MAX_DISK_IOPS);
        match iops {
            Some(_) => notes.push(note.into()),
            None => r.fail(
                self.first_ops.unwrap_or(Col::ServerName),
                format!("the disks' read and write operations add up to {sum} per second, implausibly many; expected at most {MAX_DISK_IOPS}"),
            ),
        }
        iops
    }

    fn mbps(&self, r: &mut RowReader<'_, Col>, notes: &mut Vec<String>) -> Option<u32> {
        let (sum, note) = match (self.total_throughput, self.throughput) {
            (Some(t), _) => (t, "disk throughput is Total disks read throughput + Total disks write throughput (MB per second read as MiB/s)"),
            (None, Some(d)) => (d, "disk throughput is the sum over the disks of read + write MB per second (read as MiB/s)"),
            (None, None) => return None,
        };
        let mbps = ceil_u32(sum).filter(|v| *v <= MAX_DISK_MBPS);
        match mbps {
            Some(_) => notes.push(note.into()),
            None => r.fail(
                self.first_throughput.unwrap_or(Col::ServerName),
                format!("the disks' read and write throughput add up to {sum} MB per second, implausibly much; expected at most {MAX_DISK_MBPS}"),
            ),
        }
        mbps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn headers_with_or_without_star_and_unit() {
        assert_eq!(column_of("*Memory (In MB)"), Ok(Some(Col::Memory)));
        assert_eq!(column_of(" memory  (in mb) "), Ok(Some(Col::Memory)));
        assert_eq!(column_of("\u{feff}*Server name"), Ok(Some(Col::ServerName)));
        assert_eq!(
            column_of("Disk 12 read throughput (MB per second)"),
            Ok(Some(Col::Disk(12, DiskField::ReadThroughput)))
        );
        assert_eq!(column_of("Disk 2 size"), Ok(Some(Col::Disk(2, DiskField::Size))));
        assert_eq!(column_of("Total disks write ops"), Ok(Some(Col::Total(DiskField::WriteOps))));
        assert_eq!(column_of("IP addresses"), Ok(None));
        assert_eq!(column_of("Disk 0 size (In GB)"), Ok(None));
        assert_eq!(
            column_of("*Memory (In GB)"),
            Err("unit 'in gb' is not the template's; expected the column '*Memory (In MB)' with values in MB".into())
        );
    }

    #[test]
    fn sniffs_the_mandatory_columns() {
        assert_eq!(sniff(&header(&["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name"])), Ok(()));
        assert_eq!(sniff(&header(&["Cores", "Server name", "Memory (In MB)"])), Ok(()));
        assert_eq!(sniff(&header(&["name", "cpus", "memory_gib", "os"])), Err("no column '*Server name'".into()));
        assert_eq!(sniff(&header(&["*Server name", "vCPUs", "*Memory (In MB)"])), Err("no column '*Cores'".into()));
    }
}
