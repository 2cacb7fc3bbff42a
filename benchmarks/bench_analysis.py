"""Benchmark: period statistics, grid Gi* and the hotspot analysis against the naive way, at
100k and 1M points.

    python benchmarks/bench_analysis.py --points 100000 1000000
    python benchmarks/bench_analysis.py --points 1000000 --parts sites emerging backtest

Synthetic points (numpy seed, reproducible) are drawn uniformly inside the district, with times
over 2019-09-01 … 2024-08-31 and random categories; zones are assigned once, as at import (not
timed in the statistics figure, which groups by the stored zone).

- *statistics*: counts per zone × category × statistical year (+ change, per 1,000) —
  :func:`mapapp.analysis.stats.period_counts`. Naive: a Python loop over points, each tested
  against the zones with shapely ``contains`` (prepared) and bucketed with zoneinfo.
- *Gi\\**: binning every point into the 100 m grid + z-scores + classes
  (:meth:`Grid.bin`, :func:`gi_star`, :func:`classify`); building the grid and its weights is
  done once per district and timed separately. Naive: a Python loop over points (one pyproj
  call each, then a scan of the cells) and a Python loop over cells and their neighbours.

- *site flags, one period*: :func:`mapapp.analysis.hotspots.site_hotspots` for the latest
  statistical year (circle and ring counts of every site × kind × band over the four-period
  window, expected, Poisson tests, BH, rising, persistent, fading, places). Naive: a loop over
  points × sites with math.hypot, zoneinfo bands, scipy per row, BH by hand
  (benchmarks/hotspot_naive.py).
- *emerging hot spots, 5 periods*: :func:`mapapp.analysis.emerging.emerging_hotspots`
  (binning, Gi* per year, Mann–Kendall, classes). Naive: the per-point binning loop, the
  per-cell Gi* loop per year and ``pymannkendall.original_test`` per cell.
- *backtest*: :func:`mapapp.analysis.backtest.backtest` (Gi* hot cells and site flags of the
  year before, PAI/RRI and the count baseline). Naive: the naive site flags of one period, the
  naive binning of that period, and a per-point loop scoring every point against the hot
  cells' bounds and the flagged circles.

The naive ways are timed on a sample and scaled linearly to the full size (the output says so);
their results on the sample are checked against the fast ones. Timings are the best of
``--repeat`` runs. Benchmarks never fail on time: this prints figures, it asserts nothing
about them.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.prepared import prep

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hotspot_naive  # noqa: E402
from timing import best  # noqa: E402

from mapapp.analysis import zoning  # noqa: E402
from mapapp.analysis.grid import Grid, build_grid, classify, gi_star  # noqa: E402
from mapapp.analysis.stats import period_counts  # noqa: E402
from mapapp.crs import transformer  # noqa: E402

SHARED_GEO = ROOT / "tests" / "data" / "shared" / "data" / "geo"
CATEGORIES = ["narkotikabrott", "vald_offentlig_miljo", "personran", "skadegorelse", "klotter",
              "belysning", "samlingsplats", "nedskrapning"]
STO = ZoneInfo("Europe/Stockholm")


def load_geo() -> tuple[shapely.Geometry, gpd.GeoDataFrame]:
    """The district outline and the zones: the bundled data/geo files, else the shared ones
    (then the 17 stadsdelar stand in for the zones)."""
    bundled = ROOT / "data" / "geo"
    if (bundled / "district.geojson").exists() and (bundled / "zones.geojson").exists():
        district = gpd.read_file(bundled / "district.geojson").geometry.union_all()
        zones = gpd.read_file(bundled / "zones.geojson")[["name", "geometry"]]
    else:
        district = gpd.read_file(
            SHARED_GEO / "hagersten_alvsjo_stadsdelsomrade_dissolved_wgs84.geojson"
        ).geometry.union_all()
        st = gpd.read_file(SHARED_GEO / "hagersten_alvsjo_stadsdelar_17_wgs84.geojson")
        zones = st.rename(columns={"stadsdel": "name"})[["name", "geometry"]]
    zones = zones.assign(population=np.nan)
    return district, zones


def synthetic_points(n: int, district: shapely.Geometry, zones: gpd.GeoDataFrame,
                     seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = district.bounds
    shapely.prepare(district)
    lon = np.empty(0)
    lat = np.empty(0)
    while len(lon) < n:
        x = rng.uniform(minx, maxx, 2 * n)
        y = rng.uniform(miny, maxy, 2 * n)
        keep = shapely.contains_xy(district, x, y)
        lon, lat = np.concatenate([lon, x[keep]]), np.concatenate([lat, y[keep]])
    lon, lat = lon[:n], lat[:n]
    lo = pd.Timestamp("2019-09-01", tz="Europe/Stockholm").value // 10**9
    hi = pd.Timestamp("2024-09-01", tz="Europe/Stockholm").value // 10**9
    t = pd.to_datetime(rng.integers(lo, hi, n) * 10**9, utc=True)
    zi = zoning.assign(lon, lat, list(zones.geometry))
    names = np.array(list(zones["name"]) + [None], dtype=object)
    return pd.DataFrame({
        "id": np.arange(n), "kind": rng.choice(["incident", "observation"], n),
        "category": rng.choice(CATEGORIES, n), "occurred_at": t, "lon": lon, "lat": lat,
        "zone": names[zi],
    })




def naive_stats(points: pd.DataFrame, zones: gpd.GeoDataFrame) -> Counter[tuple[Any, ...]]:
    prepared = [(name, prep(g)) for name, g in zip(zones["name"], zones.geometry, strict=True)]
    out: Counter[tuple[Any, ...]] = Counter()
    for lon, lat, cat, ts in zip(points["lon"], points["lat"], points["category"],
                                 points["occurred_at"], strict=True):
        p = shapely.Point(lon, lat)
        zone = next((name for name, g in prepared if g.intersects(p)), None)
        local = datetime.fromtimestamp(ts.value / 1e9, tz=STO)
        y = local.year if local.month >= 9 else local.year - 1
        out[(zone, cat, f"{y}-{y + 1}")] += 1
    return out


def naive_bin(points: pd.DataFrame, grid: Grid) -> np.ndarray:
    tr = transformer("EPSG:4326", "EPSG:3006")
    bounds = [tuple(b) for b in shapely.bounds(grid.polygons_metric).tolist()]
    counts = np.zeros(grid.n, dtype=np.int64)
    for lon, lat in zip(points["lon"], points["lat"], strict=True):
        x, y = tr.transform(lon, lat)
        for j, (x0, y0, x1, y1) in enumerate(bounds):
            if x0 <= x < x1 and y0 <= y < y1:
                counts[j] += 1
                break
    return counts


def naive_gi(x: np.ndarray, neighbours: dict[int, list[int]]) -> list[float]:
    n = len(x)
    vals = [float(v) for v in x]
    mean = sum(vals) / n
    s = math.sqrt(sum((v - mean) ** 2 for v in vals) / n)
    z = []
    for i in range(n):
        nb = neighbours[i]
        w = len(nb)
        num = sum(vals[j] for j in nb) - mean * w
        den = s * math.sqrt((n * w - w * w) / (n - 1))
        z.append(num / den if den > 0 else 0.0)
    return z


PARTS = ("stats", "gi", "sites", "emerging", "backtest")


def hotspot_rows(pts: pd.DataFrame, district: shapely.Geometry, grid: Grid,
                 nbrs: dict[int, list[int]], n: int, args: argparse.Namespace) -> None:
    """Rows for site flags, emerging hot spots and the backtest (fast vs naive)."""
    from mapapp.analysis.backtest import HOT_Z, backtest
    from mapapp.analysis.emerging import emerging_hotspots, time_steps
    from mapapp.analysis.hotspots import site_hotspots, window
    from mapapp.analysis.periods import list_periods
    from mapapp.analysis.sites import site_flags
    from mapapp.store.district import bundled_frames

    sites = bundled_frames()["sites"]
    periods = list_periods(pts["occurred_at"])
    last = periods[-1]
    win = window(periods, last)
    ns = pts["occurred_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    in_win = int(((ns >= win[0].start_ns) & (ns < win[-1].end_ns)).sum())
    sample = pts.iloc[: min(n, args.naive_site_sample)]
    s_ns = sample["occurred_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    s_win = max(1, int(((s_ns >= win[0].start_ns) & (s_ns < win[-1].end_ns)).sum()))
    t0 = time.perf_counter()
    near, ring = hotspot_naive.site_counts(sample, sites, win)
    t_loop = time.perf_counter() - t0
    ring_a, circle_a = hotspot_naive.ring_area_mean(district, sites)
    t0 = time.perf_counter()
    for p in win:
        hotspot_naive.flag_rows(near, ring, len(sites), p.label, ring_a, circle_a)
    t_tests = time.perf_counter() - t0
    t_naive_sites = t_loop * in_win / s_win + t_tests
    fast_rows = site_flags(sample, sites, district)
    got = {(int(r.site_index), r.period, r.kind, r.band): int(r.count)
           for r in fast_rows.itertuples() if r.count and r.period in {p.label for p in win}}
    agree = got == near
    if "sites" in args.parts:
        from mapapp.analysis.expected import Params, count_sites, site_tests

        t_one, one = best(lambda: site_tests(count_sites(pts, sites, district, [last]), sites,
                                             Params()), args.repeat)
        s_one = max(1, int(((s_ns >= last.start_ns) & (s_ns < last.end_ns)).sum()))
        in_one = int(((ns >= last.start_ns) & (ns < last.end_ns)).sum())
        t_naive_one = t_loop * in_one / s_win + t_tests / len(win)
        del s_one
        print(f"| site flags of one period only ({last.label}: counts, expected, tests, BH) "
              f"| {n:,} | {t_one:.3f} | {t_naive_one:.1f} | {t_naive_one / t_one:,.0f}× | "
              f"{int(one['flagged'].sum())} flagged rows |")
        import os
        import resource

        def cpu() -> float:
            r = resource.getrusage(resource.RUSAGE_SELF)
            return r.ru_utime + r.ru_stime

        load, c0 = os.getloadavg()[0], cpu()
        t_fast, res = best(lambda: site_hotspots(pts, sites, district, period=last,
                                                 periods=periods), args.repeat)
        c_fast = (cpu() - c0) / max(1, args.repeat)
        print(f"| site hotspots of one period incl. rising/persistent/fading/places "
              f"({last.label}; window of {len(win)}, {in_win:,} points in it; CPU "
              f"{c_fast:.3f} s a run, load {load:.1f}; "
              f"{int(res.summary['flagged'].sum())} flagged) | {n:,} | {t_fast:.3f} | "
              f"{t_naive_sites:.1f} | {t_naive_sites / t_fast:,.0f}× | "
              f"{'yes' if agree else 'NO'} (circle counts) |")
    steps = time_steps(pts)
    gsample = pts.iloc[: min(n, args.naive_grid_sample)]
    t0 = time.perf_counter()
    naive_bin(gsample, grid)
    t_bin = (time.perf_counter() - t0) * n / len(gsample)
    if "emerging" in args.parts:
        t_fast, em = best(lambda: emerging_hotspots(pts, grid, steps), args.repeat)
        z = em[[f"z_{j}" for j in range(len(steps))]].to_numpy()
        counts = em[[f"count_{j}" for j in range(len(steps))]].to_numpy()
        t0 = time.perf_counter()
        nz = [naive_gi(counts[:, j], nbrs) for j in range(len(steps))]
        mk = hotspot_naive.mk_classes(np.column_stack(nz))
        t_rest = time.perf_counter() - t0
        agree = (max(abs(a - b) for a, b in zip(em["mk_p"], (m[1] for m in mk), strict=True))
                 <= 1e-9 and np.allclose(np.column_stack(nz), z, atol=1e-9))
        t_naive = t_bin + t_rest
        print(f"| emerging hot spots ({len(steps)} periods, {grid.n} cells) | {n:,} | "
              f"{t_fast:.3f} | {t_naive:.1f} | {t_naive / t_fast:,.0f}× | "
              f"{'yes' if agree else 'NO'} (Gi*, Mann–Kendall p) |")
    if "backtest" in args.parts:
        t_fast, bt = best(lambda: backtest(pts, grid, sites, district, last, periods=periods),
                          args.repeat)
        prev = periods[-2]
        in_two = int(((ns >= prev.start_ns) & (ns < last.end_ns)).sum())
        prev_counts = grid.bin(pts["lon"].to_numpy()[(ns >= prev.start_ns) & (ns < prev.end_ns)],
                               pts["lat"].to_numpy()[(ns >= prev.start_ns) & (ns < prev.end_ns)])
        hot = np.flatnonzero(gi_star(prev_counts, grid) >= HOT_Z)
        bounds = [tuple(b) for b in shapely.bounds(grid.polygons_metric[hot]).tolist()]
        flagged = site_hotspots(pts, sites, district, period=prev, periods=periods).summary
        fl = flagged.loc[flagged["flagged"], "site_index"].to_numpy()
        tr = transformer("EPSG:4326", "EPSG:3006")
        centres = [tr.transform(float(g.x), float(g.y)) for g in sites.geometry.iloc[fl]]
        bsample = pts.iloc[: min(n, args.naive_site_sample)]
        t0 = time.perf_counter()
        naive_in = hotspot_naive.score_loop(bsample, bounds, centres, 150.0)
        t_score = (time.perf_counter() - t0) * in_two / len(bsample)
        from scipy.spatial import cKDTree

        from mapapp.analysis.pointprep import metric_xy

        bc = grid.cell_index(bsample["lon"].to_numpy(), bsample["lat"].to_numpy())
        fast_cells = int(np.isin(bc, hot).sum())
        fast_circles = 0
        if centres:
            d, _ = cKDTree(np.array(centres)).query(
                metric_xy(bsample["lon"].to_numpy(), bsample["lat"].to_numpy(), exact=True))
            fast_circles = int((d <= 150.0).sum())
        agree = naive_in == (fast_cells, fast_circles)
        t_naive = t_score + t_naive_sites / len(win) + t_bin / len(periods)
        print(f"| backtest ({prev.label} → {last.label}; PAI hot cells "
              f"{bt['pai'].iloc[0]:.2f}) | {n:,} | {t_fast:.3f} | {t_naive:.1f} | "
              f"{t_naive / t_fast:,.0f}× | {'yes' if agree else 'NO'} (points in hot cells "
              f"and flagged circles, on the sample) |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Time period statistics and grid Gi* (fast vs naive) on synthetic points "
                    "inside Hägersten-Älvsjö. Prints a table; never fails on time.")
    ap.add_argument("--points", type=int, nargs="+", default=[100_000, 1_000_000],
                    help="point counts to run (default: 100000 1000000)")
    ap.add_argument("--naive-sample", type=int, default=20_000,
                    help="points for the naive statistics loop, scaled linearly (default 20000)")
    ap.add_argument("--naive-grid-sample", type=int, default=2_000,
                    help="points for the naive grid binning loop, scaled linearly "
                         "(default 2000)")
    ap.add_argument("--grid-size", type=float, default=100.0, help="cell size in m (100)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (3)")
    ap.add_argument("--seed", type=int, default=20230421, help="numpy seed")
    ap.add_argument("--parts", nargs="+", default=list(PARTS), choices=PARTS,
                    help="what to time (default: all)")
    ap.add_argument("--naive-site-sample", type=int, default=1_000,
                    help="points for the naive site loops, scaled linearly (default 1000)")
    args = ap.parse_args(argv)

    district, zones = load_geo()
    t0 = time.perf_counter()
    grid = build_grid(district, cell_size_m=args.grid_size)
    t_grid = time.perf_counter() - t0
    nbrs = grid.neighbours(include_self=True)
    print(f"# mapapp analysis benchmark — Python {platform.python_version()}, "
          f"{platform.machine()}, seed {args.seed}")
    print(f"# district grid: {grid.n} cells of {args.grid_size:g} m, built with weights in "
          f"{t_grid:.3f} s (once per district; not in the Gi* figures)")
    print(f"# naive figures are measured on a sample ({args.naive_sample} points for "
          f"statistics, {args.naive_grid_sample} for grid binning) and scaled linearly")
    print()
    print("| step | points | fast (s) | naive (s) | naive/fast | results agree |")
    print("|---|---:|---:|---:|---:|---|")
    for n in args.points:
        pts = synthetic_points(n, district, zones, args.seed)

        if {"sites", "emerging", "backtest"} & set(args.parts):
            hotspot_rows(pts, district, grid, nbrs, n, args)
        if "stats" not in args.parts and "gi" not in args.parts:
            continue
        t_fast, frame = best(lambda p=pts: period_counts(p, zones=zones), args.repeat)
        sample = pts.iloc[: min(n, args.naive_sample)]
        t0 = time.perf_counter()
        naive = naive_stats(sample, zones)
        t_naive = (time.perf_counter() - t0) * n / len(sample)
        fast_sample = period_counts(sample, zones=zones)
        fast_sample = fast_sample[fast_sample["count"] > 0]
        agree = naive == Counter({(z, c, p): int(k) for z, c, p, k in zip(
            fast_sample["zone"], fast_sample["category"], fast_sample["period"],
            fast_sample["count"], strict=True)})
        print(f"| statistics (zone × category × statistical year) | {n:,} | {t_fast:.3f} | "
              f"{t_naive:.1f} | {t_naive / t_fast:,.0f}× | {'yes' if agree else 'NO'} |")

        lon = pts["lon"].to_numpy()
        lat = pts["lat"].to_numpy()

        def fast_gi(lon: np.ndarray = lon, lat: np.ndarray = lat) -> tuple[Any, Any, Any]:
            counts = grid.bin(lon, lat)
            z = gi_star(counts, grid)
            return counts, z, classify(z)

        t_gi, (counts, z, _) = best(fast_gi, args.repeat)
        gsample = pts.iloc[: min(n, args.naive_grid_sample)]
        t0 = time.perf_counter()
        ncounts = naive_bin(gsample, grid)
        t_bin = (time.perf_counter() - t0) * n / len(gsample)
        t0 = time.perf_counter()
        nz = naive_gi(counts, nbrs)
        t_z = time.perf_counter() - t0
        agree = (np.array_equal(ncounts, grid.bin(gsample["lon"].to_numpy(),
                                                  gsample["lat"].to_numpy()))
                 and float(np.max(np.abs(np.array(nz) - z))) < 1e-9)
        t_naive = t_bin + t_z
        print(f"| Gi* (binning + z + classes, {grid.n} cells) | {n:,} | {t_gi:.3f} | "
              f"{t_naive:.1f} | {t_naive / t_gi:,.0f}× | {'yes' if agree else 'NO'} |")
        del frame
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
