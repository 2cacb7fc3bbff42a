"""The public report form (``/?rapport``): one link for everyone, no account. The app shell
shows only this form. A tap on the map places the point; a category and an optional short
text; "Skicka". A hidden honeypot field catches bots; a report of the same thing nearby is
offered as "already reported" first. Thin: every rule is in :mod:`mapapp.council.reports`."""

from __future__ import annotations

import uuid
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from mapapp import categories as cats
from mapapp.council.reports import CATEGORIES, DUPLICATE_DAYS, DUPLICATE_RADIUS_M, submit_report
from mapapp.errors import MapAppError
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx
from mapapp.ui.vandring_map import walk_map

QUERY_KEY = "rapport"
_S = "rapport_state"
MAP_HEIGHT = 360
# the honeypot's container is moved off screen: people never see it, bots fill it
_HIDE = ("<style>.st-key-rapport_website{position:absolute!important;left:-10000px!important;"
         "width:1px!important;height:1px!important;overflow:hidden!important}</style>")


def _state() -> dict[str, Any]:
    if _S not in st.session_state:
        st.session_state[_S] = {"sid": uuid.uuid4().hex, "lon": None, "lat": None,
                                "dups": None, "flash": None}
    return st.session_state[_S]  # type: ignore[no-any-return]


def _reset(s: dict[str, Any], flash: str) -> None:
    s.update({"sid": uuid.uuid4().hex, "lon": None, "lat": None, "dups": None, "flash": flash})
    for k in ("rapport_cat", "rapport_text"):
        st.session_state.pop(k, None)


def _client_address() -> str | None:
    """The sender's address for the rate limit. Behind the city's reverse proxy that is the
    last ``X-Forwarded-For`` entry (the one the proxy added; entries before it come from the
    client and could be forged to dodge the limit); without a proxy, the connection's."""
    fwd = st.context.headers.get("X-Forwarded-For") if st.context.headers else None
    if fwd:
        return fwd.split(",")[-1].strip()
    return st.context.ip_address


def _map(s: dict[str, Any]) -> None:
    import shapely

    settings = ctx.get_settings()
    base = ctx.stadsdelar()
    district = shapely.union_all(base.geometry.to_numpy())
    m = walk_map(zone=district, observations=_EMPTY, sites=None, route=None, base=base,
                 pending=(s["lon"], s["lat"]) if s["lon"] is not None else None,
                 pending_accuracy=None, basemap=settings.basemap,
                 attribution=settings.basemap_attribution, lang=ctx.lang())
    out = st_folium(m, key="rapport_map", height=MAP_HEIGHT, use_container_width=True,
                    returned_objects=["last_clicked"])
    click = (out or {}).get("last_clicked")
    if click and click != s.get("seen"):
        s["seen"] = click
        s["lon"], s["lat"] = float(click["lng"]), float(click["lat"])
        s["dups"] = None
        st.rerun()


def _send(s: dict[str, Any], *, confirm_new: bool) -> None:
    try:
        res = submit_report(
            ctx.get_engine(), submission_id=s["sid"], category=str(
                st.session_state.get("rapport_cat") or ""), lon=s["lon"], lat=s["lat"],
            text=str(st.session_state.get("rapport_text") or ""),
            honeypot=str(st.session_state.get("rapport_website") or ""),
            client_address=_client_address(), confirm_new=confirm_new,
            settings=ctx.get_settings())
    except MapAppError as exc:
        st.error(markdown_text(exc.text(ctx.lang())).replace("\n", "  \n"))
        return
    if res.status == "duplicate":
        s["dups"] = res.duplicates
        st.rerun()
    _reset(s, ctx.tr("report.form.thanks"))
    st.rerun()


def render_report_page() -> None:
    from mapapp.ui.survey_form import _language

    _language()
    s = _state()
    st.title(ctx.tr("report.form.title"))
    st.caption(ctx.tr("report.form.intro"))
    if s.get("flash"):
        st.success(s.pop("flash"))
    st.markdown(f"**{ctx.tr('report.form.map')}**")
    _map(s)
    if s["lon"] is not None:
        st.caption(ctx.tr("report.form.placed", lat=f"{s['lat']:.5f}", lon=f"{s['lon']:.5f}"))
    st.pills(ctx.tr("report.form.category"), list(CATEGORIES),
             format_func=lambda c: cats.label("observation", c, lang=ctx.lang()), key="rapport_cat")
    st.text_area(ctx.tr("report.form.text"), max_chars=500, key="rapport_text", height=90)
    st.html(_HIDE)
    st.text_input(ctx.tr("report.form.website"), key="rapport_website")
    if s["dups"]:
        st.warning(ctx.tr("report.form.duplicate", m=int(DUPLICATE_RADIUS_M),
                          days=DUPLICATE_DAYS))
        for d in s["dups"][:5]:
            st.caption(ctx.tr("report.form.duplicate_row", distance=round(d["distance_m"]),
                              date=str(d["at"])))
        c1, c2 = st.columns(2)
        if c1.button(ctx.tr("report.form.same"), key="rapport_same", width="stretch"):
            _reset(s, ctx.tr("report.form.not_sent_same"))
            st.rerun()
        if c2.button(ctx.tr("report.form.new_anyway"), key="rapport_new", width="stretch"):
            _send(s, confirm_new=True)
        return
    if st.button(ctx.tr("report.form.send"), type="primary", key="rapport_send",
                 width="stretch"):
        _send(s, confirm_new=False)


def _empty() -> Any:
    import pandas as pd

    return pd.DataFrame({"lon": [], "lat": [], "category": [], "occurred_at": []})


_EMPTY = _empty()
