//! `instance-types.csv` bytes in, the instance catalog out: specs per type (vCPU, memory, arch, GPUs, network, storage, flags).

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::snapshot::Snapshot;
use crate::error::{Error, Result};

pub const FILE: &str = "instance-types.csv";

/// A CPU architecture EC2 offers (the ones rocklift places on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Arch {
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
}

impl Arch {
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }
}

impl std::fmt::Display for Arch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceSpec {
    pub instance_type: String,
    pub family: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    /// Architectures as EC2 lists them (may include `i386` or `x86_64_mac`).
    pub archs: Vec<String>,
    pub cpu_maker: String,
    pub clock_ghz: Option<Decimal>,
    pub gpus: u32,
    pub gpu_model: String,
    pub gpu_maker: String,
    pub gpu_memory_mib: u64,
    pub network: String,
    pub instance_storage_gb: u64,
    pub instance_storage_type: String,
    pub current_generation: bool,
    pub burstable: bool,
    pub bare_metal: bool,
    /// EC2's `EbsOptimizedSupport`: `default`, `supported` or `unsupported`.
    pub ebs_optimized_support: String,
    /// Physical cores (EC2's `DefaultCores`); `None` in snapshots without the column.
    pub cores: Option<u32>,
    /// Elastic Fabric Adapter interfaces the type supports (EC2's `EfaInfo.MaximumEfaInterfaces`); 0 = no EFA.
    pub efa_interfaces: u32,
}

impl InstanceSpec {
    /// Whether `ebs_optimized = true` may be set (it is refused for `unsupported` types such as t2).
    pub fn ebs_optimizable(&self) -> bool {
        self.ebs_optimized_support != "unsupported"
    }

    pub fn memory_gib(&self) -> Decimal {
        Decimal::from(self.memory_mib) / Decimal::from(1024)
    }

    pub fn supports(&self, arch: Arch) -> bool {
        self.archs.iter().any(|a| a == arch.as_str())
    }

    /// The first architecture rocklift can place on (x86_64 before arm64).
    pub fn arch(&self) -> Option<Arch> {
        [Arch::X86_64, Arch::Arm64].into_iter().find(|a| self.supports(*a))
    }

    /// Mac instances run macOS on dedicated hosts: never a target for a server move.
    pub fn is_mac(&self) -> bool {
        self.family.starts_with("mac")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    types: Vec<InstanceSpec>,
    index: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct Row {
    instance_type: String,
    family: String,
    vcpus: u32,
    memory_mib: u64,
    archs: String,
    cpu_maker: String,
    clock_ghz: String,
    gpus: u32,
    gpu_model: String,
    gpu_maker: String,
    gpu_memory_mib: String,
    network: String,
    instance_storage_gb: u64,
    instance_storage_type: String,
    current_generation: String,
    burstable: String,
    bare_metal: String,
    ebs_optimized_support: String,
    #[serde(default)]
    cores: Option<u32>,
    #[serde(default)]
    efa_interfaces: Option<u32>,
}

impl Catalog {
    pub fn load(snapshot: &Snapshot) -> Result<Self> {
        let bytes = snapshot.read(FILE)?;
        Self::parse(&bytes)
            .map_err(|message| Error::Snapshot { location: format!("{}/{FILE}", snapshot.origin), message })
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let mut rdr = csv::Reader::from_reader(bytes);
        let mut types = Vec::new();
        for (i, row) in rdr.deserialize::<Row>().enumerate() {
            let r = row.map_err(|e| format!("line {}: {e}", i + 2))?;
            let clock_ghz = if r.clock_ghz.is_empty() {
                None
            } else {
                Some(r.clock_ghz.parse::<Decimal>().map_err(|e| format!("line {}: clock_ghz: {e}", i + 2))?)
            };
            let gpu_memory_mib = if r.gpu_memory_mib.is_empty() {
                0
            } else {
                r.gpu_memory_mib.parse().map_err(|e| format!("line {}: gpu_memory_mib: {e}", i + 2))?
            };
            types.push(InstanceSpec {
                instance_type: r.instance_type,
                family: r.family,
                vcpus: r.vcpus,
                memory_mib: r.memory_mib,
                archs: r.archs.split_whitespace().map(str::to_owned).collect(),
                cpu_maker: r.cpu_maker,
                clock_ghz,
                gpus: r.gpus,
                gpu_model: r.gpu_model,
                gpu_maker: r.gpu_maker,
                gpu_memory_mib,
                network: r.network,
                instance_storage_gb: r.instance_storage_gb,
                instance_storage_type: r.instance_storage_type,
                current_generation: r.current_generation == "y",
                burstable: r.burstable == "y",
                bare_metal: r.bare_metal == "y",
                ebs_optimized_support: r.ebs_optimized_support,
                cores: r.cores,
                efa_interfaces: r.efa_interfaces.unwrap_or(0),
            });
        }
        let index = types.iter().enumerate().map(|(i, t)| (t.instance_type.clone(), i)).collect();
        Ok(Catalog { types, index })
    }

    pub fn get(&self, instance_type: &str) -> Option<&InstanceSpec> {
        self.index.get(instance_type).map(|&i| &self.types[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &InstanceSpec> {
        self.types.iter()
    }

    pub fn len(&self) -> usize {
        self.types.len()
    }

    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// Up to `n` known type names close to `name`: the same family first, else the same size in
    /// families that share its first letters (`m7z.large` → `m7a.large`, `m7g.large`, ...).
    pub fn similar(&self, name: &str, n: usize) -> Vec<&str> {
        let (family, size) = name.split_once('.').unwrap_or((name, ""));
        let same_family: Vec<&str> =
            self.types.iter().filter(|t| t.family == family).map(|t| t.instance_type.as_str()).take(n).collect();
        if !same_family.is_empty() {
            return same_family;
        }
        for prefix_len in (1..=family.len().min(3)).rev() {
            let prefix = &family[..prefix_len];
            let found: Vec<&str> = self
                .types
                .iter()
                .filter(|t| t.family.starts_with(prefix) && t.instance_type.ends_with(&format!(".{size}")))
                .map(|t| t.instance_type.as_str())
                .take(n)
                .collect();
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }
}
