"""The audit log: every create, change, delete, import, export, log-in and role change.

Append-only from the app: there is no function here that updates or deletes a row.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from mapapp.access import Perm, Principal
from mapapp.store.engine import read_connection
from mapapp.store.models import AuditEvent

log = logging.getLogger(__name__)


def record(
    conn: Connection,
    who: Principal,
    action: str,
    entity: str,
    entity_id: object = None,
    **detail: Any,
) -> None:
    """Add one audit row inside the caller's transaction (so it commits with the change).

    Text is fitted to its column (cut at the column's length; NUL, which PostgreSQL refuses,
    becomes U+FFFD), so that odd input -- a 300-character user name typed at the log-in form --
    is still recorded instead of failing the action.

    The same event goes to the log at INFO: who, what, which row -- never ``detail``, which may
    name files or fields a user typed."""
    log.info("audit: %s (%s) %s %s %s", who.username, who.role, action, entity,
             "" if entity_id is None else entity_id)
    conn.execute(
        insert(AuditEvent).values(
            at=datetime.now(UTC),
            username=fit(who.username, "username"),
            role=fit(str(who.role), "role"),
            action=fit(action, "action"),
            entity=fit(entity, "entity"),
            entity_id=None if entity_id is None else fit(str(entity_id), "entity_id"),
            detail=_jsonable(detail),
        )
    )


def fit(text: str, column: str) -> str:
    """``text`` as it is stored in the audit column ``column`` (cut to its length, no NUL)."""
    length = getattr(AuditEvent.__table__.c[column].type, "length", None) or len(text)
    text = text.replace("\x00", "\ufffd")
    return text if len(text) <= length else text[: length - 1] + "…"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN/inf are not JSON
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def events(
    engine: Engine, who: Principal, *, since: datetime | None = None, limit: int | None = None,
    until: datetime | None = None, actions: Sequence[str] | None = None,
    username: str | None = None,
) -> pd.DataFrame:
    """The audit rows, newest first (admins only). ``since`` is inclusive, ``until``
    exclusive (aware datetimes); ``actions`` and ``username`` filter exactly."""
    who.require(Perm.VIEW_AUDIT)
    t = AuditEvent.__table__
    q = select(t.c.id, t.c.at, t.c.username, t.c.role, t.c.action, t.c.entity,
               t.c.entity_id, t.c.detail).order_by(t.c.id.desc())
    if since is not None:
        q = q.where(t.c.at >= since)
    if until is not None:
        q = q.where(t.c.at < until)
    if actions is not None:
        q = q.where(t.c.action.in_(list(actions)))
    if username:
        q = q.where(t.c.username == username)
    if limit:
        q = q.limit(limit)
    with read_connection(engine) as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=["id", "at", "username", "role", "action", "entity",
                                       "entity_id", "detail"])
