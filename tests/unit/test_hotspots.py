"""Hotspots a meeting can act on, on synthetic districts with known truth (seeds fixed):
uniform background, crowded transit hubs, four planted evening problems at school yards in the
last of three statistical years; and the statistics against independent computations
(scipy's Benjamini–Hochberg, hand cases for places, persistent and fading)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mapapp.analysis.expected import bh_qvalues, dispersion
from mapapp.analysis.hotspots import places_table, site_hotspots
from mapapp.analysis.places import importance
from tests.unit.synth_district import district_points


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, dict, list[int]]:
    return district_points(seed=7)


@pytest.fixture(scope="module")
def planted_result(planted):  # type: ignore[no-untyped-def]
    pts, f, plant = planted
    return site_hotspots(pts, f["sites"], f["outline"])


def test_bh_equals_scipy_false_discovery_control() -> None:
    rng = np.random.default_rng(3)
    for n in (1, 2, 10, 500):
        p = rng.uniform(size=n) ** 3
        p[: n // 4] = p[0]  # ties
        np.testing.assert_allclose(bh_qvalues(p), stats.false_discovery_control(p),
                                   rtol=1e-12, atol=0)
    p = np.array([0.01, np.nan, 0.04, 0.03])
    q = bh_qvalues(p)
    assert np.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2, 3]], stats.false_discovery_control(p[[0, 2, 3]]))


def test_dispersion_is_zero_for_poisson_and_positive_for_gamma_mixed_counts() -> None:
    rng = np.random.default_rng(5)
    mu = rng.uniform(2, 20, 4000)
    assert dispersion(rng.poisson(mu), mu) < 0.02
    lam = rng.gamma(shape=1 / 0.5, scale=0.5 * mu)  # NB with alpha 0.5
    assert 0.3 < dispersion(rng.poisson(lam), mu, trim=0.0) < 0.7


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_uniform_background_flags_at_most_two_percent_of_sites(seed: int) -> None:
    pts, f, _ = district_points(seed=seed, with_hubs=False, with_planted=False)
    n_sites = len(f["sites"])
    for label in ("2020-2021", "2021-2022", "2022-2023"):
        from mapapp.analysis.periods import parse_period

        r = site_hotspots(pts, f["sites"], f["outline"], period=parse_period(label))
        assert int(r.summary["flagged"].sum()) <= 0.02 * n_sites, label
        # every flag here is false: their share of the tested rows stays below q
        assert r.rows["flagged"].mean() <= 0.05
        assert int(r.summary["rising"].sum()) <= 0.02 * n_sites


def test_planted_school_yards_are_flagged_and_rising(planted, planted_result) -> None:  # type: ignore[no-untyped-def]
    pts, f, plant = planted
    assert len(plant) == 4
    s = planted_result.summary.set_index("site_index")
    for i in plant:
        assert bool(s.loc[i, "flagged"]) and bool(s.loc[i, "rising"]), s.loc[i, "name"]
        assert s.loc[i, "reason_band"] == "kvall" and s.loc[i, "reason_kind"] == "incident"
    # Other rising sites: those that do not share the planted points (sites within 2 r of a
    # planted yard see the same cluster and join its place) -- at most three.
    from mapapp.analysis.expected import site_xy

    xy = site_xy(f["sites"])
    d = np.hypot(*(xy[:, None, :] - xy[None, plant, :]).transpose(2, 0, 1)).min(axis=1)
    others = s.index[(s["rising"]).to_numpy() & (d[s.index] > 300)]
    assert len(others) <= 3, list(s.loc[others, "name"])
    # ... and every rising site that shares the planted points is in a planted yard's place
    near = s.index[(s["rising"]).to_numpy() & (d[s.index] <= 300)]
    planted_places = set(s.loc[plant, "place_id"])
    assert set(s.loc[near, "place_id"]) <= planted_places


def test_the_flag_list_reads_as_at_most_thirty_places_with_rising_first(planted_result) -> None:  # type: ignore[no-untyped-def]
    places = places_table(planted_result.summary)
    assert 0 < len(places) <= 30
    rising = places["rising"].to_numpy()
    assert rising[: rising.sum()].all()  # rising places first
    s = planted_result.summary
    listed = s[s["flagged"] | s["rising"]]
    assert len(listed) > len(places)  # hubs: many sites, one place each
    r = s["rising"].to_numpy()
    assert r[: r.sum()].all()


def test_hub_places_are_named_after_their_most_important_member(planted_result) -> None:  # type: ignore[no-untyped-def]
    s = planted_result.summary.set_index("name")
    assert s.loc["Älvsjö station", "flagged"] and s.loc["Älvsjö centrum", "flagged"]
    assert s.loc["Älvsjö station", "place"] == "Älvsjö centrum"
    for place, members in s[s["flagged"]].groupby("place"):
        head = min(importance(k) for k in members["kind"])
        assert importance(s.loc[place, "kind"]) == head, place


def test_hubs_are_persistent_not_rising(planted_result) -> None:  # type: ignore[no-untyped-def]
    s = planted_result.summary.set_index("name")
    for hub in ("Älvsjö station", "Fruängen T-bana", "Liljeholmen T-bana"):
        assert s.loc[hub, "persistent"] and not s.loc[hub, "rising"], hub
        assert s.loc[hub, "periods_flagged"] == ["2020-2021", "2021-2022", "2022-2023"]


def test_a_hub_that_stops_is_fading(planted) -> None:  # type: ignore[no-untyped-def]
    pts, f, _ = planted
    gone = (pts["story"] == "hub:Mälarhöjden T-bana") & (
        pts["occurred_at"] >= pd.Timestamp("2022-09-01", tz="Europe/Stockholm"))
    r = site_hotspots(pts[~gone], f["sites"], f["outline"])
    s = r.summary.set_index("name")
    assert s.loc["Mälarhöjden T-bana", "fading"]
    assert not s.loc["Mälarhöjden T-bana", "flagged"]
    assert not s.loc["Älvsjö station", "fading"]
    assert int(r.summary["fading"].sum()) <= 3


def test_flags_need_the_minimum_count_even_when_expected_is_tiny() -> None:
    pts, f, _ = district_points(seed=21, background=300, with_hubs=False, with_planted=False)
    r = site_hotspots(pts, f["sites"], f["outline"])
    assert (r.rows.loc[r.rows["flagged"], "count"] >= 5).all()
    assert (r.rows.loc[r.rows["rising"], "count"] >= 5).all()
