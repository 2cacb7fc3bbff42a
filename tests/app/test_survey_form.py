"""The survey link's page in AppTest, through the real app shell (streamlit_app.py): a token
opens only its recipient's form without log-in; a second visit edits; a tampered token gets
the refusal and nothing else."""

from __future__ import annotations

from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from mapapp.council import survey as sv
from mapapp.settings import load_settings
from tests.conftest import COORDINATOR, READER, ROOT

ROWS = [{"organisation": "Citycon", "role": "Centrumledning", "email": "c@citycon.example"},
        {"organisation": "SHIS", "role": "Förvaltare", "email": "f@shis.example"}]


def _tokens(engine) -> tuple[int, list[str]]:
    settings = load_settings({}, secret_key="apptest-key")
    sid = sv.create_survey(engine, COORDINATOR, title="Aktuell lägesbild", month="2023-05",
                           closes=date.today() + timedelta(days=5))
    sv.add_recipients(engine, COORDINATOR, sid, ROWS, settings=settings)
    return sid, [g["link"].split("?enkat=")[1]
                 for g in sv.links(engine, COORDINATOR, sid, settings=settings)]


def _open(token: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params["enkat"] = token
    return at.run()


def test_a_link_opens_only_its_form_and_a_second_visit_edits(app_store):
    sid, tokens = _tokens(app_store)
    at = _open(tokens[0])
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Aktuell lägesbild"
    assert "Citycon" in at.caption[0].value and "SHIS" not in str(at.caption[0].value)
    assert not at.text_input  # no log-in form
    zid = sv.zones(app_store)[0][0]
    radio = at.radio(key=f"enkat_{zid}_narkotikahandel")
    assert radio.options == ["Inget", "Lite", "Mycket"] and radio.value is None
    radio.set_value(2)
    at.radio(key=f"enkat_{zid}_otrygghet").set_value(0)
    at.button(key="enkat_send").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Tack! Ditt svar är sparat."
    assert sv.results(app_store, READER, sid)[0]["reported"] == 1
    # second visit (a new session): the answer is there and can be changed
    at2 = _open(tokens[0])
    assert at2.radio(key=f"enkat_{zid}_narkotikahandel").value == 2
    at2.radio(key=f"enkat_{zid}_narkotikahandel").set_value(0)
    at2.button(key="enkat_send").click().run()
    assert at2.success[0].value == "Tack! Ditt svar är uppdaterat."
    res = sv.results(app_store, READER, sid)
    assert {(r["problem"], r["reported"], r["answered"]) for r in res} == {
        ("narkotikahandel", 0, 1), ("otrygghet", 0, 1)}
    # the other recipient sees a blank form
    at3 = _open(tokens[1])
    assert at3.radio(key=f"enkat_{zid}_narkotikahandel").value is None


def test_a_problem_seen_can_be_placed_at_a_site_from_the_list(app_store):
    """The keyboard way to say where: a site of the zone from a list, under a problem
    answered "Mycket"; not offered under "Inget"; stored with the answer."""
    from mapapp.council.survey_places import load_places
    from mapapp.store.district import sites_frame

    _, tokens = _tokens(app_store)
    zid = sv.zones(app_store)[0][0]
    sites = sites_frame(app_store)
    site = sites[sites["zone_id"] == zid].sort_values("name").iloc[0]
    at = _open(tokens[0])
    at.radio(key=f"enkat_{zid}_samlingar").set_value(0)
    at.radio(key=f"enkat_{zid}_narkotikahandel").set_value(2).run()
    assert not at.exception, [e.value for e in at.exception]
    keys = {s.key for s in at.selectbox}
    assert f"enkat_site_{zid}_narkotikahandel" in keys
    assert f"enkat_site_{zid}_samlingar" not in keys  # "Inget": no place asked
    assert "Var? Ingen plats markerad (valfritt)." in [c.value for c in at.caption]
    at.selectbox(key=f"enkat_site_{zid}_narkotikahandel").select(int(site["id"])).run()
    assert f"Var? Vid {site['name']}." in [c.value for c in at.caption]
    at.button(key="enkat_send").click().run()
    assert at.success[0].value == "Tack! Ditt svar är sparat."
    rec = sv.resolve_token(app_store, tokens[0])
    got = load_places(app_store, rec.recipient_id)
    assert {k: v.site_id for k, v in got.items()} == {(zid, "narkotikahandel"): int(site["id"])}
    # a second visit shows the stored place
    at2 = _open(tokens[0])
    assert at2.selectbox(key=f"enkat_site_{zid}_narkotikahandel").value == int(site["id"])


def test_a_tampered_link_is_refused_with_no_data(app_store):
    _, tokens = _tokens(app_store)
    bad = tokens[0][:-2] + ("AA" if not tokens[0].endswith("AA") else "BB")
    at = _open(bad)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Länken fungerar inte"
    assert len(at.error) == 1 and not at.radio and not at.text_input and not at.dataframe
    assert not at.button


def _enkat_page() -> None:
    from mapapp.ui.pages.enkat import render

    render()


def test_results_page_shows_shares_and_free_text_only_to_council_roles(app_store):
    sid, tokens = _tokens(app_store)
    zid = sv.zones(app_store)[0][0]
    sv.save_answer(app_store, tokens[0], {(zid, "samlingar"): 2}, "Mörkt vid entrén")
    sv.save_answer(app_store, tokens[1], {(zid, "samlingar"): 0})
    for who, texts in ((COORDINATOR, True), (READER, False)):
        at = AppTest.from_function(_enkat_page, default_timeout=120)
        at.session_state["mapapp_principal"] = who
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        df = at.dataframe[0].value
        row = df[df["Problem"] == "Samlingar av personer"].iloc[0]
        assert (row["Andel som rapporterar"], row["Rapporterar"], row["Har svarat"]) == (
            50.0, 1, 2)
        shown = [v for d in at.dataframe for v in d.value.to_numpy().ravel()]
        assert ("Mörkt vid entrén" in shown) is texts


def test_results_page_with_two_months_draws_the_trend(app_store):
    _, tokens = _tokens(app_store)
    settings = load_settings({}, secret_key="apptest-key")
    zid = sv.zones(app_store)[0][0]
    sv.save_answer(app_store, tokens[0], {(zid, "samlingar"): 2})
    sid2 = sv.create_survey(app_store, COORDINATOR, title="Juni", month="2023-06",
                            closes=date.today() + timedelta(days=5))
    sv.add_recipients(app_store, COORDINATOR, sid2, ROWS, settings=settings)
    tok2 = sv.links(app_store, COORDINATOR, sid2, settings=settings)[0]["link"].split("=")[1]
    sv.save_answer(app_store, tok2, {(zid, "samlingar"): 0})
    at = AppTest.from_function(_enkat_page, default_timeout=120)
    at.session_state["mapapp_principal"] = READER
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Utveckling över månaderna" in [s.value for s in at.subheader]
    assert at.selectbox(key="enkat_trend_zone").value == sv.zones(app_store)[0][1]


def test_marked_places_only_for_council_roles_and_apart_from_free_text(app_store):
    from mapapp.store.district import sites_frame

    sid, tokens = _tokens(app_store)
    zid = sv.zones(app_store)[0][0]
    sites = sites_frame(app_store)
    site = sites[sites["zone_id"] == zid].iloc[0]
    sv.save_answer(app_store, tokens[0], {(zid, "samlingar"): 2}, "Mörkt vid entrén",
                   places={(zid, "samlingar"): {"site_id": int(site["id"])}})
    for who, council in ((COORDINATOR, True), (READER, False)):
        at = AppTest.from_function(_enkat_page, default_timeout=120)
        at.session_state["mapapp_principal"] = who
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        heads = [s.value for s in at.subheader]
        assert ("Markerade platser (visas bara för rådets roller)" in heads) is council
        frames = [d.value for d in at.dataframe]
        placed = [f for f in frames if "Plats" in f.columns]
        assert bool(placed) is council
        if council:
            assert placed[0].iloc[0]["Plats"] == site["name"]
            assert placed[0].iloc[0]["Markerad av"] == 1
            assert "Mörkt vid entrén" not in placed[0].to_numpy().ravel()
