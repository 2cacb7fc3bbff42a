"""Statistics tables: shapes, periods, counts, areas -- read without a database."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from openpyxl import Workbook

from mapapp.errors import DataValidationError
from mapapp.io.stattable import area_matcher, parse_count, parse_period, read_statistics

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "data" / "geo"
EXAMPLES = ROOT / "data" / "examples"
STADSDELAR = list(gpd.read_file(GEO / "stadsdelar.geojson")["name"])
ZONES = list(gpd.read_file(GEO / "zones.geojson")["name"])


def _read(path: Path, **kw):
    kw.setdefault("sheet", None)
    kw.setdefault("year", None)
    kw.setdefault("area", None)
    return read_statistics(path, stadsdelar=STADSDELAR, zones=ZONES, **kw)


def _cells(rows):
    return {(a, c, p): n for a, c, p, n in zip(rows.areas, rows.texts, rows.periods, rows.counts,
                                               strict=True)}


@pytest.mark.parametrize("text,label", [
    ("2021", "2021"), ("2021.0", "2021"), ("2019–2020", "2019-2020"), ("2019 - 2020", "2019-2020"),
    ("2019/20", "2019-2020"), ("2022-03", "2022-03"), ("2022M03", "2022-03"),
    ("mars 2022", "2022-03"), ("2022 K2", "2022-Q2"), ("Q4 2021", "2021-Q4"),
])
def test_periods(text, label):
    assert parse_period(text) == (label, False)


def test_month_names_need_a_year_and_bad_periods_are_none():
    assert parse_period("Okt") == (None, True)
    assert parse_period("Okt", 2022) == ("2022-10", False)
    assert parse_period("2019–2021") == (None, False)  # not a statistical year
    assert parse_period("Narkotika") == (None, False)


@pytest.mark.parametrize("text,value", [("1 234", 1234), ("1\u00a0234", 1234), ("1,234", 1234),
                                        ("581.0", 581), ("581,0", 581), ("0", 0), ("", None),
                                        ("..", None), ("–", None)])
def test_counts(text, value):
    assert parse_count(text) == (value, True)


@pytest.mark.parametrize("text", ["12,5", "<5", "-3", "x", "1.5e3"])
def test_unreadable_counts(text):
    assert parse_count(text)[1] is False


def test_area_matching_is_case_and_diacritics_insensitive():
    m = area_matcher(STADSDELAR, ZONES)
    assert m("HAGERSTEN-ALVSJO") == ("Hägersten-Älvsjö", "district")
    assert m("Hägersten–Älvsjö stadsdelsområde") == ("Hägersten-Älvsjö", "district")
    assert m("hägerstensåsen") == ("Hägerstensåsen", "stadsdel")
    assert m("Liljeholmen") == ("Liljeholmen", "stadsdel")
    assert m("älvsjö/solberga") == ("Älvsjö/Solberga", "zone")
    assert m(" Bromma ") == ("Bromma", "comparison")


def test_long_example_with_a_comparison_area():
    rows = _read(EXAMPLES / "statistik_lang.csv")
    cells = _cells(rows)
    assert len(cells) == 30
    assert cells[("Hägersten-Älvsjö", "Narkotikabrott", "2019-2020")] == 412
    assert cells[("Bromma", "Personrån", "2021-2022")] == 30
    assert set(rows.kinds) == {"district", "comparison"}


def test_wide_years_example_area_from_the_title_line_and_thousands():
    rows = _read(EXAMPLES / "statistik_bred_hagersten-alvsjo.csv")
    cells = _cells(rows)
    assert len(cells) == 15 and set(rows.areas) == {"Hägersten-Älvsjö"}
    assert cells[("Hägersten-Älvsjö", "Våld i nära relation", "2021-2022")] == 219


def test_monthly_example_with_the_year_from_the_file_name():
    rows = _read(EXAMPLES / "statistik_manad_bromma_2022.xlsx")
    cells = _cells(rows)
    assert len(cells) == 36 and set(rows.areas) == {"Bromma"}
    assert set(rows.kinds) == {"comparison"}
    assert cells[("Bromma", "Narkotika", "2022-01")] == 20  # written 20.0 in the sheet
    assert cells[("Bromma", "3 kap. Brott mot liv och hälsa", "2022-12")] == 30 + (11 * 5) % 11


def _xlsx(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    p = tmp_path / name
    wb.save(p)
    return p


def test_unreadable_cell_names_row_and_column(tmp_path):
    p = _xlsx(tmp_path, "liljeholmen.xlsx", [["Kategori", "2021", "2022"],
                                              ["Rån", 3, 4], ["Misshandel", "ca 10", 12]])
    with pytest.raises(DataValidationError) as exc:
        _read(p)
    [pr] = exc.value.problems
    assert (pr.row, pr.field, pr.code, pr.params["value"]) == (3, "2021", "io.stat.bad_count",
                                                                "ca 10")
    assert pr.text("sv") == ("rad 3, kolumn B (2021): värdet 'ca 10' är inget antal – skriv "
                             "ett heltal (t.ex. 1 234) eller lämna cellen tom.")
    assert pr.text("en").startswith("row 3, column B (2021): the value 'ca 10' is not a count")


def test_months_as_columns_need_a_year(tmp_path):
    p = _xlsx(tmp_path, "fruangen.xlsx", [["Kategori", "Jan", "Feb"], ["Rån", 1, 2]])
    with pytest.raises(DataValidationError, match="--year") as exc:
        _read(p)
    assert [(pr.code, pr.params) for pr in exc.value.problems] == [
        ("io.stat.no_year", {"months": "Jan, Feb"})]
    assert "need a year" in exc.value.text("en")
    rows = _read(p, year=2021)
    assert _cells(rows) == {("Fruängen", "Rån", "2021-01"): 1, ("Fruängen", "Rån", "2021-02"): 2}


def test_no_area_anywhere_is_refused(tmp_path):
    p = _xlsx(tmp_path, "tabell.xlsx", [["Kategori", "2021"], ["Rån", 1]])
    with pytest.raises(DataValidationError) as exc:
        _read(p)
    assert [(pr.field, pr.code) for pr in exc.value.problems] == [("area", "io.stat.no_area")]
    assert "områdeskolumn" in exc.value.text("sv") and "no area column" in exc.value.text("en")
    assert _cells(_read(p, area="Västberga")) == {("Västberga", "Rån", "2021"): 1}


def test_same_cell_twice_is_refused(tmp_path):
    p = _xlsx(tmp_path, "t.xlsx", [["Område", "Kategori", "Period", "Antal"],
                                   ["Aspudden", "Rån", "2021", 1],
                                   ["aspudden", "Rån", "2021", 2]])
    with pytest.raises(DataValidationError) as exc:
        _read(p)
    [pr] = exc.value.problems
    assert pr.code == "io.stat.repeated" and pr.params["first"].params["n"] == 2
    assert "finns redan på rad 2" in pr.text("sv") and "already on row 2" in pr.text("en")
    assert exc.value.text("en").startswith("The file was rejected. Nothing was saved.")


def test_table_without_figures_is_refused(tmp_path):
    p = _xlsx(tmp_path, "aspudden.xlsx", [["Namn", "Adress"], ["a", "b"]])
    with pytest.raises(DataValidationError) as exc:
        _read(p)
    assert [pr.code for pr in exc.value.problems] == ["io.stat.no_count"]
    assert "inga siffror" in exc.value.text("sv") and "no figures" in exc.value.text("en")
