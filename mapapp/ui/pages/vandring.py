"""Vandring: the trygghetsvandring page, made for a 10-inch tablet and a finger.

Choose (or create) a walk, then: the map centred on the walk's zone with the team's points;
place an observation by tapping the map, by "Min position" or by a nearby site; category,
quick 0–3 ratings, a short note (checked for personal data), an optional photo; save exactly
once. Other views: the team's observations (corrections for 24 h) and the follow-up sheet.
The walk and the open form's submission id are in the URL, so a reload finds them again.
"""

from __future__ import annotations

import logging

import streamlit as st

from mapapp import walks
from mapapp.access import Perm
from mapapp.errors import MapAppError
from mapapp.logs import survived
from mapapp.ui import context as ctx
from mapapp.ui.vandring_followup import follow_up, md, new_walk_form, team_observations
from mapapp.ui.vandring_form import render_form

log = logging.getLogger(__name__)

PERMISSION = Perm.WALK
VIEWS = ("observe", "list", "followup", "new")

# Constant style (no user data): finger-sized targets; the two columns stack on a portrait
# tablet or a narrow window.
_CSS = """
<style>
.st-key-vandring_page button, .st-key-vandring_page [data-baseweb="select"] > div {
  min-height: 52px; font-size: 1.05rem; touch-action: manipulation; }
.st-key-vandring_page [data-testid="stButtonGroup"] button { min-width: 52px; }
.st-key-vandring_page textarea, .st-key-vandring_page input { font-size: 1.05rem; }
.st-key-vandring_form [data-testid="stBaseButton-primary"] { min-height: 64px;
  font-size: 1.25rem; }
@media (max-width: 1000px) {
  .st-key-vandring_main [data-testid="stHorizontalBlock"],
  .st-key-vandring_head [data-testid="stHorizontalBlock"] { flex-direction: column; }
  .st-key-vandring_main [data-testid="stHorizontalBlock"] > [data-testid="stColumn"],
  .st-key-vandring_head [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    width: 100% !important; flex: 1 1 auto !important; }
}
</style>
"""


def _walk_id(options: list[int]) -> int | None:
    """The walk in the URL, else the one with this user's newest draft, else the newest."""
    raw = st.query_params.get("vandring")
    try:
        wid = int(raw) if raw else None
    except ValueError as exc:
        survived(log, exc, "walk id in the URL is no number", level=logging.DEBUG)
        wid = None
    if wid is None:
        wid = walks.latest_draft_walk(ctx.get_engine(), ctx.require_principal())
    if wid in options:
        return wid
    return options[0] if options else None


def render() -> None:
    who = ctx.require_principal()
    who.require(Perm.WALK)
    st.markdown(_CSS, unsafe_allow_html=True)
    with st.container(key="vandring_page"):
        st.title(ctx.tr("walks.ui.title"), anchor=False)
        engine = ctx.get_engine()
        listed = walks.list_walks(engine, who)
        ids = [int(i) for i in listed["id"]]
        labels = {int(r.id): f"{r.title} · {ctx.tr(f'walks.walkstatus.{r.status}')}"
                  for r in listed.itertuples(index=False)}
        c1, c2 = st.container(key="vandring_head").columns([2, 3], vertical_alignment="bottom")
        pending = st.session_state.pop("vw_opened", None)  # a walk just created
        if pending is not None:
            st.session_state["vw_walk"] = pending
            st.session_state["vw_view"] = "observe"
        wid = _walk_id(ids)
        if "vw_walk" in st.session_state and st.session_state["vw_walk"] not in ids:
            del st.session_state["vw_walk"]
        chosen = c1.selectbox(ctx.tr("walks.ui.walk"), ids,
                              index=None if "vw_walk" in st.session_state or wid not in ids
                              else ids.index(wid), format_func=lambda i: labels.get(i, str(i)),
                              placeholder=ctx.tr("walks.ui.no_walks"), key="vw_walk")
        view = c2.segmented_control(
            ctx.tr("walks.ui.view"), VIEWS, required=True, key="vw_view",
            default=None if "vw_view" in st.session_state else ("observe" if ids else "new"),
            format_func=lambda v: ctx.tr(f"walks.ui.view.{v}"))
        if chosen is not None and st.query_params.get("vandring") != str(chosen):
            st.query_params["vandring"] = str(chosen)
            st.query_params.pop("utkast", None)
        if view == "new" or chosen is None:
            new = new_walk_form(who)
            if new is not None:
                st.query_params["vandring"] = str(new)
                st.session_state["vw_opened"] = new
                st.rerun()
            return
        try:
            walk = walks.get_walk(engine, who, int(chosen), lang=ctx.lang())
        except MapAppError as exc:
            survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
            st.error(ctx.error_text(exc))
            return
        parts = walk.participants
        st.caption(ctx.tr("walks.ui.walk_caption", zone=md(walk.zone or "–"),
                          organiser=md(walk.organiser), n=sum(parts.values()),
                          obs=walk.n_observations))
        if view == "observe":
            render_form(who, walk)
        elif view == "list":
            team_observations(who, walk)
        else:
            follow_up(who, walk)
