"""Observations from safety walks and reports, clustered."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

COLOR = "#009E73"  # Okabe-Ito bluish green

LAYER = LayerSpec(
    id="observations",
    title="map.layer.observations",
    source="observations",
    kind="cluster",
    style=Style(color=COLOR, radius=6),
    legend=(LegendEntry("point", "map.legend.observation", COLOR, shape="circle"),),
    show=False,
    order=50,
)
