#!/usr/bin/env bash
# Benchmark the utilization-history summary (rocklift::utilization) on generated histories of 1M and 10M rows:
# wall time, CPU time and peak memory of the whole process, to show that memory stays flat as the file grows. Not a
# test: it prints figures (a markdown table at the end) for BENCHMARKS.md.
#
#   scripts/bench-utilization.sh               # 1M and 10M rows of 2000 servers, 3 runs each
#   SIZES="1000000" RUNS=1 scripts/bench-utilization.sh
#   scripts/bench-utilization.sh --check       # exit 1 when peak memory at the largest size is more than
#                                              # 1.25 × the smallest (memory must not grow with the file)
#
# Environment:
#   SIZES        row counts (default "1000000 10000000": 2000 servers × 500 and × 5000 samples)
#   SERVERS      servers in every file (default 2000)
#   RUNS         runs per measurement, best and median reported (default 3)
#   CORES        CPU list to pin measured processes to with taskset when the machine has more than 2 cores
#                (default "0,1"); "" = no pinning
#   SEED         seed for scripts/gen-utilization.py (default 42)
#
# Two modes are measured at each size:
#   two-pass  window and interval from the data (a first pass finds the newest/oldest timestamps and the
#             sampling interval, the second computes the statistics) - the default of summarize_files;
#   one-pass  --from, --to and --interval given, so one pass is enough.
#
# Needs: cargo, python3 (standard library only), GNU time at /usr/bin/time for peak memory (Debian/Ubuntu:
# `apt-get install time`); without it the example's own VmHWM figure (from /proc/self/status) is used.
# Generated files go to a mktemp directory under ${TMPDIR:-/tmp} that is removed at the end (10M rows is about
# 500 MB); nothing is written into the repository except the release build in target/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"1000000 10000000"}
SERVERS=${SERVERS:-2000}
RUNS=${RUNS:-3}
CORES=${CORES-0,1}
SEED=${SEED:-42}
START=2024-09-01T00:00:00Z
INTERVAL=300
CHECK=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK=1 ;;
        -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-utilization.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "bench-utilization.sh: $*" >&2; exit 1; }
command -v python3 >/dev/null || die "python3 is needed to generate the histories (apt-get install -y python3)"
command -v cargo >/dev/null || die "cargo is needed to build the example"
HAVE_TIME=0
[ -x /usr/bin/time ] && HAVE_TIME=1

echo "== building the example in release" >&2
(cd "$ROOT" && cargo build --release --quiet --example summarize_utilization)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BIN=$TARGET_DIR/release/examples/summarize_utilization
[ -x "$BIN" ] || die "no example binary at $BIN after cargo build"

PIN=()
if [ -n "$CORES" ] && [ "$(nproc)" -gt 2 ] && command -v taskset >/dev/null; then
    PIN=(taskset -c "$CORES")
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rocklift-util-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/results"

stat_min() { sort -g | head -n1; }
stat_median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }
stat_max() { sort -g | tail -n1; }
human() { awk -v n="$1" 'BEGIN {if (n >= 1e6 && n % 1e6 == 0) print n / 1e6 "M"; else if (n >= 1e3 && n % 1e3 == 0) print n / 1e3 "k"; else print n}'; }

# measure LABEL ROWS -- CMD...: RUNS runs; wall time from bash's clock, peak RSS from /usr/bin/time -v (else the
# example's VmHWM line). Appends "LABEL ROWS best median peak_mb" to $WORK/results.
measure() {
    local label=$1 rows=$2; shift 2; [ "$1" = "--" ] && shift
    local times=() rss=() cpus=() i t0 t1 kb rc cpu
    for ((i = 1; i <= RUNS; i++)); do
        rc=0
        t0=$EPOCHREALTIME
        if [ "$HAVE_TIME" = 1 ]; then
            "${PIN[@]}" /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || rc=$?
        else
            "${PIN[@]}" "$@" >/dev/null 2>"$WORK/stderr.txt" || rc=$?
        fi
        t1=$EPOCHREALTIME
        if [ "$rc" -ne 0 ]; then
            echo "bench-utilization.sh: '$label' failed (exit $rc) on run $i:" >&2
            head -n 20 "$WORK/stderr.txt" >&2
            exit 1
        fi
        if [ "$HAVE_TIME" = 1 ]; then
            kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
            cpu=$(awk -F: '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$WORK/time.txt")
        else
            kb=$(sed -n 's/.*VmHWM) \([0-9]*\) KiB.*/\1/p' "$WORK/stderr.txt")
            cpu=0
        fi
        cpus+=("$cpu")
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')")
        rss+=("$kb")
        printf '   %-10s run %d: %7.3f s wall, %7.2f s CPU, %8.1f MB   (%s)\n' "$label" "$i" "${times[-1]}" "$cpu" \
            "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" "$(grep -m1 '^summarized' "$WORK/stderr.txt" || true)" >&2
    done
    local best median peak
    best=$(printf '%s\n' "${times[@]}" | stat_min)
    median=$(printf '%s\n' "${times[@]}" | stat_median)
    peak=$(printf '%s\n' "${rss[@]}" | stat_max)
    echo "$label $rows $best $median $(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}') \
$(printf '%s\n' "${cpus[@]}" | stat_min)" >>"$WORK/results"
}

CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
MEM_TOTAL=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo unknown)
RUSTC=$(rustc --version 2>/dev/null || echo unknown)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

for n in $SIZES; do
    h=$(human "$n")
    echo "== generating $h rows ($SERVERS servers)" >&2
    python3 "$ROOT/scripts/gen-utilization.py" "$n" "$SERVERS" "$WORK/util-$n.csv" --seed "$SEED"
    size_mb=$(du -m "$WORK/util-$n.csv" | cut -f1)
    echo "$n $size_mb" >>"$WORK/sizes"
    samples=$(((n + SERVERS - 1) / SERVERS))
    to=$(date -u -d "@$(($(date -u -d "$START" +%s) + (samples - 1) * INTERVAL))" +%Y-%m-%dT%H:%M:%SZ)
    echo "== $h rows (${size_mb} MB)" >&2
    measure "two-pass" "$n" -- "$BIN" "$WORK/util-$n.csv"
    measure "one-pass" "$n" -- "$BIN" "$WORK/util-$n.csv" --from "$START" --to "$to" --interval "$INTERVAL"
    rm -f "$WORK/util-$n.csv"
done

echo
echo "## rocklift utilization summary benchmark, $(date +%Y-%m-%d)"
echo
echo "- machine: $(nproc) cores ($CPU_MODEL), $MEM_TOTAL RAM; pinned: $([ ${#PIN[@]} -gt 0 ] && echo "taskset -c $CORES" || echo no)"
echo "- $RUSTC; rocklift at $COMMIT; release profile; example \`summarize_utilization\`"
echo "- histories from scripts/gen-utilization.py --seed $SEED: $SERVERS servers, one sample every ${INTERVAL} s, 6 columns"
echo "- $RUNS runs each; wall time of the whole process, CPU time (user + system) and peak RSS from $([ "$HAVE_TIME" = 1 ] && echo '/usr/bin/time -v' || echo 'VmHWM')"
echo "- load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| rows | file (MB) | mode | wall best (s) | wall median (s) | CPU best (s) | ns per row (best wall) | peak RSS (MB) |"
echo "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"
while read -r label rows best median peak cpu; do
    mb=$(awk -v n="$rows" '$1 == n {print $2}' "$WORK/sizes")
    per=$(awk -v m="$best" -v n="$rows" 'BEGIN {printf "%.0f", m * 1e9 / n}')
    printf '| %s | %s | %s | %.3f | %.3f | %s | %s | %s |\n' "$(human "$rows")" "$mb" "$label" "$best" "$median" "$cpu" \
        "$per" "$peak"
done <"$WORK/results"

first=$(grep '^two-pass ' "$WORK/results" | head -n1 || true)
last=$(grep '^two-pass ' "$WORK/results" | tail -n1 || true)
fail=0
if [ -n "$first" ] && [ "$first" != "$last" ]; then
    read -r _ r1 _ _ m1 _ <<<"$first"
    read -r _ r2 _ _ m2 _ <<<"$last"
    ratio=$(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", b / a}')
    ok=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.25) ? 1 : 0}')
    [ "$ok" = 1 ] || fail=1
    echo
    echo "| goal | measured | |"
    echo "| --- | --- | --- |"
    echo "| flat memory: peak RSS at $(human "$r2") rows ÷ at $(human "$r1") rows ≤ 1.25 | $ratio ($m2 MB / $m1 MB) | $([ "$ok" = 1 ] && echo met || echo '**NOT met**') |"
fi
if [ "$CHECK" = 1 ] && [ "$fail" = 1 ]; then
    exit 1
fi
