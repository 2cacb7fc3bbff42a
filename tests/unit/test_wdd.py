"""The weighted displacement difference test (Wheeler & Ratcliffe 2018) by hand on small cases,
and on points around a real-sized site: a site that falls 120 → 20 while its zone stays level is
an effect; one that only halves as its whole zone halves is not."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.analysis.beforeafter import before_after
from mapapp.analysis.wdd import wdd, z_critical
from mapapp.crs import transformer

TZ = "Europe/Stockholm"


def test_wdd_and_its_standard_error_by_hand() -> None:
    # T 40 → 25, D 20 → 22, control (shared) 400 → 360.
    r = wdd(40, 25, 20, 22, 400, 360)
    w_t, w_d = 40 / 400, 20 / 400  # 0.1 and 0.05
    by_hand = (25 - 40) - 0.1 * (360 - 400) + (22 - 20) - 0.05 * (360 - 400)  # -15+4+2+2 = -7
    assert by_hand == pytest.approx(-7.0)
    var = 40 + 25 + 20 + 22 + (0.1 + 0.05) ** 2 * (400 + 360)  # 107 + 17.1 = 124.1
    assert (r.w_t, r.w_d) == (w_t, w_d)
    assert var == pytest.approx(124.1)
    assert r.wdd == pytest.approx(by_hand) and r.se == pytest.approx(math.sqrt(var))
    assert r.z == pytest.approx(-7 / math.sqrt(124.1))
    # WDQ = (22/360 − 20/400) / (25/360 − 40/400)
    assert r.wdq == pytest.approx((22 / 360 - 0.05) / (25 / 360 - 0.1))
    assert r.verdict == "no_effect"
    # Two separate controls: their variances add with each weight squared.
    s = wdd(40, 25, 20, 22, 400, 360, 100, 80, same_control=False)
    assert s.wdd == pytest.approx(-15 - 0.1 * -40 + 2 - 0.2 * -20)  # = -5
    assert s.se == pytest.approx(math.sqrt(107 + 0.01 * 760 + 0.04 * 180))
    # Unweighted the control would swamp the target: the weights are what keep it fair.
    assert abs(r.wdd) < abs((25 - 40) - (360 - 400) + (22 - 20) - (360 - 400))


def test_verdicts() -> None:
    assert wdd(120, 20, 30, 30, 300, 300).verdict == "effect"
    assert wdd(20, 120, 30, 30, 300, 300).verdict == "increase"
    assert wdd(4, 1, 30, 30, 300, 300).verdict == "too_few"
    assert wdd(120, 20, 30, 30, 3, 3).verdict == "too_few"
    assert wdd(120, 20, 30, 30, 300, 300, complete=False).verdict == "incomplete"
    assert z_critical(0.95) == pytest.approx(1.959964, abs=1e-6)
    r = wdd(120, 20, 30, 30, 300, 300)
    assert r.z == pytest.approx(-100 / math.sqrt(140 + 60 + 0.25 * 600))


# --- on points ------------------------------------------------------------------------------

SITE_LON, SITE_LAT = 18.00929, 59.2788


def _world() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, float, float]:
    to_m, to_w = transformer("EPSG:4326", "EPSG:3006"), transformer("EPSG:3006", "EPSG:4326")
    sx, sy = to_m.transform(SITE_LON, SITE_LAT)
    box = shapely.box(sx - 1500, sy - 1500, sx + 1500, sy + 1500)
    zone = shapely.transform(box, lambda c: np.column_stack(to_w.transform(c[:, 0], c[:, 1])))
    zones = gpd.GeoDataFrame({"id": [1], "name": ["Älvsjö/Solberga"], "geometry": [zone]},
                             crs="EPSG:4326")
    sites = gpd.GeoDataFrame({"id": [1], "name": ["Älvsjö centrum"], "kind": ["centre"],
                              "geometry": [shapely.Point(SITE_LON, SITE_LAT)]}, crs="EPSG:4326")
    return zones, sites, sx, sy


def _ring_points(n: int, r_lo: float, r_hi: float, start: str, end: str, sx: float,
                 sy: float, seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    to_w = transformer("EPSG:3006", "EPSG:4326")
    d = rng.uniform(r_lo, r_hi, n)
    a = rng.uniform(0, 2 * np.pi, n)
    lon, lat = to_w.transform(sx + d * np.sin(a), sy + d * np.cos(a))
    lo, hi = pd.Timestamp(start, tz=TZ).value, pd.Timestamp(end, tz=TZ).value
    t = pd.to_datetime(rng.integers(lo, hi, n), utc=True)
    return [{"kind": "incident", "category": "stold", "lon": x, "lat": y,
             "zone": "Älvsjö/Solberga", "occurred_at": ti} for x, y, ti in zip(lon, lat, t,
                                                                                strict=True)]


def _scenario(t: tuple[int, int], d: tuple[int, int], c: tuple[int, int]) -> pd.DataFrame:
    _, _, sx, sy = _world()
    rows: list[dict[str, object]] = []
    before, after = ("2021-03-15", "2021-09-15"), ("2022-03-15", "2022-09-15")
    for i, ((lo, hi), counts) in enumerate((((0, 140), t), ((160, 390), d),
                                            ((410, 1400), c))):
        rows += _ring_points(counts[0], lo, hi, *before, sx, sy, 10 * i)
        rows += _ring_points(counts[1], lo, hi, *after, sx, sy, 10 * i + 1)
    # The data reach back (and forward) beyond the windows; observations never count.
    rows += _ring_points(1, 1450, 1460, "2020-09-01", "2020-09-02", sx, sy, 99)
    rows += _ring_points(1, 1450, 1460, "2022-12-01", "2022-12-02", sx, sy, 98)
    obs = _ring_points(50, 0, 100, *after, sx, sy, 97)
    for o in obs:
        o["kind"] = "observation"
    return pd.DataFrame(rows + obs)


MEASURE = {"id": 3, "title": "Ordningsvakter", "zone": "Älvsjö/Solberga",
           "site": "Älvsjö centrum", "cell_id": None, "start": "2022-03-15"}


def test_a_site_falling_while_its_zone_stays_level_is_an_effect() -> None:
    zones, sites, _, _ = _world()
    pts = _scenario((120, 20), (30, 30), (300, 300))
    r = before_after(MEASURE, pts, sites=sites, zones=zones, radius_m=150, buffer_m=250)
    assert r["comparison"] == "same_months_last_year"
    counts = [r[k] for k in ("t_before", "t_after", "d_before", "d_after", "ct_before",
                             "ct_after", "cd_before", "cd_after")]
    assert counts == [120, 20, 30, 30, 300, 300, 300, 300]
    assert r["wdd"] == pytest.approx(-100.0)
    assert r["se"] == pytest.approx(math.sqrt(350.0))
    assert r["z"] == pytest.approx(-100 / math.sqrt(350.0))
    assert r["verdict"] == "effect"
    assert r["by_kind"]["observation"]["after"] == 50 and r["after"] == 20


def test_a_site_that_only_halves_with_its_zone_is_no_effect() -> None:
    zones, sites, _, _ = _world()
    pts = _scenario((120, 60), (30, 15), (300, 150))
    r = before_after(MEASURE, pts, sites=sites, zones=zones, radius_m=150, buffer_m=250)
    assert [r["t_before"], r["t_after"], r["ct_before"], r["ct_after"]] == [120, 60, 300, 150]
    # Raw change −50 % at the site, yet the area's trend explains all of it.
    assert r["change_pct"] == -50.0 and r["significant"] is True
    assert r["wdd"] == pytest.approx(0.0, abs=1e-9)
    assert r["verdict"] == "no_effect"


def _east_band(n: int, lo: float, hi: float, start: str, end: str, sx: float, sy: float,
               seed: int, zone: str | None) -> list[dict[str, object]]:
    """Points lo–hi m east of the zone's east edge (x = sx + 1500 + u), any height inside."""
    rng = np.random.default_rng(seed)
    to_w = transformer("EPSG:3006", "EPSG:4326")
    lon, lat = to_w.transform(sx + 1500 + rng.uniform(lo, hi, n),
                              sy + rng.uniform(-1400, 1400, n))
    t0, t1 = pd.Timestamp(start, tz=TZ).value, pd.Timestamp(end, tz=TZ).value
    t = pd.to_datetime(rng.integers(t0, t1, n), utc=True)
    return [{"kind": "incident", "category": "stold", "lon": x, "lat": y, "zone": zone,
             "occurred_at": ti} for x, y, ti in zip(lon, lat, t, strict=True)]


def test_a_zone_measure_uses_the_rest_of_the_district_as_control() -> None:
    zones, sites, sx, sy = _world()
    pts = _scenario((120, 20), (30, 30), (300, 300))
    b, a = ("2021-03-15", "2021-09-15"), ("2022-03-15", "2022-09-15")
    # Just outside the zone (≤ 250 m: the displacement buffer), in no zone or another zone,
    # and farther out in another zone of the district (the control).
    extra = (_east_band(15, 20, 240, *b, sx, sy, 1, None)
             + _east_band(25, 20, 240, *a, sx, sy, 2, "Långbro")
             + _east_band(200, 300, 2000, *b, sx, sy, 3, "Långbro")
             + _east_band(180, 300, 2000, *a, sx, sy, 4, "Långbro")
             + _east_band(70, 300, 2000, *a, sx, sy, 5, None))  # outside the district
    pts = pd.concat([pts, pd.DataFrame(extra)], ignore_index=True)
    m = dict(MEASURE, site=None)
    r = before_after(m, pts, sites=sites, zones=zones, buffer_m=250)
    assert r["place_kind"] == "zone"
    assert (r["t_before"], r["t_after"]) == (450, 350)
    assert (r["d_before"], r["d_after"]) == (15, 25)
    assert (r["ct_before"], r["ct_after"]) == (200, 180)
    w_t, w_d = 450 / 200, 15 / 200
    assert r["wdd"] == pytest.approx(-100 - w_t * -20 + 10 - w_d * -20)
    assert r["se"] == pytest.approx(math.sqrt(450 + 350 + 15 + 25 + (w_t + w_d) ** 2 * 380))


def _naive_areas(measure: dict, points: pd.DataFrame, zones: gpd.GeoDataFrame,
                 district: shapely.Geometry, buffer_m: float) -> tuple[np.ndarray, ...]:
    """Target, buffer and control masks of a zone or cell measure with plain shapely over
    every point (the way before the candidate prefilter)."""
    from mapapp.crs import METRIC, WGS84

    tr = transformer(WGS84, METRIC)

    def metric(g: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(g, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))

    lon, lat = points["lon"].to_numpy(float), points["lat"].to_numpy(float)
    placed = np.isfinite(lon) & np.isfinite(lat)
    x, y = (np.asarray(v, float) for v in tr.transform(np.where(placed, lon, 0),
                                                       np.where(placed, lat, 0)))
    pts = shapely.points(x, y)
    zone_col = points["zone"].astype(object).to_numpy()
    if measure.get("cell_id"):
        s, e, n = _cell(measure["cell_id"])
        target = placed & (x >= e) & (x < e + s) & (y >= n) & (y < n + s)
        ring = placed & ~target & shapely.dwithin(shapely.box(e, n, e + s, n + s), pts, buffer_m)
        own = str(measure["zone"])
        control = placed & (zone_col == own) & ~target & ~ring
        return target, ring, control
    target = zone_col == measure["zone"]
    geom = zones[zones["name"] == measure["zone"]].geometry.iloc[0]
    ring = placed & ~target & shapely.dwithin(metric(geom), pts, buffer_m)
    in_district = pd.notna(pd.Series(zone_col)).to_numpy() | (
        placed & shapely.intersects(metric(district), pts))
    return target, ring, in_district & ~target & ~ring


def _cell(cell_id: str) -> tuple[float, float, float]:
    from mapapp.analysis.wdd import _CELL

    m = _CELL.match(cell_id)
    assert m is not None
    s, e, n = (float(v) for v in m.groups())
    return s, e, n


def test_areas_equal_plain_shapely_over_every_point() -> None:
    """The buffer and control of zone and cell measures, tested exactly only near the place,
    equal shapely's dwithin/intersects over every point (points on and around the borders)."""
    from mapapp.analysis.wdd import areas, with_metric
    from mapapp.settings import GEO_DIR
    from mapapp.store.district import bundled_frames

    geo = bundled_frames(GEO_DIR)
    zones, district = geo["zones"], geo["outline"]
    rng = np.random.default_rng(3)
    x0, y0, x1, y1 = district.bounds
    n = 20_000
    lon = rng.uniform(x0 - 0.01, x1 + 0.01, n)
    lat = rng.uniform(y0 - 0.01, y1 + 0.01, n)
    # some points exactly on a zone's boundary vertices, some without a position
    ring = np.asarray(shapely.get_coordinates(zones.geometry.iloc[0].boundary))[:200]
    lon[:len(ring)], lat[:len(ring)] = ring[:, 0], ring[:, 1]
    lon[-50:] = np.nan
    from mapapp.analysis.zoning import assign

    zi = assign(np.nan_to_num(lon), np.nan_to_num(lat), list(zones.geometry))
    zi[-50:] = -1
    names = zones["name"].astype(str).to_numpy()
    points = pd.DataFrame({"lon": lon, "lat": lat, "zone": np.where(
        zi >= 0, names[np.maximum(zi, 0)], None).astype(object)})
    zone = str(names[0])
    cx, cy = (float(v) for v in transformer("EPSG:4326", "EPSG:3006").transform(
        *zones.geometry.iloc[0].representative_point().coords[0]))
    cell = f"100m-E{int(cx // 100 * 100)}-N{int(cy // 100 * 100)}"
    for measure in ({"id": 1, "zone": zone}, {"id": 2, "zone": zone, "cell_id": cell}):
        for frame in (points, with_metric(points)):
            got = areas(measure, frame, zones=zones, district=district, buffer_m=250)
            want = _naive_areas(measure, points, zones, district, 250)
            for g, w in zip(got[:3], want, strict=True):
                assert np.array_equal(g, w)
            assert got[0].any() and got[1].any() and got[2].any()
