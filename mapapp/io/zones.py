"""Zones from a GIS file: polygons with a name insert or update the zone of that name.

- The name column is ``name``/``namn``/``zon``/``område``; an optional ``kind``/``typ`` is
  ``platssamverkan`` or ``fokusplats``. A zone's lägesbild, actors and measures are kept; only
  its geometry (and kind, when given) change.
- Every polygon is checked with ``shapely.is_valid_reason``: an invalid one is reported with
  the reason and the place (in the file's own coordinates); with ``repair`` it is made valid
  (``make_valid``, polygonal parts kept) and the zone is flagged ``repaired``.
- A zone that lies entirely outside the district is refused (usually a wrong CRS).
- After the zones change, the zone of every stored incident, observation and site is assigned
  again in the same transaction, so counts per zone stay true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, Table, insert, select, text, update

from mapapp.access import Principal
from mapapp.crs import WGS84, normalise, transformer
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import Message
from mapapp.io.tabular import match_columns, text_column
from mapapp.io.validate import guess_crs, region_of
from mapapp.io.vector import VectorFile
from mapapp.store import audit
from mapapp.store.district import area_ids
from mapapp.store.engine import bump_data_version
from mapapp.store.models import Incident, Observation, Site, Zone

ZONE_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("namn", "zon", "zone", "zonnamn", "område", "omrade", "area", "platssamverkan"),
    "kind": ("typ", "zontyp", "type"),
}
ZONE_KINDS = ("platssamverkan", "fokusplats")
_REASON_AT = re.compile(r"^(.*?)\[\s*([-\d.eE+]+)\s+([-\d.eE+]+)\s*\]\s*$")


@dataclass
class ZoneRows:
    names: list[str]
    kinds: list[str | None]
    geoms: list[shapely.Geometry]  # WGS84
    repaired: list[bool]
    messages: list[Message] = field(default_factory=list)


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def check_zones(vf: VectorFile, *, crs: str | None, district: shapely.Geometry,
                repair: bool) -> ZoneRows:
    gdf = vf.gdf
    attrs = [c for c in gdf.columns if c != gdf.geometry.name]
    frame = pd.DataFrame({c: gdf[c].astype("str").where(gdf[c].notna(), "") for c in attrs})
    found, _unused = match_columns(attrs, ZONE_COLUMNS)
    if "name" not in found:
        raise DataValidationError([Problem(None, "name", "io.file.missing_column",
                                           {"column": "name",
                                            "names": ", ".join(("name", *ZONE_COLUMNS["name"])),
                                            "found": ", ".join(attrs) or "–"})])
    names = text_column(frame, found["name"]).tolist()
    kinds_raw = text_column(frame, found.get("kind")).tolist()
    geoms = list(gdf.geometry.to_numpy())
    problems: list[Problem] = []
    messages: list[Message] = []
    first: dict[str, int] = {}
    src_crs = crs or vf.crs
    if src_crs is not None:
        src_crs = normalise(src_crs)
    else:
        reps = shapely.point_on_surface(np.asarray([g for g in geoms if g is not None
                                                    and not g.is_empty], dtype=object))
        src_crs = guess_crs(shapely.get_x(reps), shapely.get_y(reps), region_of(district))
        if src_crs is None:
            raise DataValidationError([Problem(None, "geometry", "io.crs.unknown",
                                               {"example": f"{shapely.get_x(reps[0]):.0f}, "
                                                           f"{shapely.get_y(reps[0]):.0f}"})])
        messages.append(Message("io.crs.guessed", {"crs": src_crs}))
    out = ZoneRows([], [], [], [], messages)
    for i, (name, g) in enumerate(zip(names, geoms, strict=True)):
        where = Message("io.where.feature", {"n": i + 1})
        if not name:
            problems.append(Problem(i + 1, "name", "io.zone.name_missing", {"where": where}))
        elif name in first:
            problems.append(Problem(i + 1, "name", "io.zone.name_repeated",
                                    {"where": where, "name": name,
                                     "first": Message("io.where.feature", {"n": first[name] + 1})}))
        else:
            first[name] = i
        kind = kinds_raw[i].strip().lower() or None
        if kind is not None and kind not in ZONE_KINDS:
            problems.append(Problem(i + 1, "kind", "io.zone.bad_kind",
                                    {"where": where, "name": name, "value": kinds_raw[i]}))
        if g is None or g.is_empty:
            problems.append(Problem(i + 1, "geometry", "io.row.geometry_missing", {"where": where}))
            continue
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(i + 1, "geometry", "io.zone.not_polygon",
                                    {"where": where, "name": name, "geom_type": g.geom_type}))
            continue
        fixed = False
        if not shapely.is_valid(g):
            reason = shapely.is_valid_reason(g)
            if repair:
                g = _polygonal(shapely.make_valid(g))
                fixed = True
                messages.append(Message("io.zone.repaired", {"where": where, "name": name,
                                                              "reason": reason}))
            else:
                m = _REASON_AT.match(reason)
                key = "io.zone.invalid" if m else "io.zone.invalid_noplace"
                params = {"reason": m.group(1).strip(), "lon": m.group(2),
                          "lat": m.group(3)} if m else {"reason": reason}
                problems.append(Problem(i + 1, "geometry", key,
                                        {"where": where, "name": name, **params}))
                continue
        if src_crs != WGS84:
            tr = transformer(src_crs, WGS84)
            g = shapely.transform(g, lambda xy, tr=tr: np.column_stack(
                tr.transform(xy[:, 0], xy[:, 1])))
        if not g.intersects(district):
            problems.append(Problem(i + 1, "geometry", "io.zone.outside", {"where": where, "name": name}))
            continue
        out.names.append(name)
        out.kinds.append(kind)
        out.geoms.append(g)
        out.repaired.append(fixed)
    if problems:
        raise DataValidationError(problems, summary="io.file.rejected_file")
    return out


def write_zones(conn: Connection, rows: ZoneRows, who: Principal, *, file_name: str,
                import_id: int | None) -> dict[str, int]:
    """Insert or update zones by name (inside the caller's transaction); re-assign points."""
    z = Zone.__table__.c
    have = {r.name: r for r in conn.execute(select(z.id, z.name, z.kind, z.repaired, z.geom_wkb))}
    counts = {"added": 0, "updated": 0, "unchanged": 0, "repaired": 0, "points_moved": 0}
    for name, kind, geom, fixed in zip(rows.names, rows.kinds, rows.geoms, rows.repaired,
                                       strict=True):
        wkb = shapely.to_wkb(geom)
        counts["repaired"] += int(fixed)
        old = have.get(name)
        if old is None:
            conn.execute(insert(Zone).values(
                name=name, kind=kind or "platssamverkan", lagesbild="", priority_areas=[],
                actors=[], goals=[], population=None, repaired=fixed, geom_wkb=wkb))
            counts["added"] += 1
            continue
        same_geom = shapely.equals_exact(shapely.from_wkb(old.geom_wkb), geom, tolerance=0)
        if same_geom and (kind is None or kind == old.kind) and bool(old.repaired) == fixed:
            counts["unchanged"] += 1
            continue
        values: dict[str, Any] = {"geom_wkb": wkb, "repaired": fixed}
        if kind is not None:
            values["kind"] = kind
        conn.execute(update(Zone).where(z.id == old.id).values(**values))
        counts["updated"] += 1
    if counts["added"] or counts["updated"]:
        counts["points_moved"] = reassign_zones(conn)
        bump_data_version(conn)
    audit.record(conn, who, "import", "zones", import_id, file=file_name,
                 names=rows.names, at=datetime.now(UTC).isoformat(), **counts)
    return counts


def reassign_zones(conn: Connection) -> int:
    """Recompute zone_id of every placed incident, observation and site; returns how many
    changed."""
    moved = 0
    tables: tuple[Table, ...] = (Incident.__table__, Observation.__table__,  # type: ignore[assignment]
                                 Site.__table__)
    for table in tables:
        rows = conn.execute(select(table.c.id, table.c.lon, table.c.lat, table.c.zone_id)
                            .where(table.c.lon.is_not(None))).all()
        if not rows:
            continue
        arr = np.array([(r[1], r[2]) for r in rows], dtype="float64")
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        old = np.array([np.nan if r[3] is None else r[3] for r in rows], dtype="float64")
        new, _ = area_ids(conn, arr[:, 0], arr[:, 1])
        changed = ~((old == new) | (np.isnan(old) & np.isnan(new)))
        if changed.any():
            params = [{"z": None if np.isnan(v) else int(v), "i": int(i)}
                      for v, i in zip(new[changed], ids[changed], strict=True)]
            conn.execute(text(f"UPDATE {table.name} SET zone_id = :z WHERE id = :i"), params)
            moved += int(changed.sum())
    return moved
