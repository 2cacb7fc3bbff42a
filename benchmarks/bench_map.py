"""The map page's work at 100,000 and 1,000,000 incidents, beside the naive map.

What the Karta page does, without the browser: build the point index once per data version
(cold), then for a filter compute the view (:func:`mapapp.render.view.compute_view`), build the
folium map and produce what ``st_folium`` sends to the browser. Printed per size: the cold and
warm times, the largest map sent over a sweep of filters (every period kind, a category, a zone,
all periods), and the naive way -- ``geopandas.GeoDataFrame.explore()`` of the raw points,
measured on a sample in the same run and scaled to the size -- with the ratios.

    python benchmarks/bench_map.py                      # 100k and 1M points
    python benchmarks/bench_map.py --points 50000       # quick
    python benchmarks/bench_map.py --store              # also: cold start from a SQLite store
    python benchmarks/bench_map.py --store --points 1000000 --db sqlite:///var/map-1m.db
                                                        # only the cold start, on that store
    python benchmarks/bench_map.py --markdown out.md    # the table as Markdown too

Targets (issue 5): map HTML < 2 MB at any filter; a filter change < 1 s warm; cold start
< 10 s (issue 16: ≤ 3 s at 1M in SQLite). A benchmark, not a test: it prints figures and never fails on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapapp.analysis.grid import build_grid  # noqa: E402
from mapapp.analysis.zoning import assign  # noqa: E402
from mapapp.categories import SENSITIVE_CODES  # noqa: E402
from mapapp.crs import WGS84  # noqa: E402
from mapapp.demo import generate  # noqa: E402
from mapapp.render import layer_specs  # noqa: E402
from mapapp.render.build import build_map  # noqa: E402
from mapapp.render.data import MapFilter, PointIndex, available_periods  # noqa: E402
from mapapp.render.view import Inputs, compute_view  # noqa: E402
from mapapp.settings import GEO_DIR, load_settings  # noqa: E402
from mapapp.store.district import bundled_frames  # noqa: E402

SETTINGS = load_settings({}, basemap="osm")


def district() -> dict[str, Any]:
    geo = bundled_frames(GEO_DIR)
    geo["grid"] = build_grid(geo["outline"], cell_size_m=SETTINGS.grid_size_m)
    return geo


def point_frame(raw: pd.DataFrame, kind: str, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """What :func:`mapapp.store.points.load_points` returns for a reader (sensitive incidents
    without a position)."""
    lon, lat = raw["lon"].to_numpy(), raw["lat"].to_numpy()
    zi = assign(lon, lat, list(zones.geometry))
    names = zones["name"].to_numpy()
    sensitive = raw["category"].isin(list(SENSITIVE_CODES)).to_numpy() & (kind == "incident")
    zone_id = pd.array(np.where(zi >= 0, zi + 1, 0), dtype="Int64")
    zone_id[zi < 0] = pd.NA
    out = pd.DataFrame({
        "id": np.arange(len(raw)), "kind": kind, "source": raw["source"].astype("category"),
        "external_id": raw["external_id"], "category": raw["category"].astype("category"),
        "occurred_at": pd.to_datetime(raw["occurred_at"], utc=True),
        "lon": np.where(sensitive, np.nan, lon), "lat": np.where(sensitive, np.nan, lat),
        "zone": pd.Series(np.where(zi >= 0, names[np.maximum(zi, 0)], None), dtype=object),
        "zone_id": zone_id, "stadsdel": None, "precision": "exact", "description": None,
        "sensitive": sensitive})
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def sent_bytes(m: Any) -> int:
    """The bytes ``st_folium`` sends for a map: its script, header and html arguments."""
    from streamlit_folium import _get_header, _get_html, _get_map_string

    m.get_root().render()
    m.render()
    html, header = _get_html(m), _get_header(m)
    script = _get_map_string(m)
    return len(script.encode()) + len(header.encode()) + len(html.encode())


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def page_run(inp: Inputs, flt: MapFilter, *, standalone: bool = True
             ) -> tuple[float, int, int, float]:
    """One rerun of the map page for ``flt`` -- view, map, what st_folium sends -- timed;
    and (untimed) the size of the standalone HTML page of the same map. The view's kept site
    counts are dropped first, so a repeat of the same filter is not cheaper than a new one
    (the page itself caches a filter's whole view)."""
    from mapapp.render import view as view_mod

    view_mod._COUNTS.clear()
    t0, c0 = time.perf_counter(), _cpu()
    view = compute_view(inp, flt, SETTINGS)
    sd = inp.stadsdelar
    args = dict(basemap=SETTINGS.basemap, attribution=SETTINGS.basemap_attribution,
                bounds=tuple(sd.total_bounds), base_outlines=sd, notes=view.notes)
    m = build_map(view.specs(layer_specs()), view.data, **args)
    sent = sent_bytes(m)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    if not standalone:
        return seconds, sent, 0, cpu
    m2 = build_map(view.specs(layer_specs()), view.data, **args)
    return seconds, sent, len(m2.get_root().render().encode()), cpu


def naive(points: pd.DataFrame, sample: int, seed: int) -> tuple[float, int, int]:
    """geopandas explore() of ``sample`` raw points: seconds, HTML bytes, points drawn."""
    pts = points.dropna(subset=["lon", "lat"])
    pts = pts.sample(n=min(sample, len(pts)), random_state=seed)
    gdf = gpd.GeoDataFrame(pts[["category", "occurred_at"]].astype(str),
                           geometry=gpd.points_from_xy(pts["lon"], pts["lat"]), crs=WGS84)
    gdf.head(10).explore(tiles="OpenStreetMap").get_root().render()  # imports, warm-up
    t, html = timed(lambda: gdf.explore(tiles="OpenStreetMap").get_root().render())
    return t, len(html.encode()), len(gdf)


def filters(inp: Inputs) -> list[tuple[str, MapFilter]]:
    last = {k: available_periods(inp.incidents, k)[-1].label
            for k in ("statistical", "calendar", "rolling12")}
    zone = int(inp.zones["id"].iloc[0])
    all_p = available_periods(inp.incidents, "statistical")
    return [
        ("statistical year, all", MapFilter("statistical", last["statistical"])),
        ("calendar year, all", MapFilter("calendar", last["calendar"])),
        ("rolling 12 months, all", MapFilter("rolling12", last["rolling12"])),
        ("one category", MapFilter("statistical", last["statistical"],
                                   categories=("narkotikabrott",))),
        ("one zone", MapFilter("statistical", last["statistical"], zone_ids=(zone,))),
        ("one zone, one category", MapFilter("statistical", last["statistical"],
                                             categories=("personran",), zone_ids=(zone,))),
        ("oldest year", MapFilter("statistical", all_p[0].label)),
    ]


def run_size(n: int, geo: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    t_gen, raw = timed(lambda: generate(geo["sites"], geo["outline"], n, "incident", args.seed))
    raw_obs = generate(geo["sites"], geo["outline"], max(1, n // 50), "observation", args.seed)
    inc = point_frame(raw, "incident", geo["zones"])
    obs = point_frame(raw_obs, "observation", geo["zones"])
    t_index, (ii, oi) = timed(lambda: (PointIndex.build(inc, geo["grid"]),
                                       PointIndex.build(obs, geo["grid"])))
    periods = {k: available_periods(inc, k) for k in ("statistical", "calendar", "rolling12")}

    def inputs(kind: str) -> Inputs:
        return Inputs(incidents=inc, incident_index=ii, observations=obs, observation_index=oi,
                      zones=geo["zones"], stadsdelar=geo["stadsdelar"], sites=geo["sites"],
                      grid=geo["grid"], periods=periods[kind], can_see_sensitive=False)

    flts = filters(inputs("statistical"))
    t_first, first_sent, _, _ = page_run(inputs(flts[0][1].period_kind), flts[0][1])
    rows = []
    for name, flt in flts:
        best, cpus, loads = [], [], []
        sent = html = 0
        for _ in range(args.repeat):
            loads.append(os.getloadavg()[0])
            t, sent, html, cpu = page_run(inputs(flt.period_kind), flt)
            cpus.append(cpu)
            best.append(t)
        in_period = int(ii.mask(flt, next(p for p in periods[flt.period_kind]
                                          if p.label == flt.period)).sum())
        rows.append({"filter": name, "points": in_period, "seconds": min(best),
                     "all": best, "cpu": min(cpus), "load": (min(loads), max(loads)),
                     "sent": sent, "html": html})
    # A period switch on the same filter: the view keeps the site counts of every period.
    from mapapp.render import view as view_mod

    stat = inputs("statistical")
    labels = [p.label for p in periods["statistical"]]
    if len(labels) >= 2:
        switch, cpus, loads = [], [], []
        for _ in range(args.repeat):
            view_mod._COUNTS.clear()
            compute_view(stat, MapFilter("statistical", labels[-1]), SETTINGS)
            loads.append(os.getloadavg()[0])
            t0, c0 = time.perf_counter(), _cpu()
            v = compute_view(stat, MapFilter("statistical", labels[-2]), SETTINGS)
            sd = stat.stadsdelar
            m = build_map(v.specs(layer_specs()), v.data, basemap=SETTINGS.basemap,
                          attribution=SETTINGS.basemap_attribution,
                          bounds=tuple(sd.total_bounds), base_outlines=sd, notes=v.notes)
            sent = sent_bytes(m)
            switch.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
        flt = MapFilter("statistical", labels[-2])
        rows.append({"filter": f"period switch {labels[-1]} → {labels[-2]} (site counts kept)",
                     "points": int(ii.mask(flt, periods["statistical"][-2]).sum()),
                     "seconds": min(switch), "all": switch, "cpu": min(cpus),
                     "load": (min(loads), max(loads)), "sent": sent, "html": 0})
    t_naive, naive_bytes, naive_n = naive(inc, args.naive_sample, args.seed)
    return {"n": n, "generate": t_gen, "index": t_index, "first": t_first,
            "first_sent": first_sent, "rows": rows, "naive_t": t_naive,
            "naive_bytes": naive_bytes, "naive_n": naive_n,
            "placed": int(np.isfinite(inc["lat"]).sum())}


def cold_child(url: str, way: str) -> dict[str, float]:
    """One cold start in this (new) process: from no caches to the first map's bytes, the
    way the page does it now ("lean": :func:`load_point_arrays` and
    :meth:`PointIndex.from_arrays`) or as before ("frames": :func:`load_points` of both kinds
    and :meth:`PointIndex.build`). The imports the app has made before a page runs are done
    first and not timed."""
    import streamlit_folium  # noqa: F401  (imported by the app at start)

    from mapapp.access import Principal, Role
    from mapapp.analysis.periods import list_periods
    from mapapp.store.district import sites_frame, stadsdelar_frame, zones_frame
    from mapapp.store.engine import make_engine
    from mapapp.store.points import load_point_arrays, load_points

    eng = make_engine(url)
    who = Principal("bench", Role.LASARE)
    t0, c0 = time.perf_counter(), _cpu()
    zones, sd, st = zones_frame(eng), stadsdelar_frame(eng), sites_frame(eng)
    grid = build_grid(shapely.union_all(sd.geometry.to_numpy()),
                      cell_size_m=SETTINGS.grid_size_m)
    if way == "lean":
        ii = PointIndex.from_arrays(load_point_arrays(eng, who, "incident"), grid)
        t_load, c_load = time.perf_counter() - t0, _cpu() - c0
        oi = PointIndex.from_arrays(load_point_arrays(eng, who, "observation"), grid)
        per = list_periods(ii.times(), kind="statistical")
        inp = Inputs(incident_index=ii, observation_index=oi, zones=zones, stadsdelar=sd,
                     sites=st, grid=grid, periods=per)
    else:
        inc = load_points(eng, who, "incident")
        t_load, c_load = time.perf_counter() - t0, _cpu() - c0
        obs = load_points(eng, who, "observation")
        ii, oi = PointIndex.build(inc, grid), PointIndex.build(obs, grid)
        per = available_periods(inc, "statistical")
        inp = Inputs(incidents=inc, incident_index=ii, observations=obs, observation_index=oi,
                     zones=zones, stadsdelar=sd, sites=st, grid=grid, periods=per)
    _, sent, _, _ = page_run(inp, MapFilter("statistical", None), standalone=False)
    total, cpu = time.perf_counter() - t0, _cpu() - c0
    from mapapp.render.view import compute_view

    view = compute_view(inp, MapFilter("statistical", None), SETTINGS)  # warm: the figures
    figures = {k: v for k, v in view.figures.items() if k not in ("incidents_change", "backtest")}
    eng.dispose()
    return {"load": t_load, "load_cpu": c_load, "total": total, "cpu": cpu, "sent": sent,
            "points": ii.n + oi.n, "figures": repr(sorted(figures.items())),
            "flags": int(view.flags["flagged"].sum()) if view.flags is not None else 0}


def cold_store(n: int, geo: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """A SQLite store with ``n`` incidents (``--db``: reused when it has points): each way's
    cold start to the first map, in a new process per run (no caches), ``--repeat`` runs
    alternating; wall time, CPU time (user + sys of the process, which waiting for a core
    does not inflate) and the load average before each run."""
    import json
    import os
    import subprocess

    from mapapp.access import CLI_PRINCIPAL
    from mapapp.store import init_store
    from mapapp.store.district import sites_frame
    from mapapp.store.engine import make_engine
    from mapapp.store.points import count_points, insert_points

    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    eng = make_engine(url)
    init_store(eng, CLI_PRINCIPAL)
    t_write = float("nan")
    if count_points(eng, "incident") == 0:
        sites = sites_frame(eng)
        t_write = time.perf_counter()
        with eng.begin() as conn:
            insert_points(conn, generate(sites, geo["outline"], n, "incident", args.seed),
                          "incident")
            insert_points(conn, generate(sites, geo["outline"], max(1, n // 50),
                                         "observation", args.seed), "observation")
        t_write = time.perf_counter() - t_write
    eng.dispose()
    runs: dict[str, list[dict[str, Any]]] = {"lean": [], "frames": []}
    for _ in range(args.repeat):
        for way in runs:
            load = os.getloadavg()[0]
            out = subprocess.run([sys.executable, __file__, "--cold-child", url, way],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            r["loadavg"] = load
            runs[way].append(r)
            print(f"  cold {way}: {r['total']:.2f} s wall, {r['cpu']:.2f} s CPU, load {load:.1f}",
                  file=sys.stderr, flush=True)
    tmp.cleanup()
    same = len({r["figures"] for rs in runs.values() for r in rs}) == 1
    return {"write": t_write, "runs": runs, "same": same}


def report(results: list[dict[str, Any]], cold: dict[int, dict[str, float]]) -> str:
    out = ["| points | step | seconds | map sent (kB) | standalone HTML (kB) |",
           "|---:|---|---:|---:|---:|"] if results else []
    for r in results:
        n = f"{r['n']:,}"
        out.append(f"| {n} | point index (cold, once per data version) | {r['index']:.2f} | | |")
        out.append(f"| {n} | first view + map (cold caches of the view) | {r['first']:.2f} | "
                   f"{r['first_sent'] / 1e3:.0f} | |")
        for row in r["rows"]:
            runs = ", ".join(f"{x:.2f}" for x in row["all"])
            out.append(f"| {n} | filter: {row['filter']} ({row['points']:,} in period) | "
                       f"{row['seconds']:.2f} (runs {runs}; CPU {row['cpu']:.2f}; load "
                       f"{row['load'][0]:.1f}–{row['load'][1]:.1f}) | {row['sent'] / 1e3:.0f} | "
                       f"{row['html'] / 1e3:.0f} |")
    out += ["", "| points | warm filter change, median / max (s) | largest map sent (MB) | "
            "naive explore() sample | naive s (scaled) | naive MB (scaled) | time ratio | "
            "size ratio |", "|---:|---:|---:|---:|---:|---:|---:|---:|"] if results else []
    for r in results:
        secs = [row["seconds"] for row in r["rows"]]
        cpu = [row["cpu"] for row in r["rows"]]
        biggest = max(max(row["sent"], row["html"]) for row in r["rows"])
        scale = r["placed"] / r["naive_n"]
        nt, nb = r["naive_t"] * scale, r["naive_bytes"] * scale
        out.append(f"| {r['n']:,} | {statistics.median(secs):.2f} / {max(secs):.2f} (CPU "
                   f"{statistics.median(cpu):.2f} / {max(cpu):.2f}) | "
                   f"{biggest / 1e6:.2f} | {r['naive_n']:,} pts: {r['naive_t']:.2f} s, "
                   f"{r['naive_bytes'] / 1e6:.1f} MB | {nt:.0f} | {nb / 1e6:.0f} | "
                   f"{nt / statistics.median(secs):.0f}× | {nb / biggest:.0f}× |")
    for n, c in cold.items():
        out += ["", f"Cold start to the first map, SQLite store of {n:,} incidents (a new "
                "process per run; CPU = user + sys of that process; load = 1-min load average "
                "before the run):", "",
                "| way | runs | wall min / median / max (s) | CPU min / median (s) | "
                "of which district frames, grid and reading the incidents: wall / CPU "
                "(s, median) | load average | map sent (kB) |", "|---|---:|---:|---:|---:|---:|---:|"]
        for way, rs in c["runs"].items():
            w = sorted(r["total"] for r in rs)
            cpu = sorted(r["cpu"] for r in rs)
            name = ("lean read (load_point_arrays), now" if way == "lean"
                    else "point frames (load_points), before")
            loads = [r["loadavg"] for r in rs]
            out.append(f"| {name} | {len(rs)} | {w[0]:.2f} / {statistics.median(w):.2f} / "
                       f"{w[-1]:.2f} | {cpu[0]:.2f} / {statistics.median(cpu):.2f} | "
                       f"{statistics.median(r['load'] for r in rs):.2f} / "
                       f"{statistics.median(r['load_cpu'] for r in rs):.2f} | "
                       f"{min(loads):.1f}–{max(loads):.1f} | {rs[0]['sent'] / 1e3:.0f} |")
        out.append(f"\nSame figures on the first map both ways: {c['same']}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, nargs="+", default=[100_000, 1_000_000],
                    help="numbers of incidents (100000 1000000)")
    ap.add_argument("--naive-sample", type=int, default=5_000,
                    help="points drawn by explore() for the naive figures (5000)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (3)")
    ap.add_argument("--seed", type=int, default=20230421, help="random seed")
    ap.add_argument("--store", action="store_true",
                    help="also time a cold start from a SQLite store of the largest size")
    ap.add_argument("--markdown", type=Path, help="also write the tables to this file")
    ap.add_argument("--db", help="with --store: a SQLite URL to reuse (filled when empty)")
    ap.add_argument("--cold-child", nargs=2, metavar=("URL", "WAY"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.cold_child:
        import json

        print(json.dumps(cold_child(*args.cold_child)))
        return 0
    geo = district()
    results, cold = [], {}
    for n in args.points:
        if args.db:
            break  # --db: the store's cold start only
        print(f"… {n:,} points", file=sys.stderr, flush=True)
        results.append(run_size(n, geo, args))
    if args.store:
        n = max(args.points)
        print(f"… cold start from a store of {n:,} incidents", file=sys.stderr, flush=True)
        cold[n] = cold_store(n, geo, args)
    text = report(results, cold)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
