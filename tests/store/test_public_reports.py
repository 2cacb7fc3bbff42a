"""Public reports (SQLite and PostGIS): honeypot, rate limit per address (stored only as a
keyed hash), duplicates within 50 m and 14 days (distances checked with pyproj's geodesic),
retries stored once, the review queue and publishing into observations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pyproj import Geod
from sqlalchemy import select, text

from mapapp.council import reports as rp
from mapapp.errors import DataValidationError, PermissionDeniedError
from mapapp.settings import load_settings
from mapapp.store.district import zones_frame
from mapapp.store.models import AuditEvent, Observation, PublicReport
from tests.conftest import COORDINATOR, READER

SETTINGS = load_settings({}, secret_key="reports-key", reports_per_hour=5)
NOW = datetime(2023, 5, 20, 12, 0, tzinfo=UTC)
GEOD = Geod(ellps="GRS80")


def _at(store):  # type: ignore[no-untyped-def]
    p = zones_frame(store).set_index("name").loc["Liljeholmen", "geometry"].representative_point()
    return float(p.x), float(p.y)


def _north(lon: float, lat: float, metres: float) -> tuple[float, float]:
    lon2, lat2, _ = GEOD.fwd(lon, lat, 0, metres)
    return float(lon2), float(lat2)


def _send(store, sub: str, lon: float, lat: float, **kw):  # type: ignore[no-untyped-def]
    args = {"category": "belysning", "client_address": "10.0.0.1", "settings": SETTINGS,
            "now": NOW, **kw}
    return rp.submit_report(store, submission_id=sub, lon=lon, lat=lat, **args)


def test_submit_retry_honeypot_and_refusals(store):
    lon, lat = _at(store)
    r = _send(store, "sub-0001", lon, lat, text="Lampan vid trappan är trasig")
    assert r.status == "stored" and r.report_id
    assert _send(store, "sub-0001", lon, lat).report_id == r.report_id  # a retry: once
    assert _send(store, "sub-0002", lon, lat, honeypot="http://spam.example").status == "dropped"
    with pytest.raises(DataValidationError) as e:
        _send(store, "sub-0003", 18.07, 59.33)  # Gamla stan: outside the district
    assert e.value.problems[0].field == "position"
    with pytest.raises(DataValidationError) as e:
        _send(store, "sub-0004", lon, lat, text="Ring mig på 070-123 45 67", confirm_new=True)
    assert e.value.problems[0].field == "text"
    with pytest.raises(DataValidationError) as e:
        _send(store, "sub-0005", lon, lat, category="bomb", confirm_new=True)
    assert e.value.problems[0].field == "category"
    with store.connect() as conn:
        rows = conn.execute(select(PublicReport)).all()
        audit_dump = str(conn.execute(select(AuditEvent.detail, AuditEvent.username)).all())
    assert len(rows) == 1 and rows[0].zone_id is not None
    assert "10.0.0.1" not in str(tuple(rows[0])) + audit_dump  # the address is not stored
    assert rows[0].client_hash == rp.client_hash("10.0.0.1", SETTINGS)


def test_rate_limit_per_address(store):
    lon, lat = _at(store)
    for i in range(5):
        p = _north(lon, lat, 100.0 * i)
        assert _send(store, f"rate-{i:04d}", *p, confirm_new=True).status == "stored"
    with pytest.raises(PermissionDeniedError) as e:
        _send(store, "rate-0005", lon, lat, confirm_new=True)
    assert e.value.key == "report.rate_limited"
    assert _send(store, "rate-0006", lon, lat, client_address="10.0.0.2",
                 confirm_new=True).status == "stored"
    # an hour later the first address may send again
    assert _send(store, "rate-0007", lon, lat, now=NOW + timedelta(minutes=61),
                 confirm_new=True).status == "stored"


def test_duplicates_within_50_m_same_category_last_14_days(store):
    lon, lat = _at(store)
    first = _send(store, "dup-0001", lon, lat).report_id
    near = _north(lon, lat, 40.0)
    far = _north(lon, lat, 60.0)
    assert GEOD.inv(lon, lat, *near)[2] == pytest.approx(40.0, abs=0.01)
    r = _send(store, "dup-0002", *near, client_address="10.0.0.9")
    assert r.status == "duplicate" and r.report_id is None
    assert [(d["kind"], d["id"]) for d in r.duplicates] == [("report", first)]
    assert r.duplicates[0]["distance_m"] == pytest.approx(40.0, abs=0.5)
    assert _send(store, "dup-0003", *far, client_address="10.0.0.9").status == "stored"
    assert _send(store, "dup-0004", *near, category="klotter",
                 client_address="10.0.0.9").status == "stored"
    assert _send(store, "dup-0005", *near, now=NOW + timedelta(days=15),
                 client_address="10.0.0.8").status == "stored"
    forced = _send(store, "dup-0006", *near, client_address="10.0.0.7", confirm_new=True)
    assert forced.status == "stored"
    with store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM public_reports")).scalar() == 5


def test_review_queue_publish_and_reject(store):
    lon, lat = _at(store)
    a = _send(store, "rev-0001", lon, lat, category="trygg_plats",
              text="Bra belyst och mycket folk").report_id
    b = _send(store, "rev-0002", *_north(lon, lat, 300), category="klotter").report_id
    with pytest.raises(PermissionDeniedError):
        rp.review_queue(store, READER)
    q = rp.review_queue(store, COORDINATOR)
    assert list(q["id"]) == [a, b] and q.iloc[0]["zone"] == "Liljeholmen"
    with pytest.raises(PermissionDeniedError):
        rp.publish_report(store, READER, a)
    oid = rp.publish_report(store, COORDINATOR, a)
    rp.reject_report(store, COORDINATOR, b)
    with pytest.raises(DataValidationError):
        rp.publish_report(store, COORDINATOR, b)
    assert rp.review_queue(store, COORDINATOR).empty
    with store.connect() as conn:
        o = conn.execute(select(Observation).where(Observation.id == oid)).one()
        statuses = dict(conn.execute(select(PublicReport.id, PublicReport.status)).all())
        acts = conn.execute(select(AuditEvent.action, AuditEvent.username).where(
            AuditEvent.entity == "public_report").order_by(AuditEvent.id)).all()
    assert (o.source, o.category, o.description, o.lon) == (
        "allmanheten", "trygg_plats", "Bra belyst och mycket folk", lon)
    assert o.zone_id is not None and o.local_day is not None
    assert statuses == {a: "publicerad", b: "avvisad"}
    assert acts == [("create", "allmänheten"), ("create", "allmänheten"),
                    ("update", COORDINATOR.username), ("update", COORDINATOR.username)]
    # a published report counts as "already reported" for the next reporter
    again = _send(store, "rev-0003", *_north(lon, lat, 10), category="trygg_plats",
                  client_address="10.1.1.1", now=NOW + timedelta(days=1))
    assert again.status == "duplicate"
    assert {d["kind"] for d in again.duplicates} == {"report", "observation"}
