//! `rocklift pricing show TYPE` and `rocklift pricing status`: what a type costs, and what the snapshot holds and does not.

use rocklift::money::display_rate;
use rocklift::pricing::{Catalog, PriceOs, RegionPrices, Term};
use rocklift::render::table::table;
use rocklift::settings::Overrides;
use rocklift::{Error, Result};
use serde_json::json;

use super::{out, Ctx, OsArg};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Specs and prices of one instance type in a region.
    Show {
        /// Instance type, e.g. m7i.large.
        instance_type: String,
        /// Region (default from rocklift.toml, else us-east-1).
        #[arg(long)]
        region: Option<String>,
        /// Only this OS (default: all three).
        #[arg(long, value_enum)]
        os: Option<OsArg>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Data date, sources, regions, counts, and what is not known offline.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Ctx, c: Command) -> Result<()> {
    match c {
        Command::Show { instance_type, region, os, json } => show(ctx, &instance_type, region, os, json),
        Command::Status { json } => status(ctx, json),
    }
}

fn show(ctx: &Ctx, itype: &str, region: Option<String>, os: Option<OsArg>, as_json: bool) -> Result<()> {
    let from_flag = region.is_some();
    let settings = ctx.settings(&Overrides { region, ..Default::default() })?;
    let region = settings.region.as_str();
    let snapshot = ctx.snapshot()?;
    ctx.check_region(&snapshot, region, from_flag)?;
    let catalog = Catalog::load(&snapshot)?;
    let prices = RegionPrices::load(&snapshot, region)?;
    let spec = catalog.get(itype);
    let tp = prices.get(itype);
    if spec.is_none() && tp.is_none() {
        let similar = catalog.similar(itype, 8);
        return Err(Error::NotFound(format!(
            "instance type '{itype}' is not in the pricing snapshot{}",
            if similar.is_empty() { String::new() } else { format!("; similar: {}", similar.join(", ")) }
        )));
    }
    let oses: Vec<PriceOs> = match os {
        Some(o) => vec![o.into()],
        None => PriceOs::ALL.to_vec(),
    };
    let m = &snapshot.manifest;
    let date_of = |src: &str| m.source(src).map(|s| s.date_note.clone()).unwrap_or_default();
    if as_json {
        let mut price_rows = Vec::new();
        for o in &oses {
            for t in Term::ALL {
                let p = tp.and_then(|tp| tp.get(*o, t));
                let src = tp.map(|tp| tp.source(*o, t)).unwrap_or("vantage");
                price_rows.push(json!({
                    "os": o.as_str(),
                    "term": t,
                    "usd_per_hour": p.map(|d| d.normalize().to_string()),
                    "source": src,
                    "data_date": date_of(src),
                }));
            }
        }
        let v = json!({
            "instance_type": itype,
            "region": region,
            "offered": tp.map(|t| t.offered),
            "specs": spec,
            "prices": price_rows,
            "snapshot": snapshot.origin.to_string(),
            "data_date": m.data_date_note,
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    let mut s = String::new();
    match spec {
        Some(sp) => {
            s.push_str(&format!(
                "{itype}: {} vCPU, {} GiB, {}{}{}, network {}{}{}{}\n",
                sp.vcpus,
                sp.memory_gib().normalize(),
                sp.archs.join("/"),
                if sp.cpu_maker.is_empty() { String::new() } else { format!(" {}", sp.cpu_maker) },
                if sp.gpus > 0 {
                    format!(
                        ", {} x {} {} GPU ({} GiB GPU memory)",
                        sp.gpus,
                        sp.gpu_maker,
                        sp.gpu_model,
                        sp.gpu_memory_mib / 1024
                    )
                } else {
                    String::new()
                },
                sp.network,
                if sp.instance_storage_gb > 0 {
                    format!(", {} GB instance storage ({})", sp.instance_storage_gb, sp.instance_storage_type)
                } else {
                    String::new()
                },
                if sp.current_generation { "" } else { ", previous generation" },
                match (sp.burstable, sp.bare_metal) {
                    (true, _) => ", burstable",
                    (_, true) => ", bare metal",
                    _ => "",
                }
            ));
        }
        None => s.push_str(&format!("{itype}: specs not in the snapshot's catalog (moto 2025-10); prices only\n")),
    }
    let Some(tp) = tp else {
        s.push_str(&format!("not priced in {region} in this snapshot ({})\n", m.data_date_note));
        return out(&s);
    };
    let offered = match tp.offered {
        rocklift::pricing::price_book::Offered::Yes => "offered",
        rocklift::pricing::price_book::Offered::No => "NOT offered (per the offerings list)",
        rocklift::pricing::price_book::Offered::Unknown => "offering not known offline; priced",
    };
    s.push_str(&format!("{region}: {offered}\n"));
    let mut rows = vec![["os", "term", "$/hour", "$/month (730 h)", "source"].map(String::from).to_vec()];
    for o in &oses {
        for t in Term::ALL {
            let src = tp.source(*o, t);
            let (hour, month) = match tp.get(*o, t) {
                Some(p) => {
                    (display_rate(p), rocklift::money::display_usd_grouped(p * rocklift::money::HOURS_PER_MONTH))
                }
                None if t == Term::Spot && tp.get(*o, Term::OnDemand).is_some() => ("unknown".into(), "-".into()),
                None => ("-".into(), "-".into()),
            };
            rows.push(vec![o.to_string(), t.as_str().to_owned(), hour, month, format!("{src} {}", date_of(src))]);
        }
    }
    s.push_str(&table(rows, 2));
    s.push('\n');
    s.push_str(&format!(
        "Prices: {} snapshot, {}. linux is also the price of Rocky Linux (no licence charge).\n",
        snapshot.origin, m.data_date_note
    ));
    out(&s)
}

fn status(ctx: &Ctx, as_json: bool) -> Result<()> {
    let snapshot = ctx.snapshot()?;
    let m = &snapshot.manifest;
    let catalog = Catalog::load(&snapshot)?;
    if as_json {
        let v = json!({
            "snapshot": snapshot.origin.to_string(),
            "manifest": m,
            "instance_types_in_catalog": catalog.len(),
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    let mut s = String::new();
    s.push_str(&format!("Pricing snapshot: {} (schema {})\n", snapshot.origin, m.schema));
    s.push_str(&format!("Data date: {}\n", m.data_date_note));
    s.push_str(&format!("Built by: {}\n\n", m.built_by));
    let mut rows = vec![["source", "data date", "what"].map(String::from).to_vec()];
    for src in &m.sources {
        rows.push(vec![src.id.clone(), src.date_note.clone(), src.what.clone()]);
    }
    s.push_str(&table(rows, 0));
    s.push('\n');
    for src in &m.sources {
        s.push_str(&format!("  {}: {} ({})\n", src.id, src.origin, src.file));
    }
    s.push('\n');
    s.push_str(&format!("Instance types with specs: {}\n", catalog.len()));
    s.push_str(&format!("Regions with EC2 prices: {}: {}\n", m.regions.len(), m.regions.join(", ")));
    s.push_str(&format!("EBS, transfer, NAT and IPv4 prices: {}\n", m.service_price_regions.join(", ")));
    let rows_total: u64 = m.files.iter().filter(|f| f.path.starts_with("prices/")).map(|f| f.rows).sum();
    s.push_str(&format!("Price rows (type x region): {rows_total}\n"));
    for (k, v) in &m.cross_checks {
        s.push_str(&format!("Cross-check {}: {v}\n", k.replace('_', " ")));
    }
    s.push_str("\nNot known offline:\n");
    for n in &m.not_known_offline {
        s.push_str(&format!("  - {n}\n"));
    }
    out(&s)
}
