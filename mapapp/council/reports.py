"""Reports from residents and businesses ("Information från boende och verksamma").

One public link for everyone (``/?rapport``), no account: the reporter places a point in the
district, picks a category (including ``trygg_plats``, a safe place) and may add a short text
(checked for personal data). What keeps the queue clean:

- a *honeypot* field that people never see: a bot filling it gets the same thanks, and nothing
  is stored (:func:`submit_report` returns ``dropped``);
- a *rate limit* per sender address (``MAPAPP_REPORTS_PER_HOUR``, default 5 an hour); the
  address itself is never stored, only a keyed hash of it (the survey's server key);
- *duplicates*: a report of the same category within 50 m of one made (or observed) in the last
  14 days is not stored at first; the reporter is shown those as "already reported" and may
  still send theirs as a new point (``confirm_new``);
- a retried submission (the same ``submission_id``, made when the form opened) is stored once.

Reports wait in a review queue (status ``ny``); only a coordinator (``EDIT_MEASURES``)
publishes one into the observations (source ``allmanheten``) or rejects it. Every write is
audited; a sender is recorded as ``allmänheten``, never by address.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, func, insert, select, update

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import DataValidationError, NotFoundError, PermissionDeniedError, Problem
from mapapp.notecheck import NOTE_MAX_CHARS, check_note
from mapapp.settings import Settings, load_settings
from mapapp.store import audit
from mapapp.store.engine import bump_data_version
from mapapp.store.models import Observation, PublicReport, Zone

CATEGORIES: tuple[str, ...] = ("trygg_plats", "belysning", "vegetation", "klotter",
                               "skadegorelse", "nedskrapning", "missbruk", "samlingsplats",
                               "otrygg_passage", "trafik", "olovlig_bosattning", "ovrigt")
DUPLICATE_RADIUS_M = 50.0
DUPLICATE_DAYS = 14
SOURCE = "allmanheten"
STATUSES = ("ny", "publicerad", "avvisad")
_REFUSED_KINDS = {"personnummer", "personnummer_like", "email", "phone", "too_long"}
QUEUE_COLUMNS = ["id", "created_at", "category", "zone", "lon", "lat", "text", "status"]


@dataclass(frozen=True)
class _Public:
    username: str = "allmänheten"
    role: str = "allmanheten"


@dataclass(frozen=True)
class SubmitResult:
    """``status``: ``stored`` (new or the same submission again), ``duplicate`` (nothing
    stored; ``duplicates`` lists the reports and observations already there) or ``dropped``
    (the honeypot was filled: nothing stored, the reporter sees the same thanks)."""

    status: str
    report_id: int | None = None
    duplicates: list[dict[str, Any]] = field(default_factory=list)


def client_hash(address: str | None, settings: Settings) -> str:
    """A keyed hash of the sender's address (the address itself is never stored)."""
    from mapapp.council.survey import secret_key

    return hmac.new(secret_key(settings), f"report-client:{address or '-'}".encode(),
                    hashlib.sha256).hexdigest()


def _metric(lon: float, lat: float) -> tuple[float, float]:
    x, y = transformer(WGS84, METRIC).transform(lon, lat)
    return float(x), float(y)


def nearby(engine: Engine, category: str, lon: float, lat: float, *, now: datetime,
           radius_m: float = DUPLICATE_RADIUS_M, days: int = DUPLICATE_DAYS
           ) -> list[dict[str, Any]]:
    """Reports (not rejected) and observations of ``category`` within ``radius_m`` made in the
    last ``days`` days, nearest first: ``{kind, id, distance_m, at}``."""
    since = now - timedelta(days=days)
    dlat = radius_m / 111_000 * 1.5
    dlon = dlat * 2.2  # at 59°N a degree of longitude is ~0.51 of one of latitude
    box_r = (PublicReport.lon.between(lon - dlon, lon + dlon),
             PublicReport.lat.between(lat - dlat, lat + dlat))
    box_o = (Observation.lon.between(lon - dlon, lon + dlon),
             Observation.lat.between(lat - dlat, lat + dlat))
    with engine.connect() as conn:
        reps = conn.execute(select(PublicReport.id, PublicReport.lon, PublicReport.lat,
                                   PublicReport.created_at)
                            .where(PublicReport.category == category,
                                   PublicReport.status != "avvisad",
                                   PublicReport.created_at >= since, *box_r)).all()
        obs = conn.execute(select(Observation.id, Observation.lon, Observation.lat,
                                  Observation.occurred_at)
                           .where(Observation.category == category,
                                  Observation.occurred_at >= since, *box_o)).all()
    x0, y0 = _metric(lon, lat)
    out = []
    for kind, rows in (("report", reps), ("observation", obs)):
        for rid, rlon, rlat, at in rows:
            if rlon is None or rlat is None:
                continue
            x, y = _metric(float(rlon), float(rlat))
            d = ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5
            if d <= radius_m:
                out.append({"kind": kind, "id": int(rid), "distance_m": round(d, 1),
                            "at": pd.Timestamp(at).tz_convert("Europe/Stockholm").date()})
    return sorted(out, key=lambda r: r["distance_m"])


def submit_report(
    engine: Engine, *, submission_id: str, category: str, lon: float | None,
    lat: float | None, text: str = "", client_address: str | None = None,
    honeypot: str = "", confirm_new: bool = False, settings: Settings | None = None,
    now: datetime | None = None, district: shapely.Geometry | None = None,
) -> SubmitResult:
    """Take one public report (see the module docstring for the rules)."""
    settings = settings or load_settings()
    now = now or datetime.now(UTC)
    if honeypot.strip():
        return SubmitResult("dropped")
    problems: list[Problem] = []
    sub = (submission_id or "").strip()
    if not 8 <= len(sub) <= 64:
        problems.append(Problem(None, "submission_id", "report.bad_submission"))
    if category not in CATEGORIES:
        problems.append(Problem(None, "category", "report.bad_category"))
    if lon is None or lat is None:
        problems.append(Problem(None, "position", "report.no_position"))
    else:
        if district is None:
            from mapapp.store.district import district_outline

            district = district_outline(engine)
        if not shapely.intersects(district, shapely.Point(float(lon), float(lat))):
            problems.append(Problem(None, "position", "report.outside"))
    text = (text or "").strip()
    found = [f for f in check_note(text) if f.kind in _REFUSED_KINDS]
    if found:
        problems.append(Problem(None, "text", "report.personal_data", {"max": NOTE_MAX_CHARS}))
    if problems:
        raise DataValidationError(problems, summary="report.not_sent")
    assert lon is not None and lat is not None
    who = cast(Principal, _Public())
    sender = client_hash(client_address, settings)
    with engine.begin() as conn:
        have = conn.execute(select(PublicReport.id).where(PublicReport.submission_id == sub)
                            ).scalar()
        if have is not None:
            return SubmitResult("stored", int(have))
        recent = conn.execute(select(func.count()).select_from(PublicReport).where(
            PublicReport.client_hash == sender,
            PublicReport.created_at >= now - timedelta(hours=1))).scalar_one()
        if recent >= settings.reports_per_hour:
            raise PermissionDeniedError("report.rate_limited", n=settings.reports_per_hour)
    if not confirm_new:
        dups = nearby(engine, category, float(lon), float(lat), now=now)
        if dups:
            return SubmitResult("duplicate", None, dups)
    from mapapp.store.district import area_ids

    with engine.begin() as conn:
        zone_ids, _ = area_ids(conn, np.array([float(lon)]), np.array([float(lat)]))
        zid = float(zone_ids[0])
        rid = int(conn.execute(insert(PublicReport).values(
            submission_id=sub, category=category, lon=float(lon), lat=float(lat),
            zone_id=None if np.isnan(zid) else int(zid), text=text,
            status="ny", client_hash=sender, created_at=now).returning(PublicReport.id)
        ).scalar_one())
        audit.record(conn, who, "create", "public_report", rid, category=category)
    return SubmitResult("stored", rid)


def review_queue(engine: Engine, who: Principal, *, status: str = "ny") -> pd.DataFrame:
    """The reports with ``status`` (the queue: ``ny``), oldest first."""
    who.require(Perm.EDIT_MEASURES)
    q = (select(PublicReport.id, PublicReport.created_at, PublicReport.category,
                Zone.name.label("zone"), PublicReport.lon, PublicReport.lat, PublicReport.text,
                PublicReport.status)
         .outerjoin(Zone, Zone.id == PublicReport.zone_id)
         .where(PublicReport.status == status).order_by(PublicReport.id))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return pd.DataFrame(rows, columns=QUEUE_COLUMNS)


def _pending(conn: Any, report_id: int) -> Any:
    row = conn.execute(select(PublicReport).where(PublicReport.id == int(report_id))).first()
    if row is None:
        raise NotFoundError("report.not_found", id=report_id)
    if row.status != "ny":
        raise DataValidationError([Problem(None, "status", "report.already_reviewed",
                                           {"id": report_id, "status": row.status})])
    return row


def publish_report(engine: Engine, who: Principal, report_id: int, *,
                   category: str | None = None, now: datetime | None = None) -> int:
    """Publish a queued report as an observation (source ``allmanheten``); returns the
    observation's id. The coordinator may correct the category."""
    from mapapp.store.points import insert_points

    who.require(Perm.EDIT_MEASURES)
    now = now or datetime.now(UTC)
    if category is not None and category not in CATEGORIES:
        raise DataValidationError([Problem(None, "category", "report.bad_category")])
    with engine.begin() as conn:
        r = _pending(conn, report_id)
        frame = pd.DataFrame([{
            "source": SOURCE, "external_id": f"report-{r.id}", "category": category or r.category,
            "occurred_at": pd.Timestamp(r.created_at), "lon": r.lon, "lat": r.lat,
            "description": r.text or None, "status": "ny", "owner": cats.get(
                "observation", category or r.category).owner, "created_by": who.username,
            "created_at": pd.Timestamp(now), "updated_at": pd.Timestamp(now)}])
        frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True)
        insert_points(conn, frame, "observation")
        oid = int(conn.execute(select(Observation.id).where(
            Observation.source == SOURCE, Observation.external_id == f"report-{r.id}")
        ).scalar_one())
        conn.execute(update(PublicReport).where(PublicReport.id == r.id).values(
            status="publicerad", reviewed_by=who.username, reviewed_at=now, observation_id=oid))
        audit.record(conn, who, "update", "public_report", r.id, status="publicerad",
                     observation_id=oid)
        bump_data_version(conn)
    return oid


def reject_report(engine: Engine, who: Principal, report_id: int, *,
                  now: datetime | None = None) -> None:
    who.require(Perm.EDIT_MEASURES)
    with engine.begin() as conn:
        r = _pending(conn, report_id)
        conn.execute(update(PublicReport).where(PublicReport.id == r.id).values(
            status="avvisad", reviewed_by=who.username, reviewed_at=now or datetime.now(UTC)))
        audit.record(conn, who, "update", "public_report", r.id, status="avvisad")
