"""Karta: the district with switchable layers and a legend, filters, figures, and the card of
the zone or site that was clicked.

The heavy work is cached: point frames and their :class:`~mapapp.render.data.PointIndex` per
data version and role (``st.cache_resource``, shared and read-only), the computed view per
filter as well. The map goes through ``st_folium`` with a stable key and
``returned_objects=["last_object_clicked"]``, so a pan or zoom does not rerun the script; a
click does, and opens the card beside the map. The filter helpers and the card layout are
shared with the Område page (:mod:`mapapp.ui.components`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapapp.access import Perm
from mapapp.analysis.periods import Period
from mapapp.i18n.numbers import fmt_number
from mapapp.render import layer_specs
from mapapp.render.build import build_map
from mapapp.render.cards import resolve_click
from mapapp.render.figures import change_text
from mapapp.render.view import MapView, zone_table
from mapapp.ui import context as ctx
from mapapp.ui import state
from mapapp.ui.components.cards import card_for, show_card
from mapapp.ui.components.mapfilter import current_view, filter_sidebar
from mapapp.ui.components.markdown import md
from mapapp.ui.components.survey_layer import survey_layer

PERMISSION = Perm.VIEW_AGGREGATES
MAP_KEY = "karta_map"
PICK_KEY = "karta_pick"
LAST_CLICK_KEY = "karta_last_click"
MAP_HEIGHT = 640


# --- figures -----------------------------------------------------------------------------------

def figures_row(view: MapView) -> None:
    lang = ctx.lang()
    f = view.figures
    cols = st.columns(5)
    delta = None
    change = f.get("incidents_change")
    # An arrow (Streamlit's delta) only for a significant change against the same days a year
    # earlier; otherwise the words "oförändrat inom normal variation" below the figure.
    if change is not None and change.significant:
        delta = change_text(change.change_abs, change.change_pct, change.trend, lang=lang)
    cols[0].metric(ctx.tr("map.fig.incidents"), fmt_number(f["incidents"], lang, decimals=0),
                   delta=delta, delta_color="inverse",
                   help=ctx.tr("map.fig.delta_help", period=view.previous.label)
                   if view.previous is not None else None)
    if change is not None and not change.significant and change.trend is not None:
        cols[0].caption(change_text(change.change_abs, change.change_pct, change.trend, lang=lang))
    if view.period is not None and change is not None and not change.complete:
        cols[0].caption(ctx.tr("sig.period_incomplete", period=view.period.label,
                               last=change.compared_to or "–"))
    cols[1].metric(ctx.tr("map.fig.observations"), fmt_number(f["observations"], lang, decimals=0))
    cols[2].metric(ctx.tr("map.fig.flagged"), fmt_number(f["flagged"], lang, decimals=0))
    if f.get("flagged") or f.get("rising"):
        cols[2].caption(hotspot_caption(f, lang=lang))
    cols[3].metric(ctx.tr("map.fig.hot"), fmt_number(f["hot"], lang, decimals=0))
    cols[4].metric(ctx.tr("map.fig.overdue"), fmt_number(f["overdue"], lang, decimals=0))
    if f.get("backtest") is not None:
        from mapapp.render.hotspot_text import backtest_line

        st.caption(md(backtest_line(f["backtest"], lang=lang)))


def hotspot_caption(f: dict, *, lang: str) -> str:  # type: ignore[type-arg]
    """"4 platser, 1 ökande" under the flagged figure."""
    from mapapp.i18n import tn

    text = tn("hotspots.places", int(f.get("places", 0)), lang)
    if f.get("rising"):
        text += f", {int(f['rising'])} {ctx.tr('hotspots.status.rising')}"
    return text


# --- cards -------------------------------------------------------------------------------------

def _picked() -> None:
    zid = st.session_state.get(PICK_KEY)
    st.session_state[state.MAP_SELECTION] = ("zone", int(zid)) if zid is not None else None
    st.session_state[LAST_CLICK_KEY] = None  # the same spot clicked again opens it again


def _open_zone(zid: int) -> None:
    st.session_state[state.MAP_SELECTION] = ("zone", int(zid))
    st.session_state[PICK_KEY] = int(zid)


def card_column(view: MapView) -> None:
    zones = ctx.zones()
    names = dict(zip(zones["id"].astype(int), zones["name"].astype(str), strict=True))
    sel = st.session_state.get(state.MAP_SELECTION)
    if PICK_KEY not in st.session_state:
        st.session_state[PICK_KEY] = sel[1] if sel and sel[0] == "zone" else None
    st.selectbox(ctx.tr("map.card.pick"), list(names), key=PICK_KEY, on_change=_picked,
                 format_func=lambda z: names.get(z, str(z)),
                 placeholder=ctx.tr("map.card.placeholder"))
    if not sel:
        st.info(ctx.tr("map.card.none"), icon=":material/touch_app:")
        return
    card = card_for(sel, view)
    if card is None:
        st.info(ctx.tr("map.card.none"))
        return
    with st.container(border=True, key="karta_card"):
        show_card(card, view)
        if card.kind == "site" and card.zone_id is not None:
            st.button(ctx.tr("map.card.open_zone"), key="karta_site_zone",
                      on_click=_open_zone, args=(card.zone_id,))


# --- the map -----------------------------------------------------------------------------------

def map_column(view: MapView) -> None:
    settings = ctx.get_settings()
    sd = ctx.stadsdelar()
    survey, survey_note = survey_layer(view.period)  # the actor survey per zone (issue 19)
    notes = {**view.notes, **({"survey": survey_note} if survey_note else {})}
    m = build_map(view.specs(layer_specs()), {**view.data, "survey": survey}, lang=ctx.lang(),
                  basemap=settings.basemap, attribution=settings.basemap_attribution,
                  bounds=tuple(float(v) for v in sd.total_bounds),  # type: ignore[arg-type]
                  base_outlines=sd, notes=notes)
    out = st_folium(m, key=MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
                    returned_objects=["last_object_clicked"])
    map_as_table(view, survey)
    click = (out or {}).get("last_object_clicked")
    if click and click != st.session_state.get(LAST_CLICK_KEY):
        st.session_state[LAST_CLICK_KEY] = click
        hit = resolve_click(float(click["lat"]), float(click["lng"]), ctx.sites(), ctx.zones())
        if hit is None:
            st.toast(ctx.tr("map.card.outside"))
        else:
            st.session_state[state.MAP_SELECTION] = hit
            if hit[0] == "zone":
                st.session_state[PICK_KEY] = hit[1]


def map_as_table(view: MapView, survey: pd.DataFrame | None = None) -> None:
    """The map's text alternative: the zone table with the same figures, under the map (and
    the actor survey layer's highest share per zone, when there is a survey)."""
    table = zone_table(view, ctx.sites(), ctx.measures())
    yes, no = ctx.tr("common.yes"), ctx.tr("common.no")
    shown = pd.DataFrame({
        ctx.tr("map.table.zone"): table["zone"],
        ctx.tr("map.table.incidents"): table["incidents"],
        ctx.tr("map.table.revision_due"): [yes if v else no for v in table["revision_due"]],
        ctx.tr("map.table.flagged_sites"): table["flagged_sites"],
        ctx.tr("map.table.measures"): table["measures"],
        ctx.tr("map.table.overdue"): table["overdue"],
    })
    if survey is not None and len(survey):
        by_zone = dict(zip(survey["id"].astype(int), survey["text"], strict=True))
        shown[ctx.tr("map.table.survey")] = [by_zone.get(int(z), "–") for z in table["zone_id"]]
    with st.expander(ctx.tr("map.table.title", period=period_caption(view.period)),
                     key="karta_table"):
        st.dataframe(shown, hide_index=True, width="stretch")
        st.caption(ctx.tr("map.table.note"))


def period_caption(period: Period | None) -> str:
    return period.label if period is not None else "–"


def render() -> None:
    ctx.require_principal()
    st.title(ctx.tr("map.page.title"), anchor=False)
    flt = filter_sidebar("karta")
    view = current_view(flt)
    st.caption(md(ctx.tr("map.page.caption", period=period_caption(view.period))))
    if view.period is None:
        st.info(ctx.tr("map.filter.no_data"))
    figures_row(view)
    left, right = st.columns([5, 2], gap="small")
    with left:
        map_column(view)
    with right:
        card_column(view)
