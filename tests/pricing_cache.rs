//! The user cache of pricing snapshots: the atomic writer, newest-valid selection, interrupted writes
//! ignored, `ROCKLIFT_CACHE` / `XDG_CACHE_HOME` / `HOME`, `pricing status` and `pricing diff`.
//!
//! Runs in the air-gapped build too (`cargo test --no-default-features --test pricing_cache`).

mod common;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, TimeZone, Utc};
use rocklift::pricing::cache::{self, SnapshotFile};
use rocklift::pricing::diff::{self, ChangeKind};
use rocklift::pricing::manifest::Manifest;
use rocklift::pricing::{PriceOs, RegionPrices, Snapshot, SnapshotOrigin, Term};

const NOTE: &str = "EC2 prices on or before 2026-05-12 (us-east-1 Linux on-demand 2026-07-20)";

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, 14, 0).single().expect("valid time")
}

fn now() -> DateTime<Utc> {
    std::time::SystemTime::now().into()
}

fn embedded_manifest() -> Manifest {
    Snapshot::embedded().expect("embedded").manifest
}

/// The files of the committed `pricing-cache/`, as stored (gzipped prices), with their manifest sources.
fn committed_files() -> Vec<SnapshotFile> {
    embedded_manifest()
        .files
        .iter()
        .map(|f| SnapshotFile {
            path: f.path.clone(),
            bytes: fs::read(common::repo().join("pricing-cache").join(&f.path)).expect("read committed file"),
            sources: f.sources.clone(),
        })
        .collect()
}

fn gunzip(bytes: &[u8]) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut s).expect("gunzip");
    s
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).expect("gzip");
    e.finish().expect("gzip")
}

/// The committed files with, in us-east-1: m7i.large linux on-demand 0.1008 -> 0.11088, c9g.2xlarge
/// removed, zz9.large added at 0.5; and EBS gp3 storage 0.08 -> 0.092.
fn changed_files() -> Vec<SnapshotFile> {
    let mut files = committed_files();
    for f in &mut files {
        if f.path == "prices/us-east-1.csv.gz" {
            let text = gunzip(&f.bytes);
            let m7i = "m7i.large,y,0.100800,karpenter,";
            assert!(text.contains(m7i));
            assert!(text.contains("\nc9g.2xlarge,y,0.347760,karpenter,,,,,,,,,,,\n"));
            let text = text
                .replace(m7i, "m7i.large,y,0.110880,karpenter,")
                .replace("\nc9g.2xlarge,y,0.347760,karpenter,,,,,,,,,,,\n", "\n");
            f.bytes = gzip(&format!("{text}zz9.large,y,0.5,karpenter,,,,,,,,,,,\n"));
        }
        if f.path == "services.csv" {
            let text = String::from_utf8(f.bytes.clone()).expect("utf8");
            assert!(text.contains("ebs,gp3 storage,GB-month,0.08,"));
            f.bytes = text.replace("ebs,gp3 storage,GB-month,0.08,", "ebs,gp3 storage,GB-month,0.092,").into_bytes();
        }
    }
    files
}

fn write(root: &Path, files: &[SnapshotFile], now: DateTime<Utc>) -> PathBuf {
    cache::write_snapshot(root, &embedded_manifest(), files, now).expect("write snapshot")
}

fn m7i_large_od(s: &Snapshot) -> Option<rust_decimal::Decimal> {
    RegionPrices::load(s, "us-east-1")
        .expect("us-east-1")
        .get("m7i.large")
        .and_then(|t| t.get(PriceOs::Linux, Term::OnDemand))
}

/// Run rocklift with a clean environment for the cache: `envs` set, the three cache variables removed otherwise.
fn run_env(args: &[&str], envs: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(common::bin());
    c.args(args).current_dir(common::repo());
    for k in ["ROCKLIFT_CACHE", "XDG_CACHE_HOME", "HOME"] {
        c.env_remove(k);
    }
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("run rocklift")
}

fn ok_stdout(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(o));
    common::stdout(o)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn writer_round_trip_gives_the_same_files_and_prices() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("cache");
    let dir = write(&root, &committed_files(), at(23));
    assert_eq!(dir, root.join("snapshots").join("20261201T231400Z"));
    // Only the snapshot folder, no .tmp-* left behind, nothing else under the root.
    assert_eq!(names(&root), vec!["snapshots"]);
    assert_eq!(names(&root.join("snapshots")), vec!["20261201T231400Z"]);

    let written = Snapshot::open(SnapshotOrigin::Cache(dir.clone())).expect("open");
    written.verify().expect("every file verifies");
    let embedded = embedded_manifest();
    // sha256, row counts and sources computed by the writer equal the ones the build script wrote.
    assert_eq!(written.manifest.files, embedded.files);
    assert_eq!(written.manifest.written_at.as_deref(), Some("2026-12-01T23:14:00Z"));
    assert_eq!(written.manifest.sources, embedded.sources);
    assert_eq!(written.manifest.regions, embedded.regions);
    assert_eq!(m7i_large_od(&written).map(|d| d.to_string()), Some("0.100800".into()));
    let d = diff::diff(&Snapshot::embedded().expect("embedded"), &written).expect("diff");
    assert!(d.changes.is_empty(), "{:?}", d.changes.first());

    // The same second again: a second folder, not an overwrite.
    let again = write(&root, &committed_files(), at(23));
    assert_eq!(again, root.join("snapshots").join("20261201T231400Z-2"));
}

#[test]
fn writer_refuses_paths_outside_the_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = [SnapshotFile { path: "../escape.csv".into(), bytes: b"a\n1\n".to_vec(), sources: vec![] }];
    assert!(cache::write_snapshot(tmp.path(), &embedded_manifest(), &bad, at(1)).is_err());
    assert!(!tmp.path().join("escape.csv").exists());
}

#[test]
fn newest_valid_is_chosen_by_manifest_time() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let older = write(root, &committed_files(), at(1));
    let newer = write(root, &changed_files(), at(2));
    // Rename the older one so its folder name sorts last: the manifest time still decides.
    let renamed = root.join("snapshots").join("zz-older");
    fs::rename(&older, &renamed).expect("rename");
    let s = cache::newest_valid(root).expect("list").expect("a valid snapshot");
    assert_eq!(s.origin, SnapshotOrigin::Cache(newer.clone()));
    assert_eq!(m7i_large_od(&s).map(|d| d.to_string()), Some("0.110880".into()));
    // And `plan`-side commands price with it, and say which snapshot they used.
    let o = run_env(&["pricing", "show", "m7i.large", "--os", "linux"], &[("ROCKLIFT_CACHE", root)]);
    let out = ok_stdout(&o);
    assert!(out.contains("│ linux │ on-demand                │  0.11088 │"), "{out}");
    assert!(out.contains(&format!("Prices: {} snapshot, {NOTE}.", newer.display())), "{out}");
    let o = run_env(&["plan", "examples/smb-office.csv", "--format", "json"], &[("ROCKLIFT_CACHE", root)]);
    let v: serde_json::Value = serde_json::from_str(&ok_stdout(&o)).expect("json");
    assert_eq!(v["pricing"]["snapshot"], newer.display().to_string());
}

#[test]
fn interrupted_or_damaged_snapshots_are_never_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let good = write(root, &changed_files(), at(1));
    let snaps = root.join("snapshots");
    // 1. Files written but no manifest (the write stopped before its last step).
    let no_manifest = snaps.join("20261201T021400Z");
    fs::create_dir_all(no_manifest.join("prices")).expect("mkdir");
    fs::write(no_manifest.join("services.csv"), "x").expect("write");
    // 2. A complete, newer snapshot with one byte changed afterwards.
    let bad_sha = write(root, &committed_files(), at(3));
    let f = bad_sha.join("services.csv");
    let mut bytes = fs::read(&f).expect("read");
    bytes[60] ^= 1;
    fs::write(&f, bytes).expect("write");
    // 3. A newer, complete folder still under its .tmp- name (rename not done).
    let leftover = snaps.join(".tmp-20261201T041400Z-999");
    fs::rename(write(root, &committed_files(), at(4)), &leftover).expect("rename");

    let s = cache::newest_valid(root).expect("list").expect("the good one");
    assert_eq!(s.origin, SnapshotOrigin::Cache(good.clone()));
    s.verify().expect("the previous snapshot is intact");
    assert_eq!(m7i_large_od(&s).map(|d| d.to_string()), Some("0.110880".into()));

    let listed = cache::list(root).expect("list");
    let why: Vec<(String, String)> =
        listed.iter().map(|c| (c.name.clone(), c.status.as_ref().err().cloned().unwrap_or_default())).collect();
    assert_eq!(why[0], (".tmp-20261201T041400Z-999".into(), "unfinished write (a .tmp-* folder is never used)".into()));
    assert_eq!(why[1], ("20261201T011400Z".into(), String::new()));
    assert_eq!(why[2], ("20261201T021400Z".into(), "no manifest.json (unfinished or damaged write)".into()));
    assert_eq!(why[3].0, "20261201T031400Z");
    assert!(
        why[3].1.starts_with(&format!("pricing snapshot {}/services.csv: sha256 is ", bad_sha.display())),
        "{}",
        why[3].1
    );

    // `pricing status` lists the embedded snapshot and every cached one, valid or why not.
    let out = ok_stdout(&run_env(&["pricing", "status"], &[("ROCKLIFT_CACHE", root)]));
    let lines: Vec<&str> = out.lines().take(7).collect();
    assert_eq!(
        lines,
        vec![
            "Snapshots (* = the one plan uses):".to_string(),
            format!("  embedded: {NOTE}"),
            format!("  {}: not used: unfinished write (a .tmp-* folder is never used)", leftover.display()),
            format!("* {}: valid, written 2026-12-01T01:14:00Z, {NOTE}", good.display()),
            format!("  {}: not used: no manifest.json (unfinished or damaged write)", no_manifest.display()),
            format!("  {}: not used: {}", bad_sha.display(), why[3].1),
            format!("Cache: {} (4 snapshot folders)", snaps.display()),
        ]
    );
    assert!(out.contains(&format!("\nPricing snapshot: {} (schema 1)\n", good.display())), "{out}");
    let v: serde_json::Value =
        serde_json::from_str(&ok_stdout(&run_env(&["pricing", "status", "--json"], &[("ROCKLIFT_CACHE", root)])))
            .expect("json");
    assert_eq!(v["snapshot"], good.display().to_string());
    assert_eq!(v["snapshots"][0]["snapshot"], "embedded");
    assert_eq!(v["snapshots"][0]["used"], false);
    assert_eq!(v["snapshots"][2]["used"], true);
    assert_eq!(v["snapshots"][2]["written_at"], "2026-12-01T01:14:00Z");
    assert_eq!(v["snapshots"][3]["valid"], false);
}

#[test]
fn stale_tmp_folders_are_removed_by_the_next_write_only_after_an_hour() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let leftover = root.join("snapshots").join(".tmp-20261201T000000Z-123");
    fs::create_dir_all(leftover.join("prices")).expect("mkdir");
    fs::write(leftover.join("services.csv"), "half").expect("write");
    // A write "now": the leftover is minutes old and may belong to a running write; kept.
    write(root, &committed_files(), now());
    assert!(leftover.exists());
    // A write two hours later: the leftover is stale and removed.
    write(root, &committed_files(), now() + chrono::Duration::hours(2));
    assert!(!leftover.exists());
    assert_eq!(names(&root.join("snapshots")).iter().filter(|n| n.starts_with(".tmp-")).count(), 0);
}

#[test]
fn empty_or_missing_cache_uses_the_embedded_snapshot() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = ok_stdout(&run_env(&["pricing", "status"], &[("ROCKLIFT_CACHE", tmp.path())]));
    assert!(out.starts_with(&format!(
        "Snapshots (* = the one plan uses):\n* embedded: {NOTE}\nCache: {} (0 snapshot folders)\n\nPricing snapshot: embedded (schema 1)\n",
        tmp.path().join("snapshots").display()
    )), "{out}");
    let out = ok_stdout(&run_env(&["pricing", "show", "m7i.large"], &[("ROCKLIFT_CACHE", tmp.path())]));
    assert!(out.contains(&format!("Prices: embedded snapshot, {NOTE}.")), "{out}");
    // Nothing was created by reading.
    assert!(names(tmp.path()).is_empty());
}

#[test]
fn pricing_cache_flag_beats_the_user_cache() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("cache");
    let cached = write(&root, &changed_files(), at(1));
    let flag = common::repo().join("pricing-cache");
    let o =
        run_env(&["pricing", "status", "--pricing-cache", flag.to_str().expect("utf8")], &[("ROCKLIFT_CACHE", &root)]);
    let out = ok_stdout(&o);
    let lines: Vec<&str> = out.lines().take(4).collect();
    assert_eq!(
        lines,
        vec![
            "Snapshots (* = the one plan uses):".to_string(),
            format!("* {} (--pricing-cache): {NOTE}", flag.display()),
            format!("  embedded: {NOTE}"),
            format!("  {}: valid, written 2026-12-01T01:14:00Z, {NOTE}", cached.display()),
        ]
    );
}

#[test]
fn xdg_cache_home_then_home_and_nothing_written_outside() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    let xdg = tmp.path().join("xdg");
    fs::create_dir_all(&home).expect("mkdir");
    let in_xdg = write(&xdg.join("rocklift"), &changed_files(), at(5));
    let out = ok_stdout(&run_env(&["pricing", "show", "m7i.large"], &[("XDG_CACHE_HOME", &xdg), ("HOME", &home)]));
    assert!(out.contains(&format!("Prices: {} snapshot", in_xdg.display())), "{out}");
    // HOME only: ~/.cache/rocklift, which does not exist: embedded, and reading creates nothing.
    let o = run_env(&["plan", "examples/smb-office.csv", "--format", "json"], &[("HOME", &home)]);
    let v: serde_json::Value = serde_json::from_str(&ok_stdout(&o)).expect("json");
    assert_eq!(v["pricing"]["snapshot"], "embedded");
    assert!(names(&home).is_empty(), "{:?}", names(&home));
    let in_home = write(&home.join(".cache").join("rocklift"), &changed_files(), at(6));
    let out = ok_stdout(&run_env(&["pricing", "show", "m7i.large"], &[("HOME", &home)]));
    assert!(out.contains(&format!("Prices: {} snapshot", in_home.display())), "{out}");
    assert_eq!(names(tmp.path()), vec!["home", "xdg"]);
}

#[test]
fn diff_lists_changed_new_and_removed_prices() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = write(tmp.path(), &changed_files(), at(7));
    let d = dir.to_str().expect("utf8");
    let out = ok_stdout(&run_env(&["pricing", "diff", "embedded", d], &[("ROCKLIFT_CACHE", tmp.path())]));
    assert_eq!(
        out,
        format!(
            "Pricing diff: embedded -> {d} ($/hour for EC2; services in their unit)\n\
             removed us-east-1 c9g.2xlarge linux on-demand: 0.34776\n\
             changed us-east-1 m7i.large linux on-demand: 0.1008 -> 0.11088 (+10.00%)\n\
             new us-east-1 zz9.large linux on-demand: 0.5\n\
             changed service ebs / gp3 storage: 0.08 -> 0.092 (+15.00%)\n\
             2 changed, 1 new, 1 removed\n"
        )
    );
    // The other way round: signs and kinds swap.
    let out = ok_stdout(&run_env(&["pricing", "diff", d, "embedded"], &[("ROCKLIFT_CACHE", tmp.path())]));
    assert!(out.contains("\nchanged us-east-1 m7i.large linux on-demand: 0.11088 -> 0.1008 (-9.09%)\n"), "{out}");
    assert!(out.contains("\nnew us-east-1 c9g.2xlarge linux on-demand: 0.34776\n"), "{out}");
    assert!(out.contains("\nremoved us-east-1 zz9.large linux on-demand: 0.5\n"), "{out}");

    let o = run_env(&["pricing", "diff", "embedded", d, "--json"], &[("ROCKLIFT_CACHE", tmp.path())]);
    let v: serde_json::Value = serde_json::from_str(&ok_stdout(&o)).expect("json");
    assert_eq!((v["changed"].as_u64(), v["new_prices"].as_u64(), v["removed"].as_u64()), (Some(2), Some(1), Some(1)));
    assert_eq!(
        v["changes"][1],
        serde_json::json!({
            "change": "changed", "kind": "ec2", "region": "us-east-1", "instance_type": "m7i.large",
            "os": "linux", "term": "on-demand", "old_usd": "0.1008", "new_usd": "0.11088", "percent": "10.00"
        })
    );
    assert_eq!(v["changes"][3]["kind"], "service");
    assert_eq!(v["changes"][3]["item"], "gp3 storage");

    // Library API: same counts.
    let embedded = Snapshot::embedded().expect("embedded");
    let written = Snapshot::open(SnapshotOrigin::Cache(dir.clone())).expect("open");
    let lib = diff::diff(&embedded, &written).expect("diff");
    assert_eq!([ChangeKind::Changed, ChangeKind::New, ChangeKind::Removed].map(|k| lib.count(k)), [2, 1, 1]);
}

#[test]
fn diff_of_a_damaged_folder_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = write(tmp.path(), &committed_files(), at(8));
    fs::write(dir.join("services.csv"), "service,item,unit,usd,tier_from,tier_to,note\n").expect("write");
    let o = run_env(&["pricing", "diff", "embedded", dir.to_str().expect("utf8")], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(common::stderr(&o).contains("services.csv: sha256 is"), "{}", common::stderr(&o));
}

/// The committed snapshot: every file the manifest lists verifies against its sha256
/// (`Snapshot::read` checks it), and the whole folder stays under 2 MiB.
#[test]
fn embedded_snapshot_files_verify_and_stay_small() {
    let snap = Snapshot::embedded().expect("embedded");
    for f in &snap.manifest.files {
        snap.read(&f.path).unwrap_or_else(|e| panic!("{e}"));
    }
    let total: u64 = walk(&common::repo().join("pricing-cache"));
    assert!(total <= 2 * 1024 * 1024, "pricing-cache is {total} bytes");
}

fn walk(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(&p)
            } else {
                fs::metadata(&p).expect("meta").len()
            }
        })
        .sum()
}
