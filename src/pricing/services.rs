//! `services.csv` in, non-EC2 prices out (EBS, transfer, NAT, public IPv4, ...), known only for the regions the manifest names.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::snapshot::Snapshot;
use crate::error::{Error, Result};

pub const FILE: &str = "services.csv";

/// Items the estimate asks for, with their `service,item` key in `services.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServiceItem {
    EbsGp3GibMonth,
    PublicIpv4Hour,
}

impl ServiceItem {
    pub fn key(self) -> (&'static str, &'static str) {
        match self {
            ServiceItem::EbsGp3GibMonth => ("ebs", "gp3 storage"),
            ServiceItem::PublicIpv4Hour => ("vpc", "public ipv4 address"),
        }
    }

    /// The name used in `rocklift.toml` `[prices.REGION]` overrides and in warnings.
    pub fn setting_name(self) -> &'static str {
        match self {
            ServiceItem::EbsGp3GibMonth => "ebs_gp3_gib_month",
            ServiceItem::PublicIpv4Hour => "public_ipv4_hour",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ServiceItem::EbsGp3GibMonth => "EBS gp3 storage ($/GiB-month)",
            ServiceItem::PublicIpv4Hour => "public IPv4 address ($/hour)",
        }
    }

    pub fn from_setting_name(name: &str) -> Option<Self> {
        [ServiceItem::EbsGp3GibMonth, ServiceItem::PublicIpv4Hour].into_iter().find(|i| i.setting_name() == name)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServiceRow {
    pub service: String,
    pub item: String,
    pub unit: String,
    pub usd: String,
    pub tier_from: String,
    pub tier_to: String,
    pub note: String,
    /// The region the row is for. Empty (or no `region` column, as in the bundled snapshot): the row applies to
    /// every region of the manifest's `service_price_regions`. A refreshed snapshot names the region it fetched.
    #[serde(default)]
    pub region: String,
}

/// The snapshot's non-EC2 prices by region.
///
/// A region's rows are its own (region-named) rows, plus the region-less rows when the region is one of
/// `service_price_regions`, for every `service,item` the region-named rows do not have.
#[derive(Debug, Clone, Default)]
pub struct ServicePrices {
    /// The region-less rows.
    pub rows: Vec<ServiceRow>,
    /// Regions the region-less rows apply to (the manifest's `service_price_regions`).
    pub regions: Vec<String>,
    /// Rows naming their region.
    pub regional: BTreeMap<String, Vec<ServiceRow>>,
}

impl ServicePrices {
    pub fn load(snapshot: &Snapshot) -> Result<Self> {
        let bytes = snapshot.read(FILE)?;
        Self::parse(&bytes, &snapshot.manifest.service_price_regions, &format!("{}/{FILE}", snapshot.origin))
    }

    /// `services.csv` bytes; `regions` are the regions its region-less rows apply to; `location` names the file.
    pub fn parse(bytes: &[u8], regions: &[String], location: &str) -> Result<Self> {
        let mut rdr = csv::Reader::from_reader(bytes);
        let mut prices = ServicePrices { regions: regions.to_vec(), ..ServicePrices::default() };
        for (i, r) in rdr.deserialize::<ServiceRow>().enumerate() {
            let r = r.map_err(|e| Error::Snapshot { location: location.to_owned(), message: e.to_string() })?;
            Decimal::from_str(&r.usd).map_err(|e| Error::Snapshot {
                location: format!("{location}:{}", i + 2),
                message: format!("usd '{}': {e}", r.usd),
            })?;
            if r.region.is_empty() {
                prices.rows.push(r);
            } else {
                prices.regional.entry(r.region.clone()).or_default().push(r);
            }
        }
        Ok(prices)
    }

    /// Whether the snapshot has any service prices for `region`.
    pub fn knows(&self, region: &str) -> bool {
        self.regional.contains_key(region) || self.regions.iter().any(|r| r == region)
    }

    /// Every region with service prices, sorted.
    pub fn known_regions(&self) -> Vec<String> {
        let mut all: Vec<String> = self.regions.iter().chain(self.regional.keys()).cloned().collect();
        all.sort();
        all.dedup();
        all
    }

    /// The rows that apply to `region` (empty when the snapshot does not know it).
    pub fn rows_for(&self, region: &str) -> Vec<&ServiceRow> {
        let own = self.regional.get(region).map(Vec::as_slice).unwrap_or_default();
        let mut out: Vec<&ServiceRow> = own.iter().collect();
        if self.regions.iter().any(|r| r == region) {
            out.extend(self.rows.iter().filter(|b| !own.iter().any(|o| o.service == b.service && o.item == b.item)));
        }
        out
    }

    /// The untiered price of `service,item` in `region`, or `None` when the snapshot does not know it there.
    pub fn flat(&self, region: &str, service: &str, item: &str) -> Option<Decimal> {
        self.rows_for(region)
            .into_iter()
            .find(|r| r.service == service && r.item == item && r.tier_from.is_empty() && r.tier_to.is_empty())
            .and_then(|r| Decimal::from_str(r.usd.trim()).ok())
    }

    /// The price of `item` in `region`, or `None` when the snapshot does not know it there.
    pub fn get(&self, region: &str, item: ServiceItem) -> Option<Decimal> {
        let (s, i) = item.key();
        self.flat(region, s, i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_rows_beat_regionless_rows_item_by_item() {
        let csv = "service,item,unit,usd,tier_from,tier_to,note,region\n\
                   ebs,gp3 storage,GB-month,0.08,,,,\n\
                   vpc,nat gateway,hour,0.045,,,,\n\
                   ebs,gp3 storage,GB-month,0.088,,,,eu-west-1\n\
                   ebs,gp3 storage,GB-month,0.081,,,,us-east-1\n";
        let p = ServicePrices::parse(csv.as_bytes(), &["us-east-1".to_owned()], "test").expect("parses");
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        assert_eq!(p.get("us-east-1", ServiceItem::EbsGp3GibMonth), Some(d("0.081")));
        assert_eq!(p.flat("us-east-1", "vpc", "nat gateway"), Some(d("0.045")));
        assert_eq!(p.get("eu-west-1", ServiceItem::EbsGp3GibMonth), Some(d("0.088")));
        // eu-west-1 is not a region of the region-less rows: its NAT price is unknown, not us-east-1's.
        assert_eq!(p.flat("eu-west-1", "vpc", "nat gateway"), None);
        assert_eq!(p.get("ap-south-1", ServiceItem::EbsGp3GibMonth), None);
        assert_eq!(p.known_regions(), vec!["eu-west-1".to_owned(), "us-east-1".to_owned()]);
    }

    #[test]
    fn a_bad_price_is_located() {
        let csv = "service,item,unit,usd,tier_from,tier_to,note\nebs,gp3 storage,GB-month,zero,,,\n";
        let e = ServicePrices::parse(csv.as_bytes(), &[], "snap/services.csv").expect_err("bad usd");
        assert!(e.to_string().contains("snap/services.csv:2"), "{e}");
    }
}
