"""The Police events API response and ODK/KoBo exports into the store (both backends)."""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image
from sqlalchemy import func, select

from mapapp.errors import DataValidationError
from mapapp.io.pipeline import import_file
from mapapp.io.report import ImportOptions
from mapapp.photos import has_metadata
from mapapp.store.models import Incident, Observation, Walk
from mapapp.store.points import load_points
from tests.conftest import ADMIN, COORDINATOR, POLICE, SHARED

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
FIXTURE = SHARED / "fixtures" / "polisen_api_events_snapshot_2026-08-22.json"
NOW = datetime(2026, 8, 23, tzinfo=UTC)


def _n(engine, model, **where) -> int:
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    with engine.connect() as c:
        return int(c.execute(q).scalar_one())


def test_police_events_are_placed_only_from_place_names(store):
    events = json.loads(FIXTURE.read_text("utf-8"))
    rep = import_file(store, POLICE, FIXTURE, "incidents", options=ImportOptions(now=NOW))
    stockholm = sum(e["name"].rsplit(",", 1)[-1].strip() == "Stockholm" for e in events)
    assert rep.written >= stockholm and rep.skipped == 500 - rep.written
    with store.connect() as c:
        rows = c.execute(select(Incident.external_id, Incident.lon, Incident.lat,
                                Incident.precision, Incident.place_name, Incident.stadsdel_id)
                         .where(Incident.source == "polisen")).all()
    by_id = {str(e["id"]): e for e in events}
    centroids = {tuple(reversed([float(v) for v in e["location"]["gps"].split(",")]))
                 for e in events}
    placed = [r for r in rows if r.lon is not None]
    unplaced = [r for r in rows if r.lon is None]
    assert len(placed) >= 1 and len(unplaced) == rep.unplaced
    for r in placed:
        assert r.precision == "place-name"
        e = by_id[r.external_id]
        assert r.place_name in e["name"] + " " + e["summary"]
        assert (r.lon, r.lat) not in centroids
        assert r.stadsdel_id is not None  # placed inside the district
    assert all(r.precision == "unplaced" and r.lat is None for r in unplaced)
    # the points a reader sees never include the unplaced ones as positions
    pts = load_points(store, ADMIN, "incident")
    pts = pts[pts["source"] == "polisen"]
    assert pts["lon"].notna().sum() == len(placed)


def test_a_newer_response_adds_only_the_new_events(store, tmp_path):
    events = json.loads(FIXTURE.read_text("utf-8"))
    first = import_file(store, POLICE, FIXTURE, "incidents", options=ImportOptions(now=NOW))
    again = import_file(store, POLICE, FIXTURE, "incidents", options=ImportOptions(now=NOW))
    assert again.written == 0 and again.duplicates == first.written
    newer = [
        {"id": 650400, "datetime": "2026-08-23 9:05:10 +02:00",
         "name": "23 augusti 08.40, Skadegörelse, Stockholm",
         "summary": "Klotter på en busskur på Hägerstensvägen.", "url": "/x", "type":
         "Skadegörelse", "location": {"name": "Stockholms län", "gps": "59.602496,18.138438"}},
        {"id": 650401, "datetime": "2026-08-23 9:15:00 +02:00",
         "name": "23 augusti 09.00, Brand, Uppsala", "summary": "Brand i Uppsala.", "url": "/y",
         "type": "Brand", "location": {"name": "Uppsala län", "gps": "59.85,17.64"}},
    ] + events[:-2]  # the API keeps the latest 500: the oldest fall out
    p = tmp_path / "newer.json"
    p.write_text(json.dumps(newer, ensure_ascii=False), "utf-8")
    rep = import_file(store, POLICE, p, "incidents",
                      options=ImportOptions(now=datetime(2026, 8, 24, tzinfo=UTC)))
    assert rep.written == 1 and rep.per_category == {"skadegorelse": 1}
    with store.connect() as c:
        r = c.execute(select(Incident.place_name, Incident.precision, Incident.occurred_at)
                      .where(Incident.external_id == "650400")).one()
    assert (r.place_name, r.precision) == ("Hägerstensvägen", "place-name")
    assert r.occurred_at == datetime(2026, 8, 23, 6, 40, tzinfo=UTC)  # 08.40 local


def test_odk_central_export_with_its_walk_ratings_and_accuracy(store):
    path = EXAMPLES / "trygghetsvandring_odk_central.csv"
    rep = import_file(store, COORDINATOR, path, "observations", options=ImportOptions())
    assert rep.written == 5 and rep.source == "odk"
    assert any("Vandring Telefonplan april 2023" in m.text("sv") for m in rep.messages)
    with store.connect() as c:
        obs = c.execute(select(Observation.external_id, Observation.ratings,
                               Observation.accuracy_m, Observation.walk_id,
                               Observation.precision, Observation.description,
                               Observation.created_by)
                        .where(Observation.source == "odk").order_by(Observation.id)).all()
        walk = c.execute(select(Walk.id, Walk.title, Walk.zone_id, Walk.status)).all()
    assert len(walk) == 1 and walk[0].title == "Vandring Telefonplan april 2023"
    assert walk[0].zone_id is not None and walk[0].status == "genomford"
    assert {o.walk_id for o in obs} == {walk[0].id}
    assert obs[0].ratings == {"belysning": 0, "oppenhet": 1, "synlighet": 1, "folkliv": 2,
                              "trygghetskansla": 1}
    assert [o.accuracy_m for o in obs] == [4.5, 5.5, 6.5, 7.5, 8.5]
    assert obs[0].precision == "gps" and obs[0].external_id.startswith("uuid:")
    assert "[foto: 1681838000.jpg]" in obs[0].description  # the image was not there
    again = import_file(store, COORDINATOR, path, "observations", options=ImportOptions())
    assert again.written == 0
    with store.connect() as c:
        assert c.execute(select(func.count()).select_from(Walk)).scalar_one() == 1


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Kamera AB"  # Make
    exif.get_ifd(0x8825)[2] = (59.0, 18.0, 0.0)  # GPSLatitude
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_kobo_export_photos_beside_it_are_stored_without_metadata(store, tmp_path):
    src = EXAMPLES / "trygghetsvandring_kobo.csv"
    path = tmp_path / src.name
    shutil.copy(src, path)
    (tmp_path / "media").mkdir()
    raw = _jpeg_with_gps()
    assert has_metadata(raw)
    (tmp_path / "media" / "1681838000.jpg").write_bytes(raw)
    rep = import_file(store, COORDINATOR, path, "observations", options=ImportOptions())
    assert rep.written == 5
    with store.connect() as c:
        photos = c.execute(select(Observation.photo, Observation.photo_mime, Observation.description)
                           .where(Observation.source == "odk")
                           .order_by(Observation.id)).all()
    assert photos[0].photo is not None and photos[0].photo_mime == "image/jpeg"
    assert has_metadata(photos[0].photo) == []
    assert "[foto:" not in (photos[0].description or "")
    assert photos[1].photo is None  # no photo taken
    assert "[foto: 1681838004.jpg]" in photos[4].description  # named but not beside the file


def test_a_note_with_a_personnummer_refuses_the_export(store, tmp_path):
    text = (EXAMPLES / "trygghetsvandring_odk_central.csv").read_text("utf-8")
    text = text.replace("Exempel: buskar vid gångvägen", "Ring 811218-9876 om buskarna")
    p = tmp_path / "export.csv"
    p.write_text(text, "utf-8")
    before = _n(store, Observation)
    with pytest.raises(DataValidationError) as exc:
        import_file(store, COORDINATOR, p, "observations", options=ImportOptions())
    assert exc.value.problems[0].row == 3 and exc.value.problems[0].field == "description"
    assert _n(store, Observation) == before


def test_police_placed_events_zone_equals_an_independent_count(store):
    import_file(store, POLICE, FIXTURE, "incidents", options=ImportOptions(now=NOW))
    pts = load_points(store, POLICE, "incident")
    pts = pts[pts["lon"].notna()]
    sds = gpd.read_file(ROOT / "data" / "geo" / "stadsdelar.geojson")
    expected = [next(n for n, g in zip(sds["name"], sds.geometry, strict=True)
                     if g.covers(shapely.Point(x, y)))
                for x, y in zip(pts["lon"], pts["lat"], strict=True)]
    assert list(pts["stadsdel"]) == expected
    assert np.isfinite(pts["lon"]).all()
