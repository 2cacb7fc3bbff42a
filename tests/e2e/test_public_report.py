"""A resident reports a place from a phone through the public link (a tap on the map, a
category, a short text), without an account; the coordinator then publishes it from the
review queue, and it is an observation."""

from __future__ import annotations

from sqlalchemy import select, text

from mapapp.store.district import zones_frame
from mapapp.store.engine import make_engine
from mapapp.store.models import Observation
from tests.e2e.conftest import artifact, login
from tests.e2e.test_survey_link import phone  # noqa: F401 -- the phone fixture

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _tap(page, lon: float, lat: float) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    shown = page.get_by_text("Vald plats:")
    for _ in range(4):
        frame_el = page.locator(IFRAME)
        frame_el.scroll_into_view_if_needed()
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_function("() => window.map && window.map.getSize().x > 0")
        page.wait_for_timeout(500)
        x, y = frame.evaluate(
            "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);"
            " const r = window.map.getContainer().getBoundingClientRect();"
            " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
        box = frame_el.bounding_box()
        page.touchscreen.tap(box["x"] + x, box["y"] + y)
        try:
            shown.wait_for(timeout=8000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the tap on the map was not taken")


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
