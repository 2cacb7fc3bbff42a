"""Keyboard only (WCAG 2.1.1, 2.4.7): log in, change the period, open a zone's card through the
zone picker, add a measure (Åtgärder), save an observation by picking a nearby site (Vandring)
and download a snapshot (Export/Protokoll) -- all with Tab, Shift+Tab, arrows, Enter and typing,
no mouse, no touch -- and every control reached shows a visible focus ring. Groups of buttons
(the categories, the ratings) and radio groups are one Tab stop each; the arrow keys move
within them."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import artifact

pytestmark = pytest.mark.e2e

ACTIVE = """() => { let e = document.activeElement; let inner = '';
  if (e && e.tagName === 'IFRAME' && e.contentDocument && e.contentDocument.activeElement) {
    const i = e.contentDocument.activeElement;
    inner = i.tagName + '.' + (typeof i.className === 'string' ? i.className : '') + ' '
      + (i.getAttribute('aria-label') || i.getAttribute('title') || '').slice(0, 40);
  }
  if (!e) return null;
  return {tag: e.tagName, label: e.getAttribute('aria-label') || '', inner: inner,
          text: (e.innerText || '').trim().slice(0, 60), type: e.getAttribute('type') || ''}; }"""
RING = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  let p = e.parentElement, wrapped = false;
  for (let i = 0; i < 4 && p; i++, p = p.parentElement) {
    const ps = getComputedStyle(p);
    if ((ps.boxShadow && ps.boxShadow !== 'none') || (ps.outlineStyle !== 'none'
        && parseFloat(ps.outlineWidth) >= 2) || ps.borderColor === 'rgb(11, 83, 148)') wrapped = true;
  }
  return outline || shadow || wrapped; }"""


def _tab_to(page, want, limit: int = 60, back: bool = False) -> dict:  # type: ignore[no-untyped-def]
    """Press Tab (Shift+Tab with ``back``) until ``want(active)`` holds; returns the active
    element's description."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        page.wait_for_timeout(60)
        a = page.evaluate(ACTIVE)
        seen.append(a)
        if a and want(a):
            return a
    raise AssertionError(f"not reached by Tab: {seen[-12:]}")


def test_log_in_change_period_and_open_a_zone_card_by_keyboard(browser_page, app_url):
    page = browser_page
    page.goto(app_url)
    page.get_by_label("Användarnamn").wait_for()
    page.wait_for_timeout(500)
    _tab_to(page, lambda a: a["label"] == "Användarnamn")
    assert page.evaluate(RING), "no visible focus on the user name field"
    page.keyboard.type("lasare")
    _tab_to(page, lambda a: a["label"] == "Lösenord")
    page.keyboard.type("demo-losen-2023")
    page.keyboard.press("Enter")
    page.get_by_text("Logga ut").wait_for()
    page.locator('iframe[title="streamlit_folium.st_folium"]').wait_for()
    page.wait_for_timeout(1500)

    # the period: the sidebar's select box, typed into and chosen with Enter
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first
    assert "2022-2023 ·" in (caption.text_content() or "")
    _tab_to(page, lambda a: a["tag"] == "INPUT" and "Period" in a["label"], back=True)
    assert page.evaluate(RING), "no visible focus on the period picker"
    page.keyboard.type("2021-2022")
    page.keyboard.press("Enter")
    page.wait_for_function("""() => [...document.querySelectorAll(
        '[data-testid="stCaptionContainer"]')].some(e => e.textContent.includes('2021-2022 ·'))""")
    page.wait_for_timeout(1500)

    # a zone's card through the zone picker beside the map
    _tab_to(page, lambda a: a["tag"] == "INPUT" and "Visa kort" in a["label"])
    assert page.evaluate(RING), "no visible focus on the zone picker"
    page.keyboard.type("Liljeh")
    page.keyboard.press("Enter")
    card = page.locator(".st-key-karta_card")
    card.get_by_role("heading", name="Liljeholmen").wait_for()
    assert card.get_by_text("Lägesbild").count() >= 1

    # the map's text alternative opens with the keyboard too
    _tab_to(page, lambda a: "Kartan som tabell" in a["text"])
    assert page.evaluate(RING), "no visible focus on the table's expander"
    page.keyboard.press("Enter")
    table = page.locator(".st-key-karta_table")
    table.get_by_text("Samma siffror som kartan visar").wait_for()
    assert table.locator('[data-testid="stDataFrame"]').count() == 1


# --- the tasks of a council's staff, keyboard only ---------------------------------------------

def _keyboard_login(page, app_url: str, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url)
    page.get_by_label("Användarnamn").wait_for()
    page.wait_for_timeout(500)
    _tab_to(page, lambda a: a["label"] == "Användarnamn")
    page.keyboard.type(user)
    _tab_to(page, lambda a: a["label"] == "Lösenord")
    page.keyboard.type("demo-losen-2023")
    page.keyboard.press("Enter")
    page.get_by_text("Logga ut").wait_for()
    page.wait_for_timeout(1000)


def _open_page(page, name: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    """The sidebar's link to a page, reached with Tab and followed with Enter."""
    _tab_to(page, lambda a: a["tag"] == "A" and a["text"].endswith(name), limit=80, back=True)
    assert page.evaluate(RING), f"no visible focus on the link {name}"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    page.wait_for_timeout(1000)


def _choose(page, label: str, typed: str | None = None, *, arrow: bool = False,
            limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """A select box reached with Tab: ``typed`` narrows its options (or ArrowDown opens it
    and takes the first), Enter chooses."""
    _tab_to(page, lambda a: a["tag"] == "INPUT" and a["label"].startswith(label), limit=limit)
    assert page.evaluate(RING), f"no visible focus on {label}"
    if arrow:
        page.keyboard.press("ArrowDown")
        page.get_by_role("option").first.wait_for()
        page.keyboard.press("ArrowDown")
    else:
        page.keyboard.type(typed or "", delay=30)
        try:
            page.get_by_role("option").first.wait_for(timeout=20_000)
        except Exception:
            page.screenshot(path=str(artifact(f"keyboard-choose-{label[:20]}.png")))
            raise
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)


def test_add_a_measure_by_keyboard(browser_page, app_url, e2e_store):
    from sqlalchemy import select

    from mapapp.store.engine import make_engine
    from mapapp.store.models import Measure

    page = browser_page
    _keyboard_login(page, app_url, "samordnare")
    # Streamlit's skip link, in the page's language, takes the focus to the page's content
    skip = page.locator('[data-testid="stSkipToContent"]')
    assert skip.text_content() == "Hoppa till innehållet"
    _open_page(page, "Åtgärder", "Åtgärder")
    _tab_to(page, lambda a: "Ny åtgärd" in a["text"])
    assert page.evaluate(RING), "no visible focus on the expander Ny åtgärd"
    page.keyboard.press("Enter")
    page.locator(".st-key-atg_new_zone input").wait_for()
    page.wait_for_timeout(500)
    _choose(page, "Område", "Fruängen")
    title = "Belysning gångtunneln, tangentbord"
    _tab_to(page, lambda a: a["label"] == "Titel")
    assert page.evaluate(RING), "no visible focus on the title field"
    page.keyboard.type(title)
    _choose(page, "Prioriterat område", "Skolan")
    _choose(page, "Ansvarig aktör", "LPO Glo")
    _tab_to(page, lambda a: a["tag"] == "BUTTON" and "Lägg till åtgärd" in a["text"])
    assert page.evaluate(RING), "no visible focus on Lägg till åtgärd"
    page.keyboard.press("Enter")
    page.get_by_text("sparad.", exact=False).first.wait_for()
    eng = make_engine(e2e_store)
    with eng.connect() as c:
        stored = c.execute(select(Measure.title).where(Measure.title == title)).all()
    eng.dispose()
    assert len(stored) == 1


def test_save_an_observation_by_picking_a_nearby_site_by_keyboard(browser_page, app_url,
                                                                  e2e_store):
    import uuid
    from datetime import UTC, datetime

    from sqlalchemy import select

    from mapapp import walks
    from mapapp.access import Principal, Role
    from mapapp.store.engine import make_engine
    from mapapp.store.models import Observation, Site, Zone

    eng = make_engine(e2e_store)
    with eng.connect() as c:
        zid = c.execute(select(Zone.id).where(Zone.name == "Liljeholmen")).scalar_one()
    wid, _ = walks.create_walk(eng, Principal("vandrare", Role.VANDRARE, team="lag-1"),
                               submission_id=str(uuid.uuid4()), zone_id=zid,
                               starts_at=datetime.now(UTC), organiser="SDF",
                               participants={"boende": 3}, title="Tangentbordsvandring")
    page = browser_page
    _keyboard_login(page, app_url, "vandrare")
    _open_page(page, "Vandring", "Trygghetsvandring")
    _choose(page, "Vandring", "Tangentbords")
    page.wait_for_function("""() => [...document.querySelectorAll('input')].some(
        i => (i.value || '').startsWith('Tangentbordsvandring'))""")
    page.wait_for_timeout(1000)
    # the nearby site: the list opens with ArrowDown, Enter takes it, "Välj" places it
    _choose(page, "Eller välj en plats", arrow=True)
    _tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"] == "Välj")
    assert page.evaluate(RING), "no visible focus on Välj"
    page.keyboard.press("Enter")
    page.wait_for_function("""() => [...document.querySelectorAll('p')].some(
        p => p.textContent.startsWith('Plats:') && !p.textContent.includes('ingen'))""")
    # the categories are one group: Tab reaches it, the arrow keys move within it
    _tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"] == "Belysning")
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    assert page.evaluate(ACTIVE)["text"] == "Klotter"
    assert page.evaluate(RING), "no visible focus on the category"
    page.keyboard.press("Enter")
    page.wait_for_timeout(1000)
    _tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"].endswith("Spara"))
    assert page.evaluate(RING), "no visible focus on Spara"
    page.keyboard.press("Enter")
    page.get_by_text("Sparad (observation nr").wait_for()
    with eng.connect() as c:
        rows = c.execute(select(Observation.category, Observation.lon, Observation.lat,
                                Site.lon, Site.lat)
                         .join(Site, Site.id == Observation.site_id)
                         .where(Observation.walk_id == wid)).all()
    eng.dispose()
    assert len(rows) == 1
    category, lon, lat, site_lon, site_lat = rows[0]
    assert category == "klotter"
    assert abs(lon - site_lon) < 1e-6 and abs(lat - site_lat) < 1e-6


def test_download_a_snapshot_by_keyboard(browser_page, app_url):
    page = browser_page
    _keyboard_login(page, app_url, "samordnare")
    _open_page(page, "Export/Protokoll", "Export till protokollet")
    # the format: a radio group, Tab reaches it and the arrow keys choose (DOCX → … → PNG)
    _tab_to(page, lambda a: a["tag"] == "INPUT" and a["type"] == "radio")
    assert page.evaluate(RING), "no visible focus on the format"
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Ladda ner lagesbild-hagersten-alvsjo").filter(
        has_text=".png").wait_for()
    page.wait_for_timeout(800)
    _tab_to(page, lambda a: a["tag"] == "BUTTON" and "Ladda ner" in a["text"])
    assert page.evaluate(RING), "no visible focus on the download button"
    with page.expect_download(timeout=120_000) as got:
        page.keyboard.press("Enter")
    download = got.value
    assert download.suggested_filename.endswith(".png")
    with open(download.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
