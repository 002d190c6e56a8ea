//! The cluster readers and the replay: small hand-made histories whose answers are worked out in
//! the comments (empty cluster, saturated cluster, EASY backfill, jobs too large, partitions, shared
//! nodes, the backfill depth limit, the burst policy), plus the real sample history end to end.

use std::collections::BTreeMap;
use std::sync::Arc;

use rocklift::hpc::time::parse_timestamp;
use rocklift::hpc::{
    parse_cluster_toml, parse_sacct, parse_scontrol_nodes, replay, BurstJob, BurstPolicy, BurstReason, CloudShape,
    Cluster, Job, NodeCount, Placement, ReplayResult, WaitStats,
};
use rocklift::Error;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hpc/");
const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slurm/");

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn cluster(toml: &str) -> Cluster {
    parse_cluster_toml("test.toml", toml).unwrap_or_else(|e| panic!("cluster: {e}"))
}

/// `[cluster]` TOML for partitions given as (name, nodes, cores, memory GiB).
fn partitions(parts: &[(&str, u32, u32, u32)]) -> Cluster {
    let mut t = String::from("[cluster]\n");
    for (name, nodes, cores, gib) in parts {
        t.push_str(&format!(
            "[[cluster.partitions]]\nname = \"{name}\"\nnodes = {nodes}\ncores = {cores}\nmemory_gib = {gib}\n"
        ));
    }
    cluster(&t)
}

/// A job eligible (and, as recorded, started) at `at`, running `runtime` seconds.
fn job(id: &str, at: i64, runtime: i64, cores: u32, nodes: u32) -> Job {
    Job {
        id: id.to_owned(),
        line: 0,
        state: Arc::from("COMPLETED"),
        partition: None,
        submit: at,
        eligible: at,
        start: at,
        end: at + runtime,
        elapsed: runtime,
        cores,
        nodes,
        memory_mib: 0,
        peak_rss_mib: None,
        gpus: 0,
        gpu_model: None,
        allocated: true,
        constraints: None,
        licenses: None,
    }
}

fn in_part(mut j: Job, p: &str) -> Job {
    j.partition = Some(Arc::from(p));
    j
}

fn starts(r: &ReplayResult) -> Vec<Option<i64>> {
    r.jobs.iter().map(|j| j.start).collect()
}

fn waits(r: &ReplayResult) -> Vec<Option<i64>> {
    r.jobs.iter().map(|j| j.wait).collect()
}

fn problems(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(p) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected Error::Invalid, got {other}"),
    }
}

fn shape(name: &str, vcpus: u32, gib: u64, gpus: u32, model: Option<&str>) -> CloudShape {
    CloudShape { name: name.to_owned(), vcpus, memory_mib: gib * 1024, gpus, gpu_model: model.map(str::to_owned) }
}

// ---- cluster ------------------------------------------------------------------------------------

#[test]
fn cluster_toml_with_own_and_included_nodes() {
    let c = parse_cluster_toml("rocklift.toml", &read(&format!("{FIXTURES}cluster.toml"))).expect("valid");
    assert_eq!(c.name.as_deref(), Some("hpc1"));
    let names: Vec<&str> = c.partitions.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["debug", "batch", "gpu", "all"]);
    assert_eq!(c.default_partition, 1);
    assert_eq!(c.nodes.len(), 8);
    assert_eq!(c.partitions[3].nodes, [2, 3, 4, 5, 6, 7]);
    let n = &c.nodes[2];
    // 251.5 GiB = 257536 MiB; batch-0001 is in batch and all.
    assert_eq!((n.name.as_str(), n.cores, n.memory_mib, n.partitions.clone()), ("batch-0001", 64, 257_536, vec![1, 3]));
    let g = &c.nodes[7];
    assert_eq!((g.name.as_str(), g.gpus, g.gpu_model.as_deref(), g.memory_mib), ("gpu-0002", 4, Some("a100"), 524_288));
    assert_eq!(c.nodes[0].memory_mib, 65_536);
    assert!(c.shares_nodes());
    assert_eq!((c.total_cores(), c.partition_cores(3)), (2 * 16 + 4 * 64 + 2 * 32, 4 * 64 + 2 * 32));
}

#[test]
fn cluster_toml_problems_are_located() {
    let text = "[cluster]\n\
                default_partition = \"nope\"\n\
                [[cluster.partitions]]\n\
                name = \"a\"\n\
                nodes = 2\n\
                cores = 8\n\
                [[cluster.partitions]]\n\
                name = \"b\"\n\
                nodes = 1\n\
                cores = 8\n\
                memory_gib = 16\n\
                memory_mib = 16384\n\
                [[cluster.partitions]]\n\
                name = \"c\"\n\
                include = [\"zz\"]\n";
    assert_eq!(
        problems(parse_cluster_toml("bad.toml", text).expect_err("bad")),
        [
            "bad.toml:4: column 'memory_gib': partition 'a' has nodes but no memory_gib per node",
            "bad.toml:8: column 'memory_gib': give memory_gib or memory_mib, not both",
            "bad.toml:15: column 'include': partition 'c' includes 'zz', which is not described",
            "bad.toml:2: column 'default_partition': no partition 'nope' is described",
        ]
    );
    let p = problems(
        parse_cluster_toml("typo.toml", "[cluster]\n[[cluster.partitions]]\nname = \"a\"\nnodez = 2\n")
            .expect_err("typo"),
    );
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("typo.toml:4: unknown field `nodez`"), "{}", p[0]);
    assert_eq!(
        problems(parse_cluster_toml("none.toml", "region = \"us-east-1\"\n").expect_err("none")),
        ["none.toml:1: no [cluster] table; describe the partitions as [[cluster.partitions]] with name, nodes, cores and memory_gib"]
    );
}

#[test]
fn scontrol_nodes_oneliner() {
    let c = parse_scontrol_nodes("nodes.txt", &read(&format!("{FIXTURES}scontrol-nodes.txt"))).expect("valid");
    let names: Vec<&str> = c.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["cn001", "cn002", "cn003", "gpu01", "gpu02"]);
    let parts: Vec<(&str, Vec<usize>)> = c.partitions.iter().map(|p| (p.name.as_str(), p.nodes.clone())).collect();
    assert_eq!(parts, [("batch", vec![0, 1, 2]), ("all", vec![0, 1, 2, 3]), ("gpu", vec![3, 4])]);
    assert_eq!(c.default_partition, 0);
    let cn3 = &c.nodes[2];
    assert_eq!((cn3.cores, cn3.memory_mib, cn3.state.as_deref()), (64, 257_000, Some("DOWN*")));
    let g1 = &c.nodes[3];
    assert_eq!((g1.gpus, g1.gpu_model.as_deref(), g1.memory_mib), (4, Some("a100"), 515_000));
    let g2 = &c.nodes[4];
    assert_eq!((g2.cores, g2.gpus, g2.gpu_model.as_deref(), g2.state.as_deref()), (32, 2, None, Some("IDLE+DRAIN")));
    let left: Vec<(&str, &str, &str)> =
        c.left_out.iter().map(|l| (l.name.as_str(), l.location.as_str(), l.reason.as_str())).collect();
    assert_eq!(
        left,
        [
            ("cloud-001", "nodes.txt:6", "a cloud node (State=IDLE+CLOUD+POWERED_DOWN)"),
            ("login01", "nodes.txt:7", "in no partition"),
        ]
    );
}

#[test]
fn scontrol_nodes_multiline_and_problems() {
    let text = "NodeName=a1 Arch=x86_64 CoresPerSocket=4\n   CPUAlloc=0 CPUTot=8 CPULoad=0.00\n   Gres=gpu:v100:2\n   RealMemory=32000 AllocMem=0\n   State=IDLE\n   Partitions=p\n\nNodeName=a2 CPUTot=8\n   RealMemory=1 Partitions=p State=IDLE\n";
    let c = parse_scontrol_nodes("multi.txt", text).expect("valid");
    assert_eq!(c.nodes.len(), 2);
    assert_eq!((c.nodes[0].cores, c.nodes[0].memory_mib, c.nodes[0].gpus), (8, 32_000, 2));
    // RealMemory=1 is Slurm's default (not configured): memory is then not a constraint.
    assert_eq!(c.nodes[1].memory_mib, u64::MAX);
    let bad = "NodeName=b1 CPUTot=x RealMemory=100 Partitions=p\nNodeName=b2 RealMemory=lots Partitions=p\nNodeName=b1 CPUTot=4 Partitions=p\n";
    assert_eq!(
        problems(parse_scontrol_nodes("bad.txt", bad).expect_err("bad")),
        [
            "bad.txt:1: column 'CPUTot': 'x' is not a CPU count (1 to 100000)",
            "bad.txt:2: column 'CPUTot': node 'b2' has no CPUTot",
            "bad.txt:2: column 'RealMemory': 'lots' is not a memory size in MiB",
            "bad.txt:3: column 'NodeName': node 'b1' is listed twice (first on line 1)",
        ]
    );
    assert_eq!(
        problems(parse_scontrol_nodes("empty.txt", "nothing here\n").expect_err("empty")),
        ["empty.txt:1: no NodeName= records; expected the output of `scontrol show nodes --oneliner`"]
    );
}

// ---- replay -------------------------------------------------------------------------------------

#[test]
fn empty_cluster_means_no_waits() {
    // Two 4-core nodes. A and B take one node each; C needs both nodes (2 × 4 cores) after they
    // are free; D is small. Nothing ever waits.
    let c = partitions(&[("batch", 2, 4, 16)]);
    let jobs = [job("A", 0, 100, 4, 1), job("B", 10, 100, 4, 1), job("C", 200, 50, 8, 2), job("D", 300, 10, 1, 1)];
    let r = replay(&c, &jobs, None);
    assert_eq!(starts(&r), [Some(0), Some(10), Some(200), Some(300)]);
    assert_eq!(r.waits, WaitStats { jobs: 4, mean: 0.0, p50: 0, p95: 0, max: 0 });
    assert!(r.jobs.iter().all(|j| j.placement == Placement::OnPrem && j.partition == Some(0)));
    // 4×100 + 4×100 + 8×50 + 1×10 = 1210 core-seconds over 8 cores × 310 s.
    assert_eq!((r.span_start, r.span_end), (0, 310));
    assert_eq!(r.partitions[0].core_seconds_used, 1210);
    assert_eq!(r.partitions[0].core_seconds_available, 2480);
    assert_eq!(r.utilisation, 1210.0 / 2480.0);
    let a = r.accuracy.as_ref().expect("accuracy");
    assert_eq!((a.jobs, a.mean_abs_start_diff, a.within_5_min), (4, 0.0, 1.0));
    assert_eq!(r.partition_fallbacks, BTreeMap::from([("no partition in the history → 'batch'".to_owned(), 4)]));
}

#[test]
fn saturated_cluster_gives_exact_waits() {
    // One 4-core node, four 4-core jobs of 100 s arriving 10 s apart: strictly one after another.
    let c = partitions(&[("batch", 1, 4, 16)]);
    let mut jobs: Vec<Job> = (0..4).map(|i| job(&format!("J{i}"), 10 * i, 100, 4, 1)).collect();
    // As recorded: the same starts, except J3 which started 400 s later than the replay says.
    for (i, j) in jobs.iter_mut().enumerate() {
        j.start = 100 * i as i64 + if i == 3 { 400 } else { 0 };
    }
    let r = replay(&c, &jobs, None);
    assert_eq!(starts(&r), [Some(0), Some(100), Some(200), Some(300)]);
    assert_eq!(waits(&r), [Some(0), Some(90), Some(180), Some(270)]);
    // Nearest rank: p50 is the 2nd of 4, p95 the 4th.
    assert_eq!(r.waits, WaitStats { jobs: 4, mean: 135.0, p50: 90, p95: 270, max: 270 });
    assert_eq!(r.utilisation, 1.0);
    let a = r.accuracy.as_ref().expect("accuracy");
    assert_eq!((a.jobs, a.mean_abs_start_diff, a.median_abs_start_diff, a.within_5_min), (4, 100.0, 0, 0.75));
    assert_eq!(a.replay_waits.max, 270);
    assert_eq!(a.recorded_waits.max, 670);
}

#[test]
fn easy_backfill_lets_small_jobs_jump_without_delaying_the_head() {
    // One 8-core node.
    // J1 (t=0, 4 cores, 100 s) runs. J2 (t=1, 6 cores) cannot start: it is the head and reserves
    // the node at t=100, when 8 cores are free, leaving 2 cores it does not need.
    // J3 (t=2, 2 cores, 500 s) fits now and runs past t=100, but only on those 2 spare cores: it starts.
    // J4 (t=3, 2 cores, 500 s) also fits now (2 cores free) but would take cores J2 needs at
    // t=100: held back, and starts when J2 ends (t=200).
    // J5 (t=4, 1 core, 50 s) ends by t=100: it backfills at once.
    // J2 starts exactly at its reservation, t=100.
    let c = partitions(&[("batch", 1, 8, 32)]);
    let jobs = [
        job("J1", 0, 100, 4, 1),
        job("J2", 1, 100, 6, 1),
        job("J3", 2, 500, 2, 1),
        job("J4", 3, 500, 2, 1),
        job("J5", 4, 50, 1, 1),
    ];
    let r = replay(&c, &jobs, None);
    assert_eq!(starts(&r), [Some(0), Some(100), Some(2), Some(200), Some(4)]);
    assert_eq!(waits(&r), [Some(0), Some(99), Some(0), Some(197), Some(0)]);
}

#[test]
fn jobs_larger_than_the_cluster_are_reported_not_lost() {
    let c = cluster(
        "[cluster]\n\
         [[cluster.partitions]]\nname = \"cpu\"\nnodes = 2\ncores = 4\nmemory_gib = 16\n\
         [[cluster.partitions]]\nname = \"gpu\"\nnodes = 1\ncores = 4\nmemory_gib = 16\ngpus = 2\ngpu_model = \"v100\"\n",
    );
    let mut big_mem = in_part(job("big-mem", 3, 10, 1, 1), "cpu");
    big_mem.memory_mib = 32 * 1024;
    let mut model = in_part(job("a100", 4, 10, 1, 1), "gpu");
    model.gpus = 1;
    model.gpu_model = Some(Arc::from("a100"));
    let mut gpus = in_part(job("4-gpus", 5, 10, 1, 1), "gpu");
    gpus.gpus = 4;
    let jobs = [
        in_part(job("ok-1", 0, 10, 4, 1), "cpu"),
        in_part(job("8-cores", 1, 10, 8, 1), "cpu"),
        in_part(job("3-nodes", 2, 10, 3, 3), "cpu"),
        big_mem,
        model,
        gpus,
        in_part(job("ok-2", 6, 10, 4, 2), "cpu"),
    ];
    let r = replay(&c, &jobs, None);
    let listed: Vec<(usize, &str, &str, &str)> =
        r.unrunnable.iter().map(|u| (u.job, u.id.as_str(), u.partition.as_str(), u.reason.as_str())).collect();
    assert_eq!(
        listed,
        [
            (1, "8-cores", "cpu", "needs 8 cores per node; its largest node has 4"),
            (
                2,
                "3-nodes",
                "cpu",
                "needs 3 nodes with 1 cores, 0 MiB and 0 GPUs free each; its partition has 2 such nodes"
            ),
            (3, "big-mem", "cpu", "needs 32768 MiB of memory per node; its largest node has 16384"),
            (4, "a100", "gpu", "needs GPU model 'a100'; no node of its partition has it"),
            (5, "4-gpus", "gpu", "needs 4 GPUs per node; its largest node has 2"),
        ]
    );
    let placements: Vec<Placement> = r.jobs.iter().map(|j| j.placement).collect();
    use Placement::*;
    assert_eq!(placements, [OnPrem, Unrunnable, Unrunnable, Unrunnable, Unrunnable, Unrunnable, OnPrem]);
    // The unrunnable jobs block nobody: ok-2 (2 nodes × 2 cores) waits only for ok-1 to free
    // its node (t=10).
    assert_eq!(starts(&r), [Some(0), None, None, None, None, None, Some(10)]);
    assert_eq!(r.waits.jobs, 2);
}

#[test]
fn partitions_are_respected_and_unknown_ones_fall_back_to_the_default() {
    // Partitions a and b: one 4-core node each; a is the default (listed first).
    let c = partitions(&[("a", 1, 4, 16), ("b", 1, 4, 16)]);
    let jobs = [
        in_part(job("A1", 0, 100, 4, 1), "a"),
        in_part(job("A2", 1, 100, 4, 1), "a"),
        // b is idle although a is full.
        in_part(job("B1", 2, 100, 4, 1), "b"),
        // Unknown and missing partitions run in a, after A2 (a is full until t=200).
        in_part(job("U", 3, 10, 1, 1), "zzz"),
        job("N", 4, 10, 1, 1),
        // A comma list: the first partition the cluster has.
        in_part(job("L", 5, 10, 1, 1), "nope,b"),
    ];
    let r = replay(&c, &jobs, None);
    assert_eq!(starts(&r), [Some(0), Some(100), Some(2), Some(200), Some(200), Some(102)]);
    let parts: Vec<Option<usize>> = r.jobs.iter().map(|j| j.partition).collect();
    assert_eq!(parts, [Some(0), Some(0), Some(1), Some(0), Some(0), Some(1)]);
    assert_eq!(
        r.partition_fallbacks,
        BTreeMap::from([
            ("no partition in the history → 'a'".to_owned(), 1),
            ("unknown partition 'zzz' → 'a'".to_owned(), 1)
        ])
    );
    assert_eq!(
        r.partitions[0].waits,
        WaitStats { jobs: 4, mean: (99 + 197 + 196) as f64 / 4.0, p50: 99, p95: 197, max: 197 }
    );
    assert_eq!(r.partitions[1].waits, WaitStats { jobs: 2, mean: 48.5, p50: 0, p95: 97, max: 97 });
    // Span 0..210: b used 4×100 + 1×10 core-seconds of 4 × 210.
    assert_eq!((r.partitions[1].core_seconds_used, r.partitions[1].core_seconds_available), (410, 840));
}

#[test]
fn shared_nodes_count_in_both_partitions_and_reservations_hold_across_them() {
    // Nodes a-0001 (partition a) and b-0001 (partition b), 8 cores each; "all" holds both.
    let c = cluster(
        "[cluster]\n\
         [[cluster.partitions]]\nname = \"a\"\nnodes = 1\ncores = 8\nmemory_gib = 16\n\
         [[cluster.partitions]]\nname = \"b\"\nnodes = 1\ncores = 8\nmemory_gib = 16\n\
         [[cluster.partitions]]\nname = \"all\"\ninclude = [\"a\", \"b\"]\n",
    );
    let jobs = [
        // A1 fills node a until t=100.
        in_part(job("A1", 0, 100, 8, 1), "a"),
        // X needs both nodes whole: it reserves them for t=100.
        in_part(job("X", 1, 50, 16, 2), "all"),
        // B1 runs on node b and ends before t=100.
        in_part(job("B1", 5, 50, 4, 1), "b"),
        // Y (all) fits on node b now but would run past t=100 on cores X has reserved: it waits
        // for X to end (t=150), then takes node a (first fit).
        in_part(job("Y", 6, 300, 2, 1), "all"),
    ];
    let r = replay(&c, &jobs, None);
    assert_eq!(starts(&r), [Some(0), Some(100), Some(5), Some(150)]);
    // Utilisation: each partition counts the cores its nodes gave (X: 8 on node a, 8 on node b).
    let used: Vec<u64> = r.partitions.iter().map(|p| p.core_seconds_used).collect();
    assert_eq!(used, [8 * 100 + 8 * 50 + 2 * 300, 4 * 50 + 8 * 50, 8 * 100 + 16 * 50 + 4 * 50 + 2 * 300]);
    // The cluster counts every job once: 2400 core-seconds of 16 cores × 450 s.
    assert_eq!((r.span_start, r.span_end), (0, 450));
    assert_eq!(r.utilisation, 2400.0 / (16.0 * 450.0));
}

#[test]
fn backfill_tests_at_most_bf_max_job_test_jobs_behind_the_head() {
    // One 3-core node. J0 holds 1 core until t=1000; the head J1 needs all 3 and reserves t=1000.
    // Then `k` more 3-core jobs queue, and S (1 core, 5 s, ending long before t=1000) arrives at
    // t=600. With k = 499 it is the 500th job behind the head: tested, it backfills at once. With
    // k = 500 it is the 501st: not tested, and it runs only after the 3-core jobs, one by one.
    let c = partitions(&[("batch", 1, 3, 16)]);
    for (k, expected) in [(499i64, 600), (500, 1000 + 10 * 501)] {
        let mut jobs = vec![job("J0", 0, 1000, 1, 1), job("J1", 1, 10, 3, 1)];
        for i in 0..k {
            jobs.push(job(&format!("Q{i}"), 2 + i / 10, 10, 3, 1));
        }
        jobs.push(job("S", 600, 5, 1, 1));
        let r = replay(&c, &jobs, None);
        assert_eq!(r.jobs.last().and_then(|j| j.start), Some(expected), "k = {k}");
        assert_eq!(r.jobs[1].start, Some(1000), "k = {k}: the head starts at its reservation");
    }
}

#[test]
fn burst_policy_moves_exactly_the_jobs_whose_wait_would_exceed_max_wait() {
    // One 4-core, 128 GiB node. Four 4-core 100 s jobs at t0+0..3 would wait 0, 99, 198 and 297 s.
    // With max_wait 150 s: J2 and J3 are predicted (at their arrival) to start at t0+200 and
    // t0+200 (J2 gone), waits 198 and 197: both burst, to the first shape that fits ("big"; "small"
    // has 2 vCPUs), starting after the 60 s boot. J1 keeps its 99 s wait.
    // Without the policy J4 (t0+250, 400 s) waits behind J3 until t0+400, and J5 until t0+800.
    // With it, J4 (t0+250) finds the node free. J5 (t0+251, 64 GiB) would wait 399 s, but no shape
    // has 64 GiB: it stays and is counted.
    let t0 = parse_timestamp("2024-03-31T23:58:57").expect("time");
    let c = partitions(&[("batch", 1, 4, 128)]);
    let mut j5 = job("J5", t0 + 251, 100, 4, 1);
    j5.memory_mib = 64 * 1024;
    let jobs = [
        job("J0", t0, 100, 4, 1),
        job("J1", t0 + 1, 100, 4, 1),
        job("J2", t0 + 2, 100, 4, 1),
        job("J3", t0 + 3, 100, 4, 1),
        job("J4", t0 + 250, 400, 4, 1),
        j5,
    ];
    let before = replay(&c, &jobs, None);
    assert_eq!(waits(&before), [Some(0), Some(99), Some(198), Some(297), Some(150), Some(549)]);
    let policy = BurstPolicy {
        max_wait: Some(150),
        partitions: Vec::new(),
        shapes: vec![shape("small", 2, 8, 0, None), shape("big", 8, 32, 0, None)],
        boot_seconds: 60,
    };
    let r = replay(&c, &jobs, Some(&policy));
    let placements: Vec<Placement> = r.jobs.iter().map(|j| j.placement).collect();
    use Placement::*;
    assert_eq!(placements, [OnPrem, OnPrem, Cloud, Cloud, OnPrem, OnPrem]);
    assert_eq!(waits(&r), [Some(0), Some(99), Some(60), Some(60), Some(0), Some(399)]);
    let b = r.burst.as_ref().expect("burst summary");
    assert_eq!(
        b.jobs,
        [
            BurstJob {
                job: 2,
                shape: "big".into(),
                nodes: 1,
                runtime_s: 100,
                start: t0 + 62,
                reason: BurstReason::PredictedWait
            },
            BurstJob {
                job: 3,
                shape: "big".into(),
                nodes: 1,
                runtime_s: 100,
                start: t0 + 63,
                reason: BurstReason::PredictedWait
            },
        ]
    );
    // J2 starts at 23:59:59 on 31 March, J3 at midnight: one month each.
    assert_eq!(
        b.node_seconds,
        BTreeMap::from([(
            "big".to_owned(),
            BTreeMap::from([("2024-03".to_owned(), 100), ("2024-04".to_owned(), 100)])
        )])
    );
    assert_eq!(b.nodes, NodeCount { peak: 2, p99: 2 });
    assert_eq!(b.nodes_by_shape, BTreeMap::from([("big".to_owned(), NodeCount { peak: 2, p99: 2 })]));
    assert_eq!(b.by_reason, BTreeMap::from([("predicted wait over max_wait".to_owned(), 2)]));
    assert_eq!(b.not_burstable, BTreeMap::from([("more memory per node than any cloud shape".to_owned(), 1)]));
    assert_eq!(b.on_prem_over_max_wait, 1);
    assert_eq!(r.accuracy, None);
}

#[test]
fn burst_prediction_sees_node_fragmentation() {
    // Three 4-core nodes. A (4 cores) fills node 1 until t=100; B and C (3 cores) leave one core
    // free on nodes 2 and 3 until t=5000. H (4 cores) is the head: it reserves node 1 for t=100
    // and then holds it until t=5100. J (2 cores, 1 node) arrives at t=20: the pooled cores (6 free
    // at t=100, 4 of them for H) would say "t=100", but no single node has 2 free cores before
    // t=5000. The node-level plan sees that: J's predicted wait passes max_wait and it bursts.
    let c = partitions(&[("batch", 3, 4, 16)]);
    let jobs = [
        job("A", 0, 100, 4, 1),
        job("B", 0, 5000, 3, 1),
        job("C", 0, 5000, 3, 1),
        job("H", 10, 5000, 4, 1),
        job("J", 20, 10, 2, 1),
    ];
    let before = replay(&c, &jobs, None);
    assert_eq!(starts(&before), [Some(0), Some(0), Some(0), Some(100), Some(5000)]);
    let policy = BurstPolicy {
        max_wait: Some(600),
        partitions: Vec::new(),
        shapes: vec![shape("m", 4, 16, 0, None)],
        boot_seconds: 0,
    };
    let r = replay(&c, &jobs, Some(&policy));
    let placements: Vec<Placement> = r.jobs.iter().map(|j| j.placement).collect();
    use Placement::*;
    assert_eq!(placements, [OnPrem, OnPrem, OnPrem, OnPrem, Cloud]);
    assert_eq!(waits(&r), [Some(0), Some(0), Some(0), Some(90), Some(0)]);
}

#[test]
fn burst_by_partition_matches_gpu_models_and_rescues_unrunnable_jobs() {
    let c = cluster(
        "[cluster]\n\
         [[cluster.partitions]]\nname = \"cpu\"\nnodes = 1\ncores = 4\nmemory_gib = 16\n\
         [[cluster.partitions]]\nname = \"gpu\"\nnodes = 1\ncores = 8\nmemory_gib = 64\ngpus = 2\ngpu_model = \"a100\"\n",
    );
    let mut g1 = in_part(job("G1", 0, 3600, 4, 1), "gpu");
    g1.gpus = 1;
    g1.gpu_model = Some(Arc::from("a100"));
    let mut g2 = in_part(job("G2", 10, 1800, 4, 1), "gpu");
    g2.gpus = 1;
    let jobs = [g1, g2, in_part(job("C1", 20, 60, 4, 1), "cpu"), in_part(job("C2", 30, 60, 16, 1), "cpu")];
    let policy = BurstPolicy {
        max_wait: None,
        partitions: vec!["gpu".into(), "nope".into()],
        shapes: vec![shape("g5.2xlarge", 8, 32, 1, Some("a10g")), shape("p4d.24xlarge", 96, 1152, 8, Some("A100"))],
        boot_seconds: 0,
    };
    let r = replay(&c, &jobs, Some(&policy));
    let b = r.burst.as_ref().expect("burst");
    let got: Vec<(&str, &str, BurstReason)> =
        b.jobs.iter().map(|j| (jobs[j.job].id.as_str(), j.shape.as_str(), j.reason)).collect();
    assert_eq!(
        got,
        [
            // G1 wants an A100: the a10g shape does not do.
            ("G1", "p4d.24xlarge", BurstReason::Partition),
            // G2 wants any GPU.
            ("G2", "g5.2xlarge", BurstReason::Partition),
            // C2 needs 16 cores on one node; the cpu partition's node has 4.
            ("C2", "p4d.24xlarge", BurstReason::CannotRunOnPrem),
        ]
    );
    assert_eq!(r.jobs[2].placement, Placement::OnPrem);
    assert!(r.unrunnable.is_empty());
    assert_eq!(b.unknown_partitions, ["nope"]);
    assert_eq!(
        b.by_reason,
        BTreeMap::from([("cannot run on-prem".to_owned(), 1), ("partition chosen for bursting".to_owned(), 2)])
    );
    assert_eq!(
        b.node_seconds,
        BTreeMap::from([
            ("g5.2xlarge".to_owned(), BTreeMap::from([("1970-01".to_owned(), 1800)])),
            ("p4d.24xlarge".to_owned(), BTreeMap::from([("1970-01".to_owned(), 3600 + 60)])),
        ])
    );
}

#[test]
fn the_sample_history_replays_deterministically() {
    let h = parse_sacct("sacct-output-v2.txt", &read(&format!("{SAMPLES}sacct-output-v2.txt"))).expect("parses");
    // Two partitions of two c5.large-like nodes (2 CPUs, 4 GiB): the 5 and 6 GiB jobs (10 each)
    // cannot run; the 7 GiB ones never got an allocation (counted with awk on the dump).
    let c = partitions(&[("partition1", 2, 2, 4), ("partition2", 2, 2, 4)]);
    let r = replay(&c, &h.jobs, None);
    assert_eq!(r.jobs.len(), 483);
    assert_eq!(
        r.not_replayed,
        BTreeMap::from([("no allocation in the history (cancelled or failed before it ran)".to_owned(), 96)])
    );
    assert_eq!(r.unrunnable.len(), 20);
    assert!(r.unrunnable.iter().all(|u| u.reason.ends_with("MiB of memory per node; its largest node has 4096")));
    assert_eq!(r.waits.jobs, 483 - 96 - 20);
    // 371 replayed jobs come from 25-field lines (no Partition).
    assert_eq!(r.partition_fallbacks, BTreeMap::from([("no partition in the history → 'partition1'".to_owned(), 371)]));
    assert_eq!(r, replay(&c, &h.jobs, None));
    let policy = BurstPolicy {
        max_wait: Some(600),
        partitions: Vec::new(),
        shapes: vec![shape("c5.large", 2, 4, 0, None), shape("r5.large", 2, 16, 0, None)],
        boot_seconds: 120,
    };
    let with = replay(&c, &h.jobs, Some(&policy));
    assert_eq!(with, replay(&c, &h.jobs, Some(&policy)));
    let b = with.burst.as_ref().expect("burst");
    // The 20 jobs too large for the nodes go to r5.large.
    assert_eq!(b.by_reason.get("cannot run on-prem"), Some(&20));
    assert!(b.jobs.iter().filter(|j| j.reason == BurstReason::CannotRunOnPrem).all(|j| j.shape == "r5.large"));
    assert!(with.waits.max <= r.waits.max);
}

// ---- properties ------------------------------------------------------------------------------------

use proptest::prelude::*;

/// FCFS + EASY backfill on one node of `cores` cores, written as plainly as possible (O(n²)), as the
/// replay documents it: at each time, completions first, then the queue (heads start while they
/// fit; a blocked head reserves the earliest time enough cores are free; later jobs start if they
/// fit now and end by then or use only the cores the head leaves), then each arrival in order (it
/// starts at once when the queue is empty and it fits, or when it may backfill). Runtimes ≥ 1.
fn reference_easy(cores: u32, jobs: &[(i64, i64, u32)]) -> Vec<i64> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| (jobs[i].0, i));
    let mut start = vec![-1i64; jobs.len()];
    let mut running: Vec<(i64, u32)> = Vec::new(); // (end, cores)
    let mut queue: Vec<usize> = Vec::new();
    let mut free = cores;
    let mut next = 0;
    // (shadow, extra cores at the shadow) of the current head.
    let reservation = |free: u32, running: &[(i64, u32)], need: u32| -> (i64, u32) {
        let mut ends: Vec<(i64, u32)> = running.to_vec();
        ends.sort();
        let mut f = free;
        let mut i = 0;
        while i < ends.len() {
            let t = ends[i].0;
            while i < ends.len() && ends[i].0 == t {
                f += ends[i].1;
                i += 1;
            }
            if f >= need {
                return (t, f - need);
            }
        }
        (i64::MAX, 0)
    };
    loop {
        let t_arr = order.get(next).map(|&i| jobs[i].0);
        let t_end = running.iter().map(|r| r.0).min();
        let t = match (t_arr, t_end) {
            (None, None) => break,
            (Some(a), None) => a,
            (None, Some(e)) => e,
            (Some(a), Some(e)) => a.min(e),
        };
        let before = running.len();
        running.retain(|&(e, c)| {
            if e == t {
                free += c;
            }
            e != t
        });
        if running.len() != before {
            while let Some(&h) = queue.first() {
                if jobs[h].2 <= free {
                    free -= jobs[h].2;
                    running.push((t + jobs[h].1, jobs[h].2));
                    start[h] = t;
                    queue.remove(0);
                } else {
                    break;
                }
            }
            if let Some(&h) = queue.first() {
                let (shadow, mut extra) = reservation(free, &running, jobs[h].2);
                let mut k = 1;
                while k < queue.len() {
                    let q = queue[k];
                    let (need, end) = (jobs[q].2, t + jobs[q].1);
                    if need <= free && (end <= shadow || need <= extra) {
                        if end > shadow {
                            extra -= need;
                        }
                        free -= need;
                        running.push((end, need));
                        start[q] = t;
                        queue.remove(k);
                    } else {
                        k += 1;
                    }
                }
            }
        }
        while next < order.len() && jobs[order[next]].0 == t {
            let j = order[next];
            next += 1;
            let need = jobs[j].2;
            if queue.is_empty() {
                if need <= free {
                    free -= need;
                    running.push((t + jobs[j].1, need));
                    start[j] = t;
                } else {
                    queue.push(j);
                }
                continue;
            }
            let (shadow, extra) = reservation(free, &running, jobs[queue[0]].2);
            let end = t + jobs[j].1;
            if need <= free && (end <= shadow || need <= extra) {
                free -= need;
                running.push((end, need));
                start[j] = t;
            } else {
                queue.push(j);
            }
        }
    }
    start
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn replay_matches_a_plain_easy_backfill_on_one_node(
        cores in 1u32..=8,
        raw in prop::collection::vec((0i64..150, 1i64..80, 1u32..=8), 1..40),
    ) {
        let jobs: Vec<(i64, i64, u32)> = raw.iter().map(|&(a, r, c)| (a, r, c.min(cores))).collect();
        let c = partitions(&[("p", 1, cores, 4)]);
        let hist: Vec<Job> = jobs.iter().enumerate().map(|(i, &(a, r, n))| job(&i.to_string(), a, r, n, 1)).collect();
        let r = replay(&c, &hist, None);
        let ours: Vec<i64> = r.jobs.iter().map(|j| j.start.unwrap_or(-1)).collect();
        prop_assert_eq!(ours, reference_easy(cores, &jobs));
    }

    #[test]
    fn replay_never_overbooks_and_never_starts_early(
        nodes in 1u32..=4,
        cores in 1u32..=8,
        raw in prop::collection::vec((0i64..300, 0i64..120, 1u32..=16, 1u32..=3, any::<bool>()), 1..60),
    ) {
        // Two partitions sharing nothing plus "all" holding both.
        let c = cluster(&format!(
            "[cluster]\n[[cluster.partitions]]\nname = \"a\"\nnodes = {nodes}\ncores = {cores}\nmemory_gib = 8\n\
             [[cluster.partitions]]\nname = \"b\"\nnodes = {nodes}\ncores = {cores}\nmemory_gib = 8\n\
             [[cluster.partitions]]\nname = \"all\"\ninclude = [\"a\", \"b\"]\n"
        ));
        let hist: Vec<Job> = raw
            .iter()
            .enumerate()
            .map(|(i, &(a, r, n, k, shared))| {
                let p = if shared { "all" } else if i % 2 == 0 { "a" } else { "b" };
                in_part(job(&i.to_string(), a, r, n, k), p)
            })
            .collect();
        let r = replay(&c, &hist, None);
        prop_assert_eq!(r.jobs.len(), hist.len());
        // Every job ran or is listed as unrunnable; none starts before it is eligible.
        let mut load: Vec<(i64, i64)> = Vec::new();
        for (j, out) in hist.iter().zip(&r.jobs) {
            match out.placement {
                Placement::OnPrem => {
                    let s = out.start.unwrap_or(i64::MIN);
                    prop_assert!(s >= j.eligible);
                    if j.elapsed > 0 {
                        let per_node = j.cores.div_ceil(j.nodes);
                        load.push((s, i64::from(per_node * j.nodes)));
                        load.push((s + j.elapsed, -i64::from(per_node * j.nodes)));
                    }
                }
                Placement::Unrunnable => prop_assert!(r.unrunnable.iter().any(|u| u.id == j.id)),
                other => prop_assert!(false, "unexpected placement {:?}", other),
            }
        }
        // The cluster's cores are never exceeded.
        load.sort();
        let mut used = 0i64;
        for (_, d) in load {
            used += d;
            prop_assert!(used <= i64::from(2 * nodes * cores));
        }
        prop_assert_eq!(&r, &replay(&c, &hist, None));
    }
}

/// A job's node features and licences decide whether it can burst: every job below would wait (the node is
/// busy), so each is sent to the cloud unless something keeps it. J1 asks for no feature: the cheapest shape
/// that fits ("small"). J2 asks for the feature "big", an instance type of the cloud: it goes to "big" only.
/// J3 asks for `cloud`: any shape. J4 asks for a feature expression and J5 for a licence: neither can burst,
/// counted by reason. J6 names a type the cloud does not offer: counted.
#[test]
fn node_features_and_licences_decide_where_a_job_may_burst() {
    let t0 = parse_timestamp("2024-04-02T10:00:00").expect("time");
    let c = partitions(&[("batch", 1, 4, 128)]);
    let with = |id: &str, at: i64, features: Option<&str>, licences: Option<&str>| {
        let mut j = job(id, t0 + at, 100, 2, 1);
        j.constraints = features.map(Into::into);
        j.licenses = licences.map(Into::into);
        j
    };
    let jobs = [
        job("J0", t0, 10_000, 4, 1),
        with("J1", 1, None, None),
        with("J2", 2, Some("big"), None),
        with("J3", 3, Some("cloud"), None),
        with("J4", 4, Some("ib&avx512"), None),
        with("J5", 5, None, Some("matlab")),
        with("J6", 6, Some("m5.large"), None),
    ];
    let policy = BurstPolicy {
        max_wait: Some(60),
        partitions: Vec::new(),
        shapes: vec![shape("small", 2, 8, 0, None), shape("big", 8, 32, 0, None)],
        boot_seconds: 60,
    };
    let r = replay(&c, &jobs, Some(&policy));
    let b = r.burst.as_ref().expect("burst summary");
    let shape_of = |i: usize| b.jobs.iter().find(|x| x.job == i).map(|x| x.shape.as_str());
    assert_eq!([shape_of(1), shape_of(2), shape_of(3)], [Some("small"), Some("big"), Some("small")]);
    assert_eq!([shape_of(4), shape_of(5), shape_of(6)], [None, None, None]);
    let reasons: Vec<(&str, u64)> = b.not_burstable.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        reasons,
        [
            ("asks for node feature 'm5.large', which no cloud type has", 1),
            ("asks for node features (ib&avx512) the cloud nodes lack", 1),
            ("needs licences (matlab) the cloud nodes lack", 1),
        ]
    );
}
