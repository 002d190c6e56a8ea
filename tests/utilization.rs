//! Utilization history: p50 / p95 / max per server over a window, confidence stars, and located problems,
//! checked against figures worked out by hand from the fixtures in `tests/fixtures/utilization/`.
//!
//! Reminders used below (see `src/utilization.rs` and `src/utilization/histogram.rs`):
//! - nearest rank: the p-th percentile of n samples is the sample of rank ceil(p × n / 100);
//! - percentages are reported as the upper edge of their 0.1-point bin (15.01 → 15.1, 88.3 → 88.3);
//! - rates (IOPS, Mbit/s) as the upper edge of their 1% log bin, edge = 0.01 × 1.01^(k-1) for bin k, rounded up
//!   to two decimals and never above the exact max: 150 → bin 968, edge 150.9275... → 150.93; 300 → 302.88;
//!   500 → 503.11; 2.5 → 2.51; 1 → 1.01; 0.004 → 0.01 (the lowest bin, (0, 0.01]);
//! - expected samples = (window end − start) / interval + 1; stars: share rounded down to a whole percent,
//!   0-20 → 1, 21-40 → 2, 41-60 → 3, 61-80 → 4, 81-100 → 5.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rocklift::error::Problem;
use rocklift::utilization::{
    confidence_stars, summarize_files, summarize_readers, MetricStats, UtilizationReport, Window,
};
use rocklift::Error;
use rust_decimal::Decimal;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/utilization").join(name)
}

fn summarize(name: &str, window: &Window, interval: Option<Duration>) -> UtilizationReport {
    summarize_files(&[fixture(name)], window, interval).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("decimal '{s}': {e}"))
}

fn stats(samples: u64, p50: &str, p95: &str, max: &str) -> Option<MetricStats> {
    Some(MetricStats { samples, p50: d(p50), p95: d(p95), max: d(max) })
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("time '{s}': {e}")).with_timezone(&Utc)
}

fn hours(n: u64) -> Option<Duration> {
    Some(Duration::from_secs(n * 3600))
}

fn bytes<'a>(b: &'a [u8]) -> impl Fn() -> std::io::Result<&'a [u8]> + 'a {
    move || Ok(b)
}

fn from_text(text: &str, window: &Window, interval: Option<Duration>) -> Result<UtilizationReport, Error> {
    summarize_readers(&[("u.csv".to_owned(), bytes(text.as_bytes()))], window, interval)
}

/// `(line, column, message)` of every problem of an `Error::Invalid`.
fn problems(e: Error) -> Vec<(u64, Option<String>, String)> {
    match e {
        Error::Invalid(list) => list.into_iter().map(|p: Problem| (p.line, p.column, p.message)).collect(),
        other => panic!("expected located problems, got: {other}"),
    }
}

fn usage(e: Error) -> String {
    match e {
        Error::Usage(m) => m,
        other => panic!("expected a usage error, got: {other}"),
    }
}

fn p(line: u64, column: Option<&str>, message: &str) -> (u64, Option<String>, String) {
    (line, column.map(str::to_owned), message.to_owned())
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-made percentiles
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn hourly_percentiles_by_hand() {
    let r = summarize("hourly.csv", &Window::default(), None);
    assert_eq!(r.files, vec![fixture("hourly.csv").display().to_string()]);
    assert_eq!(r.rows_read, 22);
    assert_eq!(r.rows_outside_window, 0);
    assert_eq!(r.interval_seconds, 3600, "most common gap between a server's samples");
    assert_eq!(r.window_from, Some(utc("2024-12-01T00:00:00Z")));
    assert_eq!(r.window_to, Some(utc("2024-12-01T09:00:00Z")));
    assert_eq!(r.servers.keys().collect::<Vec<_>>(), vec!["Web1", "db1", "web1"], "names are case-sensitive");

    // web1 CPU sorted: 3 9.9 12.5 15 15.01 33 47.25 60.04 71 88.3 → rank 5 = 15.01 (bin edge 15.1), rank 10 = 88.3.
    let web1 = &r.servers["web1"];
    assert_eq!(web1.server, "web1");
    assert_eq!(web1.cpu, stats(10, "15.1", "88.3", "88.3"));
    // Memory 50%..59% → rank 5 = 54, rank 10 = 59.
    assert_eq!(web1.mem, stats(10, "54", "59", "59"));
    // IOPS 100..1000 → rank 5 = 500 (edge 503.11); rank 10 = 1000 = the max (an edge above it is cut to it).
    assert_eq!(web1.disk_iops, stats(10, "503.11", "1000", "1000"));
    // Mbit/s sorted: 0 0.004 2.5 ×7 250 → rank 5 = 2.5 (edge 2.51), rank 10 = 250.
    assert_eq!(web1.net_out_mbps, stats(10, "2.51", "250", "250"));
    assert_eq!(web1.first, utc("2024-12-01T00:00:00Z"));
    assert_eq!(web1.last, utc("2024-12-01T09:00:00Z"));
    assert_eq!((web1.expected_samples, web1.present_samples, web1.confidence_stars), (10, 10, 5));

    // db1: 10 rows, 03:00 twice, 05:00 missing. CPU sorted 90 91 92 93 93.5 94 96 97 98 99 → 93.5, 99.
    let db1 = &r.servers["db1"];
    assert_eq!(db1.cpu, stats(10, "93.5", "99", "99"));
    assert_eq!(db1.mem, None, "every memory cell is empty");
    assert_eq!(db1.disk_iops, stats(10, "5000", "5000", "5000"));
    assert_eq!(db1.net_out_mbps, None);
    // The duplicate 03:00 counts once: 9 of 10 slots = 90% → 5 stars.
    assert_eq!((db1.expected_samples, db1.present_samples, db1.confidence_stars), (10, 9, 5));

    // Web1 (capital W) is another server: 2 of 10 = 20% → 1 star.
    let other = &r.servers["Web1"];
    assert_eq!(other.cpu, stats(2, "1", "2", "2"));
    assert_eq!((other.expected_samples, other.present_samples, other.confidence_stars), (10, 2, 1));
}

#[test]
fn window_from_to_skips_and_counts_rows_outside() {
    let w = Window { from: Some(utc("2024-12-01T02:00:00Z")), to: Some(utc("2024-12-01T05:00:00Z")), last_days: None };
    let r = summarize("hourly.csv", &w, None);
    assert_eq!(r.rows_read, 22);
    assert_eq!(r.rows_outside_window, 14, "web1 6 + db1 6 + Web1 2");
    assert_eq!(r.window_from, w.from);
    assert_eq!(r.window_to, w.to);
    assert_eq!(r.servers.keys().collect::<Vec<_>>(), vec!["db1", "web1"], "Web1 has no sample in the window");
    // web1 02:00-05:00 CPU: 47.25 88.3 15 15.01 → sorted 15 15.01 47.25 88.3 → rank 2 = 15.01, rank 4 = 88.3.
    let web1 = &r.servers["web1"];
    assert_eq!(web1.cpu, stats(4, "15.1", "88.3", "88.3"));
    // IOPS 200 900 300 800 → rank 2 = 300 (edge 302.88), rank 4 = 900 (the max).
    assert_eq!(web1.disk_iops, stats(4, "302.88", "900", "900"));
    assert_eq!((web1.expected_samples, web1.present_samples, web1.confidence_stars), (4, 4, 5));
    // db1 02:00, 03:00 twice, 04:00: 4 rows, 3 of 4 slots = 75% → 4 stars.
    let db1 = &r.servers["db1"];
    assert_eq!(db1.cpu, stats(4, "93", "94", "94"));
    assert_eq!((db1.expected_samples, db1.present_samples, db1.confidence_stars), (4, 3, 4));
}

#[test]
fn one_pass_and_two_passes_agree() {
    // From, to and interval all given: one pass; otherwise a first pass finds them. Same data, same report.
    let w = Window { from: Some(utc("2024-12-01T00:00:00Z")), to: Some(utc("2024-12-01T09:00:00Z")), last_days: None };
    let one = summarize("hourly.csv", &w, hours(1));
    let two = summarize("hourly.csv", &Window::default(), None);
    assert_eq!(one, two);
}

#[test]
fn last_days_counts_back_from_the_newest_sample_with_offsets_in_utc() {
    // Newest sample: 2024-12-05T18:00Z (app wrote it as 19:00+01:00). last 2 days: 12-03T18:00Z .. 12-05T18:00Z.
    let r = summarize("five_days.csv", &Window { last_days: Some(2), ..Window::default() }, None);
    assert_eq!(r.window_from, Some(utc("2024-12-03T18:00:00Z")));
    assert_eq!(r.window_to, Some(utc("2024-12-05T18:00:00Z")));
    assert_eq!(r.interval_seconds, 21_600);
    assert_eq!(r.rows_read, 32);
    assert_eq!(r.rows_outside_window, 19, "app 11 + batch 8");
    assert_eq!(r.servers.keys().collect::<Vec<_>>(), vec!["app", "late"]);
    // app: 33 40 41 42 43 50 51 52 53 → rank 5 = 43, rank 9 = 53; 9 of 9 slots.
    let app = &r.servers["app"];
    assert_eq!(app.cpu, stats(9, "43", "53", "53"));
    assert_eq!(app.first, utc("2024-12-03T18:00:00Z"));
    assert_eq!(app.last, utc("2024-12-05T18:00:00Z"));
    assert_eq!((app.expected_samples, app.present_samples, app.confidence_stars), (9, 9, 5));
    // late: only 12-05, 70 71 72 73 → rank 2 = 71, rank 4 = 73; 4 of 9 = 44% → 3 stars.
    let late = &r.servers["late"];
    assert_eq!(late.cpu, stats(4, "71", "73", "73"));
    assert_eq!((late.expected_samples, late.present_samples, late.confidence_stars), (9, 4, 3));
}

#[test]
fn last_days_before_a_given_end() {
    // Newest sample at or before 12-03T23:59:59Z is 12-03T18:00Z: one day back is 12-02T18:00Z.
    let w = Window { from: None, to: Some(utc("2024-12-03T23:59:59Z")), last_days: Some(1) };
    let r = summarize("five_days.csv", &w, None);
    assert_eq!(r.window_from, Some(utc("2024-12-02T18:00:00Z")));
    assert_eq!(r.window_to, Some(utc("2024-12-03T18:00:00Z")));
    assert_eq!(r.servers.keys().collect::<Vec<_>>(), vec!["app", "batch"]);
    // app: 23 30 31 32 33 → rank 3 = 31, rank 5 = 33; 5 of 5 slots.
    let app = &r.servers["app"];
    assert_eq!(app.cpu, stats(5, "31", "33", "33"));
    assert_eq!((app.expected_samples, app.present_samples, app.confidence_stars), (5, 5, 5));
    // batch: only 12-02T18:00 → 1 of 5 = 20% → 1 star.
    let batch = &r.servers["batch"];
    assert_eq!((batch.expected_samples, batch.present_samples, batch.confidence_stars), (5, 1, 1));
}

#[test]
fn excel_serial_dates() {
    // 45627 = 2024-12-01 (days since 1899-12-30); .041666667 of a day = 01:00:00 to the nearest second.
    let r = summarize("excel.csv", &Window::default(), None);
    let x1 = &r.servers["x1"];
    assert_eq!(x1.first, utc("2024-12-01T00:00:00Z"));
    assert_eq!(x1.last, utc("2024-12-01T04:00:00Z"));
    assert_eq!(r.interval_seconds, 3600);
    assert_eq!(x1.cpu, stats(5, "30", "50", "50"));
    assert_eq!((x1.expected_samples, x1.present_samples, x1.confidence_stars), (5, 5, 5));
}

#[test]
fn perfinfo_columns_sum_iops_and_turn_bytes_into_mbits() {
    let r = summarize("perfInfo.csv", &Window::default(), None);
    assert_eq!(r.interval_seconds, 1800);
    let m = &r.servers["i-0abc"];
    // CPU 12.5 40 20 30 → sorted 12.5 20 30 40 → rank 2 = 20, rank 4 = 40.
    assert_eq!(m.cpu, stats(4, "20", "40", "40"));
    assert_eq!(m.mem, None, "MemoryUtilizationPercentage is empty, AvailableMemoryBytes is not used");
    // Read + write: 150 400 300 0 → sorted 0 150 300 400 → rank 2 = 150 (edge 150.93), rank 4 = 400.
    assert_eq!(m.disk_iops, stats(4, "150.93", "400", "400"));
    // NetworkBytesPerSecSent × 8 / 1e6: 10 20 1 0 Mbit/s → sorted 0 1 10 20 → rank 2 = 1 (edge 1.01), rank 4 = 20.
    assert_eq!(m.net_out_mbps, stats(4, "1.01", "20", "20"));
    assert_eq!(m.first, utc("2024-12-01T00:00:00Z"));
    assert_eq!(m.last, utc("2024-12-01T01:30:00Z"));
    assert_eq!((m.expected_samples, m.present_samples, m.confidence_stars), (4, 4, 5));
}

#[test]
fn crlf_bom_semicolons_and_percent_signs() {
    let r = summarize("crlf_bom.csv", &Window::default(), None);
    assert_eq!(r.rows_read, 4, "the blank line is not a row");
    assert_eq!(r.interval_seconds, 900);
    let a = &r.servers["srv-a"];
    assert_eq!(a.cpu, stats(4, "20", "40", "40"));
    assert_eq!(a.mem, stats(4, "41", "43", "43"));
    assert_eq!((a.expected_samples, a.present_samples, a.confidence_stars), (4, 4, 5));
}

#[test]
fn tab_delimited_and_epoch_seconds() {
    // 1733011200 = 2024-12-01T00:00:00Z.
    let text = "time\thost\tcpu\n1733011200\tx\t10\n1733011500\tx\t20\n1733011800\tx\t30\n";
    let r = from_text(text, &Window::default(), None).expect("must succeed");
    assert_eq!(r.interval_seconds, 300);
    assert_eq!(r.servers["x"].cpu, stats(3, "20", "30", "30"));
    assert_eq!(r.servers["x"].last, utc("2024-12-01T00:10:00Z"));
}

#[test]
fn files_merge_per_server_and_problems_name_their_file() {
    let a = "timestamp,server,cpu_pct\n2024-12-01T00:00:00Z,s,10\n2024-12-01T01:00:00Z,s,20\n";
    let b = "timestamp,server,cpu_pct\n2024-12-01T02:00:00Z,s,30\n2024-12-01T03:00:00Z,s,40\n";
    let inputs = [("a.csv".to_owned(), bytes(a.as_bytes())), ("b.csv".to_owned(), bytes(b.as_bytes()))];
    let r = summarize_readers(&inputs, &Window::default(), None).expect("must succeed");
    assert_eq!(r.files, vec!["a.csv", "b.csv"]);
    assert_eq!(r.servers["s"].cpu, stats(4, "20", "40", "40"));
    assert_eq!((r.servers["s"].expected_samples, r.servers["s"].present_samples), (4, 4));

    let bad = "timestamp,server,cpu_pct\n2024-12-01T02:00:00Z,s,30\n2024-12-01T03:00:00Z,s,400\n";
    let inputs = [("a.csv".to_owned(), bytes(a.as_bytes())), ("b.csv".to_owned(), bytes(bad.as_bytes()))];
    let e = summarize_readers(&inputs, &Window::default(), None).expect_err("must be refused");
    assert_eq!(
        e.to_string(),
        "b.csv:3: column 'cpu_pct': '400' is above 100; expected a percentage from 0 to 100, such as 45 or 45%\n\
         nothing was written"
    );
}

#[test]
fn report_round_trips_through_json() {
    let r = summarize("perfInfo.csv", &Window::default(), None);
    let json = serde_json::to_string(&r).expect("must succeed");
    assert!(json.contains(r#""first":"2024-12-01T00:00:00Z""#), "{json}");
    assert!(json.contains(r#""window_to":"2024-12-01T01:30:00Z""#), "{json}");
    assert!(json.contains(r#""p50":"150.93""#), "{json}");
    let back: UtilizationReport = serde_json::from_str(&json).expect("must succeed");
    assert_eq!(back, r);
}

// ---------------------------------------------------------------------------------------------------------------
// Confidence
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn confidence_bands_at_their_boundaries() {
    // Window 00:00 .. +99 h, one sample an hour: 100 expected samples. Server "sN" reports hours 0..N-1.
    let mut text = String::from("timestamp,server,cpu_pct\n");
    let base = 1_733_011_200i64; // 2024-12-01T00:00:00Z
    for n in [20, 21, 40, 41, 60, 61, 80, 81, 100] {
        for h in 0..n {
            text.push_str(&format!("{},s{n},50\n", base + h * 3600));
        }
    }
    // 21 distinct hours, each sent twice: still 21 present.
    for h in 0..21 {
        for _ in 0..2 {
            text.push_str(&format!("{},dup21,50\n", base + h * 3600));
        }
    }
    // 50 samples ten minutes late: each still fills its own hour.
    for h in 0..50 {
        text.push_str(&format!("{},late50,50\n", base + h * 3600 + 600));
    }
    // Outside the window (hour 100 and after).
    for h in 100..105 {
        text.push_str(&format!("{},s100,50\n", base + h * 3600));
    }
    let w = Window {
        from: DateTime::from_timestamp(base, 0),
        to: DateTime::from_timestamp(base + 99 * 3600, 0),
        last_days: None,
    };
    let r = from_text(&text, &w, hours(1)).expect("must succeed");
    assert_eq!(r.rows_outside_window, 5);
    let got: Vec<(&str, u64, u64, u8)> = r
        .servers
        .values()
        .map(|s| (s.server.as_str(), s.expected_samples, s.present_samples, s.confidence_stars))
        .collect();
    assert_eq!(
        got,
        vec![
            ("dup21", 100, 21, 2),
            ("late50", 100, 50, 3),
            ("s100", 100, 100, 5),
            ("s20", 100, 20, 1),
            ("s21", 100, 21, 2),
            ("s40", 100, 40, 2),
            ("s41", 100, 41, 3),
            ("s60", 100, 60, 3),
            ("s61", 100, 61, 4),
            ("s80", 100, 80, 4),
            ("s81", 100, 81, 5),
        ]
    );
    assert_eq!(r.servers["dup21"].cpu.as_ref().map(|c| c.samples), Some(42), "every row counts in percentiles");
}

#[test]
fn confidence_share_is_rounded_down() {
    // 20.9% is still 1 star; 80.99% still 4.
    assert_eq!(confidence_stars(209, 1000), 1);
    assert_eq!(confidence_stars(210, 1000), 2);
    assert_eq!(confidence_stars(8099, 10000), 4);
    assert_eq!(confidence_stars(8100, 10000), 5);
}

// ---------------------------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------------------------

#[test]
fn malformed_rows_are_located_on_physical_lines() {
    let path = fixture("malformed.csv");
    let e = summarize_files(std::slice::from_ref(&path), &Window::default(), None).expect_err("must be refused");
    let pct = "expected a percentage from 0 to 100, such as 45 or 45%";
    let ts = "expected ISO 8601 such as 2024-12-01T10:00:00Z, 'YYYY-MM-DD HH:MM:SS' (UTC), Unix seconds or an \
              Excel serial date such as 45627.5";
    if let Error::Invalid(list) = &e {
        assert!(list.iter().all(|p| p.file == path.display().to_string()));
    }
    assert_eq!(
        problems(e),
        vec![
            p(3, Some("cpu_pct"), &format!("'140' is above 100; {pct}")),
            p(5, Some("timestamp"), &format!("'2024-13-01T02:00:00Z' is not a timestamp; {ts}")),
            p(6, Some("server"), "is empty; every row needs the server name"),
            p(7, Some("cpu_pct"), &format!("'abc' is not a number; {pct}")),
            p(7, Some("mem_pct"), &format!("'-5' is negative; {pct}")),
            p(
                8,
                Some("timestamp"),
                &format!("'01/12/2024 05:00' is a day-first or month-first date, which cannot be told apart; {ts}")
            ),
            p(
                9,
                None,
                "has 3 fields, the header has 4; check the delimiter and quotes (a value with ',' must be in double \
                 quotes)"
            ),
            p(10, Some("cpu_pct"), &format!("'45,5' uses a decimal comma; write numbers with '.', {pct}")),
        ]
    );
}

#[test]
fn a_systematic_error_stops_after_50_problems() {
    // 10,000 rows, every CPU value 140: 50 problems (lines 2..51), then one saying more follow (line 52).
    let mut text = String::from("timestamp,server,cpu_pct\n");
    for i in 0..10_000 {
        text.push_str(&format!("{},s,140\n", 1_733_011_200 + i * 60));
    }
    let found = problems(from_text(&text, &Window::default(), None).expect_err("must be refused"));
    assert_eq!(found.len(), 51);
    assert_eq!(
        found[0],
        p(2, Some("cpu_pct"), "'140' is above 100; expected a percentage from 0 to 100, such as 45 or 45%")
    );
    assert_eq!(found[49].0, 51);
    assert_eq!(found[50], p(52, None, "more problems follow; reading stopped after the first 50"));
}

#[test]
fn rates_that_cannot_be_used() {
    let text = "timestamp,server,disk_iops,net_out_mbps\n\
                2024-12-01T00:00:00Z,s,20000000,1\n\
                2024-12-01T01:00:00Z,s,1e3,inf\n";
    assert_eq!(
        problems(from_text(text, &Window::default(), None).expect_err("must be refused")),
        vec![
            p(2, Some("disk_iops"), "'20000000' IOPS is implausibly large; expected at most 10000000"),
            p(3, Some("net_out_mbps"), "'inf' is not a number; expected Mbit/s, such as 250"),
        ]
    );
    let perf = "MachineId,TimeStamp,DiskReadOperationsPerSec,DiskWriteOperationsPerSec,NetworkBytesPerSecSent\n\
                m,2024-12-01T00:00:00Z,5,,2000000000000\n";
    assert_eq!(
        problems(from_text(perf, &Window::default(), None).expect_err("must be refused")),
        vec![
            p(2, Some("DiskWriteOperationsPerSec"), "is empty while 'DiskReadOperationsPerSec' has a value; IOPS is read + write"),
            p(
                2,
                Some("NetworkBytesPerSecSent"),
                "'2000000000000' bytes/s is implausibly large; expected at most 1250000000000 bytes/s (10000000 Mbit/s)"
            ),
        ]
    );
}

#[test]
fn header_problems() {
    assert_eq!(
        problems(from_text("when,who,cpu\n2024-12-01,a,5\n", &Window::default(), None).expect_err("must be refused")),
        vec![
            p(1, None, "required column 'timestamp' (or time, TimeStamp) is missing; the header has: when, who, cpu"),
            p(
                1,
                None,
                "required column 'server' (or name, host, hostname, MachineId) is missing; the header has: when, who, cpu"
            ),
        ]
    );
    assert_eq!(
        problems(
            from_text("\n\ntime,host,os\n2024-12-01,a,linux\n", &Window::default(), None).expect_err("must be refused")
        ),
        vec![p(
            3,
            None,
            "no utilization column: expected at least one of cpu_pct, mem_pct, disk_iops, net_out_mbps (or perfInfo's \
             CpuUtilizationPercentage, MemoryUtilizationPercentage, DiskReadOperationsPerSec + \
             DiskWriteOperationsPerSec, NetworkBytesPerSecSent); the header has: time, host, os"
        )]
    );
    assert_eq!(
        problems(from_text("time,host,cpu,CPU_PCT\n", &Window::default(), None).expect_err("must be refused")),
        vec![p(1, Some("CPU_PCT"), "names the same data as column 'cpu'; keep one of them")]
    );
    assert_eq!(
        problems(from_text("time,host,cpu\r\n", &Window::default(), None).expect_err("must be refused")),
        vec![p(1, None, "the file has a header but no rows")]
    );
    assert_eq!(
        problems(from_text("", &Window::default(), None).expect_err("must be refused")),
        vec![p(
            1,
            None,
            "the file is empty; expected a header line naming timestamp, server and at least one of cpu_pct, mem_pct, \
             disk_iops, net_out_mbps"
        )]
    );
    let utf16 = b"\xff\xfet\x00i\x00m\x00e\x00";
    let e = summarize_readers(&[("u.csv".to_owned(), bytes(utf16))], &Window::default(), None)
        .expect_err("must be refused");
    assert_eq!(
        problems(e),
        vec![p(1, None, "the file is UTF-16 (Excel's \"Unicode Text\"); save it as CSV UTF-8 and try again")]
    );
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let e = summarize_files(&[fixture("no-such-file.csv")], &Window::default(), None).expect_err("must be refused");
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("no-such-file.csv"), "{e}");
}

#[test]
fn windows_and_intervals_that_cannot_be_used() {
    let text = "time,host,cpu\n2024-12-01T00:00:00Z,a,5\n2024-12-01T01:00:00Z,a,6\n";
    let both = Window { from: Some(utc("2024-12-01T00:00:00Z")), to: None, last_days: Some(3) };
    assert_eq!(
        usage(from_text(text, &both, None).expect_err("must be refused")),
        "give either a window start or last_days, not both"
    );
    let zero = Window { last_days: Some(0), ..Window::default() };
    assert_eq!(usage(from_text(text, &zero, None).expect_err("must be refused")), "last_days must be at least 1");
    let backwards =
        Window { from: Some(utc("2024-12-02T00:00:00Z")), to: Some(utc("2024-12-01T00:00:00Z")), last_days: None };
    assert_eq!(
        usage(from_text(text, &backwards, None).expect_err("must be refused")),
        "the window starts (2024-12-02T00:00:00Z) after it ends (2024-12-01T00:00:00Z)"
    );
    assert_eq!(
        usage(from_text(text, &Window::default(), Some(Duration::from_millis(500))).expect_err("must be refused")),
        "the sample interval must be at least 1 second"
    );
    let single = "time,host,cpu\n2024-12-01T00:00:00Z,a,5\n2024-12-01T01:00:00Z,b,6\n";
    assert_eq!(
        usage(from_text(single, &Window::default(), None).expect_err("must be refused")),
        "cannot infer the sample interval: no server has two samples at different times; give the interval explicitly"
    );
    // One year at one sample a second: 31,622,401 slots per server, over the 4,194,304 kept.
    let year =
        Window { from: Some(utc("2024-01-01T00:00:00Z")), to: Some(utc("2025-01-01T00:00:00Z")), last_days: None };
    assert_eq!(
        usage(from_text(text, &year, Some(Duration::from_secs(1))).expect_err("must be refused")),
        "the window holds 31622401 samples per server at one every 1 s; rocklift counts coverage for at most 4194304 \
         per server: choose a shorter window or give a longer interval"
    );
}

#[test]
fn no_sample_in_the_window_is_an_empty_report_not_an_error() {
    let text = "time,host,cpu\n2024-12-01T00:00:00Z,a,5\n2024-12-01T01:00:00Z,a,6\n";
    let w = Window { from: Some(utc("2025-01-01T00:00:00Z")), to: None, last_days: None };
    let r = from_text(text, &w, None).expect("must succeed");
    assert!(r.servers.is_empty());
    assert_eq!((r.rows_read, r.rows_outside_window), (2, 2));
    assert_eq!((r.window_from, r.window_to), (None, None));
}

// ---------------------------------------------------------------------------------------------------------------
// The percentile bound, against the exact nearest rank
// ---------------------------------------------------------------------------------------------------------------

/// The sample of nearest rank `ceil(pct × n / 100)` of sorted values.
fn nearest_rank(sorted: &[Decimal], pct: usize) -> Decimal {
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Through the whole reader: CPU in percent with two decimals, IOPS with two decimals up to 10,000,000.
    /// Reported percentages are never below the exact nearest-rank value and less than 0.1 above it; reported
    /// IOPS are never below it and at most 1% + 0.01 above it; both maxima are exact.
    #[test]
    fn reported_percentiles_never_undersize(
        rows in prop::collection::vec((0u32..=10_000, prop_oneof![0u64..=10_000, 0u64..=1_000_000_000]), 1..200)
    ) {
        let mut text = String::from("timestamp,server,cpu_pct,disk_iops\n");
        for (i, (cpu, iops)) in rows.iter().enumerate() {
            let cpu = Decimal::new(i64::from(*cpu), 2);
            let iops = Decimal::new(*iops as i64, 2);
            text.push_str(&format!("{},s,{cpu},{iops}\n", 1_733_011_200 + i * 300));
        }
        let r = from_text(&text, &Window::default(), Some(Duration::from_secs(300))).expect("must succeed");
        let s = &r.servers["s"];
        let mut cpu: Vec<Decimal> = rows.iter().map(|(c, _)| Decimal::new(i64::from(*c), 2)).collect();
        let mut iops: Vec<Decimal> = rows.iter().map(|(_, v)| Decimal::new(*v as i64, 2)).collect();
        cpu.sort_unstable();
        iops.sort_unstable();
        let c = s.cpu.as_ref().expect("must succeed");
        let io = s.disk_iops.as_ref().expect("must succeed");
        prop_assert_eq!(c.samples, rows.len() as u64);
        for (got, pct) in [(c.p50, 50), (c.p95, 95), (c.max, 100)] {
            let exact = nearest_rank(&cpu, pct);
            prop_assert!(got >= exact, "cpu p{}: {} < {}", pct, got, exact);
            prop_assert!(got - exact < d("0.1"), "cpu p{}: {} - {} >= 0.1", pct, got, exact);
        }
        for (got, pct) in [(io.p50, 50), (io.p95, 95)] {
            let exact = nearest_rank(&iops, pct);
            prop_assert!(got >= exact, "iops p{}: {} < {}", pct, got, exact);
            prop_assert!(got <= exact * d("1.01") + d("0.01"), "iops p{}: {} vs {}", pct, got, exact);
            prop_assert!(got <= io.max);
        }
        prop_assert_eq!(io.max, iops[iops.len() - 1].normalize());
        prop_assert!(c.p50 <= c.p95 && c.p95 <= c.max);
    }
}
