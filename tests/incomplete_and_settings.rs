//! A cost section never silently becomes $0: every numeric setting is checked when rocklift.toml or a flag
//! is read (located error, exit 1 for the file, nothing written), a section that still fails at pricing
//! time is listed as left out, and a plan that leaves something out says INCOMPLETE first, with the
//! quantities left out and how to fill them, in the terminal, plan.json, report.md and report.html.

mod common;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::OnceLock;

use rocklift::estimate::{build_plan, LoadedPricing};
use rocklift::inventory::native_csv;
use rocklift::plan::LeftOutKind;
use rocklift::pricing::Snapshot;
use rocklift::settings::Settings;
use rust_decimal::Decimal;

/// `rocklift --config FILE plan examples/smb-office.csv --out DIR` with `toml` as the file.
fn plan_with(toml: &str) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("rocklift.toml");
    std::fs::write(&cfg, toml).expect("write");
    let out = dir.path().join("out");
    let o = common::run(&[
        "--config",
        cfg.to_str().expect("utf8"),
        "plan",
        "examples/smb-office.csv",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    (o, dir)
}

/// The review's case and one out-of-range value of every other kind of numeric setting: each is refused
/// when the file is read, naming the file, line, column and key, and no output folder is written.
#[test]
fn out_of_range_numeric_settings_are_located_errors() {
    let cases: [(&str, &str); 14] = [
        ("[network]\nnat_processed_gib_month = -1\n", "rocklift.toml:2: column 1: [network] nat_processed_gib_month = -1: expected GiB a month from 0 to 1000000000"),
        ("[network]\ninter_az_gib_month = 2e9\n", "rocklift.toml:2: column 1: [network] inter_az_gib_month = 2000000000: expected GiB a month from 0 to 1000000000"),
        ("[network]\nnat_gateways = 10001\n", "rocklift.toml:2: column 1: [network] nat_gateways = 10001: expected a count from 0 to 10000"),
        ("[network]\nnat_processed_gib_month = nan\n", "rocklift.toml:2: column 27: invalid value: floating point `NaN`"),
        ("[migration]\nthreshold_days = -1\n", "rocklift.toml:2: column 1: [migration] threshold_days = -1: expected days from 0 to 3650"),
        ("[migration]\nlink_mbps = 0\n", "rocklift.toml:2: column 1: [migration] link_mbps = 0: expected a speed above 0"),
        ("[storage]\nsnapshot_retention_days = 100000\n", "rocklift.toml:2: column 1: [storage] snapshot_retention_days = 100000: expected days from 0 to 3650"),
        ("[storage]\ngrowth_pct = -5\n", "rocklift.toml:2: column 1: [storage] growth_pct = -5: expected a percentage from 0 to 1000"),
        ("root_volume_gib_linux = 0\n", "rocklift.toml:1: column 1: root_volume_gib_linux = 0: expected GiB from 1 to 16384"),
        ("root_volume_gib_windows = 20000\n", "rocklift.toml:1: column 1: root_volume_gib_windows = 20000: expected GiB from 1 to 16384"),
        ("[prices.\"eu-west-1\"]\nebs_gp3_gib_month = \"2000000000\"\n", "rocklift.toml:2: column 1: [prices.\"eu-west-1\"] ebs_gp3_gib_month = \"2000000000\": expected a price in dollars from 0 to 1000000000"),
        ("[onprem]\nhardware_base_usd = 1e12\n", "rocklift.toml:2: column 1: [onprem] hardware_base_usd = 1000000000000: expected a number from 0 to 1000000000"),
        ("[onprem]\nusd_per_kwh = -0.1\n", "rocklift.toml:2: column 1: [onprem] usd_per_kwh = -0.1: expected a number from 0 to 1000000000"),
        ("[burst]\negress_gb_per_core_hour = 1e20\n", "rocklift.toml:2: column 1: [burst] egress_gb_per_core_hour = 100000000000000000000: expected GB from 0 to 1000000"),
    ];
    for (toml, expected) in cases {
        let (o, dir) = plan_with(toml);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{toml}: {err}");
        let first = err.lines().next().unwrap_or_default();
        let located = first.strip_prefix("error: ").unwrap_or(first);
        let located = located.rsplit_once("rocklift.toml").map(|(_, rest)| format!("rocklift.toml{rest}"));
        assert!(located.as_deref().is_some_and(|l| l.starts_with(expected)), "{toml}: {first}");
        assert!(!dir.path().join("out").exists(), "{toml}: an output folder was written");
    }
}

#[test]
fn out_of_range_flags_are_refused_naming_the_flag() {
    let o = common::run(&[
        "burst",
        "--cluster",
        "tests/fixtures/hpc/burst/cluster.toml",
        "--jobs",
        "tests/fixtures/slurm/sacct-output-v1.txt",
        "--egress-gb-per-core-hour",
        "100000000000",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("--egress-gb-per-core-hour = 100000000000: expected GB from 0 to 1000000"),
        "{}",
        common::stderr(&o)
    );
    let o = common::run(&["plan", "examples/smb-office.csv", "--utilization-days", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
}

fn pricing(region: &str) -> &'static LoadedPricing {
    static CELL: OnceLock<BTreeMap<String, &'static LoadedPricing>> = OnceLock::new();
    CELL.get_or_init(|| {
        ["us-east-1", "eu-west-1"]
            .into_iter()
            .map(|r| {
                let p = LoadedPricing::load(Snapshot::embedded().expect("snapshot"), r).expect("pricing");
                (r.to_owned(), &*Box::leak(Box::new(p)))
            })
            .collect()
    })[region]
}

/// A settings value that gets past the file's checks (a library caller builds `Settings` itself) and makes
/// the network section fail at pricing time: the plan is INCOMPLETE and says what and why, instead of
/// pricing the account network at $0 and calling the total complete.
#[test]
fn a_section_that_fails_at_pricing_time_marks_the_plan_incomplete() {
    let csv = "name,cpus,memory_gib,os,egress_gib_month\nweb1,2,4,Rocky Linux 9,100\n";
    let inv = native_csv::parse("t.csv", csv.as_bytes()).expect("inventory");
    let mut settings = Settings::default();
    settings.network.nat_processed_gib_month = Decimal::NEGATIVE_ONE;
    let plan = build_plan(inv, &settings, &pricing("us-east-1").data());
    assert!(plan.totals.incomplete);
    let sections: Vec<_> = plan.totals.left_out.iter().filter(|l| l.kind == LeftOutKind::Section).collect();
    assert_eq!(sections.len(), 1, "{:?}", plan.totals.left_out);
    assert!(sections[0].item.starts_with("account network"), "{:?}", sections[0]);
    assert!(sections[0].why.contains("nat_processed_gib_month = -1"), "{:?}", sections[0]);
    let text = rocklift::render::table::plan(&plan);
    assert!(text.lines().nth(1).is_some_and(|l| l.starts_with("INCOMPLETE")), "{text}");
    assert!(text.contains("account network"), "{text}");
}

/// eu-west-1 offline: the snapshot has no EBS, egress or IPv4 prices there. What each output lists first is
/// exactly the unpriced cost lines of plan.json, summed here per item.
#[test]
fn an_incomplete_region_says_so_first_in_every_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = common::run(&[
        "compare",
        "examples/smb-office.csv",
        "--region",
        "eu-west-1",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).expect("plan.json")).expect("json");

    // Expected from the plan's own cost lines: every line without a price, quantities summed per item.
    let mut expected: Vec<(String, Decimal)> = Vec::new();
    let d = |x: &serde_json::Value| Decimal::from_str(x.as_str().expect("decimal string")).expect("decimal");
    let lines = v["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .flat_map(|s| s["costs"].as_array().expect("costs").iter().filter(|l| l["monthly_usd"].is_null()))
        .chain(v["network"]["lines"].as_array().expect("lines").iter().filter(|l| l["usd_month"].is_null()));
    for l in lines {
        let item = l["item"].as_str().expect("item").to_owned();
        match expected.iter_mut().find(|(i, _)| *i == item) {
            Some((_, q)) => *q += d(&l["quantity"]),
            None => expected.push((item, d(&l["quantity"]))),
        }
    }
    let items: Vec<&str> = expected.iter().map(|(i, _)| i.as_str()).collect();
    for want in ["EBS gp3 data volume", "EBS snapshots (7 daily kept)", "internet egress", "public IPv4 address"] {
        assert!(items.contains(&want), "{items:?}");
    }
    let left_out = v["totals"]["left_out"].as_array().expect("left_out");
    assert_eq!(v["totals"]["incomplete"], true);
    assert_eq!(left_out.len(), expected.len());
    for (l, (item, q)) in left_out.iter().zip(&expected) {
        assert_eq!(l["kind"], "price");
        assert_eq!(l["item"], item.as_str());
        assert_eq!(d(&l["quantity"]), *q, "{item}");
        assert_eq!(l["why"], "no price for eu-west-1 in the pricing data");
    }

    // The comparison made with it says its AWS side is incomplete, in plan.json and in the verdict shown.
    let verdict = &v["comparison"]["verdict"];
    assert_eq!(verdict["aws_incomplete"], true);
    let text = verdict["text"].as_str().expect("text");
    assert!(text.contains("The AWS side is INCOMPLETE"), "{text}");
    assert!(common::stdout(&o).contains(&format!("Verdict: {text}")));

    // Terminal: INCOMPLETE right under the first line, every item with its quantity, then how to fill them.
    let stdout = common::stdout(&o);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[1], "INCOMPLETE: the monthly totals below leave out:", "{stdout}");
    for (i, (item, q)) in expected.iter().enumerate() {
        let shown = rocklift::money::display_size(*q);
        assert!(lines[2 + i].starts_with(&format!("  - {item}: {shown} ")), "{}", lines[2 + i]);
    }
    assert!(lines[2 + expected.len()].contains("rocklift pricing refresh --regions eu-west-1"), "{stdout}");
    assert!(lines[2 + expected.len()].contains("[prices.\"eu-west-1\"]"), "{stdout}");

    // report.md: the block comes before the comparison and the AWS totals.
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let at = md.find("**INCOMPLETE: the monthly totals below leave out:**").expect("headline");
    assert!(at < md.find("## Keep the servers or move them").expect("comparison"), "{md}");
    for (item, _) in &expected {
        let escaped = rocklift::render::report::md_escape(item);
        assert!(md[at..].contains(&format!("- {escaped}: ")), "{item}");
    }
    assert!(md.contains("`rocklift pricing refresh --regions eu-west-1`"));

    // report.html: the section is the first one of <main>.
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let main = &html[html.find("<main>").expect("main")..];
    assert!(main.trim_start_matches("<main>").trim_start().starts_with("<section id=\"incomplete\""), "{main:.200}");
    for i in 0..expected.len() {
        // minijinja escapes `/` in attributes.
        assert!(main.contains(&format!("data-p=\"&#x2f;totals&#x2f;left_out&#x2f;{i}&#x2f;item\"")), "{i}");
    }
}

/// A complete plan (us-east-1 has every price) has no headline and no `left_out`.
#[test]
fn a_complete_plan_has_no_headline() {
    let o = common::run(&["plan", "examples/smb-office.csv", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["totals"]["incomplete"], false);
    assert!(v["totals"].get("left_out").is_none());
    let o = common::run(&["plan", "examples/smb-office.csv"]);
    assert!(!common::stdout(&o).contains("INCOMPLETE"));
}
