"""`mapapp stats` and `mapapp hotspots` against an independent computation."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import shapely

from mapapp.cli import main
from mapapp.store.district import zones_frame
from mapapp.store.points import insert_points

STHLM = ZoneInfo("Europe/Stockholm")


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _points(store) -> pd.DataFrame:
    zones = zones_frame(store)
    rows = []
    times = ["2021-08-31T23:30:00+02:00", "2021-08-31T21:30:00+00:00",  # same instant, 2020-2021
             "2021-09-01T00:10:00+02:00", "2021-08-31T22:10:00Z",  # 2021-2022
             "2022-01-15T12:00:00+01:00", "2020-03-29T02:30:00+02:00"]
    for i, (_, z) in enumerate(zones.iterrows()):
        p = z.geometry.representative_point()
        for j, ts in enumerate(times):
            rows.append({"source": "t", "external_id": f"{i}-{j}", "category":
                         "narkotikabrott" if j % 2 else "personran", "occurred_at":
                         pd.Timestamp(ts), "lon": p.x, "lat": p.y})
    rows.append({"source": "t", "external_id": "out", "category": "stold",
                 "occurred_at": pd.Timestamp("2022-05-01T10:00:00+02:00"),
                 "lon": 17.93, "lat": 59.29})  # Bredäng: outside the district
    df = pd.DataFrame(rows)
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    return df


def _independent(df: pd.DataFrame, zones) -> Counter:
    out: Counter = Counter()
    for _, r in df.iterrows():
        pt = shapely.Point(r["lon"], r["lat"])
        hits = [n for n, g in zip(zones["name"], zones.geometry, strict=True) if g.intersects(pt)]
        local = r["occurred_at"].to_pydatetime().astimezone(STHLM)
        start = local.year if local.month >= 9 else local.year - 1
        out[(hits[0] if hits else None, r["category"], f"{start}-{start + 1}")] += 1
    return out


def test_stats_json_equals_an_independent_count(sqlite_store, capsys):
    df = _points(sqlite_store)
    with sqlite_store.begin() as conn:
        insert_points(conn, df, "incident")
    assert main(["stats", "--db", _url(sqlite_store), "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    got = Counter({(r["zone"], r["category"], r["period"]): r["count"] for r in records
                   if r["count"]})
    assert got == _independent(df, zones_frame(sqlite_store))
    assert all(r["count"] > 0 or r["previous"] > 0 for r in records)
    assert {r["kind"] for r in records} == {"incident"}
    assert (None, "stold", "2021-2022") in got


def test_stats_for_one_zone_as_table_and_csv(sqlite_store, capsys):
    df = _points(sqlite_store)
    with sqlite_store.begin() as conn:
        insert_points(conn, df, "incident")
    assert main(["stats", "--db", _url(sqlite_store), "--zone", "Långbro"]) == 0
    table = capsys.readouterr().out
    assert "Långbro" in table and "Liljeholmen" not in table and "Personrån" in table
    assert main(["stats", "--db", _url(sqlite_store), "--zone", "Långbro", "--period-kind",
                 "calendar", "--format", "csv"]) == 0
    csv_out = capsys.readouterr().out
    assert "2021" in csv_out and "2021-2022" not in csv_out
    assert main(["stats", "--db", _url(sqlite_store), "--zone", "Narnia"]) == 2
    assert "Narnia" in capsys.readouterr().err


def test_hotspots_sites_and_grid(sqlite_store, capsys):
    assert main(["demo", "--db", _url(sqlite_store), "--incidents", "6000",
                 "--observations", "600"]) == 0
    capsys.readouterr()
    assert main(["hotspots", "--db", _url(sqlite_store), "--kind", "sites"]) == 0
    fc = json.loads(capsys.readouterr().out)
    assert fc["period"] == "2022-2023"
    assert [k["point_kind"] for k in fc["kinds"]] == ["incident", "observation"]
    assert {k["period"] for k in fc["kinds"]} == {"2022-2023"}  # one period for both kinds
    everything = [f["properties"] for f in fc["features"]]
    assert Counter(p["point_kind"] for p in everything) == {"incident": 334, "observation": 334}
    props = [p for p in everything if p["point_kind"] == "incident"]
    assert len(props) == 334
    assert {"name", "kind", "zone", "period", "count", "flagged", "reason", "expected",
            "q_value", "rising", "persistent", "fading", "place"} <= set(props[0])
    flagged = [p for p in props if p["flagged"]]
    assert flagged and all(p["count"] >= 5 and p["reason"] for p in flagged)
    assert len(flagged) <= 0.10 * len(props)
    by = {p["name"]: p for p in props}
    assert by["Kämpetorpsskolan"]["rising"] and by["Kämpetorpsskolan"]["reason"].startswith(
        "Kämpetorpsskolan: ") and "kvällstid, väntat " in by["Kämpetorpsskolan"]["reason"]
    # one place, one flag: the station is a member of its centre's place, which is persistent
    assert by["Älvsjö station"]["in_place_of"] == "Älvsjö centrum"
    assert by["Älvsjö station"]["own_flagged"] and not by["Älvsjö station"]["flagged"]
    assert by["Älvsjö centrum"]["persistent"] and by["Älvsjö centrum"]["place_sites"] >= 2
    assert f"{by['Älvsjö centrum']['place_sites']} objekt" in by["Älvsjö centrum"]["reason"]
    rising = [p["rising"] for p in props]
    assert rising[: sum(rising)] == [True] * sum(rising)  # rising first
    obs_by = {p["name"]: p for p in everything if p["point_kind"] == "observation"}
    _kinds_apart(sqlite_store, capsys, by, obs_by, "sites", "name")
    # CSV keeps the columns; English reasons with --lang en
    assert main(["hotspots", "--db", _url(sqlite_store), "--kind", "sites", "--format", "csv",
                 "--lang", "en"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:14] == ["point_kind", "name", "kind", "zone", "period", "count", "flagged",
                            "reason", "expected", "q_value", "rising", "persistent", "fading",
                            "place"]
    kt = next(r for r in rows if r[1] == "Kämpetorpsskolan" and r[0] == "incident")
    assert "incidents in the evening, expected " in kt[7] and kt[10] == "true"
    assert main(["hotspots", "--db", _url(sqlite_store), "--kind", "grid"]) == 0
    grid = json.loads(capsys.readouterr().out)
    both = [f["properties"] for f in grid["features"]]
    cells = [c for c in both if c["point_kind"] == "incident"]
    _kinds_apart(sqlite_store, capsys, {c["cell_id"]: c for c in cells},
                 {c["cell_id"]: c for c in both if c["point_kind"] == "observation"},
                 "grid", "cell_id")
    assert sum(c["count"] for c in cells) > 0 and any(c["count"] == 0 for c in cells)
    assert {c["class"] for c in cells} <= {"hot99", "hot95", "hot90", "ns", "cold90", "cold95",
                                           "cold99"}
    assert any(c["class"].startswith("hot") for c in cells)
    from mapapp.analysis.emerging import TREND_CLASSES

    assert {c["trend_class"] for c in cells} <= set(TREND_CLASSES)
    assert grid["steps"] == ["2019-2020", "2020-2021", "2021-2022", "2022-2023"]
    assert all(c["trend_label"] and c["class_label"] for c in cells)
    assert main(["hotspots", "--db", _url(sqlite_store), "--kind", "grid", "--format",
                 "csv"]) == 0
    assert "trend_class" in capsys.readouterr().out.splitlines()[0].split(",")


def _kinds_apart(store, capsys, incident: dict, observation: dict, how: str, key: str) -> None:
    """``--points all`` gives each kind's own result (the same as ``--points <kind>`` for the
    same period), never the two added up; for the grid, each kind's cells add up to that kind's
    points of the period inside the district, counted by hand."""
    for kind, got in (("incident", incident), ("observation", observation)):
        assert main(["hotspots", "--db", _url(store), "--kind", how, "--points", kind,
                     "--period", "2022-2023"]) == 0
        alone = {f["properties"][key]: f["properties"]
                 for f in json.loads(capsys.readouterr().out)["features"]}
        assert set(alone) == set(got)
        assert all(p["point_kind"] == kind for p in alone.values())
        fields = ("count", "flagged", "q_value") if how == "sites" else ("count", "z", "class")
        assert [[alone[k][f] for f in fields] for k in alone] == \
            [[got[k][f] for f in fields] for k in alone]
    both = [k for k in incident if incident[k]["count"] and observation[k]["count"]]
    assert both  # places with both kinds: each record is one kind's count, never the sum
    if how == "grid":  # every point of a kind in the period falls in one cell of that kind
        from mapapp.access import Principal, Role
        from mapapp.store.district import district_outline
        from mapapp.store.points import load_points

        admin = Principal(username="t", role=Role.ADMIN)
        outline = district_outline(store)
        for kind, got in (("incident", incident), ("observation", observation)):
            pts = load_points(store, admin, kind)
            local = pd.to_datetime(pts["occurred_at"], utc=True).dt.tz_convert(STHLM)
            start = local.dt.year.where(local.dt.month >= 9, local.dt.year - 1)
            inside = shapely.contains_xy(outline, pts["lon"].to_numpy(), pts["lat"].to_numpy())
            expected = int(((start == 2022) & inside).sum())
            assert expected > 0 and sum(c["count"] for c in got.values()) == expected


def test_hotspots_backtest(sqlite_store, capsys):
    assert main(["demo", "--db", _url(sqlite_store), "--incidents", "6000",
                 "--observations", "0"]) == 0
    capsys.readouterr()
    assert main(["hotspots", "--db", _url(sqlite_store), "--backtest"]) == 0
    out = capsys.readouterr().out
    assert "2021-2022" in out and "2022-2023" in out and "PAI" in out and "RRI" in out
    assert "Förra periodens heta rutor (2021-2022) fångade " in out
    assert main(["hotspots", "--db", _url(sqlite_store), "--backtest", "--period",
                 "2021-2022", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["method"] for r in rows] == ["hot_cells", "places"]
    for r in rows:
        assert r["period"] == "2021-2022" and r["previous"] == "2020-2021"
        n_in, n = int(r["n_in"]), int(r["n_total"])
        area = float(r["area_share"])
        assert float(r["pai"]) == pytest.approx((n_in / n) / area, rel=1e-9)
    assert main(["hotspots", "--db", _url(sqlite_store), "--backtest", "--period",
                 "2019-2020"]) == 0
    assert "ingen period före 2019-2020" in capsys.readouterr().out


def test_stats_kinds_apart_with_tested_changes(store, capsys):
    """20 reported crimes and 12 walk observations of skadegörelse are never added; each record
    carries its kind and the tested change (SQLite and PostGIS give the same records)."""
    zones = zones_frame(store)
    p = zones.geometry.iloc[0].representative_point()
    name = zones["name"].iloc[0]

    def frame(n: int, prefix: str, start: str) -> pd.DataFrame:
        t0 = pd.Timestamp(start, tz="Europe/Stockholm")
        return pd.DataFrame({
            "source": "t", "external_id": [f"{prefix}{i}" for i in range(n)],
            "category": "skadegorelse", "lon": p.x, "lat": p.y,
            "occurred_at": [(t0 + pd.Timedelta(days=7 * i)).tz_convert("UTC")
                            for i in range(n)]})

    with store.begin() as conn:
        insert_points(conn, pd.concat([frame(16, "a", "2021-09-05"),
                                       frame(20, "b", "2022-09-05")]), "incident")
        insert_points(conn, frame(12, "o", "2022-09-10").assign(status="ny"), "observation")
    url = _url(store)
    assert main(["stats", "--db", url, "--format", "json", "--kind", "all"]) == 0
    recs = json.loads(capsys.readouterr().out)
    mine = [(r["kind"], r["period"], r["count"]) for r in recs if r["zone"] == name]
    assert ("incident", "2022-2023", 20) in mine and ("observation", "2022-2023", 12) in mine
    assert all(c != 32 for _, _, c in mine)
    inc = next(r for r in recs if r["kind"] == "incident" and r["period"] == "2022-2023")
    # The incidents end 2023-07-10: 2022-2023 is incomplete, compared day for day a year back.
    assert inc["complete"] is False and inc["previous"] == 16 and inc["change"] == 4
    assert inc["significant"] is False and inc["trend"] == "stable"
    first = next(r for r in recs if r["kind"] == "incident" and r["period"] == "2021-2022")
    assert first["p_value"] is None and first["significant"] is None
    assert main(["stats", "--db", url, "--format", "json"]) == 0
    assert {r["kind"] for r in json.loads(capsys.readouterr().out)} == {"incident"}
    assert main(["stats", "--db", url, "--kind", "observation", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",") == ["zone", "category", "period", "kind", "count", "complete",
                                   "previous", "change", "change_pct", "p_value",
                                   "significant", "trend"]
    assert len(lines) == 2 and ",observation,12," in lines[1]
    assert main(["stats", "--db", url, "--kind", "all"]) == 0
    table = capsys.readouterr().out
    assert "Anmälda brott" in table and "Observationer" in table
    assert "oförändrat inom normal variation" in table and "↑" not in table
