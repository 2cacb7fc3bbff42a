"""Before/after a measure: counts equal an independent zoneinfo loop, the comparison window is
the same months a year earlier when the data reach back, and few events give no conclusion."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.analysis.beforeafter import before_after, before_after_all
from mapapp.crs import transformer
from mapapp.errors import DataValidationError

STO = ZoneInfo("Europe/Stockholm")
ZONES = ["Älvsjö/Solberga", "Långbro", None]


def make_points(start: str, end: str, n: int = 900, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lo, hi = pd.Timestamp(start, tz="UTC").value, pd.Timestamp(end, tz="UTC").value
    t = [int(s) * 10**9 for s in rng.integers(lo // 10**9, hi // 10**9, n)]
    zone = list(rng.choice(np.array(ZONES, dtype=object), n))
    # Around the measure's start and the window ends (local midnight, winter and summer time).
    for text in ("2022-03-14 23:30", "2022-03-15 00:10", "2022-09-14 23:59", "2022-09-15 00:00",
                 "2021-03-15 00:00", "2021-03-14 23:59", "2021-09-14 23:30", "2021-09-15 00:30"):
        v = pd.Timestamp(text, tz="Europe/Stockholm").value
        if lo <= v < hi:
            t.append(v)
            zone.append("Älvsjö/Solberga")
    m = len(t)
    return pd.DataFrame({
        "id": np.arange(m), "kind": rng.choice(["incident", "observation"], m),
        "category": "narkotikabrott", "occurred_at": pd.to_datetime(t, utc=True),
        "lon": np.full(m, np.nan), "lat": np.full(m, np.nan),
        "zone": pd.Series(zone, dtype=object), "sensitive": False,
    })


def count(points: pd.DataFrame, zone: str, lo: datetime, hi: datetime,
          kind: str | None = None) -> int:
    n = 0
    for r in points.itertuples():
        local = r.occurred_at.to_pydatetime().astimezone(STO)
        if r.zone == zone and lo <= local < hi and (kind is None or r.kind == kind):
            n += 1
    return n


MEASURE = {"id": 7, "zone": "Älvsjö/Solberga", "site": None, "cell_id": None,
           "title": "Ordningsvakter vid Älvsjö centrum", "status": "pagaende",
           "actor": "Citycon", "start": pd.Timestamp("2022-03-15").date(), "due": None}


def test_same_months_a_year_earlier_when_the_data_reach_back() -> None:
    pts = make_points("2020-09-01", "2023-06-01")
    res = before_after(MEASURE, pts, months=6)
    assert res["comparison"] == "same_months_last_year"
    assert (res["before_start"], res["before_end"]) == ("2021-03-15", "2021-09-14")
    assert (res["after_start"], res["after_end"]) == ("2022-03-15", "2022-09-14")
    zone = "Älvsjö/Solberga"
    # Reported crimes only: the walks' observations are counted apart, never added.
    before = count(pts, zone, datetime(2021, 3, 15, tzinfo=STO), datetime(2021, 9, 15, tzinfo=STO),
                   "incident")
    after = count(pts, zone, datetime(2022, 3, 15, tzinfo=STO), datetime(2022, 9, 15, tzinfo=STO),
                  "incident")
    assert (res["before"], res["after"]) == (before, after)
    assert res["change"] == after - before
    assert res["change_pct"] == pytest.approx(round(100 * (after - before) / before, 1))
    inc = count(pts, zone, datetime(2022, 3, 15, tzinfo=STO), datetime(2022, 9, 15, tzinfo=STO),
                "incident")
    assert res["by_kind"]["incident"]["after"] == inc
    obs = count(pts, zone, datetime(2022, 3, 15, tzinfo=STO), datetime(2022, 9, 15, tzinfo=STO),
                "observation")
    assert res["by_kind"]["observation"]["after"] == obs and res["after"] == inc
    assert res["conclusive"] is True and res["note"] is None and res["complete"] is True


def test_months_immediately_before_when_the_data_start_later() -> None:
    pts = make_points("2021-06-01", "2023-06-01")
    res = before_after(MEASURE, pts, months=6)
    assert res["comparison"] == "immediately_before"
    assert (res["before_start"], res["before_end"]) == ("2021-09-15", "2022-03-14")
    before = count(pts, "Älvsjö/Solberga", datetime(2021, 9, 15, tzinfo=STO),
                   datetime(2022, 3, 15, tzinfo=STO), "incident")
    assert res["before"] == before
    # Three months: the windows follow the setting.
    res3 = before_after(MEASURE, pts, months=3)
    assert (res3["after_end"], res3["before_start"]) == ("2022-06-14", "2021-12-15")
    # Data from within the first month of the year-earlier window count as reaching back.
    late = make_points("2021-03-20", "2023-06-01")
    assert before_after(MEASURE, late)["comparison"] == "same_months_last_year"
    assert before_after(MEASURE, make_points("2021-04-01", "2023-06-01"))["comparison"] \
        == "immediately_before"


def test_too_few_events_give_no_conclusion() -> None:
    pts = make_points("2020-09-01", "2023-06-01", n=40)
    res = before_after(MEASURE, pts)
    assert min(res["before"], res["after"]) < 5
    assert res["conclusive"] is False
    assert res["note"] == "too_few" and res["verdict"] == "too_few"
    enough = before_after(MEASURE, pts, min_count=min(res["before"], res["after"]))
    assert enough["conclusive"] is True


def test_after_window_not_ended_yet() -> None:
    pts = make_points("2020-09-01", "2022-06-01", n=2000)
    res = before_after(MEASURE, pts)
    assert res["complete"] is False and res["conclusive"] is False
    assert res["note"] == "incomplete" and res["verdict"] == "incomplete"


def test_site_measure_counts_points_within_the_radius() -> None:
    site = shapely.Point(18.00929, 59.2788)
    sites = gpd.GeoDataFrame({"id": [1], "name": ["Älvsjö centrum"], "kind": ["centre"],
                              "zone": ["Älvsjö/Solberga"], "geometry": [site]}, crs="EPSG:4326")
    to_m, to_w = transformer("EPSG:4326", "EPSG:3006"), transformer("EPSG:3006", "EPSG:4326")
    sx, sy = to_m.transform(site.x, site.y)
    rows = []
    for i, (dist, when) in enumerate([(100, "2021-04-01"), (140, "2021-05-01"),
                                      (160, "2021-05-02"), (20, "2022-04-01"),
                                      (149, "2022-08-01"), (300, "2022-08-02")]):
        a = math.radians(40 * i)
        lon, lat = to_w.transform(sx + dist * math.sin(a), sy + dist * math.cos(a))
        rows.append((lon, lat, pd.Timestamp(when + " 12:00", tz="Europe/Stockholm")))
    rows.append((np.nan, np.nan, pd.Timestamp("2022-04-01 12:00", tz="Europe/Stockholm")))
    rows.append((18.0, 59.3, pd.Timestamp("2020-09-01 12:00", tz="Europe/Stockholm")))
    pts = pd.DataFrame({"kind": "incident", "lon": [r[0] for r in rows],
                        "lat": [r[1] for r in rows], "zone": "Älvsjö/Solberga",
                        "occurred_at": pd.to_datetime([r[2] for r in rows], utc=True)})
    m = dict(MEASURE, site="Älvsjö centrum")
    res = before_after(m, pts, sites=sites, radius_m=150)
    assert res["place_kind"] == "site" and res["place"] == "Älvsjö centrum"
    assert (res["before"], res["after"]) == (2, 2)
    with pytest.raises(DataValidationError, match="Älvsjö centrum"):
        before_after(m, pts, sites=sites.iloc[0:0])


def test_measures_without_start_are_skipped_or_refused() -> None:
    pts = make_points("2020-09-01", "2023-06-01", n=100)
    no_start = dict(MEASURE, id=8, start=None)
    with pytest.raises(DataValidationError, match="startdatum"):
        before_after(no_start, pts)
    measures = pd.DataFrame([MEASURE, no_start, dict(MEASURE, id=9, zone="Långbro")])
    out = before_after_all(measures, pts)
    assert [r["measure_id"] for r in out] == [7, 9]
    assert out[1]["after"] == count(pts, "Långbro", datetime(2022, 3, 15, tzinfo=STO),
                                    datetime(2022, 9, 15, tzinfo=STO), "incident")
    assert datetime(2022, 3, 15, tzinfo=STO).astimezone(UTC).hour == 23  # winter time start
