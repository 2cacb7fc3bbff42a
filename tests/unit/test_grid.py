"""Grid hotspots: the grid covers the district, binning equals a per-point loop, the weights
are queen contiguity with self, and Gi* z-scores equal PySAL esda's G_Local(star=True)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.analysis.grid import (
    build_grid,
    classify,
    gi_star,
    grid_geojson,
    grid_hotspots,
    to_metric,
)
from mapapp.crs import transformer

GEO = Path(__file__).resolve().parents[1] / "data" / "shared" / "data" / "geo"


@pytest.fixture(scope="module")
def stadsdelar() -> gpd.GeoSeries:
    return gpd.read_file(GEO / "hagersten_alvsjo_stadsdelar_17_wgs84.geojson") \
        .set_index("stadsdel").geometry


@pytest.fixture(scope="module")
def district() -> shapely.Geometry:
    return gpd.read_file(GEO / "hagersten_alvsjo_stadsdelsomrade_dissolved_wgs84.geojson") \
        .geometry.iloc[0]


def esda_z(x: np.ndarray, grid: object) -> np.ndarray:
    import esda
    import libpysal

    w = libpysal.weights.W(grid.neighbours(include_self=False))  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # esda adds the self-weight 1 itself for star=True with binary weights.
        g = esda.G_Local(x, w, transform="B", star=True, permutations=0)
    return np.asarray(g.Zs)


def test_gi_star_equals_esda_on_a_real_sized_grid(stadsdelar: gpd.GeoSeries) -> None:
    grid = build_grid(stadsdelar["Västberga"], cell_size_m=100)
    assert 200 <= grid.n <= 1000
    x = np.random.default_rng(42).poisson(2.0, grid.n)
    diff = np.abs(gi_star(x, grid) - esda_z(x.astype(float), grid))
    assert diff.max() < 1e-9


def test_gi_star_equals_esda_with_a_planted_cluster(district: shapely.Geometry) -> None:
    grid = build_grid(district, cell_size_m=300)
    rng = np.random.default_rng(5)
    x = rng.poisson(1.0, grid.n).astype(float)
    x[grid.n // 2] += 40
    z = gi_star(x, grid)
    assert np.abs(z - esda_z(x, grid)).max() < 1e-9
    assert classify(z)[grid.n // 2] == "hot99"


def test_weights_are_binary_queen_contiguity_with_self(stadsdelar: gpd.GeoSeries) -> None:
    import libpysal

    grid = build_grid(stadsdelar["Långbro"], cell_size_m=100)
    w = grid.weights
    assert set(np.unique(w.data)) == {1.0}
    assert (w.diagonal() == 1).all()
    assert (w != w.T).nnz == 0
    queen = libpysal.weights.Queen.from_iterable(list(grid.polygons_metric))
    mine = grid.neighbours(include_self=False)
    assert all(set(queen.neighbors[i]) == set(mine[i]) for i in range(grid.n))
    assert max(len(v) for v in mine.values()) == 8


def test_grid_covers_the_district_with_snapped_square_cells(district: shapely.Geometry) -> None:
    grid = build_grid(district, cell_size_m=100)
    tr = transformer("EPSG:4326", "EPSG:3006")
    d3006 = shapely.transform(district, lambda xy: np.column_stack(tr.transform(*xy.T)))
    cells = shapely.union_all(grid.polygons_metric)
    assert shapely.difference(d3006, cells).area < 1e-3
    inter = shapely.area(shapely.intersection(grid.polygons_metric, d3006))
    assert (inter > 0).all()  # no cell merely touches the outline
    assert np.allclose(shapely.area(grid.polygons_metric), 100 * 100)
    b = shapely.bounds(grid.polygons_metric)
    assert (b[:, :2] % 100 == 0).all()
    first = grid.cell_ids[0]
    x0, y0 = b[0, 0], b[0, 1]
    assert first == f"100m-E{x0:.0f}-N{y0:.0f}"
    assert build_grid(district, cell_size_m=100) is grid  # built once, reused


def test_binning_equals_a_per_point_loop(stadsdelar: gpd.GeoSeries) -> None:
    grid = build_grid(stadsdelar["Solberga"], cell_size_m=100)
    rng = np.random.default_rng(9)
    minx, miny, maxx, maxy = stadsdelar["Solberga"].bounds
    lon = rng.uniform(minx - 0.003, maxx + 0.003, 600)
    lat = rng.uniform(miny - 0.002, maxy + 0.002, 600)
    # Points exactly on cell corners/edges (half-open cells: an edge point goes east/north).
    bounds = shapely.bounds(grid.polygons_metric)
    back = transformer("EPSG:3006", "EPSG:4326")
    ex, ey = back.transform(bounds[:20, 0], bounds[:20, 1])
    lon = np.concatenate([lon, ex, [np.nan]])
    lat = np.concatenate([lat, ey, [np.nan]])
    x, y = to_metric(lon, lat)
    expected = np.zeros(grid.n, dtype=int)
    for xi, yi in zip(x, y, strict=True):
        for j, (bx0, by0, bx1, by1) in enumerate(bounds):
            if bx0 <= xi < bx1 and by0 <= yi < by1:
                expected[j] += 1
                break
    assert grid.bin(lon, lat).tolist() == expected.tolist()


def test_classes_at_the_arcgis_thresholds() -> None:
    z = np.array([2.576, 2.5759, 1.96, 1.9599, 1.645, 1.6449, 0, -1.6449, -1.645, -1.96, -2.576])
    assert classify(z).tolist() == ["hot99", "hot95", "hot95", "hot90", "hot90", "ns", "ns",
                                    "ns", "cold90", "cold95", "cold99"]
    assert gi_star(np.full(5, 3.0), np.eye(5)).tolist() == [0.0] * 5


def make_points(district: shapely.Geometry, hot: tuple[float, float]) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    minx, miny, maxx, maxy = district.bounds
    n = 3000
    lon = np.concatenate([rng.uniform(minx, maxx, n), rng.normal(hot[0], 0.0004, 300)])
    lat = np.concatenate([rng.uniform(miny, maxy, n), rng.normal(hot[1], 0.0002, 300)])
    t = np.concatenate([
        rng.integers(pd.Timestamp("2020-09-01", tz="UTC").value,
                     pd.Timestamp("2022-06-01", tz="UTC").value, n),
        np.full(300, pd.Timestamp("2022-03-01T20:00:00Z").value)])
    return pd.DataFrame({"id": np.arange(len(lon)), "kind": "incident", "category": "x",
                         "occurred_at": pd.to_datetime(t, utc=True), "lon": lon, "lat": lat,
                         "zone": None})


def test_hotspots_for_the_latest_statistical_year_list_every_cell(
    district: shapely.Geometry, stadsdelar: gpd.GeoSeries
) -> None:
    c = stadsdelar["Älvsjö"].representative_point()
    pts = make_points(district, (c.x, c.y))
    grid = build_grid(district, cell_size_m=100)
    res = grid_hotspots(pts, grid)
    assert res.attrs["period"] == "2021-2022"
    assert len(res) == grid.n and (res["count"] == 0).any()
    ns = pd.DatetimeIndex(pts["occurred_at"])
    in_period = (ns >= pd.Timestamp("2021-09-01", tz="Europe/Stockholm")).sum()
    inside = grid.cell_index(pts["lon"].to_numpy(), pts["lat"].to_numpy()) >= 0
    assert res["count"].sum() == (inside & (ns >= pd.Timestamp("2021-09-01",
                                                                tz="Europe/Stockholm"))).sum()
    assert res["count"].sum() <= in_period
    hot_cell = grid.cell_index(np.array([c.x]), np.array([c.y]))[0]
    assert res["class"].iloc[hot_cell] == "hot99"
    assert np.allclose(res["z"], gi_star(res["count"].to_numpy(), grid))
    older = grid_hotspots(pts, grid, period="2020-2021")
    assert older.attrs["period"] == "2020-2021" and older["class"].iloc[hot_cell] != "hot99"


def test_geojson_lists_measures_of_hot_cells(district: shapely.Geometry,
                                            stadsdelar: gpd.GeoSeries) -> None:
    c = stadsdelar["Älvsjö"].representative_point()
    pts = make_points(district, (c.x, c.y))
    grid = build_grid(district, cell_size_m=100)
    res = grid_hotspots(pts, grid)
    hot_cell = int(grid.cell_index(np.array([c.x]), np.array([c.y]))[0])
    cold = int(np.flatnonzero(res["class"] == "ns")[0])
    zones = gpd.GeoDataFrame({"id": [1, 2], "name": ["Älvsjö/Solberga", "Långbro"],
                              "geometry": [stadsdelar["Älvsjö"].union(stadsdelar["Solberga"]),
                                           stadsdelar["Långbro"]]}, crs="EPSG:4326")
    measures = pd.DataFrame({
        "id": [1, 2, 3, 4],
        "zone": ["Älvsjö/Solberga", "Älvsjö/Solberga", "Långbro", None],
        "site": [None, "Älvsjö centrum", None, None],
        "cell_id": [None, None, None, grid.cell_ids[hot_cell]],
        "title": ["Fältassistenter kvällstid", "Ordningsvakter", "Belysning", "Kamera"],
        "status": ["pagaende", "planerad", "planerad", "planerad"],
        "actor": ["SDF", "Citycon", "Trafikkontoret", "Polisen"],
        "start": [pd.Timestamp("2022-01-10").date()] * 4, "due": [None] * 4,
    })
    sites = gpd.GeoDataFrame({"name": ["Älvsjö centrum", "Långbro gård"],
                              "geometry": [shapely.Point(c.x, c.y),
                                           stadsdelar["Långbro"].representative_point()]},
                             crs="EPSG:4326")
    fc = grid_geojson(grid, res, measures=measures, zones=zones, sites=sites)
    text = json.dumps(fc, allow_nan=False, ensure_ascii=False)
    assert len(fc["features"]) == grid.n and fc["period"] == "2021-2022"
    props = fc["features"][hot_cell]["properties"]
    assert {m["title"] for m in props["measures"]} == {"Fältassistenter kvällstid", "Kamera",
                                                      "Ordningsvakter"}
    assert props["class"] == "hot99" and "class_label" not in props  # words at the edges
    assert {m["scope"] for m in props["measures"]} == {"zone", "cell", "site"}
    others = [f["properties"]["measures"] for i, f in enumerate(fc["features"])
              if f["properties"]["class"].startswith("hot") and i != hot_cell]
    assert others  # random hot cells elsewhere: zone measures only, not the cell's or site's
    assert all({m["title"] for m in ms} <= {"Fältassistenter kvällstid", "Belysning"}
               for ms in others)
    assert fc["features"][cold]["properties"]["measures"] == []
    assert set(props) >= {"cell_id", "count", "z", "class"}
    assert "pagaende" in text and "Pågående" not in text  # status code, label at the edges
    geom = shapely.geometry.shape(fc["features"][hot_cell]["geometry"])
    assert geom.contains(shapely.Point(c.x, c.y))


def test_no_data_gives_an_empty_non_significant_grid(district: shapely.Geometry) -> None:
    grid = build_grid(district, cell_size_m=250)
    empty = pd.DataFrame({"occurred_at": pd.to_datetime([], utc=True), "lon": [], "lat": []})
    res = grid_hotspots(empty, grid)
    assert res.attrs["period"] is None
    assert (res["count"] == 0).all() and (res["class"] == "ns").all()


def test_h3_grid_option(stadsdelar: gpd.GeoSeries) -> None:
    h3 = pytest.importorskip("h3")
    grid = build_grid(stadsdelar["Västberga"], cell_size_m=100, kind="h3")
    assert all(h3.is_valid_cell(c) for c in grid.cell_ids)
    assert max(len(v) for v in grid.neighbours(include_self=True).values()) == 7
    x = np.random.default_rng(3).poisson(2.0, grid.n)
    assert np.abs(gi_star(x, grid) - esda_z(x.astype(float), grid)).max() < 1e-9
    c = stadsdelar["Västberga"].representative_point()
    counts = grid.bin(np.array([c.x, c.x, 0.0]), np.array([c.y, c.y, 0.0]))
    assert counts.sum() == 2
