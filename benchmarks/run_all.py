"""The whole benchmark suite, one command (``make bench``): every user-facing operation beside
the naive way, with ratios, at the sizes the issues name. Prints figures; never fails a build on
time (a benchmark that crashes is reported and the suite goes on).

    python benchmarks/run_all.py            # everything (about 15–25 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # small sizes, to check the suite runs
    python benchmarks/run_all.py --only import analysis

Each part is its own script in this folder (run one with --help for its options). The
figures of the last full run are in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL: dict[str, list[str]] = {
    "import": ["bench_import.py", "--rows", "1000000"],
    "analysis": ["bench_analysis.py", "--points", "100000", "1000000"],
    "map": ["bench_map.py", "--store"],
    "stats": ["bench_stats.py", "--incidents", "1000000"],
    "snapshot": ["bench_snapshot.py", "--points", "1000000"],
    "postgis": ["bench_postgis.py", "--points", "5000000"],
    "load-sqlite": ["load_test.py", "--backend", "sqlite", "--seconds", "20"],
    "load-postgres": ["load_test.py", "--backend", "postgres", "--seconds", "20"],
}
QUICK: dict[str, list[str]] = {
    "import": ["bench_import.py", "--rows", "50000", "--naive-rows", "1000"],
    "analysis": ["bench_analysis.py", "--points", "50000", "--repeat", "1"],
    "map": ["bench_map.py", "--points", "50000"],
    "stats": ["bench_stats.py", "--incidents", "50000", "--repeat", "1"],
    "snapshot": ["bench_snapshot.py", "--points", "50000", "--repeat", "1"],
    "postgis": ["bench_postgis.py", "--points", "100000", "--repeat", "1", "--sample", "2000"],
    "load-sqlite": ["load_test.py", "--backend", "sqlite", "--seconds", "5"],
    "load-postgres": ["load_test.py", "--backend", "postgres", "--seconds", "5"],
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--only", nargs="+", choices=sorted(FULL), help="run only these parts")
    args = ap.parse_args(argv)
    plan = QUICK if args.quick else FULL
    print(f"# mapapp benchmarks — {platform.platform()}, {platform.processor() or '?'}, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}")
    failed = []
    for name, cmd in plan.items():
        if args.only and name not in args.only:
            continue
        script = HERE / cmd[0]
        if not script.exists():
            print(f"\n## {name}: {cmd[0]} missing")
            failed.append(name)
            continue
        print(f"\n## {name}: python benchmarks/{' '.join(cmd)}\n", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *cmd[1:]])
        print(f"\n({name}: {time.perf_counter() - t0:.0f} s wall, exit {rc})", flush=True)
        if rc != 0:
            failed.append(name)
    if failed:
        print(f"\nparts that did not finish: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
