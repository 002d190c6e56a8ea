//! The region's instance catalog and prices in, the candidate cloud shapes for bursting out (cheapest first); and a
//! replay's burst plan with those prices and the burst settings in, the cloud cost per month out: node-hours per
//! type billed per second with EC2's 60-second minimum (boot included), spot with an interruption overhead or
//! on-demand, egress of results through the internet tiers, shared storage named and left unpriced.
//!
//! Pure: no files, clock or environment. Money is exact `Decimal`; a price the snapshot lacks is a message, never 0.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::replay::{BurstSummary, CloudShape};
use super::sacct::Job;
use crate::network::{price_network, NetworkInputs, PriceOverrides};
use crate::pricing::services::ServicePrices;
use crate::pricing::{Catalog, PriceOs, RegionPrices, Term};

/// EC2 bills Linux instances per second with a minimum of one minute.
pub const MIN_BILLED_SECONDS: i64 = 60;
const SECONDS_PER_HOUR: i64 = 3600;

/// A shape with the rate it is priced at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedShape {
    pub shape: CloudShape,
    /// $/hour: spot (when asked for and known) or on-demand, Linux (Rocky Linux has no licence charge).
    pub hourly_usd: Decimal,
    pub term: String,
    /// Elastic Fabric Adapter interfaces (0 = none).
    pub efa_interfaces: u32,
    /// The instance's memory as EC2 lists it; `shape.memory_mib` is what Slurm gets of it (RealMemory).
    pub instance_memory_mib: u64,
}

/// Every current-generation x86_64 type priced for Linux in the region (not bare metal, not burstable), cheapest
/// first (ties: fewer vCPUs, then the name), without the dominated ones: a type is dropped when a type at most as
/// expensive has at least its vCPUs, memory and GPUs of the same model. The first that fits a job is then the
/// cheapest that fits it. `allow` narrows the types first (e.g. to the families a site has validated).
pub fn candidate_shapes(
    catalog: &Catalog,
    prices: &RegionPrices,
    spot: bool,
    allow: &dyn Fn(&str) -> bool,
) -> Vec<PricedShape> {
    let mut all: Vec<PricedShape> = catalog
        .iter()
        .filter(|t| t.current_generation && !t.bare_metal && !t.burstable && t.archs.iter().any(|a| a == "x86_64"))
        .filter(|t| allow(&t.instance_type))
        .filter_map(|t| priced_shape(t, prices, spot))
        .collect();
    all.sort_by(|a, b| {
        a.hourly_usd.cmp(&b.hourly_usd).then(a.shape.vcpus.cmp(&b.shape.vcpus)).then(a.shape.name.cmp(&b.shape.name))
    });
    let mut kept: Vec<PricedShape> = Vec::new();
    for c in all {
        let dominated = kept.iter().any(|k| {
            k.shape.vcpus >= c.shape.vcpus
                && k.shape.memory_mib >= c.shape.memory_mib
                && k.shape.gpus >= c.shape.gpus
                && (c.shape.gpus == 0 || k.shape.gpu_model == c.shape.gpu_model)
        });
        if !dominated {
            kept.push(c);
        }
    }
    kept
}

/// A type as a cloud shape at its rate (spot when asked for and known and not above on-demand), or `None`
/// when it has no Linux on-demand price.
fn priced_shape(t: &crate::pricing::InstanceSpec, prices: &RegionPrices, spot: bool) -> Option<PricedShape> {
    let tp = prices.get(&t.instance_type)?;
    let od = tp.get(PriceOs::Linux, Term::OnDemand)?;
    let (rate, term) = match tp.get(PriceOs::Linux, Term::Spot).filter(|s| spot && *s <= od) {
        Some(s) => (s, "spot"),
        None => (od, "on-demand"),
    };
    Some(PricedShape {
        shape: CloudShape {
            name: t.instance_type.clone(),
            vcpus: t.vcpus,
            // Jobs are matched and priced against what the node gives Slurm, as cloud.conf writes it.
            memory_mib: crate::hpc::slurm_conf::real_memory_mib(t.memory_mib),
            gpus: t.gpus,
            gpu_model: (t.gpus > 0 && !t.gpu_model.is_empty()).then(|| t.gpu_model.to_lowercase()),
        },
        hourly_usd: rate,
        term: term.to_owned(),
        efa_interfaces: t.efa_interfaces,
        instance_memory_mib: t.memory_mib,
    })
}

/// `shapes` with the types named in `wanted` (jobs' node features that are instance types) added at the end
/// when they are priced and not there yet (a dominated type drops out of the candidates, but a job that asks
/// for it by name can run only on it). Cheapest first among the added; the order of `shapes` is kept, so an
/// unconstrained job still takes the cheapest type that fits.
pub fn with_named_types(
    mut shapes: Vec<PricedShape>,
    catalog: &Catalog,
    prices: &RegionPrices,
    spot: bool,
    wanted: &[String],
) -> Vec<PricedShape> {
    let mut added: Vec<PricedShape> = wanted
        .iter()
        .filter(|w| !shapes.iter().any(|s| s.shape.name.eq_ignore_ascii_case(w)))
        .filter_map(|w| catalog.iter().find(|t| t.instance_type.eq_ignore_ascii_case(w)))
        .filter(|t| !t.bare_metal && t.archs.iter().any(|a| a == "x86_64"))
        .filter_map(|t| priced_shape(t, prices, spot))
        .collect();
    added.sort_by(|a, b| a.hourly_usd.cmp(&b.hourly_usd).then(a.shape.name.cmp(&b.shape.name)));
    added.dedup_by(|a, b| a.shape.name == b.shape.name);
    shapes.extend(added);
    shapes
}

/// What the burst costs depend on besides prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurstCostSettings {
    /// Seconds a node runs before its job starts (boot, Slurm registration); billed.
    pub boot_seconds: i64,
    /// With spot: extra node-hours for jobs rerun after an interruption, percent.
    pub interruption_overhead_pct: Decimal,
    /// Results sent back over the internet, GB per burst job and per core-hour.
    pub egress_gb_per_job: Decimal,
    pub egress_gb_per_core_hour: Decimal,
    /// Shared storage the cloud nodes mount (e.g. "FSx for Lustre"): named in the plan, not priced.
    pub shared_storage: Option<String>,
    /// Idle seconds before slurmctld stops a cloud node (the cloud partition's `SuspendTime` in cloud.conf):
    /// billed after each node's last job, and a node that gets a job within it is reused, not started again.
    #[serde(default)]
    pub suspend_time_s: i64,
}

/// One month of bursting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthCost {
    /// `YYYY-MM` of the cloud starts.
    pub month: String,
    pub jobs: u64,
    /// Billed node-hours per type.
    pub node_hours: BTreeMap<String, Decimal>,
    pub compute_usd: Decimal,
    pub egress_gb: Decimal,
    /// `None` when the snapshot has no egress price for the region.
    pub egress_usd: Option<Decimal>,
    pub total_usd: Decimal,
}

/// The cloud cost of a burst plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurstCost {
    pub region: String,
    /// The rate used per type that received jobs.
    pub rates: BTreeMap<String, Decimal>,
    pub terms: BTreeMap<String, String>,
    pub months: Vec<MonthCost>,
    /// Mean of the months' totals (months with no burst job are not counted).
    pub average_monthly_usd: Decimal,
    pub total_usd: Decimal,
    /// The per-job lower bound: each job billed boot + runtime on its own nodes, with no idle time before a
    /// node is stopped and no node reused (the months above count both, as slurmctld runs the nodes).
    #[serde(default)]
    pub per_job_total_usd: Decimal,
    #[serde(default)]
    pub per_job_average_monthly_usd: Decimal,
    /// Cloud node starts (instances launched) as slurmctld runs them, and jobs that found a node still up.
    #[serde(default)]
    pub node_starts: u64,
    #[serde(default)]
    pub reused_nodes: u64,
    /// Prices or figures the plan could not give, and why.
    pub missing: Vec<String>,
    pub notes: Vec<String>,
}

/// One cloud instance as slurmctld runs it: launched for a job (boot before it), serving the jobs that come
/// while it is up, stopped `suspend_time` seconds after its last job.
#[derive(Debug, Clone, Copy)]
struct Instance {
    launch: i64,
    free_at: i64,
}

/// Node lifetimes per type as slurmctld runs the cloud partition: jobs in start order; each of a job's nodes
/// takes a node of its type that is idle and not yet stopped (freed at most `suspend_time` before the job
/// starts; the most recently freed first), else a new one launched `boot` before the job. Each lifetime runs
/// from launch to `suspend_time` after its last job, at least EC2's 60-second minimum. Returns per job
/// index of `burst.jobs` the billed seconds charged to its month (a lifetime is charged to the job that
/// launched it), the starts and the reuses.
fn lifetimes(burst: &BurstSummary, boot: i64, suspend_time: i64) -> (Vec<i64>, u64, u64) {
    let mut order: Vec<usize> = (0..burst.jobs.len()).collect();
    order.sort_by_key(|&i| (burst.jobs[i].start, i));
    // Per type: instances and the job that launched each.
    let mut pools: BTreeMap<&str, Vec<(Instance, usize)>> = BTreeMap::new();
    let (mut starts, mut reused) = (0u64, 0u64);
    for &i in &order {
        let bj = &burst.jobs[i];
        let (start, end) = (bj.start, bj.start + bj.runtime_s.max(0));
        let pool = pools.entry(bj.shape.as_str()).or_default();
        for _ in 0..bj.nodes.max(1) {
            let up = pool
                .iter_mut()
                .filter(|(n, _)| n.free_at <= start && start - n.free_at <= suspend_time)
                .max_by_key(|(n, _)| n.free_at);
            match up {
                Some((n, _)) => {
                    n.free_at = end;
                    reused += 1;
                }
                None => {
                    pool.push((Instance { launch: start - boot, free_at: end }, i));
                    starts += 1;
                }
            }
        }
    }
    let mut billed = vec![0i64; burst.jobs.len()];
    for pool in pools.values() {
        for (n, i) in pool {
            billed[*i] += (n.free_at + suspend_time - n.launch).max(MIN_BILLED_SECONDS);
        }
    }
    (billed, starts, reused)
}

/// Price `burst` (jobs indexed into `jobs`) with `shapes` (the rates the policy chose from).
pub fn price_burst(
    burst: &BurstSummary,
    jobs: &[Job],
    shapes: &[PricedShape],
    settings: &BurstCostSettings,
    services: &ServicePrices,
    region: &str,
    overrides: &PriceOverrides,
) -> BurstCost {
    let by_name: BTreeMap<&str, &PricedShape> = shapes.iter().map(|s| (s.shape.name.as_str(), s)).collect();
    let hour = Decimal::from(SECONDS_PER_HOUR);
    let overhead = Decimal::ONE + settings.interruption_overhead_pct / Decimal::ONE_HUNDRED;
    let mut months: BTreeMap<String, MonthCost> = BTreeMap::new();
    let mut rates = BTreeMap::new();
    let mut terms = BTreeMap::new();
    let mut missing = Vec::new();
    let (lifetime_s, node_starts, reused_nodes) =
        lifetimes(burst, settings.boot_seconds.max(0), settings.suspend_time_s.max(0));
    let mut per_job_months: BTreeMap<String, Decimal> = BTreeMap::new();
    for (k, bj) in burst.jobs.iter().enumerate() {
        let Some(ps) = by_name.get(bj.shape.as_str()) else {
            missing.push(format!("job {}: type {} has no price", bj.job, bj.shape));
            continue;
        };
        let alone = (bj.runtime_s.max(0) + settings.boot_seconds.max(0)).max(MIN_BILLED_SECONDS);
        let spot = if ps.term == "spot" { overhead } else { Decimal::ONE };
        let per_job_hours = Decimal::from(alone) * Decimal::from(bj.nodes) / hour * spot;
        *per_job_months.entry(super::time::month_key(bj.start)).or_default() += per_job_hours * ps.hourly_usd;
        // As slurmctld runs it: the lifetimes this job's launches started (idle time and reuse included).
        let node_hours = Decimal::from(lifetime_s[k]) / hour * spot;
        let month = super::time::month_key(bj.start);
        let m = months.entry(month.clone()).or_insert_with(|| MonthCost {
            month,
            jobs: 0,
            node_hours: BTreeMap::new(),
            compute_usd: Decimal::ZERO,
            egress_gb: Decimal::ZERO,
            egress_usd: None,
            total_usd: Decimal::ZERO,
        });
        m.jobs += 1;
        *m.node_hours.entry(bj.shape.clone()).or_default() += node_hours;
        m.compute_usd += node_hours * ps.hourly_usd;
        let core_hours = jobs
            .get(bj.job)
            .map_or(Decimal::ZERO, |j| Decimal::from(j.cores) * Decimal::from(bj.runtime_s.max(0)) / hour);
        m.egress_gb += settings.egress_gb_per_job + settings.egress_gb_per_core_hour * core_hours;
        rates.insert(bj.shape.clone(), ps.hourly_usd);
        terms.insert(bj.shape.clone(), ps.term.clone());
    }
    let mut egress_missing = false;
    for m in months.values_mut() {
        for v in m.node_hours.values_mut() {
            *v = v.round_dp(6).normalize();
        }
        m.compute_usd = m.compute_usd.round_dp(6).normalize();
        m.egress_gb = m.egress_gb.round_dp(6).normalize();
        if m.egress_gb > Decimal::ZERO {
            let inputs = NetworkInputs {
                egress_gib_month: m.egress_gb,
                inter_az_gib_month: Decimal::ZERO,
                nat_gateways: 0,
                nat_processed_gib_month: Decimal::ZERO,
                public_ipv4_hours_month: Decimal::ZERO,
                vpn_connections: 0,
            };
            match price_network(&inputs, services, region, overrides) {
                Ok(n) if n.missing.is_empty() => m.egress_usd = Some(n.total_usd_month),
                Ok(n) => {
                    egress_missing = true;
                    missing.extend(n.missing);
                }
                Err(e) => {
                    egress_missing = true;
                    missing.push(format!("egress not priced: {e}"));
                }
            }
        } else {
            m.egress_usd = Some(Decimal::ZERO);
        }
        m.total_usd = (m.compute_usd + m.egress_usd.unwrap_or_default()).normalize();
    }
    missing.sort();
    missing.dedup();
    let total: Decimal = months.values().map(|m| m.total_usd).sum();
    let average = if months.is_empty() { Decimal::ZERO } else { total / Decimal::from(months.len()) };
    let per_job_total: Decimal = per_job_months.values().sum();
    let per_job_average =
        if per_job_months.is_empty() { Decimal::ZERO } else { per_job_total / Decimal::from(per_job_months.len()) };
    let mut notes = vec![format!(
        "node-hours as slurmctld runs the cloud partition: billed per second with EC2's 60-second minimum, from \
         launch ({} s of boot before the first job) to {} s after a node's last job (SuspendTime), a node still up \
         serving the next job of its type ({node_starts} node starts, {reused_nodes} jobs' nodes reused); \
         charged to the month of the job that started the node",
        settings.boot_seconds, settings.suspend_time_s
    )];
    notes.push(format!(
        "the per-job lower bound (each job on its own nodes, boot + runtime, no idle time, no reuse) is ${} in all",
        crate::money::display_usd_grouped(per_job_total)
    ));
    if terms.values().any(|t| t == "spot") {
        notes.push(format!(
            "spot node-hours include {}% for jobs rerun after an interruption",
            settings.interruption_overhead_pct.normalize()
        ));
    }
    if egress_missing {
        notes.push("egress of results is not in the totals: its price is missing (see warnings)".to_owned());
    } else {
        notes.push(
            "egress of results priced alone through the internet tiers each month (the free 100 GB included): \
             other egress of the account shares those tiers"
                .to_owned(),
        );
    }
    if let Some(s) = &settings.shared_storage {
        notes
            .push(format!("shared storage '{s}' for the cloud nodes is not priced (the snapshot has no price for it)"));
    }
    BurstCost {
        region: region.to_owned(),
        rates,
        terms,
        months: months.into_values().collect(),
        average_monthly_usd: average.round_dp(6).normalize(),
        total_usd: total.normalize(),
        per_job_total_usd: per_job_total.round_dp(6).normalize(),
        per_job_average_monthly_usd: per_job_average.round_dp(6).normalize(),
        node_starts,
        reused_nodes,
        missing,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hpc::{BurstJob, BurstReason};

    fn job(i: usize, shape: &str, nodes: u32, start: i64, runtime: i64) -> BurstJob {
        BurstJob { job: i, shape: shape.into(), nodes, runtime_s: runtime, start, reason: BurstReason::PredictedWait }
    }

    /// Boot 300 s, SuspendTime 300 s. Job 0 on a runs 0–1000; job 1 starts at 1200 (the node idle since 1000, still
    /// up): it reuses the node, which now stops at 2200 + 300. Job 2 at 5000: the node stopped at 2500, so a new
    /// one boots. Job 3 on b, two nodes: two starts.
    #[test]
    fn a_node_still_up_serves_the_next_job_and_idles_until_suspended() {
        let burst = BurstSummary {
            jobs: vec![
                job(0, "a", 1, 0, 1000),
                job(1, "a", 1, 1200, 1000),
                job(2, "a", 1, 5000, 10),
                job(3, "b", 2, 0, 100),
            ],
            ..BurstSummary::default()
        };
        let (billed, starts, reused) = lifetimes(&burst, 300, 300);
        assert_eq!((starts, reused), (4, 1));
        // Node 1: launched at -300, last job ends 2200, stops 2500: 2800 s, charged to job 0.
        assert_eq!(billed[0], 2800);
        assert_eq!(billed[1], 0);
        // Node 2: 4700 to 5010 + 300 = 610 s.
        assert_eq!(billed[2], 610);
        // Two nodes of b: (-300 to 100 + 300) = 700 s each.
        assert_eq!(billed[3], 1400);
        // The 60-second minimum holds for a node that lives less.
        let short = BurstSummary { jobs: vec![job(0, "a", 1, 0, 1)], ..BurstSummary::default() };
        assert_eq!(lifetimes(&short, 0, 0).0, [MIN_BILLED_SECONDS]);
    }
}
