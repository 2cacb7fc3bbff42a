"""Every refusal of the command line in English with ``--lang en`` or ``MAPAPP_LANG=en``:
the message rendered from its key in English (no Swedish text leaks), no traceback, exit 2.
Each case also runs in Swedish, so a message that stayed the same in both languages (a text
made before the language was known) fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapapp.cli import main

# Words that only a Swedish message holds.
SWEDISH = ("Okänd", "okänd", "saknas", "finns inte", "Skriv", "Kolumnen", "Tabellen")


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (arguments, an English phrase the refusal must hold)."""
    bad = tmp / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    table = tmp / "tabell.csv"
    table.write_text("kategori,period,antal\nNarkotikabrott,2021,12\n", encoding="utf-8")
    return {
        "unknown period": (["hotspots", "--period", "2021-20x"], "Unknown period: 2021-20x"),
        "unknown zone": (["stats", "--zone", "Nowhere"], "Unknown zone: Nowhere"),
        "bad import file": (["import", "incidents", str(bad)], "The column category is missing"),
        "unknown measure": (["measures", "show", "999"], "Measure 999 does not exist"),
        "unknown walk": (["walks", "followup", "999", "--out", str(tmp / "f.docx")],
                         "Walk 999 does not exist"),
        "statistics table without an area": (["import", "statistics", str(table)],
                                             "The table has no area column"),
        "unknown zone of a snapshot": (["snapshot", "--zone", "Nowhere", "--out",
                                        str(tmp / "s.docx")], "Unknown zone: Nowhere"),
    }


@pytest.mark.parametrize("how", ["--lang", "MAPAPP_LANG"])
def test_every_refusal_is_english_without_a_traceback(sqlite_store, tmp_path, capsys,
                                                       monkeypatch, how):
    for name, (args, phrase) in _cases(tmp_path).items():
        argv = [*args, "--db", _url(sqlite_store)]
        if how == "--lang":
            monkeypatch.delenv("MAPAPP_LANG", raising=False)
            argv += ["--lang", "en"]
        else:
            monkeypatch.setenv("MAPAPP_LANG", "en")
        assert main(argv) == 2, name
        out = capsys.readouterr()
        assert phrase in out.err, (name, out.err)
        assert "Traceback" not in out.err and not any(w in out.err for w in SWEDISH), \
            (name, out.err)
        # The same refusal in Swedish is another text: it was rendered from a key.
        monkeypatch.setenv("MAPAPP_LANG", "sv")
        assert main([*args, "--db", _url(sqlite_store), "--lang", "sv"]) == 2, name
        swedish = capsys.readouterr().err
        assert swedish and phrase not in swedish and "Traceback" not in swedish, (name, swedish)
