//! `rocklift.toml` text and command-line overrides in, one resolved `Settings` out (flags beat the file, the file beats defaults).
//!
//! Every key, with its default:
//! ```toml
//! region = "us-east-1"        # AWS region to price in
//! sizing = "as-is"            # "as-is" (provisioned vCPU and memory) or "utilization" (p95 x headroom)
//! headroom = 1.2              # multiplier on p95 utilization when sizing = "utilization"
//! min_confidence_stars = 4    # a utilization history rated fewer stars sizes nothing down (1 to 5)
//! arch = "x86_64"             # default architecture for servers without an `arch` column: x86_64, arm64 or any
//! burstable = "auto"          # t-family types: "auto" (only under the low-p95 rule), "allow", or "never"
//! include_previous_generation = false  # also place types AWS lists as previous generation (m4, c4, r4, p3, ...)
//! root_volume_gib_linux = 20  # root volume of a Linux server; the rest of its disk becomes a data volume
//! root_volume_gib_windows = 50
//! time_zone = "UTC"           # IANA zone for schedules that do not name one
//! discount_pct = 0            # enterprise discount on every AWS price, percent (printed in every report)
//! interruptible_roles = []    # roles whose servers may run on spot (HPC compute, batch)
//!
//! [schedules]                 # per role, for servers whose `schedule` column is empty
//! web = "business-hours"      # always, business-hours, extended-hours, weekdays, nightly:HH-HH, or windows
//!
//! [network]
//! inter_az_gib_month = 0      # GiB a month crossing availability zones (charged each way)
//! nat_gateways = 0            # NAT gateways when servers sit in private subnets
//! nat_processed_gib_month = 0 # GiB a month through them
//! vpn_connections = 0         # site-to-site VPN connections for a hybrid setup
//!
//! [groups.web]               # a scaling group in place of the inventory row `server`
//! server = "web01"
//! min = 2
//! max = 6
//! desired = 2
//! weekday = [2,2,2,2,2,2,2,3,4,4,4,4,4,4,4,4,4,4,3,2,2,2,2,2]   # 24 hourly counts (or `profile`)
//! weekend = [2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2]
//!
//! [storage]
//! disk = "provisioned"        # size volumes from the "provisioned" disk or the "used" data plus growth
//! growth_pct = 20             # growth added to the used data when disk = "used"
//! snapshot_retention_days = 7 # daily EBS snapshots kept (0 = no backups priced)
//! snapshot_daily_change_pct = 2  # share of the data whose blocks change in a day
//!
//! [migration]
//! link_mbps = 100             # uplink used to copy the data to AWS
//! utilisation = 0.8           # share of the link the copy gets
//! threshold_days = 10         # above this, suggest an offline transfer device
//!
//! [prices."eu-west-1"]        # prices the offline snapshot does not have, as exact strings
//! ebs_gp3_gib_month = "0.088"
//! public_ipv4_hour = "0.005"
//!
//! [onprem]                    # keeping the servers, for `compare` and `plan --compare` (sources: crate::tco)
//! hardware_base_usd = 2000    # per physical server, plus cores, memory and disk (or hardware_usd_per_server)
//! refresh_years = 5
//! pue = 1.58
//! usd_per_kwh = 0.13
//! # ... every key with its default and source is in README.md and src/tco.rs
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::error::{Error, Problem, Result};
use crate::inventory::ArchChoice;
use crate::pricing::services::ServiceItem;

pub const DEFAULT_REGION: &str = "us-east-1";
/// The largest EBS gp3 volume, in GiB (16 TiB).
pub const MAX_VOLUME_GIB: u32 = 16_384;
pub const DEFAULT_FILE: &str = "rocklift.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sizing {
    AsIs,
    Utilization,
}

impl Sizing {
    pub fn as_str(self) -> &'static str {
        match self {
            Sizing::AsIs => "as-is",
            Sizing::Utilization => "utilization",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Burstable {
    Auto,
    Allow,
    Never,
}

impl Burstable {
    pub fn as_str(self) -> &'static str {
        match self {
            Burstable::Auto => "auto",
            Burstable::Allow => "allow",
            Burstable::Never => "never",
        }
    }
}

/// The resolved settings every command works from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub region: String,
    pub sizing: Sizing,
    pub headroom: Decimal,
    pub arch: ArchChoice,
    pub burstable: Burstable,
    pub include_previous_generation: bool,
    pub root_volume_gib_linux: u32,
    pub root_volume_gib_windows: u32,
    /// User prices for items the snapshot lacks: region → item → $.
    pub price_overrides: BTreeMap<String, BTreeMap<String, Decimal>>,
    pub time_zone: String,
    pub interruptible_roles: Vec<String>,
    /// Role → schedule text.
    pub schedules: BTreeMap<String, String>,
    pub network: NetworkSettings,
    pub migration: MigrationSettings,
    pub storage: StorageSettings,
    /// Scaling groups by name.
    pub groups: BTreeMap<String, crate::scaling::GroupSettings>,
    /// An enterprise discount on every AWS price, in percent (0 to 100).
    pub discount_pct: Decimal,
    /// Utilization history rated below this (Azure Migrate's 1-5 stars) does not size a server down.
    pub min_confidence_stars: u8,
    /// What keeping the servers on-prem costs (`[onprem]`).
    pub onprem: crate::tco::OnpremSettings,
    /// Defaults of `rocklift burst` (`[burst]`); each flag overrides its key.
    pub burst: BurstSettings,
}

/// `[burst]` of rocklift.toml: the defaults of `rocklift burst`, named as its flags (`max_wait = "1h"`,
/// `partitions = ["gpu"]`, `types = ["c7a", "hpc7a"]`, `spot = true`, `interruption_overhead_pct = 10`,
/// `boot_minutes = 5`, `egress_gb_per_job = 0.5`, `egress_gb_per_core_hour = 0`, `shared_storage = "FSx for
/// Lustre"`). A flag on the command line beats the key; a key beats the built-in default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BurstSettings {
    pub max_wait: Option<String>,
    pub partitions: Option<Vec<String>>,
    pub types: Option<Vec<String>>,
    pub spot: Option<bool>,
    pub interruption_overhead_pct: Option<Decimal>,
    pub boot_minutes: Option<u32>,
    pub egress_gb_per_job: Option<Decimal>,
    pub egress_gb_per_core_hour: Option<Decimal>,
    pub shared_storage: Option<String>,
}

impl BurstSettings {
    /// Every key out of range, as `key = value: expected ...`.
    pub fn problems(&self) -> Vec<String> {
        burst_problems(
            self.interruption_overhead_pct,
            self.boot_minutes,
            self.egress_gb_per_job,
            self.egress_gb_per_core_hour,
            |k| k.to_owned(),
        )
    }
}

/// The ranges of the `[burst]` numbers (and of the `rocklift burst` flags of the same names), each problem named
/// by `name(key)`: a percentage from 0 to 100, boot minutes up to a day, egress GB from 0 to a million a job
/// or a core-hour.
pub fn burst_problems(
    interruption_overhead_pct: Option<Decimal>,
    boot_minutes: Option<u32>,
    egress_gb_per_job: Option<Decimal>,
    egress_gb_per_core_hour: Option<Decimal>,
    name: impl Fn(&str) -> String,
) -> Vec<String> {
    let million = Decimal::from(1_000_000);
    let mut out = Vec::new();
    if let Some(v) = interruption_overhead_pct {
        out.extend(bounds::within(
            &name("interruption_overhead_pct"),
            v,
            Decimal::ZERO,
            Decimal::ONE_HUNDRED,
            "a percentage",
        ));
    }
    if let Some(v) = boot_minutes {
        out.extend(bounds::within_u32(&name("boot_minutes"), v, 0, 24 * 60, "minutes"));
    }
    for (key, v) in [("egress_gb_per_job", egress_gb_per_job), ("egress_gb_per_core_hour", egress_gb_per_core_hour)] {
        if let Some(v) = v {
            out.extend(bounds::within(&name(key), v, Decimal::ZERO, million, "GB"));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    #[serde(default)]
    pub inter_az_gib_month: Decimal,
    #[serde(default)]
    pub nat_gateways: u32,
    #[serde(default)]
    pub nat_processed_gib_month: Decimal,
    #[serde(default)]
    pub vpn_connections: u32,
}

impl NetworkSettings {
    /// Every key out of range, as `key = value: expected ...`.
    pub fn problems(&self) -> Vec<String> {
        let gib = |k, v| bounds::within(k, v, Decimal::ZERO, bounds::MAX_GIB_MONTH, "GiB a month");
        let count = |k, v| bounds::within_u32(k, v, 0, bounds::MAX_COUNT, "a count");
        [
            gib("inter_az_gib_month", self.inter_az_gib_month),
            count("nat_gateways", self.nat_gateways),
            gib("nat_processed_gib_month", self.nat_processed_gib_month),
            count("vpn_connections", self.vpn_connections),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationSettings {
    #[serde(default = "default_link")]
    pub link_mbps: Decimal,
    #[serde(default = "default_utilisation")]
    pub utilisation: Decimal,
    #[serde(default = "default_threshold")]
    pub threshold_days: Decimal,
}

impl MigrationSettings {
    /// Every key out of range, as `key = value: expected ...`.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.link_mbps <= Decimal::ZERO || self.link_mbps > MAX_LINK_MBPS {
            out.push(format!(
                "link_mbps = {}: expected a speed above 0 and at most {MAX_LINK_MBPS} Mbps, such as 100",
                self.link_mbps.normalize()
            ));
        }
        if self.utilisation <= Decimal::ZERO || self.utilisation > Decimal::ONE {
            out.push(format!(
                "utilisation = {}: expected a share of the link above 0 and at most 1, such as 0.8",
                self.utilisation.normalize()
            ));
        }
        out.extend(bounds::within("threshold_days", self.threshold_days, Decimal::ZERO, Decimal::from(3650), "days"));
        out
    }
}

/// 1 Tbit/s: above any uplink a move is copied over.
pub const MAX_LINK_MBPS: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

fn default_link() -> Decimal {
    Decimal::from(100)
}

fn default_utilisation() -> Decimal {
    Decimal::new(8, 1)
}

fn default_threshold() -> Decimal {
    Decimal::from(10)
}

/// How volumes are sized and backed up (`[storage]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    #[serde(default = "default_disk")]
    pub disk: crate::storage::DiskBasis,
    #[serde(default = "default_growth")]
    pub growth_pct: Decimal,
    #[serde(default = "default_retention")]
    pub snapshot_retention_days: u32,
    #[serde(default = "default_change")]
    pub snapshot_daily_change_pct: Decimal,
}

impl StorageSettings {
    /// Every key out of range, as `key = value: expected ...`.
    pub fn problems(&self) -> Vec<String> {
        let pct = |k, v, max: i64| bounds::within(k, v, Decimal::ZERO, Decimal::from(max), "a percentage");
        [
            pct("growth_pct", self.growth_pct, 1000),
            bounds::within_u32("snapshot_retention_days", self.snapshot_retention_days, 0, 3650, "days"),
            pct("snapshot_daily_change_pct", self.snapshot_daily_change_pct, 100),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

fn default_disk() -> crate::storage::DiskBasis {
    crate::storage::DiskBasis::Provisioned
}

/// 20% growth on the data in use: a rocklift assumption (printed in the report), not an AWS figure.
fn default_growth() -> Decimal {
    Decimal::from(20)
}

/// A week of daily backups: a rocklift assumption (printed in the report).
fn default_retention() -> u32 {
    7
}

/// 2% of the data changing a day: a rocklift assumption for office servers (printed in the report).
fn default_change() -> Decimal {
    Decimal::from(2)
}

impl Default for StorageSettings {
    fn default() -> Self {
        StorageSettings {
            disk: default_disk(),
            growth_pct: default_growth(),
            snapshot_retention_days: default_retention(),
            snapshot_daily_change_pct: default_change(),
        }
    }
}

impl Default for MigrationSettings {
    fn default() -> Self {
        MigrationSettings {
            link_mbps: default_link(),
            utilisation: default_utilisation(),
            threshold_days: default_threshold(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            region: DEFAULT_REGION.into(),
            sizing: Sizing::AsIs,
            headroom: Decimal::new(12, 1),
            arch: ArchChoice::X86_64,
            burstable: Burstable::Auto,
            include_previous_generation: false,
            root_volume_gib_linux: 20,
            root_volume_gib_windows: 50,
            price_overrides: BTreeMap::new(),
            time_zone: "UTC".into(),
            interruptible_roles: Vec::new(),
            schedules: BTreeMap::new(),
            network: NetworkSettings::default(),
            migration: MigrationSettings::default(),
            storage: StorageSettings::default(),
            groups: BTreeMap::new(),
            discount_pct: Decimal::ZERO,
            min_confidence_stars: 4,
            onprem: crate::tco::OnpremSettings::default(),
            burst: BurstSettings::default(),
        }
    }
}

impl Settings {
    pub fn price_override(&self, region: &str, item: ServiceItem) -> Option<Decimal> {
        self.price_overrides.get(region).and_then(|m| m.get(item.setting_name())).copied()
    }
}

/// The file's shape; unknown keys are errors (a typo must not silently fall back to a default).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    region: Option<String>,
    sizing: Option<Sizing>,
    headroom: Option<f64>,
    min_confidence_stars: Option<u8>,
    arch: Option<String>,
    burstable: Option<Burstable>,
    include_previous_generation: Option<bool>,
    root_volume_gib_linux: Option<u32>,
    root_volume_gib_windows: Option<u32>,
    #[serde(default)]
    prices: BTreeMap<String, BTreeMap<String, toml::Value>>,
    time_zone: Option<String>,
    interruptible_roles: Option<Vec<String>>,
    #[serde(default)]
    schedules: BTreeMap<String, String>,
    network: Option<NetworkSettings>,
    migration: Option<MigrationSettings>,
    storage: Option<StorageSettings>,
    /// `[cluster]` is read by `rocklift burst` (crate::hpc::cluster), not here.
    #[allow(dead_code)]
    cluster: Option<toml::Value>,
    #[serde(default)]
    groups: BTreeMap<String, crate::scaling::GroupSettings>,
    discount_pct: Option<toml::Value>,
    onprem: Option<crate::tco::OnpremSettings>,
    burst: Option<BurstSettings>,
}

/// Flags given on the command line (each overrides the file).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub region: Option<String>,
    pub sizing: Option<Sizing>,
    pub headroom: Option<Decimal>,
    pub arch: Option<ArchChoice>,
    pub burstable: Option<Burstable>,
    pub include_previous_generation: Option<bool>,
    pub link_mbps: Option<Decimal>,
    pub disk: Option<crate::storage::DiskBasis>,
}

/// Read `path` when given (it must exist), else `./rocklift.toml` when present, and apply `overrides`.
pub fn load(path: Option<&Path>, overrides: &Overrides) -> Result<Settings> {
    let (label, text) = match path {
        Some(p) => (p.display().to_string(), Some(std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?)),
        None => {
            let p = Path::new(DEFAULT_FILE);
            match std::fs::read_to_string(p) {
                Ok(t) => (DEFAULT_FILE.to_owned(), Some(t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => (DEFAULT_FILE.to_owned(), None),
                Err(e) => return Err(Error::io(p, e)),
            }
        }
    };
    let base = match text {
        Some(t) => parse(&label, &t)?,
        None => Settings::default(),
    };
    Ok(apply(base, overrides))
}

pub fn apply(mut s: Settings, o: &Overrides) -> Settings {
    if let Some(r) = &o.region {
        s.region = r.clone();
    }
    if let Some(v) = o.sizing {
        s.sizing = v;
    }
    if let Some(v) = o.headroom {
        s.headroom = v;
    }
    if let Some(v) = o.arch {
        s.arch = v;
    }
    if let Some(v) = o.burstable {
        s.burstable = v;
    }
    if let Some(v) = o.include_previous_generation {
        s.include_previous_generation = v;
    }
    if let Some(v) = o.link_mbps {
        s.migration.link_mbps = v;
    }
    if let Some(v) = o.disk {
        s.storage.disk = v;
    }
    s
}

/// Parse a `rocklift.toml`; errors name the file, line and column.
pub fn parse(label: &str, text: &str) -> Result<Settings> {
    let problem = |span: Option<std::ops::Range<usize>>, message: String| {
        let (line, col) = span.map(|r| line_col(text, r.start)).unwrap_or((1, 1));
        Error::Invalid(vec![Problem {
            file: label.to_owned(),
            sheet: None,
            line,
            column: None,
            message: format!("column {col}: {message}"),
        }])
    };
    let f: FileSettings = toml::from_str(text).map_err(|e| problem(e.span(), e.message().to_owned()))?;
    let mut s = Settings::default();
    if let Some(r) = f.region {
        s.region = r;
    }
    if let Some(v) = f.sizing {
        s.sizing = v;
    }
    if let Some(h) = f.headroom {
        let d = Decimal::from_str(&h.to_string()).ok().filter(|d| *d >= Decimal::ONE && *d <= Decimal::from(10));
        s.headroom = d.ok_or_else(|| {
            problem(find(text, "headroom"), format!("headroom = {h}: expected a number from 1 to 10, such as 1.2"))
        })?;
    }
    if let Some(m) = f.min_confidence_stars {
        if !(1..=5).contains(&m) {
            return Err(problem(
                find(text, "min_confidence_stars"),
                format!("min_confidence_stars = {m}: expected 1 to 5 (stars, as Azure Migrate rates performance data)"),
            ));
        }
        s.min_confidence_stars = m;
    }
    if let Some(a) = f.arch {
        s.arch = ArchChoice::parse(&a).ok_or_else(|| {
            problem(find(text, "arch"), format!("arch = \"{a}\": expected \"x86_64\", \"arm64\" or \"any\""))
        })?;
    }
    if let Some(v) = f.burstable {
        s.burstable = v;
    }
    if let Some(v) = f.include_previous_generation {
        s.include_previous_generation = v;
    }
    for (key, value, field) in [
        ("root_volume_gib_linux", f.root_volume_gib_linux, &mut s.root_volume_gib_linux),
        ("root_volume_gib_windows", f.root_volume_gib_windows, &mut s.root_volume_gib_windows),
    ] {
        if let Some(v) = value {
            // An EBS gp3 volume holds 1 GiB to 16 TiB.
            if let Some(p) = bounds::within_u32(key, v, 1, MAX_VOLUME_GIB, "GiB") {
                return Err(problem(find(text, key), p));
            }
            *field = v;
        }
    }
    if let Some(tz) = f.time_zone {
        if tz.parse::<chrono_tz::Tz>().is_err() {
            return Err(problem(
                find(text, "time_zone"),
                format!("time_zone = \"{tz}\": not an IANA time zone such as \"Europe/Berlin\""),
            ));
        }
        s.time_zone = tz;
    }
    if let Some(r) = f.interruptible_roles {
        s.interruptible_roles = r;
    }
    let tz: chrono_tz::Tz = s.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC);
    for (role, text_) in &f.schedules {
        if let Err(e) = crate::schedule::Schedule::parse(text_, tz) {
            return Err(problem(find(text, role), format!("[schedules] {role}: {e}")));
        }
    }
    s.schedules = f.schedules;
    for (name, g) in &f.groups {
        if let Err(e) = crate::scaling::plan_group(name, g, &s.time_zone) {
            return Err(problem(find(text, &format!("[groups.{name}]")), e));
        }
    }
    s.groups = f.groups;
    if let Some(v) = f.discount_pct {
        let d = match &v {
            toml::Value::Integer(i) => Some(Decimal::from(*i)),
            toml::Value::String(t) => Decimal::from_str(t.trim()).ok(),
            toml::Value::Float(x) => Decimal::from_str(&x.to_string()).ok(),
            _ => None,
        }
        .filter(|d| *d >= Decimal::ZERO && *d < Decimal::from(100));
        s.discount_pct = d.ok_or_else(|| {
            problem(
                find(text, "discount_pct"),
                format!("discount_pct = {v}: expected a percentage from 0 to below 100, such as 7.5"),
            )
        })?;
    }
    let section = |name: &str, problems: Vec<String>| match problems.first() {
        Some(first) => {
            let key = first.split(' ').next().unwrap_or(name);
            Err(problem(find_in_section(text, &format!("[{name}]"), key), format!("[{name}] {}", problems.join("; "))))
        }
        None => Ok(()),
    };
    if let Some(n) = f.network {
        section("network", n.problems())?;
        s.network = n;
    }
    if let Some(m) = f.migration {
        section("migration", m.problems())?;
        s.migration = m;
    }
    if let Some(st) = f.storage {
        section("storage", st.problems())?;
        s.storage = st;
    }
    if let Some(o) = f.onprem {
        section("onprem", o.problems())?;
        s.onprem = o;
    }
    if let Some(b) = f.burst {
        section("burst", b.problems())?;
        s.burst = b;
    }
    for (region, items) in f.prices {
        let mut m = BTreeMap::new();
        for (key, value) in items {
            let at = find(text, &key);
            if ServiceItem::from_setting_name(&key).is_none()
                && !crate::network::OVERRIDE_NAMES.contains(&key.as_str())
                && !crate::storage::OVERRIDE_NAMES.contains(&key.as_str())
            {
                return Err(problem(
                    at,
                    format!(
                        "[prices.\"{region}\"] {key}: unknown price; expected one of public_ipv4_hour, {}, {}",
                        crate::storage::OVERRIDE_NAMES.join(", "),
                        crate::network::OVERRIDE_NAMES.join(", ")
                    ),
                ));
            }
            let toml::Value::String(sv) = value else {
                return Err(problem(
                    at,
                    format!(
                        "[prices.\"{region}\"] {key}: write the price as a string such as \"0.088\" so it stays exact"
                    ),
                ));
            };
            let d = Decimal::from_str(sv.trim())
                .ok()
                .filter(|d| !d.is_sign_negative() && *d <= bounds::MAX_USD)
                .ok_or_else(|| {
                    problem(
                        at.clone(),
                        format!(
                            "[prices.\"{region}\"] {key} = \"{sv}\": expected a price in dollars from 0 to {}, such as \"0.088\"",
                            bounds::MAX_USD
                        ),
                    )
                })?;
            m.insert(key, d);
        }
        s.price_overrides.insert(region, m);
    }
    Ok(s)
}

fn find(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    text.find(key).map(|i| i..i + key.len())
}

/// `key` inside the `[section]` table when it is there, else the section header.
fn find_in_section(text: &str, section: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let start = text.find(section)?;
    match text[start..].find(key) {
        Some(i) => Some(start + i..start + i + key.len()),
        None => Some(start..start + section.len()),
    }
}

fn line_col(text: &str, offset: usize) -> (u64, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u64 + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let s = parse("r.toml", "region = \"eu-west-1\"\nsizing = \"utilization\"\nheadroom = 1.3\n").expect("valid");
        assert_eq!(s.region, "eu-west-1");
        assert_eq!(s.headroom, Decimal::new(13, 1));
        let s = apply(s, &Overrides { region: Some("us-west-2".into()), ..Default::default() });
        assert_eq!(s.region, "us-west-2");
        assert_eq!(s.sizing, Sizing::Utilization);
    }

    #[test]
    fn errors_are_located() {
        let e = parse("r.toml", "region = \"x\"\nsizng = \"as-is\"\n").expect_err("typo");
        assert!(e.to_string().starts_with("r.toml:2: column 1: unknown field `sizng`"), "{e}");
        let e = parse("r.toml", "[prices.\"eu-west-1\"]\nebs_gp3_gib_month = 0.088\n").expect_err("float");
        assert!(e.to_string().starts_with("r.toml:2: column 1: "), "{e}");
    }

    #[test]
    fn burst_keys_and_errors() {
        let s =
            parse("r.toml", "[burst]\nmax_wait = \"2h\"\nspot = true\ntypes = [\"c7a\"]\negress_gb_per_job = 0.5\n")
                .expect("valid");
        assert_eq!(s.burst.max_wait.as_deref(), Some("2h"));
        assert_eq!(s.burst.spot, Some(true));
        assert_eq!(s.burst.types, Some(vec!["c7a".to_owned()]));
        assert_eq!(s.burst.egress_gb_per_job, Some(Decimal::new(5, 1)));
        assert_eq!(s.burst.boot_minutes, None);
        let e = parse("r.toml", "[burst]\nboot_minutes = 2\negress_gb_per_job = -1\n").expect_err("negative");
        assert!(
            e.to_string()
                .starts_with("r.toml:3: column 1: [burst] egress_gb_per_job = -1: expected GB from 0 to 1000000"),
            "{e}"
        );
        let e = parse("r.toml", "[burst]\nmaxwait = \"1h\"\n").expect_err("unknown key");
        assert!(e.to_string().contains("maxwait"), "{e}");
    }

    #[test]
    fn onprem_defaults_values_and_errors() {
        let s = parse("r.toml", "region = \"us-east-1\"\n").expect("valid");
        assert_eq!(s.onprem, crate::tco::OnpremSettings::default());
        let s = parse("r.toml", "[onprem]\nusd_per_kwh = 0.21\nhosts = 3\nrhel_usd_per_server_year = \"799\"\n")
            .expect("valid");
        assert_eq!(s.onprem.usd_per_kwh, Decimal::new(21, 2));
        assert_eq!(s.onprem.hosts, 3);
        assert_eq!(s.onprem.rhel_usd_per_server_year, Decimal::from(799));
        assert_eq!(s.onprem.pue, crate::tco::PUE);
        let e = parse("r.toml", "[onprem]\npue = 0.5\n").expect_err("pue below 1");
        assert!(e.to_string().starts_with("r.toml:2: column 1: [onprem] pue = 0.5: expected 1 to 5"), "{e}");
        let e = parse("r.toml", "[onprem]\nwatts = 300\n").expect_err("unknown key");
        assert!(e.to_string().contains("unknown field `watts`"), "{e}");
    }

    #[test]
    fn price_overrides_are_exact() {
        let s = parse("r.toml", "[prices.\"eu-west-1\"]\nebs_gp3_gib_month = \"0.088\"\n").expect("valid");
        assert_eq!(s.price_override("eu-west-1", ServiceItem::EbsGp3GibMonth), Some(Decimal::new(88, 3)));
    }
}
