"""Everything the map page shows for one filter, computed without streamlit.

:func:`compute_view` takes the role's point frames (and their :class:`PointIndex`), the
district frames, the measures and a :class:`MapFilter`, and returns a :class:`MapView`: the
data of every layer, the figures, the period counts the cards read, the site flags and the
legend notes. The page caches the result per (data version, role, filter, language); the
benchmark calls the same function.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mapapp import categories as cats
from mapapp.analysis.expected import Params, Prepared, SiteCounts, count_sites, raster_for
from mapapp.analysis.grid import Grid
from mapapp.analysis.hotspots import SiteHotspots, site_hotspots
from mapapp.analysis.periods import Period, latest_complete, previous_period
from mapapp.analysis.sites import params_from
from mapapp.analysis.stats import period_counts
from mapapp.i18n import t
from mapapp.render.data import (
    POINT_BUDGET,
    CellValues,
    MapFilter,
    PackedPoints,
    PointIndex,
    count_cells,
    gi_cells,
    pack_points,
    placed_count,
    zone_counts,
)
from mapapp.render.features import (
    measure_features,
    outline_features,
    site_features,
    zone_features,
)
from mapapp.render.hotspot_layers import backtest_figures, emerging_cells, emerging_steps
from mapapp.render.spec import LayerSpec
from mapapp.settings import Settings


@dataclass(frozen=True)
class Inputs:
    """What the view is computed from (all read-only, shared between sessions)."""

    incident_index: PointIndex
    observation_index: PointIndex
    zones: gpd.GeoDataFrame
    stadsdelar: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    grid: Grid
    periods: list[Period]  # of the filter's period kind, oldest first
    measures: pd.DataFrame | None = None
    revision: pd.DataFrame | None = None
    can_see_sensitive: bool = False
    # The point frames the indexes were built from; the view reads only the indexes (the
    # page builds them from the lean read, :func:`mapapp.store.points.load_point_arrays`).
    incidents: pd.DataFrame | None = None
    observations: pd.DataFrame | None = None


@dataclass(frozen=True)
class MapView:
    period: Period | None
    previous: Period | None
    data: dict[str, Any]
    figures: dict[str, Any]
    counts: pd.DataFrame  # period_counts of the filtered incidents, every period
    flags: pd.DataFrame | None  # hotspot summary of the selected period, one row per site
    notes: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    hotspots: SiteHotspots | None = None

    def specs(self, specs: list[LayerSpec]) -> list[LayerSpec]:
        """The layer specs with this view's adjustments (e.g. cells at every zoom when there
        are too many points to draw)."""
        return [replace(s, **self.overrides[s.id]) if s.id in self.overrides else s
                for s in specs]


def pick_period(periods: list[Period], label: str | None,
                data_end: pd.Timestamp | None = None) -> Period | None:
    """The period with ``label``; when ``label`` is None or unknown, the latest period the data
    (ending at ``data_end``) cover to its end (:func:`latest_complete`), else the latest."""
    if not periods:
        return None
    for p in periods:
        if p.label == label:
            return p
    if data_end is not None:
        return latest_complete(periods, data_end)
    return periods[-1]


def data_end(points: pd.DataFrame) -> pd.Timestamp | None:
    """The latest time in ``points`` (None when there is none)."""
    if len(points) == 0:
        return None
    last = points["occurred_at"].max()
    return None if pd.isna(last) else pd.Timestamp(last)


def _labels(kind: str, *, lang: str) -> dict[str, str]:
    return {c.code: c.label(lang=lang) for c in cats.categories(kind)}  # type: ignore[arg-type]


#: Site counts over every period of a filter, reused while only the period changes (the
#: common change on the map): (inputs' index/site objects, filter without period, params).
_COUNTS: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], SiteCounts]] = OrderedDict()
_COUNTS_MAX = 2
_COUNTS_LOCK = threading.Lock()  # Streamlit sessions are threads of one process


def _site_counts(inp: Inputs, flt: MapFilter, prep: Prepared, district: shapely.Geometry,
                 params: Params) -> SiteCounts:
    objs = (inp.incident_index, inp.observation_index, inp.sites, inp.stadsdelar)
    key = (id(objs[0]), id(objs[1]), id(objs[2]), id(objs[3]), flt.period_kind,
           flt.categories, flt.sources, flt.zone_ids, tuple(p.label for p in inp.periods),
           params)
    with _COUNTS_LOCK:
        hit = _COUNTS.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], objs, strict=True)):
            _COUNTS.move_to_end(key)
            return hit[1]
    counts = count_sites(prep, inp.sites, district, inp.periods, params)
    with _COUNTS_LOCK:
        _COUNTS[key] = (objs, counts)  # the objects are kept, so their ids stay theirs
        while len(_COUNTS) > _COUNTS_MAX:
            _COUNTS.popitem(last=False)
    return counts


def compute_view(inp: Inputs, flt: MapFilter, settings: Settings, *, lang: str = "sv",
                 today: date | None = None, point_budget: int = POINT_BUDGET) -> MapView:
    """Layer data, figures, period counts and flags for ``flt``."""
    from mapapp.render import specs_by_id

    layer = specs_by_id()
    period = pick_period(inp.periods, flt.period, inp.incident_index.data_end())
    prev = previous_period(period) if period is not None else None
    ii, oi = inp.incident_index, inp.observation_index
    base = ii.mask(flt)
    in_period = ii.mask(flt, period) if period is not None else np.zeros(ii.n, bool)
    obs_flt = MapFilter(zone_ids=flt.zone_ids)
    obs_period = oi.mask(obs_flt, period) if period is not None else np.zeros(oi.n, bool)

    reference = period.last_day if period is not None and period.kind == "rolling12" else None
    zone_names = dict(zip(inp.zones["id"].astype(int), inp.zones["name"].astype(str),
                          strict=True))
    counts = period_counts(ii.count_frame(base, zone_names), zones=inp.zones, period_kind=flt.period_kind,
                           stat_year_start_month=settings.stat_year_start_month,
                           reference=reference)

    flags = None
    hot_sites = None
    if period is not None:
        # Every period of the filter (not only the selected one): rising and persistent
        # compare a site with its own earlier periods.
        obs_all = oi.mask(obs_flt)
        # The per-point work (position in metres, time band) is cached on the point index.
        district = shapely.union_all(inp.stadsdelar.geometry.to_numpy())
        params = params_from(settings.site_radius_m, settings.hotspot_min_count,
                             settings.hotspot_q)
        raster = raster_for(district, params.cell_m, params.ring_outer_m)
        prep = Prepared(
            ns=np.concatenate([ii.ns[base], oi.ns[obs_all]]),
            kind=np.concatenate([np.zeros(int(base.sum()), np.int64),
                                 np.ones(int(obs_all.sum()), np.int64)]),
            band=np.concatenate([ii.bands[base], oi.bands[obs_all]]),
            xy=np.concatenate([ii.metric[base], oi.metric[obs_all]]),
            cells=(raster, np.concatenate([ii.raster_cells(raster)[base],
                                           oi.raster_cells(raster)[obs_all]])))
        if len(prep.ns):
            site_counts = _site_counts(inp, flt, prep, district, params)
            hot_sites = site_hotspots(prep, inp.sites, district, period=period,
                                      periods=inp.periods, params=params, counts=site_counts)
            flags = hot_sites.summary

    cell_tip = t("map.tip.cell", lang)
    palette = layer["incident_cells"].style.palette
    incident_cells = count_cells(ii, in_period, inp.grid, palette=palette, tip=cell_tip)
    gi_spec = layer["hotspots"].style
    gi_labels = {c: t(f"analysis.gi.{c}", lang) for c in gi_spec.colors}
    hotspots = gi_cells(ii, in_period, inp.grid, colors=gi_spec.colors, labels=gi_labels,
                        tip=t("map.tip.gi", lang))
    em_spec = layer["emerging"].style
    steps = emerging_steps(ii, base, period, settings.stat_year_start_month)
    emerging = emerging_cells(ii, base, inp.grid, steps, colors=em_spec.colors,
                              labels={c: t(f"hotspots.trend.{c}", lang) for c in em_spec.colors},
                              tip=t("map.tip.cell", lang))
    district_outline = shapely.union_all(inp.stadsdelar.geometry.to_numpy())
    labels_all = [p.label for p in inp.periods]
    backtest = backtest_figures(ii, base, inp.grid, district_outline, period,
                                prev if prev is not None and prev.label in labels_all else None)
    inc_points = pack_points(ii, in_period, labels=_labels("incident", lang=lang),
                             colors=layer["incident_points"].style.color, budget=point_budget)
    obs_points = pack_points(oi, obs_period, labels=_labels("observation", lang=lang),
                             colors=layer["observations"].style.color, budget=point_budget)

    measures = inp.measures
    if measures is not None and flt.zone_ids is not None:
        measures = measures[measures["zone_id"].isin(list(flt.zone_ids))]

    notes: dict[str, str] = {}
    overrides: dict[str, dict[str, Any]] = {}
    cell_note = [t("map.legend.cells", lang, size=f"{inp.grid.cell_size_m:g}")]
    if inc_points is None:
        overrides["incident_cells"] = {"max_zoom": None}
        cell_note.append(t("map.note.too_many", lang, n=placed_count(ii, in_period),
                           budget=point_budget))
    else:
        cell_note.append(t("map.note.zoom_points", lang))
    if not inp.can_see_sensitive:
        cell_note.append(t("map.note.sensitive", lang))
        notes["hotspots"] = t("map.note.sensitive", lang)
    if steps:
        notes["emerging"] = t("hotspots.note.emerging", lang,
                              steps=f"{steps[0].label} – {steps[-1].label}")
    notes["incident_cells"] = " ".join(cell_note)

    data: dict[str, Any] = {
        "stadsdelar": outline_features(inp.stadsdelar),
        "zones": zone_features(inp.zones, inp.revision, zone_counts(ii, in_period), lang=lang),
        "hotspots": hotspots,
        "emerging": emerging,
        "incident_cells": incident_cells,
        "incident_points": inc_points,
        "observations": obs_points,
        "sites": site_features(inp.sites, flags, lang=lang),
        "measures": (measure_features(measures, inp.zones, lang=lang)
                     if measures is not None else None),
    }
    total = int(in_period.sum())
    labels = [p.label for p in inp.periods]
    prev_total = (int(ii.mask(flt, prev).sum()) if prev is not None and prev.label in labels
                  else None)
    change = None
    if period is not None and prev_total is not None:
        from mapapp.render.cards import period_totals

        change = period_totals(counts, [period.label],
                               confidence=settings.confidence_level)[0]
    figures = {
        "incidents": total, "incidents_prev": prev_total, "incidents_change": change,
        "observations": int(obs_period.sum()),
        "flagged": int(flags["flagged"].sum()) if flags is not None else 0,
        "rising": int(flags["rising"].sum()) if flags is not None else 0,
        "places": (int(flags.loc[flags["flagged"] | flags["rising"], "place_id"].nunique())
                   if flags is not None else 0),
        "hot": int(hotspots.extra.get("hot", 0)),
        "overdue": int(measures["overdue"].sum()) if measures is not None and len(measures)
        else 0,
        "points_sent": 0 if inc_points is None else inc_points.count,
        "backtest": backtest,
    }
    return MapView(period=period, previous=prev, data=data, figures=figures, counts=counts,
                   flags=flags, notes=notes, overrides=overrides, hotspots=hot_sites)


def payload_sizes(view: MapView) -> dict[str, int]:
    """Cells/points per layer (what the page reports and the benchmark prints)."""
    out = {}
    for key, val in view.data.items():
        if isinstance(val, CellValues | PackedPoints):
            out[key] = val.count
        elif val is not None:
            out[key] = len(val)
    return out


def zone_table(view: MapView, sites: pd.DataFrame, measures: pd.DataFrame | None
               ) -> pd.DataFrame:
    """The map as a table (its text alternative): one row per zone with the figures the map
    shows -- crimes in the filter and period (the zone's tooltip), whether the lägesbild or
    plan is due for revision (the zone's colour), flagged sites in the zone (the large
    vermillion markers), and the zone's measures and how many of them are overdue.

    Columns ``zone_id, zone, incidents, revision_due, flagged_sites, measures, overdue``;
    ``sites`` needs ``id`` and ``zone_id``; ``measures`` (the view's filter not applied)
    ``zone_id`` and ``overdue``.
    """
    zones = view.data.get("zones")
    cols = ["zone_id", "zone", "incidents", "revision_due", "flagged_sites", "measures",
            "overdue"]
    if zones is None or not len(zones):
        return pd.DataFrame(columns=cols)
    site_zone = dict(zip(sites["id"].astype(int), sites["zone_id"], strict=True))
    flagged: dict[int, set[int]] = {}
    if view.flags is not None and len(view.flags):
        for sid in view.flags.loc[view.flags["flagged"], "site_id"].astype(int).unique():
            z = site_zone.get(int(sid))
            if z is not None and not pd.isna(z):
                flagged.setdefault(int(z), set()).add(int(sid))
    n_meas: dict[int, int] = {}
    n_over: dict[int, int] = {}
    if measures is not None and len(measures):
        m = measures[measures["zone_id"].notna()]
        n_meas = m.groupby(m["zone_id"].astype(int)).size().to_dict()
        n_over = m.groupby(m["zone_id"].astype(int))["overdue"].sum().astype(int).to_dict()
    rows = [(int(z.id), str(z.name), int(z.count), z.status == "revision_due",
             len(flagged.get(int(z.id), ())), int(n_meas.get(int(z.id), 0)),
             int(n_over.get(int(z.id), 0)))
            for z in zones.itertuples(index=False)]
    return pd.DataFrame(rows, columns=cols)
