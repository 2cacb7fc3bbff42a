"""The basemap: what ``MAPAPP_BASEMAP`` means, and the bundled basemap drawn from the project's
own data.

By default (``local``) nothing leaves the app: the map is drawn from the bundled layers in
``data/geo/`` — the land of the district and of the neighbouring stadsdelar, the water
(Stockholm stad's Stadskarta, CC0), the names of the stadsdelar and the stations. A tile
server is opt-in:

| value | basemap |
|---|---|
| ``local`` (default; ``none`` is the older name) | the bundled layers, no request to any other origin |
| ``osm`` | OpenStreetMap's tile server (attribution "© OpenStreetMap-bidragsgivare") |
| ``https://…/{z}/{x}/{y}.png`` | any XYZ tile server (``MAPAPP_BASEMAP_ATTRIBUTION``) |
| ``https://…?SERVICE=WMS&LAYERS=…`` or ``wms:https://…?layers=…`` | a WMS (the city's GIS server) |
| ``https://…/{TileMatrix}/{TileRow}/{TileCol}.png`` or ``…?SERVICE=WMTS&LAYER=…`` | a WMTS (3857) |
| ``/path/karta.mbtiles``, ``/path/karta.pmtiles`` | raster or vector tiles from the app's origin |
| ``/path/basemap.gpkg`` | bundled + the layers of ``mapapp basemap import`` (roads, names, …) |

Vector tiles (MVT) of an MBTiles or PMTiles file are drawn to PNG on the server with the bundled
style (:mod:`mapapp.render.mvt`); raster tiles (png, jpg, webp) are served as they are.

:func:`parse_basemap` checks a value and returns a :class:`Basemap`; :func:`local_layers`
reads the bundled layers once per process (they never change while it runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import shapely

from mapapp.errors import ConfigurationError
from mapapp.resources import geo_dir

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
                   "-bidragsgivare")
#: Margin around the district in which the neighbouring stadsdelar are drawn (degrees).
MARGIN_DEG = 0.05

BasemapKind = Literal["local", "vector", "xyz", "wms", "mbtiles", "pmtiles"]


@dataclass(frozen=True)
class Basemap:
    """A checked basemap setting. ``url``: the XYZ template (or the WMS address) the browser
    asks; ``attribution``: HTML shown on the map with the tiles; ``path``: the MBTiles or
    imported GeoPackage file; ``layers``: the WMS layers."""

    kind: BasemapKind
    url: str | None = None
    attribution: str = ""
    path: str | None = None
    layers: str | None = None

    @property
    def is_local(self) -> bool:
        """Drawn from the project's own vector data (bundled, or bundled + imported)."""
        return self.kind in ("local", "vector")


_BAD = ("MAPAPP_BASEMAP: ange local, osm, en XYZ-adress med {z}/{x}/{y}, en WMS- eller "
        "WMTS-adress, en .mbtiles- eller .pmtiles-fil eller en .gpkg från mapapp basemap import "
        "/ give local, osm, an XYZ URL with {z}/{x}/{y}, a WMS or WMTS address, an .mbtiles or "
        ".pmtiles file or a .gpkg from mapapp basemap import")


def _query(url: str) -> tuple[str, dict[str, str]]:
    """(address without query, query parameters with lower-case names)."""
    from urllib.parse import parse_qsl, urlsplit, urlunsplit

    parts = urlsplit(url)
    params = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), params


def _wms(url: str, attribution: str) -> Basemap:
    base, params = _query(url)
    layers = params.get("layers")
    if not layers:
        raise ConfigurationError("MAPAPP_BASEMAP: WMS-adressen saknar LAYERS=… / the WMS "
                                 "address has no LAYERS=…")
    keep = {k: v for k, v in params.items() if k not in (
        "service", "request", "layers", "version", "format", "bbox", "width", "height",
        "crs", "srs", "styles", "transparent")}
    from urllib.parse import urlencode

    return Basemap("wms", base + (f"?{urlencode(keep)}" if keep else ""), attribution,
                   layers=layers)


def _wmts(url: str, attribution: str) -> Basemap:
    if "{TileMatrix}" in url:  # RESTful template
        xyz = (url.replace("{TileMatrix}", "{z}").replace("{TileRow}", "{y}")
               .replace("{TileCol}", "{x}"))
        return Basemap("xyz", xyz, attribution)
    base, params = _query(url)
    if not params.get("layer") or not params.get("tilematrixset"):
        raise ConfigurationError("MAPAPP_BASEMAP: WMTS-adressen behöver LAYER=… och "
                                 "TILEMATRIXSET=… / the WMTS address needs LAYER=… and "
                                 "TILEMATRIXSET=…")
    q = (f"SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={params['layer']}"
         f"&STYLE={params.get('style', 'default')}&TILEMATRIXSET={params['tilematrixset']}"
         f"&FORMAT={params.get('format', 'image/png')}"
         "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
    return Basemap("xyz", f"{base}?{q}", attribution)


def _file(text: str, kind: BasemapKind) -> Basemap:
    path = Path(text).expanduser()
    if not path.is_file():
        raise ConfigurationError(f"MAPAPP_BASEMAP: filen finns inte / no such file: {path}")
    if kind in ("mbtiles", "pmtiles"):
        from mapapp.render.tiles import check_tile_file

        check_tile_file(path)  # a file of another kind or tile format: refused at once
    return Basemap(kind, path=str(path.resolve()))


def parse_basemap(value: str, attribution: str = OSM_ATTRIBUTION) -> Basemap:
    """The basemap a ``MAPAPP_BASEMAP`` value stands for; a value that is none of them raises
    :class:`~mapapp.errors.ConfigurationError` (in both languages, as settings do).

    >>> parse_basemap("local").kind
    'local'
    >>> parse_basemap("none").kind
    'local'
    >>> parse_basemap("osm").url
    'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
    """
    text = (value or "").strip()
    low = text.lower()
    if text in ("", "local", "none"):
        return Basemap("local")
    if text == "osm":
        return Basemap("xyz", OSM_TILES, OSM_ATTRIBUTION)
    if low.endswith(".mbtiles"):
        return _file(text, "mbtiles")
    if low.endswith(".pmtiles"):
        return _file(text, "pmtiles")
    if low.endswith(".gpkg"):
        return _file(text, "vector")
    if low.startswith("wms:"):
        text, low = text[4:], low[4:]
        if low.startswith(("http://", "https://")):
            return _wms(text, attribution)
    if low.startswith(("http://", "https://")):
        if "service=wms" in low:
            return _wms(text, attribution)
        if "service=wmts" in low or "{TileMatrix}" in text:
            return _wmts(text, attribution)
        if all(k in text for k in ("{z}", "{x}", "{y}")):
            return Basemap("xyz", text, attribution)
    raise ConfigurationError(_BAD)


@dataclass(frozen=True)
class LocalLayers:
    """The bundled basemap (WGS84): ``land`` (neighbouring stadsdelar within the margin, with
    ``name``; the district's own stadsdelar have ``in_district`` True), ``water`` (``kind``),
    ``labels`` (``name``, ``kind`` "stadsdel" | "station", point geometry)."""

    land: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    labels: gpd.GeoDataFrame

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        minx, miny, maxx, maxy = (float(v) for v in self.land.total_bounds)
        return minx, miny, maxx, maxy


def _read(geo_dir: Path, name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(geo_dir / f"{name}.geojson").set_crs(4326, allow_override=True)


def local_layers(folder: Path | None = None) -> LocalLayers:
    """The bundled basemap read from ``folder`` (default: the bundled district data; cached
    per process, read-only)."""
    return _local_layers(folder or geo_dir())


@lru_cache(maxsize=4)
def _local_layers(folder: Path) -> LocalLayers:
    district = _read(folder, "district").geometry.iloc[0]
    own = _read(folder, "stadsdelar")
    city = _read(folder, "stockholm_stadsdelar")
    minx, miny, maxx, maxy = district.bounds
    frame = shapely.box(minx - MARGIN_DEG, miny - MARGIN_DEG / 2, maxx + MARGIN_DEG,
                        maxy + MARGIN_DEG / 2)
    near = city[city.intersects(frame)].copy()
    near["in_district"] = near["name"].isin(set(own["name"]))
    near = near[~near["in_district"]]
    land = pd.concat([near[["name", "in_district", "geometry"]],
                      own.assign(in_district=True)[["name", "in_district", "geometry"]]],
                     ignore_index=True)
    land = gpd.GeoDataFrame(land, geometry="geometry", crs=4326)
    water = _read(folder, "water")[["kind", "geometry"]]
    sites = _read(folder, "sites")
    stations = sites[sites["kind"] == "station"]
    label_rows = [(str(n), "stadsdel", g.representative_point())
                  for n, g in zip(land["name"], land.geometry, strict=True)]
    label_rows += [(str(n), "station", g)
                   for n, g in zip(stations["name"], stations.geometry, strict=True)]
    labels = gpd.GeoDataFrame(pd.DataFrame(label_rows, columns=["name", "kind", "geometry"]),
                              geometry="geometry", crs=4326)
    return LocalLayers(land=land, water=water.reset_index(drop=True), labels=labels)

