#!/usr/bin/env python3
"""Regenerate pricing-cache/ from the project's raw AWS data (DATA_DIR; by default the data/ folder of
$ROCKLIFT_SHARED, else of the shared folder beside the repository). A maintainer's tool: the test suite
runs it only in the source cross-check group (tests/source_crosscheck.rs).

In:  the real AWS data files described in shared/data/README.md.
Out: pricing-cache/{manifest.json, instance-types.csv, images.csv, services.csv, prices/REGION.csv.gz}

Prices are copied as the exact strings of their source; nothing is computed or rounded.
Deterministic: same inputs give byte-identical outputs (gzip with mtime 0, sorted rows).
Usage: scripts/build-pricing-cache.py [DATA_DIR] [OUT_DIR]
"""
import csv
import gzip
import hashlib
import io
import json
import os
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("ROCKLIFT_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
DATA = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(SHARED, "data"))
OUT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "pricing-cache"))

SCHEMA = 1
PRICES = "aws-ec2-prices.csv.gz"
TYPES = "aws-ec2-instance-types.json.gz"
OFFERINGS = "aws-ec2-offerings-by-region.json.gz"
AMIS = "rocky-rhel-amis.csv"
KARPENTER = "aws-ec2-linux-ondemand-us-east-1-2026-07-20.csv"
SERVICES = "aws-services-prices-us-east-1.csv"
# Kept in this repository (data/README.md names its AWS sources): the families AWS documents as
# previous generation. It decides the catalogue's current_generation flag, not moto's CurrentGeneration.
PREVIOUS_GENERATION = "ec2-previous-generation.csv"
REPO_DATA = os.path.join(ROOT, "data")
# shared/data/README.md: EBS, transfer, NAT and IPv4 prices are published identically for these.
SERVICE_REGIONS = ["us-east-1", "us-east-2", "us-west-2"]
OS_MAP = {"linux": "linux", "rhel": "rhel", "mswin": "windows"}
OSES = ["linux", "rhel", "windows"]
KINDS = ["od", "spot", "ri1", "ri3"]

SOURCES = [
    {
        "id": "vantage",
        "file": PRICES,
        "what": "EC2 on-demand, average spot and Standard RI all-upfront (amortised) $/h for linux, rhel, windows in 36 regions",
        "origin": "ec2instances.info (Vantage) instances.json, flattened in jawaadjariwala/AWS-EC2-Pricing-Landscape-Analysis data/ec2_pricing_tidy.parquet (commit cbe0a516), built from the AWS Price List bulk files",
        "data_date": "2026-05-12",
        "date_note": "on or before 2026-05-12",
    },
    {
        "id": "karpenter",
        "file": KARPENTER,
        "what": "EC2 Linux on-demand $/h in us-east-1, 6 decimals; used for us-east-1 linux on-demand where it has the type (newer and more precise)",
        "origin": "aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go (Apache-2.0), generated from the AWS Pricing API",
        "data_date": "2026-07-20",
        "date_note": "2026-07-20",
    },
    {
        "id": "moto-types",
        "file": TYPES,
        "what": "EC2 DescribeInstanceTypes records: vCPU, memory, arch, GPUs, network, instance storage, generation, burstable, bare metal",
        "origin": "moto 5.2.5 (Apache-2.0) moto/ec2/resources/instance_types.json.gz",
        "data_date": "2025-10",
        "date_note": "2025-10",
    },
    {
        "id": "moto-offerings",
        "file": OFFERINGS,
        "what": "instance types offered per region (30 regions)",
        "origin": "moto 5.2.5 (Apache-2.0) instance_type_offerings/region/",
        "data_date": "2025-10",
        "date_note": "2025-10",
    },
    {
        "id": "soca-amis",
        "file": AMIS,
        "what": "last known AMI ids per region and arch for rocky8, rocky9, rhel7..rhel10 (offline hints only)",
        "origin": "awslabs/scale-out-computing-on-aws installer/region_map.d/ (Apache-2.0), commit d742687f",
        "data_date": "2026-02-27",
        "date_note": "lists generated 2026-02-27",
    },
    {
        "id": "aws-pages",
        "file": SERVICES,
        "what": "EBS, data transfer, NAT gateway, public IPv4, VPN, Direct Connect, S3 prices; us-east-1, identically published for us-east-2 and us-west-2",
        "origin": "AWS public pricing pages (transcribed)",
        "data_date": "2026",
        "date_note": "2026",
    },
    {
        "id": "aws-previous-generation",
        "file": PREVIOUS_GENERATION,
        "what": "EC2 instance families AWS documents as previous generation; every other family is current (sets current_generation)",
        "origin": "Amazon EC2 Instance Types guide, Specifications for Amazon EC2 previous generation instances (docs.aws.amazon.com/ec2/latest/instancetypes/pg.html), and the EC2 User Guide's 2018 list of retired families (awsdocs/amazon-ec2-user-guide doc_source/instance-types.md, commit 00f19653); see data/README.md",
        "data_date": "2026-12-03",
        "date_note": "pages read 2026-12-03",
        "location": "repository:data/",
    },
]

NOT_KNOWN_OFFLINE = [
    "EBS, data transfer, NAT gateway and public IPv4 prices outside us-east-1, us-east-2 and us-west-2",
    "Savings Plans, partial-upfront, no-upfront and convertible reserved prices",
    "spot prices where none was observed (the source repeats on-demand; kept empty here)",
    "per-region availability for ap-east-2, ap-southeast-6, ap-southeast-7, mx-central-1, us-gov-east-1, us-gov-west-1 (a price there is taken as 'offered')",
    "specs of instance types missing from the moto catalog (they are priced but never matched)",
    "the current AMI id per region: Terraform resolves the image by owner and name; listed ids are hints",
    "prices of $10/h and above carry 4 decimals in the vantage source (AWS publishes more)",
]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def csv_text(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write(path, data: bytes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def gz(text):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(text.encode())
    return buf.getvalue()


def main():
    for s in SOURCES:
        location = s.pop("location", None)  # written after sha256, in the order rocklift writes it
        folder = REPO_DATA if location == "repository:data/" else DATA
        s["sha256"] = sha256_file(os.path.join(folder, s["file"]))
        if location:
            s["location"] = location
    with open(os.path.join(REPO_DATA, PREVIOUS_GENERATION), newline="") as f:
        previous_families = {r["family"] for r in csv.DictReader(f)}

    # ---- instance specs
    raw = json.load(gzip.open(os.path.join(DATA, TYPES), "rt"))
    type_rows = []
    for name in sorted(raw):
        r = raw[name]
        archs = [a for a in r.get("ProcessorInfo", {}).get("SupportedArchitectures", [])]
        gpu = r.get("GpuInfo") or {}
        gpus = gpu.get("Gpus") or []
        gpu_count = sum(g.get("Count", 0) for g in gpus)
        gpu_model = "+".join(sorted({g.get("Name", "") for g in gpus})) if gpus else ""
        gpu_maker = "+".join(sorted({g.get("Manufacturer", "") for g in gpus})) if gpus else ""
        gpu_mem = gpu.get("TotalGpuMemoryInMiB", "") if gpus else ""
        net = r.get("NetworkInfo", {})
        store = r.get("InstanceStorageInfo") or {}
        disks = store.get("Disks") or []
        store_type = "+".join(sorted({d.get("Type", "") for d in disks}))
        proc = r.get("ProcessorInfo", {})
        type_rows.append([
            name,
            name.split(".")[0],
            r["VCpuInfo"]["DefaultVCpus"],
            r["MemoryInfo"]["SizeInMiB"],
            " ".join(sorted(archs)),
            proc.get("Manufacturer", ""),
            proc.get("SustainedClockSpeedInGhz", ""),
            gpu_count,
            gpu_model,
            gpu_maker,
            gpu_mem,
            net.get("NetworkPerformance", ""),
            store.get("TotalSizeInGB", 0) if store else 0,
            store_type,
            "n" if name.split(".")[0] in previous_families else "y",
            "y" if r.get("BurstablePerformanceSupported") else "n",
            "y" if r.get("BareMetal") else "n",
            (r.get("EbsInfo") or {}).get("EbsOptimizedSupport", ""),
            r["VCpuInfo"].get("DefaultCores", ""),
            ((net.get("EfaInfo") or {}).get("MaximumEfaInterfaces", 0)) if net.get("EfaSupported") else 0,
        ])
    types_csv = csv_text(
        ["instance_type", "family", "vcpus", "memory_mib", "archs", "cpu_maker", "clock_ghz", "gpus", "gpu_model",
         "gpu_maker", "gpu_memory_mib", "network", "instance_storage_gb", "instance_storage_type", "current_generation",
         "burstable", "bare_metal", "ebs_optimized_support", "cores", "efa_interfaces"],
        type_rows,
    )

    # ---- prices
    offerings = json.load(gzip.open(os.path.join(DATA, OFFERINGS), "rt"))
    offered = {reg: set(ts) for reg, ts in offerings.items()}
    table = {}  # region -> type -> {col: value}
    with gzip.open(os.path.join(DATA, PRICES), "rt", newline="") as f:
        for r in csv.DictReader(f):
            osn = OS_MAP[r["operating_system"]]
            row = table.setdefault(r["region_code"], {}).setdefault(r["instance_type"], {})
            od = r["ondemand_usd_per_hour"]
            spot = r["spot_avg_usd_per_hour"]
            if spot != "" and Decimal(spot) == Decimal(od):
                spot = ""  # README: equal to on-demand means "spot unknown"
            row[f"{osn}_od"] = od
            row[f"{osn}_spot"] = spot
            row[f"{osn}_ri1"] = r["reserved_1yr_allupfront_usd_per_hour"]
            row[f"{osn}_ri3"] = r["reserved_3yr_allupfront_usd_per_hour"]
            if osn == "linux":
                row["linux_od_src"] = "vantage"
    karp_used = karp_differs = 0
    with open(os.path.join(DATA, KARPENTER), newline="") as f:
        east = table.setdefault("us-east-1", {})
        for r in csv.DictReader(f):
            row = east.setdefault(r["instance_type"], {})
            old = row.get("linux_od")
            if old is not None and Decimal(old) != Decimal(r["usd_per_hour"]):
                karp_differs += 1
            row["linux_od"] = r["usd_per_hour"]
            row["linux_od_src"] = "karpenter"
            karp_used += 1
    cols = ["instance_type", "offered"]
    for osn in OSES:
        for k in KINDS:
            cols.append(f"{osn}_{k}")
            if osn == "linux" and k == "od":
                cols.append("linux_od_src")
    files = []
    region_counts = {}
    for reg in sorted(set(table) | set(offered)):
        types_here = set(table.get(reg, {})) | offered.get(reg, set())
        rows = []
        for t in sorted(types_here):
            row = table.get(reg, {}).get(t, {})
            if reg in offered:
                off = "y" if t in offered[reg] else "n"
            else:
                off = ""
            rows.append([t, off] + [row.get(c, "") for c in cols[2:]])
        rel = f"prices/{reg}.csv.gz"
        data = gz(csv_text(cols, rows))
        write(os.path.join(OUT, rel), data)
        priced = sum(1 for r in rows if any(r[2:]))
        region_counts[reg] = priced
        files.append({"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "rows": len(rows),
                      "sources": ["vantage", "moto-offerings"] + (["karpenter"] if reg == "us-east-1" else [])})

    # ---- images
    with open(os.path.join(DATA, AMIS), newline="") as f:
        amis = sorted((r["region"], r["arch"], r["os"], r["ami_id"], r["list_generated_utc"]) for r in csv.DictReader(f))
    images_csv = csv_text(["region", "arch", "os", "ami_id", "list_generated_utc"], amis)

    # ---- services
    with open(os.path.join(DATA, SERVICES), newline="") as f:
        svc = [[r["service"], r["item"], r["unit"], r["usd"], r["tier_from"], r["tier_to"], r["note"]] for r in csv.DictReader(f)]
    services_csv = csv_text(["service", "item", "unit", "usd", "tier_from", "tier_to", "note"], svc)

    for rel, text, srcs, n in [
        ("instance-types.csv", types_csv, ["moto-types", "aws-previous-generation"], len(type_rows)),
        ("images.csv", images_csv, ["soca-amis"], len(amis)),
        ("services.csv", services_csv, ["aws-pages"], len(svc)),
    ]:
        data = text.encode()
        write(os.path.join(OUT, rel), data)
        files.append({"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "rows": n, "sources": srcs})
    files.sort(key=lambda f: f["path"])

    manifest = {
        "schema": SCHEMA,
        "kind": "rocklift-pricing-snapshot",
        "data_date": "2026-05-12",
        "data_date_note": "EC2 prices on or before 2026-05-12 (us-east-1 Linux on-demand 2026-07-20)",
        "built_by": "scripts/build-pricing-cache.py from shared/data",
        "sources": SOURCES,
        "service_price_regions": SERVICE_REGIONS,
        "regions": sorted(region_counts),
        "regions_without_offerings": sorted(set(table) - set(offered)),
        "cross_checks": {
            "karpenter_us_east_1_linux_ondemand_rows_used": karp_used,
            "karpenter_rows_differing_from_vantage": karp_differs,
        },
        "not_known_offline": NOT_KNOWN_OFFLINE,
        "files": files,
    }
    write(os.path.join(OUT, "manifest.json"), (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode())
    total = sum(os.path.getsize(os.path.join(OUT, f["path"])) for f in files)
    print(f"wrote {len(files)} files, {total} bytes, {len(type_rows)} types, {len(region_counts)} regions into {OUT}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
