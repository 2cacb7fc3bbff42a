"""Reading the imported statistics tables back (the import itself is
:mod:`mapapp.io.statistics`): one frame of every stored figure, for the Statistik page, the
Område page, the snapshot and ``mapapp statistics list``."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from mapapp.access import Perm, Principal
from mapapp.store.models import StatisticTable, StatisticValue
from mapapp.values import fold

STATISTICS_COLUMNS = ["area", "area_kind", "category", "category_code", "period", "count",
                      "source", "extracted", "preliminary", "table", "table_id"]


def statistics_frame(engine: Engine, who: Principal, area: str | None = None) -> pd.DataFrame:
    """Every stored figure: area, area_kind, category (own wording), category_code, period,
    count, source, extracted, preliminary, table (name), table_id -- sorted. ``area`` keeps
    one area (matched by :func:`mapapp.values.fold`)."""
    who.require(Perm.VIEW_AGGREGATES)
    v, tb = StatisticValue, StatisticTable
    q = (select(v.area, v.area_kind, v.category_text.label("category"),
                v.category.label("category_code"), v.period, v.count, tb.source, tb.extracted,
                tb.preliminary, tb.name.label("table"), tb.id.label("table_id"))
         .join(tb, tb.id == v.table_id))
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all(), columns=STATISTICS_COLUMNS)
    if area is not None and len(df):
        df = df[df["area"].map(fold) == fold(area)]
    if len(df):
        df["preliminary"] = df["preliminary"].astype(bool)
        df["count"] = df["count"].astype("int64")
    return df.sort_values(["area", "category", "period", "source"]).reset_index(drop=True)
