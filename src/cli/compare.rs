//! `rocklift compare INVENTORY [--years N]`: plan the inventory, price keeping it on-prem (`[onprem]`), print the
//! comparison; with `--out DIR` write plan.json (comparison included), plan.csv, report.md and report.html.
//! Also the helper `plan --compare` uses.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;
use rocklift::estimate::{build_plan, LoadedPricing};
use rocklift::inventory::Inventory;
use rocklift::plan::Plan;
use rocklift::render;
use rocklift::settings::{Overrides, Settings, Sizing};
use rocklift::tco::{compare, CompareInputs, RightSizing};
use rocklift::Result;

use super::{out, Ctx, SizingArg};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Inventory files or folders (every format `plan` reads); several are merged.
    #[arg(required = true)]
    inventory: Vec<PathBuf>,
    #[command(flatten)]
    input: super::inventory::InputArgs,
    #[command(flatten)]
    history: super::inventory::HistoryArgs,
    /// Years shown month by month and the horizon of the break-even (3- and 5-year totals are always shown).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10))]
    years: u32,
    /// AWS region to price in (default from rocklift.toml, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// Size from provisioned resources or from p95 utilization (the other sizing is priced for the right-sizing lever).
    #[arg(long, value_enum)]
    sizing: Option<SizingArg>,
    /// Write plan.json, plan.csv, report.md and report.html into this folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum Format {
    Table,
    Json,
    Md,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let overrides = Overrides { region: a.region.clone(), sizing: a.sizing.map(Into::into), ..Default::default() };
    let settings = ctx.settings(&overrides)?;
    let mut inventory = a.input.read(&a.inventory)?;
    a.history.apply(&mut inventory)?;
    let snapshot = ctx.snapshot()?;
    ctx.check_region(&snapshot, &settings.region, a.region.is_some())?;
    let pricing = LoadedPricing::load(snapshot, &settings.region)?;
    let alternative = inventory.clone();
    let mut plan = build_plan(inventory, &settings, &pricing.data());
    attach(&mut plan, alternative, &settings, &pricing, a.years);
    if let Some(dir) = &a.out {
        write_all(dir, &plan)?;
    }
    match a.format {
        Format::Table => {
            out(&format!(
                "rocklift compare: {} ({} servers) in {}, sizing {}, over {} years\n",
                plan.inventory.file, plan.inventory.servers, plan.settings.region, plan.settings.sizing, a.years
            ))?;
            out(&render::incomplete::headline(&plan))?;
            out(&render::tco_table::summary(&plan))?;
            if let Some(dir) = &a.out {
                out(&format!(
                    "Wrote {}, {}, {} and {}.\n",
                    dir.join("plan.json").display(),
                    dir.join("plan.csv").display(),
                    dir.join("report.md").display(),
                    dir.join("report.html").display()
                ))?;
            }
            Ok(())
        }
        Format::Json => out(&render::json::plan(&plan)),
        Format::Md => out(&render::report::markdown(&plan)?),
    }
}

/// Price the comparison of `plan` and keep it in the plan. `inventory` is the plan's inventory (read again or cloned
/// before planning): its hypervisor hosts, and its pricing under the other sizing for the right-sizing lever.
pub fn attach(plan: &mut Plan, inventory: Inventory, settings: &Settings, pricing: &LoadedPricing, years: u32) {
    let hosts = inventory.hosts.clone();
    let other = match settings.sizing {
        Sizing::AsIs => Sizing::Utilization,
        Sizing::Utilization => Sizing::AsIs,
    };
    let alt_settings = Settings { sizing: other, ..settings.clone() };
    let alt = build_plan(inventory, &alt_settings, &pricing.data());
    let (as_is, util) = match settings.sizing {
        Sizing::AsIs => (plan.totals.monthly_usd, alt.totals.monthly_usd),
        Sizing::Utilization => (alt.totals.monthly_usd, plan.totals.monthly_usd),
    };
    // Only comparable when both plans placed every server.
    let right_sizing = (!plan.totals.incomplete && !alt.totals.incomplete)
        .then_some(RightSizing { as_is_monthly_usd: as_is, utilization_monthly_usd: util });
    let inputs = CompareInputs { onprem: &settings.onprem, hosts: &hosts, years, right_sizing };
    plan.comparison = Some(compare(plan, &inputs));
}

/// Write plan.json, plan.csv, report.md and report.html into `dir` (staged, then renamed into place).
pub fn write_all(dir: &std::path::Path, plan: &Plan) -> Result<()> {
    let md = render::report::markdown(plan)?;
    let html = render::report::html(plan)?;
    type W = std::io::BufWriter<std::fs::File>;
    super::plan::write_outputs(
        dir,
        &[
            ("plan.json", &|w: &mut W| render::json::write_plan(plan, w)),
            ("plan.csv", &|w: &mut W| render::csv_out::write_plan(plan, w)),
            ("report.md", &|w: &mut W| w.write_all(md.as_bytes())),
            ("report.html", &|w: &mut W| w.write_all(html.as_bytes())),
        ],
    )
}
