"""Drafts of unsaved observation forms, kept server-side per user + walk and keyed by the
form's submission id, so that a page reload or a dropped connection loses nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, delete, select

from mapapp.access import Perm, Principal
from mapapp.store.models import (
    WalkDraft,
)
from mapapp.walks._common import (
    _aware,
    _now,
)
from mapapp.walks.observations import _observation_id

# --- drafts -----------------------------------------------------------------------------------

DRAFT_FIELDS = ("category", "lon", "lat", "accuracy_m", "site_id", "ratings", "note", "how")


@dataclass(frozen=True)
class Draft:
    submission_id: str
    walk_id: int
    data: dict[str, Any]
    photo: bytes | None
    photo_mime: str | None
    updated_at: datetime


def save_draft(
    engine: Engine, who: Principal, *, walk_id: int, submission_id: str, data: Mapping[str, Any],
    photo: bytes | None = None, photo_mime: str | None = None,
) -> bool:
    """Keep an unsaved form server-side (one row per submission id); False when this
    submission is already stored as an observation or belongs to another user (nothing
    written then). Not audited, not map data."""
    who.require(Perm.WALK)
    clean = {k: data[k] for k in DRAFT_FIELDS if k in data}
    d: Table = WalkDraft.__table__  # type: ignore[assignment]
    with engine.begin() as conn:
        if _observation_id(conn, submission_id) is not None:
            return False
        values = {"data": clean, "photo": photo, "photo_mime": photo_mime,
                  "updated_at": _now(None)}
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
        stmt = dialect_insert(d).values(submission_id=submission_id, username=who.username,
                                        walk_id=walk_id, **values)
        res = conn.execute(stmt.on_conflict_do_update(
            index_elements=[d.c.submission_id], set_=values,
            where=d.c.username == who.username))
        return bool(res.rowcount)


def load_draft(engine: Engine, who: Principal, walk_id: int, submission_id: str | None = None
               ) -> Draft | None:
    """``who``'s draft of ``submission_id``, else its newest draft of the walk; drafts whose
    submission has been stored meanwhile are dropped."""
    d = WalkDraft.__table__
    q = (select(d).where(d.c.username == who.username, d.c.walk_id == walk_id)
         .order_by(d.c.updated_at.desc(), d.c.id.desc()))
    if submission_id:
        q = q.where(d.c.submission_id == submission_id)
    with engine.begin() as conn:
        for r in conn.execute(q).mappings().all():
            if _observation_id(conn, r["submission_id"]) is not None:
                conn.execute(delete(WalkDraft).where(WalkDraft.id == r["id"]))
                continue
            return Draft(r["submission_id"], r["walk_id"], dict(r["data"] or {}),
                         None if r["photo"] is None else bytes(r["photo"]), r["photo_mime"],
                         _aware(r["updated_at"]))
    return None


def discard_draft(engine: Engine, who: Principal, submission_id: str) -> None:
    """Drop ``who``'s draft of ``submission_id`` (the form was emptied on purpose)."""
    with engine.begin() as conn:
        conn.execute(delete(WalkDraft).where(WalkDraft.submission_id == submission_id,
                                             WalkDraft.username == who.username))


def latest_draft_walk(engine: Engine, who: Principal) -> int | None:
    """The walk of ``who``'s most recently changed draft (to reopen it after a new log-in)."""
    d = WalkDraft.__table__
    with engine.connect() as conn:
        row = conn.execute(select(d.c.walk_id).where(d.c.username == who.username)
                           .order_by(d.c.updated_at.desc(), d.c.id.desc()).limit(1)).first()
    return None if row is None else int(row[0])
