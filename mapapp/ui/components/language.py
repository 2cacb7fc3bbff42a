"""The language choice of the pages a link opens without an account (the survey form
``?enkat=TOKEN`` and the public report form ``?rapport``), which have no sidebar."""

from __future__ import annotations

import streamlit as st

from mapapp.ui import context as ctx


def language_choice() -> None:
    """Svenska / English above the form; a change reruns the page in that language."""
    choice = st.segmented_control(
        ctx.tr("app.language"), ["sv", "en"], default=ctx.lang(), key="enkat_lang",
        format_func=lambda c: {"sv": "Svenska", "en": "English"}[c], label_visibility="collapsed")
    if choice and choice != st.session_state.get(ctx.LANG_KEY):
        st.session_state[ctx.LANG_KEY] = choice
        st.rerun()
