//! A refresh's records merged into the snapshot in use, written through the atomic cache writer and read
//! back the way `plan` reads it: fetched prices replace the old ones in the refreshed region only, with
//! their sources; everything not fetched is kept byte for byte.
#![cfg(feature = "refresh")]

use std::str::FromStr;

use chrono::{TimeZone, Utc};
use rocklift::pricing::cache;
use rocklift::pricing::refresh::assemble::{assemble, Fetched, SOURCE_EC2_API, SOURCE_PRICE_LIST, SOURCE_SPOT};
use rocklift::pricing::refresh::records::{
    Ec2Price, Ec2Term, InstanceTypeRecord, Offering, PriceListOs, RockyImage, ServicePrice, SpotAverage,
};
use rocklift::pricing::services::{ServiceItem, ServicePrices};
use rocklift::pricing::{Catalog, PriceOs, RegionPrices, Snapshot, SnapshotOrigin, Term};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("decimal '{s}': {e}"))
}

fn price(t: &str, os: PriceListOs, term: Ec2Term, usd: &str) -> Ec2Price {
    Ec2Price {
        region: "us-east-1".into(),
        instance_type: t.into(),
        os,
        term,
        usd_per_hour: d(usd),
        sku: format!("SKU-{t}"),
    }
}

fn fetched() -> Fetched {
    Fetched {
        regions: vec!["us-east-1".into()],
        ec2_prices: Some(vec![
            price("m5.large", PriceListOs::Linux, Ec2Term::OnDemand, "0.0960000000"),
            price("m5.large", PriceListOs::Linux, Ec2Term::Reserved1y, "0.056393"),
            price("m5.large", PriceListOs::Rhel, Ec2Term::OnDemand, "0.1250000000"),
            price("m7i.large", PriceListOs::Linux, Ec2Term::OnDemand, "0.1109000000"),
        ]),
        service_prices: Some(vec![ServicePrice {
            region: "us-east-1".into(),
            service: "ebs".into(),
            item: "gp3 storage".into(),
            unit: "GB-month".into(),
            usd: d("0.0800000000"),
            tier_from: None,
            tier_to: None,
            note: String::new(),
            sku: "SKU-gp3".into(),
        }]),
        instance_types: Some(vec![InstanceTypeRecord {
            instance_type: "m5.large".into(),
            family: "m5".into(),
            vcpus: 2,
            memory_mib: 8192,
            archs: vec!["x86_64".into()],
            cpu_maker: "Intel".into(),
            clock_ghz: Some(d("3.1")),
            network: "Up to 10 Gigabit".into(),
            ebs_optimized_support: "default".into(),
            cores: Some(1),
            ..Default::default()
        }]),
        offerings: Some(vec![
            Offering { region: "us-east-1".into(), instance_type: "m5.large".into() },
            Offering { region: "us-east-1".into(), instance_type: "m7i.large".into() },
        ]),
        images: Some(vec![RockyImage {
            region: "us-east-1".into(),
            arch: "x86_64".into(),
            os: "rocky9".into(),
            ami_id: "ami-0123456789abcdef0".into(),
            name: "Rocky-9-EC2-Base-9.6-20250531.0.x86_64".into(),
            creation_date: "2025-06-01T00:00:00.000Z".into(),
        }]),
        spot: Some(vec![SpotAverage {
            region: "us-east-1".into(),
            instance_type: "m5.large".into(),
            usd_per_hour: d("0.0412"),
            samples: 6,
        }]),
        spot_window_days: 7,
        warnings: Vec::new(),
    }
}

#[test]
fn refreshed_region_replaced_the_rest_kept_and_readable() {
    let base = Snapshot::embedded().expect("embedded");
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).single().expect("time");
    let (manifest, files) = assemble(&base, &fetched(), now).expect("assembled");
    let root = tempfile::tempdir().expect("tempdir");
    let dir = cache::write_snapshot(root.path(), &manifest, &files, now).expect("written");
    let snap = Snapshot::open(SnapshotOrigin::Cache(dir.clone())).expect("opens");
    snap.verify().expect("verifies");

    // The refreshed region: exactly the fetched prices, everything else of the type unknown.
    let p = RegionPrices::load(&snap, "us-east-1").expect("us-east-1");
    let m5 = p.get("m5.large").expect("m5.large");
    assert_eq!(m5.get(PriceOs::Linux, Term::OnDemand), Some(d("0.096")));
    assert_eq!(m5.get(PriceOs::Linux, Term::Reserved1y), Some(d("0.056393")));
    assert_eq!(m5.get(PriceOs::Linux, Term::Reserved3y), None);
    assert_eq!(m5.get(PriceOs::Rhel, Term::OnDemand), Some(d("0.125")));
    assert_eq!(m5.get(PriceOs::Windows, Term::OnDemand), None);
    assert_eq!(m5.get(PriceOs::Linux, Term::Spot), Some(d("0.0412")));
    assert_eq!(m5.get(PriceOs::Rhel, Term::Spot), None, "the spot history is Linux/UNIX only");
    assert_eq!(m5.source(PriceOs::Linux, Term::OnDemand), SOURCE_PRICE_LIST);
    assert_eq!(m5.source(PriceOs::Rhel, Term::Reserved1y), SOURCE_PRICE_LIST);
    assert_eq!(m5.source(PriceOs::Linux, Term::Spot), SOURCE_SPOT);
    assert_eq!(p.get("m7i.large").and_then(|t| t.get(PriceOs::Linux, Term::OnDemand)), Some(d("0.1109")));
    // A type the API no longer lists has no price left, so it is gone.
    assert!(p.get("c6a.xlarge").is_none());
    assert_eq!(p.len(), 2);

    // Other regions: the same bytes as before.
    for region in ["eu-west-1", "ap-south-1"] {
        let rel = format!("prices/{region}.csv.gz");
        assert_eq!(snap.read_verified(&rel).expect("new"), base.read_verified(&rel).expect("old"), "{rel}");
    }
    let eu = RegionPrices::load(&snap, "eu-west-1").expect("eu-west-1");
    assert_eq!(eu.get("m5.large").map(|t| t.source(PriceOs::Rhel, Term::OnDemand)), Some("vantage"));

    // Services: the fetched row names its region and wins there; the bundled rows still serve us-west-2.
    let s = ServicePrices::load(&snap).expect("services");
    assert_eq!(s.get("us-east-1", ServiceItem::EbsGp3GibMonth), Some(d("0.08")));
    assert_eq!(s.get("us-west-2", ServiceItem::EbsGp3GibMonth), Some(d("0.08")));
    assert_eq!(s.get("eu-west-1", ServiceItem::EbsGp3GibMonth), None);

    // Catalog: the fetched record gives the same row as the bundled one.
    let types_new = String::from_utf8(snap.read("instance-types.csv").expect("types")).expect("utf8");
    let types_old = String::from_utf8(base.read("instance-types.csv").expect("types")).expect("utf8");
    assert_eq!(types_new, types_old, "an unchanged record rewrites the same row");
    Catalog::load(&snap).expect("catalog loads");

    // Images: the new us-east-1 rocky9 x86_64 hint, the others as they were.
    let images = String::from_utf8(snap.read("images.csv").expect("images")).expect("utf8");
    assert!(images.contains("us-east-1,x86_64,rocky9,ami-0123456789abcdef0,2026-12-02 03:00:00"), "{images}");
    assert!(images.contains("us-east-1,arm64,rocky9,"), "{images}");
    assert_eq!(
        images.lines().count(),
        base.read("images.csv").map(|b| b.split(|c| *c == b'\n').count()).unwrap_or(0) - 1
    );

    // Manifest: dated today for the refreshed region, naming the old date for the rest, new sources listed.
    let m = &snap.manifest;
    assert_eq!(m.data_date, "2026-12-02");
    assert!(m.data_date_note.contains("for us-east-1; other regions as of 2026-05-12"), "{}", m.data_date_note);
    for id in [SOURCE_PRICE_LIST, SOURCE_EC2_API, SOURCE_SPOT] {
        assert!(m.source(id).is_some(), "source {id}");
    }
    assert!(m.source("karpenter").is_none(), "karpenter's us-east-1 prices were all replaced");
    assert_eq!(m.regions, base.manifest.regions);
    assert_eq!(m.file("prices/us-east-1.csv.gz").map(|f| f.rows), Some(2));
}

#[test]
fn two_different_prices_for_one_column_are_refused() {
    let base = Snapshot::embedded().expect("embedded");
    let mut f = fetched();
    if let Some(p) = f.ec2_prices.as_mut() {
        p.push(price("m5.large", PriceListOs::Linux, Ec2Term::OnDemand, "0.097"));
    }
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).single().expect("time");
    let e = assemble(&base, &f, now).expect_err("conflict").to_string();
    assert!(e.contains("GetProducts") && e.contains("us-east-1 m5.large Linux") && e.contains("0.097"), "{e}");
}

#[test]
fn the_same_fetch_gives_the_same_bytes() {
    let base = Snapshot::embedded().expect("embedded");
    let now = Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).single().expect("time");
    let (_, a) = assemble(&base, &fetched(), now).expect("a");
    let (_, b) = assemble(&base, &fetched(), now).expect("b");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((&x.path, &x.bytes), (&y.path, &y.bytes));
    }
}
