//! The snapshot in use plus what a refresh fetched in, the files and manifest of the new snapshot out (same format as `pricing-cache/`).
//!
//! A refresh replaces only what it fetched and keeps the rest of the snapshot it started from, saying so
//! in the manifest:
//!
//! - `prices/REGION.csv.gz` of a refreshed region: with `ec2`, every on-demand and reserved price comes
//!   from the Price List API (a type it no longer lists loses its price); with `spot`, `linux_spot` is the
//!   mean of the spot price history (the history is Linux/UNIX only, so `rhel_spot` and `windows_spot`
//!   become unknown); with offerings, `offered` is `y` or `n`. Source ids go in `linux_od_src`,
//!   `prices_src` and `spot_src`. Other regions' files are copied unchanged.
//! - `instance-types.csv`: the DescribeInstanceTypes records of the refreshed regions replace the rows of
//!   the same types; types the APIs did not return keep their rows.
//! - `services.csv`: the fetched prices are added as rows naming their region; the region-less rows stay.
//! - `images.csv`: the newest Rocky images replace the rows of the same region, arch and version.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::ec2_api::{instance_type_csv_fields, INSTANCE_TYPES_CSV_HEADER};
use super::records::{
    Ec2Price, Ec2Term, InstanceTypeRecord, Offering, PriceListOs, RockyImage, ServicePrice, SpotAverage,
};
use crate::error::{Error, Result};
use crate::pricing::cache::SnapshotFile;
use crate::pricing::manifest::{Manifest, Source};
use crate::pricing::price_book::{self, COLUMNS, DEFAULT_SOURCE, SOURCE_COLUMNS};
use crate::pricing::{catalog, images, services, Snapshot};

/// Source id of prices from the Price List API.
pub const SOURCE_PRICE_LIST: &str = "price-list-api";
/// Source id of DescribeInstanceTypes / DescribeInstanceTypeOfferings / DescribeImages records.
pub const SOURCE_EC2_API: &str = "ec2-api";
/// Source id of DescribeSpotPriceHistory means.
pub const SOURCE_SPOT: &str = "ec2-spot-history";

/// Everything one refresh fetched; `None` where the service was not asked for.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// The regions refreshed, sorted.
    pub regions: Vec<String>,
    pub ec2_prices: Option<Vec<Ec2Price>>,
    pub service_prices: Option<Vec<ServicePrice>>,
    pub instance_types: Option<Vec<InstanceTypeRecord>>,
    pub offerings: Option<Vec<Offering>>,
    pub images: Option<Vec<RockyImage>>,
    pub spot: Option<Vec<SpotAverage>>,
    /// Days of spot history the means are over.
    pub spot_window_days: u32,
    /// What the APIs did not give (items with no product), for the user.
    pub warnings: Vec<String>,
}

/// The manifest (without files; [`crate::pricing::cache::write_snapshot`] adds them) and files of the new snapshot.
pub fn assemble(base: &Snapshot, fetched: &Fetched, now: DateTime<Utc>) -> Result<(Manifest, Vec<SnapshotFile>)> {
    let today = now.format("%Y-%m-%d").to_string();
    let mut files = Vec::new();
    let mut manifest = base.manifest.clone();
    manifest.files.clear();
    manifest.written_at = None;
    manifest.built_by = format!("rocklift {} pricing refresh", env!("CARGO_PKG_VERSION"));

    for region in &fetched.regions {
        let none = |api: &str, what: &str| Error::Refresh {
            api: api.to_owned(),
            scope: region.clone(),
            message: format!("the API gave no {what} for {region}: refusing to write a snapshot without them"),
        };
        if fetched.ec2_prices.as_ref().is_some_and(|p| !p.iter().any(|p| &p.region == region)) {
            return Err(none("GetProducts", "EC2 prices"));
        }
        if fetched.offerings.as_ref().is_some_and(|o| !o.iter().any(|o| &o.region == region)) {
            return Err(none("DescribeInstanceTypeOfferings", "instance type offerings"));
        }
    }
    if fetched.instance_types.as_ref().is_some_and(Vec::is_empty) {
        return Err(Error::Refresh {
            api: "DescribeInstanceTypes".to_owned(),
            scope: fetched.regions.join(", "),
            message: "the API gave no instance types: refusing to write a snapshot without them".to_owned(),
        });
    }

    // prices/REGION.csv.gz
    let mut regions: BTreeSet<String> = base.manifest.regions.iter().cloned().collect();
    let refreshed_prices = fetched.ec2_prices.is_some() || fetched.spot.is_some() || fetched.offerings.is_some();
    for region in &fetched.regions {
        if refreshed_prices {
            regions.insert(region.clone());
        }
    }
    for region in &regions {
        let rel = price_book::file_for(region);
        let in_base = base.manifest.has_region(region);
        if !fetched.regions.contains(region) || !refreshed_prices {
            if in_base {
                // Copied as stored (gzipped), byte for byte.
                let bytes = base.read_verified(&rel)?;
                files.push(SnapshotFile { path: rel.clone(), bytes, sources: base_sources(base, &rel) });
            }
            continue;
        }
        let base_rows = if in_base {
            read_price_rows(&base.read(&rel)?).map_err(|message| Error::Snapshot { location: rel.clone(), message })?
        } else {
            BTreeMap::new()
        };
        let (bytes, sources) = region_prices(region, base_rows, base_sources(base, &rel), fetched)?;
        files.push(SnapshotFile { path: rel, bytes: gzip(&bytes, &format!("prices/{region}.csv.gz"))?, sources });
    }
    manifest.regions = regions.into_iter().collect();
    if let Some(offerings) = &fetched.offerings {
        let with: BTreeSet<&str> = offerings.iter().map(|o| o.region.as_str()).collect();
        manifest.regions_without_offerings.retain(|r| !with.contains(r.as_str()));
    }

    // instance-types.csv
    let types_rel = catalog::FILE;
    let base_types = base.read(types_rel)?;
    match &fetched.instance_types {
        Some(records) => {
            let bytes = merge_instance_types(&base_types, records)
                .map_err(|message| Error::Snapshot { location: types_rel.to_owned(), message })?;
            let mut sources = base_sources(base, types_rel);
            push_unique(&mut sources, SOURCE_EC2_API);
            files.push(SnapshotFile { path: types_rel.to_owned(), bytes, sources });
        }
        None => files.push(copy(base, types_rel, base_types)),
    }

    // services.csv
    let services_bytes = base.read(services::FILE)?;
    match &fetched.service_prices {
        Some(prices) => {
            let bytes = merge_services(&services_bytes, prices, &fetched.regions)
                .map_err(|message| Error::Snapshot { location: services::FILE.to_owned(), message })?;
            let mut sources = base_sources(base, services::FILE);
            push_unique(&mut sources, SOURCE_PRICE_LIST);
            files.push(SnapshotFile { path: services::FILE.to_owned(), bytes, sources });
        }
        None => files.push(copy(base, services::FILE, services_bytes)),
    }

    // images.csv
    let images_bytes = base.read(images::FILE)?;
    match &fetched.images {
        Some(found) => {
            let bytes = merge_images(&images_bytes, found, &now)
                .map_err(|message| Error::Snapshot { location: images::FILE.to_owned(), message })?;
            let mut sources = base_sources(base, images::FILE);
            push_unique(&mut sources, SOURCE_EC2_API);
            files.push(SnapshotFile { path: images::FILE.to_owned(), bytes, sources });
        }
        None => files.push(copy(base, images::FILE, images_bytes)),
    }

    // Sources and dates.
    let regions_text = fetched.regions.join(", ");
    if fetched.ec2_prices.is_some() || fetched.service_prices.is_some() {
        add_source(
            &mut manifest,
            SOURCE_PRICE_LIST,
            "EC2 on-demand and Standard all-upfront reserved $/h (amortised), EBS, data transfer, NAT gateway and public IPv4 prices",
            &format!("AWS Price List API GetProducts (aws-sdk-pricing), regions {regions_text}"),
            &today,
        );
    }
    if fetched.instance_types.is_some() || fetched.offerings.is_some() || fetched.images.is_some() {
        add_source(
            &mut manifest,
            SOURCE_EC2_API,
            "instance type specs, offerings per region, newest official Rocky Linux images (owner 792107900819)",
            &format!("Amazon EC2 API DescribeInstanceTypes, DescribeInstanceTypeOfferings, DescribeImages (aws-sdk-ec2), regions {regions_text}"),
            &today,
        );
    }
    if fetched.spot.is_some() {
        add_source(
            &mut manifest,
            SOURCE_SPOT,
            &format!("mean Linux/UNIX spot $/h over {} days, all availability zones", fetched.spot_window_days),
            &format!("Amazon EC2 API DescribeSpotPriceHistory (aws-sdk-ec2), regions {regions_text}"),
            &today,
        );
    }
    // `service_price_regions` stays the regions of the region-less rows: a refreshed region's prices are its
    // own rows, and the bundled us-east-1 rows must not stand in for what its refresh did not fetch.
    if fetched.ec2_prices.is_some() {
        let all = base.manifest.regions.iter().all(|r| fetched.regions.contains(r));
        manifest.data_date = today.clone();
        manifest.data_date_note = if all {
            format!("EC2 prices from the AWS Price List API on {today}")
        } else {
            format!(
                "EC2 prices from the AWS Price List API on {today} for {regions_text}; other regions as of {} ({})",
                base.manifest.data_date, base.manifest.data_date_note
            )
        };
    }
    let used: BTreeSet<&str> = files.iter().flat_map(|f| f.sources.iter().map(String::as_str)).collect();
    manifest.sources.retain(|s| used.contains(s.id.as_str()));
    Ok((manifest, files))
}

fn copy(base: &Snapshot, rel: &str, bytes: Vec<u8>) -> SnapshotFile {
    SnapshotFile { path: rel.to_owned(), bytes, sources: base_sources(base, rel) }
}

/// The manifest source ids of `rel` in the snapshot the refresh started from.
fn base_sources(base: &Snapshot, rel: &str) -> Vec<String> {
    base.manifest.file(rel).map(|f| f.sources.clone()).unwrap_or_default()
}

fn push_unique(v: &mut Vec<String>, id: &str) {
    if !v.iter().any(|s| s == id) {
        v.push(id.to_owned());
    }
}

fn add_source(manifest: &mut Manifest, id: &str, what: &str, origin: &str, date: &str) {
    manifest.sources.retain(|s| s.id != id);
    manifest.sources.push(Source {
        id: id.to_owned(),
        file: String::new(),
        what: what.to_owned(),
        origin: origin.to_owned(),
        data_date: date.to_owned(),
        date_note: format!("fetched {date}"),
        sha256: String::new(),
        location: None,
    });
}

/// One row of a prices file: the 15 columns plus the two source columns, by column index.
type PriceRow = Vec<String>;

const WIDTH: usize = COLUMNS.len() + SOURCE_COLUMNS.len();

fn col(name: &str) -> usize {
    COLUMNS.iter().chain(SOURCE_COLUMNS.iter()).position(|c| *c == name).unwrap_or(WIDTH)
}

/// A prices file (plain CSV bytes, un-gzipped) by instance type, widened to [`WIDTH`] columns with the
/// source columns filled in.
fn read_price_rows(plain: &[u8]) -> std::result::Result<BTreeMap<String, PriceRow>, String> {
    let mut rdr = csv::Reader::from_reader(plain);
    let width = rdr.headers().map_err(|e| e.to_string())?.len();
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let mut row: PriceRow = rec.iter().map(str::to_owned).collect();
        if width == COLUMNS.len() {
            row.push(DEFAULT_SOURCE.to_owned());
            row.push(DEFAULT_SOURCE.to_owned());
        }
        row.resize(WIDTH, String::new());
        out.insert(row[0].clone(), row);
    }
    Ok(out)
}

fn term_suffix(term: Ec2Term) -> &'static str {
    match term {
        Ec2Term::OnDemand => "od",
        Ec2Term::Reserved1y => "ri1",
        Ec2Term::Reserved3y => "ri3",
    }
}

fn price_text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// One refreshed region's prices file (plain CSV) and its source ids.
fn region_prices(
    region: &str,
    mut rows: BTreeMap<String, PriceRow>,
    mut sources: Vec<String>,
    fetched: &Fetched,
) -> Result<(Vec<u8>, Vec<String>)> {
    let new_row = |t: &str| {
        let mut r = vec![String::new(); WIDTH];
        r[0] = t.to_owned();
        r[col("prices_src")] = DEFAULT_SOURCE.to_owned();
        r[col("spot_src")] = DEFAULT_SOURCE.to_owned();
        r
    };
    if let Some(prices) = &fetched.ec2_prices {
        for row in rows.values_mut() {
            for os in PriceListOs::ALL {
                for term in [Ec2Term::OnDemand, Ec2Term::Reserved1y, Ec2Term::Reserved3y] {
                    row[col(&format!("{}_{}", os.column_prefix(), term_suffix(term)))].clear();
                }
            }
            row[col("linux_od_src")].clear();
            row[col("prices_src")] = SOURCE_PRICE_LIST.to_owned();
        }
        for p in prices.iter().filter(|p| p.region == region) {
            let row = rows.entry(p.instance_type.clone()).or_insert_with(|| new_row(&p.instance_type));
            let c = col(&format!("{}_{}", p.os.column_prefix(), term_suffix(p.term)));
            if !row[c].is_empty() && row[c] != price_text(p.usd_per_hour) {
                return Err(Error::Refresh {
                    api: "GetProducts".to_owned(),
                    scope: format!("AmazonEC2 {region} {} {}", p.instance_type, p.os.api_value()),
                    message: format!(
                        "two different {} prices ({} and {}, SKU {}): refusing to pick one",
                        COLUMNS[c], row[c], p.usd_per_hour, p.sku
                    ),
                });
            }
            row[c] = price_text(p.usd_per_hour);
            if p.os == PriceListOs::Linux && p.term == Ec2Term::OnDemand {
                row[col("linux_od_src")] = SOURCE_PRICE_LIST.to_owned();
            }
            row[col("prices_src")] = SOURCE_PRICE_LIST.to_owned();
        }
        sources.retain(|s| s != "karpenter");
        push_unique(&mut sources, SOURCE_PRICE_LIST);
    }
    if let Some(spot) = &fetched.spot {
        for row in rows.values_mut() {
            for os in PriceListOs::ALL {
                row[col(&format!("{}_spot", os.column_prefix()))].clear();
            }
            row[col("spot_src")] = SOURCE_SPOT.to_owned();
        }
        for s in spot.iter().filter(|s| s.region == region) {
            // A spot price for a type with no other price is not enough to plan on; it is kept anyway.
            let row = rows.entry(s.instance_type.clone()).or_insert_with(|| new_row(&s.instance_type));
            row[col("linux_spot")] = price_text(s.usd_per_hour);
            row[col("spot_src")] = SOURCE_SPOT.to_owned();
        }
        push_unique(&mut sources, SOURCE_SPOT);
    }
    if let Some(offerings) = &fetched.offerings {
        let offered: BTreeSet<&str> =
            offerings.iter().filter(|o| o.region == region).map(|o| o.instance_type.as_str()).collect();
        for (t, row) in rows.iter_mut() {
            row[1] = if offered.contains(t.as_str()) { "y" } else { "n" }.to_owned();
        }
        push_unique(&mut sources, SOURCE_EC2_API);
    }
    // A row left with no price at all says nothing.
    let price_cols: Vec<usize> = (2..COLUMNS.len()).filter(|&c| c != col("linux_od_src")).collect();
    rows.retain(|_, r| price_cols.iter().any(|&c| !r[c].is_empty()));

    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| Error::Snapshot { location: price_book::file_for(region), message: e.to_string() };
    w.write_record(COLUMNS.iter().chain(SOURCE_COLUMNS.iter())).map_err(csv_err)?;
    for row in rows.values() {
        w.write_record(row).map_err(csv_err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Snapshot { location: price_book::file_for(region), message: e.to_string() })?;
    Ok((bytes, sources))
}

fn gzip(bytes: &[u8], name: &str) -> Result<Vec<u8>> {
    // A fixed header (no name, no mtime) so the same data gives the same bytes.
    let mut enc = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_err(|e| Error::Snapshot { location: name.to_owned(), message: e.to_string() })
}

/// `instance-types.csv` with the fetched records replacing the rows of the same types (first record per type wins),
/// sorted by type.
fn merge_instance_types(base: &[u8], records: &[InstanceTypeRecord]) -> std::result::Result<Vec<u8>, String> {
    let mut rdr = csv::Reader::from_reader(base);
    let header: Vec<String> = rdr.headers().map_err(|e| e.to_string())?.iter().map(str::to_owned).collect();
    if header.iter().ne(INSTANCE_TYPES_CSV_HEADER.iter()) {
        return Err(format!("unexpected columns {header:?}"));
    }
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        rows.insert(rec[0].to_owned(), rec.iter().map(str::to_owned).collect());
    }
    let mut seen = BTreeSet::new();
    for r in records {
        if seen.insert(r.instance_type.clone()) {
            rows.insert(r.instance_type.clone(), instance_type_csv_fields(r).to_vec());
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(INSTANCE_TYPES_CSV_HEADER).map_err(|e| e.to_string())?;
    for row in rows.values() {
        w.write_record(row).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

const SERVICE_COLUMNS: [&str; 8] = ["service", "item", "unit", "usd", "tier_from", "tier_to", "note", "region"];

/// `services.csv` with every fetched price as a row naming its region. Rows of the base that name a refreshed
/// region are dropped (the new ones replace them); region-less rows stay.
fn merge_services(base: &[u8], prices: &[ServicePrice], refreshed: &[String]) -> std::result::Result<Vec<u8>, String> {
    let mut rdr = csv::Reader::from_reader(base);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SERVICE_COLUMNS).map_err(|e| e.to_string())?;
    for row in rdr.deserialize::<services::ServiceRow>() {
        let r = row.map_err(|e| e.to_string())?;
        if !r.region.is_empty() && refreshed.contains(&r.region) {
            continue;
        }
        w.write_record([&r.service, &r.item, &r.unit, &r.usd, &r.tier_from, &r.tier_to, &r.note, &r.region])
            .map_err(|e| e.to_string())?;
    }
    // The free 100 GB a month of internet egress is an account-wide allowance on AWS's pricing page, not a
    // Price List tier: the Price List's first tier starts at 0 GB. The bundled free row (region-less) is
    // put in front of each refreshed region's tiers, which then start where it ends.
    let free = base_free_egress_row(base)?;
    let mut owned: Vec<ServicePrice> = prices.to_vec();
    if let Some((to, note)) = &free {
        let regions: BTreeSet<String> = owned.iter().filter(|p| is_egress(p)).map(|p| p.region.clone()).collect();
        for region in regions {
            let first = owned
                .iter_mut()
                .filter(|p| is_egress(p) && p.region == region)
                .find(|p| p.tier_from.is_none_or(|f| f.is_zero()));
            if let Some(first) = first.filter(|p| !p.usd.is_zero() && p.tier_to.is_none_or(|t| t > *to)) {
                first.tier_from = Some(*to);
                let free_row = ServicePrice {
                    usd: Decimal::ZERO,
                    tier_from: Some(Decimal::ZERO),
                    tier_to: Some(*to),
                    note: note.clone(),
                    sku: String::new(),
                    ..first.clone()
                };
                owned.push(free_row);
            }
        }
    }
    let mut sorted: Vec<&ServicePrice> = owned.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.region, &a.service, &a.item, a.tier_from).cmp(&(&b.region, &b.service, &b.item, b.tier_from))
    });
    for p in sorted {
        let opt = |d: Option<Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
        w.write_record([
            p.service.as_str(),
            &p.item,
            &p.unit,
            &price_text(p.usd),
            &opt(p.tier_from),
            &opt(p.tier_to),
            &p.note,
            &p.region,
        ])
        .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

fn is_egress(p: &ServicePrice) -> bool {
    p.service == "transfer" && p.item == "internet out"
}

/// The bundled free egress tier (`transfer,internet out` from 0 at $0, region-less): its upper bound and note.
fn base_free_egress_row(base: &[u8]) -> std::result::Result<Option<(Decimal, String)>, String> {
    let mut rdr = csv::Reader::from_reader(base);
    for row in rdr.deserialize::<services::ServiceRow>() {
        let r = row.map_err(|e| e.to_string())?;
        let zero = |s: &str| Decimal::from_str(s.trim()).is_ok_and(|d| d.is_zero());
        if r.region.is_empty()
            && r.service == "transfer"
            && r.item == "internet out"
            && zero(&r.usd)
            && zero(&r.tier_from)
        {
            if let Ok(to) = Decimal::from_str(r.tier_to.trim()) {
                return Ok(Some((to, r.note)));
            }
        }
    }
    Ok(None)
}

/// `images.csv` with the fetched images replacing the rows of the same region, arch and OS; the new rows are
/// dated by the refresh (`list_generated_utc`), sorted by region, arch, OS.
fn merge_images(base: &[u8], found: &[RockyImage], now: &DateTime<Utc>) -> std::result::Result<Vec<u8>, String> {
    let mut rdr = csv::Reader::from_reader(base);
    let mut rows: BTreeMap<(String, String, String), images::ImageHint> = BTreeMap::new();
    for row in rdr.deserialize::<images::ImageHint>() {
        let r = row.map_err(|e| e.to_string())?;
        rows.insert((r.region.clone(), r.arch.clone(), r.os.clone()), r);
    }
    let stamp = now.format("%Y-%m-%d %H:%M:%S").to_string();
    for i in found {
        rows.insert(
            (i.region.clone(), i.arch.clone(), i.os.clone()),
            images::ImageHint {
                region: i.region.clone(),
                arch: i.arch.clone(),
                os: i.os.clone(),
                ami_id: i.ami_id.clone(),
                list_generated_utc: stamp.clone(),
            },
        );
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows.values() {
        w.serialize(r).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}
