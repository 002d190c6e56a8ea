//! Where the snapshot's files come from (embedded in the binary, or a folder) in, verified bytes out.
//!
//! Every file read is checked against the sha256 the manifest gives for it, so a damaged or
//! hand-edited snapshot is refused with a clear message instead of giving wrong prices.

use std::io::Read;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use sha2::{Digest, Sha256};

use super::manifest::Manifest;
use crate::error::{Error, Result};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/pricing-cache");

/// Where a snapshot lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotOrigin {
    /// The snapshot compiled into the binary.
    Embedded,
    /// A folder in the same format given by `--pricing-cache DIR`.
    Dir(PathBuf),
    /// A verified snapshot folder of the user cache (`<cache root>/snapshots/<UTC stamp>/`).
    Cache(PathBuf),
}

impl std::fmt::Display for SnapshotOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotOrigin::Embedded => write!(f, "embedded"),
            SnapshotOrigin::Dir(p) | SnapshotOrigin::Cache(p) => write!(f, "{}", p.display()),
        }
    }
}

/// An opened snapshot: its manifest, and verified access to its files.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub origin: SnapshotOrigin,
    pub manifest: Manifest,
}

impl Snapshot {
    /// The snapshot embedded in the binary.
    pub fn embedded() -> Result<Self> {
        Self::open(SnapshotOrigin::Embedded)
    }

    pub fn open(origin: SnapshotOrigin) -> Result<Self> {
        let text = raw_bytes(&origin, "manifest.json")?;
        let manifest = Manifest::parse(&text)
            .map_err(|message| Error::Snapshot { location: format!("{}/manifest.json", origin), message })?;
        Ok(Snapshot { origin, manifest })
    }

    fn location(&self, rel: &str) -> String {
        format!("{}/{}", self.origin, rel)
    }

    /// Every file the manifest lists is there and has its sha256 (a cached snapshot is used only then).
    pub fn verify(&self) -> Result<()> {
        for f in &self.manifest.files {
            self.read_verified(&f.path)?;
        }
        Ok(())
    }

    /// The bytes of a file named in the manifest, verified, and un-gzipped when its name ends in `.gz`.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>> {
        let bytes = self.read_verified(rel)?;
        if rel.ends_with(".gz") {
            let mut out = Vec::with_capacity(bytes.len() * 6);
            flate2::read::GzDecoder::new(bytes.as_slice()).read_to_end(&mut out).map_err(|e| Error::Snapshot {
                location: self.location(rel),
                message: format!("cannot decompress: {e}"),
            })?;
            Ok(out)
        } else {
            Ok(bytes)
        }
    }

    /// The stored bytes of a file named in the manifest (still gzipped), checked against its sha256.
    pub fn read_verified(&self, rel: &str) -> Result<Vec<u8>> {
        let entry = self.manifest.file(rel).ok_or_else(|| Error::Snapshot {
            location: self.location(rel),
            message: "not listed in manifest.json".into(),
        })?;
        let bytes = raw_bytes(&self.origin, rel)?;
        let digest = hex(&Sha256::digest(&bytes));
        if digest != entry.sha256 {
            return Err(Error::Snapshot {
                location: self.location(rel),
                message: format!(
                    "sha256 is {digest}, manifest.json says {}; the file was changed or damaged (rebuild it with scripts/build-pricing-cache.py)",
                    entry.sha256
                ),
            });
        }
        Ok(bytes)
    }
}

fn raw_bytes(origin: &SnapshotOrigin, rel: &str) -> Result<Vec<u8>> {
    match origin {
        SnapshotOrigin::Embedded => EMBEDDED
            .get_file(rel)
            .map(|f| f.contents().to_vec())
            .ok_or_else(|| Error::Snapshot { location: format!("embedded/{rel}"), message: "missing".into() }),
        SnapshotOrigin::Dir(dir) | SnapshotOrigin::Cache(dir) => {
            let path: PathBuf = Path::new(dir).join(rel);
            std::fs::read(&path).map_err(|e| Error::io(path, e))
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
