"""The law's lägesbild and åtgärdsplan from the Export/Protokoll page, in Debian's chromium
against `streamlit run`: the button downloads a Word document with a Lägesbild and an
Åtgärdsplan naming every zone."""

from __future__ import annotations

from docx import Document

from mapapp.store.district import zones_frame
from mapapp.store.engine import make_engine
from tests.e2e.conftest import artifact, login


def test_lagesbild_button_downloads_the_document(browser_page, app_url, e2e_store):
    page = browser_page
    page.goto(app_url)
    login(page, "samordnare")
    page.get_by_role("link", name="Export/Protokoll").click()
    button = page.get_by_role("button", name="Lägesbild och åtgärdsplan (lagens dokument)")
    button.wait_for()
    with page.expect_download(timeout=180_000) as dl:
        button.click()
    assert dl.value.suggested_filename.endswith(".docx")
    doc = Document(dl.value.path())
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "1. Lägesbild" in text and "3. Åtgärdsplan" in text
    eng = make_engine(e2e_store)
    for zone in zones_frame(eng)["name"]:
        assert str(zone) in text + cells
    eng.dispose()
    page.screenshot(path=str(artifact("protokoll-lagesbild-1280x800.png")))
