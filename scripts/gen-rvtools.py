#!/usr/bin/env python3
"""Write a deterministic, realistic RVTools "Export all to csv" vInfo file with N VMs.

Usage: scripts/gen-rvtools.py N OUT.csv [--seed S]

Same N and seed -> byte-identical file. Python standard library only. Used by
scripts/bench-rvtools.sh to time the RVTools reader; also handy for trying rocklift on a large
VMware estate by hand (name the file RVTools_tabvInfo.csv, or pass it directly).

The file is written the way RVTools writes its CSV export: UTF-8 with a BOM, CRLF line ends, `,`
between cells, quotes only where a cell needs them. The header is the 80-column vInfo of a real
RVTools 4.x export (tests/fixtures/rvtools/example1.xlsx), plus Annotation and VI SDK Server.
The rows look like an enterprise estate: about 84% powered on, 12% powered off, 1% suspended, 3%
templates; VMware guest OS names (CentOS, RHEL, Rocky, Oracle Linux, Ubuntu, SLES, Debian, Windows
Server, "Other 3.x or later Linux", a few Photon OS appliances); vCPUs in {1,2,4,8,16,32} with
realistic memory; dates as RVTools writes them; some multi-valued cells with commas and some
annotations over two lines (quoted); a few VM names that repeat (VMware allows that across folders).
"""

import argparse
import csv
import random
import sys

HEADER = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "Connection state", "Guest state",
    "Heartbeat", "Consolidation Needed", "PowerOn", "Suspended To Memory", "Suspend time", "Suspend Interval",
    "Creation date", "Change Version", "CPUs", "Overall Cpu Readiness", "Memory", "Active Memory", "NICs", "Disks",
    "Total disk capacity MiB", "Fixed Passthru HotPlug", "min Required EVC Mode Key", "Latency Sensitivity",
    "Op Notification Timeout", "EnableUUID", "CBT", "Primary IP Address", "Network #1", "Network #2", "Network #3",
    "Network #4", "Network #5", "Network #6", "Network #7", "Network #8", "Num Monitors", "Video Ram KiB",
    "Resource pool", "Folder ID", "Folder", "vApp", "DAS protection", "FT State", "FT Role", "FT Latency",
    "FT Bandwidth", "FT Sec. Latency", "Vm Failover In Progress", "Provisioned MiB", "In Use MiB", "Unshared MiB",
    "HA Restart Priority", "HA Isolation Response", "HA VM Monitoring", "Cluster rule(s)", "Cluster rule name(s)",
    "Boot Required", "Boot delay", "Boot retry delay", "Boot retry enabled", "Boot BIOS setup", "Reboot PowerOff",
    "EFI Secure boot", "Firmware", "HW version", "HW upgrade status", "Datacenter", "Cluster", "Host",
    "OS according to the configuration file", "OS according to the VMware Tools", "Customization Info",
    "Guest Detailed Data", "VM ID", "VM UUID", "VI SDK Server type", "VI SDK API Version", "Annotation",
    "VI SDK Server",
]

# (configuration-file OS, VMware Tools OS when running, weight)
OSES = [
    ("CentOS 7 (64-bit)", "CentOS 7 (64-bit)", 18),
    ("Red Hat Enterprise Linux 7 (64-bit)", "Red Hat Enterprise Linux 7 (64-bit)", 12),
    ("Red Hat Enterprise Linux 8 (64-bit)", "Red Hat Enterprise Linux 8 (64-bit)", 14),
    ("Red Hat Enterprise Linux 9 (64-bit)", "Red Hat Enterprise Linux 9 (64-bit)", 8),
    ("Rocky Linux (64-bit)", "Rocky Linux 9.3 (Blue Onyx)", 4),
    ("Oracle Linux 8 (64-bit)", "Oracle Linux 8 (64-bit)", 3),
    ("Ubuntu Linux (64-bit)", "Ubuntu 22.04.4 LTS", 8),
    ("SUSE Linux Enterprise 15 (64-bit)", "SUSE Linux Enterprise 15 (64-bit)", 3),
    ("Debian GNU/Linux 11 (64-bit)", "Debian GNU/Linux 11 (64-bit)", 2),
    ("Other 3.x or later Linux (64-bit)", "", 2),
    ("Microsoft Windows Server 2016 or later (64-bit)", "Microsoft Windows Server 2019 (64-bit)", 12),
    ("Microsoft Windows Server 2016 or later (64-bit)", "Microsoft Windows Server 2022 (64-bit)", 8),
    ("Microsoft Windows Server 2012 (64-bit)", "Microsoft Windows Server 2012 R2 (64-bit)", 4),
    ("VMware Photon OS (64-bit)", "VMware Photon OS (64-bit)", 1),
]
CPUS = [(1, 8), (2, 30), (4, 30), (8, 20), (16, 9), (32, 3)]
GIB_PER_CPU = [1, 2, 4, 8]
ROLES = ["web", "app", "db", "cache", "mq", "batch", "file", "dc", "mon", "ci"]
NETWORKS = ["VM Network", "VLAN10-Prod", "VLAN20-DMZ", "VLAN30-Backup", "VLAN40-Mgmt"]
ANNOTATIONS = [
    "", "", "", "",
    "Owner: platform team",
    "Owner: finance, Ticket: CHG-10234",
    "Do not power off\nContact: ops@example.com, on-call",
    "Migrated from Hyper-V, 2019",
]
EVC = ["intel-cascadelake", "intel-icelake", "intel-skylake", ""]


def weighted(rng, items):
    total = sum(w for *_, w in items)
    x = rng.uniform(0, total)
    for item in items:
        x -= item[-1]
        if x <= 0:
            return item
    return items[-1]


def stamp(rng, year_from, year_to):
    return "%04d/%02d/%02d %02d:%02d:%02d" % (
        rng.randint(year_from, year_to), rng.randint(1, 12), rng.randint(1, 28),
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def uuid(rng):
    h = "%032x" % rng.getrandbits(128)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def row(i, rng, datacenters):
    dc, clusters = datacenters[i % len(datacenters)]
    cluster = clusters[rng.randrange(len(clusters))]
    host = "esx%02d.%s.%s.corp.local" % (rng.randint(1, 24), cluster.lower(), dc.lower())
    roll = rng.random()
    template = roll < 0.03
    if template:
        power = "poweredOff"
    elif roll < 0.15:
        power = "poweredOff"
    elif roll < 0.16:
        power = "suspended"
    else:
        power = "poweredOn"
    on = power == "poweredOn"
    os_cfg, os_tools, _ = weighted(rng, OSES)
    cpus = weighted(rng, CPUS)[0]
    memory = cpus * rng.choice(GIB_PER_CPU) * 1024
    disks = rng.choice([1, 1, 1, 2, 2, 3])
    capacity = sum(rng.choice([20, 40, 60, 100, 200, 500, 1024]) * 1024 for _ in range(disks))
    provisioned = capacity + memory  # swap file and logs on the datastore
    in_use = int(capacity * rng.uniform(0.15, 0.9)) + (memory if on else 0)
    role = ROLES[i % len(ROLES)]
    # About 0.5% of names repeat an earlier one, as VMware allows across folders.
    n = i if rng.random() > 0.005 or i < 10 else rng.randrange(i)
    name = "%s-%s-%05d" % (dc.lower(), role, n)
    nets = rng.choice([1, 1, 1, 2])
    ip = "10.%d.%d.%d" % (rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    return {
        "VM": name,
        "Powerstate": power,
        "Template": "True" if template else "False",
        "SRM Placeholder": "False",
        "Config status": "green",
        "Connection state": "connected",
        "Guest state": "running" if on else "notRunning",
        "Heartbeat": "green" if on else "gray",
        "Consolidation Needed": "False",
        "PowerOn": stamp(rng, 2023, 2025) if on else "",
        "Suspended To Memory": "True" if power == "suspended" else "False",
        "Suspend time": stamp(rng, 2024, 2025) if power == "suspended" else "",
        "Suspend Interval": "0",
        "Creation date": stamp(rng, 2015, 2024),
        "Change Version": stamp(rng, 2024, 2025),
        "CPUs": str(cpus),
        "Overall Cpu Readiness": "0%" if on else "",
        "Memory": str(memory),
        "Active Memory": str(int(memory * rng.uniform(0.05, 0.6))) if on else "0",
        "NICs": str(nets),
        "Disks": str(disks),
        "Total disk capacity MiB": str(int(capacity * rng.uniform(0.9, 1.0))) if on else str(capacity),
        "Fixed Passthru HotPlug": "False",
        "min Required EVC Mode Key": rng.choice(EVC) if on else "",
        "Latency Sensitivity": "normal",
        "Op Notification Timeout": "0",
        "EnableUUID": "TRUE" if rng.random() < 0.3 else "",
        "CBT": "True" if rng.random() < 0.6 else "False",
        "Primary IP Address": ip if on else "",
        "Network #1": NETWORKS[i % len(NETWORKS)],
        "Network #2": NETWORKS[(i + 1) % len(NETWORKS)] if nets > 1 else "",
        "Num Monitors": "1",
        "Video Ram KiB": str(rng.choice([4096, 8192, 16384])),
        "Resource pool": "/%s/%s/Resources" % (dc, cluster),
        "Folder ID": "group-v%d" % rng.randint(1, 9000),
        "Folder": "/%s/vm/%s" % (dc, role),
        "FT State": "notConfigured",
        "FT Latency": "gray",
        "FT Bandwidth": "-1",
        "FT Sec. Latency": "-1",
        "Vm Failover In Progress": "False",
        "Provisioned MiB": str(provisioned),
        "In Use MiB": str(in_use),
        "Unshared MiB": str(int(in_use * 0.95)),
        "HA Restart Priority": "medium",
        "HA Isolation Response": "none",
        "HA VM Monitoring": "vmMonitoringDisabled",
        "Boot Required": "False",
        "Boot delay": "0",
        "Boot retry delay": "10000",
        "Boot retry enabled": "False",
        "Boot BIOS setup": "False",
        "Reboot PowerOff": "False",
        "EFI Secure boot": "True" if rng.random() < 0.4 else "False",
        "Firmware": rng.choice(["efi", "bios"]),
        "HW version": str(rng.choice([13, 14, 15, 17, 19, 20, 21])),
        "HW upgrade status": "none",
        "Datacenter": dc,
        "Cluster": cluster,
        "Host": host,
        "OS according to the configuration file": os_cfg,
        "OS according to the VMware Tools": os_tools if on else "",
        "Customization Info": "IDLE" if on else "",
        "Guest Detailed Data": ("bitness='64' distroName='%s'" % os_tools) if on and os_tools else "",
        "VM ID": "vm-%d" % (1000 + i),
        "VM UUID": uuid(rng),
        "VI SDK Server type": "VMware vCenter Server 8.0.3 build-24262322",
        "VI SDK API Version": "8.0.3.0",
        "Annotation": rng.choice(ANNOTATIONS),
        "VI SDK Server": "vcenter-%s.corp.local" % dc.lower(),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of VMs")
    ap.add_argument("out", help="output CSV path")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    if args.n < 1:
        sys.exit("gen-rvtools.py: N must be at least 1")
    rng = random.Random(args.seed)
    datacenters = [("DC-East", ["Prod", "Dev", "DMZ"]), ("DC-West", ["Prod", "DR"]), ("DC-Lab", ["Lab"])]
    with open(args.out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HEADER)
        for i in range(args.n):
            r = row(i, rng, datacenters)
            w.writerow([r.get(h, "") for h in HEADER])


if __name__ == "__main__":
    main()
