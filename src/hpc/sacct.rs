//! `sacct --parsable2` text in (with or without a header line), a `JobHistory` out: one `Job` per
//! job that ran, its steps folded into it, and every line that did not become a job counted by reason.
//!
//! Layouts:
//! - **No header** (`--noheader`): the field order of [`NOHEADER_FIELDS`], the order
//!   aws-samples/hpc-cost-simulator's `SlurmLogParser.py` asks sacct for, with `Partition` optional
//!   (25 or 26 fields per line; a line may also end with the empty field `--parsable` leaves).
//! - **Header**: any `--format` list, field names as sacct prints them (case-insensitive). Needed:
//!   `JobID` (or `JobIDRaw`), `Submit`, `Start`, `End` or `Elapsed`/`ElapsedRaw`, a CPU count
//!   (`NCPUS`/`AllocCPUS`/`ReqCPUS`/`AllocTRES`/`ReqTRES`) and a node count
//!   (`AllocNodes`/`NNodes`/`ReqNodes`/`AllocTRES`/`ReqTRES`); a header without them is one problem
//!   naming exactly the missing ones. Columns rocklift does not use are listed in `ignored_columns`.
//!
//! What real dumps contain, and what becomes of it (field meanings: sacct(1), "Job Accounting Fields"):
//! - `#` comments and blank lines: skipped and counted.
//! - Steps (`123.batch`, `123.extern`, `123.0`, `123_4.batch`): folded into the job line before them
//!   with the same JobID; the largest step `MaxRSS` becomes the job's `peak_rss_mib`. A step whose
//!   job line is absent is counted, not an error.
//! - States such as `CANCELLED by 32874` or `CANCELLED+`: the first word, without `+`, is the state.
//! - Jobs that never started (`Start` = `Unknown`/`None`/empty: PENDING jobs, pending array ranges
//!   `123_[1-3]`, jobs cancelled while pending): counted as `never started (STATE)`. Jobs still
//!   running (`End` = `Unknown`) are counted as `still running`.
//! - Jobs that have a Start but never held an allocation (`AllocNodes` 0: cancelled or failed before
//!   they ran, for which sacct prints Start = End; or `CANCELLED` with Elapsed 0) are kept, as sacct
//!   lists them, with `allocated = false`; the replay leaves them out.
//! - Memory: `ReqMem` with `c` is per allocated CPU (times NCPUS), with `n` per node (times the node
//!   count), without a letter (Slurm 21.08 and later, which print ReqMem like ReqTRES) the job's
//!   total; a number without a unit is MiB; `K`/`M`/`G`/`T`/`P` are binary units. `AllocTRES mem=`
//!   (what the job was given), when that column is there, takes precedence over ReqMem, then
//!   `ReqTRES mem=`. `MaxRSS` without a unit is bytes (what `--noconvert` prints).
//! - GPUs: `AllocTRES`, else `ReqTRES` (`gres/gpu=4`, `gres/gpu:a100=4`), else `AllocGRES`/`ReqGRES`
//!   (`gpu:a100:4`). The model is kept when exactly one GPU type is named.
//! - Times: naive local wall-clock timestamps (see [`super::time`]); `Elapsed` is `[DD-][HH:]MM:SS`,
//!   CPU-time fields `MM:SS.mmm`. The runtime is `Elapsed` (else `ElapsedRaw`, else End − Start).
//! - Cores are `NCPUS` (allocated), else AllocTRES `cpu=`, ReqCPUS, ReqTRES `cpu=`; nodes are
//!   `AllocNodes` (or `NNodes`), else AllocTRES `node=`, ReqNodes, ReqTRES `node=`; at least 1 each.
//!
//! Errors: a line whose fields cannot be read (wrong field count, a size/time/count that is not one)
//! is a problem located by file, line and field; all problems of the file are returned together as
//! `Error::Invalid` (at most [`super::MAX_PROBLEMS`] listed). With `SacctOptions::skip_malformed`
//! such lines are skipped instead (counted as `malformed line`, their problems kept in
//! `JobHistory::problems`), and a job with a malformed step line is dropped with it. On job lines
//! every field that holds a time, count, size or duration is checked, used or not (`MaxDiskRead`,
//! `CPUTime`, ...); on step lines the sizes, durations and `MaxRSS`, the only fields taken from them.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::time::{is_unset_time, parse_duration, parse_timestamp};
use super::units::{mib_ceil, parse_gres, parse_size, parse_tres, Gpus, MemPer, Plain, Tres};
use crate::error::{Error, Problem, Result};

/// The field order of a `sacct --parsable2 --noheader` dump without a header line, as
/// aws-samples/hpc-cost-simulator collects it (`SlurmLogParser.SLURM_ACCT_FIELDS`, plus `Partition`).
pub const NOHEADER_FIELDS: [&str; 26] = [
    "State",
    "JobID",
    "ReqCPUS",
    "ReqMem",
    "ReqNodes",
    "Constraints",
    "Submit",
    "Eligible",
    "Start",
    "Elapsed",
    "Suspended",
    "End",
    "ExitCode",
    "DerivedExitCode",
    "AllocNodes",
    "NCPUS",
    "MaxDiskRead",
    "MaxDiskWrite",
    "MaxPages",
    "MaxRSS",
    "MaxVMSize",
    "CPUTime",
    "UserCPU",
    "SystemCPU",
    "TotalCPU",
    "Partition",
];

/// One job that ran (or at least got a Start time), its steps folded in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    /// `JobID` as printed: `1234`, `1234_5` (array task), `1234+0` (heterogeneous component).
    pub id: String,
    /// Line of the job record in the file (1-based).
    pub line: u64,
    /// First word of State, upper case, without a trailing `+` (`CANCELLED by 32874` → `CANCELLED`).
    pub state: Arc<str>,
    /// The partition it ran in, when the dump says.
    pub partition: Option<Arc<str>>,
    /// Naive seconds (see [`super::time`]).
    pub submit: i64,
    /// When it could start (Eligible; Submit when the dump has no Eligible).
    pub eligible: i64,
    pub start: i64,
    pub end: i64,
    /// Runtime in seconds (Elapsed).
    pub elapsed: i64,
    /// CPUs allocated (NCPUS), the whole job.
    pub cores: u32,
    /// Nodes allocated (AllocNodes; ReqNodes when it got none).
    pub nodes: u32,
    /// Memory the job asked for / was given, the whole job, MiB (0: not recorded).
    pub memory_mib: u64,
    /// Largest MaxRSS of the job and its steps, MiB (one task's peak, as sacct reports it).
    pub peak_rss_mib: Option<u64>,
    /// GPUs of the whole job.
    pub gpus: u32,
    /// GPU model, lower case, when the dump names exactly one type.
    pub gpu_model: Option<Arc<str>>,
    /// `false` for jobs that have a Start but never held an allocation (AllocNodes 0, or CANCELLED
    /// with Elapsed 0): not replayed.
    pub allocated: bool,
    /// The node features the job asked for (`Constraints`, e.g. `m5.large` or `ib&avx512`), when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Arc<str>>,
    /// The licences it used or asked for (`license/NAME` of AllocTRES / ReqTRES), comma-joined, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<Arc<str>>,
}

impl Job {
    /// The one node feature the job asks for, when its constraint is a single feature (not `cloud`): a
    /// candidate instance type for bursting.
    pub fn single_feature(&self) -> Option<&str> {
        let c = self.constraints.as_deref()?.trim();
        let simple = !c.is_empty() && !c.contains(|ch: char| "&|,[]*()!:".contains(ch) || ch.is_whitespace());
        (simple && !c.eq_ignore_ascii_case("cloud")).then_some(c)
    }

    /// Seconds from eligible to start, as recorded.
    pub fn recorded_wait(&self) -> i64 {
        self.start - self.eligible
    }
}

/// Which layout the file used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SacctFormat {
    /// No header line: [`NOHEADER_FIELDS`] (25 fields, or 26 with Partition).
    NoHeader,
    /// A header line naming the fields (as the user wrote them).
    Header { columns: Vec<String> },
}

/// A parsed sacct dump.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobHistory {
    /// The file as the user named it.
    pub file: String,
    pub format: SacctFormat,
    /// Jobs in file order.
    pub jobs: Vec<Job>,
    /// Lines that did not become a job, by reason (`comment line`, `job step (folded into its job)`,
    /// `never started (PENDING)`, ...). Every non-job line of the file is counted exactly once.
    pub skipped: BTreeMap<String, u64>,
    /// Problems tolerated with `skip_malformed` (empty otherwise), capped like errors; serialized as
    /// their rendered text (`FILE:LINE: column 'X': message`).
    #[serde(serialize_with = "problems_as_text")]
    pub problems: Vec<Problem>,
    /// Header columns rocklift does not use.
    pub ignored_columns: Vec<String>,
}

impl JobHistory {
    /// Lines counted in `skipped`.
    pub fn skipped_lines(&self) -> u64 {
        self.skipped.values().sum()
    }
}

fn problems_as_text<S: serde::Serializer>(problems: &[Problem], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(problems.iter().map(ToString::to_string))
}

/// Choices for [`parse_sacct_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SacctOptions {
    /// Skip (and count) lines that cannot be read instead of failing.
    pub skip_malformed: bool,
}

/// Parse a sacct dump; any malformed line makes the whole file an `Error::Invalid` listing every problem.
pub fn parse_sacct(file: &str, text: &str) -> Result<JobHistory> {
    parse_sacct_with(file, text, &SacctOptions::default())
}

/// Parse a sacct dump with `options`.
pub fn parse_sacct_with(file: &str, text: &str, options: &SacctOptions) -> Result<JobHistory> {
    let mut p = Parser::new(file, options);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The newline that ends the last line does not start another one.
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut fields: Vec<&str> = Vec::with_capacity(32);
    for (i, raw) in body.split('\n').enumerate() {
        let line_no = i as u64 + 1;
        let line = raw.trim_ascii();
        if line.is_empty() {
            p.count(Skip::Blank);
            continue;
        }
        if line.starts_with('#') {
            p.count(Skip::Comment);
            continue;
        }
        split_fields(line, &mut fields);
        if p.layout.is_none() {
            if fields.len() == 1 {
                return Err(Error::Invalid(vec![Problem::at(
                    file,
                    line_no,
                    None,
                    "no '|' between fields: this is not `sacct --parsable2` output (run sacct with --parsable2)",
                )]));
            }
            if fields.iter().any(|f| is_jobid_name(f)) {
                p.read_header(line_no, line, &fields)?;
                p.count(Skip::Header);
                continue;
            }
            p.layout = Some(Layout::noheader());
        } else if p.header_text.as_deref() == Some(line) {
            p.count(Skip::Header);
            continue;
        }
        p.record(line_no, &fields);
    }
    p.finish()
}

/// Split a line at every `|` (sacct --parsable2 never pads or quotes fields).
fn split_fields<'a>(line: &'a str, out: &mut Vec<&'a str>) {
    out.clear();
    let mut from = 0;
    for (i, &b) in line.as_bytes().iter().enumerate() {
        if b == b'|' {
            out.push(line.get(from..i).unwrap_or(""));
            from = i + 1;
        }
    }
    out.push(line.get(from..).unwrap_or(""));
}

/// Reasons a line is skipped that every dump has many of (counted in an array, named at the end).
#[derive(Debug, Clone, Copy)]
enum Skip {
    Blank,
    Comment,
    Header,
    StepFolded,
    StepOfSkipped,
    StepWithoutJob,
    StillRunning,
    Malformed,
}

const SKIP_NAMES: [&str; 8] = [
    "blank line",
    "comment line",
    "header line",
    "job step (folded into its job)",
    "job step of a skipped job",
    "job step without its job line",
    "still running (End unknown)",
    "malformed line",
];

fn is_jobid_name(f: &str) -> bool {
    f.trim().eq_ignore_ascii_case("jobid") || f.trim().eq_ignore_ascii_case("jobidraw")
}

/// The fields rocklift reads or checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    JobId,
    JobIdRaw,
    State,
    Partition,
    Submit,
    Eligible,
    Start,
    End,
    Elapsed,
    ElapsedRaw,
    NCpus,
    ReqCpus,
    AllocNodes,
    ReqNodes,
    ReqMem,
    ReqTres,
    AllocTres,
    ReqGres,
    AllocGres,
    MaxRss,
    Constraints,
    /// Checked to be a duration, not used.
    Duration,
    /// Checked to be a size or count, not used.
    Size,
}

const F_COUNT: usize = 21;

fn slot(f: F) -> Option<usize> {
    Some(match f {
        F::JobId => 0,
        F::JobIdRaw => 1,
        F::State => 2,
        F::Partition => 3,
        F::Submit => 4,
        F::Eligible => 5,
        F::Start => 6,
        F::End => 7,
        F::Elapsed => 8,
        F::ElapsedRaw => 9,
        F::NCpus => 10,
        F::ReqCpus => 11,
        F::AllocNodes => 12,
        F::ReqNodes => 13,
        F::ReqMem => 14,
        F::ReqTres => 15,
        F::AllocTres => 16,
        F::ReqGres => 17,
        F::AllocGres => 18,
        F::MaxRss => 19,
        F::Constraints => 20,
        F::Duration | F::Size => return None,
    })
}

/// Field of a header name (case-insensitive), as sacct prints it.
fn field_of_name(name: &str) -> Option<F> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "jobid" => F::JobId,
        "jobidraw" => F::JobIdRaw,
        "state" => F::State,
        "partition" => F::Partition,
        "submit" => F::Submit,
        "eligible" => F::Eligible,
        "start" => F::Start,
        "end" => F::End,
        "elapsed" => F::Elapsed,
        "elapsedraw" => F::ElapsedRaw,
        "ncpus" | "alloccpus" => F::NCpus,
        "reqcpus" => F::ReqCpus,
        "allocnodes" | "nnodes" => F::AllocNodes,
        "reqnodes" => F::ReqNodes,
        "reqmem" => F::ReqMem,
        "reqtres" => F::ReqTres,
        "alloctres" => F::AllocTres,
        "reqgres" => F::ReqGres,
        "allocgres" => F::AllocGres,
        "maxrss" => F::MaxRss,
        "constraints" => F::Constraints,
        "suspended" | "cputime" | "usercpu" | "systemcpu" | "totalcpu" => F::Duration,
        "maxdiskread" | "maxdiskwrite" | "maxpages" | "maxvmsize" => F::Size,
        _ => return None,
    })
}

#[derive(Debug, Clone)]
struct Layout {
    /// Field index of each slot.
    at: [Option<usize>; F_COUNT],
    /// Name to use in messages, per slot.
    names: [&'static str; F_COUNT],
    /// Fields checked for form only: (index, kind, name).
    checked: Vec<(usize, F, String)>,
    /// Header names by index (header layout), for messages.
    header_names: Vec<String>,
    /// Expected field count (header layout); `None` for the no-header layout (25 or 26).
    width: Option<usize>,
}

impl Layout {
    fn noheader() -> Self {
        let mut l = Layout {
            at: [None; F_COUNT],
            names: [""; F_COUNT],
            checked: Vec::new(),
            header_names: Vec::new(),
            width: None,
        };
        for (i, name) in NOHEADER_FIELDS.iter().enumerate() {
            match field_of_name(name) {
                Some(f @ (F::Duration | F::Size)) => l.checked.push((i, f, (*name).to_owned())),
                Some(f) => {
                    if let Some(s) = slot(f) {
                        l.at[s] = Some(i);
                        l.names[s] = name;
                    }
                }
                None => {}
            }
        }
        l
    }

    fn get<'a>(&self, fields: &[&'a str], f: F) -> Option<&'a str> {
        let s = slot(f)?;
        self.at[s].and_then(|i| fields.get(i)).copied()
    }

    fn has(&self, f: F) -> bool {
        slot(f).is_some_and(|s| self.at[s].is_some())
    }

    /// The field's name as the file names it.
    fn name(&self, f: F) -> &str {
        match slot(f) {
            Some(s) => match self.at[s] {
                Some(i) if !self.header_names.is_empty() => {
                    self.header_names.get(i).map_or(self.names[s], |n| n.as_str())
                }
                _ => self.names[s],
            },
            None => "",
        }
    }
}

struct Parser<'o> {
    file: Arc<str>,
    options: &'o SacctOptions,
    layout: Option<Layout>,
    header_text: Option<String>,
    format: SacctFormat,
    ignored: Vec<String>,
    jobs: Vec<Job>,
    /// Jobs to drop at the end (a malformed step line in skip mode).
    dropped: Vec<bool>,
    skipped: BTreeMap<String, u64>,
    counts: [u64; SKIP_NAMES.len()],
    problems: Vec<Problem>,
    /// JobID → index of its latest job record; built on the first step that does not follow its job.
    index: Option<FxHashMap<String, u32>>,
    /// The JobID of the last job line that was skipped (its steps are counted with it).
    last_skipped_id: Option<String>,
    interned: FxHashMap<String, Arc<str>>,
}

/// The problems found on one line so far.
struct LineProblems {
    list: Vec<Problem>,
}

impl<'o> Parser<'o> {
    fn new(file: &str, options: &'o SacctOptions) -> Self {
        Parser {
            file: Arc::from(file),
            options,
            layout: None,
            header_text: None,
            format: SacctFormat::NoHeader,
            ignored: Vec::new(),
            jobs: Vec::new(),
            dropped: Vec::new(),
            skipped: BTreeMap::new(),
            counts: [0; SKIP_NAMES.len()],
            problems: Vec::new(),
            index: None,
            last_skipped_id: None,
            interned: FxHashMap::default(),
        }
    }

    fn count(&mut self, s: Skip) {
        self.counts[s as usize] += 1;
    }

    fn skip(&mut self, reason: &str) {
        match self.skipped.get_mut(reason) {
            Some(n) => *n += 1,
            None => {
                self.skipped.insert(reason.to_owned(), 1);
            }
        }
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.interned.insert(s.to_owned(), a.clone());
        a
    }

    fn read_header(&mut self, line_no: u64, line: &str, fields: &[&str]) -> Result<()> {
        let mut l = Layout {
            at: [None; F_COUNT],
            names: [""; F_COUNT],
            checked: Vec::new(),
            header_names: fields.iter().map(|f| f.trim().to_owned()).collect(),
            width: Some(fields.len()),
        };
        let mut problems = Vec::new();
        for (i, raw) in fields.iter().enumerate() {
            let name = raw.trim();
            match field_of_name(name) {
                Some(f @ (F::Duration | F::Size)) => l.checked.push((i, f, name.to_owned())),
                Some(f) => {
                    if let Some(s) = slot(f) {
                        if l.at[s].is_some() {
                            problems.push(Problem::at(
                                &self.file,
                                line_no,
                                Some(name),
                                "this field is named twice in the header",
                            ));
                        }
                        l.at[s] = Some(i);
                    }
                }
                None if name.is_empty() && i + 1 == fields.len() => {}
                None => self.ignored.push(name.to_owned()),
            }
        }
        let mut missing = Vec::new();
        if !l.has(F::JobId) && !l.has(F::JobIdRaw) {
            missing.push("JobID");
        }
        if !l.has(F::Submit) {
            missing.push("Submit");
        }
        if !l.has(F::Start) {
            missing.push("Start");
        }
        if !l.has(F::End) && !l.has(F::Elapsed) && !l.has(F::ElapsedRaw) {
            missing.push("End or Elapsed");
        }
        if ![F::NCpus, F::ReqCpus, F::AllocTres, F::ReqTres].iter().any(|f| l.has(*f)) {
            missing.push("a CPU count (NCPUS, AllocCPUS, ReqCPUS, AllocTRES or ReqTRES)");
        }
        if ![F::AllocNodes, F::ReqNodes, F::AllocTres, F::ReqTres].iter().any(|f| l.has(*f)) {
            missing.push("a node count (AllocNodes, NNodes, ReqNodes, AllocTRES or ReqTRES)");
        }
        if !missing.is_empty() {
            problems.push(Problem::at(
                &self.file,
                line_no,
                None,
                format!(
                    "the header lacks fields the replay needs: {}; run sacct with \
                     --format=JobID,State,Partition,Submit,Eligible,Start,End,Elapsed,NCPUS,NNodes,ReqMem,AllocTRES",
                    missing.join(", ")
                ),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        self.format = SacctFormat::Header { columns: l.header_names.clone() };
        self.header_text = Some(line.to_owned());
        self.layout = Some(l);
        Ok(())
    }

    fn record(&mut self, line_no: u64, fields: &[&str]) {
        let Some(layout) = self.layout.take() else { return };
        self.record_with(&layout, line_no, fields);
        self.layout = Some(layout);
    }

    fn record_with(&mut self, layout: &Layout, line_no: u64, fields: &[&str]) {
        let mut lp = LineProblems { list: Vec::new() };
        let width_ok = match layout.width {
            Some(w) => fields.len() == w,
            None => fields.len() == 25 || fields.len() == 26 || (fields.len() == 27 && fields[26].trim().is_empty()),
        };
        let id = layout.get(fields, F::JobId).filter(|s| !s.is_empty()).or_else(|| layout.get(fields, F::JobIdRaw));
        if !width_ok {
            let expected = match layout.width {
                Some(w) => format!("{w} (as many as the header names)"),
                None => "25 or 26 (State|JobID|...|TotalCPU[|Partition]); is the line cut short?".to_owned(),
            };
            lp.list.push(Problem::at(
                &self.file,
                line_no,
                None,
                format!("{} fields; expected {expected}", fields.len()),
            ));
            self.malformed(lp, id);
            return;
        }
        let Some(id) = id.filter(|s| !s.is_empty()) else {
            lp.list.push(Problem::at(&self.file, line_no, Some(layout.name(F::JobId)), "empty JobID"));
            self.malformed(lp, None);
            return;
        };
        match id.split_once('.') {
            Some((base, _step)) => self.step(layout, line_no, fields, base, lp),
            None => self.job(layout, line_no, fields, id, lp),
        }
    }

    /// Record a line's problems: as errors, or (skip mode) as tolerated problems with the line skipped.
    fn malformed(&mut self, lp: LineProblems, id: Option<&str>) {
        if self.options.skip_malformed {
            self.count(Skip::Malformed);
            match id.map(|i| i.split_once('.')) {
                Some(Some((base, _))) => {
                    if let Some(j) = self.find_job(base) {
                        if let Some(d) = self.dropped.get_mut(j) {
                            *d = true;
                        }
                    }
                }
                Some(None) => self.last_skipped_id = id.map(str::to_owned),
                None => {}
            }
        }
        self.problems.extend(lp.list);
    }

    fn find_job(&mut self, base: &str) -> Option<usize> {
        if let Some(last) = self.jobs.last() {
            if last.id == base {
                return Some(self.jobs.len() - 1);
            }
        }
        if self.index.is_none() {
            let mut m = FxHashMap::default();
            for (i, j) in self.jobs.iter().enumerate() {
                m.insert(j.id.clone(), i as u32);
            }
            self.index = Some(m);
        }
        self.index.as_ref().and_then(|m| m.get(base)).map(|&i| i as usize)
    }

    fn check_forms(&self, layout: &Layout, line_no: u64, fields: &[&str], lp: &mut LineProblems) {
        for (i, kind, name) in &layout.checked {
            let Some(&v) = fields.get(*i) else { continue };
            if v.is_empty() {
                continue;
            }
            let ok = match kind {
                F::Duration => parse_duration(v).is_some() || v.eq_ignore_ascii_case("invalid"),
                // Old sacct puts the ReqMem-style c/n letter on disk sizes too (`0.07Mn`).
                _ => parse_size(v, Plain::Bytes, true).is_some(),
            };
            if !ok {
                let what = if *kind == F::Duration {
                    "a duration [DD-][HH:]MM:SS[.mmm]"
                } else {
                    "a size or count such as 0.07M or 15160"
                };
                lp.list.push(Problem::at(&self.file, line_no, Some(name), format!("'{v}' is not {what}")));
            }
        }
    }

    fn max_rss(&self, layout: &Layout, line_no: u64, fields: &[&str], lp: &mut LineProblems) -> Option<u64> {
        let v = layout.get(fields, F::MaxRss).filter(|v| !v.is_empty())?;
        match parse_size(v, Plain::Bytes, false) {
            Some((bytes, _)) => Some(mib_ceil(bytes)),
            None => {
                lp.list.push(Problem::at(
                    &self.file,
                    line_no,
                    Some(layout.name(F::MaxRss)),
                    format!("'{v}' is not a memory size such as 114944K"),
                ));
                None
            }
        }
    }

    fn step(&mut self, layout: &Layout, line_no: u64, fields: &[&str], base: &str, mut lp: LineProblems) {
        self.check_forms(layout, line_no, fields, &mut lp);
        let rss = self.max_rss(layout, line_no, fields, &mut lp);
        let id = layout.get(fields, F::JobId).or_else(|| layout.get(fields, F::JobIdRaw));
        if !lp.list.is_empty() {
            self.malformed(lp, id);
            return;
        }
        if self.last_skipped_id.as_deref() == Some(base) {
            self.count(Skip::StepOfSkipped);
            return;
        }
        match self.find_job(base) {
            Some(j) => {
                if let (Some(r), Some(job)) = (rss, self.jobs.get_mut(j)) {
                    job.peak_rss_mib = Some(job.peak_rss_mib.map_or(r, |p| p.max(r)));
                }
                self.count(Skip::StepFolded);
            }
            None => self.count(Skip::StepWithoutJob),
        }
    }

    fn job(&mut self, layout: &Layout, line_no: u64, fields: &[&str], id: &str, mut lp: LineProblems) {
        let file_arc = self.file.clone();
        let file: &str = &file_arc;
        let state_text = layout.get(fields, F::State).unwrap_or("");
        let state_word = state_text.split_whitespace().next().unwrap_or("").trim_end_matches('+').to_ascii_uppercase();
        let start_text = layout.get(fields, F::Start).unwrap_or("");
        if is_unset_time(start_text) {
            let reason = if state_word.is_empty() {
                "never started (Start unknown)".to_owned()
            } else {
                format!("never started ({state_word})")
            };
            self.skip(&reason);
            self.last_skipped_id = Some(id.to_owned());
            return;
        }
        let end_text = layout.get(fields, F::End).unwrap_or("");
        if layout.has(F::End) && is_unset_time(end_text) {
            self.count(Skip::StillRunning);
            self.last_skipped_id = Some(id.to_owned());
            return;
        }
        let time = |f: F, required: bool, lp: &mut LineProblems| -> Option<i64> {
            let v = layout.get(fields, f).unwrap_or("");
            if is_unset_time(v) {
                if required {
                    lp.list.push(Problem::at(
                        file,
                        line_no,
                        Some(layout.name(f)),
                        "empty; expected a time such as 2022-02-18T17:32:41",
                    ));
                }
                return None;
            }
            let t = parse_timestamp(v);
            if t.is_none() {
                lp.list.push(Problem::at(
                    file,
                    line_no,
                    Some(layout.name(f)),
                    format!("'{v}' is not a time such as 2022-02-18T17:32:41"),
                ));
            }
            t
        };
        let submit = time(F::Submit, true, &mut lp);
        let eligible = time(F::Eligible, false, &mut lp);
        let start = time(F::Start, true, &mut lp);
        let end = time(F::End, false, &mut lp);
        let count = |f: F, lp: &mut LineProblems| -> Option<u32> {
            let v = layout.get(fields, f).filter(|v| !v.is_empty())?;
            match v.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    lp.list.push(Problem::at(
                        file,
                        line_no,
                        Some(layout.name(f)),
                        format!("'{v}' is not a whole number"),
                    ));
                    None
                }
            }
        };
        let ncpus = count(F::NCpus, &mut lp);
        let req_cpus = count(F::ReqCpus, &mut lp);
        let alloc_nodes = count(F::AllocNodes, &mut lp);
        let req_nodes = count(F::ReqNodes, &mut lp);
        let tres = |f: F, lp: &mut LineProblems| -> Tres {
            let Some(v) = layout.get(fields, f).filter(|v| !v.is_empty()) else { return Tres::default() };
            parse_tres(v).unwrap_or_else(|e| {
                lp.list.push(Problem::at(file, line_no, Some(layout.name(f)), e));
                Tres::default()
            })
        };
        let alloc_tres = tres(F::AllocTres, &mut lp);
        let req_tres = tres(F::ReqTres, &mut lp);
        let gres = |f: F, lp: &mut LineProblems| -> Gpus {
            let Some(v) = layout.get(fields, f).filter(|v| !v.is_empty()) else { return Gpus::default() };
            parse_gres(v).unwrap_or_else(|e| {
                lp.list.push(Problem::at(file, line_no, Some(layout.name(f)), e));
                Gpus::default()
            })
        };
        let alloc_gres = gres(F::AllocGres, &mut lp);
        let req_gres = gres(F::ReqGres, &mut lp);
        let elapsed = match layout.get(fields, F::Elapsed).filter(|v| !v.is_empty()) {
            Some(v) => {
                let d = parse_duration(v);
                if d.is_none() {
                    lp.list.push(Problem::at(
                        file,
                        line_no,
                        Some(layout.name(F::Elapsed)),
                        format!("'{v}' is not a duration [DD-][HH:]MM:SS"),
                    ));
                }
                d
            }
            None => match layout.get(fields, F::ElapsedRaw).filter(|v| !v.is_empty()) {
                Some(v) => match v.parse::<i64>() {
                    Ok(n) if n >= 0 => Some(n),
                    _ => {
                        lp.list.push(Problem::at(
                            file,
                            line_no,
                            Some(layout.name(F::ElapsedRaw)),
                            format!("'{v}' is not a number of seconds"),
                        ));
                        None
                    }
                },
                None => match (start, end) {
                    (Some(s), Some(e)) => Some((e - s).max(0)),
                    _ => {
                        if start.is_some() && end.is_none() && lp.list.is_empty() {
                            lp.list.push(Problem::at(
                                file,
                                line_no,
                                Some(layout.name(F::End)),
                                "empty, and there is no Elapsed to tell the runtime",
                            ));
                        }
                        None
                    }
                },
            },
        };
        let rss = self.max_rss(layout, line_no, fields, &mut lp);
        self.check_forms(layout, line_no, fields, &mut lp);

        let cores = [ncpus, alloc_tres.cpu, req_cpus, req_tres.cpu].into_iter().flatten().find(|&n| n > 0).unwrap_or(1);
        let nodes = [alloc_nodes, alloc_tres.node, req_nodes, req_tres.node]
            .into_iter()
            .flatten()
            .find(|&n| n > 0)
            .unwrap_or(1);
        let req_mem = match layout.get(fields, F::ReqMem).filter(|v| !v.is_empty()) {
            Some(v) => match parse_size(v, Plain::Mib, true) {
                Some((bytes, per)) => Some(match per {
                    MemPer::Job => bytes,
                    MemPer::Cpu => bytes * u128::from(cores),
                    MemPer::Node => bytes * u128::from(nodes),
                }),
                None => {
                    lp.list.push(Problem::at(
                        file,
                        line_no,
                        Some(layout.name(F::ReqMem)),
                        format!("'{v}' is not a memory size such as 4G, 100Mc (per CPU) or 0.5Gn (per node)"),
                    ));
                    None
                }
            },
            None => None,
        };
        if !lp.list.is_empty() {
            self.malformed(lp, Some(id));
            return;
        }
        let (Some(submit), Some(start)) = (submit, start) else { return };
        let elapsed = elapsed.unwrap_or(0);
        let memory_bytes = alloc_tres.mem_bytes.or(req_mem).or(req_tres.mem_bytes).unwrap_or(0);
        let gpus = [&alloc_tres.gpus, &req_tres.gpus, &alloc_gres, &req_gres].into_iter().find(|g| !g.is_empty());
        let (gpu_count, model) = gpus.map(Gpus::resolve).unwrap_or((0, None));
        let allocated = alloc_nodes != Some(0) && !(state_word == "CANCELLED" && elapsed == 0);
        let state = self.intern(&state_word);
        let partition = layout.get(fields, F::Partition).filter(|p| !p.is_empty()).map(|p| self.intern(p));
        let gpu_model = model.map(|m| self.intern(&m));
        let constraints = layout
            .get(fields, F::Constraints)
            .map(str::trim)
            .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("(null)"))
            .map(|c| self.intern(c));
        let mut licenses: Vec<&str> =
            alloc_tres.licenses.iter().chain(&req_tres.licenses).map(String::as_str).collect();
        licenses.sort_unstable();
        licenses.dedup();
        let licenses = (!licenses.is_empty()).then(|| self.intern(&licenses.join(",")));
        let job = Job {
            id: id.to_owned(),
            line: line_no,
            state,
            partition,
            submit,
            eligible: eligible.unwrap_or(submit),
            start,
            end: end.unwrap_or(start + elapsed),
            elapsed,
            cores,
            nodes,
            memory_mib: mib_ceil(memory_bytes),
            peak_rss_mib: rss,
            gpus: gpu_count,
            gpu_model,
            allocated,
            constraints,
            licenses,
        };
        if let Some(index) = self.index.as_mut() {
            index.insert(job.id.clone(), self.jobs.len() as u32);
        }
        self.last_skipped_id = None;
        self.jobs.push(job);
        self.dropped.push(false);
    }

    fn finish(mut self) -> Result<JobHistory> {
        for (name, &n) in SKIP_NAMES.iter().zip(self.counts.iter()) {
            if n > 0 {
                *self.skipped.entry((*name).to_owned()).or_insert(0) += n;
            }
        }
        if !self.options.skip_malformed && !self.problems.is_empty() {
            return Err(Error::Invalid(super::cap_problems(&self.file, self.problems)));
        }
        if self.dropped.iter().any(|d| *d) {
            let mut keep = Vec::with_capacity(self.jobs.len());
            let mut n = 0;
            for (job, drop) in self.jobs.into_iter().zip(self.dropped) {
                if drop {
                    n += 1;
                } else {
                    keep.push(job);
                }
            }
            self.jobs = keep;
            *self.skipped.entry("job with a malformed step line".to_owned()).or_insert(0) += n;
        }
        if self.layout.is_none() && self.jobs.is_empty() && self.skipped.is_empty() {
            return Err(Error::Invalid(vec![Problem::at(
                &self.file,
                1,
                None,
                "the file is empty; expected sacct --parsable2 output",
            )]));
        }
        Ok(JobHistory {
            file: self.file.to_string(),
            format: self.format,
            jobs: self.jobs,
            skipped: self.skipped,
            problems: super::cap_problems(&self.file, self.problems),
            ignored_columns: self.ignored,
        })
    }
}
