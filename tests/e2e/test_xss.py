"""Scripts hidden in user text, in a real browser: a zone name, a lägesbild, a site name, a
measure title, a walk title and organiser, an observation note and a user name typed at the
log-in form all carry script payloads. Every page that shows them is opened (and every map
tooltip opened); no dialog may fire, no payload may set ``window.__xss``, and the text is shown
as text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update

from mapapp import measures as ms
from mapapp import walks
from mapapp.access import CLI_PRINCIPAL, Principal, Role
from mapapp.auth import authenticate
from mapapp.store.district import sites_frame, zones_frame
from mapapp.store.engine import bump_data_version, make_engine
from mapapp.store.models import Measure, Observation, Site, Walk, Zone
from tests.e2e.conftest import PASSWORD, login
from tests.e2e.test_map import IFRAME, _map_frame, _quiet_point

pytestmark = pytest.mark.e2e

P_IMG = '<img src=x onerror="window.__xss=1;alert(1)">'
P_SCRIPT = "<script>window.__xss=2;alert(2)</script>"
P_TPL = "`${window.__xss=3}`"
P_BREAK = "</script><script>window.__xss=4;alert(4)</script>"
# Markdown that would make the browser fetch from another site (a tracking pixel) or link away
P_MD = "![p](http://evil.example/p.png) [x](javascript:alert(5))"

ZONE_NAME = f"Zon {P_IMG} {P_TPL} {P_MD}"
SITE_NAME = f"Skola {P_IMG} {P_MD}"
MEASURE_TITLE = f"Åtgärd {P_IMG} {P_TPL}"
NOTE = f"Obs {P_IMG} {P_SCRIPT} {P_TPL}"
WALK_TITLE = f"Vandring {P_IMG}"
BAD_USER = f"x{P_IMG}"

OPEN_TOOLTIPS = """() => {
  let n = 0;
  const seen = new Set();
  function walk(l) {
    if (seen.has(l)) return;
    seen.add(l);
    try { if (l.getTooltip && l.getTooltip()) { l.openTooltip(); n++; } } catch (e) {}
    if (l.eachLayer) l.eachLayer(walk);
  }
  window.map.eachLayer(walk);
  return n;
}"""


@pytest.fixture
def hostile(e2e_store: str) -> Iterator[dict[str, object]]:
    """Payloads in the running app's store; everything is put back afterwards."""
    eng = make_engine(e2e_store)
    zone, lat, lng = _quiet_point(e2e_store)
    zones = zones_frame(eng).set_index("name")
    zid = int(zones.loc[zone, "id"])
    sites = sites_frame(eng)
    site = sites[sites["zone_id"] == zid].iloc[0]
    with eng.connect() as conn:
        old_lagesbild = conn.execute(select(Zone.lagesbild).where(Zone.id == zid)).scalar_one()
    mid = ms.add_measure(eng, CLI_PRINCIPAL, zone=zone, site=str(site["name"]),
                         title=MEASURE_TITLE, description=NOTE,
                         priority_area="Riktat arbete mot avgränsade platser och utsatta områden",
                         actor="Trafikkontoret", status="pagaende", start="2023-01-01",
                         due="2023-12-31")
    team = Principal("admin", Role.ADMIN)
    wid, _ = walks.create_walk(eng, team, submission_id="xss-walk-0001", zone_id=zid,
                               starts_at=datetime(2023, 3, 2, 18, tzinfo=ZoneInfo(
                                   "Europe/Stockholm")),
                               organiser=P_SCRIPT, participants={"boende": 3}, title=WALK_TITLE)
    oid, _ = walks.save_observation(eng, team, submission_id="xss-obs-00001", walk_id=wid,
                                    category="belysning", lon=lng, lat=lat, note=NOTE)
    with eng.begin() as conn:
        conn.execute(update(Zone).where(Zone.id == zid).values(
            name=ZONE_NAME, lagesbild=f"Lägesbild {P_SCRIPT} {P_BREAK}"))
        conn.execute(update(Site).where(Site.id == int(site["id"])).values(name=SITE_NAME))
        bump_data_version(conn)
    authenticate(eng, BAD_USER, "fel-lösenord-1")
    try:
        yield {"zone": ZONE_NAME, "lat": lat, "lng": lng, "walk": wid}
    finally:
        with eng.begin() as conn:
            conn.execute(update(Zone).where(Zone.id == zid).values(
                name=zone, lagesbild=old_lagesbild))
            conn.execute(update(Site).where(Site.id == int(site["id"])).values(
                name=str(site["name"])))
            conn.execute(delete(Observation).where(Observation.id == oid))
            conn.execute(delete(Walk).where(Walk.id == wid))
            conn.execute(delete(Measure).where(Measure.id == mid))
            bump_data_version(conn)
        eng.dispose()


def _no_script_ran(page) -> None:  # type: ignore[no-untyped-def]
    for frame in page.frames:
        assert frame.evaluate("() => typeof window.__xss") == "undefined", frame.url
        assert frame.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.mapapp_dialogs == [], page.mapapp_dialogs


# Pages where this was found and reported; any other page failing is a new hole.
def _fetched_elsewhere(page, where: str, leaks: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Record ``where`` when user text has made the browser fetch from another site."""
    n = sum("evil.example" in u for u in page.mapapp_requests)
    if n > getattr(page, "mapapp_evil_seen", 0):
        leaks.append(where)
    page.mapapp_evil_seen = n


@pytest.fixture
def page(browser_page):  # type: ignore[no-untyped-def]
    browser_page.mapapp_dialogs = []

    def on_dialog(d) -> None:  # type: ignore[no-untyped-def]
        browser_page.mapapp_dialogs.append(d.message)
        d.dismiss()

    browser_page.on("dialog", on_dialog)
    return browser_page


def test_map_tooltips_and_card_show_scripts_as_text(page, app_url, hostile):
    page.goto(app_url)
    login(page, "admin")
    fl = page.frame_locator(IFRAME)
    fl.locator("path.mapapp-zones").first.wait_for()
    frame = _map_frame(page)
    opened = frame.evaluate(OPEN_TOOLTIPS)
    assert opened > 10
    page.wait_for_timeout(300)
    tips = frame.evaluate("() => Array.from(document.querySelectorAll('.leaflet-tooltip'))"
                          ".map(e => e.textContent)")
    assert any(ZONE_NAME in t for t in tips), "the zone's tooltip shows its name as text"
    assert any(SITE_NAME in t for t in tips), "the site's tooltip shows its name as text"
    assert any(MEASURE_TITLE in t for t in tips), "the measure's tooltip shows its title"
    _no_script_ran(page)

    # the zone's card: the heading is the name, character for character
    frame.evaluate("([lat, lng]) => window.map.setView([lat, lng], 15, {animate: false})",
                   [hostile["lat"], hostile["lng"]])
    page.wait_for_timeout(300)
    x, y = frame.evaluate(
        "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);"
        " const r = window.map.getContainer().getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }", [hostile["lat"], hostile["lng"]])
    box = page.locator(IFRAME).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    card = page.locator(".st-key-karta_card")
    card.get_by_role("heading", name=ZONE_NAME, exact=True).wait_for()
    card.get_by_text(MEASURE_TITLE).first.wait_for()  # the zone's measures, as text
    assert P_SCRIPT in card.inner_text()
    _no_script_ran(page)


def test_other_pages_show_scripts_as_text(page, app_url, hostile):
    leaks: list[str] = []
    page.goto(app_url)
    login(page, "admin")
    page.get_by_role("link", name="Vandring", exact=True).first.click()
    chosen = page.locator(".st-key-vw_walk input")
    chosen.wait_for()
    if not chosen.input_value().startswith(WALK_TITLE):
        chosen.click()
        page.get_by_role("option").filter(has_text=WALK_TITLE).first.click()
    assert chosen.input_value().startswith(WALK_TITLE)  # the title, as text
    page.wait_for_timeout(1500)
    _no_script_ran(page)
    _fetched_elsewhere(page, "Vandring", leaks)
    page.get_by_text("Våra observationer", exact=True).click()
    exp = page.locator("[data-testid='stExpander']").filter(has_text="Obs <img").first
    exp.locator("summary").click()
    exp.get_by_text(NOTE, exact=True).first.wait_for()  # the note, as text
    page.wait_for_timeout(1000)
    _no_script_ran(page)
    _fetched_elsewhere(page, "Vandring: Våra observationer", leaks)
    for name in ("Område", "Åtgärder", "Statistik", "Admin", "Karta"):
        page.get_by_role("link", name=name, exact=True).first.click()
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)
        _no_script_ran(page)
        _fetched_elsewhere(page, name, leaks)
    page.get_by_role("link", name="Admin", exact=True).first.click()
    page.get_by_role("tab", name="Granskningslogg").click()
    page.wait_for_timeout(1000)
    _no_script_ran(page)
    _fetched_elsewhere(page, "Admin: Granskningslogg", leaks)
    assert leaks == [], f"Markdown in names made the browser fetch from another site on: {leaks}"


def test_log_in_form_takes_a_script_as_a_user_name(page, app_url):
    page.goto(app_url)
    page.get_by_label("Användarnamn").fill(P_SCRIPT)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_text("Fel användarnamn eller lösenord").wait_for()
    _no_script_ran(page)


def test_the_payloads_would_run_if_shown_as_html(page):
    """The detectors work: put raw into a page, the payloads do fire in this browser."""
    page.set_content("<html><body><div id=t></div></body></html>")
    page.evaluate("(html) => { document.getElementById('t').innerHTML = html; }", P_IMG)
    page.wait_for_function("() => window.__xss === 1")
    page.wait_for_timeout(200)
    assert page.mapapp_dialogs == ["1"]
    page.evaluate("(t) => { window.__xss = undefined; eval('`' + t.slice(1, -1) + '`'); }",
                  P_TPL)
    assert page.evaluate("() => window.__xss") == 3
