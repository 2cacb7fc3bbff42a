"""Migration 0004 (SQLite and PostGIS): the covering index of the day counts appears on a
database of revision 0003, a second run changes nothing, a downgrade removes it; and SQLite
then streams the counts through it (no sort of the rows)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from mapapp.store.schema import alembic_config, migrate

NAMES = {"incidents": "ix_incidents_zone_category_day",
         "observations": "ix_observations_zone_category_day"}


def _indexes(engine, table: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {ix["name"] for ix in inspect(engine).get_indexes(table)}


def test_0004_adds_the_covering_index(store):
    cfg = alembic_config()
    with store.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert all(NAMES[t] not in _indexes(store, t) for t in NAMES)
    migrate(store)
    migrate(store)  # again: nothing to do
    assert all(NAMES[t] in _indexes(store, t) for t in NAMES)
    if store.dialect.name == "sqlite":
        with store.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT zone_id, category, local_day, count(*) "
                "FROM incidents GROUP BY zone_id, category, local_day")))
        assert "COVERING INDEX ix_incidents_zone_category_day" in plan
        assert "TEMP B-TREE" not in plan
