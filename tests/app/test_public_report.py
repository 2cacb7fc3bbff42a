"""The public report form (``?rapport``) through the app shell, and the coordinator's review
page, in AppTest: a report lands in the queue, a second one nearby is offered as already
reported, the honeypot stores nothing, and the coordinator publishes it as an observation."""

from __future__ import annotations

from sqlalchemy import select, text
from streamlit.testing.v1 import AppTest

from mapapp.store.district import zones_frame
from mapapp.store.models import Observation
from tests.conftest import COORDINATOR, ROOT


def _open() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params["rapport"] = "1"
    return at.run()


def _place(at: AppTest, lon: float, lat: float) -> None:
    s = at.session_state["rapport_state"]
    s["lon"], s["lat"] = lon, lat


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM public_reports")).scalar_one())


def test_public_form_queue_duplicate_honeypot_and_publish(app_store):
    p = zones_frame(app_store).set_index("name").loc["Liljeholmen", "geometry"]
    lon, lat = p.representative_point().x, p.representative_point().y
    at = _open()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Rapportera en plats"
    assert not any(ti.label == "Lösenord" for ti in at.text_input)  # no log-in
    _place(at, lon, lat)
    at.run()
    at.button(key="rapport_send").click().run()
    assert any(e.value.startswith("Rapporten skickades inte") for e in at.error)  # no category
    assert _count(app_store) == 0
    at.session_state["rapport_cat"] = "belysning"
    at.text_area(key="rapport_text").input("Trasig lampa vid trappan")
    at.button(key="rapport_send").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value.startswith("Tack!")
    assert _count(app_store) == 1
    # a second reporter nearby: offered as already reported, nothing stored unless confirmed
    at2 = _open()
    _place(at2, lon, lat + 0.0002)
    at2.session_state["rapport_cat"] = "belysning"
    at2.run()
    at2.button(key="rapport_send").click().run()
    assert at2.warning[0].value.startswith("Det här verkar redan vara rapporterat")
    assert _count(app_store) == 1
    at2.button(key="rapport_same").click().run()
    assert at2.success[0].value.startswith("Tack! Inget nytt")
    assert _count(app_store) == 1
    # a bot filling the hidden field: the same thanks, nothing stored
    at3 = _open()
    _place(at3, lon, lat + 0.003)
    at3.session_state["rapport_cat"] = "klotter"
    at3.run()
    at3.text_input(key="rapport_website").input("http://spam.example")
    at3.button(key="rapport_send").click().run()
    assert at3.success[0].value.startswith("Tack!")
    assert _count(app_store) == 1

    def review() -> None:
        from mapapp.ui.pages.rapporter import render

        render()

    rv = AppTest.from_function(review, default_timeout=120)
    rv.session_state["mapapp_principal"] = COORDINATOR
    rv.run()
    assert not rv.exception, [e.value for e in rv.exception]
    assert "Trasig lampa vid trappan" in rv.dataframe[0].value.to_numpy().ravel()
    rv.button(key="rapporter_publish").click().run()
    assert rv.success[0].value.startswith("Rapport ")
    with app_store.connect() as c:
        obs = c.execute(select(Observation.category, Observation.source, Observation.description)
                        .where(Observation.source == "allmanheten")).all()
    assert obs == [("belysning", "allmanheten", "Trasig lampa vid trappan")]
