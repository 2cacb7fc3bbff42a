"""The map's lean read (:func:`mapapp.store.points.load_point_arrays`): the same points, order,
visibility and values as the point frame (:func:`load_points`), and the first map made from it
shows the same figures as the map made from the point frame -- on SQLite and PostGIS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.access import CLI_PRINCIPAL
from mapapp.analysis.grid import build_grid
from mapapp.analysis.periods import list_periods
from mapapp.analysis.stats import period_counts
from mapapp.demo import generate
from mapapp.render.data import MapFilter, PointIndex, available_periods
from mapapp.render.view import Inputs, compute_view
from mapapp.settings import load_settings
from mapapp.store.district import sites_frame, stadsdelar_frame, zones_frame
from mapapp.store.points import insert_points, load_point_arrays, load_points
from tests.conftest import POLICE, READER, WALKER

SETTINGS = load_settings({})
FIELDS = ("ns", "category", "categories", "source", "sources", "zone_id", "cell", "lat", "lon",
          "sensitive")


def _fill(engine) -> None:
    sd = stadsdelar_frame(engine)
    outline = shapely.union_all(sd.geometry.to_numpy())
    sites = sites_frame(engine)
    inc = generate(sites, outline, 4000, "incident", seed=16)
    obs = generate(sites, outline, 400, "observation", seed=16)
    # edge rows: outside every zone, without a position, a second source, sensitive codes
    extra = pd.DataFrame({
        "source": ["polisen", "polisen", "annan", "annan"],
        "external_id": ["x1", "x2", "x3", "x4"],
        "category": ["vald_nara_relation", "narkotikabrott", "personran", "skadegorelse"],
        "occurred_at": pd.to_datetime(["2021-03-28 01:30:00", "2022-10-30 00:59:59",
                                       "2020-02-29 23:00:00", "2023-08-31 21:59:59"], utc=True),
        "lon": [18.2, np.nan, 17.95, 17.99], "lat": [59.5, np.nan, 59.28, 59.29],
        "description": None, "precision": ["exact", "redacted", "exact", "approx"]})
    obs["team"] = np.where(np.arange(len(obs)) % 3 == 0, "lag-a", "lag-b")
    obs["status"] = "ny"
    with engine.begin() as conn:
        insert_points(conn, pd.concat([inc, extra], ignore_index=True), "incident")
        insert_points(conn, obs, "observation")


@pytest.fixture
def filled(store):
    _fill(store)
    return store


def _grid(engine):
    sd = stadsdelar_frame(engine)
    return build_grid(shapely.union_all(sd.geometry.to_numpy()), cell_size_m=100)


@pytest.mark.parametrize("who", [READER, POLICE, WALKER, CLI_PRINCIPAL],
                         ids=["reader", "police", "walker", "admin"])
def test_lean_read_equals_the_point_frame(filled, who):
    grid = _grid(filled)
    for kind in ("incident", "observation"):
        frame = load_points(filled, who, kind)
        lean = PointIndex.from_arrays(load_point_arrays(filled, who, kind), grid)
        full = PointIndex.build(frame, grid)
        assert lean.n == len(frame) > 0
        for f in FIELDS:
            a, b = getattr(lean, f), getattr(full, f)
            if isinstance(a, tuple):
                assert a == b, f
            else:
                assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f
        # independent of PointIndex: the frame's own columns
        assert np.array_equal(np.asarray(lean.categories)[lean.category],
                              frame["category"].astype(str).to_numpy())
        assert np.array_equal(np.isnan(lean.lon), frame["lon"].isna().to_numpy())
        assert lean.data_end() == frame["occurred_at"].max()
        # the columns a site card reads, from the index, for a category/source filter
        flt = MapFilter(categories=("narkotikabrott", "personran", "klotter"),
                        sources=("polisen", "demo"))
        keep = (frame["category"].astype(str).isin(flt.categories)
                & frame["source"].astype(str).isin(flt.sources)).to_numpy()
        cols = ["category", "source", "occurred_at", "lon", "lat"]
        pd.testing.assert_frame_equal(
            lean.frame(lean.mask(flt)).astype({"category": str, "source": str}),
            frame.loc[keep, cols].reset_index(drop=True).astype(
                {"category": str, "source": str}), check_dtype=False)
        for pk in ("statistical", "calendar", "rolling12"):
            assert ([p.label for p in list_periods(lean.times(), kind=pk)]
                    == [p.label for p in available_periods(frame, pk)])
    if who is READER:  # a reader never gets a sensitive incident's position
        idx = PointIndex.from_arrays(load_point_arrays(filled, who, "incident"), grid)
        assert idx.sensitive.any() and np.isnan(idx.lon[idx.sensitive]).all()
    if who is WALKER:  # a walker only its team's observations
        everyone = load_points(filled, CLI_PRINCIPAL, "observation")
        n_team = load_point_arrays(filled, who, "observation").ns.size
        assert 0 < n_team < len(everyone)


def test_first_map_from_the_lean_read_shows_the_full_computation_figures(filled):
    """The view the page makes from the lean read against the view from the point frames,
    and its figures against plain pandas on the point frame."""
    grid = _grid(filled)
    zones, sd, sites = zones_frame(filled), stadsdelar_frame(filled), sites_frame(filled)
    inc = load_points(filled, READER, "incident")
    obs = load_points(filled, READER, "observation")
    lean_i = PointIndex.from_arrays(load_point_arrays(filled, READER, "incident"), grid)
    lean_o = PointIndex.from_arrays(load_point_arrays(filled, READER, "observation"), grid)
    for flt in (MapFilter("statistical"), MapFilter("rolling12"),
                MapFilter("calendar", categories=("narkotikabrott", "personran")),
                MapFilter("statistical", zone_ids=(int(zones["id"].iloc[0]),))):
        periods = available_periods(inc, flt.period_kind)
        base = dict(zones=zones, stadsdelar=sd, sites=sites, grid=grid, periods=periods)
        fast = compute_view(Inputs(incident_index=lean_i, observation_index=lean_o, **base),
                            flt, SETTINGS)
        full = compute_view(Inputs(incidents=inc, incident_index=PointIndex.build(inc, grid),
                                   observations=obs,
                                   observation_index=PointIndex.build(obs, grid), **base),
                            flt, SETTINGS)
        assert fast.period is not None and fast.period == full.period
        assert {k: v for k, v in fast.figures.items() if k != "incidents_change"} == \
            {k: v for k, v in full.figures.items() if k != "incidents_change"}
        assert fast.figures["incidents_change"] == full.figures["incidents_change"]
        pd.testing.assert_frame_equal(fast.counts, full.counts)
        pd.testing.assert_frame_equal(fast.flags, full.flags)
        # the figures against the point frame itself
        sel = inc
        if flt.categories:
            sel = sel[sel["category"].astype(str).isin(flt.categories)]
        if flt.zone_ids:
            sel = sel[sel["zone_id"].isin(flt.zone_ids)]
        p = fast.period
        when = sel["occurred_at"]
        now = sel[(when >= p.start) & (when < p.end)]
        assert fast.figures["incidents"] == len(now)
        ref = period_counts(sel[["zone", "category", "occurred_at"]], zones=zones,
                            period_kind=flt.period_kind,
                            reference=p.last_day if p.kind == "rolling12" else None)
        pd.testing.assert_frame_equal(fast.counts, ref)
        shown = fast.data["zones"]
        on_map = {int(i): int(n) for i, n in zip(shown["id"], shown["count"], strict=True) if n}
        assert on_map == now["zone_id"].dropna().astype(int).value_counts().to_dict()
