"""The Import and Statistik pages in streamlit's AppTest, on a copy of an initialised store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mapapp.io.statistics import import_statistics
from tests.conftest import ADMIN, COORDINATOR, READER

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"


@pytest.fixture
def db(app_db):
    return app_db


def _import_page() -> None:
    from mapapp.ui.pages.importera import render

    render()


def _stat_page() -> None:
    from mapapp.ui.pages.statistik import render

    render()


def _run(fn, who, lang=None) -> AppTest:
    at = AppTest.from_function(fn, default_timeout=60)
    at.session_state["mapapp_principal"] = who
    if lang:
        at.session_state["mapapp_lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_import_page_offers_every_kind_and_its_options(db):
    at = _run(_import_page, COORDINATOR)
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


def test_import_page_in_english(db):
    at = _run(_import_page, COORDINATOR, lang="en")
    assert at.title[0].value == "Import data"


def test_statistics_page_without_tables_says_so(db):
    at = _run(_stat_page, READER)
    assert "Inga statistiktabeller" in at.info[0].value


def test_statistics_page_shows_table_figures_and_follows_the_category(db):
    import_statistics(db, ADMIN, EXAMPLES / "statistik_lang.csv",
                      source="polisen", extracted="2022-10-01")
    at = _run(_stat_page, READER)
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


def test_omrade_page_shows_a_zones_table_figures_beside_the_counted_ones(db, tmp_path):
    src = tmp_path / "langbro.csv"
    src.write_text("område;kategori;period;antal\n"
                   "Långbro;Narkotikabrott;2020–2021;17\n"
                   "Långbro;Narkotikabrott;2021–2022;23\n"
                   "Bromma;Narkotikabrott;2021–2022;40\n", encoding="utf-8")
    import_statistics(db, ADMIN, src, source="polisen")

    def _omrade() -> None:
        from mapapp.ui.pages.omrade import render

        render()

    at = AppTest.from_function(_omrade, default_timeout=60)
    at.session_state["mapapp_principal"] = READER
    at.session_state["omrade_zone"] = 4  # Långbro
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [str(m.value) for m in at.markdown] + [s.value for s in at.subheader]
    assert "Statistik" in texts
    assert any("Tabellsiffror" in t for t in texts)
    assert any("Räknat från punkter" in t for t in texts)
    tables = [d.value for d in at.dataframe]
    assert any(list(t.get("Antal", [])) == [17, 23] for t in tables)
