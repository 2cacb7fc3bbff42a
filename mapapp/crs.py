"""Coordinate reference systems. Every Transformer is built with ``always_xy=True``
(x = longitude/easting first); metric work (buffers, grids, distances) is done in SWEREF 99 TM."""

from __future__ import annotations

from functools import lru_cache

from pyproj import CRS, Transformer

WGS84 = "EPSG:4326"
SWEREF99_TM = "EPSG:3006"  # the national grid
SWEREF99_1800 = "EPSG:3011"  # Stockholm stad's own grid
METRIC = SWEREF99_TM


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> Transformer:
    """A cached, thread-safe-to-share Transformer from ``src`` to ``dst`` (always_xy)."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def normalise(crs: str | int) -> str:
    """``3006``, ``"epsg:3006"`` or ``"EPSG:3006"`` -> ``"EPSG:3006"``; raises ValueError on junk."""
    c = CRS.from_user_input(crs if not isinstance(crs, str) or ":" in crs else f"EPSG:{crs}")
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.to_wkt()
