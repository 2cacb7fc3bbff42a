"""A hit rate you can show: last period's hot spots scored on this period's incidents.

For a period P and the period before it, P−1:

- **hot cells**: the grid cells that are Gi* hot spots at 95 % or more (z ≥ 1.96) in P−1;
- **flagged places**: the circles (radius r) of the sites flagged in P−1
  (:func:`mapapp.analysis.hotspots.site_hotspots`), merged where they overlap;
- **baseline** for each: the cells with the most incidents in P−1 (ties: grid order), as many
  as cover the same area — what a simple count map would have pointed at.

Each area is scored on P's incidents inside the district:

    PAI = (n / N) / (a / A)

the Predictive Accuracy Index (Chainey et al. 2008): the share of P's incidents inside the area
(n of N) divided by the share of the district's area it covers (a of A). PAI 1 = no better than
chance; 8 = the area catches eight times its share.

    RRI = (n_P / n_{P−1}) / (N_P / N_{P−1})

the Recapture Rate Index (Levine 2008): how the count inside the area changed from P−1 to P,
relative to the district's change. Around 1 the area keeps its share; below 1 its incidents fell
more than elsewhere (regression to the mean, or a measure working). NaN when a count is 0.

Only numbers here; the Karta page and the CLI make the sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from mapapp.analysis.expected import (
    Params,
    district_metric,
    inside_district,
    raster_for,
    site_xy,
    to_metric_xy,
)
from mapapp.analysis.grid import Grid, gi_star
from mapapp.analysis.hotspots import site_hotspots
from mapapp.analysis.periods import Period, bucket, list_periods, utc_ns

HOT_Z = 1.96
COLUMNS = ("method", "period", "previous", "cells", "area_share", "hit_share", "pai", "rri",
           "n_in", "n_in_previous", "n_total", "n_total_previous",
           "baseline_area_share", "baseline_hit_share", "baseline_pai", "baseline_rri")


def pai(n_in: float, n_total: float, area_in: float, area_total: float) -> float:
    """Predictive Accuracy Index.

    >>> pai(30, 100, 4, 100)
    7.5
    """
    if n_total <= 0 or area_in <= 0 or area_total <= 0:
        return math.nan
    return (n_in / n_total) / (area_in / area_total)


def rri(n_in: float, n_in_prev: float, n_total: float, n_total_prev: float) -> float:
    """Recapture Rate Index.

    >>> rri(30, 20, 100, 100)
    1.5
    """
    if n_in_prev <= 0 or n_total_prev <= 0 or n_total <= 0:
        return math.nan
    return (n_in / n_in_prev) / (n_total / n_total_prev)


@dataclass(frozen=True)
class Score:
    area_share: float
    hit_share: float
    pai: float
    rri: float
    n_in: int
    n_in_prev: int


def _score(inside_now: np.ndarray, inside_prev: np.ndarray, n_now: int, n_prev: int,
           area: float, total_area: float) -> Score:
    return _score_counts(int(inside_now.sum()), int(inside_prev.sum()), n_now, n_prev, area,
                         total_area)


def _baseline(prev_counts: np.ndarray, cell_area: np.ndarray, area: float) -> np.ndarray:
    """Boolean mask of the top cells by count covering ``area`` (to 0.1 %; at least one cell
    when area > 0)."""
    mask = np.zeros(len(prev_counts), dtype=bool)
    if area <= 0:
        return mask
    order = np.lexsort((np.arange(len(prev_counts)), -prev_counts))
    cum = np.cumsum(cell_area[order])
    k = int(np.searchsorted(cum, area * (1 - 1e-3))) + 1
    mask[order[: min(k, len(order))]] = True
    return mask


@dataclass(frozen=True)
class CellScores:
    cells: int
    score: Score
    baseline: Score


def hot_cell_scores(prev_cell: np.ndarray, now_cell: np.ndarray, grid: Grid,
                    cell_area: np.ndarray, total_area: float) -> CellScores:
    """P−1's Gi* hot cells (z ≥ 1.96) scored on P, and the count baseline of the same area.
    ``prev_cell``/``now_cell``: the grid cell of each incident of P−1 and of P in the
    district (-1 = not counted). Returns ``cells`` (number of hot cells), ``score`` and
    ``baseline`` (:class:`Score`)."""
    prev_counts = np.bincount(prev_cell[prev_cell >= 0], minlength=grid.n)
    now_counts = np.bincount(now_cell[now_cell >= 0], minlength=grid.n)
    n_prev, n_now = int((prev_cell >= 0).sum()), int((now_cell >= 0).sum())
    hot = gi_star(prev_counts, grid) >= HOT_Z
    area = float(cell_area[hot].sum())
    base = _baseline(prev_counts, cell_area, area)

    def score(mask: np.ndarray, a: float) -> Score:
        return _score_counts(int(now_counts[mask].sum()), int(prev_counts[mask].sum()), n_now,
                             n_prev, a, total_area)

    return CellScores(int(hot.sum()), score(hot, area), score(base, float(cell_area[base].sum())))


def _score_counts(a: int, b: int, n_now: int, n_prev: int, area: float, total_area: float
                  ) -> Score:
    return Score(area / total_area if total_area else math.nan,
                 a / n_now if n_now else math.nan, pai(a, n_now, area, total_area),
                 rri(a, b, n_now, n_prev), a, b)


def cell_areas(grid: Grid, district: shapely.Geometry) -> np.ndarray:
    """Area of each grid cell inside the district (m²), cached per grid and outline."""
    return _cell_areas(grid, shapely.to_wkb(district))


def backtest(points: pd.DataFrame, grid: Grid, sites: pd.DataFrame,
             district: shapely.Geometry, period: Period, *, periods: list[Period] | None = None,
             params: Params = Params()) -> pd.DataFrame:
    """Rows ``hot_cells`` and ``places`` (:data:`COLUMNS`) scoring P−1's hot spots on
    ``period``; an empty frame when there is no period before it in the data. ``points``:
    the incidents."""
    if periods is None:
        periods = (list_periods(points["occurred_at"], kind=period.kind,
                                stat_year_start_month=period.start.month
                                if period.kind == "statistical" else 9,
                                reference=period.last_day if period.kind == "rolling12"
                                else None) if len(points) else [])
    labels = [p.label for p in periods]
    if period.label not in labels or labels.index(period.label) == 0:
        return pd.DataFrame(columns=list(COLUMNS))
    prev = periods[labels.index(period.label) - 1]
    code = bucket(utc_ns(points["occurred_at"]), [prev, period])
    sel = np.flatnonzero(code >= 0)
    pts = points.iloc[sel]
    code = code[sel]
    lon = pts["lon"].to_numpy(dtype="float64", na_value=np.nan)
    lat = pts["lat"].to_numpy(dtype="float64", na_value=np.nan)
    xy = to_metric_xy(lon, lat)
    cell = grid.cell_index(lon, lat) if grid.kind == "h3" else _cells_metric(grid, xy)
    d3006 = district_metric(district)
    total_area = float(d3006.area)
    okxy: np.ndarray = np.asarray(np.isfinite(xy).all(axis=1))
    in_d = inside_district(raster_for(district, params.cell_m, params.ring_outer_m), d3006, xy)
    now, before = in_d & (code == 1), in_d & (code == 0)
    n_now, n_prev = int(now.sum()), int(before.sum())
    prev_counts = np.bincount(cell[before & (cell >= 0)], minlength=grid.n)
    cell_area = _cell_areas(grid, shapely.to_wkb(district))
    in_cell = cell >= 0

    def cells_mask(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(len(cell), dtype=bool)
        out[in_cell] = mask[cell[in_cell]]
        return out

    rows = []
    # Hot cells of P−1 (Gi* z ≥ 1.96).
    hc = hot_cell_scores(np.where(before, cell, -1), np.where(now, cell, -1), grid, cell_area,
                         total_area)
    rows.append(("hot_cells", hc.cells, hc.score, hc.baseline))
    # Flagged places of P−1.
    res = site_hotspots(pts, sites, district, period=prev, periods=periods, params=params)
    # the area: the circles of every site flagged on its own figures (a place's members too);
    # counted as places (one place, one flag)
    n_places = int(res.summary["flagged"].sum())
    flagged_idx = res.summary.loc[res.summary["own_flagged"], "site_index"] \
        .to_numpy(dtype=np.int64)
    sxy = site_xy(sites.reset_index(drop=True))[flagged_idx]
    sxy = sxy[np.isfinite(sxy).all(axis=1)]
    inside = np.zeros(len(xy), dtype=bool)
    area = 0.0
    if len(sxy):
        tree = cKDTree(sxy)
        dist, _ = tree.query(np.where(okxy[:, None], xy, 0.0), k=1,
                             distance_upper_bound=params.radius_m + 1e-9)
        inside = okxy & (dist <= params.radius_m)
        circles = shapely.union_all(shapely.buffer(shapely.points(sxy), params.radius_m,
                                                   quad_segs=32))
        area = float(shapely.area(shapely.intersection(circles, d3006)))
    bmask = _baseline(prev_counts, cell_area, area)
    base = cells_mask(bmask)
    rows.append(("places", n_places,
                 _score(inside & now, inside & before, n_now, n_prev, area, total_area),
                 _score(base & now, base & before, n_now, n_prev, float(cell_area[bmask].sum()),
                        total_area)))
    return pd.DataFrame([{
        "method": m, "period": period.label, "previous": prev.label, "cells": k,
        "area_share": s.area_share, "hit_share": s.hit_share, "pai": s.pai, "rri": s.rri,
        "n_in": s.n_in, "n_in_previous": s.n_in_prev, "n_total": n_now,
        "n_total_previous": n_prev, "baseline_area_share": b.area_share,
        "baseline_hit_share": b.hit_share, "baseline_pai": b.pai, "baseline_rri": b.rri,
    } for m, k, s, b in rows], columns=list(COLUMNS))


@lru_cache(maxsize=8)
def _cell_areas(grid: Grid, district_wkb: bytes) -> np.ndarray:
    """Area of each cell inside the district (m²), once per grid and outline."""
    d3006 = district_metric(shapely.from_wkb(district_wkb))
    out = np.asarray(shapely.area(shapely.intersection(grid.polygons_metric, d3006)))
    out.flags.writeable = False
    return out


def _cells_metric(grid: Grid, xy: np.ndarray) -> np.ndarray:
    """Cell index of EPSG:3006 points on a square grid (-1 outside)."""
    with np.errstate(invalid="ignore"):
        fx = np.floor((xy[:, 0] - grid.x0) / grid.cell_size_m)
        fy = np.floor((xy[:, 1] - grid.y0) / grid.cell_size_m)
        ok = (fx >= 0) & (fx < grid.nx) & (fy >= 0) & (fy < grid.ny)
    out = np.full(len(xy), -1, dtype=np.int64)
    out[ok] = grid.raster_to_cell[fy[ok].astype(np.int64) * grid.nx + fx[ok].astype(np.int64)]
    return out
