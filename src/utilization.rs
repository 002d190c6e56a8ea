//! Utilization history in (time-series CSV files `timestamp, server, cpu_pct, mem_pct[, disk_iops,
//! net_out_mbps]`, or Google Migration Center `perfInfo.csv`), per-server p50 / p95 / max over a chosen window
//! and a confidence rating (1 to 5 stars, as Azure Migrate rates performance data) out, streamed in memory that
//! does not grow with the number of rows.
//!
//! # Input
//! - One or more CSV files, read as streams (`std::io::BufRead` into the csv crate's reader): only the current
//!   record is in memory. UTF-8 with or without BOM, CRLF or LF, `,` `;` or tab delimiters (detected from the
//!   header line). Columns are found by header name with aliases, any case (see `columns`); other columns are
//!   ignored. The same server may appear in several files; its samples are merged.
//! - Timestamps: ISO 8601 / RFC 3339 with or without an offset (**no offset = UTC**), `YYYY-MM-DD HH:MM:SS`,
//!   `YYYY/MM/DD, HH:MM:SS`, Unix seconds or milliseconds, Excel serial dates (days since 1899-12-30, e.g.
//!   45627.5); fractions of a second are dropped (see `timestamp`).
//! - Percentages as `45`, `45.5` or `45%`, from 0 to 100. IOPS and Mbit/s as non-negative numbers (at most
//!   10,000,000). perfInfo's `NetworkBytesPerSecSent` is bytes/s and becomes Mbit/s by × 8 / 1,000,000; its
//!   `DiskReadOperationsPerSec` + `DiskWriteOperationsPerSec` are summed into IOPS. An empty metric cell means
//!   "no sample of that metric in this row".
//! - Server names are kept exactly as written (trimmed) and compared case-sensitively; joining them to the
//!   inventory is the caller's job.
//!
//! # Window
//! `Window { from, to, last_days }`, bounds inclusive. `last_days` counts back from the newest timestamp in the
//! data (the newest at or before `to` when `to` is given); it cannot be combined with `from`. An open bound is
//! taken from the data (oldest / newest timestamp). Rows outside the window are skipped and counted in
//! `rows_outside_window` (their metric cells are not checked).
//!
//! **Two passes.** When the window or the interval has to come from the data (`last_days`, an open bound or no
//! `expected_interval`), each file is read twice: a first pass reads only timestamps and server names (newest,
//! oldest, the gaps between samples), the second computes the statistics. Both passes stream. With `from`,
//! `to` and `expected_interval` all given, one pass is enough.
//!
//! # Statistics
//! Per server and metric: sample count, p50, p95 and max by nearest rank, from fixed bins: 0.1-point bins for
//! percentages (values reported with at most one decimal, never below the exact nearest-rank value and less
//! than 0.1 above it), 1%-wide log bins for IOPS and Mbit/s (rounded up to two decimals; the max is exact,
//! rounded up to two decimals). Each server and metric keeps a fixed array of counters (1001 for a percentage,
//! 2086 for a rate, 2 bytes each, 4 once a bin passes 65,535 samples), allocated at its first sample and never
//! resized: memory depends on the number of servers, never on the number of samples (see `histogram`).
//!
//! # Confidence
//! Expected samples = `(window end − window start) / interval + 1` (a regular series from start to end fills
//! them all), the same for every server, so a server that reported only part of the window rates lower, as in
//! Azure Migrate. The interval is `expected_interval` (whole seconds, at least 1) or else the most common gap
//! between consecutive samples of the same server across all servers and files (rows of a server are expected
//! in time order, ascending or descending; pass the interval for shuffled data). Present samples = distinct
//! interval slots of the window holding at least one row with a value: duplicate timestamps, re-sent rows and
//! overlapping files count once. This keeps one bit per slot of the window per server (window ÷ interval bits,
//! whatever the number of rows; at most 4,194,304 slots per server, else a usage error). Stars follow Azure
//! Migrate's bands (see `coverage::confidence_stars`). Confidence is shown in the report and is meant to let
//! the sizing lower the headroom only when it is high; that choice belongs to the caller.
//!
//! # Errors
//! Every problem is located (`file:line: column 'x': message`, physical lines). Reading stops after 50
//! problems, with a last one saying more follow. Any problem makes the whole summary fail (`Error::Invalid`).
//! A window or interval that cannot be used is `Error::Usage`. Never a panic.

mod columns;
mod coverage;
mod histogram;
mod reader;
mod timestamp;
mod values;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub use coverage::confidence_stars;

use columns::{Col, Disk, Net};
use coverage::{GapCounter, Grid, Slots};
use histogram::{ExactMax, PercentHistogram, RateHistogram, Summary, RATE_MAX};
use reader::{Problems, Table, MAX_PROBLEMS};

use crate::error::{Error, Problem, Result};

/// Slots of the window tracked per server at most (512 KiB of bits).
const MAX_SLOTS: u64 = 1 << 22;
const DAY_SECONDS: i64 = 86_400;

/// The time span to summarize. All bounds inclusive; `None` = from the data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// The last N days up to the newest timestamp in the data (cannot be combined with `from`).
    pub last_days: Option<u32>,
}

/// p50, p95 and max of one metric of one server (see the module notes for bins and rounding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricStats {
    pub samples: u64,
    pub p50: Decimal,
    pub p95: Decimal,
    pub max: Decimal,
}

/// One server's utilization over the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerUtilization {
    pub server: String,
    /// CPU in percent.
    pub cpu: Option<MetricStats>,
    /// Memory in percent.
    pub mem: Option<MetricStats>,
    /// Disk operations per second (read + write).
    pub disk_iops: Option<MetricStats>,
    /// Outbound network in Mbit/s.
    pub net_out_mbps: Option<MetricStats>,
    /// Oldest and newest sample in the window.
    #[serde(with = "rfc3339")]
    pub first: DateTime<Utc>,
    #[serde(with = "rfc3339")]
    pub last: DateTime<Utc>,
    pub expected_samples: u64,
    /// Distinct sample slots of the window with data.
    pub present_samples: u64,
    /// 1 to 5 (Azure Migrate's bands over present / expected).
    pub confidence_stars: u8,
}

/// Utilization of every server found in the files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilizationReport {
    pub files: Vec<String>,
    /// The window used (given bounds, else from the data); `None` when no timestamp of the data lies inside the
    /// given bounds.
    #[serde(with = "rfc3339_opt")]
    pub window_from: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_opt")]
    pub window_to: Option<DateTime<Utc>>,
    /// The sample interval used for expected samples (given or inferred); 0 when neither (no samples).
    pub interval_seconds: u64,
    /// Servers with at least one sample in the window, by name.
    pub servers: BTreeMap<String, ServerUtilization>,
    /// Data rows read (blank lines not counted).
    pub rows_read: u64,
    pub rows_outside_window: u64,
}

/// Summarize utilization files (see the module notes).
pub fn summarize_files(
    paths: &[PathBuf],
    window: &Window,
    expected_interval: Option<Duration>,
) -> Result<UtilizationReport> {
    let inputs: Vec<(String, _)> = paths.iter().map(|p| (p.display().to_string(), opener(p))).collect();
    summarize_readers(&inputs, window, expected_interval)
}

fn opener(path: &Path) -> impl Fn() -> std::io::Result<BufReader<File>> + '_ {
    move || File::open(path).map(|f| BufReader::with_capacity(1 << 16, f))
}

/// Summarize streams: each input is a name (used in messages) and a function opening the stream from its start
/// (called once per pass, so once or twice, and once more when there are problems to locate).
pub fn summarize_readers<F, R>(
    inputs: &[(String, F)],
    window: &Window,
    expected_interval: Option<Duration>,
) -> Result<UtilizationReport>
where
    F: Fn() -> std::io::Result<R>,
    R: BufRead,
{
    let bounds = Bounds::new(window)?;
    let given_interval = match expected_interval.map(|d| d.as_secs()) {
        Some(0) => return Err(Error::Usage("the sample interval must be at least 1 second".into())),
        other => other,
    };
    let mut names = ServerNames::default();
    let mut problems = Problems::default();

    let one_pass =
        given_interval.is_some() && bounds.last_days.is_none() && bounds.from.is_some() && bounds.to.is_some();
    let scan = if one_pass { None } else { Some(scan(inputs, &bounds, &mut names)?) };
    let span = match &scan {
        None => bounds.from.zip(bounds.to),
        Some(s) => bounds.effective(s),
    };
    let interval = given_interval.or_else(|| scan.as_ref().and_then(|s| s.gaps.mode()));
    let grid = match (span, interval) {
        (Some((from, to)), Some(i)) => Some(Grid::new(from, to, i)).filter(|g| g.expected <= MAX_SLOTS),
        _ => None,
    };

    let totals = accumulate(inputs, span, grid, &mut names, &mut problems)?;
    if !problems.is_empty() {
        return Err(located(inputs, problems));
    }
    if span.is_some() && totals.any_sample {
        match (interval, grid) {
            (None, _) => {
                return Err(Error::Usage(
                    "cannot infer the sample interval: no server has two samples at different times; give the \
                     interval explicitly"
                        .into(),
                ))
            }
            (Some(i), None) => {
                let (from, to) = span.unwrap_or_default();
                return Err(Error::Usage(format!(
                    "the window holds {} samples per server at one every {i} s; rocklift counts coverage for at \
                     most {MAX_SLOTS} per server: choose a shorter window or give a longer interval",
                    Grid::new(from, to, i).expected
                )));
            }
            _ => {}
        }
    }
    Ok(report(inputs, span, interval, grid, names, totals))
}

/// The window as Unix seconds, checked.
struct Bounds {
    from: Option<i64>,
    to: Option<i64>,
    last_days: Option<u32>,
}

impl Bounds {
    fn new(w: &Window) -> Result<Self> {
        if w.last_days == Some(0) {
            return Err(Error::Usage("last_days must be at least 1".into()));
        }
        if w.last_days.is_some() && w.from.is_some() {
            return Err(Error::Usage("give either a window start or last_days, not both".into()));
        }
        if let (Some(f), Some(t)) = (w.from, w.to) {
            if f > t {
                return Err(Error::Usage(format!(
                    "the window starts ({}) after it ends ({})",
                    f.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )));
            }
        }
        Ok(Bounds { from: w.from.map(|d| d.timestamp()), to: w.to.map(|d| d.timestamp()), last_days: w.last_days })
    }

    fn contains(&self, t: i64) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t <= e)
    }

    /// Start and end of the window once the data's oldest and newest are known; `None` without data in it.
    fn effective(&self, scan: &Scan) -> Option<(i64, i64)> {
        let (from, to) = match self.last_days {
            Some(days) => {
                let newest = scan.newest?;
                (newest - i64::from(days) * DAY_SECONDS, newest)
            }
            None => (self.from.or(scan.oldest)?, self.to.or(scan.newest)?),
        };
        (from <= to).then_some((from, to))
    }
}

/// Server names to dense indexes (one allocation per distinct server), with the last name looked up cached
/// (rows grouped by server hit it every time).
#[derive(Default)]
struct ServerNames {
    index: FxHashMap<Box<str>, usize>,
    last: Option<(String, usize)>,
}

impl ServerNames {
    fn get(&mut self, name: &str) -> usize {
        if let Some((n, i)) = &self.last {
            if n == name {
                return *i;
            }
        }
        let next = self.index.len();
        let i = *self.index.entry(name.into()).or_insert(next);
        match &mut self.last {
            Some((n, li)) => {
                n.clear();
                n.push_str(name);
                *li = i;
            }
            None => self.last = Some((name.to_owned(), i)),
        }
        i
    }

    fn len(&self) -> usize {
        self.index.len()
    }
}

/// What the first pass learns: the oldest and newest timestamp inside the given bounds, and the gaps.
#[derive(Default)]
struct Scan {
    oldest: Option<i64>,
    newest: Option<i64>,
    gaps: GapCounter,
}

/// First pass: timestamps and server names only; rows it cannot read are left for the second pass to report.
fn scan<F, R>(inputs: &[(String, F)], bounds: &Bounds, names: &mut ServerNames) -> Result<Scan>
where
    F: Fn() -> std::io::Result<R>,
    R: BufRead,
{
    let mut out = Scan::default();
    let mut last_seen: Vec<Option<i64>> = Vec::new();
    let mut unreadable = 0usize;
    'files: for (file, (name, open)) in inputs.iter().enumerate() {
        let stream = open().map_err(|e| Error::io(name, e))?;
        let Some(mut table) = reader::open(stream, file, &mut Problems::default()).map_err(|e| Error::io(name, e))?
        else {
            continue;
        };
        loop {
            match table.next_row() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    reader::into_io(e).map_err(|e| Error::io(name, e))?;
                    break;
                }
            }
            let ts = table.text(&table.cols.timestamp).ok().flatten().and_then(|s| timestamp::parse(s).ok());
            let server = table.text(&table.cols.server).ok().flatten();
            let (Some(t), Some(server)) = (ts, server) else {
                unreadable += 1;
                if unreadable > MAX_PROBLEMS {
                    break 'files;
                }
                continue;
            };
            let i = names.get(server);
            if i >= last_seen.len() {
                last_seen.resize(i + 1, None);
            }
            if let Some(slot) = last_seen.get_mut(i) {
                if let Some(prev) = slot.replace(t) {
                    let gap = t.abs_diff(prev);
                    if gap > 0 {
                        out.gaps.add(gap);
                    }
                }
            }
            if bounds.contains(t) {
                out.oldest = Some(out.oldest.map_or(t, |o| o.min(t)));
                out.newest = Some(out.newest.map_or(t, |n| n.max(t)));
            }
        }
    }
    Ok(out)
}

/// One server's running statistics.
#[derive(Default)]
struct Acc {
    cpu: PercentHistogram,
    mem: PercentHistogram,
    disk: RateHistogram,
    net: RateHistogram,
    first: i64,
    last: i64,
    /// Rows in the window with at least one value.
    rows: u64,
    slots: Slots,
}

/// What the second pass produced.
#[derive(Default)]
struct Totals {
    servers: Vec<Acc>,
    /// Exact max of disk IOPS and network Mbit/s per server (small and looked at on every row: kept apart from
    /// the histograms).
    maxes: Vec<[ExactMax; 2]>,
    rows_read: u64,
    rows_outside_window: u64,
    any_sample: bool,
}

/// One row's metric values, parsed.
#[derive(Default)]
struct Values<'r> {
    cpu: Option<u32>,
    mem: Option<u32>,
    /// Value and its text(s) for the exact max.
    disk: Option<(f64, ExactText<'r>)>,
    net: Option<(f64, ExactText<'r>)>,
}

/// The cell text(s) a rate came from, turned into an exact decimal only when it may be a new max.
enum ExactText<'r> {
    Plain(&'r str),
    Sum(&'r str, &'r str),
    BytesPerSec(&'r str),
}

impl ExactText<'_> {
    fn exact(&self) -> Decimal {
        match self {
            ExactText::Plain(s) => values::exact(s),
            ExactText::Sum(a, b) => values::exact(a) + values::exact(b),
            ExactText::BytesPerSec(s) => (values::exact(s) * Decimal::from(8) / Decimal::from(1_000_000)).normalize(),
        }
    }
}

/// A bin number meaning "no value of this metric in the row".
const NO_BIN: u32 = u32::MAX;
/// Rows parsed before their bins are counted. Counting is where the time goes (every row lands in another
/// server's counters: a cache miss each); counting a batch in a tight loop lets the processor wait for many
/// misses at once instead of one row at a time.
const BATCH: usize = 256;

/// One row, ready to be counted.
#[derive(Clone, Copy)]
struct Sample {
    server: usize,
    t: i64,
    byte: u64,
    bins: [u32; 4],
}

/// Second pass: check every row, keep the statistics of the rows inside the window.
fn accumulate<F, R>(
    inputs: &[(String, F)],
    span: Option<(i64, i64)>,
    grid: Option<Grid>,
    names: &mut ServerNames,
    problems: &mut Problems,
) -> Result<Totals>
where
    F: Fn() -> std::io::Result<R>,
    R: BufRead,
{
    let mut totals = Totals::default();
    let mut batch: Vec<Sample> = Vec::with_capacity(BATCH);
    for (file, (name, open)) in inputs.iter().enumerate() {
        if problems.stopped() {
            break;
        }
        let stream = open().map_err(|e| Error::io(name, e))?;
        let Some(mut table) = reader::open(stream, file, problems).map_err(|e| Error::io(name, e))? else {
            continue;
        };
        let rows_before = totals.rows_read;
        while !problems.stopped() {
            let byte = match table.next_row() {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(e) => {
                    let byte = reader::error_byte(&e);
                    reader::into_io(e).map_err(|e| Error::io(name, e))?;
                    problems.push(file, byte, None, "cannot read this line".into());
                    break;
                }
            };
            totals.rows_read += 1;
            let mut report = |column: Option<&str>, message: String| problems.push(file, byte, column, message);
            if table.rec.len() != table.cols.width {
                report(
                    None,
                    format!(
                        "has {} fields, the header has {}; check the delimiter and quotes (a value with '{}' must be \
                         in double quotes)",
                        table.rec.len(),
                        table.cols.width,
                        table.delimiter as char
                    ),
                );
                continue;
            }
            let (Some(t), Some(server)) = (row_time(&table, &mut report), row_server(&table, &mut report)) else {
                continue;
            };
            if !span.is_some_and(|(from, to)| (from..=to).contains(&t)) {
                totals.rows_outside_window += 1;
                continue;
            }
            let Some(v) = row_values(&table, &mut report) else { continue };
            if v.cpu.is_none() && v.mem.is_none() && v.disk.is_none() && v.net.is_none() {
                continue;
            }
            let i = names.get(server);
            if i >= totals.maxes.len() {
                totals.maxes.resize_with(i + 1, Default::default);
                totals.servers.resize_with(i + 1, Acc::default);
            }
            let mut bins = [v.cpu.unwrap_or(NO_BIN), v.mem.unwrap_or(NO_BIN), NO_BIN, NO_BIN];
            if let Some(maxes) = totals.maxes.get_mut(i) {
                for (k, (rate, max)) in [&v.disk, &v.net].into_iter().zip(maxes.iter_mut()).enumerate() {
                    if let (Some((x, text)), Some(bin)) = (rate, bins.get_mut(k + 2)) {
                        max.offer(*x, || text.exact());
                        *bin = histogram::rate_bin(*x);
                    }
                }
            }
            batch.push(Sample { server: i, t, byte, bins });
            totals.any_sample = true;
            if batch.len() == BATCH {
                count(&mut batch, &mut totals.servers, grid, file, &table.cols.server.label, problems);
            }
        }
        count(&mut batch, &mut totals.servers, grid, file, &table.cols.server.label, problems);
        if totals.rows_read == rows_before && !problems.stopped() {
            problems.push(file, table.header_byte, None, "the file has a header but no rows".into());
        }
    }
    Ok(totals)
}

/// Count a batch of rows into their servers (and empty the batch).
fn count(
    batch: &mut Vec<Sample>,
    servers: &mut [Acc],
    grid: Option<Grid>,
    file: usize,
    server_label: &str,
    problems: &mut Problems,
) {
    for s in batch.drain(..) {
        let Some(acc) = servers.get_mut(s.server) else { continue };
        if !add(acc, &s, grid) {
            problems.push(
                file,
                s.byte,
                Some(server_label),
                format!("the server has more than {} samples of one metric; split the history", u32::MAX),
            );
        }
    }
}

/// Count one row into its server; `false` when a histogram is full.
fn add(acc: &mut Acc, s: &Sample, grid: Option<Grid>) -> bool {
    let [cpu, mem, disk, net] = s.bins;
    let mut ok = true;
    if cpu != NO_BIN {
        ok &= acc.cpu.add(cpu);
    }
    if mem != NO_BIN {
        ok &= acc.mem.add(mem);
    }
    if disk != NO_BIN {
        ok &= acc.disk.add(disk);
    }
    if net != NO_BIN {
        ok &= acc.net.add(net);
    }
    if acc.rows == 0 {
        acc.first = s.t;
        acc.last = s.t;
    } else {
        acc.first = acc.first.min(s.t);
        acc.last = acc.last.max(s.t);
    }
    acc.rows += 1;
    if let Some(g) = grid {
        acc.slots.set(g.slot(s.t), g.expected);
    }
    ok
}

type Report<'a> = dyn FnMut(Option<&str>, String) + 'a;

/// A column's text, or `None` (reported) when unreadable.
fn cell<'r, R: std::io::Read>(table: &'r Table<R>, col: &Col, report: &mut Report<'_>) -> Result<Option<&'r str>, ()> {
    table.text(col).map_err(|m| report(Some(&col.label), m))
}

fn row_time<R: std::io::Read>(table: &Table<R>, report: &mut Report<'_>) -> Option<i64> {
    let col = &table.cols.timestamp;
    match cell(table, col, report) {
        Err(()) => None,
        Ok(None) => {
            report(Some(&col.label), "is empty; every row needs a timestamp".into());
            None
        }
        Ok(Some(s)) => timestamp::parse(s).map_err(|m| report(Some(&col.label), m)).ok(),
    }
}

fn row_server<'r, R: std::io::Read>(table: &'r Table<R>, report: &mut Report<'_>) -> Option<&'r str> {
    let col = &table.cols.server;
    match cell(table, col, report) {
        Err(()) => None,
        Ok(None) => {
            report(Some(&col.label), "is empty; every row needs the server name".into());
            None
        }
        Ok(Some(s)) if s.chars().any(char::is_control) => {
            report(Some(&col.label), "contains a control character; expected a plain server name".into());
            None
        }
        Ok(Some(s)) => Some(s),
    }
}

/// The metric cells of a row; `None` when any is wrong (each problem reported).
fn row_values<'r, R: std::io::Read>(table: &'r Table<R>, report: &mut Report<'_>) -> Option<Values<'r>> {
    let mut ok = true;
    let mut v = Values::default();
    let cols = &table.cols;
    for (col, slot) in [(&cols.cpu, &mut v.cpu), (&cols.mem, &mut v.mem)] {
        let Some(col) = col else { continue };
        match cell(table, col, report) {
            Err(()) => ok = false,
            Ok(None) => {}
            Ok(Some(s)) => match values::percent_bin(s) {
                Ok(bin) => *slot = Some(bin),
                Err(m) => {
                    report(Some(&col.label), m);
                    ok = false;
                }
            },
        }
    }
    match &cols.disk {
        None => {}
        Some(Disk::Iops(col)) => match rate_cell(table, col, "IOPS, such as 1200", report) {
            Err(()) => ok = false,
            Ok(None) => {}
            Ok(Some((x, s))) => {
                v.disk = capped(x, ExactText::Plain(s), col, report, &mut ok, || {
                    format!("'{s}' IOPS is implausibly large; expected at most {RATE_MAX}")
                })
            }
        },
        Some(Disk::ReadWrite(r, w)) => {
            let expected = "operations per second, such as 600";
            match (rate_cell(table, r, expected, report), rate_cell(table, w, expected, report)) {
                (Ok(Some((a, sa))), Ok(Some((b, sb)))) => {
                    v.disk = capped(a + b, ExactText::Sum(sa, sb), r, report, &mut ok, || {
                        format!("'{sa}' read + '{sb}' write IOPS is implausibly large; expected at most {RATE_MAX}")
                    })
                }
                (Ok(None), Ok(None)) => {}
                (Ok(None), Ok(Some(_))) => {
                    report(Some(&r.label), format!("is empty while '{}' has a value; IOPS is read + write", w.label));
                    ok = false;
                }
                (Ok(Some(_)), Ok(None)) => {
                    report(Some(&w.label), format!("is empty while '{}' has a value; IOPS is read + write", r.label));
                    ok = false;
                }
                _ => ok = false,
            }
        }
    }
    match &cols.net {
        None => {}
        Some(Net::Mbps(col)) => match rate_cell(table, col, "Mbit/s, such as 250", report) {
            Err(()) => ok = false,
            Ok(None) => {}
            Ok(Some((x, s))) => {
                v.net = capped(x, ExactText::Plain(s), col, report, &mut ok, || {
                    format!("'{s}' Mbit/s is implausibly large; expected at most {RATE_MAX}")
                })
            }
        },
        Some(Net::BytesPerSec(col)) => match rate_cell(table, col, "bytes per second, such as 1250000", report) {
            Err(()) => ok = false,
            Ok(None) => {}
            Ok(Some((x, s))) => {
                v.net = capped(x * 8.0 / 1_000_000.0, ExactText::BytesPerSec(s), col, report, &mut ok, || {
                    format!(
                        "'{s}' bytes/s is implausibly large; expected at most {} bytes/s ({RATE_MAX} Mbit/s)",
                        RATE_MAX * 125_000.0
                    )
                })
            }
        },
    }
    ok.then_some(v)
}

/// A rate cell: `Ok(None)` when empty, `Err(())` when wrong (reported).
fn rate_cell<'r, R: std::io::Read>(
    table: &'r Table<R>,
    col: &Col,
    expected: &str,
    report: &mut Report<'_>,
) -> Result<Option<(f64, &'r str)>, ()> {
    match cell(table, col, report)? {
        None => Ok(None),
        Some(s) => values::rate(s, expected).map(|x| Some((x, s))).map_err(|m| report(Some(&col.label), m)),
    }
}

/// The value when at most `RATE_MAX` (10,000,000), else the problem `too_large` describes.
fn capped<'r>(
    x: f64,
    text: ExactText<'r>,
    col: &Col,
    report: &mut Report<'_>,
    ok: &mut bool,
    too_large: impl FnOnce() -> String,
) -> Option<(f64, ExactText<'r>)> {
    if x <= RATE_MAX {
        return Some((x, text));
    }
    report(Some(&col.label), too_large());
    *ok = false;
    None
}

/// Problems with their physical lines, as `Error::Invalid`.
fn located<F, R>(inputs: &[(String, F)], problems: Problems) -> Error
where
    F: Fn() -> std::io::Result<R>,
    R: BufRead,
{
    let mut wanted: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
    for p in &problems.list {
        wanted.entry(p.file).or_default().push(p.byte);
    }
    if let Some((file, byte)) = problems.more_at {
        wanted.entry(file).or_default().push(byte);
    }
    let mut lines: BTreeMap<(usize, u64), u64> = BTreeMap::new();
    for (file, mut offsets) in wanted {
        offsets.sort_unstable();
        offsets.dedup();
        let Some((name, open)) = inputs.get(file) else { continue };
        let found = open().and_then(|r| reader::lines_at(r, &offsets));
        match found {
            Ok(found) => lines.extend(offsets.iter().zip(found).map(|(o, l)| ((file, *o), l))),
            Err(e) => return Error::io(name, e),
        }
    }
    let name = |file: usize| inputs.get(file).map_or("", |(n, _)| n.as_str());
    let line = |file: usize, byte: u64| lines.get(&(file, byte)).copied().unwrap_or(1);
    let mut list = problems.list;
    list.sort_by_key(|p| (p.file, p.byte));
    let mut out: Vec<Problem> = list
        .into_iter()
        .map(|p| Problem::at(name(p.file), line(p.file, p.byte), p.column.as_deref(), p.message))
        .collect();
    if let Some((file, byte)) = problems.more_at {
        out.push(Problem::at(
            name(file),
            line(file, byte),
            None,
            format!("more problems follow; reading stopped after the first {MAX_PROBLEMS}"),
        ));
    }
    Error::Invalid(out)
}

fn report<F>(
    inputs: &[(String, F)],
    span: Option<(i64, i64)>,
    interval: Option<u64>,
    grid: Option<Grid>,
    names: ServerNames,
    totals: Totals,
) -> UtilizationReport {
    let time = |t: i64| DateTime::from_timestamp(t, 0).unwrap_or(DateTime::UNIX_EPOCH);
    let expected = grid.map_or(0, |g| g.expected);
    let mut servers = BTreeMap::new();
    let mut accs: Vec<Option<Acc>> = totals.servers.into_iter().map(Some).collect();
    accs.resize_with(names.len(), || None);
    for (name, i) in names.index {
        let Some(acc) = accs.get_mut(i).and_then(Option::take).filter(|a| a.rows > 0) else { continue };
        let [disk_max, net_max] = totals.maxes.get(i).cloned().unwrap_or_default();
        let present = acc.slots.count().min(expected);
        let s = ServerUtilization {
            server: name.to_string(),
            cpu: acc.cpu.summary().map(stats),
            mem: acc.mem.summary().map(stats),
            disk_iops: acc.disk.summary(&disk_max).map(stats),
            net_out_mbps: acc.net.summary(&net_max).map(stats),
            first: time(acc.first),
            last: time(acc.last),
            expected_samples: expected,
            present_samples: present,
            confidence_stars: confidence_stars(present, expected),
        };
        servers.insert(name.into_string(), s);
    }
    UtilizationReport {
        files: inputs.iter().map(|(n, _)| n.clone()).collect(),
        window_from: span.map(|s| time(s.0)),
        window_to: span.map(|s| time(s.1)),
        interval_seconds: interval.unwrap_or(0),
        servers,
        rows_read: totals.rows_read,
        rows_outside_window: totals.rows_outside_window,
    }
}

fn stats(s: Summary) -> MetricStats {
    MetricStats { samples: s.samples, p50: s.p50, p95: s.p95, max: s.max }
}

/// `DateTime<Utc>` as RFC 3339 text (`2024-12-01T10:00:00Z`); chrono's own serde support is not enabled.
mod rfc3339 {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

/// `Option<DateTime<Utc>>` as RFC 3339 text or null.
mod rfc3339_opt {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| DateTime::parse_from_rfc3339(&s).map(|t| t.with_timezone(&Utc)).map_err(serde::de::Error::custom))
            .transpose()
    }
}
