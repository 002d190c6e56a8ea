//! Schedule text (a preset or weekly windows, with an optional IANA time zone) in; the exact hours it runs per
//! month, a normalized description and EventBridge Scheduler start/stop cron pairs out.
//!
//! Grammar (case-insensitive, `;` separates windows):
//!
//! - presets: `always`, `business-hours` (Mon-Fri 08:00-18:00), `extended-hours` (Mon-Sat 07:00-22:00),
//!   `weekdays` (Mon-Fri 00:00-24:00), `nightly:HH-HH` (every day, e.g. `nightly:22-06` runs 22:00 to 06:00
//!   the next morning);
//! - windows: `DAYS HH:MM-HH:MM` where DAYS is a day (`Mon`, `Monday`), a range (`Mon-Fri`, wrapping `Fri-Mon`)
//!   or a list (`Mon,Wed,Fri`); the end may be `24:00`; an end at or before the start crosses midnight into the
//!   next day (so `08:00-08:00` is 24 hours);
//! - a time zone anywhere: a bare IANA name (`Europe/Berlin`, `UTC`), `tz=Europe/Berlin` or `(Europe/Berlin)`.
//!   Without one, the zone given to [`Schedule::parse`] applies.
//!
//! Overlapping or touching windows are merged, so an hour is never counted twice.
//!
//! Hours are real elapsed time in the schedule's zone during [`REFERENCE_YEAR`] (a non-leap year of 8760 hours):
//! the ON time inside [Jan 1 00:00, next Jan 1 00:00) local, divided by 12. Local times are turned into instants
//! by one rule: a local time skipped by a spring-forward change becomes the first instant after the gap, and a
//! local time repeated by a fall-back change takes its earliest instant. So `Sun 01:00-04:00 Europe/Berlin` is
//! 2 h on 2026-03-29 and 4 h on 2026-10-25. A schedule that is on all week is exactly 730 h/month.
//!
//! Pure: no clock, no environment.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::HOURS_PER_MONTH;

/// The year hours are counted over: a fixed non-leap year (8760 hours, 365 days, Jan 1 a Thursday), so results
/// never depend on the day rocklift runs.
pub const REFERENCE_YEAR: i32 = 2026;

const MIN_PER_DAY: u32 = 24 * 60;
const MIN_PER_WEEK: u32 = 7 * MIN_PER_DAY;
/// ON seconds in a year per hour in a month: 3600 s an hour, 12 months.
const YEAR_SECONDS_PER_MONTH_HOUR: i64 = 3600 * 12;
/// 8760 hours: [`REFERENCE_YEAR`] is not a leap year.
const REFERENCE_YEAR_SECONDS: i64 = 365 * 24 * 3600;

const EXPECTED: &str = "expected a preset (always, business-hours, extended-hours, weekdays, nightly:HH-HH) or \
windows such as 'Mon-Fri 07:30-19:00; Sat 09:00-13:00' with an optional IANA time zone such as 'Europe/Berlin'";

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The zone of schedules that name none (unless settings say otherwise): UTC.
pub fn default_tz() -> Tz {
    Tz::UTC
}

/// One EventBridge Scheduler start/stop pair, both cron expressions in the schedule's own time zone
/// ([`Schedule::tz`]), e.g. `cron(0 8 ? * MON-FRI *)` / `cron(0 18 ? * MON-FRI *)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CronPair {
    pub start: String,
    pub stop: String,
}

/// One stretch of ON time in the week: minutes from Monday 00:00 local, and a length of 1..=10080 minutes
/// (it may run past Sunday 24:00 into the next week).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn day(self) -> u32 {
        self.start / MIN_PER_DAY
    }

    fn time_of_day(self) -> u32 {
        self.start % MIN_PER_DAY
    }
}

/// When a machine runs: merged weekly windows in one time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ScheduleRepr", try_from = "ScheduleRepr")]
pub struct Schedule {
    text: String,
    tz: Tz,
    /// Merged, disjoint, not touching, sorted by start; `[Span { 0, MIN_PER_WEEK }]` when always on.
    spans: Vec<Span>,
    /// ON seconds during [`REFERENCE_YEAR`].
    year_seconds: i64,
}

/// The serialized form: what the user wrote, what it means, and its hours.
#[derive(Serialize, Deserialize)]
struct ScheduleRepr {
    text: String,
    description: String,
    time_zone: String,
    hours_per_month: Decimal,
}

impl From<Schedule> for ScheduleRepr {
    fn from(s: Schedule) -> Self {
        ScheduleRepr {
            description: s.describe(),
            time_zone: s.tz().to_owned(),
            hours_per_month: s.hours_per_month(),
            text: s.text,
        }
    }
}

impl TryFrom<ScheduleRepr> for Schedule {
    type Error = String;

    fn try_from(r: ScheduleRepr) -> Result<Self, Self::Error> {
        let tz = resolve_tz(&r.time_zone).ok_or_else(|| format!("unknown time zone '{}'", r.time_zone))?;
        Schedule::parse(&r.text, tz)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl FromStr for Schedule {
    type Err = String;

    /// Parses with [`default_tz`] for text that names no zone.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Schedule::parse(s, default_tz())
    }
}

/// A parsed `DAYS HH:MM-HH:MM` window, times in minutes of the day (end 1..=1440).
struct Window {
    days: [bool; 7],
    start: u32,
    end: u32,
}

impl Window {
    fn every_day(start: u32, end: u32) -> Window {
        Window { days: [true; 7], start, end }
    }

    fn days(days: &[usize], start: u32, end: u32) -> Window {
        let mut set = [false; 7];
        for &d in days {
            set[d] = true;
        }
        Window { days: set, start, end }
    }

    fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        let len = if self.end > self.start { self.end - self.start } else { self.end + MIN_PER_DAY - self.start };
        (0..7u32).filter(|&d| self.days[d as usize]).map(move |d| Span { start: d * MIN_PER_DAY + self.start, len })
    }
}

impl Schedule {
    /// Parses schedule text; `default_tz` applies when the text names no zone. The error says what was wrong
    /// and what was expected.
    pub fn parse(text: &str, default_tz: Tz) -> Result<Schedule, String> {
        let fail = |detail: String| format!("schedule '{}': {detail}; {EXPECTED}", text.trim());
        if text.trim().is_empty() {
            return Err(fail("it is empty".into()));
        }
        let mut tz: Option<Tz> = None;
        let mut windows = Vec::new();
        for segment in text.split(';') {
            let mut tokens = Vec::new();
            for token in segment.split_whitespace() {
                match time_zone_token(token) {
                    TzToken::Zone(found) => match tz {
                        Some(prev) if prev != found => {
                            return Err(fail(format!(
                                "it names two time zones, '{}' and '{}'; give one",
                                prev.name(),
                                found.name()
                            )))
                        }
                        _ => tz = Some(found),
                    },
                    TzToken::Unknown(name) => {
                        return Err(format!(
                            "schedule '{}': unknown time zone '{name}'; expected an IANA time zone such as \
                             'Europe/Berlin', 'America/New_York' or 'UTC'",
                            text.trim()
                        ))
                    }
                    TzToken::NotZone => tokens.push(token),
                }
            }
            if !tokens.is_empty() {
                windows.extend(parse_segment(&tokens).map_err(fail)?);
            }
        }
        if windows.is_empty() {
            return Err(fail("it names a time zone but no windows".into()));
        }
        let tz = tz.unwrap_or(default_tz);
        let spans = merge(windows.iter().flat_map(Window::spans).collect());
        let mut schedule = Schedule { text: text.trim().to_owned(), tz, spans, year_seconds: 0 };
        schedule.year_seconds = if schedule.is_always() {
            REFERENCE_YEAR_SECONDS
        } else {
            schedule.on_seconds(year_start(REFERENCE_YEAR), year_start(REFERENCE_YEAR + 1))
        };
        Ok(schedule)
    }

    /// The text as the user wrote it (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The IANA name of the schedule's time zone.
    pub fn tz(&self) -> &str {
        self.tz.name()
    }

    /// The schedule's time zone.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// True when the windows cover the whole week (`always`, or e.g. `Mon-Sun 00:00-24:00`).
    pub fn is_always(&self) -> bool {
        self.spans == [Span { start: 0, len: MIN_PER_WEEK }]
    }

    /// ON hours per month: the exact ON time during [`REFERENCE_YEAR`] divided by 12 (730 when always on).
    /// Exact whenever the quotient terminates (2610 h/yr → 217.5); otherwise `Decimal`'s 28 digits.
    pub fn hours_per_month(&self) -> Decimal {
        if self.is_always() {
            return HOURS_PER_MONTH;
        }
        (Decimal::from(self.year_seconds) / Decimal::from(YEAR_SECONDS_PER_MONTH_HOUR)).normalize()
    }

    /// ON hours during [`REFERENCE_YEAR`] (8760 when always on).
    pub fn hours_per_year(&self) -> Decimal {
        (Decimal::from(self.year_seconds) / Decimal::from(3600)).normalize()
    }

    /// ON hours in the local interval [`from`, `to`) of the schedule's zone, real elapsed time (a night with a
    /// spring-forward change is an hour shorter).
    pub fn hours_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> Decimal {
        (Decimal::from(self.on_seconds(from, to)) / Decimal::from(3600)).normalize()
    }

    /// Normalized text that parses back to the same schedule, e.g. `Mon-Fri 08:00-18:00 (Europe/Berlin)`.
    /// Windows longer than a day are cut at midnight (`weekdays` reads `Mon-Fri 00:00-24:00`).
    pub fn describe(&self) -> String {
        if self.is_always() {
            return format!("always ({})", self.tz());
        }
        // (time of day, length) → days, each piece at most one day long.
        let mut groups: BTreeMap<(u32, u32), [bool; 7]> = BTreeMap::new();
        for span in &self.spans {
            if span.len <= MIN_PER_DAY {
                groups.entry((span.time_of_day(), span.len)).or_default()[span.day() as usize] = true;
                continue;
            }
            let (mut pos, mut left) = (span.start, span.len);
            while left > 0 {
                let tod = pos % MIN_PER_DAY;
                let piece = left.min(MIN_PER_DAY - tod);
                groups.entry((tod, piece)).or_default()[((pos / MIN_PER_DAY) % 7) as usize] = true;
                pos += piece;
                left -= piece;
            }
        }
        let mut windows: Vec<(usize, u32, String)> = groups
            .into_iter()
            .map(|((tod, len), days)| {
                let end = tod + len;
                let end = if end == MIN_PER_DAY { "24:00".to_owned() } else { clock(end % MIN_PER_DAY) };
                let (first, days_text) = human_days(&days);
                (first, tod, format!("{days_text} {}-{end}", clock(tod)))
            })
            .collect();
        windows.sort();
        let text: Vec<String> = windows.into_iter().map(|(_, _, w)| w).collect();
        format!("{} ({})", text.join("; "), self.tz())
    }

    /// EventBridge Scheduler start/stop cron pairs in the schedule's zone; none when always on. Contiguous ON time
    /// is one pair even across midnight (`weekdays` starts Monday 00:00 and stops Saturday 00:00), and windows
    /// with the same times share a pair with a day-of-week list.
    pub fn eventbridge_pairs(&self) -> Vec<CronPair> {
        if self.is_always() {
            return Vec::new();
        }
        // (start time of day, stop time of day, days from start to stop) → start days.
        let mut groups: BTreeMap<(u32, u32, u32), [bool; 7]> = BTreeMap::new();
        for span in &self.spans {
            let stop = (span.start + span.len) % MIN_PER_WEEK;
            let shift = (stop / MIN_PER_DAY + 7 - span.day()) % 7;
            groups.entry((span.time_of_day(), stop % MIN_PER_DAY, shift)).or_default()[span.day() as usize] = true;
        }
        let mut pairs: Vec<(usize, u32, CronPair)> = groups
            .into_iter()
            .map(|((start, stop, shift), days)| {
                let mut stop_days = [false; 7];
                for (d, on) in days.iter().enumerate() {
                    stop_days[(d + shift as usize) % 7] |= *on;
                }
                let first = days.iter().position(|&on| on).unwrap_or(0);
                (first, start, CronPair { start: cron(start, &days), stop: cron(stop, &stop_days) })
            })
            .collect();
        pairs.sort();
        pairs.into_iter().map(|(_, _, p)| p).collect()
    }

    /// ON seconds inside the local interval [from, to).
    fn on_seconds(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        let (lo, hi) = (to_instant(self.tz, from), to_instant(self.tz, to));
        if hi <= lo {
            return 0;
        }
        if self.is_always() {
            return hi - lo;
        }
        let mut intervals = Vec::new();
        // A span lasts at most a week, so one starting up to 7 days before `from` can still reach into it.
        let mut date = from.date() - TimeDelta::days(7);
        while date <= to.date() {
            let weekday = date.weekday().num_days_from_monday();
            for span in self.spans.iter().filter(|s| s.day() == weekday) {
                let start = date.and_time(NaiveTime::MIN) + TimeDelta::minutes(i64::from(span.time_of_day()));
                let end = start + TimeDelta::minutes(i64::from(span.len));
                let (a, b) = (to_instant(self.tz, start).max(lo), to_instant(self.tz, end).min(hi));
                if b > a {
                    intervals.push((a, b));
                }
            }
            date += TimeDelta::days(1);
        }
        intervals.sort_unstable();
        let mut total = 0;
        let mut current: Option<(i64, i64)> = None;
        for (a, b) in intervals {
            current = match current {
                Some((ca, cb)) if a <= cb => Some((ca, cb.max(b))),
                Some((ca, cb)) => {
                    total += cb - ca;
                    Some((a, b))
                }
                None => Some((a, b)),
            };
        }
        total + current.map_or(0, |(a, b)| b - a)
    }
}

/// Jan 1 00:00 of `year`, local.
fn year_start(year: i32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(year, 1, 1).expect("January 1 exists").and_time(NaiveTime::MIN)
}

/// Seconds since the epoch of a local time: a time skipped by a spring-forward change becomes the first instant
/// after the gap; a time repeated by a fall-back change takes the earliest instant.
fn to_instant(tz: Tz, local: NaiveDateTime) -> i64 {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
        LocalResult::None => {
            // Zone changes fall on whole minutes, so the first local minute that exists again is the end of the
            // gap, and its earliest instant is the instant of the change.
            let mut probe = local;
            for _ in 0..2 * MIN_PER_DAY {
                probe += TimeDelta::minutes(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(t) => return t.timestamp(),
                    LocalResult::Ambiguous(a, b) => return a.timestamp().min(b.timestamp()),
                    LocalResult::None => {}
                }
            }
            // No zone has a gap of two days; read the time as UTC rather than fail.
            local.and_utc().timestamp()
        }
    }
}

/// Sorts and merges spans (overlapping or touching, also across Sunday 24:00).
fn merge(spans: Vec<Span>) -> Vec<Span> {
    let mut linear: Vec<(u32, u32)> = Vec::new();
    for s in spans {
        let end = s.start + s.len;
        if end <= MIN_PER_WEEK {
            linear.push((s.start, end));
        } else {
            linear.push((s.start, MIN_PER_WEEK));
            linear.push((0, end - MIN_PER_WEEK));
        }
    }
    linear.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (a, b) in linear {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut out: Vec<Span> = merged.iter().map(|&(a, b)| Span { start: a, len: b - a }).collect();
    // A span touching Sunday 24:00 and one starting Monday 00:00 are one stretch of time.
    if out.len() > 1 && merged[0].0 == 0 && merged[merged.len() - 1].1 == MIN_PER_WEEK {
        let head = out.remove(0);
        if let Some(last) = out.last_mut() {
            last.len += head.len;
        }
    }
    out
}

enum TzToken {
    Zone(Tz),
    Unknown(String),
    NotZone,
}

/// Reads a token as a time zone: `tz=NAME`, `(NAME)`, anything with a `/`, or a bare zone name such as `UTC`.
fn time_zone_token(token: &str) -> TzToken {
    let lower = token.to_ascii_lowercase();
    let explicit = if lower.starts_with("tz=") {
        Some(&token[3..])
    } else if token.len() > 2 && token.starts_with('(') && token.ends_with(')') {
        Some(&token[1..token.len() - 1])
    } else if token.contains('/') {
        Some(token)
    } else {
        None
    };
    match explicit {
        Some(name) => resolve_tz(name).map_or_else(|| TzToken::Unknown(name.to_owned()), TzToken::Zone),
        None if token.contains(':') || token.contains(',') || parse_days(token).is_ok() || preset(&lower).is_some() => {
            TzToken::NotZone
        }
        None => resolve_tz(token).map_or(TzToken::NotZone, TzToken::Zone),
    }
}

/// An IANA zone by name, exact first, then ignoring ASCII case.
fn resolve_tz(name: &str) -> Option<Tz> {
    Tz::from_str(name)
        .ok()
        .or_else(|| chrono_tz::TZ_VARIANTS.iter().copied().find(|z| z.name().eq_ignore_ascii_case(name)))
}

/// The windows of one `;`-separated part (time zone tokens already removed).
fn parse_segment(tokens: &[&str]) -> Result<Vec<Window>, String> {
    if let [one] = tokens {
        let lower = one.to_ascii_lowercase();
        if let Some(windows) = preset(&lower) {
            return windows;
        }
    }
    let Some(at) = tokens.iter().position(|t| t.contains(':')) else {
        let text = tokens.join(" ");
        if let Some(t) = tokens.iter().find(|t| t.starts_with(|c: char| c.is_ascii_digit())) {
            return Err(format!("'{t}' is not a time range HH:MM-HH:MM such as 08:00-18:00"));
        }
        match parse_days(&tokens.concat()) {
            Err(_) if tokens.len() == 1 => return Err(format!("'{text}' is neither a preset nor a window")),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        return Err(format!("'{text}' has no times HH:MM-HH:MM after it"));
    };
    let times = tokens[at];
    if at == 0 {
        return Err(format!("'{times}' has no days before it"));
    }
    if let Some(extra) = tokens.get(at + 1) {
        return Err(format!(
            "'{extra}' after '{times}' is neither an IANA time zone such as 'Europe/Berlin' nor a new window \
             (separate windows with ';')"
        ));
    }
    let days = parse_days(&tokens[..at].concat())?;
    let (start, end) = parse_times(times)?;
    Ok(vec![Window { days, start, end }])
}

/// A preset by its lower-case name (`_` may stand for `-`); `None` when the token is no preset.
fn preset(lower: &str) -> Option<Result<Vec<Window>, String>> {
    const WEEKDAYS: [usize; 5] = [0, 1, 2, 3, 4];
    let name = lower.replace('_', "-");
    let windows = match name.as_str() {
        "always" => vec![Window::every_day(0, MIN_PER_DAY)],
        "business-hours" => vec![Window::days(&WEEKDAYS, 8 * 60, 18 * 60)],
        "extended-hours" => vec![Window::days(&[0, 1, 2, 3, 4, 5], 7 * 60, 22 * 60)],
        "weekdays" => vec![Window::days(&WEEKDAYS, 0, MIN_PER_DAY)],
        _ => {
            let hours = name.strip_prefix("nightly:")?;
            let parsed = hours
                .split_once('-')
                .ok_or_else(|| format!("'{lower}' must be nightly:HH-HH such as nightly:22-06"))
                .and_then(|(a, b)| Ok((preset_time(a, false)?, preset_time(b, true)?)));
            return Some(parsed.map(|(start, end)| vec![Window::every_day(start, end)]));
        }
    };
    Some(Ok(windows))
}

/// `HH` or `HH:MM` in a `nightly:` preset.
fn preset_time(text: &str, is_end: bool) -> Result<u32, String> {
    if text.contains(':') {
        return parse_time(text, is_end);
    }
    match text.parse::<u32>() {
        Ok(h) if h < 24 || (is_end && h == 24) => Ok(h * 60),
        _ => Err(format!("'{text}' is not an hour in nightly:HH-HH (00-23, or 24 as an end)")),
    }
}

/// `HH:MM-HH:MM` → (start, end) minutes of the day.
fn parse_times(text: &str) -> Result<(u32, u32), String> {
    let (a, b) = text.split_once('-').ok_or_else(|| format!("'{text}' is not a time range HH:MM-HH:MM"))?;
    Ok((parse_time(a, false)?, parse_time(b, true)?))
}

/// `HH:MM` → minutes of the day; `24:00` only as an end.
fn parse_time(text: &str, is_end: bool) -> Result<u32, String> {
    let bad = || format!("'{text}' is not a valid time (HH:MM from 00:00 to 23:59, or 24:00 as an end)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, max_len: usize| !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    match (h, m) {
        (0..=23, 0..=59) => Ok(h * 60 + m),
        (24, 0) if is_end => Ok(MIN_PER_DAY),
        (24, 0) => Err(format!("'{text}' can only end a window, not start one")),
        _ => Err(bad()),
    }
}

/// `Mon`, `Mon-Fri`, `Fri-Mon` (wraps), `Mon,Wed,Fri` → the set of days, Monday first.
fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut set = [false; 7];
    let mut any = false;
    for item in text.split(',').filter(|s| !s.is_empty()) {
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    set[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => set[day(item)?] = true,
        }
        any = true;
    }
    if any {
        Ok(set)
    } else {
        Err(format!("'{text}' names no days"))
    }
}

/// A day name (short or long, any case) → 0 (Monday) ..= 6 (Sunday).
fn day(text: &str) -> Result<usize, String> {
    const NAMES: [&[&str]; 7] = [
        &["mon", "monday"],
        &["tue", "tues", "tuesday"],
        &["wed", "wednesday"],
        &["thu", "thur", "thurs", "thursday"],
        &["fri", "friday"],
        &["sat", "saturday"],
        &["sun", "sunday"],
    ];
    let lower = text.to_ascii_lowercase();
    NAMES
        .iter()
        .position(|names| names.contains(&lower.as_str()))
        .ok_or_else(|| format!("unknown day '{text}' (days are Mon, Tue, Wed, Thu, Fri, Sat, Sun or their full names)"))
}

/// Minutes of the day → `HH:MM`.
fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Days as people write them (`Mon-Fri`, `Fri-Mon`, `Mon,Wed,Fri`, `Mon-Sun`) and the index of the first one
/// (for ordering).
fn human_days(days: &[bool; 7]) -> (usize, String) {
    if days.iter().all(|&d| d) {
        return (0, "Mon-Sun".into());
    }
    // Start at Monday unless Monday is inside a run that wraps from Sunday; then start where that run starts.
    let mut start = 0;
    if days[0] && days[6] {
        start = 6;
        while days[start - 1] {
            start -= 1;
        }
    }
    let order: Vec<usize> = (0..7).map(|i| (start + i) % 7).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !days[order[i]] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < 7 && days[order[j + 1]] {
            j += 1;
        }
        parts.push(if i == j {
            DAY_NAMES[order[i]].to_owned()
        } else {
            format!("{}-{}", DAY_NAMES[order[i]], DAY_NAMES[order[j]])
        });
        i = j + 1;
    }
    let first = if start == 0 { days.iter().position(|&d| d).unwrap_or(0) } else { start };
    (first, parts.join(","))
}

/// An EventBridge cron at a time of day on a set of days (Monday first). The day-of-week field counts
/// SUN(1)..SAT(7), so ranges are only formed in that order and never wrap.
fn cron(minutes: u32, days: &[bool; 7]) -> String {
    const AWS: [(usize, &str); 7] =
        [(6, "SUN"), (0, "MON"), (1, "TUE"), (2, "WED"), (3, "THU"), (4, "FRI"), (5, "SAT")];
    let dow = if days.iter().all(|&d| d) {
        "*".to_owned()
    } else {
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            if !days[AWS[i].0] {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < 7 && days[AWS[j + 1].0] {
                j += 1;
            }
            parts.push(if i == j { AWS[i].1.to_owned() } else { format!("{}-{}", AWS[i].1, AWS[j].1) });
            i = j + 1;
        }
        parts.join(",")
    };
    format!("cron({} {} ? * {dow} *)", minutes % 60, minutes / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Schedule {
        Schedule::parse(text, Tz::UTC).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn merge_joins_across_the_week_end() {
        let s = utc("Sun 22:00-24:00; Mon 00:00-02:00");
        assert_eq!(s.spans, vec![Span { start: 6 * MIN_PER_DAY + 22 * 60, len: 240 }]);
        assert_eq!(s.describe(), "Sun 22:00-02:00 (UTC)");
    }

    #[test]
    fn whole_week_is_always() {
        assert!(utc("Mon-Sun 00:00-24:00").is_always());
        assert!(utc("Mon-Sun 08:00-08:00").is_always());
        assert!(utc("always").is_always());
        assert!(!utc("Mon-Sat 00:00-24:00").is_always());
    }

    #[test]
    fn days_read_and_written() {
        assert_eq!(parse_days("Fri-Mon"), Ok([true, false, false, false, true, true, true]));
        assert_eq!(human_days(&[true, false, false, false, true, true, true]), (4, "Fri-Mon".into()));
        assert_eq!(human_days(&[true, false, true, false, true, false, false]), (0, "Mon,Wed,Fri".into()));
        assert_eq!(human_days(&[true, false, false, false, false, true, true]).1, "Sat-Mon");
        assert_eq!(human_days(&[true, true, true, true, true, true, true]).1, "Mon-Sun");
    }

    #[test]
    fn cron_days_never_wrap() {
        assert_eq!(cron(8 * 60, &[true, true, true, true, true, false, false]), "cron(0 8 ? * MON-FRI *)");
        assert_eq!(cron(30, &[false, false, false, false, false, true, true]), "cron(30 0 ? * SUN,SAT *)");
        assert_eq!(cron(0, &[true, false, false, false, true, true, true]), "cron(0 0 ? * SUN-MON,FRI-SAT *)");
        assert_eq!(cron(22 * 60, &[true; 7]), "cron(0 22 ? * * *)");
    }

    #[test]
    fn time_zone_tokens() {
        assert!(matches!(time_zone_token("tz=Europe/Berlin"), TzToken::Zone(Tz::Europe__Berlin)));
        assert!(matches!(time_zone_token("(europe/berlin)"), TzToken::Zone(Tz::Europe__Berlin)));
        assert!(matches!(time_zone_token("UTC"), TzToken::Zone(Tz::UTC)));
        assert!(matches!(time_zone_token("Europe/Berln"), TzToken::Unknown(_)));
        assert!(matches!(time_zone_token("Mon-Fri"), TzToken::NotZone));
        assert!(matches!(time_zone_token("08:00-18:00"), TzToken::NotZone));
    }

    #[test]
    fn gap_maps_to_the_change_and_fold_to_the_earliest() {
        let berlin = Tz::Europe__Berlin;
        let at = |d: u32, h: u32, m: u32| {
            NaiveDate::from_ymd_opt(2026, 3, d).and_then(|x| x.and_hms_opt(h, m, 0)).expect("valid")
        };
        // 02:30 on 2026-03-29 does not exist; the change is at 01:00 UTC.
        assert_eq!(to_instant(berlin, at(29, 2, 30)), to_instant(Tz::UTC, at(29, 1, 0)));
        let oct = NaiveDate::from_ymd_opt(2026, 10, 25).and_then(|x| x.and_hms_opt(2, 30, 0)).expect("valid");
        let oct_utc = NaiveDate::from_ymd_opt(2026, 10, 25).and_then(|x| x.and_hms_opt(0, 30, 0)).expect("valid");
        assert_eq!(to_instant(berlin, oct), to_instant(Tz::UTC, oct_utc));
    }
}
