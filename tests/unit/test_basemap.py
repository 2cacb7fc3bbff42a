"""The basemap setting and the bundled basemap (issue 17): by default the map is drawn from the
project's own data, with a "Vatten" layer, and its HTML names no other origin."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pytest
import shapely

from mapapp.basemap import OSM_TILES, local_layers, parse_basemap
from mapapp.errors import ConfigurationError
from mapapp.render import layer_specs
from mapapp.render.build import build_map
from mapapp.settings import GEO_DIR, load_settings


def _map(basemap: str, attribution: str = "") -> folium.Map:
    sd = gpd.read_file(GEO_DIR / "stadsdelar.geojson")
    return build_map(layer_specs(), {"stadsdelar": sd.assign(tip=sd["name"])}, basemap=basemap,
                     attribution=attribution, bounds=tuple(sd.total_bounds), base_outlines=sd)


def _html(basemap: str, attribution: str = "") -> str:
    return _map(basemap, attribution).get_root().render()


def _walk(el):  # type: ignore[no-untyped-def]
    yield el
    for child in getattr(el, "_children", {}).values():
        yield from _walk(child)


def _urls(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", html))


def test_default_setting_is_the_bundled_basemap():
    s = load_settings({})
    assert s.basemap == "local" and s.base.is_local and s.base.url is None
    assert parse_basemap("none").is_local  # the older name
    assert parse_basemap("osm").url == OSM_TILES
    xyz = "https://gis.stad.example/tiles/{z}/{x}/{y}.png"
    b = parse_basemap(xyz, "Stadens karta")
    assert (b.kind, b.url, b.attribution) == ("xyz", xyz, "Stadens karta")


@pytest.mark.parametrize("bad", ["ftp://x/{z}/{x}/{y}", "https://tiles.example/{z}.png",
                                 "OSM", "lokal"])
def test_unknown_basemap_values_are_refused_in_both_languages(bad):
    with pytest.raises(ConfigurationError, match="MAPAPP_BASEMAP: ange local.*/ give local"):
        load_settings({"MAPAPP_BASEMAP": bad})


def test_local_layers_hold_water_neighbours_and_names():
    local = local_layers()
    own = set(gpd.read_file(GEO_DIR / "stadsdelar.geojson")["name"])
    assert set(local.land.loc[local.land["in_district"], "name"]) == own
    near = set(local.land.loc[~local.land["in_district"], "name"])
    # neighbours on every side: Bromma across the water, Årsta east, Hägerström south-west
    assert {"Årsta", "Västertorp"} - near == {"Västertorp"}  # Västertorp is the district's own
    assert {"Årsta", "Skärholmen", "Stora Essingen"} <= near, sorted(near)
    assert len(local.water) == 24
    names = dict(zip(local.labels["name"], local.labels["kind"], strict=True))
    assert names["Telefonplan T-bana"] == "station" and names["Liljeholmen"] == "stadsdel"
    assert sum(k == "station" for k in names.values()) == 14
    # every label lies in its land or (stations) in the district
    district = shapely.union_all(local.land.loc[local.land["in_district"]].geometry.to_numpy())
    st = local.labels[local.labels["kind"] == "station"]
    assert shapely.contains(district.buffer(1e-5), st.geometry.to_numpy()).all()


def test_bundled_basemap_html_has_water_layer_and_no_other_origin():
    html = _html("local")
    assert _urls(html) == set(), _urls(html)
    assert "L.tileLayer" not in html
    # the Vatten layer: in the layer control, in the legend, every water polygon drawn
    assert '"Vatten"' in html or "Vatten" in re.findall(r"L\.control\.layers\((.*?)\)", html,
                                                         re.S)[0]
    assert "Sjöar och vattendrag" in html
    water = [el for el in _walk(_map("local")) if isinstance(el, folium.GeoJson)
             and el.layer_name == "Vatten"]
    assert len(water) == 1 and len(water[0].data["features"]) == 24
    # names of the neighbouring stadsdelar and of the stations, as labels
    labels = json.loads(re.search(r"var d = (\{\"rows\".*?\});\n", html).group(1))["rows"]
    by_name = {r[0]: r for r in labels}
    assert by_name["Telefonplan T-bana"][3] == "station"
    assert "Årsta" in {r[0] for r in labels}
    assert "Stadskarta" in html  # the basemap's attribution


def test_tile_server_is_opt_in_with_its_attribution_and_no_bundled_water():
    html = _html("osm")
    assert _urls(html) == {OSM_TILES, "https://www.openstreetmap.org/copyright"}
    assert "Sjöar och vattendrag" not in html and "mapapp-label" not in html
