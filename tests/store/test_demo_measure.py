"""``mapapp demo`` records Fruängen centrum's measure, and the WDD before/after test finds its
effect; the target counts checked against a brute-force count of the points in the circle."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from mapapp.access import CLI_PRINCIPAL
from mapapp.cli import main
from mapapp.crs import METRIC, WGS84, transformer
from mapapp.demo import DEMO_MEASURE, demo_measure, load_demo
from mapapp.measures import before_after, measure_points, measures_frame
from mapapp.store.district import sites_frame


def test_the_demo_measure_has_an_effect(store) -> None:  # type: ignore[no-untyped-def]
    load_demo(store, CLI_PRINCIPAL, incidents=6000, observations=0)
    made = demo_measure(store, CLI_PRINCIPAL)
    assert made is not None and made[1]
    mid = made[0]
    assert demo_measure(store, CLI_PRINCIPAL) == (mid, False)  # once only
    m = measures_frame(store, CLI_PRINCIPAL).set_index("id").loc[mid]
    site = sites_frame(store).set_index("name").loc[DEMO_MEASURE["site"]]
    assert m["site"] == "Fruängen centrum" and m["zone"] == site["zone"]
    assert pd.Timestamp(m["start"]).date().isoformat() == "2022-09-01"
    assert m["status"] == "pagaende" and m["actor"] == DEMO_MEASURE["actor"]
    r = before_after(store, CLI_PRINCIPAL, mid)
    assert r["place_kind"] == "site" and r["complete"]
    assert r["verdict"] == "effect", r
    assert r["z"] < -1.96 and r["wdd"] < 0
    # the target's counts by hand: points within 150 m of the site in the two windows
    pts = measure_points(store, CLI_PRINCIPAL)
    tr = transformer(WGS84, METRIC)
    x, y = tr.transform(pts["lon"].to_numpy(float), pts["lat"].to_numpy(float))
    sx, sy = tr.transform(float(site["lon"]), float(site["lat"]))
    near = np.hypot(np.asarray(x) - sx, np.asarray(y) - sy) <= 150.0
    local = pd.to_datetime(pts["occurred_at"], utc=True).dt.tz_convert("Europe/Stockholm") \
        .dt.tz_localize(None)

    def within(a: str, b: str) -> int:
        return int((near & (local >= pd.Timestamp(a))
                    & (local < pd.Timestamp(b) + pd.Timedelta(days=1))).sum())

    assert r["t_before"] == within(r["before_start"], r["before_end"])
    assert r["t_after"] == within(r["after_start"], r["after_end"])


def test_mapapp_demo_names_the_measure_and_before_after_shows_it(sqlite_store, capsys
                                                                 ) -> None:  # type: ignore[no-untyped-def]
    url = sqlite_store.url.render_as_string(hide_password=False)
    assert main(["demo", "--db", url, "--incidents", "6000", "--observations", "0"]) == 0
    out = capsys.readouterr().out
    mid = int(out.split("before-after ")[1].split(")")[0])
    assert main(["measures", "before-after", str(mid), "--db", url, "--format", "json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["place"] == "Fruängen centrum" and r["verdict"] == "effect"
