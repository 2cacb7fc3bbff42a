"""The monthly actor survey on SQLite and PostGIS: tokens (hash only, ≥128 bits, expiry,
tampering), one answer per recipient (a second visit edits), results per zone, the CLI."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from mapapp.cli import main
from mapapp.council import survey as sv
from mapapp.errors import DataValidationError, NotFoundError, PermissionDeniedError
from mapapp.settings import load_settings
from mapapp.store.models import AuditEvent, SurveyAnswer, SurveyRecipient, SurveyResponse
from tests.conftest import COORDINATOR, READER

SETTINGS = load_settings({}, secret_key="test-secret-key-19", public_url="https://trygg.example/app/")
ROWS = [{"organisation": "Citycon", "role": "Centrumledning", "email": "centrum@citycon.example"},
        {"organisation": "SHIS", "role": "Förvaltare", "email": "Forvaltning@shis.example"},
        {"organisation": "Johan Skyttes skola", "role": "Rektor", "email": "rektor@skola.example"}]


def _survey(store) -> tuple[int, list[str]]:
    sid = sv.create_survey(store, COORDINATOR, title="Aktuell lägesbild maj", month="2023-05",
                           closes=date.today() + timedelta(days=10))
    assert sv.add_recipients(store, COORDINATOR, sid, ROWS, settings=SETTINGS) == 3
    got = sv.links(store, COORDINATOR, sid, settings=SETTINGS)
    tokens = [g["link"].split("?enkat=", 1)[1] for g in got]
    assert all(g["link"].startswith("https://trygg.example/app/?enkat=") for g in got)
    return sid, tokens


def _zone_ids(store) -> dict[str, int]:
    return {n: i for i, n in sv.zones(store)}


def test_tokens_are_long_random_and_stored_only_as_a_hash(store):
    sid, tokens = _survey(store)
    assert len(set(tokens)) == 3
    assert all(len(t) == 32 and len(sv.base64.urlsafe_b64decode(t + "==")) * 8 >= 128
               for t in tokens)
    with store.connect() as conn:
        rows = conn.execute(select(SurveyRecipient)).all()
        dump = " ".join(str(tuple(r)) for r in rows)
    for tok in tokens:
        assert tok not in dump
    assert {r.token_hash for r in rows} == {hashlib.sha256(t.encode()).hexdigest()
                                            for t in tokens}
    assert {r.email for r in rows} == {"centrum@citycon.example", "forvaltning@shis.example",
                                       "rektor@skola.example"}
    # the same links again (the coordinator may print them twice); adding again adds nothing
    again = [g["link"].split("=", 1)[1] for g in sv.links(store, COORDINATOR, sid,
                                                          settings=SETTINGS)]
    assert again == tokens
    assert sv.add_recipients(store, COORDINATOR, sid, ROWS[:1], settings=SETTINGS) == 0
    # another key cannot make these links (and says why instead of printing wrong ones)
    with pytest.raises(Exception, match="nyckel"):
        sv.links(store, COORDINATOR, sid, settings=load_settings({}, secret_key="other"))


def test_unknown_tampered_expired_and_closed_tokens_open_nothing(store):
    sid, tokens = _survey(store)
    ok = sv.resolve_token(store, tokens[0])
    assert ok is not None and (ok.organisation, ok.month) == ("Citycon", "2023-05")
    flipped = tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B")
    for bad in (flipped, tokens[0][:-1], tokens[0] + "x", "x" * 32, "", None,
                "' OR 1=1 --", tokens[0].upper()):
        assert sv.resolve_token(store, bad) is None
    closes = sv.list_surveys(store, READER).iloc[0]["closes"]
    assert sv.resolve_token(store, tokens[0], today=closes) is not None  # the last day is in
    assert sv.resolve_token(store, tokens[0], today=closes + timedelta(days=1)) is None
    sv.close_survey(store, COORDINATOR, sid)
    assert sv.resolve_token(store, tokens[0]) is None
    with pytest.raises(PermissionDeniedError):
        sv.save_answer(store, tokens[0], {})


def test_one_answer_per_recipient_a_second_visit_edits_and_results(store):
    sid, tokens = _survey(store)
    z = _zone_ids(store)
    lilj, alv = z["Liljeholmen"], z["Älvsjö/Solberga"]
    first = {(lilj, "narkotikahandel"): 2, (lilj, "samlingar"): 0, (alv, "otrygghet"): 1,
             (alv, "skadegorelse"): None}
    assert sv.save_answer(store, tokens[0], first, "Mörkt vid gångbron") is True
    rec = sv.resolve_token(store, tokens[0])
    assert rec is not None
    answers, free = sv.load_answer(store, rec)
    assert answers == {k: v for k, v in first.items() if v is not None}
    assert free == "Mörkt vid gångbron"
    # second visit: edit (one response, items replaced)
    second = {(lilj, "narkotikahandel"): 1, (lilj, "samlingar"): 2}
    assert sv.save_answer(store, tokens[0], second, "") is False
    assert sv.load_answer(store, rec) == (second, "")
    assert sv.save_answer(store, tokens[1], {(lilj, "narkotikahandel"): 0,
                                             (lilj, "samlingar"): 0}) is True
    with store.connect() as conn:
        assert conn.execute(select(SurveyResponse.recipient_id)).all().__len__() == 2
        assert conn.execute(select(SurveyAnswer.id)).all().__len__() == 4
        edits = conn.execute(select(SurveyResponse.edits).order_by(SurveyResponse.id)
                             ).scalars().all()
    assert edits == [1, 0]
    res = sv.results(store, READER, sid)
    assert res == [
        {"zone": "Liljeholmen", "problem": "samlingar", "reported": 1, "answered": 2},
        {"zone": "Liljeholmen", "problem": "narkotikahandel", "reported": 1, "answered": 2},
    ]
    # the other's answer is never shown to a recipient; free text only to council roles
    rec2 = sv.resolve_token(store, tokens[1])
    assert rec2 is not None and sv.load_answer(store, rec2)[1] == ""
    with pytest.raises(PermissionDeniedError):
        sv.free_texts(store, READER, sid)
    # refused answers
    with pytest.raises(DataValidationError):
        sv.save_answer(store, tokens[2], {(lilj, "narkotikahandel"): 3})
    with pytest.raises(DataValidationError):
        sv.save_answer(store, tokens[2], {(999, "narkotikahandel"): 1})
    with pytest.raises(DataValidationError) as e:
        sv.save_answer(store, tokens[2], {}, "Han har 811218-9876 och säljer")
    assert e.value.problems[0].field == "free_text"
    with pytest.raises(DataValidationError):
        sv.save_answer(store, tokens[2], {}, "Ring vaktmästaren på 070-123 45 67")
    with store.connect() as conn:
        acts = conn.execute(select(AuditEvent.action, AuditEvent.username).where(
            AuditEvent.entity == "survey_response").order_by(AuditEvent.id)).all()
    assert [a for a, _ in acts] == ["create", "update", "create"]
    assert all(u.startswith("mottagare:") for _, u in acts)  # an id, not a person


def test_parallel_submissions_store_each_answer_once(store):
    sid, tokens = _survey(store)
    lilj = _zone_ids(store)["Liljeholmen"]
    errors: list[BaseException] = []

    def answer(tok: str, level: int) -> None:
        try:
            sv.save_answer(store, tok, {(lilj, "otrygghet"): level})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(tok, i % 3))
               for i, tok in enumerate(tokens * 4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    with store.connect() as conn:
        n_resp = conn.execute(text("SELECT count(*) FROM survey_responses")).scalar()
        n_items = conn.execute(text("SELECT count(*) FROM survey_answers")).scalar()
        edits = conn.execute(text("SELECT sum(edits) FROM survey_responses")).scalar()
    assert (n_resp, n_items, edits) == (3, 3, 9)


def test_recipient_csv_is_checked_whole_and_writes_nothing_on_error(store):
    sid = sv.create_survey(store, COORDINATOR, title="Juni", month="2023-06")
    bad = [{"organisation": "A", "role": "R", "email": "a@x.example"},
           {"organisation": "", "role": "R", "email": "not-an-address"},
           {"organisation": "C", "role": "R", "email": "A@x.example"}]
    with pytest.raises(DataValidationError) as e:
        sv.add_recipients(store, COORDINATOR, sid, bad, settings=SETTINGS)
    assert {(p.row, p.field) for p in e.value.problems} == {(3, "organisation"), (3, "email"),
                                                            (4, "email")}
    with pytest.raises(DataValidationError) as e:
        sv.add_recipients(store, COORDINATOR, sid, [{"org": "A", "email": "a@x.example"}],
                          settings=SETTINGS)
    assert {p.field for p in e.value.problems} == {"organisation", "role"}
    with store.connect() as conn:
        assert conn.execute(select(SurveyRecipient.id)).all() == []
    with pytest.raises(PermissionDeniedError):
        sv.create_survey(store, READER, title="x", month="2023-06")
    with pytest.raises(DataValidationError) as e:
        sv.create_survey(store, COORDINATOR, title="", month="2023-13", closes="2000-01-01")
    assert {p.field for p in e.value.problems} == {"title", "month", "closes"}
    with pytest.raises(NotFoundError):
        sv.links(store, COORDINATOR, 9999, settings=SETTINGS)


def test_cli_create_recipients_links_close_results(store, tmp_path, capsys, monkeypatch):
    url = store.url.render_as_string(hide_password=False)
    monkeypatch.setenv("MAPAPP_SECRET_KEY", "cli-secret")
    monkeypatch.setenv("MAPAPP_PUBLIC_URL", "https://karta.example")
    assert main(["survey", "create", "--db", url, "--title", "Aktuell lägesbild",
                 "--month", "2023-05", "--closes", (date.today() + timedelta(days=3)).isoformat()
                 ]) == 0
    sid = int(capsys.readouterr().out.strip())
    csv = tmp_path / "mottagare.csv"
    csv.write_text("organisation;role;email\nCitycon;Centrumledning;c@citycon.example\n"
                   "SHIS;Förvaltare;f@shis.example\nSkolan;Rektor;r@skola.example\n",
                   encoding="utf-8")
    assert main(["survey", "recipients", "--db", url, str(sid), str(csv)]) == 0
    assert "3" in capsys.readouterr().out
    assert main(["survey", "links", "--db", url, str(sid), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "organisation,role,email,link" and len(lines) == 4
    token = lines[1].rsplit("?enkat=", 1)[1]
    assert lines[1].split(",")[3].startswith("https://karta.example/?enkat=")
    lilj = _zone_ids(store)["Liljeholmen"]
    sv.save_answer(store, token, {(lilj, "narkotikahandel"): 2, (lilj, "otrygghet"): 0})
    assert main(["survey", "results", "--db", url, str(sid), "--format", "json"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert recs == [{"zone": "Liljeholmen", "problem": "narkotikahandel", "reported": 1,
                     "answered": 1},
                    {"zone": "Liljeholmen", "problem": "otrygghet", "reported": 0,
                     "answered": 1}]
    assert main(["survey", "close", "--db", url, str(sid)]) == 0
    capsys.readouterr()
    assert sv.resolve_token(store, token) is None
    assert main(["survey", "results", "--db", url, "424242", "--format", "json"]) == 2
    assert "424242" in capsys.readouterr().err


def test_trend_over_months_takes_each_months_latest_survey(store):
    z = _zone_ids(store)["Liljeholmen"]
    rows = {}
    for month, levels in (("2023-04", (2, 0)), ("2023-05", (1, 1))):
        sid = sv.create_survey(store, COORDINATOR, title=f"Lägesbild {month}", month=month,
                               closes=date.today() + timedelta(days=3))
        sv.add_recipients(store, COORDINATOR, sid, ROWS[:2], settings=SETTINGS)
        toks = [g["link"].split("?enkat=")[1]
                for g in sv.links(store, COORDINATOR, sid, settings=SETTINGS)]
        for tok, lvl in zip(toks, levels, strict=True):
            sv.save_answer(store, tok, {(z, "otrygghet"): lvl})
        rows[month] = sid
    got = sv.trend(store, READER)
    assert got == [
        {"month": "2023-04", "zone": "Liljeholmen", "problem": "otrygghet", "reported": 1,
         "answered": 2},
        {"month": "2023-05", "zone": "Liljeholmen", "problem": "otrygghet", "reported": 2,
         "answered": 2}]
