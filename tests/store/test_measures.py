"""Measures on both backends: the measures of the minutes after init, a round trip through the
store, validation that writes nothing, roles, filters, the audit history, before/after against
an independent count, and the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from sqlalchemy import func, select

from mapapp import measures as ms
from mapapp.cli import main
from mapapp.errors import DataValidationError, NotFoundError, PermissionDeniedError
from mapapp.store.engine import data_version
from mapapp.store.models import AuditEvent, Measure, MeasureNote
from mapapp.store.points import insert_points
from tests.conftest import ADMIN, COORDINATOR, POLICE, READER, ROOT, WALKER

GEO = ROOT / "data" / "geo"
STO = ZoneInfo("Europe/Stockholm")
GEOD = Geod(ellps="WGS84")


def _content() -> list[dict]:
    return json.loads((GEO / "zones_content.json").read_text("utf-8"))


def _site_position(name: str) -> tuple[float, float]:
    sites = json.loads((GEO / "sites.geojson").read_text("utf-8"))["features"]
    (f,) = [f for f in sites if f["properties"]["name"] == name]
    return tuple(f["geometry"]["coordinates"])  # type: ignore[return-value]


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


NEW = {
    "zone": "Älvsjö/Solberga", "site": "Älvsjö station", "cell_id": "100m-E669300-N6575400",
    "title": "Bättre belysning vid resecentrum", "description": "Fler armaturer på gångbron.",
    "priority_area": "Riktat arbete mot avgränsade platser och utsatta områden",
    "actor": "Trafikkontoret", "status": "planerad", "start": "2023-05-01",
    "due": "2023-09-30", "next_followup": "2023-06-15",
}


def test_the_measures_of_the_minutes_are_listed_after_init(store):
    df = ms.list_measures(store, READER, today=date(2023, 4, 21))
    expected = [(z["name"], m) for z in _content() for m in z["measures"]]
    assert len(df) == len(expected) > 0
    got = {(r["zone"], r["title"]): r for r in df.to_dict("records")}
    for zone, m in expected:
        row = got[(zone, m["title"])]
        assert row["actor"] == m["actor"] and row["status"] == m["status"]
        assert row["priority_area"] == m["priority_area"]
        assert row["site"] == m.get("site")
        assert row["start"] == (date.fromisoformat(m["start"]) if m["start"] else None)
        assert row["source"] == "protokoll-2023-04-21"


def test_a_measure_round_trips(store):
    v0 = data_version(store)
    audits = _count(store, AuditEvent.__table__)
    mid = ms.add_measure(store, COORDINATOR, **NEW)
    m = ms.get_measure(store, READER, mid, today=date(2023, 10, 1))
    for k, v in NEW.items():
        assert (m[k].isoformat() if isinstance(m[k], date) else m[k]) == v, k
    assert m["overdue"] is True
    assert (m["lon"], m["lat"]) == pytest.approx(_site_position("Älvsjö station"))
    assert data_version(store) != v0
    assert _count(store, AuditEvent.__table__) == audits + 1

    diff = ms.update_measure(store, COORDINATOR, mid, status="Genomförd", site="",
                             due="2023-10-15")
    assert diff == {"status": ("planerad", "genomford"), "site": ("Älvsjö station", None),
                    "due": (date(2023, 9, 30), date(2023, 10, 15))}
    assert ms.update_measure(store, COORDINATOR, mid, status="genomford") == {}
    m = ms.get_measure(store, READER, mid, today=date(2024, 1, 1))
    assert (m["status"], m["site"], m["due"], m["overdue"]) == ("genomford", None,
                                                               date(2023, 10, 15), False)
    assert np.isnan(m["lon"])

    ms.add_note(store, COORDINATOR, mid, "Armaturerna beställda.", "2023-06-15")
    ms.add_note(store, POLICE, mid, "Färre samlingar på kvällarna.", date(2023, 6, 1))
    notes = ms.get_measure(store, READER, mid)["notes"]
    assert [(n["noted_on"], n["author_role"], n["text"]) for n in notes] == [
        (date(2023, 6, 1), "polis", "Färre samlingar på kvällarna."),
        (date(2023, 6, 15), "samordnare", "Armaturerna beställda."),
    ]

    hist = ms.history(store, READER, mid)
    assert hist["action"].tolist() == ["create", "update", "update", "update", "note", "note"]
    assert set(hist.loc[hist["action"] == "update", "field"]) == {"status", "site", "due"}
    site = hist[hist["field"] == "site"].iloc[0]
    assert (site["old"], site["new"] is None or pd.isna(site["new"])) == ("Älvsjö station", True)
    assert hist["username"].isna().all()  # names only for roles that read the audit log
    assert ms.history(store, ADMIN, mid)["username"].iloc[0] == COORDINATOR.username
    assert hist["at"].iloc[0].tzinfo is not None


def test_links_to_the_points_that_motivated_it(store):
    frame = pd.DataFrame({"source": "test", "external_id": ["a", "b"], "category": "stold",
                          "occurred_at": pd.Timestamp("2023-03-01 12:00", tz=STO),
                          "lon": [18.011, 18.012], "lat": [59.2787, 59.2788]})
    with store.begin() as conn:
        insert_points(conn, frame, "incident")
        insert_points(conn, frame.assign(category="belysning", status="ny"), "observation")
    with store.connect() as conn:
        mid = conn.execute(select(func.min(Measure.id))).scalar_one()
    ids = list(pd.read_sql("SELECT id FROM incidents ORDER BY id", store)["id"])
    obs = list(pd.read_sql("SELECT id FROM observations ORDER BY id", store)["id"])
    assert ms.link_points(store, COORDINATOR, mid, incidents=ids, observations=obs[:1]) == 3
    assert ms.link_points(store, COORDINATOR, mid, incidents=ids) == 0  # no duplicates
    links = ms.get_measure(store, READER, mid)["links"]
    assert [(lk["kind"], lk["id"]) for lk in links] == [("incident", ids[0]), ("incident", ids[1]),
                                                        ("observation", obs[0])]
    with pytest.raises(DataValidationError) as exc:
        ms.link_points(store, COORDINATOR, mid, incidents=[999999])
    assert "999999" in str(exc.value)


def test_every_problem_is_reported_and_nothing_is_written(store):
    before = (_count(store, Measure.__table__), _count(store, AuditEvent.__table__))
    bad = {"zone": "Skärholmen", "site": "Ingenstans 1", "title": "  ", "priority_area": "Glass",
           "actor": "Okänd AB", "status": "klar", "start": "2023-06-01", "due": "2023-05-01",
           "colour": "röd"}
    with pytest.raises(DataValidationError) as exc:
        ms.add_measure(store, COORDINATOR, **bad)
    fields = [p.field for p in exc.value.problems]
    assert sorted(fields) == sorted(["colour", "zone", "site", "title", "priority_area", "actor",
                                     "status", "due"])
    codes = {p.field: p.code for p in exc.value.problems}
    assert codes["zone"] == "measures.err.zone_unknown" and codes["due"] == \
        "measures.err.due_before_start" and codes["title"] == "measures.err.title_empty"
    assert {p.field: p.params for p in exc.value.problems}["zone"]["value"] == "Skärholmen"
    english, swedish = exc.value.text("en"), exc.value.text("sv")
    assert "Skärholmen" in english and "The measure was not saved" in english
    assert "Skärholmen" in swedish and "The measure was not saved" not in swedish
    assert str(exc.value) == swedish
    assert (_count(store, Measure.__table__), _count(store, AuditEvent.__table__)) == before

    with pytest.raises(DataValidationError) as exc:
        ms.add_measure(store, COORDINATOR, **{**NEW, "zone": "Långbro"})
    assert [p.field for p in exc.value.problems] == ["site"]  # the site lies in another zone
    with pytest.raises(DataValidationError) as exc:
        ms.add_measure(store, COORDINATOR, **{**NEW, "description": "elev 050101-1234"})
    assert [p.field for p in exc.value.problems] == ["description"]
    # An update is checked against the stored start date.
    mid = ms.add_measure(store, COORDINATOR, **NEW)
    with pytest.raises(DataValidationError) as exc:
        ms.update_measure(store, COORDINATOR, mid, due="2023-04-30")
    assert [p.field for p in exc.value.problems] == ["due"]
    with pytest.raises(NotFoundError):
        ms.update_measure(store, COORDINATOR, 999999, status="genomford")
    with pytest.raises(DataValidationError):
        ms.add_note(store, COORDINATOR, mid, "   ")


def test_roles(store):
    assert len(ms.list_measures(store, READER)) == len(ms.list_measures(store, WALKER)) > 0
    for who in (READER, WALKER):
        with pytest.raises(PermissionDeniedError):
            ms.add_measure(store, who, **NEW)
        with pytest.raises(PermissionDeniedError):
            ms.update_measure(store, who, 1, status="genomford")
        with pytest.raises(PermissionDeniedError):
            ms.add_note(store, who, 1, "Uppföljt.")
        with pytest.raises(PermissionDeniedError):
            ms.add_actor(store, who, "Ny förening")
    assert ms.add_measure(store, POLICE, **NEW) > 0


def test_filters_follow_the_dates(store):
    early = ms.add_measure(store, COORDINATOR, **{**NEW, "due": "2023-06-30"})
    done = ms.add_measure(store, COORDINATOR, **{**NEW, "due": "2023-06-30",
                                                 "status": "genomford"})
    late = ms.add_measure(store, COORDINATOR, **NEW)  # due 2023-09-30

    def overdue(today: date) -> set[int]:
        return set(ms.list_measures(store, READER, overdue=True, today=today)["id"])

    assert overdue(date(2023, 6, 30)) == set()  # due today is not overdue yet
    assert overdue(date(2023, 7, 1)) == {early}
    assert overdue(date(2023, 10, 1)) == {early, late}  # never the done one
    total = len(ms.list_measures(store, READER))
    assert len(ms.list_measures(store, READER, overdue=False, today=date(2023, 10, 1))) == total - 2
    mine = ms.list_measures(store, READER, zone="älvsjö/solberga", status="Planerad",
                            actor="trafikkontoret")
    assert set(mine["id"]) == {early, late}
    assert set(ms.list_measures(store, READER, status="genomford")["id"]) == {done}
    school = ms.list_measures(store, READER, priority_area="6")
    assert len(school) > 0 and set(school["priority_area"]) == {"Skolan som brottsplats"}
    with pytest.raises(NotFoundError):
        ms.list_measures(store, READER, zone="Skärholmen")
    with pytest.raises(DataValidationError):
        ms.list_measures(store, READER, status="klar")


def test_measures_frame_for_the_map(store):
    frame = ms.measures_frame(store, READER, today=date(2023, 5, 1))
    assert list(frame.columns) == ms.FRAME_COLUMNS
    row = frame[frame["site"] == "Älvsjö station"].iloc[0]
    assert (row["lon"], row["lat"]) == pytest.approx(_site_position("Älvsjö station"))
    assert frame.loc[frame["site"].isna(), "lon"].isna().all()
    assert frame["zone_id"].dtype == "int64"


def test_actors_are_editable(store):
    actors = ms.list_actors(store, READER)
    assert "LPO Skärholmen" in actors and "Citycon" in actors
    ms.add_actor(store, COORDINATOR, "Fältassistenterna")
    with pytest.raises(DataValidationError):
        ms.add_actor(store, COORDINATOR, "fältassistenterna")
    mid = ms.add_measure(store, COORDINATOR, **{**NEW, "actor": "FÄLTASSISTENTERNA"})
    assert ms.get_measure(store, READER, mid)["actor"] == "Fältassistenterna"


# --- before/after against an independent count -----------------------------------------------

def _points_around(site: tuple[float, float]) -> pd.DataFrame:
    """Points at known distances from the site, at times around the window edges."""
    inside, outside = (25.0, 70.0, 110.0, 140.0), (220.0, 400.0, 900.0)
    times = ["2020-01-10 12:00", "2021-03-14 23:59", "2021-03-15 00:00", "2021-06-01 08:00",
             "2021-09-14 23:59", "2021-09-15 00:00", "2022-03-14 23:30", "2022-03-15 00:00",
             "2022-05-05 17:00", "2022-09-14 23:59", "2022-09-15 00:00", "2022-12-01 10:00"]
    rows = []
    for i, when in enumerate(times):
        for j, dist in enumerate(inside + outside):
            lon, lat, _ = GEOD.fwd(site[0], site[1], 37.0 * (i + j), dist)
            rows.append({"external_id": f"p{i}-{j}", "lon": lon, "lat": lat,
                         "occurred_at": pd.Timestamp(when, tz=STO),
                         "category": "vald_nara_relation" if (i + j) % 5 == 0 else "stold"})
    return pd.DataFrame(rows).assign(source="test")


def _independent(frame: pd.DataFrame, centre, radius, lo, hi, keep=lambda r: True) -> int:
    n = 0
    for r in frame.itertuples():
        _, _, d = GEOD.inv(centre[0], centre[1], r.lon, r.lat)
        local = r.occurred_at.to_pydatetime().astimezone(STO)
        if d <= radius and lo <= local < hi and keep(r):
            n += 1
    return n


def test_before_after_equals_an_independent_count(store):
    site = _site_position("Älvsjö station")
    frame = _points_around(site)
    obs = frame.iloc[::3].assign(external_id=lambda d: "o" + d.external_id, category="belysning",
                                  status="ny")
    with store.begin() as conn:
        insert_points(conn, frame, "incident")
        insert_points(conn, obs, "observation")
    mid = ms.add_measure(store, COORDINATOR, **{**NEW, "start": "2022-03-15", "due": None,
                                                "next_followup": None})
    r = ms.before_after(store, POLICE, mid, months=6, radius_m=150)
    after = (datetime(2022, 3, 15, tzinfo=STO), datetime(2022, 9, 15, tzinfo=STO))
    before = (datetime(2021, 3, 15, tzinfo=STO), datetime(2021, 9, 15, tzinfo=STO))
    assert r["comparison"] == "same_months_last_year"
    # Reported crimes only; the walks' observations apart, never added.
    assert r["before"] == _independent(frame, site, 150, *before)
    assert r["after"] == _independent(frame, site, 150, *after)
    assert r["by_kind"]["observation"]["after"] == _independent(obs, site, 150, *after)
    assert r["before"] >= 5 and r["after"] >= 5 and r["note"] is None
    assert r["change"] == r["after"] - r["before"]
    # WDD: the target is the radius, the buffer the 250 m ring beyond it (geodesic distances).
    assert (r["t_before"], r["t_after"]) == (r["before"], r["after"])
    # (points at exactly 400 m lie on the ring's edge: projected and geodesic metres differ)
    for key, win in (("d_after", after), ("d_before", before)):
        lo = _independent(frame, site, 399, *win) - r[key.replace("d_", "")]
        hi = _independent(frame, site, 401, *win) - r[key.replace("d_", "")]
        assert lo <= r[key] <= hi and hi > 0
    assert r["verdict"] in ("effect", "increase", "no_effect", "too_few")
    # A reader gets the sensitive incidents without a position: not counted at a site.
    reader = ms.before_after(store, READER, mid, months=6, radius_m=150)
    assert reader["after"] == _independent(
        frame, site, 150, *after, keep=lambda p: p.category != "vald_nara_relation")
    # Few events: no conclusion.
    short = ms.before_after(store, POLICE, mid, months=6, radius_m=30)
    assert short["after"] < 5 and short["note"] == "too_few" and short["verdict"] == "too_few"


def test_before_after_by_zone_without_a_site(store):
    frame = _points_around(_site_position("Älvsjö station"))
    with store.begin() as conn:
        insert_points(conn, frame, "incident")
    mid = ms.add_measure(store, COORDINATOR, **{**NEW, "site": None, "cell_id": None,
                                                "start": "2022-03-15", "due": None,
                                                "next_followup": None})
    r = ms.before_after(store, READER, mid)
    zones = json.loads((GEO / "zones.geojson").read_text("utf-8"))["features"]
    (z,) = [shapely.geometry.shape(f["geometry"]) for f in zones
            if f["properties"]["name"] == "Älvsjö/Solberga"]
    inside = frame[shapely.contains_xy(z, frame["lon"].to_numpy(), frame["lat"].to_numpy())]
    lo, hi = datetime(2022, 3, 15, tzinfo=STO), datetime(2022, 9, 15, tzinfo=STO)
    expected = sum(lo <= t.to_pydatetime().astimezone(STO) < hi for t in inside["occurred_at"])
    assert r["place_kind"] == "zone" and r["after"] == expected > 0
    with pytest.raises(DataValidationError):
        ms.before_after(store, READER, ms.add_measure(store, COORDINATOR, **{
            **NEW, "start": None, "due": None, "next_followup": None}))


# --- the command line ------------------------------------------------------------------------

def test_cli_list_add_update_note(store, capsys):
    db = _url(store)
    assert main(["measures", "list", "--db", db, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == sum(len(z["measures"]) for z in _content())
    assert list(listed[0]) == list(ms.JSON_FIELDS)
    assert main(["measures", "add", "--db", db, "--zone", "Långbro", "--title", "Ny belysning",
                 "--priority-area", "6", "--actor", "Trafikkontoret", "--site",
                 "Johan Skytteskolan", "--start", "2023-05-01", "--due", "2023-06-01"]) == 0
    capsys.readouterr()
    assert main(["measures", "list", "--db", db, "--zone", "Långbro", "--overdue", "--today",
                 "2023-06-02", "--format", "json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["title"], row["site"], row["due"], row["overdue"]) == (
        "Ny belysning", "Johan Skytteskolan", "2023-06-01", True)
    assert main(["measures", "update", str(row["id"]), "--db", db, "--status", "genomford"]) == 0
    assert main(["measures", "note", str(row["id"]), "Klart.", "--db", db]) == 0
    capsys.readouterr()
    assert main(["measures", "list", "--db", db, "--status", "genomford", "--format",
                 "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ",".join(ms.JSON_FIELDS) and len(out) == 2
    assert main(["measures", "add", "--db", db, "--title", "x", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "The zone is missing" in err and "The priority area is missing" in err
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(MeasureNote)).scalar_one() == 1


def test_cli_revisions(store, capsys):
    db = _url(store)
    assert main(["measures", "revisions", "--db", db, "--today", "2023-10-01"]) == 0
    assert "Inga områden" in capsys.readouterr().out
    assert main(["measures", "revisions", "--db", db, "--today", "2023-10-02", "--format",
                 "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(_content()) and all("2019-10-01" in r["reasons"] for r in rows)


def test_cli_before_after_json_has_the_wdd_and_its_eight_counts(store, capsys):
    site = _site_position("Älvsjö station")
    frame = _points_around(site)
    with store.begin() as conn:
        insert_points(conn, frame, "incident")
    mid = ms.add_measure(store, COORDINATOR, **{**NEW, "start": "2022-03-15", "due": None,
                                                "next_followup": None})
    db = store.url.render_as_string(hide_password=False)
    assert main(["measures", "before-after", str(mid), "--db", db, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    keys = ("t_before", "t_after", "d_before", "d_after", "ct_before", "ct_after", "cd_before",
            "cd_after")
    assert all(isinstance(out[k], int) for k in keys)
    for k in ("wdd", "se", "z", "wdq", "verdict", "verdict_text"):
        assert k in out
    direct = ms.before_after(store, POLICE, mid)
    assert [out[k] for k in keys] == [direct[k] for k in keys]
    if out["wdd"] is not None:  # the formula, by hand from the eight counts
        tb, ta, db_, da, cb, ca = (out[k] for k in keys[:6])
        w_t, w_d = tb / cb, db_ / cb
        assert out["wdd"] == pytest.approx((ta - tb) - w_t * (ca - cb) + (da - db_)
                                           - w_d * (ca - cb))
    assert main(["measures", "before-after", str(mid), "--db", db]) == 0
    assert "verdict_text" in capsys.readouterr().out
