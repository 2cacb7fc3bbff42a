"""Before/after a measure: did the incidents and observations at its place go down?

**Place.** A measure with a ``site`` counts the points within ``radius_m`` of that site
(distance ≤ r in EPSG:3006); otherwise the points whose stored ``zone`` is the measure's zone.

**Windows** (local time, Europe/Stockholm; start inclusive, end exclusive). With S the local
midnight of the measure's start date and N = ``months``:

- *after*: [S, S + N months).
- *before*: the same calendar months one year earlier, [S − 12 months, S − 12 months + N months),
  when N ≤ 12 and the data reach back that far (the earliest point — or ``data_start`` — falls
  in or before the first month of that window); this removes the season from the comparison.
  Otherwise the N months immediately before, [S − N months, S).

**Counts.** ``before``/``after`` count the reported crimes (``kind`` "incident") at the place;
the walks' observations are counted apart in ``by_kind`` and never added to them.
``change`` = after − before, ``change_pct`` = 100 · change / before (None when before is 0),
with the two-sample Poisson test of :mod:`mapapp.analysis.significance` (``p_value``,
``significant``, ``trend``; both windows are N calendar months: equal exposures).

**Did it work?** The weighted displacement difference test of :mod:`mapapp.analysis.wdd`
(target, displacement buffer and control, each control's change weighted to the baseline of the
area it stands for): ``wdd, se, z, wdq, verdict`` and the eight counts.

**Conclusions** are codes (words at the edges): ``note`` is ``"too_few"`` when either side has
fewer than ``min_count`` (default 5) points, ``"incomplete"`` when the after window has not
ended in the data (the latest point — or ``data_end`` — is before its end), else None;
``conclusive`` is true only when neither applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from mapapp.analysis.periods import utc_ns
from mapapp.analysis.significance import DEFAULT_CONFIDENCE, compare
from mapapp.analysis.wdd import COUNT_KEYS, areas, wdd
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import DataValidationError, Problem
from mapapp.timezone import LOCAL_TZ
from mapapp.values import is_missing

KINDS: tuple[str, ...] = ("incident", "observation")


def _local_midnight(v: Any) -> pd.Timestamp:
    ts = pd.Timestamp(v)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(LOCAL_TZ).tz_localize(None)
    return ts.normalize().tz_localize(LOCAL_TZ)


def _shift(ts: pd.Timestamp, months: int) -> pd.Timestamp:
    """``ts`` (a local midnight) moved by whole months, still a local midnight."""
    naive = ts.tz_localize(None) + pd.DateOffset(months=months)
    return pd.Timestamp(naive).tz_localize(LOCAL_TZ)


def site_centre_metric(sites: pd.DataFrame | None, site: Any, measure_id: Any
                       ) -> tuple[float, float]:
    """The centre (SWEREF 99 TM) of the site a measure names; a measure naming a site that
    does not exist is refused with the measure's id."""
    match = (sites[sites["name"].astype(str) == str(site)] if sites is not None
             else pd.DataFrame())
    if len(match) == 0:
        raise DataValidationError([Problem(None, "site", "analysis.measure.unknown_site",
                                           {"id": measure_id, "site": site})])
    c = shapely.centroid(match.geometry.iloc[0])
    x, y = transformer(WGS84, METRIC).transform(shapely.get_x(c), shapely.get_y(c))
    return float(x), float(y)


def place_mask(
    measure: Mapping[str, Any],
    points: pd.DataFrame,
    *,
    sites: pd.DataFrame | None = None,
    radius_m: float = 150.0,
) -> tuple[np.ndarray, str, str]:
    """Boolean mask of the points at the measure's place, and (place kind, place name)."""
    mid, title = measure.get("id"), measure.get("title")
    site, zone = measure.get("site"), measure.get("zone")
    if not is_missing(site):
        sx, sy = site_centre_metric(sites, site, mid)
        tr = transformer(WGS84, METRIC)
        lon = points["lon"].to_numpy(dtype="float64")
        lat = points["lat"].to_numpy(dtype="float64")
        ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
        mask = np.zeros(len(points), dtype=bool)
        if len(ok):
            x, y = tr.transform(lon[ok], lat[ok])
            hits = cKDTree(np.column_stack([x, y])).query_ball_point([sx, sy], r=float(radius_m))
            mask[ok[np.asarray(hits, dtype=np.int64)]] = True
        return mask, "site", str(site)
    if not is_missing(zone):
        return (points["zone"].astype(object) == str(zone)).to_numpy(dtype=bool), "zone", str(zone)
    raise DataValidationError([Problem(None, "zone", "analysis.measure.no_place",
                                       {"id": mid, "title": title})])


def before_after(
    measure: Mapping[str, Any] | pd.Series,
    points: pd.DataFrame,
    *,
    sites: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    district: Any = None,
    months: int = 6,
    radius_m: float = 150.0,
    buffer_m: float = 250.0,
    min_count: int = 5,
    data_start: pd.Timestamp | None = None,
    data_end: pd.Timestamp | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[str, Any]:
    """Counts before and after one measure and the WDD test (see the module docstring).

    Returns ``measure_id, title, place_kind ("site"/"cell"/"zone"), place, months, comparison
    ("same_months_last_year"/"immediately_before"), before_start, before_end, after_start,
    after_end`` (ISO dates; *_end is the last day inside), ``before, after, change,
    change_pct, p_value, significant, trend`` (reported crimes at the place), ``by_kind``
    ({kind: {"before", "after"}}), ``buffer_m``, the eight WDD counts (``t_before`` …
    ``cd_after``), ``w_t, w_d, wdd, se, z, wdq, verdict``, ``complete, conclusive, note``."""
    m = dict(measure)
    if is_missing(m.get("start")):
        raise DataValidationError([Problem(None, "start", "analysis.measure.no_start",
                                           {"id": m.get("id"), "title": m.get("title")})])
    months = int(months)
    if not is_missing(m.get("site")) or not is_missing(m.get("cell_id")) or zones is not None:
        t_mask, d_mask, c_mask, place_kind, place = areas(
            m, points, sites=sites, zones=zones, district=district, radius_m=radius_m,
            buffer_m=buffer_m)
    else:  # a zone measure without the zones' outlines: no buffer
        t_mask, place_kind, place = place_mask(m, points, sites=sites, radius_m=radius_m)
        d_mask = np.zeros(len(points), dtype=bool)
        zc = points["zone"].astype(object)
        c_mask = (zc.notna() & (zc != place)).to_numpy(dtype=bool)
    ns = utc_ns(points["occurred_at"])
    nat = np.iinfo(np.int64).min
    valid = ns[ns != nat]
    s = _local_midnight(m["start"])
    after = (s, _shift(s, months))
    year_before = (_shift(s, -12), _shift(s, months - 12))
    first = (_local_midnight(data_start) if data_start is not None else
             (pd.Timestamp(int(valid.min()), tz="UTC").tz_convert(LOCAL_TZ) if len(valid)
              else None))
    reaches = first is not None and (first.year, first.month) <= (year_before[0].year,
                                                                  year_before[0].month)
    if months <= 12 and reaches:
        before, comparison = year_before, "same_months_last_year"
    else:
        before, comparison = (_shift(s, -months), s), "immediately_before"

    kinds = (points["kind"].astype(object).to_numpy() if "kind" in points
             else np.full(len(points), "incident", dtype=object))
    timed = ns != nat
    # each window's and kind's rows once (a measure counts ten times over the same rows)
    in_window: dict[tuple[int, int], np.ndarray] = {}
    of_kind: dict[str, np.ndarray] = {}

    def count(mask: np.ndarray, win: tuple[pd.Timestamp, pd.Timestamp],
              kind: str | None = "incident") -> int:
        key = (win[0].value, win[1].value)
        if key not in in_window:
            in_window[key] = timed & (ns >= win[0].value) & (ns < win[1].value)
        w = mask & in_window[key]
        if kind is not None:
            if kind not in of_kind:
                of_kind[kind] = kinds == kind
            w &= of_kind[kind]
        return int(np.count_nonzero(w))

    b, a = count(t_mask, before), count(t_mask, after)
    last = (pd.Timestamp(data_end) if data_end is not None else
            (pd.Timestamp(int(valid.max()), tz="UTC") if len(valid) else None))
    if last is not None and last.tzinfo is None:
        last = last.tz_localize(LOCAL_TZ)
    complete = last is not None and last >= after[1] - pd.Timedelta(microseconds=1)
    enough = b >= min_count and a >= min_count
    note = "too_few" if not enough else ("incomplete" if not complete else None)

    def day(ts: pd.Timestamp) -> str:
        return str(ts.date().isoformat())

    def last_day(ts: pd.Timestamp) -> str:
        return str((ts.tz_localize(None) - pd.Timedelta(days=1)).date().isoformat())

    # Both windows are N calendar months: equal exposures.
    tested = compare(b, a, confidence=confidence)
    test = wdd(b, a, count(d_mask, before), count(d_mask, after), count(c_mask, before),
               count(c_mask, after), min_count=min_count, complete=bool(complete),
               confidence=confidence)
    rid = m.get("id")
    out: dict[str, Any] = {
        "measure_id": int(rid) if isinstance(rid, int | np.integer) else rid,
        "title": m.get("title"),
        "place_kind": place_kind,
        "place": place,
        "months": months,
        "comparison": comparison,
        "before_start": day(before[0]),
        "before_end": last_day(before[1]),
        "after_start": day(after[0]),
        "after_end": last_day(after[1]),
        "last_data": last.tz_convert(LOCAL_TZ).date().isoformat() if last is not None else None,
        "before": b,
        "after": a,
        "change": a - b,
        "change_pct": None if b == 0 else round(100.0 * (a - b) / b, 1),
        "p_value": tested.p_value,
        "significant": tested.significant,
        "trend": tested.trend,
        "by_kind": {k: {"before": count(t_mask, before, k), "after": count(t_mask, after, k)}
                    for k in KINDS},
        "buffer_m": float(buffer_m),
    }
    out.update(test.as_dict())
    out.update({"complete": bool(complete), "conclusive": bool(enough and complete),
                "note": note})
    assert set(COUNT_KEYS) <= set(out)
    return out


def rows_in_measure_windows(points: pd.DataFrame, measures: pd.DataFrame, months: int
                            ) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The rows of ``points`` that some measure's before/after test can count: those in
    [start − max(12, months) months, start + months months) of a measure with a start (the
    year-before, the immediately-before and the after windows of
    :func:`~mapapp.analysis.beforeafter.before_after` all lie in it). A measure at a site or
    cell without a zone takes its zone from the points at the place over all times, so then
    every row is kept. Rows without a time are never counted."""
    keep = np.ones(len(points), dtype=bool)
    spans: set[tuple[int, int]] = set()
    for m in measures.to_dict("records"):
        start = pd.to_datetime(m.get("start"), errors="coerce")
        if pd.isna(start):
            continue
        if (not is_missing(m.get("site")) or not is_missing(m.get("cell_id"))) and is_missing(m.get("zone")):
            return keep
        s = _local_midnight(m["start"])
        spans.add((_shift(s, -max(12, months)).value, _shift(s, months).value))
    if not spans or len(points) == 0:
        return keep
    ns = utc_ns(points["occurred_at"])
    keep[:] = False
    for lo, hi in spans:
        keep |= (ns >= lo) & (ns < hi)
    return keep


def before_after_all(
    measures: pd.DataFrame,
    points: pd.DataFrame,
    **kw: Any,
) -> list[dict[str, Any]]:
    """:func:`before_after` for every measure that has a start date and a place, in order
    (keywords as :func:`before_after`)."""
    out = []
    for row in measures.to_dict("records"):
        if is_missing(row.get("start")):
            continue
        if all(is_missing(row.get(k)) for k in ("site", "zone", "cell_id")):
            continue
        out.append(before_after(row, points, **kw))
    return out
