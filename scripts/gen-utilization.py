#!/usr/bin/env python3
"""Write a deterministic utilization history: ROWS rows for SERVERS servers, one sample every 5 minutes.

Usage: scripts/gen-utilization.py ROWS SERVERS OUT.csv [--seed S] [--start 2024-09-01T00:00:00Z]

Same arguments -> byte-identical file. Python standard library only. Used by scripts/bench-utilization.sh;
also handy for trying `rocklift::utilization` on a large history by hand. Keep big outputs in /tmp.

Columns: timestamp, server, cpu_pct, mem_pct, disk_iops, net_out_mbps (the native utilization format).
Rows are in time order, all servers at each timestamp (as a monitoring export is), timestamps ISO 8601 in UTC.
Each server gets ROWS // SERVERS samples (the first ROWS % SERVERS servers one more). Values look like real
servers: a per-server base load with a daily cycle and noise; CPU and memory in percent with one decimal,
IOPS as whole numbers, Mbit/s with two decimals.
"""

import argparse
import datetime
import math
import random
import sys

INTERVAL_SECONDS = 300
HEADER = "timestamp,server,cpu_pct,mem_pct,disk_iops,net_out_mbps\n"
# Noise values are drawn once into a table and read at a per-server stride: deterministic and fast.
NOISE_SIZE = 65_537


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rows", type=int, help="number of data rows to write")
    p.add_argument("servers", type=int, help="number of distinct servers")
    p.add_argument("out", help="output CSV path")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--start", default="2024-09-01T00:00:00Z", help="first timestamp (UTC, ISO 8601)")
    a = p.parse_args(argv)
    if a.rows < 1 or a.servers < 1:
        p.error("ROWS and SERVERS must be at least 1")
    if a.servers > a.rows:
        p.error("SERVERS cannot exceed ROWS")
    return a


def server_profiles(n, rng):
    """Per server: name, base CPU %, CPU daily swing, base memory %, base IOPS, base Mbit/s, daily phase."""
    roles = ["app", "web", "db", "fs", "dc", "erp", "batch"]
    out = []
    for i in range(n):
        role = roles[i % len(roles)]
        out.append((
            f"{role}-{i:05d}",
            rng.uniform(2, 60),
            rng.uniform(0, 30),
            rng.uniform(20, 85),
            rng.choice([50, 200, 800, 3000, 12000]),
            rng.choice([0.5, 5, 40, 300]),
            rng.uniform(0, 2 * math.pi),
        ))
    return out


def main(argv):
    a = parse_args(argv)
    rng = random.Random(a.seed)
    profiles = server_profiles(a.servers, rng)
    noise = [rng.gauss(0, 1) for _ in range(NOISE_SIZE)]
    start = datetime.datetime.strptime(a.start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    per_server, extra = divmod(a.rows, a.servers)
    slots = per_server + (1 if extra else 0)
    samples_per_day = 86_400 // INTERVAL_SECONDS
    written = 0
    with open(a.out, "w", newline="") as f:
        f.write(HEADER)
        for slot in range(slots):
            ts = (start + datetime.timedelta(seconds=slot * INTERVAL_SECONDS)).strftime("%Y-%m-%dT%H:%M:%SZ")
            day_angle = 2 * math.pi * (slot % samples_per_day) / samples_per_day
            last = a.servers if slot < per_server else extra
            lines = []
            for s in range(last):
                name, cpu0, swing, mem0, iops0, net0, phase = profiles[s]
                k = (slot * 7919 + s * 104_729) % NOISE_SIZE
                daily = math.sin(day_angle + phase)
                cpu = min(100.0, max(0.0, cpu0 + swing * daily + 4 * noise[k]))
                mem = min(100.0, max(0.0, mem0 + 2 * noise[(k + 1) % NOISE_SIZE]))
                iops = max(0, int(iops0 * (1 + 0.4 * daily + 0.2 * noise[(k + 2) % NOISE_SIZE])))
                net = max(0.0, net0 * (1 + 0.5 * daily + 0.3 * noise[(k + 3) % NOISE_SIZE]))
                lines.append(f"{ts},{name},{cpu:.1f},{mem:.1f},{iops},{net:.2f}\n")
            f.write("".join(lines))
            written += len(lines)
    assert written == a.rows, (written, a.rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
