"""Hotspot flags at sites: counts within the radius per period/kind/band equal an independent
per-point loop, and the flag rule (count ≥ minimum and density ≥ k × district mean) holds at
and just below both thresholds."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.analysis.sites import (
    measures_for_sites,
    site_flags,
    sites_collection,
    sites_geojson,
)
from mapapp.crs import transformer

GEO = Path(__file__).resolve().parents[1] / "data" / "shared" / "data" / "geo"
STO = ZoneInfo("Europe/Stockholm")
TO_M = transformer("EPSG:4326", "EPSG:3006")
TO_W = transformer("EPSG:3006", "EPSG:4326")


@pytest.fixture(scope="module")
def district() -> shapely.Geometry:
    return gpd.read_file(GEO / "hagersten_alvsjo_stadsdelsomrade_dissolved_wgs84.geojson") \
        .geometry.iloc[0]


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    schools = gpd.read_file(GEO / "skolor_forskolor_hagersten_alvsjo_bromma_stockholm_stad_wgs84"
                            ".geojson")
    skytte = schools[schools["namn"].str.startswith("Johan Skytteskolan")].geometry.iloc[0]
    return gpd.GeoDataFrame({
        "id": [10, 11],
        "name": ["Johan Skyttes skola", "Älvsjö centrum"],
        "kind": ["school", "centre"],
        "zone": ["Långbro", "Älvsjö/Solberga"],
        "geometry": [skytte, shapely.Point(18.00929, 59.2788)],
    }, crs="EPSG:4326")


def at(site: shapely.Point, dist_m: float, bearing_deg: float) -> tuple[float, float]:
    x, y = TO_M.transform(site.x, site.y)
    a = math.radians(bearing_deg)
    lon, lat = TO_W.transform(x + dist_m * math.sin(a), y + dist_m * math.cos(a))
    return float(lon), float(lat)


def frame(rows: list[tuple[float, float, str, str]]) -> pd.DataFrame:
    """rows of (lon, lat, kind, local time text)."""
    return pd.DataFrame({
        "id": np.arange(len(rows)),
        "kind": [r[2] for r in rows],
        "category": "samlingsplats",
        "occurred_at": pd.to_datetime(
            [pd.Timestamp(r[3]).tz_localize("Europe/Stockholm") for r in rows], utc=True),
        "lon": [r[0] for r in rows], "lat": [r[1] for r in rows],
        "zone": None, "sensitive": False,
    })


def background(district: shapely.Geometry, n: int, when: list[str], seed: int = 0
               ) -> list[tuple[float, float, str, str]]:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = district.bounds
    out: list[tuple[float, float, str, str]] = []
    while len(out) < n:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if district.contains(shapely.Point(lon, lat)):
            out.append((lon, lat, str(rng.choice(["incident", "observation"])),
                        str(rng.choice(when))))
    return out


def band_of(local: datetime) -> str | None:
    if local.weekday() >= 5:
        return "helg"
    if 8 <= local.hour < 16:
        return "skoltid"
    if local.hour >= 18:
        return "kvall"
    return "natt" if local.hour < 6 else None


def independent(points: pd.DataFrame, sites: gpd.GeoDataFrame, district: shapely.Geometry,
                radius: float) -> tuple[dict, dict]:
    """(site, period, kind, band) -> count within radius, (period, kind, band) -> count in
    district; a loop with one pyproj call per point, math.hypot and zoneinfo."""
    d3006 = shapely.transform(district, lambda xy: np.column_stack(TO_M.transform(*xy.T)))
    site_xy = {n: TO_M.transform(g.x, g.y) for n, g in zip(sites["name"], sites.geometry,
                                                            strict=True)}
    near: dict = {}
    dist: dict = {}
    for r in points.itertuples():
        local = r.occurred_at.to_pydatetime().astimezone(STO)
        y0 = local.year if local.month >= 9 else local.year - 1
        period = f"{y0}-{y0 + 1}"
        x, y = TO_M.transform(r.lon, r.lat)
        bands = [b for b in (band_of(local), "alla") if b]
        for b in bands:
            if d3006.intersects(shapely.Point(x, y)):
                dist[(period, r.kind, b)] = dist.get((period, r.kind, b), 0) + 1
            for name, (sx, sy) in site_xy.items():
                if math.hypot(x - sx, y - sy) <= radius:
                    near[(name, period, r.kind, b)] = near.get((name, period, r.kind, b), 0) + 1
    return near, dist


def evening(n: int, day: str = "2021-10-12") -> list[str]:
    return [f"{day} 19:{m:02d}" for m in range(n)]


def test_counts_equal_an_independent_loop(district: shapely.Geometry,
                                          sites: gpd.GeoDataFrame) -> None:
    skytte = sites.geometry.iloc[0]
    when = ["2021-10-12 19:00", "2021-10-13 09:30", "2021-10-16 13:00", "2021-10-14 03:00",
            "2021-10-14 07:00", "2022-09-02 19:00", "2021-08-31 23:30", "2021-09-01 00:10"]
    rows = background(district, 400, when)
    rng = np.random.default_rng(4)
    for _ in range(120):
        rows.append((*at(skytte, float(rng.uniform(0, 300)), float(rng.uniform(0, 360))),
                     str(rng.choice(["incident", "observation"])), str(rng.choice(when))))
    pts = frame(rows)
    flags = site_flags(pts, sites, district, radius_m=150)
    near, dist = independent(pts, sites, district, 150)
    got_near = {(r.site, r.period, r.kind, r.band): r.count
                for r in flags.itertuples() if r.count}
    assert got_near == near
    got_dist = {(r.period, r.kind, r.band): r.district_count
                for r in flags[flags["site"] == "Älvsjö centrum"].itertuples() if r.district_count}
    assert got_dist == dist
    area = shapely.transform(district, lambda xy: np.column_stack(TO_M.transform(*xy.T))).area
    for r in flags.itertuples():
        if r.count == 0:
            continue
        ratio = (r.count / (math.pi * 150 ** 2)) / (r.district_count / area)
        assert r.ratio == pytest.approx(ratio, rel=1e-12)
        expected = r.count >= 5 and ratio >= 2 and r.band != "alla"
        assert bool(r.flagged) == expected, r
    assert flags["flagged"].any() and not flags["flagged"].all()


def test_radius_is_inclusive_and_measured_in_metres(district: shapely.Geometry,
                                                    sites: gpd.GeoDataFrame) -> None:
    skytte = sites.geometry.iloc[0]
    rows = [(*at(skytte, 149.0, b), "observation", "2021-10-12 19:00") for b in (0, 90, 200)]
    rows += [(*at(skytte, 151.0, b), "observation", "2021-10-12 19:00") for b in (45, 300)]
    flags = site_flags(frame(rows), sites, district, radius_m=150)
    row = flags[(flags["site"] == "Johan Skyttes skola") & (flags["band"] == "kvall")
                & (flags["kind"] == "observation")]
    assert row["count"].tolist() == [3]
    wide = site_flags(frame(rows), sites, district, radius_m=152)
    assert wide[(wide["site"] == "Johan Skyttes skola") & (wide["band"] == "alla")
                & (wide["kind"] == "observation")]["count"].tolist() == [5]


def rule_case(district: shapely.Geometry, sites: gpd.GeoDataFrame, near_n: int
              ) -> tuple[pd.DataFrame, float]:
    """near_n evening observations 50 m from the school, 60 more elsewhere in the district in
    the same band; returns the points and the independent density ratio."""
    skytte = sites.geometry.iloc[0]
    rows = [(*at(skytte, 50.0, 7.0 * i), "observation", t)
            for i, t in enumerate(evening(near_n))]
    far = [r for r in background(district, 400, evening(1), seed=2)
           if TO_M.transform(r[0], r[1])[1] > TO_M.transform(skytte.x, skytte.y)[1] + 1000][:60]
    rows += [(lon, lat, "observation", t) for lon, lat, _, t in far]
    area = shapely.transform(district, lambda xy: np.column_stack(TO_M.transform(*xy.T))).area
    ratio = (near_n / (math.pi * 150 ** 2)) / ((near_n + 60) / area)
    return frame(rows), ratio


def flagged(flags: pd.DataFrame, band: str = "kvall") -> bool:
    r = flags[(flags["site"] == "Johan Skyttes skola") & (flags["kind"] == "observation")
              & (flags["band"] == band) & (flags["period"] == "2021-2022")]
    return bool(r["flagged"].iloc[0])


def test_flag_rule_at_and_below_the_minimum_count(district: shapely.Geometry,
                                                  sites: gpd.GeoDataFrame) -> None:
    pts, ratio = rule_case(district, sites, 5)
    assert ratio > 2
    assert flagged(site_flags(pts, sites, district, min_count=5, k=2))
    assert not flagged(site_flags(pts, sites, district, min_count=6, k=2))
    four, _ = rule_case(district, sites, 4)
    assert not flagged(site_flags(four, sites, district, min_count=5, k=2))


def test_flag_rule_at_and_below_k(district: shapely.Geometry, sites: gpd.GeoDataFrame) -> None:
    pts, ratio = rule_case(district, sites, 7)
    assert flagged(site_flags(pts, sites, district, k=ratio))
    assert not flagged(site_flags(pts, sites, district, k=ratio * 1.000001))
    # Only the configured bands can flag; 'alla' holds the same points but is not a band.
    assert not flagged(site_flags(pts, sites, district, k=ratio), band="alla")


def test_reason_names_count_kind_band_and_ratio_with_decimal_comma(
    district: shapely.Geometry, sites: gpd.GeoDataFrame
) -> None:
    pts, ratio = rule_case(district, sites, 14)
    fc = sites_geojson(pts, sites, district)
    props = fc["features"][0]["properties"]
    assert props["flagged"] is True
    expected_ratio = f"{ratio:.1f}".replace(".", ",")
    assert props["reason"] == (f"Johan Skyttes skola: 14 observationer kvällstid, "
                               f"{expected_ratio} × distriktets snitt")
    en = sites_geojson(pts, sites, district, lang="en")["features"][0]["properties"]
    assert en["reason"] == (f"Johan Skyttes skola: 14 observations in the evening, "
                            f"{ratio:.1f} × the district mean")
    assert {"name", "kind", "count", "flagged", "reason"} <= set(props)
    assert props["count"] == 14 and props["kind"] == "school"
    assert fc["features"][1]["properties"]["flagged"] is False
    json.dumps(fc, allow_nan=False)


def test_flags_are_kept_per_period(district: shapely.Geometry,
                                   sites: gpd.GeoDataFrame) -> None:
    one, _ = rule_case(district, sites, 8)
    two = one.copy()
    two["occurred_at"] = two["occurred_at"] + pd.Timedelta(days=364)  # 2022-10-11, a Tuesday
    three = one.copy()
    three["occurred_at"] = three["occurred_at"] - pd.Timedelta(days=364 * 2)
    three = three.iloc[:4]  # 2019-2020: too few
    pts = pd.concat([one, two, three], ignore_index=True)
    flags = site_flags(pts, sites, district)
    fc = sites_collection(flags, sites, "2022-2023")
    props = fc["features"][0]["properties"]
    assert props["times_flagged"] == 2
    assert props["periods_flagged"] == ["2021-2022", "2022-2023"]
    assert sites_geojson(pts, sites, district)["period"] == "2022-2023"
    older = sites_geojson(pts, sites, district, period="2019-2020")["features"][0]
    assert older["properties"]["flagged"] is False and older["properties"]["count"] == 4


def test_measures_for_a_site_and_its_zone(sites: gpd.GeoDataFrame) -> None:
    measures = pd.DataFrame({
        "id": [1, 2, 3, 4],
        "zone": ["Långbro", "Långbro", "Långbro", "Älvsjö/Solberga"],
        "site": ["Johan Skyttes skola", None, "Långbro gård", None],
        "cell_id": [None, None, None, None],
        "title": ["Skolgårdsvärdar", "Belysning Långbrodalsvägen", "Annat ställe", "Väktare"],
        "status": ["planerad", "pagaende", "planerad", "planerad"],
        "actor": ["SDF", "Trafikkontoret", "SDF", "Citycon"],
        "start": [None] * 4, "due": [pd.Timestamp("2024-06-30")] * 4,
    })
    got = measures_for_sites(sites, measures)
    assert [m["title"] for m in got["Johan Skyttes skola"]] == ["Skolgårdsvärdar",
                                                                "Belysning Långbrodalsvägen"]
    assert [m["scope"] for m in got["Johan Skyttes skola"]] == ["site", "zone"]
    assert [m["title"] for m in got["Älvsjö centrum"]] == ["Väktare"]
    assert got["Johan Skyttes skola"][1]["status_label"] == "Pågående"
    assert got["Johan Skyttes skola"][0]["due"] == "2024-06-30"
