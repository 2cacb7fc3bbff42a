"""Enkät: the monthly actor survey's results per zone (share of recipients reporting each
problem, with the number who answered) and, for the council's roles, the places marked and the
free texts (apart). Surveys
are created and their links printed with ``mapapp survey`` (the coordinator sends them).
Thin: :mod:`mapapp.council.survey` checks the role."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapapp.access import Perm, Principal
from mapapp.council.survey import free_texts, list_surveys, results, trend
from mapapp.ui import context as ctx

PERMISSION = Perm.VIEW_AGGREGATES


def render() -> None:
    who = ctx.require_principal()
    engine = ctx.get_engine()
    st.title(ctx.tr("survey.page.title"))
    surveys = list_surveys(engine, who)
    if surveys.empty:
        st.info(ctx.tr("survey.page.none"))
        return
    labels = {int(r.id): f"{r.month} · {r.title}" for r in surveys.itertuples()}
    sid = st.selectbox(ctx.tr("survey.page.pick"), list(labels),
                       format_func=lambda i: labels[i], key="enkat_survey")
    row = surveys[surveys["id"] == sid].iloc[0]
    st.caption(ctx.tr("survey.page.summary", answers=int(row["answers"]),
                      recipients=int(row["recipients"]), closes=str(row["closes"])))
    st.subheader(ctx.tr("survey.page.results"))
    res = pd.DataFrame(results(engine, who, int(sid)),
                       columns=["zone", "problem", "reported", "answered"])
    if not res.empty:
        share = (100 * res["reported"] / res["answered"].where(res["answered"] > 0)).round(0)
        st.dataframe(pd.DataFrame({
            ctx.tr("survey.col.zone"): res["zone"],
            ctx.tr("survey.col.problem"): [ctx.tr(f"survey.problem.{p}") for p in res["problem"]],
            ctx.tr("survey.page.share"): share,
            ctx.tr("survey.col.reported"): res["reported"],
            ctx.tr("survey.col.answered"): res["answered"]}),
            hide_index=True, width="stretch",
            column_config={ctx.tr("survey.page.share"): st.column_config.ProgressColumn(
                format="%d %%", min_value=0, max_value=100)})
    _trend(who)
    if who.can(Perm.EDIT_MEASURES):
        _places(who, int(sid))
        texts = free_texts(engine, who, int(sid))
        if texts:
            st.subheader(ctx.tr("survey.page.free_texts"))
            st.dataframe(pd.DataFrame({
                ctx.tr("survey.col.organisation"): [x["organisation"] for x in texts],
                ctx.tr("survey.col.role"): [x["role"] for x in texts],
                ctx.tr("survey.col.text"): [x["text"] for x in texts]}),
                hide_index=True, width="stretch")


def _trend(who: Principal) -> None:
    """Share reporting each problem over the months, for one zone."""
    t = pd.DataFrame(trend(ctx.get_engine(), who),
                     columns=["month", "zone", "problem", "reported", "answered"])
    if t["month"].nunique() < 2:
        return
    st.subheader(ctx.tr("survey.page.trend"))
    zone = st.selectbox(ctx.tr("survey.col.zone"), sorted(t["zone"].unique()),
                        key="enkat_trend_zone")
    z = t[t["zone"] == zone]
    share = (100 * z["reported"] / z["answered"].where(z["answered"] > 0)).round(0)
    wide = (z.assign(share=share, problem=[ctx.tr(f"survey.problem.{p}") for p in z["problem"]])
            .pivot_table(index="month", columns="problem", values="share"))
    st.line_chart(wide, y_label=ctx.tr("survey.page.share"), x_label=ctx.tr("survey.col.month"))


def _places(who: Principal, sid: int) -> None:
    """Where the problems were seen (council roles only; never with the free texts)."""
    from mapapp.council.survey_places import PLACE_CELL_M, marked_places

    st.subheader(ctx.tr("survey.page.places"))
    marked = marked_places(ctx.get_engine(), who, sid)
    if not marked:
        st.caption(ctx.tr("survey.page.places_none"))
        return
    st.dataframe(pd.DataFrame({
        ctx.tr("survey.col.zone"): [m["zone"] for m in marked],
        ctx.tr("survey.col.problem"): [ctx.tr(f"survey.problem.{m['problem']}") for m in marked],
        ctx.tr("survey.col.place"): [m["site"] or ctx.tr("survey.place.cell", m=f"{PLACE_CELL_M:.0f}",
                                                         lat=f"{m['lat']:.4f}",
                                                         lon=f"{m['lon']:.4f}")
                                     for m in marked],
        ctx.tr("survey.col.marked"): [m["marked"] for m in marked]}),
        hide_index=True, width="stretch")
