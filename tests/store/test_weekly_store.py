"""The weekly lägesbild from a real store (SQLite and PostGIS): the database's day counts,
the Poisson finding against scipy, the task list followed up the next week, the CLI and the
one-page documents with the snapshot's privacy rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from scipy.stats import poisson
from sqlalchemy import select, update

from mapapp.analysis.weekly import parse_week
from mapapp.cli import main
from mapapp.council.weekly import add_task, follow_up_task, list_tasks, weekly_report
from mapapp.errors import DataValidationError, PermissionDeniedError
from mapapp.measures import add_measure
from mapapp.settings import load_settings
from mapapp.snapshot.weekly import export_weekly, tables
from mapapp.store.district import zones_frame
from mapapp.store.models import AuditEvent, Incident
from mapapp.store.points import insert_points
from mapapp.store.weekly import day_counts
from mapapp.walks.walk import create_walk
from tests.conftest import ADMIN, COORDINATOR, READER

STHLM = ZoneInfo("Europe/Stockholm")
WEEK = parse_week("2023-W20")  # 15–21 May 2023
HIST = [5, 4, 6, 5, 5, 6, 4, 5]  # the 8 weeks before: mean 5, range 4–6


def _rows(zone_point, zone_key: str, category: str, per_week: list[int], first: date,
          kind_prefix: str = "i") -> list[dict]:
    rows = []
    for i, n in enumerate(per_week):
        for j in range(n):
            day = first + timedelta(weeks=i, days=j % 7)
            rows.append({"source": "t", "external_id": f"{kind_prefix}-{zone_key}-{category}-{i}-{j}",
                         "category": category, "lon": zone_point.x, "lat": zone_point.y,
                         "occurred_at": datetime(day.year, day.month, day.day, 13, 0,
                                                 tzinfo=STHLM)})
    return rows


def _load(store) -> dict[str, object]:
    zones = zones_frame(store).set_index("name")
    pts = {n: g.representative_point() for n, g in zones.geometry.items()}
    first = WEEK.shift(-8).start
    rows = (_rows(pts["Liljeholmen"], "L", "personran", HIST + [10], first)
            + _rows(pts["Telefonplan"], "T", "personran", HIST + [6], first)
            + _rows(pts["Långbro"], "B", "vald_nara_relation", [1] * 8 + [2], first))
    # at the week's edges in local time: Sunday 23:30 is in, Monday 00:10 after is not,
    # Monday 00:10 at the start is in
    p = pts["Västberga"]
    for ext, ts in (("edge-in-end", "2023-05-21T21:30:00Z"), ("edge-out", "2023-05-21T22:10:00Z"),
                    ("edge-in-start", "2023-05-14T22:10:00Z"),
                    ("edge-before", "2023-05-14T21:50:00Z")):
        rows.append({"source": "t", "external_id": ext, "category": "stold", "lon": p.x,
                     "lat": p.y, "occurred_at": pd.Timestamp(ts).to_pydatetime()})
    df = pd.DataFrame(rows)
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    obs = pd.DataFrame([{"source": "t", "external_id": f"o{i}", "category": "belysning",
                         "lon": pts["Liljeholmen"].x, "lat": pts["Liljeholmen"].y,
                         "description": "Lampan trasig", "status": "ny",
                         "occurred_at": pd.Timestamp(f"2023-05-1{6 + i}T10:00:00+02:00")}
                        for i in range(3)])
    with store.begin() as conn:
        insert_points(conn, df, "incident")
        insert_points(conn, obs, "observation")
    return pts


def test_week_counts_in_the_database_and_the_poisson_finding(store):
    _load(store)
    # a row written before local_day existed still counts (read and converted in Python)
    with store.begin() as conn:
        conn.execute(update(Incident).where(Incident.external_id == "edge-in-end")
                     .values(local_day=None))
    days = day_counts(store, READER, WEEK.shift(-8).start, WEEK.end)
    # two zones of robberies, 10 cases of the sensitive category, 3 edge points inside
    assert days["n"].sum() == sum(HIST) * 2 + 10 + 6 + 10 + 3
    rep = weekly_report(store, READER, WEEK, settings=load_settings())
    c = rep.counts.set_index(["zone", "category"])
    lilj = c.loc[("Liljeholmen", "personran")]
    assert (lilj["count"], lilj["usual_mean"], lilj["usual_low"], lilj["usual_high"]) == (
        10, 5.0, 4, 6)
    assert lilj["p_value"] == pytest.approx(poisson.sf(9, 5.0), rel=1e-12)
    assert bool(lilj["more_than_usual"])
    tele = c.loc[("Telefonplan", "personran")]
    assert tele["count"] == 6 and not bool(tele["more_than_usual"])
    assert tele["p_value"] == pytest.approx(poisson.sf(5, 5.0), rel=1e-12)
    # sensitive categories count for every role (counts, not points)
    assert c.loc[("Långbro", "vald_nara_relation")]["count"] == 2
    assert c.loc[("Västberga", "stold")]["count"] == 2  # the two edge points inside the week
    assert c.loc[("Västberga", "stold")]["usual_high"] == 1  # the one just before
    assert list(rep.findings.index) == list(rep.counts[rep.counts["more_than_usual"]].index)
    assert len(rep.observations) == 3 and "description" not in rep.observations


def test_task_list_is_followed_up_the_next_week_and_audited(store):
    _load(store)
    with pytest.raises(PermissionDeniedError):
        add_task(store, READER, WEEK, actor="LPO Globen", place="Liljeholmstorget", task="x")
    tid = add_task(store, COORDINATOR, WEEK, actor="LPO Globen", place="Liljeholmstorget",
                   task="Extra närvaro fredag kväll", due="2023-05-26", zone="Liljeholmen")
    with pytest.raises(DataValidationError) as e:
        add_task(store, COORDINATOR, WEEK, actor="", place="P", task="Ring 19800101-0008",
                 due="nästa vecka", zone="Ingenstans")
    assert {p.field for p in e.value.problems} == {"actor", "task", "due", "zone"}
    rep = weekly_report(store, READER, WEEK)
    assert list(rep.tasks["id"]) == [tid] and rep.followup.empty
    nxt = weekly_report(store, READER, WEEK.shift(1))
    assert list(nxt.followup["task"]) == ["Extra närvaro fredag kväll"]
    assert nxt.followup.iloc[0]["due"] == date(2023, 5, 26)
    follow_up_task(store, COORDINATOR, tid, status="klar", followup="Genomfört, lugnt")
    got = list_tasks(store, READER, WEEK).iloc[0]
    assert (got["status"], got["followup"], got["zone"]) == ("klar", "Genomfört, lugnt",
                                                             "Liljeholmen")
    with pytest.raises(DataValidationError):
        follow_up_task(store, COORDINATOR, tid, status="kanske")
    with store.connect() as conn:
        acts = conn.execute(select(AuditEvent.action).where(AuditEvent.entity == "weekly_task")
                            .order_by(AuditEvent.id)).scalars().all()
    assert acts == ["create", "update"]


def test_measures_due_and_walks_of_the_week(store):
    _load(store)
    mid = add_measure(store, COORDINATOR, zone="Liljeholmen", title="Ny belysning",
                      priority_area="Riktat arbete mot avgränsade platser och utsatta områden",
                      actor="Trafikkontoret", status="planerad", due="2023-05-18")
    late = add_measure(store, COORDINATOR, zone="Liljeholmen", title="Röj buskage",
                       priority_area="Riktat arbete mot avgränsade platser och utsatta områden",
                       actor="Trafikkontoret", status="pagaende", due="2023-04-01")
    later = add_measure(store, COORDINATOR, zone="Liljeholmen", title="Senare",
                        priority_area="Riktat arbete mot avgränsade platser och utsatta områden",
                        actor="Trafikkontoret", status="planerad", due="2023-07-01")
    zid = int(zones_frame(store).set_index("name").loc["Liljeholmen", "id"])
    wid, _ = create_walk(store, COORDINATOR, submission_id="w-1", zone_id=zid,
                         starts_at=datetime(2023, 5, 17, 16, 0, tzinfo=UTC),
                         organiser="Hägersten-Älvsjö SDF", participants={"boende": 4})
    create_walk(store, COORDINATOR, submission_id="w-2", zone_id=zid,
                starts_at=datetime(2023, 6, 17, 16, 0, tzinfo=UTC),
                organiser="Hägersten-Älvsjö SDF", participants={"boende": 4})
    rep = weekly_report(store, READER, WEEK)
    ids = set(rep.measures["id"])
    assert {mid, late} <= ids and later not in ids
    m = rep.measures.set_index("id")
    assert bool(m.loc[late, "overdue"]) and not bool(m.loc[mid, "overdue"])
    assert list(rep.walks["id"]) == [wid]


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_cli_week_json_and_documents(store, tmp_path, capsys):
    _load(store)
    add_task(store, COORDINATOR, WEEK, actor="LPO Globen", place="Liljeholmstorget",
             task="Extra närvaro =HYPERLINK(\"x\") <b>", due="2023-05-26")
    assert main(["week", "--db", _url(store), "--week", "2023-W20", "--format", "json"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert set(recs[0]) == {"zone", "category", "count", "usual_mean", "usual_low", "usual_high",
                            "p_value", "more_than_usual"}
    by = {(r["zone"], r["category"]): r for r in recs}
    assert by[("Liljeholmen", "personran")]["more_than_usual"] is True
    assert by[("Telefonplan", "personran")]["more_than_usual"] is False
    assert main(["week", "--db", _url(store), "--week", "2023-W99"]) == 2
    assert "2023-W99" in capsys.readouterr().err
    # the documents: suppression and one page
    rep = weekly_report(store, READER, WEEK)
    tb = tables(rep, suppress_below=5)[0]
    rows = {(r[0], r[1]): r for r in tb.rows}
    assert rows[("Liljeholmen", "Personrån")][2:] == ["10", "5,0", "<5–6", "Ja"]
    assert rows[("Långbro", "Våld i nära relation")][2:5] == ["<5", "<5", "<5–<5"]
    for fmt in ("pdf", "docx"):
        out = tmp_path / f"v.{fmt}"
        assert main(["week", "--db", _url(store), "--week", "2023-W20", "--format", fmt,
                     "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
    if shutil.which("pdfinfo") and shutil.which("pdftotext"):
        info = subprocess.run(["pdfinfo", str(tmp_path / "v.pdf")], capture_output=True,
                              text=True, check=True).stdout
        assert re.search(r"^Pages:\s+1$", info, re.M)
        text = subprocess.run(["pdftotext", str(tmp_path / "v.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "Veckoläge 2023-W20" in text and "=HYPERLINK" in text and "<b>" in text
        assert "Lampan" not in text  # no free-text notes in the public document
    with pytest.raises(PermissionDeniedError):
        export_weekly(store, READER, rep, "pdf")
    with store.connect() as conn:
        n = conn.execute(select(AuditEvent.id).where(AuditEvent.entity == "weekly",
                                                     AuditEvent.action == "export")).all()
    assert len(n) == 2
    assert ADMIN.can  # the CLI acts as the operator (admin)


def test_actor_reports_of_the_week_survey_and_public_reports(store):
    from mapapp.council import reports as rp
    from mapapp.council import survey as sv

    pts = _load(store)
    settings = load_settings({}, secret_key="k-weekly")
    sid = sv.create_survey(store, COORDINATOR, title="Aktuell lägesbild", month="2023-05",
                           closes=date.today() + timedelta(days=3))
    sv.add_recipients(store, COORDINATOR, sid, [
        {"organisation": "Citycon", "role": "Centrum", "email": "c@x.example"}],
        settings=settings)
    token = sv.links(store, COORDINATOR, sid, settings=settings)[0]["link"].split("=")[1]
    zid = dict((n, i) for i, n in sv.zones(store))["Liljeholmen"]
    sv.save_answer(store, token, {(zid, "narkotikahandel"): 2, (zid, "otrygghet"): 0})
    p = pts["Liljeholmen"]
    rp.submit_report(store, submission_id="weekly-r-1", category="belysning", lon=p.x, lat=p.y,
                     settings=settings, now=datetime(2023, 5, 17, 10, tzinfo=UTC),
                     confirm_new=True)  # the week's observations there are "already reported"
    rp.submit_report(store, submission_id="weekly-r-2", category="belysning", lon=p.x, lat=p.y,
                     settings=settings, now=datetime(2023, 5, 24, 10, tzinfo=UTC),
                     confirm_new=True)  # the next week
    rep = weekly_report(store, READER, WEEK)
    assert rep.reports.to_dict("records") == [
        {"zone": "Liljeholmen", "category": "belysning", "status": "ny", "n": 1}]
    assert rep.survey_title == "2023-05 Aktuell lägesbild"
    assert rep.survey.to_dict("records") == [
        {"zone": "Liljeholmen", "problem": "narkotikahandel", "reported": 1, "answered": 1},
        {"zone": "Liljeholmen", "problem": "otrygghet", "reported": 0, "answered": 1}]
    titles = {tb.title: tb for tb in tables(rep, suppress_below=5)}
    assert titles["Rapporter från boende och verksamma"].rows == [["Liljeholmen", "Belysning",
                                                                   "<5"]]
    assert titles["Aktörsenkät 2023-05 Aktuell lägesbild: rapporterade problem"].rows == [
        ["Liljeholmen", "Narkotikahandel", "<5", "<5"]]
    # a week before the survey's month has no survey
    assert weekly_report(store, READER, "2023-W10").survey_title is None


def test_a_site_with_many_points_this_week_stands_out(store):
    from mapapp.council.weekly import week_places
    from mapapp.store.district import sites_frame

    _load(store)
    site = sites_frame(store).set_index("name").loc["Älvsjö centrum"]
    rows = [{"source": "t", "external_id": f"hot-{i}", "category": "narkotikabrott",
             "lon": float(site["lon"]) + 0.0001 * (i % 5), "lat": float(site["lat"])
             + 0.00005 * (i % 7),
             "occurred_at": pd.Timestamp(f"2023-05-{15 + i % 7}T20:00:00+02:00")}
            for i in range(30)]
    df = pd.DataFrame(rows)
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    with store.begin() as conn:
        insert_points(conn, df, "incident")
    places = week_places(store, READER, WEEK)
    hit = places[places["name"] == "Älvsjö centrum"]
    assert len(hit) == 1 and bool(hit.iloc[0]["flagged"]) and hit.iloc[0]["count"] >= 30
    assert "Älvsjö centrum" not in set(week_places(store, READER, WEEK.shift(-3))["name"])
    rep = weekly_report(store, READER, WEEK)
    assert "Älvsjö centrum" in set(rep.places["name"])
    assert "Älvsjö centrum" in {r[0] for r in tables(rep)[1].rows}
    assert weekly_report(store, READER, WEEK, places=False).places.empty
