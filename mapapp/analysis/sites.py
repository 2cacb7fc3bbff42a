"""Hotspot flags at sites (schools, centres, stations, playgrounds, named addresses).

**Rule.** A site is flagged in a period, for a kind (incidents, observations) and time band
(:mod:`mapapp.analysis.periods`: skoltid, kväll, natt, helg, and ``alla``), when its count
within ``radius_m`` is significantly above what its neighbourhood predicts: the expected count
comes from the density of a ring 300–800 m around the site, the test is an exact one-sided
Poisson (or negative-binomial) test, Benjamini–Hochberg over all sites × kinds × bands of the
period at ``q`` (``MAPAPP_HOTSPOT_Q``), and the count is at least ``min_count``. The method and
its reasons are in :mod:`mapapp.analysis.expected`; rising, persistent, fading and places in
:mod:`mapapp.analysis.hotspots`.

This module returns records, never sentences: a flagged row carries the site, kind, band,
count, expected and q from which :mod:`mapapp.render.hotspot_text` makes the reason
("Kämpetorpsskolan: 31 händelser kvällstid, väntat 6 (q < 0,001)").

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

from mapapp.analysis.expected import ROW_COLUMNS, Params, count_sites, site_tests
from mapapp.analysis.hotspots import SiteHotspots, site_hotspots
from mapapp.analysis.periods import (
    ALL_BANDS,
    Period,
    list_periods,
    parse_period,
    period_containing,
    utc_ns,
)
from mapapp.values import is_missing

FLAG_COLUMNS = ROW_COLUMNS


def params_from(radius_m: float = 150.0, min_count: int = 5, q: float = 0.05,
                bands: Sequence[str] = ALL_BANDS) -> Params:
    return Params(radius_m=float(radius_m), min_count=int(min_count), q=float(q),
                  bands=tuple(bands))


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
    q: float = 0.05,
    bands: Sequence[str] = ALL_BANDS,
) -> pd.DataFrame:
    """One row per site × period × kind × tested band, for every period the points span, with
    the columns of :data:`FLAG_COLUMNS` (``site_index`` = row position in ``sites``; ``ratio``
    = count / expected). Each period's p-values are adjusted on their own."""
    sites = sites.reset_index(drop=True)
    periods = (list_periods(points["occurred_at"], kind=period_kind,
                            stat_year_start_month=stat_year_start_month, reference=reference)
               if len(points) else [])
    params = params_from(radius_m, min_count, q, bands)
    return site_tests(count_sites(points, sites, district, periods, params), sites, params)


def measure_record(row: dict[str, Any], scope: str) -> dict[str, Any]:
    """A measure as shown beside a flagged site or hot cell (dates as ISO text); the status
    label is rendered at the edges from ``status``."""
    status = row.get("status")

    def iso(v: Any) -> str | None:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        return str(pd.Timestamp(v).date().isoformat())

    rid = row.get("id")
    return {
        "id": int(rid) if isinstance(rid, int | np.integer) else rid,
        "title": row.get("title"),
        "status": status,
        "actor": row.get("actor"),
        "start": iso(row.get("start")),
        "due": iso(row.get("due")),
        "scope": scope,
    }


def measures_for_sites(
    sites: pd.DataFrame, measures: pd.DataFrame | None
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
        if not is_missing(site):
            if str(site) in out:
                out[str(site)].append(measure_record(row, "site"))
        elif is_missing(cell) and not is_missing(zone):
            for name, z in zone_of.items():
                if not is_missing(z) and str(z) == str(zone):
                    out[name].append(measure_record(row, "zone"))
    return out


def _num(v: Any, nd: int = 3) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return round(f, nd) if math.isfinite(f) else None


def sites_collection(
    result: SiteHotspots,
    sites: pd.DataFrame,
    *,
    measures: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """FeatureCollection (WGS84 points), one feature per site, for ``result.period``, in list
    order (rising first, each place's lead before its members): ``name, kind, zone, period,
    count`` (all points within the radius), ``flagged, expected, q_value, rising, persistent,
    fading, place`` — one place, one flag: only a place's lead carries ``flagged`` … ``fading``;
    a member has ``in_place_of`` (the lead's name) and its own tests in ``own_flagged`` /
    ``own_rising``; ``place_sites`` counts the place's sites — and the reason as a record
    (``reason``: site, kind, band, count, expected, q, rising, place_sites; None when the site
    does not carry a flag), ``times_flagged`` / ``periods_flagged`` (the site's own, in the
    window), ``measures``. The edges (CLI, map, documents) turn ``reason`` into a sentence."""
    sites = sites.reset_index(drop=True)
    attached = measures_for_sites(sites, measures)
    feats = []
    for r in result.summary.to_dict("records"):
        i = int(r["site_index"])
        geom = sites.geometry.iloc[i]
        listed = bool(r["flagged"] or r["rising"] or r["fading"])
        reason = None
        if listed and isinstance(r["reason_kind"], str):
            reason = {"site": r["reason_site"], "kind": r["reason_kind"],
                      "band": r["reason_band"], "count": int(r["reason_count"]),
                      "expected": _num(r["reason_expected"]), "q": _num(r["reason_q"], 6),
                      "rising": bool(r["reason_rising"]),
                      "place_sites": int(r["place_sites"])}
        feats.append({
            "type": "Feature",
            "id": str(r["site_id"] if r["site_id"] is not None else i),
            "geometry": json.loads(shapely.to_geojson(geom)) if geom is not None else None,
            "properties": {
                "name": r["name"], "kind": r["kind"],
                "zone": r["zone"] if isinstance(r["zone"], str) else None,
                "period": r["period"], "count": int(r["count"]),
                "flagged": bool(r["flagged"]), "reason": reason,
                "expected": _num(r["expected"]), "q_value": _num(r["q_value"], 6),
                "rising": bool(r["rising"]), "persistent": bool(r["persistent"]),
                "fading": bool(r["fading"]),
                "place": r["place"] if isinstance(r["place"], str) else None,
                "in_place_of": r["in_place_of"] if isinstance(r["in_place_of"], str) else None,
                "place_sites": int(r["place_sites"]),
                "own_flagged": bool(r["own_flagged"]), "own_rising": bool(r["own_rising"]),
                "times_flagged": int(r["times_flagged"]),
                "periods_flagged": list(r["periods_flagged"]),
                "measures": attached.get(str(r["name"]), []),
            },
        })
    label = result.period.label if result.period is not None else ""
    return {"type": "FeatureCollection", "period": label, "features": feats}


def resolve_site_period(points: pd.DataFrame, period: Period | str | None, *,
                        stat_year_start_month: int = 9) -> Period | None:
    """``period`` as a Period; None -> the latest statistical year with data."""
    if isinstance(period, Period):
        return period
    if period is not None:
        return parse_period(period, stat_year_start_month=stat_year_start_month)
    ns = utc_ns(points["occurred_at"]) if len(points) else np.zeros(0, np.int64)
    ns = ns[ns != np.iinfo(np.int64).min]
    if len(ns) == 0:
        return None
    return period_containing(pd.Timestamp(int(ns.max()), tz="UTC"),
                             stat_year_start_month=stat_year_start_month)


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
    q: float = 0.05,
) -> dict[str, Any]:
    """``mapapp hotspots --kind sites``: :func:`mapapp.analysis.hotspots.site_hotspots` for
    ``period`` (default: the latest statistical year with data), then
    :func:`sites_collection`."""
    per = resolve_site_period(points, period, stat_year_start_month=stat_year_start_month)
    periods = None
    if per is not None and len(points):
        periods = list_periods(points["occurred_at"], kind=per.kind,
                               stat_year_start_month=stat_year_start_month,
                               reference=per.last_day if per.kind == "rolling12" else None)
    result = site_hotspots(points, sites, district, period=per, periods=periods,
                           period_kind=per.kind if per is not None else "statistical",
                           stat_year_start_month=stat_year_start_month,
                           params=params_from(radius_m, min_count, q))
    return sites_collection(result, sites, measures=measures)
