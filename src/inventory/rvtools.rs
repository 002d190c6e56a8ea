//! RVTools exports in (an `.xlsx` workbook from "Export all to Excel", or the `RVTools_tab<sheet>.csv`
//! files of "Export all to csv" in a folder or a `.zip`, or a lone `RVTools_tabvInfo.csv`), an
//! `Inventory` out: one server per VM of vInfo with disks from vDisk/vPartition, the VMs left out and
//! why, the ESXi hosts of vHost; or every problem found, located by file, sheet, row and column.
//!
//! What is read, and the choices made:
//! - Columns are looked up by header name (any case), never by position; only `VM`, `CPUs` and
//!   `Memory` must be in vInfo. Older exports say `MB` where newer ones say `MiB`; both are MiB (see
//!   `columns` for the names and where they come from). vDisk, vPartition and vHost are optional.
//! - xlsx: styled rows with no values (RVTools leaves ~1000 of them) are skipped, numbers stored as
//!   text are read as numbers, booleans may be real booleans or the text `True`/`False`, date
//!   columns (Excel serial numbers) are never needed. CSV: UTF-8 with or without BOM, CRLF or LF,
//!   `,` (what RVTools writes) or `;`/tab (detected from the header line, for files re-saved by a
//!   spreadsheet in another locale), quoted cells with delimiters and line breaks. Numbers grouped
//!   with commas (`34,321`) are read as 34321.
//! - Templates and powered-off VMs are left out (into `Inventory.left_out`, with where and why)
//!   unless `ReadOptions` asks for them; a template is governed by `include_templates` alone (vCenter
//!   templates are always powered off). Suspended VMs are planned like running ones, with a note: a
//!   suspended VM holds its memory image and resumes where it stopped; it is part of the estate, not
//!   retired.
//! - Always left out, with the reason: VMs with no `CPUs` or `Memory` (RVTools leaves them empty, or
//!   0, for VMs it cannot read, such as inaccessible or orphaned ones), and VMs whose OS rocklift
//!   cannot plan (neither OS column names a Linux or Windows; see `guest_os`). Leaving them out
//!   keeps one appliance or broken VM from blocking the plan of a whole estate, and the report lists
//!   every one of them; a malformed value (`CPUs` = "four") is a located problem instead.
//! - VMware allows one VM name in several folders. Such VMs are all kept, each renamed
//!   `name (VM ID)` (else `name (VM UUID)`, else `name (row N)`), in row order, with a note, so
//!   later stages that key by name see unique names.
//! - Messages: xlsx problems name the file, the sheet and the row (header = row 1); zip problems name
//!   the zip and the member as the sheet; a CSV in a folder, or a lone CSV, is named by its own path
//!   with physical line numbers. An old `.xls` or a password-protected workbook is named as such.
//! - CSV files are streamed from disk or from the zip, never held whole in memory (a vInfo of 100k
//!   VMs is ~70 MB); `scripts/bench-rvtools.sh` measures the reader alone.

mod build;
mod columns;
mod guest_os;
mod hosts;
mod sheet;
mod values;

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Reader, Xlsx};

use self::build::Export;
use self::columns::{Columns, Role, VINFO};
use self::sheet::{Origin, Sheet};
use super::{Inventory, ReadOptions};
use crate::error::{Error, Problem, Result};

pub const FORMAT: &str = "rvtools";

/// The first bytes of an OLE2 compound file: an old `.xls`, or an encrypted workbook.
const OLE2_MAGIC: &[u8] = &[0xd0, 0xcf, 0x11, 0xe0];

/// The sheets rocklift reads, as named in a workbook and in `RVTools_tab<name>.csv`.
const VINFO_SHEET: &str = "vInfo";
const VDISK_SHEET: &str = "vDisk";
const VPARTITION_SHEET: &str = "vPartition";
const VHOST_SHEET: &str = "vHost";

/// Read an RVTools export: a `.xlsx` file, a folder holding `RVTools_tab*.csv`, a `.zip` of them, or a
/// single `RVTools_tabvInfo.csv` (then without disks from vDisk/vPartition and without hosts).
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<Inventory> {
    let shown = path.display().to_string();
    if path.is_dir() {
        return read_folder(path, &shown, opts);
    }
    let read = || std::fs::read(path).map_err(|e| Error::io(path, e));
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" => parse_xlsx(&shown, &read()?, opts),
        "zip" => parse_zip(&shown, &read()?, opts),
        "csv" | "txt" => read_vinfo_csv(path, &shown, opts),
        _ => {
            let mut magic = [0u8; 4];
            let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut magic)).map_err(|e| Error::io(path, e))?;
            let magic = magic.get(..n).unwrap_or_default();
            if magic == OLE2_MAGIC {
                return parse_xlsx(&shown, &read()?, opts);
            }
            if magic != b"PK\x03\x04" {
                return read_vinfo_csv(path, &shown, opts);
            }
            let bytes = read()?;
            if contains(&bytes, b"xl/workbook.xml") {
                parse_xlsx(&shown, &bytes, opts)
            } else {
                parse_zip(&shown, &bytes, opts)
            }
        }
    }
}

/// Parse the bytes of an RVTools `.xlsx` workbook; `file` is the name used in messages.
pub fn parse_xlsx(file: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Inventory> {
    super::xlsx_guard::guarded(|| parse_xlsx_unguarded(file, bytes, opts)).unwrap_or_else(|panic| {
        Err(Error::Invalid(vec![Problem::at(file, 0, None, super::xlsx_guard::damaged(&panic))]))
    })
}

fn parse_xlsx_unguarded(file: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Inventory> {
    let whole_file = |message: String| Error::Invalid(vec![Problem::at(file, 0, None, message)]);
    let not_xlsx = |why: &str| {
        whole_file(format!(
            "is not a readable xlsx workbook ({why}); RVTools writes one with \"Export all to Excel\", or give the folder of its \"Export all to csv\" files"
        ))
    };
    if bytes.starts_with(OLE2_MAGIC) {
        return Err(not_xlsx(
            "it is an OLE2 file: an old .xls workbook or a password-protected one; open it in Excel and save it as .xlsx without a password",
        ));
    }
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| not_xlsx(&e.to_string()))?;
    let names = workbook.sheet_names();
    sniff_xlsx_sheets(&names).map_err(whole_file)?;
    let mut problems = Vec::new();
    let mut load = |wanted: &str| -> Option<Sheet<'static>> {
        let name = names.iter().find(|n| n.trim().eq_ignore_ascii_case(wanted))?;
        let origin = Origin { file: file.to_owned(), sheet: Some(name.clone()) };
        match workbook.worksheet_range(name) {
            Ok(range) => Some(Sheet::xlsx(origin, range)),
            Err(e) => {
                problems.push(origin.problem(0, None, format!("cannot read the sheet: {e}")));
                None
            }
        }
    };
    let vinfo = load(VINFO_SHEET);
    let vdisk = load(VDISK_SHEET);
    let vpartition = load(VPARTITION_SHEET);
    let vhost = load(VHOST_SHEET);
    let Some(vinfo) = vinfo.filter(|_| problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    build::build(&Export { file: file.to_owned(), vinfo, vdisk, vpartition, vhost }, opts, FORMAT)
}

/// `Ok` when the workbook has a vInfo sheet (what every RVTools export has); `Err` says why not.
pub fn sniff_xlsx_sheets(sheet_names: &[String]) -> Result<(), String> {
    if sheet_names.iter().any(|n| n.trim().eq_ignore_ascii_case(VINFO_SHEET)) {
        return Ok(());
    }
    let shown: Vec<String> = sheet_names.iter().take(12).map(|n| format!("'{n}'")).collect();
    let more = if sheet_names.len() > shown.len() { ", ..." } else { "" };
    Err(format!(
        "has no 'vInfo' sheet, so it is not an RVTools export (RVTools writes vInfo, vCPU, vMemory, vDisk, vPartition, vHost, ...); its sheets are: {}{more}",
        if shown.is_empty() { "none".to_owned() } else { shown.join(", ") }
    ))
}

/// `Ok` for the header of an RVTools vInfo CSV (it has `VM`, `Powerstate`, `CPUs` and `Memory`);
/// `Err` names the columns that are missing.
pub fn sniff_csv_header(header: &[String]) -> Result<(), String> {
    let cols = Columns::resolve(header, VINFO);
    let missing = cols.missing(&[Role::Vm, Role::Powerstate, Role::Cpus, Role::MemoryMib]);
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "not an RVTools vInfo header: no {} column{}",
        missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", "),
        if missing.len() > 1 { "s" } else { "" }
    ))
}

/// A lone vInfo CSV, streamed from disk.
fn read_vinfo_csv(path: &Path, shown: &str, opts: &ReadOptions) -> Result<Inventory> {
    std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let vinfo = Sheet::csv_file(Origin { file: shown.to_owned(), sheet: None }, path.to_path_buf());
    build::build(&Export { file: shown.to_owned(), vinfo, vdisk: None, vpartition: None, vhost: None }, opts, FORMAT)
}

/// The sheet an "Export all to csv" file holds (`RVTools_tabvInfo.csv` → vInfo), from its name.
fn csv_sheet(file_name: &str) -> Option<&'static str> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).to_ascii_lowercase();
    [VINFO_SHEET, VDISK_SHEET, VPARTITION_SHEET, VHOST_SHEET]
        .into_iter()
        .find(|sheet| base.ends_with(&format!("tab{}.csv", sheet.to_ascii_lowercase())))
}

/// Pick the one vInfo CSV among `names` and the other sheets beside it (same folder); `Err` says
/// what is wrong.
fn pick_members<'n>(names: &'n [String], what: &str) -> Result<[Option<&'n String>; 4], String> {
    let vinfos: Vec<&String> = names.iter().filter(|n| csv_sheet(n) == Some(VINFO_SHEET)).collect();
    let vinfo = match vinfos.as_slice() {
        [one] => *one,
        [] => {
            let shown: Vec<&str> = names.iter().take(10).map(String::as_str).collect();
            return Err(format!(
                "{what} holds no RVTools_tabvInfo.csv; expected the files of RVTools' \"Export all to csv\" (RVTools_tabvInfo.csv, RVTools_tabvDisk.csv, RVTools_tabvPartition.csv, RVTools_tabvHost.csv, ...); it holds: {}{}",
                if shown.is_empty() { "nothing".to_owned() } else { shown.join(", ") },
                if names.len() > shown.len() { ", ..." } else { "" }
            ));
        }
        many => {
            return Err(format!(
                "{what} holds {} vInfo files ({}); give one export at a time",
                many.len(),
                many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ))
        }
    };
    let dir_of = |n: &str| n.rfind(['/', '\\']).map_or("", |i| &n[..i]).to_owned();
    let dir = dir_of(vinfo);
    let find = |sheet: &str| names.iter().find(|n| csv_sheet(n) == Some(sheet) && dir_of(n) == dir);
    Ok([Some(vinfo), find(VDISK_SHEET), find(VPARTITION_SHEET), find(VHOST_SHEET)])
}

/// A folder of "Export all to csv" files.
fn read_folder(dir: &Path, shown: &str, opts: &ReadOptions) -> Result<Inventory> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.path().is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    let members =
        pick_members(&names, "the folder").map_err(|m| Error::Invalid(vec![Problem::at(shown, 0, None, m)]))?;
    let sheet = |member: Option<&String>| {
        member.map(|name| {
            let path = dir.join(name);
            Sheet::csv_file(Origin { file: path.display().to_string(), sheet: None }, path)
        })
    };
    let [vinfo, vdisk, vpartition, vhost] = members;
    assemble(shown, [sheet(vinfo), sheet(vdisk), sheet(vpartition), sheet(vhost)], opts)
}

/// A `.zip` of "Export all to csv" files.
fn parse_zip(file: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Inventory> {
    let whole_file = |message: String| Error::Invalid(vec![Problem::at(file, 0, None, message)]);
    let zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| whole_file(format!("is not a readable zip file ({e})")))?;
    let mut names: Vec<String> = zip.file_names().filter(|n| !n.ends_with('/')).map(str::to_owned).collect();
    names.sort();
    let members = pick_members(&names, "the zip").map_err(whole_file)?;
    let sheet = |member: Option<&String>| {
        member.map(|name| {
            let origin = Origin { file: file.to_owned(), sheet: Some(name.clone()) };
            Sheet::csv_in_zip(origin, zip.clone(), name.clone())
        })
    };
    let [vinfo, vdisk, vpartition, vhost] = members;
    assemble(file, [sheet(vinfo), sheet(vdisk), sheet(vpartition), sheet(vhost)], opts)
}

/// vInfo, vDisk, vPartition, vHost (vInfo is always there: `pick_members` found it).
fn assemble(file: &str, sheets: [Option<Sheet<'_>>; 4], opts: &ReadOptions) -> Result<Inventory> {
    let [vinfo, vdisk, vpartition, vhost] = sheets;
    let Some(vinfo) = vinfo else {
        return Err(Error::Invalid(vec![Problem::at(file, 0, None, "no vInfo to read")]));
    };
    build::build(&Export { file: file.to_owned(), vinfo, vdisk, vpartition, vhost }, opts, FORMAT)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sniffs_workbooks_by_their_vinfo_sheet() {
        assert_eq!(sniff_xlsx_sheets(&strings(&["vInfo", "vCPU"])), Ok(()));
        assert_eq!(sniff_xlsx_sheets(&strings(&["VINFO "])), Ok(()));
        assert_eq!(
            sniff_xlsx_sheets(&strings(&["Sheet1"])).expect_err("no vInfo"),
            "has no 'vInfo' sheet, so it is not an RVTools export (RVTools writes vInfo, vCPU, vMemory, vDisk, vPartition, vHost, ...); its sheets are: 'Sheet1'"
        );
    }

    #[test]
    fn sniffs_vinfo_csv_headers() {
        assert_eq!(sniff_csv_header(&strings(&["\u{feff}VM", "Powerstate", "Template", "CPUs", "Memory"])), Ok(()));
        assert_eq!(
            sniff_csv_header(&strings(&["name", "cpus", "memory_gib", "os"])).expect_err("native"),
            "not an RVTools vInfo header: no 'VM', 'Powerstate', 'Memory' columns"
        );
        assert_eq!(
            sniff_csv_header(&strings(&["VM", "Powerstate", "CPUs"])).expect_err("no memory"),
            "not an RVTools vInfo header: no 'Memory' column"
        );
    }

    #[test]
    fn csv_file_names_to_sheets() {
        assert_eq!(csv_sheet("RVTools_tabvInfo.csv"), Some("vInfo"));
        assert_eq!(csv_sheet("export/rvtools_tabvpartition.CSV"), Some("vPartition"));
        assert_eq!(csv_sheet("RVTools_tabvHost.csv"), Some("vHost"));
        assert_eq!(csv_sheet("RVTools_tabvHBA.csv"), None);
        assert_eq!(csv_sheet("RVTools_tabvInfo.xlsx"), None);
    }
}
