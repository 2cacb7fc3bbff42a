"""Periods: statistical years, calendar years and rolling 12 months, in Europe/Stockholm time.

A period is a half-open interval ``[start, end)`` of *local* time (Europe/Stockholm). Points are
bucketed by comparing their UTC instant with the UTC instants of the period boundaries (local
midnights), so the offset a time was written in does not matter and no per-row conversion is
needed: 2021-08-31 23:30 local (written ``+02:00`` or as ``21:30Z``) falls in 2020-2021, and
2021-09-01 00:10 local in 2021-2022.

Labels (what ``mapapp stats`` prints and ``mapapp hotspots --period`` takes):

| kind | label | interval |
|---|---|---|
| ``statistical`` | ``2020-2021`` | 1 <start month> 2020 – the day before 1 <start month> 2021 |
| ``statistical`` with start month 1 | ``2021`` | the calendar year (the two kinds coincide) |
| ``calendar`` | ``2021`` | 1 January – 31 December 2021 |
| ``rolling12`` | ``2022-09-01–2023-08-31`` | 12 months ending on the reference date (inclusive) |

Rolling periods step back a whole year at a time from the reference date (default: the local
date of the latest point), so the previous rolling period is the 12 months before.

Time bands (used by site hotspot flags), local time, each point in at most one band:
``skoltid`` weekdays 08–16, ``kvall`` weekdays 18–24, ``natt`` weekdays 00–06, ``helg`` Saturday
and Sunday (all day); ``alla`` is every time. Weekday 06–08 and 16–18 fall in no band.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mapapp.errors import DataValidationError, Problem
from mapapp.timezone import LOCAL_TZ as LOCAL_TZ  # its home is mapapp.timezone; kept importable here

PeriodKind = Literal["statistical", "calendar", "rolling12"]
PERIOD_KINDS: tuple[str, ...] = ("statistical", "calendar", "rolling12")
BANDS: tuple[str, ...] = ("skoltid", "kvall", "natt", "helg")
ALL_BANDS: tuple[str, ...] = (*BANDS, "alla")

_STAT_RE = re.compile(r"^(\d{4})-(\d{4})$")
_CAL_RE = re.compile(r"^(\d{4})$")
_ROLL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*[–-]{1,2}\s*(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """One period: ``start`` inclusive, ``end`` exclusive, both tz-aware local midnights."""

    kind: str
    label: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def start_ns(self) -> int:
        """UTC epoch nanoseconds of the start."""
        return int(self.start.value)

    @property
    def end_ns(self) -> int:
        return int(self.end.value)

    @property
    def last_day(self) -> pd.Timestamp:
        """The last local date inside the period."""
        return (self.end - pd.Timedelta(days=1)).normalize()


def _midnight(year: int, month: int = 1, day: int = 1) -> pd.Timestamp:
    return pd.Timestamp(year=year, month=month, day=day).tz_localize(LOCAL_TZ)


def _check_kind(kind: str) -> None:
    if kind not in PERIOD_KINDS:
        raise DataValidationError(
            [Problem(None, "period_kind", "analysis.bad_period_kind",
                     {"kind": kind, "allowed": ", ".join(PERIOD_KINDS)})]
        )


def _check_month(start_month: int) -> None:
    if not 1 <= int(start_month) <= 12:
        raise DataValidationError(
            [Problem(None, "stat_year_start_month", "analysis.bad_start_month",
                     {"month": start_month})]
        )


def statistical_year(year: int, *, stat_year_start_month: int = 9) -> Period:
    """The statistical year that starts in ``year``.

    >>> p = statistical_year(2020)
    >>> p.label, str(p.start), str(p.last_day.date())
    ('2020-2021', '2020-09-01 00:00:00+02:00', '2021-08-31')
    >>> statistical_year(2021, stat_year_start_month=1).label
    '2021'
    """
    _check_month(stat_year_start_month)
    m = int(stat_year_start_month)
    if m == 1:
        return Period("statistical", f"{year}", _midnight(year), _midnight(year + 1))
    return Period("statistical", f"{year}-{year + 1}", _midnight(year, m), _midnight(year + 1, m))


def calendar_year(year: int) -> Period:
    """The calendar year ``year``.

    >>> calendar_year(2021).label
    '2021'
    """
    return Period("calendar", f"{year}", _midnight(year), _midnight(year + 1))


def rolling12(last_day: pd.Timestamp | str) -> Period:
    """The 12 months ending on the local date ``last_day`` (inclusive).

    >>> rolling12("2023-08-31").label
    '2022-09-01–2023-08-31'
    """
    ts = pd.Timestamp(last_day)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(LOCAL_TZ).tz_localize(None)
    end = (ts.normalize() + pd.Timedelta(days=1))
    start = end - pd.DateOffset(years=1)
    end_l = end.tz_localize(LOCAL_TZ)
    start_l = pd.Timestamp(start).tz_localize(LOCAL_TZ)
    label = f"{start_l.date().isoformat()}–{(end - pd.Timedelta(days=1)).date().isoformat()}"
    return Period("rolling12", label, start_l, end_l)


def period_containing(
    when: pd.Timestamp,
    *,
    kind: str = "statistical",
    stat_year_start_month: int = 9,
    reference: pd.Timestamp | None = None,
) -> Period:
    """The period of ``kind`` that contains the instant ``when`` (tz-aware; naive = local)."""
    _check_kind(kind)
    ts = pd.Timestamp(when)
    local = ts.tz_localize(LOCAL_TZ) if ts.tzinfo is None else ts.tz_convert(LOCAL_TZ)
    if kind == "calendar":
        return calendar_year(local.year)
    if kind == "statistical":
        m = int(stat_year_start_month)
        _check_month(m)
        year = local.year if local.month >= m else local.year - 1
        return statistical_year(year, stat_year_start_month=m)
    ref = rolling12(local if reference is None else reference)
    # Step whole years back/forward from the reference period until `local` is inside.
    years = 0
    p = ref
    while local < p.start:
        years += 1
        p = rolling12(ref.last_day - pd.DateOffset(years=years))
    while local >= p.end:
        years -= 1
        p = rolling12(ref.last_day - pd.DateOffset(years=years))
    return p


def parse_period(label: str, *, stat_year_start_month: int = 9) -> Period:
    """The period a label names; the kind follows from the form of the label.

    >>> parse_period("2021-2022").kind, parse_period("2021").kind
    ('statistical', 'calendar')
    >>> parse_period("2022-09-01–2023-08-31").last_day.date().isoformat()
    '2023-08-31'
    """
    text = str(label).strip()
    m = _STAT_RE.match(text)
    if m and int(m.group(2)) == int(m.group(1)) + 1 and int(stat_year_start_month) != 1:
        return statistical_year(int(m.group(1)), stat_year_start_month=stat_year_start_month)
    m = _CAL_RE.match(text)
    if m:
        return calendar_year(int(m.group(1)))
    m = _ROLL_RE.match(text)
    if m:
        p = rolling12(m.group(2))
        if p.start.date().isoformat() == m.group(1):
            return p
    raise DataValidationError(
        [Problem(None, "period", "analysis.bad_period", {"label": text})]
    )


def previous_period(period: Period | str, *, stat_year_start_month: int = 9) -> Period:
    """The period just before (a year earlier for every kind).

    >>> previous_period("2021-2022").label
    '2020-2021'
    >>> previous_period("2022-09-01–2023-08-31").label
    '2021-09-01–2022-08-31'
    """
    p = period if isinstance(period, Period) else parse_period(
        period, stat_year_start_month=stat_year_start_month)
    if p.kind == "rolling12":
        return rolling12(p.start - pd.Timedelta(days=1))
    if p.kind == "calendar":
        return calendar_year(p.start.year - 1)
    m = p.start.month
    return statistical_year(p.start.year - 1, stat_year_start_month=m)


def utc_ns(occurred_at: pd.Series | pd.DatetimeIndex | Sequence[object]) -> NDArray[np.int64]:
    """UTC epoch nanoseconds of tz-aware times (any resolution, any offset); NaT -> INT64 min.

    Naive times are refused: nobody can tell which offset they were written in.
    """
    idx = pd.DatetimeIndex(occurred_at)
    if idx.tz is None:
        raise DataValidationError(
            [Problem(None, "occurred_at", "analysis.naive_time")]
        )
    return np.asarray(idx.as_unit("ns").asi8, dtype=np.int64)


_NAT = np.iinfo(np.int64).min


def periods_covering(
    first_ns: int,
    last_ns: int,
    *,
    kind: str = "statistical",
    stat_year_start_month: int = 9,
    reference: pd.Timestamp | None = None,
) -> list[Period]:
    """Every period from the one containing ``first_ns`` to the one containing ``last_ns``,
    oldest first (UTC epoch ns in, as from :func:`utc_ns`)."""
    _check_kind(kind)
    first = pd.Timestamp(first_ns, tz="UTC")
    last = pd.Timestamp(last_ns, tz="UTC")
    kw = {"kind": kind, "stat_year_start_month": stat_year_start_month, "reference": reference}
    p = period_containing(first, **kw)  # type: ignore[arg-type]
    stop = period_containing(last, **kw)  # type: ignore[arg-type]
    out = [p]
    nxt = p
    while nxt.start < stop.start:
        nxt = _next(nxt)
        out.append(nxt)
    return out


def _next(p: Period) -> Period:
    if p.kind == "rolling12":
        return rolling12(p.last_day + pd.DateOffset(years=1))
    if p.kind == "calendar":
        return calendar_year(p.start.year + 1)
    return statistical_year(p.start.year + 1, stat_year_start_month=p.start.month)


def list_periods(
    occurred_at: pd.Series,
    *,
    kind: str = "statistical",
    stat_year_start_month: int = 9,
    reference: pd.Timestamp | None = None,
) -> list[Period]:
    """The periods that the data spans, oldest first (empty for no valid time).

    For ``rolling12`` the reference date defaults to the latest time in the data."""
    ns = utc_ns(occurred_at)
    ns = ns[ns != _NAT]
    if len(ns) == 0:
        return []
    lo, hi = int(ns.min()), int(ns.max())
    if kind == "rolling12" and reference is None:
        reference = pd.Timestamp(hi, tz="UTC")
    if kind == "rolling12" and reference is not None:
        hi = max(hi, rolling12(pd.Timestamp(reference)).start_ns)
        hi = min(hi, rolling12(pd.Timestamp(reference)).end_ns - 1)
    return periods_covering(lo, hi, kind=kind, stat_year_start_month=stat_year_start_month,
                            reference=reference)


def bucket(ns: NDArray[np.int64], periods: Sequence[Period]) -> NDArray[np.int64]:
    """Index into ``periods`` (consecutive, oldest first) for each UTC-ns time; -1 outside.

    >>> ps = [statistical_year(2020), statistical_year(2021)]
    >>> t0 = pd.Timestamp("2021-08-31 21:30", tz="UTC").value   # 23:30 local
    >>> t1 = pd.Timestamp("2021-08-31 22:10", tz="UTC").value   # 00:10 local
    >>> bucket(np.array([t0, t1]), ps).tolist()
    [0, 1]
    >>> bucket(np.array([], dtype=np.int64), ps).tolist()
    []
    """
    ns = np.asarray(ns, dtype=np.int64)
    if not periods:
        return np.full(len(ns), -1, dtype=np.int64)
    edges = np.array([p.start_ns for p in periods] + [periods[-1].end_ns], dtype=np.int64)
    idx = np.searchsorted(edges, ns, side="right") - 1
    idx[(idx >= len(periods)) | (ns == _NAT)] = -1
    return idx.astype(np.int64, copy=False)


def local_fields(occurred_at: pd.Series) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Local (Europe/Stockholm) hour 0–23 and weekday (Monday 0) of each time, vectorised;
    -1 for a missing time."""
    idx = pd.DatetimeIndex(occurred_at)
    if idx.tz is None:
        raise DataValidationError(
            [Problem(None, "occurred_at", "analysis.naive_time")]
        )
    local = idx.tz_convert(LOCAL_TZ)
    missing = np.asarray(idx.isna())
    hour = np.asarray(local.hour.to_numpy(dtype="float64", na_value=-1.0), dtype=np.int64)
    wday = np.asarray(local.day_of_week.to_numpy(dtype="float64", na_value=-1.0),
                      dtype=np.int64)
    hour[missing] = -1
    wday[missing] = -1
    return hour, wday


def time_band(occurred_at: pd.Series) -> NDArray[np.int64]:
    """Index into :data:`BANDS` of each time's band, -1 for no band (weekday 06–08, 16–18).

    >>> ts = pd.Series(pd.to_datetime(["2024-05-06 09:00+02:00", "2024-05-06 19:00+02:00",
    ...   "2024-05-07 03:00+02:00", "2024-05-11 12:00+02:00", "2024-05-06 07:00+02:00"], utc=True))
    >>> [BANDS[i] if i >= 0 else None for i in time_band(ts)]
    ['skoltid', 'kvall', 'natt', 'helg', None]
    """
    hour, wday = local_fields(occurred_at)
    out = np.full(len(hour), -1, dtype=np.int64)
    weekday = (wday >= 0) & (wday < 5)
    out[weekday & (hour >= 8) & (hour < 16)] = 0
    out[weekday & (hour >= 18)] = 1
    out[weekday & (hour < 6)] = 2
    out[wday >= 5] = 3
    return out


#: The data cover a month to its end when their latest day is one of its last this many days
#: (a day without any report is normal in a small district or a thin data set).
MONTH_END_DAYS = 3


def covered_until(data_end: pd.Timestamp | str) -> pd.Timestamp:
    """The last local day that data ending at ``data_end`` (their latest time; naive = local)
    cover: that day, or the end of its month when it is one of the month's last
    :data:`MONTH_END_DAYS` days.

    >>> str(covered_until(pd.Timestamp("2023-08-30 10:00", tz="UTC")).date())
    '2023-08-31'
    >>> str(covered_until("2023-12-10").date())
    '2023-12-10'
    """
    ts = pd.Timestamp(data_end)
    local = ts if ts.tzinfo is None else ts.tz_convert(LOCAL_TZ).tz_localize(None)
    day = local.normalize()
    month_end = day + pd.offsets.MonthEnd(0)
    return month_end if (month_end - day).days < MONTH_END_DAYS else day


def is_complete(period: Period, data_end: pd.Timestamp | None) -> bool:
    """Whether data that end at the instant ``data_end`` (their latest time) cover ``period``
    to its end (:func:`covered_until` reaches the period's last day)."""
    if data_end is None or pd.isna(data_end):
        return False
    return bool(covered_until(data_end).date() >= period.last_day.date())


def latest_complete(periods: Sequence[Period], data_end: pd.Timestamp | None) -> Period | None:
    """The default period everywhere: the latest one the data cover to its end (else the
    latest; None without periods).

    >>> ps = [statistical_year(2022), statistical_year(2023)]
    >>> latest_complete(ps, pd.Timestamp("2023-12-31 18:00", tz="UTC")).label
    '2022-2023'
    >>> latest_complete(ps, pd.Timestamp("2024-08-31 21:00", tz="UTC")).label
    '2023-2024'
    """
    done = [p for p in periods if is_complete(p, data_end)]
    if done:
        return done[-1]
    return periods[-1] if periods else None
