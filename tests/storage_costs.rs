//! Disk sizing, gp3 storage/IOPS/throughput lines, gp3 limits, snapshot storage, missing prices and overrides,
//! checked against figures worked out by hand from pricing-cache/services.csv.
//!
//! The rows used (us-east-1, also us-east-2 and us-west-2; no EBS prices elsewhere in the snapshot):
//!   ebs,gp3 storage 0.08 $/GB-month; ebs,gp3 iops above 3000 baseline 0.005 $/IOPS-month;
//!   ebs,gp3 throughput above 125 MBps baseline 0.04 $/MBps-month; ebs,snapshot standard 0.05 $/GB-month.

use std::collections::BTreeMap;
use std::str::FromStr;

use proptest::prelude::*;
use rocklift::network::{SOURCE_MISSING, SOURCE_OVERRIDE, SOURCE_SNAPSHOT};
use rocklift::pricing::services::ServicePrices;
use rocklift::pricing::Snapshot;
use rocklift::storage::{
    gp3_lines, size_disk, snapshot_line, DiskBasis, DiskSize, Gp3, SnapshotPolicy, StorageCost, StorageProblem,
    OVERRIDE_NAMES,
};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("decimal '{s}': {e}"))
}

fn prices() -> ServicePrices {
    let snap = Snapshot::embedded().expect("embedded snapshot");
    ServicePrices::load(&snap).expect("services.csv")
}

fn none() -> BTreeMap<String, Decimal> {
    BTreeMap::new()
}

fn overrides(pairs: &[(&str, &str)]) -> BTreeMap<String, Decimal> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), d(v))).collect()
}

fn gp3(size: &str, iops: Option<u32>, mbps: Option<u32>) -> Gp3 {
    Gp3 { size_gib: d(size), iops, throughput_mbps: mbps }
}

fn priced(v: &Gp3, region: &str) -> StorageCost {
    gp3_lines(v, &prices(), region, &none()).expect("valid gp3 volume")
}

fn problems(v: &Gp3) -> Vec<StorageProblem> {
    gp3_lines(v, &prices(), "us-east-1", &none()).expect_err("invalid gp3 volume").problems
}

fn sized(prov: Option<&str>, used: Option<&str>, basis: DiskBasis, growth: &str) -> DiskSize {
    size_disk(prov.map(d), used.map(d), basis, d(growth)).expect("a size")
}

// ---------------------------------------------------------------------------------------------------------------
// Sizing
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn used_basis_adds_growth_and_rounds_up() {
    // 41.3 GiB used × 1.20 = 49.56 → 50 GiB (the 100 GiB provisioned is not used).
    let s = sized(Some("100"), Some("41.3"), DiskBasis::Used, "20");
    assert_eq!(s, DiskSize { gib: d("50"), basis_used: DiskBasis::Used, note: None });
    // 50 × 1.20 = 60 exactly: no rounding.
    assert_eq!(sized(Some("100"), Some("50"), DiskBasis::Used, "20").gib, d("60"));
    // 0.4 × 1.20 = 0.48 → 1 GiB.
    assert_eq!(sized(None, Some("0.4"), DiskBasis::Used, "20").gib, d("1"));
}

#[test]
fn provisioned_basis_rounds_up_without_growth() {
    // 99.2 GiB provisioned → 100 GiB; growth does not apply to the provisioned size.
    let s = sized(Some("99.2"), Some("10"), DiskBasis::Provisioned, "20");
    assert_eq!(s, DiskSize { gib: d("100"), basis_used: DiskBasis::Provisioned, note: None });
}

#[test]
fn used_plus_growth_above_provisioned_is_kept() {
    // 95 GiB used of 100: 95 × 1.20 = 114 GiB > 100 provisioned. Kept: the disk was nearly full.
    let s = sized(Some("100"), Some("95"), DiskBasis::Used, "20");
    assert_eq!(s.gib, d("114"));
    assert_eq!(s.basis_used, DiskBasis::Used);
    let note = s.note.expect("a note");
    assert!(note.contains("114 GiB, above the 100 GiB provisioned"), "{note}");
}

#[test]
fn negative_growth_never_sizes_below_used() {
    // 50 × (1 − 0.10) = 45 < 50 used: stays 50.
    let s = sized(None, Some("50"), DiskBasis::Used, "-10");
    assert_eq!(s.gib, d("50"));
    assert!(s.note.expect("a note").contains("growth -10% ignored"));
}

#[test]
fn falls_back_to_the_known_size() {
    // Used asked, used unknown: provisioned 80.5 → 81 GiB.
    let s = sized(Some("80.5"), None, DiskBasis::Used, "20");
    assert_eq!((s.gib, s.basis_used), (d("81"), DiskBasis::Provisioned));
    assert!(s.note.expect("a note").contains("used size unknown"));
    // Provisioned asked, provisioned unknown: used 10 × 1.20 = 12 GiB.
    let s = sized(None, Some("10"), DiskBasis::Provisioned, "20");
    assert_eq!((s.gib, s.basis_used), (d("12"), DiskBasis::Used));
    assert!(s.note.expect("a note").contains("provisioned size unknown"));
    // A negative size counts as unknown.
    let s = sized(Some("-5"), Some("10"), DiskBasis::Provisioned, "0");
    assert_eq!((s.gib, s.basis_used), (d("10"), DiskBasis::Used));
    // Neither known.
    assert_eq!(size_disk(None, None, DiskBasis::Used, d("20")), None);
    assert_eq!(size_disk(None, None, DiskBasis::Provisioned, d("20")), None);
}

#[test]
fn an_empty_disk_gets_the_smallest_volume() {
    assert_eq!(sized(Some("0"), None, DiskBasis::Provisioned, "0").gib, d("1"));
    assert_eq!(sized(None, Some("0"), DiskBasis::Used, "20").gib, d("1"));
}

// ---------------------------------------------------------------------------------------------------------------
// gp3
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn gp3_at_baseline_is_storage_only() {
    // 500 GiB × 0.08 = 40.00; 3000 IOPS and 125 MiB/s are included.
    for v in [gp3("500", None, None), gp3("500", Some(3000), Some(125))] {
        let c = priced(&v, "us-east-1");
        assert_eq!(c.lines.len(), 1, "{c:?}");
        let l = &c.lines[0];
        assert_eq!((l.quantity, l.unit.as_str(), l.usd_month), (d("500"), "GB-month", Some(d("40.00"))));
        assert_eq!(l.detail, "500 GiB × $0.08/GB-month");
        assert_eq!(l.source, SOURCE_SNAPSHOT);
        assert!(c.missing.is_empty());
        assert_eq!(c.total_usd_month, d("40.00"));
    }
}

#[test]
fn gp3_extra_iops_and_throughput() {
    // 6000 IOPS: (6000 − 3000) × 0.005 = 15.00 on top of 40.00 → 55.00.
    let c = priced(&gp3("500", Some(6000), None), "us-east-1");
    assert_eq!(c.lines.len(), 2);
    assert_eq!((c.lines[1].quantity, c.lines[1].usd_month), (d("3000"), Some(d("15.00"))));
    assert_eq!(c.lines[1].unit, "IOPS-month");
    assert_eq!(c.total_usd_month, d("55.00"));
    // 250 MiB/s: (250 − 125) × 0.04 = 5.00 → 45.00.
    let c = priced(&gp3("500", None, Some(250)), "us-east-1");
    assert_eq!(c.lines.len(), 2);
    assert_eq!((c.lines[1].quantity, c.lines[1].usd_month), (d("125"), Some(d("5.00"))));
    assert_eq!(c.lines[1].unit, "MBps-month");
    assert_eq!(c.total_usd_month, d("45.00"));
    // Both: 40 + 15 + 5 = 60.00.
    let c = priced(&gp3("500", Some(6000), Some(250)), "us-east-1");
    assert_eq!(
        c.lines.iter().map(|l| l.item.as_str()).collect::<Vec<_>>(),
        ["EBS gp3 storage", "EBS gp3 IOPS above baseline", "EBS gp3 throughput above baseline"]
    );
    assert_eq!(c.total_usd_month, d("60.00"));
    // Top of the range: 16000 IOPS on 32 GiB (= 500 × 32), 1000 MiB/s (≤ 0.25 × 16000):
    // 32 × 0.08 = 2.56; 13000 × 0.005 = 65; 875 × 0.04 = 35 → 102.56.
    assert_eq!(priced(&gp3("32", Some(16000), Some(1000)), "us-east-1").total_usd_month, d("102.56"));
}

#[test]
fn needs_below_the_baseline_are_met_by_it() {
    // 600 IOPS and 100 MiB/s on 1 GiB: the volume gets the 3000 IOPS / 125 MiB/s every gp3 volume has, free; AWS
    // allows 3000 IOPS on any size (the 500 IOPS/GiB ratio only limits IOPS above the baseline). 1 × 0.08 = 0.08.
    let v = gp3("1", Some(600), Some(100));
    assert_eq!((v.provisioned_iops(), v.provisioned_mbps()), (3000, 125));
    let c = priced(&v, "us-east-1");
    assert_eq!(c.lines.len(), 1);
    assert_eq!(c.total_usd_month, d("0.08"));
}

#[test]
fn gp3_limits() {
    // 16001 IOPS > 16000 (100 GiB allows 50000 by ratio, so only the maximum is broken).
    assert_eq!(problems(&gp3("100", Some(16001), None)), [StorageProblem::Gp3IopsAboveMax { iops: 16001 }]);
    // 6000 IOPS on 11 GiB: at most 500 × 11 = 5500; needs 6000 / 500 = 12 GiB (12 GiB is fine).
    assert_eq!(
        problems(&gp3("11", Some(6000), None)),
        [StorageProblem::Gp3IopsPerGib { iops: 6000, size_gib: d("11"), max_iops: d("5500"), needs_gib: d("12") }]
    );
    assert!(gp3_lines(&gp3("12", Some(6000), None), &prices(), "us-east-1", &none()).is_ok());
    // 3001 IOPS on 1 GiB: above the baseline, so the ratio applies: at most max(500 × 1, 3000) = 3000.
    assert!(matches!(problems(&gp3("1", Some(3001), None))[..], [StorageProblem::Gp3IopsPerGib { .. }]));
    // 1001 MiB/s > 1000 (16000 IOPS allow 4000 by ratio).
    assert_eq!(problems(&gp3("100", Some(16000), Some(1001))), [StorageProblem::Gp3ThroughputAboveMax { mbps: 1001 }]);
    // 751 MiB/s at the 3000 baseline IOPS: at most 0.25 × 3000 = 750; needs 751 / 0.25 = 3004 IOPS.
    assert_eq!(
        problems(&gp3("100", None, Some(751))),
        [StorageProblem::Gp3ThroughputPerIops { mbps: 751, iops: 3000, max_mbps: d("750"), needs_iops: d("3004") }]
    );
    assert!(gp3_lines(&gp3("100", Some(3004), Some(751)), &prices(), "us-east-1", &none()).is_ok());
    // 1000 MiB/s needs 4000 IOPS, which need 8 GiB: the smallest volume at full throughput.
    assert!(gp3_lines(&gp3("8", Some(4000), Some(1000)), &prices(), "us-east-1", &none()).is_ok());
    // Sizes: whole GiB from 1 to 16384.
    for s in ["0", "16385", "10.5", "-1"] {
        assert!(matches!(problems(&gp3(s, None, None))[..], [StorageProblem::Gp3Size { .. }]), "{s}");
    }
    assert!(gp3_lines(&gp3("16384", None, None), &prices(), "us-east-1", &none()).is_ok());
}

#[test]
fn every_broken_limit_is_reported_at_once() {
    let e = gp3_lines(&gp3("10", Some(20000), Some(1200)), &prices(), "us-east-1", &none()).expect_err("invalid");
    // 20000 > 16000; 20000 > 500 × 10 = 5000; 1200 > 1000 (0.25 × 20000 = 5000, so the ratio holds).
    assert_eq!(e.problems.len(), 3, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("gp3 20000 IOPS: above the gp3 maximum of 16000"), "{msg}");
    assert!(msg.contains("above 500 IOPS per GiB (at most 5000 IOPS; 20000 IOPS need at least 40 GiB)"), "{msg}");
    assert!(msg.contains("gp3 1200 MiB/s: above the gp3 maximum of 1000 MiB/s"), "{msg}");
}

// ---------------------------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn snapshots_one_full_copy_plus_daily_changes() {
    // 500 GiB, 2%/day, 7 daily snapshots: 500 × (1 + 0.02 × 6) = 560 GB × 0.05 = 28.00.
    let p = SnapshotPolicy { daily_change_pct: d("2"), retention_days: 7 };
    let c = snapshot_line(d("500"), &p, &prices(), "us-east-1", &none()).expect("valid");
    assert_eq!(c.lines.len(), 1);
    let l = &c.lines[0];
    assert_eq!((l.quantity, l.unit.as_str(), l.usd_month), (d("560"), "GB-month", Some(d("28.00"))));
    assert_eq!(l.detail, "(500 GiB full + 6 days × 2% of 500 GiB changed) = 560 GB × $0.05/GB-month");
    assert_eq!(c.total_usd_month, d("28.00"));
    // One snapshot kept: the full copy only, 500 × 0.05 = 25.00.
    let p = SnapshotPolicy { daily_change_pct: d("2"), retention_days: 1 };
    assert_eq!(snapshot_line(d("500"), &p, &prices(), "us-east-1", &none()).expect("valid").total_usd_month, d("25"));
    // 30 days of 0.5%: 200 × (1 + 0.005 × 29) = 229 GB × 0.05 = 11.45.
    let p = SnapshotPolicy { daily_change_pct: d("0.5"), retention_days: 30 };
    assert_eq!(
        snapshot_line(d("200"), &p, &prices(), "us-east-1", &none()).expect("valid").total_usd_month,
        d("11.45")
    );
}

#[test]
fn no_retention_no_line() {
    let p = SnapshotPolicy { daily_change_pct: d("2"), retention_days: 0 };
    // Even where the price is missing: nothing is stored, so nothing needs a price.
    for region in ["us-east-1", "eu-west-1"] {
        let c = snapshot_line(d("500"), &p, &prices(), region, &none()).expect("valid");
        assert_eq!(c, StorageCost::default());
    }
}

#[test]
fn bad_snapshot_policies() {
    let bad = SnapshotPolicy { daily_change_pct: d("-1"), retention_days: 7 };
    let e = snapshot_line(d("500"), &bad, &prices(), "us-east-1", &none()).expect_err("bad");
    assert_eq!(e.problems, [StorageProblem::SnapshotChangePct { pct: d("-1") }]);
    let bad = SnapshotPolicy { daily_change_pct: d("100.5"), retention_days: 7 };
    assert!(snapshot_line(d("500"), &bad, &prices(), "us-east-1", &none()).is_err());
}

// ---------------------------------------------------------------------------------------------------------------
// Missing prices and overrides
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn eu_west_1_is_missing_with_the_fix_named() {
    let v = gp3("500", Some(6000), Some(250));
    let c = priced(&v, "eu-west-1");
    assert_eq!(c.lines.len(), 3);
    assert!(c.lines.iter().all(|l| l.usd_month.is_none() && l.source == SOURCE_MISSING), "{c:?}");
    assert_eq!(c.lines[0].quantity, d("500"), "quantities are kept even when unpriced");
    assert_eq!(c.total_usd_month, Decimal::ZERO);
    assert_eq!(c.missing.len(), 3);
    for (m, name) in c.missing.iter().zip(["ebs_gp3_gib_month", "ebs_gp3_iops_month", "ebs_gp3_mbps_month"]) {
        assert!(m.contains("eu-west-1"), "{m}");
        assert!(m.contains(&format!("[prices.\"eu-west-1\"] {name} = \"PRICE\" override in rocklift.toml")), "{m}");
        assert!(m.contains("us-east-1, us-east-2, us-west-2"), "{m}");
    }
    let p = SnapshotPolicy { daily_change_pct: d("2"), retention_days: 7 };
    let s = snapshot_line(d("500"), &p, &prices(), "eu-west-1", &none()).expect("valid");
    assert_eq!((s.lines[0].quantity, s.lines[0].usd_month), (d("560"), None));
    assert!(s.missing[0].contains("[prices.\"eu-west-1\"] ebs_snapshot_gib_month = \"PRICE\""), "{:?}", s.missing);
}

#[test]
fn overrides_fill_the_gaps_and_beat_the_snapshot() {
    let v = gp3("500", Some(6000), Some(250));
    // Storage only: 500 × 0.088 = 44.00; IOPS and throughput still missing.
    let o = overrides(&[("ebs_gp3_gib_month", "0.088")]);
    let c = gp3_lines(&v, &prices(), "eu-west-1", &o).expect("valid");
    assert_eq!(c.total_usd_month, d("44.000"));
    assert_eq!(c.lines[0].source, SOURCE_OVERRIDE);
    assert_eq!(c.missing.len(), 2);
    // All three: 44.00 + 3000 × 0.0055 = 16.50 + 125 × 0.044 = 5.50 → 66.00.
    let o = overrides(&[
        ("ebs_gp3_gib_month", "0.088"),
        ("ebs_gp3_iops_month", "0.0055"),
        ("ebs_gp3_mbps_month", "0.044"),
        ("inter_az_gb", "0.02"), // another module's name: ignored
    ]);
    let c = gp3_lines(&v, &prices(), "eu-west-1", &o).expect("valid");
    assert!(c.missing.is_empty());
    assert_eq!(c.total_usd_month, d("66.00"));
    // Snapshots: 560 GB × 0.055 = 30.80.
    let p = SnapshotPolicy { daily_change_pct: d("2"), retention_days: 7 };
    let o = overrides(&[("ebs_snapshot_gib_month", "0.055")]);
    assert_eq!(snapshot_line(d("500"), &p, &prices(), "eu-west-1", &o).expect("valid").total_usd_month, d("30.80"));
    // In us-east-1 the override wins over the snapshot's 0.08: 500 × 0.07 = 35.00 + 15.00 + 5.00 = 55.00.
    let o = overrides(&[("ebs_gp3_gib_month", "0.07")]);
    let c = gp3_lines(&v, &prices(), "us-east-1", &o).expect("valid");
    assert_eq!(c.total_usd_month, d("55.00"));
    assert_eq!(
        c.lines.iter().map(|l| l.source.as_str()).collect::<Vec<_>>(),
        [SOURCE_OVERRIDE, SOURCE_SNAPSHOT, SOURCE_SNAPSHOT]
    );
    assert_eq!(
        OVERRIDE_NAMES,
        ["ebs_gp3_gib_month", "ebs_gp3_iops_month", "ebs_gp3_mbps_month", "ebs_snapshot_gib_month"]
    );
}

#[test]
fn a_volume_and_its_snapshots_merge() {
    // 40.00 + 28.00 = 68.00.
    let p = SnapshotPolicy { daily_change_pct: d("2"), retention_days: 7 };
    let v = priced(&gp3("500", None, None), "us-east-1");
    let s = snapshot_line(d("500"), &p, &prices(), "us-east-1", &none()).expect("valid");
    let c = v.merge(s);
    assert_eq!(c.lines.len(), 2);
    assert_eq!(c.total_usd_month, d("68.00"));
}

// ---------------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------------

fn cost(v: &Gp3, p: &ServicePrices) -> Option<Decimal> {
    gp3_lines(v, p, "us-east-1", &none()).ok().map(|c| c.total_usd_month)
}

fn snap_cost(gib: Decimal, pct: Decimal, days: u32, p: &ServicePrices) -> Decimal {
    let policy = SnapshotPolicy { daily_change_pct: pct, retention_days: days };
    snapshot_line(gib, &policy, p, "us-east-1", &none()).expect("valid policy").total_usd_month
}

/// A percentage 0–100 in hundredths.
fn pct() -> impl Strategy<Value = Decimal> {
    (0i64..=10_000).prop_map(|h| Decimal::new(h, 2))
}

/// GiB with up to 2 decimals, up to 100 TiB.
fn gib() -> impl Strategy<Value = Decimal> {
    (0i64..=10_240_000_000).prop_map(|h| Decimal::new(h, 2))
}

proptest! {
    #[test]
    fn gp3_cost_never_falls_as_size_iops_or_throughput_rise(
        size in 1u32..=16_384, more_size in 0u32..=16_384,
        iops in proptest::option::of(0u32..=16_000), more_iops in 0u32..=16_000,
        mbps in proptest::option::of(0u32..=1000), more_mbps in 0u32..=1000,
    ) {
        let p = prices();
        let base = Gp3 { size_gib: Decimal::from(size), iops, throughput_mbps: mbps };
        let lo = cost(&base, &p);
        prop_assume!(lo.is_some());
        let lo = lo.unwrap_or_default();
        let bigger = [
            Gp3 { size_gib: Decimal::from((size + more_size).min(16_384)), ..base.clone() },
            Gp3 { iops: Some(iops.unwrap_or(0).saturating_add(more_iops)), ..base.clone() },
            Gp3 { throughput_mbps: Some(mbps.unwrap_or(0).saturating_add(more_mbps)), ..base.clone() },
        ];
        for b in &bigger {
            // A larger figure may break a limit (then there is no cost to compare); when valid it costs no less.
            if let Some(hi) = cost(b, &p) {
                prop_assert!(lo <= hi, "{base:?} costs {lo} > {b:?} costs {hi}");
            }
        }
    }

    #[test]
    fn snapshot_cost_never_falls_as_size_change_or_retention_rise(
        g in gib(), more_g in gib(), c in pct(), more_c in pct(), days in 0u32..400, more_days in 0u32..400,
    ) {
        let p = prices();
        let lo = snap_cost(g, c, days, &p);
        let c_hi = (c + more_c).min(Decimal::ONE_HUNDRED);
        prop_assert!(lo <= snap_cost(g + more_g, c, days, &p));
        prop_assert!(lo <= snap_cost(g, c_hi, days, &p));
        prop_assert!(lo <= snap_cost(g, c, days + more_days, &p));
    }

    #[test]
    fn lines_sum_to_total(
        size in 1u32..=16_384,
        iops in proptest::option::of(0u32..=16_000),
        mbps in proptest::option::of(0u32..=1000),
        g in gib(), c in pct(), days in 0u32..400,
        region in prop::sample::select(vec!["us-east-1", "us-west-2", "eu-west-1"]),
        gib_override in proptest::option::of(0i64..200),
        snap_override in proptest::option::of(0i64..200),
    ) {
        let p = prices();
        let mut o = none();
        if let Some(x) = gib_override { o.insert("ebs_gp3_gib_month".into(), Decimal::new(x, 3)); }
        if let Some(x) = snap_override { o.insert("ebs_snapshot_gib_month".into(), Decimal::new(x, 3)); }
        let v = Gp3 { size_gib: Decimal::from(size), iops, throughput_mbps: mbps };
        let Ok(vol) = gp3_lines(&v, &p, region, &o) else { return Ok(()) };
        let policy = SnapshotPolicy { daily_change_pct: c, retention_days: days };
        let snaps = snapshot_line(g, &policy, &p, region, &o).expect("valid policy");
        for cost in [&vol, &snaps, &vol.clone().merge(snaps.clone())] {
            let sum: Decimal = cost.lines.iter().filter_map(|l| l.usd_month).sum();
            prop_assert_eq!(sum, cost.total_usd_month);
            let unpriced = cost.lines.iter().filter(|l| l.usd_month.is_none()).count();
            prop_assert_eq!(unpriced, cost.missing.len(), "one message per unpriced line: {:?}", cost);
            prop_assert!(cost.lines.iter().all(|l| !l.quantity.is_sign_negative()));
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Volumes of a planned server (estimate::plan_volumes): the inventory's IOPS / throughput columns and --disk.
// ---------------------------------------------------------------------------------------------------------------

use rocklift::estimate::plan_volumes;
use rocklift::plan::{Volume, VolumeRole};
use rocklift::settings::StorageSettings;

fn planned(
    prov: Option<&str>,
    used: Option<&str>,
    iops: Option<u32>,
    mbps: Option<u32>,
    st: &StorageSettings,
) -> (Vec<Volume>, Vec<String>) {
    let mut notes = Vec::new();
    let v = plan_volumes(prov.map(d), used.map(d), iops, mbps, d("20"), st, &mut notes);
    (v, notes)
}

fn sizes(v: &[Volume]) -> Vec<(VolumeRole, Decimal, Option<u32>, Option<u32>)> {
    v.iter().map(|v| (v.role, v.size_gib, v.iops, v.throughput_mbps)).collect()
}

#[test]
fn iops_and_throughput_go_on_the_data_volume_only_above_baseline() {
    let st = StorageSettings::default();
    let (v, notes) = planned(Some("1000"), None, Some(8000), Some(250), &st);
    assert_eq!(
        sizes(&v),
        [(VolumeRole::Root, d("20"), None, None), (VolumeRole::Data, d("980"), Some(8000), Some(250))]
    );
    assert!(notes.is_empty(), "{notes:?}");
    // At or below the baseline: nothing to provision.
    let (v, _) = planned(Some("1000"), None, Some(3000), Some(125), &st);
    assert_eq!(sizes(&v)[1], (VolumeRole::Data, d("980"), None, None));
    // No data volume: the root volume gets them.
    let (v, _) = planned(Some("20"), None, Some(4000), None, &st);
    assert_eq!(sizes(&v), [(VolumeRole::Root, d("20"), Some(4000), None)]);
}

#[test]
fn gp3_rules_raise_iops_and_size_never_below_the_need() {
    let st = StorageSettings::default();
    // 1000 MiB/s needs 4000 IOPS (0.25 MiB/s per IOPS); 4000 IOPS on a 5 GiB data volume need 8 GiB (500 per GiB).
    let (v, notes) = planned(Some("25"), None, None, Some(1000), &st);
    assert_eq!(sizes(&v)[1], (VolumeRole::Data, d("8"), Some(4000), Some(1000)));
    assert_eq!(
        notes,
        [
            "disk IOPS raised from 3000 to 4000: gp3 gives at most 0.25 MiB/s per IOPS",
            "data volume raised from 5 GiB to 8 GiB: gp3 gives at most 500 IOPS per GiB",
        ]
    );
    // Above the gp3 maxima: capped, and the note says the need is not met.
    let (v, notes) = planned(Some("500"), None, Some(20000), Some(1200), &st);
    assert_eq!(sizes(&v)[1], (VolumeRole::Data, d("480"), Some(16000), Some(1000)));
    assert!(notes.iter().any(|n| n.contains("1200 MiB/s is above the gp3 maximum of 1000 MiB/s")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("20000 IOPS is above the gp3 maximum of 16000")), "{notes:?}");
}

#[test]
fn used_disk_basis_adds_growth_and_big_disks_split_at_16_tib() {
    let st = StorageSettings { disk: DiskBasis::Used, ..StorageSettings::default() };
    // 1450 GiB used + 20% = 1740 GiB: 20 root + 1720 data.
    let (v, _) = planned(Some("2000"), Some("1450"), None, None, &st);
    assert_eq!(sizes(&v), [(VolumeRole::Root, d("20"), None, None), (VolumeRole::Data, d("1720"), None, None)]);
    // 40,000 GiB provisioned: 39,980 GiB of data in 16,384 + 16,384 + 7,212.
    let (v, _) = planned(Some("40000"), None, None, None, &StorageSettings::default());
    let data: Vec<Decimal> = v.iter().filter(|v| v.role == VolumeRole::Data).map(|v| v.size_gib).collect();
    assert_eq!(data, [d("16384"), d("16384"), d("7212")]);
}
