//! Utilization files in (paths on the command line), a per-server p50 / p95 / max and confidence summary out on
//! stdout, with the time taken and the peak memory (VmHWM) on stderr. Used by scripts/bench-utilization.sh.
//!
//! ```text
//! cargo run --release --example summarize_utilization -- FILE... [--from T] [--to T] [--last-days N] [--interval SECONDS] [--json]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rocklift::utilization::{summarize_files, UtilizationReport, Window};

struct Args {
    files: Vec<PathBuf>,
    window: Window,
    interval: Option<Duration>,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { files: Vec::new(), window: Window::default(), interval: None, json: false };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--last-days" => {
                let v = it.next().ok_or("--last-days needs a number of days")?;
                args.window.last_days = Some(v.parse().map_err(|_| format!("--last-days: '{v}' is not a number"))?);
            }
            "--interval" => {
                let v = it.next().ok_or("--interval needs a number of seconds")?;
                let secs: u64 = v.parse().map_err(|_| format!("--interval: '{v}' is not a number"))?;
                args.interval = Some(Duration::from_secs(secs));
            }
            "--from" | "--to" => {
                let v = it.next().ok_or(format!("{a} needs an RFC 3339 time such as 2024-12-01T00:00:00Z"))?;
                let t = chrono::DateTime::parse_from_rfc3339(&v)
                    .map_err(|e| format!("{a}: '{v}' is not an RFC 3339 time: {e}"))?
                    .with_timezone(&chrono::Utc);
                if a == "--from" {
                    args.window.from = Some(t);
                } else {
                    args.window.to = Some(t);
                }
            }
            "--json" => args.json = true,
            "-h" | "--help" => {
                return Err("usage: summarize_utilization FILE... [--from T] [--to T] [--last-days N] [--interval SECONDS] [--json]".into())
            }
            _ => args.files.push(PathBuf::from(a)),
        }
    }
    if args.files.is_empty() {
        return Err(
            "usage: summarize_utilization FILE... [--from T] [--to T] [--last-days N] [--interval SECONDS] [--json]"
                .into(),
        );
    }
    Ok(args)
}

/// Peak resident memory of this process in KiB, from /proc/self/status (Linux); `None` elsewhere.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn print_summary(r: &UtilizationReport) {
    let stars = r.servers.values().fold([0u64; 5], |mut acc, s| {
        if let Some(slot) = acc.get_mut(usize::from(s.confidence_stars.clamp(1, 5)) - 1) {
            *slot += 1;
        }
        acc
    });
    println!("files: {}", r.files.join(", "));
    println!(
        "window: {} .. {}, interval {} s",
        r.window_from.map_or("-".into(), |t| t.to_rfc3339()),
        r.window_to.map_or("-".into(), |t| t.to_rfc3339()),
        r.interval_seconds
    );
    println!("rows read: {}, outside the window: {}", r.rows_read, r.rows_outside_window);
    println!("servers: {}; by confidence (1..5 stars): {:?}", r.servers.len(), stars);
    for s in r.servers.values().take(5) {
        let cpu = s.cpu.as_ref().map_or("-".into(), |c| format!("p50 {} p95 {} max {}", c.p50, c.p95, c.max));
        println!(
            "  {}: cpu {cpu}; {} of {} samples, {} stars",
            s.server, s.present_samples, s.expected_samples, s.confidence_stars
        );
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(m) => {
            eprintln!("{m}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let report = match summarize_files(&args.files, &args.window, args.interval) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1));
        }
    };
    let took = started.elapsed();
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("cannot write JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print_summary(&report);
    }
    eprintln!(
        "summarized {} rows of {} servers in {:.3} s; peak RSS (VmHWM) {} KiB",
        report.rows_read,
        report.servers.len(),
        took.as_secs_f64(),
        peak_rss_kib().map_or("unknown".into(), |k| k.to_string())
    );
    ExitCode::SUCCESS
}
