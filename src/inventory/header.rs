//! Header cells in, canonical native-CSV columns out: aliases (`hostname`, `vcpus`, `ram_gb`, `memory_mb`, ...), any case and spacing.

/// The columns of the native inventory format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Name,
    Cpus,
    MemoryGib,
    /// Memory given in MiB (converted to GiB by / 1024).
    MemoryMib,
    DiskGib,
    DiskUsedGib,
    Os,
    CpuUtilP95,
    MemUtilP95,
    Gpus,
    GpuModel,
    Arch,
    Role,
    Count,
    EgressGibMonth,
    Public,
    Ports,
    Schedule,
    Tags,
    /// IOPS the server's disks need (gp3 above its 3,000 baseline is provisioned and priced).
    DiskIops,
    /// Disk throughput the server needs in MiB/s (gp3 above its 125 baseline is provisioned and priced).
    DiskThroughputMbps,
}

impl Column {
    pub fn canonical(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Cpus => "cpus",
            Column::MemoryGib => "memory_gib",
            Column::MemoryMib => "memory_mb",
            Column::DiskGib => "disk_gib",
            Column::DiskUsedGib => "disk_used_gib",
            Column::Os => "os",
            Column::CpuUtilP95 => "cpu_util_p95",
            Column::MemUtilP95 => "mem_util_p95",
            Column::Gpus => "gpus",
            Column::GpuModel => "gpu_model",
            Column::Arch => "arch",
            Column::Role => "role",
            Column::Count => "count",
            Column::EgressGibMonth => "egress_gib_month",
            Column::Public => "public",
            Column::Ports => "ports",
            Column::Schedule => "schedule",
            Column::Tags => "tags",
            Column::DiskIops => "disk_iops",
            Column::DiskThroughputMbps => "disk_throughput_mbps",
        }
    }
}

const ALIASES: &[(&str, Column)] = &[
    ("name", Column::Name),
    ("hostname", Column::Name),
    ("host", Column::Name),
    ("host_name", Column::Name),
    ("server", Column::Name),
    ("server_name", Column::Name),
    ("vm", Column::Name),
    ("vm_name", Column::Name),
    ("cpus", Column::Cpus),
    ("cpu", Column::Cpus),
    ("vcpus", Column::Cpus),
    ("vcpu", Column::Cpus),
    ("num_cpus", Column::Cpus),
    ("cpu_count", Column::Cpus),
    ("threads", Column::Cpus),
    ("memory_gib", Column::MemoryGib),
    ("memory_gb", Column::MemoryGib),
    ("memory", Column::MemoryGib),
    ("mem_gib", Column::MemoryGib),
    ("mem_gb", Column::MemoryGib),
    ("ram_gib", Column::MemoryGib),
    ("ram_gb", Column::MemoryGib),
    ("ram", Column::MemoryGib),
    ("memory_mb", Column::MemoryMib),
    ("memory_mib", Column::MemoryMib),
    ("mem_mb", Column::MemoryMib),
    ("mem_mib", Column::MemoryMib),
    ("ram_mb", Column::MemoryMib),
    ("ram_mib", Column::MemoryMib),
    ("disk_gib", Column::DiskGib),
    ("disk_gb", Column::DiskGib),
    ("disk", Column::DiskGib),
    ("storage_gb", Column::DiskGib),
    ("storage_gib", Column::DiskGib),
    ("provisioned_gib", Column::DiskGib),
    ("provisioned_gb", Column::DiskGib),
    ("disk_used_gib", Column::DiskUsedGib),
    ("disk_used_gb", Column::DiskUsedGib),
    ("used_disk_gib", Column::DiskUsedGib),
    ("used_disk_gb", Column::DiskUsedGib),
    ("storage_used_gb", Column::DiskUsedGib),
    ("os", Column::Os),
    ("operating_system", Column::Os),
    ("os_name", Column::Os),
    ("cpu_util_p95", Column::CpuUtilP95),
    ("cpu_p95", Column::CpuUtilP95),
    ("cpu_util", Column::CpuUtilP95),
    ("cpu_utilization_p95", Column::CpuUtilP95),
    ("mem_util_p95", Column::MemUtilP95),
    ("mem_p95", Column::MemUtilP95),
    ("memory_util_p95", Column::MemUtilP95),
    ("mem_util", Column::MemUtilP95),
    ("memory_utilization_p95", Column::MemUtilP95),
    ("gpus", Column::Gpus),
    ("gpu", Column::Gpus),
    ("gpu_count", Column::Gpus),
    ("gpu_model", Column::GpuModel),
    ("gpu_type", Column::GpuModel),
    ("arch", Column::Arch),
    ("architecture", Column::Arch),
    ("role", Column::Role),
    ("count", Column::Count),
    ("quantity", Column::Count),
    ("qty", Column::Count),
    ("egress_gib_month", Column::EgressGibMonth),
    ("egress_gb_month", Column::EgressGibMonth),
    ("egress_gib", Column::EgressGibMonth),
    ("egress_gb", Column::EgressGibMonth),
    ("public", Column::Public),
    ("internet_facing", Column::Public),
    ("ports", Column::Ports),
    ("schedule", Column::Schedule),
    ("tags", Column::Tags),
    ("disk_iops", Column::DiskIops),
    ("iops", Column::DiskIops),
    ("disk_throughput_mbps", Column::DiskThroughputMbps),
    ("disk_throughput_mibps", Column::DiskThroughputMbps),
    ("throughput_mbps", Column::DiskThroughputMbps),
    ("throughput_mibps", Column::DiskThroughputMbps),
    ("disk_mbps", Column::DiskThroughputMbps),
];

/// `"Memory (GB)"`, `" RAM-GB "`, `"ramGb"` → `"memory_gb"`, `"ram_gb"`, `"ramgb"`: lower case, runs of
/// anything but letters and digits become one `_`, trimmed.
pub fn normalize(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut pending = false;
    for ch in cell.trim().trim_start_matches('\u{feff}').chars() {
        if ch.is_alphanumeric() {
            if pending && !out.is_empty() {
                out.push('_');
            }
            pending = false;
            out.extend(ch.to_lowercase());
        } else {
            pending = true;
        }
    }
    out
}

/// The column a header cell names, if any.
pub fn lookup(cell: &str) -> Option<Column> {
    let n = normalize(cell);
    let n = n.replace("_in_", "_");
    ALIASES.iter().find(|(alias, _)| *alias == n).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_any_case_and_spacing() {
        assert_eq!(lookup("Hostname"), Some(Column::Name));
        assert_eq!(lookup(" vCPUs "), Some(Column::Cpus));
        assert_eq!(lookup("RAM (GB)"), Some(Column::MemoryGib));
        assert_eq!(lookup("Memory MB"), Some(Column::MemoryMib));
        assert_eq!(lookup("memory-mb"), Some(Column::MemoryMib));
        assert_eq!(lookup("\u{feff}name"), Some(Column::Name));
        assert_eq!(lookup("Egress GiB/month"), Some(Column::EgressGibMonth));
        assert_eq!(lookup("colour"), None);
    }
}
