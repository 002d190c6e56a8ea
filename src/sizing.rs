//! A `Server` and the settings in, its `Requirement` out: the vCPU, memory, GPUs, arch and OS pricing it needs on AWS, and how that was decided.
//!
//! `as-is`: provisioned vCPU and memory. `utilization`: p95 × headroom (default 1.2), rounded up to whole
//! vCPUs, never below 1 vCPU and 0.5 GiB; a server without utilization data falls back to as-is for that
//! resource, and the requirement says so.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::inventory::{ArchChoice, OsFamily, Server};
use crate::pricing::PriceOs;
use crate::settings::{Burstable, Settings, Sizing};

/// Highest p95 CPU (percent) under which `burstable = "auto"` lets a server consider t-family types.
pub const BURSTABLE_MAX_P95: u32 = 20;
pub const MIN_VCPUS: u32 = 1;
pub const MIN_MEMORY_GIB: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

/// How one resource was sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    AsIs,
    Utilization,
    /// Utilization sizing was asked for but the inventory has no p95 for this resource.
    AsIsNoData,
    /// Utilization sizing was asked for but the history behind the p95 rates below `min_confidence_stars`.
    AsIsLowConfidence,
}

/// Whether t-family (burstable) types may be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum BurstableRule {
    Never,
    Allow,
    /// Only types whose published baseline ([`crate::pricing::burst_baseline`]) covers this p95 load
    /// in vCPUs, with at least 2 GiB.
    IfBaselineCovers {
        load_vcpus: Decimal,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    pub vcpus: u32,
    pub memory_gib: Decimal,
    pub gpus: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_model: Option<String>,
    pub arch: ArchChoice,
    pub price_os: PriceOs,
    pub cpu_basis: Basis,
    pub memory_basis: Basis,
    pub burstable: BurstableRule,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

pub fn size(server: &Server, settings: &Settings) -> Requirement {
    let mut notes = Vec::new();
    let pct = |p: Decimal| p / Decimal::from(100);
    // A p95 from a thin history (few of the expected samples) may miss the peaks: it sizes nothing down.
    let low_confidence = server.confidence_stars.filter(|s| *s < settings.min_confidence_stars);
    if let (Sizing::Utilization, Some(stars)) = (settings.sizing, low_confidence) {
        notes.push(format!(
            "utilization history rated {stars} star{} (below the {} needed to size down): sized as-is",
            if stars == 1 { "" } else { "s" },
            settings.min_confidence_stars
        ));
    }
    let (vcpus, cpu_basis) = match (settings.sizing, server.cpu_util_p95) {
        (Sizing::AsIs, _) => (server.cpus, Basis::AsIs),
        (Sizing::Utilization, Some(_)) if low_confidence.is_some() => (server.cpus, Basis::AsIsLowConfidence),
        (Sizing::Utilization, Some(p)) => {
            let need = (Decimal::from(server.cpus) * pct(p) * settings.headroom)
                .round_dp_with_strategy(0, RoundingStrategy::ToPositiveInfinity);
            let need = u32::try_from(need.mantissa() / 10i128.pow(need.scale())).unwrap_or(server.cpus);
            (need.max(MIN_VCPUS), Basis::Utilization)
        }
        (Sizing::Utilization, None) => {
            notes.push("no CPU utilization in the inventory: vCPUs sized as-is".to_owned());
            (server.cpus, Basis::AsIsNoData)
        }
    };
    let (memory_gib, memory_basis) = match (settings.sizing, server.mem_util_p95) {
        (Sizing::AsIs, _) => (server.memory_gib, Basis::AsIs),
        (Sizing::Utilization, Some(_)) if low_confidence.is_some() => (server.memory_gib, Basis::AsIsLowConfidence),
        (Sizing::Utilization, Some(p)) => {
            ((server.memory_gib * pct(p) * settings.headroom).normalize().max(MIN_MEMORY_GIB), Basis::Utilization)
        }
        (Sizing::Utilization, None) => {
            notes.push("no memory utilization in the inventory: memory sized as-is".to_owned());
            (server.memory_gib, Basis::AsIsNoData)
        }
    };
    let mut arch = server.arch.unwrap_or(settings.arch);
    if server.os.family == OsFamily::Windows && arch != ArchChoice::X86_64 {
        if arch == ArchChoice::Arm64 {
            notes.push("Windows Server on EC2 runs on x86_64 only: arm64 ignored".to_owned());
        }
        arch = ArchChoice::X86_64;
    }
    let burstable = match settings.burstable {
        Burstable::Never => BurstableRule::Never,
        Burstable::Allow => BurstableRule::Allow,
        Burstable::Auto => match server.cpu_util_p95 {
            Some(p) if p <= Decimal::from(BURSTABLE_MAX_P95) => {
                BurstableRule::IfBaselineCovers { load_vcpus: (Decimal::from(server.cpus) * pct(p)).normalize() }
            }
            _ => BurstableRule::Never,
        },
    };
    Requirement {
        vcpus,
        memory_gib,
        gpus: server.gpus,
        gpu_model: server.gpu_model.clone(),
        arch,
        price_os: server.os.price_os,
        cpu_basis,
        memory_basis,
        burstable,
        notes,
    }
}
