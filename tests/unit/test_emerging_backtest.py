"""Emerging hot spots (Mann–Kendall against pymannkendall, the ArcGIS classes on hand-made
series, a planted cell on a real grid) and the backtest (PAI and RRI by hand on a tiny
district)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymannkendall as pmk
import pytest
import shapely

from mapapp.analysis.backtest import backtest, pai, rri
from mapapp.analysis.emerging import (
    classify_trends,
    emerging_hotspots,
    mann_kendall,
    time_steps,
)
from mapapp.analysis.grid import build_grid
from mapapp.analysis.periods import parse_period
from mapapp.crs import transformer

TO_W = transformer("EPSG:3006", "EPSG:4326")
TO_M = transformer("EPSG:4326", "EPSG:3006")


def test_mann_kendall_equals_pymannkendall() -> None:
    rng = np.random.default_rng(8)
    series = [rng.normal(size=n) for n in (3, 4, 5, 8, 12) for _ in range(10)]
    series += [np.round(rng.normal(size=7), 0) for _ in range(20)]  # many ties
    series += [np.arange(6.0), np.arange(6.0)[::-1], np.ones(5), np.array([1, 2, 2, 2, 3.0])]
    for x in series:
        mine = mann_kendall(x[None, :])
        ref = pmk.original_test(x)
        assert abs(mine.s[0] - ref.s) <= 1e-9
        assert abs(mine.var_s[0] - ref.var_s) <= 1e-9
        assert abs(mine.z[0] - ref.z) <= 1e-9
        assert abs(mine.p[0] - ref.p) <= 1e-9
        assert abs(mine.tau[0] - ref.Tau) <= 1e-9
    # vectorised over rows gives the same as one row at a time
    stack = np.vstack([s for s in series if len(s) == 5])
    many = mann_kendall(stack)
    for i, x in enumerate(stack):
        assert abs(many.p[i] - pmk.original_test(x).p) <= 1e-9


CASES = {
    "new_hot": [0, 0, 0, 0, 2],
    "consecutive_hot": [0, 0, 0, 2, 2],
    "intensifying_hot": [2, 2.5, 3, 3.5, 4],
    "persistent_hot": [3, 2, 3, 2, 3],
    "diminishing_hot": [4, 3.5, 3, 2.5, 2],
    "sporadic_hot": [2, 0, 2, 0, 2],
    "oscillating_hot": [-2, 0, 2, 0, 2],
    "historical_hot": [2, 2, 2, 2, 0],
    "none": [0, 0, 2, 0, 0],
}


def test_classes_follow_the_arcgis_rules() -> None:
    cases = dict(CASES)
    for name, z in CASES.items():
        if name.endswith("_hot"):
            cases[name.replace("_hot", "_cold")] = [-v for v in z]
    names = list(cases)
    z = np.array([cases[n] for n in names], dtype=float)
    got = classify_trends(z, mann_kendall(z))
    assert dict(zip(names, got, strict=True)) == {n: n for n in names}
    # cells that never had a point are "none" whatever their z
    got = classify_trends(z, mann_kendall(z), active=np.zeros(len(z), bool))
    assert set(got) == {"none"}


@pytest.fixture(scope="module")
def outline() -> shapely.Geometry:
    from mapapp.store.district import bundled_frames

    return bundled_frames()["outline"]


def _uniform(rng: np.random.Generator, outline: shapely.Geometry, n: int
             ) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = outline.bounds
    x = rng.uniform(minx, maxx, 3 * n)
    y = rng.uniform(miny, maxy, 3 * n)
    keep = shapely.contains_xy(outline, x, y)
    return x[keep][:n], y[keep][:n]


def _frame(lon: np.ndarray, lat: np.ndarray, year: int, rng: np.random.Generator) -> pd.DataFrame:
    t = (pd.Timestamp(f"{year}-09-01", tz="Europe/Stockholm")
         + pd.to_timedelta(rng.integers(0, 364 * 24 * 60, len(lon)), "min"))
    return pd.DataFrame({"kind": "incident", "occurred_at": t, "lon": lon, "lat": lat})


def test_a_cell_that_heats_up_in_the_last_year_is_a_new_hot_spot(outline) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(2)
    grid = build_grid(outline, cell_size_m=200)
    years = range(2018, 2023)
    parts = []
    for y in years:
        parts.append(_frame(*_uniform(rng, outline, 3000), y, rng))
    centre = grid.polygons_metric[grid.n // 2].centroid
    lon, lat = TO_W.transform(centre.x + rng.uniform(-80, 80, 60),
                              centre.y + rng.uniform(-80, 80, 60))
    parts.append(_frame(np.asarray(lon), np.asarray(lat), 2022, rng))
    # a second cell, hot in every year and getting hotter
    other = grid.polygons_metric[grid.n // 3].centroid
    for k, y in enumerate(years):
        n = 40 + 25 * k
        lon, lat = TO_W.transform(other.x + rng.uniform(-80, 80, n),
                                  other.y + rng.uniform(-80, 80, n))
        parts.append(_frame(np.asarray(lon), np.asarray(lat), y, rng))
    pts = pd.concat(parts, ignore_index=True)
    steps = time_steps(pts)
    assert [s.label for s in steps] == [f"{y}-{y + 1}" for y in years]
    res = emerging_hotspots(pts, grid, steps)
    assert res.attrs["steps"] == [s.label for s in steps]
    assert res.loc[grid.n // 2, "trend_class"] == "new_hot"
    assert res.loc[grid.n // 3, "trend_class"] == "intensifying_hot"
    assert res.loc[grid.n // 3, "trend"] == "increasing"
    counts = res[[f"count_{j}" for j in range(5)]].to_numpy()
    assert counts.sum() == len(pts) - int((grid.cell_index(pts["lon"].to_numpy(),
                                                           pts["lat"].to_numpy()) < 0).sum())
    ref = pmk.original_test(res.loc[grid.n // 3, [f"z_{j}" for j in range(5)]].to_numpy(float))
    assert abs(res.loc[grid.n // 3, "mk_p"] - ref.p) <= 1e-9
    # few classes elsewhere: the uniform background has no story
    assert (res["trend_class"] != "none").mean() < 0.15


def test_time_steps_fall_back_to_quarters(outline) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    pts = pd.concat([_frame(*_uniform(rng, outline, 50), y, rng) for y in (2021, 2022)])
    steps = time_steps(pts)
    assert len(steps) == 8 and steps[0].label == "2021-2022 Q1"
    assert str(steps[0].start) == "2021-09-01 00:00:00+02:00"
    assert str(steps[1].start) == "2021-12-01 00:00:00+01:00"
    assert steps[-1].end == parse_period("2022-2023").end


# --- backtest ---------------------------------------------------------------------------------

def test_pai_and_rri_by_hand() -> None:
    assert pai(31, 100, 4, 100) == pytest.approx(7.75)
    assert rri(27, 50, 100, 50) == pytest.approx(0.27)
    assert np.isnan(pai(1, 0, 1, 1)) and np.isnan(rri(1, 0, 1, 1))


def test_backtest_on_a_tiny_district_by_hand() -> None:
    """A 1 km × 1 km district (100 cells of 100 m). Last year: 50 incidents in the middle
    cell C. Gi*: C and its 8 neighbours are hot (each has C in its window), 9 % of the area.
    This year: 27 incidents in C and 73 in the far corner cell. Hot cells catch 27 % on 9 %:
    PAI = 3; RRI = (27/50)/(100/50) = 0.27. The count baseline over the same area (C and the
    first eight cells in grid order) catches the same 27. The flagged site at C covers its
    circle (π·150² m²): PAI = 0.27 / (π·150²/10⁶)."""
    x0, y0 = 670_000.0, 6_575_000.0
    box = shapely.box(x0 + 0.001, y0 + 0.001, x0 + 999.999, y0 + 999.999)
    tr = TO_W
    district = shapely.transform(box, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    grid = build_grid(district, cell_size_m=100)
    assert grid.n == 100
    rng = np.random.default_rng(0)
    cx, cy = x0 + 550, y0 + 550

    def pts(x: np.ndarray, y: np.ndarray, year: int) -> pd.DataFrame:
        lon, lat = tr.transform(x, y)
        t = (pd.Timestamp(f"{year}-10-01 12:00", tz="Europe/Stockholm")
             + pd.to_timedelta(rng.integers(0, 200 * 24, len(x)), "h"))
        return pd.DataFrame({"kind": "incident", "occurred_at": t, "lon": lon, "lat": lat})

    before = pts(cx + rng.uniform(-40, 40, 50), cy + rng.uniform(-40, 40, 50), 2021)
    now = pd.concat([pts(cx + rng.uniform(-40, 40, 27), cy + rng.uniform(-40, 40, 27), 2022),
                     pts(x0 + 950 + rng.uniform(-40, 40, 73), y0 + 950 + rng.uniform(-40, 40, 73),
                         2022)], ignore_index=True)
    clon, clat = tr.transform(cx, cy)
    sites = pd.DataFrame({"id": [1], "name": ["Mitten"], "kind": ["school"], "zone": [None]})
    import geopandas as gpd

    sites = gpd.GeoDataFrame(sites, geometry=[shapely.Point(clon, clat)], crs="EPSG:4326")
    res = backtest(pd.concat([before, now], ignore_index=True), grid, sites, district,
                   parse_period("2022-2023")).set_index("method")
    hot = res.loc["hot_cells"]
    assert hot["previous"] == "2021-2022" and hot["cells"] == 9
    assert hot["area_share"] == pytest.approx(0.09, rel=1e-4)
    assert hot["hit_share"] == pytest.approx(0.27)
    assert hot["pai"] == pytest.approx(3.0, rel=1e-4)
    assert hot["rri"] == pytest.approx(0.27)
    assert hot["baseline_hit_share"] == pytest.approx(0.27)
    assert hot["baseline_pai"] == pytest.approx(3.0, rel=1e-4)
    places = res.loc["places"]
    assert places["cells"] == 1
    circle = shapely.Point(cx, cy).buffer(150, 256).area / 1e6
    assert places["area_share"] == pytest.approx(circle, rel=1e-3)
    assert places["pai"] == pytest.approx(0.27 / circle, rel=1e-3)
    assert places["baseline_area_share"] == pytest.approx(0.08, rel=1e-4)  # 8 cells ≥ circle
    assert places["baseline_pai"] == pytest.approx(0.27 / 0.08, rel=1e-4)


def _index(frame: pd.DataFrame, grid):  # type: ignore[no-untyped-def]
    from mapapp.render.data import PointIndex

    full = frame.assign(category="stold", source="t", zone_id=1, sensitive=False)
    return PointIndex.build(full, grid)


def test_the_map_uses_the_same_backtest_and_emerging_classes(outline) -> None:  # type: ignore[no-untyped-def]
    """The Karta line and the map layer come from the point index; they equal the analysis
    functions on the same points."""
    from mapapp.render.hotspot_layers import backtest_figures, emerging_cells, emerging_steps

    rng = np.random.default_rng(6)
    grid = build_grid(outline, cell_size_m=200)
    parts = [_frame(*_uniform(rng, outline, 2000), y, rng) for y in range(2018, 2023)]
    c = grid.polygons_metric[grid.n // 2].centroid
    for k, y in enumerate(range(2019, 2023)):
        lon, lat = TO_W.transform(c.x + rng.uniform(-80, 80, 30 + 20 * k),
                                  c.y + rng.uniform(-80, 80, 30 + 20 * k))
        parts.append(_frame(np.asarray(lon), np.asarray(lat), y, rng))
    pts = pd.concat(parts, ignore_index=True)
    idx = _index(pts, grid)
    base = np.ones(idx.n, dtype=bool)
    p, prev = parse_period("2022-2023"), parse_period("2021-2022")
    fig = backtest_figures(idx, base, grid, outline, p, prev)
    from mapapp.store.district import bundled_frames

    ref = backtest(pts, grid, bundled_frames()["sites"].iloc[:0], outline, p).set_index("method")
    for key in ("area_share", "hit_share", "pai", "rri", "baseline_hit_share", "baseline_pai"):
        assert fig[key] == pytest.approx(ref.loc["hot_cells", key], rel=1e-12), key
    steps = emerging_steps(idx, base, p)
    assert [s.label for s in steps] == [f"{y}-{y + 1}" for y in range(2018, 2023)]
    from layers.emerging import EMERGING_COLORS

    cells = emerging_cells(idx, base, grid, steps, colors=EMERGING_COLORS,
                           labels={k: k for k in EMERGING_COLORS}, tip="{n}")
    want = emerging_hotspots(pts, grid, steps)["trend_class"].to_numpy()
    assert list(cells.extra["classes_all"]) == list(want)
    assert cells.count == int((want != "none").sum()) and want[grid.n // 2] != "none"
