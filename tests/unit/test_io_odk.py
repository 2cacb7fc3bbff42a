"""ODK Central / KoBoToolbox exports of the trygghetsvandring form, and the XLSForm itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from mapapp.categories import OBSERVATION_CATEGORIES, RATING_KEYS
from mapapp.errors import DataValidationError
from mapapp.i18n import render
from mapapp.io.odk import find_columns, from_odk, is_odk
from mapapp.io.tabular import read_csv

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"


def test_central_and_kobo_headers_are_understood():
    central = find_columns(["start", "grp-walk_name", "category", "location-Latitude",
                            "location-Longitude", "location-Altitude", "location-Accuracy",
                            "meta-instanceID", "KEY"])
    assert central == {"start": "start", "walk": "grp-walk_name", "category": "category",
                       "lat": "location-Latitude", "lon": "location-Longitude",
                       "accuracy_m": "location-Accuracy", "id": "meta-instanceID"}
    kobo = find_columns(["start", "obs/kategori", "obs/plats", "_uuid", "meta/instanceID"])
    assert kobo["category"] == "obs/kategori" and kobo["geopoint"] == "obs/plats"
    assert kobo["id"] == "meta/instanceID"  # instanceID preferred to _uuid
    assert is_odk(["_uuid"]) and not is_odk(["id", "kategori"])


@pytest.mark.parametrize("name", ["trygghetsvandring_odk_central.csv",
                                  "trygghetsvandring_kobo.csv"])
def test_example_exports(name):
    inp, photos = from_odk(read_csv(EXAMPLES / name))
    assert len(inp.frame) == 5 and inp.pre_problems == []
    assert inp.frame["id"].str.startswith("uuid:").all()
    assert inp.frame["occurred_at"].str.startswith("2023-04-18T19:").all()  # from `start`
    assert inp.extra["ratings"].iloc[0] == {"belysning": 0, "oppenhet": 1, "synlighet": 1,
                                            "folkliv": 2, "trygghetskansla": 1}
    assert inp.extra["accuracy_m"].iloc[0] == 4.5
    assert inp.precision == "gps"
    assert sum(bool(p) for p in photos) == 3


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "export.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_geopoint_string_ratings_and_missing_id(tmp_path):
    p = _csv(tmp_path, "start,category,belysning,location,_uuid\n"
                       "2023-05-01T20:00:00+02:00,belysning,5,59.30 18.00 10 3.5,u1\n"
                       "2023-05-01T20:05:00+02:00,klotter,2,nonsense,\n")
    inp, _ = from_odk(read_csv(p))
    assert {m.key for _, _, m in inp.pre_problems} == {  # type: ignore[union-attr]
        "io.row.rating_bad", "io.row.geopoint_bad", "io.row.id_missing"}
    messages = [render(m, "sv") for _, _, m in inp.pre_problems]
    assert "rad 2: betyget belysning '5' ska vara ett heltal 0–3." in messages
    assert "row 2: " in render(inp.pre_problems[0][2], "en")
    assert any(m.startswith("rad 3: geopunkten 'nonsense'") for m in messages)
    assert any(m.startswith("rad 3: _uuid saknas") for m in messages)
    assert inp.frame["lat"].iloc[0] == "59.30" and inp.extra["accuracy_m"].iloc[0] == 3.5


def test_a_form_time_field_wins_over_start(tmp_path):
    p = _csv(tmp_path, "start,tidpunkt,category,location,_uuid\n"
                       "2023-05-01T20:00:00+02:00,2023-05-01T19:00:00+02:00,klotter,"
                       "59.3 18.0 0 5,u1\n")
    inp, _ = from_odk(read_csv(p))
    assert inp.frame["occurred_at"].iloc[0] == "2023-05-01T19:00:00+02:00"


def test_missing_geopoint_column_is_a_file_problem(tmp_path):
    p = _csv(tmp_path, "start,category,_uuid\n2023-05-01T20:00:00+02:00,klotter,u1\n")
    with pytest.raises(DataValidationError, match="location"):
        from_odk(read_csv(p))


def test_xlsform_has_the_walk_fields_and_the_app_categories():
    wb = load_workbook(EXAMPLES / "trygghetsvandring_xlsform.xlsx", read_only=True)
    assert {"survey", "choices", "settings"} <= set(wb.sheetnames)
    survey = list(wb["survey"].iter_rows(values_only=True))
    types = {row[1]: row[0] for row in survey[1:]}
    assert types["start"] == "start" and types["end"] == "end"
    assert types["location"] == "geopoint" and types["photo"] == "image"
    assert types["category"] == "select_one category"
    for key in RATING_KEYS:
        assert types[key] == "select_one rating"
    choices = list(wb["choices"].iter_rows(values_only=True))
    cats = {row[1] for row in choices[1:] if row[0] == "category"}
    assert cats == {c.code for c in OBSERVATION_CATEGORIES}
    assert {row[1] for row in choices[1:] if row[0] == "rating"} == {0, 1, 2, 3}
    # the names the form gives are the names the importer reads
    found = find_columns([row[1] for row in survey[1:]] + ["meta/instanceID"])
    assert {"start", "walk", "category", "note", "photo", "geopoint", "id",
            *RATING_KEYS} <= set(found)
