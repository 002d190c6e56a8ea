//! The RVTools reader on real and built exports: a real RVTools 4.x workbook
//! (`tests/fixtures/rvtools/example1.xlsx`), fixtures written by `scripts/make-rvtools-fixtures.py`
//! (`tests/fixtures/rvtools/`: an awkward 4.x workbook, a 3.x workbook with `MB` headers, an "Export
//! all to csv" folder and zip, malformed files), and small CSV exports written here. Every figure is
//! derived by hand from the cells, in the comments next to it.

mod common;

use std::path::{Path, PathBuf};

use rocklift::error::Problem;
use rocklift::inventory::rvtools::{self, parse_xlsx, read_path, sniff_csv_header, sniff_xlsx_sheets, FORMAT};
use rocklift::inventory::{HostInfo, Inventory, OsFamily, ReadOptions, Server};
use rocklift::Error;
use rust_decimal::Decimal;

fn fixture(name: &str) -> PathBuf {
    common::repo().join("tests").join("fixtures").join("rvtools").join(name)
}

fn example1() -> PathBuf {
    common::repo().join("tests/fixtures/rvtools/example1.xlsx")
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

const DEFAULT: ReadOptions = ReadOptions { include_powered_off: false, include_templates: false };
const ALL: ReadOptions = ReadOptions { include_powered_off: true, include_templates: true };

fn read(path: &Path, opts: &ReadOptions) -> Inventory {
    read_path(path, opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn problems(path: &Path, opts: &ReadOptions) -> Vec<Problem> {
    match read_path(path, opts) {
        Err(Error::Invalid(p)) => p,
        Err(e) => panic!("{}: expected located problems, got {e}", path.display()),
        Ok(inv) => panic!("{}: expected problems, read {} servers", path.display(), inv.servers.len()),
    }
}

fn rendered(path: &Path) -> Vec<String> {
    problems(path, &DEFAULT).iter().map(|p| p.to_string()).collect()
}

/// (name, line, cpus, memory GiB, disk GiB, used GiB, OS text, OS target)
type Row<'a> = (&'a str, u64, u32, &'a str, Option<&'a str>, Option<&'a str>, &'a str, &'a str);

fn summary(s: &Server) -> (String, u64, u32, Decimal, Option<Decimal>, Option<Decimal>, String, String) {
    (s.name.clone(), s.line, s.cpus, s.memory_gib, s.disk_gib, s.disk_used_gib, s.os.text.clone(), s.os.target.clone())
}

fn assert_servers(inv: &Inventory, expected: &[Row<'_>]) {
    let got: Vec<_> = inv.servers.iter().map(summary).collect();
    let want: Vec<_> = expected
        .iter()
        .map(|(n, l, c, m, dk, u, t, tg)| {
            (n.to_string(), *l, *c, d(m), dk.map(d), u.map(d), t.to_string(), tg.to_string())
        })
        .collect();
    assert_eq!(got, want);
}

fn left_out(inv: &Inventory) -> Vec<(String, String, String)> {
    inv.left_out.iter().map(|l| (l.name.clone(), l.location.clone(), l.reason.clone())).collect()
}

fn tags(s: &Server) -> Vec<(String, String)> {
    s.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// Plain defaults every RVTools server has: no utilization, role default, count 1, nothing else.
fn assert_plain(s: &Server) {
    assert_eq!((s.cpu_util_p95, s.mem_util_p95), (None, None), "{}", s.name);
    assert_eq!((s.role.as_str(), s.count, s.gpus, s.public), ("default", 1, 0, false), "{}", s.name);
    assert_eq!((s.gpu_model.as_ref(), s.arch, s.schedule.as_ref()), (None, None, None), "{}", s.name);
    assert!(s.ports.is_empty() && s.egress_gib_month.is_zero(), "{}", s.name);
    assert_eq!((s.disk_iops, s.disk_throughput_mbps), (None, None), "{}", s.name);
}

const POWERED_OFF: &str = "powered off; powered-off VMs are planned only when asked for";
const TEMPLATE: &str = "a VM template (Template is True); templates are planned only when asked for";

// --- the real RVTools 4.x export --------------------------------------------------------------------

#[test]
fn example1_powered_on_vms_with_cpus_memory_disks_and_os() {
    let path = example1();
    let inv = read(&path, &DEFAULT);
    assert_eq!((inv.format.as_str(), FORMAT), ("rvtools", "rvtools"));
    assert_eq!(inv.file, path.display().to_string());
    // vInfo rows 4 (vm-3) and 9 (vm-8) are the powered-on VMs with a configuration; row 10 (vm-9) is
    // powered on but its CPUs and Memory are empty.
    // vm-3: CPUs 3; Memory 3526 MiB / 1024 = 3.443359375; vDisk row 3 has its VM ID vm-105889:
    //   524288 MiB = 512 GiB; vPartition (no VM ID/UUID column: by name) row 4 "vm-3": consumed 701 MiB
    //   = 0.6845703125 GiB; Tools OS "Debian GNU/Linux 9 (64-bit)" (config file says Debian 7).
    // vm-8: CPUs 13; Memory 34321 / 1024 = 33.5166015625; vDisk rows 8 and 9 carry its VM ID
    //   vm-107051: 102400 + 102400 = 204800 MiB = 200 GiB (vInfo Provisioned MiB 245873 is not used);
    //   vPartition row 9 "vm-8": 45082 MiB = 44.025390625 GiB; Tools OS RHEL 8 (config file says 9).
    assert_servers(
        &inv,
        &[
            (
                "vm-3",
                4,
                3,
                "3.443359375",
                Some("512"),
                Some("0.6845703125"),
                "Debian GNU/Linux 9 (64-bit)",
                "Debian GNU/Linux 9 (64-bit)",
            ),
            (
                "vm-8",
                9,
                13,
                "33.5166015625",
                Some("200"),
                Some("44.025390625"),
                "Red Hat Enterprise Linux 8 (64-bit)",
                "Rocky Linux 8",
            ),
        ],
    );
    assert_eq!(inv.servers[0].os.family, OsFamily::OtherLinux);
    assert_eq!(inv.servers[1].os.family, OsFamily::Rhel);
    assert_eq!(
        tags(&inv.servers[1]),
        pairs(&[
            ("vmware:cluster", "Cluster"),
            ("vmware:datacenter", "Datacenter"),
            ("vmware:host", "10.41.187.30"),
            ("vmware:vm-id", "vm-107051"),
            ("vmware:vm-uuid", "500b80af-5eec-8bd2-b883-ba22e1164e2b"),
        ])
    );
    for s in &inv.servers {
        assert_plain(s);
        assert_eq!(
            s.notes,
            vec!["used disk from vPartition rows matched by VM name (vInfo and vPartition share no 'VM ID' or 'VM UUID' column)".to_string()]
        );
    }
    let at = |row: u64| format!("{}: sheet 'vInfo' row {row}", path.display());
    let no_config = "no configuration to size: 'CPUs' is empty and 'Memory' is empty (RVTools leaves these empty when it cannot read a VM, e.g. an inaccessible or orphaned VM)";
    let mut expected_left: Vec<(String, String, String)> = [(1, 2), (2, 3), (4, 5), (5, 6), (6, 7), (7, 8)]
        .iter()
        .map(|(n, row)| (format!("vm-{n}"), at(*row), POWERED_OFF.to_string()))
        .collect();
    expected_left.push(("vm-9".into(), at(10), no_config.into()));
    assert_eq!(left_out(&inv), expected_left);
    // vHost: 7 hosts (rows 2-8 of ~1000 styled rows); all Gold 5218, 2 sockets, 32 cores, HT on,
    // # Memory 261797 MiB = 255.6611328125 GiB.
    assert_eq!(inv.hosts.len(), 7);
    assert_eq!(
        inv.hosts[0],
        HostInfo {
            name: "10.17.135.71".into(),
            cluster: Some("Cluster".into()),
            cpu_model: Some("Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz".into()),
            sockets: Some(2),
            cores: Some(32),
            hyperthreading: Some(true),
            memory_gib: Some(d("255.6611328125")),
        }
    );
    assert_eq!(inv.hosts[6].name, "10.144.66.242");
    assert!(inv.ignored_columns.contains(&"Overall Cpu Readiness".to_string()));
    assert!(!inv.ignored_columns.contains(&"CPUs".to_string()));
}

#[test]
fn example1_with_powered_off_vms() {
    let inv = read(&example1(), &ReadOptions { include_powered_off: true, include_templates: false });
    let names: Vec<&str> = inv.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5", "vm-6", "vm-7", "vm-8"]);
    // vm-2 (row 3, VM ID vm-92137): no vDisk row has its ID → vInfo Provisioned MiB 4332 / 1024 =
    // 4.23046875; vPartition "vm-2" consumed 1589 → 1.5517578125. Config OS "Red Hat Fedora (32-bit)"
    // is Fedora (VMware's name), not RHEL.
    let vm2 = &inv.servers[1];
    assert_eq!(
        summary(vm2),
        (
            "vm-2".to_string(),
            3,
            2,
            d("1.998046875"),
            Some(d("4.23046875")),
            Some(d("1.5517578125")),
            "Red Hat Fedora (32-bit)".to_string(),
            "Red Hat Fedora (32-bit)".to_string()
        )
    );
    assert_eq!(vm2.os.family, OsFamily::OtherLinux);
    assert_eq!(vm2.notes[0], "powered off in vCenter; planned because powered-off VMs were asked for");
    // vm-4 (row 5): RHEL 9 from the configuration file (no Tools OS when off) → Rocky 9; vDisk row 4
    // (vm-65987) 102400 MiB = 100 GiB; Memory 17230 / 1024 = 16.826171875.
    assert_eq!(
        summary(&inv.servers[3]),
        (
            "vm-4".to_string(),
            5,
            8,
            d("16.826171875"),
            Some(d("100")),
            Some(d("2.83203125")),
            "Red Hat Enterprise Linux 9 (64-bit)".to_string(),
            "Rocky Linux 9".to_string()
        )
    );
    assert_eq!(left_out(&inv).len(), 1);
    assert_eq!(inv.left_out[0].name, "vm-9");
}

// --- RVTools 4.x workbook with the awkward parts --------------------------------------------------------

#[test]
fn awkward_xlsx_reads_text_numbers_booleans_dates_and_skips_styled_rows() {
    let path = fixture("awkward.xlsx");
    let inv = read(&path, &DEFAULT);
    // Row 3 and rows 11-210 are styled but empty; row 4 has CPUs "8", Memory "32,768" and
    // Template "FALSE" as text; dates are Excel serials; there is no vHost sheet.
    // web-01: vDisk (VM ID) 40960 + "61440" = 102400 MiB = 100 GiB; vPartition (VM UUID) 12000 + 30000
    //   = 42000 MiB = 41.015625 GiB; CentOS 7 → Rocky 8.
    // db-01: 102400 + 409600 = 512000 MiB = 500 GiB; 20480 + "204,800" = 225280 MiB = 220 GiB; Tools
    //   OS RHEL 8 wins over the configuration file's RHEL 7.
    // app-01 twice (rows 6, 7; VM IDs vm-104, vm-205): 81920 → 80, 40960 → 40; 51200 → 50, 10240 → 10.
    // lab-01: suspended, no vDisk/vPartition rows: Provisioned 20480 → 20, In Use 15360 → 15.
    assert_servers(
        &inv,
        &[
            ("web-01", 2, 4, "8", Some("100"), Some("41.015625"), "CentOS 7 (64-bit)", "Rocky Linux 8"),
            ("db-01", 4, 8, "32", Some("500"), Some("220"), "Red Hat Enterprise Linux 8 (64-bit)", "Rocky Linux 8"),
            (
                "app-01 (vm-104)",
                6,
                2,
                "6",
                Some("80"),
                Some("40"),
                "Microsoft Windows Server 2019 (64-bit)",
                "Windows Server 2019",
            ),
            ("app-01 (vm-205)", 7, 2, "4", Some("50"), Some("10"), "Ubuntu Linux (64-bit)", "Ubuntu Linux (64-bit)"),
            (
                "lab-01",
                10,
                2,
                "3",
                Some("20"),
                Some("15"),
                "Other 3.x or later Linux (64-bit)",
                "Linux (distribution not named)",
            ),
        ],
    );
    for s in &inv.servers {
        assert_plain(s);
    }
    assert!(inv.servers[0].notes.is_empty() && inv.servers[1].notes.is_empty());
    assert_eq!(
        inv.servers[2].notes,
        ["the VM name 'app-01' is on 2 vInfo rows (vCenter allows one name in different folders); named 'app-01 (vm-104)' here to keep names unique"]
    );
    assert_eq!(
        inv.servers[4].notes,
        ["suspended in vCenter (it resumes where it stopped, it is not retired); planned as a running VM",]
    );
    let at = |row: u64| format!("{}: sheet 'vInfo' row {row}", path.display());
    assert_eq!(
        left_out(&inv),
        vec![
            ("tmpl-rhel9".to_string(), at(5), TEMPLATE.to_string()),
            ("old-app".to_string(), at(8), POWERED_OFF.to_string()),
            (
                "photon-appliance".to_string(),
                at(9),
                "OS 'VMware Photon OS (64-bit)' is not one rocklift can plan (it plans Linux and Windows Server VMs)"
                    .to_string()
            ),
        ]
    );
    assert!(inv.hosts.is_empty(), "no vHost sheet");
    assert_eq!(inv.ignored_columns.first().map(String::as_str), Some("SRM Placeholder"));
    assert!(inv.ignored_columns.contains(&"owner".to_string()));
}

#[test]
fn awkward_xlsx_with_templates_and_powered_off_vms() {
    let inv = read(&fixture("awkward.xlsx"), &ALL);
    let names: Vec<&str> = inv.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web-01", "db-01", "tmpl-rhel9", "app-01 (vm-104)", "app-01 (vm-205)", "old-app", "lab-01"]);
    // tmpl-rhel9: vDisk 40960 → 40 GiB; no vPartition row → In Use 8192 → 8; RHEL 9 → Rocky 9.
    let t = &inv.servers[2];
    assert_eq!((t.disk_gib, t.disk_used_gib, t.os.target.as_str()), (Some(d("40")), Some(d("8")), "Rocky Linux 9"));
    assert_eq!(t.notes, ["a VM template in vCenter; planned because templates were asked for"]);
    // old-app: no vDisk row → Provisioned 30720 → 30; In Use 10240 → 10; RHEL 6 → Rocky 8.
    let o = &inv.servers[5];
    assert_eq!((o.disk_gib, o.disk_used_gib, o.os.target.as_str()), (Some(d("30")), Some(d("10")), "Rocky Linux 8"));
    assert_eq!(o.notes, ["powered off in vCenter; planned because powered-off VMs were asked for"]);
    assert_eq!(inv.left_out.len(), 1, "the Photon appliance stays out whatever the options");
    // Templates alone: the template is planned, the powered-off VM is not.
    let only_templates =
        read(&fixture("awkward.xlsx"), &ReadOptions { include_powered_off: false, include_templates: true });
    assert!(only_templates.servers.iter().any(|s| s.name == "tmpl-rhel9"));
    assert!(only_templates.left_out.iter().any(|l| l.name == "old-app"));
}

// --- RVTools 3.x workbook: MB headers, fewer columns ------------------------------------------------------

#[test]
fn old_xlsx_with_mb_headers_and_fewer_columns() {
    let path = fixture("old-3x.xlsx");
    let inv = read(&path, &DEFAULT);
    // No Template column; OS in "OS"; "Provisioned MB"/"In Use MB"; vDisk "Capacity MB" joined on
    // "UUID"; vPartition with Capacity MB and Free MB only (used = capacity - free), joined by name.
    // FILESRV01: vDisk 40960 + 153600 = 194560 MiB = 190 GiB; vPartition (40857 - 10000) +
    //   (153597 - 53597) = 130857 MiB = 127.7900390625 GiB.
    // LNXAPP01: 102400 → 100; 102000 - 51000 = 51000 MiB = 49.8046875 GiB; RHEL 6 → Rocky 8.
    // SLES01: no vDisk/vPartition rows: Provisioned MB 61440 → 60, In Use MB 20480 → 20.
    assert_servers(
        &inv,
        &[
            (
                "FILESRV01",
                2,
                2,
                "4",
                Some("190"),
                Some("127.7900390625"),
                "Microsoft Windows Server 2008 R2 (64-bit)",
                "Windows Server 2022",
            ),
            (
                "LNXAPP01",
                3,
                4,
                "16",
                Some("100"),
                Some("49.8046875"),
                "Red Hat Enterprise Linux 6 (64-bit)",
                "Rocky Linux 8",
            ),
            (
                "SLES01",
                5,
                2,
                "8",
                Some("60"),
                Some("20"),
                "SUSE Linux Enterprise 11 (64-bit)",
                "SUSE Linux Enterprise 11 (64-bit)",
            ),
        ],
    );
    assert_eq!(
        tags(&inv.servers[2]),
        pairs(&[
            ("vmware:cluster", "Legacy"),
            ("vmware:datacenter", "Legacy-DC"),
            ("vmware:host", "esx02.legacy.local"),
            ("vmware:vm-id", "vm-24"),
            ("vmware:vm-uuid", "42300000-0000-0000-0000-000000000024"),
        ])
    );
    assert_eq!(
        inv.servers[0].notes,
        ["used disk from vPartition rows matched by VM name (vInfo and vPartition share no 'VM ID' or 'VM UUID' column)"]
    );
    assert!(inv.servers[2].notes.is_empty(), "nothing matched by name for SLES01");
    assert_eq!(
        left_out(&inv),
        vec![("LNXAPP02".to_string(), format!("{}: sheet 'vInfo' row 4", path.display()), POWERED_OFF.to_string())]
    );
    // vHost: # Memory 131039 MiB = 127.9677734375 GiB; esx02 has no "# Cores": 2 sockets × 10.
    assert_eq!(
        inv.hosts,
        vec![
            HostInfo {
                name: "esx01.legacy.local".into(),
                cluster: Some("Legacy".into()),
                cpu_model: Some("Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz".into()),
                sockets: Some(2),
                cores: Some(20),
                hyperthreading: Some(true),
                memory_gib: Some(d("127.9677734375")),
            },
            HostInfo {
                name: "esx02.legacy.local".into(),
                cluster: Some("Legacy".into()),
                cpu_model: Some("Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz".into()),
                sockets: Some(2),
                cores: Some(20),
                hyperthreading: Some(false),
                memory_gib: Some(d("63.9677734375")),
            },
        ]
    );
}

// --- "Export all to csv": folder, zip, lone vInfo ---------------------------------------------------------

/// The two planned VMs of `tests/fixtures/rvtools/csv-export`.
/// web, frontend (line 2; its Annotation runs over lines 2-3): vDisk 61440 → 60 GiB; vPartition 25600
///   → 25 GiB; Tools OS "Ubuntu 22.04.4 LTS".
/// mail01 (line 4): Memory "16,384" → 16 GiB; vDisk 40960 + "102,400" = 143360 MiB = 140 GiB;
///   vPartition 30720 + "71,680" = 102400 MiB = 100 GiB.
fn assert_csv_export(inv: &Inventory) {
    assert_servers(
        inv,
        &[
            ("web, frontend", 2, 2, "4", Some("60"), Some("25"), "Ubuntu 22.04.4 LTS", "Ubuntu 22.04"),
            (
                "mail01",
                4,
                4,
                "16",
                Some("140"),
                Some("100"),
                "Microsoft Windows Server 2016 (64-bit)",
                "Windows Server 2016",
            ),
        ],
    );
    for s in &inv.servers {
        assert_plain(s);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
    }
    // vHost: # Memory "262,044" MiB = 255.90234375 GiB.
    assert_eq!(
        inv.hosts.iter().map(|h| (h.name.as_str(), h.cores, h.hyperthreading, h.memory_gib)).collect::<Vec<_>>(),
        vec![
            ("esx11.corp.local", Some(16), Some(true), Some(d("255.90234375"))),
            ("esx12.corp.local", Some(16), Some(false), Some(d("255.90234375"))),
        ]
    );
}

#[test]
fn csv_export_folder_with_bom_crlf_and_quoted_multiline_cells() {
    let dir = fixture("csv-export");
    let bytes = std::fs::read(dir.join("RVTools_tabvInfo.csv")).expect("read");
    assert!(bytes.starts_with(b"\xef\xbb\xbfVM,") && bytes.windows(2).any(|w| w == b"\r\n"), "fixture is BOM + CRLF");
    let inv = read(&dir, &DEFAULT);
    assert_eq!(inv.file, dir.display().to_string());
    assert_csv_export(&inv);
    let vinfo = dir.join("RVTools_tabvInfo.csv");
    assert_eq!(left_out(&inv), vec![("dev01".to_string(), format!("{}:5", vinfo.display()), POWERED_OFF.to_string())]);
}

#[test]
fn csv_export_zip_reads_like_the_folder() {
    let path = fixture("csv-export.zip");
    let inv = read(&path, &DEFAULT);
    assert_eq!(inv.file, path.display().to_string());
    assert_csv_export(&inv);
    assert_eq!(
        inv.left_out[0].location,
        format!("{}: sheet 'RVTools_export_all_2024-06-28_04.55.40/RVTools_tabvInfo.csv' row 5", path.display())
    );
    let folder = read(&fixture("csv-export"), &ALL);
    let zipped = read(&path, &ALL);
    assert_eq!(folder.servers, zipped.servers);
    // dev01 with powered-off VMs: Rocky Linux with no version → Rocky 9; vDisk 20480 → 20 GiB; no
    // vPartition row → In Use 8000 MiB = 7.8125 GiB.
    let dev = &zipped.servers[2];
    assert_eq!(
        (dev.name.as_str(), dev.disk_gib, dev.disk_used_gib, dev.os.target.as_str()),
        ("dev01", Some(d("20")), Some(d("7.8125")), "Rocky Linux 9")
    );
}

#[test]
fn lone_vinfo_csv_has_no_disks_from_other_sheets_and_no_hosts() {
    let inv = read(&fixture("csv-export").join("RVTools_tabvInfo.csv"), &DEFAULT);
    // Provisioned MiB 65536 → 64, In Use MiB 30000 → 29.296875; 147456 → 144, 120000 → 117.1875.
    assert_servers(
        &inv,
        &[
            ("web, frontend", 2, 2, "4", Some("64"), Some("29.296875"), "Ubuntu 22.04.4 LTS", "Ubuntu 22.04"),
            (
                "mail01",
                4,
                4,
                "16",
                Some("144"),
                Some("117.1875"),
                "Microsoft Windows Server 2016 (64-bit)",
                "Windows Server 2016",
            ),
        ],
    );
    assert!(inv.hosts.is_empty());
}

/// Write `files` into a fresh temporary folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

#[test]
fn semicolon_delimiter_lf_and_no_bom() {
    let dir = folder(&[(
        "RVTools_tabvInfo.csv",
        "VM;Powerstate;Template;CPUs;Memory;Provisioned MiB;OS according to the configuration file\n\
         a;poweredOn;False;2;1536;10240;CentOS 8 (64-bit)\n",
    )]);
    let inv = read(dir.path(), &DEFAULT);
    assert_servers(&inv, &[("a", 2, 2, "1.5", Some("10"), None, "CentOS 8 (64-bit)", "Rocky Linux 8")]);
}

#[test]
fn duplicate_names_without_ids_and_name_joins_that_would_be_ambiguous() {
    let dir = folder(&[
        (
            "RVTools_tabvInfo.csv",
            "VM,Powerstate,CPUs,Memory,Provisioned MiB,OS according to the configuration file\r\n\
             web,poweredOn,1,1024,5120,CentOS 7 (64-bit)\r\n\
             web,poweredOn,2,2048,6144,CentOS 7 (64-bit)\r\n\
             db,poweredOn,4,4096,7168,CentOS 7 (64-bit)\r\n",
        ),
        ("RVTools_tabvDisk.csv", "VM,Capacity MiB\r\nweb,99999\r\ndb,10240\r\ndb,10240\r\n"),
    ]);
    let inv = read(dir.path(), &DEFAULT);
    // The two "web" rows cannot be told apart in vDisk: both keep vInfo Provisioned MiB (5120 → 5,
    // 6144 → 6); db matches by name: 10240 + 10240 = 20480 MiB = 20 GiB.
    assert_servers(
        &inv,
        &[
            ("web (row 2)", 2, 1, "1", Some("5"), None, "CentOS 7 (64-bit)", "Rocky Linux 8"),
            ("web (row 3)", 3, 2, "2", Some("6"), None, "CentOS 7 (64-bit)", "Rocky Linux 8"),
            ("db", 4, 4, "4", Some("20"), None, "CentOS 7 (64-bit)", "Rocky Linux 8"),
        ],
    );
    assert_eq!(
        inv.servers[0].notes,
        [
            "vDisk rows not used: vInfo and vDisk share no 'VM ID' or 'VM UUID' column, and another vInfo row has the same VM name; disk capacity from vInfo provisioned MiB instead",
            "the VM name 'web' is on 2 vInfo rows (vCenter allows one name in different folders); named 'web (row 2)' here to keep names unique",
        ]
    );
    assert_eq!(
        inv.servers[2].notes,
        ["disk capacity from vDisk rows matched by VM name (vInfo and vDisk share no 'VM ID' or 'VM UUID' column)"]
    );
    assert!(inv.left_out.is_empty());
}

#[test]
fn vm_id_join_falls_back_to_the_name_for_a_vm_without_an_id() {
    let dir = folder(&[
        (
            "RVTools_tabvInfo.csv",
            "VM,Powerstate,CPUs,Memory,OS according to the VMware Tools,VM ID\n\
             a,poweredOn,1,1024,Ubuntu Linux (64-bit),vm-1\n\
             b,poweredOn,1,1024,Ubuntu Linux (64-bit),\n",
        ),
        ("RVTools_tabvDisk.csv", "VM,Capacity MiB,VM ID\nrenamed-a,2048,vm-1\nb,3072,vm-2\n"),
    ]);
    let inv = read(dir.path(), &DEFAULT);
    assert_eq!(inv.servers[0].disk_gib, Some(d("2")), "a joins on VM ID whatever vDisk calls it");
    assert!(inv.servers[0].notes.is_empty());
    assert_eq!(inv.servers[1].disk_gib, Some(d("3")));
    assert_eq!(
        inv.servers[1].notes,
        ["disk capacity from vDisk rows matched by VM name (this VM's 'VM ID' is empty in vInfo)"]
    );
}

#[test]
fn zero_cpus_empty_os_and_missing_powerstate_column() {
    let dir = folder(&[(
        "RVTools_tabvInfo.csv",
        "VM,CPUs,Memory,OS according to the configuration file,OS according to the VMware Tools\n\
         a,0,1024,CentOS 7 (64-bit),\n\
         b,1,1024,,\n\
         c,1,2048,,Microsoft Windows Server 2022 (64-bit)\n",
    )]);
    let inv = read(dir.path(), &DEFAULT);
    let file = dir.path().join("RVTools_tabvInfo.csv").display().to_string();
    assert_eq!(
        left_out(&inv),
        vec![
            (
                "a".to_string(),
                format!("{file}:2"),
                "no configuration to size: 'CPUs' is 0 (RVTools leaves these empty when it cannot read a VM, e.g. an inaccessible or orphaned VM)".to_string()
            ),
            (
                "b".to_string(),
                format!("{file}:3"),
                "no OS: 'OS according to the VMware Tools' and 'OS according to the configuration file' are both empty; rocklift plans only Linux and Windows Server VMs".to_string()
            ),
        ]
    );
    assert_eq!(inv.servers.len(), 1);
    assert_eq!(inv.servers[0].os.family, OsFamily::Windows);
    assert_eq!(inv.servers[0].notes, ["vInfo has no Powerstate column; planned as a running VM"]);
}

// --- malformed files: located problems, never a panic ---------------------------------------------------------

#[test]
fn bad_values_are_all_reported_with_sheet_row_and_column() {
    let path = fixture("bad-values.xlsx");
    let f = path.display();
    assert_eq!(
        rendered(&path),
        vec![
            format!("{f}: sheet 'vInfo' row 3: column 'CPUs': 'four' is not a number; expected the number of vCPUs, such as 4"),
            format!("{f}: sheet 'vInfo' row 4: column 'Template': 'maybe' is not True or False"),
            format!("{f}: sheet 'vInfo' row 4: column 'Memory': 'lots' is not a number; expected memory in MiB, such as 4096"),
            format!("{f}: sheet 'vInfo' row 5: column 'VM': is empty; every vInfo row needs the VM name"),
            format!("{f}: sheet 'vInfo' row 6: column 'Powerstate': 'sleeping' is not a power state; expected poweredOn, poweredOff or suspended"),
            format!("{f}: sheet 'vInfo' row 6: column 'Provisioned MiB': '-5' is negative; expected provisioned storage in MiB, such as 102400"),
            format!("{f}: sheet 'vDisk' row 2: column 'Capacity MiB': 'n/a' is not a number; expected the disk capacity in MiB, such as 102400"),
        ]
    );
    let first = &problems(&path, &DEFAULT)[0];
    assert_eq!(
        (first.file.as_str(), first.sheet.as_deref(), first.line, first.column.as_deref()),
        (f.to_string().as_str(), Some("vInfo"), 3, Some("CPUs"))
    );
}

#[test]
fn vinfo_without_a_vm_column() {
    let path = fixture("no-vm-column.xlsx");
    assert_eq!(
        rendered(&path),
        vec![format!(
            "{}: sheet 'vInfo' row 1: required column 'VM' is missing; an RVTools vInfo sheet has VM, Powerstate, Template, CPUs, Memory, ...; the header has: Name, Powerstate, Template, CPUs, Memory",
            path.display()
        )]
    );
}

#[test]
fn truncated_and_corrupt_workbooks_are_not_readable_xlsx() {
    let path = fixture("truncated.xlsx");
    let msgs = rendered(&path);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].starts_with(&format!("{}: is not a readable xlsx workbook (", path.display())), "{}", msgs[0]);
    for bytes in [&b""[..], b"hello", b"PK\x03\x04garbage", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls"] {
        match parse_xlsx("x.xlsx", bytes, &DEFAULT) {
            Err(Error::Invalid(p)) => {
                assert_eq!(p.len(), 1);
                assert!(p[0].to_string().starts_with("x.xlsx: is not a readable xlsx workbook ("), "{}", p[0]);
            }
            other => panic!("{bytes:?}: {other:?}"),
        }
    }
}

#[test]
fn workbook_without_vinfo_and_zip_without_vinfo() {
    let path = fixture("not-rvtools.xlsx");
    assert_eq!(
        rendered(&path),
        vec![format!(
            "{}: has no 'vInfo' sheet, so it is not an RVTools export (RVTools writes vInfo, vCPU, vMemory, vDisk, vPartition, vHost, ...); its sheets are: 'Sheet1'",
            path.display()
        )]
    );
    let path = fixture("no-vinfo.zip");
    assert_eq!(
        rendered(&path),
        vec![format!(
            "{}: the zip holds no RVTools_tabvInfo.csv; expected the files of RVTools' \"Export all to csv\" (RVTools_tabvInfo.csv, RVTools_tabvDisk.csv, RVTools_tabvPartition.csv, RVTools_tabvHost.csv, ...); it holds: RVTools_tabvDisk.csv, RVTools_tabvHost.csv",
            path.display()
        )]
    );
}

#[test]
fn csv_problems_name_the_csv_file_and_its_physical_lines() {
    let dir = folder(&[
        (
            "RVTools_tabvInfo.csv",
            "\u{feff}VM,Powerstate,CPUs,Memory,Annotation\r\n\
             a,poweredOn,2,1024,\"two\r\nlines\"\r\n\
             b,poweredOn,four,1024,\r\n\
             c,poweredOn,1,1024,x,extra\r\n",
        ),
        ("RVTools_tabvHost.csv", "Host,# CPU,HT Active\r\nesx1,2,perhaps\r\n"),
    ]);
    let vinfo = dir.path().join("RVTools_tabvInfo.csv").display().to_string();
    let vhost = dir.path().join("RVTools_tabvHost.csv").display().to_string();
    assert_eq!(
        rendered(dir.path()),
        vec![
            format!("{vinfo}:4: column 'CPUs': 'four' is not a number; expected the number of vCPUs, such as 4"),
            format!("{vinfo}:5: has 6 fields, the header has 5; check the delimiter and quotes (a value with ',' must be in double quotes)"),
            format!("{vhost}:2: column 'HT Active': 'perhaps' is not True or False"),
        ]
    );
}

#[test]
fn unreadable_csv_files() {
    let dir = folder(&[("RVTools_tabvInfo.csv", "")]);
    let file = dir.path().join("RVTools_tabvInfo.csv").display().to_string();
    assert_eq!(rendered(dir.path()), vec![format!("{file}:1: the file is empty; expected an RVTools header line")]);
    std::fs::write(dir.path().join("RVTools_tabvInfo.csv"), b"\xff\xfeV\0M\0").expect("write");
    assert_eq!(rendered(dir.path()), vec![format!("{file}:1: the file is UTF-16; save it as CSV UTF-8 and try again")]);
    std::fs::write(dir.path().join("RVTools_tabvInfo.csv"), b"VM,CPUs,Memory\nweb\xe9,1,1024\n").expect("write");
    assert_eq!(
        rendered(dir.path()),
        vec![format!("{file}:2: column 'VM': byte 4 of the value is not valid UTF-8 (0xe9); save the file as UTF-8")]
    );
    std::fs::write(dir.path().join("RVTools_tabvInfo.csv"), "VM,CPUs,Memory\n").expect("write");
    assert_eq!(rendered(dir.path()), vec![format!("{file}:1: vInfo has a header but no VMs")]);
    let empty = tempfile::tempdir().expect("tempdir");
    assert!(rendered(empty.path())[0].ends_with("the folder holds no RVTools_tabvInfo.csv; expected the files of RVTools' \"Export all to csv\" (RVTools_tabvInfo.csv, RVTools_tabvDisk.csv, RVTools_tabvPartition.csv, RVTools_tabvHost.csv, ...); it holds: nothing"));
}

#[test]
fn corrupt_zip_is_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("export.zip");
    let whole = std::fs::read(fixture("csv-export.zip")).expect("read");
    std::fs::write(&path, &whole[..whole.len() / 2]).expect("write");
    let msgs = rendered(&path);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].starts_with(&format!("{}: is not a readable zip file (", path.display())), "{}", msgs[0]);
}

#[test]
fn damaged_zip_member_is_named() {
    let path = fixture("damaged-member.zip");
    assert_eq!(
        rendered(&path),
        vec![format!(
            "{}: sheet 'RVTools_export_all_2024-06-28_04.55.40/RVTools_tabvInfo.csv' row 1: cannot read the data (corrupt deflate stream); the file, or the zip holding it, is damaged",
            path.display()
        )]
    );
}

/// Every prefix of the workbooks and the zip, and every file with one byte changed in its middle
/// part, reads or fails with located problems; none panics.
#[test]
fn damaged_files_never_panic() {
    for name in ["awkward.xlsx", "old-3x.xlsx", "csv-export.zip"] {
        let whole = std::fs::read(fixture(name)).expect("read");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        let step = (whole.len() / 80).max(1);
        let mut variants: Vec<Vec<u8>> = (0..whole.len()).step_by(step).map(|n| whole[..n].to_vec()).collect();
        for at in (whole.len() / 4..whole.len()).step_by(step) {
            let mut v = whole.clone();
            v[at] ^= 0x5a;
            variants.push(v);
        }
        for bytes in variants {
            std::fs::write(&path, &bytes).expect("write");
            match read_path(&path, &ALL) {
                Ok(_) | Err(Error::Invalid(_)) => {}
                Err(e) => panic!("{name} ({} bytes): unexpected error kind: {e}", bytes.len()),
            }
        }
    }
}

// --- sniffing and determinism --------------------------------------------------------------------------------

#[test]
fn sniffing_for_the_dispatcher() {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(sniff_xlsx_sheets(&strings(&["vInfo", "vCPU", "vMemory", "vDisk", "vPartition", "vHost"])), Ok(()));
    assert!(sniff_xlsx_sheets(&strings(&[])).is_err_and(|m| m.ends_with("its sheets are: none")));
    let header = std::fs::read_to_string(fixture("csv-export").join("RVTools_tabvInfo.csv")).expect("read");
    let first: Vec<String> = header.lines().next().unwrap_or_default().split(',').map(str::to_owned).collect();
    assert_eq!(sniff_csv_header(&first), Ok(()));
    assert_eq!(
        sniff_csv_header(&strings(&["VM", "Disk", "Capacity MiB"])),
        Err("not an RVTools vInfo header: no 'Powerstate', 'CPUs', 'Memory' columns".to_string())
    );
}

#[test]
fn same_input_same_inventory() {
    for path in [example1(), fixture("awkward.xlsx"), fixture("csv-export"), fixture("csv-export.zip")] {
        let a = read(&path, &ALL);
        let b = read(&path, &ALL);
        assert_eq!(a, b, "{}", path.display());
    }
    let inv = read(&fixture("awkward.xlsx"), &DEFAULT);
    let same_os: Vec<_> = inv.servers.iter().filter(|s| s.os.text == "CentOS 7 (64-bit)").collect();
    assert_eq!(same_os.len(), 1);
    assert_eq!(rvtools::FORMAT, "rvtools");
}

/// The review's fuzzing found calamine panicking on malformed workbooks (here: a cell reference whose
/// column letters overflow). The readers catch it: a located error naming the file, exit 1, no crash
/// message, nothing written.
#[test]
fn a_workbook_that_crashes_the_xlsx_reader_is_reported_as_damaged() {
    use std::io::{Read, Write};
    let src = std::fs::File::open(common::repo().join("tests/fixtures/rvtools/example1.xlsx")).expect("fixture");
    let mut zin = zip::ZipArchive::new(src).expect("zip");
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.xlsx");
    let mut zout = zip::ZipWriter::new(std::fs::File::create(&bad).expect("create"));
    let mut changed = false;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).expect("member");
        let name = f.name().to_owned();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read");
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(data).expect("utf8");
            let long = format!("<c r=\"{}1\"", "A".repeat(29));
            assert!(text.contains("<c r=\"A1\""));
            data = text.replacen("<c r=\"A1\"", &long, 1).into_bytes();
            changed = true;
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        zout.write_all(&data).expect("write");
    }
    zout.finish().expect("finish");
    assert!(changed);
    let out = dir.path().join("out");
    let o = common::run(&["plan", bad.to_str().expect("utf8"), "--out", out.to_str().expect("utf8")]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.xlsx: the workbook is damaged: the xlsx reader failed"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists());
}
