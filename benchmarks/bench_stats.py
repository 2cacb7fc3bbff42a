"""``mapapp stats`` on a SQLite store of 1,000,000 incidents: counted in the database (one
``GROUP BY zone, category, local day``) beside the naive way (every point read into pandas and
counted there), in the same run, with the ratio.

Printed:

- the command as a user runs it (``mapapp stats --format json`` in a new process), minus the
  process start (``mapapp stats --help`` in a new process: the interpreter and the imports);
- in-process: the database aggregate against ``load_points`` + ``period_counts``, and whether
  the two give the same counts (and that they count every incident);
- peak memory (ru_maxrss) of each command process.

    python benchmarks/bench_stats.py                       # 1M incidents in a temp SQLite file
    python benchmarks/bench_stats.py --db sqlite:///x.db   # reuse (filled if it is empty)

A benchmark, not a test: it prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timing import best  # noqa: E402

from mapapp.access import CLI_PRINCIPAL  # noqa: E402
from mapapp.store import init_store  # noqa: E402
from mapapp.store.district import zones_frame  # noqa: E402
from mapapp.store.engine import make_engine  # noqa: E402
from mapapp.store.points import count_points  # noqa: E402

BIN = Path(sys.executable).parent


def fill_incidents(engine: Any, n: int, seed: int = 16) -> float:
    """``n`` incidents spread over the district and 2019-09 .. 2023-08 (bench_snapshot's filler)."""
    from bench_snapshot import fill

    return fill(engine, n, seed, observation_share=0.0)


def run_command(args: list[str], url: str) -> tuple[float, float, str, float]:
    """Wall seconds, peak MB (maximum resident set), stdout and CPU seconds (user + sys, which
    waiting for a core on a shared machine does not inflate) of one ``mapapp`` process."""
    import resource

    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPAPP_")}
    env["MAPAPP_DATABASE_URL"] = url
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "mapapp"), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"mapapp {' '.join(args)} failed: {err}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of the children is the largest child so far: a lower bound of this one's peak
    return wall, after.ru_maxrss / 1024, out, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--db", help="SQLite URL (filled with --incidents when it has none)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (3)")
    a = ap.parse_args()
    tmp = None
    if a.db:
        url = a.db
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-stats-")
        url = f"sqlite:///{tmp.name}/mapapp.db"
    engine = make_engine(url)
    init_store(engine, CLI_PRINCIPAL)
    have = count_points(engine, "incident")
    if have == 0:
        secs = fill_incidents(engine, a.incidents)
        print(f"filled {a.incidents:,} incidents in {secs:.1f} s")
        have = a.incidents
    engine.dispose()
    print(f"store: {url} ({have:,} incidents)")

    # The command as a user runs it.
    starts, runs = [], []
    for _ in range(a.repeat):  # alternating, so both see the same load
        load = os.getloadavg()[0]
        starts.append(run_command(["stats", "--help"], url) + (load,))
        load = os.getloadavg()[0]
        runs.append(run_command(["stats", "--format", "json"], url) + (load,))
    start = min(r[0] for r in starts)
    wall = min(r[0] for r in runs)
    cpu_start = min(r[3] for r in starts)
    cpu = min(r[3] for r in runs)
    records = json.loads(runs[0][2])
    total = sum(r["count"] for r in records)
    loads = [r[4] for r in starts + runs]
    for i, (st_, ru) in enumerate(zip(starts, runs, strict=True), 1):
        print(f"  run {i}: stats --help {st_[0]:.2f} s wall / {st_[3]:.2f} s CPU (load "
              f"{st_[4]:.1f}); stats --format json {ru[0]:.2f} s wall / {ru[3]:.2f} s CPU "
              f"(load {ru[4]:.1f})")
    print(f"mapapp stats --format json: {wall:.2f} s wall; process start (stats --help) "
          f"{start:.2f} s; beyond the start {wall - start:.2f} s wall (best of {a.repeat} "
          f"each), CPU {cpu:.2f} s against {cpu_start:.2f} s: {cpu - cpu_start:.2f} s CPU beyond "
          f"the start; load average {min(loads):.1f}–{max(loads):.1f}; peak "
          f"{max(r[1] for r in runs):.0f} MB; {len(records)} records, sum {total:,}")

    from mapapp.analysis.stats import period_counts
    from mapapp.store.aggregates import zone_period_counts
    from mapapp.store.points import load_points

    engine = make_engine(url)
    zones = zones_frame(engine)

    def fast() -> pd.DataFrame:
        return zone_period_counts(engine, CLI_PRINCIPAL, kinds=("incident", "observation"),
                                  zones=zones)

    def naive() -> pd.DataFrame:
        pts = pd.concat([load_points(engine, CLI_PRINCIPAL, "incident"),
                         load_points(engine, CLI_PRINCIPAL, "observation")], ignore_index=True)
        return period_counts(pts, zones=zones)

    t_fast, f = best(fast, a.repeat)
    t_naive, g = best(naive, 1)
    same = f.reset_index(drop=True).equals(g.reset_index(drop=True))
    print(f"in-process: database GROUP BY {t_fast:.3f} s; naive (read every point) "
          f"{t_naive:.3f} s; ratio {t_naive / t_fast:.1f}x; same counts: {same}; "
          f"sum {int(f['count'].sum()):,}")
    print(f"naive way (in-process, read every point) {t_naive:.2f} s against the command's "
          f"{wall - start:.2f} s beyond its start: ratio {t_naive / max(wall - start, 1e-9):.1f}x")

    engine.dispose()
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
