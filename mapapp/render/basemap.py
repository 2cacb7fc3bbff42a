"""The basemap of the interactive map (no streamlit here).

:func:`add_basemap` draws what ``MAPAPP_BASEMAP`` asks for: a tile layer with its attribution
(an XYZ or WMTS server, a WMS, or a local MBTiles file served from the app's own origin by
:mod:`mapapp.render.tiles`), or -- by default -- the bundled basemap of :mod:`mapapp.basemap`
(land of the district and the neighbouring stadsdelar, names of the stadsdelar and the
stations) under the data layers, with the layers of ``mapapp basemap import`` (land use,
buildings, roads and street names) when the setting names that GeoPackage. The water of the
bundled basemap is a layer spec of its own (``layers/vatten.py``, "Vatten" in the layer control
and the legend); :func:`basemap_data` gives its data.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
from jinja2 import Template

from mapapp.basemap import Basemap, local_layers
from mapapp.crs import METRIC, WGS84
from mapapp.i18n import t
from mapapp.render.elements import _OnMap, js_json
from mapapp.textsafe import html_text

LAND = "#f1efe9"  # neighbouring stadsdelar
DISTRICT_LAND = "#ffffff"
LAND_EDGE = "#b9b4a8"
BACKGROUND = "#e3e1db"  # outside the bundled land (another municipality)
STADSDEL_LABEL_ZOOM = 12
STATION_LABEL_ZOOM = 13
STREET_LABEL_ZOOM = 15
ROAD = "#b8b2a6"
BUILDING = "#d9d4cb"
LANDUSE = "#e6eadf"
IMPORTED_WATER = "#a9d3ea"


class BaseLabels(_OnMap):
    """Place names drawn as text in a pane above the data's polygons, never clickable nor
    focusable: stadsdelar (from ``STADSDEL_LABEL_ZOOM``), stations with a small symbol (from
    ``STATION_LABEL_ZOOM``)."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
.mapapp-label { pointer-events: none; white-space: nowrap; font: italic 12px/1.2 system-ui,
  sans-serif; color: #3d3d3d; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.mapapp-label span { position: relative; left: -50%; top: -0.6em; }
.mapapp-label-station { font-style: normal; font-size: 11.5px; color: #1f2f5f; }
.mapapp-label-street { font-style: normal; font-size: 11px; color: #4a4a4a; }
.mapapp-label-station span::before { content: ""; display: inline-block; width: 7px;
  height: 7px; margin-right: 3px; border: 1.5px solid #1f2f5f; background: #fff;
  border-radius: 50%; vertical-align: -1px; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this.map_name() }};
  if (!map.getPane('mapappLabels')) {
    var pane = map.createPane('mapappLabels');
    pane.style.zIndex = 450; pane.style.pointerEvents = 'none';
  }
  var d = {{ this.payload }};
  var layers = {stadsdel: L.layerGroup(), station: L.layerGroup(), street: L.layerGroup()};
  for (var i = 0; i < d.rows.length; i++) {
    var r = d.rows[i];
    L.marker([r[1], r[2]], {pane: 'mapappLabels', interactive: false, keyboard: false,
      icon: L.divIcon({className: 'mapapp-label mapapp-label-' + r[3], html: '<span>' + r[0]
        + '</span>', iconSize: null})}).addTo(layers[r[3]]);
  }
  function update() {
    var z = map.getZoom();
    [['stadsdel', d.zs], ['station', d.zt], ['street', d.zg]].forEach(function (k) {
      var on = z >= k[1];
      if (on && !map.hasLayer(layers[k[0]])) { layers[k[0]].addTo(map); }
      if (!on && map.hasLayer(layers[k[0]])) { map.removeLayer(layers[k[0]]); }
    });
  }
  map.on('zoomend', update);
  update();
})();
{% endmacro %}
""")

    def __init__(self, labels: gpd.GeoDataFrame) -> None:
        super().__init__()
        self._name = "BaseLabels"
        rows = [[html_text(str(n)), round(g.y, 5), round(g.x, 5), str(k)]
                for n, k, g in zip(labels["name"], labels["kind"], labels.geometry, strict=True)]
        self.payload = js_json({"rows": rows, "zs": STADSDEL_LABEL_ZOOM,
                                "zt": STATION_LABEL_ZOOM, "zg": STREET_LABEL_ZOOM})


@lru_cache(maxsize=4)
def imported_layers(path: str) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame, str]:
    """The layers of an imported basemap (``mapapp basemap import``), one street-name label
    per street (the middle of its longest piece) and the source's credit (read once per
    process and file)."""
    from mapapp.io.basemap_import import KINDS, read_written

    base = read_written(path)
    frames = {k: getattr(base, k) for k in KINDS}
    roads = frames["roads"]
    named = roads[roads["name"].notna() & (roads["name"].astype(str).str.strip() != "")]
    rows = []
    if len(named):
        lengths = named.to_crs(METRIC).length
        for name, idx in named.groupby("name").groups.items():
            best = lengths.loc[idx].idxmax()
            line = named.geometry.loc[best]
            rows.append((str(name), "street", shapely.line_interpolate_point(
                line, 0.5, normalized=True)))
    labels = gpd.GeoDataFrame(pd.DataFrame(rows, columns=["name", "kind", "geometry"]),
                              geometry="geometry", crs=WGS84)
    return frames, labels, base.attribution


def basemap_data(base: Basemap) -> dict[str, Any]:
    """Data of the basemap's own layer specs (``water``) when the basemap is the bundled one."""
    return {"water": local_layers().water} if base.is_local else {}


def add_basemap(m: folium.Map, base: Basemap, *, lang: str,
                district: gpd.GeoDataFrame | None = None) -> list[str]:
    """Draw ``base`` on ``m`` (before any data layer); returns the attributions to show (HTML).
    ``district``: the district's stadsdelar as the store has them (default: the bundled ones),
    drawn as white land."""
    if base.kind == "wms":
        folium.WmsTileLayer(url=str(base.url), layers=str(base.layers), fmt="image/png",
                            transparent=False, attr=base.attribution, name="basemap",
                            control=False, overlay=False).add_to(m)
        return []
    if base.kind in ("mbtiles", "pmtiles"):
        from mapapp.render.tiles import publish_mbtiles

        tiles = publish_mbtiles(str(base.path))
        attribution = html_text(tiles.attribution) if tiles.attribution else base.attribution
        folium.TileLayer(tiles=tiles.url, attr=attribution, name="basemap", control=False,
                         min_zoom=0, max_zoom=19, max_native_zoom=tiles.max_zoom).add_to(m)
        return []
    if not base.is_local:
        folium.TileLayer(tiles=base.url, attr=base.attribution, name="basemap", control=False,
                         max_zoom=19, max_native_zoom=19).add_to(m)
        return []
    local = local_layers()
    near = local.land[~local.land["in_district"]]
    own = district if district is not None and len(district) else \
        local.land[local.land["in_district"]]
    group = folium.FeatureGroup(name="base", control=False, overlay=True)
    for frame, fill in ((near, LAND), (own, DISTRICT_LAND)):
        folium.GeoJson(
            frame[["geometry"]],
            style_function=lambda _f, fill=fill: {"color": LAND_EDGE, "weight": 0.8,
                                                  "fillColor": fill, "fillOpacity": 1.0,
                                                  "className": "mapapp-base"},
            interactive=False, control=False).add_to(group)
    labels = local.labels
    notes = [html_text(t("map.attr.local", lang))]
    if base.kind == "vector" and base.path:
        frames, streets, credit = imported_layers(base.path)
        for kind, style in (("landuse", {"color": LANDUSE, "weight": 0, "fillColor": LANDUSE,
                                         "fillOpacity": 1.0}),
                            ("water", {"color": IMPORTED_WATER, "weight": 0,
                                       "fillColor": IMPORTED_WATER, "fillOpacity": 1.0}),
                            ("buildings", {"color": "#c4beb3", "weight": 0.5,
                                           "fillColor": BUILDING, "fillOpacity": 1.0}),
                            ("roads", {"color": ROAD, "weight": 2.5, "opacity": 1.0})):
            frame = frames[kind]
            if len(frame):
                folium.GeoJson(frame[["geometry"]],
                               style_function=lambda _f, st=style, k=kind: {
                                   **st, "className": f"mapapp-base-{k}"},
                               interactive=False, control=False).add_to(group)
        labels = pd.concat([labels, streets], ignore_index=True)
        notes.append(html_text(t("map.attr.imported", lang, source=credit or "–")))
    group.add_to(m)
    BaseLabels(labels).add_to(m)
    return notes
