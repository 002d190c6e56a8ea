//! Where the source cross-check group (tests/source_crosscheck.rs) finds the project's raw data:
//! in `ROCKLIFT_SHARED`, else in the `shared` folder beside the repository (`../shared`, read-only in
//! CI). Out: that folder, or `None` after printing, once per test binary, one line saying the group
//! was skipped and why; with `ROCKLIFT_REQUIRE_SHARED=1` (set by .ci/run) a missing folder fails.
//!
//! No other test may read outside the repository: this module is included by the cross-check group
//! alone (`#[path = "common/source_data.rs"] mod source_data;`), and .ci/run runs every other test in
//! a copy of the checkout with nothing beside it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

static SKIPPED: Once = Once::new();

/// The shared folder (holding `data/` and `samples/`), or `None` when it is not there.
pub fn dir() -> Option<PathBuf> {
    let (dir, how) = match std::env::var_os("ROCKLIFT_SHARED") {
        Some(d) => (PathBuf::from(d), "ROCKLIFT_SHARED"),
        None => {
            (PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("shared"), "the folder beside the repository")
        }
    };
    if dir.join("data").is_dir() {
        return Some(dir);
    }
    let why = format!(
        "source cross-check skipped: {} ({how}) has no data/ folder; set ROCKLIFT_SHARED to the project's shared folder to compare the snapshot and fixtures with their sources",
        dir.display()
    );
    if std::env::var_os("ROCKLIFT_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("{why} (ROCKLIFT_REQUIRE_SHARED=1: the group must run)");
    }
    // Straight to stderr, past the test harness's capture, so the line shows in a normal run.
    SKIPPED.call_once(|| {
        let _ = writeln!(std::io::stderr(), "{why}");
    });
    None
}
