"""Folium maps from declarative layer specs (no streamlit here).

Modules: :mod:`~mapapp.render.spec` (the spec types), :mod:`~mapapp.render.assets` (Leaflet
and plugins served by the app), :mod:`~mapapp.render.data` (fast aggregation of point frames),
:mod:`~mapapp.render.features` (zones, sites, measures with escaped tooltips),
:mod:`~mapapp.render.elements` (folium elements with their own small scripts),
:mod:`~mapapp.render.build` (specs + data -> folium.Map) and :mod:`~mapapp.render.cards`
(what a zone's or a site's card shows).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

from mapapp.render.spec import LayerSpec
from mapapp.settings import PROJECT_ROOT

LAYERS_DIR = PROJECT_ROOT / "layers"


def _layers_module() -> ModuleType:
    """The top-level ``layers`` package, imported from the project folder even when the
    current directory is elsewhere."""
    if "layers" in sys.modules:
        return sys.modules["layers"]
    try:
        return importlib.import_module("layers")
    except ModuleNotFoundError:
        spec = importlib.util.spec_from_file_location(
            "layers", LAYERS_DIR / "__init__.py", submodule_search_locations=[str(LAYERS_DIR)])
        if spec is None or spec.loader is None:  # pragma: no cover - broken install
            raise
        module = importlib.util.module_from_spec(spec)
        sys.modules["layers"] = module
        spec.loader.exec_module(module)
        return module


def layer_specs() -> list[LayerSpec]:
    """Every layer spec in ``layers/``, in drawing order."""
    return list(_layers_module().load())


def specs_by_id() -> dict[str, LayerSpec]:
    return {s.id: s for s in layer_specs()}
