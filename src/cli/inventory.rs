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
        let opts = ReadOptions {
            include_powered_off: self.include_powered_off,
            include_templates: self.include_templates,
        };
        read_inputs(paths, self.input_format.map(Into::into), &opts)
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
            let inv = a.input.read(&a.files)?;
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
