#!/bin/sh
# Regenerate the recorded cases from the reference interpreter (needs lua5.4;
# the tests themselves do not).  Run from the crate root.
set -e
for g in format number pattern; do
  lua5.4 tests/gen/$g.lua > tests/cases/${g}_cases.rs
done
lua5.4 tests/gen/printf.lua > tests/cases/printf_grid.rs
