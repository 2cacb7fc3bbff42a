"""Checking a measure before it is written: one check per field, every problem collected.

Each ``check_*`` takes the value given for its field and returns the column values to write
and the problems found (:class:`~mapapp.errors.Problem` with a message key and parameters,
``field`` the form field it belongs to). :func:`validate` runs the checks of the fields given
(all required ones when creating) and then the checks across fields (the site lies in the
zone, the due date is not before the start)."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from mapapp.categories import MEASURE_STATUSES, PRIORITY_AREAS
from mapapp.errors import DataValidationError, NotFoundError, Problem
from mapapp.i18n import Message
from mapapp.logs import survived
from mapapp.measures._tables import (
    ACTORS,
    CELL_RE,
    DATE_FIELDS,
    FIELDS,
    MAX_TITLE,
    SITES,
    known,
    zone_names,
)
from mapapp.measures.query import find_zone
from mapapp.measures.rules import (
    as_date,
    contains_identity_number,
    resolve_priority_area,
    resolve_status,
    sv_key,
)
from mapapp.values import fold, is_missing

log = logging.getLogger(__name__)
ALIASES = {"zone_id": "zone", "site_id": "site", "cell": "cell_id"}


@dataclass
class Checked:
    """What the checks found: column values to write and problems."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where: str, key: str, **params: Any) -> None:
        self.problems.append(Problem(None, where, key, params))


def field_label(name: str) -> Message:
    """The label of a measure field, rendered in the language of the message it goes into."""
    return Message(f"measures.field.{name}")


def raise_problems(problems: list[Problem]) -> None:
    """One :class:`DataValidationError` with every problem (nothing when there are none)."""
    if problems:
        raise DataValidationError(problems, summary="measures.err.summary")


# --- one check per field ------------------------------------------------------------------------

def check_zone(conn: Connection, value: Any, out: Checked) -> None:
    zones = zone_names(conn)
    if is_missing(value):
        out.problem("zone", "measures.err.zone_missing", known=known(zones.values()))
        return
    try:
        out.values["zone_id"] = find_zone(conn, value)
    except NotFoundError as exc:
        survived(log, exc, "measure: zone not found", level=logging.DEBUG)
        out.problem("zone", "measures.err.zone_unknown", value=value, known=known(zones.values()))


def find_site(conn: Connection, value: Any) -> tuple[dict[str, Any] | None, Problem | None]:
    """The site (id, zone_id, name) for a site id or name, or the problem."""
    q = select(SITES.c.id, SITES.c.zone_id, SITES.c.name)
    if isinstance(value, int | np.integer):
        hits = [dict(r) for r in conn.execute(q.where(SITES.c.id == int(value))).mappings()]
    else:
        hits = [dict(r) for r in conn.execute(q).mappings() if fold(r["name"]) == fold(value)]
    if len(hits) == 1:
        return hits[0], None
    key = "measures.err.site_unknown" if not hits else "measures.err.site_ambiguous"
    return None, Problem(None, "site", key, {"value": value, "n": len(hits)})


def check_site(conn: Connection, value: Any, out: Checked) -> dict[str, Any] | None:
    if is_missing(value):
        out.values["site_id"] = None
        return None
    site, prob = find_site(conn, value)
    if prob is not None:
        out.problems.append(prob)
        return None
    out.values["site_id"] = site["id"] if site else None
    return site


def check_cell(value: Any, out: Checked) -> None:
    if is_missing(value):
        out.values["cell_id"] = None
    elif not CELL_RE.match(str(value).strip()):
        out.problem("cell_id", "measures.err.cell_format", value=value)
    else:
        out.values["cell_id"] = str(value).strip()


def check_text(name: str, value: Any, out: Checked, *, required: bool = False,
               limit: int | None = None) -> None:
    """A free text (title, description): trimmed, not empty when ``required``, at most
    ``limit`` characters, no identity number."""
    text = unicodedata.normalize("NFC", "" if is_missing(value) else str(value)).strip()
    if required and not text:
        out.problem(name, f"measures.err.{name}_empty")
    elif limit and len(text) > limit:
        out.problem(name, "measures.err.too_long", field=field_label(name), n=len(text), max=limit)
    elif contains_identity_number(text):
        out.problem(name, "measures.err.identity_number", field=field_label(name))
    else:
        out.values[name] = text


def check_priority_area(value: Any, out: Checked) -> None:
    area = resolve_priority_area(value)
    if area is None:
        key = "measures.err.priority_missing" if is_missing(value) else "measures.err.priority_unknown"
        out.problem("priority_area", key, value=value, known=known(PRIORITY_AREAS))
    else:
        out.values["priority_area"] = area


def check_actor(conn: Connection, value: Any, out: Checked) -> None:
    actors = {fold(n): n for n in conn.execute(select(ACTORS.c.name)).scalars()}
    names = known(sorted(actors.values(), key=sv_key))
    if is_missing(value):
        out.problem("actor", "measures.err.actor_missing", known=names)
    elif fold(value) not in actors:
        out.problem("actor", "measures.err.actor_unknown", value=value, known=names)
    else:
        out.values["actor"] = actors[fold(value)]


def check_status(value: Any, out: Checked) -> None:
    code = resolve_status(value)
    if code is None:
        out.problem("status", "measures.err.status_unknown", value=value,
                    known=known(MEASURE_STATUSES))
    else:
        out.values["status"] = code


def check_date(name: str, value: Any, out: Checked) -> bool:
    """A date field (a date or ISO text; missing clears it); False when it is not a date."""
    try:
        out.values[name] = as_date(value)
    except (TypeError, ValueError) as exc:
        survived(log, exc, "measure: %s is no date", name, level=logging.DEBUG)
        out.problem(name, "measures.err.date_invalid", field=field_label(name), value=value)
        return False
    return True


# --- across fields ------------------------------------------------------------------------------

def check_site_in_zone(conn: Connection, site: dict[str, Any] | None, zone_id: Any,
                       out: Checked) -> None:
    if site is None or site["zone_id"] is None or zone_id is None:
        return
    if int(site["zone_id"]) != int(zone_id):
        zones = zone_names(conn)
        out.problem("site", "measures.err.site_other_zone", site=site["name"],
                    site_zone=zones.get(int(site["zone_id"]), site["zone_id"]),
                    zone=zones.get(int(zone_id), zone_id))


def check_date_order(start: date | None, due: date | None, out: Checked) -> None:
    if start is not None and due is not None and due < start:
        out.problem("due", "measures.err.due_before_start", due=due.isoformat(),
                    start=start.isoformat())


def validate(conn: Connection, fields: Mapping[str, Any], current: Mapping[str, Any] | None
             ) -> tuple[dict[str, Any], list[Problem]]:
    """Column values for the fields given, and every problem. With ``current`` (an update)
    only the given fields are checked alone; the date order and the site's zone are checked on
    the merged measure."""
    out = Checked()
    given = {ALIASES.get(k, k): v for k, v in fields.items()}
    for k in given:
        if k not in FIELDS:
            out.problem(k, "measures.err.unknown_field", field=k, known=known(FIELDS))
    creating = current is None
    if "zone" in given or creating:
        check_zone(conn, given.get("zone"), out)
    site: dict[str, Any] | None = None
    if "site" in given:
        site = check_site(conn, given["site"], out)
    elif current is not None and current.get("site_id") is not None and "zone_id" in out.values:
        site, _ = find_site(conn, int(current["site_id"]))
    check_site_in_zone(conn, site, out.values.get(
        "zone_id", current.get("zone_id") if current else None), out)
    if "cell_id" in given:
        check_cell(given["cell_id"], out)
    if "title" in given or creating:
        check_text("title", given.get("title"), out, required=True, limit=MAX_TITLE)
    if "description" in given:
        check_text("description", given["description"], out)
    if "priority_area" in given or creating:
        check_priority_area(given.get("priority_area"), out)
    if "actor" in given or creating:
        check_actor(conn, given.get("actor"), out)
    if "status" in given:
        check_status(given["status"], out)
    elif creating:
        out.values["status"] = "planerad"
    dates_ok = all([check_date(f, given[f], out) for f in DATE_FIELDS if f in given])
    if dates_ok and ("start" in out.values or "due" in out.values):
        merged = {**(current or {}), **out.values}
        check_date_order(merged.get("start"), merged.get("due"), out)
    return out.values, out.problems


def ids_from_text(text: str | None, field: str) -> list[int]:
    """Point ids typed as "12, 15; 17" (commas, semicolons or spaces); a part that is not a
    whole number is a :class:`DataValidationError` on ``field``.

    >>> ids_from_text("12, 15;17 ", "incident"), ids_from_text("", "incident")
    ([12, 15, 17], [])
    """
    parts = (text or "").replace(";", ",").replace(" ", ",").split(",")
    parts = [p.strip() for p in parts if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise DataValidationError([Problem(None, field, "measures.ui.bad_ids",
                                           {"field": field_label(field)})])
    return [int(p) for p in parts]
