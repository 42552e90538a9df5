#!/usr/bin/env bash
# Whole-process comparison of gcheap against Go and the Boehm collector on four workloads
# (binary-trees, GCBench, the gc-latency ring, small-object allocation). See
# benches/process/README.md.
#
# Usage: bash benches/process/run.sh
# Environment: RUNS (runs per workload and implementation, default 3), BT_DEPTH (binary-trees
# maximum depth, default 18), LATENCY_PUSHES (latency-ring pushes, default 1000000),
# SMALL_ALLOCS (small-object allocations per object size, default 20000000).
# Progress goes to stderr; the machine description and the table go to stdout.
set -euo pipefail

RUNS=${RUNS:-3}
BT_DEPTH=${BT_DEPTH:-18}
LATENCY_PUSHES=${LATENCY_PUSHES:-1000000}
SMALL_ALLOCS=${SMALL_ALLOCS:-20000000}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN="$ROOT/target/peers"
IMPLS=(gcheap go boehm)
WORKLOADS=(binary_trees gcbench latency small_alloc)
# The object sizes of small_alloc, in bytes (each program prints alloc_ns_<size>).
SIZES=(16 32 64)

log() { echo "[peers] $*" >&2; }
die() {
    echo "[peers] error: $*" >&2
    exit 1
}

# --- Install what is missing -------------------------------------------------------------
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
{ [ -e /usr/include/gc.h ] || [ -e /usr/include/gc/gc.h ]; } || missing+=(libgc-dev)
[ -x /usr/bin/time ] || missing+=(time)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2 ||
        die "could not install ${missing[*]}"
fi
command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust: https://rustup.rs)"

# --- Build ---------------------------------------------------------------------------------
mkdir -p "$BIN"
log "building the Go programs"
for w in "${WORKLOADS[@]}"; do
    (cd "$HERE/go" && go build -o "$BIN/go_$w" "$w.go")
done
log "building the C programs (Boehm GC)"
for w in "${WORKLOADS[@]}"; do
    gcc -O2 -o "$BIN/boehm_$w" "$HERE/boehm/$w.c" -lgc -lm
done
log "building the gcheap examples (cargo build --release --examples)"
(cd "$ROOT" && cargo build --release --examples --quiet)
for w in "${WORKLOADS[@]}"; do
    cp "$ROOT/target/release/examples/peer_$w" "$BIN/gcheap_$w"
done

# The command line of workload $1 for implementation $2.
command_for() {
    local args=()
    case $1 in
        binary_trees) args=("$BT_DEPTH") ;;
        latency) args=("$LATENCY_PUSHES") ;;
        small_alloc) args=("$SMALL_ALLOCS") ;;
    esac
    echo "$BIN/$2_$1" "${args[@]}"
}

# --- Run -----------------------------------------------------------------------------------
# Each run appends "workload impl wall user sys rss_kib checksum worst_ns p999_ns ns_16 ns_32
# ns_64" to $RESULTS ("-" for the figures a workload does not print).
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
RESULTS="$TMP/results"
: >"$RESULTS"
for w in "${WORKLOADS[@]}"; do
    for ((r = 1; r <= RUNS; r++)); do
        for impl in "${IMPLS[@]}"; do
            # shellcheck disable=SC2046
            set -- $(command_for "$w" "$impl")
            log "$w / $impl, run $r of $RUNS: $*"
            if ! env -u GOGC -u GOMAXPROCS /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" \
                "$@" >"$TMP/out"; then
                cat "$TMP/out" >&2
                die "$w / $impl failed"
            fi
            checksum=$(awk '$1 == "checksum" { print $2 }' "$TMP/out")
            worst=$(awk '$1 == "worst_push_ns" { print $2 }' "$TMP/out")
            p999=$(awk '$1 == "p999_push_ns" { print $2 }' "$TMP/out")
            [ -n "$checksum" ] || die "$w / $impl printed no checksum"
            per_alloc=()
            for size in "${SIZES[@]}"; do
                ns=$(awk -v k="alloc_ns_$size" '$1 == k { print $2 }' "$TMP/out")
                if [ "$w" = small_alloc ] && [ -z "$ns" ]; then
                    die "$w / $impl printed no alloc_ns_$size"
                fi
                per_alloc+=("${ns:--}")
            done
            echo "$w $impl $(tail -n 1 "$TMP/time") $checksum ${worst:--} ${p999:--}" \
                "${per_alloc[*]}" >>"$RESULTS"
        done
    done
    # Every checksum of a workload must agree, across implementations and runs.
    sums=$(awk -v w="$w" '$1 == w { print $2 ": " $7 }' "$RESULTS" | sort -u)
    if [ "$(awk '{ print $2 }' <<<"$sums" | sort -u | wc -l)" -ne 1 ]; then
        die "checksums of $w disagree:"$'\n'"$sums"
    fi
    log "$w: checksum $(awk -v w="$w" '$1 == w { print $7; exit }' "$RESULTS") (all agree)"
done

# --- Report --------------------------------------------------------------------------------
# The median of the numbers on stdin (the mean of the middle two for an even count).
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# Column $3 of the results of workload $1, implementation $2 (an awk expression of fields).
column() {
    awk -v w="$1" -v i="$2" '$1 == w && $2 == i { print '"$3"' }' "$RESULTS"
}

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
libgc_version=$(dpkg-query -W -f '${Version}' libgc-dev 2>/dev/null ||
    pkg-config --modversion bdw-gc 2>/dev/null || echo unknown)
echo "## gcheap vs Go vs Boehm GC (whole processes)"
echo
echo "- nproc: $(nproc)"
echo "- CPU: ${cpu_model:-unknown}"
echo "- go: $(go version | sed 's/^go version //')"
echo "- libgc (Boehm GC): $libgc_version"
echo "- gcc: $(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)"
echo "- rustc: $(rustc --version | sed 's/^rustc //')"
echo "- workloads: binary-trees depth $BT_DEPTH; GCBench (stretch 18, long-lived 16, array 500,000);" \
    "latency ring 200,000 slots, $LATENCY_PUSHES pushes of 1 KiB;" \
    "small_alloc $SMALL_ALLOCS allocations of each of ${SIZES[*]} B (ring of 1024)"
echo "- $RUNS run(s) each; every figure is the median over the runs; Go with default GOGC"
echo
echo "| workload | implementation | wall (s) | CPU user+sys (s) | peak RSS (MiB) | worst push (ms) | p99.9 push (µs) | wall / gcheap |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for w in "${WORKLOADS[@]}"; do
    base=$(column "$w" gcheap '$3' | median)
    for impl in "${IMPLS[@]}"; do
        wall=$(column "$w" "$impl" '$3' | median)
        cpu=$(column "$w" "$impl" '$4 + $5' | median)
        rss=$(column "$w" "$impl" '$6' | median)
        worst=$(column "$w" "$impl" '$8' | grep -v '^-$' | median || true)
        p999=$(column "$w" "$impl" '$9' | grep -v '^-$' | median || true)
        worst_ms="–"
        p999_us="–"
        [ "$worst" != "-" ] && worst_ms=$(awk -v x="$worst" 'BEGIN { printf "%.2f", x / 1e6 }')
        [ "$p999" != "-" ] && p999_us=$(awk -v x="$p999" 'BEGIN { printf "%.1f", x / 1e3 }')
        awk -v w="$w" -v i="$impl" -v wall="$wall" -v cpu="$cpu" -v rss="$rss" -v base="$base" \
            -v worst="$worst_ms" -v p999="$p999_us" 'BEGIN {
            printf "| %s | %s | %.2f | %.2f | %.0f | %s | %s | %.2f× |\n",
                w, i, wall, cpu, rss / 1024, worst, p999, (base > 0 ? wall / base : 0) }'
    done
done
echo
# Small-object allocation: each program's own timing of its allocation loops (start-up, heap
# set-up and teardown excluded), in nanoseconds per allocation, and the others' relative to
# gcheap's. Field 10 + k of a result line is the figure for SIZES[k].
others=()
for impl in "${IMPLS[@]}"; do
    [ "$impl" = gcheap ] || others+=("$impl")
done
header="| object size |"
rule="|---:|"
for impl in "${IMPLS[@]}"; do
    header+=" $impl (ns/alloc) |"
    rule+="---:|"
done
for impl in "${others[@]}"; do
    header+=" $impl / gcheap |"
    rule+="---:|"
done
echo "$header"
echo "$rule"
for k in "${!SIZES[@]}"; do
    field="\$$((10 + k))"
    base=$(column small_alloc gcheap "$field" | median)
    row="| ${SIZES[$k]} B |"
    for impl in "${IMPLS[@]}"; do
        ns=$(column small_alloc "$impl" "$field" | median)
        row+=" $(awk -v x="$ns" 'BEGIN { printf "%.1f", x }') |"
    done
    for impl in "${others[@]}"; do
        ns=$(column small_alloc "$impl" "$field" | median)
        row+=" $(awk -v x="$ns" -v b="$base" 'BEGIN { printf "%.2f×", (b > 0 ? x / b : 0) }') |"
    done
    echo "$row"
done
echo
echo "Checksums (all implementations agree):"
for w in "${WORKLOADS[@]}"; do
    echo "- $w: $(awk -v w="$w" '$1 == w { print $7; exit }' "$RESULTS")"
done
