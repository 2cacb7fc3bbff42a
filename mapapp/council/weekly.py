"""The weekly lägesbild ("Lägesbild varje vecka SDF och polis") and the meeting's task list.

:func:`weekly_report` gathers one ISO week:

- ``places``: the sites flagged or rising in the week (:func:`week_places`);
- ``counts``: incidents per zone and category against the zone's usual weeks
  (:func:`mapapp.analysis.weekly.weekly_counts`; days grouped in the database by
  :func:`mapapp.store.weekly.day_counts`);
- ``observations``: observations made in the week (from walks, staff, residents, actors),
  as the role may see them; free-text notes are kept out;
- ``measures``: measures due in the week, and those already overdue when it began (due
  before its Monday and neither done nor cancelled);
- ``walks``: walks that started in the week;
- ``followup``: the tasks the previous week's meeting set (to follow up now), and
  ``tasks``: the tasks this week's meeting sets for next week.

Tasks (actor, place, task, due) are written with :func:`add_task` and followed up with
:func:`follow_up_task` (status ``klar``/``ej_klar``/``planerad`` and a note); both need
``EDIT_MEASURES``, are checked for personal data and audited (entity ``weekly_task``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from mapapp.access import Perm, Principal
from mapapp.analysis.weekly import Week, parse_week, weekly_counts
from mapapp.errors import DataValidationError, NotFoundError, Problem
from mapapp.i18n import Message
from mapapp.measures.rules import contains_identity_number, is_overdue
from mapapp.settings import Settings, load_settings
from mapapp.store import audit
from mapapp.store.models import WeeklyTask, Zone
from mapapp.store.points import PointFilter, load_points
from mapapp.store.weekly import day_counts

TASK_STATUSES = ("planerad", "klar", "ej_klar")
TASK_COLUMNS = ["id", "week", "actor", "place", "zone", "task", "due", "status", "followup"]
OBSERVATION_COLUMNS = ["id", "occurred_at", "zone", "category", "place_name", "source"]
MEASURE_COLUMNS = ["id", "zone", "site", "title", "actor", "status", "due", "overdue"]
WALK_COLUMNS = ["id", "title", "zone", "starts_at", "status", "n_observations"]
REPORT_COLUMNS = ["zone", "category", "status", "n"]
PLACE_COLUMNS = ["site_id", "name", "kind", "zone", "count", "expected", "q_value", "flagged",
                 "rising"]
SURVEY_COLUMNS = ["zone", "problem", "reported", "answered"]
MAX_TEXT = {"actor": 200, "place": 200, "task": 1000, "followup": 1000}


@dataclass(frozen=True)
class WeeklyReport:
    week: Week
    history_weeks: int
    alpha: float
    counts: pd.DataFrame  # analysis.weekly.RECORD_FIELDS
    observations: pd.DataFrame  # OBSERVATION_COLUMNS
    measures: pd.DataFrame  # MEASURE_COLUMNS
    walks: pd.DataFrame  # WALK_COLUMNS
    followup: pd.DataFrame  # TASK_COLUMNS: set by the previous week's meeting
    tasks: pd.DataFrame  # TASK_COLUMNS: set by this week's meeting
    reports: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPORT_COLUMNS))
    survey_title: str | None = None  # the actor survey of the week's month (the latest one)
    survey: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SURVEY_COLUMNS))
    places: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLACE_COLUMNS))

    @property
    def findings(self) -> pd.DataFrame:
        """The rows more than usual."""
        return self.counts[self.counts["more_than_usual"]]


def week_counts(engine: Engine, who: Principal, week: Week | str, *,
                settings: Settings | None = None) -> pd.DataFrame:
    """Incidents per zone and category in ``week`` against the usual weeks before it."""
    settings = settings or load_settings()
    week = parse_week(week)
    h = settings.weekly_history_weeks
    days = day_counts(engine, who, week.shift(-h).start, week.end, kinds=("incident",))
    return weekly_counts(days, week, history_weeks=h, alpha=settings.weekly_alpha)


def weekly_report(engine: Engine, who: Principal, week: Week | str, *,
                  settings: Settings | None = None, places: bool = True) -> WeeklyReport:
    """Everything the weekly page and document show for ``week`` (``places=False`` leaves the
    flagged and rising sites out: the page computes them apart, see :func:`week_places`)."""
    from mapapp.measures import measures_frame
    from mapapp.walks.walk import list_walks

    settings = settings or load_settings()
    week = parse_week(week)
    counts = week_counts(engine, who, week, settings=settings)
    start, end = week.start_ts.to_pydatetime(), week.end_ts.to_pydatetime()
    obs = load_points(engine, who, "observation", PointFilter(start=start, end=end))
    obs = obs.assign(place_name=None) if "place_name" not in obs else obs
    observations = (obs.sort_values("occurred_at", kind="stable")
                    .reindex(columns=OBSERVATION_COLUMNS).reset_index(drop=True))
    m = measures_frame(engine, who, today=week.end)
    if len(m):
        due_in_week = m["due"].map(lambda d: d is not None and week.start <= d < week.end)
        late = pd.Series([is_overdue(d, s, week.start) for d, s in zip(m["due"], m["status"],
                                                                    strict=True)],
                         index=m.index)
        m = m[due_in_week | late].assign(overdue=late[due_in_week | late])
    measures = m.reindex(columns=MEASURE_COLUMNS).sort_values(
        ["overdue", "due"], ascending=[False, True], kind="stable").reset_index(drop=True)
    w = list_walks(engine, who)
    if len(w):
        starts = pd.to_datetime(w["starts_at"], utc=True)
        w = w[(starts >= week.start_ts) & (starts < week.end_ts)]
    walks = w.reindex(columns=WALK_COLUMNS).reset_index(drop=True)
    title, survey = _survey_of_month(engine, who, week)
    return WeeklyReport(week, settings.weekly_history_weeks, settings.weekly_alpha, counts,
                        observations, measures, walks,
                        list_tasks(engine, who, week.shift(-1)), list_tasks(engine, who, week),
                        _reports_of_week(engine, week), title, survey,
                        week_places(engine, who, week, settings=settings) if places
                        else pd.DataFrame(columns=PLACE_COLUMNS))


def week_places(engine: Engine, who: Principal, week: Week, *,
                settings: Settings | None = None) -> pd.DataFrame:
    """The sites flagged (more points than their neighbourhood predicts) or rising (more than
    their own history) in ``week``: :func:`mapapp.analysis.hotspots.site_hotspots` with ISO
    weeks as its periods — the week against the ``weekly_history_weeks`` before it. Points as
    the role sees them (sensitive incidents have no position and count at no site)."""
    from mapapp.analysis.hotspots import site_hotspots
    from mapapp.analysis.periods import Period
    from mapapp.analysis.sites import params_from
    from mapapp.store.district import district_outline, sites_frame

    settings = settings or load_settings()
    weeks = [week.shift(-i) for i in range(settings.weekly_history_weeks, -1, -1)]
    periods = [Period("week", w.label, w.start_ts, w.end_ts) for w in weeks]
    flt = PointFilter(start=periods[0].start.to_pydatetime(), end=periods[-1].end.to_pydatetime())
    pts = pd.concat([load_points(engine, who, k, flt) for k in ("incident", "observation")],
                    ignore_index=True)
    if pts.empty:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    res = site_hotspots(pts, sites_frame(engine), district_outline(engine),
                        period=periods[-1], periods=periods,
                        params=params_from(settings.site_radius_m, settings.hotspot_min_count,
                                           settings.hotspot_q))
    s = res.summary
    s = s[s["flagged"] | s["rising"]]
    return (s.reindex(columns=PLACE_COLUMNS).sort_values(["rising", "q_value"],
                                                         ascending=[False, True])
            .reset_index(drop=True))


def _reports_of_week(engine: Engine, week: Week) -> pd.DataFrame:
    """Reports from residents and businesses that came in during the week, counted per zone,
    category and review status (counts only: the texts are for the review queue)."""
    from sqlalchemy import func

    from mapapp.store.models import PublicReport

    start, end = week.start_ts.to_pydatetime(), week.end_ts.to_pydatetime()
    with engine.connect() as conn:
        rows = conn.execute(
            select(Zone.name, PublicReport.category, PublicReport.status, func.count())
            .select_from(PublicReport).outerjoin(Zone, Zone.id == PublicReport.zone_id)
            .where(PublicReport.created_at >= start, PublicReport.created_at < end)
            .group_by(Zone.name, PublicReport.category, PublicReport.status)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=REPORT_COLUMNS)


def _survey_of_month(engine: Engine, who: Principal, week: Week) -> tuple[str | None,
                                                                          pd.DataFrame]:
    """The results of the latest actor survey for a month up to the week's (its Thursday's)."""
    from mapapp.council.survey import list_surveys, results

    month = (week.start + pd.Timedelta(days=3)).strftime("%Y-%m")
    s = list_surveys(engine, who)
    s = s[s["month"] <= month]
    if s.empty:
        return None, pd.DataFrame(columns=SURVEY_COLUMNS)
    top = s.iloc[0]
    return (f"{top['month']} {top['title']}",
            pd.DataFrame(results(engine, who, int(top["id"])), columns=SURVEY_COLUMNS))


# --- the task list ---------------------------------------------------------------------------

def list_tasks(engine: Engine, who: Principal, week: Week | str) -> pd.DataFrame:
    """The tasks that the meeting of ``week`` set (for the week after), in entry order."""
    who.require(Perm.VIEW_AGGREGATES)
    week = parse_week(week)
    wt, z = WeeklyTask.__table__, Zone.__table__
    q = (select(wt.c.id, wt.c.week, wt.c.actor, wt.c.place, z.c.name.label("zone"), wt.c.task,
                wt.c.due, wt.c.status, wt.c.followup)
         .select_from(wt.outerjoin(z, wt.c.zone_id == z.c.id))
         .where(wt.c.week == week.label).order_by(wt.c.id))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    return pd.DataFrame(rows, columns=TASK_COLUMNS)


def _check_text(field: str, value: Any, problems: list[Problem], *,
                required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    label = Message(f"weekly.col.{field}")
    if required and not text:
        problems.append(Problem(None, field, "weekly.task.required", {"field": label}))
    elif len(text) > MAX_TEXT[field]:
        problems.append(Problem(None, field, "weekly.task.too_long",
                                {"field": label, "n": MAX_TEXT[field]}))
    elif contains_identity_number(text):
        problems.append(Problem(None, field, "weekly.task.pnr", {"field": label}))
    return text


def _parse_due(value: Any, problems: list[Problem]) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(Problem(None, "due", "weekly.task.bad_due", {"value": value}))
        return None


def add_task(engine: Engine, who: Principal, week: Week | str, *, actor: str, place: str,
             task: str, due: date | str | None = None, zone: str | None = None,
             lang: str = "sv") -> int:
    """Add one row to the task list that the meeting of ``week`` sets. Returns its id."""
    who.require(Perm.EDIT_MEASURES)
    week = parse_week(week)
    problems: list[Problem] = []
    values = {f: _check_text(f, v, problems)
              for f, v in (("actor", actor), ("place", place), ("task", task))}
    due_d = _parse_due(due, problems)
    with engine.begin() as conn:
        zone_id = None
        if zone:
            zone_id = conn.execute(select(Zone.id).where(Zone.name == zone)).scalar()
            if zone_id is None:
                names = "; ".join(conn.execute(select(Zone.name).order_by(Zone.id)).scalars())
                problems.append(Problem(None, "zone", "zone.not_found",
                                        {"name": zone, "known": names}))
        if problems:
            raise DataValidationError(problems, summary="weekly.task.rejected")
        now = datetime.now(UTC)
        new_id = int(conn.execute(insert(WeeklyTask).values(
            week=week.label, zone_id=zone_id, due=due_d, status="planerad", followup="",
            created_by=who.username, created_at=now, updated_at=now, **values)
        .returning(WeeklyTask.id)).scalar_one())
        audit.record(conn, who, "create", "weekly_task", new_id, week=week.label,
                     actor=values["actor"], place=values["place"],
                     due=due_d.isoformat() if due_d else None)
    return new_id


def follow_up_task(engine: Engine, who: Principal, task_id: int, *, status: str,
                   followup: str = "", lang: str = "sv") -> None:
    """Record how a task went (``klar``, ``ej_klar`` or back to ``planerad``) with a note."""
    who.require(Perm.EDIT_MEASURES)
    problems: list[Problem] = []
    if status not in TASK_STATUSES:
        problems.append(Problem(None, "status", "weekly.task.bad_status",
                                {"value": status, "allowed": ", ".join(TASK_STATUSES)}))
    note = _check_text("followup", followup, problems, required=False)
    if problems:
        raise DataValidationError(problems, summary="weekly.task.rejected")
    with engine.begin() as conn:
        old = conn.execute(select(WeeklyTask.status, WeeklyTask.followup)
                           .where(WeeklyTask.id == int(task_id))).first()
        if old is None:
            raise NotFoundError("weekly.task.not_found", id=task_id)
        conn.execute(update(WeeklyTask).where(WeeklyTask.id == int(task_id)).values(
            status=status, followup=note, updated_at=datetime.now(UTC)))
        audit.record(conn, who, "update", "weekly_task", int(task_id),
                     status=[old.status, status], followup_changed=old.followup != note)
