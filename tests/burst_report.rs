//! The burst report as a user gets it from `rocklift burst --out DIR`: golden report.md for the hand-made history and
//! a real sacct sample, every number shown in report.html and report.md traced to burst.json, `rocklift report
//! burst.json` re-rendering exactly what `burst` wrote, the wait histogram matching waits replayed independently in
//! the test, the node timeline's peak being the recommended maximum, and nothing loaded by the page.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::{golden, run, run_in, stderr};
use rocklift::hpc::replay::{BurstJob, BurstReason, BurstSummary};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

const CLUSTER: &str = "tests/fixtures/hpc/burst/cluster.toml";
const JOBS: &str = "tests/fixtures/hpc/burst/jobs.txt";
/// The real sample (tests/fixtures/slurm): 878 lines of a real cluster's sacct output (483 jobs), on the one 4-core node of the burst
/// fixture, so that jobs wait and burst.
const SAMPLE: &str = "sacct-output-v1.txt";
const SAMPLE_CLUSTER: &str = "tests/fixtures/hpc/burst/cluster.toml";

/// The wait buckets as the report documents them: upper bounds (exclusive), seconds; the last is open.
const BOUNDS: [Option<i64>; 7] = [Some(1), Some(60), Some(600), Some(3600), Some(21_600), Some(86_400), None];

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `rocklift burst` on the hand-made history (in the repo) with `--out`; the temp folder and the output folder.
fn small() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = run(&["burst", "--cluster", CLUSTER, "--jobs", JOBS, "--out", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (dir, out)
}

/// `rocklift burst` on the real sample, copied with the cluster into a temp folder so the report names them by
/// relative paths (the golden file must not hold a machine's folders).
fn sample(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(common::repo().join("tests/fixtures/slurm").join(SAMPLE), dir.path().join(SAMPLE)).expect("copy sample");
    fs::copy(common::repo().join(SAMPLE_CLUSTER), dir.path().join("cluster.toml")).expect("copy cluster");
    let mut args = vec!["burst", "--cluster", "cluster.toml", "--jobs", SAMPLE, "--skip-malformed", "--out", "out"];
    args.extend_from_slice(extra);
    let o = run_in(dir.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.path().join("out");
    (dir, out)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("burst.json parses")
}

#[test]
fn small_history_report_md_golden() {
    let (_t, out) = small();
    golden("burst-small/report.md", &read(&out, "report.md"));
}

#[test]
fn shared_sample_report_md_golden() {
    let (_t, out) = sample(&[]);
    golden("burst-sacct-v1/report.md", &read(&out, "report.md"));
}

// ---- Shown values, written independently of the library. ----

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `$1,234.57`: two places, half away from zero, thousands grouped.
fn usd(v: Decimal) -> String {
    let r = v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{:.2}", r.abs());
    let (int, frac) = s.split_once('.').expect("two places");
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}${grouped}.{frac}", if r.is_sign_negative() && !r.is_zero() { "-" } else { "" })
}

/// Seconds as `H:MM:SS`.
fn hms(s: i64) -> String {
    format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

fn shown(f: &str, v: &str, pointer: &str) -> String {
    match f {
        "usd" => usd(d(v)),
        "int" | "text" => v.to_owned(),
        "dec1" => d(v).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero).normalize().to_string(),
        "rate" => format!("${}", d(v).normalize()),
        "hms" => hms(v.parse().unwrap_or_else(|e| panic!("{pointer}: {v}: {e}"))),
        "key" => pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~"),
        other => panic!("{pointer}: unknown format {other}"),
    }
}

fn value_text(doc: &Value, pointer: &str) -> String {
    match doc.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => panic!("{pointer}: not a string or number: {other}"),
        None => panic!("{pointer}: not in burst.json"),
    }
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(decode(&tag[start..end]))
}

const VOID: [&str; 6] = ["meta", "link", "br", "img", "input", "hr"];

/// Walk report.html: every element with `data-p` must show the burst.json value at that pointer in its format, and
/// no digit may appear in text outside such an element, a `data-const` label, or a `<title>`. The pointers checked.
fn check_html(html: &str, doc: &Value) -> Vec<String> {
    // (name, data-p, data-v, data-f, data-const?, text)
    type Open = (String, Option<(String, String, String)>, bool, String);
    let mut stack: Vec<Open> = Vec::new();
    let (mut checked, mut stray) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with('<') {
            let end = i + rest.find('>').expect("tag end");
            let tag = &html[i + 1..end];
            i = end + 1;
            if tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let (open, cell, _, text) = stack.pop().expect("an open element");
                assert_eq!(open, name.trim(), "tags nest");
                if let Some((p, v, f)) = cell {
                    if f == "key" {
                        assert!(doc.pointer(&p).is_some(), "{p}: not in burst.json");
                    } else {
                        assert_eq!(v, value_text(doc, &p), "{p}: data-v differs from burst.json");
                    }
                    assert_eq!(text, shown(&f, &v, &p), "{p} ({f}): shown text differs from burst.json's {v}");
                    checked.push(p);
                }
                continue;
            }
            let name = tag.split(char::is_whitespace).next().unwrap_or_default().trim_end_matches('/').to_owned();
            if name == "script" || name == "style" {
                let close = format!("</{name}>");
                i += html[i..].find(&close).expect("raw text end") + close.len();
                continue;
            }
            if !(tag.ends_with('/') || VOID.contains(&name.as_str())) {
                let cell = attr(tag, "data-p")
                    .map(|p| (p, attr(tag, "data-v").expect("data-v"), attr(tag, "data-f").expect("data-f")));
                stack.push((name, cell, attr(tag, "data-const").is_some(), String::new()));
            }
        } else {
            let next = rest.find('<').map_or(html.len(), |n| i + n);
            let text = decode(&html[i..next]);
            i = next;
            let labelled = stack.iter().any(|e| e.1.is_some() || e.2);
            let in_title = stack.iter().any(|e| e.0 == "title");
            if let Some(e) = stack.iter_mut().rev().find(|e| e.1.is_some()) {
                e.3.push_str(&text);
            }
            if !labelled && !in_title && text.chars().any(|c| c.is_ascii_digit()) {
                stray.push(text.trim().to_owned());
            }
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {:?}", stack.iter().map(|e| &e.0).collect::<Vec<_>>());
    assert!(stray.is_empty(), "numbers shown that are not traced to burst.json: {stray:?}");
    checked
}

/// Numbers as they stand in text: runs of digits (with `.`, `,` and `:` inside) not part of a word.
fn number_tokens(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        if chars[i].is_ascii_digit() && !(prev.is_alphanumeric() || prev == '_') {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || ".,:".contains(chars[i])) {
                i += 1;
            }
            let mut tok: String = chars[start..i].iter().collect();
            while tok.ends_with(['.', ',', ':']) {
                tok.pop();
            }
            if !chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                out.push(tok);
            }
            continue;
        }
        i += 1;
    }
    out
}

/// Every number burst.json holds, in the forms a report shows: as written, to one place, to cents, whole seconds
/// as `H:MM:SS`, and the numbers inside its texts.
fn doc_numbers(v: &Value, set: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            if let Ok(x) = s.parse::<Decimal>() {
                set.insert(s.clone());
                set.insert(x.normalize().to_string());
                set.insert(shown("dec1", s, ""));
                set.insert(usd(x).trim_start_matches('$').to_owned());
            }
            for t in number_tokens(s) {
                set.insert(t);
            }
        }
        Value::Number(n) => {
            set.insert(n.to_string());
            if let Some(i) = n.as_i64() {
                set.insert(hms(i));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| doc_numbers(x, set)),
        Value::Object(o) => o.values().for_each(|x| doc_numbers(x, set)),
        _ => {}
    }
}

/// Every number in report.md is one burst.json holds (the report's own words name 95th and 99% percentiles).
fn check_md(md: &str, doc: &Value) -> usize {
    let mut set: BTreeSet<String> = ["95", "99"].map(String::from).into();
    doc_numbers(doc, &mut set);
    let unescaped: String = {
        let mut s = String::new();
        let mut chars = md.chars();
        while let Some(c) = chars.next() {
            s.push(if c == '\\' { chars.next().unwrap_or(c) } else { c });
        }
        s
    };
    let tokens = number_tokens(&unescaped);
    let unknown: Vec<&String> = tokens.iter().filter(|t| !set.contains(*t)).collect();
    assert!(unknown.is_empty(), "numbers in report.md that burst.json does not hold: {unknown:?}");
    tokens.len()
}

#[test]
fn every_number_in_the_reports_is_the_one_in_burst_json() {
    for (name, (_t, out)) in [("small", small()), ("sample", sample(&[])), ("sample spot", sample(&["--spot"]))] {
        let doc = json(&read(&out, "burst.json"));
        let html = read(&out, "report.html");
        let checked = check_html(&html, &doc);
        // Two charts, each drawn twice (wide and narrow layouts).
        assert_eq!(html.matches("<svg data-chart=").count(), 4, "{name}");
        for p in [
            "/history/jobs",
            "/burst_jobs",
            "/before/waits/p50",
            "/before/waits/p95",
            "/before/waits/max",
            "/after/waits/p50",
            "/after/waits/p95",
            "/after/waits/max",
            "/cost/average_monthly_usd",
            "/max_cloud_nodes",
            "/cost/months/0/total_usd",
            "/wait_histogram/0/before",
            "/wait_histogram/6/after",
            "/pricing/data_date",
            "/history/file",
        ] {
            assert!(checked.iter().any(|c| c == p), "{name}: {p} not shown");
        }
        // Node-hours per type per month: every one in burst.json is shown.
        for (i, m) in doc["cost"]["months"].as_array().expect("months").iter().enumerate() {
            for ty in m["node_hours"].as_object().expect("node hours").keys() {
                let p = format!("/cost/months/{i}/node_hours/{ty}");
                assert!(checked.contains(&p), "{name}: {p} not shown");
            }
        }
        for reason in doc["history"]["skipped_lines"].as_object().expect("skipped").keys() {
            let p = format!("/history/skipped_lines/{reason}");
            assert!(checked.contains(&p), "{name}: {p} not shown");
        }
        let md = read(&out, "report.md");
        assert!(check_md(&md, &doc) > 40, "{name}: few numbers in report.md");
        let date = doc["pricing"]["data_date"].as_str().expect("date");
        assert!(md.contains(&format!("data date {date}")), "{name}: report.md names the pricing date");
    }
}

#[test]
fn the_checkers_catch_a_number_not_in_burst_json() {
    let (_t, out) = small();
    let doc = json(&read(&out, "burst.json"));
    let html = read(&out, "report.html");
    let tampered = html.replacen(">1:59:00<", ">1:58:00<", 1);
    assert_ne!(tampered, html);
    assert!(std::panic::catch_unwind(|| check_html(&tampered, &doc)).is_err());
    let stray = html.replacen("<h2>Cloud nodes over time</h2>", "<h2>Cloud nodes over 12 days</h2>", 1);
    assert!(std::panic::catch_unwind(|| check_html(&stray, &doc)).is_err());
    let md = read(&out, "report.md") + "\nAbout 17 nodes.\n";
    assert!(std::panic::catch_unwind(|| check_md(&md, &doc)).is_err());
}

#[test]
fn report_rerenders_what_burst_wrote() {
    for (_t, out) in [small(), sample(&["--spot"])] {
        let burst_json = out.join("burst.json");
        let p = burst_json.to_str().expect("utf8");
        for (format, file) in [("md", "report.md"), ("html", "report.html"), ("json", "burst.json")] {
            let o = run(&["report", p, "--format", format]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert!(o.stdout == read(&out, file).as_bytes(), "report --format {format} differs from {file}");
        }
        let again = out.join("again.html");
        let o = run(&["report", p, "--out", again.to_str().expect("utf8")]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(read(&out, "again.html"), read(&out, "report.html"));
        // A burst plan has no CSV form: bad usage.
        let o = run(&["report", p, "--format", "csv"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("a burst plan has no CSV form"), "{}", stderr(&o));
    }
    // A burst.json without the report's fields is bad data naming the file and line.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("burst.json");
    fs::write(&bad, "{\n  \"schema\": \"rocklift.burst/v2\",\n  \"burst_jobs\": 1\n}\n").expect("write");
    let o = run(&["report", bad.to_str().expect("utf8"), "--format", "md"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("burst.json:4: column 1: not a rocklift burst plan"), "{}", stderr(&o));
}

/// Jobs per bucket of `BOUNDS`.
fn bucket(waits: impl Iterator<Item = i64>) -> [u64; 7] {
    let mut out = [0; 7];
    for w in waits {
        let i = BOUNDS.iter().position(|b| b.is_none_or(|b| w < b)).expect("last bucket is open");
        out[i] += 1;
    }
    out
}

fn histogram(doc: &Value, side: &str) -> [u64; 7] {
    let h = doc["wait_histogram"].as_array().expect("histogram");
    assert_eq!(h.len(), 7);
    let mut out = [0; 7];
    for (i, b) in h.iter().enumerate() {
        assert_eq!(b["below_s"].as_i64(), BOUNDS[i], "bucket {i} bound");
        out[i] = b[side].as_u64().expect("count");
    }
    out
}

#[test]
fn the_small_histogram_worked_out_by_hand() {
    let (_t, out) = small();
    let doc = json(&read(&out, "burst.json"));
    // On-prem only: jobs 1 and 3 start at once, job 2 waits 7140 s (under 6 h).
    assert_eq!(histogram(&doc, "before"), [2, 0, 0, 0, 1, 0, 0]);
    // With bursting job 2 waits for its node's 300 s boot (under 10 min).
    assert_eq!(histogram(&doc, "after"), [2, 0, 1, 0, 0, 0, 0]);
    let labels: Vec<&str> =
        doc["wait_histogram"].as_array().expect("h").iter().filter_map(|b| b["label"].as_str()).collect();
    assert_eq!(labels, ["0 s", "< 1 min", "< 10 min", "< 1 h", "< 6 h", "< 24 h", "≥ 24 h"]);
    // Job 2 runs in the cloud from 08:06 to 09:06: two hourly buckets from 08:00, one node in each.
    let t = &doc["cloud_nodes_over_time"];
    assert_eq!(t["bucket_s"], 3600);
    assert_eq!(t["start"], "2026-01-05T08:00:00");
    assert_eq!(t["max_nodes"], serde_json::json!([1, 1]));
    assert_eq!(t["by_type"]["c6a.xlarge"], serde_json::json!([1, 1]));
}

#[test]
fn the_histogram_matches_waits_replayed_in_the_test() {
    use rocklift::hpc::{parse_cluster_toml, parse_sacct_with, replay, BurstPolicy, SacctOptions};
    let (_t, out) = sample(&[]);
    let doc = json(&read(&out, "burst.json"));
    // The same replays through the library, with the CLI's defaults: 1 h max wait, 5 min boot, every current x86
    // type priced in us-east-1 in the embedded snapshot.
    let cluster_text = read(&common::repo(), SAMPLE_CLUSTER);
    let cluster = parse_cluster_toml("cluster.toml", &cluster_text).expect("cluster");
    let text = fs::read_to_string(common::repo().join("tests/fixtures/slurm").join(SAMPLE)).expect("sample");
    let history = parse_sacct_with(SAMPLE, &text, &SacctOptions { skip_malformed: true }).expect("history");
    let snapshot = rocklift::pricing::Snapshot::embedded().expect("snapshot");
    let pricing = rocklift::estimate::LoadedPricing::load(snapshot, "us-east-1").expect("pricing");
    let shapes = rocklift::hpc::cost::candidate_shapes(&pricing.catalog, &pricing.prices, false, &|_| true);
    // Plus the instance types jobs ask for as node features (`--constraint=m5.large`), as the CLI adds them.
    let mut named: Vec<String> = history.jobs.iter().filter_map(|j| j.single_feature()).map(str::to_owned).collect();
    named.sort();
    named.dedup();
    let shapes = rocklift::hpc::cost::with_named_types(shapes, &pricing.catalog, &pricing.prices, false, &named);
    let policy = BurstPolicy {
        max_wait: Some(3600),
        partitions: vec![],
        shapes: shapes.iter().map(|s| s.shape.clone()).collect(),
        boot_seconds: 300,
    };
    let before = replay(&cluster, &history.jobs, None);
    let after = replay(&cluster, &history.jobs, Some(&policy));
    let waits = |r: &rocklift::hpc::ReplayResult| bucket(r.jobs.iter().filter_map(|j| j.wait));
    assert_eq!(histogram(&doc, "before"), waits(&before));
    assert_eq!(histogram(&doc, "after"), waits(&after));
    // Every replayed job is counted once on each side: the counts sum to the waits' job count, which with the jobs
    // too large for the cluster and those not replayed makes the history's job count.
    let jobs = doc["history"]["jobs"].as_u64().expect("jobs");
    for side in ["before", "after"] {
        let sum: u64 = histogram(&doc, side).iter().sum();
        assert_eq!(sum, doc[side]["waits"]["jobs"].as_u64().expect("waits jobs"), "{side}");
        let not_replayed: u64 =
            doc[side]["not_replayed"].as_object().expect("nr").values().map(|v| v.as_u64().expect("n")).sum();
        assert_eq!(sum + doc[side]["unrunnable"].as_u64().expect("u") + not_replayed, jobs, "{side}");
    }
    // The sample waits: something bursts, and bursting leaves no more jobs in the buckets of an hour and more.
    assert!(doc["burst_jobs"].as_u64().expect("burst") > 0);
    let long = |h: [u64; 7]| h[4..].iter().sum::<u64>();
    assert!(long(histogram(&doc, "after")) < long(histogram(&doc, "before")));
}

#[test]
fn the_timeline_peak_is_the_recommended_maximum() {
    for (name, (_t, out)) in [("small", small()), ("sample", sample(&[]))] {
        let doc = json(&read(&out, "burst.json"));
        let t = &doc["cloud_nodes_over_time"];
        let counts =
            |v: &Value| -> Vec<u64> { v.as_array().expect("counts").iter().map(|c| c.as_u64().expect("n")).collect() };
        let all = counts(&t["max_nodes"]);
        assert!(!all.is_empty() && all.len() <= 400, "{name}: {} buckets", all.len());
        assert_eq!(all.iter().max().copied(), doc["max_cloud_nodes"].as_u64(), "{name}");
        for n in doc["cloud_nodes"].as_array().expect("cloud nodes") {
            let ty = n["instance_type"].as_str().expect("type");
            let per = counts(&t["by_type"][ty]);
            assert_eq!(per.len(), all.len(), "{name} {ty}");
            assert_eq!(per.iter().max().copied(), n["max_nodes"].as_u64(), "{name} {ty}");
            // A type never has more nodes in a bucket than all types together.
            assert!(per.iter().zip(&all).all(|(p, a)| p <= a), "{name} {ty}");
        }
    }
}

fn job(start: i64, runtime_s: i64, nodes: u32, shape: &str) -> BurstJob {
    BurstJob { job: 0, shape: shape.into(), nodes, runtime_s, start, reason: BurstReason::PredictedWait }
}

#[test]
fn timeline_resolution_keeps_long_histories_small() {
    let day = 86_400;
    let t0 = 1_767_225_600; // 2026-01-01T00:00:00
                            // Two days: hourly buckets from the hour of the first start (01:00). A 2-node job 01:30-03:00 and a 1-node job
                            // 02:59-05:00 of another type: 3 nodes at once in the 02:00 bucket for its last minute only, which still counts
                            // as that bucket's most; the job of 4 nodes a day later is alone in its bucket.
    let s = BurstSummary {
        jobs: vec![job(t0 + 5400, 5400, 2, "a"), job(t0 + 10_740, 7260, 1, "b"), job(t0 + day + 3600, 60, 4, "a")],
        ..Default::default()
    };
    let t = s.node_timeline();
    assert_eq!((t.bucket_s, t.start.as_str()), (3600, "2026-01-01T01:00:00"));
    assert_eq!(t.max_nodes.len(), 25);
    assert_eq!(&t.max_nodes[..5], &[2, 3, 1, 1, 0]);
    assert_eq!(t.max_nodes[24], 4);
    assert_eq!(&t.by_type["a"][..5], &[2, 2, 0, 0, 0]);
    assert_eq!(&t.by_type["b"][..5], &[0, 1, 1, 1, 0]);
    // 30 days: 6-hour buckets (720 hours would be too many). 300 days: days. 3 years: weeks, then whole weeks.
    for (span_days, width, points) in [(30, 21_600, 117), (300, day, 300), (1000, 7 * day, 143), (3000, 14 * day, 215)]
    {
        let s = BurstSummary {
            jobs: vec![job(t0, 600, 1, "a"), job(t0 + (span_days - 1) * day, 600, 1, "a")],
            ..Default::default()
        };
        let t = s.node_timeline();
        assert_eq!((t.bucket_s, t.max_nodes.len()), (width, points), "{span_days} days");
        assert_eq!(t.max_nodes.iter().sum::<u64>(), 2, "{span_days} days");
    }
    // No burst job: no timeline.
    assert!(BurstSummary::default().node_timeline().max_nodes.is_empty());
}

#[test]
fn the_html_loads_nothing_and_names_every_section() {
    let (_t, out) = sample(&[]);
    let html = read(&out, "report.html");
    for needle in ["src=", "href=", "url(", "@import", "<link", "<iframe", "<img", "<object", "<embed", "<script"] {
        assert!(!html.contains(needle), "report.html contains {needle}");
    }
    assert!(!html.contains("://"), "an address in report.html");
    for id in ["summary", "waits", "nodes", "months", "notes"] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "section {id}");
    }
    for chart in ["wait-histogram", "cloud-nodes"] {
        for layout in ["wide", "narrow"] {
            assert!(
                html.contains(&format!("<svg data-chart=\"{chart}\" data-layout=\"{layout}\"")),
                "{chart} {layout}"
            );
        }
    }
    // The plan report's stylesheet, whole.
    let css = fs::read_to_string(common::repo().join("templates/report/report.css.j2")).expect("css");
    assert!(html.contains(css.trim_end()), "the plan report's CSS");
    let by_kind: BTreeMap<&str, usize> = ["<polygon", "<polyline", "class=\"bar before\"", "class=\"bar after\""]
        .iter()
        .map(|k| (*k, html.matches(k).count()))
        .collect();
    assert!(by_kind.values().all(|&n| n > 0), "{by_kind:?}");
}
