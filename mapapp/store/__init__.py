"""The database: SQLite by default, PostgreSQL+PostGIS when ``MAPAPP_DATABASE_URL`` says so.

- :mod:`.models` the schema; :mod:`.engine` engines and sessions; :mod:`.schema` migrations;
- :mod:`.district` zones, stadsdelar, sites and the bundled measures;
- :mod:`.points` incidents and observations; :mod:`.audit` the audit log.
"""

from __future__ import annotations

from sqlalchemy import Engine

from mapapp.access import Principal
from mapapp.settings import Settings
from mapapp.store.engine import get_engine


def open_store(settings: Settings) -> Engine:
    """The shared engine for the configured database (schema not touched)."""
    return get_engine(settings.database_url)


def init_store(engine: Engine, who: Principal) -> dict[str, int]:
    """Create or migrate the schema and load the bundled district data (idempotent)."""
    from mapapp.store.district import load_district
    from mapapp.store.schema import migrate

    migrate(engine)
    return load_district(engine, who)
