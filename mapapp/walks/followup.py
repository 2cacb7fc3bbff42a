"""Follow-up of a walk: the sheet of observations by place with owner and status, and an
observation turned into a measure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from mapapp import categories as cats
from mapapp.access import Perm, Principal, Role
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import (
    DataValidationError,
    NotFoundError,
    Problem,
)
from mapapp.i18n import t
from mapapp.settings import load_settings
from mapapp.store.models import (
    MeasureLink,
    Observation,
    Site,
    Stadsdel,
    Zone,
)
from mapapp.timezone import LOCAL_TZ
from mapapp.walks.walk import WalkInfo, get_walk

# --- follow-up --------------------------------------------------------------------------------

SHEET_COLUMNS = ["place", "place_how", "observation_id", "occurred_at", "category",
                 "category_label", "owner", "status", "status_label", "note", "ratings",
                 "has_photo", "zone", "stadsdel", "lon", "lat", "team"]


@dataclass(frozen=True)
class FollowUpSheet:
    """A walk's observations grouped by place, for the follow-up meeting. ``rows`` has
    :data:`SHEET_COLUMNS`, places in the order the walk reached them, times local."""

    walk: WalkInfo
    rows: pd.DataFrame

    def places(self) -> list[tuple[str, pd.DataFrame]]:
        return [(str(p), g) for p, g in self.rows.groupby("place", sort=False)]


def status_label(code: str, *, lang: str = "sv") -> str:
    return t(f"walks.status.{code}", lang)


def ratings_text(ratings: Mapping[str, Any] | None, *, lang: str = "sv") -> str:
    """"belysning 1, folkliv 0" in the order of RATING_KEYS, with translated labels."""
    r = ratings or {}
    return ", ".join(f"{t(f'walks.rating.{k}', lang)} {r[k]}" for k in cats.RATING_KEYS if k in r)


def follow_up_sheet(
    engine: Engine, who: Principal, walk_id: int, *, lang: str = "sv",
    radius_m: float | None = None,
) -> FollowUpSheet:
    """The walk's observations by place: the picked site, else the nearest site within
    ``radius_m`` (default MAPAPP_SITE_RADIUS_M), else the stadsdel. Each row has the owner to
    contact and the follow-up status."""
    walk = get_walk(engine, who, walk_id, lang=lang)
    radius = radius_m if radius_m is not None else load_settings().site_radius_m
    o = Observation.__table__
    q = (select(o.c.id, o.c.occurred_at, o.c.category, o.c.owner, o.c.status, o.c.description,
                o.c.ratings, o.c.photo.is_not(None).label("has_photo"), o.c.lon, o.c.lat,
                o.c.site_id, o.c.team, Zone.name.label("zone"), Stadsdel.name.label("stadsdel"))
         .select_from(o.outerjoin(Zone, Zone.id == o.c.zone_id)
                      .outerjoin(Stadsdel, Stadsdel.id == o.c.stadsdel_id))
         .where(o.c.walk_id == walk_id).order_by(o.c.occurred_at, o.c.id))
    if who.role == Role.VANDRARE:
        q = q.where(func.coalesce(o.c.team, "") == (who.team or ""))
    with engine.connect() as conn:
        obs = pd.DataFrame([dict(r) for r in conn.execute(q).mappings()])
        sites = pd.DataFrame([dict(r) for r in conn.execute(
            select(Site.id, Site.name, Site.lon, Site.lat)).mappings()])
    if obs.empty:
        return FollowUpSheet(walk, pd.DataFrame(columns=SHEET_COLUMNS))
    tr = transformer(WGS84, METRIC)
    ox, oy = tr.transform(obs["lon"].to_numpy(float), obs["lat"].to_numpy(float))
    sx, sy = tr.transform(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float))
    names = dict(zip(sites["id"], sites["name"], strict=True))
    places, how = [], []
    for i, r in obs.iterrows():
        if pd.notna(r["site_id"]) and int(r["site_id"]) in names:
            places.append(names[int(r["site_id"])])
            how.append(t("walks.place.picked", lang))
            continue
        d = np.hypot(sx - ox[i], sy - oy[i]) if len(sites) else np.array([])
        j = int(np.nanargmin(d)) if len(d) and np.isfinite(d).any() else -1
        if j >= 0 and d[j] <= radius:
            places.append(str(sites["name"].iloc[j]))
            how.append(t("walks.place.near", lang, m=f"{d[j]:.0f}"))
        else:
            places.append(t("walks.place.area", lang, area=r["stadsdel"] or r["zone"] or "–"))
            how.append("")
    rows = pd.DataFrame({
        "place": places, "place_how": how, "observation_id": obs["id"].astype("int64"),
        "occurred_at": pd.to_datetime(obs["occurred_at"], utc=True, format="ISO8601")
        .dt.tz_convert(LOCAL_TZ),
        "category": obs["category"],
        "category_label": [cats.label("observation", c, lang=lang) for c in obs["category"]],
        "owner": obs["owner"], "status": obs["status"],
        "status_label": [status_label(s, lang=lang) for s in obs["status"]],
        "note": obs["description"], "ratings": [ratings_text(r, lang=lang) for r in obs["ratings"]],
        "has_photo": obs["has_photo"].astype(bool), "zone": obs["zone"],
        "stadsdel": obs["stadsdel"], "lon": obs["lon"], "lat": obs["lat"], "team": obs["team"],
    })
    order = {p: k for k, p in enumerate(dict.fromkeys(places))}
    rows = rows.sort_values(["place", "occurred_at", "observation_id"],
                            key=lambda s: s.map(order) if s.name == "place" else s,
                            kind="stable").reset_index(drop=True)
    return FollowUpSheet(walk, rows[SHEET_COLUMNS])


def suggest_actor(owner: str | None, actors: Iterable[str]) -> str | None:
    """The known actor that an observation category's owner names, if any
    ("Trafikkontoret (Tyck till)" -> "Trafikkontoret")."""
    text = (owner or "").casefold()
    if "stadsdelsförvaltning" in text:
        text += " hägersten-älvsjö sdf"
    for a in sorted(actors, key=len):
        if a.casefold() in text:
            return a
    return None


def observation_to_measure(
    engine: Engine, who: Principal, observation_id: int, *, actor: str | None = None,
    priority_area: str | None = None, title: str | None = None, lang: str = "sv",
) -> tuple[int, bool]:
    """Make a measure of an observation in one step: zone and site from the observation, title
    from its category and place, the note as description, actor from its owner (or ``actor``),
    linked to the observation. ``(measure_id, created)``: an observation already linked to a
    measure returns that measure."""
    from mapapp import measures

    who.require(Perm.EDIT_MEASURES)
    with Session(engine) as session:
        o = session.get(Observation, observation_id)
        if o is None:
            raise NotFoundError(t("walks.obs.not_found", lang, id=observation_id))
        session.expunge(o)
        linked = session.execute(select(MeasureLink.measure_id).where(
            MeasureLink.observation_id == observation_id).order_by(MeasureLink.id)).first()
    if linked is not None:
        return int(linked[0]), False
    if o.zone_id is None:
        raise DataValidationError([Problem(None, "zone", t("walks.measure.no_zone", lang))])
    actor = actor or suggest_actor(o.owner, measures.list_actors(engine, who))
    place = f" – {o.place_name}" if o.place_name else ""
    mid = measures.add_measure(
        engine, who, zone=int(o.zone_id), site=o.site_id,
        title=title or f"{cats.label('observation', o.category, lang=lang)}{place}"[:300],
        description=o.description or "", priority_area=priority_area or cats.LOCAL_PRIORITIES[0],
        actor=actor)
    measures.link_points(engine, who, mid, observations=[observation_id])
    return mid, True
