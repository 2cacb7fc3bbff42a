"""Where a survey answer's problem was seen ("with where on a small map", issue 19).

For a problem answered "Lite" or "Mycket" the recipient may say where: a **site** chosen from
the list of the zone's sites (the keyboard way; the site's own position is stored with its id)
or a **tap on the zone's small map**, which is snapped to the centre of its
:data:`PLACE_CELL_M` (100 m) cell of the national grid (SWEREF 99 TM) before it is stored. So
what the store keeps is a place, never where a person stood. A tap further than
:data:`ZONE_MARGIN_M` outside the zone is refused (the question is about that zone).

Marked places are read only by the council's roles (:func:`marked_places`, ``EDIT_MEASURES``)
and never together with the free texts; the map layer and the documents show shares per zone
only (:mod:`mapapp.analysis.survey`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Engine, func, select

from mapapp.access import Perm, Principal
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import Problem
from mapapp.store.models import Site, SurveyAnswer, SurveyRecipient, SurveyResponse, Zone

PLACE_CELL_M = 100.0
ZONE_MARGIN_M = 200.0
PLACE_FIELDS = ("zone", "problem", "site", "lon", "lat", "marked")

Key = tuple[int, str]


@dataclass(frozen=True)
class Place:
    """A stored place: WGS84 ``lon``/``lat`` and the site it is (None for a snapped cell)."""

    lon: float
    lat: float
    site_id: int | None = None


def snap_to_cell(lon: float, lat: float, cell_m: float = PLACE_CELL_M) -> tuple[float, float]:
    """The centre of the ``cell_m`` cell of SWEREF 99 TM that (lon, lat) lies in, in WGS84
    (6 decimals). Every point of one cell gives the same place:

    >>> a = snap_to_cell(18.02270, 59.31050)
    >>> a == snap_to_cell(18.02275, 59.31052) and a != (18.0227, 59.3105)
    True
    """
    x, y = transformer(WGS84, METRIC).transform(float(lon), float(lat))
    cx = (math.floor(x / cell_m) + 0.5) * cell_m
    cy = (math.floor(y / cell_m) + 0.5) * cell_m
    lo, la = transformer(METRIC, WGS84).transform(cx, cy)
    return round(float(lo), 6), round(float(la), 6)


def _as_place(raw: Any) -> tuple[float | None, float | None, int | None]:
    if isinstance(raw, Place):
        return raw.lon, raw.lat, raw.site_id
    if isinstance(raw, Mapping):
        sid = raw.get("site_id")
        return raw.get("lon"), raw.get("lat"), None if sid is None else int(sid)
    raise TypeError(f"a place is a Place or a mapping, not {type(raw).__name__}")


def resolve_places(engine: Engine, places: Mapping[Key, Any] | None,
                   levels: Mapping[Key, int]) -> tuple[dict[Key, Place], list[Problem]]:
    """Check and snap the places sent with an answer. A place for a question not answered
    "Lite" or "Mycket" (``levels``) is dropped; a site must exist (its position is used); a
    map position is snapped to its cell and must lie in (or within 200 m of) the zone."""
    out: dict[Key, Place] = {}
    problems: list[Problem] = []
    wanted = {k: v for k, v in (places or {}).items()
              if v is not None and levels.get((int(k[0]), str(k[1])), 0) >= 1}
    if not wanted:
        return out, problems
    with engine.connect() as conn:
        site_pos = {int(i): (float(lo), float(la)) for i, lo, la in conn.execute(
            select(Site.id, Site.lon, Site.lat))}
        zone_wkb = {int(i): w for i, w in conn.execute(select(Zone.id, Zone.geom_wkb).where(
            Zone.id.in_({int(k[0]) for k in wanted})))}
    to_metric = transformer(WGS84, METRIC)
    for (zid, problem), raw in wanted.items():
        key = (int(zid), str(problem))
        lon, lat, sid = _as_place(raw)
        if sid is not None:
            if sid not in site_pos:
                problems.append(Problem(None, "place", "survey.place_bad_site", {"site": sid}))
                continue
            out[key] = Place(*site_pos[sid], site_id=sid)
            continue
        try:
            lon_f, lat_f = float(lon), float(lat)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            lon_f = lat_f = math.nan
        if not (math.isfinite(lon_f) and math.isfinite(lat_f)):
            problems.append(Problem(None, "place", "survey.place_bad", {}))
            continue
        snapped = snap_to_cell(lon_f, lat_f)
        zone = shapely.from_wkb(zone_wkb[key[0]]) if key[0] in zone_wkb else None
        if zone is not None:
            metric = shapely.transform(zone, lambda c: _xy(to_metric, c))
            if metric.distance(shapely.Point(to_metric.transform(*snapped))) > ZONE_MARGIN_M:
                problems.append(Problem(None, "place", "survey.place_outside",
                                        {"m": int(ZONE_MARGIN_M)}))
                continue
        out[key] = Place(*snapped)
    return out, problems


def _xy(tr: Any, coords: Any) -> Any:
    import numpy as np

    x, y = tr.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def load_places(engine: Engine, recipient_id: int) -> dict[Key, Place]:
    """The recipient's own marked places, {(zone_id, problem): Place}."""
    a, r = SurveyAnswer, SurveyResponse
    with engine.connect() as conn:
        rows = conn.execute(
            select(a.zone_id, a.problem, a.lon, a.lat, a.site_id)
            .join(r, r.id == a.response_id)
            .where(r.recipient_id == int(recipient_id), a.lon.is_not(None),
                   a.lat.is_not(None))).all()
    return {(int(z), str(p)): Place(float(lo or 0.0), float(la or 0.0),
                                    None if s is None else int(s))
            for z, p, lo, la, s in rows}


def marked_places(engine: Engine, who: Principal, survey_id: int) -> list[dict[str, Any]]:
    """Per zone, problem and place: how many recipients marked it (council roles only; no
    free text, no recipient). Records ``{zone, problem, site, lon, lat, marked}``, most
    marked first."""
    who.require(Perm.EDIT_MEASURES)
    a, r, rc = SurveyAnswer, SurveyResponse, SurveyRecipient
    with engine.connect() as conn:
        rows = conn.execute(
            select(Zone.name, a.problem, Site.name, a.lon, a.lat,
                   func.count(func.distinct(r.id)))
            .select_from(a).join(r, r.id == a.response_id).join(rc, rc.id == r.recipient_id)
            .join(Zone, Zone.id == a.zone_id).outerjoin(Site, Site.id == a.site_id)
            .where(rc.survey_id == int(survey_id), a.lon.is_not(None), a.level >= 1)
            .group_by(Zone.name, a.problem, Site.name, a.lon, a.lat)).all()
    out = [{"zone": str(z), "problem": str(p), "site": None if s is None else str(s),
            "lon": float(lo or 0.0), "lat": float(la or 0.0), "marked": int(n)}
           for z, p, s, lo, la, n in rows]
    return sorted(out, key=lambda d: (-d["marked"], d["zone"], d["problem"], d["lon"]))


__all__ = ["PLACE_CELL_M", "ZONE_MARGIN_M", "Place", "snap_to_cell", "resolve_places",
           "load_places", "marked_places"]
