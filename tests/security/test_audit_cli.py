"""``mapapp audit``: filters and formats (the CSV's formula safety is in test_escaping)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from mapapp.auth import add_user, authenticate
from mapapp.cli import main
from mapapp.store.models import AuditEvent
from tests.conftest import ADMIN


def _db(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_audit_filters_and_formats(sqlite_store, capsys):
    s = sqlite_store
    add_user(s, ADMIN, "anna", "polis", password="Gröna-lyktan-7")
    authenticate(s, "anna", "fel-fel-fel-1")
    authenticate(s, "anna", "Gröna-lyktan-7")
    # move the user's creation back in time: 2023-04-20 23:30 Stockholm
    with s.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.action == "create",
                                              AuditEvent.entity == "user").values(
            at=datetime(2023, 4, 20, 21, 30, tzinfo=UTC)))
    assert main(["audit", "--format", "json", "--db", _db(s)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in rows[:3]] == ["login", "login_failed", "create"]
    assert rows[2]["detail"] == {"role": "polis", "team": None}
    assert rows[2]["at"] == "2023-04-20T23:30:00+02:00"  # local time with offset
    # --since is local midnight: 21 April excludes the creation at 23:30 on the 20th
    assert main(["audit", "--since", "2023-04-21", "--format", "json", "--db", _db(s)]) == 0
    since = [(r["action"], r["entity_id"]) for r in json.loads(capsys.readouterr().out)]
    assert ("create", "anna") not in since and ("login", "anna") in since
    assert main(["audit", "--until", "2023-04-21", "--user", "cli", "--format", "json",
                 "--db", _db(s)]) == 0
    assert [(r["action"], r["entity_id"]) for r in json.loads(capsys.readouterr().out)] == [
        ("create", "anna")]
    assert main(["audit", "--action", "login", "--action", "login_failed", "--user", "anna",
                 "--format", "json", "--db", _db(s)]) == 0
    assert sorted(r["action"] for r in json.loads(capsys.readouterr().out)) == [
        "login", "login_failed"]
    assert main(["audit", "--limit", "1", "--db", _db(s)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["id", "at", "username"] and len(table) == 3


def test_audit_bad_date_and_no_store(tmp_path, capsys, sqlite_store):
    try:
        main(["audit", "--since", "igår", "--db", _db(sqlite_store)])
    except SystemExit as exc:
        assert exc.code == 2
    assert "ogiltigt datum 'igår'" in capsys.readouterr().err
    assert main(["audit", "--db", f"sqlite:///{tmp_path / 'tom.db'}"]) == 2
    assert "mapapp init" in capsys.readouterr().err
    future = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert main(["audit", "--since", future, "--format", "csv", "--db", _db(sqlite_store)]) == 0
    assert capsys.readouterr().out.strip() == ""  # nothing, not even a header
