//! Inventory, settings and pricing data in, the priced `Plan` out: size, match, then cost each server (instance 24x7, gp3 volumes, public IPv4).
//!
//! Pure: no files, clock or environment. A missing price becomes a warning and a cost line without a
//! price, never a silent zero.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use rust_decimal::Decimal;

use crate::inventory::{Inventory, OsFamily, Server};
use crate::matching::{MatchOutcome, Matcher, Placement, RequirementKey};
use crate::money::{display_rate, HOURS_PER_MONTH};
use crate::network::{price_network, NetworkCost, NetworkInputs, PriceOverrides};
use crate::plan::*;
use crate::pricing::catalog::Arch;
use crate::pricing::images::ImageHints;
use crate::pricing::manifest::Manifest;
use crate::pricing::services::{ServiceItem, ServicePrices};
use crate::pricing::{Catalog, PriceOs, RegionPrices, SnapshotOrigin, Term};
use crate::purchase::{advise, advise_group, PurchaseAdvice, Rates};
use crate::scaling::plan_group;
use crate::schedule::Schedule;
use crate::settings::Settings;
use crate::sizing::{self, Basis, Requirement};
use crate::storage::{self, Gp3, SnapshotPolicy};
use crate::transfer::{plan_move, MoveInputs};

/// The pricing data a plan is computed from.
pub struct PricingData<'a> {
    pub origin: &'a SnapshotOrigin,
    pub manifest: &'a Manifest,
    pub catalog: &'a Catalog,
    pub prices: &'a RegionPrices,
    pub services: &'a ServicePrices,
    pub images: &'a ImageHints,
}

/// Everything `build_plan` needs for one region, owned (what the CLI loads at its edge).
pub struct LoadedPricing {
    pub snapshot: crate::pricing::Snapshot,
    pub catalog: Catalog,
    pub prices: RegionPrices,
    pub services: ServicePrices,
    pub images: ImageHints,
}

impl LoadedPricing {
    pub fn load(snapshot: crate::pricing::Snapshot, region: &str) -> crate::Result<Self> {
        let catalog = Catalog::load(&snapshot)?;
        let prices = RegionPrices::load(&snapshot, region)?;
        let services = ServicePrices::load(&snapshot)?;
        let images = ImageHints::load(&snapshot)?;
        Ok(LoadedPricing { snapshot, catalog, prices, services, images })
    }

    pub fn data(&self) -> PricingData<'_> {
        PricingData {
            origin: &self.snapshot.origin,
            manifest: &self.snapshot.manifest,
            catalog: &self.catalog,
            prices: &self.prices,
            services: &self.services,
            images: &self.images,
        }
    }
}

/// Explanations and OS descriptions are shared between servers that have the same ones.
#[derive(Default)]
struct Shared {
    why: FxHashMap<(RequirementKey, Basis, Basis), Arc<str>>,
    /// Per OS text: placed on x86_64, placed on arm64, not placed (the AMI hint differs).
    os: FxHashMap<String, [Option<Arc<OsPlan>>; 3]>,
}

/// Size, place and cost every server. Takes the inventory by value: its text moves into the plan.
pub fn build_plan(inv: Inventory, settings: &Settings, data: &PricingData<'_>) -> Plan {
    let region = settings.region.as_str();
    let mut matcher = Matcher::new(data.catalog, data.prices, settings.include_previous_generation);
    let mut missing_service: BTreeSet<ServiceItem> = BTreeSet::new();
    let ebs = EbsPricing {
        rates: storage::EbsRates::resolve(
            data.services,
            region,
            &settings.price_overrides.get(region).cloned().unwrap_or_default(),
        ),
        policy: SnapshotPolicy {
            daily_change_pct: settings.storage.snapshot_daily_change_pct,
            retention_days: settings.storage.snapshot_retention_days,
        },
    };
    let mut missing_storage: BTreeSet<String> = BTreeSet::new();
    let ipv4 = service_price(settings, data, ServiceItem::PublicIpv4Hour);
    let mut shared = Shared::default();
    let inventory_ref = InventoryRef {
        file: inv.file.clone(),
        format: inv.format.clone(),
        rows: inv.servers.len(),
        servers: inv.server_count(),
        ignored_columns: inv.ignored_columns.clone(),
        left_out: inv.left_out.clone(),
        hosts: inv.hosts.clone(),
    };
    let mut warnings = inv.warnings.clone();

    let tz: chrono_tz::Tz = settings.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let mut schedules: FxHashMap<String, Option<Schedule>> = FxHashMap::default();
    let mut servers = Vec::with_capacity(inv.servers.len());
    let mut derived_servers: Vec<String> = Vec::new();
    let mut egress = Decimal::ZERO;
    let mut data_gib = Decimal::ZERO;
    for s in inv.servers {
        let req = sizing::size(&s, settings);
        let outcome = matcher.place(&req);
        let text = s.schedule.clone().or_else(|| settings.schedules.get(&s.role).cloned());
        let schedule = match text {
            None => None,
            Some(t) => match schedules.get(&t) {
                Some(hit) => hit.clone(),
                None => {
                    let parsed = match Schedule::parse(&t, tz) {
                        Ok(p) => Some(p),
                        Err(e) => {
                            warnings.push(format!(
                                "{} (line {}): schedule '{t}' not used ({e}); priced 24x7",
                                s.name, s.line
                            ));
                            None
                        }
                    };
                    schedules.insert(t, parsed.clone());
                    parsed
                }
            },
        };
        egress += s.egress_gib_month * Decimal::from(s.count);
        data_gib += s.disk_used_gib.or(s.disk_gib).unwrap_or_default() * Decimal::from(s.count);
        let interruptible = settings.interruptible_roles.iter().any(|r| r == &s.role);
        let group = settings.groups.iter().find(|(_, g)| g.server == s.name).and_then(|(name, g)| {
            match plan_group(name, g, &settings.time_zone) {
                Ok(p) => Some(p),
                Err(e) => {
                    warnings.push(format!("{e}; the group is left out"));
                    None
                }
            }
        });
        let mut sp = server_plan(s, req, outcome, settings, data, &mut shared);
        if let Some(g) = group {
            // The group replaces the row's count and schedule: its instance-hours are the hours.
            if schedule.is_some() {
                warnings.push(format!(
                    "{}: in scaling group '{}': its schedule is replaced by the group's profile",
                    sp.name, g.name
                ));
            }
            sp.count = 1;
            sp.hours_per_month = g.instance_hours_month;
            sp.schedule = None;
            sp.group = Some(g);
        } else {
            sp.hours_per_month = schedule.as_ref().map_or(HOURS_PER_MONTH, Schedule::hours_per_month);
            sp.schedule = schedule;
        }
        cost(&mut sp, &ebs, ipv4, data.prices, &mut missing_service, &mut missing_storage);
        sp.purchase = purchase(&sp, data.prices, interruptible);
        if uses_derived_prices(&sp, data.prices) {
            derived_servers.push(sp.name.clone());
        }
        match &sp.placement {
            MatchOutcome::Unplaced { reason } => {
                warnings.push(format!("{} (line {}): not placed: {reason}", sp.name, sp.line))
            }
            MatchOutcome::Placed(p) if sp.os.family == OsFamily::Rhel && sp.rhel_comparison.is_none() => {
                warnings.push(format!(
                    "{} (line {}): no RHEL price for {} in {region} in the snapshot: the licence saving is not shown",
                    sp.name, sp.line, p.instance_type
                ))
            }
            MatchOutcome::Placed(_) => {}
        }
        servers.push(sp);
    }
    for (name, g) in &settings.groups {
        if !servers.iter().any(|s| s.name == g.server) {
            warnings
                .push(format!("[groups.{name}]: server '{}' is not in the inventory; the group is left out", g.server));
        }
    }
    warnings.extend(missing_storage);
    for item in &missing_service {
        warnings.push(crate::network::missing_message(data.services, region, item.describe(), item.setting_name()));
    }
    let overrides = PriceOverrides::from(settings.price_overrides.get(region).cloned().unwrap_or_default());
    let net_inputs = NetworkInputs {
        egress_gib_month: egress,
        inter_az_gib_month: settings.network.inter_az_gib_month,
        nat_gateways: settings.network.nat_gateways,
        nat_processed_gib_month: settings.network.nat_processed_gib_month,
        // Public addresses are priced per server (their running hours), not again here.
        public_ipv4_hours_month: Decimal::ZERO,
        vpn_connections: settings.network.vpn_connections,
    };
    let mut failed: Vec<LeftOut> = Vec::new();
    let network = match price_network(&net_inputs, data.services, region, &overrides) {
        Ok(n) => n,
        Err(e) => {
            warnings.push(format!("network costs not priced: {e}"));
            failed.push(LeftOut {
                kind: LeftOutKind::Section,
                item: "account network (internet egress, inter-AZ, NAT gateways, VPN)".into(),
                quantity: None,
                unit: None,
                why: format!("not priced: {e}"),
            });
            NetworkCost {
                region: region.to_owned(),
                lines: Vec::new(),
                missing: Vec::new(),
                total_usd_month: Decimal::ZERO,
            }
        }
    };
    warnings.extend(network.missing.iter().cloned());
    let mut notes = Vec::new();
    let migration = if data_gib > Decimal::ZERO {
        let inputs = MoveInputs {
            data_gib,
            link_mbps: settings.migration.link_mbps,
            utilisation: settings.migration.utilisation,
            threshold_days: settings.migration.threshold_days,
        };
        match plan_move(&inputs, data.services, region, &overrides) {
            Ok(m) => {
                warnings.extend(m.missing.iter().cloned());
                if let Some(a) = &m.advice {
                    notes.push(a.clone());
                }
                Some(m)
            }
            Err(e) => {
                warnings.push(format!("the move's transfer time is not computed: {e}"));
                failed.push(LeftOut {
                    kind: LeftOutKind::Section,
                    item: "the move's data transfer".into(),
                    quantity: None,
                    unit: None,
                    why: format!("not computed: {e}"),
                });
                None
            }
        }
    } else {
        None
    };
    if !derived_servers.is_empty() {
        let n = derived_servers.len();
        let shown: Vec<&str> = derived_servers.iter().take(5).map(String::as_str).collect();
        notes.push(format!(
            "spot or reserved prices of {n} server{} ({}{}) are {}",
            if n == 1 { "" } else { "s" },
            shown.join(", "),
            if n > shown.len() { ", ..." } else { "" },
            crate::pricing::sanity::DERIVED_RULE
        ));
    }
    let mut totals = totals(&servers, &network, left_out(&servers, &network, region, failed));
    let keep = (Decimal::ONE - settings.discount_pct / Decimal::from(100)).normalize();
    totals.discount_pct = settings.discount_pct;
    totals.discounted_monthly_usd = (totals.monthly_usd * keep).normalize();
    totals.discounted_recommended_monthly_usd = (totals.recommended_monthly_usd * keep).normalize();
    totals.discounted_recommended_upfront_usd = (totals.recommended_upfront_usd * keep).normalize();
    let stopped: Vec<&ServerPlan> = servers.iter().filter(|s| s.stopped_usd_month.is_some()).collect();
    if !stopped.is_empty() {
        let usd: Decimal = stopped.iter().filter_map(|s| s.stopped_usd_month).sum();
        notes.push(format!(
            "{} scheduled row(s) stop part of the month; their EBS volumes and snapshots are still billed: {} $/month included in the totals",
            stopped.len(),
            crate::money::display_usd_grouped(usd)
        ));
    }
    let st = &settings.storage;
    notes.push(format!(
        "storage: volumes sized from the {} disk{}; backups: {}",
        match st.disk {
            storage::DiskBasis::Provisioned => "provisioned",
            storage::DiskBasis::Used => "used",
        },
        if st.disk == storage::DiskBasis::Used {
            format!(" + {}% growth", st.growth_pct.normalize())
        } else {
            String::new()
        },
        if st.snapshot_retention_days == 0 {
            "none priced ([storage] snapshot_retention_days = 0)".to_owned()
        } else {
            format!(
                "{} daily EBS snapshots kept, {}% of the data changing a day ([storage] in rocklift.toml)",
                st.snapshot_retention_days,
                st.snapshot_daily_change_pct.normalize()
            )
        }
    ));
    let no_util = servers
        .iter()
        .filter(|s| {
            matches!(s.requirement.cpu_basis, Basis::AsIsNoData | Basis::AsIsLowConfidence)
                || matches!(s.requirement.memory_basis, Basis::AsIsNoData | Basis::AsIsLowConfidence)
        })
        .count();
    if no_util > 0 {
        notes.push(format!("{no_util} server row(s) had no utilization data and were sized as-is"));
    }
    let mut folded: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for s in &servers {
        folded.entry(s.name.to_lowercase()).or_default().push(&s.name);
    }
    let case_twins: Vec<String> = folded.values().filter(|v| v.len() > 1).map(|v| v.join(" / ")).collect();
    if !case_twins.is_empty() {
        warnings.push(format!(
            "names that differ only in case are planned as separate servers: {}; check they are not the same host",
            case_twins.join(", ")
        ));
    }
    if !inventory_ref.left_out.is_empty() {
        let mut why: BTreeMap<&str, usize> = BTreeMap::new();
        for l in &inventory_ref.left_out {
            *why.entry(l.reason.as_str()).or_default() += 1;
        }
        let parts: Vec<String> = why.iter().map(|(r, n)| format!("{n} {r}")).collect();
        notes.push(format!("{} inventory row(s) left out: {}", inventory_ref.left_out.len(), parts.join("; ")));
    }
    if !inventory_ref.ignored_columns.is_empty() {
        notes.push(format!("columns ignored: {}", inventory_ref.ignored_columns.join(", ")));
    }

    Plan {
        schema: SCHEMA.into(),
        rocklift_version: env!("CARGO_PKG_VERSION").into(),
        inventory: inventory_ref,
        settings: SettingsRef {
            region: region.to_owned(),
            sizing: settings.sizing.as_str().into(),
            headroom: settings.headroom,
            arch: settings.arch.as_str().into(),
            burstable: settings.burstable.as_str().into(),
            include_previous_generation: settings.include_previous_generation,
            storage: settings.storage.clone(),
        },
        pricing: pricing_ref(data.origin, data.manifest),
        servers,
        totals,
        warnings,
        notes,
        network,
        migration,
        comparison: None,
    }
}

/// Do the purchase options of a placed row use a price the licence rule derived
/// ([`crate::pricing::sanity`])?
fn uses_derived_prices(sp: &ServerPlan, prices: &RegionPrices) -> bool {
    let MatchOutcome::Placed(p) = &sp.placement else { return false };
    let Some(tp) = prices.get(&p.instance_type) else { return false };
    [Term::Spot, Term::Reserved1y, Term::Reserved3y].into_iter().any(|t| tp.is_derived(sp.os.price_os, t))
}

/// The purchase options of a placed row.
fn purchase(sp: &ServerPlan, prices: &RegionPrices, interruptible: bool) -> Option<PurchaseAdvice> {
    let MatchOutcome::Placed(p) = &sp.placement else { return None };
    let tp = prices.get(&p.instance_type)?;
    let os = sp.os.price_os;
    let rates = Rates {
        on_demand: tp.get(os, Term::OnDemand)?,
        spot: tp.get(os, Term::Spot),
        reserved_1y: tp.get(os, Term::Reserved1y),
        reserved_3y: tp.get(os, Term::Reserved3y),
    };
    match &sp.group {
        Some(g) => advise_group(rates, g.min, g.instance_hours_month, interruptible),
        None => Some(advise(rates, sp.hours_per_month, sp.count, interruptible)),
    }
}

pub fn pricing_ref(origin: &SnapshotOrigin, m: &Manifest) -> PricingRef {
    PricingRef {
        snapshot: origin.to_string(),
        data_date: m.data_date.clone(),
        data_date_note: m.data_date_note.clone(),
        sources: m
            .sources
            .iter()
            .map(|s| SourceRef { id: s.id.clone(), data_date: s.date_note.clone(), origin: s.origin.clone() })
            .collect(),
    }
}

/// A user override beats the snapshot; `(price, source)`.
fn service_price(settings: &Settings, data: &PricingData<'_>, item: ServiceItem) -> Option<(Decimal, &'static str)> {
    if let Some(p) = settings.price_override(&settings.region, item) {
        return Some((p, "rocklift.toml"));
    }
    data.services.get(&settings.region, item).map(|p| (p, "aws-pages"))
}

fn server_plan(
    s: Server,
    req: Requirement,
    outcome: MatchOutcome,
    settings: &Settings,
    data: &PricingData<'_>,
    shared: &mut Shared,
) -> ServerPlan {
    let arch = match &outcome {
        MatchOutcome::Placed(p) => p.arch,
        MatchOutcome::Unplaced { .. } => Arch::X86_64,
    };
    let placed = matches!(outcome, MatchOutcome::Placed(_));
    let slot = if !placed { 2 } else { usize::from(arch == Arch::Arm64) };
    let make = || {
        let ami_hint = match (&s.os.rocky, placed) {
            (Some(rocky), true) => data.images.get(&settings.region, arch.as_str(), rocky).map(|h| AmiHint {
                ami_id: h.ami_id.clone(),
                image: format!("{rocky} {}", h.arch),
                listed: h.list_generated_utc.clone(),
            }),
            _ => None,
        };
        Arc::new(OsPlan {
            text: s.os.text.clone(),
            family: s.os.family,
            target: s.os.target.clone(),
            price_os: s.os.price_os,
            note: s.os.note.clone(),
            ami_hint,
            image: Some(crate::target_os::image_for(&s.os, arch)),
        })
    };
    let os = match shared.os.get_mut(s.os.text.as_str()) {
        Some(slots) => slots[slot].get_or_insert_with(make).clone(),
        None => {
            let made = make();
            let mut slots = [None, None, None];
            slots[slot] = Some(made.clone());
            shared.os.insert(s.os.text.clone(), slots);
            made
        }
    };
    let why = shared
        .why
        .entry((RequirementKey::of(&req), req.cpu_basis, req.memory_basis))
        .or_insert_with(|| explain(&req, &outcome).into())
        .clone();
    let root_default = if s.os.family == OsFamily::Windows {
        settings.root_volume_gib_windows
    } else {
        settings.root_volume_gib_linux
    };
    let mut notes = s.notes;
    let volumes = plan_volumes(
        s.disk_gib,
        s.disk_used_gib,
        s.disk_iops,
        s.disk_throughput_mbps,
        Decimal::from(root_default),
        &settings.storage,
        &mut notes,
    );
    ServerPlan {
        volumes,
        notes,
        name: s.name,
        line: s.line,
        count: s.count,
        role: s.role,
        os,
        current: Current {
            cpus: s.cpus,
            memory_gib: s.memory_gib,
            disk_gib: s.disk_gib,
            disk_used_gib: s.disk_used_gib,
            cpu_util_p95: s.cpu_util_p95,
            mem_util_p95: s.mem_util_p95,
            gpus: s.gpus,
            confidence_stars: s.confidence_stars,
        },
        requirement: req,
        placement: outcome,
        why,
        public: s.public,
        ports: s.ports,
        egress_gib_month: s.egress_gib_month,
        schedule: None,
        hours_per_month: HOURS_PER_MONTH,
        purchase: None,
        stopped_usd_month: None,
        group: None,
        tags: s.tags,
        costs: Vec::new(),
        monthly_usd: Decimal::ZERO,
        rhel_comparison: None,
    }
}

/// The row's gp3 volumes: the disk sized by [`storage::size_disk`] (`[storage] disk` and `growth_pct`), split by
/// [`volumes`]; the IOPS and throughput the inventory asks for go on the data volume (the root volume when there is
/// none), raised to what gp3 needs (throughput needs 4 IOPS per MiB/s; IOPS need 1 GiB per 500) and capped at the
/// gp3 maxima with a note saying the need is not met. Every change is written to `notes`.
pub fn plan_volumes(
    provisioned_gib: Option<Decimal>,
    used_gib: Option<Decimal>,
    iops: Option<u32>,
    throughput_mbps: Option<u32>,
    root_gib: Decimal,
    st: &crate::settings::StorageSettings,
    notes: &mut Vec<String>,
) -> Vec<Volume> {
    let disk = storage::size_disk(provisioned_gib, used_gib, st.disk, st.growth_pct);
    if let Some(n) = disk.as_ref().and_then(|d| d.note.clone()) {
        notes.push(format!("disk: {n}"));
    }
    let mut v = volumes(disk.map(|d| d.gib), root_gib);
    let want_iops = iops.unwrap_or(0);
    let want_mbps = throughput_mbps.unwrap_or(0);
    if want_iops <= storage::GP3_BASELINE_IOPS && want_mbps <= storage::GP3_BASELINE_MBPS {
        return v;
    }
    let Some(vol) = v.last_mut() else { return v };
    let mut mbps = want_mbps.max(storage::GP3_BASELINE_MBPS);
    if mbps > storage::GP3_MAX_MBPS {
        notes.push(format!(
            "disk throughput {mbps} MiB/s is above the gp3 maximum of {} MiB/s: provisioned at the maximum, the need \
             is NOT met (stripe several volumes or consider io2)",
            storage::GP3_MAX_MBPS
        ));
        mbps = storage::GP3_MAX_MBPS;
    }
    let mut iops_p = want_iops.max(storage::GP3_BASELINE_IOPS);
    let for_mbps = (Decimal::from(mbps) / storage::GP3_MAX_MBPS_PER_IOPS).ceil();
    if Decimal::from(iops_p) < for_mbps {
        let raised = u32::try_from(for_mbps.mantissa() / 10i128.pow(for_mbps.scale())).unwrap_or(storage::GP3_MAX_IOPS);
        notes.push(format!("disk IOPS raised from {iops_p} to {raised}: gp3 gives at most 0.25 MiB/s per IOPS"));
        iops_p = raised;
    }
    if iops_p > storage::GP3_MAX_IOPS {
        notes.push(format!(
            "disk {iops_p} IOPS is above the gp3 maximum of {}: provisioned at the maximum, the need is NOT met \
             (stripe several volumes or consider io2)",
            storage::GP3_MAX_IOPS
        ));
        iops_p = storage::GP3_MAX_IOPS;
    }
    let needs_gib = (Decimal::from(iops_p) / Decimal::from(storage::GP3_MAX_IOPS_PER_GIB)).ceil();
    if vol.size_gib < needs_gib {
        notes.push(format!(
            "{} volume raised from {} GiB to {needs_gib} GiB: gp3 gives at most {} IOPS per GiB",
            if vol.role == VolumeRole::Root { "root" } else { "data" },
            vol.size_gib.normalize(),
            storage::GP3_MAX_IOPS_PER_GIB
        ));
        vol.size_gib = needs_gib;
    }
    vol.iops = (iops_p > storage::GP3_BASELINE_IOPS).then_some(iops_p);
    vol.throughput_mbps = (mbps > storage::GP3_BASELINE_MBPS).then_some(mbps);
    v
}

/// Root volume of the OS default size; the rest of the disk (rounded up to whole GiB) as data volumes of at most
/// 16 TiB each (the gp3 maximum), the last one holding the remainder.
pub fn volumes(disk_gib: Option<Decimal>, root_gib: Decimal) -> Vec<Volume> {
    let gp3 = |role, size_gib| Volume { role, volume_type: "gp3".into(), size_gib, iops: None, throughput_mbps: None };
    let mut v = vec![gp3(VolumeRole::Root, root_gib)];
    if let Some(disk) = disk_gib {
        let mut rest = (disk - root_gib).ceil();
        let max = Decimal::from(storage::GP3_MAX_GIB);
        while rest > Decimal::ZERO {
            let size = rest.min(max);
            v.push(gp3(VolumeRole::Data, size));
            rest -= size;
        }
    }
    v
}

fn explain(req: &Requirement, outcome: &MatchOutcome) -> String {
    let basis = |b: Basis| match b {
        Basis::AsIs => "as-is",
        Basis::Utilization => "p95 x headroom",
        Basis::AsIsNoData => "as-is, no utilization data",
        Basis::AsIsLowConfidence => "as-is, utilization history of low confidence",
    };
    let mut need = format!(
        "needs {} vCPU ({}), {} GiB ({})",
        req.vcpus,
        basis(req.cpu_basis),
        crate::money::display_size(req.memory_gib),
        basis(req.memory_basis)
    );
    if req.gpus > 0 {
        need.push_str(&format!(
            ", {} GPU{}",
            req.gpus,
            req.gpu_model.as_deref().map(|m| format!(" {m}")).unwrap_or_default()
        ));
    }
    need.push_str(&format!(", {}", req.arch.as_str()));
    match outcome {
        MatchOutcome::Unplaced { reason } => format!("{need}; not placed: {reason}"),
        MatchOutcome::Placed(p) => {
            let mut s = format!(
                "{need}; got {} ({} vCPU, {} GiB{}), the cheapest that fits at ${}/h {} on-demand",
                p.instance_type,
                p.vcpus,
                p.memory_gib,
                if p.gpus > 0 { format!(", {} GPU {}", p.gpus, p.gpu_model) } else { String::new() },
                display_rate(p.hourly_usd),
                req.price_os
            );
            match &p.runner_up {
                Some(r) => s.push_str(&format!("; runner-up {} at ${}/h", r.instance_type, display_rate(r.hourly_usd))),
                None => s.push_str("; no runner-up"),
            }
            if p.burstable {
                s.push_str("; burstable (t-family): low p95 CPU fits its baseline");
            }
            s
        }
    }
}

/// The cost-line name of a storage line on a `label` (root / data; empty for snapshots) volume. The usual names
/// are static, so 100k servers do not allocate them 100k times.
fn line_name(item: &str, label: &str) -> Cow<'static, str> {
    const NAMES: [(&str, &str, &str); 6] = [
        ("EBS gp3 storage", "root", "EBS gp3 root volume"),
        ("EBS gp3 storage", "data", "EBS gp3 data volume"),
        ("EBS gp3 IOPS above baseline", "root", "EBS gp3 IOPS above baseline (root volume)"),
        ("EBS gp3 IOPS above baseline", "data", "EBS gp3 IOPS above baseline (data volume)"),
        ("EBS gp3 throughput above baseline", "root", "EBS gp3 throughput above baseline (root volume)"),
        ("EBS gp3 throughput above baseline", "data", "EBS gp3 throughput above baseline (data volume)"),
    ];
    match NAMES.iter().find(|(i, l, _)| *i == item && *l == label) {
        Some((_, _, name)) => Cow::Borrowed(name),
        None if label.is_empty() => Cow::Owned(item.to_owned()),
        None => Cow::Owned(format!("{item} ({label} volume)")),
    }
}

/// Units and price sources come from small fixed sets: borrowed when they are one of them.
fn shared_text(s: String) -> Cow<'static, str> {
    const KNOWN: [&str; 7] = [
        "GB-month",
        "IOPS-month",
        "MBps-month",
        crate::network::SOURCE_SNAPSHOT,
        crate::network::SOURCE_OVERRIDE,
        crate::network::SOURCE_MISSING,
        "GiB-month",
    ];
    match KNOWN.iter().find(|k| **k == s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s),
    }
}

/// Prices EBS: the region's service prices, the `[prices]` overrides and the backup policy.
struct EbsPricing {
    rates: storage::EbsRates,
    policy: SnapshotPolicy,
}

impl EbsPricing {
    /// Cost lines of `volumes` times `copies` (servers of the row, or a group's average instances), plus the
    /// snapshots of `backup_gib` per copy when backups apply; missing prices go to `missing`.
    fn lines(
        &self,
        volumes: &[Volume],
        copies: Decimal,
        backup_gib: Option<Decimal>,
        missing: &mut BTreeSet<String>,
    ) -> Vec<CostLine> {
        let mut out = Vec::new();
        let mut add =
            |cost: Result<storage::StorageCost, storage::StorageError>, label: &str, out: &mut Vec<CostLine>| {
                match cost {
                    Ok(c) => {
                        missing.extend(c.missing);
                        for l in c.lines {
                            let quantity = (l.quantity * copies).normalize();
                            out.push(CostLine {
                                category: Category::Storage,
                                item: line_name(&l.item, label),
                                quantity,
                                unit: shared_text(l.unit),
                                unit_usd: l.unit_usd,
                                monthly_usd: l.unit_usd.map(|u| (u * quantity).normalize()),
                                source: shared_text(l.source),
                            });
                        }
                    }
                    // plan_volumes keeps every volume inside the gp3 limits; a broken one is named, never priced.
                    Err(e) => {
                        missing.insert(format!("{label} volume not priced: {e}"));
                    }
                }
            };
        for v in volumes {
            let label = if v.role == VolumeRole::Root { "root" } else { "data" };
            let gp3 = Gp3 { size_gib: v.size_gib, iops: v.iops, throughput_mbps: v.throughput_mbps };
            add(self.rates.gp3_lines(&gp3), label, &mut out);
        }
        if let Some(gib) = backup_gib {
            add(self.rates.snapshot_line(gib, &self.policy), "", &mut out);
        }
        out
    }
}

fn cost(
    sp: &mut ServerPlan,
    ebs: &EbsPricing,
    ipv4: Option<(Decimal, &'static str)>,
    prices: &RegionPrices,
    missing: &mut BTreeSet<ServiceItem>,
    missing_storage: &mut BTreeSet<String>,
) {
    let count = Decimal::from(sp.count);
    // Running hours of all the row's servers: the instance and its auto-assigned public address
    // are billed only while running; EBS volumes and snapshots all month.
    let hours = sp.hours_per_month * count;
    let mut lines = Vec::new();
    if let MatchOutcome::Placed(p) = &sp.placement {
        lines.push(CostLine {
            category: Category::Compute,
            item: Cow::Borrowed("instance (on-demand)"),
            quantity: hours,
            unit: Cow::Borrowed("hour"),
            unit_usd: Some(p.hourly_usd),
            monthly_usd: Some((p.hourly_usd * hours).normalize()),
            source: Cow::Owned(p.price_source.clone()),
        });
        // A scaling group's volumes live as long as its instances: on average instance-hours / 730; its
        // instances are replaceable copies of a launch template, so they are not backed up.
        let (copies, backup) = match &sp.group {
            Some(g) => (g.instance_hours_month / HOURS_PER_MONTH, None),
            None => {
                // Snapshots store written blocks: the data used when known, else the volumes' full size.
                let provisioned: Decimal = sp.volumes.iter().map(|v| v.size_gib).sum();
                (count, Some(sp.current.disk_used_gib.map_or(provisioned, |u| u.min(provisioned))))
            }
        };
        lines.extend(ebs.lines(&sp.volumes, copies, backup, missing_storage));
        if sp.public {
            if ipv4.is_none() {
                missing.insert(ServiceItem::PublicIpv4Hour);
            }
            lines.push(CostLine {
                category: Category::Network,
                item: Cow::Borrowed("public IPv4 address"),
                quantity: hours,
                unit: Cow::Borrowed("hour"),
                unit_usd: ipv4.map(|e| e.0),
                monthly_usd: ipv4.map(|e| (e.0 * hours).normalize()),
                source: Cow::Borrowed(ipv4.map_or("not in snapshot", |e| e.1)),
            });
        }
        if sp.os.family == OsFamily::Rhel {
            sp.rhel_comparison = rhel(p, prices, hours);
        }
    }
    sp.monthly_usd = lines.iter().filter_map(|l| l.monthly_usd).sum::<Decimal>().normalize();
    let storage = lines.iter().filter(|l| l.category == Category::Storage).map(|l| l.monthly_usd);
    // Only a figure when every storage price is known (a missing one is warned about instead).
    if sp.hours_per_month < HOURS_PER_MONTH && matches!(sp.placement, MatchOutcome::Placed(_)) {
        sp.stopped_usd_month = storage.sum::<Option<Decimal>>().map(|d| d.normalize());
    }
    sp.costs = lines;
}

fn rhel(p: &Placement, prices: &RegionPrices, hours: Decimal) -> Option<RhelComparison> {
    let rhel = prices.get(&p.instance_type)?.get(PriceOs::Rhel, Term::OnDemand)?;
    Some(RhelComparison {
        hourly_usd: rhel,
        monthly_usd: (rhel * hours).normalize(),
        licence_saving_monthly_usd: ((rhel - p.hourly_usd) * hours).normalize(),
    })
}

/// What the totals leave out, in a fixed order: servers not placed, then each unpriced cost line's item with its
/// quantity summed over the servers (in the order first met), then the account network's unpriced lines, then
/// the sections that failed (`failed`).
fn left_out(servers: &[ServerPlan], network: &NetworkCost, region: &str, failed: Vec<LeftOut>) -> Vec<LeftOut> {
    let mut out = Vec::new();
    let unplaced: Vec<&ServerPlan> =
        servers.iter().filter(|s| matches!(s.placement, MatchOutcome::Unplaced { .. })).collect();
    if !unplaced.is_empty() {
        let names: Vec<&str> = unplaced.iter().take(5).map(|s| s.name.as_str()).collect();
        let more = if unplaced.len() > names.len() { ", ..." } else { "" };
        out.push(LeftOut {
            kind: LeftOutKind::Unplaced,
            item: "servers not placed".into(),
            quantity: Some(Decimal::from(unplaced.iter().map(|s| u64::from(s.count)).sum::<u64>())),
            unit: Some("server".into()),
            why: format!("no instance type fits them: {}{more} (the warnings say why)", names.join(", ")),
        });
    }
    let why = format!("no price for {region} in the pricing data");
    let mut unpriced: Vec<LeftOut> = Vec::new();
    let lines = servers
        .iter()
        .flat_map(|s| s.costs.iter().filter(|l| l.monthly_usd.is_none()).map(|l| (&*l.item, l.quantity, &*l.unit)))
        .chain(network.lines.iter().filter(|l| l.usd_month.is_none()).map(|l| (&*l.item, l.quantity, &*l.unit)));
    for (item, quantity, unit) in lines {
        match unpriced.iter_mut().find(|u| u.item == item && u.unit.as_deref() == Some(unit)) {
            Some(u) => u.quantity = u.quantity.map(|q| q + quantity),
            None => unpriced.push(LeftOut {
                kind: LeftOutKind::Price,
                item: item.to_owned(),
                quantity: Some(quantity),
                unit: Some(unit.to_owned()),
                why: why.clone(),
            }),
        }
    }
    for u in &mut unpriced {
        u.quantity = u.quantity.map(|q| q.normalize());
    }
    out.extend(unpriced);
    out.extend(failed);
    out
}

fn totals(servers: &[ServerPlan], network: &NetworkCost, left_out: Vec<LeftOut>) -> Totals {
    let mut by_role: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut by_category: BTreeMap<String, Decimal> = BTreeMap::new();
    let (mut placed, mut unplaced) = (0u64, 0u64);
    let mut saving = Decimal::ZERO;
    let mut recommended_monthly = Decimal::ZERO;
    let mut recommended_upfront = Decimal::ZERO;
    for s in servers {
        *by_role.entry(s.role.clone()).or_default() += s.monthly_usd;
        for l in &s.costs {
            if let Some(m) = l.monthly_usd {
                *by_category.entry(l.category.as_str().to_owned()).or_default() += m;
            }
        }
        match s.placement {
            MatchOutcome::Placed(_) => placed += u64::from(s.count),
            MatchOutcome::Unplaced { .. } => unplaced += u64::from(s.count),
        }
        if let Some(r) = &s.rhel_comparison {
            saving += r.licence_saving_monthly_usd;
        }
        // With the recommended purchase option in place of on-demand compute.
        let other: Decimal =
            s.costs.iter().filter(|l| l.category != Category::Compute).filter_map(|l| l.monthly_usd).sum();
        match s.purchase.as_ref().and_then(|p| p.options.iter().find(|o| o.kind == p.recommended)) {
            Some(o) => {
                recommended_monthly += o.effective_monthly_usd + other;
                recommended_upfront += o.upfront_usd;
            }
            None => recommended_monthly += s.monthly_usd,
        }
    }
    if network.total_usd_month > Decimal::ZERO {
        *by_category.entry(Category::Network.as_str().to_owned()).or_default() += network.total_usd_month;
    }
    recommended_monthly += network.total_usd_month;
    for v in by_role.values_mut().chain(by_category.values_mut()) {
        *v = v.normalize();
    }
    Totals {
        monthly_usd: (servers.iter().map(|s| s.monthly_usd).sum::<Decimal>() + network.total_usd_month).normalize(),
        by_role,
        by_category,
        placed_servers: placed,
        unplaced_servers: unplaced,
        licence_saving_monthly_usd: saving.normalize(),
        incomplete: !left_out.is_empty(),
        left_out,
        recommended_upfront_usd: recommended_upfront.normalize(),
        recommended_monthly_usd: recommended_monthly.normalize(),
        discount_pct: Decimal::ZERO,
        discounted_monthly_usd: Decimal::ZERO,
        discounted_recommended_monthly_usd: Decimal::ZERO,
        discounted_recommended_upfront_usd: Decimal::ZERO,
    }
}
