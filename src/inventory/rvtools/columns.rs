//! Header cells of an RVTools sheet in, the columns rocklift reads (by role, with the header as written) out.
//!
//! Columns are found by header name, never by position: the column set differs between RVTools
//! versions and custom attributes appear mid-sheet. Names are compared ignoring case, spacing and a
//! stray BOM.
//!
//! Where the names come from:
//! - vInfo, vDisk, vPartition, vHost as written by RVTools 4.x: the real export
//!   `tests/fixtures/rvtools/example1.xlsx` (kubev2v/migration-planner), and the tab reference of
//!   github.com/bankielewicz/RVToolsDW ("RVTools Tabs Reference": vInfo `VM`, `Powerstate`, `Template`,
//!   `CPUs`, `Memory` (MiB), `Datacenter`, `Cluster`, `Host`, OS columns, `VM ID`, `VM UUID`;
//!   vPartition `Capacity MiB`, `Consumed MiB`, `Free MiB`; vHost `CPU Model`, `# CPU`, `# Cores`,
//!   `# Memory` (MiB)).
//! - Older RVTools (3.x, vSphere 5.5 era) say `MB` where 4.x says `MiB` (`Provisioned MB`, `In Use MB`,
//!   `Capacity MB`, `Consumed MB`, `Free MB`), call the configuration-file OS plain `OS`, the VM UUID
//!   `UUID` and the managed-object ID `Object ID`: the vInfo column list quoted in a public Perl script
//!   reading `RVTools_tabvInfo.csv` ("VM,DNS Name,Powerstate,...,Provisioned MB,In Use MB,...,
//!   Datacenter,Cluster,Host,OS,VM Version,UUID,Object ID"), and public RVTools-to-SQL import scripts
//!   that read vPartition `Capacity MB` / `Free MB` and compute consumed = capacity − free because
//!   "old versions do NOT have" `Consumed MB`.
//!
//! RVTools' "MB" is the same unit as its later "MiB" (2^20 bytes: vSphere reports `memoryMB` and disk
//! capacities in units of 1024 × 1024 bytes; RVTools 4 only relabelled the headers), so both spellings
//! are read as MiB.

/// What a column holds, whatever the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Role {
    Vm,
    Powerstate,
    Template,
    Cpus,
    MemoryMib,
    ProvisionedMib,
    InUseMib,
    OsConfig,
    OsTools,
    Datacenter,
    Cluster,
    Host,
    VmId,
    VmUuid,
    /// The vCenter an export row came from (part of the join key when both sheets have it).
    SdkServer,
    CapacityMib,
    ConsumedMib,
    FreeMib,
    CpuModel,
    /// vHost `# CPU`: sockets.
    Sockets,
    CoresPerSocket,
    /// vHost `# Cores`: physical cores of the whole host.
    Cores,
    HtActive,
}

type Spec = &'static [(Role, &'static [&'static str])];

const JOIN_KEYS: Spec = &[
    (Role::Vm, &["VM"]),
    (Role::VmId, &["VM ID", "Object ID"]),
    (Role::VmUuid, &["VM UUID", "UUID"]),
    (Role::SdkServer, &["VI SDK Server"]),
];

/// vInfo: one row per VM.
pub(super) const VINFO: Spec = &[
    (Role::Vm, &["VM"]),
    (Role::Powerstate, &["Powerstate"]),
    (Role::Template, &["Template"]),
    (Role::Cpus, &["CPUs"]),
    (Role::MemoryMib, &["Memory"]),
    (Role::ProvisionedMib, &["Provisioned MiB", "Provisioned MB"]),
    (Role::InUseMib, &["In Use MiB", "In Use MB"]),
    (Role::OsConfig, &["OS according to the configuration file", "OS"]),
    (Role::OsTools, &["OS according to the VMware Tools"]),
    (Role::Datacenter, &["Datacenter"]),
    (Role::Cluster, &["Cluster"]),
    (Role::Host, &["Host"]),
    (Role::VmId, &["VM ID", "Object ID"]),
    (Role::VmUuid, &["VM UUID", "UUID"]),
    (Role::SdkServer, &["VI SDK Server"]),
];

/// vDisk: one row per virtual disk.
pub(super) const VDISK: Spec = &[
    (Role::Vm, &["VM"]),
    (Role::CapacityMib, &["Capacity MiB", "Capacity MB"]),
    (Role::VmId, &["VM ID", "Object ID"]),
    (Role::VmUuid, &["VM UUID", "UUID"]),
    (Role::SdkServer, &["VI SDK Server"]),
];

/// vPartition: one row per guest file system (VMware Tools must run for these).
pub(super) const VPARTITION: Spec = &[
    (Role::Vm, &["VM"]),
    (Role::CapacityMib, &["Capacity MiB", "Capacity MB"]),
    (Role::ConsumedMib, &["Consumed MiB", "Consumed MB"]),
    (Role::FreeMib, &["Free MiB", "Free MB"]),
    (Role::VmId, &["VM ID", "Object ID"]),
    (Role::VmUuid, &["VM UUID", "UUID"]),
    (Role::SdkServer, &["VI SDK Server"]),
];

/// vHost: one row per ESXi host.
pub(super) const VHOST: Spec = &[
    (Role::Host, &["Host"]),
    (Role::Cluster, &["Cluster"]),
    (Role::CpuModel, &["CPU Model"]),
    (Role::Sockets, &["# CPU"]),
    (Role::CoresPerSocket, &["Cores per CPU"]),
    (Role::Cores, &["# Cores"]),
    (Role::HtActive, &["HT Active"]),
    (Role::MemoryMib, &["# Memory"]),
];

/// The columns of one sheet that rocklift reads.
#[derive(Debug, Clone, Default)]
pub(super) struct Columns {
    /// Role → (index in the row, header as written).
    found: Vec<(Role, usize, String)>,
    /// Non-empty headers rocklift does not read, in sheet order.
    pub(super) unused: Vec<String>,
}

impl Columns {
    /// Find the columns of `spec` in `header` (the first column with a matching name wins).
    pub(super) fn resolve(header: &[String], spec: Spec) -> Self {
        let mut cols = Columns { found: Vec::new(), unused: Vec::new() };
        for (i, cell) in header.iter().enumerate() {
            let key = normalize(cell);
            let role = spec.iter().find(|(_, names)| names.iter().any(|n| normalize(n) == key)).map(|(r, _)| *r);
            match role {
                Some(r) if !cols.has(r) => cols.found.push((r, i, display(cell))),
                _ if key.is_empty() => {}
                _ => cols.unused.push(display(cell)),
            }
        }
        cols
    }

    pub(super) fn has(&self, role: Role) -> bool {
        self.found.iter().any(|(r, _, _)| *r == role)
    }

    /// Index of the column holding `role`.
    pub(super) fn index(&self, role: Role) -> Option<usize> {
        self.found.iter().find(|(r, _, _)| *r == role).map(|(_, i, _)| *i)
    }

    /// The header of `role` as the file writes it (for messages); the usual RVTools name when absent.
    pub(super) fn label(&self, role: Role) -> &str {
        self.found.iter().find(|(r, _, _)| *r == role).map(|(_, _, l)| l.as_str()).unwrap_or_else(|| usual_name(role))
    }

    /// The roles of `needed` that the header lacks, by their usual RVTools names.
    pub(super) fn missing(&self, needed: &[Role]) -> Vec<&'static str> {
        needed.iter().filter(|r| !self.has(**r)).map(|r| usual_name(*r)).collect()
    }
}

/// The RVTools 4.x header of a role (what messages name when the column is missing).
pub(super) fn usual_name(role: Role) -> &'static str {
    for spec in [VINFO, VDISK, VPARTITION, VHOST, JOIN_KEYS] {
        if let Some((_, names)) = spec.iter().find(|(r, _)| *r == role) {
            if let Some(first) = names.first() {
                return first;
            }
        }
    }
    "?"
}

/// Header text as compared: BOM and surrounding space removed, inner runs of space collapsed, lower case.
fn normalize(s: &str) -> String {
    s.trim_start_matches('\u{feff}').split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Header text as shown in messages: BOM and surrounding space removed.
fn display(s: &str) -> String {
    s.trim_start_matches('\u{feff}').trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_columns_by_name_in_any_order_and_spelling() {
        let cols = Columns::resolve(&header(&["\u{feff}vm", "Notes", "In Use MB", " cpus ", "MEMORY", ""]), VINFO);
        assert_eq!(cols.index(Role::Vm), Some(0));
        assert_eq!(cols.index(Role::InUseMib), Some(2));
        assert_eq!(cols.label(Role::InUseMib), "In Use MB");
        assert_eq!(cols.index(Role::Cpus), Some(3));
        assert_eq!(cols.label(Role::Cpus), "cpus");
        assert_eq!(cols.index(Role::MemoryMib), Some(4));
        assert_eq!(cols.unused, vec!["Notes".to_string()]);
        assert_eq!(cols.missing(&[Role::Vm, Role::Powerstate, Role::Template]), vec!["Powerstate", "Template"]);
        assert_eq!(cols.label(Role::ProvisionedMib), "Provisioned MiB");
    }

    #[test]
    fn first_of_two_matching_columns_wins() {
        let cols = Columns::resolve(&header(&["VM", "OS according to the configuration file", "OS"]), VINFO);
        assert_eq!(cols.index(Role::OsConfig), Some(1));
        assert_eq!(cols.unused, vec!["OS".to_string()]);
    }
}
