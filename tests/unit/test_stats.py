"""Period statistics: counts per zone × category × period equal an independent per-point
computation (shapely + zoneinfo loop), on zone borders and on period boundaries."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from mapapp.analysis import zoning
from mapapp.analysis.stats import (
    RECORD_KEYS,
    csv_text,
    fmt_number,
    period_counts,
    stats_records,
    stats_table,
    stats_wide,
    to_csv_rows,
)
from mapapp.errors import NotFoundError

GEO = Path(__file__).resolve().parents[1] / "data" / "shared" / "data" / "geo"
STO = ZoneInfo("Europe/Stockholm")
CATS = ["narkotikabrott", "personran", "klotter", "belysning"]


def make_zones() -> gpd.GeoDataFrame:
    """Two adjacent squares (shared border at lon 17.95) and two real stadsdelar that share a
    border (Fruängen, Västertorp)."""
    st = gpd.read_file(GEO / "hagersten_alvsjo_stadsdelar_17_wgs84.geojson")
    real = st.set_index("stadsdel").geometry
    return gpd.GeoDataFrame({
        "id": [1, 2, 3, 4],
        "name": ["Ruta A", "Ruta B", "Fruängen", "Västertorp"],
        "population": pd.array([2000, None, 11000, 9000], dtype="Int64"),
        "geometry": [shapely.box(17.94, 59.300, 17.95, 59.305),
                     shapely.box(17.95, 59.300, 17.96, 59.305),
                     real["Fruängen"], real["Västertorp"]],
    }, crs="EPSG:4326")


def border_points(zones: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    a, b = zones.geometry.iloc[0], zones.geometry.iloc[1]
    shared = shapely.intersection(zones.geometry.iloc[2].boundary, zones.geometry.iloc[3].boundary)
    verts = shapely.get_coordinates(shared)[:5]
    assert len(verts) >= 2, "Fruängen and Västertorp share a border"
    on_squares = [(17.95, 59.301), (17.95, 59.3025), (17.95, 59.305)]
    assert all(a.intersects(shapely.Point(p)) and b.intersects(shapely.Point(p))
               for p in on_squares)
    return on_squares + [tuple(v) for v in verts]


def boundary_times(start_month: int) -> list[datetime]:
    """Instants within minutes of local midnight starting a statistical year and a calendar
    year, in 2021 and 2022 (summer time for September, winter time for January)."""
    out = []
    for year in (2021, 2022):
        for month in (start_month, 1):
            midnight = datetime(year, month, 1, tzinfo=STO)
            out += [(midnight + timedelta(minutes=m)).astimezone(UTC) for m in (-30, -1, 0, 10)]
    return out


def make_points(zones: gpd.GeoDataFrame, n: int = 400, seed: int = 3,
                start_month: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = zones.total_bounds
    lon = list(rng.uniform(minx - 0.01, maxx + 0.01, n))
    lat = list(rng.uniform(miny - 0.005, maxy + 0.005, n))
    secs = rng.integers(int(datetime(2019, 6, 1, tzinfo=UTC).timestamp()),
                        int(datetime(2023, 3, 1, tzinfo=UTC).timestamp()), n)
    times = [datetime.fromtimestamp(int(s), tz=UTC) for s in secs]
    # Border points at period-boundary times.
    extra_t = boundary_times(start_month)
    for i, (x, y) in enumerate(border_points(zones) * 4):
        lon.append(x)
        lat.append(y)
        times.append(extra_t[i % len(extra_t)])
    m = len(lon)
    lon_a, lat_a = np.array(lon), np.array(lat)
    lon_a[5] = lat_a[5] = np.nan  # an unplaced point: zone None
    zi = zoning.assign(lon_a, lat_a, list(zones.geometry))
    names = np.array(list(zones["name"]) + [None], dtype=object)
    return pd.DataFrame({
        "id": np.arange(m), "kind": rng.choice(["incident", "observation"], m),
        "source": "test", "category": rng.choice(CATS, m),
        "occurred_at": pd.to_datetime(times, utc=True), "lon": lon_a, "lat": lat_a,
        "zone": names[zi], "zone_id": pd.array(np.where(zi >= 0, zi + 1, None), dtype="Int64"),
        "stadsdel": None, "precision": "exact", "description": "", "sensitive": False,
    })


def independent(points: pd.DataFrame, zones: gpd.GeoDataFrame, kind: str,
                start_month: int = 9) -> Counter[tuple[str | None, str, str]]:
    """A plain loop: first zone (in order) whose polygon contains or touches the point, the
    local date by zoneinfo."""
    out: Counter[tuple[str | None, str, str]] = Counter()
    polys = list(zip(zones["name"], zones.geometry, strict=True))
    for row in points.itertuples():
        zone = None
        if not (np.isnan(row.lon) or np.isnan(row.lat)):
            p = shapely.Point(row.lon, row.lat)
            zone = next((name for name, g in polys if g.intersects(p)), None)
        local = row.occurred_at.to_pydatetime().astimezone(STO)
        if kind == "calendar":
            label = f"{local.year}"
        else:
            y = local.year if local.month >= start_month else local.year - 1
            label = f"{y}-{y + 1}"
        out[(zone, row.category, label)] += 1
    return out


@pytest.fixture(scope="module")
def zones() -> gpd.GeoDataFrame:
    return make_zones()


@pytest.fixture(scope="module")
def points(zones: gpd.GeoDataFrame) -> pd.DataFrame:
    return make_points(zones)


@pytest.mark.parametrize("kind", ["statistical", "calendar"])
def test_counts_equal_an_independent_loop(points: pd.DataFrame, zones: gpd.GeoDataFrame,
                                          kind: str) -> None:
    recs = stats_records(points, zones=zones, period_kind=kind)
    for k in ("incident", "observation"):
        got = Counter({(r["zone"], r["category"], r["period"]): r["count"] for r in recs
                       if r["kind"] == k and r["count"] > 0})
        assert got == independent(points[points["kind"] == k], zones, kind)
    assert sum(r["count"] for r in recs) == len(points)
    assert all(r["count"] > 0 or r["previous"] for r in recs)


def test_start_month_march_in_winter_time(zones: gpd.GeoDataFrame) -> None:
    pts = make_points(zones, n=150, seed=11, start_month=3)
    recs = stats_records(pts, zones=zones, stat_year_start_month=3, kind="incident")
    got = Counter({(r["zone"], r["category"], r["period"]): r["count"] for r in recs
                   if r["count"]})
    assert got == independent(pts[pts["kind"] == "incident"], zones, "statistical",
                              start_month=3)


def test_border_points_count_once_in_the_first_zone(points: pd.DataFrame,
                                                    zones: gpd.GeoDataFrame) -> None:
    on_border = points[(points["lon"] == 17.95) & (points["lat"].between(59.300, 59.305))]
    assert len(on_border) > 0
    assert set(on_border["zone"]) == {"Ruta A"}
    real_border = border_points(zones)[3:]
    on_real = points[[(x, y) in real_border for x, y in zip(points["lon"], points["lat"],
                                                            strict=True)]]
    assert len(on_real) == 4 * len(real_border)
    assert set(on_real["zone"]) == {"Fruängen"}
    df = period_counts(points, zones=zones)
    assert df["count"].sum() == len(points)


def test_json_records_have_exactly_the_documented_keys(points: pd.DataFrame,
                                                       zones: gpd.GeoDataFrame) -> None:
    recs = stats_records(points, zones=zones)
    text = json.dumps(recs, ensure_ascii=False)
    back = json.loads(text)
    assert {tuple(r) for r in back} == {RECORD_KEYS}
    assert {r["kind"] for r in back} == {"incident", "observation"}
    assert any(r["zone"] is None for r in back)  # points outside every zone
    zones_order = [r["zone"] for r in back]
    first_seen = list(dict.fromkeys(zones_order))
    assert first_seen == ["Ruta A", "Ruta B", "Fruängen", "Västertorp", None]


def test_change_and_per_1000(zones: gpd.GeoDataFrame) -> None:
    # Ruta A: 4 points in 2020-2021, 6 in 2021-2022; Ruta B: 0 then 3.
    t0 = pd.Timestamp("2021-03-01T12:00:00Z")
    t1 = pd.Timestamp("2022-03-01T12:00:00Z")
    rows = [("Ruta A", t0)] * 4 + [("Ruta A", t1)] * 6 + [("Ruta B", t1)] * 3
    pts = pd.DataFrame({"zone": [z for z, _ in rows], "category": "narkotikabrott",
                        "occurred_at": pd.to_datetime([t for _, t in rows], utc=True)})
    df = period_counts(pts, zones=zones).set_index(["zone", "category", "period"])
    a = df.loc[("Ruta A", "narkotikabrott", "2021-2022")]
    assert a["count"] == 6 and a["change_abs"] == 2
    assert a["change_pct"] == pytest.approx(100 * (6 - 4) / 4)
    assert a["per_1000"] == pytest.approx(6 / 2000 * 1000)
    first = df.loc[("Ruta A", "narkotikabrott", "2020-2021")]
    assert pd.isna(first["change_abs"]) and pd.isna(first["change_pct"])
    b = df.loc[("Ruta B", "narkotikabrott", "2021-2022")]
    assert b["change_abs"] == 3 and pd.isna(b["change_pct"])  # previous was 0
    assert pd.isna(b["per_1000"])  # no population figure
    # Zones without points still get rows (zero-filled) in the tidy frame, not in the records.
    assert df.loc[("Fruängen", "narkotikabrott", "2021-2022")]["count"] == 0
    assert all(r["zone"] != "Fruängen" for r in stats_records(pts, zones=zones))


def test_kind_filter_splits_shared_codes(points: pd.DataFrame, zones: gpd.GeoDataFrame) -> None:
    both = stats_records(points, zones=zones, kind="all")
    split = []
    for kind in ("incident", "observation"):
        recs = stats_records(points, zones=zones, kind=kind)
        assert {r["kind"] for r in recs} == {kind}
        assert sum(r["count"] for r in recs) == (points["kind"] == kind).sum()
        split += recs
    assert both == split  # "all" lists each kind apart, never a sum


def test_zone_filter_and_unknown_zone(points: pd.DataFrame, zones: gpd.GeoDataFrame) -> None:
    only = stats_records(points, zones=zones, zone="Fruängen")
    assert {r["zone"] for r in only} == {"Fruängen"}
    full = [r for r in stats_records(points, zones=zones) if r["zone"] == "Fruängen"]
    assert only == full
    with pytest.raises(NotFoundError, match="Fruängen"):
        stats_records(points, zones=zones, zone="Atlantis")


def test_string_dtype_zone_column_with_missing_values(points: pd.DataFrame,
                                                      zones: gpd.GeoDataFrame) -> None:
    as_str = points.assign(zone=points["zone"].astype("str"),
                           category=points["category"].astype("category"))
    as_str.loc[as_str["zone"] == "None", "zone"] = np.nan
    assert stats_records(as_str, zones=zones) == stats_records(points, zones=zones)


def test_rolling12_counts(points: pd.DataFrame, zones: gpd.GeoDataFrame) -> None:
    ref = date(2022, 6, 15)
    recs = stats_records(points, zones=zones, period_kind="rolling12",
                         reference=pd.Timestamp(ref))
    got: Counter[str] = Counter()
    for r in recs:
        got[r["period"]] += r["count"]
    expected: Counter[str] = Counter()
    for t in points["occurred_at"]:
        d = t.to_pydatetime().astimezone(STO).date()
        last = ref
        while d <= last.replace(year=last.year - 1):
            last = last.replace(year=last.year - 1)
        if d <= last:
            first = last.replace(year=last.year - 1) + timedelta(days=1)
            expected[f"{first.isoformat()}–{last.isoformat()}"] += 1
    assert got == expected
    assert "2021-06-16–2022-06-15" in got


def test_table_is_swedish_and_csv_is_machine_readable(zones: gpd.GeoDataFrame) -> None:
    t0, t1 = pd.Timestamp("2021-03-01T12:00:00Z"), pd.Timestamp("2022-03-01T12:00:00Z")
    pts = pd.DataFrame({"zone": ["Ruta A"] * 3 + [None], "category": "vald_offentlig_miljo",
                        "occurred_at": pd.to_datetime([t0, t0, t1, t1], utc=True)})
    frame = period_counts(pts, zones=zones)
    head, rows = stats_table(frame)
    assert head[0] == "Område" and "Per 1 000 inv." in head
    row = next(r for r in rows if r[0] == "Ruta A" and r[2].startswith("2021-2022"))
    # The data end on 2022-03-01: the period is marked incomplete, compared day for day.
    assert row[2] == "2021-2022 (ofullständig, data t.o.m. 2022-03-01)"
    assert row[8] == "oförändrat inom normal variation" and "↓" not in " ".join(row)
    assert row[1] == "Våld i offentlig miljö"
    assert row[4] == "−1" and row[5] == "−50,0 %" and row[6] == "0,50"
    assert any(r[0] == "Utanför distriktet" for r in rows)
    _, rows_en = stats_table(frame, lang="en")
    assert next(r for r in rows_en if r[0] == "Ruta A"
                and r[2].startswith("2021-2022"))[5] == "-50.0 %"
    out = list(csv.reader(io.StringIO(csv_text(to_csv_rows(stats_records(pts, zones=zones))))))
    assert out[0] == list(RECORD_KEYS)
    assert ["", "vald_offentlig_miljo", "2021-2022", "", "1", "false", "0", "1", "", "1.0",
            "false", "stable"] in out
    wide = stats_wide(frame)
    assert list(wide.columns) == ["2020-2021", "2021-2022"]
    assert wide.loc[("Ruta A", "vald_offentlig_miljo")].tolist() == [2, 1]


def test_csv_cells_never_run_as_formulas() -> None:
    rows = to_csv_rows([{"name": "=HYPERLINK(\"x\")", "n": -3, "z": float("nan")}])
    assert rows[1] == ["'=HYPERLINK(\"x\")", "-3", ""]
    assert fmt_number(1234.5) == "1\u202f234,5"
