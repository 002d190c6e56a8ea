//! Schedules: exact hours per month against numbers counted by hand on the 2026 calendar, daylight-saving nights,
//! parse errors, EventBridge cron pairs, serde, and properties checked against an independent minute counter.
//!
//! The 2026 calendar used throughout: 365 days = 52 weeks + 1 day. Jan 1 and Dec 31 are both Thursdays, so
//! Thursday occurs 53 times and every other weekday 52 times. Mon-Fri: 4 x 52 + 53 = 261 days; Mon-Sat: 313.
//! Dec 31 2025 was a Wednesday.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use proptest::prelude::*;
use rocklift::schedule::{default_tz, CronPair, Schedule, REFERENCE_YEAR};
use rust_decimal::Decimal;

fn parse(text: &str) -> Schedule {
    Schedule::parse(text, Tz::UTC).unwrap_or_else(|e| panic!("{e}"))
}

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

/// `hours` a year as hours per month, computed here from the hand count.
fn per_month(hours: i64) -> Decimal {
    (dec(hours) / dec(12)).normalize()
}

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).and_then(|x| x.and_hms_opt(h, 0, 0)).expect("valid date")
}

/// ON hours of the local day `y-m-d` (00:00 to next 00:00).
fn hours_on(s: &Schedule, y: i32, m: u32, d: u32) -> Decimal {
    let from = at(y, m, d, 0);
    s.hours_between(from, from + chrono::TimeDelta::days(1))
}

fn pair(start: &str, stop: &str) -> CronPair {
    CronPair { start: start.into(), stop: stop.into() }
}

#[test]
fn reference_year_is_2026() {
    assert_eq!(REFERENCE_YEAR, 2026);
    assert_eq!(default_tz(), Tz::UTC);
}

#[test]
fn always_is_730() {
    // 8760 h / 12.
    let s = parse("always");
    assert!(s.is_always());
    assert_eq!(s.hours_per_month(), dec(730));
    assert_eq!(s.hours_per_year(), dec(8760));
    // In a zone with daylight saving the year still has 8760 real hours: one spring-forward (-1 h) and one
    // fall-back (+1 h).
    let berlin = Schedule::parse("always Europe/Berlin", Tz::UTC).expect("parses");
    assert_eq!(berlin.hours_per_month(), dec(730));
    assert_eq!(berlin.hours_between(at(2026, 1, 1, 0), at(2027, 1, 1, 0)), dec(8760));
    // Windows covering the whole week are "always" too.
    assert!(parse("Mon-Sun 00:00-24:00").is_always());
    assert_eq!(parse("Mon-Sun 00:00-12:00; Mon-Sun 12:00-24:00").hours_per_month(), dec(730));
}

#[test]
fn business_hours() {
    // 261 weekdays x 10 h = 2610 h; / 12 = 217.5.
    let s = parse("business-hours");
    assert_eq!(s.hours_per_year(), dec(2610));
    assert_eq!(s.hours_per_month(), Decimal::new(2175, 1));
    assert_eq!(s.hours_per_month().to_string(), "217.5");
}

#[test]
fn extended_hours() {
    // Mon-Sat: 261 + 52 Saturdays = 313 days x 15 h (07:00-22:00) = 4695 h; / 12 = 391.25.
    let s = parse("extended-hours");
    assert_eq!(s.hours_per_year(), dec(4695));
    assert_eq!(s.hours_per_month(), Decimal::new(39125, 2));
}

#[test]
fn weekdays() {
    // 261 days x 24 h = 6264 h; / 12 = 522.
    let s = parse("weekdays");
    assert_eq!(s.hours_per_year(), dec(6264));
    assert_eq!(s.hours_per_month(), dec(522));
}

#[test]
fn nightly_counts_only_the_part_inside_the_year() {
    // nightly:22-06, every day 22:00 to 06:00 the next morning, counted inside [2026-01-01, 2027-01-01):
    //   the window of Dec 31 2025 reaches into the year: Jan 1 00:00-06:00       =    6 h
    //   the windows starting Jan 1 .. Dec 30 2026 lie wholly inside: 364 x 8 h    = 2912 h
    //   the window of Dec 31 2026 counts only 22:00-24:00                         =    2 h
    //   total 2920 h (= 365 x 8: the 6 h borrowed from 2025 equal the 6 h lent to 2027); / 12 = 243.333...
    let s = parse("nightly:22-06");
    assert_eq!(s.hours_per_year(), dec(2920));
    assert_eq!(s.hours_per_month(), per_month(2920));
    assert_eq!(hours_on(&s, 2026, 1, 1), dec(8)); // 00-06 from Dec 31 2025, 22-24 of its own
    assert_eq!(s.hours_between(at(2026, 12, 31, 0), at(2027, 1, 1, 0)), dec(8));
}

#[test]
fn nightly_with_minutes_and_24() {
    // nightly:00-24 is every day all day.
    assert!(parse("nightly:00-24").is_always());
    // nightly:20:30-23:00: 2.5 h x 365 = 912.5 h; / 12 = 76.041666...
    let s = parse("nightly:20:30-23:00");
    assert_eq!(s.hours_per_year(), Decimal::new(9125, 1));
}

#[test]
fn window_crossing_midnight() {
    // Fri 22:00-02:00 is 4 h each Friday; 52 Fridays (Jan 2 .. Dec 25). No Friday window straddles a year end:
    // Dec 26 2025's ends Dec 27 2025, Dec 25 2026's ends Dec 26 2026. 208 h; / 12 = 17.333...
    let s = parse("Fri 22:00-02:00");
    assert_eq!(s.hours_per_year(), dec(208));
    assert_eq!(s.hours_per_month(), per_month(208));
    assert_eq!(hours_on(&s, 2026, 1, 2), dec(2)); // Friday: 22-24
    assert_eq!(hours_on(&s, 2026, 1, 3), dec(2)); // Saturday: 00-02

    // Wednesdays: 52 in 2026 (Jan 7 .. Dec 30) x 4 h = 208 h, plus 2 h on Jan 1 from Wed Dec 31 2025 = 210 h.
    assert_eq!(parse("Wed 22:00-02:00").hours_per_year(), dec(210));
    // Thursdays: 53 x 4 h = 212 h, less the 2 h of Thu Dec 31 2026 that fall in 2027 = 210 h; / 12 = 17.5.
    let thu = parse("Thu 22:00-02:00");
    assert_eq!(thu.hours_per_year(), dec(210));
    assert_eq!(thu.hours_per_month(), Decimal::new(175, 1));
}

#[test]
fn sunday_night_across_daylight_saving_in_berlin() {
    // Europe/Berlin 2026: clocks go 02:00 CET -> 03:00 CEST on Sunday March 29 and 03:00 CEST -> 02:00 CET on
    // Sunday October 25. Sun 01:00-04:00 is 3 h on the wall clock but:
    //   Mar 29: 01:00 CET = 00:00 UTC, 04:00 CEST = 02:00 UTC -> 2 h (1 h less)
    //   Oct 25: 01:00 CEST = 23:00 UTC (Sat), 04:00 CET = 03:00 UTC -> 4 h (1 h more)
    let berlin = Schedule::parse("Sun 01:00-04:00 Europe/Berlin", Tz::UTC).expect("parses");
    let utc = parse("Sun 01:00-04:00");
    assert_eq!(berlin.tz(), "Europe/Berlin");
    assert_eq!(hours_on(&utc, 2026, 3, 29), dec(3));
    assert_eq!(hours_on(&berlin, 2026, 3, 29), dec(2));
    assert_eq!(hours_on(&utc, 2026, 10, 25), dec(3));
    assert_eq!(hours_on(&berlin, 2026, 10, 25), dec(4));
    assert_eq!(hours_on(&berlin, 2026, 3, 22), dec(3));
    // Over the year: 52 Sundays x 3 h = 156 h in UTC; Berlin is 156 - 1 + 1 = 156. Both 13 per month.
    assert_eq!(utc.hours_per_year(), dec(156));
    assert_eq!(berlin.hours_per_year(), dec(156));
    assert_eq!(berlin.hours_per_month(), dec(13));
}

#[test]
fn skipped_and_repeated_local_times() {
    // Sun 02:00-02:30 Europe/Berlin. A skipped local time becomes the first instant after the gap; a repeated
    // one takes its earliest instant.
    //   Mar 29: 02:00 and 02:30 do not exist; both become 01:00 UTC -> 0 h
    //   Oct 25: 02:00 and 02:30 happen twice; the earliest are 00:00 and 00:30 UTC -> 0.5 h
    //   the other 50 Sundays: 0.5 h each = 25 h. Total 25.5 h; / 12 = 2.125.
    let s = Schedule::parse("Sun 02:00-02:30 tz=Europe/Berlin", Tz::UTC).expect("parses");
    assert_eq!(hours_on(&s, 2026, 3, 29), dec(0));
    assert_eq!(hours_on(&s, 2026, 10, 25), Decimal::new(5, 1));
    assert_eq!(s.hours_per_year(), Decimal::new(255, 1));
    assert_eq!(s.hours_per_month(), Decimal::new(2125, 3));
}

#[test]
fn half_hour_daylight_saving_on_lord_howe() {
    // Australia/Lord_Howe is +10:30 in winter and +11 in summer. 2026: back 02:00 -> 01:30 on Sunday April 5,
    // forward 02:00 -> 02:30 on Sunday October 4. Sun 01:00-03:00:
    //   Apr 5: 01:00 (+11) = 14:00 UTC, 03:00 (+10:30) = 16:30 UTC -> 2.5 h
    //   Oct 4: 01:00 (+10:30) = 14:30 UTC, 03:00 (+11) = 16:00 UTC -> 1.5 h
    //   year: 52 x 2 h = 104 h (the half hours cancel).
    let s = Schedule::parse("Sun 01:00-03:00 (Australia/Lord_Howe)", Tz::UTC).expect("parses");
    assert_eq!(hours_on(&s, 2026, 4, 5), Decimal::new(25, 1));
    assert_eq!(hours_on(&s, 2026, 10, 4), Decimal::new(15, 1));
    assert_eq!(s.hours_per_year(), dec(104));
}

#[test]
fn daytime_windows_do_not_feel_daylight_saving() {
    // Changes happen at night, so business hours are 261 x 10 h in any of these zones.
    for tz in ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"] {
        let s = Schedule::parse(&format!("business-hours {tz}"), Tz::UTC).expect("parses");
        assert_eq!(s.tz(), tz);
        assert_eq!(s.hours_per_month(), Decimal::new(2175, 1), "{tz}");
    }
}

#[test]
fn overlapping_windows_are_merged() {
    // Mon-Fri 08:00-18:00 (2610 h) plus Mon 12:00-20:00, which adds only 18:00-20:00 = 2 h on each of 52
    // Mondays = 104 h. 2714 h; / 12 = 226.1666...
    let s = parse("Mon-Fri 08:00-18:00; Mon 12:00-20:00");
    assert_eq!(s.hours_per_year(), dec(2714));
    assert_eq!(s.hours_per_month(), per_month(2714));
    assert_eq!(s.describe(), "Mon 08:00-20:00; Tue-Fri 08:00-18:00 (UTC)");
    // A window inside another adds nothing; the same window twice counts once.
    assert_eq!(parse("Mon-Fri 08:00-18:00; Mon-Fri 09:00-17:00").hours_per_year(), dec(2610));
    assert_eq!(parse("business-hours; business-hours").hours_per_year(), dec(2610));
    // Touching windows join: 08:00-12:00 and 12:00-18:00 on weekdays are business hours.
    assert_eq!(parse("Mon-Fri 08:00-12:00; Mon-Fri 12:00-18:00").describe(), "Mon-Fri 08:00-18:00 (UTC)");
}

#[test]
fn day_forms_and_time_zone_positions() {
    let expected = parse("business-hours").hours_per_month();
    for text in [
        "Mon-Fri 08:00-18:00",
        "monday-friday 08:00-18:00",
        "MON-FRI 08:00-18:00",
        "Mon,Tue,Wed,Thu,Fri 08:00-18:00",
        "Mon, Tue, Wed, Thu, Fri 08:00-18:00",
        "Mon-Wed,Thu-Fri 08:00-18:00",
        "business_hours",
        "Business-Hours",
    ] {
        assert_eq!(parse(text).hours_per_month(), expected, "{text}");
    }
    for text in [
        "Mon-Fri 08:00-18:00 Europe/Berlin",
        "tz=Europe/Berlin Mon-Fri 08:00-18:00",
        "Mon-Fri 08:00-18:00 TZ=europe/berlin",
        "Mon-Fri 08:00-18:00 (Europe/Berlin)",
        "Europe/Berlin; Mon-Fri 08:00-18:00",
        "business-hours Europe/Berlin",
    ] {
        let s = parse(text);
        assert_eq!(s.tz(), "Europe/Berlin", "{text}");
        assert_eq!(s.describe(), "Mon-Fri 08:00-18:00 (Europe/Berlin)", "{text}");
    }
    // Without a zone in the text the given default applies.
    let s = Schedule::parse("Mon-Fri 08:00-18:00", Tz::Asia__Tokyo).expect("parses");
    assert_eq!(s.tz(), "Asia/Tokyo");
    // Wrapping range: Fri, Sat, Sun, Mon.
    let s = parse("Fri-Mon 10:00-12:00");
    assert_eq!(s.describe(), "Fri-Mon 10:00-12:00 (UTC)");
    // 52 Fridays + 52 Saturdays + 52 Sundays + 52 Mondays = 208 days x 2 h = 416 h.
    assert_eq!(s.hours_per_year(), dec(416));
}

#[test]
fn describe_is_normalized() {
    assert_eq!(parse("always").describe(), "always (UTC)");
    assert_eq!(parse("business-hours").describe(), "Mon-Fri 08:00-18:00 (UTC)");
    assert_eq!(parse("extended-hours").describe(), "Mon-Sat 07:00-22:00 (UTC)");
    assert_eq!(parse("weekdays").describe(), "Mon-Fri 00:00-24:00 (UTC)");
    assert_eq!(parse("nightly:22-06").describe(), "Mon-Sun 22:00-06:00 (UTC)");
    assert_eq!(parse("fri 22:00-02:00").describe(), "Fri 22:00-02:00 (UTC)");
    assert_eq!(parse("Mon 08:00-08:00").describe(), "Mon 08:00-08:00 (UTC)");
    assert_eq!(parse("Sat-Sun 00:00-24:00").describe(), "Sat-Sun 00:00-24:00 (UTC)");
    assert_eq!(parse("Wed 09:00-10:00; Mon 09:00-10:00").describe(), "Mon,Wed 09:00-10:00 (UTC)");
    assert_eq!(parse("Mon-Fri 08:00-18:00").to_string(), "Mon-Fri 08:00-18:00 (UTC)");
}

#[test]
fn eventbridge_pairs() {
    assert!(parse("always").eventbridge_pairs().is_empty());
    assert_eq!(
        parse("business-hours").eventbridge_pairs(),
        vec![pair("cron(0 8 ? * MON-FRI *)", "cron(0 18 ? * MON-FRI *)")]
    );
    assert_eq!(
        parse("extended-hours").eventbridge_pairs(),
        vec![pair("cron(0 7 ? * MON-SAT *)", "cron(0 22 ? * MON-SAT *)")]
    );
    // Weekdays run Monday 00:00 straight through to Saturday 00:00: no stop and start at each midnight.
    assert_eq!(parse("weekdays").eventbridge_pairs(), vec![pair("cron(0 0 ? * MON *)", "cron(0 0 ? * SAT *)")]);
    assert_eq!(parse("nightly:22-06").eventbridge_pairs(), vec![pair("cron(0 22 ? * * *)", "cron(0 6 ? * * *)")]);
    assert_eq!(parse("Fri 22:00-02:00").eventbridge_pairs(), vec![pair("cron(0 22 ? * FRI *)", "cron(0 2 ? * SAT *)")]);
    assert_eq!(
        parse("Mon-Fri 22:00-06:30").eventbridge_pairs(),
        vec![pair("cron(0 22 ? * MON-FRI *)", "cron(30 6 ? * TUE-SAT *)")]
    );
    // Ending at 24:00 stops at 0:00 the next day.
    assert_eq!(parse("Wed 18:00-24:00").eventbridge_pairs(), vec![pair("cron(0 18 ? * WED *)", "cron(0 0 ? * THU *)")]);
    // A weekend across the Sunday/Monday boundary of the cron week; ranges never wrap SAT -> SUN.
    assert_eq!(
        parse("Sat-Sun 00:00-24:00").eventbridge_pairs(),
        vec![pair("cron(0 0 ? * SAT *)", "cron(0 0 ? * MON *)")]
    );
    assert_eq!(
        parse("Sat,Sun 10:00-11:00").eventbridge_pairs(),
        vec![pair("cron(0 10 ? * SUN,SAT *)", "cron(0 11 ? * SUN,SAT *)")]
    );
    assert_eq!(
        parse("Mon-Fri 08:00-18:00; Mon 12:00-20:00").eventbridge_pairs(),
        vec![
            pair("cron(0 8 ? * MON *)", "cron(0 20 ? * MON *)"),
            pair("cron(0 8 ? * TUE-FRI *)", "cron(0 18 ? * TUE-FRI *)"),
        ]
    );
}

#[test]
fn serializes_as_a_small_struct() {
    let s = Schedule::parse("business-hours Europe/Berlin", Tz::UTC).expect("parses");
    let json = serde_json::to_value(&s).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({
            "text": "business-hours Europe/Berlin",
            "description": "Mon-Fri 08:00-18:00 (Europe/Berlin)",
            "time_zone": "Europe/Berlin",
            "hours_per_month": "217.5",
        })
    );
    let back: Schedule = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, s);
    // The zone of a text that names none is kept.
    let tokyo = Schedule::parse("Mon 09:00-10:00", Tz::Asia__Tokyo).expect("parses");
    let back: Schedule = serde_json::from_str(&serde_json::to_string(&tokyo).expect("ser")).expect("de");
    assert_eq!(back.tz(), "Asia/Tokyo");
}

fn error(text: &str) -> String {
    match Schedule::parse(text, Tz::UTC) {
        Ok(s) => panic!("'{text}' parsed as {s}"),
        Err(e) => e,
    }
}

#[test]
fn parse_errors_say_what_was_expected() {
    let e = error("Mon-Fry 08:00-18:00");
    assert!(e.contains("'Mon-Fry 08:00-18:00'"), "{e}");
    assert!(e.contains("unknown day 'Fry'"), "{e}");
    assert!(e.contains("expected a preset (always, business-hours, extended-hours, weekdays, nightly:HH-HH)"), "{e}");
    assert!(e.contains("'Mon-Fri 07:30-19:00; Sat 09:00-13:00'"), "{e}");
    assert!(e.contains("'Europe/Berlin'"), "{e}");

    let e = error("Mon 25:00-26:00");
    assert!(e.contains("'25:00' is not a valid time"), "{e}");
    assert!(error("Mon 08:60-09:00").contains("'08:60'"));
    assert!(error("Mon 24:00-02:00").contains("'24:00' can only end a window"));

    let e = error("Mon-Fri 08:00-18:00 Europe/Berln");
    assert!(e.contains("unknown time zone 'Europe/Berln'"), "{e}");
    assert!(error("business-hours tz=Mars/Olympus").contains("unknown time zone 'Mars/Olympus'"));

    assert!(error("").contains("empty"));
    assert!(error("busines-hours").contains("'busines-hours' is neither a preset nor a window"));
    assert!(error("08:00-18:00").contains("no days"));
    assert!(error("Mon-Fri").contains("no times"));
    assert!(error("Mon-Fri 8-18").contains("'8-18' is not a time range"));
    assert!(error("nightly:22").contains("nightly:HH-HH"));
    assert!(error("nightly:25-06").contains("'25'"));
    assert!(error("Europe/Berlin").contains("no windows"));
    assert!(error("Mon 08:00-18:00 UTC Europe/Berlin").contains("two time zones"));
    assert!(error("Mon-Fri 08:00-18:00 Berlin").contains("'Berlin' after '08:00-18:00'"));
}

// ---- properties ---------------------------------------------------------------------------------------------

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const ZONES: [&str; 5] = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];

/// A window on a 15-minute grid: day mask (bit 0 = Monday), start and end minute of the day (end 15..=1440).
#[derive(Debug, Clone)]
struct W {
    days: u8,
    start: u32,
    end: u32,
}

impl W {
    fn text(&self) -> String {
        let days: Vec<&str> = (0..7).filter(|d| self.days & (1 << d) != 0).map(|d| DAYS[d]).collect();
        format!(
            "{} {:02}:{:02}-{:02}:{:02}",
            days.join(","),
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }

    fn on_day(&self, weekday: u32) -> bool {
        self.days & (1 << weekday) != 0
    }

    fn crosses_midnight(&self) -> bool {
        self.end <= self.start
    }

    /// Whether minute `t` of a day with weekday `wd` (0 = Monday) is inside this window, by the definition:
    /// the window opens at `start` on each of its days and closes at `end` that day, or the next day when
    /// `end <= start`.
    fn covers(&self, wd: u32, t: u32) -> bool {
        let today =
            self.on_day(wd) && if self.crosses_midnight() { t >= self.start } else { t >= self.start && t < self.end };
        let from_yesterday = self.on_day((wd + 6) % 7) && self.crosses_midnight() && t < self.end;
        today || from_yesterday
    }
}

fn window() -> impl Strategy<Value = W> {
    (1u8..128, 0u32..96, 1u32..=96).prop_map(|(days, s, e)| W { days, start: s * 15, end: e * 15 })
}

fn text_of(ws: &[W], zone: &str) -> String {
    let parts: Vec<String> = ws.iter().map(W::text).collect();
    format!("{} {zone}", parts.join("; "))
}

/// ON minutes in 2026 in UTC, counted slot by slot (15 minutes) without the code under test.
fn oracle_minutes_utc(ws: &[W]) -> i64 {
    let mut date = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut minutes = 0;
    while date.year() == 2026 {
        let wd = date.weekday().num_days_from_monday();
        for slot in 0..96 {
            if ws.iter().any(|w| w.covers(wd, slot * 15)) {
                minutes += 15;
            }
        }
        date = date.succ_opt().expect("next day");
    }
    minutes
}

/// Parses `cron(M H ? * DOW *)` into (minute of day, days with bit 0 = Monday).
fn read_cron(cron: &str) -> (u32, u8) {
    let inner = cron.strip_prefix("cron(").and_then(|c| c.strip_suffix(')')).expect("cron(...)");
    let f: Vec<&str> = inner.split(' ').collect();
    assert_eq!(f.len(), 6, "{cron}");
    assert_eq!((f[2], f[3], f[5]), ("?", "*", "*"), "{cron}");
    let minute: u32 = f[0].parse().expect("minute");
    let hour: u32 = f[1].parse().expect("hour");
    assert!(minute < 60 && hour < 24, "{cron}");
    // EventBridge numbers SUN=1 .. SAT=7; ranges must not wrap.
    let aws = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let idx = |n: &str| aws.iter().position(|a| *a == n).unwrap_or_else(|| panic!("{cron}: day {n}"));
    let mut days = 0u8;
    if f[4] == "*" {
        days = 127;
    } else {
        for item in f[4].split(',') {
            let (a, b) = match item.split_once('-') {
                Some((a, b)) => (idx(a), idx(b)),
                None => (idx(item), idx(item)),
            };
            assert!(a <= b, "{cron}: wrapping range");
            for d in a..=b {
                days |= 1 << ((d + 6) % 7);
            }
        }
    }
    (hour * 60 + minute, days)
}

proptest! {
    #[test]
    fn hours_stay_within_a_month(ws in prop::collection::vec(window(), 1..4), zone in 0usize..ZONES.len()) {
        let s = parse(&text_of(&ws, ZONES[zone]));
        let h = s.hours_per_month();
        prop_assert!(h >= Decimal::ZERO && h <= dec(730), "{h}");
        if s.is_always() {
            prop_assert_eq!(h, dec(730));
        }
    }

    #[test]
    fn adding_a_window_never_reduces_hours(
        ws in prop::collection::vec(window(), 1..4),
        extra in window(),
        zone in 0usize..ZONES.len(),
    ) {
        let before = parse(&text_of(&ws, ZONES[zone])).hours_per_month();
        let mut more = ws.clone();
        more.push(extra.clone());
        let after = parse(&text_of(&more, ZONES[zone])).hours_per_month();
        prop_assert!(after >= before, "{before} -> {after}");
        // ...and never adds more than the window alone.
        let alone = parse(&text_of(&[extra], ZONES[zone])).hours_per_month();
        prop_assert!(after <= before + alone + Decimal::new(1, 20), "{before} + {alone} < {after}");
    }

    #[test]
    fn describe_parses_back_to_the_same_schedule(
        ws in prop::collection::vec(window(), 1..4),
        zone in 0usize..ZONES.len(),
    ) {
        let s = parse(&text_of(&ws, ZONES[zone]));
        let again = Schedule::parse(&s.describe(), Tz::UTC).map_err(TestCaseError::fail)?;
        prop_assert_eq!(again.hours_per_month(), s.hours_per_month());
        prop_assert_eq!(again.describe(), s.describe());
        prop_assert_eq!(again.eventbridge_pairs(), s.eventbridge_pairs());
        prop_assert_eq!(again.tz(), ZONES[zone]);
    }

    #[test]
    fn utc_hours_match_a_slot_count(ws in prop::collection::vec(window(), 1..4)) {
        let s = parse(&text_of(&ws, "UTC"));
        let minutes = oracle_minutes_utc(&ws);
        prop_assert_eq!(s.hours_per_year(), (dec(minutes) / dec(60)).normalize());
    }

    #[test]
    fn cron_pairs_replay_the_week(ws in prop::collection::vec(window(), 1..4)) {
        let s = parse(&text_of(&ws, "UTC"));
        let pairs = s.eventbridge_pairs();
        prop_assert_eq!(pairs.is_empty(), s.is_always());
        if s.is_always() {
            return Ok(());
        }
        // Events at minute-of-week: +1 start, -1 stop. Never both at one instant, never twice the same.
        let mut events: Vec<(u32, i8)> = Vec::new();
        for p in &pairs {
            for (cron, kind) in [(&p.start, 1i8), (&p.stop, -1i8)] {
                let (minute, days) = read_cron(cron);
                for d in 0..7 {
                    if days & (1 << d) != 0 {
                        events.push((d * 1440 + minute, kind));
                    }
                }
            }
        }
        events.sort_unstable();
        for two in events.windows(2) {
            prop_assert!(two[0].0 != two[1].0, "two events at minute {} of the week", two[0].0);
        }
        // Starts and stops alternate around the week.
        for (i, e) in events.iter().enumerate() {
            let next = events[(i + 1) % events.len()];
            prop_assert!(e.1 != next.1, "{:?} then {:?}", e, next);
        }
        // Replay: the state at each 15-minute slot of the week is that of the latest event at or before it.
        for slot in 0..(7 * 96) {
            let t = slot * 15;
            let last = events.iter().rev().find(|e| e.0 <= t).or(events.last()).map(|e| e.1);
            let on = last == Some(1);
            let expected = ws.iter().any(|w| w.covers(t / 1440, t % 1440));
            prop_assert_eq!(on, expected, "minute {} of the week", t);
        }
    }
}

#[test]
fn reference_window_is_the_whole_year() {
    // Jan 1 2026 00:00 to Jan 1 2027 00:00, no more: a Mon-Sun 23:00-01:00 schedule is 2 h x 365 = 730 h
    // (Jan 1 gets 00:00-01:00 from Dec 31 2025 and loses Dec 31 2026's 00:00-01:00 of Jan 1 2027).
    let s = parse("Mon-Sun 23:00-01:00");
    assert_eq!(s.hours_per_year(), dec(730));
    assert_eq!(hours_on(&s, 2026, 1, 1), dec(2));
}
