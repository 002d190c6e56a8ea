//! Every price rocklift can print equals, exactly, the row of the source the manifest names for it in ../shared/data;
//! and pricing-cache/ is exactly what scripts/build-pricing-cache.py makes from that data.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::str::FromStr;

use rocklift::pricing::{PriceOs, RegionPrices, Snapshot, Term};
use rust_decimal::Decimal;

struct SourceRow {
    instance_type: String,
    region: String,
    os: PriceOs,
    od: Decimal,
    spot: Option<Decimal>,
    ri1: Option<Decimal>,
    ri3: Option<Decimal>,
}

fn dec(s: &str) -> Option<Decimal> {
    if s.is_empty() {
        None
    } else {
        Some(Decimal::from_str(s).unwrap_or_else(|e| panic!("source price '{s}': {e}")))
    }
}

fn vantage_rows() -> Vec<SourceRow> {
    let path = common::shared().join("data/aws-ec2-prices.csv.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    rdr.records()
        .map(|r| {
            let r = r.expect("row");
            SourceRow {
                instance_type: r[0].to_owned(),
                region: r[1].to_owned(),
                os: match &r[2] {
                    "linux" => PriceOs::Linux,
                    "rhel" => PriceOs::Rhel,
                    "mswin" => PriceOs::Windows,
                    o => panic!("os {o}"),
                },
                od: dec(&r[3]).expect("on-demand"),
                spot: dec(&r[4]),
                ri1: dec(&r[5]),
                ri3: dec(&r[6]),
            }
        })
        .collect()
}

fn karpenter() -> BTreeMap<String, Decimal> {
    let path = common::shared().join("data/aws-ec2-linux-ondemand-us-east-1-2026-07-20.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rdr.records().map(|r| r.expect("row")).map(|r| (r[0].to_owned(), dec(&r[1]).expect("price"))).collect()
}

/// The price the named source gives for (type, region, os, term).
fn expected(row: &SourceRow, term: Term, source: &str, karp: &BTreeMap<String, Decimal>) -> Option<Decimal> {
    match (source, term) {
        ("karpenter", Term::OnDemand) => {
            assert_eq!(row.region, "us-east-1");
            karp.get(&row.instance_type).copied()
        }
        ("vantage", Term::OnDemand) => Some(row.od),
        // The source repeats on-demand where no spot price was observed: that means "unknown".
        ("vantage", Term::Spot) => row.spot.filter(|s| *s != row.od),
        ("vantage", Term::Reserved1y) => row.ri1,
        ("vantage", Term::Reserved3y) => row.ri3,
        (s, t) => panic!("unexpected source {s} for {t:?}"),
    }
}

#[test]
fn every_snapshot_price_equals_its_source_row() {
    let snap = Snapshot::embedded().expect("embedded snapshot");
    let rows = vantage_rows();
    assert_eq!(rows.len(), 58_664, "shared/data changed: rebuild pricing-cache and this test");
    let karp = karpenter();
    let mut by_region: BTreeMap<&str, Vec<&SourceRow>> = BTreeMap::new();
    for r in &rows {
        by_region.entry(&r.region).or_default().push(r);
    }
    assert_eq!(by_region.len(), 36);
    let mut checked = 0usize;
    let mut from_karpenter = 0usize;
    for (region, rs) in &by_region {
        let book = RegionPrices::load(&snap, region).expect("region prices");
        for r in rs {
            let tp = book.get(&r.instance_type).unwrap_or_else(|| panic!("{} {region} missing", r.instance_type));
            for term in Term::ALL {
                let src = tp.source(r.os, term);
                assert!(snap.manifest.source(src).is_some(), "source {src} not in manifest");
                let want = expected(r, term, src, &karp);
                assert_eq!(tp.get(r.os, term), want, "{} {region} {} {term:?} (source {src})", r.instance_type, r.os);
                if src == "karpenter" && term == Term::OnDemand {
                    from_karpenter += 1;
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 58_664 * 4);
    assert!(from_karpenter > 1000, "us-east-1 linux on-demand should come from the newer karpenter list");
    // Types only in the karpenter list are priced in us-east-1 linux on-demand too, with that exact price.
    let east = RegionPrices::load(&snap, "us-east-1").expect("us-east-1");
    for (t, p) in &karp {
        let tp = east.get(t).unwrap_or_else(|| panic!("{t} missing in us-east-1"));
        assert_eq!(tp.get(PriceOs::Linux, Term::OnDemand), Some(*p), "{t}");
        assert_eq!(tp.source(PriceOs::Linux, Term::OnDemand), "karpenter");
    }
}

/// The same check through the CLI a user runs, on 15 rows of every region (540 rows, all three OSes).
#[test]
fn pricing_show_prints_source_prices() {
    let rows = vantage_rows();
    let karp = karpenter();
    let mut per_region: BTreeMap<&str, Vec<&SourceRow>> = BTreeMap::new();
    for r in rows.iter() {
        per_region.entry(&r.region).or_default().push(r);
    }
    let mut checked = 0;
    let mut oses = BTreeSet::new();
    for (region, rs) in per_region {
        let step = (rs.len() / 15).max(1);
        for r in rs.iter().step_by(step).take(15) {
            let os = r.os.as_str();
            let o = common::run(&["pricing", "show", &r.instance_type, "--region", region, "--os", os, "--json"]);
            assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
            let prices = v["prices"].as_array().expect("prices");
            for p in prices {
                let term: Term = serde_json::from_value(p["term"].clone()).expect("term");
                let src = p["source"].as_str().expect("source");
                let got = p["usd_per_hour"].as_str().map(|s| Decimal::from_str(s).expect("decimal"));
                assert_eq!(got, expected(r, term, src, &karp), "{} {region} {os} {term:?}", r.instance_type);
            }
            oses.insert(os);
            checked += 1;
        }
    }
    assert!(checked >= 500, "checked {checked}");
    assert_eq!(oses.len(), 3);
}

#[test]
fn manifest_names_the_shared_data_files_it_was_built_from() {
    use sha2::{Digest, Sha256};
    let snap = Snapshot::embedded().expect("embedded");
    for s in &snap.manifest.sources {
        let bytes = std::fs::read(common::shared().join("data").join(&s.file)).expect("source file");
        let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, s.sha256, "{} changed since pricing-cache was built", s.file);
    }
    // Every file listed verifies against its sha256 (Snapshot::read checks it).
    for f in &snap.manifest.files {
        snap.read(&f.path).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn pricing_cache_is_reproducible_from_shared_data() {
    let out = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("python3")
        .arg(common::repo().join("scripts/build-pricing-cache.py"))
        .arg(common::shared().join("data"))
        .arg(out.path())
        .status()
        .expect("python3");
    assert!(status.success());
    let snap = Snapshot::embedded().expect("embedded");
    let mut listed: Vec<String> = snap.manifest.files.iter().map(|f| f.path.clone()).collect();
    listed.push("manifest.json".into());
    for rel in listed {
        let built = std::fs::read(out.path().join(&rel)).expect("built file");
        let committed = std::fs::read(common::repo().join("pricing-cache").join(&rel)).expect("committed file");
        assert!(
            built == committed,
            "pricing-cache/{rel} differs from what the script builds: rerun scripts/build-pricing-cache.py"
        );
    }
}

#[test]
fn snapshot_stays_small() {
    let total: u64 = walk(&common::repo().join("pricing-cache"));
    assert!(total <= 2 * 1024 * 1024, "pricing-cache is {total} bytes");
}

fn walk(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p)
            } else {
                std::fs::metadata(&p).expect("meta").len()
            }
        })
        .sum()
}
