//! The commands as a user runs them: golden outputs for both examples, byte-identical reruns, exit codes,
//! located errors, the embedded snapshot used from any folder, and `--pricing-cache` verification.

mod common;

use std::fs;

use common::{golden, run, run_in, stderr, stdout};

fn plan_files(example: &str, extra: &[&str]) -> (String, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let out_s = out.to_str().expect("utf8");
    let mut args = vec!["plan", example, "--out", out_s];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = stdout(&o).replace(out_s, "OUT");
    (
        table,
        fs::read_to_string(out.join("plan.json")).expect("plan.json"),
        fs::read_to_string(out.join("plan.csv")).expect("plan.csv"),
    )
}

#[test]
fn smb_office_golden() {
    let (table, json, csv) = plan_files("examples/smb-office.csv", &[]);
    golden("smb-office/stdout.txt", &table);
    golden("smb-office/plan.json", &json);
    golden("smb-office/plan.csv", &csv);
}

#[test]
fn hpc_cluster_golden() {
    let (table, json, csv) = plan_files("examples/hpc-cluster.csv", &[]);
    golden("hpc-cluster/stdout.txt", &table);
    golden("hpc-cluster/plan.json", &json);
    golden("hpc-cluster/plan.csv", &csv);
}

#[test]
fn hpc_cluster_with_settings_golden() {
    let (table, json, _) = plan_files("examples/hpc-cluster.csv", &["--config", "examples/hpc-cluster.toml"]);
    golden("hpc-cluster/stdout-settings.txt", &table);
    golden("hpc-cluster/plan-settings.json", &json);
}

#[test]
fn discount_applies_to_every_total() {
    let (_, json, _) = plan_files("examples/hpc-cluster.csv", &["--config", "examples/hpc-cluster.toml"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let d = |k: &str| v["totals"][k].as_str().expect(k).parse::<rust_decimal::Decimal>().expect("dec");
    let keep: rust_decimal::Decimal = "0.95".parse().expect("dec");
    assert_eq!(d("discount_pct"), rust_decimal::Decimal::from(5));
    assert_eq!(d("discounted_monthly_usd"), d("monthly_usd") * keep);
    assert_eq!(d("discounted_recommended_monthly_usd"), d("recommended_monthly_usd") * keep);
    assert_eq!(d("discounted_recommended_upfront_usd"), d("recommended_upfront_usd") * keep);
    // Spot for the interruptible compute role, a scaling group for the login node.
    let cn = v["servers"].as_array().expect("servers").iter().find(|s| s["name"] == "cn").expect("cn");
    assert!(cn["purchase"]["options"].as_array().expect("options").iter().any(|o| o["kind"] == "spot"));
    let login = v["servers"].as_array().expect("servers").iter().find(|s| s["name"] == "login01").expect("login01");
    // weekday 47 and weekend 32 instance-hours a day: (47 x 261 + 32 x 104) / 12 = 1299.583...
    let hours: rust_decimal::Decimal =
        login["group"]["instance_hours_month"].as_str().expect("hours").parse().expect("dec");
    assert_eq!(hours, rust_decimal::Decimal::from(47 * 261 + 32 * 104) / rust_decimal::Decimal::from(12));
}

#[test]
fn smb_office_utilization_sizing_golden() {
    let (table, _, _) = plan_files("examples/smb-office.csv", &["--sizing", "utilization"]);
    golden("smb-office/stdout-utilization.txt", &table);
}

#[test]
fn two_runs_are_byte_identical() {
    for ex in ["examples/smb-office.csv", "examples/hpc-cluster.csv"] {
        let a = plan_files(ex, &["--sizing", "utilization"]);
        let b = plan_files(ex, &["--sizing", "utilization"]);
        assert!(a.1 == b.1, "{ex}: plan.json differs between runs");
        assert!(a.2 == b.2, "{ex}: plan.csv differs between runs");
        assert!(a.0 == b.0, "{ex}: stdout differs between runs");
    }
}

/// web01 worked out by hand from shared/data: c6a.large $0.0765/h (karpenter list, us-east-1 linux),
/// gp3 $0.08/GiB-month for 20 GiB root + 40 GiB data, public IPv4 $0.005/h, and the default backups: 7 daily
/// snapshots of its 18 GiB used with 2% changing a day, 18 x (1 + 0.02 x 6) = 20.16 GB at $0.05/GB-month.
#[test]
fn web01_costs_add_up_by_hand() {
    let (_, json, _) = plan_files("examples/smb-office.csv", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let web01 = v["servers"].as_array().expect("servers").iter().find(|s| s["name"] == "web01").expect("web01");
    assert_eq!(web01["placement"]["instance_type"], "c6a.large");
    assert_eq!(web01["placement"]["hourly_usd"], "0.076500");
    // 0.0765 * 730 = 55.845; 60 * 0.08 = 4.80; 20.16 * 0.05 = 1.008; 0.005 * 730 = 3.65; total 65.303
    let monthly: Vec<&str> =
        web01["costs"].as_array().expect("costs").iter().map(|c| c["monthly_usd"].as_str().expect("priced")).collect();
    let sum: rust_decimal::Decimal = monthly.iter().map(|m| m.parse::<rust_decimal::Decimal>().expect("dec")).sum();
    assert_eq!(monthly, ["55.845", "1.6", "3.2", "1.008", "3.65"]);
    assert_eq!(sum, "65.303".parse().expect("dec"));
    assert_eq!(
        web01["monthly_usd"].as_str().map(|s| s.parse::<rust_decimal::Decimal>().expect("dec")),
        Some("65.303".parse().expect("dec"))
    );
    // erp01 runs RHEL today: the report shows what RHEL on AWS would cost on the same type.
    let erp = v["servers"].as_array().expect("servers").iter().find(|s| s["name"] == "erp01").expect("erp01");
    assert!(erp["rhel_comparison"]["licence_saving_monthly_usd"].is_string());
    assert_eq!(v["pricing"]["data_date"], "2026-05-12");
    assert_eq!(v["schema"], "rocklift.plan/v2");
}

#[test]
fn json_and_csv_formats_match_the_files() {
    let (_, json, csv) = plan_files("examples/smb-office.csv", &[]);
    let o = run(&["plan", "examples/smb-office.csv", "--format", "json"]);
    assert_eq!(stdout(&o), json);
    let o = run(&["plan", "examples/smb-office.csv", "--format", "csv"]);
    assert_eq!(stdout(&o), csv);
}

#[test]
fn runs_from_any_folder_with_the_embedded_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = common::repo().join("examples/smb-office.csv");
    let o = run_in(dir.path(), &["plan", inv.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Prices: embedded snapshot, EC2 prices on or before 2026-05-12"));
    let o = run_in(dir.path(), &["pricing", "show", "m7i.large", "--os", "linux"]);
    assert!(stdout(&o).contains("0.1008"), "{}", stdout(&o));
    assert_eq!(fs::read_dir(dir.path()).expect("dir").count(), 0, "nothing written without --out");
}

#[test]
fn exit_codes() {
    // Bad usage: 2.
    for args in [
        vec!["plan"],
        vec!["plan", "examples/smb-office.csv", "--sizing", "magic"],
        vec!["plan", "examples/smb-office.csv", "--region", "xx-nowhere-1"],
        vec!["plan", "examples/smb-office.csv", "--headroom", "0.5"],
        vec!["instances", "--vcpus", "lots"],
        vec!["frobnicate"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    // Bad data: 1.
    let o = run(&["plan", "no-such-file.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no-such-file.csv"), "{}", stderr(&o));
    let o = run(&["pricing", "show", "m7z.large"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("similar: m7a.large"), "{}", stderr(&o));
}

#[test]
fn config_file_is_read_and_errors_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = common::repo().join("examples/smb-office.csv");
    let inv = inv.to_str().expect("utf8");
    fs::write(dir.path().join("rocklift.toml"), "region = \"us-west-2\"\nsizing = \"utilization\"\n").expect("write");
    let o = run_in(dir.path(), &["plan", inv, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["settings"]["region"], "us-west-2");
    assert_eq!(v["settings"]["sizing"], "utilization");
    // Flags beat the file.
    let o = run_in(dir.path(), &["plan", inv, "--format", "json", "--region", "eu-west-1", "--sizing", "as-is"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["settings"]["region"], "eu-west-1");
    assert_eq!(v["settings"]["sizing"], "as-is");
    // A user price override fills a gap in the snapshot, exactly.
    fs::write(
        dir.path().join("rocklift.toml"),
        "region = \"eu-west-1\"\n[prices.\"eu-west-1\"]\nebs_gp3_gib_month = \"0.088\"\nebs_snapshot_gib_month = \"0.05\"\nebs_gp3_iops_month = \"0.0055\"\nebs_gp3_mbps_month = \"0.044\"\npublic_ipv4_hour = \"0.005\"\ninternet_out_gb = \"0.09\"\ninternet_in_gb = \"0\"\n",
    )
    .expect("write");
    let o = run_in(dir.path(), &["plan", inv, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["totals"]["incomplete"], false, "{}", stdout(&o));
    assert_eq!(v["warnings"].as_array().map(Vec::len), Some(0));
    // Typos are located.
    fs::write(dir.path().join("rocklift.toml"), "region = \"us-east-1\"\nheadrom = 1.3\n").expect("write");
    let o = run_in(dir.path(), &["plan", inv]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("rocklift.toml:2: column 1: unknown field `headrom`"), "{}", stderr(&o));
}

#[test]
fn missing_service_prices_are_warned_not_zeroed() {
    let o = run(&["plan", "examples/smb-office.csv", "--region", "eu-west-1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["totals"]["incomplete"], true);
    let w = v["warnings"].as_array().expect("warnings");
    assert!(w.iter().any(|w| w
        .as_str()
        .is_some_and(|s| s.contains("EBS gp3 storage ($/GB-month) in eu-west-1 is not in the offline snapshot"))));
    let storage = &v["servers"][0]["costs"][1];
    assert_eq!(storage["unit_usd"], serde_json::Value::Null);
    assert_eq!(storage["monthly_usd"], serde_json::Value::Null);
}

#[test]
fn damaged_pricing_cache_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    copy_dir(&common::repo().join("pricing-cache"), &cache);
    let cache_s = cache.to_str().expect("utf8");
    let o = run(&["pricing", "show", "m7i.large", "--pricing-cache", cache_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("Prices: {cache_s} snapshot")));
    // Change one price by hand: the sha256 no longer matches the manifest.
    let f = cache.join("services.csv");
    let text = fs::read_to_string(&f).expect("read").replace("gp3 storage,GB-month,0.08", "gp3 storage,GB-month,0.01");
    fs::write(&f, text).expect("write");
    let o = run(&["plan", "examples/smb-office.csv", "--pricing-cache", cache_s]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("services.csv: sha256 is"), "{}", stderr(&o));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            fs::copy(&p, &dest).expect("copy");
        }
    }
}

#[test]
fn instances_lists_cheapest_first() {
    let o = run(&["instances", "--vcpus", "4", "--memory", "16", "--json", "--limit", "50"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let types = v["types"].as_array().expect("types");
    assert_eq!(types.len(), 50);
    let prices: Vec<rust_decimal::Decimal> =
        types.iter().map(|t| t["usd_per_hour"].as_str().expect("p").parse().expect("dec")).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]));
    for t in types {
        assert!(t["vcpus"].as_u64().expect("vcpus") >= 4);
        assert!(
            t["memory_gib"].as_str().expect("mem").parse::<rust_decimal::Decimal>().expect("dec")
                >= rust_decimal::Decimal::from(16)
        );
        assert_eq!(t["arch"], "x86_64");
    }
    // g5 (A10G) is current generation (AWS's list, data/ec2-previous-generation.csv): listed by default;
    // m4 is previous: only listed when asked for.
    let list = |args: &[&str]| {
        let v: serde_json::Value = serde_json::from_slice(&run(args).stdout).expect("json");
        v["types"].as_array().expect("types").clone()
    };
    let gpu = list(&["instances", "--vcpus", "8", "--memory", "32", "--gpus", "1", "--gpu-model", "A10G", "--json"]);
    assert!(!gpu.is_empty());
    let m4 = |t: &serde_json::Value| t["instance_type"].as_str().is_some_and(|s| s.starts_with("m4."));
    let small = ["instances", "--vcpus", "2", "--memory", "8", "--arch", "x86_64", "--limit", "1000", "--json"];
    assert!(!list(&small).iter().any(m4));
    let mut with_previous = small.to_vec();
    with_previous.insert(with_previous.len() - 1, "--include-previous-generation");
    assert!(list(&with_previous).iter().any(m4));
    assert!(gpu
        .iter()
        .all(|t| t["gpu_model"] == "A10G" && t["instance_type"].as_str().is_some_and(|s| s.starts_with("g5."))));
}

#[test]
fn disk_used_flag_sizes_from_the_data_plus_growth() {
    let o = run(&["plan", "examples/smb-office.csv", "--disk", "used", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let fs01 = v["servers"].as_array().expect("servers").iter().find(|s| s["name"] == "fs01").expect("fs01");
    // 1450 GiB used + 20% growth = 1740 GiB: the 20 GiB root volume and 1720 GiB of data.
    assert_eq!(fs01["volumes"][1]["size_gib"], "1720");
    assert_eq!(v["settings"]["storage"]["disk"], "used");
    let o = run(&["plan", "examples/smb-office.csv", "--disk", "half"]);
    assert_eq!(o.status.code(), Some(2));
}

/// The sources write 0 where a type is not sold on demand (u-6tb1.metal's Linux on-demand, 13 regions):
/// `pricing show` says unknown, never $0/h, while the RHEL and Windows prices of the same row stand.
#[test]
fn a_zero_source_price_is_shown_as_unknown() {
    let price = |os: &str| -> serde_json::Value {
        let o = run(&["pricing", "show", "u-6tb1.metal", "--region", "us-east-1", "--os", os, "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let prices = v["prices"].as_array().expect("prices").clone();
        prices.into_iter().find(|p| p["term"] == "on-demand").expect("on-demand row")["usd_per_hour"].clone()
    };
    assert_eq!(price("linux"), serde_json::Value::Null);
    assert_eq!(price("rhel"), "4.301");
    assert_eq!(price("windows"), "20.608");
    let o = run(&["pricing", "show", "u-6tb1.metal", "--region", "us-east-1", "--os", "linux"]);
    let table = stdout(&o);
    let od = table.lines().find(|l| l.contains("on-demand")).expect("on-demand line");
    assert!(!od.contains("0.00"), "{od}");
}
