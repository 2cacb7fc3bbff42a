"""The bundled district layers in data/geo/ (the committed files, not a fresh build)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from mapapp.analysis.zoning import assign
from mapapp.categories import MEASURE_STATUSES, PRIORITY_AREAS, SEED_ACTORS
from mapapp.crs import METRIC, WGS84, transformer

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "data" / "geo"
SHARED = ROOT / "tests" / "data" / "shared"
GEOJSON_FILES = ("stadsdelar", "district", "stockholm_stadsdelar", "zones", "sites", "water")
ZONE_NAMES = ["Liljeholmen", "Fruängen/Västertorp/Hägerstensåsen", "Älvsjö/Solberga", "Långbro",
              "Västberga", "Telefonplan"]
STADSDELAR = {"Liljeholmen", "Gröndal", "Hägerstensåsen", "Långbro", "Mälarhöjden", "Långsjö",
              "Aspudden", "Fruängen", "Liseberg", "Älvsjö", "Solberga", "Västertorp", "Örby slott",
              "Herrängen", "Midsommarkransen", "Hägersten", "Västberga"}
# Places named in the minutes 2023-04-21 and the zone the minutes tie each one to.
NAMED_IN_MINUTES = {
    "Solberga hagväg 5": "Älvsjö/Solberga", "Subway Älvsjö": "Älvsjö/Solberga",
    "Medborgarkontoret Älvsjö": "Älvsjö/Solberga", "Älvsjö resecentrum": "Älvsjö/Solberga",
    "Västberga gårdsväg": "Västberga", "Vretenborgsvägen": "Västberga",
    "Eventhuset/Loftet": "Västberga", "Johan Skyttes skola": "Långbro",
    "SHIS Bjällerkransen": "Fruängen/Västertorp/Hägerstensåsen",
}


@cache
def features(name: str) -> list[dict[str, Any]]:
    data = json.loads((GEO / f"{name}.geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    return list(data["features"])


def geoms(name: str) -> list[shapely.Geometry]:
    return [shape(f["geometry"]) for f in features(name)]


def props(name: str) -> list[dict[str, Any]]:
    return [f["properties"] for f in features(name)]


def metric(geom: shapely.Geometry) -> shapely.Geometry:
    tr = transformer(WGS84, METRIC)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def site(name: str) -> dict[str, Any]:
    """The one site whose name or alias is ``name``."""
    hits = [f for f in features("sites")
            if f["properties"]["name"] == name or name in f["properties"]["aliases"]]
    assert len(hits) == 1, f"{name!r}: {len(hits)} sites"
    return hits[0]


def zone(name: str) -> shapely.Geometry:
    return geoms("zones")[ZONE_NAMES.index(name)]


@pytest.mark.parametrize("name", GEOJSON_FILES)
def test_files_are_wgs84_geojson_with_valid_geometries_and_6_decimals(name: str) -> None:
    gdf = gpd.read_file(GEO / f"{name}.geojson")
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    text = (GEO / f"{name}.geojson").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{7,}", text), "coordinates must be rounded to 6 decimals"
    lon, lat = shapely.get_coordinates(gdf.geometry.values).T
    assert (lon > 17.7).all() and (lon < 18.3).all() and (lat > 59.2).all() and (lat < 59.45).all()


def test_the_17_stadsdelar_of_the_district() -> None:
    assert len(features("stadsdelar")) == 17
    assert {p["name"] for p in props("stadsdelar")} == STADSDELAR
    assert {p["stadsdelsomrade"] for p in props("stadsdelar")} == {"Hägersten-Älvsjö"}


def test_district_is_the_union_of_the_stadsdelar() -> None:
    assert [p["name"] for p in props("district")] == ["Hägersten-Älvsjö"]
    district = metric(geoms("district")[0])
    parts = [metric(g) for g in geoms("stadsdelar")]
    assert district.area == pytest.approx(sum(g.area for g in parts), rel=1e-4)
    assert shapely.union_all(parts).symmetric_difference(district).area < 50  # m², of ~25 km²


def test_stockholm_stadsdelar_have_readable_names_and_hold_the_district() -> None:
    names = [p["name"] for p in props("stockholm_stadsdelar")]
    assert len(names) == 117 == len(set(names))
    assert not [n for n in names if n.isupper()], "names must not be in upper case"
    assert {"Bagarmossen", "Bredäng", "Bromma kyrka", "Norra Djurgården"} <= set(names)
    assert set(names) >= STADSDELAR


def test_zones_by_name_kind_and_order() -> None:
    assert [p["name"] for p in props("zones")] == ZONE_NAMES
    assert [p["kind"] for p in props("zones")] == ["platssamverkan"] * 3 + ["fokusplats"] * 3
    for p in props("zones"):
        assert p["stadsdelar"] and set(p["stadsdelar"]) <= STADSDELAR
        assert p["drawn"].strip()


def test_zones_do_not_overlap_and_lie_in_the_district() -> None:
    zones = [metric(g) for g in geoms("zones")]
    for (i, a), (j, b) in combinations(enumerate(zones), 2):
        assert a.intersection(b).area < 0.01, f"{ZONE_NAMES[i]} overlaps {ZONE_NAMES[j]}"
    district = metric(geoms("district")[0])
    for name, z in zip(ZONE_NAMES, zones, strict=True):  # rounding moves borders < 0.1 m
        assert z.difference(district).area < 5, name


def test_zones_are_made_of_their_stadsdelar() -> None:
    sd = dict(zip([p["name"] for p in props("stadsdelar")], geoms("stadsdelar"), strict=True))
    for p, g in zip(props("zones")[:5], geoms("zones")[:5], strict=True):
        union = metric(shapely.union_all([sd[n] for n in p["stadsdelar"]]))
        assert metric(g).symmetric_difference(union).area < 5, p["name"]


def test_telefonplan_zone_is_450_m_around_the_station_within_midsommarkransen() -> None:
    station = metric(shape(site("Telefonplan T-bana")["geometry"]))
    tele = metric(zone("Telefonplan"))
    assert tele.contains(station)
    assert tele.hausdorff_distance(station) <= 451
    midsommarkransen = metric(geoms("stadsdelar")[
        [p["name"] for p in props("stadsdelar")].index("Midsommarkransen")])
    assert tele.difference(midsommarkransen).area < 1
    # Cut by the stadsdel border: clearly smaller than the full 450 m circle.
    assert 0.2 * station.buffer(450).area < tele.area < 0.95 * station.buffer(450).area


def test_site_kinds_and_counts() -> None:
    kinds = [p["kind"] for p in props("sites")]
    assert set(kinds) <= {"school", "preschool", "station", "playground", "centre", "address"}
    assert kinds.count("school") + kinds.count("preschool") > 100
    assert kinds.count("station") >= 10
    assert kinds.count("playground") > 100
    assert sorted(p["name"] for p in props("sites") if p["kind"] == "centre") == [
        "Fruängen centrum", "Liljeholmens centrum", "Älvsjö centrum"]


def test_site_ids_and_sources() -> None:
    ps = props("sites")
    ids = [p["external_id"] for p in ps]
    assert len(ids) == len(set(ids))
    assert len({p["name"] for p in ps}) == len(ps), "site names are unique"
    for p in ps:
        assert p["source"] in {"skolor", "gtfs", "osm", "protokoll"}
        assert p["external_id"].startswith(p["source"] + ":")
        assert isinstance(p["aliases"], list)
    assert site("Telefonplan T-bana")["properties"]["external_id"] == "gtfs:740021716"


def test_sites_lie_in_the_district() -> None:
    district = metric(geoms("district")[0]).buffer(1.0)
    outside = [p["name"] for p, g in zip(props("sites"), geoms("sites"), strict=True)
               if not district.intersects(metric(g))]
    assert outside == []


def test_bus_stops_are_not_sites() -> None:
    stations = [p for p in props("sites") if p["kind"] == "station"]
    assert {p["detail"] for p in stations} <= {"tunnelbana", "pendeltåg/tåg", "spårväg"}
    # "Västberga gårdsväg" is a bus stop in GTFS: it is a site only as the address in the minutes.
    assert site("Västberga gårdsväg")["properties"]["kind"] == "address"


@pytest.mark.parametrize(("name", "zone_name"), sorted(NAMED_IN_MINUTES.items()))
def test_places_named_in_the_minutes_lie_in_their_zone(name: str, zone_name: str) -> None:
    f = site(name)
    assert zone(zone_name).intersects(shape(f["geometry"]))
    others = [z for z in ZONE_NAMES if z != zone_name]
    assert not any(zone(z).intersects(shape(f["geometry"])) for z in others)


def test_johan_skyttes_skola_and_alvsjo_resecentrum_are_the_existing_sites() -> None:
    assert site("Johan Skyttes skola")["properties"]["external_id"] == "skolor:13997"
    assert site("Johan Skyttes skola") is site("Johan Skytteskolan")
    assert site("Älvsjö resecentrum") is site("Älvsjö station")
    assert site("Älvsjö station")["properties"]["kind"] == "station"


def _stadsdel_of(point: shapely.Point) -> str | None:
    polys = geoms("stadsdelar")
    i = int(assign(np.array([point.x]), np.array([point.y]), polys)[0])
    return None if i < 0 else props("stadsdelar")[i]["name"]


@pytest.mark.parametrize(("name", "expected"), [
    ("Johan Skytteskolan", "Långbro"),
    ("Älvsjö station", "Älvsjö"),
    ("Liljeholmen T-bana", "Liljeholmen"),
    ("Telefonplan T-bana", "Midsommarkransen"),
])
def test_points_fall_in_the_right_stadsdel(name: str, expected: str) -> None:
    f = site(name)
    assert _stadsdel_of(shape(f["geometry"])) == expected == f["properties"]["stadsdel"]


def test_bredang_is_outside_the_district() -> None:
    names = [p["name"] for p in props("stockholm_stadsdelar")]
    bredang = geoms("stockholm_stadsdelar")[names.index("Bredäng")]
    assert _stadsdel_of(bredang.representative_point()) is None
    assert not any(f["properties"]["name"].startswith("Bredäng") for f in features("sites"))


@cache
def content() -> list[dict[str, Any]]:
    return list(json.loads((GEO / "zones_content.json").read_text(encoding="utf-8")))


def _iso_or_none(value: str | None) -> bool:
    return value is None or dt.date.fromisoformat(value).isoformat() == value


def test_water_keeps_the_source_area_and_covers_the_lakes() -> None:
    """The simplified water of the basemap has the source's area within 1 % (computed here from
    the source file independently) and covers Långsjön and Mälaren at Gröndal."""
    src = gpd.read_file(SHARED / "data" / "geo"
                        / "stockholm_stad_vatten_hagersten_alvsjo_bbox_wgs84.geojson")
    want = float(src.to_crs(METRIC).area.sum())
    got = sum(metric(g).area for g in geoms("water"))
    assert want > 5e6  # 6.0 km² by the provenance notes
    assert abs(got - want) / want < 0.01, (got, want)
    assert {p["kind"] for p in props("water")} == {"vatten"}
    water = shapely.union_all(geoms("water"))
    assert water.contains(shapely.Point(17.9664, 59.2686))  # Långsjön
    assert water.contains(shapely.Point(17.9756, 59.3142))  # Mälaren (Mälarhöjden)
    assert not water.contains(shapely.Point(17.9886, 59.2903))  # land in the district


def test_zones_content_matches_the_zones_and_the_categories() -> None:
    assert [z["name"] for z in content()] == ZONE_NAMES
    site_names = {p["name"] for p in props("sites")}  # the store links measures by exact name
    for z in content():
        assert z["lagesbild"].strip() and z["actors"] and z["goals"] and z["measures"]
        assert set(z["priority_areas"]) <= set(PRIORITY_AREAS), z["name"]
        assert z["population"] is None
        assert z["lagesbild_revised"] == z["plan_revised"] == "2023-04-21"
        assert z["priorities_reviewed"] == "2019-10-01"
        for m in z["measures"]:
            assert m["priority_area"] in PRIORITY_AREAS, m["title"]
            assert m["actor"] in SEED_ACTORS, m["title"]
            assert m["status"] in MEASURE_STATUSES, m["title"]
            assert _iso_or_none(m["start"]) and _iso_or_none(m["due"]), m["title"]
            assert m["site"] is None or m["site"] in site_names, m["title"]


def _measure_text(zone_name: str) -> str:
    z = content()[ZONE_NAMES.index(zone_name)]
    return " ".join(f"{m['title']} {m['description']}" for m in z["measures"])


@pytest.mark.parametrize(("zone_name", "phrases"), [
    ("Liljeholmen", ["missbrukare/hemlösa", "skolor, företagare och Citycon", "sommaren"]),
    ("Fruängen/Västertorp/Hägerstensåsen", ["rörelsen bland ungdomar", "kvinnorna i Fruängen"]),
    ("Älvsjö/Solberga", ["Samverkan Fokus Älvsjö/Solberga", "bruttolista", "Medborgarkontoret",
                         "sommaren"]),
    ("Långbro", ["Johan Skyttes skola", "lägesbilden"]),
    ("Västberga", ["Västberga gårdsväg", "Eventhuset/Loftet", "lägesbilden"]),
    ("Telefonplan", ["Samverkan Telefonplan"]),
])
def test_measures_named_in_the_minutes_are_there(zone_name: str, phrases: list[str]) -> None:
    text = _measure_text(zone_name)
    for phrase in phrases:
        assert phrase in text, f"{zone_name}: {phrase!r}"


def test_alvsjo_goal_and_ongoing_work_dates() -> None:
    alvsjo = content()[ZONE_NAMES.index("Älvsjö/Solberga")]
    assert "Älvsjö/Solberga ska inte definieras som utsatt område 2025" in alvsjo["goals"]
    fokus = next(m for m in alvsjo["measures"] if "Fokus" in m["title"])
    assert (fokus["status"], fokus["start"]) == ("pagaende", "2023-04-21")


MINUTES = SHARED / "seed" / "lokala-bra-protokoll-2023-04-21.txt"


@pytest.mark.skipif(not MINUTES.exists(), reason="the minutes are not available")
def test_zones_content_names_no_persons() -> None:
    text = MINUTES.read_text(encoding="utf-8")
    present = text.split("Närvarande:")[1].split("Tidpunkt:")[0]
    surnames = {line.split("\t")[0].split()[-1] for line in present.splitlines() if "\t" in line}
    assert len(surnames) >= 8
    dumped = json.dumps(content(), ensure_ascii=False)
    assert [s for s in surnames if s in dumped] == []


SCRIPT = ROOT / "tools" / "build_geodata.py"


@pytest.mark.skipif(not (SHARED / "data" / "geo").is_dir(), reason="shared data not available")
def test_rebuild_gives_the_committed_files(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--shared", str(SHARED / "data"),
                          "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "VARNING" not in run.stderr
    for name in GEOJSON_FILES:
        built = (tmp_path / f"{name}.geojson").read_bytes()
        assert built == (GEO / f"{name}.geojson").read_bytes(), name


def test_script_help_and_bad_source_dir(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0 and "--shared" in run.stdout
    run = subprocess.run([sys.executable, str(SCRIPT), "--shared", str(tmp_path / "nope"),
                          "--out", str(tmp_path / "out")], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert run.returncode != 0 and "--shared" in run.stderr
    assert not (tmp_path / "out").exists()
