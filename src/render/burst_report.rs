//! A burst.json (what `rocklift burst` wrote) in, its `report.md` and self-contained `report.html` out: rendered by
//! the embedded templates `burst.md.j2` and `burst.html.j2` of `templates/report/` (the HTML takes the plan report's
//! CSS) from one view in which every shown value is a [`Cell`] holding the JSON pointer of that value in burst.json,
//! as the plan report does. The charts: the wait-time histogram before and after bursting as paired bars, and the
//! cloud nodes over time as steps ([`super::svg`]). Nothing is computed here but axis ticks.
//!
//! burst.json is read into [`BurstDoc`], which names the fields the report shows; `burst --out` renders from its
//! own burst.json text read back the same way, so `rocklift report burst.json` gives the same bytes.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::report::{embedded_templates, footer, render_view, seg, Cell, Footer};
use super::svg::{self, Layout, PairRow, StepSeries};
use crate::error::Result;
use crate::hpc::cost::BurstCost;
use crate::hpc::replay::{NodeTimeline, WaitBucket, WaitStats};
use crate::hpc::slurm_conf::CloudNodeType;
use crate::hpc::time::{format_timestamp, parse_timestamp};
use crate::plan::PricingRef;

/// The `schema` of a burst.json.
/// v2: `cost` counts idle time before suspend and node reuse (v1: the per-job figure, now `per_job_total_usd`).
pub const SCHEMA: &str = "rocklift.burst/v2";

/// What the report reads of burst.json (other fields are left alone).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BurstDoc {
    pub schema: String,
    pub rocklift_version: String,
    pub pricing: PricingRef,
    pub cluster: ClusterDoc,
    pub history: HistoryDoc,
    pub policy: PolicyDoc,
    pub before: ReplayDoc,
    pub after: ReplayDoc,
    pub burst_jobs: u64,
    pub burst_by_reason: BTreeMap<String, u64>,
    pub not_burstable: BTreeMap<String, u64>,
    pub on_prem_over_max_wait: u64,
    pub max_cloud_nodes: u64,
    pub p99_cloud_nodes: u64,
    pub cloud_nodes: Vec<CloudNodeType>,
    pub cost: BurstCost,
    pub wait_histogram: Vec<WaitBucket>,
    pub cloud_nodes_over_time: NodeTimeline,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClusterDoc {
    pub source: String,
    pub nodes: u64,
    pub partitions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HistoryDoc {
    pub file: String,
    pub jobs: u64,
    pub skipped_lines: BTreeMap<String, u64>,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PolicyDoc {
    pub max_wait_s: i64,
    pub partitions: Vec<String>,
    pub boot_s: i64,
    pub spot: bool,
    pub candidate_types: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReplayDoc {
    pub waits: WaitStats,
    pub unrunnable: u64,
    pub not_replayed: BTreeMap<String, u64>,
}

/// Seconds as `H:MM:SS` (the `hms` format), as the terminal summary shows waits.
pub fn show_hms(s: i64) -> String {
    let sign = if s < 0 { "-" } else { "" };
    let s = s.unsigned_abs();
    format!("{sign}{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}

fn hms(p: String, v: i64) -> Cell {
    Cell { p, v: v.to_string(), f: "hms", t: show_hms(v) }
}

#[derive(Debug, Serialize)]
struct KeyCount {
    key: Cell,
    value: Cell,
}

fn key_counts(base: &str, map: &BTreeMap<String, u64>) -> Vec<KeyCount> {
    map.iter()
        .map(|(k, v)| {
            let p = format!("{base}/{}", seg(k));
            KeyCount { key: Cell::key(p.clone(), k), value: Cell::int(p, v) }
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct Waits {
    jobs: Cell,
    p50: Cell,
    p95: Cell,
    max: Cell,
}

fn waits(base: &str, w: &WaitStats) -> Waits {
    Waits {
        jobs: Cell::int(format!("{base}/jobs"), w.jobs),
        p50: hms(format!("{base}/p50"), w.p50),
        p95: hms(format!("{base}/p95"), w.p95),
        max: hms(format!("{base}/max"), w.max),
    }
}

#[derive(Debug, Serialize)]
struct BucketRow {
    label: Cell,
    before: Cell,
    after: Cell,
}

#[derive(Debug, Serialize)]
struct NodeRow {
    instance_type: Cell,
    vcpus: Cell,
    memory_mib: Cell,
    gpus: Cell,
    max_nodes: Cell,
    rate: Option<Cell>,
    term: Option<Cell>,
}

#[derive(Debug, Serialize)]
struct MonthRow {
    month: Cell,
    jobs: Cell,
    /// Node-hours per type, in the order of `View::types` (none where the month has no hours of a type).
    hours: Vec<Option<Cell>>,
    total: Cell,
}

#[derive(Debug, Serialize)]
struct Timeline {
    /// `hour`, `6 hours`, `day` or `N days`.
    bucket: String,
    bucket_s: Cell,
    start: Cell,
    points: usize,
}

#[derive(Debug, Serialize)]
struct Charts {
    waits: String,
    nodes: String,
}

#[derive(Debug, Serialize)]
struct View {
    file: Cell,
    cluster: Cell,
    cluster_nodes: Cell,
    partitions: Vec<Cell>,
    jobs: Cell,
    region: Cell,
    max_wait: Cell,
    boot: Cell,
    spot: bool,
    burst_partitions: Vec<Cell>,
    candidate_types: Cell,
    burst_jobs: Cell,
    by_reason: Vec<KeyCount>,
    not_burstable: Vec<KeyCount>,
    over_max_wait: Cell,
    before: Waits,
    after: Waits,
    unrunnable: Cell,
    not_replayed: Vec<KeyCount>,
    max_nodes: Cell,
    p99_nodes: Cell,
    monthly: Cell,
    total: Cell,
    /// The per-job lower bound (no idle time before suspend, no node reused).
    per_job_total: Cell,
    types: Vec<Cell>,
    months: Vec<MonthRow>,
    nodes: Vec<NodeRow>,
    buckets: Vec<BucketRow>,
    timeline: Option<Timeline>,
    charts: Charts,
    skipped: Vec<KeyCount>,
    problems: Vec<Cell>,
    notes: Vec<Cell>,
    missing: Vec<Cell>,
    footer: Footer,
}

/// The wide and the narrow layout of a chart; the page's CSS shows one of them.
fn both(draw: impl Fn(Layout) -> String) -> String {
    draw(Layout::Wide) + &draw(Layout::Narrow)
}

fn wait_chart(doc: &BurstDoc) -> String {
    let rows: Vec<PairRow> = doc
        .wait_histogram
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = |f: &str| format!("/wait_histogram/{i}/{f}");
            PairRow {
                label: Cell::text(p("label"), &b.label),
                values: [
                    (Decimal::from(b.before), Cell::int(p("before"), b.before)),
                    (Decimal::from(b.after), Cell::int(p("after"), b.after)),
                ],
            }
        })
        .collect();
    both(|l| {
        svg::paired_hbars(
            "wait-histogram",
            "Jobs by wait, on-prem only and with bursting",
            l,
            ["on-prem only", "with bursting"],
            ["before", "after"],
            &rows,
        )
    })
}

/// A bucket width as words: `hour`, `6 hours`, `day`, `week`, `N days`.
fn width_words(s: i64) -> String {
    match s {
        3600 => "hour".into(),
        86_400 => "day".into(),
        604_800 => "week".into(),
        s if s % 86_400 == 0 => format!("{} days", s / 86_400),
        s if s % 3600 == 0 => format!("{} hours", s / 3600),
        s => format!("{s} seconds"),
    }
}

/// About `want` tick labels at bucket starts: `MM-DD HH:MM` for buckets under a day, `YYYY-MM-DD` otherwise.
fn x_ticks(t: &NodeTimeline, want: usize) -> Vec<(usize, String)> {
    let (Some(start), n) = (parse_timestamp(&t.start), t.max_nodes.len()) else { return Vec::new() };
    if n == 0 || t.bucket_s <= 0 {
        return Vec::new();
    }
    let every = n.div_ceil(want.max(1)).max(1);
    (0..n)
        .step_by(every)
        .map(|i| {
            let ts = format_timestamp(start.saturating_add(t.bucket_s.saturating_mul(i as i64)));
            let label = if t.bucket_s < 86_400 { ts[5..16].replace('T', " ") } else { ts[..10].to_owned() };
            (i, label)
        })
        .collect()
}

fn nodes_chart(doc: &BurstDoc) -> String {
    let t = &doc.cloud_nodes_over_time;
    let total = StepSeries {
        name: "all types, peak".into(),
        name_cell: None,
        values: t.max_nodes.clone(),
        peak: Cell::int("/max_cloud_nodes".into(), doc.max_cloud_nodes),
    };
    // Per type, as listed in `cloud_nodes` (every type with burst jobs), with its peak there.
    let parts: Vec<StepSeries> = t
        .by_type
        .iter()
        .filter_map(|(ty, values)| {
            let i = doc.cloud_nodes.iter().position(|n| &n.instance_type == ty)?;
            Some(StepSeries {
                name: ty.clone(),
                name_cell: Some(Cell::text(format!("/cloud_nodes/{i}/instance_type"), ty)),
                values: values.clone(),
                peak: Cell::int(format!("/cloud_nodes/{i}/max_nodes"), doc.cloud_nodes[i].max_nodes),
            })
        })
        .collect();
    both(|l| {
        let ticks = x_ticks(t, if l == Layout::Wide { 6 } else { 3 });
        svg::step_chart("cloud-nodes", "Cloud nodes running, the most at once per bucket", l, &total, &parts, &ticks)
    })
}

fn view(doc: &BurstDoc) -> View {
    let types: Vec<String> = {
        let mut t: Vec<String> = doc.cost.months.iter().flat_map(|m| m.node_hours.keys().cloned()).collect();
        t.sort();
        t.dedup();
        t
    };
    let months = doc
        .cost
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let p = |f: &str| format!("/cost/months/{i}/{f}");
            MonthRow {
                month: Cell::text(p("month"), &m.month),
                jobs: Cell::int(p("jobs"), m.jobs),
                hours: types
                    .iter()
                    .map(|ty| m.node_hours.get(ty).map(|h| Cell::dec1(format!("{}/{}", p("node_hours"), seg(ty)), *h)))
                    .collect(),
                total: Cell::usd(p("total_usd"), m.total_usd),
            }
        })
        .collect();
    let nodes = doc
        .cloud_nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let p = |f: &str| format!("/cloud_nodes/{i}/{f}");
            let ty = seg(&n.instance_type);
            NodeRow {
                instance_type: Cell::text(p("instance_type"), &n.instance_type),
                vcpus: Cell::int(p("vcpus"), n.vcpus),
                memory_mib: Cell::int(p("memory_mib"), n.memory_mib),
                gpus: Cell::int(p("gpus"), n.gpus),
                max_nodes: Cell::int(p("max_nodes"), n.max_nodes),
                rate: doc.cost.rates.get(&n.instance_type).map(|r| Cell {
                    p: format!("/cost/rates/{ty}"),
                    v: r.to_string(),
                    f: "rate",
                    t: format!("${}", crate::money::display_rate(*r)),
                }),
                term: doc.cost.terms.get(&n.instance_type).map(|t| Cell::text(format!("/cost/terms/{ty}"), t)),
            }
        })
        .collect();
    let buckets = doc
        .wait_histogram
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = |f: &str| format!("/wait_histogram/{i}/{f}");
            BucketRow {
                label: Cell::text(p("label"), &b.label),
                before: Cell::int(p("before"), b.before),
                after: Cell::int(p("after"), b.after),
            }
        })
        .collect();
    let t = &doc.cloud_nodes_over_time;
    let timeline = (!t.max_nodes.is_empty()).then(|| Timeline {
        bucket: width_words(t.bucket_s),
        bucket_s: Cell::int("/cloud_nodes_over_time/bucket_s".into(), t.bucket_s),
        start: Cell::text("/cloud_nodes_over_time/start".into(), &t.start),
        points: t.max_nodes.len(),
    });
    let list = |base: &str, items: &[String]| -> Vec<Cell> {
        items.iter().enumerate().map(|(i, s)| Cell::text(format!("{base}/{i}"), s)).collect()
    };
    let pr = &doc.pricing;
    View {
        file: Cell::text("/history/file".into(), &doc.history.file),
        cluster: Cell::text("/cluster/source".into(), &doc.cluster.source),
        cluster_nodes: Cell::int("/cluster/nodes".into(), doc.cluster.nodes),
        partitions: list("/cluster/partitions", &doc.cluster.partitions),
        jobs: Cell::int("/history/jobs".into(), doc.history.jobs),
        region: Cell::text("/cost/region".into(), &doc.cost.region),
        max_wait: hms("/policy/max_wait_s".into(), doc.policy.max_wait_s),
        boot: hms("/policy/boot_s".into(), doc.policy.boot_s),
        spot: doc.policy.spot,
        burst_partitions: list("/policy/partitions", &doc.policy.partitions),
        candidate_types: Cell::int("/policy/candidate_types".into(), doc.policy.candidate_types),
        burst_jobs: Cell::int("/burst_jobs".into(), doc.burst_jobs),
        by_reason: key_counts("/burst_by_reason", &doc.burst_by_reason),
        not_burstable: key_counts("/not_burstable", &doc.not_burstable),
        over_max_wait: Cell::int("/on_prem_over_max_wait".into(), doc.on_prem_over_max_wait),
        before: waits("/before/waits", &doc.before.waits),
        after: waits("/after/waits", &doc.after.waits),
        unrunnable: Cell::int("/before/unrunnable".into(), doc.before.unrunnable),
        not_replayed: key_counts("/before/not_replayed", &doc.before.not_replayed),
        max_nodes: Cell::int("/max_cloud_nodes".into(), doc.max_cloud_nodes),
        p99_nodes: Cell::int("/p99_cloud_nodes".into(), doc.p99_cloud_nodes),
        monthly: Cell::usd("/cost/average_monthly_usd".into(), doc.cost.average_monthly_usd),
        total: Cell::usd("/cost/total_usd".into(), doc.cost.total_usd),
        per_job_total: Cell::usd("/cost/per_job_total_usd".into(), doc.cost.per_job_total_usd),
        types: types
            .iter()
            .filter_map(|ty| {
                let i = doc.cost.months.iter().position(|m| m.node_hours.contains_key(ty))?;
                Some(Cell::key(format!("/cost/months/{i}/node_hours/{}", seg(ty)), ty))
            })
            .collect(),
        months,
        nodes,
        buckets,
        timeline,
        charts: Charts { waits: wait_chart(doc), nodes: nodes_chart(doc) },
        skipped: key_counts("/history/skipped_lines", &doc.history.skipped_lines),
        problems: list("/history/problems", &doc.history.problems),
        notes: list("/cost/notes", &doc.cost.notes),
        missing: list("/cost/missing", &doc.cost.missing),
        footer: footer(pr, &doc.rocklift_version, &doc.schema),
    }
}

/// Read burst.json text; `serde_json`'s error (with its line and column) when it does not hold the fields shown.
pub fn parse(json: &str) -> std::result::Result<BurstDoc, serde_json::Error> {
    serde_json::from_str(json)
}

/// Render the template `name` (`burst.md.j2` or `burst.html.j2`) of `templates` for `doc`.
pub fn render_with(doc: &BurstDoc, name: &str, templates: &BTreeMap<String, String>) -> Result<String> {
    render_view(view(doc), name, templates)
}

/// `report.md` of a burst plan with the embedded templates.
pub fn markdown(doc: &BurstDoc) -> Result<String> {
    render_with(doc, "burst.md.j2", &embedded_templates())
}

/// `report.html` of a burst plan with the embedded templates.
pub fn html(doc: &BurstDoc) -> Result<String> {
    render_with(doc, "burst.html.j2", &embedded_templates())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_durations_and_widths() {
        assert_eq!(show_hms(7140), "1:59:00");
        assert_eq!(show_hms(0), "0:00:00");
        assert_eq!(show_hms(90_061), "25:01:01");
        assert_eq!(width_words(3600), "hour");
        assert_eq!(width_words(21_600), "6 hours");
        assert_eq!(width_words(1_209_600), "14 days");
    }

    #[test]
    fn ticks_name_bucket_starts() {
        let t = NodeTimeline {
            bucket_s: 3600,
            start: "2026-01-05T08:00:00".into(),
            max_nodes: vec![1; 12],
            by_type: BTreeMap::new(),
        };
        let ticks = x_ticks(&t, 6);
        assert_eq!(ticks.len(), 6);
        assert_eq!(ticks[1], (2, "01-05 10:00".to_owned()));
        let days = NodeTimeline { bucket_s: 86_400, ..t };
        assert_eq!(x_ticks(&days, 3)[1], (4, "2026-01-09".to_owned()));
    }
}
