//! Malformed inventories: every fixture in `tests/malformed/*.csv` must be rejected with located
//! messages (`FILE:LINE: column 'x': message`), by the reader (`native_csv::parse`) and by the real
//! binary (`rocklift plan FILE --out DIR`: exit code 1, nothing written, no panic).
//!
//! Each `NAME.csv` has a sibling `NAME.expected`: one line per problem the reader must report, in
//! order; each line is a substring of the rendered problem (prefixed with the bare file name, e.g.
//! `NAME.csv:3: column 'cpus': 'x' is not a number`). Lines that are empty or start with `#` are
//! ignored. Add a fixture by dropping both files in the folder; nothing here needs to change.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use rocklift::inventory::native_csv::parse;
use rocklift::Error;

const MIN_FIXTURES: usize = 25;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn malformed_dir() -> PathBuf {
    root().join("tests").join("malformed")
}

struct Fixture {
    /// `NAME.csv`
    file_name: String,
    /// `tests/malformed/NAME.csv`, relative to the crate root, as given on the command line.
    rel: String,
    path: PathBuf,
    expected: Vec<String>,
}

fn fixtures() -> Vec<Fixture> {
    let dir = malformed_dir();
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let file_name = path.file_name().and_then(|n| n.to_str()).expect("UTF-8 fixture name").to_owned();
        let exp_path = path.with_extension("expected");
        let text = fs::read_to_string(&exp_path)
            .unwrap_or_else(|e| panic!("{file_name} has no readable {}: {e}", exp_path.display()));
        let expected: Vec<String> = text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        assert!(!expected.is_empty(), "{} lists no expected problem", exp_path.display());
        for line in &expected {
            assert!(
                line.starts_with(&format!("{file_name}:")),
                "{}: expectation {line:?} must start with '{file_name}:LINE:' to pin the location",
                exp_path.display()
            );
        }
        out.push(Fixture { rel: format!("tests/malformed/{file_name}"), file_name, path, expected });
    }
    out.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    assert!(
        out.len() >= MIN_FIXTURES,
        "expected at least {MIN_FIXTURES} fixtures in {}, found {}",
        dir.display(),
        out.len()
    );
    out
}

/// `None` when every needle occurs in `haystack` in order (each after the end of the previous one);
/// else a description of the first one missing.
fn missing_in_order(haystack: &str, needles: &[String]) -> Option<String> {
    let mut from = 0;
    for (i, needle) in needles.iter().enumerate() {
        match haystack[from..].find(needle.as_str()) {
            Some(at) => from += at + needle.len(),
            None => {
                let anywhere = if haystack.contains(needle.as_str()) { " (it occurs, but out of order)" } else { "" };
                return Some(format!("expected line {} not found{anywhere}: {needle:?}", i + 1));
            }
        }
    }
    None
}

#[test]
fn every_expected_file_has_its_fixture() {
    for entry in fs::read_dir(malformed_dir()).expect("list tests/malformed") {
        let path = entry.expect("directory entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("expected") {
            assert!(path.with_extension("csv").is_file(), "{} has no .csv fixture", path.display());
        }
    }
}

#[test]
fn parse_rejects_every_fixture_with_located_problems() {
    let mut failures = Vec::new();
    let all = fixtures();
    for fx in &all {
        let bytes = fs::read(&fx.path).expect("read fixture");
        let problems = match parse(&fx.rel, &bytes) {
            Err(Error::Invalid(p)) => p,
            Err(other) => {
                failures.push(format!("{}: expected Error::Invalid, got another error: {other}", fx.file_name));
                continue;
            }
            Ok(inv) => {
                failures.push(format!("{}: accepted, with {} servers", fx.file_name, inv.servers.len()));
                continue;
            }
        };
        let rendered: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let mut why = Vec::new();
        if rendered.len() != fx.expected.len() {
            why.push(format!("{} problems reported, {} expected", rendered.len(), fx.expected.len()));
        }
        // One-to-one: the i-th problem must contain the i-th expected line.
        for (i, (got, want)) in rendered.iter().zip(&fx.expected).enumerate() {
            if !got.contains(want.as_str()) {
                why.push(format!("problem {} does not contain {want:?}", i + 1));
            }
        }
        for p in &problems {
            if p.file != fx.rel {
                why.push(format!("problem names file {:?}, not {:?}", p.file, fx.rel));
            }
            if p.line == 0 {
                why.push(format!("problem has no line: {p}"));
            }
            if p.message.trim().is_empty() {
                why.push(format!("problem has no message: {p}"));
            }
        }
        if !why.is_empty() {
            failures.push(format!(
                "{}:\n  {}\n  actual:\n    {}",
                fx.file_name,
                why.join("\n  "),
                rendered.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures failed:\n{}", failures.len(), all.len(), failures.join("\n\n"));
}

#[test]
fn binary_plan_rejects_every_fixture_and_writes_nothing() {
    let exe = env!("CARGO_BIN_EXE_rocklift");
    let mut failures = Vec::new();
    let all = fixtures();
    for fx in &all {
        let out = tempfile::tempdir().expect("temp dir");
        let output = Command::new(exe)
            .current_dir(root())
            .arg("plan")
            .arg(&fx.rel)
            .arg("--out")
            .arg(out.path())
            .output()
            .expect("run rocklift");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut why = Vec::new();
        if output.status.code() != Some(1) {
            why.push(format!("exit status {:?}, expected code 1", output.status));
        }
        if stderr.contains("panicked") || stdout.contains("panicked") {
            why.push("the process panicked".to_owned());
        }
        if let Some(m) = missing_in_order(&stderr, &fx.expected) {
            why.push(m);
        }
        let written = leftovers(out.path());
        if !written.is_empty() {
            why.push(format!("--out dir is not empty: {written:?}"));
        }
        if !why.is_empty() {
            failures.push(format!(
                "{}:\n  {}\n  stderr:\n{}\n  stdout:\n{}",
                fx.file_name,
                why.join("\n  "),
                indent(&stderr),
                indent(&stdout)
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures failed:\n{}", failures.len(), all.len(), failures.join("\n\n"));
}

fn leftovers(dir: &Path) -> Vec<String> {
    match fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
        // The tool may have removed the (empty) dir; that is "nothing written" too.
        Err(_) => Vec::new(),
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

/// A small valid inventory and its BOM / CRLF / `;` / tab variants, as (what, bytes).
fn valid_variants() -> (String, Vec<(&'static str, Vec<u8>)>) {
    let plain = "name,cpus,memory_gib,disk_gib,os,tags\n\
                 web1,2,4,50,CentOS Linux 7 (Core),env=prod;owner=ops\n\
                 db1,8,32.5,500,Rocky Linux 9.3,\n\
                 win1,4,16,,Windows Server 2019 Standard,env=dev\n"
        .to_owned();
    let semicolon = plain.replace(',', ";").replace("env=prod;owner=ops", "\"env=prod;owner=ops\"");
    let tab = plain.replace(',', "\t");
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let bom = |s: &str| {
        let mut b = b"\xef\xbb\xbf".to_vec();
        b.extend_from_slice(s.as_bytes());
        b
    };
    let variants = vec![
        ("plain", plain.as_bytes().to_vec()),
        ("bom", bom(&plain)),
        ("crlf", crlf(&plain).into_bytes()),
        ("bom+crlf", bom(&crlf(&plain))),
        ("semicolon", semicolon.clone().into_bytes()),
        ("bom+semicolon", bom(&semicolon)),
        ("bom+crlf+semicolon", bom(&crlf(&semicolon))),
        ("tab", tab.clone().into_bytes()),
        ("bom+crlf+tab", bom(&crlf(&tab))),
        ("no final newline", plain.trim_end().as_bytes().to_vec()),
    ];
    (plain, variants)
}

#[test]
fn bom_crlf_semicolon_and_tab_variants_of_a_valid_inventory_are_accepted() {
    let (plain, variants) = valid_variants();
    let reference = parse("v.csv", plain.as_bytes()).unwrap_or_else(|e| panic!("plain variant rejected:\n{e}"));
    let summary = |i: &rocklift::inventory::Inventory| {
        i.servers
            .iter()
            .map(|s| (s.name.clone(), s.cpus, s.memory_gib, s.disk_gib, s.os.target.clone(), s.tags.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(reference.servers.len(), 3);
    for (what, bytes) in variants {
        let inv = parse("v.csv", &bytes).unwrap_or_else(|e| panic!("{what} variant rejected:\n{e}"));
        assert_eq!(summary(&inv), summary(&reference), "{what} variant reads differently");
        assert!(inv.ignored_columns.is_empty(), "{what}: ignored {:?}", inv.ignored_columns);
    }
}

#[test]
fn bom_crlf_semicolon_and_tab_variants_keep_line_numbers() {
    let (_, variants) = valid_variants();
    let mut wrong = Vec::new();
    for (what, bytes) in variants {
        let inv = parse("v.csv", &bytes).unwrap_or_else(|e| panic!("{what} variant rejected:\n{e}"));
        let lines: Vec<u64> = inv.servers.iter().map(|s| s.line).collect();
        if lines != [2, 3, 4] {
            wrong.push(format!("{what}: rows on lines 2, 3, 4 read as lines {lines:?}"));
        }
    }
    assert!(wrong.is_empty(), "Server::line is wrong:\n{}", wrong.join("\n"));
}

/// Positive control for the binary test: the same command on a valid inventory succeeds and
/// writes into --out, so "exit 1 and an empty --out" above really means "rejected".
#[test]
fn binary_plan_accepts_a_valid_inventory_and_writes_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inv = dir.path().join("valid.csv");
    fs::write(&inv, "name,cpus,memory_gib,os\nweb1,2,4,CentOS 7\n").expect("write inventory");
    let out = dir.path().join("out");
    fs::create_dir(&out).expect("create out");
    let output = Command::new(env!("CARGO_BIN_EXE_rocklift"))
        .current_dir(root())
        .arg("plan")
        .arg(&inv)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run rocklift");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "valid inventory rejected:\n{stderr}");
    assert!(!leftovers(&out).is_empty(), "valid inventory wrote nothing to --out:\n{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Property: parse never panics, whatever the bytes.

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        // Interesting tokens.
        prop::sample::select(vec![
            "",
            " ",
            "web1",
            "WEB1",
            "0",
            "1",
            "-1",
            "-0",
            "+5",
            "2.5",
            "4.0",
            "15,5",
            "1e3",
            "1e30",
            "1e-5",
            "e",
            "E",
            "1e99999999999",
            "-1e5",
            ".",
            "..",
            "%",
            "150%",
            "99999999999999999999999999",
            "1234567890123456789012345678901234567890",
            "CentOS 7",
            "Red Hat Enterprise Linux 8.8",
            "Windows Server 2019",
            "Solaris",
            "rhel",
            "oel",
            "yes",
            "no",
            "maybe",
            "80,443",
            "9000-8000",
            "0-65535",
            "1-",
            "-",
            "70000",
            "env=prod;owner=ops",
            "=x",
            "a=b|a=c",
            "x86_64",
            "arm64",
            "sparc",
            "\"",
            "\"\"",
            "a\"b",
            "\r",
            "\n",
            "\t",
            "\u{feff}",
            "é",
            "\u{0}",
            "🙂",
        ])
        .prop_map(str::to_owned),
        "[0-9.eE+-]{0,40}",
        "[ -~]{0,16}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

fn header_cell() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "name",
        "hostname",
        "cpus",
        "vCPUs",
        "memory_gib",
        "RAM (GB)",
        "memory_mb",
        "ram_gb",
        "os",
        "OS Name",
        "disk_gib",
        "disk_used_gib",
        "cpu_util_p95",
        "mem_util_p95",
        "gpus",
        "gpu_model",
        "arch",
        "role",
        "count",
        "egress_gib_month",
        "public",
        "ports",
        "schedule",
        "tags",
        "colour",
        "",
        " ",
        "\"name\"",
        "na\"me",
    ])
    .prop_map(str::to_owned)
}

fn almost_csv() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        prop::sample::select(vec![",", ";", "\t", "|", ", "]),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        prop::collection::vec(header_cell(), 0..10),
        prop::collection::vec((prop::collection::vec((cell(), any::<bool>()), 0..10), any::<bool>()), 0..6),
        any::<bool>(),
    )
        .prop_map(|(bom, delim, eol, header, rows, final_eol)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str(&header.join(delim));
            for (cells, blank) in rows {
                s.push_str(eol);
                if blank {
                    continue;
                }
                let cells: Vec<String> = cells
                    .into_iter()
                    .map(|(c, quoted)| if quoted { format!("\"{}\"", c.replace('"', "\"\"")) } else { c })
                    .collect();
                s.push_str(&cells.join(delim));
            }
            if final_eol {
                s.push_str(eol);
            }
            s.into_bytes()
        })
}

/// A valid header and an almost-valid row: exercises the value checks rather than the header checks.
fn almost_valid_rows() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::collection::vec(cell(), 19), 1..4).prop_map(|rows| {
        let mut s = String::from(
            "name,cpus,memory_gib,disk_gib,disk_used_gib,os,cpu_util_p95,mem_util_p95,gpus,gpu_model,arch,role,count,egress_gib_month,public,ports,schedule,tags,memory_mb\n",
        );
        for row in rows {
            let cells: Vec<String> = row.into_iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        s.into_bytes()
    })
}

fn check_never_panics(bytes: &[u8]) -> Result<(), TestCaseError> {
    let result = std::panic::catch_unwind(|| parse("fuzz.csv", bytes));
    prop_assert!(result.is_ok(), "parse panicked on {:?}", String::from_utf8_lossy(bytes));
    if let Ok(Err(Error::Invalid(problems))) = result {
        prop_assert!(!problems.is_empty(), "Error::Invalid with no problem on {:?}", String::from_utf8_lossy(bytes));
        for p in problems {
            prop_assert!(p.line >= 1, "problem without a line: {p}");
            prop_assert_eq!(p.file.as_str(), "fuzz.csv");
        }
    }
    Ok(())
}

proptest! {
    // At least 512 cases; PROPTEST_CASES=N raises it for a longer run.
    #![proptest_config(ProptestConfig {
        cases: ProptestConfig::default().cases.max(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_never_panics(&bytes)?;
    }

    #[test]
    fn parse_never_panics_on_almost_csv(bytes in almost_csv()) {
        check_never_panics(&bytes)?;
    }

    #[test]
    fn parse_never_panics_on_almost_valid_rows(bytes in almost_valid_rows()) {
        check_never_panics(&bytes)?;
    }
}
