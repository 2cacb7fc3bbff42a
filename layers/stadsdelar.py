"""Stadsdelar: the district's 17 neighbourhoods as outlines."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

LAYER = LayerSpec(
    id="stadsdelar",
    title="map.layer.stadsdelar",
    source="stadsdelar",
    kind="polygon",
    style=Style(color="#333333", weight=1.5, fill=False, fill_opacity=0.0),
    tooltip=("tip",),
    legend=(LegendEntry("outline", "map.legend.stadsdel", "#333333", shape="line"),),
    order=10,
)
