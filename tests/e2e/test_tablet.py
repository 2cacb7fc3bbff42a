"""The Vandring page on a 10-inch tablet (touch, 1280×800 and 800×1280): create a walk, tap the
map, fill the form, save → exactly one observation in the store, in the right zone and
stadsdel, its photo without metadata; a double tap on Spara → still one; a reload in the middle
of a form → the draft is back and saves once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import pytest
import shapely
from PIL import Image
from sqlalchemy import func, select

from mapapp.photos import has_metadata
from mapapp.settings import GEO_DIR
from mapapp.store.engine import make_engine
from mapapp.store.models import Observation, Stadsdel, Walk, WalkDraft, Zone
from tests.conftest import expected_areas
from tests.e2e.conftest import artifact, block_other_origins, login, tap_map

pytestmark = pytest.mark.e2e

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
ZONE = "Älvsjö/Solberga"
LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}


@pytest.fixture
def tablet(_browser, app_url: str, request: pytest.FixtureRequest) -> Iterator[object]:
    """A touch page of a 10-inch tablet; other origins are blocked (as in browser_page)."""
    viewport = getattr(request, "param", LANDSCAPE)
    host = urlparse(app_url).hostname
    context = _browser.new_context(viewport=viewport, has_touch=True, locale="sv-SE",
                                   device_scale_factor=1)
    context.mapapp_blocked = []
    block_other_origins(context, host, context.mapapp_blocked)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    yield page
    page.screenshot(path=str(artifact(f"vandring-end-{request.node.name[:40]}.png")))
    context.close()


# The shell's page icon (set_page_config(page_icon=":material/map:")) makes Streamlit point the
# favicon at fonts.gstatic.com; that request is the shell's, reported to the lead. Anything
# else from another origin fails the test.
_SHELL_FAVICON = "materialsymbolsrounded/map/default/24px.svg"


def _foreign(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [u for u in page.context.mapapp_blocked if not u.endswith(_SHELL_FAVICON)]


def _engine(e2e_store: str):  # type: ignore[no-untyped-def]
    return make_engine(e2e_store)


def _observations(e2e_store: str, walk_id: int) -> list[tuple]:
    eng = _engine(e2e_store)
    with eng.connect() as c:
        rows = c.execute(
            select(Observation.id, Observation.category, Zone.name, Stadsdel.name,
                   Observation.lon, Observation.lat, Observation.description,
                   Observation.photo, Observation.source, Observation.team)
            .outerjoin(Zone, Zone.id == Observation.zone_id)
            .outerjoin(Stadsdel, Stadsdel.id == Observation.stadsdel_id)
            .where(Observation.walk_id == walk_id).order_by(Observation.id)).all()
    eng.dispose()
    return [tuple(r) for r in rows]


def _app_observation_ids(e2e_store: str) -> list[int]:
    eng = _engine(e2e_store)
    with eng.connect() as c:
        ids = c.execute(select(Observation.id).where(Observation.source == "app")).scalars().all()
    eng.dispose()
    return [int(i) for i in ids]


def _walk_of(e2e_store: str, observation_id: int) -> int:
    eng = _engine(e2e_store)
    with eng.connect() as c:
        wid = c.execute(select(Observation.walk_id).where(Observation.id == observation_id)
                        ).scalar_one()
    eng.dispose()
    return int(wid)


def _latest_walk(e2e_store: str) -> int:
    eng = _engine(e2e_store)
    with eng.connect() as c:
        wid = c.execute(select(func.max(Walk.id))).scalar_one()
    eng.dispose()
    return int(wid)


def _draft_note(e2e_store: str, walk_id: int) -> str | None:
    eng = _engine(e2e_store)
    with eng.connect() as c:
        rows = c.execute(select(WalkDraft.data).where(WalkDraft.walk_id == walk_id)).scalars().all()
    eng.dispose()
    return next((d.get("note") for d in rows if d.get("note")), None)


def _spots() -> list[tuple[float, float]]:
    """Three points well inside the zone (its bundled polygon), far enough apart that a tap
    on one never lands on the marker of another."""
    import numpy as np

    z = gpd.read_file(GEO_DIR / "zones.geojson").set_index("name").loc[ZONE, "geometry"]
    inner = z.buffer(-0.003)
    minx, miny, maxx, maxy = inner.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, 30), np.linspace(miny, maxy, 30))
    cand = [(float(x), float(y)) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)
            if inner.contains(shapely.Point(x, y))]
    picked = [cand[len(cand) // 2]]
    for p in cand:
        if len(picked) == 3:
            break
        if all(abs(p[0] - q[0]) + abs(p[1] - q[1]) > 0.01 for q in picked):
            picked.append(p)
    assert len(picked) == 3
    return picked


def _open_walk_page(page) -> None:  # type: ignore[no-untyped-def]
    login(page, "vandrare")
    page.get_by_role("link", name="Vandring").click()
    page.get_by_role("heading", name="Trygghetsvandring", exact=True).wait_for()


def _create_walk(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_text("Ny vandring", exact=True).click()
    form = page.locator('[data-testid="stForm"]')
    form.wait_for()
    form.get_by_role("combobox").first.click()
    page.get_by_role("option", name=ZONE).click()
    form.get_by_label("Arrangör", exact=True).fill("SDF trygghetsstrateg")
    form.get_by_label("Boende").fill("8")
    form.get_by_label("Polis").fill("2")
    form.get_by_role("button", name="Skapa vandringen").tap()
    page.locator(IFRAME).wait_for()


def _tap_map(page, lon: float, lat: float) -> None:  # type: ignore[no-untyped-def]
    """Tap the map (touch) at lon/lat until the page shows the tapped position."""
    tap_map(page, lon, lat, page.get_by_text("vald på kartan"))


def _tap_until(page, target, shown, tries: int = 3) -> None:  # type: ignore[no-untyped-def]
    """Tap ``target`` until ``shown`` appears (a tap that lands while the page is being
    redrawn is lost, as it would be on a real tablet)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        target.tap()
        try:
            shown.wait_for(timeout=8000)
            return
        except PlaywrightTimeout:
            page.wait_for_timeout(500)
    raise AssertionError("the tap was not taken")


def _fill(page, category: str, note: str) -> None:  # type: ignore[no-untyped-def]
    page.locator('[class*="st-key-vf_cat_"]').get_by_text(category, exact=True).tap()
    rating = page.locator('[class*="st-key-vf_r_belysning_"]')
    rating.get_by_text("1", exact=True).tap()
    area = page.get_by_label("Anteckning (kort)")
    area.fill(note)
    area.blur()  # the text reaches the server (and the draft) when the field is left
    page.wait_for_timeout(800)


def _save_button(page):  # type: ignore[no-untyped-def]
    return page.locator('[class*="st-key-vf_save_"] button')


def _photo_with_gps(tmp: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "Kamera AB"
    exif.get_ifd(0x8825).update({1: "N", 2: (59.0, 16.0, 40.0), 3: "E", 4: (18.0, 0.0, 30.0)})
    path = tmp / "lampa.jpg"
    Image.new("RGB", (120, 80), (40, 40, 40)).save(path, "JPEG", exif=exif)
    assert "gps" in has_metadata(path.read_bytes())
    return path


def test_tablet_walk_tap_save_double_tap_and_reload(tablet, e2e_store, tmp_path):
    page = tablet
    _open_walk_page(page)
    _create_walk(page)
    wid = _latest_walk(e2e_store)
    spots = _spots()

    # 1. Tap the map, fill the form, add a photo, save -> exactly one observation.
    _tap_map(page, *spots[0])
    _fill(page, "Belysning", "Trasig gatlampa vid gångvägen")
    page.locator('[data-testid="stExpander"]').get_by_text("Foto (valfritt)").tap()
    page.locator('input[type="file"]').set_input_files(str(_photo_with_gps(tmp_path)))
    page.get_by_text("Fotot sparas utan metadata").wait_for()
    page.screenshot(path=str(artifact("vandring-form-1280x800.png")))
    _save_button(page).tap()
    page.get_by_text("Sparad (observation nr").wait_for()
    rows = _observations(e2e_store, wid)
    assert len(rows) == 1
    _, category, zone, stadsdel, lon, lat, note, photo, source, team = rows[0]
    assert (category, note, source, team) == ("belysning", "Trasig gatlampa vid gångvägen",
                                              "app", "lag-1")
    assert (zone, stadsdel) == expected_areas(lon, lat)
    assert zone == ZONE
    assert abs(lon - spots[0][0]) < 2e-4 and abs(lat - spots[0][1]) < 2e-4
    assert photo is not None and has_metadata(bytes(photo)) == []
    # The team sees its point on the map at once.
    page.frame_locator(IFRAME).locator("path.mapapp-walk-obs").first.wait_for()
    page.screenshot(path=str(artifact("vandring-saved-1280x800.png")))

    # 2. A double tap on Spara -> still one more, not two.
    _tap_map(page, *spots[1])
    _fill(page, "Klotter", "Klotter på elskåpet")
    box = _save_button(page).bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(cx, cy)
    page.touchscreen.tap(cx, cy)
    page.get_by_text("Sparad (observation nr").wait_for()
    page.wait_for_timeout(1500)
    rows = _observations(e2e_store, wid)
    assert [r[1] for r in rows] == ["belysning", "klotter"]
    # ... and "Sparad" with the number of the stored row is still on screen after both taps
    # (and after a third tap on the fresh form's Spara), with the team's list under the form.
    saved = page.locator(".st-key-vandring_saved")
    assert saved.is_visible()
    in_view = "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= " \
        "window.innerHeight; }"
    assert saved.evaluate(in_view), "Sparad is not in the viewport beside the Spara button"
    assert f"Sparad (observation nr {rows[-1][0]})" in (saved.text_content() or "")
    _save_button(page).tap()
    page.wait_for_timeout(2000)
    assert saved.is_visible() and len(_observations(e2e_store, wid)) == 2
    assert page.get_by_text("Formuläret är tomt").count() == 0
    recent = page.locator(".st-key-vandring_recent")
    assert f"nr {rows[-1][0]} · Klotter" in (recent.text_content() or "")
    page.screenshot(path=str(artifact("vandring-sparad-stays-1280x800.png")))

    # 3. A reload in the middle of a form -> the draft is back, and saves once.
    _tap_map(page, *spots[2])
    _fill(page, "Nedskräpning", "Halvfärdig anteckning om skräp")
    page.wait_for_function("() => true")
    for _ in range(20):
        if _draft_note(e2e_store, wid) == "Halvfärdig anteckning om skräp":
            break
        page.wait_for_timeout(250)
    assert _draft_note(e2e_store, wid) == "Halvfärdig anteckning om skräp"
    page.reload()
    _open_walk_page(page)
    page.get_by_text("Ditt osparade utkast är återställt").wait_for()
    assert page.get_by_label("Anteckning (kort)").input_value() == \
        "Halvfärdig anteckning om skräp"
    assert page.get_by_text("vald på kartan").count() == 1
    page.screenshot(path=str(artifact("vandring-restored-1280x800.png")))
    _save_button(page).tap()
    page.get_by_text("Sparad (observation nr").wait_for()
    rows = _observations(e2e_store, wid)
    assert [r[1] for r in rows] == ["belysning", "klotter", "nedskrapning"]
    assert all(r[2] == ZONE for r in rows)
    assert _foreign(tablet) == []


@pytest.mark.parametrize("tablet", [PORTRAIT], indirect=True)
def test_tablet_portrait_stacks_map_and_form_with_big_targets(tablet, e2e_store):
    page = tablet
    _open_walk_page(page)
    if page.locator(IFRAME).count() == 0:
        _create_walk(page)
    page.locator(IFRAME).wait_for()
    map_box = page.locator(IFRAME).bounding_box()
    save_box = _save_button(page).bounding_box()
    form_box = page.locator(".st-key-vandring_form").bounding_box()
    # Portrait: map and form stacked, each the full width of the page's content.
    assert abs(map_box["width"] - form_box["width"]) < 24
    assert save_box["y"] > map_box["y"] + map_box["height"]
    assert save_box["height"] >= 56 and save_box["width"] >= 120
    for name in ("Belysning", "Klotter"):
        b = page.locator('[class*="st-key-vf_cat_"] button').filter(
            has_text=name).first.bounding_box()
        assert b["height"] >= 44
    page.screenshot(path=str(artifact("vandring-800x1280.png")), full_page=True)
    assert _foreign(page) == []


@pytest.fixture
def tablet_gps(_browser, app_url: str) -> Iterator[object]:
    """A landscape touch page whose browser reports a poor GPS fix (±120 m) at first."""
    host = urlparse(app_url).hostname
    lon, lat = _spots()[0]
    context = _browser.new_context(
        viewport=LANDSCAPE, has_touch=True, locale="sv-SE", permissions=["geolocation"],
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 120})
    context.mapapp_blocked = []
    block_other_origins(context, host, context.mapapp_blocked)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(app_url)
    yield page
    page.screenshot(path=str(artifact("vandring-end-gps.png")))
    context.close()


def test_my_position_refuses_a_poor_fix_then_a_site_and_the_follow_up(tablet_gps, e2e_store):
    from docx import Document

    page = tablet_gps
    _open_walk_page(page)
    if page.locator(IFRAME).count() == 0:
        _create_walk(page)
    page.locator(IFRAME).wait_for()
    before = _app_observation_ids(e2e_store)
    lon, lat = _spots()[0]

    # A fix of ±120 m is refused; ±12 m is taken and shown.
    _tap_until(page, page.get_by_role("button", name="Min position"),
               page.get_by_text("Positionen är för osäker (±120 m"))
    assert page.get_by_text("min position (±").count() == 0
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 12})
    _tap_until(page, page.get_by_role("button", name="Min position"),
               page.get_by_text("min position (±12 m)"))
    page.locator('[class*="st-key-vf_cat_"]').get_by_text("Belysning", exact=True).tap()
    _save_button(page).tap()
    page.get_by_text("Sparad (observation nr").wait_for()

    # A nearby site instead of a tap.
    # Focus the picker and open its list (this Streamlit's searchable selectbox opens its list
    # on ArrowDown once focused; a click alone only focuses it under touch emulation).
    page.locator('[class*="st-key-vf_site_"]').get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")
    option = page.get_by_role("option").first
    site_name = option.inner_text().rsplit(" (", 1)[0]
    option.click()
    page.locator('[class*="st-key-vf_site_btn_"] button').tap()
    page.get_by_text(f"Plats: {site_name}", exact=True).wait_for()
    page.locator('[class*="st-key-vf_cat_"]').get_by_text("Skadegörelse", exact=True).tap()
    _save_button(page).tap()
    page.get_by_text("Sparad (observation nr").wait_for()
    new = sorted(set(_app_observation_ids(e2e_store)) - set(before))
    assert len(new) == 2
    wid = _walk_of(e2e_store, new[0])
    rows = {r[0]: r for r in _observations(e2e_store, wid)}
    gps, by_site = rows[new[0]], rows[new[1]]
    assert gps[1] == "belysning" and abs(gps[4] - lon) < 1e-9 and abs(gps[5] - lat) < 1e-9
    eng = _engine(e2e_store)
    with eng.connect() as c:
        acc, site = c.execute(select(Observation.accuracy_m, Observation.place_name)
                              .where(Observation.id == gps[0])).one()
        site2 = c.execute(select(Observation.place_name)
                          .where(Observation.id == by_site[0])).scalar_one()
    eng.dispose()
    assert acc == 12 and site is None and site2 == site_name

    # The follow-up sheet lists them by place, and downloads as Word.
    page.get_by_text("Uppföljning", exact=True).click()
    page.get_by_role("heading", name=site_name).first.wait_for()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Uppföljning (Word)").click()
    doc = Document(dl.value.path())
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert site_name in headings
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "Fastighetsägaren" in cells and "Trafikkontoret (Tyck till)" in cells
    page.screenshot(path=str(artifact("vandring-uppfoljning-1280x800.png")))

    # The team corrects its own observation (within 24 h).
    page.get_by_text("Våra observationer", exact=True).click()
    exp = page.locator("[data-testid='stExpander']").filter(has_text="Skadegörelse").last
    exp.locator("summary").click()
    exp.get_by_label("Anteckning (kort)").fill("Krossad ruta i busskuren")
    exp.get_by_role("button", name="Spara rättelsen").tap()
    exp.get_by_text("Rättad").wait_for()
    eng = _engine(e2e_store)
    with eng.connect() as c:
        note = c.execute(select(Observation.description)
                         .where(Observation.id == by_site[0])).scalar_one()
    eng.dispose()
    assert note == "Krossad ruta i busskuren"
    assert _foreign(page) == []
