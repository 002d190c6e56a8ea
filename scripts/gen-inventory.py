#!/usr/bin/env python3
"""Write a deterministic, realistic rocklift inventory of N servers (native CSV format).

Usage: scripts/gen-inventory.py N OUT.csv [--seed S]

Same N and seed -> byte-identical file. Python standard library only. Used by scripts/bench.sh;
also handy for trying rocklift on a large estate by hand.

The rows look like a mixed enterprise estate: mostly EL (CentOS 7, RHEL 7/8/9, Rocky 9), some
Ubuntu 22.04 and Windows Server 2016/2019/2022; vCPUs in {1,2,4,8,16,32,64} with memory in
realistic GiB-per-vCPU ratios (1..512 GiB); disk with usage; about 60% with p95 utilization;
about 8% public web servers with ports "80,443"; schedules and tags like examples/smb-office.csv.
"""

import argparse
import csv
import random
import sys

HEADER = [
    "name", "cpus", "memory_gib", "disk_gib", "disk_used_gib", "os", "cpu_util_p95",
    "mem_util_p95", "role", "public", "ports", "egress_gib_month", "schedule", "tags",
]

# (OS text as people write it, weight)
OSES = [
    ("CentOS Linux 7 (Core)", 22),
    ("Red Hat Enterprise Linux Server 7.9 (Maipo)", 12),
    ("Red Hat Enterprise Linux 8.8", 16),
    ("Red Hat Enterprise Linux 9.2 (Plow)", 8),
    ("Rocky Linux 9.3 (Blue Onyx)", 7),
    ("Ubuntu 22.04", 10),
    ("Windows Server 2016 Standard", 7),
    ("Windows Server 2019 Standard", 11),
    ("Windows Server 2022 Datacenter", 7),
]

CPUS = [(1, 6), (2, 28), (4, 30), (8, 20), (16, 10), (32, 4), (64, 2)]
# GiB of memory per vCPU: compute-heavy, general, memory-heavy.
RATIOS = [(1, 15), (2, 30), (4, 35), (8, 15), (16, 5)]

# role -> (prefix, weight, disk GiB choices, typical egress GiB/month, can be public)
ROLES = [
    ("app", "app", 25, [50, 80, 100, 200], 10, False),
    ("web", "web", 12, [40, 60, 80, 100], 120, True),
    ("db", "db", 10, [200, 500, 1000, 2000], 5, False),
    ("file", "fs", 5, [1000, 2000, 4000, 8000], 20, False),
    ("directory", "dc", 3, [60, 80, 100], 2, False),
    ("erp", "erp", 3, [300, 500, 1000], 15, False),
    ("backup", "backup", 3, [2000, 4000, 8000], 0, False),
    ("dev", "devvm", 12, [40, 60, 80, 120], 1, False),
    ("batch", "batch", 6, [100, 200, 500], 3, False),
    ("monitoring", "mon", 4, [100, 200], 4, False),
    ("cache", "cache", 4, [40, 80], 2, False),
    ("queue", "mq", 3, [80, 160], 6, False),
]

SCHEDULES = [("always", 70), ("business-hours", 22), ("nightly:22-06", 8)]
OWNERS = ["it", "finance", "marketing", "dev", "ops", "sales", "hr", "data", "support", "legal"]
ENVS = [("prod", 50), ("staging", 15), ("test", 15), ("dev", 20)]
SITES = ["dc1", "dc2", "dc3", "branch"]


def weighted(rng, pairs):
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights=weights, k=1)[0]


def row(rng, i):
    prefix_role = rng.choices(ROLES, weights=[r[2] for r in ROLES], k=1)[0]
    role, prefix, _, disks, egress_base, can_be_public = prefix_role
    os_text = weighted(rng, OSES)
    if role == "directory":
        os_text = rng.choice([o for o, _ in OSES if o.startswith("Windows")])
    cpus = weighted(rng, CPUS)
    if role in ("db", "erp", "cache"):
        ratio = rng.choice([4, 8, 8, 16])
    else:
        ratio = weighted(rng, RATIOS)
    memory = max(1, min(512, cpus * ratio))
    if cpus == 1 and rng.random() < 0.3:
        memory = rng.choice([1, 2])
    disk = rng.choice(disks)
    used = int(disk * rng.uniform(0.1, 0.9))

    has_util = rng.random() < 0.6
    cpu_u = mem_u = ""
    if has_util:
        cpu_u = str(max(1, min(100, int(rng.betavariate(2, 5) * 100))))
        mem_u = str(max(5, min(100, int(rng.betavariate(4, 3) * 100))))

    public = can_be_public and rng.random() < 0.7
    ports = "80,443" if public else ""
    if public and rng.random() < 0.1:
        ports = "80,443,8080-8090"
    egress = int(egress_base * rng.uniform(0.3, 2.0))
    schedule = "business-hours" if role == "dev" and rng.random() < 0.7 else weighted(rng, SCHEDULES)

    tags = [f"owner={rng.choice(OWNERS)}", f"env={weighted(rng, ENVS)}"]
    if rng.random() < 0.4:
        tags.append(f"site={rng.choice(SITES)}")
    if rng.random() < 0.3:
        tags.append(f"app={prefix}{rng.randint(1, 400)}")

    name = f"{prefix}{i:07d}"  # unique: the row number is part of every name
    return [
        name, cpus, memory, disk, used, os_text, cpu_u, mem_u, role,
        "yes" if public else "no", ports, egress, schedule, ";".join(tags),
    ]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of servers (rows)")
    ap.add_argument("out", help="CSV file to write ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error("N must be at least 1")
    rng = random.Random(a.seed)
    f = sys.stdout if a.out == "-" else open(a.out, "w", newline="", encoding="utf-8")
    try:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for i in range(1, a.n + 1):
            w.writerow(row(rng, i))
    finally:
        if f is not sys.stdout:
            f.close()


if __name__ == "__main__":
    main()
