"""Benchmark: importing a large incidents CSV into the SQLite store, against the naive way.

Generates a reproducible synthetic CSV (points inside the district, codes and Swedish labels,
local times 2019–2023, one id per row) in a temporary folder, initialises a fresh SQLite store
there, and times

* the full import, ``mapapp.io.pipeline.import_file`` (parse with pyarrow, vectorised checks,
  zone and stadsdel by a vectorised spatial join, bulk write, audit), on ``--rows`` rows;
* the naive way on ``--naive-rows`` rows of the same file: ``csv`` module row by row, a
  per-row shapely point-in-polygon loop over the zones and stadsdelar, one ORM object and a
  flush per row; scaled to ``--rows``.

It prints both figures and their ratio. Not a test: it never fails on time.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--naive-rows 5000]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import pstats
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapapp.access import CLI_PRINCIPAL  # noqa: E402
from mapapp.io.pipeline import import_file  # noqa: E402
from mapapp.io.report import ImportOptions  # noqa: E402
from mapapp.store import init_store  # noqa: E402
from mapapp.store.district import district_outline, stadsdelar_frame, zones_frame  # noqa: E402
from mapapp.store.engine import make_engine, session_scope  # noqa: E402
from mapapp.store.models import Incident  # noqa: E402

CATEGORIES = ("narkotikabrott", "Våld i offentlig miljö", "personran", "Skadegörelse",
              "inbrott", "Stöld", "ordningsstorning", "Övrigt")


def make_csv(path: Path, n: int, district: shapely.Geometry, seed: int) -> None:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = district.bounds
    shapely.prepare(district)
    lon = np.empty(0)
    lat = np.empty(0)
    while len(lon) < n:
        x = np.round(rng.uniform(xmin, xmax, 2 * n), 6)
        y = np.round(rng.uniform(ymin, ymax, 2 * n), 6)
        inside = shapely.contains_xy(district, x, y)
        lon = np.concatenate([lon, x[inside]])
        lat = np.concatenate([lat, y[inside]])
    lon, lat = lon[:n], lat[:n]
    start = np.datetime64("2019-01-01T00:00:00")
    secs = rng.integers(0, 5 * 365 * 86400, n)
    times = np.datetime_as_string(start + secs.astype("timedelta64[s]"), unit="s")
    frame = pd.DataFrame({
        "id": np.char.add("B", np.char.zfill(np.arange(n).astype(str), 8)),
        "category": np.asarray(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)],
        "occurred_at": np.char.replace(times, "T", " "),
        "lat": lat,
        "lon": lon,
        "description": "syntetisk",
    })
    frame.to_csv(path, index=False)


def naive(engine: object, path: Path, rows: int) -> tuple[float, int]:
    """Row by row: csv module, per-row point-in-polygon over every polygon, ORM add+flush."""
    from mapapp.categories import resolve
    from mapapp.timezone import LOCAL_TZ

    zones = zones_frame(engine)  # type: ignore[arg-type]
    sds = stadsdelar_frame(engine)  # type: ignore[arg-type]
    zpolys = list(zip(zones["id"], zones.geometry, strict=True))
    spolys = list(zip(sds["id"], sds.geometry, strict=True))
    done = 0
    t0 = time.perf_counter()
    with path.open(encoding="utf-8") as fh, session_scope(engine) as session:  # type: ignore[arg-type]
        for rec in csv.DictReader(fh):
            if done >= rows:
                break
            lon, lat = float(rec["lon"]), float(rec["lat"])
            pt = shapely.Point(lon, lat)
            zone = next((i for i, p in zpolys if p.intersects(pt)), None)
            sd = next((i for i, p in spolys if p.intersects(pt)), None)
            when = pd.Timestamp(datetime.fromisoformat(rec["occurred_at"])).tz_localize(
                LOCAL_TZ, ambiguous=True, nonexistent="shift_forward")
            session.add(Incident(
                source="naive", external_id=rec["id"], category=resolve("incident",
                                                                        rec["category"]),
                occurred_at=when.to_pydatetime(), description=rec["description"], lon=lon,
                lat=lat, precision="exact", zone_id=None if zone is None else int(zone),
                stadsdel_id=None if sd is None else int(sd)))
            session.flush()
            done += 1
    return time.perf_counter() - t0, done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows to import (1000000)")
    ap.add_argument("--naive-rows", type=int, default=5_000,
                    help="rows for the naive way, scaled up (5000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (42)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of the import")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    init_store(engine, CLI_PRINCIPAL)
    district = district_outline(engine)
    path = tmp / "incidents.csv"
    t0 = time.perf_counter()
    make_csv(path, args.rows, district, args.seed)
    print(f"synthetic CSV: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB "
          f"({time.perf_counter() - t0:.1f} s to write)")

    opts = ImportOptions(source="bench", now=datetime.fromisoformat("2025-01-01T00:00:00+00:00"))
    prof = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    c0 = time.process_time()
    if prof:
        prof.enable()
    report = import_file(engine, CLI_PRINCIPAL, path, "incidents", options=opts)
    if prof:
        prof.disable()
    fast = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(f"mapapp import:  {report.written:,} rows written in {fast:.2f} s "
          f"({report.written / fast:,.0f} rows/s; CPU time of this process {cpu:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)

    c0 = time.process_time()
    slow, done = naive(engine, path, args.naive_rows)
    slow_cpu = time.process_time() - c0
    scaled = slow / max(done, 1) * args.rows
    print(f"naive (row by row, per-row point-in-polygon, ORM): {done:,} rows in {slow:.2f} s "
          f"({done / slow:,.0f} rows/s) -> {scaled:,.0f} s for {args.rows:,} rows (scaled)")
    print(f"ratio: {scaled / fast:.0f}x faster (wall); "
          f"{slow_cpu / max(done, 1) * args.rows / cpu:.0f}x by CPU time")
    engine.dispose()
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept: {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
