//! `rocklift inventory check FILE...`: read (detecting each file's format), merge, and show the normalised servers,
//! what was left out and why, and every problem with its location.

use std::path::PathBuf;

use clap::ValueEnum;
use rocklift::inventory::read::{read_inputs, InputFormat};
use rocklift::inventory::ReadOptions;
use rocklift::render;
use rocklift::{Error, Result};

use super::out;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Read inventories and show what rocklift understood: servers, left-out rows, problems.
    Check(CheckArgs),
}

/// The inputs every command that reads inventories takes.
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Force the format instead of detecting it from the file.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<FormatArg>,
    /// Plan powered-off VMs too (left out and counted by default).
    #[arg(long)]
    pub include_powered_off: bool,
    /// Plan VM templates too (left out and counted by default).
    #[arg(long)]
    pub include_templates: bool,
}

impl InputArgs {
    pub fn read(&self, paths: &[PathBuf]) -> Result<rocklift::inventory::Inventory> {
        let opts =
            ReadOptions { include_powered_off: self.include_powered_off, include_templates: self.include_templates };
        read_inputs(paths, self.input_format.map(Into::into), &opts)
    }
}

/// A utilization history to size from (`plan`, `inventory check`).
#[derive(clap::Args, Debug, Clone)]
pub struct HistoryArgs {
    /// Utilization history CSV (timestamp, server, cpu_pct, mem_pct[, disk_iops, net_out_mbps]) or Migration
    /// Center perfInfo.csv; may be given more than once. Its p95s replace the inventory's.
    #[arg(long, value_name = "FILE")]
    pub utilization: Vec<PathBuf>,
    /// Use only the last N days of the history (up to its newest sample), 1 to 3650.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub utilization_days: Option<u32>,
    /// The history's sample interval in seconds, 1 to 86400 (default: the most common gap in the data).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub utilization_interval: Option<u64>,
}

impl HistoryArgs {
    /// Summarize the history (streamed) and join it to `inv`; nothing when no history is given.
    pub fn apply(&self, inv: &mut rocklift::inventory::Inventory) -> Result<()> {
        if self.utilization.is_empty() {
            return Ok(());
        }
        let window = rocklift::utilization::Window { from: None, to: None, last_days: self.utilization_days };
        let interval = self.utilization_interval.map(std::time::Duration::from_secs);
        let report = rocklift::utilization::summarize_files(&self.utilization, &window, interval)?;
        rocklift::inventory::history::apply(inv, &report);
        Ok(())
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum FormatArg {
    #[value(name = "rocklift-csv")]
    Rocklift,
    Rvtools,
    #[value(name = "aws-migration-hub")]
    MigrationHub,
    #[value(name = "azure-migrate")]
    AzureMigrate,
    #[value(name = "aws-migration-evaluator")]
    MigrationEvaluator,
    #[value(name = "google-migration-center")]
    GoogleMigrationCenter,
}

impl From<FormatArg> for InputFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Rocklift => InputFormat::Rocklift,
            FormatArg::Rvtools => InputFormat::RvTools,
            FormatArg::MigrationHub => InputFormat::MigrationHub,
            FormatArg::AzureMigrate => InputFormat::AzureMigrate,
            FormatArg::MigrationEvaluator => InputFormat::MigrationEvaluator,
            FormatArg::GoogleMigrationCenter => InputFormat::GoogleMigrationCenter,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Inventory files or folders (RVTools CSV export, Google Migration Center); several are merged.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    history: HistoryArgs,
    /// What to print.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    format: CheckFormat,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum CheckFormat {
    Table,
    Csv,
    Json,
}

pub fn run(cmd: Command) -> Result<()> {
    match cmd {
        Command::Check(a) => {
            let mut inv = a.input.read(&a.files)?;
            a.history.apply(&mut inv)?;
            match a.format {
                CheckFormat::Table => out(&render::inventory_check::report(&inv)),
                CheckFormat::Csv => {
                    let bytes = render::inventory_check::csv(&inv).map_err(|e| Error::io("<stdout>", e))?;
                    out(&String::from_utf8_lossy(&bytes))
                }
                CheckFormat::Json => {
                    let text = serde_json::to_string_pretty(&inv)
                        .map_err(|e| Error::io("<stdout>", std::io::Error::other(e)))?;
                    out(&format!("{text}\n"))
                }
            }
        }
    }
}
