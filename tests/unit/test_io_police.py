"""Police events: placed only from place names of the district, never from location.gps."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.io.police import (
    TYPE_CATEGORY,
    Gazetteer,
    event_time,
    from_events,
    load_streets,
    municipality,
)
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = SHARED / "fixtures" / "polisen_api_events_snapshot_2026-08-22.json"


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.from_files(ROOT / "data" / "geo")


@pytest.fixture(scope="module")
def events():
    return json.loads(FIXTURE.read_text("utf-8"))


def _gps(e):
    lat, lon = (float(v) for v in e["location"]["gps"].split(","))
    return lon, lat


def test_the_real_response_places_only_named_district_places(gaz, events):
    inp, counts = from_events(events, gaz)
    assert counts["total"] == 500
    assert counts["placed"] + counts["unplaced"] + counts["other"] == 500
    extra = inp.extra
    placed = extra["precision"] == "place-name"
    assert placed.sum() == counts["placed"] >= 1
    # every placed event names its place in its text, at the gazetteer's position
    for i in np.flatnonzero(placed.to_numpy()):
        name = inp.frame["place_name"].iloc[i]
        ev = events[int(inp.rows[i]) - 1]
        assert name in ev["name"] + " " + ev["summary"]
        p = gaz.places[name]
        assert (extra["lon"].iloc[i], extra["lat"].iloc[i]) == (p.lon, p.lat)
    # nothing sits at any location.gps centroid
    centroids = {_gps(e) for e in events}
    got = set(zip(extra["lon"][placed], extra["lat"][placed], strict=True))
    assert not got & centroids
    # the unplaced have no position at all
    assert extra.loc[~placed, ["lon", "lat"]].isna().all().all()


def test_aspudden_event_is_placed_at_aspudden_inside_the_district(gaz, events):
    inp, _ = from_events(events, gaz)
    ids = inp.frame["id"].tolist()
    i = ids.index("649803")  # "… källarförråd i Aspudden", 18 augusti
    assert inp.frame["place_name"].iloc[i] == "Aspudden"
    sd = gpd.read_file(ROOT / "data" / "geo" / "stadsdelar.geojson")
    aspudden = sd[sd["name"] == "Aspudden"].geometry.iloc[0]
    assert aspudden.contains(shapely.Point(inp.extra["lon"].iloc[i], inp.extra["lat"].iloc[i]))
    assert inp.frame["category"].iloc[i] == "inbrott"


def test_other_municipalities_are_skipped_and_stockholm_kept(gaz, events):
    inp, counts = from_events(events, gaz)
    munis = {municipality(events[int(r) - 1]["name"]) for r in inp.rows}
    assert munis <= {"Stockholm", "Stockholms län"}
    stockholm = sum(municipality(e["name"]) == "Stockholm" for e in events)
    assert len(inp.frame) >= stockholm  # every Stockholm event is kept, placed or not
    assert counts["other"] == 500 - len(inp.frame)


def test_location_name_can_be_the_county(events):
    e = next(e for e in events if e["id"] == 650271)
    assert e["location"]["name"] == "Stockholms län"
    assert municipality(e["name"]) == "Stockholm"


def test_event_time_from_the_name_and_the_unpadded_datetime():
    pub = pd.Timestamp("2026-08-22 7:40:03 +02:00").tz_convert("UTC")
    assert event_time("20 augusti 07.39, Trafikolycka, Södertälje", pub) == \
        pd.Timestamp("2026-08-20 05:39", tz="UTC")
    assert event_time("Sammanfattning", pub) == pub
    # an event of 31 December published on 1 January belongs to the year before
    jan = pd.Timestamp("2027-01-01 08:00 +01:00").tz_convert("UTC")
    assert event_time("31 december 23.10, Brand, Stockholm", jan).year == 2026


def test_gazetteer_word_boundaries_rank_and_ambiguity(gaz):
    assert gaz.find("Hägersten-Älvsjö stadsdelsområde") is None  # the district is no place
    assert gaz.find("Bråk i Hägerstensåsen").name == "Hägerstensåsen"
    assert gaz.find("vid Aspuddens skola i Aspudden").kind == "school"  # site beats stadsdel
    assert gaz.find("på Hägerstensvägen").kind == "street"
    assert gaz.find("mellan Fruängen och Västertorp") is None  # two places: unplaced
    assert gaz.find("Telefonplan").kind == "station"
    assert gaz.find("Liseberg i Göteborg").name == "Liseberg"  # the text alone matches …


def test_liseberg_of_gothenburg_is_not_placed(gaz):
    """… but only events of Stockholm are placed."""
    ev = [{"id": 1, "datetime": "2026-08-22 7:32:06 +02:00", "type": "Bråk",
           "name": "22 augusti 07.00, Bråk, Göteborg", "summary": "Bråk vid Liseberg.",
           "location": {"name": "Västra Götalands län", "gps": "57.7,11.9"}}]
    inp, counts = from_events(ev, gaz)
    assert counts == {"total": 1, "stockholm": 0, "placed": 0, "unplaced": 0, "other": 1}
    assert len(inp.frame) == 0


def test_type_mapping_never_produces_a_sensitive_category():
    from mapapp.categories import SENSITIVE_CODES

    assert not set(TYPE_CATEGORY.values()) & SENSITIVE_CODES
    assert TYPE_CATEGORY["Narkotikabrott"] == "narkotikabrott"
    assert "Misshandel" not in TYPE_CATEGORY


def test_bundled_street_gazetteer_lies_in_the_district():
    streets = load_streets(ROOT / "data" / "geo")
    d = gpd.read_file(ROOT / "data" / "geo" / "district.geojson").geometry.iloc[0]
    assert len(streets) > 100
    assert all(d.intersects(shapely.Point(s["lon"], s["lat"])) for s in streets)


def test_missing_fields_are_problems(gaz):
    ev = [{"id": 5, "datetime": "", "type": "Stöld", "name": "1 maj 10.00, Stöld, Stockholm",
           "summary": "", "location": {"name": "Stockholm", "gps": "59.3,18.0"}}]
    inp, _ = from_events(ev, gaz)
    assert [m.text("sv") for _, f, m in inp.pre_problems] == [
        "händelse 1 (id 5): fältet datetime saknas eller är tomt."]
    assert [m.text("en") for _, f, m in inp.pre_problems] == [
        "event 1 (id 5): the field datetime is missing or empty."]
