"""The walk's map: the zone outline and the team's observations on the shared map base of
:mod:`mapapp.render.build` (served Leaflet, the basemap setting: by default the bundled land,
water -- the "Vatten" layer -- and names), plus the position being placed. No streamlit here."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import shapely

from mapapp import categories as cats
from mapapp.render import specs_by_id
from mapapp.render.build import build_map
from mapapp.textsafe import html_text

ZONE_STYLE = {"color": "#0b5394", "weight": 3, "fillOpacity": 0.04, "fillColor": "#0b5394"}
POINT_COLOUR = "#c0392b"
PENDING_COLOUR = "#f39c12"
SITE_COLOUR = "#555555"


def walk_map(
    *, zone: shapely.Geometry | None, observations: pd.DataFrame,
    pending: tuple[float, float] | None, pending_accuracy: float | None,
    route: shapely.Geometry | None, sites: gpd.GeoDataFrame | None, base: gpd.GeoDataFrame,
    basemap: str, attribution: str, lang: str,
) -> folium.Map:
    """A map fitted to the walk's zone. ``observations``: the point frame of the walk
    (``lon``, ``lat``, ``category``, ``occurred_at``); ``pending``: (lon, lat) of the form."""
    bounds = tuple(float(v) for v in (zone.bounds if zone is not None else base.total_bounds))
    m = build_map([specs_by_id()["vatten"]], {}, lang=lang, basemap=basemap, attribution=attribution,
                  bounds=bounds, base_outlines=base)  # type: ignore[arg-type]
    if zone is not None:
        folium.GeoJson(shapely.geometry.mapping(zone), style_function=lambda _f: ZONE_STYLE,
                       interactive=False, name="zone", control=False).add_to(m)
    if sites is not None:
        for s in sites.itertuples(index=False):
            folium.CircleMarker([s.lat, s.lon], radius=4, color=SITE_COLOUR, weight=1,
                                fill=True, fill_opacity=0.7, interactive=False).add_to(m)
    if route is not None:
        folium.PolyLine([(y, x) for x, y in route.coords], color=POINT_COLOUR, weight=2,
                        dash_array="6 6", interactive=False).add_to(m)
    for r in observations.dropna(subset=["lon", "lat"]).itertuples(index=False):
        when = pd.Timestamp(r.occurred_at).tz_convert("Europe/Stockholm")
        tip = html_text(f"{cats.label('observation', str(r.category), lang=lang)} {when:%H:%M}")
        folium.CircleMarker([r.lat, r.lon], radius=9, color="#ffffff", weight=2,
                            fill=True, fill_color=POINT_COLOUR, fill_opacity=0.95,
                            tooltip=tip, class_name="mapapp-walk-obs").add_to(m)
    if pending is not None:
        lon, lat = pending
        if pending_accuracy:
            folium.Circle([lat, lon], radius=float(pending_accuracy), color=PENDING_COLOUR,
                          weight=1, fill=True, fill_opacity=0.15, interactive=False).add_to(m)
        folium.CircleMarker([lat, lon], radius=12, color="#000000", weight=2, fill=True,
                            fill_color=PENDING_COLOUR, fill_opacity=0.9, interactive=False,
                            class_name="mapapp-walk-pending").add_to(m)
    return m


def near_sites(sites: gpd.GeoDataFrame, zone_id: int | None, around: tuple[float, float] | None,
               limit: int = 40) -> pd.DataFrame:
    """Sites of the zone (all sites without one), nearest ``around`` first, with the
    distance in metres (or by name when there is no position yet)."""
    from mapapp.crs import METRIC, WGS84, transformer

    df = pd.DataFrame(sites[["id", "name", "kind", "lon", "lat", "zone_id"]])
    if zone_id is not None and (df["zone_id"] == zone_id).any():
        df = df[df["zone_id"] == zone_id]
    if around is None:
        return df.sort_values("name").head(limit).assign(distance_m=float("nan"))
    tr = transformer(WGS84, METRIC)
    x, y = tr.transform(df["lon"].to_numpy(float), df["lat"].to_numpy(float))
    ax, ay = tr.transform(around[0], around[1])
    out = df.assign(distance_m=((x - ax) ** 2 + (y - ay) ** 2) ** 0.5)
    return out.sort_values("distance_m").head(limit)
