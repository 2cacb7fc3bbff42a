"""Keyboard only (WCAG 2.1.1, 2.4.7): log in, change the period, open a zone's card through the
zone picker, all with Tab, arrows, Enter and typing -- no mouse, no touch -- and every control
reached shows a visible focus ring."""

from __future__ import annotations

import pytest

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
    raise AssertionError(f"not reached by Tab: {seen[-8:]}")


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
