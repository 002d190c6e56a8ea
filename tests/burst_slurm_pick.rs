//! The type each burst job is priced on is the one Slurm picks for it under the generated `cloud.conf`:
//! among the cloud nodes whose CPUs, RealMemory and GPUs fit the job, the lowest Weight. Checked job by job on
//! the real v2 `sacct` dump, with the replay run through the library exactly as `rocklift burst` runs it and
//! the node lines read back from the cloud.conf the CLI writes.

mod common;

use std::collections::BTreeMap;

use rocklift::estimate::LoadedPricing;
use rocklift::hpc::cost::candidate_shapes;
use rocklift::hpc::{parse_cluster_toml, parse_sacct_with, replay, BurstPolicy, SacctOptions};
use rocklift::pricing::Snapshot;

/// One `NodeName=` line of cloud.conf: (CPUs, RealMemory, Weight, GPUs, instance type from the features).
fn node_types(conf: &str) -> Vec<(u32, u64, u32, u32, String)> {
    conf.lines()
        .filter(|l| l.starts_with("NodeName="))
        .map(|l| {
            let kv: BTreeMap<&str, &str> = l.split_whitespace().filter_map(|w| w.split_once('=')).collect();
            let gpus = kv.get("Gres").map_or(0, |g| g.rsplit(':').next().and_then(|n| n.parse().ok()).unwrap_or(0));
            let itype = kv["Feature"].split(',').nth(1).expect("the type feature").to_owned();
            (
                kv["CPUs"].parse().expect("CPUs"),
                kv["RealMemory"].parse().expect("RealMemory"),
                kv["Weight"].parse().expect("Weight"),
                gpus,
                itype,
            )
        })
        .collect()
}

#[test]
fn every_v2_burst_job_is_priced_on_the_type_slurm_picks() {
    let cluster_path = "tests/fixtures/hpc/burst/cluster.toml";
    let jobs_path = "tests/fixtures/slurm/sacct-output-v2.txt";
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = common::run(&[
        "burst",
        "--cluster",
        cluster_path,
        "--jobs",
        jobs_path,
        "--skip-malformed",
        "--max-wait",
        "60s",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let conf = std::fs::read_to_string(out.join("slurm/cloud.conf")).expect("cloud.conf");
    let nodes = node_types(&conf);
    assert!(nodes.len() >= 2, "{conf}");

    // The same replay through the library: defaults of `rocklift burst` (on-demand, every type, 5 min boot).
    let root = common::repo();
    let cluster = parse_cluster_toml(cluster_path, &std::fs::read_to_string(root.join(cluster_path)).expect("cluster"))
        .expect("cluster");
    let history = parse_sacct_with(
        jobs_path,
        &std::fs::read_to_string(root.join(jobs_path)).expect("jobs"),
        &SacctOptions { skip_malformed: true },
    )
    .expect("sacct");
    let pricing = LoadedPricing::load(Snapshot::embedded().expect("snapshot"), "us-east-1").expect("pricing");
    let shapes = candidate_shapes(&pricing.catalog, &pricing.prices, false, &|_| true);
    let mut named: Vec<String> = history.jobs.iter().filter_map(|j| j.single_feature()).map(str::to_owned).collect();
    named.sort();
    named.dedup();
    let shapes = rocklift::hpc::cost::with_named_types(shapes, &pricing.catalog, &pricing.prices, false, &named);
    let policy = BurstPolicy {
        max_wait: Some(60),
        partitions: Vec::new(),
        shapes: shapes.iter().map(|s| s.shape.clone()).collect(),
        boot_seconds: 300,
    };
    let after = replay(&cluster, &history.jobs, Some(&policy));
    let burst = after.burst.expect("a burst summary");
    assert!(burst.jobs.len() > 100, "{} burst jobs", burst.jobs.len());
    let constrained = burst.jobs.iter().filter(|b| history.jobs[b.job].single_feature().is_some()).count();
    assert!(constrained > 100, "{constrained} burst jobs ask for a node feature");

    let mut differ = Vec::new();
    for b in &burst.jobs {
        let job = &history.jobs[b.job];
        let per_node = job.nodes.max(1);
        let cores = job.cores.div_ceil(per_node);
        // What Slurm schedules on: the memory the job asks for (per node). A job that asks for none gets a
        // whole node, so memory does not narrow Slurm's choice.
        let mem = job.memory_mib.div_ceil(u64::from(per_node));
        let gpus = job.gpus.div_ceil(per_node);
        // A job's node feature (an instance type) is a feature of that type's nodes only.
        let feature = job.single_feature();
        let pick = nodes
            .iter()
            .filter(|(c, m, _, g, t)| {
                *c >= cores && *m >= mem && *g >= gpus && feature.is_none_or(|f| f.eq_ignore_ascii_case(t))
            })
            .min_by_key(|(_, _, w, _, _)| *w)
            .map(|n| n.4.clone());
        if pick.as_deref() != Some(b.shape.as_str()) {
            differ
                .push(format!("{} ({} cores, {} MiB): priced {}, Slurm picks {:?}", job.id, cores, mem, b.shape, pick));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} jobs differ: {:?}",
        differ.len(),
        burst.jobs.len(),
        &differ[..differ.len().min(10)]
    );
}
