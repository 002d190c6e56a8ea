//! The vHost sheet in, one `HostInfo` per ESXi host out (CPU model, sockets, cores, hyper-threading,
//! memory), for the on-prem comparison; problems located by sheet, row and column.
//!
//! Columns (RVTools 4.x, as in `tests/fixtures/rvtools/example1.xlsx`): `Host`, `Cluster`,
//! `CPU Model`, `# CPU` (sockets), `Cores per CPU`, `# Cores` (cores of the whole host; when absent,
//! sockets × cores per CPU), `HT Active`, `# Memory` (MiB).

use rust_decimal::Decimal;

use super::columns::{Columns, Role, VHOST};
use super::sheet::Sheet;
use super::values::{count, flag, gib, mib};
use crate::error::Problem;
use crate::inventory::HostInfo;

const MAX_SOCKETS: u32 = 1024;
const MAX_CORES: u32 = 1_000_000;

/// Read vHost; problems go to `problems`.
pub(super) fn read(sheet: &Sheet<'_>, problems: &mut Vec<Problem>) -> Vec<HostInfo> {
    let mut hosts = Vec::new();
    sheet.scan(
        problems,
        |header_row, header, problems| {
            let cols = Columns::resolve(header, VHOST);
            if !cols.has(Role::Host) {
                problems.push(sheet.origin.problem(
                    header_row,
                    None,
                    "vHost lacks the 'Host' column; fix the header or remove the sheet (it is optional)",
                ));
                return None;
            }
            Some(cols)
        },
        |cols, line, row, problems| {
            let mut ok = true;
            let mut fail = |role: Role, msg: String, problems: &mut Vec<Problem>| {
                problems.push(sheet.origin.problem(line, Some(cols.label(role)), msg));
                ok = false;
            };
            let mut text = |role: Role, problems: &mut Vec<Problem>| -> Option<String> {
                let i = cols.index(role)?;
                match row.get(i) {
                    Ok(v) => v.map(|v| v.into_owned()),
                    Err(m) => {
                        fail(role, m, problems);
                        None
                    }
                }
            };
            let name = text(Role::Host, problems);
            let cluster = text(Role::Cluster, problems);
            let cpu_model = text(Role::CpuModel, problems);
            let sockets_s = text(Role::Sockets, problems);
            let per_socket_s = text(Role::CoresPerSocket, problems);
            let cores_s = text(Role::Cores, problems);
            let ht_s = text(Role::HtActive, problems);
            let memory_s = text(Role::MemoryMib, problems);
            let mut whole = |role: Role, s: Option<String>, max: u32, what: &str, problems: &mut Vec<Problem>| {
                s.and_then(|s| count(&s, 0, max, what).map_err(|m| fail(role, m, problems)).ok())
            };
            let sockets =
                whole(Role::Sockets, sockets_s, MAX_SOCKETS, "the number of CPU sockets, such as 2", problems);
            let per_socket =
                whole(Role::CoresPerSocket, per_socket_s, MAX_CORES, "cores per CPU socket, such as 16", problems);
            let cores = whole(Role::Cores, cores_s, MAX_CORES, "the number of cores of the host, such as 32", problems);
            let hyperthreading = ht_s.and_then(|s| {
                let v = flag(&s);
                if v.is_none() {
                    fail(Role::HtActive, format!("'{s}' is not True or False"), problems);
                }
                v
            });
            let memory: Option<Decimal> = memory_s.and_then(|s| {
                mib(&s, "the host memory in MiB, such as 261797").map_err(|m| fail(Role::MemoryMib, m, problems)).ok()
            });
            if name.is_none() {
                fail(Role::Host, "is empty; every vHost row needs the host name".into(), problems);
            }
            if !ok {
                return;
            }
            let Some(name) = name else { return };
            let cores = cores.or_else(|| sockets.zip(per_socket).and_then(|(s, p)| s.checked_mul(p)));
            hosts.push(HostInfo {
                name,
                cluster,
                cpu_model,
                sockets,
                cores,
                hyperthreading,
                memory_gib: memory.map(gib),
            });
        },
    );
    hosts
}
