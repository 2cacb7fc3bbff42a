"""The in-database aggregates equal the in-memory computation exactly: the day counts on SQLite
and PostgreSQL, the grid binning on PostgreSQL."""

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
        mem = period_counts(_all_points(store), zones=zones, period_kind=kind)
        if kind == "rolling12":  # rolling periods end at the latest point's day in both
            assert set(db["period"]) == set(mem["period"])
        pdt.assert_frame_equal(db.reset_index(drop=True), mem.reset_index(drop=True))


def test_day_counts_of_rows_without_local_day(store):
    """Rows written before migration 0002 have no local_day: the database path still counts
    them, on their Europe/Stockholm day (here: a UTC evening that is the next local day)."""
    from sqlalchemy import text

    load_demo(store, ADMIN, incidents=1500, observations=100, seed=4)
    late = pd.DataFrame({"source": "t", "external_id": ["late"], "category": "personran",
                         "occurred_at": pd.to_datetime(["2021-08-31T22:30:00Z"], utc=True),
                         "lon": [18.0], "lat": [59.29]})
    with store.begin() as conn:
        insert_points(conn, late, "incident")
        conn.execute(text("UPDATE incidents SET local_day = NULL WHERE id % 3 = 0 "
                          "OR external_id = 'late'"))
    zones = zones_frame(store)
    db = zone_period_counts(store, READER, zones=zones, period_kind="statistical")
    mem = period_counts(_all_points(store), zones=zones, period_kind="statistical")
    pdt.assert_frame_equal(db.reset_index(drop=True), mem.reset_index(drop=True))
    assert int(db["count"].sum()) == 1500 + 100 + 1
    # 2021-09-01 00:30 local: the statistical year 2021-2022
    one = db[(db["category"] == "personran") & (db["period"] == "2021-2022")]["count"].sum()
    assert one == mem[(mem["category"] == "personran")
                      & (mem["period"] == "2021-2022")]["count"].sum()


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
