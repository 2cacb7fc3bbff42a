"""The city's own vector basemap: roads (with street names), buildings, land use and water from
a GeoPackage, a zipped Shapefile or an OpenStreetMap extract (``.osm``/``.osm.pbf``, GDAL's OSM
driver through pyogrio), clipped to the district, simplified for the map's zoom levels, and
written to one GeoPackage that ``MAPAPP_BASEMAP`` can name.

:func:`read_vector_basemap` returns the frames (WGS84) and collects every problem before it
raises; :func:`write_vector_basemap` writes them to a temporary file first and renames it, so a
failed import writes nothing. Layer kinds are recognised by layer name (Stockholm stad's
Stadskarta: ``Trafik_line``, ``Byggnad_area``, ``Mark_area``, ``Vatten_area``; OSM's
``lines``/``multipolygons`` with their tags) or by the columns (``highway``, ``building``,
``landuse``, ``natural``/``waterway``).

Returned frames: ``roads`` (``name``, ``class``, lines), ``buildings``, ``landuse``, ``water``
(``class``, polygons). No sentence is made here: problems carry message keys.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from mapapp.crs import METRIC, WGS84
from mapapp.errors import DataValidationError, Problem

KINDS = ("roads", "buildings", "landuse", "water")
#: Simplification tolerance (metres): under a pixel up to zoom 16.
SIMPLIFY_M = 2.0
#: Kept around the district (metres), so that the map does not end at its border.
MARGIN_M = 300.0
#: Road classes drawn (OSM ``highway`` values and Stadskarta's); footways etc. are left out.
ROAD_CLASSES = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
                "residential", "living_street", "service", "pedestrian", "motorway_link",
                "trunk_link", "primary_link", "secondary_link", "tertiary_link", "road"}

_NAME_HINTS = {
    "roads": ("trafik_line", "road", "roads", "vag", "gata", "street", "highway"),
    "buildings": ("byggnad", "building", "buildings", "hus"),
    "landuse": ("mark", "landuse", "land_use", "markanvandning"),
    "water": ("vatten", "water", "sjo", "hav"),
}


OSM_ATTRIBUTION = "© OpenStreetMap-bidragsgivare (ODbL)"


@dataclass(frozen=True)
class VectorBasemap:
    """Imported layers (WGS84); a kind the source did not have is an empty frame.
    ``attribution``: the source's credit, shown on the map (plain text)."""

    roads: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    attribution: str = ""

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in KINDS}


def _empty(columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in columns},
                            geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def _source_path(path: Path) -> str:
    """What pyogrio opens: a zipped Shapefile through GDAL's virtual zip file system."""
    return f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)


def _kind_of_layer(name: str, columns: set[str], geom_type: str) -> str | None:
    low = name.lower()
    for kind, hints in _NAME_HINTS.items():
        if any(h in low for h in hints):
            return kind
    if "highway" in columns and "line" in geom_type.lower():
        return "roads"
    return None


def _osm_frames(src: str) -> dict[str, gpd.GeoDataFrame]:
    """OSM extract: roads from ``lines`` (highway), polygons from ``multipolygons``."""
    lines = gpd.read_file(src, layer="lines", engine="pyogrio")
    roads = lines[lines["highway"].isin(ROAD_CLASSES)]
    out = {"roads": gpd.GeoDataFrame({"name": roads["name"], "class": roads["highway"]},
                                     geometry=roads.geometry, crs=lines.crs)}
    polys = gpd.read_file(src, layer="multipolygons", engine="pyogrio")
    tags = polys.get("other_tags", pd.Series("", index=polys.index)).fillna("")
    building = polys["building"].notna() if "building" in polys else pd.Series(False,
                                                                                index=polys.index)
    landuse = polys["landuse"].notna() if "landuse" in polys else pd.Series(False,
                                                                             index=polys.index)
    natural = polys["natural"].fillna("") if "natural" in polys else pd.Series("",
                                                                               index=polys.index)
    water = (natural == "water") | tags.str.contains('"water"=>', regex=False) | \
        (polys["landuse"].isin(["reservoir", "basin"]) if "landuse" in polys else False)
    # squares and pedestrian areas (highway=… with area=yes) are polygons in GDAL's OSM
    # layers: their outline is walkable and their name belongs on the map with the streets
    area_road = tags.str.extract(r'"highway"=>"([^"]+)"')[0]
    square = area_road.isin(ROAD_CLASSES)
    if square.any():
        squares = gpd.GeoDataFrame({"name": polys.loc[square, "name"],
                                    "class": area_road[square]},
                                   geometry=polys.geometry[square].boundary, crs=polys.crs)
        out["roads"] = pd.concat([out["roads"], squares], ignore_index=True)
    out["buildings"] = gpd.GeoDataFrame({"class": polys.loc[building, "building"]},
                                        geometry=polys.geometry[building], crs=polys.crs)
    out["landuse"] = gpd.GeoDataFrame({"class": polys.loc[landuse & ~water, "landuse"]},
                                      geometry=polys.geometry[landuse & ~water], crs=polys.crs)
    out["water"] = gpd.GeoDataFrame({"class": "water"}, index=polys.index[water],
                                    geometry=polys.geometry[water], crs=polys.crs)
    return out


def _layer_frames(src: str, problems: list[Problem]) -> dict[str, gpd.GeoDataFrame]:
    """GeoPackage or Shapefile(s): every layer whose kind is recognised."""
    out: dict[str, list[gpd.GeoDataFrame]] = {}
    for name, geom_type in pyogrio.list_layers(src):
        info = pyogrio.read_info(src, layer=name)
        columns = {str(c).lower() for c in info["fields"]}
        kind = _kind_of_layer(str(name), columns, str(geom_type))
        if kind is None:
            continue
        frame = gpd.read_file(src, layer=name, engine="pyogrio")
        if frame.crs is None:
            problems.append(Problem(None, str(name), "basemap.no_crs", {"layer": str(name)}))
            continue
        cols = {str(c).lower(): c for c in frame.columns}
        name_col = next((cols[c] for c in ("name", "namn", "gatunamn", "text") if c in cols),
                        None)
        class_col = next((cols[c] for c in ("highway", "class", "klass", "kategori", "typ",
                                            "building", "landuse") if c in cols), None)
        data = {"class": frame[class_col].astype(str) if class_col else kind}
        if kind == "roads":
            data["name"] = frame[name_col] if name_col else None
        out.setdefault(kind, []).append(gpd.GeoDataFrame(data, geometry=frame.geometry,
                                                         crs=frame.crs))
    return {k: pd.concat([f.to_crs(WGS84) for f in v], ignore_index=True)
            for k, v in out.items()}


def read_vector_basemap(path: Path | str, district: shapely.Geometry, *,
                        simplify_m: float = SIMPLIFY_M, margin_m: float = MARGIN_M,
                        attribution: str | None = None) -> VectorBasemap:
    """The layers of ``path`` clipped to ``district`` (WGS84) + ``margin_m`` and simplified by
    ``simplify_m`` metres (topology kept). ``attribution``: the source's credit (an OSM
    extract gets "© OpenStreetMap-bidragsgivare (ODbL)" when none is given). Raises
    :class:`DataValidationError` (every problem at once: unreadable file, unknown format, layer
    without CRS, nothing recognised)."""
    path = Path(path)
    suffix = "".join(path.suffixes[-2:]).lower() if path.name.lower().endswith(".osm.pbf") \
        else path.suffix.lower()
    problems: list[Problem] = []
    if not path.is_file():
        raise DataValidationError([Problem(None, "file", "basemap.no_file", {"path": str(path)})])
    if suffix not in (".gpkg", ".zip", ".osm", ".pbf", ".osm.pbf"):
        raise DataValidationError([Problem(None, "file", "basemap.bad_format",
                                           {"suffix": suffix or "–"})])
    src = _source_path(path)
    is_osm = suffix in (".osm", ".pbf", ".osm.pbf")
    if attribution is None:
        attribution = OSM_ATTRIBUTION if is_osm else ""
    try:
        frames = (_osm_frames(src) if is_osm
                  else _layer_frames(src, problems))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataValidationError([Problem(None, "file", "basemap.unreadable",
                                           {"error": str(exc)[:200]})]) from exc
    if problems:
        raise DataValidationError(problems)
    if not any(len(f) for f in frames.values()):
        raise DataValidationError([Problem(None, "file", "basemap.nothing")])
    area = gpd.GeoSeries([district], crs=WGS84).to_crs(METRIC).buffer(margin_m).iloc[0]
    out = {}
    for kind in KINDS:
        frame = frames.get(kind)
        cols = ["name", "class"] if kind == "roads" else ["class"]
        if frame is None or not len(frame):
            out[kind] = _empty(cols)
            continue
        m = frame.to_crs(METRIC)
        m = m[m.geometry.notna() & ~m.geometry.is_empty]
        m = m[m.intersects(area)].copy()
        m["geometry"] = m.geometry.intersection(area).simplify(simplify_m,
                                                               preserve_topology=True)
        m = m[~m.geometry.is_empty]
        if kind != "roads":
            m = m[m.geometry.area > 1.0]
        keep = [c for c in cols if c in m.columns]
        res = m[[*keep, "geometry"]].to_crs(WGS84).reset_index(drop=True)
        for c in cols:
            if c not in res.columns:
                res[c] = None
        out[kind] = res[[*cols, "geometry"]]
    return VectorBasemap(**out, attribution=attribution)


def write_vector_basemap(base: VectorBasemap, out: Path | str) -> Path:
    """Write the layers into the GeoPackage ``out`` (a temporary file renamed at the end: an
    import that fails leaves the old file as it was)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".basemap-", suffix=".gpkg", dir=out.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        for kind in KINDS:
            frame = getattr(base, kind)
            if len(frame):
                pyogrio.write_dataframe(frame, tmp, layer=kind, driver="GPKG",
                                        dataset_metadata={"mapapp_attribution":
                                                          base.attribution})
        if not os.path.exists(tmp):
            raise DataValidationError([Problem(None, "file", "basemap.nothing")])
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def read_written(path: Path | str) -> VectorBasemap:
    """The layers of a GeoPackage written by :func:`write_vector_basemap`."""
    path = Path(path)
    have = {str(n) for n, _ in pyogrio.list_layers(path)}
    first = next(iter(k for k in KINDS if k in have), None)
    meta = (pyogrio.read_info(path, layer=first).get("dataset_metadata") or {}) if first else {}
    frames: dict[str, gpd.GeoDataFrame] = {}
    for kind in KINDS:
        cols = ["name", "class"] if kind == "roads" else ["class"]
        frames[kind] = (gpd.read_file(path, layer=kind, engine="pyogrio").to_crs(WGS84)
                        if kind in have else _empty(cols))
    return VectorBasemap(**frames, attribution=str(meta.get("mapapp_attribution", "")))
