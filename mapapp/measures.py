"""Measures (åtgärder/insatser): the action plan per zone or site, with follow-up.

**Rules.**

- *Overdue*: the due date has passed (``due < today``) and the status is neither ``genomford``
  nor ``avbruten`` (:func:`is_overdue`). A measure due today is not overdue yet.
- *Revision reminders* (the agreement in the minutes of 2023-04-21, after the law): a zone is
  flagged when its lägesbild or its action plan was last revised more than two years ago, or
  its priorities were last reviewed more than four years ago, or the date is missing
  (:func:`revision_flags`). Revised on 2021-04-21 is "more than two years ago" from
  2023-04-22 on.
- *Today* is the local date in Europe/Stockholm unless a ``today`` is given.

**Permissions.** Every role with ``VIEW_AGGREGATES`` may list and read measures; adding,
changing, notes, links and actors need ``EDIT_MEASURES``. Every write is audited (entity
``"measure"`` or ``"actor"``) in the same transaction and bumps the data version. Notes carry
the author's role, never a name; the history shows user names only to roles that may read the
audit log.

**Validation** collects every problem (unknown zone/site/actor/priority area/status, bad
dates, due before start, empty title, identity numbers in text …) and raises one
:class:`~mapapp.errors.DataValidationError`; nothing is written then.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, select

from mapapp.access import Perm, Principal
from mapapp.categories import (
    MEASURE_STATUSES,
    PRIORITY_AREAS,
    SENSITIVE_CODES,
)
from mapapp.errors import DataValidationError, NotFoundError, Problem
from mapapp.i18n import t
from mapapp.measure_rules import (  # noqa: F401 -- re-exported for the CLI and the page
    CLOSED,
    LAGESBILD_YEARS,
    PLAN_YEARS,
    PRIORITIES_YEARS,
    _as_date,
    add_years,
    contains_identity_number,
    is_overdue,
    personal_data_warnings,
    resolve_priority_area,
    resolve_status,
    revision_flags,
    status_label,
    sv_key,
)
from mapapp.store import audit
from mapapp.store.engine import bump_data_version
from mapapp.store.models import (
    Actor,
    AuditEvent,
    Incident,
    Measure,
    MeasureLink,
    MeasureNote,
    Observation,
    Site,
    Zone,
)
from mapapp.timezone import LOCAL_TZ, local_today
from mapapp.values import fold, is_missing

FIELDS: tuple[str, ...] = ("zone", "site", "cell_id", "title", "description", "priority_area",
                           "actor", "status", "start", "due", "next_followup")
DATE_FIELDS: tuple[str, ...] = ("start", "due", "next_followup")
JSON_FIELDS: tuple[str, ...] = ("id", "zone", "site", "title", "actor", "status", "priority_area",
                                "start", "due", "overdue")
FRAME_COLUMNS: list[str] = ["id", "zone", "zone_id", "site", "site_id", "cell_id", "title",
                            "actor", "status", "priority_area", "start", "due", "next_followup",
                            "overdue", "lon", "lat"]
LIST_COLUMNS: list[str] = FRAME_COLUMNS + ["description", "source", "created_at", "updated_at"]
HISTORY_COLUMNS: list[str] = ["at", "action", "role", "username", "field", "old", "new"]
MAX_TITLE = 300
_CELL_RE = re.compile(r"^\d+m-E\d+-N\d+$|^[0-9a-f]{15}$")


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


M, NOTES, LINKS = _table(Measure), _table(MeasureNote), _table(MeasureLink)
ZONES, SITES, ACTORS, AUDIT = _table(Zone), _table(Site), _table(Actor), _table(AuditEvent)
INCIDENTS, OBSERVATIONS = _table(Incident), _table(Observation)


# --- reading ---------------------------------------------------------------------------------

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
        df[col] = pd.Series([_as_date(v) for v in df[col]], index=df.index, dtype=object)
    for col in ("site", "cell_id"):
        df[col] = pd.Series([None if is_missing(v) else v for v in df[col]], index=df.index,
                            dtype=object)
    df["lon"] = pd.to_numeric(df["lon"], errors="coerce").astype("float64")
    df["lat"] = pd.to_numeric(df["lat"], errors="coerce").astype("float64")
    df["overdue"] = np.array([is_overdue(d, s, today) for d, s in
                              zip(df["due"], df["status"], strict=True)], dtype=bool)
    return df[LIST_COLUMNS]


def _zone_names(conn: Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in conn.execute(select(ZONES.c.id, ZONES.c.name)
                                                    .order_by(ZONES.c.id))}


def _known(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def find_zone(conn: Connection, value: Any, lang: str = "sv") -> int:
    """A zone's id from its id or its name (any case); :class:`NotFoundError` lists the zones."""
    zones = _zone_names(conn)
    if isinstance(value, int | np.integer) and int(value) in zones:
        return int(value)
    for zid, name in zones.items():
        if fold(name) == fold(value):
            return zid
    raise NotFoundError(t("zone.not_found", lang, name=value, known=_known(zones.values())))


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
    lang: str = "sv",
) -> pd.DataFrame:
    """The measures (``LIST_COLUMNS``, id order), filtered. ``zone`` is a name (any case) or an
    id; ``status`` a code or label; ``overdue`` True/False keeps only (not) overdue ones."""
    who.require(Perm.VIEW_AGGREGATES, lang)
    today = today or local_today()
    problems = []
    code = resolve_status(status)
    if not is_missing(status) and code is None:
        problems.append(Problem(None, "status", t("measures.err.status_unknown", lang, value=status,
                                                  known=_known(MEASURE_STATUSES))))
    area = resolve_priority_area(priority_area)
    if not is_missing(priority_area) and area is None:
        problems.append(Problem(None, "priority_area", t(
            "measures.err.priority_unknown", lang, value=priority_area,
            known=_known(PRIORITY_AREAS))))
    if problems:
        raise DataValidationError(problems)
    q = _query()
    m = M
    with engine.connect() as conn:
        if not is_missing(zone):
            q = q.where(m.c.zone_id == find_zone(conn, zone, lang))
        rows = conn.execute(q).mappings().all()
    df = _frame(list(rows), today)
    if code is not None:
        df = df[df["status"] == code]
    if not is_missing(actor):
        df = df[df["actor"].map(fold) == fold(actor)]
    if area is not None:
        df = df[df["priority_area"] == area]
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


def _require_row(conn: Connection, measure_id: int, lang: str, *,
                 for_update: bool = False) -> dict[str, Any]:
    q = select(M).where(M.c.id == int(measure_id))
    if for_update:
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    if row is None:
        raise NotFoundError(t("measures.err.not_found", lang, id=measure_id))
    return dict(row)


def get_measure(engine: Engine, who: Principal, measure_id: int, *, today: date | None = None,
                lang: str = "sv") -> dict[str, Any]:
    """One measure (the ``LIST_COLUMNS``) with ``notes`` (noted_on, author_role, text; oldest
    first) and ``links`` (kind, id, category, occurred_at -- None for a sensitive incident
    unless ``who`` may see sensitive points)."""
    who.require(Perm.VIEW_AGGREGATES, lang)
    mid, n, lk = int(measure_id), NOTES.c, LINKS.c
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(_query().where(M.c.id == mid)).mappings()]
        if not rows:
            raise NotFoundError(t("measures.err.not_found", lang, id=measure_id))
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


def history(engine: Engine, who: Principal, measure_id: int, *, lang: str = "sv") -> pd.DataFrame:
    """The changes of one measure from the audit log, oldest first: one row per changed field
    (``HISTORY_COLUMNS``; ``at`` in local time; ``username`` only for roles that may read the
    audit log, else None)."""
    who.require(Perm.VIEW_AGGREGATES, lang)
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


def add_actor(engine: Engine, who: Principal, name: str, *, lang: str = "sv") -> int:
    """Add an actor to the editable list; returns its id."""
    who.require(Perm.EDIT_MEASURES, lang)
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name:
        raise DataValidationError([Problem(None, "actor", t("measures.err.actor_empty", lang))])
    if len(name) > 200:
        raise DataValidationError([Problem(None, "actor", t(
            "measures.err.too_long", lang, field=t("measures.field.actor", lang), n=len(name),
            max=200))])
    with engine.begin() as conn:
        if fold(name) in {fold(n) for n in conn.execute(select(ACTORS.c.name)).scalars()}:
            raise DataValidationError([Problem(None, "actor", t(
                "measures.err.actor_exists", lang, name=name))])
        aid = _insert(conn, ACTORS, name=name)
        audit.record(conn, who, "create", "actor", aid, name=name)
    return aid


# --- writing ---------------------------------------------------------------------------------

def _insert(conn: Connection, table: Table, **values: Any) -> int:
    key = conn.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _site(conn: Connection, value: Any, lang: str) -> tuple[dict[str, Any] | None, Problem | None]:
    """The site (id, zone_id, name) for a site id or name, or the problem."""
    q = select(SITES.c.id, SITES.c.zone_id, SITES.c.name)
    if isinstance(value, int | np.integer):
        hits = [dict(r) for r in conn.execute(q.where(SITES.c.id == int(value))).mappings()]
    else:
        hits = [dict(r) for r in conn.execute(q).mappings() if fold(r["name"]) == fold(value)]
    if len(hits) == 1:
        return hits[0], None
    key = "measures.err.site_unknown" if not hits else "measures.err.site_ambiguous"
    return None, Problem(None, "site", t(key, lang, value=value, n=len(hits)))


def _validate(conn: Connection, fields: Mapping[str, Any], current: Mapping[str, Any] | None,
              lang: str) -> tuple[dict[str, Any], list[Problem]]:
    """Column values for the fields given, and every problem. With ``current`` (an update)
    only the given fields are checked alone; the date order and the site's zone are checked on
    the merged measure."""
    def p(where: str, key: str, **kw: Any) -> None:
        problems.append(Problem(None, where, t(key, lang, **kw)))

    def label(field: str) -> str:
        return t(f"measures.field.{field}", lang)

    problems: list[Problem] = []
    values: dict[str, Any] = {}
    aliases = {"zone_id": "zone", "site_id": "site", "cell": "cell_id"}
    given = {aliases.get(k, k): v for k, v in fields.items()}
    for k in given:
        if k not in FIELDS:
            p(k, "measures.err.unknown_field", field=k, known=_known(FIELDS))
    creating = current is None
    zones = _zone_names(conn)
    if "zone" in given or creating:
        v = given.get("zone")
        if is_missing(v):
            p("zone", "measures.err.zone_missing", known=_known(zones.values()))
        else:
            try:
                values["zone_id"] = find_zone(conn, v, lang)
            except NotFoundError:
                p("zone", "measures.err.zone_unknown", value=v, known=_known(zones.values()))
    site: dict[str, Any] | None = None
    if "site" in given:
        v = given["site"]
        if is_missing(v):
            values["site_id"] = None
        else:
            site, prob = _site(conn, v, lang)
            if prob is not None:
                problems.append(prob)
            else:
                values["site_id"] = site["id"] if site else None
    elif current is not None and current.get("site_id") is not None and "zone_id" in values:
        site, _ = _site(conn, int(current["site_id"]), lang)
    zid = values.get("zone_id", current.get("zone_id") if current else None)
    if site is not None and site["zone_id"] is not None and zid is not None \
            and int(site["zone_id"]) != int(zid):
        p("site", "measures.err.site_other_zone", site=site["name"],
          site_zone=zones.get(int(site["zone_id"]), site["zone_id"]), zone=zones.get(int(zid), zid))
    if "cell_id" in given:
        v = given["cell_id"]
        if is_missing(v):
            values["cell_id"] = None
        elif not _CELL_RE.match(str(v).strip()):
            p("cell_id", "measures.err.cell_format", value=v)
        else:
            values["cell_id"] = str(v).strip()
    for field, limit in (("title", MAX_TITLE), ("description", None)):
        if field not in given and not (creating and field == "title"):
            continue
        text = unicodedata.normalize("NFC", "" if is_missing(given.get(field)) else
                                     str(given[field])).strip()
        if field == "title" and not text:
            p("title", "measures.err.title_empty")
        elif limit and len(text) > limit:
            p(field, "measures.err.too_long", field=label(field), n=len(text), max=limit)
        elif contains_identity_number(text):
            p(field, "measures.err.identity_number", field=label(field))
        else:
            values[field] = text
    if "priority_area" in given or creating:
        v = given.get("priority_area")
        area = resolve_priority_area(v)
        if area is None:
            key = "measures.err.priority_missing" if is_missing(v) else "measures.err.priority_unknown"
            p("priority_area", key, value=v, known=_known(PRIORITY_AREAS))
        else:
            values["priority_area"] = area
    if "actor" in given or creating:
        v = given.get("actor")
        actors = {fold(n): n for n in conn.execute(select(ACTORS.c.name)).scalars()}
        known = _known(sorted(actors.values(), key=sv_key))
        if is_missing(v):
            p("actor", "measures.err.actor_missing", known=known)
        elif fold(v) not in actors:
            p("actor", "measures.err.actor_unknown", value=v, known=known)
        else:
            values["actor"] = actors[fold(v)]
    if "status" in given:
        code = resolve_status(given["status"])
        if code is None:
            p("status", "measures.err.status_unknown", value=given["status"],
              known=_known(MEASURE_STATUSES))
        else:
            values["status"] = code
    elif creating:
        values["status"] = "planerad"
    dates_ok = True
    for field in DATE_FIELDS:
        if field not in given:
            continue
        try:
            values[field] = _as_date(given[field])
        except (TypeError, ValueError):
            dates_ok = False
            p(field, "measures.err.date_invalid", field=label(field), value=given[field])
    if dates_ok:
        merged = {**(current or {}), **values}
        start, due = merged.get("start"), merged.get("due")
        if start is not None and due is not None and due < start and (
                "start" in values or "due" in values):
            p("due", "measures.err.due_before_start", due=due.isoformat(),
              start=start.isoformat())
    return values, problems


def _raise(problems: list[Problem], lang: str) -> None:
    if problems:
        raise DataValidationError(problems, summary=t("measures.err.summary", lang))


def add_measure(engine: Engine, who: Principal, *, lang: str = "sv", **fields: Any) -> int:
    """Add a measure; returns its id. ``fields``: zone (name or id; required), site (name or
    id), cell_id, title (required), description, priority_area (required), actor (required),
    status (default planerad), start, due, next_followup (dates or ISO text)."""
    who.require(Perm.EDIT_MEASURES, lang)
    with engine.begin() as conn:
        values, problems = _validate(conn, fields, None, lang)
        _raise(problems, lang)
        now = datetime.now(UTC)
        values.setdefault("description", "")
        row = {**values, "source": "app", "created_at": now, "updated_at": now}
        mid = _insert(conn, M, **row)
        audit.record(conn, who, "create", "measure", mid, fields=values)
        bump_data_version(conn)
    return mid


def update_measure(engine: Engine, who: Principal, measure_id: int, *, lang: str = "sv",
                   **changes: Any) -> dict[str, tuple[Any, Any]]:
    """Change the given fields (names as in :func:`add_measure`; None or "" clears an optional
    one). Returns {field: (old, new)} of what actually changed ({} when nothing did); zone
    and site by name."""
    who.require(Perm.EDIT_MEASURES, lang)
    with engine.begin() as conn:
        current = _require_row(conn, measure_id, lang, for_update=True)
        for col in DATE_FIELDS:
            current[col] = _as_date(current[col])
        values, problems = _validate(conn, changes, current, lang)
        _raise(problems, lang)
        diff = {k: (current.get(k), v) for k, v in values.items() if current.get(k) != v}
        if not diff:
            return {}
        conn.execute(M.update().where(M.c.id == int(measure_id))
                     .values(**{k: new for k, (_, new) in diff.items()},
                             updated_at=datetime.now(UTC)))
        shown = _named(conn, diff)
        audit.record(conn, who, "update", "measure", int(measure_id),
                     changes={k: [old, new] for k, (old, new) in shown.items()})
        bump_data_version(conn)
    return shown


def _named(conn: Connection, diff: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    """The diff with ``zone_id``/``site_id`` shown as ``zone``/``site`` names."""
    out = {}
    for k, (old, new) in diff.items():
        if k in ("zone_id", "site_id"):
            tbl = ZONES if k == "zone_id" else SITES
            ids = [i for i in (old, new) if i is not None]
            names = dict(conn.execute(select(tbl.c.id, tbl.c.name).where(tbl.c.id.in_(ids))).all())
            out[k[:-3]] = (names.get(old), names.get(new))
        else:
            out[k] = (old, new)
    return out


def add_note(engine: Engine, who: Principal, measure_id: int, text: str,
             noted_on: date | str | None = None, *, lang: str = "sv") -> int:
    """Add a dated follow-up note (author = the role of ``who``, not a name); returns its id.
    ``noted_on`` defaults to today (Europe/Stockholm)."""
    who.require(Perm.EDIT_MEASURES, lang)
    problems = []
    body = unicodedata.normalize("NFC", str(text or "")).strip()
    if not body:
        problems.append(Problem(None, "note", t("measures.err.note_empty", lang)))
    elif contains_identity_number(body):
        problems.append(Problem(None, "note", t("measures.err.identity_number", lang,
                                                field=t("measures.field.note", lang))))
    try:
        day = _as_date(noted_on) or local_today()
    except (TypeError, ValueError):
        problems.append(Problem(None, "noted_on", t(
            "measures.err.date_invalid", lang, field=t("measures.field.noted_on", lang),
            value=noted_on)))
    with engine.begin() as conn:
        _require_row(conn, measure_id, lang)
        _raise(problems, lang)
        nid = _insert(conn, NOTES, measure_id=int(measure_id), noted_on=day,
                      author_role=str(who.role), text=body)
        audit.record(conn, who, "note", "measure", int(measure_id), note_id=nid,
                     noted_on=day.isoformat())
        bump_data_version(conn)
    return nid


def link_points(engine: Engine, who: Principal, measure_id: int, *,
                incidents: Iterable[int] = (), observations: Iterable[int] = (),
                lang: str = "sv") -> int:
    """Link incidents/observations that motivated the measure; returns the number of new
    links (a link that exists is not added twice)."""
    who.require(Perm.EDIT_MEASURES, lang)
    wanted = {"incident": sorted({int(i) for i in incidents}),
              "observation": sorted({int(i) for i in observations})}
    if not wanted["incident"] and not wanted["observation"]:
        raise DataValidationError([Problem(None, "incident", t("measures.err.link_none", lang))])
    lk = LINKS
    with engine.begin() as conn:
        _require_row(conn, measure_id, lang)
        problems, new_rows = [], []
        for kind, tbl, col in (("incident", INCIDENTS, "incident_id"),
                               ("observation", OBSERVATIONS, "observation_id")):
            ids = wanted[kind]
            if not ids:
                continue
            found = set(conn.execute(select(tbl.c.id).where(tbl.c.id.in_(ids))).scalars())
            missing = [i for i in ids if i not in found]
            if missing:
                problems.append(Problem(None, kind, t("measures.err.link_unknown", lang,
                                                      field=t(f"measures.field.{kind}", lang),
                                                      ids=_known(missing))))
            have = set(conn.execute(select(lk.c[col]).where(
                lk.c.measure_id == int(measure_id), lk.c[col].is_not(None))).scalars())
            new_rows += [{"measure_id": int(measure_id), col: i}
                         for i in ids if i in found and i not in have]
        _raise(problems, lang)
        if new_rows:
            for r in new_rows:
                conn.execute(lk.insert().values(**r))
            audit.record(conn, who, "link", "measure", int(measure_id),
                         incident=[r["incident_id"] for r in new_rows if "incident_id" in r],
                         observation=[r["observation_id"] for r in new_rows
                                      if "observation_id" in r])
            bump_data_version(conn)
    return len(new_rows)


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
    points: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
    lang: str = "sv",
) -> dict[str, Any]:
    """Counts before/after one measure by :func:`mapapp.analysis.beforeafter.before_after`
    (its rule: site radius or zone; the same months a year earlier when the data reach back).
    ``points``/``sites`` may be passed when already loaded (for ``who``)."""
    from mapapp.analysis.beforeafter import before_after as compute

    who.require(Perm.VIEW_AGGREGATES, lang)
    m = get_measure(engine, who, measure_id, lang=lang)
    if m["start"] is None:
        raise DataValidationError([Problem(None, "start", t("measures.ui.ba_no_start", lang))])
    if points is None:
        points = measure_points(engine, who)
    if sites is None:
        from mapapp.store.district import sites_frame

        sites = sites_frame(engine)
    return compute(m, points, sites=sites, months=months, radius_m=radius_m, lang=lang)
