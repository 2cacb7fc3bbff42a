"""One place's figures from the police's and the city's tables (Statistik, and Område for a
zone): provenance, a chart per category with the comparison areas, the tested change from the
previous period, and -- labelled apart -- the counts made from the map's points."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapapp.analysis.tables import chart_frame, with_changes
from mapapp.render.figures import arrow, change_text
from mapapp.textsafe import markdown_text
from mapapp.ui import context as ctx


def _point_counts(area: str, area_kind: str, code: str | None, periods: list[str]) -> pd.DataFrame:
    """Counts from the map's points for the same area, category and periods (statistical or
    calendar years only)."""
    from mapapp.analysis.stats import period_counts

    if not code:
        return pd.DataFrame()
    norm = [p.replace("–", "-") for p in periods]
    kind = "calendar" if all(len(p) == 4 for p in norm) else "statistical"
    if not all(len(p) in (4, 9) for p in norm):
        return pd.DataFrame()  # monthly tables: no point comparison
    # filter each cached frame before joining them: no copy of every point per rerun
    pts = pd.concat([f[f["category"].astype(str) == code]
                     for f in (ctx.points("incident"), ctx.points("observation"))],
                    ignore_index=True)
    if area_kind == "zone":
        pts = pts[pts["zone"] == area]
    elif area_kind == "stadsdel":
        pts = pts[pts["stadsdel"] == area]
    elif area_kind == "district":
        pts = pts[pts["stadsdel"].notna()]
    else:
        return pd.DataFrame()
    if pts.empty:
        return pd.DataFrame()
    pts = pts.assign(zone=area)
    counts = period_counts(pts, period_kind=kind,
                           stat_year_start_month=ctx.get_settings().stat_year_start_month)
    counts = counts[counts["period"].isin(norm)]
    return counts[["period", "count"]]


def area_section(frame: pd.DataFrame, area: str, *, key: str) -> None:
    """One area's table figures: provenance, a chart per category with the comparison areas,
    the change from the previous period, and -- labelled apart -- the counts from points."""
    cats = frame[frame["area"] == area]["category"].drop_duplicates().tolist()
    if not cats:
        return
    category = st.selectbox(ctx.tr("stat.category"), cats, key=f"{key}_category")
    rows = frame[(frame["area"] == area) & (frame["category"] == category)]
    for _, t in rows.drop_duplicates("table_id").iterrows():
        st.caption(ctx.tr("stat.provenance", table=markdown_text(t["table"]),
                          source=markdown_text(t["source"]),
                          extracted=markdown_text(t["extracted"] or "–"),
                          status=ctx.tr("stat.preliminary" if t["preliminary"]
                                        else "stat.final")))
    comparison = frame[frame["area_kind"] == "comparison"]
    chart_src = pd.concat([rows, comparison[comparison["category"] == category]])
    wide = chart_frame(chart_src, category)
    changed = with_changes(rows, confidence=ctx.get_settings().confidence_level)
    if not wide.empty:
        # A period whose change from the one before is significant carries ↑/↓.
        marks = {p: arrow(tr) for p, tr in zip(changed["period"], changed["trend"], strict=True)
                 if arrow(tr)}
        wide.index = [f"{p} {marks[p]}" if p in marks else str(p) for p in wide.index]
        st.bar_chart(wide, stack=False)
        if marks:
            st.caption(ctx.tr("sig.chart_marked_table"))
    left, right = st.columns(2)
    with left:
        st.markdown("**" + ctx.tr("stat.table_figures", source=markdown_text(
            ", ".join(sorted(rows["source"].unique())))) + "**")
        lang = ctx.lang()
        # An arrow and "ökning"/"minskning" only for a significant change.
        st.dataframe(pd.DataFrame({
            ctx.tr("stat.col.period"): changed["period"],
            ctx.tr("stat.col.count"): changed["count"],
            ctx.tr("stat.col.change"): [
                change_text(c, p, tr, lang=lang) for c, p, tr in zip(
                    changed["change"], changed["change_pct"], changed["trend"], strict=True)],
            ctx.tr("stat.col.source"): changed["source"],
        }), hide_index=True, width="stretch")
    with right:
        st.markdown("**" + ctx.tr("stat.point_figures") + "**")
        code = rows["category_code"].dropna().iloc[0] if rows["category_code"].notna().any() else None
        points = _point_counts(area, rows["area_kind"].iloc[0], code, rows["period"].tolist())
        if points.empty:
            st.caption("–")
        else:
            st.dataframe(points.rename(columns={"period": ctx.tr("stat.col.period"),
                                                "count": ctx.tr("stat.col.count")}),
                         hide_index=True, width="stretch")
    if not comparison.empty:
        st.caption(ctx.tr("stat.comparison"))
        st.dataframe(comparison[comparison["category"] == category][
            ["area", "period", "count", "source"]], hide_index=True, width="stretch")
