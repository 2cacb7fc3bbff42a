"""Folium maps from declarative layer specs (no streamlit here).

Modules: :mod:`~mapapp.render.spec` (the spec types), :mod:`~mapapp.render.assets` (Leaflet
and plugins served by the app), :mod:`~mapapp.render.data` (fast aggregation of point frames),
:mod:`~mapapp.render.features` (zones, sites, measures with escaped tooltips),
:mod:`~mapapp.render.elements` (folium elements with their own small scripts),
:mod:`~mapapp.render.build` (specs + data -> folium.Map) and :mod:`~mapapp.render.cards`
(what a zone's or a site's card shows).
"""

from __future__ import annotations

from mapapp.render.spec import LayerSpec
from mapapp.resources import layers_package


def layer_specs() -> list[LayerSpec]:
    """Every layer spec in ``layers/``, in drawing order."""
    return list(layers_package().load())


def specs_by_id() -> dict[str, LayerSpec]:
    return {s.id: s for s in layer_specs()}
