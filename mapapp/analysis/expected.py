"""Observed against expected at sites: is this place worse than it should be?

For every site (school yard, centre, station, playground, address), period, kind (incidents,
observations) and time band (:data:`mapapp.analysis.periods.ALL_BANDS`: skoltid, kväll, natt,
helg and ``alla``) this module counts the points within ``radius_m`` of the site (distance ≤ r
in EPSG:3006, as before) and compares the count with an **expected** count.

**The background (and why).** A site's expected count is the density of the same kind of point,
in the same period and band, in a **ring 300–800 m around the site**, times the area of the
site's circle (both areas clipped to the district):

    λ_ring = (R + c · λ_district) / (A_ring + c),      expected = λ_ring · A_circle

R is the count in the ring, A_ring its area inside the district, λ_district the district's mean
density for the same period, kind and band, and c a prior area (``prior_area_m2``, 0.25 km²):
the ring estimate is shrunk towards the district mean, by about a seventh of a full ring's
weight, so that a ring with few points does not make an expected count of nearly zero (an
empirical-Bayes blend with the district, the site's widest "peer").

Why a ring and not the district mean (the old rule, count ≥ 5 and ≥ 2 × the district's mean
density): activity follows where people live and move. A station or a centre in a dense
neighbourhood is busy because its neighbourhood is busy; against the district mean every
playground near a square is "hot" (on the demo data the old rule flagged 200 of 334 sites). The
ring measures the neighbourhood's own level at a scale (300–800 m: a few blocks, walking
distance) that is wider than one site but narrower than the district, and it excludes the
site's immediate surroundings (< 300 m) so that a cluster at the site does not raise its own
expectation. Peers of the same kind (all schools) were considered and rejected as the main
background: schools differ by the neighbourhood they are in, which is exactly what the ring
captures, and a planted problem at several schools would raise the peer level itself.

The ring is counted on a 50 m raster (``cell_m``): a cell belongs to the ring when its centre
is 300–800 m from the site; a cell's area is its area inside the district. The circle's count
is exact: the counts of the raster cells wholly inside the circle plus the points within the
radius in the cells on its edge. Per-point
preparation (metric coordinates, local time band) is :mod:`mapapp.analysis.pointprep`.

**The test.** One-sided: is the observed count k larger than expected μ? Exact Poisson,
``p = P(X ≥ k | μ) = scipy.stats.poisson.sf(k − 1, μ)``. When the counts vary more than a
Poisson background allows (the neighbourhood is not uniform at the site's scale), the test is
negative binomial with the same mean and variance μ + α μ²: α is estimated per period by the
method of moments, Σ((k − μ)² − k) / Σ μ², over the period's rows after leaving out the 10 %
with the largest Pearson residuals (real hotspots should not make every other site look
ordinary). ``test="auto"`` uses the negative binomial when that α exceeds 0.05, else Poisson.

**False discovery rate.** The p-values of all sites × kinds × tested bands of one period are
adjusted together with Benjamini–Hochberg (:func:`bh_qvalues`, equal to
``scipy.stats.false_discovery_control``). A row is **flagged** when q ≤ ``q`` (setting
``MAPAPP_HOTSPOT_Q``, 0.05) and its count is at least ``min_count`` (``MAPAPP_HOTSPOT_MIN_COUNT``).

Nothing here makes text: rows carry the numbers a reason is made from (site, kind, band, count,
expected, q) and :mod:`mapapp.render.hotspot_text` renders them in the user's language.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy import stats

from mapapp.analysis.periods import ALL_BANDS, Period, bucket, utc_ns
from mapapp.analysis.pointprep import band_codes, kind_codes, metric_xy
from mapapp.crs import METRIC, WGS84, transformer

KINDS: tuple[str, ...] = ("incident", "observation")
#: band slots counted per point: the four bands and "none" (weekday 06–08, 16–18); "alla" = sum
_SLOTS = len(ALL_BANDS)  # 0..3 bands, 4 = no band
ROW_COLUMNS = ("site_index", "site_id", "site", "site_kind", "zone", "period", "kind", "band",
               "count", "ring_count", "expected", "ratio", "p_value", "q_value", "test",
               "flagged")


@dataclass(frozen=True)
class Params:
    """How sites are tested (defaults = the settings' defaults)."""

    radius_m: float = 150.0
    ring_inner_m: float = 300.0
    ring_outer_m: float = 800.0
    prior_area_m2: float = 250_000.0
    cell_m: float = 50.0
    min_count: int = 5
    q: float = 0.05
    test: str = "auto"  # "auto", "poisson" or "negbin"
    bands: tuple[str, ...] = ALL_BANDS  # bands that are tested (and can be flagged)
    trim: float = 0.10
    alpha_min: float = 0.05


def bh_qvalues(p: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    """Benjamini–Hochberg adjusted p-values (q-values), NaN kept as NaN and left out of m.

    >>> bh_qvalues([0.01, 0.04, 0.03, 0.2]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.2]
    """
    p = np.asarray(p, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return out
    order = np.argsort(p[ok], kind="stable")
    ranked = p[ok][order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    res = np.empty(m)
    res[order] = np.minimum(q, 1.0)
    out[ok] = res
    return out


def poisson_p(k: NDArray[np.int64], mu: NDArray[np.float64]) -> NDArray[np.float64]:
    """One-sided exact Poisson p-value P(X ≥ k | μ); 1 for k = 0; 0 when μ = 0 < k."""
    k = np.asarray(k)
    mu = np.asarray(mu, dtype="float64")
    p = stats.poisson.sf(k - 1, np.maximum(mu, 1e-300))
    return np.where(k <= 0, 1.0, p)


def negbin_p(k: NDArray[np.int64], mu: NDArray[np.float64], alpha: float
             ) -> NDArray[np.float64]:
    """One-sided P(X ≥ k) for a negative binomial with mean μ and variance μ + α μ²."""
    k = np.asarray(k)
    mu = np.maximum(np.asarray(mu, dtype="float64"), 1e-300)
    n = 1.0 / alpha
    p = stats.nbinom.sf(k - 1, n, n / (n + mu))
    return np.where(k <= 0, 1.0, p)


def dispersion(k: NDArray[np.int64], mu: NDArray[np.float64], trim: float = 0.10) -> float:
    """Method-of-moments α of a negative binomial (variance μ + α μ²), after leaving out the
    ``trim`` share of rows with the largest Pearson residuals; 0 when not overdispersed."""
    k = np.asarray(k, dtype="float64")
    mu = np.asarray(mu, dtype="float64")
    ok = mu > 0
    k, mu = k[ok], mu[ok]
    if len(k) < 10:
        return 0.0
    resid = (k - mu) / np.sqrt(mu)
    keep = resid <= np.quantile(resid, 1.0 - trim)
    k, mu = k[keep], mu[keep]
    den = float(np.sum(mu * mu))
    if den <= 0:
        return 0.0
    return max(0.0, float(np.sum((k - mu) ** 2 - k)) / den)


# --- geometry: the site circles, their rings and the background raster ------------------------

def to_metric_xy(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    x, y = transformer(WGS84, METRIC).transform(np.asarray(lon, dtype="float64"),
                                                np.asarray(lat, dtype="float64"))
    return np.column_stack([np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")])


def site_xy(sites: pd.DataFrame) -> NDArray[np.float64]:
    """EPSG:3006 position of each site's centroid (NaN for a missing geometry)."""
    geoms = np.asarray(sites.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    c = shapely.centroid(np.where(empty, None, geoms))  # type: ignore[call-overload]
    return to_metric_xy(np.where(empty, np.nan, shapely.get_x(c)),
                        np.where(empty, np.nan, shapely.get_y(c)))


@dataclass(frozen=True, eq=False)
class Raster:
    """A square raster over the district in EPSG:3006 with each cell's area inside it."""

    x0: float
    y0: float
    nx: int
    ny: int
    size: float
    area: NDArray[np.float64]  # m² inside the district per cell (flat, row-major)
    district_area: float

    def cell_of(self, xy: NDArray[np.float64]) -> NDArray[np.int64]:
        with np.errstate(invalid="ignore"):
            fx = np.floor((xy[:, 0] - self.x0) / self.size)
            fy = np.floor((xy[:, 1] - self.y0) / self.size)
            ok = (fx >= 0) & (fx < self.nx) & (fy >= 0) & (fy < self.ny)
        out = np.full(len(xy), -1, dtype=np.int64)
        out[ok] = fy[ok].astype(np.int64) * self.nx + fx[ok].astype(np.int64)
        return out

    def centres(self) -> NDArray[np.float64]:
        r, c = np.divmod(np.arange(self.nx * self.ny), self.nx)
        return np.column_stack([self.x0 + (c + 0.5) * self.size, self.y0 + (r + 0.5) * self.size])


def inside_district(raster: Raster, d3006: shapely.Geometry, pxy: NDArray[np.float64],
                    cell: NDArray[np.int64] | None = None) -> NDArray[np.bool_]:
    """Which EPSG:3006 points lie in the district: a point in a raster cell wholly inside is
    in; one in a cell on the border is tested exactly (intersects: the border counts)."""
    if cell is None:
        cell = raster.cell_of(pxy)
    inr = cell >= 0
    a = raster.area[np.where(inr, cell, 0)]
    maybe = inr & (a > 0)
    inside = maybe & (a >= raster.size ** 2 - 1e-6)
    edge = np.flatnonzero(maybe & ~inside)
    if len(edge):
        inside[edge] = shapely.intersects_xy(d3006, pxy[edge, 0], pxy[edge, 1])
    return inside


def district_metric(district: shapely.Geometry) -> shapely.Geometry:
    tr = transformer(WGS84, METRIC)
    return shapely.transform(district,
                             lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


@lru_cache(maxsize=4)
def _raster_cached(wkb: bytes, size: float, margin: float) -> Raster:
    d = district_metric(shapely.from_wkb(wkb))
    shapely.prepare(d)
    minx, miny, maxx, maxy = shapely.bounds(d)
    x0 = math.floor((minx - margin) / size) * size
    y0 = math.floor((miny - margin) / size) * size
    nx = math.ceil((maxx + margin - x0) / size)
    ny = math.ceil((maxy + margin - y0) / size)
    r, c = np.divmod(np.arange(nx * ny), nx)
    boxes = shapely.box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
    area = np.zeros(nx * ny)
    inside = shapely.contains(d, boxes)
    area[inside] = size * size
    edge = np.flatnonzero(~inside & shapely.intersects(d, boxes))
    area[edge] = shapely.area(shapely.intersection(boxes[edge], d))
    area.flags.writeable = False
    return Raster(x0, y0, nx, ny, size, area, float(d.area))


def raster_for(district: shapely.Geometry, size: float, margin: float) -> Raster:
    """The background raster of ``district`` (cached per outline, size and margin)."""
    return _raster_cached(shapely.to_wkb(district), float(size), float(margin))


def ring_matrix(raster: Raster, sxy: NDArray[np.float64], inner: float, outer: float
                ) -> sp.csr_matrix:
    """Sites × raster cells, 1 where the cell's centre is inner < d ≤ outer from the site
    (cached per raster, site positions and radii: the sites rarely change)."""
    sxy = np.ascontiguousarray(sxy, dtype="float64")
    return _ring_cached(raster, sxy.tobytes(), len(sxy), float(inner), float(outer))


@lru_cache(maxsize=16)
def _ring_cached(raster: Raster, key: bytes, n: int, inner: float, outer: float
                 ) -> sp.csr_matrix:
    m = _ring_build(raster, np.frombuffer(key, dtype="float64").reshape(n, 2), inner, outer)
    m.data.flags.writeable = False
    return m


def _window(raster: Raster, reach: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Cell offsets (x, y) of the square window that covers ``reach`` metres around a cell."""
    k = int(math.ceil(reach / raster.size)) + 1
    dc = np.arange(-k, k + 1)
    mx, my = np.meshgrid(dc, dc)
    return mx.ravel(), my.ravel()


def _cells_near(raster: Raster, x: float, y: float, gx: NDArray[np.int64], gy: NDArray[np.int64]
                ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The raster's cells (column, row) of the window ``gx, gy`` around the point, inside the
    raster."""
    cx = math.floor((x - raster.x0) / raster.size) + gx
    cy = math.floor((y - raster.y0) / raster.size) + gy
    ok = (cx >= 0) & (cx < raster.nx) & (cy >= 0) & (cy < raster.ny)
    return cx[ok], cy[ok]


def _ring_build(raster: Raster, sxy: NDArray[np.float64], inner: float, outer: float
                ) -> sp.csr_matrix:
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    gx, gy = _window(raster, outer)
    for s, (x, y) in enumerate(sxy):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        cx, cy = _cells_near(raster, x, y, gx, gy)
        d = np.hypot(raster.x0 + (cx + 0.5) * raster.size - x,
                     raster.y0 + (cy + 0.5) * raster.size - y)
        sel = (d > inner) & (d <= outer)
        cols.append(cy[sel] * raster.nx + cx[sel])
        rows.append(np.full(int(sel.sum()), s, dtype=np.int64))
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(sxy), raster.nx * raster.ny))


def circle_areas(d3006: shapely.Geometry, sxy: NDArray[np.float64], radius: float
                 ) -> NDArray[np.float64]:
    """Area of each site's circle inside the district (m²); cached per outline and sites."""
    sxy = np.ascontiguousarray(sxy, dtype="float64")
    return _circle_areas(shapely.to_wkb(d3006), sxy.tobytes(), len(sxy), float(radius))


@lru_cache(maxsize=16)
def _circle_areas(wkb: bytes, key: bytes, n: int, radius: float) -> NDArray[np.float64]:
    d3006 = shapely.from_wkb(wkb)
    sxy = np.frombuffer(key, dtype="float64").reshape(n, 2)
    ok = np.isfinite(sxy).all(axis=1)
    out = np.zeros(len(sxy))
    if ok.any():
        circles = shapely.buffer(shapely.points(sxy[ok]), radius, quad_segs=32)
        out[ok] = shapely.area(shapely.intersection(circles, d3006))
    out.flags.writeable = False
    return out


def disc_cells(raster: Raster, sxy: NDArray[np.float64], radius: float
               ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Sites × raster cells: (cells wholly inside the circle — every point of the cell is
    within ``radius`` —, cells that meet the circle but are not wholly inside). Cached."""
    sxy = np.ascontiguousarray(sxy, dtype="float64")
    return _disc_cached(raster, sxy.tobytes(), len(sxy), float(radius))


@lru_cache(maxsize=16)
def _disc_cached(raster: Raster, key: bytes, n: int, radius: float
                 ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    sxy = np.frombuffer(key, dtype="float64").reshape(n, 2)
    half = raster.size / 2
    gx, gy = _window(raster, radius)
    parts: dict[str, tuple[list[NDArray[np.int64]], list[NDArray[np.int64]]]] = {
        "in": ([], []), "edge": ([], [])}
    for s_, (x, y) in enumerate(sxy):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        cx, cy = _cells_near(raster, x, y, gx, gy)
        ax = np.abs(raster.x0 + (cx + 0.5) * raster.size - x)
        ay = np.abs(raster.y0 + (cy + 0.5) * raster.size - y)
        near = np.hypot(np.maximum(ax - half, 0), np.maximum(ay - half, 0)) <= radius
        far = np.hypot(ax + half, ay + half) <= radius
        for name, sel in (("in", far), ("edge", near & ~far)):
            parts[name][0].append(np.full(int(sel.sum()), s_, dtype=np.int64))
            parts[name][1].append(cy[sel] * raster.nx + cx[sel])
    out = []
    for name in ("in", "edge"):
        rows, cols = parts[name]
        r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        m = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, raster.nx * raster.ny))
        m.data.flags.writeable = False
        out.append(m)
    return out[0], out[1]


# --- counting ---------------------------------------------------------------------------------

def cell_pairs(cells: sp.csr_matrix, sxy: NDArray[np.float64], pxy: NDArray[np.float64],
               cell: NDArray[np.int64], radius: float | None, ncell: int
               ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(site, point) pairs of the points in the cells of each site's row of ``cells`` (sites ×
    raster cells), kept when the distance is ≤ ``radius`` (None: all). The points are sorted by
    raster cell once."""
    near = cells.tocoo()
    if len(pxy) == 0 or near.nnz == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    wanted = np.zeros(ncell, dtype=bool)
    wanted[near.col] = True
    cand = np.flatnonzero((cell >= 0) & wanted[np.where(cell >= 0, cell, 0)])
    key = cell[cand]
    if ncell <= np.iinfo(np.uint16).max:
        key = key.astype(np.uint16)  # numpy sorts 16-bit keys by radix sort
    order = cand[np.argsort(key, kind="stable")]
    per_cell = np.bincount(cell[order], minlength=ncell)
    start = np.cumsum(per_cell) - per_cell
    cnt = per_cell[near.col]
    total = int(cnt.sum())
    site = np.repeat(near.row.astype(np.int64), cnt)
    first = np.repeat(start[near.col] - (np.cumsum(cnt) - cnt), cnt)
    point = order[first + np.arange(total)]
    if radius is None:
        return site, point
    dx = pxy[point, 0] - sxy[site, 0]
    dy = pxy[point, 1] - sxy[site, 1]
    keep = dx * dx + dy * dy <= radius * radius
    return site[keep], point[keep]


@dataclass(frozen=True, eq=False)
class SiteCounts:
    """Counts per site × period × kind × band (bands of :data:`ALL_BANDS`, ``alla`` last), with
    the ring counts, district counts, areas and the (site, point) pairs inside the circles."""

    periods: list[Period]
    circle: NDArray[np.int64]  # [site, period, kind, band]
    ring: NDArray[np.float64]  # [site, period, kind, band]
    district: NDArray[np.int64]  # [period, kind, band]
    ring_area: NDArray[np.float64]  # [site]
    circle_area: NDArray[np.float64]  # [site]
    district_area: float
    point_group: NDArray[np.int64]  # per points row: period*K*SLOTS + kind*SLOTS + slot, -1
    # for circle_members: positions (EPSG:3006) of the counted points, their rows and cells
    pxy: NDArray[np.float64]
    rows: NDArray[np.int64]
    cell: NDArray[np.int64]
    sxy: NDArray[np.float64]
    raster: Raster
    radius: float
    period_offset: int = 0  # index of periods[0] in the point_group codes

    def window(self, i0: int, i1: int) -> SiteCounts:
        """The counts of periods ``i0 … i1 − 1`` only (no recount: a period change on the map
        reuses the counts of every period)."""
        return dataclasses.replace(
            self, periods=self.periods[i0:i1], circle=self.circle[:, i0:i1],
            ring=self.ring[:, i0:i1], district=self.district[i0:i1],
            period_offset=self.period_offset + i0)

    def circle_pairs(self, site_index: NDArray[np.int64],
                     period_index: int | tuple[int, ...] | None = None
                     ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(site, position in :attr:`pxy` / :attr:`rows`) pairs of the points within the radius
        of the given sites (in period ``period_index`` of :attr:`periods` — or those periods —
        or every period)."""
        inner, edge = disc_cells(self.raster, self.sxy, self.radius)
        pick = sp.csr_matrix((np.ones(len(site_index)), (site_index, site_index)),
                             shape=(len(self.sxy), len(self.sxy)))
        cell = self.cell
        if period_index is not None:
            per = self.point_group[self.rows] // (_SLOTS * len(KINDS)) - self.period_offset
            want = (per == period_index if isinstance(period_index, int)
                    else np.isin(per, period_index))
            cell = np.where(want, cell, -1)
        n = self.raster.nx * self.raster.ny
        a_s, a_p = cell_pairs(pick @ inner, self.sxy, self.pxy, cell, None, n)
        b_s, b_p = cell_pairs(pick @ edge, self.sxy, self.pxy, cell, self.radius, n)
        return np.concatenate([a_s, b_s]), np.concatenate([a_p, b_p])

    def circle_members(self, site_index: NDArray[np.int64], period_index: int | None = None
                       ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """(site, points-frame row) pairs of the points within the radius of the given sites
        (in period ``period_index`` of :attr:`periods`, or every period)."""
        site, pos = self.circle_pairs(site_index, period_index)
        return site, self.rows[pos]


def _with_alla(flat: NDArray[np.int64], groups: int, npd: int) -> NDArray[Any]:
    """[groups, period, kind, slot] counts -> [groups, period, kind, band incl. alla]: slot 4
    (no band) only counts in alla."""
    cube = flat.reshape(groups, npd, len(KINDS), _SLOTS)
    out = np.empty_like(cube)
    out[..., :4] = cube[..., :4]
    out[..., 4] = cube.sum(axis=-1)
    return out


@dataclass(frozen=True, eq=False)
class Prepared:
    """Per-point arrays the counting needs (one row per point): UTC ns, kind code (index into
    :data:`KINDS`, -1 other), time band (-1 none) and EPSG:3006 position (NaN unplaced). The
    map builds it once per data version from its point index."""

    ns: NDArray[np.int64]
    kind: NDArray[np.int64]
    band: NDArray[np.int64]
    xy: NDArray[np.float64]
    #: the background raster's cell of every row (``Raster.cell_of(xy)``), when the caller
    #: keeps it (the map: once per point index); used only for that very raster
    cells: tuple[Raster, NDArray[np.int64]] | None = None

    @classmethod
    def of(cls, points: pd.DataFrame) -> Prepared:
        if len(points) == 0:
            z = np.zeros(0, np.int64)
            return cls(z, z, z, np.zeros((0, 2)))
        ns = utc_ns(points["occurred_at"])
        return cls(ns, kind_codes(points["kind"], KINDS), band_codes(ns),
                   metric_xy(points["lon"].to_numpy(dtype="float64", na_value=np.nan),
                             points["lat"].to_numpy(dtype="float64", na_value=np.nan)))


def count_sites(points: pd.DataFrame | Prepared, sites: pd.DataFrame,
                district: shapely.Geometry, periods: Sequence[Period],
                params: Params = Params()) -> SiteCounts:
    """Circle, ring and district counts for ``periods`` (consecutive, oldest first);
    ``points``: a points frame (``kind, occurred_at, lon, lat``) or its :class:`Prepared`
    arrays (row positions are the same)."""
    prep = points if isinstance(points, Prepared) else Prepared.of(points)
    periods = list(periods)
    npd, nk, ns_ = len(periods), len(KINDS), len(sites)
    n = len(prep.ns)
    group = np.full(n, -1, dtype=np.int64)
    if n and npd:
        pcode = bucket(prep.ns, periods)
        ok = (pcode >= 0) & (prep.kind >= 0) & np.isfinite(prep.xy).all(axis=1)
        idx = np.flatnonzero(ok)
        band = prep.band[idx]
        slot = np.where(band >= 0, band, 4)
        group[idx] = (pcode[idx] * nk + prep.kind[idx]) * _SLOTS + slot
        pxy = prep.xy[idx]
    else:
        idx = np.zeros(0, np.int64)
        pxy = np.zeros((0, 2))
    g = group[idx]
    ngroups = npd * nk * _SLOTS

    raster = raster_for(district, params.cell_m, params.ring_outer_m)
    d3006 = district_metric(district)
    sxy = site_xy(sites)
    cell = (prep.cells[1][idx] if prep.cells is not None and prep.cells[0] is raster
            else raster.cell_of(pxy))
    inr = cell >= 0
    # Background: counts per raster cell and group, the ring as a sparse sum over cells.
    ncell = raster.nx * raster.ny
    cell_counts = np.bincount(cell[inr] * max(ngroups, 1) + g[inr],
                              minlength=ncell * max(ngroups, 1)).reshape(ncell, max(ngroups, 1))
    ring_m = ring_matrix(raster, sxy, params.ring_inner_m, params.ring_outer_m)
    ring_flat = np.asarray(ring_m @ cell_counts, dtype="float64")[:, :ngroups]
    ring_area = np.asarray(ring_m @ raster.area, dtype="float64").ravel()
    # District: the points inside the district outline.
    dist_flat = np.zeros(ngroups, dtype=np.int64)
    if len(pxy):
        inside = inside_district(raster, d3006, pxy, cell)
        dist_flat = np.bincount(g[inside], minlength=ngroups).astype(np.int64)
    # Circles: whole raster cells inside the circle by their counts, exact distances to the
    # points of the cells on the circle's edge.
    inner, edge = disc_cells(raster, sxy, float(params.radius_m))
    pair_s, pair_p = cell_pairs(edge, sxy, pxy, cell, float(params.radius_m), ncell)
    circle_flat = (np.asarray(inner @ cell_counts, dtype=np.int64)[:, :ngroups].ravel()
                   + np.bincount(pair_s * max(ngroups, 1) + g[pair_p],
                                 minlength=ns_ * max(ngroups, 1))[: ns_ * ngroups])
    return SiteCounts(
        periods=periods,
        circle=_with_alla(circle_flat.astype(np.int64), ns_, npd),
        ring=_with_alla(ring_flat.reshape(-1), ns_, npd).astype("float64"),
        district=_with_alla(dist_flat, 1, npd)[0],
        ring_area=ring_area, circle_area=circle_areas(d3006, sxy, params.radius_m),
        district_area=raster.district_area, point_group=group, pxy=pxy, rows=idx, cell=cell,
        sxy=sxy, raster=raster, radius=float(params.radius_m))


def expected_counts(c: SiteCounts, params: Params = Params()) -> NDArray[np.float64]:
    """Expected count per [site, period, kind, band] from the ring, shrunk to the district."""
    lam_d = c.district.astype("float64") / max(c.district_area, 1.0)  # [period, kind, band]
    prior = float(params.prior_area_m2)
    lam = (c.ring + prior * lam_d[None]) / (c.ring_area[:, None, None, None] + prior)
    return np.asarray(lam * c.circle_area[:, None, None, None], dtype="float64")


def site_tests(c: SiteCounts, sites: pd.DataFrame, params: Params = Params()) -> pd.DataFrame:
    """One row per site × period × kind × tested band (:data:`ROW_COLUMNS`): observed count,
    ring count, expected, ratio (count / expected), one-sided p, BH q over the period's rows,
    the test used ("poisson"/"negbin") and ``flagged`` (q ≤ params.q and count ≥ minimum)."""
    sites = sites.reset_index(drop=True)
    mu = expected_counts(c, params)
    bands = [b for b in ALL_BANDS if b in params.bands]
    bi = np.array([ALL_BANDS.index(b) for b in bands], dtype=np.int64)
    ns_, npd = c.circle.shape[0], len(c.periods)
    k = c.circle[:, :, :, bi]
    m = mu[:, :, :, bi]
    ring = c.ring[:, :, :, bi]
    p = np.ones(k.shape)
    q = np.ones(k.shape)
    test = np.empty(k.shape, dtype=object)
    for j in range(npd):
        kj, mj = k[:, j].ravel(), m[:, j].ravel()
        alpha = dispersion(kj, mj, params.trim)
        use_nb = params.test == "negbin" or (params.test == "auto" and alpha > params.alpha_min)
        pj = negbin_p(kj, mj, max(alpha, params.alpha_min)) if use_nb else poisson_p(kj, mj)
        p[:, j] = pj.reshape(k[:, j].shape)
        q[:, j] = bh_qvalues(pj).reshape(k[:, j].shape)
        test[:, j] = "negbin" if use_nb else "poisson"
    flagged = (q <= params.q) & (k >= params.min_count) & (k > m)
    si, pi, ki, bj = (a.ravel() for a in np.indices(k.shape))

    def col(name: str) -> NDArray[Any]:
        return (sites[name].astype(object).to_numpy() if name in sites
                else np.full(ns_, None, dtype=object))

    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(m > 0, k / np.where(m > 0, m, 1.0), np.inf)
    labels = np.array([pp.label for pp in c.periods], dtype=object)
    frame = pd.DataFrame({
        "site_index": si.astype("int64"),
        "site_id": col("id")[si],
        "site": col("name")[si],
        "site_kind": col("kind")[si],
        "zone": col("zone")[si],
        "period": labels[pi] if npd else np.zeros(0, dtype=object),
        "kind": np.array(KINDS, dtype=object)[ki],
        "band": np.array(bands, dtype=object)[bj] if len(bands) else np.zeros(0, object),
        "count": k.ravel().astype("int64"),
        "ring_count": ring.ravel(),
        "expected": m.ravel(),
        "ratio": ratio.ravel(),
        "p_value": p.ravel(),
        "q_value": q.ravel(),
        "test": test.ravel(),
        "flagged": flagged.ravel(),
    }, columns=list(ROW_COLUMNS))
    return frame
