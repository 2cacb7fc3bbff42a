"""Retention (gallring): observation notes and photos older than a setting are removed.

An observation made on a safety walk may carry a free-text note and a photo. Both can hold
details about people that the council must not keep longer than needed, so after
``MAPAPP_RETENTION_YEARS`` (default 2) they are removed: the note (``description``) becomes
empty and the photo (``photo`` and ``photo_mime``) is deleted. The observation itself -- its
place, time, category, ratings and status -- stays, so statistics and the follow-up of
measures are unchanged. Unsent observation forms (walk drafts, which may hold a note and a
photo too) last saved before the same cut-off are deleted.

"Older than" is measured by when the observation was made (``occurred_at``): with 2 years on
10 June 2025, everything before 10 June 2023 00:00 Stockholm time loses its note and photo.

Only admins may run it; every run (a dry run too) leaves an audit row.

>>> cutoff_for(date(2025, 6, 10), 2)
datetime.datetime(2023, 6, 10, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Stockholm'))
>>> cutoff_for(date(2024, 2, 29), 1).date()
datetime.date(2023, 2, 28)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, delete, func, or_, select, update

from mapapp.access import Perm, Principal
from mapapp.errors import DataValidationError, Problem
from mapapp.i18n import t
from mapapp.settings import load_settings
from mapapp.store import audit
from mapapp.store.engine import bump_data_version
from mapapp.store.models import Observation, WalkDraft
from mapapp.timezone import local_midnight, local_today

MAX_YEARS = 100


@dataclass(frozen=True)
class RetentionReport:
    """What a retention run removed (or, for a dry run, would remove)."""

    cutoff: datetime  # notes and photos of observations made before this instant
    years: float
    observations: int  # observations that lose a note, a photo or both
    notes: int
    photos: int
    drafts: int  # unsent observation forms deleted
    dry_run: bool

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["cutoff"] = self.cutoff.isoformat()
        return d


def today_local() -> date:
    return local_today()


def cutoff_for(today: date, years: float) -> datetime:
    """Local midnight ``years`` before ``today`` (whole years keep the calendar date; 29
    February becomes 28 February; a fraction of a year counts 365.2425 days)."""
    whole = int(years)
    if whole == years:
        try:
            day = today.replace(year=today.year - whole)
        except ValueError:  # 29 February in a year that has none
            day = today.replace(year=today.year - whole, day=28)
    else:
        day = today - timedelta(days=round(years * 365.2425))
    return local_midnight(day)


def _check_years(years: float, *, lang: str) -> None:
    if not isinstance(years, int | float) or not 0 < years <= MAX_YEARS or years != years:
        raise DataValidationError([Problem(None, "years", t(
            "admin.retention.bad_years", lang, years=years, max=MAX_YEARS))])


def apply_retention(
    engine: Engine,
    who: Principal,
    *,
    older_than_years: float | None = None,
    today: date | None = None,
    dry_run: bool = False,
    lang: str = "sv",
) -> RetentionReport:
    """Remove the notes and photos of observations made more than ``older_than_years``
    (default: the ``MAPAPP_RETENTION_YEARS`` setting) before ``today`` (default: today in
    Stockholm). ``dry_run`` counts without changing anything. Admins only; audited."""
    who.require(Perm.ADMIN)
    years = load_settings().retention_years if older_than_years is None else older_than_years
    _check_years(years, lang=lang)
    cutoff = cutoff_for(today or today_local(), years)
    o = Observation.__table__
    has_note = and_(o.c.description.is_not(None), o.c.description != "")
    has_photo = or_(o.c.photo.is_not(None), o.c.photo_mime.is_not(None))
    old = o.c.occurred_at < cutoff
    with engine.begin() as conn:
        notes = int(conn.execute(select(func.count()).where(old, has_note)).scalar_one())
        photos = int(conn.execute(
            select(func.count()).where(old, o.c.photo.is_not(None))).scalar_one())
        touched = int(conn.execute(
            select(func.count()).where(old, or_(has_note, has_photo))).scalar_one())
        drafts = int(conn.execute(select(func.count()).select_from(WalkDraft).where(
            WalkDraft.updated_at < cutoff)).scalar_one())
        if not dry_run and touched:
            conn.execute(update(Observation).where(old, has_note).values(description=None))
            conn.execute(update(Observation).where(old, has_photo).values(photo=None,
                                                                          photo_mime=None))
            bump_data_version(conn)
        if not dry_run and drafts:
            conn.execute(delete(WalkDraft).where(WalkDraft.updated_at < cutoff))
        report = RetentionReport(cutoff, float(years), touched, notes, photos, drafts, dry_run)
        audit.record(conn, who, "retention_preview" if dry_run else "retention", "observation",
                     None, **report.as_dict())
    return report
