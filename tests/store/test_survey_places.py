"""Where a survey problem was seen (issue 19), on SQLite and PostGIS: a tap is stored snapped
to the centre of its 100 m cell of SWEREF 99 TM (computed here with pyproj on its own), a
site chosen from the list is stored as that site, a place of a problem answered "Inget" is
not kept, a place far outside the zone is refused with nothing written, an edit replaces the
places, and only the council's roles read them (without free text). Migration 0005 adds and
removes the columns (and PostGIS's geom)."""

from __future__ import annotations

import math
import warnings
from datetime import date, timedelta

import pytest
import shapely
import sqlalchemy as sa
from alembic import command
from pyproj import Transformer
from sqlalchemy import select, text

from mapapp.council import survey as sv
from mapapp.council.survey_places import load_places, marked_places
from mapapp.errors import DataValidationError, PermissionDeniedError
from mapapp.settings import load_settings
from mapapp.store.district import sites_frame, zones_frame
from mapapp.store.models import SurveyAnswer
from mapapp.store.schema import alembic_config, migrate
from tests.conftest import COORDINATOR, READER

SETTINGS = load_settings({}, secret_key="test-secret-key-19p")
ROWS = [{"organisation": "Citycon", "role": "Centrumledning", "email": "c@citycon.example"},
        {"organisation": "SHIS", "role": "Förvaltare", "email": "f@shis.example"}]
TO_M = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
TO_DEG = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)


def _survey(store) -> tuple[int, list[str]]:
    sid = sv.create_survey(store, COORDINATOR, title="Maj", month="2023-05",
                           closes=date.today() + timedelta(days=10))
    sv.add_recipients(store, COORDINATOR, sid, ROWS, settings=SETTINGS)
    return sid, [g["link"].split("?enkat=", 1)[1]
                 for g in sv.links(store, COORDINATOR, sid, settings=SETTINGS)]


def _cell_centre(lon: float, lat: float) -> tuple[float, float]:
    x, y = TO_M.transform(lon, lat)
    return TO_DEG.transform(math.floor(x / 100) * 100 + 50, math.floor(y / 100) * 100 + 50)


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = TO_M.transform(*a)
    bx, by = TO_M.transform(*b)
    return math.hypot(ax - bx, ay - by)


def test_places_are_snapped_or_sites_and_read_only_by_council_roles(store):
    sid, tokens = _survey(store)
    zones = zones_frame(store)
    lilj = zones[zones["name"] == "Liljeholmen"].iloc[0]
    zid = int(lilj["id"])
    inside = lilj.geometry.representative_point()
    tap = (inside.x + 0.000123, inside.y + 0.000071)
    sites = sites_frame(store)
    site = sites[sites["zone_id"] == zid].iloc[0]
    answers = {(zid, "narkotikahandel"): 2, (zid, "otrygghet"): 1, (zid, "samlingar"): 0}
    places = {(zid, "narkotikahandel"): {"lon": tap[0], "lat": tap[1]},
              (zid, "otrygghet"): {"site_id": int(site["id"])},
              (zid, "samlingar"): {"lon": tap[0], "lat": tap[1]}}  # "Inget": not kept
    assert sv.save_answer(store, tokens[0], answers, "Mörkt vid bron", places=places) is True

    rec = sv.resolve_token(store, tokens[0])
    got = load_places(store, rec.recipient_id)
    assert set(got) == {(zid, "narkotikahandel"), (zid, "otrygghet")}
    cell = got[(zid, "narkotikahandel")]
    want = _cell_centre(*tap)
    assert cell.site_id is None
    assert _metres((cell.lon, cell.lat), want) < 0.2  # the cell's centre, not the tap
    assert _metres((cell.lon, cell.lat), tap) > 0.5 and _metres((cell.lon, cell.lat), tap) < 71
    at_site = got[(zid, "otrygghet")]
    assert (at_site.site_id, at_site.lon, at_site.lat) == (int(site["id"]), float(site["lon"]),
                                                          float(site["lat"]))
    if store.dialect.name == "postgresql":  # the generated PostGIS point follows lon/lat
        with store.connect() as conn:
            pts = conn.execute(text(
                "SELECT ST_X(geom), ST_Y(geom), lon, lat FROM survey_answers "
                "WHERE geom IS NOT NULL")).all()
            n_null = conn.execute(text(
                "SELECT count(*) FROM survey_answers WHERE geom IS NULL")).scalar_one()
        assert len(pts) == 2 and n_null == 1
        assert all(abs(x - lo) < 1e-9 and abs(y - la) < 1e-9 for x, y, lo, la in pts)

    # a second recipient marks the same cell from another tap in it; a third place elsewhere
    near = TO_DEG.transform(*(c + 10 for c in TO_M.transform(*want)))
    sv.save_answer(store, tokens[1], {(zid, "narkotikahandel"): 1},
                   places={(zid, "narkotikahandel"): {"lon": near[0], "lat": near[1]}})
    marked = marked_places(store, COORDINATOR, sid)
    assert marked[0]["marked"] == 2 and marked[0]["problem"] == "narkotikahandel"
    assert marked[0]["site"] is None and _metres((marked[0]["lon"], marked[0]["lat"]), want) < 0.2
    assert {(m["problem"], m["site"], m["marked"]) for m in marked[1:]} == {
        ("otrygghet", str(site["name"]), 1)}
    assert all("Mörkt" not in str(v) for m in marked for v in m.values())  # no free text
    with pytest.raises(PermissionDeniedError):
        marked_places(store, READER, sid)

    # an edit replaces the places; a place far outside the zone is refused, nothing written
    far = TO_DEG.transform(*(c + 5000 for c in TO_M.transform(inside.x, inside.y)))
    assert lilj.geometry.distance(shapely.Point(far)) > 0.02  # about 1+ km out
    with pytest.raises(DataValidationError) as e:
        sv.save_answer(store, tokens[0], {(zid, "narkotikahandel"): 2},
                       places={(zid, "narkotikahandel"): {"lon": far[0], "lat": far[1]}})
    assert e.value.problems[0].key == "survey.place_outside"
    assert set(load_places(store, rec.recipient_id)) == {(zid, "narkotikahandel"),
                                                          (zid, "otrygghet")}
    with pytest.raises(DataValidationError) as e:
        sv.save_answer(store, tokens[0], {(zid, "otrygghet"): 2},
                       places={(zid, "otrygghet"): {"site_id": 10 ** 7}})
    assert e.value.problems[0].key == "survey.place_bad_site"
    assert sv.save_answer(store, tokens[0], {(zid, "narkotikahandel"): 2}) is False
    assert load_places(store, rec.recipient_id) == {}
    # the results per zone do not change with places
    res = {(r["problem"], r["reported"], r["answered"]) for r in sv.results(store, READER, sid)}
    assert res == {("narkotikahandel", 2, 2)}


def _columns(store) -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        return {c["name"] for c in sa.inspect(store).get_columns("survey_answers")}


def test_0005_adds_and_removes_the_place_columns(store):
    cfg = alembic_config()
    with store.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    cols = _columns(store)
    assert not cols & {"lon", "lat", "site_id", "geom"}
    migrate(store)
    migrate(store)  # again: nothing to do
    cols = _columns(store)
    assert {"lon", "lat", "site_id"} <= cols
    assert ("geom" in cols) == (store.dialect.name == "postgresql")
    # the columns work after the upgrade
    sid, tokens = _survey(store)
    zid = sv.zones(store)[0][0]
    inside = zones_frame(store).geometry.iloc[0].representative_point()
    sv.save_answer(store, tokens[0], {(zid, "skadegorelse"): 1},
                   places={(zid, "skadegorelse"): {"lon": inside.x, "lat": inside.y}})
    with store.connect() as conn:
        lon, lat = conn.execute(select(SurveyAnswer.lon, SurveyAnswer.lat)).one()
    assert _metres((lon, lat), _cell_centre(inside.x, inside.y)) < 0.2
