"""Place-collaboration zones, coloured by whether their revision is due (lägesbild or plan
revised more than 2 years ago, priorities reviewed more than 4 years ago); a due revision is
also drawn with a dashed outline."""

from mapapp.render.spec import LayerSpec, LegendEntry, Style

DUE = "#E69F00"  # Okabe-Ito orange
OK = "#0072B2"  # Okabe-Ito blue

LAYER = LayerSpec(
    id="zones",
    title="map.layer.zones",
    source="zones",
    kind="polygon",
    style=Style(color=OK, weight=3, fill_opacity=0.12, color_by="status",
                colors={"revision_due": DUE, "ok": OK}, dashed_values=("revision_due",)),
    tooltip=("tip",),
    legend=(
        LegendEntry("revision_due", "map.zone.revision_due", DUE, dashed=True),
        LegendEntry("ok", "map.zone.ok", OK),
    ),
    order=20,
)
