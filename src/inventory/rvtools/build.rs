//! The sheets of one RVTools export in (vInfo, and vDisk, vPartition, vHost when present), the
//! `Inventory` out: one server per planned VM, the VMs left out with their reason, the hosts; or every
//! problem found, each located by file, sheet, row and column.
//!
//! Rules (see the module documentation of `rvtools` for the reasons):
//! - cpus = vInfo `CPUs`; memory_gib = `Memory` MiB / 1024; disk_gib = the sum of the VM's vDisk
//!   `Capacity MiB`, else vInfo `Provisioned MiB`, / 1024; disk_used_gib = the sum of its vPartition
//!   `Consumed MiB`, else vInfo `In Use MiB`, / 1024; role "default", count 1, no utilization; tags
//!   `vmware:datacenter`, `vmware:cluster`, `vmware:host`, `vmware:vm-id`, `vmware:vm-uuid` when set.
//! - vDisk and vPartition rows are matched to vInfo on `VM ID` when both sheets have that column,
//!   else on `VM UUID`, else on the VM name (with the vCenter, `VI SDK Server`, as part of the key
//!   when both sheets have it). A match by name is said in the server's notes; a name that is not
//!   unique in vInfo is never matched by name.
//! - Left out by default: templates, powered-off VMs; always: VMs with no CPUs or Memory in vInfo,
//!   VMs whose OS rocklift cannot plan. Suspended VMs are planned, with a note.
//! - Duplicate VM names get the VM ID (else UUID, else row) appended, with a note.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

use super::columns::{Columns, Role, VDISK, VINFO, VPARTITION};
use super::guest_os::{self, OsCache};
use super::hosts;
use super::sheet::{Origin, Row, Sheet};
use super::values::{count, flag, gib, mib, power, Power, MAX_CPUS};
use crate::error::{Error, Problem, Result};
use crate::inventory::{Inventory, LeftOut, ReadOptions, Server};

/// The sheets of one export. `file` is the path the user named (Inventory.file).
pub(super) struct Export<'a> {
    pub(super) file: String,
    pub(super) vinfo: Sheet<'a>,
    pub(super) vdisk: Option<Sheet<'a>>,
    pub(super) vpartition: Option<Sheet<'a>>,
    pub(super) vhost: Option<Sheet<'a>>,
}

/// Longer VM names are pasted text, not names (vSphere allows 80 characters).
const MAX_NAME_CHARS: usize = 1024;

pub(super) fn build(export: &Export<'_>, opts: &ReadOptions, format: &str) -> Result<Inventory> {
    let mut problems = Vec::new();
    let Some(mut vinfo) = read_vinfo(&export.vinfo, opts, &mut problems) else {
        if problems.is_empty() {
            problems.push(export.vinfo.origin.problem(0, None, "vInfo cannot be read"));
        }
        return Err(Error::Invalid(problems));
    };
    let disks = export.vdisk.as_ref().and_then(|s| read_sizes(s, Sizes::DISK, &vinfo.cols, &mut problems));
    let parts = export.vpartition.as_ref().and_then(|s| read_sizes(s, Sizes::PARTITION, &vinfo.cols, &mut problems));
    let hosts = export.vhost.as_ref().map(|s| hosts::read(s, &mut problems)).unwrap_or_default();
    if vinfo.servers.is_empty() && vinfo.left.is_empty() && problems.is_empty() {
        problems.push(export.vinfo.origin.problem(vinfo.header_row, None, "vInfo has a header but no VMs"));
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let (shared, renames) = plan_renames(&vinfo);
    for (server, sdk) in vinfo.servers.iter_mut().zip(&vinfo.server_sdk) {
        let unique = !shared.contains_key(server.name.as_str());
        let keys = Keys { vm_id: tag(server, VM_ID_TAG), vm_uuid: tag(server, VM_UUID_TAG), sdk: sdk.as_deref() };
        let mut notes = Vec::new();
        let disk = disks.as_ref().and_then(|d| join(d, &keys, &server.name, unique, &mut notes));
        let used = parts.as_ref().and_then(|p| join(p, &keys, &server.name, unique, &mut notes));
        server.disk_gib = disk.or(server.disk_gib);
        server.disk_used_gib = used.or(server.disk_used_gib);
        server.notes.append(&mut notes);
    }
    apply_renames(&mut vinfo, &shared, renames);
    let location = |line: u64| export.vinfo.origin.location(line);
    Ok(Inventory {
        file: export.file.clone(),
        format: format.to_owned(),
        servers: vinfo.servers,
        ignored_columns: vinfo.cols.unused,
        left_out: vinfo
            .left
            .into_iter()
            .map(|l| LeftOut { name: l.name, location: location(l.line), reason: l.reason })
            .collect(),
        hosts,
        warnings: Vec::new(),
    })
}

const VM_ID_TAG: &str = "vmware:vm-id";
const VM_UUID_TAG: &str = "vmware:vm-uuid";

fn tag<'s>(server: &'s Server, key: &str) -> Option<&'s str> {
    server.tags.get(key).map(String::as_str)
}

/// The VMs of vInfo, each list in row order. Planned servers keep their VM ID and UUID in their
/// tags; their vCenter (for joins) is in `server_sdk`, index for index.
struct VInfo {
    cols: Columns,
    header_row: u64,
    servers: Vec<Server>,
    server_sdk: Vec<Option<Arc<str>>>,
    left: Vec<Left>,
}

/// A VM left out of the plan.
struct Left {
    name: String,
    line: u64,
    vm_id: Option<String>,
    vm_uuid: Option<String>,
    reason: String,
}

/// What identifies a VM across sheets.
struct Keys<'a> {
    vm_id: Option<&'a str>,
    vm_uuid: Option<&'a str>,
    sdk: Option<&'a str>,
}

/// A vInfo row, read. Only ever a return value, moved once: boxing the server would cost an
/// allocation per row for nothing.
#[allow(clippy::large_enum_variant)]
enum Vm {
    Plan(Server, Option<Arc<str>>),
    Leave(Left),
}

/// Read vInfo; `None` when its header cannot be used (the problem is in `problems`).
fn read_vinfo(sheet: &Sheet<'_>, opts: &ReadOptions, problems: &mut Vec<Problem>) -> Option<VInfo> {
    let mut header: Option<(Columns, u64)> = None;
    let mut servers = Vec::new();
    let mut server_sdk = Vec::new();
    let mut left = Vec::new();
    let mut os_cache = OsCache::default();
    let mut sdk_names: FxHashMap<String, Arc<str>> = FxHashMap::default();
    sheet.scan(
        problems,
        |header_row, cells, problems| {
            let cols = Columns::resolve(cells, VINFO);
            let missing = cols.missing(&[Role::Vm, Role::Cpus, Role::MemoryMib]);
            if !missing.is_empty() {
                problems.push(sheet.origin.problem(
                    header_row,
                    None,
                    format!(
                        "required column{} {} missing; an RVTools vInfo sheet has VM, Powerstate, Template, CPUs, Memory, ...; the header has: {}",
                        if missing.len() > 1 { "s" } else { "" },
                        missing.iter().map(|m| format!("'{m}'")).collect::<Vec<_>>().join(", ")
                            + if missing.len() > 1 { " are" } else { " is" },
                        cells.iter().filter(|h| !h.is_empty()).cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
                return None;
            }
            header = Some((cols.clone(), header_row));
            Some(cols)
        },
        |cols, line, row, problems| {
            let mut cells = Cells { row, cols, origin: &sheet.origin, line, ok: true };
            match read_vm(&mut cells, opts, &mut os_cache, &mut sdk_names, problems) {
                Some(Vm::Plan(server, sdk)) => {
                    servers.push(server);
                    server_sdk.push(sdk);
                }
                Some(Vm::Leave(l)) => left.push(l),
                None => {}
            }
        },
    );
    let (cols, header_row) = header?;
    Some(VInfo { cols, header_row, servers, server_sdk, left })
}

/// The cells of one row, by role; unreadable cells are reported once and make the row fail.
struct Cells<'r> {
    row: &'r dyn Row,
    cols: &'r Columns,
    origin: &'r Origin,
    line: u64,
    ok: bool,
}

impl<'r> Cells<'r> {
    fn text(&mut self, role: Role, problems: &mut Vec<Problem>) -> Option<Cow<'r, str>> {
        let i = self.cols.index(role)?;
        match self.row.get(i) {
            Ok(v) => v,
            Err(m) => {
                self.fail(role, m, problems);
                None
            }
        }
    }

    fn fail(&mut self, role: Role, message: String, problems: &mut Vec<Problem>) {
        problems.push(self.origin.problem(self.line, Some(self.cols.label(role)), message));
        self.ok = false;
    }

    /// An optional MiB size; `None` when empty or wrong (reported).
    fn mib(&mut self, role: Role, expected: &str, problems: &mut Vec<Problem>) -> Option<Decimal> {
        let s = self.text(role, problems)?;
        match mib(&s, expected) {
            Ok(v) => Some(v),
            Err(m) => {
                self.fail(role, m, problems);
                None
            }
        }
    }

    /// An optional whole number; `None` when empty or wrong (reported).
    fn count(&mut self, role: Role, max: u32, expected: &str, problems: &mut Vec<Problem>) -> Option<u32> {
        let s = self.text(role, problems)?;
        match count(&s, 0, max, expected) {
            Ok(v) => Some(v),
            Err(m) => {
                self.fail(role, m, problems);
                None
            }
        }
    }

    /// An optional True/False; `None` when empty or wrong (reported).
    fn flag(&mut self, role: Role, problems: &mut Vec<Problem>) -> Option<bool> {
        let s = self.text(role, problems)?;
        let v = flag(&s);
        if v.is_none() {
            self.fail(role, format!("'{s}' is not True or False"), problems);
        }
        v
    }

    fn owned(&mut self, role: Role, problems: &mut Vec<Problem>) -> Option<String> {
        self.text(role, problems).map(Cow::into_owned)
    }
}

/// One vInfo row to a VM (planned or left out); `None` when the row has problems (reported).
fn read_vm(
    c: &mut Cells<'_>,
    opts: &ReadOptions,
    os_cache: &mut OsCache,
    sdk_names: &mut FxHashMap<String, Arc<str>>,
    problems: &mut Vec<Problem>,
) -> Option<Vm> {
    let name = c.text(Role::Vm, problems);
    let power = c.text(Role::Powerstate, problems).and_then(|s| {
        let p = power(&s);
        if p.is_none() {
            let msg = format!("'{s}' is not a power state; expected poweredOn, poweredOff or suspended");
            c.fail(Role::Powerstate, msg, problems);
        }
        p
    });
    let template = c.flag(Role::Template, problems).unwrap_or(false);
    let cpus = c.count(Role::Cpus, MAX_CPUS, "the number of vCPUs, such as 4", problems);
    let memory = c.mib(Role::MemoryMib, "memory in MiB, such as 4096", problems);
    let provisioned = c.mib(Role::ProvisionedMib, "provisioned storage in MiB, such as 102400", problems);
    let in_use = c.mib(Role::InUseMib, "storage in use in MiB, such as 40960", problems);
    let os_tools = c.text(Role::OsTools, problems);
    let os_config = c.text(Role::OsConfig, problems);
    let vm_id = c.owned(Role::VmId, problems);
    let vm_uuid = c.owned(Role::VmUuid, problems);
    let sdk = c.text(Role::SdkServer, problems).map(|s| match sdk_names.get(s.as_ref()) {
        Some(shared) => Arc::clone(shared),
        None => {
            let shared: Arc<str> = Arc::from(s.as_ref());
            sdk_names.insert(s.into_owned(), Arc::clone(&shared));
            shared
        }
    });
    let mut places = Vec::new();
    for (role, key) in
        [(Role::Datacenter, "vmware:datacenter"), (Role::Cluster, "vmware:cluster"), (Role::Host, "vmware:host")]
    {
        if let Some(v) = c.owned(role, problems) {
            places.push((key, v));
        }
    }
    let name = match name {
        None => {
            if c.ok {
                c.fail(Role::Vm, "is empty; every vInfo row needs the VM name".into(), problems);
            }
            None
        }
        Some(n) if n.chars().any(char::is_control) => {
            c.fail(Role::Vm, "contains a control character; expected a plain VM name".into(), problems);
            None
        }
        Some(n) if n.chars().count() > MAX_NAME_CHARS => {
            c.fail(
                Role::Vm,
                format!("is {} characters long; expected at most {MAX_NAME_CHARS}", n.chars().count()),
                problems,
            );
            None
        }
        Some(n) => Some(n.into_owned()),
    };
    if !c.ok {
        return None;
    }
    let name = name?;
    let line = c.line;
    let leave = |reason: String, vm_id: Option<String>, vm_uuid: Option<String>| {
        Some(Vm::Leave(Left { name: name.clone(), line, vm_id, vm_uuid, reason }))
    };
    let mut notes = Vec::new();
    if template {
        if !opts.include_templates {
            return leave(
                "a VM template (Template is True); templates are planned only when asked for".into(),
                vm_id,
                vm_uuid,
            );
        }
        notes.push("a VM template in vCenter; planned because templates were asked for".to_owned());
    } else {
        match (power, c.cols.has(Role::Powerstate)) {
            (Some(Power::Off), _) if !opts.include_powered_off => {
                return leave("powered off; powered-off VMs are planned only when asked for".into(), vm_id, vm_uuid);
            }
            (Some(Power::Off), _) => {
                notes.push("powered off in vCenter; planned because powered-off VMs were asked for".to_owned())
            }
            (Some(Power::Suspended), _) => notes.push(
                "suspended in vCenter (it resumes where it stopped, it is not retired); planned as a running VM"
                    .to_owned(),
            ),
            (Some(Power::On), _) => {}
            (None, true) => {
                notes.push(format!("'{}' is empty; planned as a running VM", c.cols.label(Role::Powerstate)))
            }
            (None, false) => notes.push("vInfo has no Powerstate column; planned as a running VM".to_owned()),
        }
    }
    let (Some(cpus @ 1..), Some(memory)) = (cpus, memory.filter(|m| !m.is_zero())) else {
        return leave(no_configuration(c.cols, cpus, memory), vm_id, vm_uuid);
    };
    let chosen = match guest_os::choose(
        os_tools.as_deref(),
        os_config.as_deref(),
        c.cols.label(Role::OsTools),
        c.cols.label(Role::OsConfig),
        os_cache,
    ) {
        Ok(chosen) => chosen,
        Err(reason) => return leave(reason, vm_id, vm_uuid),
    };
    notes.extend(chosen.notes);
    let mut tags = BTreeMap::new();
    for (key, value) in places {
        tags.insert(key.to_owned(), value);
    }
    for (key, value) in [(VM_ID_TAG, vm_id), (VM_UUID_TAG, vm_uuid)] {
        if let Some(v) = value {
            tags.insert(key.to_owned(), v);
        }
    }
    let mut server = Server::new(name, line, cpus, gib(memory), chosen.os);
    server.disk_gib = provisioned.map(gib);
    server.disk_used_gib = in_use.map(gib);
    server.tags = tags;
    server.notes = notes;
    Some(Vm::Plan(server, sdk))
}

/// Why a VM with no CPUs or Memory in vInfo is left out.
fn no_configuration(cols: &Columns, cpus: Option<u32>, memory: Option<Decimal>) -> String {
    let describe = |label: &str, v: Option<String>| match v.as_deref() {
        None => format!("'{label}' is empty"),
        Some(v) => format!("'{label}' is {v}"),
    };
    let mut what = Vec::new();
    if cpus.unwrap_or(0) == 0 {
        what.push(describe(cols.label(Role::Cpus), cpus.map(|v| v.to_string())));
    }
    if memory.is_none_or(|m| m.is_zero()) {
        what.push(describe(cols.label(Role::MemoryMib), memory.map(|v| v.to_string())));
    }
    format!(
        "no configuration to size: {} (RVTools leaves these empty when it cannot read a VM, e.g. an inaccessible or orphaned VM)",
        what.join(" and ")
    )
}

/// A VM to rename: index in `servers` (or in `left` when not a server), and the new name.
struct Rename {
    index: usize,
    is_server: bool,
    name: String,
}

/// The names carried by more than one vInfo row (planned or left out) with their number of rows,
/// and a unique name for each VM carrying one: `name (VM ID)`, else `name (VM UUID)`, else
/// `name (row N)`, chosen in row order.
fn plan_renames(vinfo: &VInfo) -> (FxHashMap<String, u32>, Vec<Rename>) {
    let all = || vinfo.servers.iter().map(|s| s.name.as_str()).chain(vinfo.left.iter().map(|l| l.name.as_str()));
    let mut counts: FxHashMap<&str, u32> = FxHashMap::default();
    counts.reserve(vinfo.servers.len() + vinfo.left.len());
    for name in all() {
        *counts.entry(name).or_default() += 1;
    }
    let shared: FxHashMap<String, u32> =
        counts.iter().filter(|(_, n)| **n > 1).map(|(name, n)| ((*name).to_owned(), *n)).collect();
    if shared.is_empty() {
        return (shared, Vec::new());
    }
    // (line, index, is a server) of the VMs to rename, in row order.
    let mut todo: Vec<(u64, usize, bool)> = Vec::new();
    for (i, s) in vinfo.servers.iter().enumerate() {
        if shared.contains_key(&s.name) {
            todo.push((s.line, i, true));
        }
    }
    for (i, l) in vinfo.left.iter().enumerate() {
        if shared.contains_key(&l.name) {
            todo.push((l.line, i, false));
        }
    }
    todo.sort_unstable();
    let mut assigned: FxHashSet<String> = FxHashSet::default();
    let mut renames = Vec::new();
    for (line, index, is_server) in todo {
        let (name, ids) = match (is_server, vinfo.servers.get(index), vinfo.left.get(index)) {
            (true, Some(s), _) => (s.name.as_str(), [tag(s, VM_ID_TAG), tag(s, VM_UUID_TAG)]),
            (false, _, Some(l)) => (l.name.as_str(), [l.vm_id.as_deref(), l.vm_uuid.as_deref()]),
            _ => continue,
        };
        let free = |c: &String| !counts.contains_key(c.as_str()) && !assigned.contains(c);
        let mut candidates = ids.into_iter().flatten().map(|k| format!("{name} ({k})"));
        let new_name = candidates
            .find(free)
            .or_else(|| Some(format!("{name} (row {line})")).filter(free))
            .or_else(|| (2..).map(|k| format!("{name} (row {line} #{k})")).find(free));
        if let Some(new_name) = new_name {
            assigned.insert(new_name.clone());
            renames.push(Rename { index, is_server, name: new_name });
        }
    }
    (shared, renames)
}

/// Apply `renames`, with a note on each renamed server.
fn apply_renames(vinfo: &mut VInfo, shared: &FxHashMap<String, u32>, renames: Vec<Rename>) {
    for Rename { index, is_server, name } in renames {
        if is_server {
            if let Some(s) = vinfo.servers.get_mut(index) {
                let n = shared.get(&s.name).copied().unwrap_or(2);
                s.notes.push(format!(
                    "the VM name '{}' is on {n} vInfo rows (vCenter allows one name in different folders); named '{name}' here to keep names unique",
                    s.name
                ));
                s.name = name;
            }
        } else if let Some(l) = vinfo.left.get_mut(index) {
            l.name = name;
        }
    }
}

/// Per-VM sums of one size column of vDisk or vPartition, keyed for the join with vInfo.
struct Sizes {
    what: &'static SizeSheet,
    by: JoinBy,
    with_sdk: bool,
    /// Key (per `by`) → MiB.
    by_key: FxHashMap<String, Decimal>,
    /// Name → MiB, for VMs without the key value (only when `by` is not `Name`).
    by_name: FxHashMap<String, Decimal>,
}

/// What is read from a size sheet.
struct SizeSheet {
    kind: SizeKind,
    sheet: &'static str,
    /// What the summed value is, for notes.
    value: &'static str,
    /// What vInfo gives instead, for notes.
    fallback: &'static str,
    spec: &'static [(Role, &'static [&'static str])],
}

impl Sizes {
    const DISK: &'static SizeSheet = &SizeSheet {
        kind: SizeKind::Disk,
        sheet: "vDisk",
        value: "disk capacity",
        fallback: "vInfo provisioned MiB",
        spec: VDISK,
    };
    const PARTITION: &'static SizeSheet = &SizeSheet {
        kind: SizeKind::Partition,
        sheet: "vPartition",
        value: "used disk",
        fallback: "vInfo in-use MiB",
        spec: VPARTITION,
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SizeKind {
    /// vDisk: capacity per virtual disk.
    Disk,
    /// vPartition: space used per guest file system.
    Partition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinBy {
    VmId,
    VmUuid,
    Name,
}

impl JoinBy {
    /// `VM ID` when both sheets have it, else `VM UUID`, else the name.
    fn choose(vinfo: &Columns, other: &Columns) -> Self {
        if vinfo.has(Role::VmId) && other.has(Role::VmId) {
            JoinBy::VmId
        } else if vinfo.has(Role::VmUuid) && other.has(Role::VmUuid) {
            JoinBy::VmUuid
        } else {
            JoinBy::Name
        }
    }

    fn label(self) -> &'static str {
        match self {
            JoinBy::VmId => "VM ID",
            JoinBy::VmUuid => "VM UUID",
            JoinBy::Name => "VM",
        }
    }
}

fn join_key(with_sdk: bool, sdk: Option<&str>, value: &str) -> String {
    if with_sdk {
        format!("{}\u{1f}{value}", sdk.unwrap_or_default())
    } else {
        value.to_owned()
    }
}

/// Read vDisk (capacity per disk) or vPartition (consumed per partition) into per-VM sums; `None`
/// when the sheet cannot be used (reported).
fn read_sizes(
    sheet: &Sheet<'_>,
    what: &'static SizeSheet,
    vinfo: &Columns,
    problems: &mut Vec<Problem>,
) -> Option<Sizes> {
    let mut sizes: Option<Sizes> = None;
    let mut by_key: FxHashMap<String, Decimal> = FxHashMap::default();
    let mut by_name: FxHashMap<String, Decimal> = FxHashMap::default();
    sheet.scan(
        problems,
        |header_row, header, problems| {
            let cols = Columns::resolve(header, what.spec);
            let mut missing = Vec::new();
            if !(cols.has(Role::Vm) || cols.has(Role::VmId) || cols.has(Role::VmUuid)) {
                missing.push("'VM' (or 'VM ID' or 'VM UUID') to match its rows to vInfo".to_owned());
            }
            let has_value = match what.kind {
                SizeKind::Disk => cols.has(Role::CapacityMib),
                SizeKind::Partition => {
                    cols.has(Role::ConsumedMib) || (cols.has(Role::CapacityMib) && cols.has(Role::FreeMib))
                }
            };
            if !has_value {
                missing.push(match what.kind {
                    SizeKind::Disk => "'Capacity MiB' (or 'Capacity MB')".to_owned(),
                    SizeKind::Partition => {
                        "'Consumed MiB' (or 'Capacity MiB' and 'Free MiB'; 'MB' in older versions)".to_owned()
                    }
                });
            }
            if !missing.is_empty() {
                problems.push(sheet.origin.problem(
                    header_row,
                    None,
                    format!(
                        "{} lacks {}; fix the header or remove the sheet (it is optional)",
                        what.sheet,
                        missing.join(" and ")
                    ),
                ));
                return None;
            }
            let by = JoinBy::choose(vinfo, &cols);
            let with_sdk = vinfo.has(Role::SdkServer) && cols.has(Role::SdkServer);
            sizes = Some(Sizes { what, by, with_sdk, by_key: FxHashMap::default(), by_name: FxHashMap::default() });
            Some((cols, by, with_sdk))
        },
        |(cols, by, with_sdk), line, row, problems| {
            let mut c = Cells { row, cols, origin: &sheet.origin, line, ok: true };
            let name = c.text(Role::Vm, problems);
            let id = c.text(Role::VmId, problems);
            let uuid = c.text(Role::VmUuid, problems);
            let sdk = c.text(Role::SdkServer, problems);
            let value = size_value(&mut c, what, problems);
            if !c.ok {
                return;
            }
            if name.is_none() && id.is_none() && uuid.is_none() {
                c.fail(Role::Vm, "is empty, and so are the VM ID and VM UUID; the row names no VM".into(), problems);
                return;
            }
            let Some(value) = value else { return };
            let key_value = match by {
                JoinBy::VmId => id.as_deref(),
                JoinBy::VmUuid => uuid.as_deref(),
                JoinBy::Name => name.as_deref(),
            };
            if let Some(k) = key_value {
                *by_key.entry(join_key(*with_sdk, sdk.as_deref(), k)).or_default() += value;
            }
            if *by != JoinBy::Name {
                if let Some(n) = name.as_deref() {
                    *by_name.entry(join_key(*with_sdk, sdk.as_deref(), n)).or_default() += value;
                }
            }
        },
    );
    let mut sizes = sizes?;
    sizes.by_key = by_key;
    sizes.by_name = by_name;
    Some(sizes)
}

/// The MiB a vDisk or vPartition row adds to its VM; `None` when the row gives none.
fn size_value(c: &mut Cells<'_>, what: &SizeSheet, problems: &mut Vec<Problem>) -> Option<Decimal> {
    if what.kind == SizeKind::Disk {
        return c.mib(Role::CapacityMib, "the disk capacity in MiB, such as 102400", problems);
    }
    if c.cols.has(Role::ConsumedMib) {
        return c.mib(Role::ConsumedMib, "the space used in MiB, such as 45082", problems);
    }
    // Older RVTools: no Consumed column; used = capacity − free.
    let capacity = c.mib(Role::CapacityMib, "the partition capacity in MiB, such as 101822", problems);
    let free = c.mib(Role::FreeMib, "the free space in MiB, such as 56740", problems);
    let (capacity, free) = (capacity?, free?);
    if free > capacity {
        c.fail(
            Role::FreeMib,
            format!("{free} MiB free is more than the {capacity} MiB capacity ('{}')", c.cols.label(Role::CapacityMib)),
            problems,
        );
        return None;
    }
    Some(capacity - free)
}

/// The GiB `sizes` holds for a VM, noting a match by name (or why none was made) in `notes`.
fn join(sizes: &Sizes, keys: &Keys<'_>, name: &str, name_unique: bool, notes: &mut Vec<String>) -> Option<Decimal> {
    let sdk = keys.sdk;
    let key_value = match sizes.by {
        JoinBy::VmId => keys.vm_id,
        JoinBy::VmUuid => keys.vm_uuid,
        JoinBy::Name => None,
    };
    if let Some(k) = key_value {
        return sizes.by_key.get(&join_key(sizes.with_sdk, sdk, k)).copied().map(gib);
    }
    let names = if sizes.by == JoinBy::Name { &sizes.by_key } else { &sizes.by_name };
    let found = names.get(&join_key(sizes.with_sdk, sdk, name)).copied()?;
    let why = match sizes.by {
        JoinBy::Name => format!("vInfo and {} share no 'VM ID' or 'VM UUID' column", sizes.what.sheet),
        by => format!("this VM's '{}' is empty in vInfo", by.label()),
    };
    let w = sizes.what;
    if !name_unique {
        notes.push(format!(
            "{} rows not used: {why}, and another vInfo row has the same VM name; {} from {} instead",
            w.sheet, w.value, w.fallback
        ));
        return None;
    }
    notes.push(format!("{} from {} rows matched by VM name ({why})", w.value, w.sheet));
    Some(gib(found))
}
