"""Retention (gallring): notes and photos of old observations go, the observations stay; only
admins; audited. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from mapapp.cli import main
from mapapp.errors import DataValidationError, PermissionDeniedError
from mapapp.retention import apply_retention
from mapapp.store.audit import events
from mapapp.store.engine import data_version
from mapapp.store.models import Observation
from mapapp.store.points import insert_points
from mapapp.timezone import LOCAL_ZONE as LOCAL_TZ
from tests.conftest import ADMIN, COORDINATOR, POLICE, READER

JPEG = bytes.fromhex("ffd8ffe000104a464946000101") + b"\x00" * 32 + bytes.fromhex("ffd9")
TODAY = date(2025, 6, 10)


def _obs(rows: list[tuple[str, datetime, str | None, bytes | None]]) -> pd.DataFrame:
    return pd.DataFrame({
        "source": "app",
        "external_id": [r[0] for r in rows],
        "category": "belysning",
        "occurred_at": [pd.Timestamp(r[1]) for r in rows],
        "description": [r[2] for r in rows],
        "photo": [r[3] for r in rows],
        "photo_mime": ["image/jpeg" if r[3] else None for r in rows],
        "lon": 18.0005, "lat": 59.3099,  # Liljeholmen
        "ratings": [{"belysning": 1}] * len(rows),
        "team": "lag-a",
        "status": "ny",
    })


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


ROWS = [
    ("just-old", _local(2023, 6, 9, 23, 59), "Mörk gångtunnel, lampan trasig", JPEG),
    ("just-kept", _local(2023, 6, 10, 0, 0), "Buskar skymmer sikten", JPEG),
    ("old-photo-only", _local(2020, 3, 1, 20, 0), None, JPEG),
    ("old-note-only", _local(2021, 9, 30, 21, 0), "Klotter på muren", None),
    ("old-nothing", _local(2021, 1, 5, 18, 0), None, None),
    ("recent", _local(2025, 5, 1, 19, 30), "Ny belysning fungerar", JPEG),
]


def _state(engine) -> dict[str, tuple]:
    o = Observation.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.external_id, o.c.description, o.c.photo, o.c.photo_mime,
                                   o.c.lon, o.c.lat, o.c.category, o.c.ratings,
                                   o.c.occurred_at)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_dry_run_counts_and_changes_nothing(store):
    with store.begin() as conn:
        insert_points(conn, _obs(ROWS), "observation")
    before, version = _state(store), data_version(store)
    report = apply_retention(store, ADMIN, older_than_years=2, today=TODAY, dry_run=True)
    assert (report.observations, report.notes, report.photos) == (3, 2, 2)
    assert report.cutoff == _local(2023, 6, 10)
    assert _state(store) == before and data_version(store) == version
    row = events(store, ADMIN, actions=["retention_preview"]).iloc[0]
    assert row["detail"]["notes"] == 2 and row["detail"]["dry_run"] is True


def test_apply_removes_old_notes_and_photos_only(store):
    with store.begin() as conn:
        insert_points(conn, _obs(ROWS), "observation")
    before, version = _state(store), data_version(store)
    report = apply_retention(store, ADMIN, older_than_years=2, today=TODAY)
    assert (report.observations, report.notes, report.photos) == (3, 2, 2)
    after = _state(store)
    assert set(after) == set(before)  # no observation is deleted
    for ext in ("just-old", "old-photo-only", "old-note-only"):
        assert after[ext][:3] == (None, None, None), ext
        assert after[ext][3:] == before[ext][3:]  # place, category, ratings, time unchanged
    for ext in ("just-kept", "recent", "old-nothing"):
        assert after[ext] == before[ext], ext
    assert data_version(store) != version  # the map refreshes its popups
    row = events(store, ADMIN, actions=["retention"]).iloc[0]
    assert row["username"] == ADMIN.username
    assert row["detail"]["observations"] == 3 and row["detail"]["photos"] == 2
    assert row["detail"]["cutoff"].startswith("2023-06-10T00:00:00+02:00")
    again = apply_retention(store, ADMIN, older_than_years=2, today=TODAY)
    assert (again.observations, again.notes, again.photos) == (0, 0, 0)


def test_only_admins_and_sane_years(store):
    with store.begin() as conn:
        insert_points(conn, _obs(ROWS), "observation")
    before = _state(store)
    for who in (READER, COORDINATOR, POLICE):
        with pytest.raises(PermissionDeniedError):
            apply_retention(store, who, older_than_years=2, today=TODAY)
    for years in (0, -1, float("nan"), 1000):
        with pytest.raises(DataValidationError):
            apply_retention(store, ADMIN, older_than_years=years, today=TODAY)
    assert _state(store) == before
    assert events(store, ADMIN, actions=["retention", "retention_preview"]).empty


def test_setting_is_the_default(store, monkeypatch):
    with store.begin() as conn:
        insert_points(conn, _obs(ROWS), "observation")
    monkeypatch.setenv("MAPAPP_RETENTION_YEARS", "5")
    report = apply_retention(store, ADMIN, today=TODAY, dry_run=True)
    assert report.cutoff == _local(2020, 6, 10)
    assert (report.observations, report.photos) == (1, 1)  # old-photo-only, March 2020


def test_cli_retention_apply(sqlite_store, capsys):
    now = datetime.now(LOCAL_TZ)
    with sqlite_store.begin() as conn:
        insert_points(conn, _obs([("a", now - timedelta(days=800), "gammal", JPEG),
                                  ("b", now - timedelta(days=30), "ny", JPEG)]), "observation")
    db = sqlite_store.url.render_as_string(hide_password=False)
    assert main(["retention", "apply", "--dry-run", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Provkörning" in out and "1 anteckningar och 1 foton" in out, out
    assert _state(sqlite_store)["a"][0] == "gammal"
    assert main(["retention", "apply", "--db", db, "--lang", "en"]) == 0
    assert "1 notes and 1 photos removed" in capsys.readouterr().out
    state = _state(sqlite_store)
    assert state["a"][0] is None and state["b"][0] == "ny"
    assert main(["retention", "apply", "--years", "0", "--db", db]) == 2
    assert "större än 0" in capsys.readouterr().err


def test_unsent_drafts_as_old_are_deleted(store):
    from mapapp import walks
    from mapapp.store.district import zones_frame
    from tests.conftest import WALKER

    zone_id = int(zones_frame(store)["id"].iloc[0])
    walk_id, _ = walks.create_walk(
        store, WALKER, submission_id="walk-r1", zone_id=zone_id,
        starts_at=datetime.now(LOCAL_TZ), organiser="Trygghetsstrateg",
        participants={"boende": 3})
    walks.save_draft(store, WALKER, walk_id=walk_id, submission_id="draft-r1",
                     data={"description": "Halvskriven anteckning"}, photo=JPEG,
                     photo_mime="image/jpeg")
    now = apply_retention(store, ADMIN, older_than_years=2)
    assert now.drafts == 0
    assert walks.load_draft(store, WALKER, walk_id) is not None
    later = date.today() + timedelta(days=3 * 366)
    assert apply_retention(store, ADMIN, older_than_years=2, today=later, dry_run=True).drafts == 1
    assert walks.load_draft(store, WALKER, walk_id) is not None
    assert apply_retention(store, ADMIN, older_than_years=2, today=later).drafts == 1
    assert walks.load_draft(store, WALKER, walk_id) is None
