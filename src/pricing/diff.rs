//! Two snapshots in, their price differences out: every EC2 price (region x type x OS x term, from
//! `prices/REGION.csv.gz`) and every service price (`services.csv`) that changed, appeared or went away,
//! with old and new values and the % change, in a fixed order.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;

use super::price_book::{PriceOs, RegionPrices, Term};
use super::services::{ServicePrices, FILE as SERVICES};
use super::snapshot::Snapshot;
use crate::error::{Error, Result};

/// What happened to a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Changed,
    New,
    Removed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Changed => "changed",
            ChangeKind::New => "new",
            ChangeKind::Removed => "removed",
        }
    }
}

/// Which price: an EC2 price, or a service price (`service`, `item` and its tier from `services.csv`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PriceKey {
    Ec2 {
        region: String,
        instance_type: String,
        os: PriceOs,
        term: &'static str,
    },
    /// `region` is empty for the rows that apply to every region of `service_price_regions`.
    Service {
        service: String,
        item: String,
        tier: String,
        region: String,
    },
}

impl std::fmt::Display for PriceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PriceKey::Ec2 { region, instance_type, os, term } => write!(f, "{region} {instance_type} {os} {term}"),
            PriceKey::Service { service, item, tier, region } => {
                write!(f, "service {service} / {item}")?;
                if !tier.is_empty() {
                    write!(f, " [{tier}]")?;
                }
                if !region.is_empty() {
                    write!(f, " in {region}")?;
                }
                Ok(())
            }
        }
    }
}

/// One price that differs between the snapshots ($/hour for EC2, the `services.csv` unit for services).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceChange {
    pub change: ChangeKind,
    #[serde(flatten)]
    pub key: PriceKey,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub old_usd: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub new_usd: Option<Decimal>,
    /// (new - old) / old x 100, 2 decimals; only for a change from a non-zero price.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub percent: Option<Decimal>,
}

/// All differences, EC2 first (by region, type, OS, term), then services (by service, item, tier).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotDiff {
    pub changes: Vec<PriceChange>,
}

impl SnapshotDiff {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.change == kind).count()
    }
}

/// Short, stable name of a term in the diff.
pub fn term_name(t: Term) -> &'static str {
    match t {
        Term::OnDemand => "on-demand",
        Term::Spot => "spot",
        Term::Reserved1y => "ri-1yr",
        Term::Reserved3y => "ri-3yr",
    }
}

/// Compare every price of `old` and `new`.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Result<SnapshotDiff> {
    let mut changes = Vec::new();
    let regions: BTreeSet<&str> =
        old.manifest.regions.iter().chain(new.manifest.regions.iter()).map(String::as_str).collect();
    for region in regions {
        let a = ec2_prices(old, region)?;
        let b = ec2_prices(new, region)?;
        compare(a, b, &mut changes);
    }
    compare(service_prices(old)?, service_prices(new)?, &mut changes);
    Ok(SnapshotDiff { changes })
}

/// Every EC2 price of a region, keyed; empty when the snapshot does not have the region.
fn ec2_prices(s: &Snapshot, region: &str) -> Result<BTreeMap<PriceKey, Decimal>> {
    let mut out = BTreeMap::new();
    if !s.manifest.has_region(region) {
        return Ok(out);
    }
    let prices = RegionPrices::load(s, region)?;
    for (itype, tp) in prices.iter() {
        for os in PriceOs::ALL {
            for term in Term::ALL {
                if let Some(p) = tp.get(os, term) {
                    let key = PriceKey::Ec2 {
                        region: region.to_owned(),
                        instance_type: itype.to_owned(),
                        os,
                        term: term_name(term),
                    };
                    out.insert(key, p);
                }
            }
        }
    }
    Ok(out)
}

/// Every `services.csv` price, keyed by service, item, tier and region.
fn service_prices(s: &Snapshot) -> Result<BTreeMap<PriceKey, Decimal>> {
    let sp = ServicePrices::load(s)?;
    let mut out = BTreeMap::new();
    for r in sp.rows.iter().chain(sp.regional.values().flatten()) {
        let usd = Decimal::from_str(&r.usd)
            .map_err(|e| Error::Snapshot { location: format!("{}/{SERVICES}", s.origin), message: e.to_string() })?;
        let tier = if r.tier_from.is_empty() && r.tier_to.is_empty() {
            String::new()
        } else {
            format!("{}-{}", r.tier_from, r.tier_to)
        };
        let key =
            PriceKey::Service { service: r.service.clone(), item: r.item.clone(), tier, region: r.region.clone() };
        out.insert(key, usd);
    }
    Ok(out)
}

/// Merge two sorted key maps into changes (kept in key order).
fn compare(a: BTreeMap<PriceKey, Decimal>, b: BTreeMap<PriceKey, Decimal>, out: &mut Vec<PriceChange>) {
    let keys: BTreeSet<&PriceKey> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (o, n) = (a.get(key).copied(), b.get(key).copied());
        let change = match (o, n) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(_), Some(_)) => ChangeKind::Changed,
            (None, Some(_)) => ChangeKind::New,
            (Some(_), None) => ChangeKind::Removed,
            (None, None) => continue,
        };
        let (o, n) = (o.map(|d| d.normalize()), n.map(|d| d.normalize()));
        out.push(PriceChange { change, key: key.clone(), old_usd: o, new_usd: n, percent: percent(o, n) });
    }
}

fn percent(old: Option<Decimal>, new: Option<Decimal>) -> Option<Decimal> {
    let (o, n) = (old?, new?);
    if o.is_zero() {
        return None;
    }
    let mut p = ((n - o) / o * Decimal::ONE_HUNDRED).round_dp(2);
    p.rescale(2);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_is_relative_to_old_and_rounded() {
        let d = |s: &str| Some(Decimal::from_str(s).unwrap_or_default());
        assert_eq!(percent(d("0.1008"), d("0.2016")), d("100.00"));
        assert_eq!(percent(d("3"), d("2")), d("-33.33"));
        assert_eq!(percent(d("0"), d("2")), None);
        assert_eq!(percent(None, d("2")), None);
    }
}
