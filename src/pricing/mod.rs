//! Pricing data: the snapshot (files + manifest), the instance catalog, per-region price books, service prices and image hints.
//!
//! The core reads prices only through [`Snapshot`]; a refreshed snapshot (from the AWS APIs) is just
//! another folder in the same format, so refresh slots in without touching the core.

pub mod burst_baseline;
pub mod cache;
pub mod catalog;
pub mod diff;
pub mod generation;
pub mod images;
pub mod manifest;
pub mod price_book;
#[cfg(feature = "refresh")]
pub mod refresh;
pub mod sanity;
pub mod services;
pub mod snapshot;

pub use catalog::{Catalog, InstanceSpec};
pub use price_book::{PriceOs, RegionPrices, Term, TypePrices};
pub use snapshot::{Snapshot, SnapshotOrigin};
