"""A snapshot is made from one read of the store: the points once per kind for the snapshot
(the measures' effects read their own window, once), then pure assembly; the assembled
snapshot equals the one of :func:`gather` (same tables)."""

from __future__ import annotations

from datetime import date

import pandas as pd

import mapapp.snapshot.source as source
import mapapp.store.points as points_mod
from mapapp.settings import load_settings
from mapapp.snapshot.content import assemble, gather
from tests.conftest import COORDINATOR
from tests.store.test_snapshot import ZONE, _seed

SETTINGS = load_settings({}, database_url="sqlite://")


def test_gather_reads_points_once_per_kind_then_assembles(store, monkeypatch):
    _seed(store)
    calls: list[str] = []
    real, real_arrays = source.load_points, points_mod.load_point_arrays

    def counting(engine, who, kind, flt=None):
        calls.append(kind)
        return real(engine, who, kind, flt)

    def counting_arrays(engine, who, kind, flt=None, **kw):
        calls.append(kind)
        return real_arrays(engine, who, kind, flt, **kw)

    monkeypatch.setattr(source, "load_points", counting)
    monkeypatch.setattr(source, "load_point_arrays", counting_arrays)
    monkeypatch.setattr(points_mod, "load_point_arrays", counting_arrays)  # the effects' own
    snap = gather(store, COORDINATOR, zone=ZONE, period="2021-2022", since=date(2023, 1, 1),
                  settings=SETTINGS, lang="sv")
    # incidents once (the lean read, shared by the hotspots and the measures' effects)
    assert sorted(calls) == ["incident", "observation"]
    src = source.read_source(store, COORDINATOR, zone=ZONE, period="2021-2022",
                             since=date(2023, 1, 1), settings=SETTINGS)
    again = assemble(src, include_notes=False, settings=SETTINGS, lang="sv")
    assert [t.rows for t in again.counts] == [t.rows for t in snap.counts]
    assert again.hotspots.rows == snap.hotspots.rows and snap.hotspots.rows
    assert again.observations.rows == snap.observations.rows
    whole = source.read_source(store, COORDINATOR, zone=None, period="2021-2022",
                               since=date(2023, 1, 1), settings=SETTINGS)
    district = assemble(whole, include_notes=False, settings=SETTINGS, lang="en")
    assert district.zone is None and district.area == "Hägersten-Älvsjö (the whole district)"


def test_the_lean_read_gives_the_snapshot_of_the_point_frames(store):
    """The snapshot made from the lean read (incidents as numbers and categoricals, one read
    for the hotspots and the measures' effects) equals the one made from the point frames
    (load_points, the effects from their own frame) -- every table and the map's points."""
    import dataclasses

    from mapapp.snapshot.effects import effects_window, measure_effects
    from mapapp.store.aggregates import DayFilter, daily_counts
    from mapapp.store.points import PointFilter, insert_points, load_points

    _seed(store)
    for zone, outside in ((ZONE, False), (None, False), (None, True)):
        if outside:  # an incident outside every stadsdel, inside the counted periods
            with store.begin() as conn:
                insert_points(conn, pd.DataFrame({
                    "source": ["test"], "external_id": ["outside"], "category": ["stold"],
                    "occurred_at": [pd.Timestamp("2021-03-01 12:00", tz="Europe/Stockholm")],
                    "lon": [18.3], "lat": [59.45]}), "incident")
        src = source.read_source(store, COORDINATOR, zone=zone, period="2021-2022",
                                 since=date(2023, 1, 1), settings=SETTINGS)
        p0, p1, p3 = src.periods[0], src.periods[1], src.periods[-1]
        # the day counts as the store gives them when asked plainly
        zid = None if zone is None else tuple(
            int(i) for i in src.zones.loc[src.zones["name"] == zone, "id"])
        for kind in ("incident", "observation"):
            plain_days = daily_counts(store, (kind,), DayFilter(
                start=p1.start.date(), end=p3.end.date(), zone_ids=zid,
                in_stadsdel=zone is None))
            pd.testing.assert_frame_equal(src.daily[kind], plain_days)
        if outside:
            assert (src.incidents["stadsdel"].isna()).sum() == 1
        full = load_points(store, COORDINATOR, "incident", PointFilter(
            start=p0.start.to_pydatetime(), end=p3.end.to_pydatetime()))
        mine = src.measures if zone is None else src.measures[src.measures["zone"] == ZONE]
        win = effects_window(mine)
        assert win is not None and len(src.effects) > 0
        own = load_points(store, COORDINATOR, "incident", PointFilter(
            start=win[0].to_pydatetime(), end=win[1].to_pydatetime()))
        plain = dataclasses.replace(src, incidents=full, effects=measure_effects(
            store, COORDINATOR, mine, SETTINGS, points=own))
        assert plain.effects == src.effects
        a = assemble(src, include_notes=True, settings=SETTINGS, lang="sv")
        b = assemble(plain, include_notes=True, settings=SETTINGS, lang="sv")
        for name in ("counts", "statistics"):
            assert [t.rows for t in getattr(a, name)] == [t.rows for t in getattr(b, name)]
        for name in ("hotspots", "measures", "observations"):
            assert getattr(a, name).rows == getattr(b, name).rows, name
        assert a.hotspots.rows  # the seeded centre is flagged
        # (the kind column's dtype differs: categorical from the lean read, text from the
        # point frame; the values are compared)
        pd.testing.assert_frame_equal(a.map.points.astype({"kind": object}),
                                      b.map.points.astype({"kind": object}))
        pd.testing.assert_frame_equal(a.map.sites, b.map.sites)


def test_the_effects_read_only_the_measures_windows_and_equal_a_test_over_every_point(store):
    """The measures' effects look only at the rows inside some measure's before/after span
    (a time prefilter); every figure equals before_after over all the store's incidents, and
    the prefilter does drop rows here (points every two weeks from 2019 to 2024, at the
    measures' sites, in their buffers and across the district)."""
    import numpy as np

    from mapapp.analysis.beforeafter import before_after, rows_in_measure_windows
    from mapapp.measures import measures_frame
    from mapapp.snapshot.effects import MONTHS, measure_effects
    from mapapp.store.district import district_outline, sites_frame, zones_frame
    from mapapp.store.points import insert_points, load_points
    from tests.store.test_snapshot import _around

    sites = sites_frame(store)
    rng = np.random.default_rng(16)
    rows = []
    times = pd.date_range("2019-09-03 18:00", "2024-03-01", freq="14D", tz="Europe/Stockholm")
    for _, site in sites.iterrows():
        for spread in (60.0, 300.0, 900.0):  # at the site, in its buffer, in its zone
            lon, lat = _around(site["lon"], site["lat"], len(times), rng, spread_m=spread)
            rows += [{"category": "stold", "lon": lon[i], "lat": lat[i], "occurred_at": t}
                     for i, t in enumerate(times)]
    inc = pd.DataFrame(rows).assign(source="test")
    inc["external_id"] = [f"w{i}" for i in range(len(inc))]
    with store.begin() as conn:
        insert_points(conn, inc, "incident")
    measures = measures_frame(store, COORDINATOR)
    got = measure_effects(store, COORDINATOR, measures, SETTINGS)
    full = load_points(store, COORDINATOR, "incident")
    kept = rows_in_measure_windows(full, measures, MONTHS)
    assert 0 < kept.sum() < len(full)  # the prefilter drops rows in this store
    zones, district = zones_frame(store), district_outline(store)
    want = {}
    for m in measures.to_dict("records"):
        if pd.isna(pd.to_datetime(m.get("start"), errors="coerce")):
            continue
        want[int(m["id"])] = before_after(
            m, full, sites=sites, zones=zones, district=district, months=MONTHS,
            data_start=full["occurred_at"].min(), data_end=full["occurred_at"].max(),
            radius_m=SETTINGS.site_radius_m, buffer_m=SETTINGS.wdd_buffer_m,
            confidence=SETTINGS.confidence_level)
    assert got == want and len(got) >= 2
    # each measure's before and after windows hold points: at the place, in the buffer, in
    # the control
    for r in got.values():
        assert min(r[k] for k in ("before", "after", "d_before", "d_after", "ct_before",
                                  "ct_after")) > 0, r
