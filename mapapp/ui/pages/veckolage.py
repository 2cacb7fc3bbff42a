"""Veckoläge: the weekly lägesbild for the weekly meeting (SDF and police). Choose a week;
see the crimes per zone and category against the zone's usual weeks (flagged when more than
usual), the new observations, the measures due, the walks, last week's tasks to follow up and
the task list for next week; download the one-page DOCX/PDF. Thin: the content comes from
:mod:`mapapp.council.weekly` (which checks the role and audits writes); user text is shown
through dataframes and widgets only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.analysis.weekly import week_of
from mapapp.council.weekly import (
    WeeklyReport,
    add_task,
    follow_up_task,
    list_tasks,
    weekly_report,
)
from mapapp.errors import DataValidationError
from mapapp.textsafe import markdown_text
from mapapp.timezone import local_today
from mapapp.ui import context as ctx

PERMISSION = Perm.VIEW_AGGREGATES
WEEKS_BACK = 26
_FLASH = "veckolage_flash"


@st.cache_resource(show_spinner=False, max_entries=16)
def _report(week: str, cache_key: str, dv: str, _who: Principal) -> WeeklyReport:
    return weekly_report(ctx.get_engine(), _who, week, settings=ctx.get_settings(),
                         places=False)


@st.cache_resource(show_spinner=False, max_entries=16)
def _places(week: str, cache_key: str, dv: str, _who: Principal) -> pd.DataFrame:
    from mapapp.analysis.weekly import parse_week
    from mapapp.council.weekly import week_places

    return week_places(ctx.get_engine(), _who, parse_week(week), settings=ctx.get_settings())


def _places_section(rep: WeeklyReport, who: Principal) -> None:
    st.subheader(ctx.tr("weekly.h.places"))
    with st.spinner():
        p = _places(rep.week.label, who.cache_key, ctx.version(), who)
    if p.empty:
        st.caption(ctx.tr("weekly.none"))
        return
    st.dataframe(pd.DataFrame({
        _col("place"): p["name"], _col("zone"): p["zone"], _col("count"): p["count"],
        _col("expected"): p["expected"].astype(float).round(1),
        _col("flagged"): p["flagged"], _col("rising"): p["rising"]}),
        hide_index=True, width="stretch")


def _weeks() -> list[str]:
    this = week_of(local_today())
    return [this.shift(-i).label for i in range(WEEKS_BACK)]


def _cat(code: object, kind: str) -> str:
    try:
        return cats.label(kind, str(code), lang=ctx.lang())  # type: ignore[arg-type]
    except Exception:
        return str(code)


def _col(name: str) -> str:
    return ctx.tr(f"weekly.col.{name}")


def _counts(rep: WeeklyReport) -> None:
    st.subheader(ctx.tr("weekly.h.counts"))
    only = st.toggle(ctx.tr("weekly.page.only_findings"), key="veckolage_only")
    c = rep.counts[rep.counts["more_than_usual"]] if only else rep.counts
    if c.empty:
        st.info(ctx.tr("weekly.no_findings" if only or rep.counts.empty else "weekly.none"))
        return
    df = pd.DataFrame({
        _col("zone"): c["zone"], _col("category"): [_cat(x, "incident") for x in c["category"]],
        _col("count"): c["count"], _col("usual_mean"): c["usual_mean"].round(1),
        _col("usual_range"): [f"{lo}–{hi}" for lo, hi in zip(c["usual_low"], c["usual_high"],
                                                              strict=True)],
        _col("p_value"): c["p_value"].round(4), _col("more_than_usual"): c["more_than_usual"]})
    st.dataframe(df, hide_index=True, width="stretch")


def _section(title: str, frame: pd.DataFrame, columns: Callable[[pd.DataFrame], dict[str, Any]]
             ) -> None:
    """One table of the week under its heading: ``columns`` makes the shown columns (header ->
    values) from ``frame``; an empty frame says so instead."""
    st.subheader(title)
    if frame.empty:
        st.caption(ctx.tr("weekly.none"))
        return
    st.dataframe(pd.DataFrame(columns(frame)), hide_index=True, width="stretch")


def _tables(rep: WeeklyReport) -> None:
    _section(ctx.tr("weekly.h.observations"), rep.observations, lambda o: {
        _col("date"): pd.to_datetime(o["occurred_at"], utc=True).dt.tz_convert(
            "Europe/Stockholm").dt.strftime("%Y-%m-%d %H:%M"),
        _col("zone"): o["zone"],
        _col("category"): [_cat(x, "observation") for x in o["category"]],
        _col("source"): o["source"]})
    _section(ctx.tr("weekly.h.reports"), rep.reports, lambda r: {
        _col("zone"): r["zone"],
        _col("category"): [_cat(x, "observation") for x in r["category"]],
        _col("status_report"): [ctx.tr(f"report.status.{x}") for x in r["status"]],
        _col("observations"): r["n"]})
    if rep.survey_title is not None:
        st.subheader(ctx.tr("weekly.h.survey", title=rep.survey_title))
        sv = rep.survey
        st.dataframe(pd.DataFrame({_col("zone"): sv["zone"],
                                   _col("problem"): [ctx.tr(f"survey.problem.{p}")
                                                     for p in sv["problem"]],
                                   _col("reported"): sv["reported"],
                                   _col("answered"): sv["answered"]}),
                     hide_index=True, width="stretch")
    _section(ctx.tr("weekly.h.measures"), rep.measures, lambda m: {
        _col("zone"): m["zone"], _col("title"): m["title"], _col("actor"): m["actor"],
        _col("due"): m["due"], _col("overdue"): m["overdue"]})
    _section(ctx.tr("weekly.h.walks"), rep.walks, lambda w: {
        _col("title"): w["title"], _col("zone"): w["zone"], _col("date"): w["starts_at"]})


def _task_table(df: pd.DataFrame, followup: bool) -> None:
    if df.empty:
        st.caption(ctx.tr("weekly.none"))
        return
    out = pd.DataFrame({"#": df["id"], _col("actor"): df["actor"], _col("place"): df["place"],
                        _col("task"): df["task"], _col("due"): df["due"],
                        _col("status"): [ctx.tr(f"weekly.status.{s}") for s in df["status"]]})
    if followup:
        out[_col("followup")] = df["followup"]
    st.dataframe(out, hide_index=True, width="stretch")


def _problems(exc: DataValidationError) -> None:
    st.error(markdown_text(exc.text(ctx.lang())).replace("\n", "  \n"))


def _followup_form(rep: WeeklyReport, who: Principal) -> None:
    f = rep.followup
    if f.empty or not who.can(Perm.EDIT_MEASURES):
        return
    labels = {int(i): f"#{i} {a}: {t}" for i, a, t in zip(f["id"], f["actor"], f["task"],
                                                          strict=True)}
    with st.form("veckolage_followup"):
        tid = st.selectbox(ctx.tr("weekly.page.task_pick"), list(labels),
                           format_func=lambda i: labels[i], key="veckolage_fu_task")
        status = st.radio(_col("status"), ["klar", "ej_klar", "planerad"], horizontal=True,
                          format_func=lambda s: ctx.tr(f"weekly.status.{s}"),
                          key="veckolage_fu_status")
        note = st.text_input(_col("followup"), key="veckolage_fu_note", max_chars=1000)
        if st.form_submit_button(ctx.tr("weekly.page.followup_save")):
            try:
                follow_up_task(ctx.get_engine(), who, int(tid), status=str(status),
                               followup=note, lang=ctx.lang())
            except DataValidationError as exc:
                _problems(exc)
            else:
                st.session_state[_FLASH] = ctx.tr("weekly.task.updated", id=tid)
                st.rerun()


def _task_form(week: str, who: Principal) -> None:
    if not who.can(Perm.EDIT_MEASURES):
        return
    zones = [None, *[str(z) for z in ctx.zones()["name"]]]
    with st.form("veckolage_task", clear_on_submit=False):
        st.markdown(f"**{ctx.tr('weekly.page.add_task')}**")
        c1, c2 = st.columns(2)
        actor = c1.text_input(_col("actor"), key="veckolage_actor", max_chars=200)
        place = c2.text_input(_col("place"), key="veckolage_place", max_chars=200)
        task = st.text_area(_col("task"), key="veckolage_task_text", max_chars=1000, height=80)
        c3, c4 = st.columns(2)
        due = c3.date_input(_col("due"), value=None, key="veckolage_due", format="YYYY-MM-DD")
        zone = c4.selectbox(_col("zone"), zones, key="veckolage_zone",
                            format_func=lambda z: "–" if z is None else z)
        if st.form_submit_button(ctx.tr("weekly.page.save"), type="primary"):
            try:
                tid = add_task(ctx.get_engine(), who, week, actor=actor, place=place, task=task,
                               due=due, zone=zone, lang=ctx.lang())
            except DataValidationError as exc:
                _problems(exc)
            else:
                st.session_state[_FLASH] = ctx.tr("weekly.task.added", id=tid, week=week)
                st.rerun()


def _downloads(rep: WeeklyReport, who: Principal) -> None:
    if not who.can(Perm.EXPORT):
        return
    from mapapp.snapshot.weekly import MIME, export_weekly, suggested_name

    engine, settings, lang = ctx.get_engine(), ctx.get_settings(), ctx.lang()
    cols = st.columns(2)
    for col, fmt in zip(cols, ("docx", "pdf"), strict=True):
        name = suggested_name(rep, fmt)

        def make(fmt: str = fmt, name: str = name) -> bytes:  # runs on the click: audited
            return export_weekly(engine, who, rep, fmt, settings=settings, lang=lang,
                                 file_name=name)

        col.download_button(ctx.tr("weekly.page.download", fmt=fmt.upper()), data=make,
                            file_name=name, mime=MIME[fmt], on_click="ignore",
                            icon=":material/download:", key=f"veckolage_dl_{fmt}")


def render() -> None:
    who = ctx.require_principal()
    settings = ctx.get_settings()
    st.title(ctx.tr("weekly.page.title"))
    st.caption(ctx.tr("weekly.page.intro", n=settings.weekly_history_weeks))
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    weeks = _weeks()
    week = st.selectbox(ctx.tr("weekly.page.week"), weeks, index=1, key="veckolage_week")
    with st.spinner():
        cached = _report(str(week), who.cache_key, ctx.version(), who)
    # the task lists are not map data (no data-version bump): always read fresh
    engine = ctx.get_engine()
    rep = replace(cached, followup=list_tasks(engine, who, cached.week.shift(-1)),
                  tasks=list_tasks(engine, who, cached.week))
    st.caption(ctx.tr("weekly.subtitle", start=rep.week.start.isoformat(),
                      end=rep.week.last_day.isoformat(), n=rep.history_weeks))
    _downloads(rep, who)
    _counts(rep)
    _places_section(rep, who)
    _tables(rep)
    st.subheader(ctx.tr("weekly.h.followup"))
    _task_table(rep.followup, True)
    _followup_form(rep, who)
    st.subheader(ctx.tr("weekly.h.tasks"))
    _task_table(rep.tasks, False)
    _task_form(rep.week.label, who)
