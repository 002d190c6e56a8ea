//! `manifest.json` text in, the snapshot's description out: sources with their data dates, files with sha256, regions, known gaps.

use serde::{Deserialize, Serialize};

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub schema: u32,
    pub kind: String,
    /// The date that reports name for the prices (the main EC2 price source).
    pub data_date: String,
    pub data_date_note: String,
    pub built_by: String,
    /// When a refreshed snapshot was written (RFC 3339, UTC); the user cache picks the newest valid one by it.
    /// Absent in the embedded snapshot, which is dated by `data_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_at: Option<String>,
    pub sources: Vec<Source>,
    /// Regions whose EBS, transfer, NAT and IPv4 prices the snapshot knows.
    pub service_price_regions: Vec<String>,
    pub regions: Vec<String>,
    pub regions_without_offerings: Vec<String>,
    #[serde(default)]
    pub cross_checks: serde_json::Map<String, serde_json::Value>,
    pub not_known_offline: Vec<String>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Source {
    pub id: String,
    pub file: String,
    pub what: String,
    pub origin: String,
    pub data_date: String,
    pub date_note: String,
    pub sha256: String,
    /// Where `file` lives when it is not one of the shared raw data files: `repository:data/`
    /// for a list kept in this repository (e.g. the previous-generation families).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub rows: u64,
    pub sources: Vec<String>,
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let m: Manifest = serde_json::from_slice(bytes).map_err(|e| format!("not a valid manifest: {e}"))?;
        if m.kind != "rocklift-pricing-snapshot" {
            return Err(format!("kind is '{}', expected 'rocklift-pricing-snapshot'", m.kind));
        }
        if m.schema != SCHEMA {
            return Err(format!("schema {} is not supported by this rocklift (it reads schema {SCHEMA})", m.schema));
        }
        Ok(m)
    }

    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn has_region(&self, region: &str) -> bool {
        self.regions.iter().any(|r| r == region)
    }
}
