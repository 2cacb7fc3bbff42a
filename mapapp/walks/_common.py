"""Shared by the walk modules: constants, the retrying idempotent write, team checks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from mapapp.access import Principal, Role
from mapapp.errors import (
    PermissionDeniedError,
    StoreError,
)
from mapapp.i18n import t
from mapapp.logs import survived

log = logging.getLogger(__name__)

APP_SOURCE = "app"
PARTICIPANT_GROUPS: tuple[str, ...] = ("boende", "personal", "polis", "fastighetsagare")
MAX_PARTICIPANTS = 200
_RETRIES = 4
T = TypeVar("T")


# --- helpers ----------------------------------------------------------------------------------

def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def _aware(value: Any) -> datetime:
    ts = pd.Timestamp(value)
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts).to_pydatetime()


def _transient(exc: BaseException) -> bool:
    """A busy/locked database or a dropped connection: worth retrying an idempotent write."""
    cur: BaseException | None = exc
    while cur is not None:
        text = str(cur).lower()
        if isinstance(cur, DBAPIError) and cur.connection_invalidated:
            return True
        if any(s in text for s in ("database is locked", "database is busy", "deadlock detected",
                                   "could not serialize", "server closed the connection",
                                   "connection refused", "terminating connection",
                                   # two writers of the same new key: the retry finds the row
                                   "duplicate key value", "unique constraint failed")):
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def _write(engine: Engine, fn: Callable[[Connection], T], *, lang: str) -> T:
    """Run ``fn`` in one transaction; retry a transient failure; a final failure says that
    nothing was saved. Validation errors raised by ``fn`` roll back and pass through."""
    for attempt in range(_RETRIES):
        try:
            with engine.begin() as conn:
                return fn(conn)
        except (DBAPIError, StoreError) as exc:
            if attempt < _RETRIES - 1 and _transient(exc):
                survived(log, exc, "walk write attempt %s failed, retrying", attempt + 1,
                         level=logging.INFO)
                time.sleep(0.1 * 2 ** attempt)
                continue
            raise StoreError(t("walks.save_failed", lang)) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _check_team(who: Principal, team: str | None, *, lang: str) -> None:
    """A walk team works on its own team's walks and observations; others (coordinators,
    police, admins) on every walk."""
    if who.role == Role.VANDRARE and (team or "") != (who.team or ""):
        raise PermissionDeniedError(t("walks.other_team", lang))
