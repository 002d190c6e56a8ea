//! Monthly network quantities of the whole account (egress, inter-AZ, NAT, public IPv4, VPN) plus service prices in,
//! priced network lines, a total of the priced ones and a message per missing price out.
//!
//! Pure: no files, clock or environment. Prices come from the `transfer` and `vpc` rows of `services.csv`
//! ([`ServicePrices`]) and apply only in the regions the snapshot names for them
//! ([`ServicePrices::regions`]); elsewhere a line stays unpriced (`usd_month: None`), is left out of the
//! total and gets a message in [`NetworkCost::missing`], unless the caller passes a [`PriceOverrides`]
//! price for it. Nothing is guessed and nothing becomes a silent zero.
//!
//! Units: AWS bills data transfer in "GB". rocklift's inventory counts GiB; this module treats one inventory
//! GiB as one billing GB (no 1.073741824 factor), so every `*_gib_month` quantity here is also the billed
//! GB figure. A month is [`HOURS_PER_MONTH`] (730) hours.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::money::{display_rate, HOURS_PER_MONTH};
use crate::pricing::services::{ServicePrices, ServiceRow};

/// Where a priced line's price came from: the offline snapshot (the manifest source id).
pub const SOURCE_SNAPSHOT: &str = "aws-pages";
/// Where a priced line's price came from: a caller override.
pub const SOURCE_OVERRIDE: &str = "override";
/// An unpriced line.
pub const SOURCE_MISSING: &str = "not in snapshot";

/// Override name: one flat $/GB for internet egress that replaces the whole tier table (free 100 GB included).
pub const OVERRIDE_INTERNET_OUT_GB: &str = "internet_out_gb";
/// Override name: $/GB for data into AWS from the internet (used by [`crate::transfer`]).
pub const OVERRIDE_INTERNET_IN_GB: &str = "internet_in_gb";
/// Override name: $/GB crossing availability zones, charged once in each direction.
pub const OVERRIDE_INTER_AZ_GB: &str = "inter_az_gb";
/// Override name: $/hour per NAT gateway.
pub const OVERRIDE_NAT_GATEWAY_HOUR: &str = "nat_gateway_hour";
/// Override name: $/GB processed by a NAT gateway.
pub const OVERRIDE_NAT_GATEWAY_GB: &str = "nat_gateway_gb";
/// Override name: $/hour per public IPv4 address (the same name the estimate uses).
pub const OVERRIDE_PUBLIC_IPV4_HOUR: &str = "public_ipv4_hour";
/// Override name: $/hour per site-to-site VPN connection.
pub const OVERRIDE_VPN_CONNECTION_HOUR: &str = "vpn_connection_hour";

/// Every override name this module and [`crate::transfer`] read, sorted.
pub const OVERRIDE_NAMES: [&str; 7] = [
    OVERRIDE_INTER_AZ_GB,
    OVERRIDE_INTERNET_IN_GB,
    OVERRIDE_INTERNET_OUT_GB,
    OVERRIDE_NAT_GATEWAY_GB,
    OVERRIDE_NAT_GATEWAY_HOUR,
    OVERRIDE_PUBLIC_IPV4_HOUR,
    OVERRIDE_VPN_CONNECTION_HOUR,
];

/// A flat price of the snapshot: its `service,item` key in `services.csv`, its override name and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FlatItem {
    pub service: &'static str,
    pub item: &'static str,
    pub override_name: &'static str,
    pub describe: &'static str,
}

pub(crate) const INTERNET_IN: FlatItem = FlatItem {
    service: "transfer",
    item: "internet in",
    override_name: OVERRIDE_INTERNET_IN_GB,
    describe: "data transfer in from the internet ($/GB)",
};
const INTER_AZ: FlatItem = FlatItem {
    service: "transfer",
    item: "inter-az",
    override_name: OVERRIDE_INTER_AZ_GB,
    describe: "inter-AZ data transfer ($/GB each direction)",
};
const NAT_HOUR: FlatItem = FlatItem {
    service: "vpc",
    item: "nat gateway",
    override_name: OVERRIDE_NAT_GATEWAY_HOUR,
    describe: "NAT gateway ($/hour)",
};
const NAT_GB: FlatItem = FlatItem {
    service: "vpc",
    item: "nat gateway data processed",
    override_name: OVERRIDE_NAT_GATEWAY_GB,
    describe: "NAT gateway data processed ($/GB)",
};
const IPV4_HOUR: FlatItem = FlatItem {
    service: "vpc",
    item: "public ipv4 address",
    override_name: OVERRIDE_PUBLIC_IPV4_HOUR,
    describe: "public IPv4 address ($/hour)",
};
const VPN_HOUR: FlatItem = FlatItem {
    service: "vpc",
    item: "site-to-site vpn connection",
    override_name: OVERRIDE_VPN_CONNECTION_HOUR,
    describe: "site-to-site VPN connection ($/hour)",
};
const EGRESS_SERVICE: &str = "transfer";
const EGRESS_ITEM: &str = "internet out";
const EGRESS_DESCRIBE: &str = "internet egress tiers ($/GB)";

/// Network use of the whole account for one month. Data quantities are GiB a month, billed as GB (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkInputs {
    /// Data out to the internet, summed over all servers: the tiers and the free first 100 GB apply to the
    /// account total, once, never per server.
    pub egress_gib_month: Decimal,
    /// Data crossing availability zones inside the region, counted once (the sum of both directions of
    /// traffic, not doubled); AWS bills each GB out of one AZ and again into the other.
    pub inter_az_gib_month: Decimal,
    /// NAT gateways running all month (730 h each).
    pub nat_gateways: u32,
    /// Data processed by all NAT gateways.
    pub nat_processed_gib_month: Decimal,
    /// Public IPv4 address-hours a month that are not priced elsewhere (the estimate already prices one per
    /// public server); e.g. a NAT gateway's Elastic IP. See [`NetworkInputs::ipv4_hours_for`].
    pub public_ipv4_hours_month: Decimal,
    /// Site-to-site VPN connections up all month (730 h each).
    pub vpn_connections: u32,
}

impl NetworkInputs {
    /// Address-hours of `addresses` public IPv4 addresses held all month: `addresses × 730`.
    pub fn ipv4_hours_for(addresses: u32) -> Decimal {
        Decimal::from(addresses) * HOURS_PER_MONTH
    }
}

/// Prices given by the caller (e.g. `[prices."REGION"]` in rocklift.toml): override name → $ per unit.
/// They beat the snapshot. Names this module does not read (e.g. `ebs_gp3_gib_month`) are ignored, so the
/// whole `[prices."REGION"]` table of the settings can be passed as it is; see [`OVERRIDE_NAMES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceOverrides(pub BTreeMap<String, Decimal>);

impl PriceOverrides {
    pub fn new() -> Self {
        Self::default()
    }

    /// The same overrides plus `name = usd`.
    pub fn with(mut self, name: &str, usd: Decimal) -> Self {
        self.0.insert(name.to_owned(), usd);
        self
    }

    pub fn get(&self, name: &str) -> Option<Decimal> {
        self.0.get(name).copied()
    }
}

impl From<BTreeMap<String, Decimal>> for PriceOverrides {
    fn from(m: BTreeMap<String, Decimal>) -> Self {
        PriceOverrides(m)
    }
}

/// One band of the internet egress price: GB `from_gb` (inclusive) up to `to_gb` (exclusive, `None` = no end)
/// of the month's account total cost `usd_per_gb` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub from_gb: Decimal,
    pub to_gb: Option<Decimal>,
    pub usd_per_gb: Decimal,
}

/// One priced (or unpriced) network cost of the month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NetworkLine {
    pub item: String,
    /// Billed quantity in `unit` (for inter-AZ: GB billed, both directions counted).
    pub quantity: Decimal,
    pub unit: String,
    /// `None` when the price is not known for the region: left out of the total.
    pub usd_month: Option<Decimal>,
    /// How the figure was made, e.g. `2 gateways × 730 h × $0.045/h`.
    pub detail: String,
    /// [`SOURCE_SNAPSHOT`], [`SOURCE_OVERRIDE`] or [`SOURCE_MISSING`].
    pub source: String,
}

/// The network cost of one month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NetworkCost {
    pub region: String,
    /// One line per item with a non-zero quantity, in a fixed order.
    pub lines: Vec<NetworkLine>,
    /// One message per price the snapshot lacks in `region` (and no override gives), naming the fix.
    pub missing: Vec<String>,
    /// Sum of the priced lines only.
    pub total_usd_month: Decimal,
}

/// The message for a price the offline snapshot lacks in `region`.
pub(crate) fn missing_message(prices: &ServicePrices, region: &str, describe: &str, override_name: &str) -> String {
    let regions = prices.known_regions();
    let known = if regions.is_empty() { "no region".to_owned() } else { regions.join(", ") };
    format!(
        "{describe} in {region} is not in the offline snapshot (it has these for {known} only): left out of the totals. \
         Add a [prices.\"{region}\"] {override_name} = \"PRICE\" override in rocklift.toml"
    )
}

/// A flat price: the override first, then the snapshot; `(price, source)`.
pub(crate) fn flat_price(
    prices: &ServicePrices,
    region: &str,
    overrides: &PriceOverrides,
    item: FlatItem,
) -> Option<(Decimal, &'static str)> {
    if let Some(p) = overrides.get(item.override_name) {
        return Some((p, SOURCE_OVERRIDE));
    }
    prices.flat(region, item.service, item.item).map(|p| (p, SOURCE_SNAPSHOT))
}

/// The internet egress tiers of the `transfer,internet out` rows, sorted by `tier_from`. They must start at 0,
/// follow each other without gap or overlap and end with one open tier; anything else is an error naming the row.
pub fn internet_out_tiers<'a>(
    rows: impl IntoIterator<Item = &'a ServiceRow>,
) -> std::result::Result<Vec<Tier>, String> {
    let parse = |what: &str, s: &str| {
        Decimal::from_str(s.trim()).map_err(|e| format!("transfer,internet out: {what} '{s}' is not a number: {e}"))
    };
    let mut tiers = Vec::new();
    for r in rows.into_iter().filter(|r| r.service == EGRESS_SERVICE && r.item == EGRESS_ITEM) {
        let from_gb = parse("tier_from", &r.tier_from)?;
        let to_gb = if r.tier_to.trim().is_empty() { None } else { Some(parse("tier_to", &r.tier_to)?) };
        let usd_per_gb = parse("usd", &r.usd)?;
        if usd_per_gb.is_sign_negative() {
            return Err(format!("transfer,internet out: negative price {usd_per_gb}"));
        }
        tiers.push(Tier { from_gb, to_gb, usd_per_gb });
    }
    if tiers.is_empty() {
        return Err("no transfer,internet out rows".into());
    }
    tiers.sort_by_key(|t| t.from_gb);
    if !tiers[0].from_gb.is_zero() {
        return Err(format!("transfer,internet out: the first tier starts at {} GB, not 0", tiers[0].from_gb));
    }
    for (i, t) in tiers.iter().enumerate() {
        let next = tiers.get(i + 1);
        match (t.to_gb, next) {
            (Some(to), _) if to <= t.from_gb => {
                return Err(format!("transfer,internet out: tier {}–{to} GB is empty", t.from_gb));
            }
            (Some(to), Some(n)) if n.from_gb != to => {
                return Err(format!(
                    "transfer,internet out: tier ending at {to} GB is followed by one from {} GB",
                    n.from_gb
                ));
            }
            (Some(to), None) => return Err(format!("transfer,internet out: the last tier ends at {to} GB, not open")),
            (None, Some(n)) => {
                return Err(format!(
                    "transfer,internet out: an open tier from {} GB is followed by one from {} GB",
                    t.from_gb, n.from_gb
                ))
            }
            _ => {}
        }
    }
    Ok(tiers)
}

/// `gib` of one month's account egress spread over `tiers` (sorted, contiguous, as [`internet_out_tiers`] gives):
/// each tier the total reaches, with the GB that fall in it and their cost. Tiers the total does not reach are
/// left out; a free tier that is used appears with cost 0.
pub fn egress_tiered(gib: Decimal, tiers: &[Tier]) -> Vec<(Tier, Decimal, Decimal)> {
    let mut out = Vec::new();
    for t in tiers {
        let upper = t.to_gb.map_or(gib, |to| gib.min(to));
        let qty = upper - t.from_gb;
        if qty > Decimal::ZERO {
            out.push((t.clone(), qty, t.usd_per_gb * qty));
        }
    }
    out
}

fn gb_range(t: &Tier) -> String {
    match t.to_gb {
        Some(to) => format!("{}–{} GB", t.from_gb.normalize(), to.normalize()),
        None => format!("over {} GB", t.from_gb.normalize()),
    }
}

/// Price one month of network use in `region`. Items with a zero quantity give no line and need no price.
///
/// - Internet egress: the account total through the `transfer,internet out` tiers (free first tier counted once
///   for the account), or, with the `internet_out_gb` override, that flat price on every GB (the override replaces
///   the whole tier table, free allowance included, so it errs high by at most the free GB × the price).
/// - Inter-AZ: `inter_az_gib_month × 2 × $/GB`: AWS charges the GB out of the sending AZ and again into the
///   receiving one (the line's quantity is the billed GB, i.e. twice the input).
/// - NAT gateway: `gateways × 730 h × $/h`, and `processed GB × $/GB` as its own line.
/// - Public IPv4: `address-hours × $/h`.
/// - Site-to-site VPN: `connections × 730 h × $/h`.
///
/// Errors ([`Error::Usage`]) on a negative quantity, naming the field.
pub fn price_network(
    inputs: &NetworkInputs,
    prices: &ServicePrices,
    region: &str,
    overrides: &PriceOverrides,
) -> Result<NetworkCost> {
    for (name, v) in [
        ("egress_gib_month", inputs.egress_gib_month),
        ("inter_az_gib_month", inputs.inter_az_gib_month),
        ("nat_processed_gib_month", inputs.nat_processed_gib_month),
        ("public_ipv4_hours_month", inputs.public_ipv4_hours_month),
    ] {
        if v.is_sign_negative() && !v.is_zero() {
            return Err(Error::Usage(format!("network {name} = {v}: expected zero or more")));
        }
    }
    let mut lines = Vec::new();
    let mut missing = Vec::new();

    if inputs.egress_gib_month > Decimal::ZERO {
        lines.push(egress_line(inputs.egress_gib_month, prices, region, overrides, &mut missing));
    }
    if inputs.inter_az_gib_month > Decimal::ZERO {
        let q = inputs.inter_az_gib_month;
        let billed = q * Decimal::TWO;
        lines.push(flat_line(
            prices,
            region,
            overrides,
            INTER_AZ,
            ("inter-AZ data transfer", billed, "GB"),
            |rate| {
                format!(
                    "{} GB crossing AZs, billed out of one AZ and into the other: 2 × {} GB × ${}/GB",
                    q.normalize(),
                    q.normalize(),
                    display_rate(rate)
                )
            },
            &mut missing,
        ));
    }
    if inputs.nat_gateways > 0 {
        let n = inputs.nat_gateways;
        let hours = Decimal::from(n) * HOURS_PER_MONTH;
        lines.push(flat_line(
            prices,
            region,
            overrides,
            NAT_HOUR,
            ("NAT gateway", hours, "hour"),
            |rate| format!("{n} gateway{} × {HOURS_PER_MONTH} h × ${}/h", plural(n), display_rate(rate)),
            &mut missing,
        ));
    }
    if inputs.nat_processed_gib_month > Decimal::ZERO {
        let q = inputs.nat_processed_gib_month;
        lines.push(flat_line(
            prices,
            region,
            overrides,
            NAT_GB,
            ("NAT gateway data processed", q, "GB"),
            |rate| format!("{} GB × ${}/GB", q.normalize(), display_rate(rate)),
            &mut missing,
        ));
    }
    if inputs.public_ipv4_hours_month > Decimal::ZERO {
        let h = inputs.public_ipv4_hours_month;
        lines.push(flat_line(
            prices,
            region,
            overrides,
            IPV4_HOUR,
            ("public IPv4 address", h, "hour"),
            |rate| format!("{} address-hours × ${}/h", h.normalize(), display_rate(rate)),
            &mut missing,
        ));
    }
    if inputs.vpn_connections > 0 {
        let n = inputs.vpn_connections;
        let hours = Decimal::from(n) * HOURS_PER_MONTH;
        lines.push(flat_line(
            prices,
            region,
            overrides,
            VPN_HOUR,
            ("site-to-site VPN connection", hours, "hour"),
            |rate| format!("{n} connection{} × {HOURS_PER_MONTH} h × ${}/h", plural(n), display_rate(rate)),
            &mut missing,
        ));
    }
    let total_usd_month = lines.iter().filter_map(|l| l.usd_month).sum::<Decimal>().normalize();
    Ok(NetworkCost { region: region.to_owned(), lines, missing, total_usd_month })
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn flat_line(
    prices: &ServicePrices,
    region: &str,
    overrides: &PriceOverrides,
    item: FlatItem,
    (name, quantity, unit): (&str, Decimal, &str),
    detail: impl Fn(Decimal) -> String,
    missing: &mut Vec<String>,
) -> NetworkLine {
    match flat_price(prices, region, overrides, item) {
        Some((rate, source)) => NetworkLine {
            item: name.to_owned(),
            quantity: quantity.normalize(),
            unit: unit.to_owned(),
            usd_month: Some((rate * quantity).normalize()),
            detail: detail(rate),
            source: source.to_owned(),
        },
        None => {
            missing.push(missing_message(prices, region, item.describe, item.override_name));
            NetworkLine {
                item: name.to_owned(),
                quantity: quantity.normalize(),
                unit: unit.to_owned(),
                usd_month: None,
                detail: format!("no {} for {region}", item.describe),
                source: SOURCE_MISSING.to_owned(),
            }
        }
    }
}

fn egress_line(
    gib: Decimal,
    prices: &ServicePrices,
    region: &str,
    overrides: &PriceOverrides,
    missing: &mut Vec<String>,
) -> NetworkLine {
    let line = |usd: Option<Decimal>, detail: String, source: &str| NetworkLine {
        item: "internet egress".to_owned(),
        quantity: gib.normalize(),
        unit: "GB".to_owned(),
        usd_month: usd.map(|u| u.normalize()),
        detail,
        source: source.to_owned(),
    };
    if let Some(rate) = overrides.get(OVERRIDE_INTERNET_OUT_GB) {
        return line(
            Some(rate * gib),
            format!(
                "account total {} GB × ${}/GB flat ({OVERRIDE_INTERNET_OUT_GB} override; replaces the snapshot tiers and their free allowance)",
                gib.normalize(),
                display_rate(rate)
            ),
            SOURCE_OVERRIDE,
        );
    }
    if !prices.knows(region) {
        missing.push(missing_message(prices, region, EGRESS_DESCRIBE, OVERRIDE_INTERNET_OUT_GB));
        return line(None, format!("no {EGRESS_DESCRIBE} for {region}"), SOURCE_MISSING);
    }
    match internet_out_tiers(prices.rows_for(region)) {
        Ok(tiers) => {
            let used = egress_tiered(gib, &tiers);
            let usd = used.iter().map(|(_, _, u)| *u).sum::<Decimal>();
            let parts: Vec<String> = used
                .iter()
                .map(|(t, q, _)| {
                    let free = if t.usd_per_gb.is_zero() { ", free once per account" } else { "" };
                    format!("{} GB × ${}/GB ({}{free})", q.normalize(), display_rate(t.usd_per_gb), gb_range(t))
                })
                .collect();
            line(Some(usd), format!("account total, tiered: {}", parts.join(" + ")), SOURCE_SNAPSHOT)
        }
        Err(e) => {
            missing.push(format!(
                "{EGRESS_DESCRIBE} in {region}: the offline snapshot's rows are unusable ({e}): left out of the totals. \
                 Add a [prices.\"{region}\"] {OVERRIDE_INTERNET_OUT_GB} = \"PRICE\" override in rocklift.toml"
            ));
            line(None, format!("{EGRESS_DESCRIBE} unusable: {e}"), SOURCE_MISSING)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(item: &str, usd: &str, from: &str, to: &str) -> ServiceRow {
        ServiceRow {
            service: "transfer".into(),
            item: item.into(),
            unit: "GB".into(),
            usd: usd.into(),
            tier_from: from.into(),
            tier_to: to.into(),
            note: String::new(),
            region: String::new(),
        }
    }

    #[test]
    fn tiers_are_sorted_and_checked() {
        let rows = vec![row("internet out", "0.05", "100", ""), row("internet out", "0", "0", "100")];
        let t = internet_out_tiers(&rows).expect("valid");
        assert_eq!(t[0].from_gb, Decimal::ZERO);
        assert_eq!(t[1].to_gb, None);
        let gap = vec![row("internet out", "0", "0", "100"), row("internet out", "0.05", "200", "")];
        assert!(internet_out_tiers(&gap).expect_err("gap").contains("followed by one from 200"));
        let closed = vec![row("internet out", "0", "0", "100")];
        assert!(internet_out_tiers(&closed).expect_err("closed").contains("not open"));
        assert!(internet_out_tiers(&[]).is_err());
    }

    #[test]
    fn negative_quantity_is_a_usage_error() {
        let inputs = NetworkInputs { egress_gib_month: Decimal::NEGATIVE_ONE, ..Default::default() };
        let e =
            price_network(&inputs, &ServicePrices::default(), "us-east-1", &PriceOverrides::new()).expect_err("neg");
        assert!(e.to_string().contains("egress_gib_month"));
    }

    #[test]
    fn unusable_tiers_are_missing_not_zero() {
        let prices = ServicePrices {
            rows: vec![row("internet out", "0.09", "100", "")],
            regions: vec!["us-east-1".into()],
            ..Default::default()
        };
        let inputs = NetworkInputs { egress_gib_month: Decimal::from(500), ..Default::default() };
        let c = price_network(&inputs, &prices, "us-east-1", &PriceOverrides::new()).expect("priced");
        assert_eq!(c.lines[0].usd_month, None);
        assert_eq!(c.missing.len(), 1);
        assert!(c.missing[0].contains("not 0"), "{}", c.missing[0]);
    }
}
