"""GeoJSON, GeoPackage and zipped Shapefiles, read defensively.

- **Only the drivers these formats need.** Before GDAL sees a file its signature is checked
  (GeoJSON parses as a JSON object, a GeoPackage starts with the SQLite header and the ``GPKG``
  application id, a ``.shp`` with the Shapefile magic number 9994); GeoJSON and GeoPackage are
  opened with GDAL's driver prefix (``GeoJSON:``, ``GPKG:``) and the driver GDAL reports is
  checked, so no other of GDAL's many drivers ever parses uploaded bytes.
- **Zips**: at most :attr:`Limits.max_zip_entries` entries, no absolute paths, no ``..``, no
  symlinks, total uncompressed size and per-entry compression ratio limited by the *declared*
  sizes, and the *actual* bytes are counted while extracting (a lying header is caught).
- **Text stays text**: attribute values are read as GDAL typed them (strings stay strings,
  nothing is evaluated).
- **CRS**: GeoPackage and Shapefile (.prj) carry theirs; GeoJSON is RFC 7946 WGS84 unless it
  has a legacy ``crs`` member. A file with coordinates in metres but no CRS is reported as
  "unknown" so :mod:`mapapp.io.validate` can guess or ask for ``--crs``.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pyogrio

from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.io.report import Limits

_MB = 1_000_000
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")


@dataclass
class VectorFile:
    """Features read from a file. ``crs`` is None when the file does not say."""

    gdf: gpd.GeoDataFrame
    crs: str | None
    fmt: str  # "GeoJSON", "GPKG", "ESRI Shapefile"


def _fail(key: str, **params: object) -> DataValidationError:
    return DataValidationError([Problem(None, None, key, {**params})])


def check_size(path: Path, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise _fail("io.file.too_large", size=round(size / _MB),
                    limit=round(limits.max_file_bytes / _MB))


# --- zips ------------------------------------------------------------------------------------

def _unsafe(name: str) -> bool:
    norm = name.replace("\\", "/")
    return (norm.startswith("/") or bool(re.match(r"^[A-Za-z]:", norm))
            or ".." in PurePosixPath(norm).parts)


def safe_extract(zip_path: Path, dest: Path, limits: Limits) -> list[Path]:
    """Extract ``zip_path`` into ``dest`` under the limits; returns the extracted files."""
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail("io.zip.bad", detail=str(exc)) from exc
    out: list[Path] = []
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_zip_entries:
            raise _fail("io.zip.too_many", n=len(infos), limit=limits.max_zip_entries)
        total = 0
        for info in infos:
            mode = info.external_attr >> 16
            if _unsafe(info.filename) or stat.S_ISLNK(mode):
                raise _fail("io.zip.unsafe_path", name=info.filename)
            total += info.file_size
            if (info.file_size > _MB
                    and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1)):
                raise _fail("io.zip.bomb", name=info.filename,
                            ratio=info.file_size // max(info.compress_size, 1))
        if total > limits.max_unzipped_bytes:
            raise _fail("io.zip.too_big", size=round(total / _MB),
                        limit=round(limits.max_unzipped_bytes / _MB))
        root = dest.resolve()
        written = 0
        for info in infos:
            if info.is_dir():
                continue
            target = (root / info.filename.replace("\\", "/")).resolve()
            if root not in target.parents:
                raise _fail("io.zip.unsafe_path", name=info.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            got = 0
            try:
                with zf.open(info) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        got += len(chunk)
                        written += len(chunk)
                        if got > info.file_size or written > limits.max_unzipped_bytes:
                            raise _fail("io.zip.bomb", name=info.filename,
                                        ratio=got // max(info.compress_size, 1))
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise _fail("io.zip.bad", detail=str(exc)) from exc
            out.append(target)
    return out


# --- readers ---------------------------------------------------------------------------------

def _crs_text(gdf: gpd.GeoDataFrame) -> str | None:
    if gdf.crs is None:
        return None
    epsg = gdf.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else gdf.crs.to_wkt()


def _check_driver(path: str, expected: str, name: str, fmt: str, layer: str | None,
                  limits: Limits) -> None:
    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError/DataLayerError and others
        raise _fail("io.file.unreadable", fmt=fmt, detail=str(exc)) from exc
    if info["driver"] != expected:
        raise _fail("io.vector.wrong_driver", name=name, fmt=fmt, driver=info["driver"])
    if info["features"] > limits.max_features:
        raise _fail("io.vector.too_many", n=info["features"], limit=limits.max_features)


def _read(path: str, fmt: str, layer: str | None) -> gpd.GeoDataFrame:
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, on_invalid="ignore")
    except Exception as exc:
        raise _fail("io.file.unreadable", fmt=fmt, detail=str(exc)) from exc
    return gdf.reset_index(drop=True)


def read_geojson(path: Path, *, limits: Limits) -> VectorFile:
    check_size(path, limits)
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail("io.file.unreadable", fmt="GeoJSON", detail=str(exc)) from exc
    if not isinstance(doc, dict) or "type" not in doc:
        raise _fail("io.file.unreadable", fmt="GeoJSON",
                    detail=Message("io.geojson.not_object"))
    has_crs = isinstance(doc.get("crs"), dict)
    del doc
    src = f"GeoJSON:{path}"
    _check_driver(src, "GeoJSON", path.name, "GeoJSON", None, limits)
    gdf = _read(src, "GeoJSON", None)
    return VectorFile(gdf, _crs_text(gdf) if has_crs else _rfc7946_crs(gdf), "GeoJSON")


def _rfc7946_crs(gdf: gpd.GeoDataFrame) -> str | None:
    """WGS84 as RFC 7946 says, unless the numbers are metres (then unknown)."""
    geoms = gdf.geometry.to_numpy()
    ok = ~(gpd.GeoSeries(geoms).isna() | gpd.GeoSeries(geoms).is_empty).to_numpy()
    if not ok.any():
        return "EPSG:4326"
    b = gpd.GeoSeries(geoms[ok]).total_bounds
    return None if (np.abs(b[[0, 2]]).max() > 180 or np.abs(b[[1, 3]]).max() > 90) \
        else "EPSG:4326"


def read_gpkg(path: Path, *, layer: str | None, limits: Limits) -> VectorFile:
    check_size(path, limits)
    with path.open("rb") as fh:
        head = fh.read(72)
    if not head.startswith(b"SQLite format 3\x00") or head[68:72] not in _GPKG_IDS:
        raise _fail("io.vector.wrong_driver", name=path.name, fmt="GeoPackage",
                    driver="?")
    src = f"GPKG:{path}"
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(src)]
    except Exception as exc:
        raise _fail("io.file.unreadable", fmt="GeoPackage", detail=str(exc)) from exc
    if layer is None:
        if len(layers) != 1:
            raise _fail("io.vector.layers", layers=", ".join(layers))
        layer = layers[0]
    elif layer not in layers:
        raise _fail("io.vector.no_layer", layer=layer, layers=", ".join(layers))
    _check_driver(src, "GPKG", path.name, "GeoPackage", layer, limits)
    gdf = _read(src, "GeoPackage", layer)
    return VectorFile(gdf, _crs_text(gdf), "GPKG")


def read_shapefile_zip(path: Path, workdir: Path, *, layer: str | None, crs: str | None,
                       limits: Limits) -> VectorFile:
    check_size(path, limits)
    files = safe_extract(path, workdir, limits)
    shps = sorted(p for p in files if p.suffix.lower() == ".shp")
    by_stem = {p.stem: p for p in shps}
    if layer is not None:
        shps = [by_stem[layer]] if layer in by_stem else []
    if not shps:
        raise _fail("io.zip.no_shp")
    if len(shps) > 1:
        raise _fail("io.zip.many_shp", names=", ".join(p.stem for p in shps))
    shp = shps[0]
    siblings = {p.suffix.lower(): p for p in files if p.parent == shp.parent
                and p.stem == shp.stem}
    if ".shx" not in siblings or ".dbf" not in siblings:
        raise _fail("io.zip.no_shp")
    if ".prj" not in siblings and crs is None:
        raise _fail("io.zip.no_prj", name=shp.name)
    with shp.open("rb") as fh:
        magic = fh.read(4)
    if magic != b"\x00\x00\x27\x0a":  # 9994 big-endian
        raise _fail("io.vector.wrong_driver", name=shp.name, fmt="Shapefile", driver="?")
    _check_driver(str(shp), "ESRI Shapefile", shp.name, "Shapefile", None, limits)
    gdf = _read(str(shp), "Shapefile", None)
    return VectorFile(gdf, _crs_text(gdf), "ESRI Shapefile")


def read_vector(path: Path, workdir: Path, *, layer: str | None = None, crs: str | None = None,
                limits: Limits | None = None) -> VectorFile:
    """Read a GeoJSON (.geojson/.json), GeoPackage (.gpkg) or zipped Shapefile (.zip)."""
    limits = limits or Limits()
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return read_geojson(path, limits=limits)
    if suffix == ".gpkg":
        return read_gpkg(path, layer=layer, limits=limits)
    if suffix == ".zip":
        return read_shapefile_zip(path, workdir, layer=layer, crs=crs, limits=limits)
    raise _fail("io.file.unknown_format", name=path.name)
