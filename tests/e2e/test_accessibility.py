"""WCAG 2.1 AA in a real browser: axe-core (from its npm package, pinned in tests/js) finds no
serious or critical violation on any page, nor inside the map's frame; the pages declare their
language; and with default settings no page asks another origin for anything."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from mapapp import walks
from mapapp.access import Principal, Role
from mapapp.store.engine import make_engine
from mapapp.store.models import Zone
from tests.e2e.axe import audit, blocking, describe
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
PAGES = ("Karta", "Område", "Vandring", "Åtgärder", "Statistik", "Import", "Export/Protokoll",
         "Admin")


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until Streamlit has finished running the page: no running indicator and no stale
    element (Streamlit fades the previous run's elements while it reruns; axe would measure
    the faded colours)."""
    page.wait_for_timeout(600)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid=stStatusWidget]')
                 && !document.querySelector('[data-stale="true"]')""", timeout=60_000)
    page.wait_for_timeout(800)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid=stStatusWidget]')
                 && !document.querySelector('[data-stale="true"]')""", timeout=60_000)


def _frames(page):  # type: ignore[no-untyped-def]
    return [f for f in page.frames if f != page.main_frame and f.url.startswith("http")]


def _a_walk(e2e_store: str) -> None:
    """A walk of the admin, so that the Vandring page shows its form and map."""
    eng = make_engine(e2e_store)
    with eng.connect() as c:
        zid = c.execute(select(Zone.id).where(Zone.name == "Liljeholmen")).scalar_one()
    walks.create_walk(eng, Principal("admin", Role.ADMIN), submission_id=str(uuid.uuid4()),
                      zone_id=zid, starts_at=datetime.now(UTC), organiser="SDF",
                      participants={"boende": 3})
    eng.dispose()


def test_axe_finds_no_serious_violation_on_any_page_nor_in_the_map(browser_page, app_url,
                                                                  e2e_store):
    _a_walk(e2e_store)
    page = browser_page
    page.goto(app_url)
    page.get_by_label("Användarnamn").wait_for()
    _settle(page)
    report = [describe("log-in", blocking(audit(page)))]
    assert page.evaluate("() => document.documentElement.lang") == "sv"
    login(page, "admin")
    framed = []
    for name in PAGES:
        page.get_by_role("link", name=name, exact=True).click()
        _settle(page)
        if name in ("Karta", "Vandring"):
            page.frame_locator(IFRAME).locator("path.mapapp-vatten").first.wait_for()
        if name == "Export/Protokoll":
            page.get_by_role("img").first.wait_for()
            alts = page.eval_on_selector_all("main img", "els => els.map(e => e.alt)")
            assert alts and all(a.startswith("Karta över") for a in alts), alts
        report.append(describe(name, blocking(audit(page))))
        for frame in _frames(page):
            framed.append(name)
            report.append(describe(f"{name} / frame {frame.url[:80]}", blocking(audit(frame))))
    assert {"Karta", "Vandring"} <= set(framed), framed  # the maps' frames were checked
    problems = "\n".join(r for r in report if r)
    assert problems == "", "axe (WCAG 2.1 A/AA, serious or critical):\n" + problems
    host = urlparse(app_url).hostname
    other = [u for u in page.mapapp_requests
             if urlparse(u).scheme in ("http", "https", "ws", "wss")
             and urlparse(u).hostname != host]
    assert other == [] and page.mapapp_blocked == [], other + page.mapapp_blocked
