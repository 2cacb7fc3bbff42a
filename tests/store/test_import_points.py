"""Importing point files on both backends: every format, idempotence, atomic refusal with the
database exactly as it was, zone/stadsdel counts equal to an independent count."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from mapapp.crs import transformer
from mapapp.errors import DataValidationError, PermissionDeniedError
from mapapp.io.pipeline import import_file
from mapapp.io.report import ImportOptions
from mapapp.store.models import AuditEvent, ImportBatch, Incident, Observation
from mapapp.store.points import load_points
from tests.conftest import ADMIN, COORDINATOR, READER, SHARED

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
GEO = ROOT / "data" / "geo"
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def counts(engine) -> dict[str, int]:
    with engine.connect() as c:
        return {m.__tablename__: c.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (Incident, Observation, ImportBatch, AuditEvent)}


def _opts(**kw) -> ImportOptions:
    kw.setdefault("now", NOW)
    return ImportOptions(**kw)


def _gpkg_points(tmp_path: Path) -> Path:
    """Real pre-schools of the district as a GeoPackage in SWEREF 99 TM."""
    g = gpd.read_file(SHARED / "geo" / "skolor_forskolor_hagersten_alvsjo_bromma_stockholm_stad"
                      "_wgs84.geojson")
    g = g[g["stadsdelsomrade"] == "Hägersten-Älvsjö"].head(12).copy()
    g["kategori"] = "klotter"
    g["tidpunkt"] = "2023-06-01 12:00"
    g["id"] = "gp-" + g["id"].astype(str)
    p = tmp_path / "obs.gpkg"
    g[["id", "kategori", "tidpunkt", "geometry"]].to_crs("EPSG:3006").to_file(
        p, layer="observationer", driver="GPKG")
    return p


def _shp_zip(tmp_path: Path) -> Path:
    g = gpd.read_file(SHARED / "geo" / "gtfs_sverige2_stops_hagersten_alvsjo_2022_wgs84.geojson")
    g = g[(g["mode_guess"] == "tunnelbana") & g["stadsdel"].notna()].copy()
    g["kategori"] = "Stöld"
    g["tidpunkt"] = "2022-11-05T18:30:00+01:00"
    g["id"] = g["stop_id"].astype(str)
    folder = tmp_path / "shp"
    folder.mkdir()
    g[["id", "kategori", "tidpunkt", "geometry"]].to_crs("EPSG:3011").to_file(
        folder / "stationer.shp")
    z = tmp_path / "stationer.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    return z


FORMATS = [  # (file or builder, kind, options, rows)
    ("incidents_en.csv", "incidents", {}, 10),
    ("handelser_sv.csv", "incidents", {}, 10),
    ("handelser.xlsx", "incidents", {}, 10),
    ("handelser_sweref99_1800.csv", "incidents", {"crs": "EPSG:3011"}, 10),
    ("observationer.geojson", "observations", {}, 5),
    (_gpkg_points, "observations", {}, 12),
    (_shp_zip, "incidents", {}, 10),
]


@pytest.mark.parametrize("src,kind,opts,n", FORMATS,
                         ids=[f if isinstance(f, str) else f.__name__ for f, *_ in FORMATS])
def test_every_format_imports_and_a_second_import_adds_nothing(store, tmp_path, src, kind,
                                                               opts, n):
    path = EXAMPLES / src if isinstance(src, str) else src(tmp_path)
    before = counts(store)
    r1 = import_file(store, COORDINATOR, path, kind, options=_opts(**opts))
    assert (r1.read, r1.written, r1.rejected, r1.duplicates) == (n, n, 0, 0)
    table = "incidents" if kind == "incidents" else "observations"
    assert counts(store)[table] == before[table] + n
    r2 = import_file(store, COORDINATOR, path, kind, options=_opts(**opts))
    assert (r2.written, r2.duplicates) == (0, n)
    assert counts(store)[table] == before[table] + n
    points = load_points(store, ADMIN, kind[:-1])
    assert points["zone"].notna().sum() + points["zone"].isna().sum() == len(points)
    assert points["stadsdel"].notna().all()  # every imported point lies in the district


def _real_points_csv(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """Schools and stations of the real files turned into an incidents CSV."""
    schools = gpd.read_file(SHARED / "geo" / "skolor_forskolor_hagersten_alvsjo_bromma_stockholm"
                            "_stad_wgs84.geojson")
    schools = schools[schools["stadsdelsomrade"] == "Hägersten-Älvsjö"]
    stops = gpd.read_file(SHARED / "geo" / "gtfs_sverige2_stops_hagersten_alvsjo_2022_wgs84"
                          ".geojson")
    stops = stops[stops["stadsdel"].notna()]
    pts = pd.concat([pd.DataFrame({"id": "s" + schools["id"].astype(str),
                                   "lon": schools.geometry.x, "lat": schools.geometry.y}),
                     pd.DataFrame({"id": "t" + stops["stop_id"].astype(str),
                                   "lon": stops.geometry.x, "lat": stops.geometry.y})])
    pts = pts.drop_duplicates("id").reset_index(drop=True)
    cats = ["narkotikabrott", "Stöld", "Skadegörelse", "ordningsstorning"]
    pts["kategori"] = [cats[i % 4] for i in range(len(pts))]
    pts["tidpunkt"] = [f"2022-{1 + i % 12:02d}-15 20:00" for i in range(len(pts))]
    p = tmp_path / "riktiga_punkter.csv"
    pts[["id", "kategori", "tidpunkt", "lat", "lon"]].to_csv(p, sep=";", index=False)
    return p, pts


def _first_containing(lon, lat, gdf: gpd.GeoDataFrame) -> list[str | None]:
    """Independent count: for each point, the first polygon (file order) that covers it."""
    out = []
    for x, y in zip(lon, lat, strict=True):
        pt = shapely.Point(x, y)
        out.append(next((n for n, g in zip(gdf["name"], gdf.geometry, strict=True)
                         if g.covers(pt)), None))
    return out


def test_zone_and_stadsdel_counts_equal_an_independent_point_in_polygon_count(store, tmp_path):
    path, pts = _real_points_csv(tmp_path)
    rep = import_file(store, COORDINATOR, path, "incidents", options=_opts(keep_outside=True))
    assert rep.written == len(pts) > 150
    got = load_points(store, ADMIN, "incident")
    got = got[got["source"] == "import"].sort_values("external_id")
    pts = pts.sort_values("id")
    zones = gpd.read_file(GEO / "zones.geojson")
    sds = gpd.read_file(GEO / "stadsdelar.geojson")
    exp_zone = pd.Series(_first_containing(pts["lon"], pts["lat"], zones)).value_counts()
    exp_sd = pd.Series(_first_containing(pts["lon"], pts["lat"], sds)).value_counts()
    assert got["zone"].value_counts().sort_index().to_dict() == exp_zone.sort_index().to_dict()
    assert got["stadsdel"].value_counts().sort_index().to_dict() == \
        exp_sd.sort_index().to_dict()
    assert rep.per_category == {"narkotikabrott": (len(pts) + 3) // 4,
                                "stold": (len(pts) + 2) // 4,
                                "skadegorelse": (len(pts) + 1) // 4,
                                "ordningsstorning": len(pts) // 4}


def _write_csv(tmp_path: Path, rows: list[list[str]], name: str = "in.csv") -> Path:
    p = tmp_path / name
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return p


HEAD = ["id", "kategori", "tidpunkt", "lat", "lon"]
GOOD = ["G1", "stold", "2024-03-05 21:14", "59.3010", "18.0010"]
BAD_CASES = {
    "swapped": (["B1", "stold", "2024-03-05", "18.07", "59.31"],
                "rad 3: lat 18.07 och lon 59.31 ser omkastade ut"),
    "outside": (["B1", "stold", "2024-03-05", "59.3293", "18.0686"],
                "utanför Hägersten-Älvsjö"),
    "nan": (["B1", "stold", "2024-03-05", "NaN", "18.0"], "inget ändligt tal"),
    "inf": (["B1", "stold", "2024-03-05", "59.3", "inf"], "inget ändligt tal"),
    "empty": (["B1", "stold", "2024-03-05", "", "18.0"], "lat saknas"),
    "category": (["B1", "Fylla", "2024-03-05", "59.3010", "18.0010"],
                 "okänd kategori 'Fylla' – använd en av: narkotikabrott"),
    "future": (["B1", "stold", "2040-01-01", "59.3010", "18.0010"], "ligger i framtiden"),
    "time": (["B1", "stold", "förra veckan", "59.3010", "18.0010"], "går inte att läsa"),
    "repeated_id": (["G1", "stold", "2024-03-06", "59.3010", "18.0010"],
                    "id 'G1' finns redan på rad 2"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_a_bad_row_refuses_the_file_and_leaves_the_database_as_it_was(store, tmp_path, case):
    row, message = BAD_CASES[case]
    path = _write_csv(tmp_path, [HEAD, GOOD, row])
    before = counts(store)
    with pytest.raises(DataValidationError) as exc:
        import_file(store, COORDINATOR, path, "incidents", options=_opts())
    assert message in str(exc.value)
    assert "Inget har sparats" in str(exc.value)
    assert all(p.row == 3 for p in exc.value.problems)
    assert counts(store) == before


def test_projected_coordinates_without_crs_refused_when_undecidable(store, tmp_path):
    path = _write_csv(tmp_path, [["kategori", "tidpunkt", "x", "y"],
                                 ["stold", "2024-03-05", "400000", "6200000"]])
    before = counts(store)
    with pytest.raises(DataValidationError, match="--crs EPSG:3006"):
        import_file(store, COORDINATOR, path, "incidents", options=_opts())
    assert counts(store) == before


def test_missing_column_and_wrong_geometry_type(store, tmp_path):
    before = counts(store)
    path = _write_csv(tmp_path, [["kategori", "lat", "lon"], ["stold", "59.3", "18.0"]])
    with pytest.raises(DataValidationError,
                       match=r"Kolumnen occurred_at saknas \(godtagna namn: occurred_at, tidp"):
        import_file(store, COORDINATOR, path, "incidents", options=_opts())
    gj = tmp_path / "lines.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"kategori": "klotter", "tidpunkt": "2024-01-01"},
        "geometry": {"type": "LineString", "coordinates": [[18.0, 59.30], [18.01, 59.30]]}}]}))
    with pytest.raises(DataValidationError, match="objekt 1: geometrin är LineString"):
        import_file(store, COORDINATOR, gj, "observations", options=_opts())
    assert counts(store) == before


def test_skip_invalid_writes_the_valid_rows_and_a_formula_safe_rejects_csv(store, tmp_path):
    path = _write_csv(tmp_path, [HEAD, GOOD, ["B2", "=HYPERLINK(\"http://x\")", "2024-03-05",
                                              "59.30", "18.00"],
                                 ["B3", "stold", "2024-03-05", "18.07", "59.31"]])
    before = counts(store)
    rep = import_file(store, COORDINATOR, path, "incidents",
                      options=_opts(skip_invalid=True, rejects_path=tmp_path / "fel.csv"))
    assert (rep.read, rep.written, rep.rejected) == (3, 1, 2)
    assert counts(store)["incidents"] == before["incidents"] + 1
    text = (tmp_path / "fel.csv").read_text("utf-8-sig")
    lines = list(csv.reader(text.splitlines(), delimiter=";"))
    assert lines[0] == ["rad", *HEAD, "fel"]
    assert [ln[0] for ln in lines[1:]] == ["3", "4"]
    assert lines[1][2].startswith("'=HYPERLINK")  # never run by a spreadsheet
    assert "okänd kategori" in lines[1][-1] and "omkastade" in lines[2][-1]


def test_keep_outside_keeps_a_point_without_zone_or_stadsdel(store, tmp_path):
    path = _write_csv(tmp_path, [HEAD, ["O1", "stold", "2024-03-05", "59.3293", "18.0686"]])
    rep = import_file(store, COORDINATOR, path, "incidents", options=_opts(keep_outside=True))
    assert (rep.written, rep.outside) == (1, 1)
    pts = load_points(store, ADMIN, "incident")
    row = pts[pts["external_id"] == "O1"].iloc[0]
    assert row["zone"] is None and row["stadsdel"] is None


def test_import_needs_the_import_right_and_is_audited(store, tmp_path):
    path = EXAMPLES / "incidents_en.csv"
    before = counts(store)
    with pytest.raises(PermissionDeniedError):
        import_file(store, READER, path, "incidents", options=_opts())
    assert counts(store) == before
    rep = import_file(store, COORDINATOR, path, "incidents", options=_opts())
    with store.connect() as c:
        batch = c.execute(select(ImportBatch).where(ImportBatch.id == rep.import_id)).one()
        ev = c.execute(select(AuditEvent.username, AuditEvent.action, AuditEvent.entity,
                              AuditEvent.detail).order_by(AuditEvent.id.desc())).first()
        linked = c.execute(select(func.count()).select_from(Incident)
                           .where(Incident.import_id == rep.import_id)).scalar_one()
    assert (batch.kind, batch.source, batch.rows_read, batch.rows_written) == \
        ("incident", "exempel", 10, 10)
    assert len(batch.file_sha256) == 64 and batch.username == COORDINATOR.username
    assert (ev.username, ev.action, ev.entity) == (COORDINATOR.username, "import", "incidents")
    assert ev.detail["written"] == 10 and linked == 10


def test_progress_reaches_the_total_and_english_messages(store, tmp_path):
    seen = []
    import_file(store, COORDINATOR, EXAMPLES / "handelser_sv.csv", "incidents",
                options=_opts(), progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 10) and seen[-1] == (10, 10)
    path = _write_csv(tmp_path, [HEAD, ["B1", "stold", "2024-03-05", "18.07", "59.31"]])
    with pytest.raises(DataValidationError) as exc:
        import_file(store, COORDINATOR, path, "incidents", options=_opts(output_lang="en"))
    english, swedish = exc.value.text("en"), exc.value.text("sv")
    assert "row 2: lat 18.07 and lon 59.31 look swapped – swap the columns?" in english
    assert "Nothing was saved" in english and "Nothing was saved" not in swedish
    assert "rad 2: lat 18.07 och lon 59.31 ser omkastade ut" in swedish
    assert str(exc.value) == swedish


def test_guessed_crs_is_applied_and_reported(store):
    rep = import_file(store, COORDINATOR, EXAMPLES / "handelser_sweref99_1800.csv", "incidents",
                      options=_opts())
    assert rep.written == 10
    assert any("EPSG:3011" in m.text("sv") and "tolkades" in m.text("sv") for m in rep.messages)
    assert any("EPSG:3011" in m.text("en") and "were read as" in m.text("en")
               for m in rep.notes())
    pts = load_points(store, ADMIN, "incident")
    xy = pts[pts["external_id"] == "XY-001"].iloc[0]
    en = pd.read_csv(EXAMPLES / "incidents_en.csv").iloc[0]
    x, y = transformer("EPSG:4326", "EPSG:3006").transform([xy["lon"], en["lon"]],
                                                            [xy["lat"], en["lat"]])
    assert abs(x[0] - x[1]) < 0.5 and abs(y[0] - y[1]) < 0.5  # the same place within 0.5 m


def test_preview_checks_everything_and_writes_nothing(store, tmp_path):
    from mapapp.io.pipeline import preview_file

    path = _write_csv(tmp_path, [HEAD, GOOD, ["B1", "stold", "2024-03-05", "18.07", "59.31"]])
    before = counts(store)
    pv = preview_file(store, COORDINATOR, path, "incidents", options=_opts())
    assert (pv.read, len(pv.points), pv.rejected) == (2, 1, 1)
    assert pv.points[["lon", "lat"]].iloc[0].tolist() == [18.001, 59.301]
    assert "omkastade" in pv.problems[0].message
    zv = preview_file(store, COORDINATOR, EXAMPLES / "zoner.geojson", "zones")
    assert list(zv.points["name"]) == ["Aspudden (exempel)"] and zv.problems == []
    assert counts(store) == before


def test_hostile_zip_is_refused_before_anything_is_read_or_written(store, tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../outside.shp", b"x")
    before = counts(store)
    with pytest.raises(DataValidationError, match="otillåten sökväg"):
        import_file(store, COORDINATOR, z, "incidents", options=_opts())
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.shp", b"\0" * 20_000_000)
    with pytest.raises(DataValidationError, match="zip-bomb"):
        import_file(store, COORDINATOR, z, "zones")
    assert counts(store) == before
    assert not (tmp_path.parent / "outside.shp").exists()
