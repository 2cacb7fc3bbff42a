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
        assert int(r.summary["own_flagged"].sum()) <= 0.02 * n_sites, label
        # every flag here is false: their share of the tested rows stays below q
        assert r.rows["flagged"].mean() <= 0.05
        assert int(r.summary["rising"].sum()) <= 0.02 * n_sites


@pytest.mark.parametrize("seed", [7, 8])
def test_acceptance_four_yards_rising_at_most_three_other_rising_sites(seed: int) -> None:
    """The issue's acceptance on the site rows (not places): the four planted yards are flagged
    and rising, at most three other sites are rising, the list is at most 30 places."""
    pts, f, plant = district_points(seed=seed)
    s = site_hotspots(pts, f["sites"], f["outline"]).summary.set_index("site_index")
    assert len(plant) == 4
    for i in plant:
        assert bool(s.loc[i, "flagged"]) and bool(s.loc[i, "rising"]), s.loc[i, "name"]
        assert pd.isna(s.loc[i, "in_place_of"]) and s.loc[i, "place"] == s.loc[i, "name"]
        assert s.loc[i, "reason_band"] == "kvall" and s.loc[i, "reason_kind"] == "incident"
    others = s[s["rising"] & ~s.index.isin(plant)]
    assert len(others) <= 3, list(others["name"])
    assert len(places_table(s.reset_index())) <= 30


def test_one_place_one_flag(planted, planted_result) -> None:  # type: ignore[no-untyped-def]
    """Neighbours of a planted yard that see the same points rise on their own figures, but
    they are members of the yard's place, not separate flags; only leads carry flags."""
    pts, f, plant = planted
    s = planted_result.summary.set_index("site_index")
    from mapapp.analysis.expected import site_xy

    xy = site_xy(f["sites"])
    d = np.hypot(*(xy[:, None, :] - xy[None, plant, :]).transpose(2, 0, 1)).min(axis=1)
    near = s.index[s["own_rising"].to_numpy() & (d[s.index] <= 300)
                   & ~s.index.isin(plant)]
    assert len(near) >= 3  # the shared points do raise the neighbours' own counts ...
    for i in near:  # ... but they are members of a yard's place, not rising places
        assert not s.loc[i, "rising"] and not s.loc[i, "flagged"], s.loc[i, "name"]
        assert s.loc[i, "in_place_of"] in set(s.loc[plant, "name"]), s.loc[i, "name"]
    # flags only on leads; every member names its lead, whose place size counts it
    members = s[s["in_place_of"].notna()]
    assert not (members[["flagged", "rising", "persistent", "fading"]].any(axis=None))
    leads = s[s["flagged"] | s["rising"] | s["fading"]]
    assert leads["in_place_of"].isna().all() and (leads["place"] == leads["name"]).all()
    sizes = s[s["place_id"].notna()].groupby("place_id").size()
    for pid, n in sizes.items():
        assert s.loc[pid, "place_sites"] == n
    # a lead's flags are its members' own: flagged when any member is flagged
    own = s[s["place_id"].notna()].groupby("place_id")["own_flagged"].any()
    assert (s.loc[own.index, "flagged"] == own).all()
    # the lead's reason names the place's size (the CLI text does)
    from mapapp.render.hotspot_text import summary_reason

    hub = s.set_index("name").loc["Älvsjö centrum"]
    assert hub["place_sites"] >= 2
    assert f"platsen omfattar {int(hub['place_sites'])} objekt" in summary_reason(hub.to_dict())


def test_the_flag_list_reads_as_at_most_thirty_places_with_rising_first(planted_result) -> None:  # type: ignore[no-untyped-def]
    places = places_table(planted_result.summary)
    assert 0 < len(places) <= 30
    rising = places["rising"].to_numpy()
    assert rising[: rising.sum()].all()  # rising places first
    s = planted_result.summary
    assert len(places) == int((s["flagged"] | s["rising"] | s["fading"]).sum())
    assert places["n_sites"].sum() == s["place_id"].notna().sum()
    assert (places["n_sites"] > 1).any()  # hubs: many sites, one place each
    lead = s[s["flagged"] | s["rising"] | s["fading"]]["rising"].to_numpy()
    assert lead[: lead.sum()].all()  # in the site rows too, each lead before its members
    pid = s["place_id"].to_numpy()
    for p in set(s["place_id"].dropna()):
        at = np.flatnonzero(pid == p)
        assert (np.diff(at) == 1).all() and s.iloc[at[0]]["site_index"] == p  # lead first


def test_hub_places_are_named_after_their_most_important_member(planted_result) -> None:  # type: ignore[no-untyped-def]
    s = planted_result.summary.set_index("name")
    assert s.loc["Älvsjö station", "own_flagged"] and s.loc["Älvsjö centrum", "flagged"]
    assert s.loc["Älvsjö station", "place"] == "Älvsjö centrum"
    assert s.loc["Älvsjö station", "in_place_of"] == "Älvsjö centrum"
    assert not s.loc["Älvsjö station", "flagged"]
    for place, members in s[s["place"].notna()].groupby("place"):
        head = min(importance(k) for k in members["kind"])
        assert importance(s.loc[place, "kind"]) == head, place


def test_hubs_are_persistent_not_rising(planted_result) -> None:  # type: ignore[no-untyped-def]
    s = planted_result.summary.set_index("name")
    for hub in ("Älvsjö station", "Fruängen T-bana", "Liljeholmen T-bana"):
        lead = s.loc[s.loc[hub, "place"]]  # the hub's place (its centre, or itself)
        assert lead["persistent"] and not lead["rising"], hub
        assert not s.loc[hub, "own_rising"], hub
        assert s.loc[hub, "periods_flagged"] == ["2020-2021", "2021-2022", "2022-2023"]


def test_a_hub_that_stops_is_fading(planted) -> None:  # type: ignore[no-untyped-def]
    pts, f, _ = planted
    gone = (pts["story"] == "hub:Mälarhöjden T-bana") & (
        pts["occurred_at"] >= pd.Timestamp("2022-09-01", tz="Europe/Stockholm"))
    r = site_hotspots(pts[~gone], f["sites"], f["outline"])
    s = r.summary.set_index("name")
    lead = s.loc[s.loc["Mälarhöjden T-bana", "place"]]  # fading sites get their place
    assert lead["fading"] and not lead["flagged"]
    assert not s.loc["Mälarhöjden T-bana", "own_flagged"]
    assert not s.loc["Älvsjö station", "fading"]
    assert int(r.summary["fading"].sum()) <= 3


def test_flags_need_the_minimum_count_even_when_expected_is_tiny() -> None:
    pts, f, _ = district_points(seed=21, background=300, with_hubs=False, with_planted=False)
    r = site_hotspots(pts, f["sites"], f["outline"])
    assert (r.rows.loc[r.rows["flagged"], "count"] >= 5).all()
    assert (r.rows.loc[r.rows["rising"], "count"] >= 5).all()


def test_the_snapshot_lists_places_and_gives_the_static_map_their_statuses(planted,
                                                                           planted_result
                                                                           ) -> None:  # type: ignore[no-untyped-def]
    """The snapshot's hotspot table: one row per place (its lead), and the status of each
    lead for the static map (members of a place are not marked)."""
    from mapapp.render.hotspot_text import status_of
    from mapapp.settings import Settings
    from mapapp.snapshot.content import hotspots_table

    pts, f, plant = planted
    per = planted_result.period
    table, status = hotspots_table(pts.assign(sensitive=False), f["sites"], f["outline"], per,
                                   Settings(), lang="sv")
    s = planted_result.summary
    leads = s[s["flagged"] | s["rising"] | s["fading"]]
    assert status == {str(r["name"]): status_of(r) for r in leads.to_dict("records")}
    assert len(table.rows) == len(leads) == len(places_table(s))
    assert {status[str(f["sites"].iloc[i]["name"])] for i in plant} == {"rising"}
    assert "Älvsjö station" not in status and status["Älvsjö centrum"] == "persistent"


def test_the_map_marks_leads_and_names_the_place_of_members(planted, planted_result
                                                            ) -> None:  # type: ignore[no-untyped-def]
    """Map features: a place's lead shows the place's status, a member is a plain site whose
    tip says whose place it is in (one place, one flag); the Område table's status column
    says the same."""
    from mapapp.render.features import site_features
    from mapapp.render.hotspot_text import status_text

    pts, f, plant = planted
    sites = f["sites"]
    feats = site_features(sites, planted_result.summary, lang="sv").set_index("name")
    assert feats.loc["Älvsjö centrum", "status"] == "persistent"
    assert feats.loc["Älvsjö station", "status"] == "normal"
    assert feats.loc["Älvsjö station", "place"] == "Älvsjö centrum"
    assert "ingår i platsen Älvsjö centrum" in feats.loc["Älvsjö station", "tip"]
    for i in plant:
        assert feats.loc[sites.iloc[i]["name"], "status"] == "rising"
    listed = (feats["status"] != "normal").sum()
    s = planted_result.summary
    assert listed == int((s["flagged"] | s["rising"] | s["fading"]).sum())
    member = s.set_index("name").loc["Älvsjö station"].to_dict()
    assert status_text(member, lang="en") == "part of the place Älvsjö centrum (one flag per place)"
