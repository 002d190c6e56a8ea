//! Inventory paths and an optional forced format in, one merged `Inventory` out: each path's format detected
//! from its shape (folder contents, xlsx sheets, zip members, the CSV header row), read by its reader, and the
//! servers of several files combined by name (fields combine; a disagreement is reported, the first file wins).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::{
    azure_migrate, cells, google_mc, migration_evaluator, migration_hub, native_csv, rvtools, Inventory, ReadOptions,
    Server,
};
use crate::error::{Error, Problem, Result};

/// The inventory formats rocklift reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InputFormat {
    Rocklift,
    RvTools,
    MigrationHub,
    AzureMigrate,
    MigrationEvaluator,
    GoogleMigrationCenter,
}

impl InputFormat {
    /// Detection order: the specific formats first, the forgiving native CSV (many header aliases) last.
    pub const ALL: [InputFormat; 6] = [
        InputFormat::RvTools,
        InputFormat::MigrationHub,
        InputFormat::AzureMigrate,
        InputFormat::MigrationEvaluator,
        InputFormat::GoogleMigrationCenter,
        InputFormat::Rocklift,
    ];

    /// The name used in messages, `--input-format` and `plan.json`.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Rocklift => native_csv::FORMAT,
            InputFormat::RvTools => rvtools::FORMAT,
            InputFormat::MigrationHub => migration_hub::FORMAT,
            InputFormat::AzureMigrate => azure_migrate::FORMAT,
            InputFormat::MigrationEvaluator => migration_evaluator::FORMAT,
            InputFormat::GoogleMigrationCenter => google_mc::FORMAT,
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// What a path looks like from the outside.
enum Shape {
    Folder(Vec<String>),
    /// A zip container: an xlsx workbook (its sheet names) or a plain zip (its member names).
    Workbook(Vec<String>),
    Zip(Vec<String>),
    /// A text file: its header cells (first non-blank line).
    Csv(Vec<String>),
}

/// Read every path (each with the forced format, else the detected one) and merge them. Problems of all files
/// are reported together; nothing is returned half-read.
pub fn read_inputs(paths: &[PathBuf], forced: Option<InputFormat>, opts: &ReadOptions) -> Result<Inventory> {
    let mut problems = Vec::new();
    let mut read = Vec::new();
    for p in paths {
        match read_one(p, forced, opts) {
            Ok(inv) => read.push(inv),
            Err(Error::Invalid(ps)) => problems.extend(ps),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    Ok(merge(read))
}

/// Read one path with `forced`, else its detected format.
pub fn read_one(path: &Path, forced: Option<InputFormat>, opts: &ReadOptions) -> Result<Inventory> {
    let format = match forced {
        Some(f) => f,
        None => match detect(path) {
            Ok(f) => f,
            // A text file no format claims is read as rocklift CSV, whose messages are the most specific
            // (empty file, UTF-16, missing columns); what the other formats lacked is added to them.
            Err(Unrecognised { tried, csv: true, error: None }) => {
                return native_csv::read_file(path).map_err(|e| match e {
                    Error::Invalid(mut ps) => {
                        ps.push(Problem::at(
                            &path.display().to_string(),
                            0,
                            None,
                            format!("not one of the other inventory formats either: {}", tried.join("; ")),
                        ));
                        Error::Invalid(ps)
                    }
                    other => other,
                });
            }
            Err(u) => return Err(u.into_error(path)),
        },
    };
    let label = path.display().to_string();
    let bytes = || std::fs::read(path).map_err(|e| Error::io(path, e));
    match format {
        InputFormat::Rocklift => native_csv::read_file(path),
        InputFormat::RvTools => rvtools::read_path(path, opts),
        InputFormat::GoogleMigrationCenter => google_mc::read_path(path, opts),
        InputFormat::MigrationHub => migration_hub::parse(&label, &bytes()?, opts),
        InputFormat::AzureMigrate => azure_migrate::parse(&label, &bytes()?, opts),
        InputFormat::MigrationEvaluator => {
            let b = bytes()?;
            if b.starts_with(b"PK\x03\x04") {
                migration_evaluator::parse_xlsx(&label, &b, opts)
            } else {
                migration_evaluator::parse(&label, &b, opts)
            }
        }
    }
}

/// Why no format claimed a path: each format tried with its reason; `csv` when it is a text file.
#[derive(Debug)]
pub struct Unrecognised {
    pub tried: Vec<String>,
    pub csv: bool,
    /// An error reading the path itself (it is not a question of format).
    error: Option<Box<Error>>,
}

impl Unrecognised {
    pub fn into_error(self, path: &Path) -> Error {
        if let Some(e) = self.error {
            return *e;
        }
        Error::Invalid(vec![Problem::at(
            &path.display().to_string(),
            0,
            None,
            format!(
                "not an inventory rocklift recognises; tried {}. Name the format with --input-format if it is one of them",
                self.tried.join("; ")
            ),
        )])
    }
}

impl From<Error> for Unrecognised {
    fn from(e: Error) -> Self {
        Unrecognised { tried: Vec::new(), csv: false, error: Some(Box::new(e)) }
    }
}

/// The format of `path`, or which formats were tried and why each did not match.
pub fn detect(path: &Path) -> std::result::Result<InputFormat, Unrecognised> {
    let shape = shape(path)?;
    let mut tried = Vec::new();
    for f in InputFormat::ALL {
        let verdict = match (&shape, f) {
            (Shape::Folder(names), InputFormat::RvTools) => has_file(names, "rvtools_tabvinfo.csv")
                .ok_or_else(|| "a folder without RVTools_tabvInfo.csv".to_owned()),
            (Shape::Folder(names), InputFormat::GoogleMigrationCenter) => {
                has_file(names, "vminfo.csv").ok_or_else(|| "a folder without vmInfo.csv".to_owned())
            }
            (Shape::Folder(_), _) => Err("reads a single file, not a folder".to_owned()),
            (Shape::Workbook(sheets), InputFormat::RvTools) => rvtools::sniff_xlsx_sheets(sheets),
            (Shape::Workbook(sheets), InputFormat::MigrationEvaluator) => {
                migration_evaluator::sniff_xlsx_sheets(sheets)
            }
            (Shape::Workbook(_), _) => Err("reads CSV, not an xlsx workbook".to_owned()),
            (Shape::Zip(members), InputFormat::RvTools) => members
                .iter()
                .any(|m| file_name(m).eq_ignore_ascii_case("rvtools_tabvinfo.csv"))
                .then_some(())
                .ok_or_else(|| "a zip without RVTools_tabvInfo.csv".to_owned()),
            (Shape::Zip(_), _) => Err("does not read zip files".to_owned()),
            (Shape::Csv(h), InputFormat::RvTools) => rvtools::sniff_csv_header(h),
            (Shape::Csv(h), InputFormat::MigrationHub) => migration_hub::sniff(h),
            (Shape::Csv(h), InputFormat::AzureMigrate) => azure_migrate::sniff(h),
            (Shape::Csv(h), InputFormat::MigrationEvaluator) => migration_evaluator::sniff(h),
            (Shape::Csv(h), InputFormat::GoogleMigrationCenter) => google_mc::sniff(h),
            (Shape::Csv(h), InputFormat::Rocklift) => native_csv::sniff(h),
        };
        match verdict {
            Ok(()) => return Ok(f),
            Err(why) => tried.push(format!("{}: {why}", f.name())),
        }
    }
    Err(Unrecognised { tried, csv: matches!(shape, Shape::Csv(_)), error: None })
}

fn has_file(names: &[String], want: &str) -> Option<()> {
    names.iter().any(|n| n.eq_ignore_ascii_case(want)).then_some(())
}

fn file_name(member: &str) -> &str {
    member.rsplit(['/', '\\']).next().unwrap_or(member)
}

/// Bytes read to find a CSV header: enough for any header row, never the whole of a big file.
const HEADER_PROBE: u64 = 1 << 20;

fn shape(path: &Path) -> Result<Shape> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
            let entry = entry.map_err(|e| Error::io(path, e))?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        return Ok(Shape::Folder(names));
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEADER_PROBE).read_to_end(&mut head))
        .map_err(|e| Error::io(path, e))?;
    if head.starts_with(b"PK\x03\x04") {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let label = path.display().to_string();
        let zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
            Error::Invalid(vec![Problem::at(
                &label,
                0,
                None,
                format!("looks like a zip or xlsx file but cannot be opened: {e}"),
            )])
        })?;
        let members: Vec<String> = zip.file_names().map(str::to_owned).collect();
        if members.iter().any(|m| m == "xl/workbook.xml") {
            // The sheet names only: the workbook is opened from the file, not read into memory.
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            let opened = super::xlsx_guard::guarded(|| {
                let wb: std::result::Result<calamine::Xlsx<_>, _> =
                    calamine::Reader::new(std::io::BufReader::new(file));
                wb.map(|wb| calamine::Reader::sheet_names(&wb))
                    .map_err(|e| format!("is not a readable xlsx workbook: {e}"))
            })
            .unwrap_or_else(|panic| Err(super::xlsx_guard::damaged(&panic)));
            return opened
                .map(Shape::Workbook)
                .map_err(|message| Error::Invalid(vec![Problem::at(&label, 0, None, message)]));
        }
        return Ok(Shape::Zip(members));
    }
    Ok(Shape::Csv(header_cells(&head)))
}

/// The cells of the first non-blank line (BOM dropped, delimiter detected); empty when there is none.
fn header_cells(head: &[u8]) -> Vec<String> {
    let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let delimiter = cells::detect_delimiter(body);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(body);
    let mut rec = csv::ByteRecord::new();
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        let cells: Vec<String> = rec.iter().map(|c| String::from_utf8_lossy(c).trim().to_owned()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            return cells;
        }
    }
    Vec::new()
}

/// One inventory from several: servers in file order, the same name (exactly) once, its fields combined.
pub fn merge(mut invs: Vec<Inventory>) -> Inventory {
    if invs.len() <= 1 {
        return invs.pop().unwrap_or_else(|| Inventory::new("", "", Vec::new(), Vec::new()));
    }
    let mut files = Vec::new();
    let mut formats: Vec<String> = Vec::new();
    let mut out: Vec<Server> = Vec::new();
    let mut origin: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut ignored = Vec::new();
    let mut left_out = Vec::new();
    let mut hosts = Vec::new();
    let mut conflicts = Vec::new();
    for inv in invs {
        files.push(inv.file.clone());
        if !formats.contains(&inv.format) {
            formats.push(inv.format.clone());
        }
        for c in inv.ignored_columns {
            if !ignored.contains(&c) {
                ignored.push(c);
            }
        }
        left_out.extend(inv.left_out);
        hosts.extend(inv.hosts);
        conflicts.extend(inv.warnings);
        for s in inv.servers {
            let here = format!("{}:{}", inv.file, s.line);
            match index.get(&s.name) {
                None => {
                    index.insert(s.name.clone(), out.len());
                    origin.push(here);
                    out.push(s);
                }
                Some(&i) => {
                    let first = &mut out[i];
                    combine(first, s, &origin[i], &here, &mut conflicts);
                }
            }
        }
    }
    Inventory {
        file: files.join(", "),
        format: formats.join(" + "),
        servers: out,
        ignored_columns: ignored,
        left_out,
        hosts,
        warnings: conflicts,
    }
}

/// Fill what `a` lacks from `b`; where both say something different, keep `a` and report it.
fn combine(a: &mut Server, b: Server, at_a: &str, at_b: &str, conflicts: &mut Vec<String>) {
    let name = a.name.clone();
    let mut differ = |field: &str, x: String, y: String| {
        conflicts.push(format!("{name}: {field} is {x} in {at_a} but {y} in {at_b}; {at_a} is kept"));
    };
    if a.cpus != b.cpus {
        differ("cpus", a.cpus.to_string(), b.cpus.to_string());
    }
    if a.memory_gib != b.memory_gib {
        differ("memory_gib", a.memory_gib.normalize().to_string(), b.memory_gib.normalize().to_string());
    }
    if a.os.text != b.os.text && a.os.target != b.os.target {
        differ("os", format!("'{}'", a.os.text), format!("'{}'", b.os.text));
    }
    let mut dec = |field: &str, x: &mut Option<Decimal>, y: Option<Decimal>| match (x.as_ref(), y) {
        (None, Some(v)) => *x = Some(v),
        (Some(u), Some(v)) if *u != v => differ(field, u.normalize().to_string(), v.normalize().to_string()),
        _ => {}
    };
    dec("disk_gib", &mut a.disk_gib, b.disk_gib);
    dec("disk_used_gib", &mut a.disk_used_gib, b.disk_used_gib);
    dec("cpu_util_p95", &mut a.cpu_util_p95, b.cpu_util_p95);
    dec("mem_util_p95", &mut a.mem_util_p95, b.mem_util_p95);
    let mut whole = |field: &str, x: &mut Option<u32>, y: Option<u32>| match (x.as_ref(), y) {
        (None, Some(v)) => *x = Some(v),
        (Some(u), Some(v)) if *u != v => differ(field, u.to_string(), v.to_string()),
        _ => {}
    };
    whole("disk_iops", &mut a.disk_iops, b.disk_iops);
    whole("disk_throughput_mbps", &mut a.disk_throughput_mbps, b.disk_throughput_mbps);
    if a.gpus == 0 && b.gpus > 0 {
        a.gpus = b.gpus;
        a.gpu_model = b.gpu_model;
    }
    if a.arch.is_none() {
        a.arch = b.arch;
    }
    if a.schedule.is_none() {
        a.schedule = b.schedule;
    }
    if a.egress_gib_month.is_zero() {
        a.egress_gib_month = b.egress_gib_month;
    }
    if a.role == "default" {
        a.role = b.role;
    }
    a.public |= b.public;
    for p in b.ports {
        if !a.ports.contains(&p) {
            a.ports.push(p);
        }
    }
    a.ports.sort();
    for (k, v) in b.tags {
        match a.tags.get(&k) {
            None => {
                a.tags.insert(k, v);
            }
            Some(old) if *old != v => {
                conflicts.push(format!("{name}: tag {k} is '{old}' in {at_a} but '{v}' in {at_b}; {at_a} is kept"))
            }
            Some(_) => {}
        }
    }
    a.notes.extend(b.notes);
}
