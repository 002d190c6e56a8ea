//! A Migration Hub import CSV (the AWS Application Discovery Service import template) in, an `Inventory` out,
//! or every problem of the file, each located by file, line and column header as written.
//!
//! Columns are the published template's ("Migration Hub import template", AWS Application Discovery Service
//! user guide, <https://docs.aws.amazon.com/application-discovery/latest/userguide/discovery-import.html>):
//! `ExternalId`, `SMBiosId`, `IPAddress`, `MACAddress`, `HostName`, `VMware.MoRefId`, `VMware.VCenterId`,
//! `CPU.NumberOfProcessors`, `CPU.NumberOfCores`, `CPU.NumberOfLogicalCores`, `OS.Name`, `OS.Version`,
//! `VMware.VMName`, `RAM.TotalSizeInMB`, `RAM.UsedSizeInMB.Avg`, `RAM.UsedSizeInMB.Max`, `CPU.UsagePct.Avg`,
//! `CPU.UsagePct.Max`, `DiskReadsPerSecondInKB.Avg/.Max`, `DiskWritesPerSecondInKB.Avg/.Max`,
//! `DiskReadsOpsPerSecond.Avg/.Max`, `DiskWritesOpsPerSecond.Avg/.Max`, `NetworkReadsPerSecondInKB.Avg/.Max`,
//! `NetworkWritesPerSecondInKB.Avg/.Max`, `Applications`, `ApplicationWave`, `Tags`, `ServerId`. The guide
//! marks `ExternalId`, `IPAddress`, `MACAddress`, `HostName` and `VMware.MoRefId` (with `VMware.VCenterId`) as
//! the identifying fields: each record needs at least one. Migration Hub ignores any other column, and so does
//! rocklift: such columns, and template columns rocklift reads nothing from, go to `Inventory::ignored_columns`.
//! Headers match in any case, in any order, with or without the guide's `*` / `^` marks.
//!
//! What rocklift needs beyond Migration Hub: a name (`HostName`, else `VMware.VMName`, else `ExternalId`), a CPU
//! count (`CPU.NumberOfLogicalCores`, else `CPU.NumberOfCores`), `RAM.TotalSizeInMB` and `OS.Name`.
//!
//! Mapping to a `Server` (every assumption is also a note on the server):
//! - `cpus`: `CPU.NumberOfLogicalCores` (threads, what EC2 counts as vCPUs). Without it, `CPU.NumberOfCores`,
//!   which the guide defines as the *total* number of physical cores (so it is not multiplied by
//!   `CPU.NumberOfProcessors`, which counts sockets and is not used).
//! - `memory_gib`: `RAM.TotalSizeInMB / 1024`. That the template's MB are MiB is an assumption: the guide does
//!   not say; discovery tools report memory in binary units.
//! - `disk_gib`: none: the template has no disk size column.
//! - `cpu_util_p95`: the template gives an average and a peak, no p95; the peak `CPU.UsagePct.Max` is used
//!   (conservative). An average alone is not used (sizing on an average undersizes): `None`, with a note.
//! - `mem_util_p95`: `RAM.UsedSizeInMB.Max / RAM.TotalSizeInMB × 100`, exact, capped at 100 (with a note) when
//!   the used peak is above the total. An average alone is not used, as for CPU.
//! - `disk_iops` / `disk_throughput_mbps`: the sums of the read and write peaks (`Disk*OpsPerSecond.Max`,
//!   `Disk*PerSecondInKB.Max / 1024`, KB taken as KiB), rounded up; peaks may not coincide, so conservative.
//! - `tags`: `Tags`, a comma-delimited list of `name:value` (the guide's example `"zone:1, critical:yes"`;
//!   `;` accepted too); a name given twice keeps both values (`zone:3, zone:1` → `zone = "3, 1"`).
//!   `Applications` (comma-delimited) → tag `application`.
//! - egress: not derived. `Network*PerSecondInKB` are rates over the collection period, not a monthly volume
//!   sent to the internet; they are ignored.
//!
//! Duplicate names are an error at the second row, unless both rows have an `ExternalId` (which the guide
//! defines as unique per record): then both are kept, the later one renamed `NAME-2` (the first free suffix),
//! with a note. A repeated `ExternalId` is an error. The template has no power state or template flag, so
//! `ReadOptions` changes nothing here.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

use super::cells::whole;
use super::import_csv::{
    self, add_tag, amount, ceil_u32, check_name, in_line_order, memory_mb, new_server, os_text, percent, Columns,
    OsSeen, RowReader, Table, MAX_CPUS, MAX_DISK_IOPS, MAX_DISK_MBPS, MAX_MEMORY_GIB,
};
use super::{Inventory, ReadOptions, Server};
use crate::error::{Error, Problem, Result};

pub const FORMAT: &str = "aws-migration-hub";

/// The columns rocklift reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    ExternalId,
    HostName,
    VmName,
    LogicalCores,
    Cores,
    RamTotal,
    RamUsedAvg,
    RamUsedMax,
    CpuAvg,
    CpuMax,
    OsName,
    OsVersion,
    DiskReadKbAvg,
    DiskWriteKbAvg,
    DiskReadKbMax,
    DiskWriteKbMax,
    DiskReadOpsAvg,
    DiskWriteOpsAvg,
    DiskReadOpsMax,
    DiskWriteOpsMax,
    Applications,
    Tags,
}

/// The published template, in the guide's order, and the column rocklift reads from each field (`None`:
/// nothing; such a column is listed as ignored).
const TEMPLATE: &[(&str, Option<Col>)] = &[
    ("ExternalId", Some(Col::ExternalId)),
    ("SMBiosId", None),
    ("IPAddress", None),
    ("MACAddress", None),
    ("HostName", Some(Col::HostName)),
    ("VMware.MoRefId", None),
    ("VMware.VCenterId", None),
    ("CPU.NumberOfProcessors", None),
    ("CPU.NumberOfCores", Some(Col::Cores)),
    ("CPU.NumberOfLogicalCores", Some(Col::LogicalCores)),
    ("OS.Name", Some(Col::OsName)),
    ("OS.Version", Some(Col::OsVersion)),
    ("VMware.VMName", Some(Col::VmName)),
    ("RAM.TotalSizeInMB", Some(Col::RamTotal)),
    ("RAM.UsedSizeInMB.Avg", Some(Col::RamUsedAvg)),
    ("RAM.UsedSizeInMB.Max", Some(Col::RamUsedMax)),
    ("CPU.UsagePct.Avg", Some(Col::CpuAvg)),
    ("CPU.UsagePct.Max", Some(Col::CpuMax)),
    ("DiskReadsPerSecondInKB.Avg", Some(Col::DiskReadKbAvg)),
    ("DiskWritesPerSecondInKB.Avg", Some(Col::DiskWriteKbAvg)),
    ("DiskReadsPerSecondInKB.Max", Some(Col::DiskReadKbMax)),
    ("DiskWritesPerSecondInKB.Max", Some(Col::DiskWriteKbMax)),
    ("DiskReadsOpsPerSecond.Avg", Some(Col::DiskReadOpsAvg)),
    ("DiskWritesOpsPerSecond.Avg", Some(Col::DiskWriteOpsAvg)),
    ("DiskReadsOpsPerSecond.Max", Some(Col::DiskReadOpsMax)),
    ("DiskWritesOpsPerSecond.Max", Some(Col::DiskWriteOpsMax)),
    ("NetworkReadsPerSecondInKB.Avg", None),
    ("NetworkWritesPerSecondInKB.Avg", None),
    ("NetworkReadsPerSecondInKB.Max", None),
    ("NetworkWritesPerSecondInKB.Max", None),
    ("Applications", Some(Col::Applications)),
    ("ApplicationWave", None),
    ("Tags", Some(Col::Tags)),
    ("ServerId", None),
];

/// The fields the guide marks as identifying a record (at least one per record).
const IDENTIFYING: &[&str] = &["ExternalId", "IPAddress", "MACAddress", "HostName", "VMware.MoRefId"];

const EXPECTED_HEADER: &str = "the Migration Hub import template's header line, such as \
    ExternalId,HostName,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,OS.Name,OS.Version,CPU.UsagePct.Max";

const RAM_TOTAL: &str = "the total RAM in MB, such as 16384";
const RAM_USED: &str = "used RAM in MB, such as 12288";
const THREADS: &str = "the number of logical cores (threads), such as 8";
const CORES: &str = "the total number of cores, such as 4";
const OS_NAME: &str = "the operating system, such as 'Red Hat Enterprise Linux' (with OS.Version '8.6') or 'Windows Server 2019 Datacenter'";
const DISK_OPS: &str = "disk operations per second, such as 1083";
const DISK_KB: &str = "KB per second, such as 37892";

/// A header cell as the template names it: trimmed, without a BOM or the guide's `*` / `^` marks.
fn template_name(cell: &str) -> &str {
    cell.trim().trim_start_matches('\u{feff}').trim_end_matches(['*', '^', ' '])
}

/// The template field a header cell names, if any (case-insensitive).
fn template_field(cell: &str) -> Option<&'static (&'static str, Option<Col>)> {
    let name = template_name(cell);
    TEMPLATE.iter().find(|(field, _)| field.eq_ignore_ascii_case(name))
}

fn column_of(cell: &str) -> std::result::Result<Option<Col>, String> {
    Ok(template_field(cell).and_then(|(_, col)| *col))
}

/// Ok when `header` (the first line's cells) is a Migration Hub import file: it has one of the template's
/// identifying fields and at least one of its dotted fields (`CPU.*`, `RAM.*`, `OS.*`, `VMware.*`, `Disk*.*`,
/// ...), which no other inventory format rocklift reads uses. Optional columns may be missing.
pub fn sniff(header: &[String]) -> std::result::Result<(), String> {
    let fields: Vec<&str> = header.iter().filter_map(|c| template_field(c)).map(|(f, _)| *f).collect();
    if !fields.iter().any(|f| IDENTIFYING.contains(f)) {
        return Err(format!("no identifying column of the Migration Hub import template ({})", IDENTIFYING.join(", ")));
    }
    if !fields.iter().any(|f| f.contains('.')) {
        return Err("no column of the Migration Hub import template such as CPU.NumberOfLogicalCores, \
                    RAM.TotalSizeInMB or OS.Name"
            .into());
    }
    Ok(())
}

/// One row read: the server, its ExternalId, and the column its name came from.
struct Parsed {
    server: Server,
    external_id: Option<String>,
    name_col: Col,
}

/// Parse a Migration Hub import file; `file` is the name used in messages.
pub fn parse(file: &str, bytes: &[u8], _opts: &ReadOptions) -> Result<Inventory> {
    let table = import_csv::read(file, bytes, EXPECTED_HEADER)?;
    let mut problems = table.header_problems.clone();
    let cols = Columns::resolve(file, &table, column_of, &mut problems);
    require_columns(file, &table, &cols, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut problems = table.row_problems.clone();
    let mut os_seen = OsSeen::default();
    let mut parsed = Vec::new();
    for row in &table.rows {
        let mut r = RowReader::new(file, &table, &cols, row);
        let p = parse_row(&mut r, &mut os_seen);
        if r.failed() {
            problems.extend(r.into_problems());
        } else if let Some(p) = p {
            parsed.push(p);
        }
    }
    let labels = |c: Col| cols.index(c).map(|i| import_csv::label(&table.header, i)).unwrap_or_default();
    let servers = keep_apart(file, parsed, &labels, &mut problems);
    if problems.is_empty() && servers.is_empty() {
        problems.push(Problem::at(file, table.header_line, None, "the file has a header but no servers"));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(in_line_order(problems)));
    }
    Ok(Inventory::new(file, FORMAT, servers, cols.ignored))
}

/// The columns rocklift cannot plan without, each missing one reported at the header line.
fn require_columns(file: &str, table: &Table, cols: &Columns<Col>, problems: &mut Vec<Problem>) {
    let at = |message: &str| Problem::at(file, table.header_line, None, message);
    if ![Col::HostName, Col::VmName, Col::ExternalId].iter().any(|c| cols.has(*c)) {
        problems.push(at("no column names the servers; expected HostName, VMware.VMName or ExternalId"));
    }
    if !cols.has(Col::LogicalCores) && !cols.has(Col::Cores) {
        problems.push(at(
            "required column 'CPU.NumberOfLogicalCores' (or 'CPU.NumberOfCores') is missing; rocklift needs the CPU count",
        ));
    }
    if !cols.has(Col::RamTotal) {
        problems.push(at("required column 'RAM.TotalSizeInMB' is missing; rocklift needs the memory size"));
    }
    if !cols.has(Col::OsName) {
        problems.push(at("required column 'OS.Name' is missing; rocklift needs the operating system"));
    }
}

/// One row to a server, every problem reported on `r`; `None` when a required value is missing.
fn parse_row(r: &mut RowReader<'_, Col>, os_seen: &mut OsSeen) -> Option<Parsed> {
    let mut notes = Vec::new();
    let external_id = r.text(Col::ExternalId).map(str::to_owned);
    let name = name_of(r, &mut notes);
    let cpus = cpus_of(r, &mut notes);
    let total_mb = r.required(Col::RamTotal, RAM_TOTAL, |s| memory_mb(s, RAM_TOTAL));
    let version = r.text(Col::OsVersion);
    let os = r.required(Col::OsName, OS_NAME, |s| os_seen.classify(&os_text(s, version)));
    let cpu_util = cpu_util_of(r, &mut notes);
    let mem_util = mem_util_of(r, total_mb, &mut notes);
    let disk_iops = disk_iops_of(r, &mut notes);
    let disk_mbps = disk_mbps_of(r, &mut notes);
    let tags = tags_of(r);
    let (name, name_col) = name?;
    let mut server = new_server(name, r.line(), cpus?, (total_mb? / Decimal::from(1024)).normalize(), os?);
    server.cpu_util_p95 = cpu_util;
    server.mem_util_p95 = mem_util;
    server.disk_iops = disk_iops;
    server.disk_throughput_mbps = disk_mbps;
    server.tags = tags;
    server.notes = notes;
    Some(Parsed { server, external_id, name_col })
}

/// `HostName`, else `VMware.VMName`, else `ExternalId`.
fn name_of(r: &mut RowReader<'_, Col>, notes: &mut Vec<String>) -> Option<(String, Col)> {
    let order = [
        (Col::HostName, None),
        (Col::VmName, Some("named after VMware.VMName (no HostName)")),
        (Col::ExternalId, Some("named after ExternalId (no HostName or VMware.VMName)")),
    ];
    for (c, note) in order {
        if let Some(n) = r.text(c) {
            return match check_name(n) {
                Ok(n) => {
                    notes.extend(note.map(str::to_owned));
                    Some((n.to_owned(), c))
                }
                Err(m) => {
                    r.fail(c, m);
                    None
                }
            };
        }
    }
    let present: Vec<Col> = order.iter().map(|(c, _)| *c).filter(|c| r.has(*c)).collect();
    let (first, rest) = present.split_first()?;
    if present.iter().any(|c| r.unreadable(*c)) {
        return None;
    }
    let message = match rest.iter().map(|c| r.label(*c)).collect::<Vec<_>>().as_slice() {
        [] => "is empty; every server needs a name".to_owned(),
        [one] => format!("is empty, and so is {one}; every server needs a name"),
        [a, b] => format!("is empty, and so are {a} and {b}; every server needs a name"),
        more => format!("is empty, and so are {}; every server needs a name", more.join(", ")),
    };
    r.fail(*first, message);
    None
}

/// `CPU.NumberOfLogicalCores`, else `CPU.NumberOfCores` (with a note).
fn cpus_of(r: &mut RowReader<'_, Col>, notes: &mut Vec<String>) -> Option<u32> {
    if r.text(Col::LogicalCores).is_some() {
        return r.optional(Col::LogicalCores, |s| whole(s, 1, MAX_CPUS, THREADS));
    }
    if r.text(Col::Cores).is_some() {
        let cores = r.optional(Col::Cores, |s| whole(s, 1, MAX_CPUS, CORES))?;
        notes.push(
            "vCPUs from CPU.NumberOfCores (physical cores): no CPU.NumberOfLogicalCores, so threads per core are unknown"
                .into(),
        );
        return Some(cores);
    }
    if r.unreadable(Col::LogicalCores) || r.unreadable(Col::Cores) {
        return None;
    }
    match (r.has(Col::LogicalCores), r.has(Col::Cores)) {
        (true, true) => r.fail(Col::LogicalCores, format!("is empty, and so is CPU.NumberOfCores; expected {THREADS}")),
        (true, false) => r.fail(Col::LogicalCores, format!("is empty; expected {THREADS}")),
        _ => r.fail(Col::Cores, format!("is empty; expected {CORES}")),
    }
    None
}

/// The CPU peak as p95; an average alone is not used.
fn cpu_util_of(r: &mut RowReader<'_, Col>, notes: &mut Vec<String>) -> Option<Decimal> {
    let max = r.optional(Col::CpuMax, percent);
    let avg = r.optional(Col::CpuAvg, percent);
    match (max, avg) {
        (Some(max), _) => {
            notes.push("CPU utilization is the export's peak (CPU.UsagePct.Max), used as p95: conservative".into());
            Some(max)
        }
        (None, Some(_)) => {
            notes.push(
                "only an average CPU utilization (CPU.UsagePct.Avg) is given: not used, sizing on an average can undersize; vCPUs sized as-is"
                    .into(),
            );
            None
        }
        (None, None) => None,
    }
}

/// Peak used RAM over total RAM, as a percentage capped at 100; an average alone is not used.
fn mem_util_of(r: &mut RowReader<'_, Col>, total_mb: Option<Decimal>, notes: &mut Vec<String>) -> Option<Decimal> {
    let max_mb = u32::try_from(u64::from(MAX_MEMORY_GIB) * 1024).unwrap_or(u32::MAX);
    let used_max = r.optional(Col::RamUsedMax, |s| amount(s, max_mb, RAM_USED));
    let used_avg = r.optional(Col::RamUsedAvg, |s| amount(s, max_mb, RAM_USED));
    let total = total_mb?;
    match (used_max, used_avg) {
        (Some(used), _) => {
            let pct = (used * Decimal::ONE_HUNDRED / total).normalize();
            if pct > Decimal::ONE_HUNDRED {
                notes.push(format!(
                    "RAM.UsedSizeInMB.Max ({used} MB) is above RAM.TotalSizeInMB ({total} MB): memory utilization capped at 100%"
                ));
                Some(Decimal::ONE_HUNDRED)
            } else {
                notes.push(
                    "memory utilization is the export's peak (RAM.UsedSizeInMB.Max / RAM.TotalSizeInMB), used as p95: conservative"
                        .into(),
                );
                Some(pct)
            }
        }
        (None, Some(_)) => {
            notes.push(
                "only an average used RAM (RAM.UsedSizeInMB.Avg) is given: not used, sizing on an average can undersize; memory sized as-is"
                    .into(),
            );
            None
        }
        (None, None) => None,
    }
}

/// The sum of the values given in `peaks`, and whether only averages (`avgs`) were given instead.
fn peak_sum(
    r: &mut RowReader<'_, Col>,
    peaks: [Col; 2],
    avgs: [Col; 2],
    max: u32,
    what: &str,
) -> (Option<Decimal>, bool) {
    let mut sum: Option<Decimal> = None;
    for c in peaks {
        if let Some(v) = r.optional(c, |s| amount(s, max, what)) {
            sum = Some(sum.unwrap_or_default() + v);
        }
    }
    let mut avg_given = false;
    for c in avgs {
        avg_given |= r.optional(c, |s| amount(s, max, what)).is_some();
    }
    (sum, sum.is_none() && avg_given)
}

fn disk_iops_of(r: &mut RowReader<'_, Col>, notes: &mut Vec<String>) -> Option<u32> {
    let (sum, avg_only) = peak_sum(
        r,
        [Col::DiskReadOpsMax, Col::DiskWriteOpsMax],
        [Col::DiskReadOpsAvg, Col::DiskWriteOpsAvg],
        MAX_DISK_IOPS,
        DISK_OPS,
    );
    if avg_only {
        notes.push("only average disk operations (DiskReadsOpsPerSecond.Avg, DiskWritesOpsPerSecond.Avg) are given: not used; disk IOPS unstated".into());
    }
    let iops = ceil_u32(sum?)?;
    if iops > MAX_DISK_IOPS {
        let c = if r.text(Col::DiskReadOpsMax).is_some() { Col::DiskReadOpsMax } else { Col::DiskWriteOpsMax };
        r.fail(
            c,
            format!("read and write peaks add up to {iops} IOPS, implausibly many; expected at most {MAX_DISK_IOPS}"),
        );
        return None;
    }
    notes.push("disk IOPS is the sum of the read and write peaks (DiskReadsOpsPerSecond.Max + DiskWritesOpsPerSecond.Max): conservative".into());
    Some(iops)
}

fn disk_mbps_of(r: &mut RowReader<'_, Col>, notes: &mut Vec<String>) -> Option<u32> {
    let max_kb = MAX_DISK_MBPS.saturating_mul(1024);
    let (sum, avg_only) = peak_sum(
        r,
        [Col::DiskReadKbMax, Col::DiskWriteKbMax],
        [Col::DiskReadKbAvg, Col::DiskWriteKbAvg],
        max_kb,
        DISK_KB,
    );
    if avg_only {
        notes.push("only average disk throughput (DiskReadsPerSecondInKB.Avg, DiskWritesPerSecondInKB.Avg) is given: not used; disk throughput unstated".into());
    }
    let mbps = ceil_u32(sum? / Decimal::from(1024))?;
    if mbps > MAX_DISK_MBPS {
        let c = if r.text(Col::DiskReadKbMax).is_some() { Col::DiskReadKbMax } else { Col::DiskWriteKbMax };
        r.fail(
            c,
            format!("read and write peaks add up to {mbps} MiB/s, implausibly much; expected at most {MAX_DISK_MBPS}"),
        );
        return None;
    }
    notes.push("disk throughput is the sum of the read and write peaks (DiskReadsPerSecondInKB.Max + DiskWritesPerSecondInKB.Max) in MiB/s: conservative".into());
    Some(mbps)
}

/// `Applications` as tag `application`, then `Tags`.
fn tags_of(r: &mut RowReader<'_, Col>) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    if let Some(apps) = r.text(Col::Applications) {
        let list: Vec<&str> = apps.split([',', ';']).map(str::trim).filter(|a| !a.is_empty()).collect();
        if !list.is_empty() {
            add_tag(&mut tags, "application", &list.join(", "));
        }
    }
    if let Some(pairs) = r.optional(Col::Tags, parse_tags) {
        for (name, value) in pairs {
            add_tag(&mut tags, name, value);
        }
    }
    tags
}

/// `"zone:1, critical:yes"`: comma- (or `;`-) delimited `name:value` pairs.
fn parse_tags(s: &str) -> std::result::Result<Vec<(&str, &str)>, String> {
    let mut out = Vec::new();
    for pair in s.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, value)) = pair.split_once(':') else {
            return Err(format!("'{pair}' is not name:value; expected tags such as \"zone:1, critical:yes\""));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(format!("'{pair}' has an empty name; expected tags such as \"zone:1, critical:yes\""));
        }
        out.push((name, value.trim()));
    }
    Ok(out)
}

/// Servers with unique names: a repeated name is kept (renamed, with a note) only when both rows have an
/// ExternalId; otherwise it is an error at the later row. A repeated ExternalId is an error.
fn keep_apart(
    file: &str,
    parsed: Vec<Parsed>,
    label: &dyn Fn(Col) -> String,
    problems: &mut Vec<Problem>,
) -> Vec<Server> {
    let all_names: FxHashSet<String> = parsed.iter().map(|p| p.server.name.clone()).collect();
    let mut taken: FxHashMap<String, (u64, Option<String>)> = FxHashMap::default();
    let mut external_ids: FxHashMap<String, u64> = FxHashMap::default();
    let mut servers = Vec::new();
    for Parsed { mut server, external_id, name_col } in parsed {
        let line = server.line;
        if let Some(id) = &external_id {
            if let Some(first) = external_ids.get(id) {
                problems.push(Problem::at(
                    file,
                    line,
                    Some(&label(Col::ExternalId)),
                    format!("'{id}' is also the ExternalId on line {first}; an ExternalId marks one record"),
                ));
                continue;
            }
            external_ids.insert(id.clone(), line);
        }
        let (first_line, first_id) = match taken.get(&server.name) {
            None => {
                taken.insert(server.name.clone(), (line, external_id));
                servers.push(server);
                continue;
            }
            Some(first) => first.clone(),
        };
        match (first_id, external_id) {
            (Some(first_id), Some(id)) => {
                let new_name = free_name(&server.name, &all_names, &taken);
                server.notes.push(format!(
                    "renamed from '{}': line {first_line} has the same name with ExternalId '{first_id}', this row has ExternalId '{id}'",
                    server.name
                ));
                server.name = new_name.clone();
                taken.insert(new_name, (line, Some(id)));
                servers.push(server);
            }
            _ => problems.push(Problem::at(
                file,
                line,
                Some(&label(name_col)),
                format!(
                    "'{}' is also the name on line {first_line}; names must be unique (rows with the same name are kept apart only by different ExternalIds)",
                    server.name
                ),
            )),
        }
    }
    servers
}

/// `NAME-2`, `NAME-3`, ...: the first that no row is named and no renamed row took.
fn free_name(name: &str, all_names: &FxHashSet<String>, taken: &FxHashMap<String, (u64, Option<String>)>) -> String {
    (2u64..)
        .map(|k| format!("{name}-{k}"))
        .find(|candidate| !all_names.contains(candidate) && !taken.contains_key(candidate))
        .unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn sniffs_the_template_in_any_case_and_order() {
        assert_eq!(sniff(&header(&["os.name", "\u{feff}ExternalId*^", "RAM.TotalSizeInMB"])), Ok(()));
        assert_eq!(sniff(&header(&["HostName", "CPU.NumberOfLogicalCores"])), Ok(()));
        assert_eq!(
            sniff(&header(&["name", "cpus", "memory_gib", "os"])),
            Err("no identifying column of the Migration Hub import template (ExternalId, IPAddress, MACAddress, HostName, VMware.MoRefId)".into())
        );
        assert_eq!(
            sniff(&header(&["HostName", "Applications", "Tags"])),
            Err("no column of the Migration Hub import template such as CPU.NumberOfLogicalCores, RAM.TotalSizeInMB or OS.Name".into())
        );
        // Migration Evaluator / ADS export headers are prefixed ("Server.CPU.UsagePct.Max"): not this format.
        assert!(sniff(&header(&["Server.HostName", "Server.CPU.UsagePct.Max"])).is_err());
    }

    #[test]
    fn tags_are_name_value_pairs() {
        assert_eq!(parse_tags("zone:1, critical:yes"), Ok(vec![("zone", "1"), ("critical", "yes")]));
        assert_eq!(parse_tags("url:http://x; env:prod"), Ok(vec![("url", "http://x"), ("env", "prod")]));
        assert_eq!(
            parse_tags("zone:1, critical"),
            Err("'critical' is not name:value; expected tags such as \"zone:1, critical:yes\"".into())
        );
    }
}
