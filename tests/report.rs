//! The reports as a user gets them: golden report.md for both examples, every number shown in report.html and
//! report.md traced to plan.json, the smb-office comparison worked out by hand, no resource loads in the HTML, hostile
//! names escaped, `[onprem]` settings and `--years` honoured, and `rocklift report PLAN.json` re-rendering exactly
//! what `plan --out` wrote.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::{golden, run, run_in, stderr, stdout};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Run `rocklift ARGS --out DIR` in the repo; the folder with its files.
fn written(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--out", out.to_str().expect("utf8")]);
    let o = run(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (dir, out)
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("plan.json parses")
}

const SMB: [&str; 3] = ["plan", "examples/smb-office.csv", "--compare"];
const HPC: [&str; 5] = ["--config", "examples/hpc-cluster.toml", "plan", "examples/hpc-cluster.csv", "--compare"];

#[test]
fn smb_office_report_md_golden() {
    let (_t, out) = written(&SMB);
    golden("smb-office/report.md", &read(&out, "report.md"));
}

#[test]
fn hpc_cluster_report_md_golden() {
    let (_t, out) = written(&HPC);
    golden("hpc-cluster/report.md", &read(&out, "report.md"));
}

// ---- Shown values, written independently of the library. ----

/// `$1,234.57`, `-$5.00`: two places, half away from zero, thousands grouped.
fn usd(v: Decimal) -> String {
    let r = v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let neg = r.is_sign_negative() && !r.is_zero();
    let s = format!("{:.2}", r.abs());
    let (int, frac) = s.split_once('.').expect("two places");
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}${grouped}.{frac}", if neg { "-" } else { "" })
}

fn shown(f: &str, v: &str, pointer: &str) -> String {
    match f {
        "usd" => usd(d(v)),
        "int" | "text" => v.to_owned(),
        "num" => d(v).normalize().to_string(),
        "dec1" => d(v).round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero).normalize().to_string(),
        "rate" => format!("${}", d(v).normalize()),
        "kind" => match v {
            "on-demand" => "on-demand".into(),
            "reserved1y" => "RI 1yr".into(),
            "reserved3y" => "RI 3yr".into(),
            "spot" => "spot".into(),
            other => panic!("{pointer}: unknown purchase kind {other}"),
        },
        "trunc" => {
            if v.chars().count() > 24 {
                format!("{}…", v.chars().take(23).collect::<String>())
            } else {
                v.to_owned()
            }
        }
        "key" => pointer.rsplit('/').next().unwrap_or_default().replace("~1", "/").replace("~0", "~"),
        other => panic!("{pointer}: unknown format {other}"),
    }
}

/// The value at `pointer` as text: a string as it is, a number as JSON writes it.
fn value_text(plan: &Value, pointer: &str) -> String {
    match plan.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => panic!("{pointer}: not a string or number: {other}"),
        None => panic!("{pointer}: not in plan.json"),
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

#[derive(Debug)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Elem {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
}

fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let name = rest[..end].trim_end_matches('/').to_owned();
        rest = rest[end..].trim_start();
        if let Some(r) = rest.strip_prefix('=') {
            let r = r.trim_start();
            let (val, after) = match r.strip_prefix('"') {
                Some(q) => {
                    let close = q.find('"').expect("closing quote");
                    (&q[..close], &q[close + 1..])
                }
                None => {
                    let e = r.find(char::is_whitespace).unwrap_or(r.len());
                    (&r[..e], &r[e..])
                }
            };
            out.push((name, decode(val)));
            rest = after.trim_start();
        } else if !name.is_empty() {
            out.push((name, String::new()));
        }
    }
    out
}

const VOID: [&str; 6] = ["meta", "link", "br", "img", "input", "hr"];

/// Walk report.html: every element with `data-p` must show the plan.json value at that pointer in its format, and no
/// digit may appear in text outside such an element, a `data-const` scale label, or a `<title>`. The pointers checked.
fn check_html(html: &str, plan: &Value) -> Vec<String> {
    let mut stack: Vec<Elem> = Vec::new();
    let mut checked = Vec::new();
    let mut stray = Vec::new();
    let mut i = 0;
    let b = html.as_bytes();
    while i < b.len() {
        if b[i] == b'<' {
            let rest = &html[i..];
            if rest.starts_with("<!--") {
                i += rest.find("-->").expect("comment end") + 3;
                continue;
            }
            let end = i + rest.find('>').expect("tag end");
            let tag = &html[i + 1..end];
            i = end + 1;
            if tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let e = stack.pop().expect("an open element");
                assert_eq!(e.name, name.trim(), "tags nest");
                if let Some(p) = e.attr("data-p") {
                    let f = e.attr("data-f").expect("data-f");
                    let v = e.attr("data-v").expect("data-v");
                    if f == "key" {
                        assert!(plan.pointer(p).is_some(), "{p}: not in plan.json");
                    } else {
                        assert_eq!(v, value_text(plan, p), "{p}: data-v differs from plan.json");
                    }
                    assert_eq!(e.text, shown(f, v, p), "{p} ({f}): shown text differs from plan.json's {v}");
                    checked.push(p.to_owned());
                }
                continue;
            }
            let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
            let name = name.trim_end_matches('/').to_owned();
            let self_closing = tag.ends_with('/') || VOID.contains(&name.as_str());
            if name == "script" || name == "style" {
                let close = format!("</{name}>");
                i += html[i..].find(&close).expect("raw text end") + close.len();
                continue;
            }
            if !self_closing {
                stack.push(Elem { name, attrs: parse_attrs(attrs), text: String::new() });
            }
        } else {
            let next = html[i..].find('<').map_or(b.len(), |n| i + n);
            let text = decode(&html[i..next]);
            i = next;
            let labelled = stack.iter().any(|e| e.attr("data-p").is_some() || e.attr("data-const").is_some());
            let in_title = stack.iter().any(|e| e.name == "title");
            if let Some(e) = stack.iter_mut().rev().find(|e| e.attr("data-p").is_some()) {
                e.text.push_str(&text);
            }
            if !labelled && !in_title && text.chars().any(|c| c.is_ascii_digit()) {
                stray.push(text.trim().to_owned());
            }
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {:?}", stack.iter().map(|e| &e.name).collect::<Vec<_>>());
    assert!(stray.is_empty(), "numbers shown that are not traced to plan.json: {stray:?}");
    checked
}

/// Numbers as they stand in text: runs of digits (with `.` and `,` inside) not part of a word.
fn number_tokens(s: &str) -> Vec<(bool, String)> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        if c.is_ascii_digit() && !(prev.is_alphanumeric() || prev == '_') {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',') {
                i += 1;
            }
            let mut tok: String = chars[start..i].iter().collect();
            while tok.ends_with('.') || tok.ends_with(',') {
                tok.pop();
            }
            let next = chars.get(i).copied().unwrap_or(' ');
            if !(next.is_alphanumeric() || next == '_') {
                out.push((prev == '$', tok));
            }
            continue;
        }
        i += 1;
    }
    out
}

/// Every number plan.json holds, in the forms a report shows: values (as written, normalised, to one place and to
/// cents) and the numbers inside its texts.
fn plan_numbers(v: &Value, set: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            if let Ok(x) = s.parse::<Decimal>() {
                set.insert(s.clone());
                set.insert(x.normalize().to_string());
                set.insert(shown("dec1", s, ""));
                set.insert(usd(x).trim_start_matches('-').trim_start_matches('$').to_owned());
            }
            for (_, t) in number_tokens(s) {
                set.insert(t);
            }
        }
        Value::Number(n) => {
            set.insert(n.to_string());
        }
        Value::Array(a) => a.iter().for_each(|x| plan_numbers(x, set)),
        Value::Object(o) => o.values().for_each(|x| plan_numbers(x, set)),
        _ => {}
    }
}

fn check_md(md: &str, plan: &Value) -> usize {
    let mut set = BTreeSet::new();
    plan_numbers(plan, &mut set);
    let mut unescaped = String::with_capacity(md.len());
    let mut chars = md.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                unescaped.push(n);
            }
        } else {
            unescaped.push(c);
        }
    }
    let tokens = number_tokens(&unescaped);
    let unknown: Vec<&(bool, String)> = tokens.iter().filter(|(_, t)| !set.contains(t)).collect();
    assert!(unknown.is_empty(), "numbers in report.md that plan.json does not hold: {unknown:?}");
    tokens.len()
}

#[test]
fn every_number_in_the_reports_is_the_one_in_plan_json() {
    for (args, charts) in [
        (&SMB[..], 4),
        (&HPC[..], 4),
        (&["plan", "examples/smb-office.csv"][..], 2),
        (
            &["--config", "examples/hpc-cluster.toml", "plan", "examples/hpc-cluster.csv", "--sizing", "utilization"][..],
            2,
        ),
    ] {
        let (_t, out) = written(args);
        let plan = json(&read(&out, "plan.json"));
        let html = read(&out, "report.html");
        let checked = check_html(&html, &plan);
        // Each chart is drawn twice (wide and narrow layouts).
        assert_eq!(html.matches("<svg data-chart=").count(), charts * 2, "{args:?}");
        let servers = plan["servers"].as_array().expect("servers").len();
        assert!(checked.len() > servers * 10, "{args:?}: only {} values checked", checked.len());
        for p in ["/totals/monthly_usd", "/servers/0/monthly_usd", "/pricing/data_date", "/inventory/file"] {
            assert!(checked.iter().any(|c| c == p), "{args:?}: {p} not shown");
        }
        if plan.get("comparison").is_some() {
            for p in [
                "/comparison/onprem/monthly_usd",
                "/comparison/cloud/effective_monthly_usd",
                "/comparison/levers/0/usd_year",
                "/comparison/horizons/1/saving_usd",
            ] {
                assert!(checked.iter().any(|c| c == p), "{args:?}: {p} not shown");
            }
        }
        let tokens = check_md(&read(&out, "report.md"), &plan);
        assert!(tokens > servers * 5, "{args:?}: only {tokens} numbers in report.md");
    }
}

#[test]
fn a_number_not_in_plan_json_is_caught() {
    // The checkers themselves: a changed value, a stray number, and an invented number in Markdown all fail.
    let (_t, out) = written(&SMB);
    let plan = json(&read(&out, "plan.json"));
    let html = read(&out, "report.html");
    let total = usd(d(plan["totals"]["monthly_usd"].as_str().expect("total")));
    let tampered = html.replacen(&format!(">{total}<"), ">$1.00<", 1);
    assert_ne!(tampered, html);
    assert!(std::panic::catch_unwind(|| check_html(&tampered, &plan)).is_err());
    let stray = html.replacen("<h2>AWS</h2>", "<h2>AWS 12 months</h2>", 1);
    assert!(std::panic::catch_unwind(|| check_html(&stray, &plan)).is_err());
    let md = read(&out, "report.md") + "\nA year on AWS: $17,459.09.\n";
    assert!(std::panic::catch_unwind(|| check_md(&md, &plan)).is_err());
}

#[test]
fn smb_office_comparison_worked_out_by_hand() {
    let o = run(&["compare", "examples/smb-office.csv", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&stdout(&o));
    let c = &v["comparison"];
    let at = |p: &str| d(c.pointer(p).and_then(Value::as_str).unwrap_or_else(|| panic!("{p}")));
    let cents = |x: Decimal| x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let close = |got: Decimal, want: Decimal, what: &str| {
        assert!((got - want).abs() < d("0.000000000001"), "{what}: {got} != {want}");
    };

    // ---- On-prem, a month, with the [onprem] defaults. One physical server per inventory row (10).
    // Cores = vCPUs / 2 rounded up: fs01 2, dc01 1, dc02 1, erp01 4, erpdb01 4, web01 1, web02 1, app01 2,
    // backup01 1, devvm01 1 = 18. Memory 16+8+8+32+64+4+4+8+8+4 = 156 GiB.
    // Disk 2000+80+80+500+1000+60+60+100+4000+80 = 7960 GiB.
    // Hardware: 10 × $2,000 + 18 × $75 + 156 × $6 + 7960 × $0.15 = 20000 + 1350 + 936 + 1194 = $23,480,
    // less 10% resale over 5 × 12 months: 23480 × 0.9 / 60 = $352.20.
    assert_eq!(at("/onprem/hardware_purchase_usd"), d("23480"));
    let line = |i: usize| at(&format!("/onprem/lines/{i}/usd"));
    assert_eq!(line(0), d("352.2"));
    // Support contracts: 10% of $23,480 a year / 12 = $195.666…
    close(line(1), d("23480") / d("10") / d("12"), "support");
    // Power: 10 servers × 219 W × PUE 1.58 × 730 h / 1000 = 2525.946 kWh × $0.13 = $328.37298.
    assert_eq!(line(2), d("328.37298"));
    // Rack space $0 (own building); network $100.
    assert_eq!(line(3), Decimal::ZERO);
    assert_eq!(line(4), d("100"));
    // Licences: 2 RHEL servers (erp01, erpdb01) × $383.90 / 12 = $63.983…; Windows: dc01 and dc02 need a 16-core
    // Standard licence each, 32 cores / 16 × $1,176 over 60 months = $39.20; no VMware without hosts.
    close(line(5), d("767.8") / d("12"), "RHEL");
    assert_eq!(line(6), d("39.2"));
    assert_eq!(line(7), Decimal::ZERO);
    // Backup 10 × $120 / 12 = $100; labour 10 servers × 1 h × $43.52 = $435.20.
    assert_eq!(line(8), d("100"));
    assert_eq!(line(9), d("435.2"));
    // Total: 352.2 + 195.6667 + 328.37298 + 0 + 100 + 63.9833 + 39.2 + 0 + 100 + 435.2 = 1614.62298 (the two
    // thirds add to 259.65 exactly).
    let onprem = at("/onprem/monthly_usd");
    assert_eq!(onprem, d("1614.62298"));
    assert_eq!(at("/onprem/by_category/licences"), d("103.18333333333333333333333333"));

    // ---- AWS, a month. Instances: seven rows run 24x7 and take a 3-year all-upfront reservation, paid at the
    // start: fs01 0.064688 × 26280 = 1700.00064, dc01 and dc02 0.05586 × 26280 = 1468.0008 each, erpdb01
    // 0.169939 × 26280 = 4465.99692, web01 and web02 0.0293 × 26280 = 770.004 each, app01 0.058638 × 26280 =
    // 1541.00664; together $12,183.0138.
    assert_eq!(at("/cloud/upfronts/0/usd"), d("12183.0138"));
    assert_eq!(c["cloud"]["upfronts"][0]["month"], 1);
    assert_eq!(at("/cloud/upfronts/1/usd"), d("12183.0138"));
    assert_eq!(c["cloud"]["upfronts"][1]["month"], 37);
    // Three scheduled rows stay on-demand: erp01 0.344 × 217.5 h = 74.82, backup01 0.0752 × 243.333 h (nightly
    // 22-06: 2920 h a year / 12) = 18.29867, devvm01 0.0376 × 250.125 h (11.5 h × 261 weekdays / 12) = 9.4047.
    let on_demand = d("0.344") * d("217.5") + d("0.0752") * d("2920") / d("12") + d("0.0376") * d("250.125");
    // Storage: 7960 GiB of gp3 × $0.08 = 636.80; snapshots: data used 5764 GiB × (1 + 2% × 6 more days kept) =
    // 6455.68 GB-months × $0.05 = 322.784; erpdb01's IOPS above 3000: 5000 × $0.005 = 25 and throughput above
    // 125 MiB/s: 125 × $0.04 = 5. Together $989.584.
    let storage = d("7960") * d("0.08") + d("5764") * d("1.12") * d("0.05") + d("25") + d("5");
    assert_eq!(storage, d("989.584"));
    assert_eq!(at("/cloud/by_category/storage"), storage);
    // Network: web01 and web02 hold a public IPv4 address, 2 × 730 h × $0.005 = 7.30; egress: 290 GB a month,
    // the first 100 free, 190 × $0.09 = 17.10. Together $24.40.
    let network = d("2") * d("730") * d("0.005") + d("190") * d("0.09");
    assert_eq!(at("/cloud/by_category/network"), network);
    // Paid every month: 102.52337 + 989.584 + 24.4 = 1116.50737; with the upfronts spread over 36 months
    // (12183.0138 / 36 = 338.41705): 1454.92442, the plan's recommended monthly total.
    let monthly = on_demand + storage + network;
    close(at("/cloud/monthly_usd"), monthly, "cloud monthly");
    close(at("/cloud/effective_monthly_usd"), monthly + d("12183.0138") / d("36"), "cloud effective");
    assert_eq!(at("/cloud/effective_monthly_usd"), d(v["totals"]["recommended_monthly_usd"].as_str().expect("t")));

    // ---- The move, once: 10 servers × 8 h × $43.52 = 3481.60; data in 5764 GiB × $0 = 0; one month of both,
    // the on-prem month 1614.62298. Together 5096.22298.
    assert_eq!(at("/one_time/0/usd"), d("3481.6"));
    assert_eq!(at("/one_time/1/usd"), Decimal::ZERO);
    assert_eq!(at("/one_time/2/usd"), onprem);
    assert_eq!(at("/one_time_usd"), d("5096.22298"));

    // ---- Amortised, month by month (the view of the verdict): the move and the month of running both fall in
    // month 1; then every month AWS's effective month, paid monthly plus each 3-year upfront over its own 36
    // months (a renewal in month 37 counts only its months inside the horizon). Month m: AWS 5096.22298 +
    // m × 1454.92442 against on-prem m × 1614.62298. (Amounts are kept to 10 decimals: hence `near`.)
    let near = |got: Decimal, want: Decimal, what: &str| {
        assert!((got - want).abs() < d("0.00000001"), "{what}: {got} != {want}");
    };
    let eff = monthly + d("12183.0138") / d("36");
    let months = c["months"].as_array().expect("months");
    assert_eq!(months.len(), 60);
    let cum = |m: usize, k: &str| d(months[m - 1][k].as_str().expect("cum"));
    let aws = |m: u32| d("5096.22298") + Decimal::from(m) * eff;
    for m in [1u32, 12, 36, 37, 60] {
        near(cum(m as usize, "cloud_cumulative_usd"), aws(m), &format!("month {m}"));
        assert_eq!(cum(m as usize, "onprem_cumulative_usd"), Decimal::from(m) * onprem, "month {m}");
    }
    // 5 years: AWS 5096.22298 + 60 × 1454.92442 = 92391.6882 against 96877.3788: moving saves 4485.69, 4.6 % of
    // keeping the servers, within the default 5 % margin: "about the same", not "pays off".
    assert_eq!(cents(cum(60, "cloud_cumulative_usd")), d("92391.69"));
    let verdict = &c["verdict"];
    assert_eq!(verdict["view"], "amortised");
    assert_eq!(verdict["outcome"], "about_the_same");
    assert_eq!(verdict["saving_pct"], "4.6");
    assert_eq!(verdict["margin_pct"], "5");
    assert_eq!(cents(at("/verdict/saving_usd")), d("4485.69"));
    // The lines cross where 5096.22298 + 1454.92442 m <= 1614.62298 m: m >= 5096.22298 / 159.69856 = 31.9.
    assert!(d("5096.22298") / (onprem - d("1454.92442")) > d("31"));
    assert_eq!(c["break_even_month"], 32);
    assert_eq!(verdict["break_even_month"], 32);
    assert!(
        verdict["text"].as_str().expect("text").starts_with(
            "About the same over 5 years, amortised: AWS $92,391.69 against on-prem $96,877.38, 4.6% apart"
        ),
        "{verdict}"
    );
    // 3 and 5 years, amortised: moving saves 58126.43 - 57473.50 = 652.93 and 96877.38 - 92391.69 = 4485.69.
    assert_eq!(cents(at("/horizons/0/saving_usd")), d("652.93"));
    assert_eq!(cents(at("/horizons/1/saving_usd")), d("4485.69"));

    // ---- Cash flow, year by year. On-prem: a rolling refresh, so every year 12 × 1614.62298 = 19375.47576.
    // AWS: 12 × paid monthly every year; year 1 adds the 3-year upfront, the move (3481.60 + 0) and one month of
    // both; year 4 renews the reservations. The renewal runs 12 months past the horizon: 12183.0138 × 12/36 =
    // 4061.0046 is left, and AWS's net cash over 5 years equals its amortised total.
    let years = c["cash"]["years"].as_array().expect("years");
    let cash = |y: usize, k: &str| d(years[y - 1][k].as_str().expect("cash"));
    let year = d("12") * monthly;
    for y in 1..=5 {
        assert_eq!(cash(y, "onprem_usd"), d("19375.47576"), "year {y}");
    }
    near(cash(1, "cloud_usd"), year + d("12183.0138") + d("5096.22298"), "year 1");
    near(cash(2, "cloud_usd"), year, "year 2");
    near(cash(4, "cloud_usd"), year + d("12183.0138"), "year 4");
    assert_eq!(at("/cash/cloud_residual_usd"), d("4061.0046"));
    assert_eq!(at("/cash/onprem_residual_usd"), Decimal::ZERO);
    near(at("/cash/cloud_net_usd"), aws(60), "cash net = amortised");
    assert_eq!(at("/cash/onprem_net_usd"), d("96877.3788"));

    // ---- Levers, a year. Schedules: (0.344 × (730 - 217.5) + 0.0752 × (730 - 243.333) + 0.0376 × (730 -
    // 250.125)) × 12 = 2771.29. Rocky: the plan's licence saving 108.9625 × 12 = 1307.55. Reserved: (1945.49537 -
    // 1454.92442) × 12 = 5886.85. Egress, a cost: 17.10 × 12 = 205.20.
    let lever = |k: &str| {
        let l = c["levers"].as_array().expect("levers").iter().find(|l| l["key"] == k).expect(k);
        l["usd_year"].as_str().map(d)
    };
    let sched = (d("0.344") * (d("730") - d("217.5"))
        + d("0.0752") * (d("730") - d("2920") / d("12"))
        + d("0.0376") * (d("730") - d("250.125")))
        * d("12");
    close(lever("schedules").expect("schedules"), sched, "schedules");
    assert_eq!(cents(sched), d("2771.29"));
    assert_eq!(lever("rocky"), Some(d("1307.55")));
    assert_eq!(cents(lever("reserved_spot").expect("reserved")), d("5886.85"));
    assert_eq!(lever("egress"), Some(d("205.2")));
    // Right-sizing: the as-is on-demand total less the one sized from utilization, both priced by `plan`.
    let util = run(&["plan", "examples/smb-office.csv", "--sizing", "utilization", "--format", "json"]);
    let util = d(json(&stdout(&util))["totals"]["monthly_usd"].as_str().expect("total"));
    let as_is = d(v["totals"]["monthly_usd"].as_str().expect("total"));
    assert_eq!(lever("right_sizing"), Some(((as_is - util) * d("12")).normalize()));
    // Sized as-is, the right-sizing saving would come on top of the AWS figure; every other lever is in it.
    for l in c["levers"].as_array().expect("levers") {
        assert_eq!(l["in_aws_figure"], l["key"] != "right_sizing", "{l}");
    }
}

#[test]
fn report_rerenders_what_plan_wrote() {
    let (_t, out) = written(&SMB);
    let plan_json = out.join("plan.json");
    let p = plan_json.to_str().expect("utf8");
    for (format, file) in [("md", "report.md"), ("html", "report.html"), ("json", "plan.json"), ("csv", "plan.csv")] {
        let o = run(&["report", p, "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stdout(&o) == read(&out, file), "report --format {format} differs from {file}");
    }
    // --out writes the file; the default format is html.
    let html = out.join("again.html");
    let o = run(&["report", p, "--out", html.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&out, "again.html"), read(&out, "report.html"));
    // `compare --out` writes the same report as `plan --compare --out`.
    let (_t2, out2) = written(&["compare", "examples/smb-office.csv"]);
    assert_eq!(read(&out2, "report.md"), read(&out, "report.md"));
    // Not a plan: bad data (exit 1) with the file named.
    let bad = out.join("report.md");
    let o = run(&["report", bad.to_str().expect("utf8"), "--format", "md"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("report.md:1: column 1: not a rocklift plan"), "{}", stderr(&o));
}

#[test]
fn the_html_loads_nothing() {
    for args in [&SMB[..], &HPC[..]] {
        let (_t, out) = written(args);
        let html = read(&out, "report.html");
        for needle in ["src=", "href=", "url(", "@import", "<link", "<iframe", "<img", "<object", "<embed", "srcset"] {
            assert!(!html.contains(needle), "{args:?}: report.html contains {needle}");
        }
        // No address in any tag or in the CSS and script (addresses in plain text would only be text).
        let mut rest = html.as_str();
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
            let tag = &rest[start..end];
            assert!(!tag.contains("://"), "{args:?}: an address in a tag: {tag}");
            rest = &rest[end..];
        }
        for block in ["<style>", "<script>"] {
            let s = html.find(block).expect(block);
            let e = s + html[s..].find("</").expect("end");
            assert!(!html[s..e].contains("://"), "{args:?}: an address in {block}");
        }
        assert_eq!(html.matches("<script").count(), 1, "one inline script");
    }
}

#[test]
fn hostile_names_are_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "name,cpus,memory_gib,os,role\n\
               \"<script>alert(1)</script>\",2,4,Rocky Linux 9,\"web\"\"><img src=x onerror=alert(2)>\"\n\
               a|b_c*d,2,4,Ubuntu 22.04,dev\n";
    fs::write(dir.path().join("inv.csv"), csv).expect("write");
    let o = run_in(dir.path(), &["plan", "inv.csv", "--compare", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.path().join("out");
    let html = read(&out, "report.html");
    assert!(!html.contains("<img"), "raw markup from a role");
    assert!(!html.contains("<script>alert"), "raw markup from a name");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(html.matches("<script").count(), 1);
    check_html(&html, &json(&read(&out, "plan.json")));
    let md = read(&out, "report.md");
    assert!(md.contains("a\\|b\\_c\\*d"), "Markdown table cells escaped");
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"));
}

#[test]
fn onprem_settings_and_years_are_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml = "[onprem]\nhosts = 2\nusd_per_kwh = 0.2\nhardware_usd_per_server = \"9000\"\nparallel_months = 0\n";
    fs::write(dir.path().join("rocklift.toml"), toml).expect("write");
    let inv = common::repo().join("examples/smb-office.csv");
    let o = run_in(dir.path(), &["compare", inv.to_str().expect("utf8"), "--years", "3", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let c = json(&stdout(&o))["comparison"].clone();
    assert_eq!(c["years"], 3);
    assert_eq!(c["months"].as_array().expect("months").len(), 36);
    let years: Vec<u64> =
        c["horizons"].as_array().expect("h").iter().map(|h| h["years"].as_u64().expect("y")).collect();
    assert_eq!(years, [3, 5]);
    assert_eq!(c["onprem"]["estate"]["machines"], 2);
    // 2 hosts × $9,000 = $18,000 less 10% over 60 months = $270; power 2 × 219 W × 1.58 × 730 h / 1000 =
    // 505.1892 kWh × $0.20 = $101.03784.
    assert_eq!(d(c["onprem"]["lines"][0]["usd"].as_str().expect("hw")), d("270"));
    assert_eq!(d(c["onprem"]["lines"][2]["usd"].as_str().expect("power")), d("101.03784"));
    assert_eq!(c["one_time"][2]["usd"], "0");
    let src = c["assumption_sources"].as_array().expect("sources");
    let source = |k: &str| src.iter().find(|a| a["key"] == k).expect(k)["source"].as_str().expect("s").to_owned();
    assert_eq!(source("usd_per_kwh"), "rocklift.toml [onprem]");
    assert!(source("pue").starts_with("Uptime Institute"), "{}", source("pue"));
    // A value out of range is bad data naming the file, line and key.
    fs::write(dir.path().join("rocklift.toml"), "[onprem]\nrefresh_years = 0\n").expect("write");
    let o = run_in(dir.path(), &["compare", inv.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("rocklift.toml:2: column 1: [onprem] refresh_years = 0: expected 1 to 15"),
        "{}",
        stderr(&o)
    );
    // --years outside 1..=10 is bad usage.
    let o = run(&["compare", "examples/smb-office.csv", "--years", "11"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn large_inventories_show_their_most_expensive_rows() {
    // 600 rows: the table shows the 500 most expensive (a scale label, not plan data); every number still traces.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut csv = String::from("name,cpus,memory_gib,os\n");
    for i in 0..600 {
        csv.push_str(&format!("srv{i:03},{},{},Rocky Linux 9\n", 1 + i % 8, 2 + i % 16));
    }
    fs::write(dir.path().join("big.csv"), csv).expect("write");
    let o = run_in(dir.path(), &["plan", "big.csv", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.path().join("out");
    let html = read(&out, "report.html");
    check_html(&html, &json(&read(&out, "plan.json")));
    assert!(html.contains(r#"The <span data-const="rows">500</span> rows with the highest monthly cost of"#));
    let start = html.find(r#"id="server-table""#).expect("server table");
    let table = &html[start..start + html[start..].find("</table>").expect("table end")];
    // 500 rows and the heading row.
    assert_eq!(table.matches("<tr>").count(), 501);
}

#[test]
fn reports_are_byte_identical_between_runs() {
    let (_a, one) = written(&HPC);
    let (_b, two) = written(&HPC);
    for f in ["report.md", "report.html", "plan.json"] {
        assert!(read(&one, f) == read(&two, f), "{f} differs between runs");
    }
}
