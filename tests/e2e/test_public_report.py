"""A resident reports a place from a phone through the public link (a tap on the map, a
category, a short text), without an account; the coordinator then publishes it from the
review queue, and it is an observation."""

from __future__ import annotations

from sqlalchemy import select, text

from mapapp.store.district import zones_frame
from mapapp.store.engine import make_engine
from mapapp.store.models import Observation
from tests.e2e.conftest import artifact, login, tap_map
from tests.e2e.test_survey_link import phone  # noqa: F401 -- the phone fixture


def _tap(page, lon: float, lat: float) -> None:  # type: ignore[no-untyped-def]
    tap_map(page, lon, lat, page.get_by_text("Vald plats:"), timeout_ms=8000)


def test_resident_reports_from_a_phone_and_the_coordinator_publishes(
        phone, browser_page, app_url, e2e_store):  # noqa: F811
    eng = make_engine(e2e_store)
    p = zones_frame(eng).set_index("name").loc["Telefonplan", "geometry"].representative_point()
    page = phone
    page.goto(f"{app_url}/?rapport=1")
    page.get_by_text("Rapportera en plats").first.wait_for()
    assert page.get_by_label("Lösenord").count() == 0
    _tap(page, p.x, p.y)
    page.locator(".st-key-rapport_cat").get_by_text("Trygg plats", exact=True).tap()
    page.get_by_label("3. Kort beskrivning (frivilligt)").fill("Välbelyst torg med folk på kvällen")
    page.get_by_role("button", name="Skicka").tap()
    page.get_by_text("Tack! Din rapport är skickad").wait_for()
    page.screenshot(path=str(artifact("rapport-phone-sent.png")), full_page=True)
    with eng.connect() as c:
        rows = c.execute(text("SELECT id, category, status, text FROM public_reports")).all()
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("trygg_plats", "ny", "Välbelyst torg med folk på kvällen")]

    desk = browser_page
    desk.goto(app_url)
    login(desk, "samordnare")
    desk.locator('[data-testid="stSidebarNav"]').get_by_text("Rapporter", exact=True).click()
    desk.get_by_text("Rapporter från boende och verksamma").first.wait_for()
    desk.get_by_role("button", name="Publicera som observation").click()
    desk.get_by_text("publicerad som observation").wait_for()
    with eng.connect() as c:
        obs = c.execute(select(Observation.category, Observation.source, Observation.zone_id)
                        .where(Observation.source == "allmanheten")).all()
        status = c.execute(text("SELECT status FROM public_reports")).scalar_one()
    eng.dispose()
    assert len(obs) == 1 and obs[0][:2] == ("trygg_plats", "allmanheten")
    assert obs[0][2] is not None and status == "publicerad"
