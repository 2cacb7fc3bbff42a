"""``mapapp backup`` / ``mapapp restore`` on SQLite and PostgreSQL+PostGIS.

Three other processes import batches of 50 observations (one transaction each) while the backup
is taken. Each writer notes a batch in its own log only after the commit returned, so every
batch noted before the backup began was committed before it. The backup is restored into an
empty store (through the CLI) and must hold every such batch, whole, and no batch in part.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import ADMIN, _pg_url

BIN = Path(sys.executable).parent
BATCH = 50

WRITER = r"""
import sys, time
import numpy as np, pandas as pd
from mapapp.store.engine import make_engine
from mapapp.store.points import insert_points

url, name, log_path, stop_path = sys.argv[1:5]
engine = make_engine(url)
rng = np.random.default_rng(abs(hash(name)) % 2**32)
batch = 0
with open(log_path, "a") as log:
    while True:
        try:
            open(stop_path).close()
            break
        except FileNotFoundError:
            pass
        frame = pd.DataFrame({
            "source": "writer", "external_id": [f"{name}-{batch}-{j}" for j in range(50)],
            "category": "nedskrapning",
            "occurred_at": pd.Timestamp("2022-05-01T10:00", tz="UTC"),
            "lon": 17.99 + rng.random(50) * 0.02, "lat": 59.29 + rng.random(50) * 0.02,
            "description": None, "status": "ny",
        })
        with engine.begin() as conn:
            insert_points(conn, frame, "observation")
        log.write(f"{name}-{batch} {time.time():.6f}\n")  # after the commit returned
        log.flush()
        batch += 1
"""


def _committed(logs: list[Path]) -> set[str]:
    out = set()
    for p in logs:
        if p.exists():
            for line in p.read_text().splitlines():
                if line.strip():
                    out.add(line.split()[0])
    return out


def _mapapp(*args: str, url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPAPP_")}
    env["MAPAPP_DATABASE_URL"] = url
    env["MAPAPP_LANG"] = "en"
    proc = subprocess.run([str(BIN / "mapapp"), *args], env=env, capture_output=True, text=True,
                          timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"mapapp {args} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def _batches(engine) -> Counter[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        ids = c.execute(text(
            "SELECT external_id FROM observations WHERE source = 'writer'")).scalars().all()
    return Counter(i.rsplit("-", 1)[0] for i in ids)


@pytest.fixture
def empty_target(request: pytest.FixtureRequest, store, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The URL of an empty store of the same backend (no schema at all)."""
    if store.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    name = f"mapapp_r_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield _pg_url(name)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_backup_while_three_processes_write_restores_whole_batches(store, empty_target, tmp_path):
    from mapapp.store.engine import make_engine

    url = store.url.render_as_string(hide_password=False)
    logs = [tmp_path / f"w{i}.log" for i in range(3)]
    stop = tmp_path / "stop"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPAPP_")}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, f"w{i}", str(logs[i]),
                                 str(stop)], env=env, stderr=subprocess.PIPE, text=True)
               for i in range(3)]
    try:
        deadline = time.monotonic() + 60
        while sum(1 for b in _committed(logs) if b) < 9:  # each writer well under way
            assert all(w.poll() is None for w in writers), [w.stderr.read() for w in writers
                                                            if w.poll() is not None]
            assert time.monotonic() < deadline, "writers made no progress"
            time.sleep(0.05)
        before = _committed(logs)  # committed before the backup began
        backup_file = tmp_path / "store.backup"
        _mapapp("backup", str(backup_file), url=url)
        after_backup = _committed(logs)
        # keep writing a little after the backup, then stop
        deadline = time.monotonic() + 30
        while len(_committed(logs)) < len(after_backup) + 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.touch()
        for w in writers:
            w.wait(timeout=60)
    assert all(w.returncode == 0 for w in writers), [w.stderr.read() for w in writers]
    written = _batches(store)
    assert len(written) > len(after_backup)  # the writers really went on during/after it

    # Restore into an empty store, through the CLI.
    _mapapp("restore", str(backup_file), url=empty_target)
    restored_engine = make_engine(empty_target)
    try:
        restored = _batches(restored_engine)
        missing = sorted(before - set(restored))
        assert not missing, f"batches committed before the backup are missing: {missing}"
        half = {b: n for b, n in restored.items() if n != BATCH}
        assert not half, f"half-written batches restored: {half}"
        assert set(restored) <= set(written)
        # audited, in the restored store; the district came along
        with restored_engine.connect() as c:
            assert c.execute(text(
                "SELECT count(*) FROM audit_events WHERE action = 'restore'")).scalar() == 1
            assert c.execute(text("SELECT count(*) FROM zones")).scalar() == 6
        # the backup is audited in the store that was copied
        with store.connect() as c:
            row = c.execute(text(
                "SELECT username, detail FROM audit_events WHERE action = 'backup'")).first()
        assert row is not None and row[0] == ADMIN.username

        # Restoring over a store with data is refused (nothing changed) …
        from mapapp.errors import StoreError
        from mapapp.store.backup import restore

        with pytest.raises(StoreError) as refused:
            restore(restored_engine, ADMIN, backup_file)
        assert "already holds data" in refused.value.text("en") and "--force" in refused.value.text("en")
        # … unless --force.
        with restored_engine.begin() as c:
            c.execute(text("DELETE FROM observations WHERE source = 'writer'"))
        restore(restored_engine, ADMIN, backup_file, force=True)
        assert _batches(restored_engine) == restored
    finally:
        restored_engine.dispose()


def test_restore_refuses_a_file_that_is_no_backup(sqlite_store, tmp_path):
    url = sqlite_store.url.render_as_string(hide_password=False)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    proc = _mapapp("restore", str(junk), url=url, check=False)
    assert proc.returncode == 2 and "neither an SQLite database nor a pg_dump file" in proc.stderr
    from mapapp.errors import StoreError
    from mapapp.store.backup import restore

    with pytest.raises(StoreError) as missing:
        restore(sqlite_store, ADMIN, tmp_path / "nope")
    assert "No such file" in missing.value.text("en")
    # a backup of the other backend's kind is refused with what to do
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP" + b"\0" * 64)
    with pytest.raises(StoreError) as wrong:
        restore(sqlite_store, ADMIN, dump)
    assert "backup of a postgresql store but the target is sqlite" in wrong.value.text("en")
