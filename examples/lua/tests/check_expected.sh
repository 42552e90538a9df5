#!/usr/bin/env bash
# Re-runs PUC Lua 5.4 on every script of the corpus and fails if an expected output (NAME.out,
# committed so that the differential tests need no Lua) differs from what lua5.4 prints now.
# Usage: bash examples/lua/tests/check_expected.sh  (needs lua5.4 on PATH)
set -euo pipefail
cd "$(dirname "$0")/corpus"
command -v lua5.4 >/dev/null || { echo "check_expected: lua5.4 is not installed" >&2; exit 2; }
stale=0
count=0
for script in *.lua; do
    count=$((count + 1))
    expected="${script%.lua}.out"
    if ! lua5.4 "$script" 2>&1 | cmp -s - "$expected"; then
        echo "stale: $expected (lua5.4 $script prints something else):" >&2
        lua5.4 "$script" 2>&1 | diff -u "$expected" - >&2 || true
        stale=1
    fi
done
echo "check_expected: $count scripts, $([ $stale = 0 ] && echo 'all expected outputs current' || echo 'stale outputs above')"
exit $stale
