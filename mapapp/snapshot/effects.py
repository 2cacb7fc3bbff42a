"""Each measure's effect for a document: the WDD test of :mod:`mapapp.analysis.wdd` (through
:func:`mapapp.analysis.beforeafter.before_after`) for every measure with a start date and a
place, on the reported crimes of the windows it needs (read once, by the lean read of
:func:`mapapp.store.points.load_point_arrays`, and put in metres once for every measure)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from mapapp.access import Principal
from mapapp.errors import DataValidationError
from mapapp.settings import Settings
from mapapp.store.models import Incident

MONTHS = 6


def _aware(v: Any) -> pd.Timestamp:
    ts = pd.Timestamp(v)
    return ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")


def effects_window(measures: pd.DataFrame | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The time range of the reported crimes that :func:`measure_effects` reads for
    ``measures`` (None: no measure with a start)."""
    from mapapp.timezone import LOCAL_TZ

    if measures is None or len(measures) == 0:
        return None
    starts = pd.to_datetime(measures["start"], errors="coerce").dropna()
    if starts.empty:
        return None
    lo = (starts.min() - pd.DateOffset(months=12 + MONTHS + 1)).tz_localize(LOCAL_TZ)
    hi = (starts.max() + pd.DateOffset(months=MONTHS + 1)).tz_localize(LOCAL_TZ)
    return lo, hi


def measure_effects(engine: Engine, who: Principal, measures: pd.DataFrame,
                    settings: Settings, *, points: pd.DataFrame | None = None
                    ) -> dict[int, dict[str, Any]]:
    """{measure id: before/after result with ``wdd, se, z, wdq, verdict``} for the measures
    that have a start and a place (a measure whose place cannot be resolved is left out).
    ``points``: the role's incidents over at least :func:`effects_window` (a point frame or
    :func:`~mapapp.store.points.frame_of_arrays`, e.g. a snapshot's read); the rows of the
    window are taken from it instead of reading the store again."""
    from mapapp.analysis.beforeafter import before_after, rows_in_measure_windows
    from mapapp.analysis.wdd import with_metric
    from mapapp.store.district import district_outline, sites_frame, zones_frame
    from mapapp.store.points import PointFilter, frame_of_arrays, load_point_arrays

    window = effects_window(measures)
    if window is None:
        return {}
    lo, hi = window
    # Only the windows' points are read; the data's first and last times come from the store
    # (whether the data reach back a year, and whether the after window has ended).
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(Incident.occurred_at),
                                          func.max(Incident.occurred_at))).one()
    if last is None:
        return {}
    data_start, data_end = (_aware(v) for v in (first, last))
    sites, zones, district = sites_frame(engine), zones_frame(engine), district_outline(engine)
    # the lean read (numbers and categoricals, no text per row), positions in metres once
    if points is None:
        arrays = load_point_arrays(engine, who, "incident",
                                   PointFilter(start=lo.to_pydatetime(), end=hi.to_pydatetime()))
        names = dict(zip(zones["id"].astype(int), zones["name"].astype(str), strict=True))
        points = frame_of_arrays(arrays, "incident", names, {})
    else:  # the window's rows, as the store's time range gives them
        when = pd.to_datetime(points["occurred_at"], utc=True)
        points = points[((when >= lo) & (when < hi)).to_numpy(dtype=bool)]
    points = points[rows_in_measure_windows(points, measures, MONTHS)]
    # the columns before_after reads, the text ones as plain objects once (not per measure)
    pts = with_metric(points)[["kind", "occurred_at", "lon", "lat", "x_m", "y_m", "zone"]]
    pts = pts.assign(kind=pts["kind"].astype(object), zone=pts["zone"].astype(object))
    out: dict[int, dict[str, Any]] = {}
    for m in measures.to_dict("records"):
        if pd.isna(pd.to_datetime(m.get("start"), errors="coerce")):
            continue
        try:
            out[int(m["id"])] = before_after(
                m, pts, sites=sites, zones=zones, district=district, months=MONTHS,
                data_start=data_start, data_end=data_end,
                radius_m=settings.site_radius_m, buffer_m=settings.wdd_buffer_m,
                confidence=settings.confidence_level)
        except DataValidationError:
            continue
    return out
