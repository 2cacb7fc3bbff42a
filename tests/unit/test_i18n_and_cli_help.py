"""Both languages everywhere, and --help on every command."""

from __future__ import annotations

import string

import pytest

from mapapp.cli import build_parser, main
from mapapp.i18n import catalogue, t


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_has_swedish_and_english_with_the_same_placeholders():
    cat = catalogue()
    assert len(cat) > 20
    for key, (sv, en) in cat.items():
        assert sv.strip() and en.strip(), key
        assert _fields(sv) == _fields(en), key


def test_swedish_is_the_default():
    assert t("common.yes") == "Ja"
    assert t("common.yes", "en") == "Yes"
    assert t("no.such.key") == "no.such.key"


def _commands(parser, prefix=()):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _commands(sub, (*prefix, name))


def test_every_command_has_help(capsys):
    commands = list(_commands(build_parser()))
    assert ("init",) in commands and ("export",) in commands
    for cmd in commands:
        with pytest.raises(SystemExit) as exc:
            main([*cmd, "--help"])
        assert exc.value.code == 0, cmd
        out = capsys.readouterr().out
        assert "usage: mapapp" in out, cmd
        assert len(out) > 80, cmd


def test_unknown_setting_is_an_error(monkeypatch, capsys):
    monkeypatch.setenv("MAPAPP_DATABSE_URL", "sqlite://")
    assert main(["init"]) == 2
    assert "MAPAPP_DATABSE_URL" in capsys.readouterr().err
