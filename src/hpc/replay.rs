//! A cluster and a job history in, a `ReplayResult` out: an event-driven replay of the on-prem
//! cluster (FCFS with EASY backfill), optionally with a cloud burst policy, giving every job's wait,
//! the wait distribution and utilisation per partition, how close the replay comes to the recorded
//! start times, and (with a policy) which jobs burst to which cloud shape.
//!
//! # Model
//!
//! - **Resources**: core-level sharing, as Slurm's `select/cons_tres` with `CR_Core_Memory` does.
//!   Each node has cores, memory (MiB) and GPUs. A job of N nodes needs N distinct nodes, each with
//!   `ceil(cores/N)` free cores, `ceil(memory/N)` MiB and `ceil(gpus/N)` GPUs (of its GPU model,
//!   when the history names one); a 1-node job takes cores on one node, next to other jobs. Memory 0
//!   (not recorded) is not a constraint. Nodes are chosen first-fit in partition order.
//! - **Partitions** are sets of nodes; a node in two partitions is one node (its cores are used by
//!   jobs of either). A job runs only on nodes of its partition. Jobs with no partition, or one the
//!   cluster does not have, run in the default partition (counted in `partition_fallbacks`); a
//!   comma list (`batch,gpu`) means the first listed partition the cluster has.
//! - **Queue and runtime**: a job enters its partition's queue at its Eligible time (Submit when
//!   absent) and runs for its recorded Elapsed: perfect runtime knowledge (as if every time limit
//!   were exact). Its wait is start − eligible. Jobs that never got an allocation are not replayed.
//! - **FCFS + EASY backfill, per partition** (Slurm's main scheduler stops at the first job of a
//!   partition that cannot start; sched_config.html): at every event the partition's first queued
//!   job (the head) starts if it fits now. If it does not, it gets a *reservation*: the earliest
//!   time its nodes/cores/memory/GPUs are free given the running jobs' actual end times (walking
//!   their ends in order), on concrete nodes. Later jobs of the partition may then start now only
//!   if they fit now and do not delay that reservation: either they end by the reservation time,
//!   or they use only what the head leaves unused on its reserved nodes at that time. Like Slurm's
//!   `bf_max_job_test` (slurm.conf(5) SchedulerParameters, default 500), at most
//!   [`BF_MAX_JOB_TEST`] queued jobs behind the head are tested per event. Because runtimes are
//!   exact and backfill never takes reserved resources, a head starts exactly at its reservation.
//!   Across partitions that share nodes, a backfill job respects every partition's reservation,
//!   but heads of different partitions do not reserve against each other: a head that cannot start
//!   at its reservation time (another partition's head took the shared node) gets a new one.
//! - **Unrunnable**: a job larger than its partition can ever hold (more cores/memory/GPUs per node
//!   than any node, a GPU model no node has, more such nodes than there are) is listed with the
//!   reason and not simulated.
//!
//! # Burst policy
//!
//! At a job's eligible time (its submit event in the replay), in this order: a job of a chosen
//! partition bursts; a job the partition can never hold bursts; a job that can start now (as the
//! head, or as a backfill job) stays; otherwise its start is *predicted* from the current state and
//! it bursts when the predicted wait exceeds `max_wait`. The prediction: when the partition's queue
//! is empty it is the job's own EASY reservation (exact: nothing can delay a head). When jobs are
//! queued ahead of it, it is a node-level FCFS plan without backfill: the running jobs end at their
//! actual end times, the head starts at its reservation on its reserved nodes, and every later
//! queued job, then the new one, starts in queue order at the first moment enough nodes have room
//! (the plan runs on a copy of the partition's free resources and stops once it passes
//! `max_wait`; a cheaper plan on the partition's pooled cores, memory and GPUs, which cannot be
//! later, is tried first). Backfill may start a job earlier than predicted; a job that backfills
//! ahead of it may delay it. `BurstSummary::on_prem_over_max_wait` counts the jobs that stayed and
//! still waited longer than `max_wait`.
//!
//! A job bursts only to a shape that fits one of its nodes (cores, memory, GPU count and model):
//! the first of `shapes` that fits (the caller orders them by price). Memory for the cloud is the
//! job's memory request per node, or its peak RSS when it recorded no request. A job no shape fits
//! stays on-prem and is counted in `not_burstable` by reason. A burst job starts in the cloud at
//! its eligible time plus `boot_seconds` (its wait) and runs its Elapsed on `nodes` instances.
//!
//! # Outputs
//!
//! - Per job (same order as given): placement, partition, start, wait.
//! - Waits (all replayed jobs, and per partition including its burst jobs): mean, p50, p95, max;
//!   percentiles by nearest rank.
//! - Utilisation: core-seconds of the jobs that ran on-prem over cores × span, the span running
//!   from the first eligible time to the last end of the replayed jobs; a partition counts the cores
//!   its own nodes gave (a shared node counts in each of its partitions; the cluster figure counts
//!   every node once).
//! - Accuracy (without a policy): replay start − recorded Start for every job that ran on-prem:
//!   mean and median of the absolute difference, share within 5 minutes, both wait distributions.
//! - Burst plan: per burst job its shape, nodes and runtime; node-seconds of runtime per shape per
//!   calendar month of the cloud start (`YYYY-MM`, naive time); concurrent cloud nodes, overall and
//!   per shape: the peak (the recommended maximum node count, `MaxNodes` of a cloud partition) and
//!   the time-weighted p99 over the time any cloud node runs (a count that covers 99% of that time,
//!   for sizing when occasional peaks may queue). Boot time, billing minimums and prices are the
//!   pricing layer's business.
//! - For reports: the wait-time histogram of two replays ([`wait_histogram`], buckets
//!   [`WAIT_BUCKETS`]) and the cloud nodes over time ([`BurstSummary::node_timeline`]: the most
//!   nodes running at once per bucket of an hour, 6 hours, a day or whole weeks, at most
//!   [`TIMELINE_MAX_POINTS`] buckets). Both only read the results above.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::cluster::Cluster;
use super::sacct::Job;
use super::time::month_key;

/// Jobs behind the head tested for backfill per scheduling event (Slurm's `bf_max_job_test` default).
pub const BF_MAX_JOB_TEST: usize = 500;

/// A cloud instance type a burst job may run on (one instance per job node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudShape {
    pub name: String,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub gpus: u32,
    pub gpu_model: Option<String>,
}

/// When to send a job to the cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BurstPolicy {
    /// Burst a job whose predicted wait exceeds this many seconds.
    pub max_wait: Option<i64>,
    /// Burst every job of these partitions.
    pub partitions: Vec<String>,
    /// Candidate shapes, cheapest first; a job takes the first that fits.
    pub shapes: Vec<CloudShape>,
    /// Seconds from a burst job's eligible time to its cloud start (node boot); its wait.
    pub boot_seconds: i64,
}

/// Where a job ran in the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    OnPrem,
    Cloud,
    /// Larger than its partition can hold: see `ReplayResult::unrunnable`.
    Unrunnable,
    /// Not replayed (no allocation in the history): see `ReplayResult::not_replayed`.
    NotReplayed,
}

/// One job's replay, in the order of the jobs given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct JobReplay {
    pub placement: Placement,
    /// Partition (index into `Cluster::partitions`) the job was replayed in.
    pub partition: Option<usize>,
    /// Start in the replay (naive seconds), on-prem or in the cloud.
    pub start: Option<i64>,
    /// Start − eligible, seconds.
    pub wait: Option<i64>,
}

/// A wait-time distribution, seconds; percentiles by nearest rank (the value at rank ⌈p·n⌉).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct WaitStats {
    pub jobs: u64,
    pub mean: f64,
    pub p50: i64,
    pub p95: i64,
    pub max: i64,
}

impl WaitStats {
    /// Stats of `waits` (reordered in place).
    pub fn of(waits: &mut [i64]) -> WaitStats {
        let n = waits.len();
        if n == 0 {
            return WaitStats::default();
        }
        let sum: i128 = waits.iter().map(|&w| i128::from(w)).sum();
        let max = waits.iter().copied().max().unwrap_or(0);
        let rank = |p: u64| ((n as u64 * p).div_ceil(100) as usize).clamp(1, n) - 1;
        let (i95, i50) = (rank(95), rank(50));
        let p95 = *waits.select_nth_unstable(i95).1;
        // Everything before index i95 is now <= p95: the median is among them.
        let p50 = if i50 < i95 { *waits[..i95].select_nth_unstable(i50).1 } else { p95 };
        WaitStats { jobs: n as u64, mean: sum as f64 / n as f64, p50, p95, max }
    }
}

/// Per partition: waits of its jobs (on-prem and burst), and on-prem utilisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartitionStats {
    pub name: String,
    pub nodes: usize,
    pub cores: u64,
    pub waits: WaitStats,
    /// Jobs of the partition that ran on-prem.
    pub on_prem_jobs: u64,
    /// Σ cores × runtime of the jobs that ran on its nodes (on-prem), core-seconds.
    pub core_seconds_used: u64,
    /// Its cores × the replay span, core-seconds (a shared node counts in each of its partitions).
    pub core_seconds_available: u64,
    /// used / available, 0 to 1.
    pub utilisation: f64,
}

/// How close the replay (without a policy) is to the recorded start times of the on-prem jobs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accuracy {
    pub jobs: u64,
    /// Mean |replay start − recorded start|, seconds.
    pub mean_abs_start_diff: f64,
    /// Median |replay start − recorded start|, seconds.
    pub median_abs_start_diff: i64,
    /// Share of jobs whose replay start is within 5 minutes (300 s) of the recorded one, 0 to 1.
    pub within_5_min: f64,
    /// Waits as recorded (start − eligible).
    pub recorded_waits: WaitStats,
    /// Waits in the replay, same jobs.
    pub replay_waits: WaitStats,
}

/// A job the cluster cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unrunnable {
    /// Index into the jobs given.
    pub job: usize,
    pub id: String,
    pub partition: String,
    pub reason: String,
}

/// Why a job went to the cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BurstReason {
    /// Its predicted wait exceeded `max_wait`.
    PredictedWait,
    /// Its partition is one of `BurstPolicy::partitions`.
    Partition,
    /// Its partition can never hold it.
    CannotRunOnPrem,
}

impl BurstReason {
    fn key(self) -> &'static str {
        match self {
            BurstReason::PredictedWait => "predicted wait over max_wait",
            BurstReason::Partition => "partition chosen for bursting",
            BurstReason::CannotRunOnPrem => "cannot run on-prem",
        }
    }
}

/// One job sent to the cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BurstJob {
    /// Index into the jobs given.
    pub job: usize,
    pub shape: String,
    /// Instances (one per job node).
    pub nodes: u32,
    pub runtime_s: i64,
    /// Cloud start, naive seconds (eligible + boot).
    pub start: i64,
    pub reason: BurstReason,
}

/// Concurrent cloud nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NodeCount {
    /// Most nodes running at once.
    pub peak: u64,
    /// 99th percentile of the running count over the time any cloud node runs (time-weighted):
    /// for 99% of that time at most this many nodes run.
    pub p99: u64,
}

/// The burst plan of a replay with a policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BurstSummary {
    /// In order of the jobs given.
    pub jobs: Vec<BurstJob>,
    /// Burst jobs by reason.
    pub by_reason: BTreeMap<String, u64>,
    /// Node-seconds of runtime per shape per calendar month of the cloud start (`YYYY-MM`).
    pub node_seconds: BTreeMap<String, BTreeMap<String, i64>>,
    /// Concurrent cloud nodes, all shapes; `peak` is the recommended maximum cloud node count.
    pub nodes: NodeCount,
    pub nodes_by_shape: BTreeMap<String, NodeCount>,
    /// Jobs the policy would have burst but no shape fits (they stay on-prem), by reason.
    pub not_burstable: BTreeMap<String, u64>,
    /// Names in `BurstPolicy::partitions` the cluster does not have.
    pub unknown_partitions: Vec<String>,
    /// Jobs that stayed on-prem and still waited longer than `max_wait` in the replay (no shape
    /// fits them, or the prediction at submit was shorter than what happened); 0 without `max_wait`.
    pub on_prem_over_max_wait: u64,
}

/// Everything the replay found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayResult {
    /// One per job given, same order.
    pub jobs: Vec<JobReplay>,
    /// First eligible time and last end of the replayed jobs (naive seconds); utilisation's span.
    pub span_start: i64,
    pub span_end: i64,
    /// Waits of every replayed job (on-prem and cloud).
    pub waits: WaitStats,
    /// One per cluster partition, same order.
    pub partitions: Vec<PartitionStats>,
    /// On-prem core-seconds used / (all nodes' cores × span).
    pub utilisation: f64,
    /// Replay vs recorded starts (only without a policy).
    pub accuracy: Option<Accuracy>,
    pub unrunnable: Vec<Unrunnable>,
    /// Jobs not replayed, by reason.
    pub not_replayed: BTreeMap<String, u64>,
    /// Jobs replayed in the default partition because theirs was missing or unknown, by reason.
    pub partition_fallbacks: BTreeMap<String, u64>,
    pub burst: Option<BurstSummary>,
}

/// Replay `jobs` on `cluster`, with `policy` when given.
pub fn replay(cluster: &Cluster, jobs: &[Job], policy: Option<&BurstPolicy>) -> ReplayResult {
    let mut sim = Sim::new(cluster, jobs, policy);
    sim.run();
    sim.into_result(cluster, jobs, policy)
}

// ----------------------------------------------------------------------------------------------
// Report data: the wait-time histogram and the cloud nodes over time (read from the results only)

/// The wait-time histogram's buckets: label and upper bound (exclusive), seconds; the last has none. A wait falls
/// in the first bucket whose bound is above it: `0 s` holds waits under a second (replay waits are whole seconds,
/// so exactly 0), `< 1 min` 1 to 59 s, `< 10 min` 1 to 9 min 59 s, and so on; `≥ 24 h` a day or more.
pub const WAIT_BUCKETS: [(&str, Option<i64>); 7] = [
    ("0 s", Some(1)),
    ("< 1 min", Some(60)),
    ("< 10 min", Some(600)),
    ("< 1 h", Some(3600)),
    ("< 6 h", Some(21_600)),
    ("< 24 h", Some(86_400)),
    ("≥ 24 h", None),
];

/// One bucket of the wait-time histogram: the jobs whose wait is at least `from_s` and below `below_s` seconds
/// (no bound: the last bucket) in the replay without (`before`) and with (`after`) the burst policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitBucket {
    pub label: String,
    pub from_s: i64,
    pub below_s: Option<i64>,
    pub before: u64,
    pub after: u64,
}

impl ReplayResult {
    /// Jobs per bucket of [`WAIT_BUCKETS`]: every job with a wait (on-prem or cloud), so the counts sum to
    /// `waits.jobs`.
    pub fn wait_counts(&self) -> [u64; WAIT_BUCKETS.len()] {
        let mut counts = [0; WAIT_BUCKETS.len()];
        for w in self.jobs.iter().filter_map(|j| j.wait) {
            let b = WAIT_BUCKETS.iter().position(|(_, below)| below.is_none_or(|below| w < below));
            counts[b.unwrap_or(WAIT_BUCKETS.len() - 1)] += 1;
        }
        counts
    }
}

/// The wait-time histogram of the replay `before` (on-prem only) and `after` (with the burst policy).
pub fn wait_histogram(before: &ReplayResult, after: &ReplayResult) -> Vec<WaitBucket> {
    let (b, a) = (before.wait_counts(), after.wait_counts());
    let mut from = 0;
    WAIT_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, &(label, below))| {
            let bucket =
                WaitBucket { label: label.to_owned(), from_s: from, below_s: below, before: b[i], after: a[i] };
            from = below.unwrap_or(from);
            bucket
        })
        .collect()
}

/// Most buckets in a cloud-node timeline: a year of days fits, a 16-day history keeps its hours.
pub const TIMELINE_MAX_POINTS: usize = 400;
/// Bucket widths tried in order (an hour, 6 hours, a day, a week); past that, whole weeks.
const TIMELINE_WIDTHS: [i64; 4] = [3600, 21_600, 86_400, 604_800];

/// Cloud nodes over time: the most nodes running at once within each bucket of `bucket_s` seconds from `start`.
/// The narrowest width of an hour, 6 hours, a day or a week (else whole weeks) that covers the burst jobs' span in at
/// most [`TIMELINE_MAX_POINTS`] buckets; buckets start on the hour (6 hours: at 00, 06, 12, 18), days and weeks at
/// midnight of the first burst day. The largest `max_nodes` is `BurstSummary::nodes.peak`, and per type
/// `nodes_by_shape[type].peak`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NodeTimeline {
    pub bucket_s: i64,
    /// Start of the first bucket, naive `YYYY-MM-DDTHH:MM:SS`; empty without burst jobs.
    pub start: String,
    /// All types together, one count per bucket.
    pub max_nodes: Vec<u64>,
    /// Per type, one count per bucket.
    pub by_type: BTreeMap<String, Vec<u64>>,
}

impl BurstSummary {
    /// The cloud nodes over time of the burst jobs (those with a runtime, as for `nodes`).
    pub fn node_timeline(&self) -> NodeTimeline {
        let running: Vec<&BurstJob> = self.jobs.iter().filter(|j| j.runtime_s > 0).collect();
        let (Some(first), Some(last)) =
            (running.iter().map(|j| j.start).min(), running.iter().map(|j| j.start.saturating_add(j.runtime_s)).max())
        else {
            return NodeTimeline::default();
        };
        let day = 86_400;
        let origin_for = |w: i64| first - first.rem_euclid(w.min(day));
        let max = TIMELINE_MAX_POINTS as i64;
        let buckets_for = |w: i64| ((last - origin_for(w)).max(1) + w - 1) / w;
        let width = TIMELINE_WIDTHS.iter().copied().find(|&w| buckets_for(w) <= max).unwrap_or_else(|| {
            let week = TIMELINE_WIDTHS[3];
            week * ((buckets_for(week) + max - 1) / max)
        });
        let origin = origin_for(width);
        let n = buckets_for(width).max(1) as usize;
        let mut by_type: BTreeMap<String, Vec<(i64, i64, u64)>> = BTreeMap::new();
        for j in &running {
            by_type.entry(j.shape.clone()).or_default().push((j.start, j.start + j.runtime_s, u64::from(j.nodes)));
        }
        let all: Vec<(i64, i64, u64)> = by_type.values().flatten().copied().collect();
        NodeTimeline {
            bucket_s: width,
            start: super::time::format_timestamp(origin),
            max_nodes: bucket_max(&all, origin, width, n),
            by_type: by_type.iter().map(|(t, iv)| (t.clone(), bucket_max(iv, origin, width, n))).collect(),
        }
    }
}

/// The highest count of nodes running at once in each of `n` buckets of `width` seconds from `origin`; the count
/// after all changes at an instant holds until the next change (half-open intervals, as `node_count`).
fn bucket_max(intervals: &[(i64, i64, u64)], origin: i64, width: i64, n: usize) -> Vec<u64> {
    let mut ev: Vec<(i64, i64)> = Vec::with_capacity(intervals.len() * 2);
    for &(a, b, nodes) in intervals {
        let nodes = i64::try_from(nodes).unwrap_or(i64::MAX);
        ev.push((a, nodes));
        ev.push((b, -nodes));
    }
    ev.sort_unstable();
    let mut out = vec![0u64; n];
    let bucket = |t: i64| (((t - origin).max(0) / width) as usize).min(n - 1);
    let mut level: i64 = 0;
    let mut i = 0;
    while i < ev.len() {
        let t = ev[i].0;
        while i < ev.len() && ev[i].0 == t {
            level += ev[i].1;
            i += 1;
        }
        let Some(&(next, _)) = ev.get(i) else { break };
        if level > 0 {
            for slot in &mut out[bucket(t)..=bucket(next - 1)] {
                *slot = (*slot).max(level as u64);
            }
        }
    }
    out
}

// ----------------------------------------------------------------------------------------------
// Resources

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Res {
    cores: u32,
    gpus: u32,
    mem: u64,
}

impl Res {
    #[inline]
    fn fits(self, need: Res) -> bool {
        self.cores >= need.cores && self.mem >= need.mem && self.gpus >= need.gpus
    }
    #[inline]
    fn min(self, o: Res) -> Res {
        Res { cores: self.cores.min(o.cores), gpus: self.gpus.min(o.gpus), mem: self.mem.min(o.mem) }
    }
    #[inline]
    fn add(self, o: Res) -> Res {
        Res {
            cores: self.cores.saturating_add(o.cores),
            gpus: self.gpus.saturating_add(o.gpus),
            mem: self.mem.saturating_add(o.mem),
        }
    }
    #[inline]
    fn sub(self, o: Res) -> Res {
        Res {
            cores: self.cores.saturating_sub(o.cores),
            gpus: self.gpus.saturating_sub(o.gpus),
            mem: self.mem.saturating_sub(o.mem),
        }
    }
    /// `self + o`, no more than `cap` (a release never frees more than the node has).
    #[inline]
    fn add_capped(self, o: Res, cap: Res) -> Res {
        self.add(o).min(cap)
    }
}

/// Pooled resources of many nodes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Agg {
    cores: u64,
    gpus: u64,
    mem: u128,
}

impl Agg {
    fn of(r: Res, n: u32) -> Agg {
        Agg {
            cores: u64::from(r.cores) * u64::from(n),
            gpus: u64::from(r.gpus) * u64::from(n),
            mem: u128::from(r.mem) * u128::from(n),
        }
    }
    #[inline]
    fn fits(self, need: Agg) -> bool {
        self.cores >= need.cores && self.mem >= need.mem && self.gpus >= need.gpus
    }
    fn add(self, o: Agg) -> Agg {
        Agg { cores: self.cores + o.cores, gpus: self.gpus + o.gpus, mem: self.mem + o.mem }
    }
    fn sub(self, o: Agg) -> Agg {
        Agg {
            cores: self.cores.saturating_sub(o.cores),
            gpus: self.gpus.saturating_sub(o.gpus),
            mem: self.mem.saturating_sub(o.mem),
        }
    }
}

// ----------------------------------------------------------------------------------------------
// A max-segment tree over a partition's nodes: finds nodes with enough free resources quickly.

struct Tree {
    size: usize,
    leaves: usize,
    cores: Vec<u32>,
    gpus: Vec<u32>,
    mem: Vec<u64>,
}

impl Tree {
    fn new(values: &[Res]) -> Tree {
        let size = values.len().next_power_of_two().max(1);
        let mut t = Tree {
            size,
            leaves: values.len(),
            cores: vec![0; 2 * size],
            gpus: vec![0; 2 * size],
            mem: vec![0; 2 * size],
        };
        for (i, v) in values.iter().enumerate() {
            t.cores[size + i] = v.cores;
            t.gpus[size + i] = v.gpus;
            t.mem[size + i] = v.mem;
        }
        for i in (1..size).rev() {
            t.pull(i);
        }
        t
    }

    #[inline]
    fn pull(&mut self, i: usize) {
        let (l, r) = (2 * i, 2 * i + 1);
        self.cores[i] = self.cores[l].max(self.cores[r]);
        self.gpus[i] = self.gpus[l].max(self.gpus[r]);
        self.mem[i] = self.mem[l].max(self.mem[r]);
    }

    fn set(&mut self, leaf: usize, v: Res) {
        let mut i = self.size + leaf;
        self.cores[i] = v.cores;
        self.gpus[i] = v.gpus;
        self.mem[i] = v.mem;
        while i > 1 {
            i /= 2;
            let before = (self.cores[i], self.gpus[i], self.mem[i]);
            self.pull(i);
            if (self.cores[i], self.gpus[i], self.mem[i]) == before {
                break;
            }
        }
    }

    #[inline]
    fn covers(&self, i: usize, need: Res) -> bool {
        self.cores[i] >= need.cores && self.mem[i] >= need.mem && self.gpus[i] >= need.gpus
    }

    /// Leaves (in order) whose values cover `need` and that `accept`, up to `k`, into `out`.
    fn collect(&self, need: Res, k: usize, mut accept: impl FnMut(usize) -> bool, out: &mut Vec<usize>) {
        out.clear();
        if k == 0 || !self.covers(1, need) {
            return;
        }
        let mut stack: Vec<usize> = Vec::with_capacity(64);
        stack.push(1);
        while let Some(i) = stack.pop() {
            if !self.covers(i, need) {
                continue;
            }
            if i >= self.size {
                let leaf = i - self.size;
                if leaf < self.leaves && accept(leaf) {
                    out.push(leaf);
                    if out.len() >= k {
                        return;
                    }
                }
            } else {
                stack.push(2 * i + 1);
                stack.push(2 * i);
            }
        }
    }
}

// ----------------------------------------------------------------------------------------------
// A partition queue: FCFS order, removals from the middle leave tombstones.

const TOMB: u32 = u32::MAX;

/// A queued job with what a backfill scan tests first, kept inline so a scan reads one array.
#[derive(Clone, Copy)]
struct QItem {
    /// Sim job, or `TOMB` once it left the queue.
    job: u32,
    nodes: u32,
    model: u16,
    need: Res,
}

#[derive(Default)]
struct Queue {
    items: Vec<QItem>,
    head: usize,
    live: usize,
}

impl Queue {
    fn push(&mut self, item: QItem) {
        self.items.push(item);
        self.live += 1;
    }

    fn front(&mut self) -> Option<u32> {
        while self.head < self.items.len() && self.items[self.head].job == TOMB {
            self.head += 1;
        }
        if self.head > 4096 && self.head * 2 > self.items.len() {
            self.items.drain(..self.head);
            self.head = 0;
        }
        self.items.get(self.head).map(|q| q.job)
    }

    fn pop_front(&mut self) {
        let head = self.head;
        self.kill(head);
        self.head += 1;
    }

    fn kill(&mut self, pos: usize) {
        if let Some(slot) = self.items.get_mut(pos) {
            if slot.job != TOMB {
                slot.job = TOMB;
                self.live -= 1;
            }
        }
    }

    /// Live jobs in queue order.
    fn jobs(&self) -> impl Iterator<Item = u32> + '_ {
        self.items.get(self.head..).unwrap_or(&[]).iter().map(|q| q.job).filter(|&j| j != TOMB)
    }

    /// Move the live entries of `head..upto` to the end of that range (dropping tombstones there).
    fn compact_upto(&mut self, upto: usize) {
        let upto = upto.min(self.items.len());
        let mut w = upto;
        for r in (self.head..upto).rev() {
            let v = self.items[r];
            if v.job != TOMB {
                w -= 1;
                self.items[w] = v;
            }
        }
        for slot in &mut self.items[self.head..w] {
            slot.job = TOMB;
        }
        self.head = w;
    }
}

// ----------------------------------------------------------------------------------------------
// The simulation

/// A replayed job, compact.
#[derive(Clone, Copy)]
struct SimJob {
    arrival: i64,
    runtime: i64,
    /// Per node.
    need: Res,
    nodes: u32,
    part: u16,
    /// GPU model id (0: any).
    model: u16,
    /// Why it cannot burst whatever its wait (index into `Sim::blocks`; 0: it can).
    blocked: u16,
    /// The one node feature it asks for, an instance type (index into `Sim::features`; 0: none).
    feature: u16,
    /// Index into the jobs given.
    job: u32,
    /// Cores of the whole job, as recorded (for utilisation).
    cores: u32,
    /// Start as recorded (for accuracy).
    recorded_start: i64,
}

#[derive(Clone, Copy)]
struct ResvEntry {
    part: u16,
    shadow: i64,
    /// What the head leaves unused on this node at `shadow`.
    extra: Res,
}

struct Resv {
    job: u32,
    shadow: i64,
    plan: Vec<u32>,
}

struct Part {
    nodes: Vec<u32>,
    tree: Tree,
    free_total: Agg,
    /// Distinct node capacities: (capacity, model, count).
    shapes: Vec<(Res, u16, u32)>,
    queue: Queue,
    resv: Option<Resv>,
    /// Running jobs on any of its nodes: (end, sim job).
    running: BTreeSet<(i64, u32)>,
    dirty: bool,
    /// Component-wise least per-node need of the jobs in the backfill window, when known: a scan
    /// is skipped while no node has that much free.
    window_min: Option<Res>,
}

/// Buffers of [`Sim::node_plan`], kept between calls; per-node vectors are indexed by leaf.
#[derive(Default)]
struct PlanScratch {
    queue: Vec<u32>,
    running: Vec<(i64, u32)>,
    planned: BinaryHeap<Reverse<(i64, u32, u32)>>,
    /// Leaves of planned jobs.
    arena: Vec<u32>,
    free: Vec<Res>,
    cap: Vec<Res>,
    model: Vec<u16>,
    /// Leaves with free cores (a full leaf fits no job), in no particular order.
    cand: Vec<u32>,
    in_cand: Vec<bool>,
    head_plan: Vec<u32>,
    nodes: Vec<u32>,
}

impl PlanScratch {
    /// Collect into `nodes` up to `want` candidate leaves that fit `need` (and `model`); returns how
    /// many fit, exact when fewer than `want` were found. Drops full leaves from the candidates.
    fn collect_fitting(&mut self, need: Res, model: u16, want: usize) -> usize {
        self.nodes.clear();
        let mut i = 0;
        while i < self.cand.len() && self.nodes.len() < want {
            let l = self.cand[i] as usize;
            let f = self.free[l];
            if f.cores == 0 {
                self.in_cand[l] = false;
                self.cand.swap_remove(i);
                continue;
            }
            if f.fits(need) && (model == 0 || self.model[l] == model) {
                self.nodes.push(l as u32);
            }
            i += 1;
        }
        self.nodes.len()
    }

    /// Give `need` back to leaf `l`; 1 when that makes it fit the job being placed (`ok`).
    fn release(&mut self, l: usize, need: Res, ok: &impl Fn(Res, u16) -> bool) -> usize {
        let was = ok(self.free[l], self.model[l]);
        self.free[l] = self.free[l].add_capped(need, self.cap[l]);
        if !self.in_cand[l] && self.free[l].cores > 0 {
            self.in_cand[l] = true;
            self.cand.push(l as u32);
        }
        usize::from(!was && ok(self.free[l], self.model[l]))
    }

    fn clear(&mut self) {
        self.queue.clear();
        self.running.clear();
        self.planned.clear();
        self.arena.clear();
        self.free.clear();
        self.cap.clear();
        self.model.clear();
        self.cand.clear();
        self.in_cand.clear();
        self.head_plan.clear();
        self.nodes.clear();
    }
}

enum Fit {
    /// Fits from this time on these nodes.
    At(i64, Vec<u32>),
    /// Does not fit even when every running job has ended.
    Never,
}

struct Sim<'a> {
    policy: Option<&'a BurstPolicy>,
    sj: Vec<SimJob>,
    cap: Vec<Res>,
    free: Vec<Res>,
    node_model: Vec<u16>,
    /// Per node: (partition, leaf) of each partition holding it.
    node_parts: Vec<Vec<(u16, u32)>>,
    node_resv: Vec<Vec<ResvEntry>>,
    shared: bool,
    parts: Vec<Part>,
    events: BinaryHeap<Reverse<(i64, u32)>>,
    alloc_off: Vec<u32>,
    alloc: Vec<u32>,
    start: Vec<i64>,
    placement: Vec<Placement>,
    burst_shape: Vec<u16>,
    burst_reason: Vec<Option<BurstReason>>,
    unrunnable: Vec<(u32, String)>,
    not_burstable: BTreeMap<String, u64>,
    burst_partition: Vec<bool>,
    dirty_list: Vec<u16>,
    // scratch
    found: Vec<usize>,
    plan_scratch: PlanScratch,
    picked: Vec<u32>,
    overlay: FxHashMap<u32, Res>,
    stamp: Vec<u32>,
    stamp_now: u32,
    failed: Vec<(Res, u32, i64, u16)>,
    models: Vec<String>,
    /// Reasons a job cannot burst at all (index 0 unused): node features or licences the cloud nodes lack.
    blocks: Vec<String>,
    /// Node features jobs ask for, lower case (index 0 unused).
    features: Vec<String>,
    not_replayed: BTreeMap<String, u64>,
    fallbacks: BTreeMap<String, u64>,
    /// Sim job of each job given (u32::MAX: not replayed).
    sim_of: Vec<u32>,
    /// Peak RSS per sim job, MiB (0: unknown); filled only with a policy.
    peak_rss: Vec<u64>,
}

const NONE: i64 = i64::MIN;

impl<'a> Sim<'a> {
    fn new(cluster: &Cluster, jobs: &[Job], policy: Option<&'a BurstPolicy>) -> Sim<'a> {
        let mut models: Vec<String> = vec![String::new()];
        let mut blocks: Vec<String> = vec![String::new()];
        let mut features: Vec<String> = vec![String::new()];
        let model_id = |m: Option<&str>, models: &mut Vec<String>| -> u16 {
            match m.map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()) {
                None => 0,
                Some(s) => match models.iter().position(|x| *x == s) {
                    Some(i) => i as u16,
                    None => {
                        models.push(s);
                        (models.len() - 1).min(u16::MAX as usize) as u16
                    }
                },
            }
        };
        let cap: Vec<Res> =
            cluster.nodes.iter().map(|n| Res { cores: n.cores, gpus: n.gpus, mem: n.memory_mib }).collect();
        let node_model: Vec<u16> =
            cluster.nodes.iter().map(|n| model_id(n.gpu_model.as_deref(), &mut models)).collect();
        let mut node_parts: Vec<Vec<(u16, u32)>> = vec![Vec::new(); cap.len()];
        let mut parts = Vec::with_capacity(cluster.partitions.len());
        for (pi, p) in cluster.partitions.iter().enumerate() {
            let nodes: Vec<u32> = p.nodes.iter().filter(|&&n| n < cap.len()).map(|&n| n as u32).collect();
            let values: Vec<Res> = nodes.iter().map(|&n| cap[n as usize]).collect();
            let mut free_total = Agg::default();
            let mut shapes: Vec<(Res, u16, u32)> = Vec::new();
            for (leaf, &n) in nodes.iter().enumerate() {
                node_parts[n as usize].push((pi as u16, leaf as u32));
                let c = cap[n as usize];
                free_total = free_total.add(Agg::of(c, 1));
                let m = node_model[n as usize];
                match shapes.iter_mut().find(|(r, mm, _)| *r == c && *mm == m) {
                    Some(s) => s.2 += 1,
                    None => shapes.push((c, m, 1)),
                }
            }
            parts.push(Part {
                tree: Tree::new(&values),
                nodes,
                free_total,
                shapes,
                queue: Queue::default(),
                resv: None,
                running: BTreeSet::new(),
                dirty: false,
                window_min: None,
            });
        }
        let shared = node_parts.iter().any(|p| p.len() > 1);
        let burst_partition: Vec<bool> = cluster
            .partitions
            .iter()
            .map(|p| {
                policy.is_some_and(|pol| pol.partitions.iter().any(|n| n == &p.name || n.eq_ignore_ascii_case(&p.name)))
            })
            .collect();

        let mut not_replayed = BTreeMap::new();
        let mut fallbacks: BTreeMap<String, u64> = BTreeMap::new();
        let mut sj = Vec::with_capacity(jobs.len());
        let default_name = cluster.partitions.get(cluster.default_partition).map_or("", |p| p.name.as_str()).to_owned();
        let mut part_cache: FxHashMap<&str, Option<usize>> = FxHashMap::default();
        for (i, job) in jobs.iter().enumerate() {
            if !job.allocated {
                *not_replayed
                    .entry("no allocation in the history (cancelled or failed before it ran)".to_owned())
                    .or_insert(0) += 1;
                continue;
            }
            if cluster.partitions.is_empty() {
                *not_replayed.entry("the cluster has no partition".to_owned()).or_insert(0) += 1;
                continue;
            }
            let part = match job.partition.as_deref() {
                None => {
                    *fallbacks.entry(format!("no partition in the history → '{default_name}'")).or_insert(0) += 1;
                    cluster.default_partition
                }
                Some(name) => {
                    let found = *part_cache
                        .entry(name)
                        .or_insert_with(|| name.split(',').find_map(|n| cluster.partition_index(n.trim())));
                    match found {
                        Some(p) => p,
                        None => {
                            *fallbacks.entry(format!("unknown partition '{name}' → '{default_name}'")).or_insert(0) +=
                                1;
                            cluster.default_partition
                        }
                    }
                }
            };
            let nodes = job.nodes.max(1);
            let need = Res {
                cores: job.cores.max(1).div_ceil(nodes),
                gpus: job.gpus.div_ceil(nodes),
                mem: job.memory_mib.div_ceil(u64::from(nodes)),
            };
            let model = if job.gpus > 0 { model_id(job.gpu_model.as_deref(), &mut models) } else { 0 };
            // The cloud nodes carry the features `cloud` and their instance type, and no licences: a job that
            // asks for one feature bursts only onto a type that has it (`cloud`: any; an instance type: that
            // one); a feature expression, or a licence, keeps it on-prem (route.sh does the same).
            let mut feature = 0u16;
            let block = match (job.constraints.as_deref().map(str::trim), &job.licenses) {
                (_, Some(l)) => Some(format!("needs licences ({l}) the cloud nodes lack")),
                (Some(c), None) if c.contains(|ch: char| "&|,[]*()!:".contains(ch) || ch.is_whitespace()) => {
                    Some(format!("asks for node features ({c}) the cloud nodes lack"))
                }
                (Some(c), None) if c.eq_ignore_ascii_case("cloud") => None,
                (Some(c), None) => {
                    let c = c.to_ascii_lowercase();
                    feature = match features.iter().position(|x| *x == c) {
                        Some(i) => i as u16,
                        None => {
                            features.push(c);
                            (features.len() - 1).min(u16::MAX as usize) as u16
                        }
                    };
                    None
                }
                (None, None) => None,
            };
            let blocked = match block {
                None => 0,
                Some(b) => match blocks.iter().position(|x| *x == b) {
                    Some(i) => i as u16,
                    None => {
                        blocks.push(b);
                        (blocks.len() - 1).min(u16::MAX as usize) as u16
                    }
                },
            };
            sj.push(SimJob {
                arrival: job.eligible,
                runtime: job.elapsed.max(0),
                need,
                nodes,
                part: part as u16,
                model,
                blocked,
                feature,
                job: i as u32,
                cores: job.cores.max(1),
                recorded_start: job.start,
            });
        }
        sj.sort_by_key(|j| (j.arrival, j.job));
        let mut sim_of = vec![u32::MAX; jobs.len()];
        for (s, j) in sj.iter().enumerate() {
            sim_of[j.job as usize] = s as u32;
        }
        let n = sj.len();
        let nodes = cap.len();
        let peak_rss: Vec<u64> = if policy.is_some() {
            sj.iter().map(|s| jobs[s.job as usize].peak_rss_mib.unwrap_or(0)).collect()
        } else {
            Vec::new()
        };
        Sim {
            peak_rss,
            policy,
            free: cap.clone(),
            cap,
            node_model,
            node_parts,
            node_resv: vec![Vec::new(); nodes],
            shared,
            parts,
            events: BinaryHeap::new(),
            alloc_off: vec![u32::MAX; n],
            alloc: Vec::with_capacity(n),
            start: vec![NONE; n],
            placement: vec![Placement::OnPrem; n],
            burst_shape: vec![u16::MAX; if policy.is_some() { n } else { 0 }],
            burst_reason: vec![None; if policy.is_some() { n } else { 0 }],
            unrunnable: Vec::new(),
            not_burstable: BTreeMap::new(),
            burst_partition,
            dirty_list: Vec::new(),
            found: Vec::new(),
            plan_scratch: PlanScratch::default(),
            picked: Vec::new(),
            overlay: FxHashMap::default(),
            stamp: vec![0; nodes],
            stamp_now: 0,
            failed: Vec::with_capacity(8),
            models,
            blocks,
            features,
            not_replayed,
            fallbacks,
            sj,
            sim_of,
        }
    }

    fn run(&mut self) {
        let mut next = 0usize;
        loop {
            let t_arr = self.sj.get(next).map(|j| j.arrival);
            let t_end = self.events.peek().map(|Reverse((t, _))| *t);
            let t = match (t_arr, t_end) {
                (None, None) => break,
                (Some(a), None) => a,
                (None, Some(e)) => e,
                (Some(a), Some(e)) => a.min(e),
            };
            while let Some(&Reverse((e, j))) = self.events.peek() {
                if e != t {
                    break;
                }
                self.events.pop();
                self.complete(j);
            }
            let mut dirty = std::mem::take(&mut self.dirty_list);
            dirty.sort_unstable();
            for &p in &dirty {
                self.schedule(p as usize, t);
            }
            dirty.clear();
            self.dirty_list = dirty;
            while next < self.sj.len() && self.sj[next].arrival == t {
                self.arrive(next as u32, t);
                next += 1;
            }
        }
        // Defensive: anything still queued could not be placed (it cannot happen with a consistent cluster).
        for p in 0..self.parts.len() {
            while let Some(j) = self.parts[p].queue.front() {
                self.parts[p].queue.pop_front();
                self.mark_unrunnable(j, "could not be placed by the end of the replay".to_owned());
            }
        }
    }

    // -- resource bookkeeping ----------------------------------------------------------------------

    fn set_free(&mut self, n: u32, v: Res, delta_add: bool, delta: Res) {
        self.free[n as usize] = v;
        let a = Agg::of(delta, 1);
        for k in 0..self.node_parts[n as usize].len() {
            let (p, leaf) = self.node_parts[n as usize][k];
            let part = &mut self.parts[p as usize];
            part.tree.set(leaf as usize, v);
            part.free_total = if delta_add { part.free_total.add(a) } else { part.free_total.sub(a) };
            if delta_add && !part.dirty {
                part.dirty = true;
                self.dirty_list.push(p);
            }
        }
    }

    fn alloc_of(&self, j: u32) -> &[u32] {
        let off = self.alloc_off[j as usize];
        if off == u32::MAX {
            return &[];
        }
        let n = self.sj[j as usize].nodes as usize;
        &self.alloc[off as usize..off as usize + n]
    }

    /// Partitions whose running set holds job `j` (its own, and others sharing its nodes).
    fn touched_parts(&self, j: u32) -> Vec<u16> {
        let own = self.sj[j as usize].part;
        if !self.shared {
            return vec![own];
        }
        let mut v = vec![own];
        for &n in self.alloc_of(j) {
            for &(p, _) in &self.node_parts[n as usize] {
                if !v.contains(&p) {
                    v.push(p);
                }
            }
        }
        v
    }

    fn complete(&mut self, j: u32) {
        let need = self.sj[j as usize].need;
        let end = self.start[j as usize] + self.sj[j as usize].runtime;
        if self.shared {
            for p in self.touched_parts(j) {
                self.parts[p as usize].running.remove(&(end, j));
            }
        } else {
            self.parts[self.sj[j as usize].part as usize].running.remove(&(end, j));
        }
        let off = self.alloc_off[j as usize] as usize;
        for k in 0..self.sj[j as usize].nodes as usize {
            let n = self.alloc[off + k];
            let v = self.free[n as usize].add_capped(need, self.cap[n as usize]);
            self.set_free(n, v, true, need);
        }
    }

    /// Start `j` now on `nodes` (node ids).
    fn start_on(&mut self, j: u32, t: i64, nodes: &[u32], backfill: bool) {
        let job = self.sj[j as usize];
        let end = t + job.runtime;
        self.alloc_off[j as usize] = self.alloc.len() as u32;
        for &n in nodes {
            self.alloc.push(n);
            let v = self.free[n as usize].sub(job.need);
            self.set_free(n, v, false, job.need);
            if backfill {
                for e in self.node_resv[n as usize].iter_mut() {
                    if end > e.shadow {
                        e.extra = e.extra.sub(job.need);
                    }
                }
            }
        }
        self.start[j as usize] = t;
        if self.shared {
            for p in self.touched_parts(j) {
                self.parts[p as usize].running.insert((end, j));
            }
        } else {
            self.parts[job.part as usize].running.insert((end, j));
        }
        self.events.push(Reverse((end, j)));
    }

    /// Try to start `j` now; heads ignore reservations, backfill jobs respect them. On failure as a
    /// head, `self.found` holds the partition leaves that fit now (fewer than needed).
    fn try_start(&mut self, j: u32, t: i64, backfill: bool) -> bool {
        let job = self.sj[j as usize];
        let p = job.part as usize;
        let part = &self.parts[p];
        if backfill && !part.free_total.fits(Agg::of(job.need, job.nodes)) {
            return false;
        }
        let end = t + job.runtime;
        let node_model = &self.node_model;
        let node_resv = &self.node_resv;
        let pnodes = &part.nodes;
        let mut found = std::mem::take(&mut self.found);
        part.tree.collect(
            job.need,
            job.nodes as usize,
            |leaf| {
                let n = pnodes[leaf] as usize;
                if job.model != 0 && node_model[n] != job.model {
                    return false;
                }
                !backfill || node_resv[n].iter().all(|e| end <= e.shadow || e.extra.fits(job.need))
            },
            &mut found,
        );
        let ok = found.len() >= job.nodes as usize;
        if ok {
            let mut nodes = std::mem::take(&mut self.picked);
            nodes.clear();
            nodes.extend(found.iter().map(|&leaf| self.parts[p].nodes[leaf]));
            self.found = found;
            self.start_on(j, t, &nodes, backfill);
            self.picked = nodes;
        } else {
            self.found = found;
        }
        ok
    }

    // -- reservations ------------------------------------------------------------------------------

    /// Earliest time from `t` at which `j` fits in its partition given the running jobs' ends,
    /// starting from `fit_now` (partition leaves that fit now).
    fn earliest_fit(&mut self, j: u32, t: i64, fit_now: &[usize]) -> Fit {
        let job = self.sj[j as usize];
        let p = job.part as usize;
        let want = job.nodes as usize;
        self.stamp_now = self.stamp_now.wrapping_add(1);
        if self.stamp_now == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.stamp_now = 1;
        }
        let stamp_now = self.stamp_now;
        let mut fitting: Vec<u32> = Vec::with_capacity(want);
        for &leaf in fit_now {
            let n = self.parts[p].nodes[leaf];
            self.stamp[n as usize] = stamp_now;
            fitting.push(n);
        }
        self.overlay.clear();
        let mut cur = t;
        let Sim { parts, sj, alloc, alloc_off, free, overlay, stamp, node_model, node_parts, shared, .. } = self;
        let part = &parts[p];
        for &(end, rj) in part.running.iter() {
            if end > cur && fitting.len() >= want {
                break;
            }
            cur = cur.max(end);
            let r = sj[rj as usize];
            let off = alloc_off[rj as usize] as usize;
            for k in 0..r.nodes as usize {
                let n = alloc[off + k];
                if *shared && !node_parts[n as usize].iter().any(|&(pp, _)| pp as usize == p) {
                    continue;
                }
                let ov = overlay.entry(n).or_insert(free[n as usize]);
                *ov = ov.add(r.need);
                if stamp[n as usize] != stamp_now
                    && ov.fits(job.need)
                    && (job.model == 0 || node_model[n as usize] == job.model)
                {
                    stamp[n as usize] = stamp_now;
                    fitting.push(n);
                }
            }
        }
        if fitting.len() >= want {
            fitting.truncate(want);
            Fit::At(cur, fitting)
        } else {
            Fit::Never
        }
    }

    /// Reserve the plan of head `j` at `shadow`.
    fn reserve(&mut self, p: usize, j: u32, shadow: i64, plan: Vec<u32>) {
        self.clear_reservation(p);
        let need = self.sj[j as usize].need;
        for &n in &plan {
            let at_shadow = self.overlay.get(&n).copied().unwrap_or(self.free[n as usize]);
            self.node_resv[n as usize].push(ResvEntry { part: p as u16, shadow, extra: at_shadow.sub(need) });
        }
        self.parts[p].resv = Some(Resv { job: j, shadow, plan });
    }

    fn clear_reservation(&mut self, p: usize) {
        if let Some(r) = self.parts[p].resv.take() {
            for &n in &r.plan {
                self.node_resv[n as usize].retain(|e| e.part as usize != p);
            }
        }
    }

    // -- scheduling ----------------------------------------------------------------------------------

    /// A scheduling event in partition `p`: start heads while they fit, reserve for a blocked head,
    /// then backfill.
    fn schedule(&mut self, p: usize, t: i64) {
        self.parts[p].dirty = false;
        loop {
            let Some(h) = self.parts[p].queue.front() else {
                self.clear_reservation(p);
                return;
            };
            if let Some(r) = &self.parts[p].resv {
                if r.job == h && t < r.shadow {
                    break;
                }
            }
            if self.try_start(h, t, false) {
                self.parts[p].queue.pop_front();
                self.parts[p].window_min = None;
                self.clear_reservation(p);
                continue;
            }
            let fit_now = std::mem::take(&mut self.found);
            let fit = self.earliest_fit(h, t, &fit_now);
            self.found = fit_now;
            match fit {
                Fit::At(shadow, plan) => {
                    self.reserve(p, h, shadow, plan);
                    break;
                }
                Fit::Never => {
                    self.parts[p].queue.pop_front();
                    self.parts[p].window_min = None;
                    self.clear_reservation(p);
                    self.mark_unrunnable(h, "never fits, even on an idle partition".to_owned());
                }
            }
        }
        self.backfill(p, t);
    }

    /// Test up to [`BF_MAX_JOB_TEST`] jobs behind the head; start those that fit now without
    /// delaying the head's reservation.
    fn backfill(&mut self, p: usize, t: i64) {
        let Some(head) = self.parts[p].resv.as_ref().map(|r| r.job) else { return };
        if let Some(m) = self.parts[p].window_min {
            let tree = &self.parts[p].tree;
            if tree.cores[1] < m.cores || tree.mem[1] < m.mem || tree.gpus[1] < m.gpus {
                return;
            }
        }
        self.failed.clear();
        let mut pos = self.parts[p].queue.head;
        let mut tested = 0usize;
        let mut tombs = 0usize;
        let mut least = Res { cores: u32::MAX, gpus: u32::MAX, mem: u64::MAX };
        let mut started = false;
        let root_of = |part: &Part| {
            (Res { cores: part.tree.cores[1], gpus: part.tree.gpus[1], mem: part.tree.mem[1] }, part.free_total)
        };
        let (mut root, mut total) = root_of(&self.parts[p]);
        while tested < BF_MAX_JOB_TEST {
            let Some(&item) = self.parts[p].queue.items.get(pos) else { break };
            pos += 1;
            if item.job == TOMB {
                tombs += 1;
                continue;
            }
            if item.job == head {
                continue;
            }
            tested += 1;
            least = least.min(item.need);
            if !root.fits(item.need) || !total.fits(Agg::of(item.need, item.nodes)) {
                continue;
            }
            let end = t + self.sj[item.job as usize].runtime;
            if self.failed.iter().any(|&(need, nodes, fend, model)| {
                item.need.fits(need) && item.nodes >= nodes && end >= fend && (model == 0 || model == item.model)
            }) {
                continue;
            }
            if self.try_start(item.job, t, true) {
                self.parts[p].queue.kill(pos - 1);
                started = true;
                (root, total) = root_of(&self.parts[p]);
            } else {
                if self.failed.len() == 8 {
                    self.failed.remove(0);
                }
                self.failed.push((item.need, item.nodes, end, item.model));
            }
        }
        // The window is the jobs just tested unless some started (later jobs moved into it).
        self.parts[p].window_min = (!started).then_some(least);
        if tombs > 2 * BF_MAX_JOB_TEST {
            self.parts[p].queue.compact_upto(pos);
        }
    }

    // -- arrivals and the burst policy ----------------------------------------------------------------

    fn arrive(&mut self, j: u32, t: i64) {
        let job = self.sj[j as usize];
        let p = job.part as usize;
        if let Some(reason) = self.cannot_hold(j) {
            if self.policy.is_some() && self.burst(j, BurstReason::CannotRunOnPrem) {
                return;
            }
            self.mark_unrunnable(j, reason);
            return;
        }
        if self.policy.is_some() && self.burst_partition[p] && self.burst(j, BurstReason::Partition) {
            return;
        }
        let max_wait = self.policy.and_then(|pol| pol.max_wait);
        if self.parts[p].queue.live > 0 && self.parts[p].resv.is_none() {
            // Cannot happen (a non-empty queue has a blocked head with a reservation); recover.
            self.schedule(p, t);
        }
        if self.parts[p].queue.live == 0 {
            if self.try_start(j, t, false) {
                return;
            }
            let fit_now = std::mem::take(&mut self.found);
            let fit = self.earliest_fit(j, t, &fit_now);
            self.found = fit_now;
            match fit {
                Fit::At(shadow, plan) => {
                    if max_wait.is_some_and(|mw| shadow - t > mw) && self.burst(j, BurstReason::PredictedWait) {
                        return;
                    }
                    self.parts[p].queue.push(QItem { job: j, nodes: job.nodes, model: job.model, need: job.need });
                    self.reserve(p, j, shadow, plan);
                }
                Fit::Never => self.mark_unrunnable(j, "never fits, even on an idle partition".to_owned()),
            }
            return;
        }
        if self.parts[p].queue.live <= BF_MAX_JOB_TEST && self.try_start(j, t, true) {
            return;
        }
        if let Some(mw) = max_wait {
            let predicted = self.predict_start(j, t, t.saturating_add(mw));
            if predicted - t > mw && self.burst(j, BurstReason::PredictedWait) {
                return;
            }
        }
        let part = &mut self.parts[p];
        part.queue.push(QItem { job: j, nodes: job.nodes, model: job.model, need: job.need });
        // Behind the head, inside the window: the window's least need may shrink.
        if part.queue.live <= BF_MAX_JOB_TEST + 1 {
            part.window_min = part.window_min.map(|m| m.min(job.need));
        }
    }

    /// Why `j` can never run in its partition, if so.
    fn cannot_hold(&self, j: u32) -> Option<String> {
        let job = self.sj[j as usize];
        let part = &self.parts[job.part as usize];
        let ok_model = |m: u16| job.model == 0 || m == job.model;
        let holding: u64 = part
            .shapes
            .iter()
            .filter(|(c, m, _)| c.fits(job.need) && ok_model(*m))
            .map(|(_, _, n)| u64::from(*n))
            .sum();
        if holding >= u64::from(job.nodes) {
            return None;
        }
        let max = |f: fn(&Res) -> u64| part.shapes.iter().map(|(c, _, _)| f(c)).max().unwrap_or(0);
        Some(if u64::from(job.need.cores) > max(|c| u64::from(c.cores)) {
            format!("needs {} cores per node; its largest node has {}", job.need.cores, max(|c| u64::from(c.cores)))
        } else if job.need.mem > max(|c| c.mem) {
            format!("needs {} MiB of memory per node; its largest node has {}", job.need.mem, max(|c| c.mem))
        } else if u64::from(job.need.gpus) > max(|c| u64::from(c.gpus)) {
            format!("needs {} GPUs per node; its largest node has {}", job.need.gpus, max(|c| u64::from(c.gpus)))
        } else if !part.shapes.iter().any(|(_, m, _)| ok_model(*m)) {
            format!("needs GPU model '{}'; no node of its partition has it", self.models[job.model as usize])
        } else {
            format!(
                "needs {} nodes with {} cores, {} MiB and {} GPUs free each; its partition has {} such nodes",
                job.nodes, job.need.cores, job.need.mem, job.need.gpus, holding
            )
        })
    }

    fn mark_unrunnable(&mut self, j: u32, reason: String) {
        self.placement[j as usize] = Placement::Unrunnable;
        self.unrunnable.push((j, reason));
    }

    /// Predicted start of `j` (queue non-empty), computed no further than just past `horizon`:
    /// the pooled plan first (cheap; it relaxes node boundaries, so it is not later than the node
    /// plan), then the node plan.
    fn predict_start(&mut self, j: u32, t: i64, horizon: i64) -> i64 {
        let p = self.sj[j as usize].part as usize;
        let pooled = self.pooled_plan(p, j, t, horizon);
        if pooled > horizon {
            return pooled;
        }
        self.node_plan(j, t, horizon)
    }

    /// Leaf of node `n` in partition `p`, if `p` holds it.
    #[inline]
    fn leaf_in(&self, n: u32, p: usize) -> Option<usize> {
        self.node_parts[n as usize].iter().find(|&&(q, _)| q as usize == p).map(|&(_, l)| l as usize)
    }

    /// Node-level FCFS plan of the queue ahead of `j`, then `j`, without backfill: running jobs end at
    /// their actual ends; each queued job starts, in queue order, at the first event time at which
    /// enough of the partition's nodes have room (the head on its reserved nodes at its
    /// reservation). Works on a copy of the partition's free resources; stops once the plan passes
    /// `horizon`.
    fn node_plan(&mut self, j: u32, t: i64, horizon: i64) -> i64 {
        let p = self.sj[j as usize].part as usize;
        let mut s = std::mem::take(&mut self.plan_scratch);
        s.clear();
        let head = self.parts[p].resv.as_ref().map(|r| (r.job, r.shadow));
        {
            let part = &self.parts[p];
            s.queue.extend(part.queue.jobs());
            s.queue.push(j);
            // Running jobs that end by the horizon (later ones cannot matter), in end order.
            s.running.extend(part.running.iter().take_while(|&&(end, _)| end <= horizon).copied());
            for (l, &n) in part.nodes.iter().enumerate() {
                let free = self.free[n as usize];
                s.free.push(free);
                s.cap.push(self.cap[n as usize]);
                s.model.push(self.node_model[n as usize]);
                s.in_cand.push(free.cores > 0);
                if free.cores > 0 {
                    s.cand.push(l as u32);
                }
            }
            if let Some(r) = part.resv.as_ref() {
                s.head_plan.extend(r.plan.iter().filter_map(|&n| self.leaf_in(n, p)).map(|l| l as u32));
            }
        }
        let mut next_run = 0usize;
        let mut now = t;
        let mut result = horizon.saturating_add(1);
        'plan: for qi in 0..s.queue.len() {
            let q = s.queue[qi];
            let job = self.sj[q as usize];
            let want = job.nodes as usize;
            let is_head = head.is_some_and(|(h, _)| h == q);
            if let Some((_, shadow)) = head.filter(|_| is_head) {
                now = now.max(shadow);
            }
            let ok = |free: Res, model: u16| free.fits(job.need) && (job.model == 0 || model == job.model);
            let mut fitting = s.collect_fitting(job.need, job.model, want);
            loop {
                if is_head
                    && !s.head_plan.is_empty()
                    && s.head_plan.iter().all(|&l| ok(s.free[l as usize], s.model[l as usize]))
                {
                    s.nodes.clear();
                    s.nodes.extend_from_slice(&s.head_plan);
                    break;
                }
                if fitting >= want {
                    if s.nodes.len() < want {
                        s.collect_fitting(job.need, job.model, want);
                    }
                    break;
                }
                // Not yet: move to the next release and apply everything that ends then.
                let next_r = s.running.get(next_run).map(|&(e, _)| e);
                let next_p = s.planned.peek().map(|Reverse((e, ..))| *e);
                now = match (next_r, next_p) {
                    (Some(a), Some(b)) => a.min(b),
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    // Nothing more ends by the horizon: the job cannot start by then.
                    (None, None) => horizon.saturating_add(1),
                };
                if now > horizon {
                    result = now;
                    break 'plan;
                }
                while let Some(&(end, rj)) = s.running.get(next_run) {
                    if end > now {
                        break;
                    }
                    next_run += 1;
                    let r = self.sj[rj as usize];
                    let off = self.alloc_off[rj as usize] as usize;
                    for k in 0..r.nodes as usize {
                        let Some(l) = self.leaf_in(self.alloc[off + k], p) else { continue };
                        fitting += s.release(l, r.need, &ok);
                    }
                }
                while let Some(&Reverse((end, off, pj))) = s.planned.peek() {
                    if end > now {
                        break;
                    }
                    s.planned.pop();
                    let r = self.sj[pj as usize];
                    for k in 0..r.nodes as usize {
                        let l = s.arena[off as usize + k] as usize;
                        fitting += s.release(l, r.need, &ok);
                    }
                }
            }
            // Start `q` on `s.nodes` at `now`.
            let off = s.arena.len() as u32;
            for k in 0..want.min(s.nodes.len()) {
                let l = s.nodes[k] as usize;
                s.free[l] = s.free[l].sub(job.need);
                s.arena.push(l as u32);
            }
            s.planned.push(Reverse((now.saturating_add(job.runtime), off, q)));
            if q == j || now > horizon {
                result = now;
                break;
            }
        }
        self.plan_scratch = s;
        result
    }

    /// FCFS plan of the queue ahead of `j`, then `j`, on the partition's pooled resources.
    fn pooled_plan(&self, p: usize, j: u32, t: i64, horizon: i64) -> i64 {
        let part = &self.parts[p];
        let mut free = part.free_total;
        let mut running = part.running.iter().map(|&(end, rj)| (end, self.demand_in(rj, p))).peekable();
        let mut planned: BinaryHeap<Reverse<(i64, u64, u64, u128)>> = BinaryHeap::new();
        let mut now = t;
        let head = part.resv.as_ref().map(|r| (r.job, r.shadow));
        let queue = &part.queue;
        let ahead = queue.jobs();
        for q in ahead.chain(std::iter::once(j)) {
            let job = self.sj[q as usize];
            let need = Agg::of(job.need, job.nodes);
            if let Some((h, shadow)) = head {
                if h == q {
                    now = now.max(shadow);
                }
            }
            loop {
                // Release everything that ends by `now`.
                while let Some(&(end, d)) = running.peek() {
                    if end > now {
                        break;
                    }
                    free = free.add(d);
                    running.next();
                }
                while let Some(&Reverse((end, c, g, m))) = planned.peek() {
                    if end > now {
                        break;
                    }
                    free = free.add(Agg { cores: c, gpus: g, mem: m });
                    planned.pop();
                }
                if free.fits(need) {
                    break;
                }
                let next_run = running.peek().map(|&(e, _)| e);
                let next_plan = planned.peek().map(|Reverse((e, ..))| *e);
                now = match (next_run, next_plan) {
                    (Some(a), Some(b)) => a.min(b),
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    (None, None) => return i64::MAX,
                };
                if now > horizon {
                    return now;
                }
            }
            if now > horizon {
                return now;
            }
            free = free.sub(need);
            planned.push(Reverse((now.saturating_add(job.runtime), need.cores, need.gpus, need.mem)));
        }
        now
    }

    /// What running job `rj` holds on partition `p`'s nodes.
    fn demand_in(&self, rj: u32, p: usize) -> Agg {
        let r = self.sj[rj as usize];
        if !self.shared {
            return Agg::of(r.need, r.nodes);
        }
        let inside = self
            .alloc_of(rj)
            .iter()
            .filter(|&&n| self.node_parts[n as usize].iter().any(|&(pp, _)| pp as usize == p))
            .count() as u32;
        Agg::of(r.need, inside)
    }

    /// Send `j` to the cloud for `reason` when a shape fits it; `false` (and counted) when none does.
    fn burst(&mut self, j: u32, reason: BurstReason) -> bool {
        let Some(policy) = self.policy else { return false };
        let job = self.sj[j as usize];
        if job.blocked != 0 {
            let why = self.blocks[job.blocked as usize].clone();
            *self.not_burstable.entry(why).or_insert(0) += 1;
            return false;
        }
        let mem = self.cloud_memory(j);
        let model = self.models.get(job.model as usize).map(String::as_str).unwrap_or("");
        let feature = self.features.get(job.feature as usize).map(String::as_str).unwrap_or("");
        let fits = |s: &CloudShape| {
            (job.feature == 0 || s.name.eq_ignore_ascii_case(feature))
                && s.vcpus >= job.need.cores
                && s.memory_mib >= mem
                && s.gpus >= job.need.gpus
                && (job.model == 0 || s.gpu_model.as_deref().is_some_and(|m| m.trim().eq_ignore_ascii_case(model)))
        };
        match policy.shapes.iter().position(fits) {
            Some(s) => {
                self.placement[j as usize] = Placement::Cloud;
                self.burst_shape[j as usize] = s as u16;
                self.burst_reason[j as usize] = Some(reason);
                self.start[j as usize] = job.arrival.saturating_add(policy.boot_seconds.max(0));
                true
            }
            None => {
                let why = if policy.shapes.is_empty() {
                    "no cloud shapes were given".to_owned()
                } else if job.feature != 0 && !policy.shapes.iter().any(|s| s.name.eq_ignore_ascii_case(feature)) {
                    format!("asks for node feature '{feature}', which no cloud type has")
                } else if policy.shapes.iter().all(|s| s.vcpus < job.need.cores) {
                    "more cores per node than any cloud shape".to_owned()
                } else if policy.shapes.iter().all(|s| s.memory_mib < mem) {
                    "more memory per node than any cloud shape".to_owned()
                } else if policy.shapes.iter().all(|s| s.gpus < job.need.gpus) {
                    "more GPUs per node than any cloud shape".to_owned()
                } else if job.model != 0
                    && !policy
                        .shapes
                        .iter()
                        .any(|s| s.gpu_model.as_deref().is_some_and(|m| m.trim().eq_ignore_ascii_case(model)))
                {
                    format!("GPU model '{model}' offered by no cloud shape")
                } else {
                    "no cloud shape has enough cores, memory and GPUs together".to_owned()
                };
                *self.not_burstable.entry(why).or_insert(0) += 1;
                false
            }
        }
    }

    /// Memory one cloud node of `j` needs, MiB: the request per node, else the peak RSS.
    fn cloud_memory(&self, j: u32) -> u64 {
        let job = self.sj[j as usize];
        if job.need.mem > 0 {
            return job.need.mem;
        }
        self.peak_rss.get(j as usize).copied().unwrap_or(0)
    }

    // -- results -------------------------------------------------------------------------------------

    fn into_result(self, cluster: &Cluster, jobs: &[Job], policy: Option<&BurstPolicy>) -> ReplayResult {
        let mut out =
            vec![JobReplay { placement: Placement::NotReplayed, partition: None, start: None, wait: None }; jobs.len()];
        let mut span_start = i64::MAX;
        let mut span_end = i64::MIN;
        let mut all_waits = Vec::with_capacity(self.sj.len());
        let mut part_waits: Vec<Vec<i64>> = vec![Vec::new(); self.parts.len()];
        let mut used: Vec<u64> = vec![0; self.parts.len()];
        let mut on_prem_jobs: Vec<u64> = vec![0; self.parts.len()];
        let mut used_total: u64 = 0;
        let mut diffs: Vec<i64> = Vec::new();
        let mut recorded: Vec<i64> = Vec::new();
        let mut replayed: Vec<i64> = Vec::new();
        let max_wait = policy.and_then(|p| p.max_wait);
        let mut over_max_wait = 0u64;
        for (s, sjob) in self.sj.iter().enumerate() {
            let placement = self.placement[s];
            let p = sjob.part as usize;
            let start = (self.start[s] != NONE && placement != Placement::Unrunnable).then_some(self.start[s]);
            let wait = start.map(|st| st - sjob.arrival);
            if let Some(slot) = out.get_mut(sjob.job as usize) {
                *slot = JobReplay { placement, partition: Some(p), start, wait };
            }
            let (Some(st), Some(w)) = (start, wait) else { continue };
            span_start = span_start.min(sjob.arrival);
            span_end = span_end.max(st.saturating_add(sjob.runtime));
            all_waits.push(w);
            part_waits[p].push(w);
            if placement == Placement::OnPrem {
                if max_wait.is_some_and(|mw| w > mw) {
                    over_max_wait += 1;
                }
                let cs = u64::from(sjob.cores).saturating_mul(sjob.runtime.max(0) as u64);
                if self.shared {
                    // Each partition holding some of its nodes counts the cores on those nodes.
                    for q in self.touched_parts(s as u32) {
                        let inside = self.demand_in(s as u32, q as usize).cores;
                        let part_cs = if inside >= u64::from(sjob.need.cores) * u64::from(sjob.nodes) {
                            cs
                        } else {
                            inside.saturating_mul(sjob.runtime.max(0) as u64)
                        };
                        used[q as usize] = used[q as usize].saturating_add(part_cs);
                    }
                } else {
                    used[p] = used[p].saturating_add(cs);
                }
                on_prem_jobs[p] += 1;
                used_total = used_total.saturating_add(cs);
                if policy.is_none() {
                    diffs.push((st - sjob.recorded_start).abs());
                    recorded.push(sjob.recorded_start - sjob.arrival);
                    replayed.push(w);
                }
            }
        }
        if span_start > span_end {
            span_start = 0;
            span_end = 0;
        }
        let span = (span_end - span_start).max(0) as u64;
        let partitions = cluster
            .partitions
            .iter()
            .enumerate()
            .map(|(p, cp)| {
                let cores = cluster.partition_cores(p);
                let available = cores.saturating_mul(span);
                let used_p = used.get(p).copied().unwrap_or(0);
                PartitionStats {
                    name: cp.name.clone(),
                    nodes: cp.nodes.len(),
                    cores,
                    waits: WaitStats::of(part_waits.get_mut(p).map(Vec::as_mut_slice).unwrap_or(&mut [])),
                    on_prem_jobs: on_prem_jobs.get(p).copied().unwrap_or(0),
                    core_seconds_used: used_p,
                    core_seconds_available: available,
                    utilisation: ratio(used_p, available),
                }
            })
            .collect();
        let accuracy = (policy.is_none() && !diffs.is_empty()).then(|| {
            let n = diffs.len();
            let within = diffs.iter().filter(|&&d| d <= 300).count();
            let sum: i128 = diffs.iter().map(|&d| i128::from(d)).sum();
            let median = WaitStats::of(&mut diffs).p50;
            Accuracy {
                jobs: n as u64,
                mean_abs_start_diff: sum as f64 / n as f64,
                median_abs_start_diff: median,
                within_5_min: within as f64 / n as f64,
                recorded_waits: WaitStats::of(&mut recorded),
                replay_waits: WaitStats::of(&mut replayed),
            }
        });
        let mut unrunnable: Vec<Unrunnable> = self
            .unrunnable
            .iter()
            .map(|(s, reason)| {
                let sjob = self.sj[*s as usize];
                Unrunnable {
                    job: sjob.job as usize,
                    id: jobs[sjob.job as usize].id.clone(),
                    partition: cluster.partitions.get(sjob.part as usize).map_or(String::new(), |p| p.name.clone()),
                    reason: reason.clone(),
                }
            })
            .collect();
        unrunnable.sort_by_key(|u| u.job);
        let burst =
            policy.map(|pol| BurstSummary { on_prem_over_max_wait: over_max_wait, ..self.burst_summary(cluster, pol) });
        ReplayResult {
            jobs: out,
            span_start,
            span_end,
            waits: WaitStats::of(&mut all_waits),
            partitions,
            utilisation: ratio(used_total, cluster.total_cores().saturating_mul(span)),
            accuracy,
            unrunnable,
            not_replayed: self.not_replayed.clone(),
            partition_fallbacks: self.fallbacks.clone(),
            burst,
        }
    }

    fn burst_summary(&self, cluster: &Cluster, policy: &BurstPolicy) -> BurstSummary {
        let mut jobs = Vec::new();
        let mut by_reason: BTreeMap<String, u64> = BTreeMap::new();
        let mut node_seconds: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        let mut intervals: Vec<(i64, i64, u64, u16)> = Vec::new();
        for &s in &self.sim_of {
            if s == u32::MAX || self.placement[s as usize] != Placement::Cloud {
                continue;
            }
            let sjob = self.sj[s as usize];
            let shape_ix = self.burst_shape[s as usize];
            let Some(shape) = policy.shapes.get(shape_ix as usize) else { continue };
            let reason = self.burst_reason[s as usize].unwrap_or(BurstReason::PredictedWait);
            let start = self.start[s as usize];
            *by_reason.entry(reason.key().to_owned()).or_insert(0) += 1;
            let ns = i64::from(sjob.nodes).saturating_mul(sjob.runtime);
            *node_seconds.entry(shape.name.clone()).or_default().entry(month_key(start)).or_insert(0) += ns;
            if sjob.runtime > 0 {
                intervals.push((start, start + sjob.runtime, u64::from(sjob.nodes), shape_ix));
            }
            jobs.push(BurstJob {
                job: sjob.job as usize,
                shape: shape.name.clone(),
                nodes: sjob.nodes,
                runtime_s: sjob.runtime,
                start,
                reason,
            });
        }
        let nodes = node_count(intervals.iter().map(|&(a, b, n, _)| (a, b, n)));
        let mut nodes_by_shape = BTreeMap::new();
        for (ix, shape) in policy.shapes.iter().enumerate() {
            if intervals.iter().any(|i| i.3 as usize == ix) {
                let c = node_count(intervals.iter().filter(|i| i.3 as usize == ix).map(|&(a, b, n, _)| (a, b, n)));
                nodes_by_shape.insert(shape.name.clone(), c);
            }
        }
        let unknown_partitions =
            policy.partitions.iter().filter(|n| cluster.partition_index(n).is_none()).cloned().collect();
        BurstSummary {
            jobs,
            by_reason,
            node_seconds,
            nodes,
            nodes_by_shape,
            not_burstable: self.not_burstable.clone(),
            unknown_partitions,
            on_prem_over_max_wait: 0,
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Peak and time-weighted p99 of the count of nodes running, over the time any runs.
fn node_count(intervals: impl Iterator<Item = (i64, i64, u64)>) -> NodeCount {
    let mut ev: Vec<(i64, i64)> = Vec::new();
    for (a, b, n) in intervals {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        ev.push((a, n));
        ev.push((b, -n));
    }
    ev.sort_unstable();
    let mut level: i64 = 0;
    let mut peak: i64 = 0;
    let mut time_at: BTreeMap<i64, i64> = BTreeMap::new();
    let mut i = 0;
    while i < ev.len() {
        let t = ev[i].0;
        while i < ev.len() && ev[i].0 == t {
            level += ev[i].1;
            i += 1;
        }
        peak = peak.max(level);
        if let Some(&(next, _)) = ev.get(i) {
            if level > 0 {
                *time_at.entry(level).or_insert(0) += next - t;
            }
        }
    }
    let busy: i128 = time_at.values().map(|&v| i128::from(v)).sum();
    let mut cum: i128 = 0;
    let mut p99 = 0;
    for (&l, &secs) in &time_at {
        cum += i128::from(secs);
        if cum * 100 >= busy * 99 {
            p99 = l;
            break;
        }
    }
    NodeCount { peak: peak.max(0) as u64, p99: p99.max(0) as u64 }
}
