"""The survey form that a recipient's personal link opens (``/?enkat=TOKEN``), without an
account. The app shell shows this page *instead of* the log-in and the navigation: the token
opens this one recipient's form and nothing else. An unknown, tampered or expired token gets
the same refusal, with no data. For a problem answered "Lite" or "Mycket" the recipient may
say where (:mod:`mapapp.ui.survey_map`: a site from a list, or a tap on the zone's small map).
Thin: every rule is in :mod:`mapapp.council.survey` and :mod:`mapapp.council.survey_places`."""

from __future__ import annotations

import streamlit as st

from mapapp.council.survey import PROBLEMS, load_answer, resolve_token, save_answer, zones
from mapapp.errors import MapAppError
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx
from mapapp.ui import survey_map

QUERY_KEY = "enkat"
_FLASH = "enkat_flash"


def _language() -> None:
    choice = st.segmented_control(
        ctx.tr("app.language"), ["sv", "en"], default=ctx.lang(), key="enkat_lang",
        format_func=lambda c: {"sv": "Svenska", "en": "English"}[c], label_visibility="collapsed")
    if choice and choice != st.session_state.get(ctx.LANG_KEY):
        st.session_state[ctx.LANG_KEY] = choice
        st.rerun()


def render_token_page(token: str) -> None:
    engine = ctx.get_engine()
    _language()
    rec = resolve_token(engine, token, settings=ctx.get_settings())
    if rec is None:
        st.title(ctx.tr("survey.form.refused_title"))
        st.error(ctx.tr("survey.refused"))
        return
    answers, free = load_answer(engine, rec)
    places = survey_map.places_state(rec.recipient_id, engine)
    st.title(markdown_text(rec.title))
    st.caption(ctx.tr("survey.form.for", organisation=markdown_text(rec.organisation),
                      role=markdown_text(rec.role)))
    st.markdown(ctx.tr("survey.form.intro", month=rec.month, closes=rec.closes.isoformat()))
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    elif answers or free:
        st.info(ctx.tr("survey.form.editing"))
    levels = [0, 1, 2]
    zone_list = zones(engine)
    # No st.form: a problem answered "Lite" or "Mycket" shows at once where it can be marked.
    for zid, name in zone_list:
        answered = any((zid, p) in answers for p in PROBLEMS)
        with st.expander(markdown_text(name), expanded=answered):
            st.caption(ctx.tr("survey.form.zone_hint"))
            for p in PROBLEMS:
                level = st.radio(ctx.tr(f"survey.problem.{p}"), levels,
                                 index=answers.get((zid, p)),
                                 format_func=lambda v: ctx.tr(f"survey.level.{v}"),
                                 horizontal=True, key=f"enkat_{zid}_{p}")
                if level is not None and level >= 1:
                    survey_map.place_control(places, zid, p)
    st.text_area(ctx.tr("survey.form.free_text"), value=free, max_chars=500,
                 key="enkat_text", height=90)
    if not st.button(ctx.tr("survey.form.submit"), type="primary", width="stretch",
                     key="enkat_send"):
        return
    given = {(zid, p): st.session_state.get(f"enkat_{zid}_{p}") for zid, _ in zone_list
             for p in PROBLEMS}
    try:
        first = save_answer(engine, token, given, str(st.session_state.get("enkat_text") or ""),
                            settings=ctx.get_settings(),
                            known_places=[n for _, n in zone_list],
                            places=survey_map.given_places(places))
    except MapAppError as exc:
        st.error(markdown_text(exc.text(ctx.lang())).replace("\n", "  \n"))
        return
    survey_map.forget(rec.recipient_id)  # the next run reads the stored (snapped) places
    st.session_state[_FLASH] = ctx.tr("survey.form.saved" if first else "survey.form.edited")
    st.rerun()
