"""A snapshot is made from one read of the store: the points once per kind for the snapshot
(the measures' effects read their own window, once), then pure assembly; the assembled
snapshot equals the one of :func:`gather` (same tables)."""

from __future__ import annotations

from datetime import date

import mapapp.snapshot.source as source
from mapapp.settings import load_settings
from mapapp.snapshot.content import assemble, gather
from tests.conftest import COORDINATOR
from tests.store.test_snapshot import ZONE, _seed

SETTINGS = load_settings({}, database_url="sqlite://")


def test_gather_reads_points_once_per_kind_then_assembles(store, monkeypatch):
    _seed(store)
    calls: list[str] = []
    real = source.load_points

    def counting(engine, who, kind, flt=None):
        calls.append(kind)
        return real(engine, who, kind, flt)

    monkeypatch.setattr(source, "load_points", counting)
    snap = gather(store, COORDINATOR, zone=ZONE, period="2021-2022", since=date(2023, 1, 1),
                  settings=SETTINGS, lang="sv")
    assert sorted(calls) == ["incident", "observation"]
    src = source.read_source(store, COORDINATOR, zone=ZONE, period="2021-2022",
                             since=date(2023, 1, 1), settings=SETTINGS)
    again = assemble(src, include_notes=False, settings=SETTINGS, lang="sv")
    assert [t.rows for t in again.counts] == [t.rows for t in snap.counts]
    assert again.hotspots.rows == snap.hotspots.rows and snap.hotspots.rows
    assert again.observations.rows == snap.observations.rows
    whole = source.read_source(store, COORDINATOR, zone=None, period="2021-2022",
                               since=date(2023, 1, 1), settings=SETTINGS)
    district = assemble(whole, include_notes=False, settings=SETTINGS, lang="en")
    assert district.zone is None and district.area == "Hägersten-Älvsjö (the whole district)"
