"""Rapporter: the review queue of reports from residents and businesses. The coordinator
publishes a report into the observations (optionally correcting its category) or rejects it.
Thin: :mod:`mapapp.council.reports` checks the role and audits."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapapp import categories as cats
from mapapp.access import Perm
from mapapp.council.reports import CATEGORIES, publish_report, reject_report, review_queue
from mapapp.errors import MapAppError
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx

PERMISSION = Perm.EDIT_MEASURES
_FLASH = "rapporter_flash"


def render() -> None:
    who = ctx.require_principal()
    engine = ctx.get_engine()
    lang = ctx.lang()
    st.title(ctx.tr("report.queue.title"))
    st.caption(ctx.tr("report.queue.link", url=markdown_text(
        ctx.get_settings().public_url.rstrip("/") + "/?rapport=1")))
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    q = review_queue(engine, who)
    if q.empty:
        st.info(ctx.tr("report.queue.empty"))
        return
    label = lambda c: cats.label("observation", str(c), lang=lang)  # noqa: E731
    st.dataframe(pd.DataFrame({
        "#": q["id"],
        ctx.tr("report.col.created_at"): pd.to_datetime(q["created_at"], utc=True)
        .dt.tz_convert("Europe/Stockholm").dt.strftime("%Y-%m-%d %H:%M"),
        ctx.tr("report.col.category"): [label(c) for c in q["category"]],
        ctx.tr("report.col.zone"): q["zone"], ctx.tr("report.col.text"): q["text"]}),
        hide_index=True, width="stretch")
    ids = [int(i) for i in q["id"]]
    rid = st.selectbox(ctx.tr("report.queue.pick"), ids, key="rapporter_pick",
                       format_func=lambda i: f"#{i}")
    row = q[q["id"] == rid].iloc[0]
    cat = st.selectbox(ctx.tr("report.col.category"), list(CATEGORIES),
                       index=list(CATEGORIES).index(row["category"]), format_func=label,
                       key=f"rapporter_cat_{rid}")
    c1, c2 = st.columns(2)
    try:
        if c1.button(ctx.tr("report.queue.publish"), type="primary", key="rapporter_publish"):
            oid = publish_report(engine, who, int(rid), category=str(cat))
            st.session_state[_FLASH] = ctx.tr("report.queue.published", id=rid, obs=oid)
            st.rerun()
        if c2.button(ctx.tr("report.queue.reject"), key="rapporter_reject"):
            reject_report(engine, who, int(rid))
            st.session_state[_FLASH] = ctx.tr("report.queue.rejected", id=rid)
            st.rerun()
    except MapAppError as exc:
        st.error(markdown_text(exc.text(lang)))
