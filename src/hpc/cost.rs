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
        .filter_map(|t| {
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
        })
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
    /// Prices or figures the plan could not give, and why.
    pub missing: Vec<String>,
    pub notes: Vec<String>,
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
    for bj in &burst.jobs {
        let Some(ps) = by_name.get(bj.shape.as_str()) else {
            missing.push(format!("job {}: type {} has no price", bj.job, bj.shape));
            continue;
        };
        let billed = (bj.runtime_s.max(0) + settings.boot_seconds.max(0)).max(MIN_BILLED_SECONDS);
        let mut node_hours = Decimal::from(billed) * Decimal::from(bj.nodes) / hour;
        if ps.term == "spot" {
            node_hours *= overhead;
        }
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
    let mut notes = vec![format!(
        "node-hours billed per second with EC2's 60-second minimum, including {} s of boot per node",
        settings.boot_seconds
    )];
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
        missing,
        notes,
    }
}
