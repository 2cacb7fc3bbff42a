"""Backups that restore: ``mapapp backup FILE`` and ``mapapp restore FILE [--force]``.

- **SQLite:** SQLite's online backup API copies the whole store in one step, inside one read
  transaction: the copy is the store as it was when the backup began (every transaction
  committed before it, none half), while the app and importers go on writing (WAL: readers and
  writers do not block each other). The copy is written beside ``FILE`` and renamed into place.
- **PostgreSQL:** ``pg_dump --format=custom`` (a consistent snapshot too) and ``pg_restore``
  in one transaction; without those programs a :class:`~mapapp.errors.StoreError` says so and
  how to install them.

A restore goes into an *empty* store (no schema, or a schema whose data tables hold no rows
-- the district that ``mapapp init`` loads does not count); a store with data is refused unless
``force``. Both are audited: the backup in the store that was copied, the restore in the store
it produced (after the copy, so the row is not overwritten by it).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from mapapp.access import Principal
from mapapp.errors import StoreError
from mapapp.store import audit
from mapapp.store.engine import dispose_all, is_postgres, read_connection

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
#: Tables whose rows make a store "hold data" (the bundled district, the data version and the
#: audit log of ``mapapp init`` do not).
DATA_TABLES = ("incidents", "observations", "walks", "users", "imports", "statistic_tables",
               "measure_notes", "walk_drafts")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    backend: str


def _sqlite_path(engine: Engine) -> Path:
    db = make_url(str(engine.url)).database
    if not db or db == ":memory:":
        raise StoreError("backup.memory")
    return Path(db)


def _libpq_url(engine: Engine) -> str:
    """The store's URL as libpq (pg_dump, pg_restore) reads it, password included."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise StoreError("backup.pg_tool_missing", tool=name)
    return found


def holds_data(engine: Engine) -> bool:
    """Whether the store has rows in any data table (see :data:`DATA_TABLES`)."""
    names = set(inspect(engine).get_table_names())
    with read_connection(engine) as conn:
        for table in DATA_TABLES:
            if table in names and conn.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first():
                return True
    return False


def backup(engine: Engine, who: Principal, target: Path) -> BackupResult:
    """A consistent copy of the store in ``target`` (overwritten atomically)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if is_postgres(engine):
            backend = "postgresql"
            proc = subprocess.run(  # noqa: S603 - the found pg_dump, fixed arguments
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 "--file", str(tmp), _libpq_url(engine)],
                capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                log.error("pg_dump failed (exit %s): %s", proc.returncode, proc.stderr.strip())
                raise StoreError("backup.failed", detail=proc.stderr.strip()[-500:])
        else:
            backend = "sqlite"
            src = sqlite3.connect(_sqlite_path(engine), timeout=30)
            dst = sqlite3.connect(tmp)
            try:
                src.execute("PRAGMA busy_timeout=30000")
                # pages=-1: the whole database in one step, i.e. one read transaction.
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                dst.close()
                src.close()
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    size = target.stat().st_size
    with engine.begin() as conn:
        audit.record(conn, who, "backup", "store", None, file=str(target.resolve()), bytes=size)
    log.info("backup of the %s store written to %s (%d bytes)", backend, target, size)
    return BackupResult(target, size, backend)


def file_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql`` from the file's first bytes; StoreError otherwise."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except FileNotFoundError as exc:
        raise StoreError("backup.no_file", file=str(path)) from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise StoreError("backup.unknown_file", file=str(path))


def restore(engine: Engine, who: Principal, source: Path, *, force: bool = False) -> str:
    """Put the backup ``source`` into the store of ``engine``; returns the backend.

    Refuses a store that holds data unless ``force``. The schema is brought to the newest
    revision afterwards (a backup of an older version restores too)."""
    from mapapp.store.schema import has_schema, migrate

    source = Path(source)
    kind = file_kind(source)
    backend = "postgresql" if is_postgres(engine) else "sqlite"
    if kind != backend:
        raise StoreError("backup.wrong_backend", file=str(source), kind=kind, backend=backend)
    if has_schema(engine) and holds_data(engine) and not force:
        raise StoreError("backup.store_not_empty")
    if backend == "sqlite":
        _check_sqlite_file(source)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(_sqlite_path(engine), timeout=30)
        try:
            dst.execute("PRAGMA busy_timeout=30000")
            src.backup(dst, pages=-1)
        finally:
            dst.close()
            src.close()
        dispose_all()  # pooled connections may hold the old schema's statements
    else:
        proc = subprocess.run(  # noqa: S603 - the found pg_restore, fixed arguments
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", "--dbname", _libpq_url(engine),
             str(source)],
            capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log.error("pg_restore failed (exit %s): %s", proc.returncode, proc.stderr.strip())
            raise StoreError("backup.restore_failed", detail=proc.stderr.strip()[-500:])
        engine.dispose()
    migrate(engine)
    with engine.begin() as conn:
        audit.record(conn, who, "restore", "store", None, file=str(source.resolve()))
        from mapapp.store.engine import bump_data_version

        bump_data_version(conn)
    log.info("restored the %s store from %s", backend, source)
    return backend


def _check_sqlite_file(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError("backup.broken_file", file=str(path), detail=str(exc)) from exc
    finally:
        conn.close()
    if not ok or ok[0] != "ok" or "zones" not in tables:
        raise StoreError("backup.broken_file", file=str(path), detail=str(ok[0] if ok else ""))
