//! `prices/REGION.csv.gz` in, one region's EC2 prices out: per type, per OS (linux, rhel, windows), per term, with the source of each.
//!
//! Only the regions asked for are read, so a start-up never parses the whole snapshot.
//!
//! A price of 0 is unknown, never free: the EC2 sources write 0 where a type is not sold on that
//! term (u-6tb1.metal on-demand), and AWS charges for every instance hour. So a 0 cell reads as no
//! price, for every reader (plan, `pricing show`, `instances`, refresh, diff). A price below 0 is
//! a damaged file.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::sanity::{self, Fixes, DERIVED_SOURCE};
use super::snapshot::Snapshot;
use crate::error::{Error, Result};

/// The operating system a price is for. `linux` is also the price of Rocky Linux (no licence charge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceOs {
    Linux,
    Rhel,
    Windows,
}

impl PriceOs {
    pub const ALL: [PriceOs; 3] = [PriceOs::Linux, PriceOs::Rhel, PriceOs::Windows];

    pub fn as_str(self) -> &'static str {
        match self {
            PriceOs::Linux => "linux",
            PriceOs::Rhel => "rhel",
            PriceOs::Windows => "windows",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for PriceOs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the capacity is bought. Reserved prices are Standard, all upfront, amortised per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Term {
    OnDemand,
    Spot,
    Reserved1y,
    Reserved3y,
}

impl Term {
    pub const ALL: [Term; 4] = [Term::OnDemand, Term::Spot, Term::Reserved1y, Term::Reserved3y];

    pub fn as_str(self) -> &'static str {
        match self {
            Term::OnDemand => "on-demand",
            Term::Spot => "spot (average)",
            Term::Reserved1y => "reserved 1yr all-upfront",
            Term::Reserved3y => "reserved 3yr all-upfront",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Whether the type is offered in the region, by the offerings data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Offered {
    Yes,
    No,
    /// The snapshot has no offerings list for this region; a price is taken as "offered".
    Unknown,
}

/// The prices of one type in one region.
#[derive(Debug, Clone, PartialEq)]
pub struct TypePrices {
    pub offered: Offered,
    prices: [[Option<Decimal>; 4]; 3],
    /// Source id (manifest) of the linux on-demand price.
    pub linux_od_source: String,
    /// Source id of the other on-demand and reserved prices (`prices_src` column; `vantage` when absent).
    pub prices_source: String,
    /// Source id of the spot prices (`spot_src` column; `vantage` when absent).
    pub spot_source: String,
    /// The prices derived by the licence rule of [`sanity`] (their source is [`DERIVED_SOURCE`]).
    fixes: Fixes,
}

impl TypePrices {
    pub fn get(&self, os: PriceOs, term: Term) -> Option<Decimal> {
        self.prices[os.index()][term.index()]
    }

    /// The manifest source id of a price, or [`DERIVED_SOURCE`] for a price the licence rule derived.
    pub fn source(&self, os: PriceOs, term: Term) -> &str {
        if self.is_derived(os, term) {
            DERIVED_SOURCE
        } else {
            self.data_source(os, term)
        }
    }

    /// Was this price derived by the licence rule of [`sanity`] (Linux's price of the term plus the
    /// on-demand licence difference) rather than read from its source?
    pub fn is_derived(&self, os: PriceOs, term: Term) -> bool {
        self.fixes.derived[os.index()][term.index()]
    }

    /// The manifest source id of the data a price comes from (for a derived one: of the prices it
    /// was derived from).
    pub fn data_source(&self, os: PriceOs, term: Term) -> &str {
        if os == PriceOs::Linux && term == Term::OnDemand {
            &self.linux_od_source
        } else if term == Term::Spot {
            &self.spot_source
        } else {
            &self.prices_source
        }
    }

    /// Usable for a placement: not known to be absent from the region.
    pub fn is_offered(&self) -> bool {
        self.offered != Offered::No
    }
}

/// One region's EC2 prices.
#[derive(Debug, Clone)]
pub struct RegionPrices {
    pub region: String,
    types: HashMap<String, TypePrices>,
}

pub fn file_for(region: &str) -> String {
    format!("prices/{region}.csv.gz")
}

/// The source id of prices whose file has no `prices_src` / `spot_src` column (the bundled snapshot).
pub const DEFAULT_SOURCE: &str = "vantage";

/// The columns of `prices/REGION.csv.gz`; a refreshed snapshot adds [`SOURCE_COLUMNS`].
pub const COLUMNS: [&str; 15] = [
    "instance_type",
    "offered",
    "linux_od",
    "linux_od_src",
    "linux_spot",
    "linux_ri1",
    "linux_ri3",
    "rhel_od",
    "rhel_spot",
    "rhel_ri1",
    "rhel_ri3",
    "windows_od",
    "windows_spot",
    "windows_ri1",
    "windows_ri3",
];

/// Optional last columns: the source ids of the prices other than linux on-demand, and of the spot prices.
pub const SOURCE_COLUMNS: [&str; 2] = ["prices_src", "spot_src"];

impl RegionPrices {
    pub fn load(snapshot: &Snapshot, region: &str) -> Result<Self> {
        if !snapshot.manifest.has_region(region) {
            return Err(Error::NotFound(format!(
                "region '{region}' is not in the pricing snapshot; it has: {}",
                snapshot.manifest.regions.join(", ")
            )));
        }
        let rel = file_for(region);
        let bytes = snapshot.read(&rel)?;
        Self::parse(region, &bytes)
            .map_err(|message| Error::Snapshot { location: format!("{}/{rel}", snapshot.origin), message })
    }

    pub fn parse(region: &str, bytes: &[u8]) -> Result<Self, String> {
        let mut rdr = csv::Reader::from_reader(bytes);
        let header = rdr.headers().map_err(|e| e.to_string())?.clone();
        let with_sources = header.iter().eq(COLUMNS.iter().chain(SOURCE_COLUMNS.iter()).copied());
        if !with_sources && header.iter().ne(COLUMNS.iter().copied()) {
            return Err(format!("unexpected columns {:?}", header.iter().collect::<Vec<_>>()));
        }
        let mut types = HashMap::new();
        let mut rec = csv::StringRecord::new();
        let mut line = 1u64;
        while rdr.read_record(&mut rec).map_err(|e| e.to_string())? {
            line += 1;
            let offered = match &rec[1] {
                "y" => Offered::Yes,
                "n" => Offered::No,
                "" => Offered::Unknown,
                other => return Err(format!("line {line}: offered '{other}'")),
            };
            let mut prices = [[None; 4]; 3];
            let mut col = 2;
            for os in PriceOs::ALL {
                for term in Term::ALL {
                    let cell = &rec[col];
                    if !cell.is_empty() {
                        let d = Decimal::from_str(cell)
                            .map_err(|e| format!("line {line}: {}: '{cell}': {e}", COLUMNS[col]))?;
                        if d.is_sign_negative() && !d.is_zero() {
                            return Err(format!("line {line}: {}: '{cell}' is below zero", COLUMNS[col]));
                        }
                        // 0 means "not sold on this term" in the sources: unknown, not free.
                        prices[os.index()][term.index()] = Some(d).filter(|d| !d.is_zero());
                    }
                    col += 1;
                    if os == PriceOs::Linux && term == Term::OnDemand {
                        col += 1; // linux_od_src
                    }
                }
            }
            let source = |i: usize| {
                if with_sources && !rec[i].is_empty() {
                    rec[i].to_owned()
                } else {
                    DEFAULT_SOURCE.to_owned()
                }
            };
            let (prices_source, spot_source) = (source(COLUMNS.len()), source(COLUMNS.len() + 1));
            let fixes = sanity::licence_floor(&mut prices);
            types.insert(
                rec[0].to_owned(),
                TypePrices { offered, prices, linux_od_source: rec[3].to_owned(), prices_source, spot_source, fixes },
            );
        }
        Ok(RegionPrices { region: region.to_owned(), types })
    }

    pub fn get(&self, instance_type: &str) -> Option<&TypePrices> {
        self.types.get(instance_type)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &TypePrices)> {
        self.types.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(row: &str) -> String {
        format!("{}\n{row}\n", COLUMNS.join(","))
    }

    #[test]
    fn a_zero_price_is_unknown_not_free() {
        let book =
            RegionPrices::parse("us-east-1", csv("u-6tb1.metal,n,0,vantage,,,,4.301,,,,20.608,,0.0000,").as_bytes())
                .expect("parses");
        let tp = book.get("u-6tb1.metal").expect("the type");
        assert_eq!(tp.get(PriceOs::Linux, Term::OnDemand), None);
        assert_eq!(tp.get(PriceOs::Windows, Term::Reserved1y), None);
        assert_eq!(tp.get(PriceOs::Rhel, Term::OnDemand), Some(Decimal::from_str("4.301").expect("dec")));
        assert_eq!(tp.get(PriceOs::Windows, Term::OnDemand), Some(Decimal::from_str("20.608").expect("dec")));
    }

    #[test]
    fn a_price_below_zero_is_a_located_error() {
        let e = RegionPrices::parse("us-east-1", csv("m7i.large,y,-0.1,vantage,,,,,,,,,,,").as_bytes())
            .expect_err("refused");
        assert_eq!(e, "line 2: linux_od: '-0.1' is below zero");
    }
}
