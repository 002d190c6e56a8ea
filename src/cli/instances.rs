//! `rocklift instances --vcpus N --memory GIB`: every type that fits in a region, cheapest first, with specs and price.

use rocklift::inventory::ArchChoice;
use rocklift::matching::Matcher;
use rocklift::money::{display_rate, display_usd_grouped, HOURS_PER_MONTH};
use rocklift::pricing::{Catalog, PriceOs, RegionPrices};
use rocklift::render::table::table;
use rocklift::settings::{Burstable, Overrides};
use rocklift::sizing::{Basis, BurstableRule, Requirement};
use rocklift::{Error, Result};
use rust_decimal::Decimal;

use super::{out, ArchArg, Ctx, OsArg};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Minimum vCPUs.
    #[arg(long, default_value_t = 1)]
    vcpus: u32,
    /// Minimum memory in GiB.
    #[arg(long, default_value = "0.5")]
    memory: Decimal,
    /// Architecture (default from rocklift.toml, else x86_64).
    #[arg(long, value_enum)]
    arch: Option<ArchArg>,
    /// Minimum GPUs (0: types without GPUs only).
    #[arg(long, default_value_t = 0)]
    gpus: u32,
    /// GPU model, e.g. A100 (with --gpus).
    #[arg(long)]
    gpu_model: Option<String>,
    /// OS to price.
    #[arg(long, value_enum, default_value_t = OsArg::Linux)]
    os: OsArg,
    /// Region (default from rocklift.toml, else us-east-1).
    #[arg(long)]
    region: Option<String>,
    /// Also list types AWS lists as previous generation (m4, c4, r4, ...).
    #[arg(long)]
    include_previous_generation: bool,
    /// Include t-family (burstable) types.
    #[arg(long)]
    burstable: bool,
    /// How many to list.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    if a.memory < Decimal::ZERO {
        return Err(Error::Usage(format!("--memory {}: expected GiB, 0 or more", a.memory)));
    }
    let settings = ctx.settings(&Overrides {
        region: a.region.clone(),
        arch: a.arch.map(Into::into),
        include_previous_generation: a.include_previous_generation.then_some(true),
        ..Default::default()
    })?;
    let snapshot = ctx.snapshot()?;
    ctx.check_region(&snapshot, &settings.region, a.region.is_some())?;
    let catalog = Catalog::load(&snapshot)?;
    let prices = RegionPrices::load(&snapshot, &settings.region)?;
    let matcher = Matcher::new(&catalog, &prices, settings.include_previous_generation);
    let os: PriceOs = a.os.into();
    let burstable = a.burstable || settings.burstable == Burstable::Allow;
    let req = Requirement {
        vcpus: a.vcpus,
        memory_gib: a.memory,
        gpus: a.gpus,
        gpu_model: a.gpu_model.clone(),
        arch: settings.arch,
        price_os: os,
        cpu_basis: Basis::AsIs,
        memory_basis: Basis::AsIs,
        burstable: if burstable { BurstableRule::Allow } else { BurstableRule::Never },
        notes: Vec::new(),
    };
    let fitting = matcher.all_fitting(&req);
    let shown: Vec<_> = fitting.iter().take(a.limit).collect();
    if a.json {
        let rows: Vec<_> = shown
            .iter()
            .map(|(spec, hourly, src)| {
                serde_json::json!({
                    "instance_type": spec.instance_type,
                    "vcpus": spec.vcpus,
                    "memory_gib": spec.memory_gib().normalize().to_string(),
                    "arch": spec.arch().map(|a| a.as_str()),
                    "gpus": spec.gpus,
                    "gpu_model": spec.gpu_model,
                    "network": spec.network,
                    "usd_per_hour": hourly.normalize().to_string(),
                    "source": src,
                })
            })
            .collect();
        let v = serde_json::json!({
            "region": settings.region, "os": os, "fitting": fitting.len(), "types": rows,
            "data_date": snapshot.manifest.data_date_note,
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    let mut s = format!(
        "{} types in {} fit {} vCPU, {} GiB{}, {} ({} on-demand, {}{}); cheapest first:\n",
        fitting.len(),
        settings.region,
        a.vcpus,
        a.memory.normalize(),
        if a.gpus > 0 {
            format!(", {} GPU{}", a.gpus, a.gpu_model.as_deref().map(|m| format!(" {m}")).unwrap_or_default())
        } else {
            String::new()
        },
        match settings.arch {
            ArchChoice::Any => "any arch",
            other => other.as_str(),
        },
        os,
        if settings.include_previous_generation { "all generations" } else { "current generation" },
        if burstable { ", burstable included" } else { ", no burstable" }
    );
    if fitting.is_empty() {
        s.push_str("none\n");
    } else {
        let mut rows =
            vec![["type", "vCPU", "GiB", "arch", "GPU", "network", "$/hour", "$/month"].map(String::from).to_vec()];
        for (spec, hourly, _) in &shown {
            rows.push(vec![
                spec.instance_type.clone(),
                spec.vcpus.to_string(),
                spec.memory_gib().normalize().to_string(),
                spec.arch().map(|a| a.as_str()).unwrap_or("").to_owned(),
                if spec.gpus > 0 { format!("{} {}", spec.gpus, spec.gpu_model) } else { String::new() },
                spec.network.clone(),
                display_rate(*hourly),
                display_usd_grouped(*hourly * HOURS_PER_MONTH),
            ]);
        }
        s.push_str(&table(rows, 6));
        s.push('\n');
    }
    s.push_str(&format!("Prices: {} snapshot, {}.\n", snapshot.origin, snapshot.manifest.data_date_note));
    out(&s)
}
