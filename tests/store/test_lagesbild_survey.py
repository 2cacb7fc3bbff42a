"""The yearly lägesbild's actor-survey section (issue 19), on SQLite and PostGIS: per zone a
row per month with the number who answered and each problem's share, worked out here by hand
from the answers sent; fewer than 5 answers written "<5" with no shares; the free texts only
when notes are chosen; months before the year the document describes left out."""

from __future__ import annotations

from datetime import date, timedelta

from mapapp.council import survey as sv
from mapapp.settings import load_settings
from mapapp.snapshot.content import Table
from mapapp.snapshot.lagesbild import gather_lagesbild, render_lagesbild
from mapapp.snapshot.outline import TableBlock
from tests.conftest import ADMIN, COORDINATOR

SETTINGS = load_settings({}, secret_key="lb-survey-key")


def _survey(store, month: str, n: int) -> list[str]:
    sid = sv.create_survey(store, COORDINATOR, title=f"Enkät {month}", month=month,
                           closes=date.today() + timedelta(days=5))
    sv.add_recipients(store, COORDINATOR, sid, [
        {"organisation": f"Aktör {i}", "role": "Kontakt", "email": f"a{i}@{month}.example"}
        for i in range(n)], settings=SETTINGS)
    return [g["link"].split("?enkat=")[1]
            for g in sv.links(store, COORDINATOR, sid, settings=SETTINGS)]


def _survey_tables(doc) -> dict[str, Table]:  # type: ignore[no-untyped-def]
    return {b.table.title: b.table for b in doc.blocks
            if isinstance(b, TableBlock) and b.table.title.endswith(": aktörsenkäten")}


def test_survey_section_by_zone_and_month(store):
    (z1, n1), (z2, n2) = sv.zones(store)[:2]
    march = _survey(store, "2023-03", 9)
    for i, tok in enumerate(march[:6]):  # zone 1: 6 answer; 2 saw gatherings, all 6 dealing
        sv.save_answer(store, tok, {(z1, "samlingar"): 1 if i < 2 else 0,
                                    (z1, "narkotikahandel"): 2})
    for tok in march[6:]:  # zone 2: 3 answer -- too few to show shares
        sv.save_answer(store, tok, {(z2, "otrygghet"): 2})
    may = _survey(store, "2023-05", 5)
    for i, tok in enumerate(may):  # zone 1: 5 answer; all saw gatherings, none dealing
        sv.save_answer(store, tok, {(z1, "samlingar"): 2, (z1, "narkotikahandel"): 0},
                       "Mörkt vid gångbron" if i == 0 else "")
    outside = _survey(store, "2022-08", 5)  # before the year the document describes
    for tok in outside:
        sv.save_answer(store, tok, {(z1, "skadegorelse"): 2})

    doc = gather_lagesbild(store, ADMIN, period="2022-2023", settings=SETTINGS, lang="sv")
    tables = _survey_tables(doc)
    assert set(tables) == {f"{n1}: aktörsenkäten", f"{n2}: aktörsenkäten"}
    t1 = tables[f"{n1}: aktörsenkäten"]
    assert t1.headers == ["Månad", "Har svarat", "Samlingar av personer", "Narkotikahandel",
                          "Otrygghet"]  # the problems anybody answered, in the form's order
    assert t1.rows == [["2023-03", "6", "33 %", "100 %", ""],  # 2/6, 6/6
                       ["2023-05", "5", "100 %", "0 %", ""]]  # 5/5, 0/5
    t2 = tables[f"{n2}: aktörsenkäten"]
    assert t2.rows == [["2023-03", "<5", "–", "–", "–"]]
    assert t2.notes == ["– färre än 5 svar: andelar visas inte."]
    everything = "\n".join(str(c) for b in doc.blocks if isinstance(b, TableBlock)
                           for r in b.table.rows for c in r)
    assert "2022-08" not in everything and "Mörkt vid gångbron" not in everything

    noted = gather_lagesbild(store, ADMIN, period="2022-2023", include_notes=True,
                             settings=SETTINGS, lang="sv")
    free = [b.table for b in noted.blocks if isinstance(b, TableBlock)
            and b.table.title.startswith("Fritext i enkäten")]
    assert len(free) == 1 and free[0].title == "Fritext i enkäten Enkät 2023-05 (2023-05)"
    assert free[0].rows == [["Aktör 0", "Kontakt", "Mörkt vid gångbron"]]

    en = gather_lagesbild(store, ADMIN, period="2022-2023", settings=SETTINGS, lang="en")
    assert any(isinstance(b, TableBlock) and b.table.title == f"{n1}: the actor survey"
               and b.table.rows[0][2] == "33 %" for b in en.blocks)
    data = render_lagesbild(doc, "docx")
    assert data[:2] == b"PK"
