#!/usr/bin/env bash
# Benchmark the RVTools reader alone, as a whole process, in release: read a generated
# RVTools_tabvInfo.csv of N VMs with examples/read_rvtools.rs (rvtools::read_path, then print the
# server count). Not a test: it prints figures for BENCHMARKS.md.
#
#   scripts/bench-rvtools.sh                  # 100k VMs, 3 runs
#   SIZES="10000 100000" RUNS=5 scripts/bench-rvtools.sh
#
# Environment:
#   SIZES   VM counts to read (default "100000")
#   RUNS    runs per size; best and median wall time and the largest peak RSS are reported (default 3)
#   SEED    seed for scripts/gen-rvtools.py (default 42)
#   CORES   CPU list to pin the measured process to with taskset when the machine has more than
#           2 cores (default "0,1"); "" = no pinning
#
# Needs: cargo, python3 (standard library only), GNU time at /usr/bin/time for peak memory
# (Debian/Ubuntu: `apt-get install time`). Files go to a mktemp directory removed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"100000"}
RUNS=${RUNS:-3}
SEED=${SEED:-42}
CORES=${CORES-0,1}

die() { echo "bench-rvtools.sh: $*" >&2; exit 1; }
case "${1:-}" in
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) die "unknown argument '$1' (try --help)" ;;
esac
[ -x /usr/bin/time ] || die "GNU time is missing at /usr/bin/time; install it with: apt-get install -y time"
command -v python3 >/dev/null || die "python3 is needed to generate the export"
command -v cargo >/dev/null || die "cargo is needed to build the example"

echo "== building examples/read_rvtools.rs (release)" >&2
(cd "$ROOT" && cargo build --release --quiet --example read_rvtools)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BIN=$TARGET_DIR/release/examples/read_rvtools
[ -x "$BIN" ] || die "no binary at $BIN after cargo build"

PIN=()
if [ -n "$CORES" ] && [ "$(nproc)" -gt 2 ] && command -v taskset >/dev/null; then
    PIN=(taskset -c "$CORES")
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rocklift-bench-rvtools.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo
echo "## RVTools reader benchmark, $(date +%Y-%m-%d)"
echo
echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)); pinned: ${PIN[*]:-no}"
echo "- $(rustc --version 2>/dev/null || echo rustc unknown); rocklift at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "- input: scripts/gen-rvtools.py N --seed $SEED (RVTools_tabvInfo.csv, 82 columns, BOM + CRLF); $RUNS runs each"
echo
echo "| VMs | file (MB) | servers read | best (s) | median (s) | peak RSS (MB) |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $SIZES; do
    file="$WORK/RVTools_tabvInfo-$n.csv"
    python3 "$ROOT/scripts/gen-rvtools.py" "$n" "$file" --seed "$SEED"
    size_mb=$(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.1f", b / 1048576}')
    times=()
    peak=0
    out=""
    for ((i = 1; i <= RUNS; i++)); do
        t0=$EPOCHREALTIME
        out=$("${PIN[@]}" /usr/bin/time -v -o "$WORK/time.txt" "$BIN" "$file") || die "reading $n VMs failed: $out"
        t1=$EPOCHREALTIME
        kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
        [ "$kb" -gt "$peak" ] && peak=$kb
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')")
        printf '   %s VMs run %d: %s s, %.1f MB (%s)\n' "$n" "$i" "${times[-1]}" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" "$out" >&2
    done
    best=$(printf '%s\n' "${times[@]}" | sort -g | head -n1)
    median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}')
    servers=${out%% servers*}
    printf '| %s | %s | %s | %.3f | %.3f | %.1f |\n' "$n" "$size_mb" "$servers" "$best" "$median" "$(awk -v k="$peak" 'BEGIN {print k / 1024}')"
done
