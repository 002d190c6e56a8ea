//! An inventory and a utilization-history summary in, the inventory with each matched server's measured p95s, IOPS
//! need and confidence stars out, plus warnings for history servers the inventory lacks and servers without history.
//!
//! Matching: the exact name, else the same name in any case, else the short host name (before the first `.`) in
//! any case, so `web01.corp.local` in a history file finds `WEB01` in an RVTools export. A measured p95 replaces
//! the inventory's own figure (the note says so). Disk IOPS p95 becomes the IOPS need only when the inventory
//! gives none. Outbound network rates are not turned into monthly egress (a p95 rate is not a monthly volume).

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::Inventory;
use crate::utilization::{MetricStats, ServerUtilization, UtilizationReport};

/// Names listed in one warning before "and N more".
const MAX_NAMES: usize = 10;

fn short(name: &str) -> String {
    name.split('.').next().unwrap_or(name).to_lowercase()
}

fn listed(names: &[&str]) -> String {
    let mut s = names.iter().take(MAX_NAMES).copied().collect::<Vec<_>>().join(", ");
    if names.len() > MAX_NAMES {
        s.push_str(&format!(" and {} more", names.len() - MAX_NAMES));
    }
    s
}

fn stats(what: &str, m: &MetricStats, unit: &str) -> String {
    format!("{what} p95 {}{unit} (p50 {}, max {})", m.p95.normalize(), m.p50.normalize(), m.max.normalize())
}

/// Apply `report` to `inv` (see the module notes).
pub fn apply(inv: &mut Inventory, report: &UtilizationReport) {
    let mut exact: HashMap<&str, &ServerUtilization> = HashMap::new();
    let mut folded: HashMap<String, Option<&ServerUtilization>> = HashMap::new();
    let mut shorts: HashMap<String, Option<&ServerUtilization>> = HashMap::new();
    for (name, su) in &report.servers {
        exact.insert(name.as_str(), su);
        // A folded or short name shared by two history servers is ambiguous: it matches neither.
        folded.entry(name.to_lowercase()).and_modify(|v| *v = None).or_insert(Some(su));
        shorts.entry(short(name)).and_modify(|v| *v = None).or_insert(Some(su));
    }
    let mut used: HashSet<&str> = HashSet::new();
    let mut without = Vec::new();
    for s in &mut inv.servers {
        let found = exact
            .get(s.name.as_str())
            .copied()
            .or_else(|| folded.get(&s.name.to_lowercase()).copied().flatten())
            .or_else(|| shorts.get(&short(&s.name)).copied().flatten());
        let Some(su) = found else {
            without.push(s.name.clone());
            continue;
        };
        used.insert(su.server.as_str());
        let mut parts = Vec::new();
        if let Some(c) = &su.cpu {
            if let Some(old) = s.cpu_util_p95.filter(|o| *o != c.p95) {
                parts.push(format!("replaces the inventory's CPU p95 of {}%", old.normalize()));
            }
            s.cpu_util_p95 = Some(c.p95);
            parts.push(stats("CPU", c, "%"));
        }
        if let Some(m) = &su.mem {
            if let Some(old) = s.mem_util_p95.filter(|o| *o != m.p95) {
                parts.push(format!("replaces the inventory's memory p95 of {}%", old.normalize()));
            }
            s.mem_util_p95 = Some(m.p95);
            parts.push(stats("memory", m, "%"));
        }
        if let Some(io) = &su.disk_iops {
            parts.push(stats("disk", io, " IOPS"));
            if s.disk_iops.is_none() {
                let need = io.p95.ceil();
                s.disk_iops = u32::try_from(need.mantissa() / 10i128.pow(need.scale())).ok();
            }
        }
        if let Some(n) = &su.net_out_mbps {
            parts.push(stats("network out", n, " Mbit/s"));
        }
        s.confidence_stars = Some(su.confidence_stars);
        let share = if su.expected_samples > 0 {
            (Decimal::from(su.present_samples) * Decimal::ONE_HUNDRED / Decimal::from(su.expected_samples)).round_dp(0)
        } else {
            Decimal::ZERO
        };
        s.notes.push(format!(
            "utilization history{}: {}; {} of {} expected samples ({share}%): {} star{}",
            if su.server == s.name { String::new() } else { format!(" of '{}'", su.server) },
            parts.join(", "),
            su.present_samples,
            su.expected_samples,
            su.confidence_stars,
            if su.confidence_stars == 1 { "" } else { "s" }
        ));
    }
    let unused: Vec<&str> = report.servers.keys().map(String::as_str).filter(|n| !used.contains(n)).collect();
    if !unused.is_empty() {
        inv.warnings.push(format!(
            "utilization history for {} server(s) not in the inventory, not used: {}",
            unused.len(),
            listed(&unused)
        ));
    }
    if !without.is_empty() && !report.servers.is_empty() {
        let names: Vec<&str> = without.iter().map(String::as_str).collect();
        inv.warnings.push(format!(
            "{} server(s) have no utilization history (their inventory figures are used): {}",
            names.len(),
            listed(&names)
        ));
    }
}
