//! Plain records the AWS fetchers return (prices, instance types, offerings, images, spot averages); the snapshot writer turns them into files.

use rust_decimal::Decimal;

/// The operating systems rocklift prices (the Price List API's `operatingSystem` values Linux, RHEL, Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceListOs {
    Linux,
    Rhel,
    Windows,
}

impl PriceListOs {
    pub const ALL: [PriceListOs; 3] = [PriceListOs::Linux, PriceListOs::Rhel, PriceListOs::Windows];

    /// The value of the Price List `operatingSystem` attribute.
    pub fn api_value(self) -> &'static str {
        match self {
            PriceListOs::Linux => "Linux",
            PriceListOs::Rhel => "RHEL",
            PriceListOs::Windows => "Windows",
        }
    }

    /// The column prefix in `prices/REGION.csv.gz` (`linux_od`, `rhel_ri1`, `windows_spot`, ...).
    pub fn column_prefix(self) -> &'static str {
        match self {
            PriceListOs::Linux => "linux",
            PriceListOs::Rhel => "rhel",
            PriceListOs::Windows => "windows",
        }
    }
}

/// Which price of an instance type: on demand, or a Standard Reserved Instance, all upfront, as an hourly rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ec2Term {
    OnDemand,
    /// Standard, 1 year, all upfront: upfront fee / 8760 h.
    Reserved1y,
    /// Standard, 3 years, all upfront: upfront fee / 26280 h.
    Reserved3y,
}

/// One EC2 compute price from `GetProducts` (`AmazonEC2`, `productFamily=Compute Instance`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ec2Price {
    pub region: String,
    pub instance_type: String,
    pub os: PriceListOs,
    pub term: Ec2Term,
    /// US dollars per hour, exactly as published for on-demand; for reserved terms the amortised rate.
    pub usd_per_hour: Decimal,
    /// The product's SKU, to name it in messages.
    pub sku: String,
}

/// One non-EC2 price (EBS, data transfer, NAT gateway, ...) in the shape of a `services.csv` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePrice {
    pub region: String,
    /// `ebs`, `transfer`, `vpc`, ... as in `services.csv`.
    pub service: String,
    /// The item name as in `services.csv` (`gp3 storage`, `internet out`, `nat gateway`, ...).
    pub item: String,
    /// `GB-month`, `IOPS-month`, `MBps-month`, `GB`, `hour`, ... as in `services.csv`.
    pub unit: String,
    pub usd: Decimal,
    /// Tier bounds in the unit's quantity per month (GB for egress), when the price is tiered.
    pub tier_from: Option<Decimal>,
    pub tier_to: Option<Decimal>,
    pub note: String,
    pub sku: String,
}

/// One row of `instance-types.csv`, as DescribeInstanceTypes gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstanceTypeRecord {
    pub instance_type: String,
    pub family: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    /// `x86_64`, `arm64`, ... sorted and joined with a space in `instance-types.csv`.
    pub archs: Vec<String>,
    pub cpu_maker: String,
    pub clock_ghz: Option<Decimal>,
    pub gpus: u32,
    pub gpu_model: String,
    pub gpu_maker: String,
    pub gpu_memory_mib: Option<u64>,
    pub network: String,
    pub instance_storage_gb: u64,
    pub instance_storage_type: String,
    pub burstable: bool,
    pub bare_metal: bool,
    pub ebs_optimized_support: String,
    pub cores: Option<u32>,
    pub efa_interfaces: u32,
}

/// An instance type offered in a region (DescribeInstanceTypeOfferings, location type `region`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Offering {
    pub region: String,
    pub instance_type: String,
}

/// The newest official Rocky Linux image of one major version and arch in one region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RockyImage {
    pub region: String,
    /// `x86_64` or `arm64` (the EC2 architecture names).
    pub arch: String,
    /// `rocky8`, `rocky9`, `rocky10`, as in `images.csv`.
    pub os: String,
    pub ami_id: String,
    pub name: String,
    /// The image's CreationDate as EC2 gives it (RFC 3339).
    pub creation_date: String,
}

/// The mean Linux/UNIX spot price of one type in one region over the window asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpotAverage {
    pub region: String,
    pub instance_type: String,
    pub usd_per_hour: Decimal,
    /// How many price records (across availability zones) the mean is over.
    pub samples: u32,
}
