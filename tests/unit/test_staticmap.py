"""The static map from the bundled district layers, without a database and without the
internet: the zone is drawn in its spec colour, many points become cells, tiles only from a
reachable server (a local one here) and the OSM credit only then."""

from __future__ import annotations

import io
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from mapapp.snapshot.content import MapData
from mapapp.snapshot.staticmap import map_styles, nice_length, render_map

GEO = Path(__file__).resolve().parents[2] / "data" / "geo"
ZONE = "Älvsjö/Solberga"


def _mapdata(n_points: int, zone: str | None = ZONE, seed: int = 3) -> MapData:
    zones = gpd.read_file(GEO / "zones.geojson")
    stadsdelar = gpd.read_file(GEO / "stadsdelar.geojson")
    sites = gpd.read_file(GEO / "sites.geojson")
    district = shapely.union_all(stadsdelar.geometry.to_numpy())
    zgeom = zones.set_index("name").geometry[zone] if zone else None
    area = zgeom if zgeom is not None else district
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = area.bounds
    lon, lat = rng.uniform(x0, x1, n_points * 3), rng.uniform(y0, y1, n_points * 3)
    inside = shapely.contains_xy(area, lon, lat)
    lon, lat = lon[inside][:n_points], lat[inside][:n_points]
    points = pd.DataFrame({"kind": "incident", "lon": lon, "lat": lat})
    in_zone = sites[shapely.contains_xy(area, sites.geometry.x, sites.geometry.y)]
    return MapData(
        zone=zone, zone_geom=zgeom, district=district, zones=zones[["name", "geometry"]],
        stadsdelar=stadsdelar[["name", "geometry"]],
        sites=pd.DataFrame({"name": in_zone["name"], "kind": in_zone["kind"],
                            "source": in_zone["source"], "lon": in_zone.geometry.x,
                            "lat": in_zone.geometry.y,
                            "flagged": in_zone["name"] == "Älvsjö centrum"}),
        points=points, period="2021-2022")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)


def _near(px: np.ndarray, hex_color: str, tol: int = 6) -> int:
    rgb = np.array([int(hex_color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)])
    return int((np.abs(px - rgb).sum(axis=1) <= tol).sum())


def test_zone_map_has_the_zone_outline_and_the_legend_and_credits():
    r = render_map(_mapdata(300), dpi=100)
    px = _pixels(r.png)
    looks = map_styles()
    assert _near(px, looks["zone"].edge) > 800
    assert _near(px, looks["incidents"].color, tol=60) > 50  # the points
    assert not r.drew_cells and not r.tiles_used
    assert r.attribution[0] == "Källa: Stockholms stad"
    assert not any("OpenStreetMap-bidragsgivare" in a and "Bakgrund" in a for a in r.attribution)
    # Sites from OpenStreetMap (playgrounds, centres) are credited as such.
    assert any(a.startswith("Platser: © OpenStreetMap") for a in r.attribution)


def test_sites_show_rising_persistent_flagged_and_fading_like_the_map():
    """Each status in its layer-spec colour (as on the interactive map), named in the
    legend; a map without flags draws none of those colours."""
    from mapapp.snapshot.staticmap import SITE_STATUSES

    plain = _mapdata(50)
    statuses = ["rising", "persistent", "flagged", "fading"]
    sites = plain.sites.reset_index(drop=True).assign(status="normal")
    sites.loc[: len(statuses) - 1, "status"] = statuses
    sites["flagged"] = sites["status"] != "normal"
    marked = replace(plain, sites=sites)
    looks = map_styles()["sites"]
    from mapapp.render import layer_specs

    spec = {e.value: e.color for sp in layer_specs() if sp.id == "sites" for e in sp.legend}
    before = _pixels(render_map(replace(plain, sites=sites.assign(status="normal",
                                                                  flagged=False)),
                                dpi=100).png)
    r = render_map(marked, dpi=100)
    after = _pixels(r.png)
    for st in SITE_STATUSES:
        assert looks.colors[st] == spec[st], st  # the map's colour
        assert _near(after, spec[st], tol=12) > _near(before, spec[st], tol=12) + 30, st
        assert looks.labels[st] in r.legend, st
    assert tuple(statuses) == SITE_STATUSES
    sv = {"rising": "Ökande", "fading": "Avtagande"}
    assert any(sv["rising"].lower() in x.lower() for x in r.legend), r.legend


def test_many_points_become_cells_and_few_stay_points():
    few = render_map(_mapdata(200), dpi=80, max_points=500)
    many = render_map(_mapdata(2000), dpi=80, max_points=500)
    assert not few.drew_cells and many.drew_cells
    palette = map_styles()["cells"].palette
    assert any(_near(_pixels(many.png), c, tol=30) > 100 for c in palette)


def test_district_map_and_resolution():
    lo = render_map(_mapdata(100, zone=None), dpi=100)
    hi = render_map(_mapdata(100, zone=None), dpi=300)
    assert hi.width_px == pytest.approx(3 * lo.width_px, abs=3)
    img = Image.open(io.BytesIO(hi.png))
    assert img.info["dpi"][0] == pytest.approx(300, abs=1)
    assert _near(_pixels(lo.png), map_styles()["zones"].edge) > 200


def test_english_legend():
    r = render_map(_mapdata(50), dpi=80, lang="en")
    assert r.attribution[0] == "Source: Stockholms stad"


def test_nice_length():
    assert [nice_length(v) for v in (730, 1999, 40, 2600)] == [500, 1000, 25, 2500]
    assert nice_length(0) == 0


class _Tiles(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802
        buf = io.BytesIO()
        Image.new("RGB", (256, 256), (10, 200, 200)).save(buf, format="PNG")
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(buf.getvalue())

    def log_message(self, *args):
        pass


def test_tiles_from_a_reachable_server_and_credit():
    server = HTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
        r = render_map(_mapdata(50), dpi=80, tiles_url=url,
                       tiles_attribution="© OpenStreetMap-bidragsgivare")
    finally:
        server.shutdown()
        server.server_close()
    assert r.tiles_used and _Tiles.hits > 0
    assert "Bakgrund: © OpenStreetMap-bidragsgivare" in r.attribution
    assert _near(_pixels(r.png), "#0ac8c8", tol=20) > 1000  # the tile colour shows


def test_unreachable_tile_server_draws_without_tiles():
    server = HTTPServer(("127.0.0.1", 0), _Tiles)
    port = server.server_port
    server.server_close()  # nothing listens there any more
    r = render_map(_mapdata(50), dpi=80, tiles_url=f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png",
                   tiles_attribution="Kartdata: Testservern")
    assert not r.tiles_used
    # the tile server is not credited for tiles it never gave; the map says the basemap is missing
    assert not any("Testservern" in a for a in r.attribution)
    assert any("Bakgrundskartan (MAPAPP_BASEMAP) kunde inte hämtas" in a for a in r.attribution)


def test_static_map_uses_the_bundled_basemap_with_water():
    """Without tiles the snapshot's map has the same basemap as the app: the water in the
    Vatten layer's colour (the district map holds Mälaren and Långsjön: thousands of pixels),
    the land of the neighbouring stadsdelar, and the water's source credited."""
    from mapapp.render import specs_by_id
    from mapapp.render.basemap import LAND

    r = render_map(_mapdata(50, zone=None), dpi=100)
    px = _pixels(r.png)
    water = specs_by_id()["vatten"].style.color
    assert _near(px, water) > 2000
    assert _near(px, LAND) > 2000
    assert "Vatten: Stockholms stad, Stadskarta (CC0)" in r.attribution
    # a zone map away from the big water still shows the land around the zone
    z = render_map(_mapdata(50), dpi=100)
    assert _near(_pixels(z.png), LAND) > 500
