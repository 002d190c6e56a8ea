//! A priced `Plan`, the `[onprem]` settings and the inventory's hypervisor hosts in; a `Comparison` out: what keeping
//! the servers on-prem costs a month by category, what AWS costs a month with the plan's recommended purchase options
//! (reservation upfronts in the months they are paid), the one-time cost of the move, both cumulative month by month,
//! the break-even month, 3- and 5-year totals, and the levers that move the cloud bill, each in dollars a year.
//!
//! Pure: no files, clock or environment. Money is `Decimal` throughout. Every default of `[onprem]` is a named
//! constant below with where it comes from; "rocklift assumption" marks a figure no published source gives.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::inventory::{HostInfo, OsFamily};
use crate::matching::MatchOutcome;
use crate::money::{display_rate, display_usd_grouped, HOURS_PER_MONTH};
use crate::plan::{Category, Plan, ServerPlan};
use crate::purchase::PurchaseKind;

const fn d(units: u32, scale: u32) -> Decimal {
    Decimal::from_parts(units, 0, 0, false, scale)
}

/// The chassis part of a server's purchase price (power supplies, network ports, boot drives), before cores, memory
/// and data disks: $2,000. rocklift assumption.
pub const HARDWARE_BASE_USD: Decimal = d(2000, 0);
/// $75 a physical core. rocklift assumption (current server CPUs list at roughly $50 to $150 a core).
pub const HARDWARE_USD_PER_CORE: Decimal = d(75, 0);
/// $6 a GiB of memory. rocklift assumption (registered server DIMMs).
pub const HARDWARE_USD_PER_MEMORY_GIB: Decimal = d(6, 0);
/// $0.15 a GiB of provisioned disk, RAID and spares included. rocklift assumption.
pub const HARDWARE_USD_PER_DISK_GIB: Decimal = d(15, 2);
/// $10,000 a data-centre GPU. rocklift assumption (an NVIDIA A100 or L40S sells for roughly $8,000 to $15,000).
pub const HARDWARE_USD_PER_GPU: Decimal = d(10000, 0);
/// 300 W more per GPU: the maximum board power of an NVIDIA A100 80GB PCIe (NVIDIA A100 datasheet; SXM modules draw
/// up to 400 W).
pub const WATTS_PER_GPU: Decimal = d(300, 0);
/// Servers are replaced every 5 years. rocklift assumption (a common refresh cycle for small-business servers).
pub const REFRESH_YEARS: u32 = 5;
/// A replaced server still sells for 10% of its price. rocklift assumption.
pub const RESIDUAL_PCT: Decimal = d(10, 0);
/// 219 W drawn on average by one server: the average U.S. volume server of 2005 in Koomey, "Worldwide electricity
/// used in data centers", Environmental Research Letters 3 (2008) 034008, table 1.
pub const WATTS_PER_SERVER: Decimal = d(219, 0);
/// Power usage effectiveness 1.58 (each watt of IT load needs 0.58 W more for cooling and power losses): the industry
/// average of the Uptime Institute Global Data Center Survey 2023. A closet without containment is often worse.
pub const PUE: Decimal = d(158, 2);
/// $0.13 a kWh. rocklift assumption, rounded from the U.S. EIA's average retail price to commercial customers
/// (Electric Power Monthly, tables 5.3 and 5.6; state averages run from under 10 to over 25 cents a kWh).
pub const USD_PER_KWH: Decimal = d(13, 2);
/// Rack units one server takes: 1 (a 1U server). rocklift assumption.
pub const RACK_UNITS_PER_SERVER: Decimal = d(1, 0);
/// $0 a rack unit a month: the servers sit in your own building and the space is not billed. rocklift assumption;
/// set what a colocation provider charges per U.
pub const USD_PER_RACK_UNIT_MONTH: Decimal = d(0, 0);
/// $100 a month for the network the on-site servers need (switch, firewall and UPS upkeep, static addresses).
/// rocklift assumption; the office's own internet line stays either way and is not counted.
pub const NETWORK_USD_MONTH: Decimal = d(100, 0);
/// $383.90 a year per RHEL server: the Red Hat store's "starting at" price of Red Hat Enterprise Linux Server
/// (SKU RH00005, self-support, one year), read 2026-09-20. Standard and Premium support cost more.
pub const RHEL_USD_PER_SERVER_YEAR: Decimal = d(38390, 2);
/// $1,176 for a Windows Server 2025 Standard licence of 16 cores (perpetual): Microsoft's Windows Server pricing page
/// (estimated retail price). Spread over the refresh cycle.
pub const WINDOWS_USD_PER_16_CORES: Decimal = d(1176, 0);
/// $135 a core a year: VMware vSphere Foundation list price (Broadcom, per core with 16 cores per CPU at least), as
/// reported by Redress Compliance, 2026. Counted only for hypervisor hosts (RVTools vHost) or `vmware_cores`.
pub const VMWARE_USD_PER_CORE_YEAR: Decimal = d(135, 0);
/// $120 a server a year for backup software. rocklift assumption (vendors quote per-workload subscriptions only on
/// request).
pub const BACKUP_USD_PER_SERVER_YEAR: Decimal = d(120, 0);
/// Hardware support contracts at 10% of the hardware price a year. rocklift assumption.
pub const SUPPORT_PCT_PER_YEAR: Decimal = d(10, 0);
/// 1 hour a server a month of work the cloud takes over (hardware, firmware, hypervisor, the closet). rocklift
/// assumption; the operating system still needs looking after on AWS and is not counted on either side.
pub const ADMIN_HOURS_PER_SERVER_MONTH: Decimal = d(1, 0);
/// $43.52 an hour: median pay of network and computer systems administrators, May 2022, U.S. Bureau of Labor
/// Statistics, Occupational Outlook Handbook (wages only, no benefits).
pub const ADMIN_USD_PER_HOUR: Decimal = d(4352, 2);
/// 8 hours of work to move one server (rebuild or copy, test, cut over). rocklift assumption.
pub const MOVE_HOURS_PER_SERVER: Decimal = d(8, 0);
/// 1 month of paying for both while the move happens. rocklift assumption.
pub const PARALLEL_MONTHS: u32 = 1;
/// Over the horizon, AWS and on-prem within 5 % of the on-prem total are "about the same": the estimate's own
/// uncertainty (prices move, assumptions are rough) is larger than such a difference. rocklift assumption.
pub const VERDICT_MARGIN_PCT: Decimal = d(5, 0);
/// Physical cores counted per vCPU of an inventory server: 2 threads share a core. rocklift assumption.
pub const THREADS_PER_CORE: u32 = 2;
/// A Windows Server Standard licence covers at least 16 cores (Microsoft's licensing rule).
pub const WINDOWS_MIN_CORES: u32 = 16;
/// VMware bills at least 16 cores per CPU (Broadcom's rule).
pub const VMWARE_MIN_CORES_PER_CPU: u32 = 16;

/// `[onprem]` of rocklift.toml: what keeping the servers costs, and what the move itself costs once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnpremSettings {
    /// One flat price per physical server in place of the model below (base + cores + memory + disk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware_usd_per_server: Option<Decimal>,
    #[serde(default = "hardware_base_usd")]
    pub hardware_base_usd: Decimal,
    #[serde(default = "hardware_usd_per_core")]
    pub hardware_usd_per_core: Decimal,
    #[serde(default = "hardware_usd_per_memory_gib")]
    pub hardware_usd_per_memory_gib: Decimal,
    #[serde(default = "hardware_usd_per_disk_gib")]
    pub hardware_usd_per_disk_gib: Decimal,
    #[serde(default = "hardware_usd_per_gpu")]
    pub hardware_usd_per_gpu: Decimal,
    #[serde(default = "refresh_years")]
    pub refresh_years: u32,
    #[serde(default = "residual_pct")]
    pub residual_pct: Decimal,
    /// Physical machines the servers run on; 0: the inventory's hypervisor hosts when it lists them, else one per
    /// inventory server.
    #[serde(default)]
    pub hosts: u32,
    #[serde(default = "watts_per_server")]
    pub watts_per_server: Decimal,
    #[serde(default = "watts_per_gpu")]
    pub watts_per_gpu: Decimal,
    #[serde(default = "pue")]
    pub pue: Decimal,
    #[serde(default = "usd_per_kwh")]
    pub usd_per_kwh: Decimal,
    #[serde(default = "rack_units_per_server")]
    pub rack_units_per_server: Decimal,
    #[serde(default = "usd_per_rack_unit_month")]
    pub usd_per_rack_unit_month: Decimal,
    #[serde(default = "network_usd_month")]
    pub network_usd_month: Decimal,
    #[serde(default = "rhel_usd_per_server_year")]
    pub rhel_usd_per_server_year: Decimal,
    #[serde(default = "windows_usd_per_16_cores")]
    pub windows_usd_per_16_cores: Decimal,
    #[serde(default = "vmware_usd_per_core_year")]
    pub vmware_usd_per_core_year: Decimal,
    /// Physical cores licensed for VMware; default: the hypervisor hosts' cores when the inventory lists them, else 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vmware_cores: Option<u32>,
    #[serde(default = "backup_usd_per_server_year")]
    pub backup_usd_per_server_year: Decimal,
    #[serde(default = "support_pct_per_year")]
    pub support_pct_per_year: Decimal,
    #[serde(default = "admin_hours_per_server_month")]
    pub admin_hours_per_server_month: Decimal,
    #[serde(default = "admin_usd_per_hour")]
    pub admin_usd_per_hour: Decimal,
    #[serde(default = "move_hours_per_server")]
    pub move_hours_per_server: Decimal,
    #[serde(default = "parallel_months")]
    pub parallel_months: u32,
    /// One-time transfer costs beyond AWS's own price for data in (a transfer device, a faster line for the move).
    #[serde(default)]
    pub move_transfer_usd: Decimal,
    /// Years since the servers were bought, when they were bought together; the cash-flow view then replaces them
    /// all when they reach `refresh_years`. Not set: a rolling refresh, 1/`refresh_years` of them every year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware_age_years: Option<u32>,
    /// Over the horizon, a difference below this share of the on-prem total is "about the same", not a saving.
    #[serde(default = "verdict_margin_pct")]
    pub verdict_margin_pct: Decimal,
}

fn hardware_base_usd() -> Decimal {
    HARDWARE_BASE_USD
}
fn hardware_usd_per_core() -> Decimal {
    HARDWARE_USD_PER_CORE
}
fn hardware_usd_per_memory_gib() -> Decimal {
    HARDWARE_USD_PER_MEMORY_GIB
}
fn hardware_usd_per_disk_gib() -> Decimal {
    HARDWARE_USD_PER_DISK_GIB
}
fn hardware_usd_per_gpu() -> Decimal {
    HARDWARE_USD_PER_GPU
}
fn watts_per_gpu() -> Decimal {
    WATTS_PER_GPU
}
fn refresh_years() -> u32 {
    REFRESH_YEARS
}
fn residual_pct() -> Decimal {
    RESIDUAL_PCT
}
fn watts_per_server() -> Decimal {
    WATTS_PER_SERVER
}
fn pue() -> Decimal {
    PUE
}
fn usd_per_kwh() -> Decimal {
    USD_PER_KWH
}
fn rack_units_per_server() -> Decimal {
    RACK_UNITS_PER_SERVER
}
fn usd_per_rack_unit_month() -> Decimal {
    USD_PER_RACK_UNIT_MONTH
}
fn network_usd_month() -> Decimal {
    NETWORK_USD_MONTH
}
fn rhel_usd_per_server_year() -> Decimal {
    RHEL_USD_PER_SERVER_YEAR
}
fn windows_usd_per_16_cores() -> Decimal {
    WINDOWS_USD_PER_16_CORES
}
fn vmware_usd_per_core_year() -> Decimal {
    VMWARE_USD_PER_CORE_YEAR
}
fn backup_usd_per_server_year() -> Decimal {
    BACKUP_USD_PER_SERVER_YEAR
}
fn support_pct_per_year() -> Decimal {
    SUPPORT_PCT_PER_YEAR
}
fn admin_hours_per_server_month() -> Decimal {
    ADMIN_HOURS_PER_SERVER_MONTH
}
fn admin_usd_per_hour() -> Decimal {
    ADMIN_USD_PER_HOUR
}
fn move_hours_per_server() -> Decimal {
    MOVE_HOURS_PER_SERVER
}
fn parallel_months() -> u32 {
    PARALLEL_MONTHS
}
fn verdict_margin_pct() -> Decimal {
    VERDICT_MARGIN_PCT
}

impl Default for OnpremSettings {
    fn default() -> Self {
        OnpremSettings {
            hardware_usd_per_server: None,
            hardware_base_usd: HARDWARE_BASE_USD,
            hardware_usd_per_core: HARDWARE_USD_PER_CORE,
            hardware_usd_per_memory_gib: HARDWARE_USD_PER_MEMORY_GIB,
            hardware_usd_per_disk_gib: HARDWARE_USD_PER_DISK_GIB,
            hardware_usd_per_gpu: HARDWARE_USD_PER_GPU,
            refresh_years: REFRESH_YEARS,
            residual_pct: RESIDUAL_PCT,
            hosts: 0,
            watts_per_server: WATTS_PER_SERVER,
            watts_per_gpu: WATTS_PER_GPU,
            pue: PUE,
            usd_per_kwh: USD_PER_KWH,
            rack_units_per_server: RACK_UNITS_PER_SERVER,
            usd_per_rack_unit_month: USD_PER_RACK_UNIT_MONTH,
            network_usd_month: NETWORK_USD_MONTH,
            rhel_usd_per_server_year: RHEL_USD_PER_SERVER_YEAR,
            windows_usd_per_16_cores: WINDOWS_USD_PER_16_CORES,
            vmware_usd_per_core_year: VMWARE_USD_PER_CORE_YEAR,
            vmware_cores: None,
            backup_usd_per_server_year: BACKUP_USD_PER_SERVER_YEAR,
            support_pct_per_year: SUPPORT_PCT_PER_YEAR,
            admin_hours_per_server_month: ADMIN_HOURS_PER_SERVER_MONTH,
            admin_usd_per_hour: ADMIN_USD_PER_HOUR,
            move_hours_per_server: MOVE_HOURS_PER_SERVER,
            parallel_months: PARALLEL_MONTHS,
            move_transfer_usd: Decimal::ZERO,
            hardware_age_years: None,
            verdict_margin_pct: VERDICT_MARGIN_PCT,
        }
    }
}

impl OnpremSettings {
    /// What is out of range, as `key: message` lines (empty when every value can be used).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let hundred = Decimal::ONE_HUNDRED;
        let money = [
            ("hardware_base_usd", self.hardware_base_usd),
            ("hardware_usd_per_core", self.hardware_usd_per_core),
            ("hardware_usd_per_memory_gib", self.hardware_usd_per_memory_gib),
            ("hardware_usd_per_disk_gib", self.hardware_usd_per_disk_gib),
            ("watts_per_server", self.watts_per_server),
            ("hardware_usd_per_gpu", self.hardware_usd_per_gpu),
            ("watts_per_gpu", self.watts_per_gpu),
            ("usd_per_kwh", self.usd_per_kwh),
            ("rack_units_per_server", self.rack_units_per_server),
            ("usd_per_rack_unit_month", self.usd_per_rack_unit_month),
            ("network_usd_month", self.network_usd_month),
            ("rhel_usd_per_server_year", self.rhel_usd_per_server_year),
            ("windows_usd_per_16_cores", self.windows_usd_per_16_cores),
            ("vmware_usd_per_core_year", self.vmware_usd_per_core_year),
            ("backup_usd_per_server_year", self.backup_usd_per_server_year),
            ("admin_hours_per_server_month", self.admin_hours_per_server_month),
            ("admin_usd_per_hour", self.admin_usd_per_hour),
            ("move_hours_per_server", self.move_hours_per_server),
            ("move_transfer_usd", self.move_transfer_usd),
        ];
        // 0 or more, and never absurd (a billion dollars, watts or hours is no server's figure).
        let max = crate::bounds::MAX_USD;
        for (key, v) in money {
            out.extend(crate::bounds::within(key, v, Decimal::ZERO, max, "a number"));
        }
        if let Some(v) = self.hardware_usd_per_server {
            out.extend(crate::bounds::within("hardware_usd_per_server", v, Decimal::ZERO, max, "a number"));
        }
        out.extend(crate::bounds::within_u32("hosts", self.hosts, 0, 1_000_000, "a count"));
        if let Some(c) = self.vmware_cores {
            out.extend(crate::bounds::within_u32("vmware_cores", c, 0, 100_000_000, "a count"));
        }
        if !(1..=15).contains(&self.refresh_years) {
            out.push(format!("refresh_years = {}: expected 1 to 15", self.refresh_years));
        }
        for (key, v) in [("residual_pct", self.residual_pct), ("support_pct_per_year", self.support_pct_per_year)] {
            if v.is_sign_negative() || v > hundred {
                out.push(format!("{key} = {v}: expected a percentage from 0 to 100"));
            }
        }
        if self.pue < Decimal::ONE || self.pue > Decimal::from(5) {
            out.push(format!("pue = {}: expected 1 to 5, such as 1.58", self.pue));
        }
        if self.parallel_months > 60 {
            out.push(format!("parallel_months = {}: expected 0 to 60", self.parallel_months));
        }
        if let Some(a) = self.hardware_age_years {
            out.extend(crate::bounds::within_u32("hardware_age_years", a, 0, 50, "years"));
        }
        out.extend(crate::bounds::within(
            "verdict_margin_pct",
            self.verdict_margin_pct,
            Decimal::ZERO,
            Decimal::from(50),
            "a percentage",
        ));
        out
    }
}

/// What the comparison needs beside the plan.
#[derive(Debug, Clone, Copy)]
pub struct CompareInputs<'a> {
    pub onprem: &'a OnpremSettings,
    /// Hypervisor hosts the inventory lists (RVTools vHost); empty when it lists none.
    pub hosts: &'a [HostInfo],
    /// Months shown and the horizon of the break-even: `years × 12` (1 to 10).
    pub years: u32,
    /// The same inventory's on-demand monthly total sized as-is and sized from utilization, when both were priced.
    pub right_sizing: Option<RightSizing>,
}

/// On-demand monthly totals of the same inventory under both sizings (see `plan --sizing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightSizing {
    pub as_is_monthly_usd: Decimal,
    pub utilization_monthly_usd: Decimal,
}

/// The on-prem estate the model prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estate {
    /// Where the machine count comes from.
    pub basis: String,
    /// Physical machines (powered, racked, bought).
    pub machines: u64,
    /// Physical cores, memory and disk the hardware price is made of.
    pub cores: u64,
    pub memory_gib: Decimal,
    pub disk_gib: Decimal,
    /// GPUs of the inventory's servers (priced and powered on top of their machines).
    #[serde(default)]
    pub gpus: u64,
    /// Inventory servers (counting `count`): backup, admin and move work are per server.
    pub servers: u64,
    pub rhel_servers: u64,
    pub windows_servers: u64,
    /// Windows Server core licences (16 per server at least).
    pub windows_core_licences: u64,
    pub vmware_cores: u64,
}

/// One cost of a month (or, for the move, once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcoLine {
    pub category: String,
    pub item: String,
    pub usd: Decimal,
    /// How the figure was made, with the numbers used.
    pub how: String,
    /// Where the inputs come from: `rocklift.toml [onprem]`, `default` (see the constants), or `plan`.
    pub source: String,
}

/// What keeping the servers costs a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnpremCost {
    pub estate: Estate,
    pub lines: Vec<TcoLine>,
    pub by_category: BTreeMap<String, Decimal>,
    pub monthly_usd: Decimal,
    /// The hardware's purchase price (what the monthly hardware line spreads over the refresh cycle).
    pub hardware_purchase_usd: Decimal,
}

/// An upfront payment for reservations, in the month it is paid (month 1 = the first month on AWS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upfront {
    pub month: u32,
    pub usd: Decimal,
    pub what: String,
}

/// What AWS costs with the plan's recommended purchase options, after the plan's discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudCost {
    /// Paid every month (on-demand and spot hours, storage, network); reservation upfronts are in `upfronts`.
    pub monthly_usd: Decimal,
    /// The monthly cost with each upfront spread over its term, by category (compute, storage, network).
    pub by_category: BTreeMap<String, Decimal>,
    /// `by_category` summed: the plan's recommended monthly total after its discount.
    pub effective_monthly_usd: Decimal,
    pub upfronts: Vec<Upfront>,
    pub discount_pct: Decimal,
}

pub use crate::tco_views::{break_even, CashView, CashYear, MonthRow, Outcome, Verdict};

/// Both options summed over a number of years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Horizon {
    pub years: u32,
    pub onprem_usd: Decimal,
    pub cloud_usd: Decimal,
    /// `onprem_usd - cloud_usd`: what moving saves (negative: what it costs more).
    pub saving_usd: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeverKind {
    /// Money the plan already saves by using it (or would save, for right-sizing).
    Saving,
    /// A cost to know about (egress).
    Cost,
}

/// A lever on the cloud bill, in dollars a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lever {
    pub key: String,
    pub name: String,
    pub kind: LeverKind,
    /// `None`: not computed from this plan (`detail` says why).
    pub usd_year: Option<Decimal>,
    pub detail: String,
    /// Whether the AWS figure already has it (the plan applies it) or it would come on top of it.
    pub in_aws_figure: bool,
}

/// One `[onprem]` value and its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assumption {
    pub key: String,
    pub value: String,
    pub source: String,
}

/// Where each default comes from (the doc comments of the constants, shortened).
const SOURCES: [(&str, &str); 25] = [
    ("hardware_usd_per_server", "not set: the model of base, cores, memory and disk is used"),
    ("hardware_base_usd", "rocklift assumption: chassis, power supplies, network ports, boot drives"),
    ("hardware_usd_per_core", "rocklift assumption: server CPUs list at roughly $50 to $150 a core"),
    ("hardware_usd_per_memory_gib", "rocklift assumption: registered server memory"),
    ("hardware_usd_per_disk_gib", "rocklift assumption: disk with RAID and spares"),
    ("hardware_usd_per_gpu", "rocklift assumption: a data-centre GPU such as an NVIDIA A100 or L40S sells for roughly $8,000 to $15,000"),
    ("refresh_years", "rocklift assumption: a common refresh cycle for small-business servers"),
    ("residual_pct", "rocklift assumption: resale value of a replaced server"),
    ("hosts", "0: one physical server per inventory server, or the inventory's hypervisor hosts"),
    ("watts_per_server", "Koomey, Environmental Research Letters 3 (2008) 034008, table 1: average U.S. volume server, 2005"),
    ("watts_per_gpu", "NVIDIA A100 datasheet: maximum board power of the A100 80GB PCIe (SXM modules up to 400 W)"),
    ("pue", "Uptime Institute Global Data Center Survey 2023: industry average PUE"),
    ("usd_per_kwh", "rocklift assumption, rounded from the U.S. EIA average commercial retail price (Electric Power Monthly)"),
    ("rack_units_per_server", "rocklift assumption: a 1U server"),
    ("usd_per_rack_unit_month", "rocklift assumption: your own building, space not billed; set a colocation price per U"),
    ("network_usd_month", "rocklift assumption: switch, firewall, UPS upkeep and static addresses for the servers"),
    ("rhel_usd_per_server_year", "Red Hat store, Red Hat Enterprise Linux Server starting price (SKU RH00005, self-support, a year), read 2026-09-20"),
    ("windows_usd_per_16_cores", "Microsoft Windows Server 2025 pricing page: Standard, 16 cores, estimated retail price"),
    ("vmware_usd_per_core_year", "VMware vSphere Foundation list price per core a year (Broadcom), as reported by Redress Compliance, 2026"),
    ("vmware_cores", "not set: the hypervisor hosts' cores (16 per CPU at least), none without hosts"),
    ("backup_usd_per_server_year", "rocklift assumption: per-workload backup subscriptions are quoted on request"),
    ("support_pct_per_year", "rocklift assumption: hardware support contracts"),
    ("admin_hours_per_server_month", "rocklift assumption: hardware, firmware, hypervisor and closet work the cloud takes over"),
    ("admin_usd_per_hour", "U.S. Bureau of Labor Statistics, Occupational Outlook Handbook: median pay of network and computer systems administrators, May 2022"),
    ("move_hours_per_server", "rocklift assumption: rebuild or copy, test, cut over"),
];

/// Each value of `o` with its source: the default's when it equals the default, else rocklift.toml.
pub fn assumption_sources(o: &OnpremSettings) -> Vec<Assumption> {
    let def = OnpremSettings::default();
    let dec = |v: Decimal| v.normalize().to_string();
    let opt = |v: Option<Decimal>| v.map(dec).unwrap_or_else(|| "not set".into());
    let values: Vec<(&str, String, bool)> = vec![
        (
            "hardware_usd_per_server",
            opt(o.hardware_usd_per_server),
            o.hardware_usd_per_server == def.hardware_usd_per_server,
        ),
        ("hardware_base_usd", dec(o.hardware_base_usd), o.hardware_base_usd == def.hardware_base_usd),
        ("hardware_usd_per_core", dec(o.hardware_usd_per_core), o.hardware_usd_per_core == def.hardware_usd_per_core),
        (
            "hardware_usd_per_memory_gib",
            dec(o.hardware_usd_per_memory_gib),
            o.hardware_usd_per_memory_gib == def.hardware_usd_per_memory_gib,
        ),
        (
            "hardware_usd_per_disk_gib",
            dec(o.hardware_usd_per_disk_gib),
            o.hardware_usd_per_disk_gib == def.hardware_usd_per_disk_gib,
        ),
        ("hardware_usd_per_gpu", dec(o.hardware_usd_per_gpu), o.hardware_usd_per_gpu == def.hardware_usd_per_gpu),
        ("refresh_years", o.refresh_years.to_string(), o.refresh_years == def.refresh_years),
        ("residual_pct", dec(o.residual_pct), o.residual_pct == def.residual_pct),
        ("hosts", o.hosts.to_string(), o.hosts == def.hosts),
        ("watts_per_server", dec(o.watts_per_server), o.watts_per_server == def.watts_per_server),
        ("watts_per_gpu", dec(o.watts_per_gpu), o.watts_per_gpu == def.watts_per_gpu),
        ("pue", dec(o.pue), o.pue == def.pue),
        ("usd_per_kwh", dec(o.usd_per_kwh), o.usd_per_kwh == def.usd_per_kwh),
        ("rack_units_per_server", dec(o.rack_units_per_server), o.rack_units_per_server == def.rack_units_per_server),
        (
            "usd_per_rack_unit_month",
            dec(o.usd_per_rack_unit_month),
            o.usd_per_rack_unit_month == def.usd_per_rack_unit_month,
        ),
        ("network_usd_month", dec(o.network_usd_month), o.network_usd_month == def.network_usd_month),
        (
            "rhel_usd_per_server_year",
            dec(o.rhel_usd_per_server_year),
            o.rhel_usd_per_server_year == def.rhel_usd_per_server_year,
        ),
        (
            "windows_usd_per_16_cores",
            dec(o.windows_usd_per_16_cores),
            o.windows_usd_per_16_cores == def.windows_usd_per_16_cores,
        ),
        (
            "vmware_usd_per_core_year",
            dec(o.vmware_usd_per_core_year),
            o.vmware_usd_per_core_year == def.vmware_usd_per_core_year,
        ),
        (
            "vmware_cores",
            o.vmware_cores.map(|c| c.to_string()).unwrap_or_else(|| "not set".into()),
            o.vmware_cores == def.vmware_cores,
        ),
        (
            "backup_usd_per_server_year",
            dec(o.backup_usd_per_server_year),
            o.backup_usd_per_server_year == def.backup_usd_per_server_year,
        ),
        ("support_pct_per_year", dec(o.support_pct_per_year), o.support_pct_per_year == def.support_pct_per_year),
        (
            "admin_hours_per_server_month",
            dec(o.admin_hours_per_server_month),
            o.admin_hours_per_server_month == def.admin_hours_per_server_month,
        ),
        ("admin_usd_per_hour", dec(o.admin_usd_per_hour), o.admin_usd_per_hour == def.admin_usd_per_hour),
        ("move_hours_per_server", dec(o.move_hours_per_server), o.move_hours_per_server == def.move_hours_per_server),
        ("parallel_months", o.parallel_months.to_string(), o.parallel_months == def.parallel_months),
        ("move_transfer_usd", dec(o.move_transfer_usd), o.move_transfer_usd == def.move_transfer_usd),
        (
            "hardware_age_years",
            o.hardware_age_years.map(|a| a.to_string()).unwrap_or_else(|| "not set".into()),
            o.hardware_age_years == def.hardware_age_years,
        ),
        ("verdict_margin_pct", dec(o.verdict_margin_pct), o.verdict_margin_pct == def.verdict_margin_pct),
    ];
    values
        .into_iter()
        .map(|(key, value, is_default)| {
            let source = if !is_default {
                "rocklift.toml [onprem]".to_owned()
            } else {
                match key {
                    "parallel_months" => "rocklift assumption: one month of paying for both".to_owned(),
                    "move_transfer_usd" => "0: nothing beyond AWS's price for data in".to_owned(),
                    "hardware_age_years" => {
                        "not set: a rolling refresh, 1/refresh_years of the servers replaced every year".to_owned()
                    }
                    "verdict_margin_pct" => {
                        "rocklift assumption: a difference this small is within the estimate's own uncertainty"
                            .to_owned()
                    }
                    _ => SOURCES.iter().find(|(k, _)| *k == key).map(|(_, s)| (*s).to_owned()).unwrap_or_default(),
                }
            };
            Assumption { key: key.to_owned(), value, source }
        })
        .collect()
}

/// On-prem against AWS, month by month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The horizon of `months` and of the break-even.
    pub years: u32,
    pub assumptions: OnpremSettings,
    /// Each `[onprem]` value used and where it comes from (its default's source, or rocklift.toml).
    pub assumption_sources: Vec<Assumption>,
    pub onprem: OnpremCost,
    pub cloud: CloudCost,
    /// The move, paid once (labour, transfer, months of running both).
    pub one_time: Vec<TcoLine>,
    pub one_time_usd: Decimal,
    /// The amortised view, month by month over the horizon: each upfront and hardware purchase spread over its
    /// own term, the move in the months it is paid.
    pub months: Vec<MonthRow>,
    /// The first month from which AWS stays cheaper, cumulatively, to the end of the horizon (amortised view);
    /// `None` when it is not cheaper at the end.
    pub break_even_month: Option<u32>,
    /// 3 and 5 years (and the horizon, when different), amortised.
    pub horizons: Vec<Horizon>,
    /// The cash-flow view: year by year what is paid when, and the value left at the end of the horizon.
    pub cash: CashView,
    /// The headline, from the amortised view, with the margin under which it says "about the same".
    pub verdict: Verdict,
    pub levers: Vec<Lever>,
    pub notes: Vec<String>,
}

fn usd(v: Decimal) -> String {
    format!("${}", display_usd_grouped(v))
}

/// A unit price with all its decimals: `$0.15`.
fn rate(v: Decimal) -> String {
    format!("${}", display_rate(v))
}

fn num(v: Decimal) -> String {
    v.normalize().to_string()
}

/// Compare keeping the servers with moving them as `plan` prices it.
pub fn compare(plan: &Plan, inputs: &CompareInputs<'_>) -> Comparison {
    let o = inputs.onprem;
    let years = inputs.years.clamp(1, 10);
    let onprem = onprem_cost(plan, o, inputs.hosts);
    let keep = (Decimal::ONE - plan.totals.discount_pct / Decimal::ONE_HUNDRED).normalize();
    let cloud = cloud_cost(plan, keep);
    let (upfront_1y, upfront_3y) = upfront_sums(plan);
    let one_time = one_time_lines(plan, o, &onprem, onprem.estate.servers);
    let one_time_usd: Decimal = one_time.iter().map(|l| l.usd).sum::<Decimal>().normalize();
    // Paid in month 1: everything one-time but the months of running both, which fall in their own months.
    let at_start: Decimal = one_time.iter().filter(|l| l.category != "parallel").map(|l| l.usd).sum();
    let purchases_monthly: Decimal =
        onprem.lines.iter().filter(|l| l.category == "hardware" || l.item == WINDOWS_LINE).map(|l| l.usd).sum();
    let views = crate::tco_views::views(&crate::tco_views::ViewInputs {
        years,
        onprem_monthly: onprem.monthly_usd,
        onprem_purchases_monthly: purchases_monthly,
        hardware_purchase: onprem.hardware_purchase_usd,
        licences_purchase: Decimal::from(onprem.estate.windows_core_licences) / Decimal::from(WINDOWS_MIN_CORES)
            * o.windows_usd_per_16_cores,
        residual_pct: o.residual_pct,
        refresh_years: o.refresh_years,
        hardware_age_years: o.hardware_age_years,
        cloud_cash_monthly: cloud.monthly_usd,
        cloud_effective_monthly: cloud.effective_monthly_usd,
        upfront_1y: upfront_1y * keep,
        upfront_3y: upfront_3y * keep,
        move_at_start: at_start,
        parallel_months: o.parallel_months,
        margin_pct: o.verdict_margin_pct,
        aws_incomplete: plan.totals.incomplete,
    });
    let mut all = views.months;
    let mut horizons = Vec::new();
    let mut horizon_years = vec![3, 5];
    if !horizon_years.contains(&years) {
        horizon_years.push(years);
        horizon_years.sort_unstable();
    }
    for y in horizon_years {
        if let Some(r) = all.get((y * 12 - 1) as usize) {
            horizons.push(Horizon {
                years: y,
                onprem_usd: r.onprem_cumulative_usd,
                cloud_usd: r.cloud_cumulative_usd,
                saving_usd: (r.onprem_cumulative_usd - r.cloud_cumulative_usd).normalize(),
            });
        }
    }
    all.truncate((years * 12) as usize);
    let break_even_month = views.verdict.break_even_month;
    let upfronts = upfront_schedule(upfront_1y * keep, upfront_3y * keep, years * 12);
    let levers = levers(plan, inputs.right_sizing, keep, &onprem.estate);
    let notes = notes(plan, o, &onprem.estate, keep);
    Comparison {
        years,
        assumptions: o.clone(),
        assumption_sources: assumption_sources(o),
        onprem,
        cloud: CloudCost { upfronts, ..cloud },
        one_time,
        one_time_usd,
        months: all,
        break_even_month,
        horizons,
        cash: views.cash,
        verdict: views.verdict,
        levers,
        notes,
    }
}

/// Physical cores of an inventory server: its vCPUs over [`THREADS_PER_CORE`], rounded up, at least 1.
pub fn cores_of(vcpus: u32) -> u64 {
    u64::from(vcpus.div_ceil(THREADS_PER_CORE).max(1))
}

fn estate(plan: &Plan, o: &OnpremSettings, hosts: &[HostInfo]) -> Estate {
    let (mut servers, mut cores, mut rhel, mut windows, mut win_cores) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut gpus = 0u64;
    let (mut memory, mut disk) = (Decimal::ZERO, Decimal::ZERO);
    for s in &plan.servers {
        let n = u64::from(s.count);
        servers += n;
        let c = cores_of(s.current.cpus);
        cores += c * n;
        memory += s.current.memory_gib * Decimal::from(n);
        gpus += u64::from(s.current.gpus) * n;
        disk += s.current.disk_gib.or(s.current.disk_used_gib).unwrap_or_default() * Decimal::from(n);
        match s.os.family {
            OsFamily::Rhel => rhel += n,
            OsFamily::Windows => {
                windows += n;
                win_cores += c.max(u64::from(WINDOWS_MIN_CORES)) * n;
            }
            _ => {}
        }
    }
    let host_cores: u64 = hosts.iter().filter_map(|h| h.cores).map(u64::from).sum();
    let host_memory: Decimal = hosts.iter().filter_map(|h| h.memory_gib).sum();
    let all_hosts_known = !hosts.is_empty() && hosts.iter().all(|h| h.cores.is_some() && h.memory_gib.is_some());
    let (basis, machines, cores, memory) = if o.hosts > 0 {
        (
            format!("{} physical hosts ([onprem] hosts) carrying the servers' cores, memory and disk", o.hosts),
            u64::from(o.hosts),
            cores,
            memory,
        )
    } else if !hosts.is_empty() {
        let (c, m) = if all_hosts_known { (host_cores, host_memory) } else { (cores, memory) };
        (
            format!(
                "{} hypervisor hosts listed in the inventory (RVTools vHost){}",
                hosts.len(),
                if all_hosts_known { "" } else { "; their cores and memory are not all known: the servers' are used" }
            ),
            hosts.len() as u64,
            c,
            m,
        )
    } else {
        ("one physical server per inventory server".to_owned(), servers, cores, memory)
    };
    let vmware_cores = match o.vmware_cores {
        Some(c) => u64::from(c),
        None => hosts
            .iter()
            .map(|h| {
                let c = u64::from(h.cores.unwrap_or(0));
                let min = u64::from(h.sockets.unwrap_or(0)) * u64::from(VMWARE_MIN_CORES_PER_CPU);
                c.max(min)
            })
            .sum(),
    };
    Estate {
        basis,
        machines,
        cores,
        memory_gib: memory.normalize(),
        disk_gib: disk.normalize(),
        gpus,
        servers,
        rhel_servers: rhel,
        windows_servers: windows,
        windows_core_licences: win_cores,
        vmware_cores,
    }
}

/// The on-prem line of the Windows licences bought with the servers (spread over the refresh cycle like them).
const WINDOWS_LINE: &str = "Windows Server licences";

fn line(category: &str, item: &str, usd: Decimal, how: String, source: &str) -> TcoLine {
    TcoLine { category: category.into(), item: item.into(), usd: usd.normalize(), how, source: source.into() }
}

/// The monthly on-prem cost by line.
pub fn onprem_cost(plan: &Plan, o: &OnpremSettings, hosts: &[HostInfo]) -> OnpremCost {
    let e = estate(plan, o, hosts);
    let src = "[onprem]";
    let machines = Decimal::from(e.machines);
    let cores = Decimal::from(e.cores);
    let gpus = Decimal::from(e.gpus);
    let gpu_how =
        if e.gpus > 0 { format!(" + {} GPUs × {}", e.gpus, usd(o.hardware_usd_per_gpu)) } else { String::new() };
    let (purchase, purchase_how) = match o.hardware_usd_per_server {
        Some(flat) => (
            machines * flat + gpus * o.hardware_usd_per_gpu,
            format!("{} servers × {}{gpu_how}", e.machines, usd(flat)),
        ),
        None => (
            machines * o.hardware_base_usd
                + cores * o.hardware_usd_per_core
                + e.memory_gib * o.hardware_usd_per_memory_gib
                + e.disk_gib * o.hardware_usd_per_disk_gib
                + gpus * o.hardware_usd_per_gpu,
            format!(
                "{} servers × {} + {} cores × {} + {} GiB memory × {} + {} GiB disk × {}{gpu_how}",
                e.machines,
                usd(o.hardware_base_usd),
                e.cores,
                usd(o.hardware_usd_per_core),
                num(e.memory_gib),
                usd(o.hardware_usd_per_memory_gib),
                num(e.disk_gib),
                rate(o.hardware_usd_per_disk_gib)
            ),
        ),
    };
    let purchase = purchase.normalize();
    let months = Decimal::from(o.refresh_years * 12);
    let keep = Decimal::ONE - o.residual_pct / Decimal::ONE_HUNDRED;
    let twelve = Decimal::from(12);
    let watts = machines * o.watts_per_server + gpus * o.watts_per_gpu;
    let kwh = watts * o.pue * HOURS_PER_MONTH / Decimal::from(1000);
    let servers = Decimal::from(e.servers);
    let lines = vec![
        line(
            "hardware",
            "servers, bought and replaced",
            purchase * keep / months,
            format!(
                "purchase {} ({purchase_how}) less {}% resale, over {} years",
                usd(purchase),
                num(o.residual_pct),
                o.refresh_years
            ),
            src,
        ),
        line(
            "support",
            "hardware support contracts",
            purchase * o.support_pct_per_year / Decimal::ONE_HUNDRED / twelve,
            format!("{}% of {} a year", num(o.support_pct_per_year), usd(purchase)),
            src,
        ),
        line(
            "power",
            "electricity and cooling",
            kwh * o.usd_per_kwh,
            format!(
                "({} servers × {} W{}) × PUE {} × 730 h = {} kWh × ${}/kWh",
                e.machines,
                num(o.watts_per_server),
                if e.gpus > 0 { format!(" + {} GPUs × {} W", e.gpus, num(o.watts_per_gpu)) } else { String::new() },
                num(o.pue),
                num(kwh.round_dp(1)),
                display_rate(o.usd_per_kwh)
            ),
            src,
        ),
        line(
            "space",
            "rack space",
            machines * o.rack_units_per_server * o.usd_per_rack_unit_month,
            format!(
                "{} servers × {} U × {} per U a month",
                e.machines,
                num(o.rack_units_per_server),
                usd(o.usd_per_rack_unit_month)
            ),
            src,
        ),
        line("network", "network and internet for the servers", o.network_usd_month, "a month".into(), src),
        line(
            "licences",
            "RHEL subscriptions",
            Decimal::from(e.rhel_servers) * o.rhel_usd_per_server_year / twelve,
            format!("{} RHEL servers × {} a year", e.rhel_servers, usd(o.rhel_usd_per_server_year)),
            src,
        ),
        line(
            "licences",
            WINDOWS_LINE,
            Decimal::from(e.windows_core_licences) / Decimal::from(WINDOWS_MIN_CORES) * o.windows_usd_per_16_cores
                / months,
            format!(
                "{} Windows servers, {} core licences × {} per 16 cores, over {} years",
                e.windows_servers,
                e.windows_core_licences,
                usd(o.windows_usd_per_16_cores),
                o.refresh_years
            ),
            src,
        ),
        line(
            "licences",
            "VMware",
            Decimal::from(e.vmware_cores) * o.vmware_usd_per_core_year / twelve,
            format!("{} cores × {} a year", e.vmware_cores, usd(o.vmware_usd_per_core_year)),
            src,
        ),
        line(
            "backup",
            "backup software",
            servers * o.backup_usd_per_server_year / twelve,
            format!("{} servers × {} a year", e.servers, usd(o.backup_usd_per_server_year)),
            src,
        ),
        line(
            "labour",
            "hardware and closet administration",
            servers * o.admin_hours_per_server_month * o.admin_usd_per_hour,
            format!(
                "{} servers × {} h × {}/h",
                e.servers,
                num(o.admin_hours_per_server_month),
                usd(o.admin_usd_per_hour)
            ),
            src,
        ),
    ];
    let mut by_category: BTreeMap<String, Decimal> = BTreeMap::new();
    for l in &lines {
        *by_category.entry(l.category.clone()).or_default() += l.usd;
    }
    for v in by_category.values_mut() {
        *v = v.normalize();
    }
    let monthly_usd = lines.iter().map(|l| l.usd).sum::<Decimal>().normalize();
    OnpremCost { estate: e, lines, by_category, monthly_usd, hardware_purchase_usd: purchase }
}

fn recommended(s: &ServerPlan) -> Option<&crate::purchase::OptionCost> {
    s.purchase.as_ref().and_then(|p| p.options.iter().find(|o| o.kind == p.recommended))
}

fn lines_of(s: &ServerPlan, cat: Category) -> Decimal {
    s.costs.iter().filter(|l| l.category == cat).filter_map(|l| l.monthly_usd).sum()
}

/// The cloud's monthly cost after the discount (`keep` = 1 - discount): paid monthly, and by category with the
/// upfronts spread over their terms. Upfronts are filled in by the caller.
fn cloud_cost(plan: &Plan, keep: Decimal) -> CloudCost {
    let (mut compute_eff, mut compute_cash) = (Decimal::ZERO, Decimal::ZERO);
    let (mut storage, mut network) = (Decimal::ZERO, Decimal::ZERO);
    for s in &plan.servers {
        match recommended(s) {
            Some(o) => {
                compute_eff += o.effective_monthly_usd;
                compute_cash += o.monthly_usd;
            }
            None => {
                let c = lines_of(s, Category::Compute);
                compute_eff += c;
                compute_cash += c;
            }
        }
        storage += lines_of(s, Category::Storage);
        network += lines_of(s, Category::Network);
    }
    network += plan.network.total_usd_month;
    let by_category: BTreeMap<String, Decimal> = [
        (Category::Compute.as_str().to_owned(), (compute_eff * keep).normalize()),
        (Category::Storage.as_str().to_owned(), (storage * keep).normalize()),
        (Category::Network.as_str().to_owned(), (network * keep).normalize()),
    ]
    .into_iter()
    .collect();
    CloudCost {
        monthly_usd: ((compute_cash + storage + network) * keep).normalize(),
        effective_monthly_usd: ((compute_eff + storage + network) * keep).normalize(),
        by_category,
        upfronts: Vec::new(),
        discount_pct: plan.totals.discount_pct,
    }
}

/// Upfronts of the recommended 1-year and 3-year reservations (list price).
fn upfront_sums(plan: &Plan) -> (Decimal, Decimal) {
    let (mut one, mut three) = (Decimal::ZERO, Decimal::ZERO);
    for o in plan.servers.iter().filter_map(recommended) {
        match o.kind {
            PurchaseKind::Reserved1y => one += o.upfront_usd,
            PurchaseKind::Reserved3y => three += o.upfront_usd,
            PurchaseKind::OnDemand | PurchaseKind::Spot => {}
        }
    }
    (one, three)
}

fn upfront_schedule(one: Decimal, three: Decimal, months: u32) -> Vec<Upfront> {
    let mut out = Vec::new();
    for m in 1..=months {
        let mut usd = Decimal::ZERO;
        let mut what = Vec::new();
        if (m - 1) % 12 == 0 && !one.is_zero() {
            usd += one;
            what.push(if m == 1 { "1-year reservations" } else { "1-year reservations renewed" });
        }
        if (m - 1) % 36 == 0 && !three.is_zero() {
            usd += three;
            what.push(if m == 1 { "3-year reservations" } else { "3-year reservations renewed" });
        }
        if !usd.is_zero() {
            out.push(Upfront { month: m, usd: usd.normalize(), what: what.join(" and ") });
        }
    }
    out
}

fn one_time_lines(plan: &Plan, o: &OnpremSettings, onprem: &OnpremCost, servers: u64) -> Vec<TcoLine> {
    let mut out = vec![line(
        "labour",
        "moving the servers",
        Decimal::from(servers) * o.move_hours_per_server * o.admin_usd_per_hour,
        format!("{servers} servers × {} h × {}/h", num(o.move_hours_per_server), usd(o.admin_usd_per_hour)),
        "[onprem]",
    )];
    let transfer_in = plan.migration.as_ref().and_then(|m| m.transfer_in_cost_usd);
    let data = plan.migration.as_ref().map(|m| num(m.inputs.data_gib.round_dp(1))).unwrap_or_else(|| "0".into());
    out.push(line(
        "transfer",
        "copying the data into AWS",
        transfer_in.unwrap_or_default() + o.move_transfer_usd,
        match transfer_in {
            Some(t) => format!("{data} GiB at AWS's price for data in ({}) + {} [onprem] move_transfer_usd", usd(t), usd(o.move_transfer_usd)),
            None => format!(
                "AWS's price for data in is not in the snapshot for this region (not counted) + {} [onprem] move_transfer_usd",
                usd(o.move_transfer_usd)
            ),
        },
        "plan",
    ));
    out.push(line(
        "parallel",
        "running both during the move",
        Decimal::from(o.parallel_months) * onprem.monthly_usd,
        format!("{} month(s) of the on-prem cost, {}", o.parallel_months, usd(onprem.monthly_usd)),
        "[onprem]",
    ));
    out
}

fn lever(key: &str, name: &str, kind: LeverKind, usd_year: Option<Decimal>, detail: String) -> Lever {
    Lever {
        key: key.into(),
        name: name.into(),
        kind,
        usd_year: usd_year.map(|v| v.normalize()),
        detail,
        in_aws_figure: true,
    }
}

/// The levers, each in dollars a year after the discount (`keep`).
fn levers(plan: &Plan, right_sizing: Option<RightSizing>, keep: Decimal, e: &Estate) -> Vec<Lever> {
    let twelve = Decimal::from(12);
    // Schedules: the instance hours a schedule (or a scaling group's profile) switches off, at the on-demand rate.
    let (mut sched, mut rows, mut groups) = (Decimal::ZERO, 0usize, 0usize);
    for s in &plan.servers {
        let MatchOutcome::Placed(p) = &s.placement else { continue };
        if let Some(g) = &s.group {
            let full = Decimal::from(g.max) * HOURS_PER_MONTH;
            if full > g.instance_hours_month {
                sched += p.hourly_usd * (full - g.instance_hours_month);
                groups += 1;
            }
        } else if s.hours_per_month < HOURS_PER_MONTH {
            sched += p.hourly_usd * (HOURS_PER_MONTH - s.hours_per_month) * Decimal::from(s.count);
            rows += 1;
        }
    }
    let mut out = vec![lever(
        "schedules",
        "Schedules",
        LeverKind::Saving,
        Some(sched * twelve * keep),
        format!(
            "servers off when nobody needs them: {rows} scheduled row(s) and {groups} scaling group(s) against \
             running 24x7 (groups at their maximum), instance hours at the on-demand rate"
        ),
    )];
    // The plan's own sizing is in the AWS figure; the saving of the other sizing would come on top.
    let sized_from_use = plan.settings.sizing == crate::settings::Sizing::Utilization.as_str();
    out.push(match right_sizing {
        Some(r) => lever(
            "right_sizing",
            "Right-sizing",
            LeverKind::Saving,
            Some((r.as_is_monthly_usd - r.utilization_monthly_usd) * twelve * keep),
            format!(
                "instance types sized from p95 utilization: on-demand total sized as provisioned {} a month, from utilization {} a month",
                usd(r.as_is_monthly_usd),
                usd(r.utilization_monthly_usd)
            ),
        ),
        None => lever(
            "right_sizing",
            "Right-sizing",
            LeverKind::Saving,
            None,
            "not computed: this plan was priced under one sizing only (rocklift compare prices both)".into(),
        ),
    });
    if let Some(l) = out.last_mut() {
        l.in_aws_figure = sized_from_use;
    }
    out.push(lever(
        "rocky",
        "Rocky Linux, not RHEL",
        LeverKind::Saving,
        Some(plan.totals.licence_saving_monthly_usd * twelve * keep),
        format!(
            "Rocky Linux instead of RHEL: the RHEL charge on AWS avoided for {} RHEL server(s); on-prem RHEL subscriptions end as well",
            e.rhel_servers
        ),
    ));
    out.push(lever(
        "reserved_spot",
        "Reservations and spot",
        LeverKind::Saving,
        Some((plan.totals.monthly_usd - plan.totals.recommended_monthly_usd) * twelve * keep),
        "reserved instances and spot where they are cheaper: the on-demand total less the total with each row's recommended purchase option".into(),
    ));
    let egress = plan.network.lines.iter().find(|l| l.item == "internet egress");
    out.push(match egress {
        Some(l) => lever(
            "egress",
            "Egress",
            LeverKind::Cost,
            l.usd_month.map(|m| m * twelve * keep),
            match l.usd_month {
                Some(_) => {
                    format!("a cost, not a saving: what {} GB a month sent to the internet costs", num(l.quantity))
                }
                None => "the egress price is not in the snapshot for this region".into(),
            },
        ),
        None => lever(
            "egress",
            "Egress",
            LeverKind::Cost,
            Some(Decimal::ZERO),
            "the inventory names no data sent to the internet".into(),
        ),
    });
    out
}

fn notes(plan: &Plan, o: &OnpremSettings, e: &Estate, keep: Decimal) -> Vec<String> {
    let mut n = vec![format!("on-prem estate: {}", e.basis)];
    if keep != Decimal::ONE {
        n.push(format!(
            "AWS figures include the {}% discount of rocklift.toml; the levers too",
            num(plan.totals.discount_pct)
        ));
    }
    if e.windows_servers > 0 {
        n.push(
            "Windows Server: one Standard licence (16 cores at least) per Windows server, bought with the hardware"
                .into(),
        );
    }
    if e.vmware_cores == 0 && o.vmware_cores.is_none() {
        n.push("no hypervisor hosts in the inventory: no VMware licences counted ([onprem] vmware_cores)".into());
    }
    n.push(
        "the operating system is looked after on AWS too: only the work the cloud takes over is counted on-prem".into(),
    );
    if plan.totals.incomplete {
        n.push("the plan is incomplete (a price is missing or a server is not placed): AWS is understated".into());
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        serde_json::from_str(include_str!("../tests/golden/smb-office/plan.json")).expect("golden plan")
    }

    #[test]
    fn hypervisor_hosts_replace_the_servers_as_machines() {
        let hosts = [
            HostInfo {
                name: "esx1".into(),
                cluster: None,
                cpu_model: None,
                sockets: Some(2),
                cores: Some(16),
                hyperthreading: Some(true),
                memory_gib: Some(Decimal::from(256)),
            },
            HostInfo {
                name: "esx2".into(),
                cluster: None,
                cpu_model: None,
                sockets: Some(2),
                cores: Some(48),
                hyperthreading: Some(true),
                memory_gib: Some(Decimal::from(512)),
            },
        ];
        let c = onprem_cost(&plan(), &OnpremSettings::default(), &hosts);
        let e = &c.estate;
        assert_eq!((e.machines, e.cores, e.memory_gib), (2, 64, Decimal::from(768)));
        // VMware bills 16 cores per CPU at least: esx1 2 × 16 = 32 (not 16), esx2 48.
        assert_eq!(e.vmware_cores, 80);
        // 80 cores × $135 a year / 12 = $900 a month.
        let vmware = c.lines.iter().find(|l| l.item == "VMware").expect("vmware line");
        assert_eq!(vmware.usd, Decimal::from(900));
        // Per-server work stays per server: 10 servers of the inventory.
        assert_eq!(e.servers, 10);
        // Hardware: 2 × 2000 + 64 × 75 + 768 × 6 + 7960 × 0.15 = 4000 + 4800 + 4608 + 1194 = 14602.
        assert_eq!(c.hardware_purchase_usd, Decimal::from(14602));
    }

    #[test]
    fn out_of_range_values_are_named() {
        let o = OnpremSettings {
            pue: Decimal::new(9, 1),
            refresh_years: 0,
            usd_per_kwh: Decimal::new(-1, 1),
            ..OnpremSettings::default()
        };
        let p = o.problems();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("usd_per_kwh = -0.1"), "{p:?}");
        assert!(OnpremSettings::default().problems().is_empty());
    }

    #[test]
    fn upfronts_fall_in_the_months_they_are_paid() {
        let u = upfront_schedule(Decimal::from(100), Decimal::from(1000), 60);
        let months: Vec<(u32, Decimal)> = u.iter().map(|x| (x.month, x.usd)).collect();
        assert_eq!(
            months,
            [
                (1, Decimal::from(1100)),
                (13, Decimal::from(100)),
                (25, Decimal::from(100)),
                (37, Decimal::from(1100)),
                (49, Decimal::from(100))
            ]
        );
        assert_eq!(u[0].what, "1-year reservations and 3-year reservations");
        assert_eq!(u[3].what, "1-year reservations renewed and 3-year reservations renewed");
    }

    #[test]
    fn every_default_has_a_source() {
        for a in assumption_sources(&OnpremSettings::default()) {
            assert!(!a.source.is_empty() && a.source != "rocklift.toml [onprem]", "{}: {}", a.key, a.source);
        }
        let changed = OnpremSettings { pue: Decimal::from(2), ..OnpremSettings::default() };
        let pue = assumption_sources(&changed).into_iter().find(|a| a.key == "pue").expect("pue");
        assert_eq!((pue.value.as_str(), pue.source.as_str()), ("2", "rocklift.toml [onprem]"));
    }
}
