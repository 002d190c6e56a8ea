//! `rocklift burst` end to end on a hand-made history with a known answer: one 4-core node, a 2-hour job, a second
//! 4-core job submitted a minute later (it would wait 1 h 59 min, above the 1 h default, so it bursts) and a later
//! small job that runs at once. The cloud cost is worked out by hand from the snapshot's c6a.xlarge price.

mod common;

use common::{run, stderr, stdout};
use serde_json::Value;

const CLUSTER: &str = "tests/fixtures/hpc/burst/cluster.toml";
const JOBS: &str = "tests/fixtures/hpc/burst/jobs.txt";

#[test]
fn the_waiting_job_bursts_and_its_cost_is_exact() {
    let o = run(&["burst", "--cluster", CLUSTER, "--jobs", JOBS, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["schema"], "rocklift.burst/v2");
    // On-prem only: job 2 waits from 08:01 to 10:00 = 7140 s.
    assert_eq!(v["before"]["waits"]["max"], 7140);
    // With bursting its wait is the 5-minute boot.
    assert_eq!(v["after"]["waits"]["max"], 300);
    assert_eq!(v["burst_jobs"], 1);
    assert_eq!(v["max_cloud_nodes"], 1);
    // The cheapest type with 4 vCPUs and the 4000 MiB asked (1000 MiB per CPU): c6a.xlarge, $0.153/h on-demand.
    let o = run(&["pricing", "show", "c6a.xlarge", "--json"]);
    assert!(stdout(&o).contains("0.153"), "{}", stdout(&o));
    assert_eq!(v["cloud_nodes"][0]["instance_type"], "c6a.xlarge");
    assert_eq!(v["cost"]["rates"]["c6a.xlarge"], "0.153000");
    // As slurmctld runs it: 300 s boot + 1 h runtime + 300 s idle until SuspendTime stops the node = 4200 s =
    // 1.166667 h; 4200 × 0.153 / 3600 = $0.1785. The per-job lower bound leaves the idle time out:
    // 3900 × 0.153 / 3600 = $0.16575.
    let m = &v["cost"]["months"][0];
    assert_eq!(m["month"], "2026-01");
    assert_eq!(m["node_hours"]["c6a.xlarge"], "1.166667");
    assert_eq!(m["compute_usd"], "0.1785");
    assert_eq!(v["cost"]["total_usd"], "0.1785");
    assert_eq!(v["cost"]["per_job_total_usd"], "0.16575");
    assert_eq!((v["cost"]["node_starts"].as_u64(), v["cost"]["reused_nodes"].as_u64()), (Some(1), Some(0)));
}

#[test]
fn spot_adds_the_interruption_overhead() {
    let o = run(&["burst", "--cluster", CLUSTER, "--jobs", JOBS, "--format", "json", "--spot"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let (ty, rate) = v["cost"]["rates"].as_object().and_then(|m| m.iter().next()).expect("a rate");
    assert_eq!(v["cost"]["terms"][ty], "spot");
    let rate: rust_decimal::Decimal = rate.as_str().expect("str").parse().expect("dec");
    // 4200 s (boot, runtime, idle until suspended) × 1.10 (the default 10 % rerun overhead) = 1.283333.. h.
    let hours =
        rust_decimal::Decimal::from(4200) * rust_decimal::Decimal::new(11, 1) / rust_decimal::Decimal::from(3600);
    let m = &v["cost"]["months"][0];
    assert_eq!(
        m["compute_usd"].as_str().expect("usd").parse::<rust_decimal::Decimal>().expect("dec"),
        (hours * rate).round_dp(6).normalize()
    );
}

/// `KEY=VALUE` pairs of each non-comment line of a slurm.conf-style file, checked for slurm.conf's syntax: the
/// first pair names the line.
fn conf_lines(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        for pair in line.split_whitespace() {
            let (k, val) = pair.split_once('=').unwrap_or_else(|| panic!("line {}: '{pair}' is not Key=Value", i + 1));
            assert!(!k.is_empty() && !val.is_empty(), "line {}: '{pair}'", i + 1);
            assert!(k.chars().all(|c| c.is_ascii_alphanumeric()), "line {}: key '{k}'", i + 1);
        }
        let (k, val) = line.split_whitespace().next().and_then(|p| p.split_once('=')).expect("pair");
        out.push((k.to_owned(), val.to_owned()));
    }
    out
}

/// cloud.conf adds nodes and a partition only; every global key is in required-global.conf, once.
#[test]
fn the_slurm_files_are_key_value_lines_and_the_fragment_sets_nothing_global() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&["burst", "--cluster", CLUSTER, "--jobs", JOBS, "--out", dir.path().to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let conf = std::fs::read_to_string(dir.path().join("slurm/cloud.conf")).expect("cloud.conf");
    let kinds: std::collections::BTreeSet<String> = conf_lines(&conf).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["NodeName", "PartitionName"], "{conf}");
    // c6a.xlarge: 4 vCPU, 8192 MiB of which 95 % (7782 MiB) is RealMemory; its weight is 10000 + its rank by
    // price among the candidate types (cheaper ones are too small for the job).
    let pricing =
        rocklift::estimate::LoadedPricing::load(rocklift::pricing::Snapshot::embedded().expect("snap"), "us-east-1")
            .expect("pricing");
    let shapes = rocklift::hpc::cost::candidate_shapes(&pricing.catalog, &pricing.prices, false, &|_| true);
    let rank = shapes.iter().position(|s| s.shape.name == "c6a.xlarge").expect("a candidate") + 1;
    assert!(
        conf.contains(&format!(
            "NodeName=cloud-c6a-xlarge-1 State=CLOUD CPUs=4 RealMemory=7782 Weight={} Feature=cloud,c6a.xlarge\n",
            10_000 + rank
        )),
        "{conf}"
    );
    assert!(conf.contains(" SuspendTime=300 SuspendTimeout=120 ResumeTimeout=600\n"), "{conf}");
    let globals = std::fs::read_to_string(dir.path().join("slurm/required-global.conf")).expect("globals");
    let keys = conf_lines(&globals);
    let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a key twice: {names:?}");
    let value = |k: &str| keys.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(value("SlurmctldParameters"), Some("idle_on_node_suspend,cloud_reg_addrs"));
    assert_eq!(value("PrivateData"), Some("cloud"));
    assert_eq!(value("CommunicationParameters"), Some("NoAddrCache"));
    assert_eq!(value("SuspendExcParts"), Some("batch"));
    assert_eq!(value("ResumeFailProgram"), Some("/etc/slurm/rocklift/resume_fail.sh"));
    assert_eq!(value("GresTypes"), None, "no GPU type, no GresTypes");
    assert_eq!(value("SuspendTime"), None, "power saving is set on the cloud partition, not globally");
    let resume = std::fs::read_to_string(dir.path().join("slurm/resume.sh")).expect("resume.sh");
    assert!(resume.contains("cloud-c6a-xlarge-*) template=rocklift-burst-c6a-xlarge"), "{resume}");
    for f in ["README.md", "route.sh", "rocklift-burst-route.service", "rocklift-burst-route.timer"] {
        assert!(dir.path().join("slurm").join(f).is_file(), "{f}");
    }
    assert!(std::fs::read(dir.path().join("burst.json")).is_ok());
}

#[test]
fn every_real_dump_runs_through_burst() {
    for f in [
        "sacct-output-v1.txt",
        "sacct-output-v2.txt",
        "array_sacct-output.txt",
        "multi-node_sacct-output.txt",
        "issues_gl-20_sacct-output.txt",
    ] {
        let path = common::repo().join("tests/fixtures/slurm").join(f);
        let o = run(&[
            "burst",
            "--cluster",
            "tests/fixtures/hpc/cluster.toml",
            "--jobs",
            path.to_str().expect("utf8"),
            "--skip-malformed",
        ]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
        assert!(stdout(&o).starts_with("rocklift burst: "), "{f}");
    }
    // Without --skip-malformed the corrupt lines of gl-20 are listed, located, and nothing is written.
    let path = common::repo().join("tests/fixtures/slurm/issues_gl-20_sacct-output.txt");
    let o = run(&["burst", "--cluster", "tests/fixtures/hpc/cluster.toml", "--jobs", path.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("issues_gl-20_sacct-output.txt:6: column 'ReqMem': '100Mcd' is not a memory size"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_durations_are_usage_errors() {
    let o = run(&["burst", "--cluster", CLUSTER, "--jobs", JOBS, "--max-wait", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--max-wait soon: expected a duration such as 90s, 30m, 1h or 2d"), "{}", stderr(&o));
}

#[test]
fn types_restrict_the_cloud_nodes() {
    let o = run(&["burst", "--cluster", CLUSTER, "--jobs", JOBS, "--format", "json", "--types", "m7i,c7i.2xlarge"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    // Among the m7i family and c7i.2xlarge, the cheapest with 4 vCPUs and 4000 MiB is m7i.xlarge.
    assert_eq!(v["cloud_nodes"][0]["instance_type"], "m7i.xlarge");
    let o = run(&["burst", "--cluster", CLUSTER, "--jobs", JOBS, "--types", "zz9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--types zz9: no current x86_64 type priced in us-east-1 matches"), "{}", stderr(&o));
}

/// `[burst]` in rocklift.toml sets the defaults; a flag beats its key.
#[test]
fn burst_settings_come_from_rocklift_toml_and_flags_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("rocklift.toml");
    std::fs::write(&config, "[burst]\nspot = true\nboot_minutes = 10\nmax_wait = \"30m\"\negress_gb_per_job = 2\n")
        .expect("write");
    let config = config.display().to_string();
    let json = |extra: &[&str]| -> Value {
        let mut args = vec!["--config", &config, "burst", "--cluster", CLUSTER, "--jobs", JOBS, "--format", "json"];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_slice(&o.stdout).expect("json")
    };
    let v = json(&[]);
    assert_eq!(v["policy"]["spot"], true);
    assert_eq!(v["policy"]["boot_s"], 600);
    assert_eq!(v["policy"]["max_wait_s"], 1800);
    assert_eq!(v["cost"]["months"][0]["egress_gb"], "2", "one burst job × 2 GB");
    let v = json(&["--boot-minutes", "3", "--max-wait", "2h"]);
    assert_eq!(v["policy"]["boot_s"], 180);
    assert_eq!(v["policy"]["max_wait_s"], 7200);
    assert_eq!(v["policy"]["spot"], true, "a key without a flag still applies");

    std::fs::write(dir.path().join("bad.toml"), "[burst]\nboot_minutes = 5\ninterruption_overhead_pct = 250\n")
        .expect("write");
    let bad = dir.path().join("bad.toml").display().to_string();
    let o = run(&["--config", &bad, "burst", "--cluster", CLUSTER, "--jobs", JOBS]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.toml:3: column 1: [burst] interruption_overhead_pct = 250"), "{}", stderr(&o));
}
