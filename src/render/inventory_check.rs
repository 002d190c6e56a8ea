//! A read `Inventory` in, the `inventory check` report out: the normalised servers as a table (capped, with a
//! count of the rest), what was left out and why, hosts, ignored columns, merge conflicts and per-server notes.

use crate::inventory::Inventory;
use crate::render::table::{table, MAX_ROWS};

fn opt(d: Option<rust_decimal::Decimal>) -> String {
    d.map(crate::money::display_size).unwrap_or_else(|| "-".into())
}

pub fn report(inv: &Inventory) -> String {
    let mut out = format!(
        "rocklift inventory check: {} ({}): {} rows, {} servers\n",
        inv.file,
        inv.format,
        inv.servers.len(),
        inv.server_count()
    );
    let mut rows = vec![[
        "server",
        "line",
        "n",
        "vCPU",
        "memory GiB",
        "disk GiB",
        "used GiB",
        "os",
        "on AWS",
        "cpu p95",
        "mem p95",
    ]
    .map(String::from)
    .to_vec()];
    for s in inv.servers.iter().take(MAX_ROWS) {
        rows.push(vec![
            s.name.clone(),
            s.line.to_string(),
            s.count.to_string(),
            s.cpus.to_string(),
            crate::money::display_size(s.memory_gib),
            opt(s.disk_gib),
            opt(s.disk_used_gib),
            s.os.text.clone(),
            s.os.target.clone(),
            opt(s.cpu_util_p95),
            opt(s.mem_util_p95),
        ]);
    }
    out.push_str(&table(rows, 3));
    out.push('\n');
    if inv.servers.len() > MAX_ROWS {
        out.push_str(&format!(
            "... and {} more rows (--format csv or json lists them all)\n",
            inv.servers.len() - MAX_ROWS
        ));
    }
    if !inv.left_out.is_empty() {
        out.push_str(&format!("Left out ({}):\n", inv.left_out.len()));
        let mut by_reason: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for l in &inv.left_out {
            *by_reason.entry(l.reason.as_str()).or_default() += 1;
        }
        for (reason, n) in &by_reason {
            out.push_str(&format!("  {n} x {reason}\n"));
        }
        for l in inv.left_out.iter().take(MAX_ROWS) {
            out.push_str(&format!("  {} ({}): {}\n", l.name, l.location, l.reason));
        }
        if inv.left_out.len() > MAX_ROWS {
            out.push_str(&format!("  ... and {} more\n", inv.left_out.len() - MAX_ROWS));
        }
    }
    if !inv.hosts.is_empty() {
        out.push_str(&format!("Hosts ({}):\n", inv.hosts.len()));
        for h in inv.hosts.iter().take(MAX_ROWS) {
            let n = |v: Option<u32>| v.map_or("?".to_owned(), |x| x.to_string());
            out.push_str(&format!(
                "  {}{}: {}, {} sockets x {} cores{}{}\n",
                h.name,
                h.cluster.as_deref().map(|c| format!(" (cluster {c})")).unwrap_or_default(),
                h.cpu_model.as_deref().unwrap_or("CPU model unknown"),
                n(h.sockets),
                n(h.cores),
                match h.hyperthreading {
                    Some(true) => ", hyper-threading on",
                    Some(false) => ", hyper-threading off",
                    None => "",
                },
                h.memory_gib.map(|m| format!(", {} GiB", m.round_dp(1).normalize())).unwrap_or_default()
            ));
        }
    }
    if !inv.ignored_columns.is_empty() {
        out.push_str(&format!("Columns not used: {}\n", inv.ignored_columns.join(", ")));
    }
    if !inv.warnings.is_empty() {
        out.push_str(&format!("Warnings ({}):\n", inv.warnings.len()));
        for c in &inv.warnings {
            out.push_str(&format!("  {c}\n"));
        }
    }
    let noted: Vec<_> = inv.servers.iter().filter(|s| !s.notes.is_empty()).collect();
    if !noted.is_empty() {
        out.push_str("Notes:\n");
        for s in noted.iter().take(MAX_ROWS) {
            for n in &s.notes {
                out.push_str(&format!("  {}: {n}\n", s.name));
            }
        }
        if noted.len() > MAX_ROWS {
            out.push_str(&format!("  ... and notes on {} more servers\n", noted.len() - MAX_ROWS));
        }
    }
    out
}

/// Every server as CSV: the normalised columns, then notes joined with `; `.
pub fn csv(inv: &Inventory) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "name",
        "line",
        "count",
        "cpus",
        "memory_gib",
        "disk_gib",
        "disk_used_gib",
        "os",
        "target",
        "cpu_util_p95",
        "mem_util_p95",
        "gpus",
        "role",
        "notes",
    ])?;
    let o = |d: Option<rust_decimal::Decimal>| d.map(|v| v.normalize().to_string()).unwrap_or_default();
    for s in &inv.servers {
        w.write_record([
            super::neutralise(&s.name),
            s.line.to_string(),
            s.count.to_string(),
            s.cpus.to_string(),
            s.memory_gib.normalize().to_string(),
            o(s.disk_gib),
            o(s.disk_used_gib),
            super::neutralise(&s.os.text),
            s.os.target.clone(),
            o(s.cpu_util_p95),
            o(s.mem_util_p95),
            s.gpus.to_string(),
            super::neutralise(&s.role),
            super::neutralise(&s.notes.join("; ")),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error())
}
