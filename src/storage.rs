//! Disk sizes (provisioned and used GiB, growth) and gp3 volume settings (GiB, IOPS, MiB/s) and snapshot policies,
//! plus service prices, in; the volume size to buy and priced EBS lines (gp3 storage, extra IOPS, extra throughput,
//! snapshots) with a total of the priced ones and a message per missing price out.
//!
//! Pure: no files, clock or environment. Prices come from the `ebs` rows of `services.csv` ([`ServicePrices`]) and
//! apply only in the regions the snapshot names for them ([`ServicePrices::regions`]); elsewhere a line stays
//! unpriced (`usd_month: None`), is left out of the total and gets a message in [`StorageCost::missing`] naming the
//! `[prices."REGION"]` override that fixes it, unless the caller passes that override. Nothing is guessed and
//! nothing becomes a silent zero.
//!
//! Units: sizes are GiB; AWS bills EBS per "GB-month" of provisioned GiB, so one GiB here is one billed GB (as in
//! [`crate::network`]). Throughput is MiB/s, as the EC2 API takes it, billed per "MBps-month". Money is exact
//! [`Decimal`] and is never rounded here.
//!
//! gp3 limits, as the Amazon EBS User Guide ("General Purpose SSD volumes", gp3) long stated them: size
//! 1 GiB–16 TiB; 3,000 IOPS and 125 MiB/s included with the storage; up to 16,000 IOPS at most 500 IOPS per GiB; up
//! to 1,000 MiB/s at most 0.25 MiB/s per provisioned IOPS. AWS raised the gp3 ceilings in 2025 (the EC2
//! `ModifyVolume` reference now lists up to 2,000 MiB/s), so these may reject volumes AWS now accepts; they are
//! named constants below to follow the docs.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::display_rate;
use crate::network::{missing_message, SOURCE_MISSING, SOURCE_OVERRIDE, SOURCE_SNAPSHOT};
use crate::pricing::services::ServicePrices;

/// gp3 IOPS included with the storage price (gp3 docs). Also the lowest IOPS a gp3 volume can be given.
pub const GP3_BASELINE_IOPS: u32 = 3000;
/// gp3 throughput in MiB/s included with the storage price (gp3 docs). Also the lowest a gp3 volume can be given.
pub const GP3_BASELINE_MBPS: u32 = 125;
/// Highest IOPS of one gp3 volume (gp3 docs: 16,000).
pub const GP3_MAX_IOPS: u32 = 16_000;
/// Highest throughput of one gp3 volume in MiB/s (gp3 docs: 1,000).
pub const GP3_MAX_MBPS: u32 = 1000;
/// Most IOPS provisioned per GiB of gp3 volume size (gp3 docs: 500 IOPS/GiB). The 3,000 baseline is given to every
/// size, so the ratio limits only IOPS above the baseline.
pub const GP3_MAX_IOPS_PER_GIB: u32 = 500;
/// Most throughput per provisioned IOPS in MiB/s (gp3 docs: 0.25 MiB/s per IOPS; 1,000 MiB/s needs 4,000 IOPS).
pub const GP3_MAX_MBPS_PER_IOPS: Decimal = Decimal::from_parts(25, 0, 0, false, 2);
/// Smallest gp3 volume in GiB (gp3 docs).
pub const GP3_MIN_GIB: u32 = 1;
/// Largest gp3 volume in GiB: 16 TiB (gp3 docs).
pub const GP3_MAX_GIB: u32 = 16_384;

/// Override name: $/GB-month of gp3 storage (the same name the estimate uses).
pub const OVERRIDE_EBS_GP3_GIB_MONTH: &str = "ebs_gp3_gib_month";
/// Override name: $/IOPS-month of gp3 IOPS above the 3,000 baseline.
pub const OVERRIDE_EBS_GP3_IOPS_MONTH: &str = "ebs_gp3_iops_month";
/// Override name: $/MBps-month of gp3 throughput above the 125 MiB/s baseline.
pub const OVERRIDE_EBS_GP3_MBPS_MONTH: &str = "ebs_gp3_mbps_month";
/// Override name: $/GB-month of standard EBS snapshot storage.
pub const OVERRIDE_EBS_SNAPSHOT_GIB_MONTH: &str = "ebs_snapshot_gib_month";

/// Every override name this module reads, sorted.
pub const OVERRIDE_NAMES: [&str; 4] = [
    OVERRIDE_EBS_GP3_GIB_MONTH,
    OVERRIDE_EBS_GP3_IOPS_MONTH,
    OVERRIDE_EBS_GP3_MBPS_MONTH,
    OVERRIDE_EBS_SNAPSHOT_GIB_MONTH,
];

/// One flat `ebs` price of the snapshot: its `item` in `services.csv`, its override name, its unit and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EbsItem {
    item: &'static str,
    override_name: &'static str,
    unit: &'static str,
    describe: &'static str,
}

const SERVICE: &str = "ebs";

const GP3_STORAGE: EbsItem = EbsItem {
    item: "gp3 storage",
    override_name: OVERRIDE_EBS_GP3_GIB_MONTH,
    unit: "GB-month",
    describe: "EBS gp3 storage ($/GB-month)",
};
// The row names carry the baseline they are priced above. The lookup asks for the row naming
// GP3_BASELINE_IOPS / GP3_BASELINE_MBPS (checked by a unit test), so a snapshot whose baseline differs from the
// constants leaves the price missing instead of billing from the wrong baseline.
const GP3_IOPS: EbsItem = EbsItem {
    item: "gp3 iops above 3000 baseline",
    override_name: OVERRIDE_EBS_GP3_IOPS_MONTH,
    unit: "IOPS-month",
    describe: "EBS gp3 IOPS above the 3000 baseline ($/IOPS-month)",
};
const GP3_THROUGHPUT: EbsItem = EbsItem {
    item: "gp3 throughput above 125 MBps baseline",
    override_name: OVERRIDE_EBS_GP3_MBPS_MONTH,
    unit: "MBps-month",
    describe: "EBS gp3 throughput above the 125 MiB/s baseline ($/MBps-month)",
};
const SNAPSHOT_STANDARD: EbsItem = EbsItem {
    item: "snapshot standard",
    override_name: OVERRIDE_EBS_SNAPSHOT_GIB_MONTH,
    unit: "GB-month",
    describe: "EBS snapshot storage, standard tier ($/GB-month)",
};

// ---------------------------------------------------------------------------------------------------------------
// Disk sizing
// ---------------------------------------------------------------------------------------------------------------

/// What a disk is sized from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiskBasis {
    /// The size the disk has on-prem, as it is.
    Provisioned,
    /// The data on it plus growth.
    Used,
}

/// The size to give a disk on AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskSize {
    /// Whole GiB, at least [`GP3_MIN_GIB`].
    pub gib: Decimal,
    /// The basis the size came from: the one asked for, or the other when the asked one was not known.
    pub basis_used: DiskBasis,
    /// Why the size differs from the plain rule (fallback, above provisioned, ignored input), if it does.
    pub note: Option<String>,
}

/// The size of a disk on AWS in whole GiB, from its on-prem sizes.
///
/// - [`DiskBasis::Used`]: `used × (1 + growth_pct / 100)`, rounded up to a whole GiB and never below `used` (a
///   negative growth counts as 0). The result may exceed `provisioned`: it is kept, with a note, because a disk
///   whose data plus growth no longer fits was nearly full and needs the room.
/// - [`DiskBasis::Provisioned`]: `provisioned` rounded up to a whole GiB; `growth_pct` is not added (the
///   provisioned size already holds the on-prem headroom).
/// - The asked basis unknown: the other one is used (with its own rule) and `basis_used` and `note` say so.
/// - Neither known: `None`.
///
/// A negative size counts as unknown (and is named in the note). A result of 0 GiB (an empty disk) becomes
/// [`GP3_MIN_GIB`], the smallest volume AWS makes.
pub fn size_disk(
    provisioned_gib: Option<Decimal>,
    used_gib: Option<Decimal>,
    basis: DiskBasis,
    growth_pct: Decimal,
) -> Option<DiskSize> {
    let mut notes = Vec::new();
    let provisioned = non_negative("provisioned", provisioned_gib, &mut notes);
    let used = non_negative("used", used_gib, &mut notes);
    let basis_used = match (basis, provisioned, used) {
        (_, None, None) => return None,
        (DiskBasis::Provisioned, None, Some(u)) => {
            notes.push(format!("provisioned size unknown: sized from the {} GiB used", u.normalize()));
            DiskBasis::Used
        }
        (DiskBasis::Used, Some(p), None) => {
            notes.push(format!("used size unknown: sized from the {} GiB provisioned", p.normalize()));
            DiskBasis::Provisioned
        }
        (b, _, _) => b,
    };
    let mut gib = match (basis_used, provisioned, used) {
        (DiskBasis::Provisioned, Some(p), _) => p.ceil(),
        (DiskBasis::Used, _, Some(u)) => {
            if growth_pct.is_sign_negative() && !growth_pct.is_zero() {
                notes.push(format!("growth {}% ignored: never sized below the data used", growth_pct.normalize()));
            }
            let grown = u * (Decimal::ONE + growth_pct.max(Decimal::ZERO) / Decimal::ONE_HUNDRED);
            let gib = grown.max(u).ceil();
            if let Some(p) = provisioned {
                if gib > p {
                    notes.push(format!(
                        "{} GiB used + {}% growth = {} GiB, above the {} GiB provisioned: kept (the disk was nearly full)",
                        u.normalize(),
                        growth_pct.max(Decimal::ZERO).normalize(),
                        gib.normalize(),
                        p.normalize()
                    ));
                }
            }
            gib
        }
        // The match above only picks a basis whose size is known.
        _ => return None,
    };
    if gib < Decimal::from(GP3_MIN_GIB) {
        notes.push(format!("{} GiB raised to {GP3_MIN_GIB} GiB, the smallest EBS volume", gib.normalize()));
        gib = Decimal::from(GP3_MIN_GIB);
    }
    let note = if notes.is_empty() { None } else { Some(notes.join("; ")) };
    Some(DiskSize { gib: gib.normalize(), basis_used, note })
}

fn non_negative(what: &str, v: Option<Decimal>, notes: &mut Vec<String>) -> Option<Decimal> {
    match v {
        Some(x) if x.is_sign_negative() && !x.is_zero() => {
            notes.push(format!("{what} size {} GiB is not a size: ignored", x.normalize()));
            None
        }
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Priced lines
// ---------------------------------------------------------------------------------------------------------------

/// One priced (or unpriced) EBS cost of the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageLine {
    pub item: String,
    /// Billed quantity in `unit` (for IOPS and throughput: the part above the included baseline).
    pub quantity: Decimal,
    pub unit: String,
    /// Price per `unit`, `None` when not known for the region.
    pub unit_usd: Option<Decimal>,
    /// `None` when the price is not known for the region: left out of the total.
    pub usd_month: Option<Decimal>,
    /// How the figure was made, e.g. `500 GiB × $0.08/GB-month`.
    pub detail: String,
    /// [`SOURCE_SNAPSHOT`], [`SOURCE_OVERRIDE`] or [`SOURCE_MISSING`] (shared with [`crate::network`]).
    pub source: String,
}

/// EBS costs of one month.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageCost {
    /// In a fixed order: storage, IOPS, throughput, snapshots.
    pub lines: Vec<StorageLine>,
    /// One message per price the snapshot lacks in the region (and no override gives), naming the fix.
    pub missing: Vec<String>,
    /// Sum of the priced lines only.
    pub total_usd_month: Decimal,
}

impl StorageCost {
    /// Both costs together (e.g. a volume and its snapshots): lines appended, each missing message kept once,
    /// totals added.
    pub fn merge(mut self, other: StorageCost) -> StorageCost {
        self.lines.extend(other.lines);
        for m in other.missing {
            if !self.missing.contains(&m) {
                self.missing.push(m);
            }
        }
        self.total_usd_month += other.total_usd_month;
        self
    }

    fn from_lines(lines: Vec<StorageLine>, missing: Vec<String>) -> StorageCost {
        let total_usd_month = lines.iter().filter_map(|l| l.usd_month).sum::<Decimal>();
        StorageCost { lines, missing, total_usd_month }
    }
}

/// A broken gp3 limit or an unusable snapshot policy, naming the figure and the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageProblem {
    #[error("gp3 size {size_gib} GiB: expected a whole number of GiB from {GP3_MIN_GIB} to {GP3_MAX_GIB} (16 TiB)")]
    Gp3Size { size_gib: Decimal },
    #[error("gp3 {iops} IOPS: above the gp3 maximum of {GP3_MAX_IOPS}")]
    Gp3IopsAboveMax { iops: u32 },
    #[error(
        "gp3 {iops} IOPS on {size_gib} GiB: above {GP3_MAX_IOPS_PER_GIB} IOPS per GiB (at most {max_iops} IOPS; \
         {iops} IOPS need at least {needs_gib} GiB)"
    )]
    Gp3IopsPerGib { iops: u32, size_gib: Decimal, max_iops: Decimal, needs_gib: Decimal },
    #[error("gp3 {mbps} MiB/s: above the gp3 maximum of {GP3_MAX_MBPS} MiB/s")]
    Gp3ThroughputAboveMax { mbps: u32 },
    #[error(
        "gp3 {mbps} MiB/s with {iops} IOPS: above 0.25 MiB/s per provisioned IOPS (at most {max_mbps} MiB/s; \
         {mbps} MiB/s need at least {needs_iops} IOPS)"
    )]
    Gp3ThroughputPerIops { mbps: u32, iops: u32, max_mbps: Decimal, needs_iops: Decimal },
    #[error("snapshot volume {gib} GiB: expected zero or more")]
    SnapshotVolume { gib: Decimal },
    #[error("snapshot daily change {pct}%: expected a percentage from 0 to 100")]
    SnapshotChangePct { pct: Decimal },
    #[error("snapshot storage of {gib} GiB × {retention_days} days is too large to compute")]
    SnapshotOverflow { gib: Decimal, retention_days: u32 },
}

/// Every reason a volume or snapshot policy cannot be priced, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    pub problems: Vec<StorageProblem>,
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StorageError {}

impl From<StorageError> for crate::error::Error {
    fn from(e: StorageError) -> Self {
        crate::error::Error::Usage(e.to_string())
    }
}

/// A flat `ebs` price: the override first, then the snapshot (only in its regions); `(price, source)`.
fn ebs_price(
    prices: &ServicePrices,
    region: &str,
    overrides: &BTreeMap<String, Decimal>,
    item: EbsItem,
) -> Option<(Decimal, &'static str)> {
    if let Some(p) = overrides.get(item.override_name) {
        return Some((*p, SOURCE_OVERRIDE));
    }
    prices.flat(region, SERVICE, item.item).map(|p| (p, SOURCE_SNAPSHOT))
}

/// One resolved EBS rate: `(price, source)`, or the message naming the missing price and its override.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rate {
    item: EbsItem,
    price: Result<(Decimal, &'static str), String>,
}

impl Rate {
    fn resolve(prices: &ServicePrices, region: &str, overrides: &BTreeMap<String, Decimal>, item: EbsItem) -> Rate {
        let price = ebs_price(prices, region, overrides, item)
            .ok_or_else(|| missing_message(prices, region, item.describe, item.override_name));
        Rate { item, price }
    }
}

/// The four EBS rates of one region (gp3 storage, IOPS, throughput, standard snapshots), looked up once
/// (override first, then the snapshot) and used for every volume of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EbsRates {
    region: String,
    storage: Rate,
    iops: Rate,
    throughput: Rate,
    snapshot: Rate,
}

impl EbsRates {
    /// `overrides` is the `[prices."REGION"]` table for `region` (names in [`OVERRIDE_NAMES`]; others are
    /// ignored) and beats the snapshot.
    pub fn resolve(prices: &ServicePrices, region: &str, overrides: &BTreeMap<String, Decimal>) -> EbsRates {
        EbsRates {
            region: region.to_owned(),
            storage: Rate::resolve(prices, region, overrides, GP3_STORAGE),
            iops: Rate::resolve(prices, region, overrides, GP3_IOPS),
            throughput: Rate::resolve(prices, region, overrides, GP3_THROUGHPUT),
            snapshot: Rate::resolve(prices, region, overrides, SNAPSHOT_STANDARD),
        }
    }

    /// The line of `quantity` at `rate`, priced when the price is known, else unpriced with its message in
    /// `missing`. `what` describes the quantity for the detail (e.g. `500 GiB`).
    fn line(&self, rate: &Rate, name: &str, quantity: Decimal, what: &str, missing: &mut Vec<String>) -> StorageLine {
        let quantity = quantity.normalize();
        let unit = rate.item.unit;
        match &rate.price {
            Ok((rate, source)) => StorageLine {
                item: name.to_owned(),
                quantity,
                unit: unit.to_owned(),
                unit_usd: Some(*rate),
                usd_month: Some(quantity * rate),
                detail: format!("{what} × ${}/{unit}", display_rate(*rate)),
                source: (*source).to_owned(),
            },
            Err(message) => {
                missing.push(message.clone());
                StorageLine {
                    item: name.to_owned(),
                    quantity,
                    unit: unit.to_owned(),
                    unit_usd: None,
                    usd_month: None,
                    detail: format!("{what} × price unknown in {}", self.region),
                    source: SOURCE_MISSING.to_owned(),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// gp3
// ---------------------------------------------------------------------------------------------------------------

/// One gp3 volume. `iops` and `throughput_mbps` are what the volume must deliver; `None` means the included
/// baseline. A figure at or below the baseline is met by the baseline at no extra cost (AWS never provisions a gp3
/// volume below it): see [`Gp3::provisioned_iops`] and [`Gp3::provisioned_mbps`] for the figures to give AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gp3 {
    /// Whole GiB, [`GP3_MIN_GIB`]–[`GP3_MAX_GIB`].
    pub size_gib: Decimal,
    pub iops: Option<u32>,
    /// MiB/s.
    pub throughput_mbps: Option<u32>,
}

impl Gp3 {
    /// The IOPS to provision: the asked figure, at least [`GP3_BASELINE_IOPS`].
    pub fn provisioned_iops(&self) -> u32 {
        self.iops.unwrap_or(GP3_BASELINE_IOPS).max(GP3_BASELINE_IOPS)
    }

    /// The MiB/s to provision: the asked figure, at least [`GP3_BASELINE_MBPS`].
    pub fn provisioned_mbps(&self) -> u32 {
        self.throughput_mbps.unwrap_or(GP3_BASELINE_MBPS).max(GP3_BASELINE_MBPS)
    }

    /// Every gp3 limit the volume breaks (empty when it is valid), checked on the provisioned figures:
    /// size 1–16384 whole GiB; IOPS ≤ 16,000; IOPS above the 3,000 baseline ≤ 500 × GiB; MiB/s ≤ 1,000;
    /// MiB/s above the 125 baseline ≤ 0.25 × provisioned IOPS.
    pub fn problems(&self) -> Vec<StorageProblem> {
        let mut out = Vec::new();
        let size = self.size_gib;
        let size_ok =
            size >= Decimal::from(GP3_MIN_GIB) && size <= Decimal::from(GP3_MAX_GIB) && size.fract().is_zero();
        if !size_ok {
            out.push(StorageProblem::Gp3Size { size_gib: size.normalize() });
        }
        let iops = self.provisioned_iops();
        if iops > GP3_MAX_IOPS {
            out.push(StorageProblem::Gp3IopsAboveMax { iops });
        }
        let per_gib = Decimal::from(GP3_MAX_IOPS_PER_GIB);
        let max_iops = (size * per_gib).max(Decimal::from(GP3_BASELINE_IOPS));
        if size_ok && Decimal::from(iops) > max_iops {
            let needs_gib = (Decimal::from(iops) / per_gib).ceil();
            out.push(StorageProblem::Gp3IopsPerGib { iops, size_gib: size.normalize(), max_iops, needs_gib });
        }
        let mbps = self.provisioned_mbps();
        if mbps > GP3_MAX_MBPS {
            out.push(StorageProblem::Gp3ThroughputAboveMax { mbps });
        }
        let max_mbps = Decimal::from(iops) * GP3_MAX_MBPS_PER_IOPS;
        if mbps > GP3_BASELINE_MBPS && Decimal::from(mbps) > max_mbps {
            let needs_iops = (Decimal::from(mbps) / GP3_MAX_MBPS_PER_IOPS).ceil();
            out.push(StorageProblem::Gp3ThroughputPerIops { mbps, iops, max_mbps: max_mbps.normalize(), needs_iops });
        }
        out
    }
}

/// One month of a gp3 volume in `region`:
///
/// - storage: `size_gib × $/GB-month` (always a line);
/// - IOPS: `(provisioned IOPS − 3,000) × $/IOPS-month`, a line only above the baseline;
/// - throughput: `(provisioned MiB/s − 125) × $/MBps-month`, a line only above the baseline.
///
/// `overrides` is the `[prices."REGION"]` table for `region` (names in [`OVERRIDE_NAMES`]; others are ignored) and
/// beats the snapshot.
///
/// A volume that breaks a gp3 limit is an error listing every broken limit ([`Gp3::problems`]): AWS would refuse
/// to create it, so any price for it would describe a volume that cannot exist. The caller fixes the figures
/// (e.g. a larger size for more IOPS) rather than reading a cost that hides the problem.
pub fn gp3_lines(
    volume: &Gp3,
    prices: &ServicePrices,
    region: &str,
    overrides: &BTreeMap<String, Decimal>,
) -> Result<StorageCost, StorageError> {
    EbsRates::resolve(prices, region, overrides).gp3_lines(volume)
}

impl EbsRates {
    /// [`gp3_lines`] at these rates.
    pub fn gp3_lines(&self, volume: &Gp3) -> Result<StorageCost, StorageError> {
        let problems = volume.problems();
        if !problems.is_empty() {
            return Err(StorageError { problems });
        }
        let mut missing = Vec::new();
        let mut lines = Vec::new();
        let size = volume.size_gib.normalize();
        lines.push(self.line(&self.storage, "EBS gp3 storage", size, &format!("{size} GiB"), &mut missing));
        let iops = volume.provisioned_iops();
        if iops > GP3_BASELINE_IOPS {
            let extra = iops - GP3_BASELINE_IOPS;
            lines.push(self.line(
                &self.iops,
                "EBS gp3 IOPS above baseline",
                Decimal::from(extra),
                &format!("({iops} IOPS − {GP3_BASELINE_IOPS} included) = {extra} IOPS"),
                &mut missing,
            ));
        }
        let mbps = volume.provisioned_mbps();
        if mbps > GP3_BASELINE_MBPS {
            let extra = mbps - GP3_BASELINE_MBPS;
            lines.push(self.line(
                &self.throughput,
                "EBS gp3 throughput above baseline",
                Decimal::from(extra),
                &format!("({mbps} MiB/s − {GP3_BASELINE_MBPS} included) = {extra} MiB/s"),
                &mut missing,
            ));
        }
        Ok(StorageCost::from_lines(lines, missing))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------------------------

/// Daily snapshots of a volume, each kept `retention_days` days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotPolicy {
    /// Share of the volume's data whose blocks change in one day, 0–100 (a block rewritten twice counts once).
    pub daily_change_pct: Decimal,
    /// How many daily snapshots are kept; 0 = no snapshots.
    pub retention_days: u32,
}

/// The GB a snapshot policy keeps stored: one full copy plus one day's changed blocks for each retained daily
/// snapshot after the first, `volume_gib × (1 + daily_change_pct / 100 × (retention_days − 1))`; 0 when
/// `retention_days` is 0. Errors on a negative volume or a change outside 0–100%.
pub fn snapshot_stored_gib(volume_gib: Decimal, policy: &SnapshotPolicy) -> Result<Decimal, StorageError> {
    let mut problems = Vec::new();
    if volume_gib.is_sign_negative() && !volume_gib.is_zero() {
        problems.push(StorageProblem::SnapshotVolume { gib: volume_gib.normalize() });
    }
    let pct = policy.daily_change_pct;
    if (pct.is_sign_negative() && !pct.is_zero()) || pct > Decimal::ONE_HUNDRED {
        problems.push(StorageProblem::SnapshotChangePct { pct: pct.normalize() });
    }
    if !problems.is_empty() {
        return Err(StorageError { problems });
    }
    if policy.retention_days == 0 {
        return Ok(Decimal::ZERO);
    }
    let increments = Decimal::from(policy.retention_days - 1);
    let overflow = || StorageError {
        problems: vec![StorageProblem::SnapshotOverflow { gib: volume_gib, retention_days: policy.retention_days }],
    };
    let factor = (pct / Decimal::ONE_HUNDRED)
        .checked_mul(increments)
        .and_then(|c| c.checked_add(Decimal::ONE))
        .ok_or_else(overflow)?;
    volume_gib.checked_mul(factor).map(|g| g.normalize()).ok_or_else(overflow)
}

/// One month of daily EBS snapshots of a `volume_gib` volume in `region`, priced at the standard snapshot
/// $/GB-month (override `ebs_snapshot_gib_month`).
///
/// Model: EBS snapshots are incremental, so the first snapshot stores the whole volume and each later one only
/// the blocks changed since the one before; with `retention_days` daily snapshots kept, the store holds one full
/// copy plus `retention_days − 1` days of changes ([`snapshot_stored_gib`]). Deleting the oldest snapshot moves
/// its blocks still in use to the next, so the count stays steady. A snapshot stores only written blocks: pass the
/// data used for a close figure; the provisioned size errs high.
///
/// Retention 0 or a 0 GiB volume gives no line (nothing is stored, no price is needed). Errors as
/// [`snapshot_stored_gib`].
pub fn snapshot_line(
    volume_gib: Decimal,
    policy: &SnapshotPolicy,
    prices: &ServicePrices,
    region: &str,
    overrides: &BTreeMap<String, Decimal>,
) -> Result<StorageCost, StorageError> {
    EbsRates::resolve(prices, region, overrides).snapshot_line(volume_gib, policy)
}

impl EbsRates {
    /// [`snapshot_line`] at these rates.
    pub fn snapshot_line(&self, volume_gib: Decimal, policy: &SnapshotPolicy) -> Result<StorageCost, StorageError> {
        let stored = snapshot_stored_gib(volume_gib, policy)?;
        if stored.is_zero() {
            return Ok(StorageCost::default());
        }
        let gib = volume_gib.normalize();
        let days = policy.retention_days;
        let what = format!(
            "({gib} GiB full + {} day{} × {}% of {gib} GiB changed) = {stored} GB",
            days - 1,
            if days == 2 { "" } else { "s" },
            policy.daily_change_pct.normalize(),
        );
        let mut missing = Vec::new();
        let l = self.line(&self.snapshot, &format!("EBS snapshots ({days} daily kept)"), stored, &what, &mut missing);
        Ok(StorageCost::from_lines(vec![l], missing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::services::{ServiceItem, ServiceRow};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap_or_else(|e| panic!("decimal '{s}': {e}"))
    }

    fn row(item: &str, usd: &str) -> ServiceRow {
        ServiceRow {
            service: "ebs".into(),
            item: item.into(),
            unit: String::new(),
            usd: usd.into(),
            tier_from: String::new(),
            tier_to: String::new(),
            note: String::new(),
            region: String::new(),
        }
    }

    fn prices() -> ServicePrices {
        ServicePrices {
            rows: vec![
                row("gp3 storage", "0.08"),
                row("gp3 iops above 3000 baseline", "0.005"),
                row("gp3 throughput above 125 MBps baseline", "0.04"),
                row("snapshot standard", "0.05"),
            ],
            regions: vec!["us-east-1".into()],
            ..Default::default()
        }
    }

    #[test]
    fn row_names_carry_the_baseline_constants() {
        assert_eq!(GP3_IOPS.item, format!("gp3 iops above {GP3_BASELINE_IOPS} baseline"));
        assert_eq!(GP3_THROUGHPUT.item, format!("gp3 throughput above {GP3_BASELINE_MBPS} MBps baseline"));
        assert_eq!(OVERRIDE_EBS_GP3_GIB_MONTH, ServiceItem::EbsGp3GibMonth.setting_name());
        let mut sorted = OVERRIDE_NAMES;
        sorted.sort_unstable();
        assert_eq!(sorted, OVERRIDE_NAMES);
    }

    #[test]
    fn a_snapshot_with_another_baseline_leaves_the_price_missing() {
        let mut p = prices();
        p.rows[1] = row("gp3 iops above 4000 baseline", "0.005");
        let v = Gp3 { size_gib: d("100"), iops: Some(6000), throughput_mbps: None };
        let c = gp3_lines(&v, &p, "us-east-1", &BTreeMap::new()).expect("valid");
        assert_eq!(c.lines[1].usd_month, None);
        assert!(c.missing[0].contains("ebs_gp3_iops_month"), "{:?}", c.missing);
        assert_eq!(c.total_usd_month, d("8"));
    }

    #[test]
    fn sizing_rounds_up_and_keeps_growth_above_provisioned() {
        let s = size_disk(Some(d("100")), Some(d("95")), DiskBasis::Used, d("20")).expect("sized");
        assert_eq!(s.gib, d("114"));
        assert!(s.note.as_deref().unwrap_or_default().contains("above the 100 GiB provisioned"), "{s:?}");
        let s = size_disk(Some(d("0")), None, DiskBasis::Provisioned, d("0")).expect("sized");
        assert_eq!(s.gib, Decimal::ONE);
        assert_eq!(size_disk(Some(d("-1")), None, DiskBasis::Used, d("20")), None);
    }

    #[test]
    fn snapshot_model() {
        let p = SnapshotPolicy { daily_change_pct: d("2"), retention_days: 7 };
        assert_eq!(snapshot_stored_gib(d("500"), &p).expect("ok"), d("560"));
        let one = SnapshotPolicy { daily_change_pct: d("50"), retention_days: 1 };
        assert_eq!(snapshot_stored_gib(d("500"), &one).expect("ok"), d("500"));
        let all = SnapshotPolicy { daily_change_pct: d("100"), retention_days: 3 };
        assert_eq!(snapshot_stored_gib(d("10"), &all).expect("ok"), d("30"));
        let bad = SnapshotPolicy { daily_change_pct: d("101"), retention_days: 3 };
        assert!(snapshot_stored_gib(d("-1"), &bad).expect_err("bad").problems.len() == 2);
    }

    #[test]
    fn merge_keeps_each_message_once() {
        let v = Gp3 { size_gib: d("10"), iops: None, throughput_mbps: None };
        let a = gp3_lines(&v, &prices(), "eu-west-1", &BTreeMap::new()).expect("valid");
        let b = gp3_lines(&v, &prices(), "eu-west-1", &BTreeMap::new()).expect("valid");
        let m = a.merge(b);
        assert_eq!(m.lines.len(), 2);
        assert_eq!(m.missing.len(), 1);
        assert_eq!(m.total_usd_month, Decimal::ZERO);
    }
}
