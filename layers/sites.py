"""Sites (schools, pre-schools, stations, playgrounds, centres, named addresses); a site flagged
as a hotspot in the chosen period is larger and vermillion."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

FLAGGED = "#D55E00"  # Okabe-Ito vermillion
NORMAL = "#56B4E9"  # Okabe-Ito sky blue

LAYER = LayerSpec(
    id="sites",
    title="map.layer.sites",
    source="sites",
    kind="point",
    style=Style(color=NORMAL, line_color="#222222", weight=1.5, fill_opacity=0.9, radius=4,
                color_by="status", colors={"flagged": FLAGGED, "normal": NORMAL},
                radius_by={"flagged": 6.5, "normal": 3.5}),
    tooltip=("tip",),
    legend=(
        LegendEntry("flagged", "map.site.flagged", FLAGGED, shape="circle"),
        LegendEntry("normal", "map.site.normal", NORMAL, shape="circle"),
    ),
    order=60,
)
