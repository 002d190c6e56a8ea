//! Property: over random inventories, no placement is smaller than its requirement, no requirement is
//! smaller than what the sizing rule demands, the placement is the cheapest fitting type, a burstable
//! type placed for a low-p95 server sustains that load at AWS's published baseline, and the costs add up.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use rocklift::estimate::{build_plan, LoadedPricing};
use rocklift::inventory::{native_csv, ArchChoice, Inventory};
use rocklift::matching::{MatchOutcome, Matcher};
use rocklift::money::HOURS_PER_MONTH;
use rocklift::pricing::{Snapshot, Term};
use rocklift::settings::{Burstable, Settings, Sizing};
use rocklift::sizing::BurstableRule;
use rust_decimal::Decimal;

/// CPU credits earned per hour by each burstable size, copied here from the Amazon EC2 User Guide's
/// credit table (burstable-credits-baseline-concepts.md) so the check does not trust the code's own
/// table; one credit is one vCPU-minute, so credits / 60 is the baseline in vCPUs.
fn published_credits(instance_type: &str) -> Option<Decimal> {
    let credits = match instance_type {
        "t2.nano" => "3",
        "t2.micro" => "6",
        "t2.small" => "12",
        "t2.medium" => "24",
        "t2.large" => "36",
        "t2.xlarge" => "54",
        "t2.2xlarge" => "81.6",
        t => match t.split_once('.') {
            Some(("t3" | "t3a" | "t4g", size)) => match size {
                "nano" => "6",
                "micro" => "12",
                "small" | "medium" => "24",
                "large" => "36",
                "xlarge" => "96",
                "2xlarge" => "192",
                _ => return None,
            },
            _ => return None,
        },
    };
    Some(credits.parse().expect("decimal"))
}

fn pricing(region: &str) -> &'static LoadedPricing {
    static CELLS: OnceLock<BTreeMap<&'static str, LoadedPricing>> = OnceLock::new();
    let map = CELLS.get_or_init(|| {
        ["us-east-1", "eu-west-1", "ap-southeast-2"]
            .into_iter()
            .map(|r| (r, LoadedPricing::load(Snapshot::embedded().expect("snapshot"), r).expect("pricing")))
            .collect()
    });
    &map[region]
}

const OSES: [&str; 7] = [
    "CentOS Linux 7 (Core)",
    "Red Hat Enterprise Linux 8.8",
    "Rocky Linux 9.3",
    "Ubuntu 22.04",
    "Windows Server 2019 Standard",
    "AlmaLinux 8.9",
    "Debian 12",
];

#[derive(Debug, Clone)]
struct Row {
    cpus: u32,
    mem_tenths: u32,
    disk: Option<u32>,
    os: usize,
    cpu_p95: Option<u32>,
    mem_p95: Option<u32>,
    gpus: u32,
    gpu_model: Option<&'static str>,
    arch: Option<&'static str>,
    count: u32,
    public: bool,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop_oneof![1u32..=8, 1u32..=128, Just(448u32), Just(1000u32)],
        prop_oneof![1u32..=640, 1u32..=20_480, Just(49_152u32)],
        proptest::option::of(0u32..=20_000),
        0usize..OSES.len(),
        proptest::option::of(0u32..=100),
        proptest::option::of(0u32..=100),
        prop_oneof![8 => Just(0u32), 1 => 1u32..=8],
        proptest::option::of(prop_oneof![Just("A100"), Just("NVIDIA T4"), Just("L4"), Just("A10G"), Just("H100")]),
        proptest::option::of(prop_oneof![Just("x86_64"), Just("arm64"), Just("any")]),
        1u32..=20,
        any::<bool>(),
    )
        .prop_map(|(cpus, mem_tenths, disk, os, cpu_p95, mem_p95, gpus, gpu_model, arch, count, public)| Row {
            cpus,
            mem_tenths,
            disk,
            os,
            cpu_p95,
            mem_p95,
            gpus,
            gpu_model: if gpus > 0 { gpu_model } else { None },
            arch,
            count,
            public,
        })
}

fn inventory(rows: &[Row]) -> Inventory {
    let mut csv =
        String::from("name,cpus,memory_gib,disk_gib,os,cpu_util_p95,mem_util_p95,gpus,gpu_model,arch,count,public\n");
    for (i, r) in rows.iter().enumerate() {
        let opt = |o: Option<u32>| o.map(|v| v.to_string()).unwrap_or_default();
        csv.push_str(&format!(
            "srv{i},{},{},{},{},{},{},{},{},{},{},{}\n",
            r.cpus,
            Decimal::new(i64::from(r.mem_tenths), 1),
            opt(r.disk),
            OSES[r.os],
            opt(r.cpu_p95),
            opt(r.mem_p95),
            r.gpus,
            r.gpu_model.unwrap_or(""),
            r.arch.unwrap_or(""),
            r.count,
            if r.public { "yes" } else { "no" }
        ));
    }
    native_csv::parse("random.csv", csv.as_bytes()).expect("generated inventory is valid")
}

fn settings_strategy() -> impl Strategy<Value = Settings> {
    (
        prop_oneof![Just("us-east-1"), Just("eu-west-1"), Just("ap-southeast-2")],
        prop_oneof![Just(Sizing::AsIs), Just(Sizing::Utilization)],
        prop_oneof![Just(Decimal::ONE), Just(Decimal::new(12, 1)), Just(Decimal::new(15, 1))],
        prop_oneof![Just(ArchChoice::X86_64), Just(ArchChoice::Any), Just(ArchChoice::Arm64)],
        prop_oneof![Just(Burstable::Auto), Just(Burstable::Allow), Just(Burstable::Never)],
        prop_oneof![3 => Just(false), 1 => Just(true)],
    )
        .prop_map(|(region, sizing, headroom, arch, burstable, include_previous_generation)| Settings {
            region: region.into(),
            sizing,
            headroom,
            arch,
            burstable,
            include_previous_generation,
            ..Settings::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn placements_are_never_below_need(rows in proptest::collection::vec(row(), 1..25), settings in settings_strategy()) {
        let inv = inventory(&rows);
        let p = pricing(&settings.region);
        let plan = build_plan(inv.clone(), &settings, &p.data());
        let matcher = Matcher::new(&p.catalog, &p.prices, settings.include_previous_generation);
        prop_assert_eq!(plan.servers.len(), rows.len());
        let mut total = Decimal::ZERO;
        for (sp, server) in plan.servers.iter().zip(&inv.servers) {
            let req = &sp.requirement;
            // The requirement honours the sizing rule.
            let pct = |v: Decimal| v / Decimal::from(100);
            match (settings.sizing, server.cpu_util_p95) {
                (Sizing::Utilization, Some(u)) => {
                    prop_assert!(Decimal::from(req.vcpus) >= Decimal::from(server.cpus) * pct(u) * settings.headroom);
                    prop_assert!(req.vcpus >= 1);
                }
                _ => prop_assert_eq!(req.vcpus, server.cpus),
            }
            match (settings.sizing, server.mem_util_p95) {
                (Sizing::Utilization, Some(u)) => {
                    prop_assert!(req.memory_gib >= server.memory_gib * pct(u) * settings.headroom);
                    prop_assert!(req.memory_gib >= Decimal::new(5, 1));
                }
                _ => prop_assert_eq!(req.memory_gib, server.memory_gib),
            }
            prop_assert_eq!(req.gpus, server.gpus);
            match &sp.placement {
                MatchOutcome::Placed(pl) => {
                    let spec = p.catalog.get(&pl.instance_type).expect("placed type has specs");
                    prop_assert!(spec.vcpus >= req.vcpus, "{} < {}", spec.vcpus, req.vcpus);
                    prop_assert!(spec.memory_gib() >= req.memory_gib);
                    prop_assert!(spec.gpus >= req.gpus);
                    if req.gpus == 0 { prop_assert_eq!(spec.gpus, 0); }
                    prop_assert!(req.arch.allows(pl.arch) && spec.supports(pl.arch));
                    if server.os.family == rocklift::inventory::OsFamily::Windows {
                        prop_assert_eq!(pl.arch.as_str(), "x86_64");
                    }
                    prop_assert!((spec.current_generation || settings.include_previous_generation) && !spec.bare_metal);
                    prop_assert_eq!(pl.ebs_optimizable, spec.ebs_optimized_support != "unsupported");
                    if settings.burstable == Burstable::Never { prop_assert!(!spec.burstable); }
                    if let (true, BurstableRule::IfBaselineCovers { load_vcpus }) = (spec.burstable, &req.burstable) {
                        let credits = published_credits(&pl.instance_type);
                        prop_assert!(credits.is_some(), "{} placed under auto without a published baseline", pl.instance_type);
                        let baseline = credits.unwrap_or_default() / Decimal::from(60);
                        prop_assert!(baseline >= *load_vcpus, "{}: baseline {} < load {}", pl.instance_type, baseline, load_vcpus);
                    }
                    let tp = p.prices.get(&pl.instance_type).expect("priced");
                    prop_assert!(tp.is_offered());
                    prop_assert_eq!(Some(pl.hourly_usd), tp.get(req.price_os, Term::OnDemand));
                    // Cheapest: nothing that fits costs less.
                    let all = matcher.all_fitting(req);
                    prop_assert!(all.iter().all(|(_, h, _)| *h >= pl.hourly_usd));
                    prop_assert_eq!(all[0].0.instance_type.as_str(), pl.instance_type.as_str());
                    // The runner-up is the next cheapest that fits.
                    prop_assert_eq!(all.get(1).map(|(s, h, _)| (s.instance_type.clone(), *h)), pl.runner_up.as_ref().map(|r| (r.instance_type.clone(), r.hourly_usd)));
                    // Instance cost = hourly x 730 x count.
                    let compute = sp.costs.iter().find(|c| c.unit == "hour" && c.category == rocklift::plan::Category::Compute).expect("compute line");
                    prop_assert_eq!(compute.monthly_usd, Some(pl.hourly_usd * HOURS_PER_MONTH * Decimal::from(server.count)));
                    // Every placed EL server carries the image hint of its region and arch, when the data has one.
                    if let Some(rocky) = &server.os.rocky {
                        let want = p.images.get(&settings.region, pl.arch.as_str(), rocky).map(|h| h.ami_id.clone());
                        prop_assert_eq!(sp.os.ami_hint.as_ref().map(|h| h.ami_id.clone()), want);
                    }
                    // Volumes hold at least the provisioned disk.
                    let storage: Decimal = sp.volumes.iter().map(|v| v.size_gib).sum();
                    if let Some(d) = server.disk_gib { prop_assert!(storage >= d); }
                }
                MatchOutcome::Unplaced { reason } => {
                    prop_assert!(matcher.all_fitting(req).is_empty(), "unplaced but something fits: {}", reason);
                    prop_assert!(plan.totals.incomplete);
                }
            }
            let sum: Decimal = sp.costs.iter().filter_map(|c| c.monthly_usd).sum();
            prop_assert_eq!(sum, sp.monthly_usd);
            total += sp.monthly_usd;
        }
        prop_assert_eq!(total + plan.network.total_usd_month, plan.totals.monthly_usd);
        // plan.json, written field by field and server by server, is exactly the serde model.
        let written: serde_json::Value = serde_json::from_str(&rocklift::render::json::plan(&plan)).expect("valid json");
        prop_assert_eq!(written, serde_json::to_value(&plan).expect("to_value"));
        let mut small_chunks = Vec::new();
        rocklift::render::json::write_plan_chunked(&plan, &mut small_chunks, 3).expect("write");
        prop_assert_eq!(String::from_utf8(small_chunks).expect("utf8"), rocklift::render::json::plan(&plan));
        let by_role: Decimal = plan.totals.by_role.values().copied().sum();
        prop_assert_eq!(by_role + plan.network.total_usd_month, plan.totals.monthly_usd);
        let by_category: Decimal = plan.totals.by_category.values().copied().sum();
        prop_assert_eq!(by_category, plan.totals.monthly_usd);
    }
}

/// The review's case: an 8-vCPU Windows server at 19 % p95 (1.52 vCPUs of load) used to land on
/// t2.2xlarge, whose baseline is 17 % of each of its 8 vCPUs (1.36 vCPUs): placed below its need.
#[test]
fn an_8_vcpu_server_at_19_percent_is_not_placed_below_its_baseline() {
    let p = pricing("us-east-1");
    let csv = "name,cpus,memory_gib,os,cpu_util_p95\nwin8,8,32,Windows Server 2019 Standard,19\n";
    let inv: Inventory = native_csv::parse("t.csv", csv.as_bytes()).expect("inventory");
    let plan = build_plan(inv, &Settings::default(), &p.data());
    let sp = &plan.servers[0];
    let load = Decimal::from(8) * Decimal::from(19) / Decimal::from(100);
    assert_eq!(sp.requirement.burstable, BurstableRule::IfBaselineCovers { load_vcpus: load });
    let MatchOutcome::Placed(pl) = &sp.placement else { panic!("not placed: {:?}", sp.placement) };
    assert_ne!(pl.instance_type, "t2.2xlarge");
    let t2 = published_credits("t2.2xlarge").expect("t2.2xlarge") / Decimal::from(60);
    assert!(t2 < load, "the case needs t2.2xlarge's baseline ({t2}) below the load ({load})");
    if let Some(credits) = published_credits(&pl.instance_type) {
        assert!(credits / Decimal::from(60) >= load, "{}", pl.instance_type);
    }
}
