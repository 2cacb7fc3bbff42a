"""Reading CSV/XLSX as text: delimiters, encodings, title rows, stray columns, row numbers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from mapapp.errors import DataValidationError
from mapapp.io.tabular import column_letter, match_columns, read_csv, read_table, read_xlsx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiter_is_sniffed_and_text_stays_text(tmp_path, sep):
    p = _write(tmp_path, "a.csv", sep.join(["id", "kategori", "beskrivning"]) + "\n"
               + sep.join(["007", "stold", "=1+2"]) + "\n")
    raw = read_csv(p)
    assert list(raw.frame.columns) == ["id", "kategori", "beskrivning"]
    assert raw.frame["id"].iloc[0] == "007"  # leading zero kept
    assert raw.frame["beskrivning"].iloc[0] == "=1+2"  # a formula is just text
    assert raw.rows.tolist() == [2]


def test_excel_swedish_csv_with_bom_and_decimal_comma(tmp_path):
    p = _write(tmp_path, "b.csv", "\ufeffkategori;lat;lon\nstold;59,30;18,01\n")
    raw = read_csv(p)
    assert list(raw.frame.columns) == ["kategori", "lat", "lon"]  # no BOM in the header
    assert raw.frame["lat"].iloc[0] == "59,30"
    assert raw.messages == []


def test_windows_1252_file_is_read_and_the_report_says_so(tmp_path):
    p = _write(tmp_path, "c.csv", "kategori;beskrivning\nstold;Gångtunnel i Älvsjö\n",
               encoding="cp1252")
    raw = read_csv(p)
    assert raw.frame["beskrivning"].iloc[0] == "Gångtunnel i Älvsjö"
    assert [m.key for m in raw.messages] == ["io.file.encoding_fallback"]
    assert "Windows-1252" in raw.messages[0].text("sv")
    assert "Windows-1252" in raw.messages[0].text("en") and "older" in raw.messages[0].text("en")


def test_title_rows_are_skipped_and_rows_numbered_as_in_a_spreadsheet(tmp_path):
    p = _write(tmp_path, "d.csv", "Anmälda brott 2022\n\nkategori;antal\nA;1\nB;2\n")
    raw = read_csv(p)
    assert raw.preamble == ["Anmälda brott 2022"]
    assert list(raw.frame.columns) == ["kategori", "antal"]
    # a spreadsheet shows the header on row 3, the data on rows 4 and 5
    assert raw.rows.tolist() == [4, 5]


def test_stray_index_column_is_dropped_but_a_headerless_text_column_is_kept(tmp_path):
    p = _write(tmp_path, "e.csv", ",Unnamed: 0,,2021\n0,0,Narkotika,5\n1,1,Rån,6\n")
    raw = read_csv(p)
    assert list(raw.frame.columns) == ["C", "2021"]
    assert raw.letters == ["C", "D"] and raw.unnamed == {"C": "C"}
    # the header-less column is put into words where a message names it
    assert raw.columns().text("sv") == "kolumn C, 2021"
    assert raw.columns().text("en") == "column C, 2021"


def test_empty_csv_is_refused(tmp_path):
    p = _write(tmp_path, "f.csv", "\n\n")
    with pytest.raises(DataValidationError, match="inga rader"):
        read_csv(p)


def test_xlsx_rows_dates_and_sheet(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Rubrik"])
    ws.append(["id", "tidpunkt", "lat"])
    ws.append([12345.0, datetime(2024, 3, 5, 21, 14), 59.3123])
    ws.append([None, None, None])
    ws.append(["x", "2024-03-06", "59,1"])
    p = tmp_path / "g.xlsx"
    wb.save(p)
    raw = read_xlsx(p)
    assert raw.preamble == ["Rubrik"]
    assert raw.frame.to_dict("list") == {"id": ["12345", "x"],
                                         "tidpunkt": ["2024-03-05 21:14:00", "2024-03-06"],
                                         "lat": ["59.3123", "59,1"]}
    assert raw.rows.tolist() == [3, 5]  # the blank row 4 is skipped, numbers stay true
    with pytest.raises(DataValidationError, match="Bladet Nej finns inte.*Data"):
        read_xlsx(p, sheet="Nej")


def test_example_files_read():
    assert len(read_table(EXAMPLES / "handelser_sv.csv").frame) == 10
    assert len(read_table(EXAMPLES / "handelser.xlsx").frame) == 10


def test_match_columns_by_folded_names_and_refuses_two_of_the_same():
    found, unused = match_columns(["KÄLLA", "Kategori", "extra"],
                                  {"source": ["källa"], "category": ["kategori"]})
    assert found == {"source": "KÄLLA", "category": "Kategori"} and unused == ["extra"]
    with pytest.raises(DataValidationError, match="lat, latitud"):
        match_columns(["lat", "latitud"], {"lat": ["latitud"]})


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == \
        ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_rejects_csv_headers_and_cells_are_formula_safe(tmp_path):
    import csv

    import numpy as np
    import pandas as pd

    from mapapp.io.pipeline import write_rejects

    original = pd.DataFrame({"kategori": ["=1+2"], "=HYPERLINK(\"x\")": ["@SUM(A1)"]})
    dest = write_rejects(tmp_path / "r.csv", original, np.array([2]), np.array([0]),
                         {0: ["-fel"]})
    rows = list(csv.reader(dest.read_text("utf-8-sig").splitlines(), delimiter=";"))
    assert rows == [["rad", "kategori", "'=HYPERLINK(\"x\")", "fel"],
                    ["2", "'=1+2", "'@SUM(A1)", "'-fel"]]
