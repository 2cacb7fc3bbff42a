"""Karta: the district with switchable layers and a legend, filters, figures, and the card of
the zone or site that was clicked.

The heavy work is cached: point frames and their :class:`~mapapp.render.data.PointIndex` per
data version and role (``st.cache_resource``, shared and read-only), the computed view per
filter as well. The map goes through ``st_folium`` with a stable key and
``returned_objects=["last_object_clicked"]``, so a pan or zoom does not rerun the script; a
click does, and opens the card beside the map. The filter helpers and the card layout are
shared with the Område page.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.analysis.periods import PERIOD_KINDS, Period, latest_complete
from mapapp.analysis.sites import measures_for_sites
from mapapp.measure_rules import local_today, revision_flags
from mapapp.render import layer_specs
from mapapp.render.build import build_map
from mapapp.render.cards import (
    Card,
    PeriodFigure,
    resolve_click,
    site_card,
    site_figures,
    zone_card,
)
from mapapp.render.data import MapFilter
from mapapp.render.figures import change_text, fmt_number
from mapapp.render.view import Inputs, MapView, compute_view, data_end, zone_table
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx

PERMISSION = Perm.VIEW_AGGREGATES
FILTER_KEY = "mapapp_map_filter"  # shared by Karta and Område (not a widget key)
SELECTION_KEY = "mapapp_map_selection"  # ("zone" | "site", id)
MAP_KEY = "karta_map"
PICK_KEY = "karta_pick"
LAST_CLICK_KEY = "karta_last_click"
MAP_HEIGHT = 640


def md(text: Any) -> str:
    """User text for ``st.markdown`` (:func:`mapapp.textsafe.markdown_text`): a name cannot
    become a link, an image (a request to another origin) or formatting."""
    return markdown_text(text)


# --- filters -----------------------------------------------------------------------------------

def filter_sidebar(prefix: str) -> MapFilter:
    """The filter widgets in the sidebar; their values are shared between the map pages."""
    saved: dict[str, Any] = dict(st.session_state.get(FILTER_KEY) or {})
    zones = ctx.zones()
    index = ctx.point_index("incident")
    with st.sidebar:
        st.subheader(ctx.tr("map.filter.title"))
        kind = st.segmented_control(
            ctx.tr("map.filter.period_kind"), list(PERIOD_KINDS), required=True,
            default=saved.get("kind", "statistical"), key=f"{prefix}_kind",
            format_func=lambda k: ctx.tr(f"map.filter.kind.{k}")) or "statistical"
        periods = ctx.periods(kind)
        labels = [p.label for p in reversed(periods)]
        period = None
        if labels:
            want = saved.get("period")
            default = latest_complete(periods, data_end(ctx.points("incident")))
            first = labels.index(default.label) if default is not None else 0
            period = st.selectbox(ctx.tr("map.filter.period"), labels,
                                  index=labels.index(want) if want in labels else first,
                                  key=f"{prefix}_period_{kind}")
        codes = [c.code for c in cats.INCIDENT_CATEGORIES]
        chosen = st.multiselect(
            ctx.tr("map.filter.categories"), codes, default=saved.get("categories", []),
            format_func=lambda c: cats.label("incident", c, ctx.lang()),
            placeholder=ctx.tr("map.filter.all"), key=f"{prefix}_categories",
            help=ctx.tr("map.filter.incidents_only"))
        sources = st.multiselect(
            ctx.tr("map.filter.sources"), list(index.sources),
            default=[s for s in saved.get("sources", []) if s in index.sources],
            placeholder=ctx.tr("map.filter.all"), key=f"{prefix}_sources",
            help=ctx.tr("map.filter.incidents_only"))
        names = dict(zip(zones["id"].astype(int), zones["name"].astype(str), strict=True))
        zone_ids = st.multiselect(
            ctx.tr("map.filter.zones"), list(names),
            default=[z for z in saved.get("zones", []) if z in names],
            format_func=lambda z: names.get(z, str(z)), placeholder=ctx.tr("map.filter.all"),
            key=f"{prefix}_zones")
    st.session_state[FILTER_KEY] = {"kind": kind, "period": period, "categories": chosen,
                                    "sources": sources, "zones": zone_ids}
    return MapFilter(period_kind=kind, period=period,
                     categories=tuple(chosen) or None, sources=tuple(sources) or None,
                     zone_ids=tuple(int(z) for z in zone_ids) or None)


# --- the view ----------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=32)
def _view(cache_key: str, dv: str, flt_key: tuple[Any, ...], lang: str, today: str,
          _who: Principal, _flt: MapFilter) -> MapView:
    settings = ctx.get_settings()
    zones = ctx.zones()
    inputs = Inputs(
        incidents=ctx.points("incident"), incident_index=ctx.point_index("incident"),
        observations=ctx.points("observation"), observation_index=ctx.point_index("observation"),
        zones=zones, stadsdelar=ctx.stadsdelar(), sites=ctx.sites(), grid=ctx.grid(),
        periods=ctx.periods(_flt.period_kind), measures=ctx.measures(),
        revision=revision_flags(zones, pd.Timestamp(today).date(), lang),
        can_see_sensitive=_who.can(Perm.VIEW_SENSITIVE_POINTS))
    return compute_view(inputs, _flt, settings, lang=lang, today=pd.Timestamp(today).date())


def current_view(flt: MapFilter) -> MapView:
    """The (cached) view of ``flt`` for the signed-in role."""
    who = ctx.require_principal()
    return _view(who.cache_key, ctx.version(), dataclasses.astuple(flt), ctx.lang(),
                 local_today().isoformat(), who, flt)


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
        delta = change_text(change.change_abs, change.change_pct, change.trend, lang)
    cols[0].metric(ctx.tr("map.fig.incidents"), fmt_number(f["incidents"], lang, decimals=0),
                   delta=delta, delta_color="inverse",
                   help=ctx.tr("map.fig.delta_help", period=view.previous.label)
                   if view.previous is not None else None)
    if change is not None and not change.significant and change.trend is not None:
        cols[0].caption(change_text(change.change_abs, change.change_pct, change.trend, lang))
    if view.period is not None and change is not None and not change.complete:
        cols[0].caption(ctx.tr("sig.period_incomplete", period=view.period.label,
                               last=change.compared_to or "–"))
    cols[1].metric(ctx.tr("map.fig.observations"), fmt_number(f["observations"], lang, decimals=0))
    cols[2].metric(ctx.tr("map.fig.flagged"), fmt_number(f["flagged"], lang, decimals=0))
    if f.get("flagged") or f.get("rising"):
        cols[2].caption(hotspot_caption(f, lang))
    cols[3].metric(ctx.tr("map.fig.hot"), fmt_number(f["hot"], lang, decimals=0))
    cols[4].metric(ctx.tr("map.fig.overdue"), fmt_number(f["overdue"], lang, decimals=0))
    if f.get("backtest") is not None:
        from mapapp.render.hotspot_text import backtest_line

        st.caption(md(backtest_line(f["backtest"], lang)))


def hotspot_caption(f: dict, lang: str) -> str:  # type: ignore[type-arg]
    """"4 platser, 1 ökande" under the flagged figure."""
    from mapapp.i18n import tn

    text = tn("hotspots.places", int(f.get("places", 0)), lang)
    if f.get("rising"):
        text += f", {int(f['rising'])} {ctx.tr('hotspots.status.rising')}"
    return text


# --- cards -------------------------------------------------------------------------------------

def _change_text(f: PeriodFigure, lang: str) -> str:
    """The tested change of a card's period: an arrow only when significant."""
    if f.change_abs is None:
        return "–"
    return change_text(f.change_abs, f.change_pct, f.trend, lang)


def _figures(card: Card) -> None:
    """The card's periods: count and tested change (an arrow only when significant), and a
    bar chart whose significant periods carry ↑/↓."""
    lang = ctx.lang()
    st.markdown(f"**{ctx.tr('map.card.figures')}**")
    table = pd.DataFrame({
        ctx.tr("map.card.col.period"): [f.period for f in card.figures],
        ctx.tr("map.card.col.count"): [f.count for f in card.figures],
        ctx.tr("map.card.col.change"): [_change_text(f, lang) for f in card.figures],
    })
    st.dataframe(table, hide_index=True, width="stretch")
    chart = pd.DataFrame({"period": [f.period + (f" {f.arrow}" if f.arrow else "")
                                     for f in card.figures],
                          "n": [f.count for f in card.figures]})
    st.bar_chart(chart, x="period", y="n", x_label="", y_label="", height=150,
                 color="#5E3C99")
    if any(f.arrow for f in card.figures):
        st.caption(ctx.tr("sig.chart_marked"))


def show_card(card: Card, view: MapView, *, long: bool = False) -> None:
    """A zone's or a site's card (every user text escaped for Markdown)."""
    st.subheader(md(card.name), anchor=False)
    if card.subtitle:
        st.caption(md(card.subtitle))
    if card.kind == "zone":
        from mapapp.ui.snapshot_button import snapshot_button

        snapshot_button(card.name, key=f"snapshot_{'long' if long else 'card'}_{card.name}")
        if card.revision_due:
            st.warning(ctx.tr("map.card.revision_due"), icon=":material/history:")
            for reason in card.revision_reasons:
                st.caption(md(reason))
        else:
            st.success(ctx.tr("map.card.revision_ok"), icon=":material/check_circle:")
        if card.text:
            st.markdown(f"**{ctx.tr('map.card.lagesbild')}:** {md(card.text)}")
    else:
        st.markdown(md(card.text))
    if card.figures:
        _figures(card)
    period = view.period.label if view.period is not None else ""
    st.markdown("**" + md(ctx.tr("map.card.flags" if card.kind == "zone"
                                 else "map.card.site_flags", period=period)) + "**")
    if card.flags:
        st.markdown("\n".join(f"- {md(r)}" for r in card.flags[: (50 if long else 8)]))
        if not long and len(card.flags) > 8:
            st.caption(f"… (+{len(card.flags) - 8})")
    else:
        st.caption(ctx.tr("map.card.no_flags"))
    st.markdown(f"**{ctx.tr('map.card.measures')}**")
    if card.measures:
        st.markdown("\n".join(("- ⚠ " if m["overdue"] else "- ") + md(m["line"])
                              for m in card.measures))
    else:
        st.caption(ctx.tr("map.card.no_measures"))


def show_lists(card: Card) -> None:
    """A zone's priority areas, actors and goals."""
    for key, label in (("priority_areas", "map.card.priorities"), ("actors", "map.card.actors"),
                       ("goals", "map.card.goals")):
        items = card.lists.get(key) or []
        if items:
            st.markdown(f"**{ctx.tr(label)}**\n\n" + "\n".join(f"- {md(i)}" for i in items))


def card_for(selection: tuple[str, int], view: MapView) -> Card | None:
    """The card of the selected zone or site, or None when it no longer exists."""
    lang = ctx.lang()
    kind, sid = selection
    labels = [p.label for p in ctx.periods(view.period.kind)] if view.period is not None else []
    selected = view.period.label if view.period is not None else ""
    if kind == "zone":
        zones = ctx.zones()
        row = zones[zones["id"] == sid]
        if row.empty:
            return None
        z = row.iloc[0].to_dict()
        rev = revision_flags(row, local_today(), lang).iloc[0].to_dict()
        return zone_card(z, revision=rev, counts=view.counts, labels=labels, selected=selected,
                         flags=view.flags, measures=ctx.measures(), lang=lang,
                         confidence=ctx.get_settings().confidence_level)
    sites = ctx.sites()
    row = sites[sites["id"] == sid]
    if row.empty:
        return None
    s = row.iloc[0].to_dict()
    attached = measures_for_sites(row, ctx.measures())
    mine = next(iter(attached.values()), [])
    overdue = dict(zip(ctx.measures()["id"], ctx.measures()["overdue"], strict=True))
    mine = [{**m, "overdue": bool(overdue.get(m.get("id"), False))} for m in mine]
    flags = view.flags
    count = 0
    if flags is not None and len(flags):
        count = int(flags.loc[flags["site_id"] == sid, "count"].sum())
    settings = ctx.get_settings()
    per = view.period
    # The site's reported crimes over the periods, with the filter's categories and sources.
    saved = dict(st.session_state.get(FILTER_KEY) or {})
    incidents = ctx.points("incident")
    keep = np.ones(len(incidents), dtype=bool)
    if saved.get("categories"):
        keep &= incidents["category"].astype(str).isin(saved["categories"]).to_numpy()
    if saved.get("sources"):
        keep &= incidents["source"].astype(str).isin(saved["sources"]).to_numpy()
    figures = site_figures(
        incidents[keep], float(s["lon"]), float(s["lat"]), labels, selected,
        radius_m=settings.site_radius_m, period_kind=per.kind if per is not None else
        "statistical", stat_year_start_month=settings.stat_year_start_month,
        reference=per.last_day if per is not None and per.kind == "rolling12" else None,
        confidence=settings.confidence_level) if per is not None else []
    return site_card(s, flags=flags, measures=mine, kind_label=ctx.tr(f"map.site_kind.{s['kind']}"),
                     count_label=ctx.tr("map.card.site_count", n=count,
                                        r=fmt_number(settings.site_radius_m, lang,
                                                     decimals=0)),
                     lang=lang, figures=figures)


def _picked() -> None:
    zid = st.session_state.get(PICK_KEY)
    st.session_state[SELECTION_KEY] = ("zone", int(zid)) if zid is not None else None
    st.session_state[LAST_CLICK_KEY] = None  # the same spot clicked again opens it again


def _open_zone(zid: int) -> None:
    st.session_state[SELECTION_KEY] = ("zone", int(zid))
    st.session_state[PICK_KEY] = int(zid)


def card_column(view: MapView) -> None:
    zones = ctx.zones()
    names = dict(zip(zones["id"].astype(int), zones["name"].astype(str), strict=True))
    sel = st.session_state.get(SELECTION_KEY)
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
    m = build_map(view.specs(layer_specs()), view.data, lang=ctx.lang(),
                  basemap=settings.basemap, attribution=settings.basemap_attribution,
                  bounds=tuple(float(v) for v in sd.total_bounds),  # type: ignore[arg-type]
                  base_outlines=sd, notes=view.notes)
    out = st_folium(m, key=MAP_KEY, height=MAP_HEIGHT, use_container_width=True,
                    returned_objects=["last_object_clicked"])
    map_as_table(view)
    click = (out or {}).get("last_object_clicked")
    if click and click != st.session_state.get(LAST_CLICK_KEY):
        st.session_state[LAST_CLICK_KEY] = click
        hit = resolve_click(float(click["lat"]), float(click["lng"]), ctx.sites(), ctx.zones())
        if hit is None:
            st.toast(ctx.tr("map.card.outside"))
        else:
            st.session_state[SELECTION_KEY] = hit
            if hit[0] == "zone":
                st.session_state[PICK_KEY] = hit[1]


def map_as_table(view: MapView) -> None:
    """The map's text alternative: the zone table with the same figures, under the map."""
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
