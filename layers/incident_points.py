"""Incidents when zoomed in: individual points, clustered where they overlap."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

COLOR = "#5E3C99"

LAYER = LayerSpec(
    id="incident_points",
    title="map.layer.incidents",
    source="incident_points",
    kind="cluster",
    style=Style(color=COLOR, radius=6),
    legend=(LegendEntry("point", "map.legend.incident_point", COLOR, shape="circle"),),
    group="incidents",
    min_zoom=15,
    order=45,
)
