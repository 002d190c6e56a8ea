//! `rocklift pricing show TYPE`, `pricing status` and `pricing diff OLD NEW`: what a type costs, which
//! snapshots there are (embedded, user cache) and which one is used, what it holds and does not, and how
//! the prices of two snapshots differ.

use std::path::PathBuf;

use rocklift::money::display_rate;
use rocklift::pricing::cache::{self, CachedSnapshot};
use rocklift::pricing::diff::{self, ChangeKind};
use rocklift::pricing::sanity::{DERIVED_RULE, DERIVED_SOURCE};
use rocklift::pricing::{Catalog, PriceOs, RegionPrices, Snapshot, SnapshotOrigin, Term};
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
    /// Every snapshot (embedded, user cache; valid or why not), the one used, and its data date,
    /// sources, regions, counts and what is not known offline.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Prices that changed, appeared or went away between two snapshots.
    Diff {
        /// The older snapshot: a snapshot folder, or `embedded`.
        old: String,
        /// The newer snapshot: a snapshot folder, or `embedded`.
        new: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the snapshot from the AWS APIs (Price List and EC2, through the official SDK) into the user
    /// cache; `plan` then uses it. Credentials come from the SDK's standard chain. Starts from the snapshot in
    /// use and replaces only what it fetches.
    Refresh {
        /// Regions, comma-separated, or `all` (the snapshot's regions except GovCloud).
        #[arg(long, default_value = "all")]
        regions: String,
        /// What to fetch, comma-separated: ec2 (prices, types, offerings), ebs, transfer, nat, images, spot.
        #[arg(long, default_value = "ec2,ebs,transfer,nat,images,spot")]
        services: String,
        /// Calls (one service in one region each) running at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Days of spot price history the spot means are over.
        #[arg(long, default_value_t = 7)]
        spot_days: u32,
    },
}

pub fn run(ctx: &Ctx, c: Command) -> Result<()> {
    match c {
        Command::Refresh { regions, services, concurrency, spot_days } => {
            refresh(ctx, &regions, &services, concurrency, spot_days)
        }
        Command::Show { instance_type, region, os, json } => show(ctx, &instance_type, region, os, json),
        Command::Status { json } => status(ctx, json),
        Command::Diff { old, new, json } => diff_cmd(&old, &new, json),
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
                let src = tp.map(|tp| tp.source(*o, t)).unwrap_or(rocklift::pricing::price_book::DEFAULT_SOURCE);
                let data = tp.map(|tp| tp.data_source(*o, t)).unwrap_or(src);
                let mut row = json!({
                    "os": o.as_str(),
                    "term": t,
                    "usd_per_hour": p.map(|d| d.normalize().to_string()),
                    "source": src,
                    "data_date": date_of(data),
                });
                if src == DERIVED_SOURCE {
                    row["derived_from"] = json!(data);
                    row["rule"] = json!(DERIVED_RULE);
                }
                price_rows.push(row);
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
    let mut any_derived = false;
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
            let src_cell = if src == DERIVED_SOURCE {
                any_derived = true;
                let data = tp.data_source(*o, t);
                format!("derived* from {data} {}", date_of(data))
            } else {
                format!("{src} {}", date_of(src))
            };
            rows.push(vec![o.to_string(), t.as_str().to_owned(), hour, month, src_cell]);
        }
    }
    s.push_str(&table(rows, 2));
    s.push('\n');
    if any_derived {
        s.push_str(&format!("* {DERIVED_RULE}\n"));
    }
    s.push_str(&format!(
        "Prices: {} snapshot, {}. linux is also the price of Rocky Linux (no licence charge).\n",
        snapshot.origin, m.data_date_note
    ));
    out(&s)
}

/// Which snapshot `plan` uses: `--pricing-cache`, else the newest valid cached one, else the embedded one.
enum Used {
    Flag,
    Cached(usize),
    Embedded,
}

fn status(ctx: &Ctx, as_json: bool) -> Result<()> {
    let embedded = Snapshot::embedded()?;
    let cached: Vec<CachedSnapshot> = match &ctx.cache_root {
        Some(root) => cache::list(root)?,
        None => Vec::new(),
    };
    let used = match (&ctx.pricing_cache, cache::newest_index(&cached)) {
        (Some(_), _) => Used::Flag,
        (None, Some(i)) => Used::Cached(i),
        (None, None) => Used::Embedded,
    };
    let snapshot = match (&used, &ctx.pricing_cache) {
        (Used::Cached(i), _) => cached.get(*i).and_then(|c| c.status.clone().ok()).unwrap_or_else(|| embedded.clone()),
        (Used::Flag, Some(dir)) => Snapshot::open(SnapshotOrigin::Dir(dir.clone()))?,
        _ => embedded.clone(),
    };
    let m = &snapshot.manifest;
    let catalog = Catalog::load(&snapshot)?;
    let cache_dir = ctx.cache_root.as_ref().map(|r| r.join(cache::SNAPSHOTS));
    if as_json {
        let mut list = vec![json!({
            "snapshot": "embedded",
            "valid": true,
            "used": matches!(used, Used::Embedded),
            "data_date": embedded.manifest.data_date,
        })];
        for (i, c) in cached.iter().enumerate() {
            list.push(match &c.status {
                Ok(sn) => json!({
                    "snapshot": c.dir.display().to_string(),
                    "valid": true,
                    "used": matches!(used, Used::Cached(u) if u == i),
                    "written_at": sn.manifest.written_at,
                    "data_date": sn.manifest.data_date,
                }),
                Err(why) => json!({
                    "snapshot": c.dir.display().to_string(),
                    "valid": false,
                    "used": false,
                    "why_not": why,
                }),
            });
        }
        let v = json!({
            "snapshot": snapshot.origin.to_string(),
            "cache": cache_dir.map(|d| d.display().to_string()),
            "snapshots": list,
            "manifest": m,
            "instance_types_in_catalog": catalog.len(),
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    let mut s = String::new();
    s.push_str("Snapshots (* = the one plan uses):\n");
    if let (Used::Flag, Some(dir)) = (&used, &ctx.pricing_cache) {
        s.push_str(&format!("* {} (--pricing-cache): {}\n", dir.display(), m.data_date_note));
    }
    let mark = |on: bool| if on { '*' } else { ' ' };
    s.push_str(&format!("{} embedded: {}\n", mark(matches!(used, Used::Embedded)), embedded.manifest.data_date_note));
    for (i, c) in cached.iter().enumerate() {
        match &c.status {
            Ok(sn) => s.push_str(&format!(
                "{} {}: valid, written {}, {}\n",
                mark(matches!(used, Used::Cached(u) if u == i)),
                c.dir.display(),
                sn.manifest.written_at.as_deref().unwrap_or("(no written_at)"),
                sn.manifest.data_date_note
            )),
            Err(why) => s.push_str(&format!("  {}: not used: {why}\n", c.dir.display())),
        }
    }
    match &cache_dir {
        Some(d) => s.push_str(&format!("Cache: {} ({} snapshot folders)\n\n", d.display(), cached.len())),
        None => s.push_str("Cache: none (set ROCKLIFT_CACHE, XDG_CACHE_HOME or HOME)\n\n"),
    }
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

/// `embedded`, or a snapshot folder.
fn open_named(name: &str) -> Result<Snapshot> {
    if name == "embedded" {
        Snapshot::embedded()
    } else {
        Snapshot::open(SnapshotOrigin::Dir(PathBuf::from(name)))
    }
}

fn diff_cmd(old: &str, new: &str, as_json: bool) -> Result<()> {
    let (a, b) = (open_named(old)?, open_named(new)?);
    let d = diff::diff(&a, &b)?;
    let counts = [ChangeKind::Changed, ChangeKind::New, ChangeKind::Removed].map(|k| d.count(k));
    if as_json {
        let v = json!({
            "old": a.origin.to_string(),
            "new": b.origin.to_string(),
            "changed": counts[0],
            "new_prices": counts[1],
            "removed": counts[2],
            "changes": d.changes,
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    let mut s = format!("Pricing diff: {} -> {} ($/hour for EC2; services in their unit)\n", a.origin, b.origin);
    let usd = |v: Option<rust_decimal::Decimal>| v.map(|d| d.to_string()).unwrap_or_default();
    for c in &d.changes {
        let values = match c.change {
            ChangeKind::Changed => format!(
                "{} -> {}{}",
                usd(c.old_usd),
                usd(c.new_usd),
                c.percent
                    .map(|p| format!(" ({}{p:.2}%)", if p.is_sign_positive() { "+" } else { "" }))
                    .unwrap_or_default()
            ),
            ChangeKind::New => usd(c.new_usd),
            ChangeKind::Removed => usd(c.old_usd),
        };
        s.push_str(&format!("{} {}: {values}\n", c.change.as_str(), c.key));
    }
    s.push_str(&format!("{} changed, {} new, {} removed\n", counts[0], counts[1], counts[2]));
    out(&s)
}

#[cfg(not(feature = "refresh"))]
fn refresh(_: &Ctx, _: &str, _: &str, _: usize, _: u32) -> Result<()> {
    Err(Error::Usage(
        "this rocklift was built without the `refresh` feature (an air-gapped build with no network code): \
         it cannot fetch prices. Use a snapshot folder built elsewhere with --pricing-cache DIR, or a build \
         with default features"
            .to_owned(),
    ))
}

#[cfg(feature = "refresh")]
fn refresh(ctx: &Ctx, regions: &str, services: &str, concurrency: usize, spot_days: u32) -> Result<()> {
    use std::collections::BTreeSet;
    use std::io::IsTerminal;

    use rocklift::pricing::refresh::{assemble, run, ApiConfig};

    let base = ctx.snapshot()?;
    let root = ctx.cache_root.clone().ok_or_else(|| {
        Error::Usage("no cache folder: set ROCKLIFT_CACHE (or XDG_CACHE_HOME or HOME) to say where snapshots go".into())
    })?;
    let mut wanted = BTreeSet::new();
    for name in services.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let s = run::Service::parse(name).ok_or_else(|| {
            let all: Vec<&str> = run::Service::ALL.iter().map(|s| s.name()).collect();
            Error::Usage(format!("--services: unknown service '{name}'; known: {}", all.join(", ")))
        })?;
        wanted.insert(s);
    }
    if wanted.is_empty() {
        return Err(Error::Usage("--services: name at least one service".into()));
    }
    let mut list: Vec<String> = if regions.trim() == "all" {
        base.manifest.regions.iter().filter(|r| !r.starts_with("us-gov-")).cloned().collect()
    } else {
        regions.split(',').map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()).collect()
    };
    list.sort();
    list.dedup();
    for r in &list {
        let plausible =
            r.split('-').count() >= 3 && r.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !plausible {
            return Err(Error::Usage(format!("--regions: '{r}' is not a region code (e.g. us-east-1)")));
        }
    }
    if list.is_empty() {
        return Err(Error::Usage("--regions: name at least one region, or all".into()));
    }
    if concurrency == 0 {
        return Err(Error::Usage("--concurrency: expected 1 or more".into()));
    }
    let request = run::Request {
        regions: list.clone(),
        services: wanted,
        concurrency,
        spot_days,
        api: ApiConfig::default(),
        progress: std::io::stderr().is_terminal(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    eprintln!("refreshing {} region(s) from the AWS APIs, starting from {}", list.len(), base.origin);
    let fetched = runtime.block_on(async {
        tokio::select! {
            r = run::fetch(request) => r,
            _ = tokio::signal::ctrl_c() => Err(Error::Refresh {
                api: "all calls".to_owned(),
                scope: "interrupted".to_owned(),
                message: "Ctrl-C: nothing was written; the snapshot in use is unchanged".to_owned(),
            }),
        }
    })?;
    for w in &fetched.warnings {
        eprintln!("warning: {w}");
    }
    let now: chrono::DateTime<chrono::Utc> = std::time::SystemTime::now().into();
    let (manifest, files) = assemble::assemble(&base, &fetched, now)?;
    let dir = cache::write_snapshot(&root, &manifest, &files, now)?;
    fn count<T>(v: &Option<Vec<T>>) -> usize {
        v.as_ref().map_or(0, Vec::len)
    }
    out(&format!(
        "wrote {}\n  EC2 prices {}, service prices {}, instance types {}, offerings {}, images {}, spot means {}\n  data date {}; `rocklift plan` now uses this snapshot (see `rocklift pricing status`)\n",
        dir.display(),
        count(&fetched.ec2_prices),
        count(&fetched.service_prices),
        count(&fetched.instance_types),
        count(&fetched.offerings),
        count(&fetched.images),
        count(&fetched.spot),
        manifest.data_date,
    ))
}
