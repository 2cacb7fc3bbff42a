"""Sites (schools, pre-schools, stations, playgrounds, centres, named addresses). A site's
hotspot status in the chosen period is shown by colour and size (Okabe–Ito, colour-blind safe):
rising (new or growing problem) vermillion and largest, persistent reddish purple, flagged
orange, fading sky blue with a dark ring, ordinary sites small and white with a dark ring."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

RISING = "#D55E00"  # Okabe-Ito vermillion
PERSISTENT = "#CC79A7"  # reddish purple
FLAGGED = "#E69F00"  # orange
FADING = "#56B4E9"  # sky blue
NORMAL = "#FFFFFF"  # white with the dark ring: apart from every class and the water for deuteranopes

LAYER = LayerSpec(
    id="sites",
    title="map.layer.sites",
    source="sites",
    kind="point",
    style=Style(color=NORMAL, line_color="#222222", weight=1.5, fill_opacity=0.9, radius=4,
                color_by="status",
                colors={"rising": RISING, "persistent": PERSISTENT, "flagged": FLAGGED,
                        "fading": FADING, "normal": NORMAL},
                radius_by={"rising": 8.0, "persistent": 7.0, "flagged": 6.0, "fading": 5.0,
                           "normal": 3.5}),
    tooltip=("tip",),
    legend=(
        LegendEntry("rising", "hotspots.legend.rising", RISING, shape="circle"),
        LegendEntry("persistent", "hotspots.legend.persistent", PERSISTENT, shape="circle"),
        LegendEntry("flagged", "hotspots.legend.flagged", FLAGGED, shape="circle"),
        LegendEntry("fading", "hotspots.legend.fading", FADING, shape="circle"),
        LegendEntry("normal", "hotspots.legend.normal", NORMAL, shape="circle"),
    ),
    order=60,
)
