//! `rocklift report PLAN.json --format html|md|csv|json [--out FILE]`: re-render a saved plan (and its comparison)
//! without recomputing anything. A burst.json (`rocklift burst --out`, told apart by its `schema`) re-renders its
//! report.html or report.md; `--format json` gives it back as it is.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use rocklift::error::Problem;
use rocklift::plan::{Plan, SCHEMA};
use rocklift::{render, Error, Result};

use super::{out, Ctx};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A plan.json written by `rocklift plan --out` or `rocklift compare --out`, or a burst.json (`rocklift burst --out`).
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
    if let Some(text) = burst_json(&a.plan)? {
        let text = render_burst(&a.plan, &text, a.format)?;
        return match &a.out {
            None => out(&text),
            Some(path) => write_file(path, &text),
        };
    }
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

/// The text of `path` when it is a burst.json: a JSON object whose `schema` is a `rocklift.burst/` one.
fn burst_json(path: &Path) -> Result<Option<String>> {
    #[derive(serde::Deserialize)]
    struct Kind {
        schema: Option<String>,
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let is_burst = serde_json::from_slice::<Kind>(&bytes)
        .ok()
        .and_then(|k| k.schema)
        .is_some_and(|s| s.starts_with("rocklift.burst/"));
    Ok(is_burst.then(|| String::from_utf8_lossy(&bytes).into_owned()))
}

/// A burst.json's report in `format`; bad data naming the line and column when it lacks what the report shows.
fn render_burst(path: &Path, text: &str, format: Format) -> Result<String> {
    use render::burst_report::{self, SCHEMA as BURST_SCHEMA};
    let doc = burst_report::parse(text).map_err(|e| {
        Error::Invalid(vec![Problem {
            file: path.display().to_string(),
            sheet: None,
            line: e.line() as u64,
            column: None,
            message: format!("column {}: not a rocklift burst plan ({BURST_SCHEMA}): {e}", e.column()),
        }])
    })?;
    if doc.schema != BURST_SCHEMA {
        return Err(Error::Invalid(vec![Problem::at(
            &path.display().to_string(),
            1,
            None,
            format!("schema is '{}'; this rocklift reads '{BURST_SCHEMA}'", doc.schema),
        )]));
    }
    match format {
        Format::Html => burst_report::html(&doc),
        Format::Md => burst_report::markdown(&doc),
        Format::Json => Ok(text.to_owned()),
        Format::Csv => Err(Error::Usage(
            "--format csv: a burst plan has no CSV form; use html, md or json (burst.json as it is)".into(),
        )),
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
