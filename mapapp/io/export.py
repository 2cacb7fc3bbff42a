"""Export the store for QGIS: a GeoPackage with the layers ``zones``, ``stadsdelar``, ``sites``,
``incidents``, ``observations`` and ``measures`` (WGS84), or one GeoJSON file per layer.

Point layers carry ``id``, ``source``, ``category`` (the code), ``occurred_at`` (ISO 8601 with
offset, Europe/Stockholm), ``description``, ``zone`` (its name) and ``stadsdel``. What each
role may see applies (:func:`mapapp.store.points.load_points`): sensitive incidents are left
out of the point layer for roles other than police. Every export is audited.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine, select

from mapapp.access import Perm, Principal
from mapapp.crs import WGS84
from mapapp.errors import DataValidationError, Problem
from mapapp.store import audit
from mapapp.store.district import sites_frame, stadsdelar_frame, zones_frame
from mapapp.store.engine import read_connection
from mapapp.store.models import Measure, Site, Zone
from mapapp.store.points import load_points
from mapapp.timezone import LOCAL_TZ

LAYERS = ("zones", "stadsdelar", "sites", "incidents", "observations", "measures")


def _iso_local(series: pd.Series) -> pd.Series:
    local = pd.to_datetime(series, utc=True).dt.tz_convert(LOCAL_TZ)
    return pd.Series([ts.isoformat() for ts in local], index=series.index, dtype="object")


def point_layer(engine: Engine, who: Principal, kind: str) -> gpd.GeoDataFrame:
    df = load_points(engine, who, kind)  # type: ignore[arg-type]
    df = df[df["lon"].notna() & df["lat"].notna()]
    out = pd.DataFrame({
        "id": df["id"].astype("int64"),
        "source": df["source"].astype(str),
        "category": df["category"].astype(str),
        "occurred_at": _iso_local(df["occurred_at"]),
        "description": df["description"],
        "zone": df["zone"],
        "stadsdel": df["stadsdel"],
        "precision": df["precision"],
    })
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=WGS84)


def measures_layer(engine: Engine) -> gpd.GeoDataFrame:
    m, z, s = Measure.__table__, Zone.__table__, Site.__table__
    q = (select(m.c.id, z.c.name.label("zone"), s.c.name.label("site"), m.c.title, m.c.actor,
                m.c.status, m.c.priority_area, m.c.start, m.c.due, s.c.lon, s.c.lat,
                m.c.zone_id)
         .select_from(m.join(z, m.c.zone_id == z.c.id).outerjoin(s, m.c.site_id == s.c.id))
         .order_by(m.c.id))
    with read_connection(engine) as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all())
    zones = zones_frame(engine).set_index("id")
    geoms = []
    for _, r in df.iterrows():
        if pd.notna(r["lon"]):
            geoms.append(gpd.points_from_xy([r["lon"]], [r["lat"]])[0])
        else:
            geoms.append(zones.geometry.loc[r["zone_id"]].representative_point())
    df = df.drop(columns=["lon", "lat", "zone_id"]) if len(df) else df
    for col in ("start", "due"):
        if col in df:
            df[col] = df[col].astype(str).where(df[col].notna(), None)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)


def build_layers(engine: Engine, who: Principal) -> dict[str, gpd.GeoDataFrame]:
    zones = zones_frame(engine)[["id", "name", "kind", "lagesbild", "geometry"]]
    sites = sites_frame(engine)[["id", "name", "kind", "source", "zone", "stadsdel", "geometry"]]
    return {
        "zones": zones,
        "stadsdelar": stadsdelar_frame(engine)[["id", "name", "stadsdelsomrade", "geometry"]],
        "sites": sites,
        "incidents": point_layer(engine, who, "incident"),
        "observations": point_layer(engine, who, "observation"),
        "measures": measures_layer(engine),
    }


def export_file(engine: Engine, who: Principal, path: Path) -> list[Path]:
    """Write the layers to ``path`` (.gpkg: one file, six layers; .geojson: one file per layer,
    ``<name>.<layer>.geojson``). Returns the files written."""
    who.require(Perm.EXPORT)
    suffix = path.suffix.lower()
    if suffix not in (".gpkg", ".geojson"):
        raise DataValidationError([Problem(None, "FILE", "export.err.suffix",
                                           {"suffix": suffix or "–"})])
    if not path.parent.is_dir():
        raise DataValidationError([Problem(None, "FILE", "export.err.folder",
                                           {"folder": path.parent})])
    layers = build_layers(engine, who)
    written: list[Path] = []
    if suffix == ".gpkg":
        if path.exists():
            path.unlink()
        for name, gdf in layers.items():
            gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        written.append(path)
    else:
        for name, gdf in layers.items():
            target = path.with_name(f"{path.stem}.{name}.geojson")
            gdf.to_file(target, driver="GeoJSON", engine="pyogrio")
            written.append(target)
    with engine.begin() as conn:
        audit.record(conn, who, "export", "layers", None, file=str(path),
                     rows={k: len(v) for k, v in layers.items()})
    return written
