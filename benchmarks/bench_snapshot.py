"""Benchmark: one zone snapshot (DOCX, and the other formats) with 1M points in the store.

    python benchmarks/bench_snapshot.py --points 1000000 [--db URL] [--zone NAME]

Builds a fresh store (a temporary SQLite file unless ``--db`` names an empty database),
writes ``--points`` synthetic points -- 95 % incidents, 5 % observations, drawn uniformly in the
district over 2019-09-01 … 2023-08-31 with random categories (sensitive ones included), with a
numpy seed so every run writes the same -- then times :func:`mapapp.snapshot.make_snapshot`
for one zone and for the whole district, split into its parts (gather = the store reads and
the analysis; map = the matplotlib image; the writer). Target: a zone snapshot in under 5 s.
Timings are the best of ``--repeat`` runs. It prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import best  # noqa: E402

from mapapp.access import CLI_PRINCIPAL, Principal, Role  # noqa: E402
from mapapp.categories import INCIDENT_CATEGORIES, OBSERVATION_CATEGORIES  # noqa: E402
from mapapp.settings import load_settings  # noqa: E402
from mapapp.snapshot import make_snapshot, render  # noqa: E402
from mapapp.snapshot.content import gather  # noqa: E402
from mapapp.store import init_store  # noqa: E402
from mapapp.store.district import district_outline  # noqa: E402
from mapapp.store.engine import make_engine  # noqa: E402
from mapapp.store.points import count_points, insert_points  # noqa: E402

WHO = Principal("bench", Role.SAMORDNARE)


def _cpu() -> float:
    """CPU seconds (user + sys) of this process so far: waiting for a core on a shared
    machine does not count."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime




def fill(engine: Any, n: int, seed: int = 11, *, observation_share: float = 0.05) -> float:
    """``n`` points spread over the district and 2019-09 .. 2023-08 (chunks of 200,000), a
    ``observation_share`` of them observations; returns the seconds taken."""
    rng = np.random.default_rng(seed)
    district = district_outline(engine)
    x0, y0, x1, y1 = district.bounds
    start = pd.Timestamp("2019-09-01", tz="Europe/Stockholm").value
    span = pd.Timestamp("2023-09-01", tz="Europe/Stockholm").value - start
    t0 = time.perf_counter()
    n_obs = int(n * observation_share)
    for kind, count, cats in (("incident", n - n_obs, INCIDENT_CATEGORIES),
                              ("observation", n_obs, OBSERVATION_CATEGORIES)):
        done = 0
        while done < count:
            m = min(200_000, count - done)
            lon = rng.uniform(x0, x1, int(m * 1.6))
            lat = rng.uniform(y0, y1, int(m * 1.6))
            keep = shapely.contains_xy(district, lon, lat)
            lon, lat = lon[keep][:m], lat[keep][:m]
            m = len(lon)
            frame = pd.DataFrame({
                "source": "bench", "external_id": [f"{kind[0]}{done + i}" for i in range(m)],
                "category": rng.choice([c.code for c in cats], m),
                "occurred_at": pd.to_datetime(start + rng.integers(0, span, m), utc=True),
                "lon": lon, "lat": lat,
            })
            if kind == "observation":
                frame["status"] = "ny"
            with engine.begin() as conn:
                insert_points(conn, frame, kind)  # type: ignore[arg-type]
            done += m
    return time.perf_counter() - t0


def naive_counts(engine: Any, snap: Any, zone: str | None, settings: Any, repeat: int) -> None:
    """The counts of the snapshot's three periods: the database's day counts (what gather
    does) beside the naive way (read the three periods' points, count them in pandas)."""
    from mapapp.analysis.periods import parse_period
    from mapapp.analysis.stats import period_counts
    from mapapp.store.aggregates import DayFilter, daily_counts
    from mapapp.store.district import zones_frame
    from mapapp.store.points import PointFilter, load_points

    zones = zones_frame(engine)
    first = parse_period(snap.periods[0], stat_year_start_month=settings.stat_year_start_month)
    last = parse_period(snap.periods[-1], stat_year_start_month=settings.stat_year_start_month)
    zid = None if zone is None else tuple(int(i) for i in zones.loc[zones["name"] == zone, "id"])

    def fast() -> int:
        d = daily_counts(engine, ("incident", "observation"), DayFilter(
            start=first.start.date(), end=last.end.date(), zone_ids=zid, in_stadsdel=zone is None))
        return int(period_counts(d, zones=zones, zone=zone, weight="n")["count"].sum())

    def naive() -> int:
        pts = pd.concat([load_points(engine, WHO, k, PointFilter(  # type: ignore[arg-type]
            zone_ids=None if zid is None else list(zid), start=first.start.to_pydatetime(),
            end=last.end.to_pydatetime())) for k in ("incident", "observation")],
            ignore_index=True)
        if zone is None:
            pts = pts[pts["stadsdel"].notna()]
        return int(period_counts(pts, zones=zones, zone=zone)["count"].sum())

    tf, nf = best(fast, repeat)
    tn, nn = best(naive, 1)
    print(f"  counts of the three periods: database {tf:.2f} s; naive (read the points) "
          f"{tn:.2f} s; ratio {tn / tf:.1f}x; same total: {nf == nn} ({nf:,})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--zone", default="Älvsjö/Solberga")
    ap.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    init_store(engine, CLI_PRINCIPAL)
    settings = load_settings({}, database_url=url)
    print(f"# snapshot benchmark — {platform.python_version()}, {platform.machine()}, "
          f"{engine.dialect.name}")
    if count_points(engine, "incident") == 0:
        secs = fill(engine, args.points)
        print(f"write {args.points:,} points: {secs:.1f} s (setup, not the benchmark)")
    total = count_points(engine, "incident") + count_points(engine, "observation")
    print(f"points in the store: {total:,}")
    out = Path(tmp.name)
    for zone in (args.zone, None):
        label = zone or "whole district"
        g, snap = best(lambda z=zone: gather(engine, WHO, zone=z, period=None, since=None,
                                             settings=settings), args.repeat)
        print(f"\n{label}: period {snap.period}, {len(snap.map.points):,} points on the map")
        print(f"  gather (store reads + statistics + flags + measures): {g:.2f} s")
        for fmt in ("png", "docx", "pdf", "html"):
            r, _ = best(lambda f=fmt, s=snap: render(s, f, settings=settings), args.repeat)
            print(f"  render {fmt:4}: {r:.2f} s")
        walls, cpus, loads = [], [], []
        for _ in range(max(1, args.repeat)):
            loads.append(os.getloadavg()[0])
            t0, c0 = time.perf_counter(), _cpu()
            make_snapshot(engine, WHO, zone=zone, period=None, since=None,
                          out=out / "s.docx", settings=settings)
            walls.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
        e2e = min(walls)
        verdict = "under" if e2e <= 3 else "OVER"
        print(f"  make_snapshot .docx end to end: {e2e:.2f} s best wall ({verdict} the 3 s "
              f"target); runs {', '.join(f'{w:.2f}' for w in walls)} s wall, CPU "
              f"{', '.join(f'{c:.2f}' for c in cpus)} s (user + sys of this process); load "
              f"average {min(loads):.1f}–{max(loads):.1f}")
        naive_counts(engine, snap, zone, settings, args.repeat)
    engine.dispose()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
