"""Per-point preparation for the hotspot analysis, fast at a million points.

**Metric coordinates.** SWEREF 99 TM (EPSG:3006) positions of WGS84 points. For many points
in a small area (a district) the projection is evaluated as a polynomial of degree 2 in
(lon − lon₀, lat − lat₀), fitted by least squares to pyproj on a 25 × 25 grid over the points'
bounding box; the fit is accepted only when it reproduces pyproj within 1 cm on a finer 41 × 41
check grid (the input coordinates themselves are rounded to ~10 cm), otherwise — and for fewer
than 20,000 points — pyproj transforms every point. The benchmark and a test compare the two.

**Local time bands.** The Europe/Stockholm offset changes only on whole UTC hours, so the
offset of every hour between the first and the last point is looked up once (a few tens of
thousands of hours) and each point takes its hour's offset: local hour and weekday follow by
integer arithmetic. Equal to :func:`mapapp.analysis.periods.time_band` (a test).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mapapp.crs import METRIC, WGS84, transformer
from mapapp.timezone import LOCAL_TZ

_HOUR = 3_600_000_000_000
_DAY = 24 * _HOUR
_NAT = np.iinfo(np.int64).min
POLY_MIN_POINTS = 20_000
POLY_TOLERANCE_M = 0.01
_DEG = 2


def _design(dx: NDArray[np.float64], dy: NDArray[np.float64]) -> NDArray[np.float64]:
    cols = [dx ** i * dy ** j for i in range(_DEG + 1) for j in range(_DEG + 1 - i)]
    return np.column_stack(cols)


@lru_cache(maxsize=16)
def _fit(box: tuple[float, float, float, float]
         ) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    tr = transformer(WGS84, METRIC)

    def grid(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return gx.ravel(), gy.ravel()

    fx, fy = grid(25)
    ex, ey = (np.asarray(v, dtype="float64") for v in tr.transform(fx, fy))
    a = _design(fx - cx, fy - cy)
    cxs = np.linalg.lstsq(a, ex, rcond=None)[0]
    cys = np.linalg.lstsq(a, ey, rcond=None)[0]
    tx, ty = grid(41)
    rx, ry = (np.asarray(v, dtype="float64") for v in tr.transform(tx, ty))
    b = _design(tx - cx, ty - cy)
    err = np.hypot(b @ cxs - rx, b @ cys - ry).max()
    if not np.isfinite(err) or err > POLY_TOLERANCE_M:
        return None
    return np.r_[cx, cy, cxs], cys


def _eval(coef: NDArray[np.float64], cys: NDArray[np.float64], lon: NDArray[np.float64],
          lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Σ_i dx^i · P_i(dy), each P_i by Horner's rule, in place (few temporaries)."""
    dx = lon - coef[0]
    dy = lat - coef[1]
    cxs = coef[2:]
    out = np.zeros((len(dx), 2))
    starts = np.cumsum([0] + [_DEG + 1 - i for i in range(_DEG)])
    for c, col in ((cxs, 0), (cys, 1)):
        acc = np.zeros_like(dx)
        for i in range(_DEG, -1, -1):  # Horner in dx over the P_i(dy)
            k0 = int(starts[i])
            m = _DEG + 1 - i
            p = np.full_like(dx, c[k0 + m - 1])
            for j in range(m - 2, -1, -1):
                p *= dy
                p += c[k0 + j]
            acc *= dx
            acc += p
        out[:, col] = acc
    return out


def metric_xy(lon: NDArray[np.float64], lat: NDArray[np.float64], *,
              exact: bool = False) -> NDArray[np.float64]:
    """EPSG:3006 (x, y) of WGS84 points, (n, 2); NaN stays NaN."""
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not exact and ok.sum() >= POLY_MIN_POINTS:
        lo, la = lon[ok], lat[ok]
        box = (float(np.floor(lo.min() * 100) / 100), float(np.floor(la.min() * 100) / 100),
               float(np.ceil(lo.max() * 100) / 100), float(np.ceil(la.max() * 100) / 100))
        fit = _fit(box)
        if fit is not None:
            out = np.full((len(lon), 2), np.nan)
            out[ok] = _eval(fit[0], fit[1], lo, la)
            return out
    x, y = transformer(WGS84, METRIC).transform(lon, lat)
    return np.column_stack([np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")])


def band_codes(ns: NDArray[np.int64]) -> NDArray[np.int64]:
    """Index into :data:`mapapp.analysis.periods.BANDS` of each UTC-ns time (-1: no band or
    no time), by the hour-offset table described above."""
    ns = np.asarray(ns, dtype=np.int64)
    out = np.full(len(ns), -1, dtype=np.int64)
    ok = ns != _NAT
    if not ok.any():
        return out
    t = ns[ok]
    h0 = int(t.min() // _HOUR)
    h1 = int(t.max() // _HOUR)
    hours = pd.DatetimeIndex((np.arange(h0, h1 + 1, dtype=np.int64) * _HOUR), tz="UTC")
    offsets = np.asarray(
        (hours.tz_convert(LOCAL_TZ).tz_localize(None).as_unit("ns").asi8
         - hours.as_unit("ns").asi8), dtype=np.int64)
    local = t + offsets[t // _HOUR - h0]
    hour = (local // _HOUR) % 24
    wday = (local // _DAY + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    band = np.full(len(t), -1, dtype=np.int64)
    weekday = wday < 5
    band[weekday & (hour >= 8) & (hour < 16)] = 0
    band[weekday & (hour >= 18)] = 1
    band[weekday & (hour < 6)] = 2
    band[~weekday] = 3
    out[ok] = band
    return out


def kind_codes(kind: pd.Series, kinds: tuple[str, ...]) -> NDArray[np.int64]:
    """Index into ``kinds`` of each value, -1 for others (one factorize, then a lookup)."""
    codes, uniques = pd.factorize(kind)
    lookup = np.array([kinds.index(u) if u in kinds else -1 for u in uniques] + [-1],
                      dtype=np.int64)
    return lookup[np.asarray(codes, dtype=np.int64)]  # code -1 (missing) -> the last, -1
