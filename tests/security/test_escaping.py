"""Hostile text never reaches a page or a spreadsheet as code.

Scripts hidden in zone, site, stadsdel and measure names, in observation notes and in a
lägesbild are stored the way an import or a form would store them; then the map HTML that
:mod:`mapapp.render` builds for the Karta page (and the snapshot HTML) is searched: every
payload must be there only in escaped form. CSV cells from ``mapapp audit --format csv``, the
admin page's audit download and the importer's rejects file must open as text.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import update

from mapapp import measures as ms
from mapapp.access import Perm, Principal
from mapapp.analysis.grid import build_grid
from mapapp.auth import authenticate
from mapapp.cli import main
from mapapp.measures import revision_flags
from mapapp.render import layer_specs
from mapapp.render.build import build_map
from mapapp.render.data import MapFilter, PointIndex, available_periods
from mapapp.render.view import Inputs, compute_view
from mapapp.settings import load_settings
from mapapp.store.audit import events
from mapapp.store.district import sites_frame, stadsdelar_frame, zones_frame
from mapapp.store.engine import bump_data_version
from mapapp.store.models import Site, Stadsdel, Zone
from mapapp.store.points import insert_points, load_points
from mapapp.textsafe import html_text
from tests.conftest import ADMIN, COORDINATOR, POLICE, READER

MARK = "alert(1)"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "`;alert(1);//",
    "${alert(1)}",
    "</script><script>alert(1)</script>",
    "\"><svg onload=alert(1)>",
    "'-alert(1)-'",
]
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)", "\t=1+1", "\r=1+1"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _measure(zone: str, title: str, site: str | None = None) -> dict:
    return {"zone": zone, "site": site, "title": title, "description": title,
            "priority_area": "Riktat arbete mot avgränsade platser och utsatta områden",
            "actor": "Trafikkontoret", "status": "planerad", "start": "2022-10-01",
            "due": "2023-01-31"}


@pytest.fixture
def hostile(sqlite_store):
    """The district with a payload in every name and text that reaches the map."""
    s = sqlite_store
    zones = zones_frame(s)
    sites = sites_frame(s)
    # measures first (they name their zone and site), then the names turn hostile
    site_rows = sites[sites["zone"].notna()].drop_duplicates("zone").head(len(PAYLOADS))
    for i, p in enumerate(PAYLOADS):
        z = zones.iloc[i % len(zones)]
        ms.add_measure(s, COORDINATOR, **_measure(str(z["name"]), f"Åtgärd {i} {p}"))
    for _, r in site_rows.iterrows():
        ms.add_measure(s, COORDINATOR, **_measure(str(r["zone"]), "Kameror", str(r["name"])))
    with s.begin() as conn:
        for i, zid in enumerate(zones["id"]):
            p = PAYLOADS[i % len(PAYLOADS)]
            conn.execute(update(Zone).where(Zone.id == int(zid)).values(
                name=f"Zon {i} {p}", lagesbild=f"Lägesbild {p}"))
        for i, sid in enumerate(site_rows["id"]):
            conn.execute(update(Site).where(Site.id == int(sid)).values(
                name=f"Plats {i} {PAYLOADS[i % len(PAYLOADS)]}"))
        sd = stadsdelar_frame(s)
        conn.execute(update(Stadsdel).where(Stadsdel.id == int(sd["id"].iloc[0])).values(
            name=f"Stadsdel {PAYLOADS[0]}"))
        bump_data_version(conn)
    # points around the hostile sites, in one statistical year, with hostile notes
    pts = site_rows.reset_index(drop=True)
    n = 60
    frame = pd.DataFrame({
        "source": "test", "external_id": [f"p{i}" for i in range(n)],
        "category": ["skadegorelse", "vald_nara_relation", "stold"] * (n // 3),
        "occurred_at": pd.Timestamp("2022-03-01 21:00", tz="Europe/Stockholm"),
        "lon": [float(pts.geometry.iloc[i % len(pts)].x) for i in range(n)],
        "lat": [float(pts.geometry.iloc[i % len(pts)].y) for i in range(n)],
        "description": [PAYLOADS[i % len(PAYLOADS)] for i in range(n)],
    })
    with s.begin() as conn:
        insert_points(conn, frame, "incident")
        insert_points(conn, frame.assign(category="klotter", status="ny", team="lag-a"),
                      "observation")
    return s


def map_html(engine, who: Principal, lang: str = "sv") -> str:
    """The Karta page's map for ``who``, built the way the page builds it."""
    settings = load_settings(environ={})
    zones, sd, sites = zones_frame(engine), stadsdelar_frame(engine), sites_frame(engine)
    import shapely

    grid = build_grid(shapely.union_all(sd.geometry.to_numpy()), cell_size_m=250)
    inc, obs = load_points(engine, who, "incident"), load_points(engine, who, "observation")
    today = date(2023, 4, 21)
    inputs = Inputs(
        incidents=inc, incident_index=PointIndex.build(inc, grid), observations=obs,
        observation_index=PointIndex.build(obs, grid), zones=zones, stadsdelar=sd, sites=sites,
        grid=grid, periods=available_periods(inc, "statistical"),
        measures=ms.measures_frame(engine, who, today=today),
        revision=revision_flags(zones, today),
        can_see_sensitive=who.can(Perm.VIEW_SENSITIVE_POINTS))
    view = compute_view(inputs, MapFilter(), settings, lang=lang, today=today)
    m = build_map(view.specs(layer_specs()), view.data, lang=lang, basemap="none",
                  bounds=tuple(float(v) for v in sd.total_bounds), base_outlines=sd,
                  notes=view.notes)
    return m.get_root().render()


def js_decoded(text: str) -> str:
    """``text`` with the escapes of JSON/JS string literals resolved (``\\u003c`` -> ``<``,
    ``\\/`` -> ``/``, ``\\"`` -> ``"``): what a script would hand to ``innerHTML``."""
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\\/", "/").replace('\\"', '"').replace("\\'", "'")


def assert_only_escaped(text: str, where: str) -> None:
    """Every ``alert(1)`` in ``text`` (also inside script string literals) sits inside a
    payload escaped once with :func:`html_text`; no payload is there raw."""
    for p in PAYLOADS:
        assert p not in text, f"{where}: raw payload {p!r}"
    for form, label in ((js_decoded(text), "inside scripts"),):
        for p in PAYLOADS:
            assert p not in form, f"{where} ({label}): raw payload {p!r}"
        escaped = [html_text(p) for p in PAYLOADS]
        spans = [(m.start(), m.end()) for e in escaped
                 for m in re.finditer(re.escape(e), form)]
        hits = [m.start() for m in re.finditer(re.escape(MARK), form)]
        assert hits, f"{where}: the payloads did not reach it at all (nothing was tested)"
        for pos in hits:
            assert any(a <= pos < b for a, b in spans), (
                f"{where} ({label}): alert(1) outside an escaped payload: "
                f"…{form[max(0, pos - 60):pos + 20]}…")


@pytest.mark.parametrize("who", [READER, POLICE], ids=lambda p: p.role)
def test_map_html_shows_hostile_names_only_escaped(hostile, who):
    html = map_html(hostile, who)
    assert_only_escaped(html, "map HTML")
    # … and they are there, as text a user can read
    assert html_text("Zon 0 <script>alert(1)</script>") in html
    assert html_text("Åtgärd 2 `;alert(1);//") in html
    assert html_text("Plats 0 <script>alert(1)</script>") in html
    # no <script> element other than the map's own (folium's and the app's)
    scripts = re.findall(r"<script[^>]*>", html)
    assert all(s in ("<script>", '<script type="text/javascript">') or "src=" in s
               for s in scripts), scripts


def test_map_html_in_english_too(hostile):
    assert_only_escaped(map_html(hostile, READER, "en"), "map HTML (en)")


def test_snapshot_html_with_notes_escapes_them(hostile, tmp_path: Path):
    from mapapp.snapshot import make_snapshot

    out = make_snapshot(hostile, COORDINATOR, zone=None, period="2021-2022",
                        since=date(2022, 1, 1), out=tmp_path / "s.html", include_notes=True,
                        dpi=60)
    html = out.read_text("utf-8")
    assert_only_escaped(html, "snapshot HTML")


# --- CSV cells open as text ---------------------------------------------------------------------

def _cells(text: str, delimiter: str = ",") -> list[str]:
    return [c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row]


def _assert_text_cells(cells: list[str], where: str) -> None:
    bad = [c for c in cells if c.startswith(FORMULA_START)]
    assert not bad, f"{where}: cells a spreadsheet would run: {bad}"


def test_audit_csv_from_the_cli_is_formula_safe(sqlite_store, capsys):
    for name in FORMULAS:
        assert authenticate(sqlite_store, name, "x" * 12) is None
    db = sqlite_store.url.render_as_string(hide_password=False)
    assert main(["audit", "--format", "csv", "--action", "login_failed", "--db", db]) == 0
    text = capsys.readouterr().out
    cells = _cells(text)
    _assert_text_cells(cells, "mapapp audit --format csv")
    for name in FORMULAS:  # still readable: the same text after the apostrophe
        assert "'" + name in cells or ("'" + name.replace("\r", "\n")) in cells, name


def test_audit_table_output_shows_control_characters_visibly(sqlite_store, capsys):
    authenticate(sqlite_store, "evil\x1b[2J\x1b]0;pwned\x07", "x" * 12)
    db = sqlite_store.url.render_as_string(hide_password=False)
    assert main(["audit", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b[2J" in out


def test_audit_csv_of_the_admin_page_is_formula_safe(sqlite_store):
    from mapapp.ui.pages.admin import audit_csv

    for name in FORMULAS:
        authenticate(sqlite_store, name, "x" * 12)
    text = audit_csv(events(sqlite_store, ADMIN))
    _assert_text_cells(_cells(text), "admin page audit CSV")


def test_importer_rejects_csv_is_formula_safe(sqlite_store, tmp_path: Path):
    from mapapp.io.pipeline import import_file
    from mapapp.io.report import ImportOptions

    src = tmp_path / "anmalningar.csv"
    rows = [["id", "kategori", "tidpunkt", "lat", "lon", "beskrivning", FORMULAS[0]],
            ["a1", "stold", "2022-03-01 21:00", "59.3105", "18.0227", "ok", "x"]]
    for i, f in enumerate(FORMULAS):
        # every bad row has a formula in a cell the rejects file copies back
        rows.append([f"b{i}", f, "2022-03-01 21:00", "59.3105", "18.0227", f, f])
    with src.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    rejects = tmp_path / "avvisade.csv"
    report = import_file(sqlite_store, COORDINATOR, src, "incidents",
                         options=ImportOptions(skip_invalid=True, rejects_path=rejects))
    assert (report.written, report.rejected) == (1, len(FORMULAS))
    text = rejects.read_text("utf-8-sig")
    cells = _cells(text, ";")
    assert len([c for c in cells if "cmd|" in c]) >= 1  # the rejected rows are in the file
    _assert_text_cells(cells, "rejects CSV")


MARKDOWN_PAYLOADS = ["![p](http://evil.example/p.png)", "[x](javascript:alert(1))",
                     "<http://evil.example>", ":red[röd] :material/warning:", "$\\href{x}{y}$",
                     "**fet** _kursiv_ `kod` # rubrik", "a\\![p](http://evil.example/p.png)"]


@pytest.mark.parametrize("text", MARKDOWN_PAYLOADS)
def test_markdown_text_leaves_no_markup(text):
    from mapapp.textsafe import markdown_text

    out = markdown_text(text)
    # every special character is preceded by an odd number of backslashes: taken literally
    i = 0
    while i < len(out):
        if out[i] == "\\":
            i += 2  # an escape and the character it protects
            continue
        assert out[i] not in "`*_{}[]()#+-.!|<>~$:=\\", (text, out, i)
        i += 1
    # and nothing is lost: removing the escapes gives the text back
    assert re.sub(r"\\(.)", r"\1", out) == text
