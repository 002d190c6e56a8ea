//! Generated files in, a folder on disk out: every file staged first and renamed into place,
//! with `.rocklift-manifest.json` recording the sha256 of what was written; a file the user
//! changed since (or wrote themselves) is never overwritten unless forced. Other files in the
//! folder (terraform.tfvars, .terraform/, state) are left alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const MANIFEST: &str = ".rocklift-manifest.json";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    /// User-changed files replaced because of `force`.
    pub overwritten: Vec<String>,
    /// Files rocklift wrote before that it no longer generates (removed when unchanged).
    pub removed: Vec<String>,
    pub kept_stale: Vec<String>,
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn read_manifest(dir: &Path) -> Result<BTreeMap<String, String>> {
    let path = dir.join(MANIFEST);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<BTreeMap<String, String>>(&bytes).map_err(|e| {
            Error::Refused(format!(
                "{}: not a rocklift manifest ({e}); remove it, or pass --force to regenerate everything",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Write `files` (name → text) into `dir`.
pub fn write_generated(dir: &Path, files: &BTreeMap<String, String>, force: bool) -> Result<WriteReport> {
    let mut report = WriteReport::default();
    let manifest = if dir.exists() && !force { read_manifest(dir)? } else { read_manifest(dir).unwrap_or_default() };
    // 1. Decide, before touching anything.
    let mut changed = Vec::new();
    let mut to_write: Vec<(&String, &String)> = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        let new_hash = sha(text.as_bytes());
        match std::fs::read(&path) {
            Ok(current) => {
                let current_hash = sha(&current);
                if current_hash == new_hash {
                    report.unchanged.push(name.clone());
                    continue;
                }
                if manifest.get(name) != Some(&current_hash) {
                    if force {
                        report.overwritten.push(name.clone());
                    } else {
                        changed.push(name.clone());
                        continue;
                    }
                }
                to_write.push((name, text));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => to_write.push((name, text)),
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    if !changed.is_empty() {
        return Err(Error::Refused(format!(
            "{}: {} changed since rocklift wrote {} (or not written by rocklift): nothing was written. Keep your changes elsewhere, or pass --force to replace {}",
            dir.display(),
            changed.join(", "),
            if changed.len() == 1 { "it" } else { "them" },
            if changed.len() == 1 { "it" } else { "them" },
        )));
    }
    let mut stale = Vec::new();
    for (name, hash) in &manifest {
        if files.contains_key(name) {
            continue;
        }
        match std::fs::read(dir.join(name)) {
            Ok(current) if &sha(&current) == hash => stale.push(name.clone()),
            Ok(_) => report.kept_stale.push(name.clone()),
            Err(_) => {}
        }
    }

    // 2. Stage everything, then rename into place.
    let fresh = !dir.exists();
    let staging: PathBuf = if fresh {
        let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        parent.join(format!(".{name}.rocklift-tmp"))
    } else {
        dir.join(".rocklift-tmp")
    };
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    let stage = |name: &str, bytes: &[u8]| -> Result<()> {
        let p = staging.join(name);
        std::fs::write(&p, bytes).map_err(|e| Error::io(&p, e))
    };
    let mut new_manifest: BTreeMap<String, String> = BTreeMap::new();
    for (name, text) in files {
        new_manifest.insert(name.clone(), sha(text.as_bytes()));
    }
    for (name, hash) in &manifest {
        if report.kept_stale.contains(name) {
            new_manifest.insert(name.clone(), hash.clone());
        }
    }
    let result = (|| -> Result<()> {
        for (name, text) in &to_write {
            stage(name, text.as_bytes())?;
        }
        let manifest_text = serde_json::to_string_pretty(&new_manifest).unwrap_or_default() + "\n";
        stage(MANIFEST, manifest_text.as_bytes())?;
        if fresh {
            for (name, text) in files {
                if !to_write.iter().any(|(n, _)| *n == name) {
                    stage(name, text.as_bytes())?;
                }
            }
            std::fs::rename(&staging, dir).map_err(|e| Error::io(dir, e))?;
        } else {
            for (name, _) in &to_write {
                std::fs::rename(staging.join(name), dir.join(name)).map_err(|e| Error::io(dir.join(name), e))?;
            }
            for name in &stale {
                let _ = std::fs::remove_file(dir.join(name));
            }
            std::fs::rename(staging.join(MANIFEST), dir.join(MANIFEST))
                .map_err(|e| Error::io(dir.join(MANIFEST), e))?;
            let _ = std::fs::remove_dir_all(&staging);
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result?;
    report.written = to_write.iter().map(|(n, _)| (*n).clone()).collect();
    report.removed = stale;
    Ok(report)
}
