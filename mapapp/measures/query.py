"""Reading measures: the list (filtered), one measure with its notes and links, its history
from the audit log, the actors, and the counts before/after a measure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from mapapp.access import Perm, Principal
from mapapp.categories import MEASURE_STATUSES, PRIORITY_AREAS, SENSITIVE_CODES
from mapapp.errors import DataValidationError, NotFoundError, Problem
from mapapp.measures._tables import (
    ACTORS,
    AUDIT,
    DATE_FIELDS,
    FRAME_COLUMNS,
    HISTORY_COLUMNS,
    INCIDENTS,
    JSON_FIELDS,
    LINKS,
    LIST_COLUMNS,
    NOTES,
    OBSERVATIONS,
    SITES,
    ZONES,
    M,
    known,
    zone_names,
)
from mapapp.measures.rules import as_date, is_overdue, resolve_priority_area, resolve_status, sv_key
from mapapp.timezone import LOCAL_TZ, local_today
from mapapp.values import fold, is_missing


def _query() -> Any:
    m, z, s = M.c, ZONES.c, SITES.c
    return (
        select(m.id, z.name.label("zone"), m.zone_id, s.name.label("site"), m.site_id, m.cell_id,
               m.title, m.actor, m.status, m.priority_area, m.start, m.due, m.next_followup,
               s.lon, s.lat, m.description, m.source, m.created_at, m.updated_at)
        .select_from(M.join(ZONES, m.zone_id == z.id).outerjoin(SITES, m.site_id == s.id))
        .order_by(m.id)
    )


def _frame(rows: Iterable[Any], today: date) -> pd.DataFrame:
    df = pd.DataFrame([dict(r) for r in rows], columns=[c for c in LIST_COLUMNS if c != "overdue"])
    df["id"] = df["id"].astype("int64")
    df["zone_id"] = df["zone_id"].astype("int64")
    df["site_id"] = pd.array([None if is_missing(v) else int(v) for v in df["site_id"]],
                             dtype="Int64")
    for col in DATE_FIELDS:
        df[col] = pd.Series([as_date(v) for v in df[col]], index=df.index, dtype=object)
    for col in ("site", "cell_id"):
        df[col] = pd.Series([None if is_missing(v) else v for v in df[col]], index=df.index,
                            dtype=object)
    df["lon"] = pd.to_numeric(df["lon"], errors="coerce").astype("float64")
    df["lat"] = pd.to_numeric(df["lat"], errors="coerce").astype("float64")
    df["overdue"] = np.array([is_overdue(d, s, today) for d, s in
                              zip(df["due"], df["status"], strict=True)], dtype=bool)
    return df[LIST_COLUMNS]


def find_zone(conn: Connection, value: Any) -> int:
    """A zone's id from its id or its name (any case); :class:`NotFoundError` lists the zones."""
    zones = zone_names(conn)
    if isinstance(value, int | np.integer) and int(value) in zones:
        return int(value)
    for zid, name in zones.items():
        if fold(name) == fold(value):
            return zid
    raise NotFoundError("zone.not_found", name=value, known=known(zones.values()))


def list_measures(
    engine: Engine,
    who: Principal,
    *,
    zone: str | int | None = None,
    status: str | None = None,
    actor: str | None = None,
    priority_area: str | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """The measures (``LIST_COLUMNS``, id order), filtered. ``zone`` is a name (any case) or an
    id; ``status`` a code or label; ``overdue`` True/False keeps only (not) overdue ones."""
    who.require(Perm.VIEW_AGGREGATES)
    today = today or local_today()
    problems = []
    code = resolve_status(status)
    if not is_missing(status) and code is None:
        problems.append(Problem(None, "status", "measures.err.status_unknown",
                                {"value": status, "known": known(MEASURE_STATUSES)}))
    area = resolve_priority_area(priority_area)
    if not is_missing(priority_area) and area is None:
        problems.append(Problem(None, "priority_area", "measures.err.priority_unknown",
                                {"value": priority_area, "known": known(PRIORITY_AREAS)}))
    if problems:
        raise DataValidationError(problems)
    q = _query()
    m = M
    with engine.connect() as conn:
        if not is_missing(zone):
            q = q.where(m.c.zone_id == find_zone(conn, zone))
        rows = conn.execute(q).mappings().all()
    return select_measures(_frame(list(rows), today), status=code, actor=actor,
                           priority_area=area, overdue=overdue)


def select_measures(df: pd.DataFrame, *, zone: str | None = None, status: str | None = None,
                    actor: str | None = None, priority_area: str | None = None,
                    overdue: bool | None = None) -> pd.DataFrame:
    """The rows of a measure frame that match (pure; ``status`` a code, ``zone``/``actor`` any
    case, ``priority_area`` as stored): what a page filters from the list it read once."""
    if not is_missing(zone):
        df = df[df["zone"].map(fold) == fold(zone)]
    if status is not None:
        df = df[df["status"] == status]
    if not is_missing(actor):
        df = df[df["actor"].map(fold) == fold(actor)]
    if priority_area is not None:
        df = df[df["priority_area"] == priority_area]
    if overdue is not None:
        df = df[df["overdue"] == bool(overdue)]
    return df.reset_index(drop=True)


def measures_frame(engine: Engine, who: Principal, *, today: date | None = None) -> pd.DataFrame:
    """Every measure for the map and the snapshot: ``FRAME_COLUMNS`` (``lon``/``lat`` are the
    site's position, NaN when the measure has no site)."""
    return list_measures(engine, who, today=today)[FRAME_COLUMNS]


def records(df: pd.DataFrame, fields: Iterable[str] = JSON_FIELDS) -> list[dict[str, Any]]:
    """Rows as plain dicts for JSON/CSV (dates ISO, None for missing)."""
    out = []
    for r in df.to_dict("records"):
        rec: dict[str, Any] = {}
        for f in fields:
            v = r.get(f)
            if isinstance(v, date):
                v = v.isoformat()
            elif isinstance(v, np.bool_ | bool):
                v = bool(v)
            elif isinstance(v, np.integer):
                v = int(v)
            elif is_missing(v):
                v = None
            rec[f] = v
        out.append(rec)
    return out


def require_row(conn: Connection, measure_id: int, *,
                 for_update: bool = False) -> dict[str, Any]:
    q = select(M).where(M.c.id == int(measure_id))
    if for_update:
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    if row is None:
        raise NotFoundError("measures.err.not_found", id=measure_id)
    return dict(row)


def get_measure(engine: Engine, who: Principal, measure_id: int, *, today: date | None = None
                ) -> dict[str, Any]:
    """One measure (the ``LIST_COLUMNS``) with ``notes`` (noted_on, author_role, text; oldest
    first) and ``links`` (kind, id, category, occurred_at -- None for a sensitive incident
    unless ``who`` may see sensitive points)."""
    who.require(Perm.VIEW_AGGREGATES)
    mid, n, lk = int(measure_id), NOTES.c, LINKS.c
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(_query().where(M.c.id == mid)).mappings()]
        if not rows:
            raise NotFoundError("measures.err.not_found", id=measure_id)
        notes = [dict(r) for r in conn.execute(
            select(n.id, n.noted_on, n.author_role, n.text).where(n.measure_id == mid)
            .order_by(n.noted_on, n.id)).mappings()]
        links = []
        for kind, tbl, col in (("incident", INCIDENTS, lk.incident_id),
                               ("observation", OBSERVATIONS, lk.observation_id)):
            q = (select(tbl.c.id, tbl.c.category, tbl.c.occurred_at)
                 .select_from(LINKS.join(tbl, col == tbl.c.id))
                 .where(lk.measure_id == mid).order_by(tbl.c.id))
            links += [{"kind": kind, **dict(r)} for r in conn.execute(q).mappings()]
    hide = not who.can(Perm.VIEW_SENSITIVE_POINTS)
    for link in links:  # no exact time of a sensitive incident for other roles than police
        if hide and link["kind"] == "incident" and link["category"] in SENSITIVE_CODES:
            link["occurred_at"] = None
    out = _frame(rows, today or local_today()).to_dict("records")[0]
    out["notes"] = notes
    out["links"] = links
    return out


def history(engine: Engine, who: Principal, measure_id: int) -> pd.DataFrame:
    """The changes of one measure from the audit log, oldest first: one row per changed field
    (``HISTORY_COLUMNS``; ``at`` in local time; ``username`` only for roles that may read the
    audit log, else None)."""
    who.require(Perm.VIEW_AGGREGATES)
    a = AUDIT.c
    q = (select(a.at, a.action, a.role, a.username, a.detail)
         .where(a.entity == "measure", a.entity_id == str(int(measure_id))).order_by(a.id))
    with engine.connect() as conn:
        events = conn.execute(q).mappings().all()
    show_user = who.can(Perm.VIEW_AUDIT)
    rows = []
    for e in events:
        at = pd.Timestamp(e["at"]).tz_convert(LOCAL_TZ)
        base = {"at": at, "action": e["action"], "role": e["role"],
                "username": e["username"] if show_user else None}
        detail = e["detail"] or {}
        if e["action"] == "update":
            for field, (old, new) in (detail.get("changes") or {}).items():
                rows.append({**base, "field": field, "old": old, "new": new})
        elif e["action"] == "create":
            rows.append({**base, "field": "title", "old": None,
                         "new": (detail.get("fields") or {}).get("title")})
        elif e["action"] == "note":
            rows.append({**base, "field": "note", "old": None, "new": detail.get("noted_on")})
        elif e["action"] == "link":
            for kind in ("incident", "observation"):
                if detail.get(kind):
                    rows.append({**base, "field": kind, "old": None,
                                 "new": ", ".join(str(i) for i in detail[kind])})
        else:
            rows.append({**base, "field": None, "old": None, "new": None})
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def list_actors(engine: Engine, who: Principal) -> list[str]:
    """The responsible actors, alphabetically (Swedish letters after z by code point)."""
    who.require(Perm.VIEW_AGGREGATES)
    with engine.connect() as conn:
        names = list(conn.execute(select(ACTORS.c.name)).scalars())
    return sorted(names, key=sv_key)


# --- before/after ----------------------------------------------------------------------------

def measure_points(engine: Engine, who: Principal) -> pd.DataFrame:
    """Incidents and observations that ``who`` may see, as one point frame."""
    from mapapp.store.points import load_points

    return pd.concat([load_points(engine, who, "incident"),
                      load_points(engine, who, "observation")], ignore_index=True)


def before_after(
    engine: Engine,
    who: Principal,
    measure_id: int,
    *,
    months: int = 6,
    radius_m: float = 150.0,
    buffer_m: float = 250.0,
    confidence: float = 0.95,
    points: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
    measure: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Counts before/after one measure and its WDD test by
    :func:`mapapp.analysis.beforeafter.before_after` (site radius, cell or zone; the same
    months a year earlier when the data reach back; control = rest of the zone or district).
    ``points``/``sites``, and the measure itself (:func:`get_measure` of ``measure_id`` for
    ``who``), may be passed when already loaded, so a page reads each once per rerun. The
    result holds codes (``comparison``, ``note``, ``verdict``); the page and the CLI word
    them."""
    from mapapp.analysis.beforeafter import before_after as compute
    from mapapp.store.district import district_outline, sites_frame, zones_frame

    who.require(Perm.VIEW_AGGREGATES)
    m = dict(measure) if measure is not None and int(measure["id"]) == measure_id \
        else get_measure(engine, who, measure_id)
    if m["start"] is None:
        raise DataValidationError([Problem(None, "start", "measures.ui.ba_no_start")])
    if points is None:
        points = measure_points(engine, who)
    if sites is None:
        sites = sites_frame(engine)
    return compute(m, points, sites=sites, zones=zones_frame(engine),
                   district=district_outline(engine), months=months, radius_m=radius_m,
                   buffer_m=buffer_m, confidence=confidence)
