//! The pricing rules every snapshot obeys once read (src/pricing/sanity.rs, README "Pricing data"),
//! checked over the whole embedded snapshot, and one concrete case worked out from the committed
//! snapshot file's own cells: a licence-included OS (RHEL, Windows) never costs less than Linux on
//! the same term; a price is never 0.

mod common;

use std::collections::BTreeMap;
use std::str::FromStr;

use rocklift::pricing::{PriceOs, RegionPrices, Snapshot, Term};
use rust_decimal::Decimal;

#[test]
fn licensed_prices_are_above_linux_and_none_is_zero_in_every_region() {
    let snap = Snapshot::embedded().expect("embedded");
    let (mut compared, mut derived) = (0usize, 0usize);
    for region in &snap.manifest.regions {
        let book = RegionPrices::load(&snap, region).expect("region");
        for (t, tp) in book.iter() {
            for os in PriceOs::ALL {
                for term in Term::ALL {
                    if let Some(p) = tp.get(os, term) {
                        assert!(p > Decimal::ZERO, "{t} {region} {os} {term:?}: {p}");
                    }
                    if os == PriceOs::Linux {
                        continue;
                    }
                    derived += usize::from(tp.is_derived(os, term));
                    if let (Some(p), Some(l)) = (tp.get(os, term), tp.get(PriceOs::Linux, term)) {
                        assert!(p > l, "{t} {region}: {os} {term:?} {p} is not above linux {l}");
                        compared += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 50_000, "only {compared} licensed prices compared");
    assert!(derived >= 3_329, "only {derived} prices derived");
}

/// The cells of one row of the committed `pricing-cache/prices/REGION.csv.gz`, by column name.
fn committed_row(region: &str, instance_type: &str) -> BTreeMap<String, String> {
    common::snapshot_prices(region).remove(instance_type).expect("the type's row")
}

/// The review's case: in eu-central-1 the source gives m6a.large Windows the Linux reserved prices.
/// `pricing show` gives Linux's reserved price plus the on-demand licence difference, says `derived`,
/// and keeps the sourced Windows on-demand price.
#[test]
fn windows_reserved_at_the_linux_price_is_derived_and_says_so() {
    let cells = committed_row("eu-central-1", "m6a.large");
    let d = |c: &str| Decimal::from_str(&cells[c]).expect("price cell");
    assert_eq!(cells["windows_ri1"], cells["linux_ri1"], "the source's flaw this test is about");
    let licence = d("windows_od") - d("linux_od");
    assert!(licence > Decimal::ZERO);
    let o = common::run(&["pricing", "show", "m6a.large", "--region", "eu-central-1", "--os", "windows", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let by_term: BTreeMap<String, &serde_json::Value> = v["prices"]
        .as_array()
        .expect("prices")
        .iter()
        .map(|p| (p["term"].as_str().expect("term").to_owned(), p))
        .collect();
    let price = |t: &str| Decimal::from_str(by_term[t]["usd_per_hour"].as_str().expect("a price")).expect("decimal");
    assert_eq!(price("on-demand"), d("windows_od"));
    assert_eq!(by_term["on-demand"]["source"], "vantage");
    for (term, col) in [("reserved1y", "linux_ri1"), ("reserved3y", "linux_ri3")] {
        assert_eq!(price(term), d(col) + licence, "{term}");
        assert_eq!(by_term[term]["source"], "derived", "{term}");
        assert_eq!(by_term[term]["derived_from"], "vantage", "{term}");
    }
    // The table marks them and states the rule.
    let o = common::run(&["pricing", "show", "m6a.large", "--region", "eu-central-1", "--os", "windows"]);
    let text = common::stdout(&o);
    assert_eq!(text.matches("derived* from vantage").count(), 2, "{text}");
    assert!(text.contains("* derived: the source's price was at or below Linux's"), "{text}");
}

/// A Windows server that lands on m6a.large in eu-central-1 is offered the derived reserved prices
/// (never the Linux ones the source repeats), with their upfront over the term, and the plan says so.
#[test]
fn a_plan_prices_windows_reservations_from_the_rule_and_notes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inv = dir.path().join("inventory.csv");
    std::fs::write(&inv, "name,cpus,memory_gib,os\nwin1,2,8,Windows Server 2019 Standard\n").expect("write");
    let o = common::run(&["plan", inv.to_str().expect("utf8"), "--region", "eu-central-1", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let s = &v["servers"][0];
    assert_eq!(s["placement"]["instance_type"], "m6a.large");
    let cells = committed_row("eu-central-1", "m6a.large");
    let d = |c: &str| Decimal::from_str(&cells[c]).expect("price cell");
    let licence = d("windows_od") - d("linux_od");
    let options: BTreeMap<&str, &serde_json::Value> = s["purchase"]["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| (o["kind"].as_str().expect("kind"), o))
        .collect();
    for (kind, col, hours) in [("reserved1y", "linux_ri1", 8_760), ("reserved3y", "linux_ri3", 26_280)] {
        let hourly = d(col) + licence;
        let got = |f: &str| Decimal::from_str(options[kind][f].as_str().expect(f)).expect("decimal");
        assert_eq!(got("hourly_usd"), hourly, "{kind}");
        assert_eq!(got("upfront_usd"), hourly * Decimal::from(hours), "{kind}");
        assert!(got("hourly_usd") > d(col), "{kind} above Linux's");
    }
    let notes: Vec<&str> = v["notes"].as_array().expect("notes").iter().map(|n| n.as_str().expect("note")).collect();
    assert!(
        notes.iter().any(|n| n.starts_with("spot or reserved prices of 1 server (win1) are derived: ")),
        "{notes:?}"
    );
}
