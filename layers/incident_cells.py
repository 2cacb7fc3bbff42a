"""Incidents at district zoom: the number per grid cell (ColorBrewer BuPu, sequential), class
breaks from the data. Shares one layer-control entry with ``incident_points``."""

from mapapp.render.spec import LayerSpec, Style

PALETTE = ("#bfd3e6", "#9ebcda", "#8c96c6", "#8856a7", "#810f7c")

LAYER = LayerSpec(
    id="incident_cells",
    title="map.layer.incidents",
    source="incident_cells",
    kind="cells",
    style=Style(palette=PALETTE, fill_opacity=0.7, line_color="#ffffff", weight=0.3),
    group="incidents",
    max_zoom=14,
    order=40,
)
