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
    files = {  # name -> content, each a file that must be refused
        "bad.csv": "a,b\n1,2\n",
        "tabell.csv": "kategori,period,antal\nNarkotikabrott,2021,12\n",
        "rader.csv": "kategori;tidpunkt;lat;lon\nfoo;2024-13-05;abc;18.0\n",
        "utan_rubrik.csv": ",tidpunkt,lat,lon\nstold,2024-03-05,59.30,18.00\n",
        "trasig.geojson": '{"type": "FeatureCollection"',
        "utan_typ.geojson": '{"features": []}',
        "lager.zip": "not a zip file",
        "tabell.xlsx": "not a workbook",
        "polisen.json": '[{"id": 1, "name": "1 maj 10.00, Stöld, Stockholm"}]',
    }
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
    bad, table, rows, headless = (tmp / n for n in ("bad.csv", "tabell.csv", "rader.csv",
                                                    "utan_rubrik.csv"))
    geojson, typeless, not_zip, not_xlsx, police = (
        tmp / n for n in ("trasig.geojson", "utan_typ.geojson", "lager.zip", "tabell.xlsx",
                          "polisen.json"))
    xlsx_table = tmp / "statistik.xlsx"
    _workbook(xlsx_table, [["kategori", "2021", "2022"], ["Narkotikabrott", 12, 14]])
    out = str(tmp / "ut.docx")
    return {
        "unknown period": (["hotspots", "--period", "2021-20x"], "Unknown period: 2021-20x"),
        "unknown period of the grid": (["hotspots", "--kind", "grid", "--period", "2021-W60"],
                                       "Unknown period: 2021-W60"),
        "unknown period of the lägesbild": (["lagesbild", "--out", out, "--period", "20x"],
                                            "Unknown period: 20x"),
        "unknown week": (["week", "--week", "2021-W60"], "Unknown week: 2021-W60"),
        "unknown zone": (["stats", "--zone", "Nowhere"], "Unknown zone: Nowhere"),
        "unknown zone of a snapshot": (["snapshot", "--zone", "Nowhere", "--out", out],
                                       "Unknown zone: Nowhere"),
        "unknown zone of a new measure": (["measures", "add", "--zone", "Nowhere", "--title",
                                           "Belysning"], "Unknown zone: Nowhere"),
        "bad import file": (["import", "incidents", str(bad)], "The column category is missing"),
        "bad rows": (["import", "incidents", str(rows)],
                     "row 2: lat 'abc' is not a number"),
        "a header-less column named in English": (["import", "incidents", str(headless)],
                                                  "Columns in the file: column A"),
        "unreadable GeoJSON": (["import", "zones", str(geojson)],
                               "The file cannot be read as GeoJSON"),
        "GeoJSON without a type": (["import", "zones", str(typeless)],
                                   "not a GeoJSON object"),
        "not a zip": (["import", "incidents", str(not_zip)], "The zip file cannot be read"),
        "not a workbook": (["import", "incidents", str(not_xlsx)],
                           "The file cannot be read as XLSX"),
        "police events without fields": (["import", "incidents", str(police)],
                                         "the field datetime is missing or empty"),
        "no such import file": (["import", "observations", str(tmp / "nowhere.csv")],
                                "The file does not exist"),
        "no such survey file": (["trygghet", "import", str(tmp / "nowhere.csv")],
                                "The file does not exist"),
        "no such recipients file": (["survey", "recipients", "1", str(tmp / "nowhere.csv")],
                                    "The file does not exist"),
        "an export into a missing folder": (["export", str(tmp / "nowhere" / "lager.gpkg")],
                                            "The folder"),
        "unknown measure": (["measures", "show", "999"], "Measure 999 does not exist"),
        "unknown measure to change": (["measures", "update", "999", "--status", "klar"],
                                      "Measure 999 does not exist"),
        "unknown measure to note": (["measures", "note", "999", "hej"],
                                    "Measure 999 does not exist"),
        "unknown walk": (["walks", "followup", "999", "--out", str(tmp / "f.docx")],
                         "Walk 999 does not exist"),
        "statistics table without an area": (["import", "statistics", str(table)],
                                             "The table has no area column"),
        "statistics workbook without an area": (["import", "statistics", str(xlsx_table)],
                                                "The table has no area column"),
    }


def _workbook(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)


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


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_an_import_with_skipped_rows_speaks_the_users_language(sqlite_store, tmp_path, capsys,
                                                               monkeypatch, lang):
    """Not a refusal, but what the same user reads next: the summary, the skipped rows'
    reasons and the rejects file, all in the language asked for."""
    monkeypatch.delenv("MAPAPP_LANG", raising=False)
    rows = tmp_path / "rader.csv"
    rows.write_text("kategori;tidpunkt;lat;lon\nstold;2024-03-05;59.30;18.00\n"
                    "foo;2024-03-05;59.30;18.00\n", encoding="utf-8")
    assert main(["import", "incidents", str(rows), "--skip-invalid", "--no-progress",
                 "--db", _url(sqlite_store), "--lang", lang]) == 0
    out = capsys.readouterr()
    rejects = (tmp_path / "rader-avvisade.csv").read_text("utf-8-sig").splitlines()
    if lang == "en":
        assert out.out.startswith("Incidents: 2 rows read, 1 saved, 0 already there, 1 rejected")
        assert "row 3: unknown category 'foo' – use one of: narkotikabrott (Drug offences)" \
            in out.err
        assert rejects[0] == "row,kategori,tidpunkt,lat,lon,reason"
        assert "row 3: unknown category 'foo'" in rejects[1]
    else:
        assert out.out.startswith("Händelser: 2 rader lästa, 1 sparade, 0 fanns redan, "
                                  "1 avvisade")
        assert "rad 3: okänd kategori 'foo' – använd en av: narkotikabrott (Narkotikabrott)" \
            in out.err
        assert rejects[0] == "rad;kategori;tidpunkt;lat;lon;fel"
        assert "rad 3: okänd kategori 'foo'" in rejects[1]
    assert "Traceback" not in out.err
