//! The Azure Migrate import reader (`inventory::azure_migrate`) on fixtures that follow the portal's CSV
//! template (`tests/fixtures/azure_migrate/`): every server's values pinned, and malformed files rejected with
//! every problem located (`FILE:LINE: column 'HEADER': message`), never a panic.

use std::fs;
use std::path::PathBuf;

use proptest::prelude::*;
use rocklift::inventory::azure_migrate::{parse, sniff, FORMAT};
use rocklift::inventory::{Inventory, ReadOptions, Server};
use rocklift::Error;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure_migrate").join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str) -> Inventory {
    parse(name, &fixture(name), &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn problems(name: &str, bytes: &[u8]) -> Vec<String> {
    match parse(name, bytes, &ReadOptions::default()) {
        Err(Error::Invalid(p)) => p.iter().map(ToString::to_string).collect(),
        Err(e) => panic!("{name}: not Invalid: {e}"),
        Ok(inv) => panic!("{name}: accepted {} servers", inv.servers.len()),
    }
}

/// Everything a server carries, on one line.
fn summary(s: &Server) -> String {
    format!(
        "{} @{} cpus={} mem={} disk={:?} used={:?} os='{}'->{} cpu={:?} memu={:?} iops={:?} mbps={:?} tags={:?}",
        s.name,
        s.line,
        s.cpus,
        s.memory_gib,
        s.disk_gib,
        s.disk_used_gib,
        s.os.text,
        s.os.target,
        s.cpu_util_p95,
        s.mem_util_p95,
        s.disk_iops,
        s.disk_throughput_mbps,
        s.tags
    )
}

const CPU_NOTE: &str = "CPU utilization is the import's single value (CPU utilization percentage), which Azure Migrate sizes on as given; used as p95";
const MEM_NOTE: &str = "memory utilization is the import's single value (Memory utilization percentage), which Azure Migrate sizes on as given; used as p95";
const IOPS_DISKS: &str = "disk IOPS is the sum over the disks of read + write operations per second";
const MBPS_DISKS: &str = "disk throughput is the sum over the disks of read + write MB per second (read as MiB/s)";

#[test]
fn template_with_bom_crlf_ip_lists_and_empty_cells() {
    let inv = read("import_template.csv");
    assert_eq!(inv.format, FORMAT);
    assert_eq!(inv.format, "azure-migrate");
    let got: Vec<String> = inv.servers.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            // Quoted "10.9.0.10,10.9.0.11" stays one cell. 65536 MB / 1024; "62%"; disks 500 + 500 GB;
            // IOPS 1000 + 400 + 2500 + 900; MB/s 120 + 80 + 40 + 30.
            "fin-db01.corp.example @2 cpus=8 mem=64 disk=Some(1000) used=Some(700) os='Windows Server 2019 Datacenter'->Windows Server 2019 cpu=Some(35) memu=Some(62) iops=Some(4800) mbps=Some(270) tags={}",
            // IPs separated by ';' in an unquoted cell; one disk: 150.5 + 80 = 230.5 → 231 IOPS, 20.5 + 10 → 31 MiB/s.
            "fin-app01 @3 cpus=4 mem=16 disk=Some(100) used=Some(40) os='Red Hat Enterprise Linux 8'->Rocky Linux 8 cpu=Some(18.5) memu=Some(45) iops=Some(231) mbps=Some(31) tags={}",
            // Every optional cell empty; OS version joined to the OS name.
            "batch-01 @4 cpus=2 mem=4 disk=None used=None os='Ubuntu Linux 22.04'->Ubuntu 22.04 cpu=None memu=None iops=None mbps=None tags={}",
        ]
    );
    assert_eq!(inv.servers[0].notes, [CPU_NOTE, MEM_NOTE, IOPS_DISKS, MBPS_DISKS]);
    assert_eq!(inv.servers[1].notes, [CPU_NOTE, MEM_NOTE, IOPS_DISKS, MBPS_DISKS]);
    assert!(inv.servers[2].notes.is_empty());
    for s in &inv.servers {
        assert_eq!((s.gpus, s.count, s.role.as_str(), s.public, s.arch), (0, 1, "default", false, None));
        assert!(s.egress_gib_month.is_zero(), "Network Out throughput is a rate, never egress");
    }
    assert_eq!(
        inv.ignored_columns,
        [
            "IP addresses",
            "OS architecture",
            "Server type",
            "Hypervisor",
            "Network adapters",
            "Network In throughput",
            "Network Out throughput",
            "Boot type",
            "Number of disks",
        ]
    );
}

#[test]
fn headers_without_star_other_order_short_disk_names_and_totals() {
    let inv = read("reordered.csv");
    let got: Vec<String> = inv.servers.iter().map(summary).collect();
    // Disk 3 size 50 + Disk 1 size 30; the totals 3000 + 1200 win over the per-disk read ops.
    assert_eq!(
        got,
        ["legacy-ol7 @2 cpus=1 mem=2 disk=Some(80) used=None os='Oracle Linux 7.9'->Rocky Linux 8 cpu=Some(7.5) memu=None iops=Some(4200) mbps=None tags={}"]
    );
    assert_eq!(inv.servers[0].notes, [CPU_NOTE, "disk IOPS is Total disks read ops + Total disks write ops"]);
    assert_eq!(inv.ignored_columns, ["Firmware type", "Business unit"]);
}

#[test]
fn malformed_rows_all_reported_located() {
    assert_eq!(
        problems("malformed.csv", &fixture("malformed.csv")),
        [
            "malformed.csv:2: column '*Cores': 'eight' is not a number; expected the number of cores, such as 8",
            "malformed.csv:2: column 'CPU utilization percentage': '140' is above 100; expected a percentage from 0 to 100, such as 35",
            "malformed.csv:3: has 8 fields, the header has 7; check the delimiter and quotes (a value with ',' must be in double quotes)",
            "malformed.csv:4: column '*Memory (In MB)': is 0; expected memory in MB, such as 16384",
            "malformed.csv:4: column 'Disk 1 size (In GB)': 'abc' is not a number; expected a disk size in GB, such as 128",
            "malformed.csv:6: column '*Server name': 'app04' is also the server name on line 5; Azure Migrate keys servers by name, so names must be unique",
            "malformed.csv:7: column '*Server name': is empty; expected the server name, such as 'web01.corp.example' (the template recommends the FQDN)",
        ]
    );
}

#[test]
fn missing_mandatory_column_and_foreign_unit_reported_at_the_header() {
    assert_eq!(
        problems("missing_columns.csv", &fixture("missing_columns.csv")),
        [
            "missing_columns.csv:1: column 'Memory (In GB)': unit 'in gb' is not the template's; expected the column '*Memory (In MB)' with values in MB",
            "missing_columns.csv:1: required column '*Memory (In MB)' is missing (the template marks it with '*')",
        ]
    );
    assert_eq!(
        problems(
            "d.csv",
            b"*Server name,*Cores,*Memory (In MB),*OS name,Disk 1 size,disk 1 SIZE (in gb)\na,1,1024,CentOS,1,1\n"
        ),
        ["d.csv:1: column 'disk 1 SIZE (in gb)': names the same data as column 'Disk 1 size'; keep one of them"]
    );
}

#[test]
fn edge_files() {
    assert_eq!(
        problems("h.csv", b"\xef\xbb\xbf*Server name,*Cores,*Memory (In MB),*OS name\r\n,,,\r\n\r\n"),
        ["h.csv:1: the file has a header but no servers"]
    );
    assert_eq!(
        problems("e.csv", b""),
        ["e.csv:1: the file is empty; expected the Azure Migrate import template's header line, such as *Server name,IP addresses,*Cores,*Memory (In MB),*OS name,OS version,CPU utilization percentage"]
    );
    // An unclosed quote swallows the rest of the file into one cell of the name column.
    assert_eq!(
        problems("q.csv", b"*Server name,*Cores,*Memory (In MB),*OS name\n\"a,1,1024,CentOS\nb,1,1024,CentOS\n"),
        ["q.csv:2: has 1 fields, the header has 4; check the delimiter and quotes (a value with ',' must be in double quotes)"]
    );
}

#[test]
fn sniff_recognises_the_fixtures_and_not_other_formats() {
    let header_of = |bytes: &[u8]| -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        text.lines().next().unwrap_or_default().split(',').map(str::to_owned).collect()
    };
    for name in ["import_template.csv", "reordered.csv", "malformed.csv"] {
        assert_eq!(sniff(&header_of(&fixture(name))), Ok(()), "{name}");
    }
    assert_eq!(sniff(&header_of(&fixture("missing_columns.csv"))), Ok(()), "a foreign unit is still this format");
    let mh = ["ExternalId", "HostName", "CPU.NumberOfLogicalCores", "RAM.TotalSizeInMB", "OS.Name"].map(String::from);
    assert_eq!(sniff(&mh), Err("no column '*Server name'".into()));
    let native = ["name", "cpus", "memory_gib", "os"].map(String::from);
    assert_eq!(sniff(&native), Err("no column '*Server name'".into()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes after a valid header: a result, never a panic.
    #[test]
    fn never_panics(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"*Server name,*Cores,*Memory (In MB),*OS name,CPU utilization percentage,Disk 1 size (In GB),Disk 1 read ops (operations per second),Total disks write throughput\n".to_vec();
        bytes.extend(body);
        let _ = parse("p.csv", &bytes, &ReadOptions::default());
    }

    /// Rows of plausible-looking cells: a result, never a panic.
    #[test]
    fn never_panics_on_cells(rows in proptest::collection::vec(
        proptest::collection::vec(prop_oneof![
            Just(String::new()), Just("x".to_owned()), Just("4".to_owned()), Just("0".to_owned()),
            Just("-1".to_owned()), Just("101%".to_owned()), Just("1e30".to_owned()), Just("CentOS".to_owned()),
            Just("\"10.0.0.1,10.0.0.2\"".to_owned()), Just("4294967295".to_owned()), Just("99999999999999999999999".to_owned()),
        ], 8), 0..6)) {
        let mut csv = String::from("*Server name,*Cores,*Memory (In MB),*OS name,CPU utilization percentage,Disk 1 size (In GB),Disk 1 read ops (operations per second),Total disks write throughput\n");
        for r in rows {
            csv.push_str(&r.join(","));
            csv.push('\n');
        }
        let _ = parse("p.csv", csv.as_bytes(), &ReadOptions::default());
    }
}
