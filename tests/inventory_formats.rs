//! Reading real-world inventories through the CLI: every format detected from the file's shape, an unknown file
//! named with the formats tried, a forced format, several files merged with their disagreements reported, and a
//! utilization history joined to the inventory with its confidence deciding whether it may size a server down.

mod common;

use std::fs;

use common::{run, run_in, stderr, stdout};
use serde_json::Value;

fn check_json(args: &[&str]) -> Value {
    let mut all = vec!["inventory", "check", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&all);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

#[test]
fn every_format_is_detected_from_the_file() {
    let real_xlsx = common::repo().join("tests/fixtures/rvtools/example1.xlsx");
    let cases: [(&str, &str, usize); 9] = [
        ("examples/smb-office.csv", "rocklift-csv", 10),
        (real_xlsx.to_str().expect("utf8"), "rvtools", 2),
        ("tests/fixtures/rvtools/csv-export", "rvtools", 2),
        ("tests/fixtures/rvtools/csv-export.zip", "rvtools", 2),
        ("tests/fixtures/migration_hub/import_template.csv", "aws-migration-hub", 5),
        ("tests/fixtures/azure_migrate/import_template.csv", "azure-migrate", 3),
        ("tests/fixtures/migration_evaluator/inventory.csv", "aws-migration-evaluator", 4),
        ("tests/fixtures/migration_evaluator/template.xlsx", "aws-migration-evaluator", 4),
        ("tests/fixtures/google_mc/basic", "google-migration-center", 3),
    ];
    for (path, format, servers) in cases {
        let v = check_json(&[path]);
        assert_eq!(v["format"], format, "{path}");
        assert_eq!(v["servers"].as_array().map(Vec::len), Some(servers), "{path}");
    }
}

#[test]
fn example1_powered_off_vms_are_left_out_and_counted() {
    let xlsx = common::repo().join("tests/fixtures/rvtools/example1.xlsx");
    let xlsx = xlsx.to_str().expect("utf8");
    let o = run(&["inventory", "check", xlsx]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Left out (7):"), "{out}");
    assert!(out.contains("6 x powered off"), "{out}");
    assert!(out.contains("Hosts (7):"), "{out}");
    let v = check_json(&[xlsx, "--include-powered-off"]);
    assert_eq!(v["servers"].as_array().map(Vec::len), Some(8));
    // The plan carries what was left out.
    let o = run(&["plan", xlsx, "--format", "json"]);
    let plan: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(plan["inventory"]["format"], "rvtools");
    assert_eq!(plan["inventory"]["left_out"].as_array().map(Vec::len), Some(7));
    assert_eq!(plan["inventory"]["hosts"].as_array().map(Vec::len), Some(7));
}

#[test]
fn an_unknown_file_says_which_formats_were_tried() {
    for path in ["tests/fixtures/rvtools/not-rvtools.xlsx", "tests/fixtures/rvtools/no-vinfo.zip"] {
        let o = run(&["inventory", "check", path]);
        assert_eq!(o.status.code(), Some(1), "{path}");
        let err = stderr(&o);
        assert!(err.contains(&format!("{path}: not an inventory rocklift recognises; tried rvtools: ")), "{err}");
        for f in ["aws-migration-hub", "azure-migrate", "aws-migration-evaluator", "google-migration-center"] {
            assert!(err.contains(f), "{path}: {f} not named: {err}");
        }
        assert!(!err.contains("panicked"));
    }
    // A text file no format claims gets the native reader's precise problems, then what the others lacked.
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("hosts.csv"), "hostname,ram\nweb01,4\n").expect("write");
    let o = run_in(dir.path(), &["inventory", "check", "hosts.csv"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("hosts.csv:1: required column 'cpus' is missing; the header has: hostname, ram"), "{err}");
    assert!(err.contains("hosts.csv: not one of the other inventory formats either: rvtools: "), "{err}");
}

#[test]
fn a_forced_format_is_used_and_its_problems_located() {
    let o = run(&["inventory", "check", "--input-format", "azure-migrate", "examples/smb-office.csv"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("error: examples/smb-office.csv:1: "), "{err}");
    assert!(err.contains("Cores"), "{err}");
}

#[test]
fn two_files_merge_by_name_and_disagreements_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("a.csv"), "name,cpus,memory_gib,os\nweb01,2,4,CentOS 7\ndb01,8,64,RHEL 8\n")
        .expect("write");
    fs::write(
        dir.path().join("b.csv"),
        "name,cpus,memory_gib,os,disk_gib,cpu_util_p95\nweb01,4,4,CentOS 7,60,35\nmail01,2,8,Rocky Linux 9,100,\n",
    )
    .expect("write");
    let o = run_in(dir.path(), &["inventory", "check", "--format", "json", "a.csv", "b.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let names: Vec<&str> =
        v["servers"].as_array().expect("servers").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["web01", "db01", "mail01"]);
    let web = &v["servers"][0];
    // The first file wins where both say something; what only the second says is added.
    assert_eq!(web["cpus"], 2);
    assert_eq!(web["disk_gib"], "60");
    assert_eq!(web["cpu_util_p95"], "35");
    assert_eq!(v["warnings"], serde_json::json!(["web01: cpus is 2 in a.csv:2 but 4 in b.csv:2; a.csv:2 is kept"]));
    assert_eq!(v["file"], "a.csv, b.csv");
    // The plan shows the disagreement as a warning.
    let o = run_in(dir.path(), &["plan", "--format", "json", "a.csv", "b.csv"]);
    let plan: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(plan["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w.as_str().is_some_and(|s| s.starts_with("web01: cpus is 2"))));
}

/// 48 hourly samples for fs01 (CPU i % for hour i, memory 50 %) and 12 for web01 in the same 48-hour window.
fn history() -> String {
    let mut s = String::from("timestamp,server,cpu_pct,mem_pct\n");
    for h in 0..48 {
        s.push_str(&format!("2026-11-{:02}T{:02}:00:00Z,fs01,{h},50\n", 1 + h / 24, h % 24));
    }
    for h in 0..12 {
        s.push_str(&format!("2026-11-01T{:02}:00:00Z,web01,80,90\n", h));
    }
    s
}

#[test]
fn utilization_history_sizes_only_when_its_confidence_is_high() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("history.csv"), history()).expect("write");
    let inv = common::repo().join("examples/smb-office.csv");
    let o = run_in(
        dir.path(),
        &[
            "plan",
            inv.to_str().expect("utf8"),
            "--utilization",
            "history.csv",
            "--sizing",
            "utilization",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let server = |n: &str| v["servers"].as_array().expect("servers").iter().find(|s| s["name"] == n).expect(n).clone();
    // fs01: every expected sample present, 5 stars. Nearest-rank p95 of 0..47 is the 46th value, 45 %:
    // 4 vCPU x 45 % x 1.2 headroom = 2.16, rounded up to 3 vCPU; memory 16 GiB x 50 % x 1.2 = 9.6 GiB.
    let fs01 = server("fs01");
    assert_eq!(fs01["current"]["confidence_stars"], 5);
    assert_eq!(fs01["current"]["cpu_util_p95"], "45");
    assert_eq!(fs01["requirement"]["vcpus"], 3);
    assert_eq!(fs01["requirement"]["memory_gib"], "9.6");
    assert_eq!(fs01["requirement"]["cpu_basis"], "utilization");
    // web01: 12 of 48 expected samples (25 %), 2 stars: below the 4 needed, so sized as-is.
    let web01 = server("web01");
    assert_eq!(web01["current"]["confidence_stars"], 2);
    assert_eq!(web01["requirement"]["cpu_basis"], "as-is-low-confidence");
    assert_eq!(web01["requirement"]["vcpus"], 2);
    assert_eq!(web01["requirement"]["memory_gib"], "4");
    let notes = web01["notes"].as_array().expect("notes");
    assert!(
        notes.iter().any(|n| n.as_str().is_some_and(|s| s.contains("12 of 48 expected samples (25%): 2 stars"))),
        "{notes:?}"
    );
    // Servers without history keep their inventory figures, and the plan says which.
    assert!(v["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .any(|w| w.as_str().is_some_and(|s| s.starts_with("8 server(s) have no utilization history"))));
    // min_confidence_stars = 2 lets web01's history size it: 2 x 80 % x 1.2 = 1.92 → 2 vCPU, 4 x 90 % x 1.2 = 4.32 GiB.
    fs::write(dir.path().join("rocklift.toml"), "min_confidence_stars = 2\n").expect("write");
    let o = run_in(
        dir.path(),
        &[
            "plan",
            inv.to_str().expect("utf8"),
            "--utilization",
            "history.csv",
            "--sizing",
            "utilization",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let web01 = v["servers"].as_array().expect("servers").iter().find(|s| s["name"] == "web01").expect("web01").clone();
    assert_eq!(web01["requirement"]["cpu_basis"], "utilization");
    assert_eq!(web01["requirement"]["memory_gib"], "4.32");
}
