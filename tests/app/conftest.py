"""AppTest fixtures: a real SQLite store with the bundled district and a small demo data set,
copied for every test; the app reads it through ``MAPAPP_DATABASE_URL``."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine

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
