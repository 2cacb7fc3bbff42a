import numpy as np
import pandas as pd

from mapapp.analysis.tables import chart_frame, period_sort_key, with_changes


def _frame():
    return pd.DataFrame({
        "area": ["Hägersten-Älvsjö"] * 3 + ["Bromma"] * 3,
        "category": ["Narkotika"] * 6,
        "period": ["2021–2022", "2019–2020", "2020–2021"] * 2,
        "count": [581, 400, 0, 100, 120, 90],
        "source": "polisen",
    })


def test_changes_follow_the_periods_in_time_order():
    df = with_changes(_frame())
    ha = df[df["area"] == "Hägersten-Älvsjö"]
    assert ha["period"].tolist() == ["2019–2020", "2020–2021", "2021–2022"]
    assert np.isnan(ha["change"].iloc[0])
    assert ha["change"].iloc[1:].tolist() == [-400, 581]
    assert ha["change_pct"].iloc[1] == -100.0
    assert np.isnan(ha["change_pct"].iloc[2])  # the previous count was 0


def test_chart_frame_has_areas_side_by_side():
    wide = chart_frame(_frame(), "Narkotika")
    assert list(wide.index) == ["2019–2020", "2020–2021", "2021–2022"]
    assert set(wide.columns) == {"Hägersten-Älvsjö", "Bromma"}
    assert wide.loc["2021–2022", "Bromma"] == 100
    assert chart_frame(_frame(), "Rån").empty


def test_period_labels_sort_in_time():
    labels = ["2022-03", "2021", "2022-01", "2019-2020"]
    assert sorted(labels, key=period_sort_key) == ["2019-2020", "2021", "2022-01", "2022-03"]
