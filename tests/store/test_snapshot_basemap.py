"""The snapshot uses the same basemap as the app (issue 17, part 2): with ``MAPAPP_BASEMAP``
a WMS, the static map is drawn on one GetMap image of its extent, fetched from a real HTTP WMS
started here (it answers every GetMap with a magenta PNG and records the request); a WMS that
does not answer gives a snapshot on the bundled basemap, a warning in the log and a note on the
map -- not a failure. A local MBTiles is read from its published tiles."""

from __future__ import annotations

import io
import logging
import math
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image

from mapapp.settings import GEO_DIR, load_settings
from mapapp.snapshot import export_snapshot
from tests.conftest import COORDINATOR
from tests.store.test_snapshot import ZONE, _seed

MAGENTA = (200, 30, 160)


def _share(png: bytes, rgb: tuple[int, int, int], tol: int = 12) -> float:
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    return float((np.abs(px - np.array(rgb)).sum(axis=1) <= tol).mean())


@pytest.fixture
def wms() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A WMS and WMTS on 127.0.0.1: GetMap answers a magenta PNG of the asked size, a RESTful
    WMTS tile a magenta 256-pixel PNG."""
    asked: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 -- http.server's name
            parts = urlsplit(self.path)
            q = {k.upper(): v for k, v in parse_qsl(parts.query)}
            asked.append({**q, "PATH": parts.path})
            if parts.path.endswith(".png"):  # a WMTS tile (RESTful)
                size = (256, 256)
            elif q.get("REQUEST") == "GetMap":
                size = (int(q["WIDTH"]), int(q["HEIGHT"]))
            else:
                self.send_error(400)
                return
            buf = io.BytesIO()
            Image.new("RGB", size, MAGENTA).save(buf, "PNG")
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(buf.getvalue())))
            self.end_headers()
            self.wfile.write(buf.getvalue())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/geoserver/wms", asked
    server.shutdown()
    server.server_close()


def test_snapshot_map_is_drawn_on_the_wms_basemap(sqlite_store, wms):
    url, asked = wms
    _seed(sqlite_store)
    settings = load_settings({"MAPAPP_BASEMAP": f"{url}?SERVICE=WMS&LAYERS=stadskarta",
                              "MAPAPP_BASEMAP_ATTRIBUTION": "Stadskartan, Stockholms stad"},
                             database_url="sqlite://")
    exp = export_snapshot(sqlite_store, COORDINATOR, zone=ZONE, period="2021-2022", since=None,
                          fmt="png", settings=settings)
    assert exp.map.tiles_used
    assert len(asked) == 1
    q = asked[0]
    assert (q["SERVICE"], q["REQUEST"], q["LAYERS"], q["CRS"]) == ("WMS", "GetMap", "stadskarta",
                                                                   "EPSG:3857")
    x0, y0, x1, y1 = (float(v) for v in q["BBOX"].split(","))
    # the extent of the map: around the zone (EPSG:3857), not much larger, in the map's own
    # proportions
    zone = gpd.read_file(GEO_DIR / "zones.geojson").set_index("name").loc[[ZONE]].to_crs(3857)
    zx0, zy0, zx1, zy1 = zone.total_bounds
    assert x0 < zx0 < zx1 < x1 and y0 < zy0 < zy1 < y1
    assert (x1 - x0) < 1.5 * max(zx1 - zx0, (zy1 - zy0) * (x1 - x0) / (y1 - y0))
    assert (x1 - x0) / (y1 - y0) == pytest.approx(int(q["WIDTH"]) / int(q["HEIGHT"]), rel=0.01)
    # the map shows the server's image under the data, and credits it
    assert _share(exp.data, MAGENTA) > 0.3
    assert any("Stadskartan, Stockholms stad" in a for a in exp.map.attribution)


def test_snapshot_map_is_drawn_on_wmts_tiles(sqlite_store, wms):
    url, asked = wms
    _seed(sqlite_store)
    rest = url.replace("/wms", "/wmts/stadskarta/3857/{TileMatrix}/{TileRow}/{TileCol}.png")
    settings = load_settings({"MAPAPP_BASEMAP": rest}, database_url="sqlite://")
    exp = export_snapshot(sqlite_store, COORDINATOR, zone=ZONE, period="2021-2022", since=None,
                          fmt="png", settings=settings)
    assert exp.map.tiles_used and _share(exp.data, MAGENTA) > 0.3
    # tiles of one zoom level around Älvsjö (z/row/col → z/y/x of the slippy-map scheme)
    z, y, x = (int(v) for v in asked[0]["PATH"].rsplit(".", 1)[0].split("/")[-3:])
    n = 2 ** z
    lon = x / n * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    assert 17.8 < lon < 18.2 and 59.2 < lat < 59.35 and 10 <= z <= 17


def test_a_wms_that_does_not_answer_gives_a_snapshot_without_it(sqlite_store, caplog,
                                                                 monkeypatch):
    _seed(sqlite_store)
    silent = socket.socket()  # accepts connections (the backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    monkeypatch.setattr("mapapp.snapshot.basemap_images.WMS_TIMEOUT_S", 1.0)
    port = silent.getsockname()[1]
    settings = load_settings({"MAPAPP_BASEMAP": f"http://127.0.0.1:{port}/wms?SERVICE=WMS"
                                                "&LAYERS=stadskarta"}, database_url="sqlite://")
    try:
        with caplog.at_level(logging.WARNING, logger="mapapp.snapshot.staticmap"):
            exp = export_snapshot(sqlite_store, COORDINATOR, zone=ZONE, period="2021-2022",
                                  since=None, fmt="png", settings=settings)
    finally:
        silent.close()
    assert not exp.map.tiles_used and _share(exp.data, MAGENTA) == 0
    assert any(r.levelno == logging.WARNING and "WMS" in r.getMessage() for r in caplog.records)
    assert any(a.startswith("Bakgrundskartan (MAPAPP_BASEMAP) kunde inte hämtas")
               for a in exp.map.attribution)
    # ... drawn on the bundled basemap instead: its water is there
    assert _share(exp.data, (169, 211, 234)) > 0.001


def test_snapshot_reads_a_local_mbtiles_from_its_published_tiles(sqlite_store, tmp_path,
                                                                 monkeypatch):
    from tests.unit.test_basemap_sources import WATER, _build_mbtiles

    monkeypatch.setattr("mapapp.render.tiles.STATIC_DIR", tmp_path / "static")
    _seed(sqlite_store)
    mb = tmp_path / "stadskarta.mbtiles"
    _build_mbtiles(mb, zooms=(12, 13))
    settings = load_settings({"MAPAPP_BASEMAP": str(mb)}, database_url="sqlite://")
    exp = export_snapshot(sqlite_store, COORDINATOR, zone=None, period="2021-2022", since=None,
                          fmt="png", settings=settings)
    assert exp.map.tiles_used
    assert any("Källa: Stockholms stad (CC0)" in a for a in exp.map.attribution)
    assert _share(exp.data, WATER, tol=4) > 0.01
