//! Current versus previous generation follows AWS's documented list (data/ec2-previous-generation.csv,
//! src/pricing/generation.rs), not the bundled DescribeInstanceTypes records: the families the review
//! named are current, the old ones previous, and a GPU server that needs A10Gs is placed on g5 again.
//! Expected placements are worked out here from the committed catalogue and price files.

mod common;

use std::collections::BTreeMap;
use std::str::FromStr;

use rocklift::pricing::generation::is_previous_generation;
use rocklift::pricing::{Catalog, Snapshot};
use rust_decimal::Decimal;

const CURRENT: [&str; 9] = ["m5", "c5", "r5", "m6i", "r6i", "r7g", "r7gd", "c6gn", "g5"];
const PREVIOUS: [&str; 15] = ["m1", "m2", "m3", "m4", "c1", "c3", "c4", "r3", "r4", "t1", "i2", "g2", "g3", "p2", "p3"];

#[test]
fn the_named_families_are_current_and_the_old_ones_previous() {
    let catalog = Catalog::load(&Snapshot::embedded().expect("embedded")).expect("catalog");
    let types_of = |family: &str| catalog.iter().filter(|s| s.family == family).collect::<Vec<_>>();
    for family in CURRENT {
        assert!(!is_previous_generation(family), "{family}");
        let types = types_of(family);
        assert!(!types.is_empty(), "{family}: no type in the catalogue");
        for s in types {
            assert!(s.current_generation, "{} is marked previous generation", s.instance_type);
        }
    }
    let mut in_catalogue = 0;
    for family in PREVIOUS {
        assert!(is_previous_generation(family), "{family}");
        for s in types_of(family) {
            assert!(!s.current_generation, "{} is marked current generation", s.instance_type);
            in_catalogue += 1;
        }
    }
    assert!(in_catalogue >= 40, "only {in_catalogue} previous-generation types in the catalogue");
    // Families AWS does not list stay current even where the bundled records said otherwise.
    for t in ["d2.xlarge", "x1.16xlarge", "t2.micro", "m5a.large"] {
        assert!(catalog.get(t).expect(t).current_generation, "{t}");
    }
}

#[test]
fn pricing_show_says_previous_generation_only_for_listed_families() {
    for (t, previous) in [("m5.large", false), ("g5.xlarge", false), ("m4.large", true), ("c4.large", true)] {
        let o = common::run(&["pricing", "show", t, "--region", "us-east-1"]);
        assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
        let first = common::stdout(&o).lines().next().unwrap_or_default().to_owned();
        assert_eq!(first.ends_with(", previous generation"), previous, "{first}");
    }
}

/// The committed catalogue rows rocklift may place on by default (current generation, not bare
/// metal), by type: (vcpus, memory MiB, gpus, gpu model).
fn catalogue_rows() -> BTreeMap<String, (u32, u64, u32, String)> {
    let text = std::fs::read_to_string(common::repo().join("pricing-cache/instance-types.csv")).expect("catalogue");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut out = BTreeMap::new();
    for r in rdr.deserialize::<BTreeMap<String, String>>() {
        let r = r.expect("row");
        if r["current_generation"] != "y" || r["bare_metal"] == "y" {
            continue;
        }
        let n = |c: &str| r[c].parse::<u64>().expect(c);
        out.insert(
            r["instance_type"].clone(),
            (n("vcpus") as u32, n("memory_mib"), n("gpus") as u32, r["gpu_model"].clone()),
        );
    }
    out
}

/// The cheapest of those offered in eu-west-1 with at least 64 vCPUs, 256 GiB and 2
/// GPUs (of the model, if given), by the Linux on-demand price of the committed price file.
fn cheapest_fit(model: Option<&str>) -> (String, Decimal) {
    let prices = common::snapshot_prices("eu-west-1");
    catalogue_rows()
        .into_iter()
        .filter(|(_, (v, m, g, gm))| *v >= 64 && *m >= 256 * 1024 && *g >= 2 && model.is_none_or(|x| gm.contains(x)))
        .filter_map(|(t, _)| {
            let row = prices.get(&t)?;
            if row["offered"] != "y" || row["linux_od"].is_empty() {
                return None;
            }
            Some((t, Decimal::from_str(&row["linux_od"]).expect("price")))
        })
        .min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .expect("a fitting type")
}

#[test]
fn a_64_vcpu_two_gpu_server_in_eu_west_1_lands_on_g5_not_p4d() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("gpu.csv");
    std::fs::write(
        &inv,
        "name,cpus,memory_gib,os,gpus,gpu_model\nany-gpu,64,256,Rocky Linux 9,2,\na10g,64,256,Rocky Linux 9,2,A10G\n",
    )
    .expect("write");
    let o = common::run(&["plan", inv.to_str().expect("utf8"), "--region", "eu-west-1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let p4d = Decimal::from_str(&common::snapshot_prices("eu-west-1")["p4d.24xlarge"]["linux_od"]).expect("p4d");
    for (i, model) in [None, Some("A10G")].into_iter().enumerate() {
        let (expected, hourly) = cheapest_fit(model);
        assert_eq!(expected, "g5.24xlarge", "the data changed: {model:?}");
        let s = &v["servers"][i];
        assert_eq!(s["placement"]["instance_type"], expected.as_str(), "{model:?}");
        let monthly = Decimal::from_str(s["monthly_usd"].as_str().expect("monthly")).expect("decimal");
        assert_eq!(monthly, hourly * Decimal::from(730), "{model:?}");
        assert!(monthly * Decimal::from(2) < p4d * Decimal::from(730), "{model:?}: g5 is under half of p4d");
    }
}
