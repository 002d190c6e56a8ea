//! An RVTools export path in (xlsx, folder or zip of "Export all to csv" files, or one vInfo CSV), the
//! number of servers read out (and of VMs left out); `--dump` prints every server and left-out VM.
//! Used by `scripts/bench-rvtools.sh` to time the reader alone.
//!
//!     cargo run --release --example read_rvtools -- RVTools_tabvInfo.csv [--include-powered-off] [--include-templates] [--dump]

use std::path::PathBuf;
use std::process::ExitCode;

use rocklift::inventory::{rvtools, ReadOptions};

fn main() -> ExitCode {
    let mut path = None;
    let mut opts = ReadOptions::default();
    let mut dump = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--include-powered-off" => opts.include_powered_off = true,
            "--include-templates" => opts.include_templates = true,
            "--dump" => dump = true,
            _ if path.is_none() => path = Some(PathBuf::from(arg)),
            _ => {
                eprintln!("usage: read_rvtools PATH [--include-powered-off] [--include-templates] [--dump]");
                return ExitCode::from(2);
            }
        }
    }
    let Some(path) = path else {
        eprintln!("usage: read_rvtools PATH [--include-powered-off] [--include-templates] [--dump]");
        return ExitCode::from(2);
    };
    match rvtools::read_path(&path, &opts) {
        Ok(inv) => {
            if dump {
                for s in &inv.servers {
                    println!(
                        "{} line {} cpus {} mem {} disk {:?} used {:?} os {:?} -> {} tags {:?} notes {:?}",
                        s.name,
                        s.line,
                        s.cpus,
                        s.memory_gib,
                        s.disk_gib,
                        s.disk_used_gib,
                        s.os.text,
                        s.os.target,
                        s.tags,
                        s.notes
                    );
                }
                for l in &inv.left_out {
                    println!("left out: {} at {}: {}", l.name, l.location, l.reason);
                }
                for h in &inv.hosts {
                    println!("host: {h:?}");
                }
            }
            println!("{} servers, {} left out, {} hosts", inv.server_count(), inv.left_out.len(), inv.hosts.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
