#!/usr/bin/env python3
"""Turn `cargo bench --bench alloc` output into the markdown table of BENCHMARKS.md.

Usage: cargo bench --bench alloc 2>&1 | tee bench.txt; python3 scripts/bench_table.py bench.txt
Each row is a criterion group; times are criterion's median estimate per iteration and per object.
"""
import re
import sys

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
BATCH = {"16B": 1000, "64B": 1000, "256B": 1000, "1KiB": 1000, "32KiB": 100, "1MiB": 10}
PEERS = ("gcheap", "system", "mimalloc")


def parse(path):
    text = open(path, encoding="utf-8").read()
    pattern = r"^(\S+)/(gcheap|system|mimalloc)\s*\n\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]"
    groups = {}
    for m in re.finditer(pattern, text, re.M):
        groups.setdefault(m.group(1), {})[m.group(2)] = float(m.group(3)) * UNITS[m.group(4)]
    return groups


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.3g} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.3g} µs"
    return f"{ns:.3g} ns"


def main():
    groups = parse(sys.argv[1])
    print("| group | gcheap | system | mimalloc | gcheap / object | gcheap ÷ mimalloc | gcheap ÷ system |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, times in groups.items():
        if not all(p in times for p in PEERS):
            continue
        _, threads, size = name.split("/")
        n = BATCH[size] * int(threads[0])
        g, s, m = (times[p] for p in PEERS)
        print(f"| {name} | {fmt(g)} | {fmt(s)} | {fmt(m)} | {fmt(g / n)} | {g / m:.2f} | {g / s:.2f} |")


if __name__ == "__main__":
    main()
