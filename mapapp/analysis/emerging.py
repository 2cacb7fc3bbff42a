"""Emerging hot spots on the grid: Gi* per time step and the Mann–Kendall trend of each cell.

**Time steps.** The last N statistical years up to the chosen period (N ≤ ``max_steps``), at
least ``min_steps`` = 4; when the data have fewer statistical years, quarters of the statistical
year (Sep–Nov, Dec–Feb, Mar–May, Jun–Aug) over the same span, the last ``max_steps``.

**Per step** the cell counts get their Getis-Ord Gi* z-score (:func:`mapapp.analysis.grid.gi_star`,
the same weights as the hot-spot map); a cell is a *hot* bin at z ≥ 1.645 and a *cold* bin at
z ≤ −1.645 (90 % confidence, as ArcGIS's Emerging Hot Spot Analysis counts bins).

**Trend.** The Mann–Kendall test on each cell's series of Gi* z-scores (the intensity of
clustering, as ArcGIS tests it): S = Σ_{i<j} sign(x_j − x_i), Var(S) = [n(n−1)(2n+5) −
Σ_g t_g(t_g−1)(2t_g+5)] / 18 over groups of tied values, Z = (S − sign(S)) / √Var(S), two-sided
p = 2(1 − Φ(|Z|)), τ = S / (n(n−1)/2) — equal to ``pymannkendall.original_test`` (a test).
A trend is significant at p < ``trend_alpha`` (0.10 by default: with four steps the smallest
possible p is 0.089, so a 5 % level could never see a trend).

**Classes** (ArcGIS Emerging Hot Spot Analysis; "90 %" = at least 90 % of the steps), checked in
this order, hot first:

| class | rule |
|---|---|
| new | hot in the final step only, never before |
| consecutive | a single run of ≥ 2 hot steps at the end, never hot before the run, < 90 % hot |
| intensifying | hot in ≥ 90 % of the steps including the final; upward significant trend |
| persistent | hot in ≥ 90 % of the steps; no significant trend |
| diminishing | hot in ≥ 90 % of the steps including the final; downward significant trend |
| sporadic | hot in the final step, < 90 % hot, never cold |
| oscillating | hot in the final step, < 90 % hot, cold in some earlier step |
| historical | not hot in the final step, hot in ≥ 90 % of the steps before it |

and the same for cold spots (``new_cold`` … ``historical_cold``; "upward" and "downward" swap:
an intensifying cold spot gets colder). Everything else is ``none``; cells without a single
point in any step are ``none`` too. One deviation from ArcGIS: *historical* counts the steps
before the final one (ArcGIS counts all steps, which with fewer than ten steps can never reach
90 % when the final one is not hot).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from mapapp.analysis.grid import Grid, gi_star
from mapapp.analysis.periods import (
    Period,
    bucket,
    list_periods,
    statistical_year,
    utc_ns,
)

Z90 = 1.645
PATTERNS: tuple[str, ...] = ("new", "consecutive", "intensifying", "persistent", "diminishing",
                             "sporadic", "oscillating", "historical")
TREND_CLASSES: tuple[str, ...] = (*(f"{p}_hot" for p in PATTERNS),
                                  *(f"{p}_cold" for p in PATTERNS), "none")


@dataclass(frozen=True)
class MannKendall:
    s: NDArray[np.float64]
    var_s: NDArray[np.float64]
    z: NDArray[np.float64]
    p: NDArray[np.float64]
    tau: NDArray[np.float64]


def mann_kendall(x: NDArray[np.float64] | Sequence[Sequence[float]]) -> MannKendall:
    """The Mann–Kendall test of every row of ``x`` (rows = series, columns = time), vectorised.

    >>> r = mann_kendall([[1.0, 2.0, 3.0, 4.0, 5.0]])
    >>> float(r.s[0]), round(float(r.z[0]), 4), round(float(r.p[0]), 4)
    (10.0, 2.2045, 0.0275)
    """
    a = np.atleast_2d(np.asarray(x, dtype="float64"))
    m, n = a.shape
    s = np.zeros(m)
    for i in range(n - 1):
        s += np.sign(a[:, i + 1:] - a[:, i:i + 1]).sum(axis=1)
    same = (a[:, :, None] == a[:, None, :]).sum(axis=2)  # size of each value's tie group
    ties = ((same - 1) * (2 * same + 5)).sum(axis=1)  # = Σ_g t(t−1)(2t+5)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(var)
        z = np.where(s > 0, (s - 1) / root, np.where(s < 0, (s + 1) / root, 0.0))
    z = np.where(np.isfinite(z), z, 0.0)
    p = 2 * (1 - stats.norm.cdf(np.abs(z)))
    tau = s / (0.5 * n * (n - 1)) if n > 1 else np.zeros(m)
    return MannKendall(s, var, z, p, tau)


def quarters(first: Period, last: Period) -> list[Period]:
    """Quarters of the statistical years from ``first`` to ``last`` (both statistical years)."""
    out = []
    year = first.start.year
    while True:
        sy = statistical_year(year, stat_year_start_month=first.start.month)
        if sy.start > last.start:
            break
        for q in range(4):
            start = sy.start + pd.DateOffset(months=3 * q)
            end = sy.start + pd.DateOffset(months=3 * (q + 1))
            out.append(Period("quarter", f"{sy.label} Q{q + 1}",
                              pd.Timestamp(start.tz_localize(None)).tz_localize(sy.start.tz),
                              pd.Timestamp(end.tz_localize(None)).tz_localize(sy.start.tz)))
        year += 1
    return out


def time_steps(points: pd.DataFrame, period: Period | None = None, *, min_steps: int = 4,
               max_steps: int = 8, stat_year_start_month: int = 9) -> list[Period]:
    """The time steps ending at ``period`` (a statistical year; default the latest): the last
    statistical years when there are at least ``min_steps``, else quarters; [] without data."""
    if len(points) == 0:
        return []
    years = list_periods(points["occurred_at"], kind="statistical",
                         stat_year_start_month=stat_year_start_month)
    if not years:
        return []
    return steps_from_years(years, period, min_steps=min_steps, max_steps=max_steps)


def steps_from_years(years: Sequence[Period], period: Period | None = None, *,
                     min_steps: int = 4, max_steps: int = 8) -> list[Period]:
    """:func:`time_steps` from the statistical years the data span (oldest first)."""
    years = list(years)
    if not years:
        return []
    if period is not None:
        labels = [p.label for p in years]
        if period.label in labels:
            years = years[: labels.index(period.label) + 1]
        elif period.kind != "statistical":
            years = [y for y in years if y.start < period.end]
    if not years:
        return []
    if len(years) >= min_steps:
        return years[-max_steps:]
    qs = quarters(years[0], years[-1])
    return qs[-max_steps:]


def classify_trends(z: NDArray[np.float64], mk: MannKendall, *, trend_alpha: float = 0.10,
                    active: NDArray[np.bool_] | None = None) -> NDArray[np.object_]:
    """The emerging-hot-spot class of each row of ``z`` (cells × steps of Gi* z-scores)."""
    m, n = z.shape
    out = np.full(m, "none", dtype=object)
    if n == 0:
        return out
    up = (mk.p < trend_alpha) & (mk.z > 0)
    down = (mk.p < trend_alpha) & (mk.z < 0)
    done = np.zeros(m, dtype=bool) if active is None else ~np.asarray(active, dtype=bool)
    for sign, suffix, rising, falling in ((1, "hot", up, down), (-1, "cold", down, up)):
        on = (z * sign) >= Z90
        off_other = (z * -sign) >= Z90
        n_on = on.sum(axis=1)
        final = on[:, -1]
        ninety = n_on >= 0.9 * n - 1e-9
        # length of the run of "on" steps at the end
        run = np.zeros(m, dtype=np.int64)
        still = np.ones(m, dtype=bool)
        for j in range(n - 1, -1, -1):
            still &= on[:, j]
            run += still
        earlier = on[:, :-1].sum(axis=1)
        historical = ~final & (earlier >= 0.9 * (n - 1) - 1e-9) & (earlier > 0)
        rules = (
            ("new", final & (n_on == 1)),
            ("consecutive", final & (run >= 2) & (n_on == run) & ~ninety),
            ("intensifying", ninety & final & rising),
            ("persistent", ninety & ~rising & ~falling),
            ("diminishing", ninety & final & falling),
            ("sporadic", final & ~ninety & ~off_other[:, :-1].any(axis=1)),
            ("oscillating", final & ~ninety & off_other[:, :-1].any(axis=1)),
            ("historical", historical),
        )
        for name, rule in rules:
            hit = rule & ~done
            out[hit] = f"{name}_{suffix}"
            done |= hit
    return out


def emerging_hotspots(points: pd.DataFrame, grid: Grid, steps: Sequence[Period], *,
                      trend_alpha: float = 0.10) -> pd.DataFrame:
    """One row per cell: ``cell_id``, the count and Gi* z of every step (``count_<i>``,
    ``z_<i>``, oldest first), ``hot_bins``, ``cold_bins``, ``mk_s``, ``mk_z``, ``mk_p``,
    ``mk_tau``, ``trend`` ("increasing"/"decreasing"/"no trend") and ``trend_class``
    (:data:`TREND_CLASSES`). ``frame.attrs["steps"]`` lists the step labels."""
    steps = list(steps)
    if len(steps) and len(points):
        code = bucket(utc_ns(points["occurred_at"]), steps)
        cell = grid.cell_index(points["lon"].to_numpy(dtype="float64", na_value=np.nan),
                               points["lat"].to_numpy(dtype="float64", na_value=np.nan))
    else:
        code = cell = np.zeros(0, dtype=np.int64)
    return emerging_from_cells(cell, code, grid, steps, trend_alpha=trend_alpha)


def emerging_from_cells(cell: NDArray[np.int64], code: NDArray[np.int64], grid: Grid,
                        steps: Sequence[Period], *, trend_alpha: float = 0.10) -> pd.DataFrame:
    """:func:`emerging_hotspots` from each point's grid cell and step index (-1 = left out),
    e.g. from the map's point index."""
    steps = list(steps)
    n = len(steps)
    counts = np.zeros((grid.n, n), dtype=np.int64)
    if n and len(cell):
        ok = (code >= 0) & (cell >= 0)
        counts = np.bincount(cell[ok] * n + code[ok], minlength=grid.n * n) \
            .reshape(grid.n, n).astype(np.int64)
    z = np.column_stack([gi_star(counts[:, j], grid) for j in range(n)]) if n \
        else np.zeros((grid.n, 0))
    mk = mann_kendall(z) if n else MannKendall(*(np.zeros(grid.n) for _ in range(5)))
    cls = classify_trends(z, mk, trend_alpha=trend_alpha, active=counts.sum(axis=1) > 0)
    trend = np.where((mk.p < trend_alpha) & (mk.z > 0), "increasing",
                     np.where((mk.p < trend_alpha) & (mk.z < 0), "decreasing", "no trend"))
    data: dict[str, object] = {"cell_id": grid.cell_ids}
    for j in range(n):
        data[f"count_{j}"] = counts[:, j]
    for j in range(n):
        data[f"z_{j}"] = z[:, j]
    data.update({"hot_bins": (z >= Z90).sum(axis=1), "cold_bins": (z <= -Z90).sum(axis=1),
                 "mk_s": mk.s, "mk_z": mk.z, "mk_p": mk.p, "mk_tau": mk.tau,
                 "trend": trend.astype(object), "trend_class": cls})
    frame = pd.DataFrame(data)
    frame.attrs["steps"] = [p.label for p in steps]
    return frame
