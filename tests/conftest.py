"""Shared fixtures.

``store`` gives an initialised database (schema + bundled district data) -- parametrised over
SQLite and PostgreSQL+PostGIS. Every test gets its own copy: a copied SQLite file, or a
PostgreSQL database made from a template (``CREATE DATABASE … TEMPLATE``).

PostgreSQL is found at ``MAPAPP_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``). Without a server the PostGIS tests
are skipped on a laptop, but with ``MAPAPP_REQUIRE_POSTGIS=1`` (set by ``make test`` and CI) a
missing server or PostGIS extension is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from mapapp.access import CLI_PRINCIPAL, Principal, Role
from mapapp.settings import GEO_DIR
from mapapp.store import init_store
from mapapp.store.engine import dispose_all, make_engine

ROOT = Path(__file__).resolve().parent.parent
# The real shared data, copied into the repository (tests/data/shared/README.md).
SHARED = ROOT / "tests" / "data" / "shared" / "data"
PG_ADMIN_URL = os.environ.get(
    "MAPAPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGIS = os.environ.get("MAPAPP_REQUIRE_POSTGIS") == "1"

ADMIN = CLI_PRINCIPAL
POLICE = Principal("polis1", Role.POLIS)
READER = Principal("lasare1", Role.LASARE)
COORDINATOR = Principal("samordnare1", Role.SAMORDNARE)
WALKER = Principal("vandrare1", Role.VANDRARE, team="lag-a")


def expected_areas(lon: float, lat: float) -> tuple[str | None, str | None]:
    """Zone and stadsdel of a position by a plain shapely test on the bundled files
    (independent of the store and of mapapp's own assignment)."""
    import geopandas as gpd
    import shapely

    p = shapely.Point(lon, lat)
    out: list[str | None] = []
    for name in ("zones.geojson", "stadsdelar.geojson"):
        g = gpd.read_file(GEO_DIR / name)
        hits = g[g.geometry.intersects(p)]["name"].tolist()
        out.append(hits[0] if hits else None)
    return out[0], out[1]


def _pg_admin() -> Engine | None:
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
            ok = c.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            ).first()
        if not ok:
            raise RuntimeError("PostGIS extension is not installed on the server")
        return eng
    except Exception as exc:
        if REQUIRE_POSTGIS:
            raise RuntimeError(f"PostgreSQL+PostGIS required but unavailable: {exc}") from exc
        return None


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine | None]:
    eng = _pg_admin()
    yield eng
    if eng is not None:
        eng.dispose()


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    eng = make_engine(f"sqlite:///{path}")
    init_store(eng, ADMIN)
    eng.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin: Engine | None) -> Iterator[str | None]:
    if pg_admin is None:
        yield None
        return
    name = f"mapapp_tpl_{uuid.uuid4().hex[:8]}"
    with pg_admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(_pg_url(name))
    init_store(eng, ADMIN)
    eng.dispose()
    yield name
    with pg_admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _sqlite_store(template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "mapapp.db"
    shutil.copy(template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


def _pg_store(pg_admin: Engine | None, template: str | None) -> Iterator[Engine]:
    if pg_admin is None or template is None:
        pytest.skip("PostgreSQL+PostGIS not available (set MAPAPP_REQUIRE_POSTGIS=1 to fail)")
    name = f"mapapp_t_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    eng = make_engine(_pg_url(name))
    yield eng
    eng.dispose()
    with pg_admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An initialised store on each backend (a fresh copy per test)."""
    if request.param == "sqlite":
        yield from _sqlite_store(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        yield from _pg_store(request.getfixturevalue("pg_admin"),
                             request.getfixturevalue("pg_template"))


@pytest.fixture
def sqlite_store(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """An initialised SQLite store only (for tests that need a file path, e.g. the CLI)."""
    yield from _sqlite_store(sqlite_template, tmp_path)


@pytest.fixture(autouse=True, scope="session")
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_all()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Where PostGIS is required (``make test``, CI), a skipped test fails the run: a skipped
    check must never pass as a green one."""
    if not REQUIRE_POSTGIS:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped; with MAPAPP_REQUIRE_POSTGIS=1 "
                            "every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def app_db(sqlite_store: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The app-test store: an initialised SQLite copy that the app reads through
    ``MAPAPP_DATABASE_URL``, with Streamlit's caches cleared before and after (the app's
    cached engine and frames belong to one store)."""
    import streamlit as st

    monkeypatch.setenv("MAPAPP_DATABASE_URL", sqlite_store.url.render_as_string(False))
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield sqlite_store
    st.cache_resource.clear()
    st.cache_data.clear()
