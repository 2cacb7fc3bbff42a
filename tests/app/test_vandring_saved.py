"""The tablet form's save confirmation (streamlit AppTest on a real SQLite store): "Sparad
(observation nr N)" stays through a second tap on Spara and other reruns until the team starts
on the next observation; the team's last saved observations are listed under the form; a failed
save keeps the form filled and says why."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from mapapp import walks
from mapapp.store.models import Observation, Zone
from tests.conftest import WALKER

TIMEOUT = 90


def _vandring() -> None:
    from mapapp.ui.pages import vandring

    vandring.render()


def _walk(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        zid = c.execute(select(Zone.id).where(Zone.name == "Älvsjö/Solberga")).scalar_one()
    wid, _ = walks.create_walk(engine, WALKER, submission_id=str(uuid.uuid4()), zone_id=zid,
                               starts_at=datetime.now(UTC), organiser="SDF",
                               participants={"boende": 4})
    return wid


def _count(engine, wid: int) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(Observation)
                             .where(Observation.walk_id == wid)).scalar_one())


def _page(wid: int) -> AppTest:
    at = AppTest.from_function(_vandring, default_timeout=TIMEOUT)
    at.session_state["mapapp_principal"] = WALKER
    at.query_params["vandring"] = str(wid)
    return at.run()


def _fill(at: AppTest, wid: int, category: str | None = None, note: str | None = None) -> None:
    """Fill the open form: a tap on the map sets the position (the map is a component that
    AppTest does not run), the category and the note through their widgets."""
    form = at.session_state[f"vf_form_{wid}"]
    form.update(lon=18.0010, lat=59.2790, how="map")
    at.session_state[f"vf_form_{wid}"] = form
    if category is not None:
        at.session_state[f"vf_cat_{form['sid']}"] = category
    if note is not None:
        at.text_area(key=f"vf_note_{form['sid']}").set_value(note)


def _save(at: AppTest) -> AppTest:
    button = next(b for b in at.button if b.key and b.key.startswith("vf_save_"))
    return button.click().run()


def _success(at: AppTest) -> list[str]:
    return [str(s.value) for s in at.success]


def test_sparad_stays_through_a_second_tap_until_the_next_observation(app_store):
    wid = _walk(app_store)
    at = _page(wid)
    _fill(at, wid, category="belysning")
    at = _save(at)
    assert _count(app_store, wid) == 1
    with app_store.connect() as c:
        oid = c.execute(select(Observation.id).where(Observation.walk_id == wid)).scalar_one()
    assert _success(at) == [f"Sparad (observation nr {oid})."]
    # the second tap of a double tap lands on the fresh form's Spara: nothing stored,
    # "Sparad" still on screen, no "empty form" message over it
    at = _save(at)
    assert _count(app_store, wid) == 1
    assert _success(at) == [f"Sparad (observation nr {oid})."]
    assert not [i for i in at.info if "tomt" in str(i.value)]
    # any other rerun keeps it too
    at = at.run()
    assert _success(at) == [f"Sparad (observation nr {oid})."]
    # the team's last saved observations under the form
    recent = "\n".join(str(m.value) for m in at.markdown)
    assert "Lagets senast sparade observationer" in recent
    assert f"nr {oid} · Belysning" in recent
    # starting on the next observation removes it
    _fill(at, wid)
    at = at.run()
    assert _success(at) == []


def test_a_failed_save_keeps_the_form_and_says_why(app_store):
    wid = _walk(app_store)
    at = _page(wid)
    _fill(at, wid, note="Trasig lampa")  # no category: the store refuses it
    at = _save(at)
    assert _count(app_store, wid) == 0
    errors = "\n".join(str(e.value) for e in at.error)
    assert "Inte sparad. Formuläret finns kvar." in errors
    assert "kategori" in errors.lower()  # the reason names the field
    form = at.session_state[f"vf_form_{wid}"]
    assert (form["note"], form["lon"], form["lat"]) == ("Trasig lampa", 18.0010, 59.2790)
    assert at.text_area(key=f"vf_note_{form['sid']}").value == "Trasig lampa"
    assert _success(at) == []
