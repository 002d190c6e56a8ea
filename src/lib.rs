//! rocklift library: inventory in, right-sized and priced AWS plan out (pure pipeline; IO only in `pricing::snapshot`, `inventory::read_*` and `settings::load`).

pub mod bounds;
pub mod error;
pub mod estimate;
pub mod hpc;
pub mod inventory;
pub mod matching;
pub mod money;
pub mod network;
pub mod outdir;
pub mod plan;
pub mod pricing;
pub mod purchase;
pub mod render;
pub mod scaling;
pub mod schedule;
pub mod settings;
pub mod sizing;
pub mod storage;
pub mod target_os;
pub mod tco;
pub mod tco_views;
pub mod templates;
pub mod terraform;
pub mod transfer;
pub mod utilization;

pub use error::{Error, Result};
