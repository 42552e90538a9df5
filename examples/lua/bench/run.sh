#!/usr/bin/env bash
# run.sh: the Lua benchmark suite, gcheap-lua against PUC Lua 5.4 and piccolo.
#
# What it measures: for each benchmark of the suite (the seven scripts listed in `suite` below,
# .lua files in this directory), the wall-clock time and peak resident set size of one whole
# process running the script at its default size, on three VMs:
#   gcheap-lua  this repository's interpreter (target/release/gcheap-lua), run with
#               GCHEAP_LUA_STATS=1 so it reports its collector's figures on stderr;
#   lua5.4      PUC Lua (the reference: every VM's stdout must equal its output);
#   piccolo     the piccolo crate, through piccolo-runner/ (a separate Cargo project).
# Runs are interleaved (for each run: gcheap-lua, lua5.4, piccolo) so that drift in the
# machine's speed hits all three alike. Times and RSS come from GNU time (`%e %M`): the
# table shows the median over the runs (the lower middle one for an even count), and the GC
# figures are from gcheap-lua's median-time run. A VM whose stdout differs from lua5.4's is
# marked "✗" and gets no ratio; one that fails (non-zero exit) shows "n/a"; the reasons are
# listed under the table.
#
# How to run (from anywhere; it builds both binaries first, in release mode):
#   examples/lua/bench/run.sh                    # all benchmarks, 5 runs each
#   RUNS=3 examples/lua/bench/run.sh             # fewer runs
#   examples/lua/bench/run.sh binary_trees closures   # a subset (or another script), by name
# Environment: RUNS (default 5), LUA (default lua5.4), KEEP_OUT=dir to keep every run's
# stdout/stderr/time files in dir (default: a temporary directory, removed at exit).
# It needs GNU time at /usr/bin/time, cargo, and lua5.4. Run it on an otherwise idle machine.

set -eu

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$bench_dir/../../.." && pwd)
runs=${RUNS:-5}
lua=${LUA:-lua5.4}

gcheap_bin=$root/target/release/gcheap-lua
piccolo_bin=$bench_dir/piccolo-runner/target/release/piccolo-runner

echo "building gcheap-lua and piccolo-runner (release)..." >&2
(cd "$root" && cargo build --release --quiet -p gcheap-lua)
cargo build --release --quiet --manifest-path "$bench_dir/piccolo-runner/Cargo.toml"
command -v "$lua" >/dev/null || { echo "run.sh: $lua not found" >&2; exit 1; }

if [ -n "${KEEP_OUT:-}" ]; then
  out=$KEEP_OUT
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

# The suite; other scripts in this directory (e.g. long_loop) run only when named.
suite="binary_trees table_churn string_building closures method_dispatch weak_cache gc_finalizers"
if [ $# -gt 0 ]; then
  benches="$*"
else
  benches=$suite
fi

vms="gcheap-lua lua5.4 piccolo"

# run_one VM SCRIPT PREFIX: one timed process; leaves PREFIX.out, .err, .time (wall KB), .rc
run_one() {
  local vm=$1 script=$2 prefix=$3 rc=0
  case $vm in
    gcheap-lua) set -- env GCHEAP_LUA_STATS=1 "$gcheap_bin" "$script" ;;
    lua5.4) set -- "$lua" "$script" ;;
    piccolo) set -- "$piccolo_bin" "$script" ;;
  esac
  /usr/bin/time -o "$prefix.time" -f "%e %M" "$@" >"$prefix.out" 2>"$prefix.err" || rc=$?
  echo "$rc" >"$prefix.rc"
}

# median of the numbers on stdin (lower middle for an even count)
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# first difference between two outputs, for the notes
first_diff() {
  awk 'NR == FNR { want[FNR] = $0; n = FNR; next }
       { got[FNR] = $0; m = FNR }
       END {
         for (i = 1; i <= (n > m ? n : m); i++)
           if (want[i] != got[i]) {
             printf "line %d: lua5.4 `%s`, got `%s`", i, want[i], got[i]; exit
           }
       }' "$1" "$2"
}

# why a run failed: a Rust panic's message, else the first line of stderr
fail_reason() {
  local msg
  msg=$(awk '/panicked at/ { where = $NF; getline m; print "panic at " where " " m; exit }' "$1" |
    sed 's|/[^ ]*/registry/src/[^/]*/||')
  [ -n "$msg" ] || msg=$(head -n 1 "$1")
  printf 'exit %s: %s' "$(cat "$2")" "$msg"
}

# ratio A B: the median time of VM A over VM B's, when both ran and matched lua5.4
# (reads the current benchmark's med/ok tables)
ratio() {
  if [ "${ok[$1]}" = ok ] && [ "${ok[$2]}" = ok ]; then
    awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
  else
    echo n/a
  fi
}

notes=""
rows=""
for b in $benches; do
  script=$bench_dir/$b.lua
  [ -f "$script" ] || { echo "run.sh: no benchmark $b" >&2; exit 1; }
  for r in $(seq 1 "$runs"); do
    for vm in $vms; do
      echo "  $b: run $r/$runs, $vm" >&2
      run_one "$vm" "$script" "$out/$b.$vm.$r"
    done
  done

  ref=$out/$b.lua5.4.1.out
  row="| $b"
  declare -A med=() ok=() rss=()
  for vm in $vms; do
    status=ok
    for r in $(seq 1 "$runs"); do
      p=$out/$b.$vm.$r
      if [ "$(cat "$p.rc")" != 0 ]; then
        status=failed
        notes="$notes- $b on $vm (run $r): $(fail_reason "$p.err" "$p.rc")\n"
        break
      elif ! cmp -s "$ref" "$p.out"; then
        status=mismatch
        notes="$notes- $b on $vm (run $r): stdout differs from lua5.4, $(first_diff "$ref" "$p.out")\n"
        break
      fi
    done
    ok[$vm]=$status
    med[$vm]=$(for r in $(seq 1 "$runs"); do cut -d' ' -f1 "$out/$b.$vm.$r.time"; done | median)
    rss[$vm]=$(for r in $(seq 1 "$runs"); do cut -d' ' -f2 "$out/$b.$vm.$r.time"; done | median)
  done

  for vm in $vms; do
    case ${ok[$vm]} in
      ok) row="$row | ${med[$vm]}" ;;
      mismatch) row="$row | ${med[$vm]} ✗" ;;
      failed) row="$row | n/a" ;;
    esac
  done
  row="$row | $(ratio gcheap-lua lua5.4) | $(ratio gcheap-lua piccolo)"
  for vm in $vms; do
    if [ "${ok[$vm]}" = failed ]; then
      row="$row | n/a"
    else
      row="$row | $(awk -v k="${rss[$vm]}" 'BEGIN { printf "%.1f", k / 1024 }')"
    fi
  done

  # GC figures from gcheap-lua's median-time run (the first run with that time)
  gc="n/a"
  for r in $(seq 1 "$runs"); do
    if [ "$(cut -d' ' -f1 "$out/$b.gcheap-lua.$r.time")" = "${med[gcheap-lua]}" ]; then
      gc=$(sed -n 's/^gcheap-lua: \([0-9]*\) cycles, worst pause \([0-9.]*\) ms, worst stop \([0-9.]*\) ms.*/\1 cycles, pause \2 ms, stop \3 ms/p' \
        "$out/$b.gcheap-lua.$r.err" | tail -n 1)
      [ -n "$gc" ] || gc="n/a"
      break
    fi
  done
  rows="$rows$row | $gc |\n"
  unset med ok rss
done

echo
echo "Lua benchmarks: median of $runs interleaved runs; wall seconds, peak RSS in MB ($(nproc) CPUs, $($lua -v 2>&1 | head -n 1 | cut -d' ' -f1-2), piccolo $(sed -n '/^name = "piccolo"$/{n;s/version = "\(.*\)"/\1/p}' "$bench_dir/piccolo-runner/Cargo.lock"))"
echo
echo "| benchmark | gcheap-lua (s) | lua5.4 (s) | piccolo (s) | gcheap/lua5.4 | gcheap/piccolo | RSS gcheap (MB) | RSS lua5.4 (MB) | RSS piccolo (MB) | gcheap-lua GC (cycles, worst pause, worst stop) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
printf "%b" "$rows"
if [ -n "$notes" ]; then
  echo
  echo "Notes (✗ = stdout differs from lua5.4, n/a = the run failed):"
  printf "%b" "$notes"
fi
