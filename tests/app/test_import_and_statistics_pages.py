"""The Import and Statistik pages in streamlit's AppTest, on a copy of an initialised store."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapapp.io.statistics import import_statistics
from tests.conftest import ADMIN, COORDINATOR, READER

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


@pytest.fixture
def db(app_db):
    return app_db


def test_import_page_offers_every_kind_and_its_options(db, open_page):
    at = open_page("importera", COORDINATOR, timeout=60)
    assert at.title[0].value == "Importera data"
    kinds = at.radio(key="imp_kind")
    assert kinds.options == ["Händelser (brott)", "Observationer", "Områden (polygoner)",
                             "Statistiktabell (antal per period)"]
    for key in ("imp_crs", "imp_layer", "imp_source"):
        assert at.text_input(key=key) is not None
    assert at.checkbox(key="imp_skip").value is False
    kinds.set_value("statistics").run()
    assert at.checkbox(key="imp_prelim") is not None
    assert at.text_input(key="imp_stat_source").value == "polisen"


def test_import_page_in_english(db, open_page):
    at = open_page("importera", COORDINATOR, lang="en", timeout=60)
    assert at.title[0].value == "Import data"


def test_statistics_page_without_tables_says_so(db, open_page):
    at = open_page("statistik", READER, timeout=60)
    assert "Inga statistiktabeller" in at.info[0].value


def test_statistics_page_shows_table_figures_and_follows_the_category(db, open_page):
    import_statistics(db, ADMIN, EXAMPLES / "statistik_lang.csv",
                      source="polisen", extracted="2022-10-01")
    at = open_page("statistik", READER, timeout=60)
    assert at.selectbox(key="stat_area").value == "Hägersten-Älvsjö"
    first = at.dataframe[0].value.copy()
    assert len(first) >= 2
    assert any("polisen" in c.value for c in at.caption)
    options = at.selectbox(key="stat_category").options
    assert len(options) >= 2
    at.selectbox(key="stat_category").set_value(options[1]).run()
    assert not at.exception
    second = at.dataframe[0].value
    assert not first.equals(second)


def test_omrade_page_shows_a_zones_table_figures_beside_the_counted_ones(db, open_page, tmp_path):
    src = tmp_path / "langbro.csv"
    src.write_text("område;kategori;period;antal\n"
                   "Långbro;Narkotikabrott;2020–2021;17\n"
                   "Långbro;Narkotikabrott;2021–2022;23\n"
                   "Bromma;Narkotikabrott;2021–2022;40\n", encoding="utf-8")
    import_statistics(db, ADMIN, src, source="polisen")
    at = open_page("omrade", READER, timeout=60, omrade_zone=4)  # Långbro
    texts = [str(m.value) for m in at.markdown] + [s.value for s in at.subheader]
    assert "Statistik" in texts
    assert any("Tabellsiffror" in t for t in texts)
    assert any("Räknat från punkter" in t for t in texts)
    tables = [d.value for d in at.dataframe]
    assert any(list(t.get("Antal", [])) == [17, 23] for t in tables)
