"""The map in a real browser: it draws with the zone polygons on the bundled basemap (water,
land, names; the "Vatten" layer in the layer control and the legend), a click on a zone opens
its card, and with default settings the page makes no request to another origin."""

from __future__ import annotations

import re
import shutil
from urllib.parse import urlparse

import numpy as np
import pytest
import shapely

from mapapp.crs import METRIC, WGS84, transformer
from mapapp.store.district import sites_frame, zones_frame
from mapapp.store.engine import make_engine
from tests.e2e.conftest import artifact, login

pytestmark = pytest.mark.e2e

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _quiet_point(e2e_store: str) -> tuple[str, float, float]:
    """A zone and a point inside it at least 120 m from every site (so the click hits the
    zone, not a site marker)."""
    eng = make_engine(e2e_store)
    zones, sites = zones_frame(eng), sites_frame(eng)
    eng.dispose()
    to_m = transformer(WGS84, METRIC)
    sx, sy = to_m.transform(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    for z in zones.itertuples(index=False):
        minx, miny, maxx, maxy = z.geometry.bounds
        lon, lat = np.meshgrid(np.linspace(minx, maxx, 25), np.linspace(miny, maxy, 25))
        lon, lat = lon.ravel(), lat.ravel()
        inside = shapely.contains_xy(z.geometry, lon, lat)
        px, py = to_m.transform(lon[inside], lat[inside])
        d = np.hypot(px[:, None] - sx[None, :], py[:, None] - sy[None, :]).min(axis=1)
        if len(d) and d.max() >= 120:
            i = int(np.argmax(d))
            return str(z.name), float(lat[inside][i]), float(lon[inside][i])
    raise AssertionError("no zone has a point 120 m from every site")


def _map_frame(page):  # type: ignore[no-untyped-def]
    return next(f for f in page.frames if "st_folium" in f.url)


def wait_for_map(page, legend: str = ""):  # type: ignore[no-untyped-def]
    """The map's frame locator once the page has settled on one map with its zones drawn
    (and ``legend`` in its legend): while Streamlit reruns, the old and the new map frame can
    both be in the page."""
    page.wait_for_function(
        """([sel, text]) => {
             const frames = document.querySelectorAll(sel);
             if (frames.length !== 1) return false;
             const doc = frames[0].contentDocument;
             if (!doc || !doc.querySelector('path.mapapp-zones')) return false;
             const lg = doc.querySelector('.mapapp-legend');
             return !!lg && lg.textContent.includes(text);
           }""", arg=[IFRAME, legend], timeout=60_000)
    return page.frame_locator(IFRAME)


def test_map_draws_zones_opens_card_and_stays_on_origin(browser_page, app_url, e2e_store):
    page = browser_page
    page.goto(app_url)
    login(page, "lasare")
    fl = wait_for_map(page)
    n_zones = len(zones_frame(make_engine(e2e_store)))
    frame = _map_frame(page)
    assert fl.locator("path.mapapp-zones").count() == n_zones
    assert fl.locator("path.mapapp-stadsdelar").count() == 17
    # the bundled basemap: 24 water polygons, the layer "Vatten" in the control and the
    # legend, the land of the neighbours and the names of stadsdelar and stations
    assert fl.locator("path.mapapp-vatten").count() == 24
    assert fl.locator(".leaflet-control-layers-overlays label", has_text="Vatten").count() == 1
    assert fl.locator(".mapapp-legend", has_text="Sjöar och vattendrag").count() == 1
    assert fl.locator("path.mapapp-base").count() > 17
    assert fl.locator(".mapapp-label-stadsdel", has_text="Årsta").count() == 1
    assert frame.evaluate("() => !!document.querySelector('.leaflet-tile')") is False
    # Leaflet was served by the app and executed (not fetched from a CDN).
    assert frame.evaluate("() => window.L && L.version") == "1.9.3"
    assert fl.locator(".mapapp-legend").is_visible()
    assert fl.locator(".leaflet-control-scale").is_visible()
    assert fl.get_by_text("Teckenförklaring").first.is_visible()
    page.locator(IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifact("karta-1280x800.png")))

    zone, lat, lng = _quiet_point(e2e_store)
    frame.evaluate("([lat, lng]) => window.map.setView([lat, lng], 15, {animate: false})",
                   [lat, lng])
    page.wait_for_timeout(300)
    x, y = frame.evaluate(
        "([lat, lng]) => { const p = window.map.latLngToContainerPoint([lat, lng]);"
        " const r = window.map.getContainer().getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }", [lat, lng])
    box = page.locator(IFRAME).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    card = page.locator(".st-key-karta_card")
    card.get_by_role("heading", name=zone).wait_for()
    assert card.get_by_text("Lägesbild").count() >= 1
    page.screenshot(path=str(artifact("karta-card-1280x800.png")))

    host = urlparse(app_url).hostname
    other = [u for u in page.mapapp_requests
             if urlparse(u).scheme in ("http", "https") and urlparse(u).hostname != host]
    assert other == [], f"requests to other origins: {other}"
    assert page.mapapp_blocked == []
    assert page.mapapp_failed == []


def test_vendored_assets_are_served_as_scripts_and_styles(browser_page, app_url):
    page = browser_page
    page.goto(app_url)
    login(page, "lasare")
    wait_for_map(page)
    for path, kind in (("leaflet/leaflet.js", "javascript"), ("leaflet/leaflet.css", "css"),
                       ("markercluster/leaflet.markercluster.js", "javascript"),
                       ("jquery/jquery.min.js", "javascript"),
                       ("fontawesome/css/all.min.css", "css")):
        r = page.request.get(f"{app_url}/app/static/vendor/{path}")
        assert r.status == 200, path
        assert kind in r.headers["content-type"], (path, r.headers["content-type"])


def test_english_switch_translates_the_map(browser_page, app_url):
    page = browser_page
    page.goto(app_url)
    login(page, "polis")
    wait_for_map(page)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("button", name="Log out").wait_for()
    fl = wait_for_map(page, legend="Place-collaboration zones")
    legend = fl.locator(".mapapp-legend").text_content() or ""
    assert "Place-collaboration zones" in legend and "Platssamverkansområden" not in legend
    assert re.search(r"Crimes", page.content())
    # the page's language (WCAG 3.1.1) and Streamlit's skip link follow the switch
    page.wait_for_function("""() => document.documentElement.lang === 'en' && document
        .querySelector('[data-testid="stSkipToContent"]').textContent === 'Skip to main content'""")


def test_vector_mbtiles_basemap_draws_tiles_from_the_apps_own_origin(
        _browser, e2e_store, tmp_path, request):
    """``MAPAPP_BASEMAP`` = a vector MBTiles built here from the bundled layers (water and the
    stadsdelar's outlines, by GDAL's MVT writer): the app draws its tiles to PNG and the map in
    the browser shows them, every one from the app's own origin."""
    from tests.e2e.conftest import VIEWPORT, block_other_origins, run_app
    from tests.unit.test_basemap_vector_tiles import _vector_mbtiles

    mb = _vector_mbtiles(tmp_path, zooms=(11, 11))  # zooms 12-14 by overzoom
    with run_app(e2e_store, tmp_path / "streamlit-vector.log",
                 {"MAPAPP_BASEMAP": str(mb)}) as url:
        host = urlparse(url).hostname
        context = _browser.new_context(viewport=VIEWPORT, locale="sv-SE")
        blocked: list[str] = []
        block_other_origins(context, host, blocked)
        page = context.new_page()
        page.set_default_timeout(90_000)
        tiles: list[tuple[str, int]] = []
        page.on("response", lambda r: tiles.append((r.url, r.status))
                if "/basemap/" in r.url else None)
        try:
            page.goto(url)
            login(page, "lasare")
            frame = wait_for_map(page)
            frame.locator("img.leaflet-tile-loaded").nth(3).wait_for()
            loaded = frame.locator("img.leaflet-tile-loaded").evaluate_all(
                "imgs => imgs.map(i => [i.src, i.naturalWidth])")
            page.screenshot(path=str(artifact("karta-vector-mbtiles-1280x800.png")))
        finally:
            context.close()
            # the tiles the server published for this throw-away file (static/ is gitignored)
            from mapapp.render.tiles import _key
            from tests.e2e.conftest import ROOT

            shutil.rmtree(ROOT / "static" / "basemap" / _key(mb), ignore_errors=True)
    assert loaded and all(src.startswith(f"{url}/app/static/basemap/") and src.endswith(".png")
                          and w == 256 for src, w in loaded), loaded[:3]
    # a tile the file does not have is "not found"; the others are there
    assert sum(status == 200 for _, status in tiles) >= 4
    assert all(status in (200, 404) for _, status in tiles), tiles
    assert blocked == [] or all(u.endswith("map/default/24px.svg") for u in blocked), blocked
