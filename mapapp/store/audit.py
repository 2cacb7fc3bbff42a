"""The audit log: every create, change, delete, import, export, log-in and role change.

Append-only from the app: there is no function here that updates or deletes a row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from mapapp.access import Perm, Principal
from mapapp.store.models import AuditEvent


def record(
    conn: Connection,
    who: Principal,
    action: str,
    entity: str,
    entity_id: object = None,
    **detail: Any,
) -> None:
    """Add one audit row inside the caller's transaction (so it commits with the change)."""
    conn.execute(
        insert(AuditEvent).values(
            at=datetime.now(UTC),
            username=who.username,
            role=str(who.role),
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=_jsonable(detail),
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def events(
    engine: Engine, who: Principal, *, since: datetime | None = None, limit: int | None = None
) -> pd.DataFrame:
    """The audit rows, newest first (admins only)."""
    who.require(Perm.VIEW_AUDIT)
    t = AuditEvent.__table__
    q = select(t.c.id, t.c.at, t.c.username, t.c.role, t.c.action, t.c.entity,
               t.c.entity_id, t.c.detail).order_by(t.c.id.desc())
    if since is not None:
        q = q.where(t.c.at >= since)
    if limit:
        q = q.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=["id", "at", "username", "role", "action", "entity",
                                       "entity_id", "detail"])
