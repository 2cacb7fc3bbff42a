"""Observations from a field form belong to the walk named in the form (``walk_name``).

A walk with that title (case-insensitive) is used when there is one; otherwise one walk per
name is created in the import's transaction: its zone is the zone most of its observations lie
in, it starts at the earliest observation, its status is ``genomford`` and its
``submission_id`` is ``"odk:" + sha1(source|name)``, so importing the export again finds it
instead of making a second one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, insert, select

from mapapp.access import Principal
from mapapp.i18n import Message
from mapapp.io.report import ImportReport
from mapapp.store import audit
from mapapp.store.district import area_ids
from mapapp.store.models import Walk
from mapapp.walks import PARTICIPANT_GROUPS


def walk_submission_id(source: str, name: str) -> str:
    return "odk:" + hashlib.sha1(f"{source}|{name}".encode()).hexdigest()  # noqa: S324


def link_walks(conn: Connection, who: Principal, frame: pd.DataFrame, report: ImportReport,
               *, organiser: str) -> pd.DataFrame:
    """Set ``walk_id`` from ``walk_name`` (dropped afterwards); a walk made here is stored with
    ``organiser`` (stored text, in the language the import writes in)."""
    names = frame["walk_name"].fillna("").astype(str).str.strip()
    walk_ids = np.full(len(frame), np.nan)
    created = []
    for name in sorted(n for n in pd.unique(names) if n):
        mask = (names == name).to_numpy()
        source = str(frame["source"].iloc[int(np.flatnonzero(mask)[0])])
        sub_id = walk_submission_id(source, name)
        have = conn.execute(select(Walk.id).where(
            (Walk.submission_id == sub_id) | (func.lower(Walk.title) == name.lower()))
            .order_by(Walk.id)).first()
        if have is not None:
            walk_ids[mask] = have[0]
            continue
        zone_id = _main_zone(conn, frame["lon"].to_numpy()[mask], frame["lat"].to_numpy()[mask])
        if zone_id is None:
            continue  # no zone to hang the walk on: the observations keep no walk
        starts = pd.to_datetime(frame["occurred_at"][mask], utc=True).min()
        wid = conn.execute(insert(Walk).values(
            submission_id=sub_id, title=name[:200], zone_id=zone_id,
            starts_at=starts.to_pydatetime(), organiser=organiser,
            participants={g: 0 for g in PARTICIPANT_GROUPS}, route_wkb=None,
            status="genomford", team=None, created_by=who.username,
            created_at=datetime.now(UTC)).returning(Walk.id)).scalar_one()
        audit.record(conn, who, "create", "walk", wid, source=source, title=name)
        walk_ids[mask] = wid
        created.append(name)
    out = frame.drop(columns=["walk_name"])
    out["walk_id"] = walk_ids
    if created:
        report.messages.append(Message("io.report.walks_created", {"names": ", ".join(created)}))
    return out


def _main_zone(conn: Connection, lon: np.ndarray, lat: np.ndarray) -> int | None:
    zone_ids, _ = area_ids(conn, lon.astype("float64"), lat.astype("float64"))
    z = zone_ids[~np.isnan(zone_ids)]
    if len(z) == 0:
        return None
    values, counts = np.unique(z, return_counts=True)
    return int(values[int(np.argmax(counts))])
