//! The plan: one versioned, serde model of everything `plan` decided (placements, costs, totals, warnings, data date); every output renders from it.
//!
//! `plan.json` is this struct. Decimals are strings with full precision; nothing in it depends on the clock.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::inventory::{OsFamily, PortRange};
use crate::matching::MatchOutcome;
use crate::pricing::PriceOs;
use crate::sizing::Requirement;

/// Bump when a field changes meaning or is removed; adding fields keeps the version.
pub const SCHEMA: &str = "rocklift.plan/v2";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: String,
    pub rocklift_version: String,
    pub inventory: InventoryRef,
    pub settings: SettingsRef,
    pub pricing: PricingRef,
    pub servers: Vec<ServerPlan>,
    pub totals: Totals,
    /// Prices the snapshot lacks, servers that could not be placed, and other things to act on.
    pub warnings: Vec<String>,
    /// Facts about the plan that are not problems (what was left out and why).
    pub notes: Vec<String>,
    /// Account-level network costs: internet egress through the tiers, inter-AZ, NAT, VPN.
    pub network: crate::network::NetworkCost,
    /// Copying the data to AWS over the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<crate::transfer::MovePlan>,
    /// On-prem against AWS (`plan --compare`, `rocklift compare`): kept so reports re-render without recomputing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<crate::tco::Comparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryRef {
    pub file: String,
    pub format: String,
    pub rows: usize,
    /// Servers counting `count`.
    pub servers: u64,
    pub ignored_columns: Vec<String>,
    /// Rows read but not planned (templates, powered-off VMs, ...), each with where and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<crate::inventory::LeftOut>,
    /// Hypervisor hosts the inventory described (RVTools vHost), for the on-prem comparison.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<crate::inventory::HostInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsRef {
    pub region: String,
    pub sizing: String,
    pub headroom: Decimal,
    pub arch: String,
    pub burstable: String,
    pub include_previous_generation: bool,
    /// `[storage]`: volume sizing basis, growth and the backup policy priced.
    #[serde(default)]
    pub storage: crate::settings::StorageSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricingRef {
    /// `embedded` or the folder the snapshot was read from.
    pub snapshot: String,
    pub data_date: String,
    pub data_date_note: String,
    pub sources: Vec<SourceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRef {
    pub id: String,
    pub data_date: String,
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OsPlan {
    pub text: String,
    pub family: OsFamily,
    /// The OS on AWS (`image.name`).
    pub target: String,
    pub price_os: PriceOs,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Last known AMI id (an offline hint only: Terraform resolves the image by owner and name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ami_hint: Option<AmiHint>,
    /// The image the server is launched from, decided once (`crate::target_os`): Terraform reads it from here.
    /// Plans written before it existed have none; `rocklift terraform` asks to run `plan` again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<crate::target_os::TargetImage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmiHint {
    pub ami_id: String,
    pub image: String,
    pub listed: String,
}

/// What the server has today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Current {
    pub cpus: u32,
    pub memory_gib: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_gib: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_used_gib: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_util_p95: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_util_p95: Option<Decimal>,
    pub gpus: u32,
    /// Stars (1-5) of the utilization history the p95s came from, when they came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_stars: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeRole {
    Root,
    Data,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub role: VolumeRole,
    pub volume_type: String,
    pub size_gib: Decimal,
    /// gp3 IOPS to provision, only when above the included 3,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iops: Option<u32>,
    /// gp3 throughput in MiB/s to provision, only when above the included 125.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput_mbps: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Compute,
    Storage,
    Network,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Compute => "compute",
            Category::Storage => "storage",
            Category::Network => "network",
        }
    }
}

/// One priced component: quantity × unit price = monthly (for all `count` servers of the row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostLine {
    pub category: Category,
    pub item: Cow<'static, str>,
    pub quantity: Decimal,
    pub unit: Cow<'static, str>,
    /// `None`: the snapshot has no price for it (see warnings); left out of the totals.
    pub unit_usd: Option<Decimal>,
    pub monthly_usd: Option<Decimal>,
    pub source: Cow<'static, str>,
}

/// For servers that run RHEL today: what RHEL on AWS would cost on the same type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RhelComparison {
    pub hourly_usd: Decimal,
    pub monthly_usd: Decimal,
    pub licence_saving_monthly_usd: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerPlan {
    pub name: String,
    pub line: u64,
    pub count: u32,
    pub role: String,
    pub os: Arc<OsPlan>,
    pub current: Current,
    pub requirement: Requirement,
    pub placement: MatchOutcome,
    /// The placement in one sentence: needed, got, price, runner-up.
    pub why: Arc<str>,
    /// What was assumed or changed for this row (disk sizing, IOPS, reader notes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub volumes: Vec<Volume>,
    pub public: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortRange>,
    pub egress_gib_month: Decimal,
    /// When it runs (`None`: 24x7). From the `schedule` column, else the role's in rocklift.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<crate::schedule::Schedule>,
    /// Running hours a month of each server of the row (730 when always on).
    pub hours_per_month: Decimal,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    pub costs: Vec<CostLine>,
    /// Sum of the priced cost lines (all `count` servers).
    pub monthly_usd: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rhel_comparison: Option<RhelComparison>,
    /// On-demand, reserved and (interruptible roles) spot, with the recommendation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase: Option<crate::purchase::PurchaseAdvice>,
    /// The scaling group that runs this row's servers (from `[groups.NAME]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<crate::scaling::GroupPlan>,
    /// What the row still pays while stopped by its schedule (EBS volumes), per month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_usd_month: Option<Decimal>,
}

/// Why something is left out of the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeftOutKind {
    /// The pricing data has no price for it in the region: `pricing refresh` or `[prices."REGION"]` fills it.
    Price,
    /// Servers no instance type fits.
    Unplaced,
    /// A part of the plan that could not be priced or computed at all.
    Section,
}

/// One thing the totals leave out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub kind: LeftOutKind,
    /// A cost line's item (`EBS gp3 storage`, `internet egress`), `servers not placed`, or a section
    /// (`account network`, `the move's data transfer`).
    pub item: String,
    /// How much of it, summed over the plan, when known: a month's quantity of a cost line, or servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Why it is left out.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub monthly_usd: Decimal,
    pub by_role: BTreeMap<String, Decimal>,
    pub by_category: BTreeMap<String, Decimal>,
    /// Servers (counting `count`) placed and not placed.
    pub placed_servers: u64,
    pub unplaced_servers: u64,
    /// Monthly RHEL licence charge avoided by running Rocky Linux instead (RHEL sources only).
    pub licence_saving_monthly_usd: Decimal,
    /// True when the totals leave something out: exactly when `left_out` is not empty.
    pub incomplete: bool,
    /// What the totals leave out and why (a price the data lacks, a server not placed, a section that could
    /// not be priced); every output lists it first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
    /// With each row's recommended purchase option: upfront payments, and the effective monthly cost.
    pub recommended_upfront_usd: Decimal,
    pub recommended_monthly_usd: Decimal,
    /// The enterprise discount of rocklift.toml, in percent; every line above is at list price.
    #[serde(default)]
    pub discount_pct: Decimal,
    /// `monthly_usd`, `recommended_monthly_usd` and `recommended_upfront_usd` after the discount.
    #[serde(default)]
    pub discounted_monthly_usd: Decimal,
    #[serde(default)]
    pub discounted_recommended_monthly_usd: Decimal,
    #[serde(default)]
    pub discounted_recommended_upfront_usd: Decimal,
}
