"""Logging (mapapp.logs): configured in one place, JSON on request, every caught-and-survived
exception logged with its traceback frames -- and never the exception's message, which may
quote what a user typed."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mapapp import logs
from mapapp.errors import ConfigurationError
from mapapp.settings import load_settings

NOTE = "Grannen Anna Svensson 19880101-1234 bor här"  # what must never reach a log


@pytest.fixture
def captured():
    buf = io.StringIO()
    logs.configure("DEBUG", "text", stream=buf)
    yield buf
    logs.configure()  # back to the environment's level, stderr


def test_json_lines_with_the_traceback_and_no_message(captured):
    buf = io.StringIO()
    logs.configure("INFO", "json", stream=buf)
    log = logging.getLogger("mapapp.test")
    log.debug("not at INFO")
    try:
        raise ValueError(NOTE)
    except ValueError as exc:
        logs.survived(log, exc, "saving observation %s failed", 12)
    log.info("pnr %s typed", "19880101-1234")
    lines = [json.loads(x) for x in buf.getvalue().splitlines()]
    assert [x["level"] for x in lines] == ["WARNING", "INFO"]
    first = lines[0]
    assert first["logger"] == "mapapp.test"
    assert first["message"].startswith("saving observation 12 failed (ValueError)")
    assert "Traceback (most recent call last)" in first["message"]
    assert "test_logs.py" in first["message"]  # the frames are there
    assert "Anna" not in buf.getvalue() and "19880101-1234" not in buf.getvalue()
    assert lines[1]["message"] == "pnr [personnummer] typed"


def test_a_message_key_is_logged_a_rendered_text_is_not(captured):
    from mapapp.errors import NotFoundError, StoreError

    log = logging.getLogger("mapapp.test")
    logs.survived(log, NotFoundError("zone.not_found", name=NOTE, known="A"), "lookup")
    logs.survived(log, StoreError(f"free text {NOTE}"), "write")
    out = captured.getvalue()
    assert "lookup (NotFoundError [zone.not_found])" in out and "write (StoreError)" in out
    assert "Anna" not in out


def test_level_and_format_are_settings():
    assert load_settings({"MAPAPP_LOG_LEVEL": "debug", "MAPAPP_LOG_FORMAT": "json"}).log_level == "debug"
    with pytest.raises(ConfigurationError):
        load_settings({"MAPAPP_LOG_LEVEL": "LOUD"})
    with pytest.raises(ConfigurationError):
        load_settings({"MAPAPP_LOG_FORMAT": "xml"})


def test_the_static_maps_style_loader_logs_what_it_survives(captured, monkeypatch):
    import mapapp.render as render
    from mapapp.snapshot.staticmap import map_styles

    def broken() -> list[object]:
        raise RuntimeError("layers/zones.py is broken")

    monkeypatch.setattr(render, "layer_specs", broken)
    looks = map_styles(lang="sv")
    assert looks  # drawn with the defaults
    out = captured.getvalue()
    assert "WARNING mapapp.snapshot.staticmap: layer specs unreadable" in out
    assert "(RuntimeError)" in out and "Traceback (most recent call last)" in out
    assert "staticmap.py" in out


def test_the_walk_draft_writer_logs_what_it_survives(captured, monkeypatch):
    import streamlit as st

    from mapapp import walks
    from mapapp.access import Principal, Role
    from mapapp.ui import context as ctx
    from mapapp.ui import vandring_form

    def failing(*_a: object, **_k: object) -> None:
        raise OSError(f"disk full while writing {NOTE}")

    monkeypatch.setattr(walks, "save_draft", failing)
    monkeypatch.setattr(ctx, "get_engine", lambda: None)
    form = vandring_form._new_form()
    form["note"] = NOTE
    vandring_form._keep_draft(Principal("vandrare1", Role.VANDRARE, team="lag-a"), 7, form)
    assert st.session_state["vf_draftsig_7"] is None  # tried again on the next change
    out = captured.getvalue()
    assert "walk draft not written (user vandrare1, walk 7)" in out
    assert "(OSError)" in out and "vandring_form.py" in out
    assert "Anna" not in out and "1234" not in out


def test_the_cli_logs_as_the_environment_says(tmp_path: Path):
    """A refused command at MAPAPP_LOG_LEVEL=INFO, MAPAPP_LOG_FORMAT=json: one JSON object a
    line on stderr, after the user's message."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPAPP_")}
    env.update(MAPAPP_LOG_LEVEL="INFO", MAPAPP_LOG_FORMAT="json", MAPAPP_LANG="en")
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "mapapp"), "stats", "--db",
         f"sqlite:///{tmp_path / 'empty.db'}"], env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    records = [json.loads(x) for x in lines if x.startswith("{")]
    assert any(r["level"] == "INFO" and "mapapp stats refused (StoreError" in r["message"]
               and "cli/analysis.py" in r["message"] for r in records), proc.stderr
    assert not any("no tables" in r["message"] for r in records)  # the message stays out
    assert any("mapapp init" in x for x in lines if not x.startswith("{"))
    quiet = subprocess.run(
        [str(Path(sys.executable).parent / "mapapp"), "stats", "--db",
         f"sqlite:///{tmp_path / 'empty2.db'}"],
        env={k: v for k, v in env.items() if not k.startswith("MAPAPP_LOG")},
        capture_output=True, text=True)
    assert quiet.returncode == 2 and "{" not in quiet.stderr  # WARNING by default: no INFO
