//! The Migration Evaluator import template reader: the fixtures in `tests/fixtures/migration_evaluator/`
//! (CSV written by hand; xlsx written by `scripts/make-me-fixtures.py`) read to exact servers, and every
//! malformed file rejected with exact, located messages, never a panic.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proptest::prelude::*;
use rocklift::inventory::migration_evaluator::{self, parse, parse_xlsx, sniff, sniff_xlsx_sheets, FORMAT};
use rocklift::inventory::{Inventory, ReadOptions, Server};
use rocklift::Error;
use rust_decimal::Decimal;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migration_evaluator").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal literal")
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::Invalid(p) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected located problems, got {other}"),
    }
}

/// What a server must be, field by field.
struct Expect<'a> {
    name: &'a str,
    line: u64,
    cpus: u32,
    memory_gib: &'a str,
    disk_gib: Option<&'a str>,
    os_target: &'a str,
    cpu: Option<&'a str>,
    mem: Option<&'a str>,
    tags: &'a [(&'a str, &'a str)],
    notes: &'a [&'a str],
}

fn check(s: &Server, e: &Expect<'_>) {
    assert_eq!(s.name, e.name);
    assert_eq!(s.line, e.line, "{}", e.name);
    assert_eq!(s.cpus, e.cpus, "{}", e.name);
    assert_eq!(s.memory_gib, d(e.memory_gib), "{}", e.name);
    assert_eq!(s.disk_gib, e.disk_gib.map(d), "{}", e.name);
    assert_eq!(s.disk_used_gib, None, "{}", e.name);
    assert_eq!(s.os.target, e.os_target, "{}", e.name);
    assert_eq!(s.cpu_util_p95, e.cpu.map(d), "{}", e.name);
    assert_eq!(s.mem_util_p95, e.mem.map(d), "{}", e.name);
    assert_eq!(s.tags, tags(e.tags), "{}", e.name);
    assert_eq!(s.notes, e.notes, "{}", e.name);
    assert_eq!((s.count, s.gpus, s.role.as_str(), s.public), (1, 0, "default", false), "{}", e.name);
}

const CPU_PEAK: &str = "CPU utilization is Migration Evaluator's peak (Cpu Utilization Peak (%)), used as p95";
const MEM_PEAK: &str = "memory utilization is Migration Evaluator's peak (Memory Utilization Peak (%)), used as p95";

/// The four servers of `inventory.csv` and `template.xlsx` (same rows, same line numbers).
fn check_four(inv: &Inventory) {
    assert_eq!(inv.format, FORMAT);
    assert_eq!(inv.ignored_columns, ["Hypervisor Name", "SQL Edition", "Annual Cost (USD)", "Storage Type"]);
    assert!(inv.left_out.is_empty());
    assert_eq!(inv.servers.len(), 4);
    check(
        &inv.servers[0],
        &Expect {
            name: "app01",
            line: 2,
            cpus: 4,
            memory_gib: "16",
            disk_gib: Some("500"),
            os_target: "Rocky Linux 8",
            cpu: Some("45"),
            mem: Some("62"),
            tags: &[
                ("application", "Billing, EU"),
                ("cpu", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"),
                ("environment", "Production"),
                ("virtual", "yes"),
            ],
            notes: &[CPU_PEAK, MEM_PEAK],
        },
    );
    check(
        &inv.servers[1],
        &Expect {
            name: "db01",
            line: 3,
            cpus: 16,
            memory_gib: "64",
            disk_gib: Some("2000"),
            os_target: "Windows Server 2019",
            cpu: Some("45"),
            mem: Some("90"),
            tags: &[
                ("application", "ERP"),
                ("cpu", "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"),
                ("environment", "Production"),
                ("virtual", "no"),
            ],
            notes: &[
                "a physical server: its CPU Cores are planned as vCPUs (the template does not say whether a core runs two threads)",
                "Cpu Utilization Peak (%) '45' read as 45% (the template writes 0.45 for 45%)",
                CPU_PEAK,
                MEM_PEAK,
                "in use 60% of the time (Time In-Use (%)); sized to run all the time",
            ],
        },
    );
    check(
        &inv.servers[2],
        &Expect {
            name: "web02",
            line: 5,
            cpus: 2,
            memory_gib: "3",
            disk_gib: None,
            os_target: "Ubuntu 22.04",
            cpu: None,
            mem: None,
            tags: &[("environment", "Dev"), ("virtual", "yes")],
            notes: &[],
        },
    );
    check(
        &inv.servers[3],
        &Expect {
            name: "tools03",
            line: 6,
            cpus: 1,
            memory_gib: "1.5",
            disk_gib: Some("40.5"),
            os_target: "Rocky Linux 9",
            cpu: Some("8.5"),
            mem: Some("30"),
            tags: &[("application", "Tools"), ("environment", "Test"), ("virtual", "yes")],
            notes: &[CPU_PEAK, MEM_PEAK, "in use 25% of the time (Time In-Use (%)); sized to run all the time"],
        },
    );
}

#[test]
fn csv_with_bom_crlf_quotes_and_trailing_empty_lines_reads_every_server() {
    let inv = parse("inventory.csv", &fixture("inventory.csv"), &ReadOptions::default()).expect("valid");
    assert_eq!(inv.file, "inventory.csv");
    check_four(&inv);
}

#[test]
fn xlsx_template_sheet_with_styled_empty_rows_reads_the_same_servers() {
    let csv = parse("inventory.csv", &fixture("inventory.csv"), &ReadOptions::default()).expect("valid csv");
    let xlsx = parse_xlsx("template.xlsx", &fixture("template.xlsx"), &ReadOptions::default()).expect("valid xlsx");
    assert_eq!(xlsx.file, "template.xlsx");
    check_four(&xlsx);
    assert_eq!(xlsx.servers, csv.servers);
}

#[test]
fn renamed_sheet_with_title_row_booleans_and_an_added_date_column() {
    let inv = parse_xlsx("renamed.xlsx", &fixture("renamed-sheet.xlsx"), &ReadOptions::default()).expect("valid");
    assert_eq!(
        inv.ignored_columns,
        ["Hypervisor Name", "SQL Edition", "Annual Cost (USD)", "Storage Type", "Decommission Date"]
    );
    assert_eq!(inv.servers.len(), 2);
    // The same OS text shares one classification.
    assert!(std::sync::Arc::ptr_eq(&inv.servers[0].os, &inv.servers[1].os));
    let shared = &[CPU_PEAK, MEM_PEAK][..];
    check(
        &inv.servers[0],
        &Expect {
            name: "edge01",
            line: 4,
            cpus: 2,
            memory_gib: "2",
            disk_gib: Some("20"),
            os_target: "Rocky Linux 8",
            cpu: Some("20"),
            mem: Some("50"),
            tags: &[("application", "Edge"), ("environment", "Production"), ("virtual", "yes")],
            notes: shared,
        },
    );
    let mut physical = vec![
        "a physical server: its CPU Cores are planned as vCPUs (the template does not say whether a core runs two threads)",
    ];
    physical.extend_from_slice(shared);
    check(
        &inv.servers[1],
        &Expect {
            name: "edge02",
            line: 6,
            cpus: 2,
            memory_gib: "2",
            disk_gib: Some("20"),
            os_target: "Rocky Linux 8",
            cpu: Some("35"),
            mem: Some("50"),
            tags: &[("application", "Edge"), ("environment", "Production"), ("virtual", "no")],
            notes: &physical,
        },
    );
}

#[test]
fn malformed_csv_reports_every_problem_in_line_order() {
    let err = parse("bad.csv", &fixture("malformed.csv"), &ReadOptions::default()).expect_err("invalid");
    let wrong_os = "'Solaris 10' is not an OS rocklift knows; expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name";
    assert_eq!(
        problems(err),
        [
            "bad.csv:3: column 'CPU Cores': 'four' is not a number; expected a number of CPU cores, such as 4".to_owned(),
            "bad.csv:3: column 'Memory (MB)': '-1' is negative; expected memory in MB, such as 4096".to_owned(),
            format!("bad.csv:4: column 'Operating System': {wrong_os}"),
            "bad.csv:4: column 'Is Virtual?': 'Maybe' is not Yes or No".to_owned(),
            "bad.csv:4: column 'Cpu Utilization Peak (%)': '145' is above 100%; expected a decimal share such as 0.45 for 45%".to_owned(),
            "bad.csv:5: column 'Server Name': is empty; every server needs a name".to_owned(),
            "bad.csv:6: column 'Server Name': 'ok01' is also the name on line 2; names must be unique".to_owned(),
            "bad.csv:7: has 17 fields, the header has 16; check the delimiter and quotes (a value with ',' must be in double quotes)".to_owned(),
            "bad.csv:8: column 'Memory (MB)': '2,048' uses a decimal comma; write numbers with '.', expected memory in MB, such as 4096".to_owned(),
        ]
    );
}

#[test]
fn malformed_xlsx_reports_dates_excel_errors_and_bad_values_by_sheet_row() {
    let err = parse_xlsx("bad.xlsx", &fixture("malformed.xlsx"), &ReadOptions::default()).expect_err("invalid");
    let at = |row: u64, col: &str, msg: &str| format!("bad.xlsx: sheet 'Template' row {row}: column '{col}': {msg}");
    assert_eq!(
        problems(err),
        [
            at(2, "Memory (MB)", "is a date (2024-03-01) in the sheet; expected memory in MB, such as 4096 (format the cell as a number)"),
            at(3, "CPU Cores", "the cell holds the Excel error #N/A; fix the formula or type a value"),
            at(3, "Cpu Utilization Peak (%)", "'150' is above 100%; expected a decimal share such as 0.45 for 45%"),
            at(5, "Operating System", "'AIX 7.2' is not an OS rocklift knows; expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name"),
            at(5, "Is Virtual?", "'Maybe' is not Yes or No"),
            at(6, "Server Name", "is empty; every server needs a name"),
        ]
    );
}

#[test]
fn missing_required_column_is_named() {
    let err = parse("m.csv", &fixture("missing-columns.csv"), &ReadOptions::default()).expect_err("invalid");
    assert_eq!(
        problems(err),
        ["m.csv:1: required column 'Operating System' is missing; the header has: Server Name, CPU Cores, Memory (MB)"]
    );
}

#[test]
fn workbook_without_the_template_is_refused() {
    let err = parse_xlsx("rv.xlsx", &fixture("no-template.xlsx"), &ReadOptions::default()).expect_err("refused");
    assert_eq!(
        problems(err),
        ["rv.xlsx: no sheet 'Template' and no sheet with the columns 'Server Name', 'CPU Cores' and 'Memory (MB)'; the workbook has 'vInfo'"]
    );
    let err = parse_xlsx("x.xlsx", b"Server Name,CPU Cores\n", &ReadOptions::default()).expect_err("not a workbook");
    let p = problems(err);
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("x.xlsx: cannot open the workbook ("), "{}", p[0]);
    assert!(p[0].ends_with("); expected the Migration Evaluator template as .xlsx"), "{}", p[0]);
}

#[test]
fn empty_and_utf16_files_are_refused() {
    let err = parse("e.csv", b"\xef\xbb\xbf\r\n\r\n", &ReadOptions::default()).expect_err("empty");
    assert_eq!(problems(err), ["e.csv:1: the file is empty; expected a header line"]);
    let err = parse("u.csv", b"\xff\xfeS\0", &ReadOptions::default()).expect_err("utf-16");
    assert_eq!(
        problems(err),
        ["u.csv:1: the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 and try again"]
    );
    let header_only = "Server Name,CPU Cores,Memory (MB),Operating System\r\n,,,\r\n";
    let err = parse("h.csv", header_only.as_bytes(), &ReadOptions::default()).expect_err("no servers");
    assert_eq!(problems(err), ["h.csv:1: there is a header but no servers"]);
}

#[test]
fn semicolon_csv_with_a_title_line_and_percent_signs() {
    let text = "Exported from the template\n\nServer Name;CPU Cores;Memory (MB);Operating System;Cpu Utilization Peak (%)\nn1;2;1024;CentOS 7;\"12,5%\"\n";
    // A decimal comma inside a percentage is still a decimal comma.
    let err = parse("s.csv", text.as_bytes(), &ReadOptions::default()).expect_err("decimal comma");
    assert_eq!(
        problems(err),
        ["s.csv:4: column 'Cpu Utilization Peak (%)': '12,5%' uses a decimal comma; write numbers with '.', expected a percentage such as 45%"]
    );
    let text = text.replace("12,5%", "12.5%");
    let inv = parse("s.csv", text.as_bytes(), &ReadOptions::default()).expect("valid");
    let s = &inv.servers[0];
    assert_eq!((s.line, s.cpus, s.memory_gib, s.cpu_util_p95), (4, 2, d("1"), Some(d("12.5"))));
    assert_eq!(s.notes, [CPU_PEAK]);
}

#[test]
fn sniffing() {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let header = h(&["Server Name", "CPU Cores", "Memory (MB)", "Provisioned Storage (GB)", "Operating System"]);
    assert_eq!(sniff(&header), Ok(()));
    assert_eq!(
        sniff(&h(&["name", "cpus", "memory_gib", "os"])),
        Err("not a Migration Evaluator import template: no column 'Server Name', 'CPU Cores', 'Memory (MB)'".into())
    );
    assert_eq!(sniff_xlsx_sheets(&h(&["Instructions", "Template"])), Ok(()));
    assert!(sniff_xlsx_sheets(&h(&["vInfo"])).is_err());
    assert_eq!(migration_evaluator::SHEET, "Template");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse("f.csv", &bytes, &ReadOptions::default());
        let _ = parse_xlsx("f.xlsx", &bytes, &ReadOptions::default());
    }

    #[test]
    fn arbitrary_cells_never_panic_and_errors_are_located(
        cells in proptest::collection::vec(
            prop_oneof![
                Just(String::new()), Just("0.5".to_owned()), Just("45".to_owned()), Just("1e400".to_owned()),
                Just("-3".to_owned()), Just("Ubuntu".to_owned()), Just("\"".to_owned()), Just("99999999999999999999999".to_owned()),
                "[ -~]{0,12}",
            ],
            16..=16,
        )
    ) {
        let header = "Server Name,CPU Cores,Memory (MB),Provisioned Storage (GB),Operating System,Is Virtual?,Hypervisor Name,Cpu String,Environment,SQL Edition,Application,Cpu Utilization Peak (%),Memory Utilization Peak (%),Time In-Use (%),Annual Cost (USD),Storage Type";
        let text = format!("{header}\n{}\n", cells.join(","));
        match parse("p.csv", text.as_bytes(), &ReadOptions::default()) {
            Ok(inv) => {
                for s in &inv.servers {
                    prop_assert!(s.cpu_util_p95.is_none_or(|v| v <= Decimal::ONE_HUNDRED));
                    prop_assert!(s.memory_gib > Decimal::ZERO);
                }
            }
            Err(Error::Invalid(p)) => prop_assert!(p.iter().all(|p| p.file == "p.csv" && p.line >= 1)),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn damaged_workbooks_never_panic(at in 0usize..4000, byte in any::<u8>()) {
        let mut bytes = fixture("template.xlsx");
        let i = at % bytes.len();
        bytes[i] = byte;
        let _ = parse_xlsx("d.xlsx", &bytes, &ReadOptions::default());
    }
}
