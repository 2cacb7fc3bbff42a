"""The weekly lägesbild's pure parts: ISO weeks in local time and the Poisson finding,
checked against scipy.stats.poisson and a hand computation."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from mapapp.analysis.weekly import parse_week, poisson_upper_p, records, week_of, weekly_counts
from mapapp.errors import DataValidationError


def test_iso_weeks_monday_to_sunday_local():
    w = parse_week("2023-W20")
    assert (w.start, w.last_day, w.end) == (date(2023, 5, 15), date(2023, 5, 21),
                                            date(2023, 5, 22))
    assert str(w.start_ts) == "2023-05-15 00:00:00+02:00"
    assert parse_week("2023w5").label == "2023-W05"
    assert parse_week("2020-W53").start == date(2020, 12, 28)
    assert parse_week("2021-W01").shift(-1).label == "2020-W53"
    assert parse_week("2023-W20").shift(-8).label == "2023-W12"
    # Sunday 23:30 local is still the week; 00:10 on Monday local is the next one
    assert week_of(pd.Timestamp("2023-05-21T21:30:00Z")).label == "2023-W20"
    assert week_of(pd.Timestamp("2023-05-21T22:10:00Z")).label == "2023-W21"
    # the night clocks go back (2023-10-29) is in the week that ends that Sunday
    assert week_of(pd.Timestamp("2023-10-29T01:30:00Z")).label == "2023-W43"
    for bad in ("2023-W54", "2021-W53", "2023-20", "", "W20"):
        with pytest.raises(DataValidationError) as e:
            parse_week(bad)
        assert e.value.problems[0].field == "week"


def test_poisson_tail_against_scipy_and_by_hand():
    # by hand: P(X >= 4 | 2) = 1 - e^-2 (1 + 2 + 2 + 4/3)
    assert poisson_upper_p(4, 2.0) == pytest.approx(1 - math.exp(-2) * (1 + 2 + 2 + 4 / 3),
                                                    rel=1e-12)
    for mu in (0.125, 0.5, 1.0, 2.5, 5.0, 7.375, 20.0, 150.0):
        for k in range(0, 60):
            assert poisson_upper_p(k, mu) == pytest.approx(poisson.sf(k - 1, mu), rel=1e-9,
                                                           abs=1e-300)
    assert poisson_upper_p(0, 0.0) == 1.0
    assert poisson_upper_p(3, 0.0) == poisson.sf(2, 0.0) == 0.0


def _days(zone: str, category: str, per_week: list[int], first: date) -> pd.DataFrame:
    rows = []
    for i, n in enumerate(per_week):
        for j in range(n):  # spread over the week's days
            rows.append((zone, category, first + timedelta(weeks=i, days=j % 7), 1))
    return pd.DataFrame(rows, columns=["zone", "category", "day", "n"])


def test_twice_the_usual_robberies_is_more_than_usual_and_within_range_is_not():
    week = parse_week("2023-W20")
    first = week.shift(-8).start
    hist = [5, 4, 6, 5, 5, 6, 4, 5]  # mean 5, range 4–6
    df = pd.concat([
        _days("Liljeholmen", "personran", hist + [10], first),
        _days("Fruängen", "personran", hist + [6], first),
        _days("Fruängen", "narkotikabrott", [0] * 8 + [0], first),
        _days("Älvsjö", "personran", [0] * 8 + [1], first),
        _days("Älvsjö", "stold", [3] * 8 + [0], first),
        # outside the weeks compared and without a zone: ignored
        _days("Liljeholmen", "personran", [50], week.shift(-9).start),
        _days("Liljeholmen", "personran", [50], week.shift(1).start),
        pd.DataFrame([(None, "personran", week.start, 40)], columns=["zone", "category", "day",
                                                                     "n"]),
    ], ignore_index=True)
    out = weekly_counts(df, week, history_weeks=8, alpha=0.05).set_index(["zone", "category"])
    lilj = out.loc[("Liljeholmen", "personran")]
    assert (lilj["count"], lilj["usual_mean"], lilj["usual_low"], lilj["usual_high"]) == (
        10, 5.0, 4, 6)
    assert lilj["p_value"] == pytest.approx(poisson.sf(9, 5.0), rel=1e-12)
    assert lilj["p_value"] < 0.05 and bool(lilj["more_than_usual"])
    fru = out.loc[("Fruängen", "personran")]
    assert fru["count"] == 6 and fru["p_value"] == pytest.approx(poisson.sf(5, 5.0))
    assert not bool(fru["more_than_usual"])
    alv = out.loc[("Älvsjö", "stold")]
    assert (alv["count"], alv["usual_mean"], alv["p_value"], bool(alv["more_than_usual"])) == (
        0, 3.0, 1.0, False)
    assert bool(out.loc[("Älvsjö", "personran")]["more_than_usual"])  # nothing before: p = 0
    assert ("Fruängen", "narkotikabrott") not in out.index  # no point in any week
    assert len(out) == 4
    # the threshold is a setting
    strict = weekly_counts(df, week, alpha=0.01).set_index(["zone", "category"])
    assert not bool(strict.loc[("Liljeholmen", "personran")]["more_than_usual"])
    recs = records(out.reset_index())
    assert list(recs[0]) == ["zone", "category", "count", "usual_mean", "usual_low",
                             "usual_high", "p_value", "more_than_usual"]
    assert all(type(r["count"]) is int and type(r["more_than_usual"]) is bool for r in recs)


def test_weekly_counts_against_a_loop():
    rng = np.random.default_rng(4)
    week = parse_week("2022-W10")
    first = week.shift(-8).start
    days = [first + timedelta(days=int(d)) for d in rng.integers(-10, 70, 3000)]
    df = pd.DataFrame({"zone": rng.choice(["A", "B", "C"], 3000),
                       "category": rng.choice(["x", "y"], 3000), "day": days,
                       "n": rng.integers(1, 4, 3000)})
    out = weekly_counts(df, week).set_index(["zone", "category"])
    for (z, c), r in out.iterrows():
        sel = df[(df.zone == z) & (df.category == c)]
        weeks = [int(sel[(sel.day >= first + timedelta(weeks=i))
                         & (sel.day < first + timedelta(weeks=i + 1))].n.sum()) for i in range(9)]
        assert r["count"] == weeks[8]
        assert r["usual_mean"] == pytest.approx(np.mean(weeks[:8]))
        assert (r["usual_low"], r["usual_high"]) == (min(weeks[:8]), max(weeks[:8]))
        assert r["p_value"] == pytest.approx(poisson.sf(weeks[8] - 1, np.mean(weeks[:8])))


def test_empty_input():
    out = weekly_counts(pd.DataFrame(columns=["zone", "category", "day", "n"]), "2023-W20")
    assert len(out) == 0 and list(out.columns)[:3] == ["zone", "category", "count"]
