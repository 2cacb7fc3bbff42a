"""GeoJSON/GeoPackage/zipped Shapefile reading and the hostile-file defences."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from mapapp.errors import DataValidationError
from mapapp.io.report import Limits
from mapapp.io.vector import read_vector, safe_extract
from tests.conftest import SHARED

GPKG_3011 = SHARED / "geo" / "hagersten_alvsjo_stadsdelar_17_epsg3011.gpkg"


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_zip_with_dotdot_or_absolute_path_is_refused(tmp_path):
    for bad in ("../evil.txt", "/etc/evil.txt", "a/../../evil.txt", "C:/evil.txt"):
        z = _zip(tmp_path / "a.zip", {bad: b"x"})
        with pytest.raises(DataValidationError, match="otillåten sökväg"):
            safe_extract(z, tmp_path / "out", Limits())
    assert not (tmp_path / "evil.txt").exists()


def test_zip_with_too_many_entries_is_refused(tmp_path):
    z = _zip(tmp_path / "b.zip", {f"f{i}.txt": b"x" for i in range(12)})
    with pytest.raises(DataValidationError, match="för många filer"):
        safe_extract(z, tmp_path / "out", Limits(max_zip_entries=10))


def test_zip_bomb_by_declared_ratio_is_refused_before_extracting(tmp_path):
    z = _zip(tmp_path / "c.zip", {"zeros.shp": b"\0" * 5_000_000})
    with pytest.raises(DataValidationError, match="zip-bomb"):
        safe_extract(z, tmp_path / "out", Limits())
    assert not (tmp_path / "out" / "zeros.shp").exists()


def test_zip_total_size_limit(tmp_path):
    z = _zip(tmp_path / "d.zip", {"a.bin": bytes(range(256)) * 400})
    with pytest.raises(DataValidationError, match="för mycket data"):
        safe_extract(z, tmp_path / "out", Limits(max_unzipped_bytes=50_000))


def test_zip_whose_header_lies_about_its_size_is_refused(tmp_path):
    """The central directory says 10 bytes; the entry really holds 200 000."""
    z = _zip(tmp_path / "e.zip", {"a.dbf": bytes(range(256)) * 800})
    data = bytearray(z.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 10)  # uncompressed size in the central directory
    z.write_bytes(bytes(data))
    with pytest.raises(DataValidationError, match="[Zz]ip"):
        safe_extract(z, tmp_path / "out", Limits())
    out = tmp_path / "out" / "a.dbf"
    assert not out.exists() or out.stat().st_size <= 10


def test_geojson_legacy_crs_member_and_clockwise_ring(tmp_path):
    # Exterior ring clockwise (against RFC 7946's right-hand rule): accepted as it is.
    ring = [[674000, 6580000], [674000, 6580100], [674100, 6580100], [674100, 6580000],
            [674000, 6580000]]
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
           "features": [{"type": "Feature", "properties": {"name": "A"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    p = tmp_path / "z.geojson"
    p.write_text(json.dumps(doc))
    vf = read_vector(p, tmp_path)
    assert vf.crs == "EPSG:3006" and vf.fmt == "GeoJSON"
    assert vf.gdf.geometry.iloc[0].area == pytest.approx(10_000)


def test_geojson_without_crs_in_metres_is_unknown(tmp_path):
    doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
           "geometry": {"type": "Point", "coordinates": [674000, 6580000]}}]}
    p = tmp_path / "m.geojson"
    p.write_text(json.dumps(doc))
    assert read_vector(p, tmp_path).crs is None


def test_not_geojson_is_refused(tmp_path):
    p = tmp_path / "x.geojson"
    p.write_text("id,name\n1,a\n")
    with pytest.raises(DataValidationError, match="GeoJSON"):
        read_vector(p, tmp_path)


def test_real_geopackage_in_the_citys_crs():
    vf = read_vector(GPKG_3011, GPKG_3011.parent)
    assert vf.crs == "EPSG:3011" and vf.fmt == "GPKG" and len(vf.gdf) == 17


def test_file_named_gpkg_that_is_not_one_is_refused(tmp_path):
    p = tmp_path / "fake.gpkg"
    p.write_text("kategori;lat\n")
    with pytest.raises(DataValidationError, match="inte GeoPackage"):
        read_vector(p, tmp_path)


def _shapefile_zip(tmp_path: Path, *, prj: bool = True, name: str = "punkter") -> Path:
    src = tmp_path / "shp"
    src.mkdir(exist_ok=True)
    gdf = gpd.read_file(GPKG_3011).head(3)
    gdf["geometry"] = gdf.geometry.representative_point()
    gdf["kategori"] = "stold"
    gdf["tidpunkt"] = "2024-03-05 21:14"
    gdf[["kategori", "tidpunkt", "geometry"]].to_file(src / f"{name}.shp")
    entries = {p.name: p.read_bytes() for p in src.iterdir()
               if prj or p.suffix != ".prj"}
    return _zip(tmp_path / f"{name}.zip", entries)


def test_zipped_shapefile_with_prj(tmp_path):
    z = _shapefile_zip(tmp_path)
    vf = read_vector(z, tmp_path / "work")
    assert vf.fmt == "ESRI Shapefile" and vf.crs == "EPSG:3011" and len(vf.gdf) == 3
    assert set(vf.gdf["kategori"]) == {"stold"}


def test_zipped_shapefile_without_prj_needs_crs(tmp_path):
    z = _shapefile_zip(tmp_path, prj=False)
    with pytest.raises(DataValidationError, match=r"saknar \.prj"):
        read_vector(z, tmp_path / "w1")
    vf = read_vector(z, tmp_path / "w2", crs="EPSG:3011")
    assert vf.crs is None and len(vf.gdf) == 3  # the caller applies --crs


def test_shp_that_is_not_a_shapefile_is_refused(tmp_path):
    z = _zip(tmp_path / "f.zip", {"a.shp": b"<html>", "a.shx": b"", "a.dbf": b"",
                                  "a.prj": b""})
    with pytest.raises(DataValidationError, match="inte Shapefile"):
        read_vector(z, tmp_path / "w")


def test_real_polygons_stay_valid_through_reading():
    vf = read_vector(GPKG_3011, GPKG_3011.parent)
    assert shapely.is_valid(vf.gdf.geometry.to_numpy()).all()
