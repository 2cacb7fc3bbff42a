"""The map filters in the sidebar and the (cached) map view they select, shared by the Karta
and Område pages. The filter values live in :data:`mapapp.ui.state.MAP_FILTER`, so a filter
set on one page holds on the other."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import streamlit as st

from mapapp import categories as cats
from mapapp.access import Perm, Principal
from mapapp.analysis.periods import PERIOD_KINDS, latest_complete
from mapapp.measures.rules import revision_flags
from mapapp.render.data import MapFilter
from mapapp.render.view import Inputs, MapView, compute_view
from mapapp.timezone import local_today
from mapapp.ui import context as ctx
from mapapp.ui import state


def filter_sidebar(prefix: str) -> MapFilter:
    """The filter widgets in the sidebar; their values are shared between the map pages."""
    saved: dict[str, Any] = dict(st.session_state.get(state.MAP_FILTER) or {})
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
            default = latest_complete(periods, ctx.data_end())
            first = labels.index(default.label) if default is not None else 0
            period = st.selectbox(ctx.tr("map.filter.period"), labels,
                                  index=labels.index(want) if want in labels else first,
                                  key=f"{prefix}_period_{kind}")
        codes = [c.code for c in cats.INCIDENT_CATEGORIES]
        chosen = st.multiselect(
            ctx.tr("map.filter.categories"), codes, default=saved.get("categories", []),
            format_func=lambda c: cats.label("incident", c, lang=ctx.lang()),
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
    st.session_state[state.MAP_FILTER] = {"kind": kind, "period": period, "categories": chosen,
                                    "sources": sources, "zones": zone_ids}
    return MapFilter(period_kind=kind, period=period,
                     categories=tuple(chosen) or None, sources=tuple(sources) or None,
                     zone_ids=tuple(int(z) for z in zone_ids) or None)


@st.cache_resource(show_spinner=False, max_entries=32)
def _view(cache_key: str, dv: str, flt_key: tuple[Any, ...], today: str, _who: Principal,
          _flt: MapFilter, *, lang: str) -> MapView:
    """The view of ``_flt`` for ``_who`` at data version ``dv``: every input is an argument
    (the role's ``cache_key`` and ``flt_key`` stand for the unhashed ``_who`` and ``_flt``);
    nothing here reads the session."""
    settings = ctx.get_settings()
    zones = ctx.zones_at(dv)
    inputs = Inputs(
        incident_index=ctx.point_index_for("incident", _who, dv),
        observation_index=ctx.point_index_for("observation", _who, dv),
        zones=zones, stadsdelar=ctx.stadsdelar_at(dv), sites=ctx.sites_at(dv),
        grid=ctx.grid_at(dv), periods=ctx.periods_for(_flt.period_kind, _who, dv),
        measures=ctx.measures_for(_who, dv, today),
        revision=revision_flags(zones, pd.Timestamp(today).date()),
        can_see_sensitive=_who.can(Perm.VIEW_SENSITIVE_POINTS))
    return compute_view(inputs, _flt, settings, lang=lang, today=pd.Timestamp(today).date())


def current_view(flt: MapFilter) -> MapView:
    """The (cached) view of ``flt`` for the signed-in role."""
    who = ctx.require_principal()
    return _view(who.cache_key, ctx.version(), dataclasses.astuple(flt),
                 local_today().isoformat(), who, flt, lang=ctx.lang())
