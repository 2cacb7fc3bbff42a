"""Statistik: the police's and the city's tables (counts per area, category and period), as
charts per category with the comparison areas, the change from the previous period, a map by
stadsdel or zone, and -- clearly labelled -- the counts made from the points on the map."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from mapapp.analysis.tables import period_sort_key  # noqa: E402
from mapapp.ui import context as ctx  # noqa: E402
from mapapp.ui.components.statistics import area_section  # noqa: E402


def _choropleth(frame: pd.DataFrame, category: str) -> None:
    sub = frame[(frame["category"] == category) & frame["area_kind"].isin(["stadsdel", "zone"])]
    if sub.empty:
        st.caption(ctx.tr("stat.map_none"))
        return
    latest = max(sub["period"], key=period_sort_key)
    sub = sub[sub["period"] == latest]
    shapes = pd.concat([ctx.stadsdelar()[["name", "geometry"]], ctx.zones()[["name", "geometry"]]])
    merged = shapes.merge(sub.groupby("area", as_index=False)["count"].sum(),
                          left_on="name", right_on="area")
    if merged.empty:
        st.caption(ctx.tr("stat.map_none"))
        return
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326").to_crs("EPSG:3006")
    fig, ax = plt.subplots(figsize=(7, 6))
    ctx.stadsdelar().to_crs("EPSG:3006").boundary.plot(ax=ax, color="#999999", linewidth=0.5)
    gdf.plot(column="count", ax=ax, cmap="viridis", legend=True, edgecolor="#333333",
             legend_kwds={"label": f"{category} {latest}", "shrink": 0.7})
    for _, r in gdf.iterrows():
        p = r.geometry.representative_point()
        ax.annotate(f"{r['area']}\n{int(r['count'])}", (p.x, p.y), ha="center", fontsize=7)
    ax.set_axis_off()
    ax.set_title(f"{category} – {latest}")
    st.pyplot(fig)
    plt.close(fig)


def render() -> None:
    from mapapp.store.statistics import statistics_frame

    who = ctx.require_principal()
    st.title(ctx.tr("stat.title"))
    st.write(ctx.tr("stat.intro"))
    frame = statistics_frame(ctx.get_engine(), who)
    if frame.empty:
        st.info(ctx.tr("stat.none"))
        return
    main_areas = frame[frame["area_kind"] != "comparison"]["area"].drop_duplicates().tolist()
    areas = main_areas or frame["area"].drop_duplicates().tolist()
    area = st.selectbox(ctx.tr("stat.area"), areas, key="stat_area")
    area_section(frame, area, key="stat")
    st.subheader(ctx.tr("stat.map"))
    category = st.session_state.get("stat_category")
    if category is not None:
        _choropleth(frame, category)
