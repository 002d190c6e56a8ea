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
}

#[derive(Debug, Clone, Default)]
pub struct ServicePrices {
    pub rows: Vec<ServiceRow>,
    /// Regions these prices apply to.
    pub regions: Vec<String>,
    flat: BTreeMap<(String, String), Decimal>,
}

impl ServicePrices {
    pub fn load(snapshot: &Snapshot) -> Result<Self> {
        let bytes = snapshot.read(FILE)?;
        let mut rdr = csv::Reader::from_reader(bytes.as_slice());
        let mut rows = Vec::new();
        let mut flat = BTreeMap::new();
        for (i, r) in rdr.deserialize::<ServiceRow>().enumerate() {
            let r = r.map_err(|e| Error::Snapshot {
                location: format!("{}/{FILE}", snapshot.origin),
                message: e.to_string(),
            })?;
            let usd = Decimal::from_str(&r.usd).map_err(|e| Error::Snapshot {
                location: format!("{}/{FILE}:{}", snapshot.origin, i + 2),
                message: format!("usd '{}': {e}", r.usd),
            })?;
            // Only untiered items are flat prices; tiered ones (egress) are read from `rows`.
            if r.tier_from.is_empty() && r.tier_to.is_empty() {
                flat.insert((r.service.clone(), r.item.clone()), usd);
            }
            rows.push(r);
        }
        Ok(ServicePrices { rows, regions: snapshot.manifest.service_price_regions.clone(), flat })
    }

    /// The price of `item` in `region`, or `None` when the snapshot does not know it there.
    pub fn get(&self, region: &str, item: ServiceItem) -> Option<Decimal> {
        if !self.regions.iter().any(|r| r == region) {
            return None;
        }
        let (s, i) = item.key();
        self.flat.get(&(s.to_owned(), i.to_owned())).copied()
    }
}
