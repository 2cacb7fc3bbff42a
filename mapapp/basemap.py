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

from mapapp import resources
from mapapp.errors import ConfigurationError

_GEO_DIR = resources.geo_dir()
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
                   "-bidragsgivare")
#: Margin around the district in which the neighbouring stadsdelar are drawn (degrees).
MARGIN_DEG = 0.05

BasemapKind = Literal["local", "xyz"]


@dataclass(frozen=True)
class Basemap:
    """A checked basemap setting. ``url``: the XYZ template the browser asks for tiles (None
    for ``local``); ``attribution``: HTML shown on the map when tiles are drawn."""

    kind: BasemapKind
    url: str | None = None
    attribution: str = ""

    @property
    def is_local(self) -> bool:
        return self.kind == "local"


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
    if text in ("", "local", "none"):
        return Basemap("local")
    if text == "osm":
        return Basemap("xyz", OSM_TILES, OSM_ATTRIBUTION)
    if text.startswith(("http://", "https://")) and all(k in text for k in ("{z}", "{x}", "{y}")):
        return Basemap("xyz", text, attribution)
    raise ConfigurationError(
        "MAPAPP_BASEMAP: ange local, osm eller en XYZ-adress med {z}/{x}/{y} "
        "/ give local, osm or an XYZ URL with {z}/{x}/{y}")


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


@lru_cache(maxsize=4)
def local_layers(geo_dir: Path = _GEO_DIR) -> LocalLayers:
    """The bundled basemap read from ``geo_dir`` (cached per process; read-only)."""
    district = _read(geo_dir, "district").geometry.iloc[0]
    own = _read(geo_dir, "stadsdelar")
    city = _read(geo_dir, "stockholm_stadsdelar")
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
    water = _read(geo_dir, "water")[["kind", "geometry"]]
    sites = _read(geo_dir, "sites")
    stations = sites[sites["kind"] == "station"]
    label_rows = [(str(n), "stadsdel", g.representative_point())
                  for n, g in zip(land["name"], land.geometry, strict=True)]
    label_rows += [(str(n), "station", g)
                   for n, g in zip(stations["name"], stations.geometry, strict=True)]
    labels = gpd.GeoDataFrame(pd.DataFrame(label_rows, columns=["name", "kind", "geometry"]),
                              geometry="geometry", crs=4326)
    return LocalLayers(land=land, water=water.reset_index(drop=True), labels=labels)

