"""The monthly actor survey per zone: the highest share of the recipients who answered for the
zone reporting a problem ("Lite" or "Mycket"), in four steps of a sequential orange scale
(ColorBrewer Oranges, apart for deuteranopes); a zone where too few answered for a share to be
shown is grey with a dashed outline. The tooltip lists every problem's share and the number
who answered. Off when the map opens."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

COLORS = {"low": "#fdd49e", "some": "#fc8d59", "many": "#d7301f", "most": "#7f0000",
          "suppressed": "#969696"}

LAYER = LayerSpec(
    id="survey",
    title="map.layer.survey",
    source="survey",
    kind="polygon",
    style=Style(color="#969696", line_color="#333333", weight=1.5, fill_opacity=0.55,
                color_by="status", colors=COLORS, dashed_values=("suppressed",)),
    tooltip=("tip",),
    legend=(
        LegendEntry("low", "map.survey.low", COLORS["low"]),
        LegendEntry("some", "map.survey.some", COLORS["some"]),
        LegendEntry("many", "map.survey.many", COLORS["many"]),
        LegendEntry("most", "map.survey.most", COLORS["most"]),
        LegendEntry("suppressed", "map.survey.suppressed", COLORS["suppressed"], dashed=True),
    ),
    show=False,
    order=22,
)
