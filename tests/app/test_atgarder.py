"""The Åtgärder page in streamlit's AppTest, on a copy of an initialised SQLite store: it runs
for a coordinator, the filters change the list, errors stand beside the fields, an edit shows
in the history, and a reader cannot add."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from mapapp import measures as ms
from mapapp.access import Principal
from tests.conftest import COORDINATOR, READER

TIMEOUT = 60


@pytest.fixture
def db(app_db):
    return app_db


@pytest.fixture
def _app(open_page):  # type: ignore[no-untyped-def]
    def run(who: Principal, lang: str | None = None) -> AppTest:
        return open_page("atgarder", who, lang=lang, timeout=TIMEOUT)
    return run


def _listed(at: AppTest) -> list[int]:
    return [int(i) for i in at.dataframe[0].value.iloc[:, 0]]


def test_the_page_runs_for_a_coordinator(db, _app):
    at = _app(COORDINATOR)
    assert at.title[0].value == "Åtgärder"
    for key in ("atg_f_zone", "atg_f_status", "atg_f_actor", "atg_f_priority", "atg_select",
                "atg_new_zone", "atg_new_priority", "atg_new_actor", "atg_new_status"):
        assert at.selectbox(key=key) is not None
    assert at.checkbox(key="atg_f_overdue").value is False
    assert at.button(key="atg_new_save") is not None
    assert _listed(at) == ms.list_measures(db, READER)["id"].tolist()
    assert len(at.tabs) == 4


def test_filters_change_the_list(db, _app):
    at = _app(COORDINATOR)
    everything = ms.list_measures(db, READER)
    at.selectbox(key="atg_f_zone").set_value("Långbro").run()
    assert _listed(at) == everything.loc[everything["zone"] == "Långbro", "id"].tolist()
    at.selectbox(key="atg_f_zone").set_value(None)
    at.selectbox(key="atg_f_status").set_value("planerad").run()
    assert _listed(at) == everything.loc[everything["status"] == "planerad", "id"].tolist()
    at.selectbox(key="atg_f_status").set_value(None)
    at.selectbox(key="atg_f_actor").set_value("SHIS").run()
    assert _listed(at) == everything.loc[everything["actor"] == "SHIS", "id"].tolist()
    at.selectbox(key="atg_f_actor").set_value(None)
    at.checkbox(key="atg_f_overdue").check().run()
    assert not at.dataframe  # none of the minutes' measures has a due date
    assert any("Inga åtgärder" in i.value for i in at.info)


def test_errors_stand_beside_the_fields_and_a_measure_is_added(db, _app):
    at = _app(COORDINATOR)
    before = len(ms.list_measures(db, READER))
    at.button(key="atg_new_save").click().run()
    errors = [e.value for e in at.error]
    assert any("Titel saknas" in e for e in errors)
    assert any("Område saknas" in e for e in errors)
    assert any("Prioriterat område saknas" in e for e in errors)
    assert len(ms.list_measures(db, READER)) == before

    at.selectbox(key="atg_new_zone").set_value("Långbro").run()
    at.selectbox(key="atg_new_site").set_value("Johan Skytteskolan")
    at.text_input(key="atg_new_title").input("Belysning på skolgården")
    at.selectbox(key="atg_new_priority").set_value("Skolan som brottsplats")
    at.selectbox(key="atg_new_actor").set_value("Trafikkontoret")
    at.date_input(key="atg_new_start").set_value(date(2023, 5, 1))
    at.date_input(key="atg_new_due").set_value(date(2023, 4, 1))
    at.button(key="atg_new_save").click().run()  # the form sends its fields with the button
    assert any("före startdatum" in e.value for e in at.error)
    assert len(ms.list_measures(db, READER)) == before

    at.date_input(key="atg_new_due").set_value(date(2023, 9, 1))
    at.button(key="atg_new_save").click().run()
    assert not at.exception
    added = ms.list_measures(db, READER, zone="Långbro")
    row = added[added["title"] == "Belysning på skolgården"].iloc[0]
    assert (row["site"], row["actor"], row["due"]) == ("Johan Skytteskolan", "Trafikkontoret",
                                                       date(2023, 9, 1))
    assert any("sparad" in s.value for s in at.success)
    assert not [e.value for e in at.error]


def test_typing_in_the_form_does_not_run_the_page(db, _app):
    """The fields are in an st.form: a value typed without pressing save is not sent (no
    rerun, nothing validated or written); the save button sends it."""
    at = _app(COORDINATOR)
    first = _listed(at)[0]
    title = at.text_input(key=f"atg_edit_{first}_title")
    old = title.value
    title.input("Ny titel").run()
    assert at.text_input(key=f"atg_edit_{first}_title").value == old
    assert ms.get_measure(db, READER, first)["title"] == old and not at.error
    at.text_input(key=f"atg_edit_{first}_title").input("Ny titel")
    at.button(key=f"atg_edit_{first}_save").click().run()
    assert ms.get_measure(db, READER, first)["title"] == "Ny titel"
    assert any(f"Åtgärd {first} sparad" in s.value for s in at.success)


def test_an_edit_shows_in_the_history_and_a_note_is_added(db, _app):
    at = _app(COORDINATOR)
    first = _listed(at)[0]
    at.selectbox(key=f"atg_edit_{first}_status").set_value("genomford")
    at.button(key=f"atg_edit_{first}_save").click().run()
    assert ms.get_measure(db, READER, first)["status"] == "genomford"
    history = [d.value for d in at.dataframe if "Före" in d.value.columns]
    assert history and "Genomförd" in history[0]["Efter"].tolist()
    at.text_area(key=f"atg_note_{first}_text").input("Avslutad enligt plan.")
    at.button(key=f"atg_note_{first}_save").click().run()
    notes = ms.get_measure(db, READER, first)["notes"]
    assert [(n["author_role"], n["text"]) for n in notes] == [("samordnare",
                                                               "Avslutad enligt plan.")]
    at.button(key=f"atg_note_{first}_save").click().run()  # empty now
    assert any("Anteckningen är tom" in e.value for e in at.error)


def test_before_after_with_few_events(db, _app):
    at = _app(COORDINATOR)
    assert any(m.label == "Före" for m in at.metric)
    assert any("för få händelser för slutsatser" in w.value for w in at.warning)


def test_one_read_of_the_measure_per_rerun(db, _app, monkeypatch):
    """The page and its before/after tab share the measure it read: one get_measure a run."""
    from mapapp.measures import query

    calls: list[int] = []
    real = query.get_measure

    def counted(*args, **kwargs):
        calls.append(int(args[2]))
        return real(*args, **kwargs)

    monkeypatch.setattr(query, "get_measure", counted)
    monkeypatch.setattr(ms, "get_measure", counted)
    at = _app(COORDINATOR)
    assert any(m.label == "Före" for m in at.metric)  # the before/after tab ran
    assert len(calls) == 1, calls


def test_a_reader_cannot_add_or_edit(db, _app):
    at = _app(READER)
    keys = {b.key for b in at.button}
    assert "atg_new_save" not in keys and not any(str(k).startswith("atg_edit_") for k in keys)
    assert not any(str(k).startswith("atg_note_") for k in keys)
    assert any("inte ändra" in i.value for i in at.info)
    assert _listed(at) == ms.list_measures(db, READER)["id"].tolist()


def test_english(db, _app):
    at = _app(COORDINATOR, lang="en")
    assert at.title[0].value == "Measures"
    assert at.selectbox(key="atg_f_zone").label == "Zone"
