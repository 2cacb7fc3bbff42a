"""Fast per-point preparation equals the reference computations: local time bands equal
periods.time_band (zoneinfo via pandas) across DST changes; the polynomial projection equals
pyproj within 1 cm over the district."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mapapp.analysis.periods import time_band, utc_ns
from mapapp.analysis.pointprep import POLY_MIN_POINTS, band_codes, kind_codes, metric_xy
from mapapp.crs import transformer
from mapapp.store.district import bundled_frames


def test_band_codes_equal_time_band_across_dst() -> None:
    rng = np.random.default_rng(4)
    lo = pd.Timestamp("2019-01-01", tz="UTC").value
    hi = pd.Timestamp("2024-12-31", tz="UTC").value
    ns = rng.integers(lo, hi, 200_000)
    # every minute around the DST changes of 2021 and 2022
    for day in ("2021-03-28 00:00", "2021-10-31 00:00", "2022-03-27 00:00", "2022-10-30 00:00"):
        t0 = pd.Timestamp(day, tz="UTC").value
        ns = np.concatenate([ns, t0 + np.arange(0, 4 * 60) * 60_000_000_000])
    s = pd.Series(pd.to_datetime(ns, utc=True))
    assert np.array_equal(band_codes(utc_ns(s)), time_band(s))
    nat = pd.Series(pd.to_datetime([None, "2021-05-05 18:30+02:00"], utc=True))
    assert band_codes(utc_ns(nat)).tolist() == [-1, 1]


def test_polynomial_projection_equals_pyproj_within_a_centimetre() -> None:
    outline = bundled_frames()["outline"]
    rng = np.random.default_rng(2)
    minx, miny, maxx, maxy = outline.bounds
    n = POLY_MIN_POINTS * 5
    lon = rng.uniform(minx, maxx, n)
    lat = rng.uniform(miny, maxy, n)
    lon[3] = np.nan
    fast = metric_xy(lon, lat)
    x, y = transformer("EPSG:4326", "EPSG:3006").transform(lon, lat)
    ok = np.isfinite(lon)
    assert np.isnan(fast[3]).all()
    err = np.hypot(fast[ok, 0] - np.asarray(x)[ok], fast[ok, 1] - np.asarray(y)[ok])
    assert err.max() < 0.01
    # far apart (all of Sweden): the fit is refused and pyproj is used
    lon2 = rng.uniform(11, 24, n)
    lat2 = rng.uniform(55, 69, n)
    x2, y2 = transformer("EPSG:4326", "EPSG:3006").transform(lon2, lat2)
    got = metric_xy(lon2, lat2)
    assert np.array_equal(got[:, 0], np.asarray(x2)) and np.array_equal(got[:, 1], np.asarray(y2))


def test_kind_codes() -> None:
    s = pd.Series(["incident", "observation", "other", None], dtype=object)
    assert kind_codes(s, ("incident", "observation")).tolist() == [0, 1, -1, -1]
