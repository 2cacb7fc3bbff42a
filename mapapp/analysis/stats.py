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

from mapapp import categories as cats
from mapapp.analysis.periods import Period, bucket, list_periods, utc_ns
from mapapp.errors import NotFoundError
from mapapp.i18n import t
from mapapp.i18n.numbers import fmt_number

STATS_COLUMNS = ("zone", "category", "period", "count", "change_abs", "change_pct", "per_1000")


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
) -> pd.DataFrame:
    """Tidy counts: one row per zone × category × period (zeros included) with the columns
    ``zone, category, period, count, change_abs, change_pct, per_1000``.

    - zones: the zones frame (``name``, ``population``); gives the zone order and the
      population; without it zones are sorted by name and ``per_1000`` is NaN.
    - zone: only this zone (by name; unknown -> :class:`NotFoundError`).
    - kind: only "incident" or "observation" points (the two catalogues share the codes
      ``skadegorelse`` and ``ovrigt``; without ``kind`` such counts are summed).
    - periods run from the one holding the earliest point to the one holding the latest
      (rolling12: to the one ending on ``reference``, default the latest point's date).
    - change_abs/change_pct compare with the previous period; both are missing (<NA>/NaN) in
      the first period (the data do not reach back) and change_pct is NaN when the previous
      count is 0. per_1000 is NaN where the zone has no population.
    - weight: a column of row weights (counts), for rows that are already aggregated, e.g.
      per day by the database (:mod:`mapapp.store.aggregates`); default 1 per row.
    """
    order = [str(n) for n in zones["name"]] if zones is not None else []
    if zone is not None:
        known = set(order) | set(points["zone"].dropna().astype(str))
        if zone not in known:
            raise NotFoundError(
                t("zone.not_found", "sv", name=zone, known=", ".join(sorted(known)) or "–")
            )
    ns = utc_ns(points["occurred_at"])
    periods = list_periods(points["occurred_at"], kind=period_kind,
                           stat_year_start_month=stat_year_start_month, reference=reference)
    zcode, zlabels = _codes(points["zone"], order)
    ccode, clabels = _codes(points["category"])
    pcode = bucket(ns, periods)
    nz, nc, npd = len(zlabels), len(clabels), len(periods)
    keep = pcode >= 0
    if zone is not None:
        zi = zlabels.index(zone) if zone in zlabels else -1
        keep &= zcode == zi
    if kind is not None:
        keep &= (points["kind"].astype(object) == kind).to_numpy(dtype=bool)
    flat = (zcode[keep] * nc + ccode[keep]) * npd + pcode[keep]
    w = None if weight is None else points[weight].to_numpy(dtype="float64")[keep]
    cube = np.rint(np.bincount(flat, weights=w, minlength=nz * nc * npd)).astype(np.int64)
    cube = cube.reshape(nz, nc, npd)
    if zone is not None:
        zsel = [zlabels.index(zone)] if zone in zlabels else []
        if not zsel:  # a known zone without any point
            zlabels, cube = [zone], np.zeros((1, nc, npd), dtype=np.int64)
        else:
            zlabels, cube = [zone], cube[zsel]
    return _frame(cube, zlabels, clabels, periods, zones)


def _frame(
    cube: NDArray[np.int64],
    zlabels: list[Any],
    clabels: list[Any],
    periods: Sequence[Period],
    zones: pd.DataFrame | None,
) -> pd.DataFrame:
    nz, nc, npd = cube.shape
    prev = np.zeros_like(cube)
    if npd > 1:
        prev[..., 1:] = cube[..., :-1]
    change = (cube - prev).astype("float64")
    change[..., :1] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(prev > 0, 100.0 * (cube - prev) / np.where(prev > 0, prev, 1), np.nan)
    pct[..., :1] = np.nan
    pop = np.full(nz, np.nan)
    if zones is not None and "population" in zones:
        popmap = {
            str(n): float(p) for n, p in zip(zones["name"], zones["population"], strict=True)
            if p is not None and not pd.isna(p) and float(p) > 0
        }
        pop = np.array([popmap.get(z, np.nan) if z is not None else np.nan for z in zlabels])
    per = cube * 1000.0 / pop[:, None, None]
    zi, ci, pi = np.indices(cube.shape).reshape(3, -1)
    zarr = np.array(zlabels, dtype=object)
    carr = np.array(clabels, dtype=object)
    parr = np.array([p.label for p in periods], dtype=object)
    return pd.DataFrame({
        "zone": pd.Series(zarr[zi] if len(zarr) else [], dtype=object),
        "category": pd.Series(carr[ci] if len(carr) else [], dtype=object),
        "period": pd.Series(parr[pi] if len(parr) else [], dtype=object),
        "count": cube.reshape(-1).astype("int64"),
        "change_abs": pd.array(change.reshape(-1), dtype="Int64"),
        "change_pct": pct.reshape(-1),
        "per_1000": per.reshape(-1),
    }, columns=list(STATS_COLUMNS))


def stats_records(
    points: pd.DataFrame,
    *,
    zones: pd.DataFrame | None = None,
    zone: str | None = None,
    kind: str | None = None,
    period_kind: str = "statistical",
    stat_year_start_month: int = 9,
    reference: pd.Timestamp | None = None,
) -> list[dict[str, Any]]:
    """The JSON of ``mapapp stats --format json``: ``{"zone", "category", "period", "count"}``
    for every non-zero count (zone None = outside every zone), zones in zone order, periods
    oldest first."""
    df = period_counts(points, zones=zones, zone=zone, kind=kind, period_kind=period_kind,
                       stat_year_start_month=stat_year_start_month, reference=reference)
    df = df[df["count"] > 0]
    return [
        {"zone": z, "category": c, "period": p, "count": int(n)}
        for z, c, p, n in zip(df["zone"], df["category"], df["period"], df["count"], strict=True)
    ]


def category_label(code: str | None, lang: str = "sv") -> str:
    """The label of a category code (incident catalogue first, then observations)."""
    if code is None:
        return t("common.none", lang)
    for kind in ("incident", "observation"):
        try:
            return cats.get(kind, code).label(lang)  # type: ignore[arg-type]
        except KeyError:
            continue
    return str(code)


def stats_table(frame: pd.DataFrame, *, lang: str = "sv") -> tuple[list[str], list[list[str]]]:
    """Header and rows for ``--format table``: labels in ``lang``, Swedish number format,
    the rows where this or the previous period has a count."""
    head = [t(f"analysis.col.{c}", lang) for c in STATS_COLUMNS]
    prev_nonzero = frame["count"].to_numpy() - frame["change_abs"].fillna(0).to_numpy() > 0
    shown = frame[(frame["count"] > 0) | prev_nonzero]
    rows = []
    for r in shown.itertuples(index=False):
        rows.append([
            r.zone if r.zone is not None else t("common.outside", lang),
            category_label(r.category, lang),
            r.period,
            fmt_number(r.count, lang, decimals=0),
            "" if pd.isna(r.change_abs) else fmt_number(int(r.change_abs), lang, decimals=0,
                                                        sign=True),
            "" if pd.isna(r.change_pct) else fmt_number(r.change_pct, lang, sign=True) + " %",
            fmt_number(r.per_1000, lang, decimals=2),
        ])
    return head, rows


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
        records: list[Mapping[str, Any]] = data.to_dict("records")  # type: ignore[assignment]
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
