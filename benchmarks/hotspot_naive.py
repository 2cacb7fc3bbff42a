"""The naive ways of the hotspot analysis, for bench_analysis.py: plain Python loops over
points, sites and cells (pure Python distances, pyproj one point at a time, zoneinfo for the
band, scipy per row, pymannkendall per cell). Each returns what the fast way returns, so the
benchmark can check that the two agree on a sample."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pymannkendall as pmk
import shapely
from scipy import stats

from mapapp.analysis.periods import ALL_BANDS, Period
from mapapp.crs import transformer

STO = ZoneInfo("Europe/Stockholm")
KINDS = ("incident", "observation")


def _band(local: datetime) -> str | None:
    if local.weekday() >= 5:
        return "helg"
    if 8 <= local.hour < 16:
        return "skoltid"
    if local.hour >= 18:
        return "kvall"
    return "natt" if local.hour < 6 else None


def site_counts(points: pd.DataFrame, sites: pd.DataFrame, periods: list[Period],
                radius: float = 150.0, inner: float = 300.0, outer: float = 800.0
                ) -> tuple[dict[tuple[Any, ...], int], dict[tuple[Any, ...], int]]:
    """(site, period, kind, band) -> points within ``radius`` and in the 300–800 m ring, by a
    loop over points and sites."""
    tr = transformer("EPSG:4326", "EPSG:3006")
    sxy = [tr.transform(float(g.x), float(g.y)) for g in sites.geometry]
    bounds = [(p.start_ns, p.end_ns, p.label) for p in periods]
    near: dict[tuple[Any, ...], int] = {}
    ring: dict[tuple[Any, ...], int] = {}
    for lon, lat, kind, ts in zip(points["lon"], points["lat"], points["kind"],
                                  points["occurred_at"], strict=True):
        ns = ts.value
        label = next((lab for a, b, lab in bounds if a <= ns < b), None)
        if label is None:
            continue
        x, y = tr.transform(lon, lat)
        band = _band(datetime.fromtimestamp(ns / 1e9, tz=STO))
        keys = [b for b in (band, "alla") if b]
        for s, (sx, sy) in enumerate(sxy):
            d = math.hypot(x - sx, y - sy)
            if d <= radius:
                for b in keys:
                    near[(s, label, kind, b)] = near.get((s, label, kind, b), 0) + 1
            elif inner < d <= outer:
                for b in keys:
                    ring[(s, label, kind, b)] = ring.get((s, label, kind, b), 0) + 1
    return near, ring


def flag_rows(near: dict[tuple[Any, ...], int], ring: dict[tuple[Any, ...], int],
              n_sites: int, label: str, ring_area: float, circle_area: float,
              q: float = 0.05) -> list[tuple[Any, ...]]:
    """Expected from the ring (no shrinkage), Poisson p per row with scipy, BH by hand."""
    rows = []
    for s in range(n_sites):
        for k in KINDS:
            for b in ALL_BANDS:
                c = near.get((s, label, k, b), 0)
                mu = ring.get((s, label, k, b), 0) / ring_area * circle_area
                p = float(stats.poisson.sf(c - 1, max(mu, 1e-300))) if c > 0 else 1.0
                rows.append((s, k, b, c, mu, p))
    order = sorted(range(len(rows)), key=lambda i: rows[i][5])
    m = len(rows)
    qs = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, rows[i][5] * m / rank)
        qs[i] = running
    return [(*r, qs[i], qs[i] <= q and r[3] >= 5) for i, r in enumerate(rows)]


def mk_classes(z: np.ndarray) -> list[tuple[float, float]]:
    """(S, p) of pymannkendall.original_test on every row, one call per cell."""
    out = []
    for row in z:
        r = pmk.original_test(row)
        out.append((float(r.s), float(r.p)))
    return out


def score_loop(points: pd.DataFrame, hot_bounds: list[tuple[float, float, float, float]],
               centres: list[tuple[float, float]], radius: float) -> tuple[int, int]:
    """Points in a hot cell (scan of the cells' bounds) and within ``radius`` of a flagged
    site, one point at a time."""
    tr = transformer("EPSG:4326", "EPSG:3006")
    in_cells = in_circles = 0
    for lon, lat in zip(points["lon"], points["lat"], strict=True):
        x, y = tr.transform(lon, lat)
        if any(x0 <= x < x1 and y0 <= y < y1 for x0, y0, x1, y1 in hot_bounds):
            in_cells += 1
        if any(math.hypot(x - cx, y - cy) <= radius for cx, cy in centres):
            in_circles += 1
    return in_cells, in_circles


def ring_area_mean(district: shapely.Geometry, sites: pd.DataFrame) -> tuple[float, float]:
    """Mean annulus (300–800 m) and circle (150 m) area inside the district, for the naive
    expected count."""
    tr = transformer("EPSG:4326", "EPSG:3006")
    d = shapely.transform(district, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    ra, ca = [], []
    for g in sites.geometry:
        x, y = tr.transform(float(g.x), float(g.y))
        p = shapely.Point(x, y)
        ra.append(p.buffer(800).difference(p.buffer(300)).intersection(d).area)
        ca.append(p.buffer(150).intersection(d).area)
    return float(np.mean(ra)), float(np.mean(ca))
