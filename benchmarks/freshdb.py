"""A fresh, empty store for a load test: a SQLite file in a temporary folder, or a new
database ``<prefix>_<random>`` on the local PostgreSQL+PostGIS server, dropped afterwards.
Only a server on this machine is accepted."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class NotLocal(ValueError):
    """The PostgreSQL URL names another machine."""


@contextmanager
def fresh_store(backend: str, pg_url: str, prefix: str) -> Iterator[tuple[str, Path]]:
    """(the database URL, a temporary folder) for the ``with`` block; both removed after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    tmp = tempfile.TemporaryDirectory()
    admin = name = None
    try:
        if backend == "sqlite":
            url = f"sqlite:///{Path(tmp.name) / 'store.db'}"
        else:
            base = make_url(pg_url)
            if base.host not in LOCAL_HOSTS:
                raise NotLocal("only a local server is used")
            name = f"{prefix}_{uuid.uuid4().hex[:8]}"
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = base.set(database=name).render_as_string(hide_password=False)
        yield url, Path(tmp.name)
    finally:
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        tmp.cleanup()
