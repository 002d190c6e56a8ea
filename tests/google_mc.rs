//! The Google Migration Center import reader: the tables in `tests/fixtures/google_mc/basic/` (template
//! headers with their `(optional)` suffixes) read to exact servers, p95s and left-out machines; the
//! tables in `tests/fixtures/google_mc/malformed/` rejected with exact, located messages from every
//! file in one run; never a panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rocklift::inventory::google_mc::{parse_files, read_path, sniff, FORMAT};
use rocklift::inventory::{Inventory, LeftOut, ReadOptions, Server};
use rocklift::Error;
use rust_decimal::Decimal;

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/google_mc").join(name)
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal literal")
}

fn problems(err: Error) -> Vec<String> {
    match err {
        Error::Invalid(p) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected located problems, got {other}"),
    }
}

/// The four files of a fixture folder, read with short names (`vmInfo.csv`, ...).
fn parse_folder(name: &str, opts: &ReadOptions) -> rocklift::Result<Inventory> {
    let folder = dir(name);
    let [vm, perf, disk, tag] =
        ["vmInfo.csv", "perfInfo.csv", "diskInfo.csv", "tagInfo.csv"].map(|f| bytes(&folder.join(f)));
    parse_files(
        ("vmInfo.csv", &vm),
        Some(("perfInfo.csv", &perf)),
        Some(("diskInfo.csv", &disk)),
        Some(("tagInfo.csv", &tag)),
        opts,
    )
}

struct Expect<'a> {
    name: &'a str,
    line: u64,
    cpus: u32,
    memory_gib: &'a str,
    disk_gib: Option<&'a str>,
    disk_used_gib: Option<&'a str>,
    os_target: &'a str,
    cpu: Option<&'a str>,
    mem: Option<&'a str>,
    tags: &'a [(&'a str, &'a str)],
    notes: &'a [&'a str],
}

fn check(s: &Server, e: &Expect<'_>) {
    let tags: BTreeMap<String, String> = e.tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(s.name, e.name);
    assert_eq!(s.line, e.line, "{}", e.name);
    assert_eq!(s.cpus, e.cpus, "{}", e.name);
    assert_eq!(s.memory_gib, d(e.memory_gib), "{}", e.name);
    assert_eq!(s.disk_gib, e.disk_gib.map(d), "{}", e.name);
    assert_eq!(s.disk_used_gib, e.disk_used_gib.map(d), "{}", e.name);
    assert_eq!(s.os.target, e.os_target, "{}", e.name);
    assert_eq!(s.cpu_util_p95, e.cpu.map(d), "{}", e.name);
    assert_eq!(s.mem_util_p95, e.mem.map(d), "{}", e.name);
    assert_eq!(s.tags, tags, "{}", e.name);
    assert_eq!(s.notes, e.notes, "{}", e.name);
    assert_eq!((s.count, s.gpus, s.role.as_str(), s.public), (1, 0, "default", false), "{}", e.name);
}

const PHYSICAL: &str = "a physical machine: its AllocatedProcessorCoreCount is planned as vCPUs (the template does not say whether a core runs two threads)";

fn check_web01(s: &Server) {
    // diskInfo: 50 + 150 GiB, used 20 + 60; perfInfo: CPU 1..20 and memory 41..60 in shuffled order,
    // nearest-rank p95 = the 19th of 20.
    check(
        s,
        &Expect {
            name: "web-01",
            line: 2,
            cpus: 4,
            memory_gib: "16",
            disk_gib: Some("200"),
            disk_used_gib: Some("80"),
            os_target: "Rocky Linux 8",
            cpu: Some("19"),
            mem: Some("59"),
            tags: &[("env", "prod"), ("ip_addresses", "10.0.0.11;10.0.0.12"), ("owner", "web team")],
            notes: &[
                "disk sizes and used space from diskInfo.csv (2 disks)",
                "utilization is the nearest-rank p95 of perfInfo.csv samples (CPU: 20, memory: 20)",
            ],
        },
    );
}

fn check_db01(s: &Server) {
    // CPU: 9 samples (one empty), the largest is 50 (rank ⌈8.55⌉ = 9). Memory from AvailableMemoryBytes of
    // 8 GiB: 25, 50, 75, (0 = not measured), 37.5, 62.5, 87.5, 12.5, 25, 50 → 9 samples, p95 87.5.
    check(
        s,
        &Expect {
            name: "db-01",
            line: 3,
            cpus: 8,
            memory_gib: "8",
            disk_gib: Some("500"),
            disk_used_gib: Some("300"),
            os_target: "Rocky Linux 8",
            cpu: Some("50"),
            mem: Some("87.5"),
            tags: &[("ip_addresses", "10.0.0.21;192.168.5.21")],
            notes: &[
                PHYSICAL,
                "disk sizes from diskInfo.csv (1 disk); used space from vmInfo.csv (diskInfo.csv gives it for 0 of them)",
                "utilization is the nearest-rank p95 of perfInfo.csv samples (CPU: 9, memory: 9)",
            ],
        },
    );
}

fn check_unnamed(s: &Server) {
    check(
        s,
        &Expect {
            name: "i-0abc123",
            line: 5,
            cpus: 2,
            memory_gib: "2",
            disk_gib: Some("30"),
            disk_used_gib: None,
            os_target: "Ubuntu 22.04",
            cpu: None,
            mem: None,
            tags: &[],
            notes: &["MachineName is empty: named after its MachineId"],
        },
    );
}

#[test]
fn template_tables_join_on_machine_id() {
    let inv = parse_folder("basic", &ReadOptions::default()).expect("valid");
    assert_eq!((inv.file.as_str(), inv.format.as_str()), ("vmInfo.csv", FORMAT));
    assert_eq!(inv.servers.len(), 3);
    check_web01(&inv.servers[0]);
    check_db01(&inv.servers[1]);
    check_unnamed(&inv.servers[2]);
    assert_eq!(
        inv.left_out,
        [LeftOut {
            name: "win-01".into(),
            location: "vmInfo.csv:4".into(),
            reason: "MachineStatus is 'stopped' (not running); powered-off machines are left out unless asked for"
                .into(),
        }]
    );
    assert_eq!(
        inv.ignored_columns,
        [
            "PrimaryMACAddress(optional)",
            "PublicIPAddress(optional)",
            "MachineTypeLabel(optional)",
            "HostingLocation(optional)",
            "OsType(optional)",
            "OsPublisher(optional)",
            "ProvisioningState(optional)",
            "CreateDate(optional)",
            "perfInfo.csv: DiskReadOperationsPerSec",
            "perfInfo.csv: DiskWriteOperationsPerSec",
            "perfInfo.csv: NetworkBytesPerSecSent",
            "perfInfo.csv: NetworkBytesPerSecReceived",
            "diskInfo.csv: DiskLabel",
            "diskInfo.csv: StorageTypeLabel",
        ]
    );
}

#[test]
fn powered_off_machines_are_planned_when_asked_for() {
    let opts = ReadOptions { include_powered_off: true, ..ReadOptions::default() };
    let inv = parse_folder("basic", &opts).expect("valid");
    assert!(inv.left_out.is_empty());
    let names: Vec<&str> = inv.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web-01", "db-01", "win-01", "i-0abc123"]);
    check(
        &inv.servers[2],
        &Expect {
            name: "win-01",
            line: 4,
            cpus: 2,
            memory_gib: "4",
            disk_gib: Some("80"),
            disk_used_gib: Some("20"),
            os_target: "Windows Server 2019",
            cpu: None,
            mem: None,
            tags: &[("env", "dev"), ("ip_addresses", "10.0.0.31")],
            notes: &["MachineStatus is 'stopped' (not running); planned because powered-off machines were asked for"],
        },
    );
}

#[test]
fn read_path_takes_a_folder_or_a_vminfo_file_and_finds_the_others_beside_it() {
    let folder = dir("basic");
    let by_folder = read_path(&folder, &ReadOptions::default()).expect("folder");
    let by_file = read_path(&folder.join("vmInfo.csv"), &ReadOptions::default()).expect("file");
    assert_eq!(by_folder.file, folder.join("vmInfo.csv").display().to_string());
    assert_eq!(by_folder.servers, by_file.servers);
    check_web01(&by_folder.servers[0]);
    check_db01(&by_folder.servers[1]);
    assert_eq!(by_folder.left_out[0].location, format!("{}:4", folder.join("vmInfo.csv").display()));
}

#[test]
fn read_path_matches_file_names_in_any_case_and_vminfo_alone_is_enough() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let basic = dir("basic");
    std::fs::copy(basic.join("vmInfo.csv"), tmp.path().join("VMINFO.CSV")).expect("copy");
    let alone = read_path(tmp.path(), &ReadOptions::default()).expect("vmInfo alone");
    assert_eq!(alone.servers[0].disk_gib, Some(d("100")), "vmInfo totals without diskInfo");
    assert_eq!(alone.servers[0].disk_used_gib, Some(d("40")));
    assert_eq!(alone.servers[0].cpu_util_p95, None);
    assert_eq!(alone.servers[0].notes, Vec::<String>::new());
    std::fs::copy(basic.join("diskInfo.csv"), tmp.path().join("DiskInfo.csv")).expect("copy");
    let with_disks = read_path(&tmp.path().join("VMINFO.CSV"), &ReadOptions::default()).expect("with disks");
    assert_eq!(with_disks.servers[0].disk_gib, Some(d("200")));

    let empty = tempfile::tempdir().expect("temp dir");
    let err = read_path(empty.path(), &ReadOptions::default()).expect_err("no vmInfo");
    assert_eq!(
        problems(err),
        [format!(
            "{}: no vmInfo.csv in this folder; a Migration Center import needs vmInfo.csv (perfInfo.csv, diskInfo.csv and tagInfo.csv are optional)",
            empty.path().display()
        )]
    );
    match read_path(&empty.path().join("vmInfo.csv"), &ReadOptions::default()) {
        Err(Error::Io { path, .. }) => assert_eq!(path, empty.path().join("vmInfo.csv")),
        other => panic!("expected an IO error naming the path, got {other:?}"),
    }
}

#[test]
fn every_problem_of_every_file_in_one_run() {
    let err = parse_folder("malformed", &ReadOptions::default()).expect_err("invalid");
    let unknown_os = "'BeOS' is not an OS rocklift knows; expected a Linux (CentOS, RHEL, Rocky, AlmaLinux, Oracle Linux, Ubuntu, Debian, SUSE, ...) or Windows Server name";
    assert_eq!(
        problems(err),
        [
            "vmInfo.csv:3: column 'AllocatedProcessorCoreCount': 'two' is not a number; expected a number of cores, such as 4".to_owned(),
            "vmInfo.csv:4: column 'MachineId': 'm1' is also the MachineId on line 2; MachineIds must be unique".to_owned(),
            "vmInfo.csv:5: column 'MemoryGiB': is 0; expected memory in GiB, such as 16".to_owned(),
            format!("vmInfo.csv:5: column 'OsName': {unknown_os}"),
            "vmInfo.csv:5: column 'IsPhysical': 'maybe' is not true or false".to_owned(),
            "vmInfo.csv:6: column 'MachineName': 'ok-1' is also the MachineName on line 2; names of planned machines must be unique".to_owned(),
            "perfInfo.csv:3: column 'TimeStamp': 'yesterday' is not a timestamp; expected ISO 8601 such as 2024-05-01T13:00:00Z".to_owned(),
            "perfInfo.csv:4: column 'CpuUtilizationPercentage': '120' is above 100; expected a percentage from 0 to 100, such as 35".to_owned(),
            "perfInfo.csv:5: column 'MachineId': 'mX' is not a MachineId in vmInfo.csv (2 rows name it); fix the id or remove its rows".to_owned(),
            "perfInfo.csv:7: column 'MachineId': is empty; expected the MachineId of a machine in vmInfo.csv".to_owned(),
            "diskInfo.csv:2: column 'SizeInGib': is empty; expected the disk size in GiB, such as 100".to_owned(),
            "diskInfo.csv:3: column 'MachineId': 'm9' is not a MachineId in vmInfo.csv; fix the id or remove its rows".to_owned(),
            "tagInfo.csv:2: column 'Key': is empty; expected a tag key such as env".to_owned(),
            "tagInfo.csv:4: column 'Key': 'env' is also given for this MachineId on line 3; keep one".to_owned(),
        ]
    );
}

const VM_HEADER: &str = "MachineId;MachineName;PrimaryIPAddress;IpAddressListSemiColonDelimited;AllocatedProcessorCoreCount;MemoryMiB;OsName;OsVersion;MachineStatus";

#[test]
fn semicolon_files_quoted_ip_lists_mib_memory_and_utilized_bytes() {
    // `;` as delimiter: the IP list must be quoted; memory in MiB (Google's AWS export script).
    let vm = format!("{VM_HEADER}\r\nm1;app;10.1.0.5;\"10.1.0.5;10.1.0.6\";2;3072;Rocky Linux;9.3;running\r\n\r\n");
    let perf = "MachineId,TimeStamp,CpuUtilizationPercentage,MemoryUtilizationPercentage,UtilizedMemoryBytes\n\
                m1,2024-05-01T00:00:00+02:00,10,,1610612736\n\
                m1,2024-05-01 01:00:00,20,,3221225472\n\
                m1,2024-05-01,30,40,\n";
    let inv = parse_files(
        ("vm.csv", vm.as_bytes()),
        Some(("perf.csv", perf.as_bytes())),
        None,
        None,
        &ReadOptions::default(),
    )
    .expect("valid");
    let s = &inv.servers[0];
    assert_eq!((s.name.as_str(), s.cpus, s.memory_gib), ("app", 2, d("3")));
    assert_eq!(s.os.target, "Rocky Linux 9");
    assert_eq!(s.tags.get("ip_addresses").map(String::as_str), Some("10.1.0.5;10.1.0.6"));
    // Memory: 1.5 of 3 GiB = 50%, 3 of 3 = 100%, and 40% given → p95 of [40, 50, 100] is 100.
    assert_eq!((s.cpu_util_p95, s.mem_util_p95), (Some(d("30")), Some(d("100"))));
    assert_eq!(s.notes, ["utilization is the nearest-rank p95 of perf.csv samples (CPU: 3, memory: 3)"]);
    assert!(inv.ignored_columns.is_empty(), "{:?}", inv.ignored_columns);

    // Unquoted, the list splits the row.
    let vm = format!("{VM_HEADER}\nm1;app;10.1.0.5;10.1.0.5;10.1.0.6;2;3072;Rocky Linux;9.3;running\n");
    let err = parse_files(("vm.csv", vm.as_bytes()), None, None, None, &ReadOptions::default()).expect_err("split");
    assert_eq!(
        problems(err),
        ["vm.csv:2: has 10 fields, the header has 9; check the delimiter and quotes (a value with ';' must be in double quotes)"]
    );
}

#[test]
fn missing_columns_and_both_memory_units_are_header_problems() {
    let vm = "MachineId,MachineName,MemoryGiB,MemoryMiB,OsName\nm1,a,4,4096,Ubuntu\n";
    let tag = "MachineId,Label\nm1,x\n";
    // vmInfo.csv cannot be read: the other files are still checked, without "not a MachineId" noise.
    let perf = "MachineId,TimeStamp,CpuUtilizationPercentage\nm1,2024-05-01T00:00:00Z,5\nm7,someday,5\n";
    let err = parse_files(
        ("vm.csv", vm.as_bytes()),
        Some(("perf.csv", perf.as_bytes())),
        None,
        Some(("tag.csv", tag.as_bytes())),
        &ReadOptions::default(),
    )
    .expect_err("invalid");
    assert_eq!(
        problems(err),
        [
            "vm.csv:1: column 'MemoryMiB': names the same data as column 'MemoryGiB'; keep one of them",
            "vm.csv:1: required column 'AllocatedProcessorCoreCount' is missing; the header has: MachineId, MachineName, MemoryGiB, MemoryMiB, OsName",
            "perf.csv:3: column 'TimeStamp': 'someday' is not a timestamp; expected ISO 8601 such as 2024-05-01T13:00:00Z",
            "tag.csv:1: required column 'Key' is missing; the header has: MachineId, Label",
            "tag.csv:1: required column 'Value' is missing; the header has: MachineId, Label",
        ]
    );
}

#[test]
fn sniffing_vminfo() {
    let h = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let template = "MachineId,MachineName,PrimaryIPAddress(optional),AllocatedProcessorCoreCount,MemoryGiB,OsName";
    assert_eq!(sniff(&h(&template.split(',').collect::<Vec<_>>())), Ok(()));
    assert_eq!(
        sniff(&h(&["Server Name", "CPU Cores", "Memory (MB)"])),
        Err("not a Migration Center vmInfo.csv: no column 'MachineId', 'AllocatedProcessorCoreCount', 'MemoryGiB'"
            .into())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_files_never_panic(
        vm in proptest::collection::vec(any::<u8>(), 0..300),
        perf in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let _ = parse_files(("v", &vm), Some(("p", &perf)), Some(("d", &perf)), Some(("t", &vm)), &ReadOptions::default());
    }

    #[test]
    fn arbitrary_perf_cells_never_panic_and_p95_stays_a_percentage(
        rows in proptest::collection::vec(
            (
                prop_oneof![Just("m1".to_owned()), Just("m2".to_owned()), Just(String::new())],
                prop_oneof![Just("2024-05-01T00:00:00Z".to_owned()), Just("x".to_owned()), Just(String::new())],
                prop_oneof![Just(String::new()), Just("101".to_owned()), Just("-1".to_owned()), "[0-9]{1,2}(\\.[0-9])?"],
                prop_oneof![Just(String::new()), Just("0".to_owned()), Just("99999999999999999999".to_owned()), "[0-9]{1,10}"],
            ),
            0..40,
        )
    ) {
        let vm = "MachineId,MachineName,AllocatedProcessorCoreCount,MemoryGiB,OsName\nm1,a,2,4,Ubuntu\n";
        let mut perf = String::from("MachineId,TimeStamp,CpuUtilizationPercentage,AvailableMemoryBytes\n");
        for (id, ts, cpu, avail) in &rows {
            perf.push_str(&format!("{id},{ts},{cpu},{avail}\n"));
        }
        match parse_files(("vm.csv", vm.as_bytes()), Some(("perf.csv", perf.as_bytes())), None, None, &ReadOptions::default()) {
            Ok(inv) => {
                let s = &inv.servers[0];
                prop_assert!(s.cpu_util_p95.is_none_or(|v| v <= Decimal::ONE_HUNDRED));
                prop_assert!(s.mem_util_p95.is_none_or(|v| v >= Decimal::ZERO && v <= Decimal::ONE_HUNDRED));
            }
            Err(Error::Invalid(p)) => prop_assert!(p.iter().all(|p| p.file == "perf.csv" && p.line >= 2)),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }
}
