"""Measures at their site (or at the zone for zone-wide ones) as squares coloured by status;
an overdue measure is marked "!"."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

COLORS = {
    "overdue": "#D55E00",  # vermillion, with "!"
    "pagaende": "#0072B2",  # blue
    "planerad": "#F0E442",  # yellow
    "genomford": "#009E73",  # bluish green
    "avbruten": "#DDDDDD",  # light grey (#999999 came within ΔE 12 of the green for deuteranopes)
}

LAYER = LayerSpec(
    id="measures",
    title="map.layer.measures",
    source="measures",
    kind="square",
    style=Style(color="#DDDDDD", color_by="status", colors=COLORS),
    tooltip=("tip",),
    legend=tuple(LegendEntry(k, f"map.measure.{k}", c, shape="square") for k, c in COLORS.items()),
    order=70,
)
