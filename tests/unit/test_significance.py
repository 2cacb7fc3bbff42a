"""Every change with its significance: the two-sample Poisson test against scipy's exact
binomial test, the acceptance cases (16 → 25 robberies is normal variation, 100 → 160 thefts
is not), incomplete periods compared only with the same days a year earlier, and crimes and
observations never added up."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from mapapp.analysis.significance import compare, p_values, poisson_p_value, significant
from mapapp.analysis.stats import period_counts, stats_records
from mapapp.render.figures import change_text

TZ = "Europe/Stockholm"


@pytest.mark.parametrize("n1,n2,t1,t2", [
    (16, 25, 1, 1), (100, 160, 1, 1), (0, 7, 1, 1), (7, 0, 1, 1), (5, 5, 1, 1), (3, 9, 2, 5),
    (40, 12, 365, 366), (1, 30, 1, 3), (250, 300, 181, 184), (0, 0, 1, 1), (12, 20, 1, 1)])
def test_p_value_equals_scipy_binomtest(n1: int, n2: int, t1: float, t2: float) -> None:
    n = n1 + n2
    expected = 1.0 if n == 0 else binomtest(n1, n, t1 / (t1 + t2)).pvalue
    assert poisson_p_value(n1, n2, t1, t2) == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_vectorised_p_values_equal_scipy_on_a_grid() -> None:
    pairs = list(itertools.product(range(0, 30, 3), range(0, 30, 4)))
    b = np.array([p[0] for p in pairs] + [np.nan])
    a = np.array([p[1] for p in pairs] + [4])
    got = p_values(b, a, 365.0, 366.0)
    for (n1, n2), p in zip(pairs, got[:-1], strict=True):
        exp = 1.0 if n1 + n2 == 0 else binomtest(n1, n1 + n2, 365 / 731).pvalue
        assert p == pytest.approx(exp, rel=1e-9)
    assert np.isnan(got[-1])


def test_confidence_is_a_setting() -> None:
    p = poisson_p_value(20, 33)  # ≈ 0.098
    assert significant(p, 0.90) is True and significant(p, 0.95) is False
    assert compare(20, 33, confidence=0.90).trend == "increase"
    assert compare(20, 33).trend == "stable"


def _times(n: int, start: str, end: str, seed: int) -> list[pd.Timestamp]:
    rng = np.random.default_rng(seed)
    lo, hi = pd.Timestamp(start, tz=TZ).value, pd.Timestamp(end, tz=TZ).value
    return list(pd.to_datetime(np.sort(rng.integers(lo, hi, n)), utc=True))


def _points(spec: list[tuple[str, str, str, int, str, str]]) -> pd.DataFrame:
    rows = []
    for i, (zone, kind, cat, n, start, end) in enumerate(spec):
        rows += [{"zone": zone, "kind": kind, "category": cat, "occurred_at": t}
                 for t in _times(n, start, end, i)]
    return pd.DataFrame(rows)


def test_robberies_16_to_25_are_not_significant_thefts_100_to_160_are() -> None:
    pts = _points([
        ("Liljeholmen", "incident", "personran", 16, "2021-09-01", "2022-09-01"),
        ("Liljeholmen", "incident", "personran", 25, "2022-09-01", "2023-09-01"),
        ("Liljeholmen", "incident", "stold", 100, "2021-09-01", "2022-09-01"),
        ("Liljeholmen", "incident", "stold", 160, "2022-09-01", "2023-09-01"),
    ])
    recs = {(r["category"], r["period"]): r for r in stats_records(pts, kind="incident")}
    rob, theft = recs[("personran", "2022-2023")], recs[("stold", "2022-2023")]
    assert (rob["previous"], rob["count"], rob["change"]) == (16, 25, 9)
    assert rob["complete"] is True
    assert rob["change_pct"] == 56.2
    # The same calendar span a year apart: equal exposures, q = 1/2.
    assert rob["p_value"] == pytest.approx(binomtest(16, 41, 0.5).pvalue)
    assert rob["significant"] is False and rob["trend"] == "stable"
    assert theft["p_value"] == pytest.approx(binomtest(100, 260, 0.5).pvalue)
    assert theft["significant"] is True and theft["trend"] == "increase"
    first = recs[("stold", "2021-2022")]
    assert first["significant"] is None and first["p_value"] is None and first["change"] is None
    # Words only at the edge: an arrow only for the significant change.
    assert change_text(rob["change"], rob["change_pct"], rob["trend"]) == (
        "+9 (+56,2 %) · oförändrat inom normal variation")
    assert change_text(theft["change"], theft["change_pct"], theft["trend"]).startswith(
        "↑ +60 (+60,0 %) ökning")


def test_an_incomplete_period_is_compared_with_the_same_months_only() -> None:
    # Four complete statistical years with ~300 a year, then data only to 2023-12-31.
    spec = [("Älvsjö/Solberga", "incident", "stold", 300, f"{y}-09-01", f"{y + 1}-09-01")
            for y in range(2019, 2023)]
    spec.append(("Älvsjö/Solberga", "incident", "stold", 99, "2023-09-01", "2023-12-31"))
    pts = _points(spec)
    late = pd.Timestamp("2023-12-31 20:00", tz=TZ).tz_convert("UTC")
    pts = pd.concat([pts, pd.DataFrame([{"zone": "Älvsjö/Solberga", "kind": "incident",
                                         "category": "stold", "occurred_at": late}])],
                    ignore_index=True)
    df = period_counts(pts, kind="incident").set_index("period")
    last = df.loc["2023-2024"]
    assert not last["complete"] and df.loc["2022-2023"]["complete"]
    # Compared with 2022-09-01 – 2022-12-31 only (same days), counted independently here.
    t = pts["occurred_at"].dt.tz_convert(TZ)
    same = int(((t >= pd.Timestamp("2022-09-01", tz=TZ))
                & (t < pd.Timestamp("2023-01-01", tz=TZ))).sum())
    assert last["prev_count"] == same and last["cmp_count"] == 100
    assert (last["cmp_from"], last["cmp_to"]) == ("2023-09-01", "2023-12-31")
    assert last["change_abs"] == 100 - same
    assert last["trend"] != "decrease"  # never shown as a fall against a whole year
    assert last["p_value"] == pytest.approx(binomtest(same, same + 100, 0.5).pvalue)
    # The complete year is compared as a whole.
    whole = df.loc["2022-2023"]
    assert (whole["prev_count"], whole["cmp_count"]) == (300, 300)


def test_crimes_and_observations_of_skadegorelse_are_never_added() -> None:
    pts = _points([
        ("Fruängen", "incident", "skadegorelse", 20, "2022-09-01", "2023-09-01"),
        ("Fruängen", "observation", "skadegorelse", 12, "2022-09-01", "2023-09-01"),
    ])
    both = stats_records(pts, kind="all")
    assert sorted((r["kind"], r["count"]) for r in both) == [("incident", 20),
                                                               ("observation", 12)]
    assert all(r["count"] != 32 for r in both)
    assert [r["count"] for r in stats_records(pts, kind="incident")] == [20]
    assert [r["count"] for r in stats_records(pts, kind="observation")] == [12]


def test_table_figures_are_tested_too() -> None:
    from mapapp.analysis.tables import with_changes

    frame = pd.DataFrame({
        "area": "Hägersten-Älvsjö", "source": "polisen",
        "category": ["Rån"] * 3 + ["Stöld"] * 3,
        "period": ["2019-2020", "2020–2021", "2021-2022"] * 2,
        "count": [16, 25, 24, 100, 160, 158]})
    out = with_changes(frame).set_index(["category", "period"])
    rob = out.loc[("Rån", "2020–2021")]
    assert rob["p_value"] == pytest.approx(binomtest(16, 41, 0.5).pvalue)
    assert rob["significant"] is False and rob["trend"] == "stable"
    theft = out.loc[("Stöld", "2020–2021")]
    assert theft["significant"] is True and theft["trend"] == "increase"
    assert out.loc[("Stöld", "2019-2020")]["significant"] is None
    assert change_text(theft["change"], theft["change_pct"], theft["trend"]).startswith("↑")
