//! The user cache of refreshed snapshots: a cache root in, the snapshot folders under `<root>/snapshots/`
//! (each checked), the newest valid one, and an atomic writer for new ones out.
//!
//! Layout: `<root>/snapshots/<UTC stamp like 20261201T231400Z>/`, each folder in the exact format of
//! `pricing-cache/` (data files + `manifest.json` with the sha256 and row count of every file).
//!
//! A write goes to `<root>/snapshots/.tmp-<stamp>-<pid>/`: every file is written and fsynced,
//! `manifest.json` is written last, then the folder is renamed into place (one `rename`, atomic on a
//! POSIX file system) and the parent folder is fsynced. A folder whose name starts with `.tmp-`, whose
//! `manifest.json` is missing or unreadable, or one of whose files is missing or does not match its
//! sha256 is never used: [`newest_valid`] skips it and falls back to older snapshots, then to the
//! embedded one. `.tmp-*` folders older than [`STALE_TMP_AFTER`] (an interrupted write) are removed at
//! the start of the next [`write_snapshot`].
//!
//! No environment, clock or network here: the caller passes the root ([`cache_root`] resolves it from
//! values the CLI reads) and the time of the write.

use std::fs::File;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use super::manifest::{FileEntry, Manifest};
use super::snapshot::{hex, Snapshot, SnapshotOrigin};
use crate::error::{Error, Result};

/// The folder under the cache root that holds the snapshots.
pub const SNAPSHOTS: &str = "snapshots";
/// Prefix of a snapshot folder being written.
pub const TMP_PREFIX: &str = ".tmp-";
/// A `.tmp-*` folder older than this is an interrupted write and is removed by the next write.
pub const STALE_TMP_AFTER: Duration = Duration::from_secs(3600);

/// The cache root: `ROCKLIFT_CACHE` when set (and not empty), else `$XDG_CACHE_HOME/rocklift`, else
/// `$HOME/.cache/rocklift` (the XDG base directory rule the `dirs` crate follows on Linux); `None` when
/// none of them is set. The values are passed in so this stays free of the environment.
pub fn cache_root(
    rocklift_cache: Option<PathBuf>,
    xdg_cache_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> Option<PathBuf> {
    let set = |p: Option<PathBuf>| p.filter(|p| !p.as_os_str().is_empty());
    if let Some(p) = set(rocklift_cache) {
        return Some(p);
    }
    // XDG: a relative XDG_CACHE_HOME is invalid and ignored.
    if let Some(p) = set(xdg_cache_home).filter(|p| p.is_absolute()) {
        return Some(p.join("rocklift"));
    }
    set(home).map(|h| h.join(".cache").join("rocklift"))
}

/// One file of a snapshot to write: its path inside the snapshot (e.g. `prices/us-east-1.csv.gz`), its
/// stored bytes (gzipped when the name ends in `.gz`), and the manifest source ids it comes from.
#[derive(Debug, Clone)]
pub struct SnapshotFile {
    pub path: String,
    pub bytes: Vec<u8>,
    pub sources: Vec<String>,
}

/// A folder under `<root>/snapshots/` and whether it can be used.
#[derive(Debug, Clone)]
pub struct CachedSnapshot {
    pub dir: PathBuf,
    /// The folder name (the UTC stamp of the write).
    pub name: String,
    /// The verified snapshot, or why it is not used.
    pub status: std::result::Result<Snapshot, String>,
}

impl CachedSnapshot {
    /// The manifest's `written_at` of a valid snapshot.
    pub fn written_at(&self) -> Option<&str> {
        self.status.as_ref().ok().and_then(|s| s.manifest.written_at.as_deref())
    }
}

/// Every folder under `<root>/snapshots/`, checked, sorted by name (a missing folder gives none).
pub fn list(root: &Path) -> Result<Vec<CachedSnapshot>> {
    let dir = root.join(SNAPSHOTS);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let status = check(&path, &name);
        out.push(CachedSnapshot { dir: path, name, status });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A snapshot folder opened and every file verified, or why not.
fn check(dir: &Path, name: &str) -> std::result::Result<Snapshot, String> {
    if name.starts_with(TMP_PREFIX) {
        return Err("unfinished write (a .tmp-* folder is never used)".into());
    }
    if !dir.join("manifest.json").is_file() {
        return Err("no manifest.json (unfinished or damaged write)".into());
    }
    let snapshot = Snapshot::open(SnapshotOrigin::Cache(dir.to_path_buf())).map_err(|e| e.to_string())?;
    snapshot.verify().map_err(|e| e.to_string())?;
    Ok(snapshot)
}

/// The index in `list` of the snapshot `plan` uses: the valid one with the newest manifest `written_at`
/// (a manifest without it counts as oldest; ties go to the later folder name).
pub fn newest_index(list: &[CachedSnapshot]) -> Option<usize> {
    list.iter()
        .enumerate()
        .filter(|(_, c)| c.status.is_ok())
        .max_by(|(_, a), (_, b)| (a.written_at(), &a.name).cmp(&(b.written_at(), &b.name)))
        .map(|(i, _)| i)
}

/// The newest valid snapshot under `root`, if any.
pub fn newest_valid(root: &Path) -> Result<Option<Snapshot>> {
    // Only manifests are read to order the candidates; files are hashed from the newest down, stopping at the
    // first that verifies, so older snapshots cost nothing at start-up (the choice is the one `newest_index`
    // makes over a full `list`).
    let dir = root.join(SNAPSHOTS);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut candidates = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(&dir, e))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !path.is_dir() || name.starts_with(TMP_PREFIX) || !path.join("manifest.json").is_file() {
            continue;
        }
        if let Ok(s) = Snapshot::open(SnapshotOrigin::Cache(path)) {
            candidates.push((s.manifest.written_at.clone(), name, s));
        }
    }
    candidates.sort_by(|a, b| (&b.0, &b.1).cmp(&(&a.0, &a.1)));
    Ok(candidates.into_iter().map(|(_, _, s)| s).find(|s| s.verify().is_ok()))
}

/// Write a snapshot atomically under `<root>/snapshots/` and return its folder.
///
/// `manifest` gives everything but the file list and `written_at`, which are filled in here: every
/// file's sha256 and row count (CSV records, un-gzipped first for `.gz`), and `now` as RFC 3339. The
/// folder is named for `now` (`20261201T231400Z`, with `-2`, `-3`... when that name is taken). Stale
/// `.tmp-*` folders (older than [`STALE_TMP_AFTER`] relative to `now`) are removed first.
pub fn write_snapshot(root: &Path, manifest: &Manifest, files: &[SnapshotFile], now: DateTime<Utc>) -> Result<PathBuf> {
    let snapshots = root.join(SNAPSHOTS);
    std::fs::create_dir_all(&snapshots).map_err(|e| Error::io(&snapshots, e))?;
    remove_stale_tmp(&snapshots, now.into())?;
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let tmp = snapshots.join(format!("{TMP_PREFIX}{stamp}-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;

    let mut entries = Vec::with_capacity(files.len());
    for f in files {
        let rel = checked_rel_path(&f.path)?;
        let path = tmp.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        write_synced(&path, &f.bytes)?;
        entries.push(FileEntry {
            path: f.path.clone(),
            sha256: hex(&Sha256::digest(&f.bytes)),
            rows: count_rows(&f.path, &f.bytes)
                .map_err(|message| Error::Snapshot { location: f.path.clone(), message })?,
            sources: f.sources.clone(),
        });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    sync_dirs_below(&tmp)?;

    let mut m = manifest.clone();
    m.files = entries;
    m.written_at = Some(now.to_rfc3339_opts(SecondsFormat::Secs, true));
    let text = serde_json::to_string_pretty(&m).map_err(|e| Error::Snapshot {
        location: tmp.join("manifest.json").display().to_string(),
        message: e.to_string(),
    })?;
    write_synced(&tmp.join("manifest.json"), format!("{text}\n").as_bytes())?;
    sync_dir(&tmp)?;

    let target = free_name(&snapshots, &stamp);
    std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, e))?;
    sync_dir(&snapshots)?;
    Ok(target)
}

/// A relative path made only of plain names (no `..`, no root), so a file cannot land outside the folder.
fn checked_rel_path(rel: &str) -> Result<&Path> {
    let p = Path::new(rel);
    let plain = !rel.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain || rel == "manifest.json" {
        return Err(Error::Usage(format!(
            "snapshot file path '{rel}' must be relative, without '..', and not manifest.json"
        )));
    }
    Ok(p)
}

/// Data rows of a CSV file (header excluded), un-gzipped first when the name ends in `.gz`; 0 for other files.
fn count_rows(rel: &str, bytes: &[u8]) -> std::result::Result<u64, String> {
    let plain = rel.strip_suffix(".gz").unwrap_or(rel);
    if !plain.ends_with(".csv") {
        return Ok(0);
    }
    let data = if rel.ends_with(".gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out)
            .map_err(|e| format!("cannot decompress: {e}"))?;
        out
    } else {
        bytes.to_vec()
    };
    let mut rdr = csv::Reader::from_reader(data.as_slice());
    let mut rows = 0u64;
    for r in rdr.records() {
        r.map_err(|e| e.to_string())?;
        rows += 1;
    }
    Ok(rows)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Error::io(path, e))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(dir, e))
}

/// fsync every folder below `dir` (e.g. `prices/`), so the new files' entries are on disk.
fn sync_dirs_below(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            sync_dirs_below(&path)?;
            sync_dir(&path)?;
        }
    }
    Ok(())
}

/// `<snapshots>/<stamp>`, or `<stamp>-2`, `<stamp>-3`... when taken.
fn free_name(snapshots: &Path, stamp: &str) -> PathBuf {
    let mut n = 1u32;
    loop {
        let name = if n == 1 { stamp.to_owned() } else { format!("{stamp}-{n}") };
        let p = snapshots.join(name);
        if !p.exists() {
            return p;
        }
        n += 1;
    }
}

/// Remove `.tmp-*` folders last modified more than [`STALE_TMP_AFTER`] before `now`.
fn remove_stale_tmp(snapshots: &Path, now: SystemTime) -> Result<()> {
    for entry in std::fs::read_dir(snapshots).map_err(|e| Error::io(snapshots, e))? {
        let entry = entry.map_err(|e| Error::io(snapshots, e))?;
        if !entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        let modified = entry.metadata().and_then(|m| m.modified()).map_err(|e| Error::io(&path, e))?;
        let stale = now.duration_since(modified).map(|age| age > STALE_TMP_AFTER).unwrap_or(false);
        if stale && path.is_dir() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_prefers_rocklift_cache_then_xdg_then_home() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(cache_root(p("/c"), p("/x"), p("/h")), p("/c"));
        assert_eq!(cache_root(p(""), p("/x"), p("/h")), p("/x/rocklift"));
        assert_eq!(cache_root(None, p("rel"), p("/h")), p("/h/.cache/rocklift"));
        assert_eq!(cache_root(None, None, p("/h")), p("/h/.cache/rocklift"));
        assert_eq!(cache_root(None, None, None), None);
    }

    #[test]
    fn rel_paths_stay_inside() {
        assert!(checked_rel_path("prices/us-east-1.csv.gz").is_ok());
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "manifest.json"] {
            assert!(checked_rel_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rows_are_csv_records() {
        assert_eq!(count_rows("a.csv", b"h1,h2\n1,\"x\ny\"\n2,z\n"), Ok(2));
        assert_eq!(count_rows("a.json", b"{}"), Ok(0));
    }
}
