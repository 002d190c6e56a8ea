//! Shared helpers for the integration tests: paths to the binary and the repository, and running the CLI.
//! Tests read only inside the repository; the source cross-check group alone reads the project's shared
//! data, through tests/common/source_data.rs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The text of a gzip file (panics naming the file).
pub fn read_gz(path: &Path) -> String {
    use std::io::Read;
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text
}

/// The committed snapshot's `pricing-cache/prices/REGION.csv.gz`: instance type → column → value.
pub fn snapshot_prices(region: &str) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> {
    let text = read_gz(&repo().join(format!("pricing-cache/prices/{region}.csv.gz")));
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let headers = rows.headers().expect("header").clone();
    rows.records()
        .map(|r| {
            let r = r.expect("a csv row");
            let row: std::collections::BTreeMap<String, String> =
                headers.iter().zip(r.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect();
            (row["instance_type"].clone(), row)
        })
        .collect()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_rocklift")
}

/// An empty pricing cache root (under cargo's per-target test temp dir), so a developer's real
/// `~/.cache/rocklift` never changes test outputs.
pub fn empty_cache() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("empty-rocklift-cache");
    std::fs::create_dir_all(&dir).expect("create the empty cache dir");
    dir
}

/// Run rocklift in `cwd` with `args`, with `ROCKLIFT_CACHE` set to [`empty_cache`].
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(bin()).args(args).current_dir(cwd).env("ROCKLIFT_CACHE", empty_cache()).output().expect("run rocklift")
}

pub fn run(args: &[&str]) -> Output {
    run_in(&repo(), args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Compare `actual` with the golden file; `UPDATE_GOLDEN=1` rewrites it.
pub fn golden(rel: &str, actual: &str) {
    let path = repo().join("tests").join("golden").join(rel);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create)", path.display()));
    if expected != actual {
        let diff_at = expected.lines().zip(actual.lines()).position(|(a, b)| a != b);
        panic!(
            "{} differs from the output (first differing line: {:?}); run with UPDATE_GOLDEN=1 if the change is intended\n--- output ---\n{actual}",
            path.display(),
            diff_at.map(|i| i + 1)
        );
    }
}
