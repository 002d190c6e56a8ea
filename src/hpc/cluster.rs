//! A cluster description in — the `[cluster]` table of `rocklift.toml`, or the text of
//! `scontrol show nodes --oneliner` — and a `Cluster` out: nodes (cores, memory MiB, GPUs) grouped
//! into partitions, a node in two partitions belonging to both.
//!
//! `[cluster]` TOML (memory is GiB, 1 GiB = 1024 MiB, or `memory_mib`; exactly one of them):
//!
//! ```toml
//! [cluster]
//! name = "hpc1"                # optional
//! default_partition = "batch"  # optional; the first partition otherwise
//!
//! [[cluster.partitions]]
//! name = "batch"
//! nodes = 64                   # nodes of this partition's own, named batch-0001 ...
//! cores = 32                   # per node
//! memory_gib = 192             # per node (or memory_mib = 196608)
//!
//! [[cluster.partitions]]
//! name = "gpu"
//! nodes = 4
//! cores = 32
//! memory_gib = 384
//! gpus = 4                     # per node
//! gpu_model = "a100"           # optional
//!
//! [[cluster.partitions]]
//! name = "all"
//! include = ["batch", "gpu"]   # the own nodes of other partitions: shared, counted in both
//! ```
//!
//! `scontrol show nodes --oneliner` (also the multi-line form of `scontrol show nodes`): one node
//! per `NodeName=` record; rocklift reads `NodeName`, `CPUTot` (CPUs as Slurm counts them, the unit
//! of sacct's NCPUS), `RealMemory` (MiB; absent or Slurm's default `1` means memory is not
//! configured and is then not a constraint: `u64::MAX`), `Gres` (`gpu:a100:4(S:0-1)`, `gpu:4`,
//! `(null)`), `Partitions` (comma list) and `State`. Nodes whose State includes `CLOUD` (burst
//! nodes that already exist) or `FUTURE` are left out, as are nodes in no partition; DOWN and
//! DRAINED nodes are kept (the history ran while they were up). Partitions appear in the order
//! they are first named; the first is the default (`scontrol show nodes` does not say which
//! partition has `Default=YES`; set [`Cluster::default_partition`] when it is another one).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::units::parse_gres;
use crate::error::{Error, Problem, Result};
use crate::inventory::LeftOut;

/// Largest values accepted as plausible.
const MAX_NODES: u32 = 1_000_000;
const MAX_CORES: u32 = 100_000;
const MAX_GPUS: u32 = 64;
const MAX_MEMORY_MIB: u64 = 1 << 40;

/// A compute node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    pub name: String,
    pub cores: u32,
    /// MiB; `u64::MAX` when the node does not say (memory is then not a constraint).
    pub memory_mib: u64,
    pub gpus: u32,
    /// Lower case, when known.
    pub gpu_model: Option<String>,
    /// Slurm State when read from scontrol.
    pub state: Option<String>,
    /// Indexes into `Cluster::partitions`.
    pub partitions: Vec<usize>,
}

/// A partition: a set of nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partition {
    pub name: String,
    /// Indexes into `Cluster::nodes`, ascending.
    pub nodes: Vec<usize>,
}

/// An on-prem cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    /// The file it was read from.
    pub source: String,
    pub name: Option<String>,
    pub nodes: Vec<Node>,
    /// At least one; each with at least one node.
    pub partitions: Vec<Partition>,
    /// Where jobs with no or an unknown partition run (index into `partitions`).
    pub default_partition: usize,
    /// Nodes read but not simulated (cloud nodes, nodes in no partition), and why.
    pub left_out: Vec<LeftOut>,
}

impl Cluster {
    /// Index of the partition named `name` (exact, else ignoring case).
    pub fn partition_index(&self, name: &str) -> Option<usize> {
        self.partitions
            .iter()
            .position(|p| p.name == name)
            .or_else(|| self.partitions.iter().position(|p| p.name.eq_ignore_ascii_case(name)))
    }

    /// Cores of all nodes (each node once).
    pub fn total_cores(&self) -> u64 {
        self.nodes.iter().map(|n| u64::from(n.cores)).sum()
    }

    /// Cores of a partition's nodes.
    pub fn partition_cores(&self, partition: usize) -> u64 {
        self.partitions
            .get(partition)
            .map(|p| p.nodes.iter().filter_map(|&n| self.nodes.get(n)).map(|n| u64::from(n.cores)).sum())
            .unwrap_or(0)
    }

    /// Whether some node belongs to more than one partition.
    pub fn shares_nodes(&self) -> bool {
        self.nodes.iter().any(|n| n.partitions.len() > 1)
    }

    /// Make `name` the default partition; `Err` lists the partitions there are.
    pub fn set_default_partition(&mut self, name: &str) -> std::result::Result<(), String> {
        match self.partition_index(name) {
            Some(i) => {
                self.default_partition = i;
                Ok(())
            }
            None => Err(format!("no partition '{name}'; the cluster has {}", self.partition_names())),
        }
    }

    fn partition_names(&self) -> String {
        self.partitions.iter().map(|p| format!("'{}'", p.name)).collect::<Vec<_>>().join(", ")
    }
}

/// The `[cluster]` table of `rocklift.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    pub name: Option<String>,
    pub default_partition: Option<String>,
    pub partitions: Vec<PartitionConfig>,
}

/// One `[[cluster.partitions]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionConfig {
    pub name: String,
    /// Nodes of its own (0 when the partition only includes others).
    #[serde(default)]
    pub nodes: u32,
    /// Cores per node.
    pub cores: Option<u32>,
    /// Memory per node, GiB (1024 MiB).
    pub memory_gib: Option<f64>,
    /// Memory per node, MiB (instead of `memory_gib`).
    pub memory_mib: Option<u64>,
    /// GPUs per node.
    #[serde(default)]
    pub gpus: u32,
    pub gpu_model: Option<String>,
    /// Partitions whose own nodes this one also holds.
    #[serde(default)]
    pub include: Vec<String>,
}

#[derive(Deserialize)]
struct Doc {
    cluster: Option<ClusterConfig>,
}

/// The `[cluster]` table of a `rocklift.toml` (other tables are ignored), as a `Cluster`; `label`
/// names the file in messages.
pub fn parse_cluster_toml(label: &str, text: &str) -> Result<Cluster> {
    let doc: Doc = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |r| line_at(text, r.start));
        Error::Invalid(vec![Problem::at(label, line, None, e.message().trim().to_owned())])
    })?;
    let Some(config) = doc.cluster else {
        return Err(Error::Invalid(vec![Problem::at(
            label,
            1,
            None,
            "no [cluster] table; describe the partitions as [[cluster.partitions]] with name, nodes, cores and memory_gib",
        )]));
    };
    cluster_from_config(label, text, &config)
}

/// A `Cluster` from its TOML description; `text` (the file) is only used to locate problems.
pub fn cluster_from_config(label: &str, text: &str, config: &ClusterConfig) -> Result<Cluster> {
    let mut problems = Vec::new();
    let at = |needle: &str| line_at_text(text, needle);
    let mut nodes: Vec<Node> = Vec::new();
    let mut partitions: Vec<Partition> = Vec::new();
    let mut own: Vec<Vec<usize>> = Vec::new();
    if config.partitions.is_empty() {
        problems.push(Problem::at(label, at("[cluster]"), None, "[cluster] has no partitions"));
    }
    for (pi, pc) in config.partitions.iter().enumerate() {
        let line = at(&format!("\"{}\"", pc.name));
        let mut bad = |column: &str, message: String| problems.push(Problem::at(label, line, Some(column), message));
        if pc.name.trim().is_empty() {
            bad("name", "a partition needs a name".into());
        }
        if config.partitions[..pi].iter().any(|o| o.name == pc.name) {
            bad("name", format!("partition '{}' is described twice", pc.name));
        }
        let mut mine = Vec::new();
        if pc.nodes > MAX_NODES {
            bad("nodes", format!("{} nodes is implausibly many (at most {MAX_NODES})", pc.nodes));
        } else if pc.nodes > 0 {
            let cores = match pc.cores {
                Some(c) if (1..=MAX_CORES).contains(&c) => Some(c),
                Some(c) => {
                    bad("cores", format!("{c} cores per node; expected 1 to {MAX_CORES}"));
                    None
                }
                None => {
                    bad("cores", format!("partition '{}' has nodes but no cores per node", pc.name));
                    None
                }
            };
            let memory = match (pc.memory_gib, pc.memory_mib) {
                (Some(_), Some(_)) => {
                    bad("memory_gib", "give memory_gib or memory_mib, not both".into());
                    None
                }
                (Some(g), None) if g.is_finite() && g > 0.0 && g * 1024.0 <= MAX_MEMORY_MIB as f64 => {
                    Some((g * 1024.0).round() as u64)
                }
                (Some(g), None) => {
                    bad("memory_gib", format!("{g} GiB per node; expected a positive size"));
                    None
                }
                (None, Some(m)) if m > 0 && m <= MAX_MEMORY_MIB => Some(m),
                (None, Some(m)) => {
                    bad("memory_mib", format!("{m} MiB per node; expected a positive size"));
                    None
                }
                (None, None) => {
                    bad("memory_gib", format!("partition '{}' has nodes but no memory_gib per node", pc.name));
                    None
                }
            };
            if pc.gpus > MAX_GPUS {
                bad("gpus", format!("{} GPUs per node; expected at most {MAX_GPUS}", pc.gpus));
            }
            if pc.gpus == 0 && pc.gpu_model.is_some() {
                bad("gpu_model", "gpu_model is set but gpus is 0".into());
            }
            if let (Some(cores), Some(memory_mib)) = (cores, memory) {
                for i in 1..=pc.nodes {
                    mine.push(nodes.len());
                    nodes.push(Node {
                        name: format!("{}-{i:04}", pc.name),
                        cores,
                        memory_mib,
                        gpus: pc.gpus,
                        gpu_model: pc.gpu_model.as_ref().map(|m| m.trim().to_ascii_lowercase()),
                        state: None,
                        partitions: Vec::new(),
                    });
                }
            }
        } else if pc.include.is_empty() {
            bad("nodes", format!("partition '{}' has no nodes (give nodes, or include other partitions)", pc.name));
        }
        own.push(mine);
        partitions.push(Partition { name: pc.name.clone(), nodes: Vec::new() });
    }
    for (pi, pc) in config.partitions.iter().enumerate() {
        let mut set = own[pi].clone();
        for inc in &pc.include {
            match config.partitions.iter().position(|o| &o.name == inc) {
                Some(oi) if oi == pi => problems.push(Problem::at(
                    label,
                    at(&format!("\"{inc}\"")),
                    Some("include"),
                    format!("partition '{}' includes itself", pc.name),
                )),
                Some(oi) => set.extend(own[oi].iter().copied()),
                None => problems.push(Problem::at(
                    label,
                    at(&format!("\"{inc}\"")),
                    Some("include"),
                    format!("partition '{}' includes '{inc}', which is not described", pc.name),
                )),
            }
        }
        set.sort_unstable();
        set.dedup();
        partitions[pi].nodes = set;
    }
    let default_partition = match &config.default_partition {
        Some(d) => match config.partitions.iter().position(|p| &p.name == d) {
            Some(i) => i,
            None => {
                problems.push(Problem::at(
                    label,
                    at("default_partition"),
                    Some("default_partition"),
                    format!("no partition '{d}' is described"),
                ));
                0
            }
        },
        None => 0,
    };
    if !problems.is_empty() {
        return Err(Error::Invalid(super::cap_problems(label, problems)));
    }
    Ok(finish(label, config.name.clone(), nodes, partitions, default_partition, Vec::new()))
}

/// Fill `Node::partitions` from the partitions' node lists.
fn finish(
    source: &str,
    name: Option<String>,
    mut nodes: Vec<Node>,
    partitions: Vec<Partition>,
    default_partition: usize,
    left_out: Vec<LeftOut>,
) -> Cluster {
    for (pi, p) in partitions.iter().enumerate() {
        for &n in &p.nodes {
            if let Some(node) = nodes.get_mut(n) {
                node.partitions.push(pi);
            }
        }
    }
    Cluster { source: source.to_owned(), name, nodes, partitions, default_partition, left_out }
}

/// The text of `scontrol show nodes --oneliner` (or without `--oneliner`) as a `Cluster`.
pub fn parse_scontrol_nodes(file: &str, text: &str) -> Result<Cluster> {
    let records = node_records(text);
    let mut problems = Vec::new();
    if records.is_empty() {
        return Err(Error::Invalid(vec![Problem::at(
            file,
            1,
            None,
            "no NodeName= records; expected the output of `scontrol show nodes --oneliner`",
        )]));
    }
    let mut nodes: Vec<Node> = Vec::new();
    let mut by_name: BTreeMap<String, u64> = BTreeMap::new();
    let mut partition_names: Vec<String> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut left_out = Vec::new();
    for rec in &records {
        let line = rec.line;
        let name = rec.get("NodeName").map(|(v, _)| v.to_owned()).unwrap_or_default();
        if let Some(first) = by_name.get(&name) {
            problems.push(Problem::at(
                file,
                line,
                Some("NodeName"),
                format!("node '{name}' is listed twice (first on line {first})"),
            ));
            continue;
        }
        by_name.insert(name.clone(), line);
        let state = rec.get("State").map(|(v, _)| v.to_owned());
        if let Some(s) = &state {
            let flags: Vec<String> = s
                .split('+')
                .map(|f| f.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_').to_ascii_uppercase())
                .collect();
            if let Some(f) = flags.iter().find(|f| *f == "CLOUD" || *f == "FUTURE") {
                let what = if f == "CLOUD" { "a cloud node" } else { "a FUTURE node (not in service)" };
                left_out.push(LeftOut {
                    name: name.clone(),
                    location: format!("{file}:{line}"),
                    reason: format!("{what} (State={s})"),
                });
                continue;
            }
        }
        let cores = match rec.get("CPUTot") {
            Some((v, l)) => match v.parse::<u32>() {
                Ok(c) if (1..=MAX_CORES).contains(&c) => Some(c),
                _ => {
                    problems.push(Problem::at(
                        file,
                        l,
                        Some("CPUTot"),
                        format!("'{v}' is not a CPU count (1 to {MAX_CORES})"),
                    ));
                    None
                }
            },
            None => {
                problems.push(Problem::at(file, line, Some("CPUTot"), format!("node '{name}' has no CPUTot")));
                None
            }
        };
        let memory_mib = match rec.get("RealMemory") {
            Some((v, l)) => match v.parse::<u64>() {
                Ok(m) if m <= 1 => Some(u64::MAX),
                Ok(m) if m <= MAX_MEMORY_MIB => Some(m),
                _ => {
                    problems.push(Problem::at(
                        file,
                        l,
                        Some("RealMemory"),
                        format!("'{v}' is not a memory size in MiB"),
                    ));
                    None
                }
            },
            None => Some(u64::MAX),
        };
        let (gpus, gpu_model) = match rec.get("Gres") {
            Some((v, l)) => match parse_gres(v) {
                Ok(g) => g.resolve(),
                Err(e) => {
                    problems.push(Problem::at(file, l, Some("Gres"), e));
                    (0, None)
                }
            },
            None => (0, None),
        };
        let parts: Vec<&str> = rec
            .get("Partitions")
            .map(|(v, _)| v.split(',').map(str::trim).filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        if parts.is_empty() {
            left_out.push(LeftOut {
                name: name.clone(),
                location: format!("{file}:{line}"),
                reason: "in no partition".into(),
            });
            continue;
        }
        let (Some(cores), Some(memory_mib)) = (cores, memory_mib) else { continue };
        let idx = nodes.len();
        for p in parts {
            let pi = match partition_names.iter().position(|n| n == p) {
                Some(i) => i,
                None => {
                    partition_names.push(p.to_owned());
                    members.push(Vec::new());
                    partition_names.len() - 1
                }
            };
            if let Some(m) = members.get_mut(pi) {
                m.push(idx);
            }
        }
        nodes.push(Node { name, cores, memory_mib, gpus, gpu_model, state, partitions: Vec::new() });
    }
    if problems.is_empty() && nodes.is_empty() {
        problems.push(Problem::at(
            file,
            1,
            None,
            "no node can run jobs (all are cloud/future nodes or in no partition)",
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(super::cap_problems(file, problems)));
    }
    let partitions = partition_names
        .into_iter()
        .zip(members)
        .map(|(name, mut nodes)| {
            nodes.sort_unstable();
            nodes.dedup();
            Partition { name, nodes }
        })
        .collect();
    Ok(finish(file, None, nodes, partitions, 0, left_out))
}

/// One `NodeName=` record: its line and its key=value pairs (value, line).
struct NodeRecord<'a> {
    line: u64,
    pairs: Vec<(&'a str, String, u64)>,
}

impl NodeRecord<'_> {
    fn get(&self, key: &str) -> Option<(&str, u64)> {
        self.pairs.iter().find(|(k, _, _)| k.eq_ignore_ascii_case(key)).map(|(_, v, l)| (v.as_str(), *l))
    }
}

/// Split scontrol text into node records. Tokens are `Key=value` separated by white space; a token
/// without `=` (as in `OS=Linux 5.14.0 #1 SMP` or `Reason=Not responding`) continues the previous value.
fn node_records(text: &str) -> Vec<NodeRecord<'_>> {
    let mut out: Vec<NodeRecord<'_>> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        for token in line.split_whitespace() {
            let key_value = token
                .split_once('=')
                .filter(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            match key_value {
                Some(("NodeName", v)) => {
                    out.push(NodeRecord { line: line_no, pairs: vec![("NodeName", v.to_owned(), line_no)] })
                }
                Some((k, v)) => {
                    if let Some(rec) = out.last_mut() {
                        rec.pairs.push((k, v.to_owned(), line_no));
                    }
                }
                None => {
                    if let Some((_, v, _)) = out.last_mut().and_then(|r| r.pairs.last_mut()) {
                        v.push(' ');
                        v.push_str(token);
                    }
                }
            }
        }
    }
    out
}

/// 1-based line of byte `offset`.
fn line_at(text: &str, offset: usize) -> u64 {
    text.as_bytes().iter().take(offset.min(text.len())).filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Line of the first occurrence of `needle` after `[cluster]` (or anywhere), 1 when absent.
fn line_at_text(text: &str, needle: &str) -> u64 {
    let from = text.find("[cluster").unwrap_or(0);
    match text.get(from..).and_then(|t| t.find(needle)) {
        Some(i) => line_at(text, from + i),
        None => 1,
    }
}
