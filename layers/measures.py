"""Measures at their site (or at the zone for zone-wide ones) as squares coloured by status;
an overdue measure is marked "!"."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

COLORS = {
    "overdue": "#D55E00",  # vermillion, with "!"
    "pagaende": "#0072B2",  # blue
    "planerad": "#F0E442",  # yellow
    "genomford": "#009E73",  # bluish green
    "avbruten": "#999999",  # grey
}

LAYER = LayerSpec(
    id="measures",
    title="map.layer.measures",
    source="measures",
    kind="square",
    style=Style(color="#999999", color_by="status", colors=COLORS),
    tooltip=("tip",),
    legend=tuple(LegendEntry(k, f"map.measure.{k}", c, shape="square") for k, c in COLORS.items()),
    order=70,
)
