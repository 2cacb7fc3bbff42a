"""folium elements with their own small JavaScript: aggregated cells, clustered points,
square markers, zoom ranges, the legend, the scale and extra attribution.

Data reach the browser as one compact JSON literal per layer (:func:`js_json`, which also
makes ``</script>`` impossible inside it); every text in it is escaped HTML already (see
:mod:`mapapp.render.features`). Templates refer to other objects by ``get_name()`` at render
time, so streamlit-folium's renaming of variables keeps working.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import numpy as np
from branca.element import MacroElement
from jinja2 import Template

from mapapp.render import assets
from mapapp.render.data import CellValues, PackedPoints
from mapapp.textsafe import html_text


def js_json(obj: Any) -> str:
    """JSON for a ``<script>`` block: compact, and with ``</`` and the JS line separators
    escaped.

    >>> js_json({"a": "</script>"})
    '{"a":"<\\\\/script>"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("</", "<\\/").replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029"))


def _map_name(element: Any) -> str:
    node = element
    while node is not None and not isinstance(node, folium.Map):
        node = getattr(node, "_parent", None)
    if node is None:
        raise RuntimeError("element is not on a map")
    return str(node.get_name())


class _OnMap(MacroElement):
    """Base: knows the name of its map at render time."""

    def map_name(self) -> str:
        return _map_name(self)


class CellLayer(_OnMap):
    """Grid cells drawn in the browser from raster indices (see :class:`CellValues`)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
(function () {
  var d = {{ this.payload }};
  var a = d.a;
  function ll(x, y) {
    return [a[6] + a[7] * x + a[8] * y + a[9] * x * x + a[10] * x * y + a[11] * y * y,
            a[0] + a[1] * x + a[2] * y + a[3] * x * x + a[4] * x * y + a[5] * y * y];
  }
  for (var i = 0; i < d.r.length; i++) {
    var row = Math.floor(d.r[i] / d.nx), col = d.r[i] % d.nx, x = col * d.s, y = row * d.s;
    var p = L.polygon([ll(x, y), ll(x + d.s, y), ll(x + d.s, y + d.s), ll(x, y + d.s)], {
      color: d.line, weight: d.weight, opacity: d.opacity, fillColor: d.colors[d.c[i]],
      fillOpacity: d.fill, className: 'mapapp-cell'});
    p._mapappTip = d.tips[d.c[i]].replace('{n}', d.v[i]).replace('{z}', d.z ? d.z[i] : '');
    p.bindTooltip(function (l) { return l._mapappTip; }, {sticky: true});
    p.addTo({{ this.get_name() }});
  }
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, values: CellValues, *, line: str = "#ffffff", weight: float = 0.3,
                 opacity: float = 0.6, fill_opacity: float = 0.7,
                 z_text: list[str] | None = None) -> None:
        super().__init__()
        self._name = "CellLayer"
        vals = values.values
        as_int = bool(np.all(np.mod(vals, 1) == 0))
        payload: dict[str, Any] = {
            "a": list(values.affine), "s": values.size, "nx": values.nx,
            "r": values.raster.astype(int).tolist(),
            "v": vals.astype(int).tolist() if as_int else np.round(vals, 2).tolist(),
            "c": values.classes.astype(int).tolist(), "colors": list(values.colors),
            "tips": list(values.tips), "line": line, "weight": weight, "opacity": opacity,
            "fill": fill_opacity,
        }
        if z_text is not None:
            payload["z"] = z_text
        self.payload = js_json(payload)


class PointCluster(folium.elements.JSCSSMixin, _OnMap):
    """Packed points (see :class:`PackedPoints`) as Leaflet.markercluster of circle markers;
    the plugin comes from the app's own static files."""

    _template = Template("""
{% macro script(this, kwargs) %}
// Cluster icons are a picture of density, not controls: out of the Tab order (the zone table
// beside the map has the figures), so that the keyboard passes the map in a few steps.
L.MarkerCluster.mergeOptions({keyboard: false});
var {{ this.get_name() }} = L.markerClusterGroup({
  chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45,
  disableClusteringAtZoom: 18,
  iconCreateFunction: function (c) {
    var n = c.getChildCount();
    var size = n < 10 ? 30 : (n < 100 ? 36 : (n < 1000 ? 42 : 48));
    return L.divIcon({html: '<div><span>' + n + '</span></div>',
      className: 'marker-cluster mapapp-cluster {{ this.css_class }}', iconSize: L.point(size, size)});
  }});
(function () {
  var d = {{ this.payload }};
  var base = Date.UTC(+d.day0.slice(0, 4), +d.day0.slice(5, 7) - 1, +d.day0.slice(8, 10));
  function tipOf(l) {
    return d.labels[l._mapappC] + '<br>' + new Date(base + l._mapappD * 864e5).toISOString().slice(0, 10);
  }
  var ms = [];
  for (var i = 0; i < d.p.length; i += 4) {
    var m = L.circleMarker([d.lat0 + d.p[i] * 1e-5, d.lon0 + d.p[i + 1] * 1e-5], {
      radius: {{ this.radius }}, color: '#222222', weight: 1, fillColor: d.colors[d.p[i + 2]],
      fillOpacity: 0.9});
    m._mapappC = d.p[i + 2]; m._mapappD = d.p[i + 3];
    m.bindTooltip(tipOf);
    ms.push(m);
  }
  {{ this.get_name() }}.addLayers(ms);
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, points: PackedPoints, *, css_class: str = "", radius: float = 6) -> None:
        super().__init__()
        self._name = "PointCluster"
        assets.localize(self, assets.CLUSTER_JS, assets.CLUSTER_CSS)
        flat = np.column_stack([points.dlat, points.dlon, points.cat, points.day]).ravel()
        self.payload = js_json({
            "lat0": points.lat0, "lon0": points.lon0, "day0": points.day0,
            "p": flat.astype(int).tolist(), "labels": list(points.labels),
            "colors": list(points.colors)})
        self.css_class = css_class
        self.radius = float(radius)


class SquareMarkers(_OnMap):
    """Small squares (measures), coloured by class, with "!" on the marked ones; anchored to
    the upper right of their point so a site's circle stays visible."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
(function () {
  var d = {{ this.payload }};
  for (var i = 0; i < d.f.length; i++) {
    var f = d.f[i];
    var icon = L.divIcon({className: 'mapapp-square', iconSize: [18, 18], iconAnchor: [-3, 21],
      html: '<div style="background:' + d.colors[f[2]] + '">' + (f[3] ? '!' : '') + '</div>'});
    L.marker([f[0], f[1]], {icon: icon, keyboard: false}).bindTooltip(f[4]).addTo({{ this.get_name() }});
  }
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, features: list[list[Any]], colors: list[str]) -> None:
        super().__init__()
        self._name = "SquareMarkers"
        self.payload = js_json({"f": features, "colors": colors})


class ZoomRange(_OnMap):
    """Keep ``layer`` in ``group`` only while the zoom is within [min_zoom, max_zoom + 1)
    (zoom levels may be fractional)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this.map_name() }}, g = {{ this.group.get_name() }}, l = {{ this.layer.get_name() }};
  function update() {
    var z = map.getZoom(), ok = z >= {{ this.lo }} && z < {{ this.hi }} + 1;
    if (ok && !g.hasLayer(l)) { g.addLayer(l); }
    if (!ok && g.hasLayer(l)) { g.removeLayer(l); }
  }
  map.on('zoomend', update);
  update();
})();
{% endmacro %}
""")

    def __init__(self, group: Any, layer: Any, min_zoom: int | None,
                 max_zoom: int | None) -> None:
        super().__init__()
        self._name = "ZoomRange"
        self.group, self.layer = group, layer
        self.lo = int(min_zoom) if min_zoom is not None else 0
        self.hi = int(max_zoom) if max_zoom is not None else 99


class Legend(_OnMap):
    """A legend control; one block per layer-control entry, shown while that entry is on."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>
.mapapp-legend { background: rgba(255,255,255,0.94); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 13.5px/1.3 system-ui, sans-serif; color: #111;
  max-height: 48vh; overflow-y: auto; max-width: 260px; }
.mapapp-legend summary { cursor: pointer; font-weight: 600; }
.mapapp-legend h4 { margin: 6px 0 3px; font-size: 14px; }
.mapapp-legend h4:first-child { margin-top: 0; }
.mapapp-legend .row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.mapapp-legend .sw { width: 18px; height: 14px; border: 1.5px solid #333; flex: none;
  box-sizing: border-box; }
.mapapp-legend .sw.circle { border-radius: 50%; width: 14px; }
.mapapp-legend .sw.line { height: 0; border-width: 2px 0 0 0; }
.mapapp-legend .sw.dashed { border-style: dashed; }
.mapapp-legend .note { font-size: 12px; color: #333; margin: 2px 0 0; max-width: 260px; }
.mapapp-square div { width: 18px; height: 18px; border: 2px solid #111; box-sizing: border-box;
  color: #fff; font: bold 13px/14px system-ui, sans-serif; text-align: center;
  text-shadow: 0 0 2px #000; }
.mapapp-cluster div { color: #fff; font-weight: bold; }
.mapapp-cluster-incidents { background-color: rgba(94, 60, 153, 0.45); }
.mapapp-cluster-incidents div { background-color: rgba(94, 60, 153, 0.9); }
.mapapp-cluster-observations { background-color: rgba(0, 158, 115, 0.45); }
.mapapp-cluster-observations div { background-color: rgba(0, 120, 88, 0.92); }
.leaflet-control-layers { font-size: 14px; }
.leaflet-control-attribution { font-size: 10.5px; max-width: 62%; }
.leaflet-tooltip { white-space: normal; width: max-content; max-width: 320px; font-size: 13px; }
.leaflet-control-scale-line { font-size: 13px; }
.leaflet-container.mapapp-nobase { background: {{ this.background }}; }
.leaflet-container a:focus-visible, .leaflet-container summary:focus-visible,
.leaflet-container input:focus-visible, .leaflet-marker-icon:focus-visible,
.leaflet-container:focus-visible { outline: 3px solid #0b5394; outline-offset: 1px; }
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this.map_name() }};
  var blocks = {{ this.payload }};
  var groups = {};
  {% for gid, g in this.groups %}groups[{{ gid|tojson }}] = {{ g.get_name() }};
  {% endfor %}
  var ctl = L.control({position: 'bottomright'});
  ctl.onAdd = function () {
    var div = L.DomUtil.create('div', 'mapapp-legend');
    div.setAttribute('role', 'region');
    div.setAttribute('aria-label', blocks.title);
    // Open on a wide map; a narrow one (a laptop beside the card) starts with it folded.
    var open = map.getSize().x >= 720 ? ' open' : '';
    div.innerHTML = '<details' + open + '><summary>' + blocks.title + '</summary>' + blocks.html
      + '</details>';
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo(map);
  function sync() {
    for (var gid in groups) {
      var el = ctl.getContainer().querySelector('[data-layer="' + gid + '"]');
      if (el) { el.style.display = map.hasLayer(groups[gid]) ? '' : 'none'; }
    }
  }
  map.on('overlayadd overlayremove', sync);
  sync();
  {% if this.nobase %}map.getContainer().classList.add('mapapp-nobase');{% endif %}
  // Leaflet's keyboard handler focuses the map on mousedown with a plain focus(), which
  // scrolls the PAGE around the map's frame when the map is only partly in view; the
  // mouseup then lands on another spot of the map, and the click picks the wrong zone
  // (or none). Focus without scrolling instead.
  if (map.keyboard && map.keyboard.enabled()) {
    map.keyboard.disable();
    map.keyboard._onMouseDown = function () {
      if (this._focused) { return; }
      this._map.getContainer().focus({preventScroll: true});
    };
    map.keyboard.enable();
  }
  // Leaflet 1.9 listens for focus on every shape with a tooltip, which makes Chromium put
  // each such SVG shape (hundreds of sites) in the Tab order. Keep them clickable and
  // focusable by script, out of the Tab order: the keyboard reaches zones and sites through
  // the zone picker and the zone table beside the map. Only those shapes: a shape made
  // focusable here would also attract nearby touch taps (Chromium's touch adjustment).
  function untab() {
    function mark(l) {
      if (l._path && !l._path.hasAttribute('tabindex')) { l._path.setAttribute('tabindex', '-1'); }
    }
    map.eachLayer(function (l) {
      if (!(l.getTooltip && l.getTooltip())) { return; }
      if (l.eachLayer) { l.eachLayer(mark); } else { mark(l); }  // a group's tooltip: its shapes
    });
  }
  map.on('layeradd zoomend moveend', function () { setTimeout(untab, 0); });
  setTimeout(untab, 0);
  L.control.scale({imperial: false, metric: true, maxWidth: 180, position: 'bottomleft'}).addTo(map);
  {% for a in this.attributions %}map.attributionControl.addAttribution({{ a|tojson }});
  {% endfor %}
})();
{% endmacro %}
""")

    def __init__(self, html: str, title: str, groups: list[tuple[str, Any]], *,
                 attributions: list[str] | None = None, nobase: bool = False,
                 background: str = "#f4f4f1") -> None:
        super().__init__()
        self._name = "Legend"
        self.payload = js_json({"html": html, "title": html_text(title)})
        self.groups = groups
        self.attributions = attributions or []
        self.nobase = nobase
        self.background = background
