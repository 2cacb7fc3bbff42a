"""Område: one zone at length -- its card, a chart per category over the periods, its sites
and their flags, its measures and its safety walks. Filters and the card are shared with the
Karta page (:mod:`mapapp.ui.components`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapapp.access import Perm
from mapapp.render.data import MapFilter
from mapapp.render.figures import arrow, category_label, change_text
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
    """One small bar chart per category over the periods (zeros included); a period whose
    change against the year before is significant carries ↑/↓ in its label, and the latest
    change is worded under the chart (an arrow only when significant)."""
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
                st.caption(md(category_label(code, lang=lang)))
                mine = df[df["category"] == code].drop_duplicates("period").set_index("period")
                trends = [mine["trend"].get(p) if "trend" in mine else None
                          for p in wide.index]
                labels = [f"{p} {arrow(tr)}".strip() for p, tr in zip(wide.index, trends,
                                                                       strict=True)]
                chart = pd.DataFrame({"period": labels, "n": wide[code].to_numpy()})
                st.bar_chart(chart, x="period", y="n", x_label="", y_label="", height=150,
                             color="#5E3C99")
                if len(mine) and "trend" in mine:
                    last = mine.iloc[-1]
                    text = change_text(last["change_abs"], last["change_pct"], last["trend"],
                                       lang=lang)
                    if text:
                        st.caption(text)


def sites_table(view: MapView, flt: MapFilter, zone_id: int) -> None:
    """The zone's sites with their hotspot status in the selected period, rising first (the
    view's summary: every site of the district was tested together)."""
    from mapapp.render.hotspot_text import status_text, summary_reason

    sites = ctx.sites()
    mine = sites[sites["zone_id"] == zone_id]
    if mine.empty:
        return
    lang = ctx.lang()
    flags = view.flags
    ids = set(int(i) for i in mine["id"])
    rows = []
    if flags is not None and len(flags):
        for r in flags.to_dict("records"):
            if r.get("site_id") is None or int(r["site_id"]) not in ids:
                continue
            rows.append({
                ctx.tr("area.col.site"): r["name"],
                ctx.tr("area.col.kind"): ctx.tr(f"map.site_kind.{r['kind']}"),
                ctx.tr("area.col.count"): int(r["count"]),
                ctx.tr("area.col.flagged"): status_text(r, lang=lang),
                ctx.tr("area.col.times"): int(r["times_flagged"]),
                ctx.tr("area.col.reason"): summary_reason(r, lang=lang),
            })
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


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
