"""The Export/Protokoll page in AppTest: it runs for a coordinator with its choices, previews
the zone's tables, and follows the chosen zone."""

from __future__ import annotations

from tests.conftest import COORDINATOR


def test_protokoll_page_previews_and_follows_the_zone(app_store, open_page):
    at = open_page("protokoll", COORDINATOR)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value
    for key in ("protokoll_area", "protokoll_period"):
        assert at.selectbox(key=key) is not None
    assert at.radio(key="protokoll_format").options == ["DOCX", "PDF", "HTML", "PNG"]
    assert at.checkbox(key="protokoll_notes").value is False  # notes only when chosen
    # The snapshot and the law's lägesbild/åtgärdsplan for the whole district.
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 2 and labels[1] == "Lägesbild och åtgärdsplan (lagens dokument)"
    whole = [str(s.value) for s in at.subheader] + [str(m.value) for m in at.markdown]
    at.selectbox(key="protokoll_area").select("Långbro").run()
    assert not at.exception, [e.value for e in at.exception]
    zone = [str(s.value) for s in at.subheader] + [str(m.value) for m in at.markdown]
    assert zone != whole
    assert any("Långbro" in t for t in zone)
