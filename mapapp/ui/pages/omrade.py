"""Område: one zone at length -- its card, a chart per category over the periods, its sites
and their flags, its measures and its safety walks. Filters and the card are shared with the
Karta page (:mod:`mapapp.ui.components`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import shapely
import streamlit as st

from mapapp.access import Perm
from mapapp.analysis.sites import site_flags
from mapapp.analysis.stats import category_label
from mapapp.render.data import MapFilter, subset
from mapapp.render.view import MapView
from mapapp.ui import context as ctx
from mapapp.ui import state
from mapapp.ui.components.cards import card_for, show_card, show_lists
from mapapp.ui.components.mapfilter import current_view, filter_sidebar
from mapapp.ui.components.markdown import md

PERMISSION = Perm.VIEW_AGGREGATES
ZONE_KEY = "omrade_zone"


def _default_zone(ids: list[int]) -> int | None:
    sel = st.session_state.get(state.MAP_SELECTION)
    if sel and sel[0] == "zone" and sel[1] in ids:
        return int(sel[1])
    if sel and sel[0] == "site":
        sites = ctx.sites()
        row = sites[sites["id"] == sel[1]]
        if len(row) and pd.notna(row["zone_id"].iloc[0]) and int(row["zone_id"].iloc[0]) in ids:
            return int(row["zone_id"].iloc[0])
    return ids[0] if ids else None


def _zone_changed() -> None:
    zid = st.session_state.get(ZONE_KEY)
    if zid is not None:
        st.session_state[state.MAP_SELECTION] = ("zone", int(zid))


def category_chart(view: MapView, zone: str) -> None:
    """One small bar chart per category over the periods (zeros included)."""
    df = view.counts[view.counts["zone"] == zone]
    if df.empty:
        return
    lang = ctx.lang()
    wide = df.pivot_table(index="period", columns="category", values="count", aggfunc="sum",
                          fill_value=0, sort=False)
    wide = wide.reindex(list(dict.fromkeys(df["period"])))
    codes = sorted(wide.columns, key=lambda c: -int(wide[c].sum()))
    per_row = 5
    for start in range(0, len(codes), per_row):
        cols = st.columns(per_row)
        for col, code in zip(cols, codes[start:start + per_row], strict=False):
            with col:
                st.caption(md(category_label(code, lang)))
                chart = pd.DataFrame({"period": wide.index, "n": wide[code].to_numpy()})
                st.bar_chart(chart, x="period", y="n", x_label="", y_label="", height=150,
                             color="#5E3C99")


@st.cache_resource(show_spinner=False, max_entries=16)
def _all_period_flags(cache_key: str, dv: str, flt_key: tuple[Any, ...], zone_id: int,
                      lang: str, _flt: MapFilter) -> pd.DataFrame:
    """Site flags of the zone's sites in every period of the filter's kind."""
    settings = ctx.get_settings()
    inc, obs = ctx.points("incident"), ctx.points("observation")
    m_inc = ctx.point_index("incident").mask(_flt)
    m_obs = ctx.point_index("observation").mask(MapFilter(zone_ids=_flt.zone_ids))
    cols = ["kind", "occurred_at", "lon", "lat"]
    pts = pd.concat([subset(inc, m_inc, cols), subset(obs, m_obs, cols)], ignore_index=True)
    sites = ctx.sites()
    mine = sites[sites["zone_id"] == zone_id]
    if pts.empty or mine.empty:
        return pd.DataFrame()
    periods = ctx.periods(_flt.period_kind)
    reference = periods[-1].last_day if periods and _flt.period_kind == "rolling12" else None
    district = shapely.union_all(ctx.stadsdelar().geometry.to_numpy())
    return site_flags(pts, mine, district, period_kind=_flt.period_kind,
                      stat_year_start_month=settings.stat_year_start_month, reference=reference,
                      radius_m=settings.site_radius_m, min_count=settings.hotspot_min_count,
                      k=settings.hotspot_k, lang=lang)


def sites_table(view: MapView, flt: MapFilter, zone_id: int) -> None:
    import dataclasses

    who = ctx.require_principal()
    flags = _all_period_flags(who.cache_key, ctx.version(), dataclasses.astuple(flt), zone_id,
                              ctx.lang(), flt)
    sites = ctx.sites()
    mine = sites[sites["zone_id"] == zone_id]
    if mine.empty:
        return
    period = view.period.label if view.period is not None else None
    rows = []
    for s in mine.itertuples(index=False):
        f = flags[flags["site_id"] == s.id] if len(flags) else flags
        now = f[f["period"] == period] if len(f) else f
        hit = now[now["flagged"]].sort_values("ratio", ascending=False) if len(now) else now
        rows.append({
            ctx.tr("area.col.site"): s.name,
            ctx.tr("area.col.kind"): ctx.tr(f"map.site_kind.{s.kind}"),
            ctx.tr("area.col.count"): int(now[now["band"] == "alla"]["count"].sum())
            if len(now) else 0,
            ctx.tr("area.col.flagged"): bool(len(hit)),
            ctx.tr("area.col.times"): int(f[f["flagged"]]["period"].nunique()) if len(f) else 0,
            ctx.tr("area.col.reason"): "; ".join(hit["reason"]) if len(hit) else "",
        })
    table = pd.DataFrame(rows).sort_values(
        [ctx.tr("area.col.flagged"), ctx.tr("area.col.count")], ascending=False)
    st.dataframe(table, hide_index=True, width="stretch")


def walks_table(zone_id: int) -> None:
    from mapapp.walks import list_walks

    walks = list_walks(ctx.get_engine(), ctx.require_principal(), zone_id=zone_id)
    if walks.empty:
        st.caption(ctx.tr("area.no_walks"))
        return
    st.dataframe(pd.DataFrame({
        ctx.tr("area.col.walk"): walks["title"],
        ctx.tr("area.col.when"): pd.to_datetime(walks["starts_at"], utc=True)
        .dt.tz_convert("Europe/Stockholm").dt.strftime("%Y-%m-%d %H:%M"),
        ctx.tr("area.col.status"): walks["status"],
        ctx.tr("area.col.observations"): walks["n_observations"],
    }), hide_index=True, width="stretch")


def render() -> None:
    ctx.require_principal()
    st.title(ctx.tr("area.title"), anchor=False)
    flt = filter_sidebar("omrade")
    zones = ctx.zones()
    if zones.empty:
        st.info(ctx.tr("area.no_zones"))
        return
    names = dict(zip(zones["id"].astype(int), zones["name"].astype(str), strict=True))
    ids = list(names)
    if ZONE_KEY not in st.session_state or st.session_state[ZONE_KEY] not in ids:
        st.session_state[ZONE_KEY] = _default_zone(ids)
    zid = st.selectbox(ctx.tr("area.pick"), ids, key=ZONE_KEY, on_change=_zone_changed,
                       format_func=lambda z: names.get(z, str(z)))
    view = current_view(flt)
    card = card_for(("zone", int(zid)), view)
    if card is None:
        st.info(ctx.tr("area.no_zones"))
        return
    left, right = st.columns([3, 2], gap="large")
    with left:
        show_card(card, view, long=True)
    with right:
        show_lists(card)
    st.subheader(ctx.tr("area.by_category"), anchor=False)
    category_chart(view, names[int(zid)])
    st.subheader(ctx.tr("area.sites"), anchor=False)
    sites_table(view, flt, int(zid))
    st.subheader(ctx.tr("area.walks"), anchor=False)
    walks_table(int(zid))
    _statistics_tables(names[int(zid)])


def _statistics_tables(zone: str) -> None:
    """The police's/city's table figures for this zone, when a table is per zone."""
    from mapapp.store.statistics import statistics_frame
    from mapapp.ui.components.statistics import area_section

    frame = statistics_frame(ctx.get_engine(), ctx.require_principal())
    if frame.empty or zone not in set(frame["area"]):
        return
    st.subheader(ctx.tr("stat.title"), anchor=False)
    st.caption(ctx.tr("stat.intro"))
    area_section(frame, zone, key="omrade_stat")
