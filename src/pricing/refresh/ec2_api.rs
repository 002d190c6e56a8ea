//! EC2 API in (DescribeInstanceTypes, DescribeInstanceTypeOfferings, DescribeImages, DescribeSpotPriceHistory), plain records out.
//!
//! Every fetcher follows `NextToken` to the last page and turns an SDK failure into
//! [`Error::Refresh`] naming the API and the region. The mapping of the raw records is pure and
//! separately tested: [`instance_type_record`] gives the same values as `scripts/build-pricing-cache.py`
//! gives for the same DescribeInstanceTypes record, [`instance_types_csv`] writes them as the cache's
//! `instance-types.csv`, [`newest_rocky_images`] picks the official Rocky images and
//! [`average_spot_prices`] averages spot prices.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::SystemTime;

use aws_sdk_ec2::error::DisplayErrorContext;
use aws_sdk_ec2::types::{Filter, Image, ImageState, InstanceTypeInfo, LocationType, SpotPrice};
use aws_sdk_ec2::Client;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::pricing::generation;

use super::records::{InstanceTypeRecord, Offering, RockyImage, SpotAverage};
use super::ApiConfig;
use crate::error::{Error, Result};

/// The AWS account of the Rocky Enterprise Software Foundation, which publishes the official Rocky Linux images.
pub const ROCKY_OWNER: &str = "792107900819";

/// The Rocky major versions rocklift looks up, with the `os` name used in `images.csv`.
pub const ROCKY_MAJORS: [(u32, &str); 3] = [(8, "rocky8"), (9, "rocky9"), (10, "rocky10")];

/// The spot price records averaged: Linux/UNIX (the product asked for; some endpoints name it with the VPC suffix).
const SPOT_PRODUCTS: [&str; 2] = ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"];

/// Decimal places of a spot average (the API publishes spot prices with 6).
pub const SPOT_AVERAGE_DECIMALS: u32 = 6;

/// The header of `instance-types.csv`, as `scripts/build-pricing-cache.py` writes it.
pub const INSTANCE_TYPES_CSV_HEADER: [&str; 20] = [
    "instance_type",
    "family",
    "vcpus",
    "memory_mib",
    "archs",
    "cpu_maker",
    "clock_ghz",
    "gpus",
    "gpu_model",
    "gpu_maker",
    "gpu_memory_mib",
    "network",
    "instance_storage_gb",
    "instance_storage_type",
    "current_generation",
    "burstable",
    "bare_metal",
    "ebs_optimized_support",
    "cores",
    "efa_interfaces",
];

/// An EC2 client for `region`, from [`ApiConfig::sdk_config`] (credentials chain, retry, timeouts).
pub async fn client(cfg: &ApiConfig, region: &str) -> Client {
    client_from_sdk_config(cfg, &cfg.sdk_config(region).await)
}

/// An EC2 client from an SDK configuration already loaded (tests add fake credentials to it), with
/// `cfg.ec2_endpoint` as the endpoint when it is set.
pub fn client_from_sdk_config(cfg: &ApiConfig, sdk: &aws_config::SdkConfig) -> Client {
    let mut conf = aws_sdk_ec2::config::Builder::from(sdk);
    if let Some(url) = &cfg.ec2_endpoint {
        conf = conf.endpoint_url(url);
    }
    Client::from_conf(conf.build())
}

/// The region the client calls, for messages.
fn client_region(client: &Client) -> String {
    client.config().region().map(|r| r.to_string()).unwrap_or_else(|| "(no region)".to_owned())
}

fn sdk_error(api: &str, scope: String, err: impl std::error::Error) -> Error {
    Error::Refresh { api: api.to_owned(), scope, message: DisplayErrorContext(&err).to_string() }
}

fn bad_record(api: &str, scope: String, message: String) -> Error {
    Error::Refresh { api: api.to_owned(), scope, message }
}

// ---- DescribeInstanceTypes -----------------------------------------------------------------------

/// Every instance type the region's endpoint describes (DescribeInstanceTypes, all pages), sorted by name.
pub async fn instance_types(client: &Client) -> Result<Vec<InstanceTypeRecord>> {
    const API: &str = "DescribeInstanceTypes";
    let scope = format!("{} instance types", client_region(client));
    let mut pages = client.describe_instance_types().into_paginator().page_size(100).send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error(API, scope.clone(), e))?;
        for info in page.instance_types() {
            out.push(instance_type_record(info).map_err(|m| bad_record(API, scope.clone(), m))?);
        }
    }
    out.sort_by(|a, b| a.instance_type.cmp(&b.instance_type));
    out.dedup_by(|a, b| a.instance_type == b.instance_type);
    Ok(out)
}

/// One DescribeInstanceTypes record as an `instance-types.csv` row, with the same rules as
/// `scripts/build-pricing-cache.py`: GPU models and makers are the distinct names joined with `+`
/// (sorted), the GPU memory only when there are GPUs, the instance storage types the distinct disk
/// types joined with `+`, the EFA interfaces only when EFA is supported. Errors name the missing field.
/// The record has no generation flag: the row takes it from AWS's documented list (see below).
pub fn instance_type_record(info: &InstanceTypeInfo) -> std::result::Result<InstanceTypeRecord, String> {
    let name = info.instance_type().map(|t| t.as_str().to_owned()).ok_or("a record without InstanceType")?;
    let vcpu = info.v_cpu_info();
    let vcpus = vcpu.and_then(|v| v.default_v_cpus()).ok_or(format!("{name}: no VCpuInfo.DefaultVCpus"))?;
    let vcpus = u32::try_from(vcpus).map_err(|_| format!("{name}: VCpuInfo.DefaultVCpus {vcpus}"))?;
    let memory = info.memory_info().and_then(|m| m.size_in_mib()).ok_or(format!("{name}: no MemoryInfo.SizeInMiB"))?;
    let memory_mib = u64::try_from(memory).map_err(|_| format!("{name}: MemoryInfo.SizeInMiB {memory}"))?;
    let cores = match vcpu.and_then(|v| v.default_cores()) {
        Some(c) => Some(u32::try_from(c).map_err(|_| format!("{name}: VCpuInfo.DefaultCores {c}"))?),
        None => None,
    };

    let proc = info.processor_info();
    let mut archs: Vec<String> =
        proc.map(|p| p.supported_architectures().iter().map(|a| a.as_str().to_owned()).collect()).unwrap_or_default();
    archs.sort();
    let clock_ghz = match proc.and_then(|p| p.sustained_clock_speed_in_ghz()) {
        // `{:?}` writes a float as Python's repr does for these values (3.0 → "3.0", 2.3 → "2.3").
        Some(ghz) => Some(
            Decimal::from_str(&format!("{ghz:?}"))
                .or_else(|_| Decimal::from_scientific(&format!("{ghz:?}")))
                .map_err(|e| format!("{name}: ProcessorInfo.SustainedClockSpeedInGhz {ghz}: {e}"))?,
        ),
        None => None,
    };

    let gpus = info.gpu_info().map(|g| g.gpus()).unwrap_or_default();
    let mut gpu_count: u32 = 0;
    for g in gpus {
        let c = g.count().unwrap_or(0);
        gpu_count += u32::try_from(c).map_err(|_| format!("{name}: GpuInfo.Gpus.Count {c}"))?;
    }
    let join_distinct =
        |it: &mut dyn Iterator<Item = &str>| it.collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join("+");
    let gpu_model = join_distinct(&mut gpus.iter().map(|g| g.name().unwrap_or("")));
    let gpu_maker = join_distinct(&mut gpus.iter().map(|g| g.manufacturer().unwrap_or("")));
    let gpu_memory_mib = match info.gpu_info().and_then(|g| g.total_gpu_memory_in_mib()) {
        Some(m) if !gpus.is_empty() => {
            Some(u64::try_from(m).map_err(|_| format!("{name}: GpuInfo.TotalGpuMemoryInMiB {m}"))?)
        }
        _ => None,
    };

    let net = info.network_info();
    let store = info.instance_storage_info();
    let storage = store.and_then(|s| s.total_size_in_gb()).unwrap_or(0);
    let instance_storage_gb =
        u64::try_from(storage).map_err(|_| format!("{name}: InstanceStorageInfo.TotalSizeInGB {storage}"))?;
    let disks = store.map(|s| s.disks()).unwrap_or_default();
    let instance_storage_type = join_distinct(&mut disks.iter().map(|d| d.r#type().map(|t| t.as_str()).unwrap_or("")));
    let efa = if net.and_then(|n| n.efa_supported()).unwrap_or(false) {
        net.and_then(|n| n.efa_info()).and_then(|e| e.maximum_efa_interfaces()).unwrap_or(0)
    } else {
        0
    };
    let efa_interfaces =
        u32::try_from(efa).map_err(|_| format!("{name}: NetworkInfo.EfaInfo.MaximumEfaInterfaces {efa}"))?;

    Ok(InstanceTypeRecord {
        family: name.split('.').next().unwrap_or_default().to_owned(),
        instance_type: name,
        vcpus,
        memory_mib,
        archs,
        cpu_maker: proc.and_then(|p| p.manufacturer()).unwrap_or("").to_owned(),
        clock_ghz,
        gpus: gpu_count,
        gpu_model,
        gpu_maker,
        gpu_memory_mib,
        network: net.and_then(|n| n.network_performance()).unwrap_or("").to_owned(),
        instance_storage_gb,
        instance_storage_type,
        burstable: info.burstable_performance_supported().unwrap_or(false),
        bare_metal: info.bare_metal().unwrap_or(false),
        ebs_optimized_support: info
            .ebs_info()
            .and_then(|e| e.ebs_optimized_support())
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        cores,
        efa_interfaces,
    })
}

/// The fields of one `instance-types.csv` row, in [`INSTANCE_TYPES_CSV_HEADER`] order and format:
/// archs joined with a space, flags `y`/`n`, absent values empty, a whole clock speed with `.0`
/// (as the Python float the cache was written from), `current_generation` from AWS's documented list
/// of previous-generation families ([`generation`]), never from DescribeInstanceTypes' own flag.
pub fn instance_type_csv_fields(r: &InstanceTypeRecord) -> [String; 20] {
    let yn = |b: bool| if b { "y" } else { "n" }.to_owned();
    let clock = match r.clock_ghz {
        Some(c) if c.scale() == 0 => format!("{c}.0"),
        Some(c) => c.to_string(),
        None => String::new(),
    };
    let mut archs = r.archs.clone();
    archs.sort();
    [
        r.instance_type.clone(),
        r.family.clone(),
        r.vcpus.to_string(),
        r.memory_mib.to_string(),
        archs.join(" "),
        r.cpu_maker.clone(),
        clock,
        r.gpus.to_string(),
        r.gpu_model.clone(),
        r.gpu_maker.clone(),
        r.gpu_memory_mib.map(|m| m.to_string()).unwrap_or_default(),
        r.network.clone(),
        r.instance_storage_gb.to_string(),
        r.instance_storage_type.clone(),
        yn(!generation::is_previous_generation(&r.family)),
        yn(r.burstable),
        yn(r.bare_metal),
        r.ebs_optimized_support.clone(),
        r.cores.map(|c| c.to_string()).unwrap_or_default(),
        r.efa_interfaces.to_string(),
    ]
}

/// A CSV field quoted as Python's `csv` module does by default (only when it holds `,`, `"` or a line break).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The whole `instance-types.csv` for `records` (header, rows sorted by type, `\n` line ends), byte for
/// byte as `scripts/build-pricing-cache.py` writes it for the same DescribeInstanceTypes records.
pub fn instance_types_csv(records: &[InstanceTypeRecord]) -> String {
    let mut sorted: Vec<&InstanceTypeRecord> = records.iter().collect();
    sorted.sort_by(|a, b| a.instance_type.cmp(&b.instance_type));
    let mut out = INSTANCE_TYPES_CSV_HEADER.join(",");
    out.push('\n');
    for r in sorted {
        let fields = instance_type_csv_fields(r);
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

// ---- DescribeInstanceTypeOfferings ---------------------------------------------------------------

/// The instance types offered in `region` (DescribeInstanceTypeOfferings, location type `region`, all
/// pages), sorted by type, each once.
pub async fn offerings(client: &Client, region: &str) -> Result<Vec<Offering>> {
    const API: &str = "DescribeInstanceTypeOfferings";
    let scope = format!("{region} offerings (location type region)");
    let mut pages = client
        .describe_instance_type_offerings()
        .location_type(LocationType::Region)
        .into_paginator()
        .page_size(1000)
        .send();
    let mut types = BTreeSet::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error(API, scope.clone(), e))?;
        for o in page.instance_type_offerings() {
            let t = o.instance_type().ok_or_else(|| {
                bad_record(
                    API,
                    scope.clone(),
                    format!("an offering without InstanceType (location {:?})", o.location()),
                )
            })?;
            types.insert(t.as_str().to_owned());
        }
    }
    Ok(types.into_iter().map(|instance_type| Offering { region: region.to_owned(), instance_type }).collect())
}

// ---- DescribeImages ------------------------------------------------------------------------------

/// The newest official Rocky Linux "EC2 Base" image per major version (8, 9, 10) and arch in `region`
/// (DescribeImages, owner [`ROCKY_OWNER`], available images named `Rocky-N-EC2-Base-N.*`, all pages),
/// chosen by [`newest_rocky_images`].
pub async fn rocky_images(client: &Client, region: &str) -> Result<Vec<RockyImage>> {
    const API: &str = "DescribeImages";
    let scope = format!("{region} Rocky images of owner {ROCKY_OWNER}");
    let names = Filter::builder()
        .name("name")
        .set_values(Some(ROCKY_MAJORS.iter().map(|(m, _)| format!("Rocky-{m}-EC2-Base-{m}.*")).collect()))
        .build();
    let available = Filter::builder().name("state").values("available").build();
    let mut pages = client
        .describe_images()
        .owners(ROCKY_OWNER)
        .filters(names)
        .filters(available)
        .into_paginator()
        .page_size(1000)
        .send();
    let mut images = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error(API, scope.clone(), e))?;
        images.extend(page.images().iter().cloned());
    }
    Ok(newest_rocky_images(region, &images))
}

/// What an official Rocky "EC2 Base" image name says: major version and the EC2 architecture.
///
/// The names are `Rocky-<M>-EC2-Base-<M>.<minor>-<YYYYMMDD>.<build>.<x86_64|aarch64>`, for example
/// `Rocky-9-EC2-Base-9.5-20241118.0.x86_64`. Other variants (`EC2-LVM`), and the Marketplace copies
/// that add a `-<uuid>` after the arch, do not match.
pub fn parse_rocky_base_name(name: &str) -> Option<(u32, &'static str)> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let rest = name.strip_prefix("Rocky-")?;
    let (major, rest) = rest.split_once("-EC2-Base-")?;
    let rest = rest.strip_prefix(major)?.strip_prefix('.')?;
    let (minor, rest) = rest.split_once('-')?;
    let (date, rest) = rest.split_once('.')?;
    let (build, arch) = rest.split_once('.')?;
    if !digits(major) || !digits(minor) || date.len() != 8 || !digits(date) || !digits(build) {
        return None;
    }
    let major_n: u32 = major.parse().ok()?;
    let arch = match arch {
        "x86_64" => "x86_64",
        "aarch64" => "arm64",
        _ => return None,
    };
    Some((major_n, arch))
}

/// From DescribeImages records, the newest official Rocky "EC2 Base" image per major version and
/// arch: owner [`ROCKY_OWNER`], state available (when given), a name that [`parse_rocky_base_name`]
/// accepts for a major in [`ROCKY_MAJORS`], an `Architecture` that agrees with the name's arch.
/// Newest by `CreationDate` (RFC 3339; an image whose date does not parse counts as oldest), ties
/// broken by the greater name. Sorted by arch, then os.
pub fn newest_rocky_images(region: &str, images: &[Image]) -> Vec<RockyImage> {
    type Key = (Option<chrono::DateTime<chrono::FixedOffset>>, String);
    let mut best: BTreeMap<(String, &'static str), (Key, RockyImage)> = BTreeMap::new();
    for img in images {
        if img.owner_id() != Some(ROCKY_OWNER) {
            continue;
        }
        if img.state().is_some_and(|s| *s != ImageState::Available) {
            continue;
        }
        let (Some(name), Some(ami_id)) = (img.name(), img.image_id()) else { continue };
        let Some((major, name_arch)) = parse_rocky_base_name(name) else { continue };
        let Some(&(_, os)) = ROCKY_MAJORS.iter().find(|(m, _)| *m == major) else { continue };
        let arch = img.architecture().map(|a| a.as_str()).unwrap_or(name_arch);
        if arch != name_arch {
            continue;
        }
        let created = img.creation_date().unwrap_or("");
        let key: Key = (chrono::DateTime::parse_from_rfc3339(created).ok(), name.to_owned());
        let candidate = RockyImage {
            region: region.to_owned(),
            arch: arch.to_owned(),
            os: os.to_owned(),
            ami_id: ami_id.to_owned(),
            name: name.to_owned(),
            creation_date: created.to_owned(),
        };
        match best.get(&(arch.to_owned(), os)) {
            Some((k, _)) if *k >= key => {}
            _ => {
                best.insert((arch.to_owned(), os), (key, candidate));
            }
        }
    }
    let mut out: Vec<RockyImage> = best.into_values().map(|(_, img)| img).collect();
    out.sort();
    out
}

// ---- DescribeSpotPriceHistory --------------------------------------------------------------------

/// The mean Linux/UNIX spot price per instance type in `region` between `start` and `end`
/// (DescribeSpotPriceHistory, all pages), by [`average_spot_prices`].
///
/// The API returns the price changes in the window and, per zone, the price in effect at `start`;
/// all of them count, each once (a plain mean of the records, not weighted by how long each price held).
pub async fn spot_averages(
    client: &Client,
    region: &str,
    start: SystemTime,
    end: SystemTime,
) -> Result<Vec<SpotAverage>> {
    let records = spot_price_records(client, region, start, end).await?;
    average_spot_prices(region, &records)
}

/// The raw DescribeSpotPriceHistory records (product Linux/UNIX, from `start` to `end`, all pages).
pub async fn spot_price_records(
    client: &Client,
    region: &str,
    start: SystemTime,
    end: SystemTime,
) -> Result<Vec<SpotPrice>> {
    const API: &str = "DescribeSpotPriceHistory";
    let scope = format!("{region} Linux/UNIX spot prices");
    let mut pages = client
        .describe_spot_price_history()
        .product_descriptions(SPOT_PRODUCTS[0])
        .start_time(start.into())
        .end_time(end.into())
        .into_paginator()
        .page_size(1000)
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| sdk_error(API, scope.clone(), e))?;
        out.extend(page.spot_price_history().iter().cloned());
    }
    Ok(out)
}

/// The mean spot price per instance type over all `records` of a Linux/UNIX product (every zone, every
/// record once): the exact Decimal sum of the published prices divided by their count, rounded to
/// [`SPOT_AVERAGE_DECIMALS`] places, half away from zero. Records of other products are left out.
/// A price that is missing or not a number is an error naming the type, zone and region. Sorted by type.
pub fn average_spot_prices(region: &str, records: &[SpotPrice]) -> Result<Vec<SpotAverage>> {
    const API: &str = "DescribeSpotPriceHistory";
    let mut sums: BTreeMap<&str, (Decimal, u32)> = BTreeMap::new();
    for r in records {
        if let Some(product) = r.product_description() {
            if !SPOT_PRODUCTS.contains(&product.as_str()) {
                continue;
            }
        }
        let zone = r.availability_zone().unwrap_or("?");
        let Some(instance_type) = r.instance_type().map(|t| t.as_str()) else {
            return Err(bad_record(
                API,
                format!("{region} {zone}"),
                "a spot price record without InstanceType".to_owned(),
            ));
        };
        let scope = || format!("{region} {instance_type} {zone}");
        let text = r.spot_price().ok_or_else(|| bad_record(API, scope(), "a record without SpotPrice".to_owned()))?;
        let price = Decimal::from_str(text.trim())
            .map_err(|e| bad_record(API, scope(), format!("spot price {text:?} is not a number: {e}")))?;
        if price.is_sign_negative() {
            return Err(bad_record(API, scope(), format!("spot price {text:?} is negative")));
        }
        let entry = sums.entry(instance_type).or_insert((Decimal::ZERO, 0));
        entry.0 = entry
            .0
            .checked_add(price)
            .ok_or_else(|| bad_record(API, scope(), format!("spot price sum overflows at {text:?}")))?;
        entry.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|(instance_type, (sum, n))| SpotAverage {
            region: region.to_owned(),
            instance_type: instance_type.to_owned(),
            usd_per_hour: (sum / Decimal::from(n))
                .round_dp_with_strategy(SPOT_AVERAGE_DECIMALS, RoundingStrategy::MidpointAwayFromZero),
            samples: n,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use aws_sdk_ec2::types::{
        ArchitectureType, ArchitectureValues, DiskInfo, DiskType, EbsInfo, EbsOptimizedSupport, EfaInfo, GpuDeviceInfo,
        GpuInfo, InstanceStorageInfo, InstanceType, MemoryInfo, NetworkInfo, ProcessorInfo, RiProductDescription,
        VCpuInfo,
    };

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn gpu(name: &str, maker: &str, count: i32) -> GpuDeviceInfo {
        GpuDeviceInfo::builder().name(name).manufacturer(maker).count(count).build()
    }

    fn disk(t: DiskType, size: i64, count: i32) -> DiskInfo {
        DiskInfo::builder().r#type(t).size_in_gb(size).count(count).build()
    }

    #[test]
    fn a_full_record_maps_as_the_cache_script_does() {
        let info = InstanceTypeInfo::builder()
            .instance_type(InstanceType::from("p9.48xlarge"))
            .v_cpu_info(VCpuInfo::builder().default_v_cpus(192).default_cores(96).build())
            .memory_info(MemoryInfo::builder().size_in_mib(2_097_152).build())
            .processor_info(
                ProcessorInfo::builder()
                    .supported_architectures(ArchitectureType::X8664)
                    .supported_architectures(ArchitectureType::I386)
                    .manufacturer("Intel")
                    .sustained_clock_speed_in_ghz(3.0)
                    .build(),
            )
            .gpu_info(
                GpuInfo::builder()
                    .gpus(gpu("H200", "NVIDIA", 4))
                    .gpus(gpu("A100", "NVIDIA", 4))
                    .gpus(gpu("H200", "NVIDIA", 0))
                    .total_gpu_memory_in_mib(1_146_880)
                    .build(),
            )
            .network_info(
                NetworkInfo::builder()
                    .network_performance("8x 400 Gigabit, with \"EFA\"")
                    .efa_supported(true)
                    .efa_info(EfaInfo::builder().maximum_efa_interfaces(32).build())
                    .build(),
            )
            .instance_storage_info(
                InstanceStorageInfo::builder()
                    .total_size_in_gb(30_720)
                    .disks(disk(DiskType::Ssd, 3840, 4))
                    .disks(disk(DiskType::Hdd, 3840, 4))
                    .disks(disk(DiskType::Ssd, 1, 0))
                    .build(),
            )
            .current_generation(true)
            .burstable_performance_supported(false)
            .bare_metal(false)
            .ebs_info(EbsInfo::builder().ebs_optimized_support(EbsOptimizedSupport::Default).build())
            .build();
        let r = instance_type_record(&info).unwrap();
        assert_eq!(r.family, "p9");
        assert_eq!(r.archs, vec!["i386", "x86_64"]);
        assert_eq!(r.gpus, 8);
        assert_eq!(r.gpu_model, "A100+H200");
        assert_eq!(r.gpu_maker, "NVIDIA");
        assert_eq!(r.gpu_memory_mib, Some(1_146_880));
        assert_eq!(r.instance_storage_type, "hdd+ssd");
        assert_eq!(r.cores, Some(96));
        assert_eq!(r.efa_interfaces, 32);
        assert_eq!(
            instance_types_csv(&[r]),
            format!(
                "{}\np9.48xlarge,p9,192,2097152,i386 x86_64,Intel,3.0,8,A100+H200,NVIDIA,1146880,\
                 \"8x 400 Gigabit, with \"\"EFA\"\"\",30720,hdd+ssd,y,n,n,default,96,32\n",
                INSTANCE_TYPES_CSV_HEADER.join(",")
            )
        );
    }

    #[test]
    fn absent_fields_are_empty_or_zero_as_in_the_cache() {
        let info = InstanceTypeInfo::builder()
            .instance_type(InstanceType::from("t1.micro"))
            .v_cpu_info(VCpuInfo::builder().default_v_cpus(1).build())
            .memory_info(MemoryInfo::builder().size_in_mib(627).build())
            // GPU memory without GPUs is not written; EFA interfaces without EFA support count 0.
            .gpu_info(GpuInfo::builder().total_gpu_memory_in_mib(16).build())
            .network_info(
                NetworkInfo::builder()
                    .efa_supported(false)
                    .efa_info(EfaInfo::builder().maximum_efa_interfaces(1).build())
                    .build(),
            )
            .burstable_performance_supported(true)
            .build();
        let r = instance_type_record(&info).unwrap();
        assert_eq!(r.clock_ghz, None);
        assert_eq!(r.gpu_memory_mib, None);
        assert_eq!(r.efa_interfaces, 0);
        assert_eq!(instance_type_csv_fields(&r).join(","), "t1.micro,t1,1,627,,,,0,,,,,0,,n,y,n,,,0");
    }

    #[test]
    fn a_record_without_vcpus_or_memory_is_an_error_naming_the_type() {
        let info = InstanceTypeInfo::builder().instance_type(InstanceType::from("x9.large")).build();
        assert_eq!(instance_type_record(&info).unwrap_err(), "x9.large: no VCpuInfo.DefaultVCpus");
        let info = InstanceTypeInfo::builder()
            .instance_type(InstanceType::from("x9.large"))
            .v_cpu_info(VCpuInfo::builder().default_v_cpus(-2).build())
            .build();
        assert_eq!(instance_type_record(&info).unwrap_err(), "x9.large: VCpuInfo.DefaultVCpus -2");
    }

    #[test]
    fn clock_speeds_keep_their_python_spelling() {
        for (ghz, text) in [(2.3, "2.3"), (3.0, "3.0"), (3.45, "3.45"), (5.0, "5.0")] {
            let info = InstanceTypeInfo::builder()
                .instance_type(InstanceType::from("m9.large"))
                .v_cpu_info(VCpuInfo::builder().default_v_cpus(2).build())
                .memory_info(MemoryInfo::builder().size_in_mib(8192).build())
                .processor_info(ProcessorInfo::builder().sustained_clock_speed_in_ghz(ghz).build())
                .build();
            let r = instance_type_record(&info).unwrap();
            assert_eq!(instance_type_csv_fields(&r)[6], text);
        }
        let r = InstanceTypeRecord { clock_ghz: Some(d("4")), ..Default::default() };
        assert_eq!(instance_type_csv_fields(&r)[6], "4.0");
    }

    #[test]
    fn rocky_base_names_parse_and_other_variants_do_not() {
        assert_eq!(parse_rocky_base_name("Rocky-9-EC2-Base-9.5-20241118.0.x86_64"), Some((9, "x86_64")));
        assert_eq!(parse_rocky_base_name("Rocky-9-EC2-Base-9.5-20241118.0.aarch64"), Some((9, "arm64")));
        assert_eq!(parse_rocky_base_name("Rocky-10-EC2-Base-10.1-20251116.0.x86_64"), Some((10, "x86_64")));
        assert_eq!(parse_rocky_base_name("Rocky-8-EC2-Base-8.10-20240528.0.aarch64"), Some((8, "arm64")));
        for other in [
            "Rocky-9-EC2-LVM-9.5-20241118.0.x86_64",
            "Rocky-9-EC2-Base-9.5-20241118.0.x86_64-3f230a17-9877-4b16-aa5e-b1ff34ab206b",
            "Rocky-9-EC2-Base-8.5-20241118.0.x86_64",
            "Rocky-8-ec2-8.6-20220515.0.x86_64",
            "Rocky-9-EC2-Base-9.5-2024111.0.x86_64",
            "Rocky-9-EC2-Base-9.5-20241118.0.ppc64le",
            "Rocky-9-EC2-Base-9.x-20241118.0.x86_64",
            "Rocky-9-EC2-Base-9.5-20241118.x86_64",
            "Rocky--EC2-Base-.5-20241118.0.x86_64",
        ] {
            assert_eq!(parse_rocky_base_name(other), None, "{other}");
        }
    }

    fn image(id: &str, name: &str, arch: &str, created: &str) -> Image {
        Image::builder()
            .image_id(id)
            .name(name)
            .owner_id(ROCKY_OWNER)
            .architecture(ArchitectureValues::from(arch))
            .creation_date(created)
            .state(ImageState::Available)
            .build()
    }

    #[test]
    fn the_newest_image_per_version_and_arch_is_chosen() {
        let mut other_owner =
            image("ami-5", "Rocky-9-EC2-Base-9.9-20300101.0.x86_64", "x86_64", "2030-01-01T00:00:00.000Z");
        other_owner.owner_id = Some("679593333241".to_owned());
        let mut pending =
            image("ami-6", "Rocky-9-EC2-Base-9.8-20290101.0.x86_64", "x86_64", "2029-01-01T00:00:00.000Z");
        pending.state = Some(ImageState::Pending);
        let images = vec![
            image("ami-1", "Rocky-9-EC2-Base-9.5-20241118.0.x86_64", "x86_64", "2024-11-18T20:12:44.000Z"),
            image("ami-2", "Rocky-9-EC2-Base-9.6-20250531.0.x86_64", "x86_64", "2025-06-02T14:31:09.000Z"),
            image("ami-3", "Rocky-9-EC2-Base-9.4-20240523.0.x86_64", "x86_64", "2024-05-23T19:20:03.000Z"),
            // Same date: the greater name wins.
            image("ami-4", "Rocky-9-EC2-Base-9.6-20250531.0.aarch64", "arm64", "2025-06-02T15:10:00.000Z"),
            image("ami-7", "Rocky-9-EC2-Base-9.6-20250531.1.aarch64", "arm64", "2025-06-02T15:10:00.000Z"),
            other_owner,
            pending,
            image("ami-8", "Rocky-9-EC2-LVM-9.7-20251123.0.x86_64", "x86_64", "2025-11-24T00:00:00.000Z"),
            // The name says aarch64 but the image is x86_64: left out.
            image("ami-9", "Rocky-8-EC2-Base-8.10-20240528.0.aarch64", "x86_64", "2024-05-28T00:00:00.000Z"),
            // A date that does not parse counts as older than any that does.
            image("ami-10", "Rocky-8-EC2-Base-8.10-20240528.0.x86_64", "x86_64", "yesterday"),
            image("ami-11", "Rocky-8-EC2-Base-8.9-20231119.0.x86_64", "x86_64", "2023-11-20T16:02:11.000Z"),
            // Equal instants written differently compare equal; then the name decides.
            image("ami-12", "Rocky-10-EC2-Base-10.0-20250609.1.x86_64", "x86_64", "2025-06-10T03:15:27Z"),
            image("ami-13", "Rocky-10-EC2-Base-10.0-20250609.0.x86_64", "x86_64", "2025-06-10T05:15:27+02:00"),
        ];
        let chosen = newest_rocky_images("eu-west-1", &images);
        let got: Vec<(&str, &str, &str)> =
            chosen.iter().map(|i| (i.arch.as_str(), i.os.as_str(), i.ami_id.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("arm64", "rocky9", "ami-7"),
                ("x86_64", "rocky10", "ami-12"),
                ("x86_64", "rocky8", "ami-11"),
                ("x86_64", "rocky9", "ami-2")
            ]
        );
        assert!(chosen.iter().all(|i| i.region == "eu-west-1"));
        assert_eq!(chosen[3].name, "Rocky-9-EC2-Base-9.6-20250531.0.x86_64");
        assert_eq!(chosen[3].creation_date, "2025-06-02T14:31:09.000Z");
        // Input order does not matter.
        let mut reversed = images.clone();
        reversed.reverse();
        assert_eq!(newest_rocky_images("eu-west-1", &reversed), chosen);
    }

    fn spot(t: &str, zone: &str, price: &str, product: &str) -> SpotPrice {
        SpotPrice::builder()
            .instance_type(InstanceType::from(t))
            .availability_zone(zone)
            .spot_price(price)
            .product_description(RiProductDescription::from(product))
            .build()
    }

    #[test]
    fn spot_prices_are_averaged_per_type_and_rounded_half_away_from_zero() {
        let records = vec![
            spot("m5.large", "us-east-1a", "0.035500", "Linux/UNIX"),
            spot("m5.large", "us-east-1b", "0.036100", "Linux/UNIX"),
            spot("m5.large", "us-east-1a", "0.034900", "Linux/UNIX (Amazon VPC)"),
            spot("m5.large", "us-east-1c", "9.999999", "Windows"),
            spot("c5.xlarge", "us-east-1a", "0.000001", "Linux/UNIX"),
            spot("c5.xlarge", "us-east-1b", "0.000002", "Linux/UNIX"),
            spot("r5.large", "us-east-1a", "0.1", "Linux/UNIX"),
            spot("r5.large", "us-east-1b", "0.1", "Linux/UNIX"),
            spot("r5.large", "us-east-1c", "0.2", "Linux/UNIX"),
        ];
        let avg = average_spot_prices("us-east-1", &records).unwrap();
        let got: Vec<(&str, Decimal, u32)> =
            avg.iter().map(|a| (a.instance_type.as_str(), a.usd_per_hour, a.samples)).collect();
        assert_eq!(
            got,
            vec![
                // (0.000001 + 0.000002) / 2 = 0.0000015: half away from zero.
                ("c5.xlarge", d("0.000002"), 2),
                // (0.0355 + 0.0361 + 0.0349) / 3 = 0.0355 exactly; the Windows record is left out.
                ("m5.large", d("0.0355"), 3),
                // 0.4 / 3 = 0.1333...
                ("r5.large", d("0.133333"), 3),
            ]
        );
        assert!(avg.iter().all(|a| a.region == "us-east-1"));
    }

    #[test]
    fn a_price_that_is_not_a_number_names_the_type_zone_and_region() {
        let records = vec![
            spot("m5.large", "us-east-1a", "0.0355", "Linux/UNIX"),
            spot("c5.large", "us-east-1b", "n/a", "Linux/UNIX"),
        ];
        match average_spot_prices("us-east-1", &records) {
            Err(Error::Refresh { api, scope, message }) => {
                assert_eq!(api, "DescribeSpotPriceHistory");
                assert_eq!(scope, "us-east-1 c5.large us-east-1b");
                assert!(message.contains("\"n/a\" is not a number"), "{message}");
            }
            other => panic!("expected a refresh error, got {other:?}"),
        }
        let negative = vec![spot("m5.large", "us-east-1a", "-0.01", "Linux/UNIX")];
        assert!(matches!(average_spot_prices("us-east-1", &negative), Err(Error::Refresh { .. })));
    }

    #[test]
    fn no_records_no_averages() {
        assert_eq!(average_spot_prices("us-east-1", &[]).unwrap(), vec![]);
    }
}
