"""Engines and sessions.

SQLite (the embedded default): WAL journal, ``busy_timeout`` 30 s, foreign keys on, and
``BEGIN IMMEDIATE`` for write transactions so concurrent writers queue instead of failing with
"database is locked". PostgreSQL: ``postgresql+psycopg://…`` with PostGIS.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Python's sqlite3 opens transactions itself; take that over so BEGIN IMMEDIATE works.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front (they queue on busy_timeout instead of failing on a
    # lock upgrade); connections from read_connection() start a plain deferred read.
    if conn.get_execution_options().get("mapapp_read"):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """A new engine for ``url``. SQLite files get their parent folder created. SQL parameters are
    kept out of error messages (they may hold what a user typed; no personal data in logs)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10,
                         hide_parameters=True)


def get_engine(url: str) -> Engine:
    """The shared engine for ``url`` (one pool per process)."""
    with _LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = make_engine(url)
        return _ENGINES[url]


def read_connection(engine: Engine) -> Connection:
    """A connection for reading only: on SQLite it does not take the write lock, so readers
    never block writers or each other (WAL). Use as ``with read_connection(engine) as conn``."""
    return engine.connect().execution_options(mapapp_read=True)


def dispose_all() -> None:
    with _LOCK:
        for e in _ENGINES.values():
            e.dispose()
        _ENGINES.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on any error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def bump_data_version(conn: Any) -> None:
    """Mark that map data changed (inside the caller's transaction). The increment is one
    atomic UPDATE, so two concurrent writers never leave the same version behind."""
    from mapapp.store.models import Meta

    res = conn.execute(text(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR(200)) "
        "WHERE key = 'data_version'"))
    if res.rowcount == 0:
        conn.execute(insert(Meta).values(key="data_version", value="1"))


def data_version(engine: Engine) -> str:
    with read_connection(engine) as conn:
        row = conn.execute(text("SELECT value FROM meta WHERE key = 'data_version'")).first()
    return row[0] if row else "0"
