"""The city's monthly export as it is really written: the area column headed
"Stadsdeldsområde" (sic), Swedish month names as columns, a title line above the table saved by
Excel with its empty cells, Windows-1252, and two stadsdelsområden in one file. Both areas are
imported (the other one as a comparison area), the report says which column was taken, and a
file where no column holds areas says which column it needs."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from mapapp.cli import main
from mapapp.errors import DataValidationError
from mapapp.io.statistics import import_statistics, statistics_records
from tests.conftest import COORDINATOR, READER

MONTHS = ["Januari", "Februari", "Mars", "April", "Maj", "Juni", "Juli", "Augusti",
          "September", "Oktober", "November", "December"]
CATEGORIES = ["Narkotikabrott", "Personrån", "Skadegörelsebrott", "Misshandel"]


def city_file(path: Path, *, area_header: str = "Stadsdeldsområde",
              areas: tuple[str, ...] = ("Hägersten-Älvsjö", "Skärholmen")
              ) -> dict[tuple[str, str, str], int]:
    """Write the fixture; returns {(area, category, "2023-MM"): count} as written."""
    rng = random.Random(7)
    width = 2 + len(MONTHS)
    lines = [["Anmälda brott per stadsdelsområde och månad, januari–december 2023"]
             + [""] * (width - 1),
             ["Källa: Polismyndigheten, bearbetning Stockholms stad"] + [""] * (width - 1),
             [area_header, "Brottskategori", *MONTHS]]
    cells: dict[tuple[str, str, str], int] = {}
    for area in areas:
        written = area.upper() if area == "Skärholmen" else area  # case as exported
        for cat in CATEGORIES:
            counts = [rng.randint(0, 80) for _ in MONTHS]
            for m, n in enumerate(counts, start=1):
                cells[(area, cat, f"2023-{m:02d}")] = n
            lines.append([written, cat, *[f"{n}" for n in counts]])
    path.write_bytes(("\r\n".join(";".join(r) for r in lines) + "\r\n").encode("cp1252"))
    return cells


def test_city_monthly_file_imports_with_both_areas(store, tmp_path):
    path = tmp_path / "Anmälda brott per SDO och månad 2023.csv"
    cells = city_file(path)
    rep = import_statistics(store, COORDINATOR, path, source="stadens statistik")
    assert rep.area_column is not None and rep.area_column.text("en") == "Stadsdeldsområde"
    notes = rep.notes()
    assert ("statfile.area_by_values", ("Stadsdeldsområde",)) in [
        (m.key, m.params["column"].names) for m in notes if "column" in m.params]
    assert "Områdeskolumnen är 'Stadsdeldsområde'" in "\n".join(m.text("sv") for m in notes)
    assert "The area column is 'Stadsdeldsområde'" in "\n".join(m.text("en") for m in notes)
    assert rep.values == len(cells) == 2 * 4 * 12
    assert rep.comparison_areas == ["SKÄRHOLMEN"]
    got = {(r["area"], r["category"], r["period"]): r["count"]
           for r in statistics_records(store, READER)}
    expected = {("SKÄRHOLMEN" if a == "Skärholmen" else a, c, p): n
                for (a, c, p), n in cells.items()}
    assert got == expected
    # The district's own figures are kept apart from the comparison area's.
    own = statistics_records(store, READER, area="Hägersten-Älvsjö")
    assert len(own) == 48 and sum(r["count"] for r in own) == sum(
        n for (a, _, _), n in cells.items() if a == "Hägersten-Älvsjö")


def test_area_column_found_by_values_even_with_an_empty_header(store, tmp_path):
    path = tmp_path / "brott_2023.csv"
    cells = city_file(path, area_header="", areas=("hagersten-alvsjo", "Skärholmen"))
    rep = import_statistics(store, COORDINATOR, path, source="staden")
    assert rep.values == len(cells)
    assert rep.area_column is not None and rep.area_column.text("sv") == "kolumn A"
    assert rep.area_column.text("en") == "column A"
    assert set(rep.areas) == {"Hägersten-Älvsjö", "SKÄRHOLMEN"}  # accent-tolerant


def test_a_file_without_any_area_says_which_column_it_needs(store, tmp_path):
    path = tmp_path / "brott_2023.csv"
    city_file(path, areas=("Norra distriktet", "Södra distriktet"))
    with pytest.raises(DataValidationError) as exc:
        import_statistics(store, COORDINATOR, path, source="staden")
    text = str(exc.value)
    assert "områdeskolumn" in text and "Område" in text and "Stadsdeldsområde" in text
    assert "column headed Område" in exc.value.text("en")


def test_cli_import_reports_the_area_column(sqlite_store, tmp_path, capsys):
    path = tmp_path / "sdo_2023.csv"
    city_file(path)
    db = ["--db", sqlite_store.url.render_as_string(hide_password=False)]
    assert main(["import", "statistics", str(path), "--source", "staden", *db]) == 0
    out = capsys.readouterr().out
    assert "Stadsdeldsområde" in out and "96 värden" in out and "SKÄRHOLMEN" in out
