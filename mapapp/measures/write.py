"""Writing measures: add and change a measure, follow-up notes, links to the points that
motivated it, and the actors. Every write checks the role, validates first (nothing is written
when anything is wrong), is audited in the same transaction and bumps the data version."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from mapapp.access import Perm, Principal
from mapapp.errors import DataValidationError, Problem
from mapapp.logs import survived
from mapapp.measures._tables import (
    ACTORS,
    DATE_FIELDS,
    INCIDENTS,
    LINKS,
    MAX_ACTOR,
    NOTES,
    OBSERVATIONS,
    SITES,
    ZONES,
    M,
    known,
)
from mapapp.measures.query import require_row
from mapapp.measures.rules import as_date, contains_identity_number
from mapapp.measures.validate import field_label, raise_problems, validate
from mapapp.store import audit
from mapapp.store.engine import bump_data_version
from mapapp.timezone import local_today
from mapapp.values import fold

log = logging.getLogger(__name__)


def add_actor(engine: Engine, who: Principal, name: str) -> int:
    """Add an actor to the editable list; returns its id."""
    who.require(Perm.EDIT_MEASURES)
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name:
        raise DataValidationError([Problem(None, "actor", "measures.err.actor_empty")])
    if len(name) > MAX_ACTOR:
        raise DataValidationError([Problem(None, "actor", "measures.err.too_long", {
            "field": field_label("actor"), "n": len(name), "max": MAX_ACTOR})])
    with engine.begin() as conn:
        if fold(name) in {fold(n) for n in conn.execute(select(ACTORS.c.name)).scalars()}:
            raise DataValidationError([Problem(None, "actor", "measures.err.actor_exists",
                                               {"name": name})])
        aid = _insert(conn, ACTORS, name=name)
        audit.record(conn, who, "create", "actor", aid, name=name)
    return aid




def _insert(conn: Connection, table: Table, **values: Any) -> int:
    key = conn.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def add_measure(engine: Engine, who: Principal, **fields: Any) -> int:
    """Add a measure; returns its id. ``fields``: zone (name or id; required), site (name or
    id), cell_id, title (required), description, priority_area (required), actor (required),
    status (default planerad), start, due, next_followup (dates or ISO text)."""
    who.require(Perm.EDIT_MEASURES)
    with engine.begin() as conn:
        values, problems = validate(conn, fields, None)
        raise_problems(problems)
        now = datetime.now(UTC)
        values.setdefault("description", "")
        row = {**values, "source": "app", "created_at": now, "updated_at": now}
        mid = _insert(conn, M, **row)
        audit.record(conn, who, "create", "measure", mid, fields=values)
        bump_data_version(conn)
    return mid


def update_measure(engine: Engine, who: Principal, measure_id: int,
                   **changes: Any) -> dict[str, tuple[Any, Any]]:
    """Change the given fields (names as in :func:`add_measure`; None or "" clears an optional
    one). Returns {field: (old, new)} of what actually changed ({} when nothing did); zone
    and site by name."""
    who.require(Perm.EDIT_MEASURES)
    with engine.begin() as conn:
        current = require_row(conn, measure_id, for_update=True)
        for col in DATE_FIELDS:
            current[col] = as_date(current[col])
        values, problems = validate(conn, changes, current)
        raise_problems(problems)
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
             noted_on: date | str | None = None) -> int:
    """Add a dated follow-up note (author = the role of ``who``, not a name); returns its id.
    ``noted_on`` defaults to today (Europe/Stockholm)."""
    who.require(Perm.EDIT_MEASURES)
    problems = []
    body = unicodedata.normalize("NFC", str(text or "")).strip()
    if not body:
        problems.append(Problem(None, "note", "measures.err.note_empty"))
    elif contains_identity_number(body):
        problems.append(Problem(None, "note", "measures.err.identity_number",
                                {"field": field_label("note")}))
    try:
        day = as_date(noted_on) or local_today()
    except (TypeError, ValueError) as exc:
        survived(log, exc, "measure note: noted_on is no date", level=logging.DEBUG)
        problems.append(Problem(None, "noted_on", "measures.err.date_invalid",
                                {"field": field_label("noted_on"), "value": noted_on}))
    with engine.begin() as conn:
        require_row(conn, measure_id)
        raise_problems(problems)
        nid = _insert(conn, NOTES, measure_id=int(measure_id), noted_on=day,
                      author_role=str(who.role), text=body)
        audit.record(conn, who, "note", "measure", int(measure_id), note_id=nid,
                     noted_on=day.isoformat())
        bump_data_version(conn)
    return nid


def link_points(engine: Engine, who: Principal, measure_id: int, *,
                incidents: Iterable[int] = (), observations: Iterable[int] = ()) -> int:
    """Link incidents/observations that motivated the measure; returns the number of new
    links (a link that exists is not added twice)."""
    who.require(Perm.EDIT_MEASURES)
    wanted = {"incident": sorted({int(i) for i in incidents}),
              "observation": sorted({int(i) for i in observations})}
    if not wanted["incident"] and not wanted["observation"]:
        raise DataValidationError([Problem(None, "incident", "measures.err.link_none")])
    lk = LINKS
    with engine.begin() as conn:
        require_row(conn, measure_id)
        problems, new_rows = [], []
        for kind, tbl, col in (("incident", INCIDENTS, "incident_id"),
                               ("observation", OBSERVATIONS, "observation_id")):
            ids = wanted[kind]
            if not ids:
                continue
            found = set(conn.execute(select(tbl.c.id).where(tbl.c.id.in_(ids))).scalars())
            missing = [i for i in ids if i not in found]
            if missing:
                problems.append(Problem(None, kind, "measures.err.link_unknown",
                                        {"field": field_label(kind), "ids": known(missing)}))
            have = set(conn.execute(select(lk.c[col]).where(
                lk.c.measure_id == int(measure_id), lk.c[col].is_not(None))).scalars())
            new_rows += [{"measure_id": int(measure_id), col: i}
                         for i in ids if i in found and i not in have]
        raise_problems(problems)
        if new_rows:
            for r in new_rows:
                conn.execute(lk.insert().values(**r))
            audit.record(conn, who, "link", "measure", int(measure_id),
                         incident=[r["incident_id"] for r in new_rows if "incident_id" in r],
                         observation=[r["observation_id"] for r in new_rows
                                      if "observation_id" in r])
            bump_data_version(conn)
    return len(new_rows)
