"""Grid hotspots: a regular grid over the district, point counts per cell and Getis-Ord Gi*.

**Grid.** Square cells (default 100 m) in SWEREF 99 TM (EPSG:3006): the district's bounding box
snapped outwards to multiples of the cell size; a cell is kept when its interior meets the
district. Cell ids are ``"<size>m-E<easting>-N<northing>"`` of the south-west corner, e.g.
``"100m-E669300-N6575400"`` (what a measure's ``cell_id`` refers to). Optionally H3 hexagons
(``kind="h3"``, needs the ``h3`` package): the resolution whose average cell area is closest
to ``cell_size_m²``, cells overlapping the district, ids are H3 indexes.

**Weights.** Queen contiguity, binary, each cell its own neighbour (Gi*): a square cell has
itself plus the up-to-8 kept cells around it; a hexagon itself plus its 6 neighbours. Built
once per grid as a scipy.sparse CSR matrix (:class:`Grid` is immutable and cached per district
and size, so filter changes only re-bin points).

**Gi\\*.** With x the count per cell over all n cells, x̄ its mean, S its population standard
deviation (ddof 0), W_i = Σ_j w_ij and S1_i = Σ_j w_ij²::

    z_i = (Σ_j w_ij x_j − x̄ W_i) / (S · sqrt((n S1_i − W_i²) / (n − 1)))

This equals esda's ``G_Local(x, w, transform="B", star=True).Zs`` (tested to 1e-9). When
every cell has the same count (S = 0) there is no hotspot and z is 0. Classes follow ArcGIS Hot
Spot Analysis: z ≥ 2.576 hot99, ≥ 1.960 hot95, ≥ 1.645 hot90, ≤ −1.645 cold90, ≤ −1.960
cold95, ≤ −2.576 cold99, otherwise ns (two-sided 90/95/99 % confidence).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray

from mapapp.analysis import zoning
from mapapp.analysis.periods import Period, parse_period, period_containing, utc_ns
from mapapp.analysis.sites import measure_record
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.errors import ConfigurationError, DataValidationError, Problem
from mapapp.values import is_missing

GI_CLASSES: tuple[str, ...] = ("hot99", "hot95", "hot90", "ns", "cold90", "cold95", "cold99")
_HOT = ("hot99", "hot95", "hot90")


def to_metric(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                                           NDArray[np.float64]]:
    """WGS84 lon/lat arrays -> EPSG:3006 x/y arrays (vectorised; NaN stays NaN)."""
    x, y = transformer(WGS84, METRIC).transform(np.asarray(lon, dtype="float64"),
                                                np.asarray(lat, dtype="float64"))
    return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")


def geometry_to_metric(geom: shapely.Geometry) -> shapely.Geometry:
    """A WGS84 shapely geometry in EPSG:3006."""
    tr = transformer(WGS84, METRIC)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def geometry_to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    tr = transformer(METRIC, WGS84)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


@dataclass(frozen=True, eq=False)
class Grid:
    """Cells over the district and their Gi* weights. Build with :func:`build_grid`."""

    kind: str
    cell_size_m: float
    cell_ids: NDArray[Any]
    weights: sp.csr_matrix
    polygons_metric: NDArray[Any]  # shapely polygons in EPSG:3006
    # square grids: raster origin (SW corner), shape and raster index -> cell (-1 = dropped)
    x0: float = 0.0
    y0: float = 0.0
    nx: int = 0
    ny: int = 0
    raster_to_cell: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    h3_resolution: int | None = None
    h3_lookup: Mapping[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.cell_ids)

    @cached_property
    def row_sums(self) -> NDArray[np.float64]:
        return np.asarray(self.weights.sum(axis=1), dtype="float64").ravel()

    @cached_property
    def row_sq_sums(self) -> NDArray[np.float64]:
        return np.asarray(self.weights.multiply(self.weights).sum(axis=1), dtype="float64").ravel()

    @cached_property
    def polygons_wgs84(self) -> NDArray[Any]:
        return np.array([geometry_to_wgs84(p) for p in self.polygons_metric], dtype=object)

    @cached_property
    def centroids_wgs84(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        c = shapely.centroid(self.polygons_metric)
        lon, lat = transformer(METRIC, WGS84).transform(shapely.get_x(c), shapely.get_y(c))
        return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")

    def neighbours(self, *, include_self: bool = False) -> dict[int, list[int]]:
        """Neighbour lists by cell index (for libpysal/esda)."""
        w = self.weights.tocsr()
        out = {}
        for i in range(self.n):
            js = w.indices[w.indptr[i]:w.indptr[i + 1]].tolist()
            out[i] = sorted(j for j in js if include_self or j != i)
        return out

    def cell_index(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.int64]:
        """Cell index of each WGS84 point, -1 outside the kept cells or unplaced."""
        lon = np.asarray(lon, dtype="float64")
        lat = np.asarray(lat, dtype="float64")
        if self.kind == "h3":
            import h3

            res = int(self.h3_resolution or 0)
            out = np.full(len(lon), -1, dtype=np.int64)
            ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
            look = self.h3_lookup
            out[ok] = [look.get(h3.latlng_to_cell(float(la), float(lo), res), -1)
                       for lo, la in zip(lon[ok], lat[ok], strict=True)]
            return out
        x, y = to_metric(lon, lat)
        with np.errstate(invalid="ignore"):
            fx = np.floor((x - self.x0) / self.cell_size_m)
            fy = np.floor((y - self.y0) / self.cell_size_m)
            inside = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)  # NaN -> False
        cells = np.full(len(lon), -1, dtype=np.int64)
        flat = fy[inside].astype(np.int64) * self.nx + fx[inside].astype(np.int64)
        cells[inside] = self.raster_to_cell[flat]
        return cells

    def bin(self, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.int64]:
        """Count of points per cell (points outside the kept cells are not counted)."""
        idx = self.cell_index(lon, lat)
        return np.bincount(idx[idx >= 0], minlength=self.n).astype(np.int64)


def build_grid(
    district: shapely.Geometry, *, cell_size_m: float = 100.0, kind: str = "square"
) -> Grid:
    """The grid and its weights over ``district`` (WGS84 (Multi)Polygon); cached per
    (district, size, kind), so calling it again with the same outline is free."""
    if kind not in ("square", "h3"):
        raise ConfigurationError("analysis.grid.bad_kind", kind=kind)
    if cell_size_m <= 0 or not math.isfinite(cell_size_m):
        raise ConfigurationError(f"grid_size_m > 0 ({cell_size_m})")
    if district is None or shapely.is_empty(district):
        raise DataValidationError([Problem(None, "district", "analysis.grid.empty")])
    return _build_cached(shapely.to_wkb(district), float(cell_size_m), kind)


@lru_cache(maxsize=8)
def _build_cached(wkb: bytes, size: float, kind: str) -> Grid:
    district = shapely.from_wkb(wkb)
    if kind == "h3":
        return _build_h3(district, size)
    return _build_square(district, size)


def _freeze(*arrays: NDArray[Any]) -> None:
    for a in arrays:
        a.flags.writeable = False


def _build_square(district: shapely.Geometry, size: float) -> Grid:
    d3006 = geometry_to_metric(district)
    shapely.prepare(d3006)
    minx, miny, maxx, maxy = shapely.bounds(d3006)
    x0 = math.floor(minx / size) * size
    y0 = math.floor(miny / size) * size
    nx = max(1, math.ceil((maxx - x0) / size))
    ny = max(1, math.ceil((maxy - y0) / size))
    rr, cc = np.divmod(np.arange(nx * ny, dtype=np.int64), nx)
    boxes = shapely.box(x0 + cc * size, y0 + rr * size, x0 + (cc + 1) * size,
                        y0 + (rr + 1) * size)
    keep = shapely.intersects(d3006, boxes) & ~shapely.touches(d3006, boxes)
    kept = np.flatnonzero(keep)
    raster_to_cell = np.full(nx * ny, -1, dtype=np.int64)
    raster_to_cell[kept] = np.arange(len(kept))
    rows, cols = rr[kept], cc[kept]
    src: list[NDArray[np.int64]] = []
    dst: list[NDArray[np.int64]] = []
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r2, c2 = rows + dr, cols + dc
            inside = (r2 >= 0) & (r2 < ny) & (c2 >= 0) & (c2 < nx)
            j = np.full(len(kept), -1, dtype=np.int64)
            j[inside] = raster_to_cell[r2[inside] * nx + c2[inside]]
            ok = j >= 0
            src.append(np.flatnonzero(ok))
            dst.append(j[ok])
    i_all, j_all = np.concatenate(src), np.concatenate(dst)
    w = sp.csr_matrix((np.ones(len(i_all)), (i_all, j_all)), shape=(len(kept), len(kept)))
    w.sort_indices()
    s = int(size) if float(size).is_integer() else size
    ids = np.array([f"{s}m-E{x0 + c * size:.0f}-N{y0 + r * size:.0f}"
                    for r, c in zip(rows, cols, strict=True)], dtype=object)
    polys = boxes[kept]
    _freeze(ids, polys, raster_to_cell)
    return Grid("square", size, ids, w, polys, x0=x0, y0=y0, nx=nx, ny=ny,
                raster_to_cell=raster_to_cell)


def _build_h3(district: shapely.Geometry, size: float) -> Grid:
    try:
        import h3
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigurationError("analysis.grid.h3_missing") from exc
    res = min(range(16), key=lambda r: abs(math.log(h3.average_hexagon_area(r, "m^2")
                                                    / (size * size))))
    shape = h3.geo_to_h3shape(shapely.geometry.mapping(district))
    cells = sorted(h3.h3shape_to_cells_experimental(shape, res, contain="overlap"))
    look = {c: i for i, c in enumerate(cells)}
    i_all, j_all = [], []
    for i, c in enumerate(cells):
        for nb in h3.grid_disk(c, 1):
            j = look.get(nb)
            if j is not None:
                i_all.append(i)
                j_all.append(j)
    n = len(cells)
    w = sp.csr_matrix((np.ones(len(i_all)), (i_all, j_all)), shape=(n, n))
    w.sort_indices()
    polys = np.array([geometry_to_metric(shapely.Polygon([(lo, la) for la, lo in
                                                          h3.cell_to_boundary(c)]))
                      for c in cells], dtype=object)
    ids = np.array(cells, dtype=object)
    _freeze(ids, polys)
    return Grid("h3", size, ids, w, polys, h3_resolution=res, h3_lookup=look)


def gi_star(
    x: NDArray[Any] | Sequence[float],
    weights: sp.spmatrix | Grid,
) -> NDArray[np.float64]:
    """Getis-Ord Gi* z-scores of ``x`` (one value per cell) with ``weights`` (self included).

    >>> w = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float))
    >>> np.round(gi_star([5, 1, 0], w), 3).tolist()
    [0.926, 0.0, -1.389]
    >>> gi_star([2, 2, 2], w).tolist()   # no variation: no hotspot
    [0.0, 0.0, 0.0]
    """
    xv = np.asarray(x, dtype="float64")
    if isinstance(weights, Grid):
        w, wi, s1 = weights.weights, weights.row_sums, weights.row_sq_sums
    else:
        w = sp.csr_matrix(weights)
        wi = np.asarray(w.sum(axis=1), dtype="float64").ravel()
        s1 = np.asarray(w.multiply(w).sum(axis=1), dtype="float64").ravel()
    n = len(xv)
    if n < 2:
        return np.zeros(n)
    xbar = xv.mean()
    s = xv.std()
    num = w @ xv - xbar * wi
    with np.errstate(invalid="ignore", divide="ignore"):
        den = s * np.sqrt((n * s1 - wi * wi) / (n - 1))
        z = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.asarray(z, dtype="float64")


def classify(z: NDArray[np.float64]) -> NDArray[Any]:
    """ArcGIS-style class of each z-score.

    >>> classify(np.array([3.0, 2.0, 1.7, 0.0, -1.7, -2.0, -3.0])).tolist()
    ['hot99', 'hot95', 'hot90', 'ns', 'cold90', 'cold95', 'cold99']
    """
    z = np.asarray(z, dtype="float64")
    return np.select(
        [z >= 2.576, z >= 1.960, z >= 1.645, z <= -2.576, z <= -1.960, z <= -1.645],
        ["hot99", "hot95", "hot90", "cold99", "cold95", "cold90"],
        default="ns",
    ).astype(object)


def resolve_period(
    points: pd.DataFrame, period: Period | str | None, *, stat_year_start_month: int = 9
) -> Period | None:
    """``period`` as a :class:`Period`; None -> the latest statistical year with data
    (None when there is no data)."""
    if isinstance(period, Period):
        return period
    if period is not None:
        return parse_period(period, stat_year_start_month=stat_year_start_month)
    ns = utc_ns(points["occurred_at"]) if len(points) else np.zeros(0, dtype=np.int64)
    ns = ns[ns != np.iinfo(np.int64).min]
    if len(ns) == 0:
        return None
    return period_containing(pd.Timestamp(int(ns.max()), tz="UTC"), kind="statistical",
                             stat_year_start_month=stat_year_start_month)


def grid_hotspots(
    points: pd.DataFrame,
    grid: Grid,
    *,
    period: Period | str | None = None,
    stat_year_start_month: int = 9,
) -> pd.DataFrame:
    """Count, Gi* z and class for every cell (empty ones included) for the points in
    ``period`` (default: the latest statistical year with data). Columns ``cell_id, count, z,
    class``; ``frame.attrs["period"]`` holds the period label (None without data)."""
    per = resolve_period(points, period, stat_year_start_month=stat_year_start_month)
    if per is None or len(points) == 0:
        counts = np.zeros(grid.n, dtype=np.int64)
    else:
        ns = utc_ns(points["occurred_at"])
        m = (ns >= per.start_ns) & (ns < per.end_ns)
        counts = grid.bin(points["lon"].to_numpy(dtype="float64")[m],
                          points["lat"].to_numpy(dtype="float64")[m])
    z = gi_star(counts, grid)
    out = pd.DataFrame({"cell_id": grid.cell_ids, "count": counts, "z": z, "class": classify(z)})
    out.attrs["period"] = per.label if per is not None else None
    return out


def measures_for_cells(
    grid: Grid,
    cell_idx: Sequence[int] | NDArray[np.int64],
    measures: pd.DataFrame | None,
    *,
    zones: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Measures for each cell index: those whose ``cell_id`` is the cell's id (scope "cell"),
    those of a site that lies in the cell (``sites`` given; scope "site"), and the zone-wide
    measures (no site, no cell) of the zone that contains the cell's centroid (border rule of
    :mod:`zoning`; scope "zone")."""
    out: dict[int, list[dict[str, Any]]] = {int(i): [] for i in cell_idx}
    if measures is None or len(measures) == 0 or not out:
        return out
    idx = np.array(sorted(out), dtype=np.int64)
    zone_of: dict[int, str] = {}
    if zones is not None and len(zones):
        lon, lat = grid.centroids_wgs84
        zi = zoning.assign(lon[idx], lat[idx], list(zones.geometry))
        names = [str(n) for n in zones["name"]]
        zone_of = {int(i): names[z] for i, z in zip(idx, zi, strict=True) if z >= 0}
    id_to_idx = {str(grid.cell_ids[i]): int(i) for i in idx}
    site_cell: dict[str, int] = {}
    if sites is not None and len(sites):
        c = shapely.centroid(np.asarray(sites.geometry.values, dtype=object))
        where = grid.cell_index(shapely.get_x(c), shapely.get_y(c))
        site_cell = {str(n): int(j) for n, j in zip(sites["name"], where, strict=True)
                     if int(j) in out}
    for row in measures.to_dict("records"):
        cid = row.get("cell_id")
        site = row.get("site")
        if not is_missing(cid):
            j = id_to_idx.get(str(cid))
            if j is not None:
                out[j].append(measure_record(row, "cell"))
        elif not is_missing(site):
            j = site_cell.get(str(site))
            if j is not None:
                out[j].append(measure_record(row, "site"))
        elif is_missing(site) and not is_missing(row.get("zone")):
            for i, zname in zone_of.items():
                if zname == row["zone"]:
                    out[i].append(measure_record(row, "zone"))
    return out


def _num(v: float) -> float | None:
    return None if not math.isfinite(v) else round(float(v), 6)


def grid_geojson(
    grid: Grid,
    result: pd.DataFrame,
    *,
    measures: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    sites: pd.DataFrame | None = None,
    precision: int = 6,
) -> dict[str, Any]:
    """FeatureCollection (WGS84) with every cell: ``cell_id, count, z, class``, ``trend_class``
    when ``result`` has it (:mod:`mapapp.analysis.emerging`), and ``measures`` (filled for hot
    cells). ``period`` stands at collection level. Labels are added at the edges."""
    hot = np.flatnonzero(np.isin(result["class"].to_numpy(), _HOT))
    attached = measures_for_cells(grid, hot, measures, zones=zones, sites=sites)
    trend = (result["trend_class"].to_numpy(dtype=object) if "trend_class" in result
             else None)
    polys = shapely.transform(grid.polygons_wgs84, lambda c: np.round(c, precision))
    geoms = shapely.to_geojson(polys)

    feats = []
    for i, (cid, cnt, z, cls) in enumerate(zip(result["cell_id"], result["count"], result["z"],
                                               result["class"], strict=True)):
        feats.append({
            "type": "Feature",
            "id": str(cid),
            "geometry": json.loads(geoms[i]),
            "properties": {
                "cell_id": str(cid), "count": int(cnt), "z": _num(float(z)), "class": str(cls),
                **({"trend_class": str(trend[i])} if trend is not None else {}),
                "measures": attached.get(i, []),
            },
        })
    return {"type": "FeatureCollection", "period": result.attrs.get("period"),
            "features": feats}
