"""The district: stadsdelar, zones (with their lägesbild), sites, actors and the measures of
the minutes, loaded from the bundled ``data/geo`` files, and read back as GeoDataFrames.

Loading is idempotent: rows are matched by name (stadsdelar, zones, actors), by
(source, external_id) (sites) and by (zone, title) for the bundled measures, so ``mapapp init``
run twice leaves the same rows.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, Table, insert, select

from mapapp.access import Principal
from mapapp.analysis.zoning import assign
from mapapp.crs import WGS84
from mapapp.settings import GEO_DIR
from mapapp.store import audit
from mapapp.store.engine import bump_data_version, read_connection
from mapapp.store.models import Actor, Measure, Site, Stadsdel, Zone

MEASURE_SOURCE = "protokoll-2023-04-21"


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def load_district(engine: Engine, who: Principal, geo_dir: Path = GEO_DIR) -> dict[str, int]:
    """Load (or refresh) the bundled district data; returns the number of rows added per table."""
    stadsdelar = gpd.read_file(geo_dir / "stadsdelar.geojson").to_crs(WGS84)
    zones = gpd.read_file(geo_dir / "zones.geojson").to_crs(WGS84)
    sites = gpd.read_file(geo_dir / "sites.geojson").to_crs(WGS84)
    raw = json.loads((geo_dir / "zones_content.json").read_text("utf-8"))
    content = {z["name"]: z for z in raw}
    added = {"stadsdelar": 0, "zones": 0, "sites": 0, "actors": 0, "measures": 0}
    with engine.begin() as conn:
        added["stadsdelar"] = _upsert_stadsdelar(conn, stadsdelar)
        added["zones"] = _upsert_zones(conn, zones, content)
        added["sites"] = _upsert_sites(conn, sites)
        added["actors"] = _seed_actors(conn)
        added["measures"] = _seed_measures(conn, content)
        if any(added.values()):
            bump_data_version(conn)
            audit.record(conn, who, "create", "district", None, added=added)
    return added


def _upsert_stadsdelar(conn: Connection, gdf: gpd.GeoDataFrame) -> int:
    t: Table = Stadsdel.__table__  # type: ignore[assignment]
    have = set(conn.execute(select(t.c.name)).scalars())
    rows = [
        {"name": r["name"], "stadsdelsomrade": r.get("stadsdelsomrade") or "",
         "geom_wkb": shapely.to_wkb(r.geometry)}
        for _, r in gdf.iterrows() if r["name"] not in have
    ]
    if rows:
        conn.execute(insert(t), rows)
    return len(rows)


def _upsert_zones(conn: Connection, gdf: gpd.GeoDataFrame, content: dict[str, Any]) -> int:
    t: Table = Zone.__table__  # type: ignore[assignment]
    have = set(conn.execute(select(t.c.name)).scalars())
    rows = []
    for _, r in gdf.iterrows():
        if r["name"] in have:
            continue
        c = content.get(r["name"], {})
        rows.append({
            "name": r["name"], "kind": r.get("kind") or "platssamverkan",
            "lagesbild": c.get("lagesbild", ""), "priority_areas": c.get("priority_areas", []),
            "actors": c.get("actors", []), "goals": c.get("goals", []),
            "population": c.get("population"),
            "lagesbild_revised": _date(c.get("lagesbild_revised")),
            "plan_revised": _date(c.get("plan_revised")),
            "priorities_reviewed": _date(c.get("priorities_reviewed")),
            "repaired": False, "geom_wkb": shapely.to_wkb(r.geometry),
        })
    if rows:
        conn.execute(insert(t), rows)
    return len(rows)


def _polygons(conn: Connection, table: Any) -> tuple[list[int], list[shapely.Geometry]]:
    rows = conn.execute(select(table.c.id, table.c.geom_wkb).order_by(table.c.id)).all()
    return [r[0] for r in rows], [shapely.from_wkb(r[1]) for r in rows]


def area_ids(conn: Connection, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(zone_id, stadsdel_id) for each point as float arrays with NaN for none (border rule in
    :mod:`mapapp.analysis.zoning`)."""
    out = []
    for table in (Zone.__table__, Stadsdel.__table__):
        ids, polys = _polygons(conn, table)
        idx = assign(lon, lat, polys)
        lookup = np.append(np.asarray(ids, dtype="float64"), np.nan)
        out.append(lookup[idx])  # idx -1 picks the trailing NaN
    return out[0], out[1]


def _upsert_sites(conn: Connection, gdf: gpd.GeoDataFrame) -> int:
    t: Table = Site.__table__  # type: ignore[assignment]
    have = set(conn.execute(select(t.c.source, t.c.external_id)).all())
    new = gdf[[(s, e) not in have for s, e in zip(gdf["source"], gdf["external_id"], strict=True)]]
    if new.empty:
        return 0
    lon = new.geometry.x.to_numpy()
    lat = new.geometry.y.to_numpy()
    zone_ids, sd_ids = area_ids(conn, lon, lat)
    rows = []
    for i, (_, r) in enumerate(new.iterrows()):
        aliases = r.get("aliases")
        rows.append({
            "name": r["name"], "kind": r["kind"], "source": r["source"],
            "external_id": str(r["external_id"]), "detail": r.get("detail"),
            "aliases": list(aliases) if isinstance(aliases, list | tuple | np.ndarray) else [],
            "zone_id": None if np.isnan(zone_ids[i]) else int(zone_ids[i]),
            "stadsdel_id": None if np.isnan(sd_ids[i]) else int(sd_ids[i]),
            "lon": float(lon[i]), "lat": float(lat[i]),
        })
    conn.execute(insert(t), rows)
    return len(rows)


def _seed_actors(conn: Connection) -> int:
    from mapapp.categories import SEED_ACTORS

    t: Table = Actor.__table__  # type: ignore[assignment]
    have = set(conn.execute(select(t.c.name)).scalars())
    rows = [{"name": a} for a in SEED_ACTORS if a not in have]
    if rows:
        conn.execute(insert(t), rows)
    return len(rows)


def _seed_measures(conn: Connection, content: dict[str, Any]) -> int:
    t: Table = Measure.__table__  # type: ignore[assignment]
    zone_ids = dict(conn.execute(select(Zone.name, Zone.id)).all())
    site_ids = dict(conn.execute(select(Site.name, Site.id)).all())
    have = set(conn.execute(select(t.c.zone_id, t.c.title).where(t.c.source == MEASURE_SOURCE)))
    now = datetime.now(UTC)
    rows = []
    for zname, c in content.items():
        zid = zone_ids.get(zname)
        if zid is None:
            continue
        for m in c.get("measures", []):
            if (zid, m["title"]) in have:
                continue
            rows.append({
                "zone_id": zid, "site_id": site_ids.get(m.get("site") or ""), "cell_id": None,
                "title": m["title"], "description": m.get("description", ""),
                "priority_area": m["priority_area"], "actor": m["actor"],
                "status": m.get("status", "planerad"), "start": _date(m.get("start")),
                "due": _date(m.get("due")), "next_followup": _date(m.get("next_followup")),
                "source": MEASURE_SOURCE, "created_at": now, "updated_at": now,
            })
    if rows:
        conn.execute(insert(t), rows)
    return len(rows)


# --- reading -------------------------------------------------------------------------------

def _polygon_frame(engine: Engine, table: Any, columns: list[str]) -> gpd.GeoDataFrame:
    with read_connection(engine) as conn:
        rows = conn.execute(
            select(*[table.c[c] for c in columns], table.c.geom_wkb).order_by(table.c.id)
        ).all()
    df = pd.DataFrame([r[:-1] for r in rows], columns=columns)
    geoms = shapely.from_wkb([r[-1] for r in rows]) if rows else []
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)


def zones_frame(engine: Engine) -> gpd.GeoDataFrame:
    """The zones with their lägesbild fields, in id order (EPSG:4326)."""
    t = Zone.__table__
    cols = ["id", "name", "kind", "lagesbild", "priority_areas", "actors", "goals", "population",
            "lagesbild_revised", "plan_revised", "priorities_reviewed", "repaired"]
    return _polygon_frame(engine, t, cols)


def stadsdelar_frame(engine: Engine) -> gpd.GeoDataFrame:
    return _polygon_frame(engine, Stadsdel.__table__, ["id", "name", "stadsdelsomrade"])


def sites_frame(engine: Engine) -> gpd.GeoDataFrame:
    """Sites with their zone and stadsdel names (EPSG:4326)."""
    s, z, d = Site.__table__, Zone.__table__, Stadsdel.__table__
    q = (
        select(s.c.id, s.c.name, s.c.kind, s.c.source, s.c.external_id, s.c.detail, s.c.aliases,
               s.c.zone_id, z.c.name.label("zone"), d.c.name.label("stadsdel"), s.c.lon, s.c.lat)
        .select_from(s.outerjoin(z, s.c.zone_id == z.c.id).outerjoin(d, s.c.stadsdel_id == d.c.id))
        .order_by(s.c.id)
    )
    with read_connection(engine) as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all())
    if df.empty:
        df = pd.DataFrame(columns=["id", "name", "kind", "source", "external_id", "detail",
                                   "aliases", "zone_id", "zone", "stadsdel", "lon", "lat"])
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["lon"], df["lat"], crs=WGS84), crs=WGS84
    )


def district_outline(engine: Engine) -> shapely.Geometry:
    """The union of the stadsdelar (the stadsdelsområde)."""
    return shapely.union_all(stadsdelar_frame(engine).geometry.to_numpy())


def bundled_frames(geo_dir: Path = GEO_DIR) -> dict[str, Any]:
    """The bundled district as the store would return it, read straight from ``geo_dir``
    without a database (for benchmarks and tests of the pure layers): ``zones``,
    ``stadsdelar`` and ``sites`` with ids in file order (sites with their zone as the border
    rule assigns it) and the district ``outline``."""
    zones = gpd.read_file(geo_dir / "zones.geojson").to_crs(WGS84)
    zones.insert(0, "id", np.arange(1, len(zones) + 1))
    for col in ("lagesbild", "priority_areas", "actors", "goals", "population"):
        zones[col] = None
    sd = gpd.read_file(geo_dir / "stadsdelar.geojson").to_crs(WGS84)
    sd.insert(0, "id", np.arange(1, len(sd) + 1))
    sites = gpd.read_file(geo_dir / "sites.geojson").to_crs(WGS84)
    sites.insert(0, "id", np.arange(1, len(sites) + 1))
    sites["lon"], sites["lat"] = sites.geometry.x, sites.geometry.y
    zi = assign(sites["lon"].to_numpy(), sites["lat"].to_numpy(), list(zones.geometry))
    sites["zone_id"] = pd.array(np.where(zi >= 0, zi + 1, 0), dtype="Int64")
    sites.loc[zi < 0, "zone_id"] = pd.NA
    sites["zone"] = [zones["name"].iloc[i] if i >= 0 else None for i in zi]
    outline = shapely.union_all(sd.geometry.to_numpy())
    return {"zones": zones, "stadsdelar": sd, "sites": sites, "outline": outline}
