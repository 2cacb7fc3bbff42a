"""The Karta and Område pages as a user meets them (streamlit AppTest on a real SQLite store):
they run for every role, show their widgets, follow the filters, and open a card."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from mapapp.access import Principal, Role
from mapapp.analysis.periods import statistical_year
from mapapp.auth import add_user
from mapapp.categories import PRIORITY_AREAS
from mapapp.measures import add_measure
from mapapp.store.models import Incident, Zone
from tests.conftest import ADMIN, POLICE, READER, ROOT

TIMEOUT = 90
PW = "Karta-prov-2024"


def _karta() -> None:
    from mapapp.ui.pages import karta

    karta.render()


def _omrade() -> None:
    from mapapp.ui.pages import omrade

    omrade.render()


def _page(fn, who: Principal, **state) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_function(fn, default_timeout=TIMEOUT)
    at.session_state["mapapp_principal"] = who
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def _number(text: str) -> int:
    return int(re.sub(r"[^\d-]", "", text.replace("−", "-")))


def _metric(at: AppTest, label: str) -> int:
    for m in at.metric:
        if m.label == label:
            return _number(m.value)
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.title, *at.subheader, *at.caption, *at.info,
                               *at.warning, *at.success, *at.error)]
    return "\n".join(str(p) for p in parts)


def _count(engine, *, category: str | None = None, zone: int | None = None, year: int = 2022
           ) -> int:
    """Incidents in the statistical year starting in ``year`` (independent SQL count)."""
    p = statistical_year(year)
    q = select(func.count()).select_from(Incident).where(
        Incident.occurred_at >= p.start.to_pydatetime(),
        Incident.occurred_at < p.end.to_pydatetime())
    if category:
        q = q.where(Incident.category == category)
    if zone:
        q = q.where(Incident.zone_id == zone)
    with engine.connect() as c:
        return int(c.execute(q).scalar_one())


@pytest.mark.parametrize("who", [READER, POLICE, Principal("v", Role.VANDRARE, team="lag-1")])
def test_karta_runs_for_every_role_with_its_widgets(app_store, who):
    at = _page(_karta, who)
    assert not at.exception, at.exception
    keys = {w.key for w in (*at.selectbox, *at.multiselect, *at.button_group)}
    for key in ("karta_kind", "karta_period_statistical", "karta_categories", "karta_sources",
                "karta_zones", "karta_pick"):
        assert key in keys, key
    assert [m.label for m in at.metric] == ["Brott", "Observationer", "Flaggade platser",
                                            "Heta rutor (95 %+)", "Försenade åtgärder"]
    assert "Klicka på ett område eller en plats" in _texts(at)
    assert at.selectbox(key="karta_period_statistical").value == "2022-2023"


def test_filters_change_the_figures(app_store):
    at = _page(_karta, READER)
    assert _metric(at, "Brott") == _count(app_store)
    at.multiselect(key="karta_categories").set_value(["narkotikabrott"]).run()
    assert not at.exception
    assert _metric(at, "Brott") == _count(app_store, category="narkotikabrott")
    at.multiselect(key="karta_categories").set_value([]).run()
    at.multiselect(key="karta_zones").set_value([3]).run()
    assert _metric(at, "Brott") == _count(app_store, zone=3)
    at.multiselect(key="karta_zones").set_value([]).run()
    at.selectbox(key="karta_period_statistical").select("2020-2021").run()
    assert _metric(at, "Brott") == _count(app_store, year=2020)
    at.button_group(key="karta_kind").set_value("calendar").run()
    assert not at.exception
    years = at.selectbox(key="karta_period_calendar").options
    assert years[0] == "2023" and "2020" in years


def test_picking_a_zone_opens_its_card(app_store):
    with app_store.connect() as c:
        name, lagesbild = c.execute(select(Zone.name, Zone.lagesbild).where(Zone.id == 1)).one()
    at = _page(_karta, READER)
    at.selectbox(key="karta_pick").select(1).run()
    assert not at.exception, at.exception
    assert name in [s.value for s in at.subheader]
    text = _texts(at)
    assert "Revidering krävs" in text  # the bundled zones were revised in 2023
    assert lagesbild[:60] in text.replace("\\", "")  # Markdown escapes removed
    # The card's figures (the map's text-alternative table comes first).
    table = next(d.value for d in at.dataframe if "Period" in d.value.columns)
    assert list(table["Period"]) == ["2020-2021", "2021-2022", "2022-2023"]
    assert int(table["Antal"].iloc[-1]) == _count(app_store, zone=1)
    last = table["Förändring"].iloc[-1]
    # An arrow only for a significant change; otherwise the words of normal variation.
    assert last[0] in "↑↓" or last.endswith("oförändrat inom normal variation")


def test_a_clicked_site_shows_its_flags_and_measures(app_store):
    add_measure(app_store, ADMIN, zone=1, site="Liljeholmens centrum", title="Belysning i gången",
                priority_area=PRIORITY_AREAS[0], actor="Trafikkontoret", status="pagaende",
                due="2024-01-31")
    from mapapp.store.district import sites_frame

    sites = sites_frame(app_store)
    sid = int(sites.loc[sites["name"] == "Liljeholmens centrum", "id"].iloc[0])
    at = _page(_karta, POLICE, mapapp_map_selection=("site", sid))
    assert not at.exception, at.exception
    text = _texts(at)
    assert "Liljeholmens centrum" in [s.value for s in at.subheader]
    assert "Belysning i gången" in text.replace("\\", "")
    assert "(försenad)" in text.replace("\\", "")
    assert _metric(at, "Försenade åtgärder") == 1
    assert any(b.key == "karta_site_zone" for b in at.button)
    # The site's periods with the tested change (an arrow only when significant).
    table = next(d.value for d in at.dataframe if "Period" in d.value.columns)
    assert list(table["Period"]) == ["2020-2021", "2021-2022", "2022-2023"]
    assert all(c == "–" or c[0] in "↑↓" or c.endswith("oförändrat inom normal variation")
               for c in table["Förändring"])
    # the counts (made from the map's point index) equal those of the point frame
    from mapapp.render.cards import site_figures
    from mapapp.render.data import available_periods
    from mapapp.settings import load_settings
    from mapapp.store.points import load_points

    inc = load_points(app_store, POLICE, "incident")
    site = sites[sites["id"] == sid].iloc[0]
    want = site_figures(inc, float(site["lon"]), float(site["lat"]),
                        [p.label for p in available_periods(inc, "statistical")], "2022-2023",
                        radius_m=load_settings().site_radius_m)
    assert [int(n) for n in table["Antal"]] == [f.count for f in want]
    assert sum(f.count for f in want) > 0


def test_english(app_store):
    at = _page(_karta, READER, mapapp_lang="en")
    assert not at.exception
    assert [m.label for m in at.metric][0] == "Crimes"
    assert at.selectbox(key="karta_period_statistical").label == "Period"


def test_omrade_page_shows_one_zone_at_length(app_store):
    at = _page(_omrade, READER, mapapp_map_selection=("zone", 3))
    assert not at.exception, at.exception
    assert at.selectbox(key="omrade_zone").value == 3
    text = _texts(at)
    assert "Brott per kategori och period" in text
    assert "Platser i området och deras flaggor" in text
    assert "Inga vandringar registrerade" in text
    sites = at.dataframe[-1].value
    assert {"Plats", "Typ", "Antal i perioden", "Flaggad", "Flaggad antal perioder"} <= set(
        sites.columns)
    assert len(at.get("vega_lite_chart")) >= 4  # one chart per category, and the card's
    card = at.dataframe[0].value
    assert int(card["Antal"].iloc[-1]) == _count(app_store, zone=3)
    at.multiselect(key="omrade_categories").set_value(["stold"]).run()
    assert not at.exception
    card = at.dataframe[0].value
    assert int(card["Antal"].iloc[-1]) == _count(app_store, zone=3, category="stold")
    at.selectbox(key="omrade_zone").select(1).run()
    assert not at.exception
    with app_store.connect() as c:
        name = c.execute(select(Zone.name).where(Zone.id == 1)).scalar_one()
    assert name in [s.value for s in at.subheader]
    card = at.dataframe[0].value
    assert int(card["Antal"].iloc[-1]) == _count(app_store, zone=1, category="stold")


def test_the_shell_opens_on_the_map_after_log_in(app_store):
    add_user(app_store, ADMIN, "kartlasare", "lasare", password=PW)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    at.text_input(key="login_username").input("kartlasare")
    at.text_input(key="login_password").input(PW)
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    assert "Karta" in [t.value for t in at.title]
    assert len(at.metric) == 5


def test_zone_card_offers_the_snapshot_only_to_roles_that_may_export(app_store):
    from tests.conftest import COORDINATOR

    at = _page(_karta, COORDINATOR)
    at.selectbox(key="karta_pick").select(1).run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 1
    assert "protokoll" in buttons[0].proto.label.lower()
    reader = _page(_karta, READER)
    reader.selectbox(key="karta_pick").select(1).run()
    assert reader.get("download_button") == []


def test_the_map_has_its_zone_table_beside_it(app_store):
    """The map's text alternative: one row per zone with the map's figures (crimes in the
    period counted here by SQL, independently)."""
    with app_store.connect() as c:
        zones = dict(c.execute(select(Zone.id, Zone.name)).all())
    at = _page(_karta, READER)
    assert not at.exception, at.exception
    assert any(e.label.startswith("Kartan som tabell (2022-2023)") for e in at.expander)
    table = next(d.value for d in at.dataframe if "Brott (valda filter)" in d.value.columns)
    assert list(table["Område"]) == [zones[i] for i in sorted(zones)]
    for zid, name in zones.items():
        row = table[table["Område"] == name].iloc[0]
        assert int(row["Brott (valda filter)"]) == _count(app_store, zone=zid), name
    assert set(table["Revidering krävs"]) <= {"Ja", "Nej"}


def test_the_cached_map_view_takes_every_input_as_an_argument(app_store, monkeypatch):
    """The map view (shared by Karta and Område, and their flags) is cached per role, data
    version, filter, language and day: inside it nothing reads the session (role, language,
    data version), so two roles or two versions never share a view by accident."""
    import dataclasses

    from mapapp.render.data import MapFilter
    from mapapp.store.engine import data_version
    from mapapp.timezone import local_today
    from mapapp.ui import context as ctx
    from mapapp.ui.components import mapfilter

    def no_session(*_a, **_k):
        raise AssertionError("a cached function read the session")

    for name in ("require_principal", "principal", "lang", "version"):
        monkeypatch.setattr(ctx, name, no_session)
    flt = MapFilter()
    dv = data_version(app_store)
    today = local_today().isoformat()
    views = {who.role: mapfilter._view(who.cache_key, dv, dataclasses.astuple(flt), today,
                                       who, flt, lang="sv") for who in (READER, POLICE)}
    total = int(views[Role.LASARE].counts["count"].sum())
    with app_store.connect() as c:
        assert total > 0 and total <= c.execute(select(func.count(Incident.id))).scalar_one()
    assert views[Role.LASARE].flags is not None


def test_the_actor_survey_is_a_layer_and_a_column_of_the_zone_table(app_store):
    """Issue 19: the latest survey per zone on the map, in its text alternative too: the
    highest share with the number who answered; a zone with fewer than 5 answers shows no
    share; a zone without answers a dash."""
    from datetime import date, timedelta

    from mapapp.council import survey as sv
    from mapapp.settings import load_settings
    from tests.conftest import COORDINATOR

    settings = load_settings({}, secret_key="karta-survey-key")
    sid = sv.create_survey(app_store, COORDINATOR, title="Januari", month="2023-01",
                           closes=date.today() + timedelta(days=5))
    sv.add_recipients(app_store, COORDINATOR, sid, [
        {"organisation": f"Aktör {i}", "role": "Kontakt", "email": f"a{i}@x.example"}
        for i in range(7)], settings=settings)
    tokens = [g["link"].split("?enkat=")[1]
              for g in sv.links(app_store, COORDINATOR, sid, settings=settings)]
    (z1, n1), (z2, n2), (_, n3) = sv.zones(app_store)[:3]
    for i, tok in enumerate(tokens[:5]):  # zone 1: 5 answer, 3 of them saw gatherings
        sv.save_answer(app_store, tok, {(z1, "samlingar"): 2 if i < 3 else 0,
                                        (z1, "otrygghet"): 1 if i == 0 else 0})
    for tok in tokens[5:]:  # zone 2: only 2 answer
        sv.save_answer(app_store, tok, {(z2, "skadegorelse"): 2})
    at = _page(_karta, READER)
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Brott (valda filter)" in d.value.columns)
    col = table.set_index("Område")["Aktörsenkät: högsta andel"]
    assert col[n1] == "60 % Samlingar av personer (5 svar)"  # 3 of 5
    assert col[n2] == "för få svar (2)"
    assert col[n3] == "–"
