"""The law's lägesbild and åtgärdsplan (`mapapp lagesbild`): the document has a Lägesbild and an
Åtgärdsplan, names every zone and every measure, and its figures equal `mapapp stats` (counts
below 5 written "<5", the assessment words those of the tested change)."""

from __future__ import annotations

import json
import subprocess

from docx import Document
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from mapapp.cli import main
from mapapp.demo import load_demo
from mapapp.measures import measures_frame
from mapapp.store.district import zones_frame
from tests.conftest import ADMIN

TREND = {"increase": "ökning", "decrease": "minskning",
         "stable": "oförändrat inom normal variation"}


def _blocks(path):  # type: ignore[no-untyped-def]
    """(heading text, table) pairs in document order."""
    doc = Document(str(path))
    out, heading = [], None
    for el in doc.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(el, doc)
            if p.style is not None and p.style.name.startswith(("Heading", "Title")):
                heading = p.text
        elif tag == "tbl":
            out.append((heading, DocxTable(el, doc)))
    return doc, out


def test_lagesbild_names_every_zone_and_measure_and_equals_stats(store, tmp_path, capsys):
    load_demo(store, ADMIN, incidents=1500, observations=150, seed=5)
    db = store.url.render_as_string(hide_password=False)
    out = tmp_path / "lagesbild.docx"
    assert main(["lagesbild", "--db", db, "--out", str(out)]) == 0
    assert "Skrev" in capsys.readouterr().out
    doc, tables = _blocks(out)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "1. Lägesbild" in text and "3. Åtgärdsplan" in text and "4. Revidering" in text
    everything = text + "\n".join(c.text for _, tb in tables for r in tb.rows for c in r.cells)
    zones = [str(z) for z in zones_frame(store)["name"]]
    for z in zones:
        assert z in everything
    for title in measures_frame(store, ADMIN)["title"]:
        assert str(title) in everything

    assert main(["stats", "--db", db, "--format", "json"]) == 0
    recs = {(r["zone"], r["category"], r["period"]): r
            for r in json.loads(capsys.readouterr().out)}
    checked = 0
    for heading, tb in tables:
        if not heading or not heading.endswith(": anmälda brott"):
            continue
        zone = heading.removesuffix(": anmälda brott")
        head = [c.text for c in tb.rows[0].cells]
        periods = head[1:4]
        assert len(periods) == 3 and all(p[:4].isdigit() for p in periods)
        from mapapp.categories import INCIDENT_CATEGORIES
        codes = {c.label(lang="sv"): c.code for c in INCIDENT_CATEGORIES}
        for row in tb.rows[1:]:
            cells = [c.text for c in row.cells]
            code = codes[cells[0].removesuffix(" *")]
            for p, cell in zip(periods, cells[1:4], strict=True):
                n = recs[(zone, code, p)]["count"] if (zone, code, p) in recs else 0
                assert cell == ("<5" if 0 < n < 5 else str(n)), (zone, code, p, cell, n)
                checked += 1
            last = recs.get((zone, code, periods[-1]))
            if last is not None and last["trend"] is not None:
                assert cells[-1].endswith(TREND[last["trend"]])
                assert cells[-1].startswith(("↑", "↓")) == last["significant"]
    assert checked >= len(zones) * 5 * 3  # the five council categories at least, per zone


def test_lagesbild_as_pdf_and_a_bad_suffix(sqlite_store, tmp_path, capsys):
    load_demo(sqlite_store, ADMIN, incidents=600, observations=60, seed=2)
    db = sqlite_store.url.render_as_string(hide_password=False)
    pdf = tmp_path / "lb.pdf"
    assert main(["lagesbild", "--db", db, "--out", str(pdf)]) == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Lägesbild" in text and "Åtgärdsplan" in text and "Liljeholmen" in text
    assert main(["lagesbild", "--db", db, "--out", str(tmp_path / "lb.html")]) == 2
    assert ".docx eller .pdf" in capsys.readouterr().err


def test_snapshot_counts_carry_the_tested_change_of_mapapp_stats(sqlite_store, capsys):
    from mapapp.snapshot.content import gather

    load_demo(sqlite_store, ADMIN, incidents=1500, observations=150, seed=4)
    db = sqlite_store.url.render_as_string(hide_password=False)
    assert main(["stats", "--db", db, "--format", "json", "--zone", "Liljeholmen"]) == 0
    recs = {(r["category"], r["period"]): r for r in json.loads(capsys.readouterr().out)}
    snap = gather(sqlite_store, ADMIN, zone="Liljeholmen", period="2022-2023")
    table = snap.counts[0]
    assert table.headers[-1] == "Bedömning"
    from mapapp.categories import INCIDENT_CATEGORIES
    codes = {c.label(lang="sv"): c.code for c in INCIDENT_CATEGORIES}
    seen = 0
    for row in table.rows:
        r = recs.get((codes[row[0].removesuffix(" *")], "2022-2023"))
        if r is None or r["trend"] is None:
            continue
        assert row[-1].endswith(TREND[r["trend"]])
        assert row[-1].startswith(("↑", "↓")) == r["significant"]
        if r["count"] >= 5 and r["previous"] >= 5:
            assert row[-3] == (f"+{r['change']}" if r["change"] > 0 else
                               str(r["change"]).replace("-", "−"))
        seen += 1
    assert seen >= 5


def test_snapshot_measures_show_the_wdd_verdict_of_before_after(sqlite_store, capsys):
    from mapapp.snapshot.content import gather

    load_demo(sqlite_store, ADMIN, incidents=1500, observations=150, seed=4)
    db = sqlite_store.url.render_as_string(hide_password=False)
    ms = measures_frame(sqlite_store, ADMIN)
    with_start = ms[ms["start"].notna() & (ms["zone"] == "Liljeholmen")]
    assert len(with_start)
    snap = gather(sqlite_store, ADMIN, zone="Liljeholmen", period="2022-2023")
    assert snap.measures.headers[-1] == "Effekt (WDD)"
    by_title = {r[1]: r[-1] for r in snap.measures.rows}
    for m in with_start.to_dict("records"):
        assert main(["measures", "before-after", str(m["id"]), "--db", db, "--format",
                     "json"]) == 0
        r = json.loads(capsys.readouterr().out)
        assert by_title[m["title"]] == r["verdict_text"] != ""


def test_snapshot_default_period_is_the_latest_complete_one(store):
    """Data only to December 2023: the snapshot opens on 2022-2023, not on 2023-2024."""
    import pandas as pd

    from mapapp.settings import load_settings
    from mapapp.snapshot.source import latest_period
    from mapapp.store.points import insert_points

    zones = zones_frame(store)
    p = zones.geometry.iloc[0].representative_point()
    times = pd.date_range("2022-06-01", "2023-12-20", freq="7D", tz="Europe/Stockholm")
    frame = pd.DataFrame({"source": "t", "external_id": [f"x{i}" for i in range(len(times))],
                          "category": "stold", "lon": p.x, "lat": p.y,
                          "occurred_at": times.tz_convert("UTC")})
    with store.begin() as conn:
        insert_points(conn, frame, "incident")
    assert latest_period(store, load_settings({})).label == "2022-2023"
    with store.begin() as conn:
        insert_points(conn, frame.iloc[:1].assign(
            external_id="late", occurred_at=pd.Timestamp("2024-08-31 12:00", tz="UTC")),
            "incident")
    assert latest_period(store, load_settings({})).label == "2023-2024"
