"""Zones from GIS files and statistics tables into the store (both backends)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from mapapp.cli import main
from mapapp.errors import DataValidationError
from mapapp.io.pipeline import import_file
from mapapp.io.report import ImportOptions
from mapapp.io.statistics import (
    import_statistics,
    set_category_mapping,
    statistics_frame,
    statistics_records,
)
from mapapp.io.stattable import parse_count, parse_period
from mapapp.store.district import zones_frame
from mapapp.store.models import (
    AuditEvent,
    ImportBatch,
    StatisticTable,
    StatisticValue,
    Zone,
)
from mapapp.store.points import load_points
from tests.conftest import ADMIN, COORDINATOR, READER, SHARED

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
GPKG_3011 = SHARED / "geo" / "hagersten_alvsjo_stadsdelar_17_epsg3011.gpkg"


def _count(engine, model) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(model)).scalar_one())


def _snapshot(engine) -> dict[str, object]:
    z = zones_frame(engine)
    return {"zones": sorted(zip(z["name"], [g.wkb for g in z.geometry], strict=True)),
            "stat_tables": _count(engine, StatisticTable),
            "stat_values": _count(engine, StatisticValue),
            "imports": _count(engine, ImportBatch), "audit": _count(engine, AuditEvent)}


# --- zones -----------------------------------------------------------------------------------

def test_new_zone_moves_its_points_and_a_second_import_changes_nothing(store):
    import_file(store, COORDINATOR, EXAMPLES / "handelser_sv.csv", "incidents",
                options=ImportOptions())
    rep = import_file(store, ADMIN, EXAMPLES / "zoner.geojson", "zones")
    assert (rep.zones_added, rep.zones_updated) == (1, 0)
    zone = gpd.read_file(EXAMPLES / "zoner.geojson").geometry.iloc[0]
    pts = load_points(store, ADMIN, "incident")
    inside = [zone.covers(shapely.Point(x, y)) for x, y in zip(pts["lon"], pts["lat"],
                                                                strict=True)]
    assert sum(inside) >= 1
    assert list(pts.loc[inside, "zone"].unique()) == ["Aspudden (exempel)"]
    again = import_file(store, ADMIN, EXAMPLES / "zoner.geojson", "zones")
    assert (again.zones_added, again.zones_updated, again.zones_unchanged) == (0, 0, 1)
    with store.connect() as c:
        ev = c.execute(select(AuditEvent.entity, AuditEvent.detail)
                       .where(AuditEvent.action == "import")
                       .order_by(AuditEvent.id.desc())).first()
    assert ev.entity == "zones" and ev.detail["names"] == ["Aspudden (exempel)"]


def test_zone_geometry_update_from_a_geopackage_in_another_crs(store, tmp_path):
    """Telefonplan becomes all of Midsommarkransen (the real polygon, EPSG:3011)."""
    import_file(store, COORDINATOR, EXAMPLES / "handelser_sv.csv", "incidents",
                options=ImportOptions())
    g = gpd.read_file(GPKG_3011)
    g = g[g["stadsdel"].str.casefold() == "midsommarkransen"].copy()
    g["name"] = "Telefonplan"
    p = tmp_path / "telefonplan.gpkg"
    g[["name", "geometry"]].to_file(p, layer="zoner", driver="GPKG")
    rep = import_file(store, ADMIN, p, "zones")
    assert (rep.zones_added, rep.zones_updated) == (0, 1)
    z = zones_frame(store)
    new = z[z["name"] == "Telefonplan"].geometry.iloc[0]
    expected = g.to_crs("EPSG:4326").geometry.iloc[0]
    assert new.symmetric_difference(expected).area < 1e-9
    assert z[z["name"] == "Telefonplan"]["lagesbild"].iloc[0] != ""  # its lägesbild is kept
    # every point is in the zone an independent count says (first zone in id order wins)
    pts = load_points(store, ADMIN, "incident")
    for x, y, got in zip(pts["lon"], pts["lat"], pts["zone"], strict=True):
        want = next((n for n, geom in zip(z["name"], z.geometry, strict=True)
                     if geom.covers(shapely.Point(x, y))), None)
        assert got == want


def _bowtie(tmp_path: Path) -> Path:
    # Self-intersecting ring inside Västberga.
    ring = [[18.000, 59.290], [18.010, 59.296], [18.010, 59.290], [18.000, 59.296],
            [18.000, 59.290]]
    doc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "namn": "Fjäril", "typ": "fokusplats"}, "geometry": {"type": "Polygon",
                                                             "coordinates": [ring]}}]}
    p = tmp_path / "bowtie.geojson"
    p.write_text(json.dumps(doc), "utf-8")
    return p


def test_invalid_polygon_is_refused_with_reason_and_place_or_repaired(store, tmp_path):
    p = _bowtie(tmp_path)
    before = _snapshot(store)
    with pytest.raises(DataValidationError) as exc:
        import_file(store, ADMIN, p, "zones")
    msg = exc.value.problems[0].message
    assert msg.startswith("objekt 1 (Fjäril): ogiltig polygon – Self-intersection vid 18.005")
    assert "--repair" in msg
    assert _snapshot(store) == before
    rep = import_file(store, ADMIN, p, "zones", options=ImportOptions(repair=True))
    assert rep.zones_added == 1 and rep.per_category["repaired"] == 1
    with store.connect() as c:
        z = c.execute(select(Zone.kind, Zone.repaired, Zone.geom_wkb)
                      .where(Zone.name == "Fjäril")).one()
    assert z.kind == "fokusplats" and z.repaired is True
    assert shapely.from_wkb(z.geom_wkb).is_valid


def test_zone_outside_the_district_and_points_are_refused(store, tmp_path):
    far = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Gamla stan"}, "geometry": {
            "type": "Polygon", "coordinates": [[[18.06, 59.32], [18.08, 59.32], [18.08, 59.33],
                                                [18.06, 59.32]]]}},
        {"type": "Feature", "properties": {"name": "Punkt"}, "geometry": {
            "type": "Point", "coordinates": [18.0, 59.3]}},
        {"type": "Feature", "properties": {"name": ""}, "geometry": None}]}
    p = tmp_path / "far.geojson"
    p.write_text(json.dumps(far), "utf-8")
    before = _snapshot(store)
    with pytest.raises(DataValidationError) as exc:
        import_file(store, ADMIN, p, "zones")
    text = str(exc.value)
    assert "objekt 1 (Gamla stan): området ligger helt utanför" in text
    assert "objekt 2 (Punkt): geometrin är Point, inte en polygon" in text
    assert "objekt 3: namn saknas" in text
    assert _snapshot(store) == before


# --- statistics ------------------------------------------------------------------------------

def _file_cells(path: Path) -> dict[tuple[str, str, str], int]:
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    return {(a, c, parse_period(p)[0]): parse_count(n)[0] for a, c, p, n in rows[1:]}


def test_long_table_listed_figures_equal_the_files_cells(store):
    path = EXAMPLES / "statistik_lang.csv"
    rep = import_statistics(store, COORDINATOR, path, source="polisen",
                            extracted="2023-04-01", preliminary=True)
    assert rep.values == 30 and rep.comparison_areas == ["Bromma"]
    records = statistics_records(store, READER)
    assert {(r["area"], r["category"], r["period"]): r["count"] for r in records} == \
        _file_cells(path)
    assert all(r["source"] == "polisen" and r["preliminary"] is True for r in records)
    frame = statistics_frame(store, READER)
    assert set(frame.loc[frame["area"] == "Bromma", "area_kind"]) == {"comparison"}
    assert set(frame.loc[frame["area"] == "Hägersten-Älvsjö", "area_kind"]) == {"district"}
    codes = dict(zip(frame["category"], frame["category_code"], strict=True))
    assert codes["Narkotikabrott"] == "narkotikabrott"
    assert codes["Bedrägeri mot äldre/funktionsnedsatta"] == "bedrageri_aldre"
    assert str(frame["extracted"].iloc[0]) == "2023-04-01"
    before = _snapshot(store)
    again = import_statistics(store, COORDINATOR, path, source="polisen",
                              extracted="2023-04-01", preliminary=True)
    assert again.unchanged and again.table_id == rep.table_id
    after = _snapshot(store)
    assert {k: v for k, v in after.items() if k not in ("imports", "audit")} == \
        {k: v for k, v in before.items() if k not in ("imports", "audit")}
    assert statistics_records(store, READER) == records


def test_wide_and_monthly_extracts_in_their_own_shapes(store):
    a = import_statistics(store, COORDINATOR, EXAMPLES / "statistik_bred_hagersten-alvsjo.csv",
                          source="polisen")
    b = import_statistics(store, COORDINATOR, EXAMPLES / "statistik_manad_bromma_2022.xlsx",
                          source="stadens statistik")
    assert (a.values, b.values) == (15, 36)
    rec = statistics_records(store, READER, area="BROMMA")
    assert len(rec) == 36 and {r["period"] for r in rec} == {f"2022-{m:02d}"
                                                            for m in range(1, 13)}
    assert next(r["count"] for r in rec if r["category"] == "Narkotika"
                and r["period"] == "2022-01") == 20


def test_unreadable_cell_is_refused_with_row_and_column_and_nothing_written(store, tmp_path):
    src = (EXAMPLES / "statistik_bred_hagersten-alvsjo.csv").read_text("utf-8-sig")
    p = tmp_path / "statistik_hagersten-alvsjo.csv"
    p.write_text(src.replace(";219", ";2l9"), "utf-8")
    before = _snapshot(store)
    with pytest.raises(DataValidationError) as exc:
        import_statistics(store, COORDINATOR, p, source="polisen")
    [pr] = exc.value.problems
    assert (pr.row, pr.field, pr.code) == (5, "2021–2022", "io.stat.bad_count")
    assert pr.message == ("rad 5, kolumn E (2021–2022): värdet '2l9' är inget antal – skriv ett "
                          "heltal (t.ex. 1 234) eller lämna cellen tom.")
    assert pr.text("en") == ("row 5, column E (2021–2022): the value '2l9' is not a count – "
                             "write a whole number (e.g. 1 234) or leave the cell empty.")
    assert _snapshot(store) == before


def test_reimport_replaces_and_a_newer_extract_supersedes_overlapping_cells(store, tmp_path):
    path = EXAMPLES / "statistik_lang.csv"
    import_statistics(store, COORDINATOR, path, source="polisen", preliminary=True)
    changed = tmp_path / "statistik_lang.csv"
    changed.write_text(path.read_text("utf-8-sig").replace(";412", ";415"), "utf-8")
    rep = import_statistics(store, COORDINATOR, changed, source="polisen")
    assert rep.replaced and not rep.unchanged
    assert _count(store, StatisticValue) == 30  # replaced, not doubled
    recs = statistics_records(store, READER, area="Hägersten-Älvsjö")
    assert next(r["count"] for r in recs if r["category"] == "Narkotikabrott"
                and r["period"] == "2019-2020") == 415
    assert all(r["preliminary"] is False for r in recs)
    # the wide file of the same source covers the district's 15 cells: it supersedes them
    import_statistics(store, COORDINATOR, EXAMPLES / "statistik_bred_hagersten-alvsjo.csv",
                      source="polisen")
    assert _count(store, StatisticValue) == 30
    frame = statistics_frame(store, READER, area="Hägersten-Älvsjö")
    assert set(frame["table"]) == {"statistik_bred_hagersten-alvsjo.csv"}


def test_category_mapping_is_editable(store):
    import_statistics(store, COORDINATOR, EXAMPLES / "statistik_manad_bromma_2022.xlsx",
                      source="staden")
    frame = statistics_frame(store, READER)
    assert frame.loc[frame["category"] == "Misshandel", "category_code"].isna().all()
    assert set(frame.loc[frame["category"] == "Narkotika", "category_code"]) == \
        {"narkotikabrott"}
    n = set_category_mapping(store, ADMIN, "misshandel", "vald_offentlig_miljo")
    assert n == 12
    frame = statistics_frame(store, READER)
    assert set(frame.loc[frame["category"] == "Misshandel", "category_code"]) == \
        {"vald_offentlig_miljo"}
    with pytest.raises(DataValidationError) as exc:
        set_category_mapping(store, ADMIN, "Misshandel", "slagsmal")
    [pr] = exc.value.problems
    assert (pr.field, pr.code, pr.params["code"]) == ("category", "io.stat.bad_mapping", "slagsmal")
    assert "vald_offentlig_miljo" in pr.params["allowed"].split(", ")
    assert "Okänd kategorikod" in pr.text("sv") and "Unknown category code" in pr.text("en")


def test_cli_statistics_import_and_list(sqlite_store, tmp_path, capsys):
    db = ["--db", sqlite_store.url.render_as_string(hide_password=False)]
    assert main(["import", "statistics", str(EXAMPLES / "statistik_lang.csv"), "--source",
                 "polisen", "--extracted", "2023-04-01", *db]) == 0
    assert "30 värden" in capsys.readouterr().out
    assert main(["statistics", "list", "--area", "Bromma", "--format", "json", *db]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 15 and set(rows[0]) == {"area", "category", "period", "count", "source",
                                                "preliminary"}
    bad = tmp_path / "bromma_2021.csv"
    bad.write_text("Kategori;2021\nRån;många\n", "utf-8")
    assert main(["import", "statistics", str(bad), *db]) == 2
    err = capsys.readouterr().err
    assert "rad 2, kolumn B (2021): värdet 'många' är inget antal" in err


def test_cli_point_import_exit_codes_summary_and_rejects(sqlite_store, tmp_path, capsys):
    db = ["--db", sqlite_store.url.render_as_string(hide_password=False), "--no-progress"]
    bad = tmp_path / "h.csv"
    bad.write_text("kategori;tidpunkt;lat;lon\nstold;2024-03-05;59.30;18.00\n"
                   "stold;2024-03-05;18.07;59.31\n", "utf-8")
    assert main(["import", "incidents", str(bad), *db]) == 2
    err = capsys.readouterr().err
    assert "rad 3: lat 18.07 och lon 59.31 ser omkastade ut – byt plats på kolumnerna?" in err
    assert main(["import", "incidents", str(bad), "--skip-invalid", "--lang", "en", *db]) == 0
    out = capsys.readouterr().out
    assert "2 rows read, 1 saved" in out and "1 rejected" in out
    assert (tmp_path / "h-avvisade.csv").exists()
    assert main(["import", "incidents", str(EXAMPLES / "handelser_sweref99_1800.csv"),
                 "--crs", "EPSG:3011", *db]) == 0
    assert "10 sparade" in capsys.readouterr().out
