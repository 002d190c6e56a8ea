//! `rocklift plan INVENTORY`: read, size, match, price; print a summary and write plan.json and plan.csv with `--out DIR`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use rocklift::estimate::{build_plan, LoadedPricing};
use rocklift::inventory::native_csv;
use rocklift::render;
use rocklift::settings::Overrides;
use rocklift::{Error, Result};
use rust_decimal::Decimal;

use super::{out, ArchArg, BurstableArg, Ctx, SizingArg};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Inventory CSV (rocklift format; see README).
    inventory: PathBuf,
    /// AWS region to price in (default from rocklift.toml, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// Write plan.json and plan.csv into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Size from provisioned resources or from p95 utilization.
    #[arg(long, value_enum)]
    sizing: Option<SizingArg>,
    /// Multiplier on p95 utilization (with --sizing utilization), e.g. 1.2.
    #[arg(long)]
    headroom: Option<Decimal>,
    /// Architecture for servers whose inventory row does not say.
    #[arg(long, value_enum)]
    arch: Option<ArchArg>,
    /// t-family (burstable) types: auto = only for low p95 CPU, allow, never.
    #[arg(long, value_enum)]
    burstable: Option<BurstableArg>,
    /// Also place types EC2 flags as previous generation (m5, c5, m6i, r6i, g5, ... in this snapshot).
    #[arg(long)]
    include_previous_generation: bool,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    if let Some(h) = a.headroom {
        if h < Decimal::ONE || h > Decimal::from(10) {
            return Err(Error::Usage(format!("--headroom {h}: expected a number from 1 to 10, such as 1.2")));
        }
    }
    let overrides = Overrides {
        region: a.region.clone(),
        sizing: a.sizing.map(Into::into),
        headroom: a.headroom,
        arch: a.arch.map(Into::into),
        burstable: a.burstable.map(Into::into),
        include_previous_generation: a.include_previous_generation.then_some(true),
    };
    let settings = ctx.settings(&overrides)?;
    let inventory = native_csv::read_file(&a.inventory)?;
    let snapshot = ctx.snapshot()?;
    ctx.check_region(&snapshot, &settings.region, a.region.is_some())?;
    let pricing = LoadedPricing::load(snapshot, &settings.region)?;
    let plan = build_plan(&inventory, &settings, &pricing.data());
    drop(inventory);
    if let Some(dir) = &a.out {
        write_outputs(
            dir,
            &[
                ("plan.json", &|w| render::json::write_plan(&plan, w)),
                ("plan.csv", &|w| render::csv_out::write_plan(&plan, w)),
            ],
        )?;
    }
    match a.format {
        Format::Table => {
            out(&render::table::plan(&plan))?;
            if let Some(dir) = &a.out {
                out(&format!("Wrote {} and {}.\n", dir.join("plan.json").display(), dir.join("plan.csv").display()))?;
            }
            Ok(())
        }
        Format::Json => stream_out(|w| render::json::write_plan(&plan, w)),
        Format::Csv => stream_out(|w| render::csv_out::write_plan(&plan, w)),
    }
}

type Render<'a> = &'a dyn Fn(&mut dyn Write) -> std::io::Result<()>;

/// Write every file to a temporary name first, then rename them all into place; on any error
/// the temporary files are removed and nothing is left half-written.
pub fn write_outputs(dir: &Path, files: &[(&str, Render<'_>)]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, PathBuf)]| {
        for (t, _) in staged {
            let _ = std::fs::remove_file(t);
        }
    };
    for (name, render) in files {
        let tmp = dir.join(format!(".{name}.rocklift-tmp"));
        let written = std::fs::File::create(&tmp).and_then(|f| {
            let mut w = BufWriter::with_capacity(1 << 20, f);
            render(&mut w)?;
            w.into_inner().map_err(|e| e.into_error())?.sync_all()
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            cleanup(&staged);
            return Err(Error::io(tmp, e));
        }
        staged.push((tmp, dir.join(name)));
    }
    for (tmp, dest) in &staged {
        if let Err(e) = std::fs::rename(tmp, dest) {
            cleanup(&staged);
            return Err(Error::io(dest, e));
        }
    }
    Ok(())
}

/// Stream a rendering to stdout; a closed pipe ends quietly.
fn stream_out(render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
    match render(&mut w).and_then(|_| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}
