"""Declarative layer specifications: what a layer shows and how, not how it is computed.

One small file per layer in the top-level ``layers/`` folder defines ``LAYER = LayerSpec(...)``;
:func:`mapapp.render.layer_specs` loads them all. The page computes the data of each
``source`` (a frame, a FeatureCollection or packed arrays, see :mod:`mapapp.render.data`) and
:func:`mapapp.render.build.build_map` turns specs + data into a folium map. The snapshot
(static image) reads the same specs.

Geometry kinds:

| kind | data | drawn as |
|---|---|---|
| ``polygon`` | GeoDataFrame with ``tip`` and the ``color_by`` column | folium GeoJson |
| ``point`` | GeoDataFrame of points | circle markers (GeoJson) |
| ``square`` | GeoDataFrame of points | small square DivIcons with an optional mark (measures) |
| ``cells`` | :class:`~mapapp.render.data.CellValues` | grid cells drawn in the browser from raster indices |
| ``cluster`` | :class:`~mapapp.render.data.PackedPoints` | Leaflet.markercluster of circle markers |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from mapapp.errors import ConfigurationError

GeometryKind = Literal["polygon", "point", "square", "cells", "cluster"]


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: the value of ``Style.color_by`` it stands for, an i18n key and the
    colour. ``dashed`` draws the swatch with a dashed outline (as the map does)."""

    value: str
    label: str
    color: str
    dashed: bool = False
    shape: Literal["box", "circle", "square", "line"] = "box"


@dataclass(frozen=True)
class Style:
    """How features look. ``colors`` maps values of the ``color_by`` column to fill colours;
    features whose value is not in ``colors`` get ``color``. ``dashed_values``: values drawn
    with a dashed outline (a second cue besides colour). ``hidden_values``: values not drawn.
    ``palette``: class colours for ``cells`` with numeric classes (low to high)."""

    color: str = "#555555"
    line_color: str | None = None
    weight: float = 1.5
    opacity: float = 0.9
    fill: bool = True
    fill_opacity: float = 0.35
    radius: float = 5.0
    color_by: str | None = None
    colors: dict[str, str] = field(default_factory=dict)
    radius_by: dict[str, float] = field(default_factory=dict)
    dashed_values: tuple[str, ...] = ()
    hidden_values: tuple[str, ...] = ()
    palette: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerSpec:
    """One map layer.

    - ``id``: stable identifier; ``title``: i18n key of the name in the layer control.
    - ``source``: key of the data the page provides for it.
    - ``tooltip``: column names whose (already escaped) text is shown on hover; the first one
      is the bold heading. ``popup`` likewise on click.
    - ``legend`` / ``legend_title``: static legend rows; ``cells`` layers with a ``palette``
      get rows computed from the data's class breaks.
    - ``min_zoom``/``max_zoom``: drawn only within these zoom levels (inclusive).
    - ``group``: layers with the same group share one entry in the layer control (e.g.
      incident cells at district zoom and incident points when zoomed in).
    - ``show``: on when the map opens. ``order``: drawing order (lower first = below).
    - ``permission``: name of a :class:`~mapapp.access.Perm` the role needs, or None.
    - ``note``: i18n key of a sentence shown under the legend rows.
    - ``interactive``: False for a background layer that takes no clicks and no hover (water).
    """

    id: str
    title: str
    source: str
    kind: GeometryKind
    style: Style = field(default_factory=Style)
    tooltip: tuple[str, ...] = ()
    popup: tuple[str, ...] = ()
    legend: tuple[LegendEntry, ...] = ()
    legend_title: str | None = None
    min_zoom: int | None = None
    max_zoom: int | None = None
    group: str | None = None
    show: bool = True
    order: int = 50
    permission: str | None = None
    note: str | None = None
    interactive: bool = True

    def __post_init__(self) -> None:
        problems = []
        if not self.id or not self.id.replace("_", "").isalnum():
            problems.append(f"id {self.id!r}: letters, digits and _ only")
        if self.min_zoom is not None and self.max_zoom is not None \
                and self.min_zoom > self.max_zoom:
            problems.append(f"{self.id}: min_zoom > max_zoom")
        if self.kind == "cells" and not (self.style.palette or self.style.colors):
            problems.append(f"{self.id}: cells need a palette or colours")
        if problems:
            raise ConfigurationError("layer spec: " + "; ".join(problems))

    @property
    def control_group(self) -> str:
        return self.group or self.id
