//! The native inventory CSV (bytes of a file) in, an `Inventory` out, or every problem found, each located by file, line and column.
//!
//! Accepts a UTF-8 BOM, CRLF line ends, `,` `;` or tab delimiters (detected from the header), and the
//! header aliases of [`super::header`]. Every problem in the file is reported in one run.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use std::path::Path;

use rust_decimal::Decimal;

use super::cells::{detect_delimiter, number, number_as, strip_pct, whole, LineCounter};
use super::header::{self, Column};
use super::os;
use super::{ArchChoice, Inventory, PortRange, Server};
use crate::error::{Error, Problem, Result};

/// Largest values accepted as plausible (anything above is a typo, not a server).
const MAX_CPUS: u32 = 100_000;
const MAX_MEMORY_GIB: u32 = 1_048_576; // 1 PiB
const MAX_DISK_GIB: u32 = 1_000_000_000;
const MAX_GPUS: u32 = 64;
const MAX_COUNT: u32 = 1_000_000;
const MAX_DISK_IOPS: u32 = 10_000_000;
const MAX_DISK_MBPS: u32 = 1_000_000;
const MAX_EGRESS_GIB: u32 = 1_000_000_000;
/// Longer names are typos or pasted text; AWS tags keep the first 256 characters (Terraform does that).
const MAX_NAME_CHARS: usize = 1024;

pub const FORMAT: &str = "rocklift-csv";

/// Whether a header row is a rocklift inventory: it names (by any alias) the columns name, cpus, a memory size and
/// os; `Err` names the missing ones.
pub fn sniff(header: &[String]) -> std::result::Result<(), String> {
    let found: Vec<Column> = header.iter().filter_map(|h| header::lookup(h)).collect();
    let has = |c: Column| found.contains(&c);
    let missing: Vec<&str> = [
        ("name", has(Column::Name)),
        ("cpus", has(Column::Cpus)),
        ("memory_gib", has(Column::MemoryGib) || has(Column::MemoryMib)),
        ("os", has(Column::Os)),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(n, _)| n)
    .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("no column {}", missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", ")))
    }
}

/// Read and parse an inventory file.
pub fn read_file(path: &Path) -> Result<Inventory> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(&path.display().to_string(), &bytes)
}

struct Cols {
    /// Column → index in the record, and the header text as the user wrote it.
    map: HashMap<Column, (usize, String)>,
    width: usize,
}

impl Cols {
    fn get<'r>(&self, rec: &'r csv::ByteRecord, c: Column) -> Option<(&'r [u8], &str)> {
        self.map.get(&c).and_then(|(i, label)| rec.get(*i).map(|v| (v, label.as_str())))
    }
}

/// Parse inventory bytes; `file` is the name used in messages.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Inventory> {
    let mut problems = Vec::new();
    let at = |line: u64, column: Option<&str>, message: String| Problem {
        file: file.to_owned(),
        sheet: None,
        line,
        column: column.map(str::to_owned),
        message,
    };
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(Error::Invalid(vec![at(
            1,
            None,
            "the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 and try again".into(),
        )]));
    }
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Invalid(vec![at(
            1,
            None,
            "the file is empty; expected a header line naming at least the columns name, cpus, memory_gib and os"
                .into(),
        )]));
    }
    let delimiter = detect_delimiter(body);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let mut lines = LineCounter::new(body);

    // Header.
    let header_ok = match rdr.read_byte_record(&mut rec) {
        Ok(true) => true,
        Ok(false) => false,
        Err(e) => return Err(Error::Invalid(vec![at(csv_line(&e), None, format!("cannot read the header: {e}"))])),
    };
    if !header_ok {
        return Err(Error::Invalid(vec![at(1, None, "the file has no header line".into())]));
    }
    let header_line = lines.line_of(&rec);
    let mut cols = Cols { map: HashMap::new(), width: rec.len() };
    let mut ignored = Vec::new();
    for (i, cell) in rec.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(cell) else {
            problems.push(at(
                header_line,
                None,
                format!("header cell {} is not valid UTF-8; save the file as UTF-8", i + 1),
            ));
            continue;
        };
        let text = text.trim().to_owned();
        match header::lookup(&text) {
            Some(c) => {
                let same = match c {
                    Column::MemoryGib | Column::MemoryMib => {
                        cols.map.get(&Column::MemoryGib).or_else(|| cols.map.get(&Column::MemoryMib)).cloned()
                    }
                    _ => cols.map.get(&c).cloned(),
                };
                if let Some((_, first)) = same {
                    problems.push(at(
                        header_line,
                        Some(&text),
                        format!("names the same data as column '{first}'; keep one of them"),
                    ));
                } else {
                    cols.map.insert(c, (i, text));
                }
            }
            None if text.is_empty() => {}
            None => ignored.push(text),
        }
    }
    let has_memory = cols.map.contains_key(&Column::MemoryGib) || cols.map.contains_key(&Column::MemoryMib);
    for (needed, present) in [
        ("name", cols.map.contains_key(&Column::Name)),
        ("cpus", cols.map.contains_key(&Column::Cpus)),
        ("memory_gib (or memory_mb)", has_memory),
        ("os", cols.map.contains_key(&Column::Os)),
    ] {
        if !present {
            problems.push(at(
                header_line,
                None,
                format!(
                    "required column '{needed}' is missing; the header has: {}",
                    rec.iter().map(|c| String::from_utf8_lossy(c).trim().to_string()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    if !problems.is_empty() {
        if delimiter == b',' && rec.len() == 1 && rec.get(0).is_some_and(|c| c.contains(&b'|')) {
            problems.push(at(
                header_line,
                None,
                "the header looks '|'-separated; rocklift reads ',', ';' or tab".into(),
            ));
        }
        return Err(Error::Invalid(problems));
    }

    let mut os_seen = OsSeen::default();
    let mut schedules_seen = SchedulesSeen::default();
    // Rows.
    let mut servers: Vec<Server> = Vec::new();
    let mut first_line_of: FxHashMap<String, u64> = FxHashMap::default();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                problems.push(at(csv_line(&e), None, format!("cannot read this line: {e}")));
                break;
            }
        }
        let line = lines.line_of(&rec);
        if rec.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace())) {
            continue; // a blank or all-empty row
        }
        if rec.len() != cols.width {
            problems.push(at(
                line,
                None,
                format!(
                    "has {} fields, the header has {}; check the delimiter and quotes (a value with '{}' must be in double quotes)",
                    rec.len(),
                    cols.width,
                    delimiter as char
                ),
            ));
            continue;
        }
        let before = problems.len();
        if let Some(server) =
            parse_row(&cols, &rec, line, &mut os_seen, &mut schedules_seen, &mut |column: Option<&str>, msg: String| {
                problems.push(at(line, column, msg))
            })
        {
            if problems.len() == before {
                let key = server.name.clone();
                if let Some(first) = first_line_of.get(&key) {
                    let label = cols.map.get(&Column::Name).map(|(_, l)| l.as_str()).unwrap_or("name");
                    problems.push(at(
                        line,
                        Some(label),
                        format!("'{}' is also the name on line {first}; names must be unique (use `count` for identical servers)", server.name),
                    ));
                } else {
                    first_line_of.insert(key, line);
                    servers.push(server);
                }
            }
        }
    }
    if problems.is_empty() && servers.is_empty() {
        problems.push(at(header_line, None, "the file has a header but no servers".into()));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(Inventory::new(file, FORMAT, servers, ignored))
}

fn csv_line(e: &csv::Error) -> u64 {
    e.position().map(|p| p.line()).unwrap_or(1)
}

type Report<'a> = dyn FnMut(Option<&str>, String) + 'a;

/// One row to a `Server`, reporting every problem; `None` when the row cannot be used.
/// Text of a column: trimmed, UTF-8, one line. `Some(None)` when absent or empty; `None` when
/// unreadable (reported here).
fn cell<'r>(
    cols: &Cols,
    rec: &'r csv::ByteRecord,
    c: Column,
    line: u64,
    report: &mut Report<'_>,
) -> Option<Option<&'r str>> {
    let Some((raw, label)) = cols.get(rec, c) else { return Some(None) };
    match std::str::from_utf8(raw) {
        Err(e) => {
            report(
                Some(label),
                format!(
                    "byte {} of the value is not valid UTF-8 (0x{:02x}); save the file as UTF-8",
                    e.valid_up_to() + 1,
                    raw[e.valid_up_to()]
                ),
            );
            None
        }
        Ok(s) if s.contains('\n') || s.contains('\r') => {
            report(
                Some(label),
                format!(
                    "the value runs over {} lines; a double quote opened on line {line} is probably never closed",
                    s.lines().count()
                ),
            );
            None
        }
        Ok(s) => {
            let t = s.trim();
            Some(if t.is_empty() { None } else { Some(t) })
        }
    }
}

/// OS texts already classified (`None`: not recognised), so each distinct text is classified once.
type OsSeen = FxHashMap<String, Option<Arc<os::OsInfo>>>;
/// Schedule texts already checked, with the problem of each bad one (an inventory repeats a few schedules).
type SchedulesSeen = FxHashMap<String, Result<(), String>>;

fn classify_once(seen: &mut OsSeen, text: &str) -> Option<Arc<os::OsInfo>> {
    if let Some(hit) = seen.get(text) {
        return hit.clone();
    }
    let info = os::classify(text).map(Arc::new);
    seen.insert(text.to_owned(), info.clone());
    info
}

fn parse_row(
    cols: &Cols,
    rec: &csv::ByteRecord,
    line: u64,
    os_seen: &mut OsSeen,
    schedules_seen: &mut SchedulesSeen,
    report: &mut Report<'_>,
) -> Option<Server> {
    let mut ok = true;
    // Columns whose value was already reported as unreadable (not to be called "empty" too).
    let mut unreadable: Vec<Column> = Vec::new();
    let mut text = |c: Column, report: &mut Report<'_>| -> Option<&'_ str> {
        cell(cols, rec, c, line, report).unwrap_or_else(|| {
            ok = false;
            unreadable.push(c);
            None
        })
    };
    let label = |c: Column| cols.map.get(&c).map(|(_, l)| l.clone()).unwrap_or_else(|| c.canonical().to_owned());

    let name = text(Column::Name, report);
    let cpus_s = text(Column::Cpus, report);
    let mem_gib_s = text(Column::MemoryGib, report);
    let mem_mib_s = text(Column::MemoryMib, report);
    let disk_s = text(Column::DiskGib, report);
    let used_s = text(Column::DiskUsedGib, report);
    let os_s = text(Column::Os, report);
    let cpu_u_s = text(Column::CpuUtilP95, report);
    let mem_u_s = text(Column::MemUtilP95, report);
    let gpus_s = text(Column::Gpus, report);
    let iops_s = text(Column::DiskIops, report);
    let mbps_s = text(Column::DiskThroughputMbps, report);
    let gpu_model = text(Column::GpuModel, report);
    let arch_s = text(Column::Arch, report);
    let role = text(Column::Role, report);
    let count_s = text(Column::Count, report);
    let egress_s = text(Column::EgressGibMonth, report);
    let public_s = text(Column::Public, report);
    let ports_s = text(Column::Ports, report);
    let schedule = text(Column::Schedule, report);
    let tags_s = text(Column::Tags, report);
    let reported = |c: Column| unreadable.contains(&c);
    let mut fail = |c: Column, msg: String, report: &mut Report<'_>| {
        report(Some(&label(c)), msg);
        ok = false;
    };

    let name = match name {
        Some(n) if n.chars().any(char::is_control) => {
            fail(Column::Name, "contains a control character; expected a plain server name".into(), report);
            None
        }
        Some(n) if n.chars().count() > MAX_NAME_CHARS => {
            fail(
                Column::Name,
                format!("is {} characters long; expected at most {MAX_NAME_CHARS}", n.chars().count()),
                report,
            );
            None
        }
        Some(n) => Some(n),
        None => {
            if !reported(Column::Name) {
                fail(Column::Name, "is empty; every server needs a name".into(), report);
            }
            None
        }
    };
    let cpus = match cpus_s {
        None => {
            if !reported(Column::Cpus) {
                fail(Column::Cpus, "is empty; expected the number of vCPUs (threads), such as 4".into(), report);
            }
            None
        }
        Some(s) => match whole(s, 1, MAX_CPUS, "vCPUs (threads), such as 4") {
            Ok(v) => Some(v),
            Err(m) => {
                fail(Column::Cpus, m, report);
                None
            }
        },
    };
    let memory_gib = match (mem_gib_s, mem_mib_s) {
        (Some(s), _) => match number(s, "memory in GiB, such as 16 or 0.5") {
            Ok(v) if v.is_zero() => {
                fail(Column::MemoryGib, "is 0; expected memory in GiB greater than 0".into(), report);
                None
            }
            Ok(v) if v > Decimal::from(MAX_MEMORY_GIB) => {
                fail(
                    Column::MemoryGib,
                    format!("{s} GiB is implausibly large; expected at most {MAX_MEMORY_GIB} GiB"),
                    report,
                );
                None
            }
            Ok(v) => Some(v),
            Err(m) => {
                fail(Column::MemoryGib, m, report);
                None
            }
        },
        (None, Some(s)) => match number(s, "memory in MiB, such as 16384") {
            Ok(v) if v.is_zero() => {
                fail(Column::MemoryMib, "is 0; expected memory in MiB greater than 0".into(), report);
                None
            }
            Ok(v) if v > Decimal::from(MAX_MEMORY_GIB) * Decimal::from(1024) => {
                fail(Column::MemoryMib, format!("{s} MiB is implausibly large"), report);
                None
            }
            Ok(v) => Some(v / Decimal::from(1024)),
            Err(m) => {
                fail(Column::MemoryMib, m, report);
                None
            }
        },
        (None, None) => {
            let c = if cols.map.contains_key(&Column::MemoryGib) { Column::MemoryGib } else { Column::MemoryMib };
            if !reported(c) {
                fail(c, "is empty; expected the memory size".into(), report);
            }
            None
        }
    };
    let mut opt_number =
        |c: Column, s: Option<&str>, max: u32, what: &str, report: &mut Report<'_>| -> Option<Decimal> {
            let s = s?;
            let percent = c == Column::CpuUtilP95 || c == Column::MemUtilP95;
            let parsed = if percent { number_as(strip_pct(s), s, what) } else { number(s, what) };
            match parsed {
                Ok(v) if v > Decimal::from(max) && percent => {
                    fail(c, format!("'{s}' is above {max}; expected {what}"), report);
                    None
                }
                Ok(v) if v > Decimal::from(max) => {
                    fail(c, format!("'{s}' is implausibly large; expected at most {max}"), report);
                    None
                }
                Ok(v) => Some(v),
                Err(m) => {
                    fail(c, m, report);
                    None
                }
            }
        };
    let disk_gib = opt_number(Column::DiskGib, disk_s, MAX_DISK_GIB, "provisioned disk in GiB, such as 100", report);
    let disk_used_gib = opt_number(Column::DiskUsedGib, used_s, MAX_DISK_GIB, "used disk in GiB, such as 42", report);
    let egress = opt_number(
        Column::EgressGibMonth,
        egress_s,
        MAX_EGRESS_GIB,
        "GiB sent to the internet per month, such as 50",
        report,
    );
    let cpu_util_p95 = opt_number(Column::CpuUtilP95, cpu_u_s, 100, "a percentage from 0 to 100, such as 35", report);
    let mem_util_p95 = opt_number(Column::MemUtilP95, mem_u_s, 100, "a percentage from 0 to 100, such as 60", report);

    let os_info = match os_s {
        None => {
            if !reported(Column::Os) {
                fail(Column::Os, "is empty; expected the operating system, such as 'CentOS Linux 7 (Core)' or 'Windows Server 2019 Standard'".into(), report);
            }
            None
        }
        Some(s) => match classify_once(os_seen, s) {
            Some(o) => Some(o),
            None => {
                fail(
                    Column::Os,
                    format!("'{s}' is not an OS rocklift knows; expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name"),
                    report,
                );
                None
            }
        },
    };
    let mut opt_whole =
        |c: Column, s: Option<&str>, min: u32, max: u32, default: u32, what: &str, report: &mut Report<'_>| -> u32 {
            match s {
                None => default,
                Some(s) => match whole(s, min, max, what) {
                    Ok(v) => v,
                    Err(m) => {
                        fail(c, m, report);
                        default
                    }
                },
            }
        };
    let gpus = opt_whole(Column::Gpus, gpus_s, 0, MAX_GPUS, 0, "a number of GPUs, such as 0 or 4", report);
    let disk_iops = iops_s.map(|s| {
        opt_whole(
            Column::DiskIops,
            Some(s),
            0,
            MAX_DISK_IOPS,
            0,
            "the disk IOPS the server needs, such as 6000",
            report,
        )
    });
    let disk_throughput_mbps = mbps_s.map(|s| {
        opt_whole(
            Column::DiskThroughputMbps,
            Some(s),
            0,
            MAX_DISK_MBPS,
            0,
            "the disk throughput the server needs in MiB/s, such as 250",
            report,
        )
    });
    let count = opt_whole(Column::Count, count_s, 1, MAX_COUNT, 1, "a number of identical servers, 1 or more", report);
    let mut fail2 = |c: Column, msg: String, report: &mut Report<'_>| {
        report(Some(&label(c)), msg);
        ok = false;
    };
    let arch = match arch_s {
        None => None,
        Some(s) => match ArchChoice::parse(s) {
            Some(a) => Some(a),
            None => {
                fail2(Column::Arch, format!("'{s}' is not an architecture; expected x86_64, arm64 or any"), report);
                None
            }
        },
    };
    let public = match public_s.map(str::to_ascii_lowercase).as_deref() {
        None | Some("no" | "n" | "false" | "0") => false,
        Some("yes" | "y" | "true" | "1") => true,
        Some(_) => {
            fail2(Column::Public, format!("'{}' is not yes or no", public_s.unwrap_or_default()), report);
            false
        }
    };
    let ports = match ports_s {
        None => Vec::new(),
        Some(s) => match parse_ports(s) {
            Ok(p) => p,
            Err(m) => {
                fail2(Column::Ports, m, report);
                Vec::new()
            }
        },
    };
    let tags = match tags_s {
        None => BTreeMap::new(),
        Some(s) => match parse_tags(s) {
            Ok(t) => t,
            Err(m) => {
                fail2(Column::Tags, m, report);
                BTreeMap::new()
            }
        },
    };
    if let Some(sch) = schedule {
        // The time zone of schedules without one comes from the settings; the syntax is checked here.
        let checked = schedules_seen
            .entry(sch.to_owned())
            .or_insert_with(|| crate::schedule::Schedule::parse(sch, crate::schedule::default_tz()).map(|_| ()));
        if let Err(e) = checked {
            fail2(Column::Schedule, e.clone(), report);
        }
    }
    if gpus == 0 && gpu_model.is_some() {
        fail2(Column::GpuModel, "is given but gpus is 0 or empty; give the number of GPUs too".into(), report);
    }
    if !ok {
        return None;
    }
    Some(Server {
        name: name?.to_owned(),
        line,
        cpus: cpus?,
        memory_gib: memory_gib?,
        disk_gib,
        disk_used_gib,
        os: os_info?,
        cpu_util_p95,
        mem_util_p95,
        gpus,
        gpu_model: gpu_model.map(str::to_owned),
        arch,
        role: role.unwrap_or("default").to_owned(),
        count,
        egress_gib_month: egress.unwrap_or(Decimal::ZERO),
        public,
        ports,
        schedule: schedule.map(str::to_owned),
        tags,
        disk_iops,
        disk_throughput_mbps,
        confidence_stars: None,
        notes: Vec::new(),
    })
}

/// `80,443` or `80;443 8000-8080`.
fn parse_ports(s: &str) -> Result<Vec<PortRange>, String> {
    let mut out = Vec::new();
    for part in s.split([',', ';', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let p = |x: &str| -> Result<u16, String> {
            x.trim().parse::<u16>().ok().filter(|v| *v > 0).ok_or_else(|| {
                format!("'{part}' is not a port; expected ports from 1 to 65535 such as 80,443 or 8000-8080")
            })
        };
        let (from, to) = (p(a)?, p(b)?);
        if from > to {
            return Err(format!("'{part}' is a range that runs backwards; expected low-high such as 8000-8080"));
        }
        out.push(PortRange { from, to });
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// `env=prod;owner=ops` (`;` or `|` between pairs).
fn parse_tags(s: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for pair in s.split([';', '|']).map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("'{pair}' is not key=value; expected tags such as env=prod;owner=ops"));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(format!("'{pair}' has an empty key; expected tags such as env=prod;owner=ops"));
        }
        if out.insert(k.to_owned(), v.trim().to_owned()).is_some() {
            return Err(format!("tag '{k}' is given twice"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_aliases_and_units() {
        let inv = parse("t.csv", b"Hostname,vCPUs,Memory MB,OS\nweb1,2,4096,CentOS 7\n").expect("valid");
        let s = &inv.servers[0];
        assert_eq!((s.name.as_str(), s.cpus, s.memory_gib), ("web1", 2, Decimal::from(4)));
        assert_eq!(s.line, 2);
    }

    #[test]
    fn semicolons_bom_and_crlf() {
        let inv = parse("t.csv", b"\xef\xbb\xbfname;cpus;memory_gib;os\r\na;1;0.5;Ubuntu 22.04\r\n").expect("valid");
        assert_eq!(inv.servers[0].memory_gib, Decimal::new(5, 1));
    }

    #[test]
    fn reports_every_problem_located() {
        let err = parse("t.csv", b"name,cpus,memory_gib,os\na,x,4,CentOS 7\nb,2,-1,Solaris\n").expect_err("invalid");
        let Error::Invalid(p) = err else { panic!("wrong error") };
        let lines: Vec<String> = p.iter().map(|p| p.to_string()).collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("t.csv:2: column 'cpus': 'x' is not a number"), "{}", lines[0]);
        assert!(lines[1].starts_with("t.csv:3: column 'memory_gib': '-1' is negative"), "{}", lines[1]);
        assert!(lines[2].starts_with("t.csv:3: column 'os': 'Solaris'"), "{}", lines[2]);
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(whole("4.0", 1, 10, ""), Ok(4));
        assert!(whole("2.5", 1, 10, "").is_err());
        assert!(whole("0", 1, 10, "").is_err());
        assert!(whole("99999999999999999999999999999999999", 1, 10, "").is_err());
    }
}
