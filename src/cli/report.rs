//! `rocklift report PLAN.json --format html|md|csv|json [--out FILE]`: re-render a saved plan (and its comparison)
//! without recomputing anything.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use rocklift::error::Problem;
use rocklift::plan::{Plan, SCHEMA};
use rocklift::{render, Error, Result};

use super::{out, Ctx};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A plan.json written by `rocklift plan --out` or `rocklift compare --out`.
    plan: PathBuf,
    /// What to render.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    format: Format,
    /// Write to this file instead of printing.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum Format {
    Html,
    Md,
    Csv,
    Json,
}

pub fn run(_ctx: &Ctx, a: Args) -> Result<()> {
    let plan = load_plan(&a.plan)?;
    let text = match a.format {
        Format::Html => render::report::html(&plan)?,
        Format::Md => render::report::markdown(&plan)?,
        Format::Csv => render::csv_out::plan(&plan),
        Format::Json => render::json::plan(&plan),
    };
    match &a.out {
        None => out(&text),
        Some(path) => write_file(path, &text),
    }
}

/// Read a plan.json; a file that is not one is bad data naming the line and column.
pub fn load_plan(path: &Path) -> Result<Plan> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let plan: Plan = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Invalid(vec![Problem {
            file: path.display().to_string(),
            sheet: None,
            line: e.line() as u64,
            column: None,
            message: format!("column {}: not a rocklift plan ({SCHEMA}): {e}", e.column()),
        }])
    })?;
    if plan.schema != SCHEMA {
        return Err(Error::Invalid(vec![Problem::at(
            &path.display().to_string(),
            1,
            None,
            format!("schema is '{}'; this rocklift reads '{SCHEMA}'", plan.schema),
        )]));
    }
    Ok(plan)
}

/// Write `text` to a temporary name beside `path`, then rename it into place.
fn write_file(path: &Path, text: &str) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    let tmp = path.with_file_name(format!(".{name}.rocklift-tmp"));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
