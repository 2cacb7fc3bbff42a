"""The rules of the action plan: overdue, revision reminders (two and four years, as agreed in
the minutes), and how free text is read (status, priority area, identity numbers)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from mapapp.categories import PRIORITY_AREAS
from mapapp.measures import (
    add_years,
    contains_identity_number,
    is_overdue,
    personal_data_warnings,
    reason_text,
    resolve_priority_area,
    resolve_status,
    revision_flags,
)
from tests.conftest import ROOT


@pytest.mark.parametrize(("due", "status", "today", "expected"), [
    (date(2023, 6, 30), "planerad", date(2023, 6, 30), False),   # due today: not yet
    (date(2023, 6, 30), "planerad", date(2023, 7, 1), True),
    (date(2023, 6, 30), "pagaende", date(2024, 1, 1), True),
    (date(2023, 6, 30), "genomford", date(2024, 1, 1), False),   # done is never overdue
    (date(2023, 6, 30), "avbruten", date(2024, 1, 1), False),
    (None, "pagaende", date(2030, 1, 1), False),                 # no due date
    ("2023-06-30", "pagaende", date(2023, 7, 1), True),
    (pd.NaT, "pagaende", date(2030, 1, 1), False),
])
def test_overdue(due, status, today, expected):
    assert is_overdue(due, status, today) is expected


def _zone(**dates: str | None) -> dict:
    base = {"id": 1, "name": "Långbro", "lagesbild_revised": "2021-04-21",
            "plan_revised": "2021-04-21", "priorities_reviewed": "2019-10-01"}
    return {**base, **dates}


def test_lagesbild_and_plan_more_than_two_years():
    on_the_day = revision_flags(pd.DataFrame([_zone()]), date(2023, 4, 21)).iloc[0]
    assert not on_the_day["lagesbild_flag"] and not on_the_day["plan_flag"]
    assert on_the_day["lagesbild_next"] == date(2023, 4, 21)
    day_after = revision_flags(pd.DataFrame([_zone()]), date(2023, 4, 22)).iloc[0]
    assert day_after["lagesbild_flag"] and day_after["plan_flag"] and day_after["flagged"]
    assert not day_after["priorities_flag"]
    assert [m.key for m in day_after["reasons"]] == ["measures.rev.lagesbild", "measures.rev.plan"]
    assert day_after["reasons"][0].params == {"date": "2021-04-21", "years": 2,
                                              "next": "2023-04-21"}
    first = day_after["reasons"][0].text("sv")
    assert "2021-04-21" in first and "2 år" in first


def test_priorities_more_than_four_years():
    z = pd.DataFrame([_zone(lagesbild_revised="2023-04-21", plan_revised="2023-04-21")])
    assert not revision_flags(z, date(2023, 10, 1)).iloc[0]["flagged"]
    late = revision_flags(z, date(2023, 10, 2)).iloc[0]
    assert late["priorities_flag"] and late["flagged"]
    assert reason_text(late["reasons"], lang="en") == (
        "The priorities were last reviewed on 2019-10-01 – more than 4 years ago (due 2023-10-01).")


def test_a_missing_date_is_flagged():
    flags = revision_flags(pd.DataFrame([_zone(plan_revised=None)]), date(2022, 1, 1)).iloc[0]
    assert flags["plan_flag"] and not flags["lagesbild_flag"]
    assert reason_text(flags["reasons"]) == "Åtgärdsplanen saknar revideringsdatum."


def test_leap_day():
    assert add_years(date(2020, 2, 29), 2) == date(2022, 2, 28)
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)
    z = pd.DataFrame([_zone(lagesbild_revised="2020-02-29")])
    assert not revision_flags(z, date(2022, 2, 28)).iloc[0]["lagesbild_flag"]
    assert revision_flags(z, date(2022, 3, 1)).iloc[0]["lagesbild_flag"]


def test_the_bundled_zones_on_the_day_of_the_minutes():
    content = json.loads((ROOT / "data/geo/zones_content.json").read_text("utf-8"))
    zones = pd.DataFrame([{k: z[k] for k in ("name", "lagesbild_revised", "plan_revised",
                                               "priorities_reviewed")} for z in content])
    assert not revision_flags(zones, date(2023, 4, 21))["flagged"].any()
    # "ses över åtminstone var fjärde år, senast hösten 2023"
    autumn = revision_flags(zones, date(2023, 11, 1))
    assert autumn["priorities_flag"].all() and not autumn["lagesbild_flag"].any()
    assert autumn["zone"].tolist() == [z["name"] for z in content]


def test_empty_zones():
    out = revision_flags(pd.DataFrame(columns=["name", "lagesbild_revised", "plan_revised",
                                               "priorities_reviewed"]), date(2023, 1, 1))
    assert out.empty and "flagged" in out.columns


@pytest.mark.parametrize(("text", "code"), [
    ("pagaende", "pagaende"), ("Pågående", "pagaende"), ("  IN PROGRESS ", "pagaende"),
    ("Genomförd", "genomford"), ("done", "genomford"), ("Avbruten", "avbruten"),
    ("klar", None), ("", None), (None, None),
])
def test_status_by_code_or_label(text, code):
    assert resolve_status(text) == code


def test_priority_area_by_text_or_number():
    assert resolve_priority_area("skolan som brottsplats") == "Skolan som brottsplats"
    assert resolve_priority_area("1") == PRIORITY_AREAS[0]
    assert resolve_priority_area(10) == PRIORITY_AREAS[9]
    assert resolve_priority_area("11") is None
    assert resolve_priority_area("Glass") is None


@pytest.mark.parametrize(("text", "found"), [
    ("Möte 2023-04-21 kl 18", False),
    ("ärende 050101-1234", True),
    ("ärende 20050101-1234", True),
    ("ärende 200501011234", True),
    ("ring 08-508 000 00", False),
    ("Fruängen centrum", False),
])
def test_identity_numbers(text, found):
    assert contains_identity_number(text) is found


def test_phone_numbers_give_a_warning_not_an_error():
    assert personal_data_warnings("ring 070-123 45 67") != []
    assert personal_data_warnings("Möte 2023-04-21, 15 deltagare") == []
