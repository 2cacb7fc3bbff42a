"""Walks: create, list, read, status, route (taken from the observations)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.orm import Session

from mapapp import categories as cats
from mapapp.access import Perm, Principal, Role
from mapapp.errors import (
    DataValidationError,
    NotFoundError,
    Problem,
)
from mapapp.i18n import t
from mapapp.notecheck import check_note
from mapapp.store import audit
from mapapp.store.models import (
    Observation,
    Walk,
    Zone,
)
from mapapp.timezone import LOCAL_TZ
from mapapp.walks._common import (
    MAX_PARTICIPANTS,
    PARTICIPANT_GROUPS,
    _check_team,
    _now,
    _write,
)

# --- walks ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WalkInfo:
    id: int
    title: str
    zone_id: int | None
    zone: str | None
    starts_at: datetime
    organiser: str
    participants: dict[str, int]
    status: str
    team: str | None
    route: shapely.Geometry | None
    n_observations: int


def _walk_problems(
    zone_id: int | None, starts_at: datetime, organiser: str, participants: Mapping[str, Any],
    status: str, known_zone: bool, *, lang: str, known_names: Iterable[str],
) -> list[Problem]:
    p: list[Problem] = []
    if zone_id is None or not known_zone:
        p.append(Problem(None, "zone", t("walks.walk.zone", lang)))
    if starts_at.tzinfo is None:
        p.append(Problem(None, "starts_at", t("walks.walk.naive_time", lang)))
    org = (organiser or "").strip()
    if not org or len(org) > 200:
        p.append(Problem(None, "organiser", t("walks.walk.organiser", lang)))
    else:
        p += [Problem(None, "organiser", f.message)
              for f in check_note(org, lang=lang, known_places=known_names)
              if f.kind in ("personnummer", "personnummer_like", "phone", "email")]
    unknown = set(participants) - set(PARTICIPANT_GROUPS)
    if unknown:
        p.append(Problem(None, "participants", t("walks.walk.groups", lang,
                                                 groups=", ".join(PARTICIPANT_GROUPS))))
    values = [participants.get(g, 0) for g in PARTICIPANT_GROUPS]
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in values) or \
            sum(int(v) for v in values if isinstance(v, int)) > MAX_PARTICIPANTS:
        p.append(Problem(None, "participants", t("walks.walk.counts", lang, n=MAX_PARTICIPANTS)))
    if status not in cats.WALK_STATUSES:
        p.append(Problem(None, "status", t("walks.walk.status", lang,
                                           allowed=", ".join(cats.WALK_STATUSES))))
    return p


def create_walk(
    engine: Engine, who: Principal, *, submission_id: str, zone_id: int, starts_at: datetime,
    organiser: str, participants: Mapping[str, int], status: str = "planerad",
    title: str | None = None, team: str | None = None, lang: str = "sv",
) -> tuple[int, bool]:
    """Create a walk; ``(walk_id, created)``. The same ``submission_id`` again returns the walk
    already made (``created`` False). A walk team's walk belongs to its team."""
    who.require(Perm.WALK)
    team = who.team if who.role == Role.VANDRARE or team is None else team

    def write(conn: Connection) -> tuple[int, bool]:
        have = conn.execute(select(Walk.id).where(Walk.submission_id == submission_id)).first()
        if have:
            return int(have[0]), False
        zone = conn.execute(select(Zone.name).where(Zone.id == zone_id)).first()
        problems = _walk_problems(zone_id, starts_at, organiser, participants, status,
                                  zone is not None, lang=lang, known_names=cats.SEED_ACTORS)
        if problems:
            raise DataValidationError(problems)
        assert zone is not None
        local = pd.Timestamp(starts_at).tz_convert(LOCAL_TZ)
        wid = conn.execute(insert(Walk).values(
            submission_id=submission_id, title=(title or f"{zone[0]} {local:%Y-%m-%d}")[:200],
            zone_id=zone_id, starts_at=starts_at, organiser=organiser.strip(),
            participants={g: int(participants.get(g, 0)) for g in PARTICIPANT_GROUPS},
            status=status, team=team, created_by=who.username, created_at=_now(None),
        ).returning(Walk.id)).scalar_one()
        audit.record(conn, who, "create", "walk", wid, zone_id=zone_id, status=status)
        return int(wid), True

    return _write(engine, write, lang=lang)


def list_walks(engine: Engine, who: Principal, *, zone_id: int | None = None) -> pd.DataFrame:
    """Walks ``who`` may see (a walk team: its own), newest first, with their observation count."""
    who.require(Perm.VIEW_AGGREGATES)
    n = (select(Observation.walk_id, func.count().label("n")).group_by(Observation.walk_id)
         .subquery())
    q = (select(Walk.id, Walk.title, Walk.zone_id, Zone.name.label("zone"), Walk.starts_at,
                Walk.organiser, Walk.participants, Walk.status, Walk.team,
                func.coalesce(n.c.n, 0).label("n_observations"))
         .select_from(Walk).outerjoin(Zone, Zone.id == Walk.zone_id)
         .outerjoin(n, n.c.walk_id == Walk.id).order_by(Walk.starts_at.desc(), Walk.id.desc()))
    if zone_id is not None:
        q = q.where(Walk.zone_id == zone_id)
    if who.role == Role.VANDRARE:
        q = q.where(func.coalesce(Walk.team, "") == (who.team or ""))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    cols = ["id", "title", "zone_id", "zone", "starts_at", "organiser", "participants", "status",
            "team", "n_observations"]
    return pd.DataFrame([dict(r) for r in rows], columns=cols)


def get_walk(engine: Engine, who: Principal, walk_id: int, *, lang: str = "sv") -> WalkInfo:
    who.require(Perm.VIEW_AGGREGATES)
    with Session(engine) as conn:
        row = conn.execute(
            select(Walk, Zone.name).outerjoin(Zone, Zone.id == Walk.zone_id)
            .where(Walk.id == walk_id)).first()
        if row is None:
            raise NotFoundError(t("walks.walk.not_found", lang, id=walk_id))
        n = conn.execute(select(func.count()).where(Observation.walk_id == walk_id)).scalar_one()
    w: Walk = row[0]
    _check_team(who, w.team, lang=lang)
    return WalkInfo(w.id, w.title, w.zone_id, row[1], w.starts_at, w.organiser,
                    dict(w.participants or {}), w.status, w.team,
                    shapely.from_wkb(w.route_wkb) if w.route_wkb else None, int(n))


def walk_route(engine: Engine, walk_id: int) -> shapely.Geometry | None:
    """The route through the walk's placed observations in the order they were made (WGS84),
    None with fewer than two."""
    with engine.connect() as conn:
        pts = conn.execute(select(Observation.lon, Observation.lat)
                           .where(Observation.walk_id == walk_id, Observation.lon.is_not(None))
                           .order_by(Observation.occurred_at, Observation.id)).all()
    return shapely.LineString(pts) if len(pts) >= 2 else None


def set_walk_status(engine: Engine, who: Principal, walk_id: int, status: str,
                    *, lang: str = "sv") -> None:
    """Change a walk's status; when it is done, its route is stored from its points."""
    w = get_walk(engine, who, walk_id, lang=lang)
    who.require(Perm.WALK)
    if status not in cats.WALK_STATUSES:
        raise DataValidationError([Problem(None, "status", t(
            "walks.walk.status", lang, allowed=", ".join(cats.WALK_STATUSES)))])
    route = walk_route(engine, walk_id) if status != "planerad" else None

    def write(conn: Connection) -> None:
        values: dict[str, Any] = {"status": status}
        if route is not None:
            values["route_wkb"] = shapely.to_wkb(route)
        conn.execute(update(Walk).where(Walk.id == walk_id).values(**values))
        audit.record(conn, who, "update", "walk", walk_id, status=status, was=w.status)

    _write(engine, write, lang=lang)
