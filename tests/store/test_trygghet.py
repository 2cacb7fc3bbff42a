"""The city's trygghetsmätning: long and wide files, every problem named and nothing written,
re-import replaces, and the view beside reported crime checked against a count from the
points (SQLite and PostGIS)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import text

from mapapp.cli import main
from mapapp.council.trygghet import compare, import_trygghet, trygghet_frame
from mapapp.errors import DataValidationError, PermissionDeniedError
from mapapp.store.district import stadsdelar_frame
from mapapp.store.points import insert_points, load_points
from tests.conftest import ADMIN, COORDINATOR, READER

IND = "Otrygg utomhus sent en kväll i området"
LONG = ("stadsdel;indikator;år;andel;svarande\n"
        f"Liljeholmen;{IND};2022;31,5;412\n"
        f"Fruängen;{IND};2022;44;388\n"
        f"ÄLVSJÖ;{IND};2022;27 %;405\n"
        f"Västberga;{IND};2022;12.5;120\n"
        f"Liljeholmen;{IND};2021;30;400\n")
WIDE = ("Stadsdel,Indikator,2019,2021\n"
        f"Liljeholmen,{IND},28,30\n"
        f"Fruängen,{IND},40,\n")


def _crimes(store) -> None:  # type: ignore[no-untyped-def]
    sd = stadsdelar_frame(store).set_index("name")
    rows = []
    plan = {"Liljeholmen": 30, "Fruängen": 5, "Älvsjö": 50, "Västberga": 10}
    for name, n in plan.items():
        p = sd.loc[name, "geometry"].representative_point()
        for i in range(n):
            rows.append({"source": "t", "external_id": f"{name}-{i}", "category": "stold",
                         "lon": p.x, "lat": p.y,
                         "occurred_at": pd.Timestamp("2022-06-01T12:00:00+02:00")})
    p = sd.loc["Älvsjö", "geometry"].representative_point()
    # New Year's Eve 23:30 local is 2022; 00:30 on 1 January local is 2023
    rows += [{"source": "t", "external_id": "nye-in", "category": "stold", "lon": p.x,
              "lat": p.y, "occurred_at": pd.Timestamp("2022-12-31T22:30:00Z")},
             {"source": "t", "external_id": "nye-out", "category": "stold", "lon": p.x,
              "lat": p.y, "occurred_at": pd.Timestamp("2022-12-31T23:30:00Z")}]
    df = pd.DataFrame(rows)
    df["occurred_at"] = pd.to_datetime(df["occurred_at"], utc=True)
    with store.begin() as conn:
        insert_points(conn, df, "incident")


def test_long_file_beside_reported_crime(store, tmp_path):
    f = tmp_path / "trygghet.csv"
    f.write_text(LONG, encoding="utf-8")
    with pytest.raises(PermissionDeniedError):
        import_trygghet(store, READER, f)
    assert import_trygghet(store, COORDINATOR, f) == 5
    _crimes(store)
    got = {r["stadsdel"]: r for r in compare(store, READER, indicator=IND, year=2022)}
    # independent: count the points per stadsdel in local calendar year 2022
    pts = load_points(store, ADMIN, "incident")
    local = pts["occurred_at"].dt.tz_convert("Europe/Stockholm")
    expect = pts[local.dt.year == 2022].groupby("stadsdel").size().to_dict()
    assert {s: r["crimes"] for s, r in got.items()} == {
        s: expect.get(s, 0) for s in ("Liljeholmen", "Fruängen", "Älvsjö", "Västberga")}
    assert got["Älvsjö"]["crimes"] == 51 and got["Älvsjö"]["share"] == 27.0
    # ranks by hand: shares 12.5 < 27 < 31.5 < 44; crimes 5 < 10 < 30 < 51
    assert {s: r["share_rank"] for s, r in got.items()} == pytest.approx(
        {"Västberga": 0, "Älvsjö": 1 / 3, "Liljeholmen": 2 / 3, "Fruängen": 1})
    assert got["Fruängen"]["disagree"] == "more_insecure"  # most unsafe, least crime
    assert got["Älvsjö"]["disagree"] == "less_insecure"  # most crime, felt fairly safe
    assert got["Liljeholmen"]["disagree"] == "agree"
    assert got["Liljeholmen"]["respondents"] == 412


def test_wide_file_and_reimport_replaces(store, tmp_path):
    f = tmp_path / "bred.csv"
    f.write_text(WIDE, encoding="utf-8")
    assert import_trygghet(store, COORDINATOR, f) == 3  # Fruängen 2021 is empty: not measured
    df = trygghet_frame(store, READER)
    assert sorted(zip(df["stadsdel"], df["year"], df["share"], strict=True)) == [
        ("Fruängen", 2019, 40.0), ("Liljeholmen", 2019, 28.0), ("Liljeholmen", 2021, 30.0)]
    assert df["respondents"].isna().all()
    f.write_text(WIDE.replace(",28,30", ",29,30"), encoding="utf-8")
    assert import_trygghet(store, COORDINATOR, f) == 3
    df = trygghet_frame(store, READER)
    assert len(df) == 3 and 29.0 in set(df["share"]) and 28.0 not in set(df["share"])


def test_bad_file_names_every_problem_and_writes_nothing(store, tmp_path):
    f = tmp_path / "fel.csv"
    f.write_text("stadsdel;indikator;år;andel;svarande\n"
                 f"Atlantis;{IND};2022;30;100\n"
                 f"Liljeholmen;{IND};20x2;130;-4\n"
                 f"Fruängen;;2022;40;100\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as e:
        import_trygghet(store, COORDINATOR, f)
    assert {(p.row, p.field) for p in e.value.problems} == {
        (2, "stadsdel"), (3, "year"), (3, "share"), (3, "respondents"), (4, "indicator")}
    assert "Atlantis" in e.value.text("en") and "Row 2" in e.value.text("en")
    f.write_text("stadsdel;andel\nLiljeholmen;3\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as e:
        import_trygghet(store, COORDINATOR, f)
    assert {p.field for p in e.value.problems} == {"indicator", "year"}
    with store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM trygghet_values")).scalar() == 0


def test_cli_import_and_compare(store, tmp_path, capsys):
    url = store.url.render_as_string(hide_password=False)
    f = tmp_path / "trygghet.csv"
    f.write_text(LONG, encoding="utf-8")
    assert main(["trygghet", "import", "--db", url, str(f)]) == 0
    assert "5" in capsys.readouterr().out
    _crimes(store)
    assert main(["trygghet", "compare", "--db", url, "--indicator", IND, "--year", "2022",
                 "--format", "json"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert [r["stadsdel"] for r in recs] == ["Fruängen", "Liljeholmen", "Västberga", "Älvsjö"]
    assert set(recs[0]) == {"stadsdel", "share", "respondents", "crimes", "share_rank",
                            "crime_rank", "gap", "disagree"}


def test_no_reading_without_crimes_to_rank(store, tmp_path):
    f = tmp_path / "trygghet.csv"
    f.write_text(LONG, encoding="utf-8")
    import_trygghet(store, COORDINATOR, f)
    got = compare(store, READER, indicator=IND, year=2022)  # no incidents stored
    assert {r["disagree"] for r in got} == {"unknown"} and {r["crimes"] for r in got} == {0}
