"""The walk's other views: a new walk, the team's observations (corrections within the edit
window) and the follow-up sheet (on screen, DOCX, PDF; status per observation; an observation
made a measure in one step)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from mapapp import categories as cats
from mapapp import walks
from mapapp.access import Perm, Principal
from mapapp.errors import MapAppError
from mapapp.logs import survived
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx

log = logging.getLogger(__name__)

LOCAL = ZoneInfo("Europe/Stockholm")
#: User and data text for Markdown (captions, headings, expander labels): escaped.
md = markdown_text


def new_walk_form(who: Principal) -> int | None:
    """The walk form; returns the new walk's id once the database confirmed it."""
    lang = ctx.lang()
    sid_key = "vw_new_sid"
    if sid_key not in st.session_state:
        st.session_state[sid_key] = str(uuid.uuid4())
    zones = ctx.zones()
    zone_names = dict(zip(zones["id"].astype(int), zones["name"], strict=True))
    with st.form(f"vw_new_{st.session_state[sid_key]}", border=True):
        st.subheader(ctx.tr("walks.ui.new_walk"), anchor=False)
        zone = st.selectbox(ctx.tr("walks.doc.zone"), list(zone_names), index=None,
                            format_func=lambda i: zone_names[i],
                            placeholder=ctx.tr("walks.ui.choose"))
        c1, c2 = st.columns(2)
        day = c1.date_input(ctx.tr("walks.ui.date"), format="YYYY-MM-DD")
        start = c2.time_input(ctx.tr("walks.ui.time"), value=time(18, 0), step=900)
        organiser = st.text_input(ctx.tr("walks.doc.organiser"), max_chars=200,
                                  placeholder=ctx.tr("walks.ui.organiser_placeholder"),
                                  help=ctx.tr("walks.ui.organiser_help"))
        st.markdown(f"**{ctx.tr('walks.doc.participants')}**")
        cols = st.columns(len(walks.PARTICIPANT_GROUPS))
        counts = {g: int(col.number_input(ctx.tr(f"walks.group.{g}"), min_value=0,
                                          max_value=100, step=1, value=0))
                  for g, col in zip(walks.PARTICIPANT_GROUPS, cols, strict=True)}
        status = st.segmented_control(ctx.tr("walks.doc.status"), list(cats.WALK_STATUSES),
                                      default="planerad", required=True,
                                      format_func=lambda s: ctx.tr(f"walks.walkstatus.{s}"))
        if not st.form_submit_button(ctx.tr("walks.ui.create"), type="primary"):
            return None
    starts = datetime.combine(day, start).replace(tzinfo=LOCAL)
    try:
        wid, _ = walks.create_walk(
            ctx.get_engine(), who, submission_id=st.session_state[sid_key],
            zone_id=zone if zone is not None else -1, starts_at=starts,
            organiser=organiser, participants=counts, status=status or "planerad", lang=lang)
    except MapAppError as exc:
        survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
        st.error(ctx.error_text(exc))
        return None
    del st.session_state[sid_key]
    return wid


def team_observations(who: Principal, walk: walks.WalkInfo) -> None:
    """The walk's observations that ``who`` sees; its own team's can be corrected for
    MAPAPP_EDIT_WINDOW_HOURS."""
    lang = ctx.lang()
    sheet = walks.follow_up_sheet(ctx.get_engine(), who, walk.id, lang=lang)
    if sheet.rows.empty:
        st.info(ctx.tr("walks.doc.empty"))
        return
    hours = ctx.get_settings().edit_window_hours
    st.caption(ctx.tr("walks.ui.correct_hint", h=f"{hours:g}"))
    now = pd.Timestamp.now(tz="UTC")
    for r in sheet.rows.itertuples(index=False):
        title = f"{r.occurred_at:%H:%M} · {r.category_label} · {r.place}"
        with st.expander(md(title)):
            st.text(r.note or "–")
            st.caption(md(r.ratings or ""))
            own = (r.team or "") == (who.team or "") or who.can(Perm.ADMIN)
            if own and now - r.occurred_at <= pd.Timedelta(hours=hours):
                _correction(who, r, lang=lang)
            else:
                st.caption(ctx.tr("walks.ui.not_correctable"))


def _correction(who: Principal, r: Any, *, lang: str) -> None:
    oid = int(r.observation_id)
    codes: list[str] = [c.code for c in cats.OBSERVATION_CATEGORIES]
    with st.form(f"vc_{oid}", border=False):
        cat = st.selectbox(ctx.tr("walks.ui.category"), codes,
                           index=codes.index(r.category) if r.category in codes else 0,
                           format_func=lambda c: cats.label("observation", str(c), lang=lang))
        note = st.text_area(ctx.tr("walks.ui.note"), value=r.note or "", max_chars=500)
        if st.form_submit_button(ctx.tr("walks.ui.correct")):
            try:
                changed = walks.correct_observation(
                    ctx.get_engine(), who, oid, category=cat, note=note,
                    settings=ctx.get_settings(), lang=lang)
                st.success(ctx.tr("walks.ui.corrected", n=len(changed)))
            except MapAppError as exc:
                survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                st.error(ctx.error_text(exc))


def follow_up(who: Principal, walk: walks.WalkInfo) -> None:
    """The follow-up sheet: by place, owner and status; downloads; status and measure."""
    from mapapp.snapshot.followup import followup_docx, followup_pdf

    lang = ctx.lang()
    engine = ctx.get_engine()
    sheet = walks.follow_up_sheet(engine, who, walk.id, lang=lang)
    photos: dict[int, bytes] = {}
    for oid in sheet.rows.loc[sheet.rows["has_photo"].astype(bool), "observation_id"]:
        got = walks.observation_photo(engine, who, int(oid))
        if got is not None:
            photos[int(oid)] = got[0]  # stored without metadata
    c1, c2, c3 = st.columns([2, 2, 3], vertical_alignment="bottom")
    name = f"uppfoljning-vandring-{walk.id}"
    c1.download_button(ctx.tr("walks.ui.download_docx"), followup_docx(sheet, lang=lang, photos=photos),
                       file_name=f"{name}.docx", icon=":material/description:",
                       mime="application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document", use_container_width=True)
    c2.download_button(ctx.tr("walks.ui.download_pdf"), followup_pdf(sheet, lang=lang, photos=photos),
                       file_name=f"{name}.pdf", mime="application/pdf",
                       icon=":material/picture_as_pdf:", use_container_width=True)
    with c3:
        status = st.segmented_control(
            ctx.tr("walks.ui.walk_status"), list(cats.WALK_STATUSES), default=walk.status,
            required=True, key=f"vw_status_{walk.id}",
            format_func=lambda s: ctx.tr(f"walks.walkstatus.{s}"))
        if status and status != walk.status:
            try:
                walks.set_walk_status(engine, who, walk.id, status, lang=lang)
                st.rerun()
            except MapAppError as exc:
                survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                st.error(ctx.error_text(exc))
    if sheet.rows.empty:
        st.info(ctx.tr("walks.doc.empty"))
        return
    can_measure = who.can(Perm.EDIT_MEASURES)
    for place, rows in sheet.places():
        st.subheader(md(place), anchor=False)
        table = pd.DataFrame({
            ctx.tr("walks.doc.col.nr"): rows["observation_id"],
            ctx.tr("walks.doc.col.category"): rows["category_label"],
            ctx.tr("walks.doc.col.note"): rows["note"].fillna(""),
            ctx.tr("walks.doc.col.ratings"): rows["ratings"],
            ctx.tr("walks.doc.col.owner"): rows["owner"],
            ctx.tr("walks.doc.col.status"): rows["status_label"],
        })
        st.dataframe(table, hide_index=True, use_container_width=True)
        for r in rows.itertuples(index=False):
            oid = int(r.observation_id)
            a, b = st.columns([3, 2], vertical_alignment="bottom")
            new = a.segmented_control(
                f"{ctx.tr('walks.doc.col.nr')} {oid}", list(cats.OBSERVATION_STATUSES),
                default=r.status, required=True, key=f"vs_{oid}",
                format_func=lambda s: walks.status_label(s, lang=lang))
            if new and new != r.status:
                try:
                    walks.set_observation_status(engine, who, oid, new, lang=lang)
                    st.rerun()
                except MapAppError as exc:
                    survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                    st.error(ctx.error_text(exc))
            if can_measure and b.button(ctx.tr("walks.ui.to_measure"), key=f"vm_{oid}"):
                try:
                    mid, created = walks.observation_to_measure(engine, who, oid, lang=lang)
                    st.success(ctx.tr("walks.ui.measure_made" if created else
                                      "walks.ui.measure_exists", id=mid))
                except MapAppError as exc:
                    survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
                    st.error(ctx.error_text(exc))
