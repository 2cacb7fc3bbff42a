"""Grid hotspots: Getis-Ord Gi* classes of the filtered incidents per grid cell (ColorBrewer
RdBu, a diverging palette that colour-blind readers can tell apart); cells that are not
significant are not drawn."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

GI_COLORS = {
    "hot99": "#b2182b", "hot95": "#ef8a62", "hot90": "#fddbc7",
    "cold90": "#d1e5f0", "cold95": "#67a9cf", "cold99": "#2166ac",
}

LAYER = LayerSpec(
    id="hotspots",
    title="map.layer.hotspots",
    source="hotspots",
    kind="cells",
    style=Style(colors=GI_COLORS, fill_opacity=0.75, line_color="#555555", weight=0.4),
    legend=tuple(LegendEntry(k, f"analysis.gi.{k}", c) for k, c in GI_COLORS.items()),
    note="map.note.gi",
    show=False,
    order=30,
)
