#!/usr/bin/env bash
# Benchmark rocklift end to end, as whole processes, in release. Not a test: it prints figures
# (a markdown table at the end) for BENCHMARKS.md.
#
#   scripts/bench.sh                 # 10k, 100k and 1M servers, 3 runs each
#   SIZES="10000 100000" scripts/bench.sh
#   RUNS=5 scripts/bench.sh
#   scripts/bench.sh --check         # exit 1 when a goal of BENCHMARKS.md is missed
#
# Environment:
#   SIZES        inventory sizes to plan (default "10000 100000 1000000")
#   RUNS         runs per plan measurement, best and median reported (default 3)
#   CORES        CPU list to pin every measured process to with taskset when the machine has
#                more than 2 cores (default "0,1": the goals are for 2 cores); "" = no pinning
#   RUN_TIMEOUT  seconds before one plan run is killed (default 900)
#   SEED         seed for scripts/gen-inventory.py (default 42)
#   NO_HYPERFINE set to use the plain loop even when hyperfine is installed
#
# Needs: cargo, python3 (standard library only), GNU time at /usr/bin/time for peak memory
# (Debian/Ubuntu: `apt-get install time`). Uses hyperfine when present for the short
# commands (`apt-get install hyperfine`), else a timed loop of 50 runs.
# Inventories and outputs go to a mktemp directory that is removed at the end; nothing is
# written into the repository except the release build in target/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${SIZES:-"10000 100000 1000000"}
RUNS=${RUNS:-3}
CORES=${CORES-0,1}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
SEED=${SEED:-42}
CHECK=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK=1 ;;
        -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

# Goals (from the issue; BENCHMARKS.md).
GOAL_100K_S=1.0
GOAL_100K_MB=300
GOAL_SHOW_MS=20

die() { echo "bench.sh: $*" >&2; exit 1; }

[ -x /usr/bin/time ] || die "GNU time is missing at /usr/bin/time; install it with: apt-get install -y time"
command -v python3 >/dev/null || die "python3 is needed to generate inventories (apt-get install -y python3)"
command -v cargo >/dev/null || die "cargo is needed to build rocklift"

# --- build (once) -----------------------------------------------------------------------------
echo "== building release binary" >&2
(cd "$ROOT" && cargo build --release --quiet)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BIN=$TARGET_DIR/release/rocklift
[ -x "$BIN" ] || die "no binary at $BIN after cargo build --release"

# --- pin to 2 cores when the machine has more ----------------------------------------------------
NPROC=$(nproc)
PIN=()
if [ -n "$CORES" ] && [ "$NPROC" -gt 2 ] && command -v taskset >/dev/null; then
    PIN=(taskset -c "$CORES")
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rocklift-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Run from the work directory so no ./rocklift.toml of the caller changes the results.
cd "$WORK"

# --- helpers ---------------------------------------------------------------------------------------
# Sorted numbers on stdin -> min / median / max.
stat_min() { sort -g | head -n1; }
stat_median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }
stat_max() { sort -g | tail -n1; }

# measure LABEL -- CMD...: run CMD $RUNS times with stdout to /dev/null; wall time from bash's
# clock, peak RSS from `/usr/bin/time -v`. Appends "LABEL best median peak_mb" to $WORK/results.
measure() {
    local label=$1; shift; [ "$1" = "--" ] && shift
    local times=() rss=() i t0 t1 kb rc
    for ((i = 1; i <= RUNS; i++)); do
        t0=$EPOCHREALTIME
        rc=0
        "${PIN[@]}" timeout "$RUN_TIMEOUT" /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || rc=$?
        t1=$EPOCHREALTIME
        if [ "$rc" -ne 0 ]; then
            echo "bench.sh: '$label' failed (exit $rc) on run $i:" >&2
            head -n 20 "$WORK/stderr.txt" >&2
            tail -n 5 "$WORK/time.txt" >&2 || true
            exit 1
        fi
        kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}')")
        rss+=("$kb")
        printf '   %-28s run %d: %7.3f s  %8.1f MB\n' "$label" "$i" "${times[-1]}" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" >&2
    done
    local best median peak
    best=$(printf '%s\n' "${times[@]}" | stat_min)
    median=$(printf '%s\n' "${times[@]}" | stat_median)
    peak=$(printf '%s\n' "${rss[@]}" | stat_max)
    echo "$label $best $median $(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}')" >>"$WORK/results"
}

# short LABEL -- CMD...: a fast command as a whole process; hyperfine (warmup 5, 50+ runs) when
# present, else a loop of 50 runs. Appends "LABEL min_ms median_ms mean_ms peak_mb" to $WORK/short.
short() {
    local label=$1; shift; [ "$1" = "--" ] && shift
    local min median mean kb
    "$@" >/dev/null || die "'$label' failed"
    if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
        local q=() a
        for a in "${PIN[@]}" "$@"; do q+=("$(printf '%q' "$a")"); done
        hyperfine --style none --warmup 5 --min-runs 50 -N --export-json "$WORK/hf.json" "${q[*]}" >/dev/null 2>&1 \
            || hyperfine --style none --warmup 5 --min-runs 50 --export-json "$WORK/hf.json" "${q[*]}" >/dev/null
        read -r min median mean < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.2f %.2f %.2f" % (r["min"] * 1e3, r["median"] * 1e3, r["mean"] * 1e3))' "$WORK/hf.json")
        SHORT_TOOL="hyperfine $(hyperfine --version | awk '{print $2}'), warmup 5, at least 50 runs"
    else
        local i t0 t1 all=()
        for ((i = 0; i < 5; i++)); do "${PIN[@]}" "$@" >/dev/null; done
        for ((i = 0; i < 50; i++)); do
            t0=$EPOCHREALTIME; "${PIN[@]}" "$@" >/dev/null; t1=$EPOCHREALTIME
            all+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", (b - a) * 1000}')")
        done
        min=$(printf '%s\n' "${all[@]}" | stat_min | xargs printf '%.2f')
        median=$(printf '%s\n' "${all[@]}" | stat_median | xargs printf '%.2f')
        mean=$(printf '%s\n' "${all[@]}" | awk '{s += $1} END {printf "%.2f", s / NR}')
        SHORT_TOOL="bash loop, 5 warmup + 50 timed runs (hyperfine not installed or NO_HYPERFINE set)"
    fi
    "${PIN[@]}" /usr/bin/time -v -o "$WORK/time.txt" "$@" >/dev/null
    kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
    printf '   %-28s min %s ms, median %s ms, mean %s ms, %s MB\n' "$label" "$min" "$median" "$mean" \
        "$(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}')" >&2
    echo "$label $min $median $mean $(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}')" >>"$WORK/short"
}

human() { # 10000 -> 10k, 1000000 -> 1M
    awk -v n="$1" 'BEGIN {if (n >= 1e6 && n % 1e6 == 0) print n / 1e6 "M"; else if (n >= 1e3 && n % 1e3 == 0) print n / 1e3 "k"; else print n}'
}

# --- machine ------------------------------------------------------------------------------------------
CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
MEM_TOTAL=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || echo unknown)
RUSTC=$(rustc --version 2>/dev/null || echo unknown)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null | head -c1)
[ -n "$DIRTY" ] && COMMIT="$COMMIT (with uncommitted changes in src/)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PINNED="no"
[ ${#PIN[@]} -gt 0 ] && PINNED="yes, taskset -c $CORES"

# --- generate inventories ------------------------------------------------------------------------------
: >"$WORK/results"
: >"$WORK/short"
for n in $SIZES; do
    echo "== generating $(human "$n") servers" >&2
    python3 "$ROOT/scripts/gen-inventory.py" "$n" "$WORK/inv-$n.csv" --seed "$SEED"
done

# --- plan at each size ------------------------------------------------------------------------------------
for n in $SIZES; do
    h=$(human "$n")
    size_mb=$(du -m "$WORK/inv-$n.csv" | cut -f1)
    echo "== plan, $h servers (${size_mb} MB of CSV)" >&2
    measure "plan-json-$n" -- "$BIN" plan "$WORK/inv-$n.csv" --out "$WORK/out-$n" --format json
    rm -rf "$WORK/out-$n"
    measure "plan-table-$n" -- "$BIN" plan "$WORK/inv-$n.csv"
done

# --- short whole-process commands ---------------------------------------------------------------------------
echo "== short commands" >&2
short "pricing-show" -- "$BIN" pricing show m7i.large
short "plan-smb-office" -- "$BIN" plan "$ROOT/examples/smb-office.csv"

# --- report -------------------------------------------------------------------------------------------------
fail=0
verdict() { # verdict OK? -> "met" / "NOT met"
    if [ "$1" = 1 ]; then echo "met"; else fail=1; echo "**NOT met**"; fi
}

echo
echo "## rocklift benchmark, $(date +%Y-%m-%d)"
echo
echo "- machine: $NPROC cores ($CPU_MODEL), $MEM_TOTAL RAM; pinned to 2 cores: $PINNED"
echo "- $RUSTC; rocklift at $COMMIT; release profile of Cargo.toml"
echo "- plan: $RUNS runs each, wall time of the whole process and peak RSS (/usr/bin/time -v); inventories from scripts/gen-inventory.py --seed $SEED"
echo "- short commands: $SHORT_TOOL"
echo "- load average before / after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the machine skew the figures)"
echo
echo "| command | servers | best (s) | median (s) | peak RSS (MB) | median ms per 1k servers |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
while read -r label best median peak; do
    n=${label##*-}
    kind=${label%-*}
    case "$kind" in
        plan-json) cmd="\`plan FILE --out DIR --format json\`" ;;
        plan-table) cmd="\`plan FILE\` (table)" ;;
    esac
    per1k=$(awk -v m="$median" -v n="$n" 'BEGIN {printf "%.2f", m * 1000 / (n / 1000)}')
    printf '| %s | %s | %.3f | %.3f | %s | %s |\n' "$cmd" "$(human "$n")" "$best" "$median" "$peak" "$per1k"
done <"$WORK/results"
echo
echo "| whole process | min (ms) | median (ms) | mean (ms) | peak RSS (MB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
while read -r label min median mean peak; do
    case "$label" in
        pricing-show) cmd="\`pricing show m7i.large\`" ;;
        plan-smb-office) cmd="\`plan examples/smb-office.csv\` (10 servers)" ;;
    esac
    echo "| $cmd | $min | $median | $mean | $peak |"
done <"$WORK/short"

echo
echo "| goal | measured | |"
echo "| --- | --- | --- |"
for kind in plan-json plan-table; do
    line=$(grep "^$kind-100000 " "$WORK/results" || true)
    if [ -n "$line" ]; then
        read -r _ best median peak <<<"$line"
        ok_t=$(awk -v m="$median" -v g="$GOAL_100K_S" 'BEGIN {print (m <= g) ? 1 : 0}')
        ok_m=$(awk -v p="$peak" -v g="$GOAL_100K_MB" 'BEGIN {print (p < g) ? 1 : 0}')
        echo "| \`$kind\` 100k servers in ≤ ${GOAL_100K_S} s | median $(printf '%.3f' "$median") s | $(verdict "$ok_t") |"
        echo "| \`$kind\` 100k servers under ${GOAL_100K_MB} MB | $peak MB | $(verdict "$ok_m") |"
    fi
done
line=$(grep "^pricing-show " "$WORK/short" || true)
if [ -n "$line" ]; then
    read -r _ min median mean peak <<<"$line"
    ok=$(awk -v m="$median" -v g="$GOAL_SHOW_MS" 'BEGIN {print (m <= g) ? 1 : 0}')
    echo "| \`pricing show m7i.large\` ≤ ${GOAL_SHOW_MS} ms | median $median ms | $(verdict "$ok") |"
fi
# Linearity: median time per 1k servers, largest size against the smallest.
first=$(grep '^plan-json-' "$WORK/results" | head -n1 || true)
last=$(grep '^plan-json-' "$WORK/results" | tail -n1 || true)
if [ -n "$first" ] && [ "$first" != "$last" ]; then
    read -r l1 _ m1 _ <<<"$first"
    read -r l2 _ m2 _ <<<"$last"
    n1=${l1##*-}; n2=${l2##*-}
    ratio=$(awk -v a="$m1" -v b="$m2" -v n1="$n1" -v n2="$n2" 'BEGIN {printf "%.2f", (b / n2) / (a / n1)}')
    ok=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.5) ? 1 : 0}')
    echo "| linear growth (time per server at $(human "$n2") ÷ at $(human "$n1") ≤ 1.5) | $ratio | $(verdict "$ok") |"
fi

if [ "$CHECK" = 1 ] && [ "$fail" = 1 ]; then
    exit 1
fi
