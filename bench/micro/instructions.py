#!/usr/bin/env python3
"""Instructions per call of a micro-benchmark's measured function, under callgrind.

Wall-clock micro-benchmarks on this VM move by 30-50 % from one run to the next; instruction
counts do not. For each benchmark named, runs tracklake_micro under valgrind's callgrind and
prints the inclusive instructions of FUNCTION per call (averaged over every call the run made).

  bench/micro/instructions.py BINARY [BINARY...] --bench BM_ValidateSingle=Validator::Parse ...
"""
import argparse
import re
import subprocess
import tempfile
from pathlib import Path

CALLER = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+<\s.*\(([\d,]+)x\)")


def per_call(binary, bench, function, min_time):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
                        f"--benchmark_filter={bench}$", f"--benchmark_min_time={min_time}"],
                       check=True, capture_output=True)
        tree = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=caller", "--threshold=100", str(out)],
                              check=True, capture_output=True, text=True).stdout
    # The block of the function: its caller lines ("< caller (Nx)") precede the "*" line.
    total, calls, pending = 0, 0, []
    for line in tree.splitlines():
        m = CALLER.match(line)
        if m:
            pending.append((int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))))
        elif "*" in line and function in line:
            total += sum(p[0] for p in pending)
            calls += sum(p[1] for p in pending)
            pending = []
        elif not line.strip():
            pending = []
    return total / calls if calls else float("nan"), calls


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binaries", nargs="+")
    ap.add_argument("--bench", action="append", required=True, help="BENCHMARK=FUNCTION (substring of its name)")
    ap.add_argument("--min-time", default="0.5", help="benchmark_min_time under callgrind (it runs ~50x slower)")
    args = ap.parse_args()
    for spec in args.bench:
        bench, function = spec.split("=", 1)
        for binary in args.binaries:
            ir, calls = per_call(binary, bench, function, args.min_time)
            print(f"{bench:28} {binary:50} {ir:14,.0f} instructions per call of {function} ({calls} calls)")


if __name__ == "__main__":
    main()
