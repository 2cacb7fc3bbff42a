"""Heavy aggregates computed *in the database* (never by loading every point into Python).

- :func:`daily_counts` groups the points by zone, category and local (Europe/Stockholm) day in
  the database -- one ``GROUP BY`` over the ``local_day`` column kept at write time, on SQLite
  and on PostgreSQL alike; :func:`zone_period_counts` buckets those days into periods with
  :func:`mapapp.analysis.stats.period_counts` (weights = the day counts), so the figures equal
  the in-memory path exactly (a period always starts at a local midnight);
- :func:`grid_counts` bins the points on PostgreSQL's generated SWEREF 99 TM columns
  (``x_m``/``y_m``) with the same raster arithmetic as :class:`mapapp.analysis.grid.Grid`
  (SQLite has no such columns: None there, and callers bin in memory).

Sensitive categories count in these aggregates for every role: they are counts, not points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, text

from mapapp.access import Perm, Principal
from mapapp.analysis.periods import Period
from mapapp.analysis.stats import period_counts
from mapapp.categories import SENSITIVE_CODES
from mapapp.store.engine import is_postgres, read_connection
from mapapp.timezone import LOCAL_TZ

if TYPE_CHECKING:  # the grid module brings scipy: not imported for the counts alone
    from mapapp.analysis.grid import Grid

TABLES = {"incident": "incidents", "observation": "observations"}
_DAY_COLUMNS = ["zone_id", "category", "day", "n"]


@dataclass(frozen=True)
class DayFilter:
    """Which points the day counts take: local days ``[start, end)`` (ISO dates), only these
    zone ids, only points inside a stadsdel (the district). None = no restriction."""

    start: date | None = None
    end: date | None = None
    zone_ids: tuple[int, ...] | None = None
    in_stadsdel: bool = False
    #: with ``in_stadsdel``: the caller has read these very rows and found none outside every
    #: stadsdel, so SQLite does not look for them (a pass over the whole table)
    none_outside: bool = False


def _where(flt: DayFilter, day: str, params: dict[str, object], *, sqlite: bool) -> list[str]:
    out = []
    for op, name, value in ((">=", "d0", flt.start), ("<", "d1", flt.end)):
        if value is not None:
            out.append(f"{day} {op} :{name}")
            params[name] = value.isoformat() if sqlite else value
    if flt.zone_ids is not None:
        ids = ", ".join(str(int(z)) for z in flt.zone_ids) or "NULL"
        out.append(f"zone_id IN ({ids})")
    return out


def _days_postgres(conn: Connection, table: str, flt: DayFilter) -> pd.DataFrame:
    # local_day is kept at write time; the conversion is only a fallback for rows written
    # before that column existed.
    day = f"COALESCE(local_day, (occurred_at AT TIME ZONE '{LOCAL_TZ}')::date)"
    params: dict[str, object] = {}
    where = _where(flt, day, params, sqlite=False)
    if flt.in_stadsdel:
        where.append("stadsdel_id IS NOT NULL")
    rows = conn.execute(text(
        f"SELECT zone_id, category, {day} AS day, count(*) AS n FROM {table} "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} GROUP BY 1, 2, 3"
    ), params).cursor.fetchall()
    df = pd.DataFrame.from_records(rows, columns=_DAY_COLUMNS)
    df["day"] = pd.to_datetime(df["day"].astype(str), format="%Y-%m-%d")
    return df


def _sqlite_groups(conn: Connection, table: str, where: list[str],
                   params: dict[str, object], *, scan: bool = False) -> pd.DataFrame:
    # scan: a plain pass over the table (a condition on a column outside the covering index
    # would otherwise look every row up through the index, in random order)
    rows = conn.execute(text(
        f"SELECT zone_id, category, julianday(local_day) - 2440587.5, count(*) FROM {table} "
        f"{'NOT INDEXED ' if scan else ''}"
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        f"GROUP BY zone_id, category, local_day"
    ), params).cursor.fetchall()
    if not rows:
        return pd.DataFrame({"zone_id": pd.Series([], dtype=object), "category": [],
                             "day": pd.to_datetime([]), "n": pd.Series([], dtype=np.int64)})
    zone_id, category, day, n = zip(*rows, strict=True)
    epoch_days = np.array(day, dtype="float64")  # days since 1970-01-01; NaN = NULL
    return pd.DataFrame({
        "zone_id": np.array(zone_id, dtype=object), "category": category,
        "day": np.where(np.isnan(epoch_days), np.iinfo(np.int64).min, epoch_days)
        .astype("int64").astype("datetime64[D]"),
        "n": np.array(n, dtype=np.int64)})


def _days_sqlite(conn: Connection, table: str, flt: DayFilter) -> pd.DataFrame:
    # One pass over the covering index (zone_id, category, local_day): no sort of the rows.
    params: dict[str, object] = {}
    df = _sqlite_groups(conn, table, _where(flt, "local_day", params, sqlite=True), params)
    if flt.in_stadsdel and not flt.none_outside:
        # Points outside every stadsdel (kept with --keep-outside) are few: count them apart
        # (stadsdel_id is not in the index) and take them off.
        out = _sqlite_groups(conn, table, [*_where(flt, "local_day", params, sqlite=True),
                                           "stadsdel_id IS NULL"], params, scan=True)
        if len(out):
            keys = ["zone_id", "category", "day"]
            df = df.merge(out.rename(columns={"n": "out"}), on=keys, how="left")
            df["n"] = df["n"] - df["out"].fillna(0).astype("int64")
            df = df[df["n"] > 0].drop(columns=["out"])
    undated = df["day"].isna().to_numpy()
    if flt.start is not None or flt.end is not None:  # the day filter left NULL days out
        has_null = conn.execute(text(
            f"SELECT 1 FROM {table} WHERE local_day IS NULL LIMIT 1")).first() is not None
    else:
        has_null = bool(undated.any())
    if has_null:
        # Rows written before local_day existed (migration 0002 leaves them NULL): their day
        # is computed here; SQLite has no time-zone conversion of its own.
        where = ["local_day IS NULL"]
        if flt.zone_ids is not None:
            where.append("zone_id IN (" + (", ".join(str(int(z)) for z in flt.zone_ids)
                                           or "NULL") + ")")
        if flt.in_stadsdel:
            where.append("stadsdel_id IS NOT NULL")
        old = conn.execute(text(
            f"SELECT zone_id, category, occurred_at FROM {table} WHERE {' AND '.join(where)}"
        )).cursor.fetchall()
        o = pd.DataFrame.from_records(old, columns=["zone_id", "category", "at"])
        local = pd.to_datetime(o["at"], utc=True, format="ISO8601").dt.tz_convert(LOCAL_TZ)
        o["day"] = local.dt.tz_localize(None).dt.normalize()
        if flt.start is not None:
            o = o[o["day"] >= pd.Timestamp(flt.start)]
        if flt.end is not None:
            o = o[o["day"] < pd.Timestamp(flt.end)]
        o = (o.groupby(["zone_id", "category", "day"], dropna=False).size()
             .rename("n").reset_index())
        df = pd.concat([df[~undated], o[_DAY_COLUMNS]], ignore_index=True)
    return df


def daily_counts(engine: Engine, kinds: Sequence[str], flt: DayFilter | None = None
                 ) -> pd.DataFrame:
    """Rows ``kind, zone, category, occurred_at (local noon of the day, UTC), n``: one per
    zone × category × local day that has points, counted by the database."""
    flt = flt or DayFilter()
    parts = []
    days = _days_postgres if is_postgres(engine) else _days_sqlite
    with read_connection(engine) as conn:
        zones: dict[int, str] = dict(conn.execute(text("SELECT id, name FROM zones")).all())
        for kind in kinds:
            df = days(conn, TABLES[kind], flt)
            df["zone"] = df["zone_id"].map(zones)
            df["kind"] = kind
            parts.append(df.drop(columns=["zone_id"]))
    df = pd.concat(parts, ignore_index=True)
    # one time-zone conversion per distinct day, not per row
    uniq, inverse = np.unique(df["day"].to_numpy("datetime64[D]"), return_inverse=True)
    noon = (pd.DatetimeIndex(uniq) + pd.Timedelta(hours=12)).tz_localize(LOCAL_TZ).tz_convert("UTC")
    df["occurred_at"] = noon[inverse]
    df["n"] = df["n"].astype("int64")
    df["zone"] = df["zone"].astype(object).where(df["zone"].notna(), None)
    return df.drop(columns=["day"])


def zone_period_counts(
    engine: Engine,
    who: Principal,
    *,
    kinds: Sequence[str] = ("incident", "observation"),
    zones: pd.DataFrame | None = None,
    zone: str | None = None,
    period_kind: str = "statistical",
    stat_year_start_month: int = 9,
) -> pd.DataFrame:
    """:func:`mapapp.analysis.stats.period_counts` computed from the database's day counts
    (SQLite and PostgreSQL)."""
    who.require(Perm.VIEW_AGGREGATES)
    daily = daily_counts(engine, kinds)
    return period_counts(daily, zones=zones, zone=zone, period_kind=period_kind,
                         stat_year_start_month=stat_year_start_month, weight="n")


def grid_counts(
    engine: Engine,
    who: Principal,
    grid: Grid,
    period: Period | None,
    *,
    kinds: Sequence[str] = ("incident", "observation"),
) -> np.ndarray | None:
    """Points per cell of a square ``grid`` in ``period``, binned in PostgreSQL; None on
    SQLite (or for H3 grids). Sensitive categories are binned only for roles that may see
    their points (as in the in-memory path, where they come without a position): a 100 m cell
    holding one case would all but give its address away."""
    who.require(Perm.VIEW_AGGREGATES)
    if not is_postgres(engine) or grid.kind != "square":
        return None
    counts = np.zeros(grid.n, dtype=np.int64)
    where = "x_m IS NOT NULL"
    if not who.can(Perm.VIEW_SENSITIVE_POINTS):
        where += " AND category NOT IN (" + ", ".join(
            f"'{c}'" for c in sorted(SENSITIVE_CODES)) + ")"
    params: dict[str, object] = {"x0": grid.x0, "y0": grid.y0, "s": grid.cell_size_m,
                                 "nx": grid.nx, "ny": grid.ny}
    if period is not None:
        where += " AND occurred_at >= :a AND occurred_at < :b"
        params["a"] = period.start.tz_convert("UTC").to_pydatetime()
        params["b"] = period.end.tz_convert("UTC").to_pydatetime()
    with read_connection(engine) as conn:
        for kind in kinds:
            rows = conn.execute(text(
                f"SELECT fy * :nx + fx AS cell, count(*) FROM ("
                f"  SELECT floor((x_m - :x0) / :s)::int AS fx, floor((y_m - :y0) / :s)::int AS fy"
                f"  FROM {TABLES[kind]} WHERE {where}) q "
                f"WHERE fx >= 0 AND fx < :nx AND fy >= 0 AND fy < :ny GROUP BY 1"
            ), params).cursor.fetchall()
            if rows:
                flat = np.array([r[0] for r in rows], dtype=np.int64)
                n = np.array([r[1] for r in rows], dtype=np.int64)
                cell = grid.raster_to_cell[flat]
                ok = cell >= 0
                np.add.at(counts, cell[ok], n[ok])
    return counts


def latest_period(engine: Engine, kinds: Sequence[str], *, stat_year_start_month: int = 9
                  ) -> Period | None:
    """The latest statistical year with data (the default period of ``mapapp hotspots``)."""
    from sqlalchemy import func, select

    from mapapp.analysis.periods import period_containing
    from mapapp.store.points import table_for

    latest = None
    with read_connection(engine) as conn:
        for kind in kinds:
            t = table_for(kind)  # type: ignore[arg-type]
            v = conn.execute(select(func.max(t.c.occurred_at))).scalar()
            if v is not None and (latest is None or v > latest):
                latest = v
    if latest is None:
        return None
    return period_containing(pd.Timestamp(latest), kind="statistical",
                             stat_year_start_month=stat_year_start_month)


def grid_hotspots_for(
    engine: Engine,
    who: Principal,
    grid: Grid,
    period: str | None,
    *,
    kinds: Sequence[str] = ("incident", "observation"),
    stat_year_start_month: int = 9,
) -> pd.DataFrame:
    """:func:`mapapp.analysis.grid.grid_hotspots` with the binning done by the database on
    PostgreSQL, in memory on SQLite (role-aware: sensitive points without a position do not
    bin there)."""
    from mapapp.analysis.grid import classify, gi_star, grid_hotspots
    from mapapp.analysis.periods import parse_period

    if is_postgres(engine) and grid.kind == "square":
        per = (parse_period(period, stat_year_start_month=stat_year_start_month) if period
               else latest_period(engine, kinds, stat_year_start_month=stat_year_start_month))
        counts = grid_counts(engine, who, grid, per, kinds=kinds)
        assert counts is not None
        z = gi_star(counts, grid)
        out = pd.DataFrame({"cell_id": grid.cell_ids, "count": counts, "z": z,
                            "class": classify(z)})
        out.attrs["period"] = per.label if per is not None else None
        return out
    from mapapp.store.points import load_points

    frames = [load_points(engine, who, k) for k in kinds]  # type: ignore[arg-type]
    points = pd.concat(frames, ignore_index=True)
    return grid_hotspots(points, grid, period=period,
                         stat_year_start_month=stat_year_start_month)
