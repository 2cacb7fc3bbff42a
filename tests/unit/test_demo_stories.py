"""``mapapp demo`` tells its stories: with the defaults at most 10 % of the sites are flagged
in any period, and in the latest period the planted school yard is rising, the centre whose
measure started is fading and the station is persistent."""

from __future__ import annotations

import pandas as pd
import pytest

from mapapp.analysis.hotspots import site_hotspots
from mapapp.analysis.periods import list_periods
from mapapp.demo import STORIES, generate
from mapapp.store.district import bundled_frames


@pytest.fixture(scope="module")
def demo() -> tuple[pd.DataFrame, dict]:
    f = bundled_frames()
    inc = generate(f["sites"], f["outline"], 20_000, "incident", 1).assign(kind="incident")
    obs = generate(f["sites"], f["outline"], 2_000, "observation", 1).assign(kind="observation")
    return pd.concat([inc, obs], ignore_index=True), f


def test_at_most_ten_percent_of_sites_flagged_in_any_period(demo) -> None:  # type: ignore[no-untyped-def]
    pts, f = demo
    periods = list_periods(pts["occurred_at"])
    assert [p.label for p in periods] == ["2019-2020", "2020-2021", "2021-2022", "2022-2023"]
    for p in periods:
        r = site_hotspots(pts, f["sites"], f["outline"], period=p, periods=periods)
        assert 0 < int(r.summary["flagged"].sum()) <= 0.10 * len(f["sites"]), p.label


def test_the_stories_show_as_rising_fading_and_persistent(demo) -> None:  # type: ignore[no-untyped-def]
    pts, f = demo
    s = site_hotspots(pts, f["sites"], f["outline"]).summary
    assert s["period"].iloc[0] == "2022-2023"
    by = s.set_index("name")
    for name, shows in STORIES:
        # one place, one flag: the story's site, or the place it belongs to, shows it
        place = by.loc[name, "place"]
        assert isinstance(place, str), name
        assert bool(by.loc[place, shows]), (name, place, shows)
    assert by.loc["Kämpetorpsskolan", "flagged"] and by.loc["Kämpetorpsskolan", "reason_band"] \
        == "kvall"
    assert not by.loc["Fruängen centrum", "flagged"]
    assert by.loc["Fruängen centrum", "place"] == "Fruängen centrum"
    # the station is a member of its centre's place, which carries the one flag
    assert by.loc["Älvsjö station", "own_flagged"] and not by.loc["Älvsjö station", "flagged"]
    assert by.loc["Älvsjö station", "in_place_of"] == "Älvsjö centrum"
    assert by.loc["Älvsjö centrum", "flagged"] and not by.loc["Älvsjö centrum", "rising"]
    # the list starts with the rising school yard's place
    assert s.iloc[0]["place"] == "Kämpetorpsskolan"
    # without the stories the background flags nothing
    bg = generate(f["sites"], f["outline"], 20_000, "incident", 1, stories=False)
    r = site_hotspots(bg.assign(kind="incident"), f["sites"], f["outline"])
    assert int(r.summary["flagged"].sum()) <= 3
