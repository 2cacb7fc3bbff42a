"""Map data from point frames, fast enough for a rerun at 1,000,000 points.

:class:`PointIndex` is built once per point frame (per data version and role): the UTC
nanoseconds, category/source codes, zone id and grid cell of every point, as numpy arrays.
A filter change is then a few vectorised comparisons (:meth:`PointIndex.mask`) and a
``bincount`` -- no per-row Python, no reprojection.

What the map receives is aggregated: :class:`CellValues` (a value per grid cell, drawn in the
browser from raster indices, a few bytes per cell) and, when the filtered points are few
enough, :class:`PackedPoints` (integer-coded positions, ~18 bytes per point, clustered in the
browser). Positions a role may not see are NaN in the point frame and never get here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mapapp.analysis.grid import GI_CLASSES, Grid, classify, gi_star
from mapapp.analysis.periods import Period, list_periods, utc_ns
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.textsafe import html_text

if TYPE_CHECKING:
    from mapapp.analysis.expected import Raster
    from mapapp.store.points import PointArrays

#: Most points sent to the browser as individual markers (≈ 18 bytes each, ~0.45 MB).
POINT_BUDGET = 25_000
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True)
class MapFilter:
    """What the map and the figures show. ``None`` means all."""

    period_kind: str = "statistical"
    period: str | None = None  # label; None = the latest period with data
    categories: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    zone_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, eq=False)
class PointIndex:
    """Column arrays of one point frame (read-only; build with :meth:`build`)."""

    ns: NDArray[np.int64]
    category: NDArray[np.int16]
    categories: tuple[str, ...]
    source: NDArray[np.int16]
    sources: tuple[str, ...]
    zone_id: NDArray[np.int64]  # -1 outside every zone
    cell: NDArray[np.int64]  # grid cell index, -1 outside the grid or without position
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    sensitive: NDArray[np.bool_]

    @property
    def n(self) -> int:
        return len(self.ns)

    @cached_property
    def metric(self) -> NDArray[np.float64]:
        """EPSG:3006 position of every point (NaN unplaced), computed once per index."""
        from mapapp.analysis.pointprep import metric_xy

        out = metric_xy(self.lon, self.lat)
        out.flags.writeable = False
        return out

    @cached_property
    def _raster_cells(self) -> dict[int, tuple[Raster, NDArray[np.int64]]]:
        return {}

    def raster_cells(self, raster: Raster) -> NDArray[np.int64]:
        """The hotspot background raster's cell of every point (``raster.cell_of`` of
        :attr:`metric`), computed once per index and raster."""
        hit = self._raster_cells.get(id(raster))
        if hit is None or hit[0] is not raster:
            out = raster.cell_of(self.metric)
            out.flags.writeable = False
            hit = (raster, out)
            self._raster_cells[id(raster)] = hit  # the raster is kept: its id stays its own
        return hit[1]

    @cached_property
    def bands(self) -> NDArray[np.int64]:
        """Time band of every point (:func:`mapapp.analysis.pointprep.band_codes`)."""
        from mapapp.analysis.pointprep import band_codes

        out = band_codes(self.ns)
        out.flags.writeable = False
        return out

    @classmethod
    def build(cls, frame: pd.DataFrame, grid: Grid | None) -> PointIndex:
        ns = utc_ns(frame["occurred_at"]) if len(frame) else np.zeros(0, np.int64)
        ccode, cats = pd.factorize(frame["category"].astype(object), sort=True)
        scode, srcs = pd.factorize(frame["source"].astype(object), sort=True)
        zone = pd.to_numeric(frame["zone_id"], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)
        lon = frame["lon"].to_numpy(dtype="float64", na_value=np.nan)
        lat = frame["lat"].to_numpy(dtype="float64", na_value=np.nan)
        cell = (grid.cell_index(lon, lat) if grid is not None and len(frame)
                else np.full(len(frame), -1, np.int64))
        arrays: list[NDArray[Any]] = [
            ns, ccode.astype(np.int16), scode.astype(np.int16),
            np.where(np.isnan(zone), -1, zone).astype(np.int64), cell.astype(np.int64), lat, lon,
            frame["sensitive"].to_numpy(dtype=bool)]
        for a in arrays:
            a.flags.writeable = False
        return cls(arrays[0], arrays[1], tuple(str(c) for c in cats), arrays[2],
                   tuple(str(s) for s in srcs), arrays[3], arrays[4], arrays[5], arrays[6],
                   arrays[7])

    @classmethod
    def from_arrays(cls, arrays: PointArrays, grid: Grid | None) -> PointIndex:
        """The index of :func:`mapapp.store.points.load_point_arrays` (the lean read): equal
        to :meth:`build` of :func:`~mapapp.store.points.load_points`'s frame."""
        n = len(arrays.ns)
        cell = (grid.cell_index(arrays.lon, arrays.lat) if grid is not None and n
                else np.full(n, -1, np.int64))
        ns, category = arrays.ns.astype(np.int64), arrays.category.astype(np.int16)
        source, zone = arrays.source.astype(np.int16), arrays.zone_id.astype(np.int64)
        cell = cell.astype(np.int64)
        lat, lon = arrays.lat.astype("float64"), arrays.lon.astype("float64")
        sensitive = arrays.sensitive.astype(bool)
        for a in (ns, category, source, zone, cell, lat, lon, sensitive):
            a.flags.writeable = False
        return cls(ns, category, tuple(arrays.categories), source, tuple(arrays.sources), zone,
                   cell, lat, lon, sensitive)

    def times(self) -> pd.Series:
        """``occurred_at`` of every row (UTC), from :attr:`ns`."""
        return pd.Series(pd.DatetimeIndex(self.ns, tz="UTC") if self.n
                         else pd.DatetimeIndex([], tz="UTC"))

    def data_end(self) -> pd.Timestamp | None:
        """The latest time (None when there is none)."""
        ok = self.ns[self.ns != _NAT]
        return pd.Timestamp(int(ok.max()), tz="UTC") if len(ok) else None

    def count_frame(self, mask: NDArray[np.bool_], zone_names: dict[int, str]
                    ) -> pd.DataFrame:
        """``zone, category, occurred_at`` of the rows in ``mask`` (what
        :func:`mapapp.analysis.stats.period_counts` reads), made from the codes: no text
        per row."""
        idx = np.flatnonzero(mask)
        zid = self.zone_id[idx]
        placed = zid >= 0
        zcodes = np.flatnonzero(np.bincount(zid[placed])) if placed.any() else \
            np.zeros(0, np.int64)
        znames = [zone_names.get(int(z)) for z in zcodes]
        zone: Any
        if len(set(znames)) == len(znames) and None not in znames:
            pos = np.full(int(zcodes.max()) + 1 if len(zcodes) else 1, -1, dtype=np.int64)
            pos[zcodes] = np.arange(len(zcodes))
            zone = pd.Categorical.from_codes(np.where(placed, pos[np.maximum(zid, 0)], -1),
                                             categories=pd.Index(znames, dtype=object))
        else:  # an id without a zone row (or two ids of one name): by name, row by row
            zone = np.array([zone_names.get(int(z)) if z >= 0 else None for z in zid],
                            dtype=object)
        category = pd.Categorical.from_codes(self.category[idx].astype(np.int64),
                                             categories=pd.Index(self.categories, dtype=object))
        return pd.DataFrame({
            "zone": zone, "category": category,
            "occurred_at": pd.DatetimeIndex(self.ns[idx], tz="UTC")})

    def frame(self, mask: NDArray[np.bool_]) -> pd.DataFrame:
        """``category, source, occurred_at, lon, lat`` of the rows in ``mask`` (the point
        frame's values of these columns, text as categoricals), made from the arrays."""
        idx = np.flatnonzero(mask)
        return pd.DataFrame({
            "category": pd.Categorical.from_codes(
                self.category[idx].astype(np.int64),
                categories=pd.Index(self.categories, dtype=object)),
            "source": pd.Categorical.from_codes(
                self.source[idx].astype(np.int64),
                categories=pd.Index(self.sources, dtype=object)),
            "occurred_at": pd.DatetimeIndex(self.ns[idx], tz="UTC"),
            "lon": self.lon[idx], "lat": self.lat[idx]})

    def _codes(self, wanted: Sequence[str], known: tuple[str, ...]) -> NDArray[np.int16]:
        pos = {c: i for i, c in enumerate(known)}
        return np.array([pos[w] for w in wanted if w in pos], dtype=np.int16)

    def mask(self, flt: MapFilter, period: Period | None = None) -> NDArray[np.bool_]:
        """Rows that pass the category, source and zone filters (and lie in ``period``)."""
        m = np.ones(self.n, dtype=bool)
        if flt.categories is not None:
            m &= np.isin(self.category, self._codes(flt.categories, self.categories))
        if flt.sources is not None:
            m &= np.isin(self.source, self._codes(flt.sources, self.sources))
        if flt.zone_ids is not None:
            m &= np.isin(self.zone_id, np.asarray(flt.zone_ids, dtype=np.int64))
        if period is not None:
            m &= (self.ns >= period.start_ns) & (self.ns < period.end_ns)
        return m


def available_periods(frame: pd.DataFrame, kind: str, *, stat_year_start_month: int = 9
                      ) -> list[Period]:
    """The periods of ``kind`` the data span, oldest first (rolling 12 months: ending on the
    latest point's date)."""
    if len(frame) == 0:
        return []
    return list_periods(frame["occurred_at"], kind=kind,
                        stat_year_start_month=stat_year_start_month)


# --- cells ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CellValues:
    """A value per grid cell for the browser.

    Cells are given by raster position (``row * nx + col`` of a square grid in EPSG:3006
    with origin ``x0, y0`` and cell size ``size``); the browser computes the corners with the
    quadratic of :func:`grid_affine` (dx, dy metres from the origin), accurate to centimetres
    over a district.
    ``classes`` index ``colors``; ``labels`` are the legend rows (one per colour) and
    ``tips`` the tooltip text per class (``{n}`` is replaced by the value)."""

    x0: float
    y0: float
    size: float
    nx: int
    affine: tuple[float, ...]
    raster: NDArray[np.int64]
    values: NDArray[np.float64]
    classes: NDArray[np.int64]
    colors: tuple[str, ...]
    labels: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()
    decimals: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.raster)


def grid_affine(grid: Grid) -> tuple[float, ...]:
    """Least-squares quadratic from metres (dx, dy relative to the grid origin) to lon/lat:
    ``lon = a0 + a1·dx + a2·dy + a3·dx² + a4·dx·dy + a5·dy²`` and ``lat`` likewise with
    a6…a11 (an affine one is off by more than a metre over a district; this is off by
    centimetres)."""
    w, h = grid.nx * grid.cell_size_m, grid.ny * grid.cell_size_m
    gx, gy = np.meshgrid(np.linspace(0, w, 9), np.linspace(0, h, 9))
    dx, dy = gx.ravel(), gy.ravel()
    lon, lat = transformer(METRIC, WGS84).transform(grid.x0 + dx, grid.y0 + dy)
    a = np.column_stack([np.ones_like(dx), dx, dy, dx * dx, dx * dy, dy * dy])
    cl = np.linalg.lstsq(a, np.asarray(lon), rcond=None)[0]
    ca = np.linalg.lstsq(a, np.asarray(lat), rcond=None)[0]
    return tuple(float(v) for v in (*cl, *ca))


def cell_corners(values: CellValues | Grid, raster: NDArray[np.int64],
                 affine: Sequence[float]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """lon/lat of the south-west corner of each raster position, as the browser computes
    them (for tests and static maps)."""
    nx = values.nx
    size = values.size if isinstance(values, CellValues) else values.cell_size_m
    rows, cols = np.divmod(np.asarray(raster, dtype=np.int64), nx)
    x, y = cols * size, rows * size
    a = affine
    lon = a[0] + a[1] * x + a[2] * y + a[3] * x * x + a[4] * x * y + a[5] * y * y
    lat = a[6] + a[7] * x + a[8] * y + a[9] * x * x + a[10] * x * y + a[11] * y * y
    return lon, lat


def kept_raster(grid: Grid) -> NDArray[np.int64]:
    """Raster position of each kept cell (cell index -> row * nx + col)."""
    return np.flatnonzero(grid.raster_to_cell >= 0).astype(np.int64)


def count_breaks(counts: NDArray[np.int64], classes: int = 5) -> list[int]:
    """Upper bounds of ``classes`` count classes for the non-zero ``counts`` (the last class
    is open): rounded quantiles, strictly increasing.

    >>> count_breaks(np.arange(1, 101))
    [20, 40, 60, 80]
    >>> count_breaks(np.array([1, 1, 1]))
    []
    >>> count_breaks(np.array([], dtype=np.int64))
    []
    """
    nz = np.asarray(counts)[np.asarray(counts) > 0]
    if len(nz) == 0:
        return []
    qs = np.quantile(nz, np.linspace(0, 1, classes + 1)[1:-1], method="lower")
    out: list[int] = []
    for q in qs:
        b = int(math.ceil(q))
        if (not out or b > out[-1]) and b < int(nz.max()):
            out.append(b)
    return out


def classify_counts(counts: NDArray[np.int64], breaks: Sequence[int]) -> NDArray[np.int64]:
    """Class of each count: 0 for counts ≤ breaks[0], …, len(breaks) above the last."""
    return np.searchsorted(np.asarray(breaks, dtype=np.int64), counts, side="left").astype(
        np.int64)


def count_labels(breaks: Sequence[int]) -> list[str]:
    """Legend text per class: "1–5", "6–12", …, "> 40".

    >>> count_labels([5, 12])
    ['1–5', '6–12', '> 12']
    >>> count_labels([])
    ['≥ 1']
    """
    if not breaks:
        return ["≥ 1"]
    lo = 1
    out = []
    for b in breaks:
        out.append(f"{lo}–{b}" if b > lo else f"{b}")
        lo = b + 1
    out.append(f"> {breaks[-1]}")
    return out


def count_cells(index: PointIndex, mask: NDArray[np.bool_], grid: Grid, *,
                palette: Sequence[str], tip: str) -> CellValues:
    """Points per cell for the rows in ``mask``; only non-empty cells are sent. ``tip`` is
    plain text (escaped here) where ``{n}`` becomes the count."""
    cells = index.cell[mask]
    counts = np.bincount(cells[cells >= 0], minlength=grid.n)
    nz = np.flatnonzero(counts > 0)
    breaks = count_breaks(counts, classes=len(palette))
    cls = classify_counts(counts[nz], breaks)
    return CellValues(
        x0=grid.x0, y0=grid.y0, size=grid.cell_size_m, nx=grid.nx, affine=grid_affine(grid),
        raster=kept_raster(grid)[nz], values=counts[nz].astype("float64"), classes=cls,
        colors=tuple(palette[: len(breaks) + 1]), labels=tuple(count_labels(breaks)),
        tips=tuple(html_text(tip) for _ in range(len(breaks) + 1)),
        extra={"total": int(counts.sum())})


def gi_cells(index: PointIndex, mask: NDArray[np.bool_], grid: Grid, *,
             colors: dict[str, str], labels: dict[str, str], tip: str) -> CellValues:
    """Getis-Ord Gi* over every cell (empty ones included) for the rows in ``mask``; only the
    significant cells (not ``ns``) are sent. ``colors``/``labels`` by class name
    (:data:`~mapapp.analysis.grid.GI_CLASSES`); ``tip`` may use ``{n}`` (the count) and
    ``{z}``."""
    cells = index.cell[mask]
    counts = np.bincount(cells[cells >= 0], minlength=grid.n)
    z = gi_star(counts, grid)
    klass = classify(z)
    shown = [c for c in GI_CLASSES if c != "ns"]
    pos = {c: i for i, c in enumerate(shown)}
    sig = np.flatnonzero(klass != "ns")
    cls = np.array([pos[str(k)] for k in klass[sig]], dtype=np.int64)
    return CellValues(
        x0=grid.x0, y0=grid.y0, size=grid.cell_size_m, nx=grid.nx, affine=grid_affine(grid),
        raster=kept_raster(grid)[sig], values=counts[sig].astype("float64"), classes=cls,
        colors=tuple(colors[c] for c in shown), labels=tuple(labels[c] for c in shown),
        tips=tuple(f"<b>{html_text(labels[c])}</b><br>{html_text(tip)}" for c in shown),
        extra={"z": np.round(z[sig], 2), "hot": int(np.isin(klass, ["hot95", "hot99"]).sum()),
               "counts": counts, "classes_all": klass})


# --- points ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackedPoints:
    """Positions as integers: ``lat = lat0 + dlat·1e-5``, ``lon = lon0 + dlon·1e-5``
    (≈ 1 m), ``cat`` indexes ``labels``/``colors``, ``day`` counts days from ``day0``
    (a local ISO date) for the tooltip."""

    lat0: float
    lon0: float
    dlat: NDArray[np.int64]
    dlon: NDArray[np.int64]
    cat: NDArray[np.int64]
    day: NDArray[np.int64]
    day0: str
    labels: tuple[str, ...]
    colors: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.dlat)


def placed_count(index: PointIndex, mask: NDArray[np.bool_]) -> int:
    """Rows in ``mask`` that have a position the role may see."""
    return int((mask & np.isfinite(index.lat) & np.isfinite(index.lon)).sum())


def pack_points(index: PointIndex, mask: NDArray[np.bool_], *, labels: dict[str, str],
                colors: dict[str, str] | str, budget: int = POINT_BUDGET) -> PackedPoints | None:
    """The placed rows of ``mask`` packed for the browser, or None when there are more than
    ``budget`` (the page then shows cells only and says why)."""
    sel = np.flatnonzero(mask & np.isfinite(index.lat) & np.isfinite(index.lon))
    if len(sel) > budget:
        return None
    lat, lon = index.lat[sel], index.lon[sel]
    lat0 = float(np.floor(lat.min() * 100) / 100) if len(sel) else 0.0
    lon0 = float(np.floor(lon.min() * 100) / 100) if len(sel) else 0.0
    local = pd.DatetimeIndex(index.ns[sel], tz="UTC").tz_convert("Europe/Stockholm")
    days = (local.normalize().tz_localize(None) - pd.Timestamp("1970-01-01")).days.to_numpy()
    d0 = int(days.min()) if len(sel) else 0
    used = sorted(set(index.category[sel].tolist()))
    remap = np.full(len(index.categories) + 1, -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    codes = [index.categories[u] for u in used]
    pal = (tuple(colors.get(c, "#555555") for c in codes) if isinstance(colors, dict)
           else tuple(colors for _ in codes))
    return PackedPoints(
        lat0=lat0, lon0=lon0,
        dlat=np.rint((lat - lat0) * 1e5).astype(np.int64),
        dlon=np.rint((lon - lon0) * 1e5).astype(np.int64),
        cat=remap[index.category[sel]], day=(days - d0).astype(np.int64),
        day0=(pd.Timestamp("1970-01-01") + pd.Timedelta(days=d0)).date().isoformat(),
        labels=tuple(labels.get(c, c) for c in codes), colors=pal)


def zone_counts(index: PointIndex, mask: NDArray[np.bool_]) -> dict[int, int]:
    """Rows in ``mask`` per zone id (sensitive rows included: a count is allowed)."""
    z = index.zone_id[mask]
    z = z[z >= 0]
    if len(z) == 0:
        return {}
    ids, n = np.unique(z, return_counts=True)
    return {int(i): int(c) for i, c in zip(ids, n, strict=True)}


def subset(frame: pd.DataFrame, mask: NDArray[np.bool_], columns: Sequence[str]) -> pd.DataFrame:
    """The rows of ``mask`` and only ``columns`` (a small copy for the analysis functions)."""
    idx = np.flatnonzero(mask)
    return frame.iloc[idx][list(columns)]


def nan_free_ns(ns: NDArray[np.int64]) -> NDArray[np.int64]:
    return ns[ns != _NAT]
