//! A utilization header record in, the column of each field out (aliases in any case and spacing), or what is
//! wrong with the header.
//!
//! Columns are found by name, never by position. Names are compared after `inventory::header::normalize`
//! (lower case, runs of anything but letters and digits become one `_`), so `TimeStamp`, `time stamp` and
//! `time-stamp` all match.
//!
//! Google Migration Center's performance table `perfInfo.csv` is read by its own column names: `MachineId`,
//! `TimeStamp`, `CpuUtilizationPercentage`, `MemoryUtilizationPercentage`, `DiskReadOperationsPerSec` +
//! `DiskWriteOperationsPerSec` (summed into IOPS), `NetworkBytesPerSecSent` (bytes/s, turned into Mbit/s by × 8 /
//! 1,000,000). Sources: the template list of <https://cloud.google.com/migration-center/docs/import-data-tables>
//! and the files Google's own collectors write (GoogleCloudPlatform/aws-discovery-export,
//! `stratozone-aws-export.py` and `stratozonedict.py`: `MachineId, TimeStamp, CpuUtilizationPercentage,
//! MemoryUtilizationPercentage, AvailableMemoryBytes, DiskReadOperationsPerSec, DiskWriteOperationsPerSec,
//! NetworkBytesPerSecSent, NetworkBytesPerSecReceived`). `AvailableMemoryBytes` / `UtilizedMemoryBytes` and
//! `NetworkBytesPerSecReceived` are not used (a memory percentage needs the machine's memory size, which lives
//! in `vmInfo.csv`; inbound traffic is free on AWS). In perfInfo the server is the `MachineId`: join it to the
//! inventory through vmInfo's `MachineId` → `MachineName`.

use crate::inventory::header::normalize;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Timestamp,
    Server,
    Cpu,
    Mem,
    DiskIops,
    DiskRead,
    DiskWrite,
    NetMbps,
    NetBytesSent,
}

/// Normalized header names and the field each stands for.
const ALIASES: &[(&str, Field)] = &[
    ("timestamp", Field::Timestamp),
    ("time_stamp", Field::Timestamp),
    ("time", Field::Timestamp),
    ("datetime", Field::Timestamp),
    ("date_time", Field::Timestamp),
    ("sample_time", Field::Timestamp),
    ("server", Field::Server),
    ("server_name", Field::Server),
    ("name", Field::Server),
    ("host", Field::Server),
    ("hostname", Field::Server),
    ("host_name", Field::Server),
    ("machineid", Field::Server),
    ("machine_id", Field::Server),
    ("machine", Field::Server),
    ("machinename", Field::Server),
    ("machine_name", Field::Server),
    ("vm", Field::Server),
    ("vm_name", Field::Server),
    ("cpu_pct", Field::Cpu),
    ("cpu", Field::Cpu),
    ("cpu_percent", Field::Cpu),
    ("cpu_percentage", Field::Cpu),
    ("cpu_util", Field::Cpu),
    ("cpu_util_pct", Field::Cpu),
    ("cpu_utilization", Field::Cpu),
    ("cpu_utilisation", Field::Cpu),
    ("cpu_usage", Field::Cpu),
    ("cpuutilizationpercentage", Field::Cpu),
    ("cpu_utilization_percentage", Field::Cpu),
    ("mem_pct", Field::Mem),
    ("mem", Field::Mem),
    ("memory", Field::Mem),
    ("memory_pct", Field::Mem),
    ("mem_percent", Field::Mem),
    ("memory_percent", Field::Mem),
    ("memory_percentage", Field::Mem),
    ("mem_util", Field::Mem),
    ("mem_util_pct", Field::Mem),
    ("memory_util", Field::Mem),
    ("memory_utilization", Field::Mem),
    ("memory_utilisation", Field::Mem),
    ("memory_usage", Field::Mem),
    ("mem_usage", Field::Mem),
    ("memoryutilizationpercentage", Field::Mem),
    ("memory_utilization_percentage", Field::Mem),
    ("disk_iops", Field::DiskIops),
    ("iops", Field::DiskIops),
    ("diskiops", Field::DiskIops),
    ("total_iops", Field::DiskIops),
    ("diskreadoperationspersec", Field::DiskRead),
    ("diskwriteoperationspersec", Field::DiskWrite),
    ("net_out_mbps", Field::NetMbps),
    ("network_out_mbps", Field::NetMbps),
    ("net_tx_mbps", Field::NetMbps),
    ("networkbytespersecsent", Field::NetBytesSent),
];

/// A column: its index in the record and its header text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Col {
    pub index: usize,
    pub label: String,
}

/// Where IOPS come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Disk {
    Iops(Col),
    /// perfInfo: read + write operations per second.
    ReadWrite(Col, Col),
}

/// Where outbound network throughput comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Net {
    Mbps(Col),
    /// perfInfo: bytes per second sent (× 8 / 1,000,000 = Mbit/s).
    BytesPerSec(Col),
}

/// The columns of one utilization file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    pub timestamp: Col,
    pub server: Col,
    pub cpu: Option<Col>,
    pub mem: Option<Col>,
    pub disk: Option<Disk>,
    pub net: Option<Net>,
    /// Number of cells in the header.
    pub width: usize,
}

/// A header problem: the column it is about (if one) and the message.
pub(crate) type HeaderProblem = (Option<String>, String);

/// Map header cells (already UTF-8 checked and trimmed) to columns.
pub(crate) fn map(cells: &[String]) -> Result<Columns, Vec<HeaderProblem>> {
    let mut problems = Vec::new();
    let mut found: Vec<(Field, Col)> = Vec::new();
    for (index, text) in cells.iter().enumerate() {
        let n = normalize(text);
        let Some(field) = ALIASES.iter().find(|(a, _)| *a == n).map(|(_, f)| *f) else { continue };
        if let Some((_, first)) = found.iter().find(|(f, _)| *f == field) {
            problems.push((
                Some(text.clone()),
                format!("names the same data as column '{}'; keep one of them", first.label),
            ));
            continue;
        }
        found.push((field, Col { index, label: text.clone() }));
    }
    let take = |field: Field| found.iter().find(|(f, _)| *f == field).map(|(_, c)| c.clone());
    let header_list = cells.join(", ");
    let timestamp = take(Field::Timestamp);
    let server = take(Field::Server);
    if timestamp.is_none() {
        problems.push((
            None,
            format!("required column 'timestamp' (or time, TimeStamp) is missing; the header has: {header_list}"),
        ));
    }
    if server.is_none() {
        problems.push((
            None,
            format!(
                "required column 'server' (or name, host, hostname, MachineId) is missing; the header has: {header_list}"
            ),
        ));
    }
    let disk = match (take(Field::DiskIops), take(Field::DiskRead), take(Field::DiskWrite)) {
        (Some(iops), None, None) => Some(Disk::Iops(iops)),
        (None, Some(r), Some(w)) => Some(Disk::ReadWrite(r, w)),
        (None, None, None) => None,
        (Some(iops), r, w) => {
            let other = r.or(w).map(|c| c.label).unwrap_or_default();
            problems.push((
                Some(other),
                format!("names the same data as column '{}' (IOPS); keep one of them", iops.label),
            ));
            None
        }
        (None, Some(only), None) | (None, None, Some(only)) => {
            problems.push((
                Some(only.label),
                "needs its partner column too: IOPS is DiskReadOperationsPerSec + DiskWriteOperationsPerSec".into(),
            ));
            None
        }
    };
    let net = match (take(Field::NetMbps), take(Field::NetBytesSent)) {
        (Some(m), None) => Some(Net::Mbps(m)),
        (None, Some(b)) => Some(Net::BytesPerSec(b)),
        (None, None) => None,
        (Some(m), Some(b)) => {
            problems.push((Some(b.label), format!("names the same data as column '{}'; keep one of them", m.label)));
            None
        }
    };
    let (cpu, mem) = (take(Field::Cpu), take(Field::Mem));
    if cpu.is_none() && mem.is_none() && disk.is_none() && net.is_none() && problems.is_empty() {
        problems.push((
            None,
            format!(
                "no utilization column: expected at least one of cpu_pct, mem_pct, disk_iops, net_out_mbps \
                 (or perfInfo's CpuUtilizationPercentage, MemoryUtilizationPercentage, DiskReadOperationsPerSec + \
                 DiskWriteOperationsPerSec, NetworkBytesPerSecSent); the header has: {header_list}"
            ),
        ));
    }
    match (timestamp, server) {
        (Some(timestamp), Some(server)) if problems.is_empty() => {
            Ok(Columns { timestamp, server, cpu, mem, disk, net, width: cells.len() })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(s: &str) -> Vec<String> {
        s.split(',').map(str::to_owned).collect()
    }

    #[test]
    fn native_and_perfinfo_headers() {
        let c = map(&cells("timestamp,server,cpu_pct,mem_pct,disk_iops,net_out_mbps")).expect("must succeed");
        assert_eq!(c.timestamp.index, 0);
        assert_eq!(c.server.index, 1);
        assert_eq!(c.cpu.expect("must succeed").index, 2);
        assert_eq!(c.mem.expect("must succeed").index, 3);
        assert!(matches!(c.disk, Some(Disk::Iops(Col { index: 4, .. }))));
        assert!(matches!(c.net, Some(Net::Mbps(Col { index: 5, .. }))));

        let p = map(&cells(
            "MachineId,TimeStamp,CpuUtilizationPercentage,MemoryUtilizationPercentage,AvailableMemoryBytes,\
             DiskReadOperationsPerSec,DiskWriteOperationsPerSec,NetworkBytesPerSecSent,NetworkBytesPerSecReceived",
        ))
        .expect("must succeed");
        assert_eq!(p.server.label, "MachineId");
        assert_eq!(p.timestamp.label, "TimeStamp");
        assert!(matches!(p.disk, Some(Disk::ReadWrite(Col { index: 5, .. }, Col { index: 6, .. }))));
        assert!(matches!(p.net, Some(Net::BytesPerSec(Col { index: 7, .. }))));
    }

    #[test]
    fn header_problems() {
        let e = map(&cells("time,host,HOSTNAME,cpu")).expect_err("must be refused");
        assert_eq!(e, vec![(Some("HOSTNAME".into()), "names the same data as column 'host'; keep one of them".into())]);
        let e = map(&cells("time,host")).expect_err("must be refused");
        assert_eq!(e.len(), 1);
        assert!(e[0].1.starts_with("no utilization column"), "{}", e[0].1);
        let e = map(&cells("host,cpu")).expect_err("must be refused");
        assert_eq!(e[0].1, "required column 'timestamp' (or time, TimeStamp) is missing; the header has: host, cpu");
    }
}
