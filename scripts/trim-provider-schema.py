#!/usr/bin/env python3
"""Write the trimmed Terraform AWS provider schema that the test suite checks Terraform against.

In:  the full schema, terraform-aws-provider-schema-6.66.0.json.gz of the project's shared data
     (argument 1, or $ROCKLIFT_SHARED/data/..., or the shared folder beside the repository), and
     this repository's templates/, src/ and tests/ (*.j2, *.rs, *.tf), scanned for `aws_*` names.
Out: tests/fixtures/tf-schema/aws-provider-6.66.0.json (or argument 2): `provider.aws` and every
     resource, data source and ephemeral resource of the full schema whose type is named anywhere
     in those files, entries unchanged; keys sorted, so the output is byte-identical for the same
     inputs. tests/source_crosscheck.rs checks the committed file equals a fresh run.

Run it after adding a resource type to a template (the schema check then knows it):
    python3 scripts/trim-provider-schema.py
"""
import gzip
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_FILE = "terraform-aws-provider-schema-6.66.0.json.gz"
OUT = os.path.join(ROOT, "tests", "fixtures", "tf-schema", "aws-provider-6.66.0.json")
SCANNED = ("templates", "src", "tests")
SUFFIXES = (".j2", ".rs", ".tf")
NAME = re.compile(r"\baws_[a-z0-9_]+")


def default_source():
    shared = os.environ.get("ROCKLIFT_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
    return os.path.join(shared, "data", SCHEMA_FILE)


def named_types():
    names = set()
    for top in SCANNED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames.sort()
            for f in sorted(filenames):
                if f.endswith(SUFFIXES):
                    with open(os.path.join(dirpath, f), encoding="utf-8", errors="replace") as fh:
                        names.update(NAME.findall(fh.read()))
    return names


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else default_source()
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        full = json.load(fh)
    names = named_types()
    keep = {"provider.aws"}
    for key in full:
        bare = key.split(".", 1)[1] if key.startswith(("data.", "ephemeral.")) else key
        if bare in names:
            keep.add(key)
    trimmed = {k: full[k] for k in sorted(keep) if k in full}
    if "provider.aws" not in trimmed:
        sys.exit(f"{src}: no provider.aws entry")
    text = json.dumps(trimmed, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    kinds = {"resource": 0, "data": 0, "ephemeral": 0}
    for k in trimmed:
        if k.startswith("data."):
            kinds["data"] += 1
        elif k.startswith("ephemeral."):
            kinds["ephemeral"] += 1
        elif k != "provider.aws":
            kinds["resource"] += 1
    print(f"{out}: {kinds['resource']} resources, {kinds['data']} data sources, "
          f"{kinds['ephemeral']} ephemeral, provider.aws ({len(text)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
