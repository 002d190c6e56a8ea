//! Times the HPC core on a sacct dump: read + parse, replay without a policy, replay with a burst
//! policy; prints one line per phase (`phase seconds`) and a short summary of the results.
//!
//! ```text
//! cargo run --release --example replay_bench -- SACCT.txt CLUSTER.toml [--mode all|parse|replay|burst] [--max-wait SECS]
//! ```
//!
//! `scripts/bench-hpc.sh` builds and runs it on a generated 1M-job history.

use std::process::ExitCode;
use std::time::Instant;

use rocklift::hpc::{parse_cluster_toml, parse_sacct, replay, BurstPolicy, CloudShape, ReplayResult};

/// CPU seconds (user + system) this process has used so far, from /proc/self/stat (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { return 0.0 };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

/// Run `f`, print `phase WALL_SECONDS CPU_SECONDS`, return its value.
fn timed<T>(phase: &str, f: impl FnOnce() -> T) -> T {
    let (t, c) = (Instant::now(), cpu_seconds());
    let v = f();
    println!("{phase} {:.3} {:.2}", t.elapsed().as_secs_f64(), cpu_seconds() - c);
    v
}

fn shapes() -> Vec<CloudShape> {
    let shape = |name: &str, vcpus: u32, gib: u64, gpus: u32, model: Option<&str>| CloudShape {
        name: name.to_owned(),
        vcpus,
        memory_mib: gib * 1024,
        gpus,
        gpu_model: model.map(str::to_owned),
    };
    vec![
        shape("c7i.16xlarge", 64, 128, 0, None),
        shape("m7i.16xlarge", 64, 256, 0, None),
        shape("r7i.16xlarge", 64, 512, 0, None),
        shape("x2iedn.32xlarge", 128, 4096, 0, None),
        shape("p4d.24xlarge", 96, 1152, 8, Some("a100")),
    ]
}

fn summary(label: &str, r: &ReplayResult) {
    println!(
        "# {label}: {} jobs replayed, wait p50 {} s, p95 {} s, max {} s, mean {:.0} s, utilisation {:.3}, unrunnable {}",
        r.waits.jobs,
        r.waits.p50,
        r.waits.p95,
        r.waits.max,
        r.waits.mean,
        r.utilisation,
        r.unrunnable.len()
    );
    if let Some(a) = &r.accuracy {
        println!(
            "# {label}: vs recorded starts: mean |diff| {:.0} s, median {} s, within 5 min {:.3}",
            a.mean_abs_start_diff, a.median_abs_start_diff, a.within_5_min
        );
    }
    if let Some(b) = &r.burst {
        println!(
            "# {label}: {} jobs burst, peak cloud nodes {}, p99 {}, by reason {:?}, not burstable {:?}, kept on-prem but over max_wait {}",
            b.jobs.len(),
            b.nodes.peak,
            b.nodes.p99,
            b.by_reason,
            b.not_burstable,
            b.on_prem_over_max_wait
        );
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut mode = "all".to_owned();
    let mut max_wait: i64 = 3600;
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--mode" => mode = it.next().cloned().unwrap_or_default(),
            "--max-wait" => max_wait = it.next().and_then(|v| v.parse().ok()).unwrap_or(3600),
            _ => files.push(a.clone()),
        }
    }
    let [sacct_path, cluster_path] = files.as_slice() else {
        eprintln!("usage: replay_bench SACCT.txt CLUSTER.toml [--mode all|parse|replay|burst] [--max-wait SECS]");
        return ExitCode::from(2);
    };
    println!("# phase wall_seconds cpu_seconds");
    let Some(text) = timed("read", || match std::fs::read_to_string(sacct_path) {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!("{sacct_path}: {e}");
            None
        }
    }) else {
        return ExitCode::FAILURE;
    };
    let cluster_text = std::fs::read_to_string(cluster_path).unwrap_or_default();
    let cluster = match parse_cluster_toml(cluster_path, &cluster_text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let history = match timed("parse", || parse_sacct(sacct_path, &text)) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    drop(text);
    println!("# {} jobs, {} lines skipped: {:?}", history.jobs.len(), history.skipped_lines(), history.skipped);
    if mode == "all" || mode == "replay" {
        let r = timed("replay", || replay(&cluster, &history.jobs, None));
        summary("replay", &r);
    }
    if mode == "all" || mode == "burst" {
        let policy =
            BurstPolicy { max_wait: Some(max_wait), partitions: Vec::new(), shapes: shapes(), boot_seconds: 300 };
        let r = timed("replay_burst", || replay(&cluster, &history.jobs, Some(&policy)));
        summary("burst", &r);
    }
    ExitCode::SUCCESS
}
