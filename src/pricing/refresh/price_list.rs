//! Price List `aws_v1` documents in (JSON strings from GetProducts), EC2 and service price records out.
//!
//! Pure: no IO, no clock. Each GetProducts `PriceList` entry is one JSON document describing one product
//! (`product.productFamily`, `product.attributes`, `product.sku`, `serviceCode`) and its prices
//! (`terms.OnDemand` / `terms.Reserved`, each term a map of `priceDimensions` with `unit`, `beginRange`,
//! `endRange` and `pricePerUnit.USD`, a decimal string such as `"0.0960000000"`).
//!
//! Products are first classified (is this a price rocklift keeps?); products that are not are skipped
//! without reading their prices. The prices of a kept product are then read strictly: a price that is not
//! a number, a missing USD price, an unexpected unit or two prices for one thing is an error
//! ([`Error::Refresh`] naming GetProducts, the service code, the region and the SKU), never a panic and
//! never a silently skipped price. [`merge_ec2`] and [`merge_services`] then check that the products of a
//! whole call series do not give two different prices for one thing.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

use super::records::{Ec2Price, Ec2Term, PriceListOs, ServicePrice};
use crate::error::{Error, Result};

/// Hours in the 1-year Reserved Instance term (365 × 24).
pub const HOURS_1Y: u32 = 8760;
/// Hours in the 3-year Reserved Instance term (3 × 365 × 24).
pub const HOURS_3Y: u32 = 26280;
/// Decimal places kept for an amortised Reserved Instance rate.
pub const RI_DECIMALS: u32 = 6;

/// io2 provisioned IOPS tiers (IOPS per volume). The Price List has one product per tier
/// (`EBS:VolumeP-IOPS.io2`, `.io2.tier2`, `.io2.tier3`), each listed 0–Inf, so the bounds come from
/// the EBS pricing page: up to 32,000, 32,001–64,000, over 64,000.
pub const IO2_TIER_BOUNDS: [u32; 2] = [32_000, 64_000];

const API: &str = "GetProducts";
const EC2: &str = "AmazonEC2";
const VPC: &str = "AmazonVPC";
const DATA_TRANSFER: &str = "AWSDataTransfer";

// ---------------------------------------------------------------------------------------------------------------
// The aws_v1 document
// ---------------------------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct RawDoc {
    product: RawProduct,
    #[serde(rename = "serviceCode", default)]
    service_code: String,
    #[serde(default)]
    terms: RawTerms,
}

#[derive(Debug, Deserialize)]
struct RawProduct {
    #[serde(rename = "productFamily", default)]
    product_family: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    sku: String,
}

#[derive(Debug, Default, Deserialize)]
struct RawTerms {
    #[serde(rename = "OnDemand", default)]
    on_demand: BTreeMap<String, RawTerm>,
    #[serde(rename = "Reserved", default)]
    reserved: BTreeMap<String, RawTerm>,
}

#[derive(Debug, Deserialize)]
struct RawTerm {
    #[serde(rename = "priceDimensions", default)]
    price_dimensions: BTreeMap<String, RawDimension>,
    #[serde(rename = "termAttributes", default)]
    term_attributes: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct RawDimension {
    #[serde(default)]
    unit: String,
    #[serde(rename = "beginRange")]
    begin_range: Option<String>,
    #[serde(rename = "endRange")]
    end_range: Option<String>,
    #[serde(rename = "pricePerUnit", default)]
    price_per_unit: BTreeMap<String, String>,
}

/// One parsed PriceList entry; prices are still strings, read by the functions that keep the product.
struct Doc {
    raw: RawDoc,
    /// `<serviceCode> <region> SKU <sku>`, for messages.
    scope: String,
}

impl Doc {
    fn parse(doc: &str, asked_service: &str, region: &str) -> Result<Doc> {
        let raw: RawDoc = serde_json::from_str(doc).map_err(|e| Error::Refresh {
            api: API.into(),
            scope: format!("{asked_service} {region}"),
            message: format!(
                "a PriceList entry is not a valid aws_v1 product document ({e}); it starts: {}",
                head(doc)
            ),
        })?;
        let service = if raw.service_code.is_empty() { asked_service } else { raw.service_code.as_str() };
        let scope = format!("{service} {region} SKU {}", raw.product.sku);
        Ok(Doc { raw, scope })
    }

    fn attr(&self, name: &str) -> &str {
        self.raw.product.attributes.get(name).map_or("", String::as_str)
    }

    fn service_code(&self) -> &str {
        &self.raw.service_code
    }

    fn family(&self) -> &str {
        &self.raw.product.product_family
    }

    fn sku(&self) -> &str {
        &self.raw.product.sku
    }

    fn error(&self, message: impl Into<String>) -> Error {
        Error::Refresh { api: API.into(), scope: self.scope.clone(), message: message.into() }
    }

    /// The `usagetype` without its region prefix (`USE1-`, `EU-`, `APN1-`, ...): `EBS:VolumeUsage.gp3`,
    /// `NatGateway-Hours`, `DataTransfer-Out-Bytes`. us-east-1 usage types often carry no prefix.
    fn usage(&self) -> &str {
        usage_without_prefix(self.attr("usagetype"))
    }

    /// The product is in the region asked for (its `regionCode`, when it has one) and is a region product
    /// (not a Local Zone, Wavelength Zone or Outpost).
    fn in_region(&self, region: &str) -> bool {
        let code = self.attr("regionCode");
        let location_type = self.attr("locationType");
        (code.is_empty() || code == region) && (location_type.is_empty() || location_type == "AWS Region")
    }

    /// The dimensions of the single OnDemand term. No OnDemand term, or several, is an error.
    fn on_demand_dimensions(&self) -> Result<Vec<&RawDimension>> {
        let mut terms = self.raw.terms.on_demand.values();
        match (terms.next(), terms.next()) {
            (Some(term), None) => Ok(term.price_dimensions.values().collect()),
            (None, _) => Err(self.error("no OnDemand price (the product has no OnDemand term)")),
            (Some(_), Some(_)) => {
                Err(self.error(format!("{} OnDemand terms where one was expected", self.raw.terms.on_demand.len())))
            }
        }
    }

    /// The one OnDemand price in `api_unit`: exactly one dimension, with that unit.
    fn single_on_demand(&self, api_unit: &str) -> Result<Decimal> {
        let dims = self.on_demand_dimensions()?;
        match dims.as_slice() {
            [d] => {
                self.expect_unit(d, api_unit)?;
                self.usd(d)
            }
            [] => Err(self.error("no OnDemand price (the OnDemand term has no price dimension)")),
            many => Err(self.error(format!(
                "{} OnDemand price dimensions where one was expected (units {})",
                many.len(),
                many.iter().map(|d| d.unit.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    fn expect_unit(&self, d: &RawDimension, api_unit: &str) -> Result<()> {
        if d.unit.eq_ignore_ascii_case(api_unit) {
            Ok(())
        } else {
            Err(self.error(format!("price unit '{}' where '{api_unit}' was expected", d.unit)))
        }
    }

    /// The USD price of a dimension, exactly as published (normalized: `"0.0960000000"` is 0.096).
    fn usd(&self, d: &RawDimension) -> Result<Decimal> {
        let Some(s) = d.price_per_unit.get("USD") else {
            let currencies: Vec<&str> = d.price_per_unit.keys().map(String::as_str).collect();
            return Err(self.error(if currencies.is_empty() {
                "no USD price (pricePerUnit is empty)".to_owned()
            } else {
                format!("no USD price (pricePerUnit has {})", currencies.join(", "))
            }));
        };
        let usd =
            Decimal::from_str(s.trim()).map_err(|e| self.error(format!("USD price '{s}' is not a number ({e})")))?;
        if usd.is_sign_negative() && !usd.is_zero() {
            return Err(self.error(format!("USD price '{s}' is negative")));
        }
        Ok(usd.normalize())
    }
}

fn head(doc: &str) -> String {
    let mut s: String = doc.chars().take(80).collect();
    if s.len() < doc.len() {
        s.push('…');
    }
    s
}

/// `USE1-EBS:VolumeUsage.gp3` → `EBS:VolumeUsage.gp3`. The prefix is the part before the first `-` when it
/// is an upper-case region abbreviation (letters and digits, at most 6 characters), as the Price List
/// writes them; `NatGateway-Hours` has no prefix and is returned whole.
pub fn usage_without_prefix(usagetype: &str) -> &str {
    match usagetype.split_once('-') {
        Some((prefix, rest))
            if (2..=6).contains(&prefix.len())
                && prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            rest
        }
        _ => usagetype,
    }
}

/// A Reserved Instance upfront fee (plus any hourly recurring fee, 0 for all-upfront) as an hourly rate
/// over `hours`: `(upfront + hourly × hours) / hours`, rounded to [`RI_DECIMALS`] (6) decimal places, half
/// away from zero (normalized: trailing zeros dropped, as for on-demand prices). For example m5.large Linux us-east-1, 1 year, $494 upfront: 494 / 8760 =
/// 0.0563926… → 0.056393, as in the bundled snapshot.
///
/// The bundled snapshot (from ec2instances.info) agrees exactly for rates below $1/h; at $1/h and above its
/// values are further cut to 6 significant digits (1.37352 where this gives 1.373519), a limit of that
/// source which a refresh does not copy.
pub fn amortised_hourly(upfront: Decimal, hourly: Decimal, hours: u32) -> Decimal {
    let hours = Decimal::from(hours);
    ((upfront + hourly * hours) / hours)
        .round_dp_with_strategy(RI_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

// ---------------------------------------------------------------------------------------------------------------
// EC2 compute
// ---------------------------------------------------------------------------------------------------------------

/// The `licenseModel` a priced OS must have: no licence for Linux and RHEL (RHEL's subscription is in
/// its price), licence included for Windows (no BYOL).
pub fn license_model(os: PriceListOs) -> &'static str {
    match os {
        PriceListOs::Linux | PriceListOs::Rhel => "No License required",
        PriceListOs::Windows => "License Included",
    }
}

/// The `productFamily` values of EC2 instance prices: virtual sizes, and `.metal` sizes.
pub const COMPUTE_FAMILIES: [&str; 2] = ["Compute Instance", "Compute Instance (bare metal)"];

fn os_from_api(value: &str) -> Option<PriceListOs> {
    PriceListOs::ALL.into_iter().find(|os| os.api_value() == value)
}

/// The prices of one `AmazonEC2` PriceList entry in `region`: on demand, and Standard all-upfront Reserved
/// 1 and 3 years when offered, as hourly rates.
///
/// Kept: `productFamily` Compute Instance or Compute Instance (bare metal) (the `.metal` sizes), `operatingSystem` Linux / RHEL / Windows with the matching
/// `licenseModel` ([`license_model`]), `tenancy` Shared, `preInstalledSw` NA, `capacitystatus` Used,
/// `marketoption` OnDemand (when present: Capacity Block products share every other attribute), in the
/// region. Any other product gives no price (an empty list), even if a filter let it through.
///
/// - On demand: the one OnDemand price dimension in `Hrs`, exactly as published (normalized).
/// - Reserved: the `standard` / `All Upfront` term of each `LeaseContractLength` (`1yr`, `3yr`): its
///   `Quantity` dimension (the upfront fee) plus any `Hrs` dimension (0 for all-upfront), amortised by
///   [`amortised_hourly`]. A type without such a term has no Reserved price (no record, no error).
pub fn ec2_prices(doc: &str, region: &str) -> Result<Vec<Ec2Price>> {
    let d = Doc::parse(doc, EC2, region)?;
    let Some(os) = os_from_api(d.attr("operatingSystem")) else { return Ok(Vec::new()) };
    let market = d.attr("marketoption");
    let keep = d.service_code() == EC2
        && COMPUTE_FAMILIES.contains(&d.family())
        && d.attr("tenancy") == "Shared"
        && d.attr("preInstalledSw") == "NA"
        && d.attr("capacitystatus") == "Used"
        && d.attr("licenseModel") == license_model(os)
        && (market.is_empty() || market == "OnDemand")
        && d.in_region(region);
    if !keep {
        return Ok(Vec::new());
    }
    let instance_type = d.attr("instanceType").to_owned();
    if instance_type.is_empty() {
        return Err(d.error("a Compute Instance product without instanceType"));
    }
    let d = Doc { scope: format!("{EC2} {region} {instance_type} {} SKU {}", os.api_value(), d.sku()), ..d };
    let record = |term, usd_per_hour| Ec2Price {
        region: region.to_owned(),
        instance_type: instance_type.clone(),
        os,
        term,
        usd_per_hour,
        sku: d.sku().to_owned(),
    };

    let mut out = Vec::new();
    let hourly: Vec<&RawDimension> =
        d.on_demand_dimensions()?.into_iter().filter(|dim| dim.unit.eq_ignore_ascii_case("Hrs")).collect();
    match hourly.as_slice() {
        [dim] => out.push(record(Ec2Term::OnDemand, d.usd(dim)?)),
        [] => return Err(d.error("no OnDemand price per hour (no price dimension with unit Hrs)")),
        many => return Err(d.error(format!("{} OnDemand prices per hour where one was expected", many.len()))),
    }

    for (lease, term, hours) in [("1yr", Ec2Term::Reserved1y, HOURS_1Y), ("3yr", Ec2Term::Reserved3y, HOURS_3Y)] {
        let matching: Vec<&RawTerm> = d
            .raw
            .terms
            .reserved
            .values()
            .filter(|t| {
                let a = &t.term_attributes;
                a.get("LeaseContractLength").map(String::as_str) == Some(lease)
                    && a.get("OfferingClass").map(String::as_str) == Some("standard")
                    && a.get("PurchaseOption").map(String::as_str) == Some("All Upfront")
            })
            .collect();
        let t = match matching.as_slice() {
            [] => continue,
            [t] => *t,
            many => {
                return Err(d.error(format!(
                    "{} Reserved standard All Upfront {lease} terms where one was expected",
                    many.len()
                )))
            }
        };
        let mut upfront = None;
        let mut recurring = Decimal::ZERO;
        for dim in t.price_dimensions.values() {
            if dim.unit.eq_ignore_ascii_case("Quantity") {
                if upfront.is_some() {
                    return Err(d.error(format!("two upfront fees in the Reserved standard All Upfront {lease} term")));
                }
                upfront = Some(d.usd(dim)?);
            } else if dim.unit.eq_ignore_ascii_case("Hrs") {
                recurring += d.usd(dim)?;
            } else {
                return Err(d.error(format!(
                    "price unit '{}' in the Reserved standard All Upfront {lease} term (expected Quantity or Hrs)",
                    dim.unit
                )));
            }
        }
        let Some(upfront) = upfront else {
            return Err(
                d.error(format!("no upfront fee (unit Quantity) in the Reserved standard All Upfront {lease} term"))
            );
        };
        out.push(record(term, amortised_hourly(upfront, recurring, hours)));
    }
    Ok(out)
}

/// Checks that `prices` (the records of a whole call series) give one price per region, instance type, OS
/// and term, and returns them sorted by those. The same price twice (two SKUs) is kept once; two different
/// prices are an error naming both SKUs, never a silent pick.
pub fn merge_ec2(mut prices: Vec<Ec2Price>) -> Result<Vec<Ec2Price>> {
    prices.sort_by(|a, b| {
        (&a.region, &a.instance_type, a.os, a.term, &a.sku).cmp(&(&b.region, &b.instance_type, b.os, b.term, &b.sku))
    });
    let mut out: Vec<Ec2Price> = Vec::with_capacity(prices.len());
    for p in prices {
        if let Some(last) = out.last() {
            if (&last.region, &last.instance_type, last.os, last.term) == (&p.region, &p.instance_type, p.os, p.term) {
                if last.usd_per_hour != p.usd_per_hour {
                    return Err(Error::Refresh {
                        api: API.into(),
                        scope: format!("{EC2} {} {} {}", p.region, p.instance_type, p.os.api_value()),
                        message: format!(
                            "two {:?} prices: {} (SKU {}) and {} (SKU {})",
                            p.term, last.usd_per_hour, last.sku, p.usd_per_hour, p.sku
                        ),
                    });
                }
                continue;
            }
        }
        out.push(p);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------------------
// Services (EBS, data transfer, NAT gateway, public IPv4)
// ---------------------------------------------------------------------------------------------------------------

/// How the price of a kept service product becomes `services.csv` rows.
enum Tiers {
    /// One price, no tier bounds.
    Flat,
    /// One price with fixed bounds (io2 IOPS tiers).
    Fixed(Decimal, Option<Decimal>),
    /// One row per price dimension, bounds from `beginRange` / `endRange` (`Inf` = open).
    FromDimensions,
}

struct Spec {
    service: &'static str,
    item: &'static str,
    unit: &'static str,
    /// The Price List unit of the price.
    api_unit: &'static str,
    /// The Price List price is divided by this (gp3 throughput is listed per GiBps-month, kept per MBps-month).
    divide_by: u32,
    tiers: Tiers,
    note: &'static str,
}

const fn flat(service: &'static str, item: &'static str, unit: &'static str, api_unit: &'static str) -> Spec {
    Spec { service, item, unit, api_unit, divide_by: 1, tiers: Tiers::Flat, note: "" }
}

/// The EBS volume types rocklift prices (`volumeApiName` of the `Storage` products).
pub const EBS_VOLUMES: [&str; 6] = ["gp3", "gp2", "io2", "io1", "st1", "sc1"];

fn classify(d: &Doc, region: &str) -> Option<Spec> {
    if !d.in_region(region) {
        return None;
    }
    let usage = d.usage();
    match (d.service_code(), d.family()) {
        (EC2, "Storage") => {
            let volume = d.attr("volumeApiName");
            let item = match volume {
                "gp3" => "gp3 storage",
                "gp2" => "gp2 storage",
                "io2" => "io2 storage",
                "io1" => "io1 storage",
                "st1" => "st1 storage",
                "sc1" => "sc1 storage",
                _ => return None,
            };
            // The storage product itself (usage EBS:VolumeUsage.<type>, io1: EBS:VolumeUsage.piops).
            usage.starts_with("EBS:VolumeUsage").then(|| flat("ebs", item, "GB-month", "GB-Mo"))
        }
        (EC2, "System Operation") => {
            let io2 = |from: u32, to: Option<u32>| Spec {
                tiers: Tiers::Fixed(Decimal::from(from), to.map(Decimal::from)),
                ..flat("ebs", "io2 iops", "IOPS-month", "IOPS-Mo")
            };
            match usage {
                "EBS:VolumeP-IOPS.gp3" => Some(flat("ebs", "gp3 iops above 3000 baseline", "IOPS-month", "IOPS-Mo")),
                "EBS:VolumeP-IOPS.piops" => Some(flat("ebs", "io1 iops", "IOPS-month", "IOPS-Mo")),
                "EBS:VolumeP-IOPS.io2" => Some(io2(0, Some(IO2_TIER_BOUNDS[0]))),
                "EBS:VolumeP-IOPS.io2.tier2" => Some(io2(IO2_TIER_BOUNDS[0], Some(IO2_TIER_BOUNDS[1]))),
                "EBS:VolumeP-IOPS.io2.tier3" => Some(io2(IO2_TIER_BOUNDS[1], None)),
                _ => None,
            }
        }
        (EC2, "Provisioned Throughput") => (usage == "EBS:VolumeP-Throughput.gp3").then_some(Spec {
            divide_by: 1024,
            ..flat("ebs", "gp3 throughput above 125 MBps baseline", "MBps-month", "GiBps-mo")
        }),
        (EC2, "Storage Snapshot") => match usage {
            "EBS:SnapshotUsage" => Some(Spec {
                note: "incremental: billed on changed blocks",
                ..flat("ebs", "snapshot standard", "GB-month", "GB-Mo")
            }),
            "EBS:SnapshotArchiveStorage" => {
                Some(Spec { note: "90-day minimum", ..flat("ebs", "snapshot archive", "GB-month", "GB-Mo") })
            }
            _ => None,
        },
        (EC2, "NAT Gateway") => match usage {
            // Not RegionalNatGateway-Hours / -Bytes (the regional NAT gateway, priced apart).
            "NatGateway-Hours" => Some(flat("vpc", "nat gateway", "hour", "Hrs")),
            "NatGateway-Bytes" => Some(flat("vpc", "nat gateway data processed", "GB", "GB")),
            _ => None,
        },
        (VPC, _) if d.attr("group") == "VPCPublicIPv4Address" && usage == "PublicIPv4:InUseAddress" => Some(Spec {
            note: "every public IPv4 address including one on a running instance",
            ..flat("vpc", "public ipv4 address", "hour", "Hrs")
        }),
        (DATA_TRANSFER, _) if d.attr("fromRegionCode") == region => match (d.attr("transferType"), usage) {
            ("AWS Outbound", "DataTransfer-Out-Bytes") if d.attr("toLocation") == "External" => {
                Some(Spec { tiers: Tiers::FromDimensions, ..flat("transfer", "internet out", "GB", "GB") })
            }
            ("IntraRegion", "DataTransfer-Regional-Bytes") => {
                Some(Spec { note: "charged in each direction", ..flat("transfer", "inter-az", "GB", "GB") })
            }
            _ => None,
        },
        _ => None,
    }
}

/// A `beginRange` / `endRange` bound in GB: a number, or `Inf` (open) for the end.
fn bound(d: &Doc, what: &str, value: Option<&String>) -> Result<Option<Decimal>> {
    match value.map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("Inf") => Ok(None),
        Some(s) => Decimal::from_str(s)
            .map(|v| Some(v.normalize()))
            .map_err(|e| d.error(format!("{what} '{s}' is not a number ({e})"))),
    }
}

/// The service prices of one PriceList entry of `service_code` (`AmazonEC2`, `AmazonVPC`,
/// `AWSDataTransfer`) in `region`, as `services.csv` rows (same service / item / unit names):
///
/// - EC2 `Storage`, `volumeApiName` gp3/gp2/io2/io1/st1/sc1: `ebs,<type> storage,GB-month`.
/// - EC2 `System Operation`: `EBS:VolumeP-IOPS.gp3` → `ebs,gp3 iops above 3000 baseline,IOPS-month`;
///   `EBS:VolumeP-IOPS.piops` → `ebs,io1 iops,IOPS-month`; `EBS:VolumeP-IOPS.io2` / `.io2.tier2` /
///   `.io2.tier3` → `ebs,io2 iops,IOPS-month` tiers 0–32000, 32000–64000, 64000– ([`IO2_TIER_BOUNDS`]).
/// - EC2 `Provisioned Throughput`, `EBS:VolumeP-Throughput.gp3` (listed per GiBps-month):
///   `ebs,gp3 throughput above 125 MBps baseline,MBps-month` (the price ÷ 1024).
/// - EC2 `Storage Snapshot`: `EBS:SnapshotUsage` → `ebs,snapshot standard,GB-month`;
///   `EBS:SnapshotArchiveStorage` → `ebs,snapshot archive,GB-month`.
/// - EC2 `NAT Gateway`: `NatGateway-Hours` → `vpc,nat gateway,hour`; `NatGateway-Bytes` →
///   `vpc,nat gateway data processed,GB` (not the `RegionalNatGateway-*` products).
/// - VPC group `VPCPublicIPv4Address`, `PublicIPv4:InUseAddress`: `vpc,public ipv4 address,hour`.
/// - DataTransfer `AWS Outbound` to `External`, `DataTransfer-Out-Bytes`: `transfer,internet out,GB`, one
///   row per price dimension, the tier bounds in GB from its `beginRange` / `endRange`.
/// - DataTransfer `IntraRegion`, `DataTransfer-Regional-Bytes`: `transfer,inter-az,GB`.
///
/// Usage types are matched without their region prefix (`USE1-`, `EU-`, ...). Any other product gives no
/// row. The unit of each price is checked against the one the Price List uses for it.
pub fn service_prices(doc: &str, service_code: &str, region: &str) -> Result<Vec<ServicePrice>> {
    let d = Doc::parse(doc, service_code, region)?;
    let Some(spec) = classify(&d, region) else { return Ok(Vec::new()) };
    let row = |usd: Decimal, tier_from, tier_to| ServicePrice {
        region: region.to_owned(),
        service: spec.service.to_owned(),
        item: spec.item.to_owned(),
        unit: spec.unit.to_owned(),
        usd: (usd / Decimal::from(spec.divide_by)).normalize(),
        tier_from,
        tier_to,
        note: spec.note.to_owned(),
        sku: d.sku().to_owned(),
    };
    match spec.tiers {
        Tiers::Flat => Ok(vec![row(d.single_on_demand(spec.api_unit)?, None, None)]),
        Tiers::Fixed(from, to) => Ok(vec![row(d.single_on_demand(spec.api_unit)?, Some(from), to)]),
        Tiers::FromDimensions => {
            let dims = d.on_demand_dimensions()?;
            if dims.is_empty() {
                return Err(d.error("no OnDemand price (the OnDemand term has no price dimension)"));
            }
            let mut rows = Vec::with_capacity(dims.len());
            for dim in dims {
                d.expect_unit(dim, spec.api_unit)?;
                let from = bound(&d, "beginRange", dim.begin_range.as_ref())?.unwrap_or(Decimal::ZERO);
                let to = bound(&d, "endRange", dim.end_range.as_ref())?;
                rows.push(row(d.usd(dim)?, Some(from), to));
            }
            rows.sort_by_key(|r| r.tier_from);
            Ok(rows)
        }
    }
}

/// Checks that `prices` (the rows of a whole call series) give one price per region, service, item and
/// tier, and returns them sorted by region, service, item and tier start. The same price from two SKUs is
/// kept once; two different prices are an error naming both SKUs.
pub fn merge_services(mut prices: Vec<ServicePrice>) -> Result<Vec<ServicePrice>> {
    let key = |p: &ServicePrice| (p.region.clone(), p.service.clone(), p.item.clone(), p.tier_from, p.tier_to);
    prices.sort_by(|a, b| (key(a), &a.sku).cmp(&(key(b), &b.sku)));
    let mut out: Vec<ServicePrice> = Vec::with_capacity(prices.len());
    for p in prices {
        if let Some(last) = out.last() {
            if key(last) == key(&p) {
                if last.usd != p.usd {
                    return Err(Error::Refresh {
                        api: API.into(),
                        scope: format!("{} {} {}", p.region, p.service, p.item),
                        message: format!(
                            "two prices for one item: {} (SKU {}) and {} (SKU {})",
                            last.usd, last.sku, p.usd, p.sku
                        ),
                    });
                }
                continue;
            }
        }
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test data")
    }

    /// An aws_v1 Compute Instance document, as GetProducts returns it (trimmed attributes), with an
    /// on-demand price and Standard all-upfront 1yr / 3yr upfront fees.
    fn compute(sku: &str, instance: &str, os: &str, license: &str, od: &str, up1: &str, up3: &str) -> String {
        serde_json::json!({
            "product": {
                "productFamily": "Compute Instance",
                "attributes": {
                    "instanceType": instance, "operatingSystem": os, "licenseModel": license,
                    "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used",
                    "marketoption": "OnDemand", "regionCode": "us-east-1", "locationType": "AWS Region",
                    "usagetype": format!("BoxUsage:{instance}"), "operation": "RunInstances",
                    "servicecode": "AmazonEC2"
                },
                "sku": sku
            },
            "serviceCode": "AmazonEC2",
            "terms": {
                "OnDemand": { format!("{sku}.JRTCKXETXF"): {
                    "priceDimensions": { format!("{sku}.JRTCKXETXF.6YS6EN2CT7"): {
                        "unit": "Hrs", "endRange": "Inf", "beginRange": "0", "appliesTo": [],
                        "description": format!("${od} per On Demand {os} {instance} Instance Hour"),
                        "rateCode": format!("{sku}.JRTCKXETXF.6YS6EN2CT7"),
                        "pricePerUnit": { "USD": od }
                    }},
                    "sku": sku, "effectiveDate": "2025-08-01T00:00:00Z", "offerTermCode": "JRTCKXETXF",
                    "termAttributes": {}
                }},
                "Reserved": {
                    format!("{sku}.6QCMYABX3D"): {
                        "priceDimensions": {
                            format!("{sku}.6QCMYABX3D.2TG2D8R56U"): {
                                "unit": "Quantity", "description": "Upfront Fee", "appliesTo": [],
                                "pricePerUnit": { "USD": up1 }
                            },
                            format!("{sku}.6QCMYABX3D.6YS6EN2CT7"): {
                                "unit": "Hrs", "beginRange": "0", "endRange": "Inf", "appliesTo": [],
                                "pricePerUnit": { "USD": "0.0000000000" }
                            }
                        },
                        "termAttributes": ri_attributes("1yr", "All Upfront")
                    },
                    format!("{sku}.NQ3QZPMQV9"): {
                        "priceDimensions": {
                            format!("{sku}.NQ3QZPMQV9.2TG2D8R56U"): {
                                "unit": "Quantity", "description": "Upfront Fee", "appliesTo": [],
                                "pricePerUnit": { "USD": up3 }
                            },
                            format!("{sku}.NQ3QZPMQV9.6YS6EN2CT7"): {
                                "unit": "Hrs", "beginRange": "0", "endRange": "Inf", "appliesTo": [],
                                "pricePerUnit": { "USD": "0.0000000000" }
                            }
                        },
                        "termAttributes": ri_attributes("3yr", "All Upfront")
                    },
                    format!("{sku}.4NA7Y494T4"): {
                        "priceDimensions": {
                            format!("{sku}.4NA7Y494T4.6YS6EN2CT7"): {
                                "unit": "Hrs", "beginRange": "0", "endRange": "Inf", "appliesTo": [],
                                "pricePerUnit": { "USD": "0.0600000000" }
                            }
                        },
                        "termAttributes": ri_attributes("1yr", "No Upfront")
                    }
                }
            },
            "version": "20250801000000",
            "publicationDate": "2025-08-01T00:00:00Z"
        })
        .to_string()
    }

    fn ri_attributes(lease: &str, purchase: &str) -> serde_json::Value {
        serde_json::json!({ "LeaseContractLength": lease, "OfferingClass": "standard", "PurchaseOption": purchase })
    }

    fn m5_large() -> String {
        compute("6K3E3TFMNRPP4AKK", "m5.large", "Linux", "No License required", "0.0960000000", "494", "949")
    }

    #[test]
    fn compute_prices_on_demand_exact_and_reserved_amortised() {
        let got = ec2_prices(&m5_large(), "us-east-1").expect("test data");
        let terms: Vec<(Ec2Term, String)> = got.iter().map(|p| (p.term, p.usd_per_hour.to_string())).collect();
        // us-east-1 m5.large linux in pricing-cache/prices/us-east-1.csv.gz: 0.096000, ri1 0.056393, ri3 0.036111.
        assert_eq!(
            terms,
            vec![
                (Ec2Term::OnDemand, "0.096".to_owned()),
                (Ec2Term::Reserved1y, "0.056393".to_owned()),
                (Ec2Term::Reserved3y, "0.036111".to_owned()),
            ]
        );
        assert!(got.iter().all(|p| p.instance_type == "m5.large"
            && p.os == PriceListOs::Linux
            && p.sku == "6K3E3TFMNRPP4AKK"
            && p.region == "us-east-1"));
    }

    #[test]
    fn amortised_rate_matches_the_bundled_snapshot() {
        // (upfront, hours, snapshot value) from pricing-cache/prices/us-east-1.csv.gz.
        for (upfront, hours, want) in [
            ("1051", HOURS_1Y, "0.119977"), // a1.2xlarge linux_ri1
            ("2016", HOURS_3Y, "0.076712"), // a1.2xlarge linux_ri3
            ("2060", HOURS_1Y, "0.23516"),  // a1.2xlarge rhel_ri1
            ("827", HOURS_1Y, "0.094406"),  // c6a.xlarge linux_ri1
            ("1541", HOURS_3Y, "0.058638"), // c6a.xlarge linux_ri3
            ("1300", HOURS_1Y, "0.148402"), // m5.large windows_ri1
            ("3366", HOURS_3Y, "0.128082"), // m5.large windows_ri3
        ] {
            assert_eq!(amortised_hourly(dec(upfront), Decimal::ZERO, hours), dec(want), "{upfront} / {hours}");
        }
    }

    #[test]
    fn amortised_rate_rounds_half_away_from_zero_at_six_places() {
        // 4.38 / 8760 = 0.0005 exactly: no rounding. 0.00438 / 8760 = 0.0000005 exactly → 0.000001 (away from 0).
        assert_eq!(amortised_hourly(dec("4.38"), Decimal::ZERO, HOURS_1Y), dec("0.0005"));
        assert_eq!(amortised_hourly(dec("0.00438"), Decimal::ZERO, HOURS_1Y), dec("0.000001"));
        // 494 / 8760 = 0.05639269… → 0.056393 (up); 949 / 26280 = 0.03611111… → 0.036111 (down).
        assert_eq!(amortised_hourly(dec("494"), Decimal::ZERO, HOURS_1Y), dec("0.056393"));
        assert_eq!(amortised_hourly(dec("949"), Decimal::ZERO, HOURS_3Y), dec("0.036111"));
        // A recurring hourly fee is added: (100 + 0.01 × 8760) / 8760 = 0.021415525… → 0.021416.
        assert_eq!(amortised_hourly(dec("100"), dec("0.01"), HOURS_1Y), dec("0.021416"));
    }

    #[test]
    fn windows_needs_license_included_and_linux_no_license() {
        let win = compute("X1", "m5.large", "Windows", "License Included", "0.1880000000", "1300", "3366");
        let got = ec2_prices(&win, "us-east-1").expect("test data");
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].os, PriceListOs::Windows);
        assert_eq!(got[0].usd_per_hour, dec("0.188"));
        let byol = compute("X2", "m5.large", "Windows", "Bring your own license", "0.096", "494", "949");
        assert!(ec2_prices(&byol, "us-east-1").expect("test data").is_empty());
        let linux_licensed = compute("X3", "m5.large", "Linux", "License Included", "0.096", "494", "949");
        assert!(ec2_prices(&linux_licensed, "us-east-1").expect("test data").is_empty());
    }

    fn with_attr(doc: &str, name: &str, value: &str) -> String {
        let mut v: serde_json::Value = serde_json::from_str(doc).expect("test data");
        v["product"]["attributes"][name] = serde_json::Value::String(value.to_owned());
        v.to_string()
    }

    #[test]
    fn products_outside_the_filter_are_skipped() {
        for (name, value) in [
            ("tenancy", "Dedicated"),
            ("preInstalledSw", "SQL Web"),
            ("capacitystatus", "UnusedCapacityReservation"),
            ("capacitystatus", "AllocatedCapacityReservation"),
            ("marketoption", "CapacityBlock"),
            ("operatingSystem", "SUSE"),
            ("operatingSystem", "Red Hat Enterprise Linux with HA"),
            ("regionCode", "us-east-2"),
            ("locationType", "AWS Local Zone"),
        ] {
            let doc = with_attr(&m5_large(), name, value);
            assert!(ec2_prices(&doc, "us-east-1").expect("test data").is_empty(), "{name}={value} must be skipped");
        }
        let mut v: serde_json::Value = serde_json::from_str(&m5_large()).expect("test data");
        v["product"]["productFamily"] = "Compute Instance (bare metal)".into();
        assert_eq!(ec2_prices(&v.to_string(), "us-east-1").expect("test data").len(), 3, "metal sizes are kept");
        v["product"]["productFamily"] = "Dedicated Host".into();
        assert!(ec2_prices(&v.to_string(), "us-east-1").expect("test data").is_empty());
    }

    #[test]
    fn no_reserved_term_gives_only_on_demand() {
        let mut v: serde_json::Value = serde_json::from_str(&m5_large()).expect("test data");
        v["terms"]["Reserved"] = serde_json::json!({});
        let got = ec2_prices(&v.to_string(), "us-east-1").expect("test data");
        assert_eq!(got.iter().map(|p| p.term).collect::<Vec<_>>(), vec![Ec2Term::OnDemand]);
        v["terms"].as_object_mut().expect("test data").remove("Reserved");
        assert_eq!(ec2_prices(&v.to_string(), "us-east-1").expect("test data").len(), 1);
    }

    fn refresh_error(e: Error) -> (String, String, String) {
        match e {
            Error::Refresh { api, scope, message } => (api, scope, message),
            other => panic!("expected Error::Refresh, got {other:?}"),
        }
    }

    #[test]
    fn a_price_that_is_not_a_number_names_the_sku() {
        for bad in ["N/A", "0.0x", ""] {
            let doc = compute("BADSKU123", "m5.large", "Linux", "No License required", bad, "494", "949");
            let (api, scope, message) = refresh_error(ec2_prices(&doc, "us-east-1").expect_err("must fail"));
            assert_eq!(api, "GetProducts");
            assert_eq!(scope, "AmazonEC2 us-east-1 m5.large Linux SKU BADSKU123");
            assert!(message.contains(&format!("USD price '{bad}' is not a number")), "{message}");
        }
        let doc = compute("BADSKU124", "m5.large", "Linux", "No License required", "0.096", "4x94", "949");
        let (_, scope, message) = refresh_error(ec2_prices(&doc, "us-east-1").expect_err("must fail"));
        assert!(scope.contains("BADSKU124"), "{scope}");
        assert!(message.contains("'4x94' is not a number"), "{message}");
    }

    #[test]
    fn a_missing_usd_price_is_an_error() {
        let mut v: serde_json::Value = serde_json::from_str(&m5_large()).expect("test data");
        let dims = &mut v["terms"]["OnDemand"]["6K3E3TFMNRPP4AKK.JRTCKXETXF"]["priceDimensions"];
        dims["6K3E3TFMNRPP4AKK.JRTCKXETXF.6YS6EN2CT7"]["pricePerUnit"] = serde_json::json!({"CNY": "0.6"});
        let (_, scope, message) = refresh_error(ec2_prices(&v.to_string(), "us-east-1").expect_err("must fail"));
        assert!(scope.ends_with("SKU 6K3E3TFMNRPP4AKK"), "{scope}");
        assert_eq!(message, "no USD price (pricePerUnit has CNY)");

        let mut v: serde_json::Value = serde_json::from_str(&m5_large()).expect("test data");
        v["terms"].as_object_mut().expect("test data").remove("OnDemand");
        let (_, _, message) = refresh_error(ec2_prices(&v.to_string(), "us-east-1").expect_err("must fail"));
        assert!(message.contains("no OnDemand price"), "{message}");
    }

    #[test]
    fn an_all_upfront_term_without_upfront_fee_is_an_error() {
        let mut v: serde_json::Value = serde_json::from_str(&m5_large()).expect("test data");
        v["terms"]["Reserved"]["6K3E3TFMNRPP4AKK.6QCMYABX3D"]["priceDimensions"]
            .as_object_mut()
            .expect("test data")
            .remove("6K3E3TFMNRPP4AKK.6QCMYABX3D.2TG2D8R56U");
        let (_, _, message) = refresh_error(ec2_prices(&v.to_string(), "us-east-1").expect_err("must fail"));
        assert_eq!(message, "no upfront fee (unit Quantity) in the Reserved standard All Upfront 1yr term");
    }

    #[test]
    fn a_document_that_is_not_json_is_an_error() {
        let doc = m5_large();
        let truncated = &doc[..doc.len() / 2];
        let (api, scope, message) = refresh_error(ec2_prices(truncated, "us-east-1").expect_err("must fail"));
        assert_eq!((api.as_str(), scope.as_str()), ("GetProducts", "AmazonEC2 us-east-1"));
        assert!(message.starts_with("a PriceList entry is not a valid aws_v1 product document"), "{message}");
        let (_, _, message) =
            refresh_error(service_prices("{\"product\":{}}", "AmazonVPC", "us-east-1").expect_err("must fail"));
        assert!(message.contains("missing field `sku`"), "{message}");
    }

    #[test]
    fn merge_keeps_equal_duplicates_and_rejects_conflicts() {
        let a = ec2_prices(&m5_large(), "us-east-1").expect("test data");
        let b = ec2_prices(
            &compute("OTHERSKU", "m5.large", "Linux", "No License required", "0.0960000000", "494", "949"),
            "us-east-1",
        )
        .expect("test data");
        let merged = merge_ec2([a.clone(), b].concat()).expect("test data");
        assert_eq!(merged, a);
        let c = ec2_prices(
            &compute("DIFFSKU", "m5.large", "Linux", "No License required", "0.0970000000", "494", "949"),
            "us-east-1",
        )
        .expect("test data");
        let (_, scope, message) = refresh_error(merge_ec2([a, c].concat()).expect_err("must fail"));
        assert_eq!(scope, "AmazonEC2 us-east-1 m5.large Linux");
        assert!(
            message.contains("0.096 (SKU 6K3E3TFMNRPP4AKK)") && message.contains("0.097 (SKU DIFFSKU)"),
            "{message}"
        );
    }

    /// A one-dimension OnDemand-only product document of any service.
    fn simple(service: &str, family: &str, sku: &str, attrs: serde_json::Value, dims: serde_json::Value) -> String {
        let mut attributes = attrs;
        attributes["servicecode"] = service.into();
        let mut product = serde_json::json!({ "attributes": attributes, "sku": sku });
        if !family.is_empty() {
            product["productFamily"] = family.into();
        }
        serde_json::json!({
            "product": product,
            "serviceCode": service,
            "terms": { "OnDemand": { format!("{sku}.JRTCKXETXF"): {
                "priceDimensions": dims, "sku": sku, "offerTermCode": "JRTCKXETXF", "termAttributes": {}
            }}},
            "version": "20250801000000",
            "publicationDate": "2025-08-01T00:00:00Z"
        })
        .to_string()
    }

    fn dim(unit: &str, usd: &str) -> serde_json::Value {
        serde_json::json!({ "X.JRTCKXETXF.6YS6EN2CT7": {
            "unit": unit, "beginRange": "0", "endRange": "Inf", "pricePerUnit": { "USD": usd }, "appliesTo": []
        }})
    }

    fn one(doc: &str, service: &str) -> (String, String, String, String, Option<Decimal>, Option<Decimal>) {
        let rows = service_prices(doc, service, "us-east-1").expect("test data");
        assert_eq!(rows.len(), 1, "{rows:?}");
        let r = &rows[0];
        (r.service.clone(), r.item.clone(), r.unit.clone(), r.usd.to_string(), r.tier_from, r.tier_to)
    }

    #[test]
    fn ebs_products_become_services_rows() {
        let attrs = |vol: &str, usage: &str| {
            serde_json::json!({
                "volumeApiName": vol, "usagetype": usage, "regionCode": "us-east-1", "locationType": "AWS Region"
            })
        };
        let gp3 =
            simple("AmazonEC2", "Storage", "S1", attrs("gp3", "EBS:VolumeUsage.gp3"), dim("GB-Mo", "0.0800000000"));
        assert_eq!(
            one(&gp3, "AmazonEC2"),
            ("ebs".into(), "gp3 storage".into(), "GB-month".into(), "0.08".into(), None, None)
        );
        let io1 = simple("AmazonEC2", "Storage", "S2", attrs("io1", "EBS:VolumeUsage.piops"), dim("GB-Mo", "0.125"));
        assert_eq!(one(&io1, "AmazonEC2").1, "io1 storage");
        let standard = simple("AmazonEC2", "Storage", "S3", attrs("standard", "EBS:VolumeUsage"), dim("GB-Mo", "0.05"));
        assert!(service_prices(&standard, "AmazonEC2", "us-east-1").expect("test data").is_empty());

        let iops = simple(
            "AmazonEC2",
            "System Operation",
            "S4",
            attrs("gp3", "EBS:VolumeP-IOPS.gp3"),
            dim("IOPS-Mo", "0.005"),
        );
        assert_eq!(one(&iops, "AmazonEC2").1, "gp3 iops above 3000 baseline");
        let tier2 = simple(
            "AmazonEC2",
            "System Operation",
            "S5",
            attrs("io2", "EBS:VolumeP-IOPS.io2.tier2"),
            dim("IOPS-Mo", "0.0455"),
        );
        assert_eq!(
            one(&tier2, "AmazonEC2"),
            (
                "ebs".into(),
                "io2 iops".into(),
                "IOPS-month".into(),
                "0.0455".into(),
                Some(dec("32000")),
                Some(dec("64000"))
            )
        );
        let tier3 = simple(
            "AmazonEC2",
            "System Operation",
            "S6",
            attrs("io2", "USE2-EBS:VolumeP-IOPS.io2.tier3"),
            dim("IOPS-Mo", "0.032"),
        );
        assert_eq!(one(&tier3, "AmazonEC2").4, Some(dec("64000")));
        assert_eq!(one(&tier3, "AmazonEC2").5, None);

        // Listed per GiBps-month: 40.96 / 1024 = 0.04 per MBps-month.
        let tput = simple(
            "AmazonEC2",
            "Provisioned Throughput",
            "S7",
            attrs("gp3", "EBS:VolumeP-Throughput.gp3"),
            dim("GiBps-mo", "40.9600000000"),
        );
        assert_eq!(
            one(&tput, "AmazonEC2"),
            (
                "ebs".into(),
                "gp3 throughput above 125 MBps baseline".into(),
                "MBps-month".into(),
                "0.04".into(),
                None,
                None
            )
        );

        let snap = simple(
            "AmazonEC2",
            "Storage Snapshot",
            "S8",
            serde_json::json!({"usagetype": "EBS:SnapshotArchiveStorage"}),
            dim("GB-Mo", "0.0125"),
        );
        assert_eq!(one(&snap, "AmazonEC2").1, "snapshot archive");
    }

    #[test]
    fn an_unexpected_unit_is_an_error_not_a_wrong_price() {
        let attrs = serde_json::json!({"volumeApiName": "gp3", "usagetype": "EBS:VolumeP-Throughput.gp3"});
        let tput = simple("AmazonEC2", "Provisioned Throughput", "TPUT1", attrs, dim("MiBps-Mo", "0.04"));
        let (_, scope, message) =
            refresh_error(service_prices(&tput, "AmazonEC2", "us-east-1").expect_err("must fail"));
        assert_eq!(scope, "AmazonEC2 us-east-1 SKU TPUT1");
        assert_eq!(message, "price unit 'MiBps-Mo' where 'GiBps-mo' was expected");
    }

    #[test]
    fn nat_and_ipv4_rows_and_their_decoys() {
        let nat = |sku: &str, usage: &str, unit: &str| {
            simple(
                "AmazonEC2",
                "NAT Gateway",
                sku,
                serde_json::json!({"usagetype": usage, "operation": "NatGateway"}),
                dim(unit, "0.045"),
            )
        };
        assert_eq!(one(&nat("N1", "NatGateway-Hours", "Hrs"), "AmazonEC2").1, "nat gateway");
        assert_eq!(one(&nat("N2", "USE1-NatGateway-Bytes", "GB"), "AmazonEC2").1, "nat gateway data processed");
        let regional = nat("N3", "RegionalNatGateway-Hours", "Hrs");
        assert!(service_prices(&regional, "AmazonEC2", "us-east-1").expect("test data").is_empty());

        let ip = |usage: &str| {
            simple(
                "AmazonVPC",
                "",
                "IP1",
                serde_json::json!({"usagetype": usage, "group": "VPCPublicIPv4Address"}),
                dim("Hrs", "0.005"),
            )
        };
        assert_eq!(
            one(&ip("USE1-PublicIPv4:InUseAddress"), "AmazonVPC"),
            ("vpc".into(), "public ipv4 address".into(), "hour".into(), "0.005".into(), None, None)
        );
        assert!(service_prices(&ip("USE1-PublicIPv4:IdleAddress"), "AmazonVPC", "us-east-1")
            .expect("test data")
            .is_empty());
    }

    #[test]
    fn internet_out_tiers_come_from_the_price_dimensions() {
        let tier = |begin: &str, end: &str, usd: &str| {
            serde_json::json!({
                "unit": "GB", "beginRange": begin, "endRange": end, "pricePerUnit": { "USD": usd }, "appliesTo": []
            })
        };
        let dims = serde_json::json!({
            "T.JRTCKXETXF.1": tier("10240", "51200", "0.0850000000"),
            "T.JRTCKXETXF.2": tier("0", "10240", "0.0900000000"),
            "T.JRTCKXETXF.3": tier("153600", "Inf", "0.0500000000"),
            "T.JRTCKXETXF.4": tier("51200", "153600", "0.0700000000"),
        });
        let attrs = serde_json::json!({
            "transferType": "AWS Outbound", "fromRegionCode": "us-east-1", "fromLocation": "US East (N. Virginia)",
            "toLocation": "External", "usagetype": "USE1-DataTransfer-Out-Bytes"
        });
        let doc = simple("AWSDataTransfer", "Data Transfer", "T", attrs.clone(), dims.clone());
        let rows = service_prices(&doc, "AWSDataTransfer", "us-east-1").expect("test data");
        let got: Vec<(String, Option<String>, String)> = rows
            .iter()
            .map(|r| (r.tier_from.expect("test data").to_string(), r.tier_to.map(|t| t.to_string()), r.usd.to_string()))
            .collect();
        let s = |x: &str| x.to_owned();
        assert_eq!(
            got,
            vec![
                (s("0"), Some(s("10240")), s("0.09")),
                (s("10240"), Some(s("51200")), s("0.085")),
                (s("51200"), Some(s("153600")), s("0.07")),
                (s("153600"), None, s("0.05")),
            ]
        );
        assert!(rows.iter().all(|r| r.service == "transfer" && r.item == "internet out" && r.unit == "GB"));

        // From another region, or to somewhere else than the internet: no row.
        let mut other = attrs.clone();
        other["fromRegionCode"] = "us-west-2".into();
        assert!(service_prices(
            &simple("AWSDataTransfer", "Data Transfer", "T2", other, dims.clone()),
            "AWSDataTransfer",
            "us-east-1"
        )
        .expect("test data")
        .is_empty());
        let mut bad = dims;
        bad["T.JRTCKXETXF.1"]["beginRange"] = "ten".into();
        let (_, _, message) = refresh_error(
            service_prices(
                &simple("AWSDataTransfer", "Data Transfer", "T3", attrs, bad),
                "AWSDataTransfer",
                "us-east-1",
            )
            .expect_err("must fail"),
        );
        assert!(message.starts_with("beginRange 'ten' is not a number"), "{message}");
    }

    #[test]
    fn usage_prefixes_are_stripped() {
        assert_eq!(usage_without_prefix("USE1-EBS:VolumeUsage.gp3"), "EBS:VolumeUsage.gp3");
        assert_eq!(usage_without_prefix("EU-DataTransfer-Out-Bytes"), "DataTransfer-Out-Bytes");
        assert_eq!(usage_without_prefix("APN1-NatGateway-Hours"), "NatGateway-Hours");
        assert_eq!(usage_without_prefix("NatGateway-Hours"), "NatGateway-Hours");
        assert_eq!(usage_without_prefix("DataTransfer-Out-Bytes"), "DataTransfer-Out-Bytes");
        assert_eq!(usage_without_prefix("EBS:VolumeUsage.gp3"), "EBS:VolumeUsage.gp3");
    }

    #[test]
    fn merge_services_rejects_two_prices_for_one_item() {
        let row = |sku: &str, usd: &str| ServicePrice {
            region: "us-east-1".into(),
            service: "ebs".into(),
            item: "gp3 storage".into(),
            unit: "GB-month".into(),
            usd: dec(usd),
            tier_from: None,
            tier_to: None,
            note: String::new(),
            sku: sku.into(),
        };
        assert_eq!(
            merge_services(vec![row("B", "0.08"), row("A", "0.08")]).expect("test data"),
            vec![row("A", "0.08")]
        );
        let (_, scope, message) =
            refresh_error(merge_services(vec![row("A", "0.08"), row("B", "0.1")]).expect_err("must fail"));
        assert_eq!(scope, "us-east-1 ebs gp3 storage");
        assert_eq!(message, "two prices for one item: 0.08 (SKU A) and 0.1 (SKU B)");
    }
}
