"""The weekly lägesbild: ISO weeks in Europe/Stockholm time and this week's counts per zone
and category against the same zone's usual weeks.

A week is ISO 8601's: Monday 00:00 to the next Monday 00:00, local time; ``2023-W20`` is
15–21 May 2023. "Usual" is the ``history_weeks`` (default 8) weeks just before the chosen one:
their mean, lowest and highest count. Whether this week is *more than usual* is a one-sided
Poisson test of the count against that mean:

    p = P(X ≥ count | X ~ Poisson(usual_mean))

and the row is flagged when ``p < alpha`` (default 0.05, ``MAPAPP_WEEKLY_ALPHA``). A week with
no history (mean 0) and any count gets p = 0: something happened where nothing had; a count
of 0 always gets p = 1.

Pure functions: they take day counts (from :mod:`mapapp.store.weekly`) and return records;
no text, no I/O.

>>> w = parse_week("2023-W20")
>>> w.label, str(w.start), str(w.end)
('2023-W20', '2023-05-15', '2023-05-22')
>>> week_of(date(2021, 1, 3)).label   # a Sunday in the ISO year 2020
'2020-W53'
>>> round(poisson_upper_p(4, 2.0), 5)
0.14288
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.special import gammainc

from mapapp.errors import DataValidationError, Problem
from mapapp.timezone import LOCAL_TZ

RECORD_FIELDS = ("zone", "category", "count", "usual_mean", "usual_low", "usual_high",
                 "p_value", "more_than_usual")
_WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: ``year`` is the ISO year (the year of the week's Thursday)."""

    year: int
    week: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def start(self) -> date:
        """The Monday (a local date)."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """The next Monday (exclusive)."""
        return self.start + timedelta(days=7)

    @property
    def last_day(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def start_ts(self) -> pd.Timestamp:
        """Local midnight starting the week (tz-aware)."""
        return pd.Timestamp(self.start).tz_localize(LOCAL_TZ)

    @property
    def end_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.end).tz_localize(LOCAL_TZ)

    def shift(self, weeks: int) -> Week:
        """The week ``weeks`` later (negative: earlier).

        >>> parse_week("2021-W01").shift(-1).label
        '2020-W53'
        """
        return week_of(self.start + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return self.label


def week_of(day: date | pd.Timestamp) -> Week:
    """The ISO week holding the local date ``day`` (a tz-aware timestamp is converted to
    Europe/Stockholm first)."""
    if isinstance(day, pd.Timestamp):
        day = (day.tz_convert(LOCAL_TZ) if day.tzinfo else day).date()
    iso = day.isocalendar()
    return Week(iso.year, iso.week)


def parse_week(label: str | Week) -> Week:
    """``2023-W20`` (also ``2023W20``, ``2023-w5``) -> :class:`Week`; anything else, or a week
    the year does not have, -> :class:`DataValidationError` naming the field ``week``."""
    if isinstance(label, Week):
        return label
    m = _WEEK_RE.match(str(label))
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
            return Week(year, week)
        except ValueError:
            pass
    raise DataValidationError([Problem(None, "week", "week.bad_label", {"week": label})])


def poisson_upper_p(count: int, mean: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mean): the regularized lower incomplete gamma
    function P(count, mean) (1 for count ≤ 0; 0 for mean 0 and count ≥ 1).

    >>> poisson_upper_p(0, 3.0), poisson_upper_p(2, 0.0)
    (1.0, 0.0)
    """
    k = int(count)
    if k <= 0:
        return 1.0
    mu = float(mean)
    if not math.isfinite(mu) or mu < 0:
        raise ValueError(f"mean must be finite and ≥ 0, not {mean!r}")
    if mu == 0.0:
        return 0.0
    return float(gammainc(k, mu))


def weekly_counts(
    day_counts: pd.DataFrame,
    week: Week | str,
    *,
    history_weeks: int = 8,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """This week's count per zone and category against the ``history_weeks`` before it.

    ``day_counts`` has columns ``zone``, ``category``, ``day`` (a local date) and ``n``; rows
    outside the weeks compared are ignored, as are rows without a zone. The result has
    :data:`RECORD_FIELDS` as columns, one row for every zone × category with a point in any
    of the weeks compared, sorted by zone and category.

    >>> df = pd.DataFrame({"zone": "A", "category": "personran",
    ...                    "day": [date(2023, 5, 16)] * 10 + [date(2023, 5, 9)] * 5, "n": 1})
    >>> r = weekly_counts(df, "2023-W20", history_weeks=1).iloc[0]
    >>> int(r["count"]), float(r["usual_mean"]), bool(r["more_than_usual"])
    (10, 5.0, True)
    """
    week = parse_week(week)
    h = int(history_weeks)
    if h < 1:
        raise ValueError("history_weeks must be ≥ 1")
    first = week.start - timedelta(weeks=h)
    empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(
        RECORD_FIELDS, ("object", "object", "int64", "float64", "int64", "int64", "float64",
                        "bool"), strict=True)})
    if len(day_counts) == 0:
        return empty
    df = day_counts[day_counts["zone"].notna()]
    days = pd.to_datetime(pd.Series(df["day"], index=df.index).astype(str)).dt.date
    offset = np.array([(d - first).days for d in days], dtype=np.int64)
    idx = np.floor_divide(offset, 7)
    keep = (offset >= 0) & (idx <= h)
    df = pd.DataFrame({"zone": df["zone"].to_numpy()[keep],
                       "category": df["category"].astype(str).to_numpy()[keep],
                       "w": idx[keep], "n": df["n"].to_numpy(dtype=np.int64)[keep]})
    if len(df) == 0:
        return empty
    table = (df.groupby(["zone", "category", "w"])["n"].sum()
             .unstack("w").reindex(columns=range(h + 1)).fillna(0).astype(np.int64))
    hist = table[list(range(h))].to_numpy()
    now = table[h].to_numpy()
    means = hist.mean(axis=1)
    p = np.array([poisson_upper_p(int(c), float(m)) for c, m in zip(now, means, strict=True)])
    out = pd.DataFrame({
        "zone": [z for z, _ in table.index],
        "category": [c for _, c in table.index],
        "count": now.astype(np.int64),
        "usual_mean": means.astype(np.float64),
        "usual_low": hist.min(axis=1).astype(np.int64),
        "usual_high": hist.max(axis=1).astype(np.int64),
        "p_value": p,
        "more_than_usual": p < float(alpha),
    })
    return out.sort_values(["zone", "category"], kind="stable").reset_index(drop=True)


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """JSON-ready records (plain Python numbers, unrounded)."""
    out = []
    for r in frame.itertuples(index=False):
        out.append({"zone": r.zone, "category": r.category, "count": int(r.count),
                    "usual_mean": float(r.usual_mean), "usual_low": int(r.usual_low),
                    "usual_high": int(r.usual_high), "p_value": float(r.p_value),
                    "more_than_usual": bool(r.more_than_usual)})
    return out
