"""Period statistics: counts per zone × category × period, the change against the previous
period and counts per 1,000 residents.

Points are grouped by their *stored* zone (assigned at import by :mod:`mapapp.analysis.zoning`,
so a point on a shared border counts in exactly one zone); a point in no zone is counted with
zone ``None``. Periods are bucketed in Europe/Stockholm time (:mod:`mapapp.analysis.periods`).
The work is integer codes + one ``np.bincount``: no Python loop over rows.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mapapp.analysis.periods import (
    Period,
    bucket,
    covered_until,
    list_periods,
    utc_ns,
)
from mapapp.analysis.significance import (
    DEFAULT_CONFIDENCE,
    p_values,
    significant,
    trend_code,
)
from mapapp.errors import NotFoundError
from mapapp.timezone import LOCAL_TZ

STATS_COLUMNS = ("zone", "category", "period", "count", "change_abs", "change_pct", "per_1000")
#: Columns after :data:`STATS_COLUMNS`: the tested comparison with the previous period.
CHANGE_COLUMNS = ("complete", "cmp_count", "prev_count", "cmp_from", "cmp_to", "cmp_days",
                  "prev_days", "p_value", "significant", "trend")
RECORD_KEYS = ("zone", "category", "period", "kind", "count", "complete", "previous", "change",
               "change_pct", "p_value", "significant", "trend")


def _codes(values: pd.Series, order: Sequence[str] = ()) -> tuple[NDArray[np.int64], list[Any]]:
    """Integer code per row and the labels; ``order`` first, then other labels sorted, then None
    (for missing values) last if any row is missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    seen = [str(u) for u in uniques]
    labels: list[Any] = list(order) + sorted(set(seen) - set(order))
    pos = {lab: i for i, lab in enumerate(labels)}
    remap = np.array([pos[s] for s in seen] + [len(labels)], dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    if (codes < 0).any():
        labels.append(None)
    out = remap[codes]  # -1 indexes the sentinel slot at the end
    return out, labels


def _local_day_start(ns: int) -> pd.Timestamp:
    """The local midnight starting the (Europe/Stockholm) day of the UTC-ns instant."""
    local = pd.Timestamp(ns, tz="UTC").tz_convert(LOCAL_TZ)
    return pd.Timestamp(local.date()).tz_localize(LOCAL_TZ)


def _shift_months(ts: pd.Timestamp, months: int) -> pd.Timestamp:
    return pd.Timestamp(ts.tz_localize(None) + pd.DateOffset(months=months)).tz_localize(LOCAL_TZ)


def coverage(occurred_at: pd.Series, *, data_start: Any = None, data_end: Any = None
             ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``[first local midnight, local midnight after the last covered day)``: the local day of
    the earliest time, and the latest time's day (or its month's end when it is one of the
    month's last days, :func:`mapapp.analysis.periods.covered_until`), unless
    ``data_start``/``data_end`` say otherwise (a tz-aware instant: the data's first/latest
    time, as above; a date: the first/last day covered). None without any time."""
    ns = utc_ns(occurred_at)
    ns = ns[ns != np.iinfo(np.int64).min]
    lo: pd.Timestamp | None = None
    hi: pd.Timestamp | None = None
    if len(ns):
        lo = _local_day_start(int(ns.min()))
        hi = covered_until(pd.Timestamp(int(ns.max()), tz="UTC")).tz_localize(LOCAL_TZ)
    if data_start is not None:
        ts = pd.Timestamp(data_start)
        if ts.tzinfo is not None:  # an instant: its local day
            ts = ts.tz_convert(LOCAL_TZ).tz_localize(None)
        lo = pd.Timestamp(ts.date()).tz_localize(LOCAL_TZ)
    if data_end is not None:
        ts = pd.Timestamp(data_end)
        # An instant is the data's latest time (the month-end rule applies); a date is the
        # last day covered, as given.
        day = covered_until(ts) if ts.tzinfo is not None else ts.normalize()
        hi = pd.Timestamp(day.date()).tz_localize(LOCAL_TZ)
    if lo is None or hi is None:
        return None
    return lo, _shift_days(hi, 1)


def _shift_days(ts: pd.Timestamp, days: int) -> pd.Timestamp:
    return pd.Timestamp(ts.tz_localize(None) + pd.Timedelta(days=days)).tz_localize(LOCAL_TZ)


def comparison_window(period: Period, cover: tuple[pd.Timestamp, pd.Timestamp] | None
                      ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The part of ``period`` compared with the same days twelve months earlier: the period cut
    to the data's end (an incomplete period is compared only with the same months of the period
    before) and, when the data begin inside the period before, to the same days a year after
    that beginning. None when nothing is left to compare."""
    if cover is None:
        return None
    a = max(period.start, _shift_months(cover[0], 12))
    b = min(period.end, cover[1])
    return (a, b) if a < b else None


def period_counts(
    points: pd.DataFrame,
    *,
    zones: pd.DataFrame | None = None,
    zone: str | None = None,
    kind: str | None = None,
    period_kind: str = "statistical",
    stat_year_start_month: int = 9,
    reference: pd.Timestamp | None = None,
    weight: str | None = None,
    data_start: Any = None,
    data_end: Any = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """Tidy counts: one row per zone × category × period (zeros included) with the columns
    :data:`STATS_COLUMNS` + :data:`CHANGE_COLUMNS`.

    - zones: the zones frame (``name``, ``population``); gives the zone order and the
      population; without it zones are sorted by name and ``per_1000`` is NaN.
    - zone: only this zone (by name; unknown -> :class:`NotFoundError`).
    - kind: only "incident" or "observation" points. Without ``kind`` every row counts: pass
      points of one kind (the two catalogues share the codes ``skadegorelse`` and ``ovrigt``,
      and a reported crime and a walk's observation must never be added up).
    - periods run from the one holding the earliest point to the one holding the latest
      (rolling12: to the one ending on ``reference``, default the latest point's date).
    - **coverage**: the data cover the local days from the earliest to the latest time of the
      chosen kind (or ``data_start``/``data_end``). ``complete`` is false for a period the data
      do not cover to its end.
    - **change**: each period is compared with the same days twelve months earlier over
      :func:`comparison_window` (the whole period when both are covered; an incomplete period
      only up to the data's end, so a period half-way through never shows as a fall):
      ``cmp_count`` (this period in the window), ``prev_count`` (the window a year earlier),
      ``change_abs = cmp_count − prev_count``, ``change_pct`` (NaN when prev_count is 0),
      the window ``cmp_from``/``cmp_to`` (local dates, inclusive) and its length in days
      (``cmp_days``, ``prev_days``; the same calendar span a year apart is one exposure, so
      the test is the equal-rate case q = ½), ``p_value`` of the
      two-sample Poisson test (:mod:`mapapp.analysis.significance`), ``significant``
      (p < 1 − ``confidence``) and ``trend`` ("increase"/"decrease"/"stable"). All missing
      for the first period (the data do not reach back).
    - per_1000 is NaN where the zone has no population.
    - weight: a column of row weights (counts), for rows that are already aggregated, e.g.
      per day by the database (:mod:`mapapp.store.aggregates`); default 1 per row.
    """
    order = [str(n) for n in zones["name"]] if zones is not None else []
    if zone is not None:
        known = set(order) | set(points["zone"].dropna().astype(str))
        if zone not in known:
            raise NotFoundError("zone.not_found", name=zone,
                                known=", ".join(sorted(known)) or "–")
    ns = utc_ns(points["occurred_at"])
    periods = list_periods(points["occurred_at"], kind=period_kind,
                           stat_year_start_month=stat_year_start_month, reference=reference)
    zcode, zlabels = _codes(points["zone"], order)
    ccode, clabels = _codes(points["category"])
    pcode = bucket(ns, periods)
    nz, nc, npd = len(zlabels), len(clabels), len(periods)
    of_kind = np.ones(len(points), dtype=bool)
    if kind is not None:
        of_kind = points["kind"].eq(kind).fillna(False).to_numpy(dtype=bool)
    cover = coverage(points["occurred_at"][of_kind], data_start=data_start, data_end=data_end)
    sel = of_kind.copy()
    if zone is not None:
        zi = zlabels.index(zone) if zone in zlabels else -1
        sel &= zcode == zi
    w_all = None if weight is None else points[weight].to_numpy(dtype="float64")

    def counts(mask: NDArray[np.bool_], bins: NDArray[np.int64], nb: int) -> NDArray[np.int64]:
        flat = (zcode[mask] * nc + ccode[mask]) * nb + bins[mask]
        w = None if w_all is None else w_all[mask]
        return np.rint(np.bincount(flat, weights=w, minlength=nz * nc * nb)).astype(np.int64)

    keep = sel & (pcode >= 0)
    cube = counts(keep, pcode, npd).reshape(nz, nc, npd)
    cmp_now = np.zeros_like(cube)
    cmp_prev = np.zeros_like(cube)
    has_cmp = np.zeros(npd, dtype=bool)
    complete = np.array([cover is not None and cover[1] >= p.end for p in periods], dtype=bool)
    windows: list[tuple[pd.Timestamp, pd.Timestamp] | None] = [None] * npd
    days_now = np.full(npd, np.nan)
    days_prev = np.full(npd, np.nan)
    for i in range(1, npd):
        win = comparison_window(periods[i], cover)
        if win is None:
            continue
        windows[i], has_cmp[i] = win, True
        prev_win = (_shift_months(win[0], -12), _shift_months(win[1], -12))
        days_now[i] = (win[1] - win[0]).total_seconds() / 86400.0
        days_prev[i] = (prev_win[1] - prev_win[0]).total_seconds() / 86400.0
        if win == (periods[i].start, periods[i].end) and prev_win == (
                periods[i - 1].start, periods[i - 1].end):
            cmp_now[..., i], cmp_prev[..., i] = cube[..., i], cube[..., i - 1]
            continue
        zero = np.zeros(len(ns), dtype=np.int64)
        for target, (a, b) in ((cmp_now, win), (cmp_prev, prev_win)):
            inside = sel & (ns >= a.value) & (ns < b.value)
            target[..., i] = counts(inside, zero, 1).reshape(nz, nc)
    if zone is not None:
        zsel = [zlabels.index(zone)] if zone in zlabels else []
        if not zsel:  # a known zone without any point
            shape = (1, nc, npd)
            zlabels = [zone]
            cube, cmp_now, cmp_prev = (np.zeros(shape, dtype=np.int64) for _ in range(3))
        else:
            zlabels, cube, cmp_now, cmp_prev = [zone], cube[zsel], cmp_now[zsel], cmp_prev[zsel]
    return _frame(cube, cmp_now, cmp_prev, has_cmp, complete, windows, days_now, days_prev,
                  zlabels, clabels, periods, zones, confidence)


def _frame(
    cube: NDArray[np.int64],
    cmp_now: NDArray[np.int64],
    cmp_prev: NDArray[np.int64],
    has_cmp: NDArray[np.bool_],
    complete: NDArray[np.bool_],
    windows: Sequence[tuple[pd.Timestamp, pd.Timestamp] | None],
    days_now: NDArray[np.float64],
    days_prev: NDArray[np.float64],
    zlabels: list[Any],
    clabels: list[Any],
    periods: Sequence[Period],
    zones: pd.DataFrame | None,
    confidence: float,
) -> pd.DataFrame:
    nz, nc, npd = cube.shape
    mask = np.broadcast_to(has_cmp, cube.shape)
    change = np.where(mask, (cmp_now - cmp_prev).astype("float64"), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(mask & (cmp_prev > 0),
                       100.0 * (cmp_now - cmp_prev) / np.where(cmp_prev > 0, cmp_prev, 1), np.nan)
    pop = np.full(nz, np.nan)
    if zones is not None and "population" in zones:
        popmap = {
            str(n): float(p) for n, p in zip(zones["name"], zones["population"], strict=True)
            if p is not None and not pd.isna(p) and float(p) > 0
        }
        pop = np.array([popmap.get(z, np.nan) if z is not None else np.nan for z in zlabels])
    per = cube * 1000.0 / pop[:, None, None]
    bshape = cube.shape
    t_now = np.broadcast_to(days_now, bshape).reshape(-1)
    t_prev = np.broadcast_to(days_prev, bshape).reshape(-1)
    prev_f = np.where(mask, cmp_prev, -1).reshape(-1).astype("float64")
    prev_f[~mask.reshape(-1)] = np.nan
    # The two windows are the same calendar span twelve months apart: equal exposures (a
    # leap day must not move the test: the minimum-likelihood p-value jumps with any q ≠ ½).
    pv = p_values(prev_f, cmp_now.reshape(-1).astype("float64"), 1.0, 1.0)
    sig = significant(pv, confidence)
    flat_change = change.reshape(-1)
    sig_obj = np.array([None if np.isnan(p) else bool(s) for p, s in zip(pv, sig, strict=True)],
                       dtype=object)
    trend = np.array([trend_code(c, s) for c, s in zip(flat_change, sig_obj, strict=True)],
                     dtype=object)
    zi, ci, pi = np.indices(cube.shape).reshape(3, -1)
    zarr = np.array(zlabels, dtype=object)
    carr = np.array(clabels, dtype=object)
    parr = np.array([p.label for p in periods], dtype=object)
    comp = np.asarray(complete, dtype=bool)
    wfrom = np.array([None if w is None else w[0].date().isoformat() for w in windows] or [None],
                     dtype=object)[:npd]
    wto = np.array([None if w is None else _shift_days(w[1], -1).date().isoformat()
                    for w in windows] or [None], dtype=object)[:npd]
    return pd.DataFrame({
        "zone": pd.Series(zarr[zi] if len(zarr) else [], dtype=object),
        "category": pd.Series(carr[ci] if len(carr) else [], dtype=object),
        "period": pd.Series(parr[pi] if len(parr) else [], dtype=object),
        "count": cube.reshape(-1).astype("int64"),
        "change_abs": pd.array(flat_change, dtype="Int64"),
        "change_pct": pct.reshape(-1),
        "per_1000": per.reshape(-1),
        "complete": pd.Series(comp[pi] if npd else [], dtype=bool),
        "cmp_count": _masked_int(cmp_now, mask),
        "prev_count": _masked_int(cmp_prev, mask),
        "cmp_from": pd.Series(wfrom[pi] if npd else [], dtype=object),
        "cmp_to": pd.Series(wto[pi] if npd else [], dtype=object),
        "cmp_days": t_now,
        "prev_days": t_prev,
        "p_value": pv,
        "significant": pd.Series(sig_obj, dtype=object),
        "trend": pd.Series(trend, dtype=object),
    }, columns=[*STATS_COLUMNS, *CHANGE_COLUMNS])


def _masked_int(values: NDArray[np.int64], mask: NDArray[np.bool_]) -> pd.Series:
    out = pd.Series(values.reshape(-1), dtype="Int64")
    return out.where(mask.reshape(-1), pd.NA)


def _kinds_present(points: pd.DataFrame, kind: str | None) -> list[str | None]:
    if kind in ("incident", "observation"):
        return [kind]
    if "kind" not in points:
        return [None]
    present = set(points["kind"].dropna().astype(str))
    return [k for k in ("incident", "observation") if k in present] or [None]


def frame_records(frame: pd.DataFrame, kind: str | None) -> list[dict[str, Any]]:
    """The records of :func:`stats_records` from one :func:`period_counts` frame of one kind:
    the rows where this period or the compared window a year earlier has a count."""
    prev = frame["prev_count"].fillna(0).to_numpy(dtype="int64")
    df = frame[(frame["count"].to_numpy() > 0) | (prev > 0)]
    out = []
    for r in df.itertuples(index=False):
        first = pd.isna(r.change_abs)
        out.append({
            "zone": r.zone, "category": r.category, "period": r.period, "kind": kind,
            "count": int(r.count), "complete": bool(r.complete),
            "previous": None if first else int(r.prev_count),
            "change": None if first else int(r.change_abs),
            "change_pct": None if pd.isna(r.change_pct) else round(float(r.change_pct), 1),
            "p_value": None if first else float(r.p_value),
            "significant": None if first else bool(r.significant),
            "trend": None if first else r.trend,
        })
    return out


def stats_records(
    points: pd.DataFrame,
    *,
    zones: pd.DataFrame | None = None,
    zone: str | None = None,
    kind: str | None = "all",
    period_kind: str = "statistical",
    stat_year_start_month: int = 9,
    reference: pd.Timestamp | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[dict[str, Any]]:
    """The JSON of ``mapapp stats --format json``: :data:`RECORD_KEYS` for every zone ×
    category × period with a count (or a count in the compared window a year earlier), zones
    in zone order, periods oldest first. ``kind`` "incident", "observation" or "all" (each
    kind present, as separate records that carry their ``kind`` -- never added up).
    ``previous`` is the count of the compared window a year earlier; ``previous``, ``change``,
    ``p_value``, ``significant`` and ``trend`` are None for the first period."""
    out: list[dict[str, Any]] = []
    for k in _kinds_present(points, kind):
        df = period_counts(points, zones=zones, zone=zone, kind=k, period_kind=period_kind,
                           stat_year_start_month=stat_year_start_month, reference=reference,
                           confidence=confidence)
        out.extend(frame_records(df, k))
    return out


def stats_wide(frame: pd.DataFrame) -> pd.DataFrame:
    """Zero-filled wide table for display: rows (zone, category), one column per period."""
    df = frame.assign(zone=frame["zone"].astype(object).where(frame["zone"].notna(), "–"))
    periods = list(dict.fromkeys(frame["period"]))
    wide = df.pivot_table(index=["zone", "category"], columns="period", values="count",
                          aggfunc="sum", fill_value=0, sort=False)
    return wide.reindex(columns=periods, fill_value=0)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        return "" if math.isnan(value) else repr(float(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_csv_cell(v) for v in value)
    if isinstance(value, Mapping):
        return str(value.get("title", value))
    text = str(value)
    # A spreadsheet must not run user text as a formula.
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv_rows(
    data: Iterable[Mapping[str, Any]] | Mapping[str, Any] | pd.DataFrame,
    columns: Sequence[str] | None = None,
) -> list[list[str]]:
    """Header + rows of strings for a CSV writer, from records, a DataFrame or a GeoJSON
    FeatureCollection (its properties, plus ``lon``/``lat`` of point features or of the
    ``centroid`` property). Machine format: dot decimals, empty for missing, lists joined by
    "; ", text that a spreadsheet would run as a formula prefixed with "'"."""
    if isinstance(data, pd.DataFrame):
        records: list[Mapping[str, Any]] = data.to_dict("records")
    elif isinstance(data, Mapping) and data.get("type") == "FeatureCollection":
        records = []
        for f in data.get("features", []):
            props = dict(f.get("properties") or {})
            geom = f.get("geometry") or {}
            if geom.get("type") == "Point":
                props.setdefault("lon", geom["coordinates"][0])
                props.setdefault("lat", geom["coordinates"][1])
            records.append(props)
    else:
        records = list(data)  # type: ignore[arg-type]
    if columns is None:
        cols: list[str] = []
        for r in records:
            cols.extend(k for k in r if k not in cols)
        columns = cols
    return [list(columns)] + [[_csv_cell(r.get(c)) for c in columns] for r in records]


def csv_text(rows: Sequence[Sequence[str]]) -> str:
    """The rows of :func:`to_csv_rows` as CSV text (comma, CRLF as the csv module writes)."""
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


_MOVED = {"fmt_number", "category_label", "stats_table"}


def __getattr__(name: str) -> Any:
    """The words moved to :mod:`mapapp.render.figures` (analysis returns numbers and codes);
    the old names still resolve for code that imports them from here."""
    if name in _MOVED:
        from mapapp.render import figures

        return getattr(figures, name)
    raise AttributeError(name)
