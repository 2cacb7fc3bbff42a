"""Period counts of one kind of point (reported crimes or walk observations) from the store,
the same figures on SQLite and PostgreSQL: from the database's day counts
(:func:`mapapp.store.aggregates.daily_counts`) on both, no point read into memory. It goes
through :func:`mapapp.analysis.stats.period_counts`, so the change, its p-value and the
incomplete-period rule are the same everywhere (``mapapp stats``, the lägesbild document).
Kinds are never added up: each call counts one kind."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from mapapp.access import Perm, Principal
from mapapp.analysis.significance import DEFAULT_CONFIDENCE
from mapapp.analysis.stats import period_counts

KINDS: tuple[str, ...] = ("incident", "observation")


def kind_counts(
    engine: Engine,
    who: Principal,
    kind: str,
    *,
    zones: pd.DataFrame | None = None,
    zone: str | None = None,
    period_kind: str = "statistical",
    stat_year_start_month: int = 9,
    confidence: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """:func:`period_counts` of the points of ``kind`` ("incident" or "observation")."""
    from mapapp.store.aggregates import daily_counts

    who.require(Perm.VIEW_AGGREGATES)
    if kind not in KINDS:
        raise ValueError(kind)
    kw = {"zones": zones, "zone": zone, "period_kind": period_kind,
          "stat_year_start_month": stat_year_start_month, "confidence": confidence}
    daily = daily_counts(engine, (kind,))
    if daily is not None:
        return period_counts(daily, weight="n", **kw)  # type: ignore[arg-type]
    from mapapp.store.points import load_points

    pts = load_points(engine, who, kind)  # type: ignore[arg-type]
    return period_counts(pts, kind=kind, **kw)  # type: ignore[arg-type]
