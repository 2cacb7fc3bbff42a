"""The card of a zone or a site (Karta beside the map, Område at length): figures over the
periods with the tested change, revision reminder, flags, measures; every user text escaped
for Markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapapp.analysis.sites import measures_for_sites
from mapapp.i18n.numbers import fmt_number
from mapapp.measures.rules import revision_flags
from mapapp.render.cards import Card, PeriodFigure, site_card, site_figures, zone_card
from mapapp.render.data import MapFilter
from mapapp.render.figures import change_text
from mapapp.render.view import MapView
from mapapp.timezone import local_today
from mapapp.ui import context as ctx
from mapapp.ui import state
from mapapp.ui.components.markdown import md


def _change_text(f: PeriodFigure, *, lang: str) -> str:
    """The tested change of a card's period: an arrow only when significant."""
    if f.change_abs is None:
        return "–"
    return change_text(f.change_abs, f.change_pct, f.trend, lang=lang)


def _figures(card: Card) -> None:
    """The card's periods: count and tested change (an arrow only when significant), and a
    bar chart whose significant periods carry ↑/↓."""
    lang = ctx.lang()
    st.markdown(f"**{ctx.tr('map.card.figures')}**")
    table = pd.DataFrame({
        ctx.tr("map.card.col.period"): [f.period for f in card.figures],
        ctx.tr("map.card.col.count"): [f.count for f in card.figures],
        ctx.tr("map.card.col.change"): [_change_text(f, lang=lang) for f in card.figures],
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
        rev = revision_flags(row, local_today()).iloc[0].to_dict()
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
    saved = dict(st.session_state.get(state.MAP_FILTER) or {})
    # from the map's point index (no point frame is read for a card)
    index = ctx.point_index("incident")
    keep = index.mask(MapFilter(categories=tuple(saved["categories"])
                                if saved.get("categories") else None,
                                sources=tuple(saved["sources"])
                                if saved.get("sources") else None))
    figures = site_figures(
        index.frame(keep), float(s["lon"]), float(s["lat"]), labels, selected,
        radius_m=settings.site_radius_m, period_kind=per.kind if per is not None else
        "statistical", stat_year_start_month=settings.stat_year_start_month,
        reference=per.last_day if per is not None and per.kind == "rolling12" else None,
        confidence=settings.confidence_level) if per is not None else []
    return site_card(s, flags=flags, measures=mine, kind_label=ctx.tr(f"map.site_kind.{s['kind']}"),
                     count_label=ctx.tr("map.card.site_count", n=count,
                                        r=fmt_number(settings.site_radius_m, lang,
                                                     decimals=0)),
                     lang=lang, figures=figures)
