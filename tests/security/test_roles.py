"""Roles enforced in the functions that return data (not only by hiding buttons), and an audit
row for every action -- on SQLite and PostgreSQL.

The attacker here is a signed-in ``lasare`` (reader) who calls every public function the app
uses: no sensitive incident may come with a usable position, and no export may run."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from mapapp import measures as ms
from mapapp import walks
from mapapp.access import Perm, Principal, Role
from mapapp.auth import add_user, authenticate, set_role
from mapapp.categories import SENSITIVE_CODES
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import PermissionDeniedError
from mapapp.io.export import build_layers, export_file
from mapapp.retention import apply_retention
from mapapp.store.audit import events
from mapapp.store.models import AuditEvent
from mapapp.store.points import PointFilter, insert_points, load_points
from mapapp.timezone import LOCAL_ZONE as LOCAL_TZ
from tests.conftest import ADMIN, COORDINATOR, POLICE, READER, WALKER

# Real places in the district (Liljeholmen T-bana, Älvsjö station, Telefonplan T-bana).
PLACES = {"liljeholmen": (18.0227, 59.3105), "alvsjo": (18.0115, 59.2789),
          "telefonplan": (17.9965, 59.2982)}
SENSITIVE = sorted(SENSITIVE_CODES)


def _incidents() -> pd.DataFrame:
    rows = []
    for name, (lon, lat) in PLACES.items():
        for i, cat in enumerate([*SENSITIVE, "stold", "skadegorelse"]):
            rows.append({"source": "polis", "external_id": f"{name}-{cat}-{i}",
                         "category": cat, "lon": lon, "lat": lat,
                         "description": f"Anmälan vid {name}, Storgatan 12 lgh 1101"})
    df = pd.DataFrame(rows)
    df["occurred_at"] = pd.Timestamp("2022-03-04 22:15", tz="Europe/Stockholm")
    return df


@pytest.fixture
def points_store(store):
    with store.begin() as conn:
        insert_points(conn, _incidents(), "incident")
    return store


NOT_POLICE = [READER, WALKER, COORDINATOR]


@pytest.mark.parametrize("who", NOT_POLICE, ids=lambda p: p.role)
def test_sensitive_incidents_have_no_position_for_other_roles(points_store, who):
    df = load_points(points_store, who, "incident")
    sens = df[df["category"].astype(str).isin(SENSITIVE)]
    assert len(sens) == len(PLACES) * len(SENSITIVE)  # they still count ...
    assert sens["lon"].isna().all() and sens["lat"].isna().all()  # ... but are not placed
    assert sens["description"].isna().all()  # the note could name the address
    assert (sens["precision"] == "redacted").all()
    # filtering on the category itself does not bring the positions back
    only = load_points(points_store, who, "incident", PointFilter(categories=SENSITIVE))
    assert only["lon"].isna().all() and only["description"].isna().all()
    both = ms.measure_points(points_store, who)
    assert both[both["category"].astype(str).isin(SENSITIVE)]["lon"].isna().all()


def test_police_see_sensitive_positions(points_store):
    df = load_points(points_store, POLICE, "incident")
    sens = df[df["category"].astype(str).isin(SENSITIVE)]
    assert sens["lon"].notna().all() and sens["description"].notna().all()


@pytest.mark.parametrize("who", [READER, WALKER], ids=lambda p: p.role)
def test_no_export_for_readers_and_walk_teams(points_store, who, tmp_path: Path):
    before = len(events(points_store, ADMIN, actions=["export"]))
    out = tmp_path / "export"
    out.mkdir()
    for name in ("out.gpkg", "out.geojson"):
        with pytest.raises(PermissionDeniedError):
            export_file(points_store, who, out / name)
    assert list(out.iterdir()) == []
    assert len(events(points_store, ADMIN, actions=["export"])) == before


@pytest.mark.parametrize("who", [READER, WALKER], ids=lambda p: p.role)
def test_no_snapshot_and_no_import_for_readers_and_walk_teams(points_store, who, tmp_path: Path):
    from mapapp.io.pipeline import import_file
    from mapapp.snapshot import export_snapshot, make_snapshot
    from mapapp.snapshot.content import gather

    before = _count(points_store)
    out = tmp_path / "snap"
    out.mkdir()
    with pytest.raises(PermissionDeniedError):
        make_snapshot(points_store, who, zone=None, period="2021-2022", since=None,
                      out=out / "s.docx")
    with pytest.raises(PermissionDeniedError):
        export_snapshot(points_store, who, zone=None, period="2021-2022", since=None,
                        fmt="html")
    with pytest.raises(PermissionDeniedError):
        gather(points_store, who, zone=None, period="2021-2022")
    src = out / "in.csv"
    src.write_text("id,kategori,tidpunkt,lat,lon\nx1,stold,2022-03-01 21:00,59.3105,18.0227\n",
                   "utf-8")
    with pytest.raises(PermissionDeniedError):
        import_file(points_store, who, src, "incidents")
    assert sorted(p.name for p in out.iterdir()) == ["in.csv"]
    assert _count(points_store) == before
    assert len(load_points(points_store, POLICE, "incident")) == len(_incidents())


def test_snapshots_draw_no_sensitive_point(points_store):
    from mapapp.snapshot.content import gather

    alone = (17.9650, 59.2856)  # Fruängen: only a sensitive incident here
    with points_store.begin() as conn:
        insert_points(conn, pd.DataFrame({
            "source": "polis", "external_id": ["alone"], "category": [SENSITIVE[0]],
            "occurred_at": pd.Timestamp("2022-03-05 01:10", tz="Europe/Stockholm"),
            "lon": [alone[0]], "lat": [alone[1]]}), "incident")
    for who in (COORDINATOR, POLICE):
        snap = gather(points_store, who, zone=None, period="2021-2022", since="2022-01-01")
        pts = snap.map.points
        assert len(pts) == len(PLACES) * 2, who.role  # the non-sensitive ones only
        near = ((pts["lon"] - alone[0]).abs() < 0.001) & ((pts["lat"] - alone[1]).abs() < 0.001)
        assert not near.any(), who.role


def test_coordinator_export_leaves_sensitive_points_out(points_store, tmp_path: Path):
    layers = build_layers(points_store, COORDINATOR)
    inc = layers["incidents"]
    assert not inc["category"].isin(SENSITIVE).any()
    assert len(inc) == len(PLACES) * 2
    export_file(points_store, COORDINATOR, tmp_path / "out.gpkg")
    import geopandas as gpd

    written = gpd.read_file(tmp_path / "out.gpkg", layer="incidents")
    assert not written["category"].isin(SENSITIVE).any()


def test_grid_counts_do_not_pinpoint_sensitive_incidents(points_store, request):
    """A reader may see sensitive incidents as counts per zone or grid cell -- not as
    positions. A grid of 5 m cells would be an address."""
    from mapapp.analysis.grid import build_grid
    from mapapp.store.aggregates import grid_counts

    to_m, to_ll = transformer(WGS84, METRIC), transformer(METRIC, WGS84)
    boxes = [shapely.box(x - 60, y - 60, x + 60, y + 60)
             for x, y in (to_m.transform(lon, lat) for lon, lat in PLACES.values())]
    area = shapely.transform(shapely.union_all(boxes),
                             lambda xy: np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1])))
    grid = build_grid(area, cell_size_m=5)  # 5 m cells around the three places
    try:
        counts = grid_counts(points_store, READER, grid, None, kinds=("incident",))
    except (PermissionDeniedError, ValueError):
        return  # refusing such a fine grid to a reader is fine too
    if counts is None:  # SQLite: the caller bins load_points(READER) in memory
        df = load_points(points_store, READER, "incident")
        counts = grid.bin(df["lon"].to_numpy(), df["lat"].to_numpy())
    # only the non-sensitive incidents (2 per place) may be located
    for name, (lon, lat) in PLACES.items():
        cell = grid.cell_index(np.array([lon]), np.array([lat]))[0]
        assert cell >= 0 and counts[cell] == 2, name
    assert counts.sum() == 2 * len(PLACES)


def test_vandrare_sees_only_its_team(store):
    from mapapp.store.district import zones_frame

    zone_id = int(zones_frame(store)["id"].iloc[0])
    other = Principal("vandrare2", Role.VANDRARE, team="lag-b")
    wid, _ = walks.create_walk(store, other, submission_id="w-b", zone_id=zone_id,
                               starts_at=datetime(2023, 3, 1, 18, tzinfo=LOCAL_TZ),
                               organiser="Trygghetsstrateg", participants={"boende": 2})
    with pytest.raises(PermissionDeniedError):
        walks.get_walk(store, WALKER, wid)
    with pytest.raises(PermissionDeniedError):
        walks.follow_up_sheet(store, WALKER, wid)
    assert walks.list_walks(store, WALKER).empty


def test_no_role_reads_the_audit_log_but_admin(store):
    for who in (READER, WALKER, COORDINATOR, POLICE):
        with pytest.raises(PermissionDeniedError):
            events(store, who)
        with pytest.raises(PermissionDeniedError):
            apply_retention(store, who, dry_run=True)
    assert not POLICE.can(Perm.ADMIN)


# --- every action leaves an audit row --------------------------------------------------------

def _count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def _newest(engine) -> dict:
    return events(engine, ADMIN, limit=1).iloc[0].to_dict()


MEASURE = {
    "zone": "Älvsjö/Solberga", "site": "Älvsjö station", "title": "Belysning vid gångbron",
    "priority_area": "Riktat arbete mot avgränsade platser och utsatta områden",
    "actor": "Trafikkontoret", "status": "planerad", "start": "2023-05-01", "due": "2023-09-30",
}


def test_every_action_leaves_an_audit_row(points_store, tmp_path: Path):
    s = points_store
    root = Principal("root", Role.ADMIN)

    def step(action, expect_action, expect_entity, who_name):
        before = _count(s)
        result = action()
        assert _count(s) == before + 1, expect_action
        row = _newest(s)
        assert (row["action"], row["entity"], row["username"]) == (
            expect_action, expect_entity, who_name)
        assert row["at"] is not None
        return result

    step(lambda: add_user(s, ADMIN, "root", "admin", password="Gröna-lyktan-7"),
         "create", "user", ADMIN.username)
    step(lambda: add_user(s, root, "kim", "lasare", password="Gröna-lyktan-7"),
         "create", "user", "root")
    step(lambda: authenticate(s, "kim", "Gröna-lyktan-7"), "login", "user", "kim")
    step(lambda: authenticate(s, "kim", "fel-lösenord"), "login_failed", "user", "kim")
    step(lambda: set_role(s, root, "kim", "samordnare"), "role_change", "user", "root")
    kim = Principal("kim", Role.SAMORDNARE)
    mid = step(lambda: ms.add_measure(s, kim, **MEASURE), "create", "measure", "kim")
    step(lambda: ms.update_measure(s, kim, mid, status="pagaende"), "update", "measure", "kim")
    step(lambda: export_file(s, kim, tmp_path / "x.gpkg"), "export", "layers", "kim")
    from mapapp.io.pipeline import import_file
    from mapapp.snapshot import export_snapshot

    src = tmp_path / "in.csv"
    src.write_text("id,kategori,tidpunkt,lat,lon\nx1,stold,2022-03-01 21:00,59.3105,18.0227\n",
                   "utf-8")
    step(lambda: import_file(s, kim, src, "incidents"), "import", "incidents", "kim")
    assert _newest(s)["detail"]["written"] == 1
    step(lambda: export_snapshot(s, kim, zone=None, period="2021-2022", since=None, fmt="html",
                                 dpi=60), "export", "snapshot", "kim")
    assert _newest(s)["detail"]["filter"]  # the export's filter is in the audit row
    step(lambda: apply_retention(s, root, today=date(2025, 1, 1)), "retention", "observation",
         "root")
    step(lambda: apply_retention(s, root, today=date(2025, 1, 1), dry_run=True),
         "retention_preview", "observation", "root")
    assert _newest(s)["detail"]["dry_run"] is True


def test_the_audit_log_is_append_only_from_the_app():
    import inspect

    from mapapp.store import audit

    source = inspect.getsource(audit)
    assert "delete(" not in source.lower() and "update(" not in source.lower()
