"""Migration 0003 on a database of revision 0002 (SQLite and PostGIS): the council-rhythm
tables appear, existing rows stay, a second run changes nothing, and a downgrade to 0002
removes them again."""

from __future__ import annotations

import pandas as pd
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from mapapp.store.models import RHYTHM_TABLES
from mapapp.store.points import insert_points
from mapapp.store.schema import alembic_config, migrate


def _head() -> str:

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def _downgrade(engine) -> None:  # type: ignore[no-untyped-def]
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")


def test_0003_upgrades_a_0002_database(store):
    df = pd.DataFrame({"source": "t", "external_id": ["a"], "category": "personran",
                       "occurred_at": pd.to_datetime(["2023-05-16T10:00:00Z"], utc=True),
                       "lon": [18.02], "lat": [59.31]})
    with store.begin() as conn:
        insert_points(conn, df, "incident")
    _downgrade(store)
    assert not any(inspect(store).has_table(t) for t in RHYTHM_TABLES)
    with store.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    migrate(store)
    assert all(inspect(store).has_table(t) for t in RHYTHM_TABLES)
    migrate(store)  # again: nothing to do
    with store.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == _head()
        assert conn.execute(text("SELECT count(*) FROM incidents")).scalar() == 1
