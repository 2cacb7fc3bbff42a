"""Observations of a walk: save exactly once, correct within the edit window, status,
photo."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.orm import Session

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.errors import (
    DataValidationError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    StoreError,
)
from mapapp.i18n import t
from mapapp.logs import survived
from mapapp.notecheck import blocking, check_note
from mapapp.settings import Settings, load_settings
from mapapp.store import audit
from mapapp.store.district import area_ids
from mapapp.store.engine import bump_data_version
from mapapp.store.models import (
    Observation,
    Site,
    Walk,
    WalkDraft,
)
from mapapp.store.points import insert_points
from mapapp.walks._common import (
    APP_SOURCE,
    _aware,
    _check_team,
    _now,
    _write,
)

log = logging.getLogger(__name__)

# --- observations -----------------------------------------------------------------------------

def _clean_ratings(ratings: Mapping[str, Any] | None, *, lang: str, problems: list[Problem]
                   ) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in (ratings or {}).items():
        if key not in cats.RATING_KEYS:
            problems.append(Problem(None, "ratings", t("walks.obs.rating_key", lang, key=key,
                                                       allowed=", ".join(cats.RATING_KEYS))))
        elif value is None:
            continue
        elif isinstance(value, bool) or not isinstance(value, int | np.integer) or \
                not 0 <= int(value) <= 3:
            problems.append(Problem(None, "ratings", t("walks.obs.rating_value", lang, key=key)))
        else:
            out[key] = int(value)
    return out


def _checked_fields(
    *, category: str | None, lon: float | None, lat: float | None, accuracy_m: float | None,
    ratings: Mapping[str, Any] | None, note: str | None, photo: bytes | None,
    settings: Settings, lang: str, known_places: Iterable[str], need_position: bool,
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate the form fields; every problem is collected."""
    from mapapp.photos import clean_photo

    problems: list[Problem] = []
    values: dict[str, Any] = {}
    code = cats.resolve("observation", category)
    if code is None:
        problems.append(Problem(None, "category", t(
            "walks.obs.category", lang, allowed=cats.allowed_list("observation", lang=lang))))
    values["category"] = code
    if need_position and (lon is None or lat is None
                          or not (math.isfinite(lon) and math.isfinite(lat))):
        problems.append(Problem(None, "position", t("walks.obs.position", lang)))
    if accuracy_m is not None and not (0 <= accuracy_m <= settings.geolocation_max_accuracy_m):
        problems.append(Problem(None, "accuracy_m", t(
            "walks.obs.accuracy", lang, m=f"{accuracy_m:.0f}",
            max=f"{settings.geolocation_max_accuracy_m:.0f}")))
    values["ratings"] = _clean_ratings(ratings, lang=lang, problems=problems)
    text = (note or "").strip()
    problems += [Problem(None, "note", f.message)
                 for f in blocking(check_note(text, lang=lang, known_places=known_places))]
    values["note"] = text or None
    values["photo"] = values["photo_mime"] = None
    if photo:
        try:
            clean = clean_photo(photo, max_bytes=settings.photo_max_bytes, lang=lang)
            values["photo"], values["photo_mime"] = clean.data, clean.mime
        except DataValidationError as exc:
            survived(log, exc, "observation photo refused", level=logging.DEBUG)
            problems += exc.problems
    return values, problems


def _site(conn: Connection, site_id: int | None, *, lang: str) -> tuple[str, float, float] | None:
    if site_id is None:
        return None
    row = conn.execute(select(Site.name, Site.lon, Site.lat).where(Site.id == site_id)).first()
    if row is None:
        raise DataValidationError([Problem(None, "site", t("walks.obs.site", lang, id=site_id))])
    return str(row[0]), float(row[1]), float(row[2])


def _observation_id(conn: Connection, submission_id: str) -> int | None:
    row = conn.execute(select(Observation.id).where(
        Observation.source == APP_SOURCE, Observation.external_id == submission_id)).first()
    return None if row is None else int(row[0])


def save_observation(
    engine: Engine, who: Principal, *, submission_id: str, walk_id: int, category: str,
    lon: float | None, lat: float | None, accuracy_m: float | None = None,
    site_id: int | None = None, ratings: Mapping[str, Any] | None = None,
    note: str | None = None, photo: bytes | None = None, settings: Settings | None = None,
    known_places: Iterable[str] = (), lang: str = "sv", now: datetime | None = None,
) -> tuple[int, bool]:
    """Store one observation of a walk, exactly once per ``submission_id``.

    Returns ``(observation_id, created)`` after the commit; ``created`` is False when this
    submission was stored before (the stored row is left as it is). The position is ``lon/lat``
    (WGS84) or, when they are None, the picked site's. The photo is stored without metadata
    (:func:`mapapp.photos.clean_photo`). Bad input raises :class:`DataValidationError` with every
    problem; nothing is stored then.
    """
    who.require(Perm.WALK)
    settings = settings or load_settings()
    sid = (submission_id or "").strip()
    if not 8 <= len(sid) <= 64:
        raise DataValidationError([Problem(None, "submission_id", t("walks.obs.sid", lang))])

    # Check the fields first (pure work, the photo re-encoded), then one transaction: an id
    # stored before returns its row; else the walk, the site, the position, the insert.
    values, problems = _checked_fields(
        category=category, lon=None, lat=None, accuracy_m=accuracy_m, ratings=ratings, note=note,
        photo=photo, settings=settings, lang=lang, known_places=known_places, need_position=False)
    at = _now(now)

    def write(conn: Connection) -> tuple[int, bool]:
        existing = _observation_id(conn, sid)
        if existing is not None:
            return existing, False
        walk = conn.execute(select(Walk.team).where(Walk.id == walk_id)).first()
        if walk is None:
            raise NotFoundError(t("walks.walk.not_found", lang, id=walk_id))
        _check_team(who, walk[0], lang=lang)
        wrong: list[Problem] = list(problems)
        try:
            site = _site(conn, site_id, lang=lang)
        except DataValidationError as exc:
            site, wrong = None, wrong + exc.problems
        x, y = (site[1], site[2]) if site is not None and (lon is None or lat is None) else (lon, lat)
        if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
            wrong.append(Problem(None, "position", t("walks.obs.position", lang)))
        if wrong:
            raise DataValidationError(sorted(wrong, key=lambda p: p.field or ""))
        row = {
            "source": APP_SOURCE, "external_id": sid, "category": values["category"],
            "occurred_at": pd.Timestamp(at), "description": values["note"], "lon": x, "lat": y,
            "precision": "gps" if accuracy_m is not None else ("site" if site else "exact"),
            "place_name": site[0] if site else None, "walk_id": walk_id,
            "photo_mime": values["photo_mime"], "site_id": site_id, "status": "ny",
            "owner": cats.get("observation", values["category"]).owner,
            "accuracy_m": accuracy_m, "created_by": who.username, "team": who.team or walk[0],
            "created_at": pd.Timestamp(at), "updated_at": pd.Timestamp(at),
        }
        frame = pd.DataFrame([row])
        frame["photo"] = pd.Series([values["photo"]], dtype="object")
        frame["ratings"] = pd.Series([values["ratings"]], dtype="object")
        result = insert_points(conn, frame, "observation")
        oid = _observation_id(conn, sid)
        if oid is None:  # pragma: no cover - the row is either new or was there
            raise StoreError(t("walks.save_failed", lang))
        if result.written == 0:  # another tablet stored the same form a moment ago
            return oid, False
        placed = conn.execute(select(Observation.stadsdel_id).where(Observation.id == oid)
                              ).scalar_one()
        if placed is None:  # raising rolls the insert back
            raise DataValidationError([Problem(None, "position", t("walks.obs.outside", lang))])
        audit.record(conn, who, "create", "observation", oid, walk_id=walk_id,
                     category=values["category"], submission_id=sid,
                     photo=values["photo"] is not None)
        conn.execute(delete(WalkDraft).where(WalkDraft.submission_id == sid))
        return oid, True

    # Returns after the commit; a database that fails after the retries says "not saved".
    return _write(engine, write, lang=lang)


def correct_observation(
    engine: Engine, who: Principal, observation_id: int, *, category: str | None = None,
    lon: float | None = None, lat: float | None = None, accuracy_m: float | None = None,
    site_id: int | None = None, ratings: Mapping[str, Any] | None = None,
    note: str | None = None, photo: bytes | None = None, remove_photo: bool = False,
    settings: Settings | None = None, known_places: Iterable[str] = (), lang: str = "sv",
    now: datetime | None = None,
) -> list[str]:
    """Correct one's own team's observation within the edit window; returns what changed
    (category, note, photo, position, ratings). Arguments left None are kept; a new position
    gets its zone and stadsdel again."""
    who.require(Perm.WALK)
    settings = settings or load_settings()
    at = _now(now)
    with Session(engine) as session:
        o = session.get(Observation, observation_id)
        if o is None:
            raise NotFoundError(t("walks.obs.not_found", lang, id=observation_id))
        session.expunge(o)
    with engine.connect() as conn:
        site = _site(conn, site_id, lang=lang)
    if not who.can(Perm.ADMIN):
        if (o.team or "") != (who.team or ""):
            raise PermissionDeniedError(t("walks.other_team", lang))
        created = _aware(o.created_at or o.occurred_at)
        if at - created > timedelta(hours=settings.edit_window_hours):
            raise PermissionDeniedError(t("walks.obs.window", lang,
                                          h=f"{settings.edit_window_hours:g}"))
    if site is not None and lon is None:
        lon, lat = site[1], site[2]
    values, problems = _checked_fields(
        category=category or o.category, lon=lon, lat=lat, accuracy_m=accuracy_m,
        ratings=ratings if ratings is not None else (o.ratings or {}),
        note=note if note is not None else o.description, photo=photo, settings=settings,
        lang=lang, known_places=known_places, need_position=lon is not None or lat is not None)
    if problems:
        raise DataValidationError(problems)
    changes: dict[str, Any] = {}
    if category is not None and values["category"] != o.category:
        changes["category"] = values["category"]
        changes["owner"] = cats.get("observation", values["category"]).owner
    if ratings is not None and values["ratings"] != (o.ratings or {}):
        changes["ratings"] = values["ratings"]
    if note is not None and values["note"] != o.description:
        changes["description"] = values["note"]
    if photo:
        changes["photo"], changes["photo_mime"] = values["photo"], values["photo_mime"]
    elif remove_photo and o.photo is not None:
        changes["photo"] = changes["photo_mime"] = None
    if lon is not None and lat is not None and (lon, lat) != (o.lon, o.lat):
        changes.update(lon=lon, lat=lat, accuracy_m=accuracy_m, site_id=site_id,
                       place_name=site[0] if site else None,
                       precision="gps" if accuracy_m is not None else ("site" if site else "exact"))
    if not changes:
        return []

    def write(conn: Connection) -> None:
        if "lon" in changes:
            zid, sdid = area_ids(conn, np.array([lon], dtype="float64"),
                                 np.array([lat], dtype="float64"))
            if np.isnan(sdid[0]):
                raise DataValidationError([Problem(None, "position", t("walks.obs.outside", lang))])
            changes["zone_id"] = None if np.isnan(zid[0]) else int(zid[0])
            changes["stadsdel_id"] = int(sdid[0])
        conn.execute(update(Observation).where(Observation.id == observation_id)
                     .values(**changes, updated_at=at))
        bump_data_version(conn)
        audit.record(conn, who, "update", "observation", observation_id, fields=changed)

    # What the user changed, in the form's words.
    changed = sorted({_FORM_FIELD.get(k, k) for k in changes})
    _write(engine, write, lang=lang)
    return changed


_FORM_FIELD = {"description": "note", "owner": "category", "photo_mime": "photo", "lon": "position",
               "lat": "position", "accuracy_m": "position", "site_id": "position",
               "place_name": "position", "precision": "position"}


def set_observation_status(engine: Engine, who: Principal, observation_id: int, status: str,
                           *, lang: str = "sv") -> None:
    """Follow-up status of an observation: ny, skickad (till ägaren), atgardad, inte_atgardad."""
    who.require(Perm.WALK)
    if status not in cats.OBSERVATION_STATUSES:
        raise DataValidationError([Problem(None, "status", t(
            "walks.obs.status", lang, allowed=", ".join(cats.OBSERVATION_STATUSES)))])

    def write(conn: Connection) -> None:
        row = conn.execute(select(Observation.team, Observation.status)
                           .where(Observation.id == observation_id)).first()
        if row is None:
            raise NotFoundError(t("walks.obs.not_found", lang, id=observation_id))
        _check_team(who, row[0], lang=lang)
        if row[1] == status:
            return
        conn.execute(update(Observation).where(Observation.id == observation_id)
                     .values(status=status, updated_at=_now(None)))
        bump_data_version(conn)
        audit.record(conn, who, "update", "observation", observation_id, status=status,
                     was=row[1])

    _write(engine, write, lang=lang)


def observation_photo(engine: Engine, who: Principal, observation_id: int
                      ) -> tuple[bytes, str] | None:
    """The stored (metadata-free) photo of an observation ``who`` may see."""
    who.require(Perm.VIEW_AGGREGATES)
    with engine.connect() as conn:
        row = conn.execute(select(Observation.photo, Observation.photo_mime, Observation.team)
                           .where(Observation.id == observation_id)).first()
    if row is None or row[0] is None:
        return None
    _check_team(who, row[2], lang="sv")
    return bytes(row[0]), str(row[1])
