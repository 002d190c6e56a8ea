//! `rocklift plan INVENTORY`: read, size, match, price; print a summary and write plan.json and plan.csv with `--out DIR`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use rocklift::estimate::{build_plan, LoadedPricing};
use rocklift::render;
use rocklift::settings::Overrides;
use rocklift::{Error, Result};
use rust_decimal::Decimal;

use super::{out, ArchArg, BurstableArg, Ctx, SizingArg};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Inventory files or folders: rocklift CSV, RVTools (xlsx, CSV export folder or zip), AWS Migration Hub,
    /// Azure Migrate, Migration Evaluator, Google Migration Center; several are merged.
    #[arg(required = true)]
    inventory: Vec<PathBuf>,
    #[command(flatten)]
    input: super::inventory::InputArgs,
    #[command(flatten)]
    history: super::inventory::HistoryArgs,
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
    /// Also place types AWS lists as previous generation (m4, c4, r4, p3, ...).
    #[arg(long)]
    include_previous_generation: bool,
    /// Uplink in Mbit/s for copying the data to AWS (default from rocklift.toml, else 100).
    #[arg(long, value_name = "N")]
    link_mbps: Option<Decimal>,
    /// Size data volumes from the provisioned disk, or from the data used plus growth ([storage] growth_pct).
    #[arg(long, value_enum)]
    disk: Option<DiskArg>,
    /// Also price keeping the servers on-prem ([onprem] in rocklift.toml): kept in plan.json, shown in the reports.
    #[arg(long)]
    compare: bool,
    /// Years of the comparison (with --compare).
    #[arg(long, default_value_t = 5, requires = "compare", value_parser = clap::value_parser!(u32).range(1..=10))]
    years: u32,
    #[command(flatten)]
    render: super::terraform::RenderArgs,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum DiskArg {
    Provisioned,
    Used,
}

impl From<DiskArg> for rocklift::storage::DiskBasis {
    fn from(d: DiskArg) -> Self {
        match d {
            DiskArg::Provisioned => rocklift::storage::DiskBasis::Provisioned,
            DiskArg::Used => rocklift::storage::DiskBasis::Used,
        }
    }
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    if let Some(l) = a.link_mbps {
        if l <= Decimal::ZERO {
            return Err(Error::Usage(format!("--link-mbps {l}: expected a speed above 0, such as 100")));
        }
    }
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
        link_mbps: a.link_mbps,
        disk: a.disk.map(Into::into),
    };
    let settings = ctx.settings(&overrides)?;
    let mut inventory = a.input.read(&a.inventory)?;
    a.history.apply(&mut inventory)?;
    let snapshot = ctx.snapshot()?;
    ctx.check_region(&snapshot, &settings.region, a.region.is_some())?;
    let pricing = LoadedPricing::load(snapshot, &settings.region)?;
    let for_compare = a.compare.then(|| inventory.clone());
    let mut plan = build_plan(inventory, &settings, &pricing.data());
    if let Some(inv) = for_compare {
        super::compare::attach(&mut plan, inv, &settings, &pricing, a.years);
    }
    let mut tf_summary = String::new();
    if let Some(dir) = &a.out {
        // Terraform first: a refusal (a file the user changed) leaves everything untouched.
        let files = super::terraform::render_files(&plan, &a.render)?;
        let report = super::terraform::write_files(dir, &files, a.render.force)?;
        tf_summary = super::terraform::summary(&dir.join("terraform"), &report);
        super::compare::write_all(dir, &plan)?;
    }
    let printed = print(&a, &plan, &tf_summary);
    // The plan can be large; the process ends now, so let the OS reclaim it instead of freeing it piece by piece.
    std::mem::forget(plan);
    printed
}

fn print(a: &Args, plan: &rocklift::plan::Plan, tf_summary: &str) -> Result<()> {
    match a.format {
        Format::Table => {
            out(&render::table::plan(plan))?;
            out(&render::tco_table::summary(plan))?;
            if let Some(dir) = &a.out {
                out(&format!("Wrote {} and {}.\n", dir.join("plan.json").display(), dir.join("plan.csv").display()))?;
                out(&format!(
                    "Reports: {} and {}.\n",
                    dir.join("report.md").display(),
                    dir.join("report.html").display()
                ))?;
                out(tf_summary)?;
            }
            Ok(())
        }
        // With --out the file is already written: copy it rather than render twice.
        Format::Json => match &a.out {
            Some(dir) => copy_out(&dir.join("plan.json")),
            None => stream_out(|w| render::json::write_plan(plan, w)),
        },
        Format::Csv => match &a.out {
            Some(dir) => copy_out(&dir.join("plan.csv")),
            None => stream_out(|w| render::csv_out::write_plan(plan, w)),
        },
    }
}

type FileOut = BufWriter<std::fs::File>;
type Render<'a> = &'a (dyn Fn(&mut FileOut) -> std::io::Result<()> + Sync);

/// Write every file (each on its own thread) to a temporary name first, then rename them all into
/// place; on any error the temporary files are removed and nothing is left half-written.
/// Write `files` into `dir`, all or none (each to a temporary name, then renamed); `*.sh` files get mode 0755.
pub fn write_outputs(dir: &Path, files: &[(&str, Render<'_>)]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let staged: Vec<(PathBuf, PathBuf)> =
        files.iter().map(|(name, _)| (dir.join(format!(".{name}.rocklift-tmp")), dir.join(name))).collect();
    let results: Vec<std::io::Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .zip(&staged)
            .map(|((name, render), (tmp, _))| {
                scope.spawn(move || {
                    let f = std::fs::File::create(tmp)?;
                    let mut w = BufWriter::with_capacity(1 << 20, f);
                    render(&mut w)?;
                    let f = w.into_inner().map_err(|e| e.into_error())?;
                    if name.ends_with(".sh") {
                        // Scripts slurmctld runs: it refuses (and turns power saving off) when they are not
                        // executable.
                        use std::os::unix::fs::PermissionsExt;
                        f.set_permissions(std::fs::Permissions::from_mode(0o755))?;
                    }
                    f.sync_all()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(std::io::Error::other("a writer thread failed"))))
            .collect()
    });
    let cleanup = || {
        for (t, _) in &staged {
            let _ = std::fs::remove_file(t);
        }
    };
    for (r, (tmp, _)) in results.into_iter().zip(&staged) {
        if let Err(e) = r {
            cleanup();
            return Err(Error::io(tmp, e));
        }
    }
    for (tmp, dest) in &staged {
        if let Err(e) = std::fs::rename(tmp, dest) {
            cleanup();
            return Err(Error::io(dest, e));
        }
    }
    Ok(())
}

/// [`write_outputs`] for files whose text is already made.
pub fn write_texts(dir: &Path, files: &[(&str, &str)]) -> Result<()> {
    let writers: Vec<_> = files.iter().map(|(_, text)| move |w: &mut FileOut| w.write_all(text.as_bytes())).collect();
    let named: Vec<(&str, Render<'_>)> =
        files.iter().zip(&writers).map(|((name, _), w)| (*name, w as Render<'_>)).collect();
    write_outputs(dir, &named)
}

/// Copy a written file to stdout.
fn copy_out(path: &Path) -> Result<()> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match std::io::copy(&mut f, &mut lock).and_then(|_| lock.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}

/// Stream a rendering to stdout; a closed pipe ends quietly.
fn stream_out(render: impl FnOnce(&mut BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>) -> Result<()> {
    let stdout = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
    match render(&mut w).and_then(|_| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}
