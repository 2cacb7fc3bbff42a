"""Area snapshots for the minutes on SQLite and PostGIS: the DOCX holds the map and the same
figures as the statistics functions (small counts written "<5"), user text stays plain text,
the PNG shows the zone, a reader cannot export, every export is audited with its filter."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document
from PIL import Image
from sqlalchemy import insert, select, update

from mapapp.analysis.stats import period_counts
from mapapp.cli import main
from mapapp.errors import NotFoundError, PermissionDeniedError
from mapapp.settings import load_settings
from mapapp.snapshot import export_snapshot, make_snapshot
from mapapp.snapshot.content import gather
from mapapp.snapshot.staticmap import map_styles
from mapapp.store.audit import events
from mapapp.store.district import sites_frame, zones_frame
from mapapp.store.models import Measure, Zone
from mapapp.store.points import insert_points, load_points
from tests.conftest import ADMIN, COORDINATOR, POLICE, READER

ZONE = "Älvsjö/Solberga"
OTHER = "Liljeholmen"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("x")'
NOTE = "Anteckning som inte ska publiceras"
SETTINGS = load_settings({}, database_url="sqlite://")


def _around(lon: float, lat: float, n: int, rng: np.random.Generator, spread_m: float = 40.0):
    dlat = rng.uniform(-spread_m, spread_m, n) / 111_000
    dlon = rng.uniform(-spread_m, spread_m, n) / (111_000 * np.cos(np.radians(lat)))
    return lon + dlon, lat + dlat


def _seed(engine) -> dict[str, tuple[float, float]]:
    """Incidents and observations around real sites of two zones, in the statistical years
    2019-2020 … 2021-2022, with small counts and a sensitive category."""
    sites = sites_frame(engine)
    centre = sites[sites["name"] == "Älvsjö centrum"].iloc[0]
    other = sites[(sites["zone"] == OTHER) & (sites["kind"] == "centre")].iloc[0]
    rng = np.random.default_rng(7)
    rows: list[dict] = []
    plan = [  # (site, category, statistical year start, count)
        (centre, "narkotikabrott", 2019, 3), (centre, "narkotikabrott", 2020, 7),
        (centre, "narkotikabrott", 2021, 12), (centre, "personran", 2021, 2),
        (centre, "personran", 2020, 6), (centre, "vald_nara_relation", 2021, 6),
        (centre, "bedrageri_aldre", 2021, 1), (other, "stold", 2021, 9),
        (other, "narkotikabrott", 2021, 4),
    ]
    for site, cat, year, n in plan:
        lon, lat = _around(site["lon"], site["lat"], n, rng)
        days = rng.integers(0, 360, n)
        for i in range(n):
            rows.append({"category": cat, "lon": lon[i], "lat": lat[i],
                         "occurred_at": pd.Timestamp(f"{year}-09-05 21:00", tz="Europe/Stockholm")
                         + pd.Timedelta(days=int(days[i]))})
    inc = pd.DataFrame(rows)
    inc["source"] = "test"
    inc["external_id"] = [f"i{i}" for i in range(len(inc))]
    inc["description"] = "polisens text"
    lon, lat = _around(centre["lon"], centre["lat"], 6, rng)
    obs = pd.DataFrame({
        "source": "test", "external_id": [f"o{i}" for i in range(6)],
        "category": ["klotter"] * 5 + ["belysning"],
        "occurred_at": [pd.Timestamp("2022-05-10 20:00", tz="Europe/Stockholm")] * 5
        + [pd.Timestamp("2023-05-02 12:00", tz="Europe/Stockholm")],
        "lon": lon, "lat": lat, "description": [NOTE] * 6, "status": "ny",
    })
    with engine.begin() as conn:
        insert_points(conn, inc, "incident")
        insert_points(conn, obs, "observation")
    return {"centre": (float(centre["lon"]), float(centre["lat"]))}


def _docx_tables(path: Path) -> list[list[list[str]]]:
    doc = Document(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _expected(engine, kind: str, zone: str | None, periods: list[str]) -> dict[str, list[int]]:
    pts = load_points(engine, ADMIN, kind)
    frame = period_counts(pts, zones=zones_frame(engine), zone=zone)
    out: dict[str, list[int]] = {}
    for cat, part in frame.groupby("category"):
        by = dict(zip(part["period"], part["count"], strict=True))
        out[str(cat)] = [int(by.get(p, 0)) for p in periods]
    return out


def _shown(n: int) -> str:
    return "<5" if 0 < n < 5 else str(n)


def test_docx_holds_map_and_the_statistics_figures(store, tmp_path):
    _seed(store)
    out = make_snapshot(store, COORDINATOR, zone=ZONE, period="2021-2022", since=date(2023, 1, 1),
                        out=tmp_path / "lagesbild.docx", settings=SETTINGS)
    doc = Document(str(out))
    assert len(doc.inline_shapes) == 1  # the map picture
    blob = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    png = doc.part.related_parts[blob].blob
    assert Image.open(io.BytesIO(png)).size[0] > 500
    text = "\n".join(p.text for p in doc.paragraphs)
    for heading in ("Lägesbild", "Prioriterade områden, insatser, uppföljning"):
        assert heading in [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert ZONE in text and "2021-2022" in text

    periods = ["2019-2020", "2020-2021", "2021-2022"]
    expected = _expected(store, "incident", ZONE, periods)
    assert expected["narkotikabrott"] == [3, 7, 12]  # the seed is where we think it is
    tables = _docx_tables(out)
    counts = next(t for t in tables if t[0][:4] == ["Kategori", *periods])
    rows = {r[0].rstrip(" *"): r for r in counts[1:]}
    labels = {"narkotikabrott": "Narkotikabrott", "personran": "Personrån",
              "vald_nara_relation": "Våld i nära relation",
              "bedrageri_aldre": "Bedrägeri mot äldre/funktionsnedsatta"}
    for code, label in labels.items():
        assert rows[label][1:4] == [_shown(n) for n in expected[code]], label
    assert rows["Narkotikabrott"][4] == "+5"  # 12 vs 7
    assert rows["Personrån"][4] == ""  # 2 vs 6: a change would give the suppressed count away
    assert rows["Bedrägeri mot äldre/funktionsnedsatta"][3] == "<5"
    # The flagged site with its reason, the measures of the minutes with actor and status.
    flagged = next(t for t in tables if t[0][0] == "Plats" and t[0][-1] == "Skäl")
    assert any(r[0] == "Älvsjö centrum" and "händelser" in r[2] for r in flagged[1:])
    measures = next(t for t in tables if "Ansvarig" in t[0])
    assert any("Tryggare Älvsjö resecentrum" in r for r in measures[1:])
    # Observations since the date: only the one of 2023, without its note.
    obs = next(t for t in tables if t[0][:3] == ["Datum", "Kategori", "Plats"])
    assert [r[:2] for r in obs[1:]] == [["2023-05-02", "Belysning"]]
    assert NOTE not in text and NOTE not in str(tables)


def test_notes_only_when_chosen(store, tmp_path):
    _seed(store)
    out = make_snapshot(store, COORDINATOR, zone=ZONE, period="2021-2022",
                        since=date(2023, 1, 1), out=tmp_path / "n.docx", include_notes=True,
                        settings=SETTINGS)
    assert NOTE in str(_docx_tables(out))


def test_sensitive_points_are_never_on_the_map_even_for_police(store):
    places = _seed(store)
    snap = gather(store, POLICE, zone=ZONE, period="2021-2022", since=date(2023, 1, 1),
                  settings=SETTINGS)
    police = load_points(store, POLICE, "incident")
    sens = police[police["sensitive"]]
    assert len(sens) == 7 and sens["lon"].notna().all()  # police do see them as points
    drawn = set(zip(snap.map.points["lon"].round(7), snap.map.points["lat"].round(7),
                    strict=True))
    assert not drawn & set(zip(sens["lon"].round(7), sens["lat"].round(7), strict=True))
    assert len(snap.map.points) > 0 and places


def test_user_text_stays_plain_text(store, tmp_path):
    _seed(store)
    with store.begin() as conn:
        conn.execute(update(Zone).where(Zone.name == ZONE).values(name=SCRIPT))
        zid = conn.execute(select(Zone.id).where(Zone.name == SCRIPT)).scalar_one()
        now = datetime.now(UTC)
        conn.execute(insert(Measure), [
            {"zone_id": zid, "title": FORMULA, "priority_area": "Skolan som brottsplats",
             "actor": SCRIPT, "status": "planerad", "source": "app", "created_at": now,
             "updated_at": now, "description": ""}])
    docx_path = make_snapshot(store, COORDINATOR, zone=SCRIPT, period="2021-2022", since=None,
                              out=tmp_path / "x.docx", settings=SETTINGS)
    doc = Document(str(docx_path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert FORMULA in cells and SCRIPT in cells
    assert any(SCRIPT in p.text for p in doc.paragraphs)
    xml = zipfile.ZipFile(docx_path).read("word/document.xml").decode("utf-8")
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    for field in ("w:fldSimple", "w:instrText", "w:hyperlink"):
        assert field not in xml

    html_path = make_snapshot(store, COORDINATOR, zone=SCRIPT, period="2021-2022", since=None,
                              out=tmp_path / "x.html", settings=SETTINGS)
    page = html_path.read_text("utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "=HYPERLINK(&quot;x&quot;)" in page
    assert 'src="data:image/png;base64,' in page and "http" not in page.split("<body>")[1]


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def test_png_shows_the_zone(store, tmp_path):
    _seed(store)
    out = make_snapshot(store, COORDINATOR, zone=ZONE, period="2021-2022", since=None,
                        out=tmp_path / "karta.png", dpi=300, settings=SETTINGS)
    img = Image.open(out).convert("RGB")
    assert img.size[0] == pytest.approx(16 / 2.54 * 300, abs=3)
    assert Image.open(out).info["dpi"][0] == pytest.approx(300, abs=1)
    px = np.asarray(img).reshape(-1, 3)
    assert (px != 255).any(axis=1).mean() > 0.05  # not blank
    zone_rgb = np.array(_rgb(map_styles()["zone"].edge))
    outline = (np.abs(px.astype(int) - zone_rgb).sum(axis=1) <= 6).sum()
    assert outline > 2000, outline  # the zone's outline, drawn in its colour


def test_pdf_and_html_hold_the_same_tables(store, tmp_path):
    _seed(store)
    exp = export_snapshot(store, COORDINATOR, zone=ZONE, period="2021-2022", since=None,
                          fmt="pdf", settings=SETTINGS)
    assert exp.data.startswith(b"%PDF") and b"DejaVuSans" in exp.data
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=exp.data, capture_output=True,
                              check=True).stdout.decode("utf-8")
        assert "Lägesbild" in text and "Narkotikabrott" in text and "<5" in text
    html = export_snapshot(store, COORDINATOR, zone=ZONE, period="2021-2022", since=None,
                           fmt="html", settings=SETTINGS).data.decode("utf-8")
    assert "<td>Narkotikabrott</td><td>&lt;5</td><td>7</td><td>12</td>" in html


def test_reader_cannot_export_and_exports_are_audited(store, tmp_path):
    _seed(store)
    with pytest.raises(PermissionDeniedError):
        make_snapshot(store, READER, zone=ZONE, period=None, since=None,
                      out=tmp_path / "x.docx", settings=SETTINGS)
    assert not (tmp_path / "x.docx").exists()
    assert events(store, ADMIN, actions=["export"]).empty
    make_snapshot(store, COORDINATOR, zone=ZONE, period="2021-2022", since=date(2023, 4, 21),
                  out=tmp_path / "x.pdf", settings=SETTINGS)
    ev = events(store, ADMIN, actions=["export"])
    assert len(ev) == 1
    row = ev.iloc[0]
    assert (row["username"], row["entity"], row["entity_id"]) == ("samordnare1", "snapshot", ZONE)
    assert row["detail"]["format"] == "pdf" and row["detail"]["file"] == "x.pdf"
    assert row["detail"]["filter"] == {"zone": ZONE, "period": "2021-2022",
                                       "since": "2023-04-21", "include_notes": False,
                                       "suppress_below": 5}


def test_whole_district_and_default_period(store):
    _seed(store)
    default = gather(store, COORDINATOR, zone=None, period=None, since=None, settings=SETTINGS)
    # The latest complete period: the crimes end in August 2022 (the one observation of
    # 2023-05-02 does not make 2022-2023 complete).
    assert default.zone is None and default.period == "2021-2022"
    snap = gather(store, COORDINATOR, zone=None, period="2022-2023", since=None,
                  settings=SETTINGS)
    inc = next(t for t in snap.counts if t.headers[1:4] == snap.periods)
    rows = {r[0]: r for r in inc.rows}
    assert rows["Narkotikabrott"][1:4] == ["7", "16", "0"]  # 12 + 4 in 2021-2022
    same = gather(store, COORDINATOR, zone=None, period="2022–2023", since=None,
                  settings=SETTINGS)  # written with an en dash, as in the minutes
    assert same.counts[0].rows == inc.rows
    with pytest.raises(NotFoundError, match="Liljeholmen"):
        gather(store, COORDINATOR, zone="Ingenstans", period=None, since=None,
               settings=SETTINGS)


def test_cli_snapshot(sqlite_store, tmp_path, capsys):
    _seed(sqlite_store)
    db = sqlite_store.url.render_as_string(hide_password=False)
    assert main(["snapshot", "--db", db, "--zone", "Ingenstans", "--out",
                 str(tmp_path / "x.docx")]) == 2
    err = capsys.readouterr().err
    assert "Ingenstans" in err and ZONE in err and OTHER in err
    out = tmp_path / "cli.docx"
    assert main(["snapshot", "--db", db, "--zone", "älvsjö/solberga", "--period", "2021-2022",
                 "--since", "2023-01-01", "--out", str(out)]) == 0
    assert out.exists() and len(Document(str(out)).inline_shapes) == 1
    assert main(["snapshot", "--db", db, "--out", str(tmp_path / "x.txt")]) == 2


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed: the DOCX -> PDF conversion "
                           "of the acceptance cannot run here (apt: libreoffice-writer-nogui)")
def test_docx_converts_with_libreoffice(sqlite_store, tmp_path):
    _seed(sqlite_store)
    out = make_snapshot(sqlite_store, COORDINATOR, zone=ZONE, period="2021-2022", since=None,
                        out=tmp_path / "lagesbild.docx", settings=SETTINGS)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "lagesbild.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              check=True).stdout.decode("utf-8")
        assert "Lägesbild" in text and "Narkotikabrott" in text


def test_statistics_tables_are_included_and_suppressed(store, tmp_path):
    from mapapp.io.statistics import import_statistics

    _seed(store)
    csv = tmp_path / "anmalda_brott.csv"
    csv.write_text("område;kategori;2019–2020;2020–2021;2021–2022\n"
                   "Hägersten-Älvsjö;Narkotikabrott;581;604;3\n"
                   "Bromma;Narkotikabrott;300;12;2\n", encoding="utf-8")
    import_statistics(store, ADMIN, csv, source="Polisen", extracted="2022-10-01")
    snap = gather(store, COORDINATOR, zone=None, period="2021-2022", since=None,
                  settings=SETTINGS)
    assert len(snap.statistics) == 1
    table = snap.statistics[0]
    assert table.headers == ["Område", "Kategori", "2019-2020", "2020-2021", "2021-2022"]
    assert table.rows == [["Hägersten-Älvsjö", "Narkotikabrott", "581", "604", "<5"],
                          ["Bromma", "Narkotikabrott", "300", "12", "<5"]]
    assert "Polisen" in table.notes[0]
    zone_snap = gather(store, COORDINATOR, zone=ZONE, period="2021-2022", since=None,
                       settings=SETTINGS)
    assert zone_snap.statistics == []  # the district's table is not the zone's


def test_district_counts_from_the_database_equal_the_points_in_a_stadsdel(store):
    """The snapshot's counts come from the database's day counts; they equal period_counts of
    the points themselves: every point in a stadsdel, a point kept outside the district left
    out, a row without local_day (written before migration 0002) counted on its local day."""
    from sqlalchemy import text

    centre = _seed(store)["centre"]
    extra = pd.DataFrame({
        "source": "test", "external_id": ["far", "late"], "category": "narkotikabrott",
        "occurred_at": [pd.Timestamp("2021-12-01 12:00", tz="Europe/Stockholm"),
                        pd.Timestamp("2021-09-01 00:30", tz="Europe/Stockholm")],
        "lon": [17.60, centre[0]], "lat": [59.60, centre[1]]})  # far outside; at a year's edge
    with store.begin() as conn:
        insert_points(conn, extra, "incident")
        conn.execute(text("UPDATE incidents SET local_day = NULL WHERE external_id = 'late'"))
    snap = gather(store, COORDINATOR, zone=None, period="2021-2022", since=None,
                  settings=SETTINGS)
    pts = load_points(store, ADMIN, "incident")
    assert pts.loc[pts["external_id"] == "far", "stadsdel"].isna().all()
    inside = pts[pts["stadsdel"].notna()]
    frame = period_counts(inside, zones=zones_frame(store))
    want = frame.groupby(["category", "period"])["count"].sum()
    inc = next(t for t in snap.counts if t.headers[1:4] == snap.periods)
    rows = {r[0].rstrip(" *"): r for r in inc.rows}
    got = [rows["Narkotikabrott"][1 + i] for i in range(3)]
    assert got == [_shown(int(want.get(("narkotikabrott", p), 0))) for p in snap.periods]
    late = pts[pts["external_id"] == "late"]
    assert len(late) == 1, late
    assert got[2] == "17", (late.iloc[0].to_dict(), want)  # 12 + 4 + the late one, not the far one
