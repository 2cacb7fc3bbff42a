"""Vatten: lakes and Mälaren's shore from Stockholm stad's Stadskarta (CC0), part of the bundled
basemap (data/geo/water.geojson). Drawn below everything; takes no clicks."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

WATER = "#a9d3ea"
SHORE = "#5b9bc4"

LAYER = LayerSpec(
    id="vatten",
    title="map.layer.water",
    source="water",
    kind="polygon",
    style=Style(color=WATER, line_color=SHORE, weight=0.8, opacity=1.0, fill_opacity=1.0),
    legend=(LegendEntry("vatten", "map.legend.water", WATER),),
    order=5,
    interactive=False,
)
