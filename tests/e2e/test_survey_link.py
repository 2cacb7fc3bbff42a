"""A survey recipient on a phone: the personal link opens only its form without logging in;
a second visit edits the same answer; a tampered link is refused with no data. The survey is
made with the CLI against the server's store, as the coordinator would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from mapapp.store.engine import make_engine
from tests.e2e.conftest import BIN, ROOT, _env, artifact, block_other_origins

PHONE = {"width": 390, "height": 844}
RECIPIENTS = ("organisation,role,email\n"
              "Citycon,Centrumledning,centrum@citycon.example\n"
              "SHIS,Förvaltare,forvaltning@shis.example\n"
              "Johan Skyttes skola,Rektor,rektor@skola.example\n")


def _cli(e2e_store: str, app_url: str, *args: str) -> str:
    env = {**_env(e2e_store), "MAPAPP_PUBLIC_URL": app_url}
    done = subprocess.run([str(BIN / "mapapp"), *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def phone(_browser, app_url: str, request: pytest.FixtureRequest) -> Iterator[object]:
    host = urlparse(app_url).hostname
    context = _browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                                   locale="sv-SE", device_scale_factor=2)
    context.mapapp_blocked = []
    block_other_origins(context, host, context.mapapp_blocked)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _radio(page, problem: str):  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stRadio"]').filter(has_text=problem).first


def test_recipient_answers_on_a_phone_edits_and_a_tampered_link_is_refused(
        phone, app_url, e2e_store, tmp_path):
    closes = (date.today() + timedelta(days=7)).isoformat()
    sid = _cli(e2e_store, app_url, "survey", "create", "--title", "Aktuell lägesbild maj",
               "--month", "2023-05", "--closes", closes).strip()
    csv = tmp_path / "mottagare.csv"
    csv.write_text(RECIPIENTS, encoding="utf-8")
    _cli(e2e_store, app_url, "survey", "recipients", sid, str(csv))
    links = json.loads(_cli(e2e_store, app_url, "survey", "links", sid, "--format", "json"))
    assert len(links) == 3
    mine = links[0]["link"]
    assert mine.startswith(f"{app_url}/?enkat=")

    page = phone
    page.goto(mine)
    page.get_by_text("Aktuell lägesbild maj").first.wait_for()
    body = page.locator("body").inner_text()
    assert "Citycon" in body
    assert "SHIS" not in body and "Johan Skyttes skola" not in body  # only its own form
    assert page.get_by_label("Lösenord").count() == 0  # no log-in
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # no navigation
    page.get_by_text("Liljeholmen", exact=True).click()
    _radio(page, "Narkotikahandel").get_by_text("Mycket").click()
    _radio(page, "Otrygghet").get_by_text("Lite").click()
    page.get_by_role("button", name="Skicka").click()
    page.get_by_text("Tack! Ditt svar är sparat.").wait_for()
    page.screenshot(path=str(artifact("enkat-phone-saved.png")), full_page=True)
    res = json.loads(_cli(e2e_store, app_url, "survey", "results", sid, "--format", "json"))
    assert {(r["zone"], r["problem"], r["reported"], r["answered"]) for r in res} == {
        ("Liljeholmen", "narkotikahandel", 1, 1), ("Liljeholmen", "otrygghet", 1, 1)}

    # a second visit: the answer is there; changing it edits the same answer
    page.goto("about:blank")
    page.goto(mine)
    page.get_by_text("Du har redan svarat").wait_for()
    expect(_radio(page, "Narkotikahandel").locator('label[data-selected="true"]')).to_have_text(
        "Mycket", timeout=30_000)
    expect(_radio(page, "Otrygghet").locator('label[data-selected="true"]')).to_have_text(
        "Lite", timeout=30_000)
    _radio(page, "Narkotikahandel").get_by_text("Inget").click()
    page.get_by_role("button", name="Skicka").click()
    page.get_by_text("Tack! Ditt svar är uppdaterat.").wait_for()
    res = json.loads(_cli(e2e_store, app_url, "survey", "results", sid, "--format", "json"))
    assert {(r["problem"], r["reported"], r["answered"]) for r in res} == {
        ("narkotikahandel", 0, 1), ("otrygghet", 1, 1)}
    eng = make_engine(e2e_store)
    with eng.connect() as c:
        n, edits = c.execute(text(
            "SELECT count(*), sum(r.edits) FROM survey_responses r JOIN survey_recipients p "
            "ON p.id = r.recipient_id WHERE p.survey_id = :s"), {"s": int(sid)}).one()
    eng.dispose()
    assert (n, edits) == (1, 1)

    # a tampered link: a refusal and no data
    token = mine.split("?enkat=")[1]
    tampered = mine[: -len(token)] + token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    page.goto("about:blank")
    page.goto(tampered)
    page.get_by_text("Länken fungerar inte").first.wait_for()
    body = page.locator("body").inner_text()
    assert "Citycon" not in body and "Liljeholmen" not in body
    assert page.locator('[data-testid="stRadio"]').count() == 0
    assert page.get_by_role("button", name="Skicka").count() == 0
    page.screenshot(path=str(artifact("enkat-phone-refused.png")))


def _one_recipient(e2e_store: str, app_url: str, tmp_path, title: str, month: str,  # type: ignore[no-untyped-def]
                   row: str) -> tuple[str, str]:
    """A survey made with the CLI with one recipient (a CSV ``row``): (its id, the link)."""
    closes = (date.today() + timedelta(days=7)).isoformat()
    sid = _cli(e2e_store, app_url, "survey", "create", "--title", title, "--month", month,
               "--closes", closes).strip()
    csv = tmp_path / "mottagare.csv"
    csv.write_text(f"organisation,role,email\n{row}\n", encoding="utf-8")
    _cli(e2e_store, app_url, "survey", "recipients", sid, str(csv))
    return sid, json.loads(_cli(e2e_store, app_url, "survey", "links", sid, "--format",
                                "json"))[0]["link"]


def test_recipient_marks_where_on_the_zones_small_map_on_a_phone(phone, app_url, e2e_store,
                                                                 tmp_path):
    """A problem answered "Mycket" offers "Markera på kartan"; a tap on the zone's small map
    marks the place, which is stored snapped to the centre of its 100 m cell."""
    import shapely

    from mapapp.council.survey_places import snap_to_cell
    from mapapp.store.district import zones_frame
    from tests.e2e.conftest import tap_map

    sid, link = _one_recipient(e2e_store, app_url, tmp_path, "Enkät med karta", "2023-06",
                               "Stockholmshem,Förvaltare,karta@shem.example")
    eng = make_engine(e2e_store)
    zones = zones_frame(eng)
    zone = zones[zones["name"] == "Liljeholmen"].iloc[0]
    x0, y0, x1, y1 = zone.geometry.bounds  # a spot in the zone's upper left quarter, clear of
    inside = zone.geometry.intersection(  # the map's controls at the bottom right
        shapely.box(x0, (y0 + y1) / 2, (x0 + x1) / 2, y1)).representative_point()

    page = phone
    page.goto(link)
    page.get_by_text("Enkät med karta").first.wait_for()
    page.get_by_text("Liljeholmen", exact=True).click()
    _radio(page, "Narkotikahandel").get_by_text("Mycket").click()
    page.get_by_text("Var? Ingen plats markerad (valfritt).").wait_for()
    page.get_by_role("button", name="Markera på kartan").click()
    page.get_by_text("Tryck där ni har sett det").wait_for()
    tap_map(page, inside.x, inside.y, page.get_by_text("Var? Markerad på kartan"))
    page.screenshot(path=str(artifact("enkat-phone-map-marked.png")), full_page=True)
    page.get_by_role("button", name="Skicka").click()
    page.get_by_text("Tack! Ditt svar är sparat.").wait_for()
    with eng.connect() as c:
        rows = c.execute(text(
            "SELECT a.problem, a.level, a.lon, a.lat, a.site_id FROM survey_answers a "
            "JOIN survey_responses r ON r.id = a.response_id JOIN survey_recipients p "
            "ON p.id = r.recipient_id WHERE p.survey_id = :s"), {"s": int(sid)}).all()
    eng.dispose()
    assert len(rows) == 1
    problem, level, lon, lat, site_id = rows[0]
    assert (problem, level, site_id) == ("narkotikahandel", 2, None)
    assert snap_to_cell(lon, lat) == (lon, lat)  # a cell's centre, not the tap
    from pyproj import Transformer

    tm = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    (ax, ay), (bx, by) = tm.transform(lon, lat), tm.transform(inside.x, inside.y)
    assert ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 < 120  # the tapped cell (or its neighbour)


def test_where_by_keyboard_from_the_list_of_places_and_axe_finds_nothing_serious(
        browser_page, app_url, e2e_store, tmp_path):
    """The keyboard way to say where: the list of the zone's places (no map needed), chosen
    and sent with keys only; axe (WCAG 2.1 A/AA) finds no serious violation in the form with
    the place controls showing."""
    from tests.e2e.axe import audit, blocking, describe
    from tests.e2e.test_accessibility import _settle

    sid, link = _one_recipient(e2e_store, app_url, tmp_path, "Enkät med tangentbord",
                               "2023-07", "Familjebostäder,Förvaltare,kb@fb.example")
    page = browser_page
    page.goto(link)
    page.get_by_text("Enkät med tangentbord").first.wait_for()
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Liljeholmen").focus()
    page.keyboard.press("Enter")
    radio = _radio(page, "Otrygghet")
    radio.locator("input").first.focus()  # "Inget"; the arrow keys move the choice
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(radio.locator('label[data-selected="true"]')).to_have_text("Mycket", timeout=30_000)
    page.get_by_text("Var? Ingen plats markerad (valfritt).").wait_for()
    _settle(page)
    problems = describe("survey form", blocking(audit(page)))
    assert problems == "", "axe (WCAG 2.1 A/AA, serious or critical):\n" + problems
    picker = page.locator('[class*="st-key-enkat_site_"]').get_by_role("combobox")
    picker.focus()
    page.keyboard.press("ArrowDown")
    first = page.get_by_role("option").first
    site = first.inner_text()
    page.keyboard.press("Enter")
    page.get_by_text(f"Var? Vid {site}.").wait_for()
    page.get_by_role("button", name="Skicka").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Tack! Ditt svar är sparat.").wait_for()
    eng = make_engine(e2e_store)
    with eng.connect() as c:
        rows = c.execute(text(
            "SELECT a.problem, a.level, s.name FROM survey_answers a JOIN sites s "
            "ON s.id = a.site_id JOIN survey_responses r ON r.id = a.response_id "
            "JOIN survey_recipients p ON p.id = r.recipient_id WHERE p.survey_id = :s"),
            {"s": int(sid)}).all()
    eng.dispose()
    assert [tuple(r) for r in rows] == [("otrygghet", 2, site)]
