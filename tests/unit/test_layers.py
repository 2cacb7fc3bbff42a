"""The declarative layer files: they all load, say what they show in both languages, and their
colours stay apart for readers with a colour-vision deficiency."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mapapp.errors import ConfigurationError
from mapapp.i18n import catalogue, t
from mapapp.render import layer_specs, specs_by_id
from mapapp.render.build import legend_entries
from mapapp.render.spec import LayerSpec, Style

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
REQUIRED = {"zones", "stadsdelar", "sites", "hotspots", "incident_cells", "incident_points",
            "observations", "measures"}

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _lab(hex_color: str, matrix: np.ndarray | None = None) -> np.ndarray:
    rgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        lin = np.clip(matrix @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _legend_colors(spec: LayerSpec) -> list[str]:
    colors = [e.color for e in spec.legend]
    return colors or list(spec.style.palette)


def test_every_layer_loads_once_in_drawing_order():
    specs = layer_specs()
    ids = [s.id for s in specs]
    assert set(ids) >= REQUIRED
    assert len(ids) == len(set(ids))
    assert [s.order for s in specs] == sorted(s.order for s in specs)
    # the zones lie above the neighbourhood outlines, the sites and measures above the cells
    order = {s.id: s.order for s in specs}
    assert order["stadsdelar"] < order["zones"] < order["incident_cells"] < order["sites"] \
        < order["measures"]


def test_titles_and_legend_labels_exist_in_swedish_and_english():
    messages = catalogue()
    for spec in layer_specs():
        assert spec.title in messages, spec.id
        assert t(spec.title, "sv") != t(spec.title, "en") or spec.title == "map.layer.sites"
        for entry in spec.legend:
            assert entry.label in messages, (spec.id, entry.label)
        if spec.note:
            assert spec.note in messages, spec.id
        assert spec.legend or spec.style.palette, f"{spec.id} has no legend"


def test_colours_are_hex_and_tooltips_name_an_escaped_column():
    for spec in layer_specs():
        for c in [*_legend_colors(spec), *spec.style.colors.values(), spec.style.color]:
            assert HEX.match(c), (spec.id, c)
        if spec.kind in ("polygon", "point", "square") and spec.interactive:
            assert spec.tooltip == ("tip",), spec.id  # the escaped tooltip column
        elif not spec.interactive:  # a background layer (water): no hover text, no clicks
            assert spec.tooltip == () and spec.popup == (), spec.id


def test_incidents_switch_from_cells_to_points_when_zooming_in():
    s = specs_by_id()
    cells, points = s["incident_cells"], s["incident_points"]
    assert cells.control_group == points.control_group == "incidents"
    assert cells.max_zoom is not None and points.min_zoom is not None
    assert points.min_zoom == cells.max_zoom + 1


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_legend_colours_stay_distinguishable(deficiency):
    """Every pair of colours in one layer's legend differs by ΔE*ab ≥ 9 for normal vision and
    under a simulated protanopia, deuteranopia and tritanopia."""
    matrix = CVD[deficiency] if deficiency else None
    worst = []
    for spec in layer_specs():
        colors = _legend_colors(spec)
        labs = [_lab(c, matrix) for c in colors]
        for i in range(len(labs)):
            for j in range(i + 1, len(labs)):
                d = float(np.linalg.norm(labs[i] - labs[j]))
                worst.append((d, spec.id, colors[i], colors[j]))
    d, layer, a, b = min(worst)
    assert d >= 9, f"{layer}: {a} and {b} differ by only ΔE {d:.1f} ({deficiency})"


def test_status_is_not_told_by_colour_alone():
    s = specs_by_id()
    assert s["zones"].style.dashed_values == ("revision_due",)
    assert any(e.dashed for e in s["zones"].legend)
    radius = s["sites"].style.radius_by
    assert radius["flagged"] > radius["normal"]


def test_a_bad_spec_is_refused():
    with pytest.raises(ConfigurationError):
        LayerSpec(id="bad id", title="x", source="x", kind="polygon")
    with pytest.raises(ConfigurationError):
        LayerSpec(id="x", title="x", source="x", kind="cells", style=Style())
    with pytest.raises(ConfigurationError):
        LayerSpec(id="x", title="x", source="x", kind="polygon", min_zoom=15, max_zoom=12)


def test_legend_rows_of_cells_come_from_the_data():
    from mapapp.render.data import CellValues

    spec = specs_by_id()["incident_cells"]
    values = CellValues(x0=0, y0=0, size=100, nx=1, affine=(0, 0, 0, 0, 0, 0),
                        raster=np.array([0]), values=np.array([3.0]), classes=np.array([0]),
                        colors=spec.style.palette[:2], labels=("1–5", "> 5"))
    rows = legend_entries(spec, values)
    assert [r[0] for r in rows] == ["1–5", "> 5"]
    assert [r[1].color for r in rows] == list(spec.style.palette[:2])
