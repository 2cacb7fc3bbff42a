"""What a snapshot reads from the store, read once: :func:`read_source` returns a
:class:`Source`, and :func:`mapapp.snapshot.content.assemble` makes the snapshot from it
without touching the store again (pure, testable on frames).

The points are read once per kind, for the whole district (the site flags compare a site
with the district) over the window the snapshot needs: incidents by the lean read
(:func:`mapapp.store.points.load_point_arrays`: numbers and categoricals, no text per row)
from the start of the period before the first of the three shown (the hotspots compare with
the three periods before) to the end of the last -- widened to the window of the measures'
WDD effects, which take their rows from the same read; observations (the point frame: the
list shows their notes) from the earlier of that start and the ``since`` date, up to now
(the observation list runs to today).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, func, select

from mapapp.access import Perm, Principal
from mapapp.analysis.periods import (
    Period,
    is_complete,
    parse_period,
    period_containing,
    previous_period,
)
from mapapp.errors import DataValidationError, Problem
from mapapp.settings import Settings
from mapapp.store.aggregates import DayFilter, daily_counts
from mapapp.store.district import district_outline, sites_frame, stadsdelar_frame, zones_frame
from mapapp.store.models import Incident, Observation
from mapapp.store.points import PointFilter, frame_of_arrays, load_point_arrays, load_points
from mapapp.store.statistics import statistics_frame
from mapapp.timezone import LOCAL_TZ, local_midnight


@dataclass(frozen=True)
class Source:
    """Everything a snapshot of one area shows, as read from the store for one role."""

    zone_row: pd.Series | None  # the zone (None: the whole district)
    periods: tuple[Period, Period, Period, Period]  # oldest first; the snapshot's is the last;
    # the first is only history for the hotspots, the other three are shown
    since: date
    zones: gpd.GeoDataFrame
    stadsdelar: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    district: shapely.Geometry
    incidents: pd.DataFrame  # occurred in [periods[0].start, periods[-1].end), whole district
    # (frame_of_arrays: the point frame without id, external_id, precision and description)
    observations: pd.DataFrame  # occurred since min(periods[0].start, since)
    daily: dict[str, pd.DataFrame]  # per kind: counts per zone x category x local day (area)
    measures: pd.DataFrame  # mapapp.measures.measures_frame
    effects: dict[int, dict[str, Any]]  # mapapp.snapshot.effects.measure_effects of the area
    statistics: pd.DataFrame  # mapapp.store.statistics.statistics_frame


def parse_since(value: str | date | None) -> date | None:
    """``value`` as a date (ISO text accepted); a bad text is a :class:`DataValidationError`."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DataValidationError(
            [Problem(None, "since", "snapshot.bad_since", {"date": value})]) from None


def default_since(today: date | None = None) -> date:
    """Six months before today (local date).

    >>> default_since(date(2024, 8, 31))
    datetime.date(2024, 2, 29)
    """
    now = pd.Timestamp(today) if today else pd.Timestamp.now(tz=LOCAL_TZ).tz_localize(None)
    return (now.normalize() - pd.DateOffset(months=6)).date()


def latest_period(engine: Engine, settings: Settings) -> Period:
    """The default period of a snapshot: the latest statistical year the data cover to its end
    (the reported crimes' latest time, else the observations'; see
    :func:`mapapp.analysis.periods.latest_complete`), else the one holding the latest point."""
    latest: list[pd.Timestamp] = []
    with engine.connect() as conn:
        for table in (Incident.__table__, Observation.__table__):
            v = conn.execute(select(func.max(table.c.occurred_at))).scalar()
            if v is not None:
                latest.append(_utc(v))
    if not latest:
        raise DataValidationError([Problem(None, "period", "snapshot.no_data")])
    end = latest[0]  # the crimes' coverage decides when there are any
    p = period_containing(end, kind="statistical",
                          stat_year_start_month=settings.stat_year_start_month)
    if not is_complete(p, end):
        earlier = previous_period(p)
        with engine.connect() as conn:
            first = conn.execute(select(func.min(Incident.__table__.c.occurred_at))).scalar()
        if first is not None and _utc(first) < earlier.end:  # the data reach the year before
            return earlier
    return p


def _utc(v: object) -> pd.Timestamp:
    ts = pd.Timestamp(v)  # type: ignore[arg-type]
    return ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")


def resolve_period(engine: Engine, period: str | Period | None, settings: Settings) -> Period:
    """``period`` as a :class:`Period` ("2021–2022" as written in the minutes is accepted);
    None: :func:`latest_period`."""
    if isinstance(period, Period):
        return period
    if period:
        text = str(period).strip()
        m = re.fullmatch(r"(\d{4})\s*[–—-]\s*(\d{4})", text)
        return parse_period(f"{m.group(1)}-{m.group(2)}" if m else text,
                            stat_year_start_month=settings.stat_year_start_month)
    return latest_period(engine, settings)


def _incidents(engine: Engine, who: Principal, zones: pd.DataFrame, stadsdelar: pd.DataFrame,
               flt: PointFilter) -> pd.DataFrame:
    """The incidents of the window by the lean read (four years of a million-point store:
    numbers and categoricals, no text per row), with what assembly reads: ``kind, category,
    occurred_at, lon, lat, zone, zone_id, stadsdel, sensitive``."""
    def names(frame: pd.DataFrame) -> dict[int, str]:
        return dict(zip(frame["id"].astype(int), frame["name"].astype(str), strict=True))

    arrays = load_point_arrays(engine, who, "incident", flt, stadsdel=True)
    return frame_of_arrays(arrays, "incident", names(zones), names(stadsdelar))


def read_source(engine: Engine, who: Principal, *, zone: str | None,
                period: str | Period | None, since: date | str | None,
                settings: Settings) -> Source:
    """The one read of the store for a snapshot of ``zone`` (None: the whole district); needs
    :attr:`Perm.EXPORT`. An unknown zone is refused before anything else is read."""
    from mapapp.measures import measures_frame
    from mapapp.snapshot.content import resolve_zone
    from mapapp.snapshot.effects import effects_window, measure_effects

    who.require(Perm.EXPORT)
    zones = zones_frame(engine)
    zrow = resolve_zone(zones, zone)
    since_d = parse_since(since) or default_since()
    p3 = resolve_period(engine, period, settings)
    p2 = previous_period(p3)
    p1 = previous_period(p2)
    p0 = previous_period(p1)
    first = p0.start.to_pydatetime()
    days = DayFilter(start=p1.start.date(), end=p3.end.date(),
                     zone_ids=None if zrow is None else (int(zrow["id"]),),
                     in_stadsdel=zrow is None)
    measures = measures_frame(engine, who)
    stadsdelar = stadsdelar_frame(engine)
    mine = measures if zrow is None else measures[measures["zone"] == str(zrow["name"])]
    # One read of the incidents for the hotspot window and the measures' effects together.
    start, end = p0.start, p3.end
    win = effects_window(mine)
    if win is not None:
        start, end = min(start, win[0]), max(end, win[1])
    incidents = _incidents(engine, who, zones, stadsdelar,
                           PointFilter(start=start.to_pydatetime(), end=end.to_pydatetime()))
    when = incidents["occurred_at"]
    # The day counts' range [p1, p3] lies inside this read: when none of its incidents is
    # outside every stadsdel, the district's counts need not look for such points.
    counted = ((when >= p1.start) & (when < p3.end)).to_numpy(dtype=bool)
    inc_days = replace(days, none_outside=days.in_stadsdel and bool(
        incidents.loc[counted, "stadsdel"].notna().all()))
    return Source(
        zone_row=zrow, periods=(p0, p1, p2, p3), since=since_d,
        zones=zones, stadsdelar=stadsdelar,
        sites=sites_frame(engine), district=district_outline(engine),
        incidents=incidents[((when >= p0.start) & (when < p3.end)).to_numpy(dtype=bool)],
        observations=load_points(engine, who, "observation",
                                 PointFilter(start=min(first, local_midnight(since_d)))),
        daily={"incident": daily_counts(engine, ("incident",), inc_days),
               "observation": daily_counts(engine, ("observation",), days)},
        measures=measures,
        effects=measure_effects(engine, who, mine, settings, points=incidents),
        statistics=statistics_frame(engine, who))
