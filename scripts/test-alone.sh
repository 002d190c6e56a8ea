#!/usr/bin/env bash
# Run the README's test command (or CMD) in a copy of this checkout that has nothing beside it, as a
# user's fresh clone has: proof that no test reads outside the repository. A test that reads
# ../shared (or any other sibling folder) fails here, because the copy's parent folder holds only
# the copy.
#
#   scripts/test-alone.sh              # ./scripts/test.sh in the copy
#   scripts/test-alone.sh CMD [ARG...] # CMD in the copy (e.g. one cargo test)
#
# The copy is the tracked and untracked-but-not-ignored files of this checkout (so uncommitted work
# is tested too), in $ROCKLIFT_ALONE_DIR/rocklift (default: a folder of its own under $TMPDIR or
# /tmp). It is refreshed on every run, keeping its tool installs (.venv, .venv-moto,
# scripts/browser/node_modules, target) so a second run does not reinstall or rebuild them.
# Builds always go to the copy's own target folder, whatever CARGO_TARGET_DIR says: cargo would
# reuse a test binary built in this checkout (same relative sources, same times), and that binary
# has this checkout's path compiled in (env!("CARGO_MANIFEST_DIR")), so a read of ../shared would
# still find it. ROCKLIFT_SHARED and ROCKLIFT_REQUIRE_SHARED are cleared for CMD; pass them inside
# CMD (`env ROCKLIFT_SHARED=... cargo test ...`) to aim a run at the shared data on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
base=${ROCKLIFT_ALONE_DIR:-${TMPDIR:-/tmp}/rocklift-alone-$(id -u)}
copy="$base/rocklift"
marker="$copy/.rocklift-alone-copy"
mkdir -p "$base"
case "$(cd "$base" && pwd)/" in
  "$repo"/*) echo "test-alone: $base is inside the checkout; choose a folder outside it" >&2; exit 2 ;;
esac
extra=$(find "$base" -mindepth 1 -maxdepth 1 ! -name rocklift -print -quit)
if [ -n "$extra" ]; then
  echo "test-alone: $base must hold only the copy, but it has $extra" >&2
  exit 2
fi
if [ -e "$copy" ] && [ ! -e "$marker" ]; then
  echo "test-alone: $copy exists and is not a copy made by this script; remove it or set ROCKLIFT_ALONE_DIR" >&2
  exit 2
fi

# Refresh: drop what the last run copied, keep the tool installs.
mkdir -p "$copy"
keep=(-path "$copy/.venv" -o -path "$copy/.venv-moto" -o -path "$copy/scripts/browser/node_modules" -o -path "$copy/target")
find "$copy" -mindepth 1 \( "${keep[@]}" \) -prune -o ! -type d -print0 | xargs -0 -r rm -f
find "$copy" -mindepth 1 -depth -type d -empty ! -path "$copy/.venv*" ! -path "$copy/scripts/browser/node_modules*" \
  ! -path "$copy/target*" -delete
# tar keeps modification times, so cargo sees unchanged sources as unchanged.
git ls-files -z --cached --others --exclude-standard |
  tar --null --no-recursion --ignore-failed-read -T - -cf - 2>/dev/null |
  tar -xf - -C "$copy"
touch "$marker"

export CARGO_TARGET_DIR="$copy/target"
echo "test-alone: running in $copy (nothing beside it; builds in $CARGO_TARGET_DIR)" >&2
cd "$copy"
if [ "$#" -eq 0 ]; then set -- ./scripts/test.sh; fi
exec env -u ROCKLIFT_SHARED -u ROCKLIFT_REQUIRE_SHARED "$@"
