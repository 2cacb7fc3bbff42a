"""The tables and columns the measure modules share (private to :mod:`mapapp.measures`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, select

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
MAX_ACTOR = 200
CELL_RE = re.compile(r"^\d+m-E\d+-N\d+$|^[0-9a-f]{15}$")


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


M, NOTES, LINKS = _table(Measure), _table(MeasureNote), _table(MeasureLink)
ZONES, SITES, ACTORS, AUDIT = _table(Zone), _table(Site), _table(Actor), _table(AuditEvent)
INCIDENTS, OBSERVATIONS = _table(Incident), _table(Observation)


def zone_names(conn: Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in conn.execute(select(ZONES.c.id, ZONES.c.name)
                                                    .order_by(ZONES.c.id))}


def known(values: Iterable[Any]) -> str:
    """Values listed for a message ("Kända: a, b, c")."""
    return ", ".join(str(v) for v in values)
