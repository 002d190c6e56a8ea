#!/usr/bin/env python3
"""Write the Migration Evaluator xlsx fixtures under tests/fixtures/migration_evaluator/.

The generated files are committed; tests never run this script. To regenerate:

    python3 -m venv /tmp/ox2 && /tmp/ox2/bin/pip install openpyxl
    /tmp/ox2/bin/python scripts/make-me-fixtures.py

Columns and sheet name follow the published Migration Evaluator import template (sheet "Template",
16 columns; utilizations as decimals, 0.45 = 45%). Timestamps inside the files are pinned so the
output is the same on every run.
"""

import datetime
import os
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import PatternFill

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "migration_evaluator")

COLUMNS = [
    "Server Name", "CPU Cores", "Memory (MB)", "Provisioned Storage (GB)", "Operating System",
    "Is Virtual?", "Hypervisor Name", "Cpu String", "Environment", "SQL Edition", "Application",
    "Cpu Utilization Peak (%)", "Memory Utilization Peak (%)", "Time In-Use (%)", "Annual Cost (USD)",
    "Storage Type",
]

# The same four servers as inventory.csv (None: empty cell).
SERVERS = [
    ["app01", 4, 16384, 500, "Red Hat Enterprise Linux 7.9", "Yes", "esx-01",
     "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "Production", None, "Billing, EU", 0.45, 0.62, 1.0, 3400, "SSD"],
    ["db01", 16, 65536, 2000, "Microsoft Windows Server 2019 Standard", "No", None,
     "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "Production", "SQL Server 2019 Standard", "ERP", 45, 0.9, 0.6,
     12000, "SAN"],
    ["web02", 2, 3072, None, "Ubuntu 22.04", "Yes", "esx-02", None, "Dev", None, None, None, None, None, None, None],
    ["tools03", 1, 1536, 40.5, "Rocky Linux 9.3", "Yes", "esx-02", None, "Test", None, "Tools", 0.085, 0.3, 0.25,
     None, "HDD"],
]

PERCENT_COLUMNS = {12, 13, 14}  # 1-based: the three (%) columns
GREY = PatternFill(start_color="DDDDDD", end_color="DDDDDD", fill_type="solid")
PINNED = datetime.datetime(2024, 1, 1, 0, 0, 0)


def write_row(ws, row, values):
    for col, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = ws.cell(row=row, column=col, value=value)
        if col in PERCENT_COLUMNS and isinstance(value, float):
            cell.number_format = "0%"


def style_empty_row(ws, row, width):
    """A row that only carries a fill: Excel keeps such rows in the sheet's range."""
    for col in range(1, width + 1):
        ws.cell(row=row, column=col).fill = GREY


def save(wb, name):
    wb.properties.created = PINNED
    path = os.path.join(OUT, name)
    wb.save(path)
    pin_zip_times(path)
    print("wrote", os.path.relpath(path))


def pin_zip_times(path):
    """Rewrite the zip with fixed member times (and the save time openpyxl writes into
    docProps/core.xml) so regenerating gives the same bytes."""
    with zipfile.ZipFile(path) as z:
        members = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(fixed, data)


def template():
    """The published layout: an instructions sheet, then 'Template' with the header on row 1."""
    wb = Workbook()
    info = wb.active
    info.title = "Instructions"
    info["A1"] = "Fill in the Template sheet, one server per row. Utilizations are decimals: 0.45 is 45%."
    ws = wb.create_sheet("Template")
    write_row(ws, 1, COLUMNS)
    write_row(ws, 2, SERVERS[0])
    write_row(ws, 3, SERVERS[1])
    style_empty_row(ws, 4, len(COLUMNS))  # an empty styled row between servers
    write_row(ws, 5, SERVERS[2])
    write_row(ws, 6, SERVERS[3])
    for row in range(7, 12):  # styled empty rows after the data
        style_empty_row(ws, row, len(COLUMNS))
    save(wb, "template.xlsx")


def renamed_sheet():
    """The template saved under another sheet name, a title above the header, an added date column."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Servers"
    ws["A1"] = "Acme data centre inventory"
    header = COLUMNS + ["Decommission Date"]
    write_row(ws, 3, header)
    a = ["edge01", 2, 2048, 20, "AlmaLinux 8.8", True, "esx-09", None, "Production", None, "Edge",
         0.2, 0.5, 1.0, None, "SSD", datetime.date(2026, 3, 31)]
    b = ["edge02", 2, 2048, 20, "AlmaLinux 8.8", False, None, None, "Production", None, "Edge",
         "35%", 0.5, 1.0, None, "SSD", datetime.date(2026, 6, 30)]
    write_row(ws, 4, a)
    style_empty_row(ws, 5, len(header))
    write_row(ws, 6, b)
    for row in (4, 6):
        ws.cell(row=row, column=len(header)).number_format = "yyyy-mm-dd"
    save(wb, "renamed-sheet.xlsx")


def malformed():
    """Every kind of bad cell, each on its own row of 'Template'."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Template"
    write_row(ws, 1, COLUMNS)
    # Row 2: Memory (MB) holds an Excel date (a serial number shown as a date).
    row2 = ["bad-date", 2, datetime.date(2024, 3, 1), 10, "Ubuntu 22.04", "Yes"]
    write_row(ws, 2, row2)
    ws.cell(row=2, column=3).number_format = "yyyy-mm-dd"
    # Row 3: CPU Cores holds the Excel error #N/A; the CPU peak is above 100%.
    write_row(ws, 3, ["bad-error", None, 2048, 10, "Ubuntu 22.04", "Yes"])
    ws.cell(row=3, column=2).value = "#N/A"
    ws.cell(row=3, column=2).data_type = "e"
    ws.cell(row=3, column=12).value = 150
    style_empty_row(ws, 4, len(COLUMNS))
    # Row 5: an OS rocklift does not know, and Is Virtual? that is not yes or no.
    write_row(ws, 5, ["bad-os", 2, 2048, 10, "AIX 7.2", "Maybe"])
    # Row 6: no server name.
    write_row(ws, 6, [None, 2, 2048, 10, "Ubuntu 22.04", "Yes"])
    save(wb, "malformed.xlsx")


def no_template():
    """A workbook that is not the template (an RVTools-like sheet), to be refused."""
    wb = Workbook()
    ws = wb.active
    ws.title = "vInfo"
    write_row(ws, 1, ["VM", "Powerstate", "CPUs", "Memory"])
    write_row(ws, 2, ["vm1", "poweredOn", 2, 4096])
    save(wb, "no-template.xlsx")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    template()
    renamed_sheet()
    malformed()
    no_template()
