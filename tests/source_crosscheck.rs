//! The source cross-check group: what the repository carries, compared with the raw data it came
//! from in the project's shared folder (`../shared`, or `ROCKLIFT_SHARED`; see
//! tests/common/source_data.rs). Every price rocklift can print equals, exactly, the row of the source
//! the manifest names for it; pricing-cache/ is exactly what scripts/build-pricing-cache.py makes from
//! that data; the catalogue and the offered column agree with the raw EC2 API data; the copied real
//! samples in tests/fixtures are byte-identical to theirs; the trimmed provider schema is what
//! scripts/trim-provider-schema.py makes from the full one.
//!
//! Without the shared folder every test here prints one line saying it was skipped and why, and
//! passes; .ci/run runs the group with `ROCKLIFT_REQUIRE_SHARED=1`, where a missing folder fails.
//! These are the only tests that read outside the repository.

mod common;
#[path = "common/source_data.rs"]
mod source_data;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
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

fn vantage_rows(shared: &Path) -> Vec<SourceRow> {
    let text = common::read_gz(&shared.join("data/aws-ec2-prices.csv.gz"));
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

fn karpenter(shared: &Path) -> BTreeMap<String, Decimal> {
    let path = shared.join("data/aws-ec2-linux-ondemand-us-east-1-2026-07-20.csv");
    let mut rdr = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rdr.records().map(|r| r.expect("row")).map(|r| (r[0].to_owned(), dec(&r[1]).expect("price"))).collect()
}

/// The price the named source gives for (type, region, os, term).
fn expected(row: &SourceRow, term: Term, source: &str, karp: &BTreeMap<String, Decimal>) -> Option<Decimal> {
    match (source, term) {
        ("karpenter", Term::OnDemand) => {
            assert_eq!(row.region, "us-east-1");
            karp.get(&row.instance_type).copied().filter(|p| !p.is_zero())
        }
        // The source writes 0 where a type is not sold on demand: unknown, not free (13 rows).
        ("vantage", Term::OnDemand) => Some(row.od).filter(|p| !p.is_zero()),
        // The source repeats on-demand where no spot price was observed: that means "unknown".
        ("vantage", Term::Spot) => row.spot.filter(|s| *s != row.od && !s.is_zero()),
        ("vantage", Term::Reserved1y) => row.ri1.filter(|p| !p.is_zero()),
        ("vantage", Term::Reserved3y) => row.ri3.filter(|p| !p.is_zero()),
        (s, t) => panic!("unexpected source {s} for {t:?}"),
    }
}

/// The Linux rows, by (type, region): the other side of the licence rule.
fn linux_rows(rows: &[SourceRow]) -> BTreeMap<(&str, &str), &SourceRow> {
    rows.iter().filter(|r| r.os == PriceOs::Linux).map(|r| ((r.instance_type.as_str(), r.region.as_str()), r)).collect()
}

/// What the snapshot must give for (row, term), and whether it is derived: the source's price
/// ([`expected`]), with the licence rule of the README ("Pricing data") applied to RHEL and Windows,
/// worked out here from the source rows alone. `data_src` names the source of each price, as the
/// snapshot labels it (each label is itself checked against the manifest and the linux rows).
fn expected_with_rule<'a>(
    row: &SourceRow,
    term: Term,
    linux: Option<&SourceRow>,
    data_src: impl Fn(PriceOs, Term) -> &'a str,
    karp: &BTreeMap<String, Decimal>,
) -> (Option<Decimal>, bool) {
    let own = |t: Term| expected(row, t, data_src(row.os, t), karp);
    let Some(l) = linux.filter(|_| row.os != PriceOs::Linux) else { return (own(term), false) };
    let lin = |t: Term| expected(l, t, data_src(PriceOs::Linux, t), karp);
    // On-demand at or below Linux's: unknown.
    let od = match (own(Term::OnDemand), lin(Term::OnDemand)) {
        (Some(p), Some(q)) if p <= q => None,
        (p, _) => p,
    };
    if term == Term::OnDemand {
        return (od, false);
    }
    match (own(term), lin(term)) {
        // At or below Linux's price of the term: Linux's price + the on-demand licence difference.
        (Some(p), Some(q)) if p <= q => match (od, lin(Term::OnDemand)) {
            (Some(o), Some(lo)) => (Some(q + (o - lo)), true),
            _ => (None, false),
        },
        (p, _) => (p, false),
    }
}

#[test]
fn every_snapshot_price_equals_its_source_row() {
    let Some(shared) = source_data::dir() else { return };
    let snap = Snapshot::embedded().expect("embedded snapshot");
    let rows = vantage_rows(&shared);
    assert_eq!(rows.len(), 58_664, "shared/data changed: rebuild pricing-cache and this test");
    let karp = karpenter(&shared);
    let mut by_region: BTreeMap<&str, Vec<&SourceRow>> = BTreeMap::new();
    for r in &rows {
        by_region.entry(&r.region).or_default().push(r);
    }
    assert_eq!(by_region.len(), 36);
    // u-6tb1.metal linux on-demand in 13 regions: 0 in the source, unknown in rocklift (checked below).
    let zero_od = rows.iter().filter(|r| r.od.is_zero()).count();
    assert_eq!(zero_od, 13, "on-demand rows at 0 in the source");
    let linux = linux_rows(&rows);
    let mut checked = 0usize;
    let mut from_karpenter = 0usize;
    let mut derived_ri = 0usize;
    let mut derived_all = 0usize;
    for (region, rs) in &by_region {
        let book = RegionPrices::load(&snap, region).expect("region prices");
        for r in rs {
            let tp = book.get(&r.instance_type).unwrap_or_else(|| panic!("{} {region} missing", r.instance_type));
            let lin = linux.get(&(r.instance_type.as_str(), *region)).copied();
            for term in Term::ALL {
                let data = tp.data_source(r.os, term);
                assert!(snap.manifest.source(data).is_some(), "source {data} not in manifest");
                let (want, derived) = expected_with_rule(r, term, lin, |o, t| tp.data_source(o, t), &karp);
                let what = format!("{} {region} {} {term:?} (source {})", r.instance_type, r.os, tp.source(r.os, term));
                assert_eq!(tp.get(r.os, term), want, "{what}");
                assert_eq!(tp.source(r.os, term) == "derived", derived, "{what}");
                if derived {
                    derived_all += 1;
                    derived_ri += usize::from(matches!(term, Term::Reserved1y | Term::Reserved3y));
                }
                if data == "karpenter" && term == Term::OnDemand {
                    from_karpenter += 1;
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 58_664 * 4);
    // The review's count: 3,329 Windows reserved rows at or below Linux, each derivable.
    assert_eq!(derived_ri, 3_329, "reserved prices derived by the licence rule");
    assert!(derived_all > derived_ri, "some spot prices are derived too ({derived_all} in all)");
    assert!(from_karpenter > 1000, "us-east-1 linux on-demand should come from the newer karpenter list");
    // Types only in the karpenter list are priced in us-east-1 linux on-demand too, with that exact price.
    let east = RegionPrices::load(&snap, "us-east-1").expect("us-east-1");
    for (t, p) in &karp {
        let tp = east.get(t).unwrap_or_else(|| panic!("{t} missing in us-east-1"));
        assert_eq!(tp.get(PriceOs::Linux, Term::OnDemand), Some(*p).filter(|p| !p.is_zero()), "{t}");
        assert_eq!(tp.source(PriceOs::Linux, Term::OnDemand), "karpenter");
    }
}

/// The same check through the CLI a user runs, on 15 rows of every region (540 rows, all three OSes).
#[test]
fn pricing_show_prints_source_prices() {
    let Some(shared) = source_data::dir() else { return };
    let rows = vantage_rows(&shared);
    let karp = karpenter(&shared);
    let mut per_region: BTreeMap<&str, Vec<&SourceRow>> = BTreeMap::new();
    for r in rows.iter() {
        per_region.entry(&r.region).or_default().push(r);
    }
    let mut checked = 0;
    let mut oses = BTreeSet::new();
    let linux = linux_rows(&rows);
    let snap = Snapshot::embedded().expect("embedded snapshot");
    for (region, rs) in per_region {
        let book = RegionPrices::load(&snap, region).expect("region prices");
        let step = (rs.len() / 15).max(1);
        for r in rs.iter().step_by(step).take(15) {
            let tp = book.get(&r.instance_type).expect("priced");
            let lin = linux.get(&(r.instance_type.as_str(), region)).copied();
            let os = r.os.as_str();
            let o = common::run(&["pricing", "show", &r.instance_type, "--region", region, "--os", os, "--json"]);
            assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
            let prices = v["prices"].as_array().expect("prices");
            for p in prices {
                let term: Term = serde_json::from_value(p["term"].clone()).expect("term");
                let src = p["source"].as_str().expect("source");
                let got = p["usd_per_hour"].as_str().map(|s| Decimal::from_str(s).expect("decimal"));
                let (want, derived) = expected_with_rule(r, term, lin, |o, t| tp.data_source(o, t), &karp);
                assert_eq!(got, want, "{} {region} {os} {term:?}", r.instance_type);
                assert_eq!(src == "derived", derived, "{} {region} {os} {term:?}", r.instance_type);
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
    let Some(shared) = source_data::dir() else { return };
    let snap = Snapshot::embedded().expect("embedded");
    for s in &snap.manifest.sources {
        let folder = match s.location.as_deref() {
            Some("repository:data/") => common::repo().join("data"),
            None => shared.join("data"),
            Some(other) => panic!("{}: unknown location {other}", s.id),
        };
        let bytes = std::fs::read(folder.join(&s.file)).expect("source file");
        let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, s.sha256, "{} changed since pricing-cache was built", s.file);
    }
}

#[test]
fn pricing_cache_is_reproducible_from_shared_data() {
    let Some(shared) = source_data::dir() else { return };
    let out = tempfile::tempdir().expect("tempdir");
    let status = std::process::Command::new("python3")
        .arg(common::repo().join("scripts/build-pricing-cache.py"))
        .arg(shared.join("data"))
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

/// pricing-cache/instance-types.csv against the raw DescribeInstanceTypes data it was built from:
/// the same types, and per type the vCPUs, memory, architectures, bare metal and burstable flags.
/// The current-generation flag follows AWS's documented list (data/ec2-previous-generation.csv), not
/// the raw records: the types where the two disagree are exactly those of the families named here.
#[test]
fn catalogue_agrees_with_the_raw_instance_type_data() {
    let Some(shared) = source_data::dir() else { return };
    let raw: serde_json::Value =
        serde_json::from_str(&common::read_gz(&shared.join("data/aws-ec2-instance-types.json.gz"))).expect("json");
    let raw = raw.as_object().expect("an object keyed by type");
    let csv_text = std::fs::read_to_string(common::repo().join("pricing-cache/instance-types.csv")).expect("catalogue");
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let h = rdr.headers().expect("header").clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name}"));
    let (ty, vcpus, mem, archs, metal, current, burst) = (
        col("instance_type"),
        col("vcpus"),
        col("memory_mib"),
        col("archs"),
        col("bare_metal"),
        col("current_generation"),
        col("burstable"),
    );
    let yes = |v: &serde_json::Value| v.as_bool().unwrap_or(false);
    let list = std::fs::read_to_string(common::repo().join("data/ec2-previous-generation.csv")).expect("list");
    let previous: BTreeSet<&str> = list.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    let mut disagree = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for r in rdr.records() {
        let r = r.expect("row");
        let t = &r[ty];
        let x = raw.get(t).unwrap_or_else(|| panic!("{t}: in the catalogue, not in the raw data"));
        assert_eq!(r[vcpus].parse::<u64>().ok(), x["VCpuInfo"]["DefaultVCpus"].as_u64(), "{t} vcpus");
        assert_eq!(r[mem].parse::<u64>().ok(), x["MemoryInfo"]["SizeInMiB"].as_u64(), "{t} memory");
        let raw_archs: Vec<&str> = x["ProcessorInfo"]["SupportedArchitectures"]
            .as_array()
            .expect("architectures")
            .iter()
            .map(|a| a.as_str().expect("arch"))
            .collect();
        assert_eq!(&r[archs], raw_archs.join(" "), "{t} archs");
        assert_eq!(&r[metal] == "y", yes(&x["BareMetal"]), "{t} bare metal");
        let family = t.split('.').next().expect("family");
        assert_eq!(&r[current] == "y", !previous.contains(family), "{t} current generation");
        if yes(&x["CurrentGeneration"]) != (&r[current] == "y") {
            disagree.insert(family.to_owned());
        }
        assert_eq!(&r[burst] == "y", yes(&x["BurstablePerformanceSupported"]), "{t} burstable");
        seen.insert(t.to_owned());
    }
    let missing: Vec<&String> = raw.keys().filter(|t| !seen.contains(*t)).collect();
    assert!(missing.is_empty(), "in the raw data, not in the catalogue: {missing:?}");
    assert_eq!(seen.len(), 1395, "shared/data changed: rebuild pricing-cache and this test");
    let expected_disagreements = ["c5", "c6gn", "d2", "g5", "m5", "m6i", "p3dn", "r5", "r6i", "r7g", "r7gd"];
    assert_eq!(disagree.iter().map(String::as_str).collect::<Vec<_>>(), expected_disagreements);
}

/// The `offered` column of every region's prices against the raw DescribeInstanceTypeOfferings data:
/// `y` exactly for the types offered there, in the 30 regions that data covers; empty (unknown) in
/// the others.
#[test]
fn offered_column_agrees_with_the_raw_offerings() {
    let Some(shared) = source_data::dir() else { return };
    let raw: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&common::read_gz(&shared.join("data/aws-ec2-offerings-by-region.json.gz"))).expect("json");
    let snap = Snapshot::embedded().expect("embedded");
    let mut compared = 0;
    for region in snap.manifest.regions.iter() {
        let text = common::read_gz(&common::repo().join(format!("pricing-cache/prices/{region}.csv.gz")));
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let h = rdr.headers().expect("header").clone();
        let (t, o) = (
            h.iter().position(|c| c == "instance_type").expect("instance_type"),
            h.iter().position(|c| c == "offered").expect("offered"),
        );
        let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
        let offered: BTreeSet<&str> = rows.iter().filter(|r| &r[o] == "y").map(|r| &r[t]).collect();
        match raw.get(region.as_str()) {
            Some(types) => {
                let expected: BTreeSet<&str> = types.iter().map(String::as_str).collect();
                assert_eq!(offered, expected, "{region}: the offered column vs the raw offerings");
                compared += 1;
            }
            None => assert!(rows.iter().all(|r| r[o].is_empty()), "{region}: no offerings data, yet an offered flag"),
        }
    }
    assert_eq!(compared, 30);
    assert_eq!(raw.len(), 30);
}

/// The real samples copied into tests/fixtures (so the suite runs on a clone alone) are still
/// byte-identical to the project's shared samples, and every shared sample is copied.
#[test]
fn fixture_copies_of_the_real_samples_are_identical() {
    let Some(shared) = source_data::dir() else { return };
    let mut compared = 0;
    for (from, to) in [("samples/slurm", "tests/fixtures/slurm"), ("samples/rvtools", "tests/fixtures/rvtools")] {
        let mut names: Vec<_> = std::fs::read_dir(shared.join(from))
            .unwrap_or_else(|e| panic!("{from}: {e}"))
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        for name in names {
            let original = std::fs::read(shared.join(from).join(&name)).expect("shared sample");
            let copy = common::repo().join(to).join(&name);
            let copied =
                std::fs::read(&copy).unwrap_or_else(|e| panic!("{}: {e} (copy it from {from})", copy.display()));
            assert!(original == copied, "{} differs from {from}/{}", copy.display(), name.to_string_lossy());
            compared += 1;
        }
    }
    assert_eq!(compared, 15);
}

/// tests/fixtures/tf-schema/aws-provider-6.66.0.json is what scripts/trim-provider-schema.py makes from
/// the full provider schema today (so a template's new resource type is not missing from it).
#[test]
fn trimmed_provider_schema_is_reproducible_from_the_full_one() {
    let Some(shared) = source_data::dir() else { return };
    let out = tempfile::tempdir().expect("tempdir");
    let trimmed = out.path().join("schema.json");
    let status = std::process::Command::new("python3")
        .arg(common::repo().join("scripts/trim-provider-schema.py"))
        .arg(shared.join("data/terraform-aws-provider-schema-6.66.0.json.gz"))
        .arg(&trimmed)
        .status()
        .expect("python3");
    assert!(status.success());
    let built = std::fs::read(&trimmed).expect("built");
    let committed =
        std::fs::read(common::repo().join("tests/fixtures/tf-schema/aws-provider-6.66.0.json")).expect("committed");
    assert!(built == committed, "the trimmed schema is out of date: rerun scripts/trim-provider-schema.py");
}
