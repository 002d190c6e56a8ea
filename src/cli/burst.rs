//! `rocklift burst --cluster FILE --jobs SACCT [--max-wait 1h] [--spot] [--out DIR]`: replay the Slurm history on
//! the on-prem cluster, again with jobs that would wait too long sent to the cloud, price the cloud node-hours, and
//! write burst.json and the Slurm fragment with its resume / suspend scripts.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rocklift::estimate::{pricing_ref, LoadedPricing};
use rocklift::hpc::cost::{candidate_shapes, price_burst, BurstCost, BurstCostSettings};
use rocklift::hpc::slurm_conf::{self, CloudNodeType};
use rocklift::hpc::{
    parse_cluster_toml, parse_sacct_with, parse_scontrol_nodes, replay, BurstPolicy, SacctOptions, WaitStats,
};
use rocklift::network::PriceOverrides;
use rocklift::settings::Overrides;
use rocklift::{Error, Result};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{out, Ctx};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The on-prem cluster: a rocklift.toml with [cluster], or `scontrol show nodes --oneliner` output.
    #[arg(long, value_name = "FILE")]
    cluster: PathBuf,
    /// The job history: `sacct --parsable2` output, with or without a header line.
    #[arg(long, value_name = "FILE")]
    jobs: PathBuf,
    /// Send a job to the cloud when its predicted wait exceeds this: 90s, 30m, 1h, 2d (default 1h).
    /// Each option below also has a `[burst]` key in rocklift.toml (same name, `_` for `-`); the flag wins.
    #[arg(long, value_name = "DURATION")]
    max_wait: Option<String>,
    /// Also send every job of these partitions (comma separated).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    partitions: Vec<String>,
    /// Only these instance types or families as cloud nodes (comma separated: `c7a,hpc7a,m7i.4xlarge`); the
    /// cheapest that fits is chosen among them.
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    types: Vec<String>,
    /// Price cloud nodes at the average spot price (with --interruption-overhead-pct more node-hours).
    #[arg(long)]
    spot: bool,
    /// Extra node-hours for jobs rerun after a spot interruption, percent (a rocklift assumption).
    /// [default: 10]
    #[arg(long, value_name = "PCT")]
    interruption_overhead_pct: Option<Decimal>,
    /// Minutes a cloud node boots before its job starts (billed, and part of the job's wait).
    /// [default: 5]
    #[arg(long, value_name = "MIN")]
    boot_minutes: Option<u32>,
    /// Results sent back over the internet per burst job, GB.
    /// [default: 0]
    #[arg(long, value_name = "GB")]
    egress_gb_per_job: Option<Decimal>,
    /// Results sent back per core-hour of burst jobs, GB.
    /// [default: 0]
    #[arg(long, value_name = "GB")]
    egress_gb_per_core_hour: Option<Decimal>,
    /// Shared storage the cloud nodes mount (named in the report, not priced), e.g. "FSx for Lustre".
    #[arg(long, value_name = "NAME")]
    shared_storage: Option<String>,
    /// Skip (and count) history lines that cannot be read instead of stopping with every problem listed.
    #[arg(long)]
    skip_malformed: bool,
    /// AWS region to price in (default from rocklift.toml, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// Write burst.json, report.html, report.md, slurm/ (cloud.conf, required-global.conf, the scripts, README.md)
    /// and terraform/ into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the summary as a table or burst.json.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Overwrite generated Terraform files you changed since rocklift wrote them.
    #[arg(long)]
    force: bool,
}

#[derive(Copy, Clone, Debug, clap::ValueEnum)]
enum Format {
    Table,
    Json,
}

/// `90s`, `30m`, `1h`, `2d`, or plain seconds.
pub fn parse_duration(s: &str) -> std::result::Result<i64, String> {
    let t = s.trim();
    let (num, unit) = t.find(|c: char| !c.is_ascii_digit()).map_or((t, ""), |i| t.split_at(i));
    let n: i64 = num.parse().map_err(|_| format!("--max-wait {s}: expected a duration such as 90s, 30m, 1h or 2d"))?;
    let mult = match unit.trim() {
        "" | "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("--max-wait {s}: expected a duration such as 90s, 30m, 1h or 2d")),
    };
    Ok(n * mult)
}

/// burst.json: the summary of both replays and the cost; per-job lists are left out (they can be millions).
#[derive(Serialize)]
struct BurstReport {
    schema: &'static str,
    rocklift_version: &'static str,
    pricing: rocklift::plan::PricingRef,
    cluster: ClusterRef,
    history: HistoryRef,
    policy: PolicyRef,
    before: ReplayRef,
    after: ReplayRef,
    /// Burst jobs by reason; jobs the policy would burst that no type fits, by reason.
    burst_jobs: u64,
    burst_by_reason: BTreeMap<String, u64>,
    not_burstable: BTreeMap<String, u64>,
    on_prem_over_max_wait: u64,
    /// Node-seconds of runtime per type per month (before billing rules).
    node_seconds: BTreeMap<String, BTreeMap<String, i64>>,
    /// The recommended maximum cloud node count (the peak), and the 99th percentile.
    max_cloud_nodes: u64,
    p99_cloud_nodes: u64,
    cloud_nodes: Vec<CloudNodeType>,
    cost: BurstCost,
    /// Jobs per wait bucket (rocklift::hpc::replay::WAIT_BUCKETS) on-prem only and with bursting.
    wait_histogram: Vec<rocklift::hpc::replay::WaitBucket>,
    /// The most cloud nodes at once per hour, 6 hours, day or week (at most 400 buckets), all types and per type.
    cloud_nodes_over_time: rocklift::hpc::replay::NodeTimeline,
}

#[derive(Serialize)]
struct ClusterRef {
    source: String,
    nodes: usize,
    partitions: Vec<String>,
}

#[derive(Serialize)]
struct HistoryRef {
    file: String,
    jobs: usize,
    skipped_lines: BTreeMap<String, u64>,
    /// Lines skipped with --skip-malformed, with why.
    problems: Vec<String>,
    ignored_columns: Vec<String>,
}

#[derive(Serialize)]
struct PolicyRef {
    max_wait_s: i64,
    partitions: Vec<String>,
    boot_s: i64,
    spot: bool,
    candidate_types: usize,
}

#[derive(Serialize)]
struct ReplayRef {
    waits: WaitStats,
    partitions: Vec<rocklift::hpc::PartitionStats>,
    utilisation: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    accuracy: Option<rocklift::hpc::Accuracy>,
    unrunnable: usize,
    not_replayed: BTreeMap<String, u64>,
}

fn replay_ref(r: &rocklift::hpc::ReplayResult) -> ReplayRef {
    ReplayRef {
        waits: r.waits,
        partitions: r.partitions.clone(),
        utilisation: r.utilisation,
        accuracy: r.accuracy.clone(),
        unrunnable: r.unrunnable.len(),
        not_replayed: r.not_replayed.clone(),
    }
}

fn read(path: &PathBuf) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        Error::Invalid(vec![rocklift::error::Problem::at(
            &path.display().to_string(),
            0,
            None,
            format!("is not UTF-8 text ({e})"),
        )])
    })
}

fn hms(s: i64) -> String {
    format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

/// The burst options after `[burst]` of rocklift.toml and the built-in defaults: a flag beats the key.
struct Resolved {
    max_wait: i64,
    partitions: Vec<String>,
    types: Vec<String>,
    spot: bool,
    interruption_overhead_pct: Decimal,
    boot_minutes: u32,
    egress_gb_per_job: Decimal,
    egress_gb_per_core_hour: Decimal,
    shared_storage: Option<String>,
}

fn resolve(a: &Args, b: &rocklift::settings::BurstSettings) -> Result<Resolved> {
    let or_setting = |flag: &Vec<String>, key: &Option<Vec<String>>| {
        if flag.is_empty() {
            key.clone().unwrap_or_default()
        } else {
            flag.clone()
        }
    };
    let r = Resolved {
        max_wait: parse_duration(a.max_wait.as_deref().or(b.max_wait.as_deref()).unwrap_or("1h"))
            .map_err(Error::Usage)?,
        partitions: or_setting(&a.partitions, &b.partitions),
        types: or_setting(&a.types, &b.types),
        spot: a.spot || b.spot.unwrap_or(false),
        interruption_overhead_pct: a.interruption_overhead_pct.or(b.interruption_overhead_pct).unwrap_or(Decimal::TEN),
        boot_minutes: a.boot_minutes.or(b.boot_minutes).unwrap_or(5),
        egress_gb_per_job: a.egress_gb_per_job.or(b.egress_gb_per_job).unwrap_or(Decimal::ZERO),
        egress_gb_per_core_hour: a.egress_gb_per_core_hour.or(b.egress_gb_per_core_hour).unwrap_or(Decimal::ZERO),
        shared_storage: a.shared_storage.clone().or_else(|| b.shared_storage.clone()),
    };
    // The flags given (a key of rocklift.toml was checked when the file was read).
    let problems = rocklift::settings::burst_problems(
        a.interruption_overhead_pct,
        a.boot_minutes,
        a.egress_gb_per_job,
        a.egress_gb_per_core_hour,
        |k| format!("--{}", k.replace('_', "-")),
    );
    if !problems.is_empty() {
        return Err(Error::Usage(problems.join("; ")));
    }
    Ok(r)
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let settings = ctx.settings(&Overrides { region: a.region.clone(), ..Default::default() })?;
    let o = resolve(&a, &settings.burst)?;
    let max_wait = o.max_wait;
    let cluster_text = read(&a.cluster)?;
    let label = a.cluster.display().to_string();
    let cluster = if cluster_text.contains("NodeName=") {
        parse_scontrol_nodes(&label, &cluster_text)?
    } else {
        parse_cluster_toml(&label, &cluster_text)?
    };
    let history = parse_sacct_with(
        &a.jobs.display().to_string(),
        &read(&a.jobs)?,
        &SacctOptions { skip_malformed: a.skip_malformed },
    )?;
    let snapshot = ctx.snapshot()?;
    ctx.check_region(&snapshot, &settings.region, a.region.is_some())?;
    let pricing = LoadedPricing::load(snapshot, &settings.region)?;
    let wanted = |name: &str| {
        let family = name.split('.').next().unwrap_or(name);
        o.types.is_empty()
            || o.types.iter().any(|t| t.trim().eq_ignore_ascii_case(name) || t.trim().eq_ignore_ascii_case(family))
    };
    let shapes = candidate_shapes(&pricing.catalog, &pricing.prices, o.spot, &wanted);
    // Types jobs ask for by name (`--constraint=m5.large`): such a job can burst onto that type only.
    let mut named: Vec<String> =
        history.jobs.iter().filter_map(|j| j.single_feature()).filter(|f| wanted(f)).map(str::to_owned).collect();
    named.sort();
    named.dedup();
    let shapes = rocklift::hpc::cost::with_named_types(shapes, &pricing.catalog, &pricing.prices, o.spot, &named);
    if shapes.is_empty() {
        return Err(Error::Usage(format!(
            "--types {}: no current x86_64 type priced in {} matches",
            o.types.join(","),
            settings.region
        )));
    }
    let boot = i64::from(o.boot_minutes) * 60;
    let policy = BurstPolicy {
        max_wait: Some(max_wait),
        partitions: o.partitions.clone(),
        shapes: shapes.iter().map(|s| s.shape.clone()).collect(),
        boot_seconds: boot,
    };
    let before = replay(&cluster, &history.jobs, None);
    let after = replay(&cluster, &history.jobs, Some(&policy));
    let summary = after.burst.clone().unwrap_or_default();
    let cost_settings = BurstCostSettings {
        boot_seconds: boot,
        interruption_overhead_pct: o.interruption_overhead_pct,
        egress_gb_per_job: o.egress_gb_per_job,
        egress_gb_per_core_hour: o.egress_gb_per_core_hour,
        shared_storage: o.shared_storage.clone(),
        suspend_time_s: i64::from(slurm_conf::SUSPEND_TIME_S),
    };
    let overrides = PriceOverrides::from(settings.price_overrides.get(&settings.region).cloned().unwrap_or_default());
    let cost =
        price_burst(&summary, &history.jobs, &shapes, &cost_settings, &pricing.services, &settings.region, &overrides);
    let cloud_nodes: Vec<CloudNodeType> = summary
        .nodes_by_shape
        .iter()
        .filter_map(|(name, count)| {
            // The candidates are cheapest first: the rank by price makes the weight, so Slurm, which takes the
            // lowest-weight nodes that fit, picks the type the replay priced.
            let rank = shapes.iter().position(|s| &s.shape.name == name)?;
            let s = &shapes[rank];
            Some(CloudNodeType {
                instance_type: name.clone(),
                vcpus: s.shape.vcpus,
                memory_mib: s.instance_memory_mib,
                real_memory_mib: s.shape.memory_mib,
                gpus: s.shape.gpus,
                gpu_model: s.shape.gpu_model.clone(),
                max_nodes: count.peak,
                efa: s.efa_interfaces > 0,
                weight: slurm_conf::CLOUD_WEIGHT_BASE + u32::try_from(rank + 1).unwrap_or(u32::MAX - 10_000),
            })
        })
        .collect();
    let report = BurstReport {
        schema: rocklift::render::burst_report::SCHEMA,
        rocklift_version: env!("CARGO_PKG_VERSION"),
        pricing: pricing_ref(&pricing.snapshot.origin, &pricing.snapshot.manifest),
        cluster: ClusterRef {
            source: cluster.source.clone(),
            nodes: cluster.nodes.len(),
            partitions: cluster.partitions.iter().map(|p| p.name.clone()).collect(),
        },
        history: HistoryRef {
            file: history.file.clone(),
            jobs: history.jobs.len(),
            skipped_lines: history.skipped.clone(),
            problems: history.problems.iter().map(ToString::to_string).collect(),
            ignored_columns: history.ignored_columns.clone(),
        },
        policy: PolicyRef {
            max_wait_s: max_wait,
            partitions: o.partitions.clone(),
            boot_s: boot,
            spot: o.spot,
            candidate_types: shapes.len(),
        },
        before: replay_ref(&before),
        after: replay_ref(&after),
        burst_jobs: summary.jobs.len() as u64,
        burst_by_reason: summary.by_reason.clone(),
        not_burstable: summary.not_burstable.clone(),
        on_prem_over_max_wait: summary.on_prem_over_max_wait,
        node_seconds: summary.node_seconds.clone(),
        max_cloud_nodes: summary.nodes.peak,
        p99_cloud_nodes: summary.nodes.p99,
        cloud_nodes,
        cost,
        wait_histogram: rocklift::hpc::replay::wait_histogram(&before, &after),
        cloud_nodes_over_time: summary.node_timeline(),
    };
    let json =
        serde_json::to_string_pretty(&report).map_err(|e| Error::io("burst.json", std::io::Error::other(e)))? + "\n";
    let mut tf_summary = String::new();
    if let Some(dir) = &a.out {
        // The reports render from burst.json as written, as `rocklift report burst.json` does.
        let doc = rocklift::render::burst_report::parse(&json)
            .map_err(|e| Error::io("burst.json", std::io::Error::other(e)))?;
        let (html, md) = (rocklift::render::burst_report::html(&doc)?, rocklift::render::burst_report::markdown(&doc)?);
        // Terraform first: a refusal (a file the user changed) leaves everything untouched.
        let generated_by = format!("rocklift {}", env!("CARGO_PKG_VERSION"));
        let tf = rocklift::hpc::terraform::render(
            &report.cloud_nodes,
            &settings.region,
            &report.pricing.data_date,
            &generated_by,
        )?;
        let written = super::terraform::write_files(dir, &tf, a.force)?;
        tf_summary = super::terraform::summary(&dir.join("terraform"), &written);
        super::plan::write_texts(dir, &[("burst.json", &json), ("report.html", &html), ("report.md", &md)])?;
        let fragment = slurm_conf::cloud_conf(&report.cloud_nodes, "cloud", &generated_by);
        let onprem: Vec<String> = cluster.partitions.iter().map(|p| p.name.clone()).collect();
        let globals = slurm_conf::required_global(&report.cloud_nodes, &onprem, &generated_by);
        let route = rocklift::hpc::burst_router::route_script(
            max_wait,
            &report.cloud_nodes,
            &onprem,
            &o.partitions,
            "cloud",
            &generated_by,
        );
        let resume = slurm_conf::resume_script(&report.cloud_nodes, &settings.region, "rocklift-burst-");
        let suspend = slurm_conf::suspend_script(&settings.region);
        super::plan::write_texts(
            &dir.join("slurm"),
            &[
                ("cloud.conf", &fragment),
                ("required-global.conf", &globals),
                ("README.md", slurm_conf::README),
                ("resume.sh", &resume),
                ("suspend.sh", &suspend),
                ("route.sh", &route),
                ("rocklift-burst-route.service", rocklift::hpc::burst_router::ROUTE_SERVICE),
                ("rocklift-burst-route.timer", rocklift::hpc::burst_router::ROUTE_TIMER),
            ],
        )?;
    }
    match a.format {
        Format::Json => out(&json),
        Format::Table => out(&(summary_text(&report, a.out.as_ref()) + &tf_summary)),
    }
}

fn summary_text(r: &BurstReport, dir: Option<&PathBuf>) -> String {
    let mut s = format!(
        "rocklift burst: {} jobs from {} on {} ({} nodes, partitions {}), max wait {}\n",
        r.history.jobs,
        r.history.file,
        r.cluster.source,
        r.cluster.nodes,
        r.cluster.partitions.join(", "),
        hms(r.policy.max_wait_s)
    );
    for p in &r.history.problems {
        s.push_str(&format!("skipped: {p}\n"));
    }
    let skipped: u64 = r.history.skipped_lines.values().sum();
    if skipped > 0 {
        let parts: Vec<String> = r.history.skipped_lines.iter().map(|(k, v)| format!("{v} {k}")).collect();
        s.push_str(&format!("Lines skipped: {skipped} ({})\n", parts.join(", ")));
    }
    let w = |x: &WaitStats| format!("p50 {}, p95 {}, max {}", hms(x.p50), hms(x.p95), hms(x.max));
    s.push_str(&format!("Waits on-prem only:  {}\n", w(&r.before.waits)));
    s.push_str(&format!("Waits with bursting: {}\n", w(&r.after.waits)));
    if let Some(acc) = &r.before.accuracy {
        s.push_str(&format!(
            "Replay against the recorded starts: {:.0}% within 5 minutes over {} jobs\n",
            acc.within_5_min * 100.0,
            acc.jobs
        ));
    }
    s.push_str(&format!(
        "Jobs sent to the cloud: {}; recommended maximum cloud nodes: {} (p99 {})\n",
        r.burst_jobs, r.max_cloud_nodes, r.p99_cloud_nodes
    ));
    for (reason, n) in &r.not_burstable {
        s.push_str(&format!("  stayed on-prem, no type fits: {n} ({reason})\n"));
    }
    for m in &r.cost.months {
        let hours: Vec<String> = m.node_hours.iter().map(|(t, h)| format!("{t} {} h", h.round_dp(1))).collect();
        s.push_str(&format!(
            "  {}: {} jobs, {}: ${}\n",
            m.month,
            m.jobs,
            hours.join(", "),
            rocklift::money::display_usd_grouped(m.total_usd)
        ));
    }
    s.push_str(&format!(
        "Cloud cost: ${} a month on average over {} month(s) with bursts, ${} in all.\n",
        rocklift::money::display_usd_grouped(r.cost.average_monthly_usd),
        r.cost.months.len(),
        rocklift::money::display_usd_grouped(r.cost.total_usd)
    ));
    for n in &r.cost.notes {
        s.push_str(&format!("note: {n}\n"));
    }
    for m in &r.cost.missing {
        s.push_str(&format!("warning: {m}\n"));
    }
    if let Some(d) = dir {
        s.push_str(&format!(
            "Wrote {} (and report.html, report.md), {}/ (cloud.conf, required-global.conf, scripts; its README.md says what to apply, in order) and {}/.\n",
            d.join("burst.json").display(),
            d.join("slurm").display(),
            d.join("terraform").display()
        ));
    }
    s.push_str(&format!("Prices: {} snapshot, data date {}.\n", r.pricing.snapshot, r.pricing.data_date));
    s
}
