//! clap definitions and dispatch: one file per subcommand; options are turned into `Settings` here and nowhere else.

mod burst;
mod compare;
mod instances;
mod inventory;
mod plan;
mod pricing;
mod report;
mod terraform;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use rocklift::inventory::ArchChoice;
use rocklift::pricing::{cache, PriceOs, Snapshot, SnapshotOrigin};
use rocklift::settings::{self, Burstable, Overrides, Settings, Sizing};
use rocklift::{Error, Result};

#[derive(Parser, Debug)]
#[command(
    name = "rocklift",
    version,
    about = "Plan and price a move from on-prem servers to AWS on Rocky Linux, offline."
)]
pub struct Cli {
    /// Read pricing data from this folder (same format as pricing-cache/) instead of the newest valid
    /// cached snapshot (ROCKLIFT_CACHE, else $XDG_CACHE_HOME/rocklift, else ~/.cache/rocklift) or the embedded one.
    #[arg(long, global = true, value_name = "DIR")]
    pricing_cache: Option<PathBuf>,
    /// Project settings (default: ./rocklift.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Size, match and price every server of an inventory CSV.
    Plan(plan::Args),
    /// Show prices and what the pricing snapshot holds.
    #[command(subcommand)]
    Pricing(pricing::Command),
    /// Replay a Slurm job history, send jobs that wait too long to the cloud, price it, write the Slurm fragment.
    Burst(burst::Args),
    /// Read inventories and show what rocklift understood of them.
    #[command(subcommand)]
    Inventory(inventory::Command),
    /// List instance types that fit a requirement, cheapest first.
    Instances(instances::Args),
    /// Re-render DIR/terraform/ from a saved plan.json.
    Terraform(terraform::Args),
    /// Price keeping the servers on-prem against moving them: break-even, 3- and 5-year totals, levers.
    Compare(compare::Args),
    /// Re-render report.html, report.md, plan.csv or plan.json from a saved plan.json.
    Report(report::Args),
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum OsArg {
    Linux,
    Rhel,
    Windows,
}

impl From<OsArg> for PriceOs {
    fn from(o: OsArg) -> Self {
        match o {
            OsArg::Linux => PriceOs::Linux,
            OsArg::Rhel => PriceOs::Rhel,
            OsArg::Windows => PriceOs::Windows,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum ArchArg {
    Any,
    #[value(name = "x86_64")]
    X86_64,
    Arm64,
}

impl From<ArchArg> for ArchChoice {
    fn from(a: ArchArg) -> Self {
        match a {
            ArchArg::Any => ArchChoice::Any,
            ArchArg::X86_64 => ArchChoice::X86_64,
            ArchArg::Arm64 => ArchChoice::Arm64,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum SizingArg {
    AsIs,
    Utilization,
}

impl From<SizingArg> for Sizing {
    fn from(s: SizingArg) -> Self {
        match s {
            SizingArg::AsIs => Sizing::AsIs,
            SizingArg::Utilization => Sizing::Utilization,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum BurstableArg {
    Auto,
    Allow,
    Never,
}

impl From<BurstableArg> for Burstable {
    fn from(b: BurstableArg) -> Self {
        match b {
            BurstableArg::Auto => Burstable::Auto,
            BurstableArg::Allow => Burstable::Allow,
            BurstableArg::Never => Burstable::Never,
        }
    }
}

/// Shared context: where settings and pricing data come from.
pub struct Ctx {
    pricing_cache: Option<PathBuf>,
    config: Option<PathBuf>,
    /// The user cache root (see [`cache::cache_root`]), resolved from the environment once, in [`run`].
    cache_root: Option<PathBuf>,
}

impl Ctx {
    pub fn settings(&self, overrides: &Overrides) -> Result<Settings> {
        settings::load(self.config.as_deref(), overrides)
    }

    /// A `--region` the snapshot does not have is bad usage (exit 2); one from rocklift.toml is bad data (exit 1).
    pub fn check_region(&self, snapshot: &Snapshot, region: &str, from_flag: bool) -> Result<()> {
        if snapshot.manifest.has_region(region) {
            return Ok(());
        }
        let msg = format!(
            "region '{region}'{} is not in the pricing snapshot; it has: {}",
            if from_flag { " (--region)" } else { " (from rocklift.toml)" },
            snapshot.manifest.regions.join(", ")
        );
        Err(if from_flag { Error::Usage(msg) } else { Error::NotFound(msg) })
    }

    /// `--pricing-cache DIR`, else the newest valid snapshot of the user cache, else the embedded one.
    pub fn snapshot(&self) -> Result<Snapshot> {
        if let Some(dir) = &self.pricing_cache {
            return Snapshot::open(SnapshotOrigin::Dir(dir.clone()));
        }
        if let Some(root) = &self.cache_root {
            match cache::newest_valid(root) {
                Ok(Some(s)) => return Ok(s),
                Ok(None) => {}
                // An unreadable cache must not stop a plan: say so and use the embedded snapshot.
                Err(e) => eprintln!("warning: pricing cache not read ({e}); using the embedded snapshot"),
            }
        }
        Snapshot::embedded()
    }
}

pub fn run() -> Result<()> {
    let cli = Cli::parse();
    let cache_root = cache::cache_root(
        std::env::var_os("ROCKLIFT_CACHE").map(PathBuf::from),
        std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    );
    let ctx = Ctx { pricing_cache: cli.pricing_cache, config: cli.config, cache_root };
    match cli.command {
        Command::Plan(a) => plan::run(&ctx, a),
        Command::Pricing(c) => pricing::run(&ctx, c),
        Command::Instances(a) => instances::run(&ctx, a),
        Command::Inventory(c) => inventory::run(c),
        Command::Burst(a) => burst::run(&ctx, a),
        Command::Terraform(a) => terraform::run(&ctx, a),
        Command::Compare(a) => compare::run(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
    }
}

/// Print to stdout; a closed pipe (`| head`) ends quietly instead of panicking.
pub fn out(text: &str) -> Result<()> {
    let mut o = std::io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|_| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}
