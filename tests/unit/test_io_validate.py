"""The point checks: coordinates (swapped, projected without CRS, outside, NaN/inf/empty),
categories, times, ids -- with the messages a user reads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from mapapp.crs import transformer
from mapapp.errors import DataValidationError
from mapapp.io.validate import PointsInput, check_points, content_ids, parse_number, parse_times
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def district():
    return gpd.read_file(ROOT / "data" / "geo" / "district.geojson").geometry.iloc[0]


@pytest.fixture(scope="module")
def schools():
    """Real schools of the district with their EPSG:3011 coordinates (the city's CSV)."""
    df = pd.read_csv(SHARED / "geo" / "skolor_forskolor_hagersten_alvsjo_bromma_stockholm_stad"
                     "_epsg3011.csv")
    d = gpd.read_file(ROOT / "data" / "geo" / "district.geojson").geometry.iloc[0]
    lon, lat = transformer("EPSG:3011", "EPSG:4326").transform(
        df["koordinat_east"].to_numpy(float), df["koordinat_north"].to_numpy(float))
    inside = gpd.GeoSeries(gpd.points_from_xy(lon, lat)).within(d).to_numpy()
    return df[inside].head(40).reset_index(drop=True)


def _inp(rows: dict[str, list[str]], coords: str = "latlon") -> PointsInput:
    frame = pd.DataFrame(rows, dtype="str")
    return PointsInput(frame, np.arange(2, len(frame) + 2), coords)  # type: ignore[arg-type]


def _check(inp, district, **kw):
    return check_points(inp, kind="incident", district=district, source="t", now=NOW, **kw)


def _good(n=1, **over):
    row = {"category": "stold", "occurred_at": "2024-03-05 21:14", "lat": "59.3010",
           "lon": "18.0010"}
    row.update(over)
    return {k: [v] * n for k, v in row.items()}


def test_a_good_row_passes(district):
    c = _check(_inp(_good()), district)
    assert c.problems == [] and len(c.valid) == 1
    assert c.valid["occurred_at"].iloc[0] == pd.Timestamp("2024-03-05 20:14", tz="UTC")
    assert c.valid["external_id"].iloc[0].startswith("sha1:")


def test_swapped_lat_lon_message_in_swedish_and_english(district):
    rows = {"category": ["stold"] * 17, "occurred_at": ["2024-03-05"] * 17,
            "lat": ["59.30"] * 16 + ["18.07"], "lon": ["18.00"] * 16 + ["59.31"]}
    c = _check(_inp(rows), district)
    # the 17th data row is spreadsheet row 18
    assert [(p.row, p.code) for p in c.problems] == [(18, "io.row.swapped")]
    assert [p.message for p in c.problems] == [
        "rad 18: lat 18.07 och lon 59.31 ser omkastade ut – byt plats på kolumnerna?"]
    assert c.problems[0].text("en") == "row 18: lat 18.07 and lon 59.31 look swapped – swap " \
                                       "the columns?"
    assert (c.problems[0].row, c.problems[0].field) == (18, "lat")


@pytest.mark.parametrize("value,key", [("", "saknas"), ("abc", "är inget tal"),
                                       ("NaN", "inget ändligt tal"), ("inf", "inget ändligt")])
def test_missing_and_non_finite_coordinates(district, value, key):
    c = _check(_inp(_good(lat=value)), district)
    assert len(c.problems) == 1 and key in c.problems[0].message
    assert c.problems[0].field == "lat" and len(c.valid) == 0


def test_decimal_comma(district):
    c = _check(_inp(_good(lat="59,3010", lon="18,0010")), district)
    assert c.problems == [] and c.valid["lat"].iloc[0] == pytest.approx(59.301)


def test_outside_the_district_refused_or_kept(district):
    # Stockholm's city centre: outside Hägersten-Älvsjö
    c = _check(_inp(_good(lat="59.3293", lon="18.0686")), district)
    assert "utanför Hägersten-Älvsjö" in c.problems[0].message
    assert "--keep-outside" in c.problems[0].message
    c = _check(_inp(_good(lat="59.3293", lon="18.0686")), district, keep_outside=True)
    assert c.problems == [] and c.outside == 1


def test_projected_without_crs_is_recognised_per_grid(district, schools):
    """Real school coordinates in SWEREF 99 18 00, and the same converted to SWEREF 99 TM."""
    x, y = schools["koordinat_east"].astype(float), schools["koordinat_north"].astype(float)
    n = len(schools)
    base = {"category": ["stold"] * n, "occurred_at": ["2024-03-05"] * n}
    c = _check(_inp({**base, "x": x.astype(str).tolist(), "y": y.astype(str).tolist()}, "xy"),
               district)
    assert any("EPSG:3011" in m.text("sv") and "tolkades" in m.text("sv") for m in c.messages)
    assert [m.key for m in c.messages] == ["io.crs.guessed"]
    assert c.problems == [] and len(c.valid) == n
    tx, ty = transformer("EPSG:3011", "EPSG:3006").transform(x.to_numpy(), y.to_numpy())
    c2 = _check(_inp({**base, "x": [str(v) for v in tx], "y": [str(v) for v in ty]}, "xy"),
                district)
    assert any("EPSG:3006" in m.text("sv") for m in c2.messages)
    np.testing.assert_allclose(c2.valid["lon"], c.valid["lon"], atol=1e-7)
    # projected numbers in lat/lon columns are recognised too
    c3 = _check(_inp({**base, "lat": y.astype(str).tolist(), "lon": x.astype(str).tolist()}),
                district)
    assert any("EPSG:3011" in m.text("sv") for m in c3.messages) and c3.problems == []


def test_projected_numbers_of_no_known_grid_are_refused_with_a_crs_hint(district):
    rows = {"category": ["stold"] * 3, "occurred_at": ["2024-03-05"] * 3,
            "x": ["400000", "400100", "400200"], "y": ["6200000", "6200100", "6200200"]}
    with pytest.raises(DataValidationError) as exc:
        _check(_inp(rows, "xy"), district)
    assert "--crs EPSG:3006" in str(exc.value) and "--crs EPSG:3011" in str(exc.value)


def test_given_crs_is_applied(district, schools):
    x, y = schools["koordinat_east"].astype(str), schools["koordinat_north"].astype(str)
    rows = {"category": ["stold"] * len(x), "occurred_at": ["2024-03-05"] * len(x),
            "x": x.tolist(), "y": y.tolist()}
    c = _check(_inp(rows, "xy"), district, crs="3011")
    assert c.problems == [] and any("EPSG:3011" in m.text("en") for m in c.messages)
    with pytest.raises(DataValidationError, match="Okänt koordinatsystem"):
        _check(_inp(rows, "xy"), district, crs="EPSG:999999")


def test_swapped_projected_columns(district, schools):
    x, y = schools["koordinat_east"].astype(str), schools["koordinat_north"].astype(str)
    rows = {"category": ["stold"] * 2, "occurred_at": ["2024-03-05"] * 2,
            "x": [x[0], y[1]], "y": [y[0], x[1]]}
    c = _check(_inp(rows, "xy"), district, crs="EPSG:3011")
    assert len(c.problems) == 1 and "omkastade" in c.problems[0].message
    assert c.problems[0].row == 3


def test_unknown_category_lists_the_allowed_ones(district):
    c = _check(_inp(_good(category="Fylla")), district)
    msg = c.problems[0].message
    assert "okänd kategori 'Fylla'" in msg and "narkotikabrott (Narkotikabrott)" in msg
    c = _check(_inp(_good(category="Våld i offentlig miljö")), district)
    assert c.valid["category"].iloc[0] == "vald_offentlig_miljo"


@pytest.mark.parametrize("value,expected", [
    ("2024-03-05 21:14", "2024-03-05 20:14"),            # winter: +01:00
    ("2024-07-05 21:14", "2024-07-05 19:14"),            # summer: +02:00
    ("2024-07-05T21:14:00+01:00", "2024-07-05 20:14"),   # the offset given wins
    ("2024-07-05T21:14:00Z", "2024-07-05 21:14"),
    ("2024-07-05 21.14", "2024-07-05 19:14"),            # Swedish 21.14
    ("2026-08-22 7:32:06 +02:00", "2026-08-22 05:32:06"),  # unpadded hour (Police API)
    ("2024-03-31 02:30", "2024-03-31 01:00"),            # skipped hour: moved forward
])
def test_times(value, expected):
    times, missing, bad = parse_times(pd.Series([value], dtype="str"))
    assert not missing[0] and not bad[0]
    assert times.iloc[0] == pd.Timestamp(expected, tz="UTC")


def test_unreadable_and_future_times(district):
    c = _check(_inp(_good(occurred_at="31/2 kl 25")), district)
    assert "'31/2 kl 25' går inte att läsa" in c.problems[0].message
    c = _check(_inp(_good(occurred_at="2031-01-01")), district)
    assert "ligger i framtiden" in c.problems[0].message


def test_repeated_id_names_the_first_row(district):
    rows = _good(3)
    rows["id"] = ["A", "B", "A"]
    c = _check(_inp(rows), district)
    assert [p.message for p in c.problems] == [
        "rad 4: id 'A' finns redan på rad 2 – varje rad behöver ett eget id."]


def test_content_hash_is_stable_and_content_sensitive():
    cat = pd.Series(["stold", "stold"])
    t = pd.Series(pd.to_datetime(["2024-01-01T10:00Z"] * 2))
    lon = np.array([18.0, 18.0])
    lat = np.array([59.3, 59.3])
    a = content_ids(cat, t, lon, lat, pd.Series(["x", "y"]))
    assert a[0] != a[1]
    assert content_ids(cat, t, lon, lat, pd.Series(["x", "y"])).tolist() == a.tolist()


def test_every_problem_of_a_file_is_reported_at_once(district):
    rows = {"category": ["Fylla", "stold"], "occurred_at": ["igår", "2024-01-01"],
            "lat": ["", "59.30"], "lon": ["18.0", "18.00"]}
    c = _check(_inp(rows), district)
    assert [(p.row, p.field) for p in c.problems] == [(2, "lat"), (2, "category"),
                                                      (2, "occurred_at")]
    assert c.rejected_pos.tolist() == [0] and c.valid_pos.tolist() == [1]


def test_parse_number_numeric_column_passes_through():
    v, missing, nan, inf = parse_number(pd.Series([1.5, np.nan, np.inf]))
    assert missing.tolist() == [False, True, False] and inf.tolist() == [False, False, True]


def test_the_same_id_under_two_sources_is_two_rows(district):
    rows = _good(2)
    rows["id"] = ["7", "7"]
    rows["source"] = ["polisen", "staden"]
    c = check_points(_inp(rows), kind="incident", district=district, source="", now=NOW)
    assert c.problems == [] and sorted(c.valid["source"]) == ["polisen", "staden"]
