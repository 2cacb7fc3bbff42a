"""Map data for the emerging-hot-spot layer and the backtest line, from the map's point index
(no per-row work: the cells and times are already in :class:`PointIndex`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from mapapp.analysis.backtest import cell_areas, hot_cell_scores
from mapapp.analysis.emerging import TREND_CLASSES, emerging_from_cells, steps_from_years
from mapapp.analysis.grid import Grid
from mapapp.analysis.periods import Period, bucket, periods_covering
from mapapp.render.data import CellValues, PointIndex, grid_affine, kept_raster
from mapapp.textsafe import html_text

_NAT = np.iinfo(np.int64).min


def emerging_steps(index: PointIndex, mask: NDArray[np.bool_], period: Period | None,
                   stat_year_start_month: int = 9) -> list[Period]:
    """The time steps up to ``period`` for the rows in ``mask`` (statistical years, or
    quarters when there are fewer than four)."""
    ns = index.ns[mask]
    ns = ns[ns != _NAT]
    if len(ns) == 0:
        return []
    years = periods_covering(int(ns.min()), int(ns.max()), kind="statistical",
                             stat_year_start_month=stat_year_start_month)
    return steps_from_years(years, period)


def emerging_cells(index: PointIndex, mask: NDArray[np.bool_], grid: Grid,
                   steps: list[Period], *, colors: dict[str, str], labels: dict[str, str],
                   tip: str) -> CellValues | None:
    """The cells with an emerging-hot-spot pattern (not ``none``) for the rows in ``mask``;
    None without at least two steps."""
    if len(steps) < 2:
        return None
    code = bucket(index.ns[mask], steps)
    res = emerging_from_cells(index.cell[mask], code, grid, steps)
    klass = res["trend_class"].to_numpy(dtype=object)
    shown = [c for c in TREND_CLASSES if c != "none"]
    pos = {c: i for i, c in enumerate(shown)}
    sig = np.flatnonzero(klass != "none")
    counts = res[[f"count_{j}" for j in range(len(steps))]].to_numpy().sum(axis=1)
    return CellValues(
        x0=grid.x0, y0=grid.y0, size=grid.cell_size_m, nx=grid.nx, affine=grid_affine(grid),
        raster=kept_raster(grid)[sig], values=counts[sig].astype("float64"),
        classes=np.array([pos[str(k)] for k in klass[sig]], dtype=np.int64),
        colors=tuple(colors[c] for c in shown), labels=tuple(labels[c] for c in shown),
        tips=tuple(f"<b>{html_text(labels[c])}</b><br>{html_text(tip)}" for c in shown),
        extra={"steps": [p.label for p in steps], "classes_all": klass,
               "legend_keys": sorted({str(k) for k in klass[sig]})})


def backtest_figures(index: PointIndex, base: NDArray[np.bool_], grid: Grid,
                     district: shapely.Geometry, period: Period | None,
                     previous: Period | None) -> dict[str, Any] | None:
    """The hot-cell backtest of ``previous`` on ``period`` for the filtered incidents (the
    ``hot_cells`` row of :func:`mapapp.analysis.backtest.backtest`); None without both."""
    if period is None or previous is None:
        return None
    prev = base & (index.ns >= previous.start_ns) & (index.ns < previous.end_ns)
    now = base & (index.ns >= period.start_ns) & (index.ns < period.end_ns)
    if not prev.any() or not now.any():
        return None
    areas = cell_areas(grid, district)
    r = hot_cell_scores(np.where(prev, index.cell, -1), np.where(now, index.cell, -1), grid,
                        areas, float(areas.sum()))
    s, b = r.score, r.baseline
    return {"method": "hot_cells", "period": period.label, "previous": previous.label,
            "cells": r.cells, "area_share": s.area_share, "hit_share": s.hit_share,
            "pai": s.pai, "rri": s.rri, "baseline_hit_share": b.hit_share,
            "baseline_pai": b.pai, "baseline_area_share": b.area_share}
