"""The database schema (SQLAlchemy 2 typed ORM).

Geometry: points keep ``lon``/``lat`` (WGS84) columns and polygons keep ``geom_wkb`` (WKB,
WGS84) on every backend, so the one bulk-insert path works everywhere. On PostgreSQL each of
these tables also gets a generated PostGIS column ``geom`` (``geometry(Point|Geometry, 4326)``,
computed from lon/lat or the WKB) with a GiST index -- see :mod:`mapapp.store.postgis` -- which
the database-side queries use.

Times are timezone-aware (:class:`~mapapp.store.types.AwareDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mapapp.store.types import AwareDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: AwareDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Stadsdel(Base):
    __tablename__ = "stadsdelar"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    stadsdelsomrade: Mapped[str] = mapped_column(String(100))
    geom_wkb: Mapped[bytes] = mapped_column(LargeBinary)


class Zone(Base):
    """A place-collaboration zone (platssamverkan) or focus place, with its lägesbild."""

    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30), default="platssamverkan")
    lagesbild: Mapped[str] = mapped_column(Text, default="")
    priority_areas: Mapped[list[Any]] = mapped_column(default=list)
    actors: Mapped[list[Any]] = mapped_column(default=list)
    goals: Mapped[list[Any]] = mapped_column(default=list)
    population: Mapped[int | None] = mapped_column(Integer)
    lagesbild_revised: Mapped[date | None] = mapped_column(Date)
    plan_revised: Mapped[date | None] = mapped_column(Date)
    priorities_reviewed: Mapped[date | None] = mapped_column(Date)
    repaired: Mapped[bool] = mapped_column(Boolean, default=False)
    geom_wkb: Mapped[bytes] = mapped_column(LargeBinary)


class Site(Base):
    """A hotspot candidate: school, pre-school, station, playground, centre or named address."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("source", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(String(300))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"))
    stadsdel_id: Mapped[int | None] = mapped_column(ForeignKey("stadsdelar.id"))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class _PointColumns:
    """Columns shared by incidents and observations."""

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(50))
    external_id: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100), index=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    # The Europe/Stockholm date of occurred_at, kept at write time so that the database can
    # group by local day without a time-zone conversion per row (mapapp.store.aggregates).
    local_day: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str] = mapped_column(String(30), default="exact")
    place_name: Mapped[str | None] = mapped_column(String(200))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"), index=True)
    stadsdel_id: Mapped[int | None] = mapped_column(ForeignKey("stadsdelar.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


class Incident(_PointColumns, Base):
    """A police-reported crime (or police event placed from a place name)."""

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_incident_source_ext"),
        # covers the counts per zone x category x local day: the database streams the GROUP BY
        # through this index instead of sorting every row (mapapp.store.aggregates)
        Index("ix_incidents_zone_category_day", "zone_id", "category", "local_day"),
    )


class Observation(_PointColumns, Base):
    """Something seen on the ground, mostly on a trygghetsvandring."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_observation_source_ext"),
        Index("ix_observations_zone_category_day", "zone_id", "category", "local_day"),
    )
    walk_id: Mapped[int | None] = mapped_column(ForeignKey("walks.id"), index=True)
    ratings: Mapped[dict[str, Any] | None] = mapped_column()
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_mime: Mapped[str | None] = mapped_column(String(50))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    status: Mapped[str] = mapped_column(String(20), default="ny")
    owner: Mapped[str | None] = mapped_column(String(200))
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    created_by: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime | None] = mapped_column()


class Walk(Base):
    """A trygghetsvandring: pre-meeting -> walk -> follow-up meeting."""

    __tablename__ = "walks"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"))
    starts_at: Mapped[datetime] = mapped_column()
    organiser: Mapped[str] = mapped_column(String(200))
    participants: Mapped[dict[str, Any]] = mapped_column(default=dict)
    route_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="planerad")
    team: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()


class Actor(Base):
    __tablename__ = "actors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Measure(Base):
    """An åtgärd/insats tied to a zone, optionally to a site or a grid cell."""

    __tablename__ = "measures"
    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    cell_id: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    priority_area: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="planerad")
    start: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    next_followup: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(50), default="app")
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    notes: Mapped[list[MeasureNote]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureNote.noted_on"
    )
    links: Mapped[list[MeasureLink]] = relationship(
        back_populates="measure", cascade="all, delete-orphan"
    )


class MeasureNote(Base):
    """A dated follow-up note with the author's role (not the person's name)."""

    __tablename__ = "measure_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    noted_on: Mapped[date] = mapped_column(Date)
    author_role: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text)
    measure: Mapped[Measure] = relationship(back_populates="notes")


class MeasureLink(Base):
    """An incident or observation that motivated a measure."""

    __tablename__ = "measure_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"))
    measure: Mapped[Measure] = relationship(back_populates="links")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    team: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column()


class AuditEvent(Base):
    """Append-only: who did what, when. The app never updates or deletes these rows."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_at", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column()
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))  # login, create, update, delete, import, ...
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ImportBatch(Base):
    """One import of one file: where it came from and what it did."""

    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(50))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_unplaced: Mapped[int] = mapped_column(Integer, default=0)
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column()


class StatisticTable(Base):
    """A table of counts as the police or the city deliver it (not points)."""

    __tablename__ = "statistic_tables"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(100))
    extracted: Mapped[date | None] = mapped_column(Date)
    preliminary: Mapped[bool] = mapped_column(Boolean, default=False)
    content_key: Mapped[str] = mapped_column(String(200), unique=True)
    imported_at: Mapped[datetime] = mapped_column()


class StatisticValue(Base):
    __tablename__ = "statistic_values"
    __table_args__ = (
        UniqueConstraint("table_id", "area", "category_text", "period", name="uq_stat_cell"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("statistic_tables.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(String(200))
    area_kind: Mapped[str] = mapped_column(String(20))  # district, stadsdel, zone, comparison
    category_text: Mapped[str] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(Integer)


class CategoryMapping(Base):
    """Editable mapping from a table's own category wording to an app category code."""

    __tablename__ = "category_mappings"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(300), unique=True)
    category: Mapped[str] = mapped_column(String(100))


class Meta(Base):
    """Key/value facts about the store, e.g. ``data_version`` (bumped on every write that
    changes what the map shows, so caches keyed by it refresh)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class WalkDraft(Base):
    """An unsaved observation form of a walk, kept server-side so that a page reload or a lost
    connection loses nothing. Keyed by the form's submission id (made when the form opened);
    found again by user + walk. Deleted once the observation is saved. Not map data."""

    __tablename__ = "walk_drafts"
    __table_args__ = (Index("ix_walk_drafts_user_walk", "username", "walk_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(100))
    walk_id: Mapped[int] = mapped_column(ForeignKey("walks.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_mime: Mapped[str | None] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column()


# --- the council's rhythm (issue 19): weekly tasks, the monthly survey, public reports, the
# city's trygghetsmätning. Migration 0003 creates these tables in older databases.

class WeeklyTask(Base):
    """What one actor does next week, as the weekly meeting decided (followed up the week
    after). ``week`` is the ISO week of the meeting that set the task, e.g. ``2023-W20``."""

    __tablename__ = "weekly_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"))
    task: Mapped[str] = mapped_column(Text)
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planerad")
    followup: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()


class Survey(Base):
    """A monthly actor survey ("Aktuell lägesbild") for ``month`` (``YYYY-MM``). Open until
    ``closes`` (a local date, inclusive) or until closed by hand (``closed_at``)."""

    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    month: Mapped[str] = mapped_column(String(7), index=True)
    closes: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column()
    problems: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()


class SurveyRecipient(Base):
    """One organisation's role that gets a personal link. Only the SHA-256 of the link's token
    is stored (``token_hash``); ``token_nonce`` alone cannot make the token (that needs the
    server's secret key, which is not in the database)."""

    __tablename__ = "survey_recipients"
    __table_args__ = (UniqueConstraint("survey_id", "email", name="uq_survey_recipient"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    token_nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()


class SurveyResponse(Base):
    """The one answer of a recipient (a second visit edits it): free text and when."""

    __tablename__ = "survey_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("survey_recipients.id", ondelete="CASCADE"), unique=True)
    free_text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    edits: Mapped[int] = mapped_column(Integer, default=0)


class SurveyAnswer(Base):
    """One problem in one zone as a recipient saw it: level 0 "Inget", 1 "Lite", 2 "Mycket";
    for a problem seen (level ≥ 1) optionally *where* (migration 0005): a place, not a person
    -- a site chosen from the list (``site_id``, its position) or a tap on the map snapped to
    the centre of its 100 m cell (:mod:`mapapp.council.survey_places`). On PostgreSQL a
    generated ``geom`` column and its GiST index as on the other point tables."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        UniqueConstraint("response_id", "zone_id", "problem", name="uq_survey_answer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    problem: Mapped[str] = mapped_column(String(50))
    level: Mapped[int] = mapped_column(Integer)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))


class PublicReport(Base):
    """A report from a resident or a business, waiting in the review queue until the
    coordinator publishes it (as an observation) or rejects it. ``client_hash`` is a keyed
    hash of the sender's address, kept only for the rate limit."""

    __tablename__ = "public_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(100))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="ny", index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"))


class TrygghetValue(Base):
    """One figure of the city's trygghetsmätning: the share (0–100) of respondents in a
    stadsdel giving an answer for an indicator in a year, and how many responded."""

    __tablename__ = "trygghet_values"
    __table_args__ = (
        UniqueConstraint("stadsdel", "indicator", "year", name="uq_trygghet_value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stadsdel: Mapped[str] = mapped_column(String(100))
    indicator: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    share: Mapped[float] = mapped_column(Float)
    respondents: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column()


RHYTHM_TABLES = ("weekly_tasks", "surveys", "survey_recipients", "survey_responses",
                 "survey_answers", "public_reports", "trygghet_values")
