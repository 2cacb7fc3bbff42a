"""The foundation on both backends: init, district data, point writes and reads, roles,
export. (The `store` fixture runs each test on SQLite and on PostgreSQL+PostGIS.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from sqlalchemy import func, select

from mapapp.cli import main
from mapapp.errors import StoreError
from mapapp.store import init_store
from mapapp.store.district import sites_frame, stadsdelar_frame, zones_frame
from mapapp.store.models import Base, Incident, Observation
from mapapp.store.points import PointFilter, insert_points, load_points
from tests.conftest import ADMIN, POLICE, READER, SHARED, WALKER

ZONES = ["Liljeholmen", "Fruängen/Västertorp/Hägerstensåsen", "Älvsjö/Solberga", "Långbro",
         "Västberga", "Telefonplan"]


def _real_places() -> dict[str, tuple[float, float]]:
    """Real coordinates from the shared district data."""
    geo = SHARED / "geo"
    schools = json.loads((geo / "skolor_forskolor_hagersten_alvsjo_bromma_stockholm_stad_wgs84"
                          ".geojson").read_text("utf-8"))
    stops = json.loads((geo / "gtfs_sverige2_stops_hagersten_alvsjo_2022_wgs84.geojson")
                       .read_text("utf-8"))
    city = gpd.read_file(geo / "stockholm_stadsdelar_117_land_only_simplified_wgs84.geojson")
    out = {}
    for f in schools["features"]:
        if f["properties"]["namn"].startswith("Johan Skytteskolan"):
            out["Johan Skytteskolan"] = tuple(f["geometry"]["coordinates"])
    for f in stops["features"]:
        name = f["properties"]["stop_name"]
        if name in ("Älvsjö station", "Liljeholmen T-bana", "Telefonplan T-bana"):
            out[name] = tuple(f["geometry"]["coordinates"])
    bredang = city[city["name"].str.upper() == "BREDÄNG"].geometry.iloc[0]
    p = bredang.representative_point()
    out["Bredäng"] = (p.x, p.y)
    return out


def _frame(places: dict[str, tuple[float, float]], category: str = "stold") -> pd.DataFrame:
    names = list(places)
    return pd.DataFrame({
        "source": "test",
        "external_id": names,
        "category": category,
        "occurred_at": pd.Timestamp("2021-08-31 23:30", tz="Europe/Stockholm"),
        "lon": [places[n][0] for n in names],
        "lat": [places[n][1] for n in names],
        "description": names,
    })


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables if t.name != "audit_events"}


def test_district_is_loaded(store):
    assert stadsdelar_frame(store)["name"].nunique() == 17
    assert zones_frame(store)["name"].tolist() == ZONES
    sites = sites_frame(store)
    assert {"school", "preschool", "station", "playground", "centre"} <= set(sites["kind"])
    assert sites["zone"].notna().sum() > 0


def test_init_again_changes_nothing(store):
    before = _counts(store)
    added = init_store(store, ADMIN)
    assert set(added.values()) == {0}
    assert _counts(store) == before


def test_points_get_the_right_stadsdel_and_zone(store):
    places = _real_places()
    with store.begin() as conn:
        res = insert_points(conn, _frame(places), "incident")
    assert res.written == 5
    df = load_points(store, POLICE, "incident").set_index("external_id")
    assert df.loc["Johan Skytteskolan", "stadsdel"] == "Långbro"
    assert df.loc["Johan Skytteskolan", "zone"] == "Långbro"
    assert df.loc["Älvsjö station", "stadsdel"] == "Älvsjö"
    assert df.loc["Älvsjö station", "zone"] == "Älvsjö/Solberga"
    assert df.loc["Liljeholmen T-bana", "stadsdel"] == "Liljeholmen"
    assert df.loc["Telefonplan T-bana", "stadsdel"] == "Midsommarkransen"
    assert df.loc["Telefonplan T-bana", "zone"] == "Telefonplan"
    assert df.loc["Bredäng", "stadsdel"] is None
    assert df.loc["Bredäng", "zone"] is None


def test_time_keeps_its_instant(store):
    places = {"a": (18.0, 59.29)}
    frame = _frame(places)
    frame["occurred_at"] = [datetime(2021, 9, 1, 0, 10, tzinfo=timezone(timedelta(hours=2)))]
    with store.begin() as conn:
        insert_points(conn, frame, "incident")
    got = load_points(store, POLICE, "incident")["occurred_at"].iloc[0]
    assert got == pd.Timestamp("2021-08-31 22:10", tz=UTC)
    assert str(got.tz) == "UTC"
    with store.connect() as conn:  # the local day is kept for grouping in the database
        day = conn.execute(select(Incident.local_day)).scalar_one()
    assert str(day) == "2021-09-01"


def test_same_rows_again_are_stored_once(store):
    frame = _frame(_real_places())
    with store.begin() as conn:
        first = insert_points(conn, frame, "incident")
    with store.begin() as conn:
        second = insert_points(conn, frame, "incident")
    assert (first.written, second.written, second.duplicates) == (5, 0, 5)
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Incident)).scalar_one() == 5


def test_a_bad_row_fails_the_whole_write(store):
    frame = _frame(_real_places())
    frame.loc[2, "category"] = None  # NOT NULL: must fail loudly, never be skipped silently
    with pytest.raises(StoreError), store.begin() as conn:
        insert_points(conn, frame, "incident")
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Incident)).scalar_one() == 0


def test_sensitive_points_only_for_police(store):
    places = _real_places()
    frame = pd.concat([_frame(places, "vald_nara_relation"),
                       _frame(places, "stold").assign(external_id=lambda d: d.external_id + "-2")])
    with store.begin() as conn:
        insert_points(conn, frame, "incident")
    police = load_points(store, POLICE, "incident")
    reader = load_points(store, READER, "incident")
    sens_p = police[police["category"] == "vald_nara_relation"]
    sens_r = reader[reader["category"] == "vald_nara_relation"]
    assert sens_p["lon"].notna().all() and len(sens_p) == 5
    assert sens_r["lon"].isna().all() and sens_r["lat"].isna().all()
    assert (sens_r["precision"] == "redacted").all()
    # ... but they still count per zone
    assert sens_r["zone"].value_counts().to_dict() == sens_p["zone"].value_counts().to_dict()
    assert reader[reader["category"] == "stold"]["lon"].notna().all()


def test_walk_team_sees_its_own_observations(store):
    frame = pd.DataFrame({
        "source": "app", "external_id": ["o1", "o2"], "category": "belysning",
        "occurred_at": pd.Timestamp("2023-03-01 19:00", tz="Europe/Stockholm"),
        "lon": [18.01, 18.011], "lat": [59.28, 59.281], "team": ["lag-a", "lag-b"],
        "ratings": [{"belysning": 1}, None], "status": "ny",
    })
    with store.begin() as conn:
        insert_points(conn, frame, "observation")
    assert load_points(store, WALKER, "observation")["external_id"].tolist() == ["o1"]
    assert len(load_points(store, ADMIN, "observation")) == 2
    with store.connect() as conn:
        ratings = conn.execute(select(Observation.ratings).where(
            Observation.external_id == "o1")).scalar_one()
    assert ratings == {"belysning": 1}


def test_filters(store):
    with store.begin() as conn:
        insert_points(conn, _frame(_real_places()), "incident")
    zid = int(zones_frame(store).set_index("name").loc["Långbro", "id"])
    got = load_points(store, POLICE, "incident", PointFilter(zone_ids=[zid]))
    assert got["external_id"].tolist() == ["Johan Skytteskolan"]
    later = load_points(store, POLICE, "incident",
                        PointFilter(start=datetime(2021, 9, 1, tzinfo=UTC)))
    assert later.empty


def test_cli_init_twice_and_export(tmp_path: Path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert main(["init", "--db", db]) == 0
    assert main(["init", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "stadsdelar 0, zones 0, sites 0, actors 0, measures 0" in out
    assert main(["demo", "--db", db, "--incidents", "300", "--observations", "40"]) == 0
    target = tmp_path / "out.gpkg"
    assert main(["export", "--db", db, str(target)]) == 0
    layers = {name for name, _ in pyogrio.list_layers(target)}
    assert layers == {"zones", "stadsdelar", "sites", "incidents", "observations", "measures"}
    zones = gpd.read_file(target, layer="zones")
    assert zones["name"].tolist() == ZONES
    assert gpd.read_file(target, layer="stadsdelar")["name"].nunique() == 17
    inc = gpd.read_file(target, layer="incidents")
    assert {"id", "source", "category", "occurred_at", "description", "zone", "stadsdel"} <= set(
        inc.columns)
    assert len(inc) == 300 and (inc["source"] == "demo").all()
    assert inc["occurred_at"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$").all()
    assert inc.crs.to_epsg() == 4326
    # Zone names in the export agree with an independent point-in-polygon test.
    zone_geoms = dict(zip(zones["name"], zones.geometry, strict=True))
    for _, row in inc.head(60).iterrows():
        hits = [n for n, g in zone_geoms.items() if g.intersects(row.geometry)]
        assert (hits[0] if hits else None) == (row["zone"] if isinstance(row["zone"], str)
                                               else None)


def test_cli_demo_is_reproducible(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'd.db'}"
    main(["init", "--db", db])
    main(["demo", "--db", db, "--incidents", "200", "--observations", "0", "--seed", "7"])
    main(["demo", "--db", db, "--incidents", "200", "--observations", "0", "--seed", "7"])
    from mapapp.store.engine import make_engine

    eng = make_engine(db)
    df = load_points(eng, POLICE, "incident")
    eng.dispose()
    assert len(df) == 200
    assert df["occurred_at"].min() >= pd.Timestamp("2019-09-01", tz="Europe/Stockholm")
    assert df["occurred_at"].max() < pd.Timestamp("2023-09-01", tz="Europe/Stockholm")
    district = shapely.union_all(gpd.read_file(
        Path(__file__).resolve().parents[2] / "data/geo/stadsdelar.geojson").geometry)
    inside = shapely.contains_xy(district, df["lon"].to_numpy(), df["lat"].to_numpy())
    assert inside.mean() > 0.9 and np.isfinite(df["lon"]).all()
