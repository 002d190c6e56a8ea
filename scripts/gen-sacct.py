#!/usr/bin/env python3
"""Write a deterministic, realistic synthetic Slurm job history of N jobs as
`sacct --parsable2 --noheader` text in the 26-field order rocklift reads without a header:

  State|JobID|ReqCPUS|ReqMem|ReqNodes|Constraints|Submit|Eligible|Start|Elapsed|Suspended|End|
  ExitCode|DerivedExitCode|AllocNodes|NCPUS|MaxDiskRead|MaxDiskWrite|MaxPages|MaxRSS|MaxVMSize|
  CPUTime|UserCPU|SystemCPU|TotalCPU|Partition

Usage: scripts/gen-sacct.py N OUT.txt [--seed S] [--steps batch|none|all] [--cluster-toml OUT.toml]

Same N, seed and options -> byte-identical file. Python standard library only.

The history fits the cluster that --cluster-toml writes (and tests/fixtures/hpc/bench-cluster.toml
holds): partitions batch (200 nodes x 64 cores, 256 GiB), bigmem (16 x 64 cores, 2 TiB) and gpu
(16 x 32 cores, 512 GiB, 4 A100). About 2,700 jobs a day arrive (so 1M jobs span about a year),
more on weekday working hours, and during a busy period (60% to 66% of the span) 2.2 times as many,
which queues the batch partition. Sizes: 1 to 64 cores on one node, some 2-32 node MPI jobs;
runtimes log-normal (median ~25 min, capped at 2 days). Recorded Start times come from a simple
per-partition FCFS model on pooled cores (no backfill), so the history is self-consistent but not
what rocklift's replay computes. Mixed in as real dumps have them: array tasks (`1234_5`), a
`.batch` step per started job (`--steps`), ReqMem as `4G` (job total), `4000Mc` (per CPU) and
`64Gn` (per node), states COMPLETED/FAILED/TIMEOUT/OUT_OF_MEMORY/NODE_FAIL/`CANCELLED by UID`,
jobs cancelled while pending (Start = None, or Start = End with AllocNodes 0) and a few PENDING at
the end (Start = Unknown).
"""

import argparse
import heapq
import math
import random
import sys

EPOCH_DAY = 19723  # 2024-01-01 as days since 1970-01-01
PARTITIONS = {
    # name: (nodes, cores per node, memory MiB per node)
    "batch": (200, 64, 256 * 1024),
    "bigmem": (16, 64, 2048 * 1024),
    "gpu": (16, 32, 512 * 1024),
}
CLUSTER_TOML = """[cluster]
name = "synthetic"
default_partition = "batch"

[[cluster.partitions]]
name = "batch"
nodes = 200
cores = 64
memory_gib = 256

[[cluster.partitions]]
name = "bigmem"
nodes = 16
cores = 64
memory_gib = 2048

[[cluster.partitions]]
name = "gpu"
nodes = 16
cores = 32
memory_gib = 512
gpus = 4
gpu_model = "a100"
"""

JOBS_PER_DAY = 2700.0


def civil_from_days(z):
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (yoe + era * 400 + (1 if m <= 2 else 0), m, d)


_DATES = {}


def ts(t):
    day, s = divmod(t, 86400)
    d = _DATES.get(day)
    if d is None:
        y, m, dd = civil_from_days(EPOCH_DAY + day)
        d = _DATES[day] = "%04d-%02d-%02d" % (y, m, dd)
    return "%sT%02d:%02d:%02d" % (d, s // 3600, s // 60 % 60, s % 60)


def dur(s):
    d, s = divmod(s, 86400)
    text = "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)
    return "%d-%s" % (d, text) if d else text


def cpu_dur(ms):
    """CPU-time fields: MM:SS.mmm below an hour, else [D-]HH:MM:SS."""
    s, ms = divmod(ms, 1000)
    if s < 3600:
        return "%02d:%02d.%03d" % (s // 60, s % 60, ms)
    return dur(s)


def rate_factor(t, span):
    """Arrival rate multiplier: weekday working hours, nights, weekends, the busy period."""
    day = t // 86400
    hour = (t // 3600) % 24
    weekday = (day + 0) % 7 < 5  # 2024-01-01 is a Monday
    f = 1.0
    if weekday and 8 <= hour < 19:
        f = 1.7
    elif hour < 6:
        f = 0.5
    if not weekday:
        f *= 0.45
    if 0.60 * span <= t < 0.66 * span:
        f *= 2.2
    return f


def pick(rng, weighted):
    total = sum(w for _, w in weighted)
    x = rng.random() * total
    for v, w in weighted:
        x -= w
        if x < 0:
            return v
    return weighted[-1][0]


def job_shape(rng, part):
    """(nodes, cores, memory MiB of the whole job, ReqMem text)."""
    pn, pc, pm = PARTITIONS[part]
    if part == "batch":
        kind = pick(rng, [("serial", 30), ("small", 20), ("medium", 22), ("node", 13), ("mpi", 4.5), ("bigmpi", 0.5)])
        if kind == "serial":
            nodes, cores = 1, 1
        elif kind == "small":
            nodes, cores = 1, rng.choice([2, 4])
        elif kind == "medium":
            nodes, cores = 1, rng.choice([8, 16, 32])
        elif kind == "node":
            nodes, cores = 1, 64
        elif kind == "mpi":
            nodes = rng.choice([2, 4, 8])
            cores = nodes * 64
        else:
            nodes = rng.choice([16, 32])
            cores = nodes * 64
        per_cpu = rng.choice([1000, 2000, 3500, 4000])
    elif part == "bigmem":
        nodes, cores = 1, rng.choice([4, 8, 16, 32, 64])
        per_cpu = rng.choice([16000, 24000, 31000])
    else:
        nodes, cores = 1, rng.choice([4, 8, 16, 32])
        per_cpu = rng.choice([4000, 8000, 16000])
    style = pick(rng, [("total", 50), ("percpu", 35), ("pernode", 15)])
    mem = per_cpu * cores
    if style == "percpu":
        text = "%dMc" % per_cpu
    elif style == "pernode":
        per_node = -(-mem // nodes)
        per_node = -(-per_node // 1024) * 1024
        mem = per_node * nodes
        text = "%dGn" % (per_node // 1024)
    else:
        mem = -(-mem // 1024) * 1024
        text = "%dG" % (mem // 1024)
    return nodes, cores, min(mem, pm * nodes), text


def runtime(rng):
    r = int(math.exp(rng.gauss(math.log(1500), 1.3)))
    return max(5, min(r, 2 * 86400))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of jobs")
    ap.add_argument("out", help="output file")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--steps", choices=["batch", "none", "all"], default="batch",
                    help="step lines per started job: .batch (default), none, or .batch and .extern")
    ap.add_argument("--cluster-toml", help="also write the matching [cluster] TOML here")
    args = ap.parse_args()
    if args.n < 0:
        sys.exit("gen-sacct.py: N must be >= 0")
    rng = random.Random(args.seed)
    if args.cluster_toml:
        with open(args.cluster_toml, "w", newline="\n") as f:
            f.write(CLUSTER_TOML)

    span = int(args.n / JOBS_PER_DAY * 86400) + 1
    base_rate = JOBS_PER_DAY / 86400.0
    # Arrivals (thinning of a Poisson process with the varying rate).
    jobs = []
    t = 0.0
    max_f = 1.7 * 2.2
    next_id = 1000
    while len(jobs) < args.n:
        t += rng.expovariate(base_rate * max_f)
        it = int(t)
        if rng.random() > rate_factor(it, span) / max_f:
            continue
        part = pick(rng, [("batch", 90), ("bigmem", 4), ("gpu", 6)])
        nodes, cores, mem, reqmem = job_shape(rng, part)
        # A few arrays: several tasks submitted at once.
        tasks = 1
        if rng.random() < 0.03:
            tasks = rng.randint(2, 20)
        base = next_id
        next_id += 1 if tasks == 1 else tasks + 1
        rt = runtime(rng)
        for k in range(tasks):
            if len(jobs) >= args.n:
                break
            jid = str(base) if tasks == 1 else "%d_%d" % (base, k)
            hold = 0
            if rng.random() < 0.01:
                hold = rng.randint(60, 7200)  # a dependency or --begin: eligible later
            jobs.append([jid, part, nodes, cores, mem, reqmem, it, it + hold, rt if k == 0 else runtime(rng)])

    # Recorded starts: FCFS on each partition's pooled cores.
    free = {p: PARTITIONS[p][0] * PARTITIONS[p][1] for p in PARTITIONS}
    running = {p: [] for p in PARTITIONS}
    last_start = {p: 0 for p in PARTITIONS}
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i][7], i))
    starts = [0] * len(jobs)
    for i in order:
        jid, part, nodes, cores, mem, reqmem, sub, elig, rt = jobs[i]
        now = max(elig, last_start[part])
        heap = running[part]
        while heap and heap[0][0] <= now:
            free[part] += heapq.heappop(heap)[1]
        while free[part] < cores:
            end, c = heapq.heappop(heap)
            now = max(now, end)
            free[part] += c
        free[part] -= cores
        heapq.heappush(heap, (now + rt, cores))
        last_start[part] = now
        starts[i] = now

    last_submit = max((j[6] for j in jobs), default=0)
    states = [("COMPLETED", 80), ("FAILED", 9), ("TIMEOUT", 3), ("CANCELLED", 4), ("OUT_OF_MEMORY", 2),
              ("NODE_FAIL", 0.5), ("PENDING_CANCEL", 1.5)]
    out = []
    w = out.append
    with open(args.out, "w", newline="\n") as f:
        for i, (jid, part, nodes, cores, mem, reqmem, sub, elig, rt) in enumerate(jobs):
            start = starts[i]
            state = pick(rng, states)
            if sub >= last_submit - 3600 and rng.random() < 0.5:
                state = "PENDING"
            if state == "PENDING":
                w("PENDING|%s|%d|%s|%d||%s|%s|Unknown|00:00:00|00:00:00|Unknown|0:0|0:0|0|%d||||||00:00:00|00:00:00|00:00:00|00:00:00|%s\n"
                  % (jid, cores, reqmem, nodes, ts(sub), ts(elig), cores, part))
                continue
            if state == "PENDING_CANCEL":
                cancel = elig + rng.randint(10, 3600)
                if rng.random() < 0.5:
                    w("CANCELLED by %d|%s|%d|%s|%d||%s|%s|None|00:00:00|00:00:00|%s|0:0|0:0|%d|%d||||||00:00:00|00:00:00|00:00:00|00:00:00|%s\n"
                      % (rng.randint(1000, 60000), jid, cores, reqmem, nodes, ts(sub), ts(elig), ts(cancel), nodes, cores, part))
                else:
                    w("CANCELLED by %d|%s|%d|%s|%d||%s|%s|%s|00:00:00|00:00:00|%s|0:0|0:0|0|%d||||||00:00:00|00:00:00|00:00:00|00:00:00|%s\n"
                      % (rng.randint(1000, 60000), jid, cores, reqmem, nodes, ts(sub), ts(elig), ts(cancel), ts(cancel), cores, part))
                continue
            shown = "CANCELLED by %d" % rng.randint(1000, 60000) if state == "CANCELLED" else state
            exit_code = {"COMPLETED": "0:0", "FAILED": "1:0", "TIMEOUT": "0:0", "CANCELLED": "0:15",
                         "OUT_OF_MEMORY": "0:125", "NODE_FAIL": "0:0"}[state]
            end = start + rt
            user_ms = int(rt * cores * 1000 * rng.uniform(0.3, 0.95))
            sys_ms = int(user_ms * rng.uniform(0.01, 0.08))
            cpu = dur(rt * cores)
            u, s_, tot = cpu_dur(user_ms), cpu_dur(sys_ms), cpu_dur(user_ms + sys_ms)
            w("%s|%s|%d|%s|%d||%s|%s|%s|%s|00:00:00|%s|%s|0:0|%d|%d||||||%s|%s|%s|%s|%s\n"
              % (shown, jid, cores, reqmem, nodes, ts(sub), ts(elig), ts(start), dur(rt), ts(end), exit_code,
                 nodes, cores, cpu, u, s_, tot, part))
            if args.steps != "none":
                first = cores // nodes
                rss_k = int(mem * 1024 / nodes * rng.uniform(0.2, 0.9) / max(1, first) * min(first, 4))
                w("%s|%s.batch|%d||1||%s|%s|%s|%s|00:00:00|%s|%s||1|%d|%.2fM|%.2fM|%d|%dK|%dK|%s|%s|%s|%s|%s\n"
                  % (state if state != "CANCELLED" else "CANCELLED", jid, first, ts(start), ts(start), ts(start),
                     dur(rt), ts(end), exit_code, first, rng.uniform(0, 5000), rng.uniform(0, 2000),
                     rng.randint(0, 60000), rss_k, rss_k * 2, dur(rt * first), u, s_, tot, part))
                if args.steps == "all":
                    w("COMPLETED|%s.extern|%d||%d||%s|%s|%s|%s|00:00:00|%s|0:0||%d|%d|0.00M|0|0|356K|108056K|%s|00:00:00|00:00:00|00:00:00|%s\n"
                      % (jid, cores, nodes, ts(start), ts(start), ts(start), dur(rt), ts(end), nodes, cores,
                         dur(rt * cores), part))
            if len(out) >= 4096:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))


if __name__ == "__main__":
    main()
