"""The app shell: page config, language switch, log-in gate and navigation.

Pages live in :mod:`mapapp.ui.pages`, one module each with ``render()`` and optionally
``PERMISSION`` (a :class:`~mapapp.access.Perm` the role needs to see the page). The shell lists
the pages of :data:`PAGES` whose module exists, in that order. No page runs before log-in.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
from collections.abc import Callable

import streamlit as st

from mapapp.access import Perm
from mapapp.errors import MapAppError
from mapapp.i18n import t
from mapapp.logs import survived
from mapapp.textsafe import html_text
from mapapp.ui import context as ctx
from mapapp.ui.login import login_gate, logout_button

log = logging.getLogger(__name__)

# (module, i18n key, icon)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("karta", "nav.karta", ":material/map:"),
    ("omrade", "nav.omrade", ":material/location_city:"),
    ("vandring", "nav.vandring", ":material/directions_walk:"),
    ("atgarder", "nav.atgarder", ":material/task_alt:"),
    ("statistik", "nav.statistik", ":material/bar_chart:"),
    ("veckolage", "nav.veckolage", ":material/calendar_view_week:"),
    ("enkat", "nav.enkat", ":material/fact_check:"),
    ("rapporter", "nav.rapporter", ":material/campaign:"),
    ("trygghet", "nav.trygghet", ":material/shield:"),
    ("importera", "nav.import", ":material/upload_file:"),
    ("protokoll", "nav.protokoll", ":material/description:"),
    ("admin", "nav.admin", ":material/admin_panel_settings:"),
)


def _guarded(render: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            render()
        except MapAppError as exc:
            survived(log, exc, "refused (%s)", __name__, level=logging.INFO)
            st.error(ctx.error_text(exc))

    run.__name__ = render.__module__.rsplit(".", 1)[-1]
    return run


def _pages() -> list[st.Page]:
    who = ctx.principal()
    out: list[st.Page] = []
    for name, key, icon in PAGES:
        modname = f"mapapp.ui.pages.{name}"
        if importlib.util.find_spec(modname) is None:
            continue
        module = importlib.import_module(modname)
        perm: Perm | None = getattr(module, "PERMISSION", None)
        if perm is not None and (who is None or not who.can(perm)):
            continue
        out.append(st.Page(_guarded(module.render), title=ctx.tr(key), icon=icon,
                           url_path=name, default=not out))
    return out


def _vendor_beside_script() -> None:
    """The map's scripts in the ``static/vendor`` folder that Streamlit serves for the running
    entry script (``streamlit_app.py`` of a checkout or the packaged ``mapapp/streamlit_main.py``),
    and the tiles of a local MBTiles/PMTiles basemap published into the same ``static/``."""
    from pathlib import Path

    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from mapapp.render import assets, tiles

    run = get_script_run_ctx()
    if run is not None and run.main_script_path:
        static = Path(run.main_script_path).resolve().parent / "static"
        assets.ensure_vendor_once(static / "vendor")
        tiles.serve_from(static)  # a local MBTiles/PMTiles basemap is published where it is served


@functools.cache
def _configure_logging() -> None:
    """mapapp's logging once per server process (the script reruns on every interaction)."""
    from mapapp import logs

    logs.configure()


def declare_language() -> None:
    """The page's language on ``<html lang>`` (WCAG 3.1.1; Streamlit's page says "en") and on
    Streamlit's skip link ("Skip to main content", 2.4.1), and a visible focus ring on every
    control (2.4.7). Constant code; the language code and the catalogue's skip-link text go
    into JS strings through ``html_text`` (no quote, backslash or ``<`` can end them; the
    catalogue's texts hold no character it would change)."""
    code = "en" if ctx.lang() == "en" else "sv"
    st.html("<script>(() => {"
            f' document.documentElement.lang = "{html_text(code)}";'
            " const skip = document.querySelector('[data-testid=\"stSkipToContent\"]');"
            f' if (skip) {{ skip.textContent = "{html_text(t("app.skip_link", code))}"; }}'
            " })();</script>", unsafe_allow_javascript=True)
    st.html(_FOCUS_CSS)


_FOCUS_CSS = """<style>
a:focus-visible, button:focus-visible, [role="button"]:focus-visible, summary:focus-visible,
input:focus-visible, textarea:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #0b5394 !important; outline-offset: 2px; }
</style>"""


def _token_page() -> bool:
    """A survey link (``?enkat=TOKEN``) opens only that recipient's form, and the public
    report link (``?rapport``) only the report form, without log-in and without the
    navigation (issue 19). True when the page was such a link."""
    token = st.query_params.get("enkat")
    public = "rapport" in st.query_params
    if token is None and not public:
        return False
    from mapapp.store.schema import has_schema

    if not has_schema(ctx.get_engine()):
        st.error(ctx.tr("app.no_schema"))
        return True
    try:
        if token is not None:
            from mapapp.ui.survey_form import render_token_page

            render_token_page(str(token))
        else:
            from mapapp.ui.report_form import render_report_page

            render_report_page()
    except MapAppError as exc:
        st.error(exc.text(ctx.lang()))
    return True


def main() -> None:
    _configure_logging()
    _vendor_beside_script()
    # A click on the language switch: its new value is in the session before this run starts;
    # take it now, so that the page's title and <html lang> (WCAG 3.1.1) are in the new language
    # too, not only what is drawn after the switch.
    switched = st.session_state.get("lang_switch")
    if switched in ("sv", "en") and switched != st.session_state.get(ctx.LANG_KEY):
        st.session_state[ctx.LANG_KEY] = switched
    st.set_page_config(page_title=ctx.tr("app.title"), page_icon="🗺️",
                       layout="wide", initial_sidebar_state="auto")
    declare_language()
    if _token_page():
        return
    with st.sidebar:
        choice = st.segmented_control(
            ctx.tr("app.language"), ["sv", "en"], default=ctx.lang(), key="lang_switch",
            format_func=lambda c: {"sv": "Svenska", "en": "English"}[c])
        if choice and choice != st.session_state.get(ctx.LANG_KEY):
            st.session_state[ctx.LANG_KEY] = choice
    from mapapp.store.schema import has_schema

    if not has_schema(ctx.get_engine()):
        st.error(ctx.tr("app.no_schema"))
        st.stop()
    if ctx.principal() is None:
        login_gate()
        st.stop()
    with st.sidebar:
        logout_button()
    nav = st.navigation(_pages())
    nav.run()
