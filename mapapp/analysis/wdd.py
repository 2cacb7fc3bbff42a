"""Did the measure work? The weighted displacement difference (WDD) test.

Wheeler, A. P. & Ratcliffe, J. H. (2018). *A simple weighted displacement difference test to
evaluate place based crime interventions.* Crime Science 7:7.

**Areas** (metric work in SWEREF 99 TM, EPSG:3006), for a measure's place:

- **site**: target T = the points within ``radius_m`` of the site; displacement buffer D =
  the ring ``radius_m`` < d ≤ ``radius_m + buffer_m``; control = the rest of the site's zone
  beyond the ring.
- **cell** (``cell_id`` "100m-E…-N…", a grid square): T = the points in the square; D = those
  within ``buffer_m`` of it; control = the rest of the cell's zone beyond the buffer.
- **zone**: T = the points whose stored zone is the zone; D = points of no zone or another zone
  within ``buffer_m`` of the zone's polygon; control = the rest of the district (other zones'
  points and points inside the district outline) beyond the buffer.

The control for T (C_T) and for D (C_D) is the same area by default; the site's zone is the
zone of most points within its radius (or the measure's zone).

**Windows**: the before and after windows of :mod:`mapapp.analysis.beforeafter` (the same
months a year earlier when the data reach back, else the months just before).

**Statistic.** With Δ = after − before for each area::

    WDD = ΔT − w_T·ΔC_T + ΔD − w_D·ΔC_D,   w_T = T_before / C_T,before,  w_D = D_before / C_D,before

The weighting: a control is usually many times the target's size; its change is rescaled to
the baseline of the area it stands for, so ``w·ΔC`` is the change T (or D) would have had if it
had followed the control's trend (``T_before · (C_after / C_before − 1)``). Unweighted (w = 1),
the form of Wheeler & Ratcliffe's equation, a control ten times the target would swamp it.
A negative WDD is a fall in the target and buffer beyond the area's trend.

**Standard error** under Poisson assumptions, the weights held fixed::

    Var(WDD) = T_b + T_a + D_b + D_a + w_T²·(C_T,b + C_T,a) + w_D²·(C_D,b + C_D,a)

and, when C_T and C_D are the same area (the default), its two terms are one:
``(w_T + w_D)²·(C_b + C_a)``. ``z = WDD / SE``.

**Weighted displacement quotient** (Bowers & Johnson 2003), displacement (> 0) or diffusion of
benefits (< 0) relative to the success in T::

    WDQ = (D_a/C_D,a − D_b/C_D,b) / (T_a/C_T,a − T_b/C_T,b)      (None when undefined)

**Verdict codes** (words at the edges, key ``wdd.verdict.<code>``): ``"too_few"`` when T's or a
control's before count is below ``min_count`` (no weight can be trusted); ``"incomplete"`` when
the after window has not ended in the data; ``"effect"`` when z ≤ −z* (a fall the area's trend
does not explain); ``"increase"`` when z ≥ z*; else ``"no_effect"``. z* is the two-sided normal
quantile of the confidence level (1.96 at 95 %).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy.stats import norm

from mapapp.analysis.significance import DEFAULT_CONFIDENCE
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import DataValidationError, Problem
from mapapp.values import is_missing

VERDICTS: tuple[str, ...] = ("effect", "increase", "no_effect", "too_few", "incomplete")
COUNT_KEYS: tuple[str, ...] = ("t_before", "t_after", "d_before", "d_after", "ct_before",
                               "ct_after", "cd_before", "cd_after")
_CELL = re.compile(r"^(\d+)m-E(-?\d+)-N(-?\d+)$")


@dataclass(frozen=True)
class WddResult:
    """The eight counts, the weights, WDD, its SE, z, WDQ and the verdict code."""

    t_before: int
    t_after: int
    d_before: int
    d_after: int
    ct_before: int
    ct_after: int
    cd_before: int
    cd_after: int
    w_t: float | None
    w_d: float | None
    wdd: float | None
    se: float | None
    z: float | None
    wdq: float | None
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (*COUNT_KEYS, "w_t", "w_d", "wdd", "se", "z",
                                              "wdq", "verdict")}


def z_critical(confidence: float = DEFAULT_CONFIDENCE) -> float:
    """The two-sided normal quantile: 1.96 at 95 %."""
    return float(norm.ppf(1.0 - (1.0 - float(confidence)) / 2.0))


def wdd(t_before: int, t_after: int, d_before: int, d_after: int, ct_before: int,
        ct_after: int, cd_before: int | None = None, cd_after: int | None = None, *,
        same_control: bool | None = None, min_count: int = 5, complete: bool = True,
        confidence: float = DEFAULT_CONFIDENCE) -> WddResult:
    """The WDD test from the eight counts (see the module docstring). Without ``cd_*`` the
    control of D is the control of T (``same_control``).

    >>> r = wdd(120, 20, 30, 30, 300, 300)
    >>> r.wdd, round(r.se, 2), round(r.z, 2), r.verdict
    (-100.0, 18.71, -5.35, 'effect')
    >>> wdd(120, 60, 30, 15, 300, 150).verdict
    'no_effect'
    """
    if cd_before is None or cd_after is None:
        cd_before, cd_after = ct_before, ct_after
        same_control = True if same_control is None else same_control
    same = bool(same_control)
    counts = (int(t_before), int(t_after), int(d_before), int(d_after), int(ct_before),
              int(ct_after), int(cd_before), int(cd_after))
    tb, ta, db, da, cb, ca, cdb, cda = counts
    if tb < min_count or cb < min_count or cdb < min_count:
        return WddResult(*counts, None, None, None, None, None, None, "too_few")
    w_t, w_d = tb / cb, db / cdb
    value = (ta - tb) - w_t * (ca - cb) + (da - db) - w_d * (cda - cdb)
    var = float(tb + ta + db + da)
    if same:
        var += (w_t + w_d) ** 2 * (cb + ca)
    else:
        var += w_t ** 2 * (cb + ca) + w_d ** 2 * (cdb + cda)
    se = math.sqrt(var)
    z = value / se if se > 0 else 0.0
    wdq = None
    if ca > 0 and cb > 0 and cda > 0:
        den = ta / ca - tb / cb
        if den != 0:
            wdq = (da / cda - db / cdb) / den
    crit = z_critical(confidence)
    if not complete:
        verdict = "incomplete"
    elif z <= -crit:
        verdict = "effect"
    elif z >= crit:
        verdict = "increase"
    else:
        verdict = "no_effect"
    return WddResult(*counts, w_t, w_d, float(value), se, float(z), wdq, verdict)


# --- areas -----------------------------------------------------------------------------------

def _metric_xy(points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if "x_m" in points and "y_m" in points:  # from with_metric: transformed once
        x = points["x_m"].to_numpy(dtype="float64")
        y = points["y_m"].to_numpy(dtype="float64")
        return x, y, np.isfinite(x) & np.isfinite(y)
    lon = points["lon"].to_numpy(dtype="float64")
    lat = points["lat"].to_numpy(dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    x = np.full(len(points), np.nan)
    y = np.full(len(points), np.nan)
    if ok.any():
        x[ok], y[ok] = transformer(WGS84, METRIC).transform(lon[ok], lat[ok])
    return x, y, ok


def with_metric(points: pd.DataFrame) -> pd.DataFrame:
    """``points`` with ``x_m``/``y_m`` (EPSG:3006, NaN unplaced): :func:`areas` then uses
    them instead of transforming every point again (one transform for many measures)."""
    x, y, _ = _metric_xy(points.drop(columns=["x_m", "y_m"], errors="ignore"))
    return points.assign(x_m=x, y_m=y)


def _near(x: np.ndarray, y: np.ndarray, placed: np.ndarray, bounds: tuple[float, ...],
          reach: float) -> np.ndarray:
    """Rows that can lie within ``reach`` of a geometry with ``bounds``: placed and inside the
    bounds widened by ``reach`` and a metre (a cheap test before the exact one)."""
    x0, y0, x1, y1 = bounds
    r = reach + 1.0
    with np.errstate(invalid="ignore"):
        return np.flatnonzero(placed & (x >= x0 - r) & (x <= x1 + r) & (y >= y0 - r)
                              & (y <= y1 + r))


def _dwithin(geom: shapely.Geometry, x: np.ndarray, y: np.ndarray, rows: np.ndarray,
             distance: float) -> np.ndarray:
    """``shapely.dwithin(geom, point, distance)`` for the ``rows`` (a mask of placed rows;
    False elsewhere), tested exactly only on those near the geometry's bounds."""
    out = np.zeros(len(x), dtype=bool)
    cand = _near(x, y, rows, shapely.bounds(geom), distance)
    if len(cand):
        shapely.prepare(geom)
        out[cand] = shapely.dwithin(geom, shapely.points(x[cand], y[cand]), distance)
    return out


def _to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    tr = transformer(WGS84, METRIC)
    return shapely.transform(geom, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))


def _zone_geom(zones: pd.DataFrame | None, name: str) -> shapely.Geometry | None:
    if zones is None or "geometry" not in zones:
        return None
    hit = zones[zones["name"].astype(str) == str(name)]
    return None if hit.empty else hit.geometry.iloc[0]


def areas(
    measure: Mapping[str, Any],
    points: pd.DataFrame,
    *,
    sites: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    district: shapely.Geometry | None = None,
    radius_m: float = 150.0,
    buffer_m: float = 250.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, str]:
    """Masks of the target T, the buffer D and the control C over ``points`` (disjoint), the
    place kind ("site", "cell", "zone") and the place's name."""
    from mapapp.analysis.beforeafter import site_centre_metric

    x, y, placed = _metric_xy(points)
    zone_col = points["zone"].astype(object).to_numpy()
    site, cell, zone = measure.get("site"), measure.get("cell_id"), measure.get("zone")
    mid = measure.get("id")
    if not is_missing(site) or not is_missing(cell):
        if not is_missing(site):
            sx, sy = site_centre_metric(sites, site, mid)
            d = np.hypot(x - sx, y - sy)
            target = placed & (d <= radius_m)
            ring = placed & ~target & (d <= radius_m + buffer_m)
            kind, name = "site", str(site)
        else:
            m = _CELL.match(str(cell).strip())
            if m is None:
                raise DataValidationError([Problem(None, "cell_id", "wdd.bad_cell",
                                                   {"id": mid, "cell": cell})])
            s, e, n = (float(v) for v in m.groups())
            box = shapely.box(e, n, e + s, n + s)
            target = placed & (x >= e) & (x < e + s) & (y >= n) & (y < n + s)
            ring = _dwithin(box, x, y, placed & ~target, buffer_m)
            kind, name = "cell", str(cell)
        own = str(zone) if not is_missing(zone) else None
        if own is None:
            inside = pd.Series(zone_col[target]).dropna()
            own = str(inside.mode().iloc[0]) if len(inside) else None
        control = (zone_col == own) & ~target & ~ring if own is not None else np.zeros(
            len(points), dtype=bool)
        control &= placed
        return target, ring, control, kind, name
    if not is_missing(zone):
        name = str(zone)
        target = zone_col == name
        geom = _zone_geom(zones, name)
        ring = np.zeros(len(points), dtype=bool)
        if geom is not None and buffer_m > 0:
            ring = _dwithin(_to_metric(geom), x, y, placed & ~target, buffer_m)
        in_district = np.array(pd.notna(pd.Series(zone_col)).to_numpy(), dtype=bool)
        if district is not None:
            # only the rows not yet known to be in it, near the district, are tested
            d3006 = _to_metric(district)
            cand = _near(x, y, placed & ~in_district, shapely.bounds(d3006), 0.0)
            if len(cand):
                shapely.prepare(d3006)
                in_district[cand] = shapely.intersects_xy(d3006, x[cand], y[cand])
        control = in_district & ~target & ~ring
        return target, ring, control, "zone", name
    raise DataValidationError([Problem(None, "zone", "analysis.measure.no_place",
                                       {"id": mid, "title": measure.get("title")})])
