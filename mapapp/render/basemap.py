"""The basemap of the interactive map (no streamlit here).

:func:`add_basemap` draws what ``MAPAPP_BASEMAP`` asks for: a tile layer with its attribution,
or -- by default -- the bundled basemap of :mod:`mapapp.basemap` (land of the district and the
neighbouring stadsdelar, names of the stadsdelar and the stations) under the data layers. The
water of the bundled basemap is a layer spec of its own (``layers/vatten.py``, "Vatten" in the
layer control and the legend); :func:`basemap_data` gives its data.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
from jinja2 import Template

from mapapp.basemap import Basemap, local_layers
from mapapp.i18n import t
from mapapp.render.elements import _OnMap, js_json
from mapapp.textsafe import html_text

LAND = "#f1efe9"  # neighbouring stadsdelar
DISTRICT_LAND = "#ffffff"
LAND_EDGE = "#b9b4a8"
BACKGROUND = "#e3e1db"  # outside the bundled land (another municipality)
STADSDEL_LABEL_ZOOM = 12
STATION_LABEL_ZOOM = 13


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
  var layers = {stadsdel: L.layerGroup(), station: L.layerGroup()};
  for (var i = 0; i < d.rows.length; i++) {
    var r = d.rows[i];
    L.marker([r[1], r[2]], {pane: 'mapappLabels', interactive: false, keyboard: false,
      icon: L.divIcon({className: 'mapapp-label mapapp-label-' + r[3], html: '<span>' + r[0]
        + '</span>', iconSize: null})}).addTo(layers[r[3]]);
  }
  function update() {
    var z = map.getZoom();
    [['stadsdel', d.zs], ['station', d.zt]].forEach(function (k) {
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
                                "zt": STATION_LABEL_ZOOM})


def basemap_data(base: Basemap) -> dict[str, Any]:
    """Data of the basemap's own layer specs (``water``) when the basemap is the bundled one."""
    return {"water": local_layers().water} if base.is_local else {}


def add_basemap(m: folium.Map, base: Basemap, *, lang: str,
                district: gpd.GeoDataFrame | None = None) -> list[str]:
    """Draw ``base`` on ``m`` (before any data layer); returns the attributions to show (HTML).
    ``district``: the district's stadsdelar as the store has them (default: the bundled ones),
    drawn as white land."""
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
    group.add_to(m)
    BaseLabels(local.labels).add_to(m)
    return [html_text(t("map.attr.local", lang))]
