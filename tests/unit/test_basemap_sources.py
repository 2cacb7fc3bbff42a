"""The city's own basemap (issue 17, part 2): ``MAPAPP_BASEMAP`` as a WMS or WMTS address, a
local MBTiles file served from the app's own origin (a small MBTiles built here from the bundled
layers), and ``mapapp basemap import`` of roads with street names from a real OpenStreetMap
extract (tests/data/shared, ODbL)."""

from __future__ import annotations

import io
import math
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image, ImageDraw

from mapapp.basemap import local_layers, parse_basemap
from mapapp.crs import METRIC, WGS84
from mapapp.errors import ConfigurationError, DataValidationError
from mapapp.io.basemap_import import (
    ROAD_CLASSES,
    read_vector_basemap,
    read_written,
    write_vector_basemap,
)
from mapapp.render import layer_specs
from mapapp.render.build import build_map
from mapapp.render.tiles import publish_mbtiles
from mapapp.settings import GEO_DIR, load_settings
from mapapp.snapshot import tile_source

OSM = Path(__file__).resolve().parents[1] / "data" / "shared" / "data" / "fixtures" \
    / "osm_extract_fruangen_centrum_2020.osm"
WATER = (169, 211, 234)
LAND = (241, 239, 233)


def _html(basemap: str, attribution: str = "") -> str:
    sd = gpd.read_file(GEO_DIR / "stadsdelar.geojson")
    m = build_map(layer_specs(), {"stadsdelar": sd.assign(tip=sd["name"])}, basemap=basemap,
                  attribution=attribution, bounds=tuple(sd.total_bounds), base_outlines=sd)
    return m.get_root().render()


def _urls(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", html))


# --- WMS and WMTS --------------------------------------------------------------------------------

def test_wms_address_is_drawn_by_leaflets_wms_layer():
    url = "https://gis.stad.example/geoserver/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=stadskarta"
    base = parse_basemap(url, "Stadskartan")
    assert (base.kind, base.url, base.layers) == ("wms", "https://gis.stad.example/geoserver/wms",
                                                  "stadskarta")
    assert parse_basemap("wms:https://gis.example/ows?layers=a,b").layers == "a,b"
    html = _html(url, "Stadskartan")
    assert "L.tileLayer.wms(" in html and '"layers": "stadskarta"' in html
    assert _urls(html) == {"https://gis.stad.example/geoserver/wms"}
    with pytest.raises(ConfigurationError, match="LAYERS"):
        load_settings({"MAPAPP_BASEMAP": "https://gis.example/wms?service=WMS"})


def test_wmts_addresses_become_tile_templates():
    rest = "https://gis.example/wmts/karta/3857/{TileMatrix}/{TileRow}/{TileCol}.png"
    assert parse_basemap(rest).url == "https://gis.example/wmts/karta/3857/{z}/{y}/{x}.png"
    kvp = parse_basemap("https://gis.example/wmts?SERVICE=WMTS&LAYER=karta"
                        "&TILEMATRIXSET=GoogleMapsCompatible")
    assert kvp.kind == "xyz" and kvp.url.startswith("https://gis.example/wmts?SERVICE=WMTS")
    assert "LAYER=karta" in kvp.url and "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in kvp.url
    with pytest.raises(ConfigurationError, match="TILEMATRIXSET"):
        parse_basemap("https://gis.example/wmts?SERVICE=WMTS&LAYER=karta")


# --- MBTiles ------------------------------------------------------------------------------------

def _tile_xy(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Slippy-map tile coordinates (fractional), rows from the north (OSM's formula)."""
    n = 2 ** z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def _draw_tiles(zooms: tuple[int, ...]) -> list[tuple[int, int, int, bytes]]:
    """(z, x, y from the north, PNG) of the bundled land and water, drawn with PIL."""
    local = local_layers()
    minx, miny, maxx, maxy = local.land.total_bounds
    out = []
    for z in zooms:
        x0, y0 = (int(v) for v in _tile_xy(minx, maxy, z))
        x1, y1 = (int(v) for v in _tile_xy(maxx, miny, z))
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                img = Image.new("RGB", (256, 256), LAND)
                draw = ImageDraw.Draw(img)
                for geom in local.water.geometry:
                    for poly in getattr(geom, "geoms", [geom]):
                        pts = [((tx - x) * 256, (ty - y) * 256)
                               for tx, ty in (_tile_xy(lo, la, z)
                                              for lo, la in poly.exterior.coords)]
                        draw.polygon(pts, fill=WATER)
                buf = io.BytesIO()
                img.save(buf, "PNG")
                out.append((z, x, y, buf.getvalue()))
    return out


def _build_mbtiles(path: Path, zooms: tuple[int, ...] = (12, 13), fmt: str = "png") -> int:
    """An MBTiles of :func:`_draw_tiles`, rows stored the TMS way (from the south)."""
    tiles = _draw_tiles(zooms)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer,"
                " tile_data blob)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "test"), ("format", fmt), ("attribution", "Källa: Stockholms stad (CC0)")])
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(z, x, (2 ** z) - 1 - y, data) for z, x, y, data in tiles])
    con.commit()
    con.close()
    return len(tiles)


def test_mbtiles_are_served_from_the_apps_own_origin(tmp_path, monkeypatch):
    mb = tmp_path / "stadskarta.mbtiles"
    n = _build_mbtiles(mb)
    static = tmp_path / "static"
    tiles = publish_mbtiles(mb, static)
    assert tiles.count == n and (tiles.min_zoom, tiles.max_zoom) == (12, 13)
    assert tiles.url.startswith("/app/static/basemap/") and tiles.url.endswith("/{z}/{x}/{y}.png")
    assert len(list(static.rglob("*.png"))) == n
    # the tile over Långsjön, found by the slippy-map formula: its pixel there is water (a
    # TMS row taken as an XYZ row would name another tile, or none)
    lon, lat = 17.9664, 59.2686
    fx, fy = _tile_xy(lon, lat, 13)
    rel = tiles.url.replace("/app/static/", "").format(z=13, x=int(fx), y=int(fy))
    img = Image.open(static / rel).convert("RGB")
    assert img.getpixel((int((fx % 1) * 256), int((fy % 1) * 256))) == WATER
    # the map asks only the app for tiles
    monkeypatch.setattr("mapapp.render.tiles.STATIC_DIR", static)
    html = _html(str(mb))
    assert tiles.url in html and _urls(html) == set(), _urls(html)
    assert "Källa: Stockholms stad (CC0)" in html.replace("\\u00e4", "ä")  # the MBTiles' credit
    # the snapshot reads the same tiles from disk
    url, credit = tile_source(load_settings({"MAPAPP_BASEMAP": str(mb)}))
    assert url == tiles.folder.resolve().as_uri() + "/{z}/{x}/{y}.png"
    assert url is not None and url.startswith("file://") and credit == "Källa: Stockholms stad (CC0)"


def test_pmtiles_written_by_the_reference_library_are_served_the_same_way(tmp_path,
                                                                          monkeypatch):
    """A PMTiles v3 file written by the protomaps ``pmtiles`` package; mapapp reads it with
    its own reader (header, gzip directories, Hilbert tile ids) and publishes every tile at
    its XYZ place, byte for byte."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    tiles = _draw_tiles((11, 12, 13))
    pm = tmp_path / "stadskarta.pmtiles"
    with open(pm, "wb") as f:
        w = Writer(f)
        for z, x, y, data in sorted(tiles, key=lambda t: zxy_to_tileid(t[0], t[1], t[2])):
            w.write_tile(zxy_to_tileid(z, x, y), data)
        w.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE,
                    "min_lon_e7": int(17.8e7), "min_lat_e7": int(59.2e7),
                    "max_lon_e7": int(18.1e7), "max_lat_e7": int(59.4e7),
                    "center_zoom": 12, "center_lon_e7": int(17.99e7),
                    "center_lat_e7": int(59.29e7)},
                   {"attribution": "Källa: Stockholms stad (CC0)"})
    static = tmp_path / "static"
    published = publish_mbtiles(pm, static)
    assert published.count == len(tiles) and (published.min_zoom, published.max_zoom) == (11, 13)
    assert published.attribution == "Källa: Stockholms stad (CC0)"
    for z, x, y, data in tiles:
        assert (published.folder / str(z) / str(x) / f"{y}.png").read_bytes() == data
    monkeypatch.setattr("mapapp.render.tiles.STATIC_DIR", static)
    assert parse_basemap(str(pm)).kind == "pmtiles"
    html = _html(str(pm))
    assert published.url in html and _urls(html) == set()


# --- mapapp basemap import ------------------------------------------------------------------------

def _osm_named_roads() -> set[str]:
    """Named roads of the extract read straight from its XML (not through GDAL)."""
    root = ET.parse(OSM).getroot()
    names = set()
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        if tags.get("highway") in ROAD_CLASSES and tags.get("name"):
            names.add(tags["name"])
    return names


@pytest.fixture(scope="module")
def imported():
    district = gpd.read_file(GEO_DIR / "district.geojson").geometry.iloc[0]
    return read_vector_basemap(OSM, district), district


def test_osm_extract_roads_with_names_clipped_and_simplified(imported):
    base, district = imported
    assert set(base.roads["name"].dropna()) == _osm_named_roads()
    assert {"Fruängsgatan", "Ellen Keys Gata"} <= set(base.roads["name"])
    assert len(base.buildings) > 0 and base.attribution.startswith("© OpenStreetMap")
    area = gpd.GeoSeries([district], crs=WGS84).to_crs(METRIC).buffer(300.5).iloc[0]
    roads_m = base.roads.to_crs(METRIC)
    assert roads_m.within(area).all()
    # simplified by at most 2 m: every vertex kept lies on the source's lines (squares by their
    # outline), and every source vertex in the area lies within 2 m of the simplified roads
    src = gpd.read_file(OSM, layer="lines")
    src = src[src["highway"].isin(ROAD_CLASSES)].to_crs(METRIC)
    polys = gpd.read_file(OSM, layer="multipolygons").to_crs(METRIC)
    squares = polys[polys["other_tags"].fillna("").str.contains('"highway"=>"pedestrian"',
                                                                regex=False)].boundary
    source_lines = shapely.union_all([*src.geometry.to_numpy(), *squares.to_numpy()])
    simplified = shapely.union_all(roads_m.geometry.to_numpy())
    kept = shapely.points(shapely.get_coordinates(roads_m.geometry.to_numpy()))
    assert shapely.distance(kept, source_lines).max() < 0.01
    orig = shapely.points(shapely.get_coordinates(source_lines.intersection(area)))
    assert shapely.distance(orig, simplified).max() <= 2.0 + 1e-6
    before = int(shapely.get_num_coordinates(src.geometry.to_numpy()).sum())
    after = int(shapely.get_num_coordinates(roads_m.geometry.to_numpy()).sum())
    assert after < before


def test_written_basemap_round_trips_and_a_failed_import_writes_nothing(imported, tmp_path):
    base, district = imported
    out = tmp_path / "basemap.gpkg"
    write_vector_basemap(base, out)
    back = read_written(out)
    assert back.counts() == base.counts() and back.attribution == base.attribution
    before = out.read_bytes()
    with pytest.raises(DataValidationError):
        read_vector_basemap(tmp_path / "README.md", district)
    empty = type(base)(**{k: getattr(base, k).iloc[0:0] for k in ("roads", "buildings",
                                                                   "landuse", "water")})
    with pytest.raises(DataValidationError):
        write_vector_basemap(empty, out)
    assert out.read_bytes() == before


def test_imported_basemap_draws_roads_and_street_names_under_the_data(imported, tmp_path):
    from mapapp.cli import main

    out = tmp_path / "basemap.gpkg"
    assert main(["basemap", "import", str(OSM), "--out", str(out)]) == 0
    html = _html(str(out))
    assert "mapapp-base-roads" in html and "mapapp-base-buildings" in html
    rows = re.search(r'var d = (\{"rows".*?\});\n', html).group(1)
    assert '"Fruängsgatan"' in rows and '"street"' in rows
    assert "\\u00a9 OpenStreetMap-bidragsgivare (ODbL)" in html  # © in the map's credits
    assert _urls(html) == set(), _urls(html)
    # drawn under the data: the base group comes before the first data layer
    assert html.index("mapapp-base-roads") < html.index("mapapp-stadsdelar")


def test_static_map_draws_the_imported_roads(imported, tmp_path):
    from mapapp.snapshot.staticmap import render_map
    from tests.unit.test_staticmap import _mapdata

    base, _ = imported
    out = tmp_path / "basemap.gpkg"
    write_vector_basemap(base, out)
    data = _mapdata(20, zone="Fruängen/Västertorp/Hägerstensåsen")
    rendered = render_map(data, dpi=150, basemap_path=str(out))
    assert "Gator, byggnader och markanvändning: © OpenStreetMap-bidragsgivare (ODbL)" in \
        rendered.attribution
    with_roads = np.asarray(Image.open(io.BytesIO(rendered.png)).convert("RGB")).astype(int)
    without = np.asarray(Image.open(io.BytesIO(render_map(data, dpi=150).png)).convert(
        "RGB")).astype(int)
    top = int(with_roads.shape[0] * 12.0 / (12.0 + 2.6))  # the map, not the legend strip
    changed = np.abs(with_roads[:top] - without[:top]).sum(axis=2) > 30
    assert changed.sum() > 300
    # ... and only around Fruängen centrum, where the extract is (lon 17.960–17.967)
    ys, xs = np.nonzero(changed)
    assert xs.max() - xs.min() < with_roads.shape[1] / 3
