"""The in-database aggregates (PostgreSQL) equal the in-memory computation exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt

from mapapp.analysis.grid import build_grid, resolve_period
from mapapp.analysis.periods import utc_ns
from mapapp.analysis.stats import period_counts
from mapapp.demo import load_demo
from mapapp.store.aggregates import grid_counts, zone_period_counts
from mapapp.store.district import district_outline, zones_frame
from mapapp.store.engine import is_postgres
from mapapp.store.points import insert_points, load_points
from tests.conftest import ADMIN, READER


def _all_points(store) -> pd.DataFrame:
    return pd.concat([load_points(store, ADMIN, "incident"),
                      load_points(store, ADMIN, "observation")], ignore_index=True)


def test_zone_period_counts_in_the_database(store):
    load_demo(store, ADMIN, incidents=4000, observations=500, seed=3)
    # a point at a DST change and on a period boundary, both in local time
    edge = pd.DataFrame({"source": "t", "external_id": ["a", "b"], "category": "personran",
                         "occurred_at": pd.to_datetime(["2021-08-31T21:59:59Z",
                                                        "2021-10-31T01:30:00Z"], utc=True),
                         "lon": [18.0, 18.0], "lat": [59.29, 59.29]})
    with store.begin() as conn:
        insert_points(conn, edge, "incident")
    zones = zones_frame(store)
    for kind in ("statistical", "calendar", "rolling12"):
        db = zone_period_counts(store, READER, zones=zones, period_kind=kind)
        if not is_postgres(store):
            assert db is None
            return
        mem = period_counts(_all_points(store), zones=zones, period_kind=kind)
        if kind == "rolling12":  # rolling periods end at the latest point's day in both
            assert set(db["period"]) == set(mem["period"])
        pdt.assert_frame_equal(db.reset_index(drop=True), mem.reset_index(drop=True))


def test_grid_counts_in_the_database(store):
    load_demo(store, ADMIN, incidents=3000, observations=300, seed=5)
    grid = build_grid(district_outline(store), cell_size_m=100)
    # as the reader sees them: sensitive incidents have no position and bin nowhere
    points = pd.concat([load_points(store, READER, "incident"),
                        load_points(store, READER, "observation")], ignore_index=True)
    period = resolve_period(points, "2021-2022")
    db = grid_counts(store, READER, grid, period)
    if not is_postgres(store):
        assert db is None
        return
    ns = utc_ns(points["occurred_at"])
    m = (ns >= period.start_ns) & (ns < period.end_ns)
    mem = grid.bin(points["lon"].to_numpy()[m], points["lat"].to_numpy()[m])
    assert db.sum() > 0
    np.testing.assert_array_equal(db, mem)
