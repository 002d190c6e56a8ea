#!/usr/bin/env bash
# Benchmark the HPC core (sacct parse, replay, replay with a burst policy) on a synthetic history,
# in release. Not a test: it prints figures (a markdown table at the end).
#
#   scripts/bench-hpc.sh                 # 1M jobs, 3 runs per phase
#   JOBS=100000 RUNS=1 scripts/bench-hpc.sh
#   scripts/bench-hpc.sh --check         # exit 1 when a replay takes more than 3 s (wall, median)
#
# Environment:
#   JOBS       jobs in the generated history (default 1000000)
#   RUNS       runs per phase; best and median reported (default 3)
#   MAX_WAIT   burst policy max_wait in seconds (default 3600)
#   CORES      CPU list to pin to with taskset when the machine has more than 2 cores
#              (default "0,1": the goal is for 2 cores); "" = no pinning
#   SEED       seed for scripts/gen-sacct.py (default 42)
#
# Each phase runs as its own process (examples/replay_bench.rs --mode parse|replay|burst): the
# example prints each phase's wall and CPU seconds; /usr/bin/time -v (when present) adds the peak
# RSS of the whole process (which holds the parsed history). CPU seconds are also shown because
# other processes on a shared machine stretch wall time. The history and cluster go to a mktemp
# directory that is removed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${JOBS:-1000000}
RUNS=${RUNS:-3}
MAX_WAIT=${MAX_WAIT:-3600}
CORES=${CORES-0,1}
SEED=${SEED:-42}
GOAL_S=3.0
CHECK=0
for arg in "$@"; do
    case "$arg" in
        --check) CHECK=1 ;;
        -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-hpc.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

die() { echo "bench-hpc.sh: $*" >&2; exit 1; }
command -v python3 >/dev/null || die "python3 is needed to generate the history"
command -v cargo >/dev/null || die "cargo is needed to build the benchmark"

echo "== building examples/replay_bench.rs (release)" >&2
(cd "$ROOT" && cargo build --release --quiet --example replay_bench)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
BIN=$TARGET_DIR/release/examples/replay_bench
[ -x "$BIN" ] || die "no binary at $BIN after the build"

PIN=()
if [ -n "$CORES" ] && [ "$(nproc)" -gt 2 ] && command -v taskset >/dev/null; then
    PIN=(taskset -c "$CORES")
fi
TIME=()
[ -x /usr/bin/time ] && TIME=(/usr/bin/time -v -o)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rocklift-bench-hpc.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== generating $JOBS jobs (scripts/gen-sacct.py --seed $SEED)" >&2
python3 "$ROOT/scripts/gen-sacct.py" "$JOBS" "$WORK/sacct.txt" --seed "$SEED" --cluster-toml "$WORK/cluster.toml"
SIZE_MB=$(du -m "$WORK/sacct.txt" | cut -f1)
LINES=$(wc -l <"$WORK/sacct.txt")

# run MODE PHASE...: RUNS runs of the example; appends "PHASE wall cpu peak_mb" per run and phase to $WORK/runs.
: >"$WORK/runs"
run() {
    local mode=$1 i out wall cpu kb phase
    shift
    for ((i = 1; i <= RUNS; i++)); do
        if [ ${#TIME[@]} -gt 0 ]; then
            out=$("${PIN[@]}" "${TIME[@]}" "$WORK/time.txt" "$BIN" "$WORK/sacct.txt" "$WORK/cluster.toml" --mode "$mode" --max-wait "$MAX_WAIT")
            kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time.txt")
        else
            out=$("${PIN[@]}" "$BIN" "$WORK/sacct.txt" "$WORK/cluster.toml" --mode "$mode" --max-wait "$MAX_WAIT")
            kb=0
        fi
        for phase in "$@"; do
            read -r wall cpu < <(awk -v p="$phase" '$1 == p {print $2, $3}' <<<"$out")
            [ -n "$wall" ] || die "no '$phase' line in the output of --mode $mode: $out"
            printf '   %-13s run %d: %6.3f s wall, %5.2f s CPU, %7.1f MB peak\n' "$phase" "$i" "$wall" "$cpu" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')" >&2
            echo "$phase $wall $cpu $(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}')" >>"$WORK/runs"
        done
        if [ "$i" = 1 ]; then
            grep '^#' <<<"$out" | grep -v '^# phase' >&2 || true
        fi
    done
}

echo "== read and parse" >&2
run parse read parse
echo "== replay without a policy" >&2
run replay replay
echo "== replay with a burst policy (max_wait $MAX_WAIT s, 5 shapes)" >&2
run burst replay_burst

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
best() { sort -g | head -n1; }

echo
echo "## rocklift HPC benchmark, $(date +%Y-%m-%d)"
echo
echo "- machine: $(nproc) cores ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)); pinned: $([ ${#PIN[@]} -gt 0 ] && echo "taskset -c $CORES" || echo no); load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "- $(rustc --version 2>/dev/null || echo rustc unknown); rocklift at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "- history: $JOBS jobs from scripts/gen-sacct.py --seed $SEED ($LINES lines, $SIZE_MB MB, with .batch steps); cluster: 232 nodes, 14336 cores"
echo "- $RUNS runs per phase, each phase its own process; wall and CPU seconds of the phase itself, peak RSS of the process"
echo
echo "| phase | best wall (s) | median wall (s) | median CPU (s) | peak RSS (MB) |"
echo "| --- | ---: | ---: | ---: | ---: |"
fail=0
for phase in read parse replay replay_burst; do
    b=$(awk -v p="$phase" '$1 == p {print $2}' "$WORK/runs" | best)
    m=$(awk -v p="$phase" '$1 == p {print $2}' "$WORK/runs" | median)
    c=$(awk -v p="$phase" '$1 == p {print $3}' "$WORK/runs" | median)
    r=$(awk -v p="$phase" '$1 == p {print $4}' "$WORK/runs" | sort -g | tail -n1)
    case "$phase" in
        read) label="read the file (read_to_string)" ;;
        parse) label="parse_sacct" ;;
        replay) label="replay, no policy" ;;
        replay_burst) label="replay, burst policy" ;;
    esac
    echo "| $label | $b | $m | $c | $r |"
    if [ "${phase#replay}" != "$phase" ] && awk -v m="$m" -v g="$GOAL_S" 'BEGIN {exit !(m > g)}'; then
        fail=1
    fi
done
echo
if [ "$fail" = 1 ]; then
    echo "Goal (each replay of $JOBS jobs in ≤ ${GOAL_S} s): **NOT met** (median wall)."
else
    echo "Goal (each replay of $JOBS jobs in ≤ ${GOAL_S} s): met (median wall)."
fi
if [ "$CHECK" = 1 ] && [ "$fail" = 1 ]; then
    exit 1
fi
