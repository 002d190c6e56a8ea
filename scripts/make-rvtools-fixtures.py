#!/usr/bin/env python3
"""Write the RVTools test fixtures under tests/fixtures/rvtools/ (tests read the committed files;
they never run this script).

Usage: scripts/make-rvtools-fixtures.py [OUT_DIR]      (default: tests/fixtures/rvtools)

Needs openpyxl for the .xlsx files, e.g. in a throwaway venv:
    python3 -m venv /tmp/ox && /tmp/ox/bin/pip install openpyxl
    /tmp/ox/bin/python scripts/make-rvtools-fixtures.py

The column lists follow real RVTools exports:
- RVTools 4.x (awkward.xlsx, csv-export/): the headers of tests/fixtures/rvtools/example1.xlsx (a real
  4.x export, from kubev2v/migration-planner) in their order, a subset of its ~80 vInfo columns.
- RVTools 3.x (old-3x.xlsx): the vInfo list of the vSphere 5.5 era, "VM,DNS Name,Powerstate,Connection
  state,...,Provisioned MB,In Use MB,Unshared MB,...,Path,Annotation,<custom attributes>,Datacenter,
  Cluster,Host,OS,VM Version,UUID,Object ID" (quoted in a public Perl script that reads
  RVTools_tabvInfo.csv): MB not MiB, no Template column, one OS column; vPartition without
  "Consumed MB" (public RVTools import scripts compute it as Capacity MB - Free MB for old versions).

Every value the tests pin is written here; the expected figures are derived by hand in tests/rvtools.rs.
"""

import csv
import datetime as dt
import io
import os
import sys
import zipfile

from openpyxl import Workbook
from openpyxl.styles import PatternFill

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "rvtools")
FILL = PatternFill("solid", fgColor="FFFFCC")
FIXED_TIME = dt.datetime(2024, 6, 28, 4, 55, 40)
ZIP_TIME = (2024, 6, 28, 4, 55, 40)


def workbook():
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "RVTools"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def sheet(wb, name, header, rows, styled_empty_rows=(), trailing_styled=0):
    """rows: list of dicts (header -> value); None rows become styled empty rows at that position."""
    ws = wb.create_sheet(name)
    ws.append(header)
    r = 2
    for row in rows:
        if row is None:
            style_empty_row(ws, r, len(header))
        else:
            for c, h in enumerate(header, start=1):
                v = row.get(h)
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy/mm/dd hh:mm:ss"
                elif isinstance(v, str) and h in NUMERIC_AS_TEXT:
                    cell.number_format = "@"
        r += 1
    for _ in range(trailing_styled):
        style_empty_row(ws, r, len(header))
        r += 1
    return ws


def style_empty_row(ws, r, ncols):
    """A row that exists in the sheet XML (height, styled cells) but holds no value."""
    ws.row_dimensions[r].height = 15
    for c in range(1, ncols + 1):
        ws.cell(row=r, column=c).fill = FILL


NUMERIC_AS_TEXT = {"CPUs", "Memory", "Provisioned MiB", "In Use MiB", "Capacity MiB", "Consumed MiB"}


def save(wb, name):
    path = os.path.join(OUT, name)
    wb.save(path)
    return path


# --- RVTools 4.x with the awkward parts ----------------------------------------------------------------

VINFO_4X = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "Connection state",
    "Guest state", "Heartbeat", "Consolidation Needed", "PowerOn", "Suspended To Memory", "Suspend time",
    "Creation date", "Change Version", "CPUs", "Overall Cpu Readiness", "Memory", "Active Memory", "NICs",
    "Disks", "Total disk capacity MiB", "Primary IP Address", "Network #1", "Network #2", "Resource pool",
    "Folder", "vApp", "Provisioned MiB", "In Use MiB", "Unshared MiB", "Annotation", "owner", "Datacenter",
    "Cluster", "Host", "OS according to the configuration file", "OS according to the VMware Tools", "VM ID",
    "VM UUID", "VI SDK Server", "VI SDK UUID",
]
VC = "vcenter01.corp.local"
VC_UUID = "7f9f2c1e-0b6a-4c57-9d2e-2f0a7e1d5c10"


def vm(name, power, template, cpus, memory, prov, in_use, os_cfg, os_tools, vm_id, uuid, host="esx01.corp.local",
       cluster="Prod", folder="/Datacenter/vm/Prod", **extra):
    row = {
        "VM": name, "Powerstate": power, "Template": template, "SRM Placeholder": False, "Config status": "green",
        "Connection state": "connected", "Guest state": "running" if power == "poweredOn" else "notRunning",
        "Heartbeat": "green", "Consolidation Needed": False, "Suspended To Memory": False,
        "Creation date": dt.datetime(2023, 3, 14, 9, 26, 53), "Change Version": dt.datetime(2024, 6, 1, 12, 0, 0),
        "CPUs": cpus, "Overall Cpu Readiness": "0%", "Memory": memory, "NICs": 1, "Network #1": "VM Network",
        "Resource pool": "/DC-East/Prod/Resources", "Folder": folder, "Provisioned MiB": prov, "In Use MiB": in_use,
        "Datacenter": "DC-East", "Cluster": cluster, "Host": host,
        "OS according to the configuration file": os_cfg, "OS according to the VMware Tools": os_tools,
        "VM ID": vm_id, "VM UUID": uuid, "VI SDK Server": VC, "VI SDK UUID": VC_UUID,
    }
    if power == "poweredOn":
        row["PowerOn"] = dt.datetime(2024, 5, 15, 11, 40, 24)
    row.update(extra)
    return row


def awkward_xlsx():
    wb = workbook()
    vinfo = [
        # row 2: real numbers, a real boolean, real dates
        vm("web-01", "poweredOn", False, 4, 8192, 107520, 61440, "CentOS 7 (64-bit)", "CentOS 7 (64-bit)",
           "vm-101", "4201a1b2-0001-4c5d-8e9f-000000000101", **{"Primary IP Address": "10.0.15.53"}),
        None,  # row 3: empty styled row between VMs
        # row 4: numbers stored as text (one with thousands grouping), boolean as text
        vm("db-01", "poweredOn", "FALSE", "8", "32,768", "524288", "300000",
           "Red Hat Enterprise Linux 7 (64-bit)", "Red Hat Enterprise Linux 8 (64-bit)",
           "vm-102", "4201a1b2-0002-4c5d-8e9f-000000000102", owner="dba-team"),
        # row 5: a template
        vm("tmpl-rhel9", "poweredOff", True, 2, 4096, 40960, 8192, "Red Hat Enterprise Linux 9 (64-bit)", None,
           "vm-103", "4201a1b2-0003-4c5d-8e9f-000000000103", folder="/Datacenter/vm/Templates"),
        # rows 6 and 7: the same name in two folders
        vm("app-01", "poweredOn", False, 2, 6144, 83968, 40000, "Microsoft Windows Server 2019 (64-bit)",
           "Microsoft Windows Server 2019 (64-bit)", "vm-104", "4201a1b2-0004-4c5d-8e9f-000000000104",
           folder="/Datacenter/vm/Finance"),
        vm("app-01", "poweredOn", False, 2, 4096, 53248, 20000, "Ubuntu Linux (64-bit)", "Ubuntu Linux (64-bit)",
           "vm-205", "4201a1b2-0005-4c5d-8e9f-000000000205", folder="/Datacenter/vm/HR"),
        # row 8: powered off
        vm("old-app", "poweredOff", False, 1, 2048, 30720, 10240, "Red Hat Enterprise Linux 6 (64-bit)", None,
           "vm-106", "4201a1b2-0006-4c5d-8e9f-000000000106"),
        # row 9: an appliance whose OS rocklift cannot plan
        vm("photon-appliance", "poweredOn", False, 2, 8192, 20480, 5120, "VMware Photon OS (64-bit)",
           "VMware Photon OS (64-bit)", "vm-108", "4201a1b2-0008-4c5d-8e9f-000000000108"),
        # row 10: suspended, generic Linux, no VMware Tools OS, no vDisk/vPartition rows
        vm("lab-01", "suspended", False, 2, 3072, 20480, 15360, "Other 3.x or later Linux (64-bit)", None,
           "vm-107", "4201a1b2-0007-4c5d-8e9f-000000000107", **{"Suspended To Memory": True,
                                                                  "Suspend time": dt.datetime(2024, 6, 2, 18, 0, 0)}),
    ]
    sheet(wb, "vInfo", VINFO_4X, vinfo, trailing_styled=200)

    vdisk_header = ["VM", "Powerstate", "Template", "SRM Placeholder", "Disk", "Disk Key", "Disk Path", "Capacity MiB",
                    "Raw", "Disk Mode", "Thin", "Controller", "Datacenter", "Cluster", "Host",
                    "OS according to the configuration file", "VM ID", "VM UUID", "VI SDK Server"]

    def disk(name, n, mib, vm_id):
        return {"VM": name, "Powerstate": "poweredOn", "Template": False, "Disk": f"Hard disk {n}",
                "Disk Key": str(1999 + n), "Disk Path": f"[ds01] {name}/{name}_{n}.vmdk", "Capacity MiB": mib,
                "Raw": False, "Disk Mode": "persistent", "Thin": True, "Controller": "VMware paravirtual SCSI",
                "Datacenter": "DC-East", "Cluster": "Prod", "Host": "esx01.corp.local", "VM ID": vm_id,
                "VI SDK Server": VC}

    vdisk = [
        disk("web-01", 1, 40960, "vm-101"),
        disk("web-01", 2, "61440", "vm-101"),  # a number stored as text
        None,  # empty styled row
        disk("db-01", 1, 102400, "vm-102"),
        disk("db-01", 2, 409600, "vm-102"),
        disk("tmpl-rhel9", 1, 40960, "vm-103"),
        disk("app-01", 1, 81920, "vm-104"),
        disk("app-01", 1, 51200, "vm-205"),
    ]
    sheet(wb, "vDisk", vdisk_header, vdisk, trailing_styled=50)

    # vPartition with VM UUID only (no VM ID column): joined on VM UUID.
    vpart_header = ["VM", "Powerstate", "Template", "SRM Placeholder", "Disk Key", "Disk", "Capacity MiB",
                    "Consumed MiB", "Free MiB", "Free %", "Datacenter", "Cluster", "Host", "VM UUID"]

    def part(name, mount, cap, used, uuid):
        cap_n = int(str(cap).replace(",", ""))
        used_n = int(str(used).replace(",", ""))
        return {"VM": name, "Powerstate": "poweredOn", "Template": False, "Disk Key": "2000", "Disk": mount,
                "Capacity MiB": cap, "Consumed MiB": used, "Free MiB": cap_n - used_n,
                "Free %": round(100 * (cap_n - used_n) / cap_n), "Datacenter": "DC-East", "Cluster": "Prod",
                "Host": "esx01.corp.local", "VM UUID": uuid}

    vpart = [
        part("web-01", "/", 40000, 12000, "4201a1b2-0001-4c5d-8e9f-000000000101"),
        part("web-01", "/data", 60000, 30000, "4201a1b2-0001-4c5d-8e9f-000000000101"),
        part("db-01", "/", 100000, 20480, "4201a1b2-0002-4c5d-8e9f-000000000102"),
        part("db-01", "/var/lib/pgsql", 400000, "204,800", "4201a1b2-0002-4c5d-8e9f-000000000102"),
        part("app-01", "C:\\", 81000, 40960, "4201a1b2-0004-4c5d-8e9f-000000000104"),
        part("app-01", "/", 50000, 10240, "4201a1b2-0005-4c5d-8e9f-000000000205"),
    ]
    sheet(wb, "vPartition", vpart_header, vpart, trailing_styled=20)
    # No vHost sheet: optional sheets may be missing. An extra sheet rocklift ignores:
    sheet(wb, "vMetaData", ["RVTools major version", "RVTools version", "xlsx creation datetime", "Server"],
          [{"RVTools major version": 4, "RVTools version": "4.6.1.0",
            "xlsx creation datetime": FIXED_TIME, "Server": VC}])
    save(wb, "awkward.xlsx")


# --- RVTools 3.x: MB headers, fewer columns --------------------------------------------------------------

VINFO_3X = [
    "VM", "DNS Name", "Powerstate", "Connection state", "Guest state", "Heartbeat", "Consolidation Needed",
    "PowerOn", "Suspend time", "CPUs", "Memory", "NICs", "Disks", "Network #1", "Network #2", "Network #3",
    "Network #4", "Resource pool", "Folder", "vApp", "DAS protection", "FT State", "FT Latency", "FT Bandwidth",
    "FT Sec. Latency", "Boot Required", "Provisioned MB", "In Use MB", "Unshared MB", "HA Restart Priority",
    "HA Isolation Response", "Cluster rule(s)", "Cluster rule name(s)", "Path", "Annotation", "Environment",
    "Datacenter", "Cluster", "Host", "OS", "VM Version", "UUID", "Object ID",
]


def old_vm(name, power, cpus, memory, prov, in_use, os_name, uuid, object_id, host="esx01.legacy.local"):
    return {
        "VM": name, "DNS Name": f"{name.lower()}.legacy.local", "Powerstate": power, "Connection state": "connected",
        "Guest state": "running" if power == "poweredOn" else "notRunning", "Heartbeat": "green",
        "Consolidation Needed": "False", "CPUs": cpus, "Memory": memory, "NICs": 1, "Disks": 1,
        "Network #1": "VLAN20", "Resource pool": "Resources", "Folder": "Servers", "FT State": "notConfigured",
        "FT Bandwidth": -1, "FT Sec. Latency": -1, "Boot Required": "False", "Provisioned MB": prov,
        "In Use MB": in_use, "Unshared MB": in_use, "HA Restart Priority": "medium",
        "HA Isolation Response": "none", "Path": f"[SAN01] {name}/{name}.vmx", "Environment": "prod",
        "Datacenter": "Legacy-DC", "Cluster": "Legacy", "Host": host, "OS": os_name, "VM Version": "vmx-08",
        "UUID": uuid, "Object ID": object_id,
        "PowerOn": dt.datetime(2015, 2, 3, 4, 5, 6) if power == "poweredOn" else None,
    }


def old_xlsx():
    wb = workbook()
    vinfo = [
        old_vm("FILESRV01", "poweredOn", 2, 4096, 204800, 150000, "Microsoft Windows Server 2008 R2 (64-bit)",
               "42300000-0000-0000-0000-000000000021", "vm-21"),
        old_vm("LNXAPP01", "poweredOn", 4, 16384, 102400, 51200, "Red Hat Enterprise Linux 6 (64-bit)",
               "42300000-0000-0000-0000-000000000022", "vm-22"),
        old_vm("LNXAPP02", "poweredOff", 1, 1024, 20480, 4096, "CentOS 4/5/6 (64-bit)",
               "42300000-0000-0000-0000-000000000023", "vm-23"),
        old_vm("SLES01", "poweredOn", 2, 8192, 61440, 20480, "SUSE Linux Enterprise 11 (64-bit)",
               "42300000-0000-0000-0000-000000000024", "vm-24", host="esx02.legacy.local"),
    ]
    sheet(wb, "vInfo", VINFO_3X, vinfo)
    # vDisk: VM UUID as "UUID", no Object ID: joined on the UUID.
    vdisk_header = ["VM", "Powerstate", "Disk", "Capacity MB", "Raw", "Disk Mode", "Thin", "Controller", "Unit #",
                    "Path", "Annotation", "Datacenter", "Cluster", "Host", "OS", "UUID"]
    vdisk = [
        {"VM": "FILESRV01", "Powerstate": "poweredOn", "Disk": "Hard disk 1", "Capacity MB": 40960,
         "UUID": "42300000-0000-0000-0000-000000000021"},
        {"VM": "FILESRV01", "Powerstate": "poweredOn", "Disk": "Hard disk 2", "Capacity MB": 153600,
         "UUID": "42300000-0000-0000-0000-000000000021"},
        {"VM": "LNXAPP01", "Powerstate": "poweredOn", "Disk": "Hard disk 1", "Capacity MB": 102400,
         "UUID": "42300000-0000-0000-0000-000000000022"},
        {"VM": "LNXAPP02", "Powerstate": "poweredOff", "Disk": "Hard disk 1", "Capacity MB": 20480,
         "UUID": "42300000-0000-0000-0000-000000000023"},
    ]
    sheet(wb, "vDisk", vdisk_header, vdisk)
    # vPartition: no Consumed MB, no VM ID / UUID: joined by name, used = Capacity MB - Free MB.
    vpart_header = ["VM", "Powerstate", "Disk", "Capacity MB", "Free MB", "Free %", "Datacenter", "Cluster", "Host",
                    "OS"]
    vpart = [
        {"VM": "FILESRV01", "Powerstate": "poweredOn", "Disk": "C:\\", "Capacity MB": 40857, "Free MB": 10000},
        {"VM": "FILESRV01", "Powerstate": "poweredOn", "Disk": "D:\\", "Capacity MB": 153597, "Free MB": 53597},
        {"VM": "LNXAPP01", "Powerstate": "poweredOn", "Disk": "/", "Capacity MB": 102000, "Free MB": 51000},
    ]
    sheet(wb, "vPartition", vpart_header, vpart)
    vhost_header = ["Host", "Datacenter", "Cluster", "Config status", "CPU Model", "Speed", "HT Available",
                    "HT Active", "# CPU", "Cores per CPU", "# Cores", "CPU usage %", "# Memory", "Memory usage %",
                    "Console", "# NICs", "# HBAs", "# VMs", "VMs per Core", "# vCPUs", "vCPUs per Core", "vRAM",
                    "ESX Version", "Vendor", "Model"]
    vhost = [
        {"Host": "esx01.legacy.local", "Datacenter": "Legacy-DC", "Cluster": "Legacy",
         "CPU Model": "Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz", "Speed": 2800, "HT Available": "True",
         "HT Active": "True", "# CPU": 2, "Cores per CPU": 10, "# Cores": 20, "# Memory": 131039,
         "ESX Version": "VMware ESXi 5.5.0 build-3248547", "Vendor": "HP", "Model": "ProLiant DL380p Gen8"},
        {"Host": "esx02.legacy.local", "Datacenter": "Legacy-DC", "Cluster": "Legacy",
         "CPU Model": "Intel(R) Xeon(R) CPU E5-2680 v2 @ 2.80GHz", "Speed": 2800, "HT Available": "True",
         "HT Active": "False", "# CPU": 2, "Cores per CPU": 10, "# Memory": 65503,
         "ESX Version": "VMware ESXi 5.5.0 build-3248547", "Vendor": "HP", "Model": "ProLiant DL380p Gen8"},
    ]
    sheet(wb, "vHost", vhost_header, vhost)
    save(wb, "old-3x.xlsx")


# --- "Export all to csv": a folder and a zip ---------------------------------------------------------------

CSV_VINFO = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "Connection state",
    "Guest state", "Heartbeat", "PowerOn", "Creation date", "CPUs", "Memory", "NICs", "Disks",
    "Primary IP Address", "Network #1", "Provisioned MiB", "In Use MiB", "Annotation", "Datacenter", "Cluster",
    "Host", "OS according to the configuration file", "OS according to the VMware Tools", "VM ID", "VM UUID",
    "VI SDK Server", "VI SDK UUID",
]


def csv_bytes(header, rows):
    """RVTools CSV: UTF-8 with BOM, CRLF, comma, quotes only where needed; a trailing blank line."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    buf.write("\r\n")
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def csv_export_files():
    vinfo = [
        {"VM": "web, frontend", "Powerstate": "poweredOn", "Template": "False", "SRM Placeholder": "False",
         "Config status": "green", "DNS Name": "web.corp.local", "Connection state": "connected",
         "Guest state": "running", "Heartbeat": "green", "PowerOn": "2024/05/15 11:40:24",
         "Creation date": "2023/03/14 09:26:53", "CPUs": "2", "Memory": "4096", "NICs": "2", "Disks": "1",
         "Primary IP Address": "10.0.15.53", "Network #1": "VM Network", "Provisioned MiB": "65536",
         "In Use MiB": "30000",
         "Annotation": "Owner: web team\nTickets: CHG-1234, CHG-1240",  # a quoted cell over two lines
         "Datacenter": "DC-West", "Cluster": "Web", "Host": "esx11.corp.local",
         "OS according to the configuration file": "Ubuntu Linux (64-bit)",
         "OS according to the VMware Tools": "Ubuntu 22.04.4 LTS", "VM ID": "vm-301",
         "VM UUID": "50123456-0301-0000-0000-000000000301", "VI SDK Server": "vcenter02.corp.local",
         "VI SDK UUID": "1c2d3e4f-0000-0000-0000-000000000002"},
        {"VM": "mail01", "Powerstate": "poweredOn", "Template": "False", "SRM Placeholder": "False",
         "Config status": "green", "DNS Name": "mail01.corp.local", "Connection state": "connected",
         "Guest state": "running", "Heartbeat": "green", "PowerOn": "2024/05/15 11:40:24",
         "Creation date": "2021/01/04 08:00:00", "CPUs": "4", "Memory": "16,384", "NICs": "1", "Disks": "2",
         "Primary IP Address": "10.0.15.60", "Network #1": "VM Network", "Provisioned MiB": "147456",
         "In Use MiB": "120000", "Annotation": "",
         "Datacenter": "DC-West", "Cluster": "Web", "Host": "esx12.corp.local",
         "OS according to the configuration file": "Microsoft Windows Server 2016 or later (64-bit)",
         "OS according to the VMware Tools": "Microsoft Windows Server 2016 (64-bit)", "VM ID": "vm-302",
         "VM UUID": "50123456-0302-0000-0000-000000000302", "VI SDK Server": "vcenter02.corp.local",
         "VI SDK UUID": "1c2d3e4f-0000-0000-0000-000000000002"},
        {"VM": "dev01", "Powerstate": "poweredOff", "Template": "False", "SRM Placeholder": "False",
         "Config status": "green", "Connection state": "connected", "Guest state": "notRunning",
         "Heartbeat": "gray", "Creation date": "2022/07/01 10:00:00", "CPUs": "1", "Memory": "2048", "NICs": "1",
         "Disks": "1", "Network #1": "VM Network", "Provisioned MiB": "20480", "In Use MiB": "8000",
         "Datacenter": "DC-West", "Cluster": "Web", "Host": "esx12.corp.local",
         "OS according to the configuration file": "Rocky Linux (64-bit)", "VM ID": "vm-303",
         "VM UUID": "50123456-0303-0000-0000-000000000303", "VI SDK Server": "vcenter02.corp.local",
         "VI SDK UUID": "1c2d3e4f-0000-0000-0000-000000000002"},
    ]
    vdisk_header = ["VM", "Powerstate", "Template", "Disk", "Capacity MiB", "Disk Mode", "Thin", "Datacenter",
                    "Cluster", "Host", "VM ID", "VM UUID", "VI SDK Server"]
    vdisk = [
        {"VM": "web, frontend", "Powerstate": "poweredOn", "Template": "False", "Disk": "Hard disk 1",
         "Capacity MiB": "61440", "Disk Mode": "persistent", "Thin": "True", "VM ID": "vm-301",
         "VM UUID": "50123456-0301-0000-0000-000000000301", "VI SDK Server": "vcenter02.corp.local"},
        {"VM": "mail01", "Powerstate": "poweredOn", "Template": "False", "Disk": "Hard disk 1",
         "Capacity MiB": "40960", "Disk Mode": "persistent", "Thin": "False", "VM ID": "vm-302",
         "VM UUID": "50123456-0302-0000-0000-000000000302", "VI SDK Server": "vcenter02.corp.local"},
        {"VM": "mail01", "Powerstate": "poweredOn", "Template": "False", "Disk": "Hard disk 2",
         "Capacity MiB": "102,400", "Disk Mode": "persistent", "Thin": "False", "VM ID": "vm-302",
         "VM UUID": "50123456-0302-0000-0000-000000000302", "VI SDK Server": "vcenter02.corp.local"},
        {"VM": "dev01", "Powerstate": "poweredOff", "Template": "False", "Disk": "Hard disk 1",
         "Capacity MiB": "20480", "Disk Mode": "persistent", "Thin": "True", "VM ID": "vm-303",
         "VM UUID": "50123456-0303-0000-0000-000000000303", "VI SDK Server": "vcenter02.corp.local"},
    ]
    vpart_header = ["VM", "Powerstate", "Template", "Disk", "Capacity MiB", "Consumed MiB", "Free MiB", "Free %",
                    "Datacenter", "Cluster", "Host", "VM ID", "VM UUID", "VI SDK Server"]
    vpart = [
        {"VM": "web, frontend", "Powerstate": "poweredOn", "Template": "False", "Disk": "/",
         "Capacity MiB": "61000", "Consumed MiB": "25600", "Free MiB": "35400", "Free %": "58", "VM ID": "vm-301",
         "VM UUID": "50123456-0301-0000-0000-000000000301", "VI SDK Server": "vcenter02.corp.local"},
        {"VM": "mail01", "Powerstate": "poweredOn", "Template": "False", "Disk": "C:\\",
         "Capacity MiB": "40857", "Consumed MiB": "30720", "Free MiB": "10137", "Free %": "24", "VM ID": "vm-302",
         "VM UUID": "50123456-0302-0000-0000-000000000302", "VI SDK Server": "vcenter02.corp.local"},
        {"VM": "mail01", "Powerstate": "poweredOn", "Template": "False", "Disk": "E:\\",
         "Capacity MiB": "102,397", "Consumed MiB": "71,680", "Free MiB": "30,717", "Free %": "30",
         "VM ID": "vm-302", "VM UUID": "50123456-0302-0000-0000-000000000302",
         "VI SDK Server": "vcenter02.corp.local"},
    ]
    vhost_header = ["Host", "Datacenter", "Cluster", "Config status", "CPU Model", "Speed", "HT Available",
                    "HT Active", "# CPU", "Cores per CPU", "# Cores", "CPU usage %", "# Memory", "Memory usage %",
                    "DNS Servers", "Vendor", "Model", "VI SDK Server"]
    vhost = [
        {"Host": "esx11.corp.local", "Datacenter": "DC-West", "Cluster": "Web", "Config status": "green",
         "CPU Model": "AMD EPYC 7313 16-Core Processor", "Speed": "3000", "HT Available": "True",
         "HT Active": "True", "# CPU": "1", "Cores per CPU": "16", "# Cores": "16", "CPU usage %": "12",
         "# Memory": "262,044", "Memory usage %": "40", "DNS Servers": "10.0.0.2, 10.0.0.3", "Vendor": "Dell Inc.",
         "Model": "PowerEdge R6515", "VI SDK Server": "vcenter02.corp.local"},
        {"Host": "esx12.corp.local", "Datacenter": "DC-West", "Cluster": "Web", "Config status": "green",
         "CPU Model": "AMD EPYC 7313 16-Core Processor", "Speed": "3000", "HT Available": "True",
         "HT Active": "False", "# CPU": "1", "Cores per CPU": "16", "# Cores": "16", "CPU usage %": "30",
         "# Memory": "262,044", "Memory usage %": "55", "DNS Servers": "10.0.0.2, 10.0.0.3", "Vendor": "Dell Inc.",
         "Model": "PowerEdge R6515", "VI SDK Server": "vcenter02.corp.local"},
    ]
    vcpu_header = ["VM", "Powerstate", "Template", "CPUs", "Sockets", "Cores p/s", "Max", "Overall", "VM ID"]
    vcpu = [{"VM": "mail01", "Powerstate": "poweredOn", "Template": "False", "CPUs": "4", "Sockets": "2",
             "Cores p/s": "2", "VM ID": "vm-302"}]
    return {
        "RVTools_tabvInfo.csv": csv_bytes(CSV_VINFO, vinfo),
        "RVTools_tabvDisk.csv": csv_bytes(vdisk_header, vdisk),
        "RVTools_tabvPartition.csv": csv_bytes(vpart_header, vpart),
        "RVTools_tabvHost.csv": csv_bytes(vhost_header, vhost),
        "RVTools_tabvCPU.csv": csv_bytes(vcpu_header, vcpu),
    }


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)


def csv_export():
    files = csv_export_files()
    folder = os.path.join(OUT, "csv-export")
    os.makedirs(folder, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
    prefix = "RVTools_export_all_2024-06-28_04.55.40/"
    write_zip(os.path.join(OUT, "csv-export.zip"), {prefix + n: d for n, d in files.items()})


# --- malformed ---------------------------------------------------------------------------------------------------

def malformed():
    wb = workbook()
    header = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB",
              "OS according to the configuration file", "VM ID"]
    rows = [
        {"VM": "ok-01", "Powerstate": "poweredOn", "Template": False, "CPUs": 2, "Memory": 4096,
         "OS according to the configuration file": "CentOS 7 (64-bit)", "VM ID": "vm-1"},
        {"VM": "bad-cpus", "Powerstate": "poweredOn", "Template": False, "CPUs": "four", "Memory": 4096,
         "OS according to the configuration file": "CentOS 7 (64-bit)", "VM ID": "vm-2"},
        {"VM": "bad-memory", "Powerstate": "poweredOn", "Template": "maybe", "CPUs": 2, "Memory": "lots",
         "OS according to the configuration file": "CentOS 7 (64-bit)", "VM ID": "vm-3"},
        {"Powerstate": "poweredOn", "Template": False, "CPUs": 2, "Memory": 2048, "VM ID": "vm-4"},
        {"VM": "bad-power", "Powerstate": "sleeping", "Template": False, "CPUs": 2, "Memory": 2048,
         "Provisioned MiB": -5, "VM ID": "vm-5"},
    ]
    sheet(wb, "vInfo", header, rows, trailing_styled=10)
    sheet(wb, "vDisk", ["VM", "Disk", "Capacity MiB", "VM ID"],
          [{"VM": "ok-01", "Disk": "Hard disk 1", "Capacity MiB": "n/a", "VM ID": "vm-1"}])
    save(wb, "bad-values.xlsx")

    wb = workbook()
    sheet(wb, "vInfo", ["Name", "Powerstate", "Template", "CPUs", "Memory"],
          [{"Name": "a", "Powerstate": "poweredOn", "Template": False, "CPUs": 1, "Memory": 1024}])
    save(wb, "no-vm-column.xlsx")

    wb = workbook()
    sheet(wb, "Sheet1", ["name", "cpus"], [{"name": "a", "cpus": 1}])
    save(wb, "not-rvtools.xlsx")

    with open(os.path.join(OUT, "awkward.xlsx"), "rb") as f:
        whole = f.read()
    with open(os.path.join(OUT, "truncated.xlsx"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    # A zip whose directory is intact but whose vInfo member has a damaged deflate stream.
    zpath = os.path.join(OUT, "csv-export.zip")
    damaged = bytearray(open(zpath, "rb").read())
    with zipfile.ZipFile(zpath) as z:
        info = next(i for i in z.infolist() if i.filename.endswith("RVTools_tabvInfo.csv"))
    data_at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged[data_at + 200] ^= 0x55
    with open(os.path.join(OUT, "damaged-member.zip"), "wb") as f:
        f.write(damaged)

    files = csv_export_files()
    write_zip(os.path.join(OUT, "no-vinfo.zip"),
              {n: d for n, d in files.items() if n in ("RVTools_tabvDisk.csv", "RVTools_tabvHost.csv")})


def main():
    os.makedirs(OUT, exist_ok=True)
    awkward_xlsx()
    old_xlsx()
    csv_export()
    malformed()
    print(f"fixtures written to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
