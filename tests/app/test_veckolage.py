"""The Veckoläge page in AppTest: it runs for a reader and a coordinator; the coordinator adds
a task for next week, which the next week's page lists for follow-up."""

from __future__ import annotations

from mapapp.council.weekly import list_tasks
from tests.conftest import COORDINATOR, READER


def test_reader_sees_the_week_without_forms(app_store, open_page):
    at = open_page("veckolage", READER)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Veckoläge"
    assert at.selectbox(key="veckolage_week") is not None
    assert len(at.get("download_button")) == 0
    assert not any(f.proto.form_id == "veckolage_task" for f in at.text_input)


def test_coordinator_adds_a_task_and_next_week_follows_it_up(app_store, open_page):
    at = open_page("veckolage", COORDINATOR)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("download_button")) == 2
    weeks = at.selectbox(key="veckolage_week").options
    week = at.selectbox(key="veckolage_week").value
    at.text_input(key="veckolage_actor").input("LPO Globen")
    at.text_input(key="veckolage_place").input("Liljeholmstorget")
    at.text_area(key="veckolage_task_text").input("Extra närvaro fredag kväll")
    at.button[-1].click().run()
    assert not at.exception, [e.value for e in at.exception]
    tasks = list_tasks(app_store, READER, week)
    assert list(tasks["task"]) == ["Extra närvaro fredag kväll"]
    assert any("Extra närvaro" in str(v) for df in at.dataframe for v in df.value.to_numpy().ravel())
    # the next week's page lists it under follow-up, with a form to record how it went
    at.selectbox(key="veckolage_week").select(weeks[weeks.index(week) - 1]).run()
    assert not at.exception, [e.value for e in at.exception]
    at.radio(key="veckolage_fu_status").set_value("klar")
    at.text_input(key="veckolage_fu_note").input("Genomfört")
    at.button(key="FormSubmitter:veckolage_followup-Spara uppföljning").click().run()
    assert not at.exception, [e.value for e in at.exception]
    got = list_tasks(app_store, READER, week).iloc[0]
    assert (got["status"], got["followup"]) == ("klar", "Genomfört")
    # an empty task is refused with the field named
    at.text_input(key="veckolage_actor").input("")
    at.button(key="FormSubmitter:veckolage_task-Spara").click().run()
    assert any("Aktör" in str(e.value) for e in at.error)
