"""Hotspot flags at sites (schools, centres, stations, playgrounds, named addresses).

**Rule.** For every site, period, kind (incidents, observations) and time band (see
:mod:`mapapp.analysis.periods`: skoltid, kväll, natt, helg) count the points within
``radius_m`` (distance ≤ r, measured in EPSG:3006). The site's density is count / (π r²); the
district's mean density for the same period, kind and band is the number of such points inside
the district outline / the district's area. A site is **flagged** for that period, kind and band
when

    count ≥ min_count   and   site density ≥ k × district mean density

(the second test allows a relative rounding slack of 1e-9). A site is flagged in a period when
any kind/band is; the reason names the count, kind, band and ratio, e.g. "Johan Skyttes skola:
14 observationer kvällstid, 3,1 × distriktets snitt". Flags are kept for every period, so how
often a site was flagged is known (``times_flagged``).

**Measures.** A site lists the measures for it (``site`` = its name) and the zone-wide measures
(no site, no cell) of its zone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from mapapp import categories as cats
from mapapp.analysis.periods import (
    ALL_BANDS,
    BANDS,
    Period,
    bucket,
    list_periods,
    parse_period,
    period_containing,
    time_band,
    utc_ns,
)
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.i18n import t

KINDS: tuple[str, ...] = ("incident", "observation")
FLAG_COLUMNS = ("site_index", "site_id", "site", "site_kind", "zone", "period", "kind", "band",
                "count", "district_count", "ratio", "flagged", "reason")
_REL_SLACK = 1e-9


def _fmt_ratio(ratio: float, lang: str) -> str:
    if math.isinf(ratio):
        return "∞"
    text = f"{ratio:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def flag_reason(site: str, count: int, kind: str, band: str, ratio: float,
                lang: str = "sv") -> str:
    """The sentence that says why a site is flagged.

    >>> flag_reason("Johan Skyttes skola", 14, "observation", "kvall", 3.14)
    'Johan Skyttes skola: 14 observationer kvällstid, 3,1 × distriktets snitt'
    >>> flag_reason("X", 1, "incident", "helg", 2.0, "en")
    'X: 1 incident at weekends, 2.0 × the district mean'
    """
    what = t(f"analysis.kind{'1' if count == 1 else 'n'}.{kind}", lang)
    return t("analysis.site.reason", lang, site=site, count=count, what=what,
             band=t(f"analysis.bandphrase.{band}", lang), ratio=_fmt_ratio(ratio, lang))


def _xy(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    x, y = transformer(WGS84, METRIC).transform(np.asarray(lon, dtype="float64"),
                                                np.asarray(lat, dtype="float64"))
    return np.column_stack([np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")])


def _district_metric(district: shapely.Geometry) -> shapely.Geometry:
    tr = transformer(WGS84, METRIC)
    return shapely.transform(district,
                             lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def site_flags(
    points: pd.DataFrame,
    sites: pd.DataFrame,
    district: shapely.Geometry,
    *,
    period_kind: str = "statistical",
    stat_year_start_month: int = 9,
    reference: pd.Timestamp | None = None,
    radius_m: float = 150.0,
    min_count: int = 5,
    k: float = 2.0,
    bands: Sequence[str] = BANDS,
    lang: str = "sv",
) -> pd.DataFrame:
    """One row per site × period × kind × band (``ALL_BANDS``: the four bands and ``alla``)
    with the columns of :data:`FLAG_COLUMNS` (``site_index`` = row position in ``sites``,
    ``ratio`` = site density / district mean density, inf when the district has none, NaN
    when both are 0). Only the bands in ``bands`` can be flagged."""
    sites = sites.reset_index(drop=True)
    periods = list_periods(points["occurred_at"], kind=period_kind,
                           stat_year_start_month=stat_year_start_month, reference=reference)
    nb, nk, npd, ns_ = len(ALL_BANDS), len(KINDS), len(periods), len(sites)
    lon = points["lon"].to_numpy(dtype="float64")
    lat = points["lat"].to_numpy(dtype="float64")
    pcode = bucket(utc_ns(points["occurred_at"]), periods)
    kcode = pd.Categorical(points["kind"], categories=list(KINDS)).codes.astype(np.int64)
    bcode = time_band(points["occurred_at"]) if len(points) else np.zeros(0, np.int64)
    ok = np.isfinite(lon) & np.isfinite(lat) & (pcode >= 0) & (kcode >= 0)
    idx = np.flatnonzero(ok)
    pxy = _xy(lon[idx], lat[idx])
    pcode, kcode, bcode = pcode[idx], kcode[idx], bcode[idx]
    base = pcode * nk + kcode  # (period, kind) code per valid point

    def cube(group: NDArray[np.int64], sel: NDArray[np.int64], groups: int) -> NDArray[np.int64]:
        """counts[group, period, kind, band] incl. the 'alla' band for points ``sel``."""
        b = bcode[sel]
        key = (group * npd * nk + base[sel]) * nb
        banded = b >= 0
        flat = np.concatenate([key[banded] + b[banded], key + (nb - 1)])
        return np.bincount(flat, minlength=groups * npd * nk * nb).reshape(groups, npd, nk, nb)

    # Points within the radius of each site (KD-tree over the points, in metres).
    site_geoms = np.asarray(sites.geometry.values, dtype=object)
    empty = shapely.is_empty(site_geoms) | shapely.is_missing(site_geoms)
    sx = np.where(empty, np.nan, shapely.get_x(shapely.centroid(site_geoms)))
    sy = np.where(empty, np.nan, shapely.get_y(shapely.centroid(site_geoms)))
    sxy = _xy(sx, sy)
    pairs_s: list[NDArray[np.int64]] = []
    pairs_p: list[NDArray[np.int64]] = []
    if len(pxy) and ns_:
        tree = cKDTree(pxy)
        good = np.flatnonzero(np.isfinite(sxy).all(axis=1))
        hits = tree.query_ball_point(sxy[good], r=float(radius_m), return_sorted=False)
        for s, h in zip(good, hits, strict=True):
            pairs_s.append(np.full(len(h), s, dtype=np.int64))
            pairs_p.append(np.asarray(h, dtype=np.int64))
    ps = np.concatenate(pairs_s) if pairs_s else np.zeros(0, np.int64)
    pp = np.concatenate(pairs_p) if pairs_p else np.zeros(0, np.int64)
    site_cube = cube(ps, pp, ns_)

    d3006 = _district_metric(district)
    inside = np.flatnonzero(shapely.intersects_xy(d3006, pxy[:, 0], pxy[:, 1])) if len(pxy) \
        else np.zeros(0, np.int64)
    dist_cube = cube(np.zeros(len(inside), np.int64), inside, 1)[0]
    area = float(d3006.area)
    circle = math.pi * float(radius_m) ** 2

    counts = site_cube.astype("float64")
    dcount = np.broadcast_to(dist_cube, site_cube.shape).astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (counts / circle) / (dcount / area)
    ratio = np.where(dcount > 0, ratio, np.where(counts > 0, np.inf, np.nan))
    band_ok = np.isin(np.array(ALL_BANDS), list(bands))
    flagged = ((site_cube >= min_count) & (ratio >= k * (1 - _REL_SLACK))
               & band_ok[None, None, None, :])

    si, pi, ki, bi = (a.ravel() for a in np.indices(site_cube.shape))
    names = sites["name"].astype(object).to_numpy()
    flat_flag = flagged.ravel()
    flat_count = site_cube.ravel()
    flat_ratio = ratio.ravel()
    reasons = np.full(len(si), "", dtype=object)
    for j in np.flatnonzero(flat_flag):
        reasons[j] = flag_reason(str(names[si[j]]), int(flat_count[j]), KINDS[ki[j]],
                                 ALL_BANDS[bi[j]], float(flat_ratio[j]), lang)
    def col(c: str) -> NDArray[Any]:
        return (sites[c].astype(object).to_numpy() if c in sites
               else np.full(ns_, None, dtype=object))
    return pd.DataFrame({
        "site_index": si.astype("int64"),
        "site_id": col("id")[si],
        "site": names[si],
        "site_kind": col("kind")[si],
        "zone": col("zone")[si],
        "period": np.array([p.label for p in periods], dtype=object)[pi] if npd else [],
        "kind": np.array(KINDS, dtype=object)[ki],
        "band": np.array(ALL_BANDS, dtype=object)[bi],
        "count": flat_count.astype("int64"),
        "district_count": dcount.ravel().astype("int64"),
        "ratio": flat_ratio,
        "flagged": flat_flag,
        "reason": reasons,
    }, columns=list(FLAG_COLUMNS))


def measure_record(row: dict[str, Any], scope: str, lang: str = "sv") -> dict[str, Any]:
    """A measure as shown beside a flagged site or hot cell (dates as ISO text)."""
    status = row.get("status")
    pair = cats.MEASURE_STATUS_LABELS.get(str(status)) if status is not None else None

    def iso(v: Any) -> str | None:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        return pd.Timestamp(v).date().isoformat()

    rid = row.get("id")
    return {
        "id": int(rid) if isinstance(rid, int | np.integer) else rid,
        "title": row.get("title"),
        "status": status,
        "status_label": (pair[0] if lang != "en" else pair[1]) if pair else status,
        "actor": row.get("actor"),
        "start": iso(row.get("start")),
        "due": iso(row.get("due")),
        "scope": scope,
    }


def _present(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v) != ""


def measures_for_sites(
    sites: pd.DataFrame, measures: pd.DataFrame | None, *, lang: str = "sv"
) -> dict[str, list[dict[str, Any]]]:
    """Site name -> measures for that site (scope "site") and the zone-wide measures of its
    zone (no site and no cell; scope "zone")."""
    out: dict[str, list[dict[str, Any]]] = {str(n): [] for n in sites["name"]}
    if measures is None or len(measures) == 0:
        return out
    zone_of = {str(n): z for n, z in zip(sites["name"], sites.get("zone", [None] * len(sites)),
                                         strict=True)}
    for row in measures.to_dict("records"):
        site, cell, zone = row.get("site"), row.get("cell_id"), row.get("zone")
        if _present(site):
            if str(site) in out:
                out[str(site)].append(measure_record(row, "site", lang))
        elif not _present(cell) and _present(zone):
            for name, z in zone_of.items():
                if _present(z) and str(z) == str(zone):
                    out[name].append(measure_record(row, "zone", lang))
    return out


def sites_collection(
    flags: pd.DataFrame,
    sites: pd.DataFrame,
    period: str,
    *,
    measures: pd.DataFrame | None = None,
    lang: str = "sv",
) -> dict[str, Any]:
    """FeatureCollection (WGS84 points), one feature per site, for ``period`` (a label in
    ``flags``): ``name, kind, zone, count`` (all points within the radius in the period),
    ``flagged, reason`` (reasons of every flagged kind/band, highest ratio first),
    ``flags`` (those kind/band rows), ``times_flagged`` / ``periods_flagged`` (over every period
    in ``flags``), ``measures``."""
    sites = sites.reset_index(drop=True)
    attached = measures_for_sites(sites, measures, lang=lang)
    fp = flags[flags["period"] == period]
    total = fp[fp["band"] == "alla"].groupby("site_index")["count"].sum()
    hit = fp[fp["flagged"]].sort_values("ratio", ascending=False, kind="stable")
    any_flag = flags[flags["flagged"]].groupby("site_index")["period"].unique()
    feats = []
    for i, row in sites.iterrows():
        name = str(row["name"])
        mine = hit[hit["site_index"] == i]
        per_flagged = [str(p) for p in any_flag.get(i, [])]
        geom = row.geometry
        feats.append({
            "type": "Feature",
            "id": str(row.get("id", i)),
            "geometry": json.loads(shapely.to_geojson(geom)) if geom is not None else None,
            "properties": {
                "name": name,
                "kind": row.get("kind"),
                "zone": row.get("zone"),
                "period": period,
                "count": int(total.get(i, 0)),
                "flagged": bool(len(mine)),
                "reason": "; ".join(mine["reason"]),
                "flags": [
                    {"kind": r.kind, "band": r.band, "count": int(r.count),
                     "ratio": None if math.isinf(r.ratio) else round(float(r.ratio), 3)}
                    for r in mine.itertuples(index=False)
                ],
                "times_flagged": len(per_flagged),
                "periods_flagged": per_flagged,
                "measures": attached.get(name, []),
            },
        })
    return {"type": "FeatureCollection", "period": period, "features": feats}


def sites_geojson(
    points: pd.DataFrame,
    sites: pd.DataFrame,
    district: shapely.Geometry,
    *,
    period: Period | str | None = None,
    measures: pd.DataFrame | None = None,
    stat_year_start_month: int = 9,
    radius_m: float = 150.0,
    min_count: int = 5,
    k: float = 2.0,
    lang: str = "sv",
) -> dict[str, Any]:
    """``mapapp hotspots --kind sites``: flags for every period of the kind that ``period``
    names (default: the latest statistical year with data), then :func:`sites_collection`."""
    if period is None:
        ns = utc_ns(points["occurred_at"]) if len(points) else np.zeros(0, np.int64)
        ns = ns[ns != np.iinfo(np.int64).min]
        if len(ns) == 0:
            flags = site_flags(points, sites, district, radius_m=radius_m, min_count=min_count,
                               k=k, stat_year_start_month=stat_year_start_month, lang=lang)
            return sites_collection(flags, sites, "", measures=measures, lang=lang)
        per = period_containing(pd.Timestamp(int(ns.max()), tz="UTC"),
                                stat_year_start_month=stat_year_start_month)
    elif isinstance(period, Period):
        per = period
    else:
        per = parse_period(period, stat_year_start_month=stat_year_start_month)
    reference = per.last_day if per.kind == "rolling12" else None
    flags = site_flags(points, sites, district, period_kind=per.kind, reference=reference,
                       stat_year_start_month=stat_year_start_month, radius_m=radius_m,
                       min_count=min_count, k=k, lang=lang)
    return sites_collection(flags, sites, per.label, measures=measures, lang=lang)
