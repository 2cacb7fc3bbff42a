"""Statistics tables (the police's and the city's counts per period, not points): ordering of
period labels, the change from the previous period, and the matching counts from points.

Pure functions on the frame of :func:`mapapp.io.statistics.statistics_frame`
(``area, area_kind, category, category_code, period, count, source, …``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from mapapp.analysis.significance import DEFAULT_CONFIDENCE, p_values, significant, trend_code

_YEAR = re.compile(r"(\d{4})")


def period_sort_key(label: str) -> tuple[int, int, str]:
    """Sort "2019–2020" / "2019-2020" / "2021" / "2022-03" labels in time order.

    >>> sorted(["2021", "2019-2020", "2020–2021"], key=period_sort_key)
    ['2019-2020', '2020–2021', '2021']
    >>> period_sort_key("")
    (0, 0, '')
    """
    years = [int(y) for y in _YEAR.findall(label)]
    month = 0
    m = re.fullmatch(r"\d{4}-(\d{2})", label.strip())
    if m:
        month = int(m.group(1))
    return (years[0] if years else 0, month, label)


def with_changes(frame: pd.DataFrame, *, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """``frame`` sorted by area, category and period, with ``change`` and ``change_pct``
    against the previous period of the same area, category and source (NaN for the first,
    and ``change_pct`` NaN when the previous count is 0), and the change tested
    (:mod:`mapapp.analysis.significance`, equal exposures: a table's periods are of one
    length): ``p_value``, ``significant`` (None for the first) and ``trend``."""
    if frame.empty:
        return frame.assign(change=pd.Series(dtype="float64"),
                            change_pct=pd.Series(dtype="float64"),
                            p_value=pd.Series(dtype="float64"),
                            significant=pd.Series(dtype=object), trend=pd.Series(dtype=object))
    df = frame.copy()
    df["_key"] = df["period"].map(period_sort_key)
    df = df.sort_values(["area", "category", "source", "_key"]).drop(columns="_key")
    prev = df.groupby(["area", "category", "source"], sort=False)["count"].shift(1)
    df["change"] = df["count"] - prev
    with np.errstate(divide="ignore", invalid="ignore"):
        df["change_pct"] = np.where(prev > 0, 100.0 * df["change"] / prev, np.nan)
    pv = p_values(prev.to_numpy(dtype="float64"), df["count"].to_numpy(dtype="float64"))
    sig = significant(pv, confidence)
    df["p_value"] = pv
    df["significant"] = [None if np.isnan(p) else bool(x) for p, x in zip(pv, sig, strict=True)]
    df["trend"] = [trend_code(c, s) for c, s in zip(df["change"], df["significant"],
                                                      strict=True)]
    return df.reset_index(drop=True)


def chart_frame(frame: pd.DataFrame, category: str) -> pd.DataFrame:
    """One category as a period × area table (periods in time order) for a bar chart."""
    sub = frame[frame["category"] == category]
    if sub.empty:
        return pd.DataFrame()
    wide = sub.pivot_table(index="period", columns="area", values="count", aggfunc="sum")
    order = sorted(wide.index, key=period_sort_key)
    return wide.loc[order]
