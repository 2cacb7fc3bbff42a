"""Which zone and stadsdel each point falls in: a vectorised point-in-polygon join.

**Border rule.** A point inside or exactly on the boundary of a polygon belongs to it
(``intersects``). A point on the shared border of two polygons belongs to exactly one: the one
that comes first in the order the polygons are given (zones and stadsdelar are ordered by their
database id, i.e. the order of ``data/geo/zones.geojson``). Points in no polygon get -1.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray


def assign(
    lon: NDArray[np.float64], lat: NDArray[np.float64], polygons: list[shapely.Geometry]
) -> NDArray[np.int64]:
    """Index into ``polygons`` of the polygon each (lon, lat) point falls in, -1 for none.

    >>> sq = shapely.box(0, 0, 1, 1); sq2 = shapely.box(1, 0, 2, 1)
    >>> assign(np.array([0.5, 1.0, 5.0]), np.array([0.5, 0.5, 5.0]), [sq, sq2]).tolist()
    [0, 0, -1]
    >>> assign(np.array([]), np.array([]), [sq]).tolist()
    []
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    out = np.full(len(lon), -1, dtype=np.int64)
    if len(lon) == 0 or not polygons:
        return out
    ok = np.isfinite(lon) & np.isfinite(lat)
    idx_ok = np.flatnonzero(ok)
    x, y = lon[idx_ok], lat[idx_ok]
    polys = np.asarray(polygons, dtype=object)
    for p in polys:
        shapely.prepare(p)
    # Walk the polygons in reverse so the first polygon wins on a shared border.
    for i in range(len(polys) - 1, -1, -1):
        poly = polys[i]
        xmin, ymin, xmax, ymax = shapely.bounds(poly)
        cand = np.flatnonzero((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
        if len(cand) == 0:
            continue
        hit = shapely.intersects_xy(poly, x[cand], y[cand])
        out[idx_ok[cand[hit]]] = i
    return out
