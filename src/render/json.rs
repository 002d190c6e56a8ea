//! A `Plan` in, `plan.json` text out: one JSON object, its top-level fields one per line, and one
//! server per line (compact, diffable, and fast to write for 100k servers). Stable key order,
//! trailing newline. Large plans serialize their servers on two threads.

use std::io::{self, Write};

use serde::Serialize;

use crate::plan::{Plan, ServerPlan};

/// Servers per chunk when serializing in parallel.
const CHUNK: usize = 4096;

fn field<W: Write, T: Serialize + ?Sized>(w: &mut W, name: &str, value: &T, last: bool) -> io::Result<()> {
    write!(w, "  \"{name}\": ")?;
    serde_json::to_writer(&mut *w, value).map_err(io::Error::other)?;
    w.write_all(if last { b"\n" } else { b",\n" })
}

fn servers_chunk(servers: &[ServerPlan], last_chunk: bool) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(servers.len() * 2048);
    for (i, s) in servers.iter().enumerate() {
        buf.extend_from_slice(b"    ");
        serde_json::to_writer(&mut buf, s).map_err(io::Error::other)?;
        buf.extend_from_slice(if last_chunk && i + 1 == servers.len() { b"\n" } else { b",\n" });
    }
    Ok(buf)
}

/// Write the plan as JSON to `w` without building the whole text in memory.
pub fn write_plan<W: Write>(plan: &Plan, w: W) -> io::Result<()> {
    write_plan_chunked(plan, w, CHUNK)
}

/// `write_plan` with a chosen chunk size (tests use small chunks to exercise the parallel path).
pub fn write_plan_chunked<W: Write>(plan: &Plan, mut w: W, chunk: usize) -> io::Result<()> {
    w.write_all(b"{\n")?;
    field(&mut w, "schema", &plan.schema, false)?;
    field(&mut w, "rocklift_version", &plan.rocklift_version, false)?;
    field(&mut w, "inventory", &plan.inventory, false)?;
    field(&mut w, "settings", &plan.settings, false)?;
    field(&mut w, "pricing", &plan.pricing, false)?;
    w.write_all(b"  \"servers\": [\n")?;
    let chunks: Vec<&[ServerPlan]> = plan.servers.chunks(chunk.max(1)).collect();
    let n = chunks.len();
    // Two workers take alternate chunks; chunks are written in order as they are ready.
    for pair in chunks.chunks(2) {
        let base = pair.as_ptr() as usize - chunks.as_ptr() as usize;
        let first = base / std::mem::size_of::<&[ServerPlan]>();
        let bufs: Vec<io::Result<Vec<u8>>> = if pair.len() == 2 {
            std::thread::scope(|s| {
                let other = s.spawn(|| servers_chunk(pair[1], first + 2 == n));
                let mine = servers_chunk(pair[0], first + 1 == n);
                vec![mine, other.join().unwrap_or_else(|_| Err(io::Error::other("a JSON writer thread failed")))]
            })
        } else {
            vec![servers_chunk(pair[0], first + 1 == n)]
        };
        for b in bufs {
            w.write_all(&b?)?;
        }
    }
    w.write_all(b"  ],\n")?;
    field(&mut w, "totals", &plan.totals, false)?;
    field(&mut w, "warnings", &plan.warnings, false)?;
    field(&mut w, "notes", &plan.notes, false)?;
    field(&mut w, "network", &plan.network, plan.migration.is_none() && plan.comparison.is_none())?;
    if let Some(m) = &plan.migration {
        field(&mut w, "migration", m, plan.comparison.is_none())?;
    }
    if let Some(c) = &plan.comparison {
        field(&mut w, "comparison", c, true)?;
    }
    w.write_all(b"}\n")
}

pub fn plan(plan: &Plan) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail, and a Plan always serializes (string keys only).
    let _ = write_plan(plan, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}
