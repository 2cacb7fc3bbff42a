"""Reads for the weekly lägesbild: points per zone, category and local day over a few weeks,
grouped in the database (``GROUP BY zone_id, category, local_day``) on SQLite and PostgreSQL
alike.

``local_day`` (the Europe/Stockholm date, kept at write time) is what the weeks are cut by.
The GROUP BY reads the covering index ``(zone_id, category, local_day)`` of migration 0004
alone (no table rows): at 1M incidents on SQLite about 0.2 s, against 0.5 s when bounded by
``occurred_at`` (that index, then a table lookup per row of the weeks). Rows written before
``local_day`` existed (NULL there) are read one by one within ``occurred_at`` bounds (a day of
margin either side) and given their local day here.
Counts, never points: sensitive categories count for every role.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, func, select

from mapapp.access import Perm, Principal
from mapapp.store.engine import read_connection
from mapapp.store.models import Zone
from mapapp.store.points import PointKind, table_for
from mapapp.timezone import LOCAL_TZ

DAY_COLUMNS = ["zone", "category", "day", "n"]


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(LOCAL_TZ))


def day_counts(
    engine: Engine,
    who: Principal,
    start: date,
    end: date,
    *,
    kinds: Sequence[PointKind] = ("incident",),
) -> pd.DataFrame:
    """Points per ``zone`` (name), ``category`` and local ``day`` with ``start <= day < end``
    (points outside every zone are left out). Columns :data:`DAY_COLUMNS`."""
    who.require(Perm.VIEW_AGGREGATES)
    lo, hi = _midnight(start - timedelta(days=1)), _midnight(end + timedelta(days=1))
    parts: list[pd.DataFrame] = []
    with read_connection(engine) as conn:
        zones = {int(i): str(n) for i, n in conn.execute(select(Zone.id, Zone.name))}
        for kind in kinds:
            t = table_for(kind)
            rows = conn.execute(
                select(t.c.zone_id, t.c.category, t.c.local_day, func.count())
                .where(t.c.zone_id.is_not(None), t.c.local_day >= start, t.c.local_day < end)
                .group_by(t.c.zone_id, t.c.category, t.c.local_day)).all()
            window = (t.c.occurred_at >= lo, t.c.occurred_at < hi, t.c.zone_id.is_not(None))
            parts.append(pd.DataFrame([tuple(r) for r in rows],
                                      columns=["zone_id", "category", "day", "n"]))
            old = conn.execute(select(t.c.zone_id, t.c.category, t.c.occurred_at)
                               .where(*window, t.c.local_day.is_(None))).all()
            if old:
                o = pd.DataFrame([tuple(r) for r in old],
                                 columns=["zone_id", "category", "occurred_at"])
                o["day"] = (pd.to_datetime(o["occurred_at"], utc=True).dt.tz_convert(LOCAL_TZ)
                            .dt.date)
                o = o[(o["day"] >= start) & (o["day"] < end)]
                parts.append(o.groupby(["zone_id", "category", "day"]).size()
                             .rename("n").reset_index())
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["zone_id", "category", "day", "n"])
    df["zone"] = [zones.get(int(z)) for z in df["zone_id"]]
    df["n"] = df["n"].astype("int64")
    df["day"] = [d if isinstance(d, date) else date.fromisoformat(str(d)) for d in df["day"]]
    return df[DAY_COLUMNS]
