"""Walks and observations on both backends: each observation stored exactly once (double save,
retry, eight writers at once), in the right zone and stadsdel, photos without metadata,
corrections within the edit window by the same team, the follow-up sheet and the measure made
from an observation, drafts that survive a reload."""

from __future__ import annotations

import io
import json
import multiprocessing as mp
import queue
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from mapapp import walks
from mapapp.access import Principal, Role
from mapapp.errors import (
    DataValidationError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)
from mapapp.photos import has_metadata
from mapapp.settings import Settings
from mapapp.store.engine import make_engine
from mapapp.store.models import AuditEvent, Measure, MeasureLink, Observation, Walk
from mapapp.store.points import PointFilter, load_points
from tests.conftest import COORDINATOR, SHARED, WALKER, expected_areas

OTHER_TEAM = Principal("vandrare2", Role.VANDRARE, team="lag-b")
SETTINGS = Settings()


def _stops() -> dict[str, tuple[float, float]]:
    """Real stop positions (GTFS Sverige 2, shared data)."""
    stops = json.loads((SHARED / "geo" / "gtfs_sverige2_stops_hagersten_alvsjo_2022_wgs84.geojson")
                       .read_text("utf-8"))
    return {f["properties"]["stop_name"]: tuple(f["geometry"]["coordinates"])
            for f in stops["features"]}


STOPS = _stops()
ALVSJO = STOPS["Älvsjö station"]
TELEFONPLAN = STOPS["Telefonplan T-bana"]


def _zone_id(store, name: str) -> int:
    from mapapp.store.district import zones_frame

    z = zones_frame(store)
    return int(z.loc[z["name"] == name, "id"].iloc[0])


def _walk(store, who=WALKER, zone="Älvsjö/Solberga") -> int:
    wid, created = walks.create_walk(
        store, who, submission_id=str(uuid.uuid4()), zone_id=_zone_id(store, zone),
        starts_at=datetime(2023, 4, 21, 18, 0, tzinfo=UTC), organiser="SDF trygghetsstrateg",
        participants={"boende": 9, "personal": 3, "polis": 2, "fastighetsagare": 1})
    assert created
    return wid


def _save(store, wid, sid=None, who=WALKER, **kw):
    args = {"category": "belysning", "lon": ALVSJO[0], "lat": ALVSJO[1],
            "ratings": {"belysning": 0, "trygghetskansla": 1}, "note": "Trasig gatlampa"}
    args.update(kw)
    return walks.save_observation(store, who, submission_id=sid or str(uuid.uuid4()),
                                  walk_id=wid, settings=SETTINGS, **args)


def _count(store, model=Observation) -> int:
    with store.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar_one()


def _audit(store, entity: str, action: str = "create") -> int:
    with store.connect() as c:
        return c.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == entity, AuditEvent.action == action)).scalar_one()


# --- walks --------------------------------------------------------------------------------------

def test_walk_is_created_once_and_seen_only_by_its_team(store):
    sid = str(uuid.uuid4())
    args = dict(submission_id=sid, zone_id=_zone_id(store, "Telefonplan"),
                starts_at=datetime(2023, 4, 21, 18, tzinfo=UTC), organiser="LPO Globen",
                participants={"boende": 4, "polis": 1})
    first = walks.create_walk(store, WALKER, **args)
    again = walks.create_walk(store, WALKER, **args)
    assert first[1] and again == (first[0], False)
    assert _count(store, Walk) == 1 and _audit(store, "walk") == 1
    mine = walks.list_walks(store, WALKER)
    assert mine["zone"].tolist() == ["Telefonplan"]
    assert mine["participants"].iloc[0] == {"boende": 4, "personal": 0, "polis": 1,
                                            "fastighetsagare": 0}
    assert walks.list_walks(store, OTHER_TEAM).empty
    assert len(walks.list_walks(store, COORDINATOR)) == 1
    with pytest.raises(PermissionDeniedError):
        walks.get_walk(store, OTHER_TEAM, first[0])


def test_walk_form_problems_are_all_reported_at_once(store):
    with pytest.raises(DataValidationError) as err:
        walks.create_walk(store, WALKER, submission_id=str(uuid.uuid4()), zone_id=9999,
                          starts_at=datetime(2023, 4, 21, 18, tzinfo=UTC),
                          organiser="ring 070-123 45 67", participants={"boende": -1},
                          status="klar")
    fields = sorted(p.field for p in err.value.problems)
    assert fields == ["organiser", "participants", "status", "zone"]
    assert _count(store, Walk) == 0


def test_walk_status_done_stores_the_route_through_its_points(store):
    wid = _walk(store)
    _save(store, wid, lon=ALVSJO[0], lat=ALVSJO[1])
    _save(store, wid, lon=ALVSJO[0] + 0.002, lat=ALVSJO[1] + 0.001, category="klotter")
    walks.set_walk_status(store, WALKER, wid, "genomford")
    w = walks.get_walk(store, WALKER, wid)
    assert w.status == "genomford" and w.n_observations == 2
    assert list(w.route.coords) == [ALVSJO, (ALVSJO[0] + 0.002, ALVSJO[1] + 0.001)]


# --- observations -------------------------------------------------------------------------------

@pytest.mark.parametrize("stop", ["Älvsjö station", "Telefonplan T-bana", "Liljeholmen T-bana"])
def test_observation_lands_in_the_right_zone_and_stadsdel(store, stop):
    lon, lat = STOPS[stop]
    wid = _walk(store)
    oid, created = _save(store, wid, lon=lon, lat=lat)
    assert created
    pts = load_points(store, WALKER, "observation", PointFilter(walk_id=wid))
    assert (pts["zone"].iloc[0], pts["stadsdel"].iloc[0]) == expected_areas(lon, lat)
    assert pts["id"].tolist() == [oid]


def test_double_save_and_retry_store_one_observation(store):
    wid = _walk(store)
    sid = str(uuid.uuid4())
    first = _save(store, wid, sid)
    second = _save(store, wid, sid)
    # A retry that arrives with a changed form (e.g. after a reconnect) still stores nothing new.
    third = _save(store, wid, sid, note="ändrad text", category="klotter")
    assert first[1] and second == (first[0], False) and third == (first[0], False)
    assert _count(store) == 1 and _audit(store, "observation") == 1
    with store.connect() as c:
        row = c.execute(select(Observation.description, Observation.source,
                               Observation.external_id, Observation.owner,
                               Observation.team)).one()
    assert tuple(row) == ("Trasig gatlampa", "app", sid, "Trafikkontoret (Tyck till)", "lag-a")


def test_observation_by_site_takes_the_site_position_and_name(store):
    from mapapp.store.district import sites_frame

    site = sites_frame(store).query("name == 'Johan Skytteskolan'").iloc[0]
    wid = _walk(store, zone="Långbro")
    oid, _ = _save(store, wid, lon=None, lat=None, site_id=int(site["id"]), category="klotter")
    with store.connect() as c:
        row = c.execute(select(Observation.lon, Observation.lat, Observation.place_name,
                               Observation.site_id).where(Observation.id == oid)).one()
    assert tuple(row) == (site["lon"], site["lat"], "Johan Skytteskolan", int(site["id"]))


def test_photo_is_stored_without_metadata(store):
    exif = Image.Exif()
    exif[0x010F] = "Kamera AB"
    exif.get_ifd(0x8825).update({1: "N", 2: (59.0, 17.0, 1.0), 3: "E", 4: (18.0, 0.0, 1.0)})
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 150, 0)).save(buf, "JPEG", exif=exif)
    assert "gps" in has_metadata(buf.getvalue())
    wid = _walk(store)
    oid, _ = _save(store, wid, photo=buf.getvalue())
    photo, mime = walks.observation_photo(store, WALKER, oid)
    assert mime == "image/jpeg" and has_metadata(photo) == []
    assert Image.open(io.BytesIO(photo)).size == (40, 30)


def test_bad_input_is_refused_with_every_problem_and_nothing_stored(store):
    wid = _walk(store)
    with pytest.raises(DataValidationError) as err:
        _save(store, wid, category="ufo", lon=None, lat=None, accuracy_m=120.0,
              ratings={"belysning": 4, "hojd": 1}, note="Han har personnummer 121212-1212")
    fields = sorted(p.field for p in err.value.problems)
    assert fields == ["accuracy_m", "category", "note", "position", "ratings", "ratings"]
    assert _count(store) == 0


def test_point_outside_the_district_is_refused(store):
    from tests.store.test_foundation import _real_places

    bredang = _real_places()["Bredäng"]
    wid = _walk(store)
    with pytest.raises(DataValidationError, match="utanför"):
        _save(store, wid, lon=bredang[0], lat=bredang[1])
    assert _count(store) == 0 and _audit(store, "observation") == 0


def test_other_team_cannot_add_to_or_see_the_walk(store):
    wid = _walk(store)
    _save(store, wid)
    with pytest.raises(PermissionDeniedError):
        _save(store, wid, who=OTHER_TEAM)
    assert load_points(store, OTHER_TEAM, "observation", PointFilter(walk_id=wid)).empty
    assert len(load_points(store, WALKER, "observation", PointFilter(walk_id=wid))) == 1


def test_correction_within_24_hours_by_the_same_team_only(store):
    wid = _walk(store)
    oid, _ = _save(store, wid)
    changed = walks.correct_observation(store, WALKER, oid, category="klotter",
                                        lon=TELEFONPLAN[0], lat=TELEFONPLAN[1],
                                        note="Klotter på väggen", settings=SETTINGS)
    assert changed == ["category", "note", "position"]
    pts = load_points(store, WALKER, "observation", PointFilter(walk_id=wid))
    assert (pts["zone"].iloc[0], pts["stadsdel"].iloc[0]) == expected_areas(*TELEFONPLAN)
    assert pts["category"].iloc[0] == "klotter"
    assert _audit(store, "observation", "update") == 1
    with pytest.raises(PermissionDeniedError):
        walks.correct_observation(store, OTHER_TEAM, oid, note="x", settings=SETTINGS)
    later = datetime.now(UTC) + timedelta(hours=SETTINGS.edit_window_hours, minutes=1)
    with pytest.raises(PermissionDeniedError, match="24"):
        walks.correct_observation(store, WALKER, oid, note="för sent", settings=SETTINGS,
                                  now=later)


# --- follow-up ----------------------------------------------------------------------------------

def test_follow_up_sheet_groups_by_place_with_owner_and_status(store):
    from mapapp.store.district import sites_frame

    sites = sites_frame(store).set_index("name")
    wid = _walk(store)
    station = sites.loc["Älvsjö station"]
    a, _ = _save(store, wid, lon=station["lon"], lat=station["lat"])  # nearest: the station
    b, _ = _save(store, wid, site_id=int(sites.loc["Älvsjö centrum", "id"]), lon=None, lat=None,
                 category="nedskrapning")
    c, _ = _save(store, wid, lon=station["lon"] + 0.0002, lat=station["lat"], category="klotter")
    walks.set_observation_status(store, WALKER, b, "skickad")
    sheet = walks.follow_up_sheet(store, WALKER, wid)
    assert [p for p, _ in sheet.places()] == ["Älvsjö station", "Älvsjö centrum"]
    rows = sheet.rows.set_index("observation_id")
    assert rows.loc[[a, c], "place"].tolist() == ["Älvsjö station"] * 2
    assert rows.loc[a, "owner"] == "Trafikkontoret (Tyck till)"
    assert rows.loc[c, "owner"] == "Trafikkontoret / fastighetsägaren"
    assert rows.loc[b, "status_label"] == "Skickad till ägare"
    assert rows.loc[a, "ratings"] == "Belysning 0, Trygghetskänsla 1"
    assert walks.follow_up_sheet(store, COORDINATOR, wid, lang="en").rows.set_index(
        "observation_id").loc[b, "status_label"] == "Sent to owner"


def test_observation_becomes_a_measure_in_one_step(store):
    wid = _walk(store)
    oid, _ = _save(store, wid)
    with pytest.raises(PermissionDeniedError):
        walks.observation_to_measure(store, WALKER, oid)
    mid, created = walks.observation_to_measure(store, COORDINATOR, oid)
    again = walks.observation_to_measure(store, COORDINATOR, oid)
    assert created and again == (mid, False)
    with store.connect() as c:
        m = c.execute(select(Measure.zone_id, Measure.actor, Measure.description)
                      .where(Measure.id == mid)).one()
        links = c.execute(select(MeasureLink.observation_id)
                          .where(MeasureLink.measure_id == mid)).scalars().all()
        obs_zone = c.execute(select(Observation.zone_id).where(Observation.id == oid)).scalar()
    assert tuple(m) == (obs_zone, "Trafikkontoret", "Trasig gatlampa") and links == [oid]
    assert _audit(store, "measure") == 1


# --- drafts -------------------------------------------------------------------------------------

def test_draft_survives_until_the_observation_is_saved(store):
    wid = _walk(store)
    sid = str(uuid.uuid4())
    data = {"category": "belysning", "lon": ALVSJO[0], "lat": ALVSJO[1], "note": "halvfärdig",
            "ratings": {"belysning": 1}}
    assert walks.save_draft(store, WALKER, walk_id=wid, submission_id=sid, data=data)
    # A reload: the newest draft of this user and walk comes back, with its submission id.
    d = walks.load_draft(store, WALKER, wid)
    assert (d.submission_id, d.data) == (sid, data)
    assert walks.load_draft(store, Principal("annan", Role.VANDRARE, team="lag-a"), wid) is None
    _save(store, wid, sid, note=d.data["note"])
    assert walks.load_draft(store, WALKER, wid) is None
    # A late draft write of a form already saved (e.g. a rerun racing the save) is refused.
    assert not walks.save_draft(store, WALKER, walk_id=wid, submission_id=sid, data=data)
    assert walks.load_draft(store, WALKER, wid) is None


def test_a_failed_save_says_nothing_was_saved_and_a_retry_stores_once(sqlite_store):
    wid = _walk(sqlite_store)
    sid = str(uuid.uuid4())
    path = Path(sqlite_store.url.database)
    readonly = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(StoreError, match="Inte sparat"):
        _save(readonly, wid, sid)
    readonly.dispose()
    assert _count(sqlite_store) == 0
    assert _save(sqlite_store, wid, sid)[1] and _count(sqlite_store) == 1


def test_unknown_walk(store):
    with pytest.raises(NotFoundError):
        _save(store, 4711)


# --- eight writers at once ----------------------------------------------------------------------

WRITERS, PER_WRITER = 8, 200


def _writer(url: str, walk_id: int, k: int, places: list[tuple[float, float]], barrier,
            results) -> None:
    """Writer k sends its own 200 submissions and writer k+1's, interleaved: every submission
    is sent twice, by two processes at about the same time."""
    engine = make_engine(url)
    mine = [f"w{k:02d}-{i:04d}-{uuid.UUID(int=k * 1000 + i)}" for i in range(PER_WRITER)]
    nxt = (k + 1) % WRITERS
    theirs = [f"w{nxt:02d}-{i:04d}-{uuid.UUID(int=nxt * 1000 + i)}" for i in range(PER_WRITER)]
    out, errors = [], []
    barrier.wait()
    for i in range(PER_WRITER):
        for sid in (mine[i], theirs[i]):
            lon, lat = places[(k + i) % len(places)]
            try:
                oid, created = walks.save_observation(
                    engine, WALKER, submission_id=sid, walk_id=walk_id, category="belysning",
                    lon=lon, lat=lat, ratings={"belysning": i % 4}, note=f"punkt {i}",
                    settings=SETTINGS)
                out.append((sid, oid, created))
            except Exception as exc:  # reported to the parent, which fails the test
                errors.append(f"{type(exc).__name__}: {exc}")
    engine.dispose()
    results.put((k, out, errors))


def test_eight_writers_twice_each_store_exactly_1600(store):
    from mapapp.store.district import sites_frame

    sites = sites_frame(store).dropna(subset=["stadsdel"])
    places = list(zip(sites["lon"], sites["lat"], strict=True))[:50]
    wid = _walk(store)
    url = store.url.render_as_string(hide_password=False)
    store.dispose()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, wid, k, places, barrier, results))
             for k in range(WRITERS)]
    for p in procs:
        p.start()
    got = []
    deadline = time.monotonic() + 600
    while len(got) < len(procs):  # fail fast when a writer process dies instead of reporting
        try:
            got.append(results.get(timeout=5))
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            assert not dead, f"writer processes died with exit codes {dead}"
            assert time.monotonic() < deadline, "writers did not finish in 600 s"
    for p in procs:
        p.join(timeout=60)
    errors = [e for _, _, errs in got for e in errs]
    assert errors == []
    sends = [r for _, out, _ in got for r in out]
    assert len(sends) == 2 * WRITERS * PER_WRITER
    ids: dict[str, set[int]] = {}
    for sid, oid, _ in sends:
        ids.setdefault(sid, set()).add(oid)
    assert len(ids) == WRITERS * PER_WRITER and all(len(v) == 1 for v in ids.values())
    assert sum(created for _, _, created in sends) == WRITERS * PER_WRITER
    assert _count(store) == WRITERS * PER_WRITER
    assert _audit(store, "observation") == WRITERS * PER_WRITER
    assert {p.exitcode for p in procs} == {0}


# --- follow-up documents and the command line ---------------------------------------------------

MARKUP_NOTE = "Lampa <b>trasig</b> & <script>alert(1)</script> <para>\x07"


def test_follow_up_documents_keep_user_text_as_text(store):
    from docx import Document

    from mapapp.snapshot.followup import followup_docx, followup_pdf

    wid = _walk(store)
    oid, _ = _save(store, wid, note=MARKUP_NOTE)
    _save(store, wid, category="klotter", note="Klotter på elskåp")
    sheet = walks.follow_up_sheet(store, WALKER, wid)
    doc = Document(io.BytesIO(followup_docx(sheet)))
    cells = [c.text for tbl in doc.tables for row in tbl.rows for c in row.cells]
    assert MARKUP_NOTE.replace("\x07", "") in cells
    assert "Trafikkontoret (Tyck till)" in cells and "Ny" in cells
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[1:] == [p for p, _ in sheet.places()]
    pdf = followup_pdf(sheet, lang="en")
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    # With the (metadata-free) photo of an observation, shown under its place.
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 100, 200)).save(buf, "JPEG")
    pid, _ = _save(store, wid, category="belysning", note="med foto", photo=buf.getvalue())
    photos = {pid: walks.observation_photo(store, WALKER, pid)[0]}
    sheet = walks.follow_up_sheet(store, WALKER, wid)
    assert len(Document(io.BytesIO(followup_docx(sheet, photos=photos))).inline_shapes) == 1
    with_photo = followup_pdf(sheet, photos=photos)
    assert with_photo.startswith(b"%PDF") and len(with_photo) > len(pdf)


def test_cli_lists_walks_and_writes_the_follow_up(sqlite_store, tmp_path, capsys):
    from docx import Document

    from mapapp.cli import main

    wid = _walk(sqlite_store)
    _save(sqlite_store, wid)
    url = sqlite_store.url.render_as_string()
    assert main(["walks", "list", "--db", url, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(w["id"], w["observationer"], w["deltagare"]) for w in listed] == [(wid, 1, 15)]
    for name in ("uppfoljning.docx", "uppfoljning.pdf"):
        assert main(["walks", "followup", str(wid), "--db", url, "--out",
                     str(tmp_path / name)]) == 0
        assert (tmp_path / name).stat().st_size > 1000
    text = [c.text for t in Document(tmp_path / "uppfoljning.docx").tables
            for r in t.rows for c in r.cells]
    assert "Trasig gatlampa" in text
    assert main(["walks", "followup", str(wid), "--db", url, "--out",
                 str(tmp_path / "x.txt")]) == 2
    assert ".docx" in capsys.readouterr().err
    assert _audit(sqlite_store, "walk", "export") == 2
