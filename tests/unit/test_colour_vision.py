"""The map's class colours stay apart for people with deuteranopia (the commonest colour-vision
deficiency): every layer's classes are simulated with Machado, Oliveira & Fernandes (2009),
severity 1.0, in linear sRGB, and compared in CIELAB (ΔE*ab, D65). Written here from the
published matrix and the sRGB/CIELAB definitions, independent of the app's code."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mapapp.render import layer_specs

# Machado et al. 2009, deuteranopia, severity 1.0 (linear RGB).
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
#: classes a reader must tell apart by colour (categories, statuses; most also differ in size or
#: shape). ΔE 15 is well above the just-noticeable difference (about 2.3) for small map marks.
MIN_CATEGORICAL = 15.0
#: neighbouring classes of an ordered scale (counts, Gi* bands), which also differ in lightness
MIN_ORDERED = 10.0
#: layers whose classes are the steps of one scale (the others are categories)
ORDERED_CLASSES = {"hotspots"}


def _linear(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color.lstrip("#")[i:i + 2], 16) / 255.0 for i in (0, 2, 4)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ np.clip(linear_rgb, 0.0, 1.0) / WHITE_D65
    d = 6 / 29
    f = np.where(xyz > d ** 3, np.cbrt(xyz), xyz / (3 * d * d) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, *, deuteranope: bool) -> float:
    la, lb = _linear(a), _linear(b)
    if deuteranope:
        la, lb = DEUTERANOPIA @ la, DEUTERANOPIA @ lb
    return float(np.linalg.norm(_lab(la) - _lab(lb)))


def test_the_simulation_on_hand_cases():
    # white and black are unchanged by the simulation (rows of the matrix sum to 1)
    assert np.allclose(DEUTERANOPIA.sum(axis=1), 1.0, atol=1e-3)
    assert delta_e("#ffffff", "#000000", deuteranope=True) == pytest.approx(100.0, abs=0.5)
    # sRGB red in CIELAB (D65): L* 53.24, a* 80.09, b* 67.20
    assert np.allclose(_lab(_linear("#ff0000")), [53.24, 80.09, 67.20], atol=0.05)
    # a red and a green that everyone else tells apart at once become near twins: the check
    # would fail such a palette
    assert delta_e("#d62728", "#2ca02c", deuteranope=False) > 100
    assert delta_e("#d62728", "#2ca02c", deuteranope=True) < 10 < MIN_CATEGORICAL


def _classes() -> list[tuple[str, str, list[str]]]:
    """(layer id, kind of scale, colours in order) of every layer with more than one class."""
    out = []
    for spec in layer_specs():
        st = spec.style
        if st.palette:
            out.append((spec.id, "ordered", list(st.palette)))
        elif spec.id in ORDERED_CLASSES and st.colors:  # Gi* bands: hot99 … cold99
            out.append((spec.id, "ordered", list(dict.fromkeys(st.colors.values()))))
        elif len(set(st.colors.values())) > 1:
            out.append((spec.id, "categorical", list(dict.fromkeys(st.colors.values()))))
    return out


def test_every_layer_with_classes_is_checked():
    ids = {i for i, _, _ in _classes()}
    assert {"zones", "sites", "measures", "hotspots", "incident_cells"} <= ids


@pytest.mark.parametrize(("layer", "scale", "colours"), _classes(),
                         ids=[c[0] for c in _classes()])
def test_classes_stay_distinguishable_for_deuteranopes(layer, scale, colours):
    if scale == "categorical":
        pairs = list(itertools.combinations(colours, 2))
        floor = MIN_CATEGORICAL
    else:
        pairs = list(itertools.pairwise(colours))
        floor = MIN_ORDERED
    worst = min(pairs, key=lambda p: delta_e(*p, deuteranope=True))
    assert delta_e(*worst, deuteranope=True) >= floor, (layer, worst)


def test_layers_stand_apart_from_each_other_and_from_the_water():
    """Points of different layers drawn on top of each other (crimes, observations, sites) and
    the water under them."""
    by_id = {s.id: s for s in layer_specs()}
    water = by_id["vatten"].style.color
    marks = {"incidents": by_id["incident_points"].style.color,
             "observations": by_id["observations"].style.color,
             "site": by_id["sites"].style.colors["normal"],
             "flagged": by_id["sites"].style.colors["flagged"]}
    for (a, ca), (b, cb) in itertools.combinations(marks.items(), 2):
        assert delta_e(ca, cb, deuteranope=True) >= MIN_CATEGORICAL, (a, b)
    for name, c in marks.items():
        assert delta_e(c, water, deuteranope=True) >= MIN_CATEGORICAL, name
