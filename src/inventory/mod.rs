//! Inventories: the `Server` model every reader produces, and the readers (native CSV now; RVTools and others later).

pub mod azure_migrate;
pub mod cells;
pub mod google_mc;
pub mod header;
pub mod history;
pub(crate) mod import_csv;
pub mod migration_evaluator;
pub mod migration_hub;
pub mod native_csv;
pub mod os;
pub mod read;
pub mod rvtools;
pub(crate) mod table;
pub mod xlsx_guard;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::pricing::catalog::Arch;
pub use os::{OsFamily, OsInfo};

/// Which architectures a server may move to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchChoice {
    Any,
    X86_64,
    Arm64,
}

impl ArchChoice {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "any" | "either" | "both" => Some(ArchChoice::Any),
            "x86_64" | "x86" | "amd64" | "x64" | "intel" => Some(ArchChoice::X86_64),
            "arm64" | "aarch64" | "arm" | "graviton" => Some(ArchChoice::Arm64),
            _ => None,
        }
    }

    pub fn allows(self, arch: Arch) -> bool {
        match self {
            ArchChoice::Any => true,
            ArchChoice::X86_64 => arch == Arch::X86_64,
            ArchChoice::Arm64 => arch == Arch::Arm64,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ArchChoice::Any => "any",
            ArchChoice::X86_64 => "x86_64",
            ArchChoice::Arm64 => "arm64",
        }
    }
}

/// A port or an inclusive port range a public server exposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// One inventory row: a server (or `count` identical servers) as it runs today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Server {
    pub name: String,
    /// Line of the row in its file (1-based, the header is line 1).
    pub line: u64,
    pub cpus: u32,
    pub memory_gib: Decimal,
    pub disk_gib: Option<Decimal>,
    pub disk_used_gib: Option<Decimal>,
    /// Shared between rows with the same OS text.
    pub os: std::sync::Arc<OsInfo>,
    pub cpu_util_p95: Option<Decimal>,
    pub mem_util_p95: Option<Decimal>,
    pub gpus: u32,
    pub gpu_model: Option<String>,
    /// `None`: not stated (the setting `arch` decides).
    pub arch: Option<ArchChoice>,
    pub role: String,
    pub count: u32,
    pub egress_gib_month: Decimal,
    pub public: bool,
    pub ports: Vec<PortRange>,
    pub schedule: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// IOPS the disks need, when the inventory says (`None`: the gp3 baseline is enough).
    #[serde(default)]
    pub disk_iops: Option<u32>,
    /// Throughput the disks need in MiB/s, when the inventory says.
    #[serde(default)]
    pub disk_throughput_mbps: Option<u32>,
    /// What the reader had to assume for this server (e.g. "CPU utilization is the export's peak, used as p95").
    #[serde(default)]
    pub notes: Vec<String>,
    /// Stars (1 to 5) of the utilization history the p95s came from, when they came from one
    /// ([`crate::utilization`]); `None` when they came from the inventory itself or there are none.
    #[serde(default)]
    pub confidence_stars: Option<u8>,
}

impl Server {
    /// A server with what every inventory has; the rest takes the native reader's defaults (count 1, role
    /// `default`, no GPU, no egress, not public, no ports, no schedule, architecture unstated, nothing measured).
    pub fn new(name: String, line: u64, cpus: u32, memory_gib: Decimal, os: std::sync::Arc<OsInfo>) -> Self {
        Server {
            name,
            line,
            cpus,
            memory_gib,
            disk_gib: None,
            disk_used_gib: None,
            os,
            cpu_util_p95: None,
            mem_util_p95: None,
            gpus: 0,
            gpu_model: None,
            arch: None,
            role: "default".to_owned(),
            count: 1,
            egress_gib_month: Decimal::ZERO,
            public: false,
            ports: Vec::new(),
            schedule: None,
            tags: BTreeMap::new(),
            disk_iops: None,
            disk_throughput_mbps: None,
            confidence_stars: None,
            notes: Vec::new(),
        }
    }
}

/// A row the reader read but left out of the plan (a template, a powered-off VM), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    pub name: String,
    /// Where it was: `file:line` or `file: sheet 'S' row N`.
    pub location: String,
    pub reason: String,
}

/// An on-prem host (hypervisor) as an inventory describes it, kept for the on-prem comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    pub name: String,
    pub cluster: Option<String>,
    pub cpu_model: Option<String>,
    pub sockets: Option<u32>,
    pub cores: Option<u32>,
    pub hyperthreading: Option<bool>,
    pub memory_gib: Option<Decimal>,
}

/// A whole inventory: servers in file order, and what the reader ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// The file as the user named it.
    pub file: String,
    pub format: String,
    pub servers: Vec<Server>,
    /// Columns present in the file that rocklift does not use.
    pub ignored_columns: Vec<String>,
    /// Rows read but not planned (templates, powered-off VMs unless asked for), each with its reason.
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
    /// Hypervisor hosts the inventory describes (RVTools vHost), for the on-prem comparison.
    #[serde(default)]
    pub hosts: Vec<HostInfo>,
    /// What the reading wants the user to know: disagreements between merged files, history rows without a
    /// server. The plan shows them as warnings.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Inventory {
    /// An inventory of `servers` read from `file`, with nothing left out, no hosts and no warnings yet.
    pub fn new(file: &str, format: &str, servers: Vec<Server>, ignored_columns: Vec<String>) -> Self {
        Inventory {
            file: file.to_owned(),
            format: format.to_owned(),
            servers,
            ignored_columns,
            left_out: Vec::new(),
            hosts: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Servers counting `count`.
    pub fn server_count(&self) -> u64 {
        self.servers.iter().map(|s| u64::from(s.count)).sum()
    }
}

/// Choices every inventory reader honours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Plan powered-off VMs too (they are left out, and counted, by default).
    pub include_powered_off: bool,
    /// Plan VM templates too (left out, and counted, by default).
    pub include_templates: bool,
}
