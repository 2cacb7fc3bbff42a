"""Vector MBTiles and PMTiles as the basemap (issue 17, part 2): a vector file built here by
GDAL's own MVT writer from the bundled layers (water and the stadsdelar's outlines) is drawn to
PNG on the server with the bundled style and served from the app's own origin -- pixels checked
where the slippy-map formula puts Långsjön and dry land; a file of another kind or tile format
is refused at once with a message in both languages."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pyogrio
import pytest
from PIL import Image

from mapapp.basemap import local_layers, parse_basemap
from mapapp.errors import ConfigurationError
from mapapp.render.mvt import BACKGROUND, decode_tile
from mapapp.render.tiles import publish_mbtiles
from mapapp.settings import load_settings
from mapapp.snapshot import tile_source
from tests.unit.test_basemap_sources import _build_mbtiles, _html, _tile_xy, _urls

WATER = (169, 211, 234)
LAND = tuple(int(BACKGROUND[i:i + 2], 16) for i in (1, 3, 5))
LAKE = (17.9664, 59.2686)  # Långsjön, well inside the lake
DRY = (17.9900, 59.2800)  # Västberga's land, far from any water


def _gdal_tiles(path: Path, layer: str, frame, driver: str = "MBTiles",  # type: ignore[no-untyped-def]
                zooms: tuple[int, int] = (11, 13)) -> None:
    pyogrio.write_dataframe(frame.to_crs(3857), path, layer=layer, driver=driver,
                            dataset_options={"MINZOOM": str(zooms[0]), "MAXZOOM": str(zooms[1]),
                                             "NAME": "stadskarta"})


def _vector_mbtiles(tmp: Path, zooms: tuple[int, int] = (11, 13)) -> Path:
    """One MBTiles with two layers: GDAL writes one layer per file, and two protobuf Tile
    messages concatenated are one Tile with both layers (repeated fields merge)."""
    local = local_layers()
    water, land = tmp / "water.mbtiles", tmp / "land.mbtiles"
    _gdal_tiles(water, "water", local.water, zooms=zooms)
    _gdal_tiles(land, "stadsdelar", local.land[["name", "geometry"]], zooms=zooms)
    out = tmp / "vektor.mbtiles"
    con = sqlite3.connect(out)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer,"
                " tile_data blob)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", "vektor"), ("format", "pbf"), ("attribution", "Källa: Stockholms stad (CC0)")])
    merged: dict[tuple[int, int, int], bytes] = {}
    for src in (land, water):
        with sqlite3.connect(src) as s:
            for z, x, y, data in s.execute("SELECT zoom_level, tile_column, tile_row, tile_data "
                                           "FROM tiles"):
                merged[(z, x, y)] = merged.get((z, x, y), b"") + gzip.decompress(bytes(data))
    con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                    [(*k, gzip.compress(v)) for k, v in merged.items()])
    con.commit()
    con.close()
    return out


def _pixel(folder: Path, lon: float, lat: float, z: int) -> tuple[int, ...]:
    fx, fy = _tile_xy(lon, lat, z)
    img = Image.open(folder / str(z) / str(int(fx)) / f"{int(fy)}.png").convert("RGB")
    return img.getpixel((int((fx % 1) * 256), int((fy % 1) * 256)))  # type: ignore[return-value]


def test_vector_mbtiles_are_drawn_with_the_bundled_style_and_served_from_the_app(
        tmp_path, monkeypatch):
    mb = _vector_mbtiles(tmp_path, zooms=(11, 12))
    with sqlite3.connect(mb) as con:
        n, blob = con.execute("SELECT count(*), max(tile_data) FROM tiles").fetchone()
    assert {layer.name for layer in decode_tile(bytes(blob))} <= {"water", "stadsdelar"}
    assert parse_basemap(str(mb)).kind == "mbtiles"  # accepted by the settings
    static = tmp_path / "static"
    tiles = publish_mbtiles(mb, static)
    assert tiles.url.startswith("/app/static/basemap/") and tiles.url.endswith("/{z}/{x}/{y}.png")
    # the file's tiles, and the last level drawn again below it (sharp, from the vectors)
    assert (tiles.min_zoom, tiles.max_zoom) == (11, 15) and tiles.count > n
    assert tiles.attribution == "Källa: Stockholms stad (CC0)"
    for z in (12, 13, 15):
        assert _pixel(tiles.folder, *LAKE, z) == WATER, z
        assert _pixel(tiles.folder, *DRY, z) == LAND, z
    # the stadsdelar's outlines are drawn: around points on their borders, away from water,
    # some pixel is neither land nor water
    local = local_layers()
    water = local.water.geometry.union_all()
    own = local.land[local.land["in_district"]].geometry
    points = [g.boundary.interpolate(f, normalized=True) for g in own
              for f in (0.1, 0.3, 0.5, 0.7, 0.9)]
    dry = [p for p in points if p.distance(water) > 0.003]
    assert len(dry) >= 5
    drawn = 0
    for p in dry:
        fx, fy = _tile_xy(p.x, p.y, 12)
        img = Image.open(tiles.folder / "12" / str(int(fx)) / f"{int(fy)}.png").convert("RGB")
        cx, cy = int((fx % 1) * 256), int((fy % 1) * 256)
        around = {img.getpixel((x, y)) for x in range(max(cx - 2, 0), min(cx + 3, 256))
                  for y in range(max(cy - 2, 0), min(cy + 3, 256))}
        drawn += bool(around - {WATER, LAND})
    assert drawn == len(dry), f"outline drawn at {drawn} of {len(dry)} border points"
    # the map asks only the app for its tiles; the snapshot reads the same PNGs from disk
    monkeypatch.setattr("mapapp.render.tiles.STATIC_DIR", static)
    html = _html(str(mb))
    assert tiles.url in html and _urls(html) == set(), _urls(html)
    url, credit = tile_source(load_settings({"MAPAPP_BASEMAP": str(mb)}))
    assert url == tiles.folder.resolve().as_uri() + "/{z}/{x}/{y}.png"


def test_vector_pmtiles_written_by_gdal_are_drawn_the_same_way(tmp_path):
    pm = tmp_path / "vatten.pmtiles"
    _gdal_tiles(pm, "water", local_layers().water, driver="PMTiles", zooms=(11, 11))
    assert parse_basemap(str(pm)).kind == "pmtiles"
    tiles = publish_mbtiles(pm, tmp_path / "static")
    assert tiles.url.endswith(".png") and tiles.max_zoom == 14
    assert _pixel(tiles.folder, *LAKE, 12) == WATER
    assert _pixel(tiles.folder, *LAKE, 14) == WATER


def test_unknown_or_unsupported_tile_files_are_refused_in_both_languages(tmp_path):
    tiff = tmp_path / "ortofoto.mbtiles"
    _build_mbtiles(tiff, zooms=(12,), fmt="tiff")
    with pytest.raises(ConfigurationError) as err:
        load_settings({"MAPAPP_BASEMAP": str(tiff)})
    text = str(err.value)
    assert "tiff stöds inte" in text and "tiff is not supported" in text
    assert "mapapp basemap import" in text
    junk = tmp_path / "karta.mbtiles"
    junk.write_text("inte en databas", "utf-8")
    with pytest.raises(ConfigurationError, match="är ingen MBTiles-fil / is no MBTiles file"):
        load_settings({"MAPAPP_BASEMAP": str(junk)})
    fake = tmp_path / "karta.pmtiles"
    fake.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(ConfigurationError, match="ingen PMTiles-fil .* / is no PMTiles file"):
        load_settings({"MAPAPP_BASEMAP": str(fake)})
    with pytest.raises(ConfigurationError, match="finns inte / no such file"):
        load_settings({"MAPAPP_BASEMAP": str(tmp_path / "saknas.mbtiles")})
