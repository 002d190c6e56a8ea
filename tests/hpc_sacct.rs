//! The sacct parser against the real dumps in tests/fixtures/slurm (from
//! aws-samples/hpc-cost-simulator), job by job against that project's expected parse
//! (`*_exp_jobs.csv`), and against hand-made fixtures for the header format and the awkward cases.

use std::collections::BTreeMap;

use rocklift::hpc::sacct::NOHEADER_FIELDS;
use rocklift::hpc::time::format_timestamp;
use rocklift::hpc::{parse_sacct, parse_sacct_with, Job, JobHistory, SacctFormat, SacctOptions};
use rocklift::Error;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slurm/");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hpc/");

fn sample(name: &str) -> String {
    std::fs::read_to_string(format!("{SAMPLES}{name}")).unwrap_or_else(|e| panic!("cannot read sample {name}: {e}"))
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{name}")).unwrap_or_else(|e| panic!("cannot read fixture {name}: {e}"))
}

fn parse_ok(name: &str, text: &str) -> JobHistory {
    parse_sacct(name, text).unwrap_or_else(|e| panic!("{name} should parse: {e}"))
}

fn lenient(name: &str, text: &str) -> JobHistory {
    parse_sacct_with(name, text, &SacctOptions { skip_malformed: true })
        .unwrap_or_else(|e| panic!("{name} should parse leniently: {e}"))
}

fn skipped(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn problems(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(p) => p.iter().map(ToString::to_string).collect(),
        other => panic!("expected Error::Invalid, got {other}"),
    }
}

/// Seconds of a Python `timedelta` as str() prints it: `0:05:01`, `1 day, 2:03:04`.
fn timedelta(s: &str) -> i64 {
    let (days, hms) = match s.split_once(", ") {
        Some((d, rest)) => (d.split(' ').next().and_then(|n| n.parse::<i64>().ok()).expect("days"), rest),
        None => (0, s),
    };
    let parts: Vec<i64> =
        hms.split(':').map(|p| p.split('.').next().and_then(|x| x.parse().ok()).expect("number")).collect();
    days * 86_400 + parts[0] * 3600 + parts[1] * 60 + parts[2]
}

/// Compare every job with the expected CSV row in the same position; returns the mismatches.
fn mismatches(history: &JobHistory, exp_csv: &str) -> Vec<String> {
    let mut rdr = csv::Reader::from_reader(exp_csv.as_bytes());
    let header = rdr.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    let mut out = Vec::new();
    if rows.len() != history.jobs.len() {
        out.push(format!("{} jobs parsed, {} expected", history.jobs.len(), rows.len()));
        return out;
    }
    for (job, row) in history.jobs.iter().zip(&rows) {
        let get = |name: &str| row.get(col(name)).unwrap_or("").to_owned();
        let mut check = |what: &str, ours: String, theirs: String| {
            if ours != theirs {
                out.push(format!("job {} {what}: ours {ours}, expected {theirs}", job.id));
            }
        };
        check("job_id", job.id.clone(), get("job_id"));
        check("num_cores", job.cores.to_string(), get("num_cores"));
        check("num_hosts", job.nodes.to_string(), get("num_hosts"));
        let gb: f64 = get("max_mem_gb").parse().expect("max_mem_gb");
        check("max_mem_gb", format!("{}", job.memory_mib as f64 / 1024.0), format!("{gb}"));
        check("submit_time", format_timestamp(job.submit), get("submit_time"));
        check("eligible_time", format_timestamp(job.eligible), get("eligible_time"));
        check("start_time", format_timestamp(job.start), get("start_time"));
        check("finish_time", format_timestamp(job.end), get("finish_time"));
        check("run_time", job.elapsed.to_string(), timedelta(&get("run_time")).to_string());
        check("wait_time", job.recorded_wait().to_string(), timedelta(&get("wait_time")).to_string());
        check(
            "ineligible_pend_time",
            (job.eligible - job.submit).to_string(),
            timedelta(&get("ineligible_pend_time")).to_string(),
        );
        check("queue", job.partition.as_deref().unwrap_or("").to_owned(), get("queue"));
    }
    out
}

#[test]
fn sacct_v2_agrees_with_expected_jobs_job_by_job() {
    let h = parse_ok("sacct-output-v2.txt", &sample("sacct-output-v2.txt"));
    assert_eq!(h.format, SacctFormat::NoHeader);
    assert_eq!(h.jobs.len(), 483);
    let bad = mismatches(&h, &sample("exp_jobs-v2.csv"));
    assert!(bad.is_empty(), "{} mismatches:\n{}", bad.len(), bad.join("\n"));
    // 878 lines: 483 jobs and 395 .batch steps; the file ends without a blank line.
    assert_eq!(h.skipped, skipped(&[("job step (folded into its job)", 395)]));
    // Partition is given on 16 job lines (26 fields); the other lines have 25.
    assert_eq!(h.jobs.iter().filter(|j| j.partition.is_some()).count(), 16);
    // Jobs that got no allocation are kept (the expected CSV lists them) but marked: 50 CANCELLED
    // and 10 FAILED with AllocNodes 0, and 36 CANCELLED with Elapsed 0 (cancelled as they started).
    let not_allocated: Vec<&Job> = h.jobs.iter().filter(|j| !j.allocated).collect();
    assert_eq!(not_allocated.len(), 96);
    assert!(not_allocated.iter().all(|j| j.elapsed == 0 && j.start == j.end));
    assert_eq!(not_allocated.iter().filter(|j| &*j.state == "FAILED").count(), 10);
    // Job lines by state (counted with awk on the job lines; the README counts steps too).
    let states: BTreeMap<&str, usize> = h.jobs.iter().fold(BTreeMap::new(), |mut m, j| {
        *m.entry(&*j.state).or_insert(0) += 1;
        m
    });
    assert_eq!(states, BTreeMap::from([("CANCELLED", 91), ("COMPLETED", 2), ("FAILED", 129), ("OUT_OF_MEMORY", 261)]));
}

#[test]
fn sacct_v1_is_v2_without_partitions() {
    let v1 = parse_ok("sacct-output-v1.txt", &sample("sacct-output-v1.txt"));
    let v2 = parse_ok("sacct-output-v2.txt", &sample("sacct-output-v2.txt"));
    assert_eq!(v1.jobs.len(), v2.jobs.len());
    for (a, b) in v1.jobs.iter().zip(&v2.jobs) {
        assert_eq!(a.partition, None);
        let mut b = b.clone();
        b.partition = None;
        assert_eq!(*a, b);
    }
}

#[test]
fn array_tasks_agree_with_expected_jobs() {
    let h = parse_ok("array_sacct-output.txt", &sample("array_sacct-output.txt"));
    let bad = mismatches(&h, &sample("array_exp_jobs.csv"));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(
        h.jobs.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        ["846_0", "846_1", "846_2", "846_3", "846_4", "846_5", "846_6", "846_7"]
    );
    // Line 1 is blank, lines 2-4 are comments.
    assert_eq!(h.skipped, skipped(&[("blank line", 1), ("comment line", 3), ("job step (folded into its job)", 8)]));
    // Peak memory from the .batch step's MaxRSS 6953016K = 6790.05 MiB, rounded up.
    assert_eq!(h.jobs[0].peak_rss_mib, Some(6791));
    assert_eq!(h.jobs[0].memory_mib, 30_512);
}

#[test]
fn multi_node_job_agrees_with_expected_jobs() {
    let h = parse_ok("multi-node_sacct-output.txt", &sample("multi-node_sacct-output.txt"));
    let bad = mismatches(&h, &sample("multi-node_exp_jobs.csv"));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // ReqNodes says 1 but AllocNodes 4: the allocation counts. ReqMem 30512M (no c/n letter) is the
    // job's total, as the expected CSV has it (29.796875 GB), not 4 × 30512M.
    let j = &h.jobs[0];
    assert_eq!((j.cores, j.nodes, j.memory_mib), (4, 4, 30_512));
}

#[test]
fn gl20_reports_its_four_broken_lines_and_matches_expected_jobs_when_skipping_them() {
    let text = sample("issues_gl-20_sacct-output.txt");
    let err = parse_sacct("issues_gl-20_sacct-output.txt", &text).expect_err("the dump has 4 corrupt lines");
    assert_eq!(
        problems(err),
        [
            "issues_gl-20_sacct-output.txt:6: column 'ReqMem': '100Mcd' is not a memory size such as 4G, 100Mc (per CPU) or 0.5Gn (per node)",
            "issues_gl-20_sacct-output.txt:15: column 'MaxDiskRead': '0.07Mnz' is not a size or count such as 0.07M or 15160",
            "issues_gl-20_sacct-output.txt:22: 24 fields; expected 25 or 26 (State|JobID|...|TotalCPU[|Partition]); is the line cut short?",
            "issues_gl-20_sacct-output.txt:31: 24 fields; expected 25 or 26 (State|JobID|...|TotalCPU[|Partition]); is the line cut short?",
        ]
    );
    let h = lenient("issues_gl-20_sacct-output.txt", &text);
    let bad = mismatches(&h, &sample("issues_gl-20_exp_jobs.csv"));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert_eq!(h.problems.len(), 4);
    assert_eq!(
        h.skipped,
        skipped(&[
            ("blank line", 10),
            ("comment line", 11),
            // 67108866 (bad ReqMem) and 67108870 (cut short) lose their job line; their .batch steps follow.
            ("job step of a skipped job", 2),
            ("job step (folded into its job)", 6),
            // 67108868 and 67108872 have a broken .batch line: the job is dropped with it.
            ("job with a malformed step line", 2),
            ("malformed line", 4),
        ])
    );
    // `100M` without a c/n letter (67108874) is the job total: 100 MiB, like `100Mc` on 1 CPU.
    assert!(h.jobs.iter().all(|j| j.memory_mib == 100));
}

#[test]
fn issue_dumps_parse_with_every_line_counted() {
    // (file, jobs, skipped lines by reason)
    type Case<'a> = (&'a str, usize, &'a [(&'a str, u64)]);
    let cases: [Case; 5] = [
        (
            "issues_17_sacct-output.txt",
            1,
            &[
                ("blank line", 3),
                ("comment line", 4),
                ("job step (folded into its job)", 1),
                // 2346371.extern without its job line.
                ("job step without its job line", 1),
                ("never started (CANCELLED)", 1),
            ],
        ),
        ("issues_5_sacct-output.txt", 0, &[("blank line", 2), ("comment line", 6), ("never started (PENDING)", 1)]),
        ("issues_59_sacct-output.txt", 1, &[("blank line", 1), ("job step (folded into its job)", 1)]),
        (
            "issues_61_sacct-output.txt",
            0,
            &[("blank line", 2), ("never started (CANCELLED)", 1), ("never started (INVALID)", 1)],
        ),
        ("issues_63_sacct-output.txt", 0, &[("blank line", 1), ("job step without its job line", 1)]),
    ];
    for (name, jobs, skips) in cases {
        let text = sample(name);
        let h = parse_ok(name, &text);
        assert_eq!(h.jobs.len(), jobs, "{name}");
        assert_eq!(h.skipped, skipped(skips), "{name}");
        let lines = text.strip_suffix('\n').unwrap_or(&text).split('\n').count() as u64;
        assert_eq!(h.skipped_lines() + h.jobs.len() as u64, lines, "{name}: every line is a job or counted");
    }
    // issue 17: ReqMem `0n` is 0 per node: no memory recorded; the peak comes from the .batch step.
    let h = parse_ok("issues_17", &sample("issues_17_sacct-output.txt"));
    let j = &h.jobs[0];
    assert_eq!(
        (j.id.as_str(), j.memory_mib, j.peak_rss_mib, j.cores, j.elapsed),
        ("2346372", 0, Some(241), 8, 31 * 60 + 1)
    );
    // issue 59: a NODE_FAIL job ran (20 min 32 s) and counts; its step is CANCELLED.
    let h = parse_ok("issues_59", &sample("issues_59_sacct-output.txt"));
    let j = &h.jobs[0];
    assert_eq!(
        (&*j.state, j.partition.as_deref(), j.memory_mib, j.elapsed),
        ("NODE_FAIL", Some("us-east-1a_all"), 14_947, 1232)
    );
}

#[test]
fn header_format_with_tres_gpus_steps_arrays_and_odd_states() {
    let h = parse_ok("header.txt", &fixture("sacct-header.txt"));
    assert_eq!(
        h.format,
        SacctFormat::Header {
            columns: [
                "JobID",
                "JobName",
                "State",
                "Partition",
                "Submit",
                "Eligible",
                "Start",
                "End",
                "Elapsed",
                "NCPUS",
                "NNodes",
                "ReqMem",
                "ReqTRES",
                "AllocTRES",
                "MaxRSS"
            ]
            .map(String::from)
            .to_vec()
        }
    );
    assert_eq!(h.ignored_columns, ["JobName"]);
    let by_id = |id: &str| h.jobs.iter().find(|j| j.id == id).unwrap_or_else(|| panic!("job {id}"));
    // A GPU job: AllocTRES gres/gpu:a100=4 (typed and untyped both given), memory from AllocTRES mem=.
    let g = by_id("5001");
    assert_eq!((g.cores, g.nodes, g.gpus, g.gpu_model.as_deref(), g.memory_mib), (32, 1, 4, Some("a100"), 262_144));
    assert_eq!(g.partition.as_deref(), Some("gpu"));
    // Steps fold in: the largest MaxRSS of .batch (2G) and .0 (3500M).
    assert_eq!(g.peak_rss_mib, Some(3500));
    // Multi-node MPI job: 128 cores on 2 nodes, 2 days 1 hour.
    let m = by_id("5002");
    assert_eq!((m.cores, m.nodes, m.elapsed, m.memory_mib), (128, 2, 2 * 86_400 + 3600, 2 * 192 * 1024));
    // An array task with a per-CPU request (ReqMem 4000Mc × 8 CPUs) and no AllocTRES mem.
    let a = by_id("5003_7");
    assert_eq!((a.cores, a.memory_mib, a.gpus), (8, 32_000, 0));
    // `CANCELLED by 1234` after running 10 minutes: kept; state is the first word.
    let c = by_id("5004");
    assert_eq!((&*c.state, c.elapsed, c.allocated), ("CANCELLED", 600, true));
    // Eligible later than Submit (a dependency): the wait counts from Eligible.
    let d = by_id("5006");
    assert_eq!((d.eligible - d.submit, d.recorded_wait()), (3600, 120));
    assert_eq!(h.jobs.len(), 5);
    assert_eq!(
        h.skipped,
        skipped(&[
            ("comment line", 1),
            ("header line", 1),
            ("job step (folded into its job)", 4),
            ("never started (PENDING)", 2),
            ("still running (End unknown)", 1),
        ])
    );
}

#[test]
fn header_without_needed_fields_names_exactly_the_missing_ones() {
    let text = "JobID|State|Partition|Elapsed|ReqMem\n1|COMPLETED|batch|00:01:00|1G\n";
    let p = problems(parse_sacct("few.txt", text).expect_err("missing fields"));
    assert_eq!(
        p,
        ["few.txt:1: the header lacks fields the replay needs: Submit, Start, a CPU count (NCPUS, AllocCPUS, ReqCPUS, \
          AllocTRES or ReqTRES), a node count (AllocNodes, NNodes, ReqNodes, AllocTRES or ReqTRES); run sacct with \
          --format=JobID,State,Partition,Submit,Eligible,Start,End,Elapsed,NCPUS,NNodes,ReqMem,AllocTRES"]
    );
}

#[test]
fn req_mem_letters_scale_by_cpus_or_nodes_and_units_are_binary() {
    let line = |req_mem: &str, cpus: u32, nodes: u32| {
        format!(
            "COMPLETED|77|{cpus}|{req_mem}|{nodes}||2024-01-01T00:00:00|2024-01-01T00:00:00|2024-01-01T00:00:10|00:01:00|00:00:00|2024-01-01T00:01:10|0:0|0:0|{nodes}|{cpus}||||||00:01:00|00:00.000|00:00.000|00:00.000|batch\n"
        )
    };
    let mem = |req_mem: &str, cpus: u32, nodes: u32| parse_ok("m", &line(req_mem, cpus, nodes)).jobs[0].memory_mib;
    assert_eq!(mem("2000Mc", 8, 1), 16_000);
    assert_eq!(mem("1.5Gn", 64, 4), 4 * 1536);
    assert_eq!(mem("64G", 64, 4), 65_536);
    assert_eq!(mem("512K", 1, 1), 1);
    assert_eq!(mem("1T", 1, 1), 1 << 20);
    assert_eq!(mem("4096", 1, 1), 4096);
    assert_eq!(mem("0n", 1, 1), 0);
}

#[test]
fn malformed_lines_are_located_and_capped() {
    let good = "COMPLETED|1|1|1G|1||2024-01-01T00:00:00|2024-01-01T00:00:00|2024-01-01T00:00:05|00:00:10|00:00:00|2024-01-01T00:00:15|0:0|0:0|1|1||||||00:00:10|00:00.000|00:00.000|00:00.000";
    let text = format!(
        "{good}\n{}\n{}\n{}\n{}\n",
        good.replace("2024-01-01T00:00:05", "2024-01-01T25:00:05"),
        good.replace("|00:00:10|00:00:00|", "|ten|00:00:00|"),
        good.replace("|1|1||||||", "|1|x||||||"),
        good.replace("|1|1G|", "|1|1Q|"),
    );
    assert_eq!(
        problems(parse_sacct("bad.txt", &text).expect_err("bad")),
        [
            "bad.txt:2: column 'Start': '2024-01-01T25:00:05' is not a time such as 2022-02-18T17:32:41",
            "bad.txt:3: column 'Elapsed': 'ten' is not a duration [DD-][HH:]MM:SS",
            "bad.txt:4: column 'NCPUS': 'x' is not a whole number",
            "bad.txt:5: column 'ReqMem': '1Q' is not a memory size such as 4G, 100Mc (per CPU) or 0.5Gn (per node)",
        ]
    );
    // 150 broken lines: 100 listed, then one line counting the rest.
    let many: String = (0..150).map(|_| "COMPLETED|1|2\n").collect();
    let p = problems(parse_sacct("many.txt", &many).expect_err("bad"));
    assert_eq!(p.len(), 101);
    assert_eq!(p[100], "many.txt: ... and 50 more problems");
    // Not --parsable2 at all.
    let p = problems(parse_sacct("table.txt", "JobID    State\n------- -------\n").expect_err("table"));
    assert_eq!(
        p,
        ["table.txt:1: no '|' between fields: this is not `sacct --parsable2` output (run sacct with --parsable2)"]
    );
}

#[test]
fn noheader_field_order_is_the_documented_one() {
    assert_eq!(NOHEADER_FIELDS.join("|"), "State|JobID|ReqCPUS|ReqMem|ReqNodes|Constraints|Submit|Eligible|Start|Elapsed|Suspended|End|ExitCode|DerivedExitCode|AllocNodes|NCPUS|MaxDiskRead|MaxDiskWrite|MaxPages|MaxRSS|MaxVMSize|CPUTime|UserCPU|SystemCPU|TotalCPU|Partition");
}

#[test]
fn crlf_bom_and_a_trailing_parsable_bar_are_accepted() {
    let line = "COMPLETED|9|2|2G|1||2024-03-01T10:00:00|2024-03-01T10:00:00|2024-03-01T10:05:00|1-00:00:00|00:00:00|2024-03-02T10:05:00|0:0|0:0|1|2||||||2-00:00:00|00:00.000|00:00.000|00:00.000|batch|";
    let h = parse_ok("crlf.txt", &format!("\u{feff}{line}\r\n\r\n"));
    assert_eq!(h.jobs.len(), 1);
    assert_eq!((h.jobs[0].elapsed, h.jobs[0].memory_mib, h.jobs[0].recorded_wait()), (86_400, 2048, 300));
    assert_eq!(h.skipped, skipped(&[("blank line", 1)]));
}
