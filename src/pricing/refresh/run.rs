//! A refresh request in (regions, services, concurrency), the fetched records out: every call per service and region, run concurrently with a bound, with progress bars on a terminal.

use std::collections::BTreeSet;
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::assemble::Fetched;
use super::records::{Ec2Price, InstanceTypeRecord, Offering, PriceListOs, RockyImage, ServicePrice, SpotAverage};
use super::{ec2_api, pricing_api, ApiConfig};
use crate::error::{Error, Result};

/// What a refresh can fetch (`--services`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    /// EC2 on-demand and reserved prices (Price List), instance types and offerings (EC2 API).
    Ec2,
    /// EBS volume, IOPS, throughput and snapshot prices.
    Ebs,
    /// Data transfer out to the internet (tiers), between AZs and regions.
    Transfer,
    /// NAT gateway hours and data, public IPv4 addresses.
    Nat,
    /// The newest official Rocky Linux images.
    Images,
    /// Spot price history means.
    Spot,
}

impl Service {
    pub const ALL: [Service; 6] =
        [Service::Ec2, Service::Ebs, Service::Transfer, Service::Nat, Service::Images, Service::Spot];

    pub fn name(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Ebs => "ebs",
            Service::Transfer => "transfer",
            Service::Nat => "nat",
            Service::Images => "images",
            Service::Spot => "spot",
        }
    }

    pub fn parse(s: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|x| x.name() == s)
    }

    /// Whether a `services.csv` row of `service` (its first column) belongs to this refresh service.
    fn owns_service_row(self, row_service: &str, item: &str) -> bool {
        match self {
            Service::Ebs => row_service == "ebs",
            Service::Transfer => row_service == "transfer",
            Service::Nat => row_service == "vpc" && (item.starts_with("nat gateway") || item.contains("ipv4")),
            _ => false,
        }
    }
}

/// One refresh: which regions and services, how many calls at once, how many days of spot history.
#[derive(Debug, Clone)]
pub struct Request {
    pub regions: Vec<String>,
    pub services: BTreeSet<Service>,
    pub concurrency: usize,
    pub spot_days: u32,
    pub api: ApiConfig,
    /// Draw progress bars (on a terminal only; the caller decides).
    pub progress: bool,
}

/// One kind of call series, run once per region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Task {
    /// GetProducts AmazonEC2 for Linux, RHEL and Windows.
    Ec2Prices,
    /// DescribeInstanceTypes and DescribeInstanceTypeOfferings.
    Catalog,
    /// GetProducts for EBS, data transfer, NAT gateway and IPv4 (kept: the services asked for).
    Services,
    /// DescribeImages.
    Images,
    /// DescribeSpotPriceHistory.
    Spot,
}

impl Task {
    fn label(self) -> &'static str {
        match self {
            Task::Ec2Prices => "ec2",
            Task::Catalog => "catalog",
            Task::Services => "services",
            Task::Images => "images",
            Task::Spot => "spot",
        }
    }

    fn of(services: &BTreeSet<Service>) -> Vec<Task> {
        let mut t = Vec::new();
        if services.contains(&Service::Ec2) {
            t.extend([Task::Ec2Prices, Task::Catalog]);
        }
        if services.iter().any(|s| matches!(s, Service::Ebs | Service::Transfer | Service::Nat)) {
            t.push(Task::Services);
        }
        if services.contains(&Service::Images) {
            t.push(Task::Images);
        }
        if services.contains(&Service::Spot) {
            t.push(Task::Spot);
        }
        t
    }
}

/// What one task brought back.
enum Part {
    Ec2Prices(Vec<Ec2Price>),
    Catalog(Vec<InstanceTypeRecord>, Vec<Offering>),
    Services(Vec<ServicePrice>, Vec<String>),
    Images(Vec<RockyImage>),
    Spot(Vec<SpotAverage>),
}

async fn run_task(
    task: Task,
    region: &str,
    req: &Request,
    pricing: Option<&aws_sdk_pricing::Client>,
    bar: &ProgressBar,
) -> Result<Part> {
    let on_page = |n: usize| bar.set_message(format!("{region}: page {n}"));
    let no_client = || Error::Usage("internal: no Price List client".into());
    Ok(match task {
        Task::Ec2Prices => {
            let client = pricing.ok_or_else(no_client)?;
            let mut all = Vec::new();
            for os in PriceListOs::ALL {
                all.extend(pricing_api::ec2_prices(client, region, os, &on_page).await?);
            }
            Part::Ec2Prices(all)
        }
        Task::Services => {
            let client = pricing.ok_or_else(no_client)?;
            let rows = pricing_api::service_prices(client, region, &on_page).await?;
            let rows: Vec<ServicePrice> = rows
                .into_iter()
                .filter(|r| req.services.iter().any(|s| s.owns_service_row(&r.service, &r.item)))
                .collect();
            let warnings = pricing_api::missing_items(&rows)
                .into_iter()
                .filter(|(service, item)| req.services.iter().any(|s| s.owns_service_row(service, item)))
                .map(|(service, item)| {
                    format!("GetProducts gave no price for {service},{item} in {region}: it stays unknown there")
                })
                .collect();
            Part::Services(rows, warnings)
        }
        Task::Catalog => {
            let client = ec2_api::client(&req.api, region).await;
            let types = ec2_api::instance_types(&client).await?;
            let offerings = ec2_api::offerings(&client, region).await?;
            Part::Catalog(types, offerings)
        }
        Task::Images => {
            let client = ec2_api::client(&req.api, region).await;
            Part::Images(ec2_api::rocky_images(&client, region).await?)
        }
        Task::Spot => {
            let client = ec2_api::client(&req.api, region).await;
            let end = std::time::SystemTime::now();
            let start = end - std::time::Duration::from_secs(u64::from(req.spot_days) * 86_400);
            Part::Spot(ec2_api::spot_averages(&client, region, start, end).await?)
        }
    })
}

/// Fetch everything `req` asks for, at most `concurrency` region calls at once. The first failure stops the
/// other calls and is returned (naming the API, region and product); nothing is written here. The result does
/// not depend on the order the calls finish in.
pub async fn fetch(req: Request) -> Result<Fetched> {
    let req = Arc::new(req);
    let bars =
        if req.progress { MultiProgress::new() } else { MultiProgress::with_draw_target(ProgressDrawTarget::hidden()) };
    let style = ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} regions {msg}")
        .map_err(|e| Error::Usage(format!("progress bar template: {e}")))?
        .progress_chars("=> ");
    let tasks_of = Task::of(&req.services);
    let pricing = if tasks_of.iter().any(|t| matches!(t, Task::Ec2Prices | Task::Services)) {
        Some(Arc::new(pricing_api::client(&req.api).await))
    } else {
        None
    };
    let limit = Arc::new(Semaphore::new(req.concurrency.max(1)));
    let mut set: JoinSet<Result<(usize, Task, Part)>> = JoinSet::new();
    for task in tasks_of {
        let bar = bars.add(ProgressBar::new(req.regions.len() as u64));
        bar.set_style(style.clone());
        bar.set_prefix(task.label());
        for (i, region) in req.regions.iter().enumerate() {
            let (region, req, limit, bar, pricing) =
                (region.clone(), req.clone(), limit.clone(), bar.clone(), pricing.clone());
            set.spawn(async move {
                let _permit = limit.acquire_owned().await.map_err(|e| Error::Usage(e.to_string()))?;
                bar.set_message(region.clone());
                let part = run_task(task, &region, &req, pricing.as_deref(), &bar).await?;
                bar.inc(1);
                Ok((i, task, part))
            });
        }
    }
    let mut parts = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(p)) => parts.push(p),
            Ok(Err(e)) => {
                set.abort_all();
                return Err(e);
            }
            Err(e) => {
                set.abort_all();
                return Err(Error::Usage(format!("a refresh task stopped: {e}")));
            }
        }
    }
    bars.clear().ok();
    parts.sort_by_key(|(i, task, _)| (*i, *task));
    let mut fetched = Fetched { regions: req.regions.clone(), spot_window_days: req.spot_days, ..Fetched::default() };
    for (_, _, part) in parts {
        match part {
            Part::Ec2Prices(v) => fetched.ec2_prices.get_or_insert_with(Vec::new).extend(v),
            Part::Catalog(t, o) => {
                fetched.instance_types.get_or_insert_with(Vec::new).extend(t);
                fetched.offerings.get_or_insert_with(Vec::new).extend(o);
            }
            Part::Services(v, w) => {
                fetched.service_prices.get_or_insert_with(Vec::new).extend(v);
                fetched.warnings.extend(w);
            }
            Part::Images(v) => fetched.images.get_or_insert_with(Vec::new).extend(v),
            Part::Spot(v) => fetched.spot.get_or_insert_with(Vec::new).extend(v),
        }
    }
    Ok(fetched)
}
