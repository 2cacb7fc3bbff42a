"""`mapapp import statistics` answers in the user's language (issue 18): the importer returns
message keys and report records, the CLI renders them with ``--lang`` or ``MAPAPP_LANG``.
Each refusal is English with --lang en and with MAPAPP_LANG=en, has no traceback, exits 2 and
writes nothing; the same refusal in Swedish is another text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mapapp.cli import main
from mapapp.store.models import StatisticValue
from tests.conftest import ROOT

EXAMPLES = ROOT / "data" / "examples"


def _refusals(tmp_path):
    no_area = tmp_path / "tabell.csv"  # no area column, no area in the name or a title
    no_area.write_text("Kategori;2021\nRån;3\n", "utf-8")
    bad_cell = tmp_path / "bromma_2021.csv"
    bad_cell.write_text("Kategori;2021\nRån;många\n", "utf-8")
    no_figures = tmp_path / "aspudden.csv"
    no_figures.write_text("Namn;Adress\na;b\n", "utf-8")
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"not a workbook")
    return [
        ([str(no_area)], ["The table has no area column", "Columns: Kategori, 2021."],
         "Tabellen saknar områdeskolumn"),
        ([str(bad_cell)], ["The file was rejected. Nothing was saved.",
                           "row 2, column B (2021): the value 'många' is not a count"],
         "rad 2, kolumn B (2021): värdet 'många' är inget antal"),
        ([str(no_figures)], ["The table has no figures"], "Tabellen har inga siffror"),
        ([str(broken)], ["The file cannot be read as XLSX"], "Filen går inte att läsa som XLSX"),
        ([str(tmp_path / "saknas.csv")], ["The file does not exist"], "Filen finns inte"),
        ([str(EXAMPLES / "statistik_lang.csv"), "--extracted", "1 april"],
         ["The extract date '1 april' cannot be read"], "Extraktdatumet '1 april'"),
    ]


def _count(store) -> int:
    with store.connect() as c:
        return int(c.execute(select(func.count()).select_from(StatisticValue)).scalar_one())


@pytest.mark.parametrize("how", ["flag", "env"])
def test_statistics_refusals_are_english_without_traceback(sqlite_store, tmp_path, capsys,
                                                          monkeypatch, how):
    db = ["--db", sqlite_store.url.render_as_string(hide_password=False)]
    for args, english, swedish in _refusals(tmp_path):
        if how == "flag":
            monkeypatch.delenv("MAPAPP_LANG", raising=False)
            code = main(["import", "statistics", *args, "--lang", "en", *db])
        else:
            monkeypatch.setenv("MAPAPP_LANG", "en")
            code = main(["import", "statistics", *args, *db])
        out = capsys.readouterr()
        assert code == 2, (args, out)
        assert out.err.startswith("mapapp: ") and "Traceback" not in out.err
        for words in english:
            assert words in out.err, (args, out.err)
        assert swedish not in out.err
        monkeypatch.setenv("MAPAPP_LANG", "sv")
        assert main(["import", "statistics", *args, *db]) == 2
        assert swedish in capsys.readouterr().err
    assert _count(sqlite_store) == 0


def test_statistics_report_is_rendered_in_the_users_language(sqlite_store, capsys,
                                                            monkeypatch):
    monkeypatch.delenv("MAPAPP_LANG", raising=False)
    db = ["--db", sqlite_store.url.render_as_string(hide_password=False)]
    src = str(EXAMPLES / "statistik_lang.csv")
    assert main(["import", "statistics", src, "--source", "polisen", "--lang", "en", *db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Statistics table 'statistik_lang.csv': 30 values (2 areas, "
                          "5 categories, 3 periods); new table.")
    assert "Comparison areas (not in the district): Bromma." in out
    assert main(["import", "statistics", src, "--source", "polisen", *db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Statistiktabell 'statistik_lang.csv': 30 värden (2 områden, "
                          "5 kategorier, 3 perioder); samma tabell fanns redan")
