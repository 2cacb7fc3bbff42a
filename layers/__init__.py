"""The map's layers: one small declarative file per layer, each defining ``LAYER``
(a :class:`mapapp.render.spec.LayerSpec`). :func:`load` returns them all in drawing order.

Colours are colour-blind safe: Okabe–Ito for categories, ColorBrewer RdBu (diverging) for the
Gi* classes and BuPu (sequential) for counts; status is also shown by shape or a dashed line.
"""

from __future__ import annotations

import importlib
import pkgutil

from mapapp.errors import ConfigurationError
from mapapp.render.spec import LayerSpec


def load() -> list[LayerSpec]:
    """Every layer spec of this folder, sorted by ``order`` (then id). Duplicate ids raise."""
    specs: list[LayerSpec] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "LAYER", None)
        if not isinstance(spec, LayerSpec):
            raise ConfigurationError(f"layers/{info.name}.py must define LAYER = LayerSpec(...)")
        specs.append(spec)
    ids = [s.id for s in specs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ConfigurationError(f"layer ids defined twice: {dup}")
    return sorted(specs, key=lambda s: (s.order, s.id))
