"""Emerging hot spots: the ArcGIS Emerging Hot Spot classes of each grid cell over the last
statistical years (or quarters): Gi* per step and the Mann–Kendall trend
(:mod:`mapapp.analysis.emerging`). Seven colours that stay apart under colour-vision
deficiencies (a test) for seven groups of the sixteen classes; the tooltip names the exact
class. Cells without a pattern are not drawn. Off by default."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

NEW = "#e69f00"  # new, consecutive
INTENSIFYING = "#67001f"
PERSISTENT = "#d6604d"
FADING = "#8c510a"  # diminishing, historical
ON_OFF = "#f0e442"  # sporadic, oscillating
COLD_STRONG = "#2166ac"  # new/consecutive/intensifying/persistent cold
COLD_WEAK = "#92c5de"  # diminishing/historical/sporadic/oscillating cold

EMERGING_COLORS = {
    "new_hot": NEW, "consecutive_hot": NEW, "intensifying_hot": INTENSIFYING,
    "persistent_hot": PERSISTENT, "diminishing_hot": FADING, "historical_hot": FADING,
    "sporadic_hot": ON_OFF, "oscillating_hot": ON_OFF,
    "new_cold": COLD_STRONG, "consecutive_cold": COLD_STRONG,
    "intensifying_cold": COLD_STRONG, "persistent_cold": COLD_STRONG,
    "diminishing_cold": COLD_WEAK, "historical_cold": COLD_WEAK, "sporadic_cold": COLD_WEAK,
    "oscillating_cold": COLD_WEAK,
}

#: legend rows: (the classes a row stands for, i18n key, colour)
GROUPS = (
    (("new_hot", "consecutive_hot"), "hotspots.legend.em.new", NEW),
    (("intensifying_hot",), "hotspots.legend.em.intensifying", INTENSIFYING),
    (("persistent_hot",), "hotspots.legend.em.persistent", PERSISTENT),
    (("diminishing_hot", "historical_hot"), "hotspots.legend.em.fading", FADING),
    (("sporadic_hot", "oscillating_hot"), "hotspots.legend.em.on_off", ON_OFF),
    (("new_cold", "consecutive_cold", "intensifying_cold", "persistent_cold"),
     "hotspots.legend.em.cold", COLD_STRONG),
    (("diminishing_cold", "historical_cold", "sporadic_cold", "oscillating_cold"),
     "hotspots.legend.em.cold_weak", COLD_WEAK),
)

LAYER = LayerSpec(
    id="emerging",
    title="hotspots.layer.emerging",
    source="emerging",
    kind="cells",
    style=Style(colors=EMERGING_COLORS, fill_opacity=0.7, line_color="#555555", weight=0.4),
    legend=tuple(LegendEntry(classes[0], key, color) for classes, key, color in GROUPS),
    show=False,
    order=31,
)
