//! HPC burst planning core: a Slurm job history (`sacct --parsable2` text) and a cluster description
//! (`[cluster]` TOML or `scontrol show nodes --oneliner` text) in; an event-driven FCFS + EASY-backfill
//! replay of the on-prem cluster, optionally with a cloud burst policy, out (`ReplayResult`).
//!
//! Pure functions of data: no files, clock or environment. Times are integer seconds on a naive
//! wall-clock axis (sacct prints local time without a zone: see [`time`]); memory is MiB (`u64`).
//!
//! - [`sacct`]: `parse_sacct(file, text) -> Result<JobHistory>` (steps folded, skipped lines counted).
//! - [`cluster`]: `parse_cluster_toml(label, text)`, `parse_scontrol_nodes(file, text)` -> `Cluster`.
//! - [`replay`]: `replay(&cluster, &jobs, policy) -> ReplayResult` (waits, utilisation, burst plan).

pub mod burst_router;
pub mod cluster;
pub mod cost;
pub mod replay;
pub mod sacct;
pub mod slurm_conf;
pub mod terraform;
pub mod time;
pub(crate) mod units;

pub use cluster::{
    cluster_from_config, parse_cluster_toml, parse_scontrol_nodes, Cluster, ClusterConfig, Node, Partition,
    PartitionConfig,
};
pub use replay::{
    replay, Accuracy, BurstJob, BurstPolicy, BurstReason, BurstSummary, CloudShape, JobReplay, NodeCount,
    PartitionStats, Placement, ReplayResult, Unrunnable, WaitStats, BF_MAX_JOB_TEST,
};
pub use sacct::{parse_sacct, parse_sacct_with, Job, JobHistory, SacctFormat, SacctOptions};

use crate::error::Problem;

/// Most problems listed for one file; the rest are summed up in one final "... and N more" problem.
pub const MAX_PROBLEMS: usize = 100;

/// Keep the first [`MAX_PROBLEMS`] problems and add one line counting the others.
pub(crate) fn cap_problems(file: &str, mut problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(Problem::at(file, 0, None, format!("... and {more} more problems")));
    }
    problems
}
