"""Hotspot flags at sites: counts within the radius per period/kind/band equal an independent
per-point loop, the expected count equals an exact ring computation, p-values equal scipy's
Poisson tail, the minimum count holds at and below its threshold, and the reason reads as the
issue asks in Swedish and English. (Statistical behaviour on synthetic districts:
test_hotspots.py.)"""

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
from scipy import stats

from mapapp.analysis.expected import Params, count_sites, site_tests
from mapapp.analysis.sites import (
    measures_for_sites,
    site_flags,
    sites_geojson,
)
from mapapp.crs import transformer
from mapapp.render.hotspot_text import reason_text

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
    from mapapp.analysis.periods import ALL_BANDS, list_periods

    periods = list_periods(pts["occurred_at"])
    c = count_sites(pts, sites, district, periods)
    got_dist = {(p.label, k, b): int(c.district[i, j, m])
                for i, p in enumerate(periods) for j, k in enumerate(("incident", "observation"))
                for m, b in enumerate(ALL_BANDS) if c.district[i, j, m]}
    assert got_dist == dist
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


def test_expected_is_the_ring_density_times_the_circle(district: shapely.Geometry,
                                                       sites: gpd.GeoDataFrame) -> None:
    """Against an exact annulus: points 300–800 m away counted by distance, the annulus and
    the circle clipped to the district with shapely; the raster ring may differ by its cell
    edges (a few per cent), the shrinkage to the district mean is applied the same way."""
    rows = background(district, 6000, ["2021-10-12 19:00", "2021-10-16 13:00"], seed=9)
    pts = frame(rows)
    params = Params()
    rows_ = site_flags(pts, sites, district)
    d3006 = shapely.transform(district, lambda xy: np.column_stack(TO_M.transform(*xy.T)))
    px, py = TO_M.transform(pts["lon"].to_numpy(), pts["lat"].to_numpy())
    for name, g in zip(sites["name"], sites.geometry, strict=True):
        sx, sy = TO_M.transform(g.x, g.y)
        d = np.hypot(px - sx, py - sy)
        ring = (d > 300) & (d <= 800) & (pts["kind"] == "incident").to_numpy()
        annulus = shapely.Point(sx, sy).buffer(800, 64).difference(
            shapely.Point(sx, sy).buffer(300, 64)).intersection(d3006).area
        circle = shapely.Point(sx, sy).buffer(150, 64).intersection(d3006).area
        n_d = int((pts["kind"] == "incident").sum())
        lam_d = n_d / d3006.area
        lam = (ring.sum() + params.prior_area_m2 * lam_d) / (annulus + params.prior_area_m2)
        got = rows_[(rows_["site"] == name) & (rows_["kind"] == "incident")
                    & (rows_["band"] == "alla")]["expected"].iloc[0]
        assert got == pytest.approx(lam * circle, rel=0.04), name


def test_p_values_are_the_poisson_tail_and_q_values_bh(district: shapely.Geometry,
                                                       sites: gpd.GeoDataFrame) -> None:
    pts, _ = rule_case(district, sites, 9)
    from mapapp.analysis.periods import list_periods

    c = count_sites(pts, sites, district, list_periods(pts["occurred_at"]))
    rows = site_tests(c, sites, Params(test="poisson"))
    want = np.where(rows["count"] > 0,
                    stats.poisson.sf(rows["count"] - 1, rows["expected"]), 1.0)
    np.testing.assert_allclose(rows["p_value"], want, rtol=1e-12)
    for _, part in rows.groupby("period"):
        np.testing.assert_allclose(part["q_value"],
                                   stats.false_discovery_control(part["p_value"]), rtol=1e-12)
    nb = site_tests(c, sites, Params(test="negbin", alpha_min=0.3))
    n = 1 / 0.3
    want = stats.nbinom.sf(nb["count"] - 1, n, n / (n + nb["expected"]))
    want = np.where(nb["count"] > 0, want, 1.0)
    np.testing.assert_allclose(nb["p_value"], want, rtol=1e-12)


def rule_case(district: shapely.Geometry, sites: gpd.GeoDataFrame, near_n: int
              ) -> tuple[pd.DataFrame, float]:
    """near_n evening observations 50 m from the school and 60 more elsewhere in the district in
    the same band; returns the points and the school's expected count there."""
    skytte = sites.geometry.iloc[0]
    rows = [(*at(skytte, 50.0, 7.0 * i), "observation", t)
            for i, t in enumerate(evening(near_n))]
    far = [r for r in background(district, 400, evening(1), seed=2)
           if TO_M.transform(r[0], r[1])[1] > TO_M.transform(skytte.x, skytte.y)[1] + 1000][:60]
    rows += [(lon, lat, "observation", t) for lon, lat, _, t in far]
    pts = frame(rows)
    f = site_flags(pts, sites, district)
    mu = f[(f["site"] == "Johan Skyttes skola") & (f["kind"] == "observation")
           & (f["band"] == "kvall")]["expected"].iloc[0]
    return pts, float(mu)


def flagged(flags: pd.DataFrame, band: str = "kvall") -> bool:
    r = flags[(flags["site"] == "Johan Skyttes skola") & (flags["kind"] == "observation")
              & (flags["band"] == band) & (flags["period"] == "2021-2022")]
    return bool(r["flagged"].iloc[0])


def test_flag_needs_the_minimum_count_and_significance(district: shapely.Geometry,
                                                       sites: gpd.GeoDataFrame) -> None:
    pts, mu = rule_case(district, sites, 5)
    assert mu < 0.5
    assert flagged(site_flags(pts, sites, district, min_count=5))
    assert not flagged(site_flags(pts, sites, district, min_count=6))
    four, _ = rule_case(district, sites, 4)
    assert not flagged(site_flags(four, sites, district, min_count=5))
    # a stricter FDR level than the smallest q unflags it
    f = site_flags(pts, sites, district, min_count=5)
    q = f[(f["site"] == "Johan Skyttes skola") & (f["kind"] == "observation")
          & (f["band"] == "kvall")]["q_value"].iloc[0]
    assert flagged(site_flags(pts, sites, district, q=q))
    assert not flagged(site_flags(pts, sites, district, q=q * 0.999))
    # Only the tested bands can flag.
    assert not flagged(site_flags(pts, sites, district, bands=("skoltid",)), band="skoltid")


def test_reason_names_count_kind_band_expected_and_q(district: shapely.Geometry,
                                                     sites: gpd.GeoDataFrame) -> None:
    pts, mu = rule_case(district, sites, 14)
    fc = sites_geojson(pts, sites, district)
    props = next(f["properties"] for f in fc["features"]
                 if f["properties"]["name"] == "Johan Skyttes skola")
    assert props["flagged"] is True
    rec = props["reason"]
    assert rec["count"] == 14 and rec["kind"] == "observation" and rec["band"] in ("kvall",
                                                                                   "alla")
    assert rec["q"] < 0.001
    text = reason_text(rec, lang="sv")
    what = "kvällstid" if rec["band"] == "kvall" else "totalt"
    exp = f"{rec['expected']:.1f}".replace(".", ",") if rec["expected"] < 1 else \
        f"{rec['expected']:.0f}"
    assert text == f"Johan Skyttes skola: 14 observationer {what}, väntat {exp} (q < 0,001)"
    en = reason_text(rec, lang="en")
    assert en.startswith("Johan Skyttes skola: 14 observations ") and "(q < 0.001)" in en
    assert {"name", "kind", "zone", "period", "count", "flagged", "reason", "expected",
            "q_value", "rising", "persistent", "fading", "place"} <= set(props)
    assert props["count"] == 14 and props["kind"] == "school"
    other = next(f["properties"] for f in fc["features"]
                 if f["properties"]["name"] == "Älvsjö centrum")
    assert other["flagged"] is False and other["reason"] is None
    json.dumps(fc, allow_nan=False)


def test_the_issue_example_reads_as_asked() -> None:
    rec = {"site": "Kämpetorpsskolan", "kind": "incident", "band": "kvall", "count": 31,
           "expected": 6.3, "q": 0.00002}
    assert reason_text(rec, lang="sv") == "Kämpetorpsskolan: 31 händelser kvällstid, väntat 6 (q < 0,001)"
    assert reason_text(rec, lang="en") == ("Kämpetorpsskolan: 31 incidents in the evening, "
                                      "expected 6 (q < 0.001)")
    assert reason_text({**rec, "q": 0.0234}, lang="sv").endswith("(q = 0,023)")


def test_flags_are_kept_per_period(district: shapely.Geometry,
                                   sites: gpd.GeoDataFrame) -> None:
    one, _ = rule_case(district, sites, 8)
    two = one.copy()
    two["occurred_at"] = two["occurred_at"] + pd.Timedelta(days=364)  # 2022-10-11, a Tuesday
    three = one.copy()
    three["occurred_at"] = three["occurred_at"] - pd.Timedelta(days=364 * 2)
    three = three.iloc[:4]  # 2019-2020: too few
    pts = pd.concat([one, two, three], ignore_index=True)
    fc = sites_geojson(pts, sites, district)
    props = next(f["properties"] for f in fc["features"]
                 if f["properties"]["name"] == "Johan Skyttes skola")
    assert fc["period"] == "2022-2023"
    assert props["times_flagged"] == 2
    assert props["periods_flagged"] == ["2021-2022", "2022-2023"]
    assert props["persistent"] is True and props["fading"] is False
    older = sites_geojson(pts, sites, district, period="2019-2020")["features"]
    older_p = next(f["properties"] for f in older if f["properties"]["name"]
                   == "Johan Skyttes skola")
    assert older_p["flagged"] is False and older_p["count"] == 4


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
    assert got["Johan Skyttes skola"][1]["status"] == "pagaende"
    assert "status_label" not in got["Johan Skyttes skola"][1]  # words at the edges
    assert got["Johan Skyttes skola"][0]["due"] == "2024-06-30"


def test_circle_members_are_the_points_within_the_radius(district: shapely.Geometry,
                                                         sites: gpd.GeoDataFrame) -> None:
    """The (site, point) pairs that places are merged by equal a brute-force distance test
    (whole raster cells inside the circle plus exact distances on its edge)."""
    skytte = sites.geometry.iloc[0]
    rng = np.random.default_rng(12)
    rows = [(*at(skytte, float(rng.uniform(0, 400)), float(rng.uniform(0, 360))),
             "incident", "2021-10-12 19:00") for _ in range(3000)]
    pts = frame(rows)
    from mapapp.analysis.periods import list_periods

    c = count_sites(pts, sites, district, list_periods(pts["occurred_at"]))
    site, point = c.circle_members(np.array([0, 1]))
    px, py = TO_M.transform(pts["lon"].to_numpy(), pts["lat"].to_numpy())
    for i, g in enumerate(sites.geometry):
        sx, sy = TO_M.transform(g.x, g.y)
        want = set(np.flatnonzero(np.hypot(px - sx, py - sy) <= 150))
        assert set(point[site == i]) == want, i
    assert len(set(point[site == 0])) > 500
