"""The actor survey per zone for the map and the documents (mapapp.analysis.survey,
mapapp.render.survey_features): shares, the small-count rule and the map's classes against
figures worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import shapely

from mapapp.analysis.survey import zone_shares, zone_summary
from mapapp.council.survey import PROBLEMS
from mapapp.render import specs_by_id
from mapapp.render.build import build_map
from mapapp.render.survey_features import survey_features

# zone A: 6 answered (3 of 6 saw gatherings, 5 of 6 drug dealing, nobody insecurity);
# zone B: 4 answered (fewer than 5: nothing shown); zone C: 5 answered, 1 saw vandalism.
RESULTS = [
    {"zone": "A", "problem": "otrygghet", "reported": 0, "answered": 6},
    {"zone": "A", "problem": "samlingar", "reported": 3, "answered": 6},
    {"zone": "A", "problem": "narkotikahandel", "reported": 5, "answered": 6},
    {"zone": "B", "problem": "samlingar", "reported": 4, "answered": 4},
    {"zone": "C", "problem": "skadegorelse", "reported": 1, "answered": 5},
]


def test_shares_and_the_small_count_rule_by_hand():
    df = zone_shares(RESULTS, suppress_below=5, order=PROBLEMS)
    # in the problems' order within each zone
    assert list(zip(df["zone"], df["problem"], strict=True)) == [
        ("A", "samlingar"), ("A", "narkotikahandel"), ("A", "otrygghet"), ("B", "samlingar"),
        ("C", "skadegorelse")]
    got = {(z, p): s for z, p, s in zip(df["zone"], df["problem"], df["share"], strict=True)}
    assert got[("A", "samlingar")] == 0.5
    assert abs(got[("A", "narkotikahandel")] - 5 / 6) < 1e-12
    assert got[("A", "otrygghet")] == 0.0
    assert math.isnan(got[("B", "samlingar")])  # 4 answered < 5: not shown
    assert got[("C", "skadegorelse")] == 0.2
    assert df["suppressed"].tolist() == [False, False, False, True, False]
    assert df["answered"].tolist() == [6, 6, 6, 4, 5]

    summary = {r["zone"]: r for r in zone_summary(df).to_dict("records")}
    assert summary["A"]["top_problem"] == "narkotikahandel" and summary["A"]["status"] == "most"
    assert summary["B"]["status"] == "suppressed" and not isinstance(summary["B"]["top_problem"], str)
    assert summary["C"]["status"] == "low" and summary["C"]["answered"] == 5
    # with a lower threshold B is shown: 4 of 4 = 100 %
    b = zone_summary(zone_shares(RESULTS, suppress_below=3))
    assert b.set_index("zone").loc["B", "top_share"] == 1.0


def test_the_layer_tooltips_and_legend():
    zones = gpd.GeoDataFrame(
        {"id": [1, 2, 3, 4], "name": ["A", "B", "C", "D"]},
        geometry=[shapely.box(18 + i * 0.01, 59.3, 18.009 + i * 0.01, 59.309) for i in range(4)],
        crs="EPSG:4326")
    shares = zone_shares(RESULTS, suppress_below=5, order=PROBLEMS)
    f = survey_features(zones, shares, title="Maj", month="2023-05", suppress_below=5,
                        lang="sv")
    assert f["name"].tolist() == ["A", "B", "C"]  # D had no answers: not drawn
    assert f["status"].tolist() == ["most", "suppressed", "low"]
    tips = dict(zip(f["name"], f["tip"], strict=True))
    assert "Narkotikahandel: 83 %" in tips["A"] and "Samlingar av personer: 50 %" in tips["A"]
    assert "6 har svarat för området" in tips["A"]
    assert "Färre än 5 svar" in tips["B"] and "%" not in tips["B"]
    en = survey_features(zones, shares, title="May", month="2023-05", suppress_below=5,
                         lang="en")
    assert "Drug dealing: 83 %" in en["tip"].iloc[0]
    html = build_map([specs_by_id()["survey"]], {"survey": f}, lang="sv").get_root().render()
    assert "Aktörsenkät per område" in html and "För få svar för att visa andelar" in html
    assert "mapapp-survey-suppressed" in html and "mapapp-survey-most" in html
