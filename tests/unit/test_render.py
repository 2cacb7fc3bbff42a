"""The map as HTML: built from the bundled district files and generated points, rendered with
folium, and read back the way a browser would get it."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import binomtest

from mapapp.analysis.grid import build_grid, grid_hotspots
from mapapp.analysis.periods import statistical_year
from mapapp.analysis.zoning import assign
from mapapp.categories import SENSITIVE_CODES
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.demo import generate
from mapapp.render import assets, layer_specs
from mapapp.render.build import build_map
from mapapp.render.cards import resolve_click, zone_card
from mapapp.render.data import (
    MapFilter,
    PointIndex,
    available_periods,
    cell_corners,
    count_cells,
    gi_cells,
    grid_affine,
    kept_raster,
    pack_points,
)
from mapapp.render.view import Inputs, compute_view
from mapapp.settings import GEO_DIR, OSM_TILES, load_settings
from mapapp.store.district import bundled_frames

EVIL_HTML = "<img src=x onerror=alert(1)>"
EVIL_JS = "`${alert(1)}`"
SETTINGS = load_settings({})


def _point_frame(raw: pd.DataFrame, kind: str, zones: gpd.GeoDataFrame,
                 *, hide_sensitive: bool = False) -> pd.DataFrame:
    """The store's point frame for generated rows (zone by the border rule)."""
    lon, lat = raw["lon"].to_numpy(), raw["lat"].to_numpy()
    zi = assign(lon, lat, list(zones.geometry))
    zid = np.where(zi >= 0, zones["id"].to_numpy()[np.maximum(zi, 0)], -1)
    sensitive = raw["category"].isin(list(SENSITIVE_CODES)).to_numpy() & (kind == "incident")
    out = pd.DataFrame({
        "id": np.arange(len(raw)), "kind": kind, "source": raw["source"].astype("category"),
        "external_id": raw["external_id"], "category": raw["category"].astype("category"),
        "occurred_at": pd.to_datetime(raw["occurred_at"], utc=True),
        "lon": lon.astype(float), "lat": lat.astype(float),
        "zone": pd.Series(np.where(zi >= 0, zones["name"].to_numpy()[np.maximum(zi, 0)], None),
                          dtype=object),
        "zone_id": pd.array(np.where(zid >= 0, zid, 0), dtype="Int64"),
        "stadsdel": None, "precision": "exact", "description": None, "sensitive": sensitive})
    out.loc[zid < 0, "zone_id"] = pd.NA
    if hide_sensitive:
        out.loc[sensitive, ["lon", "lat"]] = np.nan
    return out


@pytest.fixture(scope="module")
def district() -> dict:
    geo = bundled_frames(GEO_DIR)
    zones, sd, sites, outline = geo["zones"], geo["stadsdelar"], geo["sites"], geo["outline"]
    zones["lagesbild"] = "Lugnt."
    grid = build_grid(outline, cell_size_m=100)
    inc_raw = generate(sites, outline, 3000, "incident", seed=5)
    obs_raw = generate(sites, outline, 300, "observation", seed=5)
    return {"zones": zones, "stadsdelar": sd, "sites": sites, "grid": grid,
            "outline": outline, "inc_raw": inc_raw, "obs_raw": obs_raw}


def _inputs(d: dict, *, police: bool = True, zones: gpd.GeoDataFrame | None = None,
            sites: gpd.GeoDataFrame | None = None, measures: pd.DataFrame | None = None,
            kind: str = "statistical") -> Inputs:
    zones = d["zones"] if zones is None else zones
    inc = _point_frame(d["inc_raw"], "incident", zones, hide_sensitive=not police)
    obs = _point_frame(d["obs_raw"], "observation", zones)
    return Inputs(incidents=inc, incident_index=PointIndex.build(inc, d["grid"]),
                  observations=obs, observation_index=PointIndex.build(obs, d["grid"]),
                  zones=zones, stadsdelar=d["stadsdelar"],
                  sites=d["sites"] if sites is None else sites, grid=d["grid"],
                  periods=available_periods(inc, kind), measures=measures,
                  can_see_sensitive=police)


def _html(inp: Inputs, flt: MapFilter = MapFilter(), *, basemap: str = "none",
          attribution: str = "", lang: str = "sv", budget: int = 25_000) -> str:
    view = compute_view(inp, flt, SETTINGS, lang=lang, point_budget=budget)
    sd = inp.stadsdelar
    m = build_map(view.specs(layer_specs()), view.data, lang=lang, basemap=basemap,
                  attribution=attribution or SETTINGS.basemap_attribution,
                  bounds=tuple(sd.total_bounds), base_outlines=sd, notes=view.notes)
    return m.get_root().render()


def _urls(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", html))


# --- layers, legend, scale ---------------------------------------------------------------------

def test_map_has_every_layer_with_its_legend_and_a_scale(district):
    html = _html(_inputs(district))
    for title in ("Stadsdelar", "Platssamverkansområden", "Brottskoncentrationer (Gi*)", "Brott",
                  "Observationer", "Platser"):
        assert json.dumps(title) in html or title in html, title
    assert "mapapp-legend" in html and "Teckenförklaring" in html
    for label in ("Revidering krävs", "Flaggad plats (fler än väntat)",
                  "Ökande (ny eller växande hotspot)", "Het punkt 99 %"):
        assert label in html
    assert "L.control.scale({imperial: false" in html
    assert "L.control.layers(" in html
    assert html.count("mapapp-zones") >= 1 and "markerClusterGroup" in html
    # the zone polygons are real GeoJSON features with the zone's status
    features = re.findall(r'"status":\s*"(revision_due|ok)"', html)
    assert len(features) == len(district["zones"])


def test_english_map(district):
    html = _html(_inputs(district), lang="en")
    assert "Place-collaboration zones" in html and "Legend" in html
    assert "Platssamverkansområden" not in html


def test_incident_cells_give_way_to_points_when_zooming_in(district):
    html = _html(_inputs(district))
    assert re.search(r"ok = z >= 0 && z < 14 \+ 1", html)
    assert re.search(r"ok = z >= 15 && z < 99 \+ 1", html)


# --- no CDN -----------------------------------------------------------------------------------

def test_no_request_leaves_the_app_without_a_basemap(district, tmp_path):
    html = _html(_inputs(district), basemap="none")
    assert _urls(html) == set(), _urls(html)
    assert "L.tileLayer" not in html
    srcs = re.findall(r'<script src="([^"]+)"', html) + re.findall(
        r'<link rel="stylesheet" href="([^"]+)"', html)
    assert srcs and all(s.startswith(assets.VENDOR_URL + "/") for s in srcs), srcs
    # building a map put the files where the app serves them
    for s in srcs:
        assert assets.vendor_path(s).is_file(), s
    assert assets.ensure_vendor(tmp_path) > 0
    for s in srcs:
        assert assets.vendor_path(s, tmp_path).is_file(), s
    assert assets.ensure_vendor(tmp_path) == 0  # idempotent
    assert "1.9.3" in (tmp_path / "leaflet" / "leaflet.js").read_text("utf-8")[:400]
    # Font Awesome finds its fonts next to its stylesheet
    css = (tmp_path / "fontawesome" / "css" / "all.min.css").read_text("utf-8")
    for font in set(re.findall(r"url\(\.\./webfonts/([^)]+)\)", css)):
        assert (tmp_path / "fontawesome" / "webfonts" / font).is_file(), font


def test_only_the_configured_tile_server_and_attribution_links(district):
    html = _html(_inputs(district), basemap="osm")
    assert _urls(html) == {OSM_TILES, "https://www.openstreetmap.org/copyright"}
    xyz = "https://kartor.example.se/wmts/{z}/{x}/{y}.png"
    html = _html(_inputs(district), basemap=xyz,
                 attribution='&copy; <a href="https://kartor.example.se/villkor">Kartor AB</a>')
    assert _urls(html) == {xyz, "https://kartor.example.se/villkor"}


def test_streamlit_folium_gets_only_local_scripts(district):
    """streamlit-folium loads the ``default_js``/``default_css`` of every element itself."""
    inp = _inputs(district)
    view = compute_view(inp, MapFilter(), SETTINGS)
    m = build_map(view.specs(layer_specs()), view.data, basemap="none",
                  bounds=tuple(inp.stadsdelar.total_bounds))

    def walk(el):
        yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    links = [url for el in walk(m) if isinstance(el, folium.elements.JSCSSMixin)
             for _, url in [*el.default_js, *el.default_css]]
    assert links and all(u.startswith(assets.VENDOR_URL) for u in links), links
    # the class defaults are untouched (other maps in the process keep working)
    assert folium.Map.default_js[0][1].startswith("https://")


# --- escaping -----------------------------------------------------------------------------------

def test_user_text_is_escaped_everywhere(district):
    zones = district["zones"].copy()
    zones.loc[0, "name"] = EVIL_HTML
    zones.loc[1, "name"] = EVIL_JS
    sites = district["sites"].copy()
    sites.loc[0, "name"] = EVIL_JS + EVIL_HTML
    measures = pd.DataFrame({
        "id": [1, 2], "zone": [EVIL_HTML, EVIL_JS], "zone_id": [1, 2],
        "site": [sites.loc[0, "name"], None], "site_id": pd.array([1, None], dtype="Int64"),
        "cell_id": [None, None], "title": [EVIL_HTML, EVIL_JS], "actor": ["SDF", "Polisen"],
        "status": ["pagaende", "planerad"], "priority_area": ["x", "y"],
        "start": [None, None], "due": [date(2020, 1, 1), None], "next_followup": [None, None],
        "overdue": [True, False], "lon": [sites.loc[0, "lon"], np.nan],
        "lat": [sites.loc[0, "lat"], np.nan]})
    html = _html(_inputs(district, zones=zones, sites=sites, measures=measures))
    for raw in (EVIL_HTML, EVIL_JS, "${alert(1)}", "`$", "<img src"):
        assert raw not in html, raw
    # …and still readable once the browser decodes it
    decoded = html.replace("\\u0026", "&")
    assert "&lt;img src=x onerror=alert(1)&gt;" in decoded
    assert "&#96;&#36;{alert(1)}&#96;" in decoded


# --- data: cells, points, Gi*, sensitive categories ---------------------------------------------

def test_cells_are_placed_within_ten_centimetres(district):
    grid = district["grid"]
    raster = kept_raster(grid)
    lon, lat = cell_corners(grid, raster, grid_affine(grid))
    rows, cols = np.divmod(raster, grid.nx)
    ex, ey = transformer(WGS84, METRIC).transform(lon, lat)
    err = np.hypot(ex - (grid.x0 + cols * grid.cell_size_m), ey - (grid.y0 + rows * grid.cell_size_m))
    assert err.max() < 0.1, err.max()


def test_cell_counts_and_gi_classes_match_the_analysis(district):
    inp = _inputs(district)
    per = statistical_year(2021)
    mask = inp.incident_index.mask(MapFilter(), per)
    cells = count_cells(inp.incident_index, mask, inp.grid, palette=("#111111", "#222222"),
                        tip="{n}")
    in_per = inp.incidents[mask]
    assert cells.extra["total"] == int((inp.grid.cell_index(in_per["lon"].to_numpy(),
                                                            in_per["lat"].to_numpy()) >= 0).sum())
    ref = grid_hotspots(inp.incidents, inp.grid, period=per)
    gi = gi_cells(inp.incident_index, mask, inp.grid, colors={c: "#000000" for c in (
        "hot99", "hot95", "hot90", "cold90", "cold95", "cold99")},
        labels={c: c for c in ("hot99", "hot95", "hot90", "cold90", "cold95", "cold99")},
        tip="{n}")
    sig = ref[ref["class"] != "ns"]
    assert set(kept_raster(inp.grid)[sig.index.to_numpy()]) == set(gi.raster)
    assert gi.values.sum() == sig["count"].sum()


def test_packed_points_decode_to_their_positions(district):
    inp = _inputs(district)
    mask = inp.incident_index.mask(MapFilter(categories=("stold",)))
    pts = pack_points(inp.incident_index, mask, labels={}, colors="#000000")
    assert pts is not None and pts.count == int(mask.sum())
    lat = pts.lat0 + pts.dlat * 1e-5
    lon = pts.lon0 + pts.dlon * 1e-5
    sel = inp.incidents[mask]
    assert np.abs(lat - sel["lat"].to_numpy()).max() <= 5e-6 + 1e-12
    assert np.abs(lon - sel["lon"].to_numpy()).max() <= 5e-6 + 1e-12
    assert pack_points(inp.incident_index, mask, labels={}, colors="#000", budget=10) is None


def test_sensitive_categories_are_only_counted_per_zone_for_other_roles(district):
    reader = _inputs(district, police=False)
    police = _inputs(district, police=True)
    per = reader.periods[-1]
    flt = MapFilter(period=per.label, categories=tuple(SENSITIVE_CODES))
    v_reader = compute_view(reader, flt, SETTINGS)
    v_police = compute_view(police, flt, SETTINGS)
    assert v_reader.data["incident_points"].count == 0
    assert v_police.data["incident_points"].count > 0
    assert v_reader.data["incident_cells"].count == 0
    assert v_police.data["incident_cells"].count > 0
    # the zones still count them
    zr = v_reader.data["zones"].set_index("id")["count"]
    zp = v_police.data["zones"].set_index("id")["count"]
    assert zr.sum() > 0 and zr.equals(zp)
    assert "Känsliga kategorier" in v_reader.notes["incident_cells"]
    assert "incident_cells" not in v_police.notes or "Känsliga" not in v_police.notes[
        "incident_cells"]


def test_filters_change_the_figures(district):
    inp = _inputs(district)
    per = inp.periods[-1]
    frame = inp.incidents
    in_per = (frame["occurred_at"] >= per.start) & (frame["occurred_at"] < per.end)
    v_all = compute_view(inp, MapFilter(period=per.label), SETTINGS)
    assert v_all.figures["incidents"] == int(in_per.sum())
    v_cat = compute_view(inp, MapFilter(period=per.label, categories=("narkotikabrott",)),
                         SETTINGS)
    assert v_cat.figures["incidents"] == int((in_per & (frame["category"] == "narkotikabrott"))
                                             .sum())
    zid = int(inp.zones["id"].iloc[0])
    v_zone = compute_view(inp, MapFilter(period=per.label, zone_ids=(zid,)), SETTINGS)
    assert v_zone.figures["incidents"] == int((in_per & (frame["zone_id"] == zid)).sum())
    prev = inp.periods[-2]
    v_prev = compute_view(inp, MapFilter(period=prev.label), SETTINGS)
    assert v_prev.figures["incidents"] == int(((frame["occurred_at"] >= prev.start)
                                               & (frame["occurred_at"] < prev.end)).sum())
    assert v_all.figures["incidents_prev"] == v_prev.figures["incidents"]


def test_too_many_points_fall_back_to_cells_and_say_so(district):
    inp = _inputs(district)
    html = _html(inp, budget=50)
    assert "markerClusterGroup" not in html
    assert "för många för att visas som punkter" in html
    assert re.search(r"ok = z >= 0 && z < 14 \+ 1", html) is None  # cells at every zoom


def test_map_size_stays_small_and_has_no_marker_per_point(district):
    inp = _inputs(district)
    html = _html(inp, budget=50)
    n = len(inp.incidents)
    assert len(html.encode()) < 2_000_000
    assert html.count("L.circleMarker(") <= 2  # templates only, never one per point
    assert html.count("circle_marker_") == 0
    assert n > 50


# --- cards and clicks -----------------------------------------------------------------------------

def test_zone_card_shows_the_last_three_periods_with_trends(district):
    inp = _inputs(district)
    view = compute_view(inp, MapFilter(), SETTINGS)
    z = inp.zones.iloc[2]
    labels = [p.label for p in inp.periods]
    card = zone_card(z.to_dict(), revision={"flagged": True, "reasons": ["r"]},
                     counts=view.counts, labels=labels, selected=labels[-1], flags=view.flags,
                     measures=None)
    assert [f.period for f in card.figures] == labels[-3:]
    mine = inp.incidents[inp.incidents["zone"] == z["name"]]
    for f, p in zip(card.figures, inp.periods[-3:], strict=True):
        expect = int(((mine["occurred_at"] >= p.start) & (mine["occurred_at"] < p.end)).sum())
        assert f.count == expect
    for a, b in zip(card.figures[:-1], card.figures[1:], strict=True):
        if b.complete and a.complete:
            assert b.change_abs == b.count - a.count and b.previous == a.count
        # The total's change tested again, independently: scipy's exact binomial test.
        now = b.previous + b.change_abs
        assert b.p_value == pytest.approx(binomtest(b.previous, b.previous + now, 0.5).pvalue)
        assert b.arrow == ("" if not b.significant else "↑" if b.change_abs > 0 else "↓")
    assert card.revision_due and card.text == "Lugnt."


def test_a_click_opens_the_site_under_it_or_else_the_zone(district):
    sites, zones = district["sites"], district["zones"]
    s = sites.iloc[10]
    assert resolve_click(round(s["lat"], 5), round(s["lon"], 5), sites, zones) == (
        "site", int(s["id"]))
    p = zones.geometry.iloc[0].representative_point()
    hit = resolve_click(p.y, p.x, sites.iloc[0:0], zones)
    assert hit == ("zone", int(zones["id"].iloc[0]))
    assert resolve_click(59.0, 17.0, sites, zones) is None


def test_layer_files_are_plain_specs():
    here = Path(__file__).resolve().parents[2] / "layers"
    for f in here.glob("*.py"):
        text = f.read_text("utf-8")
        assert "import folium" not in text and "streamlit" not in text, f.name


# --- the map as a table (text alternative) ---------------------------------------------------

def test_zone_table_has_the_maps_figures_computed_independently(district):
    import shapely

    from mapapp.render.view import zone_table

    inp = _inputs(district)
    view = compute_view(inp, MapFilter(), SETTINGS)
    measures = pd.DataFrame({"zone_id": pd.array([int(inp.zones["id"].iloc[0])] * 3
                                                 + [int(inp.zones["id"].iloc[2]), None],
                                                 dtype="Int64"),
                             "overdue": [True, False, True, False, True]})
    table = zone_table(view, inp.sites, measures).set_index("zone")
    assert list(table.index) == list(inp.zones["name"])
    # crimes in the period per zone: the generated points by point-in-polygon, here
    p = view.period
    raw = district["inc_raw"]
    when = pd.to_datetime(raw["occurred_at"], utc=True)
    in_p = ((when >= pd.Timestamp(p.start)) & (when < pd.Timestamp(p.end))).to_numpy()
    for z in inp.zones.itertuples(index=False):
        inside = shapely.contains_xy(z.geometry, raw["lon"].to_numpy(), raw["lat"].to_numpy())
        assert table.loc[z.name, "incidents"] == int((inside & in_p).sum()), z.name
    assert table["incidents"].sum() > 0
    # flagged sites: the view's flags, placed in zones by their own geometry
    flagged = set(view.flags.loc[view.flags["flagged"], "site_id"].astype(int))
    sites = inp.sites[inp.sites["id"].astype(int).isin(flagged)]
    for z in inp.zones.itertuples(index=False):
        want = int(shapely.contains(z.geometry, sites.geometry.to_numpy()).sum())
        assert table.loc[z.name, "flagged_sites"] == want, z.name
    first, third = inp.zones["name"].iloc[0], inp.zones["name"].iloc[2]
    assert (table.loc[first, "measures"], table.loc[first, "overdue"]) == (3, 2)
    assert (table.loc[third, "measures"], table.loc[third, "overdue"]) == (1, 0)
    assert table["measures"].sum() == 4  # the measure without a zone is in no row


def test_the_map_flags_equal_the_analysis_on_the_same_points(district):
    """The view feeds the hotspot analysis from the point index (cached positions and bands);
    the flags, rises and places equal site_hotspots on the points frame (a reader: sensitive
    incidents have no position and are left out in both)."""
    from mapapp.analysis.hotspots import site_hotspots
    from mapapp.analysis.sites import params_from

    inp = _inputs(district, police=False)
    view = compute_view(inp, MapFilter(), SETTINGS)
    pts = pd.concat([inp.incidents.assign(kind="incident"),
                     inp.observations.assign(kind="observation")], ignore_index=True)
    ref = site_hotspots(pts[["kind", "occurred_at", "lon", "lat"]], inp.sites,
                        shapely.union_all(inp.stadsdelar.geometry.to_numpy()),
                        period=view.period, periods=inp.periods,
                        params=params_from(SETTINGS.site_radius_m, SETTINGS.hotspot_min_count,
                                           SETTINGS.hotspot_q)).summary
    got = view.flags
    cols = ["site_id", "count", "flagged", "rising", "persistent", "fading", "place"]
    pd.testing.assert_frame_equal(got[cols].reset_index(drop=True),
                                  ref[cols].reset_index(drop=True))
    np.testing.assert_allclose(got["expected"], ref["expected"], rtol=1e-9)
    assert view.figures["flagged"] == int(ref["flagged"].sum()) > 0
    status = dict(zip(view.data["sites"]["id"], view.data["sites"]["status"], strict=True))
    for r in ref.itertuples():
        if r.rising:
            assert status[r.site_id] == "rising"
        elif r.flagged and r.persistent:
            assert status[r.site_id] == "persistent"


def test_an_incomplete_period_is_not_the_default_and_never_a_fall(district):
    """Data only to December: the map opens on the latest complete period; the incomplete one,
    when chosen, is compared with the same months a year earlier (no "−92 848")."""
    cut = pd.Timestamp("2023-01-01", tz="Europe/Stockholm")
    raw = district["inc_raw"]
    when = pd.to_datetime(raw["occurred_at"], utc=True)
    short = dict(district, inc_raw=raw[when < cut].reset_index(drop=True))
    inp = _inputs(short)
    assert [p.label for p in inp.periods][-1] == "2022-2023"
    view = compute_view(inp, MapFilter(), SETTINGS)
    assert view.period.label == "2021-2022"
    chosen = compute_view(inp, MapFilter(period="2022-2023"), SETTINGS)
    ch = chosen.figures["incidents_change"]
    assert ch.complete is False
    local = when.dt.tz_convert("Europe/Stockholm")

    def n(a: str, b: str) -> int:
        return int(((local >= pd.Timestamp(a, tz="Europe/Stockholm"))
                    & (local < pd.Timestamp(b, tz="Europe/Stockholm"))).sum())

    now, before = n("2022-09-01", "2023-01-01"), n("2021-09-01", "2022-01-01")
    assert (ch.previous, ch.change_abs) == (before, now - before)
    whole_year_before = n("2021-09-01", "2022-09-01")
    assert ch.change_abs > now - whole_year_before  # not the fall against a whole year


def test_a_period_change_reuses_the_site_counts_and_gives_the_same_flags(district):
    """The map keeps the site counts of every period of a filter; switching the period slices
    them. The flags equal a fresh computation for that period."""
    from mapapp.analysis.hotspots import site_hotspots
    from mapapp.analysis.sites import params_from
    from mapapp.render import view as view_mod

    inp = _inputs(district)
    params = params_from(SETTINGS.site_radius_m, SETTINGS.hotspot_min_count, SETTINGS.hotspot_q)
    pts = pd.concat([inp.incidents.assign(kind="incident"),
                     inp.observations.assign(kind="observation")], ignore_index=True)
    outline = shapely.union_all(inp.stadsdelar.geometry.to_numpy())
    view_mod._COUNTS.clear()
    for p in inp.periods[::-1][:3]:
        view = compute_view(inp, MapFilter(period=p.label), SETTINGS)
        ref = site_hotspots(pts[["kind", "occurred_at", "lon", "lat"]], inp.sites, outline,
                            period=p, periods=inp.periods, params=params).summary
        cols = ["site_id", "count", "flagged", "rising", "persistent", "fading", "place"]
        pd.testing.assert_frame_equal(view.flags[cols].reset_index(drop=True),
                                      ref[cols].reset_index(drop=True))
    assert len(view_mod._COUNTS) == 1  # one filter, three periods: counted once


def test_site_figures_count_the_radius_and_test_each_change(district):
    from mapapp.render.cards import site_figures

    inp = _inputs(district)
    inc = inp.incidents
    site = district["sites"].iloc[0]
    labels = [p.label for p in inp.periods]
    figs = site_figures(inc, float(site["lon"]), float(site["lat"]), labels, labels[-1],
                        radius_m=150)
    to_m = transformer(WGS84, METRIC)
    sx, sy = to_m.transform(float(site["lon"]), float(site["lat"]))
    ok = inc["lon"].notna().to_numpy()
    x, y = to_m.transform(inc["lon"].to_numpy()[ok], inc["lat"].to_numpy()[ok])
    near = inc[ok][np.hypot(x - sx, y - sy) <= 150]
    for f, p in zip(figs, inp.periods[-3:], strict=True):
        assert f.period == p.label
        inside = (near["occurred_at"] >= p.start) & (near["occurred_at"] < p.end)
        assert f.count == int(inside.sum())
        if f.previous is not None:
            assert f.p_value == pytest.approx(
                binomtest(f.previous, f.previous + f.previous + f.change_abs, 0.5).pvalue)
            assert f.arrow == ("" if not f.significant else "↑" if f.change_abs > 0 else "↓")
