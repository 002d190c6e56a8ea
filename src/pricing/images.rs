//! `images.csv` in, last-known Rocky and RHEL AMI ids per region and arch out (offline hints for reports, never deployed values).

use serde::{Deserialize, Serialize};

use super::snapshot::Snapshot;
use crate::error::{Error, Result};

pub const FILE: &str = "images.csv";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct ImageHint {
    pub region: String,
    pub arch: String,
    pub os: String,
    pub ami_id: String,
    pub list_generated_utc: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImageHints {
    rows: Vec<ImageHint>,
}

impl ImageHints {
    pub fn load(snapshot: &Snapshot) -> Result<Self> {
        let bytes = snapshot.read(FILE)?;
        let mut rdr = csv::Reader::from_reader(bytes.as_slice());
        let rows = rdr
            .deserialize::<ImageHint>()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Snapshot { location: format!("{}/{FILE}", snapshot.origin), message: e.to_string() })?;
        Ok(ImageHints { rows })
    }

    /// `os` as in the file: `rocky8`, `rocky9`, `rhel7` .. `rhel10`.
    pub fn get(&self, region: &str, arch: &str, os: &str) -> Option<&ImageHint> {
        self.rows.iter().find(|r| r.region == region && r.arch == arch && r.os == os)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
