"""The Trygghet page in AppTest: a reader sees the stored figures beside reported crime; an
empty store says how to import."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from mapapp.council.trygghet import import_trygghet
from tests.conftest import COORDINATOR, READER


def _page() -> None:
    from mapapp.ui.pages.trygghet import render

    render()


def test_trygghet_page(app_store, tmp_path):
    at = AppTest.from_function(_page, default_timeout=120)
    at.session_state["mapapp_principal"] = READER
    at.run()
    assert not at.exception and at.info[0].value.startswith("Ingen trygghetsmätning")
    f = tmp_path / "t.csv"
    f.write_text("stadsdel;indikator;år;andel\nLiljeholmen;Otrygg;2022;30\nFruängen;Otrygg;2022;"
                 "45\n", encoding="utf-8")
    import_trygghet(app_store, COORDINATOR, f)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    df = at.dataframe[0].value
    assert list(df["Stadsdel"]) == ["Fruängen", "Liljeholmen"]
    assert list(df["Andel (%)"]) == [45.0, 30.0]
    assert set(df["Bedömning"]) <= {"Otryggare än brotten visar", "Tryggare än brotten visar",
                                    "Stämmer överens"}
    assert not at.get("file_uploader")  # a reader may not import
