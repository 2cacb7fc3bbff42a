"""Benchmark: the PostGIS path at city scale — period statistics and grid counts computed in
the database at 5,000,000 points, against loading every point into Python and against the
naive way (a Python loop over points and zones).

    python benchmarks/bench_postgis.py --points 5000000
    python benchmarks/bench_postgis.py --points 1000000 --url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Synthetic points (numpy seed, reproducible) are clustered inside the whole city: the 117
stadsdelar of Stockholm in data/geo/stockholm_stadsdelar.geojson (about 15 % land in the
district's zones), times 2019-09-01 … 2023-08-31. A fresh database is made for the run and
dropped after. Timings are the best of ``--repeat`` runs; the naive way is timed on a sample
and scaled linearly (the output says so). Benchmarks print figures; they never fail on time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from timing import best  # noqa: E402

from mapapp.access import CLI_PRINCIPAL  # noqa: E402
from mapapp.analysis.grid import build_grid, gi_star  # noqa: E402
from mapapp.analysis.periods import statistical_year  # noqa: E402
from mapapp.analysis.stats import period_counts  # noqa: E402
from mapapp.crs import METRIC, WGS84, transformer  # noqa: E402
from mapapp.store import init_store  # noqa: E402
from mapapp.store.aggregates import grid_counts, zone_period_counts  # noqa: E402
from mapapp.store.district import district_outline, zones_frame  # noqa: E402
from mapapp.store.engine import make_engine  # noqa: E402
from mapapp.store.points import insert_points, load_points  # noqa: E402

CATS = np.array(["narkotikabrott", "vald_offentlig_miljo", "vald_nara_relation", "personran",
                 "bedrageri_aldre", "skadegorelse", "inbrott", "stold", "ordningsstorning"])


def city_points(n: int, seed: int) -> pd.DataFrame:
    city = gpd.read_file(ROOT / "data" / "geo" / "stockholm_stadsdelar.geojson").to_crs(METRIC)
    rng = np.random.default_rng(seed)
    centres = city.geometry.sample_points(12, rng=rng).explode(index_parts=False)
    cx, cy = centres.x.to_numpy(), centres.y.to_numpy()
    pick = rng.integers(0, len(cx), n)
    x = cx[pick] + rng.normal(0, 120, n)
    y = cy[pick] + rng.normal(0, 120, n)
    lon, lat = transformer(METRIC, WGS84).transform(x, y)
    start = pd.Timestamp("2019-09-01", tz="UTC").value
    span = pd.Timestamp("2023-08-31", tz="UTC").value - start
    ns = start + (rng.random(n) * span).astype(np.int64)
    return pd.DataFrame({
        "source": "bench", "external_id": np.char.add("b", np.arange(n).astype(str)),
        "category": CATS[rng.integers(0, len(CATS), n)],
        "occurred_at": pd.to_datetime(ns, utc=True), "lon": np.round(lon, 6),
        "lat": np.round(lat, 6),
    })




def naive_stats(points: pd.DataFrame, zones: gpd.GeoDataFrame) -> dict:
    """A Python loop over points and zones (shapely contains), bucketed by local time."""
    from zoneinfo import ZoneInfo

    sto = ZoneInfo("Europe/Stockholm")
    polys = list(zip(zones["name"], zones.geometry, strict=True))
    out: dict = {}
    for lon, lat, cat, ts in zip(points["lon"], points["lat"], points["category"],
                                 points["occurred_at"], strict=True):
        p = shapely.Point(lon, lat)
        zone = next((n for n, g in polys if g.intersects(p)), None)
        local = ts.to_pydatetime().astimezone(sto)
        y = local.year if local.month >= 9 else local.year - 1
        key = (zone, cat, f"{y}-{y + 1}")
        out[key] = out.get(key, 0) + 1
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=5_000_000, help="points to store (5000000)")
    ap.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                    help="an admin URL of the PostgreSQL server (a database is made and dropped)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing, best kept (3)")
    ap.add_argument("--sample", type=int, default=20_000, help="sample for the naive way")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)

    admin = create_engine(args.url, isolation_level="AUTOCOMMIT")
    name = f"mapapp_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        init_store(engine, CLI_PRINCIPAL)
        print(f"PostGIS benchmark, {args.points:,} points, database {name}")
        t0 = time.perf_counter()
        pts = city_points(args.points, args.seed)
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        chunk = 500_000
        for i in range(0, len(pts), chunk):
            with engine.begin() as conn:
                insert_points(conn, pts.iloc[i:i + chunk], "incident")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE incidents"))
        t_import = time.perf_counter() - t0
        print(f"generate {t_gen:.1f} s; import (zone assignment + COPY + indexes) "
              f"{t_import:.1f} s = {args.points / t_import:,.0f} points/s")

        zones = zones_frame(engine)
        t_stats, db = best(lambda: zone_period_counts(engine, CLI_PRINCIPAL, kinds=("incident",),
                                                      zones=zones), args.repeat)
        grid = build_grid(district_outline(engine), cell_size_m=100)
        period = statistical_year(2021)
        t_grid, counts = best(lambda: grid_counts(engine, CLI_PRINCIPAL, grid, period,
                                                  kinds=("incident",)), args.repeat)
        t_gi, _ = best(lambda: gi_star(counts, grid), args.repeat)

        t0 = time.perf_counter()
        mem = load_points(engine, CLI_PRINCIPAL, "incident")
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        mem_counts = period_counts(mem, zones=zones)
        t_mem = time.perf_counter() - t0
        same = db is not None and db["count"].sum() == mem_counts["count"].sum()

        sample = mem.sample(min(args.sample, len(mem)), random_state=1)
        t0 = time.perf_counter()
        naive_stats(sample, zones)
        t_naive = (time.perf_counter() - t0) * len(mem) / len(sample)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print()
        print("| operation | in PostGIS (s) | load all into Python + pandas (s) | naive loop (s) "
              "| ratio naive / PostGIS |")
        print("|---|---:|---:|---:|---:|")
        print(f"| period statistics, {args.points:,} points | {t_stats:.2f} | "
              f"{t_load:.1f} + {t_mem:.2f} | {t_naive:.0f} (scaled from {len(sample):,}) | "
              f"{t_naive / t_stats:,.0f}× |")
        print(f"| grid counts, 100 m, one statistical year | {t_grid:.2f} | – | – | – |")
        print(f"| Gi* on the counts ({grid.n} cells) | {t_gi:.4f} | – | – | – |")
        print(f"\ntotals agree with the in-memory path: {same}; peak memory of this process "
              f"(including the comparison load): {peak:,.0f} MB")
    finally:
        engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
