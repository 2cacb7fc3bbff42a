"""AppTest fixtures: a real SQLite store with the bundled district and a small demo data set,
copied for every test; the app reads it through ``MAPAPP_DATABASE_URL``; and ``open_page``,
one page of the app run once for a signed-in role."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mapapp.access import Principal
from mapapp.demo import load_demo
from mapapp.store.engine import make_engine
from tests.conftest import ADMIN, ROOT


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    eng = make_engine(f"sqlite:///{path}")
    load_demo(eng, ADMIN, incidents=3000, observations=300, seed=3)
    eng.dispose()
    with sqlite3.connect(path) as raw:  # fold the WAL into the file before copying it
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def app_store(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[Engine]:
    path = tmp_path / "mapapp.db"
    shutil.copy(demo_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("MAPAPP_DATABASE_URL", url)
    monkeypatch.setenv("MAPAPP_BASEMAP", "none")
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    st.cache_data.clear()
    eng = make_engine(url)
    yield eng
    eng.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()


OpenPage = Callable[..., AppTest]


def _open_page(page: str, who: Principal, *, lang: str | None = None, timeout: float = 120,
               check: bool = True, **state: Any) -> AppTest:
    """``mapapp.ui.pages.<page>`` run once in AppTest for ``who`` (in ``lang``, with the
    session values ``state``); with ``check`` the run must not raise."""
    at = AppTest.from_string(f"from mapapp.ui.pages.{page} import render\n\nrender()\n",
                             default_timeout=timeout)
    at.session_state["mapapp_principal"] = who
    if lang:
        at.session_state["mapapp_lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def open_page() -> OpenPage:
    """``open_page("veckolage", READER, lang="en", mapapp_map_selection=...)`` -> the AppTest
    after its first run."""
    return _open_page
