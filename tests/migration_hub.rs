//! The Migration Hub import reader (`inventory::migration_hub`) on fixtures that follow the published template
//! (`tests/fixtures/migration_hub/`): every server's values pinned, and malformed files rejected with every
//! problem located (`FILE:LINE: column 'HEADER': message`), never a panic.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;
use rocklift::inventory::migration_hub::{parse, sniff, FORMAT};
use rocklift::inventory::{Inventory, ReadOptions, Server};
use rocklift::Error;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migration_hub").join(name);
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

/// The template's defaults for what it does not carry.
fn assert_defaults(s: &Server) {
    assert_eq!((s.gpus, s.count, s.role.as_str(), s.public, s.arch), (0, 1, "default", false, None), "{}", s.name);
    assert!(s.egress_gib_month.is_zero() && s.ports.is_empty() && s.schedule.is_none() && s.gpu_model.is_none());
}

const CPU_PEAK: &str = "CPU utilization is the export's peak (CPU.UsagePct.Max), used as p95: conservative";
const MEM_PEAK: &str =
    "memory utilization is the export's peak (RAM.UsedSizeInMB.Max / RAM.TotalSizeInMB), used as p95: conservative";

#[test]
fn template_with_bom_crlf_quoted_lists_and_blank_rows() {
    let inv = read("import_template.csv");
    assert_eq!(inv.format, FORMAT);
    assert_eq!(inv.format, "aws-migration-hub");
    assert_eq!(inv.file, "import_template.csv");
    let got: Vec<String> = inv.servers.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            // 16 logical cores; 65536 MB / 1024; 49152 / 65536 × 100 = 75; 1083 + 535 IOPS;
            // (37892 + 18436) KB/s / 1024 = 55.0078 → 56 MiB/s.
            r#"pay-db01.corp.example @2 cpus=16 mem=64 disk=None used=None os='Red Hat Enterprise Linux 8.6'->Rocky Linux 8 cpu=Some(55.34) memu=Some(75) iops=Some(1618) mbps=Some(56) tags={"application": "Payments, Billing", "critical": "yes", "zone": "1"}"#,
            // No HostName: VMware.VMName; no logical cores: the 4 cores; only averages: no utilization, no disk needs.
            r#"build-agent-7 @3 cpus=4 mem=8 disk=None used=None os='CentOS 7.9'->Rocky Linux 8 cpu=None memu=None iops=None mbps=None tags={"critical": "no", "zone": "3, 1"}"#,
            // Only ExternalId names it; "45%"; 17000 MB used of 16384 → capped at 100.
            r#"INV-103 @4 cpus=4 mem=16 disk=None used=None os='Windows Server 2019 Datacenter 10.0.17763'->Windows Server 2019 cpu=Some(45) memu=Some(100) iops=None mbps=None tags={"application": "Intranet"}"#,
            // Line 5 is an all-empty row. 1024 / 4096 = 25 %.
            r#"web01.corp.example @6 cpus=2 mem=4 disk=None used=None os='Ubuntu 22.04'->Ubuntu 22.04 cpu=Some(45.5) memu=Some(25) iops=None mbps=None tags={"env": "prod"}"#,
            // Same HostName, another ExternalId: kept, renamed. 3072 / 4096 = 75 %.
            r#"web01.corp.example-2 @7 cpus=2 mem=4 disk=None used=None os='Ubuntu 22.04'->Ubuntu 22.04 cpu=Some(12) memu=Some(75) iops=None mbps=None tags={}"#,
        ]
    );
    let notes: Vec<&[String]> = inv.servers.iter().map(|s| s.notes.as_slice()).collect();
    assert_eq!(
        notes[0],
        [
            CPU_PEAK,
            MEM_PEAK,
            "disk IOPS is the sum of the read and write peaks (DiskReadsOpsPerSecond.Max + DiskWritesOpsPerSecond.Max): conservative",
            "disk throughput is the sum of the read and write peaks (DiskReadsPerSecondInKB.Max + DiskWritesPerSecondInKB.Max) in MiB/s: conservative",
        ]
    );
    assert_eq!(
        notes[1],
        [
            "named after VMware.VMName (no HostName)",
            "vCPUs from CPU.NumberOfCores (physical cores): no CPU.NumberOfLogicalCores, so threads per core are unknown",
            "only an average CPU utilization (CPU.UsagePct.Avg) is given: not used, sizing on an average can undersize; vCPUs sized as-is",
            "only an average used RAM (RAM.UsedSizeInMB.Avg) is given: not used, sizing on an average can undersize; memory sized as-is",
            "only average disk operations (DiskReadsOpsPerSecond.Avg, DiskWritesOpsPerSecond.Avg) are given: not used; disk IOPS unstated",
            "only average disk throughput (DiskReadsPerSecondInKB.Avg, DiskWritesPerSecondInKB.Avg) is given: not used; disk throughput unstated",
        ]
    );
    assert_eq!(
        notes[2],
        [
            "named after ExternalId (no HostName or VMware.VMName)",
            CPU_PEAK,
            "RAM.UsedSizeInMB.Max (17000 MB) is above RAM.TotalSizeInMB (16384 MB): memory utilization capped at 100%",
        ]
    );
    assert_eq!(notes[3], [CPU_PEAK, MEM_PEAK]);
    assert_eq!(
        notes[4],
        [
            CPU_PEAK,
            MEM_PEAK,
            "renamed from 'web01.corp.example': line 6 has the same name with ExternalId 'INV-104', this row has ExternalId 'INV-105'",
        ]
    );
    for s in &inv.servers {
        assert_defaults(s);
    }
    // One Arc per distinct OS text.
    assert!(Arc::ptr_eq(&inv.servers[3].os, &inv.servers[4].os));
    assert_eq!(
        inv.ignored_columns,
        [
            "SMBiosId",
            "IPAddress",
            "MACAddress",
            "VMware.MoRefId",
            "VMware.VCenterId",
            "CPU.NumberOfProcessors",
            "NetworkReadsPerSecondInKB.Avg",
            "NetworkWritesPerSecondInKB.Avg",
            "NetworkReadsPerSecondInKB.Max",
            "NetworkWritesPerSecondInKB.Max",
            "ApplicationWave",
            "ServerId",
            "Owner",
        ]
    );
    assert!(inv.left_out.is_empty() && inv.hosts.is_empty());
}

#[test]
fn other_column_order_semicolons_and_a_subset_of_columns() {
    let inv = read("reordered.csv");
    let got: Vec<String> = inv.servers.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            r#"hpc-node-01 @2 cpus=32 mem=32 disk=None used=None os='Rocky Linux 9.3'->Rocky Linux 9 cpu=Some(88) memu=None iops=None mbps=None tags={"critical": "no", "zone": "2"}"#,
            r#"db-arch @3 cpus=2 mem=2 disk=None used=None os='Oracle Linux Server 7.9'->Rocky Linux 8 cpu=None memu=None iops=None mbps=None tags={}"#,
        ]
    );
    assert_eq!(inv.servers[0].notes, [CPU_PEAK]);
    assert!(inv.servers[1].notes.is_empty());
    assert!(inv.ignored_columns.is_empty());
}

#[test]
fn malformed_rows_all_reported_located() {
    let os_msg = "expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name";
    assert_eq!(
        problems("malformed.csv", &fixture("malformed.csv")),
        [
            "malformed.csv:2: column 'CPU.NumberOfLogicalCores': 'eight' is not a number; expected the number of logical cores (threads), such as 8".to_owned(),
            "malformed.csv:2: column 'CPU.UsagePct.Max': '140' is above 100; expected a percentage from 0 to 100, such as 35".into(),
            format!("malformed.csv:3: column 'OS.Name': 'Solaris 10' is not an OS rocklift knows; {os_msg}"),
            "malformed.csv:4: column 'RAM.TotalSizeInMB': is empty; expected the total RAM in MB, such as 16384".into(),
            "malformed.csv:4: column 'Tags': 'critical' is not name:value; expected tags such as \"zone:1, critical:yes\"".into(),
            "malformed.csv:6: column 'HostName': 'app04' is also the name on line 5; names must be unique (rows with the same name are kept apart only by different ExternalIds)".into(),
            "malformed.csv:7: column 'ExternalId': 'INV-4' is also the ExternalId on line 5; an ExternalId marks one record".into(),
            "malformed.csv:8: has 3 fields, the header has 9; check the delimiter and quotes (a value with ',' must be in double quotes)".into(),
            "malformed.csv:9: column 'HostName': is empty, and so is ExternalId; every server needs a name".into(),
        ]
    );
}

#[test]
fn missing_required_columns_reported_at_the_header() {
    assert_eq!(
        problems("missing_columns.csv", &fixture("missing_columns.csv")),
        [
            "missing_columns.csv:1: required column 'RAM.TotalSizeInMB' is missing; rocklift needs the memory size",
            "missing_columns.csv:1: required column 'OS.Name' is missing; rocklift needs the operating system",
        ]
    );
    assert_eq!(
        problems("x.csv", b"IPAddress,CPU.NumberOfCores,RAM.TotalSizeInMB,OS.Name\n10.0.0.1,2,2048,CentOS 7\n"),
        ["x.csv:1: no column names the servers; expected HostName, VMware.VMName or ExternalId"]
    );
}

#[test]
fn edge_files() {
    assert_eq!(
        problems("e.csv", b"\r\n  \n"),
        ["e.csv:1: the file is empty; expected the Migration Hub import template's header line, such as ExternalId,HostName,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,OS.Name,OS.Version,CPU.UsagePct.Max"]
    );
    assert_eq!(
        problems("h.csv", b"HostName,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,OS.Name\r\n\r\n"),
        ["h.csv:1: the file has a header but no servers"]
    );
    assert_eq!(
        problems("u.csv", b"\xff\xfeH\x00"),
        ["u.csv:1: the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 and try again"]
    );
    // Same name, one row without an ExternalId: cannot be told apart.
    assert_eq!(
        problems("d.csv", b"ExternalId,HostName,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,OS.Name\nA,x,1,1024,CentOS\n,x,1,1024,CentOS\n"),
        ["d.csv:3: column 'HostName': 'x' is also the name on line 2; names must be unique (rows with the same name are kept apart only by different ExternalIds)"]
    );
}

#[test]
fn unreadable_cells_located_only_where_read() {
    let header = b"HostName,SMBiosId,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,OS.Name,Tags\n".to_vec();
    let mut bad = header.clone();
    bad.extend(b"a\xffb,x,2,2048,CentOS,\nc,x,2,2048,CentOS,\"zone:1,\nteam:x\"\n");
    assert_eq!(
        problems("b.csv", &bad),
        [
            "b.csv:2: column 'HostName': byte 2 of the value is not valid UTF-8 (0xff); save the file as UTF-8",
            "b.csv:3: column 'Tags': the value runs over 2 lines; a double quote opened on line 3 is probably never closed",
        ]
    );
    // A non-UTF-8 cell in a column rocklift ignores does not stop the plan.
    let mut ignored = header;
    ignored.extend(b"a,\xfe\xff,2,2048,CentOS,\n");
    let inv = parse("i.csv", &ignored, &ReadOptions::default()).expect("valid");
    assert_eq!((inv.servers[0].name.as_str(), inv.ignored_columns.as_slice()), ("a", &["SMBiosId".to_owned()][..]));
}

#[test]
fn renamed_duplicates_never_take_another_row_name() {
    let csv = b"ExternalId,HostName,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,OS.Name\n\
        A,web,1,1024,CentOS 7\nB,web,1,1024,CentOS 7\nC,web-2,1,1024,CentOS 7\nD,web,1,1024,CentOS 7\n";
    let inv = parse("r.csv", csv, &ReadOptions::default()).expect("valid");
    let names: Vec<&str> = inv.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web", "web-3", "web-2", "web-4"]);
}

#[test]
fn sniff_recognises_the_fixtures_and_not_other_formats() {
    let header_of = |bytes: &[u8]| -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        let first = text.lines().next().unwrap_or_default().to_owned();
        let delimiter = if first.contains(';') { ';' } else { ',' };
        first.split(delimiter).map(str::to_owned).collect()
    };
    for name in ["import_template.csv", "reordered.csv", "malformed.csv", "missing_columns.csv"] {
        assert_eq!(sniff(&header_of(&fixture(name))), Ok(()), "{name}");
    }
    let azure = ["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name"].map(String::from);
    assert_eq!(
        sniff(&azure),
        Err("no identifying column of the Migration Hub import template (ExternalId, IPAddress, MACAddress, HostName, VMware.MoRefId)".into())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes after a valid header: a result, never a panic.
    #[test]
    fn never_panics(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = b"ExternalId,HostName,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,RAM.UsedSizeInMB.Max,CPU.UsagePct.Max,OS.Name,Tags\n".to_vec();
        bytes.extend(body);
        let _ = parse("p.csv", &bytes, &ReadOptions::default());
    }

    /// Rows of plausible-looking cells: a result, never a panic.
    #[test]
    fn never_panics_on_cells(rows in proptest::collection::vec(
        proptest::collection::vec(prop_oneof![
            Just(String::new()), Just("x".to_owned()), Just("4".to_owned()), Just("0".to_owned()),
            Just("-1".to_owned()), Just("101%".to_owned()), Just("1e30".to_owned()), Just("CentOS".to_owned()),
            Just("\"a,b\"".to_owned()), Just("zone:1".to_owned()), Just("99999999999999999999999".to_owned()),
        ], 8), 0..6)) {
        let mut csv = String::from("ExternalId,HostName,CPU.NumberOfLogicalCores,RAM.TotalSizeInMB,RAM.UsedSizeInMB.Max,CPU.UsagePct.Max,OS.Name,Tags\n");
        for r in rows {
            csv.push_str(&r.join(","));
            csv.push('\n');
        }
        let _ = parse("p.csv", csv.as_bytes(), &ReadOptions::default());
    }
}
