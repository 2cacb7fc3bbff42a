"""Heavy aggregates computed *in PostgreSQL* (never by loading every point into Python).

On PostgreSQL+PostGIS:

- :func:`daily_counts` groups the points by zone, category and local (Europe/Stockholm) day in
  the database; :func:`zone_period_counts` buckets those days into periods with
  :func:`mapapp.analysis.stats.period_counts` (weights = the day counts), so the figures equal
  the in-memory path exactly (a period always starts at a local midnight);
- :func:`grid_counts` bins the points on the database's generated SWEREF 99 TM columns
  (``x_m``/``y_m``) with the same raster arithmetic as :class:`mapapp.analysis.grid.Grid`.

On SQLite these return None and callers use the in-memory path (which is faster there).
Sensitive categories count in these aggregates for every role: they are counts, not points.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from mapapp.access import Perm, Principal
from mapapp.analysis.grid import Grid
from mapapp.analysis.periods import Period
from mapapp.analysis.stats import period_counts
from mapapp.categories import SENSITIVE_CODES
from mapapp.store.engine import is_postgres, read_connection
from mapapp.timezone import LOCAL_TZ

TABLES = {"incident": "incidents", "observation": "observations"}


def daily_counts(engine: Engine, kinds: Sequence[str]) -> pd.DataFrame | None:
    """Rows ``kind, zone, category, occurred_at (local noon of the day, UTC), n``."""
    if not is_postgres(engine):
        return None
    parts = []
    with read_connection(engine) as conn:
        zones: dict[int, str] = dict(conn.execute(text("SELECT id, name FROM zones")).all())
        for kind in kinds:
            # local_day is kept at write time; the conversion is only a fallback for rows
            # written before that column existed.
            rows = conn.execute(text(
                f"SELECT zone_id, category, COALESCE(local_day, "
                f"(occurred_at AT TIME ZONE '{LOCAL_TZ}')::date) AS day, count(*) AS n "
                f"FROM {TABLES[kind]} GROUP BY 1, 2, 3"
            )).cursor.fetchall()
            df = pd.DataFrame.from_records(rows, columns=["zone_id", "category", "day", "n"])
            df["zone"] = df["zone_id"].map(zones)
            df["kind"] = kind
            parts.append(df.drop(columns=["zone_id"]))
    df = pd.concat(parts, ignore_index=True)
    noon = pd.to_datetime(df["day"].astype(str)) + pd.Timedelta(hours=12)
    df["occurred_at"] = noon.dt.tz_localize(LOCAL_TZ).dt.tz_convert("UTC")
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
) -> pd.DataFrame | None:
    """:func:`mapapp.analysis.stats.period_counts` computed from database day counts
    (PostgreSQL), or None on SQLite."""
    who.require(Perm.VIEW_AGGREGATES)
    daily = daily_counts(engine, kinds)
    if daily is None:
        return None
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
